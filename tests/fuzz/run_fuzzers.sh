#!/bin/sh
# tests/fuzz/run_fuzzers.sh BUILD_DIR [SECONDS]: the fuzz smoke run, and the
# longer runs.
#
# Configures and builds the libFuzzer targets of tests/fuzz with clang into
# BUILD_DIR/fuzz (a separate CMake project: the main build uses g++), then runs
# each target for SECONDS (default 5) on a temporary copy of its seed corpus
# (the tree is not modified). Crash inputs go to BUILD_DIR/fuzz/artifacts/.
# Prints a line per target, then a table (target, seconds, executions,
# executions per second, libFuzzer's final cov: and ft:, corpus files at the
# end, new artifacts) and a final line "N passed, M failed"; exits 1 when a
# target crashed, leaked, hit UB or timed out (or the build failed), 77 when
# clang or the libFuzzer runtime is missing (tools/setup.sh --test installs
# them). On any failure the last lines of the log at fault are printed.
#
# One run at a time per BUILD_DIR/fuzz: a second one (another ctest in the
# same build directory) waits for the first (flock on BUILD_DIR/fuzz/.lock),
# so that two never configure, build or relink the same directory at once.
#
# Environment:
#   FUZZ_TARGETS="a b"   only those targets
#   FUZZ_REGRESSIONS=1   also replay tests/fuzz/regressions/<target>/*
#   FUZZ_BUILD_ONLY=1    configure and build, run nothing
#   FUZZ_PARALLEL=N      run N targets at a time (default 1)
#   FUZZ_TIMEOUT=S       libFuzzer -timeout per input (default 10)
#   FUZZ_RSS_LIMIT_MB=M  libFuzzer -rss_limit_mb (default 2048)
#   FUZZ_CORPUS_OUT=DIR  keep each grown corpus in DIR/<target>/
set -u

