#!/usr/bin/env bash
# The run command: installs what it needs, builds the plugin and container-ps,
# and shows every process of this machine with its container metadata.
#   scripts/run.sh [container-ps options]   this machine's engines (default sockets)
#   scripts/run.sh demo                      a private podman service and one container,
#                                            for machines with no engine running
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = demo ]; then scripts/install-deps.sh all; else scripts/install-deps.sh build; fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target container container-ps >/dev/null

if [ "${1:-}" != demo ]; then
  exec build/container-ps "$@"
fi

T=$(mktemp -d /tmp/ctr-demo.XXXXXX)
trap 'tests/integration/engines.sh stop podman "$T" >/dev/null 2>&1 || true; rm -rf "$T"' EXIT
tests/integration/engines.sh image "$T" >/dev/null
tests/integration/engines.sh start podman "$T"
tests/integration/engines.sh podman "$T" run -d --name demo-web \
  --label app=demo localhost/app:1.0 >/dev/null
config=$(printf '{"log_level":"info","engines":{"podman":{"enabled":true,"sockets":["%s"]},"docker":{"enabled":false}}}' "$T/podman/podman.sock")
echo "== container-ps with a private podman service ($T/podman/podman.sock)"
build/container-ps --config "$config" | awk 'NR==1 || /^#/ || !/ host +host /'
