#!/bin/bash
# PtCo and Pt2CoM (M = Cu, Ni, Ti, Fe) ordering energies per oracle (issue 18, item 7), model-free:
# `alloyscout screen --validate` labels the n-ordered Pt-ordered and n-random random 108-atom
# configurations directly with the oracle (relaxed, at the oracle's own lattice constants) and
# reports E_order = <E_random> - <E_ordered> with its standard error (ordering_energy_direct_*),
# next to the GP surrogate's value. Small learning settings (1 round): only the direct average
# over 10 + 10 configurations is used. Prints a table; the paper's DFT (seed 004, Results, Fig. 2c):
# PtCo 0.054, Pt2CoCu 0.050 eV/atom; Ni, Ti (and Ga) order more than PtCo, Fe (and Mn) less.
# Usage: bench/oracles/ordering.sh BUILD ORACLE [OUTDIR]
set -eu
B="$1"; OR="$2"; O="${3:-$(mktemp -d)}"; mkdir -p "$O"
tag=$(echo "$OR" | tr ':,=' '___')
rm -f "$O/screen_$tag.sqlite"*
t0=$(date +%s)
"$B/alloyscout" screen --candidates Cu,Ni,Ti,Fe --oracle "$OR" --rounds 1 --chains 3 --steps 10 \
    --per-round 3 --n-ordered 10 --n-random 10 --n-across 20 --restarts 2 --validate 16 \
    --no-random-baseline --seed 1 --db "$O/screen_$tag.sqlite" --json "$O/screen_$tag.json" \
    --quiet > "$O/screen_$tag.txt"
echo "oracle $OR: screen in $(( $(date +%s) - t0 )) s wall"
/usr/bin/python3 - "$O/screen_$tag.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
sy = {s["system"]: s for s in j["systems"]}
ref = sy["PtCo"]["ordering_energy_direct_ev_atom"]
paper = {"Pt2CoCu": "lower", "Pt2CoNi": "higher", "Pt2CoTi": "higher", "Pt2CoFe": "lower"}
for name in ("PtCo", "Pt2CoCu", "Pt2CoNi", "Pt2CoTi", "Pt2CoFe"):
    s = sy[name]
    e, se = s["ordering_energy_direct_ev_atom"], s["ordering_energy_direct_se"]
    line = "  %-8s E_order %.4f +- %.4f eV/atom (GP %.4f)" % (name, e, se, s["ordering_energy_ev_atom"])
    if name in paper:
        d = e - ref
        se_d = (se ** 2 + sy["PtCo"]["ordering_energy_direct_se"] ** 2) ** 0.5
        trend = "higher" if d > 0 else "lower"
        verdict = ("as DFT" if trend == paper[name] else "NOT as DFT") if abs(d) > 2 * se_d \
            else "not resolved (|d| < 2 se)"
        line += "  vs PtCo %+.4f +- %.4f: %s (DFT %s) -> %s" % (d, se_d, trend, paper[name], verdict)
    print(line)
PY
