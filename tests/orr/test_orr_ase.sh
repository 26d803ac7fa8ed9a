#!/usr/bin/env bash
# alloyscout orr with ase:emt against the same slabs and adsorbates built and relaxed directly
# in ASE (tests/orr/orr_ase_ref.py: fcc111, add_adsorbate, FixAtoms, FIRE and BFGS to the same
# fmax): pure Pt(111) and a Pt shell on a Cu core; adsorption energies within 5e-3 eV, the same
# lowest site, the core lattice constant within 1e-3 Å of a golden-section search in ASE. Then
# the CLI's refusals. usage: test_orr_ase.sh BUILD_DIR SOURCE_DIR
set -u
b=${1:?build dir}; src=${2:?source dir}
py=/usr/bin/python3
$py -c 'import ase.calculators.emt' 2>/dev/null || { echo "skipped: no python3-ase"; exit 77; }
export ALLOYSCOUT_PYTHON=$py
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
fail=0
for core in Pt Cu; do
  if ! "$b/alloyscout" orr --oracle ase:emt --host $core --fmax 0.01 --json "$t/$core.json" --quiet; then
    echo "FAIL: orr --host $core"; fail=1; continue
  fi
  for opt in FIRE BFGS; do
    [ $core = Cu ] && [ $opt = BFGS ] && continue
    echo "== core $core, ASE $opt"
    $py "$src/tests/orr/orr_ase_ref.py" "$t/$core.json" $core $opt || { echo "FAIL: $core $opt"; fail=1; }
  done
done
# an in-plane cell that breaks the L1_0 order: a clear error, exit 1, no JSON
if "$b/alloyscout" orr --oracle ase:emt --host Pt,Cu --size 1x1 --json "$t/bad.json" >"$t/out" 2>&1; then
  echo "FAIL: 1x1 on L1_0 accepted"; fail=1
fi
grep -q "not commensurate" "$t/out" || { echo "FAIL: no commensurability message"; cat "$t/out"; fail=1; }
[ -e "$t/bad.json" ] && { echo "FAIL: JSON written for a failed run"; fail=1; }
"$b/alloyscout" orr --size 2 >/dev/null 2>&1; [ $? = 2 ] || { echo "FAIL: --size 2 not a usage error"; fail=1; }
"$b/alloyscout" orr --oracle eam --host Pt >"$t/out" 2>&1 && { echo "FAIL: eam (no O, H) accepted"; fail=1; }
grep -q "does not cover" "$t/out" || { echo "FAIL: eam message"; cat "$t/out"; fail=1; }
"$b/alloyscout" orr --help | grep -q "usage: alloyscout orr" || { echo "FAIL: --help"; fail=1; }
"$b/alloyscout" help | grep -q "^  orr " || { echo "FAIL: orr not in alloyscout help"; fail=1; }
if [ $fail = 0 ]; then echo "orr/ase: 1 passed, 0 failed"; else echo "orr/ase: 0 passed, 1 failed"; fi
exit $fail
