// Exact-value tests of sla::BuildMonthlyReport and its renderings, on
// hand-built months. Every configuration is parsed from YAML with
// sla::ParseConfig; results go into a real sla::Engine (one probe-success SLI
// per (service, probe), one result per minute stamped 30 s into the minute
// unless a test says otherwise) whose FakeClock stands in 2030, so nothing is
// "in the future". Every expected number carries its hand computation.

#include "sla/report.h"

#include <cstddef>
#include <cstdint>
#include <iostream>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sla/clock.h"
#include "sla/composite.h"
#include "sla/config.h"
#include "sla/contract.h"
#include "sla/engine.h"
#include "sla/objective.h"
#include "sla/remediation.h"
#include "sla/window.h"

namespace sla {

// Readable failure messages.
inline void PrintTo(const Counts& c, std::ostream* os) {
  *os << "{good=" << c.good << ", total=" << c.total << "}";
}
inline void PrintTo(const Interval& i, std::ostream* os) {
  *os << "[" << absl::FormatTime(i.from) << ", " << absl::FormatTime(i.to)
      << ")";
}

namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// ---------------------------------------------------------------- helpers

// An RFC 3339 instant, parsed with absl directly (not with sla code).
absl::Time T(const std::string& rfc3339) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err))
      << rfc3339 << ": " << err;
  return t;
}

// [from, to).
Interval Span(const std::string& from, const std::string& to) {
  return Interval{T(from), T(to)};
}

// "2024-01-01T00:00:00Z", formatted with absl directly.
std::string Utc(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

// The incidents of a contract result as "start..end=minutes" joined by "; ".
std::string Incidents(const ContractResult& r) {
  std::vector<std::string> parts;
  for (const Incident& i : r.incidents) {
    parts.push_back(
        absl::StrCat(Utc(i.span.from), "..", Utc(i.span.to), "=", i.minutes));
  }
  return absl::StrJoin(parts, "; ");
}

Counts C(int64_t good, int64_t total) { return Counts{good, total}; }

// `days` days of {per_day, per_day}, with the given exceptions
// (day index -> counts).
std::vector<Counts> Days(int days, int64_t per_day,
                         std::vector<std::pair<int, Counts>> exceptions) {
  std::vector<Counts> out(static_cast<size_t>(days), C(per_day, per_day));
  for (const auto& [day, counts] : exceptions) {
    out[static_cast<size_t>(day)] = counts;
  }
  return out;
}

Config MustParse(const std::string& yaml) {
  absl::StatusOr<Config> c = ParseConfig(yaml, "test.yaml");
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *std::move(c) : Config{};
}

class ReportTest : public ::testing::Test {
 protected:
  ReportTest() : clock_(T("2030-01-01T00:00:00Z")), engine_(Options(&clock_)) {}

  static EngineOptions Options(Clock* clock) {
    EngineOptions o;
    o.retention = absl::Hours(24 * 400);  // every test month and then some
    o.clock = clock;
    return o;
  }

  SliId Sli(const std::string& service, const std::string& probe) {
    absl::StatusOr<SliId> id = engine_.FindSli(service, probe);
    if (id.ok()) return *id;
    SliSpec spec;
    spec.service = service;
    spec.name = probe;
    spec.kind = SliKind::kProbeSuccess;
    id = engine_.AddSli(spec);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.value_or(0);
  }

  // One result per minute of [from, to), 30 s into the minute; failed when
  // the minute lies in one of `down`.
  void Feed(const std::string& service, const std::string& probe,
            absl::Time from, absl::Time to,
            const std::vector<Interval>& down = {}) {
    const SliId id = Sli(service, probe);
    std::vector<ProbeResult> batch;
    for (absl::Time t = from; t < to; t += absl::Minutes(1)) {
      bool ok = true;
      for (const Interval& d : down) {
        if (d.Contains(t)) ok = false;
      }
      batch.push_back(
          ProbeResult{id, absl::ToUnixMillis(t + absl::Seconds(30)), ok, 1.0});
    }
    absl::Status s = engine_.Ingest(batch);
    EXPECT_TRUE(s.ok()) << s;
  }

  MonthlyReport Build(const Config& config, absl::CivilMonth month) {
    absl::StatusOr<MonthlyReport> r =
        BuildMonthlyReport(engine_, config, month);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *std::move(r) : MonthlyReport{};
  }

  FakeClock clock_;
  Engine engine_;
};

// The service report named `name`; fails the test (and returns an empty
// report) when it is missing.
const ServiceReport& Svc(const MonthlyReport& r, const std::string& name) {
  static const ServiceReport* const kEmpty = new ServiceReport();
  for (const ServiceReport& s : r.services) {
    if (s.name == name) return s;
  }
  ADD_FAILURE() << "no service report '" << name << "'";
  return *kEmpty;
}

const ApplicationReport& App(const MonthlyReport& r, const std::string& name) {
  static const ApplicationReport* const kEmpty = new ApplicationReport();
  for (const ApplicationReport& a : r.applications) {
    if (a.name == name) return a;
  }
  ADD_FAILURE() << "no application report '" << name << "'";
  return *kEmpty;
}

// The contract result of a service; an empty result (that fails the test)
// when it has none.
const ContractResult& Result(const ServiceReport& s) {
  static const ContractResult* const kEmpty = new ContractResult();
  if (!s.result.has_value()) {
    ADD_FAILURE() << "service '" << s.name << "' has no contract result";
    return *kEmpty;
  }
  return *s.result;
}

// ------------------------------------------------- 1. UTC January, credits

// 44,640 one-minute intervals; 99.95 % of them is 44,617.68, so 22 down
// minutes (44,618 up) meet the commitment and 23 (44,617 up) do not.
constexpr char kWebYaml[] = R"yaml(
timezone: UTC
services:
  - name: web
    owner: application
    contract:
      target: 99.95
      downtime: {interval: 1m}
      credits:
        - {below: 99.95, credit: 10}
        - {below: 99, credit: 25}
        - {below: 95, credit: 100}
    objectives:
      - {name: rolling, sli: probe_success, target: 99.9, window: 30d}
      - {name: calendar, sli: probe_success, target: 99.9, window: month}
)yaml";

class JanuaryTest : public ReportTest {
 protected:
  // Results from 2023-12-31T23:00Z to 2024-02-01T01:00Z, one a minute,
  // failed in three outages (only their January minutes count):
  //   [Dec 31 23:50, Jan 1 00:05) -> 5 January minutes;
  //   [Jan 15 12:00, 12:00 + middle);
  //   [Jan 31 23:55, Feb 1 00:10) -> 5 January minutes.
  void FeedWeb(int middle) {
    const absl::Time mid = T("2024-01-15T12:00:00Z");
    Feed("web", "home", T("2023-12-31T23:00:00Z"), T("2024-02-01T01:00:00Z"),
         {Span("2023-12-31T23:50:00Z", "2024-01-01T00:05:00Z"),
          Interval{mid, mid + absl::Minutes(middle)},
          Span("2024-01-31T23:55:00Z", "2024-02-01T00:10:00Z")});
  }
};

TEST_F(JanuaryTest, TwentyTwoDownMinutesMeetTheCommitment) {
  FeedWeb(12);  // 5 + 12 + 5 = 22 down minutes in January
  const MonthlyReport r = Build(MustParse(kWebYaml), absl::CivilMonth(2024, 1));
  EXPECT_EQ(r.month, "2024-01");
  EXPECT_EQ(r.timezone, "UTC");
  EXPECT_EQ(r.period, Span("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"));
  ASSERT_EQ(r.services.size(), 1u);
  const ServiceReport& s = r.services[0];
  EXPECT_EQ(s.name, "web");
  EXPECT_EQ(s.owner, Owner::kApplication);
  ASSERT_TRUE(s.contract.has_value());
  EXPECT_EQ(s.contract->commitment_percent, 99.95);
  EXPECT_EQ(s.catalog_id, "");
  EXPECT_EQ(s.catalog_status, "");
  const ContractResult& c = Result(s);
  EXPECT_EQ(c.period, r.period);
  EXPECT_EQ(c.intervals, 44640);  // 31 * 1440
  EXPECT_EQ(c.down_intervals, 22);
  EXPECT_EQ(c.excluded_intervals, 0);
  EXPECT_EQ(c.maintenance_intervals, 0);
  EXPECT_EQ(c.no_data_intervals, 0);
  EXPECT_EQ(c.downtime_minutes, 22);
  // 100 * 44618 / 44640 = 99.95071684587813..., one rounded division.
  EXPECT_EQ(c.uptime_percent, 4461800.0 / 44640);
  EXPECT_TRUE(c.met);  // 44618 / 44640 >= 0.9995 <=> 44618 >= 44617.68
  EXPECT_EQ(c.credit_percent, 0);
  EXPECT_EQ(Incidents(c),
            "2024-01-01T00:00:00Z..2024-01-01T00:05:00Z=5; "
            "2024-01-15T12:00:00Z..2024-01-15T12:12:00Z=12; "
            "2024-01-31T23:55:00Z..2024-02-01T00:00:00Z=5");
  // Every January result: 44640, of which 22 failed.
  EXPECT_EQ(s.month, C(44618, 44640));
  // Day 1 lost 5 minutes, day 15 lost 12, day 31 lost 5.
  EXPECT_EQ(
      s.daily,
      Days(31, 1440,
           {{0, C(1435, 1440)}, {14, C(1428, 1440)}, {30, C(1435, 1440)}}));
}

TEST_F(JanuaryTest, TwentyThreeDownMinutesOweTheFirstTier) {
  FeedWeb(13);  // 5 + 13 + 5 = 23
  const MonthlyReport r = Build(MustParse(kWebYaml), absl::CivilMonth(2024, 1));
  const ContractResult& c = Result(Svc(r, "web"));
  EXPECT_EQ(c.down_intervals, 23);
  EXPECT_EQ(c.downtime_minutes, 23);
  // 100 * 44617 / 44640 = 99.94847670250896...
  EXPECT_EQ(c.uptime_percent, 4461700.0 / 44640);
  EXPECT_FALSE(c.met);  // 44617 < 44617.68
  // Below 99.95 (10 %), not below 99 (25 %): 10.
  EXPECT_EQ(c.credit_percent, 10);
  ASSERT_EQ(c.incidents.size(), 3u);
  EXPECT_EQ(c.incidents[1].span,
            Span("2024-01-15T12:00:00Z", "2024-01-15T12:13:00Z"));
  EXPECT_EQ(c.incidents[1].minutes, 13);
  EXPECT_EQ(c.incidents[1].intervals, 13);
}

TEST_F(JanuaryTest, FiveHundredDownMinutesOweTheSecondTier) {
  FeedWeb(490);  // 5 + 490 + 5 = 500
  const MonthlyReport r = Build(MustParse(kWebYaml), absl::CivilMonth(2024, 1));
  const ContractResult& c = Result(Svc(r, "web"));
  EXPECT_EQ(c.down_intervals, 500);
  // 100 * 44140 / 44640 = 98.879...: below 99 (25 %), not below 95.
  EXPECT_EQ(c.uptime_percent, 4414000.0 / 44640);
  EXPECT_FALSE(c.met);
  EXPECT_EQ(c.credit_percent, 25);
}

// ------------------------------------------------------ 8. objectives

TEST_F(JanuaryTest, ServiceObjectivesAreEvaluatedAtTheMonthEnd) {
  FeedWeb(12);
  const MonthlyReport r = Build(MustParse(kWebYaml), absl::CivilMonth(2024, 1));
  const ServiceReport& s = Svc(r, "web");
  ASSERT_EQ(s.objectives.size(), 2u);

  // 30d at 2024-02-01T00:00Z: [Jan 2, Feb 1) = 30 * 1440 = 43200 minutes.
  // Its failures: 12 on Jan 15 and 5 on Jan 31 (Jan 1's 5 are before it,
  // February's 10 after it): bad 17, good 43183.
  const ObjectiveReport& rolling = s.objectives[0];
  EXPECT_EQ(rolling.name, "rolling");
  EXPECT_EQ(rolling.window, "30d");
  EXPECT_EQ(rolling.target_percent, 99.9);
  EXPECT_EQ(rolling.method, BudgetingMethod::kOccurrences);
  EXPECT_EQ(rolling.evaluated,
            Span("2024-01-02T00:00:00Z", "2024-02-01T00:00:00Z"));
  EXPECT_EQ(rolling.budget.good, 43183);
  EXPECT_EQ(rolling.budget.total, 43200);
  EXPECT_EQ(rolling.budget.bad, 17);
  EXPECT_EQ(rolling.budget.availability, 43183.0 / 43200);
  // 99.9 % = 999/1000: allowed 43200 / 1000 = 43.2; consumed 17000 / 43200;
  // remaining (43200 - 17000) / 43200 = 0.60648148...
  EXPECT_EQ(rolling.budget.allowed_bad, 43200.0 / 1000);
  EXPECT_EQ(rolling.budget.consumed, 17000.0 / 43200);
  EXPECT_EQ(rolling.budget.remaining, 26200.0 / 43200);
  // Services have no cause split.
  EXPECT_EQ(rolling.provider_minutes, 0);
  EXPECT_EQ(rolling.application_minutes, 0);

  // The calendar month holding the month's last minute: January exactly.
  const ObjectiveReport& calendar = s.objectives[1];
  EXPECT_EQ(calendar.name, "calendar");
  // A calendar window without a zone takes the configured one (UTC here).
  EXPECT_EQ(calendar.window, "month@UTC");
  EXPECT_EQ(calendar.evaluated, r.period);
  EXPECT_EQ(calendar.budget.good, 44618);
  EXPECT_EQ(calendar.budget.total, 44640);
  EXPECT_EQ(calendar.budget.bad, 22);
  EXPECT_EQ(calendar.budget.allowed_bad, 44640.0 / 1000);  // 44.64
  EXPECT_EQ(calendar.budget.consumed, 22000.0 / 44640);
  EXPECT_EQ(calendar.budget.remaining, 22640.0 / 44640);

  // Building declared both objectives in the engine.
  EXPECT_TRUE(engine_.FindObjective("web", "rolling").ok());
  EXPECT_TRUE(engine_.FindObjective("web", "calendar").ok());
}

