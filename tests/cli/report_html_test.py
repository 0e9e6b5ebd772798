#!/usr/bin/python3
"""The HTML report in a real browser: headless Chromium loads the page
(from a file, network off), and its DOM must hold the summary table, the
charts and the composite diagram; a screenshot and a PDF print are made.

Usage:
  report_html_test.py --slakit PATH   generates data (`slakit generate
      --preset tiny`), writes a config, runs `slakit report --format html
      --out FILE` (and `--format json` to cross-check the numbers)
  report_html_test.py --html FILE     checks an existing page (structure only)

Options: --chromium PATH (default /usr/bin/chromium, Debian's package: the
test setup installs it with `apt-get install chromium`); --keep DIR keeps the
page, the DOM dump, the screenshot and the PDF there.

Chromium missing is a failure, never a skip. Prints `N passed, M failed`.
"""
import argparse
import html.parser
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

passed = 0
failed = 0

CHROMIUM_TIMEOUT_S = 60
SLAKIT_TIMEOUT_S = 120


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL %s %s" % (name, str(detail)[:2000]))
    return cond


# ---------------------------------------------------------------- the DOM

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "param", "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag = tag
        self.attrs = dict(attrs)
        self.parent = parent
        self.children = []  # Nodes and strings

    def classes(self):
        return (self.attrs.get("class") or "").split()

    def iter(self, tag=None, cls=None):
        for c in self.children:
            if isinstance(c, Node):
                if (tag is None or c.tag == tag) and (cls is None or cls in c.classes()):
                    yield c
                yield from c.iter(tag, cls)

    def find(self, tag=None, cls=None, **attrs):
        for n in self.iter(tag, cls):
            if all(n.attrs.get(k) == v for k, v in attrs.items()):
                return n
        return None

    def text(self, skip=("title", "style")):
        out = []
        for c in self.children:
            if isinstance(c, Node):
                if c.tag not in skip:
                    out.append(c.text(skip))
            else:
                out.append(c)
        return " ".join(" ".join(out).split())


class TreeBuilder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", [], None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(text):
    b = TreeBuilder()
    b.feed(text)
    b.close()
    return b.root


# ---------------------------------------------------------------- chromium

def chromium_args(chromium, profile):
    return [chromium, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-extensions",
            "--user-data-dir=" + profile,
            # Nothing may be fetched: every host name fails to resolve.
            "--host-resolver-rules=MAP * ~NOTFOUND"]


def run_chromium(chromium, extra, url):
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    # A private home and caches: nothing outside the profile is written (a
    # sandboxed test may have no writable or no existing $HOME).
    env = dict(os.environ, HOME=profile, XDG_CONFIG_HOME=os.path.join(profile, "config"),
               XDG_CACHE_HOME=os.path.join(profile, "cache"))
    try:
        return subprocess.run(chromium_args(chromium, profile) + extra + [url], env=env,
                              capture_output=True, text=True, timeout=CHROMIUM_TIMEOUT_S)
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(e.cmd, -1, "", "timed out after %d s" % CHROMIUM_TIMEOUT_S)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


# ---------------------------------------------------------------- checks

def static_checks(text):
    check("doctype", text.startswith("<!DOCTYPE html>"), text[:80])
    for banned in ("<script", "<link", "http://", "https://", "url(", "@import", "<iframe", "<img"):
        check("no " + banned, banned not in text.lower(), banned)
    check("inline style", "<style>" in text and "@media print" in text)


