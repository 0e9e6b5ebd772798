// probes/scheduler.cc: see scheduler.h.

#include "probes/scheduler.h"

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace sla::probes {

namespace {

// FNV-1a: a hash whose value is the same in every process and build (unlike
// absl::Hash), so that a seed gives the same jitter everywhere.
uint64_t StableHash(absl::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string TimedOutReason(absl::Duration timeout) {
  return absl::StrCat("timed out after ", absl::FormatDuration(timeout));
}

}  // namespace

// A probe and its run state. Everything but the constants is guarded by
// Scheduler::mu_, except `checker`, which only the one running task uses.
struct Scheduler::ProbeState {
  size_t index = 0;  // in probes_
  std::string service;
  std::string probe;
  absl::Duration interval;
  absl::Duration jitter;
  absl::Duration timeout;
  std::unique_ptr<Checker> checker;
  std::mt19937_64 rng;

  // The pending slot and when its run is due (slot + jitter).
  absl::Time next_slot;
  absl::Time next_due;

  // Why the probe is in flight: 1 from queueing until the task ends, +1
  // while RunDue hands a timeout of this probe to the sink. In flight (no
  // new run) while > 0.
  int holds = 0;
  // The current run: its slot, due time, start and timeout limit; reported
  // once its result has been decided (by the task or by RunDue's timeout).
  absl::Time run_slot;
  absl::Time run_due;
  absl::Time started;
  absl::Time limit;
  bool reported = false;

  ProbeStats stats;
};

// max_concurrency threads taking tasks from one queue. The destructor runs
// the tasks still queued, then joins the threads.
class Scheduler::ThreadPool {
 public:
  explicit ThreadPool(int threads) {
    for (int i = 0; i < threads; ++i) {
      threads_.emplace_back([this] { Work(); });
    }
  }
  ~ThreadPool() {
    {
      absl::MutexLock lock(&mu_);
      done_ = true;
    }
    for (std::thread& t : threads_) t.join();
  }
  void Submit(std::function<void()> task) {
    absl::MutexLock lock(&mu_);
    tasks_.push_back(std::move(task));
  }

 private:
  bool HasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return done_ || !tasks_.empty();
  }
  void Work() {
    while (true) {
      std::function<void()> task;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(this, &ThreadPool::HasWork));
        if (tasks_.empty()) return;  // done_
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

absl::StatusOr<std::unique_ptr<Scheduler>> Scheduler::Create(
    SchedulerOptions options) {
  if (!options.sink) {
    return absl::InvalidArgumentError("scheduler: no sink");
  }
  if (options.max_concurrency < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("scheduler: max_concurrency ", options.max_concurrency,
                     " must be at least 1"));
  }
  if (options.timeout_grace < absl::ZeroDuration() ||
      options.timeout_grace == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("scheduler: timeout_grace ",
                     absl::FormatDuration(options.timeout_grace),
                     " must be finite and >= 0"));
  }
  return std::unique_ptr<Scheduler>(new Scheduler(std::move(options)));
}

Scheduler::Scheduler(SchedulerOptions options)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : Clock::Real()) {
  if (!options_.executor) {
    pool_ = std::make_unique<ThreadPool>(options_.max_concurrency);
  }
}

Scheduler::~Scheduler() { Stop(); }

