#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/fuzz_*.c) with clang, ASan and UBSan in
# build-fuzz/, and runs each one for N seconds (default 30) on a fresh copy
# of its seed corpus (fuzz/corpus/<target>/ is never written to).
#   scripts/fuzz.sh [seconds] [target...]
# Exits non-zero when a target crashes, leaks, times out or runs out of
# memory, and prints the reproducer (kept under build-fuzz/fuzz-artifacts/);
# replay it with
#   build-fuzz/<target> <reproducer>
# and, once the bug is fixed, add it to fuzz/corpus/<target>/ as a regression
# seed. (fuzz_parse keeps plugin state across inputs like a capture does: a
# reproducer that needs earlier inputs shows up as a crash that does not
# replay alone; rerun with the work corpus, build-fuzz/fuzz-work/<target>/.)
# Environment: FUZZ_BUILD_DIR (build-fuzz), FUZZ_ARGS (extra libFuzzer flags).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
shift || true
case "$secs" in ''|*[!0-9]*) echo "usage: $0 [seconds] [target...]" >&2; exit 2 ;; esac

dir=${FUZZ_BUILD_DIR:-build-fuzz}
if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for f in fuzz/fuzz_*.c; do targets+=("$(basename "$f" .c)"); done
fi

CC=clang cmake -S . -B "$dir" -DFUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$dir" -j "$(nproc)" --target "${targets[@]}" >/dev/null

dict_for() {
  case "$1" in
    fuzz_cgroup) echo fuzz/cgroup.dict ;;
    fuzz_proto|fuzz_grpc) echo fuzz/proto.dict ;;
    *) echo fuzz/json.dict ;;
  esac
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=0
for t in "${targets[@]}"; do
  work="$dir/fuzz-work/$t"
  # Reproducers outlive the work dir (wiped at every run), one dir per run.
  art="$dir/fuzz-artifacts/$t-$(date +%Y%m%d-%H%M%S)"
  rm -rf "$work"
  mkdir -p "$work/corpus" "$art"
  [ -d "fuzz/corpus/$t" ] && cp -R "fuzz/corpus/$t/." "$work/corpus/"
  dict=$(dict_for "$t")
  dict_arg=()
  [ -f "$dict" ] && dict_arg=(-dict="$dict")
  log="$work/fuzz.log"
  rc=0
  # shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
  "$dir/$t" "$work/corpus" "${dict_arg[@]}" -max_total_time="$secs" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art/" \
    ${FUZZ_ARGS:-} >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  if [ "$rc" -eq 0 ]; then
    rmdir "$art" 2>/dev/null || true
    echo "$t: ok (${runs:-? runs}, ${cov:-cov ?}, corpus $(ls "$work/corpus" | wc -l) files)"
    continue
  fi
  failed=1
  echo "$t: FAILED (exit $rc); log: $log"
  grep -E '^==[0-9]+==ERROR|^SUMMARY|runtime error|fuzz_[a-z_]+: ' "$log" | head -5 || true
  for a in "$art"/*; do
    [ -e "$a" ] && echo "  reproducer: $a (replay: $dir/$t $a)"
  done
done
exit "$failed"
