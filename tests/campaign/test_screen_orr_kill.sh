#!/bin/bash
# screen --orr killed with SIGKILL inside one system's ORR stage keeps every finished relaxation
# (campaign_meta "orr:SYSTEM:TAG") and --resume does not redo them:
#  1. an uninterrupted screen + ORR stage with an ase:FILE.py oracle (EMT, logging every energy
#     evaluation: formula and positions) gives the reference log L and JSON;
#  2. the same run, its calculator slowed down, is killed -9 once at least 4 relaxations of the
#     first system are stored and before that system's result is;
#  3. --resume: its evaluation log, cut into relaxations (a new formula or a jump of an atom >
#     0.5 Å; FIRE moves at most 0.2 Å a step), equals the relaxations of L after the N stored
#     ones (the stored ones not redone, the others the same calls), and every "orr" object of
#     its JSON equals the uninterrupted run's (python ==, every field, bit for bit);
#  4. the same for the Pt(111) reference's cell fit, killed right after it is stored.
# $1 = build dir, $2 = source dir.
set -u
B="$1"; S="$2"
. "$S/tests/campaign/screen_lib.sh"
need_sqlite
py=/usr/bin/python3
$py -c 'import ase.calculators.emt' 2>/dev/null || { echo "SKIP: no python3-ase"; exit 77; }
export ALLOYSCOUT_PYTHON=$py
cat > "$T/calc.py" << 'PY'
import os, time
from ase.calculators.emt import EMT

class LoggedEMT(EMT):
    def calculate(self, atoms=None, properties=("energy",), system_changes=None):
        if atoms is not None:
            with open(os.environ["ORR_CALC_LOG"], "a") as f:
                f.write("%s %s\n" % (atoms.get_chemical_formula(),
                                     " ".join("%.8f" % x for x in atoms.positions.ravel())))
        time.sleep(float(os.environ.get("ORR_CALC_SLEEP", "0")))
        EMT.calculate(self, atoms, properties, system_changes or ["positions"])

def calculator(atoms):
    return LoggedEMT()
PY
SCR=(--host Pt,Ni --candidates Cu --oracle eam "${SMALL[@]}" --rounds 1)
ORR=(--orr-oracle "ase:$T/calc.py" --orr-layers 3 --orr-fixed 1 --orr-fmax 0.05)

# 1. uninterrupted
ORR_CALC_LOG="$T/full.log" "$A" screen "${SCR[@]}" "${ORR[@]}" --db "$T/full.sqlite" \
    --json "$T/full.json" > /dev/null 2> "$T/full.err" || die "screen --orr: $(cat "$T/full.err")"

# 2. killed once >= 4 relaxations of one system are stored (the "orr:SYSTEM:TAG" entries)
SQL="SELECT count(*) FROM campaign_meta WHERE key LIKE 'orr:%:%'"
out=$(ORR_CALC_SLEEP=0.05 ORR_CALC_LOG="$T/kill.log" kill_when "$T/k.sqlite" "$SQL" 4 \
    "$T/kill.err" -- "${SCR[@]}" "${ORR[@]}" --db "$T/k.sqlite" --json "$T/k.json")
case "$out" in killed*) ;; *) die "the run was not killed: $out $(tail -3 "$T/kill.err")" ;; esac
[ -e "$T/k.json" ] && fail "the killed run wrote --json"
n_stored=$(q "$T/k.sqlite" "$SQL")
n_sys=$(q "$T/k.sqlite" "SELECT count(*) FROM campaign_meta WHERE key LIKE 'orr:%' AND key NOT LIKE 'orr:%:%'")
[ "$n_sys" = 0 ] || die "the system finished before the kill ($n_sys results stored)"
tags=$(sqlite3 "$T/k.sqlite" "SELECT key FROM campaign_meta WHERE key LIKE 'orr:%:%' ORDER BY rowid" | tr '\n' ' ')
echo "killed with $n_stored relaxations stored: $tags"

# 3. resume
ORR_CALC_LOG="$T/res.log" "$A" screen "${SCR[@]}" "${ORR[@]}" --db "$T/k.sqlite" \
    --json "$T/k.json" --resume > /dev/null 2> "$T/res.err" || die "resume: $(cat "$T/res.err")"
