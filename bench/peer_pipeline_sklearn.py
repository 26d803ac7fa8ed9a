#!/usr/bin/env python3
"""Peer for bench/run_pipeline.sh and bench/run_stopping.sh: the synthesis-outcome workflow as a
scikit-learn user runs it, with no code of ours in the loop:

    imblearn.pipeline.Pipeline([StandardScaler(), SMOTETomek(random_state=seed),
                                MLPClassifier((64, 32), solver="adam", learning_rate_init=1e-3,
                                              batch_size=16, max_iter=50, early_stopping=True,
                                              random_state=seed)])

scored by ROC AUC on each of 5 stratified folds (StratifiedKFold(5, shuffle=True), or
StratifiedGroupKFold with --group, so one group never sits on both sides).  Everything else is
the libraries' defaults: SMOTETomek's SMOTE (k = 5) and Tomek links removing both members of a
link; MLPClassifier's ReLU, log-loss, L2 alpha 1e-4, Glorot initialization, and its early
stopping (10 % of the -- resampled -- training rows held out, validation *accuracy* watched,
stop after 10 epochs without an improvement of 1e-4, best weights restored).
--no-early-stopping runs all 50 epochs on every row.

--outputs also computes, inside the timed section, the rest of what `alloyscout synth cv` prints
from the same out-of-fold probabilities, the way a scikit-learn user gets it: per fold and pooled
PR AUC (average_precision_score), accuracy, balanced accuracy, precision, recall, F1, MCC
(threshold 0.5) and Brier score; the 95 % bootstrap interval of the pooled ROC AUC (2000
resamples of the rows, or of whole groups with --group; roc_auc_score per resample, one-class
resamples skipped, numpy.percentile); and the calibration table: calibration_curve (10 uniform
bins), ECE and brier_score_loss as predicted and after Platt (LogisticRegression on the logit)
and isotonic (IsotonicRegression(out_of_bounds="clip")) calibrators cross-fitted over the folds.
Its time is reported as "seconds_outputs" (the whole, fit included).

Usage: peer_pipeline_sklearn.py DATA.csv TARGET DROP_COLS SEED [--group COL] [--no-early-stopping]
                                [--outputs]
DATA.csv may be any table: numeric columns are used as they are, the others one-hot encoded
(levels sorted).  `alloyscout synth cv --features F.csv` writes the exact feature matrix
alloyscout trains on (one-hot and composition descriptors), so both learners see one input.
Prints one JSON line: {"auc_mean", "auc_folds", "seconds", "cpu_seconds" (CPU time of the pipeline, all threads), "max_rss_kb", "epochs"[, "seconds_outputs", "auc_pooled_ci", "ece"]}."""
import csv, json, resource, sys, time, warnings

import numpy as np
from imblearn.combine import SMOTETomek
from imblearn.pipeline import Pipeline
from sklearn.calibration import calibration_curve
from sklearn.exceptions import ConvergenceWarning
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (accuracy_score, average_precision_score, balanced_accuracy_score,
                             brier_score_loss, f1_score, matthews_corrcoef, precision_score,
                             recall_score, roc_auc_score)
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler


def load(path, target, drop, group):
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    cols = [c for c in rows[0].keys() if c != target and c != group and c not in drop]
    numeric, text = [], []
    for c in cols:
        try:
            [float(r[c]) for r in rows]
            numeric.append(c)
        except ValueError:
            text.append(c)
    x = np.array([[float(r[c]) for c in numeric] for r in rows], dtype=np.float64)
    for c in text:  # one-hot, levels sorted
        levels = sorted({r[c] for r in rows})
        oh = np.array([[1.0 if r[c] == l else 0.0 for l in levels] for r in rows])
        x = np.hstack([x, oh])
    y = np.array([int(float(r[target])) for r in rows])
    g = np.array([r[group] for r in rows]) if group else None
    return x, y, g


def metrics(y, p):
    """The per-part table of synth cv."""
    hard = (p >= 0.5).astype(int)
    return {"auc": roc_auc_score(y, p), "pr_auc": average_precision_score(y, p),
            "accuracy": accuracy_score(y, hard), "balanced_accuracy": balanced_accuracy_score(y, hard),
            "precision": precision_score(y, hard, zero_division=0),
            "recall": recall_score(y, hard, zero_division=0), "f1": f1_score(y, hard, zero_division=0),
            "mcc": matthews_corrcoef(y, hard), "brier": brier_score_loss(y, p)}


