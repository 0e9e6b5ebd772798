#include "sla/contract.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sla/objective.h"
#include "sla/window.h"

namespace sla {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

// An RFC 3339 instant, parsed with absl directly (not with sla code).
absl::Time T(const std::string& rfc3339) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err))
      << rfc3339 << ": " << err;
  return t;
}

absl::TimeZone Zone(const std::string& name) {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone(name, &zone)) << name;
  return zone;
}

// The usual tiers: below 99.95 -> 10 %, below 99 -> 25 %, below 95 -> 100 %.
ContractSpec Spec(double commitment = 99.95) {
  ContractSpec s;
  s.commitment_percent = commitment;
  s.credits = {{99.95, 10}, {99, 25}, {95, 100}};
  return s;
}

// [from, from + minutes).
Interval Minutes(const std::string& from, int64_t minutes) {
  const absl::Time f = T(from);
  return Interval{f, f + absl::Minutes(minutes)};
}

// n intervals with one good result each.
std::vector<Counts> AllUp(int64_t n, int64_t per_interval = 1) {
  return std::vector<Counts>(static_cast<size_t>(n),
                             Counts{per_interval, per_interval});
}

// n intervals with one result each, the first `down` of them failed at
// spread-out positions (every 7th interval).
std::vector<Counts> WithDown(int64_t n, int64_t down) {
  std::vector<Counts> c = AllUp(n);
  for (int64_t i = 0; i < down; ++i) c[static_cast<size_t>(i * 7)] = {0, 1};
  return c;
}

ContractResult Eval(const ContractSpec& spec, const Interval& period,
                    const std::vector<Counts>& counts,
                    const std::vector<Interval>& maintenance = {}) {
  absl::StatusOr<ContractResult> r =
      EvaluateContract(spec, period, counts, maintenance);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : ContractResult{};
}

IntervalGrid Grid(const ContractSpec& spec, const Interval& period) {
  absl::StatusOr<IntervalGrid> g = ContractIntervals(spec, period);
  EXPECT_TRUE(g.ok()) << g.status();
  return g.ok() ? *g : IntervalGrid{};
}

#define EXPECT_INTERVAL(actual, from_text, to_text)                       \
  do {                                                                    \
    const ::sla::Interval got_ = (actual);                                \
    EXPECT_EQ(got_.from, T(from_text)) << ::sla::TimeToString(got_.from); \
    EXPECT_EQ(got_.to, T(to_text)) << ::sla::TimeToString(got_.to);       \
  } while (0)

// ---------------------------------------------------------------------------
// Periods and interval grids

TEST(ContractIntervalsTest, January2024UtcHas44640Minutes) {
  ContractSpec spec = Spec();
  const Interval jan = ContractPeriod(spec, T("2024-01-17T08:31:12Z"));
  EXPECT_INTERVAL(jan, "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z");
  const IntervalGrid g = Grid(spec, jan);
  EXPECT_EQ(g.count, 31 * 1440);
  EXPECT_EQ(g.interval, absl::Minutes(1));
  EXPECT_FALSE(g.last_truncated());
  EXPECT_INTERVAL(g.At(0), "2024-01-01T00:00:00Z", "2024-01-01T00:01:00Z");
  EXPECT_INTERVAL(g.At(44639), "2024-01-31T23:59:00Z", "2024-02-01T00:00:00Z");
  spec.interval = absl::Hours(1);
  EXPECT_EQ(Grid(spec, jan).count, 744);
}

TEST(ContractIntervalsTest, February2024Has29Days) {
  ContractSpec spec = Spec();
  const Interval feb = ContractPeriod(spec, T("2024-02-29T23:59:59Z"));
  EXPECT_INTERVAL(feb, "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z");
  EXPECT_EQ(Grid(spec, feb).count, 29 * 1440);  // 41,760
  spec.interval = absl::Minutes(5);
  EXPECT_EQ(Grid(spec, feb).count, 29 * 288);  // 8,352
}

TEST(ContractIntervalsTest, ParisMarchHas743HoursAndOctober745) {
  ContractSpec spec = Spec();
  spec.zone = Zone("Europe/Paris");
  // March 2024: CET (+1) until 2024-03-31 02:00, CEST (+2) after.
  const Interval mar = ContractPeriod(spec, T("2024-03-15T12:00:00Z"));
  EXPECT_INTERVAL(mar, "2024-02-29T23:00:00Z", "2024-03-31T22:00:00Z");
  EXPECT_EQ(Grid(spec, mar).count, 743 * 60);  // 44,580
  // October 2024: CEST until 2024-10-27 03:00, CET after.
  const Interval oct = ContractPeriod(spec, T("2024-10-15T12:00:00Z"));
  EXPECT_INTERVAL(oct, "2024-09-30T22:00:00Z", "2024-10-31T23:00:00Z");
  EXPECT_EQ(Grid(spec, oct).count, 745 * 60);  // 44,700
  spec.interval = absl::Hours(1);
  EXPECT_EQ(Grid(spec, mar).count, 743);
  EXPECT_FALSE(Grid(spec, mar).last_truncated());
  EXPECT_EQ(Grid(spec, oct).count, 745);
}

