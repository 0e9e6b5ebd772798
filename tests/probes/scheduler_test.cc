// Tests of probes/scheduler.h. The scheduling core is driven step by step
// with a FakeClock and an executor that holds tasks until the test runs
// them; the checkers are fakes whose results, duration (on the fake clock)
// and blocking the test controls. Only the thread-pool, Stop and real-clock
// tests use threads, and they wait on conditions with bounded timeouts.

#include "probes/scheduler.h"

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "probes/probe.h"
#include "sla/clock.h"

namespace sla::probes {
namespace {

using ::testing::ElementsAre;
using ::testing::SizeIs;

// An upper bound that only shows a stop did not wait for a blocked check
// (which would wait forever). Loose on purpose: CI runs these tests on 2
// cores while it compiles.
constexpr std::chrono::seconds kPrompt{5};

const absl::Time kT0 = absl::FromUnixSeconds(1704067200);

// What a FakeChecker does; shared between the test and the checker, which
// the scheduler owns.
struct Control {
  absl::Mutex mu;
  // Result of every check.
  CheckResult result ABSL_GUARDED_BY(mu) = {Outcome::kOk, absl::Milliseconds(5),
                                            ""};
  // Moves the fake clock by this much during each check.
  absl::Duration takes ABSL_GUARDED_BY(mu) = absl::ZeroDuration();
  // When set, a check waits until `released` or the cancel flag.
  bool block ABSL_GUARDED_BY(mu) = false;
  bool released ABSL_GUARDED_BY(mu) = false;
  int calls ABSL_GUARDED_BY(mu) = 0;
  int running ABSL_GUARDED_BY(mu) = 0;
  bool saw_cancel ABSL_GUARDED_BY(mu) = false;

  void Release() {
    absl::MutexLock lock(&mu);
    released = true;
  }
  int Calls() {
    absl::MutexLock lock(&mu);
    return calls;
  }
  // Waits (at most 5 s) until `n` checks are running.
  bool AwaitRunning(int n) {
    absl::MutexLock lock(&mu);
    auto cond = [this, n]()
                    ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return running >= n; };
    return mu.AwaitWithTimeout(absl::Condition(&cond), absl::Seconds(5));
  }
};

// Peak number of checks running at once across several checkers.
struct Concurrency {
  std::atomic<int> now{0};
  std::atomic<int> peak{0};
};

class FakeChecker final : public Checker {
 public:
  FakeChecker(std::shared_ptr<Control> control, FakeClock* clock,
              Concurrency* concurrency = nullptr)
      : control_(std::move(control)),
        clock_(clock),
        concurrency_(concurrency) {}

  CheckResult Check(const std::atomic<bool>& cancel) override {
    if (concurrency_ != nullptr) {
      const int n = ++concurrency_->now;
      int peak = concurrency_->peak.load();
      while (n > peak && !concurrency_->peak.compare_exchange_weak(peak, n)) {
      }
    }
    CheckResult r;
    {
      absl::MutexLock lock(&control_->mu);
      ++control_->calls;
      ++control_->running;
      while (control_->block && !control_->released && !cancel.load()) {
        control_->mu.AwaitWithTimeout(absl::Condition(&control_->released),
                                      absl::Milliseconds(1));
      }
      if (cancel.load()) control_->saw_cancel = true;
      --control_->running;
      r = control_->result;
      if (clock_ != nullptr) clock_->Advance(control_->takes);
    }
    if (concurrency_ != nullptr) --concurrency_->now;
    if (cancel.load())
      return {Outcome::kError, absl::ZeroDuration(), "cancelled"};
    return r;
  }

 private:
  std::shared_ptr<Control> control_;
  FakeClock* clock_;
  Concurrency* concurrency_;
};

// Holds tasks until the test runs them.
class ManualExecutor {
 public:
  ProbeExecutor AsExecutor() {
    return [this](std::function<void()> task) {
      absl::MutexLock lock(&mu_);
      tasks_.push_back(std::move(task));
    };
  }
  size_t Size() {
    absl::MutexLock lock(&mu_);
    return tasks_.size();
  }
  // Runs the oldest held task on this thread; false if there is none.
  bool RunOne() {
    std::function<void()> task = Take();
    if (!task) return false;
    task();
    return true;
  }
  // Runs held tasks (and those they submit) until none is left.
  void RunAll() {
    while (RunOne()) {
    }
  }
  // Runs the oldest held task on a new thread.
  std::thread RunOneInThread() {
    std::function<void()> task = Take();
    EXPECT_TRUE(task != nullptr);
    return std::thread([task = std::move(task)] {
      if (task) task();
    });
  }

