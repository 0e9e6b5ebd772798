// Exact-value tests of sla/alerting.h: default burn-rate tiers against the
// reference test vectors, tier evaluation on an engine fed minute by
// minute (firing minute, the equality boundary, the low-traffic guard) and
// the alert lifecycle (for, hysteresis, deduplication, evidence, time
// order). Every expected number carries its hand computation. Time comes
// from a sla::FakeClock; nothing sleeps.

#include "sla/alerting.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sla/clock.h"
#include "sla/engine.h"
#include "sla/objective.h"
#include "sla/window.h"

namespace sla {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// 2024-01-01T00:00:00Z.
const absl::Time kT0 = absl::FromUnixSeconds(1704067200);

int64_t Ms(absl::Time t) { return absl::ToUnixMillis(t); }

// "severity from->to" for compact expectations.
std::string Describe(const AlertEvent& e, absl::Time origin) {
  return absl::StrCat((e.at - origin) / absl::Minutes(1), " ", e.severity, " ",
                      AlertStateName(e.from), "->", AlertStateName(e.to));
}

// ---------------------------------------------------------------- tiers

void ExpectTier(const BurnTier& t, const char* severity, absl::Duration lw,
                absl::Duration sw, double factor) {
  EXPECT_EQ(t.severity, severity);
  EXPECT_EQ(t.long_window, lw);
  EXPECT_EQ(t.short_window, sw);
  EXPECT_EQ(t.factor, factor) << "tier " << DurationToString(lw);
}

// ../shared/reference/test_vectors.json, sloth_default_30d: 14.4, 6, 3, 1
// over 1h/5m, 6h/30m, 1d/2h, 3d/6h. 2 % * 720h / 1h = 14.4, 5 % * 720 / 6
// = 6, 10 % * 720 / 24 = 3, 10 % * 720 / 72 = 1.
TEST(DefaultBurnTiersTest, ThirtyDaysMatchTheWorkbookExactly) {
  std::vector<BurnTier> t = DefaultBurnTiers(absl::Hours(24 * 30)).value();
  ASSERT_EQ(t.size(), 4u);
  ExpectTier(t[0], "page", absl::Hours(1), absl::Minutes(5), 14.4);
  ExpectTier(t[1], "page", absl::Hours(6), absl::Minutes(30), 6.0);
  ExpectTier(t[2], "ticket", absl::Hours(24), absl::Hours(2), 3.0);
  ExpectTier(t[3], "ticket", absl::Hours(72), absl::Hours(6), 1.0);
}

// sloth_default_28d: 2 % * 672 / 1 = 13.44, 5 % * 672 / 6 = 5.6, 10 % *
// 672 / 24 = 2.8, 10 % * 672 / 72 = 14/15, windows as for 30d. Ours are
// the correctly rounded rationals; Sloth's floats (5.6000000000000005,
// 2.8000000000000003) are within an ulp or two.
TEST(DefaultBurnTiersTest, TwentyEightDaysScaleTheFactorsOnly) {
  std::vector<BurnTier> t = DefaultBurnTiers(absl::Hours(24 * 28)).value();
  ASSERT_EQ(t.size(), 4u);
  ExpectTier(t[0], "page", absl::Hours(1), absl::Minutes(5), 13.44);
  ExpectTier(t[1], "page", absl::Hours(6), absl::Minutes(30), 5.6);
  ExpectTier(t[2], "ticket", absl::Hours(24), absl::Hours(2), 2.8);
  ExpectTier(t[3], "ticket", absl::Hours(72), absl::Hours(6), 14.0 / 15.0);
  const double sloth[] = {13.44, 5.6000000000000005, 2.8000000000000003,
                          0.9333333333333333};
  for (int i = 0; i < 4; ++i) EXPECT_DOUBLE_EQ(t[i].factor, sloth[i]);
}

// 7d = 168h: 2 % * 168 = 3.36, 5 % * 168 / 6 = 1.4, 10 % * 168 / 24 = 0.7,
// 10 % * 168 / 72 = 7/30.
TEST(DefaultBurnTiersTest, SevenDays) {
  std::vector<BurnTier> t = DefaultBurnTiers(absl::Hours(24 * 7)).value();
  ASSERT_EQ(t.size(), 4u);
  ExpectTier(t[0], "page", absl::Hours(1), absl::Minutes(5), 3.36);
  ExpectTier(t[1], "page", absl::Hours(6), absl::Minutes(30), 1.4);
  ExpectTier(t[2], "ticket", absl::Hours(24), absl::Hours(2), 0.7);
  ExpectTier(t[3], "ticket", absl::Hours(72), absl::Hours(6), 7.0 / 30.0);
}

TEST(DefaultBurnTiersTest, ShortWindowsDropLongTiersAndCalendarIsNominal) {
  // 2d: the 3d tier is dropped; 2 % * 48 = 0.96, 5 % * 8 = 0.4, 10 % * 2.
  std::vector<BurnTier> t = DefaultBurnTiers(absl::Hours(48)).value();
  ASSERT_EQ(t.size(), 3u);
  ExpectTier(t[2], "ticket", absl::Hours(24), absl::Hours(2), 0.2);
  EXPECT_EQ(t[0].factor, 0.96);
  // 1h keeps the 1h tier only: 2 % * 1 / 1 = 0.02.
  t = DefaultBurnTiers(absl::Hours(1)).value();
  ASSERT_EQ(t.size(), 1u);
  ExpectTier(t[0], "page", absl::Hours(1), absl::Minutes(5), 0.02);
  // Under 1h nothing is left; non-positive windows are rejected.
  absl::Status s = DefaultBurnTiers(absl::Minutes(59)).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("59m"));
  EXPECT_EQ(DefaultBurnTiers(absl::ZeroDuration()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DefaultBurnTiers(absl::InfiniteDuration()).status().code(),
            absl::StatusCode::kInvalidArgument);
  // A calendar month is 30 days, whatever month; a week 7, a day 1.
  t = DefaultBurnTiers(Window::Parse("month@Europe/Paris").value()).value();
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0].factor, 14.4);
  EXPECT_EQ(t[3].factor, 1.0);
  t = DefaultBurnTiers(Window::Parse("week").value()).value();
  EXPECT_EQ(t[0].factor, 3.36);
  t = DefaultBurnTiers(Window::Parse("day").value()).value();
  ASSERT_EQ(t.size(), 3u);  // 3d > 1d dropped; 2 % * 24 = 0.48
  EXPECT_EQ(t[0].factor, 0.48);
  t = DefaultBurnTiers(Window::Parse("28d").value()).value();
  EXPECT_EQ(t[0].factor, 13.44);
}

