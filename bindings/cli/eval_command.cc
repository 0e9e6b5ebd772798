#include "bindings/cli/eval_command.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bindings/cli/data_loader.h"
#include "sla/internal/json_writer.h"

namespace sla {
namespace cli {

absl::StatusOr<EvalReport> EvaluateAll(Engine& engine, double target_percent,
                                       const std::string& window,
                                       absl::Time at) {
  absl::StatusOr<Target> target = Target::FromPercent(target_percent);
  if (!target.ok()) return target.status();
  absl::StatusOr<Window> w = Window::Parse(window);
  if (!w.ok()) return w.status();
  EvalReport report;
  report.at = at;
  report.window = w->ResolveAsOf(at);
  report.window_text = w->ToString();
  report.target = target->fraction();
  for (const std::string& service : engine.Services()) {
    absl::StatusOr<std::vector<SliId>> ids = engine.ServiceSlis(service);
    if (!ids.ok()) return ids.status();
    for (SliId id : *ids) {
      absl::StatusOr<SliSpec> spec = engine.GetSli(id);
      if (!spec.ok()) return spec.status();
      if (spec->kind != SliKind::kProbeSuccess) continue;
      absl::StatusOr<Counts> c = engine.Query(id, report.window);
      if (!c.ok()) return c.status();
      report.series.push_back(SeriesEval{service, spec->name, *c});
    }
    ObjectiveSpec slo;
    slo.service = service;
    // The name carries the spec, so evaluating again with another target or
    // window never reuses an objective declared for the first one.
    slo.name = absl::StrCat("eval ", target_percent, "% ", window);
    slo.target_percent = target_percent;
    slo.window = window;
    absl::StatusOr<ObjectiveId> oid = engine.FindObjective(service, slo.name);
    if (!oid.ok()) oid = engine.AddObjective(slo);
    if (!oid.ok()) return oid.status();
    absl::StatusOr<ObjectiveStatus> st = engine.Evaluate(*oid, at);
    if (!st.ok()) return st.status();
    absl::StatusOr<BurnRates> burn =
        engine.BurnRatesAt(*oid, at, StandardBurnWindows());
    if (!burn.ok()) return burn.status();
    ServiceEval eval;
    eval.service = service;
    eval.budget = st->budget;
    eval.burn_rates = std::move(burn->rates);
    // Default tiers for the window; a window under 1h has none.
    if (DefaultBurnTiers(*w).ok()) {
      absl::StatusOr<std::vector<TierEvaluation>> tiers =
          EvaluateBurnTiers(engine, *oid, at, AlertPolicy());
      if (!tiers.ok()) return tiers.status();
      eval.alerts = *std::move(tiers);
    }
    absl::StatusOr<ExhaustionForecast> forecast =
        ForecastExhaustion(engine, *oid, at);
    if (!forecast.ok()) return forecast.status();
    eval.forecast = *std::move(forecast);
    report.services.push_back(std::move(eval));
  }
  return report;
}

std::string RenderEvalJson(const EvalReport& report) {
  internal::JsonWriter w;
  w.BeginObject();
  w.Key("at");
  w.String(TimeToString(report.at));
  w.Key("window");
  w.String(report.window_text);
  w.Key("from");
  w.String(TimeToString(report.window.from));
  w.Key("to");
  w.String(TimeToString(report.window.to));
  w.Key("target");
  w.Number(report.target);
  w.Key("series");
  w.BeginArray();
  for (const SeriesEval& s : report.series) {
    w.BeginObject();
    w.Key("service");
    w.String(s.service);
    w.Key("probe");
    w.String(s.probe);
    w.Key("good");
    w.Int(s.counts.good);
    w.Key("total");
    w.Int(s.counts.total);
    w.Key("availability");
    if (s.counts.total == 0) {
      w.Null();
    } else {
      w.Number(s.counts.ratio());
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("services");
  w.BeginArray();
  const absl::Span<const absl::Duration> windows = StandardBurnWindows();
  for (const ServiceEval& s : report.services) {
    w.BeginObject();
    w.Key("service");
    w.String(s.service);
    w.Key("good");
    w.Int(s.budget.good);
    w.Key("total");
    w.Int(s.budget.total);
    w.Key("availability");
    if (s.budget.total == 0) {
      w.Null();
    } else {
      w.Number(s.budget.availability);
    }
    w.Key("error_budget");
    w.BeginObject();
    w.Key("allowed_bad");
    w.Number(s.budget.allowed_bad);
    w.Key("bad");
    w.Int(s.budget.bad);
    w.Key("consumed");
    w.Number(s.budget.consumed);
    w.Key("remaining");
    w.Number(s.budget.remaining);
    w.EndObject();
    w.Key("burn_rates");
    w.BeginObject();
    for (size_t i = 0; i < windows.size(); ++i) {
      w.Key(DurationToString(windows[i]));
      w.Number(s.burn_rates[i]);
    }
    w.EndObject();
    w.Key("alerts");
    w.BeginArray();
    for (const TierEvaluation& t : s.alerts) {
      w.BeginObject();
      w.Key("severity");
      w.String(t.tier.severity);
      w.Key("long");
      w.String(DurationToString(t.tier.long_window));
      w.Key("short");
      w.String(DurationToString(t.tier.short_window));
      w.Key("factor");
      w.Number(t.tier.factor);
      w.Key("long_rate");
      w.Number(t.long_rate);
      w.Key("short_rate");
      w.Number(t.short_rate);
      w.Key("state");
      w.String(t.alerting()   ? "firing"
               : t.suppressed ? "suppressed"
                              : "inactive");
      w.EndObject();
    }
    w.EndArray();
    w.Key("forecast");
    w.BeginObject();
    w.Key("estimator");
    w.String(s.forecast.estimator);
    w.Key("burn_rate");
    w.Number(s.forecast.burn_rate);
    w.Key("exhaustion");
    if (s.forecast.exhaustion.has_value()) {
      w.String(TimeToString(*s.forecast.exhaustion));
    } else {
      w.Null();
    }
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.str() + "\n";
}

std::string RenderEvalTable(const EvalReport& report) {
  std::string out = absl::StrFormat("%-16s %10s %10s %13s %10s", "service",
                                    "bad", "total", "availability", "budget");
  for (absl::Duration d : StandardBurnWindows()) {
    absl::StrAppendFormat(&out, " %7s",
                          absl::StrCat("burn", DurationToString(d)));
  }
  out += "  firing  budget exhausted at\n";
  for (const ServiceEval& s : report.services) {
    const std::string avail =
        s.budget.total == 0
            ? std::string("-")
            : absl::StrFormat("%.5f%%", s.budget.availability * 100);
    absl::StrAppendFormat(&out, "%-16s %10d %10d %13s %9.1f%%", s.service,
                          s.budget.bad, s.budget.total, avail,
                          s.budget.remaining * 100);
    for (double r : s.burn_rates) absl::StrAppendFormat(&out, " %7.2f", r);
    std::vector<std::string> firing;
    for (const TierEvaluation& t : s.alerts) {
      if (t.alerting()) {
        firing.push_back(absl::StrCat(t.tier.severity, " ",
                                      DurationToString(t.tier.long_window), "/",
                                      DurationToString(t.tier.short_window)));
      }
    }
    absl::StrAppend(
        &out, "  ", firing.empty() ? "-" : absl::StrJoin(firing, ","), "  ",
        s.forecast.exhaustion.has_value() ? TimeToString(*s.forecast.exhaustion)
                                          : "-");
    out += "\n";
  }
  absl::StrAppendFormat(&out, "\nwindow %s [%s, %s), target %s%%\n",
                        report.window_text, TimeToString(report.window.from),
                        TimeToString(report.window.to),
                        internal::FormatDouble(report.target * 100));
  return out;
}

absl::StatusOr<std::string> RunEval(const EvalOptions& options) {
  if (options.format != "json" && options.format != "table") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--format: '", options.format, "' is not one of json, table"));
  }
  absl::StatusOr<Target> target = Target::FromPercent(options.target_percent);
  if (!target.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--target: ", target.status().message()));
  }
  absl::StatusOr<Window> window = Window::Parse(options.window);
  if (!window.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--window: ", window.status().message()));
  }
  absl::StatusOr<absl::Time> at = ParseTimestamp(options.at);
  if (!at.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--at: ", at.status().message()));
  }
  absl::StatusOr<std::unique_ptr<Engine>> engine =
      LoadEngine(options.data, options.data_dir);
  if (!engine.ok()) return engine.status();
  absl::StatusOr<EvalReport> report =
      EvaluateAll(**engine, options.target_percent, options.window, *at);
  if (!report.ok()) return report.status();
  return options.format == "json" ? RenderEvalJson(*report)
                                  : RenderEvalTable(*report);
}

}  // namespace cli
}  // namespace sla