TEST(ContractIntervalsTest, LastIntervalIsTruncatedAtThePeriodEnd) {
  ContractSpec spec = Spec();
  spec.zone = Zone("Europe/Paris");
  spec.interval = absl::Hours(24);
  // March: 743 h = 30 days + 23 h -> 31 intervals, the last one 23 h
  // (local March 31, the day the clocks spring forward).
  const IntervalGrid mar =
      Grid(spec, ContractPeriod(spec, T("2024-03-15T12:00:00Z")));
  EXPECT_EQ(mar.count, 31);
  EXPECT_TRUE(mar.last_truncated());
  EXPECT_INTERVAL(mar.At(29), "2024-03-29T23:00:00Z", "2024-03-30T23:00:00Z");
  EXPECT_INTERVAL(mar.At(30), "2024-03-30T23:00:00Z", "2024-03-31T22:00:00Z");
  // October: 745 h = 31 days + 1 h -> 32 intervals, the last one 1 h
  // (fixed-length intervals, not civil days).
  const IntervalGrid oct =
      Grid(spec, ContractPeriod(spec, T("2024-10-15T12:00:00Z")));
  EXPECT_EQ(oct.count, 32);
  EXPECT_TRUE(oct.last_truncated());
  EXPECT_INTERVAL(oct.At(31), "2024-10-31T22:00:00Z", "2024-10-31T23:00:00Z");
  // Month to date with 5m intervals: 12 minutes -> 3 intervals, last 2m.
  spec.zone = absl::UTCTimeZone();
  spec.interval = absl::Minutes(5);
  const IntervalGrid mtd = Grid(spec, Minutes("2024-01-01T00:00:00Z", 12));
  EXPECT_EQ(mtd.count, 3);
  EXPECT_TRUE(mtd.last_truncated());
  EXPECT_INTERVAL(mtd.At(2), "2024-01-01T00:10:00Z", "2024-01-01T00:12:00Z");
}

TEST(ContractIntervalsTest, RejectsBadPeriods) {
  const ContractSpec spec = Spec();
  const absl::Time t = T("2024-01-01T00:00:00Z");
  absl::StatusOr<IntervalGrid> g = ContractIntervals(spec, Interval{t, t});
  EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(g.status().message(), HasSubstr("empty"));
  g = ContractIntervals(spec, Interval{t, t + absl::Seconds(90)});
  EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(g.status().message(), HasSubstr("whole minutes"));
  g = ContractIntervals(spec, Interval{t, absl::InfiniteFuture()});
  EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  ContractSpec bad = spec;
  bad.interval = absl::Minutes(7);
  g = ContractIntervals(bad, Interval{t, t + absl::Hours(1)});
  EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(g.status().message(), HasSubstr("interval"));
}

// ---------------------------------------------------------------------------
// Interval method: uptime, met and credit

TEST(EvaluateContractTest, January22DownMinutesIsMet) {
  const ContractSpec spec = Spec();
  const Interval jan = ContractPeriod(spec, T("2024-01-10T00:00:00Z"));
  const ContractResult r = Eval(spec, jan, WithDown(44640, 22));
  EXPECT_EQ(r.intervals, 44640);
  EXPECT_EQ(r.down_intervals, 22);
  EXPECT_EQ(r.excluded_intervals, 0);
  EXPECT_EQ(r.downtime_minutes, 22);
  // 100 * (44640 - 22) / 44640 = 4461800 / 44640 = 99.950716845878136...
  EXPECT_EQ(r.uptime_percent, 99.95071684587813);
  EXPECT_TRUE(r.met);
  EXPECT_EQ(r.credit_percent, 0);
  EXPECT_EQ(r.incidents.size(), 22u);  // every 7th minute: no two adjacent
  EXPECT_EQ(r.average_error_rate, 0);  // interval method
  EXPECT_EQ(r.method, DowntimeMethod::kInterval);
  EXPECT_EQ(r.period, jan);

  // 23 down: 100 * 44617 / 44640 = 99.948476702508960... < 99.95 -> 10 %.
  const ContractResult r23 = Eval(spec, jan, WithDown(44640, 23));
  EXPECT_EQ(r23.uptime_percent, 99.94847670250896);
  EXPECT_FALSE(r23.met);
  EXPECT_EQ(r23.credit_percent, 10);
}

TEST(EvaluateContractTest, February2024) {
  const ContractSpec spec = Spec();
  const Interval feb = ContractPeriod(spec, T("2024-02-10T00:00:00Z"));
  // 20 down: 100 * 41740 / 41760 = 99.952107279693486... -> met.
  const ContractResult r20 = Eval(spec, feb, WithDown(41760, 20));
  EXPECT_EQ(r20.uptime_percent, 99.9521072796935);
  EXPECT_TRUE(r20.met);
  // 21 down: 100 * 41739 / 41760 = 99.949712643678160... -> 10 %.
  // (In January, 44640 intervals, 21 or 22 down would still be met.)
  const ContractResult r21 = Eval(spec, feb, WithDown(41760, 21));
  EXPECT_EQ(r21.uptime_percent, 99.94971264367815);
  EXPECT_FALSE(r21.met);
  EXPECT_EQ(r21.credit_percent, 10);
}

