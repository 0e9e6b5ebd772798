#include "bindings/cli/data_loader.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bindings/cli/files.h"
#include "probes/csv_reader.h"
#include "probes/importer.h"
#include "sla/config.h"
#include "sla/storage/store.h"
#include "sla/window.h"
#include "zlib.h"

namespace sla {
namespace cli {

absl::StatusOr<std::unique_ptr<Engine>> LoadCsvEngine(const std::string& path) {
  absl::StatusOr<probes::ProbeTable> table = probes::ReadProbeCsv(path);
  if (!table.ok()) return table.status();
  int64_t min_ms = INT64_MAX;
  int64_t max_ms = INT64_MIN;
  for (const ProbeResult& r : table->rows) {
    min_ms = std::min(min_ms, r.unix_ms);
    max_ms = std::max(max_ms, r.unix_ms);
  }
  // The engine keeps every minute between the oldest and the newest
  // result; a stray timestamp years away would make that huge.
  constexpr int64_t kMaxSpanMs = int64_t{400} * 86'400'000;
  if (!table->rows.empty() &&
      // max_ms >= min_ms, so the unsigned difference is exact.
      static_cast<uint64_t>(max_ms) - static_cast<uint64_t>(min_ms) >
          static_cast<uint64_t>(kMaxSpanMs)) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": the results span ", TimeToString(absl::FromUnixMillis(min_ms)),
        " to ", TimeToString(absl::FromUnixMillis(max_ms)),
        "; a file may span at most 400 days (is a timestamp in seconds or "
        "microseconds instead of milliseconds?)"));
  }
  EngineOptions options;
  const absl::Duration span = table->rows.empty()
                                  ? absl::ZeroDuration()
                                  : absl::Milliseconds(max_ms - min_ms);
  options.retention = std::max(
      options.retention, absl::Ceil(span, absl::Minutes(1)) + absl::Minutes(2));
  auto engine = std::make_unique<Engine>(options);
  if (absl::StatusOr<std::vector<SliId>> ids =
          probes::BindProbeTable(*engine, *table);
      !ids.ok()) {
    return ids.status();
  }
  constexpr size_t kBatch = 1 << 16;
  for (size_t i = 0; i < table->rows.size(); i += kBatch) {
    const size_t n = std::min(kBatch, table->rows.size() - i);
    absl::Status s =
        engine->Ingest(absl::MakeConstSpan(table->rows.data() + i, n));
    if (!s.ok()) {
      return absl::Status(
          s.code(), absl::StrCat(path, ": in the batch of data rows ", i + 1,
                                 " to ", i + n, ": ", s.message()));
    }
  }
  return engine;
}

absl::StatusOr<StoreData> LoadStore(const std::string& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::NotFoundError(
        absl::StrCat("--data-dir: '", dir, "' is not a directory"));
  }
  absl::StatusOr<std::unique_ptr<storage::Store>> store =
      storage::Store::Open(dir, storage::StoreOptions());
  if (!store.ok()) return store.status();
  StoreData data;
  absl::StatusOr<std::string> text = (*store)->LoadConfigText();
  if (text.ok()) {
    data.config_text = *std::move(text);
  } else if (!absl::IsNotFound(text.status())) {
    return text.status();
  }
  std::string state;
  (*store)->engine().EncodeState(&state);
  if (absl::Status s = (*store)->Close(); !s.ok()) return s;
  EngineOptions options;
  // Keep everything the store kept.
  options.retention = absl::Hours(24 * 400);
  data.engine = std::make_unique<Engine>(options);
  if (absl::Status s = data.engine->RestoreState(state); !s.ok()) return s;
  return data;
}

absl::StatusOr<std::unique_ptr<Engine>> LoadEngine(const std::string& csv,
                                                   const std::string& dir) {
  if (csv.empty() == dir.empty()) {
    return absl::InvalidArgumentError(
        "give exactly one of --data FILE.csv and --data-dir DIR");
  }
  if (!csv.empty()) return LoadCsvEngine(csv);
  absl::StatusOr<StoreData> store = LoadStore(dir);
  if (!store.ok()) return store.status();
  return std::move(store->engine);
}

