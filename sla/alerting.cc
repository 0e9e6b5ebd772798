// sla/alerting.cc: burn-rate tiers, their evaluation and the alert
// lifecycle. See alerting.h for the contract.

#include "sla/alerting.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sla/engine.h"
#include "sla/objective.h"
#include "sla/window.h"

namespace sla {
namespace {

constexpr absl::string_view kPage = "page";
constexpr absl::string_view kTicket = "ticket";

// Severities index the per-objective alert slots, in event order.
constexpr int kNumSeverities = 2;
constexpr absl::string_view kSeverities[kNumSeverities] = {kPage, kTicket};

int SeverityIndex(absl::string_view severity) {
  for (int k = 0; k < kNumSeverities; ++k) {
    if (severity == kSeverities[k]) return k;
  }
  return -1;
}

// The SRE workbook tiers for a 30-day window: budget spent (integer
// percent) within the long window, checked again over the short window.
struct WorkbookTier {
  int severity;  // index into kSeverities
  int64_t budget_percent;
  int64_t long_seconds;
  int64_t short_seconds;
};
constexpr int64_t kHour = 3600;
constexpr WorkbookTier kWorkbookTiers[] = {
    {0, 2, 1 * kHour, 5 * 60},       // page:   14.4 over 1h and 5m
    {0, 5, 6 * kHour, 30 * 60},      // page:    6   over 6h and 30m
    {1, 10, 24 * kHour, 2 * kHour},  // ticket:  3   over 1d and 2h
    {1, 10, 72 * kHour, 6 * kHour},  // ticket:  1   over 3d and 6h
};
// budget_percent * seconds stays below 2^53, so the numerator and the
// denominator of each factor are exact doubles and the factor is one
// correctly rounded division.
constexpr int64_t kMaxWindowSeconds = int64_t{100'000'000'000'000};

bool IsPositiveWholeMinutes(absl::Duration d) {
  return d > absl::ZeroDuration() && d != absl::InfiniteDuration() &&
         absl::Trunc(d, absl::Minutes(1)) == d;
}

std::string ObjectiveName(absl::string_view service, absl::string_view name) {
  return absl::StrCat("objective '", service, "/", name, "'");
}

absl::Status Annotate(const absl::Status& s, absl::string_view service,
                      absl::string_view name) {
  return absl::Status(
      s.code(), absl::StrCat(ObjectiveName(service, name), ": ", s.message()));
}

absl::Status ValidateTier(const BurnTier& t, size_t index) {
  const std::string where = absl::StrCat("alert tier ", index);
  if (SeverityIndex(t.severity) < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": severity '", t.severity, "' is not \"page\" or \"ticket\""));
  }
  if (!IsPositiveWholeMinutes(t.long_window) ||
      !IsPositiveWholeMinutes(t.short_window)) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": windows ", absl::FormatDuration(t.long_window),
                     " and ", absl::FormatDuration(t.short_window),
                     " must be positive whole numbers of minutes"));
  }
  if (t.short_window > t.long_window) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": short window ", DurationToString(t.short_window),
        " is longer than long window ", DurationToString(t.long_window)));
  }
  if (!std::isfinite(t.factor) || !(t.factor > 0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": factor ", t.factor, " must be finite and positive"));
  }
  return absl::OkStatus();
}

// Tiers with their windows resolved to indices into one distinct list, so
// that one BurnRatesAt call serves them all.
struct PreparedTiers {
  std::vector<BurnTier> tiers;
  std::vector<int> severity;  // per tier, index into kSeverities
  std::vector<absl::Duration> windows;
  std::vector<std::pair<int, int>> window_index;  // per tier: long, short
};

int WindowIndex(std::vector<absl::Duration>* windows, absl::Duration w) {
  for (size_t i = 0; i < windows->size(); ++i) {
    if ((*windows)[i] == w) return static_cast<int>(i);
  }
  windows->push_back(w);
  return static_cast<int>(windows->size() - 1);
}

