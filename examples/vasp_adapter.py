#!/usr/bin/python3
"""alloyscout cmd: adapter for VASP, through ASE's Vasp calculator (input writing, running,
reading OUTCAR/vasprun.xml are ASE's).

    alloyscout energy --timeout 36000 --oracle 'cmd:/usr/bin/python3 examples/vasp_adapter.py
        {in} {out} --relax {relax} --fmax {fmax} --nprocs {nprocs} --workdir {workdir}
        --set command=srun_vasp_std' cells.extxyz

(one line; under Slurm, `--set command=` takes the launcher with '_' for spaces, e.g.
`srun_vasp_std` or `mpirun_-np_{nprocs}_vasp_std`; {nprocs} inside it is this job's --nprocs).
Needs VASP_PP_PATH (with potpaw_PBE/<El>/POTCAR) and the VASP binary; neither ships here.
Settings (--set KEY=VALUE), with their defaults (INCAR tags in capitals):
  xc=PBE (GGA=PE), encut=450 (ENCUT, eV), prec=Accurate, kdens=4.5 (k-points per reciprocal Å,
  Monkhorst-Pack sizes as ase.calculators.calculator.kpts2sizeandoffsets, as the other adapters),
  kpts=AxBxC (overrides kdens), gamma=0 (1: Gamma-centred), ismear=1, sigma=0.1 (eV), ediff=1e-6,
  nelm=200, algo=Normal, lreal=Auto, spin=auto (ISPIN=2 with MAGMOM Fe 3, Co 2, Ni 1, Mn 4, Cr 3
  when any is present; mag_EL=M; spin=0|1), setups=recommended (ASE's POTCAR choice: Fe_pv,
  Ni_pv ...; "minimal" for the plain element POTCARs), ncore= (empty: not written),
  command= (default: $ASE_VASP_COMMAND, else vasp_std, or mpirun -np {nprocs} vasp_std).
Every run writes INCAR, POSCAR, KPOINTS, POTCAR in --workdir; LWAVE and LCHARG are off. --relax 1
relaxes with ASE's BFGS on VASP's forces, one VASP single point per step (fixed cell; --cell: the
cell too). converged= is ASE's verdict from OUTCAR (electronic steps below NELM).
"""
import os
import sys

from adapter_common import run

MAG = {"Fe": 3.0, "Co": 2.0, "Ni": 1.0, "Mn": 4.0, "Cr": 3.0}
DEFAULTS = {"xc": "PBE", "encut": "450", "prec": "Accurate", "kdens": "4.5", "kpts": "",
            "gamma": "0", "ismear": "1", "sigma": "0.1", "ediff": "1e-6", "nelm": "200",
            "algo": "Normal", "lreal": "Auto", "spin": "auto", "setups": "recommended",
            "ncore": "", "command": "", "_prefixes": ("mag_",)}


def vasp_kwargs(atoms, p, nprocs=1, directory="."):
    """Keyword arguments of ase.calculators.vasp.Vasp for these settings."""
    from ase.calculators.calculator import kpts2sizeandoffsets
    gamma = p["gamma"] == "1"
    if p["kpts"]:
        size = tuple(int(x) for x in p["kpts"].split("x"))
    else:
        size, _ = kpts2sizeandoffsets(density=float(p["kdens"]), atoms=atoms)
        size = tuple(int(x) for x in size)
    kw = {"xc": p["xc"], "encut": float(p["encut"]), "prec": p["prec"], "kpts": size,
          "gamma": gamma, "ismear": int(p["ismear"]), "sigma": float(p["sigma"]),
          "ediff": float(p["ediff"]), "nelm": int(p["nelm"]), "algo": p["algo"],
          "lreal": p["lreal"], "lwave": False, "lcharg": False, "setups": p["setups"],
          "directory": directory}
    if p["ncore"]:
        kw["ncore"] = int(p["ncore"])
    mag = dict(MAG)
    for k, v in p.items():
        if k.startswith("mag_"):
            mag[k[4:]] = float(v)
    m = [mag.get(s, 0.0) for s in atoms.get_chemical_symbols()]
    if p["spin"] == "1" or (p["spin"] == "auto" and any(m)):
        atoms.set_initial_magnetic_moments(m)
        kw["ispin"] = 2
    else:
        atoms.set_initial_magnetic_moments(None)
        kw["ispin"] = 1
    cmd = p["command"].replace("_", " ") if p["command"] else os.environ.get("ASE_VASP_COMMAND")
    if not cmd:
        cmd = "vasp_std" if nprocs <= 1 else "mpirun -np {nprocs} vasp_std"
    kw["command"] = cmd.replace("{nprocs}", str(nprocs))
    return kw


def make_calculator(atoms, args):
    from ase.calculators.vasp import Vasp
    return Vasp(**vasp_kwargs(atoms, args.settings, args.nprocs, os.getcwd()))


def scf_converged(calc):
    return bool(getattr(calc, "converged", True))


def metadata(calc, args):
    md = {}
    try:
        md["program"] = "vasp " + str(calc.read_version())
    except Exception:
        pass
    return md


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:], "vasp_adapter", DEFAULTS, make_calculator,
                 scf_converged=scf_converged, metadata=metadata))
