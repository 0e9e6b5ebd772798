// probes/importer.h: reads a file of probe results in any of the formats
// slakit imports, chosen by name or by the file's extension.
//
//   csv    probes/csv_reader.h    .csv
//   jsonl  probes/jsonl_reader.h  .jsonl, .ndjson
//   prom   probes/prom_importer.h .prom, .txt (Prometheus text exposition)
//
//   absl::StatusOr<sla::probes::ImportFormat> format =
//       sla::probes::FormatFromPath("results.ndjson");  // kJsonl
//   if (!format.ok()) { /* unknown extension: ask for the format */ }
//   absl::StatusOr<sla::probes::ProbeTable> table =
//       sla::probes::ReadProbeFile("results.ndjson", *format, {});
//
// Every format is read whole or not at all (see each reader). Compressed
// files (.gz, .xz, or gzip / xz content) are not read: they are rejected
// with a message saying to decompress them first.
//
// Thread safety: the functions are thread-compatible and share no state.

#ifndef PROBES_IMPORTER_H_
#define PROBES_IMPORTER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "probes/csv_reader.h"
#include "probes/prom_importer.h"

namespace sla {
namespace probes {

enum class ImportFormat { kCsv, kJsonl, kPrometheus };

// "csv", "jsonl" or "prom".
absl::string_view FormatName(ImportFormat format);

// Inverse of FormatName; also accepts "ndjson" and "prometheus".
// InvalidArgument naming the accepted names otherwise.
absl::StatusOr<ImportFormat> FormatFromName(absl::string_view name);

// The format for `path`'s extension (case-insensitive; see the table
// above). InvalidArgument when the extension is unknown or the file is
// compressed (.gz, .xz, .bz2, .zst), saying what to do.
absl::StatusOr<ImportFormat> FormatFromPath(absl::string_view path);

// Reads `path` as `format`. `options` fill in what Prometheus samples lack;
// for CSV and JSON lines they must be left at their defaults
// (InvalidArgument otherwise, since those rows always say it themselves).
// InvalidArgument when the file starts like gzip or xz data. Other errors
// as the format's reader returns them.
absl::StatusOr<ProbeTable> ReadProbeFile(const std::string& path,
                                         ImportFormat format,
                                         const ImportOptions& options);

}  // namespace probes
}  // namespace sla

#endif  // PROBES_IMPORTER_H_
