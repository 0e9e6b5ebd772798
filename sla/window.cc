#include "sla/window.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace sla {
namespace {

// The first valid instant of a civil time in a zone (a midnight skipped by
// a DST change maps to the transition instant).
absl::Time StartOf(absl::CivilSecond cs, const absl::TimeZone& zone) {
  const absl::TimeZone::TimeInfo info = zone.At(cs);
  return info.kind == absl::TimeZone::TimeInfo::SKIPPED ? info.trans : info.pre;
}

absl::CivilDay PeriodStart(CalendarUnit unit, absl::CivilDay d) {
  switch (unit) {
    case CalendarUnit::kDay:
      return d;
    case CalendarUnit::kIsoWeek: {
      // Monday is day 0 of an ISO week.
      const int since_monday = (static_cast<int>(absl::GetWeekday(d)) -
                                static_cast<int>(absl::Weekday::monday) + 7) %
                               7;
      return d - since_monday;
    }
    case CalendarUnit::kMonth:
      return absl::CivilDay(d.year(), d.month(), 1);
    case CalendarUnit::kQuarter:
      return absl::CivilDay(d.year(), (d.month() - 1) / 3 * 3 + 1, 1);
    case CalendarUnit::kYear:
      return absl::CivilDay(d.year(), 1, 1);
  }
  return d;
}

absl::CivilDay PeriodAfter(CalendarUnit unit, absl::CivilDay start) {
  switch (unit) {
    case CalendarUnit::kDay:
      return start + 1;
    case CalendarUnit::kIsoWeek:
      return start + 7;
    case CalendarUnit::kMonth:
      return absl::CivilDay(absl::CivilMonth(start) + 1);
    case CalendarUnit::kQuarter:
      return absl::CivilDay(absl::CivilMonth(start) + 3);
    case CalendarUnit::kYear:
      return absl::CivilDay(absl::CivilYear(start) + 1);
  }
  return start + 1;
}

}  // namespace

int64_t MinuteOf(absl::Time t) {
  // absl::ToUnixSeconds rounds toward the infinite past.
  const int64_t s = absl::ToUnixSeconds(t);
  return s / 60 - (s % 60 < 0 ? 1 : 0);
}

absl::StatusOr<CalendarUnit> ParseCalendarUnit(absl::string_view text) {
  const std::string t = absl::AsciiStrToLower(text);
  if (t == "day") return CalendarUnit::kDay;
  if (t == "week" || t == "isoweek") return CalendarUnit::kIsoWeek;
  if (t == "month") return CalendarUnit::kMonth;
  if (t == "quarter") return CalendarUnit::kQuarter;
  if (t == "year") return CalendarUnit::kYear;
  return absl::InvalidArgumentError(
      absl::StrCat("calendar unit '", text,
                   "' is not one of day, week, month, quarter, year"));
}

absl::string_view CalendarUnitName(CalendarUnit unit) {
  switch (unit) {
    case CalendarUnit::kDay:
      return "day";
    case CalendarUnit::kIsoWeek:
      return "week";
    case CalendarUnit::kMonth:
      return "month";
    case CalendarUnit::kQuarter:
      return "quarter";
    case CalendarUnit::kYear:
      return "year";
  }
  return "?";
}

absl::StatusOr<absl::Duration> ParseDuration(absl::string_view text) {
  const auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("duration '", text, "': ", why,
                     " (write a whole number and a unit s, m, h, d or w, "
                     "e.g. 5m, 1h, 30d)"));
  };
  if (text.empty()) return bad("is empty");
  absl::Duration total = absl::ZeroDuration();
  size_t i = 0;
  while (i < text.size()) {
    size_t j = i;
    while (j < text.size() && absl::ascii_isdigit(text[j])) ++j;
    if (j == i) return bad("expected a number");
    if (j == text.size()) return bad("missing unit");
    int64_t n = 0;
    if (!absl::SimpleAtoi(text.substr(i, j - i), &n) ||
        n > (int64_t{1} << 40)) {
      return bad("number too large");
    }
    switch (text[j]) {
      case 's':
        total += absl::Seconds(n);
        break;
      case 'm':
        total += absl::Minutes(n);
        break;
      case 'h':
        total += absl::Hours(n);
        break;
      case 'd':
        total += absl::Hours(24 * n);
        break;
      case 'w':
        total += absl::Hours(24 * 7 * n);
        break;
      default:
        return bad(absl::StrCat("unknown unit '", text.substr(j, 1), "'"));
    }
    if (total == absl::InfiniteDuration()) return bad("number too large");
    i = j + 1;
  }
  return total;
}

