#!/usr/bin/env bash
# Structure formats against ASE (Debian python3-ase): tests/lattice/ase_formats.py. Skips (77)
# when ASE is absent. Args: $1 build, $2 source.
set -eu
PY=/usr/bin/python3
"$PY" -c "import ase, numpy" 2> /dev/null || { echo "ASE not installed: skip"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/lattice_formats.XXXXXX")
trap 'rm -rf "$T"' EXIT
"$PY" "$2/tests/lattice/ase_formats.py" "$1/alloyscout" "$T"
