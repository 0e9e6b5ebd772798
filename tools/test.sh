#!/bin/sh
# README command 2: install what is missing, build with CMake and Bazel, run
# every test (bazel test //..., ctest, then the ASan+UBSan and TSan sets of
# tools/sanitize.sh). .ci/run runs exactly this.
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
rc=0
ctest --test-dir build --output-on-failure -j"$(nproc)" || rc=$?
echo "ctest (build/): exit $rc ($(($(date +%s) - start)) s since start)"
[ $rc -eq 0 ] || status=$rc
# Then the sanitizer sets: ASan+UBSan and TSan builds with clang 14
# (build-asan/, build-tsan/); each ends with its ctest summary and a line
# "sanitize asan: exit N (build B s, tests T s)".
rc=0
sh tools/sanitize.sh || rc=$?
echo "sanitizers: exit $rc ($(($(date +%s) - start)) s since start)"
[ $rc -eq 0 ] || status=$rc
exit $status
