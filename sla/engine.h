// sla/engine.h: the slakit engine. Series of per-minute counters, exact
// availability over any window, error budgets and burn rates.
//
//   #include "sla/engine.h"
//
//   sla::Engine engine;                       // default options
//   sla::SliId home = engine.AddSli({"web", "home"}).value();
//   std::vector<sla::ProbeResult> batch = {
//       {home, 1704067200000, true, 42.0},    // 2024-01-01T00:00:00Z, ok
//       {home, 1704067260000, false, 10000},  // one minute later, failed
//   };
//   absl::Status s = engine.Ingest(batch);    // all or nothing
//
//   sla::ObjectiveSpec slo;
//   slo.service = "web";
//   slo.name = "availability";
//   slo.target_percent = 99.9;
//   slo.window = "30d";
//   sla::ObjectiveId id = engine.AddObjective(slo).value();
//   absl::Time at = absl::FromUnixSeconds(1704067200 + 86400);
//   sla::ObjectiveStatus st = engine.Evaluate(id, at).value();
//   // st.budget.good == 1, st.budget.total == 2, st.budget.remaining < 0
//
// Data model. Each SLI is one series of integer {good, total} counters per
// minute. Results may arrive in any order as long as they are within the
// retention (EngineOptions::retention, measured back from the newest result
// the engine has accepted, never from the wall clock, so history can be
// imported and evaluated). Minutes older than that are dropped from memory.
//
// Errors. Every call returns absl::Status or absl::StatusOr:
//   InvalidArgument  bad spec or record (the message names the record index
//                    and field), a result in the future beyond the clock
//                    tolerance, an event-ratio count sent as a probe result,
//                    event counts that would take one minute of one SLI
//                    past 2^32 - 1 events;
//   OutOfRange       a result older than the retention horizon;
//   NotFound         unknown SLI, service or objective;
//   AlreadyExists    an SLI or objective declared twice.
// A batch is applied all or nothing: if any record is rejected, none is.
//
// Thread safety: Engine is thread-safe. Ingest and queries may run from any
// number of threads; series are sharded, each shard behind its own
// absl::Mutex, so ingest threads writing different SLIs rarely meet.
// Declarations (AddSli, AddObjective) take a registry lock briefly.
//
// Engine has identity (it owns state and locks); it is neither copyable nor
// movable.

#ifndef SLA_ENGINE_H_
#define SLA_ENGINE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "sla/clock.h"
#include "sla/objective.h"
#include "sla/window.h"

namespace sla {

namespace internal {
class MinuteSeries;
}  // namespace internal

// Dense small integers handed out by AddSli / AddObjective; valid for the
// engine that returned them.
using SliId = uint32_t;
using ObjectiveId = uint32_t;

// One probe outcome for a kProbeSuccess or kLatencyThreshold SLI. Plain
// integers on the hot path: time in milliseconds since the Unix epoch.
struct ProbeResult {
  SliId sli = 0;
  int64_t unix_ms = 0;
  bool ok = false;
  double latency_ms = 0;  // finite, >= 0
};

// Counts pushed by an application for a kEventRatio SLI, all attributed to
// the minute that contains unix_ms.
struct EventCount {
  SliId sli = 0;
  int64_t unix_ms = 0;
  int64_t good = 0;   // 0 <= good <= total
  int64_t total = 0;  // >= 0
};

struct EngineOptions {
  // How far back from the newest accepted result data is kept and accepted:
  // the `retention` worth of whole minutes that ends with the newest
  // result's minute. With 35 days and a newest result at
  // 2024-02-05T12:00:30Z, results from 2024-01-01T12:01:00Z on are accepted
  // (retention_horizon()). Default 35 days: a calendar month plus late
  // arrivals.
  absl::Duration retention = absl::Hours(24 * 35);
  // Results stamped later than clock->Now() + future_tolerance are rejected
  // (InvalidArgument): a probe cannot have run in the future. Default 5 min.
  absl::Duration future_tolerance = absl::Minutes(5);
  // Where "now" comes from; not owned, must outlive the engine. Default: the
  // real clock.
  Clock* clock = Clock::Real();
  // Number of lock shards (rounded up to a power of two, at least 1).
  int shards = 16;
};

// The budget of one objective over one resolved window.
struct ObjectiveStatus {
  ObjectiveId id = 0;
  Interval window;  // the resolved [from, to)
  BudgetingMethod method = BudgetingMethod::kOccurrences;
  // Occurrences: events. Timeslices: slices (good slices, slices with data).
  // RatioTimeslices: slices with data in `total`; `good` is unused (0) and
  // the ratio sum is in budget.availability * total.
  BudgetNumbers budget;
};

// Burn rates of an objective at one time over several look-back windows.
struct BurnRates {
  // Parallel to the `windows` argument of BurnRatesAt.
  std::vector<double> rates;
  std::vector<Counts> counts;  // the events (or slices) each rate came from
};

class Engine {
 public:
  explicit Engine(EngineOptions options = EngineOptions());
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // ---- declarations ----