TEST_F(JanuaryTest, BuildingTwiceGivesTheSameReport) {
  FeedWeb(12);
  const Config config = MustParse(kWebYaml);
  const MonthlyReport a = Build(config, absl::CivilMonth(2024, 1));
  const MonthlyReport b = Build(config, absl::CivilMonth(2024, 1));
  // The second build finds the objectives declared by the first.
  EXPECT_EQ(RenderReportJson(a), RenderReportJson(b));
  ASSERT_EQ(b.services.size(), 1u);
  ASSERT_EQ(b.services[0].objectives.size(), 2u);
  EXPECT_EQ(b.services[0].objectives[0].budget.total, 43200);
}

TEST_F(JanuaryTest, FebruaryReportOnlySeesFebruary) {
  FeedWeb(12);
  // February 2024 (leap year): 29 * 1440 = 41760 minutes. Results exist
  // only for [Feb 1 00:00, 01:00), 10 of them failed; the rest is no data,
  // "up" by default.
  const MonthlyReport r = Build(MustParse(kWebYaml), absl::CivilMonth(2024, 2));
  EXPECT_EQ(r.period, Span("2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"));
  const ServiceReport& s = Svc(r, "web");
  EXPECT_EQ(s.month, C(50, 60));
  EXPECT_EQ(s.daily.size(), 29u);
  const ContractResult& c = Result(s);
  EXPECT_EQ(c.intervals, 41760);
  EXPECT_EQ(c.no_data_intervals, 41700);
  EXPECT_EQ(c.down_intervals, 10);
  EXPECT_EQ(c.uptime_percent, 4175000.0 / 41760);
  EXPECT_EQ(Incidents(c), "2024-02-01T00:00:00Z..2024-02-01T00:10:00Z=10");
}

TEST_F(ReportTest, MonthBefore1970IsRejected) {
  absl::StatusOr<MonthlyReport> r = BuildMonthlyReport(
      engine_, MustParse(kWebYaml), absl::CivilMonth(1969, 12));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  // 1970-01 itself is fine (no data: every interval "up").
  absl::StatusOr<MonthlyReport> ok = BuildMonthlyReport(
      engine_, MustParse(kWebYaml), absl::CivilMonth(1970, 1));
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->period.from, absl::UnixEpoch());
}

// ---------------------------------------------------- 2. Europe/Paris

constexpr char kParisYaml[] = R"yaml(
timezone: Europe/Paris
services:
  - name: web
    contract:
      target: 99.95
      downtime: {interval: 1m}
      credits:
        - {below: 99.95, credit: 10}
        - {below: 99, credit: 25}
  - name: daily
    contract: {target: 99, downtime: {interval: 1d}}
  - name: tail
    contract: {target: 99, downtime: {interval: 1d}}
)yaml";

class ParisTest : public ReportTest {
 protected:
  // March 2024 in Paris: 2024-03-01T00:00+01:00 = 2024-02-29T23:00Z to
  // 2024-04-01T00:00+02:00 = 2024-03-31T22:00Z: 31 days less the hour
  // skipped on March 31 (02:00 CET -> 03:00 CEST) = 44640 - 60 = 44580.
  // Outages (each minute failed):
  //   A [Feb 29 22:50Z, 23:10Z): 20 minutes, 10 of them in March (Paris);
  //   C [Mar 31 00:55Z, 01:05Z): 10 minutes across the DST change (01:00Z);
  //   B [Mar 31 21:55Z, 22:07Z): 12 minutes, 5 of them in March (Paris).
  void SetUp() override {
    const std::vector<Interval> outages = {
        Span("2024-02-29T22:50:00Z", "2024-02-29T23:10:00Z"),
        Span("2024-03-31T00:55:00Z", "2024-03-31T01:05:00Z"),
        Span("2024-03-31T21:55:00Z", "2024-03-31T22:07:00Z")};
    const absl::Time from = T("2024-02-29T22:00:00Z");
    const absl::Time to = T("2024-03-31T23:00:00Z");
    Feed("web", "home", from, to, outages);
    Feed("daily", "home", from, to, outages);
    // tail: all good in March (Paris); one failure at 22:30Z on March 31,
    // already April 1 00:30 in Paris.
    Feed("tail", "home", from, to,
         {Span("2024-03-31T22:30:00Z", "2024-03-31T22:31:00Z")});
  }
};

TEST_F(ParisTest, MonthPeriodAndOneMinuteContract) {
  const MonthlyReport r =
      Build(MustParse(kParisYaml), absl::CivilMonth(2024, 3));
  EXPECT_EQ(r.timezone, "Europe/Paris");
  EXPECT_EQ(r.period, Span("2024-02-29T23:00:00Z", "2024-03-31T22:00:00Z"));
  EXPECT_EQ((r.period.to - r.period.from) / absl::Minutes(1), 44580);
  const ServiceReport& s = Svc(r, "web");
  const ContractResult& c = Result(s);
  EXPECT_EQ(c.intervals, 44580);
  // 10 (A) + 10 (C) + 5 (B).
  EXPECT_EQ(c.down_intervals, 25);
  EXPECT_EQ(c.downtime_minutes, 25);
  EXPECT_EQ(c.no_data_intervals, 0);
  // 100 * 44555 / 44580 = 99.94392...
  EXPECT_EQ(c.uptime_percent, 4455500.0 / 44580);
  EXPECT_FALSE(c.met);  // 44555 < 0.9995 * 44580 = 44557.71
  EXPECT_EQ(c.credit_percent, 10);
  EXPECT_EQ(Incidents(c),
            "2024-02-29T23:00:00Z..2024-02-29T23:10:00Z=10; "
            "2024-03-31T00:55:00Z..2024-03-31T01:05:00Z=10; "
            "2024-03-31T21:55:00Z..2024-03-31T22:00:00Z=5");
  EXPECT_EQ(s.month, C(44555, 44580));
}

TEST_F(ParisTest, DailySeriesFollowsParisDays) {
  const MonthlyReport r =
      Build(MustParse(kParisYaml), absl::CivilMonth(2024, 3));
  const ServiceReport& s = Svc(r, "web");
  ASSERT_EQ(s.daily.size(), 31u);
  // March 1 (Paris) = [Feb 29 23:00Z, Mar 1 23:00Z): 1440 results, A's 10
  // March minutes failed. March 31 = [Mar 30 23:00Z, Mar 31 22:00Z): 23
  // hours = 1380 results, C's 10 and B's 5 failed. March 30 =
  // [Mar 29 23:00Z, Mar 30 23:00Z): a full clean day.
  EXPECT_EQ(s.daily, Days(31, 1440, {{0, C(1430, 1440)}, {30, C(1365, 1380)}}));
  int64_t total = 0;
  for (const Counts& d : s.daily) total += d.total;
  EXPECT_EQ(total, 44580);  // 30 * 1440 + 1380
}

TEST_F(ParisTest, DayIntervalsEndWithATruncatedDay) {
  const MonthlyReport r =
      Build(MustParse(kParisYaml), absl::CivilMonth(2024, 3));
  // 1d intervals from Feb 29 23:00Z: 30 of 24 hours, then
  // [Mar 30 23:00Z, Mar 31 22:00Z) cut at the period end (1380 minutes).
  const ContractResult& daily = Result(Svc(r, "daily"));
  EXPECT_EQ(daily.intervals, 31);
  // Down: interval 0 (A) and the truncated interval 30 (C and B).
  EXPECT_EQ(daily.down_intervals, 2);
  EXPECT_EQ(daily.downtime_minutes, 1440 + 1380);
  EXPECT_EQ(daily.uptime_percent, 2900.0 / 31);
  EXPECT_FALSE(daily.met);
  EXPECT_EQ(daily.credit_percent, 0);  // no tiers
  EXPECT_EQ(Incidents(daily),
            "2024-02-29T23:00:00Z..2024-03-01T23:00:00Z=1440; "
            "2024-03-30T23:00:00Z..2024-03-31T22:00:00Z=1380");

  // tail's only failure (22:30Z) is after the period end: a 24-hour last
  // step would see it, the truncated last interval must not.
  const ServiceReport& tail = Svc(r, "tail");
  const ContractResult& t = Result(tail);
  EXPECT_EQ(t.down_intervals, 0);
  EXPECT_EQ(t.uptime_percent, 100);
  EXPECT_TRUE(t.met);
  EXPECT_EQ(tail.month, C(44580, 44580));
}

// A calendar objective window written without a zone, in a configuration
// whose `timezone` is Europe/Paris, should cover the report's (Paris)
// month: the config documents `timezone` as "the time zone of calendar
// periods" and sla/report.h says every number is over intervals "in the
// configured time zone".
TEST_F(ReportTest, CalendarObjectiveWindowsUseTheConfiguredTimezone) {
  const Config config = MustParse(R"yaml(
timezone: Europe/Paris
services:
  - name: web
    objectives:
      - {name: calendar, target: 99.9, window: month}
applications:
  - name: shop
    components: web
    objectives:
      - {name: calendar, target: 99.9, window: month}
)yaml");
  // Paris March 2024 is [Feb 29 23:00Z, Mar 31 22:00Z); feed a superset.
  Feed("web", "home", T("2024-02-29T22:00:00Z"), T("2024-04-01T01:00:00Z"));
  const MonthlyReport r = Build(config, absl::CivilMonth(2024, 3));
  ASSERT_EQ(r.period, Span("2024-02-29T23:00:00Z", "2024-03-31T22:00:00Z"));
  const ServiceReport& s = Svc(r, "web");
  ASSERT_EQ(s.objectives.size(), 1u);
  EXPECT_EQ(s.objectives[0].evaluated, r.period);
  EXPECT_EQ(s.objectives[0].budget.total, 44580);
  const ApplicationReport& a = App(r, "shop");
  ASSERT_EQ(a.objectives.size(), 1u);
  EXPECT_EQ(a.objectives[0].evaluated, r.period);
  EXPECT_EQ(a.objectives[0].budget.total, 44580);
}

// ------------------------------------------------------ 3. maintenance

constexpr char kMaintenanceYaml[] = R"yaml(
timezone: UTC
services:
  - name: excluded
    owner: provider
    contract:
      target: 99.95
      downtime: {interval: 1m}
      maintenance_counts_as_downtime: false
      credits: [{below: 99.95, credit: 10}, {below: 99, credit: 25}]
  - name: counted
    owner: provider
    contract:
      target: 99.95
      downtime: {interval: 1m}
      maintenance_counts_as_downtime: true
      credits: [{below: 99.95, credit: 10}, {below: 99, credit: 25}]
  - name: other
    owner: provider
    contract:
      target: 99.95
      downtime: {interval: 1m}
      credits: [{below: 99.95, credit: 10}, {below: 99, credit: 25}]
maintenance:
  - {service: excluded, start: "2024-01-10T02:00:00Z", end: "2024-01-10T03:00:30Z"}
  - {service: counted, start: "2024-01-10T02:00:00Z", end: "2024-01-10T03:00:30Z"}
)yaml";

TEST_F(ReportTest, MaintenanceExcludedOrCountedAsDowntime) {
  // Every minute has a result; failures in [Jan 10 02:10, 02:30) (inside
  // the maintenance) and [Jan 20 00:00, 00:05). The window
  // [02:00:00, 03:00:30) overlaps the minutes 02:00 .. 03:00: 61 intervals.
  const std::vector<Interval> outages = {
      Span("2024-01-10T02:10:00Z", "2024-01-10T02:30:00Z"),
      Span("2024-01-20T00:00:00Z", "2024-01-20T00:05:00Z")};
  for (const char* name : {"excluded", "counted", "other"}) {
    Feed(name, "home", T("2024-01-01T00:00:00Z"), T("2024-02-01T00:00:00Z"),
         outages);
  }
  const MonthlyReport r =
      Build(MustParse(kMaintenanceYaml), absl::CivilMonth(2024, 1));

  const ContractResult& ex = Result(Svc(r, "excluded"));
  EXPECT_EQ(ex.intervals, 44640);
  EXPECT_EQ(ex.maintenance_intervals, 61);
  EXPECT_EQ(ex.excluded_intervals, 61);
  EXPECT_EQ(ex.counted_intervals(), 44579);
  EXPECT_EQ(ex.down_intervals, 5);  // the maintenance failures are excluded
  EXPECT_EQ(ex.downtime_minutes, 5);
  // 100 * (44579 - 5) / 44579 = 99.98878...
  EXPECT_EQ(ex.uptime_percent, 4457400.0 / 44579);
  EXPECT_TRUE(ex.met);
  EXPECT_EQ(ex.credit_percent, 0);
  EXPECT_EQ(Incidents(ex), "2024-01-20T00:00:00Z..2024-01-20T00:05:00Z=5");

  const ContractResult& co = Result(Svc(r, "counted"));
  EXPECT_EQ(co.maintenance_intervals, 61);
  EXPECT_EQ(co.excluded_intervals, 0);
  EXPECT_EQ(co.down_intervals, 66);  // 61 forced down + 5
  EXPECT_EQ(co.downtime_minutes, 66);
  // 100 * (44640 - 66) / 44640 = 99.85215...: below 99.95, not below 99.
  EXPECT_EQ(co.uptime_percent, 4457400.0 / 44640);
  EXPECT_FALSE(co.met);
  EXPECT_EQ(co.credit_percent, 10);
  EXPECT_EQ(Incidents(co),
            "2024-01-10T02:00:00Z..2024-01-10T03:01:00Z=61; "
            "2024-01-20T00:00:00Z..2024-01-20T00:05:00Z=5");

  // Another service's maintenance does not apply: 20 + 5 = 25 down.
  const ContractResult& ot = Result(Svc(r, "other"));
  EXPECT_EQ(ot.maintenance_intervals, 0);
  EXPECT_EQ(ot.excluded_intervals, 0);
  EXPECT_EQ(ot.down_intervals, 25);
  EXPECT_EQ(ot.uptime_percent, 4461500.0 / 44640);
  EXPECT_FALSE(ot.met);  // 44615 < 44617.68
  EXPECT_EQ(ot.credit_percent, 10);

  // The raw results are the same for all three.
  EXPECT_EQ(Svc(r, "excluded").month, C(44615, 44640));
  EXPECT_EQ(Svc(r, "counted").month, C(44615, 44640));
}

