#!/usr/bin/env bash
# Private container engines for the integration tests (docs/engines.md "Integration test engines").
#
#   engines.sh image DIR                   build DIR/app.tar and DIR/pause.tar ("docker save" format)
#   engines.sh start ENGINE T
#   engines.sh stop  ENGINE T
#   engines.sh restart ENGINE T            the daemon alone stops and starts again
#   engines.sh can-run ENGINE|image
#   engines.sh cli ENGINE T ARGS...        the engine's CLI against the private daemon: docker,
#                                          podman (private storage flags) or ctr (native snapshotter)
#   engines.sh remote ENGINE T ARGS...     podman CLI through the private service's socket
#   engines.sh docker|podman|ctr|podman-remote T ARGS...   the same for the Debian 12 engines
#
# ENGINEs: docker, podman, containerd (this machine's, Debian 12: Docker 20.10,
# Podman 4.3, containerd 1.6) and docker13, podman13, containerd13 (Debian 13's:
# Docker 26, Podman 5, containerd 1.7), which run chrooted in a Debian 13 root
# (scripts/debian-root.sh trixie-engines, made once) on this kernel, in a
# private mount namespace where T is bind-mounted at its own path: sockets,
# state and logs have the same paths inside and out, the containers' processes
# and cgroups are this kernel's. Their CLIs run in the root too.
#
# Every engine lives under T/<engine>/ (socket, roots, log). Sockets are
# T/<engine>/<kind>.sock, kind being docker, podman or containerd:
# T/docker/docker.sock, T/podman13/podman.sock, T/containerd13/containerd.sock.
# "start" also loads localhost/app:1.0 and localhost/pause:1.0 (built once into
# T/images) and leaves a watchdog that stops the engine when the process named
# by ITEST_OWNER_PID (default: our parent) dies, so a crashed or killed test
# leaves no daemon behind.
set -euo pipefail

READY_TIMEOUT=${ITEST_READY_TIMEOUT:-60} # seconds
STOP_TIMEOUT=${ITEST_STOP_TIMEOUT:-20}   # seconds, before SIGKILL
CMD_TIMEOUT=${ITEST_CMD_TIMEOUT:-60}     # seconds, for one CLI call (load, rm...)
DOCKER_CLI=/usr/bin/docker               # Debian's client, not whatever is first on PATH
EPOCH=1577836800                         # 2020-01-01T00:00:00Z: fixed mtime of the image files
SELF=$(readlink -f "$0")
DEBIAN_ROOT=$(dirname "$SELF")/../../scripts/debian-root.sh
GEN13_ROOT=trixie-engines # the debian-root.sh root of the *13 engines

die() {
	echo "engines.sh: $*" >&2
	exit 1
}

# ---------------------------------------------------------------- image

oci_arch() {
	case $(uname -m) in
	x86_64) echo amd64 ;;
	aarch64) echo arm64 ;;
	armv7l) echo arm ;;
	i?86) echo 386 ;;
	*) uname -m ;;
	esac
}

busybox_static() {
	local p
	p=$(dpkg-query -L busybox-static 2>/dev/null | grep '/bin/busybox$' | head -n 1) || true
	if [ -z "$p" ] || [ ! -x "$p" ]; then die "busybox-static is not installed (scripts/install-deps.sh engines)"; fi
	echo "$p"
}

