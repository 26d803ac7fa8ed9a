#!/usr/bin/env python3
"""Deterministic stratified sample of N rows of data/mpea_synthesis.csv for bench/run_pipeline.sh.
Usage: make_pipeline_data.py SRC.csv N OUT.csv"""
import csv, random, sys

src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(src, newline="", encoding="utf-8") as f:
    r = csv.reader(f)
    header = next(r)
    rows = list(r)
random.Random(2385).shuffle(rows)
rows = rows[:n]
with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
