# Convenience wrapper around CMake; see README.md.
BUILD ?= build
JOBS ?= 2
PREFIX ?= /usr/local
# extra cmake -D options for `make build` (make check adds -DAS_WERROR=ON)
CMAKE_FLAGS ?=

.PHONY: fuzz all deps build demo check asan matrix bench install clean
all: build

deps:
	bash scripts/setup-debian.sh

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

# Install the program, liballoyscout, headers, pkg-config and CMake files, data, man pages and
# bash completion under PREFIX (docs/install.md); DESTDIR is honoured for packaging.
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

# First README command: dependencies, build, and the main job on the shipped data.
demo: deps build
	./$(BUILD)/alloyscout demo

# Second README command: every test (the report test needs Chromium), warnings as errors.
check:
	AS_BROWSER_DEPS=1 bash scripts/setup-debian.sh
	$(MAKE) build CMAKE_FLAGS="$(CMAKE_FLAGS) -DAS_WERROR=ON"
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# The suite under AddressSanitizer + UndefinedBehaviorSanitizer.
asan:
	AS_BROWSER_DEPS=1 bash scripts/setup-debian.sh
	cmake -S . -B build-asan -DAS_SANITIZE=ON -DAS_WERROR=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build build-asan -j $(JOBS)
	# alloc_dealloc_mismatch=0: Debian's KIM MEAM driver (C++, loaded by LAMMPS in the meam
	# oracle's worker, which inherits ASan) frees a new[] with delete; alloyscout is C and
	# allocates with malloc only, so the check has nothing of ours to find
	ASAN_OPTIONS=detect_leaks=1:alloc_dealloc_mismatch=0 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir build-asan --output-on-failure -j $(JOBS)

# Every build type with GCC and with clang, warnings as errors, each running the whole suite
# (issue 11): build-matrix/<compiler>-<type>. Slow (eight builds); CI runs clang Release.
MATRIX_TYPES ?= Debug Release RelWithDebInfo MinSizeRel
MATRIX_CC ?= gcc clang
matrix:
	set -e; for cc in $(MATRIX_CC); do for bt in $(MATRIX_TYPES); do \
	  d=build-matrix/$$cc-$$bt; echo "== $$cc $$bt"; \
	  CC=$$cc cmake -S . -B $$d -DCMAKE_BUILD_TYPE=$$bt -DAS_WERROR=ON >/dev/null; \
	  cmake --build $$d -j $(JOBS) >/dev/null; \
	  ctest --test-dir $$d --output-on-failure -j $(JOBS); \
	done; done

# Open-ended, coverage-guided fuzzing of the file readers with clang's libFuzzer (not part of
# `make check`, which replays the seed corpus plus seeded mutations). FUZZ_SECONDS per target;
# new inputs that reach new code go to build-fuzz/corpus-<target>/ (copy the telling ones to
# fuzz/corpus/<target>/), crashes to crash-* files in the current directory.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= csv poscar extxyz setfl formula gpmodel sro vary store
fuzz:
	CC=clang cmake -S . -B build-fuzz -DAS_LIBFUZZER=ON -DAS_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build-fuzz -j $(JOBS) --target $(addsuffix _libfuzzer,$(FUZZ_TARGETS))
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p build-fuzz/corpus-$$t; \
	  ./build-fuzz/$${t}_libfuzzer -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	    build-fuzz/corpus-$$t fuzz/corpus/$$t || exit 1; \
	done

clean:
	rm -rf $(BUILD) build-asan build-fuzz build-min build-matrix
