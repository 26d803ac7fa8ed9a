#!/bin/bash
# Rows of the label store are checked as they are read back (issue 17, item 2): rows edited with
# the sqlite3 CLI (an energy stored as text, a NULL energy with status ok, an infinite energy, an
# energy outside the per-atom window, a wrong n_atoms, a truncated positions blob) are reported
# with their key and method, computed again and replaced; the results then equal a clean run's
# byte for byte. The same for `screen` on a store whose label rows were edited.
# $1 = build dir, $2 = source dir.
set -u
B="$1"; S="$2"
. "$S/tests/campaign/screen_lib.sh"
need_sqlite

# six frames of 4 atoms (fcc Pt with Cu on some sites, slightly displaced)
: > "$T/f.extxyz"
for i in 0 1 2 3 4 5; do
    d=$(awk -v i=$i 'BEGIN { printf "%.3f", 0.02 * i }')
    s2=Pt; [ $i -ge 2 ] && s2=Cu
    s4=Pt; [ $i -ge 4 ] && s4=Cu
    cat >> "$T/f.extxyz" <<XYZ
4
Lattice="3.9 0 0 0 3.9 0 0 0 3.9" Properties=species:S:1:pos:R:3 pbc="T T T"
Pt $d 0 0
$s2 1.95 1.95 0
Pt 1.95 0 1.95
$s4 0 1.95 1.95
XYZ
done
E=(energy --relax --oracle eam:Pt,Cu)
"$A" "${E[@]}" --db "$T/clean.sqlite" --json "$T/clean.json" --out "$T/clean.xyz" "$T/f.extxyz" \
    > "$T/clean.txt" 2> "$T/clean.err" || die "clean run: $(cat "$T/clean.err")"
cp "$T/clean.sqlite" "$T/c.sqlite"
rows=$(q "$T/c.sqlite" 'select count(*) from label_result')
[ "$rows" = 6 ] || die "clean run stored $rows rows, expected 6"
key() { sqlite3 "$T/c.sqlite" "select key from label_result order by key limit 1 offset $1"; }
k0=$(key 0); k1=$(key 1); k2=$(key 2); k3=$(key 3); k4=$(key 4); k5=$(key 5)
sqlite3 "$T/c.sqlite" "
update label_result set energy = 'abc' where key = $k0;
update label_result set energy = NULL where key = $k1;
update label_result set energy = 1e999 where key = $k2;
update label_result set n_atoms = 7 where key = $k3;
update label_result set positions = substr(positions, 1, 40) where key = $k4;
update label_result set energy = -1e6 where key = $k5;"
"$A" "${E[@]}" --db "$T/c.sqlite" --json "$T/c.json" --out "$T/c.xyz" "$T/f.extxyz" \
    > "$T/c.txt" 2> "$T/c.err" || die "run on the edited store: $(cat "$T/c.err")"
grep -q "6 computed, 0 from" "$T/c.err" || fail "edited rows not recomputed: $(cat "$T/c.err")"
n_warn=$(grep -c "is unusable" "$T/c.err")
[ "$n_warn" = 6 ] || fail "$n_warn warnings, expected 6: $(cat "$T/c.err")"
for why in "energy is stored as text, not a number" "status ok without an energy (NULL)" \
    "energy is inf, not finite" "n_atoms is 7, the structure has 4" \
    "positions blob of 40 bytes, 4 atoms need 96" "is outside the plausible window of 50 eV/atom"; do
    grep -q "$why" "$T/c.err" || fail "no warning '$why'"
done
grep -q "relax fmax=" "$T/c.err" || fail "the warning does not name the method"
u0=$(printf '%016x' "$k0" | tail -c 16)
grep -q "label $u0 " "$T/c.err" || fail "the warning does not name the key $u0"
cmp -s "$T/clean.txt" "$T/c.txt" || fail "table differs from the clean run"
cmp -s "$T/clean.xyz" "$T/c.xyz" || fail "--out differs from the clean run"
sed "s#$T/c\.#X.#g; s#$T/clean\.#X.#g" "$T/clean.json" > "$T/a.json"
sed "s#$T/c\.#X.#g; s#$T/clean\.#X.#g" "$T/c.json" > "$T/b.json"
cmp -s "$T/a.json" "$T/b.json" || fail "--json differs from the clean run"
# the rows were replaced: a third run computes nothing and reports nothing
"$A" "${E[@]}" --db "$T/c.sqlite" "$T/f.extxyz" > "$T/c3.txt" 2> "$T/c3.err" || fail "third run"
grep -q "0 computed, 6 from" "$T/c3.err" || fail "third run: $(cat "$T/c3.err")"
grep -q "unusable" "$T/c3.err" && fail "third run still warns"
cmp -s "$T/clean.txt" "$T/c3.txt" || fail "third run: table differs"
echo "energy: 6 edited rows reported and recomputed, results equal the clean run"

# screen: the labels of a finished campaign in a store without its campaign records
SC=(screen --candidates Cu --oracle eam "${SMALL[@]}" --seed 5)
"$A" "${SC[@]}" --db "$T/s.sqlite" --json "$T/s.json" > "$T/s.txt" 2> "$T/s.err" ||
    die "clean screen: $(cat "$T/s.err")"
n_rows=$(q "$T/s.sqlite" 'select count(*) from label_result')
cp "$T/s.sqlite" "$T/e.sqlite"
sqlite3 "$T/e.sqlite" "delete from campaign_record; delete from campaign_meta;
update label_result set energy = 'x' || energy where key in
  (select key from label_result where energy is not null order by key limit 3);
update label_result set n_atoms = n_atoms + 1 where key in
  (select key from label_result where energy is not null order by key limit 2 offset 3);"
"$A" "${SC[@]}" --db "$T/e.sqlite" --json "$T/e.json" > "$T/e.txt" 2> "$T/e.err" ||
    die "screen on the edited store: $(cat "$T/e.err")"
n_warn=$(grep -c "is unusable" "$T/e.err")
[ "$n_warn" = 5 ] || fail "screen: $n_warn warnings, expected 5: $(grep unusable "$T/e.err")"
[ "$(computed "$T/e.err")" = 5 ] || fail "screen: $(computed "$T/e.err") labels computed, expected 5"
cmp -s "$T/s.txt" "$T/e.txt" || fail "screen table differs from the clean run"
sed "s#$T/[se]\.#X.#g" "$T/s.json" > "$T/a.json"
sed "s#$T/[se]\.#X.#g" "$T/e.json" > "$T/b.json"
cmp -s "$T/a.json" "$T/b.json" || fail "screen --json differs from the clean run"
[ "$(q "$T/e.sqlite" 'select count(*) from label_result')" = "$n_rows" ] || fail "screen rows"
echo "screen: 5 edited rows of $n_rows reported and recomputed, results equal the clean run"
grep -m2 unusable "$T/c.err"
[ "$FAILS" = 0 ] || exit 1
echo PASS
