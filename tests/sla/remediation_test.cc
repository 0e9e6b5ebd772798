// Tests of sla/remediation.h: which transitions trigger an action, the
// cooldown and attempt-limit boundaries (to the nanosecond), dry run, one
// run at a time per alert, failing actions, key matching, the audit ring
// and sink, Register's errors and the JSON line. Time comes from a
// sla::FakeClock and runs happen on a synchronous or a held executor, except
// where the default thread-per-run executor itself is under test; nothing
// sleeps.

#include "sla/remediation.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sla/alerting.h"
#include "sla/clock.h"

namespace sla {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// 2024-01-01T00:00:00Z.
const absl::Time kT0 = absl::FromUnixSeconds(1704067200);

AlertEvent Event(std::string service, std::string objective,
                 std::string severity, AlertState from, AlertState to) {
  AlertEvent e;
  e.service = std::move(service);
  e.objective = std::move(objective);
  e.severity = std::move(severity);
  e.from = from;
  e.to = to;
  return e;
}

AlertEvent Firing(std::string service = "web",
                  std::string objective = "availability",
                  std::string severity = "page") {
  return Event(std::move(service), std::move(objective), std::move(severity),
               AlertState::kPending, AlertState::kFiring);
}

RemediatorOptions Synchronous() {
  RemediatorOptions options;
  options.executor = [](std::function<void()> job) { job(); };
  return options;
}

// "decision: reason" of every record, for compact expectations.
std::vector<std::string> Decisions(const Remediator& r) {
  std::vector<std::string> out;
  for (const AuditRecord& a : r.Audit()) {
    out.push_back(absl::StrCat(a.action, " ", a.decision, ": ", a.reason));
  }
  return out;
}

// An action that counts its calls and may take `duration` of fake time.
struct CountingAction {
  FakeClock* clock;
  absl::Duration duration = absl::ZeroDuration();
  int calls = 0;
  RecoveryAction Get() {
    return [this](const AlertEvent&, absl::Duration) {
      ++calls;
      clock->Advance(duration);
      return absl::OkStatus();
    };
  }
};

// Holds every job until the test runs it.
class HeldExecutor {
 public:
  RemediationExecutor Get() {
    return
        [this](std::function<void()> job) { jobs_.push_back(std::move(job)); };
  }
  size_t held() const { return jobs_.size(); }
  void RunAll() {
    std::vector<std::function<void()>> jobs;
    jobs.swap(jobs_);
    for (auto& job : jobs) job();
  }

 private:
  std::vector<std::function<void()>> jobs_;
};

// ---------------------------------------------------------------- trigger

TEST(RemediatorTest, RunsOnEnteringFiringNotOnPendingOrResolved) {
  FakeClock clock(kT0);
  Remediator r(&clock, Synchronous());
  std::vector<std::string> seen;
  absl::Duration timeout_seen;
  RemediationPolicy policy;
  policy.timeout = absl::Seconds(45);
  ASSERT_TRUE(r.Register(
                   {"web", "availability", "page"}, "restart-web",
                   [&](const AlertEvent& e, absl::Duration timeout) {
                     seen.push_back(absl::StrCat(e.service, "/", e.objective,
                                                 "/", e.severity, " ",
                                                 AlertStateName(e.to)));
                     timeout_seen = timeout;
                     return absl::OkStatus();
                   },
                   policy)
                  .ok());

  r.OnAlert(Event("web", "availability", "page", AlertState::kInactive,
                  AlertState::kPending));
  r.OnAlert(Firing());
  r.OnAlert(Event("web", "availability", "page", AlertState::kFiring,
                  AlertState::kResolved));
  r.OnAlert(Event("web", "availability", "page", AlertState::kPending,
                  AlertState::kInactive));

  EXPECT_THAT(seen, ElementsAre("web/availability/page firing"));
  EXPECT_EQ(timeout_seen, absl::Seconds(45));
  // Transitions that are not the trigger leave no record.
  EXPECT_THAT(Decisions(r),
              ElementsAre("restart-web run: alert entered firing",
                          "restart-web finished: succeeded after 0"));
  std::vector<AuditRecord> audit = r.Audit();
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0].seq, 1);
  EXPECT_EQ(audit[0].at, kT0);
  EXPECT_EQ(audit[0].alert_to, AlertState::kFiring);
  EXPECT_EQ(audit[0].started, absl::InfinitePast());
  EXPECT_EQ(audit[1].seq, 2);
  EXPECT_EQ(audit[1].started, kT0);
  EXPECT_EQ(audit[1].finished, kT0);
  EXPECT_TRUE(audit[1].result.ok());
}

