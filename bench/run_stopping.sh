#!/usr/bin/env bash
# Benchmark 12a: the early-stopping rule, chosen by what it does to ranking. Mean ROC AUC of
# 5-fold CV over 10 seeds for each rule alloyscout offers, against scikit-learn's MLPClassifier +
# imbalanced-learn's SMOTETomek as users run them (bench/peer_pipeline_sklearn.py), on
#   shipped: data/mpea_synthesis.csv with the demo's options (README: synth cv; groups whole)
#   generated: 1500 rows with text columns (bench/make_synth_table.py)
# The peer reads the exact feature matrix alloyscout trains on (synth cv --features) for the
# shipped data (it has no composition descriptors of its own) and the raw table (its own one-hot)
# for the generated one.
# Usage: bench/run_stopping.sh [build-dir] [seeds]   (build first; takes minutes)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); root=$(dirname "$here"); build=${1:-$root/build}
seeds=${2:-"1 2 3 4 5 6 7 8 9 10"}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
PY="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3"
AS="$build/alloyscout"
echo "# $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) at start"
$PY "$here/make_synth_table.py" "$tmp/gen.csv" 1500 12
SHIP="--data $root/data/mpea_synthesis.csv --target single_phase --group alloy --drop system,n_sources,label_agreement --composition formula"
GEN="--data $tmp/gen.csv --target success"
"$AS" synth cv $SHIP --quiet --features "$tmp/ship_features.csv" >/dev/null 2>&1
mean() { $PY -c 'import sys,statistics as s; v=[float(x) for x in sys.argv[1:]]; print("%.4f %.4f" % (s.mean(v), s.stdev(v)))' "$@"; }
ours() { # data-options rule-options...
  local data=$1; shift; local v=()
  for seed in $seeds; do
    "$AS" synth cv $data --quiet --seed "$seed" --json "$tmp/o.json" "$@" >/dev/null 2>&1
    v+=("$($PY -c "import json;print(json.load(open('$tmp/o.json'))['auc']['mean'])")")
  done
  mean "${v[@]}"
}
peer() { # data target drop extra...
  local v=(); local t=0
  for seed in $seeds; do
    out=$($PY "$here/peer_pipeline_sklearn.py" "$1" "$2" "$3" "$seed" "${@:4}")
    v+=("$(echo "$out" | $PY -c 'import json,sys;print(json.load(sys.stdin)["auc_mean"])')")
  done
  mean "${v[@]}"
}
printf "%-44s %-18s %-18s\n" "rule (mean AUC, std over seeds)" shipped generated
for rule in "--stop auc" "--stop auc --no-refit" "--stop loss" "--stop loss --no-refit" "--val-fraction 0"; do
  printf "%-44s %-18s %-18s\n" "alloyscout $rule" "$(ours "$SHIP" $rule)" "$(ours "$GEN" $rule)"
done
printf "%-44s %-18s %-18s\n" "scikit-learn peer (early_stopping=True)" \
  "$(peer "$tmp/ship_features.csv" single_phase "" --group alloy)" \
  "$(peer "$tmp/gen.csv" success "")"
printf "%-44s %-18s %-18s\n" "scikit-learn peer (no early stopping)" \
  "$(peer "$tmp/ship_features.csv" single_phase "" --group alloy --no-early-stopping)" \
  "$(peer "$tmp/gen.csv" success "" --no-early-stopping)"
echo "# load $(cut -d' ' -f1-3 /proc/loadavg) at the end; seeds: $seeds"
