#!/bin/sh
# README command 2: install what is missing, build with CMake and Bazel, run
# every test (ctest, then bazel test //...). .ci/run runs exactly this.
set -eu
cd "$(dirname "$0")/.."
start=$(date +%s)
sh tools/setup.sh --test
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSLAKIT_BUILD_TESTS=ON -DSLAKIT_BUILD_BENCHMARKS=ON
cmake --build build -j"$(nproc)"
status=0
bazel test //... --test_output=errors || status=$?
bazel shutdown || true
echo "bazel test //...: exit $status ($(($(date +%s) - start)) s since start)"
# ctest last: its summary is the run's closing line.
ctest --test-dir build --output-on-failure -j"$(nproc)" || status=$?
exit $status
