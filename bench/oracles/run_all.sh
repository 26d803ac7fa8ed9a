#!/bin/bash
# The oracle comparison of docs/oracles.md (issue 18, item 7), every number of its table:
#   ordering energies and trends (eam, meam), Ag-Pd mixing energies (eam, ase:emt; ase:gpaw with
#   AS_BENCH_GPAW=1), seconds per label, and (AS_BENCH_GPAW=1) one ase:gpaw label of a 4-atom
#   L1_0 PtCo cell at lowered settings (PW 300 eV, 4x4x4 k, spin-polarised).
# Usage: bench/oracles/run_all.sh BUILD [OUTDIR]     (5-10 min; with AS_BENCH_GPAW=1 +15-20 min)
set -eu
B="$1"; O="${2:-bench/results/oracles}"; H="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$O"
for o in eam meam; do bash "$H/ordering.sh" "$B" "$o" "$O"; done
for o in eam ase:emt; do /usr/bin/python3 "$H/agpd_mixing.py" "$B" "$o" --out "$O"; done
bash "$H/label_cost.sh" "$B" "$O"
if [ "${AS_BENCH_GPAW:-0}" = 1 ]; then
    /usr/bin/python3 "$H/agpd_mixing.py" "$B" ase:gpaw:ecut=300,kdens=3 --small --out "$O"
    t0=$(date +%s.%N)
    "$B/alloyscout" energy --timeout 900 --oracle ase:gpaw:ecut=300,kpts=4x4x4 \
        "$H/ptco_l10_4atom.extxyz"
    echo "ase:gpaw 4-atom L1_0 PtCo (PW 300 eV, 4x4x4 k, spin): $(echo "$(date +%s.%N) - $t0" | bc) s wall"
fi
