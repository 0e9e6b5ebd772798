#include "sla/objective.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sla {
namespace {

using ::testing::HasSubstr;

Target Pct(double percent) {
  absl::StatusOr<Target> t = Target::FromPercent(percent);
  EXPECT_TRUE(t.ok()) << percent << ": " << t.status();
  return t.value();
}

// Counts from a number of bad events out of a total.
Counts Bad(int64_t bad, int64_t total) { return Counts{total - bad, total}; }

// |actual - expected| <= rel * |expected|.
void ExpectRel(double actual, double expected, double rel) {
  EXPECT_LE(std::fabs(actual - expected), rel * std::fabs(expected))
      << "actual " << actual << " expected " << expected;
}

constexpr absl::Duration k30d = absl::Hours(24 * 30);

// ---------------------------------------------------------------------------
// Counts

TEST(CountsTest, BadRatioAndSum) {
  Counts c{.good = 997, .total = 1000};
  EXPECT_EQ(c.bad(), 3);
  EXPECT_EQ(c.ratio(), 0.997);
  EXPECT_EQ(Counts{}.ratio(), 1.0);
  c += Counts{.good = 3, .total = 1000};
  EXPECT_EQ(c, (Counts{.good = 1000, .total = 2000}));
  EXPECT_EQ(c.ratio(), 0.5);
}

// ---------------------------------------------------------------------------
// Target

TEST(TargetTest, FromPercentIsExactReducedFraction) {
  const Target t999 = Pct(99.9);
  EXPECT_EQ(t999.numerator(), 999);
  EXPECT_EQ(t999.denominator(), 1000);
  const Target t9995 = Pct(99.95);
  EXPECT_EQ(t9995.numerator(), 1999);
  EXPECT_EQ(t9995.denominator(), 2000);
  const Target t9999 = Pct(99.99);
  EXPECT_EQ(t9999.numerator(), 9999);
  EXPECT_EQ(t9999.denominator(), 10000);
  const Target t99 = Pct(99);
  EXPECT_EQ(t99.numerator(), 99);
  EXPECT_EQ(t99.denominator(), 100);
  const Target t50 = Pct(50);
  EXPECT_EQ(t50.numerator(), 1);
  EXPECT_EQ(t50.denominator(), 2);
  const Target t97 = Pct(97);
  EXPECT_EQ(t97.numerator(), 97);
  EXPECT_EQ(t97.denominator(), 100);
  // 7 decimals of a percent = 9 decimals of a fraction.
  const Target t7 = Pct(99.9999999);
  EXPECT_EQ(t7.numerator(), 999999999);
  EXPECT_EQ(t7.denominator(), 1000000000);
}

TEST(TargetTest, FractionAndBudgetFraction) {
  EXPECT_EQ(Pct(99.9).fraction(), 0.999);
  EXPECT_EQ(Pct(99.9).budget_fraction(), 0.001);
  EXPECT_EQ(Pct(99.95).fraction(), 0.9995);
  EXPECT_EQ(Pct(99.95).budget_fraction(), 0.0005);
  EXPECT_EQ(Pct(99.99).budget_fraction(), 0.0001);
  EXPECT_EQ(Pct(99).budget_fraction(), 0.01);
}

TEST(TargetTest, FromFractionMatchesFromPercent) {
  const Target f = Target::FromFraction(0.999).value();
  const Target p = Pct(99.9);
  EXPECT_EQ(f.numerator(), p.numerator());
  EXPECT_EQ(f.denominator(), p.denominator());
  EXPECT_EQ(f.numerator(), 999);
  EXPECT_EQ(f.denominator(), 1000);
  const Target f2 = Target::FromFraction(0.9995).value();
  EXPECT_EQ(f2.numerator(), 1999);
  EXPECT_EQ(f2.denominator(), 2000);
  const Target f3 = Target::FromFraction(0.123456789).value();
  EXPECT_EQ(f3.numerator(), 123456789);
  EXPECT_EQ(f3.denominator(), 1000000000);
}

void ExpectPercentError(double percent, absl::string_view shown) {
  const absl::StatusOr<Target> t = Target::FromPercent(percent);
  ASSERT_FALSE(t.ok()) << percent;
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr(absl::StrCat("target ", shown)));
}

