#!/bin/bash
# alloyscout screen's numbers against independent references (issue 5, items 4, 5 and 8):
# one small campaign of PtCo, Pt2CoCu and Pt2CoPb with --validate, then
#  - the JSON carries every key of item 4/5 per system and per round, the ranking and the note;
#  - closed forms: the PtCo ordered cell is the zero of energy and a training label, so the
#    predicted mean over the Pt-ordered set is 0 within 1e-4 eV/atom; E_seg(PtCo) = 0;
#  - the EAM oracle puts random PtCo above ordered PtCo (direct oracle average, no model);
#  - --validate: finite true MAE, and the surrogate ordering energy within 3 x the larger of
#    the true MAE and the test MAE (+ 2 standard errors) of the direct oracle average over the
#    same configurations;
#  - LAMMPS (pair_style eam/alloy on the setfl that 'alloyscout energy --write-setfl' writes):
#    the ordered cells' energies, the lattice constants at an energy minimum, and the
#    segregation energy of Pt2CoCu from LAMMPS's own cell relaxations;
#  - Pt2CoPb is not ranked (the default thresholds), and LAMMPS confirms the cell is not a
#    stable fcc arrangement: under a full cell relaxation it slides down the Bain path.
# $1 = build dir, $2 = source dir.
set -u
B="$1"; S="$2"
. "$S/tests/campaign/screen_lib.sh"
need_sqlite
[ -x /usr/bin/python3 ] || { echo "SKIP: /usr/bin/python3 missing"; exit 77; }

"$A" screen --candidates Cu,Pb --oracle eam "${SMALL[@]}" --validate 8 --seed 5 --db "$T/p.sqlite" \
    --json "$T/p.json" > "$T/p.txt" 2> "$T/p.err" || die "screen: $(tail -3 "$T/p.err")"

/usr/bin/python3 - "$T/p.json" > "$T/checks.txt" <<'PY'
import json, math, sys
j = json.load(open(sys.argv[1]))
bad = []
def need(cond, what):
    if not cond:
        bad.append(what)
for k in ("command", "campaign", "oracle", "seed", "physics_note", "systems", "ranking"):
    need(k in j, "top-level key " + k)
need("Zhou" in j.get("physics_note", ""), "physics note names the potential")
need(j["seed"] == 5 and "seed=5" in j["campaign"], "seed recorded")
sy = {s["system"]: s for s in j["systems"]}
need(sorted(sy) == ["Pt2CoCu", "Pt2CoPb", "PtCo"], "systems %s" % sorted(sy))
need(j["ranking"] == ["Pt2CoCu"], "ranking %s (Pb must not be ranked)" % j["ranking"])
keys = ("a_ang c_ang e_ordered_ev_atom segregation_ev_atom a_host_ang n_start n_unstable "
        "rmsd_max_ang rmsd_mean_ang rmsd_paper_mean_ang n_labels n_failed "
        "ordering_energy_ev_atom ordering_energy_se mean_ordered_ev_atom mean_random_ev_atom "
        "corr_energy_alpha_a_x corr_energy_alpha_b_m final_mae_ev_atom final_r2 "
        "validation_mae_ev_atom ordering_energy_direct_ev_atom ordering_energy_direct_se "
        "rounds stable").split()
rkeys = ("n_train n_test mae r2 mae_random r2_random val_mae val_mae_random lml c2 "
         "length_scale noise pca_components max_sigma_picked").split()