 private:
  std::function<void()> Take() {
    absl::MutexLock lock(&mu_);
    if (tasks_.empty()) return nullptr;
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    return task;
  }

  absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
};

// Collects the sink's runs.
class Runs {
 public:
  std::function<void(ProbeRun)> Sink() {
    return [this](ProbeRun run) {
      absl::MutexLock lock(&mu_);
      runs_.push_back(std::move(run));
    };
  }
  std::vector<ProbeRun> Get() {
    absl::MutexLock lock(&mu_);
    return runs_;
  }
  size_t Size() {
    absl::MutexLock lock(&mu_);
    return runs_.size();
  }
  // Waits (at most `timeout`) until there are at least `n` runs.
  bool AwaitSize(size_t n, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto cond = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return runs_.size() >= n;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&cond), timeout);
  }

 private:
  absl::Mutex mu_;
  std::vector<ProbeRun> runs_ ABSL_GUARDED_BY(mu_);
};

class SchedulerTest : public ::testing::Test {
 protected:
  // A scheduler on the fake clock and the manual executor.
  std::unique_ptr<Scheduler> Make(int max_concurrency = 8, uint64_t seed = 1) {
    SchedulerOptions o;
    o.sink = runs_.Sink();
    o.clock = &clock_;
    o.max_concurrency = max_concurrency;
    o.seed = seed;
    o.executor = executor_.AsExecutor();
    absl::StatusOr<std::unique_ptr<Scheduler>> s = Scheduler::Create(o);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *std::move(s) : nullptr;
  }

  ScheduledProbe Probe(const std::string& name,
                       absl::Duration interval = absl::Seconds(10),
                       absl::Duration jitter = absl::ZeroDuration(),
                       std::shared_ptr<Control> control = nullptr) {
    if (control == nullptr) control = std::make_shared<Control>();
    ScheduledProbe p;
    p.service = "web";
    p.probe = name;
    p.interval = interval;
    p.jitter = jitter;
    p.timeout = absl::Seconds(2);
    p.checker = std::make_unique<FakeChecker>(control, &clock_);
    return p;
  }

  // Moves the clock to the next wake, runs what is due and every check.
  void Step(Scheduler& s) {
    clock_.Set(s.NextWake());
    s.RunDue();
    executor_.RunAll();
  }

  FakeClock clock_{kT0};
  ManualExecutor executor_;
  Runs runs_;
};

TEST_F(SchedulerTest, CreateRejectsBadOptions) {
  SchedulerOptions o;
  EXPECT_EQ(Scheduler::Create(o).status(),
            absl::InvalidArgumentError("scheduler: no sink"));
  o.sink = [](ProbeRun) {};
  o.max_concurrency = 0;
  EXPECT_EQ(Scheduler::Create(o).status(),
            absl::InvalidArgumentError(
                "scheduler: max_concurrency 0 must be at least 1"));
  o.max_concurrency = 1;
  o.timeout_grace = absl::Seconds(-1);
  EXPECT_EQ(Scheduler::Create(o).status(),
            absl::InvalidArgumentError(
                "scheduler: timeout_grace -1s must be finite and >= 0"));
}

