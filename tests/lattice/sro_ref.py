"""Independent Warren-Cowley / fingerprint computation (run by tests/lattice/test_sro_python.sh).

Written from the definitions, not from alloyscout's code: neighbours are found by brute-force
distance search over periodic images of the atoms' positions (numpy), shells by distance
a*sqrt(1/2), a, a*sqrt(3/2). For a tetragonal cell the z axis is first rescaled by a/c, so that
the fcc parent lattice has its cubic metric. Then
    N_pq(s) = #{(i, j, image): species i = p, species j = q, |r_j + T - r_i| = r_s}
    alpha_pq(s) = 1 - N_pq(s) / (N_p z_s c_q),   bonds: N_pq(1) for p != q, N_pp(1) / 2.
The configurations come from `alloyscout lattice generate --random` and `--target`, in cells
from 1x1x1 upwards, and are compared with `alloyscout lattice features` to 1e-12. A copy of each
file with every atom moved at random by up to 0.3 Å (a "relaxed" cell) must give the same row.
usage: sro_ref.py ALLOYSCOUT_BINARY WORKDIR
"""
import csv
import io
import subprocess
import sys

import numpy as np
from ase.io import read, write

BIN, WORK = sys.argv[1], sys.argv[2]
A = 3.8


def features(path, *extra):
    out = subprocess.run([BIN, "lattice", "features", path, *extra], check=True,
                         capture_output=True, text=True).stdout
    rows = list(csv.reader(io.StringIO(out)))
    return rows[0], np.array([[float(v) for v in r[1:]] for r in rows[1:]])


def reference(atoms, order, c_over_a):
    cell = atoms.cell.array.copy()
    pos = atoms.positions.copy()
    cell[:, 2] /= c_over_a
    pos[:, 2] /= c_over_a
    sym = atoms.get_chemical_symbols()
    spec = np.array([order.index(s) for s in sym])
    n, K = len(atoms), len(order)
    radii = A * np.sqrt([0.5, 1.0, 1.5])
    reach = int(np.ceil(radii[-1] / min(np.linalg.norm(cell, axis=1)))) + 1
    rng = range(-reach, reach + 1)
    shifts = np.array([[i, j, k] for i in rng for j in rng for k in rng]) @ cell
    N = np.zeros((3, K, K))
    for i in range(n):
        d = pos[None, :, :] + shifts[:, None, :] - pos[i]          # (images, n, 3)
        r = np.linalg.norm(d, axis=2)
        for s in range(3):
            hit = np.abs(r - radii[s]) < 1e-6
            cnt = hit.sum(axis=0)                                  # per j, images counted
            for j in np.nonzero(cnt)[0]:
                N[s, spec[i], spec[j]] += cnt[j]
    z = np.array([12, 6, 24])
    Np = np.bincount(spec, minlength=K).astype(float)
    fp = []
    for p in range(K):
        for q in range(p + 1, K):
            for s in range(3):
                fp.append(1 - N[s, p, q] / (Np[p] * z[s] * Np[q] / n))
    for p in range(K):
        for q in range(p + 1, K):
            fp.append(N[0, p, q])
    for p in range(K):
        fp.append(N[0, p, p] / 2)
    assert np.allclose(N.sum(axis=(1, 2)), n * z), "shell totals"
    return np.array(fp)


cases = [
    ("pt2com", "Pt,Co,Cu", "3", 0, ["--random", "4"]),
    ("pt2com", "Pt,Co,Ni", "3", 3.6, ["--target", "Pt-(Co,Ni)=0.3333", "--count", "3"]),
    ("pt2com", "Pt,Co,Cu", "1", 0, ["--random", "3"]),
    ("pt2com", "Pt,Co,Cu", "2", 3.55, ["--random", "3"]),
    ("l10", "Pt,Co", "2,1,3", 3.5, ["--random", "3"]),
    ("l10", "Pt,Co", "1", 0, ["--random", "2"]),
    ("fcc", "Pt,Co,Cu,Ni", "2", 0, ["--random", "3"]),
    ("l12", "Pt,Co", "2", 0, ["--target", "Pt-Co=0.1", "--count", "2"]),
]
rows = 0
rand = np.random.default_rng(2385)
for k, (proto, elems, size, c, mode) in enumerate(cases):
    path = f"{WORK}/case{k}.extxyz"
    args = ["lattice", "generate", "--proto", proto, "--elements", elems, "--size", size,
            "--a", str(A), "--seed", str(k + 1), "--out", path, "--quiet", *mode]
    if c:
        args += ["--c", str(c)]
    subprocess.run([BIN, *args], check=True)
    header, ours = features(path)
    order = elems.split(",")
    frames = read(path, index=":")
    for f, frame in enumerate(frames):
        ref = reference(frame, order, (c or A) / A)
        diff = np.abs(ours[f] - ref).max()
        assert diff < 1e-12, f"case {k} frame {f}: max diff {diff}\n ours {ours[f]}\n ref {ref}"
        rows += 1
    # the same configurations, displaced as by a relaxation, without the helper keys
    moved = []
    for frame in frames:
        frame = frame.copy()
        frame.positions += rand.uniform(-0.3, 0.3, frame.positions.shape) / np.sqrt(3)
        frame.info = {}
        moved.append(frame)
    write(f"{WORK}/moved{k}.extxyz", moved)
    _, again = features(f"{WORK}/moved{k}.extxyz", "--proto", proto, "--elements", elems,
                        "--size", size)
    assert np.array_equal(again, ours), f"case {k}: displaced atoms changed the fingerprint"
print(f"independent SRO: {rows} configurations in {len(cases)} cells agree to 1e-12")
