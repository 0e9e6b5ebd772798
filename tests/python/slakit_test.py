#!/usr/bin/python3
"""Tests of the Python module (`import slakit`), run with /usr/bin/python3.

Usage: slakit_test.py --native PATH/slakit/_slakit*.so --readme README.md
                      [unittest arguments]

--native names the built extension; the directory above it must hold the
facade package `slakit` (CMake: build/python; Bazel: the runfiles'
bindings/python). --readme is the project's README, whose Python example
(between <!-- python-example --> markers) is executed verbatim.

Every expected number is computed by hand from tiny data, in the comments.
"""

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import re
import sys
import tempfile
import threading
import time
import unittest

slakit = None  # imported in main() from --native's package
README = None

UTC = dt.timezone.utc
T0 = 1704844800000  # 2024-01-10T00:00:00Z
MIN = 60_000


def at(minute):
    """Epoch ms of T0 + minute minutes."""
    return T0 + minute * MIN


class BasicsTest(unittest.TestCase):
    """Availability, budgets and burn rates on four results: minutes 0..3 of
    web/home, minute 3 failed."""

    def setUp(self):
        self.e = slakit.Engine()
        n = self.e.ingest([("web", "home", at(m), m != 3) for m in range(4)])
        self.assertEqual(n, 4)

    def test_availability_three_of_four(self):
        a = self.e.availability("web", start=at(0), end=at(4))
        self.assertEqual((a.good, a.total, a.bad), (3, 4, 1))
        self.assertEqual(a.availability, 0.75)
        self.assertEqual(a.start, dt.datetime(2024, 1, 10, tzinfo=UTC))
        self.assertEqual(a.end, dt.datetime(2024, 1, 10, 0, 4, tzinfo=UTC))
        # Per probe, and as of `at` over a rolling or calendar window.
        self.assertEqual(self.e.availability("web", "home", window="2m",
                                             at=at(4)).availability, 0.5)
        self.assertEqual(self.e.availability("web", window="month",
                                             at=at(4)).good, 3)
        # Bounds are floored to the minute: [0:00:30, 0:03:59) = [0, 3).
        a = self.e.availability("web", start=at(0) + 30_000,
                                end=at(3) + 59_999)
        self.assertEqual((a.good, a.total), (3, 3))

    def test_datetimes_equal_milliseconds(self):
        start = dt.datetime(2024, 1, 10, tzinfo=UTC)
        paris = dt.timezone(dt.timedelta(hours=1))
        end = dt.datetime(2024, 1, 10, 1, 4, tzinfo=paris)  # 00:04Z
        a = self.e.availability("web", start=start, end=end)
        self.assertEqual((a.good, a.total), (3, 4))
        self.e.ingest([("web", "home", dt.datetime(2024, 1, 10, 0, 4,
                                                   tzinfo=UTC), True)])
        self.assertEqual(self.e.newest,
                         dt.datetime(2024, 1, 10, 0, 4, tzinfo=UTC))

    def test_pooled_service_and_sli_ids(self):
        # web/api: 1 of 2 -> web pools 4 of 6.
        api = self.e.declare_sli("web", "api")
        self.e.ingest([(api, at(0), True, 12.5), (api, at(1), 0)])
        self.assertEqual(self.e.availability("web", "api", start=at(0),
                                             end=at(4)).availability, 0.5)
        a = self.e.availability("web", start=at(0), end=at(4))
        self.assertEqual((a.good, a.total), (4, 6))
        self.assertEqual([s.name for s in self.e.slis("web")],
                         ["api", "home"])
        self.assertEqual(self.e.sli("web", "api").kind, "probe_success")
        self.assertEqual(self.e.services(), ["web"])

    def test_latency_and_event_slis(self):
        fast = self.e.declare_sli("api", "fast", kind="latency_threshold",
                                  latency_threshold_ms=100)
        # ok and <= 100 ms: 50 ms good, 150 ms bad, failed bad.
        self.e.ingest([(fast, at(0), True, 50.0), (fast, at(1), True, 150.0),
                       ("api", "fast", at(2), False, 10.0)])
        a = self.e.availability("api", "fast", start=at(0), end=at(4))
        self.assertEqual((a.good, a.total), (1, 3))
        self.e.declare_sli("shop", "orders", kind="event_ratio")
        self.e.ingest_events([("shop", "orders", at(0), 9, 10),
                              (self.e.sli("shop", "orders").id, at(1), 1, 2)])
        a = self.e.availability("shop", "orders", start=at(0), end=at(4))
        self.assertEqual((a.good, a.total), (10, 12))

    def test_budget_as_fractions(self):
        # 50 %: allowed bad = 0.5 * 4 = 2, consumed = 1/2, remaining 1/2.
        self.e.declare_objective("web", "half", target=50, window="30d")
        b = self.e.budget("web", "half", at=at(4))
        self.assertEqual((b.good, b.total, b.bad), (3, 4, 1))
        self.assertEqual((b.availability, b.allowed_bad, b.consumed,
                          b.remaining), (0.75, 2.0, 0.5, 0.5))
        self.assertEqual(b.budgeting, "occurrences")
        self.assertEqual(b.target, 50)
        self.assertEqual(b.end, dt.datetime(2024, 1, 10, 0, 4, tzinfo=UTC))
        self.assertEqual(b.end - b.start, dt.timedelta(days=30))
        # 99.9 %: allowed bad 0.004 = 4/1000, consumed 1 / 0.004 = 250.
        self.e.declare_objective("web", "three-nines", target=99.9)
        b = self.e.budget("web", "three-nines", at=at(4))
        self.assertEqual((b.allowed_bad, b.consumed, b.remaining),
                         (0.004, 250.0, -249.0))
        o = self.e.objective("web", "three-nines")
        self.assertEqual((o.target, o.window, o.slis), (99.9, "30d", ()))

    def test_timeslices(self):
        # 2-minute slices, good when >= 75 % good: [0, 2) 2/2 good,
        # [2, 4) 1/2 bad -> 1 good slice of 2.
        self.e.declare_objective("web", "slices", target=50,
                                 budgeting="timeslices",
                                 slice=dt.timedelta(minutes=2),
                                 slice_threshold=0.75, slis=["home"])
        b = self.e.budget("web", "slices", at=at(4))
        self.assertEqual((b.good, b.total, b.budgeting),
                         (1, 2, "timeslices"))

    def test_burn_rates(self):
        # target 50 % (budget fraction 1/2); at minute 4:
        #   1m  [3, 4): 1 bad of 1 -> 1 / 0.5 = 2
        #   2m  [2, 4): 1 of 2     -> 0.5 / 0.5 = 1
        #   5m  [-1, 4): 1 of 4    -> 0.25 / 0.5 = 0.5
        self.e.declare_objective("web", "half", target=50)
        rates = self.e.burn_rates("web", "half",
                                  ["1m", "2m", dt.timedelta(minutes=5)],
                                  at=at(4))
        self.assertEqual(rates, {"1m": 2.0, "2m": 1.0,
                                 dt.timedelta(minutes=5): 0.5})
        default = self.e.burn_rates("web", "half", at=at(4))
        self.assertEqual(list(default), slakit.standard_burn_windows())
        self.assertEqual(list(default),
                         ["5m", "30m", "1h", "2h", "6h", "1d", "3d"])
        self.assertEqual(set(default.values()), {0.5})

    def test_clock_is_injectable(self):
        e = slakit.Engine(clock=lambda: at(4))
        e.ingest([("web", "home", at(m), m != 3) for m in range(4)])
        self.assertEqual(e.availability("web", window="4m").good, 3)


