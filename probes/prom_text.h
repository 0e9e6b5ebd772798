// probes/prom_text.h: a parser for the Prometheus text exposition format
// (version 0.0.4), enough of it to read the samples of a /metrics page or of
// a saved scrape.
//
//   absl::StatusOr<std::vector<sla::probes::PromSample>> samples =
//       sla::probes::ParsePromText(
//           "# TYPE connected_devices gauge\n"
//           "connected_devices{hub=\"main\"} 42 1704067200000\n",
//           "http://hub:9100/metrics");
//   if (!samples.ok()) return samples.status();
//   // (*samples)[0]: name "connected_devices", labels {{"hub", "main"}},
//   // value 42, timestamp_ms 1704067200000, line 2.
//
// What is read, line by line ('\n' ends a line; a '\r' before it is
// dropped):
//   * empty lines and lines of blanks: skipped;
//   * `# HELP name text` and `# TYPE name type`: the name must be a valid
//     metric name and the type one of counter, gauge, histogram, summary,
//     untyped; nothing else is kept of them;
//   * any other line starting with '#': a comment, skipped;
//   * a sample: `name{label="value",...} value [timestamp]`, with blanks
//     (spaces, tabs) allowed between the parts. The braces may be omitted
//     or empty, and a trailing comma after the last label is allowed.
//     Metric names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names
//     [a-zA-Z_][a-zA-Z0-9_]*; a label name may not repeat within a sample.
//     Label values are in double quotes with the escapes \\ \" and \n
//     (any other escape is an error). The value is a decimal or exponent
//     float, or NaN, +Inf, -Inf (also Inf; case does not matter); the
//     optional timestamp is an integer count of milliseconds since the Unix
//     epoch.
// Samples are returned in the order of the text, exactly as written:
// nothing is sorted, deduplicated, or checked against its TYPE.
//
// Errors: the first malformed line makes the call fail with
// InvalidArgument "<source>:<line>: <what is wrong>", e.g.
// "metrics:3: label value of 'hub' is not in double quotes".
//
// Thread safety: ParsePromText is thread-safe (it has no state).

#ifndef PROBES_PROM_TEXT_H_
#define PROBES_PROM_TEXT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sla {
namespace probes {

// One sample line.
struct PromSample {
  std::string name;
  // In the order written; values unescaped.
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;  // may be NaN or +-infinity
  std::optional<int64_t> timestamp_ms;
  int line = 0;  // 1-based line number in the text
};

// The shortest form that reads back as `v` ("42", "0.1", "0.9999999",
// "1e+21"); NaN, +Inf, -Inf as the text format writes them. For messages
// that quote a sample's value.
std::string FormatPromValue(double v);

// Parses `text`. `source` names the text in error messages (a file name or
// a URL). Returns the samples in text order, or InvalidArgument naming
// source:line of the first malformed line.
absl::StatusOr<std::vector<PromSample>> ParsePromText(absl::string_view text,
                                                      absl::string_view source);

}  // namespace probes
}  // namespace sla

#endif  // PROBES_PROM_TEXT_H_
