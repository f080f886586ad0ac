#!/usr/bin/env bash
# Installs the Debian packages needed to build and test the plugin.
# Idempotent; needs root. Usage: scripts/install-deps.sh [build|engines|all]
set -euo pipefail
what=${1:-build}

build_pkgs=(build-essential cmake pkg-config clang libclang-rt-14-dev
            libjansson-dev libcurl4-openssl-dev libprotobuf-c-dev protobuf-c-compiler)
engine_pkgs=(docker.io podman containerd runc busybox-static netavark aardvark-dns
             containernetworking-plugins)
test_pkgs=(valgrind   # scripts/test.sh: leak check of plugin load/unload cycles
           debootstrap) # the Debian 11 roots of the release build and its load tests

pkgs=()
case "$what" in
  build) pkgs=("${build_pkgs[@]}") ;;
  engines) pkgs=("${engine_pkgs[@]}") ;;
  all) pkgs=("${build_pkgs[@]}" "${engine_pkgs[@]}" "${test_pkgs[@]}") ;;
  *) echo "usage: $0 [build|engines|all]" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "missing packages: ${missing[*]} (run as root to install them)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
