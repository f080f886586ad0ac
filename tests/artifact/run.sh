#!/usr/bin/env bash
# The release artifact's tests (docs/release.md), on what scripts/release.sh
# left in dist/:
#   1. each .so needs nothing beyond libc, no glibc symbol newer than 2.17, and
#      exports only the plugin API (scripts/check-artifact.sh);
#   2. x86_64: load_driver loads it inside a bare Debian 11 minbase root
#      (nothing installed into it) and walks it through init, capture open, a
#      clone exit in a Docker cgroup, container.id, close, destroy;
#   3. the .deb installs with dpkg -i in a copy of that root, diverting a
#      libcontainer.so already there (as Falco's packages ship one), the driver
#      loads the installed file, and dpkg -r puts the diverted file back;
#   4. aarch64: the same driver on the aarch64 .so under qemu-user, with
#      Debian 11's arm64 libc.
# Prints "artifact: N passed, N failed"; exit 1 on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
dist=$(pwd)/dist
version=$(sed -n 's/^#define PLUGIN_VERSION "\(.*\)"$/\1/p' plugin/plugin_state.h)
passed=0
failed=0

check() {
	local what=$1
	shift
	echo "-- $what"
	if "$@"; then
		passed=$((passed + 1))
	else
		echo "FAILED: $what"
		failed=$((failed + 1))
	fi
}

in_root() {
	local name=$1 bind=$2
	shift 2
	ROOT_BIND=$bind scripts/debian-root.sh run "$name" "$@"
}

scripts/debian-root.sh make bullseye-bare
rc=$?
if [ $rc -eq 3 ]; then
	echo "artifact: SKIPPED: the Debian mirror is unreachable, no Debian 11 root can be made"
	exit 0
fi
[ $rc -eq 0 ] || exit 1

for arch in x86_64 aarch64; do
	check "$arch: NEEDED, glibc floor, exports" scripts/check-artifact.sh "$dist/$arch/libcontainer.so"
done

check "x86_64: loads in a bare Debian 11 root" \
	in_root bullseye-bare "$dist/x86_64:/opt/artifact" \
	/opt/artifact/load_driver /opt/artifact/libcontainer.so

deb_test() {
	local bare tmp rc
	bare=$(scripts/debian-root.sh path bullseye-bare)
	tmp=$(mktemp -d /var/tmp/deb-root.XXXXXX)
	cp -a "$bare/." "$tmp/"
	mkdir -p "$tmp/usr/share/falco/plugins" "$tmp/opt/t"
	echo "falco's own plugin" >"$tmp/usr/share/falco/plugins/libcontainer.so"
	cp "$dist/falco-plugin-container-c_${version}_amd64.deb" "$dist/x86_64/load_driver" "$tmp/opt/t/"
	local plugins=/usr/share/falco/plugins
	# One shell inside the copy: install, load the installed file, remove.
	unshare --mount --fork -- bash -c '
		mount -t proc proc "$1/proc"
		exec chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin sh -ec "
			dpkg -i /opt/t/*.deb >/dev/null
			dpkg-divert --list falco-plugin-container-c
			grep -q \"falco.s own plugin\" $2/libcontainer.so.falco
			/opt/t/load_driver $2/libcontainer.so
			dpkg -r falco-plugin-container-c >/dev/null
			grep -q \"falco.s own plugin\" $2/libcontainer.so
			test ! -e $2/libcontainer.so.falco
			echo installed, loaded, removed, the diverted file back"
	' deb_test "$tmp" "$plugins"
	rc=$?
	rm -rf "$tmp"
	return $rc
}
check "x86_64: .deb installs in a Debian 11 root and loads" deb_test

check "aarch64: loads under qemu-user with Debian 11's arm64 libc" \
	in_root bullseye-build "$dist/aarch64:/opt/artifact" \
	qemu-aarch64-static -L /usr/aarch64-linux-gnu \
	/opt/artifact/load_driver /opt/artifact/libcontainer.so

echo "artifact: $passed passed, $failed failed"
[ $failed -eq 0 ]
