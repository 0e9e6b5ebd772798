#!/usr/bin/python3
"""End-to-end checks of `slakit report` and `slakit catalog`.

Usage: report_test.py --slakit PATH
"""
import argparse
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
from fractions import Fraction

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
timezone: UTC
services:
  - name: svc-000
    owner: application
    objectives:
      - {name: availability, target: 99.5, window: 30d}
  - name: svc-001
    owner: provider
    contract: {catalog: azure/app-service, target: 99.95, downtime: {interval: 1m},
               credits: [{below: 99.95, credit: 10}, {below: 99, credit: 25}]}
  - name: svc-002
    owner: provider
    contract: {target: 99.99, downtime: {interval: 5m, max_error_ratio: 0.1, no_data: excluded}}
applications:
  - name: shop
    components: {all_of: [svc-000, {any_of: [svc-001, svc-002]}]}
    objectives:
      - {name: availability, target: 99.5, window: month}
maintenance:
  - {service: svc-001, start: 2024-01-01T02:00:00Z, end: 2024-01-01T03:00:00Z}
"""


def main():
    global SLAKIT
    ap = argparse.ArgumentParser()
    ap.add_argument("--slakit", required=True)
    SLAKIT = ap.parse_args().slakit

    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "tiny.csv")
        r = run("generate", "--preset", "tiny", "--out", data)
        check("generate", r.returncode == 0, r.stderr)
        cfg = os.path.join(tmp, "slakit.yaml")
        with open(cfg, "w") as f:
            f.write(CONFIG)

        r = run("report", "--config", cfg, "--data", data, "--month", "2024-01")
        check("report json exit", r.returncode == 0, r.stderr)
        rep = json.loads(r.stdout)
        check("top-level keys", list(rep)[:4] == ["month", "timezone", "period", "catalog_version"] and
              {"services", "applications"} <= set(rep), list(rep))
        check("month", rep["month"] == "2024-01" and rep["timezone"] == "UTC")
        svc = {s["name"]: s for s in rep["services"]}
        check("services in config order", [s["name"] for s in rep["services"]] == ["svc-000", "svc-001", "svc-002"])
        keys = ["name", "owner", "target_percent", "uptime_percent", "intervals", "down_intervals",
                "excluded_intervals", "downtime_minutes", "met", "credit_percent", "incidents",
                "objectives", "catalog_status"]
        for s in rep["services"]:
            check("service keys " + s["name"], all(k in s for k in keys), sorted(s))
        # No contract: null uptime and target.
        check("no contract", svc["svc-000"]["uptime_percent"] is None and svc["svc-000"]["met"] is None)
        # The tiny workload covers 2 days with one result per minute per probe.
        check("results", svc["svc-000"]["results"]["total"] == 2 * 2 * 1440, svc["svc-000"]["results"])
        # svc-001: 1m intervals over January (44,640); the maintenance hour
        # counts as downtime (Azure terms via the catalog); no data is up.
        s1 = svc["svc-001"]
        check("svc-001 intervals", s1["intervals"] == 44640, s1["intervals"])
        check("svc-001 maintenance down", s1["excluded_intervals"] == 0, s1["excluded_intervals"])
        up = Fraction(s1["intervals"] - s1["excluded_intervals"] - s1["down_intervals"],
                      s1["intervals"] - s1["excluded_intervals"])
        check("svc-001 uptime by hand", abs(s1["uptime_percent"] - float(100 * up)) < 1e-9,
              (s1["uptime_percent"], float(100 * up)))
        check("svc-001 down >= maintenance hour", s1["down_intervals"] >= 60, s1["down_intervals"])
        check("svc-001 catalog", s1["catalog_status"] == "partial" and "not confirmed" in s1["catalog_note"], s1)
        met = 100 * up >= Fraction(9995, 100)
        check("svc-001 met", s1["met"] == met)
        want_credit = 0 if met else (25 if 100 * up < 99 else 10)
        check("svc-001 credit", s1["credit_percent"] == want_credit, (s1["credit_percent"], want_credit))
        check("svc-001 incident minutes", sum(i["minutes"] for i in s1["incidents"]) == s1["downtime_minutes"])
        # svc-002: 5m intervals, no data excluded: only the 2 days count.
        s2 = svc["svc-002"]
        check("svc-002 intervals", s2["intervals"] == 44640 // 5, s2["intervals"])
        check("svc-002 excluded", s2["excluded_intervals"] == 44640 // 5 - 2 * 288, s2["excluded_intervals"])
        check("svc-002 downtime = 5 x down", s2["downtime_minutes"] == 5 * s2["down_intervals"])
        # Application: 44,640 minutes, of which 2 days have data.
        app = rep["applications"][0]
        m = app["minutes"]
        check("app minutes", m["up"] + m["down"] + m["no_data"] == 44640 and m["up"] + m["down"] == 2880, m)
        check("app observed", abs(app["observed_availability_percent"] - 100.0 * m["up"] / (m["up"] + m["down"])) < 1e-9)
        check("app theoretical unset", app["theoretical_sla_percent"] is None and "svc-000" in app["theoretical_note"])
        att = app["attribution"]
        own = att["owners"]
        check("attribution sums",
              own["provider"]["exclusive_intervals"] + own["application"]["exclusive_intervals"] +
              att["mixed_owner_intervals"] + att["unattributed_intervals"] == m["down"], (att, m))
        obj = app["objectives"][0]
        check("app objective window", obj["from"] == "2024-01-01T00:00:00Z" and obj["to"] == "2024-02-01T00:00:00Z", obj)
        check("app objective counts", obj["good"] == m["up"] and obj["total"] == m["up"] + m["down"], obj)

        # CSV and Markdown.
        r = run("report", "--config", cfg, "--data", data, "--month", "2024-01", "--format", "csv")
        rows = list(csv.DictReader(io.StringIO(r.stdout)))
        check("csv rows", r.returncode == 0 and [x["service"] for x in rows] == ["svc-000", "svc-001", "svc-002"], r.stdout)
        check("csv uptime", rows[1]["uptime_percent"] != "" and abs(float(rows[1]["uptime_percent"]) - s1["uptime_percent"]) < 1e-12)
        r = run("report", "--config", cfg, "--data", data, "--month", "2024-01", "--format", "md")
        check("md", r.returncode == 0 and "# SLA compliance report, 2024-01" in r.stdout and
              "| svc-001 | provider | 99.95% |" in r.stdout and "not confirmed" in r.stdout, r.stdout[:500])
        out = os.path.join(tmp, "report.json")
        r = run("report", "--config", cfg, "--data", data, "--month", "2024-01", "--out", out)
        check("--out", r.returncode == 0 and "wrote " + out in r.stdout and
              json.load(open(out)) == rep, r.stdout + r.stderr)

        # Bad input.
        r = run("report", "--config", cfg, "--data", data, "--month", "2024-1")
        check("bad month", r.returncode == 2 and "--month" in r.stderr, r.stderr)
        r = run("report", "--config", cfg, "--data", data, "--month", "2024-01", "--format", "pdf")
        check("bad format", r.returncode == 2 and "--format" in r.stderr, r.stderr)
        r = run("report", "--config", os.path.join(tmp, "none.yaml"), "--data", data, "--month", "2024-01")
        check("missing config", r.returncode == 2 and "none.yaml" in r.stderr, r.stderr)

    # Catalog.
    r = run("catalog", "list")
    check("catalog list", r.returncode == 0 and "azure/app-service" in r.stdout and "entries, catalog version" in r.stdout)
    lines = [l for l in r.stdout.splitlines() if l.startswith("azure/app-service ")]
    check("catalog list marks unconfirmed", lines and "not confirmed" in lines[0], lines)
    r = run("catalog", "show", "azure/sql-database")
    check("catalog show", r.returncode == 0 and "99.99%" in r.stdout and "https://" in r.stdout, r.stdout)
    r = run("catalog", "show", "aws/rds-multi-az")
    check("catalog unknown id", r.returncode == 2 and "aws/rds/multi-az" in r.stderr, r.stderr)

    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
