#!/bin/bash
# Errors that name their file and cause (issue 17, item 8): a synth model file missing a key
# ("M.json: scaler: missing array 'scale'"); a write that fails (RLIMIT_FSIZE: EFBIG, as a full
# disk gives ENOSPC) names the file and errno and leaves neither the file nor a temporary one; a
# read-only (immutable) --db says "read-only"; a failed --report leaves no --json, and an
# interrupted screen no empty report folder.
# $1 = build dir, $2 = source dir.
set -u
set -m
B=$(cd "$1" && pwd); A="$B/alloyscout"
T=$(mktemp -d)
D=$((5000 + RANDOM % 900)).125
cleanup() {
    chattr -i "$T/ro.sqlite" 2> /dev/null
    for p in $(pgrep -u "$(id -u)" -f "sleep $D"); do kill -KILL "$p"; done
    rm -rf "$T"
}
trap cleanup EXIT
FAILS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
cd "$T" || exit 1
/usr/bin/python3 - train.csv <<'PY'
import random, sys
r = random.Random(5)
with open(sys.argv[1], "w") as f:
    f.write("temp_c,rate,cooling,success\n")
    for i in range(40):
        t = 600 + 500 * r.random()
        cool = ["LN2", "furnace"][i % 2]
        f.write(f"{t:.2f},{1 + 9 * r.random():.3f},{cool},{'yes' if t > 850 else 'no'}\n")
PY
"$A" synth train --data train.csv --target success --positive yes --model m.json --quiet \
    > /dev/null 2> err.txt || { cat err.txt; echo "FAIL: synth train"; exit 1; }
# 1. a model without the scaler's scale
/usr/bin/python3 - m.json bad.json <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
del j["model"]["scaler"]["scale"]
json.dump(j, open(sys.argv[2], "w"))
PY
"$A" synth predict --model bad.json --data train.csv --out p.csv > /dev/null 2> err.txt
[ $? = 1 ] || fail "bad model: exit status"
grep -q "bad.json: scaler: missing array 'scale'" err.txt || fail "bad model: $(cat err.txt)"
echo "model: $(cat err.txt)"
# 1b. synth recommend --vary formula=...: an element without a column of the model is refused
/usr/bin/python3 - comp.csv base.csv <<'PY'
import random, sys
r = random.Random(7)
with open(sys.argv[1], "w") as f:
    f.write("formula,Cu,Au,Ag,temp_c,success\n")
    for i in range(40):
        x = round(r.random(), 3)
        other = ["Au", "Ag"][i % 2]
        cu, au, ag = 1 - x, (x if other == "Au" else 0), (x if other == "Ag" else 0)
        t = 600 + 500 * r.random()
        f.write(f"Cu{cu:.3f}{other}{x:.3f},{cu:.3f},{au:.3f},{ag:.3f},{t:.1f},{'yes' if t > 850 else 'no'}\n")
open(sys.argv[2], "w").write("formula,Cu,Au,Ag,temp_c\nCu0.5Au0.5,0.5,0.5,0,800\n")
PY
"$A" synth train --data comp.csv --target success --positive yes --composition formula \
    --model cm.json --quiet > /dev/null 2> err.txt || fail "composition model: $(cat err.txt)"
"$A" synth recommend --model cm.json --base base.csv --vary formula=CuAu,CuZr > /dev/null 2> err.txt
[ $? = 1 ] || fail "--vary formula=CuZr: exit status"
grep -q "'CuZr' holds Zr, which the model has no element column for" err.txt ||
    fail "--vary formula=CuZr: $(cat err.txt)"
"$A" synth recommend --model cm.json --base base.csv --vary formula=CuAu,CuAg > /dev/null 2> err.txt ||
    fail "--vary formula=CuAu,CuAg: $(cat err.txt)"