TEST(ValidateAlertPolicyTest, NamesTheBadTier) {
  AlertPolicy p;
  EXPECT_TRUE(ValidateAlertPolicy(p).ok());  // empty: defaults
  p.tiers = {{"page", absl::Hours(1), absl::Minutes(5), 14.4},
             {"warning", absl::Hours(1), absl::Minutes(5), 1}};
  absl::Status s = ValidateAlertPolicy(p);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("alert tier 1: severity 'warning'"));
  p.tiers[1] = {"ticket", absl::Hours(1), absl::Seconds(90), 1};
  EXPECT_THAT(ValidateAlertPolicy(p).message(), HasSubstr("whole"));
  p.tiers[1] = {"ticket", absl::Minutes(5), absl::Hours(1), 1};
  EXPECT_THAT(ValidateAlertPolicy(p).message(),
              HasSubstr("short window 1h is longer than long window 5m"));
  p.tiers[1] = {"ticket", absl::Hours(1), absl::Minutes(5), 0};
  EXPECT_THAT(ValidateAlertPolicy(p).message(), HasSubstr("factor"));
  p.tiers[1].factor = 1;
  EXPECT_TRUE(ValidateAlertPolicy(p).ok());
  p.min_short_window_events = -1;
  EXPECT_EQ(ValidateAlertPolicy(p).code(), absl::StatusCode::kInvalidArgument);
  p.min_short_window_events = 0;
  p.resolve_after = absl::Minutes(-1);
  EXPECT_EQ(ValidateAlertPolicy(p).code(), absl::StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------- engine

class AlertingTest : public ::testing::Test {
 protected:
  EngineOptions Options() {
    EngineOptions o;
    o.clock = &clock_;
    return o;
  }

  // web/req (event ratio) and objective web/availability over it.
  ObjectiveId AddEventObjective(Engine& e, SliId* sli, double target,
                                const std::string& window) {
    SliSpec s;
    s.service = "web";
    s.name = "req";
    s.kind = SliKind::kEventRatio;
    *sli = e.AddSli(s).value();
    return AddObjective(e, {"req"}, target, window);
  }

  // web/home (one probe result per minute) and web/availability.
  ObjectiveId AddProbeObjective(Engine& e, SliId* sli, double target) {
    SliSpec s;
    s.service = "web";
    s.name = "home";
    *sli = e.AddSli(s).value();
    return AddObjective(e, {"home"}, target, "30d");
  }

  ObjectiveId AddObjective(Engine& e, std::vector<std::string> slis,
                           double target, const std::string& window) {
    ObjectiveSpec o;
    o.service = "web";
    o.name = "availability";
    o.slis = std::move(slis);
    o.target_percent = target;
    o.window = window;
    o.alerting = true;
    return e.AddObjective(o).value();
  }

  // The outage every lifecycle test below shares: 100 events a minute,
  // all good for the 6 hours before kOutage, then 2 bad a minute (2 %
  // errors, a burn rate of 20 against 99.9 %).
  void FeedOutage(Engine& e, SliId sli, int outage_minutes) {
    std::vector<EventCount> batch;
    for (int m = -360; m < outage_minutes; ++m) {
      const int64_t good = m < 0 ? 100 : 98;
      batch.push_back({sli, Ms(kOutage + absl::Minutes(m)), good, 100});
    }
    ASSERT_TRUE(e.IngestEvents(batch).ok());
  }

  // One probe result per minute, minute m relative to `origin`.
  void FeedProbes(Engine& e, SliId sli, absl::Time origin, int from, int to,
                  bool ok) {
    std::vector<ProbeResult> batch;
    for (int m = from; m < to; ++m) {
      batch.push_back({sli, Ms(origin + absl::Minutes(m)) + 30'000, ok, 10});
    }
    ASSERT_TRUE(e.Ingest(batch).ok());
  }

  // Evaluates every minute from origin + from to origin + to (inclusive)
  // and describes the events.
  std::vector<std::string> Run(AlertTracker& tracker, const Engine& e,
                               ObjectiveId id, absl::Time origin, int from,
                               int to) {
    std::vector<std::string> out;
    for (int n = from; n <= to; ++n) {
      absl::StatusOr<std::vector<AlertEvent>> events =
          tracker.Evaluate(e, id, origin + absl::Minutes(n));
      EXPECT_TRUE(events.ok()) << events.status();
      if (!events.ok()) break;
      for (const AlertEvent& ev : *events) out.push_back(Describe(ev, origin));
    }
    return out;
  }

  const absl::Time kOutage = kT0 + absl::Hours(24);
  FakeClock clock_{kT0 + absl::Hours(24 * 30)};
};

// At kOutage + n minutes (n <= 60), with the 30d 99.9 % defaults:
//   page 1h/5m (14.4): 1h holds 2n bad of 6000, rate (2n / 6000) / 0.001
//     = n / 3: 43 -> 14.33 (no), 44 -> 14.67 (yes); 5m holds 500 events,
//     2 bad a minute: rate 20 from n = 5 on. Fires at n = 44.
//   ticket 3d/6h (1): 3d holds only the (360 + n) minutes fed, rate
//     20n / (360 + n) > 1 from n = 19 (18.95); 6h: 2n bad of 36000, n / 18
//     > 1 from n = 19 (n = 18 is exactly 1: no). Fires at n = 19.
//   ticket 1d/2h (3): 20n / (360 + n) > 3 from n = 64; page 6h/30m (6): n
//     / 18 > 6 from n = 109. Both later: the alerts are already firing.
TEST_F(AlertingTest, PageFiresAtTheMinuteBothWindowsExceedTheFactor) {
  Engine e(Options());
  SliId sli;
  const ObjectiveId id = AddEventObjective(e, &sli, 99.9, "30d");
  FeedOutage(e, sli, 120);
  AlertTracker tracker;  // defaults: 30d tiers, for 0, resolve after 5m
  EXPECT_THAT(
      Run(tracker, e, id, kOutage, 0, 120),
      ElementsAre("19 ticket inactive->firing", "44 page inactive->firing"));

  // One minute earlier the 1h window is just under: 43 / 3 < 14.4.
  std::vector<TierEvaluation> t =
      EvaluateBurnTiers(e, id, kOutage + absl::Minutes(43), AlertPolicy())
          .value();
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0].long_rate, 43.0 / 3.0);
  EXPECT_EQ(t[0].short_rate, 20.0);
  EXPECT_FALSE(t[0].condition);
  t = EvaluateBurnTiers(e, id, kOutage + absl::Minutes(44), AlertPolicy())
          .value();
  EXPECT_EQ(t[0].long_rate, 44.0 / 3.0);
  EXPECT_EQ(t[0].long_counts, (Counts{6000 - 88, 6000}));
  EXPECT_EQ(t[0].short_counts, (Counts{490, 500}));
  EXPECT_TRUE(t[0].condition);
  EXPECT_TRUE(t[0].alerting());
  EXPECT_FALSE(t[1].condition);  // 6h: 44 / 18 = 2.44

  // Deduplicated: both firing, once each; Active lists page then ticket.
  std::vector<ActiveAlert> active = tracker.Active();
  ASSERT_EQ(active.size(), 2u);
  EXPECT_EQ(active[0].severity, "page");
  EXPECT_EQ(active[0].state, AlertState::kFiring);
  EXPECT_EQ(active[0].since, kOutage + absl::Minutes(44));
  EXPECT_EQ(active[0].evidence.tier.long_window, absl::Hours(1));
  EXPECT_EQ(active[1].severity, "ticket");
  EXPECT_EQ(active[1].since, kOutage + absl::Minutes(19));
  EXPECT_EQ(active[1].evidence.tier.long_window, absl::Hours(72));
}

TEST_F(AlertingTest, EventsCarryTheirEvidence) {
  Engine e(Options());
  SliId sli;
  const ObjectiveId id = AddEventObjective(e, &sli, 99.9, "30d");
  FeedOutage(e, sli, 60);
  AlertTracker tracker;
  ASSERT_THAT(Run(tracker, e, id, kOutage, 0, 43), ElementsAre(testing::_));
  std::vector<AlertEvent> ev =
      tracker.Evaluate(e, id, kOutage + absl::Minutes(44)).value();
  ASSERT_EQ(ev.size(), 1u);
  const AlertEvent& a = ev[0];
  EXPECT_EQ(a.id, id);
  EXPECT_EQ(a.service, "web");
  EXPECT_EQ(a.objective, "availability");
  EXPECT_EQ(a.severity, "page");
  EXPECT_EQ(a.from, AlertState::kInactive);
  EXPECT_EQ(a.to, AlertState::kFiring);
  EXPECT_EQ(a.at, kOutage + absl::Minutes(44));
  EXPECT_EQ(a.evidence.tier.factor, 14.4);
  EXPECT_EQ(a.evidence.tier.long_window, absl::Hours(1));
  EXPECT_EQ(a.evidence.tier.short_window, absl::Minutes(5));
  EXPECT_EQ(a.evidence.long_rate, 44.0 / 3.0);
  EXPECT_EQ(a.evidence.short_rate, 20.0);
  EXPECT_EQ(a.evidence.long_counts, (Counts{5912, 6000}));
  EXPECT_EQ(a.evidence.short_counts, (Counts{490, 500}));
  EXPECT_TRUE(a.evidence.condition);
  EXPECT_FALSE(a.evidence.suppressed);
  // Budget: 30d holds (360 + 44) * 100 = 40400 events, 88 bad, allowed
  // 40.4: remaining = 1 - 88 / 40.4 = -1.1782...
  EXPECT_NEAR(a.budget_remaining, 1 - 88 / 40.4, 1e-12);
  EXPECT_EQ(a.budget_remaining, e.Evaluate(id, a.at).value().budget.remaining);
}

// A rate exactly equal to the factor is not over it. Page 6h/30m at n =
// 108: 216 bad of 36000 = 0.006, rate exactly 6.0 (the 30m window burns
// at 20). At n = 109 it is 218 / 36 = 6.06.
TEST_F(AlertingTest, RateEqualToTheFactorDoesNotFire) {
  Engine e(Options());
  SliId sli;
  const ObjectiveId id = AddEventObjective(e, &sli, 99.9, "30d");
  FeedOutage(e, sli, 120);
  std::vector<TierEvaluation> t =
      EvaluateBurnTiers(e, id, kOutage + absl::Minutes(108), AlertPolicy())
          .value();
  EXPECT_EQ(t[1].tier.factor, 6.0);
  EXPECT_EQ(t[1].long_rate, 6.0);
  EXPECT_EQ(t[1].long_counts, (Counts{36000 - 216, 36000}));
  EXPECT_EQ(t[1].short_rate, 20.0);
  EXPECT_FALSE(t[1].condition);
  t = EvaluateBurnTiers(e, id, kOutage + absl::Minutes(109), AlertPolicy())
          .value();
  EXPECT_TRUE(t[1].condition);
}

// The same at 14.4: 864 bad of 60000 in the hour is exactly 0.0144 (the
// last 5 minutes hold all of them: 864 / 5000, rate 172.8). One more bad
// event (865 of 60001, rate 14.416) fires.
TEST_F(AlertingTest, RateExactlyFourteenPointFourDoesNotPage) {
  Engine e(Options());
  SliId sli;
  const ObjectiveId id = AddEventObjective(e, &sli, 99.9, "30d");
  std::vector<EventCount> batch;
  const int64_t bad[] = {173, 173, 173, 173, 172};
  for (int m = 0; m < 60; ++m) {
    const int64_t b = m < 55 ? 0 : bad[m - 55];
    batch.push_back({sli, Ms(kOutage + absl::Minutes(m)), 1000 - b, 1000});
  }
  ASSERT_TRUE(e.IngestEvents(batch).ok());
  const absl::Time at = kOutage + absl::Hours(1);
  AlertPolicy page;
  page.tiers = {DefaultBurnTiers(absl::Hours(720)).value()[0]};
  std::vector<TierEvaluation> t = EvaluateBurnTiers(e, id, at, page).value();
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].long_counts, (Counts{60000 - 864, 60000}));
  EXPECT_EQ(t[0].long_rate, 14.4);
  EXPECT_EQ(t[0].short_rate, 172.8);
  EXPECT_FALSE(t[0].condition);
  AlertTracker tracker(page);
  EXPECT_THAT(tracker.Evaluate(e, id, at).value(), IsEmpty());

  ASSERT_TRUE(
      e.IngestEvents({{sli, Ms(kOutage + absl::Minutes(59)), 0, 1}}).ok());
  t = EvaluateBurnTiers(e, id, at, page).value();
  EXPECT_GT(t[0].long_rate, 14.4);
  EXPECT_TRUE(t[0].condition);
  std::vector<AlertEvent> ev = tracker.Evaluate(e, id, at).value();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].to, AlertState::kFiring);
}

