#!/usr/bin/python3
"""End-to-end checks of `slakit rules` (Prometheus rules, Sloth's names).

A configuration with several objectives (rolling 30d and 28d, calendar
months, custom tiers, alerting on and off, an application) goes through
`slakit rules` with both sources. Checks the groups, recordings, factors,
`for` and labels; runs `promtool check rules` on every output; and runs
`promtool test rules` on two small cases: synthetic probe_success series
(--source blackbox) where a page and a ticket must fire at the minutes the
tiers give, synthetic slakit serve series (--source slakit), and the
series a real `slakit serve` exposes on /metrics after an outage.

Usage: rules_test.py --slakit PATH [--promtool PATH]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

import yaml

passed = 0
failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL %s %s" % (name, str(detail)[:3000]))


def run(*args):
    return subprocess.run([SLAKIT, *args], capture_output=True, text=True, timeout=120)


def promtool(*args):
    return subprocess.run([PROMTOOL, *args], capture_output=True, text=True, timeout=300)


CONFIG = """\
timezone: Europe/Paris
services:
  - name: web
    objectives:
      - {name: availability, target: 99.9, window: 30d, alerting: true}
      - {name: monthly, target: 99.5, window: month}
  - name: api
    tenant: contoso
    objectives:
      - {name: availability, target: 99, window: 28d, alerting: {for: 2m}}
      - name: latency
        target: 99.5
        slis: [home, db.port]
        window: 7d
        alerting:
          for: 5m
          tiers:
            - {severity: page, long: 1h, short: 5m, factor: 10}
            - {severity: ticket, long: 1d, short: 2h, factor: 2}
  - name: sql
    objectives:
      - {name: availability, target: 99.95, window: month, alerting: true}
applications:
  - name: shop
    components: {all_of: [web, sql]}
    objectives:
      - {name: availability, target: 99.5, window: 30d, alerting: true}
