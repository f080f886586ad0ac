#!/usr/bin/env bash
# The test command: installs what it needs; builds the release artifact in a
# Debian 11 root and tests it (x86_64 and aarch64); builds the plugin, our host
# and the tests twice (static dependencies, then ASan+UBSan with the system's
# shared libraries) and runs every test with ctest; then valgrind on
# load/unload cycles, ThreadSanitizer, and a short fuzz pass.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh all

jobs=$(nproc)
run_suite() {
  local dir=$1; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$dir" -j "$jobs" >/dev/null
  (cd "$dir" && ctest --output-on-failure -j "$jobs")
}

# Falco reloads plugins inside a long-lived process (dlopen .. dlclose): one
# cycle must give back every byte and thread. valgrind checks the binaries as
# shipped (no sanitizer runtime) and, with --keep-debuginfo, names the frames
# of the unloaded .so. "still reachable" is the dynamic loader's bookkeeping.
valgrind_cycles() {
  timeout --kill-after=10 300 valgrind --error-exitcode=1 --leak-check=full \
    --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible --track-fds=no \
    --keep-debuginfo=yes "$1/test_load_cycle"
}

# The shipped artifact first: built in a Debian 11 root for x86_64 and aarch64
# (unit tests on both, aarch64 under qemu-user), then loaded where Falco runs.
echo "== release artifact: scripts/release.sh --unit-tests, tests/artifact/run.sh"
deps_prefix=
root_rc=0
scripts/debian-root.sh make bullseye-build || root_rc=$?
if [ $root_rc -eq 0 ]; then
  scripts/release.sh --unit-tests
  tests/artifact/run.sh
  deps_prefix=$(scripts/debian-root.sh path bullseye-build)/opt/deps/x86_64
elif [ $root_rc -eq 3 ]; then
  echo "release artifact: SKIPPED: the Debian mirror is unreachable (no Debian 11 root)"
else
  exit 1
fi

# The second generation of engines the integration tests start (Docker 26,
# Podman 5, containerd 1.7), from a Debian 13 root made once (~5 minutes).
echo "== Debian 13 engines root: scripts/debian-root.sh make trixie-engines"
gen13_rc=0
scripts/debian-root.sh make trixie-engines || gen13_rc=$?
if [ $gen13_rc -eq 3 ]; then
  export ITEST_NO_GEN13="the Debian mirror is unreachable (no Debian 13 root)"
  echo "Debian 13 engines: SKIPPED: $ITEST_NO_GEN13"
elif [ $gen13_rc -ne 0 ]; then
  exit 1
fi

# The whole suite against the static build (the artifact's dependencies, linked
# on this machine); the sanitizer stages below use the system's shared libraries.
echo "== release build${deps_prefix:+ (static dependencies)}"
run_suite build -DDEPS_PREFIX="$deps_prefix"
echo "== valgrind: plugin load/open/close/unload cycles (release build)"
valgrind_cycles build
# The Debian 13 engines were met by the release build above; under ASan the
# integration tests run on Debian 12's (the plugin's code paths are the same),
# which keeps the whole command near 20 minutes on 2 cores.
echo "== ASan + UBSan build"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ITEST_NO_GEN13="the ASan stage runs Debian 12's engines only (Debian 13's ran in the release stage)" \
  run_suite build-asan -DSANITIZE=ON
echo "== ThreadSanitizer (worker threads, async handler, engine faults)"
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTSAN=ON >/dev/null
cmake --build build-tsan -j "$jobs" --target test_worker test_engine_faults test_plugin test_load_cycle test_metrics test_attach_log >/dev/null
(cd build-tsan && TSAN_OPTIONS=halt_on_error=1 \
  TEST_SKIP_SLOW="it only waits 30 s, on one thread; the release and ASan stages ran it" ctest --output-on-failure -R 'test_(worker|engine_faults|plugin|load_cycle|metrics|attach_log)$')
echo "== fuzz (short)"
scripts/fuzz.sh 20
# One closing line for CI: every stage above exits non-zero on any failure (set -e).
echo "stages: 6 passed, 0 failed"
