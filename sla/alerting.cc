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

#include "absl/container/inlined_vector.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
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

absl::Status ValidateGuard(int64_t min_short_window_events) {
  if (min_short_window_events < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("alert policy: min_short_window_events ",
                     min_short_window_events, " is negative"));
  }
  return absl::OkStatus();
}

// Tiers with their windows resolved to indices into one distinct list, so
// that one BurnRatesAt call (or one count per window) serves them all.
// Inline storage: policies have a handful of tiers, and the stateless path
// indexes explicit tiers at every call.
constexpr size_t kInlineTiers = 8;
using WindowList = absl::InlinedVector<absl::Duration, 2 * kInlineTiers>;
struct TierIndex {
  absl::InlinedVector<int, kInlineTiers> severity;  // into kSeverities
  WindowList windows;                               // distinct
  // Per tier: the indices of its long and short windows in `windows`.
  absl::InlinedVector<std::pair<int, int>, kInlineTiers> window_index;
};

int WindowIndex(WindowList* windows, absl::Duration w) {
  for (size_t i = 0; i < windows->size(); ++i) {
    if ((*windows)[i] == w) return static_cast<int>(i);
  }
  windows->push_back(w);
  return static_cast<int>(windows->size() - 1);
}

// `tiers` must be valid (ValidateTier).
TierIndex IndexTiers(absl::Span<const BurnTier> tiers) {
  TierIndex x;
  for (const BurnTier& t : tiers) {
    x.severity.push_back(SeverityIndex(t.severity));
    const int l = WindowIndex(&x.windows, t.long_window);
    const int s = WindowIndex(&x.windows, t.short_window);
    x.window_index.emplace_back(l, s);
  }
  return x;
}

struct PreparedTiers {
  std::vector<BurnTier> tiers;
  TierIndex index;
};

// `tiers` must be valid (ValidateTier).
PreparedTiers PrepareTiers(std::vector<BurnTier> tiers) {
  PreparedTiers p;
  p.tiers = std::move(tiers);
  p.index = IndexTiers(p.tiers);
  return p;
}

// One tier's evaluation from the rates and counts of its two windows; the
// strings of `e` keep their storage.
void FillTier(const BurnTier& tier, int severity, double long_rate,
              double short_rate, const Counts& long_counts,
              const Counts& short_counts, int64_t min_short_window_events,
              TierEvaluation* e) {
  e->tier = tier;
  e->long_rate = long_rate;
  e->short_rate = short_rate;
  e->long_counts = long_counts;
  e->short_counts = short_counts;
  // Strict: a rate equal to the factor is on the line, not over it (see
  // "Exactness" in alerting.h).
  e->condition = long_rate > tier.factor && short_rate > tier.factor;
  e->suppressed = false;
  e->reason.clear();
  e->top_component.clear();
  e->top_component_minutes = 0;
  if (e->condition && severity == 0 &&
      short_counts.total < min_short_window_events) {
    e->suppressed = true;
    e->reason = absl::StrFormat(
        "short window %s holds %d events < %d (low-traffic guard)",
        DurationToString(tier.short_window), short_counts.total,
        min_short_window_events);
  }
}

// Fills `out` (resized to the tier count, its strings' storage reused).
absl::Status EvaluatePrepared(const Engine& engine, ObjectiveId id,
                              absl::Time at, absl::Span<const BurnTier> tiers,
                              const TierIndex& index,
                              int64_t min_short_window_events,
                              std::vector<TierEvaluation>* out) {
  absl::StatusOr<BurnRates> rates = engine.BurnRatesAt(id, at, index.windows);
  if (!rates.ok()) return rates.status();
  out->resize(tiers.size());
  const int* severity = index.severity.data();
  const std::pair<int, int>* window_index = index.window_index.data();
  for (size_t i = 0; i < tiers.size(); ++i) {
    const auto [l, s] = window_index[i];
    FillTier(tiers[i], severity[i], rates->rates[l], rates->rates[s],
             rates->counts[l], rates->counts[s], min_short_window_events,
             &(*out)[i]);
  }
  return absl::OkStatus();
}

// The default tiers of `window`, prepared, from a small per-thread cache
// keyed by the nominal length. A fleet has a handful of windows, and
// deriving their tiers (and allocating them) for every objective at every
// evaluation was most of the stateless path's cost. Per thread, so there
// is no lock; the pointer stays valid until this thread's next call.
absl::StatusOr<const PreparedTiers*> CachedDefaultTiers(const Window& window) {
  struct Entry {
    absl::Duration length;
    std::unique_ptr<const PreparedTiers> tiers;
  };
  constexpr size_t kMaxEntries = 16;
  thread_local std::vector<Entry> cache;
  thread_local size_t next_victim = 0;
  const absl::Duration length = NominalLength(window);
  for (const Entry& e : cache) {
    if (e.length == length) return e.tiers.get();
  }
  absl::StatusOr<std::vector<BurnTier>> tiers = DefaultBurnTiers(length);
  if (!tiers.ok()) return tiers.status();
  Entry entry{length, std::make_unique<const PreparedTiers>(
                          PrepareTiers(*std::move(tiers)))};
  if (cache.size() < kMaxEntries) {
    cache.push_back(std::move(entry));
    return cache.back().tiers.get();
  }
  Entry& victim = cache[next_victim];
  next_victim = (next_victim + 1) % kMaxEntries;
  victim = std::move(entry);
  return victim.tiers.get();
}

}  // namespace

