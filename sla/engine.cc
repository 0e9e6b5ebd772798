#include "sla/engine.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/optimization.h"
#include "absl/cleanup/cleanup.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "sla/internal/minute_series.h"

namespace sla {
namespace {

constexpr int64_t kMsPerMinute = 60'000;

inline int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

std::string SliKey(absl::string_view service, absl::string_view name) {
  return absl::StrCat(service, absl::string_view("\0", 1), name);
}

int64_t WholeMinutes(absl::Duration d) {
  return absl::IDivDuration(d, absl::Minutes(1), &d);
}

bool IsWholeMinutes(absl::Duration d) {
  return d > absl::ZeroDuration() && absl::Trunc(d, absl::Minutes(1)) == d;
}

// The minutes in d if it is a positive whole number of minutes, else 0: what
// IsWholeMinutes and WholeMinutes say, with integer arithmetic for any d
// under 200 years (Trunc and IDivDuration cost more than a query's sums).
int64_t PositiveWholeMinutes(absl::Duration d) {
  constexpr absl::Duration kFastLimit = absl::Hours(24 * 365 * 200);
  if (d > absl::ZeroDuration() && d < kFastLimit) {
    // ToInt64Minutes truncates; d is whole iff it converts back.
    const int64_t minutes = absl::ToInt64Minutes(d);
    return absl::Minutes(minutes) == d ? minutes : 0;
  }
  return IsWholeMinutes(d) ? WholeMinutes(d) : 0;
}

// PositiveWholeMinutes(windows[k]), remembering the last call's windows on
// this thread: a policy asks for the same windows of every objective.
class WindowMinutes {
 public:
  int64_t operator()(size_t k, absl::Duration d) {
    if (k >= kSize) return PositiveWholeMinutes(d);
    if (!known_[k] || windows_[k] != d) {
      windows_[k] = d;
      minutes_[k] = PositiveWholeMinutes(d);
      known_[k] = true;
    }
    return minutes_[k];
  }

 private:
  static constexpr size_t kSize = 16;
  absl::Duration windows_[kSize];
  int64_t minutes_[kSize] = {};
  bool known_[kSize] = {};
};

// a - b, clamped to the int64 range (b >= 0).
int64_t SubClamped(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_sub_overflow(a, b, &r) ? INT64_MIN : r;
}

}  // namespace

struct Engine::SliEntry {
  SliSpec spec;
};

struct Engine::ObjectiveEntry {
  ObjectiveSpec spec;
  Target target;
  Window window;
  std::vector<SliId> slis;
  int64_t slice_minutes;
  // slice_threshold as an exact fraction of 1e9.
  int64_t slice_threshold_ppb;
};

struct Engine::Shard {
  mutable absl::Mutex mu;
  // Series of SLI id (shard index + slot * shards), by slot.
  std::vector<internal::MinuteSeries> series ABSL_GUARDED_BY(mu);
};

Engine::Engine(EngineOptions options)
    : options_(std::move(options)),
      retention_minutes_(
          std::max<int64_t>(1, WholeMinutes(options_.retention))),
      newest_minute_(INT64_MIN) {
  int n = 1;
  while (n < options_.shards && n < 1024) n <<= 1;
  shards_.reserve(n);
  for (int i = 0; i < n; ++i) shards_.push_back(std::make_unique<Shard>());
  shard_mask_ = static_cast<uint32_t>(n - 1);
}

Engine::~Engine() = default;

Engine::Shard& Engine::ShardOf(SliId id) const {
  return *shards_[id & shard_mask_];
}

// ---------------------------------------------------------------- registry

absl::StatusOr<SliId> Engine::AddSli(const SliSpec& spec) {
  if (spec.service.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("SLI '", spec.name, "': service name is empty"));
  }
  if (spec.name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("SLI of service '", spec.service, "': name is empty"));
  }
  if (spec.kind == SliKind::kLatencyThreshold &&
      !(std::isfinite(spec.latency_threshold_ms) &&
        spec.latency_threshold_ms > 0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "SLI '", spec.service, "/", spec.name, "': latency threshold ",
        spec.latency_threshold_ms, " ms must be a positive number"));
  }
  absl::MutexLock lock(&registry_mu_);
  std::string key = SliKey(spec.service, spec.name);
  if (sli_by_key_.contains(key)) {
    return absl::AlreadyExistsError(absl::StrCat(
        "SLI '", spec.service, "/", spec.name, "' is already declared"));
  }
  const SliId id = static_cast<SliId>(slis_.size());
  slis_.push_back(std::make_unique<SliEntry>(SliEntry{spec}));
  sli_by_key_.emplace(std::move(key), id);
  Shard& shard = ShardOf(id);
  absl::MutexLock shard_lock(&shard.mu);
  const size_t slot = id / (shard_mask_ + 1);
  if (shard.series.size() <= slot) shard.series.resize(slot + 1);
  sli_count_.store(id + 1, std::memory_order_release);
  return id;
}

absl::StatusOr<SliId> Engine::FindSli(absl::string_view service,
                                      absl::string_view name) const {
  absl::ReaderMutexLock lock(&registry_mu_);
  auto it = sli_by_key_.find(SliKey(service, name));
  if (it == sli_by_key_.end()) {
    return absl::NotFoundError(
        absl::StrCat("SLI '", service, "/", name, "' is not declared"));
  }
  return it->second;
}

absl::StatusOr<SliSpec> Engine::GetSli(SliId id) const {
  absl::ReaderMutexLock lock(&registry_mu_);
  if (id >= slis_.size()) {
    return absl::NotFoundError(absl::StrCat("SLI id ", id, " is unknown"));
  }
  return slis_[id]->spec;
}

absl::StatusOr<std::vector<SliId>> Engine::ServiceSlis(
    absl::string_view service) const {
  std::vector<std::pair<std::string, SliId>> named;
  {
    absl::ReaderMutexLock lock(&registry_mu_);
    for (SliId id = 0; id < slis_.size(); ++id) {
      if (slis_[id]->spec.service == service) {
        named.emplace_back(slis_[id]->spec.name, id);
      }
    }
  }
  if (named.empty()) {
    return absl::NotFoundError(
        absl::StrCat("service '", service, "' has no SLIs"));
  }
  std::sort(named.begin(), named.end());
  std::vector<SliId> ids;
  ids.reserve(named.size());
  for (const auto& [name, id] : named) ids.push_back(id);
  return ids;
}

