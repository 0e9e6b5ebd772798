#!/usr/bin/python3
"""`slakit import` into a durable store, and eval/report with --data-dir give
the same answers as with --data; JSON lines and Prometheus text (blackbox
exporter) imports, --format, and their errors.

Usage: import_test.py --slakit PATH
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile

passed = 0
failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL %s %s" % (name, str(detail)[:2000]))


def run(*args):
    return subprocess.run([SLAKIT, *args], capture_output=True, text=True, timeout=120)


CONFIG = """\
timezone: Europe/Paris
services:
  - name: svc-000
    contract: {target: 99.9, downtime: {interval: 5m, max_error_ratio: 0.2}}
    objectives: [{name: availability, target: 99.5, window: 30d}]
  - {name: svc-001, owner: provider, contract: {target: 99.95}}
applications:
  - {name: app, components: "all_of(svc-000, svc-001)"}
"""


# What `slakit probe --format json` prints, a blank line, then a row written
# by hand with timestamp_ms and ok.
PROBER_JSONL = """\
{"service":"api","probe":"health","kind":"http","timestamp":"2024-01-02T00:00:00.000Z","outcome":"ok","latency_ms":12.5,"reason":""}
{"timestamp":"2024-01-02T01:00:30+01:00","service":"api","probe":"health","outcome":"timeout","latency_ms":2000,"reason":"timed out after 2s"}