"""

STANDARD = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]
META = ["slo:objective:ratio", "slo:error_budget:ratio", "slo:time_period:days",
        "slo:current_burn_rate:ratio", "slo:period_burn_rate:ratio",
        "slo:period_error_budget_remaining:ratio", "sloth_slo_info"]


def groups_by_name(doc):
    return {g["name"]: g["rules"] for g in doc["groups"]}


def check_multi(tag, text):
    """The structure both sources share."""
    doc = yaml.safe_load(text)
    g = groups_by_name(doc)
    ids = ["web-availability", "web-monthly", "api-availability", "api-latency",
           "sql-availability"]
    expected = []
    for i in ids:
        expected += ["sloth-slo-sli-recordings-" + i, "sloth-slo-meta-recordings-" + i]
        if i != "web-monthly":
            expected.append("sloth-slo-alerts-" + i)
    check(tag + ": groups", [x["name"] for x in doc["groups"]] == expected,
          [x["name"] for x in doc["groups"]])
    # Windows: the standard ones and the objective's (28d is "4w", 7d "1w",
    # calendar months their nominal 30d).
    periods = {"web-availability": "30d", "web-monthly": "30d", "api-availability": "4w",
               "api-latency": "1w", "sql-availability": "30d"}
    for i, period in periods.items():
        rules = g.get("sloth-slo-sli-recordings-" + i, [])
        check("%s: %s recordings" % (tag, i),
              [r["record"] for r in rules] ==
              ["slo:sli_error:ratio_rate" + w for w in STANDARD + [period]],
              [r.get("record") for r in rules])
        for r in rules:
            labels = r.get("labels", {})
            check("%s: %s %s labels" % (tag, i, r["record"]),
                  labels == {"sloth_id": i, "sloth_service": i.split("-")[0],
                             "sloth_slo": i.split("-")[1],
                             "sloth_window": r["record"].rsplit("rate", 1)[1]}, labels)
        meta = g.get("sloth-slo-meta-recordings-" + i, [])
        check("%s: %s metadata" % (tag, i), [r["record"] for r in meta] == META,
              [r.get("record") for r in meta])
        days = {"30d": "30", "4w": "28", "1w": "7"}[period]
        check("%s: %s days" % (tag, i),
              any(r["record"] == "slo:time_period:days" and r["expr"] == "vector(%s)" % days
                  for r in meta), meta)
    # The objective and its budget as exact decimals.
    meta = g["sloth-slo-meta-recordings-sql-availability"]
    check(tag + ": objective ratio", meta[0]["expr"] == "vector(0.9995)", meta[0])
    check(tag + ": budget ratio", meta[1]["expr"] == "vector(0.0005)", meta[1])

    # Alerts: the tiers' factors, for, labels.
    def alerts(i):
        return {r["labels"]["severity"]: r for r in g.get("sloth-slo-alerts-" + i, [])}

    def factors(rule):
        out = []
        for line in rule["expr"].splitlines():
            if "> (" in line:
                out.append(line.split("> (")[1].split(")")[0])
        return out

    web = alerts("web-availability")
    check(tag + ": web page factors", factors(web["page"]) ==
          ["14.4 * 0.001"] * 2 + ["6 * 0.001"] * 2, web["page"]["expr"])
    check(tag + ": web ticket factors", factors(web["ticket"]) ==
          ["3 * 0.001"] * 2 + ["1 * 0.001"] * 2, web["ticket"]["expr"])
    check(tag + ": web no for", "for" not in web["page"], web["page"])
    check(tag + ": web page windows (short first)",
          [line.split("ratio_rate")[1].split("{")[0] for line in web["page"]["expr"].splitlines()
           if "ratio_rate" in line] == ["5m", "1h", "30m", "6h"], web["page"]["expr"])
    ids = {"sloth_id": "web-availability", "sloth_service": "web", "sloth_slo": "availability"}
    check(tag + ": alert labels",
          web["page"]["labels"] == dict(ids, severity="page", sloth_severity="page") and
          web["ticket"]["labels"] == dict(ids, severity="ticket", sloth_severity="ticket"),
          web["page"]["labels"])
    check(tag + ": alert name", web["page"]["alert"] == "SlakitErrorBudgetBurn", web["page"])
    check(tag + ": annotations", set(web["page"]["annotations"]) == {"summary", "description"} and
          "web/availability" in web["page"]["annotations"]["summary"] and
          "above 14.4 x the budget over both 1h and 5m, or above 6 x the budget over both 6h and 30m." in web["page"]["annotations"]["description"],
          web["page"].get("annotations"))
    api = alerts("api-availability")
    check(tag + ": 28d factors", factors(api["page"]) + factors(api["ticket"]) ==
          ["13.44 * 0.01"] * 2 + ["5.6 * 0.01"] * 2 + ["2.8 * 0.01"] * 2 +
          ["0.9333333333333333 * 0.01"] * 2, factors(api["page"]) + factors(api["ticket"]))
    check(tag + ": api for", api["page"].get("for") == "2m" and api["ticket"].get("for") == "2m", api)
    lat = alerts("api-latency")
    check(tag + ": custom tiers", factors(lat["page"]) == ["10 * 0.005"] * 2 and
          factors(lat["ticket"]) == ["2 * 0.005"] * 2 and lat["page"].get("for") == "5m",
          lat)
    sql = alerts("sql-availability")
    check(tag + ": calendar month factors (nominal 30d)", factors(sql["page"]) ==
          ["14.4 * 0.0005"] * 2 + ["6 * 0.0005"] * 2, sql["page"]["expr"])
    check(tag + ": calendar comment", "Calendar window: Sloth's rules are rolling, so "
          "month@Europe/Paris is taken as its nominal 30d" in text, text[:3000])
    check(tag + ": application not exported", "# Not exported: application objective "
          "shop/availability" in text, text[:3000])
    return doc


def promtool_check(tag, path):
    r = promtool("check", "rules", path)
    check(tag + ": promtool check rules", r.returncode == 0 and "SUCCESS" in r.stdout,
          r.stdout + r.stderr)


# Blackbox: 99 % over 30d, default tiers, for 2m. Good probes for 4400
# minutes (more than the 3d window), then every probe fails from minute
# F = 4400. With 1-minute samples every window holds (window / 1m) + 1
# samples (Prometheus 2: both ends included; 3 leaves the start out, and
# the minutes below do not change):
#   page 1h/5m above 14.4 x 0.01: 9 bad of 61 in the hour -> F+8, fires
#     at F+10 (for 2m); 6h/30m (6 x 0.01) needs 22 of 361 -> F+21;
#   ticket 1d/2h above 3 x 0.01: 44 of 1441 -> F+43, fires at F+45;
#     3d/6h above 0.01: 44 of 4321 -> F+43 too.
# Service api pools probes a (always ok) and b (always failing) and leaves
# out c (failing, not in its slis): an error ratio of exactly 0.5.
BLACKBOX_CONFIG = """\
services:
  - name: web
    objectives:
      - {name: availability, target: 99, window: 30d, alerting: {for: 2m}}
  - name: api
    objectives:
      - {name: pooled, target: 99.9, window: 30d, slis: [a, b]}
