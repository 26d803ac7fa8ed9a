#!/usr/bin/env python3
"""A generated synthesis table for bench/run_stopping.sh: N records (default 1500) shaped like a
lab export -- element fractions of 3-6 of 12 elements, three text columns (route, atmosphere,
cooling) and two numeric process columns (anneal temperature in C, hours) -- and a binary
outcome drawn from a fixed nonlinear rule (an interaction of a size-mismatch proxy with the
anneal temperature, a valence-electron proxy window, route and cooling effects) plus logistic
noise, about a third positive.  Deterministic: the same N and SEED give the same file.
Usage: make_synth_table.py OUT.csv [N] [SEED]"""
import csv, math, random, sys

ELEMENTS = ["Al", "Co", "Cr", "Cu", "Fe", "Mn", "Mo", "Nb", "Ni", "Ti", "V", "Zr"]
RADIUS = [143, 125, 128, 128, 126, 127, 139, 146, 124, 147, 134, 160]  # pm, metallic
VALENCE = [3, 9, 6, 11, 8, 7, 6, 5, 10, 4, 5, 4]
ROUTES = {"CAST": 0.0, "WROUGHT": 0.4, "POWDER": -0.3, "SPUTTER": -0.6, "ARC-MELT": 0.2}
ATMOS = {"argon": 0.0, "vacuum": 0.15, "air": -0.5}
COOLING = {"furnace": 0.3, "air": 0.0, "water": -0.2, "LN2": -0.5}


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1500
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 12)
    header = ELEMENTS + ["route", "atmosphere", "cooling", "anneal_c", "anneal_h", "success"]
    rows = []
    for _ in range(n):
        k = rng.randint(3, 6)
        chosen = rng.sample(range(len(ELEMENTS)), k)
        w = [rng.uniform(0.5, 2.0) for _ in chosen]
        s = sum(w)
        frac = [0.0] * len(ELEMENTS)
        for i, wi in zip(chosen, w):
            frac[i] = round(wi / s, 4)
        rbar = sum(f * r for f, r in zip(frac, RADIUS))
        delta = 100 * math.sqrt(sum(f * (1 - r / rbar) ** 2 for f, r in zip(frac, RADIUS)))
        vec = sum(f * v for f, v in zip(frac, VALENCE))
        route = rng.choice(list(ROUTES))
        atm = rng.choice(list(ATMOS))
        cool = rng.choice(list(COOLING))
        temp = rng.choice([0, 600, 700, 800, 900, 1000, 1100, 1200])
        hours = 0 if temp == 0 else rng.choice([1, 2, 5, 10, 24])
        t = temp / 1000.0
        logit = (2.9 - 0.9 * delta + 0.35 * delta * t + 1.2 * math.exp(-((vec - 8.0) / 1.3) ** 2)
                 - 0.8 * math.exp(-((vec - 6.0) / 0.8) ** 2) + ROUTES[route] + ATMOS[atm]
                 + COOLING[cool] + 0.15 * math.log1p(hours) + 0.5 * (k - 4.5) / 1.5)
        p = 1 / (1 + math.exp(-logit))
        y = 1 if rng.random() < p else 0
        rows.append([("%g" % f) for f in frac] + [route, atm, cool, temp, hours, y])
    with open(out, "w", newline="", encoding="utf-8") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(header)
        wr.writerows(rows)


if __name__ == "__main__":
    main()
