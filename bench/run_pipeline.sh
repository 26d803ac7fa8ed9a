#!/usr/bin/env bash
# Benchmark 12c: the whole 5-fold synthesis pipeline at n = 500, alloyscout vs the Python
# equivalents, same data, same run, 5 seeds: peer = scikit-learn + imbalanced-learn + PyTorch
# (bench/peer_pipeline.py, the loss rule of before), sk = scikit-learn's MLPClassifier +
# imbalanced-learn's SMOTETomek as users run them (bench/peer_pipeline_sklearn.py): sk_s is its
# five fits and fold AUCs, sk_out_s the same run with everything else synth cv prints computed
# from the out-of-fold probabilities as a scikit-learn user does (the metric table, the 2000-
# resample bootstrap interval of the pooled AUC, the cross-fitted calibration table: --outputs).
# Usage: bench/run_pipeline.sh [build-dir [alloyscout options...]]   (build first: cmake --build
# build); e.g. bench/run_pipeline.sh build --precision 32 times float training
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); root=$(dirname "$here"); build=${1:-$root/build}
extra=("${@:2}")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
PY="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3"
DROP=alloy,formula,system,n_sources,label_agreement
if ! $PY -c 'import torch, sklearn, imblearn, threadpoolctl' 2>/dev/null; then
  echo "run_pipeline.sh: the peers need python3-torch, python3-sklearn, python3-imblearn and python3-threadpoolctl; install them with: AS_BENCH_DEPS=1 bash scripts/setup-debian.sh" >&2
  exit 2
fi
$PY "$here/make_pipeline_data.py" "$root/data/mpea_synthesis.csv" 500 "$tmp/d.csv"
$PY -c 'import threadpoolctl, numpy; [print("peer BLAS:", i["internal_api"], i.get("num_threads")) for i in threadpoolctl.threadpool_info()]'
echo "n=500 rows of data/mpea_synthesis.csv; 5 folds; 5 seeds; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); alloyscout options: ${extra[*]:-(defaults)}"
printf "%-5s %12s %12s %9s %10s %10s %12s %12s %9s %9s %8s %9s %9s\n" seed ours_s peer_s ratio ours_auc peer_auc ours_rss_kb peer_rss_kb sk_s sk_ratio sk_auc sk_out_s out_ratio
sum_ratio=0; so=0; sp=0
for seed in 1 2 3 4 5; do
  # wall time (perf_counter) and peak memory of the whole alloyscout process
  read -r ours_s ours_rss < <($PY -c 'import resource, subprocess, sys, time
t = time.perf_counter(); subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print("%.4f %d" % (time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))' \
      "$build/alloyscout" synth cv --data "$tmp/d.csv" --target single_phase --drop "$DROP" \
      --seed $seed --quiet --json "$tmp/o.json" "${extra[@]}")
  ours_auc=$($PY -c "import json;print(json.load(open('$tmp/o.json'))['auc']['mean'])")
  out=$($PY "$here/peer_pipeline.py" "$tmp/d.csv" single_phase "$DROP" $seed)
  peer_s=$(echo "$out" | $PY -c 'import json,sys;print(json.load(sys.stdin)["seconds"])')
  peer_auc=$(echo "$out" | $PY -c 'import json,sys;print(json.load(sys.stdin)["auc_mean"])')
  peer_rss=$(echo "$out" | $PY -c 'import json,sys;print(json.load(sys.stdin)["max_rss_kb"])')
  ratio=$($PY -c "print('%.1f' % ($peer_s / max($ours_s, 0.01)))")
  sk=$($PY "$here/peer_pipeline_sklearn.py" "$tmp/d.csv" single_phase "$DROP" $seed --outputs)
  sk_s=$(echo "$sk" | $PY -c 'import json,sys;print(json.load(sys.stdin)["seconds"])')
  sk_out_s=$(echo "$sk" | $PY -c 'import json,sys;print(json.load(sys.stdin)["seconds_outputs"])')
  out_ratio=$($PY -c "print('%.1f' % ($sk_out_s / max($ours_s, 0.01)))")
  sk_auc=$(echo "$sk" | $PY -c 'import json,sys;print(json.load(sys.stdin)["auc_mean"])')
  sk_ratio=$($PY -c "print('%.1f' % ($sk_s / max($ours_s, 0.01)))")
  printf "%-5s %12.3f %12.3f %8sx %10.4f %10.4f %12s %12s %9.3f %8sx %8.4f %9.3f %8sx\n" $seed "$ours_s" "$peer_s" "$ratio" "$ours_auc" "$peer_auc" "$ours_rss" "$peer_rss" "$sk_s" "$sk_ratio" "$sk_auc" "$sk_out_s" "$out_ratio"
  ssk=$($PY -c "print(${ssk:-0} + $sk_auc)"); tsk=$($PY -c "print(${tsk:-0} + $sk_s)")
  tso=$($PY -c "print(${tso:-0} + $sk_out_s)")
  so=$($PY -c "print($so + $ours_auc)"); sp=$($PY -c "print($sp + $peer_auc)")
  to=$($PY -c "print(${to:-0} + $ours_s)"); tp=$($PY -c "print(${tp:-0} + $peer_s)")
done
$PY -c "print('mean AUC over 5 seeds: alloyscout %.4f, peer %.4f, difference %.4f' % ($so/5, $sp/5, $so/5 - $sp/5))"
$PY -c "print('total time over 5 seeds: alloyscout %.3f s, peer %.3f s, ratio %.1fx' % ($to, $tp, $tp / $to))"
$PY -c "print('scikit-learn peer: mean AUC %.4f (alloyscout - sk %.4f), total %.3f s, ratio %.1fx' % ($ssk/5, $so/5 - $ssk/5, $tsk, $tsk / $to))"
$PY -c "print('scikit-learn peer with the same outputs (metric table, bootstrap CI, calibration): total %.3f s, ratio %.1fx' % ($tso, $tso / $to))"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(ours_s: wall time of the whole alloyscout process; peer_s: the pipeline inside Python, imports excluded)"
