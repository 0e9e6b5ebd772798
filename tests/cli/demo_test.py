#!/usr/bin/python3
"""End-to-end checks of `slakit demo`, `slakit generate` and the command
line itself (help, usage errors, exit codes).

Usage: demo_test.py --slakit PATH
"""
import argparse
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
        print("FAIL %s %s" % (name, detail))


def run(*args):
    return subprocess.run([SLAKIT, *args], capture_output=True, text=True, timeout=120)


def main():
    global SLAKIT
    ap = argparse.ArgumentParser()
    ap.add_argument("--slakit", required=True)
    SLAKIT = ap.parse_args().slakit

    with tempfile.TemporaryDirectory() as tmp:
        out_dir = os.path.join(tmp, "demo")
        r = run("demo", "--out-dir", out_dir)
        check("demo exit", r.returncode == 0, r.stderr)
        for f in ("report.html", "report.json", "report.md", "slakit.yaml", "results.csv"):
            check("demo wrote " + f, os.path.getsize(os.path.join(out_dir, f)) > 0)
        for needle in ("fleet-telemetry", "provider outage", "application bug", "brownout",
                       "maintenance", "telemetry", "portal", "credit"):
            check("demo summary has " + needle, needle in r.stdout, r.stdout)
        with open(os.path.join(out_dir, "report.json")) as f:
            d = json.load(f)
        check("demo month", d["month"] == "2024-01" and d["timezone"] == "Europe/Paris")
        svc = {s["name"]: s for s in d["services"]}
        check("demo services", list(svc) == ["web", "sql", "bus", "iothub", "functions"], list(svc))
        # January in Paris: 744 hours = 44,640 one-minute intervals. The SQL
        # catalog terms: a minute is down when every check fails, maintenance
        # counts as downtime. Down: the 42-minute outage (13:10 to 13:52 UTC
        # on Jan 9) and the 60-minute maintenance window; three probes
        # failing in the same minute by chance (p = 0.0004^3) never happens.
        sql = svc["sql"]
        check("demo sql intervals", sql["intervals"] == 44640, sql["intervals"])
        check("demo sql down", sql["down_intervals"] == 102, sql["down_intervals"])
        check("demo sql uptime", abs(sql["uptime_percent"] - 100.0 * (44640 - 102) / 44640) < 1e-12,
              sql["uptime_percent"])
        check("demo sql incidents", [(i["start"], i["end"], i["minutes"]) for i in sql["incidents"]] ==
              [("2024-01-09T13:10:00Z", "2024-01-09T13:52:00Z", 42),
               ("2024-01-14T01:00:00Z", "2024-01-14T02:00:00Z", 60)], sql["incidents"])
        # 99.77% < 99.99 and >= 99: the 10% tier of the catalog's ladder.
        check("demo sql credit", sql["met"] is False and sql["credit_percent"] == 10, sql)
        check("demo sql catalog confirmed", sql["catalog_status"] == "confirmed" and sql["catalog_note"] == "")
        check("demo bus not confirmed", svc["bus"]["catalog_status"] == "secondary" and
              "not confirmed" in svc["bus"]["catalog_note"], svc["bus"])
        check("demo functions no contract", svc["functions"]["uptime_percent"] is None)
        apps = {a["name"]: a for a in d["applications"]}
        tel = apps["telemetry"]
        # The functions bug is the application's; the SQL outage is covered
        # by the bus (any_of) and costs the telemetry nothing by itself.
        own = tel["attribution"]["owners"]
        check("demo telemetry application minutes", own["application"]["exclusive_intervals"] >= 100,
              own)
        check("demo telemetry provider minutes", own["provider"]["exclusive_intervals"] >= 1, own)
        comp = {c["name"]: c for c in tel["attribution"]["components"]}
        check("demo sql outage not counted alone", comp["sql"]["sole_intervals"] == 0, comp["sql"])
        m = tel["minutes"]
        check("demo telemetry minutes", m["up"] + m["down"] + m["no_data"] == 44640 and m["no_data"] == 0, m)
        # portal = all_of(web, sql): the SQL outage and maintenance are the
        # provider's, alone.
        por = apps["portal"]["attribution"]
        check("demo portal sql sole", {c["name"]: c for c in por["components"]}["sql"]["sole_intervals"] >= 102,
              por)
        check("demo portal theoretical", abs(apps["portal"]["theoretical_sla_percent"] - 99.95 * 0.9999) < 1e-9,
              apps["portal"]["theoretical_sla_percent"])
        # Same seed, same bytes; the files re-run through `slakit report`.
        run("demo", "--out-dir", out_dir + "2")
        for f in ("report.json", "report.html", "results.csv"):
            with open(os.path.join(out_dir, f), "rb") as a, open(os.path.join(out_dir + "2", f), "rb") as b:
                check("demo deterministic " + f, a.read() == b.read())
        r = run("report", "--config", os.path.join(out_dir, "slakit.yaml"), "--data",
                os.path.join(out_dir, "results.csv"), "--month", "2024-01")
        check("demo re-run report", r.returncode == 0 and json.loads(r.stdout) == d, r.stderr)
        r = run("demo", "--out-dir", out_dir + "3", "--seed", "7", "--format", "json")
        check("demo other seed", r.returncode == 0 and json.loads(r.stdout) != d)
        check("demo json stdout", json.loads(r.stdout)["month"] == "2024-01")

    # help and usage errors.
    r = run("--help")
    check("help exit", r.returncode == 0)
    for sub in ("demo", "eval", "generate", "check"):
        check("help lists " + sub, sub in r.stdout, r.stdout)
    r = run("eval", "--help")
    check("eval help", r.returncode == 0 and "--window" in r.stdout and "--at" in r.stdout)
    r = run()
    check("no subcommand exit 2", r.returncode == 2, r.returncode)
    r = run("eval", "--target", "99.9", "--at", "0")
    check("eval missing --data exit 2", r.returncode == 2 and "--data" in r.stderr, r.stderr)
    r = run("demo", "--format", "xml")
    check("demo bad format", r.returncode == 2 and "--format" in r.stderr, r.stderr)
    r = run("demo", "--out-dir", "/proc/no/such/dir")
    check("demo bad out-dir", r.returncode == 2 and "--out-dir" in r.stderr, r.stderr)
    # A stray timestamp far from the others (seconds instead of ms) is bad
    # input, not a reason to hold years of minutes in memory.
    with tempfile.TemporaryDirectory() as tmp:
        far = os.path.join(tmp, "far.csv")
        with open(far, "w") as f:
            f.write("timestamp_ms,service,probe,ok,latency_ms\n"
                    "1704067200,a,p,1,1\n1704067200000,a,p,1,1\n")
        r = run("eval", "--data", far, "--at", "2024-01-02T00:00:00Z")
        check("eval far timestamps exit 2", r.returncode == 2 and "at most 400 days" in r.stderr,
              (r.returncode, r.stderr))
        far2 = os.path.join(tmp, "far2.csv")
        with open(far2, "w") as f:
            f.write("timestamp_ms,service,probe,ok,latency_ms\n"
                    "-9223372036854775808,a,p,1,1\n1704067200000,a,p,1,1\n")
        r = run("eval", "--data", far2, "--at", "2024-01-02T00:00:00Z")
        check("eval int64 min timestamp exit 2", r.returncode == 2, (r.returncode, r.stderr))
    r = run("eval", "--data", "/nonexistent.csv", "--at", "0")
    check("eval missing file", r.returncode == 2 and "/nonexistent.csv" in r.stderr, r.stderr)

    # check: a valid file, then one problem per line with file:line:column.
    with tempfile.TemporaryDirectory() as tmp:
        good = os.path.join(tmp, "ok.yaml")
        with open(good, "w") as f:
            f.write("timezone: Europe/Paris\n"
                    "services:\n"
                    "  - name: sql\n"
                    "    owner: provider\n"
                    "    contract: {target: 99.99, credits: [{below: 99.99, credit: 10}]}\n"
                    "  - name: web\n"
                    "applications:\n"
                    "  - {name: shop, components: {all_of: [web, sql]}}\n")
        r = run("check", "--config", good)
        check("check ok", r.returncode == 0 and "OK: 2 services (1 with a contract), 1 applications" in r.stdout,
              r.stdout + r.stderr)
        bad = os.path.join(tmp, "bad.yaml")
        with open(bad, "w") as f:
            f.write("services:\n"
                    "  - name: x\n"
                    "    contract: {target: 101}\n"
                    "    colour: red\n"
                    "applications:\n"
                    "  - {name: app, components: {all_of: [x, ghost]}}\n")
        r = run("check", "--config", bad)
        check("check bad exit 2", r.returncode == 2, r.returncode)
        check("check bad empty stdout", r.stdout == "", r.stdout)
        for needle in (bad + ":3:24: services[0].contract.target: 101 is not a percentage",
                       bad + ":4:5: services[0].colour: unknown key",
                       "applications[0].components: 'ghost' is neither a service nor an application"):
            check("check reports " + needle, needle in r.stderr, r.stderr)
        r = run("check", "--config", os.path.join(tmp, "missing.yaml"))
        check("check missing file", r.returncode == 2 and "missing.yaml" in r.stderr, r.stderr)

    # generate: the tiny preset has 3 services x 2 probes x 2 days at 60 s.
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "tiny.csv")
        r = run("generate", "--preset", "tiny", "--out", out)
        check("generate exit", r.returncode == 0, r.stderr)
        with open(out) as f:
            lines = f.read().splitlines()
        check("generate header", lines[0] == "timestamp_ms,service,probe,ok,latency_ms")
        check("generate rows", len(lines) - 1 == 3 * 2 * 2 * 1440, len(lines))
        check("generate first row", lines[1].startswith("1704067200000,svc-000,p00,"), lines[1])
        r = run("generate", "--preset", "huge", "--out", out)
        check("generate bad preset", r.returncode == 2 and "tiny" in r.stderr, r.stderr)
        # eval over the generated file: every series has 2880 results in 2d.
        r = run("eval", "--data", out, "--window", "2d", "--at", "2024-01-03T00:00:00Z",
                "--format", "json")
        check("eval generated exit", r.returncode == 0, r.stderr)
        e = json.loads(r.stdout)
        check("eval generated series", len(e["series"]) == 6 and
              all(s["total"] == 2880 for s in e["series"]), e["series"][:1])

    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