COMPOSITE_CONFIG = """\
timezone: UTC
services:
  - name: web
    owner: application
  - name: sql
    owner: provider
    contract: {target: 99.9, downtime: {interval: 1m}}
    objectives:
      - {name: availability, target: 90, window: 30d}
applications:
  - name: shop
    components: "all_of(web, sql)"
    objectives:
      - {name: availability, target: 50, window: 30d}
"""

#           minute  0 1 2 3 4 5 6 7 8 9
WEB_STATES = "UUDDUUUUUU"
SQL_STATES = "UUUDDDUUU?"  # minute 9: no result


def composite_engine():
    config = slakit.Config.parse(COMPOSITE_CONFIG, "composite.yaml")
    e = slakit.Engine.from_config(config)
    rows = []
    for service, states in (("web", WEB_STATES), ("sql", SQL_STATES)):
        for m, s in enumerate(states):
            if s != "?":
                rows.append((service, "probe", at(m), s == "U"))
    e.ingest(rows)
    return e


class CompositeTest(unittest.TestCase):
    """all_of(web, sql) over 10 minutes, by hand:
    minute 2 web alone down; 3 both down (each needed: shared); 4, 5 sql
    alone; 9 sql without data (web up, so the composite is unknown).
    Up 0 1 6 7 8 = 5, down 2..5 = 4, no data 1."""

    def test_observe_with_attribution(self):
        e = composite_engine()
        c = e.observe("shop", start=at(0), end=at(10))
        self.assertEqual(c.expression, "all_of(web, sql)")
        self.assertEqual((c.minutes, c.up_minutes, c.down_minutes,
                          c.no_data_minutes), (10, 5, 4, 1))
        self.assertEqual(c.states, "UUDDDDUUU?")
        self.assertEqual(c.availability, 5 / 9)
        web, sql = c.component("web"), c.component("sql")
        self.assertEqual((web.owner, web.down_minutes, web.sole_minutes,
                          web.shared_minutes), ("application", 2, 1, 1))
        self.assertEqual((sql.owner, sql.down_minutes, sql.sole_minutes,
                          sql.shared_minutes), ("provider", 3, 2, 1))
        # Exclusive: provider 4, 5; application 2; minute 3 is mixed.
        self.assertEqual(c.provider.exclusive_minutes, 2)
        self.assertEqual(c.application_owner.exclusive_minutes, 1)
        self.assertEqual((c.mixed_owner_minutes, c.shared_only_minutes,
                          c.unattributed_minutes), (1, 1, 0))
        self.assertEqual(c.down_minutes,
                         c.provider.exclusive_minutes
                         + c.application_owner.exclusive_minutes
                         + c.mixed_owner_minutes + c.unattributed_minutes)
        # A window as of `at`: the same 10 minutes (nothing before).
        self.assertEqual(e.observe("shop", window="1h", at=at(10)).states[-10:],
                         "UUDDDDUUU?")

    def test_budgets_from_the_config(self):
        e = composite_engine()
        # sql, 90 %: 6 good of 9; allowed bad 0.9, consumed 3 / 0.9 = 10/3.
        b = e.budget("sql", "availability", at=at(10))
        self.assertEqual((b.good, b.total, b.bad), (6, 9, 3))
        self.assertEqual(b.consumed, 10 / 3)
        # shop, 50 % over composite minutes: up 5 of 9 known minutes;
        # allowed bad 4.5, consumed 4 / 4.5 = 8/9.
        b = e.budget("shop", "availability", at=at(10))
        self.assertEqual((b.good, b.total, b.bad, b.allowed_bad),
                         (5, 9, 4, 4.5))
        self.assertEqual(b.consumed, 8 / 9)
        # Burn rate over the last 10 minutes: (4/9) / 0.5 = 8/9; over the
        # last 4 (6..9): 3 up, 1 no data -> 0.
        self.assertEqual(e.burn_rates("shop", "availability", ["10m", "4m"],
                                      at=at(10)), {"10m": 8 / 9, "4m": 0.0})
        self.assertEqual(e.objective("shop", "availability").target, 50)

    def test_config_accessors(self):
        config = slakit.Config.parse(COMPOSITE_CONFIG)
        self.assertEqual(config.timezone, "UTC")
        self.assertEqual(config.services, ("web", "sql"))
        self.assertEqual(config.applications, {"shop": "all_of(web, sql)"})
        [o] = config.objectives("sql")
        self.assertEqual((o.service, o.name, o.target, o.window,
                          o.budgeting), ("sql", "availability", 90, "30d",
                                         "occurrences"))
        d = config.as_dict()
        self.assertEqual(d["services"][1]["commitment_percent"], 99.9)
        self.assertEqual(d["applications"][0]["components"], ["sql", "web"])

    def test_config_from_a_path(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "slakit.yaml")
            with open(path, "w") as f:
                f.write(COMPOSITE_CONFIG)
            e = slakit.Engine.from_config(path)
            self.assertEqual(e.config.services, ("web", "sql"))
            e.config = None
            self.assertIsNone(e.config)
            e.config = slakit.Config.load(path)
            self.assertEqual(e.config.applications, {"shop":
                                                     "all_of(web, sql)"})

    def test_theoretical_availability(self):
        self.assertAlmostEqual(
            slakit.theoretical_availability("all_of(web, sql)",
                                            {"web": 0.999, "sql": 0.999}),
            0.998001, places=15)
        self.assertEqual(
            slakit.theoretical_availability("any_of(a, b)",
                                            {"a": 0.5, "b": 0.5}), 0.75)


