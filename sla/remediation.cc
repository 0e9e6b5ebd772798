// sla/remediation.cc: recovery actions, their decisions, runs and audit.
// See remediation.h for the contract.

#include "sla/remediation.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sla/alerting.h"
#include "sla/clock.h"
#include "sla/internal/json_writer.h"
#include "sla/window.h"

namespace sla {
namespace {

// One alert, as the run state is kept: service, objective, severity.
using AlertKey = std::tuple<std::string, std::string, std::string>;

AlertKey KeyOf(const AlertEvent& event) {
  return AlertKey(event.service, event.objective, event.severity);
}

bool FieldMatches(const std::string& pattern, const std::string& value) {
  return pattern.empty() || pattern == value;
}

bool Matches(const ActionKey& key, const AlertEvent& event) {
  return FieldMatches(key.service, event.service) &&
         FieldMatches(key.objective, event.objective) &&
         FieldMatches(key.severity, event.severity);
}

// "web/availability/page", with "*" for a field that matches any value.
std::string KeyName(const ActionKey& key) {
  auto field = [](const std::string& f) -> absl::string_view {
    return f.empty() ? absl::string_view("*") : absl::string_view(f);
  };
  return absl::StrCat(field(key.service), "/", field(key.objective), "/",
                      field(key.severity));
}

bool IsFinite(absl::Duration d) {
  return d != absl::InfiniteDuration() && d != -absl::InfiniteDuration();
}

// A decision or finished record for `event` and action `name`, made at `at`.
AuditRecord RecordFor(const AlertEvent& event, const std::string& name,
                      absl::Time at) {
  AuditRecord r;
  r.at = at;
  r.service = event.service;
  r.objective = event.objective;
  r.severity = event.severity;
  r.action = name;
  r.alert_to = event.to;
  return r;
}

void JsonTime(internal::JsonWriter& w, absl::Time t) {
  if (t == absl::InfinitePast() || t == absl::InfiniteFuture()) {
    w.Null();
  } else {
    w.String(TimeToString(t));
  }
}

}  // namespace

absl::Status ValidateRemediationPolicy(const RemediationPolicy& policy) {
  if (policy.cooldown < absl::ZeroDuration() || !IsFinite(policy.cooldown)) {
    return absl::InvalidArgumentError(
        absl::StrCat("cooldown ", absl::FormatDuration(policy.cooldown),
                     " must be finite and >= 0"));
  }
  if (policy.max_attempts < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_attempts ", policy.max_attempts, " must be at least 1"));
  }
  if (policy.attempt_window <= absl::ZeroDuration() ||
      !IsFinite(policy.attempt_window)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "attempt_window ", absl::FormatDuration(policy.attempt_window),
        " must be finite and positive"));
  }
  if (policy.timeout <= absl::ZeroDuration() || !IsFinite(policy.timeout)) {
    return absl::InvalidArgumentError(
        absl::StrCat("timeout ", absl::FormatDuration(policy.timeout),
                     " must be finite and positive"));
  }
  if (policy.trigger != AlertState::kPending &&
      policy.trigger != AlertState::kFiring &&
      policy.trigger != AlertState::kResolved) {
    return absl::InvalidArgumentError(
        absl::StrCat("trigger ", AlertStateName(policy.trigger),
                     " must be pending, firing or resolved"));
  }
  return absl::OkStatus();
}

std::string AuditRecordToJson(const AuditRecord& record) {
  internal::JsonWriter w;
  w.BeginObject();
  w.Key("seq");
  w.Int(record.seq);
  w.Key("at");
  JsonTime(w, record.at);
  w.Key("service");
  w.String(record.service);
  w.Key("objective");
  w.String(record.objective);
  w.Key("severity");
  w.String(record.severity);
  w.Key("action");
  w.String(record.action);
  w.Key("alert_state");
  w.String(AlertStateName(record.alert_to));
  w.Key("decision");
  w.String(record.decision);
  w.Key("reason");
  w.String(record.reason);
  w.Key("started");
  JsonTime(w, record.started);
  w.Key("finished");
  JsonTime(w, record.finished);
  w.Key("result_code");
  w.String(absl::StatusCodeToString(record.result.code()));
  w.Key("result_message");
  w.String(record.result.message());
  w.EndObject();
  return w.str();
}

