// bindings/cli/demo_command.h: `slakit demo`, the main job: a sample IoT
// application built from Azure PaaS components, one month of simulated
// probe results, and its monthly compliance report.
//
// The month (January 2024, Europe/Paris) holds background flaps plus four
// scripted events: a provider outage of the SQL database, an application
// bug in the functions, a brownout of the IoT hub and a maintenance window
// of the database. The command writes to --out-dir (default ./slakit-demo):
//   slakit.yaml   the configuration (re-run `slakit report` with it)
//   results.csv   the probe results
//   report.json   the report for machines
//   report.html   the report for people (self-contained)
//   report.md     the report as Markdown
// and prints a summary: per service uptime and credit, per application the
// composite availability and who caused its downtime.
//
// The same seed gives the same files. Thread-compatible.

#ifndef BINDINGS_CLI_DEMO_COMMAND_H_
#define BINDINGS_CLI_DEMO_COMMAND_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace sla {
namespace cli {

struct DemoOptions {
  std::string out_dir = "slakit-demo";
  uint64_t seed = 42;
  std::string format = "table";  // table | json (the report JSON)
};

// Returns the text for stdout.
absl::StatusOr<std::string> RunDemo(const DemoOptions& options);

}  // namespace cli
}  // namespace sla

#endif  // BINDINGS_CLI_DEMO_COMMAND_H_
