#!/usr/bin/env bash
# Install the Debian packages alloyscout builds, tests and benchmarks with (man-db: the install
# test renders the generated man pages; clang: the second compiler of `make matrix` and CI;
# openkim-models: the 2NN-MEAM parameters of the meam oracle; gpaw + gpaw-data: the ase:gpaw
# oracle and its test; slurm-wlm + munge: the executor's one-node Slurm test; quantum-espresso:
# pw.x and ld1.x for the QE adapter's test, examples/qe_adapter.py).
# Usage: scripts/setup-debian.sh            (as root, or with sudo available)
set -euo pipefail
PKGS=(
  build-essential cmake pkg-config clang
  libopenblas-dev liblapacke-dev libnlopt-dev libsqlite3-dev libcjson-dev libcairo2-dev
  libcmocka-dev fonts-dejavu-core sqlite3 man-db
  lammps liblammps-dev openkim-models
  python3 python3-numpy python3-sklearn python3-imblearn python3-ase python3-threadpoolctl
  gpaw gpaw-data quantum-espresso
  slurm-wlm munge
)
# Peers for bench/ only (large); set AS_BENCH_DEPS=1 to install them too.
# (python3-scipy and python3-matplotlib regenerate two test fixtures; nothing runs them in tests)
if [ "${AS_BENCH_DEPS:-0}" = 1 ]; then PKGS+=(python3-torch python3-scipy python3-matplotlib time); fi
# Browser for the report test (issue 6); set AS_BROWSER_DEPS=1.
if [ "${AS_BROWSER_DEPS:-0}" = 1 ]; then PKGS+=(chromium); fi

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "alloyscout setup: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