class ErrorsTest(unittest.TestCase):
    def test_codes_and_classes(self):
        e = slakit.Engine()
        e.ingest([("web", "home", at(0), True)])
        with self.assertRaises(slakit.InvalidArgument) as cm:
            e.declare_objective("web", "a", target=99.9, window="3x")
        self.assertEqual(cm.exception.code, "INVALID_ARGUMENT")
        self.assertIn("window '3x'", cm.exception.message)
        self.assertTrue(str(cm.exception).startswith("INVALID_ARGUMENT: "))
        self.assertIsInstance(cm.exception, ValueError)
        self.assertIsInstance(cm.exception, slakit.Error)

        with self.assertRaises(slakit.NotFound) as cm:
            e.availability("nope")
        self.assertEqual(cm.exception.code, "NOT_FOUND")
        self.assertIn("nope", cm.exception.message)
        self.assertIsInstance(cm.exception, LookupError)
        with self.assertRaises(slakit.NotFound):
            e.budget("web", "unknown", at=at(1))

        e.declare_objective("web", "a", target=99.9)
        with self.assertRaises(slakit.InvalidArgument) as cm:
            e.burn_rates("web", "a", ["90s"], at=at(1))
        self.assertIn("whole number of minutes", cm.exception.message)
        with self.assertRaises(slakit.AlreadyExists) as cm:
            e.declare_sli("web", "home")
        self.assertEqual(cm.exception.code, "ALREADY_EXISTS")

    def test_naive_datetime_is_refused(self):
        e = slakit.Engine()
        naive = dt.datetime(2024, 1, 10)
        with self.assertRaises(slakit.InvalidArgument) as cm:
            e.ingest([("web", "home", at(0), True),
                      ("web", "home", naive, True)])
        self.assertIn("results[1]: time: naive datetime", str(cm.exception))
        self.assertIsNone(e.newest)  # nothing of the batch applied
        e.ingest([("web", "home", at(0), True)])
        with self.assertRaises(slakit.InvalidArgument) as cm:
            e.availability("web", start=naive, end=at(1))
        self.assertIn("start: naive datetime", cm.exception.message)
        with self.assertRaises(slakit.InvalidArgument):
            e.availability("web", at=naive)

    def test_batches_are_all_or_nothing(self):
        e = slakit.Engine(retention=dt.timedelta(hours=1))
        e.ingest([("web", "home", at(120), True)])
        with self.assertRaises(slakit.InvalidArgument) as cm:
            e.ingest([("web", "home", at(121), True),
                      ("web", "home", at(122), True, -1.0)])
        self.assertIn("record 1", cm.exception.message)
        with self.assertRaises(slakit.OutOfRange) as cm:
            e.ingest([("web", "home", at(0), True)])  # 2 h before the newest
        self.assertEqual(cm.exception.code, "OUT_OF_RANGE")
        self.assertEqual(e.availability("web", start=at(0),
                                        end=at(200)).total, 1)
        for bad in ([("web",)], ["web"], [("web", "home", at(0), "yes")],
                    [(0, at(0))]):
            with self.assertRaises(slakit.InvalidArgument, msg=bad):
                e.ingest(bad)
        with self.assertRaises(slakit.InvalidArgument):
            slakit.Engine(retention=dt.timedelta(seconds=1))

    def test_config_and_report_errors(self):
        with self.assertRaises(slakit.InvalidArgument) as cm:
            slakit.Config.parse("services: [{name: }]\n", "bad.yaml")
        self.assertIn("bad.yaml:1:", cm.exception.message)
        with self.assertRaises(slakit.NotFound):
            slakit.Config.load("/nonexistent/slakit.yaml")
        with self.assertRaises(slakit.FailedPrecondition):
            slakit.Engine().report("2024-01")
        e = composite_engine()
        with self.assertRaises(slakit.InvalidArgument):
            e.report("2024-1")
        with self.assertRaises(slakit.InvalidArgument):
            e.report("2024-01", format="pdf")
        with self.assertRaises(slakit.NotFound):
            e.observe("nope", start=at(0), end=at(1))
        with self.assertRaises(slakit.InvalidArgument):
            e.observe("shop", start=at(1), end=at(1))