TEST(TargetTest, FromPercentRejects) {
  ExpectPercentError(0, "0 is not a percentage in (0, 100)");
  ExpectPercentError(100, "100 is not a percentage in (0, 100)");
  ExpectPercentError(100.5, "100.5 is not a percentage in (0, 100)");
  ExpectPercentError(-1, "-1 is not a percentage in (0, 100)");
  ExpectPercentError(std::numeric_limits<double>::quiet_NaN(),
                     "nan is not a percentage");
  ExpectPercentError(std::numeric_limits<double>::infinity(),
                     "inf is not a percentage");
  ExpectPercentError(-std::numeric_limits<double>::infinity(),
                     "-inf is not a percentage");
  // Inside (0, 100) but 0 or 100 at 7 decimals.
  ExpectPercentError(1e-9, "1e-09% rounds to 0 or 100");
  // (StrCat prints 99.999999999 with 6 significant digits, as "100".)
  ExpectPercentError(99.999999999,
                     "99.999999999% rounds to 0 or 100 at 7 decimal");
}

void ExpectFractionError(double fraction, absl::string_view shown) {
  const absl::StatusOr<Target> t = Target::FromFraction(fraction);
  ASSERT_FALSE(t.ok()) << fraction;
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr(absl::StrCat("target ", shown)));
}

TEST(TargetTest, FromFractionRejects) {
  ExpectFractionError(0, "0 is not a fraction in (0, 1)");
  ExpectFractionError(1, "1 is not a fraction in (0, 1)");
  ExpectFractionError(1.5, "1.5 is not a fraction in (0, 1)");
  ExpectFractionError(-0.5, "-0.5 is not a fraction in (0, 1)");
  ExpectFractionError(std::numeric_limits<double>::quiet_NaN(), "nan is not");
  ExpectFractionError(std::numeric_limits<double>::infinity(), "inf is not");
  ExpectFractionError(1e-12, "1e-12 rounds to 0 or 1 at 9 decimal places");
}

// ---------------------------------------------------------------------------
// ComputeBudget

TEST(ComputeBudgetTest, HeaderExampleExactlyOnBudget) {
  // 99.9% of 3,000,000 allows 3000 bad.
  const BudgetNumbers b =
      ComputeBudget(Counts{.good = 2'997'000, .total = 3'000'000}, Pct(99.9));
  EXPECT_EQ(b.good, 2'997'000);
  EXPECT_EQ(b.total, 3'000'000);
  EXPECT_EQ(b.bad, 3000);
  EXPECT_EQ(b.availability, 0.999);
  EXPECT_EQ(b.allowed_bad, 3000.0);
  EXPECT_EQ(b.consumed, 1.0);
  EXPECT_EQ(b.remaining, 0.0);
}

TEST(ComputeBudgetTest, HalfConsumed) {
  const BudgetNumbers b = ComputeBudget(Bad(1500, 3'000'000), Pct(99.9));
  EXPECT_EQ(b.bad, 1500);
  EXPECT_EQ(b.availability, 0.9995);  // 2998500 / 3000000
  EXPECT_EQ(b.allowed_bad, 3000.0);
  EXPECT_EQ(b.consumed, 0.5);
  EXPECT_EQ(b.remaining, 0.5);
}

// SRE workbook, "Implementing SLOs", the starter example: 3663253 requests,
// 3557865 successful.
TEST(ComputeBudgetTest, SreWorkbookStarterExample) {
  const Counts c{.good = 3557865, .total = 3663253};
  const BudgetNumbers b97 = ComputeBudget(c, Pct(97));
  EXPECT_EQ(b97.bad, 105388);
  EXPECT_NEAR(b97.availability, 0.971231, 1e-6);
  EXPECT_EQ(b97.availability, 3557865.0 / 3663253.0);
  // 3663253 * 3 / 100 = 10989759 / 100.
  EXPECT_EQ(b97.allowed_bad, 109897.59);
  EXPECT_EQ(std::floor(b97.allowed_bad), 109897.0);
  // consumed = 105388 * 100 / 10989759 = 10538800 / 10989759;
  // remaining = 450959 / 10989759.
  EXPECT_EQ(b97.consumed, 0.9589655241757349);
  EXPECT_EQ(b97.remaining, 0.041034475824265115);

  const BudgetNumbers b90 = ComputeBudget(c, Pct(90));
  EXPECT_EQ(b90.allowed_bad, 366325.3);  // 3663253 / 10
  const BudgetNumbers b99 = ComputeBudget(c, Pct(99));
  EXPECT_EQ(b99.allowed_bad, 36632.53);  // 3663253 / 100
  // consumed = 105388 * 100 / 3663253.
  EXPECT_EQ(b99.consumed, 2.8768965725272047);
  EXPECT_EQ(b99.remaining, 1.0 - 2.8768965725272047);
}