// One probe a minute: 2h good, then 3 failures. At origin + 3: page 1h/5m:
// 5m holds 5 results, 3 bad (rate 600), 1h 3 of 60 (rate 50): the
// condition holds but 5 < 10 events. Ticket 1d/2h: 3 of 123 (24.4) and 3
// of 120 (25) > 3: not guarded, fires.
TEST_F(AlertingTest, LowTrafficGuardSuppressesPagesWithItsReason) {
  Engine e(Options());
  SliId sli;
  const ObjectiveId id = AddProbeObjective(e, &sli, 99.9);
  FeedProbes(e, sli, kOutage, -120, 0, true);
  FeedProbes(e, sli, kOutage, 0, 3, false);
  const std::vector<BurnTier> d = DefaultBurnTiers(absl::Hours(720)).value();
  AlertPolicy policy;
  policy.tiers = {d[0], d[2]};
  policy.min_short_window_events = 10;
  const absl::Time at = kOutage + absl::Minutes(3);

  std::vector<TierEvaluation> t = EvaluateBurnTiers(e, id, at, policy).value();
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].short_counts, (Counts{2, 5}));
  EXPECT_EQ(t[0].short_rate, 600.0);
  EXPECT_EQ(t[0].long_rate, 50.0);
  EXPECT_TRUE(t[0].condition);
  EXPECT_TRUE(t[0].suppressed);
  EXPECT_FALSE(t[0].alerting());
  EXPECT_EQ(t[0].reason,
            "short window 5m holds 5 events < 10 (low-traffic guard)");
  EXPECT_TRUE(t[1].alerting());  // tickets are not guarded
  EXPECT_FALSE(t[1].suppressed);
  EXPECT_EQ(t[1].reason, "");

  AlertTracker tracker(policy);
  std::vector<AlertEvent> ev = tracker.Evaluate(e, id, at).value();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].severity, "ticket");
  // The suppression is on record.
  EXPECT_EQ(tracker.LastEvaluation(id).value()[0].reason, t[0].reason);

  // "Fewer than": 5 events against a guard of 5 pages.
  policy.min_short_window_events = 5;
  AlertTracker five(policy);
  ev = five.Evaluate(e, id, at).value();
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].severity, "page");
  EXPECT_EQ(ev[0].to, AlertState::kFiring);
}

