#!/usr/bin/python3
"""alloyscout cmd: adapter for ASE's EMT calculator (Al, Cu, Ag, Au, Ni, Pd, Pt; H, C, N, O).

alloyscout writes each structure to {in} as extended XYZ and reads the energy (and the final
positions) back from {out}:

    alloyscout energy --oracle 'cmd:/usr/bin/python3 examples/ase_emt.py {in} {out}' cells.extxyz
    alloyscout energy --oracle 'cmd:/usr/bin/python3 examples/ase_emt.py {in} {out} 0.03' \
        --relax cells.extxyz          # third argument: relax inside the adapter (ASE FIRE, fmax)

Any program works the same way: read {in}, write {out} with energy=E (eV) in the comment line.
"""
import sys

from ase.calculators.emt import EMT
from ase.io import read, write


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: ase_emt.py IN.extxyz OUT.extxyz [FMAX]")
    atoms = read(sys.argv[1], format="extxyz")
    atoms.calc = EMT()
    if len(sys.argv) > 3:
        from ase.optimize import FIRE
        FIRE(atoms, logfile=None).run(fmax=float(sys.argv[3]), steps=2000)
    atoms.get_potential_energy()
    write(sys.argv[2], atoms, format="extxyz")


if __name__ == "__main__":
    main()
