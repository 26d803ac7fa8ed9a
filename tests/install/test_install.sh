#!/usr/bin/env bash
# Install into a temporary prefix and use it as a user would (issue 11, items 4 and 5):
#  - the layout: program, shared + static liballoyscout (SONAME), public headers only,
#    alloyscout.pc (pkg-config --validate), the CMake package, data, man pages, bash completion;
#  - tests/install/consumer.c built with `pkg-config --cflags --libs alloyscout` (shared), with
#    `pkg-config --static` against liballoyscout.a, and with find_package(alloyscout) (shared and
#    static targets); each run trains workflow A through the public API (cross-validated AUC on
#    the shipped data > 0.6) and reads the EAM energy of fcc Cu, which must equal LAMMPS
#    (/usr/bin/lmp, pair_style eam/alloy on the setfl file the program writes) to 1e-8 eV;
#  - the installed program, with its prefix moved elsewhere and ALLOYSCOUT_DATA unset, finds its
#    data (demo --no-screen) and has no path of the build or source tree in it.
# Usage: test_install.sh BUILD_DIR SOURCE_DIR
set -u
build=$(cd "$1" && pwd); src=$(cd "$2" && pwd)
for tool in cc pkg-config cmake; do
  command -v $tool >/dev/null || { echo "SKIP: $tool not found"; exit 77; }
done
if grep -Eq '^AS_(SANITIZE|LIBFUZZER):BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
  # programs linked against a sanitized library need the sanitizer runtime first: make check
  # runs this test on the plain build
  echo "SKIP: sanitizer build"; exit 77
fi
. "$src/tests/cli/cli_lib.sh"
check() { local what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }
unset ALLOYSCOUT_DATA

P=$t/prefix
if ! cmake --install "$build" --prefix "$P" >"$t/install.log" 2>&1; then
  cat "$t/install.log"; echo "FAIL: cmake --install"; exit 1
fi
libdir=$(dirname "$(find "$P" -name alloyscout.pc)"); libdir=${libdir%/pkgconfig}
[ -d "$libdir" ] || { echo "FAIL: no alloyscout.pc installed"; exit 1; }

# ---- layout
for f in bin/alloyscout include/alloyscout/alloyscout.h include/alloyscout/core.h \
         include/alloyscout/synth.h share/alloyscout/mpea_synthesis.csv \
         share/alloyscout/elements.csv share/alloyscout/zhou2004_eam_params.tsv \
         share/man/man1/alloyscout.1 share/man/man1/alloyscout-synth.1 \
         share/man/man1/alloyscout-screen.1 share/bash-completion/completions/alloyscout; do
  check "installed $f" test -f "$P/$f"
done
for f in liballoyscout.a liballoyscout.so pkgconfig/alloyscout.pc cmake/alloyscout/alloyscoutConfig.cmake \
         cmake/alloyscout/alloyscoutConfigVersion.cmake cmake/alloyscout/alloyscoutTargets.cmake; do
  check "installed <libdir>/$f" test -e "$libdir/$f"
done
check "public headers only" test -z "$(ls "$P/include/alloyscout" | grep -v '^[a-z]*\.h$' ; ls "$P/include/alloyscout" | grep '_int\.h$')"
check "header count = include/alloyscout" test "$(ls "$P/include/alloyscout" | wc -l)" = "$(ls "$src/include/alloyscout" | wc -l)"
soname=$(readelf -d "$libdir/liballoyscout.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
check "SONAME liballoyscout.so.N ($soname)" test -n "$soname" -a -e "$libdir/$soname"
# only AS_API symbols (as_*) leave the shared library
other=$(nm -D --defined-only "$libdir/liballoyscout.so" | awk '$2 ~ /[TDBR]/ {print $3}' | grep -v '^as_' | grep -v '^_' | head -5)
check "shared library exports only as_* symbols (extra: $other)" test -z "$other"
check "pkg-config --validate" pkg-config --validate "$libdir/pkgconfig/alloyscout.pc"
export PKG_CONFIG_PATH=$libdir/pkgconfig
check "pkg-config --modversion" test "$(pkg-config --modversion alloyscout)" = "$(sed -n 's/^project(alloyscout VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")"
check "man page renders" sh -c "MANWIDTH=80 man -l '$P/share/man/man1/alloyscout.1' 2>&1 | grep -q 'alloyscout - machine-learning'"
check "man page of synth holds its --help" sh -c "MANWIDTH=100 man -l '$P/share/man/man1/alloyscout-synth.1' 2>/dev/null | grep -q -- '--val-fraction'"
check "bash completion completes commands" bash -c "source '$P/share/bash-completion/completions/alloyscout'; COMP_WORDS=('$P/bin/alloyscout' sy); COMP_CWORD=1; _alloyscout; [ \"\${COMPREPLY[*]}\" = synth ]"
check "bash completion completes options" bash -c "source '$P/share/bash-completion/completions/alloyscout'; COMP_WORDS=('$P/bin/alloyscout' synth cv --val); COMP_CWORD=3; _alloyscout; [ \"\${COMPREPLY[*]}\" = --val-fraction ]"

