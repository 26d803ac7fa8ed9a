#!/usr/bin/env bash
# Make the small labelled Cu-Ni set of docs/byod.md ("bring your own DFT data"): fcc Cu-Ni
# configurations in cells a DFT user would have - primitive, non-orthogonal and conventional
# supercells of 1 to 32 atoms, random and short-range ordered - labelled with the shipped Zhou
# 2004 EAM (atoms relaxed at fixed cell, lattice constant by Vegard's law between Cu 3.615 Å
# and Ni 3.52 Å), written as a user's extended XYZ would be: Lattice, species and positions,
# energy= (eV), mixing_energy= (eV/atom, against fcc Cu and Ni at their own lattice constants)
# and a free-form config_type key; alloyscout's own helper keys are stripped.
#
# usage: examples/make_cuni_set.sh [BUILD_DIR] [OUT_DIR]   (defaults: build, data/examples)
# Writes OUT_DIR/cuni_labelled.extxyz (training set) and OUT_DIR/cuni_new.extxyz (8 held-out
# structures in a cell shape the training set does not have). Deterministic (fixed seeds).
set -euo pipefail
B=${1:-build}
OUT=${2:-data/examples}
BIN="$B/alloyscout"
[ -x "$BIN" ] || { echo "no $BIN (build first)" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cuni.XXXXXX")
trap 'rm -rf "$T"' EXIT
ORACLE="eam:Cu,Ni"
A_CU=3.615
A_NI=3.52

# energy per atom of pure fcc Cu and Ni (conventional cell) at their own lattice constants
pure() { # element a -> energy per atom
    "$BIN" lattice build --proto fcc --elements "$1" --size 1 --a "$2" --out "$T/pure_$1.extxyz" \
        --quiet
    "$BIN" energy --oracle "$ORACLE" --quiet "$T/pure_$1.extxyz" | awk '$1 == "0" { print $4 }'
}
E_CU=$(pure Cu $A_CU)
E_NI=$(pure Ni $A_NI)

vegard() { awk -v x="$1" -v a="$A_CU" -v b="$A_NI" 'BEGIN { printf "%.6f", x * a + (1 - x) * b }'; }

# Label a file of frames and append it, rewritten as a user's file, to $2 with config_type $3.
label() { # in out type
    "$BIN" energy --oracle "$ORACLE" --relax --quiet --out "$T/l.extxyz" "$1" > /dev/null
    awk -v type="$3" -v ecu="$E_CU" -v eni="$E_NI" '
        function flush() {
            if (!n) return
            mix = (e - ncu * ecu - nni * eni) / n
            printf "%d\n%s Properties=species:S:1:pos:R:3 energy=%.10f mixing_energy=%.10f " \
                   "config_type=%s pbc=\"T T T\"\n", n, lat, e, mix, type
            for (k = 1; k <= n; k++) print atom[k]
        }
        state == 0 { flush(); n = $1; k = 0; ncu = nni = 0; state = 1; next }
        state == 1 {
            match($0, /Lattice="[^"]*"/); lat = substr($0, RSTART, RLENGTH)
            match($0, / energy=[^ ]*/); e = substr($0, RSTART + 8, RLENGTH - 8) + 0
            state = 2; next
        }
        state == 2 {
            k++; atom[k] = sprintf("%-2s %16.10f %16.10f %16.10f", $1, $2, $3, $4)
            if ($1 == "Cu") ncu++; else nni++
            if (k == n) state = 0
        }
        END { flush() }' "$T/l.extxyz" >> "$2"
}

# cells: name, supercell matrix over the primitive fcc cell (rows)
gen() { # out-file matrix x_cu mode... (mode: --random K | --target T --count K)
    local f=$1 m=$2 x=$3
    shift 3
    "$BIN" lattice generate --supercell "$m" --composition "Cu${x}Ni$(awk -v x="$x" \
        'BEGIN { print 1 - x }')" --a "$(vegard "$x")" --seed "$SEED" --out "$f" --quiet "$@" \
        2> "$T/gen.err" || { cat "$T/gen.err" >&2; exit 1; }
    SEED=$((SEED + 1))
}

TRAIN="$T/train.extxyz"
: > "$TRAIN"
SEED=1
for el in Cu Ni; do   # pure crystals (their mixing energy is 0; alpha is undefined there)
    cp "$T/pure_$el.extxyz" "$T/g.extxyz"
    label "$T/g.extxyz" "$TRAIN" "pure_cubic4"
done
gen "$T/g.extxyz" "1 0 0 0 1 0 0 0 2" 0.5 --random 1;            label "$T/g.extxyz" "$TRAIN" prim2
for x in 0.3333 0.6667; do
    gen "$T/g.extxyz" "2 1 0 -1 1 1 0 0 1" $x --random 1;        label "$T/g.extxyz" "$TRAIN" skew3
done
for x in 0.25 0.5 0.75; do
    gen "$T/g.extxyz" "-1 1 1 1 -1 1 1 1 -1" $x --random 1;      label "$T/g.extxyz" "$TRAIN" cubic4
    gen "$T/g.extxyz" "2 0 0 0 2 0 0 0 2" $x --random 3;         label "$T/g.extxyz" "$TRAIN" rhomb8
done
for x in 0.3333 0.5556 0.7778; do
    gen "$T/g.extxyz" "2 1 0 0 2 1 1 0 2" $x --random 3;         label "$T/g.extxyz" "$TRAIN" skew9
done
for x in 0.25 0.5 0.75; do
    gen "$T/g.extxyz" "-2 2 2 2 -2 2 1 1 -1" $x --random 3;      label "$T/g.extxyz" "$TRAIN" tet16
done
for x in 0.3 0.6; do
    gen "$T/g.extxyz" "2 1 0 -1 2 1 1 -1 2" $x --random 3;       label "$T/g.extxyz" "$TRAIN" skew13
done
for x in 0.25 0.5 0.75; do
    for al in -0.25 -0.1 0.05 0.15; do
        gen "$T/g.extxyz" "-2 2 2 2 -2 2 2 2 -2" $x --target "Cu-Ni=$al" --count 2
        label "$T/g.extxyz" "$TRAIN" cubic32
    done
done
for x in 0.4 0.6; do
    gen "$T/g.extxyz" "-2 2 2 2 -2 2 2 2 -2" $x --random 3;      label "$T/g.extxyz" "$TRAIN" cubic32
done

NEW="$T/new.extxyz"
: > "$NEW"
for x in 0.3333 0.6667; do   # 27-atom rhombohedral cells: a shape the training set lacks
    gen "$T/g.extxyz" "3 0 0 0 3 0 0 0 3" $x --random 4;         label "$T/g.extxyz" "$NEW" rhomb27
done
mkdir -p "$OUT"
cp "$TRAIN" "$OUT/cuni_labelled.extxyz"
cp "$NEW" "$OUT/cuni_new.extxyz"
echo "wrote $OUT/cuni_labelled.extxyz ($(grep -c config_type "$OUT/cuni_labelled.extxyz") frames)" \
     "and $OUT/cuni_new.extxyz ($(grep -c config_type "$OUT/cuni_new.extxyz") frames)"
