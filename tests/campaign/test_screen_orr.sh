#!/bin/bash
# screen --orr (issue 18, item 6): a tiny PtNi + Cu screen with the eam oracle, then the ORR
# stage with ase:emt on the screened lattice constants, and the Pt(111) reference.
#  1. every system's "orr" object in the screen JSON equals `alloyscout orr --lattice A,C` run
#     separately on the same constants (every site's dE, steps, shift, dG_O, dG_OH, U_L: bit
#     for bit); the reference equals `alloyscout orr --host Pt` (its own cell fit);
#  2. the report lists the volcano; its SVG holds each system's label as <text>, anchored at
#     the point (dG_OH, U_L) of the JSON mapped through the axis ticks read from the same SVG;
#  3. --resume with the same ORR settings takes every slab from the store (no relaxation, same
#     numbers); another --orr-fmax computes again;
#  4. the refusals: the screen's eam (no O, H) without --orr-oracle, before anything runs (no
#     --db written); an ORR oracle without a host element (ase:emt and Co); --orr on another
#     prototype; a bad --orr-size;
#  5. SIGINT during the ORR stage: exit 130 and no --json.
# $1 = build dir, $2 = source dir.
set -u
set -m # the background run keeps SIGINT
B="$1"; S="$2"
. "$S/tests/campaign/screen_lib.sh"
py=/usr/bin/python3
$py -c 'import ase.calculators.emt' 2>/dev/null || { echo "SKIP: no python3-ase"; exit 77; }
export ALLOYSCOUT_PYTHON=$py
SCR=(--host Pt,Ni --candidates Cu --oracle eam "${SMALL[@]}" --rounds 1)
ORR=(--orr-oracle ase:emt --orr-layers 3 --orr-fixed 1 --orr-fmax 0.05 --orr-reference)

# 4. refusals first (cheap)
"$A" screen "${SCR[@]}" --db "$T/no.sqlite" --orr > "$T/out" 2>&1
[ $? = 1 ] || fail "eam as the ORR oracle: exit status not 1"
grep -q -- "--orr-oracle" "$T/out" || fail "refusal does not name --orr-oracle: $(cat "$T/out")"
grep -q "does not cover O and H" "$T/out" || fail "refusal does not say why: $(cat "$T/out")"
[ -e "$T/no.sqlite" ] && fail "the refused run wrote --db"
"$A" screen "${SCR[@]}" --db "$T/no.sqlite" --orr --prototype l12 > /dev/null 2>&1
[ $? = 2 ] || fail "--orr with l12 not a usage error"
"$A" screen "${SCR[@]}" --db "$T/no.sqlite" "${ORR[@]}" --orr-size 2 > /dev/null 2>&1
[ $? = 2 ] || fail "--orr-size 2 not a usage error"
"$A" screen --help | grep -q -- "--orr-oracle SPEC" || fail "screen --help has no --orr-oracle"
# an ORR oracle without a host element (EMT has no Co) is refused before the screen; one
# without a candidate M only warns (that system's ORR row says why)
"$A" screen --candidates Cu --oracle eam "${SMALL[@]}" --rounds 1 --db "$T/no.sqlite" \
    --orr-oracle ase:emt > "$T/out" 2>&1
[ $? = 1 ] || fail "ase:emt with host Pt,Co: exit status not 1"
grep -q "does not cover Co" "$T/out" || fail "refusal does not name Co: $(cat "$T/out")"
[ -e "$T/no.sqlite" ] && fail "the refused run wrote --db"

# the screen with the ORR stage (any --orr-* implies --orr)
"$A" screen "${SCR[@]}" "${ORR[@]}" --db "$T/s.sqlite" --json "$T/s.json" --report "$T/rep" \
    > "$T/s.txt" 2> "$T/s.err" || die "screen --orr: $(cat "$T/s.err")"
grep -q "^# ORR stage: oracle ase:emt" "$T/s.txt" || fail "no ORR table: $(cat "$T/s.txt")"
grep -q "^Pt@Pt2NiCu " "$T/s.txt" || fail "no Pt@Pt2NiCu row"
grep -q "^Pt(111) " "$T/s.txt" || fail "no Pt(111) row"

