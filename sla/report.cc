#include "sla/report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "sla/catalog.h"
#include "sla/internal/json_writer.h"

namespace sla {
namespace {

using internal::FormatDouble;
using internal::JsonWriter;

// The calendar period of `unit` that contains civil time `cs` in `zone`.
Interval CalendarPeriod(CalendarUnit unit, const absl::TimeZone& zone,
                        absl::CivilSecond cs) {
  return Window::Calendar(unit, zone).Resolve(absl::FromCivil(cs, zone));
}

// The probe-success SLIs of a service in the engine; empty when it has none
// (its intervals are then all without data).
std::vector<SliId> ProbeSlis(const Engine& engine, const std::string& name) {
  std::vector<SliId> out;
  absl::StatusOr<std::vector<SliId>> ids = engine.ServiceSlis(name);
  if (!ids.ok()) return out;
  for (SliId id : *ids) {
    absl::StatusOr<SliSpec> spec = engine.GetSli(id);
    if (spec.ok() && spec->kind == SliKind::kProbeSuccess) out.push_back(id);
  }
  return out;
}

absl::StatusOr<Counts> Sum(const Engine& engine, const std::vector<SliId>& slis,
                           const Interval& interval) {
  if (slis.empty()) return Counts{};
  return engine.QuerySum(slis, interval);
}

absl::StatusOr<std::vector<Counts>> Range(const Engine& engine,
                                          const std::vector<SliId>& slis,
                                          absl::Time from, absl::Duration step,
                                          int n) {
  if (slis.empty()) return std::vector<Counts>(static_cast<size_t>(n));
  return engine.QueryRange(slis, from, step, n);
}

// Per-minute up/down/no-data states of a service over `interval`. A minute
// is down when bad/total > max_error_ratio, compared exactly.
absl::StatusOr<StateSeries> MinuteStates(const Engine& engine,
                                         const std::vector<SliId>& slis,
                                         const Interval& interval,
                                         double max_error_ratio) {
  // Bounded: the states are kept minute by minute (a calendar year fits).
  constexpr int64_t kMaxMinutes = 400 * 24 * 60;
  if (interval.to < interval.from) {
    return absl::InvalidArgumentError(
        absl::StrCat("interval [", TimeToString(interval.from), ", ",
                     TimeToString(interval.to), ") ends before it starts"));
  }
  const int64_t minutes = (interval.to - interval.from) / absl::Minutes(1);
  if (minutes > kMaxMinutes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "window [", TimeToString(interval.from), ", ",
        TimeToString(interval.to), ") is longer than the ", kMaxMinutes,
        " minutes (400 days) an application is observed over"));
  }
  absl::StatusOr<std::vector<Counts>> counts = Range(
      engine, slis, interval.from, absl::Minutes(1), static_cast<int>(minutes));
  if (!counts.ok()) return counts.status();
  const absl::int128 ppb = std::llround(max_error_ratio * 1e9);
  StateSeries states(minutes, IntervalState::kUp);
  for (int64_t m = 0; m < minutes; ++m) {
    const Counts& c = (*counts)[static_cast<size_t>(m)];
    if (c.total == 0) {
      states.Set(m, IntervalState::kNoData);
    } else if (absl::int128(c.bad()) * 1'000'000'000 >
               absl::int128(c.total) * ppb) {
      states.Set(m, IntervalState::kDown);
    }
  }
  return states;
}

double MaxErrorRatio(const ServiceConfig& s) {
  return s.contract.has_value() ? s.contract->max_error_ratio : 0.0;
}

// The states of every service an expression uses, over `interval`.
absl::StatusOr<ComponentStates> StatesFor(
    const Engine& engine, const Config& config, const CompositeExpr& expr,
    const Interval& interval, absl::flat_hash_map<std::string, Owner>* owners) {
  ComponentStates states;
  for (const std::string& name : expr.Components()) {
    const ServiceConfig* s = config.FindService(name);
    if (s == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("component '", name, "' is not a service"));
    }
    absl::StatusOr<StateSeries> st = MinuteStates(
        engine, ProbeSlis(engine, name), interval, MaxErrorRatio(*s));
    if (!st.ok()) return st.status();
    states.emplace(name, *std::move(st));
    (*owners)[name] = s->owner;
  }
  return states;
}

// Evaluates a service objective at `at`, declaring it in `engine` when
// missing; sets `*id` to its id when it could be declared (it cannot when
// its service has no result at all).
absl::StatusOr<ObjectiveReport> ServiceObjective(
    Engine& engine, const ObjectiveSpec& spec, absl::Time at,
    std::optional<ObjectiveId>* declared_id) {
  ObjectiveReport r;
  r.name = spec.name;
  r.target_percent = spec.target_percent;
  r.window = spec.window;
  r.method = spec.method;
  absl::StatusOr<Window> window = Window::Parse(spec.window);
  if (!window.ok()) return window.status();
  r.evaluated = window->ResolveAsOf(at);
  absl::StatusOr<ObjectiveId> id =
      engine.FindObjective(spec.service, spec.name);
  if (id.ok()) {
    // Declared before (an engine reused across reports): it must be this
    // objective, not an older one of the same name.
    absl::StatusOr<ObjectiveSpec> declared = engine.GetObjective(*id);
    if (!declared.ok()) return declared.status();
    if (declared->target_percent != spec.target_percent ||
        declared->window != spec.window || declared->method != spec.method ||
        declared->slis != spec.slis || declared->slice != spec.slice ||
        declared->slice_threshold != spec.slice_threshold) {
      return absl::FailedPreconditionError(absl::StrCat(
          "objective '", spec.service, "/", spec.name,
          "' is declared in the engine with another target, window or SLIs "
          "than in the configuration"));
    }
  } else {
    id = engine.AddObjective(spec);
  }
  if (!id.ok()) {
    // A service without any result: an objective without data. Anything
    // else (an SLI the service does not have) is a configuration error.
    if (absl::IsNotFound(id.status()) &&
        !engine.ServiceSlis(spec.service).ok()) {
      return r;
    }
    return id.status();
  }
  *declared_id = *id;
  absl::StatusOr<ObjectiveStatus> st = engine.Evaluate(*id, at);
  if (!st.ok()) return st.status();
  r.evaluated = st->window;
  r.budget = st->budget;
  return r;
}

