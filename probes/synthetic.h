// probes/synthetic.h: deterministic synthetic blackbox-probe workload.
//
// Generates the benchmark workload: every (service, probe) series reports one
// probe result per interval for a number of days. Same CSV format and same
// statistical model as the benchmark's workload description (bench README,
// section "Workload"); the random streams are our own, so the bytes differ
// from the reference Python script while the format and statistics match.
//
//   absl::StatusOr<sla::probes::WorkloadOptions> options =
//       sla::probes::WorkloadPreset("small");
//   if (!options.ok()) return options.status();
//   std::FILE* out = std::fopen("small.csv", "wb");
//   if (out == nullptr) return absl::InternalError("cannot open small.csv");
//   absl::StatusOr<sla::probes::WorkloadSummary> summary =
//       sla::probes::WriteWorkloadCsv(*options, out);
//   std::fclose(out);
//   // summary->rows == 1728000, summary->failures is about 0.3 % of that.
//
// CSV: header `timestamp_ms,service,probe,ok,latency_ms`, then one row per
// result, sorted by time; ties by the series' phase offset, then service, then
// probe (i.e. the order of emission). Labels `svc-000`, `p00`; ok is 0 or 1;
// latency in ms with 3 decimals. Timestamps are whole seconds, in ms.
//
// Model:
//  * Series probe every interval_s seconds at a fixed phase offset of
//    0..interval_s-1 whole seconds; svc-000/p00 always has offset 0, so a
//    sample sits exactly on the window start.
//  * Base failures: each series has a marginal failure rate log-uniform in
//    [0.05 %, 0.5 %], emitted as flaps of 1..3 consecutive failed probes.
//  * Outages: a Poisson process of 2.5 per service per 30 days, correlated
//    across the service's probes, one of three kinds (equally likely):
//    hard (3..90 min, all probes fail), partial (5..120 min, a random
//    non-empty subset of the probes fails with p = 0.9), brownout
//    (10..240 min, all probes fail with p = 0.1..0.5 and are 3..15x slower).
//    Durations are log-uniform.
//  * A failed probe times out (10000 ms) or fails fast (1..5 ms), 50/50.
//  * Tail incidents (WorkloadOptions::tail_incident, on by default) are still
//    running at the end of the window: svc-000 a 40 min brownout (p_fail
//    0.25, latency x8), svc-001 a 4 h brownout (p_fail 0.02, latency x2).
//  * Latency: lognormal per series (median log-uniform in 15..200 ms, sigma
//    uniform in 0.15..0.45); 0.2 % of probes get an isolated spike of x5..x30;
//    capped at the 10000 ms timeout; rounded to 3 decimals.
//
// Determinism: all randomness comes from xoshiro256** generators seeded with
// splitmix64 from (seed, series) or (seed, service), and every distribution is
// derived here (no std:: distributions), so the same options give the same
// results on every run and standard library. Only std::log/exp/cos/sqrt are
// taken from the platform's libm.
//
// Thread safety: every function here is thread-safe; they share no mutable
// state. Concurrent calls may run with different sinks and FILE*s.

#ifndef PROBES_SYNTHETIC_H_
#define PROBES_SYNTHETIC_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace sla::probes {

// Shape of a workload. The defaults are the "default" preset.
struct WorkloadOptions {
  int services = 50;             // 1..1000
  int probes_per_service = 4;    // 1..100
  int days = 30;                 // 1..3660
  int interval_s = 60;           // 1..86400, must divide days * 86400
  uint64_t seed = 42;            // any value
  int64_t start_s = 1704067200;  // 2024-01-01T00:00:00Z; 0..year 9999
  bool tail_incident = true;     // add the two ongoing tail incidents
};

// Returns the named preset: "tiny" (3 services x 2 probes x 2 days), "small"
// (10 x 4 x 30), "default" (50 x 4 x 30); all with interval 60 s, seed 42,
// start 2024-01-01T00:00:00Z and tail incidents.
// Errors: InvalidArgument for an unknown name; the message lists valid names.
absl::StatusOr<WorkloadOptions> WorkloadPreset(absl::string_view name);

// Checks the ranges documented on WorkloadOptions.
// Errors: InvalidArgument naming the offending field and its value.
absl::Status ValidateWorkloadOptions(const WorkloadOptions& options);

// One probe result. `latency_ms` is already rounded to 3 decimals, exactly as
// written to the CSV.
struct SyntheticResult {
  int32_t service;  // 0-based; label ServiceName(service)
  int32_t probe;    // 0-based; label ProbeName(probe)
  int64_t unix_ms;  // whole seconds, in ms
  bool ok;
  double latency_ms;
};

struct WorkloadSummary {
  int64_t rows = 0;      // results produced
  int64_t failures = 0;  // results with ok == false
  int64_t start_ms = 0;  // start_s * 1000
  int64_t end_ms = 0;    // start_ms + days * 86400000; timestamps < end_ms
  // Human-readable, one per outage (tail incidents included), ordered by
  // service, then start time.
  std::vector<std::string> outage_descriptions;
};

// Label of a service index: ServiceName(7) == "svc-007".
std::string ServiceName(int service);
// Label of a probe index: ProbeName(2) == "p02".
std::string ProbeName(int probe);

// Generates the workload and calls `sink` once per tick (interval) with all
// results of that tick (services * probes_per_service of them), in CSV row
// order. The span is only valid during the call.
// Errors: InvalidArgument from ValidateWorkloadOptions (sink is not called).
absl::StatusOr<WorkloadSummary> GenerateWorkload(
    const WorkloadOptions& options,
    absl::FunctionRef<void(absl::Span<const SyntheticResult>)> sink);

// Writes the CSV (header and rows) to `out`, opened for writing by the caller
// and left open (it is flushed before returning). Uses large buffered writes.
// Errors: InvalidArgument from ValidateWorkloadOptions or for a null `out`
// (nothing is written); DataLossError naming the errno text if a write or the
// final flush fails (the file is then incomplete; generation stops).
absl::StatusOr<WorkloadSummary> WriteWorkloadCsv(const WorkloadOptions& options,
                                                 std::FILE* out);

}  // namespace sla::probes

#endif  // PROBES_SYNTHETIC_H_