fin = lambda v: isinstance(v, (int, float)) and math.isfinite(v)
for name in ("PtCo", "Pt2CoCu"):
    s = sy[name]
    for k in keys:
        need(k in s, name + " key " + k)
    need(s["stable"] is True and "note" not in s or s["stable"], name + " stable")
    need(len(s["rounds"]) == 2, name + " two rounds")
    for r in s["rounds"]:
        for k in rkeys:
            need(k in r, name + " round key " + k)
        for k in ("mae", "r2", "mae_random", "val_mae", "val_mae_random", "lml"):
            need(fin(r.get(k)), "%s round %s finite: %r" % (name, k, r.get(k)))
    need(s["rounds"][1]["n_train"] > s["rounds"][0]["n_train"], name + " labels grow per round")
    for k in ("alpha_a_x", "mean_ev_atom", "std_ev_atom"):
        need(len(s["predictions"]["ordered"][k]) == 10 and len(s["predictions"]["random"][k]) == 10
             and len(s["predictions"]["across"][k]) == 20, name + " prediction set sizes")
    need(all(abs(a + 1 / 3) < 1e-12 for a in s["predictions"]["ordered"]["alpha_a_x"]),
         name + " ordered set at alpha = -1/3")
    need(all(v >= 0 for v in s["predictions"]["across"]["std_ev_atom"]), name + " sigma >= 0")
    need(s["n_start"] == 22 and s["n_unstable"] <= 0.2 * 22, name + " starting structures")
    need(s["rmsd_mean_ang"] < 0.35 and s["rmsd_max_ang"] < 0.35, name + " RMSD below the limit")
    # the paper's RMSD is (1/n) sqrt(sum dX^2) = rms / sqrt(n), n = 108 atoms
    need(abs(s["rmsd_paper_mean_ang"] * math.sqrt(108) - s["rmsd_mean_ang"]) < 1e-12,
         name + " paper RMSD = rms / sqrt(108)")
    need(s["n_failed"] == 0, name + " no failed labels")
    eo, ed = s["ordering_energy_ev_atom"], s["ordering_energy_direct_ev_atom"]
    need(fin(eo) and fin(ed) and fin(s["validation_mae_ev_atom"]), name + " validation numbers")
    need(abs(eo - (s["mean_random_ev_atom"] - s["mean_ordered_ev_atom"])) < 1e-15,
         name + " E_order = <E_random> - <E_ordered>")
    tol = 3 * max(s["validation_mae_ev_atom"], s["final_mae_ev_atom"]) + \
          2 * math.hypot(s["ordering_energy_se"], s["ordering_energy_direct_se"])
    print("%s: E_order surrogate %.5f +- %.5f, direct %.5f +- %.5f, |diff| %.5f, tolerance %.5f,"
          " true MAE %.5f, test MAE %.5f" % (name, eo, s["ordering_energy_se"], ed,
          s["ordering_energy_direct_se"], abs(eo - ed), tol, s["validation_mae_ev_atom"],
          s["final_mae_ev_atom"]))
    need(abs(eo - ed) <= tol, "%s surrogate vs direct ordering energy %.5f vs %.5f (tol %.5f)"
         % (name, eo, ed, tol))
p = sy["PtCo"]
need(abs(p["mean_ordered_ev_atom"]) < 1e-4, "PtCo <E_ordered> = %r, not 0" % p["mean_ordered_ev_atom"])
need(p["ordering_energy_direct_ev_atom"] > 0 and p["ordering_energy_ev_atom"] > 0,
     "PtCo orders with the EAM oracle (random above ordered)")
need(p["segregation_ev_atom"] == 0, "E_seg(PtCo) = 0")
need(p["corr_energy_alpha_b_m"] is None, "PtCo has no Co-M correlation (null)")
need(p["corr_energy_alpha_a_x"] > 0.5, "PtCo energy rises with alpha^{Pt-Co}")
need(p["c_ang"] < p["a_ang"], "L1_0 PtCo: c < a")
c = sy["Pt2CoCu"]
need(fin(c["corr_energy_alpha_b_m"]) and -1 <= c["corr_energy_alpha_b_m"] <= 1, "Co-M correlation")
need(c["a_host_ang"] == p["a_ang"] or abs(c["a_host_ang"] - p["a_ang"]) < 1e-6,
     "the PtCo reference of Pt2CoCu has PtCo's lattice constant")
