#!/bin/bash
# screen on any host pair (issue 13, item 4): --host Cu,Au --prototype l12 and --host Cu,Ni
# --prototype fcc --composition with the eam oracle at tiny sizes, end to end, then
#  - JSON: the generic keys (a_host_ang, c_host_ang, a_am_ang, alpha_a_x, alpha_b_m,
#    corr_energy_alpha_a_x/_b_m, prototype, host_a/host_b, composition) and none of the old
#    Pt/Co-named ones; the system names Cu3Au, Cu3Au+Pd, CuNi, CuNi+Pd;
#  - closed forms of the SRO: every ordered L1_2 configuration (Au or Au/Pd on the corners) has
#    alpha^{Cu-(rest)}_1 = 1 - 4 / (12 x 1/4) = -1/3; the fcc site counts follow the
#    composition (Cu0.45Ni0.45Pd0.1 on 108 sites: 49/48/11 by largest remainder; the host pair
#    54/54);
#  - LAMMPS (pair_style eam/alloy on the setfl of 'alloyscout energy --write-setfl'): the ordered
#    Cu3Au energy at the screen's a, a at an energy minimum, and the ordering energy of Cu3Au
#    from LAMMPS alone: relaxed random Cu3Au arrangements minus the ordered cell, against the
#    screen's direct (--validate) and surrogate ordering energies;
#  - --labels: 22 configurations labelled by the eam oracle itself ('alloyscout energy
#    --relax') seed Cu3Au: the store holds them under the oracle's own label keys (a later
#    'energy --db' on the same structures computes nothing and gives the file's energies), with
#    source FILE:frame N; the run computes exactly 22 labels fewer than without --labels; a file
#    with shifted energies is used as given; frames off the lattice, of another composition, of
#    no system or of another size are refused with FILE:frame N and the reason.
# $1 = build dir, $2 = source dir.
set -u
B="$1"; S="$2"
. "$S/tests/campaign/screen_lib.sh"
need_sqlite
[ -x /usr/bin/python3 ] || { echo "SKIP: /usr/bin/python3 missing"; exit 77; }

L12=(--host Cu,Au --prototype l12 --candidates Pd --oracle eam "${SMALL[@]}" --seed 3)
"$A" screen "${L12[@]}" --validate 10 --db "$T/u.sqlite" --json "$T/u.json" > "$T/u.txt" \
    2> "$T/u.err" || die "l12 screen: $(tail -3 "$T/u.err")"
REP=()
grep -q '^pkgcfg_lib_AS_CAIRO_cairo:FILEPATH=/' "$B/CMakeCache.txt" && REP=(--report "$T/rep")
"$A" screen --host Cu,Ni --prototype fcc --composition Cu0.45Ni0.45M0.1 --candidates Pd \
    --oracle eam "${SMALL[@]}" --db "$T/f.sqlite" --json "$T/f.json" "${REP[@]}" \
    > "$T/f.txt" 2> "$T/f.err" || die "fcc screen: $(tail -3 "$T/f.err")"
