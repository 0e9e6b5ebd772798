// Backtest of the budget-exhaustion early warning (sla/forecast.h) on the
// synthetic workload (probes/synthetic.h).
//
// For each seed, the generator's workload (warm-up + evaluation days) is
// replayed hour by hour into an Engine: one objective per service over all
// its probes, `--target` over a rolling 30d window. After the warm-up (so
// the 30d window is full and the budget is a real month's), at every hour
// boundary T it computes sla::ForecastExhaustion(engine, service, T,
// --trend) and the remaining budget (the same call).
//
//   warning at T:    remaining > 0 and the forecast exhaustion <= T + X
//   exhaustion:      the first hour boundary of the evaluation at which
//                    remaining <= 0 (services already at <= 0 when the
//                    evaluation starts are left out, and counted)
//   episode:         a maximal run of consecutive hourly warnings of one
//                    service before its exhaustion
//   precision:       episodes followed by the exhaustion within X of their
//                    last warning / episodes whose outcome is known (an
//                    episode ending within X of the data's end without an
//                    exhaustion is censored, not counted)
//   hourly precision: the same per hourly warning
//   recall:          exhaustions with a warning in [t - X, t) / exhaustions
//   lead time:       t - the first warning in [t - X, t) (true positives;
//                    at most X, a multiple of the 1h evaluation step)
//
// For comparison, every run also scores a rolling-aware projection that
// exists only here: the same trend held constant, but the 30d window is
// projected hour by hour over X, crediting the errors that leave it (the
// library's forecast does not; see sla/forecast.h). `--trend=6h,1h,3d`
// scores several trend windows on one replay (the first is the headline);
// `--warn-below=0.25` warns only while at most 25 % of the budget is left.
//
//   build/forecast_backtest                      # 10 seeds, the defaults
//   build/forecast_backtest --seeds=3 --trend=24h,3d --horizon=48h
//   build/forecast_backtest --smoke              # 1 seed, small (ctest)
//
// Not a Google Benchmark: a plain program whose output is the table in
// bench/FORECAST_BACKTEST.md.

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "probes/synthetic.h"
#include "sla/engine.h"
#include "sla/forecast.h"
#include "sla/objective.h"
#include "sla/window.h"

namespace sla {
namespace {

struct Flags {
  int seeds = 10;  // seeds first_seed .. first_seed + seeds - 1
  int first_seed = 1;
  int services = 100;    // per seed (generator limit 1000)
  int probes = 4;        // per service, pooled into its objective
  int warmup_days = 30;  // fills the 30d window before any evaluation
  int eval_days = 60;    // hours evaluated: eval_days * 24
  double target = 99.5;
  absl::Duration horizon = absl::Hours(72);  // X, whole hours
  // Warn only while the remaining budget is at most this fraction (1: no
  // gate).
  double warn_below = 1.0;
  // The forecast's trend windows; the first is the headline, the others
  // are scored on the same replay for comparison.
  std::vector<absl::Duration> trends = {absl::Hours(6)};
  int threads = 2;
  bool smoke = false;
};

void Usage() {
  std::fprintf(
      stderr,
      "usage: forecast_backtest [--seeds=N] [--first-seed=N] [--services=N]\n"
      "  [--probes=N] [--warmup-days=N] [--eval-days=N] [--target=PCT]\n"
      "  [--horizon=DURATION] [--trend=DURATION[,DURATION...]]\n"
      "  [--warn-below=FRACTION] [--threads=N] [--smoke]\n"
      "Durations: 90m, 72h, 3d. Defaults: 10\n"
      "seeds from 1, 100 services x 4 probes, 30 + 60 days, 99.5, 72h, 6h.\n");
}

// absl::ParseDuration ("90m", "72h") plus whole days ("3d").
bool ParseDurationFlag(absl::string_view text, absl::Duration* d) {
  int days = 0;
  if (absl::ConsumeSuffix(&text, "d")) {
    if (!absl::SimpleAtoi(text, &days)) return false;
    *d = absl::Hours(24) * days;
    return true;
  }
  return absl::ParseDuration(text, d);
}

bool ParseFlags(int argc, char** argv, Flags* f) {
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--smoke") {
      f->smoke = true;
      f->seeds = 1;
      f->services = 20;
      f->warmup_days = 30;
      f->eval_days = 10;
      continue;
    }
    if (arg == "--help" || arg == "-h") return false;
    const size_t eq = arg.find('=');
    if (!absl::StartsWith(arg, "--") || eq == absl::string_view::npos) {
      std::fprintf(stderr, "forecast_backtest: bad argument '%s'\n", argv[i]);
      return false;
    }
    const absl::string_view name = arg.substr(2, eq - 2);
    const std::string value(arg.substr(eq + 1));
    bool ok = false;
    if (name == "seeds") {
      ok = absl::SimpleAtoi(value, &f->seeds) && f->seeds > 0;
    } else if (name == "first-seed") {
      ok = absl::SimpleAtoi(value, &f->first_seed);
    } else if (name == "services") {
      ok = absl::SimpleAtoi(value, &f->services);
    } else if (name == "probes") {
      ok = absl::SimpleAtoi(value, &f->probes);
    } else if (name == "warmup-days") {
      ok = absl::SimpleAtoi(value, &f->warmup_days) && f->warmup_days >= 1;
    } else if (name == "eval-days") {
      ok = absl::SimpleAtoi(value, &f->eval_days) && f->eval_days > 0;
    } else if (name == "target") {
      ok = absl::SimpleAtod(value, &f->target);
    } else if (name == "horizon") {
      ok = ParseDurationFlag(value, &f->horizon) &&
           f->horizon >= absl::Hours(1) &&
           absl::Trunc(f->horizon, absl::Hours(1)) == f->horizon;
    } else if (name == "trend") {
      f->trends.clear();
      ok = true;
      for (absl::string_view t : absl::StrSplit(value, ',')) {
        absl::Duration d;
        ok = ok && ParseDurationFlag(t, &d) && d >= absl::Minutes(1);
        f->trends.push_back(d);
      }
    } else if (name == "warn-below") {
      ok = absl::SimpleAtod(value, &f->warn_below) && f->warn_below > 0;
    } else if (name == "threads") {
      ok = absl::SimpleAtoi(value, &f->threads) && f->threads > 0;
    }
    if (!ok) {
      std::fprintf(stderr, "forecast_backtest: bad flag '%s'\n", argv[i]);
      return false;
    }
  }
  return true;
}

