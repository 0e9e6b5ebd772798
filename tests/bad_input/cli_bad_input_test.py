#!/usr/bin/python3
"""Hostile command lines and files given to the `slakit` binary (slakit
issue 10, bad-input catalogue; docs/BAD_INPUT.md, "CLI"). One table: each
row is the arguments (and the files they name), the exit status and a
substring of the message on standard error, which must be one line naming
the problem. Rows that are accepted give their exact output instead.

Before the rows a data directory is filled by `slakit import`; after every
row that names it, and after the last row, `slakit eval --data-dir` and
`slakit report --data-dir` answer exactly as before (the store is reopened
by each command, so this is also the answer after a restart).

Usage: cli_bad_input_test.py --slakit PATH
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

SLAKIT = None
NOW = 1710072000000  # 2024-03-10T12:00:00Z
MIN = 60_000
HEADER = b"timestamp_ms,service,probe,ok,latency_ms\n"

CONFIG = b"""\
services:
  - name: web
    contract: {target: 99.9, period: month}
    objectives:
      - {name: availability, target: 99, window: 30d}
  - {name: sql, owner: provider}
applications:
  - {name: shop, components: "all_of(web, sql)"}
"""


def run(args, timeout=30):
    return subprocess.run([SLAKIT, *args], capture_output=True,
                          timeout=timeout)


def answers(data_dir):
    """What the data directory answers: eval (JSON) and report (JSON)."""
    ev = run(["eval", "--data-dir", data_dir, "--at", str(NOW), "--window",
              "30d", "--target", "99", "--format", "json"])
    rep = run(["report", "--data-dir", data_dir, "--month", "2024-03",
               "--format", "json"])
    return (ev.returncode, ev.stdout, rep.returncode, rep.stdout)


def main():
    global SLAKIT
    ap = argparse.ArgumentParser()
    ap.add_argument("--slakit", required=True)
    SLAKIT = os.path.abspath(ap.parse_args().slakit)
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        def path(name):
            return os.path.join(tmp, name)

        def write(name, data):
            with open(path(name), "wb") as f:
                f.write(data)
            return path(name)

        good = write("good.csv", HEADER + b"".join(
            b"%d,web,home,%d,5\n" % (NOW - (60 - i) * MIN, i % 10 != 0)
            for i in range(60)))
        config = write("slakit.yaml", CONFIG)
        store = path("store")
        r = run(["import", "--data-dir", store, "--config", config, good])
        assert r.returncode == 0, r.stderr
        before = answers(store)
        assert before[0] == 0 and before[2] == 0, before
        ev = json.loads(before[1])
        assert [(s["service"], s["probe"], s["good"], s["total"])
                for s in ev["series"]] == [("web", "home", 54, 60)], ev

        t = NOW - 10 * MIN
        os.mkdir(path("adir"))
        bad_ok = write("bad_ok.csv", HEADER + b"%d,web,home,1,1\n%d,web,home,"
                       b"2,1\n" % (t, t))
        future = write("future.csv", HEADER + b"%d,web,fresh,1,1\n"
                       b"253402300799000,web,fresh,1,1\n" % t)
        past = write("past.csv", HEADER + b"%d,web,fresh,1,1\n"
                     b"-62135596800000,web,fresh,1,1\n" % t)
        non_utf8 = write("utf.csv", HEADER + b"%d,w\xffb,home,1,1\n" % t)
        nul = write("nul.csv", HEADER + b"%d,w\x00b,home,1,1\n" % t)
        empty = write("empty.csv", b"")
        no_header = write("noheader.csv", b"%d,web,home,1,1\n" % t)
        bad_config = write("bad.yaml", b"services:\n  - {name: web, "
                           b"colour: blue}\n")
        empty_config = write("empty.yaml", b"")
        nested_config = write("nested.yaml", b"services:\n  - {name: web}\n"
                              b"applications:\n  - {name: d, components: \"" +
                              b"all_of(" * 10000 + b"web" + b")" * 10000 +
                              b"\"}\n")
        utf_config = write("utf.yaml", b"services:\n  - {name: \"w\xffb\"}\n")
        junk = write("junk.bin", bytes(range(256)) * 64)
        eval_csv = ["eval", "--data", good, "--at", str(NOW)]

        # (name, args, exit status, substring of stderr)
        rows = [
            ("no command", [], 2,
             "slakit: A subcommand is required (see slakit --help)"),
            ("unknown command", ["frobnicate"], 2,
             "slakit: A subcommand is required (see slakit --help)"),
            ("unknown flag", eval_csv + ["--bogus"], 2,
             "slakit: The following argument was not expected: --bogus"),
            ("missing --at", ["eval", "--data", good], 2,
             "slakit: --at is required (see slakit --help)"),
            ("missing data file", ["eval", "--data", path("nope.csv"),
                                   "--at", str(NOW)], 2, "nope.csv"),
            ("directory as data file", ["eval", "--data", path("adir"),
                                        "--at", str(NOW)], 2, "adir"),
            ("binary junk as data", ["eval", "--data", junk, "--at",
                                     str(NOW)], 2, "junk.bin:1: the header"),
            ("empty data file", ["eval", "--data", empty, "--at", str(NOW)],
             2, "empty.csv:1: the header must be"),
            ("data without header", ["eval", "--data", no_header, "--at",
                                     str(NOW)], 2, "noheader.csv:1: the "
                                                   "header must be"),
            ("ok = 2", ["eval", "--data", bad_ok, "--at", str(NOW)], 2,
             "bad_ok.csv:3: field 'ok': expected 0 or 1, got '2'"),
            ("non-UTF-8 service", ["eval", "--data", non_utf8, "--at",
                                   str(NOW)], 2,
             "utf.csv:2: field 'service': byte 2 (0xff) is not valid UTF-8"),
            ("NUL in a service", ["eval", "--data", nul, "--at", str(NOW)], 2,
             "nul.csv:2: field 'service': byte 2 is a NUL byte"),
            ("--at garbage", ["eval", "--data", good, "--at", "yesterday"], 2,
             "--at"),
            ("--at year 10000: accepted, nothing in the window",
             ["eval", "--data", good, "--at", "10000-01-01T00:00:00Z",
              "--format", "json"], 0,
             '"to":"10000-01-01T00:00:00Z","target":0.999,"series":[{'
             '"service":"web","probe":"home","good":0,"total":0'),
            ("--at past int64", ["eval", "--data", good, "--at",
                                 "99999999999999999999"], 2, "--at"),
            ("--window fortnight", eval_csv + ["--window", "fortnight"], 2,
             "window 'fortnight'"),
            ("--window 0m", eval_csv + ["--window", "0m"], 2, "window '0m'"),
            ("--window -5m", eval_csv + ["--window", "-5m"], 2, "-5m"),
            ("--window summing to infinity",
             eval_csv + ["--window", "1099511627776w" * 20], 2, "--window"),
            ("--target 100", eval_csv + ["--target", "100"], 2, "100"),
            ("--target 0", eval_csv + ["--target", "0"], 2, "target"),
            ("--target -1", eval_csv + ["--target", "-1"], 2, "target"),
            ("--target nan", eval_csv + ["--target", "nan"], 2, "target"),
            ("--target inf", eval_csv + ["--target", "inf"], 2, "target"),
            ("--target abc", eval_csv + ["--target", "abc"], 2,
             "slakit: Could not convert: --target = abc"),
            ("--format pdf", eval_csv + ["--format", "pdf"], 2, "pdf"),
            ("--data and --data-dir", eval_csv + ["--data-dir", store], 2,
             "--data"),
            ("neither --data nor --data-dir", ["eval", "--at", str(NOW)], 2,
             "--data"),
            ("--month 2024-13", ["report", "--data-dir", store, "--month",
                                 "2024-13"], 2, "2024-13"),
            ("--month 0000-01", ["report", "--data-dir", store, "--month",
                                 "0000-01"], 2, "0000-01"),
            ("--month empty", ["report", "--data-dir", store, "--month", ""],
             2, "month"),
            ("check: missing config", ["check", "--config",
                                       path("nope.yaml")], 2, "nope.yaml"),
            ("check: directory as config", ["check", "--config",
                                            path("adir")], 2, "adir"),
            ("check: empty config", ["check", "--config", empty_config], 2,
             "empty.yaml: the configuration is empty"),
            ("check: unknown key", ["check", "--config", bad_config], 2,
             "bad.yaml:2:17: services[0].colour: unknown key"),
            ("check: 10000 nested all_of", ["check", "--config",
                                            nested_config], 2,
             "nested deeper than 1000"),
            ("check: non-UTF-8 name", ["check", "--config", utf_config], 2,
             "utf.yaml:2:12: services[0].name: byte 2 (0xff) is not valid "
             "UTF-8"),
            ("import: bad row", ["import", "--data-dir", store, bad_ok], 2,
             "bad_ok.csv:3: field 'ok'"),
            ("import: far-future row declares nothing",
             ["import", "--data-dir", store, future], 2,
             "future.csv: data rows 1 to 2: record 1: field 'time' "
             "9999-12-31T23:59:59Z is in the future"),
            ("import: year-1 row declares nothing",
             ["import", "--data-dir", store, past], 2,
             "past.csv: data rows 1 to 2: record 1: field 'time' "
             "1-01-01T00:00:00Z is older than the retention horizon "
             "2024-02-04T12:00:00Z (retention 35d before the newest result) "
             "(nothing was stored)"),
            ("import: non-UTF-8 name", ["import", "--data-dir", store,
                                        non_utf8], 2, "utf.csv:2: field "
                                                      "'service'"),
            ("import: directory as file", ["import", "--data-dir", store,
                                           path("adir")], 2, "adir"),
            ("import: missing file", ["import", "--data-dir", store,
                                      path("nope.csv")], 2, "nope.csv"),
            ("import: data dir is a file", ["import", "--data-dir", good,
                                            good], 2,
             "store: create directory %s: Not a directory" % good),
            ("import: --format xml", ["import", "--data-dir", store,
                                      "--format", "xml", good], 2,
             "--format"),
            ("import: --service with CSV", ["import", "--data-dir", store,
                                            "--service", "web", good], 2,
             "--service, --probe and --at apply to Prometheus text"),
            ("import: bad --config", ["import", "--data-dir", store,
                                      "--config", bad_config, good], 2,
             "bad.yaml:2:17: services[0].colour: unknown key"),
            ("import: nothing to import", ["import", "--data-dir", store], 2,
             "give a file to import"),
            ("serve: non-loopback without tokens",
             ["serve", "--data-dir", path("srv"), "--config", config,
              "--listen", "0.0.0.0:0"], 2, "0.0.0.0:0"),
            ("serve: data dir is a file", ["serve", "--data-dir", good,
                                           "--config", config, "--listen",
                                           "127.0.0.1:0"], 2, "good.csv"),
            ("serve: bad config", ["serve", "--data-dir", path("srv"),
                                   "--config", bad_config, "--listen",
                                   "127.0.0.1:0"], 2, "bad.yaml:2:17"),
            ("serve: too many malloc arenas",
             ["serve", "--data-dir", path("srv"), "--config", config,
              "--listen", "127.0.0.1:0", "--malloc-arenas", "65"], 2,
             "slakit: --malloc-arenas: must be 0 to 64"),
            ("serve: negative malloc arenas",
             ["serve", "--data-dir", path("srv"), "--config", config,
              "--listen", "127.0.0.1:0", "--malloc-arenas", "-1"], 2,
             "slakit: --malloc-arenas: must be 0 to 64"),
            ("serve: no batch ids remembered",
             ["serve", "--data-dir", path("srv"), "--config", config,
              "--listen", "127.0.0.1:0", "--dedupe-max-ids", "0"], 2,
             "slakit: --dedupe-max-ids: must be 1 to 67108864 (2^26)"),
            ("generate: negative days", ["generate", "--out",
                                         path("gen.csv"), "--days", "-1"], 2,
             "slakit: --days: -1 is negative"),
        ]
        for name, args, status, want in rows:
            start = time.monotonic()
            try:
                r = run(args)
            except subprocess.TimeoutExpired:
                failures.append("%s: no answer in 30 s" % name)
                continue
            err = r.stderr.decode("utf-8", "backslashreplace")
            out = r.stdout.decode("utf-8", "backslashreplace")
            lines = [ln for ln in err.splitlines() if ln.strip()]
            # One "slakit: " line names the problem. Only the lines a file
            # reader lists (one per bad line or field, starting with the
            # file's path) may follow it; `serve` logs its lifecycle
            # ("slakit serve: ...") before it.
            said = [ln for ln in lines if ln.startswith("slakit: ")]
            others = [ln for ln in lines if not ln.startswith("slakit: ")
                      and not ln.startswith(tmp)
                      and not ln.startswith("slakit serve: ")]
            if r.returncode != status:
                failures.append("%s: exit %d (expected %d): %s"
                                % (name, r.returncode, status, err[:500]))
            elif status == 0 and want not in out:
                failures.append("%s: stdout lacks %r: %r" % (name, want,
                                                             out[:500]))
            elif status != 0 and want not in err:
                failures.append("%s: stderr lacks %r: %r" % (name, want,
                                                             err[:500]))
            elif status != 0 and (len(said) != 1 or others):
                failures.append("%s: not one 'slakit: ' line: %r"
                                % (name, err[:500]))
            if time.monotonic() - start > 10:
                failures.append("%s: took %.1f s" % (name,
                                                     time.monotonic() - start))
            # Only a command given the data directory can change it.
            after = answers(store) if store in args else before
            if after != before:
                failures.append("%s: the data dir answers differently: %r"
                                % (name, after[1][:300]))
        if answers(store) != before:
            failures.append("the data dir changed")
    for f in failures:
        print("FAIL", f)
    print("%d rows, %d failures" % (len(rows), len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