// `tiers` must be valid (ValidateTier).
PreparedTiers PrepareTiers(std::vector<BurnTier> tiers) {
  PreparedTiers p;
  p.tiers = std::move(tiers);
  p.severity.reserve(p.tiers.size());
  p.window_index.reserve(p.tiers.size());
  for (const BurnTier& t : p.tiers) {
    p.severity.push_back(SeverityIndex(t.severity));
    const int l = WindowIndex(&p.windows, t.long_window);
    const int s = WindowIndex(&p.windows, t.short_window);
    p.window_index.emplace_back(l, s);
  }
  return p;
}

// Fills `out` (resized to the tier count, its strings' storage reused).
absl::Status EvaluatePrepared(const Engine& engine, ObjectiveId id,
                              absl::Time at, const PreparedTiers& p,
                              int64_t min_short_window_events,
                              std::vector<TierEvaluation>* out) {
  absl::StatusOr<BurnRates> rates = engine.BurnRatesAt(id, at, p.windows);
  if (!rates.ok()) return rates.status();
  out->resize(p.tiers.size());
  for (size_t i = 0; i < p.tiers.size(); ++i) {
    TierEvaluation& e = (*out)[i];
    e.tier = p.tiers[i];
    const auto [l, s] = p.window_index[i];
    e.long_rate = rates->rates[l];
    e.short_rate = rates->rates[s];
    e.long_counts = rates->counts[l];
    e.short_counts = rates->counts[s];
    // Strict: a rate equal to the factor is on the line, not over it (see
    // "Exactness" in alerting.h).
    e.condition = e.long_rate > e.tier.factor && e.short_rate > e.tier.factor;
    e.suppressed = false;
    e.reason.clear();
    if (e.condition && p.severity[i] == 0 &&
        e.short_counts.total < min_short_window_events) {
      e.suppressed = true;
      e.reason = absl::StrFormat(
          "short window %s holds %d events < %d (low-traffic guard)",
          DurationToString(e.tier.short_window), e.short_counts.total,
          min_short_window_events);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<BurnTier>> TiersFor(const AlertPolicy& policy,
                                               const ObjectiveSpec& spec) {
  if (!policy.tiers.empty()) return policy.tiers;
  absl::StatusOr<Window> window = Window::Parse(spec.window);
  if (!window.ok()) return window.status();
  return DefaultBurnTiers(*window);
}

}  // namespace

absl::StatusOr<std::vector<BurnTier>> DefaultBurnTiers(
    absl::Duration slo_window) {
  if (slo_window <= absl::ZeroDuration() ||
      slo_window > absl::Seconds(kMaxWindowSeconds) ||
      absl::Trunc(slo_window, absl::Seconds(1)) != slo_window) {
    return absl::InvalidArgumentError(
        absl::StrCat("SLO window ", absl::FormatDuration(slo_window),
                     " must be a positive whole number of seconds below "
                     "10^14 s"));
  }
  const int64_t window_seconds = absl::ToInt64Seconds(slo_window);
  std::vector<BurnTier> tiers;
  for (const WorkbookTier& w : kWorkbookTiers) {
    if (w.long_seconds > window_seconds) continue;
    BurnTier t;
    t.severity = std::string(kSeverities[w.severity]);
    t.long_window = absl::Seconds(w.long_seconds);
    t.short_window = absl::Seconds(w.short_seconds);
    // budget% * W / (100 * long): both operands exact, one rounding.
    t.factor = static_cast<double>(w.budget_percent * window_seconds) /
               static_cast<double>(100 * w.long_seconds);
    tiers.push_back(std::move(t));
  }
  if (tiers.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "SLO window ", DurationToString(slo_window),
        " is shorter than the long window of every default burn-rate tier "
        "(the shortest is 1h)"));
  }
  return tiers;
}

absl::StatusOr<std::vector<BurnTier>> DefaultBurnTiers(const Window& window) {
  if (window.is_rolling()) return DefaultBurnTiers(window.length());
  int days = 30;
  switch (window.unit()) {
    case CalendarUnit::kDay:
      days = 1;
      break;
    case CalendarUnit::kIsoWeek:
      days = 7;
      break;
    case CalendarUnit::kMonth:
      days = 30;
      break;
    case CalendarUnit::kQuarter:
      days = 90;
      break;
    case CalendarUnit::kYear:
      days = 365;
      break;
  }
  return DefaultBurnTiers(absl::Hours(24 * days));
}

