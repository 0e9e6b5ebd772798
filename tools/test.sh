#!/bin/sh
# README command 2: install what is missing, build with CMake and Bazel, run
# every test (bazel test //..., ctest, then the ASan+UBSan and TSan sets of
# tools/sanitize.sh). .ci/run runs exactly this. When something failed, the
# last lines printed name each failing test with the end of its output
# (tools/failures.sh).
set -eu
cd "$(dirname "$0")/.."
start=$(date +%s)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
touch "$tmp/stamp"
sh tools/setup.sh --test
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSLAKIT_BUILD_TESTS=ON -DSLAKIT_BUILD_BENCHMARKS=ON
cmake --build build -j"$(nproc)"
status=0
# Everything is built before any test runs, so that the tests (several
# check that a call returns promptly) do not share the cores with compilers.
bazel build //... || status=$?
if [ $status -eq 0 ]; then
  { bazel test //... --test_output=errors 2>&1 || echo $? >"$tmp/bazel_rc"; } |
    tee "$tmp/bazel.log"
  [ ! -s "$tmp/bazel_rc" ] || status=$(cat "$tmp/bazel_rc")
fi
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
if [ $status -ne 0 ]; then
  sh tools/failures.sh "$tmp/bazel.log" "$tmp/stamp"
  echo "tools/test.sh: exit $status (bazel test, ctest or a sanitizer set failed; see above)"
fi
exit $status
