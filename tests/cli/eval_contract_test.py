#!/usr/bin/env python3
"""`slakit eval` contract tests on a small hand-computed CSV.

    python3 tests/cli/eval_contract_test.py --slakit PATH_TO_BINARY --data-dir tests/data

(--data-dir is accepted for a uniform invocation; this test writes its own
data into a temporary directory.)  Python 3 standard library only.

Covers: window boundaries ([at - window, at), half-open), pooling of a
service's probes, out-of-order rows, `--at` as epoch ms vs RFC 3339, the
table format, burn rates of windows without results (0), malformed CSV lines
(exit 2, line number on stderr, empty stdout) and bad flags (exit 2, message
naming the flag).

Prints one line per test, then a final line `N passed, M failed`; exits 1
if anything failed.
"""
import argparse
import datetime
import json
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import traceback

HEADER = "timestamp_ms,service,probe,ok,latency_ms"
S = 1704067200000           # 2024-01-01T00:00:00Z, start of the 1h SLO window
AT = S + 3600000            # 2024-01-01T01:00:00Z = 1704070800000
AT_RFC = "2024-01-01T01:00:00Z"
MIN = 60000
TOL = 1e-9                  # the arithmetic here is about semantics, not last-bit precision
BURN_KEYS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")

# Rows deliberately out of time order (and svc-b first).  Times relative to S.
# Line numbers are file lines (header = line 1).
ROWS = [
    (S + 25 * MIN,      "svc-b", "p1", 1, "12.5"),   # line 2:  in window
    (S + 58 * MIN,      "svc-a", "p1", 0, "10000"),  # line 3:  in window, in 5m/30m
    (S,                 "svc-a", "p1", 0, "3.2"),    # line 4:  exactly at window start -> included
    (AT,                "svc-a", "p1", 0, "3.2"),    # line 5:  exactly at `at` -> excluded everywhere
    (S + 5 * MIN,       "svc-b", "p1", 1, "11"),     # line 6:  in window
    (AT - 1,            "svc-a", "p2", 1, "20.125"), # line 7:  last ms of the window, in 5m/30m
    (S - 1,             "svc-a", "p1", 0, "1.5"),    # line 8:  1 ms before window start -> excluded (in 2h..3d)
    (S + 10 * MIN,      "svc-a", "p1", 1, "15"),     # line 9:  in window
    (S + 20 * MIN,      "svc-a", "p2", 1, "16"),     # line 10: in window, not in 30m
    (S + 50 * MIN,      "svc-a", "p1", 1, "17"),     # line 11: in window, in 30m
    (S - 90 * MIN,      "svc-b", "p1", 0, "0"),      # line 12: before window; in 6h/1d/3d, not 2h
    (S + 15 * MIN,      "svc-b", "p1", 0, "10000"),  # line 13: in window
    (S + 56 * MIN,      "svc-a", "p2", 1, "18"),     # line 14: in window, in 5m/30m
    (AT + 10 * MIN,     "svc-b", "p1", 0, "9"),      # line 15: after `at` -> excluded everywhere
]

