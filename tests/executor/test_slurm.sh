#!/bin/bash
# The slurm executor against a real Slurm (no mock): a private one-node cluster (munged,
# slurmctld, slurmd; tests/executor/slurm_lib.sh) runs `alloyscout energy --executor slurm`
#   1. on 5 frames, plain and relaxed (and 10 frames with repeats, through the label store): the
#      JSON and --out files are identical to --executor local;
#   2. kill -9 of alloyscout while its jobs run, then the same command again: it re-attaches (no
#      job submitted twice: the journal's job ids and sbatch's array count), same energies; and
#      from a journal that holds only the intents (killed before sbatch answered), by job name;
#   3. scancel of a running job (a node failure): the job is resubmitted, the journal keeps the
#      reason (CANCELLED), the energies are right;
#   4. SIGTERM to alloyscout: it cancels its own queued/running jobs and says so.
# Skips (77) only where Slurm is not installed. $1 = build dir, $2 = source dir.
set -u
B=$(cd "$1" && pwd); S=$(cd "$2" && pwd); A="$B/alloyscout"
. "$S/tests/executor/slurm_lib.sh"
slurm_test_setup as-slurm

slurm_gen 5 "$T/five.extxyz"
energies() { grep '"energy_ev"' "$1"; } # the labels, whatever the oracle's description
E=(energy --quiet --poll-max 0.5)

# ---- 1. slurm = local, to the last digit ----
"$A" "${E[@]}" --json "$T/l.json" --out "$T/l.extxyz" "$T/five.extxyz" > /dev/null ||
    fail "local run"
"$A" "${E[@]}" --executor slurm --workdir "$T/w1" --json "$T/s.json" --out "$T/s.extxyz" \
    "$T/five.extxyz" > /dev/null 2> "$T/s1.err" || fail "slurm run"
cmp -s "$T/l.json" "$T/s.json" || fail "slurm JSON differs from local: $(diff "$T/l.json" "$T/s.json" | head)"
cmp -s "$T/l.extxyz" "$T/s.extxyz" || fail "slurm --out differs from local"
[ "$(grep -c $'\tsubmitted\t' "$T/w1/journal.tsv")" -eq 5 ] || fail "5 submitted records"
[ "$(grep -c $'\tdone\t' "$T/w1/journal.tsv")" -eq 5 ] || fail "5 done records"
# repeated frames share one job; with --db the labels are stored and a rerun submits nothing
cat "$T/five.extxyz" "$T/five.extxyz" > "$T/ten.extxyz"
"$A" "${E[@]}" --json "$T/l10.json" "$T/ten.extxyz" > /dev/null || fail "local run of 10"
"$A" "${E[@]}" --executor slurm --workdir "$T/w5" --db "$T/d.sqlite" --json "$T/d.json" \
    "$T/ten.extxyz" > /dev/null 2> "$T/d.err" || fail "slurm run with --db"
# with --db the store's job table is the journal (no journal.tsv): 5 jobs, all done
[ ! -e "$T/w5/journal.tsv" ] || fail "--db: the jobs belong in the store, not journal.tsv"
"$A" campaign status --db "$T/d.sqlite" --json > "$T/d.status" || fail "campaign status of energy --db"
python3 - "$T/d.status" << 'PY' || fail "10 frames, 5 distinct: 5 jobs in the store: $(cat "$T/d.status")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["totals"]["jobs"] == 5 and d["totals"]["done"] == 5, d["totals"]
assert all(j["attempts"] == 1 and j["job_id"] for j in d["jobs"])
PY
cmp -s "$T/l10.json" "$T/d.json" || fail "slurm --db JSON differs from local"
"$A" energy --poll-max 0.5 --executor slurm --workdir "$T/w5" --db "$T/d.sqlite" \
    "$T/ten.extxyz" > /dev/null 2> "$T/d2.err" || fail "rerun with --db"