TEST_F(SchedulerTest, AddRejectsBadProbesNamingThem) {
  std::unique_ptr<Scheduler> s = Make();
  ScheduledProbe p = Probe("home");
  p.service = "";
  EXPECT_EQ(s->Add(std::move(p)),
            absl::InvalidArgumentError(
                "probe '/home': service and probe names must not be empty"));
  p = Probe("");
  EXPECT_EQ(s->Add(std::move(p)),
            absl::InvalidArgumentError(
                "probe 'web/': service and probe names must not be empty"));
  p = Probe("home");
  p.checker = nullptr;
  EXPECT_EQ(s->Add(std::move(p)),
            absl::InvalidArgumentError("probe 'web/home': no checker"));
  p = Probe("home", absl::ZeroDuration());
  EXPECT_EQ(s->Add(std::move(p)),
            absl::InvalidArgumentError(
                "probe 'web/home': interval 0 must be positive and finite"));
  p = Probe("home", absl::InfiniteDuration());
  EXPECT_EQ(s->Add(std::move(p)),
            absl::InvalidArgumentError(
                "probe 'web/home': interval inf must be positive and finite"));
  p = Probe("home", absl::Seconds(10), absl::Seconds(10));
  EXPECT_EQ(s->Add(std::move(p)),
            absl::InvalidArgumentError(
                "probe 'web/home': jitter 10s must be >= 0 and less than the "
                "interval 10s"));
  p = Probe("home", absl::Seconds(10), absl::Seconds(-1));
  EXPECT_EQ(s->Add(std::move(p)).code(), absl::StatusCode::kInvalidArgument);
  p = Probe("home");
  p.timeout = absl::Seconds(11);
  EXPECT_EQ(s->Add(std::move(p)),
            absl::InvalidArgumentError(
                "probe 'web/home': timeout 11s must be positive and at most "
                "the interval 10s"));
  p = Probe("home");
  p.timeout = absl::ZeroDuration();
  EXPECT_EQ(s->Add(std::move(p)).code(), absl::StatusCode::kInvalidArgument);
  // Timeout == interval and jitter just under the interval are fine.
  p = Probe("home", absl::Seconds(10),
            absl::Seconds(10) - absl::Nanoseconds(1));
  p.timeout = absl::Seconds(10);
  EXPECT_TRUE(s->Add(std::move(p)).ok());
  EXPECT_EQ(s->Add(Probe("home")),
            absl::InvalidArgumentError("probe 'web/home': already scheduled"));
  s->Stop();
  EXPECT_EQ(s->Add(Probe("other")),
            absl::FailedPreconditionError(
                "probe 'web/other': the scheduler is stopped"));
}

TEST_F(SchedulerTest, NothingToDoWithoutProbes) {
  std::unique_ptr<Scheduler> s = Make();
  EXPECT_EQ(s->NextWake(), absl::InfiniteFuture());
  EXPECT_EQ(s->RunDue(), absl::InfiniteFuture());
  EXPECT_THAT(s->Stats(), SizeIs(0));
}

TEST_F(SchedulerTest, RunsOnAlignedSlotsEveryInterval) {
  std::unique_ptr<Scheduler> s = Make();
  ASSERT_TRUE(s->Add(Probe("home")).ok());
  // The first run is due at once.
  EXPECT_EQ(s->NextWake(), kT0);
  for (int k = 0; k < 5; ++k) {
    // Just before the slot nothing is due.
    if (k > 0) {
      clock_.Set(kT0 + k * absl::Seconds(10) - absl::Nanoseconds(1));
      EXPECT_EQ(s->RunDue(), kT0 + k * absl::Seconds(10));
      EXPECT_EQ(executor_.Size(), 0u);
    }
    clock_.Set(kT0 + k * absl::Seconds(10));
    EXPECT_EQ(s->RunDue(), kT0 + (k + 1) * absl::Seconds(10));
    EXPECT_EQ(executor_.Size(), 1u);
    executor_.RunAll();
  }
  std::vector<ProbeRun> runs = runs_.Get();
  ASSERT_THAT(runs, SizeIs(5));
  for (int k = 0; k < 5; ++k) {
    SCOPED_TRACE(k);
    EXPECT_EQ(runs[k].service, "web");
    EXPECT_EQ(runs[k].probe, "home");
    EXPECT_EQ(runs[k].slot, kT0 + k * absl::Seconds(10));
    EXPECT_EQ(runs[k].scheduled, runs[k].slot);
    EXPECT_EQ(runs[k].started, runs[k].slot);
    EXPECT_EQ(runs[k].result.outcome, Outcome::kOk);
    EXPECT_EQ(runs[k].result.latency, absl::Milliseconds(5));
  }
  std::vector<ProbeStats> stats = s->Stats();
  ASSERT_THAT(stats, SizeIs(1));
  EXPECT_EQ(stats[0].runs, 5);
  EXPECT_EQ(stats[0].skipped_overlap, 0);
  EXPECT_EQ(stats[0].skipped_late, 0);
  EXPECT_EQ(stats[0].last_outcome, Outcome::kOk);
  EXPECT_EQ(stats[0].last_started, kT0 + absl::Seconds(40));
  EXPECT_FALSE(stats[0].in_flight);
}

// The jitter offsets (scheduled - slot) of `n` runs of web/home.
std::vector<absl::Duration> JitterOffsets(const std::vector<ProbeRun>& runs,
                                          const std::string& probe) {
  std::vector<absl::Duration> out;
  for (const ProbeRun& r : runs) {
    if (r.probe == probe) out.push_back(r.scheduled - r.slot);
  }
  return out;
}

