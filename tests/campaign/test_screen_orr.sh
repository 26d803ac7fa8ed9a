#!/bin/bash
# screen --orr (issue 18, item 6): a tiny PtNi + Cu screen with the eam oracle, then the ORR
# stage with ase:emt on the screened lattice constants.
#  1. every system's "orr" object in the screen JSON equals `alloyscout orr --lattice A,C` run
#     separately on the same constants (every site's dE, dG_O, dG_OH, U_L: bit for bit);
#  2. the report lists the volcano; its SVG holds each system's label as <text>, anchored at
#     the point (dG_OH, U_L) of the JSON mapped through the axis ticks read from the same SVG;
#  3. --resume with the same ORR settings takes every slab from the store (no relaxation, same
#     numbers);
#  4. the refusals: the screen's eam (no O, H) without --orr-oracle, before anything runs (no
#     --db written); --orr on another prototype; a bad --orr-size;
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
ORR=(--orr-oracle ase:emt --orr-layers 3 --orr-fixed 1 --orr-fmax 0.05)

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

# the screen with the ORR stage (any --orr-* implies --orr)
"$A" screen "${SCR[@]}" "${ORR[@]}" --db "$T/s.sqlite" --json "$T/s.json" --report "$T/rep" \
    > "$T/s.txt" 2> "$T/s.err" || die "screen --orr: $(cat "$T/s.err")"
grep -q "^# ORR stage: oracle ase:emt" "$T/s.txt" || fail "no ORR table: $(cat "$T/s.txt")"
grep -q "^Pt@Pt2NiCu " "$T/s.txt" || fail "no Pt@Pt2NiCu row"