b = sy["Pt2CoPb"]
need(b["stable"] is False and len(b.get("note", "")) > 20, "Pt2CoPb not stable, with a note")
need(b["rounds"] == [] and "predictions" not in b, "Pt2CoPb was not screened further")
print("FAILED: " + "; ".join(bad) if bad else "ok")
# numbers for the LAMMPS checks
print("NUM %r %r %r %r %r %r %r %r" % (p["a_ang"], p["c_ang"], p["e_ordered_ev_atom"],
      c["a_ang"], c["c_ang"], c["e_ordered_ev_atom"], c["segregation_ev_atom"], c["a_am_ang"]))
PY
cat "$T/checks.txt" | grep -v '^NUM'
grep -q '^ok$' "$T/checks.txt" || fail "JSON checks"
grep -q "^not ranked: Pt2CoPb: " "$T/p.txt" || fail "the table must list Pt2CoPb as not ranked"
grep -q "^1 *Pt2CoCu" "$T/p.txt" || fail "the table ranks Pt2CoCu first"
grep -q "^Note: " "$T/p.txt" || fail "the table prints the physics note"

# ---- LAMMPS ----
LMP=$(command -v lmp || true)
if [ -z "$LMP" ]; then
    echo "note: LAMMPS (lmp) missing: the independent energy checks are left out"
else
    read -r _ PA PC PE CA CC CE CSEG CAM < <(grep '^NUM' "$T/checks.txt")
    "$A" energy --write-setfl Pt,Co "$T/PtCo.eam.alloy" > /dev/null || fail "setfl Pt,Co"
    "$A" energy --write-setfl Pt,Co,Cu "$T/PtCoCu.eam.alloy" > /dev/null || fail "setfl Pt,Co,Cu"
    "$A" energy --write-setfl Pt,Co,Pb "$T/PtCoPb.eam.alloy" > /dev/null || fail "setfl Pt,Co,Pb"
    # lmp_energy PROTO ELEMENTS ORDER SETFL A C MODE: per-atom energy of the 3x3x3 cell
    # MODE: ideal (no relaxation), relax (positions), cell (cell + positions; prints E a c)
    lmp_energy() {
        "$A" lattice build --proto "$1" --elements "$2" --size 3 --a "$5" --c "$6" \
            --out "$T/l.extxyz" --quiet || { echo nan; return; }
        x2data "$3" "$T/l.extxyz" > "$T/l.data"
        local sp=${3//,/ } rel=""
        case $7 in
        relax) rel="minimize 0 1e-10 5000 50000" ;;
        cell) rel="fix 1 all box/relax x 0.0 y 0.0 z 0.0 couple xy
minimize 0 1e-10 5000 50000
unfix 1
minimize 0 1e-10 5000 50000" ;;
        esac
        cat > "$T/in.lmp" <<EOF
