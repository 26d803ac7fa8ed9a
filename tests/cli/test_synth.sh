#!/usr/bin/env bash
# End to end: alloyscout synth on small tables. Checks exit codes, messages with
# file:line:column, that failed commands leave no output file, the JSON keys, determinism, and
# the model file's round trip and error paths.
set -u
build=$1; src=$2
. "$src/tests/cli/cli_lib.sh"
expect_err() { # expect_err CODE PATTERN -- command...
  local code=$1 pat=$2; shift 3
  "$@" >"$t/out" 2>"$t/err"; local rc=$?
  if [ $rc -ne "$code" ]; then bad "exit $rc (want $code): $*"; cat "$t/err"; return; fi
  if ! grep -qF -- "$pat" "$t/err"; then bad "stderr lacks '$pat': $*"; cat "$t/err"; return; fi
  ok
}

# A small, learnable table: 60 rows, two numeric features, one text feature, a group column.
/usr/bin/python3 - "$t/train.csv" <<'PY'
import random, sys
r = random.Random(2385)
with open(sys.argv[1], "w") as f:
    f.write("system,temp_c,rate,cooling,success\n")
    for i in range(60):
        sysname = ["CuAu", "CuAg", "CuCr", "CuMn", "CuCo"][i % 5]
        t = 600 + 50 * r.random() * 10
        rate = round(1 + 9 * r.random(), 3)
        cool = ["LN2", "furnace"][i % 2]
        ok = 1 if (t > 850 and cool == "LN2") or (i % 7 == 0) else 0
        f.write(f"{sysname},{t:.3f},{rate},{cool},{'yes' if ok else 'no'}\n")
PY

# help and version
"$bin" --version | grep -q "alloyscout 0" && ok || bad "--version"
"$bin" help | grep -q "synth" && ok || bad "help"
for c in synth lattice energy gpr screen echem demo; do
  "$bin" $c --help >/dev/null 2>&1 && ok || bad "$c --help"
done

# cross-validation: JSON keys, determinism, ROC file
"$bin" synth cv --data "$t/train.csv" --target success --group system --seed 7 --quiet \
  --json "$t/a.json" --roc "$t/roc.csv" >/dev/null 2>"$t/err" || { bad "cv failed"; cat "$t/err"; }
"$bin" synth cv --data "$t/train.csv" --target success --group system --seed 7 --quiet \
  --json "$t/b.json" >/dev/null 2>&1
cmp -s "$t/a.json" "$t/b.json" && ok || bad "same seed, different JSON"
for th in 1 3; do
  "$bin" synth cv --data "$t/train.csv" --target success --group system --seed 7 --quiet \
    --threads $th --json "$t/th$th.json" >/dev/null 2>&1
  cmp -s "$t/a.json" "$t/th$th.json" && ok || bad "--threads $th changed the result"
done
/usr/bin/python3 - "$t/a.json" "$t/roc.csv" <<'PY' && ok || bad "cv JSON content"
import json, sys, csv
j = json.load(open(sys.argv[1]))
assert j["n_samples"] == 60 and 0 < j["n_positive"] < 60, j
a = j["auc"]
assert len(a["folds"]) == 5 and abs(sum(a["folds"]) / 5 - a["mean"]) < 1e-12
assert 0 <= a["std"] < 1 and 0.5 < a["mean"] <= 1.0, a
for k in ["pr_auc", "accuracy", "balanced_accuracy", "precision", "recall", "f1", "mcc", "brier"]:
    assert k in j and "mean" in j[k], k
rows = list(csv.DictReader(open(sys.argv[2])))
pooled = [r for r in rows if r["curve"] == "pooled"]
assert float(pooled[0]["fpr"]) == 0 and float(pooled[-1]["tpr"]) == 1
PY

# hold-out of a named group and leave-one-group-out
"$bin" synth holdout --data "$t/train.csv" --target success --group system --test-group CuCo \
  --quiet --json "$t/h.json" >/dev/null 2>&1 && ok || bad "holdout"
grep -q '"CuCo"' "$t/h.json" && ok || bad "holdout JSON names the group"
"$bin" synth holdout --data "$t/train.csv" --target success --group system \
  --leave-one-group-out --quiet >/dev/null 2>&1 && ok || bad "leave-one-group-out"
expect_err 1 "test group 'CuXx' does not occur" -- "$bin" synth holdout --data "$t/train.csv" \
  --target success --group system --test-group CuXx

# train, predict, recommend
"$bin" synth train --data "$t/train.csv" --target success --group system --seed 3 --quiet \
  --model "$t/m.json" >/dev/null 2>&1 && ok || bad "train"
