"""CSV dialects, encodings and standard streams against Python's csv module (issue 16; run by
tests/data/test_csv_dialect.sh). `alloyscout echem loading --csv` passes every input column
through, so what it prints is alloyscout's reading of the file: Python's csv module reads the
same file with the delimiter written, and both must find the same cells.
usage: csv_dialect_check.py ALLOYSCOUT_BINARY WORKDIR
"""
import csv
import io
import json
import os
import subprocess
import sys

BIN, WORK = sys.argv[1], sys.argv[2]
checks = 0


def run(*args, stdin=None, ok=True):
    r = subprocess.run([BIN, *args], input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if ok and r.returncode != 0:
        raise AssertionError(f"{args}: exit {r.returncode}: {r.stderr.decode()}")
    return r


def p(name):
    return os.path.join(WORK, name)


def check(cond, what):
    global checks
    assert cond, what
    checks += 1


rows = [["sample", "note", "ink_mg_per_mL", "drop_uL", "area_cm2"],
        ["S1", "plain", "3", "5", "0.196"],
        ["S;2", 'with "quotes", a comma; a semicolon', "2", "10", "0.2"],
        ["S\t3", "tab\tinside and a\nnewline", "1.5", "4", "0.1"],
        ["Sé4", "ünïcode µL °C", "4", "2", "0.3"]]


def write(name, delim, encoding="utf-8", bom=False):
    with open(p(name), "w", newline="", encoding=encoding) as f:
        if bom:
            f.write("\ufeff")
        csv.writer(f, delimiter=delim).writerows(rows)


def cells_of(stdout):
    got = list(csv.reader(io.StringIO(stdout.decode("utf-8"), newline="")))
    return [r[:5] for r in got]


for name, delim, extra in [("comma.csv", ",", []), ("semi.csv", ";", []), ("tab.tsv", "\t", []),
                           ("semi_given.csv", ";", ["--delimiter", ";"]),
                           ("tab_given.csv", "\t", ["--delimiter", "tab"])]:
    write(name, delim)
    ref = list(csv.reader(open(p(name), newline="", encoding="utf-8"), delimiter=delim))
    out = run("echem", "loading", "--csv", p(name), *extra).stdout
    check(cells_of(out) == ref, f"{name}: {cells_of(out)} vs {ref}")
    # the loading itself: 3 mg/mL x 5 uL / 0.196 cm^2 (docs/echem.md)
    got = list(csv.DictReader(io.StringIO(out.decode(), newline="")))
    check(abs(float(got[0]["loading_mg_per_cm2"]) - 3 * 5e-3 / 0.196) < 1e-5, name)

# a BOM is fine; standard input
write("bom.csv", ";", bom=True)
ref = list(csv.reader(open(p("bom.csv"), newline="", encoding="utf-8-sig"), delimiter=";"))
check(cells_of(run("echem", "loading", "--csv", p("bom.csv")).stdout) == ref, "BOM")
out = run("echem", "loading", "--csv", "-", stdin=open(p("semi.csv"), "rb").read()).stdout
check(cells_of(out)[1:] == rows[1:], "standard input")

# the wrong delimiter: the failed lookup suggests the one the header holds
open(p("semi_plain.csv"), "w").write("sample;ink_mg_per_mL;drop_uL;area_cm2\nS1;3;5;0.196\n")
r = run("echem", "loading", "--csv", p("semi_plain.csv"), "--delimiter", ",", ok=False)
err = r.stderr.decode()
check(r.returncode == 2 and "--delimiter ';'" in err, err)
r = run("gpr", "cv", "--data", p("semi_plain.csv"), "--target", "drop_uL", "--delimiter", ",",
        ok=False)
err = r.stderr.decode()
check(r.returncode != 0 and "no column named 'drop_uL'" in err and "--delimiter ';'" in err, err)

# Latin-1: refused with file:line:column of the first byte that is not UTF-8, or transcoded
write("latin1.csv", ";", encoding="latin-1")
raw = open(p("latin1.csv"), "rb").read()
bad = next(i for i, b in enumerate(raw) if b >= 0x80)
text = raw[:bad].decode("ascii")
# lines as the reader counts them: LF, CRLF and lone CR end a line, including inside quotes
line = 1 + text.replace("\r\n", "\n").replace("\r", "\n").count("\n")
col = 1 + len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n")[-1])
r = run("echem", "loading", "--csv", p("latin1.csv"), ok=False)
err = r.stderr.decode()
check(r.returncode == 1 and f"latin1.csv:{line}:{col}: byte 0x{raw[bad]:02X} is not UTF-8" in err,
      f"want {line}:{col}: {err}")
out = run("echem", "loading", "--csv", p("latin1.csv"), "--encoding", "latin-1",
          "--json", p("latin1.json")).stdout
check(cells_of(out) == rows, "latin-1 transcoded")
j = json.load(open(p("latin1.json"), encoding="utf-8"))  # valid UTF-8 JSON
check(j["rows"][3]["note"] == "ünïcode µL °C", j["rows"][3])
r = run("echem", "loading", "--csv", p("latin1.csv"), "--encoding", "cp1252", ok=False)
check(r.returncode == 2 and "--encoding" in r.stderr.decode(), r.stderr.decode())
# invalid UTF-8 sequences RFC 3629 forbids: overlong, surrogate, beyond U+10FFFF, truncated
for k, seq in enumerate([b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82"]):
    open(p(f"bad{k}.csv"), "wb").write(b"sample,ink_mg_per_mL,drop_uL,area_cm2\nab" + seq +
                                       b",1,2,3\n")
    r = run("echem", "loading", "--csv", p(f"bad{k}.csv"), ok=False)
    check(f"bad{k}.csv:2:3: byte 0x{seq[0]:02X} is not UTF-8" in r.stderr.decode(),
          r.stderr.decode())

# control characters in a text cell: the JSON escapes them (json.load reads them back)
open(p("ctrl.csv"), "wb").write(b"sample,ink_mg_per_mL,drop_uL,area_cm2\na\x01b\x1f,1,2,3\n")
run("echem", "loading", "--csv", p("ctrl.csv"), "--json", p("ctrl.json"))
check(json.load(open(p("ctrl.json")))["rows"][0]["sample"] == "a\x01b\x1f", "control chars")
# --json - writes standard output
r = run("echem", "loading", "--ink-mg-per-mL", "3", "--drop-uL", "5", "--area-cm2", "0.196",
        "--json", "-")
check('"loading_mg_per_cm2"' in r.stdout.decode(), r.stdout.decode())

# synth: train from standard input, the model to standard output; predict a semicolon file
# from standard input to standard output, then predict its own predictions file again: the
# probability columns are replaced in place (no duplicate header), the values are the same
import random
r = random.Random(2385)
lines = ["system,temp_c,rate,cooling,success"]
for i in range(40):
    t = 600 + 500 * r.random()
    cool = ["LN2", "furnace"][i % 2]
    ok = (t > 850 and cool == "LN2") or i % 7 == 0
    lines.append(f"S{i % 4},{t:.3f},{round(1 + 9 * r.random(), 3)},{cool},{'yes' if ok else 'no'}")
train = ("\n".join(lines) + "\n").encode()
model = run("synth", "train", "--data", "-", "--target", "success", "--quiet", "--epochs", "5",
            "--folds", "2", "--model", "-", stdin=train).stdout
check(json.loads(model)["format"].startswith("alloyscout"), "model on standard output")
open(p("m.json"), "wb").write(model)
semi = ("\n".join(l.replace(",", ";") for l in lines[:6]) + "\n").encode()
p1 = run("synth", "predict", "--model", p("m.json"), "--data", "-", "--out", "-",
         stdin=semi).stdout.decode()
r1 = list(csv.reader(io.StringIO(p1, newline="")))
check(r1[0] == lines[0].split(",") + ["probability", "fold_mean", "fold_std", "in_domain",
                                       "domain_reason"], r1[0])
open(p("p1.csv"), "w").write(p1)
p2 = run("synth", "predict", "--model", p("m.json"), "--data", p("p1.csv"), "--out", p("p2.csv"))
r2 = list(csv.reader(open(p("p2.csv"), newline="")))
check(r2 == r1, "predict on its own predictions replaces the columns")
print(f"{checks} passed, 0 failed")
