# Shared helpers of the campaign shell tests (sourced; not a test itself).
# Expects B (build dir) and S (source dir); sets A (the program) and T (a temporary folder).
A="$B/alloyscout"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
FAILS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
die() { echo "FAIL: $*"; exit 1; }

# Small settings that keep one system at a few seconds (the 22 starting structures and the cell
# optimizations are fixed costs; everything else is scaled down).
SMALL=(--rounds 2 --chains 3 --steps 10 --per-round 3 --n-ordered 10 --n-random 10
       --n-across 20 --restarts 2)

is_asan() { grep -q '^AS_SANITIZE:BOOL=ON' "$B/CMakeCache.txt" 2>/dev/null; }
need_sqlite() { command -v sqlite3 > /dev/null || { echo "SKIP: sqlite3 CLI missing"; exit 77; }; }

# q DB SQL: one value from the database, 0 when the file or table does not exist yet.
q() {
    local v
    [ -s "$1" ] || { echo 0; return; }
    v=$(sqlite3 -cmd '.timeout 5000' "$1" "$2" 2> /dev/null) || v=0
    echo "${v:-0}"
}

# alive PID: 1 while the process runs (a zombie waiting for `wait` counts as ended).
alive() { [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat")" != Z ]; }

# kill_when DB SQL MIN ERR -- ARGS...: run `alloyscout screen ARGS` in the background and
# kill -9 it as soon as `SQL` on DB gives a number >= MIN. Prints "killed N" with N the value
# seen at the kill, or "finished RC" when the run ended first.
kill_when() {
    local db=$1 sql=$2 min=$3 err=$4 pid n rc
    shift 5
    "$A" screen "$@" > /dev/null 2>> "$err" &
    pid=$!
    for _ in $(seq 1 6000); do
        alive $pid || break
        n=$(q "$db" "$sql")
        if [ "$n" -ge "$min" ]; then
            kill -9 $pid 2> /dev/null
            wait $pid 2> /dev/null
            echo "killed $n"
            return
        fi
        sleep 0.02
    done
    alive $pid && kill -9 $pid 2> /dev/null
    wait $pid
    rc=$?
    echo "finished $rc"
}

# computed ERRFILE: N from the last "N labels computed in this run" line.
computed() { sed -n 's/^alloyscout: \([0-9]*\) labels computed in this run.*/\1/p' "$1" | tail -1; }

# x2data ORDER FILE.extxyz: the first frame of FILE (an orthogonal cell) as LAMMPS atomic data
# on stdout, atom types numbered in the order of ORDER ("Cu,Au").
x2data() {
    awk -v ORDER="$1" '
BEGIN { nt = split(ORDER, sp, ","); for (i = 1; i <= nt; i++) ty[sp[i]] = i }
NR == 1 { n = $1 }
NR == 2 { match($0, /Lattice="[^"]*"/); split(substr($0, RSTART + 9, RLENGTH - 10), L, " ");
          printf "cell\n\n%d atoms\n%d atom types\n0 %.17g xlo xhi\n0 %.17g ylo yhi\n0 %.17g zlo zhi\n\nAtoms # atomic\n\n", n, nt, L[1], L[5], L[9] }
NR > 2 && NR <= n + 2 { printf "%d %d %.17g %.17g %.17g\n", NR - 2, ty[$1], $2, $3, $4 }
' "$2"
}

# jnum FILE EXPR: a number from the JSON via python when present, else via a tiny grep.
jq_py() { /usr/bin/python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }
