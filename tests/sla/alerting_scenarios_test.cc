// Scenario tests of sla/alerting.h on generated traffic: background probes
// from the synthetic workload generator (probes/synthetic.h) with an
// incident written over them, evaluated with the default 30d tiers at fixed
// times (EvaluateBurnTiers) and replayed minute by minute through an
// AlertTracker driven by a sla::FakeClock. Every expected minute and rate is
// derived below from the integer counts ingested; nothing sleeps.
//
// Background: svc-000 with 4 probes p00..p03, one result per probe per
// minute, 5 days from 2024-01-01T00:00:00Z, seed 908, tail incidents off.
// The seed was picked (by a search over seeds) because its random outage
// process starts no outage in those 5 days and its four base failure rates
// are at the low end of the model's 0.05 %..0.5 %: 12 failed results of
// 28800, all flaps, so the background alone raises nothing (the control
// test replays it). Minutes below count from 2024-01-01T00:00:00Z ("D0
// minute"); day 3 starts at 4320. The background failures are at
//   1904 1905 | 2452 2453 2454 | 3444 | 3527 3528 | 4445 | 5462 | 6261 | 6798
// and every scenario starts after day 3, so each window holds exactly
// 4 * (its minutes) results: 1h 240, 5m 20, 6h 1440, 30m 120, 1d 5760,
// 2h 480, 3d 17280.
//
// Objective svc-000/availability, 99.9 % over 30d, pooled over the 4
// probes. A rate is (bad / total) / 0.001 = 1000 * bad / total, so the
// default tiers alert when (windows [at - w, at), whole minutes):
//   page   1h/5m  14.4: 1h holds >= 4 bad (3.456)  and 5m >= 1 (0.288)
//   page   6h/30m  6  : 6h holds >= 9 bad (8.64)   and 30m >= 1 (0.72)
//   ticket 1d/2h   3  : 1d holds >= 18 bad (17.28) and 2h >= 2 (1.44)
//   ticket 3d/6h   1  : 3d holds >= 18 bad (17.28) and 6h >= 2 (1.44)
// (the threshold in parentheses is factor * total / 1000; none of them is
// an integer, so no count sits on a boundary).
//
// A scenario replaces the outcome of *every* result in its interval (the
// background's failures there are overwritten), so the interval holds
// exactly the failures the scenario says.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "probes/synthetic.h"
#include "sla/alerting.h"
#include "sla/clock.h"
#include "sla/engine.h"
#include "sla/objective.h"