absl::Status ValidateAlertPolicy(const AlertPolicy& policy) {
  for (size_t i = 0; i < policy.tiers.size(); ++i) {
    absl::Status s = ValidateTier(policy.tiers[i], i);
    if (!s.ok()) return s;
  }
  if (policy.min_short_window_events < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("alert policy: min_short_window_events ",
                     policy.min_short_window_events, " is negative"));
  }
  if (policy.for_duration < absl::ZeroDuration() ||
      policy.for_duration == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "alert policy: for_duration ",
        absl::FormatDuration(policy.for_duration), " must be finite and >= 0"));
  }
  if (policy.resolve_after < absl::ZeroDuration() ||
      policy.resolve_after == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("alert policy: resolve_after ",
                     absl::FormatDuration(policy.resolve_after),
                     " must be finite and >= 0"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<TierEvaluation>> EvaluateBurnTiers(
    const Engine& engine, ObjectiveId id, absl::Time at,
    const AlertPolicy& policy) {
  absl::Status valid = ValidateAlertPolicy(policy);
  if (!valid.ok()) return valid;
  std::vector<BurnTier> defaults;
  if (policy.tiers.empty()) {
    absl::StatusOr<ObjectiveSpec> spec = engine.GetObjective(id);
    if (!spec.ok()) return spec.status();
    absl::StatusOr<std::vector<BurnTier>> tiers = TiersFor(policy, *spec);
    if (!tiers.ok()) {
      return Annotate(tiers.status(), spec->service, spec->name);
    }
    defaults = *std::move(tiers);
  }
  const PreparedTiers prepared =
      PrepareTiers(policy.tiers.empty() ? std::move(defaults) : policy.tiers);
  std::vector<TierEvaluation> out;
  absl::Status s = EvaluatePrepared(engine, id, at, prepared,
                                    policy.min_short_window_events, &out);
  if (!s.ok()) return s;
  return out;
}

absl::string_view AlertStateName(AlertState state) {
  switch (state) {
    case AlertState::kInactive:
      return "inactive";
    case AlertState::kPending:
      return "pending";
    case AlertState::kFiring:
      return "firing";
    case AlertState::kResolved:
      return "resolved";
  }
  return "?";
}

// ------------------------------------------------------------ AlertTracker

namespace {

// The state of one alert (one objective and severity). Trivially copyable,
// so an evaluation can work on a copy and commit it at the end.
struct AlertSlot {
  AlertState state = AlertState::kInactive;
  absl::Time since = absl::InfinitePast();  // when `state` was entered
  // Firing only: the first evaluation of the current run of evaluations
  // that found the condition false.
  bool has_false_since = false;
  absl::Time false_since = absl::InfinitePast();
  int trigger = -1;  // the tier that put the alert in `state`
};

}  // namespace

struct AlertTracker::ObjectiveAlerts {
  std::string service;
  std::string name;
  int64_t min_short_window_events = 0;
  absl::Duration for_duration;
  absl::Duration resolve_after;
  PreparedTiers prepared;
  std::array<AlertSlot, kNumSeverities> slots;
  bool evaluated = false;
  absl::Time last_at = absl::InfinitePast();
  std::vector<TierEvaluation> last;     // the latest evaluation
  std::vector<TierEvaluation> scratch;  // the one in progress
};

AlertTracker::AlertTracker(AlertPolicy policy)
    : default_policy_(std::move(policy)) {}

AlertTracker::~AlertTracker() = default;

absl::Status AlertTracker::SetPolicy(ObjectiveId id, AlertPolicy policy) {
  absl::Status valid = ValidateAlertPolicy(policy);
  if (!valid.ok()) return valid;
  absl::MutexLock lock(&mu_);
  if (id < objectives_.size() && objectives_[id] != nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        ObjectiveName(objectives_[id]->service, objectives_[id]->name),
        ": its policy cannot change after it was evaluated"));
  }
  if (policies_.size() <= id) policies_.resize(size_t{id} + 1);
  policies_[id] = std::make_unique<AlertPolicy>(std::move(policy));
  return absl::OkStatus();
}

