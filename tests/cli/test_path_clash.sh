#!/bin/bash
# An output path that names an input (or another output) is refused before anything is written
# (issue 17, item 6): every command that writes files, the same path, through a symlink, through
# a hard link and via another spelling ("./x"); exit status 2, the message names both flags, and
# the input is byte-identical afterwards.
# $1 = build dir, $2 = source dir.
set -u
B=$(cd "$1" && pwd); A="$B/alloyscout"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
FAILS=0; N=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
cd "$T" || exit 1
cat > f.extxyz <<'XYZ'
4
Lattice="3.9 0 0 0 3.9 0 0 0 3.9" Properties=species:S:1:pos:R:3 pbc="T T T"
Pt 0 0 0
Cu 1.95 1.95 0
Pt 1.95 0 1.95
Pt 0 1.95 1.95
XYZ
printf 'x1,x2,y\n1,2,3\n2,1,4\n3,5,1\n4,4,2\n5,1,6\n' > d.csv
printf 'system,temp_c,success\nCuAu,700,yes\nCuAg,800,no\n' > s.csv
"$A" energy --quiet --oracle eam:Pt,Cu --db db.sqlite f.extxyz > /dev/null || { echo "setup"; exit 1; }
ln -s f.extxyz link.extxyz
ln f.extxyz hard.extxyz
ln -s db.sqlite link.sqlite
echo '{}' > m.json
sums() { md5sum f.extxyz d.csv s.csv db.sqlite m.json; }
sums > sums.before

# clash "PATTERN" command...: exit 2, stderr has PATTERN, nothing changed
clash() {
    local pat=$1; shift
    N=$((N + 1))
    "$A" "$@" > out.txt 2> err.txt; local rc=$?
    [ $rc -eq 2 ] || { fail "exit $rc (want 2): $* ($(cat err.txt))"; return; }
    grep -qF -- "$pat" err.txt || fail "message of '$*': $(cat err.txt)"
    sums | cmp -s - sums.before || fail "an input changed: $*"
    [ -z "$(ls -A | grep -v -e '^f.extxyz$' -e '^d.csv$' -e '^s.csv$' -e '^db.sqlite' -e '^link' \
        -e '^hard' -e '^m.json$' -e '^sums.before$' -e '^out.txt$' -e '^err.txt$')" ] ||
        fail "files left by '$*': $(ls -A)"
}
IN="refusing to overwrite an input"
clash "--json db.sqlite is the input --db db.sqlite: $IN" energy --db db.sqlite --json db.sqlite f.extxyz
clash "--out f.extxyz is the input FILE f.extxyz" energy --out f.extxyz f.extxyz
clash "--json link.extxyz is the input FILE f.extxyz" energy --json link.extxyz f.extxyz
clash "--out hard.extxyz is the input FILE f.extxyz" energy --out hard.extxyz f.extxyz
clash "--out ./db.sqlite is the input --db db.sqlite" energy --db db.sqlite --out ./db.sqlite f.extxyz
clash "--json x.json and --out x.json name the same file" energy --json x.json --out x.json f.extxyz
clash "--json link.sqlite is the input --db db.sqlite" screen --candidates Cu --db db.sqlite --json link.sqlite
clash "--report db.sqlite is the input --db db.sqlite" screen --candidates Cu --db db.sqlite --report db.sqlite
clash "--model d.csv is the input --data d.csv" gpr fit --data d.csv --target y --model d.csv
clash "--out d.csv is the input --data d.csv" gpr predict --data d.csv --model m.json --out d.csv
clash "--out m.json is the input --model m.json" gpr predict --data d.csv --model m.json --out m.json
clash "--json d.csv is the input --data d.csv" gpr cv --data d.csv --target y --json d.csv
clash "--model s.csv is the input --data s.csv" synth train --data s.csv --model s.csv
clash "--out s.csv is the input --data s.csv" synth predict --data s.csv --model m.json --out s.csv
clash "--json ./s.csv is the input --data s.csv" synth cv --data s.csv --json ./s.csv
clash "--out s.csv is the input --base s.csv" synth recommend --model m.json --base s.csv --vary temp_c=600:900:100 --out s.csv
clash "OUT f.extxyz is the input IN f.extxyz" lattice convert f.extxyz f.extxyz
clash "--out link.extxyz is the input FILE f.extxyz" lattice features f.extxyz --out link.extxyz
clash "--out b.xyz and --json b.xyz name the same file" lattice build --elements Pt,Co,Cu --out b.xyz --json b.xyz
clash "--out g.xyz and --json g.xyz name the same file" lattice generate --elements Pt,Co,Cu --out g.xyz --json g.xyz
clash "OUT hard.extxyz is the input IN f.extxyz" label f.extxyz hard.extxyz
echo "$N clashes checked"
cat err.txt
[ "$FAILS" = 0 ] || exit 1
echo PASS
