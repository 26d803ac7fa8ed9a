#!/bin/bash
# alloyscout screen --acquire qoi --target-ci killed with SIGKILL and resumed with --resume
# (issue 14): the resumed campaign stops each system at the same round, for the same reason,
# with the same labels, and ends with a JSON byte-identical to an uninterrupted run; no label
# is computed twice. Also: the CLI refuses an unknown rule and a negative target (usage, 2).
# $1 = build dir, $2 = source dir.
set -u
B="$1"; S="$2"
. "$S/tests/campaign/screen_lib.sh"
need_sqlite

"$A" screen --candidates Cu --db "$T/u.sqlite" --acquire variance > /dev/null 2> "$T/u.err"
[ $? = 2 ] || fail "--acquire variance: exit 2 expected"
grep -q "variance' is not one of sigma, random, qoi" "$T/u.err" || fail "rule message: $(cat "$T/u.err")"
"$A" screen --candidates Cu --db "$T/u.sqlite" --target-ci -1 > /dev/null 2> "$T/u.err"
[ $? = 2 ] || fail "--target-ci -1: exit 2 expected"
[ -e "$T/u.sqlite" ] && fail "a usage error made the database"

ARGS=(--candidates Cu --rounds 4 --chains 3 --steps 10 --per-round 4 --n-ordered 10
      --n-random 30 --n-across 20 --restarts 2 --no-random-baseline --acquire qoi
      --target-ci 0.004 --seed 3)
"$A" screen "${ARGS[@]}" --db "$T/ref.sqlite" --json "$T/ref.json" > "$T/ref.txt" \
    2> "$T/ref.err" || die "uninterrupted run: $(cat "$T/ref.err")"
ref_rows=$(q "$T/ref.sqlite" 'select count(*) from label_result')
grep -q '"stop_reason":[[:space:]]*"target_ci"' "$T/ref.json" || \
    fail "no system met the target: the test does not exercise the stop"

DB="$T/k.sqlite"
KARGS=("${ARGS[@]}" --db "$DB" --json "$T/k.json")
r=$(kill_when "$DB" "select count(*) from label_result" 10 "$T/k.err" -- "${KARGS[@]}")
echo "kill 1 (10 labels): $r"
case $r in killed*) ;; *) fail "kill 1 came after the run ended ($r)" ;; esac
r=$(kill_when "$DB" "select count(*) from campaign_record where system = 'PtCo' and round = -1" 1 \
    "$T/k.err" -- "${KARGS[@]}" --resume)
echo "kill 2 (PtCo finished): $r"
rows_before=$(q "$DB" 'select count(*) from label_result')
"$A" screen "${KARGS[@]}" --resume > "$T/k.txt" 2> "$T/k_last.err" || \
    die "final resume: $(cat "$T/k_last.err")"
last=$(computed "$T/k_last.err")
[ "$(q "$DB" 'select count(*) from label_result')" = "$ref_rows" ] || fail "label rows differ"
[ $((rows_before + last)) = "$ref_rows" ] || fail "labels computed twice: $rows_before + $last != $ref_rows"
cmp -s "$T/ref.json" "$T/k.json" || fail "the resumed JSON differs: $(cmp "$T/ref.json" "$T/k.json")"
cmp -s "$T/ref.txt" "$T/k.txt" || fail "the resumed table differs"

[ "$FAILS" -eq 0 ] || { echo "0 passed, $FAILS failed"; exit 1; }
echo "1 passed, 0 failed"