// for 10m: each alert is pending from the minute its condition first holds
// (ticket 19, page 44, see above) and fires 10 minutes later, not 9.
TEST_F(AlertingTest, ForDurationDelaysFiringExactly) {
  Engine e(Options());
  SliId sli;
  const ObjectiveId id = AddEventObjective(e, &sli, 99.9, "30d");
  FeedOutage(e, sli, 120);
  AlertPolicy policy;
  policy.for_duration = absl::Minutes(10);
  AlertTracker tracker(policy);
  EXPECT_THAT(
      Run(tracker, e, id, kOutage, 0, 53),
      ElementsAre("19 ticket inactive->pending", "29 ticket pending->firing",
                  "44 page inactive->pending"));
  std::vector<ActiveAlert> active = tracker.Active();
  ASSERT_EQ(active.size(), 2u);
  EXPECT_EQ(active[0].state, AlertState::kPending);
  EXPECT_EQ(active[0].since, kOutage + absl::Minutes(44));
  EXPECT_THAT(Run(tracker, e, id, kOutage, 54, 54),
              ElementsAre("54 page pending->firing"));
}

// Target 90 % (budget 0.1), one probe a minute, 30 good minutes, then an
// outage from minute 0 to 19 except a good probe in minute 12, then good
// again, and one bad probe in minute 30. Tier: page, 10m/1m, factor 5.
// At origin + n: the 1m window is minute n - 1 (rate 10 when bad, 0 when
// good); the 10m window's rate is its number of bad minutes.
//   n = 6: 6 bad in 10m: fires.  n = 13: minute 12 good: condition false
//   (one evaluation only: n = 14 has minutes 4..13, 9 bad, and minute 13
//   bad).  n = 21..: 1m good, false from 21 on.  n = 31: 1m bad (10), but
//   10m holds 1 bad: 1 < 5.
class HysteresisTest : public AlertingTest {
 protected:
  void SetUp() override {
    id_ = AddProbeObjective(e_, &sli_, 90);
    FeedProbes(e_, sli_, kOutage, -30, 0, true);
    FeedProbes(e_, sli_, kOutage, 0, 12, false);
    FeedProbes(e_, sli_, kOutage, 12, 13, true);
    FeedProbes(e_, sli_, kOutage, 13, 20, false);
    FeedProbes(e_, sli_, kOutage, 20, 30, true);
    FeedProbes(e_, sli_, kOutage, 30, 31, false);
    FeedProbes(e_, sli_, kOutage, 31, 45, true);
  }
  AlertPolicy Policy(absl::Duration for_duration,
                     absl::Duration resolve_after) {
    AlertPolicy p;
    p.tiers = {{"page", absl::Minutes(10), absl::Minutes(1), 5}};
    p.for_duration = for_duration;
    p.resolve_after = resolve_after;
    return p;
  }
  Engine e_{Options()};
  SliId sli_ = 0;
  ObjectiveId id_ = 0;
};