{"timestamp_ms":1704153660000,"service":"api","probe":"health","ok":true}
"""
# The same results as CSV.
PROBER_CSV = """\
timestamp_ms,service,probe,ok,latency_ms
1704153600000,api,health,1,12.5
1704153630000,api,health,0,2000
1704153660000,api,health,1,0
"""

# A raw blackbox_exporter /probe scrape: no labels, no timestamps.
RAW_SCRAPE = """\
# HELP probe_dns_lookup_time_seconds Returns the time taken for probe dns lookup in seconds
# TYPE probe_dns_lookup_time_seconds gauge
probe_dns_lookup_time_seconds 0.0041
# HELP probe_duration_seconds Returns how long the probe took to complete in seconds
# TYPE probe_duration_seconds gauge
probe_duration_seconds 0.0421
# HELP probe_http_status_code Response HTTP status code
# TYPE probe_http_status_code gauge
probe_http_status_code 200
# HELP probe_success Displays whether or not the probe was a success
# TYPE probe_success gauge
probe_success 1
"""
RAW_SCRAPE_SUCCESS_LINE = 12

# Samples as Prometheus stores a blackbox target (job, instance, timestamps).
STORED_PROM = """\
probe_duration_seconds{instance="https://example.com",job="blackbox"} 0.2 1704153600000
probe_success{instance="https://example.com",job="blackbox"} 1 1704153600000
probe_success{instance="https://example.com",job="blackbox"} 0 1704153660000
probe_http_status_code{instance="https://example.com",job="blackbox"} 503 1704153660000
"""


def eval_series(*args):
    """(service, probe) -> (good, total) from `slakit eval --format json`."""
    r = run("eval", *args, "--at", "2024-01-02T00:05:00Z", "--window", "1h", "--format", "json")
    if r.returncode != 0:
        return r.stderr
    return {(s["service"], s["probe"]): (s["good"], s["total"]) for s in json.loads(r.stdout)["series"]}


def check_other_formats(tmp):
    def write(name, text, mode="w"):
        path = os.path.join(tmp, name)
        with open(path, mode) as f:
            f.write(text)
        return path

    # JSON lines: what the prober prints imports back, exactly like the CSV.
    jsonl = write("probe.jsonl", PROBER_JSONL)
    csv = write("probe.csv", PROBER_CSV)
    store = os.path.join(tmp, "store-jsonl")
    r = run("import", "--data-dir", store, jsonl)
    check("jsonl import", r.returncode == 0 and "3 results added, 0 already there" in r.stdout and
          "1 series" in r.stdout, r.stdout + r.stderr)
    r = run("import", "--data-dir", store, jsonl)
    check("jsonl re-import adds nothing", r.returncode == 0 and "0 results added, 3 already there" in r.stdout,
          r.stdout + r.stderr)
    check("jsonl counts", eval_series("--data-dir", store) == {("api", "health"): (2, 3)},
          eval_series("--data-dir", store))
    at = ["--at", "2024-01-02T00:05:00Z", "--window", "1h", "--format", "json"]
    a = run("eval", "--data", csv, *at)
    b = run("eval", "--data-dir", store, *at)
    check("jsonl and csv same answers", a.returncode == 0 and a.stdout == b.stdout, (a.stderr, b.stderr))

    # A malformed line: the error names file and line, nothing is stored.
    bad = write("bad.jsonl", PROBER_JSONL + '{"timestamp_ms":1704153720000,"service":"api",'
                '"probe":"health","ok":"yes"}\n')
    r = run("import", "--data-dir", store, bad)
    check("bad jsonl exit 2", r.returncode == 2 and
          "bad.jsonl:5: field 'ok': expected true, false, 0 or 1, got \"yes\"" in r.stderr and
          "nothing was read" in r.stderr, r.stderr)
    check("bad jsonl stored nothing", eval_series("--data-dir", store) == {("api", "health"): (2, 3)},
          eval_series("--data-dir", store))
    fresh = os.path.join(tmp, "store-never")
    r = run("import", "--data-dir", fresh, bad)
    check("bad jsonl creates no store", r.returncode == 2 and not os.path.exists(fresh), r.stderr)

    # --format: overrides the extension; needed when it says nothing.
    odd = write("results.log", PROBER_JSONL)
    r = run("import", "--data-dir", store, odd)
    check("unknown extension asks for --format", r.returncode == 2 and
          "cannot tell the format of" in r.stderr and "--format" in r.stderr and
          not os.path.exists(os.path.join(store, "results.log")), r.stderr)
    # (The same bytes as probe.jsonl: recognised as already imported.)
    r = run("import", "--data-dir", store, "--format", "jsonl", odd)
    check("--format jsonl", r.returncode == 0 and "0 results added, 3 already there" in r.stdout,
          r.stdout + r.stderr)
    disguised = write("results.csv", PROBER_JSONL)
    r = run("import", "--data-dir", store, disguised)
    check("a .csv is read as CSV", r.returncode == 2 and "results.csv:1: the header must be" in r.stderr, r.stderr)
    r = run("import", "--data-dir", store, "--format", "ndjson", disguised)
    check("--format overrides .csv", r.returncode == 0 and "3 already there" in r.stdout, r.stderr)
    r = run("import", "--data-dir", store, "--format", "xml", jsonl)
    check("unknown --format", r.returncode == 2 and
          "--format: unknown format 'xml' (expected csv, jsonl or prom)" in r.stderr, r.stderr)
    r = run("import", "--data-dir", store, "--service", "web", jsonl)
    check("--service is for prom only", r.returncode == 2 and "Prometheus text" in r.stderr, r.stderr)
    gz = write("probe.csv.gz", gzip.compress(PROBER_CSV.encode()), "wb")
    r = run("import", "--data-dir", store, gz)
    check("compressed file", r.returncode == 2 and "decompress it first" in r.stderr, r.stderr)
    r = run("import", "--data-dir", store, "--format", "csv", gz)
    check("compressed content", r.returncode == 2 and "gzip-compressed" in r.stderr, r.stderr)

    # Prometheus text: a raw blackbox scrape needs --service, --probe, --at.
    scrape = write("scrape.prom", RAW_SCRAPE)
    pstore = os.path.join(tmp, "store-prom")
    r = run("import", "--data-dir", pstore, scrape)
    check("raw scrape without defaults", r.returncode == 2 and
          "scrape.prom:%d: probe_success: no timestamp" % RAW_SCRAPE_SUCCESS_LINE in r.stderr and
          "--at" in r.stderr and not os.path.exists(pstore), r.stderr)
    defaults = ["--service", "web", "--probe", "home"]
    r = run("import", "--data-dir", pstore, *defaults, "--at", "2024-01-02T00:00:00Z", scrape)
    check("raw scrape import", r.returncode == 0 and "1 results added, 0 already there" in r.stdout,
          r.stdout + r.stderr)
    r = run("import", "--data-dir", pstore, *defaults, "--at", "1704153600000", scrape)
    check("raw scrape re-import adds nothing", r.returncode == 0 and "0 results added, 1 already there" in r.stdout,
          r.stdout + r.stderr)
    r = run("import", "--data-dir", pstore, *defaults, "--at", "2024-01-02T00:01:00Z", scrape)
    check("same scrape file at another time is new data", r.returncode == 0 and
          "1 results added" in r.stdout, r.stdout + r.stderr)
    r = run("import", "--data-dir", pstore, *defaults, "--at", "yesterday", scrape)
    check("bad --at", r.returncode == 2 and "--at: time 'yesterday'" in r.stderr, r.stderr)
    stored = write("stored.txt", STORED_PROM)
    r = run("import", "--data-dir", pstore, stored)
    check("stored prom import (.txt)", r.returncode == 0 and "2 results added" in r.stdout, r.stdout + r.stderr)
    check("prom counts", eval_series("--data-dir", pstore) ==
          {("web", "home"): (2, 2), ("blackbox", "https://example.com"): (1, 2)},
          eval_series("--data-dir", pstore))
    mismatched = write("mismatched.prom", STORED_PROM.replace("0.2 1704153600000", "0.2 1704153600001"))
    r = run("import", "--data-dir", pstore, "--format", "prom", mismatched)
    check("duration without success", r.returncode == 2 and
          "mismatched.prom:1: probe_duration_seconds: no probe_success with the same labels and timestamp"
          in r.stderr, r.stderr)
    check("mismatched prom stored nothing", eval_series("--data-dir", pstore) ==
          {("web", "home"): (2, 2), ("blackbox", "https://example.com"): (1, 2)},
          eval_series("--data-dir", pstore))

    r = run("import", "--help")
    check("import help", r.returncode == 0 and all(w in r.stdout for w in (
        "--format", "csv, jsonl or prom", "JSON", "blackbox_exporter", "--at", "--service", "--probe")),
          r.stdout)


def main():
    global SLAKIT
    ap = argparse.ArgumentParser()
    ap.add_argument("--slakit", required=True)
    SLAKIT = ap.parse_args().slakit
    with tempfile.TemporaryDirectory() as tmp:
        csv = os.path.join(tmp, "tiny.csv")
        check("generate", run("generate", "--preset", "tiny", "--out", csv).returncode == 0)
        store = os.path.join(tmp, "store")
        r = run("import", "--data-dir", store, csv)
        check("import", r.returncode == 0 and "17280 results added, 0 already there" in r.stdout,
              r.stdout + r.stderr)
        check("import wrote a snapshot", any(f.endswith(".snap") for f in os.listdir(store)), os.listdir(store))
        r = run("import", "--data-dir", store, csv)
        check("re-import adds nothing", r.returncode == 0 and "0 results added, 17280 already there" in r.stdout,
              r.stdout)
        at = ["--at", "2024-01-03T00:00:00Z", "--window", "2d", "--format", "json"]
        a = run("eval", "--data", csv, *at)
        b = run("eval", "--data-dir", store, *at)
        check("eval same answers", a.returncode == 0 and a.stdout == b.stdout, (a.stderr, b.stderr))
        cfg = os.path.join(tmp, "slakit.yaml")
        with open(cfg, "w") as f:
            f.write(CONFIG)
        a = run("report", "--config", cfg, "--data", csv, "--month", "2024-01")
        b = run("report", "--config", cfg, "--data-dir", store, "--month", "2024-01")
        check("report same answers", a.returncode == 0 and a.stdout == b.stdout, (a.stderr, b.stderr))

        # The configuration kept in the store.
        r = run("report", "--data-dir", store, "--month", "2024-01")
        check("no kept config", r.returncode == 2 and "holds no configuration" in r.stderr, r.stderr)
        badcfg = os.path.join(tmp, "bad.yaml")
        with open(badcfg, "w") as f:
            f.write("services: [{name: x, contract: {target: 101}}]\n")
        r = run("import", "--data-dir", store, "--config", badcfg)
        check("invalid config not kept", r.returncode == 2 and "101" in r.stderr and
              not os.path.exists(os.path.join(store, "slakit.yaml")), r.stderr)
        r = run("import", "--data-dir", store, "--config", cfg)
        check("config kept", r.returncode == 0 and os.path.exists(os.path.join(store, "slakit.yaml")),
              r.stdout + r.stderr)
        c = run("report", "--data-dir", store, "--month", "2024-01")
        check("report with kept config", c.returncode == 0 and c.stdout.replace(store + "/slakit.yaml", "") ==
              a.stdout.replace(cfg, ""), (c.stderr, c.stdout[:300]))

        # The remediation audit `slakit serve` keeps in the store: the
        # report lists the month's runs (and only those).
        with open(os.path.join(store, "remediation.jsonl"), "w") as f:
            for seq, at_text in ((1, "2024-01-02T00:10:00Z"), (2, "2024-02-01T00:00:00Z")):
                f.write('{"seq":%d,"at":"%s","service":"svc-000","objective":"availability",'
                        '"severity":"page","action":"/bin/restart","alert_state":"firing",'
                        '"decision":"dry-run","reason":"alert entered firing","started":null,'
                        '"finished":null,"result_code":"OK","result_message":""}\n' % (seq, at_text))
        r = run("report", "--data-dir", store, "--month", "2024-01", "--format", "json")
        doc = json.loads(r.stdout) if r.returncode == 0 else {}
        runs = doc.get("remediation", [])
        check("report lists the month's remediation runs",
              [x.get("seq") for x in runs] == [1] and runs[0].get("decision") == "dry-run",
              (r.stderr, runs))
        with open(os.path.join(store, "remediation.jsonl"), "a") as f:
            f.write("not json\n{}\n")
        r = run("report", "--data-dir", store, "--month", "2024-01")
        check("damaged audit file is an error naming its line",
              r.returncode != 0 and "remediation.jsonl:3" in r.stderr, r.stderr)
        os.remove(os.path.join(store, "remediation.jsonl"))

        # A malformed file imports nothing.
        bad = os.path.join(tmp, "bad.csv")
        with open(bad, "w") as f:
            f.write("timestamp_ms,service,probe,ok,latency_ms\n"
                    "1704240000000,svc-000,p00,1,1\n1704240060000,svc-000,p00,2,1\n")
        r = run("import", "--data-dir", store, bad)
        check("bad import exit 2", r.returncode == 2 and "bad.csv:3" in r.stderr, r.stderr)
        c = run("eval", "--data-dir", store, *at)
        check("bad import changed nothing", c.stdout == run("eval", "--data", csv, *at).stdout)

        # Usage errors.
        r = run("eval", "--data", csv, "--data-dir", store, *at)
        check("both sources rejected", r.returncode == 2 and "exactly one" in r.stderr, r.stderr)
        r = run("eval", "--data-dir", os.path.join(tmp, "none"), *at)
        check("missing store", r.returncode == 2 and "none" in r.stderr, r.stderr)
        r = run("import", "--data-dir", store, os.path.join(tmp, "missing.csv"))
        check("missing file", r.returncode == 2 and "missing.csv" in r.stderr, r.stderr)

        check_other_formats(tmp)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
