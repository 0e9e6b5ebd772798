#include "sla/window.h"

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sla {
namespace {

using ::testing::HasSubstr;

// An RFC 3339 instant, parsed with absl directly (not with the code under
// test) so that expected values do not depend on ParseTimestamp.
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

Window Cal(CalendarUnit unit, const std::string& zone = "UTC") {
  return Window::Calendar(unit, Zone(zone));
}

// Bounds of an interval as text, so failures print readably.
std::string Str(const Interval& i) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*S%Ez", i.from,
                          absl::UTCTimeZone()) +
         " .. " +
         absl::FormatTime("%Y-%m-%dT%H:%M:%E*S%Ez", i.to, absl::UTCTimeZone());
}

#define EXPECT_INTERVAL(actual, from_text, to_text)  \
  do {                                               \
    const ::sla::Interval got_ = (actual);           \
    EXPECT_EQ(got_.from, T(from_text)) << Str(got_); \
    EXPECT_EQ(got_.to, T(to_text)) << Str(got_);     \
  } while (0)

// ---------------------------------------------------------------------------
// MinuteOf / FloorToMinute / MinuteStart

TEST(MinuteOfTest, EpochIsMinuteZero) {
  EXPECT_EQ(MinuteOf(absl::UnixEpoch()), 0);
  EXPECT_EQ(FloorToMinute(absl::UnixEpoch()), absl::UnixEpoch());
}

