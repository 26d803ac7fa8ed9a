#!/bin/bash
# Seconds per label of each oracle (issue 18, item 7): `alloyscout energy --relax` (FIRE to
# 0.03 eV/Å at fixed cell) over 8 random 108-atom cells (3x3x3 conventional fcc, seeds 1-8):
# Pt2CoCu at a = 3.80 Å for eam and meam, Ag0.5Pd0.5 at a = 3.99 Å for eam and ase:emt (EMT has
# no Co). Wall time of the whole command divided by 8 (worker start-up included).
# Usage: bench/oracles/label_cost.sh BUILD [OUTDIR]
set -eu
B="$1"; O="${2:-$(mktemp -d)}"; mkdir -p "$O"
/usr/bin/python3 - "$O" <<'PY'
import sys
import numpy as np
from ase.build import bulk
def frames(path, a, comp):
    with open(path, "w") as f:
        for seed in range(1, 9):
            c = bulk("Pt", "fcc", a=a, cubic=True).repeat((3, 3, 3))
            sym = np.array(sum(([el] * n for el, n in comp), []))
            np.random.default_rng(seed).shuffle(sym)
            f.write("108\nLattice=\"%r 0 0 0 %r 0 0 0 %r\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\n" % (3 * a, 3 * a, 3 * a))
            for s, p in zip(sym, c.positions):
                f.write("%s %r %r %r\n" % (s, *map(float, p)))
frames(sys.argv[1] + "/pt2cocu.extxyz", 3.80, [("Pt", 54), ("Co", 27), ("Cu", 27)])
frames(sys.argv[1] + "/agpd.extxyz", 3.99, [("Ag", 54), ("Pd", 54)])
PY
for run in "eam pt2cocu" "meam pt2cocu" "eam agpd" "ase:emt agpd"; do
    set -- $run
    t0=$(date +%s.%N)
    "$B/alloyscout" energy --quiet --relax --oracle "$1" "$O/$2.extxyz" > "$O/cost_$1_$2.txt"
    t1=$(date +%s.%N)
    printf '%-8s %-8s 8 labels (108 atoms, relaxed): %.3f s per label\n' "$1" "$2" \
        "$(echo "($t1 - $t0) / 8" | bc -l)"
done