absl::Status Scheduler::Add(ScheduledProbe probe) {
  const std::string name = absl::StrCat(probe.service, "/", probe.probe);
  auto bad = [&name](absl::string_view what) {
    return absl::InvalidArgumentError(
        absl::StrCat("probe '", name, "': ", what));
  };
  if (probe.service.empty() || probe.probe.empty()) {
    return bad("service and probe names must not be empty");
  }
  if (probe.checker == nullptr) return bad("no checker");
  const std::string interval = absl::FormatDuration(probe.interval);
  if (probe.interval <= absl::ZeroDuration() ||
      probe.interval == absl::InfiniteDuration()) {
    return bad(
        absl::StrCat("interval ", interval, " must be positive and finite"));
  }
  if (probe.jitter < absl::ZeroDuration() || probe.jitter >= probe.interval) {
    return bad(absl::StrCat("jitter ", absl::FormatDuration(probe.jitter),
                            " must be >= 0 and less than the interval ",
                            interval));
  }
  if (probe.timeout <= absl::ZeroDuration() || probe.timeout > probe.interval) {
    return bad(absl::StrCat("timeout ", absl::FormatDuration(probe.timeout),
                            " must be positive and at most the interval ",
                            interval));
  }

  absl::MutexLock lock(&mu_);
  if (stopping_) {
    return absl::FailedPreconditionError(
        absl::StrCat("probe '", name, "': the scheduler is stopped"));
  }
  auto key = std::make_pair(probe.service, probe.probe);
  if (by_name_.count(key) != 0) return bad("already scheduled");

  auto p = std::make_unique<ProbeState>();
  p->index = probes_.size();
  p->service = std::move(probe.service);
  p->probe = std::move(probe.probe);
  p->interval = probe.interval;
  p->jitter = probe.jitter;
  p->timeout = probe.timeout;
  p->checker = std::move(probe.checker);
  const uint64_t h = StableHash(
      absl::StrCat(p->service, absl::string_view("\0", 1), p->probe));
  // std::seed_seq and std::mt19937_64 are specified exactly by the
  // standard, so the sequence is the same with every library.
  std::seed_seq seq{static_cast<uint32_t>(options_.seed),
                    static_cast<uint32_t>(options_.seed >> 32),
                    static_cast<uint32_t>(h), static_cast<uint32_t>(h >> 32)};
  p->rng.seed(seq);
  p->stats.service = p->service;
  p->stats.probe = p->probe;
  p->next_slot = clock_->Now();
  DrawDue(p.get());

  ProbeState* raw = p.get();
  probes_.push_back(std::move(p));
  by_name_.emplace(std::move(key), raw);
  due_.emplace(raw->next_due, raw->index);
  wake_ = true;
  return absl::OkStatus();
}

absl::Status Scheduler::Start() {
  absl::MutexLock lock(&mu_);
  if (started_ || stopping_) {
    return absl::FailedPreconditionError(stopping_
                                             ? "scheduler: Start after Stop"
                                             : "scheduler: already started");
  }
  started_ = true;
  loop_ = std::thread([this] { Loop(); });
  return absl::OkStatus();
}

void Scheduler::DrawDue(ProbeState* p) {
  const int64_t range = absl::ToInt64Nanoseconds(p->jitter);
  const int64_t j =
      range > 0 ? static_cast<int64_t>(p->rng() % static_cast<uint64_t>(range))
                : 0;
  p->next_due = p->next_slot + absl::Nanoseconds(j);
}

absl::Time Scheduler::RunDue() {
  std::vector<ProbeRun> timeouts;
  std::vector<ProbeState*> timed_out;
  std::vector<std::function<void()>> tasks;
  absl::Time next;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return absl::InfiniteFuture();
    const absl::Time now = clock_->Now();

    // The clock went backwards: re-anchor probes whose next slot is now
    // more than an interval away, as if they had just been added.
    if (now < last_now_) {
      for (const std::unique_ptr<ProbeState>& p : probes_) {
        if (p->next_slot - now <= p->interval) continue;
        due_.erase({p->next_due, p->index});
        p->next_slot = now;
        DrawDue(p.get());
        due_.emplace(p->next_due, p->index);
      }
    }
    last_now_ = now;

    // Checks past their timeout limit are reported now; their own result
    // is discarded when it comes.
    while (!limits_.empty() && limits_.begin()->first <= now) {
      ProbeState* p = probes_[limits_.begin()->second].get();
      limits_.erase(limits_.begin());
      p->reported = true;
      ++p->holds;  // released once the sink has it
      CheckResult r;
      r.outcome = Outcome::kTimeout;
      r.latency = now - p->started;
      r.reason = TimedOutReason(p->timeout);
      ProbeRun run{p->service, p->probe,   p->run_slot,
                   p->run_due, p->started, std::move(r)};
      Record(p, run);
      timeouts.push_back(std::move(run));
      timed_out.push_back(p);
    }

    // Due runs.
    while (!due_.empty() && due_.begin()->first <= now) {
      ProbeState* p = probes_[due_.begin()->second].get();
      due_.erase(due_.begin());
      // Whole intervals went by since the pending slot: skip to the latest
      // slot that has begun, with a fresh jitter.
      const int64_t behind = (now - p->next_slot) / p->interval;
      if (behind >= 1) {
        p->stats.skipped_late += behind;
        p->next_slot += behind * p->interval;
        DrawDue(p);
        if (p->next_due > now) {
          due_.emplace(p->next_due, p->index);
          continue;
        }
      }
      if (p->holds > 0) {
        ++p->stats.skipped_overlap;
      } else {
        p->holds = 1;
        p->run_slot = p->next_slot;
        p->run_due = p->next_due;
        queue_.push_back(p);
      }
      p->next_slot += p->interval;
      DrawDue(p);
      due_.emplace(p->next_due, p->index);
    }

    tasks = Dispatch();
    if (!timeouts.empty()) ++emitting_;
    next = NextWakeLocked();
  }
  Submit(std::move(tasks));
  if (!timeouts.empty()) {
    for (ProbeRun& run : timeouts) options_.sink(std::move(run));
    absl::MutexLock lock(&mu_);
    for (ProbeState* p : timed_out) --p->holds;
    --emitting_;
  }
  return next;
}