# Reproducible tar of the current directory's entries given as arguments.
repro_tar() {
	local out=$1
	shift
	tar --create --file "$out" --format=ustar --sort=name --mtime="@$EPOCH" \
		--owner=0 --group=0 --numeric-owner "$@"
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# write_archive OUT TAG CMD_JSON LABELS_JSON LAYER_TAR
write_archive() {
	local out=$1 tag=$2 cmd=$3 labels=$4 layer=$5
	local stage layer_sha cfg cfg_sha
	stage=$(mktemp -d "$(dirname "$out")/.stage.XXXXXX")
	layer_sha=$(sha256_of "$layer")
	mkdir "$stage/$layer_sha"
	cp "$layer" "$stage/$layer_sha/layer.tar"
	cfg='{"architecture":"'"$(oci_arch)"'","os":"linux","created":"2020-01-01T00:00:00Z",'
	cfg+='"config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],'
	cfg+='"Cmd":'"$cmd"
	[ -n "$labels" ] && cfg+=',"Labels":'"$labels"
	cfg+='},"rootfs":{"type":"layers","diff_ids":["sha256:'"$layer_sha"'"]},'
	cfg+='"history":[{"created":"2020-01-01T00:00:00Z","created_by":"tests/integration/engines.sh image"}]}'
	printf '%s' "$cfg" >"$stage/cfg"
	cfg_sha=$(sha256_of "$stage/cfg")
	mv "$stage/cfg" "$stage/$cfg_sha.json"
	printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' \
		"$cfg_sha" "$tag" "$layer_sha" >"$stage/manifest.json"
	chmod -R u=rwX,go=rX "$stage"
	(cd "$stage" && repro_tar "$out.tmp" manifest.json "$cfg_sha.json" "$layer_sha")
	mv "$out.tmp" "$out"
	rm -rf "$stage"
}

cmd_image() {
	local dir=${1:?usage: engines.sh image DIR}
	local bb root
	bb=$(busybox_static)
	mkdir -p "$dir"
	dir=$(readlink -f "$dir")
	root=$(mktemp -d "$dir/.rootfs.XXXXXX")
	mkdir "$root/bin"
	cp "$bb" "$root/bin/busybox"
	ln -s busybox "$root/bin/sh"
	chmod 755 "$root/bin" "$root/bin/busybox"
	(cd "$root" && repro_tar "$dir/layer.tar" bin)
	write_archive "$dir/app.tar" localhost/app:1.0 '["/bin/busybox","sleep","3600"]' \
		'{"org.example.built-by":"tests"}' "$dir/layer.tar"
	write_archive "$dir/pause.tar" localhost/pause:1.0 '["/bin/busybox","sleep","86400"]' \
		'' "$dir/layer.tar"
	rm -rf "$root" "$dir/layer.tar"
}

# Builds T/images once (several engines of one T may start in parallel).
ensure_images() {
	local t=$1
	mkdir -p "$t/images"
	(
		flock 9
		if [ ! -s "$t/images/app.tar" ] || [ ! -s "$t/images/pause.tar" ]; then cmd_image "$t/images"; fi
	) 9>"$t/images/.lock"
}

# ---------------------------------------------------------------- engines and generations

# kind_of ENGINE: docker, podman or containerd (docker13 -> docker).
kind_of() {
	case $1 in
	docker | podman | containerd) echo "$1" ;;
	docker13 | podman13 | containerd13) echo "${1%13}" ;;
	*) die "unknown engine '$1'" ;;
	esac
}

gen13() { [[ $1 == *13 ]]; }

# in_gen ENGINE T [VAR=VALUE...] CMD...: CMD on ENGINE's generation: here, or
# in the Debian 13 root with T at its own path (an empty environment but VARs).
in_gen() {
	local engine=$1 t=$2
	shift 2
	if gen13 "$engine"; then
		ROOT_BIND="$t:$t" "$DEBIAN_ROOT" run "$GEN13_ROOT" "$@"
	else
		env "$@"
	fi
}

# ---------------------------------------------------------------- engine CLIs

podman_flags() {
	local d=$1
	PODMAN_FLAGS=(--root "$d/root" --runroot "$d/runroot" --tmpdir "$d/tmp"
		--storage-driver vfs --network-config-dir "$d/net")
}

podman_env() {
	local d=$1
	PODMAN_ENV=(CONTAINERS_CONF="$d/containers.conf" CONTAINERS_STORAGE_CONF="$d/storage.conf"
		PODMAN_IGNORE_CGROUPSV1_WARNING=1)
}

