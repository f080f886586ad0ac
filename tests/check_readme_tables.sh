#!/usr/bin/env bash
# Fails when README.md's generated tables (fields, metrics) differ from what
# the plugin says now: run scripts/gen-fields.sh to regenerate them.
# usage: check_readme_tables.sh README.md plugin-fields libcontainer.so [EMULATOR...]
# (EMULATOR: how a cross build runs its programs, e.g. qemu-aarch64-static)
set -euo pipefail
readme=$1 tool=$2 so=$3
shift 3
emu=("$@")
status=0
check() { # marker [tool option]
  local want got
  want=$(${emu[@]+"${emu[@]}"} "$tool" "$so" ${2:+"$2"})
  got=$(awk -v b="<!-- $1:begin -->" -v e="<!-- $1:end -->" \
    '$0 == e { on = 0 } on { print } $0 == b { on = 1 }' "$readme")
  if [ "$want" != "$got" ]; then
    echo "README.md: the $1 table is out of date (scripts/gen-fields.sh regenerates it)"
    diff <(echo "$got") <(echo "$want") || true
    status=1
  fi
}
check fields
check metrics --metrics
exit $status