TEST_F(SchedulerTest, JitterIsWithinBoundsAndDeterministicForASeed) {
  const absl::Duration interval = absl::Seconds(10);
  const absl::Duration jitter = absl::Seconds(3);
  std::unique_ptr<Scheduler> s = Make(8, /*seed=*/42);
  ASSERT_TRUE(s->Add(Probe("home", interval, jitter)).ok());
  for (int k = 0; k < 200; ++k) Step(*s);
  std::vector<ProbeRun> runs = runs_.Get();
  ASSERT_THAT(runs, SizeIs(200));
  std::set<absl::Duration> distinct;
  absl::Duration sum;
  for (int k = 0; k < 200; ++k) {
    SCOPED_TRACE(k);
    // Slots stay aligned whatever the jitter.
    EXPECT_EQ(runs[k].slot, kT0 + k * interval);
    const absl::Duration offset = runs[k].scheduled - runs[k].slot;
    EXPECT_GE(offset, absl::ZeroDuration());
    EXPECT_LT(offset, jitter);
    EXPECT_EQ(runs[k].started, runs[k].scheduled);
    distinct.insert(offset);
    sum += offset;
  }
  EXPECT_GT(distinct.size(), 190u);
  // Uniform on [0, 3s): the mean of 200 draws is 1.5s +- 0.3s (> 4 sigma).
  EXPECT_GT(sum / 200, absl::Milliseconds(1200));
  EXPECT_LT(sum / 200, absl::Milliseconds(1800));
  const std::vector<absl::Duration> first = JitterOffsets(runs, "home");

  // The same seed gives the same jitter, whatever other probes exist and
  // in whichever order they were added.
  {
    FakeClock clock(kT0);
    Runs runs2;
    ManualExecutor executor2;
    SchedulerOptions o;
    o.sink = runs2.Sink();
    o.clock = &clock;
    o.seed = 42;
    o.executor = executor2.AsExecutor();
    std::unique_ptr<Scheduler> s2 = *Scheduler::Create(o);
    ScheduledProbe other = Probe("api", absl::Seconds(7), absl::Seconds(5));
    other.checker =
        std::make_unique<FakeChecker>(std::make_shared<Control>(), &clock);
    ASSERT_TRUE(s2->Add(std::move(other)).ok());
    ScheduledProbe home = Probe("home", interval, jitter);
    home.checker =
        std::make_unique<FakeChecker>(std::make_shared<Control>(), &clock);
    ASSERT_TRUE(s2->Add(std::move(home)).ok());
    while (JitterOffsets(runs2.Get(), "home").size() < 200) {
      clock.Set(s2->NextWake());
      s2->RunDue();
      executor2.RunAll();
    }
    EXPECT_EQ(JitterOffsets(runs2.Get(), "home"), first);
  }
  // Another seed gives other jitter.
  {
    FakeClock clock(kT0);
    Runs runs3;
    ManualExecutor executor3;
    SchedulerOptions o;
    o.sink = runs3.Sink();
    o.clock = &clock;
    o.seed = 43;
    o.executor = executor3.AsExecutor();
    std::unique_ptr<Scheduler> s3 = *Scheduler::Create(o);
    ScheduledProbe home = Probe("home", interval, jitter);
    home.checker =
        std::make_unique<FakeChecker>(std::make_shared<Control>(), &clock);
    ASSERT_TRUE(s3->Add(std::move(home)).ok());
    for (int k = 0; k < 200; ++k) {
      clock.Set(s3->NextWake());
      s3->RunDue();
      executor3.RunAll();
    }
    EXPECT_NE(JitterOffsets(runs3.Get(), "home"), first);
  }
}

TEST_F(SchedulerTest, DueRunWhilePreviousUnfinishedIsSkippedAndCounted) {
  std::unique_ptr<Scheduler> s = Make();
  ASSERT_TRUE(s->Add(Probe("home")).ok());
  s->RunDue();
  ASSERT_EQ(executor_.Size(), 1u);  // the slot-0 run, held
  // Two more slots pass while it has not run: both are skipped.
  for (int k = 1; k <= 2; ++k) {
    clock_.Set(kT0 + k * absl::Seconds(10));
    s->RunDue();
    EXPECT_EQ(executor_.Size(), 1u);
  }
  std::vector<ProbeStats> stats = s->Stats();
  EXPECT_EQ(stats[0].skipped_overlap, 2);
  EXPECT_EQ(stats[0].skipped_late, 0);
  EXPECT_TRUE(stats[0].in_flight);
  executor_.RunAll();
  ASSERT_THAT(runs_.Get(), SizeIs(1));
  EXPECT_EQ(runs_.Get()[0].slot, kT0);
  EXPECT_EQ(runs_.Get()[0].started, kT0 + absl::Seconds(20));
  EXPECT_FALSE(s->Stats()[0].in_flight);
  // The next slot runs again.
  clock_.Set(kT0 + absl::Seconds(30));
  s->RunDue();
  EXPECT_EQ(executor_.Size(), 1u);
  executor_.RunAll();
  ASSERT_THAT(runs_.Get(), SizeIs(2));
  EXPECT_EQ(runs_.Get()[1].slot, kT0 + absl::Seconds(30));
  stats = s->Stats();
  EXPECT_EQ(stats[0].runs, 2);
  EXPECT_EQ(stats[0].skipped_overlap, 2);
}