absl::StatusOr<std::string> RunImport(const ImportOptions& options) {
  if (options.file.empty() && options.config.empty()) {
    return absl::InvalidArgumentError(
        "give a file to import (CSV, JSON lines or Prometheus text), "
        "--config to keep, or both");
  }
  if (options.file.empty() &&
      (!options.format.empty() || !options.service.empty() ||
       !options.probe.empty() || !options.at.empty())) {
    return absl::InvalidArgumentError(
        "--format, --service, --probe and --at describe a file to import; "
        "none was given");
  }
  // What the file is, before anything is written.
  probes::ImportFormat format = probes::ImportFormat::kCsv;
  probes::ImportOptions defaults;
  if (!options.file.empty()) {
    absl::StatusOr<probes::ImportFormat> f =
        options.format.empty() ? probes::FormatFromPath(options.file)
                               : probes::FormatFromName(options.format);
    if (!f.ok()) {
      return absl::Status(
          f.status().code(),
          options.format.empty()
              ? std::string(f.status().message())
              : absl::StrCat("--format: ", f.status().message()));
    }
    format = *f;
    defaults.service = options.service;
    defaults.probe = options.probe;
    if (!options.at.empty()) {
      absl::StatusOr<absl::Time> at = ParseTimestamp(options.at);
      if (!at.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--at: ", at.status().message()));
      }
      defaults.at = *at;
    }
    if (format != probes::ImportFormat::kPrometheus &&
        (!options.service.empty() || !options.probe.empty() ||
         !options.at.empty())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--service, --probe and --at apply to Prometheus text (--format "
          "prom) only; every ",
          probes::FormatName(format),
          " row names its own service, probe and time"));
    }
  }
  std::string config_text;
  if (!options.config.empty()) {
    // Only a valid configuration is kept.
    absl::StatusOr<Config> config = LoadConfig(options.config);
    if (!config.ok()) return config.status();
    std::ifstream config_in(options.config, std::ios::binary);
    config_text.assign(std::istreambuf_iterator<char>(config_in),
                       std::istreambuf_iterator<char>());
  }
  if (options.file.empty()) {
    if (absl::Status s = MakeDirectory(options.data_dir, "--data-dir");
        !s.ok()) {
      return s;
    }
    absl::StatusOr<std::unique_ptr<storage::Store>> store =
        storage::Store::Open(options.data_dir, storage::StoreOptions());
    if (!store.ok()) return store.status();
    if (absl::Status s = (*store)->SaveConfigText(config_text); !s.ok()) {
      return s;
    }
    if (absl::Status s = (*store)->Close(); !s.ok()) return s;
    return absl::StrCat("kept ", options.config, " in ", options.data_dir,
                        "\n");
  }
  // The file's identity: CRC-32 and size, read once.
  std::ifstream in(options.file, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot read '", options.file, "'"));
  }
  uLong crc = crc32(0L, Z_NULL, 0);
  uint64_t size = 0;
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const std::streamsize n = in.gcount();
    if (n <= 0) break;
    crc = crc32(crc, reinterpret_cast<const Bytef*>(buf.data()),
                static_cast<uInt>(n));
    size += static_cast<uint64_t>(n);
  }
  absl::StatusOr<probes::ProbeTable> table =
      probes::ReadProbeFile(options.file, format, defaults);
  if (!table.ok()) return table.status();
  // Batch ids: "csv:<crc>:<size>:<batch>" as before other formats existed,
  // so that a CSV imported by an older slakit is still recognised.
  std::string id_prefix =
      absl::StrFormat("%s:%08x:%d", probes::FormatName(format), crc, size);
  if (format == probes::ImportFormat::kPrometheus) {
    // The same scrape file imported with other defaults is other data.
    const std::string given = absl::StrCat(
        options.service, "\n", options.probe, "\n",
        defaults.at.has_value() ? absl::StrCat(absl::ToUnixMillis(*defaults.at))
                                : "");
    absl::StrAppendFormat(
        &id_prefix, ":%08x",
        crc32(0L, reinterpret_cast<const Bytef*>(given.data()),
              static_cast<uInt>(given.size())));
  }

  if (absl::Status s = MakeDirectory(options.data_dir, "--data-dir"); !s.ok()) {
    return s;
  }
  absl::StatusOr<std::unique_ptr<storage::Store>> store =
      storage::Store::Open(options.data_dir, storage::StoreOptions());
  if (!store.ok()) return store.status();
  constexpr size_t kBatch = 1 << 16;
  const size_t batches = (table->rows.size() + kBatch - 1) / kBatch;
  // Times and latencies first, batch by batch as they will be ingested, so
  // that a file refused for them declares no series in the store.
  for (size_t b = 0; b < batches; ++b) {
    const size_t from = b * kBatch;
    const size_t n = std::min(kBatch, table->rows.size() - from);
    if (absl::Status s = (*store)->engine().CheckProbeTimes(
            absl::MakeConstSpan(table->rows.data() + from, n));
        !s.ok()) {
      return absl::Status(
          s.code(),
          absl::StrCat(options.file, ": data rows ", from + 1, " to ", from + n,
                       ": ", s.message(), " (nothing was stored)"));
    }
  }
  std::vector<SliId> ids;
  for (const probes::SeriesName& s : table->series) {
    absl::StatusOr<SliId> id = (*store)->engine().FindSli(s.service, s.probe);
    if (!id.ok()) {
      SliSpec spec;
      spec.service = s.service;
      spec.name = s.probe;
      id = (*store)->AddSli(spec);
    }
    if (!id.ok()) return id.status();
    ids.push_back(*id);
  }
  for (ProbeResult& r : table->rows) r.sli = ids[r.sli];

  size_t added = 0;
  size_t duplicate = 0;
  for (size_t b = 0; b < batches; ++b) {
    const size_t from = b * kBatch;
    const size_t n = std::min(kBatch, table->rows.size() - from);
    const std::string id = absl::StrFormat("%s:%d", id_prefix, b);
    absl::StatusOr<storage::IngestAck> ack =
        (*store)->Ingest(id, absl::MakeConstSpan(table->rows.data() + from, n));
    if (!ack.ok()) {
      return absl::Status(
          ack.status().code(),
          absl::StrCat(options.file, ": data rows ", from + 1, " to ", from + n,
                       " (", b, " of ", batches,
                       " batches already stored): ", ack.status().message()));
    }
    (ack->duplicate ? duplicate : added) += n;
    if (options.progress && batches > 16 &&
        (b % 16 == 15 || b + 1 == batches)) {
      std::fprintf(stderr, "import: %zu of %zu results (%.0f%%)\n", from + n,
                   table->rows.size(),
                   100.0 * static_cast<double>(from + n) /
                       static_cast<double>(table->rows.size()));
    }
  }
  if (!config_text.empty()) {
    if (absl::Status s = (*store)->SaveConfigText(config_text); !s.ok()) {
      return s;
    }
  }
  if (absl::Status s = (*store)->Snapshot(); !s.ok()) return s;
  if (absl::Status s = (*store)->Close(); !s.ok()) return s;
  return absl::StrCat("imported ", options.file, " into ", options.data_dir,
                      ": ", added, " results added, ", duplicate,
                      " already there (same file), ", table->series.size(),
                      " series\n");
}

}  // namespace cli
}  // namespace sla
