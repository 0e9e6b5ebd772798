// sla/alerting.h: multi-window, multi-burn-rate alert policies, their
// evaluation, and the alert lifecycle (pending -> firing -> resolved).
//
// A burn-rate tier alerts when an objective spends its error budget fast
// over a long window *and* is still spending it over a short window (so an
// alert stops soon after the outage does). The default tiers are the SRE
// workbook's (chapter 5, table 5-8 plus its 1d/2h ticket), scaled to the
// objective's window the way Sloth scales them:
//
//   severity  budget spent  long  short   factor for 30d / 28d
//   page           2 %       1h    5m      14.4 / 13.44
//   page           5 %       6h    30m      6   / 5.6
//   ticket        10 %       1d    2h       3   / 2.8
//   ticket        10 %       3d    6h       1   / 0.9333...
//
//   sla::Engine engine;                      // SLIs, results, objective...
//   sla::ObjectiveId id = engine.AddObjective(slo).value();
//
//   sla::AlertPolicy policy;                 // empty tiers: the defaults,
//   policy.min_short_window_events = 10;     // scaled to each objective
//   policy.for_duration = absl::Minutes(2);
//   sla::AlertTracker tracker(policy);
//   // Every minute, for every alerting objective:
//   absl::StatusOr<std::vector<sla::AlertEvent>> events =
//       tracker.Evaluate(engine, id, absl::Now());
//   for (const sla::AlertEvent& e : *events) {
//     // e.g. {web, availability, page, kPending -> kFiring, at, evidence:
//     //       1h rate 20.0 > 14.4 and 5m rate 20.0 > 14.4, budget 0.93}
//   }
//
// Objectives the engine does not count (an application's, counted on its
// composite's minutes by sla::EvaluateApplicationBurnTiers in
// sla/report.h) are evaluated by the caller, from counts it supplies
// (EvaluateBurnTiersFromCounts, the same arithmetic), and only their
// lifecycle is the tracker's:
//
//   sla::AlertTracker apps(policy);
//   std::vector<sla::TierEvaluation> tiers = ...;  // at `at`
//   events = apps.Advance(/*key=*/0, "shop", "availability",
//                         std::move(tiers), budget_remaining, at);
//
// Exactness. A tier's condition is `long_rate > factor && short_rate >
// factor` with a strict `>`: a burn rate exactly equal to the factor does
// not alert. Rates are Engine::BurnRatesAt's, each the correctly rounded
// double of the exact rational bad * den / (total * (den - num)) (see
// sla::BurnRate); default factors are the correctly rounded doubles of the
// exact rationals budget% * window / (100 * long window); a factor written
// as a decimal literal (5.6) is the correctly rounded double of that
// decimal. Rounding is monotone, so comparing the two doubles gives the
// exact answer except when rate and factor differ by less than one part in
// 2^52 (windows of more than ~10^15 events). In particular equality stays
// equality: 336 bad of 6000 events against 99 % is a rate of exactly 5.6
// and does not pass the 28d factor 5.6, whereas the PromQL-style test
// bad / total > factor * (1 - target), i.e. 0.056 > 0.055999999999999994,
// would fire. (kRatioTimeslices rates are sums of double ratios and are not
// exact to begin with.)
//
// Errors: absl::Status / StatusOr only. InvalidArgument for a bad tier or
// policy (the message names the tier) or an evaluation time earlier than
// the objective's previous one; NotFound for an unknown objective.
//
// Thread safety: the free functions are thread-safe (Engine is).
// AlertTracker is thread-safe: its state is behind an absl::Mutex, so an
// evaluation loop and readers of Active() may share one tracker.

#ifndef SLA_ALERTING_H_
#define SLA_ALERTING_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "sla/engine.h"
#include "sla/objective.h"
#include "sla/window.h"

