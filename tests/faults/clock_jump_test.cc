// The clock jumps. The server's backend (what `slakit serve` runs) with a
// sla::FakeClock injected, stepped forward by a day, back by an hour, back
// by a day and forward by a year while batches are ingested, queried and
// alerts evaluated. Checked, with exact counts per minute throughout:
//   - data stamped relative to the new time is accepted; data stamped more
//     than future_tolerance (5 min) after the clock is InvalidArgument
//     "... is in the future" (also data stamped at the time the clock was at
//     before stepping back); late data is accepted within the retention and
//     OutOfRange "... older than the retention horizon" beyond it (the
//     retention is measured from the newest data, not from the clock:
//     engine.h), so after the year's jump the old minutes are dropped and
//     nothing else is;
//   - batch ids stay duplicates when the clock steps back;
//   - alert evaluation goes on when the clock steps back: the alert timers
//     move back with the clock (AlertTracker::ShiftTimes), the step is
//     counted and logged, no alert is dropped, none gets a `since` later
//     than its evaluation, and an outage stamped on the stepped-back clock
//     pages at once (alerting is not frozen until the clock catches up);
//   - a restart at any point recovers every acknowledged batch;
//   - the probe scheduler neither replays a year of missed slots nor waits
//     a day for its next run after the clock steps back.

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bindings/grpc/auth.h"
#include "bindings/grpc/backend.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "probes/scheduler.h"
#include "sla/clock.h"

namespace sla::server {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const absl::Time kT0 = absl::FromUnixSeconds(1710072000);  // 2024-03-10T12Z

constexpr char kConfig[] = R"(services:
  - name: web
    objectives:
      - {name: availability, target: 99, window: 30d, alerting: true}
)";

// A batch: one probe result per minute for `n` minutes from `from`
// (a whole minute); every other one failed when `half_bad`.
struct Sent {
  std::string id;
  absl::Time from;
  int n = 0;
  bool half_bad = false;
};

std::vector<NamedProbe> Records(const Sent& s) {
  std::vector<NamedProbe> out;
  for (int k = 0; k < s.n; ++k) {
    const bool ok = !(s.half_bad && k % 2 == 1);
    out.push_back({"web", "home",
                   absl::ToUnixMillis(s.from + absl::Minutes(k)) + 1000, ok,
                   20.0});
  }
  return out;
}

class ClockJumpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "/clock_jump_", ::getpid());
    fs::remove_all(dir_);
    admin_.name = "admin";
    admin_.all_tenants = true;
    admin_.roles = {Role::kIngest, Role::kRead, Role::kAdmin};
    Open();
  }
  void TearDown() override {
    backend_.reset();
    fs::remove_all(dir_);
  }

  void Open() {
    BackendOptions options;
    options.data_dir = dir_;
    options.config_text = kConfig;
    options.alert_interval = absl::ZeroDuration();  // the test evaluates
    options.clock = &clock_;
    options.log = [this](const std::string& line) { log_.push_back(line); };
    absl::StatusOr<std::unique_ptr<Backend>> b = Backend::Open(options);
    ASSERT_TRUE(b.ok()) << b.status();
    backend_ = *std::move(b);
  }
  void Restart() {
    ASSERT_TRUE(backend_->Shutdown().ok());
    backend_.reset();
    Open();
  }

  absl::StatusOr<storage::IngestAck> Send(const Sent& s) {
    return backend_->Ingest(admin_, s.id, Records(s));
  }

  // The batch's minutes hold exactly its results (or nothing).
  void ExpectMinutes(const Sent& s, bool present) {
    SCOPED_TRACE(absl::StrCat("batch ", s.id, " at ", absl::FormatTime(s.from),
                              present ? " present" : " absent"));
    absl::StatusOr<SliId> sli = backend_->engine().FindSli("web", "home");
    ASSERT_TRUE(sli.ok()) << sli.status();
    const SliId ids[] = {*sli};
    absl::StatusOr<std::vector<Counts>> got =
        backend_->engine().QueryRange(ids, s.from, absl::Minutes(1), s.n);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_EQ(got->size(), static_cast<size_t>(s.n));
    for (int k = 0; k < s.n; ++k) {
      const bool ok = !(s.half_bad && k % 2 == 1);
      const Counts want = present ? Counts{ok ? 1 : 0, 1} : Counts{};
      ASSERT_TRUE((*got)[k] == want)
          << "minute " << k << ": " << (*got)[k].good << "/" << (*got)[k].total;
    }
  }

  // Evaluation at the clock's now; checks the alerts' times stay sane.
  absl::Status Evaluate() {
    const absl::Time at = clock_.Now();
    absl::Status s = backend_->EvaluateAlerts(at);
    if (s.ok()) last_evaluation_ = at;
    for (const AlertView& a : backend_->ActiveAlerts(admin_)) {
      EXPECT_LE(a.since, last_evaluation_) << a.severity;
      EXPECT_GT(a.since, absl::UnixEpoch()) << a.severity;
    }
    return s;
  }

  FakeClock clock_{kT0};
  std::string dir_;
  Principal admin_;
  std::unique_ptr<Backend> backend_;
  absl::Time last_evaluation_ = absl::InfinitePast();
  std::vector<std::string> log_;  // the backend's log lines (one thread)
};

