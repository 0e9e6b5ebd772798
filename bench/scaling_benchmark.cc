// Scaling of the engine with series count and window length (slakit issue 9).
//
// Points: 200, 2,000 and 20,000 probe-success series (4 probes per service,
// so 50 / 500 / 5,000 services) at 30 days, and windows of 1, 7, 14, 30 and
// 35 days at 200 and at 2,000 series (SLAKIT_SCALING_POINTS picks others,
// e.g. 20000x35, the memory target's window at 20,000 series: 1 G results,
// left out by default for its time). For every point:
//   BM_Ingest        single-thread ingest, SLIs pre-resolved, batches of
//                    64 Ki in time order, as engine_benchmark's
//                    BM_IngestSingleThread: the point's last day (series x
//                    1,440 results) per iteration into one engine; only the
//                    Ingest calls are timed (manual time), items = results;
//                    counter cpu_items_per_second: the rate over the
//                    thread's CPU time in Ingest;
//   BM_EngineMemory  Engine::MemoryUsage() of an engine (35-day retention)
//                    loaded with the point's whole window, counters
//                    bytes_per_series and total_bytes (as engine_benchmark's
//                    BM_MemoryPerSeries35d measures it), and that load's
//                    rate, load_items_per_second and
//                    load_cpu_items_per_second (one run);
//   BM_Availability  availability of every series over the whole window;
//   BM_Budget        budget remaining of every service's objective (99.9 %
//                    over the point's window);
//   BM_BurnRates6    burn rates of every service over 5m 30m 1h 6h 1d 3d
//                    (the windows of engine_benchmark's
//                    BM_BurnRatesAllServices/6).
// Benchmark names read BM_<what>/series:<n>/days:<d>.
//
// Data. The probes/synthetic.h model with the `default` preset's settings
// (seed 42, one probe a minute, tail incidents). Each series count is
// generated once, over the longest window of its points, and a point of d days
// is the last d days of it: every point ends at the same instant, has the
// same recent history (the tail incidents, the burn-rate windows) and is
// queried as of that end. The generator takes at most 1,000 services per
// call, so larger counts are generated in blocks of 1,000 services with
// seeds 42, 43, ... (tail incidents in the first block only). The data is
// kept as one bit (ok or failed) per result, 126 MB for 20,000 series x 35
// days (1.008 G results); ingest rebuilds ProbeResult batches from the bits,
// untimed, with latency 50 ms for ok and 10,000 ms for failed (a
// probe-success SLI only validates latencies). A point's engine is loaded
// once and shared by its benchmarks; one series count's data and one
// engine are held in memory at a time.
//
//   build/scaling_benchmark --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
//
// bench/scaling.sh runs it and draws docs/scaling.svg. SLAKIT_BENCH_SMOKE=1
// (the smoke test) uses tiny points instead: 8 series x 1 and 2 days, and
// 40 series x 1 day.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "benchmark/benchmark.h"
#include "probes/synthetic.h"
#include "sla/engine.h"

namespace sla {
namespace {

constexpr int kProbesPerService = 4;
constexpr int kMaxServicesPerBlock = 1000;  // WorkloadOptions::services limit
constexpr size_t kBatch = size_t{1} << 16;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "scaling_benchmark: %s\n", what.c_str());
  std::abort();
}

struct Point {
  int series = 0;
  int days = 0;
  bool operator==(const Point& o) const {
    return series == o.series && days == o.days;
  }
};

// SLAKIT_SCALING_POINTS=200x30,20000x35 picks the points (series x days;
// series a multiple of 4, days 1 to 35).
std::vector<Point> Points() {
  static const std::vector<Point>* points = [] {
    auto* points = new std::vector<Point>();
    if (const char* list = std::getenv("SLAKIT_SCALING_POINTS")) {
      for (absl::string_view item : absl::StrSplit(list, ',')) {
        std::pair<absl::string_view, absl::string_view> sd =
            absl::StrSplit(item, 'x');
        Point p;
        if (!absl::SimpleAtoi(sd.first, &p.series) ||
            !absl::SimpleAtoi(sd.second, &p.days) || p.series <= 0 ||
            p.series % kProbesPerService != 0 || p.days < 1 || p.days > 35) {
          Die(absl::StrCat("SLAKIT_SCALING_POINTS: bad point '", item, "'"));
        }
        points->push_back(p);
      }
    } else if (std::getenv("SLAKIT_BENCH_SMOKE") != nullptr) {
      *points = {{8, 1}, {8, 2}, {40, 1}};
    } else {
      for (int series : {200, 2000}) {
        for (int days : {1, 7, 14, 30, 35}) points->push_back({series, days});
      }
      points->push_back({20000, 30});
    }
    return points;
  }();
  return *points;
}