namespace sla {

// One burn-rate tier: alert `severity` when the burn rate over both the
// last `long_window` and the last `short_window` is above `factor`.
struct BurnTier {
  std::string severity;  // "page" or "ticket"
  // Positive whole minutes, short_window <= long_window.
  absl::Duration long_window = absl::ZeroDuration();
  absl::Duration short_window = absl::ZeroDuration();
  double factor = 0;  // finite, > 0
};

// The workbook tiers above, scaled to an objective window of length
// `slo_window`: factor = budget fraction * slo_window / long_window, the
// windows kept as they are. Returned in the table's order (fastest first).
//
// Why scale the factor and keep the windows: a tier means "this fraction of
// the budget was spent within the long window", and the budget is
// proportional to the objective window, so the same fraction over the same
// hour is a burn rate proportional to the window (30d: 2 % in 1h = 14.4;
// 28d: 13.44). The windows are about detection and reset time, which do not
// depend on the objective's length. Sloth does the same (its 28d factors
// 13.44, 5.6000000000000005, 2.8000000000000003, 0.9333333333333333 are
// these rationals rounded twice; ours are rounded once: 13.44, 5.6, 2.8,
// 14/15).
//
// Tiers whose long window is longer than `slo_window` are dropped (a 3-day
// look-back says nothing about a 1-day budget); InvalidArgument if none is
// left (windows under 1h) or `slo_window` is not a positive whole number
// of seconds below 10^14 s.
//
// Caveat: the workbook's fractions are tuned for 30 days. For a 7d window
// they give 3.36, 1.4, 0.7 and 7/30, and a ticket factor below 1 fires
// while the budget would still last the window; such objectives usually
// want custom tiers (Sloth's 7d example spends 8, 12.5, 20, 42 %).
absl::StatusOr<std::vector<BurnTier>> DefaultBurnTiers(
    absl::Duration slo_window);

// The same for an objective window (Window::Parse). A calendar window uses
// a fixed nominal length: day 1d, week 7d, month 30d, quarter 90d, year
// 365d. Months hold 28 to 31 days (and DST months an hour more or less);
// scaling by each month's own length would make one outage page in March
// and not in February. 30 days is the workbook's own reference and within
// 7 % of every month, which is well inside the margin of these tiers.
absl::StatusOr<std::vector<BurnTier>> DefaultBurnTiers(const Window& window);

// The length DefaultBurnTiers(const Window&) scales by: a rolling window's
// own length, a calendar window's nominal one (day 1d, week 7d, month 30d,
// quarter 90d, year 365d). Also what `slakit rules` records as the period.
absl::Duration NominalLength(const Window& window);

// The look-back windows of every burn-rate report (GetStatus, /metrics,
// slakit eval), shortest first: the distinct windows of the default tiers,
// 5m 30m 1h 2h 6h 1d 3d.
absl::Span<const absl::Duration> StandardBurnWindows();

// How an objective alerts. Options struct; copyable.
struct AlertPolicy {
  // Tiers, evaluated in order (the first true tier of a severity is the one
  // an event cites). Empty (the default): DefaultBurnTiers of the
  // objective's window.
  std::vector<BurnTier> tiers;
  // Low-traffic guard, for "page" tiers only: a page tier whose short
  // window holds fewer than this many events (slices, for the timeslice
  // budgeting methods) does not alert, and says why. Default 0: no guard.
  int64_t min_short_window_events = 0;
  // The condition must hold this long (from the first evaluation that saw
  // it) before the alert fires. Default 0: fire at once, with no pending
  // state.
  absl::Duration for_duration = absl::ZeroDuration();
  // Hysteresis: a firing alert resolves only once its condition has been
  // false at every evaluation for this long. Default 5 minutes.
  absl::Duration resolve_after = absl::Minutes(5);
};

// OK, or InvalidArgument naming the first bad tier or field: a severity
// other than "page"/"ticket", windows that are not positive whole minutes
// or a short window longer than the long one, a factor that is not finite
// and positive, a negative guard or duration.
absl::Status ValidateAlertPolicy(const AlertPolicy& policy);

// The tiers `policy` applies to an objective over `window`: policy.tiers
// when it has some (returned as they are; ValidateAlertPolicy checks them),
// else DefaultBurnTiers(window), with its errors.
absl::StatusOr<std::vector<BurnTier>> PolicyTiers(const AlertPolicy& policy,
                                                  const Window& window);

// One tier evaluated at one time.
struct TierEvaluation {
  BurnTier tier;
  double long_rate = 0;   // burn rate over [at - long_window, at)
  double short_rate = 0;  // burn rate over [at - short_window, at)
  Counts long_counts;     // events (or slices) the rates came from
  Counts short_counts;
  bool condition = false;   // long_rate > factor && short_rate > factor
  bool suppressed = false;  // condition held, but the low-traffic guard
                            // kept this page tier from alerting
  // Why it is suppressed, e.g. "short window 5m holds 3 events < 10
  // (low-traffic guard)"; empty when not suppressed.
  std::string reason;
  // Objectives of an application (sla::EvaluateApplicationBurnTiers): the
  // component that caused the most down composite minutes within the long
  // window [at - long_window, at), a minute counting for every component
  // that caused it, alone or shared with others (sla/composite.h,
  // "caused"); ties go to the smallest name. top_component_minutes is that
  // number of minutes. Empty and 0 when no minute of the long window was
  // down (or none could be attributed), and always for a service's
  // objectives, which have no components.
  std::string top_component;
  int64_t top_component_minutes = 0;

