#!/usr/bin/env bash
# The replay benchmark in a real libsinsp: a capture replayed by libsinsp's
# `sinsp-example` with no plugin, with the floor (bench/null_plugin.c) and
# with ours, parse-only (-t) and with one field per event (-o '%container.id').
# Prints instruction counts (callgrind: exact, repeatable) and CPU time
# (user+sys, median of alternating repeats), and the two ratios:
#   parse: (ours - none) / (null - none), parse-only runs
#   field: (ours field - ours parse) / (null field - null parse)
#
#   bench/sinsp_bench.sh SINSP_EXAMPLE CAPTURE [-r REPEATS] [-b BUILD_DIR] [-C] [-k KEEP_DIR]
#     -r  CPU-time repeats per run (default 5)     -C  no callgrind (CPU time only)
#     -b  our build dir (default ./build)          -k  keep callgrind outputs there
#
# SINSP_EXAMPLE: built from falcosecurity/libs outside this repository. A stock
# one appends every plugin's suggested fields to -o (ours suggests 7, the
# floor none), which makes the one-field runs incomparable: use a local copy
# whose suggested-field loop is skipped when SINSP_EXAMPLE_NO_SUGGESTED is set
# (the script sets it and warns when the binary does not know it).
# CAPTURE: e.g. `build/scap_gen /tmp/bench.scap` (2.35 M events, deterministic).
set -euo pipefail

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 2 ] || usage
SE=$1 CAP=$2
shift 2
REPEATS=5 BUILD=build CALLGRIND=1 KEEP=
while getopts "r:b:Ck:" o; do
	case $o in
	r) REPEATS=$OPTARG ;;
	b) BUILD=$OPTARG ;;
	C) CALLGRIND= ;;
	k) KEEP=$OPTARG ;;
	*) usage ;;
	esac
done
OURS=$(realpath "$BUILD/libcontainer.so")
NULL=$(realpath "$BUILD/libnull_plugin.so")
[ -x "$SE" ] && [ -r "$CAP" ] && [ -r "$OURS" ] && [ -r "$NULL" ] || {
	echo "need $SE, $CAP, $OURS and $NULL" >&2
	exit 2
}
grep -q SINSP_EXAMPLE_NO_SUGGESTED "$SE" ||
	echo "warning: $SE appends suggested fields to -o: one-field runs are not comparable" >&2
export SINSP_EXAMPLE_NO_SUGGESTED=1

# Engines: only Podman's matcher on, its socket absent (no engine traffic);
# the capture's container events give the names.
CFG='{"engines":{"podman":{"enabled":true,"sockets":["/nonexistent/podman.sock"]},'
CFG+='"docker":{"enabled":false},"containerd":{"enabled":false},"cri":{"enabled":false},'
CFG+='"lxc":{"enabled":false},"libvirt_lxc":{"enabled":false},"bpm":{"enabled":false}}}'

RUNS="none.parse null.parse ours.parse null.field ours.field"
args() { # run name -> sinsp-example arguments
	local p=${1%.*} m=${1#*.}
	echo -n "-s $CAP"
	case $p in
	null) echo -n " -p $NULL" ;;
	ours) echo -n " -p $OURS|$CFG" ;;
	esac
	[ "$m" = parse ] && echo -n " -t" || echo -n " -o %container.id"
}
run() { # name [prefix...] : runs sinsp-example, output discarded
	local name=$1
	shift
	local a
	read -r -a a <<<"$(args "$name")"
	# the plugin argument holds JSON without spaces: word splitting keeps it whole
	"$@" "$SE" "${a[@]}" >/dev/null 2>&1
}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

declare -A IR CPU
if [ -n "$CALLGRIND" ]; then
	for r in $RUNS; do
		out=$TMP/cg.$r
		run "$r" valgrind --tool=callgrind --callgrind-out-file="$out"
		IR[$r]=$(sed -n 's/^summary: //p' "$out")
		[ -n "$KEEP" ] && mkdir -p "$KEEP" && cp "$out" "$KEEP/callgrind.$r.out"
		echo "callgrind $r: ${IR[$r]}" >&2
	done
fi

TIMEFORMAT='%3U %3S'
for i in $(seq "$REPEATS"); do
	for r in $RUNS; do
		t=$({ time run "$r"; } 2>&1)
		echo "$t" | awk '{print $1 + $2}' >>"$TMP/t.$r"
	done
done
median() { sort -g "$1" | awk '{v[NR]=$1} END{print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
for r in $RUNS; do CPU[$r]=$(median "$TMP/t.$r"); done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{if (b > 0) printf "%.2f", a / b; else printf "n/a"}'; }
mi() { awk -v v="$1" 'BEGIN{printf "%.1f", v / 1e6}'; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.6f", a - b}'; }

echo "capture: $CAP ($(stat -c %s "$CAP") bytes); repeats: $REPEATS"
printf '%-11s %14s %14s %10s %10s\n' run "instr (M)" "over none (M)" "cpu s" "over none"
for r in $RUNS; do
	ir=- irover=-
	if [ -n "$CALLGRIND" ]; then
		ir=$(mi "${IR[$r]}")
		irover=$(mi "$(sub "${IR[$r]}" "${IR[none.parse]}")")
	fi
	printf '%-11s %14s %14s %10s %10s\n' "$r" "$ir" "$irover" "${CPU[$r]}" \
		"$(sub "${CPU[$r]}" "${CPU[none.parse]}")"
done
for k in IR CPU; do
	declare -n v=$k
	np=$(sub "${v[null.parse]:-0}" "${v[none.parse]:-0}")
	op=$(sub "${v[ours.parse]:-0}" "${v[none.parse]:-0}")
	nf=$(sub "${v[null.field]:-0}" "${v[null.parse]:-0}")
	of=$(sub "${v[ours.field]:-0}" "${v[ours.parse]:-0}")
	[ "$k" = IR ] && [ -z "$CALLGRIND" ] && continue
	echo "$k: parse overhead ours/null = $(ratio "$op" "$np") (goal <= 1.25);" \
		"one-field overhead ours/null = $(ratio "$of" "$nf") (goal <= 1.05)"
done
