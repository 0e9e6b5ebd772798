// probes/metric_checker.h: a Checker that reads a Prometheus text
// endpoint and compares one sample with a value ("are at least 100 devices
// connected to the main hub?").
//
//   sla::MetricProbeConfig config;
//   config.url = "http://hub:9100/metrics";
//   config.name = "connected_devices";
//   config.labels = {{"hub", "main"}};
//   config.op = ">=";
//   config.value = 100;
//   absl::StatusOr<std::unique_ptr<sla::probes::Checker>> checker =
//       sla::probes::MakeMetricChecker(config, absl::Seconds(2));
//   if (!checker.ok()) return checker.status();
//   std::atomic<bool> cancel{false};
//   sla::probes::CheckResult r = (*checker)->Check(cancel);
//   // {kOk, 5ms, ""} or e.g.
//   // {kFail, 5ms, "connected_devices = 42, expected >= 100"}
//
// Each Check GETs config.url (as MakeHttpChecker would, with the same
// TLS options, no redirects, "Accept: text/plain"), reads at most 16 MiB
// of it, parses it with ParsePromText (probes/prom_text.h) and picks the
// samples called config.name whose labels include every (name, value) of
// config.labels (they may carry more). Exactly one must match.
//
// Outcomes and reasons:
//   the request fails                  as for MakeHttpChecker: "cancelled",
//                                      "timed out after 2s", "connection
//                                      refused", curl's message
//   status not 2xx                     kFail   "status 503 (expected 2xx)"
//   body over 16 MiB                   kError  "exposition larger than 16 MiB"
//   not valid text format              kError  "<url>:<line>: <what>"
//   no sample matches                  kFail   "no sample
//                                              connected_devices{hub=\"main\"}"
//   several samples match              kError  "2 samples match
//                                              connected_devices{hub=\"main\"},
//                                              add labels"
//   the comparison is false            kFail   "connected_devices = 42,
//                                              expected >= 100"
//   otherwise                          kOk     ""
// A page that cannot be parsed or a selector that is ambiguous is kError:
// the value cannot be known, whatever the target's state. A NaN sample
// satisfies no comparison, not even != ("connected_devices = NaN, expected
// != 0"). Values are written in the shortest form that reads back exactly
// ("0.1", "42", "+Inf").
//
// Thread safety: the Checker is thread-compatible (see probes/probe.h).

#ifndef PROBES_METRIC_CHECKER_H_
#define PROBES_METRIC_CHECKER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "probes/probe.h"
#include "sla/probe_config.h"

namespace sla {
namespace probes {

// Returns a checker for `config` whose checks give up after `timeout`.
// InvalidArgument (nothing is sent) when: the URL is not an absolute
// http:// or https:// URL; the name is not a metric name
// ([a-zA-Z_:][a-zA-Z0-9_:]*); a label name is not [a-zA-Z_][a-zA-Z0-9_]* or
// repeats; op is not one of >= > <= < == !=; the value is NaN; the timeout
// is not positive and finite. E.g. "metric: op '=>' is not one of >= > <= <
// == !=".
absl::StatusOr<std::unique_ptr<Checker>> MakeMetricChecker(
    const MetricProbeConfig& config, absl::Duration timeout);

}  // namespace probes
}  // namespace sla

#endif  // PROBES_METRIC_CHECKER_H_
