"""An alloyscout ase:FILE.py oracle: calculator(atoms) returns the ASE calculator for one structure.

    alloyscout energy --oracle ase:examples/ase_calculator.py cells.extxyz
    alloyscout energy --oracle ase:examples/ase_calculator.py --relax --timeout 7200 cells.extxyz

alloyscout starts one Python worker (/usr/bin/python3, or $ALLOYSCOUT_PYTHON) that imports this
file once and calls calculator(atoms) for every structure; the atoms are periodic, in Å, with
the chemical symbols set. Return any ASE calculator; alloyscout takes energy, forces and (when
the calculator has it) stress, and relaxes with its own FIRE on the forces. An exception here or
in the calculator (SCF not converged, missing pseudopotential ...) becomes a failed label that
carries its message; the next structure goes on. Print to stdout freely: the worker's stdout and
stderr go to a log, never into the protocol.

The default below is ASE's EMT so that the file runs anywhere; the templates show a DFT code on
a cluster (set CALC to choose one).
"""
import os

CALC = os.environ.get("ALLOYSCOUT_EXAMPLE_CALC", "emt")


def calculator(atoms):
    if CALC == "emt":
        from ase.calculators.emt import EMT
        return EMT()
    if CALC == "vasp":
        # needs VASP_PP_PATH and ASE_VASP_COMMAND (e.g. "srun vasp_std")
        from ase.calculators.vasp import Vasp
        magnetic = [s for s in atoms.get_chemical_symbols() if s in ("Fe", "Co", "Ni", "Mn")]
        return Vasp(xc="PBE", encut=450, kspacing=0.2, ismear=1, sigma=0.1, ediff=1e-6,
                    ispin=2 if magnetic else 1, lwave=False, lcharg=False,
                    directory="vasp-%d" % os.getpid())
    if CALC == "qe":
        # needs ASE_ESPRESSO_COMMAND and the pseudopotentials named here in $ESPRESSO_PSEUDO
        from ase.calculators.espresso import Espresso
        pseudos = {s: "%s.pbe-spn-kjpaw_psl.1.0.0.UPF" % s
                   for s in set(atoms.get_chemical_symbols())}
        return Espresso(pseudopotentials=pseudos, kspacing=0.2,
                        input_data={"system": {"ecutwfc": 45, "ecutrho": 360,
                                               "occupations": "smearing", "smearing": "mv",
                                               "degauss": 0.01}})
    if CALC == "cp2k":
        from ase.calculators.cp2k import CP2K
        return CP2K(xc="PBE", cutoff=400 * 13.605693, basis_set="DZVP-MOLOPT-SR-GTH",
                    pseudo_potential="GTH-PBE")
    raise ValueError("unknown ALLOYSCOUT_EXAMPLE_CALC=%r (emt, vasp, qe, cp2k)" % CALC)
