#!/usr/bin/python3
"""Ag-Pd mixing energy per oracle (issue 18, item 7), through `alloyscout energy`.

    bench/oracles/agpd_mixing.py BUILD ORACLE [--small] [--out DIR]

E_mix(s) = E(s)/N - x_Ag E(Ag) - x_Pd E(Pd), every structure at its own lattice constant: each
structure is labelled at 7 scale factors of a Vegard start (0.955 ... 1.045; positions relaxed
with --relax unless --small), a cubic in a is fitted, its minimum taken. Structures: fcc Ag and
Pd (1-atom primitive cells), L1_0 AgPd (2-atom cell a/√2 x a/√2 x a, ideal c/a: no tetragonal
relaxation, so its E_mix is an upper bound) and, unless --small, 4 random Ag0.5Pd0.5 108-atom
cells (3x3x3 conventional, seeds 1-4). --small: only the 1- and 2-atom cells, single points
(for DFT). DFT (issue 18; Ag-Pd forms a complete solid solution with negative mixing enthalpy):
E_mix < 0 (-60 ... -10 meV/atom over 50 structures).
Prints one line per structure and the seconds per label.
"""
import json
import os
import subprocess
import sys
import time

import numpy as np
from ase import Atoms
from ase.build import bulk

A_AG, A_PD = 4.09, 3.89  # experimental fcc lattice constants (Å), start of the scan
SCALES = np.linspace(0.955, 1.045, 7)


def structures(small):
    out = {"Ag": bulk("Ag", "fcc", a=A_AG), "Pd": bulk("Pd", "fcc", a=A_PD)}
    a = 0.5 * (A_AG + A_PD)
    out["L1_0 AgPd"] = Atoms("AgPd", cell=[a / 2 ** 0.5, a / 2 ** 0.5, a],
                             scaled_positions=[[0, 0, 0], [0.5, 0.5, 0.5]], pbc=True)
    if not small:
        for seed in range(1, 5):
            c = bulk("Ag", "fcc", a=a, cubic=True).repeat((3, 3, 3))
            sym = np.array(["Ag"] * 54 + ["Pd"] * 54)
            np.random.default_rng(seed).shuffle(sym)
            c.set_chemical_symbols(list(sym))
            out["random AgPd #%d" % seed] = c
    return out


def write_frames(path, frames):
    with open(path, "w") as f:
        for at in frames:
            f.write("%d\n" % len(at))
            f.write('Lattice="%s" Properties=species:S:1:pos:R:3 pbc="T T T"\n'
                    % " ".join(repr(float(x)) for x in at.cell.array.reshape(-1)))
            for s, p in zip(at.get_chemical_symbols(), at.positions):
                f.write("%s %r %r %r\n" % (s, float(p[0]), float(p[1]), float(p[2])))


def main():
    build, oracle = sys.argv[1], sys.argv[2]
    small = "--small" in sys.argv
    outdir = sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else "."
    os.makedirs(outdir, exist_ok=True)
    st = structures(small)
    frames, keys = [], []
    for name, at in st.items():
        for s in SCALES:
            b = at.copy()
            b.set_cell(at.cell.array * s, scale_atoms=True)
            frames.append(b)
            keys.append((name, s))
    tag = oracle.replace(":", "_").replace(",", "_").replace("=", "")
    xyz = os.path.join(outdir, "agpd_%s.extxyz" % tag)
    js = os.path.join(outdir, "agpd_%s.json" % tag)
    write_frames(xyz, frames)
    cmd = [os.path.join(build, "alloyscout"), "energy", "--quiet", "--oracle", oracle,
           "--json", js, "--timeout", "3000", xyz]
    if not small:
        cmd.insert(2, "--relax")
    t0 = time.time()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.time() - t0
    res = json.load(open(js))["frames"]
    e = {}
    for (name, s), r in zip(keys, res):
        e.setdefault(name, []).append((s, r["energy_per_atom_ev"]))
    emin = {}
    for name, pts in e.items():
        s, y = np.array(pts).T
        p = np.polyfit(s, y, 3)
        xs = np.linspace(s[0], s[-1], 20001)
        ys = np.polyval(p, xs)
        i = int(np.argmin(ys))
        edge = i in (0, len(xs) - 1)
        emin[name] = (float(ys[i]), float(xs[i]), edge)
    print("oracle %s: %d labels in %.1f s wall (%.3f s per label)%s" % (
        oracle, len(frames), wall, wall / len(frames), "" if small else ", positions relaxed"))
    ref = 0.5 * (emin["Ag"][0] + emin["Pd"][0])
    rnd = []
    for name, (em, s, edge) in emin.items():
        mix = em - ref if name not in ("Ag", "Pd") else 0.0
        if name.startswith("random"):
            rnd.append(mix)
        print("  %-16s E/atom %.6f eV at scale %.4f%s   E_mix %+.1f meV/atom" % (
            name, em, s, " (AT THE SCAN EDGE)" if edge else "", 1000 * mix))
    if rnd:
        print("  random mean E_mix %+.1f meV/atom (sd %.1f, 4 cells)" % (
            1000 * np.mean(rnd), 1000 * np.std(rnd, ddof=1)))


if __name__ == "__main__":
    main()