std::vector<std::string> Engine::Services() const {
  std::vector<std::string> names;
  {
    absl::ReaderMutexLock lock(&registry_mu_);
    for (const auto& e : slis_) names.push_back(e->spec.service);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

absl::StatusOr<std::vector<SliId>> Engine::ResolveObjectiveSlis(
    const ObjectiveSpec& spec) const {
  std::vector<SliId> ids;
  absl::ReaderMutexLock lock(&registry_mu_);
  if (spec.slis.empty()) {
    bool any = false;
    for (SliId id = 0; id < slis_.size(); ++id) {
      const SliSpec& s = slis_[id]->spec;
      if (s.service != spec.service) continue;
      any = true;
      if (s.kind == SliKind::kProbeSuccess) ids.push_back(id);
    }
    if (!any) {
      return absl::NotFoundError(absl::StrCat("objective '", spec.service, "/",
                                              spec.name, "': service '",
                                              spec.service, "' has no SLIs"));
    }
    if (ids.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "objective '", spec.service, "/", spec.name,
          "': the service has no probe-success SLIs; name the SLIs"));
    }
    return ids;
  }
  for (const std::string& name : spec.slis) {
    auto it = sli_by_key_.find(SliKey(spec.service, name));
    if (it == sli_by_key_.end()) {
      return absl::NotFoundError(absl::StrCat("objective '", spec.service, "/",
                                              spec.name, "': SLI '", name,
                                              "' is not declared"));
    }
    ids.push_back(it->second);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

absl::StatusOr<Engine::ObjectiveEntry> Engine::PrepareObjective(
    const ObjectiveSpec& spec) const {
  const std::string where =
      absl::StrCat("objective '", spec.service, "/", spec.name, "'");
  if (spec.name.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "objective of service '", spec.service, "': name is empty"));
  }
  absl::StatusOr<Target> target = Target::FromPercent(spec.target_percent);
  if (!target.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": ", target.status().message()));
  }
  absl::StatusOr<Window> window = Window::Parse(spec.window);
  if (!window.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": ", window.status().message()));
  }
  if (!IsWholeMinutes(spec.slice)) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": slice ", absl::FormatDuration(spec.slice),
                     " must be a positive whole number of minutes"));
  }
  if (!(spec.slice_threshold > 0 && spec.slice_threshold <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": slice threshold ",
                                                   spec.slice_threshold,
                                                   " is not in (0, 1]"));
  }
  absl::StatusOr<std::vector<SliId>> slis = ResolveObjectiveSlis(spec);
  if (!slis.ok()) return slis.status();
  // Timeslice methods count every slice of the window: keep that bounded.
  constexpr int64_t kMaxSlices = 10'000'000;
  if (spec.method != BudgetingMethod::kOccurrences && window->is_rolling() &&
      WholeMinutes(window->length()) / WholeMinutes(spec.slice) > kMaxSlices) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": window ", spec.window, " holds more than ",
                     kMaxSlices, " slices of ", DurationToString(spec.slice)));
  }
  return ObjectiveEntry{spec,
                        *target,
                        *window,
                        *std::move(slis),
                        WholeMinutes(spec.slice),
                        std::llround(spec.slice_threshold * 1e9)};
}

absl::StatusOr<ObjectiveId> Engine::AddObjective(const ObjectiveSpec& spec) {
  absl::StatusOr<ObjectiveEntry> entry = PrepareObjective(spec);
  if (!entry.ok()) return entry.status();
  const std::string where =
      absl::StrCat("objective '", spec.service, "/", spec.name, "'");
  absl::MutexLock lock(&registry_mu_);
  for (const auto& o : objectives_) {
    if (o->spec.service == spec.service && o->spec.name == spec.name) {
      return absl::AlreadyExistsError(
          absl::StrCat(where, " is already declared"));
    }
  }
  const ObjectiveId id = static_cast<ObjectiveId>(objectives_.size());
  objectives_.push_back(std::make_unique<ObjectiveEntry>(*std::move(entry)));
  if (id / kObjectiveChunk < kObjectiveChunks) {
    std::atomic<const ObjectiveEntry**>& slot =
        objective_chunks_[id / kObjectiveChunk];
    const ObjectiveEntry** chunk = slot.load(std::memory_order_relaxed);
    if (chunk == nullptr) {
      objective_chunk_store_.push_back(
          std::make_unique<const ObjectiveEntry*[]>(kObjectiveChunk));
      chunk = objective_chunk_store_.back().get();
      slot.store(chunk, std::memory_order_relaxed);
    }
    chunk[id % kObjectiveChunk] = objectives_.back().get();
  }
  objective_count_.store(id + 1, std::memory_order_release);
  return id;
}

const Engine::ObjectiveEntry* Engine::FindObjectiveEntry(ObjectiveId id) const {
  if (id < objective_count_.load(std::memory_order_acquire) &&
      id / kObjectiveChunk < kObjectiveChunks) {
    return objective_chunks_[id / kObjectiveChunk].load(
        std::memory_order_relaxed)[id % kObjectiveChunk];
  }
  absl::ReaderMutexLock lock(&registry_mu_);
  return id < objectives_.size() ? objectives_[id].get() : nullptr;
}

absl::StatusOr<ObjectiveSpec> Engine::GetObjective(ObjectiveId id) const {
  absl::ReaderMutexLock lock(&registry_mu_);
  if (id >= objectives_.size()) {
    return absl::NotFoundError(
        absl::StrCat("objective id ", id, " is unknown"));
  }
  return objectives_[id]->spec;
}

absl::StatusOr<Window> Engine::GetObjectiveWindow(ObjectiveId id) const {
  const ObjectiveEntry* entry = FindObjectiveEntry(id);
  if (entry == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("objective id ", id, " is unknown"));
  }
  return entry->window;
}

