#!/usr/bin/env bash
# The areas' one-way data flow (docs/architecture.md), checked on the sources: each area includes
# only the public headers of the areas below it, no other area's private header, and the CLI
# only public headers and its own. (The build enforces the private-header part through include
# paths; this test also catches an area including a higher area's public header.)
# usage: test_layers.sh BUILD_DIR SOURCE_DIR
set -u
src=${2:?source dir}/src
declare -A below=(
  [core]=""
  [data]="core"
  [resample]="core"
  [mlp]="core"
  [evaluate]="core"
  [synth]="evaluate mlp resample data core"
  [lattice]="core"
  [oracle]="lattice core"
  [executor]="oracle lattice core"
  [gp]="core"
  [campaign]="orr echem executor gp lattice oracle data core"
  [report]="core"
  [echem]="data core"
  [orr]="echem oracle lattice data core"
)
# public header -> owning area
area_of() {
  case $1 in
    core|json|interrupt) echo core ;;
    composition) echo data ;;
    alloyscout) echo umbrella ;;
    *) echo "$1" ;;
  esac
}
fail=0
for dir in "$src"/*/; do
  a=$(basename "$dir")
  [ "$a" = cli ] && continue
  if [ -z "${below[$a]+x}" ]; then
    echo "FAIL: area '$a' is not in this test's layer table (add it, with the areas below it)"
    fail=1; continue
  fi
  allowed=" $a ${below[$a]} "
  while IFS=: read -r file line inc; do
    hdr=${inc#*\"}; hdr=${hdr%\"*}
    case $hdr in
      alloyscout/*.h)
        b=$(area_of "$(basename "$hdr" .h)")
        if [[ "$allowed" != *" $b "* ]]; then
          echo "FAIL: $file:$line: area '$a' includes $hdr of area '$b' (allowed: ${below[$a]:-none})"
          fail=1
        fi ;;
      */*_int.h)
        echo "FAIL: $file:$line: area '$a' includes another area's private header $hdr"; fail=1 ;;
    esac
  done < <(grep -Hn '^#include "' "$dir"*.[ch] 2>/dev/null)
done
while IFS=: read -r file line inc; do
  hdr=${inc#*\"}; hdr=${hdr%\"*}
  case $hdr in
    alloyscout/*.h|cli.h|opt.h|progress.h) ;;
    *) [ -e "$src/cli/$hdr" ] || { echo "FAIL: $file:$line: the CLI includes $hdr"; fail=1; } ;;
  esac
done < <(grep -Hn '^#include "' "$src"/cli/*.[ch])
n=$(ls -d "$src"/*/ | wc -l)
if [ $fail = 0 ]; then echo "layers: $n areas checked: 1 passed, 0 failed"; else echo "layers: 0 passed, 1 failed"; fi
exit $fail