TEST_F(HysteresisTest, OneGoodProbeDoesNotResolveOneBadProbeDoesNotRefire) {
  AlertTracker tracker(Policy(absl::ZeroDuration(), absl::Minutes(5)));
  // False from 21 on: resolved at 26 (5 minutes later), not 25.
  EXPECT_THAT(
      Run(tracker, e_, id_, kOutage, 0, 44),
      ElementsAre("6 page inactive->firing", "26 page firing->resolved"));
  std::vector<TierEvaluation> last = tracker.LastEvaluation(id_).value();
  EXPECT_EQ(last[0].long_rate, 0.0);  // minutes 34..43 all good
  EXPECT_THAT(tracker.Active(), IsEmpty());
}

// The same data without hysteresis flaps on the single good probe: the
// policy's resolve_after is what the test above exercises.
TEST_F(HysteresisTest, WithoutHysteresisOneGoodProbeFlaps) {
  AlertTracker tracker(Policy(absl::ZeroDuration(), absl::ZeroDuration()));
  EXPECT_THAT(
      Run(tracker, e_, id_, kOutage, 0, 44),
      ElementsAre("6 page inactive->firing", "13 page firing->resolved",
                  "14 page resolved->firing", "21 page firing->resolved"));
}

// A pending alert that loses its condition goes back to inactive, with an
// event, and its `for` clock restarts: pending at 6, inactive at 13,
// pending at 14, inactive at 21 (it would have fired at 24).
TEST_F(HysteresisTest, PendingThatLosesItsConditionReturnsToInactive) {
  AlertTracker tracker(Policy(absl::Minutes(10), absl::Minutes(5)));
  EXPECT_THAT(
      Run(tracker, e_, id_, kOutage, 0, 44),
      ElementsAre("6 page inactive->pending", "13 page pending->inactive",
                  "14 page inactive->pending", "21 page pending->inactive"));
}

TEST_F(HysteresisTest, ResolutionCitesTheTierEvaluatedNow) {
  AlertTracker tracker(Policy(absl::ZeroDuration(), absl::Minutes(5)));
  ASSERT_THAT(Run(tracker, e_, id_, kOutage, 0, 25), ElementsAre(testing::_));
  std::vector<AlertEvent> ev =
      tracker.Evaluate(e_, id_, kOutage + absl::Minutes(26)).value();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].to, AlertState::kResolved);
  // 10m = minutes 16..25: 16..19 bad: rate (4/10) / 0.1 = 4; 1m good: 0.
  EXPECT_EQ(ev[0].evidence.long_rate, 4.0);
  EXPECT_EQ(ev[0].evidence.long_counts, (Counts{6, 10}));
  EXPECT_EQ(ev[0].evidence.short_rate, 0.0);
  EXPECT_FALSE(ev[0].evidence.condition);
}

TEST_F(HysteresisTest, TimeMustNotGoBackwards) {
  AlertTracker tracker(Policy(absl::ZeroDuration(), absl::Minutes(5)));
  const absl::Time t10 = kOutage + absl::Minutes(10);
  ASSERT_EQ(tracker.Evaluate(e_, id_, t10).value().size(), 1u);  // fires
  absl::StatusOr<std::vector<AlertEvent>> back =
      tracker.Evaluate(e_, id_, t10 - absl::Seconds(1));
  EXPECT_EQ(back.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(back.status().message(),
              HasSubstr("objective 'web/availability'"));
  EXPECT_THAT(back.status().message(), HasSubstr("earlier"));
  // Nothing changed; the same time again is fine.
  EXPECT_THAT(tracker.Evaluate(e_, id_, t10).value(), IsEmpty());
  ASSERT_EQ(tracker.Active().size(), 1u);
  EXPECT_EQ(tracker.Active()[0].since, t10);
}

TEST_F(AlertingTest, ErrorsAndPerObjectivePolicies) {
  Engine e(Options());
  SliId sli;
  const ObjectiveId id = AddEventObjective(e, &sli, 99.9, "30d");
  AlertTracker tracker;
  EXPECT_EQ(tracker.Evaluate(e, id + 1, kOutage).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(
      EvaluateBurnTiers(e, id + 1, kOutage, AlertPolicy()).status().code(),
      absl::StatusCode::kNotFound);
  EXPECT_EQ(tracker.LastEvaluation(id).status().code(),
            absl::StatusCode::kNotFound);

  AlertPolicy bad;
  bad.tiers = {{"page", absl::Hours(1), absl::Minutes(5), -1}};
  EXPECT_EQ(tracker.SetPolicy(id, bad).code(),
            absl::StatusCode::kInvalidArgument);
  AlertTracker bad_default(bad);
  absl::Status s = bad_default.Evaluate(e, id, kOutage).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("objective 'web/availability'"));

  // Custom tiers for this objective only.
  AlertPolicy custom;
  custom.tiers = {{"ticket", absl::Hours(2), absl::Minutes(10), 2}};
  ASSERT_TRUE(tracker.SetPolicy(id, custom).ok());
  ASSERT_TRUE(tracker.Evaluate(e, id, kOutage).ok());
  std::vector<TierEvaluation> last = tracker.LastEvaluation(id).value();
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].tier.factor, 2.0);
  EXPECT_EQ(tracker.SetPolicy(id, AlertPolicy()).code(),
            absl::StatusCode::kFailedPrecondition);

  // A 28d objective gets 28d defaults.
  const ObjectiveId o28 = e.AddObjective([] {
                             ObjectiveSpec o;
                             o.service = "web";
                             o.name = "four-weeks";
                             o.slis = {"req"};
                             o.window = "28d";
                             return o;
                           }())
                              .value();
  ASSERT_TRUE(tracker.Evaluate(e, o28, kOutage).ok());
  EXPECT_EQ(tracker.LastEvaluation(o28).value()[0].tier.factor, 13.44);
}

}  // namespace
}  // namespace sla

