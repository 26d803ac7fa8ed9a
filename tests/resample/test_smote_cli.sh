#!/usr/bin/env bash
# End to end: synth --smote nc|plain and cv --compare-balancing on a small table with a text
# column and a whole-number column. The comparison lines must equal separate runs with the
# named options (same seed, so same folds), in the text, the JSON and the report, and --group's
# random-fold check equals a run without the group; a bad --smote value is refused; the model file
# records the SMOTE used.
set -u
build=$1; src=$2
. "$src/tests/cli/cli_lib.sh"

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

# the comparisons are in the JSON and the report too, equal to the separate runs bit for bit
"$bin" synth cv "${common[@]}" --compare-balancing --json "$t/cmp.json" --report "$t/rep" \
  >/dev/null 2>"$t/err" && ok || { bad "compare --json --report"; cat "$t/err"; }
"$bin" synth cv "${common[@]}" --resample none --class-weight balanced --json "$t/cw.json" >/dev/null 2>&1
"$bin" synth cv "${common[@]}" --smote plain --json "$t/plain.json" >/dev/null 2>&1
/usr/bin/python3 - "$t" <<'PY' && ok || bad "comparisons in the JSON differ from the separate runs"
import json, sys
t = sys.argv[1]
c = {x["name"]: x for x in json.load(open(t + "/cmp.json"))["comparisons"]}
for name, f in (("class weights", "cw"), ("plain SMOTE", "plain")):
    r = json.load(open(f"{t}/{f}.json"))
    got = c[name]
    assert got["auc_mean"] == r["auc"]["mean"] and got["auc_pooled"] == r["auc"]["pooled"], (name, got, r["auc"])
    assert got["auc_ci_lo"] == r["auc_pooled_ci"]["lo"] and got["auc_ci_hi"] == r["auc_pooled_ci"]["hi"], name
    assert got["brier"] == r["calibration"]["none"]["brier"] and got["ece"] == r["calibration"]["none"]["ece"], name
assert c["class weights"]["options"] == "--resample none --class-weight balanced"
PY
grep -q "the same rows evaluated otherwise" "$t/rep/index.html" && grep -q "class weights" "$t/rep/index.html" \
  && ok || bad "report lacks the comparison table"

# with --group: the random-fold check equals a run without the group (the column dropped)
/usr/bin/python3 - "$t/train.csv" "$t/grp.csv" <<'PY'
import sys
rows = open(sys.argv[1]).read().splitlines()
with open(sys.argv[2], "w") as f:
    f.write(rows[0] + ",batch\n")
    for i, r in enumerate(rows[1:]):
        f.write(f"{r},b{i // 3}\n")
PY
g=(--data "$t/grp.csv" --target success --folds 3 --epochs 8 --seed 3 --quiet)
"$bin" synth cv "${g[@]}" --group batch --json "$t/g.json" --report "$t/grep" >"$t/g.out" 2>"$t/err" \
  && ok || { bad "grouped cv"; cat "$t/err"; }
"$bin" synth cv "${g[@]}" --drop batch --json "$t/r.json" >/dev/null 2>&1 && ok || bad "random run"
/usr/bin/python3 - "$t" <<'PY' && ok || bad "random-fold comparison differs from the separate run"
import json, sys
t = sys.argv[1]
g = json.load(open(t + "/g.json")); r = json.load(open(t + "/r.json"))
c = [x for x in g["comparisons"] if x["name"] == "random folds"][0]
assert c["auc_pooled"] == r["auc"]["pooled"] and c["auc_mean"] == r["auc"]["mean"], (c, r["auc"])
assert c["difference"] == r["auc"]["pooled"] - g["auc"]["pooled"]
lo, hi = g["auc_pooled_ci"]["lo"], g["auc_pooled_ci"]["hi"]
assert c["beyond_ci"] == (not lo <= r["auc"]["pooled"] <= hi)
PY
grep -qE "random and grouped folds agree|random folds (overstate|understate)" "$t/g.out" && ok || bad "no folds verdict printed"
grep -qiE "random and grouped folds agree|random folds (overstate|understate)" "$t/grep/index.html" && ok || bad "no folds verdict in the report"

"$bin" synth train "${common[@]}" --model "$t/m.json" >/dev/null 2>&1 && ok || bad "train"
grep -qE '"smote":[[:space:]]*"nc"' "$t/m.json" && ok || bad "model lacks smote nc"

echo "smote cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