def write_csv(path, rows):
    with open(path, "w") as f:
        f.write("timestamp_ms,service,probe,ok,latency_ms\n")
        f.writelines(f"{t},{s},{p},{int(ok)},{lat}\n"
                     for t, s, p, ok, lat in rows)


class CsvTest(unittest.TestCase):
    def test_load_csv(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "results.csv")
            write_csv(path, [(at(0), "web", "home", 1, 10.5),
                             (at(1), "web", "home", 0, 3000),
                             (at(1), "web", "api", 1, 2),
                             (at(2), "sql", "port", 1, 0.5)])
            e = slakit.Engine()
            self.assertEqual(e.load_csv(path), 4)
            a = e.availability("web", start=at(0), end=at(3))
            self.assertEqual((a.good, a.total), (2, 3))
            self.assertEqual(e.services(), ["sql", "web"])
            # A malformed line loads nothing and names the line.
            bad = os.path.join(tmp, "bad.csv")
            write_csv(bad, [(at(3), "web", "home", 1, 1),
                            (at(4), "web", "home", 7, 1)])
            with self.assertRaises(slakit.InvalidArgument) as cm:
                e.load_csv(bad)
            self.assertIn(":3", cm.exception.message)
            self.assertEqual(e.availability("web", start=at(0),
                                            end=at(10)).total, 3)
            with self.assertRaises(slakit.NotFound):
                e.load_csv(os.path.join(tmp, "missing.csv"))

    def test_load_csv_releases_the_gil(self):
        # A counter thread runs Python code while load_csv parses and
        # ingests. Not timing-fragile: with the GIL held for the whole call,
        # the thread could not take a single sample in the middle third of
        # the call, whatever the machine's speed; with it released, it takes
        # samples throughout. Up to 5 attempts in case the OS starves the
        # thread for a third of a call.
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "big.csv")
            with open(path, "w") as f:
                f.write("timestamp_ms,service,probe,ok,latency_ms\n")
                f.write("".join(f"{at(i // 100)},svc-{i % 10},p{i % 5},"
                                f"{int(i % 7 != 0)},1.5\n"
                                for i in range(1_000_000)))
            inside = 0
            for _ in range(5):
                samples = []
                stop = threading.Event()

                def count():
                    while not stop.is_set():
                        samples.append(time.monotonic())
                        time.sleep(0)  # lets the main thread in promptly

                e = slakit.Engine()
                thread = threading.Thread(target=count)
                thread.start()
                while not samples:
                    time.sleep(0.001)
                t0 = time.monotonic()
                n = e.load_csv(path)
                t1 = time.monotonic()
                stop.set()
                thread.join()
                self.assertEqual(n, 1_000_000)
                third = (t1 - t0) / 3
                inside = sum(1 for s in samples
                             if t0 + third < s < t1 - third)
                if inside > 0:
                    break
            self.assertGreater(inside, 0, "the counter thread did not run "
                               "during load_csv: is the GIL released?")