TEST(ComputeBudgetTest, BudgetTimeInOneMinuteSlices) {
  // 30 days = 43200 minutes; 0.1% of that is 43.2 bad minutes.
  EXPECT_EQ(ComputeBudget(Bad(0, 43200), Pct(99.9)).allowed_bad, 43.2);
  // A week = 10080 minutes; 0.05% is 5.04.
  EXPECT_EQ(ComputeBudget(Bad(0, 10080), Pct(99.95)).allowed_bad, 5.04);
  // 0.01% of 43200 = 4.32.
  EXPECT_EQ(ComputeBudget(Bad(0, 43200), Pct(99.99)).allowed_bad, 4.32);
  // 28 days = 40320 minutes; 0.1% = 40.32.
  EXPECT_EQ(ComputeBudget(Bad(0, 40320), Pct(99.9)).allowed_bad, 40.32);
  // 43 bad minutes of 43.2: 43000 / 43200.
  const BudgetNumbers b = ComputeBudget(Bad(43, 43200), Pct(99.9));
  EXPECT_EQ(b.consumed, 0.9953703703703703);
  EXPECT_EQ(b.remaining, 200.0 / 43200.0);  // (43200 - 43000) / 43200
}

TEST(ComputeBudgetTest, EmptyCountsConsumeNothing) {
  const BudgetNumbers b = ComputeBudget(Counts{}, Pct(99.9));
  EXPECT_EQ(b.good, 0);
  EXPECT_EQ(b.total, 0);
  EXPECT_EQ(b.bad, 0);
  EXPECT_EQ(b.availability, 1.0);
  EXPECT_EQ(b.allowed_bad, 0.0);
  EXPECT_EQ(b.consumed, 0.0);
  EXPECT_EQ(b.remaining, 1.0);
}

TEST(ComputeBudgetTest, NoBadEvents) {
  const BudgetNumbers b = ComputeBudget(Bad(0, 1000), Pct(99.9));
  EXPECT_EQ(b.availability, 1.0);
  EXPECT_EQ(b.allowed_bad, 1.0);
  EXPECT_EQ(b.consumed, 0.0);
  EXPECT_EQ(b.remaining, 1.0);
}

TEST(ComputeBudgetTest, OverspentGivesNegativeRemaining) {
  // 3 bad of 1000 at 99.9%: 1 allowed, 3x consumed, remaining 1 - 3 = -2.
  const BudgetNumbers b = ComputeBudget(Bad(3, 1000), Pct(99.9));
  EXPECT_EQ(b.allowed_bad, 1.0);
  EXPECT_EQ(b.consumed, 3.0);
  EXPECT_EQ(b.remaining, -2.0);
  // All bad: 1000x consumed.
  const BudgetNumbers all = ComputeBudget(Bad(1000, 1000), Pct(99.9));
  EXPECT_EQ(all.availability, 0.0);
  EXPECT_EQ(all.consumed, 1000.0);
  EXPECT_EQ(all.remaining, -999.0);
  // 4500 bad of 3,000,000: 1.5 consumed, remaining -0.5.
  const BudgetNumbers half = ComputeBudget(Bad(4500, 3'000'000), Pct(99.9));
  EXPECT_EQ(half.consumed, 1.5);
  EXPECT_EQ(half.remaining, -0.5);
}

