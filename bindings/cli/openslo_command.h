// bindings/cli/openslo_command.h: `slakit import-openslo` and `slakit check
// --openslo`, OpenSLO documents as a slakit.yaml (sla/openslo.h).
//
//   slakit import-openslo slos.yaml alerts.yaml > slakit.yaml
//   slakit import-openslo slos.yaml --out slakit.yaml
//   slakit check --openslo slos.yaml alerts.yaml
//
// The files are converted together (an SLO may refer to an SLI or an alert
// policy of another file). Problems make the command fail with every one of
// them, as "file:line:column: Kind/name.field.path: what"; what converts
// inexactly (a rolling month read as 30 days, a calendar startTime off the
// period boundary, an unused SLI...) is written to the warning stream, one
// "warning: ..." line each, and does not fail the command.
//
// Thread-compatible.

#ifndef BINDINGS_CLI_OPENSLO_COMMAND_H_
#define BINDINGS_CLI_OPENSLO_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace sla {
namespace cli {

struct ImportOpenSloOptions {
  std::vector<std::string> files;  // OpenSLO YAML files, at least one
  std::string out;                 // "" = standard output
};

// Converts the files; returns the slakit.yaml text for stdout, or, with
// `out`, writes it there (atomically) and returns a one-line summary.
// Warnings go to `warnings`. InvalidArgument listing every problem,
// NotFound for a file that cannot be read (exit 2); Internal if the
// converted text would not read back as a slakit.yaml (a bug).
absl::StatusOr<std::string> RunImportOpenSlo(
    const ImportOpenSloOptions& options, std::ostream& warnings);

// Validates the files as `import-openslo` would convert them; returns a
// one-line summary ("a.yaml, b.yaml: OK: ...") and writes warnings to
// `warnings`. The same errors as RunImportOpenSlo.
absl::StatusOr<std::string> RunCheckOpenSlo(
    const std::vector<std::string>& files, std::ostream& warnings);

}  // namespace cli
}  // namespace sla

#endif  // BINDINGS_CLI_OPENSLO_COMMAND_H_
