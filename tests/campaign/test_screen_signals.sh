#!/bin/bash
# SIGINT, SIGHUP and SIGTERM sent to `screen` while its cmd: oracle hangs (issue 17, item 1):
# exit status 130 / 129 / 143, no oracle process left, no scratch directory left; each run is
# continued with --resume, the last one (oracle no longer hanging) completes with the same JSON
# as an uninterrupted run and computes only the labels the interrupted runs had not stored.
# While a run hangs, a second `screen --resume` on the same --db is refused naming its pid.
# $1 = build dir, $2 = source dir.
set -u
set -m # background jobs keep SIGINT
B="$1"; S="$2"
. "$S/tests/campaign/screen_lib.sh"
need_sqlite
D=$((6000 + RANDOM % 900)).75 # a sleep duration no other process uses
trap 'for p in $(pgrep -u "$(id -u)" -f "sleep $D"); do kill -KILL "$p"; done; rm -rf "$T"' EXIT
mkdir -p "$T/tmp"
# the oracle: the EAM through `alloyscout energy`; it hangs once `calls` reaches the number in
# $T/hang (when that file exists)
cat > "$T/oracle.sh" <<EOF2
#!/bin/sh
echo "\$\$" >> "$T/calls"
if [ -e "$T/hang" ] && [ "\$(wc -l < "$T/calls")" -ge "\$(cat "$T/hang")" ]; then
    sleep $D
fi
exec "$A" energy --quiet --oracle eam --out "\$2" "\$1" > /dev/null
EOF2
chmod +x "$T/oracle.sh"
ARGS=(--candidates Cu --oracle "cmd:$T/oracle.sh {in} {out}" --accept-unconverged "${SMALL[@]}" --seed 3)
"$A" screen "${ARGS[@]}" --db "$T/ref.sqlite" --json "$T/ref.json" > "$T/ref.txt" \
    2> "$T/ref.err" || die "uninterrupted run: $(cat "$T/ref.err")"
ref_rows=$(q "$T/ref.sqlite" 'select count(*) from label_result')
n_ref_calls=$(wc -l < "$T/calls")
sleepers() { pgrep -f "sleep $D" | wc -l; }
oracles() { pgrep -f "$T/oracle.sh" | wc -l; }
DB="$T/c.sqlite"
rm -f "$T/calls"
resume=()
for case in "INT 130 10" "HUP 129 40" "TERM 143 75"; do
    set -- $case
    echo "$3" > "$T/hang"
    TMPDIR="$T/tmp" "$A" screen "${ARGS[@]}" --db "$DB" --json "$T/c.json" "${resume[@]}" \
        > /dev/null 2> "$T/run.err" &
    pid=$!
    for _ in $(seq 600); do [ "$(sleepers)" -ge 1 ] && break; sleep 0.05; done
    [ "$(sleepers)" -ge 1 ] || die "SIG$1: the oracle did not hang ($(cat "$T/run.err"))"
    if [ "$1" = INT ]; then # one writer per campaign: a second screen is refused
        "$A" screen "${ARGS[@]}" --db "$DB" --resume > /dev/null 2> "$T/second.err"
        rc=$?
        [ $rc = 1 ] || fail "second screen: exit $rc"
        grep -q "c.sqlite is in use by another alloyscout process (pid $pid: alloyscout screen" \
            "$T/second.err" || fail "second screen: $(cat "$T/second.err")"
    fi
    kill -s "$1" $pid
    wait $pid
    rc=$?
    [ $rc = "$2" ] || fail "SIG$1: exit status $rc, expected $2 ($(tail -2 "$T/run.err"))"
    grep -q "interrupted by SIG$1" "$T/run.err" || fail "SIG$1: message: $(tail -2 "$T/run.err")"
    for _ in $(seq 100); do [ "$(sleepers)$(oracles)" = 00 ] && break; sleep 0.05; done
    [ "$(sleepers)" = 0 ] || fail "SIG$1: $(sleepers) hanging oracle processes left"
    [ "$(oracles)" = 0 ] || fail "SIG$1: $(oracles) oracle scripts left"
    [ -z "$(ls -A "$T/tmp")" ] || fail "SIG$1: scratch left: $(ls -A "$T/tmp")"
    [ -e "$DB.lock" ] && fail "SIG$1: the lock file was left"
    [ -e "$T/c.json" ] && { fail "SIG$1: an interrupted run wrote --json"; }
    echo "SIG$1: exit $rc, $(q "$DB" 'select count(*) from label_result') labels stored"
    resume=(--resume)
done
rm -f "$T/hang"
rows_before=$(q "$DB" 'select count(*) from label_result')
TMPDIR="$T/tmp" "$A" screen "${ARGS[@]}" --db "$DB" --json "$T/c.json" --resume > "$T/c.txt" \
    2> "$T/c.err" || die "final --resume: $(cat "$T/c.err")"
c=$(computed "$T/c.err")
[ "$((c + rows_before))" = "$ref_rows" ] ||
    fail "final run computed $c labels, $rows_before were stored, the reference has $ref_rows"
[ "$(q "$DB" 'select count(*) from label_result')" = "$ref_rows" ] || fail "label rows differ"
cmp -s "$T/ref.txt" "$T/c.txt" || fail "the table differs from the uninterrupted run"
sed "s#$T/ref\.#X.#g" "$T/ref.json" > "$T/a.json"
sed "s#$T/c\.#X.#g" "$T/c.json" > "$T/b.json"
cmp -s "$T/a.json" "$T/b.json" || fail "--json differs from the uninterrupted run"
[ -z "$(ls -A "$T/tmp")" ] || fail "scratch left after the final run"
echo "final --resume: $c labels computed + $rows_before stored = $ref_rows (reference, $n_ref_calls oracle calls)"
[ "$FAILS" = 0 ] || exit 1
echo PASS
