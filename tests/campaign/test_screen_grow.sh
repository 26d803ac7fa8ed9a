#!/bin/bash
# A campaign grows on its --db (issue 16, item 5): more candidates, then more rounds, with
# --resume, reuse every finished label; a change that makes the labels another campaign's is
# refused naming the option and both values.
#  A: --candidates Cu (2 rounds), fresh database g.
#  B: --candidates Cu,Ni on g: no PtCo or Cu label is computed again (the labels computed by B
#     are exactly the rows it added), and the PtCo and Pt2CoCu results equal A's (each system
#     draws from streams of (seed, its own name), so another candidate changes nothing of Cu).
#  C: --candidates Cu,Ni --rounds 3 on g: the JSON and the table equal a fresh run F of the same
#     command in another database, byte for byte; the rows of g after C equal F's rows (no label
#     twice) and C computed only the labels g lacked.
#  refused: --oracle (names --oracle and both values), a candidate left out (--candidates Ni),
#  and growth without --resume (tells to pass --resume).
# $1 = build dir, $2 = source dir.
set -u
B="$1"; S="$2"
. "$S/tests/campaign/screen_lib.sh"
need_sqlite
if is_asan; then
    echo "note: four short screens; left out under ASan"
    exit 77
fi

G="$T/g.sqlite"
rows() { q "$1" 'select count(*) from label_result'; }
run() { # name args...: screen into $T/name.{json,txt,err}; die on failure
    local n=$1
    shift
    "$A" screen --oracle eam "${SMALL[@]}" --seed 7 "$@" --json "$T/$n.json" > "$T/$n.txt" \
        2> "$T/$n.err" || die "run $n: $(tail -2 "$T/$n.err")"
}

run a --candidates Cu --db "$G"
rows_a=$(rows "$G")
[ "$(computed "$T/a.err")" = "$rows_a" ] || fail "A: computed $(computed "$T/a.err") but $rows_a rows"

# growth without --resume is refused before any work
"$A" screen --oracle eam "${SMALL[@]}" --seed 7 --candidates Cu,Ni --db "$G" > /dev/null \
    2> "$T/nores.err"
[ $? -eq 1 ] || fail "growth without --resume: expected exit 1"
grep -q "pass --resume to grow it" "$T/nores.err" || fail "no --resume hint: $(cat "$T/nores.err")"

run b --candidates Cu,Ni --db "$G" --resume
rows_b=$(rows "$G")
comp_b=$(computed "$T/b.err")
echo "A: $rows_a labels; B (+Ni): $comp_b computed, $rows_b rows"
[ "$comp_b" -gt 0 ] || fail "B computed no label for Ni"
[ $((rows_a + comp_b)) = "$rows_b" ] || fail "B: $rows_a + $comp_b computed != $rows_b rows (a label twice?)"
grep -q "growing the campaign (--candidates Cu -> Cu,Ni)" "$T/b.err" ||
    fail "B does not say it grows the campaign: $(grep -i grow "$T/b.err")"
/usr/bin/python3 - "$T/a.json" "$T/b.json" <<'PY' || fail "B changed the PtCo or Pt2CoCu results of A"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
sa = {s["system"]: s for s in a["systems"]}
sb = {s["system"]: s for s in b["systems"]}
for name in ("PtCo", "Pt2CoCu"):
    assert sa[name] == sb[name], name
assert "Pt2CoNi" in sb
PY

run c --candidates Cu,Ni --rounds 3 --db "$G" --resume
rows_c=$(rows "$G")
comp_c=$(computed "$T/c.err")
grep -q -- "--rounds 2 -> 3" "$T/c.err" || fail "C does not name the grown rounds"
run f --candidates Cu,Ni --rounds 3 --db "$T/f.sqlite"
rows_f=$(rows "$T/f.sqlite")
echo "C (+1 round): $comp_c computed, $rows_c rows; fresh F: $rows_f rows"
[ "$rows_c" = "$rows_f" ] || fail "the grown database holds $rows_c labels, a fresh run $rows_f"
[ $((rows_b + comp_c)) = "$rows_f" ] || fail "C computed $comp_c labels, the database lacked $((rows_f - rows_b))"
cmp -s "$T/c.json" "$T/f.json" || fail "the grown campaign's JSON differs from a fresh run's"
cmp -s "$T/c.txt" "$T/f.txt" || fail "the grown campaign's table differs: $(diff "$T/c.txt" "$T/f.txt" | head -4)"
sqlite3 "$G" 'select key from label_result order by key' > "$T/keys_g"
sqlite3 "$T/f.sqlite" 'select key from label_result order by key' > "$T/keys_f"
cmp -s "$T/keys_g" "$T/keys_f" || fail "the grown database labelled other structures"

# refused: another oracle, naming the option and both values, before any work
key_before=$(sqlite3 "$G" "select value from campaign_meta where key = 'campaign'")
"$A" screen --oracle eam:Pt,Co,Cu,Ni "${SMALL[@]}" --seed 7 --candidates Cu,Ni --rounds 3 \
    --db "$G" --resume > /dev/null 2> "$T/or.err"
[ $? -eq 1 ] || fail "another --oracle: expected exit 1"
grep -q -- "--oracle" "$T/or.err" || fail "the message does not name --oracle: $(cat "$T/or.err")"
grep -q "stored oracle=eam:zhou2004\[Cu,Ag" "$T/or.err" && grep -q "this run oracle=eam:zhou2004\[Pt,Co,Cu,Ni\]" "$T/or.err" ||
    fail "the message does not give both oracles: $(cat "$T/or.err")"
[ "$(grep -c 'candidates=' "$T/or.err")" = 0 ] || fail "the message dumps the campaign keys: $(cat "$T/or.err")"
"$A" screen --oracle eam "${SMALL[@]}" --seed 7 --candidates Ni --rounds 3 --db "$G" --resume \
    > /dev/null 2> "$T/shrink.err"
[ $? -eq 1 ] || fail "a candidate left out: expected exit 1"
grep -q -- "--candidates Ni leaves out Cu" "$T/shrink.err" || fail "shrink message: $(cat "$T/shrink.err")"
[ "$(sqlite3 "$G" "select value from campaign_meta where key = 'campaign'")" = "$key_before" ] ||
    fail "a refused run rewrote the campaign"
[ "$(rows "$G")" = "$rows_c" ] || fail "a refused run computed labels"

[ "$FAILS" -eq 0 ] || { echo "0 passed, $FAILS failed"; exit 1; }
echo "1 passed, 0 failed"
