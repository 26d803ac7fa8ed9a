#!/usr/bin/env bash
# End-to-end checks of 'alloyscout lattice': the 108-atom Pt2CoCu cell, generate at a target
# alpha, the paper's 22-seed set, features CSV, exit codes (2 usage, 1 runtime), no partial files.
# Args: $1 build dir, $2 source dir.
set -u
B="$1"
BIN="$B/alloyscout"
T=$(mktemp -d "${TMPDIR:-/tmp}/lattice_cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$BIN" ] || fail "no $BIN"

# 1. the 108-atom cell: 54 Pt, 27 Co, 27 Cu
"$BIN" lattice build --proto pt2com --elements Pt,Co,Cu --size 3 --out "$T/S.extxyz" --quiet \
    || fail "build"
[ "$(head -1 "$T/S.extxyz")" = 108 ] || fail "atom count line"
for e in "Pt 54" "Co 27" "Cu 27"; do
    set -- $e
    n=$(tail -n +3 "$T/S.extxyz" | awk -v s="$1" '$1 == s' | wc -l)
    [ "$n" = "$2" ] || fail "$1: $n atoms, want $2"
done
grep -q 'Lattice="' "$T/S.extxyz" || fail "no Lattice"

# features of the ordered cell: alpha1 Pt-Co = alpha1 Pt-Cu = -1/3, bonds 216 216 54 108 27 27
"$BIN" lattice features "$T/S.extxyz" > "$T/f.csv" || fail "features"
[ "$(wc -l < "$T/f.csv")" = 2 ] || fail "features rows"
head -1 "$T/f.csv" | grep -q '^frame,alpha1_Pt-Co,alpha2_Pt-Co,alpha3_Pt-Co,alpha1_Pt-Cu' \
    || fail "header $(head -1 "$T/f.csv")"
tail -1 "$T/f.csv" | awk -F, '{ if ($2 + 1/3 > 1e-12 || $2 + 1/3 < -1e-12) exit 1;
    if ($11 != 216 || $12 != 216 || $13 != 54 || $14 != 108 || $15 != 27 || $16 != 27) exit 1 }' \
    || fail "ordered fingerprint $(tail -1 "$T/f.csv")"

# 2. generate at a target: 4 frames at alpha^{Pt-(Co,Cu)} = 1/6 (bonds Pt-Co + Pt-Cu = 270)
"$BIN" lattice generate --proto pt2com --elements Pt,Co,Cu --size 3 \
    --target 'Pt-(Co,Cu)=0.1667' --count 4 --seed 1 --out "$T/set.extxyz" 2> "$T/gen.err" \
    || fail "generate: $(cat "$T/gen.err")"
[ "$(grep -c '^108$' "$T/set.extxyz")" = 4 ] || fail "4 frames"
"$BIN" lattice features "$T/set.extxyz" > "$T/set.csv" || fail "features set"
tail -n +2 "$T/set.csv" | awk -F, '{ if ($11 + $12 != 270) exit 1 }' || fail "alpha 1/6"
[ "$(tail -n +2 "$T/set.csv" | sort -u | wc -l)" = 4 ] || fail "frames not distinct"
# the same seed gives the same file
"$BIN" lattice generate --target 'Pt-(Co,Cu)=0.1667' --count 4 --seed 1 --out "$T/set2.extxyz" \
    --quiet || fail "generate again"
cmp -s "$T/set.extxyz" "$T/set2.extxyz" || fail "not deterministic"
# an unreachable target gives the nearest value and a warning
"$BIN" lattice generate --target 'Pt-(Co,Cu)=0.1' --out "$T/w.extxyz" --quiet 2> "$T/w.err" \
    || fail "generate 0.1"
grep -q 'warning: target alpha 0.1 is not reachable' "$T/w.err" || fail "no warning"

# 3. the paper set: 22 frames, 1 at -1/3 (N = 432), 4 at -1/6 (378) ... 1 at 2/3 (108)
"$BIN" lattice generate --paper-set --seed 3 --out "$T/paper.extxyz" \
    --json "$T/paper.json" --quiet || fail "paper set"
"$BIN" lattice features "$T/paper.extxyz" > "$T/paper.csv" || fail "features paper"
got=$(tail -n +2 "$T/paper.csv" | awk -F, '{ print $11 + $12 }' | sort -n | uniq -c |
      awk '{ printf "%s:%s ", $2, $1 }')
[ "$got" = "108:1 162:4 216:4 270:4 324:4 378:4 432:1 " ] || fail "paper set counts: $got"
grep -q '"alpha1": 0.66666666666666663' "$T/paper.json" || fail "json alpha"

# 4. ordered and random sets
"$BIN" lattice generate --ordered 3 --out "$T/ord.extxyz" --quiet || fail "ordered"
"$BIN" lattice features "$T/ord.extxyz" | tail -n +2 | awk -F, '{ if ($11 + $12 != 432) exit 1 }' \
    || fail "ordered alpha"
"$BIN" lattice generate --random 5 --out "$T/rnd.extxyz" --quiet || fail "random"
[ "$(grep -c '^108$' "$T/rnd.extxyz")" = 5 ] || fail "5 random frames"

# 5. POSCAR output and conversion
"$BIN" lattice build --proto l10 --elements Pt,Co --size 2 --c 3.71 --out "$T/POSCAR" --quiet \
    || fail "poscar"
sed -n 8p "$T/POSCAR" | grep -q Direct || fail "POSCAR Direct line"
"$BIN" lattice convert "$T/POSCAR" "$T/conv.extxyz" || fail "convert"
[ "$(head -1 "$T/conv.extxyz")" = 16 ] || fail "converted count"

# 6. exit codes and messages
"$BIN" lattice build --help > /dev/null || fail "help"
for sub in generate features convert; do
    "$BIN" lattice $sub --help | grep -q usage || fail "$sub --help"
done
"$BIN" lattice build --size 0 --out "$T/x.extxyz" 2> /dev/null; [ $? = 2 ] || fail "size 0 not 2"
"$BIN" lattice build 2> /dev/null; [ $? = 2 ] || fail "missing --out not 2"
"$BIN" lattice build --out "$T/x.extxyz" --elements Pt,Xq 2> "$T/e"; [ $? = 2 ] || fail "element"
grep -q "unknown element 'Xq'" "$T/e" || fail "element message"
"$BIN" lattice frobnicate 2> /dev/null; [ $? = 2 ] || fail "unknown sub"
"$BIN" lattice generate --target 'Pt-Zn=0.1' --out "$T/x.extxyz" 2> /dev/null
[ $? = 2 ] || fail "bad pair not 2"
printf '2\nLattice="3 0 0 0 3 0 0 0 3" Properties=species:S:1:pos:R:3\nPt 0 0 0\n' > "$T/bad.xyz"
"$BIN" lattice features "$T/bad.xyz" --out "$T/bad.csv" 2> "$T/e"; [ $? = 1 ] || fail "runtime 1"
grep -q "bad.xyz:4: file ends after 1 of 2 atoms" "$T/e" || fail "message: $(cat "$T/e")"
[ ! -e "$T/bad.csv" ] && [ ! -e "$T/bad.csv.tmp" ] || fail "partial output left"
"$BIN" lattice build --out "$T/no/such/dir/S.extxyz" 2> /dev/null; [ $? = 1 ] || fail "io not 1"
echo "lattice CLI: all checks passed"
