#!/usr/bin/env python3
"""`slakit eval` against the benchmark reference answers (tiny and small presets).

    python3 tests/cli/eval_reference_test.py --slakit PATH_TO_BINARY --data-dir tests/data

For every tests/data/<preset>.expected.json: decompress its data file into a
temporary directory, check the CSV's SHA-256, run

    slakit eval --data CSV --target 99.9 --window <window> --at <at> --format json

and compare the JSON with the expected answers:
  * counts (good, total, error_budget.bad) exactly;
  * every other number to 1e-12 (absolute);
  * series sorted by (service, probe), services sorted by service, and the
    same series/services as expected (no more, no fewer).

The expected files were produced from the shared benchmark harness's exact
answers (see tests/data/README.md and the files' "_source"); nothing outside
the project is read here.  Python 3 standard library only.

Prints one line per failed check, then a final line `N passed, M failed`;
exits 1 if anything failed.
"""
import argparse
import datetime
import gzip
import hashlib
import json
import lzma
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

TOL = 1e-12
BURN_KEYS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
PRESETS = ("tiny", "small")


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.shown = 0

    def ok(self, cond, name, detail=""):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            if self.shown < 200:
                print("FAIL %s%s" % (name, (": " + detail) if detail else ""))
                self.shown += 1
            elif self.shown == 200:
                print("... (further failures not shown)")
                self.shown += 1
        return bool(cond)


def is_num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def close(chk, name, got, want, tol=TOL):
    if not is_num(got):
        return chk.ok(False, name, "not a number: %r (want %r)" % (got, want))
    good = math.isfinite(got) and abs(got - want) <= tol
    return chk.ok(good, name, "got %r, want %r (diff %.3g, tol %g)" % (
        got, want, abs(got - want) if math.isfinite(got) else float("inf"), tol))


def exact(chk, name, got, want):
    good = is_num(got) and got == want and (not isinstance(got, float) or got.is_integer())
    return chk.ok(good, name, "got %r, want %r" % (got, want))


_RFC3339 = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def rfc3339_ms(s):
    """RFC 3339 timestamp -> epoch milliseconds (None if it is not one)."""
    if not isinstance(s, str):
        return None
    m = _RFC3339.match(s)
    if not m:
        return None
    y, mo, d, h, mi, se = (int(m.group(i)) for i in range(1, 7))
    frac = m.group(7) or ""
    tz = m.group(8)
    off = 0
    if tz not in ("Z", "z"):
        sign = 1 if tz[0] == "+" else -1
        off = sign * (int(tz[1:3]) * 60 + int(tz[4:6]))
    dt = datetime.datetime(y, mo, d, h, mi, se, tzinfo=datetime.timezone.utc)
    ms = int(dt.timestamp()) * 1000 - off * 60000
    if frac:
        ms += int((frac[1:] + "000")[:3])
    return ms


def slakit_cmd(arg):
    if os.path.exists(arg):
        return [os.path.abspath(arg)]
    return shlex.split(arg)


def decompress(src, dst):
    if src.endswith(".gz"):
        opener = gzip.open
    elif src.endswith(".xz"):
        opener = lzma.open
    else:
        opener = open
    h = hashlib.sha256()
    with opener(src, "rb") as fi, open(dst, "wb") as fo:
        while True:
            b = fi.read(1 << 20)
            if not b:
                break
            h.update(b)
            fo.write(b)
    return h.hexdigest()


