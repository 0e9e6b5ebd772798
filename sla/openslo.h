// sla/openslo.h: OpenSLO documents converted to slakit's configuration.
//
// Reads OpenSLO `openslo/v1` documents (Service, SLO, SLI, AlertPolicy,
// AlertCondition; DataSource and AlertNotificationTarget are checked and
// left out) and the `openslo/v1alpha` SLOs that Sloth reads. A file may hold
// several YAML documents (`---`), and each document may be one object or a
// list of objects. References (indicatorRef, alertPolicies, conditionRef)
// resolve across all the files of one call:
//
//   absl::StatusOr<sla::OpenSloImport> im =
//       sla::LoadOpenSlo({"slos.yaml", "alerts.yaml"});
//   if (!im.ok()) {
//     // InvalidArgument listing every problem, one per line:
//     // "slos.yaml:27:17: SLO/availability.spec.timeWindow[0].duration:
//     //  '1m' is one minute (OpenSLO: m = minutes, M = months) ..."
//   }
//   for (const std::string& w : im->warnings) std::cerr << w << "\n";
//   std::string yaml = sla::RenderSlakitYaml(*im);  // a slakit.yaml
//   // sla::ParseConfig(yaml, "slakit.yaml") gives im->config back.
//
// How OpenSLO becomes slakit (the objects slakit has no use for are
// validated and reported as warnings, never silently dropped):
//
//   Service             a service (metadata.name); an SLO's spec.service
//                       names one too, with or without a Service document.
//   SLO objective       an objective of that service, named after the SLO
//                       (metadata.name), or `<slo>-<i>` for the i-th
//                       (from 0) when the SLO lists several objectives.
//   SLI                 one named probe-success series of that service:
//                       the SLI's metadata.name (inline indicator or the
//                       SLI document indicatorRef names; v1alpha: the
//                       objective's name). The metric queries are not
//                       run: slakit feeds the SLI with its own results,
//                       those of (service, SLI name), from `slakit probe`,
//                       `slakit import` or a client.
//   target              target percent: `target: 0.995` -> 99.5 (the
//                       decimal point moved, not a multiplication), or
//                       `targetPercent` as it is.
//   timeWindow          rolling `2w` -> window `14d`; calendar `1M` in
//                       America/New_York -> `month@America/New_York` (1d,
//                       1w, 1M, 1Q, 1Y: day, ISO week, month, quarter,
//                       year). Rolling M, Q and Y become 30, 90 and 365
//                       days per unit, with a warning.
//   budgetingMethod     Occurrences, Timeslices, RatioTimeslices as they
//                       are; timeSliceWindow -> slice, timeSliceTarget ->
//                       slice_threshold.
//   AlertPolicy         the objective alerts (`alerting:` with tiers). Each
//   + AlertCondition    burnrate condition is one tier: severity, long and
//                       short window = lookbackWindow (OpenSLO conditions
//                       have one window), factor = threshold; alertAfter is
//                       the policy's `for`.
//
// Thread-safe: the functions share no state.

#ifndef SLA_OPENSLO_H_
#define SLA_OPENSLO_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "sla/config.h"

namespace sla {

// What an OpenSLO SLI measured (its metric queries are not kept).
enum class OpenSloMetric {
  kRatioGoodTotal,  // ratioMetric good / total
  kRatioBadTotal,   // ratioMetric (total - bad) / total
  kRatioRaw,        // ratioMetric raw (a precomputed ratio)
  kThreshold,       // thresholdMetric compared with the objective's value
};
// "ratioMetric good/total", "ratioMetric bad/total", "ratioMetric raw",
// "thresholdMetric".
absl::string_view OpenSloMetricName(OpenSloMetric metric);

// The SLI of one converted objective. Value type.
struct OpenSloIndicator {
  // The slakit SLI: a probe-success series (service, name), the name being
  // the OpenSLO SLI's metadata.name (or the SLO's, see above).
  std::string name;
  OpenSloMetric metric = OpenSloMetric::kRatioGoodTotal;
  // metricSource.type (v1alpha: source) of the queries, "" when not given.
  std::string source_type;
  // kThreshold only: the objective's comparison of the metric with `value`
  // ("lt", "lte", "gt" or "gte"). slakit counts a result good when its probe
  // says ok: give the probe the matching latency_threshold.
  std::string op;
  double value = 0;
  // Where the SLI is defined: "file:line".
  std::string origin;
};

// Where one slakit objective came from. Value type.
struct OpenSloObjective {
  std::string service;    // the slakit service (the SLO's spec.service)
  std::string objective;  // the slakit objective's name
  std::string slo;        // the SLO's metadata.name
  int index = 0;          // the objective's position in spec.objectives
  // The objective's displayName, else the SLO's; may be empty.
  std::string display_name;
  std::string origin;  // "file:line" of the objective
  OpenSloIndicator indicator;
  // Names of the alert policies that gave its tiers (in the SLO's order)
  // and of their notification targets (not converted: slakit delivers
  // alerts to the configuration's alert_sinks).
  std::vector<std::string> alert_policies;
  std::vector<std::string> notification_targets;
};

// The result of a conversion. Value type.
struct OpenSloImport {
  // Services in order of first mention (a Service document or an SLO's
  // spec.service), each with its objectives in document order and their
  // rules; time zone UTC (calendar windows carry their own zone).
  Config config;
  // One per objective of `config`, in the same order (service by service).
  std::vector<OpenSloObjective> objectives;
  // What was converted inexactly or left out, one per line as
  // "source:line:column: Kind/name.field.path: what", in document order:
  // e.g. an unreferenced SLI, a calendar startTime that is not on a period
  // boundary, a rolling month read as 30 days.
  std::vector<std::string> warnings;
};

// One input file: its text and the name used in messages.
struct OpenSloFile {
  std::string source;  // e.g. the path
  std::string text;
};

// Converts OpenSLO YAML text. `source` names it in messages.
// InvalidArgument listing every problem as
// "source:line:column: Kind/name.field.path: what is wrong" (documents with
// an unknown apiVersion or kind, missing required fields, unknown keys,
// durations that break the spec's shorthand or mean something else than a
// calendar period (a calendar `1m` is a minute, not a month), good and bad
// both given, targets that are not ratios in (0, 1), references to SLIs,
// alert policies or conditions that do not exist, duplicate names).
absl::StatusOr<OpenSloImport> ParseOpenSlo(absl::string_view text,
                                           absl::string_view source);

// The same for several files converted together: references resolve
// across them, and names must be unique across them.
absl::StatusOr<OpenSloImport> ParseOpenSloFiles(
    absl::Span<const OpenSloFile> files);

// Reads the files and converts them together. NotFound naming the first
// file that cannot be read.
absl::StatusOr<OpenSloImport> LoadOpenSlo(absl::Span<const std::string> paths);

// The conversion as a slakit.yaml: `timezone`, then the services with their
// objectives (`slis`, target, window, budgeting, slice, alerting tiers),
// each objective preceded by comments naming its SLO, display name and SLI.
// sla::ParseConfig reads it back to the same objectives and rules.
// `sources` (e.g. the input paths) are named in the header comment.
std::string RenderSlakitYaml(const OpenSloImport& import,
                             absl::Span<const std::string> sources = {});

}  // namespace sla

#endif  // SLA_OPENSLO_H_
