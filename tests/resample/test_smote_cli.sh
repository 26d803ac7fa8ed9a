#!/usr/bin/env bash
# End to end: synth --smote nc|plain and cv --compare-balancing on a small table with a text
# column and a whole-number column. The comparison lines must equal separate runs with the
# named options (same seed, so same folds); a bad --smote value is refused; the model file
# records the SMOTE used.
set -u
build=$1; src=$2
bin="$build/alloyscout"
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
fail=0; pass=0
ok()  { pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }

/usr/bin/python3 - "$t/train.csv" <<'PY'
import random, sys
r = random.Random(12)
with open(sys.argv[1], "w") as f:
    f.write("temp_c,passes,route,success\n")
    for i in range(90):
        t = 600 + 500 * r.random()
        passes = r.randint(1, 6)
        route = ["cast", "wrought", "powder"][r.randint(0, 2)]
        ok = 1 if (t > 950 and route != "cast") or r.random() < 0.1 else 0
        f.write(f"{t:.3f},{passes},{route},{'yes' if ok else 'no'}\n")
PY
common=(--data "$t/train.csv" --target success --folds 3 --epochs 8 --seed 3 --quiet)

"$bin" synth cv "${common[@]}" --smote nominal >"$t/out" 2>"$t/err"
[ $? -eq 2 ] && grep -qF "plain, nc" "$t/err" && ok || { bad "--smote nominal"; cat "$t/err"; }
"$bin" synth cv --help | grep -q -- "--smote nc|plain" && ok || bad "--help lacks --smote"

"$bin" synth cv "${common[@]}" --compare-balancing >"$t/cmp" 2>"$t/err" && ok || { bad "compare"; cat "$t/err"; }
"$bin" synth cv "${common[@]}" --resample none --class-weight balanced >"$t/cw" 2>&1 && ok || bad "cw run"
"$bin" synth cv "${common[@]}" --smote plain >"$t/plain" 2>&1 && ok || bad "plain run"
"$bin" synth cv "${common[@]}" --smote nc >"$t/nc" 2>&1 && ok || bad "nc run"
auc() { awk '/^ROC AUC/ {print $3, $5; exit}' "$1"; }
line() { grep -F "$1" "$t/cmp" | awk '{print $(NF-3), $(NF-2)}'; }
[ "$(line 'this run (--resample smote-tomek --smote nc)')" = "$(auc "$t/nc")" ] && ok \
  || bad "this-run line $(line 'this run') vs $(auc "$t/nc")"
[ "$(line 'class weights')" = "$(auc "$t/cw")" ] && ok || bad "class-weight line $(line 'class weights') vs $(auc "$t/cw")"
[ "$(line 'plain SMOTE')" = "$(auc "$t/plain")" ] && ok || bad "plain line $(line 'plain SMOTE') vs $(auc "$t/plain")"
# default is nc; same seed, same output
"$bin" synth cv "${common[@]}" >"$t/def" 2>&1
cmp -s "$t/def" "$t/nc" && ok || bad "default is not --smote nc"

"$bin" synth train "${common[@]}" --model "$t/m.json" >/dev/null 2>&1 && ok || bad "train"
grep -qE '"smote":[[:space:]]*"nc"' "$t/m.json" && ok || bad "model lacks smote nc"

echo "smote cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