// ------------------------------------------------------ 4. no_data policies

constexpr char kNoDataYaml[] = R"yaml(
timezone: UTC
services:
  - name: up
    contract:
      target: 99.9
      downtime: {interval: 1m, no_data: up}
      credits: &tiers
        - {below: 99.9, credit: 10}
        - {below: 99, credit: 25}
        - {below: 95, credit: 100}
  - name: down
    contract:
      target: 99.9
      downtime: {interval: 1m, no_data: down}
      credits: *tiers
  - name: excl
    contract:
      target: 99.9
      downtime: {interval: 1m, no_data: excluded}
      credits: *tiers
)yaml";

TEST_F(ReportTest, NoDataPoliciesOnAPartlyMeasuredMonth) {
  // Results only for [Jan 1, Jan 11): 10 * 1440 = 14400 minutes, 4 failed
  // ([01:40, 01:44)); the other 44640 - 14400 = 30240 minutes have none.
  for (const char* name : {"up", "down", "excl"}) {
    Feed(name, "home", T("2024-01-01T00:00:00Z"), T("2024-01-11T00:00:00Z"),
         {Span("2024-01-01T01:40:00Z", "2024-01-01T01:44:00Z")});
  }
  const MonthlyReport r =
      Build(MustParse(kNoDataYaml), absl::CivilMonth(2024, 1));

  const ContractResult& up = Result(Svc(r, "up"));
  EXPECT_EQ(up.intervals, 44640);
  EXPECT_EQ(up.no_data_intervals, 30240);
  EXPECT_EQ(up.excluded_intervals, 0);
  EXPECT_EQ(up.down_intervals, 4);
  EXPECT_EQ(up.downtime_minutes, 4);
  EXPECT_EQ(up.uptime_percent, 4463600.0 / 44640);  // 99.99103...
  EXPECT_TRUE(up.met);
  EXPECT_EQ(up.credit_percent, 0);
  EXPECT_EQ(Incidents(up), "2024-01-01T01:40:00Z..2024-01-01T01:44:00Z=4");

  const ContractResult& down = Result(Svc(r, "down"));
  EXPECT_EQ(down.no_data_intervals, 30240);
  EXPECT_EQ(down.excluded_intervals, 0);
  EXPECT_EQ(down.down_intervals, 30244);
  EXPECT_EQ(down.downtime_minutes, 30244);
  // 100 * (44640 - 30244) / 44640 = 32.2491...: below 95 -> 100 %.
  EXPECT_EQ(down.uptime_percent, 1439600.0 / 44640);
  EXPECT_FALSE(down.met);
  EXPECT_EQ(down.credit_percent, 100);
  EXPECT_EQ(Incidents(down),
            "2024-01-01T01:40:00Z..2024-01-01T01:44:00Z=4; "
            "2024-01-11T00:00:00Z..2024-02-01T00:00:00Z=30240");

  const ContractResult& ex = Result(Svc(r, "excl"));
  EXPECT_EQ(ex.no_data_intervals, 30240);
  EXPECT_EQ(ex.excluded_intervals, 30240);
  EXPECT_EQ(ex.counted_intervals(), 14400);
  EXPECT_EQ(ex.down_intervals, 4);
  EXPECT_EQ(ex.uptime_percent, 1439600.0 / 14400);  // 99.97222...
  EXPECT_TRUE(ex.met);
  EXPECT_EQ(ex.credit_percent, 0);

  for (const char* name : {"up", "down", "excl"}) {
    SCOPED_TRACE(name);
    const ServiceReport& s = Svc(r, name);
    EXPECT_EQ(s.month, C(14396, 14400));
    // Days 1..10 measured (day 1 lost 4), days 11..31 empty.
    std::vector<Counts> days = Days(31, 0, {});
    for (int d = 0; d < 10; ++d) days[static_cast<size_t>(d)] = C(1440, 1440);
    days[0] = C(1436, 1440);
    EXPECT_EQ(s.daily, days);
  }
}

// ------------------------------------------- 5. 5-minute error-ratio intervals

TEST_F(ReportTest, FiveMinuteIntervalsWithMaxErrorRatio) {
  const Config config = MustParse(R"yaml(
timezone: UTC
services:
  - name: api
    owner: provider
    contract:
      target: 99.99
      downtime: {interval: 5m, max_error_ratio: 0.1}
      credits: [{below: 99.99, credit: 10}]
applications:
  - {name: api_only, components: api}
)yaml");
  // Two probes, one result a minute each: 10 results per 5-minute interval.
  //   [Jan 5 00:00, 00:05): p1 fails at 00:02: 1/10 = 0.1, not > 0.1: up;
  //   [00:05, 00:10): p1 at 00:06, p2 at 00:08: 2/10 > 0.1: down;
  //   [00:10, 00:15): p1 and p2 at 00:12: 2/10: down.
  auto minute = [](const char* hhmm) {
    const absl::Time t = T(absl::StrCat("2024-01-05T", hhmm, ":00Z"));
    return Interval{t, t + absl::Minutes(1)};
  };
  const absl::Time from = T("2024-01-01T00:00:00Z");
  const absl::Time to = T("2024-02-01T00:00:00Z");
  Feed("api", "p1", from, to,
       {minute("00:02"), minute("00:06"), minute("00:12")});
  Feed("api", "p2", from, to, {minute("00:08"), minute("00:12")});
  const MonthlyReport r = Build(config, absl::CivilMonth(2024, 1));

  const ServiceReport& s = Svc(r, "api");
  EXPECT_EQ(s.month, C(89275, 89280));  // 2 * 44640 results, 5 failed
  const ContractResult& c = Result(s);
  EXPECT_EQ(c.intervals, 8928);  // 44640 / 5
  EXPECT_EQ(c.down_intervals, 2);
  EXPECT_EQ(c.downtime_minutes, 10);
  // 100 * 8926 / 8928 = 99.97759...
  EXPECT_EQ(c.uptime_percent, 892600.0 / 8928);
  EXPECT_FALSE(c.met);  // 8926 < 0.9999 * 8928 = 8927.1072
  EXPECT_EQ(c.credit_percent, 10);
  ASSERT_EQ(c.incidents.size(), 1u);
  EXPECT_EQ(c.incidents[0].span,
            Span("2024-01-05T00:05:00Z", "2024-01-05T00:15:00Z"));
  EXPECT_EQ(c.incidents[0].minutes, 10);
  EXPECT_EQ(c.incidents[0].intervals, 2);

  // Composite states are per minute with the same ratio: a minute has 2
  // results, so each failure (1/2 or 2/2 > 0.1) makes its minute down:
  // 00:02, 00:06, 00:08, 00:12 -> 4 down minutes, 44636 up.
  const ApplicationReport& a = App(r, "api_only");
  EXPECT_EQ(a.expression, "api");
  EXPECT_EQ(a.minutes, 44640);
  EXPECT_EQ(a.down_minutes, 4);
  EXPECT_EQ(a.up_minutes, 44636);
  EXPECT_EQ(a.no_data_minutes, 0);
  EXPECT_EQ(a.observed_availability_percent, 4463600.0 / 44640);
  ASSERT_TRUE(a.theoretical_sla_percent.has_value());
  EXPECT_NEAR(*a.theoretical_sla_percent, 99.99, 1e-12);
  ASSERT_EQ(a.components.size(), 1u);
  EXPECT_EQ(a.components[0].sole_intervals, 4);
  EXPECT_EQ(a.provider.sole_intervals, 4);
  EXPECT_EQ(a.provider.exclusive_intervals, 4);
  EXPECT_EQ(a.application.exclusive_intervals, 0);
}

// The composite's minute states use the contract's max_error_ratio; a
// service without a contract is down in a minute with any failure.
TEST_F(ReportTest, CompositeMinutesUseTheContractErrorRatio) {
  const Config config = MustParse(R"yaml(
timezone: UTC
services:
  - name: lenient
    contract: {target: 99, downtime: {interval: 1m, max_error_ratio: 0.5}}
  - name: strict
applications:
  - {name: lenient_app, components: lenient}
  - {name: strict_app, components: strict}
)yaml");
  // Two probes each. Jan 2 00:00: one of the two failed (1/2 = 0.5);
  // Jan 2 00:01: both failed (2/2).
  const absl::Time from = T("2024-01-01T00:00:00Z");
  const absl::Time to = T("2024-02-01T00:00:00Z");
  const Interval both = Span("2024-01-02T00:00:00Z", "2024-01-02T00:02:00Z");
  const Interval second = Span("2024-01-02T00:01:00Z", "2024-01-02T00:02:00Z");
  for (const char* name : {"lenient", "strict"}) {
    Feed(name, "a", from, to, {both});
    Feed(name, "b", from, to, {second});
  }
  const MonthlyReport r = Build(config, absl::CivilMonth(2024, 1));
  // lenient: 0.5 is not > 0.5, so only the 2/2 minute is down, in the
  // contract and in the composite alike.
  EXPECT_EQ(Result(Svc(r, "lenient")).down_intervals, 1);
  EXPECT_EQ(App(r, "lenient_app").down_minutes, 1);
  EXPECT_EQ(App(r, "lenient_app").up_minutes, 44639);
  // strict (no contract, ratio 0): both minutes are down.
  EXPECT_EQ(App(r, "strict_app").down_minutes, 2);
  EXPECT_EQ(App(r, "strict_app").observed_availability_percent,
            4463800.0 / 44640);
  EXPECT_FALSE(App(r, "strict_app").theoretical_sla_percent.has_value());
  EXPECT_EQ(App(r, "strict_app").theoretical_note, "no contract for strict");
}

// ------------------------------------------- 6. a service without results

TEST_F(ReportTest, ServicesWithoutAnyResult) {
  const Config config = MustParse(R"yaml(
timezone: UTC
services:
  - name: ghost
    contract:
      target: 99.9
      downtime: {interval: 1m, no_data: down}
      credits: [{below: 99.9, credit: 10}, {below: 50, credit: 100}]
    objectives:
      - {name: availability, target: 99.9, window: 30d}
  - name: idle
    contract: {target: 99.9, downtime: {interval: 1m, no_data: up}}
    objectives:
      - {name: availability, target: 99.9, window: 30d}
  - name: quiet
    contract: {target: 99.9, downtime: {interval: 1m, no_data: excluded}}
)yaml");
  // ghost and quiet are unknown to the engine; idle has an SLI, no result.
  Sli("idle", "home");
  const MonthlyReport r = Build(config, absl::CivilMonth(2024, 1));

  for (const char* name : {"ghost", "idle", "quiet"}) {
    SCOPED_TRACE(name);
    const ServiceReport& s = Svc(r, name);
    EXPECT_EQ(s.month, C(0, 0));
    EXPECT_EQ(s.daily, Days(31, 0, {}));
    EXPECT_EQ(Result(s).no_data_intervals, 44640);
  }

  // no_data: down -> every minute down, uptime 0, below 50 -> 100 %.
  const ContractResult& ghost = Result(Svc(r, "ghost"));
  EXPECT_EQ(ghost.down_intervals, 44640);
  EXPECT_EQ(ghost.downtime_minutes, 44640);
  EXPECT_EQ(ghost.uptime_percent, 0);
  EXPECT_FALSE(ghost.met);
  EXPECT_EQ(ghost.credit_percent, 100);
  EXPECT_EQ(Incidents(ghost),
            "2024-01-01T00:00:00Z..2024-02-01T00:00:00Z=44640");

  // no_data: up -> 100 %, met.
  const ContractResult& idle = Result(Svc(r, "idle"));
  EXPECT_EQ(idle.down_intervals, 0);
  EXPECT_EQ(idle.uptime_percent, 100);
  EXPECT_TRUE(idle.met);
  EXPECT_TRUE(idle.incidents.empty());

  // no_data: excluded -> nothing counted: 100 %, met, no credit.
  const ContractResult& quiet = Result(Svc(r, "quiet"));
  EXPECT_EQ(quiet.excluded_intervals, 44640);
  EXPECT_EQ(quiet.counted_intervals(), 0);
  EXPECT_EQ(quiet.down_intervals, 0);
  EXPECT_EQ(quiet.uptime_percent, 100);
  EXPECT_TRUE(quiet.met);
  EXPECT_EQ(quiet.credit_percent, 0);

  // Objectives without data: [Jan 2, Feb 1), nothing counted, nothing spent.
  for (const char* name : {"ghost", "idle"}) {
    SCOPED_TRACE(name);
    const ServiceReport& s = Svc(r, name);
    ASSERT_EQ(s.objectives.size(), 1u);
    const ObjectiveReport& o = s.objectives[0];
    EXPECT_EQ(o.evaluated,
              Span("2024-01-02T00:00:00Z", "2024-02-01T00:00:00Z"));
    EXPECT_EQ(o.budget.good, 0);
    EXPECT_EQ(o.budget.total, 0);
    EXPECT_EQ(o.budget.allowed_bad, 0);
    EXPECT_EQ(o.budget.consumed, 0);
    EXPECT_EQ(o.budget.remaining, 1);
    EXPECT_EQ(o.budget.availability, 1);
  }
  // The objective of the declared service went into the engine; the
  // unknown service's could not.
  EXPECT_TRUE(engine_.FindObjective("idle", "availability").ok());
  EXPECT_EQ(engine_.FindObjective("ghost", "availability").status().code(),
            absl::StatusCode::kNotFound);

  // JSON: no data gives a null availability, and null daily entries.
  const std::string json = RenderReportJson(r);
  EXPECT_THAT(json, HasSubstr("\"good\":0,\"total\":0,\"availability\":null"));
  EXPECT_THAT(json, HasSubstr("\"daily_availability\":[null,null,"));
  // Markdown: "no data" instead of a percentage.
  EXPECT_THAT(RenderReportMarkdown(r),
              HasSubstr("| ghost | availability | 99.9% | 30d | no data | "
                        "100.0% |"));
}

