// bindings/cli/report_command.h: `slakit report` (the monthly compliance
// report) and `slakit catalog list|show` (the provider SLA catalog).
//
//   slakit report --config slakit.yaml --data results.csv --month 2024-01
//                 --format md --out report.md
//   slakit catalog list
//   slakit catalog show azure/app-service
//
// Thread-compatible.

#ifndef BINDINGS_CLI_REPORT_COMMAND_H_
#define BINDINGS_CLI_REPORT_COMMAND_H_

#include <string>

#include "absl/status/statusor.h"

namespace sla {
namespace cli {

struct ReportOptions {
  std::string config;           // slakit.yaml
  std::string data;             // probe CSV
  std::string data_dir;         // or a store directory (slakit import)
  std::string month;            // YYYY-MM, in the config's time zone
  std::string format = "json";  // json | csv | md | html
  std::string out;              // file to write; "" = stdout
};

// Returns the text for stdout: the report, or a line naming the file
// written (atomically: a temporary file, then a rename).
absl::StatusOr<std::string> RunReport(const ReportOptions& options);

// `catalog list`: one line per entry, unconfirmed terms marked.
std::string RunCatalogList();
// `catalog show ID`: NotFound listing close ids.
absl::StatusOr<std::string> RunCatalogShow(const std::string& id);

}  // namespace cli
}  // namespace sla

#endif  // BINDINGS_CLI_REPORT_COMMAND_H_