TEST(RemediatorTest, ResolvedTriggerRunsOnResolveOnly) {
  FakeClock clock(kT0);
  Remediator r(&clock, Synchronous());
  CountingAction cleanup{&clock};
  RemediationPolicy policy;
  policy.trigger = AlertState::kResolved;
  ASSERT_TRUE(
      r.Register({"web", "", ""}, "cleanup", cleanup.Get(), policy).ok());
  r.OnAlert(Firing());
  EXPECT_EQ(cleanup.calls, 0);
  r.OnAlert(Event("web", "availability", "page", AlertState::kFiring,
                  AlertState::kResolved));
  EXPECT_EQ(cleanup.calls, 1);
  EXPECT_THAT(Decisions(r), ElementsAre("cleanup run: alert entered resolved",
                                        "cleanup finished: succeeded after 0"));
}

// ---------------------------------------------------------------- cooldown

// The run takes 30s (T0 to T0+30s), so with a 10m cooldown the next run is
// allowed at T0+10m30s: measured from the end, not the start (T0+10m).
TEST(RemediatorTest, CooldownIsMeasuredFromTheEndOfTheRunExactly) {
  FakeClock clock(kT0);
  Remediator r(&clock, Synchronous());
  CountingAction restart{&clock, absl::Seconds(30)};
  ASSERT_TRUE(r.Register({"web", "availability", "page"}, "restart",
                         restart.Get(), RemediationPolicy())
                  .ok());

  r.OnAlert(Firing());
  EXPECT_EQ(restart.calls, 1);
  EXPECT_EQ(clock.Now(), kT0 + absl::Seconds(30));

  clock.Set(kT0 + absl::Minutes(10));
  r.OnAlert(Firing());
  clock.Set(kT0 + absl::Minutes(10) + absl::Seconds(30) - absl::Nanoseconds(1));
  r.OnAlert(Firing());
  EXPECT_EQ(restart.calls, 1);

  clock.Set(kT0 + absl::Minutes(10) + absl::Seconds(30));
  r.OnAlert(Firing());
  EXPECT_EQ(restart.calls, 2);

  EXPECT_THAT(Decisions(r),
              ElementsAre("restart run: alert entered firing",
                          "restart finished: succeeded after 30s",
                          "restart skipped: cooldown (next run allowed at "
                          "2024-01-01T00:10:30Z)",
                          "restart skipped: cooldown (next run allowed at "
                          "2024-01-01T00:10:30Z)",
                          "restart run: alert entered firing",
                          "restart finished: succeeded after 30s"));
  std::vector<AuditRecord> audit = r.Audit();
  ASSERT_EQ(audit.size(), 6u);
  EXPECT_EQ(audit[3].at, kT0 + absl::Seconds(630) - absl::Nanoseconds(1));
}