TEST(MinuteOfTest, PositiveTimesFloor) {
  EXPECT_EQ(MinuteOf(absl::FromUnixSeconds(59)), 0);
  EXPECT_EQ(MinuteOf(absl::FromUnixSeconds(60)), 1);
  EXPECT_EQ(MinuteOf(absl::FromUnixSeconds(61)), 1);
  EXPECT_EQ(MinuteOf(absl::FromUnixSeconds(119)), 1);
  EXPECT_EQ(MinuteOf(absl::FromUnixNanos(59'999'999'999)), 0);
  // 2024-01-31T00:00:00Z = 1706659200 s = 28444320 min.
  EXPECT_EQ(MinuteOf(T("2024-01-31T00:00:00Z")), 28444320);
  EXPECT_EQ(MinuteOf(T("2024-01-31T00:00:59.999Z")), 28444320);
  EXPECT_EQ(MinuteOf(T("2024-01-31T00:01:00Z")), 28444321);
}

TEST(MinuteOfTest, NegativeTimesFloorTowardThePast) {
  // [-60 s, 0) is minute -1; [-120 s, -60 s) is minute -2.
  EXPECT_EQ(MinuteOf(absl::FromUnixNanos(-1)), -1);
  EXPECT_EQ(MinuteOf(absl::FromUnixMillis(-500)), -1);
  EXPECT_EQ(MinuteOf(absl::FromUnixSeconds(-1)), -1);
  EXPECT_EQ(MinuteOf(absl::FromUnixSeconds(-59)), -1);
  EXPECT_EQ(MinuteOf(absl::FromUnixSeconds(-60)), -1);
  EXPECT_EQ(MinuteOf(absl::FromUnixSeconds(-61)), -2);
  EXPECT_EQ(MinuteOf(absl::FromUnixSeconds(-120)), -2);
  EXPECT_EQ(MinuteOf(absl::FromUnixSeconds(-121)), -3);
  EXPECT_EQ(MinuteOf(absl::FromUnixMillis(-60'001)), -2);
}

TEST(MinuteOfTest, FloorToMinute) {
  EXPECT_EQ(FloorToMinute(absl::FromUnixSeconds(61)),
            absl::FromUnixSeconds(60));
  EXPECT_EQ(FloorToMinute(absl::FromUnixSeconds(60)),
            absl::FromUnixSeconds(60));
  EXPECT_EQ(FloorToMinute(absl::FromUnixNanos(-1)), absl::FromUnixSeconds(-60));
  EXPECT_EQ(FloorToMinute(absl::FromUnixSeconds(-60)),
            absl::FromUnixSeconds(-60));
  EXPECT_EQ(FloorToMinute(absl::FromUnixSeconds(-61)),
            absl::FromUnixSeconds(-120));
  EXPECT_EQ(FloorToMinute(T("2024-03-31T12:34:56.789Z")),
            T("2024-03-31T12:34:00Z"));
  EXPECT_EQ(FloorToMinute(T("1969-12-31T23:59:30Z")),
            T("1969-12-31T23:59:00Z"));
}

TEST(MinuteOfTest, MinuteStart) {
  EXPECT_EQ(MinuteStart(0), absl::UnixEpoch());
  EXPECT_EQ(MinuteStart(1), absl::FromUnixSeconds(60));
  EXPECT_EQ(MinuteStart(-1), absl::FromUnixSeconds(-60));
  EXPECT_EQ(MinuteStart(28444320), T("2024-01-31T00:00:00Z"));
}

// ---------------------------------------------------------------------------
// Interval

TEST(IntervalTest, HalfOpen) {
  const Interval i{absl::FromUnixSeconds(60), absl::FromUnixSeconds(120)};
  EXPECT_EQ(i.length(), absl::Minutes(1));
  EXPECT_FALSE(i.empty());
  EXPECT_TRUE(i.Contains(absl::FromUnixSeconds(60)));
  EXPECT_TRUE(i.Contains(absl::FromUnixNanos(119'999'999'999)));
  EXPECT_FALSE(i.Contains(absl::FromUnixSeconds(120)));
  EXPECT_FALSE(i.Contains(absl::FromUnixNanos(59'999'999'999)));
  EXPECT_TRUE(Interval{}.empty());
  EXPECT_TRUE(
      (Interval{absl::FromUnixSeconds(2), absl::FromUnixSeconds(1)}).empty());
}

// ---------------------------------------------------------------------------
// Calendar units

TEST(CalendarUnitTest, ParseAndName) {
  EXPECT_EQ(ParseCalendarUnit("day").value(), CalendarUnit::kDay);
  EXPECT_EQ(ParseCalendarUnit("week").value(), CalendarUnit::kIsoWeek);
  EXPECT_EQ(ParseCalendarUnit("isoweek").value(), CalendarUnit::kIsoWeek);
  EXPECT_EQ(ParseCalendarUnit("MONTH").value(), CalendarUnit::kMonth);
  EXPECT_EQ(ParseCalendarUnit("Quarter").value(), CalendarUnit::kQuarter);
  EXPECT_EQ(ParseCalendarUnit("year").value(), CalendarUnit::kYear);
  EXPECT_EQ(CalendarUnitName(CalendarUnit::kDay), "day");
  EXPECT_EQ(CalendarUnitName(CalendarUnit::kIsoWeek), "week");
  EXPECT_EQ(CalendarUnitName(CalendarUnit::kMonth), "month");
  EXPECT_EQ(CalendarUnitName(CalendarUnit::kQuarter), "quarter");
  EXPECT_EQ(CalendarUnitName(CalendarUnit::kYear), "year");
  for (CalendarUnit u :
       {CalendarUnit::kDay, CalendarUnit::kIsoWeek, CalendarUnit::kMonth,
        CalendarUnit::kQuarter, CalendarUnit::kYear}) {
    EXPECT_EQ(ParseCalendarUnit(CalendarUnitName(u)).value(), u);
  }
  const absl::Status s = ParseCalendarUnit("fortnight").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("'fortnight'"));
}

// ---------------------------------------------------------------------------
// ParseDuration / DurationToString

TEST(ParseDurationTest, SingleUnits) {
  EXPECT_EQ(ParseDuration("90s").value(), absl::Seconds(90));
  EXPECT_EQ(ParseDuration("5m").value(), absl::Minutes(5));
  EXPECT_EQ(ParseDuration("1h").value(), absl::Hours(1));
  EXPECT_EQ(ParseDuration("30d").value(), absl::Hours(720));
  EXPECT_EQ(ParseDuration("2w").value(), absl::Hours(336));
  EXPECT_EQ(ParseDuration("0m").value(), absl::ZeroDuration());
}

TEST(ParseDurationTest, Compound) {
  EXPECT_EQ(ParseDuration("1h30m").value(), absl::Minutes(90));
  EXPECT_EQ(ParseDuration("1d12h").value(), absl::Hours(36));
  EXPECT_EQ(ParseDuration("1w1d1h1m1s").value(),
            absl::Seconds(604800 + 86400 + 3600 + 60 + 1));
}

void ExpectDurationError(absl::string_view text, absl::string_view why) {
  const absl::StatusOr<absl::Duration> d = ParseDuration(text);
  ASSERT_FALSE(d.ok()) << text << " -> " << *d;
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(d.status().message(),
              HasSubstr(absl::StrCat("duration '", text, "'")));
  EXPECT_THAT(d.status().message(), HasSubstr(why));
}

TEST(ParseDurationTest, Errors) {
  ExpectDurationError("", "is empty");
  ExpectDurationError("5", "missing unit");
  ExpectDurationError("m", "expected a number");
  ExpectDurationError("5x", "unknown unit 'x'");
  ExpectDurationError("-5m", "expected a number");
  ExpectDurationError("1h30", "missing unit");
  ExpectDurationError("5M", "unknown unit 'M'");
  ExpectDurationError("1.5h", "unknown unit '.'");
  ExpectDurationError("99999999999999999999m", "number too large");
}

TEST(DurationToStringTest, ShortestSingleUnit) {
  EXPECT_EQ(DurationToString(absl::Hours(720)), "30d");
  EXPECT_EQ(DurationToString(absl::Minutes(90)), "90m");
  EXPECT_EQ(DurationToString(absl::Hours(1)), "1h");
  EXPECT_EQ(DurationToString(absl::Minutes(5)), "5m");
  EXPECT_EQ(DurationToString(absl::Seconds(90)), "90s");
  EXPECT_EQ(DurationToString(absl::Hours(36)), "36h");
  EXPECT_EQ(DurationToString(absl::Hours(24)), "1d");
  // Non-positive and sub-second durations fall back to absl's format.
  EXPECT_EQ(DurationToString(absl::ZeroDuration()), "0");
  EXPECT_EQ(DurationToString(absl::Minutes(-5)), "-5m");
  EXPECT_EQ(DurationToString(absl::Milliseconds(1500)), "1.5s");
}

TEST(DurationToStringTest, RoundTrips) {
  for (absl::string_view text :
       {"5m", "1h", "30d", "2w", "1h30m", "90s", "28d", "7d", "1d1s"}) {
    const absl::Duration d = ParseDuration(text).value();
    const std::string s = DurationToString(d);
    EXPECT_EQ(ParseDuration(s).value(), d) << text << " -> " << s;
  }
  // Canonical spellings are fixed points.
  for (absl::string_view text : {"5m", "1h", "30d", "90m", "90s", "14d"}) {
    EXPECT_EQ(DurationToString(ParseDuration(text).value()), text);
  }
}

// ---------------------------------------------------------------------------
// ParseTimestamp / TimeToString

TEST(ParseTimestampTest, Rfc3339) {
  // 2024-01-31T00:00:00Z = 19753 days * 86400 = 1706659200 s.
  EXPECT_EQ(ParseTimestamp("2024-01-31T00:00:00Z").value(),
            absl::FromUnixSeconds(1706659200));
  EXPECT_EQ(ParseTimestamp("2024-01-31T01:00:00+01:00").value(),
            absl::FromUnixSeconds(1706659200));
  EXPECT_EQ(ParseTimestamp("2024-01-30T19:00:00-05:00").value(),
            absl::FromUnixSeconds(1706659200));
  EXPECT_EQ(ParseTimestamp("2024-01-31T05:30:00+05:30").value(),
            absl::FromUnixSeconds(1706659200));
  EXPECT_EQ(ParseTimestamp("2024-01-31T00:00:00.250Z").value(),
            absl::FromUnixMillis(int64_t{1706659200} * 1000 + 250));
  EXPECT_EQ(ParseTimestamp("1970-01-01T00:00:00Z").value(), absl::UnixEpoch());
  EXPECT_EQ(ParseTimestamp("1969-12-31T23:59:00Z").value(),
            absl::FromUnixSeconds(-60));
}

TEST(ParseTimestampTest, EpochMillis) {
  EXPECT_EQ(ParseTimestamp("1706659200000").value(),
            absl::FromUnixSeconds(1706659200));
  EXPECT_EQ(ParseTimestamp("1706659200123").value(),
            absl::FromUnixMillis(1706659200123));
  EXPECT_EQ(ParseTimestamp("0").value(), absl::UnixEpoch());
  EXPECT_EQ(ParseTimestamp("-1").value(), absl::FromUnixMillis(-1));
  EXPECT_EQ(ParseTimestamp("-1500").value(), absl::FromUnixMillis(-1500));
  EXPECT_EQ(ParseTimestamp("-60000").value(), absl::FromUnixSeconds(-60));
}

TEST(ParseTimestampTest, Errors) {
  {
    const absl::Status s = ParseTimestamp("").status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr("empty"));
  }
  for (absl::string_view text :
       {"yesterday", "2024-01-31", "2024-01-31T00:00:00",
        "2024-13-01T00:00:00Z", "2024-01-31 00:00:00Z", "12-5", "1.5", "+5"}) {
    const absl::Status s = ParseTimestamp(text).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(s.message(), HasSubstr(absl::StrCat("time '", text, "'")));
    EXPECT_THAT(s.message(), HasSubstr("RFC 3339"));
  }
  {
    // 20 digits do not fit int64.
    const absl::Status s = ParseTimestamp("99999999999999999999").status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr("time '99999999999999999999'"));
    EXPECT_THAT(s.message(), HasSubstr("out of range"));
  }
}

TEST(TimeToStringTest, UtcWithZ) {
  EXPECT_EQ(TimeToString(absl::FromUnixSeconds(1706659200)),
            "2024-01-31T00:00:00Z");
  EXPECT_EQ(TimeToString(absl::UnixEpoch()), "1970-01-01T00:00:00Z");
  EXPECT_EQ(TimeToString(absl::FromUnixMillis(1706659200250)),
            "2024-01-31T00:00:00.25Z");
  EXPECT_EQ(TimeToString(absl::FromUnixMillis(-1500)),
            "1969-12-31T23:59:58.5Z");
  EXPECT_EQ(TimeToString(absl::FromUnixSeconds(-60)), "1969-12-31T23:59:00Z");
}

TEST(TimeToStringTest, RoundTripsThroughParseTimestamp) {
  for (absl::Time t :
       {absl::UnixEpoch(), absl::FromUnixSeconds(1706659200),
        absl::FromUnixMillis(-1500), absl::FromUnixMillis(1711846800123)}) {
    EXPECT_EQ(ParseTimestamp(TimeToString(t)).value(), t) << TimeToString(t);
  }
}

// ---------------------------------------------------------------------------
// Rolling windows

TEST(RollingWindowTest, RejectsNonPositiveAndNonMinuteLengths) {
  for (absl::Duration d :
       {absl::ZeroDuration(), absl::Minutes(-5), absl::Seconds(90),
        absl::Seconds(1), absl::Milliseconds(60'001)}) {
    const absl::StatusOr<Window> w = Window::Rolling(d);
    ASSERT_FALSE(w.ok()) << d;
    EXPECT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(w.status().message(), HasSubstr("positive whole number"));
    EXPECT_THAT(w.status().message(),
                HasSubstr(absl::StrCat("window ", absl::FormatDuration(d))));
  }
}

TEST(RollingWindowTest, Accessors) {
  const Window w = Window::Rolling(absl::Hours(720)).value();
  EXPECT_TRUE(w.is_rolling());
  EXPECT_EQ(w.length(), absl::Hours(720));
  EXPECT_EQ(w.ToString(), "30d");
  EXPECT_EQ(Window::Rolling(absl::Minutes(1)).value().ToString(), "1m");
  EXPECT_EQ(Window::Rolling(absl::Minutes(90)).value().ToString(), "90m");
}

TEST(RollingWindowTest, ResolveOnMinuteBoundary) {
  const Window w = Window::Rolling(absl::Hours(24 * 30)).value();
  // [at - 30d, at): 2024-03-31T12:00Z - 30d = 2024-03-01T12:00Z.
  EXPECT_INTERVAL(w.Resolve(T("2024-03-31T12:00:00Z")), "2024-03-01T12:00:00Z",
                  "2024-03-31T12:00:00Z");
  EXPECT_EQ(w.Resolve(T("2024-03-31T12:00:00Z")).length(), absl::Hours(720));
}

TEST(RollingWindowTest, ResolveFloorsAt) {
  const Window w = Window::Rolling(absl::Hours(24 * 30)).value();
  // 12:00:30 and 12:00:59.999 belong to minute [12:00, 12:01).
  EXPECT_INTERVAL(w.Resolve(T("2024-03-31T12:00:30Z")), "2024-03-01T12:00:00Z",
                  "2024-03-31T12:00:00Z");
  EXPECT_INTERVAL(w.Resolve(T("2024-03-31T12:00:59.999Z")),
                  "2024-03-01T12:00:00Z", "2024-03-31T12:00:00Z");
  // Before the epoch: -30 s floors to -60 s.
  const Window m5 = Window::Rolling(absl::Minutes(5)).value();
  const Interval i = m5.Resolve(absl::FromUnixSeconds(-30));
  EXPECT_EQ(i.from, absl::FromUnixSeconds(-360));
  EXPECT_EQ(i.to, absl::FromUnixSeconds(-60));
}

TEST(RollingWindowTest, NextFollows) {
  const Window w = Window::Rolling(absl::Hours(1)).value();
  const Interval i = w.Resolve(T("2024-03-31T12:00:00Z"));
  EXPECT_INTERVAL(w.Next(i), "2024-03-31T12:00:00Z", "2024-03-31T13:00:00Z");
}

// ---------------------------------------------------------------------------
// Window::Parse

TEST(WindowParseTest, Rolling) {
  const Window w = Window::Parse("30d").value();
  EXPECT_TRUE(w.is_rolling());
  EXPECT_EQ(w.length(), absl::Hours(720));
  EXPECT_EQ(w.ToString(), "30d");
  const Window h = Window::Parse("1h30m").value();
  EXPECT_TRUE(h.is_rolling());
  EXPECT_EQ(h.length(), absl::Minutes(90));
  EXPECT_EQ(h.ToString(), "90m");
}

TEST(WindowParseTest, CalendarDefaultsToUtc) {
  for (absl::string_view text : {"month", "calendar:month", "MONTH"}) {
    const Window w = Window::Parse(text).value();
    EXPECT_FALSE(w.is_rolling()) << text;
    EXPECT_EQ(w.unit(), CalendarUnit::kMonth) << text;
    EXPECT_EQ(w.zone().name(), "UTC") << text;
    EXPECT_EQ(w.ToString(), "month@UTC") << text;
  }
}

TEST(WindowParseTest, CalendarWithZone) {
  const Window w = Window::Parse("week@Europe/Paris").value();
  EXPECT_FALSE(w.is_rolling());
  EXPECT_EQ(w.unit(), CalendarUnit::kIsoWeek);
  EXPECT_EQ(w.zone().name(), "Europe/Paris");
  EXPECT_EQ(w.ToString(), "week@Europe/Paris");

  const Window q = Window::Parse("quarter@America/New_York").value();
  EXPECT_FALSE(q.is_rolling());
  EXPECT_EQ(q.unit(), CalendarUnit::kQuarter);
  EXPECT_EQ(q.zone().name(), "America/New_York");
  EXPECT_EQ(q.ToString(), "quarter@America/New_York");

  const Window c = Window::Parse("calendar:day@Asia/Tokyo").value();
  EXPECT_EQ(c.unit(), CalendarUnit::kDay);
  EXPECT_EQ(c.zone().name(), "Asia/Tokyo");
}

TEST(WindowParseTest, ToStringParsesBack) {
  for (absl::string_view text :
       {"30d", "90m", "week@Europe/Paris", "month@UTC", "year@Asia/Tokyo"}) {
    const Window w = Window::Parse(text).value();
    EXPECT_EQ(w.ToString(), text);
    EXPECT_EQ(Window::Parse(w.ToString()).value().ToString(), text);
  }
}

TEST(WindowParseTest, UnknownZone) {
  const absl::Status s = Window::Parse("month@Mars/Olympus_Mons").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("window 'month@Mars/Olympus_Mons'"));
  EXPECT_THAT(s.message(), HasSubstr("unknown time zone 'Mars/Olympus_Mons'"));
}

TEST(WindowParseTest, UnknownUnit) {
  {
    const absl::Status s = Window::Parse("fortnight").status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr("window 'fortnight'"));
  }
  {
    const absl::Status s = Window::Parse("fortnight@Europe/Paris").status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr("'fortnight'"));
  }
  {
    const absl::Status s = Window::Parse("").status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(WindowParseTest, RollingLengthErrors) {
  {
    const absl::Status s = Window::Parse("90s").status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr("window '90s'"));
    EXPECT_THAT(s.message(), HasSubstr("whole number of minutes"));
  }
  {
    const absl::Status s = Window::Parse("0m").status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr("window '0m'"));
  }
}

// ---------------------------------------------------------------------------
// Calendar Resolve: days

TEST(CalendarResolveTest, DayUtc) {
  const Window w = Cal(CalendarUnit::kDay);
  EXPECT_INTERVAL(w.Resolve(T("2024-03-31T12:34:56Z")), "2024-03-31T00:00:00Z",
                  "2024-04-01T00:00:00Z");
  EXPECT_EQ(w.Resolve(T("2024-03-31T12:34:56Z")).length(), absl::Hours(24));
  // Before the epoch.
  EXPECT_INTERVAL(w.Resolve(T("1969-12-31T23:59:59Z")), "1969-12-31T00:00:00Z",
                  "1970-01-01T00:00:00Z");
}

TEST(CalendarResolveTest, ParisSpringForwardDayIs23Hours) {
  const Window w = Cal(CalendarUnit::kDay, "Europe/Paris");
  // 2024-03-31 00:00 CET (+01) = 2024-03-30T23:00Z; 2024-04-01 00:00 CEST
  // (+02) = 2024-03-31T22:00Z. 02:00 CET jumps to 03:00 CEST.
  for (absl::string_view at :
       {"2024-03-30T23:00:00Z", "2024-03-31T00:59:59Z", "2024-03-31T01:00:00Z",
        "2024-03-31T12:00:00Z", "2024-03-31T21:59:59Z"}) {
    const Interval i = w.Resolve(T(std::string(at)));
    EXPECT_INTERVAL(i, "2024-03-30T23:00:00Z", "2024-03-31T22:00:00Z");
    EXPECT_EQ(i.length(), absl::Hours(23)) << at;
  }
}

TEST(CalendarResolveTest, ParisFallBackDayIs25Hours) {
  const Window w = Cal(CalendarUnit::kDay, "Europe/Paris");
  // 2024-10-27 00:00 CEST = 2024-10-26T22:00Z; 2024-10-28 00:00 CET =
  // 2024-10-27T23:00Z. 03:00 CEST falls back to 02:00 CET.
  for (absl::string_view at :
       {"2024-10-26T22:00:00Z", "2024-10-27T00:30:00Z", "2024-10-27T01:30:00Z",
        "2024-10-27T22:59:59Z"}) {
    const Interval i = w.Resolve(T(std::string(at)));
    EXPECT_INTERVAL(i, "2024-10-26T22:00:00Z", "2024-10-27T23:00:00Z");
    EXPECT_EQ(i.length(), absl::Hours(25)) << at;
  }
}

TEST(CalendarResolveTest, NewYorkSpringForwardDayIs23Hours) {
  const Window w = Cal(CalendarUnit::kDay, "America/New_York");
  // 2024-03-10 00:00 EST (-05) = 05:00Z; 2024-03-11 00:00 EDT (-04) = 04:00Z.
  const Interval i = w.Resolve(T("2024-03-10T12:00:00-04:00"));
  EXPECT_INTERVAL(i, "2024-03-10T05:00:00Z", "2024-03-11T04:00:00Z");
  EXPECT_EQ(i.length(), absl::Hours(23));
}

TEST(CalendarResolveTest, NewYorkFallBackDayIs25Hours) {
  const Window w = Cal(CalendarUnit::kDay, "America/New_York");
  // 2024-11-03 00:00 EDT = 04:00Z; 2024-11-04 00:00 EST = 05:00Z.
  for (absl::string_view at :
       {"2024-11-03T04:00:00Z", "2024-11-03T05:30:00Z", "2024-11-03T06:30:00Z",
        "2024-11-04T04:59:00Z"}) {
    const Interval i = w.Resolve(T(std::string(at)));
    EXPECT_INTERVAL(i, "2024-11-03T04:00:00Z", "2024-11-04T05:00:00Z");
    EXPECT_EQ(i.length(), absl::Hours(25)) << at;
  }
}

TEST(CalendarResolveTest, DayStartingAtSkippedMidnight) {
  // Sao Paulo 2018-11-04: 00:00 -03 jumped to 01:00 -02, so the day starts
  // at the transition 2018-11-04T03:00Z and ends 2018-11-05 00:00 -02 =
  // 02:00Z: 23 hours.
  const Window w = Cal(CalendarUnit::kDay, "America/Sao_Paulo");
  const Interval i = w.Resolve(T("2018-11-04T12:00:00Z"));
  EXPECT_INTERVAL(i, "2018-11-04T03:00:00Z", "2018-11-05T02:00:00Z");
  EXPECT_EQ(i.length(), absl::Hours(23));
  // The previous day ends where this one starts, and Next() gets here.
  const Interval prev = w.Resolve(T("2018-11-03T12:00:00Z"));
  EXPECT_INTERVAL(prev, "2018-11-03T03:00:00Z", "2018-11-04T03:00:00Z");
  EXPECT_EQ(w.Next(prev), i);
}

TEST(CalendarResolveTest, DayStartingAtRepeatedMidnightUsesFirst) {
  // Havana 2024-11-03: 01:00 CDT (-04) fell back to 00:00 CST (-05), so
  // midnight happened twice, at 04:00Z and at 05:00Z. The day starts at the
  // first one and ends 2024-11-04 00:00 CST = 05:00Z: 25 hours.
  const Window w = Cal(CalendarUnit::kDay, "America/Havana");
  const Interval i = w.Resolve(T("2024-11-03T12:00:00Z"));
  EXPECT_INTERVAL(i, "2024-11-03T04:00:00Z", "2024-11-04T05:00:00Z");
  EXPECT_EQ(i.length(), absl::Hours(25));
  // The day before ends at the first midnight: 24 hours.
  const Interval prev = w.Resolve(T("2024-11-02T12:00:00Z"));
  EXPECT_INTERVAL(prev, "2024-11-02T04:00:00Z", "2024-11-03T04:00:00Z");
  EXPECT_EQ(w.Next(prev), i);
  // Havana 2024-03-10: 00:00 CST jumped to 01:00 CDT; the day starts at the
  // transition 05:00Z and ends 2024-03-11 00:00 CDT = 04:00Z: 23 hours.
  const Interval spring = w.Resolve(T("2024-03-10T12:00:00Z"));
  EXPECT_INTERVAL(spring, "2024-03-10T05:00:00Z", "2024-03-11T04:00:00Z");
  EXPECT_EQ(spring.length(), absl::Hours(23));
}

// ---------------------------------------------------------------------------
// Calendar Resolve: months

TEST(CalendarResolveTest, February2024LeapYear) {
  const Window w = Cal(CalendarUnit::kMonth);
  const Interval i = w.Resolve(T("2024-02-15T00:00:00Z"));
  EXPECT_INTERVAL(i, "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z");
  // 29 days * 1440 = 41760 minutes.
  EXPECT_EQ(i.length(), absl::Minutes(41760));
  EXPECT_EQ(MinuteOf(i.to) - MinuteOf(i.from), 41760);
}

TEST(CalendarResolveTest, February2023) {
  const Window w = Cal(CalendarUnit::kMonth);
  const Interval i = w.Resolve(T("2023-02-28T23:59:59Z"));
  EXPECT_INTERVAL(i, "2023-02-01T00:00:00Z", "2023-03-01T00:00:00Z");
  // 28 days * 1440 = 40320 minutes.
  EXPECT_EQ(i.length(), absl::Minutes(40320));
}

TEST(CalendarResolveTest, ParisOctober2024Is745Hours) {
  const Window w = Cal(CalendarUnit::kMonth, "Europe/Paris");
  const Interval i = w.Resolve(T("2024-10-15T12:00:00Z"));
  // Oct 1 00:00 CEST = Sep 30 22:00Z; Nov 1 00:00 CET = Oct 31 23:00Z.
  EXPECT_INTERVAL(i, "2024-09-30T22:00:00Z", "2024-10-31T23:00:00Z");
  EXPECT_EQ(i.length(), absl::Hours(745));  // 31 * 24 + 1
}

TEST(CalendarResolveTest, ParisMarch2024Is743Hours) {
  const Window w = Cal(CalendarUnit::kMonth, "Europe/Paris");
  const Interval i = w.Resolve(T("2024-03-01T00:00:00+01:00"));
  // Mar 1 00:00 CET = Feb 29 23:00Z; Apr 1 00:00 CEST = Mar 31 22:00Z.
  EXPECT_INTERVAL(i, "2024-02-29T23:00:00Z", "2024-03-31T22:00:00Z");
  EXPECT_EQ(i.length(), absl::Hours(743));  // 31 * 24 - 1
}

TEST(CalendarResolveTest, MonthUsesLocalDate) {
  // 2024-09-30T22:30Z is already Oct 1 00:30 in Paris.
  const Window paris = Cal(CalendarUnit::kMonth, "Europe/Paris");
  EXPECT_INTERVAL(paris.Resolve(T("2024-09-30T22:30:00Z")),
                  "2024-09-30T22:00:00Z", "2024-10-31T23:00:00Z");
  // ...and 2024-09-30T21:59Z is still September there.
  EXPECT_INTERVAL(paris.Resolve(T("2024-09-30T21:59:00Z")),
                  "2024-08-31T22:00:00Z", "2024-09-30T22:00:00Z");
}

// ---------------------------------------------------------------------------
// Calendar Resolve: ISO weeks

TEST(CalendarResolveTest, IsoWeekContainingSundayAndMonday) {
  const Window w = Cal(CalendarUnit::kIsoWeek);
  // 2024-06-03 is a Monday, 2024-06-09 a Sunday.
  EXPECT_INTERVAL(w.Resolve(T("2024-06-09T23:59:59Z")), "2024-06-03T00:00:00Z",
                  "2024-06-10T00:00:00Z");
  EXPECT_INTERVAL(w.Resolve(T("2024-06-03T00:00:00Z")), "2024-06-03T00:00:00Z",
                  "2024-06-10T00:00:00Z");
  EXPECT_INTERVAL(w.Resolve(T("2024-06-05T08:00:00Z")), "2024-06-03T00:00:00Z",
                  "2024-06-10T00:00:00Z");
  // Monday 00:00 starts the next week.
  EXPECT_INTERVAL(w.Resolve(T("2024-06-10T00:00:00Z")), "2024-06-10T00:00:00Z",
                  "2024-06-17T00:00:00Z");
  EXPECT_EQ(w.Resolve(T("2024-06-09T12:00:00Z")).length(), absl::Hours(168));
}

TEST(CalendarResolveTest, IsoWeekStartsMondayMidnightLocal) {
  const Window w = Cal(CalendarUnit::kIsoWeek, "Europe/Paris");
  // Mon 2024-06-03 00:00 CEST = 2024-06-02T22:00Z.
  // Sunday 2024-06-09 23:30 CEST = 21:30Z: still that week.
  EXPECT_INTERVAL(w.Resolve(T("2024-06-09T21:30:00Z")), "2024-06-02T22:00:00Z",
                  "2024-06-09T22:00:00Z");
  // 2024-06-09T22:30Z is Monday 00:30 CEST: the next week, although it is
  // still Sunday in UTC.
  EXPECT_INTERVAL(w.Resolve(T("2024-06-09T22:30:00Z")), "2024-06-09T22:00:00Z",
                  "2024-06-16T22:00:00Z");
}

TEST(CalendarResolveTest, IsoWeekAcrossYearBoundary) {
  const Window w = Cal(CalendarUnit::kIsoWeek);
  // Monday 2024-12-30 .. Monday 2025-01-06 (ISO week 2025-W01).
  for (absl::string_view at :
       {"2024-12-30T00:00:00Z", "2024-12-31T23:59:59Z", "2025-01-01T00:00:00Z",
        "2025-01-05T23:59:00Z"}) {
    EXPECT_INTERVAL(w.Resolve(T(std::string(at))), "2024-12-30T00:00:00Z",
                    "2025-01-06T00:00:00Z");
  }
  // Sunday 2024-12-29 belongs to the week before.
  EXPECT_INTERVAL(w.Resolve(T("2024-12-29T12:00:00Z")), "2024-12-23T00:00:00Z",
                  "2024-12-30T00:00:00Z");
}

TEST(CalendarResolveTest, ParisWeekWithSpringForwardIs167Hours) {
  const Window w = Cal(CalendarUnit::kIsoWeek, "Europe/Paris");
  // Mon 2024-03-25 00:00 CET = 03-24T23:00Z .. Mon 2024-04-01 00:00 CEST =
  // 03-31T22:00Z.
  const Interval i = w.Resolve(T("2024-03-28T12:00:00Z"));
  EXPECT_INTERVAL(i, "2024-03-24T23:00:00Z", "2024-03-31T22:00:00Z");
  EXPECT_EQ(i.length(), absl::Hours(167));
}

// ---------------------------------------------------------------------------
// Calendar Resolve: quarters and years

TEST(CalendarResolveTest, QuarterQ1_2024Utc) {
  const Window w = Cal(CalendarUnit::kQuarter);
  for (absl::string_view at : {"2024-01-01T00:00:00Z", "2024-02-29T12:00:00Z",
                               "2024-03-31T23:59:59Z"}) {
    const Interval i = w.Resolve(T(std::string(at)));
    EXPECT_INTERVAL(i, "2024-01-01T00:00:00Z", "2024-04-01T00:00:00Z");
    // 31 + 29 + 31 = 91 days.
    EXPECT_EQ(i.length(), absl::Hours(91 * 24)) << at;
  }
}

TEST(CalendarResolveTest, AllQuartersOf2023) {
  const Window w = Cal(CalendarUnit::kQuarter);
  EXPECT_INTERVAL(w.Resolve(T("2023-02-01T00:00:00Z")), "2023-01-01T00:00:00Z",
                  "2023-04-01T00:00:00Z");
  EXPECT_INTERVAL(w.Resolve(T("2023-05-01T00:00:00Z")), "2023-04-01T00:00:00Z",
                  "2023-07-01T00:00:00Z");
  EXPECT_INTERVAL(w.Resolve(T("2023-09-30T00:00:00Z")), "2023-07-01T00:00:00Z",
                  "2023-10-01T00:00:00Z");
  EXPECT_INTERVAL(w.Resolve(T("2023-12-31T23:59:59Z")), "2023-10-01T00:00:00Z",
                  "2024-01-01T00:00:00Z");
}

TEST(CalendarResolveTest, QuarterNewYork) {
  const Window w = Cal(CalendarUnit::kQuarter, "America/New_York");
  // Q4 2024: Oct 1 00:00 EDT = 04:00Z .. Jan 1 2025 00:00 EST = 05:00Z:
  // 31 + 30 + 31 = 92 days plus the fall-back hour.
  const Interval i = w.Resolve(T("2024-11-15T12:00:00Z"));
  EXPECT_INTERVAL(i, "2024-10-01T04:00:00Z", "2025-01-01T05:00:00Z");
  EXPECT_EQ(i.length(), absl::Hours(92 * 24 + 1));
  // 2025-01-01T03:00Z is still Dec 31 22:00 EST: Q4 2024.
  EXPECT_EQ(w.Resolve(T("2025-01-01T03:00:00Z")), i);
}

TEST(CalendarResolveTest, Year2024Has366Days2023Has365) {
  const Window w = Cal(CalendarUnit::kYear);
  const Interval y24 = w.Resolve(T("2024-07-01T00:00:00Z"));
  EXPECT_INTERVAL(y24, "2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z");
  EXPECT_EQ(y24.length(), absl::Hours(366 * 24));
  const Interval y23 = w.Resolve(T("2023-07-01T00:00:00Z"));
  EXPECT_INTERVAL(y23, "2023-01-01T00:00:00Z", "2024-01-01T00:00:00Z");
  EXPECT_EQ(y23.length(), absl::Hours(365 * 24));
}

// ---------------------------------------------------------------------------
// Period boundaries and Next()

TEST(CalendarResolveTest, AtPeriodBoundaryBelongsToNewPeriod) {
  const Window month = Cal(CalendarUnit::kMonth);
  EXPECT_INTERVAL(month.Resolve(T("2024-03-01T00:00:00Z")),
                  "2024-03-01T00:00:00Z", "2024-04-01T00:00:00Z");
  EXPECT_INTERVAL(month.Resolve(T("2024-02-29T23:59:59.999Z")),
                  "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z");
  const Window day = Cal(CalendarUnit::kDay, "Europe/Paris");
  // 2024-03-31T22:00Z is Apr 1 00:00 CEST.
  EXPECT_INTERVAL(day.Resolve(T("2024-03-31T22:00:00Z")),
                  "2024-03-31T22:00:00Z", "2024-04-01T22:00:00Z");
  const Window year = Cal(CalendarUnit::kYear);
  EXPECT_INTERVAL(year.Resolve(T("2024-01-01T00:00:00Z")),
                  "2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z");
}

TEST(CalendarNextTest, MonthGivesFollowingMonth) {
  const Window w = Cal(CalendarUnit::kMonth);
  const Interval feb = w.Resolve(T("2024-02-10T00:00:00Z"));
  const Interval mar = w.Next(feb);
  EXPECT_INTERVAL(mar, "2024-03-01T00:00:00Z", "2024-04-01T00:00:00Z");
  EXPECT_INTERVAL(w.Next(mar), "2024-04-01T00:00:00Z", "2024-05-01T00:00:00Z");
  // December -> January of the next year.
  const Interval dec = w.Resolve(T("2024-12-10T00:00:00Z"));
  EXPECT_INTERVAL(w.Next(dec), "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z");
}

TEST(CalendarNextTest, ParisMonthsAcrossDst) {
  const Window w = Cal(CalendarUnit::kMonth, "Europe/Paris");
  const Interval oct = w.Resolve(T("2024-10-15T12:00:00Z"));
  const Interval nov = w.Next(oct);
  // Nov 1 00:00 CET = Oct 31 23:00Z .. Dec 1 00:00 CET = Nov 30 23:00Z.
  EXPECT_INTERVAL(nov, "2024-10-31T23:00:00Z", "2024-11-30T23:00:00Z");
  EXPECT_EQ(nov.length(), absl::Hours(720));
}

TEST(CalendarNextTest, WeeksAndQuartersChain) {
  const Window week = Cal(CalendarUnit::kIsoWeek);
  EXPECT_INTERVAL(week.Next(week.Resolve(T("2024-12-25T00:00:00Z"))),
                  "2024-12-30T00:00:00Z", "2025-01-06T00:00:00Z");
  const Window quarter = Cal(CalendarUnit::kQuarter);
  EXPECT_INTERVAL(quarter.Next(quarter.Resolve(T("2024-11-01T00:00:00Z"))),
                  "2025-01-01T00:00:00Z", "2025-04-01T00:00:00Z");
}

// ---------------------------------------------------------------------------
// Zones with historic non-minute offsets

// Europe/Paris used Paris Mean Time, UTC+0:09:21, until 1911-03-11. Local
// midnight 1900-06-15 00:00 PMT is 1900-06-14T23:50:39Z, which is floored
// to 23:50:00Z.
TEST(CalendarResolveTest, NonMinuteOffsetIsRoundedUpToWholeMinutes) {
  const Window w = Cal(CalendarUnit::kDay, "Europe/Paris");
  const absl::Time at = T("1900-06-15T12:00:00Z");
  const Interval i = w.Resolve(at);
  EXPECT_EQ(absl::ToUnixSeconds(i.from) % 60, 0);
  EXPECT_EQ(absl::ToUnixSeconds(i.to) % 60, 0);
  EXPECT_EQ(i.from, MinuteStart(MinuteOf(i.from)));
  EXPECT_EQ(i.to, MinuteStart(MinuteOf(i.to)));
  EXPECT_TRUE(i.Contains(at));
  // Local midnight is 23:50:39Z; a minute belongs to the period holding its
  // start, so the bounds round up to 23:51:00Z.
  EXPECT_INTERVAL(i, "1900-06-14T23:51:00Z", "1900-06-15T23:51:00Z");
  EXPECT_EQ(i.length(), absl::Hours(24));

  // A month in that era, same rounding.
  const Window m = Cal(CalendarUnit::kMonth, "Europe/Paris");
  const Interval june = m.Resolve(at);
  EXPECT_INTERVAL(june, "1900-05-31T23:51:00Z", "1900-06-30T23:51:00Z");
  EXPECT_TRUE(june.Contains(at));
}

// Resolve() promises "the whole period that contains `at`". At
// 1900-06-15T23:50:20Z (23:59:41 PMT, still June 15 locally) the minute
// [23:50, 23:51) starts on June 15 local time, so it belongs to June 15:
// [06-14T23:51Z, 06-15T23:51Z) (a regression test: floored bounds used to
// leave `at` outside the period it was resolved to).
TEST(CalendarResolveTest, NonMinuteOffsetResolveContainsAtInLastMinute) {
  const Window w = Cal(CalendarUnit::kDay, "Europe/Paris");
  const absl::Time at = T("1900-06-15T23:50:20Z");
  const Interval i = w.Resolve(at);
  EXPECT_TRUE(i.Contains(at)) << Str(i);
  EXPECT_TRUE(i.Contains(FloorToMinute(at))) << Str(i);
}

// Next() promises "the period that starts where `period` ends". In a zone
// with a non-minute offset the floored end of a period lies a few seconds
// before the true local midnight, i.e. still inside the old local day, so
// Resolve(period.to) returns the same period again (an endless loop for any
// caller walking periods with Next()).
TEST(CalendarNextTest, NextAdvancesInZoneWithNonMinuteOffset) {
  const Window w = Cal(CalendarUnit::kDay, "Europe/Paris");
  const Interval june15 = w.Resolve(T("1900-06-15T12:00:00Z"));
  const Interval next = w.Next(june15);
  EXPECT_EQ(next.from, june15.to) << Str(next);
  EXPECT_INTERVAL(next, "1900-06-15T23:51:00Z", "1900-06-16T23:51:00Z");

  const Window m = Cal(CalendarUnit::kMonth, "Europe/Paris");
  const Interval june = m.Resolve(T("1900-06-15T12:00:00Z"));
  EXPECT_INTERVAL(m.Next(june), "1900-06-30T23:51:00Z", "1900-07-31T23:51:00Z");
}

TEST(WindowParseTest, CalendarPrefixRequiresACalendarUnit) {
  absl::StatusOr<Window> w = Window::Parse("calendar:30d");
  EXPECT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(w.status().message()), HasSubstr("30d"));
}

TEST(ParseTimestampTest, LoneMinusIsMalformedNotOutOfRange) {
  absl::StatusOr<absl::Time> t = ParseTimestamp("-");
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(t.status().message()), HasSubstr("neither RFC 3339"));
}

TEST(MinuteStartTest, SaturatesInsteadOfOverflowing) {
  EXPECT_EQ(FloorToMinute(absl::InfinitePast()), absl::InfinitePast());
  EXPECT_EQ(FloorToMinute(absl::InfiniteFuture()), absl::InfiniteFuture());
}

}  // namespace
}  // namespace sla