def dom_checks(dom, n_services=None, n_apps=None):
    """Structure every page must have; returns the parsed DOM."""
    root = parse(dom)
    body = root.find("body")
    check("dom body", body is not None, dom[:300])
    if body is None:
        return root
    check("dom h1", "SLA compliance report" in (root.find("h1").text() if root.find("h1") else ""))
    summary = root.find("table", "summary")
    check("summary table", summary is not None)
    tbody = summary.find("tbody") if summary is not None else None
    rows = list(tbody.iter("tr")) if tbody is not None else []
    if n_services is not None:
        check("summary rows", len(rows) == n_services, (len(rows), n_services))
    svgs = list(root.iter("svg"))
    check("svgs present", len(svgs) >= 1, len(svgs))
    for i, svg in enumerate(svgs):
        first = next((c for c in svg.children if isinstance(c, Node)), None)
        check("svg %d role img" % i, svg.attrs.get("role") == "img", svg.attrs)
        check("svg %d aria-label" % i, bool(svg.attrs.get("aria-label")), svg.attrs)
        check("svg %d title first" % i, first is not None and first.tag == "title" and
              first.text(skip=()) != "", first.tag if first else None)
    timeline = [s for s in svgs if "timeline" in s.classes()]
    check("one incident timeline", len(timeline) == 1, len(timeline))
    services = [s for s in root.iter("section", "service")]
    apps = [s for s in root.iter("section", "app")]
    if n_services is not None:
        check("service sections", len(services) == n_services, len(services))
    if n_apps is not None:
        check("application sections", len(apps) == n_apps, len(apps))
    for s in services + apps:
        daily = [x for x in s.iter("svg", "daily")]
        check("daily bars in " + s.attrs.get("id", "?"), len(daily) == 1, len(daily))
        check("daily table in " + s.attrs.get("id", "?"), s.find("table", "cal") is not None)
    for a in apps:
        d = [x for x in a.iter("svg", "diagram")]
        check("diagram in " + a.attrs.get("id", "?"), len(d) == 1, len(d))
        if d:
            boxes = list(d[0].iter("rect"))
            check("diagram boxes", len(boxes) >= 1, len(boxes))
        check("attribution table", a.find("table", "attribution") is not None)
    # Charts and sections counted by the page itself agree: one timeline,
    # a daily chart per service and application, a diagram per application,
    # a burn-down wherever there is a budget.
    burns = [x for x in root.iter("svg", "burn")]
    check("svg count", len(svgs) == 1 + len(services) + 2 * len(apps) + len(burns),
          (len(svgs), len(services), len(apps), len(burns)))
    return root


CONFIG = """\
timezone: UTC
services:
  - name: svc-000
    owner: application
    objectives:
      - {name: availability, target: 99.5, window: 30d}
  - name: svc-001
    owner: provider
    contract: {catalog: azure/app-service, target: 99.95, downtime: {interval: 1m},
               credits: [{below: 99.95, credit: 10}, {below: 99, credit: 25}]}
  - name: svc-002
    owner: provider
    contract: {target: 99.99, downtime: {interval: 5m, max_error_ratio: 0.1, no_data: excluded}}
applications:
  - name: shop
    components: {all_of: [svc-000, {any_of: [svc-001, svc-002]}]}
    objectives:
      - {name: availability, target: 99.5, window: month}
maintenance:
  - {service: svc-001, start: 2024-01-01T02:00:00Z, end: 2024-01-01T03:00:00Z}
"""


def format_double(v):
    """As sla::internal::FormatDouble: shortest round-trip, no trailing .0."""
    s = repr(float(v))
    return s[:-2] if s.endswith(".0") else s


def cross_checks(root, rep):
    """The page against the JSON report of the same data."""
    summary = root.find("table", "summary")
    tbody = summary.find("tbody") if summary is not None else None
    rows = list(tbody.iter("tr")) if tbody is not None else []
    for tr, s in zip(rows, rep["services"]):
        cells = [td.text() for td in tr.iter("td")]
        name = s["name"]
        check("row name " + name, cells and cells[0] == name, cells)
        if s["uptime_percent"] is None:
            check("row no contract " + name, "no contract" in cells, cells)
        else:
            want = [format_double(s["target_percent"]) + "%",
                    "%.4f%%" % s["uptime_percent"],
                    "%d / %d" % (s["down_intervals"], s["intervals"] - s["excluded_intervals"]),
                    "%d min" % s["downtime_minutes"],
                    "met" if s["met"] else "breached",
                    format_double(s["credit_percent"]) + "%"]
            check("row numbers " + name, cells[2:8] == want, (cells, want))
        if s.get("catalog_note"):
            text = tr.text()
            check("row not confirmed " + name, "not confirmed" in text and s["catalog_note"] in text, text)
            check("row marked " + name, "unconf" in tr.classes(), tr.attrs)
    # Daily bars: one rect per day with data.
    for k, s in enumerate(rep["services"]):
        sec = root.find("section", id="service-%d" % k)
        if not check("section service-%d" % k, sec is not None):
            continue
        svg = sec.find("svg", "daily")
        with_data = sum(1 for v in s["daily_availability"] if v is not None)
        check("daily bars %s" % s["name"], svg is not None and len(list(svg.iter("rect"))) == with_data,
              (len(list(svg.iter("rect"))) if svg else None, with_data))
    timeline = root.find("svg", "timeline")
    n_inc = sum(len(s["incidents"]) for s in rep["services"])
    check("timeline rects", timeline is not None and len(list(timeline.iter("rect"))) == n_inc,
          (len(list(timeline.iter("rect"))) if timeline else None, n_inc))
    app = root.find("section", id="app-0")
    if check("app section", app is not None):
        d = app.find("svg", "diagram")
        boxes = list(d.iter("rect")) if d else []
        check("diagram one box per component", len(boxes) == 3, len(boxes))
        labels = [t.text() for t in d.iter("text")] if d else []
        check("diagram any_of group", "any 1 of 2" in labels, labels)
        for c in ("svc-000", "svc-001", "svc-002"):
            check("diagram box " + c, c in labels, labels)
        a = rep["applications"][0]
        check("app observed", ("%.4f%%" % a["observed_availability_percent"]) in app.text(), app.text()[:300])
    # Burn-downs: svc-000 (objective), svc-001 and svc-002 (contracts), shop.
    check("burn-downs", len(list(root.iter("svg", "burn"))) == 4, len(list(root.iter("svg", "burn"))))


