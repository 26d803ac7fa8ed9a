#!/usr/bin/env bash
# 'lattice features' on fcc cells of any shape (primitive, cubic, random supercell matrices,
# rotated, left-handed, atoms outside the cell, 1-atom cells) against an independent ASE
# neighbour-list computation: tests/lattice/fcc_ref.py. Skips (77) without numpy/ASE.
# Args: $1 build dir, $2 source dir.
set -eu
PY=/usr/bin/python3
"$PY" -c "import ase, numpy" 2> /dev/null || { echo "numpy/ASE not installed: skip"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/lattice_fcc.XXXXXX")
trap 'rm -rf "$T"' EXIT
"$PY" "$2/tests/lattice/fcc_ref.py" "$1/alloyscout" "$T"
