#!/bin/bash
# End-to-end test of `alloyscout gpr cv` against scikit-learn run live: for every fold of our
# JSON (folds grouped by a column), StandardScaler -> PCA(0.99) -> GaussianProcessRegressor with
# the hyperparameters our fold fit chose (optimizer=None, ConstantKernel * RBF + WhiteKernel)
# must give the same held-out mean and std (1e-6) and the same MAE/RMSE/R2/coverage/NLL; each
# group sits in one fold; `gpr fit` warns about shared inputs with different targets; usage
# errors exit 2. args: $1 = build dir, $2 = source dir. Exit 77 when scikit-learn is absent.
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
rng = np.random.default_rng(2385)
n = 45
lat = rng.normal(size=(n, 3)) * [2.0, 1.0, 0.4]
x = lat @ rng.normal(size=(3, 5)) + 0.01 * rng.normal(size=(n, 5))
y = np.sin(lat[:, 0]) + 0.2 * lat[:, 1] ** 2 + 0.05 * rng.normal(size=n)
x[7] = x[3]; x[12] = x[3]          # three rows share one input, with different targets
with open(t + "/d.csv", "w") as f:
    f.write("name,sys,f1,f2,f3,f4,f5,e\n")
    for i in range(n):
        f.write("c%d,s%d," % (i, i % 9) + ",".join("%.17g" % v for v in x[i]) + ",%.17g\n" % y[i])
PY

"$BIN" gpr cv --data "$T/d.csv" --target e --features 'f*' --group sys --folds 4 --restarts 3 \
    --seed 5 --json "$T/cv.json" --out "$T/cv.csv" > "$T/cv.txt" 2> "$T/cv.err" \
    || { cat "$T/cv.err"; fail "gpr cv"; }
grep -q "^pooled" "$T/cv.txt" || fail "no pooled row: $(cat "$T/cv.txt")"
[ "$(grep -c '^fold ' "$T/cv.txt")" = 4 ] || fail "4 fold rows"
grep -q "warning: 1 input vector is shared by 3 rows with different targets" "$T/cv.err" \
    || { cat "$T/cv.err"; fail "no shared-input warning"; }

/usr/bin/python3 - "$T" <<'PY' || fail "comparison with scikit-learn"
import sys, json, csv, numpy as np
from sklearn.preprocessing import StandardScaler
from sklearn.decomposition import PCA
from sklearn.gaussian_process import GaussianProcessRegressor as G
from sklearn.gaussian_process.kernels import ConstantKernel as C, RBF, WhiteKernel as W
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
t = sys.argv[1]
rows = list(csv.reader(open(t + "/d.csv")))[1:]
x = np.array([[float(v) for v in r[2:7]] for r in rows]); y = np.array([float(r[7]) for r in rows])
grp = [r[1] for r in rows]
cv = json.load(open(t + "/cv.json"))
fold = np.array([r["fold"] for r in cv["rows"]], dtype=int)
ours_m = np.array([r["mean"] for r in cv["rows"]]); ours_s = np.array([r["std"] for r in cv["rows"]])
assert cv["k"] == 4 and cv["noise"] is True and len(fold) == len(y)
for g in set(grp):
    assert len(set(fold[[i for i in range(len(y)) if grp[i] == g]])) == 1, "group split"
def metrics(yy, m, s):
    e = yy - m
    return [mean_absolute_error(yy, m), np.sqrt(mean_squared_error(yy, m)), r2_score(yy, m),
            np.mean(np.abs(e) <= s), np.mean(np.abs(e) <= 2 * s),
            np.mean(0.5 * np.log(2 * np.pi * s ** 2) + e ** 2 / (2 * s ** 2))]
mean = np.zeros(len(y)); std = np.zeros(len(y))
for f in range(4):
    tr, te = fold != f, fold == f
    th = np.exp(cv["folds"][f]["theta"])
    sc = StandardScaler().fit(x[tr]); p = PCA(0.99, svd_solver="full").fit(sc.transform(x[tr]))
    g = G(C(th[0]) * RBF(th[1]) + W(th[2]), alpha=1e-10, normalize_y=True, optimizer=None)
    g.fit(p.transform(sc.transform(x[tr])), y[tr])
    mean[te], std[te] = g.predict(p.transform(sc.transform(x[te])), return_std=True)
    ref = metrics(y[te], mean[te], std[te]); fm = cv["folds"][f]
    got = [fm["mae"], fm["rmse"], fm["r2"], fm["cover1"], fm["cover2"], fm["nll"]]
    assert np.allclose(got, ref, rtol=1e-6, atol=1e-7), (f, got, ref)
assert np.max(np.abs(ours_m - mean)) < 1e-6, np.max(np.abs(ours_m - mean))
assert np.max(np.abs(ours_s - std)) < 1e-6, np.max(np.abs(ours_s - std))
pm = cv["pooled"]
assert np.allclose([pm["mae"], pm["rmse"], pm["r2"], pm["cover1"], pm["cover2"], pm["nll"]],
                   metrics(y, mean, std), rtol=1e-6, atol=1e-7)
out = list(csv.reader(open(t + "/cv.csv")))
assert out[0] == ["row", "fold", "e", "mean", "std"] and len(out) == len(y) + 1
print("ok: gpr cv agrees with scikit-learn, max |dmean| %.2e" % np.max(np.abs(ours_m - mean)))
PY

# the same seed gives the same report
"$BIN" gpr cv --data "$T/d.csv" --target e --features 'f*' --group sys --folds 4 --restarts 3 \
    --seed 5 --quiet > "$T/cv2.txt" 2> /dev/null || fail "gpr cv again"
cmp -s "$T/cv.txt" "$T/cv2.txt" || fail "not deterministic"
# gpr fit warns about the shared input too; without a noise term it says so
"$BIN" gpr fit --data "$T/d.csv" --target e --drop 'name,sys' --restarts 2 --no-noise \
    --model "$T/g.json" 2> "$T/fit.err" || fail "gpr fit"
grep -q "fit without a noise term collapses" "$T/fit.err" || { cat "$T/fit.err"; fail "fit warning"; }
# usage errors exit 2, runtime errors 1
"$BIN" gpr cv --data "$T/d.csv" 2>/dev/null; [ $? -eq 2 ] || fail "missing --target not 2"
"$BIN" gpr cv --data "$T/d.csv" --target e --folds 1 2>/dev/null; [ $? -eq 2 ] || fail "--folds 1"
"$BIN" gpr cv --data "$T/d.csv" --target e --drop name,sys --folds 50 2>/dev/null
[ $? -eq 1 ] || fail "too many folds not 1"
"$BIN" gpr cv --help | grep -q "usage: alloyscout gpr cv" || fail "help"
echo "all gpr cv checks passed"