std::string DurationToString(absl::Duration d) {
  const int64_t s = absl::ToInt64Seconds(d);
  if (d != absl::Seconds(s) || s <= 0) return absl::FormatDuration(d);
  if (s % 86400 == 0) return absl::StrCat(s / 86400, "d");
  if (s % 3600 == 0) return absl::StrCat(s / 3600, "h");
  if (s % 60 == 0) return absl::StrCat(s / 60, "m");
  return absl::StrCat(s, "s");
}

absl::StatusOr<absl::Time> ParseTimestamp(absl::string_view text) {
  if (text.empty()) {
    return absl::InvalidArgumentError("time is empty");
  }
  bool all_digits = true;
  for (size_t i = 0; i < text.size(); ++i) {
    if (!absl::ascii_isdigit(text[i]) && !(i == 0 && text[i] == '-')) {
      all_digits = false;
    }
  }
  if (all_digits && text != "-") {
    int64_t ms = 0;
    if (!absl::SimpleAtoi(text, &ms)) {
      return absl::InvalidArgumentError(
          absl::StrCat("time '", text, "': epoch milliseconds out of range"));
    }
    return absl::FromUnixMillis(ms);
  }
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, std::string(text), &t, &err)) {
    return absl::InvalidArgumentError(
        absl::StrCat("time '", text,
                     "' is neither RFC 3339 (2024-01-31T00:00:00Z) nor epoch "
                     "milliseconds: ",
                     err));
  }
  return t;
}

std::string TimeToString(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

absl::StatusOr<Window> Window::Rolling(absl::Duration length) {
  if (length <= absl::ZeroDuration() ||
      absl::Trunc(length, absl::Minutes(1)) != length) {
    return absl::InvalidArgumentError(
        absl::StrCat("window ", absl::FormatDuration(length),
                     " must be a positive whole number of minutes"));
  }
  Window w;
  w.rolling_ = true;
  w.length_ = length;
  return w;
}

Window Window::Calendar(CalendarUnit unit, absl::TimeZone zone) {
  Window w;
  w.rolling_ = false;
  w.unit_ = unit;
  w.zone_ = zone;
  return w;
}

absl::StatusOr<Window> Window::Parse(absl::string_view text) {
  absl::string_view body = text;
  const bool calendar_only = absl::ConsumePrefix(&body, "calendar:");
  absl::string_view zone_name = "UTC";
  const size_t at = body.find('@');
  absl::string_view unit_text = body;
  if (at != absl::string_view::npos) {
    unit_text = body.substr(0, at);
    zone_name = body.substr(at + 1);
  }
  absl::StatusOr<CalendarUnit> unit = ParseCalendarUnit(unit_text);
  if (unit.ok()) {
    absl::TimeZone zone;
    if (!absl::LoadTimeZone(std::string(zone_name), &zone)) {
      return absl::InvalidArgumentError(
          absl::StrCat("window '", text, "': unknown time zone '", zone_name,
                       "' (use an IANA name such as Europe/Paris)"));
    }
    return Calendar(*unit, zone);
  }
  if (at != absl::string_view::npos || calendar_only) return unit.status();
  absl::StatusOr<absl::Duration> d = ParseDuration(body);
  if (!d.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "window '", text,
        "' is neither a duration (30d, 1h) nor a calendar period (month, "
        "week@Europe/Paris)"));
  }
  absl::StatusOr<Window> w = Rolling(*d);
  if (!w.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("window '", text, "': ", w.status().message()));
  }
  return w;
}

Interval Window::Resolve(absl::Time at) const {
  const absl::Time minute = FloorToMinute(at);
  if (rolling_) return Interval{minute - length_, minute};
  // A minute belongs to the period that contains its start, so period
  // bounds are rounded up to whole minutes (they only differ in zones with
  // historic offsets in seconds, such as Paris's LMT+0:09:21 before 1911).
  const auto ceil_to_minute = [](absl::Time t) {
    const absl::Time f = FloorToMinute(t);
    return f == t ? f : f + absl::Minutes(1);
  };
  const absl::CivilDay day = absl::ToCivilDay(minute, zone_);
  const absl::CivilDay start = PeriodStart(unit_, day);
  const absl::CivilDay end = PeriodAfter(unit_, start);
  return Interval{ceil_to_minute(StartOf(absl::CivilSecond(start), zone_)),
                  ceil_to_minute(StartOf(absl::CivilSecond(end), zone_))};
}

Interval Window::ResolveAsOf(absl::Time at) const {
  if (rolling_) return Resolve(at);
  const absl::Time to = FloorToMinute(at);
  Interval period = Resolve(to - absl::Minutes(1));
  period.to = std::min(period.to, to);
  return period;
}

Interval Window::Next(const Interval& period) const {
  if (rolling_) return Interval{period.to, period.to + length_};
  return Resolve(period.to);
}

std::string Window::ToString() const {
  if (rolling_) return DurationToString(length_);
  return absl::StrCat(CalendarUnitName(unit_), "@", zone_.name());
}

}  // namespace sla
