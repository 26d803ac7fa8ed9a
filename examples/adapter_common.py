"""The half every alloyscout cmd: adapter shares (examples/*_adapter.py, examples/ase_emt.py).

An adapter is a small program that alloyscout runs once per structure as

    PROGRAM {in} {out} --relax {relax} --fmax {fmax} --nprocs {nprocs} --workdir {workdir} \
        [--set KEY=VALUE ...]

It reads {in} (extended XYZ, one frame), builds an ASE calculator (the only part that differs
between adapters: make_calculator below), computes a single point (relax 0) or relaxes the
positions with an ASE optimiser to fmax (relax 1; --cell relaxes the cell too), and writes {out}
as the cmd: contract of docs/oracle.md says:

    Lattice="..." Properties=species:S:1:pos:R:3:forces:R:3 energy=E stress="9 values"
    adapter=... settings="..." relax=0|1 steps=N fmax_final=F scf_converged=T|F
    converged=T|F  pbc="T T T"

converged= is the verdict on what was asked: with --relax 1, SCF and the optimiser reaching
--fmax; with --relax 0 it is written only as converged=F when the SCF failed (a single point
claims no geometry convergence, so alloyscout judges a relaxation request by the forces and
reports a program that did not relax).

{out} is written to a temporary name and renamed, so a failed run leaves no partial file; on
any error the message goes to stderr and the exit status is 1. Files the calculator writes go
to --workdir (alloyscout's {workdir}: a fresh directory per job); without --workdir a fresh
temporary directory is made, and removed on success, so -j N never shares files.
"""
import argparse
import os
import shutil
import sys
import tempfile
import traceback


def settings_dict(pairs, defaults):
    """KEY=VALUE strings over the defaults; unknown keys are refused (names the known ones)."""
    s = dict(defaults)
    for p in pairs:
        if "=" not in p:
            raise SystemExit("--set expects KEY=VALUE, got %r" % p)
        k, v = p.split("=", 1)
        if k not in s and not any(k.startswith(pre) for pre in s.get("_prefixes", ())):
            known = ", ".join(sorted(x for x in s if not x.startswith("_")))
            raise SystemExit("unknown setting %r (known: %s)" % (k, known))
        s[k] = v
    return s


def settings_text(s):
    return " ".join("%s=%s" % (k, s[k]) for k in sorted(s) if not k.startswith("_"))


def parse(argv, name, defaults, default_optimizer="BFGS", default_steps=500):
    ap = argparse.ArgumentParser(prog=name, description=__doc__.splitlines()[0])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("legacy_fmax", nargs="?", type=float, default=None,
                    help=argparse.SUPPRESS)  # ase_emt.py IN OUT FMAX (before the contract)
    ap.add_argument("--relax", type=int, choices=(0, 1), default=0,
                    help="1: relax the positions to --fmax ({relax})")
    ap.add_argument("--fmax", type=float, default=0.03, help="eV/Å ({fmax}, default 0.03)")
    ap.add_argument("--nprocs", type=int, default=1, help="cores for the calculator ({nprocs})")
    ap.add_argument("--workdir", default=None, help="directory for the calculator's files "
                    "({workdir}; default: a fresh temporary directory)")
    ap.add_argument("--cell", action="store_true",
                    help="with --relax 1: relax the cell too (ASE ExpCellFilter)")
    ap.add_argument("--steps", type=int, default=default_steps,
                    help="optimiser steps at most (%d)" % default_steps)
    ap.add_argument("--optimizer", default=default_optimizer, choices=("FIRE", "BFGS", "LBFGS"),
                    help="ASE optimiser (default %s)" % default_optimizer)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="calculator setting (repeatable); known: " +
                    ", ".join("%s (%s)" % (k, v) for k, v in sorted(defaults.items())
                              if not k.startswith("_")))
    a = ap.parse_args(argv)
    if a.legacy_fmax is not None:
        a.relax, a.fmax = 1, a.legacy_fmax
    a.settings = settings_dict(a.set, defaults)
    return a


def _value(v):
    if isinstance(v, bool):
        return "T" if v else "F"
    if isinstance(v, float):
        return repr(v)
    t = str(v)
    if t and not any(c in t for c in " \t\"=,"):
        return t
    return '"%s"' % t.replace("\\", "\\\\").replace('"', '\\"')


