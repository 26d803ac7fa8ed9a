#!/bin/bash
# examples/gpaw_adapter.py (issue 19, item 5) against GPAW called directly with the same
# parameters, written out here (PW 200 eV, PBE, PAW, Fermi-Dirac 0.1 eV, k density 2/Å⁻¹):
# a 2-atom fcc Cu cell (tetragonal a/√2, a/√2, a) with one atom moved 0.05 Å, so the forces are
# not zero by symmetry. Energy 1e-6 eV, forces 1e-6 eV/Å, stress 1e-6 eV/Å³; then the same
# structure end to end through alloyscout energy --oracle cmd:... (energy 1e-6 eV).
# ctest label slow (three GPAW runs: 20-90 s on a loaded 2-core machine).
# $1 = build dir, $2 = source dir.
. "$2/tests/examples/adapter_lib.sh"
AD="$S/examples/gpaw_adapter.py"
"$PY" -c 'import gpaw' 2> /dev/null || { echo "SKIP: gpaw missing (Debian packages gpaw, gpaw-data)"; exit 77; }
export OMP_NUM_THREADS=1
cd "$T" || fail "cd"
cat > in.extxyz <<'XYZ'
2
Lattice="2.56 0 0 0 2.56 0 0 0 3.62" Properties=species:S:1:pos:R:3 pbc="T T T"
Cu 0.05 0 0
Cu 1.28 1.28 1.81
XYZ
"$PY" - <<'PY' || fail "GPAW directly"
from ase.io import read
from gpaw import GPAW, PW, FermiDirac
a = read("in.extxyz")
a.calc = GPAW(mode=PW(200), xc="PBE", setups="paw", txt=None, occupations=FermiDirac(0.1),
              maxiter=333, kpts={"density": 2.0, "gamma": False})
with open("ref.txt", "w") as f:
    f.write("%r\n" % a.get_potential_energy())
    for v in list(a.get_forces().reshape(-1)) + list(a.get_stress(voigt=True)):
        f.write("%r\n" % v)
PY
"$PY" "$AD" in.extxyz out.extxyz --relax 0 --fmax 0.03 --workdir "$T/w" --set ecut=200 \
    --set kdens=2 2> ad.err || fail "adapter: $(tail -5 ad.err)"
[ -s "$T/w/gpaw.txt" ] || fail "GPAW's log goes to the workdir"
"$PY" - <<'PY' || fail "adapter vs GPAW"
import numpy as np
from ase.io import read
r = [float(x) for x in open("ref.txt")]
e, f, s = r[0], np.array(r[1:7]).reshape(2, 3), np.array(r[7:13])
got = read("out.extxyz")
bad = []
if abs(got.get_potential_energy() - e) > 1e-6: bad.append("energy %r vs %r" % (got.get_potential_energy(), e))
if not np.allclose(got.get_forces(), f, rtol=0, atol=1e-6): bad.append("forces %r vs %r" % (got.get_forces(), f))
if not np.allclose(got.get_stress(), s, rtol=0, atol=1e-6): bad.append("stress %r vs %r" % (got.get_stress(), s))
if abs(f).max() < 0.01: bad.append("the moved atom must feel a force")
if got.info.get("scf_converged") is not True or "converged" in got.info:
    bad.append("a single point: scf_converged=T, no converged=")
if not str(got.info.get("program", "")).startswith("gpaw"): bad.append("program metadata")
print("gpaw_adapter %.8f eV, GPAW directly %.8f eV; max |F| %.4f eV/A, |dF| %.1e" % (
    got.get_potential_energy(), e, abs(f).max(), abs(got.get_forces() - f).max()))
print("\n".join(bad) or "ok")
raise SystemExit(1 if bad else 0)
PY
"$A" energy --quiet --json e.json --timeout 900 \
    --oracle "cmd:$PY $AD {in} {out} $CONTRACT_RELAX0 --set ecut=200 --set kdens=2" in.extxyz \
    > t.txt 2> t.err || fail "alloyscout energy: $(cat t.txt; tail -3 t.err)"
"$PY" - <<'PY' || fail "alloyscout energy vs GPAW"
import json
e = json.load(open("e.json"))["frames"][0]["energy_ev"]
ref = float(open("ref.txt").readline())
assert abs(e - ref) < 1e-6, (e, ref)
print("alloyscout energy through cmd:gpaw_adapter.py: %.8f eV" % e)
PY
echo "ok"