# run_cli ENGINE T ARGS...
run_cli() {
	local engine=$1 t=$2 d=$2/$1
	shift 2
	case $(kind_of "$engine") in
	docker) in_gen "$engine" "$t" DOCKER_CONFIG="$d/cli" "$DOCKER_CLI" -H "unix://$d/docker.sock" "$@" ;;
	podman)
		podman_flags "$d"
		podman_env "$d"
		in_gen "$engine" "$t" "${PODMAN_ENV[@]}" podman "${PODMAN_FLAGS[@]}" "$@"
		;;
	containerd) in_gen "$engine" "$t" CONTAINERD_SNAPSHOTTER=native ctr -a "$d/containerd.sock" "$@" ;;
	esac
}

run_remote() {
	local engine=$1 t=$2
	shift 2
	[ "$(kind_of "$engine")" = podman ] || die "remote: $engine is not a podman"
	in_gen "$engine" "$t" PODMAN_IGNORE_CGROUPSV1_WARNING=1 \
		podman --remote --url "unix://$t/$engine/podman.sock" "$@"
}

# ---------------------------------------------------------------- can-run

engine_bins() {
	case $(kind_of "$1") in
	docker) echo dockerd "$DOCKER_CLI" containerd containerd-shim-runc-v2 runc ;;
	podman) echo podman conmon runc ;;
	containerd) echo containerd ctr containerd-shim-runc-v2 runc ;;
	esac
}

# The Debian 13 root: made once (minutes; the tests skip when the mirror is
# unreachable), then checked for the engine's binaries.
can_run_gen13() {
	local engine=$1 root b out rc=0
	# set by scripts/test.sh when it could not make the root: no retry per test
	[ -z "${ITEST_NO_GEN13:-}" ] || { echo "$engine: $ITEST_NO_GEN13"; return 1; }
	for b in unshare chroot; do
		command -v "$b" >/dev/null 2>&1 || { echo "$engine: $b not installed"; return 1; }
	done
	out=$("$DEBIAN_ROOT" make "$GEN13_ROOT" 2>&1) || rc=$?
	if [ $rc = 3 ]; then
		echo "$engine: no Debian 13 root (scripts/debian-root.sh make $GEN13_ROOT): the Debian mirror is unreachable"
		return 1
	elif [ $rc != 0 ]; then
		echo "$engine: scripts/debian-root.sh make $GEN13_ROOT failed: $(echo "$out" | tail -n 1)"
		return 1
	fi
	root=$("$DEBIAN_ROOT" path "$GEN13_ROOT")
	for b in $(engine_bins "$engine"); do
		[ -x "$root/usr/bin/${b##*/}" ] || [ -x "$root/usr/sbin/${b##*/}" ] ||
			{ echo "$engine: $b missing in $root"; return 1; }
	done
}

can_run() {
	local engine=$1 b
	local -a bins=()
	if [ "$engine" != image ] && ! gen13 "$engine"; then read -ra bins <<<"$(engine_bins "$engine")"; fi
	for b in "${bins[@]}" tar sha256sum flock setsid; do
		command -v "$b" >/dev/null 2>&1 || { echo "$engine: $b not installed (scripts/install-deps.sh engines)"; return 1; }
	done
	(busybox_static >/dev/null 2>&1) || { echo "$engine: busybox-static not installed (scripts/install-deps.sh engines)"; return 1; }
	[ "$engine" != image ] || return 0
	[ "$(id -u)" = 0 ] || { echo "$engine: needs root"; return 1; }
	[ -d /sys/fs/cgroup/memory ] || [ -f /sys/fs/cgroup/cgroup.controllers ] ||
		{ echo "$engine: no cgroup hierarchy mounted"; return 1; }
	unshare --mount --pid --fork --ipc --uts --net true 2>/dev/null ||
		{ echo "$engine: cannot create mount/pid/ipc/uts/net namespaces"; return 1; }
	if gen13 "$engine"; then can_run_gen13 "$engine" || return 1; fi
	return 0
}

# ---------------------------------------------------------------- start

log_tail() {
	local log=$1
	echo "---- last lines of $log" >&2
	tail -n 40 "$log" >&2 || true
}