grep -q "0 computed, 10 from" "$T/d2.err" || fail "rerun: all from the store: $(cat "$T/d2.err")"
# relaxed, through a job template (module loads would go where the marker is)
printf '#!/bin/sh\n# job {jobname} in {workdir}, {ntasks} task(s)\necho template-ran\n{cmd}\n' \
    > "$T/tmpl.sh"
"$A" "${E[@]}" --relax --fmax 0.05 --json "$T/lr.json" "$T/five.extxyz" > /dev/null ||
    fail "local relaxed run"
"$A" "${E[@]}" --relax --fmax 0.05 --executor slurm --workdir "$T/w1r" --job-template \
    "$T/tmpl.sh" --slurm-opts "--ntasks=1 --time=00:05:00" --json "$T/sr.json" \
    "$T/five.extxyz" > /dev/null 2> "$T/s1r.err" || fail "slurm relaxed run"
cmp -s "$T/lr.json" "$T/sr.json" || fail "relaxed slurm JSON differs from local"
grep -q template-ran "$T"/w1r/b-*/0/job.log || fail "the job template was not used"
grep -q '1 task(s)' "$T"/w1r/b-*/job.sh || fail "{ntasks} from --slurm-opts"

# ---- 2. kill -9 mid-run, then re-attach ----
# a slow oracle: a cmd: program that waits, then labels with eam through `alloyscout label`
cat > "$T/slow.sh" << EOF
#!/bin/sh
sleep 3
exec "$A" label --quiet --oracle eam "\$1" "\$2"
EOF
chmod +x "$T/slow.sh"
SLOW="cmd:$T/slow.sh {in} {out}"
"$A" "${E[@]}" --oracle "$SLOW" --executor slurm --workdir "$T/w2" --json "$T/k.json" \
    "$T/five.extxyz" > /dev/null 2> "$T/k1.err" &
pid=$!
for _ in $(seq 1 300); do # (generous: sbatch is slow on a loaded machine)
    [ "$(grep -c $'\tsubmitted\t' "$T/w2/journal.tsv" 2> /dev/null)" = 5 ] && break
    sleep 0.1
done
[ "$(grep -c $'\tsubmitted\t' "$T/w2/journal.tsv")" -eq 5 ] || fail "5 jobs submitted before the kill"
{ kill -9 $pid && wait $pid; } 2> /dev/null
ids1=$(awk -F'\t' '$3 == "submitted" {print $4}' "$T/w2/journal.tsv" | sort -u)
[ "$(echo "$ids1" | wc -l)" -eq 5 ] || fail "5 job ids"
[ -z "$(squeue -h -o %i -n "$(awk -F'\t' '$3=="submitted"{print $5; exit}' "$T/w2/journal.tsv")")" ] &&
    fail "the jobs should still be queued or running after the kill"
"$A" "${E[@]}" --oracle "$SLOW" --executor slurm --workdir "$T/w2" --json "$T/k.json" \
    "$T/five.extxyz" > /dev/null 2> "$T/k2.err" || fail "re-attached run"
ids2=$(awk -F'\t' '$3 == "submitted" {print $4}' "$T/w2/journal.tsv" | sort -u)
[ "$ids1" = "$ids2" ] || fail "a job was submitted again after re-attaching"
[ "$(grep -c $'\tsubmitted\t' "$T/w2/journal.tsv")" -eq 5 ] || fail "submitted records after resume"
[ "$(ls -d "$T"/w2/b-* | wc -l)" -eq 1 ] || fail "one job array (one sbatch call)"
[ "$(energies "$T/k.json")" = "$(energies "$T/l.json")" ] || fail "re-attached energies differ"
# and once more: everything is collected from the result files, nothing submitted
"$A" energy --poll-max 0.5 --oracle "$SLOW" --executor slurm --workdir "$T/w2" \
    "$T/five.extxyz" > /dev/null 2> "$T/k3.err" || fail "third run"
grep -q "0 jobs submitted in 0 arrays, 5 re-attached" "$T/k3.err" || fail "third run: $(tail -1 "$T/k3.err")"

