#!/usr/bin/python3
"""Draws docs/scaling.svg and prints the README table from scaling runs.

Reads the Google Benchmark JSON that bench/scaling.sh writes (runs of
build/scaling_benchmark, usually with repetitions and aggregates only) and
the machine description beside it. Python 3 standard library only.

  /usr/bin/python3 bench/plot_scaling.py --json OUT/scaling.json \
      --machine OUT/machine.txt --svg docs/scaling.svg

Figures are medians over the repetitions (the `median` aggregates; without
aggregates, the median of the iteration runs). The table marks every figure
that misses a README target with the target it misses.
"""

import argparse
import json
import math
import re
import statistics
import sys
from xml.sax.saxutils import escape

NAME_RE = re.compile(r"^(BM_\w+)/series:(\d+)/days:(\d+)")

QUERIES = [
    ("BM_Availability", "availability, all series", "#1f77b4"),
    ("BM_Budget", "budget remaining, all services", "#d62728"),
    ("BM_BurnRates6", "burn rates over 6 windows, all services", "#2ca02c"),
]
# Line style per series count: (dash pattern, marker).
SERIES_STYLE = {
    200: ("", "circle"),
    2000: ("7,4", "square"),
    20000: ("2,3", "triangle"),
}
SERIES_COLOR = {200: "#1f77b4", 2000: "#ff7f0e", 20000: "#7f3fbf"}

# README targets (section "Benchmarks"); points they apply to.
INGEST_TARGET = 20e6  # results/s, single thread, every point
QUERY_TARGETS_US = {  # at 200 series (50 services), 30 days
    "BM_Availability": 50.0,
    "BM_Budget": 50.0,
    "BM_BurnRates6": 20.0,
}
MEMORY_TARGET = 16 * 1024  # bytes per series, at 35 days

TO_US = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}


def load(path, clock="real"):
    """Returns ({(bench, series, days): {"us": t, "rate": r, "counters":
    {...}}}, {key: cv}, repetitions, context). clock "real" reads wall-clock
    times and items_per_second; "cpu" reads CPU times and the ingest
    benchmark's cpu_items_per_second."""
    field = "real_time" if clock == "real" else "cpu_time"
    rate_key = "items_per_second" if clock == "real" else "cpu_items_per_second"
    load_key = ("load_items_per_second" if clock == "real" else
                "load_cpu_items_per_second")
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    runs = {}
    medians = {}
    cvs = {}
    for b in doc["benchmarks"]:
        m = NAME_RE.match(b.get("run_name", b["name"]))
        if not m:
            continue
        key = (m.group(1), int(m.group(2)), int(m.group(3)))
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                medians[key] = b
            elif (b.get("aggregate_name") == "cv"
                  and key[0] != "BM_EngineMemory"):  # timing not meaningful
                cvs[key] = b.get(rate_key if key[0] == "BM_Ingest" else field,
                                 0.0)
        else:
            runs.setdefault(key, []).append(b)
    out = {}
    for key in set(medians) | set(runs):
        if key in medians:
            b = medians[key]
            us = b[field] * TO_US[b.get("time_unit", "ns")]
            counters = {k: v for k, v in b.items() if isinstance(v, (int, float))}
        else:
            bs = runs[key]
            us = statistics.median(
                x[field] * TO_US[x.get("time_unit", "ns")] for x in bs)
            counters = {}
            for k in bs[0]:
                if all(isinstance(x.get(k), (int, float)) for x in bs):
                    counters[k] = statistics.median(x[k] for x in bs)
        out[key] = {"us": us, "rate": counters.get(rate_key),
                    "load_rate": counters.get(load_key), "counters": counters}
    reps = max((len(v) for v in runs.values()), default=0)
    if medians:
        reps = max(int(b.get("repetitions", 0)) for b in medians.values())
    return out, cvs, reps, doc.get("context", {})


def read_machine(path):
    info = {}
    if path:
        with open(path, encoding="utf-8") as f:
            for line in f:
                k, _, v = line.partition(":")
                info[k.strip()] = v.strip()
    return info


def load_average(uptime_line):
    m = re.search(r"load average: ([\d.]+)", uptime_line or "")
    return m.group(1) if m else "?"


# ------------------------------------------------------------------ table


def fmt(x, digits=3):
    """x with `digits` significant figures, thousands separated."""
    if x == 0:
        return "0"
    mag = int(math.floor(math.log10(abs(x))))
    decimals = max(0, digits - 1 - mag)
    return f"{x:,.{decimals}f}"