TEST(EvaluateContractTest, ParisMarchAndOctober) {
  ContractSpec spec = Spec();
  spec.zone = Zone("Europe/Paris");
  const Interval mar = ContractPeriod(spec, T("2024-03-15T12:00:00Z"));
  const Interval oct = ContractPeriod(spec, T("2024-10-15T12:00:00Z"));
  // 100 * (44580 - 22) / 44580 = 99.950650515926424...
  const ContractResult rm = Eval(spec, mar, WithDown(44580, 22));
  EXPECT_EQ(rm.intervals, 44580);
  EXPECT_EQ(rm.uptime_percent, 99.95065051592643);
  EXPECT_TRUE(rm.met);
  // 100 * (44700 - 22) / 44700 = 99.950782997762863...
  const ContractResult ro = Eval(spec, oct, WithDown(44700, 22));
  EXPECT_EQ(ro.intervals, 44700);
  EXPECT_EQ(ro.uptime_percent, 99.95078299776286);
  EXPECT_TRUE(ro.met);
  // Against the 744-hour month this would be 44640 intervals: a caller
  // passing a 44640-entry vector for Paris October is rejected.
  absl::StatusOr<ContractResult> wrong =
      EvaluateContract(spec, oct, WithDown(44640, 22), {});
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(wrong.status().message(),
              AllOf(HasSubstr("44640 entries"), HasSubstr("44700 intervals")));
}

TEST(EvaluateContractTest, TruncatedLastIntervalCountsAsOneInterval) {
  ContractSpec spec = Spec();
  spec.zone = Zone("Europe/Paris");
  spec.interval = absl::Hours(24);
  const Interval oct = ContractPeriod(spec, T("2024-10-15T12:00:00Z"));
  std::vector<Counts> c = AllUp(32, 1440);
  c[31] = {0, 60};  // the last, 1-hour interval: all 60 results failed
  const ContractResult r = Eval(spec, oct, c);
  EXPECT_EQ(r.down_intervals, 1);
  EXPECT_EQ(r.downtime_minutes, 60);
  // 100 * 31 / 32 = 96.875 (interval-weighted, not minute-weighted).
  EXPECT_EQ(r.uptime_percent, 96.875);
  EXPECT_EQ(r.credit_percent, 25);
  ASSERT_EQ(r.incidents.size(), 1u);
  EXPECT_INTERVAL(r.incidents[0].span, "2024-10-31T22:00:00Z",
                  "2024-10-31T23:00:00Z");
  EXPECT_EQ(r.incidents[0].minutes, 60);
}

// Uptime / met / credit at and around the thresholds, with period lengths
// chosen so the uptimes are exact decimals.
struct BoundaryCase {
  int64_t intervals;
  int64_t down;
  double uptime;
  bool met;
  double credit;
};

TEST(EvaluateContractTest, ThresholdsAreExact) {
  const ContractSpec spec = Spec();
  const BoundaryCase cases[] = {
      {2000, 0, 100, true, 0},
      {2000, 1, 99.95, true, 0},     // 1999/2000 = 99.95 % exactly: met
      {2000, 2, 99.9, false, 10},    // 1998/2000
      {10000, 5, 99.95, true, 0},    // 9995/10000
      {10000, 6, 99.94, false, 10},  // 9994/10000
      {10000, 100, 99, false, 10},   // exactly 99: not below 99
      {10000, 101, 98.99, false, 25},
      {10000, 500, 95, false, 25},  // exactly 95: not below 95
      {10000, 510, 94.9, false, 100},
      {2000, 102, 94.9, false, 100},  // 1898/2000
  };
  for (const BoundaryCase& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.down, " down of ", c.intervals));
    const ContractResult r =
        Eval(spec, Minutes("2024-01-01T00:00:00Z", c.intervals),
             WithDown(c.intervals, c.down));
    EXPECT_EQ(r.uptime_percent, c.uptime);
    EXPECT_EQ(r.met, c.met);
    EXPECT_EQ(r.credit_percent, c.credit);
  }
}

TEST(EvaluateContractTest, JustBelowTheCommitmentIsNotMet) {
  // 251 down of 501,999: uptime 501748/501999 = 99.94999990039821 %,
  // 1e-7 % below 99.95.
  const Interval p = Minutes("2024-01-01T00:00:00Z", 501999);
  const ContractResult r = Eval(Spec(), p, WithDown(501999, 251));
  EXPECT_EQ(r.uptime_percent, 99.94999990039821);
  EXPECT_FALSE(r.met);
  EXPECT_EQ(r.credit_percent, 10);
  // ...but above a commitment of 99.9499999 (7 decimals: 999499999/10^9):
  // 501748 * 10^9 = 501748000000000 >= 999499999 * 501999
  // = 501747999498001.
  ContractSpec low = Spec(99.9499999);
  low.credits = {{99.9499999, 10}};
  const ContractResult r2 = Eval(low, p, WithDown(501999, 251));
  EXPECT_TRUE(r2.met);
  EXPECT_EQ(r2.credit_percent, 0);
  // One more down interval: 501747/501999 = 99.94979... < 99.9499999.
  const ContractResult r3 = Eval(low, p, WithDown(501999, 252));
  EXPECT_FALSE(r3.met);
  EXPECT_EQ(r3.credit_percent, 10);
}