# killed after writing its intent but before sbatch answered: the journal holds only the
# "submitting" records; the next run finds the array by its job name (same job ids), submits nothing
grep -v -e $'\tsubmitted\t' -e $'\trunning\t' -e $'\tdone\t' "$T/w2/journal.tsv" > "$T/j.tsv"
mv "$T/j.tsv" "$T/w2/journal.tsv"
"$A" energy --poll-max 0.5 --oracle "$SLOW" --executor slurm --workdir "$T/w2" --json "$T/k4.json" \
    "$T/five.extxyz" > /dev/null 2> "$T/k4.err" || fail "run from intents only"
grep -q "0 jobs submitted in 0 arrays, 5 re-attached" "$T/k4.err" || fail "intents: $(tail -1 "$T/k4.err")"
[ "$(awk -F'\t' '$3 == "submitted" {print $4}' "$T/w2/journal.tsv" | sort -u)" = "$ids1" ] ||
    fail "the arrays found by name have other job ids"
[ "$(energies "$T/k4.json")" = "$(energies "$T/l.json")" ] || fail "energies from intents"

# ---- 3. a running job cancelled from outside (a node failure) is resubmitted ----
# the first job to start hangs (it takes the marker), the others and the retry are fast
cat > "$T/hang.sh" << EOF
#!/bin/sh
if mv "$T/hang" "$T/hang.taken.\$\$" 2> /dev/null; then sleep 120; fi
exec "$A" label --quiet --oracle eam "\$1" "\$2"
EOF
chmod +x "$T/hang.sh"
HANG="cmd:$T/hang.sh {in} {out}"
touch "$T/hang"
"$A" "${E[@]}" --oracle "$HANG" --executor slurm --workdir "$T/w3" --retries 2 \
    --json "$T/c.json" "$T/five.extxyz" > /dev/null 2> "$T/c.err" &
pid=$!
victim=""
for _ in $(seq 1 150); do
    if ! ls "$T/hang" > /dev/null 2>&1 && [ -f "$T/w3/journal.tsv" ]; then
        name=$(awk -F'\t' '$3=="submitted"{print $5; exit}' "$T/w3/journal.tsv")
        victim=$(squeue -h -r -t running -n "$name" -o %i)
        [ "$(echo "$victim" | wc -w)" = 1 ] && break
    fi
    sleep 0.2
done
[ -n "$victim" ] && [ "$(echo "$victim" | wc -w)" = 1 ] || fail "no single hanging job to cancel ($victim)"
scancel "$victim" || fail "scancel $victim"
wait $pid || fail "run with a cancelled job: $(tail -2 "$T/c.err")"
grep $'\tfailed\t' "$T/w3/journal.tsv" | grep -q "$victim.*CANCELLED" ||
    fail "the failure and its reason are journaled"
[ "$(awk -F'\t' '$1 == k && $3 == "submitted"' k="$(grep "$victim" "$T/w3/journal.tsv" | head -1 | cut -f1)" "$T/w3/journal.tsv" | wc -l)" -eq 2 ] ||
    fail "the cancelled structure was submitted twice (once as a retry)"
[ "$(energies "$T/c.json")" = "$(energies "$T/l.json")" ] || fail "energies after the retry differ"

# ---- 4. SIGTERM: alloyscout cancels its own jobs ----
touch "$T/hang"
"$A" energy --poll-max 0.5 --oracle "$HANG" --executor slurm --workdir "$T/w4" \
    "$T/five.extxyz" > /dev/null 2> "$T/t.err" &
pid=$!
for _ in $(seq 1 150); do
    ls "$T/hang" > /dev/null 2>&1 || break
    sleep 0.2
done
# the four fast ones are done, the hanging one is running. They share one CPU of the node with
# job launches, so on a loaded machine this takes well over 10 s: wait up to 90 s, and say so
# rather than send the signal early (which would cancel more than the one job asserted below)
for _ in $(seq 1 450); do
    [ "$(grep -c $'\tdone\t' "$T/w4/journal.tsv" 2> /dev/null)" = 4 ] && break
    sleep 0.2
