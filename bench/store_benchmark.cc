// Benchmarks of the durable store (sla/storage/store.h) on the synthetic
// workload (probes/synthetic.h): durable ingest throughput under each sync
// policy, recovery time, and bytes on disk.
//
// The workload is the `default` preset: 50 services x 4 probes x 30 days at
// one probe a minute (200 series, 8.64 M results). Set
// SLAKIT_BENCH_PRESET=tiny, or SLAKIT_BENCH_SMOKE=1 (the smoke test does),
// for a quick run.
//
//   build/store_benchmark --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
//
// Every store lives in a fresh directory under $TEST_TMPDIR (else /tmp),
// removed when the benchmark is done with it. Times are wall-clock
// (UseRealTime): the work is I/O and, with 2 threads, spread over threads
// that the benchmark starts itself, so the CPU column counts only the main
// thread there.
//
// BM_DurableIngest/<policy>/<threads>: Store::Ingest of pre-resolved
//   results (SLIs declared through the store, ids 0..series-1) in batches of
//   4096 with unique batch ids, under the sync policy none, interval (1 s,
//   real clock) or always. One iteration ingests one day of the workload
//   (288,000 results for the default preset); iterations walk through the
//   days in order, on one store, so the store holds the earlier days (log
//   segments, engine history, dedupe table) as it would in production. After
//   the last day the store is closed and removed and a fresh one is opened
//   for the next iteration (outside the timing, as are opening the store and
//   declaring the SLIs). With 2 threads the series are split between the
//   threads (series % 2), each thread ingesting its half of the day in its
//   own batches; the iteration ends when both are done. items_per_second:
//   results acknowledged; bytes_per_second: log bytes written (the size of
//   the log directory). Under `interval` the records written since the last
//   fdatasync when an iteration ends are not flushed (that is the policy).
//
// BM_Recovery/<snapshot|log_only>: Store::Open (recovery: the snapshot
//   loaded, the log after it replayed, the log writer opened) on a directory
//   prepared once with the whole workload, either snapshotted (Snapshot()
//   after the last batch) or only in the log. Default StoreOptions. The
//   files are in the page cache (just written): this is warm recovery, CPU
//   and memory bound. Counters: recovery_bytes_read (bytes read by read(2)
//   during Open, from /proc/self/io rchar), records_replayed, and the sizes
//   of the snapshot and of the log in the directory.
//
// BM_BytesOnDisk: the sizes of the two prepared directories, per series per
//   day: snapshot_bytes_per_series_per_day (the snapshot file),
//   snapshot_dir_bytes_per_series_per_day (everything in the snapshotted
//   directory: the snapshot plus the log segment Snapshot() must keep, the
//   active one), log_bytes_per_series_per_day (everything in the log-only
//   directory), and log_bytes_per_result.

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "bench/temp_dir.h"
#include "benchmark/benchmark.h"
#include "probes/synthetic.h"
#include "sla/clock.h"
#include "sla/engine.h"
#include "sla/objective.h"
#include "sla/storage/store.h"
#include "sla/storage/wal.h"