  // Whether this tier alerts: its condition holds and it is not suppressed.
  bool alerting() const { return condition && !suppressed; }
};

// Evaluates every tier of `policy` for objective `id` at `at` (windows end
// at floor(at) to the minute, as for Engine::BurnRatesAt), with one
// BurnRatesAt call for all distinct windows. Result parallel to
// policy.tiers (or to the default tiers when policy.tiers is empty).
// Stateless: for_duration and resolve_after play no part here.
// NotFound for an unknown objective; InvalidArgument for a bad policy.
// Cost: one lock-free objective lookup and one BurnRatesAt; the default
// tiers of a window are derived once per thread and window length and then
// reused.
absl::StatusOr<std::vector<TierEvaluation>> EvaluateBurnTiers(
    const Engine& engine, ObjectiveId id, absl::Time at,
    const AlertPolicy& policy);

// The counts of one look-back window that ends at the evaluation time:
// `window` (a positive whole number of minutes) -> the good and total
// events (or intervals) of [end - window, end).
using WindowCountsFn =
    absl::FunctionRef<absl::StatusOr<Counts>(absl::Duration window)>;

// Evaluates `tiers` from counts the caller supplies, for objectives the
// engine does not count itself (an application's composite minutes, see
// sla::EvaluateApplicationBurnTiers). `counts` is called once per distinct
// window of `tiers`, in order of first use (a tier's long window before its
// short one). Each rate is sla::BurnRate(counts, target), the correctly
// rounded double of the exact rational, and the condition (strict `>`),
// the low-traffic guard (page tiers whose short window holds fewer than
// `min_short_window_events` events) and its reason are exactly
// EvaluateBurnTiers's. Result parallel to `tiers`, top_component empty.
// InvalidArgument for an invalid tier (as ValidateAlertPolicy) or a
// negative guard; an error of `counts` is returned as it is. Stateless and
// thread-safe when `counts` is.
absl::StatusOr<std::vector<TierEvaluation>> EvaluateBurnTiersFromCounts(
    absl::Span<const BurnTier> tiers, const Target& target,
    int64_t min_short_window_events, WindowCountsFn counts);

// Lifecycle of one alert (one objective and severity).
//
//   kInactive / kResolved --condition--> kPending (kFiring if for_duration
//                                                  is 0)
//   kPending --condition still true at t >= start + for_duration--> kFiring
//   kPending --condition false--> kInactive (the `for` clock restarts when
//                                            the condition comes back)
//   kFiring --condition false at every evaluation for resolve_after-->
//             kResolved
//
// kResolved is a resting state like kInactive (it only records that the
// alert fired and resolved); nothing moves it to kInactive, the next
// episode starts from it. A firing alert whose condition comes back before
// resolve_after has passed stays firing and the clock restarts.
enum class AlertState { kInactive, kPending, kFiring, kResolved };
// "inactive", "pending", "firing", "resolved".
absl::string_view AlertStateName(AlertState state);

// One state change of one alert, with the evaluation that caused it.
struct AlertEvent {
  ObjectiveId id = 0;     // the engine's objective id, or Advance's key
  std::string service;    // the objective's service (or application)
  std::string objective;  // the objective's name
  std::string severity;   // "page" or "ticket"
  AlertState from = AlertState::kInactive;
  AlertState to = AlertState::kInactive;
  absl::Time at;  // the evaluation time
  // Entering kPending or kFiring: the first alerting tier of the severity
  // (policy order). Leaving them: the tier that put the alert there,
  // evaluated now.
  TierEvaluation evidence;
  // Engine::Evaluate(id, at).budget.remaining (Advance: its argument):
  // fraction of the objective's error budget left over its window
  // (negative when overspent).
  double budget_remaining = 1;
};

// An alert that is pending or firing.
struct ActiveAlert {
  ObjectiveId id = 0;  // the engine's objective id, or Advance's key
  std::string service;
  std::string objective;
  std::string severity;
  AlertState state = AlertState::kPending;  // kPending or kFiring
  absl::Time since;                         // when it entered `state`
  // The latest evaluation of the tier that put it there.
  TierEvaluation evidence;
};

// Tracks one alert per (objective, severity) across evaluations and reports
// each state change once (deduplicated: a firing page alert emits nothing
// while it keeps firing, whichever page tiers hold).
//
// Serves one Engine: ids refer to it, and the objective's service, name and
// window are read from it at the objective's first evaluation. Whether an
// objective should alert at all (ObjectiveSpec::alerting) is the caller's
// choice: the tracker evaluates the objectives it is asked about. Or it
// serves a caller that evaluates its objectives itself (Advance), under
// keys of its own; one key is used with Evaluate or with Advance, never
// both (FailedPrecondition), and a tracker keeps its keys apart from the
// engine's ids only if the caller does: give each kind its own tracker.
//
// Thread-safe (one mutex; calls are serialized). Holds state, so neither
// copyable nor movable.
class AlertTracker {
 public:
  // `policy` applies to every objective without its own (SetPolicy). It is
  // validated at first use: Evaluate answers InvalidArgument if it is bad.
  explicit AlertTracker(AlertPolicy policy = AlertPolicy());
  ~AlertTracker();
  AlertTracker(const AlertTracker&) = delete;
  AlertTracker& operator=(const AlertTracker&) = delete;