done
[ "$(grep -c $'\tdone\t' "$T/w4/journal.tsv" 2> /dev/null)" = 4 ] ||
    fail "SIGTERM case: the four fast jobs did not finish within 90 s"
kill -TERM $pid
wait $pid; rc=$?
[ $rc -eq 1 ] || fail "interrupted run exits 1 (got $rc)"
grep -q "interrupted: cancelled 1 queued or running job" "$T/t.err" || fail "says it cancelled: $(tail -1 "$T/t.err")"
grep -q $'\tcancelled\t' "$T/w4/journal.tsv" || fail "cancel is journaled"
name=$(awk -F'\t' '$3=="submitted"{print $5; exit}' "$T/w4/journal.tsv")
for _ in $(seq 1 50); do
    [ -z "$(squeue -h -n "$name" -t pending,running -o %i)" ] && break
    sleep 0.2
done
[ -z "$(squeue -h -n "$name" -t pending,running -o %i)" ] || fail "jobs left running after SIGTERM"

# ---- 5. screen through slurm: kill -9 mid-round, a job cancelled meanwhile, --resume ----
# the campaign's labels are job arrays (one per labelling batch); while $T/slow exists every job
# waits 2 s first, so the kill finds jobs queued and running. With alloyscout dead, one running
# job is scancel'ed (a node failure); --resume re-attaches to the others (no second submission),
# retries the cancelled one with the reason stored, and the results equal a local run byte for
# byte (JSON and the printed table).
SC=(screen --quiet --candidates Cu --oracle eam --rounds 1 --per-round 4 --chains 4 --steps 20
    --restarts 2 --n-ordered 20 --n-random 20 --n-across 40 --no-random-baseline)
"$A" "${SC[@]}" --executor local --db "$T/sl.sqlite" --json "$T/sl.json" > "$T/sl.txt" \
    2> "$T/sl.err" || fail "local screen"
printf '#!/bin/sh\n[ -e %s ] && sleep 5\n{cmd}\n' "$T/slow" > "$T/slow.tmpl"
touch "$T/slow"
SS=("${SC[@]}" --executor slurm --poll-max 0.5 --job-template "$T/slow.tmpl" --db "$T/ss.sqlite"
    --json "$T/ss.json")
jobs_json() { "$A" campaign status --db "$T/ss.sqlite" --json > "$T/ss.status" 2> /dev/null; }
"$A" "${SS[@]}" > /dev/null 2> "$T/ss1.err" &
pid=$!
# killed once the 22 starting structures of PtCo are submitted and some of them run
running=0
for _ in $(seq 1 300); do
    if [ -e "$T/ss.sqlite" ] && jobs_json; then
        running=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(sum(j["state"] == "running" for j in d["jobs"]) if len(d["jobs"]) >= 20 else 0)' "$T/ss.status")
        [ "$running" -ge 1 ] && break
    fi
    sleep 0.2
done
[ "$running" -ge 1 ] || fail "screen: no jobs of the starting structures running before the kill"
{ kill -9 $pid && wait $pid; } 2> /dev/null
jobs_json || fail "campaign status after the kill"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for j in d["jobs"]:
    if j["state"] != "done": print(j["key"], j["job_id"])' "$T/ss.status" > "$T/ss.before"
