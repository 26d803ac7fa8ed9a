#!/usr/bin/python3
"""Derive data/mpea_synthesis.csv (one labelled row per alloy and processing route) from the MPEA
dataset of Borg et al., Scientific Data 7, 430 (2020), and write data/MPEA_ATTRIBUTION.md with
the citation, licence, source commit, the derivation rules and the counts.

Standard library only; run with /usr/bin/python3:

    /usr/bin/python3 scripts/convert_mpea.py [--input data/MPEA_dataset.csv] [--outdir data]

The output is deterministic (rows sorted, fixed number formats), so re-running it reproduces
the shipped files byte for byte (tests/data/test_mpea_convert.sh checks this).

Derivation rules (also written into the attribution file):
  1. Rows with a blank `PROPERTY: Microstructure` carry no phase label and are dropped.
  2. A blank `PROPERTY: Processing method` becomes the route "UNKNOWN" (the row is kept).
  3. A source row's label is 1 when its microstructure is exactly "FCC" or "BCC", else 0.
  4. FORMULA ("Al0.25 Co1 Fe1 Ni1": element symbol + amount, space separated) is normalized to
     atomic fractions with exact rational arithmetic; `alloy` lists the elements alphabetically
     with fractions rounded to 6 decimals ("Al0.075472 Co0.301887 Fe0.301887 Ni0.301887"), so
     the same alloy written with other amounts merges.
  5. Rows are grouped by (alloy, processing). single_phase is the majority label over the group's
     source rows, a tie giving 0; n_sources counts the rows and label_agreement is the fraction
     of them that agree with the chosen label.
  6. Element columns hold the exact atomic fraction (shortest round-trip decimal) of the first
     source row of the group in file order, 0 where absent; `formula` is that row's FORMULA text.
"""
import argparse
import csv
import hashlib
import io
import os
import re
import sys
from fractions import Fraction

SOURCE_COMMIT = "d31e2510cccc3fb9e79d43ad62652f64ef8c2c5e"
COL_FORMULA = "FORMULA"
COL_MICRO = "PROPERTY: Microstructure"
COL_PROC = "PROPERTY: Processing method"
COL_REF = "IDENTIFIER: Reference ID"
SINGLE = ("FCC", "BCC")
TOKEN = re.compile(r"([A-Z][a-z]?)([0-9]+(?:\.[0-9]+)?)\Z")


def parse_formula(text, where):
    """Exact atomic fractions {symbol: Fraction} of a space-separated formula."""
    amounts = {}
    for tok in text.split():
        m = TOKEN.match(tok)
        if not m:
            sys.exit(f"{where}: cannot parse formula token '{tok}' in '{text}'")
        el, amount = m.group(1), Fraction(m.group(2))
        amounts[el] = amounts.get(el, Fraction(0)) + amount
    amounts = {e: a for e, a in amounts.items() if a > 0}
    total = sum(amounts.values())
    if not amounts or total <= 0:
        sys.exit(f"{where}: formula '{text}' has no positive amounts")
    return {e: a / total for e, a in amounts.items()}


def fmt_fraction6(f):
    """Round a Fraction to 6 decimals (half to even on the exact value)."""
    return f"{float(round(f, 6)):.6f}"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--input", default=os.path.join(root, "data", "MPEA_dataset.csv"))
    ap.add_argument("--outdir", default=os.path.join(root, "data"))
    args = ap.parse_args()

    raw = open(args.input, "rb").read()
    src_sha = hashlib.sha256(raw).hexdigest()
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    n_src = len(rows)

    groups = {}  # (alloy, processing) -> dict
    n_unlabelled = n_blank_proc = n_blank_proc_kept = 0
    micro_values = {}
    for i, r in enumerate(rows):
        where = f"{args.input}:row {i + 2}"
        micro = r[COL_MICRO].strip()
        proc = r[COL_PROC].strip()
        if not proc:
            n_blank_proc += 1
        if not micro:
            n_unlabelled += 1
            continue
        if not proc:
            n_blank_proc_kept += 1
            proc = "UNKNOWN"
        micro_values[micro] = micro_values.get(micro, 0) + 1
        label = 1 if micro in SINGLE else 0
        frac = parse_formula(r[COL_FORMULA], where)
        els = sorted(frac)
        alloy = " ".join(f"{e}{fmt_fraction6(frac[e])}" for e in els)
        key = (alloy, proc)
        g = groups.get(key)
        if g is None:
            g = groups[key] = {"alloy": alloy, "system": "".join(els), "processing": proc,
                               "formula": r[COL_FORMULA].strip(), "frac": frac, "labels": [],
                               "refs": set()}
        g["labels"].append(label)
        g["refs"].add(r[COL_REF])

    elements = sorted({e for g in groups.values() for e in g["frac"]})
    header = (["alloy", "system", "processing", "formula"] + elements +
              ["n_sources", "label_agreement", "single_phase"])
    out_rows = []
    n_conflict = n_tie = 0
    for key in sorted(groups, key=lambda k: (groups[k]["system"], k[0], k[1])):
        g = groups[key]
        n = len(g["labels"])
        npos = sum(g["labels"])
        label = 1 if 2 * npos > n else 0
        if 0 < npos < n:
            n_conflict += 1
        if 2 * npos == n:
            n_tie += 1
        agree = npos if label == 1 else n - npos
        row = [g["alloy"], g["system"], g["processing"], g["formula"]]
        row += [repr(float(g["frac"][e])) if e in g["frac"] else "0" for e in elements]
        row += [str(n), f"{agree / n:.4f}", str(label)]
        out_rows.append(row)

    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(out_rows)
    text = buf.getvalue()
    out_csv = os.path.join(args.outdir, "mpea_synthesis.csv")
    write_atomic(out_csv, text)

    npos = sum(1 for r in out_rows if r[-1] == "1")
    systems = len({r[1] for r in out_rows})
    procs = {}
    for r in out_rows:
        procs[r[2]] = procs.get(r[2], 0) + 1
    counts = {
        "source_rows": n_src,
        "unlabelled_dropped": n_unlabelled,
        "blank_processing": n_blank_proc,
        "blank_processing_kept_as_UNKNOWN": n_blank_proc_kept,
        "labelled_rows": n_src - n_unlabelled,
        "output_rows": len(out_rows),
        "positives": npos,
        "negatives": len(out_rows) - npos,
        "systems": systems,
        "elements": len(elements),
        "conflicting_groups": n_conflict,
        "tied_groups": n_tie,
    }
    write_atomic(os.path.join(args.outdir, "MPEA_ATTRIBUTION.md"),
                 attribution(counts, procs, elements, src_sha,
                             hashlib.sha256(text.encode("utf-8")).hexdigest()))
    for k, v in counts.items():
        print(f"{k}: {v}")


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    os.replace(tmp, path)


