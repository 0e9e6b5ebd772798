#include "sla/forecast.h"

#include "absl/strings/str_cat.h"
#include "sla/objective.h"
#include "sla/window.h"

namespace sla {

absl::StatusOr<ExhaustionForecast> ForecastExhaustion(
    const Engine& engine, ObjectiveId id, absl::Time at,
    absl::Duration trend_window) {
  absl::StatusOr<ObjectiveSpec> spec = engine.GetObjective(id);
  if (!spec.ok()) return spec.status();
  absl::StatusOr<Window> window = Window::Parse(spec->window);
  if (!window.ok()) return window.status();
  absl::StatusOr<ObjectiveStatus> status = engine.Evaluate(id, at);
  if (!status.ok()) return status.status();
  const absl::Duration windows[] = {trend_window};
  absl::StatusOr<BurnRates> burn = engine.BurnRatesAt(id, at, windows);
  if (!burn.ok()) return burn.status();

  ExhaustionForecast f;
  f.estimator = absl::StrCat("burn rate over the last ",
                             DurationToString(trend_window), ", held constant");
  f.trend_window = trend_window;
  f.burn_rate = burn->rates[0];
  f.trend_counts = burn->counts[0];
  f.budget_remaining = status->budget.remaining;
  const absl::Time minute = FloorToMinute(at);
  if (f.budget_remaining <= 0) {
    f.exhaustion = minute;
    return f;
  }
  if (!(f.burn_rate > 0)) return f;
  const absl::Duration length =
      window->is_rolling() ? window->length() : window->Resolve(at).length();
  const absl::Duration left =
      TimeToExhaustion(f.budget_remaining, f.burn_rate, length);
  f.exhaustion = minute + absl::Floor(left, absl::Minutes(1));
  return f;
}

}  // namespace sla
