#include "bindings/grpc/metrics.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace sla::server {
namespace {

// Shortest text that parses back to `v` (Go's strconv 'g', -1 equivalent
// for Prometheus' purposes), with the exposition's spellings of NaN and
// the infinities.
std::string FormatDouble(double v) {
  if (std::isnan(v)) {
    return "NaN";
  }
  if (std::isinf(v)) {
    return v > 0 ? "+Inf" : "-Inf";
  }
  char buf[64];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), v);
  if (r.ec != std::errc()) {
    return absl::StrCat(v);  // unreachable: 64 > 24 chars
  }
  return std::string(buf, r.ptr);
}

// Appends the `# HELP` and `# TYPE` lines of one family. `help` must hold
// no backslash or newline (all of ours are constants).
void AppendHeader(std::string* out, absl::string_view name,
                  absl::string_view help, absl::string_view type) {
  absl::StrAppend(out, "# HELP ", name, " ", help, "\n", "# TYPE ", name, " ",
                  type, "\n");
}

// Appends `name{labels} value\n`; `labels` is the already escaped content
// between the braces, or "" for none.
void AppendSample(std::string* out, absl::string_view name,
                  absl::string_view labels, absl::string_view value) {
  if (labels.empty()) {
    absl::StrAppend(out, name, " ", value, "\n");
  } else {
    absl::StrAppend(out, name, "{", labels, "} ", value, "\n");
  }
}

std::string Label(absl::string_view name, absl::string_view value) {
  return absl::StrCat(name, "=\"", EscapeLabelValue(value), "\"");
}

std::string ObjectiveLabels(const ObjectiveSample& o) {
  return absl::StrCat(
      Label("tenant", o.tenant), ",", Label("service", o.service), ",",
      Label("objective", o.objective), ",", Label("window", o.window));
}

}  // namespace

std::string EscapeLabelValue(absl::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderPrometheusText(absl::Span<const ObjectiveSample> objectives,
                                 const ProcessSample& process) {
  std::vector<std::string> labels;
  labels.reserve(objectives.size());
  bool any_burn_rate = false;
  bool any_alert = false;
  for (const ObjectiveSample& o : objectives) {
    labels.push_back(ObjectiveLabels(o));
    any_burn_rate = any_burn_rate || !o.burn_rates.empty();
    any_alert = any_alert || !o.alerts.empty();
  }

  std::string out;
  // One gauge per objective: family name, help, and the value.
  const auto per_objective = [&](absl::string_view name, absl::string_view help,
                                 double ObjectiveSample::*field) {
    if (objectives.empty()) {
      return;
    }
    AppendHeader(&out, name, help, "gauge");
    for (size_t i = 0; i < objectives.size(); ++i) {
      AppendSample(&out, name, labels[i], FormatDouble(objectives[i].*field));
    }
  };

  per_objective("slakit_objective_target_ratio",
                "Target of the objective as a ratio (0.999 for 99.9%).",
                &ObjectiveSample::target_ratio);
  per_objective("slakit_objective_availability_ratio",
                "Good over total events in the objective window; NaN "
                "without events.",
                &ObjectiveSample::availability_ratio);
  per_objective("slakit_objective_error_budget_remaining_ratio",
                "Fraction of the error budget left in the objective window; "
                "negative when overspent.",
                &ObjectiveSample::error_budget_remaining_ratio);

  if (!objectives.empty()) {
    constexpr absl::string_view kEvents = "slakit_objective_events";
    AppendHeader(&out, kEvents,
                 "Events (or slices) in the objective window, by kind "
                 "(good or total).",
                 "gauge");
    for (size_t i = 0; i < objectives.size(); ++i) {
      AppendSample(&out, kEvents, absl::StrCat(labels[i], ",kind=\"good\""),
                   absl::StrCat(objectives[i].good));
      AppendSample(&out, kEvents, absl::StrCat(labels[i], ",kind=\"total\""),
                   absl::StrCat(objectives[i].total));
    }
  }

  if (any_burn_rate) {
    constexpr absl::string_view kBurn = "slakit_objective_burn_rate";
    AppendHeader(&out, kBurn,
                 "Error budget burn rate over the look-back window "
                 "burn_window; 1 spends the budget exactly over the "
                 "objective window.",
                 "gauge");
    for (size_t i = 0; i < objectives.size(); ++i) {
      for (const BurnRateSample& b : objectives[i].burn_rates) {
        AppendSample(
            &out, kBurn,
            absl::StrCat(labels[i], ",", Label("burn_window", b.window)),
            FormatDouble(b.rate));
      }
    }
  }

  if (any_alert) {
    constexpr absl::string_view kAlert = "slakit_objective_alert_firing";
    AppendHeader(&out, kAlert,
                 "1 when the objective's alert of this severity is firing, "
                 "else 0.",
                 "gauge");
    for (size_t i = 0; i < objectives.size(); ++i) {
      for (const AlertSample& a : objectives[i].alerts) {
        AppendSample(
            &out, kAlert,
            absl::StrCat(labels[i], ",", Label("severity", a.severity)),
            a.firing ? "1" : "0");
      }
    }
  }

  const auto counter = [&](absl::string_view name, absl::string_view help,
                           int64_t value) {
    AppendHeader(&out, name, help, "counter");
    AppendSample(&out, name, "", absl::StrCat(value));
  };
  counter("slakit_ingested_results_total",
          "Probe results accepted since the process started.",
          process.ingested_results_total);
  counter("slakit_ingested_batches_total",
          "Ingest batches accepted since the process started.",
          process.ingested_batches_total);
  counter("slakit_rejected_batches_total",
          "Ingest batches rejected since the process started.",
          process.rejected_batches_total);
  const auto if_known = [&](absl::string_view name, absl::string_view help,
                            absl::string_view type, int64_t value) {
    if (value < 0) return;
    AppendHeader(&out, name, help, type);
    AppendSample(&out, name, "", absl::StrCat(value));
  };
  if_known("slakit_dedupe_forgotten_early_total",
           "Batch ids forgotten before their dedupe horizon because the "
           "table was full; a retry of one is applied again.",
           "counter", process.dedupe_forgotten_early_total);
  if_known("slakit_dedupe_batch_ids",
           "Batch ids remembered for idempotent retries.", "gauge",
           process.dedupe_batch_ids);
  if_known("slakit_alert_evaluation_errors_total",
           "Alert evaluations that failed (the server's log has the error).",
           "counter", process.alert_evaluation_errors_total);
  if_known("slakit_clock_steps_back_total",
           "Alert evaluations that found the clock earlier than the previous "
           "one; the alert timers moved back with it.",
           "counter", process.clock_steps_back_total);
  if_known("slakit_process_resident_memory_bytes",
           "Resident memory of the process in bytes.", "gauge",
           process.resident_memory_bytes);
  if_known("slakit_process_heap_in_use_bytes",
           "Heap bytes allocated and not freed (without the allocator's "
           "free pages).",
           "gauge", process.heap_in_use_bytes);

  AppendHeader(&out, "slakit_process_start_time_seconds",
               "Start time of the process since the Unix epoch in seconds.",
               "gauge");
  AppendSample(&out, "slakit_process_start_time_seconds", "",
               FormatDouble(process.start_time_seconds));
  AppendHeader(&out, "slakit_ready",
               "1 when the server is ready to serve requests, else 0.",
               "gauge");
  AppendSample(&out, "slakit_ready", "", process.ready ? "1" : "0");
  return out;
}

}  // namespace sla::server
