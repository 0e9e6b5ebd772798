#!/usr/bin/env python3
"""Maintainer helper: writes tests/data/<name>.expected.json.

NOT run at build or test time (the test suite only reads the files this
produced).  It needs the outputs of the shared benchmark harness, made by hand:

    cd <shared>/bench
    python3 gen_workload.py --preset tiny --out /tmp/ref/tiny.csv
    python3 reference.py --csv /tmp/ref/tiny.csv --out /tmp/ref/tiny.ref.json --no-latency
    (same for --preset small)

then, from the project root:

    python3 tests/data/make_expected.py --name tiny --csv /tmp/ref/tiny.csv \
        --ref /tmp/ref/tiny.ref.json --manifest /tmp/ref/tiny.csv.manifest.json \
        --data-file tiny.csv.gz --out tests/data/tiny.expected.json
    python3 tests/data/make_expected.py --name small --csv /tmp/ref/small.csv \
        --ref /tmp/ref/small.ref.json --manifest /tmp/ref/small.csv.manifest.json \
        --data-file small_nolatency.csv.xz --stored-csv /tmp/ref/small_nolatency.csv \
        --out tests/data/small.expected.json

The ratios (availability, remaining, 5m/30m/1h/6h burn) are the reference's
`exact` answers, copied as they are.  The integer counts (and the burn rates of
the 2h/1d/3d windows, which the reference does not compute) are counted here
from the CSV; every reference ratio is checked to be float(Fraction(counts)).
"""
import argparse
import datetime
import hashlib
import json
from fractions import Fraction

BURN_WINDOWS_MS = {"5m": 300000, "30m": 1800000, "1h": 3600000, "2h": 7200000,
                   "6h": 21600000, "1d": 86400000, "3d": 259200000}