// The alert episodes of objective `id` (declared in `engine` from `spec`)
// that overlap `period`: an AlertTracker with the objective's policy
// evaluated at every period.from + k * step in [replay start, period.to),
// the replay starting the longest long window (rounded up to whole steps)
// before the period. See AlertEpisode.
absl::StatusOr<std::vector<AlertEpisode>> ReplayAlerts(
    const Engine& engine, ObjectiveId id, const ObjectiveSpec& spec,
    const ObjectiveRules& rules, const Interval& period, absl::Duration step) {
  const AlertPolicy policy =
      rules.custom_policy ? rules.alert_policy : AlertPolicy();
  // The tiers the tracker will use, in its order (alerting.cc TiersFor).
  std::vector<BurnTier> tiers = policy.tiers;
  if (tiers.empty()) {
    absl::StatusOr<Window> window = Window::Parse(spec.window);
    if (!window.ok()) return window.status();
    absl::StatusOr<std::vector<BurnTier>> defaults = DefaultBurnTiers(*window);
    if (!defaults.ok()) {
      return absl::Status(
          defaults.status().code(),
          absl::StrCat("objective '", spec.service, "/", spec.name,
                       "': ", defaults.status().message()));
    }
    tiers = *std::move(defaults);
  }
  absl::Duration longest = absl::ZeroDuration();
  for (const BurnTier& t : tiers) longest = std::max(longest, t.long_window);
  const absl::Time first = period.from - absl::Ceil(longest, step);

  AlertTracker tracker(policy);
  std::vector<AlertEpisode> episodes;
  // Per severity: the index in `episodes` of the firing episode and of its
  // tier in `tiers`, or -1.
  struct Open {
    int episode = -1;
    int tier = -1;
  };
  Open open[2];
  // Per severity: whether the alert entered pending or firing at the
  // replay's first evaluation and has not left that run since.
  bool from_first[2] = {false, false};
  const auto slot = [](absl::string_view severity) {
    return severity == "page" ? 0 : 1;
  };
  for (absl::Time at = first; at < period.to; at += step) {
    absl::StatusOr<std::vector<AlertEvent>> events =
        tracker.Evaluate(engine, id, at);
    if (!events.ok()) return events.status();
    for (AlertEvent& e : *events) {
      const int k = slot(e.severity);
      Open& o = open[k];
      if (at == first &&
          (e.to == AlertState::kPending || e.to == AlertState::kFiring)) {
        from_first[k] = true;
      } else if (e.to == AlertState::kInactive) {
        from_first[k] = false;  // pending, then the condition went away
      }
      if (e.to == AlertState::kFiring) {
        AlertEpisode ep;
        ep.objective = spec.name;
        ep.severity = e.severity;
        ep.started = at;
        ep.started_before_replay = from_first[k];
        from_first[k] = false;
        ep.peak_long_rate = e.evidence.long_rate;
        ep.peak_short_rate = e.evidence.short_rate;
        ep.budget_remaining = e.budget_remaining;
        o.tier = -1;
        for (size_t i = 0; i < tiers.size(); ++i) {
          const BurnTier& t = tiers[i];
          if (t.severity == e.evidence.tier.severity &&
              t.long_window == e.evidence.tier.long_window &&
              t.short_window == e.evidence.tier.short_window &&
              t.factor == e.evidence.tier.factor) {
            o.tier = static_cast<int>(i);
            break;
          }
        }
        ep.evidence = std::move(e.evidence);
        o.episode = static_cast<int>(episodes.size());
        episodes.push_back(std::move(ep));
      } else if (e.from == AlertState::kFiring && o.episode >= 0) {
        episodes[static_cast<size_t>(o.episode)].resolved = at;
        o = Open();
      }
    }
    // Peaks over the evaluations at which the alert is firing; only read
    // while one is.
    if (open[0].tier >= 0 || open[1].tier >= 0) {
      absl::StatusOr<std::vector<TierEvaluation>> last =
          tracker.LastEvaluation(id);
      if (!last.ok()) return last.status();
      for (const Open& o : open) {
        if (o.tier < 0 || static_cast<size_t>(o.tier) >= last->size()) {
          continue;
        }
        const TierEvaluation& t = (*last)[static_cast<size_t>(o.tier)];
        AlertEpisode& ep = episodes[static_cast<size_t>(o.episode)];
        ep.peak_long_rate = std::max(ep.peak_long_rate, t.long_rate);
        ep.peak_short_rate = std::max(ep.peak_short_rate, t.short_rate);
      }
    }
  }
  std::vector<AlertEpisode> out;
  for (AlertEpisode& ep : episodes) {
    if (ep.resolved.has_value() && *ep.resolved <= period.from) continue;
    ep.duration = ep.resolved.value_or(period.to) - ep.started;
    out.push_back(std::move(ep));
  }
  return out;
}

}  // namespace

