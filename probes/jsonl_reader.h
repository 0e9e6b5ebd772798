// probes/jsonl_reader.h: reads probe results written as JSON lines (one JSON
// object per line; also called NDJSON), e.g. the output of
// `slakit probe --format json` without --once (one object per result as it
// comes; --once prints one JSON array instead), so it can be imported back.
//
//   {"timestamp_ms": 1704067200000, "service": "web", "probe": "home",
//    "ok": true, "latency_ms": 42.1}
//   {"service": "web", "probe": "home", "kind": "http",
//    "timestamp": "2024-01-01T00:00:30.000Z", "outcome": "timeout",
//    "latency_ms": 2000, "reason": "timed out after 2s"}
//
// (each object on one line). Fields:
//   timestamp_ms  integer milliseconds since the Unix epoch, or
//   timestamp     an RFC 3339 string with an offset ("Z" or "+01:00");
//                 fractional seconds are floored to the millisecond.
//                 Exactly one of the two.
//   service,      non-empty strings without control characters.
//   probe
//   ok            true, false, 0 or 1, or
//   outcome       "ok", "fail", "timeout" or "error" (probes/probe.h); only
//                 "ok" is good. Exactly one of the two.
//   latency_ms    optional: a finite number >= 0; absent or null means 0.
//   kind,         ignored: what `slakit probe --format json` adds (the
//   reason        checker kind, the explanation of a failure).
// Any other key is an error, so that a misspelt field ("latncy_ms") is not
// silently dropped. Blank lines are skipped; a UTF-8 byte order mark at the
// start of the file is allowed. Keys may appear in any order, each at most
// once. Values must be JSON strings, numbers, true, false or null (no
// nested objects or arrays). Each distinct (service, probe) is one series,
// numbered in order of first appearance, as in probes/csv_reader.h.
//
//   absl::StatusOr<sla::probes::ProbeTable> table =
//       sla::probes::ReadProbeJsonl("results.jsonl");
//   if (!table.ok()) {
//     // "2 malformed lines, nothing was read:\n"
//     // "results.jsonl:17: field 'ok': expected true, false, 0 or 1, got "
//     // "\"yes\"\n..."
//   }
//
// A file is read whole or not at all: any malformed line makes the call fail
// (InvalidArgument, listing up to 10 bad lines with their 1-based numbers,
// and the total count), and nothing is returned. Missing or unreadable files
// give NotFound / PermissionDenied / Internal with the path and the system
// error.
//
// Thread safety: the functions are thread-compatible and share no state.

#ifndef PROBES_JSONL_READER_H_
#define PROBES_JSONL_READER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "probes/csv_reader.h"

namespace sla {
namespace probes {

// Parses JSON-lines text. `source` names the input in error messages.
absl::StatusOr<ProbeTable> ParseProbeJsonl(absl::string_view text,
                                           absl::string_view source);

// Reads and parses a file (memory-mapped).
absl::StatusOr<ProbeTable> ReadProbeJsonl(const std::string& path);

}  // namespace probes
}  // namespace sla

#endif  // PROBES_JSONL_READER_H_
