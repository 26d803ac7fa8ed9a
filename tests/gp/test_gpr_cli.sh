#!/bin/bash
# End-to-end test of `alloyscout gpr fit|predict` against scikit-learn run live:
# StandardScaler -> PCA(0.99) -> GaussianProcessRegressor at the hyperparameters our fit chose
# (optimizer=None) must give the same mean and std within 1e-6; our fitted LML must be at least
# scikit-learn's best over as many starts; bad input must fail with file:line:column.
# args: $1 = build dir, $2 = source dir. Exit 77 (skip) when the binary or scikit-learn is absent.
set -u
B=$1
BIN=$B/alloyscout
[ -x "$BIN" ] || { echo "no $BIN"; exit 77; }
/usr/bin/python3 -c "import sklearn" 2>/dev/null || { echo "no scikit-learn"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

/usr/bin/python3 - "$T" <<'PY' || fail "data generation"
import sys, numpy as np
t = sys.argv[1]
rng = np.random.default_rng(77)
lat = rng.normal(size=(50, 3)) * [2.0, 1.0, 0.4]
x = lat @ rng.normal(size=(3, 6)) + 0.01 * rng.normal(size=(50, 6))
y = np.sin(lat[:, 0]) + 0.2 * lat[:, 1] ** 2 + 0.01 * rng.normal(size=50)
with open(t + "/train.csv", "w") as f:
    f.write("name,f1,f2,f3,f4,f5,f6,e\n")
    for i in range(50):
        f.write("c%d," % i + ",".join("%.17g" % v for v in x[i]) + ",%.17g\n" % y[i])
xq = lat[:7] @ rng.normal(size=(3, 6)) * 0.3
with open(t + "/query.csv", "w") as f:
    f.write("f6,f5,f4,f3,f2,f1,label\n")  # other column order, an extra text column
    for i in range(7):
        f.write(",".join("%.17g" % v for v in x[i + 10][::-1]) + ",q%d\n" % i)
PY

"$BIN" gpr fit --data "$T/train.csv" --target e --drop name --restarts 5 --seed 3 --no-noise \
    --model "$T/g.json" --json "$T/fit.json" --quiet || fail "gpr fit"
"$BIN" gpr predict --model "$T/g.json" --data "$T/query.csv" --out "$T/p.csv" --quiet \
    || fail "gpr predict"

/usr/bin/python3 - "$T" <<'PY' || fail "comparison with scikit-learn"
import sys, json, csv, numpy as np
from sklearn.preprocessing import StandardScaler
from sklearn.decomposition import PCA
from sklearn.gaussian_process import GaussianProcessRegressor as G
from sklearn.gaussian_process.kernels import ConstantKernel as C, RBF
t = sys.argv[1]
rows = list(csv.reader(open(t + "/train.csv")))
x = np.array([[float(v) for v in r[1:7]] for r in rows[1:]]); y = np.array([float(r[7]) for r in rows[1:]])
m = json.load(open(t + "/g.json"))
fit = json.load(open(t + "/fit.json"))
sc = StandardScaler().fit(x); p = PCA(0.99, svd_solver="full").fit(sc.transform(x))
assert p.n_components_ == fit["pca_components"], (p.n_components_, fit)
z = p.transform(sc.transform(x))
k = C(fit["c2"], (1e-5, 1e3)) * RBF(fit["length_scales"][0], (1e-5, 1e3))
g = G(k, alpha=1e-10, normalize_y=True, optimizer=None).fit(z, y)
out = list(csv.reader(open(t + "/p.csv")))
assert out[0] == ["f6", "f5", "f4", "f3", "f2", "f1", "label", "mean", "std"], out[0]
xq = np.array([[float(v) for v in r[:6]][::-1] for r in out[1:]])
mu, sd = g.predict(p.transform(sc.transform(xq)), return_std=True)
ours = np.array([[float(r[7]), float(r[8])] for r in out[1:]])
assert np.all(ours[:, 1] >= 0)
assert np.max(np.abs(ours[:, 0] - mu)) <= 1e-6, np.max(np.abs(ours[:, 0] - mu))
assert np.max(np.abs(ours[:, 1] - sd)) <= 1e-6, np.max(np.abs(ours[:, 1] - sd))
best = G(C(1.0, (1e-5, 1e3)) * RBF(1.0, (1e-5, 1e3)), alpha=1e-10, normalize_y=True,
         n_restarts_optimizer=5, random_state=0).fit(z, y).log_marginal_likelihood_value_
assert fit["lml"] >= best - 1e-6, (fit["lml"], best)
assert m["format"] == "alloyscout-gpr" and m["version"] == 1 and m["seed"] == "3"
print("ok: max |dmean| %.2e, LML ours %.10f vs sklearn %.10f" % (np.max(np.abs(ours[:, 0] - mu)), fit["lml"], best))
PY

# a text cell among the features: file:line:column and exit 1
sed '4s/^c2,\([^,]*\),/c2,\1,oops,/; 4s/,oops,[^,]*,/,oops,/' "$T/train.csv" > "$T/bad.csv"
"$BIN" gpr fit --data "$T/bad.csv" --target e --drop name --model "$T/b.json" 2> "$T/err"
[ $? -eq 1 ] || fail "non-numeric cell should exit 1"
grep -q "bad.csv:4:[0-9]*: column 'f2' must be numeric, got 'oops'" "$T/err" || { cat "$T/err"; fail "message"; }
[ ! -e "$T/b.json" ] || fail "no model file on failure"
# wrong model version
sed 's/"version":[ \t]*1/"version": 2/' "$T/g.json" > "$T/g2.json"
"$BIN" gpr predict --model "$T/g2.json" --data "$T/query.csv" --out "$T/p2.csv" 2> "$T/err"
[ $? -eq 1 ] || fail "wrong version should exit 1"
grep -q "version 2 is not supported" "$T/err" || { cat "$T/err"; fail "version message"; }
[ ! -e "$T/p2.csv" ] || fail "no output on failure"
# missing feature column in the query
cut -d, -f1-5,7 "$T/query.csv" > "$T/q3.csv"
"$BIN" gpr predict --model "$T/g.json" --data "$T/q3.csv" --out "$T/p3.csv" 2> "$T/err"
[ $? -eq 1 ] || fail "missing column should exit 1"
grep -q "f1" "$T/err" || { cat "$T/err"; fail "missing column message"; }
# usage errors exit 2
"$BIN" gpr fit --data "$T/train.csv" 2>/dev/null; [ $? -eq 2 ] || fail "usage exit code"
"$BIN" gpr fit --pca 1.5 --data x --target e --model m 2>/dev/null; [ $? -eq 2 ] || fail "--pca range"
echo "all gpr CLI checks passed"