// The clock steps back an hour 4 minutes after a run that ended at T0+30s
// (10m cooldown): with ShiftTimes the next run is allowed 6m30s of the new
// clock later, not 1h6m30s; and the run's decision still counts against
// the attempt window from its shifted time.
TEST(RemediatorTest, ShiftTimesKeepsCooldownAndAttemptsAcrossAClockStep) {
  FakeClock clock(kT0);
  Remediator r(&clock, Synchronous());
  CountingAction restart{&clock, absl::Seconds(30)};
  RemediationPolicy policy;
  policy.max_attempts = 2;
  policy.attempt_window = absl::Hours(1);
  ASSERT_TRUE(r.Register({"web", "availability", "page"}, "restart",
                         restart.Get(), policy)
                  .ok());
  r.OnAlert(Firing());  // runs T0 .. T0+30s
  ASSERT_EQ(restart.calls, 1);

  const absl::Time back = kT0 + absl::Minutes(4) - absl::Hours(1);
  clock.Set(back);
  r.ShiftTimes(back - (kT0 + absl::Minutes(4)));
  // The run ended at T0+30s, now back - 3m30s: allowed at back + 6m30s.
  clock.Set(back + absl::Minutes(6) + absl::Seconds(30) - absl::Nanoseconds(1));
  r.OnAlert(Firing());
  EXPECT_EQ(restart.calls, 1);
  clock.Set(back + absl::Minutes(6) + absl::Seconds(30));
  r.OnAlert(Firing());  // the 2nd run of 2 within the hour
  EXPECT_EQ(restart.calls, 2);
  // The first decision (T0, now back - 4m) still counts: a 3rd run after
  // the cooldown is over the limit until back - 4m + 1h.
  clock.Set(back + absl::Minutes(30));
  r.OnAlert(Firing());
  EXPECT_EQ(restart.calls, 2);
  std::vector<std::string> d = Decisions(r);
  ASSERT_EQ(d.size(), 6u);
  EXPECT_EQ(d[2],
            "restart skipped: cooldown (next run allowed at "
            "2023-12-31T23:10:30Z)");
  EXPECT_EQ(d[5],
            "restart skipped: attempt limit (2 runs within 1h; next run "
            "allowed at 2024-01-01T00:00:00Z)");
}

// ---------------------------------------------------------------- attempts

// max 3 runs decided within any 1h: runs at T0, T0+1m, T0+2m; the run of
// T0 counts until T0+1h exclusive, the one of T0+1m until T0+1h1m.
TEST(RemediatorTest, AttemptLimitWithinTheWindowAndItsSlide) {
  FakeClock clock(kT0);
  Remediator r(&clock, Synchronous());
  CountingAction restart{&clock};
  RemediationPolicy policy;
  policy.cooldown = absl::ZeroDuration();
  ASSERT_TRUE(r.Register({"web", "availability", "page"}, "restart",
                         restart.Get(), policy)
                  .ok());

  for (int m = 0; m < 3; ++m) {
    clock.Set(kT0 + absl::Minutes(m));
    r.OnAlert(Firing());
  }
  EXPECT_EQ(restart.calls, 3);

  clock.Set(kT0 + absl::Minutes(3));
  r.OnAlert(Firing());
  clock.Set(kT0 + absl::Hours(1) - absl::Nanoseconds(1));
  r.OnAlert(Firing());
  EXPECT_EQ(restart.calls, 3);

  clock.Set(kT0 + absl::Hours(1));
  r.OnAlert(Firing());
  EXPECT_EQ(restart.calls, 4);

  clock.Set(kT0 + absl::Hours(1) + absl::Seconds(30));
  r.OnAlert(Firing());
  EXPECT_EQ(restart.calls, 4);

  std::vector<std::string> d = Decisions(r);
  ASSERT_EQ(d.size(), 6u + 2 + 2 + 1);
  EXPECT_EQ(d[6],
            "restart skipped: attempt limit (3 runs within 1h; next run "
            "allowed at 2024-01-01T01:00:00Z)");
  EXPECT_EQ(d[7], d[6]);
  EXPECT_EQ(d[8], "restart run: alert entered firing");
  EXPECT_EQ(d[10],
            "restart skipped: attempt limit (3 runs within 1h; next run "
            "allowed at 2024-01-01T01:01:00Z)");
}

TEST(RemediatorTest, AttemptLimitIsPerAlert) {
  FakeClock clock(kT0);
  Remediator r(&clock, Synchronous());
  CountingAction restart{&clock};
  RemediationPolicy policy;
  policy.cooldown = absl::ZeroDuration();
  policy.max_attempts = 1;
  ASSERT_TRUE(
      r.Register({"web", "", ""}, "restart", restart.Get(), policy).ok());
  r.OnAlert(Firing("web", "availability", "page"));
  r.OnAlert(Firing("web", "availability", "page"));
  r.OnAlert(Firing("web", "availability", "ticket"));
  r.OnAlert(Firing("web", "latency", "page"));
  EXPECT_EQ(restart.calls, 3);
  EXPECT_THAT(Decisions(r),
              ElementsAre("restart run: alert entered firing",
                          "restart finished: succeeded after 0",
                          "restart skipped: attempt limit (1 run within 1h; "
                          "next run allowed at 2024-01-01T01:00:00Z)",
                          "restart run: alert entered firing",
                          "restart finished: succeeded after 0",
                          "restart run: alert entered firing",
                          "restart finished: succeeded after 0"));
}

