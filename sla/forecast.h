// sla/forecast.h: when will an objective's error budget run out at the
// current trend?
//
//   absl::StatusOr<sla::ExhaustionForecast> f =
//       sla::ForecastExhaustion(engine, objective, absl::Now());
//   if (f.ok() && f->exhaustion.has_value()) {
//     // e.g. "budget exhausted at 2024-01-20T14:00:00Z (in 3d 2h) at the
//     //       burn rate of the last 6h (4.20)"
//   }
//
// Estimator: the burn rate over the last `trend_window` (default 6h), held
// constant. The remaining budget (a fraction of the window's allowance,
// Engine::Evaluate) lasts remaining * W / burn, where W is the objective's
// window length (a calendar window: the length of the period containing
// `at`), so exhaustion = at + remaining * W / burn (sla::TimeToExhaustion),
// floored to the minute, as counts are.
//
// Why this one: the burn rate is exactly what the alerting tiers read, so a
// forecast and an alert never disagree about the trend, and it is computed
// from integer counts that can be checked by hand. 6h is the workbook's
// middle window: an hour is dominated by single incidents (it forecasts
// exhaustion during every blip, then retracts), three days lag a change of
// trend by days. For a rolling window the projection is conservative: it
// does not credit the old errors that will leave the window meanwhile.
//
// Errors: the engine's (NotFound for an unknown objective), InvalidArgument
// for a trend window that is not a positive whole number of minutes.
// Thread-safe (the engine is); a pure read.

#ifndef SLA_FORECAST_H_
#define SLA_FORECAST_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sla/engine.h"

namespace sla {

struct ExhaustionForecast {
  // The estimator, for people: "burn rate over the last 6h, held constant".
  std::string estimator;
  absl::Duration trend_window;
  double burn_rate = 0;         // over [at - trend_window, at)
  Counts trend_counts;          // the events it came from
  double budget_remaining = 1;  // Engine::Evaluate(id, at).budget.remaining
  // When the budget runs out: `at` (floored to the minute) when it is spent
  // already (remaining <= 0); nullopt when the trend burns nothing (no
  // failure, or no data, in the trend window).
  std::optional<absl::Time> exhaustion;
};

absl::StatusOr<ExhaustionForecast> ForecastExhaustion(
    const Engine& engine, ObjectiveId id, absl::Time at,
    absl::Duration trend_window = absl::Hours(6));

}  // namespace sla

#endif  // SLA_FORECAST_H_
