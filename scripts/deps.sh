#!/usr/bin/env bash
# Install the Debian packages Crossdock needs to build, test and run. Only what is missing is
# installed; as root through apt-get, otherwise the exact command is printed and we fail.
# Usage: scripts/deps.sh [build|test|all]   (default: build)
set -euo pipefail

build_pkgs=(meson ninja-build pkg-config gcc libc6-dev libmicrohttpd-dev libjansson-dev
            libsqlite3-dev libssl-dev libfyaml-dev libcurl4-openssl-dev libjemalloc-dev curl)
test_pkgs=(libcmocka-dev clang libclang-rt-14-dev curl sqlite3 python3
           openssh-server openssh-client tryton-server tryton-modules-purchase
           tryton-modules-stock tryton-modules-account tryton-modules-account-invoice)

want=("${build_pkgs[@]}")
case "${1:-build}" in
  build) ;;
  test|all) want+=("${test_pkgs[@]}") ;;
  *) echo "usage: $0 [build|test|all]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "crossdock: missing Debian packages: ${missing[*]}" >&2
  echo "run as root:  apt-get update && $cmd" >&2
  exit 1
fi
echo "crossdock: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
