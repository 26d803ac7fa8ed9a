#!/usr/bin/env bash
# Fingerprints of random and targeted configurations (cells 1x1x1 to 3x3x3, cubic and tetragonal)
# against an independent numpy brute-force computation: tests/lattice/sro_ref.py.
# Skips (77) when numpy/ASE are absent. Args: $1 build dir, $2 source dir.
set -eu
PY=/usr/bin/python3
"$PY" -c "import ase, numpy" 2> /dev/null || { echo "numpy/ASE not installed: skip"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/lattice_sro.XXXXXX")
trap 'rm -rf "$T"' EXIT
"$PY" "$2/tests/lattice/sro_ref.py" "$1/alloyscout" "$T"