// ------------------------------------------------------- 7. applications

constexpr char kShopYaml[] = R"yaml(
timezone: UTC
services:
  - name: web
    owner: application
    contract: {target: 99.95, downtime: {interval: 1m}}
  - name: sql
    owner: provider
    contract: {target: 99.99, downtime: {interval: 1m}}
  - name: queue
    owner: provider
    contract: {target: 99.9, downtime: {interval: 1m}}
  - name: cache
    owner: provider
applications:
  - name: shop
    components: {all_of: [web, {any_of: [sql, queue]}]}
    objectives:
      - {name: monthly, target: 99.9, window: month}
      - {name: weekly, target: 99.9, window: 7d}
  - name: legacy
    components: "all_of(web, cache)"
)yaml";

class ShopTest : public ReportTest {
 protected:
  // Every minute of January has a result for web, sql and queue (cache has
  // none). Outages:
  //   Jan 3 10:00-10:10  web alone              -> 10 down, web sole;
  //   Jan 4 08:00-08:05  sql and queue together -> 5 down, shared, provider;
  //   Jan 5 12:00-12:20  sql alone, queue up    -> composite up;
  //   Jan 28 00:00-00:03 web, sql and queue     -> 3 down, mixed owners.
  void SetUp() override {
    const absl::Time from = T("2024-01-01T00:00:00Z");
    const absl::Time to = T("2024-02-01T00:00:00Z");
    const Interval web_alone =
        Span("2024-01-03T10:00:00Z", "2024-01-03T10:10:00Z");
    const Interval both = Span("2024-01-04T08:00:00Z", "2024-01-04T08:05:00Z");
    const Interval sql_alone =
        Span("2024-01-05T12:00:00Z", "2024-01-05T12:20:00Z");
    const Interval all = Span("2024-01-28T00:00:00Z", "2024-01-28T00:03:00Z");
    Feed("web", "home", from, to, {web_alone, all});
    Feed("sql", "select", from, to, {both, sql_alone, all});
    Feed("queue", "publish", from, to, {both, all});
  }
};

TEST_F(ShopTest, TheoreticalObservedAndAttribution) {
  const MonthlyReport r =
      Build(MustParse(kShopYaml), absl::CivilMonth(2024, 1));
  ASSERT_EQ(r.applications.size(), 2u);
  const ApplicationReport& a = r.applications[0];
  EXPECT_EQ(a.name, "shop");
  EXPECT_EQ(a.expression, "all_of(web, any_of(sql, queue))");
  // 0.9995 * (1 - (1 - 0.9999) * (1 - 0.999)) = 0.99949990005.
  ASSERT_TRUE(a.theoretical_sla_percent.has_value());
  EXPECT_NEAR(*a.theoretical_sla_percent, 100 * 0.9995 * (1 - 0.0001 * 0.001),
              1e-12);
  EXPECT_EQ(a.theoretical_note, "");

  // Down: 10 + 5 + 3 = 18; sql's 20 lone minutes are covered by the queue.
  EXPECT_EQ(a.minutes, 44640);
  EXPECT_EQ(a.down_minutes, 18);
  EXPECT_EQ(a.up_minutes, 44622);
  EXPECT_EQ(a.no_data_minutes, 0);
  EXPECT_EQ(a.observed_availability_percent, 4462200.0 / 44640);

  // Components by name. web: down 13, alone in 10 (its only repair), shared
  // in the 3 mixed minutes (repairs {web, sql} and {web, queue}). sql: down
  // 5 + 20 + 3 = 28, caused (shared) 5 + 3 = 8. queue: down 8, shared 8.
  ASSERT_EQ(a.components.size(), 3u);
  EXPECT_EQ(a.components[0].name, "queue");
  EXPECT_EQ(a.components[0].owner, Owner::kProvider);
  EXPECT_EQ(a.components[0].down_minutes, 8);
  EXPECT_EQ(a.components[0].sole_intervals, 0);
  EXPECT_EQ(a.components[0].shared_intervals, 8);
  EXPECT_EQ(a.components[1].name, "sql");
  EXPECT_EQ(a.components[1].owner, Owner::kProvider);
  EXPECT_EQ(a.components[1].down_minutes, 28);
  EXPECT_EQ(a.components[1].sole_intervals, 0);
  EXPECT_EQ(a.components[1].shared_intervals, 8);
  EXPECT_EQ(a.components[2].name, "web");
  EXPECT_EQ(a.components[2].owner, Owner::kApplication);
  EXPECT_EQ(a.components[2].down_minutes, 13);
  EXPECT_EQ(a.components[2].sole_intervals, 10);
  EXPECT_EQ(a.components[2].shared_intervals, 3);

  // Owners: provider shared 5 (sql+queue) + 3 (mixed), exclusive only the
  // 5; application sole 10, shared 3, exclusive 10; mixed 3.
  EXPECT_EQ(a.provider.sole_intervals, 0);
  EXPECT_EQ(a.provider.shared_intervals, 8);
  EXPECT_EQ(a.provider.exclusive_intervals, 5);
  EXPECT_EQ(a.application.sole_intervals, 10);
  EXPECT_EQ(a.application.shared_intervals, 3);
  EXPECT_EQ(a.application.exclusive_intervals, 10);
  EXPECT_EQ(a.mixed_owner_intervals, 3);
  EXPECT_EQ(a.unattributed_intervals, 0);

  // sla/composite.h invariants: down = provider.exclusive +
  // application.exclusive + mixed + unattributed = 5 + 10 + 3 + 0, and
  // down = sum of sole + shared-only + unattributed = 10 + 8 + 0, where the
  // shared-only minutes (no sole cause) are the 5 and the 3.
  EXPECT_EQ(a.down_minutes,
            a.provider.exclusive_intervals + a.application.exclusive_intervals +
                a.mixed_owner_intervals + a.unattributed_intervals);
  int64_t sole = 0;
  for (const ComponentReport& c : a.components) sole += c.sole_intervals;
  EXPECT_EQ(sole, a.provider.sole_intervals + a.application.sole_intervals);
  EXPECT_EQ(a.down_minutes - sole - a.unattributed_intervals, 5 + 3);

  // Daily composite minutes: Jan 3 lost 10, Jan 4 lost 5, Jan 5 none,
  // Jan 28 lost 3.
  EXPECT_EQ(
      a.daily,
      Days(31, 1440,
           {{2, C(1430, 1440)}, {3, C(1435, 1440)}, {27, C(1437, 1440)}}));
}

TEST_F(ShopTest, ApplicationWithoutContractHasNoTheoreticalSla) {
  const MonthlyReport r =
      Build(MustParse(kShopYaml), absl::CivilMonth(2024, 1));
  const ApplicationReport& a = App(r, "legacy");
  EXPECT_EQ(a.expression, "all_of(web, cache)");
  EXPECT_FALSE(a.theoretical_sla_percent.has_value());
  EXPECT_EQ(a.theoretical_note, "no contract for cache");
  // cache has no result at all: with web up the composite depends on cache
  // (no data); with web down it is down either way: web's 10 + 3 minutes.
  EXPECT_EQ(a.minutes, 44640);
  EXPECT_EQ(a.up_minutes, 0);
  EXPECT_EQ(a.down_minutes, 13);
  EXPECT_EQ(a.no_data_minutes, 44627);
  EXPECT_EQ(a.observed_availability_percent, 0);  // 0 / (0 + 13)
  ASSERT_EQ(a.components.size(), 2u);
  EXPECT_EQ(a.components[0].name, "cache");
  EXPECT_EQ(a.components[0].down_minutes, 0);
  EXPECT_EQ(a.components[0].sole_intervals, 0);
  EXPECT_EQ(a.components[1].name, "web");
  // cache without data is taken as up in a down minute: web alone.
  EXPECT_EQ(a.components[1].sole_intervals, 13);
  EXPECT_EQ(a.application.exclusive_intervals, 13);
  EXPECT_EQ(a.provider.exclusive_intervals, 0);
  EXPECT_EQ(a.daily, Days(31, 0, {{2, C(0, 10)}, {27, C(0, 3)}}));

  const std::string json = RenderReportJson(r);
  EXPECT_THAT(json, HasSubstr("\"theoretical_sla_percent\":null,"
                              "\"theoretical_note\":\"no contract for "
                              "cache\""));
  EXPECT_THAT(RenderReportMarkdown(r),
              HasSubstr("| legacy | `all_of(web, cache)` | - (no contract for "
                        "cache) | 0.0000% | 13 | 0 | 13 | 0 |"));
}

TEST_F(ShopTest, ApplicationObjectivesSplitTheBudgetByCause) {
  const MonthlyReport r =
      Build(MustParse(kShopYaml), absl::CivilMonth(2024, 1));
  const ApplicationReport& a = App(r, "shop");
  ASSERT_EQ(a.objectives.size(), 2u);

  // month: all of January's composite minutes: 44622 up of 44640;
  // 99.9 % -> allowed 44.64, consumed 18000 / 44640, remaining 26640 / 44640.
  const ObjectiveReport& m = a.objectives[0];
  EXPECT_EQ(m.name, "monthly");
  EXPECT_EQ(m.window, "month@UTC");
  EXPECT_EQ(m.evaluated, r.period);
  EXPECT_EQ(m.budget.good, 44622);
  EXPECT_EQ(m.budget.total, 44640);
  EXPECT_EQ(m.budget.bad, 18);
  EXPECT_EQ(m.budget.allowed_bad, 44640.0 / 1000);
  EXPECT_EQ(m.budget.consumed, 18000.0 / 44640);
  EXPECT_EQ(m.budget.remaining, 26640.0 / 44640);
  EXPECT_EQ(m.provider_minutes, 5);
  EXPECT_EQ(m.application_minutes, 10);
  EXPECT_EQ(m.mixed_minutes, 3);

  // 7d at Feb 1: [Jan 25, Feb 1) = 10080 minutes; only the 3 mixed ones.
  const ObjectiveReport& w = a.objectives[1];
  EXPECT_EQ(w.evaluated, Span("2024-01-25T00:00:00Z", "2024-02-01T00:00:00Z"));
  EXPECT_EQ(w.budget.good, 10077);
  EXPECT_EQ(w.budget.total, 10080);
  EXPECT_EQ(w.budget.consumed, 3000.0 / 10080);
  EXPECT_EQ(w.budget.remaining, 7080.0 / 10080);
  EXPECT_EQ(w.provider_minutes, 0);
  EXPECT_EQ(w.application_minutes, 0);
  EXPECT_EQ(w.mixed_minutes, 3);

  // JSON carries the split.
  EXPECT_THAT(RenderReportJson(r),
              HasSubstr("\"down_minutes_by_cause\":{\"provider\":5,"
                        "\"application\":10,\"mixed\":3}"));
}

// ------------------------------------------------------- 9. renderings

// A minimal JSON reader for the tests: values with object keys kept in
// order and numbers kept as their text.
struct Json {
  enum Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = kNull;
  std::string text;  // number: as written; string: unescaped; bool
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> fields;

  const Json& operator[](absl::string_view key) const {
    static const Json* const kMissing = new Json();
    for (const auto& [k, v] : fields) {
      if (k == key) return v;
    }
    ADD_FAILURE() << "no key '" << key << "'";
    return *kMissing;
  }
  const Json& operator[](size_t i) const {
    static const Json* const kMissing = new Json();
    if (i >= items.size()) {
      ADD_FAILURE() << "no item " << i;
      return *kMissing;
    }
    return items[i];
  }
  std::vector<std::string> Keys() const {
    std::vector<std::string> keys;
    for (const auto& f : fields) keys.push_back(f.first);
    return keys;
  }
};

