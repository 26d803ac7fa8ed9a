#!/usr/bin/python3
"""Peer for benchmark 12a: imbalanced-learn SMOTE + Tomek links on the same data as
bench_resample.c.

  peer_resample.py gen N SEED OUT.bin     write the dataset (see below)
  peer_resample.py tomek IN.bin OUT.txt   imblearn TomekLinks(sampling_strategy='all') removed rows
  peer_resample.py run IN.bin SEED        time SMOTETomek; one JSON line on stdout

Dataset: sklearn make_classification(n, 15 features, 5 informative, 5 redundant, weights 0.9/0.1,
random_state=SEED), z-scored per feature (the paper's preprocessing). Binary file, little endian:
b"ASRS0001", uint64 n, uint64 d, n*d float64 row-major, n int32 labels.
Call with env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 (see bench/run_resample.sh).
"""
import json
import os
import resource
import struct
import sys
import time

import numpy as np

MAGIC = b"ASRS0001"


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
            sys.exit(f"{path}: not an ASRS0001 file")
        n, d = struct.unpack("<QQ", f.read(16))
        x = np.frombuffer(f.read(8 * n * d), dtype="<f8").reshape(n, d).copy()
        y = np.frombuffer(f.read(4 * n), dtype="<i4").astype(np.int64)
    return x, y


def gen(n, seed, out):
    from sklearn.datasets import make_classification

    x, y = make_classification(n_samples=n, n_features=15, n_informative=5, n_redundant=5,
                               weights=[0.9, 0.1], random_state=seed)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    write_data(out, x, y)


def tomek(path, out):
    from imblearn.under_sampling import TomekLinks

    x, y = read_data(path)
    tl = TomekLinks(sampling_strategy="all")
    tl.fit_resample(x, y)
    removed = np.setdiff1d(np.arange(len(y)), tl.sample_indices_)
    with open(out, "w") as f:
        f.write(" ".join(str(i) for i in removed) + "\n")


def run(path, seed):
    import imblearn
    import sklearn
    from imblearn.combine import SMOTETomek
    from imblearn.over_sampling import SMOTE
    from imblearn.under_sampling import TomekLinks
    from threadpoolctl import threadpool_info

    x, y = read_data(path)
    t0, c0 = time.perf_counter(), time.process_time()
    st = SMOTETomek(smote=SMOTE(k_neighbors=5, random_state=seed),
                    tomek=TomekLinks(sampling_strategy="all"), random_state=seed)
    xr, yr = st.fit_resample(x, y)
    sec, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "who": "imblearn", "imblearn": imblearn.__version__, "sklearn": sklearn.__version__,
        "blas": sorted({p.get("internal_api", "?") for p in threadpool_info()}),
        "n": int(len(y)), "d": int(x.shape[1]), "seconds": sec, "cpu_seconds": cpu,
        "n_out": int(len(yr)),
        "n_out_class": [int(np.sum(yr == 0)), int(np.sum(yr == 1))], "maxrss_kb": rss_kb}))


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "gen":
        gen(int(float(sys.argv[2])), int(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) == 4 and sys.argv[1] == "tomek":
        tomek(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "run":
        run(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
