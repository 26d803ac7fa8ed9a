#!/usr/bin/env python3
"""Peer for bench/run_pipeline.sh: the synthesis-outcome workflow as a Python user writes it
with scikit-learn, imbalanced-learn and PyTorch, doing the same steps as `alloyscout synth cv`:
per stratified fold, StandardScaler fitted on the training part, a stratified 20 % validation
split of the real training rows, SMOTE (k=5) + Tomek links removing the majority member,
an MLP (64, 32; ReLU; sigmoid output, BCE from logits; Adam 1e-3, batch 16, at most 50 epochs,
early stopping with patience 10 on the validation loss, best weights restored), then ROC AUC on
the test fold.  Usage: peer_pipeline.py DATA.csv TARGET DROP_COLS SEED
Prints one JSON line: {"auc_mean", "auc_folds", "seconds", "cpu_seconds" (CPU time of the pipeline, all threads), "max_rss_kb"}."""
import csv, json, resource, sys, time

import numpy as np
import torch
from imblearn.over_sampling import SMOTE
from imblearn.under_sampling import TomekLinks
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.preprocessing import StandardScaler


def load(path, target, drop):
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    cols = [c for c in rows[0].keys() if c != target and c not in drop]
    numeric, text = [], []
    for c in cols:
        try:
            [float(r[c]) for r in rows]
            numeric.append(c)
        except ValueError:
            text.append(c)
    feats = []
    for r in rows:
        v = [float(r[c]) for c in numeric]
        feats.append(v)
    x = np.array(feats, dtype=np.float64)
    for c in text:  # one-hot, levels sorted
        levels = sorted({r[c] for r in rows})
        oh = np.array([[1.0 if r[c] == l else 0.0 for l in levels] for r in rows])
        x = np.hstack([x, oh])
    y = np.array([int(float(r[target])) for r in rows])
    return x, y


def fit_member(xtr, ytr, seed):
    torch.manual_seed(seed)
    scaler = StandardScaler().fit(xtr)
    xs = scaler.transform(xtr)
    xa, xv, ya, yv = train_test_split(xs, ytr, test_size=0.2, stratify=ytr, random_state=seed)
    counts = np.bincount(ya, minlength=2)
    majority = int(np.argmax(counts))
    xr, yr = SMOTE(k_neighbors=5, random_state=seed).fit_resample(xa, ya)
    xr, yr = TomekLinks(sampling_strategy=[majority]).fit_resample(xr, yr)
    d = xs.shape[1]
    net = torch.nn.Sequential(torch.nn.Linear(d, 64), torch.nn.ReLU(), torch.nn.Linear(64, 32),
                              torch.nn.ReLU(), torch.nn.Linear(32, 1)).double()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    xt = torch.tensor(xr)
    yt = torch.tensor(yr, dtype=torch.float64).unsqueeze(1)
    xvt = torch.tensor(xv)
    yvt = torch.tensor(yv, dtype=torch.float64).unsqueeze(1)
    g = torch.Generator().manual_seed(seed)
    best, best_state, since = float("inf"), None, 0
    for epoch in range(50):
        perm = torch.randperm(len(xt), generator=g)
        net.train()
        for i in range(0, len(xt), 16):
            idx = perm[i:i + 16]
            opt.zero_grad()
            loss = loss_fn(net(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
        net.eval()
        with torch.no_grad():
            vl = loss_fn(net(xvt), yvt).item()
        if vl < best:
            best, since = vl, 0
            best_state = {k: v.clone() for k, v in net.state_dict().items()}
        else:
            since += 1
            if since >= 10:
                break
    net.load_state_dict(best_state)
    return scaler, net


def main():
    path, target, drop, seed = sys.argv[1], sys.argv[2], set(sys.argv[3].split(",")), int(sys.argv[4])
    x, y = load(path, target, drop)
    t0 = time.perf_counter()
    c0 = time.process_time()
    aucs = []
    for f, (tr, te) in enumerate(StratifiedKFold(5, shuffle=True, random_state=seed).split(x, y)):
        scaler, net = fit_member(x[tr], y[tr], seed * 100 + f)
        with torch.no_grad():
            p = torch.sigmoid(net(torch.tensor(scaler.transform(x[te])))).numpy().ravel()
        aucs.append(roc_auc_score(y[te], p))
    secs = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(json.dumps({"auc_mean": float(np.mean(aucs)), "auc_folds": aucs, "seconds": secs, "cpu_seconds": cpu,
                      "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                      "torch_threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
