"""ASE (the independent reference) against alloyscout's structure readers and writers, issue 16
(run by tests/lattice/test_formats.sh):

1. alloyscout reads what ase.io.write writes, in both formats and under any file name (the
   format is told by content): ase.build.bulk('Cu') primitive cells, an unsorted Pt/Co/Cu alloy
   whose POSCAR holds one species block per run of atoms (many blocks), Direct and Cartesian,
   Selective dynamics, a negative (volume) scale factor, standard input.
2. ASE reads back what alloyscout writes (`lattice convert` both ways, standard output too):
   the same cell, species and positions to 1e-10.
3. `energy` and `lattice features` take a POSCAR and extended XYZ alike.
usage: ase_formats.py ALLOYSCOUT_BINARY WORKDIR
"""
import io
import os
import subprocess
import sys
import warnings

import numpy as np
from ase.build import bulk
from ase.io import read, write

warnings.simplefilter("ignore")
BIN, WORK = sys.argv[1], sys.argv[2]
checks = 0


def run(*args, stdin=None):
    return subprocess.run([BIN, *args], check=True, input=stdin, stdout=subprocess.PIPE).stdout


def same(a, b, tol, what):
    global checks
    assert len(a) == len(b), f"{what}: {len(a)} vs {len(b)} atoms"
    assert a.get_chemical_symbols() == b.get_chemical_symbols(), f"{what}: species differ"
    dc = np.abs(a.cell.array - b.cell.array).max()
    dp = np.abs(a.positions - b.positions).max()
    assert dc <= tol and dp <= tol, f"{what}: cell diff {dc}, position diff {dp}"
    checks += 1


def p(name):
    return os.path.join(WORK, name)


prim = bulk("Cu")  # primitive fcc: one atom, non-orthogonal cell
rng = np.random.default_rng(16)
alloy = bulk("Pt", "fcc", a=3.92, cubic=True).repeat((3, 3, 2))
alloy.set_chemical_symbols(list(rng.choice(["Pt", "Co", "Cu"], len(alloy))))
alloy.rattle(0.05, seed=3)
tri = alloy.copy()
tri.set_cell(alloy.cell.array + rng.uniform(-0.3, 0.3, (3, 3)), scale_atoms=True)

cases = {"cu_prim": prim, "alloy": alloy, "alloy_tri": tri}
for name, atoms in cases.items():
    written = []
    for fmt, fname, kw in [("extxyz", f"{name}.xyz", {}),
                           ("vasp", f"{name}_direct.vasp", {"direct": True}),
                           ("vasp", f"{name}_cart.vasp", {"direct": False}),
                           ("vasp", f"{name}_sorted.vasp", {"sort": True}),
                           ("vasp", f"POSCAR_{name}", {}),
                           ("vasp", f"{name}.data", {}),      # a name that says nothing
                           ("extxyz", f"{name}_xyz.data", {})]:
        write(p(fname), atoms, format=fmt, **kw)
        written.append((fname, "vasp" if fmt == "vasp" else "extxyz"))
    if name == "alloy":  # an unsorted alloy: many species blocks, a species comes back
        counts = open(p("alloy.data")).read().splitlines()[6].split()
        assert len(counts) > 20, f"expected many species blocks, got {len(counts)}"
    for fname, fmt in written:
        ref = read(p(fname), format=fmt)  # ASE's own reading of its own file
        for out, tol in [(p(fname + ".xyz"), 1e-10), (p(fname + ".vasp"), 1e-10),
                         (p(fname + "_cart.vasp"), 1e-10)]:
            extra = ["--cartesian"] if out.endswith("_cart.vasp") else []
            run("lattice", "convert", p(fname), out, *extra)
            same(read(out), ref, tol, f"{out} (from {fname})")
        # standard input and output
        text = run("lattice", "convert", "-", "-", "--format", "poscar",
                   stdin=open(p(fname), "rb").read())
        same(read(io.StringIO(text.decode()), format="vasp"), ref, 1e-10, f"{fname} via -")
        text = run("lattice", "convert", "-", "-", stdin=open(p(fname), "rb").read())
        same(read(io.StringIO(text.decode()), format="extxyz"), ref, 1e-10, f"{fname} via - xyz")

