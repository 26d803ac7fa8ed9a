#!/usr/bin/env bash
# The worked example of docs/byod.md ("bring your own DFT data"), command for command: features
# of the shipped EAM-labelled Cu-Ni set, gpr cv, gpr fit, features of 8 new structures, gpr
# predict; then tests/lattice/byod_check.py checks the features against ASE neighbour lists and
# the errors against the spread of the targets. examples/make_cuni_set.sh must remake the shipped
# files (structures to 1e-6 Å,
# energies to 1e-8 eV). Skips (77) without numpy/ASE. Args: $1 build dir, $2 source dir.
set -eu
PY=/usr/bin/python3
"$PY" -c "import ase, numpy" 2> /dev/null || { echo "numpy/ASE not installed: skip"; exit 77; }
B=$(cd "$1" && pwd)
S=$(cd "$2" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/byod.XXXXXX")
trap 'rm -rf "$T"' EXIT
export PATH="$B:$PATH"
cd "$T"
ln -s "$S/data" data
# --- the commands of docs/byod.md ---
alloyscout lattice features data/examples/cuni_labelled.extxyz --out cuni_features.csv
alloyscout gpr cv --data cuni_features.csv --target mixing_energy --features 'c_*,bondfrac*,pcf*' \
    --folds 5 --seed 1 --json cuni_cv.json
alloyscout gpr fit --data cuni_features.csv --target mixing_energy --features 'c_*,bondfrac*,pcf*' \
    --seed 1 --model cuni_gpr.json
alloyscout lattice features data/examples/cuni_new.extxyz --out new_features.csv
alloyscout gpr predict --model cuni_gpr.json --data new_features.csv --out new_predictions.csv
# --- end ---
PYTHONPATH="$S/tests/lattice" "$PY" "$S/tests/lattice/byod_check.py" "$S" "$T"
bash "$S/examples/make_cuni_set.sh" "$B" "$T/remade" > /dev/null
for f in cuni_labelled cuni_new; do   # same structures and energies (to 1e-8: libm may differ)
    "$PY" - "$T/remade/$f.extxyz" "$S/data/examples/$f.extxyz" <<'PY'
import sys
import numpy as np
from ase.io import read
a, b = read(sys.argv[1], index=":"), read(sys.argv[2], index=":")
assert len(a) == len(b), (len(a), len(b))
for x, y in zip(a, b):
    assert x.get_chemical_symbols() == y.get_chemical_symbols()
    assert np.allclose(x.cell.array, y.cell.array, atol=1e-8)
    assert np.allclose(x.positions, y.positions, atol=1e-6)
    assert abs(x.info["mixing_energy"] - y.info["mixing_energy"]) < 1e-8
PY
done
echo "byod example: all checks passed"