if [ $# -lt 1 ]; then
  echo "usage: $0 BUILD_DIR [SECONDS]" >&2
  exit 2
fi
build_dir=$1
seconds=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
fuzz_dir=$build_dir/fuzz
targets=${FUZZ_TARGETS:-"wal_record_fuzzer engine_state_fuzzer csv_fuzzer \
config_fuzzer openslo_fuzzer jsonl_fuzzer prom_importer_fuzzer \
proto_ingest_fuzzer"}
parallel=${FUZZ_PARALLEL:-1}
unit_timeout=${FUZZ_TIMEOUT:-10}
rss_limit=${FUZZ_RSS_LIMIT_MB:-2048}
start=$(date +%s)

say() { echo "run_fuzzers: [$(( $(date +%s) - start )) s] $*"; }

# The last lines of a log, indented: what decides a failure is at its end
# (sanitizer report, FUZZ_CHECK message, compiler or linker error).
show_tail() {
  echo "  --- last lines of $1:"
  tail -n "${2:-25}" "$1" | sed 's/^/  | /'
}

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

mkdir -p "$fuzz_dir"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$fuzz_dir/.lock"
  if ! flock -n 9; then
    say "another run holds $fuzz_dir/.lock; waiting for it"
    flock 9
  fi
fi

generator=""
command -v ninja >/dev/null 2>&1 && generator="-G Ninja"
# shellcheck disable=SC2086
if ! cmake -S "$here" -B "$fuzz_dir" $generator -DCMAKE_CXX_COMPILER="$cxx" \
    -DCMAKE_BUILD_TYPE=Fuzz >"$fuzz_dir/configure.log" 2>&1; then
  show_tail "$fuzz_dir/configure.log" 40
  say "configure failed"
  exit 1
fi
# At most 2 compile jobs: the machines this runs on are shared.
jobs=$(nproc 2>/dev/null || echo 2)
[ "$jobs" -gt 2 ] && jobs=2
say "configured; building (-j $jobs, log $fuzz_dir/build.log)"
# shellcheck disable=SC2086
if ! cmake --build "$fuzz_dir" -j "$jobs" --target $targets \
    >"$fuzz_dir/build.log" 2>&1; then
  grep -E 'error|FAILED' "$fuzz_dir/build.log" | head -n 10 | sed 's/^/  /'
  show_tail "$fuzz_dir/build.log" 30
  say "build failed"
  exit 1
fi
say "built: $(grep -c '^\[' "$fuzz_dir/build.log") build steps"
[ "${FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0

work=$(mktemp -d "${TMPDIR:-/tmp}/slakit-fuzz-XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM

# run_one TARGET: replays the regressions, fuzzes, and writes
# $work/TARGET.result: "ok target seconds execs exec/s cov ft corpus crashes".
run_one() {
  t=$1
  corpus=$work/$t
  artifacts=$fuzz_dir/artifacts/$t
  mkdir -p "$corpus" "$artifacts"
  [ -d "$here/corpus/$t" ] && cp "$here/corpus/$t"/* "$corpus"/ 2>/dev/null
  log=$fuzz_dir/$t.log
  ok=1
  if [ "${FUZZ_REGRESSIONS:-0}" = 1 ] && [ -d "$here/regressions/$t" ] &&
     [ -n "$(ls "$here/regressions/$t")" ]; then
    if ! "$fuzz_dir/$t" -runs=0 -timeout="$unit_timeout" \
        "$here/regressions/$t"/* >"$fuzz_dir/$t.regressions.log" 2>&1; then
      echo "FAIL $t: a regression input crashes"
      show_tail "$fuzz_dir/$t.regressions.log"
      ok=0
    fi
  fi
  t0=$(date +%s)
  "$fuzz_dir/$t" -max_total_time="$seconds" -timeout="$unit_timeout" \
    -rss_limit_mb="$rss_limit" -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1
  rc=$?
  took=$(( $(date +%s) - t0 ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  # libFuzzer's last status line: "#N DONE cov: C ft: F corp: ..." (or the
  # last pulse/NEW line when it did not finish).
  last=$(grep -E '^#[0-9]+.* cov: ' "$log" | tail -n 1)
  cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
  files=$(find "$corpus" -type f | wc -l)
  crashes=$(grep -c 'Test unit written' "$log")
  if [ $rc -ne 0 ]; then
    ok=0
    echo "FAIL $t: exit $rc after ${execs:-?} executions in $took s; log $log"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*FUZZ_CHECK|.*runtime error|ALARM|.*out-of-memory|artifact_prefix|Test unit written)' \
      "$log" | head -n 8 | sed 's/^/  /'
    show_tail "$log"
  elif [ "$ok" = 1 ]; then
    echo "PASS $t: ${execs:-?} executions in ${took} s"
  fi
  if [ -n "${FUZZ_CORPUS_OUT:-}" ]; then
    mkdir -p "$FUZZ_CORPUS_OUT/$t" && cp "$corpus"/* "$FUZZ_CORPUS_OUT/$t"/
  fi
  echo "$ok $t $took ${execs:-?} ${rate:-?} ${cov:-?} ${ft:-?} $files $crashes" \
    >"$work/$t.result"
}

running=0
for t in $targets; do
  if [ "$parallel" -le 1 ]; then
    run_one "$t"
  else
    run_one "$t" &
    running=$((running + 1))
    if [ $running -ge "$parallel" ]; then
      wait
      running=0
    fi
  fi
done
wait

passed=0
failed=0
echo
printf '%-22s %7s %11s %8s %6s %7s %7s %7s\n' target seconds executions \
  'exec/s' 'cov' 'ft' corpus crashes
for t in $targets; do
  if [ ! -f "$work/$t.result" ]; then
    echo "FAIL $t: no result (the runner itself failed; see $fuzz_dir/$t.log)"
    failed=$((failed + 1))
    continue
  fi
  read -r ok name took execs rate cov ft files crashes <"$work/$t.result"
  printf '%-22s %7s %11s %8s %6s %7s %7s %7s\n' "$name" "$took" "$execs" \
    "$rate" "$cov" "$ft" "$files" "$crashes"
  if [ "$ok" = 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
say "total"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