// ---------------------------------------------------------------- dry run

TEST(RemediatorTest, DryRunAuditsAndNeverCallsTheAction) {
  FakeClock clock(kT0);
  Remediator r(&clock, Synchronous());
  CountingAction restart{&clock};
  RemediationPolicy policy;
  policy.dry_run = true;
  ASSERT_TRUE(r.Register({"web", "availability", "page"}, "restart",
                         restart.Get(), policy)
                  .ok());

  r.OnAlert(Firing());
  // A dry run counts as a run that ended at its decision: the cooldown
  // applies to the preview as it would to real runs.
  clock.Set(kT0 + absl::Minutes(10) - absl::Nanoseconds(1));
  r.OnAlert(Firing());
  clock.Set(kT0 + absl::Minutes(10));
  r.OnAlert(Firing());

  EXPECT_EQ(restart.calls, 0);
  EXPECT_THAT(Decisions(r),
              ElementsAre("restart dry-run: alert entered firing; dry run, the "
                          "action is not called",
                          "restart skipped: cooldown (next run allowed at "
                          "2024-01-01T00:10:00Z)",
                          "restart dry-run: alert entered firing; dry run, the "
                          "action is not called"));
  for (const AuditRecord& a : r.Audit()) {
    EXPECT_EQ(a.started, absl::InfinitePast());
    EXPECT_TRUE(a.result.ok());
  }
}

// ---------------------------------------------------------------- in flight

TEST(RemediatorTest, SecondTriggerWhileRunningIsSkipped) {
  FakeClock clock(kT0);
  HeldExecutor executor;
  RemediatorOptions options;
  options.executor = executor.Get();
  Remediator r(&clock, options);
  CountingAction restart{&clock, absl::Seconds(5)};
  RemediationPolicy policy;
  policy.cooldown = absl::ZeroDuration();
  ASSERT_TRUE(
      r.Register({"web", "availability", ""}, "restart", restart.Get(), policy)
          .ok());

  r.OnAlert(Firing("web", "availability", "page"));
  ASSERT_EQ(executor.held(), 1u);
  r.OnAlert(Firing("web", "availability", "page"));
  // Another alert of the same registration is not blocked by it.
  r.OnAlert(Firing("web", "availability", "ticket"));
  EXPECT_EQ(executor.held(), 2u);
  EXPECT_EQ(restart.calls, 0);

  executor.RunAll();
  EXPECT_EQ(restart.calls, 2);
  // Finished (cooldown 0): the next trigger runs again.
  r.OnAlert(Firing("web", "availability", "page"));
  EXPECT_EQ(executor.held(), 1u);
  executor.RunAll();
  r.Drain();

  std::vector<AuditRecord> audit = r.Audit();
  std::vector<std::string> lines;
  for (const AuditRecord& a : audit) {
    lines.push_back(absl::StrCat(a.severity, " ", a.decision, ": ", a.reason));
  }
  EXPECT_THAT(lines, ElementsAre("page run: alert entered firing",
                                 "page skipped: already running",
                                 "ticket run: alert entered firing",
                                 "page finished: succeeded after 5s",
                                 "ticket finished: succeeded after 5s",
                                 "page run: alert entered firing",
                                 "page finished: succeeded after 5s"));
}

