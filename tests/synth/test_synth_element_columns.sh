#!/usr/bin/env bash
# The element columns of a model with a composition column are decided on the training table:
# numeric columns named by an element symbol whose values follow the formulas' atomic fractions.
# Processing columns that happen to be named by a symbol (P, a pressure; W, a wire diameter)
# are not, so recommend's formula axis sets Al..Ni from each formula and leaves P and W at the
# base record's values: its probabilities equal predict's on the same rows written out by hand
# (fractions from Python). Before, P and W were counted into the base's element sum (11.5, not
# 1) and the element columns were left at the base record's values. A model file without the
# list (from before) keeps the old rule.
set -u
build=$1; src=$2
. "$src/tests/cli/cli_lib.sh"

/usr/bin/python3 - "$t/train.csv" <<'PY'
import random, sys
r = random.Random(5)
els = ["Al", "Co", "Cr", "Fe", "Ni"]
with open(sys.argv[1], "w") as f:
    f.write("formula,Al,Co,Cr,Fe,Ni,P,W,route,ok\n")
    for i in range(120):
        amt = {"Al": r.choice([0, 0.25, 0.5, 0.75, 1, 1.5, 2]), "Co": 1, "Cr": 1, "Fe": 1,
               "Ni": r.choice([1, 2])}
        tot = sum(amt.values())
        fr = {e: amt[e] / tot for e in els}
        formula = "".join(f"{e}{amt[e]:g}" for e in els if amt[e] > 0)
        p, w = round(r.uniform(0.5, 20), 2), r.randint(1, 9)
        ok = int(fr["Al"] < 0.12 and p > 5 or r.random() < 0.15)
        f.write(f"{formula}," + ",".join(f"{fr[e]:.4f}" for e in els) +
                f",{p},{w},{r.choice(['cast', 'arc'])},{ok}\n")
PY
"$bin" synth train --data "$t/train.csv" --target ok --composition formula --epochs 5 --seed 2 \
  --quiet --model "$t/m.json" >/dev/null 2>&1 && ok || bad "train"
/usr/bin/python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["domain"]["element_columns"]; assert e == ["Al","Co","Cr","Fe","Ni"], e' \
  "$t/m.json" && ok || bad "element_columns in the model file"
printf 'formula,Al,Co,Cr,Fe,Ni,P,W,route,ok\nCoCrFeNi,0,0.25,0.25,0.25,0.25,7.5,3,cast,0\n' > "$t/base.csv"
F=CoCrFeNi,Al0.5CoCrFeNi,Al1CoCrFeNi,Al2CoCrFeNi2
"$bin" synth recommend --model "$t/m.json" --base "$t/base.csv" --vary formula=$F \
  --out "$t/r.csv" >/dev/null 2>"$t/rec.err" && ok || bad "recommend"
grep -q "neither 1 nor 100" "$t/rec.err" && bad "recommend warned about the element sum" || ok
/usr/bin/python3 - "$t/hand.csv" <<'PY'
import sys
rows = [("CoCrFeNi", [0, 1, 1, 1, 1]), ("Al0.5CoCrFeNi", [0.5, 1, 1, 1, 1]),
        ("Al1CoCrFeNi", [1, 1, 1, 1, 1]), ("Al2CoCrFeNi2", [2, 1, 1, 1, 2])]
with open(sys.argv[1], "w") as f:
    f.write("formula,Al,Co,Cr,Fe,Ni,P,W,route,ok\n")
    for name, a in rows:
        f.write(name + "," + ",".join(repr(x / sum(a)) for x in a) + ",7.5,3,cast,0\n")
PY
"$bin" synth predict --model "$t/m.json" --data "$t/hand.csv" --out "$t/p.csv" >/dev/null 2>&1 \
  && ok || bad "predict"
/usr/bin/python3 - "$t/r.csv" "$t/p.csv" <<'PY' && ok || bad "recommend's probabilities equal predict's on the rows written by hand"
import csv, sys
rec = {r["formula"]: float(r["probability"]) for r in csv.DictReader(open(sys.argv[1]))}
pred = {r["formula"]: float(r["probability"]) for r in csv.DictReader(open(sys.argv[2]))}
assert len(rec) == 4 and rec.keys() == pred.keys(), (rec, pred)
for k in rec:
    assert abs(rec[k] - pred[k]) < 1e-9, (k, rec[k], pred[k])
assert max(rec.values()) - min(rec.values()) > 1e-3, rec  # the formulas do move the probability
PY
# a model file without the list: every column named by an element symbol, as before (and the
# warning, as the base's P and W make the sum 11.5)
/usr/bin/python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); del m["domain"]["element_columns"]; json.dump(m, open(sys.argv[2], "w"))' \
  "$t/m.json" "$t/m_old.json"
"$bin" synth recommend --model "$t/m_old.json" --base "$t/base.csv" --vary formula=$F \
  --out "$t/r_old.csv" >/dev/null 2>"$t/old.err" && ok || bad "recommend with an older file"
grep -q "element columns sum to 11.5, neither 1 nor 100" "$t/old.err" && ok || bad "older file: the old rule"
# a bad entry names the file and the entry
/usr/bin/python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); m["domain"]["element_columns"].append("Xx"); json.dump(m, open(sys.argv[2], "w"))' \
  "$t/m.json" "$t/m_bad.json"
"$bin" synth predict --model "$t/m_bad.json" --data "$t/hand.csv" --out "$t/pb.csv" >/dev/null 2>"$t/bad.err" \
  && bad "a bad element_columns entry was accepted" || ok
grep -q "m_bad.json: domain 'element_columns' entry 5 (Xx) is not a feature" "$t/bad.err" && ok \
  || { bad "bad entry message"; cat "$t/bad.err"; }
echo "element columns: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