  // Declares an SLI. InvalidArgument for an empty service or name, or a
  // latency SLI without a positive threshold; AlreadyExists if declared.
  absl::StatusOr<SliId> AddSli(const SliSpec& spec);
  // The id of a declared SLI, or NotFound.
  absl::StatusOr<SliId> FindSli(absl::string_view service,
                                absl::string_view name) const;
  // The spec of a declared SLI (copy), or NotFound.
  absl::StatusOr<SliSpec> GetSli(SliId id) const;
  // All SLIs of a service, sorted by name; NotFound for an unknown service.
  absl::StatusOr<std::vector<SliId>> ServiceSlis(
      absl::string_view service) const;
  // All service names, sorted.
  std::vector<std::string> Services() const;

  // Declares an objective. InvalidArgument for a bad target, window, slice
  // or an SLI list mixing nothing; NotFound for unknown service or SLI.
  absl::StatusOr<ObjectiveId> AddObjective(const ObjectiveSpec& spec);
  // The spec of a declared objective (copy), or NotFound.
  absl::StatusOr<ObjectiveSpec> GetObjective(ObjectiveId id) const;
  // Its window, parsed, without copying the spec or taking a lock (for
  // per-evaluation callers such as sla::EvaluateBurnTiers); NotFound for an
  // unknown id.
  absl::StatusOr<Window> GetObjectiveWindow(ObjectiveId id) const;
  // The id of a declared objective, or NotFound.
  absl::StatusOr<ObjectiveId> FindObjective(absl::string_view service,
                                            absl::string_view name) const;

  // ---- ingest (all or nothing per call) ----

  absl::Status Ingest(absl::Span<const ProbeResult> results);
  // What Ingest(results) would answer now, without applying anything (for
  // a store that logs a batch before applying it). A concurrent ingest may
  // still move the retention horizon in between.
  absl::Status CheckIngest(absl::Span<const ProbeResult> results) const;
  // CheckIngest's checks of times and latencies only, which do not look at
  // `sli`: for callers that declare a batch's new SLIs, so that a batch
  // refused for its times or values declares nothing. The same errors.
  absl::Status CheckProbeTimes(absl::Span<const ProbeResult> results) const;
  absl::Status IngestEvents(absl::Span<const EventCount> events);

  // The newest accepted result time (InfinitePast() before any).
  absl::Time newest() const;
  // Results before this are rejected with OutOfRange.
  absl::Time retention_horizon() const;

  // ---- queries (exact, half-open, minute resolution) ----

  // Counts of one SLI in [interval.from, interval.to), bounds floored to the
  // minute. NotFound for an unknown id. An empty interval gives {0, 0}.
  absl::StatusOr<Counts> Query(SliId sli, const Interval& interval) const;
  // Sum over several SLIs (the pooled ratio of a service's probes).
  absl::StatusOr<Counts> QuerySum(absl::Span<const SliId> slis,
                                  const Interval& interval) const;
  // One Counts per step: [from + k*step, from + (k+1)*step) for k in
  // [0, n). Step a positive whole number of minutes.
  absl::StatusOr<std::vector<Counts>> QueryRange(absl::Span<const SliId> slis,
                                                 absl::Time from,
                                                 absl::Duration step,
                                                 int n) const;

  // Budget of an objective as of `at`: over Window::ResolveAsOf(at), so no
  // result after floor(at) counts (a calendar month is evaluated to date;
  // at its end, `at` = the next month's first instant, it is whole).
  absl::StatusOr<ObjectiveStatus> Evaluate(ObjectiveId id, absl::Time at) const;
  // Burn rate over [at - w, at) for each w (whole minutes), using the
  // objective's budgeting method and target.
  absl::StatusOr<BurnRates> BurnRatesAt(
      ObjectiveId id, absl::Time at,
      absl::Span<const absl::Duration> windows) const;

  // Evaluate and BurnRatesAt for an objective that is not declared: the spec
  // is checked and its SLIs resolved now, as AddObjective would (so an
  // objective without `slis` covers the probe-success SLIs of its service
  // as of this call), and nothing is kept. For callers whose objectives
  // change with their configuration (slakit serve) while the engine's
  // declarations are durable. AddObjective's errors.
  absl::StatusOr<ObjectiveStatus> EvaluateSpec(const ObjectiveSpec& spec,
                                               absl::Time at) const;
  absl::StatusOr<BurnRates> BurnRatesOfSpec(
      const ObjectiveSpec& spec, absl::Time at,
      absl::Span<const absl::Duration> windows) const;

  // Memory held by series data, in bytes (approximate, for benchmarks).
  size_t MemoryUsage() const;

  // ---- state, for snapshots ----

  // Appends to `out` an encoding of every SLI, objective and counter and of
  // the newest minute seen: versioned bytes that RestoreState reads back
  // (layout in engine.cc; counters as runs of equal minutes, so a probe
  // series of a quiet month is a few hundred bytes). Each series is read
  // under its lock; an ingest running meanwhile may be in it or not.
  void EncodeState(std::string* out) const;
  // Restores what EncodeState wrote into this engine, which must not have
  // any SLI yet (FailedPrecondition otherwise). DataLoss, naming the byte
  // offset, for a truncated or corrupt encoding; the engine is then left
  // unchanged. Results older than this engine's retention are dropped.
  absl::Status RestoreState(absl::string_view encoded);

