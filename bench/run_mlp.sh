#!/usr/bin/env bash
# Benchmark 12b: MLP training (hidden 64,32, batch 16, Adam lr 1e-3, 50 epochs, no early
# stopping) at n = 100 and n = 20000, d = 15, alloyscout (bench_mlp) vs PyTorch (peer_mlp.py) on
# the same data file in the same run. The peer runs in three forms: the tutorial DataLoader loop
# in float32 (PyTorch's default), a leaner randperm/slicing loop in float32, and that loop in
# float64 (alloyscout's precision). Ratio = ours / peer time (below 1: we are faster).
# Usage: bench/run_mlp.sh [build-dir]   (first: cmake --build <build-dir> --target bench_mlp)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); root=$(dirname "$here"); build=${1:-$root/build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
PY="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3"
EPOCHS=50
[ -x "$build/bench_mlp" ] || { echo "run_mlp.sh: build $build/bench_mlp first" >&2; exit 1; }
$PY "$here/peer_mlp.py" gen 20000 2385 "$tmp/d.bin"
$PY -c 'import threadpoolctl, numpy, torch; [print("peer BLAS:", i["internal_api"], i.get("num_threads")) for i in threadpoolctl.threadpool_info()]; print("torch", torch.__version__, "get_num_threads()", torch.get_num_threads())'
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
field() { $PY -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
printf "%-6s %-26s %10s %12s %11s %12s\n" n implementation seconds final_loss peak_rss_kb ours/peer
for n in 100 20000; do
  reps=$([ "$n" -le 1000 ] && echo 7 || echo 1)
  ours=$("$build/bench_mlp" "$tmp/d.bin" $n $EPOCHS $reps)
  os=$(field "$ours" seconds)
  printf "%-6s %-26s %10.4f %12.6f %11s %12s\n" $n "alloyscout (float64)" "$os" "$(field "$ours" final_loss)" "$(field "$ours" max_rss_kb)" "-"
  for cfg in "dataloader float32" "index float32" "index float64"; do
    set -- $cfg
    peer=$($PY "$here/peer_mlp.py" run "$tmp/d.bin" $n $1 $2 $EPOCHS $reps)
    ps=$(field "$peer" seconds)
    ratio=$($PY -c "print('%.4f' % ($os / $ps))")
    printf "%-6s %-26s %10.4f %12.6f %11s %12s\n" $n "torch $1 ($2)" "$ps" "$(field "$peer" final_loss)" "$(field "$peer" max_rss_kb)" "$ratio"
  done
done
echo "(seconds: median training time of $EPOCHS epochs over 7 fresh models at n = 100, one at n = 20000;"
echo " imports, data loading and model creation excluded; final_loss: mean BCE over all n rows"
echo " after training, first model; peak_rss_kb: the whole process, ru_maxrss)"
