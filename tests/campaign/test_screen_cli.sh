#!/bin/bash
# alloyscout screen's refusals, each cheap enough for ASan: help, usage errors (exit 2), a
# database holding another campaign (exit 1 naming both), an existing campaign without --resume
# (exit 1 telling to pass --resume), a file that is not SQLite, a candidate the oracle cannot
# treat (skipped with the supported elements named), a misspelt symbol (an error, not a skip:
# issue 5 item 4 says skipped candidates are ones "the oracle cannot treat"), and --size 2,
# which the option check accepts, must either work or be refused as a usage error up front.
# Runs that would do real work are killed as soon as they have registered their campaign.
# $1 = build dir, $2 = source dir.
set -u
B="$1"; S="$2"
. "$S/tests/campaign/screen_lib.sh"
need_sqlite

# help and usage errors
"$A" screen --help > "$T/help.txt" || fail "--help exit code"
for w in --host --candidates --oracle --db --resume --json --seed --validate --rmsd-max; do
    grep -q -- "$w" "$T/help.txt" || fail "help lacks $w"
done
usage() { # expected-word args...
    local w=$1
    shift
    "$A" screen "$@" > /dev/null 2> "$T/u.err"
    local rc=$?
    [ $rc -eq 2 ] || fail "'$*' exit $rc, expected 2"
    grep -q -- "$w" "$T/u.err" || fail "'$*': message lacks '$w': $(cat "$T/u.err")"
}
usage "--candidates" --db "$T/x.sqlite"
usage "--db" --candidates Cu
usage "--host needs two" --host Pt --candidates Cu --db "$T/x.sqlite"
usage "not a comma-separated list" --candidates Cu,,Ni --db "$T/x.sqlite"
usage "--rounds" --candidates Cu --db "$T/x.sqlite" --rounds many
usage "unknown" --candidates Cu --db "$T/x.sqlite" --bogus
usage "test fraction" --candidates Cu --db "$T/x.sqlite" --test-fraction 0.7
usage "size" --candidates Cu --db "$T/x.sqlite" --size 1
usage "unexpected argument" --candidates Cu --db "$T/x.sqlite" extra
[ -e "$T/x.sqlite" ] && fail "a usage error must not create the database"

# a database that is not SQLite
head -c 4096 /dev/urandom > "$T/junk.sqlite"
"$A" screen --candidates Cu --db "$T/junk.sqlite" > /dev/null 2> "$T/junk.err"
[ $? -eq 1 ] || fail "junk database: expected exit 1"
grep -q "junk.sqlite" "$T/junk.err" || fail "junk database: message names the file: $(cat "$T/junk.err")"

# register a campaign, then kill it: the checks below happen before any work
ARGS=(--candidates Cu "${SMALL[@]}" --seed 3 --db "$T/c.sqlite")
r=$(kill_when "$T/c.sqlite" "select count(*) from campaign_meta" 1 "$T/c.err" -- "${ARGS[@]}")
case $r in killed*) ;; *) fail "the first run was not killed: $r" ;; esac
key=$(sqlite3 "$T/c.sqlite" "select value from campaign_meta where key = 'campaign'")
echo "$key" | grep -q "seed=3" || fail "campaign key lacks the seed: $key"

"$A" screen "${ARGS[@]}" > /dev/null 2> "$T/again.err"
[ $? -eq 1 ] || fail "an existing campaign without --resume: expected exit 1"
grep -q "pass --resume" "$T/again.err" || fail "message must tell to pass --resume: $(cat "$T/again.err")"

"$A" screen --candidates Cu "${SMALL[@]}" --seed 4 --db "$T/c.sqlite" --resume > /dev/null \
    2> "$T/other.err"
[ $? -eq 1 ] || fail "--resume with another seed: expected exit 1"
grep -q "holds another campaign" "$T/other.err" || fail "another campaign: $(cat "$T/other.err")"
grep -q "seed=3" "$T/other.err" && grep -q "seed=4" "$T/other.err" || \
    fail "the message must show both campaigns: $(cat "$T/other.err")"