def write_contract(path, atoms, energy, forces, stress, info):
    """The cmd: output file, numbers in full precision (shortest round-trip repr), written to a temporary name in
    the same directory and renamed, so a failure leaves no partial file."""
    cell = atoms.cell.array
    head = ['Lattice="%s"' % " ".join(repr(float(x)) for x in cell.reshape(-1)),
            "Properties=species:S:1:pos:R:3:forces:R:3", "energy=%r" % float(energy)]
    if stress is not None:
        import numpy as np
        s = np.asarray(stress, dtype=float)
        if s.shape == (6,):  # Voigt xx yy zz yz xz xy -> 3x3
            xx, yy, zz, yz, xz, xy = s
            s = np.array([[xx, xy, xz], [xy, yy, yz], [xz, yz, zz]])
        head.append('stress="%s"' % " ".join(repr(float(x)) for x in s.reshape(-1)))
    for k, v in info.items():
        head.append("%s=%s" % (k, _value(v)))
    head.append('pbc="T T T"')
    lines = ["%d" % len(atoms), " ".join(head)]
    for sym, r, f in zip(atoms.get_chemical_symbols(), atoms.positions, forces):
        lines.append("%-2s %s %s" % (sym, " ".join(repr(float(x)) for x in r),
                                     " ".join(repr(float(x)) for x in f)))
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".adapter-", suffix=".extxyz", dir=d)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write("\n".join(lines) + "\n")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def run(argv, name, defaults, make_calculator, default_optimizer="BFGS", scf_converged=None,
        metadata=None, default_steps=500, energy_shift=None):
    """Parse argv, label the structure, write the contract's output. make_calculator(atoms, args)
    returns the ASE calculator; scf_converged(calc) -> bool (default: True when no exception);
    metadata(calc, args) -> dict of extra key=value pairs; energy_shift(atoms, args) -> eV
    subtracted from the energy written (per-element references; the raw energy goes to the
    metadata as energy_raw)."""
    a = parse(argv, name, defaults, default_optimizer, default_steps)
    inp, out = os.path.abspath(a.input), os.path.abspath(a.output)
    own_dir = a.workdir is None
    wd = tempfile.mkdtemp(prefix="alloyscout-adapter-") if own_dir else os.path.abspath(a.workdir)
    os.makedirs(wd, exist_ok=True)
    try:
        from ase.io import read
        import numpy as np
        os.chdir(wd)
        atoms = read(inp, format="extxyz")
        atoms.pbc = True
        atoms.calc = make_calculator(atoms, a)
        steps, opt_ok = 0, True
        if a.relax:
            import ase.optimize as optimize
            target = atoms
            if a.cell:
                from ase.constraints import ExpCellFilter
                target = ExpCellFilter(atoms)
            opt = getattr(optimize, a.optimizer)(target, logfile=os.path.join(wd, "opt.log"))
            opt_ok = bool(opt.run(fmax=a.fmax, steps=a.steps))
            steps = opt.get_number_of_steps()
        e = atoms.get_potential_energy()
        shift = energy_shift(atoms, a) if energy_shift else 0.0
        f = atoms.get_forces()
        try:
            stress = atoms.get_stress(voigt=True)
        except Exception:  # calculator without stress (PropertyNotImplementedError, LCAO ...)
            stress = None
        fm = float(np.sqrt((f ** 2).sum(axis=1)).max()) if len(f) else 0.0
        scf_ok = scf_converged(atoms.calc) if scf_converged else True
        # converged= is the verdict on what was asked: SCF + geometry with --relax 1; a single
        # point claims no geometry convergence (converged=F only when the SCF failed), so an
        # alloyscout relaxation request that reached a single point is not taken as relaxed
        converged = bool(scf_ok and opt_ok) if a.relax else (None if scf_ok else False)
        info = {}
        if metadata:
            info.update(metadata(atoms.calc, a))
        if shift:
            info["energy_raw"] = float(e)
            info["energy_shift"] = float(shift)
            e = e - shift
        info["adapter"] = name
        if settings_text(a.settings):
            info["settings"] = settings_text(a.settings)
        info.update({"relax": a.relax, "steps": steps, "fmax_final": fm,
                     "scf_converged": bool(scf_ok)})
        if converged is not None:
            info["converged"] = converged
        write_contract(out, atoms, e, f, stress, info)
    except SystemExit:
        raise
    except BaseException as ex:
        sys.stderr.write(traceback.format_exc(limit=3))
        sys.stderr.write("%s: %s: %s (files kept in %s)\n" % (name, type(ex).__name__, ex, wd))
        return 1
    if own_dir:
        os.chdir("/")
        shutil.rmtree(wd, ignore_errors=True)
    return 0
