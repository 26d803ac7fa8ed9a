#!/usr/bin/env bash
# Lattice benchmark: alloyscout's Monte Carlo swaps and fingerprints (bench/bench_lattice.c)
# beside a straightforward numpy implementation of the same work (bench/peer_lattice.py), in the
# same run. Prints a table with the ratio ours/peer (rates: higher is better).
# usage: bench/run_lattice.sh [build dir, default build] [seconds per measurement, default 2]
set -euo pipefail
SRC="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${1:-$SRC/build}"
SECS="${2:-2}"
BIN="${BENCH_BIN:-$BUILD/bench_lattice}"
if [ -z "${BENCH_BIN:-}" ]; then
    cmake -S "$SRC" -B "$BUILD" > /dev/null
    cmake --build "$BUILD" -j2 --target bench_lattice > /dev/null
fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
"$BIN" "$SECS" > "$OUT/ours.txt"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 "$SRC/bench/peer_lattice.py" "$SECS" \
    > "$OUT/peer.txt"
grep '^#' "$OUT/peer.txt" || true
get() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
printf '%-34s %14s %14s %10s\n' "measure" "alloyscout" "numpy peer" "ours/peer"
for k in swap108_swaps_per_s swap131072_swaps_per_s fp108_per_s; do
    o=$(get "$OUT/ours.txt" $k); p=$(get "$OUT/peer.txt" $k)
    printf '%-34s %14.4g %14.4g %10.1f\n' "$k" "$o" "$p" "$(awk -v o="$o" -v p="$p" 'BEGIN { print o / p }')"
done
o=$(get "$OUT/ours.txt" fp108_us); p=$(get "$OUT/peer.txt" fp108_us)
printf '%-34s %14.4g %14.4g %10.3f\n' "fp108_us (lower is better)" "$o" "$p" "$(awk -v o="$o" -v p="$p" 'BEGIN { print o / p }')"
echo "targets: swap108 >= 1e7/s, swap131072 >= 1e6/s, fp108 < 5 us (CPU time)"
echo "wall-clock (shared machine): swap108 $(get "$OUT/ours.txt" swap108_swaps_per_s_wall)/s," \
     "swap131072 $(get "$OUT/ours.txt" swap131072_swaps_per_s_wall)/s," \
     "fp108 $(get "$OUT/ours.txt" fp108_us_wall) us"