TEST(ComputeBudgetTest, HugeCountsStayExact) {
  // total 4e12 at 99.9%: allowed 4e9; bad 3e9 + 7 consumes
  // (3e12 + 7000) / 4e12 = 0.75000000175.
  const int64_t total = 4'000'000'000'000;
  const BudgetNumbers b = ComputeBudget(Bad(3'000'000'007, total), Pct(99.9));
  EXPECT_EQ(b.allowed_bad, 4e9);
  ExpectRel(b.consumed, 0.75000000175, 1e-15);
  ExpectRel(b.remaining, 0.24999999825, 1e-15);
  EXPECT_EQ(b.consumed, 0.75000000175);
  EXPECT_EQ(b.remaining, 0.24999999825);

  // 99.9999999% (slack 1 / 1e9): bad * 1e9 exceeds 2^53.
  // consumed = (1e12 + 1) * 1e9 / 4e12 = 250000000.00025.
  const BudgetNumbers h =
      ComputeBudget(Bad(1'000'000'000'001, total), Pct(99.9999999));
  EXPECT_EQ(h.allowed_bad, 4000.0);
  ExpectRel(h.consumed, 250000000.00025, 1e-15);
  ExpectRel(h.remaining, -249999999.00025, 1e-15);
  ExpectRel(h.availability, 0.74999999999975, 1e-15);  // (3e12 - 1) / 4e12
}

TEST(ComputeBudgetTest, CountsBeyondTwoToThe53) {
  // N = 2^53 + 1 does not fit a double's mantissa.
  const int64_t n = 9'007'199'254'740'993;
  const BudgetNumbers b = ComputeBudget(Bad(3, n), Pct(99.9));
  ExpectRel(b.availability, 0.9999999999999997, 1e-15);  // (N - 3) / N
  // Exactly: dividing the counts as doubles would round N to 2^53 and N - 3
  // to 2^53 - 2, giving 1 - 2^-52 = 0.9999999999999998 instead.
  EXPECT_EQ(b.availability, 0.9999999999999997);
  ExpectRel(b.allowed_bad, 9007199254740.992, 1e-15);   // N / 1000
  ExpectRel(b.consumed, 3.330669073875469e-13, 1e-15);  // 3000 / N
  ExpectRel(b.remaining, 0.9999999999996669, 1e-15);    // (N - 3000) / N

  // 9e18 total (close to INT64_MAX) with 9e15 bad: exactly on budget.
  const int64_t big = 9'000'000'000'000'000'000;
  const BudgetNumbers c =
      ComputeBudget(Bad(9'000'000'000'000'000, big), Pct(99.9));
  EXPECT_EQ(c.allowed_bad, 9e15);
  EXPECT_EQ(c.consumed, 1.0);
  EXPECT_EQ(c.remaining, 0.0);
  ExpectRel(c.availability, 0.999, 1e-15);
}

// ---------------------------------------------------------------------------
// BurnRate

TEST(BurnRateTest, SreWorkbookTable) {
  // Burn rate = error rate / (1 - 0.999).
  EXPECT_EQ(BurnRate(Bad(1, 1000), Pct(99.9)), 1.0);        // 0.1%
  EXPECT_EQ(BurnRate(Bad(2, 1000), Pct(99.9)), 2.0);        // 0.2%
  EXPECT_EQ(BurnRate(Bad(10, 1000), Pct(99.9)), 10.0);      // 1%
  EXPECT_EQ(BurnRate(Bad(1000, 1000), Pct(99.9)), 1000.0);  // 100%
  EXPECT_EQ(BurnRate(Bad(0, 1000), Pct(99.9)), 0.0);
}

TEST(BurnRateTest, EmptyIsZero) {
  EXPECT_EQ(BurnRate(Counts{}, Pct(99.9)), 0.0);
}

TEST(BurnRateTest, OtherTargets) {
  // 0.1% errors at 99.95% (budget 0.05%) burns 2x; at 99% burns 0.1x.
  EXPECT_EQ(BurnRate(Bad(1, 1000), Pct(99.95)), 2.0);
  EXPECT_EQ(BurnRate(Bad(1, 1000), Pct(99)), 0.1);
  // The starter example at 97%: (105388 / 3663253) / 0.03.
  EXPECT_EQ(BurnRate(Counts{.good = 3557865, .total = 3663253}, Pct(97)),
            0.9589655241757349);
}

// Multiwindow alert factors (SRE workbook ch. 5, Sloth): a burn rate b over
// a window w consumes b * w / 30d of a 30-day budget. One-minute results,
// 1000 requests a minute = 60000 an hour, at 99.9%: the 30-day budget is
// 720 h * 60000 * 0.001 = 43200 bad requests.
TEST(BurnRateTest, PageAndTicketFactors) {
  // 2% of the budget in 1 h: 864 bad of 60000 -> ratio 0.0144 -> burn 14.4.
  const Counts one_hour = Bad(864, 60'000);
  EXPECT_NEAR(BurnRate(one_hour, Pct(99.9)), 14.4, 1e-12);
  EXPECT_EQ(BurnRate(one_hour, Pct(99.9)), 14.4);
  EXPECT_EQ(ComputeBudget(Bad(864, 720 * 60'000), Pct(99.9)).consumed, 0.02);

  // 5% in 6 h: 2160 bad of 360000 -> burn 6.
  EXPECT_EQ(BurnRate(Bad(2160, 360'000), Pct(99.9)), 6.0);
  EXPECT_EQ(ComputeBudget(Bad(2160, 720 * 60'000), Pct(99.9)).consumed, 0.05);

  // 10% in 1 d (ticket): 4320 bad of 1440000 -> burn 3.
  EXPECT_EQ(BurnRate(Bad(4320, 1'440'000), Pct(99.9)), 3.0);
  EXPECT_EQ(ComputeBudget(Bad(4320, 720 * 60'000), Pct(99.9)).consumed, 0.1);

  // 10% in 3 d: 4320 bad of 4320000 -> burn 1.
  EXPECT_EQ(BurnRate(Bad(4320, 4'320'000), Pct(99.9)), 1.0);
}

// ---------------------------------------------------------------------------
// TimeToExhaustion

TEST(TimeToExhaustionTest, WholeBudgetAtConstantBurn) {
  EXPECT_EQ(TimeToExhaustion(1.0, 1, k30d), absl::Hours(24 * 30));
  EXPECT_EQ(TimeToExhaustion(1.0, 2, k30d), absl::Hours(24 * 15));
  EXPECT_EQ(TimeToExhaustion(1.0, 10, k30d), absl::Hours(24 * 3));
  // 30 d / 1000 = 2592 s = 43.2 min.
  EXPECT_EQ(TimeToExhaustion(1.0, 1000, k30d), absl::Seconds(2592));
  EXPECT_EQ(TimeToExhaustion(1.0, 14.4, k30d), absl::Hours(50));
}

TEST(TimeToExhaustionTest, PartialBudget) {
  EXPECT_EQ(TimeToExhaustion(0.5, 1, k30d), absl::Hours(24 * 15));
  EXPECT_EQ(TimeToExhaustion(0.5, 2, k30d), absl::Hours(24 * 7 + 12));
  EXPECT_EQ(TimeToExhaustion(0.25, 1, absl::Hours(24 * 28)),
            absl::Hours(24 * 7));
}

TEST(TimeToExhaustionTest, Limits) {
  EXPECT_EQ(TimeToExhaustion(1.0, 0, k30d), absl::InfiniteDuration());
  EXPECT_EQ(TimeToExhaustion(1.0, -1, k30d), absl::InfiniteDuration());
  EXPECT_EQ(TimeToExhaustion(0.0, 1, k30d), absl::ZeroDuration());
  EXPECT_EQ(TimeToExhaustion(-0.5, 1, k30d), absl::ZeroDuration());
  // An exhausted budget is exhausted even when nothing burns.
  EXPECT_EQ(TimeToExhaustion(0.0, 0, k30d), absl::ZeroDuration());
}

// ---------------------------------------------------------------------------
// Names

TEST(BudgetingMethodTest, ParseAndNameRoundTrip) {
  EXPECT_EQ(ParseBudgetingMethod("Occurrences").value(),
            BudgetingMethod::kOccurrences);
  EXPECT_EQ(ParseBudgetingMethod("occurrences").value(),
            BudgetingMethod::kOccurrences);
  EXPECT_EQ(ParseBudgetingMethod("TIMESLICES").value(),
            BudgetingMethod::kTimeslices);
  EXPECT_EQ(ParseBudgetingMethod("RatioTimeslices").value(),
            BudgetingMethod::kRatioTimeslices);
  EXPECT_EQ(BudgetingMethodName(BudgetingMethod::kOccurrences), "Occurrences");
  EXPECT_EQ(BudgetingMethodName(BudgetingMethod::kTimeslices), "Timeslices");
  EXPECT_EQ(BudgetingMethodName(BudgetingMethod::kRatioTimeslices),
            "RatioTimeslices");
  for (BudgetingMethod m :
       {BudgetingMethod::kOccurrences, BudgetingMethod::kTimeslices,
        BudgetingMethod::kRatioTimeslices}) {
    EXPECT_EQ(ParseBudgetingMethod(BudgetingMethodName(m)).value(), m);
  }
}

TEST(BudgetingMethodTest, ParseError) {
  for (absl::string_view text : {"", "Ratio", "ratio_timeslices", "events"}) {
    const absl::Status s = ParseBudgetingMethod(text).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(s.message(),
                HasSubstr(absl::StrCat("budgeting method '", text, "'")));
    EXPECT_THAT(s.message(),
                HasSubstr("Occurrences, Timeslices, RatioTimeslices"));
  }
}

TEST(SliKindTest, Names) {
  EXPECT_EQ(SliKindName(SliKind::kProbeSuccess), "probe_success");
  EXPECT_EQ(SliKindName(SliKind::kLatencyThreshold), "latency_threshold");
  EXPECT_EQ(SliKindName(SliKind::kEventRatio), "event_ratio");
}

}  // namespace
}  // namespace sla
