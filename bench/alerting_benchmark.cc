// Benchmarks of burn-rate alert evaluation (sla/alerting.h) over a fleet of
// 10,000 objectives: the alerting issue's "evaluating all policies of
// 10,000 objectives takes <= 10 ms".
//
// Workload: 10,000 services, each with one probe a minute and one objective
// (availability 99.5 % over a rolling 30d window), 3 days of data from the
// synthetic generator (probes/synthetic.h; it makes at most 1000 services,
// so ten runs, seeds 1..10, are stacked: svc-00000 .. svc-09999), ingested
// minute by minute as a live engine receives it. The generator's own flaps
// and outages are kept (its base failure rates, 0.05..0.5 %, would put
// about 30 % of the fleet in ticket alerts against 99.9 %; against 99.5 %
// the alerts come from outages). On top, 3.1 % of the services (every
// 32nd) are in a hard outage (every probe fails) that starts between 2h
// before and 2h after the last 6h of data begin, so page and ticket alerts
// are pending, firing and changing state while the benchmark runs. The
// policy is the default: the 30d workbook tiers (4 tiers, 7 distinct
// windows: 5m 30m 1h 2h 6h 1d 3d). The `/4` variants give every service 4
// probes (40,000 series), pooled in its objective. Figures and profile:
// bench/FORECAST_BACKTEST.md.
//
//   build/alerting_benchmark --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
//
// SLAKIT_BENCH_SMOKE=1 (the smoke test) shrinks the fleet to 200 services
// and 1 day; SLAKIT_BENCH_SERVICES=N sets the number of services.

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "benchmark/benchmark.h"
#include "probes/synthetic.h"
#include "sla/alerting.h"
#include "sla/engine.h"
#include "sla/objective.h"

namespace sla {
namespace {

bool Smoke() { return std::getenv("SLAKIT_BENCH_SMOKE") != nullptr; }

// Fleet size: 10,000 services; 200 in smoke mode; SLAKIT_BENCH_SERVICES=N
// overrides both (e.g. a smaller fleet under valgrind).
int FleetServices() {
  const char* n = std::getenv("SLAKIT_BENCH_SERVICES");
  if (n != nullptr && std::atoi(n) > 0) return std::atoi(n);
  return Smoke() ? 200 : 10000;
}

constexpr int kGeneratorMaxServices = 1000;
constexpr int kOutageEvery = 32;       // every 32nd service: 3.1 %
constexpr int kHeldBackMinutes = 360;  // the last 6h: BM_TrackerRound ingests

// The fleet: the generator's output (compact: each series' phase offset
// and one ok bit per minute), an engine loaded with all but the last 6h of
// it in time order, as a live engine would have received it, and the
// state of the steady-state benchmark.
struct Fleet {
  int services = 0;
  int probes = 0;
  int64_t start_ms = 0;
  int64_t minutes = 0;             // of data
  int64_t outage_from_minute = 0;  // of the first outage service
  std::vector<int32_t> offset_ms;  // per series (SliId)
  std::vector<uint64_t> ok_bits;   // bit minute * series + SliId

  std::unique_ptr<Engine> engine;
  std::vector<ObjectiveId> objectives;
  int64_t loaded_minutes = 0;  // data of minutes before this is ingested
  std::unique_ptr<AlertTracker> tracker;  // default policy, shared by runs
  absl::Time tracker_at;                  // its latest evaluation time
  bool tracker_ready = false;             // evaluated every objective once
  size_t memory = 0;

  size_t series() const { return offset_ms.size(); }
  absl::Time loaded_until() const {
    return absl::FromUnixMillis(start_ms + loaded_minutes * 60000);
  }

