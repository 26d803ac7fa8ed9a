#!/bin/bash
# alloyscout screen killed with SIGKILL at several moments and resumed with --resume (issue 5,
# item 6): the resumed campaign ends with a JSON file byte-identical to an uninterrupted run with
# the same seed in another database, prints the same table, holds the same campaign records, and
# no label is computed twice: the label rows of the interrupted database equal the
# uninterrupted run's, and the labels computed by the last run plus the rows left by the killed
# runs equal the uninterrupted run's count.
# Kill moments: (1) as soon as the campaign is registered (inside the first cell optimization,
# before any label), (2) after 10 labels (inside the 22 PtCo starting structures), (3) six labels
# into Pt2CoCu (after the PtCo result was recorded, inside the Cu starting structures).
# $1 = build dir, $2 = source dir.
set -u
B="$1"; S="$2"
. "$S/tests/campaign/screen_lib.sh"
need_sqlite

ARGS=(--candidates Cu --oracle eam "${SMALL[@]}" --seed 11)

# the uninterrupted reference
"$A" screen "${ARGS[@]}" --db "$T/ref.sqlite" --json "$T/ref.json" > "$T/ref.txt" \
    2> "$T/ref.err" || die "uninterrupted run: $(cat "$T/ref.err")"
ref_rows=$(q "$T/ref.sqlite" 'select count(*) from label_result')
ref_computed=$(computed "$T/ref.err")
[ "$ref_rows" -gt 60 ] || die "the reference run stored only $ref_rows labels"
[ "$ref_computed" = "$ref_rows" ] || fail "reference: $ref_computed labels computed but $ref_rows rows"
# labels of the host pair alone: 22 starting + ordered + rounds x (picks + random picks)
ptco_rows=$((22 + 1 + 2 * (3 + 3)))

DB="$T/k.sqlite"
KARGS=("${ARGS[@]}" --db "$DB" --json "$T/k.json")
n_killed=0
r=$(kill_when "$DB" "select count(*) from campaign_meta" 1 "$T/k.err" -- "${KARGS[@]}")
echo "kill 1 (campaign registered): $r"
case $r in killed*) n_killed=$((n_killed + 1)) ;; esac
rows1=$(q "$DB" 'select count(*) from label_result')

r=$(kill_when "$DB" "select count(*) from label_result" 10 "$T/k.err" -- "${KARGS[@]}" --resume)
echo "kill 2 (10 labels): $r, rows before $rows1"
case $r in killed*) n_killed=$((n_killed + 1)) ;; esac

r=$(kill_when "$DB" "select count(*) from label_result where (select count(*) from campaign_record \
where system = 'PtCo' and round = -1) = 1" $((ptco_rows + 6)) "$T/k.err" -- "${KARGS[@]}" --resume)
echo "kill 3 (6 labels into Pt2CoCu): $r"
case $r in killed*) n_killed=$((n_killed + 1)) ;; esac
[ "$n_killed" -eq 3 ] || fail "only $n_killed of 3 kills hit a running campaign"
grep -q "labels computed in this run" "$T/k.err" && fail "a killed run must not have finished"

rows_before=$(q "$DB" 'select count(*) from label_result')
[ "$rows_before" -gt "$ptco_rows" ] || fail "kill 3 came before Pt2CoCu started ($rows_before rows)"
[ "$rows_before" -lt "$ref_rows" ] || fail "the kills left nothing to do ($rows_before rows)"

"$A" screen "${KARGS[@]}" --resume > "$T/k.txt" 2> "$T/k_last.err" || \
    die "final resume: $(cat "$T/k_last.err")"
last=$(computed "$T/k_last.err")
rows_after=$(q "$DB" 'select count(*) from label_result')
echo "reference: $ref_rows labels; interrupted: $rows_before rows left by the killed runs + $last computed by the resume = $rows_after rows"

[ "$rows_after" = "$ref_rows" ] || fail "label rows: $rows_after after the resume, $ref_rows uninterrupted"
[ $((rows_before + last)) = "$ref_rows" ] || \
    fail "killed runs ($rows_before) + resume ($last) computed $((rows_before + last)) labels, the uninterrupted run $ref_rows"
[ "$(q "$DB" 'select count(*) from label_result where status != 0')" = 0 ] || fail "failed labels"
cmp -s "$T/ref.json" "$T/k.json" || fail "the resumed JSON differs from the uninterrupted one: $(cmp "$T/ref.json" "$T/k.json")"
cmp -s "$T/ref.txt" "$T/k.txt" || fail "the resumed table differs: $(diff "$T/ref.txt" "$T/k.txt" | head -5)"
recs() { sqlite3 "$1" 'select system, round, json from campaign_record order by system, round'; }
[ "$(recs "$T/ref.sqlite")" = "$(recs "$DB")" ] || fail "campaign records differ"
[ "$(q "$DB" 'select count(*) from campaign_record')" = 6 ] || \
    fail "expected 2 systems x (2 rounds + result) records"
# every label key of the uninterrupted run is in the interrupted database (same structures)
sqlite3 "$T/ref.sqlite" 'select key from label_result order by key' > "$T/keys_ref"
sqlite3 "$DB" 'select key from label_result order by key' > "$T/keys_k"
cmp -s "$T/keys_ref" "$T/keys_k" || fail "the labelled structures differ"

[ "$FAILS" -eq 0 ] || { echo "0 passed, $FAILS failed"; exit 1; }
echo "1 passed, 0 failed"
