#!/bin/bash
# Help, README and docs agree (issue 16, item 9). The list of commands and subcommands comes from
# the program itself (`alloyscout help`), never from this file, so commands added later are
# checked too:
#  - every command's --help exits 0 and is its own (its usage line names it); `alloyscout help
#    CMD` prints the same text;
#  - every subcommand's --help exits 0, names "alloyscout CMD SUB" in its usage line and differs
#    from its command's --help;
#  - the subcommands a command's own usage line announces ("<a|b|c>", or "<subcommand>" and its
#    list) are all in `alloyscout help` (nothing left out, as `lattice convert` was);
#  - README.md and docs/ mention every command ("alloyscout CMD") and every subcommand
#    ("CMD SUB");
#  - README.md and docs/ cite both source papers in full (title, first author, journal or
#    status, DOI where one exists).
# $1 = build dir, $2 = source dir.
set -u
B="$1"; S="$2"
A="$B/alloyscout"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
FAILS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }

"$A" help > "$T/help.txt" || { echo "FAIL: alloyscout help exits $?"; exit 1; }
# commands: "  name   what" lines (two spaces); subcommands: "    cmd sub   what" (four)
mapfile -t CMDS < <(sed -n 's/^  \([a-z][a-z0-9-]*\)  *.*/\1/p' "$T/help.txt" | grep -vx help)
mapfile -t SUBS < <(sed -n 's/^    \([a-z][a-z0-9-]*\) \([a-z][a-z0-9-]*\)  *.*/\1 \2/p;s/^    \([a-z][a-z0-9-]*\) \([a-z][a-z0-9-]*\)$/\1 \2/p' "$T/help.txt")
[ "${#CMDS[@]}" -ge 5 ] || fail "only ${#CMDS[@]} commands in 'alloyscout help'"
[ "${#SUBS[@]}" -ge 10 ] || fail "only ${#SUBS[@]} subcommands in 'alloyscout help'"
echo "alloyscout help: ${#CMDS[@]} commands, ${#SUBS[@]} subcommands"

for c in "${CMDS[@]}"; do
    "$A" "$c" --help > "$T/$c.help" 2> "$T/$c.err" || fail "$c --help exits $?"
    grep -q "^usage: alloyscout $c\b" "$T/$c.help" || fail "$c --help: no 'usage: alloyscout $c' line"
    "$A" help "$c" > "$T/$c.help2" 2>&1 || fail "help $c exits $?"
    cmp -s "$T/$c.help" "$T/$c.help2" || fail "'alloyscout help $c' differs from '$c --help'"
    # what the command's own usage line announces
    announced=""
    if grep -q "^usage: alloyscout $c <subcommand>" "$T/$c.help"; then
        announced=$(awk -v c="$c" 'found && /^  [a-z][a-z0-9-]*  +[^ ]/ {print $1; inlist=1; next}
                                   inlist {exit} /^usage: alloyscout / {found=1}' "$T/$c.help")
    else
        announced=$(sed -n "s/^usage: alloyscout $c <\([a-z|-]*\)>.*/\1/p" "$T/$c.help" | tr '|' ' ')
    fi
    for s in $announced; do
        printf '%s\n' "${SUBS[@]}" | grep -qx "$c $s" ||
            fail "'$c --help' announces '$s' but 'alloyscout help' does not list '$c $s'"
    done
done

for cs in "${SUBS[@]}"; do
    c=${cs% *}; s=${cs#* }
    f="$T/$c.$s.help"
    "$A" "$c" "$s" --help > "$f" 2> "$T/$c.$s.err" || fail "$c $s --help exits $?"
    grep -q "^usage: alloyscout $c $s\b" "$f" ||
        fail "$c $s --help is not its own: first line '$(head -1 "$f")'"
    cmp -s "$f" "$T/$c.help" && fail "$c $s --help prints the help of '$c'"
done

# README.md and docs/ mention each
for c in "${CMDS[@]}"; do
    grep -q "alloyscout $c\b" "$S/README.md" || fail "README.md never mentions 'alloyscout $c'"
    grep -rqs "alloyscout $c\b" "$S/docs" || fail "docs/ never mention 'alloyscout $c'"
done
for cs in "${SUBS[@]}"; do
    grep -qw -- "$cs" "$S/README.md" || fail "README.md never mentions '$cs'"
    grep -rqws -- "$cs" "$S/docs" || fail "docs/ never mention '$cs'"
done

# both source papers, cited in full, in the README and in docs/
for where in "$S/README.md" "$S/docs"; do
    for pat in "Entropy-Engineered Synthesis of CuCo Nanometric Solid Solution Alloys for Near-100% Nitrate-to-Ammonia Selectivity" \
               "Y. Hu, H. Lan, B. Hu, J. Gong" "M. Du" \
               "Machine-learning-accelerated design of high-performance platinum intermetallic nanoparticle fuel cell catalysts" \
               "P. Yin, X. Niu, S.-B. Li, K. Chen, X. Zhang, M. Zuo, L. Zhang, H.-W. Liang" \
               "Nature Communications" "10.1038/s41467-023-44674-1"; do
        grep -rqsF -- "$pat" "$where" || fail "$(basename "$where") does not cite: $pat"
    done
done

[ "$FAILS" -eq 0 ] || { echo "0 passed, $FAILS failed"; exit 1; }
echo "1 passed, 0 failed"