# The engine's own failure: show its log, clean up, exit 1.
start_failed() {
	local engine=$1 t=$2 msg=$3
	echo "engines.sh: $engine: $msg" >&2
	log_tail "$t/$engine/log"
	cmd_stop "$engine" "$t" >/dev/null 2>&1 || true
	exit 1
}

# spawn ENGINE T [VAR=VALUE...] CMD...: start CMD in its own session, output
# to the log. T/ENGINE/daemon.pid is CMD's own pid, also in the Debian 13 root
# (where CMD is a child of unshare): it writes it itself before it execs.
spawn() {
	local engine=$1 t=$2 d=$2/$1 outer deadline
	shift 2
	if ! gen13 "$engine"; then
		setsid env "$@" </dev/null >>"$d/log" 2>&1 &
		echo $! >"$d/daemon.pid"
		return 0
	fi
	local -a vars=()
	while [[ ${1:-} == [A-Z_]*=* ]]; do vars+=("$1") && shift; done
	rm -f "$d/daemon.pid" "$d/daemon.pid.new"
	# shellcheck disable=SC2016 # expanded by the shell in the root
	setsid env ROOT_BIND="$t:$t" "$DEBIAN_ROOT" run "$GEN13_ROOT" "${vars[@]}" \
		/bin/sh -c 'echo $$ >"$0.new" && mv "$0.new" "$0" && exec "$@"' "$d/daemon.pid" "$@" \
		</dev/null >>"$d/log" 2>&1 &
	outer=$!
	deadline=$((SECONDS + READY_TIMEOUT))
	until [ -s "$d/daemon.pid" ]; do
		kill -0 "$outer" 2>/dev/null || start_failed "$engine" "$t" "exited before it started"
		((SECONDS < deadline)) || start_failed "$engine" "$t" "did not start in ${READY_TIMEOUT}s"
		sleep 0.05
	done
}

# Stops the engine if the owner process dies before "stop" runs.
# shellcheck disable=SC2016 # the script's arguments are expanded by its own shell
spawn_watchdog() {
	local engine=$1 t=$2 owner=${ITEST_OWNER_PID:-$PPID}
	setsid bash -c 'while kill -0 "$1" 2>/dev/null && [ -e "$4/$3/daemon.pid" ]; do sleep 1; done
		[ -e "$4/$3/daemon.pid" ] && exec "$2" stop "$3" "$4"' \
		watchdog "$owner" "$SELF" "$engine" "$t" </dev/null >>"$t/$engine/log" 2>&1 &
	echo $! >"$t/$engine/watchdog.pid"
}

daemon_pid() { cat "$1/$2/daemon.pid" 2>/dev/null || true; }

# alive PID: running and not a zombie (our daemons are reparented to init,
# which may reap them late).
alive() {
	local st
	[ -n "$1" ] && st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) && [ "${st%% *}" != Z ]
}

# wait_ready ENGINE T SUBCOMMAND...: poll "engines.sh SUBCOMMAND..." until it succeeds (bounded).
wait_ready() {
	local engine=$1 t=$2
	shift 2
	local pid deadline=$((SECONDS + READY_TIMEOUT))
	pid=$(daemon_pid "$t" "$engine")
	until timeout 10 "$SELF" "$@" >/dev/null 2>&1; do
		alive "$pid" || start_failed "$engine" "$t" "daemon exited before it was ready"
		((SECONDS < deadline)) || start_failed "$engine" "$t" "not ready after ${READY_TIMEOUT}s"
		sleep 0.1
	done
}

# quiet ENGINE T SUBCOMMAND...: run "engines.sh SUBCOMMAND..." for setup,
# output to the log, bounded.
quiet() {
	local engine=$1 t=$2
	shift 2
	echo "+ $*" >>"$t/$engine/log"
	timeout "$CMD_TIMEOUT" "$SELF" "$@" >>"$t/$engine/log" 2>&1 ||
		start_failed "$engine" "$t" "failed: $*"
}

