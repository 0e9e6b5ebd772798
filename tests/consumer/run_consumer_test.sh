#!/bin/sh
# Installs slakit from a build tree into a scratch prefix, then builds and
# runs a tiny consumer against it twice: with find_package(slakit) and with
# pkg-config. Usage: run_consumer_test.sh BUILD_DIR CONSUMER_SOURCE_DIR
set -eu
build=$1
src=$2
work=$build/consumer-test
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >"$work/install.log"
test -f "$work/prefix/include/slakit/sla/engine.h"
if [ -e "$work/prefix/include/slakit/sla/internal" ]; then
  echo "internal headers must not be installed" >&2
  exit 1
fi
cmake -S "$src" -B "$work/cmake" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" >"$work/configure.log"
cmake --build "$work/cmake" >"$work/build.log"
"$work/cmake/consumer"
"$work/cmake/consumer_probes"
pcdir=$(find "$work/prefix" -name slakit.pc -printf '%h\n' | head -n 1)
# The .pc file names the install prefix chosen at configure time; point
# pkg-config at the scratch prefix instead.
flags=$(PKG_CONFIG_PATH="$pcdir" pkg-config --define-variable=prefix="$work/prefix" \
  --cflags --libs slakit)
# shellcheck disable=SC2086
c++ -std=c++17 "$src/main.cc" -o "$work/consumer_pc" $flags
"$work/consumer_pc"
echo "consumer: find_package and pkg-config builds both passed"