# Hand-computed expectations, --target 99 (budget 1 - 0.99 = 0.01), --window 1h,
# --at 2024-01-01T01:00:00Z.  SLO window = [S, S+60m).
#
# series (in window):
#   svc-a/p1: S(0), +10m(1), +50m(1), +58m(0)        -> good 2, total 4, availability 2/4 = 0.5
#             (S-1ms excluded: before start; AT excluded: right end is open)
#   svc-a/p2: +20m(1), +56m(1), AT-1ms(1)            -> good 3, total 3, availability 1.0
#   svc-b/p1: +5m(1), +15m(0), +25m(1)               -> good 2, total 3, availability 2/3
#             (S-90m and AT+10m excluded)
# services (pooled: good and total summed over probes):
#   svc-a: good 2+3 = 5, total 4+3 = 7, availability 5/7 = 0.714285714285...
#          (the mean of the probe availabilities would be (0.5+1)/2 = 0.75: must NOT be that)
#          bad 2; allowed_bad = 7*0.01 = 0.07; consumed = (2/7)/0.01 = 28.571428...;
#          remaining = 1 - 28.571428... = -27.571428...
#   svc-b: good 2, total 3, availability 2/3; bad 1; allowed_bad = 3*0.01 = 0.03;
#          consumed = (1/3)/0.01 = 33.333...; remaining = -32.333...
# burn rates = (bad/total over [AT-w, AT)) / 0.01:
#   5m  [S+55m, AT): svc-a: p1 +58m(0), p2 +56m(1), AT-1ms(1)   -> 1/3 -> 33.333...
#                    svc-b: nothing                             -> 0
#   30m [S+30m, AT): svc-a: p1 +50m(1), +58m(0), p2 +56m(1), AT-1ms(1) -> 1/4 -> 25
#                    svc-b: nothing (last result at +25m)       -> 0
#   1h  [S, AT):     svc-a: 2/7 -> 28.571428...; svc-b: 1/3 -> 33.333...
#   2h  [S-60m, AT): svc-a: + S-1ms(0) -> bad 3 of 8 -> 37.5
#                    svc-b: S-90m is before S-60m -> 1/3 -> 33.333...
#   6h  [S-5h, AT):  svc-a: 3/8 -> 37.5;  svc-b: + S-90m(0) -> bad 2 of 4 -> 50
#   1d, 3d:          same as 6h: svc-a 37.5, svc-b 50
EXP_SERIES = [
    ("svc-a", "p1", 2, 4, 0.5),
    ("svc-a", "p2", 3, 3, 1.0),
    ("svc-b", "p1", 2, 3, 2 / 3),
]
EXP_SERVICES = {
    "svc-a": dict(good=5, total=7, availability=5 / 7, bad=2, allowed_bad=0.07,
                  consumed=(2 / 7) * 100, remaining=1 - (2 / 7) * 100,
                  burn={"5m": 100 / 3, "30m": 25.0, "1h": 200 / 7, "2h": 37.5,
                        "6h": 37.5, "1d": 37.5, "3d": 37.5}),
    "svc-b": dict(good=2, total=3, availability=2 / 3, bad=1, allowed_bad=0.03,
                  consumed=100 / 3, remaining=1 - 100 / 3,
                  burn={"5m": 0.0, "30m": 0.0, "1h": 100 / 3, "2h": 100 / 3,
                        "6h": 50.0, "1d": 50.0, "3d": 50.0}),
}

GOOD_LINES = [
    "%d,svc-a,p1,1,10.5" % (S + 1 * MIN),
    "%d,svc-a,p1,1,11.5" % (S + 2 * MIN),
    "%d,svc-a,p1,0,12.5" % (S + 3 * MIN),
    "%d,svc-a,p1,1,13.5" % (S + 4 * MIN),
    "%d,svc-a,p1,1,14.5" % (S + 5 * MIN),
    "%d,svc-a,p1,1,15.5" % (S + 6 * MIN),
    "%d,svc-a,p1,1,16.5" % (S + 7 * MIN),
    "%d,svc-a,p1,1,17.5" % (S + 8 * MIN),
]
T9 = S + 9 * MIN
# (name, bad line, file line number where it is placed; header = line 1)
MALFORMED = [
    ("bad ok value 2", "%d,svc-a,p1,2,10.0" % T9, 3),
    ("negative latency", "%d,svc-a,p1,1,-1.5" % T9, 4),
    ("NaN latency", "%d,svc-a,p1,1,NaN" % T9, 5),
    ("missing field", "%d,svc-a,p1,1" % T9, 6),
    ("non-numeric timestamp", "abc,svc-a,p1,1,10.0", 7),
    ("empty service name", "%d,,p1,1,10.0" % T9, 8),
]


def slakit_cmd(arg):
    if os.path.exists(arg):
        return [os.path.abspath(arg)]
    return shlex.split(arg)


class Ctx:
    def __init__(self, cmd, tmp):
        self.cmd = cmd
        self.tmp = tmp
        self.n = 0

    def write(self, lines):
        self.n += 1
        path = os.path.join(self.tmp, "case%02d.csv" % self.n)
        with open(path, "w", newline="") as f:
            f.write("".join(l + "\n" for l in lines))
        return path

    def run(self, *args):
        r = subprocess.run(self.cmd + ["eval"] + list(args), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120)
        err = r.stderr.decode("utf-8", "replace")
        # hide the random temporary directory name, so it cannot look like a line number
        err = err.replace(self.tmp, "<tmp>")
        return r.returncode, r.stdout.decode("utf-8", "replace"), err

    def main_csv(self):
        return self.write([HEADER] + ["%d,%s,%s,%d,%s" % r for r in ROWS])

    def eval_json(self, at=AT_RFC, path=None):
        rc, out, err = self.run("--data", path or self.main_csv(), "--target", "99", "--window", "1h",
                                "--at", at, "--format", "json")
        assert rc == 0, "exit %d, stderr: %s" % (rc, err.strip()[-1000:])
        try:
            return json.loads(out)
        except ValueError as e:
            raise AssertionError("stdout is not JSON (%s): %r" % (e, out[:300]))


