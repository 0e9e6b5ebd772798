#!/bin/sh
# tools/failures.sh BAZEL_LOG STAMP: prints, last, what failed in a tools/test.sh
# run, so that the tail of a CI log names the failing tests and shows the end
# of their output (ctest prints it far earlier, Bazel only in its own log):
#   - each Bazel test the log reports FAILED, TIMEOUT, FLAKY or NO STATUS,
#     with the last lines of its bazel-testlogs/.../test.log;
#   - each test listed in Testing/Temporary/LastTestsFailed.log of build/,
#     build-asan/ and build-tsan/, with the last lines of its output in
#     LastTest.log, when that list is newer than the file STAMP (the start
#     of the run; an older list is left from an earlier run).
# Prints nothing when nothing failed. Lines per test: FAILURE_LINES (40).
set -u
cd "$(dirname "$0")/.."
bazel_log=${1:-}
stamp=${2:-}
lines=${FAILURE_LINES:-40}

failed=""
if [ -n "$bazel_log" ] && [ -f "$bazel_log" ]; then
  failed=$(grep -E '^//[^ ]+ +(FAILED|TIMEOUT|FLAKY|NO STATUS|INCOMPLETE)' \
    "$bazel_log" | awk '{print $1}' | sort -u)
fi
for target in $failed; do
  # //tests/grpc:server_test -> bazel-testlogs/tests/grpc/server_test
  dir="bazel-testlogs/$(printf '%s' "${target#//}" | tr ':' '/')"
  echo "==== failed (bazel): $target"
  # A test with several runs or shards has one test.log per run; logs
  # older than STAMP are left from earlier runs.
  # shellcheck disable=SC2086 # ${stamp:+...}: no test when STAMP is empty
  logs=$(find -L "$dir" -name test.log ${stamp:+-newer "$stamp"} \
    2>/dev/null | sort)
  [ -n "$logs" ] || echo "(no test.log under $dir)"
  for log in $logs; do
    echo "---- $log (last $lines lines)"
    tail -n "$lines" "$log"
  done
done

for build in build build-asan build-tsan; do
  list="$build/Testing/Temporary/LastTestsFailed.log"
  [ -s "$list" ] || continue
  [ -z "$stamp" ] || [ "$list" -nt "$stamp" ] || continue
  # Lines "N:name"; the output of each is in LastTest.log between
  # "N/M Test: name" and "<end of output>".
  for name in $(cut -d: -f2- "$list"); do
    echo "==== failed (ctest $build): $name"
    awk -v name="$name" '
      $0 ~ "^[0-9]+/[0-9]+ Test: " && $3 == name { on = 1; next }
      on && /^<end of output>/ { exit }
      on { print; n++ }
      END { if (!n) print "(its output is not in LastTest.log)" }
    ' "$build/Testing/Temporary/LastTest.log" | tail -n "$lines"
  done
done
