#!/usr/bin/env bash
# Checks a release libcontainer.so: what it needs from the system and what it
# exports (docs/release.md). Prints the NEEDED list, the highest GLIBC_x.y
# symbol version and the exported symbols; fails when it needs a library
# beyond libc (and the old split-out parts of glibc), a glibc symbol newer
# than the floor, or exports anything but the plugin_* entry points.
#
#   check-artifact.sh SO [FLOOR]     FLOOR defaults to 2.17
set -euo pipefail
so=$1
floor=${2:-2.17}
ok=1

needed=$(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
echo "$so: NEEDED: $needed"
for lib in $needed; do
	case $lib in
	libc.so.6 | libm.so.6 | libpthread.so.0 | libdl.so.2 | ld-linux-x86-64.so.2 | ld-linux-aarch64.so.1) ;;
	*) echo "  FAIL: needs $lib" ; ok=0 ;;
	esac
done

maxv=$(readelf --dyn-syms -W "$so" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -Vu | tail -n 1)
echo "$so: highest GLIBC symbol version: ${maxv:-none} (floor $floor)"
if [ -n "$maxv" ] && [ "$(printf '%s\n%s\n' "$maxv" "$floor" | sort -V | tail -n 1)" != "$floor" ]; then
	echo "  FAIL: symbols newer than GLIBC_$floor:"
	readelf --dyn-syms -W "$so" | awk -v f="$floor" '/GLIBC_/ {print "   ", $8}' |
		while read -r s; do
			v=${s##*GLIBC_}; v=${v%% *}
			[ "$(printf '%s\n%s\n' "$v" "$floor" | sort -V | tail -n 1)" = "$floor" ] || echo "    $s"
		done
	ok=0
fi

exports=$(readelf --dyn-syms -W "$so" | awk '$1 ~ /^[0-9]+:$/ && $7 != "UND" && $5 != "LOCAL" && $4 != "SECTION" && $8 != "" {print $8}' | sed 's/@.*//' | sort -u)
others=$(echo "$exports" | grep -v '^plugin_' || true)
echo "$so: exports $(echo "$exports" | grep -c '^plugin_') plugin_* symbols${others:+ and: $others}"
[ -z "$others" ] || { echo "  FAIL: exports more than the plugin API"; ok=0; }

[ $ok -eq 1 ] || exit 1
