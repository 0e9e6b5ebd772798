// bindings/cli/eval_command.h: `slakit eval`, availability, error budget and
// burn rates of every series and service of a probe CSV at one time.
//
//   slakit eval --data workload.csv --target 99.9 --window 30d
//               --at 2024-01-31T00:00:00Z --format json
//
// The window is [at - window, at), half-open, in whole minutes. Each
// (service, probe) of the CSV is one probe-success SLI; a service pools its
// probes (good and total summed). Burn rates are taken over [at - w, at) for
// w in 5m, 30m, 1h, 2h, 6h, 1d, 3d, and are 0 when w holds no result.
// Each service is also one alerting objective with the default burn-rate
// tiers of the window (sla/alerting.h: "firing" when both of a tier's rates
// exceed its factor at `at`), and gets a forecast of its budget's
// exhaustion (sla/forecast.h).
//
// Thread-compatible; each call builds its own engine.

#ifndef BINDINGS_CLI_EVAL_COMMAND_H_
#define BINDINGS_CLI_EVAL_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sla/alerting.h"
#include "sla/engine.h"
#include "sla/forecast.h"

namespace sla {
namespace cli {

struct SeriesEval {
  std::string service;
  std::string probe;
  Counts counts;
};

struct ServiceEval {
  std::string service;
  BudgetNumbers budget;
  std::vector<double> burn_rates;  // parallel to sla::StandardBurnWindows()
  // The default burn-rate tiers of the window (sla/alerting.h), evaluated
  // at `at`; empty for windows shorter than 1h, which have none.
  std::vector<TierEvaluation> alerts;
  ExhaustionForecast forecast;  // sla/forecast.h
};

struct EvalReport {
  absl::Time at;
  Interval window;
  std::string window_text;            // "30d"
  double target = 0;                  // fraction
  std::vector<SeriesEval> series;     // sorted by (service, probe)
  std::vector<ServiceEval> services;  // sorted by service
};

// Evaluates every probe-success SLI and service of `engine` at `at`.
absl::StatusOr<EvalReport> EvaluateAll(Engine& engine, double target_percent,
                                       const std::string& window,
                                       absl::Time at);

std::string RenderEvalJson(const EvalReport& report);
std::string RenderEvalTable(const EvalReport& report);

struct EvalOptions {
  std::string data;      // CSV path
  std::string data_dir;  // or a store directory (slakit import)
  double target_percent = 99.9;
  std::string window = "30d";
  std::string at;                // RFC 3339 or epoch ms
  std::string format = "table";  // json | table
};

// Runs the whole command; returns the text for stdout. InvalidArgument (and
// NotFound for a missing file) for bad input: the caller exits with 2.
absl::StatusOr<std::string> RunEval(const EvalOptions& options);

}  // namespace cli
}  // namespace sla

#endif  // BINDINGS_CLI_EVAL_COMMAND_H_