namespace sla::storage {
namespace {

namespace fs = std::filesystem;

constexpr size_t kBatch = 4096;

bool Smoke() { return std::getenv("SLAKIT_BENCH_SMOKE") != nullptr; }

std::string PresetName() {
  const char* p = std::getenv("SLAKIT_BENCH_PRESET");
  if (p != nullptr) return p;
  return Smoke() ? "tiny" : "default";
}

[[noreturn]] void Die(absl::string_view what, const absl::Status& status) {
  std::fprintf(stderr, "store_benchmark: %.*s: %s\n",
               static_cast<int>(what.size()), what.data(),
               status.ToString().c_str());
  std::abort();
}

// ---------------------------------------------------------------- workload

struct Workload {
  probes::WorkloadOptions options;
  int series = 0;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  // In time order; sli = service * probes_per_service + probe, which is the
  // id the store hands out when the SLIs are declared in that order.
  std::vector<ProbeResult> results;
};

const Workload& GetWorkload() {
  static const Workload* w = [] {
    auto* w = new Workload();
    absl::StatusOr<probes::WorkloadOptions> options =
        probes::WorkloadPreset(PresetName());
    if (!options.ok()) Die("preset", options.status());
    w->options = *options;
    const int probes = w->options.probes_per_service;
    w->series = w->options.services * probes;
    w->results.reserve(static_cast<size_t>(w->series) * w->options.days *
                       86400 / w->options.interval_s);
    absl::StatusOr<probes::WorkloadSummary> summary = probes::GenerateWorkload(
        w->options, [&](absl::Span<const probes::SyntheticResult> tick) {
          for (const probes::SyntheticResult& r : tick) {
            w->results.push_back(
                ProbeResult{static_cast<SliId>(r.service * probes + r.probe),
                            r.unix_ms, r.ok, r.latency_ms});
          }
        });
    if (!summary.ok()) Die("workload", summary.status());
    w->start_ms = summary->start_ms;
    w->end_ms = summary->end_ms;
    return w;
  }();
  return *w;
}

// The workload split between `threads` ingest threads by series
// (sli % threads), each part in time order, with the index of each day's
// first result.
struct Split {
  std::vector<std::vector<ProbeResult>> parts;
  std::vector<std::vector<size_t>> day_start;  // [thread][day], days + 1
  std::vector<int64_t> day_results;            // results per day, all parts
};

const Split& GetSplit(int threads) {
  static auto* cache = new std::map<int, std::unique_ptr<Split>>();
  std::unique_ptr<Split>& slot = (*cache)[threads];
  if (slot) return *slot;
  const Workload& w = GetWorkload();
  const int days = w.options.days;
  slot = std::make_unique<Split>();
  slot->parts.resize(threads);
  slot->day_start.assign(threads, std::vector<size_t>(days + 1, 0));
  slot->day_results.assign(days, 0);
  for (std::vector<ProbeResult>& p : slot->parts) {
    p.reserve(w.results.size() / threads + w.series);
  }
  for (const ProbeResult& r : w.results) {
    slot->parts[r.sli % threads].push_back(r);
  }
  for (int t = 0; t < threads; ++t) {
    const std::vector<ProbeResult>& p = slot->parts[t];
    // Results are in tick order and a tick lies within its minute, so the
    // day of a result never decreases along a part.
    size_t i = 0;
    for (int d = 0; d <= days; ++d) {
      const int64_t limit = w.start_ms + int64_t{86400000} * d;
      while (i < p.size() && p[i].unix_ms < limit) ++i;
      slot->day_start[t][d] = i;
    }
    slot->day_start[t][days] = p.size();
    for (int d = 0; d < days; ++d) {
      slot->day_results[d] += static_cast<int64_t>(slot->day_start[t][d + 1] -
                                                   slot->day_start[t][d]);
    }
  }
  return *slot;
}

// ---------------------------------------------------------------- files

using ::sla::bench::TempDir;

// Bytes of the regular files under `dir` whose name passes `keep`.
template <typename Pred>
int64_t DirBytes(const std::string& dir, Pred keep) {
  int64_t total = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->is_regular_file(ec) && keep(it->path().filename().string())) {
      total += static_cast<int64_t>(it->file_size(ec));
    }
  }
  return total;
}

int64_t AllBytes(const std::string& dir) {
  return DirBytes(dir, [](const std::string&) { return true; });
}
int64_t SnapshotBytes(const std::string& dir) {
  return DirBytes(dir, [](const std::string& name) {
    return absl::StartsWith(name, "snapshot-") && absl::EndsWith(name, ".snap");
  });
}
int64_t LogBytes(const std::string& dir) {
  return DirBytes(dir, [](const std::string& name) {
    return absl::StartsWith(name, "wal-") && absl::EndsWith(name, ".log");
  });
}

// Bytes this process has read with read(2) and friends (page cache hits
// included); -1 if /proc/self/io is unavailable.
int64_t ReadChars() {
  std::ifstream in("/proc/self/io");
  std::string line;
  while (std::getline(in, line)) {
    int64_t v;
    if (absl::StartsWith(line, "rchar:") &&
        absl::SimpleAtoi(absl::StripPrefix(line, "rchar:"), &v)) {
      return v;
    }
  }
  return -1;
}

// ---------------------------------------------------------------- stores

StoreOptions Options(SyncPolicy policy) {
  StoreOptions options;
  options.log.sync = policy;
  options.log.sync_interval = absl::Seconds(1);
  options.log.clock = Clock::Real();
  options.engine.clock = Clock::Real();
  return options;
}

// Opens a store in `dir` and declares the workload's SLIs through it.
std::unique_ptr<Store> OpenWithSlis(const std::string& dir,
                                    const StoreOptions& options,
                                    const Workload& w) {
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(dir, options);
  if (!store.ok()) Die("open", store.status());
  for (int s = 0; s < w.options.services; ++s) {
    for (int p = 0; p < w.options.probes_per_service; ++p) {
      SliSpec spec;
      spec.service = probes::ServiceName(s);
      spec.name = probes::ProbeName(p);
      absl::StatusOr<SliId> id = (*store)->AddSli(spec);
      if (!id.ok()) Die("AddSli", id.status());
      if (*id != static_cast<SliId>(s * w.options.probes_per_service + p)) {
        Die("AddSli", absl::InternalError("unexpected SLI id"));
      }
    }
  }
  return std::move(*store);
}