namespace sla {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;

constexpr int kProbes = 4;
constexpr int kDays = 5;
constexpr uint64_t kSeed = 908;
constexpr int kDay3 = 3 * 1440;           // first minute with full 3d windows
constexpr int kEndMinute = kDays * 1440;  // 7200, exclusive
const absl::Time kT0 = absl::FromUnixSeconds(1704067200);
const int kBackgroundFailures[] = {1904, 1905, 2452, 2453, 2454, 3444,
                                   3527, 3528, 4445, 5462, 6261, 6798};

absl::Time At(int minute) { return kT0 + absl::Minutes(minute); }
int MinuteOf(int64_t unix_ms) {
  return static_cast<int>((unix_ms - absl::ToUnixMillis(kT0)) / 60000);
}

struct Workload {
  probes::WorkloadSummary summary;
  std::vector<probes::SyntheticResult> results;  // time order
};

// The background, generated once (28800 results).
const Workload& Background() {
  static const Workload* const w = [] {
    probes::WorkloadOptions o;
    o.services = 1;
    o.probes_per_service = kProbes;
    o.days = kDays;
    o.interval_s = 60;
    o.seed = kSeed;
    o.start_s = absl::ToUnixSeconds(kT0);
    o.tail_incident = false;
    auto* out = new Workload;
    out->summary =
        probes::GenerateWorkload(
            o,
            [&](absl::Span<const probes::SyntheticResult> tick) {
              out->results.insert(out->results.end(), tick.begin(), tick.end());
            })
            .value();
    return out;
  }();
  return *w;
}

std::vector<int> BackgroundFailureMinutes() {
  std::vector<int> out;
  for (const probes::SyntheticResult& r : Background().results) {
    if (!r.ok) out.push_back(MinuteOf(r.unix_ms));
  }
  return out;
}

// An incident: every result in D0 minutes [from, to) gets a new outcome;
// result k of the interval (time order, 4 a minute, so its minute is from +
// k / 4) fails iff fails(k, minute - from, probe).
struct Incident {
  int from = 0;
  int to = 0;
  absl::FunctionRef<bool(int k, int minute, int probe)> fails;
};

std::string WindowName(absl::Duration d) {
  if (d >= absl::Hours(24)) return absl::StrCat(d / absl::Hours(24), "d");
  return absl::FormatDuration(d);
}
std::string TierName(const BurnTier& t) {
  return absl::StrCat(t.severity, " ", WindowName(t.long_window), "/",
                      WindowName(t.short_window));
}

// 1000 * bad / total: the exact rational rounded once, as the engine's rate
// against 99.9 % (999/1000) is.
double Rate(int64_t bad, int64_t total) {
  return static_cast<double>(bad * 1000) / static_cast<double>(total);
}

// The tier's windows hold long_bad and short_bad failed results.
void ExpectCounts(const TierEvaluation& t, int64_t long_bad,
                  int64_t short_bad) {
  const int64_t lt = kProbes * (t.tier.long_window / absl::Minutes(1));
  const int64_t st = kProbes * (t.tier.short_window / absl::Minutes(1));
  EXPECT_EQ(t.long_counts, (Counts{lt - long_bad, lt})) << TierName(t.tier);
  EXPECT_EQ(t.short_counts, (Counts{st - short_bad, st})) << TierName(t.tier);
  EXPECT_EQ(t.long_rate, Rate(long_bad, lt)) << TierName(t.tier);
  EXPECT_EQ(t.short_rate, Rate(short_bad, st)) << TierName(t.tier);
}

std::vector<std::string> AlertingNames(const std::vector<TierEvaluation>& t) {
  std::vector<std::string> out;
  for (const TierEvaluation& e : t) {
    if (e.alerting()) out.push_back(TierName(e.tier));
  }
  return out;
}

// "a-b c d-e": runs of consecutive minutes.
std::string Runs(const std::vector<int>& minutes) {
  std::vector<std::string> runs;
  for (size_t i = 0; i < minutes.size();) {
    size_t j = i;
    while (j + 1 < minutes.size() && minutes[j + 1] == minutes[j] + 1) ++j;
    runs.push_back(minutes[i] == minutes[j]
                       ? absl::StrCat(minutes[i])
                       : absl::StrCat(minutes[i], "-", minutes[j]));
    i = j + 1;
  }
  return absl::StrJoin(runs, " ");
}

struct Replay {
  // "n severity from->to", n in minutes after the origin.
  std::vector<std::string> events;
  // "tier: runs of minutes it alerted at", for the tiers that did.
  std::vector<std::string> alerting;
};

class ScenarioTest : public ::testing::Test {
 protected:
  EngineOptions Options() {
    EngineOptions o;
    o.clock = &clock_;  // stands at the end of the data while ingesting
    return o;
  }

  void SetUp() override {
    ASSERT_THAT(BackgroundFailureMinutes(),
                ElementsAreArray(kBackgroundFailures));
    for (int p = 0; p < kProbes; ++p) {
      SliSpec s;
      s.service = probes::ServiceName(0);
      s.name = probes::ProbeName(p);
      ASSERT_EQ(engine_.AddSli(s).value(), static_cast<SliId>(p));
    }
    ObjectiveSpec o;  // no `slis`: every probe of svc-000, pooled
    o.service = probes::ServiceName(0);
    o.name = "availability";
    o.target_percent = 99.9;
    o.window = "30d";
    o.alerting = true;
    id_ = engine_.AddObjective(o).value();
  }

  // Ingests the background with `incident` written over it; returns the
  // number of failed results in the incident's interval.
  int Load(const Incident* incident) {
    std::vector<ProbeResult> batch;
    batch.reserve(Background().results.size());
    int k = 0;
    int failed = 0;
    for (const probes::SyntheticResult& r : Background().results) {
      const int m = MinuteOf(r.unix_ms);
      bool ok = r.ok;
      if (incident != nullptr && incident->from <= m && m < incident->to) {
        EXPECT_EQ(m, incident->from + k / kProbes);
        ok = !incident->fails(k, m - incident->from, r.probe);
        failed += ok ? 0 : 1;
        ++k;
      }
      batch.push_back(
          {static_cast<SliId>(r.probe), r.unix_ms, ok, r.latency_ms});
    }
    if (incident != nullptr) {
      EXPECT_EQ(k, kProbes * (incident->to - incident->from));
    }
    EXPECT_TRUE(engine_.Ingest(batch).ok());
    return failed;
  }