# 1. the same numbers from alloyscout orr on the same lattice constants
n_sys=0
for sys in PtNi Pt2NiCu; do
    lat=$($py -c "
import json, sys
j = json.load(open(sys.argv[1]))
s = [x for x in j['systems'] if x['system'] == sys.argv[2]][0]
print('%r,%r' % (s['orr']['a_ang'], s['orr']['c_ang']))" "$T/s.json" $sys) || { fail "$sys: no orr object"; continue; }
    cand=(); [ $sys = Pt2NiCu ] && cand=(--candidates Cu)
    "$A" orr --oracle ase:emt --host Pt,Ni "${cand[@]}" --lattice "$lat" --layers 3 --fixed 1 \
        --fmax 0.05 --json "$T/o_$sys.json" --quiet > /dev/null 2> "$T/o.err" ||
        { fail "orr $sys: $(cat "$T/o.err")"; continue; }
    $py - "$T/s.json" "$T/o_$sys.json" $sys <<'EOF' || fail "$sys: screen --orr differs from orr"
import json, sys
s = [x for x in json.load(open(sys.argv[1]))["systems"] if x["system"] == sys.argv[3]][0]["orr"]
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
print("%s: U_L %.6f V, dG_OH %.6f eV; %d fields compared, %d differ %s"
      % (sys.argv[3], s["u_limit_v"], s["dg_oh_ev"], len(keys) + 26, len(bad), bad))
sys.exit(1 if bad else 0)
EOF
    n_sys=$((n_sys + 1))
done
[ $n_sys = 2 ] || fail "compared $n_sys of 2 systems"

# 2. the volcano in the report
if [ -e "$T/rep/index.html" ]; then
    grep -q 'orr_volcano\.svg' "$T/rep/index.html" || fail "index.html does not list the volcano"
    grep -q 'ORR activity' "$T/rep/index.html" || fail "index.html has no ORR section"
    $py - "$T/s.json" "$T/rep/orr_volcano.svg" <<'EOF' || fail "volcano SVG"
import json, re, sys
j = json.load(open(sys.argv[1]))
svg = open(sys.argv[2]).read()
texts = []
for m in re.finditer(r'<text[^>]*transform="translate\(([-0-9.]+) ([-0-9.]+)\)"[^>]*>(.*?)</text>', svg, re.S):
    label = "".join(re.findall(r">([^<]*)</tspan>", m.group(3)))
    texts.append((float(m.group(1)), float(m.group(2)), label))
num = []
for x, y, t in texts:
    try:
        num.append((x, y, float(t.replace("\u2212", "-"))))
    except ValueError:
        pass
def axis(key, other):
    groups = {}
    for t in num:
        groups.setdefault(round(t[other], 1), []).append(t)
    g = max(groups.values(), key=len)
    assert len(g) >= 3, "no tick labels"
    (p0, v0), (p1, v1) = (g[0][key], g[0][2]), (g[-1][key], g[-1][2])
    return lambda v: p0 + (v - v0) * (p1 - p0) / (v1 - v0)
# x ticks share one y (below the plot), y ticks one x (left of it)
X, Y = axis(0, 1), axis(1, 0)
ok = 0
for s in j["systems"]:
    o = s.get("orr")
    if not o or "u_limit_v" not in o:
        continue
    want = (X(o["dg_oh_ev"]), Y(o["u_limit_v"]))
    hit = [t for t in texts if t[2] == s["system"]]
    assert hit, "no <text> %s in the volcano" % s["system"]
    d = max(abs(hit[0][0] - want[0]), abs(hit[0][1] - want[1]))
    print("%s: label at (%.2f, %.2f), expected (%.2f, %.2f) from the JSON" % (s["system"], hit[0][0], hit[0][1], want[0], want[1]))
    assert d < 0.05, "%s is %.3f px off" % (s["system"], d)
    ok += 1
assert ok == 2, "%d points" % ok
EOF
else
    echo "no report (built without cairo): the volcano part skipped"
fi

# 3. --resume: every slab from the store, the same numbers
"$A" screen "${SCR[@]}" "${ORR[@]}" --db "$T/s.sqlite" --json "$T/r.json" --resume \
    > "$T/r.txt" 2> "$T/r.err" || die "resume: $(cat "$T/r.err")"
grep -q "ORR stage: 2 of 2 systems taken from" "$T/r.err" || fail "resume relaxed again: $(cat "$T/r.err")"
$py - "$T/s.json" "$T/r.json" <<'EOF' || fail "resume: other ORR numbers"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
for x, y in zip(a["systems"], b["systems"]):
    assert y["orr"]["from_store"] is True, y["system"]
    x["orr"].pop("from_store"); y["orr"].pop("from_store")
    assert x["orr"] == y["orr"], x["system"]
EOF
# other ORR settings on resume: computed again (not taken from the store)
"$A" screen "${SCR[@]}" "${ORR[@]}" --orr-fmax 0.08 --db "$T/s.sqlite" --resume --quiet \
    > /dev/null 2> "$T/r2.err" || die "resume with another fmax: $(cat "$T/r2.err")"
grep -q "taken from" "$T/r2.err" && fail "another --orr-fmax was taken from the store"

# 5. SIGINT during the ORR stage: 130, no --json
"$A" screen "${SCR[@]}" "${ORR[@]}" --db "$T/i.sqlite" --json "$T/i.json" > /dev/null 2> "$T/i.err" &
pid=$!
for _ in $(seq 1 3000); do
    grep -q "ORR stage: Pt@" "$T/i.err" && break
    alive $pid || break
    sleep 0.02
done
sleep 0.5
kill -INT $pid 2> /dev/null
wait $pid
rc=$?
[ $rc = 130 ] || fail "SIGINT in the ORR stage: exit $rc, not 130 ($(tail -2 "$T/i.err"))"
[ -e "$T/i.json" ] && fail "SIGINT left a --json"

if [ $FAILS = 0 ]; then echo "campaign/screen_orr: 1 passed, 0 failed"; else echo "campaign/screen_orr: 0 passed, $FAILS failed"; fi
exit $((FAILS > 0))