def main():
    ap = argparse.ArgumentParser()
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--slakit")
    src.add_argument("--html")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--keep")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="report-html-test-")
    out_dir = args.keep or tmp
    os.makedirs(out_dir, exist_ok=True)
    try:
        rep = None
        page = os.path.join(out_dir, "report.html")
        if args.slakit:
            def run(*a):
                return subprocess.run([args.slakit, *a], capture_output=True, text=True,
                                      timeout=SLAKIT_TIMEOUT_S)
            data = os.path.join(tmp, "tiny.csv")
            r = run("generate", "--preset", "tiny", "--out", data)
            check("generate", r.returncode == 0, r.stderr)
            cfg = os.path.join(tmp, "slakit.yaml")
            with open(cfg, "w") as f:
                f.write(CONFIG)
            base = ["report", "--config", cfg, "--data", data, "--month", "2024-01"]
            r = run(*base, "--format", "json")
            check("report json", r.returncode == 0, r.stderr)
            rep = json.loads(r.stdout) if r.returncode == 0 else None
            r = run(*base, "--format", "html", "--out", page)
            check("report --format html --out", r.returncode == 0 and os.path.exists(page),
                  r.stdout + r.stderr)
            check("report --out message", "wrote " + page in r.stdout and "html" in r.stdout, r.stdout)
            # Same input, same bytes.
            again = os.path.join(tmp, "again.html")
            r = run(*base, "--format", "html", "--out", again)
            if os.path.exists(page) and os.path.exists(again):
                check("deterministic", open(page, "rb").read() == open(again, "rb").read())
        else:
            shutil.copyfile(args.html, page)
        if not os.path.exists(page):
            print("%d passed, %d failed" % (passed, failed + 1))
            return 1
        text = open(page, encoding="utf-8").read()
        static_checks(text)

        if not check("chromium installed", os.path.exists(args.chromium) and os.access(args.chromium, os.X_OK),
                     "%s not found: install Debian's chromium package (apt-get install -y chromium)"
                     % args.chromium):
            print("%d passed, %d failed" % (passed, failed))
            return 1
        url = "file://" + os.path.abspath(page)

        r = run_chromium(args.chromium, ["--dump-dom"], url)
        check("chromium --dump-dom", r.returncode == 0 and "<body" in r.stdout, (r.returncode, r.stderr[-1500:]))
        if args.keep:
            with open(os.path.join(out_dir, "dom.html"), "w", encoding="utf-8") as f:
                f.write(r.stdout)
        n_services = len(rep["services"]) if rep else None
        n_apps = len(rep["applications"]) if rep else None
        root = dom_checks(r.stdout, n_services, n_apps)
        if rep is not None:
            cross_checks(root, rep)

        shot = os.path.join(out_dir, "report.png")
        r = run_chromium(args.chromium, ["--hide-scrollbars", "--screenshot=" + shot,
                                         "--window-size=1280,2000"], url)
        ok = check("chromium --screenshot", r.returncode == 0 and os.path.exists(shot),
                   (r.returncode, r.stderr[-1500:]))
        if ok:
            size = os.path.getsize(shot)
            check("screenshot non-trivial", size > 20 * 1024, size)
            check("screenshot is a 1280x2000 PNG", png_size(shot) == (1280, 2000), png_size(shot))

        pdf = os.path.join(out_dir, "report.pdf")
        r = run_chromium(args.chromium, ["--no-pdf-header-footer", "--print-to-pdf=" + pdf], url)
        ok = check("chromium --print-to-pdf", r.returncode == 0 and os.path.exists(pdf),
                   (r.returncode, r.stderr[-1500:]))
        if ok:
            with open(pdf, "rb") as f:
                head = f.read(5)
            check("pdf", head == b"%PDF-" and os.path.getsize(pdf) > 20 * 1024,
                  (head, os.path.getsize(pdf)))
        if args.keep:
            print("kept %s" % out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
