// bindings/cli/data_loader.h: loads a probe CSV into a fresh engine for the
// commands that evaluate a file (eval, report), reads the durable store, and
// imports files of probe results into it (`slakit import`: CSV, JSON lines,
// Prometheus text; see probes/importer.h).
//
// Thread-compatible.

#ifndef BINDINGS_CLI_DATA_LOADER_H_
#define BINDINGS_CLI_DATA_LOADER_H_

#include <memory>
#include <optional>
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

// What a command reads from the durable store in `dir`.
struct StoreData {
  // A copy of the store's engine that the caller may extend (declare
  // objectives in) without touching the store.
  std::unique_ptr<Engine> engine;
  // The configuration text kept with the data (slakit import --config).
  std::optional<std::string> config_text;
};

// Opens the store in `dir` once (recovering it; see sla/storage/store.h) and
// reads both. NotFound when `dir` is not a directory.
absl::StatusOr<StoreData> LoadStore(const std::string& dir);

// `--data F.csv` or `--data-dir DIR`: exactly one of them.
absl::StatusOr<std::unique_ptr<Engine>> LoadEngine(const std::string& csv,
                                                   const std::string& dir);

struct ImportOptions {
  std::string data_dir;  // the store, created when missing
  std::string file;      // probe results ("" with a config only)
  // "csv", "jsonl" or "prom" (see probes/importer.h); "" = by the file's
  // extension (.csv; .jsonl, .ndjson; .prom, .txt).
  std::string format;
  // Prometheus text only (probes/prom_importer.h): the service, probe and
  // time (RFC 3339 or epoch milliseconds) of samples that lack them, as in
  // a raw blackbox_exporter scrape. "" = none.
  std::string service;
  std::string probe;
  std::string at;
  std::string config;    // slakit.yaml to keep in the store ("" = none)
  bool progress = true;  // progress lines on stderr for big files
};

// `slakit import`: appends the results of a file (CSV, JSON lines or
// Prometheus text) to the store. The file is parsed whole first (a
// malformed line imports nothing); each batch of 65,536 rows carries an id
// made of the format, the file's CRC-32 and size (and, for Prometheus
// text, the defaults given) and the batch number, so importing the same
// file again within the store's dedupe horizon (24 h, and the last 262,144
// batch ids) adds nothing. A
// snapshot is taken at the end. Returns the summary for stdout.
absl::StatusOr<std::string> RunImport(const ImportOptions& options);

}  // namespace cli
}  // namespace sla

#endif  // BINDINGS_CLI_DATA_LOADER_H_
