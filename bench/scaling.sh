#!/bin/sh
# Scaling runs (slakit issue 9): runs BUILD_DIR/scaling_benchmark (built
# beforehand; this script builds nothing) with REPS repetitions, writes
# OUT_DIR/scaling.json (Google Benchmark JSON, aggregates only) and
# OUT_DIR/machine.txt (CPU, cores, compiler, `uptime` before and after),
# then bench/plot_scaling.py draws docs/scaling.svg and prints the README
# table (medians of REPS) on stdout.
#
#   bench/scaling.sh [BUILD_DIR] [OUT_DIR] [REPS] [BENCHMARK_ARGS...]
#   bench/scaling.sh build-scale /tmp/scaling 5
#
# BUILD_DIR defaults to build, OUT_DIR to BUILD_DIR/scaling, REPS to 5.
# Extra arguments go to the benchmark (e.g. --benchmark_filter=series:200/).
# SCALING_SVG=path writes the plot elsewhere (for partial runs);
# SCALING_CLOCK=cpu plots and tabulates CPU times instead of wall-clock
# times (for a machine busy with other work).
# The full run holds up to 20,000 series x 35 days (1 G results): about
# 1 GiB of memory and, with 5 repetitions on 2 cores, 10 to 15 minutes.
set -eu
build=${1:-build}
out=${2:-$build/scaling}
reps=${3:-5}
[ $# -ge 3 ] && shift 3 || shift $#
here=$(cd "$(dirname "$0")" && pwd)
bin=$build/scaling_benchmark
if [ ! -x "$bin" ]; then
  echo "scaling.sh: $bin not found; build the target scaling_benchmark" \
    "(-DSLAKIT_BUILD_BENCHMARKS=ON) first" >&2
  exit 1
fi
mkdir -p "$out"
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
cxx=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt" \
  2>/dev/null | head -n 1)
flags=$(sed -n 's/^CMAKE_CXX_FLAGS_RELWITHDEBINFO:[A-Z]*=//p' \
  "$build/CMakeCache.txt" 2>/dev/null | head -n 1)
btype=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt" \
  2>/dev/null | head -n 1)
{
  echo "cpu: ${cpu:-unknown}"
  echo "cores: $(nproc)"
  echo "compiler: $("${cxx:-c++}" --version 2>/dev/null | head -n 1)"
  echo "build: ${btype:-?} ${flags:-}"
  echo "uptime before: $(uptime)"
} >"$out/machine.txt"
echo "uptime before: $(uptime)" >&2
"$bin" --benchmark_repetitions="$reps" \
  --benchmark_report_aggregates_only=true \
  --benchmark_out="$out/scaling.json" --benchmark_out_format=json "$@" >&2
echo "uptime after: $(uptime)" >>"$out/machine.txt"
echo "uptime after: $(uptime)" >&2
/usr/bin/python3 "$here/plot_scaling.py" --json "$out/scaling.json" \
  --machine "$out/machine.txt" --clock "${SCALING_CLOCK:-real}" \
  --svg "${SCALING_SVG:-$here/../docs/scaling.svg}"
