// bindings/cli/data_loader.h: loads a probe CSV into a fresh engine for the
// commands that evaluate a file (eval, report).
//
// Thread-compatible.

#ifndef BINDINGS_CLI_DATA_LOADER_H_
#define BINDINGS_CLI_DATA_LOADER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "sla/engine.h"

namespace sla {
namespace cli {

// Reads `path` (see probes/csv_reader.h) into a new engine whose retention
// spans the whole file (and at least the default 35 days), so no row is
// dropped as too old. Each (service, probe) becomes a probe-success SLI.
// Errors name the file and line (malformed CSV) or the batch (rejected
// results); nothing is loaded on error.
absl::StatusOr<std::unique_ptr<Engine>> LoadCsvEngine(const std::string& path);

}  // namespace cli
}  // namespace sla

#endif  // BINDINGS_CLI_DATA_LOADER_H_
