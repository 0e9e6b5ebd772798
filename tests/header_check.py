#!/usr/bin/python3
"""Fails if a public header of sla/ includes anything but Abseil, the C++
standard library and other sla/ headers (no protobuf, gRPC, pybind11, YAML or
JSON), so that an embedder needs only Abseil to compile against slakit.

Usage: header_check.py PROJECT_ROOT
"""
import pathlib
import re
import sys

FORBIDDEN = re.compile(r"(google/protobuf|grpc|pybind11|yaml|nlohmann|json)", re.I)
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')


def check(root):
    problems = []
    headers = sorted((root / "sla").rglob("*.h"))
    for h in headers:
        for n, line in enumerate(h.read_text().splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            inc = m.group(1)
            rel = h.relative_to(root)
            if FORBIDDEN.search(inc):
                problems.append("%s:%d: includes %s (sla/ must depend on Abseil only)" % (rel, n, inc))
            elif not (inc.startswith("absl/") or inc.startswith("sla/") or "/" not in inc and "." not in inc):
                problems.append("%s:%d: includes %s, which is neither Abseil, sla/ nor the standard library" % (rel, n, inc))
    return headers, problems


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    headers, problems = check(root)
    # Self-test: the checker must catch a forbidden include.
    probe = ['#include "google/protobuf/message.h"', "#include <yaml-cpp/yaml.h>", "#include <grpcpp/grpcpp.h>", "#include <pybind11/pybind11.h>"]
    caught = sum(1 for p in probe if FORBIDDEN.search(INCLUDE.match(p).group(1)))
    if caught != len(probe):
        print("self-test failed: the checker misses forbidden includes")
        return 1
    if not headers:
        print("no headers found under %s/sla" % root)
        return 1
    for p in problems:
        print(p)
    print("checked %d headers under sla/" % len(headers))
    print("%d passed, %d failed" % (len(headers) - len({p.split(':')[0] for p in problems}), len({p.split(':')[0] for p in problems})))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
