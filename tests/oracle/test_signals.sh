#!/bin/bash
# SIGINT, SIGTERM and SIGHUP stop `alloyscout energy` with a hanging cmd: oracle: the oracle's
# process group and a descendant that called setsid are killed, the scratch directory is
# removed, the finished label is committed to --db, and the exit status is 130 / 143 / 129.
# kill -9 of alloyscout kills the oracle too (PR_SET_PDEATHSIG and the guard process).
# $1 = build dir, $2 = source dir.
set -u
set -m # job control: background jobs keep SIGINT (a script's background jobs ignore it)
B="$1"; A="$B/alloyscout"
T=$(mktemp -d)
cleanup() { for p in $(pgrep -u "$(id -u)" -f "sleep $D"); do kill -KILL "$p"; done; rm -rf "$T"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
D=$((7000 + RANDOM % 2000)).5 # a sleep duration no other process uses

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
# the oracle answers for the Pt frame and hangs on the Cu frame while $T/hang exists; with
# $T/setsid it also starts a sleeper in a new session (outside its process group)
cat > "$T/oracle.sh" <<EOF2
#!/bin/sh
if grep -q Cu "\$1" && [ -e "$T/hang" ]; then
    [ -e "$T/setsid" ] && setsid sleep $D &
    sleep $D
fi
sed '2s/\$/ energy=-14.2/' "\$1" > "\$2"
EOF2
chmod +x "$T/oracle.sh"
mkdir -p "$T/tmp"

sleepers() { pgrep -f "sleep $D" | wc -l; }
wait_for() { # wait_for N: until N sleepers run (10 s at most)
    for _ in $(seq 200); do [ "$(sleepers)" -ge "$1" ] && return 0; sleep 0.05; done
    return 1
}
none_left() { # no sleeper after 5 s at most
    for _ in $(seq 100); do [ "$(sleepers)" -eq 0 ] && return 0; sleep 0.05; done
    return 1
}

run_case() { # run_case SIGNAL EXPECTED_RC WITH_SETSID
    local sig=$1 want=$2
    rm -f "$T/db.sqlite"* "$T/setsid"
    touch "$T/hang"
    [ "$3" = 1 ] && touch "$T/setsid"
    TMPDIR="$T/tmp" "$A" energy --quiet --timeout 600 --db "$T/db.sqlite" \
        --oracle "cmd:$T/oracle.sh {in} {out}" "$T/two.extxyz" > "$T/out.txt" 2> "$T/err.txt" &
    local pid=$!
    wait_for $((1 + $3)) || fail "$sig: the oracle did not start"
    kill -s "$sig" $pid
    wait $pid
    local rc=$?
    [ $rc -eq "$want" ] || { cat "$T/err.txt"; fail "$sig: exit status $rc, expected $want"; }
    grep -q "interrupted by SIG$sig" "$T/err.txt" || fail "$sig: message ($(cat "$T/err.txt"))"
    none_left || fail "$sig (setsid=$3): $(sleepers) oracle processes left"
    [ -z "$(ls -A "$T/tmp")" ] || fail "$sig: scratch left: $(ls -A "$T/tmp")"
    # the finished (Pt) label was committed: a rerun computes only the Cu frame
    rm -f "$T/hang"
    TMPDIR="$T/tmp" "$A" energy --timeout 600 --db "$T/db.sqlite" \
        --oracle "cmd:$T/oracle.sh {in} {out}" "$T/two.extxyz" > /dev/null 2> "$T/err2.txt" \
        || fail "$sig: rerun"
    grep -q "1 computed, 1 from" "$T/err2.txt" || fail "$sig: resume ($(cat "$T/err2.txt"))"
}

run_case INT 130 0
run_case TERM 143 0
run_case HUP 129 0
run_case INT 130 1
run_case TERM 143 1

# two Ctrl-C in a row: still 130, nothing left
touch "$T/hang" "$T/setsid"
TMPDIR="$T/tmp" "$A" energy --quiet --timeout 600 --oracle "cmd:$T/oracle.sh {in} {out}" \
    "$T/two.extxyz" > /dev/null 2>&1 &
pid=$!
wait_for 2 || fail "double: the oracle did not start"
kill -INT $pid; kill -INT $pid
wait $pid; rc=$?
[ $rc -eq 130 ] || fail "double SIGINT: exit status $rc"
none_left || fail "double SIGINT: $(sleepers) oracle processes left"
[ -z "$(ls -A "$T/tmp")" ] || fail "double SIGINT: scratch left"

# a run that succeeds but leaves a setsid daemon behind: the daemon is ended with the run
cat > "$T/daemon.sh" <<EOF2
#!/bin/sh
setsid sleep $D &
sed '2s/\$/ energy=-14.2/' "\$1" > "\$2"
EOF2
chmod +x "$T/daemon.sh"
TMPDIR="$T/tmp" "$A" energy --quiet --oracle "cmd:$T/daemon.sh {in} {out}" "$T/two.extxyz" \
    > /dev/null || fail "daemon oracle run"
none_left || fail "a finished run left $(sleepers) processes"

# kill -9: no handler runs, the guard kills the oracle's group and the setsid sleeper
TMPDIR="$T/tmp" "$A" energy --quiet --timeout 600 --oracle "cmd:$T/oracle.sh {in} {out}" \
    "$T/two.extxyz" > /dev/null 2>&1 &
pid=$!
wait_for 2 || fail "kill -9: the oracle did not start"
kill -KILL $pid
wait $pid 2>/dev/null
none_left || fail "kill -9: $(sleepers) oracle processes left"
echo "1 passed, 0 failed"
