// bindings/cli/demo_command.h: `slakit demo`, a sample PaaS application with
// 30 days of generated probe data, evaluated by the engine.
//
// The application (an online shop) is made of five PaaS components, each
// probed every minute by three probes. The data comes from the synthetic
// workload generator (probes/synthetic.h), so every run prints the same
// numbers for the same seed.
//
// Thread-compatible.

#ifndef BINDINGS_CLI_DEMO_COMMAND_H_
#define BINDINGS_CLI_DEMO_COMMAND_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace sla {
namespace cli {

struct DemoOptions {
  int days = 30;
  uint64_t seed = 42;
  std::string format = "table";  // table | json
};

// Returns the text for stdout.
absl::StatusOr<std::string> RunDemo(const DemoOptions& options);

}  // namespace cli
}  // namespace sla

#endif  // BINDINGS_CLI_DEMO_COMMAND_H_