// One registered action and the run state of every alert it has seen.
struct Remediator::Registration {
  ActionKey key;
  std::string name;
  RecoveryAction action;  // immutable once registered
  RemediationPolicy policy;

  struct AlertRunState {
    bool running = false;  // a run was handed out and has not finished
    bool ran = false;      // a run (or dry run) has finished: last_end is set
    absl::Time last_end;
    // Decision times of the runs that still count against attempt_window,
    // oldest first (at most max_attempts).
    std::deque<absl::Time> starts;
  };
  // Guarded by Remediator::mu_.
  absl::flat_hash_map<AlertKey, AlertRunState> alerts;
};

// The default executor: a thread per job. Finished threads are joined at
// the next Start or at JoinAll, so none outlives the Remediator.
class Remediator::Workers {
 public:
  void Start(std::function<void()> job) {
    std::vector<std::thread> finished;
    {
      absl::MutexLock lock(&mu_);
      TakeDone(&finished);
      const int64_t id = next_id_++;
      threads_.emplace(id, std::thread([this, id, job = std::move(job)] {
                         job();
                         absl::MutexLock lock(&mu_);
                         done_.push_back(id);
                       }));
    }
    for (std::thread& t : finished) t.join();
  }

  // Joins every thread started so far (they may still be running).
  void JoinAll() {
    std::vector<std::thread> all;
    {
      absl::MutexLock lock(&mu_);
      for (auto& [id, thread] : threads_) all.push_back(std::move(thread));
      threads_.clear();
      done_.clear();
    }
    for (std::thread& t : all) t.join();
  }

 private:
  void TakeDone(std::vector<std::thread>* out)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (int64_t id : done_) {
      auto it = threads_.find(id);
      if (it == threads_.end()) continue;  // taken by JoinAll
      out->push_back(std::move(it->second));
      threads_.erase(it);
    }
    done_.clear();
  }

  absl::Mutex mu_;
  absl::flat_hash_map<int64_t, std::thread> threads_ ABSL_GUARDED_BY(mu_);
  std::vector<int64_t> done_ ABSL_GUARDED_BY(mu_);  // finished their job
  int64_t next_id_ ABSL_GUARDED_BY(mu_) = 0;
};

Remediator::Remediator(Clock* clock, RemediatorOptions options)
    : clock_(clock != nullptr ? clock : Clock::Real()),
      options_(std::move(options)),
      workers_(std::make_unique<Workers>()) {}

Remediator::~Remediator() { Drain(); }

absl::Status Remediator::Register(ActionKey key, std::string action_name,
                                  RecoveryAction action,
                                  RemediationPolicy policy) {
  const std::string where = KeyName(key);
  if (action_name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("remediation for ", where, ": action name is empty"));
  }
  if (!action) {
    return absl::InvalidArgumentError(absl::StrCat(
        "remediation '", action_name, "' for ", where, ": action is null"));
  }
  if (!key.severity.empty() && key.severity != "page" &&
      key.severity != "ticket") {
    return absl::InvalidArgumentError(absl::StrCat(
        "remediation '", action_name, "' for ", where, ": severity '",
        key.severity, "' is not page or ticket (or empty for any)"));
  }
  if (absl::Status s = ValidateRemediationPolicy(policy); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "remediation '", action_name, "' for ", where, ": ", s.message()));
  }
  absl::MutexLock lock(&mu_);
  for (const std::unique_ptr<Registration>& r : registrations_) {
    if (r->key.service == key.service && r->key.objective == key.objective &&
        r->key.severity == key.severity) {
      return absl::AlreadyExistsError(
          absl::StrCat("remediation for ", where,
                       " is already registered (action '", r->name, "')"));
    }
  }
  auto reg = std::make_unique<Registration>();
  reg->key = std::move(key);
  reg->name = std::move(action_name);
  reg->action = std::move(action);
  reg->policy = policy;
  registrations_.push_back(std::move(reg));
  return absl::OkStatus();
}