namespace sla {
namespace {

TEST(AlertTrackerForgetTest, ForgettingResolvesFiringAndClearsPending) {
  FakeClock clock(absl::FromUnixSeconds(1710072000));
  EngineOptions eo;
  eo.clock = &clock;
  Engine engine(eo);
  const SliId sli = engine.AddSli({"web", "home"}).value();
  ObjectiveSpec spec;
  spec.service = "web";
  spec.name = "availability";
  spec.target_percent = 99;
  const ObjectiveId id = engine.AddObjective(spec).value();
  const absl::Time at = clock.Now();
  std::vector<ProbeResult> batch;
  for (int i = 60; i >= 1; --i) {
    batch.push_back({sli, absl::ToUnixMillis(at - absl::Minutes(i)), false, 1});
  }
  ASSERT_TRUE(engine.Ingest(batch).ok());
  AlertPolicy policy;
  policy.for_duration = absl::Minutes(10);  // the ticket stays pending
  AlertTracker tracker(policy);
  // Page 1h/5m (rate 100): pending; nothing fires before `for` elapses.
  ASSERT_TRUE(tracker.Evaluate(engine, id, at).ok());
  ASSERT_EQ(tracker.Active().size(), 2u);
  std::vector<AlertEvent> gone = tracker.Forget(id, at + absl::Minutes(1));
  ASSERT_EQ(gone.size(), 2u);
  EXPECT_EQ(gone[0].severity, "page");
  EXPECT_EQ(gone[0].from, AlertState::kPending);
  EXPECT_EQ(gone[0].to, AlertState::kInactive);
  EXPECT_EQ(gone[0].at, at + absl::Minutes(1));
  EXPECT_TRUE(tracker.Active().empty());
  EXPECT_TRUE(tracker.Forget(id, at).empty());  // already forgotten

  AlertTracker now(AlertPolicy{});  // for 0: fires at once
  ASSERT_TRUE(now.Evaluate(engine, id, at).ok());
  gone = now.Forget(id, at);
  ASSERT_EQ(gone.size(), 2u);
  EXPECT_EQ(gone[0].from, AlertState::kFiring);
  EXPECT_EQ(gone[0].to, AlertState::kResolved);
  EXPECT_GT(gone[0].evidence.long_rate, 14.4);
  // A forgotten objective can be evaluated afresh.
  ASSERT_TRUE(now.Evaluate(engine, id, at).ok());
  EXPECT_EQ(now.Active().size(), 2u);
}

// ------------------------------------- counts from the caller, Advance

// Counts the caller supplies are turned into rates by sla::BurnRate, with
// the engine path's strict comparison and guard. Against 99 %: 1h holds
// 30 bad of 200 -> 30 * 100 / 200 = 15 > 14.4; 5m 3 of 20 -> 15. A 5m
// window of 144 bad in 1000 is exactly 14.4 and does not page.
TEST(EvaluateBurnTiersFromCountsTest, ExactRatesGuardAndWindowsAskedOnce) {
  const Target target = Target::FromPercent(99).value();
  const std::vector<BurnTier> tiers =
      DefaultBurnTiers(absl::Hours(24 * 30)).value();
  std::vector<absl::Duration> asked;
  absl::flat_hash_map<int64_t, Counts> by_minutes = {
      {60, {170, 200}},    {5, {17, 20}},        {360, {1000, 1000}},
      {30, {100, 100}},    {1440, {4000, 4000}}, {120, {400, 400}},
      {4320, {9000, 9000}}};
  auto counts = [&](absl::Duration w) -> absl::StatusOr<Counts> {
    asked.push_back(w);
    return by_minutes.at(w / absl::Minutes(1));
  };
  absl::StatusOr<std::vector<TierEvaluation>> e =
      EvaluateBurnTiersFromCounts(tiers, target, 0, counts);
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_EQ(e->size(), 4u);
  EXPECT_EQ((*e)[0].long_rate, 15.0);
  EXPECT_EQ((*e)[0].short_rate, 15.0);
  EXPECT_EQ((*e)[0].long_counts, (Counts{170, 200}));
  EXPECT_TRUE((*e)[0].alerting());
  EXPECT_EQ((*e)[0].top_component, "");
  EXPECT_FALSE((*e)[1].condition);  // no bad minute: rate 0
  // Each distinct window once, a tier's long before its short.
  EXPECT_THAT(asked,
              ElementsAre(absl::Hours(1), absl::Minutes(5), absl::Hours(6),
                          absl::Minutes(30), absl::Hours(24), absl::Hours(2),
                          absl::Hours(72)));
  // The guard: 20 events in the 5m window < 21.
  e = EvaluateBurnTiersFromCounts(tiers, target, 21, counts);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE((*e)[0].suppressed);
  EXPECT_EQ((*e)[0].reason,
            "short window 5m holds 20 events < 21 (low-traffic guard)");
  // Equality is not over the line: 144 bad of 1000 is a rate of 14.4.
  by_minutes[60] = {856, 1000};
  by_minutes[5] = {856, 1000};
  e = EvaluateBurnTiersFromCounts(tiers, target, 0, counts);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)[0].long_rate, 14.4);
  EXPECT_FALSE((*e)[0].condition);
  // Errors: a bad tier, a negative guard, the caller's own.
  std::vector<BurnTier> bad = tiers;
  bad[1].factor = 0;
  EXPECT_THAT(
      EvaluateBurnTiersFromCounts(bad, target, 0, counts).status().message(),
      HasSubstr("alert tier 1: factor 0"));
  EXPECT_EQ(
      EvaluateBurnTiersFromCounts(tiers, target, -1, counts).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      EvaluateBurnTiersFromCounts(tiers, target, 0,
                                  [](absl::Duration) -> absl::StatusOr<Counts> {
                                    return absl::NotFoundError("no data");
                                  })
          .status()
          .code(),
      absl::StatusCode::kNotFound);
}