  // Gives objective `id` its own policy (custom tiers, guard, durations).
  // InvalidArgument for a bad policy; FailedPrecondition once `id` has been
  // evaluated (its alerts' state was built on the old tiers).
  absl::Status SetPolicy(ObjectiveId id, AlertPolicy policy);

  // Evaluates the policy of objective `id` at `at` and advances its alerts.
  // Returns the state changes (page before ticket), empty when nothing
  // changed. `at` must not be earlier
  // than the previous evaluation of this objective (equal is fine):
  // InvalidArgument otherwise, and nothing changes (a clock that stepped
  // back: ShiftTimes first). NotFound for an unknown
  // objective. Allocation-light: per-objective buffers are reused; the
  // engine's Evaluate (for budget_remaining) runs only when there are
  // events. FailedPrecondition for an id used with Advance.
  //
  // One state machine serves both: Evaluate(engine, id, at) does what
  // EvaluateBurnTiers with the objective's policy followed by Advance with
  // the objective's names and budget would.
  absl::StatusOr<std::vector<AlertEvent>> Evaluate(const Engine& engine,
                                                   ObjectiveId id,
                                                   absl::Time at);

  // The lifecycle alone, for an objective the caller evaluates: advances
  // the alerts of `key` with `evaluation`, its tiers evaluated at `at`
  // (e.g. EvaluateBurnTiersFromCounts), and returns the state changes as
  // Evaluate does (page before ticket; the evidence is the evaluation's
  // tier, top_component included), each carrying `budget_remaining`.
  //
  // `key` is the caller's name for one objective definition: a small
  // integer (the tracker's tables are indexed by it), kept for as long as
  // the definition is and then released with Forget. `service` and
  // `objective` name it in events and Active(); they are read at the key's
  // first call. The key's policy (SetPolicy, else the tracker's) gives
  // for_duration and resolve_after; its tiers and guard are the caller's to
  // apply. `evaluation` must hold the same tiers, in the same order, at
  // every call: its length and each tier's severity are fixed by the first
  // call.
  //
  // InvalidArgument, and nothing changes, for `at` earlier than the key's
  // previous call, an empty evaluation, a severity other than "page" or
  // "ticket", an evaluation whose length or severities differ from the
  // first call's, or a bad policy; FailedPrecondition for a key used with
  // Evaluate.
  absl::StatusOr<std::vector<AlertEvent>> Advance(
      ObjectiveId key, absl::string_view service, absl::string_view objective,
      std::vector<TierEvaluation> evaluation, double budget_remaining,
      absl::Time at);