TEST_F(ClockJumpTest, ReadsIngestAndAlertsSurviveJumpsBothWays) {
  // The last hour before kT0: half the probes fail (a burn rate of 50 on a
  // 1 % budget).
  const Sent a{"a", kT0 - absl::Hours(1), 60, true};
  ASSERT_TRUE(Send(a).ok());
  ASSERT_TRUE(Evaluate().ok());
  const std::vector<AlertView> firing = backend_->ActiveAlerts(admin_);
  ASSERT_FALSE(firing.empty());

  // +1 day.
  clock_.Advance(absl::Hours(24));
  const Sent b{"b", clock_.Now() - absl::Minutes(30), 30, false};
  ASSERT_TRUE(Send(b).ok());
  const Sent late{"late", kT0 - absl::Hours(3), 10, false};  // late: accepted
  ASSERT_TRUE(Send(late).ok());
  const Sent future{"future", clock_.Now() + absl::Minutes(10), 1, false};
  absl::StatusOr<storage::IngestAck> rejected = Send(future);
  EXPECT_EQ(rejected.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(rejected.status().message(), HasSubstr("is in the future"));
  ASSERT_TRUE(Evaluate().ok());
  for (const Sent& s : {a, b, late}) ExpectMinutes(s, true);
  ExpectMinutes(future, false);

  // -1 hour.
  const absl::Time before_step = clock_.Now();
  clock_.Advance(-absl::Hours(1));
  const Sent d{"d", clock_.Now() - absl::Minutes(10), 10, false};
  ASSERT_TRUE(Send(d).ok());
  // Stamped at the time the clock showed before the step: now an hour in
  // the future.
  const Sent ahead{"ahead", before_step, 1, false};
  rejected = Send(ahead);
  EXPECT_EQ(rejected.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(rejected.status().message(), HasSubstr("is in the future"));
  absl::StatusOr<storage::IngestAck> again = Send(a);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->duplicate);
  const size_t active_before = backend_->ActiveAlerts(admin_).size();
  const absl::Status back = Evaluate();
  EXPECT_TRUE(back.ok()) << back;
  EXPECT_EQ(backend_->ActiveAlerts(admin_).size(), active_before);
  EXPECT_EQ(backend_->counters().clock_steps_back, 1);
  EXPECT_EQ(backend_->counters().alert_evaluation_errors, 0);
  ASSERT_FALSE(log_.empty());
  EXPECT_THAT(log_.back(),
              HasSubstr("warning: the clock stepped back by 1h (alert "
                        "evaluation at 2024-03-11T11:00:00Z, the previous at "
                        "2024-03-11T12:00:00Z); alert timers and "
                        "recovery-action cooldowns moved back"));
  for (const Sent& s : {a, b, late, d}) ExpectMinutes(s, true);
  ExpectMinutes(ahead, false);

  // -1 day more: the clock is now before the first batch's ingest.
  clock_.Advance(-absl::Hours(24));
  const Sent e{"e", clock_.Now() - absl::Minutes(20), 10, false};
  ASSERT_TRUE(Send(e).ok());
  again = Send(b);  // acknowledged "in the future": still a duplicate
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->duplicate);
  EXPECT_TRUE(Evaluate().ok());
  EXPECT_EQ(backend_->counters().clock_steps_back, 2);
  for (const Sent& s : {a, b, late, d, e}) ExpectMinutes(s, true);
  // Forward again, a minute at a time: no step is counted.
  for (int k = 1; k <= 3; ++k) {
    clock_.Advance(absl::Minutes(1));
    EXPECT_TRUE(Evaluate().ok());
  }
  EXPECT_EQ(backend_->counters().clock_steps_back, 2);
  EXPECT_EQ(backend_->counters().alert_evaluation_errors, 0);

  // A restart with the clock behind the data: everything is recovered,
  // the ids are still known, alerting starts afresh at this time.
  Restart();
  for (const Sent& s : {a, b, late, d, e}) ExpectMinutes(s, true);
  again = Send(d);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->duplicate);
  last_evaluation_ = absl::InfinitePast();
  EXPECT_TRUE(Evaluate().ok());

  // +1 year. New data moves the retention (35 days from the newest data):
  // what came before leaves memory, and late data that old is refused.
  clock_.Advance(absl::Hours(24 * 365));
  const Sent c{"c", clock_.Now() - absl::Minutes(30), 30, false};
  ASSERT_TRUE(Send(c).ok());
  const Sent stale{"stale", kT0, 5, false};
  rejected = Send(stale);
  EXPECT_EQ(rejected.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(rejected.status().message(),
              HasSubstr("older than the retention horizon"));
  ASSERT_TRUE(Evaluate().ok());
  ExpectMinutes(c, true);
  for (const Sent& s : {a, b, late, d, e}) ExpectMinutes(s, false);
  // The year-old ids are past the dedupe horizon (24 h) and their data past
  // the retention: a resend is refused, never counted twice.
  rejected = Send(a);
  EXPECT_EQ(rejected.status().code(), absl::StatusCode::kOutOfRange);
  ExpectMinutes(a, false);

  Restart();
  ExpectMinutes(c, true);
  for (const Sent& s : {a, b, late, d, e}) ExpectMinutes(s, false);
  again = Send(c);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->duplicate);
  last_evaluation_ = absl::InfinitePast();
  EXPECT_TRUE(Evaluate().ok());
}

