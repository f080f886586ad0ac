#!/usr/bin/env bash
# Regenerates the fields and metrics tables of README.md from the plugin's own
# plugin_get_fields and plugin_get_metrics (never written by hand; ctest
# readme_tables fails when they differ).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build >/dev/null
cmake --build build -j "$(nproc)" --target container plugin-fields >/dev/null
for kind in fields metrics; do
  opt=()
  [ "$kind" = metrics ] && opt=(--metrics)
  table=$(build/plugin-fields build/libcontainer.so "${opt[@]}")
  awk -v table="$table" -v b="<!-- $kind:begin -->" -v e="<!-- $kind:end -->" '
    $0 == b { print; print table; skip = 1; next }
    $0 == e { skip = 0 }
    !skip' README.md > README.md.new
  mv README.md.new README.md
done