"""

F = 4400


def blackbox_test(rules_file, annotations):
    page = {"severity": "page", "sloth_severity": "page", "sloth_id": "web-availability",
            "sloth_service": "web", "sloth_slo": "availability"}
    ticket = dict(page, severity="ticket", sloth_severity="ticket")

    def alert(labels, severity):
        return {"exp_labels": labels, "exp_annotations": annotations[severity]}

    order = []
    for i in ["web-availability", "api-pooled"]:
        order += ["sloth-slo-sli-recordings-" + i, "sloth-slo-meta-recordings-" + i]
    order.append("sloth-slo-alerts-web-availability")
    at = lambda m: "%dm" % m
    return {
        "rule_files": [rules_file],
        "evaluation_interval": "1m",
        "group_eval_order": order,
        "tests": [{
            "interval": "1m",
            "input_series": [
                {"series": 'probe_success{service="web",probe="home"}',
                 "values": "1x%d 0x130" % (F - 1)},
                {"series": 'probe_success{service="api",probe="a"}', "values": "1x100"},
                {"series": 'probe_success{service="api",probe="b"}', "values": "0x100"},
                {"series": 'probe_success{service="api",probe="c"}', "values": "0x100"},
            ],
            "promql_expr_test": [
                {"expr": 'slo:sli_error:ratio_rate1h{sloth_id="api-pooled"}', "eval_time": "90m",
                 "exp_samples": [{"labels": 'slo:sli_error:ratio_rate1h{sloth_id="api-pooled",'
                                  'sloth_service="api",sloth_slo="pooled",sloth_window="1h"}',
                                  "value": 0.5}]},
                {"expr": 'slo:sli_error:ratio_rate5m{sloth_id="web-availability"}',
                 "eval_time": at(F + 20),
                 "exp_samples": [{"labels": 'slo:sli_error:ratio_rate5m{sloth_id="web-availability",'
                                  'sloth_service="web",sloth_slo="availability",sloth_window="5m"}',
                                  "value": 1}]},
            ],
            "alert_rule_test": [
                {"eval_time": at(F + 7), "alertname": "SlakitErrorBudgetBurn", "exp_alerts": []},
                {"eval_time": at(F + 9), "alertname": "SlakitErrorBudgetBurn", "exp_alerts": []},
                {"eval_time": at(F + 10), "alertname": "SlakitErrorBudgetBurn",
                 "exp_alerts": [alert(page, "page")]},
                {"eval_time": at(F + 44), "alertname": "SlakitErrorBudgetBurn",
                 "exp_alerts": [alert(page, "page")]},
                {"eval_time": at(F + 45), "alertname": "SlakitErrorBudgetBurn",
                 "exp_alerts": [alert(page, "page"), alert(ticket, "ticket")]},
            ],
        }],
    }


# slakit: the same objective read from slakit serve's /metrics. From minute
# 60 the 5m and 1h burn rates are 20 (above 14.4) and the 2h and 1d ones
# 2 (below 3): a page from minute 62 (for 2m), no ticket. The objective
# window's availability 0.995 against 99 % leaves half of the budget.
def slakit_test(rules_file, annotations):
    page = {"severity": "page", "sloth_severity": "page", "sloth_id": "web-availability",
            "sloth_service": "web", "sloth_slo": "availability"}
    base = 'slakit_objective_burn_rate{tenant="default",service="web",objective="availability",' \
           'window="30d",instance="127.0.0.1:9464",job="slakit",burn_window="%s"}'
    rates = {"5m": "0x59 20x40", "1h": "0x59 20x40", "30m": "0x100", "6h": "0x100",
             "2h": "0x59 2x40", "1d": "0x59 2x40", "3d": "0x100"}
    series = [{"series": base % w, "values": v} for w, v in rates.items()]
    series.append({"series": 'slakit_objective_availability_ratio{tenant="default",service="web",'
                             'objective="availability",window="30d"}', "values": "0.995x100"})
    return {
        "rule_files": [rules_file],
        "evaluation_interval": "1m",
        "group_eval_order": ["sloth-slo-sli-recordings-web-availability",
                             "sloth-slo-meta-recordings-web-availability",
                             "sloth-slo-alerts-web-availability"],
        "tests": [{
            "interval": "1m",
            "input_series": series,
            "promql_expr_test": [
                {"expr": "slo:period_error_budget_remaining:ratio", "eval_time": "70m",
                 "exp_samples": [{"labels": 'slo:period_error_budget_remaining:ratio{'
                                  'sloth_id="web-availability",sloth_service="web",'
                                  'sloth_slo="availability",sloth_window="30d"}',
                                  "value": 1 - (1 - 0.995) / 0.01}]},
                {"expr": "slo:sli_error:ratio_rate1h", "eval_time": "70m",
                 "exp_samples": [{"labels": 'slo:sli_error:ratio_rate1h{sloth_id="web-availability",'
                                  'sloth_service="web",sloth_slo="availability",sloth_window="1h"}',
                                  "value": 0.2}]},
            ],
            "alert_rule_test": [
                {"eval_time": "61m", "alertname": "SlakitErrorBudgetBurn", "exp_alerts": []},
                {"eval_time": "62m", "alertname": "SlakitErrorBudgetBurn",
                 "exp_alerts": [{"exp_labels": page, "exp_annotations": annotations["page"]}]},
            ],
        }],
    }


# slakit, end to end: `slakit serve` over a store whose probe failed for the
# last 10 of 70 minutes (burn rates 1000 over 5m, 166.7 over 1h, 142.9 over
# 2h and 1d); its /metrics samples, held constant, page and ticket after the
# 2m `for`.
def scrape_serve(tmp, cfg):
    """The slakit_objective_* samples of a real /metrics page."""
    store = os.path.join(tmp, "store")
    data = os.path.join(tmp, "outage.csv")
    now = int(time.time()) // 60 * 60
    with open(data, "w") as f:
        f.write("timestamp_ms,service,probe,ok,latency_ms\n")
        for ago in range(70, 0, -1):
            f.write("%d,web,home,%d,10\n" % ((now - 60 * ago) * 1000, 0 if ago <= 10 else 1))
    r = run("import", "--data-dir", store, "--no-progress", data)
    check("serve case: import", r.returncode == 0, r.stderr)
    p = subprocess.Popen([SLAKIT, "serve", "--config", cfg, "--data-dir", store,
                          "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0",
                          "--no-probes", "--alert-interval", "0"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    text, log = "", ""
    try:
        port = None
        deadline = time.time() + 60
        while time.time() < deadline:
            line = p.stderr.readline()
            if not line:
                break
            log += line
            m = re.search(r"metrics on port (\d+)", line)
            port = int(m.group(1)) if m else port
            if "ready" in line:
                break
        if port:
            with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=30) as resp:
                text = resp.read().decode()
    finally:
        p.terminate()
        log += p.communicate(timeout=60)[1]
    check("serve case: /metrics", "slakit_objective_burn_rate{" in text, log + text)
    return [line.rsplit(" ", 1) for line in text.splitlines()
            if line.startswith("slakit_objective_") and not line.endswith("NaN")]


def serve_test(samples):
    def make(rules_file, annotations):
        page = {"severity": "page", "sloth_severity": "page", "sloth_id": "web-availability",
                "sloth_service": "web", "sloth_slo": "availability"}
        ticket = dict(page, severity="ticket", sloth_severity="ticket")
        return {
            "rule_files": [rules_file],
            "evaluation_interval": "1m",
            "group_eval_order": ["sloth-slo-sli-recordings-web-availability",
                                 "sloth-slo-meta-recordings-web-availability",
                                 "sloth-slo-alerts-web-availability"],
            "tests": [{
                "interval": "1m",
                "input_series": [{"series": name, "values": "%s+0x10" % value}
                                 for name, value in samples],
                "alert_rule_test": [
                    {"eval_time": "1m", "alertname": "SlakitErrorBudgetBurn", "exp_alerts": []},
                    {"eval_time": "2m", "alertname": "SlakitErrorBudgetBurn",
                     "exp_alerts": [{"exp_labels": page, "exp_annotations": annotations["page"]},
                                    {"exp_labels": ticket,
                                     "exp_annotations": annotations["ticket"]}]},
                ],
            }],
        }
    return make


def annotations_of(path):
    """severity -> annotations of web/availability's alerts."""
    with open(path) as f:
        doc = yaml.safe_load(f)
    return {r["labels"]["severity"]: r["annotations"]
            for r in groups_by_name(doc).get("sloth-slo-alerts-web-availability", [])}


