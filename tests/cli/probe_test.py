#!/usr/bin/python3
"""`slakit probe` against servers this test starts on 127.0.0.1: an HTTP
server that answers, fails (503), is slow, or serves a login scenario and a
Prometheus text page; a TCP listener; a closed port. Checks --once in table
and JSON form and the exit status, selections and errors, the continuous
mode stopped with SIGINT, and that its JSON lines import back with
`slakit import --format jsonl`.

Usage: probe_test.py --slakit PATH
"""
import argparse
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

passed = 0
failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL %s %s" % (name, str(detail)[:2000]))


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=()):
        data = body.encode()
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/health":
            self.reply(200, "status: ok")
        elif self.path == "/broken":
            self.reply(503, "down for maintenance")
        elif self.path == "/slow":
            time.sleep(0.3)
            self.reply(200, "status: ok")
        elif self.path == "/slower":
            time.sleep(2.5)
            self.reply(200, "status: ok")
        elif self.path == "/metrics":
            self.reply(200, "# TYPE connected_devices gauge\n"
                            'connected_devices{hub="main"} 42\n'
                            'connected_devices{hub="spare"} 7\n')
        elif self.path == "/cart":
            ok = self.headers.get("Authorization") == "Bearer t0k3n"
            self.reply(200 if ok else 401, "total: 3" if ok else "who are you")
        else:
            self.reply(404, "not found")

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        if self.path == "/login":
            self.reply(200, '{"token":"t0k3n"}')
        else:
            self.reply(404, "not found")


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    global SLAKIT
    ap = argparse.ArgumentParser()
    ap.add_argument("--slakit", required=True)
    SLAKIT = os.path.abspath(ap.parse_args().slakit)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = "http://127.0.0.1:%d" % server.server_address[1]
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    tcp_ok = "127.0.0.1:%d" % listener.getsockname()[1]
    tcp_closed = "127.0.0.1:%d" % closed_port()

    tmp = tempfile.mkdtemp(prefix="probe_test_")
    config = os.path.join(tmp, "slakit.yaml")
    with open(config, "w") as f:
        f.write("""services:
  - name: web
    probes:
      - {name: home, interval: 2s, http: {url: "%(base)s/health", expect_status: [200], expect_body: ok, timeout: 1s}}
      - {name: broken, interval: 2s, http: {url: "%(base)s/broken", timeout: 1s}}
      - {name: slow, interval: 2s, http: {url: "%(base)s/slow", latency_threshold: 100ms, timeout: 2s}}
      - name: checkout
        interval: 2s
        scenario:
          steps:
            - {name: login, method: POST, url: "%(base)s/login", body: '{"user":"probe"}', capture: {token: '"token":"([^"]+)"'}}
            - {name: cart, url: "%(base)s/cart", headers: ["Authorization: Bearer ${token}"], expect_body: total}
  - name: db
    probes:
      - {name: port, interval: 2s, tcp: {address: "%(tcp_ok)s", timeout: 1s}}
      - {name: gone, interval: 2s, tcp: {address: "%(tcp_closed)s", timeout: 1s}}
  - name: hub
    probes:
      - {name: devices, interval: 2s, metric: {url: "%(base)s/metrics", name: connected_devices, labels: {hub: main}, op: ">=", value: 40}}
      - {name: devices-spare, interval: 2s, metric: {url: "%(base)s/metrics", name: connected_devices, labels: {hub: spare}, op: ">=", value: 40}}
""" % {"base": base, "tcp_ok": tcp_ok, "tcp_closed": tcp_closed})

    def run(*args, timeout=60):
        return subprocess.run([SLAKIT, *args], capture_output=True, text=True,
                              timeout=timeout)

    # --once, JSON: one object per probe, in configuration order.
    r = run("probe", "--config", config, "--once", "--format", "json")
    check("once json exit 3 (some probes fail)", r.returncode == 3, r)
    try:
        results = json.loads(r.stdout)
    except ValueError as e:
        results = []
        check("once json parses", False, e)
    got = {(x["service"], x["probe"]): x for x in results}
    check("once json lists every probe in order",
          [(x["service"], x["probe"]) for x in results] ==
          [("web", "home"), ("web", "broken"), ("web", "slow"),
           ("web", "checkout"), ("db", "port"), ("db", "gone"),
           ("hub", "devices"), ("hub", "devices-spare")], results)
    expect = {
        ("web", "home"): ("ok", ""),
        ("web", "broken"): ("fail", "status 503"),
        ("web", "slow"): ("fail", "slow"),
        ("web", "checkout"): ("ok", ""),
        ("db", "port"): ("ok", ""),
        ("db", "gone"): ("fail", "connection refused"),
        ("hub", "devices"): ("ok", ""),
        ("hub", "devices-spare"): ("fail", "7"),
    }
    for key, (outcome, reason) in expect.items():
        x = got.get(key, {})
        check("outcome %s/%s" % key, x.get("outcome") == outcome, x)
        check("reason %s/%s" % key,
              (reason in x.get("reason", "x")) if reason else x.get("reason") == "", x)
        check("keys %s/%s" % key,
              sorted(x) == ["kind", "latency_ms", "outcome", "probe", "reason",
                            "service", "timestamp"], x)
    check("slow latency measured", got.get(("web", "slow"), {}).get("latency_ms", 0) >= 300,
          got.get(("web", "slow")))
    check("kinds", [got[k]["kind"] for k in [("web", "home"), ("web", "checkout"),
                                             ("db", "port"), ("hub", "devices")]
                    if k in got] == ["http", "scenario", "tcp", "metric"], got)

    # --once, table, only the healthy probes: exit 0.
    r = run("probe", "--config", config, "--once", "--probe", "home",
            "--probe", "port", "--probe", "devices", "--probe", "checkout")
    lines = r.stdout.splitlines()
    check("table exit 0 when all ok", r.returncode == 0, r)
    check("table header", lines and lines[0].split() ==
          ["SERVICE", "PROBE", "KIND", "OUTCOME", "LATENCY", "REASON"], lines)
    check("table rows", [l.split()[:4] for l in lines[1:]] ==
          [["web", "home", "http", "ok"], ["web", "checkout", "scenario", "ok"],
           ["db", "port", "tcp", "ok"], ["hub", "devices", "metric", "ok"]], lines)

    # Selections and bad input: exit 2 with a message naming the problem.
    r = run("probe", "--config", config, "--once", "--service", "nope")
    check("unknown service exit 2", r.returncode == 2, r)
    check("unknown service message", "--service nope: no such service" in r.stderr, r.stderr)
    r = run("probe", "--config", config, "--once", "--probe", "nope")
    check("no match exit 2", r.returncode == 2 and "no probe matches" in r.stderr, r)
    r = run("probe", "--config", config, "--once", "--format", "xml")
    check("bad format", r.returncode == 2 and "--format xml" in r.stderr, r)
    bad = os.path.join(tmp, "bad.yaml")
    with open(bad, "w") as f:
        f.write("services:\n  - name: web\n    probes:\n"
                "      - {name: x, http: {url: 'ftp://x'}}\n")
    r = run("probe", "--config", bad, "--once")
    check("bad config exit 2", r.returncode == 2, r)
    check("bad config names file:line and field",
          "bad.yaml:4:" in r.stderr and "probes[0].http.url" in r.stderr, r.stderr)
    # A regex RE2 cannot compile (lookahead) is a configuration error, found by
    # `slakit check` with its place, before any probe runs.
    bad_re = os.path.join(tmp, "bad_regex.yaml")
    with open(bad_re, "w") as f:
        f.write("services:\n  - name: web\n    probes:\n"
                "      - {name: x, http: {url: '%s/health', expect_body_regex: '(?=ok)'}}\n" % base)
    r = run("check", "--config", bad_re)
    check("check: bad regex exit 2", r.returncode == 2, r)
    check("check: bad regex names place and pattern",
          "bad_regex.yaml:4:9: services[0].probes[0]: http: body regex /(?=ok)/ is not a valid regex"
          in r.stderr, r.stderr)
    r = run("check", "--config", config)
    check("check: counts probes", r.returncode == 0 and "8 probes" in r.stdout, r)

    # --once runs each probe once: a 1s probe beside one that takes 2.5s is
    # reported from its first run, not its third.
    once = os.path.join(tmp, "once.yaml")
    with open(once, "w") as f:
        f.write("""services:
  - name: web
    probes:
      - {name: slower, interval: 5s, http: {url: "%s/slower", timeout: 4s}}
      - {name: fast, interval: 1s, tcp: {address: "%s", timeout: 1s}}
""" % (base, tcp_ok))
    r = run("probe", "--config", once, "--once", "--format", "json")
    try:
        rows = {x["probe"]: x for x in json.loads(r.stdout)}
    except ValueError:
        rows = {}
    def ms(stamp):
        return time.mktime(time.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S")) + float(stamp[19:-1] or 0)
    check("once: both ran ok", r.returncode == 0 and len(rows) == 2, r)
    if len(rows) == 2:
        check("once: the fast probe's first run is reported",
              abs(ms(rows["fast"]["timestamp"]) - ms(rows["slower"]["timestamp"])) < 1.0, rows)

    empty = os.path.join(tmp, "empty.yaml")
    with open(empty, "w") as f:
        f.write("services:\n  - name: web\n")
    r = run("probe", "--config", empty, "--once")
    check("no probes exit 2", r.returncode == 2 and "declares no probes" in r.stderr, r)

    # Continuous: results as they come, until SIGINT; JSON lines.
    p = subprocess.Popen([SLAKIT, "probe", "--config", config, "--format", "json",
                          "--service", "db"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    time.sleep(4.5)  # at least two 2s intervals (plus up to 0.2s jitter)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=20)
    check("continuous stops on SIGINT with exit 3 (a probe failed)",
          p.returncode == 3, (p.returncode, err))
    rows = [json.loads(l) for l in out.splitlines() if l.strip()]
    ports = [x for x in rows if x["probe"] == "port"]
    check("continuous: probes repeat on their interval", len(ports) >= 2, rows)
    check("continuous: only --service db", {x["service"] for x in rows} == {"db"}, rows)
    stamps = [x["timestamp"] for x in ports]
    check("continuous: later runs later", stamps == sorted(stamps) and len(set(stamps)) == len(stamps), stamps)

    # The JSON lines import back.
    lines_file = os.path.join(tmp, "results.jsonl")
    with open(lines_file, "w") as f:
        f.write(out)
    data_dir = os.path.join(tmp, "store")
    r = run("import", "--data-dir", data_dir, lines_file)
    check("jsonl of slakit probe imports", r.returncode == 0, r)
    check("import counts every line", ("%d results" % len(rows)) in r.stdout + r.stderr, (len(rows), r))

    # slakit serve runs the same probes and stores their results.
    serve_dir = os.path.join(tmp, "serve")
    p = subprocess.Popen([SLAKIT, "serve", "--config", config, "--data-dir", serve_dir,
                          "--listen", "127.0.0.1:0", "--alert-interval", "0"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(4.5)
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=30)
    check("serve stops cleanly", p.returncode == 0, (p.returncode, err))
    check("serve logs the probes it runs", "running 8 probes" in err, err)
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 120))
    r = run("eval", "--data-dir", serve_dir, "--at", at, "--window", "1h", "--format", "json")
    check("eval of served store", r.returncode == 0, r)
    try:
        ev = json.loads(r.stdout)
    except ValueError as e:
        ev = {}
        check("eval json parses", False, (e, r.stdout[:500]))
    probes = {}
    for x in ev.get("series", []):
        probes[(x["service"], x["probe"])] = (x["good"], x["total"])
    check("served probes stored: every probe has results",
          len(probes) == 8 and all(t and t >= 2 for g, t in probes.values()), probes)
    check("served probes stored: ok ones good, failing ones bad",
          probes.get(("db", "port"), (0, 1))[0] == probes.get(("db", "port"), (0, 0))[1]
          and probes.get(("db", "gone"), (1, 1))[0] == 0
          and probes.get(("web", "broken"), (1, 1))[0] == 0, probes)

    server.shutdown()
    listener.close()
    print("%d passed, %d failed" % (passed, failed))
    if failed:
        print("files kept for a look: %s" % tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
