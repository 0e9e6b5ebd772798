#include "probes/importer.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "probes/internal/table_builder.h"
#include "probes/jsonl_reader.h"

namespace sla {
namespace probes {
namespace {

constexpr absl::string_view kKnownExtensions =
    ".csv, .jsonl, .ndjson, .prom or .txt";

// "gzip" or "xz" when `text` starts with that format's magic bytes.
absl::string_view CompressedKind(absl::string_view text) {
  if (absl::StartsWith(text, "\x1f\x8b")) return "gzip";
  if (absl::StartsWith(text, absl::string_view("\xfd"
                                               "7zXZ\0",
                                               6))) {
    return "xz";
  }
  return "";
}

}  // namespace

absl::string_view FormatName(ImportFormat format) {
  switch (format) {
    case ImportFormat::kCsv:
      return "csv";
    case ImportFormat::kJsonl:
      return "jsonl";
    case ImportFormat::kPrometheus:
      return "prom";
  }
  return "csv";
}

absl::StatusOr<ImportFormat> FormatFromName(absl::string_view name) {
  if (name == "csv") return ImportFormat::kCsv;
  if (name == "jsonl" || name == "ndjson") return ImportFormat::kJsonl;
  if (name == "prom" || name == "prometheus") return ImportFormat::kPrometheus;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown format '", name, "' (expected csv, jsonl or prom)"));
}

absl::StatusOr<ImportFormat> FormatFromPath(absl::string_view path) {
  const size_t slash = path.rfind('/');
  const absl::string_view base =
      slash == absl::string_view::npos ? path : path.substr(slash + 1);
  const size_t dot = base.rfind('.');
  const std::string ext = absl::AsciiStrToLower(
      dot == absl::string_view::npos || dot == 0 ? "" : base.substr(dot));
  if (ext == ".csv") return ImportFormat::kCsv;
  if (ext == ".jsonl" || ext == ".ndjson") return ImportFormat::kJsonl;
  if (ext == ".prom" || ext == ".txt") return ImportFormat::kPrometheus;
  if (ext == ".gz" || ext == ".xz" || ext == ".bz2" || ext == ".zst") {
    return absl::InvalidArgumentError(
        absl::StrCat("'", path, "' is compressed (", ext.substr(1),
                     "); decompress it first, e.g. `xz -dk` or `gunzip -k`: "
                     "files are read uncompressed"));
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "cannot tell the format of '", path, "' from its extension (",
      ext.empty() ? "none" : ext, "; known: ", kKnownExtensions,
      "); name the format (slakit import --format csv|jsonl|prom)"));
}

absl::StatusOr<ProbeTable> ReadProbeFile(const std::string& path,
                                         ImportFormat format,
                                         const ImportOptions& options) {
  if (format != ImportFormat::kPrometheus &&
      (!options.service.empty() || !options.probe.empty() ||
       options.at.has_value())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a default service, probe or time applies to Prometheus text only; "
        "every ",
        FormatName(format), " row names its own"));
  }
  absl::StatusOr<ProbeTable> table;
  absl::Status read =
      internal::WithFileContents(path, [&](absl::string_view text) {
        if (absl::string_view kind = CompressedKind(text); !kind.empty()) {
          table = absl::InvalidArgumentError(absl::StrCat(
              "'", path, "' holds ", kind,
              "-compressed data; decompress it first: files are read "
              "uncompressed"));
          return;
        }
        switch (format) {
          case ImportFormat::kCsv:
            table = ParseProbeCsv(text, path);
            return;
          case ImportFormat::kJsonl:
            table = ParseProbeJsonl(text, path);
            return;
          case ImportFormat::kPrometheus:
            table = ParseProbeProm(text, path, options);
            return;
        }
      });
  if (!read.ok()) return read;
  return table;
}

}  // namespace probes
}  // namespace sla