  // Pending and firing alerts, by objective id (or key), page before
  // ticket.
  std::vector<ActiveAlert> Active() const;

  // Stops tracking objective `id` (its definition is gone, e.g. a new
  // configuration): returns, as of `at`, a transition to kResolved for each
  // firing alert and to kInactive for each pending one (evidence: the
  // latest evaluation of the tier that raised it; budget_remaining unknown,
  // 1), and forgets its state and policy. Empty when `id` is not tracked.
  std::vector<AlertEvent> Forget(ObjectiveId id, absl::Time at);

  // The clock that gives the evaluation times stepped by `step` (negative:
  // back, e.g. an NTP or operator correction). Moves every time the tracker
  // holds by `step`: each alert's `since`, the start of a firing alert's
  // resolve_after clock, each objective's previous evaluation. The next
  // evaluation at the stepped clock's time is then accepted (Evaluate and
  // Advance refuse a time earlier than the previous one), and what the
  // alerts had already spent counts as before: an alert pending for 3 of
  // its 5 minutes fires 2 minutes of the new clock later, not 1 h 2 min
  // later after a step back of an hour, nor at once after a step forward.
  // The time between the previous evaluation and the step is not counted.
  // Example, the caller's clock went from 10:03 back to 09:04:
  //   tracker.ShiftTimes(absl::Minutes(-59));  // 09:04 - 10:03
  //   tracker.Evaluate(engine, id, absl::Time(09:04));  // accepted
  // Active() then reports `since` on the new clock. Steps forward need no
  // call (a later time is always accepted) unless the caller knows the
  // jump was not elapsed time.
  void ShiftTimes(absl::Duration step);

  // The tier evaluations of the latest Evaluate of `id` (to see, e.g., why
  // a page was suppressed); NotFound if `id` was never evaluated.
  absl::StatusOr<std::vector<TierEvaluation>> LastEvaluation(
      ObjectiveId id) const;

 private:
  struct ObjectiveAlerts;

  // Resolves policy and objective metadata for `id` at first use.
  absl::StatusOr<ObjectiveAlerts*> Prepare(const Engine& engine, ObjectiveId id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The same for a key of Advance.
  absl::StatusOr<ObjectiveAlerts*> PrepareKey(ObjectiveId key,
                                              absl::string_view service,
                                              absl::string_view objective)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The state machine: advances `o` (id `id`) with the evaluation in
  // o->scratch at `at`; `budget` is asked for only when something changes.
  // Commits nothing unless it succeeds.
  absl::StatusOr<std::vector<AlertEvent>> AdvanceLocked(
      ObjectiveAlerts& o, ObjectiveId id, absl::Time at,
      absl::FunctionRef<absl::StatusOr<double>()> budget)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const AlertPolicy default_policy_;
  mutable absl::Mutex mu_;
  // Indexed by ObjectiveId (dense small integers); null until first use.
  std::vector<std::unique_ptr<ObjectiveAlerts>> objectives_
      ABSL_GUARDED_BY(mu_);
  // Policies set by SetPolicy, indexed by ObjectiveId.
  std::vector<std::unique_ptr<AlertPolicy>> policies_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sla

#endif  // SLA_ALERTING_H_