absl::StatusOr<Attribution> ObserveApplication(const Engine& engine,
                                               const Config& config,
                                               const ApplicationConfig& app,
                                               const Interval& interval) {
  absl::flat_hash_map<std::string, Owner> owners;
  absl::StatusOr<ComponentStates> states =
      StatesFor(engine, config, app.components, interval, &owners);
  if (!states.ok()) return states.status();
  return Attribute(app.components, *states, owners);
}

namespace {

// Up and counted (up + down) states of intervals [from, to) of `states`.
Counts StateCounts(const StateSeries& states, int64_t from, int64_t to) {
  Counts c;
  for (int64_t m = std::max<int64_t>(0, from); m < to; ++m) {
    const IntervalState st = states.Get(m);
    if (st == IntervalState::kNoData) continue;
    ++c.total;
    c.good += st == IntervalState::kUp;
  }
  return c;
}

}  // namespace

absl::StatusOr<ApplicationBurnTiers> EvaluateApplicationBurnTiers(
    const Engine& engine, const Config& config, const ApplicationConfig& app,
    const ObjectiveSpec& objective, const AlertPolicy& policy, absl::Time at) {
  const auto annotate = [&](const absl::Status& s) {
    return absl::Status(
        s.code(), absl::StrCat("objective '", app.name, "/", objective.name,
                               "': ", s.message()));
  };
  if (absl::Status s = ValidateAlertPolicy(policy); !s.ok()) {
    return annotate(s);
  }
  absl::StatusOr<Target> target = Target::FromPercent(objective.target_percent);
  if (!target.ok()) return annotate(target.status());
  absl::StatusOr<Window> window = Window::Parse(objective.window);
  if (!window.ok()) return annotate(window.status());
  absl::StatusOr<std::vector<BurnTier>> tiers = PolicyTiers(policy, *window);
  if (!tiers.ok()) return annotate(tiers.status());

  // One observation, ending at floor(at), long enough for the objective's
  // window and every tier's long window.
  const absl::Time end = FloorToMinute(at);
  const Interval budget_window = window->ResolveAsOf(at);
  absl::Duration longest = end - std::min(budget_window.from, end);
  for (const BurnTier& t : *tiers) longest = std::max(longest, t.long_window);
  const Interval observed{end - longest, end};
  absl::StatusOr<Attribution> a =
      ObserveApplication(engine, config, app, observed);
  if (!a.ok()) return a.status();
  const StateSeries& states = a->observation.states;
  const int64_t n = states.size();

  ApplicationBurnTiers out;
  absl::StatusOr<std::vector<TierEvaluation>> evaluated =
      EvaluateBurnTiersFromCounts(
          *tiers, *target, policy.min_short_window_events,
          [&](absl::Duration w) -> absl::StatusOr<Counts> {
            return StateCounts(states, n - w / absl::Minutes(1), n);
          });
  if (!evaluated.ok()) return annotate(evaluated.status());
  out.tiers = *std::move(evaluated);

  // The top contributing component of each tier's long window: the most
  // down minutes caused (alone or shared), ties to the smallest name.
  for (TierEvaluation& e : out.tiers) {
    const int64_t from = n - e.tier.long_window / absl::Minutes(1);
    std::map<std::string, int64_t> caused;  // by name: ties in name order
    for (const DownInterval& d : a->down) {
      if (d.interval < from) continue;
      for (const std::string& c :
           a->down_sets[static_cast<size_t>(d.down_set)].caused) {
        ++caused[c];
      }
    }
    for (const auto& [component, minutes] : caused) {
      if (minutes > e.top_component_minutes) {
        e.top_component = component;
        e.top_component_minutes = minutes;
      }
    }
  }
  const int64_t budget_from =
      (std::min(budget_window.from, end) - observed.from) / absl::Minutes(1);
  out.budget_remaining =
      ComputeBudget(StateCounts(states, budget_from, n), *target).remaining;
  return out;
}

absl::StatusOr<absl::CivilMonth> ParseMonth(absl::string_view text) {
  // Exactly YYYY-MM: absl::ParseCivilTime alone also takes signs, spaces,
  // one-digit months and five-digit years.
  const auto digit = [&text](size_t i) { return absl::ascii_isdigit(text[i]); };
  absl::CivilMonth m;
  if (text.size() != 7 || !digit(0) || !digit(1) || !digit(2) || !digit(3) ||
      text[4] != '-' || !digit(5) || !digit(6) ||
      !absl::ParseCivilTime(text, &m) || absl::FormatCivilTime(m) != text) {
    return absl::InvalidArgumentError(
        absl::StrCat("month '", text, "' is not written YYYY-MM (2024-01)"));
  }
  return m;
}

absl::StatusOr<MonthlyReport> BuildMonthlyReport(Engine& engine,
                                                 const Config& config,
                                                 absl::CivilMonth month) {
  return BuildMonthlyReport(engine, config, month, ReportOptions());
}