# ---- LAMMPS reference energy of the consumer's fcc Cu cell on the setfl file it writes
lammps_energy() { # DIR -> prints E or nothing
  [ -x /usr/bin/lmp ] || return 0
  cat > "$1/in.lmp" <<LMP
units metal
atom_style atomic
boundary p p p
read_data $1/cu.data
pair_style eam/alloy
pair_coeff * * $1/Cu.eam.alloy Cu
variable e equal pe
run 0
print "LMP_ENERGY \${e}"
LMP
  (cd "$1" && /usr/bin/lmp -in in.lmp -log none -screen "$1/lmp.out" >/dev/null 2>&1)
  sed -n 's/^LMP_ENERGY //p' "$1/lmp.out" | tail -1
}

# ---- run a consumer binary from its own directory, outside build tree and prefix
run_consumer() { # NAME BINARY
  local name=$1 bin=$2 d; d=$(dirname "$bin")
  if ! (cd "$d" && "$bin" "$d/Cu.eam.alloy" "$d/cu.data") >"$d/out.txt" 2>"$d/err.txt"; then
    bad "$name: consumer failed"; cat "$d/err.txt"; return
  fi
  ok
  local auc ez es el
  auc=$(awk '$1 == "auc" {print $2}' "$d/out.txt")
  ez=$(awk '$1 == "energy_zhou" {print $2}' "$d/out.txt")
  es=$(awk '$1 == "energy_setfl" {print $2}' "$d/out.txt")
  echo "$name: $(grep -E '^(data|rows|auc)' "$d/out.txt" | tr '\n' ' ') E(eam:Cu)=$ez E(eam:setfl)=$es"
  check "$name: data found in the installed prefix" grep -q "^data $P/share/alloyscout/mpea_synthesis.csv" "$d/out.txt"
  check "$name: cross-validated AUC $auc > 0.6" awk -v a="$auc" 'BEGIN { exit !(a > 0.6 && a <= 1) }'
  el=$(lammps_energy "$d")
  if [ -z "$el" ]; then
    if [ -x /usr/bin/lmp ]; then bad "$name: LAMMPS gave no energy"; cat "$d/lmp.out"; else echo "note: /usr/bin/lmp absent, LAMMPS comparison skipped"; fi
    return
  fi
  echo "$name: LAMMPS E=$el"
  check "$name: |E(eam:setfl) - E(LAMMPS)| < 1e-8 eV" awk -v a="$es" -v b="$el" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d < 1e-8) }'
  check "$name: |E(eam:Cu) - E(LAMMPS)| < 1e-8 eV" awk -v a="$ez" -v b="$el" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d < 1e-8) }'
}

# 1. pkg-config, shared library (the RPATH points at the prefix, not the build tree)
mkdir -p "$t/pc"
if cc -std=c11 -Wall -Wextra -Werror -o "$t/pc/consumer" "$src/tests/install/consumer.c" \
     $(pkg-config --cflags --libs alloyscout) -Wl,-rpath,"$(pkg-config --variable=libdir alloyscout)" 2>"$t/pc/cc.txt"; then
  ok
  check "pkg-config consumer loads the installed liballoyscout" sh -c "ldd '$t/pc/consumer' | grep liballoyscout | grep -q '$P'"
  run_consumer "pkg-config (shared)" "$t/pc/consumer"
else
  bad "cc with pkg-config --cflags --libs alloyscout"; cat "$t/pc/cc.txt"
fi
# 2. pkg-config --static against liballoyscout.a (Requires.private / Libs.private)
mkdir -p "$t/pcs"
static_libs=$(pkg-config --static --libs alloyscout | sed "s#-lalloyscout#$libdir/liballoyscout.a#")
if cc -std=c11 -o "$t/pcs/consumer" "$src/tests/install/consumer.c" $(pkg-config --cflags alloyscout) \
     $static_libs 2>"$t/pcs/cc.txt"; then
  ok
  check "static consumer does not load liballoyscout.so" sh -c "! ldd '$t/pcs/consumer' | grep -q liballoyscout"
  # a program outside any prefix, linked statically: ALLOYSCOUT_DATA tells it where the data are
  ALLOYSCOUT_DATA=$P/share/alloyscout run_consumer "pkg-config --static" "$t/pcs/consumer"