TEST_F(SchedulerTest, ConcurrencyLimitQueuesRunsInDueOrder) {
  std::unique_ptr<Scheduler> s = Make(/*max_concurrency=*/2);
  for (const char* name : {"a", "b", "c", "d", "e"}) {
    ASSERT_TRUE(s->Add(Probe(name)).ok());
  }
  s->RunDue();
  // Two handed to the executor, three queued; all five in flight.
  EXPECT_EQ(executor_.Size(), 2u);
  for (const ProbeStats& st : s->Stats()) EXPECT_TRUE(st.in_flight);
  // Each finished check lets one queued run start.
  clock_.Advance(absl::Seconds(1));
  ASSERT_TRUE(executor_.RunOne());
  EXPECT_EQ(executor_.Size(), 2u);
  ASSERT_TRUE(executor_.RunOne());
  EXPECT_EQ(executor_.Size(), 2u);
  ASSERT_TRUE(executor_.RunOne());
  EXPECT_EQ(executor_.Size(), 2u);
  ASSERT_TRUE(executor_.RunOne());
  EXPECT_EQ(executor_.Size(), 1u);
  ASSERT_TRUE(executor_.RunOne());
  EXPECT_EQ(executor_.Size(), 0u);
  std::vector<std::string> order;
  for (const ProbeRun& r : runs_.Get()) order.push_back(r.probe);
  EXPECT_THAT(order, ElementsAre("a", "b", "c", "d", "e"));
  for (const ProbeRun& r : runs_.Get()) {
    EXPECT_EQ(r.scheduled, kT0);
    EXPECT_EQ(r.started, kT0 + absl::Seconds(1));
  }
}

TEST_F(SchedulerTest, InlineExecutorRunsChecksWithinRunDue) {
  SchedulerOptions o;
  o.sink = runs_.Sink();
  o.clock = &clock_;
  o.max_concurrency = 1;
  o.executor = [](std::function<void()> task) { task(); };
  std::unique_ptr<Scheduler> s = *Scheduler::Create(o);
  ASSERT_TRUE(s->Add(Probe("a")).ok());
  ASSERT_TRUE(s->Add(Probe("b")).ok());
  // b waits for a's slot, then runs when a finishes, all inside RunDue.
  EXPECT_EQ(s->RunDue(), kT0 + absl::Seconds(10));
  std::vector<std::string> order;
  for (const ProbeRun& r : runs_.Get()) order.push_back(r.probe);
  EXPECT_THAT(order, ElementsAre("a", "b"));
  for (const ProbeStats& st : s->Stats()) {
    EXPECT_EQ(st.runs, 1);
    EXPECT_FALSE(st.in_flight);
  }
}

TEST_F(SchedulerTest, ThreadPoolRunsAtMostMaxConcurrencyChecks) {
  auto control = std::make_shared<Control>();
  {
    absl::MutexLock lock(&control->mu);
    control->block = true;
  }
  Concurrency concurrency;
  SchedulerOptions o;
  o.sink = runs_.Sink();
  o.clock = &clock_;
  o.max_concurrency = 3;
  std::unique_ptr<Scheduler> s = *Scheduler::Create(o);  // its own threads
  for (int i = 0; i < 8; ++i) {
    ScheduledProbe p = Probe("p" + std::to_string(i));
    p.checker = std::make_unique<FakeChecker>(control, nullptr, &concurrency);
    ASSERT_TRUE(s->Add(std::move(p)).ok());
  }
  s->RunDue();
  ASSERT_TRUE(control->AwaitRunning(3));
  EXPECT_EQ(control->Calls(), 3);
  control->Release();
  ASSERT_TRUE(runs_.AwaitSize(8, absl::Seconds(5)));
  EXPECT_EQ(concurrency.peak.load(), 3);
  EXPECT_EQ(control->Calls(), 8);
  s->Stop();
}