  std::vector<TierEvaluation> Tiers(int minute) {
    return EvaluateBurnTiers(engine_, id_, At(minute), AlertPolicy()).value();
  }
  std::vector<std::string> AlertingAt(int minute) {
    return AlertingNames(Tiers(minute));
  }

  // Default tracker (30d tiers, for 0, resolve after 5m), evaluated at
  // every minute origin + from .. origin + to, the fake clock advancing a
  // minute at a time.
  Replay Run(int origin, int from, int to) {
    Replay out;
    std::map<std::string, std::vector<int>> minutes;  // by tier name
    AlertTracker tracker;
    clock_.Set(At(origin + from));
    for (int n = from; n <= to; ++n, clock_.Advance(absl::Minutes(1))) {
      absl::StatusOr<std::vector<AlertEvent>> events =
          tracker.Evaluate(engine_, id_, clock_.Now());
      EXPECT_TRUE(events.ok()) << events.status();
      if (!events.ok()) break;
      for (const AlertEvent& e : *events) {
        out.events.push_back(absl::StrCat(
            (e.at - At(origin)) / absl::Minutes(1), " ", e.severity, " ",
            AlertStateName(e.from), "->", AlertStateName(e.to)));
      }
      for (const std::string& name :
           AlertingNames(tracker.LastEvaluation(id_).value())) {
        minutes[name].push_back(n);
      }
    }
    for (const auto& [name, list] : minutes) {
      out.alerting.push_back(absl::StrCat(name, ": ", Runs(list)));
    }
    return out;
  }