// The default executor: OnAlert returns while the action is still blocked,
// and Drain waits for it.
TEST(RemediatorTest, DefaultExecutorRunsOffTheCallersThread) {
  FakeClock clock(kT0);
  Remediator r(&clock);
  absl::Notification started;
  absl::Notification release;
  std::thread::id action_thread;
  ASSERT_TRUE(r.Register(
                   {"web", "availability", "page"}, "restart",
                   [&](const AlertEvent&, absl::Duration) {
                     action_thread = std::this_thread::get_id();
                     started.Notify();
                     release.WaitForNotification();
                     return absl::OkStatus();
                   },
                   RemediationPolicy())
                  .ok());

  r.OnAlert(Firing());  // returns although the action blocks
  started.WaitForNotification();
  r.OnAlert(Firing());
  EXPECT_THAT(Decisions(r), ElementsAre("restart run: alert entered firing",
                                        "restart skipped: already running"));
  release.Notify();
  r.Drain();
  EXPECT_NE(action_thread, std::this_thread::get_id());
  EXPECT_THAT(Decisions(r), ElementsAre("restart run: alert entered firing",
                                        "restart skipped: already running",
                                        "restart finished: succeeded after 0"));
}

// ---------------------------------------------------------------- failure

TEST(RemediatorTest, FailingActionStatusIsInTheFinishedRecord) {
  FakeClock clock(kT0);
  Remediator r(&clock, Synchronous());
  ASSERT_TRUE(r.Register(
                   {"web", "availability", "page"}, "restart",
                   [&](const AlertEvent&, absl::Duration) {
                     clock.Advance(absl::Seconds(4));
                     return absl::UnavailableError("exit status 1");
                   },
                   RemediationPolicy())
                  .ok());
  r.OnAlert(Firing());
  std::vector<AuditRecord> audit = r.Audit();
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0].decision, "run");
  EXPECT_TRUE(audit[0].result.ok());
  const AuditRecord f = audit[1];
  EXPECT_EQ(f.decision, "finished");
  EXPECT_EQ(f.reason, "failed after 4s");
  EXPECT_EQ(f.result, absl::UnavailableError("exit status 1"));
  EXPECT_EQ(f.at, kT0 + absl::Seconds(4));
  EXPECT_EQ(f.started, kT0);
  EXPECT_EQ(f.finished, kT0 + absl::Seconds(4));
  // A failed run still counts for the cooldown.
  clock.Advance(absl::Minutes(1));
  r.OnAlert(Firing());
  audit = r.Audit();
  ASSERT_EQ(audit.size(), 3u);
  EXPECT_EQ(audit[2].reason,
            "cooldown (next run allowed at 2024-01-01T00:10:04Z)");
}

// ---------------------------------------------------------------- matching

TEST(RemediatorTest, KeysMatchWithEmptyFieldsAsWildcards) {
  FakeClock clock(kT0);
  Remediator r(&clock, Synchronous());
  CountingAction a{&clock}, b{&clock}, c{&clock};
  ASSERT_TRUE(r.Register({"web", "", ""}, "a", a.Get(), {}).ok());
  ASSERT_TRUE(r.Register({"", "latency", "page"}, "b", b.Get(), {}).ok());
  ASSERT_TRUE(
      r.Register({"api", "availability", "ticket"}, "c", c.Get(), {}).ok());

  r.OnAlert(Firing("web", "latency", "page"));         // a, b
  r.OnAlert(Firing("api", "availability", "ticket"));  // c
  r.OnAlert(Firing("api", "latency", "ticket"));       // none
  r.OnAlert(Firing("api", "availability", "page"));    // none
  r.OnAlert(Firing("api", "latency", "page"));         // b (its cooldown is
                                                       // per alert)
  EXPECT_EQ(a.calls, 1);
  EXPECT_EQ(b.calls, 2);
  EXPECT_EQ(c.calls, 1);
  std::vector<std::string> runs;
  for (const AuditRecord& rec : r.Audit()) {
    if (rec.decision == "run") {
      runs.push_back(absl::StrCat(rec.action, " ", rec.service, "/",
                                  rec.objective, "/", rec.severity));
    }
  }
  EXPECT_THAT(runs,
              ElementsAre("a web/latency/page", "b web/latency/page",
                          "c api/availability/ticket", "b api/latency/page"));
}

// ---------------------------------------------------------------- audit

