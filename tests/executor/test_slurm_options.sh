#!/bin/bash
# The options that reach the oracle or the label key reach the Slurm jobs (no mock:
# the private one-node cluster of tests/executor/slurm_lib.sh):
#   1. --oracle-version X: the labels `energy --executor slurm --db` stores have the same keys and
#      methods as `--executor local` with the same X, and every job's result names version=X
#      (the job computed the label under the key the screen expects);
#   2. screen --timeout cmd=2: a cmd: program that hangs in a job is stopped by the job's label
#      command after 2 s (status timeout, stored as a failed label), not by Slurm's time limit.
# Skips (77) only where Slurm is not installed. $1 = build dir, $2 = source dir.
set -u
B=$(cd "$1" && pwd); S=$(cd "$2" && pwd); A="$B/alloyscout"
. "$S/tests/executor/slurm_lib.sh"
slurm_test_setup as-slurmopt

keys() { sqlite3 "$1" "SELECT key, method, status, energy FROM label_result ORDER BY key"; }

# ---- 1. --oracle-version X: the same label keys, and every job labelled under version=X ----
# (energy --db: the same job command as screen's, one job array)
slurm_gen 6 "$T/six.extxyz"
E=(energy --quiet --poll-max 0.5 --relax --fmax 0.05 --oracle-version X --e-atom-max 40)
t0=$(date +%s)
"$A" "${E[@]}" --db "$T/l.sqlite" "$T/six.extxyz" > /dev/null 2> "$T/l.err" || fail "local run"
"$A" "${E[@]}" --executor slurm --workdir "$T/w" --db "$T/s.sqlite" "$T/six.extxyz" \
    > /dev/null 2> "$T/s.err" || fail "slurm run"
t1=$(date +%s)
keys "$T/l.sqlite" > "$T/l.keys"
keys "$T/s.sqlite" > "$T/s.keys"
[ "$(grep -c '|0|' "$T/l.keys")" -eq 6 ] || fail "local: $(cat "$T/l.keys")"
grep -q "version=X relax" "$T/l.keys" || fail "the method does not hold --oracle-version"
cmp -s "$T/l.keys" "$T/s.keys" ||
    fail "labels through slurm differ from local: $(diff "$T/l.keys" "$T/s.keys" | head -4)"
nver=$(grep -l 'oracle_version="*deps=[0-9a-f]* version=X' "$T"/w/b-*/*/out.extxyz | wc -l)
[ "$nver" -eq 6 ] || fail "$nver of 6 job results were labelled with --oracle-version X"
grep -q -- "'--oracle-version' 'X'.*'--e-atom-max' '40'\|'--e-atom-max' '40'.*'--oracle-version' 'X'" \
    "$T"/w/b-*/job.sh || fail "the job command: $(cat "$T"/w/b-*/job.sh)"

# ---- 2. --timeout cmd=2 reaches the job: a cmd: program that never answers in a Slurm job ----
# (the screen process's own oracle calls answer). The first job (the PtCo ordered cell) hangs
# in both attempts of the cmd: oracle and becomes a failed label with status timeout after
# 2 x 2 s; without the limit it would run into Slurm's --time (3 min; the test gives up at 60 s)
cat > "$T/hang.sh" << EOF
#!/bin/sh
[ -n "\${SLURM_JOB_ID:-}" ] && exec sleep 600
exec "$A" label --quiet --oracle eam:Pt,Co,Cu --relax "\$1" "\$2"
EOF
chmod +x "$T/hang.sh"
t3=$(date +%s)
SC=(screen --quiet --candidates Cu --rounds 1 --per-round 2 --chains 2 --steps 10 --restarts 1
    --n-ordered 10 --n-random 10 --n-across 20 --no-random-baseline --poll-max 0.5)
timeout 60 "$A" "${SC[@]}" --oracle "cmd:$T/hang.sh {in} {out}" --timeout cmd=2 \
    --lattice PtCo=3.80,3.70 --lattice Pt2CoCu=3.80,3.70 --executor slurm \
    --slurm-opts "--time=00:03:00" --db "$T/h.sqlite" > /dev/null 2> "$T/h.err"
rc=$?
dt=$(($(date +%s) - t3))
[ $rc -ne 124 ] || fail "screen still waiting after 60 s: the timeout did not reach the job"
[ $rc -eq 0 ] || fail "screen with the hanging oracle: exit $rc"
fails=$(sqlite3 "$T/h.sqlite" "SELECT status || '|' || error FROM label_result WHERE status != 0")
[ "$(printf '%s\n' "$fails" | grep -c .)" -ge 1 ] || fail "no failed label: $fails"
printf '%s\n' "$fails" | grep -qv '^12|' && fail "a failed label is not a timeout: $fails"
printf '%s\n' "$fails" | grep -qv 'timed out after 2 s' && fail "not the 2 s of --timeout cmd=2: $fails"
grep -q "timed out after 2 s" "$T/h.err" || fail "screen does not report the timeout"
echo "PASS: slurm job options (--oracle-version: the same label keys as local, $nver job results with version=X, $((t1 - t0)) s; screen --timeout cmd=2 stops a hanging job, $dt s)"