// Ingests `results` in batches of kBatch with the ids <prefix><n>, n = *seq++.
void IngestRange(Store* store, absl::Span<const ProbeResult> results,
                 absl::string_view prefix, uint64_t* seq) {
  for (size_t i = 0; i < results.size(); i += kBatch) {
    const size_t n = std::min(kBatch, results.size() - i);
    const std::string id = absl::StrCat(prefix, (*seq)++);
    absl::StatusOr<IngestAck> ack = store->Ingest(id, results.subspan(i, n));
    if (!ack.ok()) Die("Ingest", ack.status());
    if (ack->duplicate) Die("Ingest", absl::InternalError("duplicate id"));
  }
}

// ---------------------------------------------------------------- ingest

void BM_DurableIngest(benchmark::State& state, SyncPolicy policy) {
  const Workload& w = GetWorkload();
  const int threads = static_cast<int>(state.range(0));
  const Split& split = GetSplit(threads);
  const int days = w.options.days;
  const StoreOptions options = Options(policy);

  std::unique_ptr<TempDir> dir;
  std::unique_ptr<Store> store;
  int day = days;  // opens a store at the first iteration
  int cycle = 0;
  int64_t items = 0;
  int64_t log_bytes = 0;
  uint64_t batches = 0;
  uint64_t syncs = 0;
  auto close_store = [&] {
    if (store == nullptr) return;
    const LogStats st = store->log_stats();
    batches += st.appends;
    syncs += st.syncs;
    absl::Status s = store->Close();
    if (!s.ok()) Die("close", s);
    store.reset();
    log_bytes += LogBytes(dir->path());
    dir.reset();
  };
  std::vector<uint64_t> seq(threads, 0);
  std::vector<std::string> prefix(threads);
  for (auto _ : state) {
    if (day == days) {
      state.PauseTiming();
      close_store();
      dir = std::make_unique<TempDir>("slakit_store_bench_ingest");
      store = OpenWithSlis(dir->path(), options, w);
      ++cycle;
      for (int t = 0; t < threads; ++t) {
        prefix[t] = absl::StrCat("c", cycle, "-t", t, "-");
      }
      day = 0;
      state.ResumeTiming();
    }
    auto work = [&, d = day](int t) {
      const std::vector<ProbeResult>& part = split.parts[t];
      const size_t begin = split.day_start[t][d];
      const size_t end = split.day_start[t][d + 1];
      IngestRange(store.get(),
                  absl::MakeConstSpan(part.data() + begin, end - begin),
                  prefix[t], &seq[t]);
    };
    if (threads == 1) {
      work(0);
    } else {
      std::vector<std::thread> pool;
      pool.reserve(threads);
      for (int t = 0; t < threads; ++t) pool.emplace_back(work, t);
      for (std::thread& th : pool) th.join();
    }
    items += split.day_results[day];
    ++day;
  }
  close_store();  // the timing has stopped with the loop
  state.SetItemsProcessed(items);
  state.SetBytesProcessed(log_bytes);
  state.counters["batch"] = static_cast<double>(kBatch);
  state.counters["log_bytes_per_result"] =
      items > 0 ? static_cast<double>(log_bytes) / items : 0;
  // Group commit at work: under always, concurrent batches share flushes.
  state.counters["fsyncs_per_batch"] =
      batches > 0 ? static_cast<double>(syncs) / batches : 0;
}

void IngestArgs(benchmark::internal::Benchmark* b) {
  b->Arg(1)->Arg(2)->Arg(4)->UseRealTime()->Unit(benchmark::kMillisecond);
  if (Smoke()) b->MinTime(0.01);
}

BENCHMARK_CAPTURE(BM_DurableIngest, none, SyncPolicy::kNone)->Apply(IngestArgs);
BENCHMARK_CAPTURE(BM_DurableIngest, interval, SyncPolicy::kInterval)
    ->Apply(IngestArgs);
BENCHMARK_CAPTURE(BM_DurableIngest, always, SyncPolicy::kAlways)
    ->Apply(IngestArgs);

// ---------------------------------------------------------------- recovery

// A store directory holding the whole workload, prepared once.
struct Prepared {
  std::unique_ptr<TempDir> dir;
  int64_t snapshot_bytes = 0;
  int64_t log_bytes = 0;
  int64_t all_bytes = 0;
};