# 1. the same numbers from alloyscout orr on the same lattice constants (Pt(111): its own fit)
cat > "$T/cmp.py" << 'PY'
import json, sys
j = json.load(open(sys.argv[1]))
if sys.argv[3] == "Pt(111)":
    s = j["orr"]["reference"]
else:
    s = [x for x in j["systems"] if x["system"] == sys.argv[3]][0]["orr"]
o = json.load(open(sys.argv[2]))["systems"]
o = [x for x in o if "sites" in x][-1]  # the last system: the Pt2NiCu core with --candidates
keys = ["a_ang", "c_ang", "n_slab", "e_slab_ev", "e_h2o_ev", "e_h2_ev", "de_o_ev", "de_oh_ev",
        "dg_o_ev", "dg_oh_ev", "dg_ooh_ev", "u_limit_v", "overpotential_v",
        "potential_determining_step", "volcano_offset_ev"]
bad = [k for k in keys if s[k] != o[k]]
for a in ("O", "OH"):
    if s["sites"][a]["best_site"] != o["sites"][a]["best_site"]:
        bad.append(a + " best_site")
    for site in ("fcc", "hcp", "top"):
        x, y = s["sites"][a][site], o["sites"][a][site]
        for k in ("de_ev", "converged", "steps", "lateral_shift_ang"):
            if x.get(k) != y.get(k):
                bad.append("%s %s %s: %r vs %r" % (a, site, k, x.get(k), y.get(k)))
print("%s: a %.6f A, U_L %.6f V, dG_OH %.6f eV; %d fields compared, %d differ %s"
      % (sys.argv[3], s["a_ang"], s["u_limit_v"], s["dg_oh_ev"], len(keys) + 26, len(bad), bad))
