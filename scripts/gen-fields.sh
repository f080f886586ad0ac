#!/usr/bin/env bash
# Regenerates the fields table of README.md from the plugin's own
# plugin_get_fields (never written by hand).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build >/dev/null
cmake --build build -j "$(nproc)" --target container plugin-fields >/dev/null
table=$(build/plugin-fields build/libcontainer.so)
awk -v table="$table" '
  /<!-- fields:begin -->/ { print; print table; skip = 1; next }
  /<!-- fields:end -->/ { skip = 0 }
  !skip' README.md > README.md.new
mv README.md.new README.md
