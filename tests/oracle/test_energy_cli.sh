#!/bin/bash
# alloyscout energy end to end: help, usage errors, a table and JSON for a 2-frame file, a
# reference frame, an unsupported element, and the ASE EMT adapter through cmd: with -j 2.
# $1 = build dir, $2 = source dir.
set -u
B="$1"; S="$2"; A="$B/alloyscout"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$A" energy --help | grep -q -- "--oracle SPEC" || fail "help"
"$A" energy > /dev/null 2>&1; [ $? -eq 2 ] || fail "no input must be a usage error (2)"
"$A" energy --bogus x.extxyz > /dev/null 2>&1; [ $? -eq 2 ] || fail "unknown option"

cat > "$T/two.extxyz" <<'XYZ'
4
Lattice="3.9 0 0 0 3.9 0 0 0 3.9" Properties=species:S:1:pos:R:3 pbc="T T T"
Pt 0 0 0
Pt 1.95 1.95 0
Pt 1.95 0 1.95
Pt 0 1.95 1.95
4
Lattice="3.9 0 0 0 3.9 0 0 0 3.9" Properties=species:S:1:pos:R:3 pbc="T T T"
Pt 0 0 0
Cu 1.95 1.95 0
Pt 1.95 0 1.95
Cu 0.05 1.95 1.95
XYZ
"$A" energy --quiet --oracle eam:Pt,Cu --relax --reference 0 --json "$T/e.json" \
    --out "$T/relaxed.extxyz" "$T/two.extxyz" > "$T/table.txt" || fail "energy run"
grep -q "eam:zhou2004\[Pt,Cu\]" "$T/table.txt" || fail "table names the oracle"
[ "$(grep -c ' ok$' "$T/table.txt")" -eq 2 ] || fail "two ok rows"
grep -q '"relative_energy_per_atom_ev"' "$T/e.json" || fail "json"
grep -q 'energy=' "$T/relaxed.extxyz" || fail "relaxed frames carry energies"

cat > "$T/ga.extxyz" <<'XYZ'
1
Lattice="3 0 0 0 3 0 0 0 3" Properties=species:S:1:pos:R:3
Ga 0 0 0
XYZ
"$A" energy --quiet --oracle eam:Pt,Cu "$T/ga.extxyz" 2> "$T/err.txt"; [ $? -eq 1 ] || fail "Ga"
grep -q "covers: Pt Cu" "$T/err.txt" || fail "message names the supported elements"

if /usr/bin/python3 -c 'import ase.calculators.emt' 2>/dev/null; then
    "$A" energy --quiet -j 2 --timeout 60 \
        --oracle "cmd:/usr/bin/python3 $S/examples/ase_emt.py {in} {out}" "$T/two.extxyz" \
        > "$T/emt.txt" || fail "ASE adapter"
    [ "$(grep -c ' ok$' "$T/emt.txt")" -eq 2 ] || fail "ASE rows"
    ref=$(/usr/bin/python3 -c "
from ase.io import read
from ase.calculators.emt import EMT
a = read('$T/two.extxyz', index=1); a.calc = EMT(); print('%.8f' % a.get_potential_energy())")
    awk -v r="$ref" '$1 == 1 { d = $3 - r; if (d < 0) d = -d; exit !(d < 2e-8) }' "$T/emt.txt" \
        || fail "EMT energy $ref"
fi
echo "1 passed, 0 failed"
