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

Usage: peer_pipeline_sklearn.py DATA.csv TARGET DROP_COLS SEED [--group COL] [--no-early-stopping]
DATA.csv may be any table: numeric columns are used as they are, the others one-hot encoded
(levels sorted).  `alloyscout synth cv --features F.csv` writes the exact feature matrix
alloyscout trains on (one-hot and composition descriptors), so both learners see one input.
Prints one JSON line: {"auc_mean", "auc_folds", "seconds", "cpu_seconds" (CPU time of the pipeline, all threads), "max_rss_kb", "epochs"}."""
import csv, json, resource, sys, time, warnings

import numpy as np
from imblearn.combine import SMOTETomek
from imblearn.pipeline import Pipeline
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import roc_auc_score
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
        aucs.append(roc_auc_score(y[te], pipe.predict_proba(x[te])[:, 1]))
        epochs.append(pipe.named_steps["mlp"].n_iter_)
    secs = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(json.dumps({"auc_mean": float(np.mean(aucs)), "auc_folds": aucs, "seconds": secs, "cpu_seconds": cpu,
                      "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                      "epochs": epochs}))


if __name__ == "__main__":
    main()