absl::StatusOr<ObjectiveId> Engine::FindObjective(
    absl::string_view service, absl::string_view name) const {
  absl::ReaderMutexLock lock(&registry_mu_);
  for (ObjectiveId id = 0; id < objectives_.size(); ++id) {
    const ObjectiveSpec& spec = objectives_[id]->spec;
    if (spec.service == service && spec.name == name) return id;
  }
  return absl::NotFoundError(
      absl::StrCat("objective '", service, "/", name, "' is not declared"));
}

// ------------------------------------------------------------------ ingest

absl::Time Engine::newest() const {
  absl::MutexLock lock(&newest_mu_);
  return newest_minute_ == INT64_MIN ? absl::InfinitePast()
                                     : MinuteStart(newest_minute_);
}

absl::Time Engine::retention_horizon() const {
  absl::MutexLock lock(&newest_mu_);
  return newest_minute_ == INT64_MIN
             ? absl::InfinitePast()
             : MinuteStart(newest_minute_ - retention_minutes_ + 1);
}

absl::Status Engine::CheckTime(int64_t unix_ms, absl::Time now_limit,
                               int64_t horizon_minute, size_t index) const {
  const absl::Time t = absl::FromUnixMillis(unix_ms);
  if (t > now_limit) {
    return absl::InvalidArgumentError(
        absl::StrCat("record ", index, ": field 'time' ", TimeToString(t),
                     " is in the future (now + tolerance is ",
                     TimeToString(now_limit), ")"));
  }
  if (FloorDiv(unix_ms, kMsPerMinute) < horizon_minute) {
    return absl::OutOfRangeError(absl::StrCat(
        "record ", index, ": field 'time' ", TimeToString(t),
        " is older than the retention horizon ",
        TimeToString(MinuteStart(horizon_minute)), " (retention ",
        DurationToString(options_.retention), " before the newest result)"));
  }
  return absl::OkStatus();
}

void Engine::AdvanceNewest(int64_t newest_minute) {
  int64_t previous;
  {
    absl::MutexLock lock(&newest_mu_);
    previous = newest_minute_;
    if (newest_minute <= previous) return;
    newest_minute_ = newest_minute;
  }
  // Once per hour of data: seal hours an hour behind the newest minute and
  // drop what left the retention.
  if (previous != INT64_MIN &&
      FloorDiv(previous, 60) == FloorDiv(newest_minute, 60)) {
    return;
  }
  const int64_t horizon = newest_minute - retention_minutes_ + 1;
  for (const auto& shard : shards_) {
    absl::MutexLock lock(&shard->mu);
    for (internal::MinuteSeries& s : shard->series) {
      s.DropBefore(horizon);
      s.Seal(newest_minute - 60);
    }
  }
}

namespace {

// The newest minute among records not from the future (those are rejected
// and must not move the retention horizon the others are checked against).
template <typename Record>
int64_t NewestAcceptableMinute(absl::Span<const Record> records,
                               int64_t limit_ms) {
  int64_t newest = INT64_MIN;
  for (const Record& r : records) {
    if (r.unix_ms <= limit_ms) {
      newest = std::max(newest, FloorDiv(r.unix_ms, kMsPerMinute));
    }
  }
  return newest;
}

}  // namespace

Engine::BatchBounds Engine::StartBatch(
    absl::FunctionRef<int64_t(int64_t)> newest_of_batch) const {
  BatchBounds b;
  b.now_limit = options_.clock->Now() + options_.future_tolerance;
  b.limit_ms = absl::ToUnixMillis(b.now_limit);
  b.batch_newest = newest_of_batch(b.limit_ms);
  absl::MutexLock lock(&newest_mu_);
  const int64_t newest = std::max(newest_minute_, b.batch_newest);
  b.horizon = newest == INT64_MIN ? INT64_MIN / kMsPerMinute
                                  : newest - retention_minutes_ + 1;
  // Saturated: a horizon before the first whole minute of int64
  // milliseconds (results near the int64 limit) has no millisecond value,
  // and every int64 time is then on or after it.
  b.horizon_ms = b.horizon < INT64_MIN / kMsPerMinute
                     ? INT64_MIN
                     : b.horizon * kMsPerMinute;
  return b;
}

inline bool Engine::ProbeValuesFit(const ProbeResult& r,
                                   const BatchBounds& bounds) {
  return std::isfinite(r.latency_ms) && r.latency_ms >= 0 &&
         r.unix_ms <= bounds.limit_ms && r.unix_ms >= bounds.horizon_ms;
}

absl::Status Engine::CheckProbeValues(const ProbeResult& r, size_t index,
                                      const BatchBounds& bounds,
                                      const SliSpec* spec) const {
  if (!std::isfinite(r.latency_ms) || r.latency_ms < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "record ", index, ": field 'latency_ms'",
        spec == nullptr
            ? ""
            : absl::StrCat(" of SLI '", spec->service, "/", spec->name, "'"),
        " is ", r.latency_ms, "; it must be a finite number >= 0"));
  }
  if (r.unix_ms > bounds.limit_ms || r.unix_ms < bounds.horizon_ms) {
    return CheckTime(r.unix_ms, bounds.now_limit, bounds.horizon, index);
  }
  return absl::OkStatus();
}

absl::Status Engine::ValidateProbes(absl::Span<const ProbeResult> results,
                                    const BatchBounds& bounds,
                                    std::vector<uint8_t>* good) const {
  good->assign(results.size(), 0);
  absl::ReaderMutexLock lock(&registry_mu_);
  for (size_t i = 0; i < results.size(); ++i) {
    const ProbeResult& r = results[i];
    if (r.sli >= slis_.size()) {
      return absl::NotFoundError(absl::StrCat(
          "record ", i, ": field 'sli': id ", r.sli, " is not declared"));
    }
    const SliSpec& spec = slis_[r.sli]->spec;
    if (spec.kind == SliKind::kEventRatio) {
      return absl::InvalidArgumentError(absl::StrCat(
          "record ", i, ": SLI '", spec.service, "/", spec.name,
          "' is an event-ratio SLI; send event counts, not probe results"));
    }
    if (ABSL_PREDICT_FALSE(!ProbeValuesFit(r, bounds))) {
      absl::Status s = CheckProbeValues(r, i, bounds, &spec);
      if (!s.ok()) return s;
    }
    (*good)[i] = r.ok && (spec.kind == SliKind::kProbeSuccess ||
                          r.latency_ms <= spec.latency_threshold_ms);
  }
  return absl::OkStatus();
}

