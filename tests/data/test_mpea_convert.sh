#!/bin/bash
# scripts/convert_mpea.py reproduces the shipped data/mpea_synthesis.csv and
# data/MPEA_ATTRIBUTION.md byte for byte from data/MPEA_dataset.csv.
# Args: $1 build dir, $2 source dir. Exit 77 (skip) without /usr/bin/python3.
set -eu
src=$2
[ -x /usr/bin/python3 ] || exit 77
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
/usr/bin/python3 "$src/scripts/convert_mpea.py" --input "$src/data/MPEA_dataset.csv" --outdir "$out" >/dev/null
cmp "$out/mpea_synthesis.csv" "$src/data/mpea_synthesis.csv"
cmp "$out/MPEA_ATTRIBUTION.md" "$src/data/MPEA_ATTRIBUTION.md"
echo "convert_mpea.py reproduces the shipped files"
