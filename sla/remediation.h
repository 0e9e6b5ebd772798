// sla/remediation.h: automated recovery procedures, applied the same way
// every time an alert changes state.
//
// A recovery action is registered for the alerts it matches (by service,
// objective and severity; an empty field matches any) with a policy: a
// cooldown after each run, a limit on runs within a sliding window, a dry
// run switch and a timeout handed to the action. The Remediator is fed the
// alert tracker's events; for every matching registration it decides
// whether to run the action, runs it off the caller's thread, and keeps an
// audit record of every decision and of every run's result.
//
//   sla::FakeClock clock(absl::FromUnixSeconds(1704067200));  // or Real()
//   sla::RemediatorOptions options;
//   options.audit_sink = [&](const sla::AuditRecord& r) {
//     audit_file << sla::AuditRecordToJson(r) << "\n";  // durable log
//   };
//   sla::Remediator remediator(&clock, options);
//   sla::RemediationPolicy policy;          // 10m cooldown, 3 runs per 1h
//   absl::Status s = remediator.Register(
//       {"web", "availability", "page"}, "restart-web",
//       [](const sla::AlertEvent& e, absl::Duration timeout) {
//         return RestartWebTier(timeout);  // absl::Status
//       },
//       policy);
//   // In the evaluation loop:
//   for (const sla::AlertEvent& e : *tracker.Evaluate(engine, id, now)) {
//     remediator.OnAlert(e);  // returns at once; the run is on a thread
//   }
//   // Audit(): {seq 1, web/availability/page, restart-web, firing, "run"},
//   //          {seq 2, ..., "finished", result OK, "succeeded after 4s"}
//
// Decisions. When an event's new state is the policy's trigger (entering
// firing by default), each matching registration decides, in this order:
//   "skipped", "already running"      a run of this action for this alert
//                                      (service, objective, severity) has
//                                      not finished yet;
//   "skipped", "cooldown (next run allowed at T)"
//                                      the previous run for this alert
//                                      finished less than `cooldown` ago
//                                      (at exactly `cooldown` it may run);
//   "skipped", "attempt limit (3 runs within 1h; next run allowed at T)"
//                                      max_attempts runs were decided within
//                                      the last attempt_window (a run
//                                      decided at s counts until s +
//                                      attempt_window, exclusive);
//   "dry-run"                          dry_run is set: audited, not run;
//   "run"                              the action is handed to the executor.
// Events whose new state is not the trigger are ignored (no record). All
// times are the injected clock's: a decision at Now(), a run's start and end
// at Now() around the action. A dry run is decided exactly like a run and
// counts as a run that started and ended at its decision time, so a dry
// run's audit shows how often the action would really have run (cooldown
// and attempt limit included).
//
// Audit. Every decision is one AuditRecord; every run adds a "finished"
// record when the action returns, carrying its status and duration. Records
// are numbered 1, 2, 3, ... (seq) in the order they are made. The last
// RemediatorOptions::audit_capacity records stay in memory (Audit()); the
// optional audit sink sees every record, in seq order, one call at a time
// (the server appends them to a file in its data directory).
//
// Errors: Register answers InvalidArgument for a bad key, name, action or
// policy and AlreadyExists for a key that is already registered. An
// action's failure is not an error of the Remediator: it is audited.
//
// Thread safety: Remediator is thread-safe; OnAlert, Register, Audit and
// Drain may be called from any thread. Actions run without any Remediator
// lock held; one action may run for several alerts at once (never twice
// for the same alert), so an action that matches several alerts must be
// thread-safe.

#ifndef SLA_REMEDIATION_H_
#define SLA_REMEDIATION_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sla/alerting.h"
#include "sla/clock.h"

