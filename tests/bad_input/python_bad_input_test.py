#!/usr/bin/python3
"""Hostile inputs through the Python API (`import slakit`), slakit issue 10,
bad-input catalogue (docs/BAD_INPUT.md, "Python"). One table: each row is a
call, the exception class it raises (or None when it is accepted, with the
exact value it returns) and a substring of the message. After every row the
engine's answers about the data it held before are the same: web/home over
a fixed window, the services it knows, its newest result.

Usage: python_bad_input_test.py --native PATH/slakit/_slakit*.so
(the directory above the module holds the facade package `slakit`).
"""
import argparse
import datetime as dt
import math
import os
import sys
import tempfile
import time

slakit = None  # imported in main() from --native's package
UTC = dt.timezone.utc
NOW = 1710072000000  # 2024-03-10T12:00:00Z
MIN = 60_000
T = NOW - 10 * MIN

CONFIG = """\
services:
  - name: web
    objectives:
      - {name: availability, target: 99, window: 30d}
  - {name: sql, owner: provider}
applications:
  - {name: shop, components: "all_of(web, sql)"}
"""

failures = []


def fingerprint(e):
    a = e.availability("web", "home", start=NOW - 60 * MIN, end=NOW)
    return (a.good, a.total, tuple(e.services()), e.newest,
            tuple(s.name for s in e.slis("web")))


