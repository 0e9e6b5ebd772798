// Benchmarks of the engine on the synthetic workload (probes/synthetic.h).
//
// The workload is the `default` preset: 50 services x 4 probes x 30 days at
// one probe a minute (8.64 M results), the same shape as the peer
// comparison's. Set SLAKIT_BENCH_PRESET=tiny (the smoke test does) for a
// quick run.
//
//   build/engine_benchmark --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "probes/synthetic.h"
#include "sla/engine.h"

namespace sla {
namespace {

std::string PresetName() {
  const char* p = std::getenv("SLAKIT_BENCH_PRESET");
  if (p != nullptr) return p;
  return std::getenv("SLAKIT_BENCH_SMOKE") != nullptr ? "tiny" : "default";
}

struct Workload {
  probes::WorkloadOptions options;
  std::vector<ProbeResult> results;  // sli = service * probes + probe
  absl::Time at;                     // end of the data
  int series = 0;
};

const Workload& GetWorkload(int extra_days = 0) {
  static auto* cache =
      new absl::flat_hash_map<int, std::unique_ptr<Workload>>();
  std::unique_ptr<Workload>& slot = (*cache)[extra_days];
  if (slot) return *slot;
  slot = std::make_unique<Workload>();
  slot->options = probes::WorkloadPreset(PresetName()).value();
  slot->options.days += extra_days;
  slot->series = slot->options.services * slot->options.probes_per_service;
  slot->results.reserve(static_cast<size_t>(slot->series) * slot->options.days *
                        86400 / slot->options.interval_s);
  const int probes = slot->options.probes_per_service;
  probes::WorkloadSummary summary =
      probes::GenerateWorkload(
          slot->options,
          [&](absl::Span<const probes::SyntheticResult> tick) {
            for (const probes::SyntheticResult& r : tick) {
              slot->results.push_back(
                  ProbeResult{static_cast<SliId>(r.service * probes + r.probe),
                              r.unix_ms, r.ok, r.latency_ms});
            }
          })
          .value();
  slot->at = absl::FromUnixMillis(summary.end_ms);
  return *slot;
}

// An engine loaded with the workload, one objective per service.
struct Loaded {
  std::unique_ptr<Engine> engine;
  std::vector<SliId> slis;
  std::vector<ObjectiveId> objectives;
};

std::unique_ptr<Loaded> Load(const Workload& w) {
  auto l = std::make_unique<Loaded>();
  EngineOptions options;
  options.retention = absl::Hours(24 * 35);
  l->engine = std::make_unique<Engine>(options);
  for (int s = 0; s < w.options.services; ++s) {
    for (int p = 0; p < w.options.probes_per_service; ++p) {
      SliSpec spec;
      spec.service = probes::ServiceName(s);
      spec.name = probes::ProbeName(p);
      l->slis.push_back(l->engine->AddSli(spec).value());
    }
  }
  constexpr size_t kBatch = 1 << 16;
  for (size_t i = 0; i < w.results.size(); i += kBatch) {
    const size_t n = std::min(kBatch, w.results.size() - i);
    if (!l->engine->Ingest(absl::MakeConstSpan(&w.results[i], n)).ok()) {
      std::abort();
    }
  }
  for (int s = 0; s < w.options.services; ++s) {
    ObjectiveSpec slo;
    slo.service = probes::ServiceName(s);
    slo.name = "availability";
    slo.target_percent = 99.9;
    slo.window = absl::StrCat(w.options.days, "d");
    l->objectives.push_back(l->engine->AddObjective(slo).value());
  }
  return l;
}

const Loaded& GetLoaded() {
  static const Loaded* loaded = Load(GetWorkload()).release();
  return *loaded;
}

// Single-thread ingest of pre-resolved results, in batches of 64 Ki.
void BM_IngestSingleThread(benchmark::State& state) {
  const Workload& w = GetWorkload();
  const size_t batch = static_cast<size_t>(state.range(0));
  // One day of results (288,000 for the default preset) per iteration.
  const size_t n =
      std::min(w.results.size(), static_cast<size_t>(w.series) * 1440);
  EngineOptions options;
  Engine engine(options);
  for (int i = 0; i < w.series; ++i) {
    SliSpec spec;
    spec.service = absl::StrCat("s", i);
    spec.name = "p";
    engine.AddSli(spec).value();
  }
  for (auto _ : state) {
    for (size_t i = 0; i < n; i += batch) {
      const size_t k = std::min(batch, n - i);
      benchmark::DoNotOptimize(
          engine.Ingest(absl::MakeConstSpan(&w.results[i], k)));
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(BM_IngestSingleThread)->Arg(1 << 10)->Arg(1 << 16);

// 30-day availability of every series (200 for the default preset).
void BM_AvailabilityAllSeries(benchmark::State& state) {
  const Workload& w = GetWorkload();
  const Loaded& l = GetLoaded();
  const Interval window{w.at - absl::Hours(24 * w.options.days), w.at};
  int64_t sink = 0;
  for (auto _ : state) {
    for (SliId id : l.slis) sink += l.engine->Query(id, window)->good;
  }
  benchmark::DoNotOptimize(sink);
  state.counters["series"] = static_cast<double>(l.slis.size());
}
BENCHMARK(BM_AvailabilityAllSeries)->Unit(benchmark::kMicrosecond);

// Error budget (remaining) of every service's 30-day objective.
void BM_BudgetAllServices(benchmark::State& state) {
  const Workload& w = GetWorkload();
  const Loaded& l = GetLoaded();
  double sink = 0;
  for (auto _ : state) {
    for (ObjectiveId id : l.objectives) {
      sink += l.engine->Evaluate(id, w.at)->budget.remaining;
    }
  }
  benchmark::DoNotOptimize(sink);
  state.counters["services"] = static_cast<double>(l.objectives.size());
}
BENCHMARK(BM_BudgetAllServices)->Unit(benchmark::kMicrosecond);

// Burn rates for every service over 5m, 30m, 1h, 6h (Arg 4: the two page
// tiers); 5m, 30m, 1h, 6h, 1d, 3d (Arg 6: the README's six-window target);
// or 5m, 30m, 1h, 2h, 6h, 1d, 3d (Arg 7: every window of the 30d workbook
// tiers).
void BM_BurnRatesAllServices(benchmark::State& state) {
  const Workload& w = GetWorkload();
  const Loaded& l = GetLoaded();
  const std::vector<absl::Duration> windows = {
      absl::Minutes(5), absl::Minutes(30), absl::Hours(1), absl::Hours(6)};
  const std::vector<absl::Duration> six = {absl::Minutes(5), absl::Minutes(30),
                                           absl::Hours(1),   absl::Hours(6),
                                           absl::Hours(24),  absl::Hours(72)};
  const std::vector<absl::Duration> all = {
      absl::Minutes(5), absl::Minutes(30), absl::Hours(1), absl::Hours(2),
      absl::Hours(6),   absl::Hours(24),   absl::Hours(72)};
  const std::vector<absl::Duration>& use = state.range(0) == 4   ? windows
                                           : state.range(0) == 6 ? six
                                                                 : all;
  double sink = 0;
  for (auto _ : state) {
    for (ObjectiveId id : l.objectives) {
      sink += l.engine->BurnRatesAt(id, w.at, use)->rates[0];
    }
  }
  benchmark::DoNotOptimize(sink);
}
BENCHMARK(BM_BurnRatesAllServices)
    ->Arg(4)
    ->Arg(6)
    ->Arg(7)
    ->Unit(benchmark::kMicrosecond);

// Daily availability of every service over the whole workload (30 points
// per service for the default preset).
void BM_DailyAvailabilityRange(benchmark::State& state) {
  const Workload& w = GetWorkload();
  const Loaded& l = GetLoaded();
  const int probes = w.options.probes_per_service;
  const absl::Time from = w.at - absl::Hours(24 * w.options.days);
  int64_t sink = 0;
  for (auto _ : state) {
    for (int s = 0; s < w.options.services; ++s) {
      auto slis = absl::MakeConstSpan(&l.slis[s * probes], probes);
      sink += (*l.engine->QueryRange(slis, from, absl::Hours(24),
                                     w.options.days))[0]
                  .good;
    }
  }
  benchmark::DoNotOptimize(sink);
}
BENCHMARK(BM_DailyAvailabilityRange)->Unit(benchmark::kMicrosecond);

// Engine memory per probe-success series with 35 days of one-a-minute data
// (the default retention), reported as the counter bytes_per_series.
void BM_MemoryPerSeries35d(benchmark::State& state) {
  const Workload& base = GetWorkload();
  const Workload& w =
      GetWorkload(35 - base.options.days > 0 ? 35 - base.options.days : 0);
  std::unique_ptr<Loaded> l;
  for (auto _ : state) {
    state.PauseTiming();
    l.reset();
    state.ResumeTiming();
    l = Load(w);
  }
  state.counters["bytes_per_series"] =
      static_cast<double>(l->engine->MemoryUsage()) / w.series;
  state.counters["days"] = w.options.days;
}
BENCHMARK(BM_MemoryPerSeries35d)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sla

BENCHMARK_MAIN();
