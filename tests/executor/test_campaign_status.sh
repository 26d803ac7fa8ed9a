#!/bin/bash
# alloyscout campaign status without a scheduler: a label store of `energy --db` (no jobs), a
# format-3 store made before the job table existed (the table is added on open, nothing lost),
# a campaign's records and jobs written through the store journal of the slurm executor, checked
# against the rows written, and usage errors (no --db, a missing file is not created).
# $1 = build dir, $2 = source dir.
set -u
B=$(cd "$1" && pwd); S=$(cd "$2" && pwd); A="$B/alloyscout"
T=$(mktemp -d /tmp/as-status.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
. "$S/tests/executor/slurm_lib.sh" # slurm_gen only

slurm_gen 3 "$T/three.extxyz"
"$A" energy --quiet --db "$T/e.sqlite" "$T/three.extxyz" > /dev/null || fail "energy --db"
"$A" campaign status --db "$T/e.sqlite" > "$T/e.txt" || fail "status of a label store"
grep -q "(3 labels stored)" "$T/e.txt" || fail "labels counted: $(cat "$T/e.txt")"
grep -q "campaign: (none: a label store)" "$T/e.txt" || fail "no campaign key"
grep -q "no cluster jobs" "$T/e.txt" || fail "no jobs: $(cat "$T/e.txt")"

# a format-3 file without the job table (made before issue 15): status adds it, keeps the labels
python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("DROP TABLE job"); c.commit()' \
    "$T/e.sqlite" || fail "python3 sqlite3"
"$A" campaign status --db "$T/e.sqlite" --json > "$T/e.json" || fail "status of a store without the job table"
python3 - "$T/e.json" "$T/e.sqlite" << 'PY' || fail "json of a label store: $(cat "$T/e.json")"
import json, sqlite3, sys
d = json.load(open(sys.argv[1]))
assert d["labels_stored"] == 3 and d["jobs"] == [] and d["systems"] == [], d
assert d["totals"]["jobs"] == 0 and "campaign" not in d, d
c = sqlite3.connect(sys.argv[2])
assert c.execute("SELECT count(*) FROM job").fetchone()[0] == 0  # the table is back
assert c.execute("PRAGMA user_version").fetchone()[0] == 3        # the format did not change
PY

# rows written as the executor's store journal writes them (independent of alloyscout's reader)
python3 - "$T/e.sqlite" << 'PY' || fail "writing rows"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
rows = [(1, "PtCo", -1, "5_0", "done", 1, None, None), (2, "PtCo", -1, "5_1", "done", 2, None,
        "attempt 1: NODE_FAIL"), (3, "PtCo", 0, "9_0", "running", 1, None, None),
        (4, "Pt2CoCu", -1, "12_3", "failed", 3, "TIMEOUT", "attempt 1: TIMEOUT\nattempt 2: TIMEOUT"),
        (5, "Pt2CoCu", -1, "", "submitting", 1, None, None),
        (6, "PtCo", 0, "9_1", "done", 1, "oracle: no convergence", None)]
for r in rows:
    c.execute("INSERT INTO job(key, system, round, job_id, job_name, dir, state, attempts, reason,"
              " failures) VALUES(?, ?, ?, ?, 'alloyscout-b-x', 'b-x/0', ?, ?, ?, ?)", r)
c.execute("INSERT INTO campaign_record(system, round, json) VALUES('PtCo', 0, '{}')")
c.execute("INSERT INTO campaign_record(system, round, json) VALUES('PtCo', -1, '{}')")
c.commit()
PY
"$A" campaign status --db "$T/e.sqlite" --json > "$T/c.json" || fail "status --json"
python3 - "$T/c.json" << 'PY' || fail "status json: $(head -c 800 "$T/c.json")"
import json, sys
d = json.load(open(sys.argv[1]))
t = d["totals"]
assert (t["jobs"], t["done"], t["running"], t["queued"], t["failed"], t["label_failed"]) == \
    (6, 3, 1, 1, 1, 1), t
s = {x["system"]: x for x in d["systems"]}
assert s["PtCo"]["finished"] and s["PtCo"]["rounds_recorded"] == [1], s["PtCo"]
assert not s["Pt2CoCu"]["finished"], s["Pt2CoCu"]
steps = {(x["system"], st["step"]): (st["jobs"], st["done"]) for x in d["systems"] for st in x["steps"]}
assert steps == {("PtCo", "setup"): (2, 2), ("PtCo", "round 1"): (2, 1),
                 ("Pt2CoCu", "setup"): (2, 0)}, steps
j4 = [j for j in d["jobs"] if j["job_id"] == "12_3"][0]
assert j4["attempts"] == 3 and j4["reason"] == "TIMEOUT" and j4["failures"].count("TIMEOUT") == 2
PY
"$A" campaign status --db "$T/e.sqlite" > "$T/c.txt" || fail "status"
grep -q "^total  *6  *3  *1  *1  *1  *0  *1$" "$T/c.txt" || fail "totals line: $(cat "$T/c.txt")"
grep -q "12_3  *failed  *3  TIMEOUT" "$T/c.txt" || fail "the failed job"
grep -q "earlier: attempt 1: NODE_FAIL" "$T/c.txt" || fail "the retried job's failure"
! grep -q " 5_0 " "$T/c.txt" || fail "a job done at the first attempt is listed only with --all"
"$A" campaign status --db "$T/e.sqlite" --all | grep -q " 5_0 " || fail "--all lists every job"

# usage
"$A" campaign status > /dev/null 2>&1; [ $? -eq 2 ] || fail "no --db: usage error"
"$A" campaign > /dev/null 2>&1; [ $? -eq 2 ] || fail "no subcommand: usage error"
"$A" campaign status --db "$T/none.sqlite" > /dev/null 2> "$T/n.err"; [ $? -eq 1 ] || fail "missing file"
grep -q "no such file" "$T/n.err" && [ ! -e "$T/none.sqlite" ] || fail "a missing store is not created"
echo "PASS: campaign status (label store, store without the job table, jobs and records, usage)"