absl::Duration NominalLength(const Window& window) {
  if (window.is_rolling()) return window.length();
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
  return absl::Hours(24 * days);
}

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
  return DefaultBurnTiers(NominalLength(window));
}

absl::StatusOr<std::vector<BurnTier>> PolicyTiers(const AlertPolicy& policy,
                                                  const Window& window) {
  if (!policy.tiers.empty()) return policy.tiers;
  return DefaultBurnTiers(window);
}

absl::Status ValidateAlertPolicy(const AlertPolicy& policy) {
  for (size_t i = 0; i < policy.tiers.size(); ++i) {
    absl::Status s = ValidateTier(policy.tiers[i], i);
    if (!s.ok()) return s;
  }
  if (absl::Status s = ValidateGuard(policy.min_short_window_events); !s.ok()) {
    return s;
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
  std::vector<TierEvaluation> out;
  if (!policy.tiers.empty()) {
    absl::Status s =
        EvaluatePrepared(engine, id, at, policy.tiers, IndexTiers(policy.tiers),
                         policy.min_short_window_events, &out);
    if (!s.ok()) return s;
    return out;
  }
  // The objective's window without copying its spec, and its default tiers
  // from the cache.
  absl::StatusOr<Window> window = engine.GetObjectiveWindow(id);
  if (!window.ok()) return window.status();
  absl::StatusOr<const PreparedTiers*> prepared = CachedDefaultTiers(*window);
  if (!prepared.ok()) {
    absl::StatusOr<ObjectiveSpec> spec = engine.GetObjective(id);
    if (!spec.ok()) return spec.status();
    return Annotate(prepared.status(), spec->service, spec->name);
  }
  const PreparedTiers& p = **prepared;
  absl::Status s = EvaluatePrepared(engine, id, at, p.tiers, p.index,
                                    policy.min_short_window_events, &out);
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<TierEvaluation>> EvaluateBurnTiersFromCounts(
    absl::Span<const BurnTier> tiers, const Target& target,
    int64_t min_short_window_events, WindowCountsFn counts) {
  for (size_t i = 0; i < tiers.size(); ++i) {
    absl::Status s = ValidateTier(tiers[i], i);
    if (!s.ok()) return s;
  }
  if (absl::Status s = ValidateGuard(min_short_window_events); !s.ok()) {
    return s;
  }
  const TierIndex index = IndexTiers(tiers);
  absl::InlinedVector<Counts, 2 * kInlineTiers> window_counts;
  for (absl::Duration w : index.windows) {
    absl::StatusOr<Counts> c = counts(w);
    if (!c.ok()) return c.status();
    window_counts.push_back(*c);
  }
  std::vector<TierEvaluation> out(tiers.size());
  for (size_t i = 0; i < tiers.size(); ++i) {
    const auto [l, s] = index.window_index[i];
    FillTier(tiers[i], index.severity[i], BurnRate(window_counts[l], target),
             BurnRate(window_counts[s], target), window_counts[l],
             window_counts[s], min_short_window_events, &out[i]);
  }
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

absl::Span<const absl::Duration> StandardBurnWindows() {
  static constexpr absl::Duration kWindows[] = {
      absl::Minutes(5), absl::Minutes(30), absl::Hours(1), absl::Hours(2),
      absl::Hours(6),   absl::Hours(24),   absl::Hours(72)};
  return kWindows;
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
  // Advance's keys: the caller evaluates, `prepared` holds no tiers and
  // only the severities of the first evaluation.
  bool external = false;
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
    ObjectiveAlerts* o = objectives_[id].get();
    if (o->external) {
      return absl::FailedPreconditionError(
          absl::StrCat(ObjectiveName(o->service, o->name), ": id ", id,
                       " is a key of Advance, not an engine objective"));
    }
    return o;
  }
  absl::StatusOr<ObjectiveSpec> spec = engine.GetObjective(id);
  if (!spec.ok()) return spec.status();
  const AlertPolicy& policy = id < policies_.size() && policies_[id] != nullptr
                                  ? *policies_[id]
                                  : default_policy_;
  absl::Status valid = ValidateAlertPolicy(policy);
  if (!valid.ok()) return Annotate(valid, spec->service, spec->name);
  absl::StatusOr<Window> window = Window::Parse(spec->window);
  if (!window.ok()) return Annotate(window.status(), spec->service, spec->name);
  absl::StatusOr<std::vector<BurnTier>> tiers = PolicyTiers(policy, *window);
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

absl::StatusOr<AlertTracker::ObjectiveAlerts*> AlertTracker::PrepareKey(
    ObjectiveId key, absl::string_view service, absl::string_view objective) {
  if (key < objectives_.size() && objectives_[key] != nullptr) {
    ObjectiveAlerts* o = objectives_[key].get();
    if (!o->external) {
      return absl::FailedPreconditionError(
          absl::StrCat(ObjectiveName(o->service, o->name), ": id ", key,
                       " is an engine objective evaluated with Evaluate"));
    }
    return o;
  }
  const AlertPolicy& policy =
      key < policies_.size() && policies_[key] != nullptr ? *policies_[key]
                                                          : default_policy_;
  absl::Status valid = ValidateAlertPolicy(policy);
  if (!valid.ok()) return Annotate(valid, service, objective);
  auto alerts = std::make_unique<ObjectiveAlerts>();
  alerts->service = std::string(service);
  alerts->name = std::string(objective);
  alerts->external = true;
  alerts->min_short_window_events = policy.min_short_window_events;
  alerts->for_duration = policy.for_duration;
  alerts->resolve_after = policy.resolve_after;
  if (objectives_.size() <= key) objectives_.resize(size_t{key} + 1);
  objectives_[key] = std::move(alerts);
  return objectives_[key].get();
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
  absl::Status s =
      EvaluatePrepared(engine, id, at, o.prepared.tiers, o.prepared.index,
                       o.min_short_window_events, &o.scratch);
  if (!s.ok()) return s;
  return AdvanceLocked(o, id, at, [&]() -> absl::StatusOr<double> {
    absl::StatusOr<ObjectiveStatus> status = engine.Evaluate(id, at);
    if (!status.ok()) return status.status();
    return status->budget.remaining;
  });
}

absl::StatusOr<std::vector<AlertEvent>> AlertTracker::Advance(
    ObjectiveId key, absl::string_view service, absl::string_view objective,
    std::vector<TierEvaluation> evaluation, double budget_remaining,
    absl::Time at) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<ObjectiveAlerts*> prepared =
      PrepareKey(key, service, objective);
  if (!prepared.ok()) return prepared.status();
  ObjectiveAlerts& o = **prepared;
  if (o.evaluated && at < o.last_at) {
    return absl::InvalidArgumentError(absl::StrCat(
        ObjectiveName(o.service, o.name), ": evaluation time ",
        TimeToString(at), " is earlier than the previous evaluation ",
        TimeToString(o.last_at)));
  }
  // The tiers' severities: fixed by the first evaluation.
  absl::InlinedVector<int, kInlineTiers> severity;
  for (const TierEvaluation& e : evaluation) {
    severity.push_back(SeverityIndex(e.tier.severity));
    if (severity.back() < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(ObjectiveName(o.service, o.name), ": severity '",
                       e.tier.severity, "' is not \"page\" or \"ticket\""));
    }
  }
  if (evaluation.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        ObjectiveName(o.service, o.name), ": the evaluation has no tier"));
  }
  if (!o.evaluated) {
    o.prepared.index.severity = severity;
  } else if (o.prepared.index.severity != severity) {
    return absl::InvalidArgumentError(
        absl::StrCat(ObjectiveName(o.service, o.name), ": the evaluation has ",
                     evaluation.size(),
                     " tiers or other severities than its "
                     "first, which had ",
                     o.prepared.index.severity.size()));
  }
  o.scratch = std::move(evaluation);
  return AdvanceLocked(o, key, at,
                       [budget_remaining]() -> absl::StatusOr<double> {
                         return budget_remaining;
                       });
}

absl::StatusOr<std::vector<AlertEvent>> AlertTracker::AdvanceLocked(
    ObjectiveAlerts& o, ObjectiveId id, absl::Time at,
    absl::FunctionRef<absl::StatusOr<double>()> budget) {
  const std::vector<TierEvaluation>& eval = o.scratch;
  const int* tier_severity = o.prepared.index.severity.data();

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
      if (tier_severity[i] != k) continue;
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
    absl::StatusOr<double> remaining = budget();
    if (!remaining.ok()) return remaining.status();
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
      e.budget_remaining = *remaining;
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

void AlertTracker::ShiftTimes(absl::Duration step) {
  absl::MutexLock lock(&mu_);
  // Infinite times (never set) stay as they are: InfinitePast + step is
  // still InfinitePast.
  for (const std::unique_ptr<ObjectiveAlerts>& o : objectives_) {
    if (o == nullptr) continue;
    o->last_at += step;
    for (AlertSlot& slot : o->slots) {
      slot.since += step;
      slot.false_since += step;
    }
  }
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
