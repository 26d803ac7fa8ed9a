# Shared by tests/examples/test_*.sh: $B build dir, $S source dir, $T scratch, fail(), and the
# cmd: words of the contract's placeholders (docs/oracle.md, "Adapters"). Until the alloyscout
# being tested substitutes {relax} {fmax} {nprocs} {workdir} (its `energy --help` names {relax}),
# the tests pass the literal values those placeholders would take.
set -u
B="$1"; S="$2"; A="$B/alloyscout"; PY=/usr/bin/python3
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
[ -x "$PY" ] || { echo "SKIP: $PY missing"; exit 77; }
"$PY" -c 'import ase' 2> /dev/null || { echo "SKIP: python3-ase missing"; exit 77; }
if "$A" energy --help 2>&1 | grep -q '{relax}'; then
    CONTRACT_RELAX0="--relax {relax} --fmax {fmax} --nprocs {nprocs} --workdir {workdir}"
    CONTRACT_RELAX1="$CONTRACT_RELAX0"
else
    CONTRACT_RELAX0="--relax 0 --fmax 0.03 --nprocs 1"
    CONTRACT_RELAX1="--relax 1 --fmax 0.03 --nprocs 1"
fi
export PYTHONPATH="$S/examples${PYTHONPATH:+:$PYTHONPATH}"