// Per service and evaluated hour: what the replay saw.
struct HourState {
  bool exhausted = false;  // remaining <= 0
  bool warning = false;    // remaining > 0 and exhaustion forecast within X
};

struct SeedResult {
  uint64_t seed = 0;
  absl::Status status;
  int services = 0;
  int exhausted_at_start = 0;  // left out
  int exhaustions = 0;
  int detected = 0;  // exhaustions with a warning in the X before
  int episodes = 0;  // with a known outcome
  int true_episodes = 0;
  int censored_episodes = 0;
  int64_t hourly = 0;  // with a known outcome
  int64_t true_hourly = 0;
  std::vector<int> lead_hours;  // of the detected exhaustions
  int64_t results = 0;          // probe results replayed
  double seconds = 0;
};

// Scores one service's hours [0, n) (hour 0 is the end of the warm-up).
void Score(absl::Span<const HourState> hours, int x_hours, SeedResult* r) {
  const int n = static_cast<int>(hours.size());
  if (n == 0) return;
  if (hours[0].exhausted) {
    ++r->exhausted_at_start;
    return;
  }
  int t = -1;  // the exhaustion hour
  for (int h = 0; h < n; ++h) {
    if (hours[h].exhausted) {
      t = h;
      break;
    }
  }
  const int end = t >= 0 ? t : n;  // warnings before the exhaustion
  // Whether the outcome of a warning at hour h is known: exhaustion seen
  // within X, or X hours of data after h without one.
  auto known = [&](int h) { return t >= 0 || h + x_hours <= n - 1; };
  auto correct = [&](int h) { return t >= 0 && t - h <= x_hours; };
  for (int h = 0; h < end; ++h) {
    if (!hours[h].warning) continue;
    if (correct(h) || known(h)) {
      ++r->hourly;
      if (correct(h)) ++r->true_hourly;
    }
    if (h + 1 < end && hours[h + 1].warning) continue;  // not its last hour
    if (correct(h)) {
      ++r->episodes;
      ++r->true_episodes;
    } else if (known(h)) {
      ++r->episodes;
    } else {
      ++r->censored_episodes;
    }
  }
  if (t < 0) return;
  ++r->exhaustions;
  for (int h = std::max(0, t - x_hours); h < t; ++h) {
    if (hours[h].warning) {
      ++r->detected;
      r->lead_hours.push_back(t - h);
      break;
    }
  }
}

