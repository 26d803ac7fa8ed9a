# Convenience wrapper around CMake; see README.md.
BUILD ?= build
JOBS ?= 2

.PHONY: all deps build demo check asan bench clean
all: build

deps:
	bash scripts/setup-debian.sh

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

# First README command: dependencies, build, and the main job on the shipped data.
demo: deps build
	./$(BUILD)/alloyscout demo

# Second README command: every test (the report test needs Chromium).
check:
	AS_BROWSER_DEPS=1 bash scripts/setup-debian.sh
	$(MAKE) build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# The suite under AddressSanitizer + UndefinedBehaviorSanitizer.
asan:
	AS_BROWSER_DEPS=1 bash scripts/setup-debian.sh
	cmake -S . -B build-asan -DAS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build build-asan -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir build-asan --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD) build-asan