TEST(RemediatorTest, SinkSeesEveryRecordInOrderAndTheRingKeepsTheLatest) {
  FakeClock clock(kT0);
  RemediatorOptions options = Synchronous();
  std::vector<AuditRecord> sunk;
  options.audit_sink = [&](const AuditRecord& rec) { sunk.push_back(rec); };
  options.audit_capacity = 3;
  Remediator r(&clock, options);
  CountingAction restart{&clock};
  ASSERT_TRUE(r.Register({"web", "", ""}, "restart", restart.Get(), {}).ok());

  r.OnAlert(Firing("web", "availability", "page"));    // run, finished
  r.OnAlert(Firing("web", "availability", "page"));    // skipped
  r.OnAlert(Firing("web", "availability", "ticket"));  // run, finished

  std::vector<int64_t> seqs;
  std::vector<std::string> decisions;
  for (const AuditRecord& rec : sunk) {
    seqs.push_back(rec.seq);
    decisions.push_back(rec.decision);
  }
  EXPECT_THAT(seqs, ElementsAre(1, 2, 3, 4, 5));
  EXPECT_THAT(decisions,
              ElementsAre("run", "finished", "skipped", "run", "finished"));
  std::vector<int64_t> kept;
  for (const AuditRecord& rec : r.Audit()) kept.push_back(rec.seq);
  EXPECT_THAT(kept, ElementsAre(3, 4, 5));
}

// Many threads trigger one alert at once through the default executor: the
// action never runs twice at once, every run is finished, and the sink sees
// seq 1, 2, 3, ... with no gap.
TEST(RemediatorTest, ConcurrentTriggersNeverOverlapAndSinkStaysOrdered) {
  FakeClock clock(kT0);
  RemediatorOptions options;
  absl::Mutex sunk_mu;
  std::vector<AuditRecord> sunk;
  options.audit_sink = [&](const AuditRecord& rec) {
    absl::MutexLock lock(&sunk_mu);
    sunk.push_back(rec);
  };
  std::atomic<int> running{0};
  std::atomic<int> overlaps{0};
  std::atomic<int> calls{0};
  {
    Remediator r(&clock, options);
    RemediationPolicy policy;
    policy.cooldown = absl::ZeroDuration();
    policy.max_attempts = 1000000;
    ASSERT_TRUE(r.Register(
                     {"web", "availability", "page"}, "restart",
                     [&](const AlertEvent&, absl::Duration) {
                       if (running.fetch_add(1) != 0) ++overlaps;
                       ++calls;
                       std::this_thread::yield();
                       running.fetch_sub(1);
                       return absl::OkStatus();
                     },
                     policy)
                    .ok());
    std::vector<std::thread> callers;
    for (int t = 0; t < 8; ++t) {
      callers.emplace_back([&r] {
        for (int i = 0; i < 100; ++i) r.OnAlert(Firing());
      });
    }
    for (std::thread& t : callers) t.join();
  }  // the destructor drains
  EXPECT_EQ(overlaps.load(), 0);
  int runs = 0, finished = 0, skipped = 0;
  for (size_t i = 0; i < sunk.size(); ++i) {
    EXPECT_EQ(sunk[i].seq, static_cast<int64_t>(i + 1));
    runs += sunk[i].decision == "run";
    finished += sunk[i].decision == "finished";
    skipped += sunk[i].decision == "skipped";
  }
  EXPECT_EQ(runs + skipped, 800);
  EXPECT_EQ(finished, runs);
  EXPECT_EQ(calls.load(), runs);
  EXPECT_GE(runs, 1);
}

// ---------------------------------------------------------------- Register

