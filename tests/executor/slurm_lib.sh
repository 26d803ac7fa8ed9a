# A private one-node Slurm cluster on this machine, for tests/executor/test_slurm.sh and
# bench/bench_slurm.sh (sourced; bash). slurm_start DIR starts munged (its own key and socket),
# slurmctld and slurmd with a slurm.conf written into DIR (ports on 127.0.0.1 chosen free, state,
# spool and logs in DIR), exports SLURM_CONF and waits until the node is idle; slurm_stop stops
# the daemons it started (by their pid files). Returns 77 from slurm_start where Slurm or munge
# is not installed.

slurm_have() {
    command -v slurmctld > /dev/null && command -v slurmd > /dev/null &&
        command -v munged > /dev/null && command -v sbatch > /dev/null
}

# a TCP port nothing listens on (bash's /dev/tcp: a refused connect means free)
slurm_free_port() {
    local p
    for _ in $(seq 1 50); do
        p=$((20000 + RANDOM % 40000))
        if ! (exec 3<> "/dev/tcp/127.0.0.1/$p") 2> /dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

slurm_start() {
    SL_DIR="$1"
    if ! slurm_have; then
        echo "SKIP: Slurm is not installed (no slurmctld/slurmd/munged/sbatch; Debian: slurm-wlm munge)"
        return 77
    fi
    if [ "$(id -u)" != 0 ]; then
        echo "SKIP: starting slurmd needs root (SlurmUser=root)"
        return 77
    fi
    mkdir -p "$SL_DIR/munge" "$SL_DIR/state" "$SL_DIR/spool" "$SL_DIR/log" || return 1
    chmod 755 "$SL_DIR" "$SL_DIR/munge"
    # munge with its own key and socket, so a system munged (or none) does not matter
    dd if=/dev/urandom of="$SL_DIR/munge/munge.key" bs=1024 count=1 2> /dev/null
    chmod 600 "$SL_DIR/munge/munge.key"
    munged --key-file="$SL_DIR/munge/munge.key" --socket="$SL_DIR/munge/sock" \
        --pid-file="$SL_DIR/munge/munged.pid" --log-file="$SL_DIR/munge/munged.log" \
        --seed-file="$SL_DIR/munge/seed" --force || { echo "munged failed"; return 1; }
    local cpus mem p1 p2
    cpus=$(slurmd -C | sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' | head -1)
    mem=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' | head -1)
    p1=$(slurm_free_port) && p2=$(slurm_free_port) || { echo "no free port"; return 1; }
    while [ "$p2" = "$p1" ]; do p2=$(slurm_free_port); done
    cat > "$SL_DIR/slurm.conf" << EOF
ClusterName=astest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$p1
SlurmdPort=$p2
AuthType=auth/munge
AuthInfo=socket=$SL_DIR/munge/sock
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$SL_DIR/state
SlurmdSpoolDir=$SL_DIR/spool
SlurmctldPidFile=$SL_DIR/slurmctld.pid
SlurmdPidFile=$SL_DIR/slurmd.pid
SlurmctldLogFile=$SL_DIR/log/slurmctld.log
SlurmdLogFile=$SL_DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=sched_min_interval=0,bf_interval=1,sched_interval=1
MinJobAge=600
DefMemPerCPU=64
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
    export SLURM_CONF="$SL_DIR/slurm.conf"
    slurmctld -f "$SLURM_CONF" -i || { echo "slurmctld failed"; return 1; }
    slurmd -f "$SLURM_CONF" -N localhost || { echo "slurmd failed"; return 1; }
    for _ in $(seq 1 60); do
        if [ "$(sinfo -h -n localhost -o %t 2> /dev/null)" = idle ]; then
            return 0
        fi
        sleep 0.5
    done
    echo "the node did not become idle; sinfo: $(sinfo 2>&1)"
    tail -n 20 "$SL_DIR/log/slurmctld.log" "$SL_DIR/log/slurmd.log" 2> /dev/null
    return 1
}

slurm_stop() {
    [ -n "${SL_DIR:-}" ] || return 0
    local f pid
    for f in "$SL_DIR/slurmd.pid" "$SL_DIR/slurmctld.pid" "$SL_DIR/munge/munged.pid"; do
        [ -s "$f" ] || continue
        pid=$(cat "$f")
        kill "$pid" 2> /dev/null
        for _ in $(seq 1 40); do
            kill -0 "$pid" 2> /dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2> /dev/null
    done
    return 0
}

# slurm_gen N OUT: N frames of a 32-atom fcc cell (2x2x2 conventional) of Pt/Co/Cu with species
# and small displacements from an LCG seeded by the frame number, and a lattice constant that
# differs per frame (3.85 + 0.005 f Å). Deterministic; no Python.
slurm_gen() {
    awk -v n="$1" 'BEGIN{
      split("0 0 0 0.5 0.5 0 0.5 0 0.5 0 0.5 0.5", b, " ");
      for (f = 0; f < n; f++) {
        a = 3.85 + 0.005 * f; s = 12345 + f * 7919; print 32;
        printf "Lattice=\"%.4f 0 0 0 %.4f 0 0 0 %.4f\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\n", 2*a, 2*a, 2*a;
        for (i = 0; i < 2; i++) for (j = 0; j < 2; j++) for (k = 0; k < 2; k++) for (q = 0; q < 4; q++) {
          s = (s * 1103515245 + 12345) % 2147483648; r = s / 2147483648;
          printf "%s", (r < 0.6) ? "Pt" : (r < 0.8 ? "Co" : "Cu");
          for (c = 0; c < 3; c++) {
            s = (s * 1103515245 + 12345) % 2147483648; d = (s / 2147483648 - 0.5) * 0.1;
            o = (c == 0 ? i : (c == 1 ? j : k)); printf " %.6f", (o + b[3*q+c+1]) * a + d
          }
          printf "\n"
        }
      } }' > "$2"
}

# The set-up both Slurm tests share: a temporary folder T (/tmp/PREFIX.XXXXXX; kept when KEEP is
# set), removed with the cluster on exit; fail MESSAGE prints it and the end of every *.err in T,
# then exits 1; the cluster started in T/cluster (exit 77 where Slurm is not installed).
slurm_test_setup() {
    T=$(mktemp -d "/tmp/$1.XXXXXX")
    trap 'slurm_stop; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
    fail() {
        echo "FAIL: $*"
        for f in "$T"/*.err; do [ -s "$f" ] && { echo "--- $f"; tail -n 5 "$f"; }; done
        exit 1
    }
    slurm_start "$T/cluster"; local rc=$?
    [ $rc -eq 77 ] && exit 77
    [ $rc -eq 0 ] || fail "could not start the test cluster"
}