sys.exit(1 if bad else 0)
PY
n_sys=0
for sys in PtNi Pt2NiCu 'Pt(111)'; do
    if [ "$sys" = 'Pt(111)' ]; then
        args=(--host Pt)
    else
        lat=$($py -c "
import json, sys
j = json.load(open(sys.argv[1]))
s = [x for x in j['systems'] if x['system'] == sys.argv[2]][0]
print('%r,%r' % (s['orr']['a_ang'], s['orr']['c_ang']))" "$T/s.json" "$sys") ||
            { fail "$sys: no orr object"; continue; }
        args=(--host Pt,Ni --lattice "$lat")
        [ "$sys" = Pt2NiCu ] && args+=(--candidates Cu)
    fi
    "$A" orr --oracle ase:emt "${args[@]}" --layers 3 --fixed 1 --fmax 0.05 \
        --json "$T/o.json" --quiet > /dev/null 2> "$T/o.err" ||
        { fail "orr $sys: $(cat "$T/o.err")"; continue; }
    $py "$T/cmp.py" "$T/s.json" "$T/o.json" "$sys" || fail "$sys: screen --orr differs from orr"
    n_sys=$((n_sys + 1))
done
[ $n_sys = 3 ] || fail "compared $n_sys of 3 systems"

# 2. the volcano in the report
cat > "$T/svg.py" << 'PY'
import json, re, sys
j = json.load(open(sys.argv[1]))
svg = open(sys.argv[2]).read()
texts = []
for m in re.finditer(r'<text[^>]*transform="translate\(([-0-9.]+) ([-0-9.]+)\)"[^>]*>(.*?)</text>',
                     svg, re.S):
    label = "".join(re.findall(r">([^<]*)</tspan>", m.group(3)))
    texts.append((float(m.group(1)), float(m.group(2)), label))
num = []
for x, y, t in texts:
    try:
        num.append((x, y, float(t.replace("\u2212", "-"))))
    except ValueError:
        pass
def axis(key, other):
    """value -> px from the tick labels sharing one coordinate (x ticks one y, y ticks one x)"""
    groups = {}
    for t in num:
        groups.setdefault(round(t[other], 1), []).append(t)
    g = max(groups.values(), key=len)
    assert len(g) >= 3, "no tick labels"
    (p0, v0), (p1, v1) = (g[0][key], g[0][2]), (g[-1][key], g[-1][2])
    return lambda v: p0 + (v - v0) * (p1 - p0) / (v1 - v0)
X, Y = axis(0, 1), axis(1, 0)
ok = 0
pts = [(s["system"], s.get("orr")) for s in j["systems"]] + [("Pt(111)", j["orr"]["reference"])]
for name, o in pts:
    if not o or "u_limit_v" not in o:
        continue
    want = (X(o["dg_oh_ev"]), Y(o["u_limit_v"]))
    hit = [t for t in texts if t[2] == name]
    assert hit, "no <text> %s in the volcano" % name
    d = max(abs(hit[0][0] - want[0]), abs(hit[0][1] - want[1]))
    print("%s: label at (%.2f, %.2f), expected (%.2f, %.2f) from the JSON"
          % (name, hit[0][0], hit[0][1], want[0], want[1]))
    assert d < 0.05, "%s is %.3f px off" % (name, d)
    ok += 1
assert ok == 3, "%d points" % ok
assert "Pt(111) reference" in svg, "no reference in the legend"
PY
if [ -e "$T/rep/index.html" ]; then
    grep -q 'orr_volcano\.svg' "$T/rep/index.html" || fail "index.html does not list the volcano"
    grep -q 'ORR activity' "$T/rep/index.html" || fail "index.html has no ORR section"
    $py "$T/svg.py" "$T/s.json" "$T/rep/orr_volcano.svg" || fail "volcano SVG"
else
    echo "no report (built without cairo): the volcano part skipped"
fi

# 3. --resume: every slab from the store, the same numbers
"$A" screen "${SCR[@]}" "${ORR[@]}" --db "$T/s.sqlite" --json "$T/r.json" --resume \
    > "$T/r.txt" 2> "$T/r.err" || die "resume: $(cat "$T/r.err")"
grep -q "ORR stage: 3 of 3 systems taken from" "$T/r.err" ||
    fail "resume relaxed again: $(cat "$T/r.err")"
cat > "$T/res.py" << 'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
pairs = [(x["orr"], y["orr"]) for x, y in zip(a["systems"], b["systems"])]
pairs.append((a["orr"]["reference"], b["orr"]["reference"]))
for x, y in pairs:
    assert x["from_store"] is False and y["from_store"] is True, y["system"]
    x.pop("from_store"); y.pop("from_store")
    assert x == y, x["system"]
print("resume: %d ORR results from the store, identical" % len(pairs))
PY
$py "$T/res.py" "$T/s.json" "$T/r.json" || fail "resume: other ORR numbers"
# other ORR settings on resume: computed again (not taken from the store)
"$A" screen "${SCR[@]}" "${ORR[@]}" --orr-fmax 0.08 --db "$T/s.sqlite" --resume \
    > /dev/null 2> "$T/r2.err" || die "resume with another fmax: $(cat "$T/r2.err")"
grep -q "taken from" "$T/r2.err" && fail "another --orr-fmax was taken from the store"

# 5. SIGINT during the ORR stage: 130, no --json
"$A" screen "${SCR[@]}" "${ORR[@]}" --db "$T/i.sqlite" --json "$T/i.json" > /dev/null \
    2> "$T/i.err" &
pid=$!
for _ in $(seq 1 6000); do
    grep -q "ORR stage: Pt@" "$T/i.err" && break
    alive $pid || break
    sleep 0.02
done
grep -q "ORR stage: Pt@" "$T/i.err" || fail "the ORR stage never started: $(cat "$T/i.err")"
sleep 0.5
kill -INT $pid 2> /dev/null
wait $pid
rc=$?
[ $rc = 130 ] || fail "SIGINT in the ORR stage: exit $rc, not 130 ($(tail -2 "$T/i.err"))"
[ -e "$T/i.json" ] && fail "SIGINT left a --json"

if [ $FAILS = 0 ]; then echo "campaign/screen_orr: 1 passed, 0 failed"
else echo "campaign/screen_orr: 0 passed, $FAILS failed"; fi
exit $((FAILS > 0))