 private:
  struct Shard;
  struct SliEntry;
  struct ObjectiveEntry;

  // Time limits of one ingest call: "now" plus the tolerance, and the
  // retention horizon given the newest acceptable record of the batch.
  struct BatchBounds {
    absl::Time now_limit;
    int64_t limit_ms = 0;      // records after this are from the future
    int64_t batch_newest = 0;  // minute; INT64_MIN when none is acceptable
    int64_t horizon = 0;       // first minute kept
    int64_t horizon_ms = 0;
  };
  BatchBounds StartBatch(
      absl::FunctionRef<int64_t(int64_t limit_ms)> newest_of_batch) const;

  Shard& ShardOf(SliId id) const;
  // Validates a probe batch; good[i] is whether record i counts as good.
  absl::Status ValidateProbes(absl::Span<const ProbeResult> results,
                              const BatchBounds& bounds,
                              std::vector<uint8_t>* good) const;
  absl::Status CheckTime(int64_t unix_ms, absl::Time now_limit,
                         int64_t horizon_minute, size_t index) const;
  // The checks of a record that need no SLI: a finite latency >= 0 and a
  // time within the batch's bounds. ProbeValuesFit is the hot path's test;
  // CheckProbeValues says what is wrong with record `index` (OK when
  // nothing is), naming `spec` in the latency message when it is known.
  static bool ProbeValuesFit(const ProbeResult& r, const BatchBounds& bounds);
  absl::Status CheckProbeValues(const ProbeResult& r, size_t index,
                                const BatchBounds& bounds,
                                const SliSpec* spec) const;
  absl::StatusOr<std::vector<SliId>> ResolveObjectiveSlis(
      const ObjectiveSpec& spec) const;
  // AddObjective's checks and SLI resolution, without declaring anything.
  absl::StatusOr<ObjectiveEntry> PrepareObjective(
      const ObjectiveSpec& spec) const;
  ObjectiveStatus EvaluateEntry(const ObjectiveEntry& entry,
                                absl::Time at) const;
  absl::StatusOr<BurnRates> BurnRatesOfEntry(
      const ObjectiveEntry& entry, absl::Time at,
      absl::Span<const absl::Duration> windows) const;
  // Slice evaluation for the timeslice methods over [from, to) minutes.
  void SliceCounts(absl::Span<const SliId> slis, int64_t from_minute,
                   int64_t to_minute, const ObjectiveSpec& spec,
                   int64_t* good_slices, int64_t* slices,
                   double* ratio_sum) const;
  Counts SumMinutes(absl::Span<const SliId> slis, int64_t from_minute,
                    int64_t to_minute) const;
  // out[k] = counts of `slis` over the minutes [ranges[k].first,
  // ranges[k].second), taking each series' lock once.
  void SumRanges(absl::Span<const SliId> slis,
                 absl::Span<const std::pair<int64_t, int64_t>> ranges,
                 Counts* out) const;
  absl::Status CheckSliIds(absl::Span<const SliId> slis) const;
  void AdvanceNewest(int64_t newest_minute);

  const EngineOptions options_;
  const int64_t retention_minutes_;

  mutable absl::Mutex registry_mu_;
  std::vector<std::unique_ptr<SliEntry>> slis_ ABSL_GUARDED_BY(registry_mu_);
  absl::flat_hash_map<std::string, SliId> sli_by_key_
      ABSL_GUARDED_BY(registry_mu_);
  std::vector<std::unique_ptr<ObjectiveEntry>> objectives_
      ABSL_GUARDED_BY(registry_mu_);
  // The same entries by id for queries, read without registry_mu_: entries
  // are never removed or changed, and AddObjective publishes a pointer
  // (release) before objective_count_ counts it. Ids past the table are
  // looked up under the lock.
  static constexpr uint32_t kObjectiveChunk = 1024;
  static constexpr uint32_t kObjectiveChunks = 1024;
  std::array<std::atomic<const ObjectiveEntry**>, kObjectiveChunks>
      objective_chunks_{};
  std::vector<std::unique_ptr<const ObjectiveEntry*[]>> objective_chunk_store_
      ABSL_GUARDED_BY(registry_mu_);
  std::atomic<uint32_t> objective_count_{0};
  // The entry of a declared objective, or nullptr.
  const ObjectiveEntry* FindObjectiveEntry(ObjectiveId id) const;

  // Newest accepted minute; readers use it for retention checks.
  mutable absl::Mutex newest_mu_;
  int64_t newest_minute_ ABSL_GUARDED_BY(newest_mu_);

  // Number of declared SLIs; ids below it are valid (SLIs are never removed).
  std::atomic<uint32_t> sli_count_{0};

  std::vector<std::unique_ptr<Shard>> shards_;
  uint32_t shard_mask_ = 0;
};

}  // namespace sla

#endif  // SLA_ENGINE_H_