def rows(e, tmp):
    """(name, call, exception class or None, message substring or the
    value an accepted call returns)."""
    def write(name, data):
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    header = b"timestamp_ms,service,probe,ok,latency_ms\n"
    nested = ("services:\n  - {name: web}\napplications:\n"
              "  - {name: d, components: \"" + "all_of(" * 10000 + "web" +
              ")" * 10000 + "\"}\n")
    doubling = ("services:\n  - {name: web}\n  - {name: sql}\n"
                "applications:\n  - {name: a0, components: "
                "\"all_of(web, sql)\"}\n" +
                "".join("  - {name: a%d, components: \"all_of(a%d, a%d)\"}\n"
                        % (i, i - 1, i - 1) for i in range(1, 21)))
    many = [("x", "p", NOW - (i % 60 + 1) * MIN, i % 4 != 0)
            for i in range(200_000)]
    I, N, O = slakit.InvalidArgument, slakit.NotFound, slakit.OutOfRange
    return [
        # ---- ingest
        ("empty batch", lambda: e.ingest([]), None, 0),
        ("NaN latency", lambda: e.ingest([("web", "home", T, True,
                                           math.nan)]),
         I, "record 0: field 'latency_ms' is nan; it must be a finite "
            "number >= 0"),
        ("Inf latency", lambda: e.ingest([("web", "home", T, True,
                                           math.inf)]),
         I, "record 0: field 'latency_ms' is inf; it must be a finite "
            "number >= 0"),
        ("negative latency", lambda: e.ingest([("web", "home", T, True, -1)]),
         I, "record 0: field 'latency_ms' is -1; it must be a finite number "
            ">= 0"),
        ("ok is 2", lambda: e.ingest([("web", "home", T, 2)]),
         I, "results[0]: ok"),
        ("ok is a string", lambda: e.ingest([("web", "home", T, "yes")]),
         I, "results[0]: ok"),
        ("time is NaN", lambda: e.ingest([("web", "home", math.nan, True)]),
         I, "results[0]: time"),
        ("naive datetime", lambda: e.ingest(
            [("web", "home", dt.datetime(2024, 3, 10, 11, 50), True)]),
         I, "naive datetime"),
        ("negative time (1969)", lambda: e.ingest([("web", "home", -1, True)]),
         O, "record 0: field 'time' 1969-12-31T23:59:59.999Z is older than "
            "the retention horizon"),
        ("year 1", lambda: e.ingest(
            [("web", "home", dt.datetime(1, 1, 1, tzinfo=UTC), True)]),
         O, "record 0: field 'time' 1-01-01T00:00:00Z is older than the "
            "retention horizon 2024-02-04T12:00:00Z (retention 35d before "
            "the newest result)"),
        ("year 9999", lambda: e.ingest(
            [("web", "home", dt.datetime(9999, 12, 31, tzinfo=UTC), True)]),
         I, "record 0: field 'time' 9999-12-31T00:00:00Z is in the future"),
        ("time past int64", lambda: e.ingest([("web", "home", 2**63, True)]),
         I, "results[0]: time"),
        ("new probe in the far future declares nothing", lambda: e.ingest(
            [("web", "fresh", 253402300799000, True)]),
         I, "is in the future"),
        ("new probe in the past declares nothing", lambda: e.ingest(
            [("web", "fresh", T, True), ("web", "fresh", -1, True)]),
         O, "record 1: field 'time'"),
        ("service not a str", lambda: e.ingest([(b"web", "home", T, True)]),
         I, "results[0]"),
        ("service with a NUL", lambda: e.ingest([("w\0b", "home", T, True)]),
         I, "service 'w\\x00\\x62': byte 2 is a NUL byte"),
        ("service with a lone surrogate", lambda: e.ingest(
            [("w\udcffb", "home", T, True)]),
         I, "results[0]: service: not encodable as UTF-8 (a lone surrogate?)"),
        ("empty service", lambda: e.ingest([("", "home", T, True)]),
         I, "service name is empty"),
        ("wrong arity", lambda: e.ingest([("web", "home", T)]),
         I, "results[0]: expected (service, probe, time, ok[, latency_ms]), "
            "got 3 fields"),
        ("unknown sli id", lambda: e.ingest([(999, T, True)]),
         N, "record 0: field 'sli': id 999 is not declared"),
        ("200000 out-of-order rows of x/p", lambda: e.ingest(many), None,
         200_000),
        ("duplicated rows count each", lambda: e.ingest(
            [("y", "p", T, True), ("y", "p", T, True), ("y", "p", T, False)]),
         None, 3),
        # ---- CSV files
        ("missing CSV", lambda: e.load_csv(os.path.join(tmp, "nope.csv")),
         N, "nope.csv"),
        ("directory as CSV", lambda: e.load_csv(tmp), I, tmp),
        ("empty CSV", lambda: e.load_csv(write("empty.csv", b"")),
         I, "empty.csv:1: the header must be"),
        ("CSV with ok = 2", lambda: e.load_csv(write(
            "ok2.csv", header + b"%d,web,home,2,1\n" % T)),
         I, "ok2.csv:2: field 'ok': expected 0 or 1, got '2'"),
        ("CSV with a non-UTF-8 ok field", lambda: e.load_csv(write(
            "okff.csv", header + b"%d,web,home,\xff,1\n" % T)),
         I, "okff.csv:2: field 'ok': expected 0 or 1, got '\\xff'"),
        ("CSV with a non-UTF-8 name", lambda: e.load_csv(write(
            "utf.csv", header + b"%d,w\xffb,home,1,1\n" % T)),
         I, "utf.csv:2: field 'service': byte 2 (0xff) is not valid UTF-8"),
        ("CSV in the far future declares nothing", lambda: e.load_csv(write(
            "future.csv", header + b"253402300799000,z,p,1,1\n")),
         I, "future.csv: record 0: field 'time' 9999-12-31T23:59:59Z is in "
            "the future"),
        # ---- declarations and queries
        ("NaN target", lambda: e.declare_objective(
            "web", "n", target=math.nan), I, "target"),
        ("target 100", lambda: e.declare_objective(
            "web", "n", target=100), I, "target"),
        ("negative target", lambda: e.declare_objective(
            "web", "n", target=-1), I, "target"),
        ("window 0m", lambda: e.declare_objective(
            "web", "n", target=99, window="0m"), I, "window '0m'"),
        ("unknown window", lambda: e.availability(
            "web", window="fortnight", at=NOW), I, "window 'fortnight'"),
        ("window summing to infinity", lambda: e.availability(
            "web", window="1099511627776w" * 20, at=NOW), I, "window"),
        ("unknown service", lambda: e.availability("nope", at=NOW),
         N, "nope"),
        ("start after end", lambda: e.availability(
            "web", start=NOW, end=NOW - MIN),
         I, "end 1710071940000 is before start 1710072000000"),
        ("observe from year 1 to 9999", lambda: e.observe(
            "shop", start=dt.datetime(1, 1, 1, tzinfo=UTC),
            end=dt.datetime(9999, 1, 1, tzinfo=UTC)),
         I, "application 'shop': [1-01-01T00:00:00Z, 9999-01-01T00:00:00Z) is "
            "longer than 400 days"),
        ("report of month 13", lambda: e.report("2024-13"), I, "2024-13"),
        # ---- configuration
        ("empty configuration", lambda: slakit.Config.parse("", "t.yaml"),
         I, "t.yaml: the configuration is empty"),
        ("NaN target in configuration", lambda: slakit.Config.parse(
            "services:\n  - name: web\n    objectives:\n"
            "      - {name: a, target: .nan, window: 30d}\n", "t.yaml"),
         I, "t.yaml:4:27: services[0].objectives[0].target: expected a finite "
            "number, got '.nan'"),
        ("10000 nested all_of", lambda: slakit.Config.parse(nested, "t.yaml"),
         I, "nested deeper than 1000"),
        ("applications doubling 20 times", lambda: slakit.Config.parse(
            doubling, "t.yaml"),
         I, "applications[15].components: expands to more than 100000 "
            "components and groups (applications used many times over: "
            "a15 -> a14"),
        ("NUL in a service name", lambda: slakit.Config.parse(
            "services:\n  - {name: \"w\\0b\"}\n", "t.yaml"),
         I, "t.yaml:2:12: services[0].name: byte 2 is a NUL byte"),
        ("missing configuration file", lambda: slakit.Config.load(
            os.path.join(tmp, "nope.yaml")), N, "nope.yaml"),
    ]


