#!/bin/bash
# gpr fit / predict under hostile numbers (issue 17, items 3 and 4): a feature or target of
# 1e200 / 1e308 is refused with the row and column named, no model or prediction file is
# written and the exit status is not 0; a model file with null entries or an absurd theta is
# refused on load with the file and key named.
# $1 = build dir, $2 = source dir.
set -u
B="$1"; A="$B/alloyscout"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

{
    echo "f1,f2,e"
    for i in $(seq 1 12); do echo "$i.25,$((i * i % 7)).5,$((i % 5)).125"; done
} > "$T/ok.csv"
"$A" gpr fit --data "$T/ok.csv" --target e --restarts 1 --seed 2 --model "$T/m.json" --quiet \
    2> /dev/null || fail "fit on ordinary data"

for v in 1e200 1e308 -1e308; do
    g=$(printf "%g" "$v") # as the message prints it
    sed "4s/^[^,]*/$v/" "$T/ok.csv" > "$T/big.csv"   # data row 3, feature f1
    "$A" gpr fit --data "$T/big.csv" --target e --restarts 1 --model "$T/big.json" --quiet \
        2> "$T/err.txt"; rc=$?
    [ $rc -ne 0 ] || fail "fit with feature $v exited 0"
    [ ! -e "$T/big.json" ] || fail "fit with feature $v wrote a model"
    grep -q -- "feature row 3, column 1 is $g" "$T/err.txt" || fail "feature $v: $(cat "$T/err.txt")"
    sed "5s/[^,]*\$/$v/" "$T/ok.csv" > "$T/bigy.csv"  # data row 4, the target
    "$A" gpr fit --data "$T/bigy.csv" --target e --restarts 1 --model "$T/big.json" --quiet \
        2> "$T/err.txt"; rc=$?
    [ $rc -ne 0 ] || fail "fit with target $v exited 0"
    [ ! -e "$T/big.json" ] || fail "fit with target $v wrote a model"
    grep -q -- "target row 4, column 1 is $g" "$T/err.txt" || fail "target $v: $(cat "$T/err.txt")"
    printf 'f1,f2\n1.5,2.5\n%s,1\n' "$v" > "$T/q.csv"
    "$A" gpr predict --model "$T/m.json" --data "$T/q.csv" --out "$T/p.csv" --quiet \
        2> "$T/err.txt"; rc=$?
    [ $rc -ne 0 ] || fail "predict at $v exited 0"
    [ ! -e "$T/p.csv" ] || fail "predict at $v wrote predictions"
    grep -q -- "query row 2, column 1 is $g" "$T/err.txt" || fail "query $v: $(cat "$T/err.txt")"
done

# corrupted model files: null entries, an absurd theta
edit() { # edit NAME PYTHON-STATEMENT (m is the parsed model)
    /usr/bin/python3 -c "
import json, sys
m = json.load(open('$T/m.json'))
$2
json.dump(m, open('$T/$1.json', 'w'))" || fail "editing $1"
}
edit theta_null "m['gp']['theta'][0] = None"
edit theta_big "m['gp']['theta'][1] = 40.0"
edit x_null "m['gp']['x'][3] = None"
edit y_big "m['gp']['y'][2] = 1e300"
edit scale_null "m['pca']['scale'][1] = None"
edit mean_null "m['pca']['mean'][0] = None"
printf 'f1,f2\n1.5,2.5\n' > "$T/q.csv"
for c in theta_null:"gp: 'theta' element 0" theta_big:"gp: 'theta' element 1 is 40" \
         x_null:"gp: 'x' element 3 is nan" y_big:"gp: 'y' element 2 is 1e+300" \
         scale_null:"pca: scale 1 = nan must be > 0" mean_null:"pca: 'mean' element 0"; do
    name=${c%%:*}; want=${c#*:}
    rm -f "$T/p.csv"
    "$A" gpr predict --model "$T/$name.json" --data "$T/q.csv" --out "$T/p.csv" --quiet \
        2> "$T/err.txt"; rc=$?
    [ $rc -ne 0 ] || fail "$name: exit 0"
    [ ! -e "$T/p.csv" ] || fail "$name: predictions written"
    grep -q "$T/$name.json" "$T/err.txt" || fail "$name: file not named: $(cat "$T/err.txt")"
    grep -qF "$want" "$T/err.txt" || fail "$name: key not named: $(cat "$T/err.txt")"
done
"$A" gpr predict --model "$T/m.json" --data "$T/q.csv" --out "$T/p.csv" --quiet \
    || fail "the unedited model predicts"
echo "1 passed, 0 failed"