TEST(RemediatorTest, RegisterErrors) {
  FakeClock clock(kT0);
  Remediator r(&clock, Synchronous());
  CountingAction restart{&clock};
  auto with = [](auto change) {
    RemediationPolicy p;
    change(p);
    return p;
  };
  const ActionKey key{"web", "", "page"};

  absl::Status s = r.Register(key, "", restart.Get(), {});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "remediation for web/*/page: action name is empty");
  s = r.Register(key, "restart", nullptr, {});
  EXPECT_EQ(s.message(),
            "remediation 'restart' for web/*/page: action is null");
  s = r.Register({"web", "", "pager"}, "restart", restart.Get(), {});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("severity 'pager'"));

  struct Bad {
    RemediationPolicy policy;
    const char* message;
  };
  const Bad bad[] = {
      {with([](RemediationPolicy& p) { p.max_attempts = 0; }),
       "remediation 'restart' for web/*/page: max_attempts 0 must be at "
       "least 1"},
      {with([](RemediationPolicy& p) { p.cooldown = absl::Seconds(-1); }),
       "remediation 'restart' for web/*/page: cooldown -1s must be finite "
       "and >= 0"},
      {with(
           [](RemediationPolicy& p) { p.cooldown = absl::InfiniteDuration(); }),
       "remediation 'restart' for web/*/page: cooldown inf must be finite "
       "and >= 0"},
      {with([](RemediationPolicy& p) {
         p.attempt_window = absl::ZeroDuration();
       }),
       "remediation 'restart' for web/*/page: attempt_window 0 must be "
       "finite and positive"},
      {with([](RemediationPolicy& p) { p.timeout = absl::ZeroDuration(); }),
       "remediation 'restart' for web/*/page: timeout 0 must be finite and "
       "positive"},
      {with([](RemediationPolicy& p) { p.trigger = AlertState::kInactive; }),
       "remediation 'restart' for web/*/page: trigger inactive must be "
       "pending, firing or resolved"},
  };
  for (const Bad& b : bad) {
    s = r.Register(key, "restart", restart.Get(), b.policy);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << b.message;
    EXPECT_EQ(s.message(), b.message);
  }

  ASSERT_TRUE(r.Register(key, "restart", restart.Get(), {}).ok());
  s = r.Register(key, "other", restart.Get(), {});
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(s.message(),
            "remediation for web/*/page is already registered (action "
            "'restart')");
  // A key that differs in one field is another registration.
  EXPECT_TRUE(r.Register({"web", "", ""}, "other", restart.Get(), {}).ok());

  // Failed registrations left nothing behind.
  r.OnAlert(Firing("web", "availability", "page"));
  std::vector<std::string> actions;
  for (const AuditRecord& a : r.Audit()) {
    if (a.decision == "run") actions.push_back(a.action);
  }
  EXPECT_THAT(actions, ElementsAre("restart", "other"));
}

// ---------------------------------------------------------------- JSON

TEST(AuditRecordToJsonTest, OneLineWithEveryKeyInOrder) {
  AuditRecord f;
  f.seq = 2;
  f.at = kT0 + absl::Seconds(4);
  f.service = "web";
  f.objective = "availability";
  f.severity = "page";
  f.action = "restart-web";
  f.alert_to = AlertState::kFiring;
  f.decision = "finished";
  f.reason = "failed after 4s";
  f.started = kT0;
  f.finished = kT0 + absl::Seconds(4);
  f.result = absl::UnavailableError("exit status 1: \"web\" did not\nrestart");
  EXPECT_EQ(AuditRecordToJson(f),
            R"({"seq":2,"at":"2024-01-01T00:00:04Z","service":"web",)"
            R"("objective":"availability","severity":"page",)"
            R"("action":"restart-web","alert_state":"firing",)"
            R"("decision":"finished","reason":"failed after 4s",)"
            R"("started":"2024-01-01T00:00:00Z",)"
            R"("finished":"2024-01-01T00:00:04Z","result_code":"UNAVAILABLE",)"
            R"("result_message":"exit status 1: \"web\" did not\nrestart"})");

  AuditRecord d;
  d.seq = 1;
  d.at = kT0 + absl::Milliseconds(1500);
  d.service = "web";
  d.objective = "availability";
  d.severity = "page";
  d.action = "restart-web";
  d.alert_to = AlertState::kFiring;
  d.decision = "skipped";
  d.reason = "already running";
  EXPECT_EQ(AuditRecordToJson(d),
            R"({"seq":1,"at":"2024-01-01T00:00:01.5Z","service":"web",)"
            R"("objective":"availability","severity":"page",)"
            R"("action":"restart-web","alert_state":"firing",)"
            R"("decision":"skipped","reason":"already running",)"
            R"("started":null,"finished":null,"result_code":"OK",)"
            R"("result_message":""})");
}

}  // namespace
}  // namespace sla
