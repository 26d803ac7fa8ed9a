#!/bin/bash
# Overhead of the slurm executor on a private one-node Slurm (tests/executor/slurm_lib.sh: munged,
# slurmctld, slurmd on this machine): `alloyscout energy --executor slurm` on batches of N 32-atom
# cells with the trivial eam oracle (about 1 ms of work per job), against --executor local on the
# same cells. Prints submission time (inputs, job script, sbatch) and the time to wait for and
# collect the results, per job; the node runs as many jobs at once as it has CPUs. For scale, the
# last column is Slurm alone: an array of N `true` jobs, from sbatch until squeue lists none.
# The db columns repeat the slurm run with --db (the journal is then the store's job table, one
# committed SQLite transaction per state change, as in `screen --executor slurm`).
#   bash bench/bench_slurm.sh [BUILD_DIR] [N ...]        (default: build 10 100; needs root)
set -u
B=$(cd "${1:-build}" && pwd); shift || true
SIZES="${*:-10 100}"
S=$(cd "$(dirname "$0")/.." && pwd); A="$B/alloyscout"
. "$S/tests/executor/slurm_lib.sh"
T=$(mktemp -d /tmp/as-bench-slurm.XXXXXX)
trap 'slurm_stop; rm -rf "$T"' EXIT
slurm_start "$T/cluster" || exit $?
cpus=$(sinfo -h -n localhost -o %c)
echo "# one-node Slurm $(sinfo -V | cut -d' ' -f2), $cpus CPUs; poll interval 1 s; SchedulerParameters=sched_min_interval=0,bf_interval=1,sched_interval=1"
printf "%6s %10s %12s %14s %14s %8s %16s %14s %14s\n" jobs local/s slurm/s submit/job/ms collect/job/ms arrays bare-slurm/job/ms db-submit/job/ms db-collect/job/ms
for n in $SIZES; do
    slurm_gen "$n" "$T/in$n.extxyz"
    t0=$(date +%s.%N)
    "$A" energy --quiet --json "$T/l$n.json" "$T/in$n.extxyz" > /dev/null || exit 1
    t1=$(date +%s.%N)
    "$A" energy --poll-max 1 --executor slurm --workdir "$T/w$n" --json "$T/s$n.json" \
        "$T/in$n.extxyz" > /dev/null 2> "$T/s$n.err" || { cat "$T/s$n.err"; exit 1; }
    t2=$(date +%s.%N)
    cmp -s "$T/l$n.json" "$T/s$n.json" || { echo "results differ from local"; exit 1; }
    line=$(grep "slurm:" "$T/s$n.err")
    sub=$(echo "$line" | sed -n 's/.*submitting \([0-9.]*\) s.*/\1/p')
    col=$(echo "$line" | sed -n 's/.*collecting \([0-9.]*\) s.*/\1/p')
    arr=$(echo "$line" | sed -n 's/.*in \([0-9]*\) arra.*/\1/p')
    t3=$(date +%s.%N)
    id=$(sbatch --parsable --array=0-$((n - 1)) -o /dev/null --wrap true) || exit 1
    while [ -n "$(squeue -h -r -j "$id" -t pending,running,completing -o %i 2> /dev/null)" ]; do
        sleep 0.2
    done
    t4=$(date +%s.%N)
    "$A" energy --poll-max 1 --executor slurm --workdir "$T/d$n" --db "$T/d$n.sqlite" \
        --json "$T/db$n.json" "$T/in$n.extxyz" > /dev/null 2> "$T/db$n.err" || { cat "$T/db$n.err"; exit 1; }
    cmp -s "$T/l$n.json" "$T/db$n.json" || { echo "results with --db differ from local"; exit 1; }
    line=$(grep "slurm:" "$T/db$n.err")
    dsub=$(echo "$line" | sed -n 's/.*submitting \([0-9.]*\) s.*/\1/p')
    dcol=$(echo "$line" | sed -n 's/.*collecting \([0-9.]*\) s.*/\1/p')
    awk -v n="$n" -v a="$t0" -v b="$t1" -v c="$t2" -v s="$sub" -v w="$col" -v r="$arr" \
        -v d="$t3" -v e="$t4" -v ds="$dsub" -v dc="$dcol" 'BEGIN {
        printf "%6d %10.3f %12.3f %14.2f %14.1f %8d %16.1f %14.2f %14.1f\n",
        n, b-a, c-b, 1000*s/n, 1000*w/n, r, 1000*(e-d)/n, 1000*ds/n, 1000*dc/n }'
done