// The estimators scored: variant v is estimator v / trends.size() over
// trend window f.trends[v % trends.size()].
enum Estimator {
  // sla::ForecastExhaustion: remaining * 30d / burn, the burn of the trend
  // window held constant.
  kLibrary = 0,
  // Backtest only, for comparison: the same trend held constant, but the
  // rolling window is projected hour by hour for X, so the errors that
  // leave the window meanwhile are credited (warn when the projected
  // remaining budget reaches 0 at any hour within X).
  kRollingAware = 1,
  kNumEstimators = 2,
};
constexpr const char* kEstimatorNames[kNumEstimators] = {
    "sla::ForecastExhaustion", "rolling-aware projection (backtest only)"};

// One replay of one seed, scored for every variant (see Estimator). On
// error, the first result's status says why.
std::vector<SeedResult> RunSeed(const Flags& f, uint64_t seed) {
  const size_t n_trends = f.trends.size();
  const size_t n_variants = n_trends * kNumEstimators;
  std::vector<SeedResult> r(n_variants);
  for (SeedResult& x : r) x.seed = seed;
  const absl::Time wall_start = absl::Now();
  probes::WorkloadOptions options;
  options.services = f.services;
  options.probes_per_service = f.probes;
  options.days = f.warmup_days + f.eval_days;
  options.seed = seed;
  // The two tail incidents run into the end of the data, where warnings
  // are censored anyway; leave them out.
  options.tail_incident = false;
  if (absl::Status s = probes::ValidateWorkloadOptions(options); !s.ok()) {
    r[0].status = s;
    return r;
  }

  Engine engine;  // 35d retention: the 30d window plus margin
  std::vector<ObjectiveId> objectives;
  for (int s = 0; s < f.services; ++s) {
    for (int p = 0; p < f.probes; ++p) {
      SliSpec spec;
      spec.service = probes::ServiceName(s);
      spec.name = probes::ProbeName(p);
      absl::StatusOr<SliId> id = engine.AddSli(spec);  // s * probes + p
      if (!id.ok()) {
        r[0].status = id.status();
        return r;
      }
    }
    ObjectiveSpec slo;
    slo.service = probes::ServiceName(s);
    slo.name = "availability";
    slo.target_percent = f.target;
    slo.window = "30d";
    absl::StatusOr<ObjectiveId> id = engine.AddObjective(slo);
    if (!id.ok()) {
      r[0].status = id.status();
      return r;
    }
    objectives.push_back(*id);
  }

  const int64_t start_ms = options.start_s * 1000;
  const int64_t warmup_hours = int64_t{24} * f.warmup_days;
  const int eval_hours = 24 * f.eval_days + 1;  // boundaries, both ends
  // hours[variant][service][hour since the end of the warm-up]
  std::vector<std::vector<std::vector<HourState>>> hours(
      n_variants, std::vector<std::vector<HourState>>(
                      f.services, std::vector<HourState>(eval_hours)));
  // Per service, hourly bad and total counts since the start of the data
  // (for the rolling-aware projection), and their prefix sums at the hour
  // boundaries evaluated so far.
  const int64_t data_hours = int64_t{24} * options.days;
  std::vector<std::vector<int64_t>> hour_bad(
      f.services, std::vector<int64_t>(data_hours, 0));
  std::vector<std::vector<int64_t>> hour_total(
      f.services, std::vector<int64_t>(data_hours, 0));
  std::vector<std::vector<int64_t>> cum_bad(
      f.services, std::vector<int64_t>(data_hours + 1, 0));
  std::vector<std::vector<int64_t>> cum_total(
      f.services, std::vector<int64_t>(data_hours + 1, 0));
  const double slack = 1.0 - f.target / 100.0;
  const int64_t x_hours = absl::ToInt64Hours(f.horizon);
  constexpr int64_t kWindowHours = 24 * 30;
  std::vector<ProbeResult> batch;
  int64_t tick = 0;
  int64_t replayed = 0;
  absl::Status failure;

  // Ingests the pending hour, then evaluates at its end (hour index `hour`
  // since the start of the data) once the warm-up is over.
  auto flush = [&](int64_t hour) {
    if (!failure.ok()) return;
    if (!batch.empty()) {
      failure = engine.Ingest(batch);
      replayed += static_cast<int64_t>(batch.size());
      batch.clear();
      if (!failure.ok()) return;
    }
    for (int s = 0; s < f.services; ++s) {
      cum_bad[s][hour] = cum_bad[s][hour - 1] + hour_bad[s][hour - 1];
      cum_total[s][hour] = cum_total[s][hour - 1] + hour_total[s][hour - 1];
    }
    const int64_t k = hour - warmup_hours;
    if (k < 0 || k >= eval_hours) return;
    const absl::Time at = absl::FromUnixMillis(start_ms + hour * 3600000);
    for (size_t t = 0; t < n_trends; ++t) {
      const int64_t w =
          std::min(hour, std::max<int64_t>(1, absl::ToInt64Hours(f.trends[t])));
      for (int s = 0; s < f.services; ++s) {
        absl::StatusOr<ExhaustionForecast> fc =
            ForecastExhaustion(engine, objectives[s], at, f.trends[t]);
        if (!fc.ok()) {
          failure = fc.status();
          return;
        }
        const bool exhausted = fc->budget_remaining <= 0;
        const bool gate = fc->budget_remaining <= f.warn_below;
        HourState& lib = hours[kLibrary * n_trends + t][s][k];
        lib.exhausted = exhausted;
        lib.warning = !exhausted && gate && fc->exhaustion.has_value() &&
                      *fc->exhaustion <= at + f.horizon;

        HourState& ra = hours[kRollingAware * n_trends + t][s][k];
        ra.exhausted = exhausted;
        if (exhausted || !gate) continue;
        const std::vector<int64_t>& cb = cum_bad[s];
        const std::vector<int64_t>& ct = cum_total[s];
        const double bad_rate =
            static_cast<double>(cb[hour] - cb[hour - w]) / w;
        const double total_rate =
            static_cast<double>(ct[hour] - ct[hour - w]) / w;
        if (!(bad_rate > 0)) continue;
        for (int64_t end = hour + 1; end <= hour + x_hours; ++end) {
          const int64_t from = std::max<int64_t>(0, end - kWindowHours);
          const double ahead = static_cast<double>(end - hour);
          const double bad =
              static_cast<double>(cb[hour] - cb[std::min(from, hour)]) +
              bad_rate * ahead;
          const double total =
              static_cast<double>(ct[hour] - ct[std::min(from, hour)]) +
              total_rate * ahead;
          if (bad >= slack * total) {
            ra.warning = true;
            break;
          }
        }
      }
    }
  };

  absl::StatusOr<probes::WorkloadSummary> summary = probes::GenerateWorkload(
      options, [&](absl::Span<const probes::SyntheticResult> results) {
        const int64_t tick_ms = start_ms + tick * options.interval_s * 1000;
        ++tick;
        if ((tick_ms - start_ms) % 3600000 == 0 && tick_ms > start_ms) {
          flush((tick_ms - start_ms) / 3600000);
        }
        const int64_t h = (tick_ms - start_ms) / 3600000;
        for (const probes::SyntheticResult& x : results) {
          batch.push_back(
              ProbeResult{static_cast<SliId>(x.service * f.probes + x.probe),
                          x.unix_ms, x.ok, x.latency_ms});
          hour_bad[x.service][h] += x.ok ? 0 : 1;
          ++hour_total[x.service][h];
        }
      });
  if (!summary.ok()) {
    r[0].status = summary.status();
    return r;
  }
  flush((summary->end_ms - start_ms) / 3600000);
  if (!failure.ok()) {
    r[0].status = failure;
    return r;
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - wall_start);
  for (size_t v = 0; v < n_variants; ++v) {
    r[v].services = f.services;
    r[v].results = replayed;
    r[v].seconds = seconds;
    for (int s = 0; s < f.services; ++s) {
      Score(hours[v][s], static_cast<int>(x_hours), &r[v]);
    }
  }
  return r;
}