TEST(EvaluateContractTest, MissedWithoutApplicableTierOwesNothing) {
  // Commitment 99.9500001 against exactly 99.95: missed by 1e-7 %, but the
  // highest tier (below 99.95) does not apply.
  const ContractResult r =
      Eval(Spec(99.9500001), Minutes("2024-01-01T00:00:00Z", 2000),
           WithDown(2000, 1));
  EXPECT_EQ(r.uptime_percent, 99.95);
  EXPECT_FALSE(r.met);
  EXPECT_EQ(r.credit_percent, 0);
  // No tiers at all: never a credit.
  ContractSpec none = Spec();
  none.credits.clear();
  const ContractResult r2 =
      Eval(none, Minutes("2024-01-01T00:00:00Z", 2000), WithDown(2000, 200));
  EXPECT_EQ(r2.uptime_percent, 90);
  EXPECT_FALSE(r2.met);
  EXPECT_EQ(r2.credit_percent, 0);
}

// ---------------------------------------------------------------------------
// The down decision

TEST(EvaluateContractTest, MaxErrorRatioWith5MinuteIntervals) {
  ContractSpec spec = Spec();
  spec.interval = absl::Minutes(5);
  spec.max_error_ratio = 0.05;
  const Interval day = Minutes("2024-01-01T00:00:00Z", 1440);
  std::vector<Counts> c = AllUp(288, 20);
  c[3] = {19, 20};  // 1/20 = 0.05: not above the ratio, up
  c[4] = {18, 20};  // 2/20 = 0.10: down
  const ContractResult r = Eval(spec, day, c);
  EXPECT_EQ(r.intervals, 288);
  EXPECT_EQ(r.down_intervals, 1);
  EXPECT_EQ(r.downtime_minutes, 5);
  // 100 * 287 / 288 = 99.652777...
  EXPECT_EQ(r.uptime_percent, 100.0 * 287 / 288);
  ASSERT_EQ(r.incidents.size(), 1u);
  EXPECT_INTERVAL(r.incidents[0].span, "2024-01-01T00:20:00Z",
                  "2024-01-01T00:25:00Z");
  EXPECT_EQ(r.incidents[0].minutes, 5);
  EXPECT_EQ(r.incidents[0].intervals, 1);
}

