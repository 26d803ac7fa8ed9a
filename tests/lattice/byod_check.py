"""Independent checks of the "bring your own DFT data" example (run by test_byod.sh).
Features of every frame against ASE neighbour lists (relaxed positions: shells by a 0.3 A
distance window), the cross-validation and the predictions against the spread of the targets,
all read from the shipped extended XYZ with ASE, not from alloyscout's output.
usage: byod_check.py SOURCE_DIR WORKDIR
"""
import csv
import json
import sys

import numpy as np
from ase.io import read

from fcc_nl import reference

SRC, WORK = sys.argv[1], sys.argv[2]
train = read(f"{SRC}/data/examples/cuni_labelled.extxyz", index=":")
new = read(f"{SRC}/data/examples/cuni_new.extxyz", index=":")
y = np.array([f.info["mixing_energy"] for f in train])
ynew = np.array([f.info["mixing_energy"] for f in new])

rows = list(csv.DictReader(open(f"{WORK}/cuni_features.csv")))
assert len(rows) == len(train) >= 60, len(rows)
header = list(rows[0].keys())
for k, (atoms, row) in enumerate(zip(train, rows)):
    ref = reference(atoms, ["Cu", "Ni"], 3, False, tol=0.3)
    ours = [row[h] for h in header[header.index("c_Cu"):]]
    for a, b in zip(ours, ref):
        assert (b is None and a == "") or abs(float(a) - b) < 1e-12, (k, header, ours, ref)
    assert abs(float(row["mixing_energy"]) - atoms.info["mixing_energy"]) < 1e-12
    assert row["config_type"] == atoms.info["config_type"]
    assert abs(float(row["a_ang"]) - (4 * atoms.get_volume() / len(atoms)) ** (1 / 3)) < 1e-12
shapes = set(f.info["config_type"] for f in train)
assert {"pure_cubic4", "prim2", "skew3", "skew9", "cubic32"} <= shapes, shapes

cv = json.load(open(f"{WORK}/cuni_cv.json"))
pooled = cv["pooled"]
std = y.std()
assert pooled["n"] == len(y)
assert pooled["mae"] < 0.25 * std, (pooled["mae"], std)     # far better than the mean
assert pooled["r2"] > 0.8, pooled
assert 0.5 < pooled["cover2"] <= 1.0, pooled
oof = np.array([r["mean"] for r in cv["rows"]])
assert abs(np.mean(np.abs(oof - y)) - pooled["mae"]) < 1e-12

pred = list(csv.DictReader(open(f"{WORK}/new_predictions.csv")))
mean = np.array([float(r["mean"]) for r in pred])
sd = np.array([float(r["std"]) for r in pred])
assert len(pred) == len(new)
mae = np.mean(np.abs(mean - ynew))
assert mae < 0.25 * std, (mae, std)
assert np.all(sd > 0) and np.mean(np.abs(mean - ynew) <= 3 * sd) >= 0.75
print(f"byod: {len(train)} features agree with ASE; cv MAE {pooled['mae']:.2e} and held-out MAE "
      f"{mae:.2e} eV/atom against a target std of {std:.2e}")
