// bindings/cli/probe_command.h: `slakit probe`, which runs the probes a
// configuration declares (sla/probe_config.h) and prints their results: a
// quick way to check a configuration before `slakit serve` runs the same
// probes on their schedule.
//
//   slakit probe --config slakit.yaml --once            # each probe once
//   slakit probe --config slakit.yaml --once --format json
//   slakit probe --config slakit.yaml --service web     # until Ctrl-C
//
// --once runs every selected probe once, at the same time (up to
// --concurrency at once), and prints one row per probe in configuration
// order when all are done. JSON is a list of {service, probe, kind,
// timestamp, outcome, latency_ms, reason}. Without --once the probes run on
// their intervals (with jitter, never two runs of one probe at once) until
// SIGINT or SIGTERM, one line per result as it arrives (JSON: one object
// per line, which `slakit import --format jsonl` reads back).
//
// Exit status: 0 when every result was ok, 3 when some probe was not (the
// table says which and why), 2 for a bad configuration or option, 1 for
// other errors.
//
// Thread safety: RunProbe blocks the calling thread; call it once at a
// time per process (it installs a SIGINT/SIGTERM wait without --once).

#ifndef BINDINGS_CLI_PROBE_COMMAND_H_
#define BINDINGS_CLI_PROBE_COMMAND_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "probes/probe.h"
#include "sla/probe_config.h"

namespace sla::cli {

struct ProbeOptions {
  std::string config;                 // slakit.yaml; required
  bool once = false;                  // run each probe once and exit
  std::string format = "table";       // table | json
  std::vector<std::string> services;  // only these services' probes
  std::vector<std::string> probes;    // only these probe names
  int concurrency = 8;                // checks at once
  // Builds a checker (tests inject fakes). Default: every kind, including
  // gRPC health.
  std::function<absl::StatusOr<std::unique_ptr<probes::Checker>>(
      const ProbeConfig&)>
      make_checker;
};

// Runs the probes and writes results to `out`; returns whether every result
// was ok (main exits 3 when not). InvalidArgument for a bad configuration,
// option or selection (a --service or --probe that matches nothing, a
// configuration without probes), with the checker's message for a probe it
// cannot build.
absl::StatusOr<bool> RunProbe(const ProbeOptions& options, std::ostream& out);

}  // namespace sla::cli

#endif  // BINDINGS_CLI_PROBE_COMMAND_H_
