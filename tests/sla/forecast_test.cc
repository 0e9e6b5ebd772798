#include "sla/forecast.h"

#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "sla/clock.h"
#include "sla/engine.h"

namespace sla {
namespace {

absl::Time T(const char* rfc3339) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err)) << err;
  return t;
}

class ForecastTest : public ::testing::Test {
 protected:
  // One result a minute for the 30 days before `at_`; `bad(i)` for the
  // minute i minutes before at_ (1 = the last minute).
  template <typename Bad>
  void Feed(Bad bad) {
    std::vector<ProbeResult> batch;
    for (int i = 30 * 24 * 60; i >= 1; --i) {
      batch.push_back(
          {sli_, absl::ToUnixMillis(at_ - absl::Minutes(i)), !bad(i), 1});
    }
    ASSERT_TRUE(engine_.Ingest(batch).ok());
  }
  ObjectiveId Objective(const std::string& window, double target = 99) {
    ObjectiveSpec spec;
    spec.service = "web";
    spec.name = "availability " + window;
    spec.window = window;
    spec.target_percent = target;
    return engine_.AddObjective(spec).value();
  }

  absl::Time at_ = T("2024-03-31T12:00:30Z");  // floored to 12:00
  FakeClock clock_{at_};
  Engine engine_{[this] {
    EngineOptions o;
    o.clock = &clock_;
    return o;
  }()};
  SliId sli_ = engine_.AddSli({"web", "home"}).value();
};

TEST_F(ForecastTest, ConstantBurnOfTheLastSixHours) {
  // 36 bad minutes, all in the last 6 hours: minutes 10, 20, ..., 360.
  Feed([](int i) { return i % 10 == 0 && i <= 360; });
  const ObjectiveId id = Objective("30d");
  absl::StatusOr<ExhaustionForecast> f = ForecastExhaustion(engine_, id, at_);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->estimator, "burn rate over the last 6h, held constant");
  // 6h: 36 bad of 360 = 10 % against a 1 % budget: burn 10.
  EXPECT_EQ(f->trend_counts.good, 324);
  EXPECT_EQ(f->trend_counts.total, 360);
  EXPECT_DOUBLE_EQ(f->burn_rate, 10);
  // 30d: 43,200 events, 432 allowed, 36 spent: 11/12 left.
  EXPECT_DOUBLE_EQ(f->budget_remaining, 11.0 / 12);
  // 11/12 x 30 days / 10 = 2.75 days = 66 h after 12:00.
  ASSERT_TRUE(f->exhaustion.has_value());
  EXPECT_EQ(*f->exhaustion, T("2024-04-03T06:00:00Z"));
}

TEST_F(ForecastTest, NoFailureInTheTrendWindowForecastsNothing) {
  // Failures long ago only: budget partly spent, nothing burning now.
  Feed([](int i) { return i > 10000 && i % 100 == 0; });
  absl::StatusOr<ExhaustionForecast> f =
      ForecastExhaustion(engine_, Objective("30d"), at_);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->burn_rate, 0);
  EXPECT_LT(f->budget_remaining, 1);
  EXPECT_FALSE(f->exhaustion.has_value());
}

TEST_F(ForecastTest, SpentBudgetIsExhaustedNow) {
  Feed([](int i) { return i % 50 == 0; });  // 2 % bad against 1 %
  absl::StatusOr<ExhaustionForecast> f =
      ForecastExhaustion(engine_, Objective("30d"), at_);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_LT(f->budget_remaining, 0);
  ASSERT_TRUE(f->exhaustion.has_value());
  EXPECT_EQ(*f->exhaustion, T("2024-03-31T12:00:00Z"));  // floored
}

TEST_F(ForecastTest, CalendarWindowUsesThePeriodLength) {
  Feed([](int i) { return i % 10 == 0 && i <= 360; });
  // March 2024 to date (30.5 days of data, 43,200 events all in March
  // except none: the feed starts 2024-03-01T12:00): allowance 432, 36 spent.
  const ObjectiveId id = Objective("month");
  absl::StatusOr<ExhaustionForecast> f = ForecastExhaustion(engine_, id, at_);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_DOUBLE_EQ(f->budget_remaining, 11.0 / 12);
  // 11/12 x 31 days / 10 = 2.841666... days = 68 h 12 min.
  ASSERT_TRUE(f->exhaustion.has_value());
  EXPECT_EQ(*f->exhaustion, T("2024-04-03T08:12:00Z"));
}

TEST_F(ForecastTest, Errors) {
  EXPECT_TRUE(absl::IsNotFound(ForecastExhaustion(engine_, 99, at_).status()));
  Feed([](int) { return false; });
  EXPECT_TRUE(absl::IsInvalidArgument(
      ForecastExhaustion(engine_, Objective("30d"), at_, absl::Seconds(30))
          .status()));
}

}  // namespace
}  // namespace sla