REF_BURN = ("5m", "30m", "1h", "6h")  # windows the reference computes (v_pyrra_err_*)
BUDGET = Fraction(1, 1000)  # target 99.9 %, taken exactly


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--csv", required=True, help="CSV exactly as gen_workload.py wrote it")
    ap.add_argument("--stored-csv", help="the adapted CSV stored in tests/data (default: --csv)")
    ap.add_argument("--ref", required=True)
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--data-file", required=True, help="file name in tests/data")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    man = json.load(open(a.manifest))
    ref = json.load(open(a.ref))
    T = man["eval_time_ms"]
    days = man["params"]["days"]
    R = days * 86400000
    assert ref["_meta"]["csv_sha256"] == man["csv_sha256"] == sha256_file(a.csv)

    # ---- count from the CSV that is stored (ok column identical to the original)
    stored = a.stored_csv or a.csv
    series = {}   # (svc, probe) -> [good, total] over [T-R, T)
    burn = {}     # svc -> w -> [good, total] over [T-w, T)
    with open(a.csv) as f0, open(stored) as f1:
        assert f0.readline() == f1.readline() == "timestamp_ms,service,probe,ok,latency_ms\n"
        for l0, l1 in zip(f0, f1):
            ts, svc, probe, ok, _ = l1.rstrip("\n").split(",")
            assert l0.split(",")[:4] == [ts, svc, probe, ok]
            ts, ok = int(ts), int(ok)
            assert ok in (0, 1)
            if T - R <= ts < T:
                c = series.setdefault((svc, probe), [0, 0])
                c[0] += ok
                c[1] += 1
            for w, wms in BURN_WINDOWS_MS.items():
                if T - wms <= ts < T:
                    c = burn.setdefault(svc, {}).setdefault(w, [0, 0])
                    c[0] += ok
                    c[1] += 1
        assert f0.readline() == f1.readline() == ""

    # ---- reference exact answers
    def by(qid, key):
        return {key(d["metric"]): d["value"] for d in ref[qid]["exact"]}
    a_ref = by("a_series_availability", lambda m: (m["service"], m["probe"]))
    b_ref = by("b_service_availability", lambda m: m["service"])
    c_ref = by("c_error_budget_remaining", lambda m: m["service"])
    e_ref = {w: by("v_pyrra_err_%s" % w, lambda m: m["service"]) for w in REF_BURN}
    assert sorted(a_ref) == sorted(series)

    out_series = []
    svc_counts = {}
    for (svc, probe) in sorted(series):
        good, total = series[(svc, probe)]
        assert a_ref[(svc, probe)] == float(Fraction(good, total))
        out_series.append(dict(service=svc, probe=probe, good=good, total=total,
                               availability=a_ref[(svc, probe)]))
        c = svc_counts.setdefault(svc, [0, 0])
        c[0] += good
        c[1] += total
    assert sorted(b_ref) == sorted(svc_counts)

    out_services = []
    for svc in sorted(svc_counts):
        good, total = svc_counts[svc]
        pooled = Fraction(good, total)
        # the reference's (b)/(c) are means of the probe means; they equal the pooled
        # ratio here because every probe has the same sample count in the window
        assert b_ref[svc] == float(pooled)
        remaining = 1 - (1 - pooled) / BUDGET
        assert c_ref[svc] == float(remaining)
        burn_out, derived, counts = {}, {}, {}
        for w in BURN_WINDOWS_MS:
            g, n = burn.get(svc, {}).get(w, [0, 0])
            counts[w] = dict(good=g, total=n)
            rate = (1 - Fraction(g, n)) / BUDGET if n else Fraction(0)
            if w in REF_BURN:
                assert n > 0 and e_ref[w][svc] == float(1 - Fraction(g, n))
                # burn = err / (1 - 0.999), the err taken exactly (it is a ratio of counts)
                burn_out[w] = float(rate)
            else:
                derived[w] = float(rate)
        out_services.append(dict(
            service=svc, good=good, total=total, availability=b_ref[svc],
            remaining=c_ref[svc],
            bad=total - good,
            allowed_bad=float(total * BUDGET),
            consumed=float((1 - pooled) / BUDGET),
            burn=burn_out,
            burn_derived=derived,
            burn_counts=counts,
        ))

    at = datetime.datetime.fromtimestamp(T / 1000, tz=datetime.timezone.utc)
    doc = dict(
        _source=("Produced by tests/data/make_expected.py from the shared benchmark harness "
                 "(shared/bench gen_workload.py --preset %s, generator_version %d, seed %d; then "
                 "reference.py --no-latency, its `exact` answers: exact rational arithmetic, target "
                 "taken as 999/1000, rounded to float once). Original CSV sha256 %s (%d rows). "
                 "series[].availability = a_series_availability; services[].availability = "
                 "b_service_availability; services[].remaining = c_error_budget_remaining; "
                 "services[].burn[w] = v_pyrra_err_w / (1 - 0.999) computed exactly (pooled bad/total). "
                 "Integer counts, bad, allowed_bad, consumed, burn_derived (2h/1d/3d, not in the "
                 "reference) and burn_counts were counted from the CSV by make_expected.py. "
                 "Windows are [at - w, at); every sample lies in [start, at), so they equal the "
                 "reference's closed windows.") % (
                    a.name, man["generator_version"], man["params"]["seed"], man["csv_sha256"], man["rows"]),
        preset=a.name,
        data_file=a.data_file,
        data_note=("identical to the generated CSV" if stored == a.csv else
                   "the generated CSV with every latency_ms replaced by 0 (probe-success answers do not use latency)"),
        csv_sha256=sha256_file(stored),
        original_csv_sha256=man["csv_sha256"],
        rows=man["rows"],
        at=at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        at_ms=T,
        window="%dd" % days,
        target_percent="99.9",
        target=0.999,
        series=out_series,
        services=out_services,
    )
    with open(a.out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("wrote %s: %d series, %d services" % (a.out, len(out_series), len(out_services)))


if __name__ == "__main__":
    main()
