#!/usr/bin/python3
"""alloyscout cmd: adapter for ASE's EMT calculator (Al, Cu, Ag, Au, Ni, Pd, Pt; H, C, N, O).

    alloyscout energy --oracle 'cmd:/usr/bin/python3 examples/ase_emt.py {in} {out}
        --relax {relax} --fmax {fmax} --workdir {workdir}' cells.extxyz

(one line). --relax 1 relaxes the positions with ASE's FIRE to --fmax (at fixed cell; --cell
relaxes the cell too); the output carries energy, forces, stress and converged=T|F (docs/oracle.md,
"Adapters"). The older form `ase_emt.py IN OUT [FMAX]` still works: a third argument relaxes to it.
No settings (EMT has none).
"""
import sys

from adapter_common import run


def make_calculator(atoms, args):
    from ase.calculators.emt import EMT
    return EMT()


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:], "ase_emt", {}, make_calculator, default_optimizer="FIRE",
                 default_steps=2000))