// Paging after a step back: two hours of good probes, the clock steps back
// an hour, then every probe fails for 15 minutes on the new clock, in
// minutes that already hold a good probe each. The page fires at the next
// evaluation, not an hour later when the clock is past the previous
// evaluation again: the 1h window holds 60 good and 15 failed probes (a
// ratio of 0.2 against a 1 % budget: rate 20, over the page tier's 14.4),
// the 5m window 5 and 5 (rate 50).
TEST_F(ClockJumpTest, AnOutageAfterAStepBackPagesAtOnce) {
  ASSERT_TRUE(Send({"good", kT0 - absl::Hours(2), 120, false}).ok());
  ASSERT_TRUE(Evaluate().ok());
  EXPECT_TRUE(backend_->ActiveAlerts(admin_).empty());

  clock_.Advance(-absl::Hours(1));
  std::vector<NamedProbe> outage;
  for (int k = 15; k >= 1; --k) {
    outage.push_back({"web", "home",
                      absl::ToUnixMillis(clock_.Now() - absl::Minutes(k)),
                      false, 20.0});
  }
  ASSERT_TRUE(backend_->Ingest(admin_, "outage", outage).ok());
  ASSERT_TRUE(Evaluate().ok());
  const std::vector<AlertView> active = backend_->ActiveAlerts(admin_);
  ASSERT_FALSE(active.empty());
  EXPECT_EQ(active[0].severity, "page");
  EXPECT_EQ(active[0].state, AlertState::kFiring);
  EXPECT_EQ(active[0].since, clock_.Now());
  EXPECT_EQ(active[0].evidence.long_counts, (Counts{60, 75}));
  EXPECT_EQ(active[0].evidence.short_counts, (Counts{5, 10}));
  EXPECT_EQ(backend_->counters().clock_steps_back, 1);
}