// The results of one series count over the longest window of its points,
// one bit each: tick-major, and within a tick in the generator's emission
// order (block by block).
struct SeriesData {
  int series = 0;
  int days = 0;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  int64_t interval_ms = 0;
  int64_t ticks = 0;
  std::vector<SliId> sli;          // per position in a tick
  std::vector<int32_t> offset_ms;  // per position: time after the tick start
  std::vector<uint64_t> ok_bits;   // bit tick * series + position
};

int MaxDays(int series) {
  int days = 0;
  for (const Point& p : Points()) {
    if (p.series == series) days = std::max(days, p.days);
  }
  return days;
}

std::unique_ptr<SeriesData> Generate(int series, int days) {
  if (series % kProbesPerService != 0) Die("series % 4 != 0");
  auto d = std::make_unique<SeriesData>();
  d->series = series;
  d->days = days;
  const int services = series / kProbesPerService;
  probes::WorkloadOptions base = probes::WorkloadPreset("default").value();
  base.days = days;
  d->interval_ms = int64_t{base.interval_s} * 1000;
  d->ticks = int64_t{days} * 86400 / base.interval_s;
  d->sli.resize(series);
  d->offset_ms.resize(series);
  d->ok_bits.assign(static_cast<size_t>((d->ticks * series + 63) / 64), 0);
  for (int first = 0, block = 0; first < services;
       first += kMaxServicesPerBlock, ++block) {
    probes::WorkloadOptions options = base;
    options.services = std::min(kMaxServicesPerBlock, services - first);
    options.seed = base.seed + static_cast<uint64_t>(block);
    options.tail_incident = block == 0;
    const int position0 = first * kProbesPerService;
    int64_t tick = 0;
    const int64_t start_ms = options.start_s * 1000;
    absl::StatusOr<probes::WorkloadSummary> summary = probes::GenerateWorkload(
        options, [&](absl::Span<const probes::SyntheticResult> results) {
          const int64_t tick_ms = start_ms + tick * d->interval_ms;
          uint64_t bit = static_cast<uint64_t>(tick * series + position0);
          for (size_t i = 0; i < results.size(); ++i, ++bit) {
            const probes::SyntheticResult& r = results[i];
            const SliId id = static_cast<SliId>(
                (first + r.service) * kProbesPerService + r.probe);
            const int32_t offset = static_cast<int32_t>(r.unix_ms - tick_ms);
            const size_t pos = static_cast<size_t>(position0) + i;
            if (tick == 0) {
              d->sli[pos] = id;
              d->offset_ms[pos] = offset;
            } else if (d->sli[pos] != id || d->offset_ms[pos] != offset) {
              Die("emission order changed between ticks");
            }
            if (r.ok) d->ok_bits[bit >> 6] |= uint64_t{1} << (bit & 63);
          }
          ++tick;
        });
    if (!summary.ok()) Die(summary.status().ToString());
    if (tick != d->ticks) Die("unexpected tick count");
    d->start_ms = summary->start_ms;
    d->end_ms = summary->end_ms;
  }
  return d;
}

// A point's share of its series count's data: the last `days` days.
struct PointData {
  Point point;
  const SeriesData* data = nullptr;
  int64_t first_tick = 0;
  int64_t start_ms = 0;  // of the point's first tick
  int64_t end_ms = 0;    // the end of the data, for every point
  int64_t results() const { return (data->ticks - first_tick) * point.series; }
};

PointData Slice(const SeriesData& d, Point point) {
  PointData p;
  p.point = point;
  p.data = &d;
  p.first_tick = d.ticks - int64_t{point.days} * 86400000 / d.interval_ms;
  if (p.first_tick < 0) Die("point longer than its data");
  p.start_ms = d.start_ms + p.first_tick * d.interval_ms;
  p.end_ms = d.end_ms;
  return p;
}

