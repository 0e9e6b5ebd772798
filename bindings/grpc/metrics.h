// bindings/grpc/metrics.h: the Prometheus text exposition (format 0.0.4) of
// the server's `/metrics` endpoint: availability, error budget, burn rates
// and alert states per objective, plus a few process counters. Rendering
// only; bindings/grpc/metrics_http.h serves the text over HTTP.
//
//   sla::server::ObjectiveSample o;
//   o.tenant = "acme";
//   o.service = "web";
//   o.objective = "availability";
//   o.window = "30d";
//   o.target_ratio = 0.999;
//   o.good = 99950;
//   o.total = 100000;
//   o.availability_ratio = 0.9995;
//   o.error_budget_remaining_ratio = 0.5;
//   o.burn_rates = {{"1h", 14.4}, {"6h", 2.0}};
//   o.alerts = {{"page", true}, {"ticket", false}};
//   sla::server::ProcessSample p;
//   std::string text = sla::server::RenderPrometheusText({o}, p);
//   // slakit_objective_availability_ratio{tenant="acme",service="web",
//   //     objective="availability",window="30d"} 0.9995
//
// Metric families, in output order (every name passes
// `promtool check metrics`: snake_case, no colons, base units as suffixes,
// counters end in `_total`). Objective families carry the labels
// tenant, service, objective, window:
//   slakit_objective_target_ratio                 gauge
//   slakit_objective_availability_ratio           gauge (NaN: no events)
//   slakit_objective_error_budget_remaining_ratio gauge (< 0: overspent)
//   slakit_objective_events{kind="good"|"total"}  gauge (counts in window)
//   slakit_objective_burn_rate{burn_window="1h"}  gauge
//   slakit_objective_alert_firing{severity="page"} gauge (0 or 1)
//   slakit_ingested_results_total                 counter
//   slakit_ingested_batches_total                 counter
//   slakit_rejected_batches_total                 counter
//   slakit_dedupe_forgotten_early_total           counter (*)
//   slakit_dedupe_batch_ids                       gauge (*)
//   slakit_alert_evaluation_errors_total          counter (*)
//   slakit_clock_steps_back_total                 counter (*)
//   slakit_process_resident_memory_bytes          gauge (*)
//   slakit_process_heap_in_use_bytes              gauge (*)
//   slakit_process_start_time_seconds             gauge (Unix time)
//   slakit_ready                                  gauge (0 or 1)
// (*) left out when the value is unknown (< 0): no store yet, or a platform
// without /proc or glibc's mallinfo2.
//
// Each family has one `# HELP` and one `# TYPE` line followed by all its
// samples; a family without samples (e.g. no objective has burn rates) is
// left out. Samples keep the order of the input, so the output is a pure,
// deterministic function of the arguments. Values are written in the
// shortest form that reads back to the same double; NaN as `NaN`, infinities
// as `+Inf` / `-Inf`; counts as integers.
//
// The caller keeps series distinct: two samples with the same
// tenant/service/objective/window (or the same burn window or severity
// within one objective) would produce duplicate series, which Prometheus
// rejects. Label values may hold any UTF-8 text; they are escaped here.
//
// Thread-safety: the functions are pure and thread-safe; the structs are
// value types (thread-compatible).

#ifndef BINDINGS_GRPC_METRICS_H_
#define BINDINGS_GRPC_METRICS_H_

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace sla::server {

// One burn rate of an objective over a look-back window.
struct BurnRateSample {
  std::string window;  // label burn_window, e.g. "1h"
  double rate = 0;     // (bad / total) / (1 - target) over that window
};

// The state of one alert rule of an objective.
struct AlertSample {
  std::string severity;  // label severity, e.g. "page" or "ticket"
  bool firing = false;   // rendered as 1 or 0
};

// What the server knows about one objective at scrape time.
struct ObjectiveSample {
  std::string tenant;       // label tenant; "" for a single-tenant server
  std::string service;      // label service, e.g. "web"
  std::string objective;    // label objective, e.g. "availability"
  std::string window;       // label window, e.g. "30d" or "month"
  double target_ratio = 0;  // e.g. 0.999 for 99.9 %
  int64_t good = 0;         // good events (or slices) in the window
  int64_t total = 0;        // all events (or slices) in the window
  // good / total; NaN when total == 0 (unlike sla::BudgetNumbers, which
  // says 1.0 there: "no data" must not look like "perfect" on a dashboard).
  double availability_ratio = std::numeric_limits<double>::quiet_NaN();
  // 1 - consumed; 1 with no bad events, negative when overspent.
  double error_budget_remaining_ratio = 1;
  std::vector<BurnRateSample> burn_rates;  // one series each, in order
  std::vector<AlertSample> alerts;         // one series each, in order
};

// Process-wide counters and state.
struct ProcessSample {
  int64_t ingested_results_total = 0;  // results accepted since start
  int64_t ingested_batches_total = 0;  // batches accepted since start
  int64_t rejected_batches_total = 0;  // batches refused since start
  // The store's dedupe table (sla/storage/store.h): ids remembered, and ids
  // forgotten within their horizon because of its count bound. -1: unknown.
  int64_t dedupe_batch_ids = -1;
  int64_t dedupe_forgotten_early_total = -1;
  // Alert evaluations that failed, and those that found the clock earlier
  // than the previous one (Backend::EvaluateAlerts). -1: unknown.
  int64_t alert_evaluation_errors_total = -1;
  int64_t clock_steps_back_total = -1;
  // Resident set of the process, and the bytes its heap hands out (what the
  // program holds, without the allocator's free pages): a leak grows the
  // second; memory malloc keeps for reuse only the first. -1: unknown.
  int64_t resident_memory_bytes = -1;
  int64_t heap_in_use_bytes = -1;
  double start_time_seconds = 0;  // process start, seconds since epoch
  bool ready = false;             // rendered as 1 or 0
};

// Returns the full exposition text, ending in a newline, for
// `Content-Type: text/plain; version=0.0.4; charset=utf-8`. Never fails.
std::string RenderPrometheusText(absl::Span<const ObjectiveSample> objectives,
                                 const ProcessSample& process);

// Returns `value` escaped for use between the double quotes of a label
// value: backslash -> `\\`, double quote -> `\"`, newline -> `\n`; every
// other byte is copied unchanged.
std::string EscapeLabelValue(absl::string_view value);

}  // namespace sla::server

#endif  // BINDINGS_GRPC_METRICS_H_
