"""Independent check of `alloyscout lattice features` on fcc cells of any shape
(run by tests/lattice/test_fcc_features.sh).

Written from the definitions, not from alloyscout's code. Cells come from ASE:
bulk('Cu', 'fcc', a=3.6) primitive (1 atom: the atom is its own neighbour through its images),
cubic, and make_supercell with random integer matrices (non-orthogonal), some rotated, some with
atoms moved out of the cell by lattice vectors, decorated at random with Cu/Ni or Cu/Ni/Pd
(pure frames too). Neighbours come from ase.neighborlist.neighbor_list (every periodic image),
shells by distance a/sqrt2, a, a sqrt(3/2), a sqrt2, and then
    c_p = N_p / n, P_s(p, q) = #{(i, j) in shell s: i is p, j is q} / (n z_s),
    bondfrac = P_pp or 2 P_pq, pcf = P_pq - c_p c_q, alpha = 1 - P_pq / (c_p c_q),
    triangles (i, j, k): j, k first neighbours of i with |r_ik - r_ij| = a/sqrt2.
Ours must agree to 1e-12; rattled copies (0.1 A) must give the same row; the comment-line
keys must come through; non-fcc cells must be refused with the reason.
usage: fcc_ref.py ALLOYSCOUT_BINARY WORKDIR
"""
import csv
import io
import subprocess
import sys

import numpy as np
from ase import Atoms
from ase.build import bulk, make_supercell
from ase.io import write

from fcc_nl import reference

BIN, WORK = sys.argv[1], sys.argv[2]
A = 3.6
rng = np.random.default_rng(2385)


def run(path, *extra, ok=True):
    p = subprocess.run([BIN, "lattice", "features", path, "--quiet", *extra],
                       capture_output=True, text=True)
    if ok:
        assert p.returncode == 0, p.stderr
        rows = list(csv.reader(io.StringIO(p.stdout)))
        return rows[0], rows[1:]
    return p.returncode, p.stderr


def compare(ours, ref, where):
    assert len(ours) == len(ref), f"{where}: {len(ours)} columns, reference {len(ref)}"
    for k, (a, b) in enumerate(zip(ours, ref)):
        if b is None:
            assert a == "", f"{where} col {k}: want empty, got {a!r}"
        else:
            assert abs(float(a) - b) < 1e-12, f"{where} col {k}: {a} vs {b}"


def random_matrix(max_det):
    while True:
        m = rng.integers(-2, 3, size=(3, 3))
        det = round(np.linalg.det(m))
        if 1 <= det <= max_det:
            return m


def rotation():
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    return q if np.linalg.det(q) > 0 else -q


prim = bulk("Cu", "fcc", a=A)
cubic = bulk("Cu", "fcc", a=A, cubic=True)
cells = [prim.copy(), cubic.copy(), cubic.repeat((2, 1, 1))]
for _ in range(9):
    cells.append(make_supercell(prim, random_matrix(12)))
cells.append(make_supercell(prim, [[1, 0, 0], [0, 1, 0], [0, 0, 2]]))   # 2 atoms
cells.append(make_supercell(prim, [[2, 1, 0], [-1, 1, 1], [0, 0, 1]]))   # 3 atoms, skewed
left = cubic.copy()                                                         # left-handed cell
left.set_cell(left.cell.array[[1, 0, 2]], scale_atoms=False)
cells.append(left)

for elements in (["Cu", "Ni"], ["Cu", "Ni", "Pd"]):
    frames = []
    for k, base in enumerate(cells):
        atoms = base.copy()
        if k % 3 == 2:
            R = rotation()
            atoms.set_cell(atoms.cell.array @ R.T, scale_atoms=False)
            atoms.positions = atoms.positions @ R.T
        if k % 4 == 1:   # atoms outside the cell, by whole lattice vectors
            atoms.positions += rng.integers(-2, 3, size=(len(atoms), 3)) @ atoms.cell.array
        pure = k == 3
        atoms.set_chemical_symbols(
            [elements[0]] * len(atoms) if pure else rng.choice(elements, len(atoms)))
        atoms.info = {"energy": float(rng.normal()), "mixing_energy": float(rng.normal()),
                      "config_type": f"cell{k}"}
        if k == 5:
            del atoms.info["mixing_energy"]
        frames.append(atoms)
    path = f"{WORK}/cells{len(elements)}.extxyz"
    write(path, frames)
    order = sorted(set(s for f in frames for s in f.get_chemical_symbols()))
    for shells, triplets in ((3, False), (4, True), (1, False)):
        extra = ["--shells", str(shells)] + (["--triplets"] if triplets else [])
        header, rows = run(path, *extra)
        assert header[:6] == ["frame", "n_atoms", "a_ang", "energy", "mixing_energy",
                              "config_type"], header
        assert f"c_{order[0]}" == header[6], header
        for k, (atoms, row) in enumerate(zip(frames, rows)):
            assert int(row[1]) == len(atoms)
            assert abs(float(row[2]) - A) < 1e-12, row[2]
            assert abs(float(row[3]) - atoms.info["energy"]) < 1e-15
            assert row[4] == ("" if k == 5 else repr(atoms.info["mixing_energy"])) or \
                abs(float(row[4]) - atoms.info["mixing_energy"]) < 1e-15
            assert row[5] == f"cell{k}"
            compare(row[6:], reference(atoms, order, shells, triplets),
                    f"{path} frame {k} shells {shells}")
    # rattled copies (relaxation-like, 0.1 A) give the same features
    moved = []
    for atoms in frames:
        atoms = atoms.copy()
        atoms.positions += rng.uniform(-0.1, 0.1, atoms.positions.shape)
        moved.append(atoms)
    write(f"{WORK}/moved.extxyz", moved)
    _, rows_a = run(path, "--triplets")
    _, rows_b = run(f"{WORK}/moved.extxyz", "--triplets")
    for ra, rb in zip(rows_a, rows_b):
        assert ra[6:] == rb[6:], f"rattled atoms changed the features:\n{ra}\n{rb}"
    # --elements fixes the order and may name an absent species
    header, rows = run(path, "--elements", ",".join(reversed(elements + ["Au"])))
    assert header[6] == "c_Au" and header[7] == f"c_{elements[-1]}", header

# refusals: bcc, hcp, one atom moved far, a vacancy
bad = {
    "bcc": bulk("Fe", "bcc", a=2.87, cubic=True).repeat(2),
    "hcp": bulk("Co", "hcp", a=2.5).repeat((2, 2, 2)),
}
far = cubic.repeat(2)
far.positions[5] += [0.0, 0.0, 1.1]
vac = cubic.repeat(2)
del vac[3]
for name, atoms in list(bad.items()) + [("far", far), ("vacancy", vac)]:
    path = f"{WORK}/bad_{name}.extxyz"
    write(path, atoms)
    rc, err = run(path, "--out", f"{WORK}/bad.csv", ok=False)
    assert rc == 1, f"{name}: exit {rc}"
    assert "frame 1" in err, err
    if name == "far":
        assert "atom 6 (Cu) is 1.1 Å from the nearest fcc site" in err, err
    elif name == "vacancy":
        assert "31 atoms" in err or "not an fcc" in err, err
    else:
        assert "not an fcc" in err, err
    try:
        open(f"{WORK}/bad.csv")
        raise AssertionError("partial output left")
    except FileNotFoundError:
        pass
print(f"fcc features: {len(cells)} cells x 2 element sets x 3 settings agree with ASE to 1e-12")