// Calls fn with consecutive batches of up to kBatch results, in time order
// (tick by tick). The span is only valid during the call.
void ForEachBatch(const PointData& p,
                  absl::FunctionRef<void(absl::Span<const ProbeResult>)> fn) {
  const SeriesData& d = *p.data;
  std::vector<ProbeResult> batch(kBatch);
  size_t n = 0;
  const int series = d.series;
  uint64_t bit = static_cast<uint64_t>(p.first_tick * series);
  for (int64_t tick = p.first_tick; tick < d.ticks; ++tick) {
    const int64_t tick_ms = d.start_ms + tick * d.interval_ms;
    for (int i = 0; i < series; ++i, ++bit) {
      const bool ok = (d.ok_bits[bit >> 6] >> (bit & 63)) & 1;
      ProbeResult& r = batch[n];
      r.sli = d.sli[i];
      r.unix_ms = tick_ms + d.offset_ms[i];
      r.ok = ok;
      r.latency_ms = ok ? 50.0 : 10000.0;
      if (++n == kBatch) {
        fn(absl::MakeConstSpan(batch.data(), n));
        n = 0;
      }
    }
  }
  if (n > 0) fn(absl::MakeConstSpan(batch.data(), n));
}

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) +
         1e-9 * static_cast<double>(ts.tv_nsec);
}

// Ingests p in batches, adding the wall and this thread's CPU time spent in
// Engine::Ingest to *wall and *cpu.
void IngestTimed(Engine& engine, const PointData& p, double* wall,
                 double* cpu) {
  std::chrono::steady_clock::duration spent{};
  double cpu_spent = 0;
  ForEachBatch(p, [&](absl::Span<const ProbeResult> batch) {
    const double c0 = ThreadCpuSeconds();
    const auto t0 = std::chrono::steady_clock::now();
    const absl::Status s = engine.Ingest(batch);
    spent += std::chrono::steady_clock::now() - t0;
    cpu_spent += ThreadCpuSeconds() - c0;
    if (!s.ok()) Die(s.ToString());
  });
  *wall += std::chrono::duration<double>(spent).count();
  *cpu += cpu_spent;
}

// An engine holding a point's data, one objective per service.
struct Loaded {
  std::unique_ptr<Engine> engine;
  std::vector<SliId> slis;
  std::vector<ObjectiveId> objectives;
  absl::Time at;                  // end of the data
  double ingest_seconds = 0;      // wall time spent in Engine::Ingest
  double ingest_cpu_seconds = 0;  // this thread's CPU time in it
};

// Loads d into a fresh engine, timing the Ingest calls only.
std::unique_ptr<Loaded> Load(const PointData& p) {
  auto l = std::make_unique<Loaded>();
  EngineOptions options;
  options.retention = absl::Hours(24 * 35);
  l->engine = std::make_unique<Engine>(options);
  const int services = p.point.series / kProbesPerService;
  for (int s = 0; s < services; ++s) {
    for (int p = 0; p < kProbesPerService; ++p) {
      SliSpec spec;
      spec.service = probes::ServiceName(s);
      spec.name = probes::ProbeName(p);
      const SliId id = l->engine->AddSli(spec).value();
      if (id != static_cast<SliId>(s * kProbesPerService + p)) {
        Die("SLI ids are not dense");
      }
      l->slis.push_back(id);
    }
  }
  IngestTimed(*l->engine, p, &l->ingest_seconds, &l->ingest_cpu_seconds);
  for (int s = 0; s < services; ++s) {
    ObjectiveSpec slo;
    slo.service = probes::ServiceName(s);
    slo.name = "availability";
    slo.target_percent = 99.9;
    slo.window = absl::StrCat(p.point.days, "d");
    l->objectives.push_back(l->engine->AddObjective(slo).value());
  }
  l->at = absl::FromUnixMillis(p.end_ms);
  return l;
}

// What is held in memory: the data of one series count and the engine of
// one of its points, loaded last.
struct Cache {
  std::unique_ptr<SeriesData> data;
  Point point;
  std::unique_ptr<Loaded> loaded;
};

// The point's data; generates it (dropping what was held) when needed.
PointData DataFor(Cache& c, Point point) {
  if (c.data == nullptr || c.data->series != point.series ||
      c.data->days < point.days) {
    c.loaded.reset();
    c.data.reset();
    c.data =
        Generate(point.series, std::max(point.days, MaxDays(point.series)));
  }
  if (!(c.point == point)) {
    c.loaded.reset();
    c.point = point;
  }
  return Slice(*c.data, point);
}

Cache& GetCache() {
  static Cache* cache = new Cache();
  return *cache;
}