def main():
    global slakit
    ap = argparse.ArgumentParser()
    ap.add_argument("--native", required=True)
    args = ap.parse_args()
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(
        args.native)))
    sys.path.insert(0, package_root)
    import slakit as module
    slakit = module

    e = slakit.Engine(config=slakit.Config.parse(CONFIG, "ref.yaml"),
                      clock=lambda: NOW)
    # The wall clock decides what is "in the future": NOW is in its past.
    e.ingest([("web", "home", NOW - (60 - i) * MIN, i % 10 != 0)
              for i in range(60)])
    before = fingerprint(e)
    assert before[:2] == (54, 60), before
    with tempfile.TemporaryDirectory() as tmp:
        for name, call, exc, want in rows(e, tmp):
            start = time.monotonic()
            state = fingerprint(e)
            try:
                got = call()
                if exc is not None:
                    failures.append("%s: accepted (%r), expected %s"
                                    % (name, got, exc.__name__))
                elif got != want:
                    failures.append("%s: returned %r, expected %r"
                                    % (name, got, want))
            except Exception as err:  # noqa: BLE001 - the row says which
                if exc is None or type(err) is not exc:
                    failures.append("%s: raised %s: %s" %
                                    (name, type(err).__name__, err))
                elif want not in str(err):
                    failures.append("%s: message %r lacks %r"
                                    % (name, str(err), want))
                elif exc is not None and (len(str(err)) > 2000 or
                                          not isinstance(err, slakit.Error)):
                    failures.append("%s: not a slakit.Error one-liner: %r"
                                    % (name, err))
                after = fingerprint(e)
                if after != state:
                    failures.append("%s: refused, but the engine changed: "
                                    "%r -> %r" % (name, state, after))
            took = time.monotonic() - start
            if took > 5:
                failures.append("%s: took %.1f s" % (name, took))
            if fingerprint(e)[:2] != before[:2]:
                failures.append("%s: web/home changed" % name)
    # What the accepted rows added, exactly.
    x = e.availability("x", "p", start=NOW - 60 * MIN, end=NOW)
    y = e.availability("y", "p", start=NOW - 60 * MIN, end=NOW)
    if (x.good, x.total, y.good, y.total) != (150_000, 200_000, 2, 3):
        failures.append("accepted rows: x %d/%d, y %d/%d" %
                        (x.good, x.total, y.good, y.total))
    if sorted(e.services()) != ["web", "x", "y"]:
        failures.append("services: %r" % e.services())
    for f in failures:
        print("FAIL", f)
    print("%d rows, %d failures" % (len(rows(e, "/nonexistent")),
                                    len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