TEST(EvaluateContractTest, DownDecisionIsExactNotFloatingPoint) {
  // 3 bad of 10 against 0.3: 1 - 7/10 is 0.30000000000000004 in doubles, so
  // a floating-point comparison would call this interval down.
  ContractSpec spec = Spec();
  spec.max_error_ratio = 0.3;
  std::vector<Counts> c = AllUp(10, 10);
  c[0] = {7, 10};  // 0.3: up
  c[1] = {6, 10};  // 0.4: down
  const ContractResult r = Eval(spec, Minutes("2024-01-01T00:00:00Z", 10), c);
  EXPECT_EQ(r.down_intervals, 1);
  EXPECT_EQ(r.uptime_percent, 90);
  // max_error_ratio 0: a single failure among a million makes it down.
  spec.max_error_ratio = 0;
  c = AllUp(10, 1'000'000);
  c[5] = {999'999, 1'000'000};
  EXPECT_EQ(Eval(spec, Minutes("2024-01-01T00:00:00Z", 10), c).down_intervals,
            1);
}

TEST(EvaluateContractTest, NoDataPolicies) {
  // One day of 1m intervals: minute 100 failed, minutes 200..209 have no
  // results.
  const Interval day = Minutes("2024-01-01T00:00:00Z", 1440);
  std::vector<Counts> c = AllUp(1440);
  c[100] = {0, 1};
  for (int i = 200; i < 210; ++i) c[i] = {0, 0};
  ContractSpec spec = Spec();

  spec.no_data = NoDataPolicy::kUp;  // 100 * 1439 / 1440
  ContractResult r = Eval(spec, day, c);
  EXPECT_EQ(r.no_data_intervals, 10);
  EXPECT_EQ(r.down_intervals, 1);
  EXPECT_EQ(r.excluded_intervals, 0);
  EXPECT_EQ(r.uptime_percent, 99.93055555555556);
  EXPECT_EQ(r.incidents.size(), 1u);

  spec.no_data = NoDataPolicy::kDown;  // 100 * 1429 / 1440
  r = Eval(spec, day, c);
  EXPECT_EQ(r.down_intervals, 11);
  EXPECT_EQ(r.downtime_minutes, 11);
  EXPECT_EQ(r.excluded_intervals, 0);
  EXPECT_EQ(r.uptime_percent, 99.23611111111111);
  ASSERT_EQ(r.incidents.size(), 2u);
  EXPECT_INTERVAL(r.incidents[1].span, "2024-01-01T03:20:00Z",
                  "2024-01-01T03:30:00Z");
  EXPECT_EQ(r.incidents[1].minutes, 10);

  spec.no_data = NoDataPolicy::kExcluded;  // 100 * 1429 / 1430
  r = Eval(spec, day, c);
  EXPECT_EQ(r.down_intervals, 1);
  EXPECT_EQ(r.excluded_intervals, 10);
  EXPECT_EQ(r.counted_intervals(), 1430);
  EXPECT_EQ(r.uptime_percent, 99.93006993006993);
}

TEST(EvaluateContractTest, NothingCountedIsMet) {
  ContractSpec spec = Spec();
  spec.no_data = NoDataPolicy::kExcluded;
  const ContractResult r =
      Eval(spec, Minutes("2024-01-01T00:00:00Z", 10), std::vector<Counts>(10));
  EXPECT_EQ(r.excluded_intervals, 10);
  EXPECT_EQ(r.counted_intervals(), 0);
  EXPECT_EQ(r.uptime_percent, 100);
  EXPECT_TRUE(r.met);
  EXPECT_EQ(r.credit_percent, 0);
}

// ---------------------------------------------------------------------------
// Maintenance

TEST(EvaluateContractTest, MaintenanceExcludedOrCountedAsDowntime) {
  // One day, minute 100 failed; maintenance 10:00-10:30 covers minutes
  // 600..629, in which minute 610 failed and minute 620 has no data.
  const Interval day = Minutes("2024-01-01T00:00:00Z", 1440);
  std::vector<Counts> c = AllUp(1440);
  c[100] = {0, 1};
  c[610] = {0, 1};
  c[620] = {0, 0};
  const std::vector<Interval> maint = {Minutes("2024-01-01T10:00:00Z", 30)};
  ContractSpec spec = Spec();

  ContractResult r = Eval(spec, day, c, maint);
  EXPECT_EQ(r.maintenance_intervals, 30);
  EXPECT_EQ(r.excluded_intervals, 30);
  EXPECT_EQ(r.no_data_intervals, 0);              // minute 620 is maintenance
  EXPECT_EQ(r.down_intervals, 1);                 // minute 610 is not counted
  EXPECT_EQ(r.uptime_percent, 99.9290780141844);  // 100 * 1409 / 1410
  EXPECT_EQ(r.credit_percent, 10);

  spec.maintenance_counts_as_downtime = true;
  r = Eval(spec, day, c, maint);
  EXPECT_EQ(r.maintenance_intervals, 30);
  EXPECT_EQ(r.excluded_intervals, 0);
  EXPECT_EQ(r.down_intervals, 31);
  EXPECT_EQ(r.downtime_minutes, 31);
  EXPECT_EQ(r.uptime_percent, 97.84722222222223);  // 100 * 1409 / 1440
  EXPECT_EQ(r.credit_percent, 25);
  ASSERT_EQ(r.incidents.size(), 2u);
  EXPECT_INTERVAL(r.incidents[1].span, "2024-01-01T10:00:00Z",
                  "2024-01-01T10:30:00Z");
  EXPECT_EQ(r.incidents[1].intervals, 30);
}

TEST(EvaluateContractTest, MaintenanceOverlapIsHalfOpen) {
  ContractSpec spec = Spec();
  spec.interval = absl::Minutes(5);
  const Interval day = Minutes("2024-01-01T00:00:00Z", 1440);
  const std::vector<Counts> c = AllUp(288, 20);
  const auto maintenance_of = [&](std::vector<Interval> w) {
    return Eval(spec, day, c, w).maintenance_intervals;
  };
  // [09:50, 10:00) covers the 09:50 and 09:55 intervals, not 10:00.
  EXPECT_EQ(maintenance_of({Minutes("2024-01-01T09:50:00Z", 10)}), 2);
  // [10:02, 10:13) touches 10:00, 10:05 and 10:10.
  EXPECT_EQ(maintenance_of({Minutes("2024-01-01T10:02:00Z", 11)}), 3);
  // One second inside an interval is enough.
  EXPECT_EQ(maintenance_of({Interval{T("2024-01-01T10:00:30Z"),
                                     T("2024-01-01T10:00:31Z")}}),
            1);
  // An empty window covers nothing.
  EXPECT_EQ(maintenance_of({Interval{T("2024-01-01T10:00:30Z"),
                                     T("2024-01-01T10:00:30Z")}}),
            0);
}

TEST(EvaluateContractTest, OverlappingMaintenanceWindowsCountOnce) {
  const ContractSpec spec = Spec();
  const Interval day = Minutes("2024-01-01T00:00:00Z", 1440);
  const std::vector<Interval> maint = {
      Minutes("2024-01-01T10:20:00Z", 25),  // 10:20-10:45, listed first
      Minutes("2024-01-01T10:00:00Z", 30),  // 10:00-10:30
      Minutes("2024-01-01T10:05:00Z", 5),   // inside the previous one
      Minutes("2024-01-01T10:00:00Z", 30),  // duplicate
      Minutes("2023-12-31T23:50:00Z", 20),  // 10 minutes before the period
      Minutes("2023-12-30T00:00:00Z", 60),  // entirely before it
      Minutes("2024-01-02T00:00:00Z", 60),  // entirely after it
  };
  const ContractResult r = Eval(spec, day, AllUp(1440), maint);
  // 10:00-10:45 (45) + 00:00-00:10 (10).
  EXPECT_EQ(r.maintenance_intervals, 55);
  EXPECT_EQ(r.excluded_intervals, 55);
  EXPECT_EQ(r.uptime_percent, 100);
}

// ---------------------------------------------------------------------------
// Incidents and month boundaries

TEST(EvaluateContractTest, IncidentsMergeConsecutiveDownIntervals) {
  // 10 minutes: down 2,3,4; up 5; down 6; maintenance 7; down 8,9.
  std::vector<Counts> c = AllUp(10);
  for (int i : {2, 3, 4, 6, 8, 9}) c[i] = {0, 1};
  const ContractResult r = Eval(Spec(), Minutes("2024-01-01T00:00:00Z", 10), c,
                                {Minutes("2024-01-01T00:07:00Z", 1)});
  EXPECT_EQ(r.down_intervals, 6);
  EXPECT_EQ(r.excluded_intervals, 1);
  ASSERT_EQ(r.incidents.size(), 3u);
  EXPECT_INTERVAL(r.incidents[0].span, "2024-01-01T00:02:00Z",
                  "2024-01-01T00:05:00Z");
  EXPECT_EQ(r.incidents[0].minutes, 3);
  EXPECT_EQ(r.incidents[0].intervals, 3);
  EXPECT_INTERVAL(r.incidents[1].span, "2024-01-01T00:06:00Z",
                  "2024-01-01T00:07:00Z");
  EXPECT_EQ(r.incidents[1].minutes, 1);
  // An excluded interval ends a run; a run reaching the period end closes.
  EXPECT_INTERVAL(r.incidents[2].span, "2024-01-01T00:08:00Z",
                  "2024-01-01T00:10:00Z");
  EXPECT_EQ(r.incidents[2].minutes, 2);
}

// One probe per minute; every probe in [outage.from, outage.to) fails.
Counts SourceCounts(const Interval& iv, const Interval& outage) {
  const int64_t minutes = iv.length() / absl::Minutes(1);
  const absl::Time from = std::max(iv.from, outage.from);
  const absl::Time to = std::min(iv.to, outage.to);
  const int64_t bad = from < to ? (to - from) / absl::Minutes(1) : 0;
  return Counts{minutes - bad, minutes};
}

std::vector<Counts> Fetch(const IntervalGrid& g, const Interval& outage) {
  std::vector<Counts> c;
  for (int k = 0; k < g.count; ++k) c.push_back(SourceCounts(g.At(k), outage));
  return c;
}

TEST(EvaluateContractTest, OutageAcrossMonthBoundarySplitsByPeriod) {
  // Outage 2024-01-31 23:50 .. 2024-02-01 00:20 UTC: 10 minutes in January,
  // 20 in February.
  const Interval outage = Minutes("2024-01-31T23:50:00Z", 30);
  ContractSpec spec = Spec();
  const Interval jan = ContractPeriod(spec, T("2024-01-31T23:55:00Z"));
  const Interval feb = ContractPeriod(spec, T("2024-02-01T00:05:00Z"));
  EXPECT_EQ(feb.from, jan.to);

  const ContractResult rj = Eval(spec, jan, Fetch(Grid(spec, jan), outage));
  EXPECT_EQ(rj.down_intervals, 10);
  EXPECT_EQ(rj.downtime_minutes, 10);
  EXPECT_EQ(rj.uptime_percent, 100.0 * 44630 / 44640);
  ASSERT_EQ(rj.incidents.size(), 1u);
  EXPECT_INTERVAL(rj.incidents[0].span, "2024-01-31T23:50:00Z",
                  "2024-02-01T00:00:00Z");

  const ContractResult rf = Eval(spec, feb, Fetch(Grid(spec, feb), outage));
  EXPECT_EQ(rf.down_intervals, 20);
  EXPECT_EQ(rf.downtime_minutes, 20);
  EXPECT_EQ(rf.uptime_percent, 100.0 * 41740 / 41760);
  ASSERT_EQ(rf.incidents.size(), 1u);
  EXPECT_INTERVAL(rf.incidents[0].span, "2024-02-01T00:00:00Z",
                  "2024-02-01T00:20:00Z");

  // Hourly intervals: January's last hour and February's first are down.
  spec.interval = absl::Hours(1);
  const ContractResult hj = Eval(spec, jan, Fetch(Grid(spec, jan), outage));
  EXPECT_EQ(hj.intervals, 744);
  EXPECT_EQ(hj.down_intervals, 1);
  EXPECT_EQ(hj.downtime_minutes, 60);
  EXPECT_INTERVAL(hj.incidents.at(0).span, "2024-01-31T23:00:00Z",
                  "2024-02-01T00:00:00Z");
  const ContractResult hf = Eval(spec, feb, Fetch(Grid(spec, feb), outage));
  EXPECT_EQ(hf.intervals, 696);
  EXPECT_EQ(hf.down_intervals, 1);
  EXPECT_INTERVAL(hf.incidents.at(0).span, "2024-02-01T00:00:00Z",
                  "2024-02-01T01:00:00Z");
}

// ---------------------------------------------------------------------------
// Request-based

TEST(EvaluateContractTest, RequestBasedAveragesIntervalErrorRates) {
  ContractSpec spec = Spec();
  spec.method = DowntimeMethod::kRequestBased;
  spec.interval = absl::Hours(1);
  const Interval p = Minutes("2024-01-01T00:00:00Z", 240);
  // Error rates 0, 0.5, 0 and an hour without requests (0 %):
  // (0 + 0.5 + 0 + 0) / 4 = 0.125 -> uptime 87.5 %.
  const std::vector<Counts> c = {{10, 10}, {5, 10}, {20, 20}, {0, 0}};
  ContractResult r = Eval(spec, p, c);
  EXPECT_EQ(r.method, DowntimeMethod::kRequestBased);
  EXPECT_EQ(r.average_error_rate, 0.125);
  EXPECT_EQ(r.uptime_percent, 87.5);
  EXPECT_FALSE(r.met);
  EXPECT_EQ(r.credit_percent, 100);  // 87.5 < 95
  EXPECT_EQ(r.intervals, 4);
  EXPECT_EQ(r.no_data_intervals, 1);
  EXPECT_EQ(r.excluded_intervals, 0);
  // Informational: the hour with errors (max_error_ratio 0) is down.
  EXPECT_EQ(r.down_intervals, 1);
  EXPECT_EQ(r.downtime_minutes, 60);
  ASSERT_EQ(r.incidents.size(), 1u);
  EXPECT_INTERVAL(r.incidents[0].span, "2024-01-01T01:00:00Z",
                  "2024-01-01T02:00:00Z");

  // No-request hour excluded: 0.5 / 3 -> uptime 100 * 5/6.
  spec.no_data = NoDataPolicy::kExcluded;
  r = Eval(spec, p, c);
  EXPECT_EQ(r.average_error_rate, 1.0 / 6);
  EXPECT_EQ(r.uptime_percent, 500.0 / 6);
  // No-request hour as 100 % error: (0.5 + 1) / 4 = 0.375 -> 62.5.
  spec.no_data = NoDataPolicy::kDown;
  r = Eval(spec, p, c);
  EXPECT_EQ(r.average_error_rate, 0.375);
  EXPECT_EQ(r.uptime_percent, 62.5);
  EXPECT_EQ(r.down_intervals, 2);

  // Maintenance over the 0.5 hour: excluded -> 0 / 3; as downtime -> that
  // hour counts 100 %: (0 + 1 + 0 + 0) / 4 = 0.25.
  spec.no_data = NoDataPolicy::kUp;
  const std::vector<Interval> maint = {Minutes("2024-01-01T01:10:00Z", 5)};
  r = Eval(spec, p, c, maint);
  EXPECT_EQ(r.average_error_rate, 0);
  EXPECT_EQ(r.uptime_percent, 100);
  EXPECT_TRUE(r.met);
  spec.maintenance_counts_as_downtime = true;
  r = Eval(spec, p, c, maint);
  EXPECT_EQ(r.average_error_rate, 0.25);
  EXPECT_EQ(r.uptime_percent, 75);
}

TEST(EvaluateContractTest, RequestBasedThresholdIsExact) {
  ContractSpec spec = Spec();
  spec.method = DowntimeMethod::kRequestBased;
  const Interval p = Minutes("2024-01-01T00:00:00Z", 2000);
  // Three minutes with 1 of 3 requests failed: 1/3 * 3 = 1, average
  // 1 / 2000 = 0.0005 -> uptime 99.95 % exactly: met.
  std::vector<Counts> c = AllUp(2000, 3);
  c[10] = c[20] = c[30] = {2, 3};
  ContractResult r = Eval(spec, p, c);
  EXPECT_EQ(r.average_error_rate, 0.0005);
  EXPECT_EQ(r.uptime_percent, 99.95);
  EXPECT_TRUE(r.met);
  EXPECT_EQ(r.credit_percent, 0);
  // One more request failed in a 7-request minute: average
  // (1 + 1/7) / 2000 -> 99.94285714... -> 10 %.
  c[40] = {6, 7};
  r = Eval(spec, p, c);
  EXPECT_FALSE(r.met);
  EXPECT_EQ(r.credit_percent, 10);
  EXPECT_EQ(r.uptime_percent, 100.0 * (14000 - 8) / 14000);
}

TEST(EvaluateContractTest, RequestBasedMetIsDecidedOnTheExactSum) {
  // 8000 minutes; 8 with half their requests failed (sum 4) and one with 1
  // failure among T = 2^63 - 1 requests: average (4 + 1/T) / 8000, a hair
  // above 1/2000, so the uptime is just below 99.95 % and not met. In long
  // double, 4 + 1/T rounds to 4 (and the uptime to exactly 99.95 as a
  // double): only the exact sum, denominator 2T < 2^64, decides correctly.
  ContractSpec spec = Spec();
  spec.method = DowntimeMethod::kRequestBased;
  constexpr int64_t kT = std::numeric_limits<int64_t>::max();
  std::vector<Counts> c = AllUp(8000, 2);
  for (int i = 0; i < 8; ++i) c[i * 10] = {1, 2};
  c[5] = {kT - 1, kT};
  const ContractResult r = Eval(spec, Minutes("2024-01-01T00:00:00Z", 8000), c);
  EXPECT_EQ(r.uptime_percent, 99.95);  // rounded
  EXPECT_FALSE(r.met);                 // exact
  EXPECT_EQ(r.credit_percent, 10);
  // Without that one failure it is exactly 99.95 %: met.
  c[5] = {kT, kT};
  EXPECT_TRUE(Eval(spec, Minutes("2024-01-01T00:00:00Z", 8000), c).met);
}

TEST(EvaluateContractTest, RequestBasedWithHugeDenominatorsStaysAccurate) {
  // Totals that are distinct primes near 10^6: the exact common denominator
  // exceeds 64 bits, so the compensated long double sum is used.
  ContractSpec spec = Spec();
  spec.method = DowntimeMethod::kRequestBased;
  const int64_t primes[] = {1000003, 1000033, 1000037,
                            1000039, 1000081, 1000099};
  std::vector<Counts> c(6);
  long double sum = 0;
  for (int i = 0; i < 6; ++i) {
    c[i] = {primes[i] - 30000, primes[i]};  // about 3 % errors each
    sum += 30000.0L / primes[i];
  }
  const ContractResult r = Eval(spec, Minutes("2024-01-01T00:00:00Z", 6), c);
  const double expected = static_cast<double>(sum / 6);  // ~0.0299984
  EXPECT_NEAR(r.average_error_rate, expected, 1e-16);
  EXPECT_NEAR(r.uptime_percent, 100 - 100 * expected, 1e-12);
  EXPECT_FALSE(r.met);
  EXPECT_EQ(r.credit_percent, 25);  // ~97.0 %: below 99, not below 95
}

// ---------------------------------------------------------------------------
// Validation and argument errors

void ExpectInvalid(const ContractSpec& spec, const std::string& field) {
  const absl::Status s = ValidateContract(spec);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << field;
  EXPECT_THAT(s.message(), HasSubstr(field));
}

TEST(ValidateContractTest, AcceptsUsualContracts) {
  EXPECT_TRUE(ValidateContract(Spec()).ok());
  ContractSpec s = Spec(99.9);
  s.credits = {{99.9, 10}, {99, 25}, {95, 100}};
  s.interval = absl::Hours(24);
  s.max_error_ratio = 0.05;
  EXPECT_TRUE(ValidateContract(s).ok());
  s.credits.clear();
  EXPECT_TRUE(ValidateContract(s).ok());
  s.credits = {{99, 10}, {98, 10}};  // equal credits are fine
  EXPECT_TRUE(ValidateContract(s).ok());
}

TEST(ValidateContractTest, NamesTheField) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (double c : {0.0, 100.0, -1.0, 150.0, nan}) {
    ExpectInvalid(Spec(c), "commitment_percent");
  }
  ExpectInvalid(Spec(99.999999999), "commitment_percent");  // rounds to 100

  for (absl::Duration d :
       {absl::ZeroDuration(), absl::Minutes(-5), absl::Minutes(7),
        absl::Seconds(90), absl::Hours(48), absl::Minutes(25)}) {
    ContractSpec s = Spec();
    s.interval = d;
    ExpectInvalid(s, "interval");
  }
  for (double r : {-0.1, 1.0, 1.5, nan, 0.9999999999}) {
    ContractSpec s = Spec();
    s.max_error_ratio = r;
    ExpectInvalid(s, "max_error_ratio");
  }

  ContractSpec s = Spec();
  s.credits = {{99.95, 10}, {99.95, 25}};
  ExpectInvalid(s, "credits[1].below_percent");  // not strictly decreasing
  s.credits = {{99, 10}, {99.5, 25}};
  ExpectInvalid(s, "credits[1].below_percent");
  s.credits = {{99.95, 25}, {99, 10}};
  ExpectInvalid(s, "credits[1].credit_percent");  // credit decreasing
  s.credits = {{99.95, 0}};
  ExpectInvalid(s, "credits[0].credit_percent");
  s.credits = {{99.95, 100.5}};
  ExpectInvalid(s, "credits[0].credit_percent");
  s.credits = {{99.95, 10}, {0, 100}};
  ExpectInvalid(s, "credits[1].below_percent");
  s.credits = {{99.99, 10}};  // above the 99.95 commitment: never applies
  ExpectInvalid(s, "credits[0].below_percent");

  s = Spec();
  s.no_data = static_cast<NoDataPolicy>(7);
  ExpectInvalid(s, "no_data");
  s = Spec();
  s.method = static_cast<DowntimeMethod>(7);
  ExpectInvalid(s, "method");
}

