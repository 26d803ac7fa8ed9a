"""Checks of `alloyscout lattice generate` beyond the prototype cells (run by
tests/lattice/test_generate.sh): compositions, fcc supercell matrices, several targets over
pairs and shells, the reachable-range refusal and the adapted paper set. Every alpha is
recomputed from ASE's neighbour list (fcc_nl.reference, written from the definitions).
usage: generate_ref.py ALLOYSCOUT_BINARY WORKDIR
"""
import subprocess
import sys

import numpy as np
from ase.io import read

from fcc_nl import reference

BIN, WORK = sys.argv[1], sys.argv[2]


def gen(*args, ok=True):
    p = subprocess.run([BIN, "lattice", "generate", "--quiet", *args], capture_output=True,
                       text=True)
    if ok:
        assert p.returncode == 0, p.stderr
    return p


def alphas(atoms, order, shells):
    """alpha of every pair p < q per shell, in fcc_nl's order (shell outer)."""
    K = len(order)
    ref = reference(atoms, order, shells, False)
    P = K * (K - 1) // 2
    start = K + shells * (K * (K + 1) // 2) + shells * P
    return {(s, p, q): ref[start + s * P + k]
            for s in range(shells)
            for k, (p, q) in enumerate((p, q) for p in range(K) for q in range(p + 1, K))}


def distinct(frames):
    keys = {tuple(sorted(np.round(reference(f, sorted(set(f.get_chemical_symbols())), 4,
                                            False), 12))) for f in frames}
    return len(keys)


# 1. composition on the fcc cube: 0.7 * 108 = 75.6 -> 76 Ag, 32 Pd (largest remainder)
path = f"{WORK}/comp.extxyz"
gen("--proto", "fcc", "--size", "3", "--composition", "Ag0.7Pd0.3", "--random", "2",
    "--out", path)
for f in read(path, index=":"):
    s = f.get_chemical_symbols()
    assert (s.count("Ag"), s.count("Pd")) == (76, 32), (s.count("Ag"), s.count("Pd"))

# 2. two shells of one pair at once; the reached values are the ones recorded
path = f"{WORK}/multi.extxyz"
gen("--proto", "fcc", "--size", "3", "--composition", "Ag0.7Pd0.3", "--target",
    "Ag-Pd@1=-0.1,Ag-Pd@2=0.05", "--count", "3", "--seed", "4", "--out", path)
frames = read(path, index=":")
assert len(frames) == 3
for f in frames:
    want = dict(item.split("=") for item in f.info["sro_targets"].split(","))
    al = alphas(f, ["Ag", "Pd"], 2)
    assert abs(al[(0, 0, 1)] - float(want["Ag-Pd@1"])) < 1e-12, (al, want)
    assert abs(al[(1, 0, 1)] - float(want["Ag-Pd@2"])) < 1e-12, (al, want)
    assert abs(al[(0, 0, 1)] + 0.1) < 0.01 and abs(al[(1, 0, 1)] - 0.05) < 0.01
assert distinct(frames) >= 2, "frames should differ"

# 3. two pairs of a ternary on a non-orthogonal supercell (M = 2 0 0 / 0 2 1 / 1 -1 2, 10 sites)
path = f"{WORK}/tern.extxyz"
M = "2 0 0 0 2 1 1 -1 2"
gen("--supercell", M, "--composition", "Cu0.4Ni0.3Pd0.3", "--target",
    "Cu-Ni@1=-0.2,Cu-Pd@1=0.1", "--count", "2", "--out", path)
for f in read(path, index=":"):
    assert len(f) == 10
    P = np.array([[0, .5, .5], [.5, 0, .5], [.5, .5, 0]]) * 3.8
    assert np.allclose(f.cell.array, np.array([int(v) for v in M.split()]).reshape(3, 3) @ P)
    want = dict(item.split("=") for item in f.info["sro_targets"].split(","))
    al = alphas(f, ["Cu", "Ni", "Pd"], 1)
    assert abs(al[(0, 0, 1)] - float(want["Cu-Ni@1"])) < 1e-12, (al, want)
    assert abs(al[(0, 0, 2)] - float(want["Cu-Pd@1"])) < 1e-12, (al, want)

# 4. a target outside the reachable range is refused with the nearest reachable one, which
#    then works
path = f"{WORK}/far.extxyz"
p = gen("--proto", "fcc", "--size", "3", "--composition", "Ag0.7Pd0.3", "--target",
        "Ag-Pd=-0.9", "--out", path, ok=False)
assert p.returncode == 1 and "nearest reachable target is '" in p.stderr, p.stderr
suggested = p.stderr.split("nearest reachable target is '")[1].split("'")[0]
try:
    open(path)
    raise AssertionError("output written on failure")
except FileNotFoundError:
    pass
gen("--proto", "fcc", "--size", "3", "--composition", "Ag0.7Pd0.3", "--target", suggested,
    "--out", path)
al = alphas(read(path), ["Ag", "Pd"], 1)[(0, 0, 1)]
assert abs(al - float(suggested.split("=")[1])) < 1e-3, (al, suggested)

# 5. the paper set on the fcc cube (2/3 is out of reach there): 7 increasing values, 1-4-4-4-4-4-1
path = f"{WORK}/paper.extxyz"
p = gen("--proto", "fcc", "--size", "3", "--elements", "Cu,Ni", "--paper-set", "--seed", "2",
        "--out", path)
frames = read(path, index=":")
assert len(frames) == 22
vals = [alphas(f, ["Cu", "Ni"], 1)[(0, 0, 1)] for f in frames]
levels = sorted(set(np.round(vals, 10)))
assert len(levels) == 7, levels
assert [int(np.sum(np.isclose(vals, v, atol=1e-9))) for v in levels] == [1, 4, 4, 4, 4, 4, 1]
assert abs(levels[0] + 1 / 3) < 1e-9, levels       # L1_0 ordering is found
assert levels[-1] < 2 / 3 and levels[-1] > 0.4, levels

# 6. composition on an ordered prototype: L1_2 Pt3Co made Pt0.7Co0.3 (32 sites: 22 Pt, 10 Co)
path = f"{WORK}/l12.extxyz"
gen("--proto", "l12", "--size", "2", "--composition", "Pt0.7Co0.3", "--target", "Pt-Co=0",
    "--out", path)
s = read(path).get_chemical_symbols()
assert (s.count("Pt"), s.count("Co")) == (22, 10), (s.count("Pt"), s.count("Co"))

# 7. usage errors exit 2
for bad in (["--target", "Cu-Ni@9=0.1"], ["--target", "Cu-Ni@1"], ["--ordered", "2"],
            ["--target", "Cu-Zn=0.1"]):
    p = gen("--proto", "fcc", "--elements", "Cu,Ni", "--out", f"{WORK}/x.extxyz", *bad, ok=False)
    assert p.returncode == 2, (bad, p.returncode, p.stderr)
print("lattice generate: compositions, supercells, multi-targets, ranges and the adapted paper "
      "set agree with ASE")
