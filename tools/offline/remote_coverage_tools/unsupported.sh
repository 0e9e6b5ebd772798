#!/bin/sh
# Offline stand-in for Bazel's coverage tools (see tools/offline/README.md).
echo "slakit: 'bazel coverage' is not supported offline (@remote_coverage_tools is a stub); use the CMake build for coverage." >&2
exit 1