def check_preset(chk, cmd, data_dir, tmp, preset, timeout):
    exp_path = os.path.join(data_dir, "%s.expected.json" % preset)
    with open(exp_path) as f:
        exp = json.load(f)
    p = preset
    csv_path = os.path.join(tmp, "%s.csv" % preset)
    digest = decompress(os.path.join(data_dir, exp["data_file"]), csv_path)
    if not chk.ok(digest == exp["csv_sha256"], "%s: data file sha256" % p,
                  "got %s, want %s" % (digest, exp["csv_sha256"])):
        return

    argv = cmd + ["eval", "--data", csv_path, "--target", exp["target_percent"],
                  "--window", exp["window"], "--at", exp["at"], "--format", "json"]
    try:
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        chk.ok(False, "%s: slakit eval finished" % p, "timed out after %ss" % timeout)
        return
    except OSError as e:
        chk.ok(False, "%s: slakit eval started" % p, str(e))
        return
    err = r.stderr.decode("utf-8", "replace")
    if not chk.ok(r.returncode == 0, "%s: exit status 0" % p,
                  "got %d; command %s; stderr: %s" % (r.returncode, " ".join(argv), err[-2000:])):
        return
    try:
        out = json.loads(r.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        chk.ok(False, "%s: stdout is JSON" % p, "%s; stdout starts %r" % (e, r.stdout[:300]))
        return
    chk.ok(True, "%s: stdout is JSON" % p)
    if not chk.ok(isinstance(out, dict), "%s: JSON is an object" % p):
        return

    # ---- top level
    chk.ok(rfc3339_ms(out.get("at")) == exp["at_ms"], "%s: at" % p,
           "got %r, want an RFC 3339 string for %s" % (out.get("at"), exp["at"]))
    chk.ok(out.get("window") == exp["window"], "%s: window" % p,
           "got %r, want %r" % (out.get("window"), exp["window"]))
    close(chk, "%s: target" % p, out.get("target"), exp["target"])

    # ---- series
    series = out.get("series")
    if chk.ok(isinstance(series, list) and all(isinstance(s, dict) for s in series),
              "%s: series is a list of objects" % p):
        keys = [(s.get("service"), s.get("probe")) for s in series]
        want_keys = [(s["service"], s["probe"]) for s in exp["series"]]
        chk.ok(all(isinstance(a, str) and isinstance(b, str) for a, b in keys), "%s: series names are strings" % p)
        try:
            srt = keys == sorted(keys)
        except TypeError:
            srt = False
        chk.ok(srt, "%s: series sorted by (service, probe)" % p, "got %r" % keys[:10])
        chk.ok(len(keys) == len(set(keys)), "%s: series unique" % p)
        chk.ok(set(keys) == set(want_keys), "%s: series set" % p,
               "missing %r, extra %r" % (sorted(set(want_keys) - set(keys))[:5],
                                         sorted(set(keys) - set(want_keys), key=repr)[:5]))
        got = {k: s for k, s in zip(keys, series)}
        for e in exp["series"]:
            k = (e["service"], e["probe"])
            s = got.get(k)
            if s is None:
                continue
            n = "%s: series %s/%s" % (p, k[0], k[1])
            exact(chk, n + " good", s.get("good"), e["good"])
            exact(chk, n + " total", s.get("total"), e["total"])
            close(chk, n + " availability", s.get("availability"), e["availability"])

    # ---- services
    services = out.get("services")
    if not chk.ok(isinstance(services, list) and all(isinstance(s, dict) for s in services),
                  "%s: services is a list of objects" % p):
        return
    names = [s.get("service") for s in services]
    want_names = [s["service"] for s in exp["services"]]
    try:
        srt = names == sorted(names)
    except TypeError:
        srt = False
    chk.ok(srt, "%s: services sorted by name" % p, "got %r" % names)
    chk.ok(len(names) == len(set(names)), "%s: services unique" % p)
    chk.ok(set(names) == set(want_names), "%s: services set" % p,
           "got %r, want %r" % (names, want_names))
    got = {s.get("service"): s for s in services}
    for e in exp["services"]:
        s = got.get(e["service"])
        if s is None:
            continue
        n = "%s: service %s" % (p, e["service"])
        exact(chk, n + " good", s.get("good"), e["good"])
        exact(chk, n + " total", s.get("total"), e["total"])
        close(chk, n + " availability", s.get("availability"), e["availability"])
        eb = s.get("error_budget")
        if chk.ok(isinstance(eb, dict), n + " error_budget is an object"):
            close(chk, n + " error_budget.remaining", eb.get("remaining"), e["remaining"])
            exact(chk, n + " error_budget.bad", eb.get("bad"), e["bad"])
            close(chk, n + " error_budget.allowed_bad", eb.get("allowed_bad"), e["allowed_bad"])
            close(chk, n + " error_budget.consumed", eb.get("consumed"), e["consumed"])
        br = s.get("burn_rates")
        if chk.ok(isinstance(br, dict), n + " burn_rates is an object"):
            chk.ok(sorted(br) == sorted(BURN_KEYS), n + " burn_rates keys",
                   "got %r, want %r" % (sorted(br), sorted(BURN_KEYS)))
            for w in BURN_KEYS:
                want = e["burn"][w] if w in e["burn"] else e["burn_derived"][w]
                close(chk, n + " burn_rates[%s]" % w, br.get(w), want)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--slakit", required=True, help="path to the slakit binary")
    ap.add_argument("--data-dir", required=True, help="tests/data")
    ap.add_argument("--preset", action="append", choices=PRESETS,
                    help="run only this preset (repeatable; default: all)")
    ap.add_argument("--timeout", type=float, default=240.0, help="seconds per slakit run")
    a = ap.parse_args()

    chk = Checks()
    cmd = slakit_cmd(a.slakit)
    tmp = tempfile.mkdtemp(prefix="slakit-evalref-")
    try:
        for preset in a.preset or PRESETS:
            before = chk.failed
            check_preset(chk, cmd, a.data_dir, tmp, preset, a.timeout)
            print("%s: %s" % (preset, "ok" if chk.failed == before else "FAILED"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (chk.passed, chk.failed))
    return 1 if chk.failed or not chk.passed else 0


if __name__ == "__main__":
    sys.exit(main())
