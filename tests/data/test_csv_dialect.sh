#!/usr/bin/env bash
# CSV delimiter detection, --delimiter, --encoding, UTF-8 validation and standard streams
# against Python's csv module: tests/data/csv_dialect_check.py. Args: $1 build, $2 source.
set -eu
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "no python3: skip"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/csv_dialect.XXXXXX")
trap 'rm -rf "$T"' EXIT
"$PY" "$2/tests/data/csv_dialect_check.py" "$1/alloyscout" "$T"