absl::StatusOr<MonthlyReport> BuildMonthlyReport(Engine& engine,
                                                 const Config& config,
                                                 absl::CivilMonth month,
                                                 const ReportOptions& options) {
  if (month.year() < 1970) {
    return absl::InvalidArgumentError(absl::StrCat(
        "month ", absl::FormatCivilTime(month), " is before 1970"));
  }
  if (options.alert_step <= absl::ZeroDuration() ||
      options.alert_step == absl::InfiniteDuration() ||
      absl::Trunc(options.alert_step, absl::Minutes(1)) != options.alert_step) {
    return absl::InvalidArgumentError(absl::StrCat(
        "report alert_step ", absl::FormatDuration(options.alert_step),
        " must be a positive whole number of minutes"));
  }
  MonthlyReport report;
  report.month = absl::FormatCivilTime(month);
  report.timezone = config.timezone;
  report.catalog_version = kCatalogVersion;
  const absl::CivilSecond noon_first(month.year(), month.month(), 1, 12, 0, 0);
  report.period = CalendarPeriod(CalendarUnit::kMonth, config.zone, noon_first);
  std::vector<Interval> days;
  for (absl::CivilDay d(noon_first); absl::CivilMonth(d) == month; ++d) {
    days.push_back(CalendarPeriod(CalendarUnit::kDay, config.zone,
                                  absl::CivilSecond(d) + 12 * 3600));
  }

  for (const ServiceConfig& s : config.services) {
    ServiceReport r;
    r.name = s.name;
    r.owner = s.owner;
    r.catalog_id = s.catalog_id;
    if (!s.catalog_id.empty()) {
      absl::StatusOr<const CatalogEntry*> entry =
          FindCatalogEntry(s.catalog_id);
      r.catalog_status =
          entry.ok() ? std::string(ConfirmationStatusName((*entry)->status))
                     : "unknown";
      r.catalog_note =
          entry.ok() ? CatalogConfirmationNote(**entry) : "not in the catalog";
    }
    const std::vector<SliId> slis = ProbeSlis(engine, s.name);
    absl::StatusOr<Counts> month_counts = Sum(engine, slis, report.period);
    if (!month_counts.ok()) return month_counts.status();
    r.month = *month_counts;
    for (const Interval& day : days) {
      absl::StatusOr<Counts> c = Sum(engine, slis, day);
      if (!c.ok()) return c.status();
      r.daily.push_back(*c);
    }
    if (s.contract.has_value()) {
      r.contract = s.contract;
      absl::StatusOr<IntervalGrid> grid =
          ContractIntervals(*s.contract, report.period);
      if (!grid.ok()) return grid.status();
      absl::StatusOr<std::vector<Counts>> counts =
          Range(engine, slis, grid->period.from, grid->interval, grid->count);
      if (!counts.ok()) return counts.status();
      if (grid->last_truncated()) {
        absl::StatusOr<Counts> last =
            Sum(engine, slis, grid->At(grid->count - 1));
        if (!last.ok()) return last.status();
        counts->back() = *last;
      }
      absl::StatusOr<ContractResult> result = EvaluateContract(
          *s.contract, report.period, *counts, config.MaintenanceOf(s.name));
      if (!result.ok()) {
        return absl::Status(result.status().code(),
                            absl::StrCat("service '", s.name,
                                         "': ", result.status().message()));
      }
      r.result = *std::move(result);
    }
    for (size_t k = 0; k < s.objectives.size(); ++k) {
      const ObjectiveSpec& spec = s.objectives[k];
      std::optional<ObjectiveId> id;
      absl::StatusOr<ObjectiveReport> o =
          ServiceObjective(engine, spec, report.period.to, &id);
      if (!o.ok()) return o.status();
      r.objectives.push_back(*std::move(o));
      // Not declared: its service has no result, nothing to alert on.
      if (!spec.alerting || !id.has_value()) continue;
      const ObjectiveRules defaults;  // a Config built in code may omit them
      const ObjectiveRules& rules = k < s.rules.size() ? s.rules[k] : defaults;
      absl::StatusOr<std::vector<AlertEpisode>> episodes = ReplayAlerts(
          engine, *id, spec, rules, report.period, options.alert_step);
      if (!episodes.ok()) return episodes.status();
      for (AlertEpisode& ep : *episodes) r.alerts.push_back(std::move(ep));
    }
    std::stable_sort(r.alerts.begin(), r.alerts.end(),
                     [](const AlertEpisode& a, const AlertEpisode& b) {
                       return a.started < b.started;
                     });
    report.services.push_back(std::move(r));
  }
  for (const AuditRecord& a : options.audit_records) {
    if (report.period.Contains(a.at) &&
        config.FindService(a.service) != nullptr) {
      report.remediation.push_back(a);
    }
  }

  for (const ApplicationConfig& app : config.applications) {
    ApplicationReport r;
    r.name = app.name;
    r.expression = app.components.ToString();
    // Theoretical SLA from the contract commitments.
    absl::flat_hash_map<std::string, double> commitments;
    std::vector<std::string> without;
    for (const std::string& name : app.components.Components()) {
      const ServiceConfig* s = config.FindService(name);
      if (s != nullptr && s->contract.has_value()) {
        commitments[name] = s->contract->commitment_percent / 100;
      } else {
        without.push_back(name);
      }
    }
    if (without.empty()) {
      absl::StatusOr<double> a =
          TheoreticalAvailability(app.components, commitments);
      if (!a.ok()) return a.status();
      r.theoretical_sla_percent = *a * 100;
    } else {
      r.theoretical_note =
          absl::StrCat("no contract for ", absl::StrJoin(without, ", "));
    }
    absl::StatusOr<Attribution> a =
        ObserveApplication(engine, config, app, report.period);
    if (!a.ok()) return a.status();
    const CompositeObservation& obs = a->observation;
    r.minutes = obs.intervals;
    r.up_minutes = obs.up_intervals;
    r.down_minutes = obs.down_intervals;
    r.no_data_minutes = obs.no_data_intervals;
    r.observed_availability_percent =
        obs.up_intervals + obs.down_intervals == 0
            ? 100
            : 100.0 * static_cast<double>(obs.up_intervals) /
                  static_cast<double>(obs.up_intervals + obs.down_intervals);
    for (const ComponentAttribution& c : a->components) {
      r.components.push_back(ComponentReport{c.component, c.owner,
                                             c.down_intervals, c.sole_intervals,
                                             c.shared_intervals});
    }
    std::sort(r.components.begin(), r.components.end(),
              [](const ComponentReport& x, const ComponentReport& y) {
                return x.name < y.name;
              });
    r.provider = a->provider;
    r.application = a->application;
    r.mixed_owner_intervals = a->mixed_owner_intervals;
    r.unattributed_intervals = a->unattributed_intervals;
    for (const Interval& day : days) {
      Counts c;
      const int64_t from = (day.from - report.period.from) / absl::Minutes(1);
      const int64_t to = (day.to - report.period.from) / absl::Minutes(1);
      for (int64_t m = from; m < to && m < obs.states.size(); ++m) {
        const IntervalState st = obs.states.Get(m);
        if (st == IntervalState::kNoData) continue;
        ++c.total;
        c.good += st == IntervalState::kUp;
      }
      r.daily.push_back(c);
    }
    // Application objectives: over their window ending with the month, on
    // the composite's minutes, split by who caused the down minutes.
    for (const ObjectiveSpec& spec : app.objectives) {
      ObjectiveReport o;
      o.name = spec.name;
      o.target_percent = spec.target_percent;
      o.window = spec.window;
      o.method = spec.method;
      absl::StatusOr<Window> w = Window::Parse(spec.window);
      if (!w.ok()) return w.status();
      absl::StatusOr<Target> target = Target::FromPercent(spec.target_percent);
      if (!target.ok()) return target.status();
      // A calendar window is the period that holds the month's last minute.
      o.evaluated =
          w->Resolve(w->is_rolling() ? report.period.to
                                     : report.period.to - absl::Minutes(1));
      absl::flat_hash_map<std::string, Owner> obj_owners;
      absl::StatusOr<ComponentStates> obj_states =
          StatesFor(engine, config, app.components, o.evaluated, &obj_owners);
      if (!obj_states.ok()) return obj_states.status();
      absl::StatusOr<Attribution> oa =
          Attribute(app.components, *obj_states, obj_owners);
      if (!oa.ok()) return oa.status();
      o.budget = ComputeBudget(oa->observation.counts(), *target);
      o.provider_minutes = oa->provider.exclusive_intervals;
      o.application_minutes = oa->application.exclusive_intervals;
      o.mixed_minutes = oa->mixed_owner_intervals;
      r.objectives.push_back(std::move(o));
    }
    report.applications.push_back(std::move(r));
  }
  return report;
}