const Prepared& GetPrepared(bool snapshot) {
  // Destroyed (directories removed) at exit.
  static std::unique_ptr<Prepared> cache[2];
  std::unique_ptr<Prepared>& slot = cache[snapshot ? 1 : 0];
  if (slot) return *slot;
  const Workload& w = GetWorkload();
  slot = std::make_unique<Prepared>();
  slot->dir = std::make_unique<TempDir>(
      snapshot ? "slakit_store_bench_recovery_snapshot"
               : "slakit_store_bench_recovery_log");
  {
    // The files do not depend on the sync policy; kNone prepares fastest.
    std::unique_ptr<Store> store =
        OpenWithSlis(slot->dir->path(), Options(SyncPolicy::kNone), w);
    uint64_t seq = 0;
    IngestRange(store.get(), w.results, "prep-", &seq);
    if (snapshot) {
      absl::Status s = store->Snapshot();
      if (!s.ok()) Die("snapshot", s);
    }
    absl::Status s = store->Close();
    if (!s.ok()) Die("close", s);
  }
  slot->snapshot_bytes = SnapshotBytes(slot->dir->path());
  slot->log_bytes = LogBytes(slot->dir->path());
  slot->all_bytes = AllBytes(slot->dir->path());
  return *slot;
}

void BM_Recovery(benchmark::State& state, bool snapshot) {
  const Workload& w = GetWorkload();
  const Prepared& p = GetPrepared(snapshot);
  const StoreOptions options =
      StoreOptions();  // defaults, as a deployment opens it
  const Interval all{absl::FromUnixMillis(w.start_ms),
                     absl::FromUnixMillis(w.end_ms)};
  std::vector<SliId> slis(w.series);
  for (int i = 0; i < w.series; ++i) slis[i] = static_cast<SliId>(i);
  int64_t bytes_read = 0;
  uint64_t replayed = 0;
  bool checked = false;
  for (auto _ : state) {
    const int64_t before = ReadChars();
    absl::StatusOr<std::unique_ptr<Store>> store =
        Store::Open(p.dir->path(), options);
    const int64_t after = ReadChars();
    state.PauseTiming();
    if (!store.ok()) Die("recovery", store.status());
    bytes_read = before >= 0 && after >= 0 ? after - before : -1;
    replayed = (*store)->recovery().records_replayed;
    if ((*store)->recovery().from_snapshot != snapshot) {
      Die("recovery", absl::InternalError((*store)->recovery().ToString()));
    }
    if (!checked) {
      // Every result is back.
      absl::StatusOr<Counts> sum = (*store)->engine().QuerySum(slis, all);
      if (!sum.ok()) Die("query", sum.status());
      if (sum->total != static_cast<int64_t>(w.results.size())) {
        Die("recovery", absl::InternalError(absl::StrCat(
                            "recovered ", sum->total, " results, expected ",
                            w.results.size())));
      }
      checked = true;
    }
    store->reset();
    state.ResumeTiming();
  }
  state.counters["recovery_bytes_read"] = static_cast<double>(bytes_read);
  state.counters["records_replayed"] = static_cast<double>(replayed);
  state.counters["snapshot_bytes"] = static_cast<double>(p.snapshot_bytes);
  state.counters["log_bytes"] = static_cast<double>(p.log_bytes);
}

void RecoveryArgs(benchmark::internal::Benchmark* b) {
  b->UseRealTime()->Unit(benchmark::kMillisecond);
  if (Smoke()) b->MinTime(0.01);
}

BENCHMARK_CAPTURE(BM_Recovery, snapshot, true)->Apply(RecoveryArgs);
BENCHMARK_CAPTURE(BM_Recovery, log_only, false)->Apply(RecoveryArgs);

// ---------------------------------------------------------------- disk

void BM_BytesOnDisk(benchmark::State& state) {
  const Workload& w = GetWorkload();
  const Prepared& snap = GetPrepared(true);
  const Prepared& log = GetPrepared(false);
  int64_t snapshot_bytes = 0, snapshot_dir_bytes = 0, log_dir_bytes = 0;
  for (auto _ : state) {
    // The timed part is only the directory walk; the counters matter.
    snapshot_bytes = SnapshotBytes(snap.dir->path());
    snapshot_dir_bytes = AllBytes(snap.dir->path());
    log_dir_bytes = AllBytes(log.dir->path());
  }
  const double series_days =
      static_cast<double>(w.series) * static_cast<double>(w.options.days);
  state.counters["snapshot_bytes_per_series_per_day"] =
      static_cast<double>(snapshot_bytes) / series_days;
  state.counters["snapshot_dir_bytes_per_series_per_day"] =
      static_cast<double>(snapshot_dir_bytes) / series_days;
  state.counters["log_bytes_per_series_per_day"] =
      static_cast<double>(log_dir_bytes) / series_days;
  state.counters["log_bytes_per_result"] =
      static_cast<double>(log_dir_bytes) /
      static_cast<double>(w.results.size());
  state.counters["series"] = w.series;
  state.counters["days"] = w.options.days;
}
BENCHMARK(BM_BytesOnDisk)->Iterations(1)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace sla::storage

BENCHMARK_MAIN();
