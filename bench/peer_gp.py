#!/usr/bin/python3
"""Peer of bench/bench_gp.c: scikit-learn GaussianProcessRegressor on the same data file with
the same kernel, bounds, jitter, normalization and number of restarts.

usage: peer_gp.py DATA RESTARTS [SEED]
Prints one line: n d restarts fit_s predict_s lml c2 l evaluations (and the BLAS in use on
stderr). `evaluations` counts the LML evaluations over all starts; the count is taken by a
subclass that only wraps the objective scikit-learn passes to its own default optimizer."""
import sys
import time
import numpy as np
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, RBF


class CountingGPR(GaussianProcessRegressor):
    """GaussianProcessRegressor with its default L-BFGS-B, counting objective calls."""
    evaluations = 0

    def _constrained_optimization(self, obj_func, initial_theta, bounds):
        def counted(theta, eval_gradient=True):
            CountingGPR.evaluations += 1
            return obj_func(theta, eval_gradient)
        return super()._constrained_optimization(counted, initial_theta, bounds)


def main():
    path, restarts = sys.argv[1], int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    with open(path) as f:
        n, d = map(int, f.readline().split())
        xy = np.array([[float(v) for v in f.readline().split()] for _ in range(n)])
        m = int(f.readline())
        xq = np.array([[float(v) for v in f.readline().split()] for _ in range(m)])
    x, y = xy[:, :d], xy[:, d]
    try:
        import threadpoolctl
        info = threadpoolctl.threadpool_info()
        sys.stderr.write("peer BLAS: %s\n" % ", ".join(
            "%s/%s threads=%s" % (i.get("internal_api"), i.get("version"), i.get("num_threads"))
            for i in info))
    except ImportError:
        sys.stderr.write("peer BLAS: threadpoolctl not available\n")
    kernel = ConstantKernel(1.0, (1e-5, 1e3)) * RBF(1.0, (1e-5, 1e3))
    gpr = CountingGPR(kernel, alpha=1e-10, normalize_y=True,
                      n_restarts_optimizer=restarts, random_state=seed)
    t0 = time.perf_counter()
    gpr.fit(x, y)
    t1 = time.perf_counter()
    mean, std = gpr.predict(xq, return_std=True)
    t2 = time.perf_counter()
    th = np.exp(gpr.kernel_.theta)
    print("%d %d %d %.4f %.4f %.10f %.6g %.6g %d" % (n, d, restarts, t1 - t0, t2 - t1,
                                                    gpr.log_marginal_likelihood_value_, th[0],
                                                    th[1], CountingGPR.evaluations))


if __name__ == "__main__":
    main()