TEST_F(SchedulerTest, HungCheckIsReportedAsTimeoutAtItsLimit) {
  std::unique_ptr<Scheduler> s = Make();  // timeout 2s, grace 1s
  auto control = std::make_shared<Control>();
  {
    absl::MutexLock lock(&control->mu);
    control->block = true;
  }
  ASSERT_TRUE(
      s->Add(Probe("home", absl::Seconds(10), absl::ZeroDuration(), control))
          .ok());
  s->RunDue();
  std::thread check = executor_.RunOneInThread();
  ASSERT_TRUE(control->AwaitRunning(1));
  // The check's limit (started + timeout + grace) is the next wake.
  EXPECT_EQ(s->NextWake(), kT0 + absl::Seconds(3));
  clock_.Set(kT0 + absl::Seconds(3) - absl::Nanoseconds(1));
  s->RunDue();
  EXPECT_EQ(runs_.Size(), 0u);
  clock_.Set(kT0 + absl::Seconds(3));
  EXPECT_EQ(s->RunDue(), kT0 + absl::Seconds(10));
  ASSERT_THAT(runs_.Get(), SizeIs(1));
  ProbeRun r = runs_.Get()[0];
  EXPECT_EQ(r.result.outcome, Outcome::kTimeout);
  EXPECT_EQ(r.result.reason, "timed out after 2s");
  EXPECT_EQ(r.result.latency, absl::Seconds(3));
  EXPECT_EQ(r.slot, kT0);
  EXPECT_EQ(r.started, kT0);
  std::vector<ProbeStats> stats = s->Stats();
  EXPECT_EQ(stats[0].runs, 1);
  EXPECT_EQ(stats[0].last_outcome, Outcome::kTimeout);
  EXPECT_TRUE(stats[0].in_flight);  // the check has not returned
  // Its next slot comes while it still hangs: skipped.
  clock_.Set(kT0 + absl::Seconds(10));
  s->RunDue();
  EXPECT_EQ(executor_.Size(), 0u);
  EXPECT_EQ(s->Stats()[0].skipped_overlap, 1);
  // When it finally returns, its result is discarded.
  control->Release();
  check.join();
  EXPECT_EQ(runs_.Size(), 1u);
  EXPECT_FALSE(s->Stats()[0].in_flight);
  clock_.Set(kT0 + absl::Seconds(20));
  s->RunDue();
  executor_.RunAll();
  ASSERT_THAT(runs_.Get(), SizeIs(2));
  EXPECT_EQ(runs_.Get()[1].result.outcome, Outcome::kOk);
  EXPECT_EQ(runs_.Get()[1].slot, kT0 + absl::Seconds(20));
}

TEST_F(SchedulerTest, CheckReturningAfterTimeoutAndGraceIsATimeout) {
  std::unique_ptr<Scheduler> s = Make();  // timeout 2s, grace 1s
  auto control = std::make_shared<Control>();
  ASSERT_TRUE(
      s->Add(Probe("home", absl::Seconds(10), absl::ZeroDuration(), control))
          .ok());
  // Exactly timeout + grace: still the checker's own result.
  {
    absl::MutexLock lock(&control->mu);
    control->takes = absl::Seconds(3);
  }
  s->RunDue();
  executor_.RunAll();
  // A nanosecond more: a timeout, measured on the injected clock.
  {
    absl::MutexLock lock(&control->mu);
    control->takes = absl::Seconds(3) + absl::Nanoseconds(1);
  }
  clock_.Set(kT0 + absl::Seconds(10));
  s->RunDue();
  executor_.RunAll();
  std::vector<ProbeRun> runs = runs_.Get();
  ASSERT_THAT(runs, SizeIs(2));
  EXPECT_EQ(runs[0].result.outcome, Outcome::kOk);
  EXPECT_EQ(runs[0].result.reason, "");
  EXPECT_EQ(runs[1].result.outcome, Outcome::kTimeout);
  EXPECT_EQ(runs[1].result.reason, "timed out after 2s");
  EXPECT_EQ(runs[1].result.latency, absl::Seconds(3) + absl::Nanoseconds(1));
  EXPECT_EQ(s->Stats()[0].last_outcome, Outcome::kTimeout);
}

