#!/usr/bin/env bash
# `cmake --install` puts the plugin where Falco looks for it: a new build tree
# defaults to the prefix /usr (/usr/share/falco/plugins), --prefix P gives
# P/share/falco/plugins, and the installed file loads (load_driver).
# Registered with ctest (CMakeLists.txt).
#   install_test.sh SOURCE_DIR BUILD_DIR [EMULATOR...]   (cross builds: how to run load_driver)
set -euo pipefail
src=$1
build=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The default of a fresh configure (an existing tree keeps what it was given).
cmake -S "$src" -B "$tmp/fresh" -DDEPS_PREFIX="$(sed -n 's/^DEPS_PREFIX:PATH=//p' "$build/CMakeCache.txt")" >/dev/null
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$tmp/fresh/CMakeCache.txt")
[ "$prefix" = /usr ] || { echo "default install prefix is '$prefix', not /usr"; exit 1; }
built_prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
DESTDIR=$tmp/destdir cmake --install "$build" >/dev/null
test -f "$tmp/destdir$built_prefix/share/falco/plugins/libcontainer.so"
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
so=$tmp/prefix/share/falco/plugins/libcontainer.so
test -f "$so"
"$@" "$build/load_driver" "$so"
echo "fresh trees install to /usr/share/falco/plugins; --prefix P to P/share/falco/plugins; loads"