[ -s "$T/ss.before" ] || fail "screen: jobs unfinished at the kill"
# a task still sleeping in the template (5 s) is the victim
victim=$(squeue -h -r -t running -o %i | head -1)
[ -n "$victim" ] || fail "screen: no job running after the kill"
grep -q " $victim\$" "$T/ss.before" || fail "the victim $victim is not unfinished in the store"
scancel "$victim" || fail "scancel $victim"
rm -f "$T/slow"
"$A" "${SS[@]}" --resume > "$T/ss.txt" 2> "$T/ss2.err" || fail "screen --resume: $(tail -3 "$T/ss2.err")"
cmp -s "$T/sl.json" "$T/ss.json" || fail "screen JSON through slurm differs from local: $(diff "$T/sl.json" "$T/ss.json" | head -5)"
cmp -s "$T/sl.txt" "$T/ss.txt" || fail "screen table through slurm differs from local"
jobs_json || fail "campaign status after the resume"
python3 - "$T/ss.status" "$T/ss.before" "$victim" << 'PY' || fail "screen: the jobs after --resume: $(cat "$T/ss.status" | head -c 600)"
import json, sys
d = json.load(open(sys.argv[1]))
before = dict(l.split() for l in open(sys.argv[2]))
victim = sys.argv[3]
jobs = {j["key"]: j for j in d["jobs"]}
assert d["totals"]["done"] == d["totals"]["jobs"] == len(jobs), d["totals"]
# per system the 22 starting structures and the ordered cell (for PtCo one of the 22) in
# setup, the 4 picks of round 1
assert len(jobs) == 53, len(jobs)
steps = {(s["system"], st["step"]): st["jobs"] for s in d["systems"] for st in s["steps"]}
assert steps == {("PtCo", "setup"): 22, ("PtCo", "round 1"): 4,
                 ("Pt2CoCu", "setup"): 23, ("Pt2CoCu", "round 1"): 4}, steps
for key, jid in before.items():
    j = jobs[key]
    if jid == victim:  # retried once, the reason kept
        assert j["attempts"] == 2 and j["job_id"] != victim, j
        assert "attempt 1: CANCELLED" in j["failures"], j
    else:  # re-attached: the same job, never submitted again
        assert j["job_id"] == jid and j["attempts"] == 1, (j, jid)
assert sum(j["attempts"] for j in jobs.values()) == 54
PY
# one sbatch per labelling batch: 2 x (starting structures, ordered cell, round 1) + the retry
[ "$(ls -d "$T"/ss.sqlite.jobs/b-* | wc -l)" -eq 7 ] ||
    fail "sbatch calls: $(ls -d "$T"/ss.sqlite.jobs/b-* | wc -l), expected 7"
"$A" campaign status --db "$T/ss.sqlite" > "$T/ss.status.txt" || fail "campaign status (text)"
grep -q "^Pt2CoCu *round 1 *4 *4 " "$T/ss.status.txt" || fail "status table: $(cat "$T/ss.status.txt")"
grep -q "earlier: attempt 1: CANCELLED" "$T/ss.status.txt" || fail "status lists the retried job"
# SIGTERM to screen while its jobs wait: it cancels them, says so, and ends by the signal
touch "$T/slow"
"$A" "${SC[@]}" --executor slurm --poll-max 0.5 --job-template "$T/slow.tmpl" \
    --db "$T/st.sqlite" > /dev/null 2> "$T/st.err" &
pid=$!
for _ in $(seq 1 150); do
    "$A" campaign status --db "$T/st.sqlite" 2> /dev/null | grep -q "submitted\|running" && break
    sleep 0.2
done
kill -TERM $pid
wait $pid; rc=$?
rm -f "$T/slow"
[ $rc -eq 143 ] || fail "screen after SIGTERM exits by the signal (got $rc)"
grep -q "interrupted: cancelled [1-9][0-9]* queued or running job" "$T/st.err" ||
    fail "screen says it cancelled: $(tail -1 "$T/st.err")"
"$A" campaign status --db "$T/st.sqlite" | grep -q "cancelled by alloyscout" ||
    fail "the cancelled jobs are in the store"
for _ in $(seq 1 50); do
    [ -z "$(squeue -h -t pending,running -o %i)" ] && break
    sleep 0.2
done
[ -z "$(squeue -h -t pending,running -o %i)" ] || fail "screen's jobs left in the queue after SIGTERM"
echo "PASS: slurm executor (identical to local; re-attach after kill -9; retry of a cancelled job; SIGTERM cancels; screen through slurm with kill -9, scancel and --resume = local; campaign status; SIGTERM cancels the screen's jobs)"