std::string Ratio(int64_t num, int64_t den) {
  if (den == 0) return "n/a";
  return absl::StrFormat("%.3f (%d/%d)", static_cast<double>(num) / den, num,
                         den);
}

std::string Median(std::vector<int> v) {
  if (v.empty()) return "n/a";
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  const double m = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
  return absl::StrFormat("%gh", m);
}

SeedResult Sum(absl::Span<const SeedResult> results) {
  SeedResult total;
  for (const SeedResult& r : results) {
    total.services += r.services;
    total.exhausted_at_start += r.exhausted_at_start;
    total.exhaustions += r.exhaustions;
    total.detected += r.detected;
    total.episodes += r.episodes;
    total.true_episodes += r.true_episodes;
    total.censored_episodes += r.censored_episodes;
    total.hourly += r.hourly;
    total.true_hourly += r.true_hourly;
    total.lead_hours.insert(total.lead_hours.end(), r.lead_hours.begin(),
                            r.lead_hours.end());
    total.results += r.results;
    total.seconds += r.seconds;
  }
  return total;
}

void PrintRow(const std::string& label, const SeedResult& r) {
  std::printf("| %s | %d | %d | %d | %d | %d/%d, %d | %d/%d | %s |\n",
              label.c_str(), r.services, r.exhausted_at_start, r.exhaustions,
              r.detected, r.true_episodes, r.episodes, r.censored_episodes,
              static_cast<int>(r.true_hourly), static_cast<int>(r.hourly),
              Median(r.lead_hours).c_str());
}