absl::Status Engine::CheckIngest(absl::Span<const ProbeResult> results) const {
  if (results.empty()) return absl::OkStatus();
  const BatchBounds bounds = StartBatch([&](int64_t limit_ms) {
    return NewestAcceptableMinute(results, limit_ms);
  });
  std::vector<uint8_t> good;
  return ValidateProbes(results, bounds, &good);
}

absl::Status Engine::CheckProbeTimes(
    absl::Span<const ProbeResult> results) const {
  if (results.empty()) return absl::OkStatus();
  const BatchBounds bounds = StartBatch([&](int64_t limit_ms) {
    return NewestAcceptableMinute(results, limit_ms);
  });
  for (size_t i = 0; i < results.size(); ++i) {
    if (!ProbeValuesFit(results[i], bounds)) {
      absl::Status s = CheckProbeValues(results[i], i, bounds, nullptr);
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::Status Engine::Ingest(absl::Span<const ProbeResult> results) {
  if (results.empty()) return absl::OkStatus();
  const BatchBounds bounds = StartBatch([&](int64_t limit_ms) {
    return NewestAcceptableMinute(results, limit_ms);
  });
  // Validate everything before touching any series: all or nothing.
  std::vector<uint8_t> good;
  if (absl::Status s = ValidateProbes(results, bounds, &good); !s.ok()) {
    return s;
  }
  // Apply, shard by shard (a counting sort of the records by shard). A probe
  // batch cannot fail past validation, so this is still all or nothing; a
  // concurrent reader may see part of it, as it may see part of two batches.
  const size_t nshards = shards_.size();
  const uint32_t bits = static_cast<uint32_t>(__builtin_ctz(nshards));
  if (nshards == 1) {
    Shard& shard = *shards_[0];
    absl::MutexLock lock(&shard.mu);
    for (size_t i = 0; i < results.size(); ++i) {
      shard.series[results[i].sli].Add(
          FloorDiv(results[i].unix_ms, kMsPerMinute), good[i], 1);
    }
  } else {
    std::vector<uint32_t> start(nshards + 1, 0);
    for (const ProbeResult& r : results) ++start[(r.sli & shard_mask_) + 1];
    for (size_t sh = 0; sh < nshards; ++sh) start[sh + 1] += start[sh];
    std::vector<uint32_t> order(results.size());
    std::vector<uint32_t> next(start.begin(), start.end() - 1);
    for (size_t i = 0; i < results.size(); ++i) {
      order[next[results[i].sli & shard_mask_]++] = static_cast<uint32_t>(i);
    }
    for (size_t sh = 0; sh < nshards; ++sh) {
      if (start[sh] == start[sh + 1]) continue;
      Shard& shard = *shards_[sh];
      absl::MutexLock lock(&shard.mu);
      for (uint32_t k = start[sh]; k < start[sh + 1]; ++k) {
        const ProbeResult& r = results[order[k]];
        shard.series[r.sli >> bits].Add(FloorDiv(r.unix_ms, kMsPerMinute),
                                        good[order[k]], 1);
      }
    }
  }
  AdvanceNewest(bounds.batch_newest);
  return absl::OkStatus();
}

absl::Status Engine::IngestEvents(absl::Span<const EventCount> events) {
  if (events.empty()) return absl::OkStatus();
  const BatchBounds bounds = StartBatch([&](int64_t limit_ms) {
    return NewestAcceptableMinute(events, limit_ms);
  });
  {
    absl::ReaderMutexLock lock(&registry_mu_);
    for (size_t i = 0; i < events.size(); ++i) {
      const EventCount& e = events[i];
      if (e.sli >= slis_.size()) {
        return absl::NotFoundError(absl::StrCat(
            "record ", i, ": field 'sli': id ", e.sli, " is not declared"));
      }
      const SliSpec& spec = slis_[e.sli]->spec;
      const std::string where = absl::StrCat(
          "record ", i, " (SLI '", spec.service, "/", spec.name, "')");
      if (spec.kind != SliKind::kEventRatio) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ": not an event-ratio SLI; send probe results"));
      }
      if (e.total < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": field 'total' is negative (", e.total, ")"));
      }
      if (e.good < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": field 'good' is negative (", e.good, ")"));
      }
      if (e.good > e.total) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": field 'good' (", e.good,
                         ") is greater than field 'total' (", e.total, ")"));
      }
      if (ABSL_PREDICT_FALSE(e.unix_ms > bounds.limit_ms ||
                             e.unix_ms < bounds.horizon_ms)) {
        absl::Status s =
            CheckTime(e.unix_ms, bounds.now_limit, bounds.horizon, i);
        if (!s.ok()) return s;
      }
    }
  }
  // Counts can be large: check every minute's headroom, with the batch's own
  // additions, while holding all shards, then apply.
  for (const auto& shard : shards_) shard->mu.Lock();
  auto unlock_all = absl::MakeCleanup([this]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    for (const auto& shard : shards_) shard->mu.Unlock();
  });
  const uint32_t bits = static_cast<uint32_t>(__builtin_ctz(shards_.size()));
  absl::flat_hash_map<std::pair<SliId, int64_t>, uint64_t> added;
  for (size_t i = 0; i < events.size(); ++i) {
    const EventCount& e = events[i];
    const int64_t minute = FloorDiv(e.unix_ms, kMsPerMinute);
    uint64_t& sum = added[{e.sli, minute}];
    sum += static_cast<uint64_t>(e.total);
    Shard& shard = ShardOf(e.sli);
    shard.mu.AssertHeld();
    if (sum > shard.series[e.sli >> bits].Headroom(minute)) {
      return absl::InvalidArgumentError(
          absl::StrCat("record ", i, ": field 'total': the minute ",
                       TimeToString(MinuteStart(minute)), " of SLI id ", e.sli,
                       " would hold more than ",
                       internal::MinuteSeries::kMaxMinuteCount, " events"));
    }
  }
  for (const EventCount& e : events) {
    Shard& shard = ShardOf(e.sli);
    shard.mu.AssertHeld();
    shard.series[e.sli >> bits].Add(FloorDiv(e.unix_ms, kMsPerMinute),
                                    static_cast<uint32_t>(e.good),
                                    static_cast<uint32_t>(e.total));
  }
  std::move(unlock_all).Invoke();
  AdvanceNewest(bounds.batch_newest);
  return absl::OkStatus();
}