  // Ingests the results of data minute `loaded_minutes`, if any are left.
  void IngestNextMinute(std::vector<ProbeResult>* buffer) {
    if (loaded_minutes >= minutes) return;
    const int64_t m = loaded_minutes++;
    buffer->clear();
    const size_t n = series();
    for (size_t id = 0; id < n; ++id) {
      const size_t bit = static_cast<size_t>(m) * n + id;
      bool ok = (ok_bits[bit / 64] >> (bit % 64)) & 1;
      const int s = static_cast<int>(id) / probes;
      if (s % kOutageEvery == kOutageEvery - 1 &&
          m >= outage_from_minute + (s / kOutageEvery * 37) % 240) {
        ok = false;  // hard outage: every probe fails
      }
      buffer->push_back(ProbeResult{static_cast<SliId>(id),
                                    start_ms + m * 60000 + offset_ms[id], ok,
                                    ok ? 50.0 : 10000.0});
    }
    if (!engine->Ingest(*buffer).ok()) std::abort();
  }
};

std::unique_ptr<Fleet> BuildFleet(int probes) {
  auto fleet = std::make_unique<Fleet>();
  fleet->services = FleetServices();
  fleet->probes = probes;
  const int days = Smoke() ? 1 : 3;
  fleet->minutes = int64_t{days} * 1440;
  const size_t n = static_cast<size_t>(fleet->services) * probes;
  fleet->offset_ms.resize(n);
  fleet->ok_bits.resize((static_cast<size_t>(fleet->minutes) * n + 63) / 64);

  // The generator makes at most 1000 services; stack runs of seeds 1, 2...
  probes::WorkloadOptions options;
  options.probes_per_service = probes;
  options.days = days;
  options.tail_incident = false;
  fleet->start_ms = options.start_s * 1000;
  for (int first = 0; first < fleet->services; first += kGeneratorMaxServices) {
    options.services = std::min(kGeneratorMaxServices, fleet->services - first);
    options.seed = static_cast<uint64_t>(first / kGeneratorMaxServices + 1);
    int64_t minute = 0;
    probes::GenerateWorkload(
        options,
        [&](absl::Span<const probes::SyntheticResult> tick) {
          for (const probes::SyntheticResult& r : tick) {
            const size_t id =
                static_cast<size_t>(first + r.service) * probes + r.probe;
            fleet->offset_ms[id] = static_cast<int32_t>(
                r.unix_ms - fleet->start_ms - minute * 60000);
            const size_t bit = static_cast<size_t>(minute) * n + id;
            if (r.ok) fleet->ok_bits[bit / 64] |= uint64_t{1} << (bit % 64);
          }
          ++minute;
        })
        .value();
  }

  fleet->engine = std::make_unique<Engine>();
  Engine& engine = *fleet->engine;
  for (int s = 0; s < fleet->services; ++s) {
    for (int p = 0; p < probes; ++p) {
      SliSpec spec;
      spec.service = absl::StrFormat("svc-%05d", s);
      spec.name = probes::ProbeName(p);
      engine.AddSli(spec).value();  // ids: s * probes + p
    }
  }
  // Outages start from 2h before the held-back 6h to 2h into them.
  fleet->outage_from_minute = fleet->minutes - kHeldBackMinutes - 120;
  std::vector<ProbeResult> buffer;
  buffer.reserve(n);
  while (fleet->loaded_minutes < fleet->minutes - kHeldBackMinutes) {
    fleet->IngestNextMinute(&buffer);
  }

  for (int s = 0; s < fleet->services; ++s) {
    ObjectiveSpec slo;
    slo.service = absl::StrFormat("svc-%05d", s);
    slo.name = "availability";
    slo.target_percent = 99.5;
    slo.window = "30d";
    fleet->objectives.push_back(engine.AddObjective(slo).value());
  }
  fleet->memory = engine.MemoryUsage();
  fleet->tracker = std::make_unique<AlertTracker>();
  fleet->tracker_at = fleet->loaded_until();
  return fleet;
}

// Built on first use; the 2-thread benchmark's threads may both ask.
Fleet& GetFleet(int probes) {
  static absl::Mutex mu(absl::kConstInit);
  static auto* fleets = new std::map<int, std::unique_ptr<Fleet>>();
  absl::MutexLock lock(&mu);
  std::unique_ptr<Fleet>& slot = (*fleets)[probes];
  if (!slot) slot = BuildFleet(probes);
  return *slot;
}

// Counters are summed over threads; each thread evaluates its share.
void SetCounters(benchmark::State& state, const Fleet& fleet) {
  const double n =
      static_cast<double>(fleet.objectives.size()) / state.threads();
  state.counters["objectives"] = n;
  state.counters["series"] = n * fleet.probes;
  // Seconds per objective (shown as e.g. 600n).
  state.counters["per_objective"] =
      benchmark::Counter(n, benchmark::Counter::kIsIterationInvariantRate |
                                benchmark::Counter::kInvert);
}

// (a) Stateless: EvaluateBurnTiers of every objective at one time, with
// the default policy (empty tiers: each call derives the 30d tiers). With
// 2 threads (the engine is thread-safe), each evaluates every other
// objective and the time is the wall time of a whole round.
void BM_EvaluateBurnTiersAll(benchmark::State& state) {
  Fleet& fleet = GetFleet(static_cast<int>(state.range(0)));
  const AlertPolicy policy;
  const absl::Time at = fleet.loaded_until();
  const size_t n = fleet.objectives.size();
  const size_t step = static_cast<size_t>(state.threads());
  int64_t alerting = 0;
  for (auto _ : state) {
    alerting = 0;
    for (size_t i = static_cast<size_t>(state.thread_index()); i < n;
         i += step) {
      absl::StatusOr<std::vector<TierEvaluation>> e =
          EvaluateBurnTiers(*fleet.engine, fleet.objectives[i], at, policy);
      if (!e.ok()) std::abort();
      alerting +=
          std::any_of(e->begin(), e->end(),
                      [](const TierEvaluation& t) { return t.alerting(); });
    }
  }
  SetCounters(state, fleet);
  state.counters["alerting"] = static_cast<double>(alerting);
  if (state.thread_index() == 0) {
    state.counters["engine_MiB"] =
        static_cast<double>(fleet.memory) / (1 << 20);
  }
}
BENCHMARK(BM_EvaluateBurnTiersAll)
    ->Arg(1)
    ->Arg(4)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EvaluateBurnTiersAll)
    ->Arg(1)
    ->Threads(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// (a') The same with the 30d tiers given explicitly (no per-call
// derivation of the defaults): what a caller holding its tiers pays.
void BM_EvaluateBurnTiersAllExplicitTiers(benchmark::State& state) {
  Fleet& fleet = GetFleet(static_cast<int>(state.range(0)));
  AlertPolicy policy;
  policy.tiers = DefaultBurnTiers(absl::Hours(24 * 30)).value();
  const absl::Time at = fleet.loaded_until();
  for (auto _ : state) {
    for (ObjectiveId id : fleet.objectives) {
      benchmark::DoNotOptimize(
          EvaluateBurnTiers(*fleet.engine, id, at, policy));
    }
  }
  SetCounters(state, fleet);
}
BENCHMARK(BM_EvaluateBurnTiersAllExplicitTiers)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);

// (a'') The floor: the engine's BurnRatesAt over the 7 distinct windows of
// every objective, which is all the counting the tiers need.
void BM_BurnRates7WindowsAll(benchmark::State& state) {
  Fleet& fleet = GetFleet(static_cast<int>(state.range(0)));
  const absl::Duration windows[] = {
      absl::Hours(1),  absl::Minutes(5), absl::Hours(6), absl::Minutes(30),
      absl::Hours(24), absl::Hours(2),   absl::Hours(72)};
  const absl::Time at = fleet.loaded_until();
  for (auto _ : state) {
    for (ObjectiveId id : fleet.objectives) {
      benchmark::DoNotOptimize(fleet.engine->BurnRatesAt(id, at, windows));
    }
  }
  SetCounters(state, fleet);
}
BENCHMARK(BM_BurnRates7WindowsAll)->Arg(1)->Unit(benchmark::kMillisecond);

// (b) Steady state: every iteration is one evaluation round a minute later
// than the previous one. The minute's results (one per series) are
// ingested first, untimed, while the held-back 6h last; then one
// AlertTracker (default policy, shared by every run so its alerts carry
// over) evaluates all objectives at the end of that minute. The first
// round of the process (tracker set-up) is untimed.
void BM_TrackerRound(benchmark::State& state) {
  Fleet& fleet = GetFleet(static_cast<int>(state.range(0)));
  auto round = [&fleet](int64_t* events) {
    for (ObjectiveId id : fleet.objectives) {
      absl::StatusOr<std::vector<AlertEvent>> e =
          fleet.tracker->Evaluate(*fleet.engine, id, fleet.tracker_at);
      if (!e.ok()) std::abort();
      *events += static_cast<int64_t>(e->size());
    }
  };
  std::vector<ProbeResult> buffer;
  auto advance = [&fleet, &buffer] {
    // The minute that ends at the next evaluation (none past the data).
    fleet.IngestNextMinute(&buffer);
    fleet.tracker_at += absl::Minutes(1);
  };
  int64_t events = 0;
  if (!fleet.tracker_ready) {
    round(&events);  // first use: per-objective set-up
    fleet.tracker_ready = true;
  }
  events = 0;
  for (auto _ : state) {
    state.PauseTiming();
    advance();
    state.ResumeTiming();
    round(&events);
  }
  SetCounters(state, fleet);
  state.counters["events_per_round"] = benchmark::Counter(
      static_cast<double>(events), benchmark::Counter::kAvgIterations);
  state.counters["active"] =
      static_cast<double>(fleet.tracker->Active().size());
  state.counters["minutes_to_data_end"] =
      static_cast<double>(fleet.minutes - fleet.loaded_minutes);
}
BENCHMARK(BM_TrackerRound)
    ->Arg(1)
    ->Arg(4)
    ->Iterations(50)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sla

BENCHMARK_MAIN();
