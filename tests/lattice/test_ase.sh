#!/usr/bin/env bash
# ASE (Debian python3-ase) reads alloyscout's extended XYZ / POSCAR files and alloyscout reads
# ASE's: see tests/lattice/ase_check.py. Skips (77) when ASE is absent. Args: $1 build, $2 source.
set -eu
PY=/usr/bin/python3
"$PY" -c "import ase, numpy" 2> /dev/null || { echo "ASE not installed: skip"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/lattice_ase.XXXXXX")
trap 'rm -rf "$T"' EXIT
"$PY" "$2/tests/lattice/ase_check.py" "$1/alloyscout" "$T"