namespace sla {

// How one registered action is applied. Options struct; copyable.
struct RemediationPolicy {
  // After a run for an alert ends, no new run for the same alert starts
  // before this much time has passed. >= 0; default 10 minutes.
  absl::Duration cooldown = absl::Minutes(10);
  // At most this many runs for one alert are decided within any
  // attempt_window. >= 1; default 3.
  int max_attempts = 3;
  // > 0; default 1 hour.
  absl::Duration attempt_window = absl::Hours(1);
  // Decide and audit, never call the action. Default false.
  bool dry_run = false;
  // Handed to the action, which enforces it (the Remediator does not stop
  // a slow action). > 0; default 1 minute.
  absl::Duration timeout = absl::Minutes(1);
  // The alert state whose entry triggers the action: kPending, kFiring (the
  // default) or kResolved (e.g. to clean up after an incident).
  AlertState trigger = AlertState::kFiring;
};

// OK, or InvalidArgument naming the first bad field (see the ranges above;
// infinite durations are bad too, and so is a kInactive trigger).
absl::Status ValidateRemediationPolicy(const RemediationPolicy& policy);

// Which alerts a registration applies to. An empty field matches any value:
// {"web", "", ""} is every alert of service web, {"web", "availability",
// "page"} one alert. severity is "", "page" or "ticket".
struct ActionKey {
  std::string service;
  std::string objective;
  std::string severity;
};

// A recovery procedure. Called with the event that triggered it and the
// policy's timeout, on an executor thread; returns its outcome, which is
// audited. It must not call back into the Remediator that runs it.
using RecoveryAction = std::function<absl::Status(const AlertEvent& event,
                                                  absl::Duration timeout)>;

// One decision or one finished run.
struct AuditRecord {
  int64_t seq = 0;  // 1, 2, 3, ... in the order records are made
  absl::Time at;    // when the decision was made, or when the run ended
  std::string service;
  std::string objective;
  std::string severity;
  std::string action;                           // the registered action name
  AlertState alert_to = AlertState::kInactive;  // the event's new state
  // "run", "dry-run", "skipped" (decisions) or "finished" (end of a run).
  std::string decision;
  // Why, e.g. "alert entered firing", "cooldown (next run allowed at
  // 2024-01-01T00:10:00Z)", "failed after 4s".
  std::string reason;
  // Start and end of the run: set on "finished" records only, otherwise
  // absl::InfinitePast().
  absl::Time started = absl::InfinitePast();
  absl::Time finished = absl::InfinitePast();
  // The action's status on "finished" records; OK on decisions.
  absl::Status result;
};

// The record as one line of JSON (no newline), keys in this order: seq, at,
// service, objective, severity, action, alert_state, decision, reason,
// started, finished, result_code, result_message. Times are RFC 3339 UTC
// strings (TimeToString), or null when infinite; result_code is the
// canonical code name ("OK", "UNAVAILABLE").
std::string AuditRecordToJson(const AuditRecord& record);

// Runs a job, now or later, on some thread. It must run every job it is
// given exactly once (Drain waits for them).
using RemediationExecutor = std::function<void(std::function<void()> job)>;

struct RemediatorOptions {
  // Where runs happen. Default (empty): a new thread per run, joined by
  // Drain, so a slow action never blocks OnAlert. Tests pass a synchronous
  // executor ([](auto job) { job(); }) or one that holds jobs.
  RemediationExecutor executor;
  // Called with every record, in seq order, never concurrently, without
  // any Remediator lock held (it may call Audit(), nothing else of the
  // Remediator). Default: none.
  std::function<void(const AuditRecord&)> audit_sink;
  // How many of the latest records Audit() keeps; 0 keeps none (the sink
  // still sees them all). Default 10,000.
  size_t audit_capacity = 10000;
};

// Decides, runs and audits recovery actions for alert events. Thread-safe.
// Holds registrations, per-alert run state and threads, so neither copyable
// nor movable.
class Remediator {
 public:
  // `clock` must outlive the Remediator; null means Clock::Real().
  explicit Remediator(Clock* clock,
                      RemediatorOptions options = RemediatorOptions());
  // Drains (waits for every run in flight). No other call may be in
  // progress or follow.
  ~Remediator();
  Remediator(const Remediator&) = delete;
  Remediator& operator=(const Remediator&) = delete;

  // Registers `action` under `action_name` (used in the audit) for the
  // alerts `key` matches. Registrations are permanent and apply to events
  // from the next OnAlert on. InvalidArgument for an empty name, a null
  // action, a severity other than "", "page" or "ticket", or a bad policy
  // (the message names the action and the field); AlreadyExists if a
  // registration with exactly this key exists.
  absl::Status Register(ActionKey key, std::string action_name,
                        RecoveryAction action, RemediationPolicy policy);

  // Reacts to one alert state change: decides for every matching
  // registration (in registration order), audits the decisions, then hands
  // the runs to the executor. With the default executor it returns without
  // waiting for any action.
  void OnAlert(const AlertEvent& event);

  // The latest audit records (at most audit_capacity), oldest first.
  std::vector<AuditRecord> Audit() const;

  // Waits until every run handed out so far has finished and been audited
  // (and its record given to the sink). For shutdown and tests.
  void Drain();

  // The clock stepped by `step` (negative: back), as for
  // AlertTracker::ShiftTimes: moves the times the cooldowns and attempt
  // windows count from (each alert's last run end and decision times), so
  // that a step back of an hour does not hold every action for an hour
  // more, and the time already waited counts as before. A run in flight
  // ends on the stepped clock.
  void ShiftTimes(absl::Duration step);

 private:
  struct Registration;
  class Workers;

  // Numbers `record`, keeps it and queues it for the sink.
  void Emit(AuditRecord record) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Hands queued records to the sink, in order.
  void DeliverToSink() ABSL_LOCKS_EXCLUDED(mu_, sink_mu_);
  // The body of one run: calls the action, audits the result.
  void Run(Registration* reg, const AlertEvent& event) ABSL_LOCKS_EXCLUDED(mu_);
  // Runs `job` on options_.executor or on a new thread.
  void Dispatch(std::function<void()> job);

  Clock* const clock_;
  const RemediatorOptions options_;

  mutable absl::Mutex mu_;
  // Never removed, so the pointers stay valid for running jobs.
  std::vector<std::unique_ptr<Registration>> registrations_
      ABSL_GUARDED_BY(mu_);
  int64_t next_seq_ ABSL_GUARDED_BY(mu_) = 1;
  std::deque<AuditRecord> audit_ ABSL_GUARDED_BY(mu_);
  std::deque<AuditRecord> sink_queue_ ABSL_GUARDED_BY(mu_);
  int64_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;

  // Serializes sink calls; taken before mu_ when both are held.
  absl::Mutex sink_mu_ ABSL_ACQUIRED_BEFORE(mu_);

  // The default executor's threads (defined in remediation.cc).
  const std::unique_ptr<Workers> workers_;
};

}  // namespace sla

#endif  // SLA_REMEDIATION_H_