else
  bad "cc with pkg-config --static --libs alloyscout"; cat "$t/pcs/cc.txt"
fi
# 3. find_package(alloyscout): alloyscout::alloyscout and alloyscout::alloyscout_static
mkdir -p "$t/cm"
if cmake -S "$src/tests/install" -B "$t/cm" -DCMAKE_PREFIX_PATH="$P" -DCMAKE_BUILD_TYPE=Release \
     >"$t/cm/configure.txt" 2>&1 && cmake --build "$t/cm" >"$t/cm/build.txt" 2>&1; then
  ok
  check "find_package: alloyscout_DATA_DIR is the prefix's" grep -qx "$P/share/alloyscout" "$t/cm/data_dir.txt"
  mkdir -p "$t/cm/shared" "$t/cm/static"
  cp "$t/cm/consumer" "$t/cm/shared/"; cp "$t/cm/consumer_static" "$t/cm/static/consumer"
  run_consumer "find_package (shared)" "$t/cm/shared/consumer"
  # the static one finds the data through its own directory: put it in a prefix of its own
  mkdir -p "$t/cm/static/bin"; mv "$t/cm/static/consumer" "$t/cm/static/bin/"
  mkdir -p "$t/cm/static/share"; ln -s "$P/share/alloyscout" "$t/cm/static/share/alloyscout"
  run_consumer "find_package (static)" "$t/cm/static/bin/consumer"
else
  bad "find_package project"; cat "$t/cm/configure.txt" "$t/cm/build.txt" 2>/dev/null | tail -30
fi

# ---- the installed program, its prefix moved: data found relative to the prefix
check "installed RUNPATH is \$ORIGIN-relative" sh -c "readelf -d '$P/bin/alloyscout' | grep -E 'RUNPATH|RPATH' | grep -q '\\\$ORIGIN/\\.\\./'"
for f in "$P/bin/alloyscout" "$libdir/liballoyscout.so"; do
  objcopy -O binary --only-section=.rodata "$f" "$t/rodata.bin" 2>/dev/null
  tr '\0' '\n' < "$t/rodata.bin" | grep -aF -e "$src" -e "$build" > "$t/paths.txt"
  check "no build/source path in $(basename "$f") ($(head -c 200 "$t/paths.txt"))" test ! -s "$t/paths.txt"
done
Q=$t/moved/prefix; mkdir -p "$t/moved"; mv "$P" "$Q"
check "moved program runs (--version)" "$Q/bin/alloyscout" --version
check "moved program loads the moved library" sh -c "ldd '$Q/bin/alloyscout' | grep liballoyscout | grep -q '$Q'"
mkdir -p "$t/run"
if (cd "$t/run" && "$Q/bin/alloyscout" demo --no-screen --quiet --out "$t/run/demo" >"$t/run/out.txt" 2>"$t/run/err.txt"); then
  ok
  check "demo used the moved prefix's data" grep -q "on $Q/share/alloyscout/mpea_synthesis.csv" "$t/run/out.txt"
  check "demo wrote its results" test -s "$t/run/demo/synth_model.json"
else
  if grep -q "built without cairo" "$t/run/err.txt"; then echo "note: built without cairo, demo skipped"
  else bad "installed demo --no-screen"; cat "$t/run/err.txt"; fi
fi
# a clear message listing the places tried when the data are not there
rm -rf "$Q/share/alloyscout"
(cd "$t/run" && "$Q/bin/alloyscout" demo --no-screen --out "$t/run/demo2") >/dev/null 2>"$t/run/err2.txt"
cat "$t/run/err2.txt"
check "missing data: message names the file and the places tried" sh -c "grep -q \"data file 'mpea_synthesis.csv' not found; tried:\" '$t/run/err2.txt' && grep -q 'share/alloyscout/mpea_synthesis.csv (program prefix)' '$t/run/err2.txt' && grep -q ALLOYSCOUT_DATA '$t/run/err2.txt'"
check "missing data: no output directory left" test ! -e "$t/run/demo2"

echo "install: $pass passed, $fail failed"
[ $fail -eq 0 ]
