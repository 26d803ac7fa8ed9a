#!/usr/bin/env bash
# Benchmark 12a: SMOTE (k = 5) + Tomek links ('all') on make_classification data, d = 15, 10 %
# minority; alloyscout (bench_resample) vs imbalanced-learn SMOTETomek (bench/peer_resample.py),
# same data files, run one after the other for each size.
#
#   bench/run_resample.sh [BUILD_DIR] [N ...]      (default: build, sizes 1000 10000 100000)
#
# Before timing, bench_resample checks the k-d tree against brute force and, for n <= 1e4, that
# our Tomek links on the original data remove exactly the rows imblearn's TomekLinks removes.
# Peak memory: max RSS of each whole process from /usr/bin/time -v.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
shift || true
SIZES=${*:-1000 10000 100000}
DATA=${AS_BENCH_DATA:-$BUILD/bench-resample-data}
SEED=12
PY="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3"
mkdir -p "$DATA"
cmake -S "$ROOT" -B "$BUILD" >/dev/null
cmake --build "$BUILD" --target bench_resample -j2 >/dev/null

echo "# peer BLAS:" $($PY -c 'from threadpoolctl import threadpool_info; import numpy; print(sorted({p["internal_api"] for p in threadpool_info()}))')
echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| n | n_out ours / peer | ours wall s | peer wall s | ours cpu s | peer cpu s | ours/peer wall | speed-up (cpu) | ours max RSS MB | peer max RSS MB |\n'
printf '|---|---|---|---|---|---|---|---|---|---|\n'
for n in $SIZES; do
    f="$DATA/resample_n${n}_s${SEED}.bin"
    [ -f "$f" ] || $PY "$ROOT/bench/peer_resample.py" gen "$n" "$SEED" "$f"
    check=()
    if [ "$n" -le 10000 ]; then
        $PY "$ROOT/bench/peer_resample.py" tomek "$f" "$f.tomek.txt"
        check=(--check-tomek "$f.tomek.txt")
    fi
    ours=$(/usr/bin/time -v -o "$DATA/time_ours.txt" "$BUILD/bench_resample" "$f" "${check[@]}" --seed 2385)
    peer=$(/usr/bin/time -v -o "$DATA/time_peer.txt" $PY "$ROOT/bench/peer_resample.py" run "$f" 2385)
    rss_o=$(awk -F: '/Maximum resident/ {print $2/1024}' "$DATA/time_ours.txt")
    rss_p=$(awk -F: '/Maximum resident/ {print $2/1024}' "$DATA/time_peer.txt")
    /usr/bin/python3 - "$n" "$ours" "$peer" "$rss_o" "$rss_p" <<'EOF'
import json, sys
n, o, p, ro, rp = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
print(f"| {n} | {o['n_out']} / {p['n_out']} | {o['seconds']:.3f} | {p['seconds']:.3f} | "
      f"{o['cpu_seconds']:.3f} | {p['cpu_seconds']:.3f} | {o['seconds'] / p['seconds']:.3f} | "
      f"{p['cpu_seconds'] / o['cpu_seconds']:.1f}x | {ro:.1f} | {rp:.1f} |")
EOF
done
