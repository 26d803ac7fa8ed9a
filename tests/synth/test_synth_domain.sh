#!/usr/bin/env bash
# The training domain of a model (issue 12 item 5), end to end, against scikit-learn: the model
# file's training rows in scaled space equal StandardScaler applied to the exported features,
# its threshold equals numpy.percentile(99) of the leave-one-out nearest-neighbour distances
# of sklearn.neighbors.NearestNeighbors, and predict / recommend flag exactly the rows with an
# unseen element, an unseen text level, a value outside the training range or a nearest
# training row beyond the threshold, with one summary line. A version 2 file is not checked
# and says so.
set -u
build=$1; src=$2
. "$src/tests/cli/cli_lib.sh"

/usr/bin/python3 - "$t/train.csv" <<'PY'
import random, sys
r = random.Random(71)
els = ["Cu", "Co", "Ni", "Fe"]
with open(sys.argv[1], "w") as f:
    f.write("formula,temp_c,route,success\n")
    for i in range(80):
        a, b = r.sample(els, 2)
        x = r.randint(20, 80)
        t = 600 + 5 * r.randint(0, 100)
        route = ["arc", "cast"][i % 2]
        ok = 1 if (t > 850 and route == "arc") or i % 7 == 0 else 0
        f.write(f"{a}{x}{b}{100 - x},{t},{route},{ok}\n")
PY
"$bin" synth train --data "$t/train.csv" --target success --composition formula --epochs 5 \
  --seed 2 --quiet --model "$t/m.json" >/dev/null 2>&1 && ok || bad "train"
"$bin" synth cv --data "$t/train.csv" --target success --composition formula --epochs 1 \
  --folds 2 --quiet --features "$t/feat.csv" >/dev/null 2>&1 && ok || bad "features"
/usr/bin/python3 - "$t/m.json" "$t/feat.csv" <<'PY' && ok || bad "domain equals scikit-learn's"
import csv, json, sys
import numpy as np
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler
m = json.load(open(sys.argv[1]))
assert m["version"] == 3
dom = m["domain"]
rows = list(csv.DictReader(open(sys.argv[2])))
names = [k for k in rows[0].keys() if k != "success"]
x = np.array([[float(r[k]) for k in names] for r in rows])
z = StandardScaler().fit_transform(x)
zs = np.array(dom["train_scaled"]).reshape(dom["n_train"], -1)
assert zs.shape == z.shape, (zs.shape, z.shape)
assert np.abs(zs - z).max() < 1e-9, np.abs(zs - z).max()
d, _ = NearestNeighbors(n_neighbors=2).fit(z).kneighbors(z)
q = np.percentile(d[:, 1], 99)
assert abs(q - dom["nn_threshold"]) < 1e-9 * max(1, q), (q, dom["nn_threshold"])
assert np.allclose(dom["min"], x.min(axis=0)) and np.allclose(dom["max"], x.max(axis=0))
assert dom["elements"] == ["Fe", "Co", "Ni", "Cu"]
PY
cat > "$t/new.csv" <<'CSV'
formula,temp_c,route
Cu50Co50,800,arc
Cu50Ti50,800,arc
Cu50Co50,3000,arc
Cu50Co50,800,HIP
CSV
"$bin" synth predict --model "$t/m.json" --data "$t/new.csv" --out "$t/p.csv" >"$t/out" 2>"$t/err" \
  && ok || bad "predict"
/usr/bin/python3 - "$t/p.csv" <<'PY' && ok || bad "predict flags"
import csv, sys
r = list(csv.DictReader(open(sys.argv[1])))
assert [x["in_domain"] for x in r[1:]] == ["0", "0", "0"], [x["in_domain"] for x in r]
assert "element Ti not in any training formula" in r[1]["domain_reason"]
assert "temp_c 3000 outside the training range" in r[2]["domain_reason"]
assert "route 'HIP' not seen in training" in r[3]["domain_reason"]
assert "element" not in r[2]["domain_reason"] and "route" not in r[2]["domain_reason"]
assert (r[0]["in_domain"] == "1") == (r[0]["domain_reason"] == "")
PY
n_out=$(grep -c "outside the training domain" "$t/err")
[ "$n_out" -eq 1 ] && ok || bad "one summary line ($n_out)"
grep -q "of 4 rows outside the training domain: 1 unseen elements, 1 unseen text levels" "$t/err" \
  && ok || { bad "summary counts"; cat "$t/err"; }
# recommend flags the grid points beyond the range
head -2 "$t/new.csv" > "$t/base.csv"
"$bin" synth recommend --model "$t/m.json" --base "$t/base.csv" --vary temp_c=600:3000:600 \
  --out "$t/r.csv" >"$t/rec.txt" 2>&1 && ok || bad "recommend"
/usr/bin/python3 - "$t/r.csv" <<'PY' && ok || bad "recommend flags"
import csv, sys
r = list(csv.DictReader(open(sys.argv[1])))
for x in r:
    t = float(x["temp_c"])
    if t > 1100:
        assert x["in_domain"] == "0" and "temp_c" in x["domain_reason"], x
PY
grep -q "grid points outside the training domain" "$t/rec.txt" && ok || bad "recommend summary"
# a version 2 file: loads, predicts, is not checked and says so
/usr/bin/python3 - "$t/m.json" "$t/m2.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["version"] = 2
del m["domain"]
json.dump(m, open(sys.argv[2], "w"))
PY
"$bin" synth predict --model "$t/m2.json" --data "$t/new.csv" --out "$t/p2.csv" >/dev/null \
  2>"$t/err2" && ok || bad "predict with a version 2 file"
grep -q "not checked against the training domain: the model file (version 2) has none" "$t/err2" \
  && ok || bad "version 2 says so"
/usr/bin/python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); assert all(x["in_domain"]=="" for x in r)' "$t/p2.csv" \
  && ok || bad "version 2: in_domain empty"
echo "synth domain: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