def attribution(c, procs, elements, src_sha, out_sha):
    proc_list = ", ".join(f"{p} {n}" for p, n in sorted(procs.items()))
    return f"""# MPEA dataset: attribution and derivation of `mpea_synthesis.csv`

## Source
- C. K. H. Borg, C. Frey, J. Moh, T. M. Pollock, S. Gorsse, D. B. Miracle, O. N. Senkov,
  B. Meredig, J. E. Saal, "Expanded dataset of mechanical properties and observed phases of
  multi-principal element alloys", *Scientific Data* 7, 430 (2020),
  https://doi.org/10.1038/s41597-020-00768-9
- Repository: https://github.com/CitrineInformatics/MPEA_dataset, file `MPEA_dataset.csv`,
  commit `{SOURCE_COMMIT}` (copied unchanged to `data/MPEA_dataset.csv`,
  sha256 `{src_sha}`).
- Licence: Apache License 2.0 (https://www.apache.org/licenses/LICENSE-2.0). The derived file
  `mpea_synthesis.csv` is a modification of the source data (the changes are the rules below)
  and is distributed under the same licence with this notice.

## Derivation (`scripts/convert_mpea.py`, standard-library Python)
1. Rows with a blank `PROPERTY: Microstructure` carry no phase label and are dropped.
2. A blank `PROPERTY: Processing method` becomes the route `UNKNOWN`; such rows are kept.
3. A source row is labelled 1 (single-phase solid solution) when its microstructure is exactly
   `FCC` or `BCC`, and 0 for every other value (`FCC+BCC`, `BCC+B2`, `B2`, `BCC+Laves`,
   `FCC+Sec.`, `BCC+BCC`, `Other`, ...).
4. `FORMULA` (`Al0.25 Co1 Fe1 Ni1`: symbol and amount, space separated) is normalized to atomic
   fractions with exact rational arithmetic. `alloy` lists the elements alphabetically with the
   fractions rounded to 6 decimals (`Al0.075472 Co0.301887 Fe0.301887 Ni0.301887`), so one alloy
   written with different amounts gives one key. `system` is the sorted element symbols joined
   (`AlCoFeNi`).
5. Source rows are grouped by (`alloy`, `processing`); the source has one row per mechanical
   test, so one alloy and route can appear many times, sometimes with different phases reported
   by different references. `single_phase` is the majority label over the group's rows, a tie
   giving 0. `n_sources` is the number of source rows in the group and `label_agreement` the
   fraction of them (4 decimals) that agree with `single_phase`.
6. The element columns hold the exact atomic fraction (shortest round-trip decimal) from the
   group's first source row in file order, 0 where the element is absent; `formula` is that
   row's `FORMULA` text.
7. Rows are sorted by `system`, `alloy`, `processing`. The source's mechanical properties,
   densities, test conditions and references are not carried over.

## Columns
`alloy`, `system` (use as the group), `processing` ({proc_list}), `formula`, one column per
element ({", ".join(elements)}), `n_sources`, `label_agreement`, `single_phase` (target, 1/0).
For training drop the bookkeeping columns: `--target single_phase --group system
--drop alloy,formula,n_sources,label_agreement`.

## Counts
| quantity | value |
|---|---|
| source rows | {c["source_rows"]} |
| dropped: blank microstructure (unlabelled) | {c["unlabelled_dropped"]} |
| blank processing (all rows) | {c["blank_processing"]} |
| blank processing among labelled rows, kept as `UNKNOWN` | {c["blank_processing_kept_as_UNKNOWN"]} |
| labelled source rows used | {c["labelled_rows"]} |
| output rows (alloy, processing) | {c["output_rows"]} |
| positives (`single_phase` = 1) | {c["positives"]} |
| negatives | {c["negatives"]} |
| systems (distinct element sets) | {c["systems"]} |
| element columns | {c["elements"]} |
| groups whose source rows disagree on the label | {c["conflicting_groups"]} |
| of which ties (resolved to 0) | {c["tied_groups"]} |

sha256 of `mpea_synthesis.csv`: `{out_sha}`
"""


if __name__ == "__main__":
    main()
