#!/bin/sh
# README command 1: install what is missing, build, run `slakit demo`.
set -eu
cd "$(dirname "$0")/.."
sh tools/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSLAKIT_BUILD_TESTS=OFF -DSLAKIT_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build --target slakit
exec build/slakit demo "$@"
