#!/bin/sh
# tests/fuzz/run_fuzzers.sh BUILD_DIR [SECONDS]: the fuzz smoke run.
#
# Configures and builds the libFuzzer targets of tests/fuzz with clang into
# BUILD_DIR/fuzz (a separate CMake project: the main build uses g++), then runs
# each target for SECONDS (default 5) on a temporary copy of its seed corpus
# (the tree is not modified). Crash inputs go to BUILD_DIR/fuzz/artifacts/.
# Prints the executions per target and a final line "N passed, M failed";
# exits 1 when a target crashed, leaked, hit UB or timed out, 77 when clang or
# the libFuzzer runtime is missing (tools/setup.sh --test installs them).
#
# Environment: FUZZ_TARGETS="a b" runs only those; FUZZ_REGRESSIONS=1 also
# replays tests/fuzz/regressions/<target>/* (known crashes, until fixed).
set -u

if [ $# -lt 1 ]; then
  echo "usage: $0 BUILD_DIR [SECONDS]" >&2
  exit 2
fi
build_dir=$1
seconds=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
fuzz_dir=$build_dir/fuzz
targets=${FUZZ_TARGETS:-"wal_record_fuzzer engine_state_fuzzer csv_fuzzer config_fuzzer openslo_fuzzer"}

cxx=""
for c in clang++-14 clang++; do
  if command -v "$c" >/dev/null 2>&1; then cxx=$(command -v "$c"); break; fi
done
if [ -z "$cxx" ]; then
  echo "run_fuzzers: clang++ not found (apt: clang-14 libclang-rt-14-dev)" >&2
  exit 77
fi
if [ -z "$("$cxx" -print-file-name=libclang_rt.fuzzer-x86_64.a | grep /)" ] ||
   [ ! -f "$("$cxx" -print-file-name=libclang_rt.fuzzer-x86_64.a)" ]; then
  # Not every layout names it so; let the link decide on other machines.
  case $(uname -m) in
    x86_64)
      echo "run_fuzzers: libFuzzer runtime missing (apt: libclang-rt-14-dev)" >&2
      exit 77 ;;
  esac
fi

generator=""
command -v ninja >/dev/null 2>&1 && generator="-G Ninja"
start=$(date +%s)
mkdir -p "$fuzz_dir"
# shellcheck disable=SC2086
if ! cmake -S "$here" -B "$fuzz_dir" $generator -DCMAKE_CXX_COMPILER="$cxx" \
    -DCMAKE_BUILD_TYPE=Fuzz >"$fuzz_dir/configure.log" 2>&1; then
  cat "$fuzz_dir/configure.log" >&2
  echo "run_fuzzers: configure failed" >&2
  exit 1
fi
jobs=$(nproc 2>/dev/null || echo 2)
# shellcheck disable=SC2086
if ! cmake --build "$fuzz_dir" -j "$jobs" --target $targets; then
  echo "run_fuzzers: build failed" >&2
  exit 1
fi
echo "run_fuzzers: built in $(( $(date +%s) - start )) s"

work=$(mktemp -d "${TMPDIR:-/tmp}/slakit-fuzz-XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
passed=0
failed=0
for t in $targets; do
  corpus=$work/$t
  mkdir -p "$corpus" "$fuzz_dir/artifacts/$t"
  [ -d "$here/corpus/$t" ] && cp "$here/corpus/$t"/* "$corpus"/ 2>/dev/null
  log=$fuzz_dir/$t.log
  ok=1
  if [ "${FUZZ_REGRESSIONS:-0}" = 1 ] && [ -d "$here/regressions/$t" ] &&
     [ -n "$(ls "$here/regressions/$t")" ]; then
    if ! "$fuzz_dir/$t" -runs=0 "$here/regressions/$t"/* \
        >"$fuzz_dir/$t.regressions.log" 2>&1; then
      echo "FAIL $t: a regression input crashes (see $fuzz_dir/$t.regressions.log)"
      ok=0
    fi
  fi
  "$fuzz_dir/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$fuzz_dir/artifacts/$t/" \
    "$corpus" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  if [ $rc -ne 0 ]; then
    ok=0
    echo "FAIL $t: exit $rc after ${execs:-?} executions; log $log"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*FUZZ_CHECK|.*runtime error)' "$log" |
      head -n 5 | sed 's/^/  /'
    grep -E '^(artifact_prefix|Test unit written)' "$log" | sed 's/^/  /'
  fi
  if [ $ok = 1 ]; then
    passed=$((passed + 1))
    echo "PASS $t: ${execs:-?} executions in ${seconds} s"
  else
    failed=$((failed + 1))
  fi
done
echo "run_fuzzers: total $(( $(date +%s) - start )) s"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
