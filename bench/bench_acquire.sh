#!/bin/bash
# Benchmark of the acquisition rules (issue 14): labels needed for a 95 % interval of the ordering
# energy within +-TARGET eV/atom, and whether that interval covers the truth.
# usage: bench/bench_acquire.sh [BUILD_DIR]
# env: SEEDS="1 2 3" RULES="sigma random qoi" TARGET=0.002 ROUNDS=25 RESTARTS=5 OUT=DIR
#      ALLOYSCOUT_BIN (a copy of the program, so a rebuild during the run does not change it)
# For each seed and rule: alloyscout screen --candidates Cu,Ni (PtCo, Pt2CoCu, Pt2CoNi) with the
# shipped eam oracle, --acquire RULE --target-ci TARGET --validate 1 (the direct oracle average
# over the same 300 + 300 ordered and random configurations is the truth: affordable with EAM).
# The labels of a seed are shared between its rules (the label store of the first rule's run is
# copied without its campaign rows), so the direct averages are computed once per seed; results
# do not depend on this (a label's key is its structure and method). Prints one table per
# system and rule: runs that reached the target, labels used (mean, min-max), |E_order - truth|
# (mean, max) and how often the truth lies inside the reported interval (all seeds in OUT).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
SEEDS=${SEEDS-"1 2 3"}  # SEEDS="" OUT=DIR: only the table of the runs in DIR
RULES=${RULES:-"sigma random qoi"}
TARGET=${TARGET:-0.002}
ROUNDS=${ROUNDS:-25}
RESTARTS=${RESTARTS:-5}
OUT=${OUT:-$(mktemp -d)}
A=${ALLOYSCOUT_BIN:-$BUILD/alloyscout}
[ -x "$A" ] || { cmake -S "$SRC" -B "$BUILD" > /dev/null; cmake --build "$BUILD" -j2 > /dev/null; }
mkdir -p "$OUT"
echo "# bench_acquire: seeds [$SEEDS], rules [$RULES], target +-$TARGET eV/atom, rounds <= $ROUNDS, restarts $RESTARTS, out $OUT"
for seed in $SEEDS; do
  first=""
  for rule in $RULES; do
    db="$OUT/${rule}_s$seed.sqlite"
    rm -f "$db" "$db-wal" "$db-shm"
    if [ -n "$first" ]; then
      sqlite3 "$first" "VACUUM INTO '$db'"
      sqlite3 "$db" "DELETE FROM campaign_meta; DELETE FROM campaign_record;"
    fi
    t0=$(date +%s)
    "$A" screen --candidates Cu,Ni --seed "$seed" --acquire "$rule" --target-ci "$TARGET" \
      --rounds "$ROUNDS" --restarts "$RESTARTS" --no-random-baseline --validate 1 \
      --db "$db" --json "$OUT/${rule}_s$seed.json" --quiet > "$OUT/${rule}_s$seed.txt" \
      2> "$OUT/${rule}_s$seed.err"
    echo "# seed $seed $rule: $(( $(date +%s) - t0 )) s"
    [ -n "$first" ] || first="$db"
  done
done
/usr/bin/python3 - "$OUT" "$TARGET" $RULES <<'PY'
import glob, json, os, sys
out, target, rules = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
rows = {}
for path in sorted(glob.glob(os.path.join(out, "*_s*.json"))):
    rule, seed = os.path.basename(path)[:-5].rsplit("_s", 1)
    for s in json.load(open(path))["systems"]:
        if not s.get("stable"):
            continue
        e, ci = s["ordering_energy_ev_atom"], s["ordering_energy_ci95"]
        truth = s["ordering_energy_direct_ev_atom"]
        rows.setdefault((s["system"], rule), []).append(
            (int(seed), s["labels_used"], s["stop_reason"] == "target_ci", abs(e - truth),
             abs(e - truth) <= ci, ci))
print("labels: of the active-learning set when the system stopped (a run that never met the")
print("target stopped at --rounds: its count is a lower bound); covered: |E_order - direct| <= ci95")
print("%-8s %-6s %4s %7s %11s %10s %9s %11s %9s %9s %8s" % (
    "system", "rule", "runs", "reached", "labels mean", "(reached)", "min-max", "|err| mean",
    "|err|max", "ci95 mean", "covered"))
for system in ("PtCo", "Pt2CoCu", "Pt2CoNi", "all"):
    for rule in rules:
        r = [x for (sy, ru), v in rows.items() if ru == rule and (sy == system or system == "all")
             for x in v]
        if not r:
            continue
        lab = [x[1] for x in r]
        reached = [x[1] for x in r if x[2]]
        err = [x[3] for x in r]
        print("%-8s %-6s %4d %7d %11.1f %10s %4d-%-4d %11.5f %9.5f %9.5f %5d/%-3d" % (
            system, rule, len(r), len(reached), sum(lab) / len(lab),
            "%.1f" % (sum(reached) / len(reached)) if reached else "-", min(lab), max(lab),
            sum(err) / len(err), max(err), sum(x[5] for x in r) / len(r), sum(x[4] for x in r),
            len(r)))
PY
