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

    # demo, JSON: 5 components x 3 probes x 30 days x 1440 minutes.
    r = run("demo", "--format", "json")
    check("demo json exit", r.returncode == 0, r.stderr)
    d = json.loads(r.stdout)
    check("demo results", d["results"] == 5 * 3 * 30 * 1440, d["results"])
    check("demo window", d["window"] == "30d" and d["at"] == "2024-01-31T00:00:00Z", d)
    check("demo services", [s["service"] for s in d["services"]] ==
          ["web", "sql", "orders-queue", "iot-hub", "functions"])
    for s in d["services"]:
        # Recompute the budget by hand from the integer counts.
        total, good = s["total"], s["good"]
        check("demo total " + s["service"], total == 3 * 30 * 1440, total)
        target = Fraction(str(s["target"]))
        bad = total - good
        check("demo bad " + s["service"], s["error_budget"]["bad"] == bad)
        remaining = 1 - Fraction(bad, total) / (1 - target)
        check("demo remaining " + s["service"],
              abs(s["error_budget"]["remaining"] - float(remaining)) < 1e-12,
              (s["error_budget"]["remaining"], float(remaining)))
        check("demo availability " + s["service"],
              s["availability"] == good / total)
        check("demo burn windows " + s["service"],
              list(s["burn_rates"]) == ["5m", "30m", "1h", "2h", "6h", "1d", "3d"])
        check("demo burn >= 0 " + s["service"], all(v >= 0 for v in s["burn_rates"].values()))
    # Same seed, same numbers; another seed, other numbers.
    check("demo deterministic", run("demo", "--format", "json").stdout == r.stdout)
    check("demo seed", run("demo", "--format", "json", "--seed", "7").stdout != r.stdout)

    # demo, table.
    r = run("demo")
    check("demo table exit", r.returncode == 0, r.stderr)
    for name in ("web", "sql", "orders-queue", "iot-hub", "functions", "availability"):
        check("demo table has " + name, name in r.stdout)

    # help and usage errors.
    r = run("--help")
    check("help exit", r.returncode == 0)
    for sub in ("demo", "eval", "generate", "check"):
        check("help lists " + sub, sub in r.stdout, r.stdout)
    r = run("eval", "--help")
    check("eval help", r.returncode == 0 and "--window" in r.stdout and "--at" in r.stdout)
    r = run()
    check("no subcommand exit 2", r.returncode == 2, r.returncode)
    r = run("eval", "--target", "99.9")
    check("eval missing --data exit 2", r.returncode == 2 and "--data" in r.stderr, r.stderr)
    r = run("demo", "--format", "xml")
    check("demo bad format", r.returncode == 2 and "--format" in r.stderr, r.stderr)
    r = run("demo", "--days", "0")
    check("demo bad days", r.returncode == 2, r.returncode)
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
