#!/usr/bin/python3
"""`slakit import` into a durable store, and eval/report with --data-dir give
the same answers as with --data.

Usage: import_test.py --slakit PATH
"""
import argparse
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
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