// One page tier and one ticket tier, evaluated by hand.
std::vector<TierEvaluation> Evaluation(bool page, bool ticket,
                                       const std::string& top = "sql") {
  std::vector<TierEvaluation> e(2);
  e[0].tier = BurnTier{"page", absl::Hours(1), absl::Minutes(5), 14.4};
  e[1].tier = BurnTier{"ticket", absl::Hours(24), absl::Hours(2), 3};
  e[0].condition = page;
  e[1].condition = ticket;
  e[0].long_rate = page ? 500 : 0;
  for (TierEvaluation& t : e) {
    t.top_component = top;
    t.top_component_minutes = 30;
  }
  return e;
}

// The lifecycle alone, for a caller that evaluates (an application's
// objective): `for` 2m and resolve_after 5m on a fake clock, exactly as
// Evaluate drives them.
TEST(AlertTrackerAdvanceTest, LifecycleWithForAndHysteresis) {
  FakeClock clock(kT0);
  AlertPolicy policy;
  policy.for_duration = absl::Minutes(2);
  policy.resolve_after = absl::Minutes(5);
  AlertTracker tracker(policy);
  std::vector<std::string> seen;
  auto step = [&](bool page, bool ticket, double budget) {
    absl::StatusOr<std::vector<AlertEvent>> events =
        tracker.Advance(7, "shop", "availability", Evaluation(page, ticket),
                        budget, clock.Now());
    ASSERT_TRUE(events.ok()) << events.status();
    for (const AlertEvent& e : *events) {
      EXPECT_EQ(e.id, 7u);
      EXPECT_EQ(e.service, "shop");
      EXPECT_EQ(e.objective, "availability");
      EXPECT_EQ(e.budget_remaining, budget);
      EXPECT_EQ(e.evidence.top_component, "sql");
      seen.push_back(Describe(e, kT0));
    }
    clock.Advance(absl::Minutes(1));
  };
  step(true, false, 0.9);  // 0: page pending
  step(true, false, 0.9);  // 1: pending 1m < 2m
  step(true, true, 0.8);   // 2: page fires; ticket pending
  step(false, true, 0.8);  // 3: page false since 3
  step(true, false, 0.8);  // 4: page true again; ticket back to inactive
  for (int m = 5; m <= 9; ++m) step(false, false, 0.7);  // false since 5
  step(false, false, 0.7);  // 10: 10 - 5 >= 5: resolved
  EXPECT_THAT(
      seen,
      ElementsAre("0 page inactive->pending", "2 page pending->firing",
                  "2 ticket inactive->pending", "4 ticket pending->inactive",
                  "10 page firing->resolved"));
  absl::StatusOr<std::vector<TierEvaluation>> last = tracker.LastEvaluation(7);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ((*last)[0].top_component, "sql");

  // Active() carries the key, the names and the evidence.
  ASSERT_TRUE(tracker
                  .Advance(7, "shop", "availability", Evaluation(true, false),
                           0.5, clock.Now())
                  .ok());
  std::vector<ActiveAlert> active = tracker.Active();
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].id, 7u);
  EXPECT_EQ(active[0].service, "shop");
  EXPECT_EQ(active[0].state, AlertState::kPending);
  EXPECT_EQ(active[0].evidence.top_component, "sql");
  // Forget resolves what is active, as for an engine objective.
  std::vector<AlertEvent> gone = tracker.Forget(7, clock.Now());
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].to, AlertState::kInactive);
}

// The clock steps back an hour while the page alert is pending, and half
// an hour while it is resolving: with ShiftTimes the alert keeps what it
// had spent (3 of its 5 pending minutes, 2 of its 5 resolving minutes)
// and goes on at the new clock's times; without it every evaluation until
// the clock is back is refused.
TEST(AlertTrackerShiftTimesTest, StepBackKeepsPendingAndResolvingTime) {
  AlertPolicy policy;
  policy.for_duration = absl::Minutes(5);
  policy.resolve_after = absl::Minutes(5);
  AlertTracker tracker(policy);
  const absl::Time origin = kT0 - absl::Hours(2);  // minutes below from it
  std::vector<std::string> seen;
  auto eval = [&](int minute, bool page) -> absl::Status {
    absl::StatusOr<std::vector<AlertEvent>> events =
        tracker.Advance(3, "web", "availability", Evaluation(page, false), 0.5,
                        origin + absl::Minutes(minute));
    if (!events.ok()) return events.status();
    for (const AlertEvent& e : *events) seen.push_back(Describe(e, origin));
    return absl::OkStatus();
  };
  // 120 = kT0: pending from 120; 3 minutes spent at 123.
  for (int m = 120; m <= 123; ++m) ASSERT_TRUE(eval(m, true).ok());
  EXPECT_THAT(seen, ElementsAre("120 page inactive->pending"));
  // Back to 64 (an hour less one minute): refused until shifted.
  const absl::Status refused = eval(64, true);
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument) << refused;
  tracker.ShiftTimes(absl::Minutes(64 - 123));
  ASSERT_EQ(tracker.Active().size(), 1u);
  EXPECT_EQ(tracker.Active()[0].since, origin + absl::Minutes(61));
  for (int m = 64; m <= 66; ++m) ASSERT_TRUE(eval(m, true).ok());
  // 66 - 61 = 5 minutes pending: fires at 66. 64 stands for 123 (the
  // minute between the last evaluation and the step is not counted), so
  // 66 is the 125 of a clock that never stepped.
  EXPECT_THAT(seen, ElementsAre("120 page inactive->pending",
                                "66 page pending->firing"));
  // False from 67; 2 minutes into resolve_after at 69, then back 30.
  for (int m = 67; m <= 69; ++m) ASSERT_TRUE(eval(m, false).ok());
  tracker.ShiftTimes(absl::Minutes(-30));
  for (int m = 39; m <= 41; ++m) ASSERT_TRUE(eval(m, false).ok());
  EXPECT_EQ(seen.size(), 2u) << "resolved too early";
  ASSERT_TRUE(eval(42, false).ok());  // 42 - 37 = 5 minutes false
  EXPECT_THAT(
      seen, ElementsAre("120 page inactive->pending", "66 page pending->firing",
                        "42 page firing->resolved"));
  // A tracker that never evaluated anything shifts without harm.
  AlertTracker fresh;
  fresh.ShiftTimes(absl::Hours(-1));
  EXPECT_THAT(fresh.Active(), IsEmpty());
}

