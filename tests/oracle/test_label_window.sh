#!/bin/bash
# The label checks' window on the command line (issue 17): --e-atom-max EV and --cell-tol ANG of
# energy, label and screen. A Pt frame (E/atom = -5.77 eV with the Zhou EAM) fails under
# --e-atom-max 2 and passes under the default; a stored row of -1e6 eV is computed again under
# the default window but used under --e-atom-max 1e7; a cmd: program that moves the cell by 1e-3
# Å is refused by default (tolerance 1e-4 Å) and accepted with --cell-tol 0.01; bad values are
# usage errors.
# $1 = build dir, $2 = source dir.
set -u
B="$1"; S="$2"
. "$S/tests/campaign/screen_lib.sh"
need_sqlite
cat > "$T/pt.extxyz" <<'XYZ'
4
Lattice="3.9 0 0 0 3.9 0 0 0 3.9" Properties=species:S:1:pos:R:3 pbc="T T T"
Pt 0 0 0
Pt 1.95 1.95 0
Pt 1.95 0 1.95
Pt 0 1.95 1.95
XYZ
"$A" energy --quiet --oracle eam:Pt --e-atom-max 2 "$T/pt.extxyz" > "$T/o.txt" 2> "$T/e.txt"
[ $? = 1 ] || fail "--e-atom-max 2: exit status"
grep -q "outside the plausible window of 2 eV/atom" "$T/o.txt" || fail "--e-atom-max 2: $(cat "$T/o.txt")"
"$A" energy --quiet --oracle eam:Pt --db "$T/c.sqlite" "$T/pt.extxyz" > /dev/null || fail "default window"
sqlite3 "$T/c.sqlite" "update label_result set energy = -1e6"
"$A" energy --oracle eam:Pt --db "$T/c.sqlite" --e-atom-max 1e7 "$T/pt.extxyz" > "$T/o.txt" 2> "$T/e.txt" ||
    fail "--e-atom-max 1e7: $(cat "$T/e.txt")"
grep -q "0 computed, 1 from" "$T/e.txt" || fail "--e-atom-max 1e7 did not use the stored row: $(cat "$T/e.txt")"
grep -q -- "-1000000.00000000" "$T/o.txt" || fail "--e-atom-max 1e7: $(cat "$T/o.txt")"
"$A" energy --oracle eam:Pt --db "$T/c.sqlite" "$T/pt.extxyz" > /dev/null 2> "$T/e.txt" || fail "rerun"
grep -q "1 computed, 0 from" "$T/e.txt" || fail "default window used the -1e6 row: $(cat "$T/e.txt")"
# a program that returns the cell moved by 1e-3 A
cat > "$T/cell.sh" <<'EOF2'
#!/bin/sh
sed '2s/Lattice="[^ ]*/Lattice="3.901/; 2s/$/ energy=-23.1/' "$1" > "$2"
EOF2
chmod +x "$T/cell.sh"
"$A" energy --quiet --oracle "cmd:$T/cell.sh {in} {out}" "$T/pt.extxyz" > "$T/o.txt" 2>&1
[ $? = 1 ] || fail "moved cell accepted by default"
grep -q "the output cell differs from the input" "$T/o.txt" || fail "cell message: $(cat "$T/o.txt")"
"$A" energy --quiet --oracle "cmd:$T/cell.sh {in} {out}" --cell-tol 0.01 "$T/pt.extxyz" > "$T/o.txt" 2>&1 ||
    fail "--cell-tol 0.01: $(cat "$T/o.txt")"
"$A" label --quiet --oracle "cmd:$T/cell.sh {in} {out}" --cell-tol 0.01 "$T/pt.extxyz" "$T/l.extxyz" \
    > /dev/null 2>&1 || fail "label --cell-tol 0.01"
"$A" label --quiet --oracle eam:Pt --e-atom-max 2 "$T/pt.extxyz" "$T/l2.extxyz" > /dev/null 2>&1
[ $? != 0 ] || grep -q "window" "$T/l2.extxyz" || fail "label --e-atom-max 2 accepted the Pt frame"
for c in energy screen label; do
    "$A" $c --e-atom-max 0 "$T/pt.extxyz" "$T/x.extxyz" > /dev/null 2> "$T/e.txt"
    [ $? = 2 ] || fail "$c --e-atom-max 0: not a usage error"
    "$A" $c --cell-tol -1 --candidates Cu --db "$T/y.sqlite" "$T/pt.extxyz" > /dev/null 2> "$T/e.txt"
    [ $? = 2 ] || fail "$c --cell-tol -1: not a usage error"
done
[ "$FAILS" = 0 ] || exit 1
echo PASS