# ---------------------------------------------------------------- helpers
def num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def assert_close(name, got, want, tol=TOL):
    assert num(got) and math.isfinite(got) and abs(got - want) <= tol, "%s: got %r, want %r" % (name, got, want)


def assert_count(name, got, want):
    assert num(got) and got == want, "%s: got %r, want %r" % (name, got, want)


_RFC3339 = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def rfc3339_ms(s):
    m = _RFC3339.match(s) if isinstance(s, str) else None
    if not m:
        return None
    y, mo, d, h, mi, se = (int(m.group(i)) for i in range(1, 7))
    off = 0
    tz = m.group(8)
    if tz not in ("Z", "z"):
        off = (1 if tz[0] == "+" else -1) * (int(tz[1:3]) * 60 + int(tz[4:6]))
    ms = int(datetime.datetime(y, mo, d, h, mi, se, tzinfo=datetime.timezone.utc).timestamp()) * 1000
    return ms - off * 60000 + (int(((m.group(7) or ".")[1:] + "000")[:3]))


def mentions_line(err, n):
    """stderr names line n, e.g. 'line 5', 'line: 5', 'data.csv:5:'."""
    return re.search(r"(?i)\bline\s*[:#]?\s*%d(?!\d)" % n, err) or re.search(r"(?<![\d:]):%d(?!\d)" % n, err)


def series_of(doc):
    return {(s.get("service"), s.get("probe")): s for s in doc["series"]}


def services_of(doc):
    return {s.get("service"): s for s in doc["services"]}


# ---------------------------------------------------------------- tests
TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


@test
def json_top_level(c):
    d = c.eval_json()
    assert isinstance(d, dict), "not an object"
    for k in ("at", "window", "target", "series", "services"):
        assert k in d, "missing key %r" % k
    assert rfc3339_ms(d["at"]) == AT, "at: got %r, want RFC 3339 for %s" % (d["at"], AT_RFC)
    assert d["window"] == "1h", "window: got %r" % d["window"]
    assert_close("target", d["target"], 0.99)


@test
def window_start_included_and_at_excluded(c):
    # svc-a/p1 has S(0) [start, included] and AT(0) [excluded]: total 4, good 2
    s = series_of(c.eval_json())[("svc-a", "p1")]
    assert_count("svc-a/p1 total", s.get("total"), 4)
    assert_count("svc-a/p1 good", s.get("good"), 2)
    assert_close("svc-a/p1 availability", s.get("availability"), 0.5)


@test
def last_ms_before_at_included(c):
    # svc-a/p2 has AT-1ms(1): total 3
    s = series_of(c.eval_json())[("svc-a", "p2")]
    assert_count("svc-a/p2 total", s.get("total"), 3)
    assert_count("svc-a/p2 good", s.get("good"), 3)
    assert_close("svc-a/p2 availability", s.get("availability"), 1.0)


@test
def results_outside_window_excluded(c):
    # svc-b/p1: S-90m and AT+10m are outside: total 3
    s = series_of(c.eval_json())[("svc-b", "p1")]
    assert_count("svc-b/p1 total", s.get("total"), 3)
    assert_count("svc-b/p1 good", s.get("good"), 2)
    assert_close("svc-b/p1 availability", s.get("availability"), 2 / 3)


@test
def all_series_values(c):
    d = c.eval_json()
    got = [(s.get("service"), s.get("probe")) for s in d["series"]]
    assert got == [(a, b) for a, b, _, _, _ in EXP_SERIES], "series (in order): %r" % got
    for (svc, probe, good, total, avail), s in zip(EXP_SERIES, d["series"]):
        assert_count("%s/%s good" % (svc, probe), s.get("good"), good)
        assert_count("%s/%s total" % (svc, probe), s.get("total"), total)
        assert_close("%s/%s availability" % (svc, probe), s.get("availability"), avail)


@test
def service_pools_its_probes(c):
    s = services_of(c.eval_json())["svc-a"]
    assert_count("svc-a good", s.get("good"), 5)
    assert_count("svc-a total", s.get("total"), 7)
    # pooled 5/7, not the mean of probe means (0.75)
    assert_close("svc-a availability (pooled 5/7)", s.get("availability"), 5 / 7)


@test
def sorted_by_name_despite_row_order(c):
    d = c.eval_json()
    names = [s.get("service") for s in d["services"]]
    assert names == ["svc-a", "svc-b"], "services order: %r" % names
    keys = [(s.get("service"), s.get("probe")) for s in d["series"]]
    assert keys == sorted(keys), "series order: %r" % keys


