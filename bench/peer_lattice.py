"""Peer of bench/bench_lattice.c: a straightforward numpy implementation of the same work.

- Neighbour shells from ASE's neighbour list (ase.neighborlist.neighbor_list) on the ideal
  positions: the 108-atom Pt2CoCu cell (L1_0 PtCo doubled along a, 3x3x3) and the 32x32x32 fcc
  supercell (131 072 atoms), first shell only for the swaps, shells 1-3 for the fingerprint.
- SRO-targeted swaps: propose a random Pt site and a random Co/M site, the change of
  N_Pt,(Co,M) from the two neighbour rows with numpy, Metropolis on |N - N*| at T = 2 (as the C
  bench); the random numbers are drawn in blocks of 100 000 to keep the Python loop lean.
- Fingerprint: pair counts per shell with numpy.bincount over the (n, z) neighbour table, then
  the 9 alphas and 6 bond counts of the paper.
Checks before timing: the tracked N equals a full recount; the ordered cell gives alpha = -1/3.
Times are CPU time of the process (time.process_time), as in the C bench.
usage: peer_lattice.py [seconds per measurement]
"""
import sys
import time

import numpy as np
from ase import Atoms
from ase.build import bulk
from ase.neighborlist import neighbor_list

SECS = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
A = 3.80


def tables(atoms, nshell):
    """(n, z_s) neighbour index tables of the first nshell fcc shells, images counted."""
    radii = A * np.sqrt(np.arange(1, nshell + 1) / 2.0)
    i, j, d = neighbor_list("ijd", atoms, radii[-1] + 0.1)
    out = []
    for r in radii:
        m = np.abs(d - r) < 1e-3
        ii, jj = i[m], j[m]
        order = np.argsort(ii, kind="stable")
        out.append(jj[order].reshape(len(atoms), -1))
    return out


def pt2com():
    at = A / np.sqrt(2)
    return Atoms("Pt2CoCu", scaled_positions=[(0, 0, 0), (0.5, 0, 0), (0.25, 0.5, 0.5),
                                              (0.75, 0.5, 0.5)],
                 cell=[2 * at, at, A], pbc=True).repeat((3, 3, 3))


def count_pairs(nb, spec, xm, ym):
    return int((xm[spec][:, None] & ym[spec[nb]]).sum())


def swaps(name, atoms, spec, K, alpha_target, rng):
    nb = tables(atoms, 1)[0]
    n, z = nb.shape
    xm = np.zeros(K, bool)
    xm[0] = True
    ym = ~xm
    N = count_pairs(nb, spec, xm, ym)
    nx = int(xm[spec].sum())
    ny = n - nx
    denom = nx * z * ny / n
    target = int(round((1 - alpha_target) * denom / 2)) * 2 + (nx * z) % 2
    x = xm[spec].astype(np.int64)
    y = ym[spec].astype(np.int64)
    xs = np.nonzero(x)[0]
    os_ = np.nonzero(1 - x)[0]
    pos_x = {int(s): k for k, s in enumerate(xs)}
    pos_o = {int(s): k for k, s in enumerate(os_)}

    def run(n_attempts):
        nonlocal N
        acc = 0
        done = 0
        while done < n_attempts:
            m = min(100000, n_attempts - done)
            ia = rng.integers(0, len(xs), m)
            ib = rng.integers(0, len(os_), m)
            u = rng.random(m)
            for k in range(m):
                a = xs[ia[k]]
                b = os_[ib[k]]
                if spec[a] == spec[b]:
                    continue
                na, nbb = nb[a], nb[b]
                mab = int((na == b).sum())
                fxa, fya = x[na].sum(), y[na].sum()
                fxb, fyb = x[nbb].sum(), y[nbb].sum()
                mm = mab  # no site is its own first neighbour in these cells
                d = (x[b] - x[a]) * (fya - fyb + mm * (y[a] - y[b])) + \
                    (y[b] - y[a]) * (fxa - fxb + mm * (x[a] - x[b]))
                dE = abs(N + d - target) - abs(N - target)
                if dE > 0 and u[k] >= np.exp(-dE / 2.0):
                    continue
                spec[a], spec[b] = spec[b], spec[a]
                x[a], x[b] = x[b], x[a]
                y[a], y[b] = y[b], y[a]
                ka, kb = pos_x.pop(int(a)), pos_o.pop(int(b))
                xs[ka], os_[kb] = b, a
                pos_x[int(b)], pos_o[int(a)] = ka, kb
                N += int(d)
                acc += 1
            done += m
        return acc

    run(20000)
    assert N == count_pairs(nb, spec, xm, ym), "incremental N differs from the recount"
    total, t0 = 0, time.process_time()
    while True:
        run(20000)
        total += 20000
        t = time.process_time() - t0
        if t >= SECS:
            break
    assert N == count_pairs(nb, spec, xm, ym), "incremental N differs after timing"
    print(f"{name}_sites {n}")
    print(f"{name}_swaps_per_s {total / t:.6g}")


def fingerprint(nbs, spec, K):
    n = len(spec)
    Np = np.bincount(spec, minlength=K).astype(float)
    out = []
    C = []
    for nb in nbs:
        C.append(np.bincount((spec[:, None] * K + spec[nb]).ravel(),
                             minlength=K * K).reshape(K, K))
    z = [nb.shape[1] for nb in nbs]
    for p in range(K):
        for q in range(p + 1, K):
            for s in range(3):
                out.append(1 - C[s][p, q] / (Np[p] * z[s] * Np[q] / n))
    for p in range(K):
        for q in range(p + 1, K):
            out.append(float(C[0][p, q]))
    for p in range(K):
        out.append(C[0][p, p] / 2)
    return np.array(out)


def main():
    try:
        import threadpoolctl
        apis = sorted({d.get("internal_api") for d in threadpoolctl.threadpool_info()})
        print(f"# threadpoolctl internal_api: {apis}")
    except ImportError:
        print("# threadpoolctl not installed")
    rng = np.random.default_rng(2385)
    cell = pt2com()
    spec0 = np.array([{"Pt": 0, "Co": 1, "Cu": 2}[s] for s in cell.get_chemical_symbols()])
    nbs = tables(cell, 3)
    assert [nb.shape[1] for nb in nbs] == [12, 6, 24]
    fp = fingerprint(nbs, spec0, 3)
    assert abs(fp[0] + 1 / 3) < 1e-12 and list(fp[9:]) == [216, 216, 54, 108, 27, 27], fp
    swaps("swap108", cell, rng.permutation(spec0), 3, 1 / 6, rng)
    big = bulk("Pt", "fcc", a=A, cubic=True).repeat((32, 32, 32))
    spec = np.zeros(len(big), np.int64)
    spec[len(big) // 2:] = 1
    swaps("swap131072", big, rng.permutation(spec), 2, 0.1, rng)
    cfgs = [rng.permutation(spec0) for _ in range(64)]
    total, t0 = 0, time.process_time()
    while True:
        for c in cfgs:
            fingerprint(nbs, c, 3)
        total += len(cfgs)
        t = time.process_time() - t0
        if t >= SECS:
            break
    print(f"fp108_per_s {total / t:.6g}")
    print(f"fp108_us {1e6 * t / total:.4f}")


main()