void Remediator::OnAlert(const AlertEvent& event) {
  std::vector<Registration*> runs;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = clock_->Now();
    for (const std::unique_ptr<Registration>& owned : registrations_) {
      Registration* reg = owned.get();
      const RemediationPolicy& policy = reg->policy;
      if (event.to != policy.trigger || !Matches(reg->key, event)) continue;
      Registration::AlertRunState& state = reg->alerts[KeyOf(event)];
      while (!state.starts.empty() &&
             state.starts.front() + policy.attempt_window <= now) {
        state.starts.pop_front();
      }
      AuditRecord record = RecordFor(event, reg->name, now);
      if (state.running) {
        record.decision = "skipped";
        record.reason = "already running";
      } else if (state.ran && now < state.last_end + policy.cooldown) {
        record.decision = "skipped";
        record.reason =
            absl::StrCat("cooldown (next run allowed at ",
                         TimeToString(state.last_end + policy.cooldown), ")");
      } else if (state.starts.size() >=
                 static_cast<size_t>(policy.max_attempts)) {
        record.decision = "skipped";
        record.reason = absl::StrCat(
            "attempt limit (", policy.max_attempts,
            policy.max_attempts == 1 ? " run" : " runs", " within ",
            DurationToString(policy.attempt_window), "; next run allowed at ",
            TimeToString(state.starts.front() + policy.attempt_window), ")");
      } else if (policy.dry_run) {
        // Counts as a run that started and ended now, so that the audit
        // shows what the policy would really have done.
        record.decision = "dry-run";
        record.reason = absl::StrCat("alert entered ", AlertStateName(event.to),
                                     "; dry run, the action is not called");
        state.starts.push_back(now);
        state.ran = true;
        state.last_end = now;
      } else {
        record.decision = "run";
        record.reason =
            absl::StrCat("alert entered ", AlertStateName(event.to));
        state.starts.push_back(now);
        state.running = true;
        ++in_flight_;
        runs.push_back(reg);
      }
      Emit(std::move(record));
    }
  }
  DeliverToSink();
  for (Registration* reg : runs) {
    Dispatch([this, reg, event] { Run(reg, event); });
  }
}

void Remediator::ShiftTimes(absl::Duration step) {
  absl::MutexLock lock(&mu_);
  for (const std::unique_ptr<Registration>& reg : registrations_) {
    for (auto& [key, state] : reg->alerts) {
      state.last_end += step;
      for (absl::Time& start : state.starts) start += step;
    }
  }
}

void Remediator::Run(Registration* reg, const AlertEvent& event) {
  const absl::Time started = clock_->Now();
  absl::Status result = reg->action(event, reg->policy.timeout);
  const absl::Time finished = clock_->Now();
  {
    absl::MutexLock lock(&mu_);
    Registration::AlertRunState& state = reg->alerts[KeyOf(event)];
    state.running = false;
    state.ran = true;
    state.last_end = finished;
    AuditRecord record = RecordFor(event, reg->name, finished);
    record.decision = "finished";
    record.reason =
        absl::StrCat(result.ok() ? "succeeded" : "failed", " after ",
                     absl::FormatDuration(finished - started));
    record.started = started;
    record.finished = finished;
    record.result = std::move(result);
    Emit(std::move(record));
  }
  DeliverToSink();
  absl::MutexLock lock(&mu_);
  --in_flight_;
}

void Remediator::Dispatch(std::function<void()> job) {
  if (options_.executor) {
    options_.executor(std::move(job));
  } else {
    workers_->Start(std::move(job));
  }
}

void Remediator::Emit(AuditRecord record) {
  record.seq = next_seq_++;
  if (options_.audit_sink) sink_queue_.push_back(record);
  if (options_.audit_capacity == 0) return;
  if (audit_.size() >= options_.audit_capacity) audit_.pop_front();
  audit_.push_back(std::move(record));
}

void Remediator::DeliverToSink() {
  if (!options_.audit_sink) return;
  // Whoever holds sink_mu_ delivers the queue front to back, so records
  // reach the sink in seq order and one at a time.
  absl::MutexLock sink_lock(&sink_mu_);
  while (true) {
    AuditRecord record;
    {
      absl::MutexLock lock(&mu_);
      if (sink_queue_.empty()) return;
      record = std::move(sink_queue_.front());
      sink_queue_.pop_front();
    }
    options_.audit_sink(record);
  }
}

std::vector<AuditRecord> Remediator::Audit() const {
  absl::MutexLock lock(&mu_);
  return std::vector<AuditRecord>(audit_.begin(), audit_.end());
}

void Remediator::Drain() {
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](int64_t* in_flight) { return *in_flight == 0; }, &in_flight_));
  }
  DeliverToSink();
  workers_->JoinAll();
}

}  // namespace sla
