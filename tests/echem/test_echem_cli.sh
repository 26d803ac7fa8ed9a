#!/bin/bash
# End-to-end checks of `alloyscout echem`: flags and CSV inputs with units in the headers, JSON
# output, and error messages (file:line:column, usage errors with exit 2).
# $1 = build dir, $2 = source dir.
set -u
B=$1; S=$2; A="$B/alloyscout"; F="$S/tests/fixtures"
[ -x "$A" ] || { echo "no $A"; exit 77; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
check() { # name, got, expected, tol
    if awk -v g="$2" -v e="$3" -v t="$4" 'BEGIN { d = g - e; if (d < 0) d = -d; exit !(g != "" && d <= t) }'; then
        echo "ok   $1"
    else
        echo "FAIL $1: got '$2', expected $3 +- $4"; fail=1
    fi
}
col() { # csv text on stdin, column name, data row (1-based)
    awk -F, -v c="$1" -v r="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } NR == r + 1 { print $k }'
}
kv() { awk -F, -v k="$1" '$1 == k { print $2 }'; }

# paper 000 §2.5: 5 µL of 3 mg/mL ink on 0.196 cm^2 -> 0.0765 mg/cm^2
out=$("$A" echem loading --ink-mg-per-mL 3 --drop-uL 5 --area-cm2 0.196) || fail=1
check loading_paper "$(echo "$out" | col loading_mg_per_cm2 1)" 0.0765 0.00005
# seed 004: 5.0 mm glassy-carbon disk = 0.19635 cm^2
out=$("$A" echem loading --ink-mg-per-mL 2 --drop-uL 10 --diameter-mm 5) || fail=1
check loading_disk_area "$(echo "$out" | col electrode_area_cm2 1)" 0.19635 0.000005

# FE from a CSV with units in the header; second row by hand: 8 F (8.25e-3/17.031) 0.030 / 14.0
out=$("$A" echem fe --csv "$F/echem_fe.csv" --json "$T/fe.json") || fail=1
check fe_csv_row2 "$(echo "$out" | col FE 2)" 0.801232 0.0000005
/usr/bin/python3 -c "import json,sys; d=json.load(open('$T/fe.json')); r=d['rows'][1]; sys.exit(abs(r['FE']-8*96485.33212*(8.25e-3/17.031)*0.030/14.0) > 1e-12)" \
    && echo "ok   fe_json_full_precision" || { echo "FAIL fe_json_full_precision"; fail=1; }
# the same from flags with mmol/L and mC
out=$("$A" echem fe --conc-mmol-per-L 0.5 --volume-L 0.03 --charge-mC 11578.24 --n 8) || fail=1
check fe_flags "$(echo "$out" | col FE 1)" 1.0 0.00001

# RHE: the paper's own formula, and the default Nernstian one: -0.9 + 0.098 + 14 (R T ln10 / F)
out=$("$A" echem rhe --E-V -1.3 --pH 14 --e0 0.197 --slope 0.0591) || fail=1
check rhe_paper "$(echo "$out" | col E_RHE_V 1)" -0.2756 1e-12
out=$("$A" echem rhe --E-mV -900 --pH 14 --ref hghgo) || fail=1
check rhe_hghgo "$(echo "$out" | col E_RHE_V 1)" 0.0262309 0.0000005

# calibration from CSV matches scipy.stats.linregress (tests/fixtures/echem_ref.txt)
out=$("$A" echem calib --csv "$F/echem_calib_ib.csv" --predict 0.6543 --method indophenol) || fail=1
check calib_slope "$(echo "$out" | kv slope)" "$(awk '$1 == "ib_slope" { print $2 }' "$F/echem_ref.txt")" 1e-9
check calib_r2 "$(echo "$out" | kv r2)" "$(awk '$1 == "ib_r2" { print $2 }' "$F/echem_ref.txt")" 1e-9
check calib_predict "$(echo "$out" | awk -F, '$1 == "0.6543" { print $2 }')" 1.63091 0.000005

# Cdl from anodic and cathodic currents
out=$("$A" echem cdl --csv "$F/echem_cdl.csv" --cs-mF-per-cm2 0.04) || fail=1
check cdl "$(echo "$out" | kv Cdl_mF_per_cm2)" "$(awk '$1 == "cdl_mf_cm2" { print $2 }' "$F/echem_ref.txt")" 0.000005

out=$("$A" echem scherrer --two-theta-deg 41.3 --fwhm-deg 2.85 --instr-fwhm-deg 0.12 --profile lorentzian) || fail=1
check scherrer "$(echo "$out" | col size_nm 1)" 3.10979 0.000005
out=$("$A" echem orr --dG-OH-eV 0.8 --dG-O-eV 1.6) || fail=1
check orr_ul "$(echo "$out" | col U_L_V 1)" 0.8 1e-12
out=$("$A" echem dg --dE-eV 0.85 --dZPE-eV 0.33 --TdS-eV -0.2 --solv-eV -0.5) || fail=1
check dg "$(echo "$out" | col dG_eV 1)" 0.88 1e-12

# errors
err=$("$A" echem fe --csv "$F/echem_fe_bad.csv" 2>&1 >"$T/out"); rc=$?
if [ $rc -eq 1 ] && [ ! -s "$T/out" ] && echo "$err" | grep -q "echem_fe_bad.csv:3:12: column 'charge_C': '1x4' is not a number"; then
    echo "ok   bad_cell_names_file_line_column"; else echo "FAIL bad cell: rc=$rc '$err'"; fail=1; fi
err=$("$A" echem fe --conc-mg-per-L 1 --volume-mL 30 2>&1); rc=$?
if [ $rc -eq 2 ] && echo "$err" | grep -q "missing input charge_C (give --charge-C)"; then
    echo "ok   missing_input_is_a_usage_error"; else echo "FAIL missing input: rc=$rc '$err'"; fail=1; fi
err=$("$A" echem rhe --E-V 0 --pH 7 --ref calomel 2>&1); rc=$?
if [ $rc -eq 1 ] && echo "$err" | grep -q "unknown reference electrode 'calomel'"; then
    echo "ok   unknown_reference"; else echo "FAIL unknown ref: rc=$rc '$err'"; fail=1; fi
err=$("$A" echem scherrer --two-theta-deg 40 --fwhm-deg 0.1 --instr-fwhm-deg 0.2 2>&1); rc=$?
[ $rc -eq 1 ] && echo "ok   scherrer_narrower_than_instrument" || { echo "FAIL scherrer error rc=$rc"; fail=1; }
"$A" echem nope >/dev/null 2>&1; [ $? -eq 2 ] && echo "ok   unknown_subcommand" || { echo "FAIL unknown sub"; fail=1; }
for s in fe yield loading rhe scherrer dg orr calib cdl; do
    "$A" echem $s --help | grep -q "usage: alloyscout echem $s" || { echo "FAIL help $s"; fail=1; }
done
echo "ok   help"
exit $fail