head -6 "$t/train.csv" | cut -d, -f1-4 > "$t/new.csv"
"$bin" synth predict --model "$t/m.json" --data "$t/new.csv" --out "$t/p.csv" >/dev/null 2>&1 \
  && ok || bad "predict"
/usr/bin/python3 - "$t/p.csv" <<'PY' && ok || bad "predict output"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 5 and list(rows[0].keys())[-5:] == ["probability", "fold_mean", "fold_std", "in_domain", "domain_reason"]
for r in rows:
    assert 0 <= float(r["probability"]) <= 1 and float(r["fold_std"]) >= 0
PY
head -2 "$t/new.csv" > "$t/base.csv"
"$bin" synth recommend --model "$t/m.json" --base "$t/base.csv" --vary temp_c=600:1100:100 \
  --vary cooling=LN2,furnace --top 3 --out "$t/r.csv" >"$t/rec.txt" 2>&1 && ok || bad "recommend"
[ "$(wc -l < "$t/r.csv")" -eq 13 ] && ok || bad "recommend writes 12 grid points"
expect_err 1 "not a level the model knows" -- "$bin" synth recommend --model "$t/m.json" \
  --base "$t/base.csv" --vary cooling=air
expect_err 1 "is not a feature column" -- "$bin" synth recommend --model "$t/m.json" \
  --base "$t/base.csv" --vary pressure=1:2:1

# model file errors
/usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); j["version"]=99; json.dump(j, open(sys.argv[2], "w"))' "$t/m.json" "$t/v.json"
expect_err 1 "version 99" -- "$bin" synth predict --model "$t/v.json" --data "$t/new.csv" --out "$t/x.csv"
head -c 300 "$t/m.json" > "$t/trunc.json"
expect_err 1 "trunc.json:" -- "$bin" synth predict --model "$t/trunc.json" --data "$t/new.csv" --out "$t/x.csv"
cut -d, -f1-2 "$t/new.csv" > "$t/narrow.csv"
expect_err 1 "rate" -- "$bin" synth predict --model "$t/m.json" --data "$t/narrow.csv" --out "$t/x.csv"
[ ! -e "$t/x.csv" ] && ok || bad "a failed predict left $t/x.csv"

# malformed input: file:line:column, non-zero exit, no output left behind
cp "$t/train.csv" "$t/badnum.csv"; sed -i '5s/^\([^,]*\),[^,]*,/\1,12.x,/' "$t/badnum.csv"
expect_err 1 "badnum.csv:5:" -- "$bin" synth cv --data "$t/badnum.csv" --target success --json "$t/o.json"
[ ! -e "$t/o.json" ] && ok || bad "failed cv left its JSON"
cp "$t/train.csv" "$t/ragged.csv"; sed -i '9s/$/,extra/' "$t/ragged.csv"
expect_err 1 "ragged.csv:9" -- "$bin" synth cv --data "$t/ragged.csv" --target success
cp "$t/train.csv" "$t/unk.csv"; sed -i '4s/,\(yes\|no\)$/,maybe/' "$t/unk.csv"
expect_err 1 "unk.csv:4:" -- "$bin" synth cv --data "$t/unk.csv" --target success
: > "$t/empty.csv"
expect_err 1 "empty.csv" -- "$bin" synth cv --data "$t/empty.csv" --target success
sed 's/,no$/,yes/' "$t/train.csv" > "$t/one.csv"
expect_err 1 "class" -- "$bin" synth cv --data "$t/one.csv" --target success
expect_err 1 "no column named 'outcome'" -- "$bin" synth cv --data "$t/train.csv" --target outcome
expect_err 2 "--folds" -- "$bin" synth cv --data "$t/train.csv" --target success --folds x
expect_err 2 "unknown subcommand" -- "$bin" synth fly
# empty targets are skipped and counted
cp "$t/train.csv" "$t/gap.csv"; sed -i '3s/,\(yes\|no\)$/,/; 6s/,\(yes\|no\)$/,/' "$t/gap.csv"
"$bin" synth cv --data "$t/gap.csv" --target success --quiet --json "$t/g.json" >/dev/null 2>&1
/usr/bin/python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["n_skipped"] == 2' "$t/g.json" \
  && ok || bad "skipped rows counted"

# issue 12: stopping rule options, calibration in the cv output / JSON, calibrated models
"$bin" synth cv --data "$t/train.csv" --target success --seed 7 --quiet --json "$t/c.json" \
  --features "$t/feat.csv" >"$t/cv.txt" 2>/dev/null || bad "cv with --features"