def ece(y, p):
    """Expected calibration error over calibration_curve's 10 uniform bins."""
    pt, pp = calibration_curve(y, p, n_bins=10, strategy="uniform")
    cnt = np.bincount(np.searchsorted(np.linspace(0, 1, 11)[1:-1], p), minlength=10)
    cnt = cnt[cnt > 0]
    return float(np.sum(cnt * np.abs(pt - pp)) / len(p))


def outputs(y, p, part, g, seed):
    """Everything else synth cv prints, from the out-of-fold probabilities p (part: fold of each row)."""
    table = [metrics(y[part == k], p[part == k]) for k in range(5)] + [metrics(y, p)]
    rng = np.random.default_rng(seed)
    if g is None:
        draw = lambda: rng.integers(0, len(y), len(y))
    else:
        members = [np.flatnonzero(g == k) for k in np.unique(g)]
        draw = lambda: np.concatenate([members[k] for k in rng.integers(0, len(members), len(members))])
    boot = []
    for _ in range(2000):
        idx = draw()
        if y[idx].min() != y[idx].max():
            boot.append(roc_auc_score(y[idx], p[idx]))
    ci = np.percentile(boot, [2.5, 97.5]).tolist()
    logit = np.clip(np.log(np.clip(p, 1e-300, None)) - np.log1p(-np.clip(p, None, 1 - 1e-16)), -36, 36)
    cal = {"none": p}
    for name in ("platt", "isotonic"):
        q = np.empty_like(p)
        for k in range(5):  # cross-fitted: each fold calibrated on the other folds' rows
            tr, te = part != k, part == k
            if name == "platt":
                c = LogisticRegression(C=1e10).fit(logit[tr, None], y[tr])
                q[te] = c.predict_proba(logit[te, None])[:, 1]
            else:
                q[te] = IsotonicRegression(out_of_bounds="clip").fit(p[tr], y[tr]).predict(p[te])
        cal[name] = q
    return table, ci, {k: (ece(y, q), brier_score_loss(y, q)) for k, q in cal.items()}


def main():
    args = sys.argv[1:]
    group, early = None, True
    if "--group" in args:
        i = args.index("--group")
        group = args[i + 1]
        del args[i:i + 2]
    if "--no-early-stopping" in args:
        args.remove("--no-early-stopping")
        early = False
    want_outputs = "--outputs" in args
    if want_outputs:
        args.remove("--outputs")
    path, target, drop, seed = args[0], args[1], set(args[2].split(",")), int(args[3])
    x, y, g = load(path, target, drop, group)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    t0 = time.perf_counter()
    c0 = time.process_time()
    if group:
        splits = StratifiedGroupKFold(5, shuffle=True, random_state=seed).split(x, y, g)
    else:
        splits = StratifiedKFold(5, shuffle=True, random_state=seed).split(x, y)
    aucs, epochs = [], []
    oof, part = np.empty(len(y)), np.empty(len(y), dtype=int)
    for f, (tr, te) in enumerate(splits):
        rs = seed * 100 + f
        pipe = Pipeline([
            ("scale", StandardScaler()),
            ("resample", SMOTETomek(random_state=rs)),
            ("mlp", MLPClassifier(hidden_layer_sizes=(64, 32), solver="adam",
                                  learning_rate_init=1e-3, batch_size=16, max_iter=50,
                                  early_stopping=early, random_state=rs)),
        ])
        pipe.fit(x[tr], y[tr])
        oof[te], part[te] = pipe.predict_proba(x[te])[:, 1], f
        aucs.append(roc_auc_score(y[te], oof[te]))
        epochs.append(pipe.named_steps["mlp"].n_iter_)
    secs = time.perf_counter() - t0
    cpu = time.process_time() - c0
    out = {"auc_mean": float(np.mean(aucs)), "auc_folds": aucs, "seconds": secs, "cpu_seconds": cpu}
    if want_outputs:
        _, ci, cal = outputs(y, oof, part, g, seed)
        out.update({"seconds_outputs": time.perf_counter() - t0, "auc_pooled_ci": ci,
                    "ece": {k: v[0] for k, v in cal.items()}})
    out.update({"max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "epochs": epochs})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