class JsonReader {
 public:
  explicit JsonReader(absl::string_view s) : s_(s) {}

  // The whole text must be one value (whitespace around it allowed).
  bool Read(Json* out) {
    Ws();
    if (!Value(out)) return false;
    Ws();
    return pos_ == s_.size();
  }
  size_t pos() const { return pos_; }

 private:
  void Ws() {
    while (pos_ < s_.size() && absl::ascii_isspace(s_[pos_])) ++pos_;
  }
  bool Literal(absl::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  bool Value(Json* out) {
    if (pos_ >= s_.size()) return false;
    const char c = s_[pos_];
    if (c == '{') return Object(out);
    if (c == '[') return Array(out);
    if (c == '"') {
      out->kind = Json::kString;
      return String(&out->text);
    }
    if (Literal("null")) {
      out->kind = Json::kNull;
      return true;
    }
    if (Literal("true") || Literal("false")) {
      out->kind = Json::kBool;
      out->text = s_[pos_ - 1] == 'e' && s_[pos_ - 2] == 'u' ? "true" : "false";
      return true;
    }
    const size_t start = pos_;
    while (pos_ < s_.size() &&
           (absl::ascii_isdigit(s_[pos_]) || s_[pos_] == '-' ||
            s_[pos_] == '+' || s_[pos_] == '.' || s_[pos_] == 'e' ||
            s_[pos_] == 'E')) {
      ++pos_;
    }
    if (pos_ == start) return false;
    out->kind = Json::kNumber;
    out->text = std::string(s_.substr(start, pos_ - start));
    return true;
  }
  bool String(std::string* out) {
    ++pos_;  // "
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_++];
      if (c == '\\') {
        if (pos_ >= s_.size()) return false;
        const char e = s_[pos_++];
        switch (e) {
          case 'n':
            c = '\n';
            break;
          case 't':
            c = '\t';
            break;
          case 'r':
            c = '\r';
            break;
          case '"':
          case '\\':
          case '/':
            c = e;
            break;
          default:
            return false;  // \u not needed by these tests
        }
      }
      out->push_back(c);
    }
    if (pos_ >= s_.size()) return false;
    ++pos_;
    return true;
  }
  bool Array(Json* out) {
    out->kind = Json::kArray;
    ++pos_;
    Ws();
    if (Literal("]")) return true;
    while (true) {
      Json item;
      Ws();
      if (!Value(&item)) return false;
      out->items.push_back(std::move(item));
      Ws();
      if (Literal("]")) return true;
      if (!Literal(",")) return false;
    }
  }
  bool Object(Json* out) {
    out->kind = Json::kObject;
    ++pos_;
    Ws();
    if (Literal("}")) return true;
    while (true) {
      Ws();
      std::string key;
      if (pos_ >= s_.size() || s_[pos_] != '"' || !String(&key)) return false;
      Ws();
      if (!Literal(":")) return false;
      Ws();
      Json value;
      if (!Value(&value)) return false;
      out->fields.emplace_back(std::move(key), std::move(value));
      Ws();
      if (Literal("}")) return true;
      if (!Literal(",")) return false;
    }
  }

  absl::string_view s_;
  size_t pos_ = 0;
};

TEST(JsonReaderTest, ReadsWhatTheTestsNeedAndRejectsBrokenText) {
  Json v;
  ASSERT_TRUE(
      JsonReader(R"({"a":[1,-2.5e3,null,true,false],"b":"x\"y"})").Read(&v));
  EXPECT_EQ(v.Keys(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(v["a"].items.size(), 5u);
  EXPECT_EQ(v["a"][1].text, "-2.5e3");
  EXPECT_EQ(v["a"][3].text, "true");
  EXPECT_EQ(v["a"][4].text, "false");
  EXPECT_EQ(v["b"].text, "x\"y");
  EXPECT_FALSE(JsonReader(R"({"a":1,})").Read(&v));
  EXPECT_FALSE(JsonReader(R"({"a":1} x)").Read(&v));
  EXPECT_FALSE(JsonReader(R"([1 2])").Read(&v));
}

constexpr char kRenderYaml[] = R"yaml(
timezone: UTC
services:
  - name: web
    owner: application
    contract:
      target: 99.95
      downtime: {interval: 1m}
      credits:
        - {below: 99.95, credit: 10}
        - {below: 99, credit: 25}
        - {below: 95, credit: 100}
    objectives:
      - {name: availability, target: 99.9, window: 30d}
  - name: appsvc
    owner: provider
    contract: {catalog: azure/app-service, downtime: {interval: 1m}}
  - name: sqldb
    owner: provider
    contract: {catalog: azure/sql-database}
  - name: plain
applications:
  - {name: shop, components: "all_of(web, appsvc)"}
)yaml";

class RenderTest : public ReportTest {
 protected:
  // web: January with 22 failed minutes ([Jan 1 00:00, 00:05),
  // [Jan 15 12:00, 12:12), [Jan 31 23:55, Feb 1 00:00)); the others: all
  // good.
  void SetUp() override {
    const absl::Time from = T("2024-01-01T00:00:00Z");
    const absl::Time to = T("2024-02-01T00:00:00Z");
    Feed("web", "home", from, to,
         {Span("2024-01-01T00:00:00Z", "2024-01-01T00:05:00Z"),
          Span("2024-01-15T12:00:00Z", "2024-01-15T12:12:00Z"),
          Span("2024-01-31T23:55:00Z", "2024-02-01T00:00:00Z")});
    for (const char* name : {"appsvc", "sqldb", "plain"}) {
      Feed(name, "home", from, to);
    }
    report_ = Build(MustParse(kRenderYaml), absl::CivilMonth(2024, 1));
  }
  MonthlyReport report_;
};

TEST_F(RenderTest, CatalogStatusesInTheReport) {
  EXPECT_EQ(Svc(report_, "appsvc").catalog_id, "azure/app-service");
  EXPECT_EQ(Svc(report_, "appsvc").catalog_status, "partial");
  EXPECT_EQ(Svc(report_, "sqldb").catalog_status, "confirmed");
  EXPECT_EQ(Svc(report_, "plain").catalog_status, "");
  EXPECT_FALSE(Svc(report_, "plain").result.has_value());
  EXPECT_FALSE(Svc(report_, "plain").contract.has_value());
  EXPECT_EQ(Svc(report_, "plain").month, C(44640, 44640));
}

TEST_F(RenderTest, JsonStructureKeyOrderAndValues) {
  const std::string text = RenderReportJson(report_);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  Json root;
  JsonReader reader(text);
  ASSERT_TRUE(reader.Read(&root))
      << "invalid JSON near offset " << reader.pos() << ": " << text;
  ASSERT_EQ(root.kind, Json::kObject);
  EXPECT_EQ(root.Keys(), (std::vector<std::string>{
                             "month", "timezone", "period", "catalog_version",
                             "services", "applications", "remediation"}));
  EXPECT_EQ(root["month"].text, "2024-01");
  EXPECT_EQ(root["timezone"].text, "UTC");
  EXPECT_EQ(root["period"]["from"].text, "2024-01-01T00:00:00Z");
  EXPECT_EQ(root["period"]["to"].text, "2024-02-01T00:00:00Z");
  EXPECT_EQ(root["catalog_version"].text, report_.catalog_version);
  EXPECT_FALSE(report_.catalog_version.empty());

  const Json& services = root["services"];
  ASSERT_EQ(services.items.size(), 4u);
  const std::vector<std::string> service_keys = {"name",
                                                 "owner",
                                                 "target_percent",
                                                 "uptime_percent",
                                                 "intervals",
                                                 "down_intervals",
                                                 "excluded_intervals",
                                                 "downtime_minutes",
                                                 "met",
                                                 "credit_percent",
                                                 "incidents",
                                                 "objectives",
                                                 "alerts",
                                                 "catalog_id",
                                                 "catalog_status",
                                                 "catalog_note",
                                                 "results",
                                                 "daily_availability"};
  for (const Json& s : services.items) {
    SCOPED_TRACE(s["name"].text);
    EXPECT_EQ(s.Keys(), service_keys);
  }
  EXPECT_EQ(services[0]["name"].text, "web");
  EXPECT_EQ(services[1]["name"].text, "appsvc");
  EXPECT_EQ(services[2]["name"].text, "sqldb");
  EXPECT_EQ(services[3]["name"].text, "plain");

  const Json& web = services[0];
  EXPECT_EQ(web["owner"].text, "application");
  EXPECT_EQ(web["target_percent"].text, "99.95");
  // 100 * 44618 / 44640, shortest round-trip text.
  EXPECT_EQ(web["uptime_percent"].text, "99.95071684587813");
  EXPECT_EQ(web["intervals"].text, "44640");
  EXPECT_EQ(web["down_intervals"].text, "22");
  EXPECT_EQ(web["excluded_intervals"].text, "0");
  EXPECT_EQ(web["downtime_minutes"].text, "22");
  EXPECT_EQ(web["met"].kind, Json::kBool);
  EXPECT_EQ(web["met"].text, "true");
  EXPECT_EQ(web["credit_percent"].text, "0");
  ASSERT_EQ(web["incidents"].items.size(), 3u);
  EXPECT_EQ(web["incidents"][1].Keys(),
            (std::vector<std::string>{"start", "end", "minutes"}));
  EXPECT_EQ(web["incidents"][1]["start"].text, "2024-01-15T12:00:00Z");
  EXPECT_EQ(web["incidents"][1]["end"].text, "2024-01-15T12:12:00Z");
  EXPECT_EQ(web["incidents"][1]["minutes"].text, "12");
  EXPECT_EQ(web["catalog_id"].kind, Json::kNull);
  EXPECT_EQ(web["catalog_status"].kind, Json::kNull);
  EXPECT_EQ(web["catalog_note"].kind, Json::kNull);
  EXPECT_EQ(web["results"]["good"].text, "44618");
  EXPECT_EQ(web["results"]["total"].text, "44640");
  ASSERT_EQ(web["daily_availability"].items.size(), 31u);
  EXPECT_EQ(web["daily_availability"][1].text, "1");
  // Objective: 30d at Feb 1 = [Jan 2, Feb 1): 43183 of 43200.
  ASSERT_EQ(web["objectives"].items.size(), 1u);
  const Json& o = web["objectives"][0];
  EXPECT_EQ(o.Keys(),
            (std::vector<std::string>{"name", "target_percent", "window",
                                      "from", "to", "budgeting", "good",
                                      "total", "availability", "budget"}));
  EXPECT_EQ(o["from"].text, "2024-01-02T00:00:00Z");
  EXPECT_EQ(o["good"].text, "43183");
  EXPECT_EQ(o["total"].text, "43200");
  EXPECT_EQ(o["budgeting"].text, "Occurrences");  // OpenSLO spelling

  const Json& appsvc = services[1];
  EXPECT_EQ(appsvc["catalog_id"].text, "azure/app-service");
  EXPECT_EQ(appsvc["catalog_status"].text, "partial");
  EXPECT_EQ(appsvc["catalog_note"].text,
            "partial; not confirmed: downtime, credits");
  // A confirmed entry: status "confirmed", an empty note.
  EXPECT_EQ(services[2]["catalog_status"].text, "confirmed");
  EXPECT_EQ(services[2]["catalog_note"].kind, Json::kString);
  EXPECT_EQ(services[2]["catalog_note"].text, "");
  EXPECT_EQ(appsvc["uptime_percent"].text, "100");

  // No contract: null target, uptime and met; zero counts; no incidents.
  const Json& plain = services[3];
  EXPECT_EQ(plain["target_percent"].kind, Json::kNull);
  EXPECT_EQ(plain["uptime_percent"].kind, Json::kNull);
  EXPECT_EQ(plain["met"].kind, Json::kNull);
  EXPECT_EQ(plain["intervals"].text, "0");
  EXPECT_EQ(plain["credit_percent"].text, "0");
  EXPECT_TRUE(plain["incidents"].items.empty());
  EXPECT_EQ(plain["results"]["total"].text, "44640");

  const Json& apps = root["applications"];
  ASSERT_EQ(apps.items.size(), 1u);
  const Json& shop = apps[0];
  EXPECT_EQ(shop.Keys(), (std::vector<std::string>{
                             "name", "components", "theoretical_sla_percent",
                             "observed_availability_percent", "minutes",
                             "attribution", "objectives"}));
  EXPECT_EQ(shop["components"].text, "all_of(web, appsvc)");
  EXPECT_EQ(shop["observed_availability_percent"].text, "99.95071684587813");
  EXPECT_EQ(shop["minutes"]["up"].text, "44618");
  EXPECT_EQ(shop["minutes"]["down"].text, "22");
  EXPECT_EQ(shop["minutes"]["no_data"].text, "0");
  EXPECT_EQ(
      shop["attribution"]["owners"]["application"]["exclusive_intervals"].text,
      "22");
  EXPECT_EQ(
      shop["attribution"]["owners"]["provider"]["exclusive_intervals"].text,
      "0");
}

TEST_F(RenderTest, CsvHeaderAndOneRowPerService) {
  const std::vector<std::string> lines =
      absl::StrSplit(RenderReportCsv(report_), '\n');
  ASSERT_EQ(lines.size(), 6u);  // header, 4 rows, "" after the last newline
  EXPECT_EQ(lines[0],
            "month,service,owner,target_percent,uptime_percent,intervals,"
            "down_intervals,excluded_intervals,downtime_minutes,met,"
            "credit_percent,incidents,catalog_id,catalog_status");
  EXPECT_EQ(lines[1],
            "2024-01,web,application,99.95,99.95071684587813,44640,22,0,22,"
            "true,0,3,,");
  EXPECT_EQ(lines[2],
            "2024-01,appsvc,provider,99.95,100,44640,0,0,0,true,0,0,"
            "azure/app-service,partial");
  EXPECT_EQ(lines[3],
            "2024-01,sqldb,provider,99.99,100,44640,0,0,0,true,0,0,"
            "azure/sql-database,confirmed");
  EXPECT_EQ(lines[4], "2024-01,plain,application,,,,,,,,,,,");
  EXPECT_EQ(lines[5], "");
}

TEST_F(RenderTest, MarkdownTablesAndUnconfirmedCatalogEntries) {
  const std::string md = RenderReportMarkdown(report_);
  EXPECT_THAT(md, HasSubstr("# SLA compliance report, 2024-01\n"));
  EXPECT_THAT(md, HasSubstr("Period 2024-01-01T00:00:00Z to "
                            "2024-02-01T00:00:00Z (UTC)"));
  EXPECT_THAT(md, HasSubstr("| web | application | 99.95% | 99.9507% | "
                            "22 / 44640 | 22 min | yes | 0% | - |\n"));
  // azure/app-service is `partial` in the catalog (downtime and credits not
  // confirmed from Microsoft's SLA text).
  EXPECT_THAT(md, HasSubstr("| appsvc | provider | 99.95% | 100.0000% | "
                            "0 / 44640 | 0 min | yes | 0% | azure/app-service "
                            "(partial; not confirmed: downtime, credits) |\n"));
  // A confirmed entry is shown bare.
  EXPECT_THAT(md, HasSubstr("| sqldb | provider | 99.99% | 100.0000% | "
                            "0 / 44640 | 0 min | yes | 0% | "
                            "azure/sql-database |\n"));
  EXPECT_THAT(md, Not(HasSubstr("azure/sql-database (")));
  EXPECT_THAT(md, HasSubstr("| plain | application | - | - | - | - | - | - "
                            "| - |\n"));
  // Incidents, longest first (ties in time order).
  EXPECT_THAT(md, HasSubstr("## Incidents\n\n"
                            "**web**: 3 incidents, 22 minutes down:\n\n"
                            "- 2024-01-15T12:00:00Z to 2024-01-15T12:12:00Z "
                            "(12 min)\n"
                            "- 2024-01-01T00:00:00Z to 2024-01-01T00:05:00Z "
                            "(5 min)\n"
                            "- 2024-01-31T23:55:00Z to 2024-02-01T00:00:00Z "
                            "(5 min)\n"));
  // 30d objective: 43183 / 43200 = 99.9606 %; remaining 26200 / 43200 =
  // 60.6 %.
  EXPECT_THAT(md, HasSubstr("| web | availability | 99.9% | 30d | 99.9606% | "
                            "60.6% |\n"));
  // shop = all_of(web, appsvc): 0.9995 * 0.9995 = 99.900025 %; observed
  // 44618 / 44640; web's 22 minutes are the application's.
  EXPECT_THAT(md, HasSubstr("| shop | `all_of(web, appsvc)` | 99.9000% | "
                            "99.9507% | 22 | 0 | 22 | 0 |\n"));
  EXPECT_THAT(md, HasSubstr("| shop | web | application | 22 | 22 | 0 |\n"));
  EXPECT_THAT(md, HasSubstr("| shop | appsvc | provider | 0 | 0 | 0 |\n"));
}

TEST(RenderCsvTest, FieldsWithCommasAndQuotesAreQuoted) {
  MonthlyReport r;
  r.month = "2024-01";
  ServiceReport s;
  s.name = "a,\"b\"";
  r.services.push_back(s);
  EXPECT_EQ(RenderReportCsv(r),
            "month,service,owner,target_percent,uptime_percent,intervals,"
            "down_intervals,excluded_intervals,downtime_minutes,met,"
            "credit_percent,incidents,catalog_id,catalog_status\n"
            "2024-01,\"a,\"\"b\"\"\",application,,,,,,,,,,,\n");
}

TEST(RenderMarkdownTest, ListsTheFifteenLongestIncidents) {
  // A hand-made result with 16 incidents of 1..16 minutes, one a day at
  // 00:00 from January 1 (incident k lasts k + 1 minutes): 136 minutes.
  MonthlyReport r;
  r.month = "2024-01";
  r.timezone = "UTC";
  ServiceReport s;
  s.name = "flaky";
  ContractSpec spec;
  spec.commitment_percent = 99.9;
  s.contract = spec;
  ContractResult c;
  const absl::Time jan1 = T("2024-01-01T00:00:00Z");
  for (int k = 0; k < 16; ++k) {
    Incident i;
    i.span.from = jan1 + absl::Hours(24 * k);
    i.span.to = i.span.from + absl::Minutes(k + 1);
    i.minutes = k + 1;
    i.intervals = k + 1;
    c.incidents.push_back(i);
  }
  c.down_intervals = 136;
  c.downtime_minutes = 136;  // 1 + 2 + ... + 16
  s.result = c;
  r.services.push_back(s);
  const std::string md = RenderReportMarkdown(r);
  EXPECT_THAT(md, HasSubstr("**flaky**: 16 incidents, 136 minutes down; the "
                            "15 longest:\n\n"
                            "- 2024-01-16T00:00:00Z to 2024-01-16T00:16:00Z "
                            "(16 min)\n"
                            "- 2024-01-15T00:00:00Z to 2024-01-15T00:15:00Z "
                            "(15 min)\n"));
  EXPECT_THAT(md, HasSubstr("- 2024-01-02T00:00:00Z to 2024-01-02T00:02:00Z "
                            "(2 min)\n"));
  // The 1-minute incident is the one left out.
  EXPECT_THAT(md, Not(HasSubstr("2024-01-01T00:01:00Z")));
  // Without applications there is no applications section.
  EXPECT_THAT(md, Not(HasSubstr("## Applications")));
}

// ------------------------------------------------------- 10. ParseMonth

TEST(ParseMonthTest, AcceptsYyyyMm) {
  absl::StatusOr<absl::CivilMonth> m = ParseMonth("2024-01");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(*m, absl::CivilMonth(2024, 1));
  m = ParseMonth("1999-12");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(*m, absl::CivilMonth(1999, 12));
}

TEST(ParseMonthTest, RejectsOtherShapes) {
  for (const char* text : {"2024-1", "24-01", "2024-13", "", "2024-00",
                           "2024-01-01", "2024/01", "January"}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(ParseMonth(text).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
}

// Being seven characters long is not the same as being YYYY-MM. ParseMonth
// checks only the length after absl::ParseCivilTime, which reads the year
// with strtoll (leading space, sign, any number of digits), accepts a
// one-digit month and trailing whitespace, so all of these parse today
// ("20240-1" as the year 20240).
TEST(ParseMonthTest, RejectsSevenCharacterTextThatIsNotYyyyMm) {
  for (const char* text :
       {" 2024-1", "2024-1 ", "+2024-1", "2024-1\n", "20240-1", "+024-01"}) {
    SCOPED_TRACE(absl::StrCat("'", text, "'"));
    absl::StatusOr<absl::CivilMonth> m = ParseMonth(text);
    EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument)
        << "parsed as " << (m.ok() ? absl::FormatCivilTime(*m) : "");
  }
}

// An objective naming an SLI the service does not have is a configuration
// error, not "no data" (regression: it used to show a full budget).
TEST_F(ReportTest, ObjectiveWithAnUnknownSliIsAnError) {
  Feed("web", "home", T("2024-01-01T00:00:00Z"), T("2024-01-01T01:00:00Z"));
  const Config config = MustParse(R"yaml(services:
  - name: web
    objectives:
      - {name: a, slis: [nosuch], target: 99.9, window: 30d}
)yaml");
  absl::StatusOr<MonthlyReport> r =
      BuildMonthlyReport(engine_, config, absl::CivilMonth(2024, 1));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound) << r.status();
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("nosuch"));
}

