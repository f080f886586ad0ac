#!/usr/bin/env bash
# Debian roots made with debootstrap, cached outside the clone (they take minutes
# to make and are the same for every checkout).
#
#   debian-root.sh path NAME           prints the root's directory (made or not)
#   debian-root.sh make NAME           makes it once (reused while its recipe is unchanged)
#   debian-root.sh run NAME CMD...     runs CMD inside it as root, with /proc, /dev and
#                                      /sys mounted in a private mount namespace (gone
#                                      when CMD ends), and $ROOT_BIND ("HOSTDIR:DIR ...")
#                                      bind-mounted at DIR inside
#
# NAMEs (the recipe of each is below):
#   bullseye-bare   Debian 11 minbase, nothing added: where the artifact must load
#   bullseye-build  Debian 11 minbase + compilers (native and aarch64 cross), cmake,
#                   protoc-c, and bookworm's source packages of our dependencies
#   trixie-engines  Debian 13 minbase + containerd 1.7, Docker 26, Podman 5 and what
#                   they run (runc, crun, conmon, CNI plugins): the second generation
#                   of engines the integration tests start (tests/integration/engines.sh)
#
# CONTAINER_PLUGIN_CACHE (default /var/cache/container-plugin) holds the roots.
# Exit status 3 means the Debian mirror could not be reached (callers skip).
set -euo pipefail

CACHE=${CONTAINER_PLUGIN_CACHE:-/var/cache/container-plugin}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

# Packages of the build root. The glibc the artifact needs is the root's (2.31);
# the dependencies are built from bookworm's sources (the versions the project
# is developed and tested against on Debian 12), see scripts/build-deps.sh.
BUILD_PKGS=(build-essential cmake pkg-config protobuf-c-compiler dpkg-dev file
            crossbuild-essential-arm64 qemu-user-static ca-certificates)

# Packages of the engines root. The daemons run chrooted in it on the host's
# kernel; the CLIs the tests need (docker, podman, ctr) come along.
ENGINE_PKGS=(containerd runc docker.io docker-cli podman crun conmon catatonit
             containernetworking-plugins)

recipe() {
	case $1 in
	bullseye-bare) echo "bullseye minbase v1" ;;
	bullseye-build) echo "bullseye minbase v1 ${BUILD_PKGS[*]} deb-src=bookworm" ;;
	trixie-engines) echo "trixie minbase v1 ${ENGINE_PKGS[*]}" ;;
	*) echo "debian-root.sh: unknown root $1" >&2; exit 2 ;;
	esac
}

root_dir() { echo "$CACHE/$1"; }

mirror_reachable() {
	timeout 20 bash -c "exec 3<>/dev/tcp/$(echo "$MIRROR" | sed -E 's#^[a-z]+://([^/:]+).*#\1#')/80" 2>/dev/null
}

# Runs CMD in root DIR with the kernel filesystems and binds; private mounts.
in_root() {
	local dir=$1
	shift
	local binds=${ROOT_BIND:-}
	unshare --mount --fork -- bash -euo pipefail -c '
		dir=$1; binds=$2; shift 2
		mount --make-rprivate /
		# the root a mount point: engines remount "/" (rprivate) in their own namespaces
		mount --bind "$dir" "$dir"
		mount -t proc proc "$dir/proc"
		mount --rbind /dev "$dir/dev"
		mount --rbind /sys "$dir/sys"
		for b in $binds; do
			mkdir -p "$dir/${b#*:}"
			mount --bind "${b%%:*}" "$dir/${b#*:}"
		done
		exec chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
			LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
	' in_root "$dir" "$binds" "$@"
}

make_root() {
	local name=$1 dir stamp want suite
	dir=$(root_dir "$name")
	stamp="$dir/.recipe"
	want=$(recipe "$name")
	suite=${want%% *}
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
	# one maker at a time (tests may ask for the same root side by side)
	mkdir -p "$CACHE"
	exec 8>"$CACHE/$name.lock"
	flock 8
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
	command -v debootstrap >/dev/null || {
		apt-get update -qq && apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
	}
	mirror_reachable || { echo "debian-root.sh: $MIRROR unreachable" >&2; exit 3; }
	mkdir -p "$CACHE"
	rm -rf "$dir" "$dir.tmp"
	echo "debian-root.sh: making $name in $dir (debootstrap, once)" >&2
	debootstrap --variant=minbase "$suite" "$dir.tmp" "$MIRROR" >"$CACHE/$name.log" 2>&1 ||
		{ tail -20 "$CACHE/$name.log" >&2; exit 1; }
	if [ "$name" = bullseye-build ]; then
		cat >"$dir.tmp/etc/apt/sources.list" <<-EOF
			deb $MIRROR bullseye main
			deb-src $MIRROR bookworm main
		EOF
		in_root "$dir.tmp" dpkg --add-architecture arm64
		in_root "$dir.tmp" apt-get update -qq
		in_root "$dir.tmp" apt-get install -y -qq --no-install-recommends "${BUILD_PKGS[@]}" \
			>>"$CACHE/$name.log" 2>&1 || { tail -20 "$CACHE/$name.log" >&2; exit 1; }
		in_root "$dir.tmp" apt-get clean
	fi
	if [ "$name" = trixie-engines ]; then
		# policy-rc.d: the packages' scripts must not start daemons in the root
		printf '#!/bin/sh\nexit 101\n' >"$dir.tmp/usr/sbin/policy-rc.d"
		chmod 755 "$dir.tmp/usr/sbin/policy-rc.d"
		in_root "$dir.tmp" apt-get install -y -qq --no-install-recommends "${ENGINE_PKGS[@]}" \
			>>"$CACHE/$name.log" 2>&1 || { tail -20 "$CACHE/$name.log" >&2; exit 1; }
		in_root "$dir.tmp" apt-get clean
	fi
	echo "$want" >"$dir.tmp/.recipe"
	mv "$dir.tmp" "$dir"
	exec 8>&-
}

cmd=${1:-}
case $cmd in
path) root_dir "$2" ;;
make) make_root "$2" ;;
run)
	name=$2
	shift 2
	make_root "$name"
	in_root "$(root_dir "$name")" "$@"
	;;
*)
	sed -n '2,20p' "$0" >&2
	exit 2
	;;
esac