int Main(int argc, char** argv) {
  Flags f;
  if (!ParseFlags(argc, argv, &f)) {
    Usage();
    return 2;
  }
  std::vector<std::string> args(argv, argv + argc);
  std::printf("command: %s\n", absl::StrJoin(args, " ").c_str());
  std::printf(
      "workload: seeds %d..%d, %d services x %d probes, one probe a minute, "
      "%dd warm-up + %dd evaluated hourly; objective %g %% over 30d "
      "(rolling), pooled over the service's probes\n",
      f.first_seed, f.first_seed + f.seeds - 1, f.services, f.probes,
      f.warmup_days, f.eval_days, f.target);
  std::printf(
      "estimator: sla::ForecastExhaustion, burn rate over the last %s held "
      "constant; warning: exhaustion forecast within %s%s\n\n",
      DurationToString(f.trends[0]).c_str(),
      DurationToString(f.horizon).c_str(),
      f.warn_below < 1
          ? absl::StrFormat(" while remaining <= %g", f.warn_below).c_str()
          : "");

  // results[seed][trend]
  std::vector<std::vector<SeedResult>> results(f.seeds);
  std::atomic<int> next{0};
  auto worker = [&] {
    for (int i = next++; i < f.seeds; i = next++) {
      results[i] = RunSeed(f, static_cast<uint64_t>(f.first_seed + i));
    }
  };
  const int n_threads = std::min(f.threads, f.seeds);
  std::vector<std::thread> threads;
  for (int t = 0; t < n_threads; ++t) threads.emplace_back(worker);
  for (std::thread& t : threads) t.join();
  for (const std::vector<SeedResult>& r : results) {
    if (!r[0].status.ok()) {
      std::fprintf(stderr, "forecast_backtest: seed %d: %s\n",
                   static_cast<int>(r[0].seed), r[0].status.ToString().c_str());
      return 1;
    }
  }

  const char* kHeader =
      "| seed | services | exhausted at start | exhaustions | detected | "
      "episodes (true/known, censored) | hourly warnings (true/known) | "
      "median lead |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  std::printf("%s", kHeader);
  std::vector<SeedResult> headline;
  for (const std::vector<SeedResult>& r : results) {
    PrintRow(absl::StrCat(r[0].seed), r[0]);
    headline.push_back(r[0]);
  }
  const SeedResult total = Sum(headline);
  PrintRow("all", total);
  std::printf("\nprecision (episodes):   %s\n",
              Ratio(total.true_episodes, total.episodes).c_str());
  std::printf("precision (hourly):     %s\n",
              Ratio(total.true_hourly, total.hourly).c_str());
  std::printf("recall:                 %s\n",
              Ratio(total.detected, total.exhaustions).c_str());
  std::printf("median lead time:       %s (of %d detected exhaustions)\n",
              Median(total.lead_hours).c_str(),
              static_cast<int>(total.lead_hours.size()));

  {
    std::printf(
        "\n| estimator | trend window | precision (episodes) | precision "
        "(hourly) | recall | median lead |\n|---|---|---:|---:|---:|---:|\n");
    for (size_t v = 0; v < f.trends.size() * kNumEstimators; ++v) {
      std::vector<SeedResult> per_seed;
      for (const std::vector<SeedResult>& r : results) per_seed.push_back(r[v]);
      const SeedResult s = Sum(per_seed);
      std::printf("| %s | %s | %s | %s | %s | %s |\n",
                  kEstimatorNames[v / f.trends.size()],
                  DurationToString(f.trends[v % f.trends.size()]).c_str(),
                  Ratio(s.true_episodes, s.episodes).c_str(),
                  Ratio(s.true_hourly, s.hourly).c_str(),
                  Ratio(s.detected, s.exhaustions).c_str(),
                  Median(s.lead_hours).c_str());
    }
  }
  std::printf("\nreplayed %lld probe results; %.1f s of work over %d threads\n",
              static_cast<long long>(total.results), total.seconds, n_threads);
  if (f.smoke && total.services == 0) return 1;
  return 0;
}

}  // namespace
}  // namespace sla

int main(int argc, char** argv) { return sla::Main(argc, argv); }
