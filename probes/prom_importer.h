// probes/prom_importer.h: reads probe results from Prometheus text
// exposition as Prometheus' blackbox_exporter writes it: a raw /probe scrape,
// or samples stored with labels and timestamps.
//
//   probe_success{service="web",probe="home"} 1 1704067200000
//   probe_duration_seconds{service="web",probe="home"} 0.0421 1704067200000
//
// Each probe_success sample is one result:
//   ok          its value, which must be 0 or 1;
//   time        its timestamp (milliseconds), else ImportOptions::at;
//   service     label "service", else "job", else ImportOptions::service;
//   probe       label "probe", else "instance", else "target", else
//               ImportOptions::probe (a label with an empty value counts as
//               absent, as in Prometheus);
//   latency_ms  1000 x the probe_duration_seconds sample with exactly the
//               same labels and timestamp, else 0.
// A probe_duration_seconds sample without such a probe_success is an error
// (the file's timestamps or labels do not line up), as is a second sample
// with the same name, labels and timestamp. Every other metric is ignored
// (blackbox writes many: probe_http_status_code, probe_dns_lookup_time_
// seconds, ...), but a file without any probe_success is an error: it is
// not blackbox output. Each distinct (service, probe) is one series,
// numbered in order of first appearance; rows keep the file's order.
//
//   // `curl -s 'localhost:9115/probe?target=example.com&module=http_2xx'`
//   // saved to scrape.prom at 2024-01-01T00:00:00Z:
//   sla::probes::ImportOptions options;
//   options.service = "web";
//   options.probe = "home";
//   options.at = absl::FromUnixMillis(1704067200000);
//   absl::StatusOr<sla::probes::ProbeTable> table =
//       sla::probes::ReadProbeProm("scrape.prom", options);
//
// A file is read whole or not at all: syntax errors (from ParsePromText,
// probes/prom_text.h) or any bad sample make the call fail with
// InvalidArgument; bad samples are listed (up to 10, with their line
// numbers, and the total count) as in probes/csv_reader.h. Missing or
// unreadable files give NotFound / PermissionDenied / Internal.
//
// Thread safety: the functions are thread-compatible and share no state.

#ifndef PROBES_PROM_IMPORTER_H_
#define PROBES_PROM_IMPORTER_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "probes/csv_reader.h"

namespace sla {
namespace probes {

// What to assume for samples that lack it. Only Prometheus text can lack
// these (CSV and JSON-lines rows always carry them).
struct ImportOptions {
  // Service of samples without a "service" or "job" label. Default "":
  // such a sample is an error.
  std::string service;
  // Probe of samples without a "probe", "instance" or "target" label.
  // Default "": such a sample is an error.
  std::string probe;
  // Time of samples without a timestamp (a raw scrape). Default none: such
  // a sample is an error naming its line. Floored to the millisecond.
  std::optional<absl::Time> at;
};

// Parses Prometheus text. `source` names the input in error messages.
absl::StatusOr<ProbeTable> ParseProbeProm(absl::string_view text,
                                          absl::string_view source,
                                          const ImportOptions& options);

// Reads and parses a file (memory-mapped).
absl::StatusOr<ProbeTable> ReadProbeProm(const std::string& path,
                                         const ImportOptions& options);

}  // namespace probes
}  // namespace sla

#endif  // PROBES_PROM_IMPORTER_H_
