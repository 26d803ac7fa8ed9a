"""Independent fcc shell statistics from ASE's neighbour list (shared by fcc_ref.py and
generate_ref.py): concentrations, bond fractions, pair correlations and Warren-Cowley alpha per
shell, and nearest-neighbour triangle fractions, from the definitions in docs/lattice.md.
The lattice constant is taken from the cell's volume, a = (4 V / n)^(1/3)."""
import itertools

import numpy as np
from ase.neighborlist import neighbor_list


def reference(atoms, order, shells, triplets, tol=1e-6):
    """tol: distance window (A) of a shell; 1e-6 for ideal positions, ~0.3 for relaxed ones."""
    sym = atoms.get_chemical_symbols()
    spec = np.array([order.index(s) for s in sym])
    n, K = len(atoms), len(order)
    A = (4 * abs(atoms.get_volume()) / len(atoms)) ** (1 / 3)
    radii = A * np.sqrt([0.5, 1.0, 1.5, 2.0])[:shells]
    z = [12, 6, 24, 12][:shells]
    i, j, D = neighbor_list("ijD", atoms, radii[-1] + max(tol, 0.05))
    d = np.linalg.norm(D, axis=1)
    P = np.zeros((shells, K, K))
    for s in range(shells):
        hit = np.abs(d - radii[s]) < tol
        assert hit.sum() == n * z[s], "shell count"
        np.add.at(P[s], (spec[i[hit]], spec[j[hit]]), 1.0)
        P[s] /= n * z[s]
    c = np.bincount(spec, minlength=K) / n
    out = list(c)
    for s in range(shells):
        for p in range(K):
            for q in range(p, K):
                out.append(P[s, p, p] if p == q else 2 * P[s, p, q])
    for s in range(shells):
        for p in range(K):
            for q in range(p + 1, K):
                out.append(P[s, p, q] - c[p] * c[q])
    for s in range(shells):
        for p in range(K):
            for q in range(p + 1, K):
                out.append(1 - P[s, p, q] / (c[p] * c[q]) if c[p] * c[q] > 0 else None)
    if triplets:
        first = np.abs(d - radii[0]) < tol
        tri = {t: 0 for t in itertools.combinations_with_replacement(range(K), 3)}
        total = 0
        for a in range(n):
            sel = np.nonzero(first & (i == a))[0]
            for x, y in itertools.combinations(sel, 2):
                if abs(np.linalg.norm(D[y] - D[x]) - radii[0]) < tol:
                    tri[tuple(sorted((spec[a], spec[j[x]], spec[j[y]])))] += 1
                    total += 1
        assert total == 24 * n, "triangles"
        out += [tri[t] / total for t in sorted(tri)]
    return out