for v in 'temp_c=-inf:inf:1' 'temp_c=0x10:0x20:1' 'temp_c=1:2:1e-310'; do
    "$A" synth recommend --model cm.json --base base.csv --vary "$v" > /dev/null 2> err.txt
    [ $? = 1 ] || fail "--vary $v accepted"
done
echo "vary: $(cat err.txt)"
# 2. a write that fails (file size limit 1 KiB; SIGXFSZ ignored so write() returns EFBIG)
for c in "synth predict --model m.json --data train.csv --out big.csv" \
    "lattice generate --elements Pt,Co,Cu --random 3 --out big.xyz"; do
    out=$(echo "$c" | grep -o 'big\.[a-z]*')
    (trap '' XFSZ; ulimit -f 1; exec "$A" $c --quiet) > /dev/null 2> err.txt
    rc=$?
    [ $rc = 1 ] || fail "$c: exit $rc"
    grep -q "cannot write $out.*File too large" err.txt || fail "$c: message: $(cat err.txt)"
    [ -e "$out" ] && fail "$c: $out left"
    ls -a | grep -q "^\.$out\..*\.tmp$" && fail "$c: temporary file left"
    echo "write: $(cat err.txt)"
done
# 3. a read-only store (immutable: root can write a file of mode 0444)
printf '4\nLattice="3.9 0 0 0 3.9 0 0 0 3.9" Properties=species:S:1:pos:R:3 pbc="T T T"\nPt 0 0 0\nPt 1.95 1.95 0\nPt 1.95 0 1.95\nPt 0 1.95 1.95\n' > pt.extxyz
"$A" energy --quiet --oracle eam:Pt --db ro.sqlite pt.extxyz > /dev/null || fail "store setup"
if chattr +i ro.sqlite 2> /dev/null || { chmod 444 ro.sqlite && [ "$(id -u)" != 0 ]; }; then
    "$A" energy --quiet --oracle eam:Pt --db ro.sqlite pt.extxyz > /dev/null 2> err.txt
    [ $? = 1 ] || fail "read-only store: exit status"
    grep -q "ro.sqlite: read-only" err.txt || fail "read-only store: $(cat err.txt)"
    [ -e ro.sqlite.lock ] && fail "read-only store: lock file left"
    echo "store: $(cat err.txt)"
    chattr -i ro.sqlite 2> /dev/null
else
    echo "read-only store: not testable here (no chattr, running as root)"
fi
# 4. a --report that fails (its index.html is a directory): no --json
SC=(screen --candidates Cu --oracle eam --rounds 1 --chains 2 --steps 5 --per-round 2
    --n-ordered 5 --n-random 5 --n-across 10 --restarts 1 --quiet)
mkdir -p rep/index.html
"$A" "${SC[@]}" --db s.sqlite --json s.json --report rep > /dev/null 2> err.txt
rc=$?
if grep -q "built without cairo" err.txt; then
    echo "report: not testable (no cairo)"
else
    [ $rc = 1 ] || fail "failed report: exit $rc ($(cat err.txt))"
    [ -e s.json ] && fail "a failed --report left the --json"
    echo "report: exit $rc, $(tail -1 err.txt)"
fi
# 5. an interrupted screen: its new report folder is removed
cat > hang.sh <<EOF2
#!/bin/sh
sleep $D
EOF2
chmod +x hang.sh
"$A" "${SC[@]}" --oracle "cmd:$T/hang.sh {in} {out}" --db h.sqlite --json h.json \
    --report newrep > /dev/null 2> err.txt &
pid=$!
for _ in $(seq 200); do pgrep -f "sleep $D" > /dev/null && break; sleep 0.05; done
kill -TERM $pid
wait $pid
rc=$?
[ $rc = 143 ] || fail "interrupted screen: exit $rc ($(cat err.txt))"
[ -e newrep ] && fail "an interrupted screen left its report folder: $(ls -A newrep)"
[ -e h.json ] && fail "an interrupted screen left a --json"
[ "$FAILS" = 0 ] || exit 1
echo PASS
