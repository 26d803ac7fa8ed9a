#!/bin/bash
# One writer per label store (issue 17, item 4/7): while `energy --db F` runs, a second `energy
# --db F` (or `screen --db F`) is refused before it writes anything, with a message naming the
# first one's pid and command; after kill -9 of the first, the lock it left is detected as stale
# (its pid no longer runs) and taken over with a warning, and the rerun computes only what is
# missing, never while the killed run's oracle still runs.
# $1 = build dir, $2 = source dir.
set -u
set -m
B="$1"; A="$B/alloyscout"
T=$(mktemp -d)
D=$((9000 + RANDOM % 900)).25 # a sleep duration no other process uses
cleanup() { for p in $(pgrep -u "$(id -u)" -f "sleep $D"); do kill -KILL "$p"; done; rm -rf "$T"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
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
cat > "$T/oracle.sh" <<EOF2
#!/bin/sh
echo "start \$(md5sum < "\$1" | cut -c1-8)" >> "$T/log"
if grep -q Cu "\$1" && [ -e "$T/hang" ]; then sleep $D; fi
sed '2s/\$/ energy=-14.2/' "\$1" > "\$2"
echo "end \$(md5sum < "\$1" | cut -c1-8)" >> "$T/log"
EOF2
chmod +x "$T/oracle.sh"
mkdir -p "$T/tmp"
sleepers() { pgrep -f "sleep $D" | wc -l; }
ORA=(--oracle "cmd:$T/oracle.sh {in} {out}")
touch "$T/hang"
TMPDIR="$T/tmp" "$A" energy --timeout 600 --db "$T/db.sqlite" "${ORA[@]}" "$T/two.extxyz" \
    > /dev/null 2> "$T/first.err" &
pid=$!
for _ in $(seq 200); do [ "$(sleepers)" -ge 1 ] && break; sleep 0.05; done
[ "$(sleepers)" -ge 1 ] || fail "the oracle did not start"
cp "$T/db.sqlite" "$T/db.before"
rm -f "$T/hang" # the second run would not hang: it must not run at all
for c in energy screen; do
    if [ $c = energy ]; then
        TMPDIR="$T/tmp" "$A" energy --db "$T/db.sqlite" "${ORA[@]}" --json "$T/x.json" \
            "$T/two.extxyz" > /dev/null 2> "$T/second.err"
    else
        "$A" screen --candidates Cu --oracle eam --db "$T/db.sqlite" --json "$T/x.json" \
            > /dev/null 2> "$T/second.err"
    fi
    rc=$?
    [ $rc -eq 1 ] || fail "second $c: exit $rc ($(cat "$T/second.err"))"
    grep -q "db.sqlite is in use by another alloyscout process (pid $pid: alloyscout energy" \
        "$T/second.err" || fail "second $c: message: $(cat "$T/second.err")"
    [ -e "$T/x.json" ] && fail "second $c wrote its --json"
    echo "second $c: $(cat "$T/second.err")"
done
[ "$(grep -c start "$T/log")" = 2 ] || fail "the refused runs started an oracle: $(cat "$T/log")"
cmp -s "$T/db.sqlite" "$T/db.before" || fail "the refused runs changed the store"
# kill -9: the lock file stays, naming a dead pid
kill -KILL $pid
wait $pid 2> /dev/null
for _ in $(seq 100); do [ "$(sleepers)" -eq 0 ] && break; sleep 0.05; done
[ "$(sleepers)" -eq 0 ] || fail "kill -9 left the oracle running"
grep -q "^pid $pid$" "$T/db.sqlite.lock" || fail "no stale lock file left"
TMPDIR="$T/tmp" "$A" energy --db "$T/db.sqlite" "${ORA[@]}" "$T/two.extxyz" > /dev/null \
    2> "$T/third.err" || fail "run after kill -9: $(cat "$T/third.err")"
grep -q "taking over the stale lock of pid $pid (no longer running; alloyscout energy" \
    "$T/third.err" || fail "no stale-lock note: $(cat "$T/third.err")"
grep -q "1 computed, 1 from" "$T/third.err" || fail "rerun: $(cat "$T/third.err")"
[ -e "$T/db.sqlite.lock" ] && fail "a finished run left its lock file"
# every structure finished exactly once; the hung one was started twice, never at once
[ "$(grep -c '^end' "$T/log")" = 2 ] || fail "oracle log: $(cat "$T/log")"
[ "$(sort "$T/log" | uniq -d | grep -c end)" = 0 ] || fail "a structure finished twice"
echo "$(cat "$T/third.err" | grep stale)"
# a lock whose pid runs but is another process (pid reused: other start time) is stale too
printf 'pid %s\nstart 1\ncommand alloyscout energy old\n' $$ > "$T/db.sqlite.lock"
TMPDIR="$T/tmp" "$A" energy --db "$T/db.sqlite" "${ORA[@]}" "$T/two.extxyz" > /dev/null \
    2> "$T/fourth.err" || fail "run with a reused pid in the lock: $(cat "$T/fourth.err")"
grep -q "stale lock of pid $$ (that pid is now another process" "$T/fourth.err" ||
    fail "reused pid: $(cat "$T/fourth.err")"
echo PASS