absl::StatusOr<AlertTracker::ObjectiveAlerts*> AlertTracker::Prepare(
    const Engine& engine, ObjectiveId id) {
  if (id < objectives_.size() && objectives_[id] != nullptr) {
    return objectives_[id].get();
  }
  absl::StatusOr<ObjectiveSpec> spec = engine.GetObjective(id);
  if (!spec.ok()) return spec.status();
  const AlertPolicy& policy = id < policies_.size() && policies_[id] != nullptr
                                  ? *policies_[id]
                                  : default_policy_;
  absl::Status valid = ValidateAlertPolicy(policy);
  if (!valid.ok()) return Annotate(valid, spec->service, spec->name);
  absl::StatusOr<std::vector<BurnTier>> tiers = TiersFor(policy, *spec);
  if (!tiers.ok()) return Annotate(tiers.status(), spec->service, spec->name);

  auto alerts = std::make_unique<ObjectiveAlerts>();
  alerts->service = std::move(spec->service);
  alerts->name = std::move(spec->name);
  alerts->min_short_window_events = policy.min_short_window_events;
  alerts->for_duration = policy.for_duration;
  alerts->resolve_after = policy.resolve_after;
  alerts->prepared = PrepareTiers(*std::move(tiers));
  if (objectives_.size() <= id) objectives_.resize(size_t{id} + 1);
  objectives_[id] = std::move(alerts);
  return objectives_[id].get();
}

absl::StatusOr<std::vector<AlertEvent>> AlertTracker::Evaluate(
    const Engine& engine, ObjectiveId id, absl::Time at) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<ObjectiveAlerts*> prepared = Prepare(engine, id);
  if (!prepared.ok()) return prepared.status();
  ObjectiveAlerts& o = **prepared;
  if (o.evaluated && at < o.last_at) {
    return absl::InvalidArgumentError(absl::StrCat(
        ObjectiveName(o.service, o.name), ": evaluation time ",
        TimeToString(at), " is earlier than the previous evaluation ",
        TimeToString(o.last_at)));
  }
  absl::Status s = EvaluatePrepared(engine, id, at, o.prepared,
                                    o.min_short_window_events, &o.scratch);
  if (!s.ok()) return s;
  const std::vector<TierEvaluation>& eval = o.scratch;

  // Advance a copy of the slots; commit once nothing can fail.
  std::array<AlertSlot, kNumSeverities> slots = o.slots;
  struct Change {
    int severity;
    AlertState from, to;
    int tier;  // the evidence
  };
  std::array<Change, kNumSeverities> changes;
  int n_changes = 0;
  for (int k = 0; k < kNumSeverities; ++k) {
    int first = -1;  // the first alerting tier of this severity
    bool present = false;
    for (size_t i = 0; i < eval.size(); ++i) {
      if (o.prepared.severity[i] != k) continue;
      present = true;
      if (eval[i].alerting()) {
        first = static_cast<int>(i);
        break;
      }
    }
    if (!present) continue;
    const bool condition = first >= 0;
    AlertSlot& slot = slots[k];
    const AlertState from = slot.state;
    switch (slot.state) {
      case AlertState::kInactive:
      case AlertState::kResolved:
        if (!condition) break;
        slot.state = o.for_duration == absl::ZeroDuration()
                         ? AlertState::kFiring
                         : AlertState::kPending;
        slot.since = at;
        slot.has_false_since = false;
        slot.trigger = first;
        break;
      case AlertState::kPending:
        if (!condition) {
          slot.state = AlertState::kInactive;
          slot.since = at;
        } else if (at - slot.since >= o.for_duration) {
          slot.state = AlertState::kFiring;
          slot.since = at;
          slot.has_false_since = false;
          slot.trigger = first;
        }
        break;
      case AlertState::kFiring:
        if (condition) {
          slot.has_false_since = false;
          break;
        }
        if (!slot.has_false_since) {
          slot.has_false_since = true;
          slot.false_since = at;
        }
        if (at - slot.false_since >= o.resolve_after) {
          slot.state = AlertState::kResolved;
          slot.since = at;
        }
        break;
    }
    if (slot.state != from) {
      changes[n_changes++] = {k, from, slot.state, slot.trigger};
    }
  }

  std::vector<AlertEvent> events;
  if (n_changes > 0) {
    absl::StatusOr<ObjectiveStatus> status = engine.Evaluate(id, at);
    if (!status.ok()) return status.status();
    events.reserve(n_changes);
    for (int c = 0; c < n_changes; ++c) {
      AlertEvent e;
      e.id = id;
      e.service = o.service;
      e.objective = o.name;
      e.severity = std::string(kSeverities[changes[c].severity]);
      e.from = changes[c].from;
      e.to = changes[c].to;
      e.at = at;
      e.evidence = eval[changes[c].tier];
      e.budget_remaining = status->budget.remaining;
      events.push_back(std::move(e));
    }
  }
  o.slots = slots;
  o.evaluated = true;
  o.last_at = at;
  o.last.swap(o.scratch);
  return events;
}