class ReportTest(unittest.TestCase):
    def test_report_dict_and_files(self):
        e = composite_engine()
        r = e.report("2024-01")
        self.assertEqual(list(r)[:4],
                         ["month", "timezone", "period", "catalog_version"])
        self.assertLessEqual({"services", "applications", "remediation"},
                             set(r))
        self.assertEqual(r["month"], "2024-01")
        self.assertEqual([s["name"] for s in r["services"]], ["web", "sql"])
        self.assertEqual([a["name"] for a in r["applications"]], ["shop"])
        self.assertEqual(e.report(dt.date(2024, 1, 31)), r)
        self.assertEqual(json.loads(e.report("2024-01", format="json")), r)
        with tempfile.TemporaryDirectory() as tmp:
            for name, marker in (("r.json", '"month":"2024-01"'),
                                 ("r.csv", "sql"), ("r.md", "| sql"),
                                 ("r.html", "<html")):
                path = e.write_report("2024-01", os.path.join(tmp, name))
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                self.assertIn(marker, text, name)
            with open(os.path.join(tmp, "r.json")) as f:
                self.assertEqual(json.load(f), r)
            self.assertEqual(sorted(os.listdir(tmp)),
                             ["r.csv", "r.html", "r.json", "r.md"])
            with self.assertRaises(slakit.InvalidArgument):
                e.write_report("2024-01", os.path.join(tmp, "r.pdf"))


