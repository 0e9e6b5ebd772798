#!/bin/sh
# Installs what slakit needs on Debian 12 (run as root). Only packages that
# are missing are installed; apt's lists are refreshed only when needed.
#
#   tools/setup.sh          build and run (CMake, compiler, libraries)
#   tools/setup.sh --test   also what the tests need (Bazel, gtest, benchmark)
set -eu

packages="cmake ninja-build g++ pkg-config libabsl-dev libcli11-dev libyaml-cpp-dev zlib1g-dev \
libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto \
libcpp-httplib-dev libssl-dev libcurl4-openssl-dev libre2-dev pybind11-dev python3-dev"
if [ "${1:-}" = "--test" ]; then
  packages="$packages libgtest-dev libgmock-dev libbenchmark-dev python3 \
xz-utils gzip bazel-bootstrap chromium clang-14 libclang-rt-14-dev \
python3-grpcio python3-protobuf prometheus openssl"
fi

missing=""
for p in $packages; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0

echo "setup: installing$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing packages:$missing; run as root or install them" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt_install() {
  apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends "$@"
}
# shellcheck disable=SC2086
apt_install $missing || { apt-get -o DPkg::Lock::Timeout=900 update -q && apt_install $missing; }
