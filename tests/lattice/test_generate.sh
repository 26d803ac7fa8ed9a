#!/usr/bin/env bash
# 'lattice generate' on compositions, fcc supercell matrices and several targets, the
# reachable-range refusal and the adapted paper set, every alpha recomputed with ASE's
# neighbour list: tests/lattice/generate_ref.py. Skips (77) without numpy/ASE.
# Args: $1 build dir, $2 source dir.
set -eu
PY=/usr/bin/python3
"$PY" -c "import ase, numpy" 2> /dev/null || { echo "numpy/ASE not installed: skip"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/lattice_gen.XXXXXX")
trap 'rm -rf "$T"' EXIT
"$PY" "$2/tests/lattice/generate_ref.py" "$1/alloyscout" "$T"
