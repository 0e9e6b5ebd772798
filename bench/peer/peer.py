#!/usr/bin/python3
"""Helper of bench/peer/compare.sh (Python 3 stdlib only).

  peer.py openmetrics CSV OUT META   CSV (timestamp_ms,service,probe,ok,latency_ms)
                                     -> OpenMetrics text for `promtool tsdb
                                     create-blocks-from openmetrics`, plus a JSON
                                     file with the time range and counts.
  peer.py settle URL PID MAX_S       wait until Prometheus' first TSDB
                                     compaction cycle is done and it is idle.
  peer.py bench ...                  run the questions on Prometheus (HTTP API)
                                     and slakit, check the answers agree, print
                                     the table (see --help).
"""
import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse

DAY_MS = 86400000
BURN_WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]
# The page condition: (1h and 5m above 14.4x) or (6h and 30m above 6x).
PAGE_TIERS = [("1h", "5m", 14.4), ("6h", "30m", 6.0)]


# ---------------------------------------------------------------- openmetrics
def ms_to_seconds(text):
    """'126.885' (milliseconds) -> '0.126885' (seconds), exactly: the decimal
    point moves three places, no float rounding."""
    text = text.strip()
    whole, _, frac = text.partition(".")
    if not whole.isdigit() or (frac and not frac.isdigit()):
        sys.exit("latency_ms must be a non-negative decimal, got %r" % text)
    whole = whole.rjust(4, "0")
    out = "%d.%s%s" % (int(whole[:-3]), whole[-3:], frac)
    return out.rstrip("0").rstrip(".") if "." in out else out


