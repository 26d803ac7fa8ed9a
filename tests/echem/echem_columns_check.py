"""echem output columns, assumptions and plausibility warnings (issue 16; run by
tests/echem/test_echem_columns.sh). The numbers are checked against the closed forms
(FE = n F c V / Q, E_RHE = E + E0 + slope pH) computed here.
usage: echem_columns_check.py ALLOYSCOUT_BINARY WORKDIR
"""
import csv
import io
import json
import math
import os
import subprocess
import sys

BIN, WORK = sys.argv[1], sys.argv[2]
F = 96485.33212
checks = 0


def run(*args, ok=True):
    r = subprocess.run([BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if ok and r.returncode != 0:
        raise AssertionError(f"{args}: exit {r.returncode}: {r.stderr.decode()}")
    return r.stdout.decode(), r.stderr.decode(), r.returncode


def check(cond, what):
    global checks
    assert cond, what
    checks += 1


def p(name):
    return os.path.join(WORK, name)


# fe: sample ids and a free-text column pass through; one FE > 100 % (warned, kept)
open(p("fe.csv"), "w").write("sample,operator,conc_mg_per_L,volume_mL,charge_C\n"
                             "E1,ann,12.6,30,18.6\nE2,\"bo, jr\",8.25,30,14.0\n"
                             "E3,cy,120,30,1.0\nE4,di,130,30,1.0\n")
out, err, _ = run("echem", "fe", "--csv", p("fe.csv"), "--json", p("fe.json"))
rows = list(csv.reader(io.StringIO(out, newline="")))
head = rows[0]
check(len(head) == len(set(head)), f"duplicate columns {head}")
check(head[:5] == ["sample", "operator", "conc_mg_per_L", "volume_mL", "charge_C"], head)
d = [dict(zip(head, r)) for r in rows[1:]]
check([r["sample"] for r in d] == ["E1", "E2", "E3", "E4"] and d[1]["operator"] == "bo, jr", d)
for r, (c, v, q) in zip(d, [(12.6, 30, 18.6), (8.25, 30, 14.0), (120, 30, 1.0), (130, 30, 1.0)]):
    fe = 8 * F * (c * 1e-3 / 17.031) * (v * 1e-3) / q
    check(abs(float(r["FE"]) - fe) <= 1e-5 * fe, (r, fe))  # %.6g
    check(r["species"] == "nh3" and r["n"] == "8" and r["molar_mass_g_per_mol"] == "17.031", r)
warn = [l for l in err.splitlines() if "warning" in l]
check(len(warn) == 1 and "column FE: 2 of 4 rows" in warn[0] and "100 %" in warn[0], err)
check("nh3" in err and "n = 8" in err and "17.031" in err, err)  # the assumption, stated
j = json.load(open(p("fe.json")))
check(j["assumptions"] == {"species": "nh3", "n": 8, "molar_mass_g_per_mol": 17.031}, j)
check(j["rows"][1]["sample"] == "E2" and j["rows"][1]["operator"] == "bo, jr", j["rows"][1])

# a re-run on its own output replaces the computed columns in place: same header, same values
open(p("fe_out.csv"), "w").write(out)
out2, _, _ = run("echem", "fe", "--csv", p("fe_out.csv"), "--quiet")
rows2 = list(csv.reader(io.StringIO(out2, newline="")))
check(rows2 == rows, "re-run on its own output")
# given n and molar mass: nothing assumed (empty species, no assumptions in the JSON)
out3, err3, _ = run("echem", "fe", "--csv", p("fe.csv"), "--n", "8", "--molar-mass-g-per-mol",
                    "17.031", "--json", p("fe3.json"))
check(all(r["species"] == "" for r in csv.DictReader(io.StringIO(out3, newline=""))), out3)
check("assumptions" not in json.load(open(p("fe3.json"))), "nothing assumed")

# rhe: the reference electrode is stated; 25 "K" (meant as 25 °C) and 900 "V" warned, kept
open(p("rhe.csv"), "w").write("id,E_V,pH,temperature_K\na,-0.9,14,298.15\nb,900,14,25\n"
                              "c,-0.5,13,20\n")
out, err, _ = run("echem", "rhe", "--csv", p("rhe.csv"), "--json", p("rhe.json"))
d = list(csv.DictReader(io.StringIO(out, newline="")))
check([r["id"] for r in d] == ["a", "b", "c"], d)
check(all(r["reference_electrode"] == "hghgo" for r in d), d)
for r in d:
    e, ph, t = float(r["E_V"]), float(r["pH"]), float(r["temperature_K"])
    ref = e + 0.098 + 8.314462618 * t * math.log(10) / F * ph
    check(abs(float(r["E_RHE_V"]) - ref) <= 1e-5 * max(1, abs(ref)), (r, ref))
check(d[1]["temperature_K"] == "25" and d[1]["E_V"] == "900", "values kept")
warn = [l for l in err.splitlines() if "warning" in l]
check(sum("column temperature_K: 2 of 3 rows" in l for l in warn) == 1, err)
check(sum("column E_V: 1 of 3 rows" in l for l in warn) == 1, err)
j = json.load(open(p("rhe.json")))
check(j["assumptions"]["reference_electrode"] == "hghgo" and
      abs(j["assumptions"]["E0_ref_V"] - 0.098) < 1e-12, j["assumptions"])
# --e0 given: nothing assumed
out, err, _ = run("echem", "rhe", "--csv", p("rhe.csv"), "--e0", "0.197", "--quiet")
check(all(r["reference_electrode"] == "" for r in csv.DictReader(io.StringIO(out))), out)

# negative capacitance warned
open(p("cdl.csv"), "w").write("scan_mV_per_s,dj_mA_per_cm2\n10,0.5\n20,0.4\n40,0.2\n")
out, err, _ = run("echem", "cdl", "--csv", p("cdl.csv"))
check("negative double-layer capacitance" in err and "Cdl_mF_per_cm2,-" in out, (out, err))

# an unknown header: the accepted names and the file's columns
open(p("unk.csv"), "w").write("sample,conc,volume_mL,charge_C\nE1,1,30,2\n")
_, err, rc = run("echem", "fe", "--csv", p("unk.csv"), ok=False)
check(rc == 2 and "accepted names: conc_mol_per_L, conc_mmol_per_L, conc_umol_per_L, "
      "conc_mg_per_L, conc_ug_per_mL" in err and "the CSV has: sample, conc, volume_mL" in err,
      err)
print(f"{checks} passed, 0 failed")
