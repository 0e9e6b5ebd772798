#!/usr/bin/env bash
# slakit vs Prometheus 2.42 on the same probe workload, one command:
#
#   bench/peer/compare.sh [small|default] [RUNS]      (default: small, 5 runs)
#
# Generates the workload with `slakit generate`, converts it to OpenMetrics,
# backfills it with `promtool tsdb create-blocks-from openmetrics` into a
# temporary data dir, runs `prometheus` on 127.0.0.1 (free port, retention
# 10y, no scrape targets), asks both the same questions, checks that the
# answers agree and prints one table.  Everything lives in a temp dir that is
# removed at exit; Prometheus is always stopped.  Exit status 1 when an
# answer disagrees.
#
# Boundaries: Prometheus 2.42 range selectors are closed, x[R] at t selects
# [t-R, t] (3.x: (t-R, t]); slakit windows are half-open [at-R, at).  The
# workload's timestamps are whole seconds, so Prometheus is queried at
# T - 1 ms (range query: start+1d-1ms .. T-1ms, step 1d), which selects
# exactly the samples of [T-R, T) under either convention; the script prints
# count_over_time at T and T-1ms, and [1d] at start+1d (1441 samples on
# offset-0 series: both ends) vs start+1d-1ms (1440) to show it.
# Both series of every probe are backfilled, probe_success and
# probe_duration_seconds, since `slakit eval` reads the whole CSV too;
# LATENCY=0 backfills probe_success only.
#
# Environment: BUILD (default build), KEEP=1 keeps the temp dir, LATENCY=0,
# SETTLE_S (default 240) caps the wait for Prometheus' first compaction.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
preset=${1:-small}
runs=${2:-5}
build=${BUILD:-$root/build}
slakit=$build/slakit
engine_benchmark=$build/engine_benchmark
py=/usr/bin/python3
case $preset in small|default|tiny) ;; *) echo "preset: small|default|tiny" >&2; exit 2 ;; esac
for b in /usr/bin/promtool /usr/bin/prometheus "$slakit" "$py"; do
  [ -x "$b" ] || { echo "missing $b (apt-get install prometheus; build slakit)" >&2; exit 2; }
done
[ -x "$engine_benchmark" ] || engine_benchmark=""

work=$(mktemp -d "${TMPDIR:-/tmp}/slakit-peer.XXXXXX")
prom_pid=""
cleanup() {
  if [ -n "$prom_pid" ] && kill -0 "$prom_pid" 2>/dev/null; then
    kill -TERM "$prom_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$prom_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$prom_pid" 2>/dev/null || true
    wait "$prom_pid" 2>/dev/null || true
  fi
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

now() { date +%s.%N; }
secs() { $py -c "import sys; print('%.3f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$2"; }

csv=$work/workload.csv
echo "== generate ($preset) in $work" >&2
t0=$(now)
gen_out=$("$slakit" generate --preset "$preset" --out "$csv" 2>&1)
t1=$(now); gen_s=$(secs "$t0" "$t1")
echo "$gen_out" >&2
at_ms=$(echo "$gen_out" | sed -n 's/.*(\([0-9]\{13\}\)).*/\1/p')
[ -n "$at_ms" ] || { echo "cannot read the evaluation time from: $gen_out" >&2; exit 1; }

echo "== OpenMetrics" >&2
t0=$(now)
latency_flag=""
[ "${LATENCY:-1}" = 0 ] && latency_flag=--no-latency
$py "$here/peer.py" openmetrics $latency_flag "$csv" "$work/workload.om" "$work/meta.json"
t1=$(now); convert_s=$(secs "$t0" "$t1")
days=$($py -c "import json,sys; m=json.load(open(sys.argv[1])); print(round((int(sys.argv[2]) - m['min_ms']) / 86400000))" "$work/meta.json" "$at_ms")

echo "== promtool backfill" >&2
# --max-block-duration: promtool re-reads the input once per block; 54h blocks
# (a standard compaction level) keep that to ~15 passes for 30 days.
mkdir -p "$work/tsdb"
t0=$(now)
/usr/bin/promtool tsdb create-blocks-from openmetrics --max-block-duration=54h \
  "$work/workload.om" "$work/tsdb" >"$work/promtool.log" 2>&1 || { cat "$work/promtool.log" >&2; exit 1; }
t1=$(now); backfill_s=$(secs "$t0" "$t1")
rm -f "$work/workload.om"
tsdb_bytes=$(du -sb "$work/tsdb" | cut -f1)

port=$($py -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1]); s.close()")
cat >"$work/prometheus.yml" <<YML
global:
  scrape_interval: 1h
  evaluation_interval: 1h
scrape_configs: []
YML
echo "== prometheus on 127.0.0.1:$port" >&2
/usr/bin/prometheus --config.file="$work/prometheus.yml" \
  --storage.tsdb.path="$work/tsdb" --storage.tsdb.retention.time=10y \
  --web.listen-address="127.0.0.1:$port" \
  --query.max-samples=500000000 --query.timeout=10m \
  >"$work/prometheus.log" 2>&1 &
prom_pid=$!
url="http://127.0.0.1:$port"
for _ in $(seq 1 600); do
  if curl -fs "$url/-/ready" >/dev/null 2>&1; then break; fi
  kill -0 "$prom_pid" 2>/dev/null || { cat "$work/prometheus.log" >&2; exit 1; }
  sleep 0.1
done
curl -fs "$url/-/ready" >/dev/null || { echo "prometheus not ready" >&2; tail "$work/prometheus.log" >&2; exit 1; }
echo "== waiting for Prometheus' first compaction cycle (~1 min) and idle" >&2
$py "$here/peer.py" settle "$url" "$prom_pid" "${SETTLE_S:-240}" >&2

machine="$(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(uname -sr)"
echo "== questions" >&2
$py "$here/peer.py" bench --url "$url" --csv "$csv" --meta "$work/meta.json" \
  --at-ms "$at_ms" --days "$days" --slakit "$slakit" --engine-benchmark "$engine_benchmark" \
  --preset "$preset" --runs "$runs" --gen-s "$gen_s" --convert-s "$convert_s" \
  --backfill-s "$backfill_s" --tsdb-bytes "$tsdb_bytes" --machine "$machine"
