// probes/csv_reader.h: reads probe results in the workload CSV format.
//
// Format (header required, one result per line, any order):
//
//   timestamp_ms,service,probe,ok,latency_ms
//   1704067200000,svc-000,p00,1,42.125
//
// timestamp_ms: integer milliseconds since the Unix epoch; service, probe:
// non-empty names; ok: 0 or 1; latency_ms: a finite number >= 0.
// Each distinct (service, probe) is one series, numbered in order of first
// appearance.
//
//   absl::StatusOr<sla::probes::ProbeTable> table =
//       sla::probes::ReadProbeCsv("workload.csv");
//   if (!table.ok()) { /* message names file:line and field */ }
//   for (const sla::ProbeResult& r : table->rows) {
//     // r.sli is an index into table->series
//   }
//
// A file is read whole or not at all: any malformed line makes the call fail
// (InvalidArgument, listing up to 10 bad lines with their numbers and the
// total count), and nothing is returned. Missing or unreadable files give
// NotFound / PermissionDenied / Internal with the path and the system error.
//
// Thread safety: the functions are thread-compatible and share no state.

#ifndef PROBES_CSV_READER_H_
#define PROBES_CSV_READER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sla/engine.h"

namespace sla {
namespace probes {

struct SeriesName {
  std::string service;
  std::string probe;
};

struct ProbeTable {
  std::vector<SeriesName> series;  // by series index
  // Results; ProbeResult::sli holds the series index, not an engine id.
  std::vector<ProbeResult> rows;
};

// Parses CSV text. `source` names the input in error messages.
absl::StatusOr<ProbeTable> ParseProbeCsv(absl::string_view text,
                                         absl::string_view source);

// Reads and parses a file (memory-mapped).
absl::StatusOr<ProbeTable> ReadProbeCsv(const std::string& path);

// Declares one probe-success SLI per series of `table` in `engine` (named
// service / probe, reusing ones already declared) and rewrites every row's
// series index into the engine's SliId. Returns the ids by series index.
absl::StatusOr<std::vector<SliId>> BindProbeTable(Engine& engine,
                                                  ProbeTable& table);

}  // namespace probes
}  // namespace sla

#endif  // PROBES_CSV_READER_H_
