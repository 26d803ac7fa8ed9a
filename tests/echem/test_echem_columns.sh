#!/usr/bin/env bash
# echem: input columns pass through, assumptions stated, implausible values warned once per
# column: tests/echem/echem_columns_check.py. Args: $1 build, $2 source.
set -eu
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "no python3: skip"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/echem_columns.XXXXXX")
trap 'rm -rf "$T"' EXIT
"$PY" "$2/tests/echem/echem_columns_check.py" "$1/alloyscout" "$T"
