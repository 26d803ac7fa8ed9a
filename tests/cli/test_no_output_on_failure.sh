#!/usr/bin/env bash
# Issue 16: a failed command leaves no output file behind, for every command and backend. Each
# case runs in a directory holding only its inputs, fails (bad input, missing file, missing
# LAMMPS potential ...), and must exit non-zero and leave the directory as it was: no output,
# no temporary file. Also: a LAMMPS error is one line with LAMMPS's own message and no MPI
# banner. $1 = build dir, $2 = source dir.
set -u
B=$(cd "$1" && pwd); S=$2; A="$B/alloyscout"
[ -x "$A" ] || { echo "no $A"; exit 77; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
pass=0; fail=0
n=0
# case NAME -- command... : run in a fresh copy of $T/in, compare the listing before and after
case_() {
    local name=$1; shift 2
    n=$((n + 1))
    local d="$T/c$n"
    cp -r "$T/in" "$d"
    local before after rc
    before=$(cd "$d" && find . | sort)
    (cd "$d" && "$@" > "$T/stdout" 2> "$T/stderr"); rc=$?
    after=$(cd "$d" && find . | sort)
    if [ $rc -eq 0 ] || [ $rc -ge 126 ]; then
        echo "FAIL $name: exit $rc (expected 1 or 2)"; fail=$((fail + 1))
    elif [ "$before" != "$after" ]; then
        echo "FAIL $name: left $(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')"
        fail=$((fail + 1))
    elif [ -s "$T/stdout" ] && grep -q . "$T/stdout" && [ "${ALLOW_STDOUT:-0}" = 0 ]; then
        echo "FAIL $name: printed to stdout: $(head -c 200 "$T/stdout")"; fail=$((fail + 1))
    else
        echo "ok   $name (exit $rc: $(grep 'error' "$T/stderr" | head -1 | cut -c1-110))"
        pass=$((pass + 1))
    fi
}

mkdir -p "$T/in"
cd "$T/in"
cat > good.xyz << 'X'
1
Lattice="0 1.805 1.805 1.805 0 1.805 1.805 1.805 0" Properties=species:S:1:pos:R:3 pbc="T T T"
Cu 0 0 0
X
printf '2\nLattice="3.6 0 0 0 3.6 0 0 0 3.6" Properties=species:S:1:pos:R:3\nCu 0 0 0\n' > bad.xyz
printf 'Cu\n1.0\n0 1.8 1.8\n1.8 0 1.8\n1.8 1.8 0\nCu\n1\nDirect\n0 0 zero\n' > POSCAR_bad
printf 'system,temp_c,rate,success\nA,1,2,yes\nB,2,x3,no\n' > bad.csv
printf 'sample,conc_mg_per_L,volume_mL,charge_C\nE1,12.6,30,1x8\n' > echem_bad.csv
printf 'scan_mV_per_s,dj_mA_per_cm2\n10,0.1\n' > cdl_bad.csv
printf 'x,y\n1,2\n2,\xb0\n' > latin1.csv
printf '{"format": "alloyscout-synth-model", "version": 99}\n' > model_bad.json
cd - > /dev/null

# synth: bad data (a text cell in a numeric column), a model that does not load, non-UTF-8
case_ "synth cv bad data" -- "$A" synth cv --data bad.csv --target success --quiet \
    --json cv.json --roc roc.csv --report rep --features feat.csv
case_ "synth holdout bad group" -- "$A" synth holdout --data bad.csv --target success \
    --group system --test-group Zz --quiet --json h.json --roc r.csv --report rep
case_ "synth train bad data" -- "$A" synth train --data bad.csv --target success --quiet \
    --model m.json
case_ "synth predict bad model" -- "$A" synth predict --model model_bad.json --data bad.csv \
    --out p.csv
case_ "synth predict to stdout" -- "$A" synth predict --model model_bad.json --data bad.csv \
    --out -
case_ "synth recommend bad model" -- "$A" synth recommend --model model_bad.json \
    --base bad.csv --vary temp_c=1:2:1 --out r.csv --report rep
case_ "synth cv latin-1 input" -- "$A" synth cv --data latin1.csv --target y --json cv.json
# lattice
case_ "lattice build bad size" -- "$A" lattice build --proto fcc --elements Cu --size 0 \
    --out b.extxyz --json b.json
case_ "lattice generate unreachable target" -- "$A" lattice generate --proto pt2com \
    --elements Pt,Co,Cu --size 2 --target 'Pt-Co=5' --out g.extxyz --json g.json --quiet
case_ "lattice features bad file" -- "$A" lattice features bad.xyz --out f.csv
case_ "lattice features bad POSCAR" -- "$A" lattice features POSCAR_bad --out f.csv
case_ "lattice convert bad file" -- "$A" lattice convert POSCAR_bad out.extxyz
case_ "lattice convert to POSCAR of a missing file" -- "$A" lattice convert missing.xyz POSCAR
# energy and label, every backend
case_ "energy eam bad file" -- "$A" energy --oracle eam --quiet --out e.extxyz --json e.json bad.xyz
# energy prints its table (which frame failed, and why) on stdout; no file
ALLOW_STDOUT=1 case_ "energy lammps missing potential" -- "$A" energy \
    --oracle 'lammps:eam/alloy;* * /nonexistent/Zz.eam.alloy Cu' --quiet \
    --out F.extxyz --json J.json good.xyz
grep -q "cannot open eam/alloy potential file /nonexistent/Zz.eam.alloy" "$T/stdout" "$T/stderr" &&
    ! grep -q "MPI_ABORT" "$T/stderr" && echo "ok   lammps message in one line, no MPI banner" ||
    { echo "FAIL lammps message: $(cat "$T/stderr")"; fail=$((fail + 1)); }
case_ "energy unknown oracle" -- "$A" energy --oracle nope --out e.extxyz --json e.json good.xyz
case_ "energy eam missing setfl" -- "$A" energy --oracle eam:/nonexistent.eam.alloy \
    --out e.extxyz --json e.json good.xyz
if [ -x /usr/bin/python3 ]; then
    ALLOW_STDOUT=1 case_ "energy cmd: failing program" -- "$A" energy --oracle 'cmd:false' --quiet \
        --out e.extxyz --json e.json good.xyz
fi
case_ "label bad file" -- "$A" label --quiet --oracle eam bad.xyz out.extxyz
# label is what a cluster job runs: a structure it cannot label is not a failed command but a
# result, written as a record with status=failed and the error, exit 3 (docs/executor.md)
(cd "$T/in" && "$A" label --quiet --oracle 'lammps:eam/alloy;* * /nonexistent/Zz.eam.alloy Cu' \
    good.xyz "$T/label_failed.extxyz" 2> /dev/null); rc=$?
[ $rc -eq 3 ] && grep -q 'status=failed' "$T/label_failed.extxyz" &&
    grep -q 'cannot open eam/alloy potential file' "$T/label_failed.extxyz" &&
    echo "ok   label records an oracle failure (exit 3)" ||
    { echo "FAIL label record: rc=$rc"; fail=$((fail + 1)); }
# gpr
case_ "gpr fit bad data" -- "$A" gpr fit --data bad.csv --target success --model g.json \
    --json j.json --quiet
case_ "gpr predict bad model" -- "$A" gpr predict --model model_bad.json --data bad.csv \
    --out p.csv --json j.json
case_ "gpr cv bad data" -- "$A" gpr cv --data bad.csv --target success --out cv.csv \
    --json j.json --quiet
# screen: an oracle that cannot label
case_ "screen bad oracle" -- "$A" screen --candidates Cu --oracle nope --db s.sqlite \
    --json s.json --report rep --quiet
# echem
case_ "echem fe bad cell" -- "$A" echem fe --csv echem_bad.csv --json fe.json
case_ "echem cdl one row" -- "$A" echem cdl --csv cdl_bad.csv --json cdl.json
case_ "echem calib bad list" -- "$A" echem calib --x 1,2 --y 1 --json c.json
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