// ----------------------------------------------------------------- queries

absl::Status Engine::CheckSliIds(absl::Span<const SliId> slis) const {
  const uint32_t n = sli_count_.load(std::memory_order_acquire);
  for (SliId id : slis) {
    if (id >= n) {
      return absl::NotFoundError(absl::StrCat("SLI id ", id, " is unknown"));
    }
  }
  return absl::OkStatus();
}

void Engine::SumRanges(absl::Span<const SliId> slis,
                       absl::Span<const std::pair<int64_t, int64_t>> ranges,
                       Counts* out) const {
  const size_t n = ranges.size();
  constexpr size_t kInlineRanges = 16;
  internal::MinuteCounts inline_sums[kInlineRanges];
  std::vector<internal::MinuteCounts> heap_sums;
  internal::MinuteCounts* sums = inline_sums;
  if (n > kInlineRanges) {
    heap_sums.resize(n);
    sums = heap_sums.data();
  }
  const uint32_t bits = static_cast<uint32_t>(__builtin_ctz(shards_.size()));
  for (SliId id : slis) {
    Shard& shard = ShardOf(id);
    absl::ReaderMutexLock lock(&shard.mu);
    shard.series[id >> bits].AddSums(ranges.data(), n, sums);
  }
  for (size_t k = 0; k < n; ++k) {
    out[k] = Counts{static_cast<int64_t>(sums[k].good),
                    static_cast<int64_t>(sums[k].total)};
  }
}

Counts Engine::SumMinutes(absl::Span<const SliId> slis, int64_t from_minute,
                          int64_t to_minute) const {
  Counts c;
  const std::pair<int64_t, int64_t> range(from_minute, to_minute);
  SumRanges(slis, absl::MakeConstSpan(&range, 1), &c);
  return c;
}

absl::StatusOr<Counts> Engine::Query(SliId sli,
                                     const Interval& interval) const {
  return QuerySum(absl::MakeConstSpan(&sli, 1), interval);
}

absl::StatusOr<Counts> Engine::QuerySum(absl::Span<const SliId> slis,
                                        const Interval& interval) const {
  if (absl::Status s = CheckSliIds(slis); !s.ok()) return s;
  return SumMinutes(slis, MinuteOf(interval.from), MinuteOf(interval.to));
}

absl::StatusOr<std::vector<Counts>> Engine::QueryRange(
    absl::Span<const SliId> slis, absl::Time from, absl::Duration step,
    int n) const {
  const int64_t k = PositiveWholeMinutes(step);
  if (k == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("step ", absl::FormatDuration(step),
                     " must be a positive whole number of minutes"));
  }
  if (n < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("step count ", n, " is negative"));
  }
  if (absl::Status s = CheckSliIds(slis); !s.ok()) return s;
  const int64_t start = MinuteOf(from);
  std::vector<std::pair<int64_t, int64_t>> ranges;
  ranges.reserve(n);
  for (int i = 0; i < n; ++i) {
    ranges.emplace_back(start + i * k, start + (i + 1) * k);
  }
  std::vector<Counts> out(static_cast<size_t>(n));
  SumRanges(slis, ranges, out.data());
  return out;
}

void Engine::SliceCounts(absl::Span<const SliId> slis, int64_t from_minute,
                         int64_t to_minute, const ObjectiveSpec& spec,
                         int64_t* good_slices, int64_t* slices,
                         double* ratio_sum) const {
  *good_slices = 0;
  *slices = 0;
  *ratio_sum = 0;
  if (from_minute >= to_minute) return;
  const int64_t k = WholeMinutes(spec.slice);
  const int64_t n = (to_minute - from_minute + k - 1) / k;
  std::vector<internal::MinuteCounts> per_slice(static_cast<size_t>(n));
  const uint32_t bits = static_cast<uint32_t>(__builtin_ctz(shards_.size()));
  for (SliId id : slis) {
    Shard& shard = ShardOf(id);
    absl::ReaderMutexLock lock(&shard.mu);
    shard.series[id >> bits].ForEachMinute(
        from_minute, to_minute,
        [&](int64_t minute, uint64_t good, uint64_t total) {
          internal::MinuteCounts& c =
              per_slice[static_cast<size_t>((minute - from_minute) / k)];
          c.good += good;
          c.total += total;
        });
  }
  const absl::int128 threshold_ppb = std::llround(spec.slice_threshold * 1e9);
  for (const internal::MinuteCounts& c : per_slice) {
    if (c.total == 0) continue;  // no data: the slice is left out
    ++*slices;
    if (absl::int128(c.good) * 1'000'000'000 >=
        absl::int128(c.total) * threshold_ppb) {
      ++*good_slices;
    }
    *ratio_sum += static_cast<double>(c.good) / static_cast<double>(c.total);
  }
}

namespace {

// Budget numbers from a sum of slice ratios (RatioTimeslices).
BudgetNumbers RatioBudget(int64_t slices, double ratio_sum,
                          const Target& target) {
  BudgetNumbers b;
  b.total = slices;
  if (slices == 0) return b;
  b.availability = ratio_sum / static_cast<double>(slices);
  const double slack = target.budget_fraction();
  b.allowed_bad = slack * static_cast<double>(slices);
  b.consumed = (1.0 - b.availability) / slack;
  b.remaining = 1.0 - b.consumed;
  return b;
}

}  // namespace