def promtool_test(tag, tmp, rules_file, make):
    test = make(os.path.basename(rules_file), annotations_of(rules_file))
    path = os.path.join(tmp, tag.replace(" ", "_") + "_test.yml")
    with open(path, "w") as f:
        yaml.safe_dump(test, f, sort_keys=False)
    r = subprocess.run([PROMTOOL, "test", "rules", os.path.basename(path)], cwd=tmp,
                       capture_output=True, text=True, timeout=600)
    check(tag + ": promtool test rules", r.returncode == 0 and "SUCCESS" in r.stdout,
          r.stdout + r.stderr)


def main():
    global SLAKIT, PROMTOOL
    ap = argparse.ArgumentParser()
    ap.add_argument("--slakit", required=True)
    ap.add_argument("--promtool", default="/usr/bin/promtool")
    args = ap.parse_args()
    SLAKIT, PROMTOOL = args.slakit, args.promtool

    with tempfile.TemporaryDirectory() as tmp:
        cfg = os.path.join(tmp, "slakit.yaml")
        with open(cfg, "w") as f:
            f.write(CONFIG)

        # Default source: slakit serve's /metrics.
        r = run("rules", "--config", cfg)
        check("rules exit", r.returncode == 0, r.stderr)
        slakit_text = r.stdout
        check_multi("slakit", slakit_text)
        check("slakit: burn rate series", 'max(slakit_objective_burn_rate{tenant="contoso", '
              'service="api", objective="availability", burn_window="1h"}) * 0.01' in slakit_text,
              slakit_text[:3000])
        check("slakit: period from availability", 'max(1 - slakit_objective_availability_ratio'
              '{tenant="default", service="web", objective="monthly"})' in slakit_text)
        check("slakit: header names the source", "written by `slakit rules --source slakit`"
              in slakit_text, slakit_text[:600])
        out = os.path.join(tmp, "slakit.rules.yml")
        r = run("rules", "--config", cfg, "--out", out)
        check("--out", r.returncode == 0 and r.stdout == "wrote %s\n" % out and
              open(out).read() == slakit_text, r.stdout + r.stderr)
        promtool_check("slakit", out)

        # blackbox_exporter's probe_success.
        r = run("rules", "--config", cfg, "--source", "blackbox")
        check("blackbox exit", r.returncode == 0, r.stderr)
        bb = r.stdout
        check_multi("blackbox", bb)
        check("blackbox: pooled ratio", 'sum(sum_over_time(probe_success{service="web"}[5m]))'
              in bb and 'sum(count_over_time(probe_success{service="web"}[5m]))' in bb, bb[:3000])
        check("blackbox: slis as a regex", 'probe_success{service="api", probe=~"home|db\\\\.port"}[1h]'
              in bb, bb[:5000])
        check("blackbox: period averages the 5m ratio",
              'sum_over_time(slo:sli_error:ratio_rate5m{sloth_id="api-availability", '
              'sloth_service="api", sloth_slo="availability"}[4w])' in bb, bb[:5000])
        out = os.path.join(tmp, "blackbox.rules.yml")
        with open(out, "w") as f:
            f.write(bb)
        promtool_check("blackbox", out)
        r = run("rules", "--config", cfg, "--source", "blackbox", "--service-label", "job",
                "--probe-label", "instance")
        check("blackbox: label names", r.returncode == 0 and
              'probe_success{job="web"}' in r.stdout and 'instance=~"home|db' in r.stdout,
              r.stderr)

        # An application's objective, from a query of one's own.
        query = ('shop/availability=1 - avg(avg_over_time(up{job="shop"}[{{.window}}]))')
        r = run("rules", "--config", cfg, "--error-ratio-query", query)
        check("query exit", r.returncode == 0, r.stderr)
        doc = yaml.safe_load(r.stdout)
        g = groups_by_name(doc)
        rules = g.get("sloth-slo-sli-recordings-shop-availability", [])
        check("query: application exported", [x["expr"] for x in rules[:2]] ==
              ['1 - avg(avg_over_time(up{job="shop"}[5m]))',
               '1 - avg(avg_over_time(up{job="shop"}[30m]))'], rules[:2])
        check("query: alerts", "sloth-slo-alerts-shop-availability" in g, list(g))
        check("query: no longer skipped", "Not exported" not in r.stdout, r.stdout[:2000])
        out = os.path.join(tmp, "query.rules.yml")
        with open(out, "w") as f:
            f.write(r.stdout)
        promtool_check("query", out)

        # Errors: exit 2, a message naming what is wrong.
        r = run("rules", "--config", cfg, "--source", "statsd")
        check("bad source", r.returncode == 2 and "--source: 'statsd'" in r.stderr, r.stderr)
        r = run("rules", "--config", cfg, "--error-ratio-query", "web/nope=x[{{.window}}]")
        check("query for no objective", r.returncode == 2 and "'web/nope'" in r.stderr, r.stderr)
        r = run("rules", "--config", cfg, "--error-ratio-query", "web/availability=up")
        check("query without window", r.returncode == 2 and "{{.window}}" in r.stderr, r.stderr)
        r = run("rules", "--config", cfg, "--source", "blackbox", "--probe-label", "1x")
        check("bad label name", r.returncode == 2 and "'1x'" in r.stderr, r.stderr)
        r = run("rules", "--config", os.path.join(tmp, "missing.yaml"))
        check("missing config", r.returncode == 2, r.stderr)
        odd = os.path.join(tmp, "odd.yaml")
        with open(odd, "w") as f:
            f.write("services:\n  - name: web\n    objectives:\n"
                    "      - {name: a, target: 99, window: 30d, alerting: {tiers: "
                    "[{severity: page, long: 4h, short: 20m, factor: 5}]}}\n")
        r = run("rules", "--config", odd)
        check("tier window not on /metrics", r.returncode == 2 and "objective 'web/a'" in r.stderr
              and "window 20m" in r.stderr, r.stderr)
        r = run("rules", "--config", odd, "--source", "blackbox")
        check("any tier window with blackbox", r.returncode == 0 and "ratio_rate4h" in r.stdout
              and "ratio_rate20m" in r.stdout, r.stderr)
        # Names that need quoting in PromQL and in YAML.
        with open(odd, "w") as f:
            f.write("services:\n  - name: \"we\\\"b'x\"\n    objectives:\n"
                    "      - {name: \"it's #1\", target: 99.9, window: 30d, "
                    "slis: [a.b, \"c|d\"], alerting: true}\n")
        r = run("rules", "--config", odd, "--source", "blackbox", "--out", odd + ".rules")
        check("odd names", r.returncode == 0, r.stderr)
        with open(odd + ".rules") as f:
            labels = yaml.safe_load(f)["groups"][0]["rules"][0]["labels"]
        check("odd names: labels read back", labels["sloth_service"] == "we\"b'x" and
              labels["sloth_slo"] == "it's #1" and labels["sloth_id"] == "we\"b'x-it's #1", labels)
        promtool_check("odd names", odd + ".rules")
        with open(odd, "w") as f:
            f.write("services: []\n")
        r = run("rules", "--config", odd)
        check("no objectives", r.returncode == 0 and r.stdout.endswith("groups: []\n"), r.stdout)

        # promtool test rules: alerts fire when the tiers say.
        cfg = os.path.join(tmp, "one.yaml")
        with open(cfg, "w") as f:
            f.write(BLACKBOX_CONFIG)
        bb_rules = os.path.join(tmp, "bb.rules.yml")
        r = run("rules", "--config", cfg, "--source", "blackbox", "--out", bb_rules)
        check("blackbox case", r.returncode == 0, r.stderr)
        promtool_test("blackbox", tmp, bb_rules, blackbox_test)
        with open(cfg, "w") as f:
            f.write(BLACKBOX_CONFIG.split("  - name: api")[0])
        sk_rules = os.path.join(tmp, "sk.rules.yml")
        r = run("rules", "--config", cfg, "--out", sk_rules)
        check("slakit case", r.returncode == 0, r.stderr)
        promtool_test("slakit", tmp, sk_rules, slakit_test)
        promtool_test("slakit serve", tmp, sk_rules, serve_test(scrape_serve(tmp, cfg)))

    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