// An engine reused across reports keeps objectives by name: a changed
// target in the configuration must not silently use the old one.
TEST_F(ReportTest, ObjectiveDeclaredWithAnotherSpecIsAnError) {
  Feed("web", "home", T("2024-01-01T00:00:00Z"), T("2024-01-01T01:00:00Z"));
  const char* kFirst = R"yaml(services:
  - name: web
    objectives: [{name: a, target: 99.9, window: 30d}]
)yaml";
  ASSERT_TRUE(
      BuildMonthlyReport(engine_, MustParse(kFirst), absl::CivilMonth(2024, 1))
          .ok());
  absl::StatusOr<MonthlyReport> r =
      BuildMonthlyReport(engine_, MustParse(R"yaml(services:
  - name: web
    objectives: [{name: a, target: 99.0, window: 30d}]
)yaml"),
                         absl::CivilMonth(2024, 1));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition)
      << r.status();
}

// ------------------------------------------------- 11. Alerts replayed

// web: availability (alerting, the default 30d policy), strict (alerting,
// its own policy: one page tier, for 10m, resolve after 15m) and quiet (not
// alerting), all at 99.9 % over 30d. edge: availability (alerting).
constexpr char kAlertYaml[] = R"yaml(
timezone: UTC
services:
  - name: web
    objectives:
      - {name: availability, target: 99.9, window: 30d, alerting: true}
      - name: strict
        target: 99.9
        window: 30d
        alerting:
          for: 10m
          resolve_after: 15m
          tiers: [{severity: page, long: 1h, short: 5m, factor: 14.4}]
      - {name: quiet, target: 99.9, window: 30d}
  - name: edge
    objectives:
      - {name: availability, target: 99.9, window: 30d, alerting: true}
)yaml";

// "objective/severity started..resolved=minutes", resolved "open" when
// still firing, "(before replay)" when firing at the replay's start.
std::string Episodes(const ServiceReport& s) {
  std::vector<std::string> parts;
  for (const AlertEpisode& a : s.alerts) {
    parts.push_back(
        absl::StrCat(a.objective, "/", a.severity, " ", Utc(a.started), "..",
                     a.resolved ? Utc(*a.resolved) : std::string("open"), "=",
                     absl::ToInt64Minutes(a.duration),
                     a.started_before_replay ? " (before replay)" : ""));
  }
  return absl::StrJoin(parts, "; ");
}

class AlertTest : public ReportTest {
 protected:
  // One result a minute from Dec 1 to Feb 1 for both services, so every
  // look-back window (at most 3d before the replay's Dec 29 start) is
  // full. web fails in [Jan 15 12:00, 14:00), edge in [Dec 31 23:00,
  // Jan 1 01:00): 120 bad minutes each, across the month start for edge.
  void SetUp() override {
    Feed("web", "home", T("2023-12-01T00:00:00Z"), T("2024-02-01T00:00:00Z"),
         {Span("2024-01-15T12:00:00Z", "2024-01-15T14:00:00Z")});
    Feed("edge", "home", T("2023-12-01T00:00:00Z"), T("2024-02-01T00:00:00Z"),
         {Span("2023-12-31T23:00:00Z", "2024-01-01T01:00:00Z")});
  }

  MonthlyReport BuildWith(absl::CivilMonth month, const ReportOptions& o) {
    absl::StatusOr<MonthlyReport> r =
        BuildMonthlyReport(engine_, MustParse(kAlertYaml), month, o);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *std::move(r) : MonthlyReport{};
  }
};

