#!/bin/bash
# The cmd: contract through the CLI (issue 19): `alloyscout label` records a timeout as
# status=timeout with the limit; `energy --relax` with a program that returns unmoved positions
# fails with "program did not relax" unless --accept-unconverged; a bad --timeout text is a
# usage error; -j 2 with a program writing a fixed-name file, --keep-workdirs and --scratch;
# `energy --db` recomputes after the program's script changed and reuses otherwise; `energy
# --relax --out` (eam) is itself a program meeting the contract (forces at the end).
# $1 = build dir, $2 = source dir.
set -u
B="$1"; S="$2"; A="$B/alloyscout"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cat > "$T/two.extxyz" <<'XYZ'
4
Lattice="3.6 0 0 0 3.6 0 0 0 3.6" Properties=species:S:1:pos:R:3 pbc="T T T"
Cu 0 0 0
Cu 1.8 1.8 0
Cu 1.8 0 1.8
Cu 0 1.8 1.8
4
Lattice="3.6 0 0 0 3.6 0 0 0 3.6" Properties=species:S:1:pos:R:3 pbc="T T T"
Cu 0.05 0 0
Cu 1.8 1.8 0
Cu 1.8 0 1.8
Cu 0 1.8 1.8
XYZ
head -6 "$T/two.extxyz" > "$T/one.extxyz"

# ---- a timeout is recorded as such
printf '#!/bin/sh\nsleep 30\n' > "$T/hang.sh"; chmod +x "$T/hang.sh"
"$A" label --quiet --retries 0 --timeout 0.5 --oracle "cmd:$T/hang.sh {in} {out}" \
    "$T/one.extxyz" "$T/h.extxyz" 2> /dev/null
[ $? -eq 3 ] || fail "a timed-out label exits 3"
grep -q 'status=timeout' "$T/h.extxyz" || fail "status=timeout: $(sed -n 2p "$T/h.extxyz")"
grep -q 'timed out after 0.5 s' "$T/h.extxyz" || fail "the limit in the reason"
grep -q 'workdir=' "$T/h.extxyz" || fail "the kept job directory is named"
wd=$(sed -n 2p "$T/h.extxyz" | sed 's/.*workdir="\{0,1\}\([^" ]*\).*/\1/')
[ -d "$wd" ] && [ -f "$wd/alloyscout.in.extxyz" ] || fail "kept directory $wd beside OUT"
case "$wd" in "$T"/*) ;; *) fail "label's job directory $wd is not beside OUT" ;; esac

# energy: the table says timeout and names the kept directory; a failed frame fails the
# command, so no --json is written (issue 16: a failed command leaves no output file)
"$A" energy --quiet --retries 0 --timeout cmd=0.5 --json "$T/h.json" --scratch "$T" \
    --oracle "cmd:$T/hang.sh {in} {out}" "$T/one.extxyz" > "$T/h.txt" 2>&1
[ $? -eq 1 ] || fail "a timed-out frame fails energy"
grep -q "timeout: .*timed out after 0.5 s" "$T/h.txt" || fail "table: $(cat "$T/h.txt")"
[ ! -e "$T/h.json" ] || fail "a failed energy run wrote its --json"
wd=$(sed -n 's/.*\[job directory \([^]]*\)\].*/\1/p' "$T/h.txt")
[ -n "$wd" ] && [ -d "$wd" ] || fail "the table names the kept job directory: $(cat "$T/h.txt")"

# ---- bad timeout texts
"$A" energy --timeout cmd=abc --oracle eam "$T/one.extxyz" > /dev/null 2>&1
[ $? -eq 2 ] || fail "--timeout cmd=abc is a usage error"
"$A" energy --quiet --timeout cmd=5,eam=none --oracle eam "$T/one.extxyz" > /dev/null ||
    fail "--timeout per oracle"

# ---- a program that does not relax
printf '#!/bin/sh\nsed "2s/$/ energy=-14/" "$1" > "$2"\n' > "$T/still.sh"; chmod +x "$T/still.sh"
"$A" energy --quiet --retries 0 --relax --oracle "cmd:$T/still.sh {in} {out}" "$T/one.extxyz" \
    > "$T/still.txt" 2>&1 && fail "unmoved positions under --relax must fail"
grep -q "program did not relax" "$T/still.txt" || fail "reason: $(cat "$T/still.txt")"
"$A" energy --quiet --retries 0 --relax --accept-unconverged \
    --oracle "cmd:$T/still.sh {in} {out}" "$T/one.extxyz" > /dev/null 2>&1 ||
    fail "--accept-unconverged keeps it"
"$A" energy --quiet --retries 0 --oracle "cmd:$T/still.sh {in} {out}" "$T/one.extxyz" \
    > /dev/null || fail "the same program for an energy"

# ---- energy --relax --out meets the contract: the EAM through cmd: gives the EAM's numbers
"$A" energy --quiet --relax --oracle eam:Cu "$T/two.extxyz" > "$T/direct.txt" || fail "eam"
"$A" energy --quiet --relax -j 2 --oracle \
    "cmd:$A energy --quiet --relax --fmax {fmax} --oracle eam:Cu --out {out} {in}" \
    "$T/two.extxyz" > "$T/via.txt" || fail "eam through cmd: $(cat "$T/via.txt")"
[ "$(awk '!/^#/ {print $3}' "$T/direct.txt")" = "$(awk '!/^#/ {print $3}' "$T/via.txt")" ] ||
    fail "energies differ: $(cat "$T/direct.txt" "$T/via.txt")"

# ---- fixed-name files with -j 2, --keep-workdirs, --scratch
cat > "$T/outcar.sh" <<'SH'
#!/bin/sh
[ -e OUTCAR ] && { echo "shared directory" >&2; exit 5; }
echo run > OUTCAR; sleep 0.3
sed "2s/$/ energy=-14/" "$1" > "$2"
SH
chmod +x "$T/outcar.sh"
mkdir -p "$T/scr"
"$A" energy --quiet -j 2 --keep-workdirs --scratch "$T/scr" --oracle "cmd:$T/outcar.sh {in} {out}" \
    "$T/two.extxyz" > /dev/null || fail "-j 2 with OUTCAR"
[ "$(find "$T/scr" -name OUTCAR | wc -l)" -eq 2 ] || fail "--keep-workdirs keeps 2 directories"
rm -rf "$T/scr"/*
"$A" energy --quiet -j 2 --scratch "$T/scr" --oracle "cmd:$T/outcar.sh {in} {out}" \
    "$T/two.extxyz" > /dev/null || fail "-j 2 with OUTCAR"
[ "$(find "$T/scr" -name OUTCAR | wc -l)" -eq 0 ] || fail "successful directories removed"

# ---- the label key follows the script's content
cp "$T/outcar.sh" "$T/keyed.sh"
run() { "$A" energy --db "$T/k.sqlite" --oracle "cmd:$T/keyed.sh {in} {out}" "$@" \
    "$T/two.extxyz" 2>&1 >/dev/null | sed -n 's/.*alloyscout: \([0-9]*\) computed.*/\1/p'; }
[ "$(run)" = 2 ] || fail "first run computes 2"
[ "$(run)" = 0 ] || fail "unchanged: reused"
echo "# edited" >> "$T/keyed.sh"
[ "$(run)" = 2 ] || fail "changed script: recomputed"
[ "$(run --oracle-version v2)" = 2 ] || fail "--oracle-version: recomputed"
[ "$(run --oracle-version v2)" = 0 ] || fail "same version: reused"
echo "contract cli: ok"
