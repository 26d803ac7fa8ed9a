"""ASE cross-check of alloyscout's structure files (run by tests/lattice/test_ase.sh).

1. ASE reads what alloyscout writes (extended XYZ, POSCAR Direct and Cartesian) and finds the cell,
   species and positions of the prototype built independently here with ASE (Pt2CoM = the L1_0
   cell doubled along a, fcc from ase.build.bulk), in the same site order (Atoms.repeat).
2. alloyscout reads what ASE writes: ASE writes a random triclinic structure with energy and forces
   (extxyz; POSCAR Direct and Cartesian, unsorted); `alloyscout lattice convert` reads it and writes
   extended XYZ; ASE reads that and must find the original numbers.
usage: ase_check.py ALLOYSCOUT_BINARY WORKDIR
"""
import subprocess
import sys

import numpy as np
from ase import Atoms
from ase.build import bulk
from ase.calculators.singlepoint import SinglePointCalculator
from ase.io import read, write
import warnings

warnings.simplefilter("ignore", UserWarning)  # ASE notes that the calculator overwrites forces

BIN, WORK = sys.argv[1], sys.argv[2]


def run(*args):
    subprocess.run([BIN, *args], check=True)


def same(a, b, tol, what):
    assert len(a) == len(b), f"{what}: {len(a)} vs {len(b)} atoms"
    assert a.get_chemical_symbols() == b.get_chemical_symbols(), f"{what}: species differ"
    dc = np.abs(a.cell.array - b.cell.array).max()
    dp = np.abs(a.positions - b.positions).max()
    assert dc <= tol and dp <= tol, f"{what}: cell diff {dc}, position diff {dp}"


a, c = 3.85, 3.71
at = a / np.sqrt(2)
# Pt2CoCu: L1_0 PtCo (P4/mmm, a_t = a/sqrt2) doubled along a, one Co -> Cu
ref = Atoms("Pt2CoCu", scaled_positions=[(0, 0, 0), (0.5, 0, 0), (0.25, 0.5, 0.5),
                                          (0.75, 0.5, 0.5)],
            cell=[2 * at, at, c], pbc=True).repeat((3, 3, 3))
fcc = bulk("Pt", "fcc", a=a, cubic=True).repeat((2, 3, 1))
checks = 0
for name, proto, elems, size, atoms in [("pt2com", "pt2com", "Pt,Co,Cu", "3", ref),
                                        ("fcc", "fcc", "Pt", "2,3,1", fcc)]:
    for out, extra in [(f"{WORK}/{name}.extxyz", []),
                       (f"{WORK}/{name}_direct.vasp", []),
                       (f"{WORK}/{name}_cart.vasp", ["--cartesian"])]:
        run("lattice", "build", "--proto", proto, "--elements", elems, "--size", size,
            "--a", str(a), "--c", str(c), "--out", out, "--quiet", *extra)
        got = read(out)
        same(got, atoms, 1e-9, out)
        checks += 1

# ASE writes, alloyscout reads
rng = np.random.default_rng(2385)
for k in range(3):
    n = 7
    cell = np.diag([5.1, 4.7, 6.3]) + rng.uniform(-0.4, 0.4, (3, 3))
    syms = list(rng.choice(["Pt", "Co", "Ni", "Cu", "Ga"], n))
    at = Atoms(syms, scaled_positions=rng.uniform(0, 1, (n, 3)), cell=cell, pbc=True)
    at.calc = SinglePointCalculator(at, energy=float(rng.normal()),
                                    forces=rng.normal(size=(n, 3)))
    for fmt, path, kw in [("extxyz", f"{WORK}/ase{k}.extxyz", {}),
                          ("vasp", f"{WORK}/ase{k}_direct.vasp", {"direct": True}),
                          ("vasp", f"{WORK}/ase{k}_cart.vasp", {"direct": False})]:
        write(path, at, format=fmt, **kw)
        conv = path + ".conv.extxyz"
        run("lattice", "convert", path, conv)
        back = read(conv)
        # extxyz: ASE writes %16.8f, our %.17g round trip is exact on what ASE wrote; POSCAR
        # Direct: ASE writes 16 digits of the fractional coordinates
        tol = 1e-7
        same(back, read(path), 1e-12, conv + " vs ASE's own reading")
        same(back, at, tol, conv + " vs original")
        if fmt == "extxyz":
            assert abs(back.get_potential_energy() - at.get_potential_energy()) < 1e-7
            assert np.abs(back.get_forces() - at.get_forces()).max() < 1e-7
        checks += 1
# a text value with quotes and commas (ASE escapes the quotes; so does alloyscout)
q = Atoms("Pt", cell=[3, 3, 3], pbc=True)
q.info["note"] = 'say "hi", a = b'
write(f"{WORK}/quote.extxyz", q)
run("lattice", "convert", f"{WORK}/quote.extxyz", f"{WORK}/quote.conv.extxyz")
assert read(f"{WORK}/quote.conv.extxyz").info["note"] == q.info["note"], "quoted info value"
checks += 1
# many frames
frames = [read(f"{WORK}/ase{k}.extxyz") for k in range(3)]
write(f"{WORK}/multi.extxyz", frames)
run("lattice", "convert", f"{WORK}/multi.extxyz", f"{WORK}/multi.conv.extxyz")
back = read(f"{WORK}/multi.conv.extxyz", index=":")
assert len(back) == 3
for x, y in zip(back, frames):
    same(x, y, 1e-12, "multi-frame")
print(f"ASE cross-check: {checks + 1} file round trips agree")
