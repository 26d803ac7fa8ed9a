#!/bin/bash
# alloyscout label (what a Slurm job runs): the energy of one structure equals `alloyscout
# energy` on the same file to the last digit (plain and relaxed, eam and cmd:), forces are
# written and agree with a central difference of the energy, a failed label writes status=failed
# and exits 3, bad input exits 1 without touching OUT, usage errors exit 2. Also `energy
# --executor` usage errors. $1 = build dir, $2 = source dir.
set -u
B=$(cd "$1" && pwd); S=$(cd "$2" && pwd); A="$B/alloyscout"
. "$S/tests/executor/slurm_lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

slurm_gen 3 "$T/three.extxyz"
head -n 34 "$T/three.extxyz" > "$T/one.extxyz" # the first frame
# the info key energy= of an extended-XYZ file, as written (17 digits)
info() { head -n 2 "$1" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$2=//p"; }
# energy --json value: shortest round-trip text; compare as doubles with Python's float
same() { /usr/bin/python3 -c "import sys; sys.exit(0 if float('$1') == float('$2') else 1)"; }

"$A" label --help | grep -q "exit status" || fail "help"
"$A" label --oracle eam "$T/one.extxyz" > /dev/null 2>&1; [ $? -eq 2 ] || fail "one path is a usage error"
"$A" label --bogus "$T/one.extxyz" "$T/o.extxyz" > /dev/null 2>&1; [ $? -eq 2 ] || fail "unknown option"
"$A" label --fmax 0 "$T/one.extxyz" "$T/o.extxyz" > /dev/null 2>&1; [ $? -eq 2 ] || fail "--fmax 0"

for relax in "" "--relax --fmax 0.05"; do
    # shellcheck disable=SC2086
    "$A" label --quiet --oracle eam $relax "$T/one.extxyz" "$T/o.extxyz" || fail "label $relax"
    # shellcheck disable=SC2086
    "$A" energy --quiet --oracle eam $relax --json "$T/e.json" "$T/one.extxyz" > /dev/null ||
        fail "energy $relax"
    el=$(info "$T/o.extxyz" energy)
    ee=$(sed -n 's/.*"energy_ev":[[:space:]]*\([^,]*\),*/\1/p' "$T/e.json")
    [ -n "$el" ] && [ -n "$ee" ] || fail "no energies ($el, $ee)"
    same "$el" "$ee" || fail "label $el != energy $ee ($relax)"
    [ "$(info "$T/o.extxyz" status)" = ok ] || fail "status=ok"
    grep -q "forces:R:3" "$T/o.extxyz" || fail "forces written"
done
[ "$(info "$T/o.extxyz" relaxed)" = 1 ] || fail "relaxed=1"
fm=$(info "$T/o.extxyz" fmax)
/usr/bin/python3 -c "import sys; sys.exit(0 if 0 < $fm < 0.05 else 1)" || fail "fmax $fm < 0.05"

# forces: -dE/dx of atom 5 by a central difference (h = 1e-5 Å; error O(h^2) ~ 1e-9 eV/Å)
"$A" label --quiet --oracle eam "$T/one.extxyz" "$T/o.extxyz" || fail "label"
fx=$(sed -n '8p' "$T/o.extxyz" | awk '{print $5}')
for d in p m; do
    awk -v d=$d 'NR == 8 { $2 = $2 + (d == "p" ? 1e-5 : -1e-5); $2 = sprintf("%.10f", $2) } {print}' \
        "$T/one.extxyz" > "$T/$d.extxyz"
    "$A" label --quiet --oracle eam "$T/$d.extxyz" "$T/$d.out.extxyz" || fail "label $d"
done
ep=$(info "$T/p.out.extxyz" energy); em=$(info "$T/m.out.extxyz" energy)
/usr/bin/python3 -c "
import sys; fd = -($ep - ($em)) / 2e-5
sys.exit(0 if abs(fd - $fx) < 1e-6 else 1)" || fail "force $fx vs central difference"

# cmd: oracle (a program that labels with eam through label itself): same number again
"$A" label --quiet --oracle "cmd:$A label --quiet --oracle eam {in} {out}" "$T/one.extxyz" \
    "$T/c.extxyz" || fail "cmd: label"
same "$(info "$T/c.extxyz" energy)" "$(info "$T/o.extxyz" energy)" || fail "cmd: energy"

# failures: an element the oracle lacks -> OUT with status=failed, exit 3
sed '3s/^Co /Ga /; 3s/^Pt /Ga /; 3s/^Cu /Ga /' "$T/one.extxyz" > "$T/ga.extxyz"
"$A" label --quiet --oracle eam:Pt,Co,Cu "$T/ga.extxyz" "$T/ga.out.extxyz" 2> /dev/null
[ $? -eq 3 ] || fail "unsupported element exits 3"
[ "$(info "$T/ga.out.extxyz" status)" = failed ] || fail "status=failed"
grep -q 'error="oracle .* has no parameters for Ga"' "$T/ga.out.extxyz" || fail "error text"
# a program that fails
"$A" label --quiet --retries 0 --oracle "cmd:/bin/false {in} {out}" "$T/one.extxyz" \
    "$T/f.extxyz" 2> /dev/null
[ $? -eq 3 ] || fail "failing cmd: exits 3"
# unreadable input: exit 1, error with file:line, OUT untouched
printf '2\nLattice="3 0 0 0 3 0 0 0 3" Properties=species:S:1:pos:R:3\nPt 0 0 0\n' > "$T/bad.extxyz"
echo keep > "$T/keep.extxyz"
"$A" label --quiet "$T/bad.extxyz" "$T/keep.extxyz" 2> "$T/err"; [ $? -eq 1 ] || fail "bad input exits 1"
grep -q "bad.extxyz:" "$T/err" || fail "error names the file: $(cat "$T/err")"
[ "$(cat "$T/keep.extxyz")" = keep ] || fail "OUT was touched"
ls "$T"/keep.extxyz.tmp > /dev/null 2>&1 && fail "a temporary file was left"
"$A" label --quiet --oracle nosuch "$T/one.extxyz" "$T/n.extxyz" 2> /dev/null; [ $? -eq 1 ] || fail "bad oracle exits 1"
[ -e "$T/n.extxyz" ] && fail "no OUT for a bad oracle"

# energy --executor: usage errors, and local = the default path
"$A" energy --executor pbs "$T/one.extxyz" > /dev/null 2>&1; [ $? -eq 2 ] || fail "--executor pbs"
"$A" energy --quiet --executor slurm "$T/one.extxyz" > /dev/null 2> "$T/err"; [ $? -eq 1 ] || fail "slurm without --workdir"
grep -q -- "--workdir" "$T/err" || fail "says --workdir is needed"
printf '#!/bin/sh\n{cmd} {nope}\n' > "$T/bad.tmpl"
"$A" energy --quiet --executor slurm --workdir "$T/w" --job-template "$T/bad.tmpl" \
    "$T/one.extxyz" > /dev/null 2> "$T/err"; [ $? -eq 1 ] || fail "bad template"
grep -q "bad.tmpl:2:7: unknown placeholder {nope}" "$T/err" || fail "template error: $(cat "$T/err")"
"$A" energy --quiet --json "$T/a.json" "$T/three.extxyz" > /dev/null || fail "energy"
"$A" energy --quiet --executor local --json "$T/b.json" "$T/three.extxyz" > /dev/null || fail "energy local"
cmp -s "$T/a.json" "$T/b.json" || fail "--executor local changes results"
echo "PASS: label"