start_docker() {
	local engine=$1 t=$2
	echo '{}' >"$t/$engine/daemon.json"
	launch_docker "$engine" "$t"
	quiet "$engine" "$t" cli "$engine" "$t" load -q -i "$t/images/app.tar"
	quiet "$engine" "$t" cli "$engine" "$t" load -q -i "$t/images/pause.tar"
}

# launch_KIND ENGINE T: the daemon alone, configured, until it answers.
launch_docker() {
	local engine=$1 t=$2 d=$2/$1
	spawn "$engine" "$t" dockerd --config-file "$d/daemon.json" --storage-driver vfs \
		--iptables=false --ip6tables=false --bridge=none \
		--host "unix://$d/docker.sock" --data-root "$d/root" --exec-root "$d/exec" --pidfile "$d/pid"
	wait_ready "$engine" "$t" cli "$engine" "$t" version --format '{{.Server.Version}}'
}

start_podman() {
	local engine=$1 t=$2 d=$2/$1
	mkdir -p "$d/net"
	cat >"$d/containers.conf" <<-EOF
		[containers]
		default_ulimits = []
		netns = "none"
		cgroupns = "host"
		log_driver = "k8s-file"
		[engine]
		events_logger = "file"
		cgroup_manager = "cgroupfs"
		runtime = "runc"
		infra_image = "localhost/pause:1.0"
		[network]
		network_config_dir = "$d/net"
	EOF
	cat >"$d/storage.conf" <<-EOF
		[storage]
		driver = "vfs"
		graphroot = "$d/root"
		runroot = "$d/runroot"
	EOF
	# Load first (the service reads the same storage on every request).
	quiet "$engine" "$t" cli "$engine" "$t" load -q -i "$t/images/app.tar"
	quiet "$engine" "$t" cli "$engine" "$t" load -q -i "$t/images/pause.tar"
	launch_podman "$engine" "$t"
}

launch_podman() {
	local engine=$1 t=$2 d=$2/$1
	podman_flags "$d"
	podman_env "$d"
	spawn "$engine" "$t" "${PODMAN_ENV[@]}" podman "${PODMAN_FLAGS[@]}" system service --time=0 \
		"unix://$d/podman.sock"
	wait_ready "$engine" "$t" remote "$engine" "$t" version
}

# A bridge name of our own and a 10.99.N.0/24 no route uses yet (read from
# /proc/net/route: no iproute2 needed) for the CRI pod network.
cni_conflist() {
	local d=$1 n hex br
	br="itb$(printf '%s' "$d" | cksum | cut -c1-8)"
	for n in $(seq 0 255); do
		printf -v hex '00%02X630A' "$n" # 10.99.N.0, little-endian as the kernel prints it
		awk -v h="$hex" '$2 == h { found = 1 } END { exit !found }' /proc/net/route || break
	done
	echo "$br" >"$d/bridge"
	mkdir -p "$d/net.d" "$d/ipam"
	cat >"$d/net.d/10-itest.conflist" <<-EOF
		{"cniVersion":"0.4.0","name":"itest","plugins":[{"type":"bridge","bridge":"$br","isGateway":true,
		 "ipMasq":false,"ipam":{"type":"host-local","ranges":[[{"subnet":"10.99.$n.0/24"}]],
		 "dataDir":"$d/ipam"}}]}
	EOF
}

start_containerd() {
	local engine=$1 t=$2 d=$2/$1 ns
	cni_conflist "$d"
	cat >"$d/config.toml" <<-EOF
		version = 2
		root = "$d/root"
		state = "$d/state"
		disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.aufs",
		  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper",
		  "io.containerd.snapshotter.v1.zfs"]
		[grpc]
		  address = "$d/containerd.sock"
		[plugins."io.containerd.grpc.v1.cri"]
		  sandbox_image = "localhost/pause:1.0"
		  restrict_oom_score_adj = true
		  netns_mounts_under_state_dir = true
		  [plugins."io.containerd.grpc.v1.cri".containerd]
		    snapshotter = "native"
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    bin_dir = "/usr/lib/cni"
		    conf_dir = "$d/net.d"
		  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
		    runtime_type = "io.containerd.runc.v2"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
		      Root = "$d/runc"
	EOF
	launch_containerd "$engine" "$t"
	for ns in k8s.io default; do
		quiet "$engine" "$t" cli "$engine" "$t" -n "$ns" images import "$t/images/app.tar"
	done
	quiet "$engine" "$t" cli "$engine" "$t" -n k8s.io images import "$t/images/pause.tar"
}

