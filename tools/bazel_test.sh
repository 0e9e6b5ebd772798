#!/usr/bin/env bash
# Build and test slakit with Bazel (Debian's Bazel 4.2.3, offline; see WORKSPACE,
# .bazelrc and tools/offline/README.md). CMake is the primary build; this is the
# second, CI-checked one. Stops the Bazel server afterwards so nothing stays up.
set -euo pipefail
cd "$(dirname "$0")/.."
rc=0
bazel test //... "$@" || rc=$?
bazel shutdown || true
exit "$rc"