@test
def error_budget_values(c):
    svcs = services_of(c.eval_json())
    for name, e in EXP_SERVICES.items():
        eb = svcs[name].get("error_budget")
        assert isinstance(eb, dict), "%s: error_budget not an object: %r" % (name, eb)
        assert_count(name + " bad", eb.get("bad"), e["bad"])
        assert_close(name + " allowed_bad", eb.get("allowed_bad"), e["allowed_bad"])
        assert_close(name + " consumed", eb.get("consumed"), e["consumed"])
        assert_close(name + " remaining", eb.get("remaining"), e["remaining"])
        assert_close(name + " availability", svcs[name].get("availability"), e["availability"])


@test
def burn_rates_values(c):
    svcs = services_of(c.eval_json())
    for name, e in EXP_SERVICES.items():
        br = svcs[name].get("burn_rates")
        assert isinstance(br, dict), "%s: burn_rates not an object" % name
        assert sorted(br) == sorted(BURN_KEYS), "%s: burn_rates keys %r" % (name, sorted(br))
        for w in BURN_KEYS:
            assert_close("%s burn_rates[%s]" % (name, w), br.get(w), e["burn"][w])


@test
def burn_rate_window_without_results_is_zero(c):
    br = services_of(c.eval_json())["svc-b"]["burn_rates"]
    for w in ("5m", "30m"):
        assert num(br.get(w)) and br.get(w) == 0, "svc-b burn_rates[%s]: got %r, want 0" % (w, br.get(w))


@test
def at_epoch_ms_equals_rfc3339(c):
    path = c.main_csv()
    a = c.eval_json(at=AT_RFC, path=path)
    b = c.eval_json(at=str(AT), path=path)
    assert a == b, "outputs differ:\n--at %s: %s\n--at %d: %s" % (AT_RFC, json.dumps(a)[:400], AT, json.dumps(b)[:400])


@test
def alerts_and_forecast_30d(c):
    # One result a minute for the 30 days before AT; the minutes 10, 20, ...,
    # 360 before AT fail (36 bad, all in the last 6 hours). Against 99 %:
    #   burn 1h = (6/60)/0.01 = 10, 5m = 0, 30m = (3/30)/0.01 = 10,
    #   6h = (36/360)/0.01 = 10, 2h = (12/120)/0.01 = 10,
    #   1d = (36/1440)/0.01 = 2.5, 3d = (36/4320)/0.01 = 0.8333...
    # Tiers for 30d: page 14.4 (1h, 5m) inactive; page 6 (6h, 30m) firing;
    # ticket 3 (1d, 2h) inactive (2.5); ticket 1 (3d, 6h) inactive (0.83).
    # Budget: 432 allowed of 43,200, 36 spent: 11/12 left; at a burn of 10
    # it lasts 11/12 x 30 d / 10 = 66 h: exhausted at AT + 66 h.
    lines = [HEADER]
    for i in range(30 * 24 * 60, 0, -1):
        ok = 0 if (i % 10 == 0 and i <= 360) else 1
        lines.append("%d,svc-x,p1,%d,5.0" % (AT - i * MIN, ok))
    rc, out, err = c.run("--data", c.write(lines), "--target", "99", "--window", "30d",
                         "--at", AT_RFC, "--format", "json")
    assert rc == 0, "exit %d, stderr: %s" % (rc, err.strip()[-500:])
    svc = services_of(json.loads(out))["svc-x"]
    alerts = svc["alerts"]
    got = [(a["severity"], a["long"], a["short"], a["state"]) for a in alerts]
    want = [("page", "1h", "5m", "inactive"), ("page", "6h", "30m", "firing"),
            ("ticket", "1d", "2h", "inactive"), ("ticket", "3d", "6h", "inactive")]
    assert got == want, "alerts: got %r, want %r" % (got, want)
    for a, (factor, long_rate, short_rate) in zip(
            alerts, [(14.4, 10, 0), (6, 10, 10), (3, 2.5, 10), (1, 36 / 43.2, 10)]):
        assert_close("%s %s factor" % (a["severity"], a["long"]), a["factor"], factor)
        assert_close("%s %s long_rate" % (a["severity"], a["long"]), a["long_rate"], long_rate)
        assert_close("%s %s short_rate" % (a["severity"], a["long"]), a["short_rate"], short_rate)
    f = svc["forecast"]
    assert f["estimator"] == "burn rate over the last 6h, held constant", f
    assert_close("forecast burn_rate", f["burn_rate"], 10)
    assert f["exhaustion"] == "2024-01-03T19:00:00Z", "exhaustion: %r" % f["exhaustion"]