class PackageTest(unittest.TestCase):
    def test_facade_and_stubs(self):
        self.assertTrue(slakit.Engine.__doc__)
        self.assertTrue(slakit.Engine.budget.__doc__)
        pkg = os.path.dirname(slakit.__file__)
        for name in ("py.typed", "_slakit.pyi"):
            self.assertTrue(os.path.exists(os.path.join(pkg, name)), name)
        for name in slakit.__all__:
            self.assertTrue(hasattr(slakit, name), name)

    def test_readme_example_verbatim(self):
        with open(README, encoding="utf-8") as f:
            text = f.read()
        m = re.search(r"<!-- python-example -->\s*```python\n(.*?)```\s*"
                      r"<!-- /python-example -->", text, re.S)
        self.assertIsNotNone(m, "README has no <!-- python-example --> block")
        code = m.group(1)
        self.assertEqual(len(code.strip().splitlines()), 5, code)
        # Every `print(...)  # value` line promises its output.
        expected = [line.rsplit("# ", 1)[1].strip()
                    for line in code.splitlines()
                    if line.startswith("print(")]
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, "README.md", "exec"), {})
        self.assertEqual(out.getvalue().split(), expected)


def main():
    global slakit, README
    ap = argparse.ArgumentParser()
    ap.add_argument("--native", required=True)
    ap.add_argument("--readme", required=True)
    args, rest = ap.parse_known_args()
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(
        args.native)))
    sys.path.insert(0, package_root)
    import slakit as module
    slakit = module
    if not os.path.abspath(slakit.__file__).startswith(package_root):
        sys.exit(f"imported {slakit.__file__}, not the package under "
                 f"{package_root}")
    README = args.readme
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