absl::StatusOr<ObjectiveStatus> Engine::Evaluate(ObjectiveId id,
                                                 absl::Time at) const {
  const ObjectiveEntry* entry = FindObjectiveEntry(id);
  if (entry == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("objective id ", id, " is unknown"));
  }
  ObjectiveStatus st = EvaluateEntry(*entry, at);
  st.id = id;
  return st;
}

absl::StatusOr<ObjectiveStatus> Engine::EvaluateSpec(const ObjectiveSpec& spec,
                                                     absl::Time at) const {
  absl::StatusOr<ObjectiveEntry> entry = PrepareObjective(spec);
  if (!entry.ok()) return entry.status();
  return EvaluateEntry(*entry, at);
}

ObjectiveStatus Engine::EvaluateEntry(const ObjectiveEntry& entry,
                                      absl::Time at) const {
  ObjectiveStatus st;
  st.window = entry.window.ResolveAsOf(at);
  st.method = entry.spec.method;
  const int64_t from = MinuteOf(st.window.from);
  const int64_t to = MinuteOf(st.window.to);
  switch (entry.spec.method) {
    case BudgetingMethod::kOccurrences:
      st.budget = ComputeBudget(SumMinutes(entry.slis, from, to), entry.target);
      break;
    case BudgetingMethod::kTimeslices:
    case BudgetingMethod::kRatioTimeslices: {
      int64_t good_slices, slices;
      double ratio_sum;
      SliceCounts(entry.slis, from, to, entry.spec, &good_slices, &slices,
                  &ratio_sum);
      st.budget = entry.spec.method == BudgetingMethod::kTimeslices
                      ? ComputeBudget(Counts{good_slices, slices}, entry.target)
                      : RatioBudget(slices, ratio_sum, entry.target);
      break;
    }
  }
  return st;
}

absl::StatusOr<BurnRates> Engine::BurnRatesAt(
    ObjectiveId id, absl::Time at,
    absl::Span<const absl::Duration> windows) const {
  const ObjectiveEntry* entry = FindObjectiveEntry(id);
  if (entry == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("objective id ", id, " is unknown"));
  }
  return BurnRatesOfEntry(*entry, at, windows);
}

absl::StatusOr<BurnRates> Engine::BurnRatesOfSpec(
    const ObjectiveSpec& spec, absl::Time at,
    absl::Span<const absl::Duration> windows) const {
  absl::StatusOr<ObjectiveEntry> entry = PrepareObjective(spec);
  if (!entry.ok()) return entry.status();
  return BurnRatesOfEntry(*entry, at, windows);
}

absl::StatusOr<BurnRates> Engine::BurnRatesOfEntry(
    const ObjectiveEntry& entry, absl::Time at,
    absl::Span<const absl::Duration> windows) const {
  const size_t n = windows.size();
  // [at - w, at) in minutes, on the stack for the usual handful of windows.
  constexpr size_t kInlineWindows = 16;
  std::pair<int64_t, int64_t> inline_ranges[kInlineWindows];
  std::vector<std::pair<int64_t, int64_t>> heap_ranges;
  std::pair<int64_t, int64_t>* ranges = inline_ranges;
  if (n > kInlineWindows) {
    heap_ranges.resize(n);
    ranges = heap_ranges.data();
  }
  const int64_t to = MinuteOf(at);
  thread_local WindowMinutes window_minutes;
  for (size_t k = 0; k < n; ++k) {
    const int64_t minutes = window_minutes(k, windows[k]);
    if (minutes == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("burn-rate window ", absl::FormatDuration(windows[k]),
                       " must be a positive whole number of minutes"));
    }
    ranges[k] = {SubClamped(to, minutes), to};
  }
  BurnRates out;
  out.rates.resize(n);
  out.counts.resize(n);
  if (entry.spec.method == BudgetingMethod::kOccurrences) {
    SumRanges(entry.slis, absl::MakeConstSpan(ranges, n), out.counts.data());
    for (size_t k = 0; k < n; ++k) {
      out.rates[k] = BurnRate(out.counts[k], entry.target);
    }
    return out;
  }
  for (size_t k = 0; k < n; ++k) {
    Counts c;
    double ratio_sum;
    SliceCounts(entry.slis, ranges[k].first, to, entry.spec, &c.good, &c.total,
                &ratio_sum);
    out.rates[k] = entry.spec.method == BudgetingMethod::kTimeslices
                       ? BurnRate(c, entry.target)
                       : RatioBudget(c.total, ratio_sum, entry.target).consumed;
    out.counts[k] = c;
  }
  return out;
}

size_t Engine::MemoryUsage() const {
  size_t bytes = 0;
  for (const auto& shard : shards_) {
    absl::ReaderMutexLock lock(&shard->mu);
    for (const internal::MinuteSeries& s : shard->series) {
      bytes += s.MemoryUsage();
    }
  }
  return bytes;
}

}  // namespace sla

// ------------------------------------------------------------------ state
//
// EncodeState layout (all integers LEB128 varints; signed ones zigzag;
// doubles as 8 little-endian bytes; strings as a varint length + bytes):
//   "SLAKENG1" version(=1) has_newest newest_minute(signed)
//   n_slis, per SLI: service name kind threshold_ms(double)
//   n_objectives, per objective: service name n_slis slis... target(double)
//     window method slice_minutes slice_threshold(double) alerting
//   per SLI, in id order: n_runs, per run: start(signed, delta from the end
//     of the previous run, absolute for the first) length good total
// A run is a stretch of consecutive minutes with the same (good, total).

