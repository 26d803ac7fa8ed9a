#!/bin/bash
# Native EAM vs LAMMPS (/usr/bin/lmp, pair_style eam/alloy) on the same Zhou 2004 Pt-Co-Cu
# setfl file and the same cells, in the same run. Single thread for both.
#   bash bench/run_oracle.sh [BUILD_DIR] [K cells] [S steps]
set -eu
B="${1:-build}"; K="${2:-200}"; S="${3:-20}"
cmake --build "$B" --target bench_oracle > /dev/null
D=$(mktemp -d); trap 'rm -rf "$D"' EXIT
export OMP_NUM_THREADS=1
ours=$("$B/bench_oracle" "$D" "$K" "$S")
echo "$ours"

# 1. K separate 108-atom cells: LAMMPS reads each cell and the potential, runs 0 steps
cat > "$D/in.cells" <<IN
label loop
variable i loop $K
clear
units metal
atom_style atomic
boundary p p p
read_data $D/cell_\${i}.data
pair_style eam/alloy
pair_coeff * * $D/PtCoCu.eam.alloy Pt Co Cu
thermo_style custom step pe
run 0
next i
jump SELF loop
IN
t0=$(date +%s.%N); /usr/bin/lmp -in "$D/in.cells" -log none -screen none; t1=$(date +%s.%N)
lmp_cells=$(awk -v a="$t0" -v b="$t1" -v k="$K" 'BEGIN{print (b-a)/k}')
# check: first cell's energy from LAMMPS vs ours
sed "s/loop $K/loop 1/" "$D/in.cells" | sed 's/^run 0/thermo_modify format float %.12f\nrun 0/' \
    > "$D/in.one"
lmp_e1=$(/usr/bin/lmp -in "$D/in.one" -log none -screen "$D/one.txt" >/dev/null; \
         awk '/Step/{getline; print $2; exit}' "$D/one.txt")

# 2. one 256 000-atom cell, S steps NVE, skin 0.3 Å checked every step
cat > "$D/in.big" <<IN
units metal
atom_style atomic
boundary p p p
read_data $D/big.data
mass * 150.0
pair_style eam/alloy
pair_coeff * * $D/PtCoCu.eam.alloy Pt Co Cu
neighbor 0.3 bin
neigh_modify every 1 delay 0 check yes
velocity all create 300 4928459 dist gaussian
fix 1 all nve
timestep 0.001
thermo $S
run $S
IN
/usr/bin/lmp -in "$D/in.big" -log none -screen "$D/big.txt" > /dev/null
lmp_big=$(awk '/Loop time of/{print $4 / ($9 * $12)}' "$D/big.txt")

# 3. relaxation of a 108-atom cell: FIRE, max-norm force tolerance 0.03 eV/Å
cat > "$D/in.relax" <<IN
units metal
atom_style atomic
boundary p p p
read_data $D/relax.data
pair_style eam/alloy
pair_coeff * * $D/PtCoCu.eam.alloy Pt Co Cu
min_style fire
min_modify norm max
minimize 0 0.03 10000 100000
IN
/usr/bin/lmp -in "$D/in.relax" -log none -screen "$D/relax.txt" > /dev/null
lmp_relax=$(awk '/Loop time of/{print $4}' "$D/relax.txt")
lmp_relax_steps=$(awk '/Iterations, force evaluations/{print $NF}' "$D/relax.txt")

our_cells=$(echo "$ours" | awk '/^cells/{print $7}')
our_big=$(echo "$ours" | awk '/^big/{print $10}')
our_relax=$(echo "$ours" | awk '/^relax/{print $2}')
our_e1=$(echo "$ours" | awk '/^cell1/{print $3}')
echo
echo "check, first cell: alloyscout E = $our_e1 eV, LAMMPS pe = $lmp_e1 eV"
printf "%-40s %14s %14s %10s\n" "case" "alloyscout" "LAMMPS" "ours/peer"
printf "%-40s %14.4e %14.4e %10.3f\n" "108-atom cell, s per cell (E+F)" "$our_cells" "$lmp_cells" \
    "$(awk -v a="$our_cells" -v b="$lmp_cells" 'BEGIN{print a/b}')"
printf "%-40s %14.4e %14.4e %10.3f\n" "256000 atoms, s per atom-step" "$our_big" "$lmp_big" \
    "$(awk -v a="$our_big" -v b="$lmp_big" 'BEGIN{print a/b}')"
printf "%-40s %14.4e %14.4e %10.3f\n" "relax 108 atoms to 0.03 eV/A, s" "$our_relax" "$lmp_relax" \
    "$(awk -v a="$our_relax" -v b="$lmp_relax" 'BEGIN{print a/b}')"
echo "(LAMMPS relaxation force evaluations: $lmp_relax_steps)"