std::vector<std::function<void()>> Scheduler::Dispatch() {
  std::vector<std::function<void()>> tasks;
  while (!stopping_ && running_ < options_.max_concurrency && !queue_.empty()) {
    ProbeState* p = queue_.front();
    queue_.pop_front();
    ++running_;
    tasks.push_back([this, p] { RunOne(p); });
  }
  return tasks;
}

void Scheduler::Submit(std::vector<std::function<void()>> tasks) {
  for (std::function<void()>& task : tasks) {
    if (pool_ != nullptr) {
      pool_->Submit(std::move(task));
    } else {
      options_.executor(std::move(task));
    }
  }
}

void Scheduler::RunOne(ProbeState* p) {
  absl::Time started;
  bool run_check = false;
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_) {
      run_check = true;
      started = clock_->Now();
      p->started = started;
      p->reported = false;
      p->limit = started + p->timeout + options_.timeout_grace;
      limits_.emplace(p->limit, p->index);
      wake_ = true;  // the loop may have to wake for this limit
    }
  }

  std::optional<ProbeRun> run;
  if (run_check) {
    CheckResult result = p->checker->Check(cancel_);
    const absl::Time finished = clock_->Now();
    absl::MutexLock lock(&mu_);
    limits_.erase({p->limit, p->index});  // unless RunDue reported it
    if (!p->reported && !stopping_) {
      p->reported = true;
      const absl::Duration took = finished - started;
      if (took > p->timeout + options_.timeout_grace &&
          result.outcome != Outcome::kTimeout) {
        result.outcome = Outcome::kTimeout;
        result.latency = took;
        result.reason = TimedOutReason(p->timeout);
      }
      run = ProbeRun{p->service, p->probe, p->run_slot,
                     p->run_due, started,  std::move(result)};
      Record(p, *run);
    }
  }
  // The probe stays in flight during the sink call, so that its next result
  // cannot overtake this one.
  if (run.has_value()) options_.sink(std::move(*run));

  std::vector<std::function<void()>> tasks;
  {
    absl::MutexLock lock(&mu_);
    --p->holds;
    --running_;
    tasks = Dispatch();
  }
  Submit(std::move(tasks));
}

void Scheduler::Record(ProbeState* p, const ProbeRun& run) {
  ++p->stats.runs;
  p->stats.last_outcome = run.result.outcome;
  p->stats.last_started = run.started;
}

absl::Time Scheduler::NextWake() const {
  absl::MutexLock lock(&mu_);
  return NextWakeLocked();
}

absl::Time Scheduler::NextWakeLocked() const {
  if (stopping_) return absl::InfiniteFuture();
  absl::Time next = absl::InfiniteFuture();
  if (!due_.empty()) next = due_.begin()->first;
  if (!limits_.empty()) next = std::min(next, limits_.begin()->first);
  return next;
}

std::vector<ProbeStats> Scheduler::Stats() const {
  absl::MutexLock lock(&mu_);
  std::vector<ProbeStats> out;
  out.reserve(by_name_.size());
  for (const auto& [key, p] : by_name_) {
    out.push_back(p->stats);
    out.back().in_flight = p->holds > 0;
  }
  return out;
}

void Scheduler::Loop() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      wake_ = false;
    }
    const absl::Time next = RunDue();
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    // At most a second at a time, so that a clock jump is noticed.
    const absl::Duration wait =
        std::min(next - clock_->Now(), absl::Seconds(1));
    if (wait > absl::ZeroDuration()) {
      mu_.AwaitWithTimeout(absl::Condition(&wake_), wait);
    }
  }
}

void Scheduler::Stop() {
  absl::MutexLock stop_lock(&stop_mu_);
  if (stopped_) return;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    cancel_.store(true);
    wake_ = true;
    for (ProbeState* p : queue_) --p->holds;
    queue_.clear();
  }
  if (loop_.joinable()) loop_.join();
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](Scheduler* s) ABSL_NO_THREAD_SAFETY_ANALYSIS {
          return s->running_ == 0 && s->emitting_ == 0;
        },
        this));
  }
  pool_.reset();
  stopped_ = true;
}

}  // namespace sla::probes
