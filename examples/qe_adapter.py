#!/usr/bin/python3
"""alloyscout cmd: adapter for Quantum ESPRESSO's pw.x, through ASE's Espresso calculator.

    alloyscout energy --timeout 36000 --oracle 'cmd:/usr/bin/python3 examples/qe_adapter.py
        {in} {out} --relax {relax} --fmax {fmax} --nprocs {nprocs} --workdir {workdir}
        --set pseudo_dir=/path/to/upf --set pseudo={el}.pbe-spn-kjpaw_psl.1.0.0.UPF' cells.extxyz

(one line). Settings (--set KEY=VALUE), with their defaults:
  pseudo_dir=$ESPRESSO_PSEUDO (else ./), pseudo={el}.UPF (file name pattern; {el} = the symbol),
  pseudo_EL=FILE (one element's file), ecutwfc=40 (Ry), ecutrho= (empty: 4 x ecutwfc, right for
  norm-conserving; set 8-12 x for ultrasoft/PAW), kdens=4.5 (k-points per reciprocal Å, ASE's
  kpts={'density': kdens}, as gpaw_adapter.py), kpts=AxBxC (overrides kdens), smearing=mv,
  degauss=0.01 (Ry), conv_thr=1e-8 (Ry), mixing_beta=0.5, electron_maxstep=200, spin=auto
  (nspin=2 with initial moments Fe 3, Co 2, Ni 1, Mn 4, Cr 3 when any is present; mag_EL=M;
  spin=0|1), command= (default: pw.x, or mpirun -np {nprocs} pw.x when --nprocs > 1;
  "PREFIX" is espresso), eref_EL=E (eV per atom of EL subtracted from the energy written; the
  raw energy goes to energy_raw=). pw.x total energies are those of the pseudo-atoms (about
  -1100 eV per Cu atom here), beyond alloyscout's plausibility window of 50 eV/atom: give an
  eref_EL per element (e.g. the energy per atom of the pure metal) so labels pass it; differences
  between structures of one composition do not change.
pw.x runs single points with tprnfor and tstress (forces and stress in the output); --relax 1
relaxes the positions with ASE's BFGS, one pw.x run per step (fixed cell; --cell: the cell too).
An SCF that does not converge in electron_maxstep iterations gives converged=F.
"""
import os
import sys

from adapter_common import run

MAG = {"Fe": 3.0, "Co": 2.0, "Ni": 1.0, "Mn": 4.0, "Cr": 3.0}
DEFAULTS = {"pseudo_dir": "", "pseudo": "{el}.UPF", "ecutwfc": "40", "ecutrho": "",
            "kdens": "4.5", "kpts": "", "smearing": "mv", "degauss": "0.01", "conv_thr": "1e-8",
            "mixing_beta": "0.5", "electron_maxstep": "200", "spin": "auto", "command": "",
            "_prefixes": ("mag_", "pseudo_", "eref_")}


def espresso_kwargs(atoms, p, nprocs=1):
    """Keyword arguments of ase.calculators.espresso.Espresso for these settings."""
    symbols = sorted(set(atoms.get_chemical_symbols()))
    pseudos = {s: p.get("pseudo_" + s) or p["pseudo"].replace("{el}", s) for s in symbols}
    pdir = p["pseudo_dir"] or os.environ.get("ESPRESSO_PSEUDO", "") or "."
    for s, f in pseudos.items():
        if not os.path.isfile(os.path.join(pdir, f)):
            raise FileNotFoundError("no pseudopotential for %s: %s" % (s, os.path.join(pdir, f)))
    ecut = float(p["ecutwfc"])
    system = {"ecutwfc": ecut, "ecutrho": float(p["ecutrho"]) if p["ecutrho"] else 4 * ecut,
              "occupations": "smearing", "smearing": p["smearing"],
              "degauss": float(p["degauss"])}
    mag = dict(MAG)
    for k, v in p.items():
        if k.startswith("mag_"):
            mag[k[4:]] = float(v)
    m = [mag.get(s, 0.0) for s in atoms.get_chemical_symbols()]
    if p["spin"] == "1" or (p["spin"] == "auto" and any(m)):
        atoms.set_initial_magnetic_moments(m)
        system["nspin"] = 2
    else:
        atoms.set_initial_magnetic_moments(None)
    input_data = {"control": {"calculation": "scf", "tprnfor": True, "tstress": True,
                              "pseudo_dir": os.path.abspath(pdir), "outdir": "./qe-out",
                              "disk_io": "none"},
                  "system": system,
                  "electrons": {"conv_thr": float(p["conv_thr"]),
                                "mixing_beta": float(p["mixing_beta"]),
                                "electron_maxstep": int(p["electron_maxstep"])}}
    if p["kpts"]:
        kpts = tuple(int(x) for x in p["kpts"].split("x"))
    else:
        kpts = {"density": float(p["kdens"])}
    cmd = p["command"] or ("pw.x" if nprocs <= 1 else "mpirun -np %d pw.x" % nprocs)
    if "PREFIX" not in cmd and "<" not in cmd and ">" not in cmd:
        cmd += " -in PREFIX.pwi > PREFIX.pwo"
    return {"label": "espresso", "pseudopotentials": pseudos, "input_data": input_data,
            "kpts": kpts, "command": cmd}


def energy_shift(atoms, args):
    ref = {k[5:]: float(v) for k, v in args.settings.items() if k.startswith("eref_")}
    return sum(ref.get(s, 0.0) for s in atoms.get_chemical_symbols())


def make_calculator(atoms, args):
    from ase.calculators.espresso import Espresso
    return Espresso(**espresso_kwargs(atoms, args.settings, args.nprocs))


def scf_converged(calc):
    try:
        with open("espresso.pwo") as f:
            text = f.read()
    except OSError:
        return False
    return "convergence NOT achieved" not in text and "convergence has been achieved" in text


def metadata(calc, args):
    md = {}
    try:
        with open("espresso.pwo") as f:
            for line in f:
                if "Program PWSCF" in line:
                    md["program"] = "pw.x " + line.split()[2]
                    break
    except OSError:
        pass
    return md


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:], "qe_adapter", DEFAULTS, make_calculator,
                 scf_converged=scf_converged, metadata=metadata, energy_shift=energy_shift))
