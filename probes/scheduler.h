// probes/scheduler.h: runs many active probes, each on its own interval.
//
// Each probe runs once per interval on aligned slots with a per-run jitter,
// under a limit on how many checks run at once, never twice at the same
// time, and with its timeout enforced. Results go to a sink (typically:
// record a probe sample in the engine). Time comes from an injected
// sla::Clock, and the scheduling core can be driven step by step, so tests
// neither sleep nor race.
//
//   sla::probes::SchedulerOptions options;
//   options.max_concurrency = 16;
//   options.sink = [&](sla::probes::ProbeRun run) {
//     RecordSample(run.service, run.probe, run.started,
//                  run.result.outcome == sla::probes::Outcome::kOk,
//                  run.result.latency);
//   };
//   absl::StatusOr<std::unique_ptr<sla::probes::Scheduler>> s =
//       sla::probes::Scheduler::Create(std::move(options));
//   if (!s.ok()) return s.status();
//   sla::probes::ScheduledProbe p;
//   p.service = "web";
//   p.probe = "health";
//   p.interval = absl::Seconds(30);
//   p.jitter = absl::Seconds(3);
//   p.timeout = absl::Seconds(2);
//   p.checker = *sla::probes::MakeGrpcHealthChecker(config, p.timeout);
//   if (absl::Status st = (*s)->Add(std::move(p)); !st.ok()) return st;
//   if (absl::Status st = (*s)->Start(); !st.ok()) return st;
//   ...
//   (*s)->Stop();  // cancels running checks, waits for them, joins threads
//
// Schedule. A probe added at time A has slots A, A + interval,
// A + 2 * interval, ...; the run of slot k is due at slot_k + j_k, where the
// jitter j_k is drawn uniformly from [0, jitter) anew for every slot
// (nanosecond resolution) by a std::mt19937_64 seeded from
// SchedulerOptions::seed and the probe's service and name. The same seed
// therefore gives every probe the same jitter sequence on every run,
// whatever other probes exist or the order they were added in.
//
// When a run is due:
//  * if the probe's previous run has not finished (queued or running), the
//    run is skipped and counted in ProbeStats::skipped_overlap;
//  * otherwise it is queued, and it starts as soon as fewer than
//    max_concurrency checks are running (queued runs start in due order).
// Missed slots are not replayed: when the scheduler finds that whole
// intervals went by since a due slot (the process was suspended, the clock
// jumped forward), it counts every slot older than the latest one that has
// begun in ProbeStats::skipped_late and schedules only that latest slot
// (with a fresh jitter). When the clock goes backwards, every probe whose
// next slot is more than one interval away is re-anchored at the current
// time, as if just added.
//
// Timeouts. A probe's Checker is built with the probe's timeout and is
// expected to return by then. A run that has not returned by started +
// timeout + SchedulerOptions::timeout_grace (injected clock) is delivered
// as kTimeout with reason "timed out after <timeout>" at that moment (by
// RunDue, i.e. the background loop); the check's own late result is then
// discarded, and the probe's next run waits until the check does return. A
// check that returns after that limit without RunDue having noticed is
// likewise reported as kTimeout.
//
// Driving. Start() runs a background thread that calls RunDue() whenever
// something is due (waiting on a condition variable, at most one second at
// a time so clock jumps are noticed). Without Start(), the caller drives
// the scheduler by calling RunDue() itself: tests advance a FakeClock, call
// RunDue(), and run the checks with an executor that holds them.
//
// Errors: Create answers InvalidArgument for bad options; Add answers
// InvalidArgument naming the probe ("probe 'web/health': jitter 30s must be
// >= 0 and less than the interval 30s") and FailedPrecondition after Stop. A
// check's failure is not an error of the scheduler: it is a result.
//
// Thread safety: Scheduler is thread-safe; every method may be called from
// any thread, except that Stop (and the destructor) must not be called from
// the sink, a Checker or an executor task. The sink is called without any
// scheduler lock held, from executor threads and from the thread calling
// RunDue (the background loop): possibly concurrently for different probes,
// but never concurrently for one probe, and in slot order for one probe.

#ifndef PROBES_SCHEDULER_H_
#define PROBES_SCHEDULER_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "probes/probe.h"
#include "sla/clock.h"