"$A" screen --candidates Ni "${SMALL[@]}" --seed 3 --db "$T/c.sqlite" --resume > /dev/null \
    2> "$T/other2.err"
[ $? -eq 1 ] || fail "--resume with other candidates: expected exit 1"
[ "$(q "$T/c.sqlite" 'select count(*) from campaign_meta')" = 1 ] || fail "campaign rewritten"

# a misspelt symbol is an error naming it before any work, not a skip (BUG: today it is skipped
# with "the eam oracle covers only ..." after the host pair has been screened)
for bad in Xx cu; do
    r=$(kill_when "$T/bad_$bad.sqlite" "select count(*) from campaign_meta" 1 "$T/bad_$bad.err" \
        -- --candidates "Cu,$bad" "${SMALL[@]}" --db "$T/bad_$bad.sqlite")
    case $r in
    killed*) fail "candidate '$bad': the run registered its campaign and started instead of refusing the symbol" ;;
    *) grep -q "'$bad' is not an element symbol" "$T/bad_$bad.err" ||
        fail "candidate '$bad': $r, $(cat "$T/bad_$bad.err")" ;;
    esac
done

# candidates the oracle cannot treat are skipped, naming the elements it supports; the run goes
# on with the host pair (it needs a whole PtCo screen, too slow for ASan)
if is_asan; then
    echo "note: the skip checks need a whole PtCo screen; left out under ASan"
else
    ZHOU="Cu Ag Au Ni Pd Pt Al Pb Fe Mo Ta W Mg Co Ti Zr Cr"
    "$A" screen --candidates Sn,Xe "${SMALL[@]}" --rounds 1 --db "$T/s.sqlite" \
        --json "$T/s.json" > /dev/null 2> "$T/s.err" || fail "Sn,Xe run: $(tail -1 "$T/s.err")"
    grep -q "skipping Sn: .*$ZHOU" "$T/s.err" || fail "Sn skip message: $(cat "$T/s.err")"
    grep -q "skipping Xe: .*$ZHOU" "$T/s.err" || fail "Xe skip message"
    grep -q '"ranking":[[:space:]]*\[[[:space:]]*\]' "$T/s.json" ||
        fail "nothing to rank: $(grep -A2 ranking "$T/s.json")"
    # an explicit oracle: eam:Pt,Co cannot treat Cu; the skip must not fail the run (BUG: today,
    # without --json, the skipped last candidate's status is returned: exit 1 after the table)
    "$A" screen --candidates Cu --oracle eam:Pt,Co "${SMALL[@]}" --rounds 1 --db "$T/s2.sqlite" \
        > /dev/null 2> "$T/s2.err" || fail "eam:Pt,Co run with Cu skipped: exit 1: $(tail -1 "$T/s2.err")"
    grep -q "skipping Cu: .*cannot treat Cu; it supports: Pt Co" "$T/s2.err" ||
        fail "eam:Pt,Co skip message: $(cat "$T/s2.err")"
fi

# --size 2 passes the option check; it must then work, or be refused before any work
# (BUG: today the run stops with exit 1 inside the PtCo starting structures: "mc: could not
# make configuration 4 of 4 at alpha 0.5 distinct")
"$A" screen --candidates Sn --size 2 "${SMALL[@]}" --rounds 1 --db "$T/z.sqlite" > /dev/null \
    2> "$T/z.err"
rc=$?
if [ $rc -ne 0 ] && ! { [ $rc -eq 2 ] && grep -q -- "size" "$T/z.err"; }; then
    fail "--size 2: exit $rc: $(tail -1 "$T/z.err")"
fi

[ "$FAILS" -eq 0 ] || { echo "0 passed, $FAILS failed"; exit 1; }
echo "1 passed, 0 failed"