// Default 30d tiers, 99.9 % (budget fraction 1/1000), x bad minutes of a
// full window of n minutes: rate = 1000 x / n, strict `>`.
//   page   1h/5m  > 14.4: 1h needs x >= 1, 5m needs x >= 1;
//   page   6h/30m > 6:    6h needs x >= 3 (x > 2.16), 30m needs x >= 1;
//   ticket 1d/2h  > 3:    1d needs x >= 5 (x > 4.32), 2h needs x >= 1;
//   ticket 3d/6h  > 1:    3d needs x >= 5 (x > 4.32), 6h needs x >= 1.
// Evaluations every 5 minutes on the month's grid (windows [t - w, t)):
//   12:00  [11:55, 12:00) clean: nothing.
//   12:05  5 bad in every window: page (1h/5m, the first page tier; 1h rate
//          1000 * 5 / 60 = 250/3, 5m rate 1000) and ticket (1d/2h: 1000 *
//          5 / 1440 = 125/36 and 1000 * 5 / 120 = 125/3) fire.
//   page:   the 5m window is clean from 14:05, the 30m one from 14:30 (the
//           6h one still holds 120): condition false at 14:30, resolved
//           5 minutes later (resolve_after) at 14:35. 150 minutes.
//   ticket: the 2h window is clean from 16:00, the 6h one from 20:00 (3d
//           holds 120 > 4.32): false at 20:00, resolved 20:05. 480 minutes.
// Budget at 12:05: 30d = 43200 minutes, 5 bad, allowed 43.2: remaining
// (43200 - 5000) / 43200 = 191/216.
// Peaks of the firing tier: page 1h/5m all bad at 13:00..14:00 (1000 /
// 1000); ticket 1d reaches 120 / 1440 -> 250/3, 2h all bad at 14:00
// (1000).
// strict (its own policy): the condition holds from 12:05 (pending), fires
// at 12:15 (for 10m; 1h rate 1000 * 15 / 60 = 250), is false from 14:05
// (5m clean) and resolves at 14:20 (15m). 125 minutes. No ticket tier.
TEST_F(AlertTest, TwoHourOutagePagesOnceAndTickets) {
  const MonthlyReport r = BuildWith(absl::CivilMonth(2024, 1), {});
  const ServiceReport& web = Svc(r, "web");
  EXPECT_EQ(Episodes(web),
            "availability/page 2024-01-15T12:05:00Z..2024-01-15T14:35:00Z=150; "
            "availability/ticket 2024-01-15T12:05:00Z..2024-01-15T20:05:00Z="
            "480; "
            "strict/page 2024-01-15T12:15:00Z..2024-01-15T14:20:00Z=125");
  ASSERT_EQ(web.alerts.size(), 3u);
  const AlertEpisode& page = web.alerts[0];
  EXPECT_EQ(page.evidence.tier.long_window, absl::Hours(1));
  EXPECT_EQ(page.evidence.tier.short_window, absl::Minutes(5));
  EXPECT_EQ(page.evidence.tier.factor, 14.4);
  EXPECT_EQ(page.evidence.long_rate, 250.0 / 3);  // correctly rounded
  EXPECT_EQ(page.evidence.short_rate, 1000);
  EXPECT_EQ(page.evidence.long_counts, C(55, 60));
  EXPECT_EQ(page.budget_remaining, 191.0 / 216);
  EXPECT_EQ(page.peak_long_rate, 1000);
  EXPECT_EQ(page.peak_short_rate, 1000);
  const AlertEpisode& ticket = web.alerts[1];
  EXPECT_EQ(ticket.evidence.tier.long_window, absl::Hours(24));
  EXPECT_EQ(ticket.evidence.tier.short_window, absl::Hours(2));
  EXPECT_EQ(ticket.evidence.tier.factor, 3);
  EXPECT_EQ(ticket.evidence.long_rate, 125.0 / 36);
  EXPECT_EQ(ticket.evidence.short_rate, 125.0 / 3);
  EXPECT_EQ(ticket.peak_long_rate, 250.0 / 3);
  EXPECT_EQ(ticket.peak_short_rate, 1000);
  EXPECT_EQ(web.alerts[2].evidence.long_rate, 250);
  EXPECT_EQ(web.alerts[2].evidence.short_rate, 1000);
}

TEST_F(AlertTest, NonAlertingObjectiveHasNoAlerts) {
  const MonthlyReport r = BuildWith(absl::CivilMonth(2024, 1), {});
  ASSERT_EQ(Svc(r, "web").objectives.size(), 3u);
  for (const AlertEpisode& a : Svc(r, "web").alerts) {
    EXPECT_NE(a.objective, "quiet");
  }
  // The same month and outage without `alerting`: no alert at all.
  absl::StatusOr<MonthlyReport> plain =
      BuildMonthlyReport(engine_, MustParse(R"yaml(services:
  - name: web
    objectives: [{name: quiet, target: 99.9, window: 30d}]
)yaml"),
                         absl::CivilMonth(2024, 1));
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_TRUE(Svc(*plain, "web").alerts.empty());
}

// edge fails in [Dec 31 23:00, Jan 1 01:00); the January replay starts at
// Dec 29 00:00 (Jan 1 minus the 3d window), so the alerts that fired
// before the month show with their start: page Dec 31 23:05 to Jan 1 01:35
// (150 min), ticket Dec 31 23:05 to Jan 1 07:05 (480 min), as for web.
// December's report ends with its last evaluation at 23:55: both still
// firing, 55 minutes to the month's end.
TEST_F(AlertTest, OutageAcrossTheMonthStartShowsItsEarlierStart) {
  EXPECT_EQ(
      Episodes(Svc(BuildWith(absl::CivilMonth(2024, 1), {}), "edge")),
      "availability/page 2023-12-31T23:05:00Z..2024-01-01T01:35:00Z=150; "
      "availability/ticket 2023-12-31T23:05:00Z..2024-01-01T07:05:00Z=480");
  EXPECT_EQ(Episodes(Svc(BuildWith(absl::CivilMonth(2023, 12), {}), "edge")),
            "availability/page 2023-12-31T23:05:00Z..open=55; "
            "availability/ticket 2023-12-31T23:05:00Z..open=55");
  // February: edge's and web's episodes all resolved before Feb 1.
  const MonthlyReport feb = BuildWith(absl::CivilMonth(2024, 2), {});
  EXPECT_TRUE(Svc(feb, "edge").alerts.empty());
  EXPECT_TRUE(Svc(feb, "web").alerts.empty());
}

// An outage from Dec 20 to Jan 3 holds every condition at the January
// replay's first evaluation: for availability (default tiers, longest 3d)
// Dec 29 00:00, where page and ticket fire at once; for strict (one 1h
// tier) Dec 31 23:00, where it is pending, firing at 23:10 (for 10m). All
// are marked as possibly earlier. The outage ends Jan 3 00:00: page
// resolves at 00:35 (30m window clean at 00:30), ticket at 06:05 (6h
// window clean at 06:00), strict at 00:20 (5m window clean at 00:05, plus
// 15m). Durations: 5d 35m = 7235, 5d 6h 5m = 7565, 2d 1h 10m = 2950.
TEST_F(ReportTest, AlertFiringBeforeTheReplayIsMarked) {
  Feed("down", "home", T("2023-12-01T00:00:00Z"), T("2024-02-01T00:00:00Z"),
       {Span("2023-12-20T00:00:00Z", "2024-01-03T00:00:00Z")});
  const MonthlyReport r = Build(
      MustParse(absl::StrReplaceAll(kAlertYaml, {{"name: web", "name: down"}})),
      absl::CivilMonth(2024, 1));
  EXPECT_EQ(Episodes(Svc(r, "down")),
            "availability/page 2023-12-29T00:00:00Z..2024-01-03T00:35:00Z="
            "7235 (before replay); "
            "availability/ticket 2023-12-29T00:00:00Z..2024-01-03T06:05:00Z="
            "7565 (before replay); "
            "strict/page 2023-12-31T23:10:00Z..2024-01-03T00:20:00Z=2950 "
            "(before replay)");
  // edge has no result at all: its objective is not declared, no alerts.
  EXPECT_TRUE(Svc(r, "edge").alerts.empty());
}

// With a 1-minute step the page fires at 12:01 ([12:00, 12:01) is bad: 5m
// rate 1000 * 1 / 5 = 200, 1h rate 1000 / 60 = 16.67 > 14.4) and still
// resolves at 14:35; the ticket still needs 5 bad minutes in 1d (12:05).
TEST_F(AlertTest, AlertStepIsTheReplayGrid) {
  ReportOptions o;
  o.alert_step = absl::Minutes(1);
  const MonthlyReport r = BuildWith(absl::CivilMonth(2024, 1), o);
  EXPECT_EQ(Episodes(Svc(r, "web")),
            "availability/page 2024-01-15T12:01:00Z..2024-01-15T14:35:00Z=154; "
            "availability/ticket 2024-01-15T12:05:00Z..2024-01-15T20:05:00Z="
            "480; "
            "strict/page 2024-01-15T12:11:00Z..2024-01-15T14:20:00Z=129");
}

TEST_F(AlertTest, AlertStepMustBeWholeMinutes) {
  for (absl::Duration step : {absl::ZeroDuration(), absl::Seconds(90),
                              -absl::Minutes(5), absl::InfiniteDuration()}) {
    ReportOptions o;
    o.alert_step = step;
    absl::StatusOr<MonthlyReport> r = BuildMonthlyReport(
        engine_, MustParse(kAlertYaml), absl::CivilMonth(2024, 1), o);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument)
        << absl::FormatDuration(step);
  }
}

AuditRecord Audit(int64_t seq, absl::Time at, const std::string& service,
                  const std::string& decision) {
  AuditRecord a;
  a.seq = seq;
  a.at = at;
  a.service = service;
  a.objective = "availability";
  a.severity = "page";
  a.action = "restart";
  a.alert_to = AlertState::kFiring;
  a.decision = decision;
  a.reason = decision == "run" ? "alert entered firing" : "failed after 4s";
  if (decision == "finished") {
    a.started = at - absl::Seconds(4);
    a.finished = at;
    a.result = absl::UnavailableError("no | route");
  }
  return a;
}

TEST_F(AlertTest, RemediationRecordsOfTheMonthOnly) {
  ReportOptions o;
  o.audit_records = {
      Audit(1, T("2023-12-31T23:59:59Z"), "web", "run"),       // December
      Audit(2, T("2024-01-15T12:05:00Z"), "web", "run"),       // in
      Audit(3, T("2024-01-15T12:05:04Z"), "web", "finished"),  // in
      Audit(4, T("2024-01-20T00:00:00Z"), "other", "run"),     // not ours
      Audit(5, T("2024-02-01T00:00:00Z"), "web", "run"),       // February
  };
  const MonthlyReport r = BuildWith(absl::CivilMonth(2024, 1), o);
  ASSERT_EQ(r.remediation.size(), 2u);
  EXPECT_EQ(r.remediation[0].seq, 2);
  EXPECT_EQ(r.remediation[1].seq, 3);
  // The default overload lists none.
  EXPECT_TRUE(Build(MustParse(kAlertYaml), absl::CivilMonth(2024, 1))
                  .remediation.empty());
}

TEST_F(AlertTest, RenderersListAlertsAndRemediationRuns) {
  ReportOptions o;
  o.audit_records = {Audit(2, T("2024-01-15T12:05:00Z"), "web", "run"),
                     Audit(3, T("2024-01-15T12:05:04Z"), "web", "finished")};
  const MonthlyReport r = BuildWith(absl::CivilMonth(2024, 1), o);
  const std::string json = RenderReportJson(r);
  // web's page episode (numbers: see TwoHourOutagePagesOnceAndTickets;
  // 83.33333333333333 and 0.8842592592592593 are the shortest texts of the
  // doubles nearest 250/3 and 191/216).
  EXPECT_THAT(
      json,
      HasSubstr(
          R"("alerts":[{"objective":"availability","severity":"page",)"
          R"("started":"2024-01-15T12:05:00Z","resolved":"2024-01-15T14:35:00Z",)"
          R"("duration_minutes":150,"started_before_replay":false,)"
          R"("evidence":{"long_window":"1h","short_window":"5m","factor":14.4,)"
          R"("long_rate":83.33333333333333,"short_rate":1000,)"
          R"("budget_remaining":0.8842592592592593},"peak_long_rate":1000,)"
          R"("peak_short_rate":1000},{"objective":"availability",)"
          R"("severity":"ticket",)"));
  EXPECT_THAT(
      json,
      HasSubstr(
          R"("remediation":[{"seq":2,"at":"2024-01-15T12:05:00Z",)"
          R"("service":"web","objective":"availability","severity":"page",)"
          R"("action":"restart","alert_state":"firing","decision":"run",)"
          R"("reason":"alert entered firing","started":null,"finished":null,)"
          R"("result_code":"OK","result_message":""},{"seq":3,)"
          R"("at":"2024-01-15T12:05:04Z","service":"web",)"
          R"("objective":"availability","severity":"page","action":"restart",)"
          R"("alert_state":"firing","decision":"finished",)"
          R"("reason":"failed after 4s","started":"2024-01-15T12:05:00Z",)"
          R"("finished":"2024-01-15T12:05:04Z","result_code":"UNAVAILABLE",)"
          R"("result_message":"no | route"}]})"));
  // A service without alerting objectives: an empty list.
  Json root;
  ASSERT_TRUE(JsonReader(json).Read(&root));
  EXPECT_EQ(root["services"][1]["alerts"].items.size(), 2u);  // edge
  EXPECT_EQ(root["services"][1]["alerts"][0]["started_before_replay"].text,
            "false");

  const std::string md = RenderReportMarkdown(r);
  EXPECT_THAT(
      md, HasSubstr("\n## Alerts\n\nAlerts of the objectives with "
                    "`alerting: true`, replayed on the month's results with "
                    "each objective's policy.\n\n"
                    "| service | objective | severity | started | resolved | "
                    "minutes | fired on (long and short burn rate > factor) | "
                    "budget left | peak burn rate (long / short) |\n"
                    "| --- | --- | --- | --- | --- | ---: | --- | ---: | ---: "
                    "|\n"
                    "| web | availability | page | 2024-01-15T12:05:00Z | "
                    "2024-01-15T14:35:00Z | 150 | 1h 83.33 and 5m 1000 > 14.4 "
                    "| 88.4% | 1000 / 1000 |\n"
                    "| web | availability | ticket | 2024-01-15T12:05:00Z | "
                    "2024-01-15T20:05:00Z | 480 | 1d 3.47 and 2h 41.67 > 3 | "
                    "88.4% | 83.33 / 1000 |\n"));
  EXPECT_THAT(md, HasSubstr("| edge | availability | page | "
                            "2023-12-31T23:05:00Z | 2024-01-01T01:35:00Z | "
                            "150 |"));
  EXPECT_THAT(
      md,
      HasSubstr("\n## Remediation runs\n\n"
                "| at | service | objective | severity | alert | action | "
                "decision | reason | result | started | finished |\n"
                "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- "
                "| --- |\n"
                "| 2024-01-15T12:05:00Z | web | availability | page | firing "
                "| restart | run | alert entered firing | - | - | - |\n"
                "| 2024-01-15T12:05:04Z | web | availability | page | firing "
                "| restart | finished | failed after 4s | UNAVAILABLE: no \\| "
                "route | 2024-01-15T12:05:00Z | 2024-01-15T12:05:04Z |\n"));
}