def table(data, cvs, reps, clock):
    points = sorted({(s, d) for (_, s, d) in data})
    lines = [
        "| series (services) | window | ingest, M results/s | "
        "whole-window load, M results/s | "
        "availability, all series | budget remaining, all services | "
        "burn rates over 6 windows, all services | memory per series | "
        "engine memory |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    missed = []
    for s, d in points:
        cells = [f"{s:,} ({s // 4:,})", f"{d} d"]
        ing = data.get(("BM_Ingest", s, d))
        if ing and ing["rate"] is not None:
            rate = ing["rate"]
            cell = fmt(rate / 1e6)
            if rate < INGEST_TARGET:
                cell = f"**{cell} (target >= 20: missed)**"
                missed.append(f"ingest at {s:,} series x {d} d: "
                              f"{fmt(rate / 1e6)} M results/s")
            cells.append(cell)
        else:
            cells.append("")
        mem = data.get(("BM_EngineMemory", s, d))
        if mem and mem["load_rate"] is not None:
            cells.append(fmt(mem["load_rate"] / 1e6))
        else:
            cells.append("")
        for bench, _, _ in QUERIES:
            q = data.get((bench, s, d))
            if not q:
                cells.append("")
                continue
            cell = f"{fmt(q['us'])} us"
            target = QUERY_TARGETS_US.get(bench)
            if target is not None and s == 200 and d == 30:
                if q["us"] > target:
                    missed.append(f"{bench[3:]} at 200 series x 30 d: "
                                  f"{cell}")
                    cell = f"**{cell} (target <= {target:g} us: missed)**"
                else:
                    cell = f"{cell} (target <= {target:g} us)"
            cells.append(cell)
        mem = data.get(("BM_EngineMemory", s, d))
        if mem and "bytes_per_series" in mem["counters"]:
            per = mem["counters"]["bytes_per_series"]
            cell = f"{fmt(per / 1024)} KiB"
            if d == 35:
                if per > MEMORY_TARGET:
                    cell = f"**{cell} (target <= 16 KiB: missed)**"
                    missed.append(f"memory at {s:,} series x 35 d: "
                                  f"{fmt(per / 1024)} KiB per series")
                else:
                    cell = f"{cell} (target <= 16 KiB)"
            cells.append(cell)
            cells.append(f"{fmt(mem['counters']['total_bytes'] / 2**20)} MiB")
        else:
            cells += ["", ""]
        lines.append("| " + " | ".join(cells) + " |")
    notes = [f"Medians of {reps} runs" if reps else "Single runs",
             "; wall-clock times." if clock == "real" else
             "; CPU times (the thread's, for ingest)."]
    if cvs:
        key, cv = max(cvs.items(), key=lambda kv: kv[1])
        notes.append(f" Largest coefficient of variation across runs: "
                     f"{100 * cv:.1f} % ({key[0]} at {key[1]:,} series x "
                     f"{key[2]} d).")
    notes.append(" Targets missed: " + ("; ".join(missed) if missed else "none")
                 + ".")
    return "\n".join(lines) + "\n\n" + "".join(notes)


# ------------------------------------------------------------------ SVG


class Axis:
    """Maps values to pixels, linear or log10."""

    def __init__(self, lo, hi, p0, p1, log):
        self.lo, self.hi, self.p0, self.p1, self.log = lo, hi, p0, p1, log

    def __call__(self, v):
        f = math.log10 if self.log else (lambda x: x)
        return self.p0 + (f(v) - f(self.lo)) / (f(self.hi) - f(self.lo)) * (
            self.p1 - self.p0)


def log_range(values):
    lo = 10 ** math.floor(math.log10(min(values)))
    hi = 10 ** math.ceil(math.log10(max(values)))
    return lo, hi


def log_ticks(lo, hi):
    ticks = []
    k = lo
    while k <= hi * 1.0001:
        for m in (1, 2, 5):
            if lo <= m * k <= hi * 1.0001:
                ticks.append(m * k)
        k *= 10
    return ticks


def tick_label(v):
    if v >= 1000 and v % 1000 == 0:
        return f"{v:,.0f}"
    return f"{v:g}"


def marker(kind, x, y, color):
    if kind == "none":
        return ""
    if kind == "square":
        return (f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" '
                f'height="7" fill="{color}"/>')
    if kind == "triangle":
        return (f'<path d="M{x:.1f},{y - 4.5:.1f} L{x + 4.5:.1f},{y + 3.5:.1f} '
                f'L{x - 4.5:.1f},{y + 3.5:.1f} Z" fill="{color}"/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color}"/>'


def text(x, y, s, size=11, anchor="start", weight="normal", rotate=None,
         color="#222"):
    t = f' transform="rotate({rotate} {x:.1f} {y:.1f})"' if rotate else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" '
            f'text-anchor="{anchor}" font-weight="{weight}" fill="{color}"{t}>'
            f"{escape(s)}</text>")


def panel(x0, y0, w, h, title, xlabel, ylabel, xaxis, yaxis, xticks, yticks,
          lines, legend, hline=None, corner="tl"):
    """One plot. lines: [(points, color, dash, marker)]; legend: [(label,
    color, dash, marker)] in the corner "tl", "tr", "bl" or "br"; hline:
    (value, label) drawn dashed grey."""
    left, right, top, bottom = x0 + 62, x0 + w - 10, y0 + 28, y0 + h - 42
    xa = Axis(xaxis[0], xaxis[1], left, right, xaxis[2])
    ya = Axis(yaxis[0], yaxis[1], bottom, top, yaxis[2])
    out = [text(x0 + w / 2, y0 + 14, title, 13, "middle", "bold")]
    out.append(f'<rect x="{left}" y="{top}" width="{right - left}" '
               f'height="{bottom - top}" fill="none" stroke="#888"/>')
    for v in yticks:
        y = ya(v)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" '
                   f'stroke="#e4e4e4"/>')
        out.append(text(left - 5, y + 4, tick_label(v), 10, "end"))
    for v in xticks:
        x = xa(v)
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" '
                   f'stroke="#e4e4e4"/>')
        out.append(text(x, bottom + 14, tick_label(v), 10, "middle"))
    out.append(text((left + right) / 2, bottom + 32, xlabel, 11, "middle"))
    out.append(text(x0 + 14, (top + bottom) / 2, ylabel, 11, "middle",
                    rotate=-90))
    if hline is not None:
        y = ya(hline[0])
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" '
                   f'y2="{y:.1f}" stroke="#555" stroke-dasharray="5,4"/>')
        out.append(text(right - 4, y - 4, hline[1], 10, "end", color="#555"))
    for pts, color, dash, mk in lines:
        pts = sorted(pts)
        d = " ".join(f"{'M' if i == 0 else 'L'}{xa(x):.1f},{ya(y):.1f}"
                     for i, (x, y) in enumerate(pts))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<path d="{d}" fill="none" stroke="{color}" '
                   f'stroke-width="1.8"{dash_attr}/>')
        out += [marker(mk, xa(x), ya(y), color) for x, y in pts]
    lw = 44 + 6 * max((len(label) for label, _, _, _ in legend), default=0)
    lh = 14 * len(legend) + 6
    lx = left + 4 if corner[1] == "l" else right - 4 - lw
    ly0 = top + 4 if corner[0] == "t" else bottom - 4 - lh
    if legend:
        out.append(f'<rect x="{lx}" y="{ly0}" width="{lw}" height="{lh}" '
                   f'fill="#fff" fill-opacity="0.85" stroke="#ccc"/>')
    left = lx - 4
    ly = ly0 + 14
    for label, color, dash, mk in legend:
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{left + 8}" y1="{ly - 4}" x2="{left + 32}" '
                   f'y2="{ly - 4}" stroke="{color}" stroke-width="1.8"'
                   f'{dash_attr}/>')
        out.append(marker(mk, left + 20, ly - 4, color))
        out.append(text(left + 38, ly, label, 10))
        ly += 14
    return out


