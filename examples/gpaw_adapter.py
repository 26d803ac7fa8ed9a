#!/usr/bin/python3
"""alloyscout cmd: adapter for GPAW (DFT: PAW, plane waves or LCAO), the same preset as ase:gpaw.

    alloyscout energy --timeout 36000 --oracle 'cmd:/usr/bin/python3 examples/gpaw_adapter.py
        {in} {out} --relax {relax} --fmax {fmax} --nprocs {nprocs} --workdir {workdir}
        --set ecut=400 --set kdens=4.5' cells.extxyz

(one line). Settings (--set KEY=VALUE), defaults as the ase:gpaw preset of docs/oracle.md:
mode=pw|lcao, ecut=400 (eV, PW), kdens=4.5 (k-points per reciprocal Å, GPAW's
kpts={'density': kdens, 'gamma': gamma}), kpts=AxBxC (overrides kdens), gamma=0, smear=0.1
(Fermi-Dirac, eV), xc=PBE, setups=paw, basis=dzp (LCAO), spin=auto (spin-polarised when Fe, Co,
Ni, Mn or Cr is present, initial moments Fe 3, Co 2, Ni 1, Mn 4, Cr 3; mag_EL=M changes one;
spin=0|1 forces it), maxiter=333, txt=gpaw.txt (in the job's workdir). Relaxation (--relax 1):
ASE's BFGS on GPAW's forces to --fmax, fixed cell (--cell: the cell too, PW mode only).
An SCF that does not converge in maxiter iterations is a failed run (GPAW raises; exit 1).
--nprocs N > 1: run the adapter under MPI yourself (`mpiexec -n N gpaw python gpaw_adapter.py ...`);
the adapter itself is serial.
"""
import sys

from adapter_common import run

MAG = {"Fe": 3.0, "Co": 2.0, "Ni": 1.0, "Mn": 4.0, "Cr": 3.0}
DEFAULTS = {"mode": "pw", "ecut": "400", "kdens": "4.5", "kpts": "", "gamma": "0",
            "smear": "0.1", "xc": "PBE", "setups": "paw", "basis": "dzp", "spin": "auto",
            "maxiter": "333", "txt": "gpaw.txt", "_prefixes": ("mag_",)}


def gpaw_kwargs(atoms, p):
    """The GPAW keyword arguments of the preset (also used by the test's direct call)."""
    from gpaw import PW, FermiDirac
    kw = {"xc": p["xc"], "setups": p["setups"], "txt": p["txt"] or None,
          "occupations": FermiDirac(float(p["smear"])), "maxiter": int(p["maxiter"])}
    if p["mode"] == "pw":
        kw["mode"] = PW(float(p["ecut"]))
    elif p["mode"] == "lcao":
        kw["mode"] = "lcao"
        kw["basis"] = p["basis"]
    else:
        raise ValueError("mode must be pw or lcao, not %r" % p["mode"])
    if p["kpts"]:
        kw["kpts"] = [int(x) for x in p["kpts"].split("x")]
    else:
        kw["kpts"] = {"density": float(p["kdens"]), "gamma": p["gamma"] == "1"}
    mag = dict(MAG)
    for k, v in p.items():
        if k.startswith("mag_"):
            mag[k[4:]] = float(v)
    m = [mag.get(s, 0.0) for s in atoms.get_chemical_symbols()]
    if p["spin"] == "1" or (p["spin"] == "auto" and any(m)):
        atoms.set_initial_magnetic_moments(m)
        kw["spinpol"] = True
    return kw


def make_calculator(atoms, args):
    from gpaw import GPAW
    return GPAW(**gpaw_kwargs(atoms, args.settings))


def metadata(calc, args):
    import gpaw
    md = {"program": "gpaw " + gpaw.__version__}
    try:
        md["magmom"] = float(calc.get_magnetic_moment())
    except Exception:
        pass
    return md


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:], "gpaw_adapter", DEFAULTS, make_calculator, metadata=metadata))