def cmd_openmetrics(a):
    """Writes probe_success and, unless --no-latency, probe_duration_seconds
    (two metric families, each contiguous as OpenMetrics requires: the
    latencies go to OUT.lat first and are appended)."""
    n = 0
    series = set()
    tmin = None
    tmax = None
    lat_path = a.out + ".lat"
    with open(a.csv, "r", buffering=1 << 20) as f, open(a.out, "w", buffering=1 << 22) as o, \
            open(lat_path, "w", buffering=1 << 22) as lo:
        header = f.readline().strip()
        if header != "timestamp_ms,service,probe,ok,latency_ms":
            sys.exit("unexpected CSV header: %r" % header)
        o.write("# HELP probe_success Whether the probe succeeded (1) or not (0).\n")
        o.write("# TYPE probe_success gauge\n")
        lo.write("# HELP probe_duration_seconds How long the probe took.\n")
        lo.write("# TYPE probe_duration_seconds gauge\n")
        lo.write("# UNIT probe_duration_seconds seconds\n")
        w = o.write
        lw = lo.write if a.latency else None
        for line in f:
            ts, svc, probe, ok, lat = line.split(",", 4)
            t = int(ts)
            if t % 1000:
                # promtool reads float seconds and truncates to ms with
                # int64(ts*1000); keep to whole seconds so nothing moves.
                sys.exit("timestamp %d is not a whole second" % t)
            if ok not in ("0", "1"):
                sys.exit("ok must be 0 or 1, got %r" % ok)
            labels = '{service="%s",probe="%s"}' % (svc, probe)
            w("probe_success%s %s %d\n" % (labels, ok, t // 1000))
            if lw:
                lw("probe_duration_seconds%s %s %d\n" % (labels, ms_to_seconds(lat), t // 1000))
            n += 1
            series.add((svc, probe))
            if tmin is None or t < tmin:
                tmin = t
            if tmax is None or t > tmax:
                tmax = t
    with open(a.out, "a", buffering=1 << 22) as o:
        if a.latency:
            with open(lat_path, "r", buffering=1 << 22) as lo:
                while True:
                    chunk = lo.read(1 << 22)
                    if not chunk:
                        break
                    o.write(chunk)
        o.write("# EOF\n")
    os.unlink(lat_path)
    with open(a.meta, "w") as m:
        json.dump({"rows": n, "series": len(series),
                   "services": len({s for s, _ in series}),
                   "samples": n * (2 if a.latency else 1),
                   "min_ms": tmin, "max_ms": tmax}, m)


# ---------------------------------------------------------------- settle
def _cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _metric(url, name):
    u = urllib.parse.urlparse(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    c.request("GET", "/metrics")
    body = c.getresponse().read().decode()
    c.close()
    for line in body.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return None


def cmd_settle(a):
    """Prometheus runs its first compaction about one minute after start; the
    backfilled blocks may then be merged.  Wait for that cycle, then for the
    process to be idle, so queries run on the final block layout."""
    t0 = time.time()
    hz = os.sysconf("SC_CLK_TCK")
    while time.time() - t0 < a.max_s:
        trig = _metric(a.url, "prometheus_tsdb_compactions_triggered_total") or 0
        c0 = _cpu_ticks(a.pid)
        time.sleep(2)
        busy = (_cpu_ticks(a.pid) - c0) / hz / 2.0
        if trig >= 1 and busy < 0.05:
            break
    blocks = _metric(a.url, "prometheus_tsdb_blocks_loaded")
    comp = _metric(a.url, "prometheus_tsdb_compactions_total")
    print("settled after %.0f s: %s blocks loaded, %s compactions" %
          (time.time() - t0, blocks and int(blocks), comp and int(comp)))


# ---------------------------------------------------------------- prometheus
class Prom:
    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.host, self.port = u.hostname, u.port
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=600)

    def call(self, path, params):
        body = urllib.parse.urlencode(params)
        self.conn.request("POST", path, body=body,
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
        r = self.conn.getresponse()
        data = r.read()
        d = json.loads(data)
        if d.get("status") != "success":
            raise RuntimeError("query failed: %s %s: %s" % (path, params, data[:500]))
        return d["data"]

    def query(self, q, t_ms):
        return self.call("/api/v1/query", {"query": q, "time": "%.3f" % (t_ms / 1000.0)})

    def query_range(self, q, start_ms, end_ms, step_s):
        return self.call("/api/v1/query_range", {
            "query": q, "start": "%.3f" % (start_ms / 1000.0),
            "end": "%.3f" % (end_ms / 1000.0), "step": str(step_s)})

    def timed(self, runs, fn):
        fn()  # warm-up (not timed)
        ts = []
        for _ in range(runs):
            s = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - s)
        return statistics.median(ts)


def vec(data, *labels):
    out = {}
    for r in data["result"]:
        out[tuple(r["metric"].get(l, "") for l in labels)] = float(r["value"][1])
    return out


# ---------------------------------------------------------------- slakit
def slakit_eval(slakit, csv, at_ms, window):
    p = subprocess.run([slakit, "eval", "--data", csv, "--target", "99.9", "--window", window,
                        "--at", str(at_ms), "--format", "json"],
                       check=True, stdout=subprocess.PIPE)
    return json.loads(p.stdout)


def time_cmd(runs, argv):
    ts = []
    for _ in range(runs):
        s = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        ts.append(time.perf_counter() - s)
    return statistics.median(ts)


def engine_bench(binary, preset, runs):
    names = ["BM_AvailabilityAllSeries", "BM_BudgetAllServices",
             "BM_BurnRatesAllServices/7", "BM_BurnRatesAllServices/4",
             "BM_DailyAvailabilityRange"]
    flt = "^(%s)$" % "|".join(n.replace("/", "/") for n in names)
    env = dict(os.environ, SLAKIT_BENCH_PRESET=preset)
    p = subprocess.run([binary, "--benchmark_filter=" + flt,
                        "--benchmark_repetitions=%d" % runs,
                        "--benchmark_report_aggregates_only=true",
                        "--benchmark_format=json"],
                       check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    d = json.loads(p.stdout)
    unit = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    out = {}
    for b in d["benchmarks"]:
        if b.get("aggregate_name") == "median":
            out[b["run_name"]] = b["real_time"] * unit[b["time_unit"]]
    return out


# ---------------------------------------------------------------- helpers
def fmt_s(s):
    if s is None:
        return "-"
    if s >= 1:
        return "%.2f s" % s
    if s >= 1e-3:
        return "%.2f ms" % (s * 1e3)
    return "%.2f us" % (s * 1e6)


def fmt_ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    r = a / b
    x = 1 / r if r < 1 else r
    xs = "%.0fx" % x if x >= 10 else "%.2gx" % x
    return "%.3g (%s %s)" % (r, xs, "faster" if r < 1 else "slower")


def iso(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms / 1000))


def err_ratio(w):
    # Pooled error ratio per service: failed samples / samples, like slakit's
    # bad/total (Pyrra's bool-gauge form).
    return ("(1 - sum by (service) (sum_over_time(probe_success[{w}]))"
            " / sum by (service) (count_over_time(probe_success[{w}])))").format(w=w)


def burn_query():
    parts = ['label_replace(%s / (1 - 0.999), "window", "%s", "", "")' % (err_ratio(w), w)
             for w in BURN_WINDOWS]
    return "\nor ".join(parts)


def page_query():
    thr = lambda f: "(%r * (1 - 0.999))" % f
    return " or ".join("((%s > %s) and (%s > %s))" % (err_ratio(l), thr(f), err_ratio(s), thr(f))
                       for l, s, f in PAGE_TIERS)


# ---------------------------------------------------------------- bench
def cmd_bench(a):
    meta = json.load(open(a.meta))
    T = a.at_ms
    days = a.days
    W = "%dd" % days
    start = T - days * DAY_MS
    # Prometheus 2.42 range selectors are closed, [t-R, t]; 3.x: (t-R, t].
    # slakit windows are half-open [at-R, at).  The workload has whole-second
    # timestamps, so evaluating Prometheus at tq = T - 1 ms selects
    # [T-R-1ms, T-1ms], i.e. exactly the samples in [T-R, T) under either
    # convention.
    tq = T - 1
    prom = Prom(a.url)
    problems = []
    notes = []

    def check(name, got, want, tol, rel=False):
        keys = sorted(set(got) | set(want))
        worst = 0.0
        bad = 0
        for k in keys:
            if k not in got or k not in want:
                bad += 1
                problems.append("%s: %s missing on %s" % (name, k, "Prometheus" if k not in got else "slakit"))
                continue
            d = abs(got[k] - want[k])
            if rel:
                d /= max(1.0, abs(want[k]))
            worst = max(worst, d)
            if d > tol:
                bad += 1
                if bad <= 5:
                    problems.append("%s %s: Prometheus %.17g slakit %.17g" % (name, k, got[k], want[k]))
        notes.append("%-44s %5d values, max |diff| %.2g (tol %g%s): %s" %
                     (name, len(keys), worst, tol, " rel" if rel else "", "OK" if bad == 0 else "%d DISAGREE" % bad))

    # --- slakit answers (CLI)
    ev = slakit_eval(a.slakit, a.csv, T, W)
    s_series = {(r["service"], r["probe"]): r["availability"] for r in ev["series"]}
    s_total = {(r["service"], r["probe"]): float(r["total"]) for r in ev["series"]}
    s_budget = {(r["service"],): r["error_budget"]["remaining"] for r in ev["services"]}
    s_burn = {(r["service"], w): float(r["burn_rates"][w]) for r in ev["services"] for w in BURN_WINDOWS}
    s_page = {(r["service"],) for r in ev["services"]
              if any(al.get("severity") == "page" and al.get("state") == "firing" for al in r.get("alerts", []))}

    # --- boundary convention, shown empirically
    c_at_T = vec(prom.query("count_over_time(probe_success[%s])" % W, T), "service", "probe")
    c_at_tq = vec(prom.query("count_over_time(probe_success[%s])" % W, tq), "service", "probe")
    d1_closed = vec(prom.query("count_over_time(probe_success[1d])", start + DAY_MS), "service", "probe")
    d1_half = vec(prom.query("count_over_time(probe_success[1d])", start + DAY_MS - 1), "service", "probe")
    check("samples per series, 30d (Prom at T-1ms)", c_at_tq, s_total, 0)
    notes.append("boundary: count_over_time[%s] at T: %d..%d per series, at T-1ms: %d..%d; "
                 "[1d] at start+1d: %d..%d (closed: a sample on each end), at start+1d-1ms: %d..%d" % (
                     W, min(c_at_T.values()), max(c_at_T.values()), min(c_at_tq.values()), max(c_at_tq.values()),
                     min(d1_closed.values()), max(d1_closed.values()), min(d1_half.values()), max(d1_half.values())))

    # --- the questions: answers + timing
    rows = []
    q_a = "avg_over_time(probe_success[%s])" % W
    p_a = vec(prom.query(q_a, tq), "service", "probe")
    check("(a) 30d availability per series", p_a, s_series, 1e-9)
    t_a = prom.timed(a.runs, lambda: prom.query(q_a, tq))

    q_c = "1 - (1 - avg by (service) (avg_over_time(probe_success[%s]))) / (1 - 0.999)" % W
    p_c = vec(prom.query(q_c, tq), "service")
    check("(b) budget remaining per service", p_c, s_budget, 1e-9)
    t_c = prom.timed(a.runs, lambda: prom.query(q_c, tq))

    q_b = burn_query()
    p_b = vec(prom.query(q_b, tq), "service", "window")
    check("(c) burn rates, 7 windows per service", p_b, s_burn, 1e-9, rel=True)
    t_b = prom.timed(a.runs, lambda: prom.query(q_b, tq))

    q_p = page_query()
    p_p = set(vec(prom.query(q_p, tq), "service"))
    notes.append("%-44s Prometheus %s, slakit %s: %s" % (
        "(c') page condition firing", sorted(k[0] for k in p_p), sorted(k[0] for k in s_page),
        "OK" if p_p == s_page else "DISAGREE"))
    if p_p != s_page:
        problems.append("page condition: Prometheus %s slakit %s" % (sorted(p_p), sorted(s_page)))
    t_p = prom.timed(a.runs, lambda: prom.query(q_p, tq))

    q_d = "avg by (service) (avg_over_time(probe_success[1d]))"
    rs, re_ = start + DAY_MS - 1, T - 1
    p_d = {}
    for r in prom.query_range(q_d, rs, re_, 86400)["result"]:
        for t, v in r["values"]:
            p_d[(r["metric"]["service"], int(round(float(t) * 1000)) + 1)] = float(v)
    s_d = {}
    for i in range(1, days + 1):
        e = slakit_eval(a.slakit, a.csv, start + i * DAY_MS, "1d")
        for r in e["services"]:
            s_d[(r["service"], start + i * DAY_MS)] = r["availability"]
    check("(d) daily availability per service", p_d, s_d, 1e-9)
    t_d = prom.timed(a.runs, lambda: prom.query_range(q_d, rs, re_, 86400))

    # --- slakit timings
    sys.stdout.flush()
    subprocess.run(["cat", a.csv], stdout=subprocess.DEVNULL)  # warm the page cache
    t_eval = time_cmd(a.runs, [a.slakit, "eval", "--data", a.csv, "--target", "99.9", "--window", W,
                               "--at", iso(T), "--format", "json"])
    eb = engine_bench(a.engine_benchmark, a.preset, a.runs) if a.engine_benchmark else {}

    n_series = len(p_a)
    n_svc = len(p_c)
    rows = [
        ("30d availability, %d series" % n_series, t_a, eb.get("BM_AvailabilityAllSeries"), "in-process"),
        ("budget remaining, %d services" % n_svc, t_c, eb.get("BM_BudgetAllServices"), "in-process"),
        ("burn rates 5m..3d (7 windows), %d services" % n_svc, t_b, eb.get("BM_BurnRatesAllServices/7"), "in-process"),
        ("page check 1h&5m/6h&30m, %d services" % n_svc, t_p, eb.get("BM_BurnRatesAllServices/4"), "in-process (4 rates)"),
        ("daily availability range, %d days x %d svc" % (days, n_svc), t_d, eb.get("BM_DailyAvailabilityRange"), "in-process"),
        ("all of (a)+(b)+(c): Prom sum vs slakit eval CSV e2e", t_a + t_c + t_b, t_eval, "end to end, incl. CSV parse"),
        ("load: promtool backfill vs slakit eval e2e", a.backfill_s, t_eval, "end to end"),
        ("load incl. OpenMetrics conversion vs slakit eval", a.backfill_s + a.convert_s, t_eval, "end to end"),
    ]
    print()
    print("## slakit vs Prometheus 2.42, preset %s: %d rows, %d series, %d services, %d days; "
          "evaluated at %s; medians of %d runs" % (a.preset, meta["rows"], n_series, n_svc, days, iso(T), a.runs))
    print("machine: %s" % a.machine)
    print()
    hdr = ("question", "Prometheus median", "slakit median", "ratio slakit/Prometheus", "slakit figure")
    table = [hdr] + [(q, fmt_s(p), fmt_s(s), fmt_ratio(s, p), how) for q, p, s, how in rows]
    wid = [max(len(r[i]) for r in table) for i in range(len(hdr))]
    for j, r in enumerate(table):
        print("| " + " | ".join(c.ljust(wid[i]) for i, c in enumerate(r)) + " |")
        if j == 0:
            print("|" + "|".join("-" * (w + 2) for w in wid) + "|")
    print()
    print("other: generate %.2f s, OpenMetrics conversion %.2f s, promtool backfill %.2f s, "
          "TSDB %d bytes on disk = %.2f bytes/sample; Prometheus queried at T-1ms over HTTP "
          "(client round trip, keep-alive), slakit eval timed as a process" % (
              a.gen_s, a.convert_s, a.backfill_s, a.tsdb_bytes,
              a.tsdb_bytes / max(1, meta.get("samples", meta["rows"]))))
    print()
    print("## agreement (Prometheus at T-1ms vs slakit at T, half-open [T-R, T))")
    for n in notes:
        print("- " + n)
    if problems:
        print()
        print("DISAGREEMENTS:")
        for p in problems[:40]:
            print("  " + p)
        sys.exit(1)
    print("all answers agree")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    o = sub.add_parser("openmetrics")
    o.add_argument("csv"); o.add_argument("out"); o.add_argument("meta")
    o.add_argument("--no-latency", dest="latency", action="store_false",
                   help="backfill probe_success only (no probe_duration_seconds)")
    s = sub.add_parser("settle")
    s.add_argument("url"); s.add_argument("pid", type=int); s.add_argument("max_s", type=float)
    b = sub.add_parser("bench")
    b.add_argument("--url", required=True)
    b.add_argument("--csv", required=True)
    b.add_argument("--meta", required=True)
    b.add_argument("--at-ms", type=int, required=True)
    b.add_argument("--days", type=int, required=True)
    b.add_argument("--slakit", required=True)
    b.add_argument("--engine-benchmark", default="")
    b.add_argument("--preset", required=True)
    b.add_argument("--runs", type=int, default=5)
    b.add_argument("--gen-s", type=float, default=0)
    b.add_argument("--convert-s", type=float, default=0)
    b.add_argument("--backfill-s", type=float, default=0)
    b.add_argument("--tsdb-bytes", type=int, default=0)
    b.add_argument("--machine", default="")
    a = ap.parse_args()
    {"openmetrics": cmd_openmetrics, "settle": cmd_settle, "bench": cmd_bench}[a.cmd](a)


if __name__ == "__main__":
    main()