TEST(RenderMarkdownTest, EmptyAlertAndRemediationSectionsSayNone) {
  MonthlyReport r;
  r.month = "2024-01";
  r.services.push_back(ServiceReport{});
  const std::string md = RenderReportMarkdown(r);
  EXPECT_THAT(md, HasSubstr("policy.\n\nNone.\n\n## Remediation runs\n\n"
                            "None.\n"));
  EXPECT_THAT(RenderReportJson(r), HasSubstr(R"("alerts":[])"));
  EXPECT_THAT(RenderReportJson(r), HasSubstr(R"("remediation":[]})"));
}

// Not a benchmark: how long the replay takes for 50 alerting objectives
// over a month (8,928 evaluations each at the default 5-minute step, plus
// 864 for the 3-day look-back), logged for the record. Each service fails
// for one hour, so every objective pages once.
TEST_F(ReportTest, AlertReplayOfFiftyObjectivesTakesLittleTime) {
  std::string yaml = "services:\n";
  for (int k = 0; k < 50; ++k) {
    const std::string name = absl::StrCat("svc", k);
    absl::StrAppend(&yaml, "  - name: ", name,
                    "\n    objectives: [{name: availability, target: 99.9, "
                    "window: 30d, alerting: true}]\n");
    const absl::Time down = T("2024-01-10T00:00:00Z") + absl::Hours(k);
    Feed(name, "home", T("2023-12-28T00:00:00Z"), T("2024-02-01T00:00:00Z"),
         {Interval{down, down + absl::Hours(1)}});
  }
  // The same objectives without `alerting`: the rest of the report.
  const Config quiet =
      MustParse(absl::StrReplaceAll(yaml, {{", alerting: true", ""}}));
  absl::Time start = absl::Now();  // wall time, for the log only
  const MonthlyReport without = Build(quiet, absl::CivilMonth(2024, 1));
  const absl::Duration base = absl::Now() - start;
  start = absl::Now();
  const MonthlyReport with = Build(MustParse(yaml), absl::CivilMonth(2024, 1));
  const absl::Duration took = absl::Now() - start;
  for (const ServiceReport& s : without.services) {
    EXPECT_TRUE(s.alerts.empty()) << s.name;
  }
  for (const ServiceReport& s : with.services) {
    ASSERT_EQ(s.alerts.size(), 2u) << s.name;  // a page and a ticket
  }
  std::cout << "[ timing   ] January report, 50 objectives: "
            << absl::FormatDuration(base) << " without alerting, "
            << absl::FormatDuration(took) << " with the alert replay\n";
  RecordProperty("report_50_objectives_ms",
                 static_cast<int>(absl::ToInt64Milliseconds(base)));
  RecordProperty("report_50_alerting_objectives_ms",
                 static_cast<int>(absl::ToInt64Milliseconds(took)));
}

// ------------------------------- 9. application objectives' burn rates

// Every look-back window ends at kAppAt; the components have one result a
// minute over the 3 days before it (the longest default window), so each
// window counts its minutes exactly. Target 99.9 %: a burn rate is
// bad * 1000 / counted.
const absl::Time kAppAt = absl::FromUnixSeconds(1710072000);  // 2024-03-10T12Z

class ApplicationBurnTest : public ReportTest {
 protected:
  // One result a minute of [kAppAt - 3d, kAppAt), down in `down` (minutes
  // before kAppAt: {60, 30} is [kAppAt - 60m, kAppAt - 30m)).
  void FeedLast3Days(const std::string& service,
                     std::vector<std::pair<int, int>> down = {}) {
    std::vector<Interval> intervals;
    for (const auto& [from, to] : down) {
      intervals.push_back(
          Interval{kAppAt - absl::Minutes(from), kAppAt - absl::Minutes(to)});
    }
    Feed(service, "home", kAppAt - absl::Hours(72), kAppAt, intervals);
  }

  ApplicationBurnTiers Evaluate(const Config& config, absl::Time at,
                                const AlertPolicy& policy = AlertPolicy()) {
    const ApplicationConfig& app = config.applications[0];
    absl::StatusOr<ApplicationBurnTiers> b = EvaluateApplicationBurnTiers(
        engine_, config, app, app.objectives[0], policy, at);
    EXPECT_TRUE(b.ok()) << b.status();
    return b.ok() ? *std::move(b) : ApplicationBurnTiers{};
  }
};

constexpr char kAllOfYaml[] = R"yaml(
services: [{name: web}, {name: sql, owner: provider}]
applications:
  - name: shop
    components: {all_of: [web, sql]}
    objectives: [{name: availability, target: 99.9, window: 30d,
                  alerting: true}]
)yaml";

// sql down for the last 30 of the last 60 minutes, web up: every tier's
// long window holds the 30 down minutes, all caused by sql alone.
TEST_F(ApplicationBurnTest, AllOfPagesWithTheComponentThatCausedIt) {
  FeedLast3Days("web");
  FeedLast3Days("sql", {{30, 0}});
  const Config config = MustParse(kAllOfYaml);
  const ApplicationBurnTiers b = Evaluate(config, kAppAt);
  ASSERT_EQ(b.tiers.size(), 4u);  // the 30d workbook tiers
  // 1h/5m > 14.4: 30 bad of 60 -> 30 * 1000 / 60 = 500; 5 of 5 -> 1000.
  const TierEvaluation& page = b.tiers[0];
  EXPECT_EQ(page.tier.severity, "page");
  EXPECT_EQ(page.tier.factor, 14.4);
  EXPECT_EQ(page.long_counts, C(30, 60));
  EXPECT_EQ(page.short_counts, C(0, 5));
  EXPECT_EQ(page.long_rate, 500.0);
  EXPECT_EQ(page.short_rate, 1000.0);
  EXPECT_TRUE(page.alerting());
  EXPECT_EQ(page.top_component, "sql");
  EXPECT_EQ(page.top_component_minutes, 30);
  // 6h/30m > 6: 30 of 360 -> 250/3; 30 of 30 -> 1000.
  EXPECT_EQ(b.tiers[1].long_counts, C(330, 360));
  EXPECT_EQ(b.tiers[1].long_rate, 250.0 / 3);
  EXPECT_EQ(b.tiers[1].short_rate, 1000.0);
  // 1d/2h > 3: 30 of 1440 -> 125/6; 30 of 120 -> 250.
  EXPECT_EQ(b.tiers[2].long_rate, 125.0 / 6);
  EXPECT_EQ(b.tiers[2].short_rate, 250.0);
  // 3d/6h > 1: 30 of 4320 -> 125/18; 250/3.
  EXPECT_EQ(b.tiers[3].long_counts, C(4290, 4320));
  EXPECT_EQ(b.tiers[3].long_rate, 125.0 / 18);
  EXPECT_EQ(b.tiers[3].short_rate, 250.0 / 3);
  for (const TierEvaluation& t : b.tiers) {
    EXPECT_TRUE(t.alerting()) << DurationToString(t.tier.long_window);
    EXPECT_EQ(t.top_component, "sql");
    EXPECT_EQ(t.top_component_minutes, 30);
  }
  // The 30d window holds the 4320 minutes with data: 30 bad against an
  // allowance of 4.32 -> consumed 30000 / 4320, remaining 1 - 125/18.
  EXPECT_EQ(b.budget_remaining, 1 - 125.0 / 18);

  // Through the tracker: page and ticket fire at once (default policy),
  // naming sql.
  AlertTracker tracker;
  absl::StatusOr<std::vector<AlertEvent>> events = tracker.Advance(
      0, "shop", "availability", b.tiers, b.budget_remaining, kAppAt);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].service, "shop");
  EXPECT_EQ((*events)[0].severity, "page");
  EXPECT_EQ((*events)[0].to, AlertState::kFiring);
  EXPECT_EQ((*events)[0].evidence.top_component, "sql");
  EXPECT_EQ((*events)[0].evidence.long_rate, 500.0);
  EXPECT_EQ((*events)[0].budget_remaining, 1 - 125.0 / 18);
  EXPECT_EQ((*events)[1].severity, "ticket");
  EXPECT_EQ((*events)[1].evidence.tier.long_window, absl::Hours(24));
}

// any_of(sql, queue): sql down for the last 30 minutes, the queue up and
// covering for it; the composite never goes down, so nothing burns and
// no component is to blame.
TEST_F(ApplicationBurnTest, AnyOfWithACoveringBranchDoesNotAlert) {
  FeedLast3Days("sql", {{30, 0}});
  FeedLast3Days("queue");
  const Config config = MustParse(R"yaml(
services: [{name: sql, owner: provider}, {name: queue, owner: provider}]
applications:
  - name: orders
    components: {any_of: [sql, queue]}
    objectives: [{name: availability, target: 99.9, alerting: true}]
)yaml");
  const ApplicationBurnTiers b = Evaluate(config, kAppAt);
  ASSERT_EQ(b.tiers.size(), 4u);
  for (const TierEvaluation& t : b.tiers) {
    EXPECT_FALSE(t.condition) << DurationToString(t.tier.long_window);
    EXPECT_EQ(t.long_rate, 0.0);
    EXPECT_EQ(t.long_counts.bad(), 0);
    EXPECT_EQ(t.top_component, "");
    EXPECT_EQ(t.top_component_minutes, 0);
  }
  EXPECT_EQ(b.tiers[0].long_counts, C(60, 60));
  EXPECT_EQ(b.budget_remaining, 1.0);
  AlertTracker tracker;
  absl::StatusOr<std::vector<AlertEvent>> events = tracker.Advance(
      0, "orders", "availability", b.tiers, b.budget_remaining, kAppAt);
  ASSERT_TRUE(events.ok()) << events.status();
  EXPECT_TRUE(events->empty());
}

// web down [-60m, -50m), sql down [-55m, -45m): 15 down minutes; in the 5
// both were down, each shared them (all_of needs both repaired). web
// caused 5 alone + 5 shared = 10, sql 5 shared + 5 alone = 10: a tie, which
// goes to the smaller name. The 1h window: 15 bad of 60 -> 250; the 5m
// window holds none, so no tier alerts, yet each names its top component.
// A window that misses part of a cause counts the rest: evaluated at
// -47m (stamped mid-minute; windows end at the minute), the 1h window
// [-107m, -47m) holds web's 10 (5 alone, 5 shared) and 8 of sql's (5
// shared, 3 alone): web, 13 down minutes.
TEST_F(ApplicationBurnTest, TopComponentCountsSharedMinutesAndTiesByName) {
  FeedLast3Days("web", {{60, 50}});
  FeedLast3Days("sql", {{55, 45}});
  const Config config = MustParse(kAllOfYaml);
  ApplicationBurnTiers b = Evaluate(config, kAppAt);
  ASSERT_EQ(b.tiers.size(), 4u);
  EXPECT_EQ(b.tiers[0].long_counts, C(45, 60));
  EXPECT_EQ(b.tiers[0].long_rate, 250.0);
  EXPECT_EQ(b.tiers[0].short_rate, 0.0);
  EXPECT_FALSE(b.tiers[0].condition);
  EXPECT_EQ(b.tiers[0].top_component, "sql");
  EXPECT_EQ(b.tiers[0].top_component_minutes, 10);
  AlertPolicy one_tier;
  one_tier.tiers = {BurnTier{"page", absl::Hours(1), absl::Minutes(5), 14.4}};
  b = Evaluate(config, kAppAt - absl::Minutes(47) + absl::Seconds(59),
               one_tier);
  ASSERT_EQ(b.tiers.size(), 1u);
  EXPECT_EQ(b.tiers[0].long_counts, C(47, 60));
  EXPECT_EQ(b.tiers[0].short_counts, C(0, 5));  // [-52m, -47m): all down
  EXPECT_EQ(b.tiers[0].top_component, "web");
  EXPECT_EQ(b.tiers[0].top_component_minutes, 10);
}

// The low-traffic guard and bad input, as for a service's objective.
TEST_F(ApplicationBurnTest, GuardAndErrorsNameTheObjective) {
  FeedLast3Days("web");
  FeedLast3Days("sql", {{30, 0}});
  const Config config = MustParse(kAllOfYaml);
  AlertPolicy guarded;
  guarded.min_short_window_events = 6;  // the 5m window holds 5 minutes
  ApplicationBurnTiers b = Evaluate(config, kAppAt, guarded);
  EXPECT_TRUE(b.tiers[0].condition);
  EXPECT_TRUE(b.tiers[0].suppressed);
  EXPECT_EQ(b.tiers[0].reason,
            "short window 5m holds 5 events < 6 (low-traffic guard)");
  EXPECT_TRUE(b.tiers[1].alerting());  // 30m holds 30
  AlertPolicy bad;
  bad.tiers = {BurnTier{"page", absl::Minutes(5), absl::Hours(1), 14.4}};
  const ApplicationConfig& app = config.applications[0];
  absl::StatusOr<ApplicationBurnTiers> e = EvaluateApplicationBurnTiers(
      engine_, config, app, app.objectives[0], bad, kAppAt);
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(e.status().message(),
              HasSubstr("objective 'shop/availability': alert tier 0: short "
                        "window 1h is longer than long window 5m"));
}

}  // namespace
}  // namespace sla