std::vector<ActiveAlert> AlertTracker::Active() const {
  absl::MutexLock lock(&mu_);
  std::vector<ActiveAlert> out;
  for (size_t id = 0; id < objectives_.size(); ++id) {
    const ObjectiveAlerts* o = objectives_[id].get();
    if (o == nullptr) continue;
    for (int k = 0; k < kNumSeverities; ++k) {
      const AlertSlot& slot = o->slots[k];
      if (slot.state != AlertState::kPending &&
          slot.state != AlertState::kFiring) {
        continue;
      }
      ActiveAlert a;
      a.id = static_cast<ObjectiveId>(id);
      a.service = o->service;
      a.objective = o->name;
      a.severity = std::string(kSeverities[k]);
      a.state = slot.state;
      a.since = slot.since;
      a.evidence = o->last[slot.trigger];
      out.push_back(std::move(a));
    }
  }
  return out;
}

absl::Span<const absl::Duration> StandardBurnWindows() {
  static constexpr absl::Duration kWindows[] = {
      absl::Minutes(5), absl::Minutes(30), absl::Hours(1), absl::Hours(2),
      absl::Hours(6),   absl::Hours(24),   absl::Hours(72)};
  return kWindows;
}

std::vector<AlertEvent> AlertTracker::Forget(ObjectiveId id, absl::Time at) {
  absl::MutexLock lock(&mu_);
  std::vector<AlertEvent> out;
  if (id < policies_.size()) policies_[id].reset();
  if (id >= objectives_.size() || objectives_[id] == nullptr) return out;
  std::unique_ptr<ObjectiveAlerts> o = std::move(objectives_[id]);
  for (int k = 0; k < kNumSeverities; ++k) {
    const AlertSlot& slot = o->slots[k];
    if (slot.state != AlertState::kPending &&
        slot.state != AlertState::kFiring) {
      continue;
    }
    AlertEvent e;
    e.id = id;
    e.service = o->service;
    e.objective = o->name;
    e.severity = std::string(kSeverities[k]);
    e.from = slot.state;
    e.to = slot.state == AlertState::kFiring ? AlertState::kResolved
                                             : AlertState::kInactive;
    e.at = at;
    if (slot.trigger >= 0 &&
        static_cast<size_t>(slot.trigger) < o->last.size()) {
      e.evidence = o->last[slot.trigger];
    }
    out.push_back(std::move(e));
  }
  return out;
}

absl::StatusOr<std::vector<TierEvaluation>> AlertTracker::LastEvaluation(
    ObjectiveId id) const {
  absl::MutexLock lock(&mu_);
  if (id >= objectives_.size() || objectives_[id] == nullptr ||
      !objectives_[id]->evaluated) {
    return absl::NotFoundError(
        absl::StrCat("objective id ", id, " has not been evaluated"));
  }
  return objectives_[id]->last;
}

}  // namespace sla
