#!/bin/bash
# examples/vasp_adapter.py (issue 19, item 5). VASP cannot run here, so this checks the input
# half: the adapter's calculator writes INCAR, POSCAR, KPOINTS and POTCAR for a 4-atom Pt-Co-Cu
# cell (species interleaved, Co magnetic) that equal what ASE's own VASP writer
# (ase.calculators.vasp.Vasp.write_input) writes with the preset's parameters spelled out here,
# byte for byte; and independently of ASE: POSCAR holds the input's atoms (through ase-sort.dat),
# POTCAR concatenates the setups in POSCAR's species order, KPOINTS's grid is
# ceil(2π·kdens·|b_i|), MAGMOM follows POSCAR's order. POTCARs are stand-ins written here (TITEL
# and ZVAL lines only). The output half (OUTCAR/vasprun.xml reading: ASE's Vasp reader) is not
# tested: nothing here can write those files.
# $1 = build dir, $2 = source dir.
. "$2/tests/examples/adapter_lib.sh"
"$PY" -c 'import ase.calculators.vasp' 2> /dev/null || { echo "SKIP: ase.calculators.vasp missing"; exit 77; }
cd "$T" || fail "cd"
for el in Pt Co Cu Ni Fe; do
    for d in $el ${el}_pv ${el}_sv; do
        mkdir -p pp/potpaw_PBE/$d
        printf '  PAW_PBE %s 01Jan2000\n   10.0\n parameters from PSCTR are:\n   TITEL  = PAW_PBE %s 01Jan2000\n   ZVAL   =   10.000\n End of Dataset\n' $d $d > pp/potpaw_PBE/$d/POTCAR
    done
done
export VASP_PP_PATH="$T/pp"
cat > in.extxyz <<'XYZ'
4
Lattice="3.82 0 0 0 3.86 0 0.2 0 3.70" Properties=species:S:1:pos:R:3 pbc="T T T"
Cu 0 0 0
Pt 1.91 1.91 0.01
Co 1.91 0 1.85
Pt 0 1.91 1.85
XYZ
"$PY" - "$S" <<'PY' || fail "VASP input"
import math, os, sys
import numpy as np
from ase.io import read
from ase.calculators.vasp import Vasp
import adapter_common, vasp_adapter
bad = []
atoms = read("in.extxyz")
# the adapter's calculator (the same function the adapter runs), settings as a user would give
p = adapter_common.settings_dict(["encut=400", "kdens=3"], vasp_adapter.DEFAULTS)
a1 = atoms.copy()
kw = vasp_adapter.vasp_kwargs(a1, p, nprocs=4, directory="adapter")
Vasp(**kw).write_input(a1)
if kw["command"] != "mpirun -np 4 vasp_std": bad.append("command %r" % kw["command"])
# ASE's writer with the preset written out by hand
a2 = atoms.copy()
a2.set_initial_magnetic_moments([0, 0, 2.0, 0])
b = a2.cell.reciprocal()
grid = [max(1, math.ceil(2 * math.pi * 3 * np.linalg.norm(b[i]))) for i in range(3)]
Vasp(directory="ase", xc="PBE", encut=400, prec="Accurate", kpts=grid, gamma=False, ismear=1,
     sigma=0.1, ediff=1e-6, nelm=200, algo="Normal", lreal="Auto", lwave=False, lcharg=False,
     setups="recommended", ispin=2).write_input(a2)
for f in ("INCAR", "POSCAR", "KPOINTS", "POTCAR"):
    if open("adapter/" + f).read() != open("ase/" + f).read():
        bad.append(f + " differs from ASE's writer")
# independent checks
incar = dict(l.split("=", 1) for l in open("adapter/INCAR").read().splitlines()[1:] if "=" in l)
incar = {k.strip(): v.strip() for k, v in incar.items()}
want = {"ENCUT": 400.0, "SIGMA": 0.1, "EDIFF": 1e-6, "ISMEAR": 1, "ISPIN": 2, "NELM": 200}
for k, v in want.items():
    if k not in incar or abs(float(incar[k]) - v) > 1e-12 * max(1, abs(v)):
        bad.append("INCAR %s = %r, want %r" % (k, incar.get(k), v))
for k, v in {"GGA": "PE", "PREC": "Accurate", "LWAVE": ".FALSE.", "LCHARG": ".FALSE."}.items():
    if incar.get(k) != v: bad.append("INCAR %s = %r, want %r" % (k, incar.get(k), v))
pos = read("adapter/POSCAR", format="vasp")
sort = [int(l.split()[0]) for l in open("adapter/ase-sort.dat")]
species = list(dict.fromkeys(pos.get_chemical_symbols()))
if sorted(species) != ["Co", "Cu", "Pt"] or len(species) != 3: bad.append("species %r" % species)
if not np.allclose(pos.cell.array, atoms.cell.array, atol=1e-12): bad.append("POSCAR cell")
for i, j in enumerate(sort):  # POSCAR atom i is input atom j
    if pos[i].symbol != atoms[j].symbol or not np.allclose(pos[i].position, atoms[j].position, atol=1e-10):
        bad.append("POSCAR atom %d is not input atom %d" % (i, j))
titels = [l.split("=")[1].split()[1] for l in open("adapter/POTCAR") if "TITEL" in l]
if [t.split("_")[0] for t in titels] != species: bad.append("POTCAR order %r vs POSCAR %r" % (titels, species))
kl = open("adapter/KPOINTS").read().split("\n")
if kl[2].strip() != "Monkhorst-Pack" or [int(x) for x in kl[3].split()] != grid:
    bad.append("KPOINTS %r, want MP %r" % (kl[2:4], grid))
mm = incar["MAGMOM"].split()
moments = []
for w in mm:
    n, v = w.split("*") if "*" in w else (1, w)
    moments += [float(v)] * int(n)
want_m = [2.0 if s == "Co" else 0.0 for s in pos.get_chemical_symbols()]
if moments != want_m: bad.append("MAGMOM %r, want %r" % (moments, want_m))
print("vasp_adapter inputs: species %s, POTCAR %s, KPOINTS %s" % (species, titels, grid))
print("\n".join(bad) or "ok")
raise SystemExit(1 if bad else 0)
PY
# without VASP the run fails with the reason and writes no output
PATH=/usr/bin:/bin "$PY" "$S/examples/vasp_adapter.py" in.extxyz out.extxyz --workdir "$T/w" \
    --set command=no-such-vasp 2> err.txt && fail "a run without VASP must fail"
[ -e out.extxyz ] && fail "no output on failure"
[ -s "$T/w/INCAR" ] || fail "the inputs stay in the workdir for inspection"
echo "ok"
