#!/bin/bash
# Benchmark 9 (first half): alloyscout GPR vs scikit-learn, same data, same run.
# usage: bench/run_gp.sh [BUILD_DIR] ; env: BENCH_GP_BIN (prebuilt binary, skips the build), SIZES="100 300 1000 3000", RESTARTS=50, D=10, M=4000
# Builds bench_gp in BUILD_DIR (default build), writes data to a temp dir, runs both on each n,
# prints a table with time ratios (peer/ours = speed-up) and both LMLs.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
SIZES=${SIZES:-"100 300 1000 3000"}
RESTARTS=${RESTARTS:-50}
D=${D:-10}
M=${M:-4000}
BIN=${BENCH_GP_BIN:-$BUILD/bench_gp}
if [ -z "${BENCH_GP_BIN:-}" ]; then
  cmake -S "$SRC" -B "$BUILD" >/dev/null
  cmake --build "$BUILD" --target bench_gp -j2 >/dev/null
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
printf "%6s %3s %4s | %9s %9s %9s | %9s %9s %9s | %7s | %16s %16s | %6s %6s\n" n d rst ours_fit ours_pred \
  ours_tot sk_fit sk_pred sk_tot speedup lml_ours lml_sklearn ev_our ev_sk
for n in $SIZES; do
  /usr/bin/python3 - "$n" "$D" "$M" "$TMP/data_$n.txt" <<'PY'
import sys, numpy as np
n, d, m, path = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rng = np.random.default_rng(9000 + n)
a = rng.uniform(0.5, 1.5, d); b = rng.uniform(0.3, 1.2, d)
def f(x): return (a * np.sin(b * x)).sum(axis=1) + 0.3 * x[:, 0] * x[:, 1]
x = rng.normal(size=(n, d)); y = f(x) + 0.05 * rng.normal(size=n)
xq = rng.normal(size=(m, d))
with open(path, "w") as o:
    o.write("%d %d\n" % (n, d))
    for xi, yi in zip(x, y): o.write(" ".join("%.17g" % v for v in xi) + " %.17g\n" % yi)
    o.write("%d\n" % m)
    for xi in xq: o.write(" ".join("%.17g" % v for v in xi) + "\n")
PY
  ours=$("$BIN" "$TMP/data_$n.txt" "$RESTARTS" 1)
  peer=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 "$SRC/bench/peer_gp.py" \
         "$TMP/data_$n.txt" "$RESTARTS" 1)
  read -r _ _ _ of op ol _ _ oe <<<"$ours"
  read -r _ _ _ pf pp pl _ _ pe <<<"$peer"
  awk -v n="$n" -v d="$D" -v r="$RESTARTS" -v of="$of" -v op="$op" -v ol="$ol" -v pf="$pf" \
      -v pp="$pp" -v pl="$pl" -v oe="$oe" -v pe="$pe" 'BEGIN { ot = of + op; pt = pf + pp;
      printf "%6d %3d %4d | %9.3f %9.3f %9.3f | %9.3f %9.3f %9.3f | %6.1fx | %16.6f %16.6f | %6d %6d\n",
             n, d, r, of, op, ot, pf, pp, pt, pt / ot, ol, pl, oe, pe }'
done
