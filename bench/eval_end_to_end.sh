#!/bin/sh
# Times `slakit eval` end to end (read + parse + ingest + evaluate + print)
# on the default workload: 50 services x 4 probes x 30 days at 60 s,
# 8.64 M rows, about 305 MB. Prints each run and the median of RUNS (5).
#
#   bench/eval_end_to_end.sh [BUILD_DIR] [RUNS]
set -eu
build=${1:-build}
runs=${2:-5}
data=$build/bench-data/default.csv
mkdir -p "$build/bench-data"
if [ ! -f "$data" ]; then
  "$build/slakit" generate --preset default --out "$data"
fi
# Warm the page cache once so every run reads the file from memory.
cat "$data" >/dev/null
times=""
i=0
while [ "$i" -lt "$runs" ]; do
  s=$(date +%s%N)
  "$build/slakit" eval --data "$data" --target 99.9 --window 30d \
    --at 2024-01-31T00:00:00Z --format json >/dev/null
  e=$(date +%s%N)
  ms=$(( (e - s) / 1000000 ))
  echo "run $((i + 1)): ${ms} ms"
  times="$times $ms"
  i=$((i + 1))
done
median=$(echo "$times" | tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "slakit eval, default preset ($(wc -c <"$data") bytes): median ${median} ms of $runs runs"