# Selective dynamics (ASE writes it for a FixAtoms constraint) and a negative scale factor
from ase.constraints import FixAtoms
sd = alloy.copy()
sd.set_constraint(FixAtoms(indices=[0, 1, 2]))
write(p("CONTCAR_sd"), sd, format="vasp", direct=True)
assert "Selective dynamics" in open(p("CONTCAR_sd")).read()
run("lattice", "convert", p("CONTCAR_sd"), p("sd.xyz"))
same(read(p("sd.xyz")), read(p("CONTCAR_sd")), 1e-10, "selective dynamics")
lines = open(p("alloy_cart.vasp")).read().splitlines()
scale = float(lines[1])
cell = np.array([[float(x) for x in lines[k].split()] for k in (2, 3, 4)]) * scale
vol = abs(np.linalg.det(cell))
# the same structure with the cell written 1.3 times too small and scale -volume (VASP: the
# cell is rescaled to that volume, Cartesian positions with it)
lines[1] = f"{-vol:.17g}"
for k in (2, 3, 4):
    lines[k] = " ".join(f"{x / 1.3:.17g}" for x in cell[k - 2])
mode = next(i for i, l in enumerate(lines) if l.strip()[:1] in "CcKk" and i > 5)
for i in range(mode + 1, mode + 1 + len(alloy)):
    xs = lines[i].split()
    lines[i] = " ".join(f"{float(x) / 1.3:.17g}" for x in xs[:3])
open(p("neg_scale.vasp"), "w").write("\n".join(lines) + "\n")
run("lattice", "convert", p("neg_scale.vasp"), p("neg_scale.xyz"))
same(read(p("neg_scale.xyz")), alloy, 1e-9, "negative scale factor")

# energy and features on POSCAR and extended XYZ: the same numbers either way
e_vasp = run("energy", "--oracle", "eam", "--quiet", p("alloy.data")).decode().splitlines()[-1]
e_xyz = run("energy", "--oracle", "eam", "--quiet", p("alloy.xyz")).decode().splitlines()[-1]
assert e_vasp.split()[2] == e_xyz.split()[2] or \
    abs(float(e_vasp.split()[2]) - float(e_xyz.split()[2])) < 1e-8, (e_vasp, e_xyz)
e_stdin = run("energy", "--oracle", "eam", "--quiet", "-",
              stdin=open(p("POSCAR_alloy"), "rb").read()).decode().splitlines()[-1]
assert abs(float(e_stdin.split()[2]) - float(e_xyz.split()[2])) < 1e-8, (e_stdin, e_xyz)
checks += 2
f1 = run("lattice", "features", "--quiet", p("cu_prim.data")).decode().splitlines()
f2 = run("lattice", "features", "--quiet", p("cu_prim.xyz")).decode().splitlines()
assert f1[1].split(",")[:3] == f2[1].split(",")[:3] and f1[1].split(",")[1] == "1", (f1, f2)
a_ang = float(f1[1].split(",")[2])
assert abs(a_ang - 3.61) < 1e-9, a_ang  # ASE's Cu lattice constant
checks += 1
# a comment that is not UTF-8 (Latin-1 degree sign) is refused with its position, since what
# is read is written back (every file alloyscout writes is UTF-8)
open(p("latin1.vasp"), "wb").write(b"Cu at 25 \xb0C\n" + open(p("cu_prim.data"), "rb").read()
                                   .split(b"\n", 1)[1])
r = subprocess.run([BIN, "lattice", "convert", p("latin1.vasp"), p("l.xyz")],
                   stderr=subprocess.PIPE)
assert r.returncode == 1 and b"latin1.vasp:1:10: byte 0xB0 is not UTF-8" in r.stderr, r.stderr
assert not os.path.exists(p("l.xyz"))
checks += 1
print(f"{checks} passed, 0 failed")
