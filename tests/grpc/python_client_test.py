#!/usr/bin/python3
"""`slakit serve` driven by a Python client (Debian's python3-grpcio): tokens
from `slakit token new`, health, Ingest / IngestStream / GetStatus on the
real clock, WatchAlerts until the alert loop fires the page tier, tenants,
/metrics (checked with promtool), SIGTERM, and a restart on the same data
directory without --config that keeps every acknowledged batch.

Usage: python_client_test.py --slakit PATH --stubs DIR
(DIR holds the generated sla/v1 and health/v1 Python modules.)
"""
import argparse
import math
import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

passed = 0
failed = 0


class Fatal(Exception):
    """A failure after which the rest of the test cannot run."""


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL %s %s" % (name, str(detail)[:2000]), flush=True)
    return cond


def require(name, cond, detail=""):
    if not check(name, cond, detail):
        raise Fatal(name)


CONFIG = """\
services:
  - name: web
    tenant: a
    objectives:
      - {name: availability, target: 99, window: 30d, alerting: true}
  - name: hub
    tenant: b
    objectives:
      - {name: availability, target: 99.9, window: 30d}
"""

RPC_TIMEOUT = 10  # seconds, every unary call
READY_TIMEOUT = 30
STOP_TIMEOUT = 30
ALERT_TIMEOUT = 12