TEST_F(SchedulerTest, CheckersOwnTimeoutResultIsKept) {
  std::unique_ptr<Scheduler> s = Make();
  auto control = std::make_shared<Control>();
  {
    absl::MutexLock lock(&control->mu);
    control->result = {Outcome::kTimeout, absl::Seconds(2),
                       "no answer within 2s"};
    control->takes = absl::Seconds(5);
  }
  ASSERT_TRUE(
      s->Add(Probe("home", absl::Seconds(10), absl::ZeroDuration(), control))
          .ok());
  s->RunDue();
  executor_.RunAll();
  ASSERT_THAT(runs_.Get(), SizeIs(1));
  EXPECT_EQ(runs_.Get()[0].result.reason, "no answer within 2s");
  EXPECT_EQ(runs_.Get()[0].result.latency, absl::Seconds(2));
}

TEST_F(SchedulerTest, MissedSlotsAreNotReplayed) {
  std::unique_ptr<Scheduler> s = Make();
  ASSERT_TRUE(s->Add(Probe("home")).ok());
  s->RunDue();
  executor_.RunAll();
  // The process was suspended for 35 s: the slots at 10 s and 20 s are
  // gone; the one at 30 s (already begun) runs now, once.
  clock_.Set(kT0 + absl::Seconds(35));
  EXPECT_EQ(s->RunDue(), kT0 + absl::Seconds(40));
  EXPECT_EQ(executor_.Size(), 1u);
  executor_.RunAll();
  std::vector<ProbeRun> runs = runs_.Get();
  ASSERT_THAT(runs, SizeIs(2));
  EXPECT_EQ(runs[1].slot, kT0 + absl::Seconds(30));
  EXPECT_EQ(runs[1].scheduled, kT0 + absl::Seconds(30));
  EXPECT_EQ(runs[1].started, kT0 + absl::Seconds(35));
  std::vector<ProbeStats> stats = s->Stats();
  EXPECT_EQ(stats[0].runs, 2);
  EXPECT_EQ(stats[0].skipped_late, 2);
  EXPECT_EQ(stats[0].skipped_overlap, 0);
}

TEST_F(SchedulerTest, LateSlotWithFreshJitterStillAheadWaitsForIt) {
  // With jitter, the latest begun slot is only run once its own (fresh)
  // jitter has passed.
  std::unique_ptr<Scheduler> s = Make(8, /*seed=*/7);
  ASSERT_TRUE(s->Add(Probe("home", absl::Seconds(10), absl::Seconds(9))).ok());
  clock_.Set(s->NextWake());
  s->RunDue();
  executor_.RunAll();
  clock_.Set(kT0 + absl::Seconds(30));  // the 30 s slot has just begun
  const absl::Time next = s->RunDue();
  std::vector<ProbeStats> stats = s->Stats();
  EXPECT_EQ(stats[0].skipped_late, 2);
  EXPECT_GT(next, kT0 + absl::Seconds(30));
  EXPECT_LT(next, kT0 + absl::Seconds(39));
  EXPECT_EQ(executor_.Size(), 0u);
  clock_.Set(next);
  s->RunDue();
  executor_.RunAll();
  ASSERT_THAT(runs_.Get(), SizeIs(2));
  EXPECT_EQ(runs_.Get()[1].slot, kT0 + absl::Seconds(30));
  EXPECT_EQ(runs_.Get()[1].scheduled, next);
}

TEST_F(SchedulerTest, ClockGoingBackwardsReanchorsTheSchedule) {
  std::unique_ptr<Scheduler> s = Make();
  ASSERT_TRUE(s->Add(Probe("home")).ok());
  s->RunDue();
  executor_.RunAll();
  // An hour back: without re-anchoring the next run would be an hour away.
  clock_.Set(kT0 - absl::Hours(1));
  EXPECT_EQ(s->RunDue(), kT0 - absl::Hours(1) + absl::Seconds(10));
  executor_.RunAll();
  ASSERT_THAT(runs_.Get(), SizeIs(2));
  EXPECT_EQ(runs_.Get()[1].slot, kT0 - absl::Hours(1));
  // A step back within one interval keeps the slots.
  clock_.Set(kT0 - absl::Hours(1) + absl::Seconds(5));
  s->RunDue();
  clock_.Set(kT0 - absl::Hours(1) + absl::Seconds(4));
  EXPECT_EQ(s->RunDue(), kT0 - absl::Hours(1) + absl::Seconds(10));
}

