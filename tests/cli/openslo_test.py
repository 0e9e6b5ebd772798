#!/usr/bin/python3
"""End-to-end checks of `slakit import-openslo` and `slakit check --openslo`
on the OpenSLO files of tests/data/openslo (see SOURCES.md there): the
converted slakit.yaml passes `slakit check --config`, feeds `slakit report`
with results named after the SLIs, and bad documents fail with every problem
as file:line:column: path.

Usage: openslo_test.py --slakit PATH --data-dir tests/data/openslo
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
        print("FAIL %s %s" % (name, detail))


def run(*args, cwd=None):
    return subprocess.run([SLAKIT, *args], capture_output=True, text=True, timeout=120, cwd=cwd)


# Sets of files converted together, and what the output must hold.
CONVERSIONS = [
    (["01-occurrences-threshold-rolling-2w.yaml"], 1, 1,
     ["  - name: web-shop", "      - name: search-slo", "        slis: [search-latency]",
      "        target: 99\n", "        window: 14d", "        budgeting: occurrences"]),
    (["02-ratiotimeslices-rolling-2w.yaml"], 1, 1,
     ["      - name: main-page", "        budgeting: ratiotimeslices", "        slice: 1m"]),
    (["05-v1-slos-list.yaml"], 1, 1,
     ["        window: week@America/New_York", "        budgeting: timeslices",
      "        slice_threshold: 0.95", "        target: 99.5"]),
    (["06-v1-slis-list.yaml", "06-companion-slos.yaml"], 4, 4,
     ["        window: quarter@Europe/Paris", "        slice: 5m", "        window: 30d",
      "        slis: [end-user-response]"]),
    (["08-v1-alert-policies.yaml", "08-companion-conditions.yaml"], 1, 1,
     ["        target: 99.95", "          for: 5m",
      "            - {severity: page, long: 1h, short: 1h, factor: 2}",
      "            - {severity: ticket, long: 3d, short: 3d, factor: 1}"]),
    (["12-v1-slo-inline-sli-calendar-occurrences.yaml", "12-13-companion.yaml"], 1, 1,
     ["        window: day@America/New_York", "        target: 98\n",
      "            - {severity: page, long: 1h, short: 1h, factor: 14.4}"]),
    (["13-v1-slo-indicatorref-rolling.yaml", "12-13-companion.yaml"], 1, 1,
     ["        slis: [indicator-ref-string]", "        window: 1d"]),
    (["20-v1alpha-sloth-form.yaml"], 1, 3,
     ["      - name: api-latency-1", "        target: 99.95", "        window: 28d"]),
]


def main():
    global SLAKIT
    ap = argparse.ArgumentParser()
    ap.add_argument("--slakit", required=True)
    ap.add_argument("--data-dir", required=True)
    args = ap.parse_args()
    SLAKIT = os.path.abspath(args.slakit)
    data = os.path.abspath(args.data_dir)

    with tempfile.TemporaryDirectory() as tmp:
        # Every conversion reads back with `slakit check --config`.
        for files, services, objectives, needles in CONVERSIONS:
            name = "+".join(files)
            paths = [os.path.join(data, f) for f in files]
            r = run("import-openslo", *paths)
            check("import %s exit" % name, r.returncode == 0, r.stderr)
            for n in needles:
                check("import %s has %r" % (name, n), n in r.stdout, r.stdout)
            for line in r.stderr.splitlines():
                check("import %s warning format" % name,
                      line.startswith("warning: " + data + "/"), line)
            out = os.path.join(tmp, "slakit.yaml")
            with open(out, "w") as f:
                f.write(r.stdout)
            c = run("check", "--config", out)
            check("check converted %s" % name,
                  c.returncode == 0 and
                  "OK: %d services (0 with a contract), 0 applications, %d objectives" %
                  (services, objectives) in c.stdout, c.stdout + c.stderr)
            o = run("check", "--openslo", *paths)
            check("check --openslo %s" % name,
                  o.returncode == 0 and o.stdout.startswith(", ".join(paths) + ": OK: %d services, %d objectives"
                                                            % (services, objectives)),
                  o.stdout + o.stderr)
            check("check --openslo %s warnings as import" % name, o.stderr == r.stderr,
                  (o.stderr, r.stderr))

        # --out writes the file and says so; several files convert together.
        out = os.path.join(tmp, "out.yaml")
        paths = [os.path.join(data, f) for f in ("08-v1-alert-policies.yaml",
                                                  "08-companion-conditions.yaml")]
        r = run("import-openslo", *paths, "--out", out)
        check("import --out exit", r.returncode == 0, r.stderr)
        check("import --out summary",
              r.stdout == "wrote %s: 1 services, 1 objectives (1 alerting), 1 SLIs; 2 warnings\n" % out,
              r.stdout)
        with open(out) as f:
            text = f.read()
        check("import --out content", "- name: checkout-availability" in text and
              "# From: " + ", ".join(paths) in text, text)

        # The converted configuration works with results named after the
        # SLIs: (service, SLI name) is the probe.
        csv = os.path.join(tmp, "results.csv")
        with open(csv, "w") as f:
            f.write("timestamp_ms,service,probe,ok,latency_ms\n")
            start = 1705276800000  # 2024-01-15T00:00:00Z, in the 30d window of the month's end
            for i in range(60 * 24):  # a day, one result a minute
                ok = 0 if i < 30 else 1  # 30 failed minutes
                f.write("%d,checkout,checkout-requests,%d,12\n" % (start + i * 60000, ok))
        r = run("report", "--config", out, "--data", csv, "--month", "2024-01", "--format", "json")
        check("report on converted config exit", r.returncode == 0, r.stderr)
        if r.returncode == 0:
            rep = json.loads(r.stdout)
            svc = {s["name"]: s for s in rep["services"]}
            objs = svc.get("checkout", {}).get("objectives", [])
            check("report objective", len(objs) == 1 and objs[0]["name"] == "checkout-availability" and
                  objs[0]["target_percent"] == 99.95 and objs[0]["total"] == 1440 and
                  objs[0]["good"] == 1410, objs)

        # The month trap of 03 and its fix.
        trap = os.path.join(data, "03-timeslices-calendar-sla-two-objectives.yaml")
        r = run("check", "--openslo", trap)
        check("check 03 exit 2", r.returncode == 2, r.returncode)
        check("check 03 stdout empty", r.stdout == "", r.stdout)
        check("check 03 message",
              trap + ":27:17: SLO/service-availability.spec.timeWindow[0].duration: '1m' is 1 minute "
              "(OpenSLO: m = minutes, M = months)" in r.stderr, r.stderr)
        r = run("import-openslo", trap)
        check("import 03 exit 2", r.returncode == 2 and r.stdout == "" and "'1m' is 1 minute" in r.stderr,
              r.stderr)
        fixed = os.path.join(tmp, "03-fixed.yaml")
        with open(trap) as f, open(fixed, "w") as g:
            g.write(f.read().replace("duration: 1m #", "duration: 1M #"))
        r = run("import-openslo", fixed)
        check("import 03 fixed", r.returncode == 0 and "window: month@America/New_York" in r.stdout and
              "      - name: service-availability-0" in r.stdout and
              "      - name: service-availability-1" in r.stdout and
              "        slice_threshold: 0.99" in r.stdout, r.stdout + r.stderr)
        check("import 03 fixed startTime warning",
              fixed + ":30:20: SLO/service-availability.spec.timeWindow[0].calendar.startTime: "
              "2022-01-01 12:00:00 is not the start of a calendar month" in r.stderr, r.stderr)

        # Other files that are wrong alone, each problem with its place.
        for files, needles in [
            (["09-v1-services.yaml"],
             ["09-v1-services.yaml:24:11: Service/example-service.metadata.name: Service "
              "'example-service' is defined twice"]),
            (["08-v1-alert-policies.yaml"],
             ["08-v1-alert-policies.yaml:16:23: AlertPolicy/low-priority.spec.conditions[0]."
              "conditionRef: no AlertCondition named 'cpu-usage-breach'",
              "08-v1-alert-policies.yaml:66:23: AlertPolicy/medium-priority.spec.conditions[0]."
              "conditionRef: no AlertCondition named 'cpu-usage-breach'"]),
            (["13-v1-slo-indicatorref-rolling.yaml"],
             ["13-v1-slo-indicatorref-rolling.yaml:9:17: SLO/test-slo.spec.indicatorRef: no SLI "
              "named 'indicator-ref-string'",
              "13-v1-slo-indicatorref-rolling.yaml:18:7: SLO/test-slo.spec.alertPolicies[0]: no "
              "AlertPolicy named 'foo-alert-policy'"]),
            # Both files define SLO test-slo.
            (["12-v1-slo-inline-sli-calendar-occurrences.yaml", "13-v1-slo-indicatorref-rolling.yaml",
              "12-13-companion.yaml"],
             ["13-v1-slo-indicatorref-rolling.yaml:4:9: SLO/test-slo.metadata.name: SLO 'test-slo' "
              "is defined twice (first at " + data + "/12-v1-slo-inline-sli-calendar-occurrences.yaml:1)"]),
        ]:
            name = "+".join(files)
            r = run("check", "--openslo", *[os.path.join(data, f) for f in files])
            check("check %s exit 2" % name, r.returncode == 2, r.returncode)
            for n in needles:
                check("check %s reports %s" % (name, n), data + "/" + n in r.stderr, r.stderr)

        # Valid YAML that is wrong per the spec: every problem is listed.
        bad = os.path.join(tmp, "bad.yaml")
        with open(bad, "w") as f:
            f.write("apiVersion: openslo/v1\n"
                    "kind: SLO\n"
                    "metadata: {name: checkout}\n"
                    "spec:\n"
                    "  service: shop\n"
                    "  indicator:\n"
                    "    metadata: {name: requests}\n"
                    "    spec:\n"
                    "      ratioMetric:\n"
                    "        counter: true\n"
                    "        good: {metricSource: {spec: {query: a}}}\n"
                    "        bad: {metricSource: {spec: {query: b}}}\n"
                    "        total: {metricSource: {spec: {query: c}}}\n"
                    "  timeWindow: [{duration: 30d, isRolling: true}]\n"
                    "  budgetingMethod: Timeslices\n"
                    "  objectives:\n"
                    "    - {target: 99.9, timeSliceTarget: 0.95, timeSliceWindow: 1m}\n"
                    "---\n"
                    "apiVersion: openslo/v2\n"
                    "kind: SLO\n"
                    "metadata: {name: other}\n"
                    "spec: {}\n")
        r = run("check", "--openslo", bad)
        check("check bad exit 2", r.returncode == 2, r.returncode)
        lines = r.stderr.splitlines()
        check("check bad lines", len(lines) == 3, r.stderr)
        for n in (bad + ":12:14: SLO/checkout.spec.indicator.spec.ratioMetric.bad: give good or bad, not both",
                  bad + ":17:16: SLO/checkout.spec.objectives[0].target: 99.9 is not a ratio in (0, 1): "
                  "OpenSLO targets are ratios (0.999 = 99.9 %); write target: 0.999 or targetPercent: 99.9",
                  bad + ":19:13: SLO/other.apiVersion: 'openslo/v2' is not an OpenSLO version"):
            check("check bad reports " + n, n in r.stderr, r.stderr)

        # Usage errors.
        r = run("check", "--openslo", os.path.join(tmp, "missing.yaml"))
        check("check missing file", r.returncode == 2 and "missing.yaml" in r.stderr, r.stderr)
        r = run("check")
        check("check needs an option", r.returncode == 2, r.returncode)
        r = run("check", "--config", out, "--openslo", bad)
        check("check --config and --openslo exclude", r.returncode == 2 and "excludes" in r.stderr, r.stderr)
        r = run("import-openslo")
        check("import-openslo needs files", r.returncode == 2 and "files" in r.stderr, r.stderr)
        r = run("import-openslo", os.path.join(data, "01-occurrences-threshold-rolling-2w.yaml"),
                "--out", "/proc/no/such/dir/x.yaml")
        check("import-openslo bad --out", r.returncode == 2 and "--out" in r.stderr, r.stderr)

    # Help that helps.
    r = run("--help")
    check("help lists import-openslo", r.returncode == 0 and "import-openslo" in r.stdout, r.stdout)
    r = run("import-openslo", "--help")
    for n in ("--out", "0.999 -> 99.9", "1M", "SLI", "stdout"):
        check("import-openslo help has " + n, r.returncode == 0 and n in r.stdout, r.stdout)
    r = run("check", "--help")
    check("check help has --openslo", r.returncode == 0 and "--openslo" in r.stdout, r.stdout)

    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