cat > "$T/cmp.py" << 'PY'
import json, sys
def relaxations(path):
    segs, prev = [], None
    for line in open(path):
        f, *x = line.split()
        x = [float(v) for v in x]
        if (prev is None or f != prev[0] or len(x) != len(prev[1])
                or max(abs(a - b) for a, b in zip(x, prev[1])) > 0.5):
            segs.append([])
        segs[-1].append(line)
        prev = (f, x)
    return segs
full, res = relaxations(sys.argv[1]), relaxations(sys.argv[2])
n = int(sys.argv[3])
print("uninterrupted: %d relaxations (%d evaluations); resumed: %d relaxations (%d evaluations)"
      % (len(full), sum(map(len, full)), len(res), sum(map(len, res))))
assert res == full[n:], "the resumed run's relaxations are not the uninterrupted run's after %d" % n
a, b = (json.load(open(p)) for p in sys.argv[4:6])
pairs = [(x["orr"], y["orr"]) for x, y in zip(a["systems"], b["systems"]) if "orr" in x]
assert len(pairs) == 2 and len(a["systems"]) == len(b["systems"])
for x, y in pairs:
    assert x.get("from_store") is False and y.get("from_store") is False, x["system"]
    assert x == y, "%s: %r\n%r" % (x["system"], x, y)
print("%d ORR objects equal the uninterrupted run's" % len(pairs))
PY
$py "$T/cmp.py" "$T/full.log" "$T/res.log" "$n_stored" "$T/full.json" "$T/k.json" ||
    fail "resume after the kill"

# 4. the Pt(111) reference's cell fit (tag "core", the first thing --orr-reference computes) is
#    kept too: killed once it is stored, --resume evaluates no bulk cell again (no line of the
#    bulk's formula in its log, where the uninterrupted run has the fit's) and gives the
#    uninterrupted run's reference object (python ==)
ORR_CALC_LOG="$T/rfull.log" "$A" screen "${SCR[@]}" "${ORR[@]}" --orr-reference \
    --db "$T/rfull.sqlite" --json "$T/rfull.json" > /dev/null 2> "$T/rfull.err" ||
    die "screen --orr-reference: $(cat "$T/rfull.err")"
SQL="SELECT count(*) FROM campaign_meta WHERE key = 'orr:Pt(111):core'"
out=$(ORR_CALC_SLEEP=0.05 ORR_CALC_LOG="$T/rkill.log" kill_when "$T/rk.sqlite" "$SQL" 1 \
    "$T/rkill.err" -- "${SCR[@]}" "${ORR[@]}" --orr-reference --db "$T/rk.sqlite" --json "$T/rk.json")
case "$out" in killed*) ;; *) die "the reference run was not killed: $out $(tail -3 "$T/rkill.err")" ;; esac
[ "$(q "$T/rk.sqlite" "SELECT count(*) FROM campaign_meta WHERE key = 'orr:Pt(111)'")" = 0 ] ||
    die "the reference finished before the kill"
ORR_CALC_LOG="$T/rres.log" "$A" screen "${SCR[@]}" "${ORR[@]}" --orr-reference --db "$T/rk.sqlite" \
    --json "$T/rk.json" --resume > /dev/null 2> "$T/rres.err" || die "resume: $(cat "$T/rres.err")"
$py - "$T/rfull.log" "$T/rres.log" "$T/rfull.json" "$T/rk.json" << 'PY' || fail "resume after a kill in the reference's stage"
import json, sys
bulk = "Pt4"  # as_orr_core_create's fcc cell of Pt
n_full = sum(1 for l in open(sys.argv[1]) if l.split()[0] == bulk)
n_res = sum(1 for l in open(sys.argv[2]) if l.split()[0] == bulk)
print("cell-fit evaluations: %d uninterrupted, %d on resume" % (n_full, n_res))
assert n_full > 0 and n_res == 0
a, b = (json.load(open(p))["orr"]["reference"] for p in sys.argv[3:5])
assert "error" not in a and a == b, "%r\n%r" % (a, b)
print("the reference object equals the uninterrupted run's")
PY

if [ $FAILS = 0 ]; then echo "campaign/screen_orr_kill: 1 passed, 0 failed"
else echo "campaign/screen_orr_kill: 0 passed, $FAILS failed"; fi
exit $((FAILS > 0))