// ------------------------------------------------------------- rendering

namespace {

void WriteObjectives(JsonWriter& w, const std::vector<ObjectiveReport>& objs,
                     bool with_owners) {
  w.BeginArray();
  for (const ObjectiveReport& o : objs) {
    w.BeginObject();
    w.Key("name");
    w.String(o.name);
    w.Key("target_percent");
    w.Number(o.target_percent);
    w.Key("window");
    w.String(o.window);
    w.Key("from");
    w.String(TimeToString(o.evaluated.from));
    w.Key("to");
    w.String(TimeToString(o.evaluated.to));
    w.Key("budgeting");
    w.String(BudgetingMethodName(o.method));
    w.Key("good");
    w.Int(o.budget.good);
    w.Key("total");
    w.Int(o.budget.total);
    w.Key("availability");
    if (o.budget.total == 0) {
      w.Null();
    } else {
      w.Number(o.budget.availability);
    }
    w.Key("budget");
    w.BeginObject();
    w.Key("allowed_bad");
    w.Number(o.budget.allowed_bad);
    w.Key("consumed");
    w.Number(o.budget.consumed);
    w.Key("remaining");
    w.Number(o.budget.remaining);
    w.EndObject();
    if (with_owners) {
      w.Key("down_minutes_by_cause");
      w.BeginObject();
      w.Key("provider");
      w.Int(o.provider_minutes);
      w.Key("application");
      w.Int(o.application_minutes);
      w.Key("mixed");
      w.Int(o.mixed_minutes);
      w.EndObject();
    }
    w.EndObject();
  }
  w.EndArray();
}

void WriteAlerts(JsonWriter& w, const std::vector<AlertEpisode>& alerts) {
  w.BeginArray();
  for (const AlertEpisode& a : alerts) {
    w.BeginObject();
    w.Key("objective");
    w.String(a.objective);
    w.Key("severity");
    w.String(a.severity);
    w.Key("started");
    w.String(TimeToString(a.started));
    w.Key("resolved");
    if (a.resolved.has_value()) {
      w.String(TimeToString(*a.resolved));
    } else {
      w.Null();
    }
    w.Key("duration_minutes");
    w.Int(absl::ToInt64Minutes(a.duration));
    w.Key("started_before_replay");
    w.Bool(a.started_before_replay);
    w.Key("evidence");
    w.BeginObject();
    w.Key("long_window");
    w.String(DurationToString(a.evidence.tier.long_window));
    w.Key("short_window");
    w.String(DurationToString(a.evidence.tier.short_window));
    w.Key("factor");
    w.Number(a.evidence.tier.factor);
    w.Key("long_rate");
    w.Number(a.evidence.long_rate);
    w.Key("short_rate");
    w.Number(a.evidence.short_rate);
    w.Key("budget_remaining");
    w.Number(a.budget_remaining);
    w.EndObject();
    w.Key("peak_long_rate");
    w.Number(a.peak_long_rate);
    w.Key("peak_short_rate");
    w.Number(a.peak_short_rate);
    w.EndObject();
  }
  w.EndArray();
}

void WriteOwner(JsonWriter& w, const OwnerAttribution& o) {
  w.BeginObject();
  w.Key("sole_intervals");
  w.Int(o.sole_intervals);
  w.Key("shared_intervals");
  w.Int(o.shared_intervals);
  w.Key("exclusive_intervals");
  w.Int(o.exclusive_intervals);
  w.EndObject();
}

std::string Percent(double v) { return absl::StrFormat("%.4f", v); }

// A CSV field: quoted when it holds a comma, quote or newline.
std::string CsvField(absl::string_view text) {
  if (text.find_first_of(",\"\n") == absl::string_view::npos) {
    return std::string(text);
  }
  return absl::StrCat("\"", absl::StrReplaceAll(text, {{"\"", "\"\""}}), "\"");
}

// A burn rate with two decimals at most: 14.4, 1000, 13.89.
std::string Rate(double v) {
  std::string text = absl::StrFormat("%.2f", v);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

// Text for a Markdown table cell: pipes escaped, line breaks as spaces.
std::string MdCell(absl::string_view text) {
  return absl::StrReplaceAll(text, {{"|", "\\|"}, {"\n", " "}, {"\r", " "}});
}

// "1h 20 and 5m 1000 > 14.4": the tier's rates against its factor.
std::string EvidenceText(const TierEvaluation& e) {
  return absl::StrCat(DurationToString(e.tier.long_window), " ",
                      Rate(e.long_rate), " and ",
                      DurationToString(e.tier.short_window), " ",
                      Rate(e.short_rate), " > ", Rate(e.tier.factor));
}

std::string TimeOrDash(absl::Time t) {
  return t == absl::InfinitePast() || t == absl::InfiniteFuture()
             ? std::string("-")
             : TimeToString(t);
}

// The result of a finished run ("OK", "UNAVAILABLE: message"); "-" for a
// decision.
std::string AuditResult(const AuditRecord& r) {
  if (r.decision != "finished") return "-";
  if (r.result.message().empty()) {
    return absl::StatusCodeToString(r.result.code());
  }
  return absl::StrCat(absl::StatusCodeToString(r.result.code()), ": ",
                      r.result.message());
}

std::string CatalogCell(const ServiceReport& s) {
  if (s.catalog_id.empty()) return "-";
  if (s.catalog_note.empty()) return s.catalog_id;
  return absl::StrCat(s.catalog_id, " (", s.catalog_note, ")");
}

}  // namespace

std::string RenderReportJson(const MonthlyReport& report) {
  JsonWriter w;
  w.BeginObject();
  w.Key("month");
  w.String(report.month);
  w.Key("timezone");
  w.String(report.timezone);
  w.Key("period");
  w.BeginObject();
  w.Key("from");
  w.String(TimeToString(report.period.from));
  w.Key("to");
  w.String(TimeToString(report.period.to));
  w.EndObject();
  w.Key("catalog_version");
  w.String(report.catalog_version);
  w.Key("services");
  w.BeginArray();
  for (const ServiceReport& s : report.services) {
    w.BeginObject();
    w.Key("name");
    w.String(s.name);
    w.Key("owner");
    w.String(OwnerName(s.owner));
    const ContractResult* c = s.result ? &*s.result : nullptr;
    w.Key("target_percent");
    if (c != nullptr) {
      w.Number(s.contract->commitment_percent);
    } else {
      w.Null();
    }
    w.Key("uptime_percent");
    if (c != nullptr) {
      w.Number(c->uptime_percent);
    } else {
      w.Null();
    }
    w.Key("intervals");
    w.Int(c != nullptr ? c->intervals : 0);
    w.Key("down_intervals");
    w.Int(c != nullptr ? c->down_intervals : 0);
    w.Key("excluded_intervals");
    w.Int(c != nullptr ? c->excluded_intervals : 0);
    w.Key("downtime_minutes");
    w.Int(c != nullptr ? c->downtime_minutes : 0);
    w.Key("met");
    if (c != nullptr) {
      w.Bool(c->met);
    } else {
      w.Null();
    }
    w.Key("credit_percent");
    w.Number(c != nullptr ? c->credit_percent : 0);
    w.Key("incidents");
    w.BeginArray();
    if (c != nullptr) {
      for (const Incident& i : c->incidents) {
        w.BeginObject();
        w.Key("start");
        w.String(TimeToString(i.span.from));
        w.Key("end");
        w.String(TimeToString(i.span.to));
        w.Key("minutes");
        w.Int(i.minutes);
        w.EndObject();
      }
    }
    w.EndArray();
    w.Key("objectives");
    WriteObjectives(w, s.objectives, /*with_owners=*/false);
    w.Key("alerts");
    WriteAlerts(w, s.alerts);
    w.Key("catalog_id");
    if (s.catalog_id.empty()) {
      w.Null();
    } else {
      w.String(s.catalog_id);
    }
    w.Key("catalog_status");
    if (s.catalog_id.empty()) {
      w.Null();
    } else {
      w.String(s.catalog_status);
    }
    w.Key("catalog_note");
    if (s.catalog_id.empty()) {
      w.Null();
    } else {
      w.String(s.catalog_note);
    }
    w.Key("results");
    w.BeginObject();
    w.Key("good");
    w.Int(s.month.good);
    w.Key("total");
    w.Int(s.month.total);
    w.EndObject();
    w.Key("daily_availability");
    w.BeginArray();
    for (const Counts& d : s.daily) {
      if (d.total == 0) {
        w.Null();
      } else {
        w.Number(d.ratio());
      }
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Key("applications");
  w.BeginArray();
  for (const ApplicationReport& a : report.applications) {
    w.BeginObject();
    w.Key("name");
    w.String(a.name);
    w.Key("components");
    w.String(a.expression);
    w.Key("theoretical_sla_percent");
    if (a.theoretical_sla_percent) {
      w.Number(*a.theoretical_sla_percent);
    } else {
      w.Null();
    }
    if (!a.theoretical_note.empty()) {
      w.Key("theoretical_note");
      w.String(a.theoretical_note);
    }
    w.Key("observed_availability_percent");
    w.Number(a.observed_availability_percent);
    w.Key("minutes");
    w.BeginObject();
    w.Key("up");
    w.Int(a.up_minutes);
    w.Key("down");
    w.Int(a.down_minutes);
    w.Key("no_data");
    w.Int(a.no_data_minutes);
    w.EndObject();
    w.Key("attribution");
    w.BeginObject();
    w.Key("components");
    w.BeginArray();
    for (const ComponentReport& c : a.components) {
      w.BeginObject();
      w.Key("name");
      w.String(c.name);
      w.Key("owner");
      w.String(OwnerName(c.owner));
      w.Key("down_intervals");
      w.Int(c.down_minutes);
      w.Key("sole_intervals");
      w.Int(c.sole_intervals);
      w.Key("shared_intervals");
      w.Int(c.shared_intervals);
      w.EndObject();
    }
    w.EndArray();
    w.Key("owners");
    w.BeginObject();
    w.Key("provider");
    WriteOwner(w, a.provider);
    w.Key("application");
    WriteOwner(w, a.application);
    w.EndObject();
    w.Key("mixed_owner_intervals");
    w.Int(a.mixed_owner_intervals);
    w.Key("unattributed_intervals");
    w.Int(a.unattributed_intervals);
    w.EndObject();
    w.Key("objectives");
    WriteObjectives(w, a.objectives, /*with_owners=*/true);
    w.EndObject();
  }
  w.EndArray();
  w.Key("remediation");
  w.BeginArray();
  for (const AuditRecord& r : report.remediation) w.Raw(AuditRecordToJson(r));
  w.EndArray();
  w.EndObject();
  return w.str() + "\n";
}

std::string RenderReportCsv(const MonthlyReport& report) {
  std::string out =
      "month,service,owner,target_percent,uptime_percent,intervals,"
      "down_intervals,excluded_intervals,downtime_minutes,met,"
      "credit_percent,incidents,catalog_id,catalog_status\n";
  for (const ServiceReport& s : report.services) {
    const ContractResult* c = s.result ? &*s.result : nullptr;
    std::vector<std::string> f = {report.month, CsvField(s.name),
                                  std::string(OwnerName(s.owner))};
    if (c != nullptr) {
      f.push_back(FormatDouble(s.contract->commitment_percent));
      f.push_back(FormatDouble(c->uptime_percent));
      f.push_back(absl::StrCat(c->intervals));
      f.push_back(absl::StrCat(c->down_intervals));
      f.push_back(absl::StrCat(c->excluded_intervals));
      f.push_back(absl::StrCat(c->downtime_minutes));
      f.push_back(c->met ? "true" : "false");
      f.push_back(FormatDouble(c->credit_percent));
      f.push_back(absl::StrCat(c->incidents.size()));
    } else {
      f.insert(f.end(), 9, "");
    }
    f.push_back(CsvField(s.catalog_id));
    f.push_back(s.catalog_status);
    absl::StrAppend(&out, absl::StrJoin(f, ","), "\n");
  }
  return out;
}

std::string RenderReportMarkdown(const MonthlyReport& report) {
  std::string out = absl::StrCat(
      "# SLA compliance report, ", report.month, "\n\n", "Period ",
      TimeToString(report.period.from), " to ", TimeToString(report.period.to),
      " (", report.timezone, "); provider catalog ", report.catalog_version,
      ".\n\n", "## Provider contracts\n\n",
      "| service | owner | commitment | uptime | down / counted intervals "
      "| downtime | met | credit | catalog |\n",
      "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | --- |\n");
  for (const ServiceReport& s : report.services) {
    if (!s.result) {
      absl::StrAppend(&out, "| ", s.name, " | ", OwnerName(s.owner),
                      " | - | - | - | - | - | - | ", CatalogCell(s), " |\n");
      continue;
    }
    const ContractResult& c = *s.result;
    absl::StrAppend(&out, "| ", s.name, " | ", OwnerName(s.owner), " | ",
                    FormatDouble(s.contract->commitment_percent), "% | ",
                    Percent(c.uptime_percent), "% | ", c.down_intervals, " / ",
                    c.counted_intervals(), " | ", c.downtime_minutes, " min | ",
                    c.met ? "yes" : "**no**", " | ",
                    FormatDouble(c.credit_percent), "% | ", CatalogCell(s),
                    " |\n");
  }
  // People read the longest incidents; the JSON and CSV keep them all.
  constexpr size_t kListedIncidents = 15;
  out += "\n## Incidents\n\n";
  bool any_incident = false;
  for (const ServiceReport& s : report.services) {
    if (!s.result || s.result->incidents.empty()) continue;
    std::vector<Incident> longest = s.result->incidents;
    std::stable_sort(longest.begin(), longest.end(),
                     [](const Incident& a, const Incident& b) {
                       return a.minutes > b.minutes;
                     });
    any_incident = true;
    const size_t shown = std::min(longest.size(), kListedIncidents);
    absl::StrAppend(&out, "**", s.name, "**: ", longest.size(), " incidents, ",
                    s.result->downtime_minutes, " minutes down",
                    longest.size() > shown
                        ? absl::StrCat("; the ", shown, " longest:\n\n")
                        : ":\n\n");
    for (size_t i = 0; i < shown; ++i) {
      absl::StrAppend(&out, "- ", TimeToString(longest[i].span.from), " to ",
                      TimeToString(longest[i].span.to), " (",
                      longest[i].minutes, " min)\n");
    }
    out += "\n";
  }
  if (!any_incident) out += "None.\n";
  bool any_unconfirmed = false;
  for (const ServiceReport& s : report.services) {
    any_unconfirmed |= !s.catalog_note.empty();
  }
  if (any_unconfirmed) {
    out +=
        "\nCatalog terms marked \"not confirmed\" were not read in the "
        "provider's own SLA text; check them before claiming a credit.\n";
  }
  out +=
      "\n## Objectives\n\n| service | objective | target | window | "
      "availability | budget remaining |\n| --- | --- | ---: | --- | ---: | "
      "---: |\n";
  const auto objective_rows = [&out](const std::string& owner,
                                     const std::vector<ObjectiveReport>& os) {
    for (const ObjectiveReport& o : os) {
      absl::StrAppend(
          &out, "| ", owner, " | ", o.name, " | ",
          FormatDouble(o.target_percent), "% | ", o.window, " | ",
          o.budget.total == 0 ? std::string("no data")
                              : Percent(o.budget.availability * 100) + "%",
          " | ", absl::StrFormat("%.1f%%", o.budget.remaining * 100), " |\n");
    }
  };
  for (const ServiceReport& s : report.services) {
    objective_rows(s.name, s.objectives);
  }
  for (const ApplicationReport& a : report.applications) {
    objective_rows(a.name, a.objectives);
  }
  if (!report.applications.empty()) {
    out +=
        "\n## Applications\n\n| application | components | theoretical SLA "
        "| observed | down minutes | provider | application | mixed |\n"
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n";
    for (const ApplicationReport& a : report.applications) {
      absl::StrAppend(
          &out, "| ", a.name, " | `", a.expression, "` | ",
          a.theoretical_sla_percent
              ? absl::StrCat(Percent(*a.theoretical_sla_percent), "%")
              : absl::StrCat("- (", a.theoretical_note, ")"),
          " | ", Percent(a.observed_availability_percent), "% | ",
          a.down_minutes, " | ", a.provider.exclusive_intervals, " | ",
          a.application.exclusive_intervals, " | ", a.mixed_owner_intervals,
          " |\n");
    }
    out +=
        "\nProvider / application: down minutes whose every cause belongs to "
        "that owner; mixed: causes of both.\n\n"
        "| application | component | owner | down minutes | caused alone | "
        "shared |\n| --- | --- | --- | ---: | ---: | ---: |\n";
    for (const ApplicationReport& a : report.applications) {
      for (const ComponentReport& c : a.components) {
        absl::StrAppend(&out, "| ", a.name, " | ", c.name, " | ",
                        OwnerName(c.owner), " | ", c.down_minutes, " | ",
                        c.sole_intervals, " | ", c.shared_intervals, " |\n");
      }
    }
  }
  out +=
      "\n## Alerts\n\nAlerts of the objectives with `alerting: true`, "
      "replayed on the month's results with each objective's policy.\n\n";
  bool any_alert = false;
  for (const ServiceReport& s : report.services) {
    any_alert |= !s.alerts.empty();
  }
  if (any_alert) {
    out +=
        "| service | objective | severity | started | resolved | minutes | "
        "fired on (long and short burn rate > factor) | budget left | peak "
        "burn rate (long / short) |\n"
        "| --- | --- | --- | --- | --- | ---: | --- | ---: | ---: |\n";
    for (const ServiceReport& s : report.services) {
      for (const AlertEpisode& a : s.alerts) {
        absl::StrAppend(
            &out, "| ", s.name, " | ", a.objective, " | ", a.severity, " | ",
            TimeToString(a.started),
            a.started_before_replay ? " (or earlier)" : "", " | ",
            a.resolved ? TimeToString(*a.resolved) : "still firing", " | ",
            absl::ToInt64Minutes(a.duration), " | ", EvidenceText(a.evidence),
            " | ", absl::StrFormat("%.1f%%", a.budget_remaining * 100), " | ",
            Rate(a.peak_long_rate), " / ", Rate(a.peak_short_rate), " |\n");
      }
    }
  } else {
    out += "None.\n";
  }
  out += "\n## Remediation runs\n\n";
  if (report.remediation.empty()) {
    out += "None.\n";
  } else {
    out +=
        "| at | service | objective | severity | alert | action | decision | "
        "reason | result | started | finished |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- "
        "|\n";
    for (const AuditRecord& r : report.remediation) {
      absl::StrAppend(&out, "| ", TimeOrDash(r.at), " | ", MdCell(r.service),
                      " | ", MdCell(r.objective), " | ", MdCell(r.severity),
                      " | ", AlertStateName(r.alert_to), " | ",
                      MdCell(r.action), " | ", MdCell(r.decision), " | ",
                      MdCell(r.reason), " | ", MdCell(AuditResult(r)), " | ",
                      TimeOrDash(r.started), " | ", TimeOrDash(r.finished),
                      " |\n");
    }
  }
  return out;
}

}  // namespace sla