launch_containerd() {
	local engine=$1 t=$2
	spawn "$engine" "$t" containerd --config "$t/$engine/config.toml"
	wait_ready "$engine" "$t" cli "$engine" "$t" version
}

cmd_start() {
	local engine=${1:?engine} t=${2:?T}
	local reason
	reason=$(can_run "$engine") || die "$reason"
	t=$(readlink -f "$t")
	# the longest socket, T/docker/exec/containerd/containerd.sock.ttrpc, must fit in sun_path
	[ ${#t} -le 60 ] || die "$t: path too long for the engines' unix sockets (60 characters at most)"
	[ ! -e "$t/$engine/daemon.pid" ] || die "$engine already started in $t (stop it first)"
	mkdir -p "$t/$engine"
	: >"$t/$engine/log"
	ensure_images "$t"
	"start_$(kind_of "$engine")" "$engine" "$t"
	spawn_watchdog "$engine" "$t"
}

# ---------------------------------------------------------------- stop

# Ids of the engine's containers, from its on-disk state (works when the daemon is gone).
ids_on_disk() {
	local engine=$1 t=$2 d=$2/$1
	case $(kind_of "$engine") in
	docker) ls "$d/root/containers" 2>/dev/null || true ;;
	podman)
		local c
		for c in "$d"/root/vfs-containers/* "$d"/runroot/vfs-containers/*; do
			[[ ${c##*/} =~ ^[0-9a-f]{64}$ ]] && echo "${c##*/}"
		done
		;;
	containerd) # as NAMESPACE/ID
		local task
		for task in "$d"/state/io.containerd.runtime.v2.task/*/*; do
			[ -d "$task" ] && echo "${task#"$d"/state/io.containerd.runtime.v2.task/}"
		done
		;;
	esac
	return 0
}

# cgroup_patterns IDFILE: extended regexes matching the lines of /proc/PID/cgroup
# of our containers. A 64-hex id is matched anywhere (/docker/ID,
# /libpod_parent/libpod-ID, CRI PARENT/ID); a containerd NAMESPACE/NAME only
# as the whole path /NAMESPACE/NAME (names like "c1" are not unique).
cgroup_patterns() {
	awk -F/ 'NF == 0 { next }
		length($NF) == 64 && $NF !~ /[^0-9a-f]/ { print $NF; next }
		{ s = $0; gsub(/[.]/, "\\.", s); print ":/" s "$" }' "$1"
}

# Remove/kill every container while the daemon still answers (fast stop).
remove_containers() {
	local engine=$1 t=$2 ns id
	local cli=(timeout "$CMD_TIMEOUT" "$SELF" cli "$engine" "$t") ids
	case $(kind_of "$engine") in
	docker)
		mapfile -t ids < <("${cli[@]}" ps -aq --no-trunc)
		[ ${#ids[@]} -eq 0 ] || "${cli[@]}" rm -f -v "${ids[@]}" >/dev/null || true
		;;
	podman)
		"${cli[@]}" pod rm -a -f -t 0 || true
		# Podman 5 fails the first removal of a container whose conmon died behind
		# its back (a daemon killed earlier): it only marks it exited (and already
		# reports a "remove" event); the second removal succeeds.
		"${cli[@]}" rm -a -f -t 0 || "${cli[@]}" rm -a -f -t 0 || true
		;;
	containerd)
		for ns in $("${cli[@]}" namespaces ls -q 2>/dev/null || true); do
			for id in $("${cli[@]}" -n "$ns" tasks ls -q 2>/dev/null || true); do
				"${cli[@]}" -n "$ns" tasks delete -f "$id" || true
			done
		done
		;;
	esac
}

# Our processes left over: engine binaries whose command line names T/ENGINE,
# and anything inside the cgroup of one of our containers.
leftover_pids() {
	local t=$1 idfile=$2 p exe cmd
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		if [ "$p" = $$ ] || [ "$p" = "$BASHPID" ]; then continue; fi
		exe=$(readlink "/proc/$p/exe" 2>/dev/null) || continue
		case ${exe##*/} in
		dockerd | docker-proxy | containerd | containerd-shim* | conmon | podman | runc | crun | \
			netavark | aardvark-dns | catatonit | slirp4netns)
			cmd=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) || continue
			if [[ $cmd == *"$t/$3/"* ]]; then echo "$p"; fi
			;;
		esac
	done
	if [ -s "$idfile" ]; then
		grep -l -E -f <(cgroup_patterns "$idfile") /proc/[0-9]*/cgroup 2>/dev/null | cut -d/ -f3 || true
	fi
}