namespace sla::probes {

// One probe to schedule. Movable, not copyable (it owns its checker).
struct ScheduledProbe {
  std::string service;  // non-empty
  std::string probe;    // non-empty; (service, probe) unique per scheduler
  absl::Duration interval = absl::Seconds(60);   // > 0
  absl::Duration jitter = absl::ZeroDuration();  // in [0, interval)
  absl::Duration timeout = absl::Seconds(10);    // in (0, interval]
  // Built with `timeout`; owned by the scheduler from Add on, and called
  // from one thread at a time. Non-null.
  std::unique_ptr<Checker> checker;
};

// The result of one run, as handed to the sink.
struct ProbeRun {
  std::string service;
  std::string probe;
  absl::Time slot;       // the aligned slot this run belongs to
  absl::Time scheduled;  // slot + this run's jitter: when it was due
  absl::Time started;    // when the check started (injected clock)
  CheckResult result;
};

// Counters of one probe since it was added.
struct ProbeStats {
  std::string service;
  std::string probe;
  int64_t runs = 0;             // results handed to the sink
  int64_t skipped_overlap = 0;  // due while the previous run was unfinished
  int64_t skipped_late = 0;     // slots missed entirely (see "Schedule")
  // The outcome of the latest result; nullopt before the first one.
  std::optional<Outcome> last_outcome;
  absl::Time last_started = absl::InfinitePast();  // of the latest result
  bool in_flight = false;  // a run is queued or running right now
};

// Runs a task, now or later, on some thread. It must run every task it is
// given exactly once, even after Stop has begun: Stop waits for them. It is
// called without any scheduler lock held, so it may run the task inline
// (RunDue then returns only after the checks it started, and a hung check
// holds up the timeouts RunDue reports; tests only).
using ProbeExecutor = std::function<void(std::function<void()> task)>;

struct SchedulerOptions {
  // Receives every result (see "Thread safety" above). Required.
  std::function<void(ProbeRun)> sink;
  // Time source; must outlive the scheduler. Default (null): Clock::Real().
  Clock* clock = nullptr;
  // At most this many checks run at once. >= 1; default 8.
  int max_concurrency = 8;
  // Seeds the jitter (see "Schedule"). Default 0.
  uint64_t seed = 0;
  // How long past its timeout a check may take before the scheduler reports
  // it as timed out. >= 0; default 1 second.
  absl::Duration timeout_grace = absl::Seconds(1);
  // Where checks run. Default (empty): max_concurrency threads owned by the
  // scheduler, joined by Stop. Tests pass one that holds tasks.
  ProbeExecutor executor;
};

// Schedules and runs probes. Thread-safe. Owns checkers, threads and their
// run state, so it is neither copyable nor movable.
class Scheduler {
 public:
  // InvalidArgument for a missing sink, max_concurrency < 1 or a negative
  // or infinite timeout_grace.
  static absl::StatusOr<std::unique_ptr<Scheduler>> Create(
      SchedulerOptions options);

  // Stop()s.
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Adds a probe whose first slot is the clock's current time (so its first
  // run is due within `jitter`). InvalidArgument, naming the probe, for an
  // empty service or probe name, a null checker, interval <= 0 or infinite,
  // jitter outside [0, interval), timeout outside (0, interval], or a
  // (service, probe) already added; FailedPrecondition after Stop.
  absl::Status Add(ScheduledProbe probe);

  // Starts the background thread that calls RunDue() on time.
  // FailedPrecondition if already started or stopped.
  absl::Status Start();

  // One scheduling step at the clock's current time: reports runs past
  // their timeout limit, skips or queues the runs that are due, and hands
  // queued runs to the executor while fewer than max_concurrency run.
  // Returns the next time something will be due (NextWake()).
  absl::Time RunDue();

  // The earliest time at which RunDue has something to do: a probe's next
  // due run or a running check's timeout limit. InfiniteFuture when there
  // is nothing (no probes, or stopped).
  absl::Time NextWake() const;

  // Counters of every probe, sorted by (service, probe).
  std::vector<ProbeStats> Stats() const;

  // Stops scheduling, sets the cancel flag every Checker sees, drops queued
  // runs, waits until every check handed to the executor has returned, and
  // joins the scheduler's threads. Results that arrive after Stop has begun
  // are discarded (they describe the shutdown, not the target): once Stop
  // returns, the sink is never called again. Idempotent. Returns as soon as
  // the running checks honour the cancel flag.
  void Stop();

 private:
  struct ProbeState;
  class ThreadPool;

  explicit Scheduler(SchedulerOptions options);

  // Draws the jitter of `p`'s current slot and sets p->next_due.
  void DrawDue(ProbeState* p) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Moves queued runs to the executor while fewer than max_concurrency
  // run; returns the tasks to submit once mu_ is released.
  std::vector<std::function<void()>> Dispatch()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Submits tasks returned by Dispatch.
  void Submit(std::vector<std::function<void()>> tasks)
      ABSL_LOCKS_EXCLUDED(mu_);
  // The body of one run, on an executor thread.
  void RunOne(ProbeState* p) ABSL_LOCKS_EXCLUDED(mu_);
  // Counts `run` as the latest result of `p`.
  void Record(ProbeState* p, const ProbeRun& run)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Time NextWakeLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // The background thread's body.
  void Loop() ABSL_LOCKS_EXCLUDED(mu_);

  const SchedulerOptions options_;
  Clock* const clock_;
  // What every Checker sees; set by Stop.
  std::atomic<bool> cancel_{false};

  mutable absl::Mutex mu_;
  // In order of Add; never removed, so pointers stay valid for tasks.
  std::vector<std::unique_ptr<ProbeState>> probes_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, std::string>, ProbeState*> by_name_
      ABSL_GUARDED_BY(mu_);
  // (next_due, index in probes_) of every probe.
  std::set<std::pair<absl::Time, size_t>> due_ ABSL_GUARDED_BY(mu_);
  // (timeout limit, index) of every running check not yet reported.
  std::set<std::pair<absl::Time, size_t>> limits_ ABSL_GUARDED_BY(mu_);
  // Runs due and waiting for a free slot, in due order.
  std::deque<ProbeState*> queue_ ABSL_GUARDED_BY(mu_);
  // Tasks handed to the executor and not finished, plus sink calls made by
  // RunDue in progress: Stop waits for both to reach zero.
  int running_ ABSL_GUARDED_BY(mu_) = 0;
  int emitting_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time last_now_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Set to wake the background loop early (Add, a check started, Stop).
  bool wake_ ABSL_GUARDED_BY(mu_) = false;

  // Serializes Stop; taken before mu_.
  absl::Mutex stop_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  bool stopped_ ABSL_GUARDED_BY(stop_mu_) = false;
  std::thread loop_;  // written by Start under mu_, joined by Stop
  // The default executor's threads; null when options_.executor is set.
  std::unique_ptr<ThreadPool> pool_;
};

}  // namespace sla::probes

#endif  // PROBES_SCHEDULER_H_