const Loaded& GetLoaded(Point point) {
  Cache& c = GetCache();
  const PointData p = DataFor(c, point);
  if (c.loaded == nullptr) c.loaded = Load(p);
  return *c.loaded;
}

void SetPointCounters(benchmark::State& state, Point point) {
  state.counters["series"] = point.series;
  state.counters["days"] = point.days;
}

// As engine_benchmark's BM_IngestSingleThread: the last day of the point's
// results (series x 1,440) per iteration into one engine with default
// options, so iterations after the first add to minutes that exist.
void BM_Ingest(benchmark::State& state, Point point) {
  const PointData p = DataFor(GetCache(), point);
  PointData day = p;
  day.first_tick = p.data->ticks - 86400000 / p.data->interval_ms;
  day.start_ms = p.end_ms - 86400000;
  Engine engine;
  for (int i = 0; i < point.series; ++i) {
    SliSpec spec;
    spec.service = absl::StrCat("s", i);
    spec.name = "p";
    engine.AddSli(spec).value();
  }
  double wall = 0, cpu = 0;
  for (auto _ : state) {
    const double before = wall;
    IngestTimed(engine, day, &wall, &cpu);
    state.SetIterationTime(wall - before);
  }
  state.SetItemsProcessed(state.iterations() * day.results());
  // The same rate over this thread's CPU time in Ingest (less sensitive to
  // other load on the machine than the wall-clock items_per_second).
  state.counters["cpu_items_per_second"] =
      static_cast<double>(state.iterations() * day.results()) / cpu;
  SetPointCounters(state, point);
}

void BM_EngineMemory(benchmark::State& state, Point point) {
  const Loaded& l = GetLoaded(point);
  size_t bytes = 0;
  for (auto _ : state) {
    bytes = l.engine->MemoryUsage();
    benchmark::DoNotOptimize(bytes);
  }
  SetPointCounters(state, point);
  state.counters["total_bytes"] = static_cast<double>(bytes);
  state.counters["bytes_per_series"] =
      static_cast<double>(bytes) / point.series;
  // The load of the whole window that built this engine (one run).
  const double results = static_cast<double>(point.series) * point.days * 1440;
  state.counters["load_items_per_second"] = results / l.ingest_seconds;
  state.counters["load_cpu_items_per_second"] = results / l.ingest_cpu_seconds;
}

void BM_Availability(benchmark::State& state, Point point) {
  const Loaded& l = GetLoaded(point);
  const Interval window{l.at - absl::Hours(24 * point.days), l.at};
  int64_t sink = 0;
  for (auto _ : state) {
    for (SliId id : l.slis) sink += l.engine->Query(id, window)->good;
  }
  benchmark::DoNotOptimize(sink);
  SetPointCounters(state, point);
}

void BM_Budget(benchmark::State& state, Point point) {
  const Loaded& l = GetLoaded(point);
  double sink = 0;
  for (auto _ : state) {
    for (ObjectiveId id : l.objectives) {
      sink += l.engine->Evaluate(id, l.at)->budget.remaining;
    }
  }
  benchmark::DoNotOptimize(sink);
  SetPointCounters(state, point);
}

void BM_BurnRates6(benchmark::State& state, Point point) {
  const Loaded& l = GetLoaded(point);
  const std::vector<absl::Duration> windows = {
      absl::Minutes(5), absl::Minutes(30), absl::Hours(1),
      absl::Hours(6),   absl::Hours(24),   absl::Hours(72)};
  double sink = 0;
  for (auto _ : state) {
    for (ObjectiveId id : l.objectives) {
      sink += l.engine->BurnRatesAt(id, l.at, windows)->rates[0];
    }
  }
  benchmark::DoNotOptimize(sink);
  SetPointCounters(state, point);
}

void RegisterAll() {
  for (const Point& p : Points()) {
    const std::string suffix =
        absl::StrCat("/series:", p.series, "/days:", p.days);
    benchmark::RegisterBenchmark(("BM_Ingest" + suffix).c_str(), BM_Ingest, p)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_EngineMemory" + suffix).c_str(),
                                 BM_EngineMemory, p)
        ->Iterations(1)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("BM_Availability" + suffix).c_str(),
                                 BM_Availability, p)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("BM_Budget" + suffix).c_str(), BM_Budget, p)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("BM_BurnRates6" + suffix).c_str(),
                                 BM_BurnRates6, p)
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace
}  // namespace sla

int main(int argc, char** argv) {
  sla::RegisterAll();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
