// bindings/cli/files.h: the file operations the commands share.
//
// Thread-compatible.

#ifndef BINDINGS_CLI_FILES_H_
#define BINDINGS_CLI_FILES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sla {
namespace cli {

// Creates `dir` unless it exists. InvalidArgument naming `flag` (the
// command-line option the directory came from, e.g. "--out-dir") and the
// system error otherwise.
absl::Status MakeDirectory(const std::string& dir, absl::string_view flag);

// Writes `text` to `path` through `path`.tmp and a rename, so readers see
// the old file or the new one, never half of it. Errors name `flag` (may
// be empty) and the file; the temporary file is removed.
absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view text,
                                 absl::string_view flag);

}  // namespace cli
}  // namespace sla

#endif  // BINDINGS_CLI_FILES_H_