grep -q "^Platt (cross-fitted over the parts) " "$t/cv.txt" && ok || bad "cv prints no calibration"
grep -q "^pooled ROC AUC 0.[0-9]*, 95 % CI 0.[0-9]*-[01].[0-9]* (2000 bootstrap resamples of the rows)" "$t/cv.txt" \
  && ok || bad "cv prints no AUC interval"
/usr/bin/python3 - "$t/c.json" "$t/feat.csv" <<'PY' && ok || bad "calibration JSON / features CSV"
import csv, json, sys
c = json.load(open(sys.argv[1]))["calibration"]
assert c["bins"] == 10 and set(c) == {"bins", "none", "platt", "isotonic"}, c
for k in ("none", "platt", "isotonic"):
    assert 0 <= c[k]["ece"] < 1 and 0 <= c[k]["brier"] < 1, c[k]
    assert sum(c[k]["count"]) == 60 and len(c[k]["prob_true"]) == len(c[k]["count"])
ci = json.load(open(sys.argv[1]))["auc_pooled_ci"]
assert ci["resample"] == "rows" and ci["lo"] < ci["hi"] and ci["n_boot"] == 2000, ci
rows = list(csv.reader(open(sys.argv[2])))
assert rows[0][-1] == "success" and len(rows) == 61 and "cooling=LN2" in rows[0], rows[0]
PY
"$bin" synth cv --data "$t/train.csv" --target success --seed 7 --quiet --stop loss --no-refit \
  --json "$t/old.json" >/dev/null 2>&1 && ok || bad "--stop loss --no-refit"
cmp -s "$t/old.json" "$t/c.json" && bad "--stop loss --no-refit changed nothing" || ok
expect_err 2 "'accuracy' unknown" -- "$bin" synth cv --data "$t/train.csv" --target success --stop accuracy
expect_err 2 "calibration 'beta' unknown" -- "$bin" synth train --data "$t/train.csv" --target success \
  --model "$t/cal.json" --calibration beta
[ ! -e "$t/cal.json" ] && ok || bad "a refused train left a model"
"$bin" synth train --data "$t/train.csv" --target success --seed 3 --quiet --calibration isotonic \
  --model "$t/iso.json" 2>/dev/null | grep -q "isotonic calibration" && ok || bad "train --calibration"
"$bin" synth predict --model "$t/iso.json" --data "$t/new.csv" --out "$t/pi.csv" 2>/dev/null \
  | grep -q "calibrated by isotonic scaling, fitted on 60 out-of-fold" && ok || bad "predict names the calibration"
/usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["version"] == 3 and j["calibration"]["method"] == "isotonic" and "domain" in j and j["settings"]["stop"] == "auc"' "$t/iso.json" \
  && ok || bad "model file version 3 with calibration and domain"
/usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); j["version"]=1; del j["calibration"]; json.dump(j, open(sys.argv[2], "w"))' "$t/iso.json" "$t/v1.json"
"$bin" synth predict --model "$t/v1.json" --data "$t/new.csv" --out "$t/p1.csv" 2>/dev/null \
  | grep -q "not calibrated" && ok || bad "a version-1 model does not load uncalibrated"

# --class-weight balanced: the full member's network weighs the classes n / (2 n_c) of all rows
"$bin" synth train --data "$t/train.csv" --target success --seed 3 --quiet --resample none \
  --class-weight balanced --model "$t/cw.json" >/dev/null 2>&1 || bad "train --class-weight"
/usr/bin/python3 - "$t/cw.json" "$t/train.csv" <<'PY' && ok || bad "class weights in the model"
import csv, json, sys
j = json.load(open(sys.argv[1]))
y = [r["success"] == "yes" for r in csv.DictReader(open(sys.argv[2]))]
n, n1 = len(y), sum(y)
w = j["model"]["mlp"]["options"]["class_weight"]
assert abs(w[0] - n / (2 * (n - n1))) < 1e-15 and abs(w[1] - n / (2 * n1)) < 1e-15, (w, n, n1)
PY
expect_err 2 "--class-weight 'auto' unknown" -- "$bin" synth cv --data "$t/train.csv" --target success --class-weight auto

# with --group: grouped against random folds, said plainly
"$bin" synth cv --data "$t/train.csv" --target success --group system --seed 7 --quiet \
  >"$t/g.txt" 2>/dev/null || bad "cv --group"
grep -q "^grouped folds by 'system' (the result above) against random folds" "$t/g.txt" && \
  grep -Eq "^(random folds (overstate|understate) the AUC by|random and grouped folds agree within)" "$t/g.txt" \
  && ok || bad "cv --group does not compare with random folds"
"$bin" synth cv --data "$t/train.csv" --target success --group system --seed 7 --quiet \
  --no-random-check 2>/dev/null | grep -q "random folds" && bad "--no-random-check" || ok

echo "synth cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