// The probe scheduler (what feeds `slakit serve` its probe results) on the
// same jumps: a year forward runs the latest slot once and counts the rest
// as skipped (no burst of a year of runs); a step back re-anchors the
// schedule at the new time instead of waiting for the clock to catch up.
class OkChecker final : public probes::Checker {
 public:
  probes::CheckResult Check(const std::atomic<bool>&) override {
    probes::CheckResult r;
    r.outcome = probes::Outcome::kOk;
    return r;
  }
};

TEST(SchedulerClockJumpTest, ForwardSkipsTheGapBackwardReanchors) {
  FakeClock clock(kT0);
  std::vector<probes::ProbeRun> runs;
  probes::SchedulerOptions o;
  o.clock = &clock;
  o.sink = [&runs](probes::ProbeRun run) { runs.push_back(std::move(run)); };
  o.executor = [](std::function<void()> task) { task(); };  // inline
  auto scheduler = probes::Scheduler::Create(std::move(o));
  ASSERT_TRUE(scheduler.ok()) << scheduler.status();
  probes::Scheduler& s = **scheduler;
  probes::ScheduledProbe p;
  p.service = "web";
  p.probe = "home";
  p.interval = absl::Seconds(10);
  p.timeout = absl::Seconds(2);
  p.checker = std::make_unique<OkChecker>();
  ASSERT_TRUE(s.Add(std::move(p)).ok());
  EXPECT_EQ(s.RunDue(), kT0 + absl::Seconds(10));
  ASSERT_EQ(runs.size(), 1u);

  // +1 year: one run, of the slot that has just begun; every slot in
  // between is counted as skipped.
  clock.Advance(absl::Hours(24 * 365));
  const absl::Time year = clock.Now();
  EXPECT_EQ(s.RunDue(), year + absl::Seconds(10));
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[1].slot, year);
  EXPECT_EQ(runs[1].started, year);
  EXPECT_EQ(s.Stats()[0].skipped_late, 365 * 8640 - 1);

  // -1 day: re-anchored at the new time, runs at once.
  clock.Advance(-absl::Hours(24));
  EXPECT_EQ(s.RunDue(), year - absl::Hours(24) + absl::Seconds(10));
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[2].slot, year - absl::Hours(24));

  // -1 hour, the same.
  clock.Advance(-absl::Hours(1));
  const absl::Time back = clock.Now();
  EXPECT_EQ(s.RunDue(), back + absl::Seconds(10));
  ASSERT_EQ(runs.size(), 4u);
  EXPECT_EQ(runs[3].slot, back);

  // Then on time again, every 10 s.
  for (int k = 1; k <= 3; ++k) {
    clock.Set(back + absl::Seconds(10 * k));
    EXPECT_EQ(s.RunDue(), back + absl::Seconds(10 * (k + 1)));
  }
  ASSERT_EQ(runs.size(), 7u);
  const probes::ProbeStats stats = s.Stats()[0];
  EXPECT_EQ(stats.runs, 7);
  EXPECT_EQ(stats.skipped_late, 365 * 8640 - 1);
  EXPECT_EQ(stats.skipped_overlap, 0);
  for (const probes::ProbeRun& r : runs) {
    EXPECT_EQ(r.result.outcome, probes::Outcome::kOk);
  }
}

}  // namespace
}  // namespace sla::server
