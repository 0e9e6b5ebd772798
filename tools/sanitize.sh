#!/bin/sh
# tools/sanitize.sh [asan] [tsan]: builds the sanitizer test sets with clang
# 14 (CMakePresets.json: asan = AddressSanitizer + UndefinedBehaviorSanitizer
# in build-asan/, tsan = ThreadSanitizer in build-tsan/) and runs them with
# ctest. The sets and the reason for each test left out are in
# tests/sanitizers/sanitizers.cmake. Default: both. tools/test.sh runs this.
#
# Any sanitizer report fails its test (*_OPTIONS below, also set on each
# ctest test). Prints one line per stage, "sanitize asan: exit N (build B s,
# tests T s)", and exits non-zero when a stage failed.
set -u
cd "$(dirname "$0")/.."

export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1:strict_init_order=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

jobs=$(nproc 2>/dev/null || echo 2)
status=0
summary=""
[ $# -gt 0 ] || set -- asan tsan
for san in "$@"; do
  case $san in
    asan|tsan) ;;
    *) echo "usage: $0 [asan] [tsan]" >&2; exit 2 ;;
  esac
  t0=$(date +%s)
  rc=0
  cmake --preset "$san" >/dev/null || rc=$?
  [ $rc -eq 0 ] && { cmake --build --preset "$san" -j"$jobs" || rc=$?; }
  t1=$(date +%s)
  if [ $rc -eq 0 ]; then
    if [ "$san" = tsan ]; then
      # Clang 14's TSan cannot map its shadow memory when mmap addresses are
      # highly randomized ("FATAL: ThreadSanitizer: unexpected memory
      # mapping"); without address randomization it always can.
      setarch "$(uname -m)" -R \
        ctest --preset "$san" -j"$jobs" --timeout 600 || rc=$?
    else
      ctest --preset "$san" -j"$jobs" --timeout 600 || rc=$?
    fi
  fi
  t2=$(date +%s)
  line="sanitize $san: exit $rc (build $((t1 - t0)) s, tests $((t2 - t1)) s)"
  echo "$line"
  summary="$summary$line
"
  [ $rc -eq 0 ] || status=$rc
done
printf '%s' "$summary"
exit $status
