#!/usr/bin/env bash
# `cmake --install` puts the plugin where Falco looks for it: by default
# /usr/share/falco/plugins, otherwise PREFIX/share/falco/plugins; the
# installed file loads (load_driver). Registered with ctest (CMakeLists.txt).
#   install_test.sh BUILD_DIR
set -euo pipefail
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
DESTDIR=$tmp/destdir cmake --install "$build" >/dev/null
test -f "$tmp/destdir/usr/share/falco/plugins/libcontainer.so"
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
so=$tmp/prefix/share/falco/plugins/libcontainer.so
test -f "$so"
"$build/load_driver" "$so"
echo "installed at DESTDIR/usr/share/falco/plugins and PREFIX/share/falco/plugins; loads"