grep -q "^ref  Cu3Au " "$T/u.txt" || fail "the l12 table lists Cu3Au as the reference"
grep -q "^1 *Cu3Au+Pd " "$T/u.txt" || fail "the l12 table ranks Cu3Au+Pd"
grep -q "A, B = Cu, Au" "$T/u.txt" || fail "the table legend names the host"
# the EAM note and the oracle's "good for" line speak of the paper's PtCo; nothing else may
grep -v "^Note:\|^oracle " "$T/f.txt" | grep -q "Pt" && fail "Pt named in the Cu-Ni table"
if [ ${#REP[@]} -gt 0 ]; then
    [ -s "$T/rep/index.html" ] || fail "fcc report written"
    grep -q "CuNi ordering energy (reference)" "$T/rep/index.html" || fail "report: reference name"
    grep -q "α(Cu-(Ni,Pd)), coloured by α(Ni-Pd)" "$T/rep/index.html" || fail "report: SRO caption"
    grep -q "α(Pt\|Pt2CoM candidates" "$T/rep/index.html" && fail "the Cu-Ni report names Pt/Co"
fi

/usr/bin/python3 - "$T/u.json" "$T/f.json" "$T/f.sqlite" > "$T/checks.txt" <<'PY'
import json, math, sys, sqlite3
u = json.load(open(sys.argv[1])); f = json.load(open(sys.argv[2]))
bad = []
def need(cond, what):
    if not cond:
        bad.append(what)
for j, proto in ((u, "l12"), (f, "fcc")):
    need(j["prototype"] == proto and j["host_a"] == "Cu", "prototype and host of " + proto)
    for s in j["systems"]:
        for k in ("a_host_ang", "c_host_ang", "a_am_ang", "corr_energy_alpha_a_x",
                  "corr_energy_alpha_b_m", "n_seeded", "alpha_lo", "alpha_hi"):
            need(k in s, "%s: key %s" % (s["system"], k))
        for k in ("a_ptco_ang", "a_ptm_ang", "corr_energy_alpha_pt_x", "corr_energy_alpha_co_m"):
            need(k not in s, "%s: old key %s" % (s["system"], k))
        for p in s["predictions"].values():
            need("alpha_a_x" in p and "alpha_b_m" in p and "alpha_pt_x" not in p,
                 "%s: prediction keys" % s["system"])
need([s["system"] for s in u["systems"]] == ["Cu3Au", "Cu3Au+Pd"], "l12 names")
need([s["system"] for s in f["systems"]] == ["CuNi", "CuNi+Pd"], "fcc names")
need(f["composition"] == [0.45, 0.45, 0.1], "fcc composition %s" % f["composition"])
third = -1.0 / 3.0
for s in u["systems"]:
    need(all(abs(a - third) < 1e-12 for a in s["predictions"]["ordered"]["alpha_a_x"]),
         "%s: ordered L1_2 has alpha -1/3" % s["system"])
    need(abs(s["alpha_lo"] - third) < 1e-12, "%s: alpha range starts at -1/3" % s["system"])
h = u["systems"][0]
need(h["a_host_ang"] == h["a_ang"] and h["c_host_ang"] == h["a_ang"] == h["c_ang"],
     "Cu3Au: a_host_ang = a = c")
need(abs(sum(h["predictions"]["ordered"]["mean_ev_atom"]) / 10) < 1e-4,
     "Cu3Au: the ordered cell is the zero of energy")
need(h["ordering_energy_ev_atom"] > 0, "Cu3Au orders with the EAM")
# fcc site counts: the starting structures in the store are the screen's own structures
db = sqlite3.connect(sys.argv[3])
n = db.execute("select count(*) from label_result where n_atoms = 108").fetchone()[0]
need(n > 40, "fcc labels stored (%d)" % n)
fs = f["systems"]
need(all(s["alpha_lo"] <= min(s["predictions"]["random"]["alpha_a_x"]) + 1e-12 for s in fs),
     "fcc: the ordered end lies below every random configuration")
need(all(abs(a - s["alpha_lo"]) < 1e-12 for s in fs for a in s["predictions"]["ordered"]["alpha_a_x"]),
     "fcc: the ordered set sits at the ordering end of the range")
print("FAILED: " + "; ".join(bad) if bad else "ok")
print("NUM %r %r %r %r %r" % (h["a_ang"], h["e_ordered_ev_atom"], h["ordering_energy_ev_atom"],
      h["ordering_energy_direct_ev_atom"], h["ordering_energy_direct_se"]))
PY
grep -v '^NUM' "$T/checks.txt"
grep -q '^ok$' "$T/checks.txt" || fail "JSON checks"
read -r _ UA UE UO UD UDSE < <(grep '^NUM' "$T/checks.txt")

# fcc composition: the host pair 54/54 and Cu0.45Ni0.45Pd0.1 -> 49/48/11 on 108 sites
"$A" lattice generate --proto fcc --elements Cu,Ni,Pd --composition Cu0.45Ni0.45Pd0.1 --size 3 \
    --random 1 --out "$T/c.extxyz" --quiet || fail "lattice generate"
cnt=$(awk 'NR > 2 { n[$1]++ } END { printf "%d/%d/%d", n["Cu"], n["Ni"], n["Pd"] }' "$T/c.extxyz")
[ "$cnt" = 49/48/11 ] || fail "largest remainder of Cu0.45Ni0.45Pd0.1: $cnt"

# ---- LAMMPS: Cu3Au from LAMMPS alone ----
LMP=$(command -v lmp || true)
if [ -z "$LMP" ]; then
    echo "note: LAMMPS (lmp) missing: the independent energy checks are left out"
else
    "$A" energy --write-setfl Cu,Au "$T/CuAu.eam.alloy" > /dev/null || fail "setfl Cu,Au"
    # lmp_e FILE.extxyz MODE: per-atom energy (ideal | relax: positions at fixed cell)
    lmp_e() {
        x2data Cu,Au "$1" > "$T/l.data"
        local rel=""
        [ "$2" = relax ] && rel="minimize 0 1e-10 5000 50000"
        cat > "$T/in.lmp" <<EOF
units metal
boundary p p p
atom_style atomic
read_data $T/l.data
pair_style eam/alloy
pair_coeff * * $T/CuAu.eam.alloy Cu Au
thermo_modify format float %.15g
run 0
$rel
variable e equal pe/atoms
print "RES \${e}"
EOF
        "$LMP" -in "$T/in.lmp" -log none 2> /dev/null | awk '/^RES/ { print $2 }'
    }
    check() {
        local d=$1 cond=$2
        shift 2
        echo "$*" | awk "{ exit !($cond) }" && echo "ok: $d ($*)" || fail "$d ($*)"
    }
    cell() { # A OUT [--random SEED]
        if [ $# -gt 2 ]; then
            "$A" lattice generate --proto l12 --elements Cu,Au --size 3 --a "$1" --random 1 \
                --seed "$4" --out "$2" --quiet
        else
            "$A" lattice generate --proto l12 --elements Cu,Au --size 3 --a "$1" --ordered 1 \
                --out "$2" --quiet
        fi
    }
    cell "$UA" "$T/o.extxyz" && e0=$(lmp_e "$T/o.extxyz" ideal)
    check "LAMMPS E(L1_2 Cu3Au) = the screen's ordered Cu3Au energy" '($1 - $2) ^ 2 < 1e-12' "$e0" "$UE"
    for fct in 0.998 1.002; do
        cell "$(awk -v a="$UA" -v f=$fct 'BEGIN{printf "%.12f", a*f}')" "$T/o2.extxyz"
        check "Cu3Au: E(a x $fct) above E(a)" '$1 > $2 - 1e-9' "$(lmp_e "$T/o2.extxyz" ideal)" "$e0"
    done
    # 16 random Cu3Au arrangements at the screen's a, relaxed by LAMMPS: their mean energy
    # minus the ordered cell's is the ordering energy from LAMMPS alone
    for k in $(seq 1 16); do
        cell "$UA" "$T/r.extxyz" --random "$k" && lmp_e "$T/r.extxyz" relax
    done > "$T/rand.txt"
    read -r LO LSE < <(awk -v e0="$e0" '{ s += $1; q += $1 * $1; n++ }
        END { m = s / n; printf "%.10f %.10f\n", m - e0, sqrt((q / n - m * m) / (n - 1)) }' "$T/rand.txt")
    # the screen's direct ordering energy (oracle labels over its own 10 random configurations,
    # relaxed to fmax 0.03) and the surrogate's, against LAMMPS's: within 3 combined standard
    # errors plus 1 meV/atom (relaxation tolerance and the model's test error)
    check "Cu3Au ordering energy: screen direct vs LAMMPS" \
        'sqrt(($1 - $3) ^ 2) < 3 * sqrt($2 ^ 2 + $4 ^ 2) + 1e-3' "$UD" "$UDSE" "$LO" "$LSE"
    check "Cu3Au ordering energy: screen surrogate vs LAMMPS" \
        'sqrt(($1 - $2) ^ 2) < 3 * $3 + 2e-3' "$UO" "$LO" "$LSE"
fi

# ---- --labels ----
# 22 configurations at the screen's a, labelled (relaxed) by the eam oracle itself
"$A" lattice generate --proto l12 --elements Cu,Au --size 3 --a "$UA" --paper-set \
    --out "$T/f0.extxyz" --quiet || die "paper set"
"$A" energy --relax --oracle eam:Cu,Au --out "$T/seed.extxyz" "$T/f0.extxyz" > /dev/null \
    2>&1 || die "energy of the seeds"
"$A" screen "${L12[@]}" --validate 10 --labels "$T/seed.extxyz" --db "$T/s.sqlite" \
    --json "$T/s.json" > "$T/s.txt" 2> "$T/s.err" || die "seeded screen: $(tail -3 "$T/s.err")"
# oracle calls, without rounds (the rounds pick from different data): without --labels the
# oracle labels the cell fit, the ordered reference and the 22 starting structures of Cu3Au
# (one of them is the ordered cell, already labelled), with them the cell fit and the ordered
# reference (the file's L1_2 frame is a translate of it: another label key); Cu3Au+Pd is the
# same in both runs
"$A" screen "${L12[@]}" --rounds 0 --db "$T/u0.sqlite" > /dev/null 2> "$T/u0.err" || fail "u0"
"$A" screen "${L12[@]}" --rounds 0 --labels "$T/seed.extxyz" --db "$T/s0.sqlite" > /dev/null \
    2> "$T/s0.err" || fail "s0: $(tail -2 "$T/s0.err")"
cu=$(grep -o '[0-9]* labels computed in this run' "$T/u0.err" | awk '{print $1}')
cs=$(grep -o '[0-9]* labels computed in this run' "$T/s0.err" | awk '{print $1}')
[ -n "$cu" ] && [ -n "$cs" ] && [ $((cu - cs)) -eq 22 ] ||
    fail "seeding 22 labels saves 22 oracle labels (without: $cu, with: $cs)"
echo "labels computed without rounds: $cu without --labels, $cs with"
[ "$(q "$T/s0.sqlite" "select count(*) from label_result where method like '%[Cu,Au]%relax%' and source is null")" -eq 1 ] ||
    fail "with --labels the oracle relaxed more than the ordered Cu3Au reference"
[ "$(q "$T/s.sqlite" "select count(*) from label_result where source like '%seed.extxyz:frame %'")" -eq 22 ] ||
    fail "22 label rows with their source"
[ "$(q "$T/s.sqlite" "select source from label_result where source is not null order by source limit 1")" = \
  "$T/seed.extxyz:frame 1" ] || fail "provenance FILE:frame N"
# the seeded rows are the oracle's own labels of these structures: energy --db finds them all
cp "$T/s.sqlite" "$T/s2.sqlite"
"$A" energy --relax --oracle eam:Cu,Au --db "$T/s2.sqlite" --json "$T/e.json" "$T/f0.extxyz" \
    > /dev/null 2> "$T/e.err" || fail "energy --db on the seeds"
[ "$(q "$T/s2.sqlite" "select count(*) from label_result")" = \
  "$(q "$T/s.sqlite" "select count(*) from label_result")" ] || fail "energy --db computed a label"
/usr/bin/python3 - "$T/s.json" "$T/e.json" "$T/seed.extxyz" <<'PY' || fail "seeded JSON"
import json, re, sys
s = json.load(open(sys.argv[1])); e = json.load(open(sys.argv[2]))
file_e = [float(re.search(r"energy=(\S+)", l).group(1)) for l in open(sys.argv[3]) if "Lattice=" in l]
assert [f["energy_ev"] for f in e["frames"]] == file_e, "store energies differ from the file's"
h = s["systems"][0]
assert h["n_seeded"] == 22 and h["n_start"] == 22, (h["n_seeded"], h["n_start"])
assert s["systems"][1]["n_seeded"] == 0
assert s["labels"].endswith("seed.extxyz") and "labels=" in s["campaign"]
print("ok: seeded JSON")
PY
# shifted energies (+0.05 eV/atom) are used as given
awk '/Lattice=/ { match($0, /energy=[^ ]*/); v = substr($0, RSTART + 7, RLENGTH - 7);
     sub(/energy=[^ ]*/, sprintf("energy=%.17g", v + 0.05 * 108)) } { print }' "$T/seed.extxyz" \
    > "$T/shift.extxyz"
"$A" screen "${L12[@]}" --labels "$T/shift.extxyz" --db "$T/t.sqlite" --json "$T/t.json" \
    > /dev/null 2> "$T/t.err" || fail "shifted seeds: $(tail -3 "$T/t.err")"
d=$(sqlite3 "$T/t.sqlite" "attach '$T/s.sqlite' as s; select count(*) from label_result a join
    s.label_result b on a.key = b.key where a.source like '%shift.extxyz:frame %' and
    abs(a.energy - b.energy - 5.4) < 1e-9")
[ "$d" -eq 22 ] || fail "shifted energies stored as given under the same keys ($d of 22)"
# refusals, with FILE:frame N and the reason, and no campaign registered
refuse() { # what expected-text file
    if "$A" screen "${L12[@]}" --labels "$3" --db "$T/x.sqlite" > /dev/null 2> "$T/x.err"; then
        fail "$1: accepted"
    elif ! grep -q "$2" "$T/x.err"; then
        fail "$1: message $(tail -1 "$T/x.err")"
    fi
    [ "$(q "$T/x.sqlite" "select count(*) from campaign_meta where key = 'campaign'")" -eq 0 ] ||
        fail "$1: campaign registered"
}
head -110 "$T/seed.extxyz" | sed '3s/^Au/Cu/' > "$T/bad1.extxyz"
refuse "another composition" "bad1.extxyz:frame 1: 82 Cu atoms" "$T/bad1.extxyz"
head -110 "$T/seed.extxyz" | awk 'NR == 5 { $2 += 1.2 } { print }' > "$T/bad2.extxyz"
refuse "an atom off its site" "bad2.extxyz:frame 1: not on an fcc lattice" "$T/bad2.extxyz"
head -110 "$T/seed.extxyz" | sed '3,200s/^Au/Zn/' > "$T/bad3.extxyz"
refuse "species of no system" "bad3.extxyz:frame 1: species Zn,Cu match no system" "$T/bad3.extxyz"
"$A" lattice generate --proto l12 --elements Cu,Au --size 4 --a "$UA" --ordered 1 \
    --out "$T/o4.extxyz" --quiet
"$A" energy --out "$T/bad4.extxyz" "$T/o4.extxyz" > /dev/null 2>&1
refuse "another supercell" "bad4.extxyz:frame 1: 256 atoms" "$T/bad4.extxyz"

[ "$FAILS" -eq 0 ] || { echo "0 passed, $FAILS failed"; exit 1; }
echo "1 passed, 0 failed"