TEST_F(SchedulerTest, StopCancelsRunningChecksDropsQueuedRunsAndReturns) {
  std::unique_ptr<Scheduler> s = Make(/*max_concurrency=*/1);
  auto blocked = std::make_shared<Control>();
  {
    absl::MutexLock lock(&blocked->mu);
    blocked->block = true;  // until cancelled
  }
  auto queued = std::make_shared<Control>();
  ASSERT_TRUE(
      s->Add(Probe("a", absl::Seconds(10), absl::ZeroDuration(), blocked))
          .ok());
  ASSERT_TRUE(
      s->Add(Probe("b", absl::Seconds(10), absl::ZeroDuration(), queued)).ok());
  s->RunDue();
  ASSERT_EQ(executor_.Size(), 1u);
  std::thread check = executor_.RunOneInThread();
  ASSERT_TRUE(blocked->AwaitRunning(1));
  const auto start = std::chrono::steady_clock::now();
  s->Stop();
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, kPrompt);
  check.join();
  {
    absl::MutexLock lock(&blocked->mu);
    EXPECT_TRUE(blocked->saw_cancel);
  }
  // The cancelled result is not delivered; the queued run never starts.
  EXPECT_EQ(runs_.Size(), 0u);
  EXPECT_EQ(queued->Calls(), 0);
  EXPECT_EQ(executor_.Size(), 0u);
  std::vector<ProbeStats> stats = s->Stats();
  EXPECT_EQ(stats[0].runs, 0);
  EXPECT_FALSE(stats[0].in_flight);
  EXPECT_FALSE(stats[1].in_flight);
  // Stopped: nothing is due any more; Stop again is a no-op.
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(s->RunDue(), absl::InfiniteFuture());
  EXPECT_EQ(executor_.Size(), 0u);
  s->Stop();
  EXPECT_EQ(s->Start(),
            absl::FailedPreconditionError("scheduler: Start after Stop"));
}

TEST_F(SchedulerTest, DestructorStopsItsOwnThreads) {
  auto control = std::make_shared<Control>();
  {
    absl::MutexLock lock(&control->mu);
    control->block = true;  // until cancelled
  }
  SchedulerOptions o;
  o.sink = runs_.Sink();
  o.clock = &clock_;
  std::unique_ptr<Scheduler> s = *Scheduler::Create(o);
  ASSERT_TRUE(
      s->Add(Probe("home", absl::Seconds(10), absl::ZeroDuration(), control))
          .ok());
  ASSERT_TRUE(s->Start().ok());
  EXPECT_EQ(s->Start(),
            absl::FailedPreconditionError("scheduler: already started"));
  ASSERT_TRUE(control->AwaitRunning(1));
  const auto start = std::chrono::steady_clock::now();
  s.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, kPrompt);
  absl::MutexLock lock(&control->mu);
  EXPECT_TRUE(control->saw_cancel);
}

TEST(SchedulerRealClockTest, LoopRunsA50msProbeAFewTimesAndStops) {
  Runs runs;
  SchedulerOptions o;
  o.sink = runs.Sink();
  o.max_concurrency = 2;
  std::unique_ptr<Scheduler> s = *Scheduler::Create(o);  // Clock::Real()
  ScheduledProbe p;
  p.service = "web";
  p.probe = "fast";
  p.interval = absl::Milliseconds(50);
  p.timeout = absl::Milliseconds(50);
  p.checker =
      std::make_unique<FakeChecker>(std::make_shared<Control>(), nullptr);
  ASSERT_TRUE(s->Add(std::move(p)).ok());
  ASSERT_TRUE(s->Start().ok());
  ASSERT_TRUE(runs.AwaitSize(4, absl::Seconds(10)));
  const auto stop = std::chrono::steady_clock::now();
  s->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stop, kPrompt);
  const std::vector<ProbeRun> got = runs.Get();
  const size_t n = got.size();
  ASSERT_GE(n, 4u);
  // A loaded machine may skip a slot, but every run sits on a slot.
  for (size_t k = 0; k < n; ++k) {
    SCOPED_TRACE(k);
    EXPECT_EQ(got[k].result.outcome, Outcome::kOk);
    EXPECT_EQ(got[k].scheduled, got[k].slot);
    EXPECT_EQ((got[k].slot - got[0].slot) % absl::Milliseconds(50),
              absl::ZeroDuration());
    EXPECT_GE(got[k].started, got[k].scheduled);
    if (k > 0) {
      EXPECT_GT(got[k].slot, got[k - 1].slot);
    }
  }
  // Nothing more after Stop.
  EXPECT_EQ(s->NextWake(), absl::InfiniteFuture());
  EXPECT_EQ(runs.Size(), n);
}

}  // namespace
}  // namespace sla::probes