kill_leftovers() {
	local t=$1 idfile=$2 i p pids
	for i in 1 2 3 4 5 6 7 8 9 10; do
		pids=()
		for p in $(leftover_pids "$t" "$idfile" "$3" | sort -u); do
			if alive "$p"; then pids+=("$p"); fi
		done
		[ ${#pids[@]} -gt 0 ] || return 0
		if [ "$i" = 1 ]; then echo "killing leftover processes: ${pids[*]}" >>"$t/$3/log"; fi
		kill -KILL "${pids[@]}" 2>/dev/null || true
		sleep 0.1
	done
	echo "engines.sh: processes still alive after SIGKILL: ${pids[*]}" >&2
	return 1
}

# Unmount everything under T, deepest first.
unmount_all() {
	local t=$1 m i
	for i in 1 2 3; do
		local mounts
		mounts=$(awk -v p="$t/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo | awk '{ print length, $0 }' | sort -rn | cut -d' ' -f2-)
		[ -n "$mounts" ] || return 0
		for m in $mounts; do
			umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
		done
	done
	mounts=$(awk -v p="$t/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo)
	[ -z "$mounts" ] || { echo "engines.sh: still mounted: $mounts" >&2; return 1; }
}

# runc state of our containers outside T (left when a daemon was killed hard;
# a later engine would refuse a container of the same NAMESPACE/NAME).
remove_runc_state() {
	local engine=$1 idfile=$2 id root prefix=
	[ -s "$idfile" ] || return 0
	if gen13 "$engine"; then prefix=$("$DEBIAN_ROOT" path "$GEN13_ROOT"); fi
	sort -u "$idfile" | while read -r id; do
		case $(kind_of "$engine") in
		podman) root=$prefix/run/runc ;;
		containerd) root=$prefix/run/containerd/runc/${id%/*} id=${id##*/} ;;
		*) continue ;;
		esac
		[ -e "$root/$id" ] || continue
		runc --root "$root" delete --force "$id" >/dev/null 2>&1 || rm -rf "${root:?}/${id:?}"
	done
}

# Empty cgroup directories our containers left behind (only when killed hard).
remove_cgroups() {
	local idfile=$1 id
	[ -s "$idfile" ] || return 0
	sort -u "$idfile" | while read -r id; do
		if [[ ${id##*/} =~ ^[0-9a-f]{64}$ ]]; then
			find /sys/fs/cgroup -depth -type d -name "*${id##*/}*" -exec rmdir {} \; 2>/dev/null || true
		else
			rmdir /sys/fs/cgroup/*/"$id" 2>/dev/null || true
		fi
	done
}

# stop_daemon ENGINE PID: SIGTERM, SIGKILL after STOP_TIMEOUT.
stop_daemon() {
	local engine=$1 pid=$2 deadline
	kill -TERM "$pid" 2>/dev/null || true
	deadline=$((SECONDS + STOP_TIMEOUT))
	while alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
	if alive "$pid"; then
		echo "engines.sh: $engine did not stop in ${STOP_TIMEOUT}s, SIGKILL" >&2
		kill -KILL "$pid" 2>/dev/null || true
	fi
}

cmd_stop() {
	local engine=${1:?engine} t=${2:?T}
	local d pid wd idfile rc=0
	t=$(readlink -f "$t")
	d=$t/$engine
	[ -d "$d" ] || return 0
	idfile=$d/ids
	pid=$(daemon_pid "$t" "$engine")
	wd=$(cat "$d/watchdog.pid" 2>/dev/null || true)
	if [ -n "$wd" ] && [ "$wd" != $$ ]; then kill -- "-$wd" 2>/dev/null || true; fi
	ids_on_disk "$engine" "$t" >"$idfile"
	if alive "$pid"; then
		remove_containers "$engine" "$t" >>"$d/log" 2>&1
		stop_daemon "$engine" "$pid"
	fi
	ids_on_disk "$engine" "$t" >>"$idfile"
	kill_leftovers "$t" "$idfile" "$engine" || rc=1
	unmount_all "$t" || rc=1
	remove_runc_state "$engine" "$idfile"
	remove_cgroups "$idfile"
	if [ "$(kind_of "$engine")" = containerd ] && [ -s "$d/bridge" ] && command -v ip >/dev/null; then
		ip link del "$(cat "$d/bridge")" 2>/dev/null || true # else the next start picks another subnet
	fi
	rm -f "$d/daemon.pid" "$d/watchdog.pid"
	# the empty mount point of T that binding it made in the root
	if gen13 "$engine"; then rmdir "$("$DEBIAN_ROOT" path "$GEN13_ROOT")$t" 2>/dev/null || true; fi
	return $rc
}

# ---------------------------------------------------------------- restart

# The daemon alone stops (SIGTERM, as a service manager would) and starts
# again with the same configuration: containers whose processes outlive their
# daemon (containerd's shims) keep running.
cmd_restart() {
	local engine=${1:?engine} t=${2:?T} pid wd
	t=$(readlink -f "$t")
	pid=$(daemon_pid "$t" "$engine")
	alive "$pid" || die "$engine is not running in $t"
	wd=$(cat "$t/$engine/watchdog.pid" 2>/dev/null || true)
	if [ -n "$wd" ]; then kill -- "-$wd" 2>/dev/null || true; fi
	stop_daemon "$engine" "$pid"
	rm -f "$t/$engine/daemon.pid"
	echo "+ restart" >>"$t/$engine/log"
	"launch_$(kind_of "$engine")" "$engine" "$t"
	spawn_watchdog "$engine" "$t"
}

# ---------------------------------------------------------------- main

main() {
	local cmd=${1:-}
	[ $# -gt 0 ] && shift
	# kind_of dies in the subshells that call it: check the engine here, once
	case $cmd in
	start | stop | restart | cli | remote) kind_of "${1:?engine}" >/dev/null ;;
	can-run) [ "${1:?engine}" = image ] || kind_of "$1" >/dev/null ;;
	esac
	case $cmd in
	image) cmd_image "$@" ;;
	start) cmd_start "$@" ;;
	stop) cmd_stop "$@" ;;
	restart) cmd_restart "$@" ;;
	can-run) can_run "${1:?engine}" ;;
	cli) run_cli "${1:?engine}" "$(readlink -f "${2:?T}")" "${@:3}" ;;
	remote) run_remote "${1:?engine}" "$(readlink -f "${2:?T}")" "${@:3}" ;;
	docker | podman) run_cli "$cmd" "$(readlink -f "${1:?T}")" "${@:2}" ;;
	ctr) run_cli containerd "$(readlink -f "${1:?T}")" "${@:2}" ;;
	podman-remote) run_remote podman "$(readlink -f "${1:?T}")" "${@:2}" ;;
	*)
		sed -n '2,28s/^# \{0,1\}//p' "$SELF" >&2
		exit 2
		;;
	esac
}

main "$@"