  FakeClock clock_{At(kEndMinute)};
  Engine engine_{Options()};
  ObjectiveId id_ = 0;
};

// Control: the generator's traffic as it is. No outage was drawn, 12 of
// 28800 results failed, and from day 3 on (full windows) to the end of the
// data no tier alerts at any minute: after day 3 the failures are single
// and more than 6h apart (4445 5462 6261 6798), so no replayed 6h, 2h or
// 1h window holds more than 1 (every tier needs 2 or more there), and no 3d
// window holds more than 10 (< 18).
TEST_F(ScenarioTest, BackgroundAloneRaisesNothing) {
  EXPECT_EQ(Background().summary.rows, int64_t{kProbes} * kEndMinute);
  EXPECT_EQ(Background().summary.failures, 12);
  EXPECT_THAT(Background().summary.outage_descriptions, IsEmpty());
  Load(nullptr);
  const Replay r = Run(kDay3, 0, kEndMinute - kDay3);
  EXPECT_THAT(r.events, IsEmpty());
  EXPECT_THAT(r.alerting, IsEmpty());
  // E.g. right after the last single failure, 6798: every long window is
  // under its factor.
  std::vector<TierEvaluation> t = Tiers(6799);
  ASSERT_EQ(t.size(), 4u);
  ExpectCounts(t[0], 1, 1);  // 1h/5m: 4.17, 50
  ExpectCounts(t[1], 1, 1);  // 6h/30m: 0.69, 8.33
  ExpectCounts(t[2], 3, 1);  // 1d (5462 6261 6798) 0.52, 2h 2.08
  ExpectCounts(t[3], 7, 1);  // 3d (3444 .. 6798) 0.41, 6h 0.69
}

// 40-minute brownout at 25 %: from S = 4560 (2024-01-04T04:00Z), during
// [S, S + 40) probe p fails in minute S + i iff i % 4 == p: one failure a
// minute, 40 of 160 results. At S + n (n <= 40) the windows hold n
// brownout failures, plus background: none in the hour before S, 4445 (S -
// 115) in the 6h window while n <= 245, 4 in the 1d window (3444 3527 3528
// 4445) and 9 in the 3d window (1904 .. 4445).
//   page 1h/5m:  n >= 4 (4/240: 16.67); n = 3 is 12.5. Until the 5m window
//                loses minute 39: n <= 44.
//   page 6h/30m: n + 1 >= 9: n >= 8 (9/1440: 6.25). Until the 30m window
//                loses minute 39: n <= 69.
//   ticket 3d/6h: n + 9 >= 18: n >= 9 (18/17280: 1.042); n = 8 is 0.984.
//                Until the 6h window holds fewer than 2 (minute 38 leaves
//                at n = 399): n <= 398.
//   ticket 1d/2h: n + 4 >= 18: n >= 14 (3.125). Until minute 38 leaves the
//                2h window: n <= 158.
// Tracker: page fires at 4, ticket at 9; the page's condition is false
// from 70 and it resolves 5 minutes later, at 75; the ticket's from 399,
// resolved at 404.
TEST_F(ScenarioTest, FortyMinuteBrownoutAtTwentyFivePercentPages) {
  const int s = 4560;
  auto fails = [](int, int minute, int probe) {
    return minute % kProbes == probe;
  };
  const Incident brownout{s, s + 40, fails};
  ASSERT_EQ(Load(&brownout), 40);

  EXPECT_THAT(AlertingAt(s + 3), IsEmpty());
  EXPECT_THAT(AlertingAt(s + 4), ElementsAre("page 1h/5m"));
  EXPECT_THAT(AlertingAt(s + 8), ElementsAre("page 1h/5m", "page 6h/30m"));
  EXPECT_THAT(AlertingAt(s + 9),
              ElementsAre("page 1h/5m", "page 6h/30m", "ticket 3d/6h"));
  EXPECT_THAT(AlertingAt(s + 45),
              ElementsAre("page 6h/30m", "ticket 1d/2h", "ticket 3d/6h"));
  EXPECT_THAT(AlertingAt(s + 70), ElementsAre("ticket 1d/2h", "ticket 3d/6h"));
  EXPECT_THAT(AlertingAt(s + 159), ElementsAre("ticket 3d/6h"));
  EXPECT_THAT(AlertingAt(s + 399), IsEmpty());

  // At S + 4: the hour holds 240 results, 4 failed: 1000 * 4 / 240.
  std::vector<TierEvaluation> t = Tiers(s + 4);
  ASSERT_EQ(t.size(), 4u);
  ExpectCounts(t[0], 4, 4);   // 16.67 > 14.4, 200
  ExpectCounts(t[1], 5, 4);   // 3.47 (4 + 4445), 33.3
  ExpectCounts(t[2], 8, 5);   // 1.39, 10.4 (4445 is in the 2h window)
  ExpectCounts(t[3], 13, 5);  // 0.75, 3.47
  EXPECT_EQ(t[0].long_rate, 50.0 / 3.0);
  // At the end of the brownout, S + 40: every tier alerts.
  t = Tiers(s + 40);
  ExpectCounts(t[0], 40, 5);   // 166.7, 250
  ExpectCounts(t[1], 41, 30);  // 28.5, 250
  ExpectCounts(t[2], 44, 40);  // 7.64, 83.3
  ExpectCounts(t[3], 49, 41);  // 2.84, 28.5
  EXPECT_EQ(AlertingNames(t).size(), 4u);

  const Replay r = Run(s, -60, 420);
  EXPECT_THAT(
      r.events,
      ElementsAre("4 page inactive->firing", "9 ticket inactive->firing",
                  "75 page firing->resolved", "404 ticket firing->resolved"));
  EXPECT_THAT(r.alerting,
              ElementsAre("page 1h/5m: 4-44", "page 6h/30m: 8-69",
                          "ticket 1d/2h: 14-158", "ticket 3d/6h: 9-398"));
}

// 4-hour burn at 2 %: from S = 5580 (2024-01-04T21:00Z), result k of
// [S, S + 240) fails iff k % 50 == 0: 20 of 960, in minutes floor(12.5 j),
// F = 0 12 25 37 50 62 75 87 100 ... 225 237. Background: none in the hour
// before S, 5462 (S - 118) in the 6h window while n <= 242, 2 in the 1d
// window (4445 5462), 10 in the 3d window.
//
// Against 99.9 % this is a burn rate of 20 and it PAGES: "raises only a
// ticket" cannot hold with the default tiers. Any hour of it holds 4 or 5
// of 240 (16.7 or 20.8 > 14.4), and more generally an incident shorter
// than 6h that spends the 10 % of a 30d budget a ticket needs (72h at rate
// 1) spends more than the 5 % the 6h page needs (36h at rate 1).
//   page 1h/5m: 1h >= 4 from n = 38 (0 12 25 37); the 5m window holds a
//     failure f only for n in f+1 .. f+5, so it alerts 5 minutes out of
//     every 12.5, for each f from 37 to 237.
//   page 6h/30m: |F before n| + 1 >= 9 from n = 88 (8 failures + 5462:
//     6.25); the 30m window always holds one until 237 leaves: 88-267.
//   ticket 3d/6h: |F| + 10 >= 18 from n = 88; 6h >= 2 until 225 leaves:
//     88-585.
//   ticket 1d/2h: |F| + 2 >= 18 from n = 188 (F[15] = 187); 2h >= 2 until
//     225 leaves: 188-345.
// Tracker: the page flaps while only 1h/5m holds (false 7 or 8 minutes
// between failures, longer than resolve_after 5m): fires 38, resolves 48
// (false from 43), 51/61, 63/73, 76/86, fires 88 for good, and resolves at
// 273 (false from 268). Ticket: 88 to 591 (false from 586).
TEST_F(ScenarioTest, FourHourBurnAtTwoPercentPagesAtThreeNines) {
  const int s = 5580;
  auto fails = [](int k, int, int) { return k % 50 == 0; };
  const Incident burn{s, s + 240, fails};
  ASSERT_EQ(Load(&burn), 20);

  EXPECT_THAT(AlertingAt(s + 37), IsEmpty());  // 1h: 3 of 240, 12.5
  EXPECT_THAT(AlertingAt(s + 38), ElementsAre("page 1h/5m"));
  EXPECT_THAT(AlertingAt(s + 43), IsEmpty());  // 5m [38, 43) holds none
  EXPECT_THAT(AlertingAt(s + 88),
              ElementsAre("page 1h/5m", "page 6h/30m", "ticket 3d/6h"));

  // At the end of the burn, S + 240: all four tiers.
  std::vector<TierEvaluation> t = Tiers(s + 240);
  ASSERT_EQ(t.size(), 4u);
  ExpectCounts(t[0], 5, 1);    // 187 200 212 225 237: 20.8; 237: 50
  ExpectCounts(t[1], 21, 3);   // 20 + 5462: 14.6; 212 225 237: 25
  ExpectCounts(t[2], 22, 10);  // 20 + 4445 5462: 3.82; 125..237: 20.8
  ExpectCounts(t[3], 30, 21);  // 20 + 10: 1.74; 14.6
  EXPECT_EQ(t[0].long_rate, 125.0 / 6.0);
  EXPECT_EQ(AlertingNames(t).size(), 4u);

  const Replay r = Run(s, -60, 600);
  EXPECT_THAT(
      r.events,
      ElementsAre("38 page inactive->firing", "48 page firing->resolved",
                  "51 page resolved->firing", "61 page firing->resolved",
                  "63 page resolved->firing", "73 page firing->resolved",
                  "76 page resolved->firing", "86 page firing->resolved",
                  "88 page resolved->firing", "88 ticket inactive->firing",
                  "273 page firing->resolved", "591 ticket firing->resolved"));
  EXPECT_THAT(r.alerting,
              ElementsAre("page 1h/5m: 38-42 51-55 63-67 76-80 88-92 101-105 "
                          "113-117 126-130 138-142 151-155 163-167 176-180 "
                          "188-192 201-205 213-217 226-230 238-242",
                          "page 6h/30m: 88-267", "ticket 1d/2h: 188-345",
                          "ticket 3d/6h: 88-585"));
}

// What does raise only a ticket: a slow burn. From S = 4380
// (2024-01-04T01:00Z), for 24 hours, one result an hour fails (minute 30
// of hour h, probe h % 4): 24 of 5760, 1/240, a burn rate of 4.17. No
// window ever holds enough for a page: an hour at most 1 failure (4.17 <
// 14.4), 6 hours at most 6 (4.17 < 6); no background within an hour of
// the interval or inside the 6h windows of the replay (4445 and 5462 are
// overwritten). The 3d window holds 8 background failures (1904 .. 3528)
// throughout; the 1d window 3 of them (3444 3527 3528) until they leave
// (n = 505 .. 589), then none.
//   ticket 3d/6h: 3d: failures before n + 8 >= 18: the 10th, at 570, so
//     n = 571 (18/17280: 1.042); 6h holds 6, then 2 until minute 1350
//     leaves it: 571-1710.
//   ticket 1d/2h: 1d: the 18th failure, at 1050: n = 1051 (3.125); 2h
//     holds 2 (4.17 > 3) until 1350 leaves: 1051-1470.
// Tracker: one ticket, firing 571, resolved 1716 (false from 1711); never
// a page at any minute.
TEST_F(ScenarioTest, SlowBurnRaisesOnlyATicket) {
  const int s = 4380;
  auto fails = [](int, int minute, int probe) {
    return minute % 60 == 30 && probe == minute / 60 % kProbes;
  };
  const Incident slow{s, s + 1440, fails};
  ASSERT_EQ(Load(&slow), 24);

  EXPECT_THAT(AlertingAt(s + 570), IsEmpty());
  EXPECT_THAT(AlertingAt(s + 571), ElementsAre("ticket 3d/6h"));
  EXPECT_THAT(AlertingAt(s + 1050), ElementsAre("ticket 3d/6h"));
  EXPECT_THAT(AlertingAt(s + 1051),
              ElementsAre("ticket 1d/2h", "ticket 3d/6h"));
  EXPECT_THAT(AlertingAt(s + 1711), IsEmpty());

  // At the end, S + 1440: 24 in the day, 1000 * 24 / 5760.
  std::vector<TierEvaluation> t = Tiers(s + 1440);
  ASSERT_EQ(t.size(), 4u);
  ExpectCounts(t[0], 1, 0);   // 4.17 < 14.4, 0
  ExpectCounts(t[1], 6, 1);   // 4.17 < 6, 8.33
  ExpectCounts(t[2], 24, 2);  // 4.17 > 3, 4.17
  ExpectCounts(t[3], 32, 6);  // 1.85 > 1, 4.17
  EXPECT_EQ(t[2].long_rate, 25.0 / 6.0);
  EXPECT_THAT(AlertingNames(t), ElementsAre("ticket 1d/2h", "ticket 3d/6h"));

  const Replay r = Run(s, -60, 1740);
  EXPECT_THAT(r.events, ElementsAre("571 ticket inactive->firing",
                                    "1716 ticket firing->resolved"));
  EXPECT_THAT(r.alerting,
              ElementsAre("ticket 1d/2h: 1051-1470", "ticket 3d/6h: 571-1710"));
}

// A single failed probe: p01 in minute S = 4800 (2024-01-04T08:00Z; every
// other result there is ok). At S + 1 the 5m window holds it (rate 50 >
// 14.4) and so does the 30m (8.33 > 6), but every long window is under its
// factor; the 6h window also holds 4445 (2 of 1440: 1.39 > 1) but the 3d
// holds 10 (0.58). Nothing alerts at any minute from S - 60 to S + 420.
TEST_F(ScenarioTest, SingleFailedProbeRaisesNothing) {
  const int s = 4800;
  auto fails = [](int, int, int probe) { return probe == 1; };
  const Incident one{s, s + 1, fails};
  ASSERT_EQ(Load(&one), 1);

  std::vector<TierEvaluation> t = Tiers(s + 1);
  ASSERT_EQ(t.size(), 4u);
  ExpectCounts(t[0], 1, 1);   // 4.17, 50
  ExpectCounts(t[1], 2, 1);   // 1.39, 8.33
  ExpectCounts(t[2], 5, 1);   // 3444 3527 3528 4445 + 1: 0.87, 2.08
  ExpectCounts(t[3], 10, 2);  // 0.58, 1.39
  EXPECT_EQ(t[0].short_rate, 50.0);
  EXPECT_TRUE(t[0].short_rate > t[0].tier.factor);
  EXPECT_THAT(AlertingNames(t), IsEmpty());

  const Replay r = Run(s, -60, 420);
  EXPECT_THAT(r.events, IsEmpty());
  EXPECT_THAT(r.alerting, IsEmpty());
}

}  // namespace
}  // namespace sla
