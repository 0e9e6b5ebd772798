// sla/window.h: half-open time intervals, rolling and calendar windows.
//
// Every question the engine answers is about a half-open interval
// [from, to) of whole minutes. A Window turns an evaluation time into such an
// interval:
//
//   // The last 30 days before `at`: [at - 30d, at).
//   sla::Window w = sla::Window::Rolling(absl::Hours(24 * 30)).value();
//   sla::Interval i = w.Resolve(at);
//
//   // The calendar month that contains `at`, in Paris time (DST handled:
//   // October has 31 days and 745 hours there, not 744).
//   absl::TimeZone paris;
//   absl::LoadTimeZone("Europe/Paris", &paris);
//   sla::Window m = sla::Window::Calendar(sla::CalendarUnit::kMonth, paris);
//   sla::Interval month = m.Resolve(at);  // [Oct 1 00:00 CEST, Nov 1 00:00
//   CET)
//
// Minute resolution: the engine keeps per-minute counters, so every interval
// bound is a whole minute since the Unix epoch. Resolve() floors `at` to its
// minute, and a minute belongs to the calendar period that contains its
// start (bounds are rounded up to the minute; they only differ in zones with
// historic offsets in seconds). A result at 12:00:30 belongs to the minute
// [12:00, 12:01).
//
// Value types; copyable and thread-compatible.

#ifndef SLA_WINDOW_H_
#define SLA_WINDOW_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sla {

// Half-open interval [from, to). Empty when from >= to.
struct Interval {
  absl::Time from = absl::UnixEpoch();
  absl::Time to = absl::UnixEpoch();

  absl::Duration length() const { return to - from; }
  bool empty() const { return from >= to; }
  bool Contains(absl::Time t) const { return from <= t && t < to; }
  friend bool operator==(const Interval& a, const Interval& b) {
    return a.from == b.from && a.to == b.to;
  }
};

// The minute index (minutes since the Unix epoch, floored) of a time.
int64_t MinuteOf(absl::Time t);
// The start of a minute index.
// Saturates to an infinite time outside +-2^57 minutes.
inline absl::Time MinuteStart(int64_t minute) {
  constexpr int64_t kLimit = int64_t{1} << 57;
  if (minute >= kLimit) return absl::InfiniteFuture();
  if (minute <= -kLimit) return absl::InfinitePast();
  return absl::FromUnixSeconds(minute * 60);
}
// Floors a time to its minute.
inline absl::Time FloorToMinute(absl::Time t) {
  return MinuteStart(MinuteOf(t));
}

enum class CalendarUnit { kDay, kIsoWeek, kMonth, kQuarter, kYear };

// "day", "week", "month", "quarter", "year" (case-insensitive).
absl::StatusOr<CalendarUnit> ParseCalendarUnit(absl::string_view text);
absl::string_view CalendarUnitName(CalendarUnit unit);

// Parses a duration written as a whole number and a unit: "5m", "1h", "30d",
// "2w" (units s, m, h, d, w; "1h30m" is accepted too). Errors name the text.
absl::StatusOr<absl::Duration> ParseDuration(absl::string_view text);
// d in its largest whole unit among d, h, m, s: 30 days -> "30d",
// 90 minutes -> "90m", 14 days -> "14d"; other durations as absl prints them.
std::string DurationToString(absl::Duration d);

// Parses a time given as RFC 3339 ("2024-01-31T00:00:00Z",
// "2024-01-31T01:00:00+01:00") or as integer milliseconds since the epoch.
absl::StatusOr<absl::Time> ParseTimestamp(absl::string_view text);
// RFC 3339 in UTC with a trailing Z and no fractional seconds when whole.
std::string TimeToString(absl::Time t);

// A rolling window of whole minutes, or a calendar period in a time zone.
class Window {
 public:
  // Requires a positive whole number of minutes; InvalidArgument otherwise.
  static absl::StatusOr<Window> Rolling(absl::Duration length);
  static Window Calendar(CalendarUnit unit, absl::TimeZone zone);
  // "30d" (rolling) or "calendar:month" / "month" with an optional
  // "@Europe/Paris" zone suffix, e.g. "month@America/New_York".
  static absl::StatusOr<Window> Parse(absl::string_view text);

  bool is_rolling() const { return rolling_; }
  // Rolling windows only.
  absl::Duration length() const { return length_; }
  // Calendar windows only.
  CalendarUnit unit() const { return unit_; }
  const absl::TimeZone& zone() const { return zone_; }

  // Rolling: [floor(at) - length, floor(at)).
  // Calendar: the whole period that contains `at` (its end may lie after
  // `at`; the engine only has data up to the newest result).
  Interval Resolve(absl::Time at) const;
  // The window as of `at`, for budgets "at this time": nothing after
  // floor(at) is in it. Rolling: Resolve(at). Calendar: the period holding
  // the minute before floor(at), cut at floor(at): month to date in the
  // middle of a month, the whole month at its end (at = the next month's
  // first instant).
  Interval ResolveAsOf(absl::Time at) const;
  // Calendar only: the period that starts where `period` ends.
  Interval Next(const Interval& period) const;

  // "30d" or "month@UTC".
  std::string ToString() const;

 private:
  Window() = default;
  bool rolling_ = true;
  absl::Duration length_ = absl::ZeroDuration();
  CalendarUnit unit_ = CalendarUnit::kMonth;
  absl::TimeZone zone_ = absl::UTCTimeZone();
};

}  // namespace sla

#endif  // SLA_WINDOW_H_