TEST(EvaluateContractTest, RejectsBadArguments) {
  const ContractSpec spec = Spec();
  const Interval day = Minutes("2024-01-01T00:00:00Z", 1440);
  absl::StatusOr<ContractResult> r = EvaluateContract(spec, day, AllUp(10), {});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(),
              AllOf(HasSubstr("10 entries"), HasSubstr("1440 intervals")));

  std::vector<Counts> c = AllUp(1440);
  c[3] = {5, 3};
  r = EvaluateContract(spec, day, c, {});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("per_interval[3]"));
  c[3] = {-1, 3};
  EXPECT_FALSE(EvaluateContract(spec, day, c, {}).ok());

  const std::vector<Interval> reversed = {
      Minutes("2024-01-01T10:00:00Z", 10),
      Interval{T("2024-01-01T12:00:00Z"), T("2024-01-01T11:00:00Z")}};
  r = EvaluateContract(spec, day, AllUp(1440), reversed);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("maintenance[1]"));

  ContractSpec bad = spec;
  bad.commitment_percent = 0;
  r = EvaluateContract(bad, day, AllUp(1440), {});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("commitment_percent"));
}

TEST(ContractEnumsTest, ParseAndName) {
  for (NoDataPolicy p :
       {NoDataPolicy::kUp, NoDataPolicy::kDown, NoDataPolicy::kExcluded}) {
    absl::StatusOr<NoDataPolicy> back = ParseNoDataPolicy(NoDataPolicyName(p));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, p);
  }
  EXPECT_EQ(NoDataPolicyName(NoDataPolicy::kExcluded), "excluded");
  EXPECT_EQ(*ParseNoDataPolicy("DOWN"), NoDataPolicy::kDown);
  EXPECT_THAT(ParseNoDataPolicy("maybe").status().message(),
              HasSubstr("maybe"));

  EXPECT_EQ(DowntimeMethodName(DowntimeMethod::kRequestBased), "request_based");
  EXPECT_EQ(*ParseDowntimeMethod("request-based"),
            DowntimeMethod::kRequestBased);
  EXPECT_EQ(*ParseDowntimeMethod("Interval"), DowntimeMethod::kInterval);
  EXPECT_FALSE(ParseDowntimeMethod("minutes").ok());
}

}  // namespace
}  // namespace sla
