#include "bindings/cli/data_loader.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "probes/csv_reader.h"

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

}  // namespace cli
}  // namespace sla
