#!/usr/bin/python3
"""Peer for benchmark 12b: PyTorch training of the paper's MLP on the same data as bench_mlp.c.

  peer_mlp.py gen N SEED OUT.bin               write the dataset (see below)
  peer_mlp.py run IN.bin N LOOP DTYPE EPOCHS REPEATS
                                               time the training (median of REPEATS fresh
                                               models); one JSON line on stdout

Dataset: sklearn make_classification(N, 15 features, 5 informative, 5 redundant, weights
0.7/0.3, flip_y 0.05, random_state=SEED), z-scored per feature (the paper's preprocessing).
Binary file, little endian: b"ASML0001", uint64 n, uint64 d, n*d float64 row-major, n int32
labels. `run` uses the first N rows.

Model and optimiser as in seed 000 section 2.4 and as_mlp: Linear(15, 64) ReLU Linear(64, 32)
ReLU Linear(32, 1), BCEWithLogitsLoss (mean), Adam(lr 1e-3, betas (0.9, 0.999), eps 1e-8),
batch 16, reshuffled every epoch, EPOCHS epochs, no early stopping. LOOP is how the epoch is
written:
  dataloader  DataLoader(TensorDataset(X, Y), batch_size=16, shuffle=True), the tutorial way
  index       torch.randperm + slicing of preloaded tensors (less Python overhead)
DTYPE is float32 (PyTorch's default, what its users run) or float64 (alloyscout's precision).
Torch runs with its default thread count (reported). Timed: the epochs only (imports, data
loading and model creation excluded). Call with env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE
/usr/bin/python3 (bench/run_mlp.sh).
"""
import json
import os
import resource
import struct
import sys
import time

import numpy as np

MAGIC = b"ASML0001"


def write_data(path, x, y):
    with open(path + ".tmp", "wb") as f:
        f.write(MAGIC)
        f.write(struct.pack("<QQ", x.shape[0], x.shape[1]))
        f.write(np.ascontiguousarray(x, dtype="<f8").tobytes())
        f.write(np.ascontiguousarray(y, dtype="<i4").tobytes())
    os.replace(path + ".tmp", path)


def read_data(path):
    with open(path, "rb") as f:
        if f.read(8) != MAGIC:
            sys.exit(f"{path}: not an ASML0001 file")
        n, d = struct.unpack("<QQ", f.read(16))
        x = np.frombuffer(f.read(8 * n * d), dtype="<f8").reshape(n, d).copy()
        y = np.frombuffer(f.read(4 * n), dtype="<i4").copy()
    return x, y


def gen(n, seed, out):
    from sklearn.datasets import make_classification
    x, y = make_classification(n_samples=n, n_features=15, n_informative=5, n_redundant=5,
                               weights=[0.7, 0.3], flip_y=0.05, random_state=seed)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    write_data(out, x, y.astype(np.int32))


def train_once(X, Y, n, loop, dt, epochs):
    import torch
    net = torch.nn.Sequential(
        torch.nn.Linear(15, 64), torch.nn.ReLU(),
        torch.nn.Linear(64, 32), torch.nn.ReLU(),
        torch.nn.Linear(32, 1)).to(dt)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    lossf = torch.nn.BCEWithLogitsLoss()
    if loop == "dataloader":
        dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, Y), batch_size=16,
                                         shuffle=True)
    t0 = time.perf_counter()
    for _ in range(epochs):
        if loop == "dataloader":
            it = dl
        else:
            perm = torch.randperm(n)
            it = ((X[perm[s:s + 16]], Y[perm[s:s + 16]]) for s in range(0, n, 16))
        for xb, yb in it:
            opt.zero_grad()
            loss = lossf(net(xb).squeeze(1), yb)
            loss.backward()
            opt.step()
    seconds = time.perf_counter() - t0
    with torch.no_grad():
        final = lossf(net(X).squeeze(1), Y).item()
    return seconds, final


def run(path, n, loop, dtype, epochs, repeats):
    import torch
    import threadpoolctl
    torch.manual_seed(2385)
    dt = {"float32": torch.float32, "float64": torch.float64}[dtype]
    x, y = read_data(path)
    x, y = x[:n], y[:n]
    X = torch.tensor(x, dtype=dt)
    Y = torch.tensor(y, dtype=dt)
    runs = [train_once(X, Y, n, loop, dt, epochs) for _ in range(repeats)]
    seconds = sorted(r[0] for r in runs)[repeats // 2]
    final = runs[0][1]
    blas = sorted({i["internal_api"] for i in threadpoolctl.threadpool_info()})
    print(json.dumps({
        "seconds": seconds, "final_loss": final, "torch": torch.__version__,
        "threads": torch.get_num_threads(), "blas": blas,
        "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "gen":
        gen(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) == 8 and sys.argv[1] == "run":
        run(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], int(sys.argv[6]),
            int(sys.argv[7]))
    else:
        sys.exit(__doc__)