namespace sla {
namespace {

constexpr absl::string_view kStateMagic = "SLAKENG1";
constexpr uint64_t kStateVersion = 1;

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
void PutSigned(std::string* out, int64_t v) {
  PutVarint(out,
            (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}
void PutString(std::string* out, absl::string_view s) {
  PutVarint(out, s.size());
  out->append(s.data(), s.size());
}
void PutDouble(std::string* out, double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof(bits));
  for (int i = 0; i < 8; ++i)
    out->push_back(static_cast<char>(bits >> (8 * i)));
}

// Reads the encoding; the first failure sticks and names the offset.
class StateReader {
 public:
  explicit StateReader(absl::string_view in) : in_(in) {}
  bool ok() const { return error_.empty(); }
  absl::Status status() const {
    return ok() ? absl::OkStatus()
                : absl::DataLossError(absl::StrCat("engine state: ", error_,
                                                   " at byte ", error_at_));
  }
  void Fail(absl::string_view what) {
    if (ok()) {
      error_ = std::string(what);
      error_at_ = pos_;
    }
  }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64 && ok(); shift += 7) {
      if (pos_ >= in_.size()) {
        Fail("truncated number");
        return 0;
      }
      const uint8_t b = static_cast<uint8_t>(in_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return v;
    }
    Fail("number too long");
    return 0;
  }
  int64_t Signed() {
    const uint64_t z = Varint();
    return static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  std::string String() {
    const uint64_t n = Varint();
    if (!ok() || n > in_.size() - pos_) {
      Fail("truncated string");
      return "";
    }
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  double Double() {
    if (in_.size() - pos_ < 8) {
      Fail("truncated number");
      return 0;
    }
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) {
      bits |= static_cast<uint64_t>(static_cast<uint8_t>(in_[pos_ + i]))
              << (8 * i);
    }
    pos_ += 8;
    double d;
    std::memcpy(&d, &bits, sizeof(d));
    return d;
  }
  bool Expect(absl::string_view magic) {
    if (in_.substr(pos_, magic.size()) != magic) {
      Fail("not an engine state (bad magic)");
      return false;
    }
    pos_ += magic.size();
    return true;
  }
  bool at_end() const { return pos_ == in_.size(); }

 private:
  absl::string_view in_;
  size_t pos_ = 0;
  std::string error_;
  size_t error_at_ = 0;
};

struct Run {
  int64_t start;
  uint64_t length;
  uint64_t good;
  uint64_t total;
};

}  // namespace

void Engine::EncodeState(std::string* out) const {
  out->append(kStateMagic.data(), kStateMagic.size());
  PutVarint(out, kStateVersion);
  {
    absl::MutexLock lock(&newest_mu_);
    PutVarint(out, newest_minute_ != INT64_MIN);
    PutSigned(out, newest_minute_ == INT64_MIN ? 0 : newest_minute_);
  }
  std::vector<SliSpec> slis;
  std::vector<ObjectiveSpec> objectives;
  {
    absl::ReaderMutexLock lock(&registry_mu_);
    for (const auto& e : slis_) slis.push_back(e->spec);
    for (const auto& o : objectives_) objectives.push_back(o->spec);
  }
  PutVarint(out, slis.size());
  for (const SliSpec& s : slis) {
    PutString(out, s.service);
    PutString(out, s.name);
    PutVarint(out, static_cast<uint64_t>(s.kind));
    PutDouble(out, s.latency_threshold_ms);
  }
  PutVarint(out, objectives.size());
  for (const ObjectiveSpec& o : objectives) {
    PutString(out, o.service);
    PutString(out, o.name);
    PutVarint(out, o.slis.size());
    for (const std::string& n : o.slis) PutString(out, n);
    PutDouble(out, o.target_percent);
    PutString(out, o.window);
    PutVarint(out, static_cast<uint64_t>(o.method));
    PutVarint(out, static_cast<uint64_t>(WholeMinutes(o.slice)));
    PutDouble(out, o.slice_threshold);
    PutVarint(out, o.alerting);
  }
  const uint32_t bits = static_cast<uint32_t>(__builtin_ctz(shards_.size()));
  std::vector<Run> runs;
  for (SliId id = 0; id < slis.size(); ++id) {
    runs.clear();
    {
      Shard& shard = ShardOf(id);
      absl::ReaderMutexLock lock(&shard.mu);
      shard.series[id >> bits].ForEachMinute(
          INT64_MIN / 2, INT64_MAX / 2,
          [&runs](int64_t minute, uint64_t good, uint64_t total) {
            if (!runs.empty()) {
              Run& r = runs.back();
              if (r.start + static_cast<int64_t>(r.length) == minute &&
                  r.good == good && r.total == total) {
                ++r.length;
                return;
              }
            }
            runs.push_back(Run{minute, 1, good, total});
          });
    }
    PutVarint(out, runs.size());
    int64_t prev_end = 0;
    for (const Run& r : runs) {
      PutSigned(out, r.start - prev_end);
      PutVarint(out, r.length);
      PutVarint(out, r.good);
      PutVarint(out, r.total);
      prev_end = r.start + static_cast<int64_t>(r.length);
    }
  }
}

absl::Status Engine::RestoreState(absl::string_view encoded) {
  if (sli_count_.load(std::memory_order_acquire) != 0) {
    return absl::FailedPreconditionError(
        "engine state can only be restored into an engine without SLIs");
  }
  // Decode everything first: a corrupt encoding leaves the engine as it is.
  StateReader in(encoded);
  in.Expect(kStateMagic);
  if (in.ok() && in.Varint() != kStateVersion) in.Fail("unknown version");
  const bool has_newest = in.Varint() != 0;
  const int64_t newest = in.Signed();
  // Counts are checked against the input's size before anything is
  // allocated: every element takes at least one byte (regression: a corrupt
  // count used to allocate without bound; found by the fuzzer).
  const uint64_t sli_count = in.ok() ? in.Varint() : 0;
  if (sli_count > encoded.size()) in.Fail("impossible SLI count");
  std::vector<SliSpec> slis(in.ok() ? sli_count : 0);
  for (SliSpec& s : slis) {
    if (!in.ok()) break;
    s.service = in.String();
    s.name = in.String();
    const uint64_t kind = in.Varint();
    if (kind > static_cast<uint64_t>(SliKind::kEventRatio)) {
      in.Fail("unknown SLI kind");
    }
    s.kind = static_cast<SliKind>(kind);
    s.latency_threshold_ms = in.Double();
  }
  const uint64_t objective_count = in.ok() ? in.Varint() : 0;
  if (objective_count > encoded.size()) in.Fail("impossible objective count");
  std::vector<ObjectiveSpec> objectives(in.ok() ? objective_count : 0);
  for (ObjectiveSpec& o : objectives) {
    if (!in.ok()) break;
    o.service = in.String();
    o.name = in.String();
    const uint64_t n = in.Varint();
    if (n > encoded.size()) in.Fail("impossible count");
    for (uint64_t i = 0; i < n && in.ok(); ++i) o.slis.push_back(in.String());
    o.target_percent = in.Double();
    o.window = in.String();
    const uint64_t method = in.Varint();
    if (method > static_cast<uint64_t>(BudgetingMethod::kRatioTimeslices)) {
      in.Fail("unknown budgeting method");
    }
    o.method = static_cast<BudgetingMethod>(method);
    o.slice = absl::Minutes(static_cast<int64_t>(in.Varint()));
    o.slice_threshold = in.Double();
    o.alerting = in.Varint() != 0;
  }
  std::vector<std::vector<Run>> series(slis.size());
  for (std::vector<Run>& runs : series) {
    if (!in.ok()) break;
    const uint64_t n = in.Varint();
    if (n > encoded.size()) in.Fail("impossible run count");
    int64_t prev_end = 0;
    for (uint64_t i = 0; i < n && in.ok(); ++i) {
      Run r;
      constexpr int64_t kFar = int64_t{1} << 50;  // minutes: ~2 billion years
      const int64_t delta = in.Signed();
      r.length = in.Varint();
      r.good = in.Varint();
      r.total = in.Varint();
      if (delta > kFar || delta < -kFar || r.length == 0 ||
          r.length > (uint64_t{1} << 40) || r.good > r.total ||
          r.total > internal::MinuteSeries::kMaxMinuteCount) {
        in.Fail("invalid run");
        break;
      }
      r.start = prev_end + delta;
      // Every kept minute is at or before the newest one (which also bounds
      // the restore's work by the retention; found by the fuzzer).
      if (!has_newest || r.start < -kFar ||
          r.start + static_cast<int64_t>(r.length) - 1 > newest) {
        in.Fail("run outside the kept minutes");
        break;
      }
      prev_end = r.start + static_cast<int64_t>(r.length);
      runs.push_back(r);
    }
  }
  if (in.ok() && !in.at_end()) in.Fail("trailing bytes");
  // What AddSli and AddObjective would refuse, refused before anything is
  // applied.
  absl::flat_hash_set<std::string> keys;
  for (const SliSpec& sli : slis) {
    if (!in.ok()) break;
    if (sli.service.empty() || sli.name.empty() ||
        !keys.insert(SliKey(sli.service, sli.name)).second) {
      in.Fail("empty or repeated SLI name");
    }
    if (sli.kind == SliKind::kLatencyThreshold &&
        !(std::isfinite(sli.latency_threshold_ms) &&
          sli.latency_threshold_ms > 0)) {
      in.Fail("invalid latency threshold");  // found by the fuzzer
    }
  }
  absl::flat_hash_set<std::string> objective_keys;
  for (const ObjectiveSpec& o : objectives) {
    if (!in.ok()) break;
    bool slis_known = true;
    for (const std::string& n : o.slis) {
      slis_known &= keys.contains(SliKey(o.service, n));
    }
    bool has_probe_sli = false;
    for (const SliSpec& sli : slis) {
      has_probe_sli |=
          sli.service == o.service && sli.kind == SliKind::kProbeSuccess;
    }
    const absl::StatusOr<Window> window = Window::Parse(o.window);
    const bool too_many_slices =
        window.ok() && IsWholeMinutes(o.slice) &&
        o.method != BudgetingMethod::kOccurrences && window->is_rolling() &&
        WholeMinutes(window->length()) / WholeMinutes(o.slice) > 10'000'000;
    if (o.name.empty() || !Target::FromPercent(o.target_percent).ok() ||
        !window.ok() || too_many_slices || !IsWholeMinutes(o.slice) ||
        !(o.slice_threshold > 0 && o.slice_threshold <= 1) || !slis_known ||
        (o.slis.empty() && !has_probe_sli) ||
        !objective_keys.insert(SliKey(o.service, o.name)).second) {
      in.Fail(absl::StrCat("invalid objective '", o.service, "/", o.name, "'"));
    }
  }
  if (!in.ok()) return in.status();

  for (const SliSpec& s : slis) {
    absl::StatusOr<SliId> id = AddSli(s);
    if (!id.ok()) {
      return absl::DataLossError(
          absl::StrCat("engine state: SLI: ", id.status().message()));
    }
  }
  const int64_t horizon =
      has_newest ? newest - retention_minutes_ + 1 : INT64_MIN;
  const uint32_t bits = static_cast<uint32_t>(__builtin_ctz(shards_.size()));
  for (SliId id = 0; id < series.size(); ++id) {
    Shard& shard = ShardOf(id);
    absl::MutexLock lock(&shard.mu);
    internal::MinuteSeries& s = shard.series[id >> bits];
    for (const Run& r : series[id]) {
      const int64_t end = r.start + static_cast<int64_t>(r.length);
      for (int64_t minute = std::max(r.start, horizon); minute < end;
           ++minute) {
        s.Add(minute, static_cast<uint32_t>(r.good),
              static_cast<uint32_t>(r.total));
      }
    }
  }
  for (const ObjectiveSpec& o : objectives) {
    absl::StatusOr<ObjectiveId> id = AddObjective(o);
    if (!id.ok()) {
      return absl::DataLossError(
          absl::StrCat("engine state: objective: ", id.status().message()));
    }
  }
  if (has_newest) {
    AdvanceNewest(newest);
    // AdvanceNewest seals only when an hour boundary is crossed from an
    // earlier newest minute; seal the restored hours now.
    for (const auto& shard : shards_) {
      absl::MutexLock lock(&shard->mu);
      for (internal::MinuteSeries& s : shard->series) {
        s.DropBefore(horizon);
        s.Seal(newest - 60);
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace sla