@test
def no_alert_tiers_under_an_hour_and_no_forecast_without_failures(c):
    lines = [HEADER] + ["%d,svc-y,p1,1,5.0" % (AT - i * MIN) for i in range(30, 0, -1)]
    rc, out, err = c.run("--data", c.write(lines), "--target", "99", "--window", "30m",
                         "--at", AT_RFC, "--format", "json")
    assert rc == 0, "exit %d, stderr: %s" % (rc, err.strip()[-500:])
    svc = services_of(json.loads(out))["svc-y"]
    assert svc["alerts"] == [], "alerts: %r" % svc["alerts"]
    assert svc["forecast"]["exhaustion"] is None, svc["forecast"]


@test
def table_format(c):
    rc, out, err = c.run("--data", c.main_csv(), "--target", "99", "--window", "1h", "--at", AT_RFC,
                         "--format", "table")
    assert rc == 0, "exit %d, stderr: %s" % (rc, err.strip()[-500:])
    # The table is the first block of non-blank lines; anything after a blank line
    # (e.g. a footer describing the window) is not part of it.  Pure separator
    # lines (----, ====, +---+, |---|) inside the table are ignored.
    block = re.split(r"\n[ \t\r]*\n", out.strip("\r\n"))[0] if out.strip() else ""
    lines = [l for l in block.splitlines() if l.strip() and not re.fullmatch(r"[\s\-=+|:]+", l)]
    assert lines, "no output"
    assert "service" in lines[0].lower(), "first line is not a header naming 'service': %r" % lines[0]
    rows = lines[1:]
    assert len(rows) == 2, "want one row per service (2), got %d: %r" % (len(rows), rows)
    for name in ("svc-a", "svc-b"):
        n = sum(1 for l in rows if re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(name), l))
        assert n == 1, "%s appears in %d rows: %r" % (name, n, rows)


def malformed_case(name, bad, lineno):
    def fn(c):
        lines = [HEADER] + GOOD_LINES[:]
        lines.insert(lineno - 1, bad)
        assert lines[lineno - 1] == bad
        rc, out, err = c.run("--data", c.write(lines), "--target", "99.9", "--window", "1h",
                             "--at", AT_RFC, "--format", "json")
        assert rc == 2, "exit status: got %d, want 2 (stderr: %s)" % (rc, err.strip()[-300:])
        assert out == "", "stdout not empty: %r" % out[:200]
        assert mentions_line(err, lineno), "stderr does not name line %d: %r" % (lineno, err.strip()[-300:])
    fn.__name__ = "malformed_" + re.sub(r"\W+", "_", name)
    return fn


for _n, _bad, _ln in MALFORMED:
    TESTS.append(malformed_case(_n, _bad, _ln))


@test
def malformed_missing_header(c):
    rc, out, err = c.run("--data", c.write(GOOD_LINES), "--target", "99.9", "--window", "1h",
                         "--at", AT_RFC, "--format", "json")
    assert rc == 2, "exit status: got %d, want 2 (stderr: %s)" % (rc, err.strip()[-300:])
    assert out == "", "stdout not empty: %r" % out[:200]
    assert mentions_line(err, 1) or "header" in err.lower(), \
        "stderr names neither line 1 nor the header: %r" % err.strip()[-300:]


def bad_flag_case(flag, value, word):
    def fn(c):
        args = {"--target": "99.9", "--window": "1h"}
        args[flag] = value
        rc, out, err = c.run("--data", c.main_csv(), "--target", args["--target"], "--window", args["--window"],
                             "--at", AT_RFC, "--format", "json")
        assert rc == 2, "exit status: got %d, want 2 (stderr: %s)" % (rc, err.strip()[-300:])
        assert out == "", "stdout not empty: %r" % out[:200]
        assert word in err.lower(), "stderr does not name %s: %r" % (flag, err.strip()[-300:])
    fn.__name__ = "bad_flag_%s_%s" % (flag.strip("-"), value)
    return fn


TESTS.append(bad_flag_case("--target", "100", "target"))
TESTS.append(bad_flag_case("--window", "0m", "window"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--slakit", required=True, help="path to the slakit binary")
    ap.add_argument("--data-dir", help="unused (accepted for a uniform invocation)")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="slakit-evalcontract-")
    passed = failed = 0
    try:
        c = Ctx(slakit_cmd(a.slakit), tmp)
        for fn in TESTS:
            try:
                fn(c)
            except AssertionError as e:
                failed += 1
                print("FAIL %s: %s" % (fn.__name__, e))
            except Exception as e:  # a crash in the test or a missing key in the output
                failed += 1
                print("FAIL %s: %s" % (fn.__name__, "".join(traceback.format_exception_only(type(e), e)).strip()))
            else:
                passed += 1
                print("ok   %s" % fn.__name__)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