class Server:
    """One `slakit serve` subprocess; its standard error read by a thread."""

    def __init__(self, slakit, args):
        self.lines = []
        self._queue = queue.Queue()
        self.proc = subprocess.Popen([slakit, "serve", *args], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.port = None
        self.metrics_port = None

    def _read(self):
        for line in self.proc.stderr:
            line = line.rstrip("\n")
            self.lines.append(line)
            self._queue.put(line)
        self._queue.put(None)  # end of file

    def wait_for(self, needle, timeout):
        """The first line (after the ones already consumed) containing
        `needle`, or None after `timeout` or at end of file."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                return None
            if line is None:
                return None
            if needle in line:
                return line

    def start(self):
        line = self.wait_for("listening on", READY_TIMEOUT)
        require("server listens", line is not None, self.stderr())
        m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        require("gRPC port in the log", m is not None, line)
        self.port = int(m.group(1))
        m = re.search(r"metrics on port (\d+)", line)
        require("metrics port in the log", m is not None, line)
        self.metrics_port = int(m.group(1))
        check("token count in the log", ", 2 token(s)" in line, line)
        t0 = time.monotonic()
        ready = self.wait_for("ready in", READY_TIMEOUT)
        require("server ready within %d s" % READY_TIMEOUT, ready is not None, self.stderr())
        return time.monotonic() - t0

    def stop(self):
        """SIGTERM; the exit code, or None if it did not exit in time."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            return None
        self._reader.join(timeout=5)
        return rc

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self._reader.join(timeout=5)

    def stderr(self):
        return "\n".join(self.lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--slakit", required=True)
    ap.add_argument("--stubs", required=True)
    args = ap.parse_args()
    started = time.monotonic()

    sys.dont_write_bytecode = True  # leave the stubs directory as built
    sys.path.insert(0, os.path.abspath(args.stubs))
    global grpc, pb, pb_grpc, health_pb, health_grpc, refl_pb, refl_grpc
    import grpc
    from sla.v1 import sla_service_pb2 as pb
    from sla.v1 import sla_service_pb2_grpc as pb_grpc
    from health.v1 import health_pb2 as health_pb
    from health.v1 import health_pb2_grpc as health_grpc
    from reflection.v1alpha import reflection_pb2 as refl_pb
    from reflection.v1alpha import reflection_pb2_grpc as refl_grpc

    servers = []
    summary = ""
    with tempfile.TemporaryDirectory(prefix="slakit_pyclient_") as tmp:
        try:
            summary = run(args.slakit, tmp, servers)
        except Fatal as e:
            print("FATAL: cannot go on after: %s" % e, flush=True)
        except grpc.RpcError as e:
            check("unexpected RPC error", False, "%s: %s" % (e.code(), e.details()))
        except Exception as e:  # noqa: BLE001 - report anything, then clean up
            check("unexpected exception", False, repr(e))
            import traceback
            traceback.print_exc()
        finally:
            for s in servers:
                s.kill()
            if failed:
                for i, s in enumerate(servers):
                    print("--- server %d stderr (exit %s) ---\n%s" %
                          (i, s.proc.returncode, s.stderr()), flush=True)
    print("%d passed, %d failed in %.1f s%s" %
          (passed, failed, time.monotonic() - started, summary))
    return 1 if failed else 0


def ts(seconds):
    from google.protobuf import timestamp_pb2
    return timestamp_pb2.Timestamp(seconds=int(seconds))


def counts(records, frm, to):
    """(good, total) of `records` with frm <= time < to."""
    sel = [ok for (_, t, ok) in records if frm <= t < to]
    return sum(1 for ok in sel if ok), len(sel)


def run(slakit, tmp, servers):
    def cli(*a):
        return subprocess.run([slakit, *a], capture_output=True, text=True, timeout=60)

    # ---- tokens and configuration
    tokens = os.path.join(tmp, "tokens")
    r = cli("token", "new", "--name", "alice", "--tenants", "a", "--roles", "ingest,read",
            "--file", tokens)
    require("token new (a)", r.returncode == 0 and r.stdout.startswith("slk_"), r.stdout + r.stderr)
    tok_a = r.stdout.strip()
    r = cli("token", "new", "--name", "bob", "--tenants", "b", "--roles", "read", "--file", tokens)
    require("token new (b)", r.returncode == 0 and r.stdout.startswith("slk_"), r.stdout + r.stderr)
    tok_b = r.stdout.strip()
    with open(tokens) as f:
        text = f.read()
    check("token file holds hashes only", tok_a not in text and tok_b not in text and
          text.count("sha256:") == 2, text)
    md_a = (("authorization", "Bearer " + tok_a),)
    md_b = (("authorization", "Bearer " + tok_b),)
    config = os.path.join(tmp, "slakit.yaml")
    with open(config, "w") as f:
        f.write(CONFIG)
    data = os.path.join(tmp, "data")
    common = ["--data-dir", data, "--tokens", tokens, "--listen", "127.0.0.1:0",
              "--metrics-listen", "127.0.0.1:0", "--alert-interval", "1s"]

    # ---- start
    server = Server(slakit, [*common, "--config", config])
    servers.append(server)
    ready_s = server.start()
    channel = grpc.insecure_channel("127.0.0.1:%d" % server.port)
    grpc.channel_ready_future(channel).result(timeout=RPC_TIMEOUT)
    stub = pb_grpc.SlaServiceStub(channel)
    health = health_grpc.HealthStub(channel)

    # ---- health
    for name in ("", "sla.v1.SlaService"):
        resp = health.Check(health_pb.HealthCheckRequest(service=name), timeout=RPC_TIMEOUT)
        check("health %r SERVING" % name,
              resp.status == health_pb.HealthCheckResponse.SERVING, resp)

    # ---- server reflection: the services, and sla.v1's file descriptor
    refl = refl_grpc.ServerReflectionStub(channel)
    answers = list(refl.ServerReflectionInfo(iter([
        refl_pb.ServerReflectionRequest(list_services=""),
        refl_pb.ServerReflectionRequest(file_containing_symbol="sla.v1.SlaService"),
    ]), timeout=RPC_TIMEOUT))
    names = sorted(s.name for s in answers[0].list_services_response.service)
    check("reflection lists the services",
          names == ["grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection",
                    "sla.v1.SlaService"], names)
    protos = answers[1].file_descriptor_response.file_descriptor_proto
    check("reflection serves sla/v1/sla_service.proto",
          len(protos) >= 1 and any(b"sla/v1/sla_service.proto" in p for p in protos),
          [len(p) for p in protos])

    try:
        stub.GetStatus(pb.GetStatusRequest(), timeout=RPC_TIMEOUT)
        check("no token UNAUTHENTICATED", False, "call succeeded")
    except grpc.RpcError as e:
        check("no token UNAUTHENTICATED", e.code() == grpc.StatusCode.UNAUTHENTICATED, e.code())

    # ---- ingest on the real clock: one record per minute over the last
    # hour, each in its own minute [T - 60m + j*60, ...), stamped `d` seconds
    # into it so that the oldest is less than 60 minutes old when sent.
    now = time.time()
    if now % 60 > 50:  # keep every record in its intended minute
        time.sleep(60 - now % 60 + 0.5)
        now = time.time()
    T = int(now // 60) * 60  # the current minute; windows end here
    d = int(now - T) + 5  # < 60
    records = []  # (probe, unix seconds, ok): everything acknowledged

    def rec(probe, j, ok):
        t = T - 3600 + j * 60 + d
        records.append((probe, t, ok))
        return pb.ProbeRecord(service="web", probe=probe, time=ts(t), ok=ok, latency_ms=12.5)

    outage = pb.IngestRequest(batch_id="home-1",
                              records=[rec("home", j, j % 2 == 0) for j in range(60)])
    ack = stub.Ingest(outage, timeout=RPC_TIMEOUT, metadata=md_a)
    # A token of one tenant is not told the shared log's position (lsn 0).
    check("ingest ack", ack.batch_id == "home-1" and not ack.duplicate and ack.lsn == 0 and
          ack.records == 60, ack)
    again = stub.Ingest(outage, timeout=RPC_TIMEOUT, metadata=md_a)
    check("same batch id is a duplicate", again.duplicate and again.batch_id == "home-1" and
          again.lsn == 0, again)

    stream_batches = []
    for b in range(3):
        stream_batches.append(pb.IngestRequest(
            batch_id="api-%d" % b,
            records=[rec("api", b * 20 + m, m % 5 != 0) for m in range(20)]))
    acks = list(stub.IngestStream(iter(stream_batches), timeout=RPC_TIMEOUT, metadata=md_a))
    check("stream: 3 acks in order", [a.batch_id for a in acks] == ["api-0", "api-1", "api-2"],
          acks)
    check("stream acks", all(not a.duplicate and a.records == 20 and a.lsn == 0 for a in acks),
          acks)

    # ---- exact numbers at T
    good, total = counts(records, T - 3600, T)
    require("expected counts", (good, total) == (30 + 48, 120), (good, total))

    def status_web(token_md):
        st = stub.GetStatus(pb.GetStatusRequest(service="web", at=ts(T)), timeout=RPC_TIMEOUT,
                            metadata=token_md)
        require("status has web", len(st.services) == 1 and st.services[0].name == "web", st)
        return st.services[0]

    def check_counts(tag, web):
        windows = {w.window: w for w in web.availability}
        check(tag + ": windows", sorted(windows) == sorted(["1h", "1d", "7d", "30d"]),
              list(windows))
        for name, w in windows.items():
            check(tag + ": %s counts" % name, (w.good, w.total) == (good, total) and w.has_data
                  and w.to.seconds == T and math.isclose(w.availability, good / total),
                  w)
        require(tag + ": one objective", len(web.objectives) == 1, web)
        o = web.objectives[0]
        check(tag + ": objective", o.name == "availability" and o.target_percent == 99 and
              o.window == "30d" and (o.good, o.total, o.bad) == (good, total, total - good) and
              math.isclose(o.allowed_bad, 0.01 * total) and
              math.isclose(o.budget_remaining, 1 - (total - good) / (0.01 * total)), o)
        check(tag + ": 7 burn rates", len(o.burn_rates) == 7, o.burn_rates)
        for br in o.burn_rates:
            g, n = counts(records, T - br.window.seconds, T)
            rate = ((n - g) / n) / 0.01 if n else 0
            check(tag + ": burn rate %ds" % br.window.seconds,
                  (br.good, br.total) == (g, n) and math.isclose(br.rate, rate), (br, g, n))

    web = status_web(md_a)
    check("web tenant", web.tenant == "a", web.tenant)
    check_counts("status", web)
    q = stub.QueryAvailability(pb.QueryAvailabilityRequest(selector="web/home", window="30m",
                                                           at=ts(T)),
                               timeout=RPC_TIMEOUT, metadata=md_a)
    g, n = counts([r for r in records if r[0] == "home"], T - 1800, T)
    check("query web/home 30m", (q.good, q.total) == (g, n) and n == 30, (q, g, n))

    # ---- the alert loop (every 1 s, real clock) fires the page tier
    t0 = time.monotonic()
    fired = None
    call = stub.WatchAlerts(pb.WatchAlertsRequest(), timeout=ALERT_TIMEOUT, metadata=md_a)
    try:
        for ev in call:
            if (ev.alert.state == pb.ALERT_STATE_FIRING and ev.alert.severity == "page"):
                fired = ev
                break
    except grpc.RpcError as e:
        check("watch: page FIRING within %d s" % ALERT_TIMEOUT, False,
              "%s: %s" % (e.code(), e.details()))
    finally:
        call.cancel()
    alert_s = time.monotonic() - t0
    if fired is not None:
        a = fired.alert
        check("alert fields", a.service == "web" and a.objective == "availability" and
              a.factor == 14.4 and a.long_window.seconds == 3600 and
              a.short_window.seconds == 300 and a.long_rate > 14.4 and a.short_rate > 14.4 and
              a.budget_remaining < 0 and a.since.seconds > 0, fired)
        # "from" is a Python keyword: the field is read with getattr.
        check("alert from INACTIVE", getattr(fired, "from") == pb.ALERT_STATE_INACTIVE, fired)
        check("alert at is recent", abs(fired.at.seconds - time.time()) < 120, fired.at)
    listed = stub.ListAlerts(pb.ListAlertsRequest(service="web"), timeout=RPC_TIMEOUT,
                             metadata=md_a)
    check("list alerts: page firing", any(x.severity == "page" and
                                          x.state == pb.ALERT_STATE_FIRING
                                          for x in listed.alerts), listed)

    # ---- tenants
    try:
        stub.GetStatus(pb.GetStatusRequest(service="web", at=ts(T)), timeout=RPC_TIMEOUT,
                       metadata=md_b)
        check("b reads web: NOT_FOUND", False, "call succeeded")
    except grpc.RpcError as e:
        check("b reads web: NOT_FOUND", e.code() == grpc.StatusCode.NOT_FOUND and
              "web" in (e.details() or ""), "%s: %s" % (e.code(), e.details()))
    st = stub.GetStatus(pb.GetStatusRequest(at=ts(T)), timeout=RPC_TIMEOUT, metadata=md_a)
    check("a sees only web", [s.name for s in st.services] == ["web"], st)
    st = stub.GetStatus(pb.GetStatusRequest(at=ts(T)), timeout=RPC_TIMEOUT, metadata=md_b)
    check("b sees only hub", [s.name for s in st.services] == ["hub"] and
          not st.services[0].objectives[0].has_data, st)
    listed = stub.ListAlerts(pb.ListAlertsRequest(), timeout=RPC_TIMEOUT, metadata=md_b)
    check("b lists no alert", len(listed.alerts) == 0, listed)
    call = stub.WatchAlerts(pb.WatchAlertsRequest(), timeout=1.5, metadata=md_b)
    seen = []
    try:
        for ev in call:
            seen.append(ev)
    except grpc.RpcError as e:
        check("b's watch ends at its deadline", e.code() == grpc.StatusCode.DEADLINE_EXCEEDED,
              e.code())
    check("b's watch sees nothing of a", not seen, seen)
    try:
        stub.Ingest(pb.IngestRequest(batch_id="b-1", records=[
            pb.ProbeRecord(service="hub", probe="p", time=ts(T - 60), ok=True)]),
            timeout=RPC_TIMEOUT, metadata=md_b)
        check("read-only token cannot ingest", False, "call succeeded")
    except grpc.RpcError as e:
        check("read-only token cannot ingest", e.code() == grpc.StatusCode.PERMISSION_DENIED,
              e.code())

    # ---- /metrics
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % server.metrics_port,
                                timeout=RPC_TIMEOUT) as resp:
        metrics = resp.read().decode()
        ctype = resp.headers.get("Content-Type", "")
    check("metrics content type", ctype.startswith("text/plain"), ctype)
    m = re.search(r'^slakit_objective_availability_ratio\{tenant="a",service="web",'
                  r'objective="availability",window="30d"\} (\S+)$', metrics, re.M)
    check("metrics: web availability", m is not None and
          math.isclose(float(m.group(1)), good / total), m and m.group(0))
    check("metrics: ready", re.search(r"^slakit_ready 1$", metrics, re.M) is not None)
    check("metrics: ingested results (duplicate not counted)",
          re.search(r"^slakit_ingested_results_total %d$" % total, metrics, re.M) is not None)
    check("metrics: ingested batches",
          re.search(r"^slakit_ingested_batches_total 4$", metrics, re.M) is not None)
    check("metrics: dedupe table (home-1, api-0..2)",
          re.search(r"^slakit_dedupe_batch_ids 4$", metrics, re.M) is not None and
          re.search(r"^slakit_dedupe_forgotten_early_total 0$", metrics, re.M) is not None)
    for family in ("slakit_process_resident_memory_bytes", "slakit_process_heap_in_use_bytes"):
        m = re.search(r"^%s (\d+)$" % family, metrics, re.M)
        check("metrics: %s above 64 KiB" % family, m is not None and int(m.group(1)) > 1 << 16,
              m and m.group(0))
    check("metrics: page alert firing", re.search(
        r'^slakit_objective_alert_firing\{tenant="a",service="web",objective="availability",'
        r'window="30d",severity="page"\} 1$', metrics, re.M) is not None)
    pt = subprocess.run(["/usr/bin/promtool", "check", "metrics"], input=metrics,
                        capture_output=True, text=True, timeout=30)
    check("promtool check metrics", pt.returncode == 0, pt.stdout + pt.stderr)

    # ---- SIGTERM
    channel.close()
    t0 = time.monotonic()
    rc = server.stop()
    stop_s = time.monotonic() - t0
    require("SIGTERM: exits within %d s" % STOP_TIMEOUT, rc is not None, server.stderr())
    check("SIGTERM: exit 0", rc == 0, rc)
    check("SIGTERM: stopped", "slakit serve: stopped" in server.stderr(), server.stderr())
    check("kept config", os.path.exists(os.path.join(data, "slakit.yaml")), os.listdir(data))

    # ---- restart without --config: the kept configuration, the same data
    server = Server(slakit, common)
    servers.append(server)
    ready2_s = server.start()
    channel = grpc.insecure_channel("127.0.0.1:%d" % server.port)
    grpc.channel_ready_future(channel).result(timeout=RPC_TIMEOUT)
    stub = pb_grpc.SlaServiceStub(channel)
    health = health_grpc.HealthStub(channel)
    resp = health.Check(health_pb.HealthCheckRequest(service="sla.v1.SlaService"),
                        timeout=RPC_TIMEOUT)
    check("restart: SERVING", resp.status == health_pb.HealthCheckResponse.SERVING, resp)
    web = status_web(md_a)
    check_counts("restart", web)
    st = stub.GetStatus(pb.GetStatusRequest(at=ts(T)), timeout=RPC_TIMEOUT, metadata=md_b)
    check("restart: b sees only hub", [s.name for s in st.services] == ["hub"], st)
    for batch in (outage, stream_batches[1]):
        ack = stub.Ingest(batch, timeout=RPC_TIMEOUT, metadata=md_a)
        check("restart: %s is a duplicate" % batch.batch_id,
              ack.duplicate and ack.batch_id == batch.batch_id, ack)
    acks = list(stub.IngestStream(iter([stream_batches[2]]), timeout=RPC_TIMEOUT, metadata=md_a))
    check("restart: stream re-send is a duplicate", len(acks) == 1 and acks[0].duplicate, acks)
    web = status_web(md_a)
    check_counts("after re-sends", web)
    channel.close()
    rc = server.stop()
    check("second SIGTERM: exit 0", rc == 0 and "slakit serve: stopped" in server.stderr(),
          (rc, server.stderr()))
    return (" (ready %.2f s, page alert after %.1f s, stop %.2f s, restart ready %.2f s)" %
            (ready_s, alert_s, stop_s, ready2_s))


if __name__ == "__main__":
    sys.exit(main())