units metal
boundary p p p
atom_style atomic
read_data $T/l.data
pair_style eam/alloy
pair_coeff * * $4 $sp
thermo_modify format float %.15g
run 0
$rel
variable e equal pe/atoms
variable cz equal lz/3
print "RES \${e} \${cz}"
EOF
        "$LMP" -in "$T/in.lmp" -log none 2> /dev/null | awk '/^RES/ { print $2, $3 }'
    }
    check() { # description awk-condition values...
        local d=$1 cond=$2
        shift 2
        echo "$*" | awk "{ exit !($cond) }" && echo "ok: $d ($*)" || fail "$d ($*)"
    }
    # L1_0 PtCo at the screen's (a, c): every atom is a centre of symmetry, no relaxation; the
    # two codes read the same tables, so 1e-6 eV/atom covers interpolation differences
    read -r e _ < <(lmp_energy l10 Pt,Co Pt,Co "$T/PtCo.eam.alloy" "$PA" "$PC" ideal)
    check "LAMMPS E(L1_0 PtCo) = screen's ordered PtCo energy" '($1 - $2) ^ 2 < 1e-12' "$e" "$PE"
    # the lattice constants sit at an energy minimum (ideal positions, as the screen optimizes)
    for f in 0.998 1.002; do
        read -r ea _ < <(lmp_energy l10 Pt,Co Pt,Co "$T/PtCo.eam.alloy" "$(awk -v a="$PA" -v f=$f 'BEGIN{printf "%.12f", a*f}')" "$PC" ideal)
        read -r ec _ < <(lmp_energy l10 Pt,Co Pt,Co "$T/PtCo.eam.alloy" "$PA" "$(awk -v c="$PC" -v f=$f 'BEGIN{printf "%.12f", c*f}')" ideal)
        check "PtCo: E(a x $f) and E(c x $f) above E(a, c)" '$1 > $3 - 1e-9 && $2 > $3 - 1e-9' "$ea" "$ec" "$e"
    done
    # Pt2CoCu at the screen's (a, c), relaxed by LAMMPS's minimizer: the screen stops at
    # fmax = 0.03 eV/A, a residual energy of order F^2 / k ~ 1e-4 eV/atom at most
    read -r e _ < <(lmp_energy pt2com Pt,Co,Cu Pt,Co,Cu "$T/PtCoCu.eam.alloy" "$CA" "$CC" relax)
    check "LAMMPS relaxed E(Pt2CoCu) within 1e-4 eV/atom of the screen's, and not above it" \
        '$2 - $1 > -1e-9 && $2 - $1 < 1e-4' "$e" "$CE"
    read -r e0 _ < <(lmp_energy pt2com Pt,Co,Cu Pt,Co,Cu "$T/PtCoCu.eam.alloy" "$CA" "$CC" ideal)
    for f in 0.998 1.002; do
        read -r ea _ < <(lmp_energy pt2com Pt,Co,Cu Pt,Co,Cu "$T/PtCoCu.eam.alloy" "$(awk -v a="$CA" -v f=$f 'BEGIN{printf "%.12f", a*f}')" "$CC" ideal)
        read -r ec _ < <(lmp_energy pt2com Pt,Co,Cu Pt,Co,Cu "$T/PtCoCu.eam.alloy" "$CA" "$(awk -v c="$CC" -v f=$f 'BEGIN{printf "%.12f", c*f}')" ideal)
        check "Pt2CoCu: E(a x $f) and E(c x $f) above E(a, c)" '$1 > $3 - 1e-9 && $2 > $3 - 1e-9' "$ea" "$ec" "$e0"
    done
    # segregation energy from LAMMPS's own cell relaxations (box/relax with a = b, then
    # positions). The screen optimizes the cell at ideal positions and then relaxes the atoms,
    # a slightly different path to the minimum: 1e-4 eV/atom.
    read -r et _ < <(lmp_energy pt2com Pt,Co,Cu Pt,Co,Cu "$T/PtCoCu.eam.alloy" 3.76 3.70 cell)
    read -r eb1 _ < <(lmp_energy l10 Pt,Co Pt,Co,Cu "$T/PtCoCu.eam.alloy" 3.76 3.70 cell)
    read -r eb2 _ < <(lmp_energy l10 Pt,Cu Pt,Co,Cu "$T/PtCoCu.eam.alloy" 3.76 3.70 cell)
    seg=$(awk -v t="$et" -v a="$eb1" -v b="$eb2" 'BEGIN { printf "%.10f", t - 0.5 * (a + b) }')
    check "E_seg(Pt2CoCu): LAMMPS vs screen within 1e-4 eV/atom" '($1 - $2) ^ 2 < 1e-8' "$seg" "$CSEG"
    # Pt2CoPb: a full LAMMPS cell relaxation from a = c = 4.0 A leaves the fcc family
    # (c / a_fcc far below 1: the Bain path), so "not ranked" is physics, not a glitch
    read -r eb cz < <(lmp_energy pt2com Pt,Co,Pb Pt,Co,Pb "$T/PtCoPb.eam.alloy" 4.0 4.0 cell)
    check "LAMMPS: Pt2CoPb collapses along the Bain path (c below 3.5 A from 4.0 A)" '$1 < 3.5' "$cz"
fi

[ "$FAILS" -eq 0 ] || { echo "0 passed, $FAILS failed"; exit 1; }
echo "1 passed, 0 failed"