TEST(AlertTrackerAdvanceTest, RejectsBadInputAndChangesNothing) {
  AlertTracker tracker;
  // Empty, or a severity the tracker does not know.
  EXPECT_EQ(tracker.Advance(0, "shop", "a", {}, 1, kT0).status().code(),
            absl::StatusCode::kInvalidArgument);
  std::vector<TierEvaluation> odd = Evaluation(true, false);
  odd[0].tier.severity = "forecast";
  EXPECT_THAT(tracker.Advance(0, "shop", "a", odd, 1, kT0).status().message(),
              HasSubstr("objective 'shop/a': severity 'forecast'"));
  // The first good call fixes the tiers; fires the page (for 0).
  absl::StatusOr<std::vector<AlertEvent>> e =
      tracker.Advance(0, "shop", "a", Evaluation(true, false), 1, kT0);
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_EQ(e->size(), 1u);
  // Other tiers, or time going back: InvalidArgument, state unchanged.
  std::vector<TierEvaluation> three = Evaluation(false, false);
  three.push_back(three[1]);
  EXPECT_THAT(tracker.Advance(0, "shop", "a", three, 1, kT0 + absl::Minutes(1))
                  .status()
                  .message(),
              HasSubstr("3 tiers or other severities"));
  std::vector<TierEvaluation> swapped = Evaluation(false, false);
  std::swap(swapped[0], swapped[1]);
  EXPECT_EQ(tracker.Advance(0, "shop", "a", swapped, 1, kT0 + absl::Minutes(1))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(tracker
                  .Advance(0, "shop", "a", Evaluation(false, false), 1,
                           kT0 - absl::Minutes(1))
                  .status()
                  .message(),
              HasSubstr("earlier than the previous evaluation"));
  ASSERT_EQ(tracker.Active().size(), 1u);
  EXPECT_EQ(tracker.Active()[0].state, AlertState::kFiring);

  // A key of Advance is not an engine objective, and the other way round.
  FakeClock clock(kT0);
  EngineOptions options;
  options.clock = &clock;
  Engine engine(options);
  SliSpec sli;
  sli.service = "web";
  sli.name = "home";
  ASSERT_TRUE(engine.AddSli(sli).ok());
  ObjectiveSpec spec;
  spec.service = "web";
  spec.name = "availability";
  const ObjectiveId id = engine.AddObjective(spec).value();  // 0
  EXPECT_EQ(tracker.Evaluate(engine, id, kT0).status().code(),
            absl::StatusCode::kFailedPrecondition);
  AlertTracker engine_tracker;
  ASSERT_TRUE(engine_tracker.Evaluate(engine, id, kT0).ok());
  EXPECT_EQ(
      engine_tracker
          .Advance(id, "web", "availability", Evaluation(true, false), 1, kT0)
          .status()
          .code(),
      absl::StatusCode::kFailedPrecondition);
  // A policy set before the first call applies to the key.
  AlertPolicy later;
  later.for_duration = absl::Minutes(1);
  ASSERT_TRUE(engine_tracker.SetPolicy(5, later).ok());
  e = engine_tracker.Advance(5, "shop", "b", Evaluation(true, false), 1, kT0);
  ASSERT_TRUE(e.ok());
  ASSERT_EQ(e->size(), 1u);
  EXPECT_EQ((*e)[0].to, AlertState::kPending);
}

// The stateless path caches the default tiers per window length: objectives
// of different windows in one thread still get their own tiers.
TEST_F(AlertingTest, StatelessDefaultsFollowEachObjectivesWindow) {
  Engine engine(Options());
  SliId sli;
  AddProbeObjective(engine, &sli, 99);  // 30d
  ObjectiveSpec week;
  week.service = "web";
  week.name = "weekly";
  week.window = "7d";
  const ObjectiveId w = engine.AddObjective(week).value();
  ObjectiveSpec month = week;
  month.name = "monthly";
  month.window = "month@Europe/Paris";
  const ObjectiveId m = engine.AddObjective(month).value();
  for (int round = 0; round < 2; ++round) {
    absl::StatusOr<std::vector<TierEvaluation>> a =
        EvaluateBurnTiers(engine, w, clock_.Now(), AlertPolicy());
    absl::StatusOr<std::vector<TierEvaluation>> b =
        EvaluateBurnTiers(engine, m, clock_.Now(), AlertPolicy());
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ((*a)[0].tier.factor, 3.36);  // 2 % * 168h / 1h
    EXPECT_EQ((*b)[0].tier.factor, 14.4);  // a month is 30 days
  }
  ObjectiveSpec short_window = week;
  short_window.name = "short";
  short_window.window = "30m";
  const ObjectiveId s = engine.AddObjective(short_window).value();
  absl::Status st =
      EvaluateBurnTiers(engine, s, clock_.Now(), AlertPolicy()).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("objective 'web/short': SLO window 30m"));
  EXPECT_EQ(EvaluateBurnTiers(engine, 999, clock_.Now(), AlertPolicy())
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace sla
