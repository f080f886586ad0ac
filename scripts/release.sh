#!/usr/bin/env bash
# The release command: builds the self-contained libcontainer.so for x86_64
# and aarch64 and packages it (docs/release.md). Leaves in dist/:
#
#   libcontainer-<version>-linux-<arch>.tar.gz   libcontainer.so at the archive's root
#   falco-plugin-container-c_<version>_<debarch>.deb
#   SHA256SUMS
#   <arch>/libcontainer.so, <arch>/libcontainer.so.debug, <arch>/load_driver
#
# Everything is built inside a Debian 11 root (scripts/debian-root.sh), so the
# .so needs no glibc newer than 2.17, with libcurl, nghttp2, jansson and
# protobuf-c linked in statically from Debian's sources (scripts/build-deps.sh).
# The root, the dependencies and the build trees are cached outside the clone.
#
#   scripts/release.sh [--arch x86_64|aarch64]... [--unit-tests]
#
# --unit-tests also builds the unit tests in the root and runs them there
# (aarch64 under qemu-user), against the same static build.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)

arches=()
unit_tests=0
while [ $# -gt 0 ]; do
	case $1 in
	--arch) arches+=("$2"); shift 2 ;;
	--unit-tests) unit_tests=1; shift ;;
	*) sed -n '2,21p' "$0" >&2; exit 2 ;;
	esac
done
[ ${#arches[@]} -gt 0 ] || arches=(x86_64 aarch64)

version=$(sed -n 's/^#define PLUGIN_VERSION "\(.*\)"$/\1/p' plugin/plugin_state.h)
[ -n "$version" ] || { echo "release.sh: no PLUGIN_VERSION in plugin/plugin_state.h" >&2; exit 1; }
jobs=$(nproc)
slow_why="it only waits 30 s; scripts/test.sh runs it in its release and ASan stages"
start=$(date +%s)

command -v dpkg-deb >/dev/null || { echo "release.sh: dpkg-deb missing" >&2; exit 1; }
scripts/debian-root.sh make bullseye-build
root=$(scripts/debian-root.sh path bullseye-build)
in_build_root() { ROOT_BIND="$src:/src" scripts/debian-root.sh run bullseye-build "$@"; }

mkdir -p dist
for arch in "${arches[@]}"; do
	case $arch in
	x86_64) debarch=amd64 toolchain= ;;
	aarch64) debarch=arm64 toolchain=-DCMAKE_TOOLCHAIN_FILE=/src/cmake/aarch64-linux-gnu.cmake ;;
	*) echo "release.sh: unknown arch $arch" >&2; exit 2 ;;
	esac
	targets="--target container --target load_driver"
	[ $unit_tests -eq 0 ] || targets="$targets --target unit_tests"
	echo "== release: $arch (Debian 11 root)"
	# The build tree lives in the root, under the architecture's name.
	in_build_root bash -euo pipefail -c "
		bash /src/scripts/build-deps.sh $arch /opt/deps/$arch
		cmake -S /src -B /opt/build/$arch -DCMAKE_BUILD_TYPE=RelWithDebInfo \
			-DDEPS_PREFIX=/opt/deps/$arch $toolchain >/dev/null
		cmake --build /opt/build/$arch -j $jobs $targets >/opt/build/$arch.log 2>&1 ||
			{ tail -40 /opt/build/$arch.log; exit 1; }"
	if [ $unit_tests -eq 1 ]; then
		echo "== unit tests on the release build: $arch"
		# Cases that only wait (TEST_SKIP_SLOW) run in the test command's later stages.
		in_build_root bash -c "cd /opt/build/$arch && TEST_SKIP_SLOW='$slow_why' \
			ctest --output-on-failure -LE integration -j $jobs"
	fi

	out=dist/$arch
	rm -rf "$out" && mkdir -p "$out"
	built=$root/opt/build/$arch
	objcopy=objcopy
	[ "$arch" = x86_64 ] || objcopy=aarch64-linux-gnu-objcopy
	in_build_root bash -c "cd /opt/build/$arch &&
		$objcopy --only-keep-debug libcontainer.so libcontainer.so.debug &&
		$objcopy --strip-unneeded --add-gnu-debuglink=libcontainer.so.debug libcontainer.so libcontainer.stripped.so"
	cp "$built/libcontainer.stripped.so" "$out/libcontainer.so"
	cp "$built/libcontainer.so.debug" "$built/load_driver" "$out/"

	tar --create --gzip --file "dist/libcontainer-$version-linux-$arch.tar.gz" \
		--owner=0 --group=0 --numeric-owner --mtime=@0 -C "$out" libcontainer.so
	scripts/make-deb.sh "$out/libcontainer.so" "$version" "$debarch" dist
	scripts/check-artifact.sh "$out/libcontainer.so"
done

(cd dist && sha256sum -- *.tar.gz *.deb >SHA256SUMS)
echo "== release: dist/ after $(($(date +%s) - start)) s"
ls -l dist/*.tar.gz dist/*.deb dist/*/libcontainer.so