def svg(data, reps, machine, clock):
    width, height = 1000, 800
    pw, ph = 490, 330
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="DejaVu Sans, Helvetica, Arial, sans-serif">',
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
        text(width / 2, 24, "slakit engine scaling: query time, ingest rate "
             "and memory against series count and window length", 15,
             "middle", "bold"),
    ]
    series_counts = sorted({s for (_, s, _) in data})
    day_values = sorted({d for (_, _, d) in data})

    def pts(bench, value, series=None, days=None):
        res = []
        for (b, s, d), v in data.items():
            if b != bench or (series and s != series) or (days and d != days):
                continue
            y = value(v)
            if y is not None:
                res.append((s if days else d, y))
        return res

    us = lambda v: v["us"]  # noqa: E731

    # (a) query time against series count at 30 days.
    lines_a, legend_a, all_a = [], [], []
    for bench, label, color in QUERIES:
        p = pts(bench, us, days=30)
        if p:
            lines_a.append((p, color, "", "circle"))
            legend_a.append((label, color, "", "circle"))
            all_a += [y for _, y in p]
    if all_a and len(series_counts) > 1:
        lo, hi = log_range(all_a)
        out += panel(10, 40, pw, ph, "(a) query time vs series count, 30-day "
                     "window", "series (log scale; 4 per service)",
                     "time per query round, us (log scale)",
                     (min(series_counts), max(series_counts), True),
                     (lo, hi, True), series_counts, log_ticks(lo, hi),
                     lines_a, legend_a)

    # (b) query time against window length, one line per query and series
    # count.
    lines_b, legend_b, all_b = [], [], []
    for bench, label, color in QUERIES:
        legend_b.append((label, color, "", "circle"))
        for s in series_counts:
            p = pts(bench, us, series=s)
            if len(p) > 1:
                dash, mk = SERIES_STYLE.get(s, ("", "circle"))
                lines_b.append((p, color, dash, mk))
                all_b += [y for _, y in p]
    for s in series_counts:
        if len(pts("BM_Availability", us, series=s)) > 1:
            dash, mk = SERIES_STYLE.get(s, ("", "circle"))
            legend_b.append((f"{s:,} series", "#444", dash, mk))
    if all_b:
        lo, hi = log_range(all_b)
        out += panel(500, 40, pw, ph, "(b) query time vs window length",
                     "window, days", "time per query round, us (log scale)",
                     (0, max(day_values) + 1, False), (lo, hi, True),
                     day_values, log_ticks(lo, hi), lines_b, legend_b)

    # (c) ingest rate against window length, one colour per series count:
    # one day re-ingested (solid) and the whole window loaded (dashed).
    lines_c, legend_c, all_c = [], [], [INGEST_TARGET / 1e6]
    for s in series_counts:
        _, mk = SERIES_STYLE.get(s, ("", "circle"))
        color = SERIES_COLOR.get(s, "#444")
        p = pts("BM_Ingest", lambda v: (v["rate"] or 0) / 1e6, series=s)
        if p:
            lines_c.append((p, color, "", mk))
            legend_c.append((f"{s:,} series", color, "", mk))
            all_c += [y for _, y in p]
        p = pts("BM_EngineMemory", lambda v: (v["load_rate"] or 0) / 1e6,
                series=s)
        if p:
            lines_c.append((p, color, "6,3", mk))
            all_c += [y for _, y in p]
    legend_c.append(("one day re-ingested", "#444", "", "none"))
    legend_c.append(("whole window loaded", "#444", "6,3", "none"))
    top_c = 10 * math.ceil(max(all_c) * 1.1 / 10)
    out += panel(10, 40 + ph + 10, pw, ph,
                 "(c) single-thread ingest rate",
                 "window, days", "M results/s", (0, max(day_values) + 1, False),
                 (0, top_c, False), day_values,
                 list(range(0, top_c + 1, 10)), lines_c, legend_c,
                 hline=(INGEST_TARGET / 1e6, "target >= 20 M/s"))

    # (d) memory per series against window length.
    lines_d, legend_d, all_d = [], [], [MEMORY_TARGET / 1024]
    for s in series_counts:
        p = pts("BM_EngineMemory",
                lambda v: v["counters"].get("bytes_per_series", 0) / 1024,
                series=s)
        if p:
            dash, mk = SERIES_STYLE.get(s, ("", "circle"))
            color = SERIES_COLOR.get(s, "#444")
            lines_d.append((p, color, dash, mk))
            legend_d.append((f"{s:,} series", color, dash, mk))
            all_d += [y for _, y in p]
    top_d = 4 * math.ceil(max(all_d) * 1.1 / 4)
    out += panel(500, 40 + ph + 10, pw, ph,
                 "(d) engine memory per series (35-day retention)",
                 "window, days", "KiB per series",
                 (0, max(day_values) + 1, False), (0, top_d, False),
                 day_values, list(range(0, top_d + 1, 4)), lines_d, legend_d,
                 hline=(MEMORY_TARGET / 1024, "target <= 16 KiB at 35 days"))

    cap_y = 40 + 2 * ph + 30
    cap = [
        f"Medians of {reps} runs of build/scaling_benchmark (bench/scaling.sh), "
        + ("wall-clock times" if clock == "real" else
           "CPU times (the ingest thread's for ingest)")
        + "; one query round = every series or every service once.",
        "Workload: the probes/synthetic.h `default` model, a probe a minute, "
        "4 probes per service; a d-day point is the last d days of its "
        "series count's data.",
        f"Machine: {machine.get('cpu', '?')}, {machine.get('cores', '?')} "
        f"cores; {machine.get('compiler', '?')}, "
        f"{machine.get('build', '?')}; load average "
        f"{load_average(machine.get('uptime before'))} before, "
        f"{load_average(machine.get('uptime after'))} after.",
    ]
    for i, line in enumerate(cap):
        out.append(text(20, cap_y + 16 * i, line, 11, color="#444"))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", required=True, help="scaling_benchmark JSON")
    ap.add_argument("--machine", help="machine.txt written by scaling.sh")
    ap.add_argument("--svg", help="where to write the plot")
    ap.add_argument("--clock", choices=("real", "cpu"), default="real",
                    help="wall-clock (default) or CPU times")
    args = ap.parse_args()
    data, cvs, reps, _ = load(args.json, args.clock)
    if not data:
        sys.exit(f"plot_scaling.py: no scaling results in {args.json}")
    machine = read_machine(args.machine)
    if args.svg:
        with open(args.svg, "w", encoding="utf-8") as f:
            f.write(svg(data, reps, machine, args.clock))
    print(table(data, cvs, reps, args.clock))


if __name__ == "__main__":
    main()
