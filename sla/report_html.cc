// sla/report_html.cc: RenderReportHtml, the monthly report as one
// self-contained HTML page (declared in sla/report.h).
//
// The page is static: inline CSS and inline SVG, no script, no <link>, no
// URL of any kind, so it can be mailed, archived and printed as it is. Every
// chart repeats its numbers as text (tables), every SVG has role="img", an
// aria-label and a <title>, and every piece of report text is escaped.
// Same report, same bytes: nothing depends on the clock or on hash-map
// iteration order.
//
// Charts, per service (and per application, on the composite's minutes):
//  - daily availability bars, one <rect> per day with data (no-data days are
//    gaps), with a dashed line at the commitment (else the first objective's
//    target);
//  - an error-budget burn-down per objective (and the contract commitment):
//    after each day, remaining = 1 - cumulative bad / (allowed fraction x
//    cumulative total), from 100 % at the start of the month;
// and for the month: an incident timeline (one row per service, one <rect>
// per contract incident) and, per application, a reliability block diagram
// of its expression (one <rect> per component occurrence; all_of in series,
// any_of and k_of_n in parallel). Tables list the month's alert episodes
// and remediation audit records.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "sla/alerting.h"
#include "sla/composite.h"
#include "sla/contract.h"
#include "sla/internal/json_writer.h"
#include "sla/objective.h"
#include "sla/remediation.h"
#include "sla/report.h"
#include "sla/window.h"

namespace sla {
namespace {

using internal::FormatDouble;

// ------------------------------------------------------------ text helpers

// Text for HTML content and attribute values. Control characters other than
// tab and newline become U+FFFD.
std::string Esc(absl::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\t':
      case '\n':
        out += c;
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          out += "&#xFFFD;";
        } else {
          out += c;
        }
    }
  }
  return out;
}

// Characters (UTF-8 code points) of `text`.
size_t CharCount(absl::string_view text) {
  size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// `text` cut to at most `max_chars` code points, with an ellipsis when cut.
std::string Truncate(absl::string_view text, size_t max_chars) {
  if (CharCount(text) <= max_chars) return std::string(text);
  size_t chars = 0;
  size_t i = 0;
  for (; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (chars == max_chars - 1) break;
      ++chars;
    }
  }
  return absl::StrCat(text.substr(0, i), "\xE2\x80\xA6");  // U+2026
}

// An SVG coordinate: one decimal, no trailing ".0".
std::string N(double v) {
  if (!std::isfinite(v)) v = 0;
  std::string s = absl::StrFormat("%.1f", v);
  if (s == "-0.0") return "0";
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0)
    s.resize(s.size() - 2);
  return s;
}

// As the Markdown renderer: uptimes and availabilities with 4 decimals.
std::string Percent(double v) { return absl::StrFormat("%.4f", v); }

// 100 * good / total rounded down to `decimals` decimals (never "100.000"
// for a day that was not perfect).
std::string PercentFloor(const Counts& c, int decimals) {
  int64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  if (c.total <= 0) return "-";
  const absl::int128 q =
      absl::int128(c.good) * 100 * scale / absl::int128(c.total);
  const int64_t v = static_cast<int64_t>(q);
  if (decimals == 0) return absl::StrCat(v);
  return absl::StrFormat("%d.%0*d", v / scale, decimals, v % scale);
}

std::string BudgetPercent(double remaining) {
  return absl::StrFormat("%.1f%%", remaining * 100);
}

// An SVG root: role="img", aria-label and <title> first.
std::string SvgOpen(absl::string_view cls, double w, double h,
                    absl::string_view label) {
  return absl::StrCat("<svg class=\"", cls, "\" role=\"img\" aria-label=\"",
                      Esc(label), "\" viewBox=\"0 0 ", N(w), " ", N(h),
                      "\" width=\"", N(w), "\" height=\"", N(h), "\"><title>",
                      Esc(label), "</title>");
}

std::string Line(double x1, double y1, double x2, double y2,
                 absl::string_view stroke, double width,
                 absl::string_view extra = "") {
  return absl::StrCat("<line x1=\"", N(x1), "\" y1=\"", N(y1), "\" x2=\"",
                      N(x2), "\" y2=\"", N(y2), "\" stroke=\"", stroke,
                      "\" stroke-width=\"", N(width), "\"", extra, "/>");
}

std::string Text(double x, double y, absl::string_view anchor,
                 absl::string_view cls, absl::string_view content) {
  return absl::StrCat("<text x=\"", N(x), "\" y=\"", N(y), "\" text-anchor=\"",
                      anchor, "\" class=\"", cls, "\">", content, "</text>");
}

// ------------------------------------------------------------------ colours

constexpr absl::string_view kOk = "#2f855a";
constexpr absl::string_view kBad = "#c53030";
constexpr absl::string_view kNeutral = "#3b6fb6";
constexpr absl::string_view kNoData = "#cbd2d9";
constexpr absl::string_view kGrid = "#e4e7eb";
constexpr absl::string_view kAxis = "#9aa5b1";
constexpr absl::string_view kRefLine = "#1f2933";
constexpr absl::string_view kBurnColors[] = {"#2563eb", "#d97706", "#7c3aed",
                                             "#0d9488", "#db2777", "#52606d"};

struct OwnerColours {
  absl::string_view stroke;
  absl::string_view fill;
};
OwnerColours ColoursOf(const Owner* owner) {
  if (owner == nullptr) return {"#7b8794", "#f0f2f5"};
  return *owner == Owner::kProvider ? OwnerColours{"#2b6cb0", "#e6effa"}
                                    : OwnerColours{"#6b46c1", "#f0eafb"};
}

// ------------------------------------------------------------- page context

// What the charts need to know about the month.
struct Month {
  absl::TimeZone zone = absl::UTCTimeZone();
  bool has_month = false;
  absl::CivilDay first;  // the month's first day, when has_month
  Interval period;

  // "2024-01-05", or "day 5" when the month is not known.
  std::string DayName(size_t i) const {
    if (!has_month) return absl::StrCat("day ", i + 1);
    return absl::FormatCivilTime(first + static_cast<int64_t>(i));
  }
  std::string Local(absl::Time t) const {
    return absl::FormatTime("%Y-%m-%d %H:%M", t, zone);
  }
  // Where `t` falls in the period, in [0, 1].
  // The end of day i of `days` (the last one ends with the period).
  absl::Time DayEnd(size_t i, size_t days) const {
    if (i + 1 >= days) return period.to;
    if (has_month) {
      return std::min(
          absl::FromCivil(first + static_cast<int64_t>(i) + 1, zone),
          period.to);
    }
    return period.from + (period.to - period.from) *
                             static_cast<double>(i + 1) /
                             static_cast<double>(days);
  }
  double Fraction(absl::Time t) const {
    const absl::Duration len = period.to - period.from;
    if (len <= absl::ZeroDuration()) return 0;
    return std::clamp(absl::FDivDuration(t - period.from, len), 0.0, 1.0);
  }
};

// The line the daily bars are measured against.
struct Reference {
  bool set = false;
  double percent = 0;
  std::string label;  // "commitment 99.95%"
  int64_t num = 0;    // percent / 100 as an exact fraction
  int64_t den = 1;
};

// `percent` is written as configured (99.95%), or with 4 decimals when
// computed (a theoretical SLA).
Reference MakeReference(double percent, absl::string_view what,
                        bool computed = false) {
  Reference r;
  absl::StatusOr<Target> t = Target::FromPercent(percent);
  if (!t.ok()) return r;
  r.set = true;
  r.percent = percent;
  r.label = absl::StrCat(
      what, " ", computed ? Percent(percent) : FormatDouble(percent), "%");
  r.num = t->numerator();
  r.den = t->denominator();
  return r;
}

// Whether a day with data is below the reference, compared exactly.
bool Below(const Counts& c, const Reference& ref) {
  if (!ref.set || c.total <= 0) return false;
  return absl::int128(c.good) * ref.den < absl::int128(ref.num) * c.total;
}

Reference ServiceReference(const ServiceReport& s) {
  if (s.contract)
    return MakeReference(s.contract->commitment_percent, "commitment");
  if (!s.objectives.empty()) {
    return MakeReference(s.objectives[0].target_percent, "objective");
  }
  return Reference{};
}

Reference ApplicationReference(const ApplicationReport& a) {
  if (!a.objectives.empty()) {
    return MakeReference(a.objectives[0].target_percent, "objective");
  }
  if (a.theoretical_sla_percent) {
    return MakeReference(*a.theoretical_sla_percent, "theoretical", true);
  }
  return Reference{};
}

// ------------------------------------------------------------- daily bars

// One <rect> per day with data, nothing else drawn as a rect.
std::string DailyBarsSvg(absl::string_view subject,
                         const std::vector<Counts>& daily, const Reference& ref,
                         absl::string_view unit, const Month& month) {
  constexpr double kW = 1000, kH = 200, kLeft = 56, kRight = 112, kTop = 16,
                   kBottom = 26;
  const double plot_w = kW - kLeft - kRight;
  const double plot_h = kH - kTop - kBottom;
  const size_t n = std::max<size_t>(daily.size(), 1);
  const double slot = plot_w / static_cast<double>(n);

  // The axis starts at a round value below the reference and the days near
  // it. A day more than 10 times the reference's allowance below it (91 %
  // against 99.9 %) is drawn off scale, a stub with its value above, so that
  // one outage does not flatten every other day.
  const double cutoff = ref.set ? ref.percent - 10 * (100 - ref.percent) : -1;
  double lo = 100;
  size_t with_data = 0, off_scale = 0;
  for (const Counts& c : daily) {
    if (c.total <= 0) continue;
    ++with_data;
    if (100 * c.ratio() >= cutoff) lo = std::min(lo, 100 * c.ratio());
  }
  if (ref.set) lo = std::min(lo, ref.percent);
  double floor = 0;
  for (double f : {99.99, 99.9, 99.5, 99.0, 98.0, 95.0, 90.0, 80.0, 50.0}) {
    if (100 - f >= 1.25 * (100 - lo)) {
      floor = f;
      break;
    }
  }
  const auto y_of = [&](double percent) {
    const double v = std::clamp((percent - floor) / (100 - floor), 0.0, 1.0);
    return kTop + plot_h * (1 - v);
  };
  for (const Counts& c : daily) {
    off_scale += c.total > 0 && 100 * c.ratio() < floor;
  }

  const std::string label = absl::StrCat(
      "Daily availability of ", subject, ": ", with_data, " of ", daily.size(),
      " days with data",
      ref.set ? absl::StrCat("; dashed line at the ", ref.label) : "",
      "; axis from ", FormatDouble(floor), "% to 100%",
      off_scale > 0 ? absl::StrCat("; ", off_scale, " days below it") : "");
  std::string out = SvgOpen("chart daily", kW, kH, label);
  // Grid and axis labels.
  for (double v : {floor, (floor + 100) / 2, 100.0}) {
    const double y = y_of(v);
    out += Line(kLeft, y, kW - kRight, y, kGrid, 1);
    out +=
        Text(kLeft - 6, y + 4, "end", "ax", absl::StrCat(FormatDouble(v), "%"));
  }
  out += Line(kLeft, kTop + plot_h, kW - kRight, kTop + plot_h, kAxis, 1);
  // Bars, and a grey tick on the axis for days without data.
  for (size_t i = 0; i < daily.size(); ++i) {
    const Counts& c = daily[i];
    const double x0 = kLeft + slot * static_cast<double>(i);
    if (c.total <= 0) {
      out += absl::StrCat("<line x1=\"", N(x0 + slot * 0.2), "\" y1=\"",
                          N(kTop + plot_h - 2), "\" x2=\"", N(x0 + slot * 0.8),
                          "\" y2=\"", N(kTop + plot_h - 2), "\" stroke=\"",
                          kNoData, "\" stroke-width=\"3\"><title>",
                          Esc(month.DayName(i)), ": no data</title></line>");
      continue;
    }
    const bool below_axis = 100 * c.ratio() < floor;
    const double top =
        below_axis ? kTop + plot_h - 4
                   : std::min(y_of(100 * c.ratio()), kTop + plot_h - 1.5);
    if (below_axis) {
      out += Text(x0 + slot / 2, top - 4, "middle", "off",
                  absl::StrCat(PercentFloor(c, 1), "%"));
    }
    const absl::string_view fill =
        !ref.set ? kNeutral : (Below(c, ref) ? kBad : kOk);
    out += absl::StrCat(
        "<rect x=\"", N(x0 + slot * 0.14), "\" y=\"", N(top), "\" width=\"",
        N(slot * 0.72), "\" height=\"", N(kTop + plot_h - top), "\" fill=\"",
        fill, "\"><title>", Esc(month.DayName(i)), ": ", PercentFloor(c, 3),
        "% (", c.good, " of ", c.total, " ", unit, " good)</title></rect>");
  }
  // Day numbers.
  const size_t every = slot >= 16 ? 1 : 5;
  for (size_t i = 0; i < daily.size(); ++i) {
    if ((i + 1) % every != 0 && i != 0) continue;
    out += Text(kLeft + slot * (static_cast<double>(i) + 0.5), kH - 9, "middle",
                "ax", absl::StrCat(i + 1));
  }
  if (ref.set) {
    const double y = y_of(ref.percent);
    out += Line(kLeft, y, kW - kRight + 4, y, kRefLine, 1.3,
                " stroke-dasharray=\"5 4\"");
    // The label in the right margin, beside its line: "commitment" over
    // "99.95%".
    const size_t space = ref.label.rfind(' ');
    out += Text(kW - kRight + 8, y - 2, "start", "ref",
                Esc(ref.label.substr(0, space)));
    out += Text(kW - kRight + 8, y + 11, "start", "ref",
                Esc(ref.label.substr(space + 1)));
  }
  out += "</svg>";
  return out;
}

// A calendar of the daily values: the same numbers as the bars, as text.
std::string DailyTable(absl::string_view subject,
                       const std::vector<Counts>& daily, const Reference& ref,
                       const Month& month) {
  std::string out =
      absl::StrCat("<table class=\"cal\"><caption>Daily availability of ",
                   Esc(subject), " (%)</caption><thead><tr>");
  int lead = 0;
  if (month.has_month) {
    static constexpr absl::string_view kDays[] = {"Mon", "Tue", "Wed", "Thu",
                                                  "Fri", "Sat", "Sun"};
    for (absl::string_view d : kDays) absl::StrAppend(&out, "<th>", d, "</th>");
    lead = static_cast<int>(absl::GetWeekday(month.first)) -
           static_cast<int>(absl::Weekday::monday);
    lead = (lead % 7 + 7) % 7;
  } else {
    for (int d = 0; d < 7; ++d) out += "<th></th>";
  }
  out += "</tr></thead><tbody><tr>";
  int col = 0;
  for (; col < lead; ++col) out += "<td class=\"pad\"></td>";
  for (size_t i = 0; i < daily.size(); ++i, ++col) {
    if (col == 7) {
      out += "</tr><tr>";
      col = 0;
    }
    const Counts& c = daily[i];
    const char* cls = c.total <= 0 ? "nodata" : (Below(c, ref) ? "low" : "ok");
    absl::StrAppend(
        &out, "<td class=\"", cls, "\"><span class=\"d\">", i + 1, "</span>",
        c.total <= 0 ? std::string("no data") : PercentFloor(c, 3), "</td>");
  }
  for (; col < 7 && col > 0; ++col) out += "<td class=\"pad\"></td>";
  out += "</tr></tbody></table>";
  return out;
}

// ------------------------------------------------------------ burn-down

struct BurnSeries {
  std::string label;
  std::string unit;  // of bad and total: "results", "min"
  double target_percent = 0;
  double allowed_fraction = 0;
  std::vector<double> remaining;  // days + 1 points, from 1
  int64_t bad = 0;
  int64_t total = 0;
};

// After each day: 1 - cumulative bad / (allowed fraction x cumulative total).
bool MakeBurn(std::string label, absl::string_view unit, double target_percent,
              const std::vector<Counts>& daily, BurnSeries* out) {
  absl::StatusOr<Target> t = Target::FromPercent(target_percent);
  if (!t.ok()) return false;
  out->label = std::move(label);
  out->unit = std::string(unit);
  out->target_percent = target_percent;
  out->allowed_fraction = t->budget_fraction();
  out->remaining.assign(1, 1.0);
  for (const Counts& c : daily) {
    out->bad += c.bad();
    out->total += c.total;
    out->remaining.push_back(out->total == 0
                                 ? 1.0
                                 : 1 - static_cast<double>(out->bad) /
                                           (out->allowed_fraction *
                                            static_cast<double>(out->total)));
  }
  return true;
}

// An interval contract's downtime allowance, spent by its incidents: after
// each day, 1 - downtime so far / ((1 - commitment) x the month's counted
// minutes). It ends at the contract's own verdict (below 0 exactly when the
// uptime is below the commitment), which a burn-down on probe results need
// not (a minute with one failed result out of three is a down interval).
// Request-based contracts have no downtime allowance: false.
bool ContractBurn(const ServiceReport& s, const Month& month, size_t days,
                  BurnSeries* out) {
  if (!s.contract || !s.result || days == 0 ||
      s.result->method != DowntimeMethod::kInterval) {
    return false;
  }
  absl::StatusOr<Target> t =
      Target::FromPercent(s.contract->commitment_percent);
  if (!t.ok()) return false;
  const ContractResult& r = *s.result;
  const int64_t counted_minutes =
      r.counted_intervals() * (s.contract->interval / absl::Minutes(1));
  if (counted_minutes <= 0) return false;
  out->label = "contract downtime allowance";
  out->unit = "min";
  out->target_percent = s.contract->commitment_percent;
  out->allowed_fraction = t->budget_fraction();
  out->bad = r.downtime_minutes;
  out->total = counted_minutes;
  const double allowed =
      out->allowed_fraction * static_cast<double>(counted_minutes);
  out->remaining.assign(1, 1.0);
  for (size_t i = 0; i < days; ++i) {
    const absl::Time end = month.DayEnd(i, days);
    double down = 0;
    for (const Incident& inc : r.incidents) {
      const absl::Time to = std::min(inc.span.to, end);
      if (to > inc.span.from) down += absl::ToDoubleMinutes(to - inc.span.from);
    }
    out->remaining.push_back(1 - down / allowed);
  }
  // The last point is the contract's own count.
  out->remaining.back() = 1 - static_cast<double>(r.downtime_minutes) / allowed;
  return true;
}

// The lowest remaining budget a burn-down draws (-500 %).
constexpr double kBurnFloor = -5;

std::string BurnSvg(absl::string_view subject,
                    const std::vector<BurnSeries>& series, size_t days) {
  constexpr double kW = 1000, kH = 210, kLeft = 56, kRight = 112, kTop = 14,
                   kBottom = 26;
  const double plot_w = kW - kLeft - kRight;
  const double plot_h = kH - kTop - kBottom;
  const double n = static_cast<double>(std::max<size_t>(days, 1));
  double lower = 0;
  for (const BurnSeries& s : series) {
    for (double r : s.remaining) lower = std::min(lower, r);
  }
  // Overspent budgets go below 0 %, drawn down to at most -500 %; ticks
  // every 50 % (every 100 % past -100 %).
  const double step = lower < -1 ? 1.0 : 0.5;
  if (lower < 0) {
    lower = std::max(kBurnFloor, std::floor(lower / step) * step);
  }
  const auto y_of = [&](double r) {
    const double v = (std::clamp(r, lower, 1.0) - lower) / (1 - lower);
    return kTop + plot_h * (1 - v);
  };
  std::string label = absl::StrCat("Error-budget burn-down of ", subject);
  for (size_t i = 0; i < series.size(); ++i) {
    absl::StrAppend(&label, i == 0 ? ": " : "; ", series[i].label, " ends at ",
                    BudgetPercent(series[i].remaining.back()), " remaining");
  }
  std::string out = SvgOpen("chart burn", kW, kH, label);
  std::vector<double> ticks;
  for (int i = 0; 1 - step * i >= lower - 1e-9; ++i) {
    ticks.push_back(1 - step * i);
  }
  for (double v : ticks) {
    const double y = y_of(v);
    const bool zero = std::fabs(v) < 1e-9;
    out += Line(kLeft, y, kW - kRight, y, zero ? "#e8a0a0" : kGrid,
                zero ? 1.3 : 1, zero ? " stroke-dasharray=\"4 3\"" : "");
    if (zero) out += Text(kW - kRight + 8, y + 4, "start", "ax", "exhausted");
    out +=
        Text(kLeft - 6, y + 4, "end", "ax", absl::StrFormat("%.0f%%", v * 100));
  }
  out += Line(kLeft, kTop + plot_h, kW - kRight, kTop + plot_h, kAxis, 1);
  const size_t every = plot_w / n >= 16 ? 1 : 5;
  for (size_t i = 0; i < days; ++i) {
    if ((i + 1) % every != 0 && i != 0) continue;
    out += Text(kLeft + plot_w * (static_cast<double>(i) + 1) / n, kH - 9,
                "middle", "ax", absl::StrCat(i + 1));
  }
  for (size_t k = 0; k < series.size(); ++k) {
    const BurnSeries& s = series[k];
    std::string points;
    for (size_t i = 0; i < s.remaining.size(); ++i) {
      absl::StrAppend(&points, i == 0 ? "" : " ",
                      N(kLeft + plot_w * static_cast<double>(i) / n), ",",
                      N(y_of(s.remaining[i])));
    }
    absl::StrAppend(
        &out, "<polyline fill=\"none\" stroke=\"",
        kBurnColors[k % (sizeof(kBurnColors) / sizeof(kBurnColors[0]))],
        "\" stroke-width=\"2.2\" stroke-linejoin=\"round\" points=\"", points,
        "\"><title>", Esc(s.label), ": ", BudgetPercent(s.remaining.back()),
        " of the budget left at month end</title></polyline>");
  }
  out += "</svg>";
  return out;
}

std::string BurnTable(const std::vector<BurnSeries>& series) {
  std::string out =
      "<table class=\"legend\"><thead><tr><th>line</th><th "
      "class=\"n\">target</th><th class=\"n\">bad / counted</th><th "
      "class=\"n\">allowed bad</th><th class=\"n\">budget remaining at "
      "month end</th></tr></thead><tbody>";
  for (size_t k = 0; k < series.size(); ++k) {
    const BurnSeries& s = series[k];
    absl::StrAppend(
        &out, "<tr><td><span class=\"sw\" style=\"background:",
        kBurnColors[k % (sizeof(kBurnColors) / sizeof(kBurnColors[0]))],
        "\"></span>", Esc(s.label),
        *std::min_element(s.remaining.begin(), s.remaining.end()) < kBurnFloor
            ? " <span class=\"muted\">(drawn down to -500%)</span>"
            : "",
        "</td><td class=\"n\">", FormatDouble(s.target_percent),
        "%</td><td class=\"n\">", s.bad, " / ", s.total, " ", s.unit,
        "</td><td class=\"n\">",
        absl::StrFormat("%.1f",
                        s.allowed_fraction * static_cast<double>(s.total)),
        " ", s.unit, "</td><td class=\"n", s.remaining.back() < 0 ? " neg" : "",
        "\">", BudgetPercent(s.remaining.back()), "</td></tr>");
  }
  out += "</tbody></table>";
  return out;
}

std::string BurnFigure(absl::string_view subject,
                       const std::vector<BurnSeries>& series, size_t days,
                       absl::string_view caption) {
  if (series.empty()) {
    return "<p class=\"muted\">No objective or commitment: no error budget "
           "to burn.</p>";
  }
  return absl::StrCat("<figure>", BurnSvg(subject, series, days),
                      "<figcaption>", caption, "</figcaption>",
                      BurnTable(series), "</figure>");
}

// ---------------------------------------------------------- timeline

std::string TimelineSvg(const MonthlyReport& report, const Month& month,
                        size_t days) {
  constexpr double kW = 1000, kLabel = 180, kRight = 14, kTop = 24, kRow = 26,
                   kBand = 14;
  const double plot_w = kW - kLabel - kRight;
  const double h =
      kTop + kRow * static_cast<double>(report.services.size()) + 8;
  size_t incidents = 0;
  for (const ServiceReport& s : report.services) {
    if (s.result) incidents += s.result->incidents.size();
  }
  std::string out =
      SvgOpen("chart timeline", kW, h,
              absl::StrCat("Incident timeline, ", report.month, ": ", incidents,
                           " contract incidents over ", report.services.size(),
                           " services"));
  // Day lines and numbers.
  if (month.has_month && days > 0) {
    const double slot = plot_w / static_cast<double>(days);
    for (size_t i = 0; i <= days; ++i) {
      const double x =
          kLabel +
          plot_w * month.Fraction(absl::FromCivil(
                       month.first + static_cast<int64_t>(i), month.zone));
      out += Line(x, kTop - 4, x, h - 6, kGrid, 1);
      if (i < days && (slot >= 16 || (i + 1) % 5 == 0 || i == 0)) {
        out +=
            Text(x + slot / 2, kTop - 9, "middle", "ax", absl::StrCat(i + 1));
      }
    }
  }
  for (size_t r = 0; r < report.services.size(); ++r) {
    const ServiceReport& s = report.services[r];
    const double cy = kTop + kRow * (static_cast<double>(r) + 0.5);
    absl::StrAppend(&out, "<text x=\"", N(kLabel - 10), "\" y=\"", N(cy + 4),
                    "\" text-anchor=\"end\" class=\"lbl\"><title>", Esc(s.name),
                    "</title>", Esc(Truncate(s.name, 26)), "</text>");
    out += Line(kLabel, cy, kW - kRight, cy, "#eef2f6", kBand);
    if (!s.result) {
      out += Text(kLabel + 8, cy + 4, "start", "muted-t", "no contract");
      continue;
    }
    if (s.result->incidents.empty()) {
      out += Text(kLabel + 8, cy + 4, "start", "muted-t", "no incidents");
    }
    for (const Incident& i : s.result->incidents) {
      const double x0 = kLabel + plot_w * month.Fraction(i.span.from);
      const double x1 = kLabel + plot_w * month.Fraction(i.span.to);
      absl::StrAppend(&out, "<rect x=\"", N(x0), "\" y=\"", N(cy - kBand / 2),
                      "\" width=\"", N(std::max(x1 - x0, 2.0)), "\" height=\"",
                      N(kBand), "\" fill=\"", kBad, "\"><title>", Esc(s.name),
                      ": ", month.Local(i.span.from), " to ",
                      month.Local(i.span.to), " (", i.minutes,
                      " min)</title></rect>");
    }
  }
  out += "</svg>";
  return out;
}

// --------------------------------------------------- composite diagram

struct NodeSize {
  double w = 0;
  double h = 0;
  double ay = 0;  // the connection line, from the top
};

class Diagram {
 public:
  static constexpr double kLeafH = 44, kSeriesGap = 30, kParGap = 10,
                          kParPad = 10, kParStub = 18, kParLabel = 22,
                          kParBottom = 10;

  Diagram(const ApplicationReport& app, const MonthlyReport& report) {
    for (const ComponentReport& c : app.components) comps_[c.name] = &c;
    for (const ServiceReport& s : report.services) {
      service_owner_.emplace(s.name, s.owner);  // first one wins
    }
  }

  NodeSize Measure(const CompositeExpr& e) {
    NodeSize s;
    switch (e.kind) {
      case CompositeExpr::Kind::kComponent: {
        const double name_w =
            7.4 * static_cast<double>(CharCount(Truncate(e.name, 30))) + 28;
        const double sub_w =
            6.2 * static_cast<double>(CharCount(SubLabel(e.name))) + 24;
        s.w = std::max({112.0, name_w, sub_w});
        s.h = kLeafH;
        s.ay = kLeafH / 2;
        break;
      }
      case CompositeExpr::Kind::kAllOf: {
        double below = 0;
        for (size_t i = 0; i < e.children.size(); ++i) {
          const NodeSize c = Measure(e.children[i]);
          s.w += c.w + (i == 0 ? 0 : kSeriesGap);
          s.ay = std::max(s.ay, c.ay);
          below = std::max(below, c.h - c.ay);
        }
        s.h = s.ay + below;
        break;
      }
      default: {
        double max_w =
            std::max(0.0, 7.0 * static_cast<double>(GroupLabel(e).size()) -
                              2 * kParStub);
        double y = kParLabel;
        double first = 0, last = 0;
        for (size_t i = 0; i < e.children.size(); ++i) {
          const NodeSize c = Measure(e.children[i]);
          if (i > 0) y += kParGap;
          if (i == 0) first = y + c.ay;
          last = y + c.ay;
          y += c.h;
          max_w = std::max(max_w, c.w);
        }
        s.w = max_w + 2 * (kParPad + kParStub);
        s.h = y + kParBottom;
        s.ay = (first + last) / 2;
        break;
      }
    }
    sizes_[&e] = s;
    return s;
  }

  // Draws `e` with its top-left corner at (x, y); Measure(e) first.
  void Draw(const CompositeExpr& e, double x, double y) {
    const NodeSize s = sizes_.at(&e);
    switch (e.kind) {
      case CompositeExpr::Kind::kComponent:
        DrawLeaf(e.name, x, y, s);
        return;
      case CompositeExpr::Kind::kAllOf: {
        double cx = x;
        for (size_t i = 0; i < e.children.size(); ++i) {
          const NodeSize c = sizes_.at(&e.children[i]);
          if (i > 0) {
            wires_ +=
                Line(cx, y + s.ay, cx + kSeriesGap, y + s.ay, kWire, kWireW);
            cx += kSeriesGap;
          }
          Draw(e.children[i], cx, y + s.ay - c.ay);
          cx += c.w;
        }
        return;
      }
      default:
        DrawParallel(e, x, y, s);
        return;
    }
  }

  int boxes() const { return boxes_; }
  // Group outlines first, then wires, then boxes on top.
  std::string Body() const { return absl::StrCat(groups_, wires_, boxes_svg_); }

 private:
  static constexpr absl::string_view kWire = "#7b8794";
  static constexpr double kWireW = 1.6;

  const Owner* OwnerOf(const std::string& name) const {
    auto c = comps_.find(name);
    if (c != comps_.end()) return &c->second->owner;
    auto s = service_owner_.find(name);
    if (s != service_owner_.end()) return &s->second;
    return nullptr;
  }

  std::string SubLabel(const std::string& name) const {
    const Owner* owner = OwnerOf(name);
    auto c = comps_.find(name);
    std::string sub(owner == nullptr ? "owner unknown" : OwnerName(*owner));
    if (c != comps_.end()) {
      absl::StrAppend(&sub, " \xC2\xB7 ", c->second->down_minutes, " min down");
    }
    return sub;
  }

  static std::string GroupLabel(const CompositeExpr& e) {
    const size_t n = e.children.size();
    if (e.kind == CompositeExpr::Kind::kAnyOf) {
      return absl::StrCat("any 1 of ", n);
    }
    return absl::StrCat(e.k, " of ", n);
  }

  void DrawLeaf(const std::string& name, double x, double y,
                const NodeSize& s) {
    const Owner* owner = OwnerOf(name);
    const OwnerColours col = ColoursOf(owner);
    const std::string sub = SubLabel(name);
    absl::StrAppend(&boxes_svg_, "<g class=\"comp\"><rect x=\"", N(x),
                    "\" y=\"", N(y), "\" width=\"", N(s.w), "\" height=\"",
                    N(s.h), "\" rx=\"6\" fill=\"", col.fill, "\" stroke=\"",
                    col.stroke, "\" stroke-width=\"1.6\"><title>", Esc(name),
                    " (", Esc(sub), ")</title></rect>");
    boxes_svg_ +=
        Text(x + s.w / 2, y + 19, "middle", "cname", Esc(Truncate(name, 30)));
    boxes_svg_ += Text(x + s.w / 2, y + 34, "middle", "csub", Esc(sub));
    boxes_svg_ += "</g>";
    ++boxes_;
  }

  void DrawParallel(const CompositeExpr& e, double x, double y,
                    const NodeSize& s) {
    // Outline: a dashed rounded path (not a rect: rects are components).
    constexpr double r = 8;
    absl::StrAppend(
        &groups_, "<path d=\"M", N(x + r), " ", N(y), "H", N(x + s.w - r), "A",
        N(r), " ", N(r), " 0 0 1 ", N(x + s.w), " ", N(y + r), "V",
        N(y + s.h - r), "A", N(r), " ", N(r), " 0 0 1 ", N(x + s.w - r), " ",
        N(y + s.h), "H", N(x + r), "A", N(r), " ", N(r), " 0 0 1 ", N(x), " ",
        N(y + s.h - r), "V", N(y + r), "A", N(r), " ", N(r), " 0 0 1 ",
        N(x + r), " ", N(y),
        "Z\" fill=\"#f7f9fb\" fill-opacity=\"0.6\" stroke=\"#9aa5b1\" "
        "stroke-dasharray=\"5 4\" stroke-width=\"1.2\"/>");
    groups_ += Text(x + 10, y + 15, "start", "glabel", Esc(GroupLabel(e)));
    const double left_rail = x + kParPad;
    const double right_rail = x + s.w - kParPad;
    const double child_x = left_rail + kParStub;
    double cy = y + kParLabel;
    double first = 0, last = 0;
    for (size_t i = 0; i < e.children.size(); ++i) {
      const NodeSize c = sizes_.at(&e.children[i]);
      if (i > 0) cy += kParGap;
      const double mid = cy + c.ay;
      if (i == 0) first = mid;
      last = mid;
      wires_ += Line(left_rail, mid, child_x, mid, kWire, kWireW);
      wires_ += Line(child_x + c.w, mid, right_rail, mid, kWire, kWireW);
      Draw(e.children[i], child_x, cy);
      cy += c.h;
    }
    wires_ += Line(left_rail, first, left_rail, last, kWire, kWireW);
    wires_ += Line(right_rail, first, right_rail, last, kWire, kWireW);
    wires_ += Line(x, y + s.ay, left_rail, y + s.ay, kWire, kWireW);
    wires_ += Line(right_rail, y + s.ay, x + s.w, y + s.ay, kWire, kWireW);
  }

  absl::flat_hash_map<std::string, const ComponentReport*> comps_;
  absl::flat_hash_map<std::string, Owner> service_owner_;
  absl::flat_hash_map<const CompositeExpr*, NodeSize> sizes_;
  std::string groups_, wires_, boxes_svg_;
  int boxes_ = 0;
};

std::string DiagramSvg(const ApplicationReport& app,
                       const MonthlyReport& report) {
  absl::StatusOr<CompositeExpr> expr = CompositeExpr::Parse(app.expression);
  if (!expr.ok() || !expr->Validate().ok()) {
    return absl::StrCat("<p class=\"muted\">No diagram: the expression <code>",
                        Esc(app.expression),
                        "</code> could not be read back.</p>");
  }
  Diagram d(app, report);
  const NodeSize s = d.Measure(*expr);
  constexpr double kPadX = 40, kPadY = 14;
  d.Draw(*expr, kPadX, kPadY);
  const double w = s.w + 2 * kPadX;
  const double h = s.h + 2 * kPadY;
  const double cy = kPadY + s.ay;
  std::string out = SvgOpen(
      "chart diagram", w, h,
      absl::StrCat("Composite diagram of ", app.name, ": ", app.expression));
  out += d.Body();
  out += Line(20, cy, kPadX, cy, "#7b8794", 1.6);
  out += Line(kPadX + s.w, cy, w - 20, cy, "#7b8794", 1.6);
  absl::StrAppend(&out, "<circle cx=\"15\" cy=\"", N(cy),
                  "\" r=\"5\" fill=\"#52606d\"/><circle cx=\"", N(w - 15),
                  "\" cy=\"", N(cy), "\" r=\"5\" fill=\"#52606d\"/>");
  out += "</svg>";
  return out;
}

// ------------------------------------------------------------------ tables

std::string ObjectiveRows(absl::string_view owner,
                          const std::vector<ObjectiveReport>& objectives) {
  std::string out;
  for (const ObjectiveReport& o : objectives) {
    absl::StrAppend(
        &out, "<tr><td>", Esc(owner), "</td><td>", Esc(o.name),
        "</td><td class=\"n\">", FormatDouble(o.target_percent), "%</td><td>",
        Esc(o.window), "</td><td class=\"n\">",
        Esc(BudgetingMethodName(o.method)), "</td><td class=\"n\">",
        o.budget.good, " / ", o.budget.total, "</td><td class=\"n\">",
        o.budget.total == 0 ? std::string("no data")
                            : Percent(o.budget.availability * 100) + "%",
        "</td><td class=\"n", o.budget.remaining < 0 ? " neg" : "", "\">",
        BudgetPercent(o.budget.remaining), "</td></tr>");
  }
  return out;
}

std::string MetBadge(const ServiceReport& s) {
  if (!s.result) return "<span class=\"badge none\">no contract</span>";
  return s.result->met ? "<span class=\"badge met\">met</span>"
                       : "<span class=\"badge breached\">breached</span>";
}

std::string CatalogCell(const ServiceReport& s) {
  if (s.catalog_id.empty()) return "-";
  std::string out = absl::StrCat("<code>", Esc(s.catalog_id), "</code>");
  if (s.catalog_note.empty()) {
    if (!s.catalog_status.empty()) {
      absl::StrAppend(&out, " <span class=\"cstat\">", Esc(s.catalog_status),
                      "</span>");
    }
  } else {
    absl::StrAppend(&out,
                    "<div class=\"unconfirmed\"><span class=\"badge "
                    "warn\">\xE2\x9A\xA0 not confirmed</span> ",
                    Esc(s.catalog_note), "</div>");
  }
  return out;
}

// A burn rate with two decimals at most: 14.4, 1000, 13.89.
std::string Rate(double v) {
  std::string text = absl::StrFormat("%.2f", v);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

std::string LocalOrDash(const Month& month, absl::Time t) {
  if (t == absl::InfinitePast() || t == absl::InfiniteFuture()) return "-";
  return month.Local(t);
}

// The alert episodes of every service, one row each.
std::string AlertsSection(const MonthlyReport& report, const Month& month) {
  std::string out =
      "<section class=\"card\" id=\"alerts\"><h2>Alerts</h2><p "
      "class=\"muted\">Alerts of the objectives with <code>alerting: "
      "true</code>, replayed on the month's results with each objective's "
      "policy: from the evaluation that found an alert firing to the one "
      "that resolved it.</p>";
  size_t rows = 0;
  for (const ServiceReport& s : report.services) rows += s.alerts.size();
  if (rows == 0) return out + "<p>None.</p></section>\n";
  absl::StrAppend(
      &out,
      "<table class=\"alerts\"><thead><tr><th>service</th><th>objective</"
      "th><th>severity</th><th>started (",
      Esc(report.timezone),
      ")</th><th>resolved</th><th class=\"n\">minutes</th><th>fired on "
      "(long and short burn rate &gt; factor)</th><th class=\"n\">budget "
      "left</th><th class=\"n\">peak burn rate (long / short)</th></tr>"
      "</thead><tbody>");
  for (const ServiceReport& s : report.services) {
    for (const AlertEpisode& a : s.alerts) {
      const TierEvaluation& e = a.evidence;
      absl::StrAppend(
          &out, "<tr><td>", Esc(s.name), "</td><td>", Esc(a.objective),
          "</td><td><span class=\"badge ",
          a.severity == "page" ? "breached" : "warn", "\">", Esc(a.severity),
          "</span></td><td>", month.Local(a.started),
          a.started_before_replay ? " (or earlier)" : "", "</td><td>",
          a.resolved ? month.Local(*a.resolved) : "still firing",
          "</td><td class=\"n\">", absl::ToInt64Minutes(a.duration),
          "</td><td>", DurationToString(e.tier.long_window), " ",
          Rate(e.long_rate), " and ", DurationToString(e.tier.short_window),
          " ", Rate(e.short_rate), " &gt; ", Rate(e.tier.factor),
          "</td><td class=\"n", a.budget_remaining < 0 ? " neg" : "", "\">",
          BudgetPercent(a.budget_remaining), "</td><td class=\"n\">",
          Rate(a.peak_long_rate), " / ", Rate(a.peak_short_rate), "</td></tr>");
    }
  }
  return out + "</tbody></table></section>\n";
}

// The month's remediation audit records, one row each.
std::string RemediationSection(const MonthlyReport& report,
                               const Month& month) {
  std::string out =
      "<section class=\"card\" id=\"remediation\"><h2>Remediation "
      "runs</h2><p class=\"muted\">Every decision on a recovery action "
      "(run, dry-run, skipped) and every finished run, from the audit "
      "log.</p>";
  if (report.remediation.empty()) return out + "<p>None.</p></section>\n";
  absl::StrAppend(
      &out, "<table class=\"remediation\"><thead><tr><th>at (",
      Esc(report.timezone),
      ")</th><th>alert</th><th>action</th><th>decision</th><th>reason</"
      "th><th>result</th><th>started</th><th>finished</th></tr></thead>"
      "<tbody>");
  for (const AuditRecord& r : report.remediation) {
    std::string result = "-";
    if (r.decision == "finished") {
      result = std::string(absl::StatusCodeToString(r.result.code()));
      if (!r.result.message().empty()) {
        absl::StrAppend(&result, ": ", r.result.message());
      }
    }
    absl::StrAppend(
        &out, "<tr><td>", LocalOrDash(month, r.at), "</td><td>", Esc(r.service),
        " / ", Esc(r.objective), " / ", Esc(r.severity), " (",
        AlertStateName(r.alert_to), ")</td><td>", Esc(r.action), "</td><td>",
        Esc(r.decision), "</td><td>", Esc(r.reason), "</td><td",
        r.decision == "finished" && !r.result.ok() ? " class=\"neg\"" : "", ">",
        Esc(result), "</td><td>", LocalOrDash(month, r.started), "</td><td>",
        LocalOrDash(month, r.finished), "</td></tr>");
  }
  return out + "</tbody></table></section>\n";
}

std::string Dl(const std::vector<std::pair<std::string, std::string>>& kv) {
  std::string out = "<dl class=\"facts\">";
  for (const auto& [k, v] : kv) {
    absl::StrAppend(&out, "<div><dt>", k, "</dt><dd>", v, "</dd></div>");
  }
  out += "</dl>";
  return out;
}

constexpr absl::string_view kCss = R"css(
:root{--ink:#1f2933;--muted:#616e7c;--line:#dde3ea;--head:#f1f4f8;--ok:#2f855a;--bad:#c53030;--navy:#1d3557}
*{box-sizing:border-box;-webkit-print-color-adjust:exact;print-color-adjust:exact}
html,body{margin:0;padding:0}
body{background:#f4f6f9;color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Liberation Sans","DejaVu Sans",sans-serif}
header.top{background:var(--navy);color:#fff;padding:26px 40px 22px}
header.top .eyebrow{font-size:12px;letter-spacing:.08em;text-transform:uppercase;opacity:.75}
header.top h1{margin:4px 0 8px;font-size:27px;font-weight:650}
header.top .meta{display:flex;flex-wrap:wrap;gap:6px 28px;font-size:13px;opacity:.92}
header.top .meta b{font-weight:600}
main{max-width:1080px;margin:0 auto;padding:22px 28px 40px}
section.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:18px 22px 20px;margin:0 0 18px}
h2{font-size:19px;margin:0 0 12px;color:var(--navy)}
h3{font-size:16px;margin:0 0 10px;display:flex;flex-wrap:wrap;align-items:center;gap:8px}
h4{font-size:13px;margin:16px 0 6px;color:#3e4c59;text-transform:uppercase;letter-spacing:.04em}
p{margin:6px 0}
.muted,figcaption{color:var(--muted)}
figcaption{font-size:12px;margin:4px 0 6px}
code{font-family:"DejaVu Sans Mono","Liberation Mono",Menlo,Consolas,monospace;font-size:12.5px;background:#f1f4f8;padding:1px 4px;border-radius:3px}
table{border-collapse:collapse;width:100%;font-size:13px;margin:4px 0 8px}
caption{text-align:left;font-size:12px;color:var(--muted);padding:2px 0 4px}
table.summary td:first-child{white-space:nowrap}
table.summary td:last-child{overflow-wrap:anywhere;min-width:8em}
th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:var(--head);font-weight:600;color:#334e68;font-size:12px}
.n{text-align:right;font-variant-numeric:tabular-nums}
td.n{white-space:nowrap}
td.neg{color:var(--bad);font-weight:600}
tr.unconf td:first-child{box-shadow:inset 3px 0 0 #e0a526}
.badge{display:inline-block;padding:1px 9px;border-radius:10px;font-size:12px;font-weight:600;white-space:nowrap}
.badge.met{background:#e1f3e8;color:#1e6b40}
.badge.breached{background:#fde2e2;color:#9b1c1c}
.badge.none{background:#eceff3;color:#52606d}
.badge.warn{background:#fff1cc;color:#7a4d00;border:1px solid #f0c36d}
.badge.owner{background:#eceff3;color:#3e4c59;font-weight:500}
.cstat{font-size:12px;color:var(--muted)}
div.unconfirmed{margin-top:3px;font-size:12px;color:#7a4d00}
.callout{border:1px solid #f0c36d;background:#fff8e1;border-radius:6px;padding:8px 12px;margin:8px 0 12px;font-size:13px}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;margin:0 0 14px}
.kpi{border:1px solid var(--line);border-radius:8px;padding:10px 14px;background:#fbfcfd}
.kpi b{display:block;font-size:22px;font-weight:650;font-variant-numeric:tabular-nums}
.kpi span{font-size:12px;color:var(--muted)}
.kpi.bad b{color:var(--bad)}.kpi.ok b{color:var(--ok)}.kpi.warn b{color:#9a6400}
dl.facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:8px 14px;margin:6px 0 10px}
dl.facts div{border-left:3px solid var(--line);padding-left:8px}
dt{font-size:11.5px;color:var(--muted)}dd{margin:0;font-weight:600;font-variant-numeric:tabular-nums}
figure{margin:12px 0 6px;break-inside:avoid;page-break-inside:avoid}
svg{max-width:100%;height:auto;display:block;break-inside:avoid;page-break-inside:avoid}
svg.daily,svg.burn,svg.timeline{width:100%}
svg text{font-family:inherit}
svg .ax{font-size:10px;fill:#616e7c}
svg .off{font-size:9px;font-weight:700;fill:#c53030}
svg .ref{font-size:10.5px;fill:#1f2933;font-weight:600}
svg .lbl{font-size:12px;fill:#1f2933}
svg .muted-t{font-size:11px;fill:#9aa5b1;font-style:italic}
svg .cname{font-size:12.5px;font-weight:600;fill:#1f2933}
svg .csub{font-size:10.5px;fill:#52606d}
svg .glabel{font-size:11px;font-weight:600;fill:#52606d}
table.cal{table-layout:fixed;font-size:12px}
table.cal td{text-align:right;font-variant-numeric:tabular-nums;padding:4px 6px;border:1px solid #fff}
table.cal th{text-align:center}
table.cal td .d{float:left;color:#9aa5b1;font-size:11px}
table.cal td.ok{background:#eef7f1}
table.cal td.low{background:#fde8e8;color:#9b1c1c;font-weight:600}
table.cal td.nodata{background:#f5f6f8;color:#9aa5b1}
table.cal td.pad{background:transparent}
table.legend{width:auto;min-width:60%}
.sw{display:inline-block;width:14px;height:4px;border-radius:2px;margin:0 8px 3px 0;vertical-align:middle}
.swb{display:inline-block;width:14px;height:12px;border-radius:3px;margin:0 6px -2px 14px;border:1.5px solid}
.legendline{font-size:12px;color:var(--muted);margin:4px 0}
.two{display:grid;grid-template-columns:1fr 1fr;gap:0 22px;align-items:start}
footer{max-width:1080px;margin:0 auto;padding:0 28px 30px;font-size:12px;color:var(--muted)}
@page{size:A4;margin:12mm}
@media print{
body{background:#fff;font-size:10pt}
table{font-size:8pt}
th,td{padding:3px 4px}
th{font-size:7.5pt}
code{font-size:7.5pt}
.badge{padding:0 5px;font-size:7.5pt}
header.top{padding:14px 18px 12px}
main{max-width:none;padding:12px 0 0}
section.card{border:1px solid var(--line);padding:10px 12px;margin:0 0 12px;break-inside:auto}
h2,h3,h4{break-after:avoid;page-break-after:avoid}
figure,svg,table.cal,.kpis,dl.facts,tr,.callout{break-inside:avoid;page-break-inside:avoid}
section.service,section.app{break-before:page;page-break-before:always}
footer{padding:0}
}
@media (max-width:760px){.two{grid-template-columns:1fr}}
)css";

}  // namespace

std::string RenderReportHtml(const MonthlyReport& report) {
  Month month;
  month.period = report.period;
  if (!absl::LoadTimeZone(report.timezone, &month.zone)) {
    month.zone = absl::UTCTimeZone();
  }
  absl::CivilMonth civil_month;
  if (report.month.size() == 7 &&
      absl::ParseCivilTime(report.month, &civil_month)) {
    month.has_month = true;
    month.first = absl::CivilDay(civil_month);
  }
  size_t days = 0;
  for (const ServiceReport& s : report.services) {
    days = std::max(days, s.daily.size());
  }
  for (const ApplicationReport& a : report.applications) {
    days = std::max(days, a.daily.size());
  }

  // Totals for the summary cards.
  int contracts = 0, met = 0, incidents = 0, unconfirmed = 0, pages = 0,
      tickets = 0;
  int64_t downtime = 0;
  for (const ServiceReport& s : report.services) {
    if (!s.catalog_note.empty()) ++unconfirmed;
    for (const AlertEpisode& a : s.alerts) {
      ++(a.severity == "page" ? pages : tickets);
    }
    if (!s.result) continue;
    ++contracts;
    met += s.result->met;
    incidents += static_cast<int>(s.result->incidents.size());
    downtime += s.result->downtime_minutes;
  }

  const std::string title =
      absl::StrCat("SLA compliance report, ", report.month);
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
      "charset=\"utf-8\">\n<meta name=\"viewport\" "
      "content=\"width=device-width, initial-scale=1\">\n<meta "
      "name=\"generator\" content=\"slakit\">\n<title>",
      Esc(title), "</title>\n<style>", kCss, "</style>\n</head>\n<body>\n");

  // ---- header
  absl::StrAppend(
      &out,
      "<header class=\"top\"><div class=\"eyebrow\">Service level "
      "report</div><h1>",
      Esc(title), "</h1><div class=\"meta\"><span><b>Month</b> ",
      Esc(report.month), "</span><span><b>Time zone</b> ", Esc(report.timezone),
      "</span><span><b>Period</b> ", Esc(month.Local(report.period.from)),
      " to ", Esc(month.Local(report.period.to)), " (",
      Esc(TimeToString(report.period.from)), " to ",
      Esc(TimeToString(report.period.to)),
      ")</span><span><b>Provider catalog</b> ", Esc(report.catalog_version),
      "</span></div></header>\n<main>\n");

  // ---- summary
  out += "<section class=\"card\" id=\"summary\"><h2>Summary</h2>";
  absl::StrAppend(
      &out, "<div class=\"kpis\"><div class=\"kpi",
      contracts > 0 && met == contracts ? " ok"
                                        : (met < contracts ? " bad" : ""),
      "\"><b>", met, " / ", contracts,
      "</b><span>contracts met</span></div><div class=\"kpi",
      incidents > 0 ? " bad" : "", "\"><b>", incidents,
      "</b><span>contract incidents</span></div><div class=\"kpi\"><b>",
      downtime, " min</b><span>contract downtime</span></div><div class=\"kpi",
      unconfirmed > 0 ? " warn" : "", "\"><b>", unconfirmed,
      "</b><span>services with terms not confirmed</span></div><div "
      "class=\"kpi",
      pages > 0 ? " bad" : (tickets > 0 ? " warn" : ""), "\"><b>", pages, " / ",
      tickets, "</b><span>alerts (page / ticket)</span></div></div>");
  out +=
      "<table class=\"summary\"><caption>Provider contracts: uptime as each "
      "contract defines it, over the month</caption><thead><tr><th>service</"
      "th><th>owner</th><th class=\"n\">commitment</th><th "
      "class=\"n\">uptime</th><th class=\"n\">down / counted "
      "intervals</th><th class=\"n\">downtime</th><th>status</th><th "
      "class=\"n\">credit</th><th>catalog</th></tr></thead><tbody>";
  for (const ServiceReport& s : report.services) {
    absl::StrAppend(&out, "<tr",
                    s.catalog_note.empty() ? "" : " class=\"unconf\"", "><td>",
                    Esc(s.name), "</td><td>", OwnerName(s.owner), "</td>");
    if (!s.result) {
      absl::StrAppend(&out,
                      "<td class=\"n\">-</td><td class=\"n\">-</td><td "
                      "class=\"n\">-</td><td class=\"n\">-</td><td>",
                      MetBadge(s), "</td><td class=\"n\">-</td><td>",
                      CatalogCell(s), "</td></tr>");
      continue;
    }
    const ContractResult& c = *s.result;
    absl::StrAppend(&out, "<td class=\"n\">",
                    FormatDouble(s.contract->commitment_percent),
                    "%</td><td class=\"n\">", Percent(c.uptime_percent),
                    "%</td><td class=\"n\">", c.down_intervals, " / ",
                    c.counted_intervals(), "</td><td class=\"n\">",
                    c.downtime_minutes, " min</td><td>", MetBadge(s),
                    "</td><td class=\"n\">", FormatDouble(c.credit_percent),
                    "%</td><td>", CatalogCell(s), "</td></tr>");
  }
  out += "</tbody></table>";
  if (unconfirmed > 0) {
    out +=
        "<p class=\"callout\"><span class=\"badge warn\">\xE2\x9A\xA0 not "
        "confirmed</span> Catalog terms marked \"not confirmed\" were not "
        "read in the provider's own SLA text; check them before claiming a "
        "credit.</p>";
  }
  bool any_objectives = false;
  for (const ServiceReport& s : report.services) {
    any_objectives |= !s.objectives.empty();
  }
  for (const ApplicationReport& a : report.applications) {
    any_objectives |= !a.objectives.empty();
  }
  if (any_objectives) {
    out +=
        "<h4>Objectives</h4><table class=\"objectives\"><thead><tr><th>"
        "service / application</th><th>objective</th><th "
        "class=\"n\">target</th><th>window</th><th "
        "class=\"n\">budgeting</th><th class=\"n\">good / total</th><th "
        "class=\"n\">availability</th><th class=\"n\">budget "
        "remaining</th></tr></thead><tbody>";
    for (const ServiceReport& s : report.services) {
      out += ObjectiveRows(s.name, s.objectives);
    }
    for (const ApplicationReport& a : report.applications) {
      out += ObjectiveRows(a.name, a.objectives);
    }
    out += "</tbody></table>";
  }
  out += "</section>\n";

  // ---- incident timeline
  absl::StrAppend(&out,
                  "<section class=\"card\" id=\"timeline\"><h2>Incident "
                  "timeline</h2><figure>",
                  TimelineSvg(report, month, days),
                  "<figcaption>One row per service across the month (days in ",
                  Esc(report.timezone),
                  "); each red span is a contract incident, a run of down "
                  "intervals. The longest are listed with each service "
                  "below.</figcaption></figure></section>\n");

  // ---- alerts and remediation runs
  out += AlertsSection(report, month);
  out += RemediationSection(report, month);

  // ---- services
  constexpr size_t kListedIncidents = 15;
  for (size_t k = 0; k < report.services.size(); ++k) {
    const ServiceReport& s = report.services[k];
    const Reference ref = ServiceReference(s);
    absl::StrAppend(&out, "<section class=\"card service\" id=\"service-", k,
                    "\"><h3>", Esc(s.name), " <span class=\"badge owner\">",
                    OwnerName(s.owner), "</span> ", MetBadge(s), "</h3>");
    if (!s.catalog_note.empty()) {
      absl::StrAppend(
          &out,
          "<p class=\"callout\"><span class=\"badge warn\">\xE2\x9A\xA0 not "
          "confirmed</span> Catalog entry <code>",
          Esc(s.catalog_id), "</code>: ", Esc(s.catalog_note),
          ". These terms were not read in the provider's own SLA text; check "
          "them before claiming a credit.</p>");
    }
    std::vector<std::pair<std::string, std::string>> facts;
    if (s.result) {
      const ContractResult& c = *s.result;
      facts = {
          {"commitment",
           absl::StrCat(FormatDouble(s.contract->commitment_percent), "%")},
          {"uptime", absl::StrCat(Percent(c.uptime_percent), "%")},
          {"down / counted intervals",
           absl::StrCat(c.down_intervals, " / ", c.counted_intervals())},
          {"downtime", absl::StrCat(c.downtime_minutes, " min")},
          {"incidents", absl::StrCat(c.incidents.size())},
          {"credit", absl::StrCat(FormatDouble(c.credit_percent), "%")},
          {"interval / method",
           absl::StrCat(DurationToString(s.contract->interval), " / ",
                        DowntimeMethodName(c.method))},
          {"excluded (maintenance, no data)",
           absl::StrCat(c.excluded_intervals, " (", c.maintenance_intervals,
                        ", ", c.no_data_intervals, ")")},
      };
    } else {
      facts = {{"contract", "none"}};
    }
    facts.push_back({"probe results good / total",
                     absl::StrCat(s.month.good, " / ", s.month.total)});
    facts.push_back({"results availability",
                     s.month.total == 0
                         ? std::string("no data")
                         : absl::StrCat(Percent(100 * s.month.ratio()), "%")});
    out += Dl(facts);

    absl::StrAppend(&out, "<h4>Daily availability</h4><figure>",
                    DailyBarsSvg(s.name, s.daily, ref, "results", month),
                    "<figcaption>Probe results good per day (",
                    Esc(report.timezone), "); days without results are gaps",
                    ref.set ? absl::StrCat("; dashed line: ", Esc(ref.label),
                                           "; red bars fall below it")
                            : "",
                    ".</figcaption></figure>",
                    DailyTable(s.name, s.daily, ref, month));

    std::vector<BurnSeries> burn;
    for (const ObjectiveReport& o : s.objectives) {
      BurnSeries b;
      if (MakeBurn(absl::StrCat("objective ", o.name), "results",
                   o.target_percent, s.daily, &b)) {
        burn.push_back(std::move(b));
      }
    }
    if (s.contract) {
      BurnSeries b;
      if (ContractBurn(s, month, s.daily.size(), &b) ||
          MakeBurn("commitment, on probe results", "results",
                   s.contract->commitment_percent, s.daily, &b)) {
        burn.push_back(std::move(b));
      }
    }
    absl::StrAppend(
        &out, "<h4>Error-budget burn-down</h4>",
        BurnFigure(s.name, burn, s.daily.size(),
                   "Budget left after each day of the month. Objectives: 1 - "
                   "cumulative bad results / (allowed fraction x cumulative "
                   "results), on the month's probe results (each objective's "
                   "own window is in the summary). Contract: 1 - downtime so "
                   "far / the month's allowed downtime ((1 - commitment) x "
                   "counted minutes); below 0 % the commitment is missed."));

    if (s.result && !s.result->incidents.empty()) {
      std::vector<Incident> longest = s.result->incidents;
      std::stable_sort(longest.begin(), longest.end(),
                       [](const Incident& a, const Incident& b) {
                         return a.minutes > b.minutes;
                       });
      const size_t shown = std::min(longest.size(), kListedIncidents);
      absl::StrAppend(
          &out, "<h4>Incidents</h4><p>", longest.size(), " incidents, ",
          s.result->downtime_minutes, " minutes down",
          longest.size() > shown ? absl::StrCat("; the ", shown, " longest")
                                 : std::string(),
          ".</p><table class=\"incidents\"><thead><tr><th>start (",
          Esc(report.timezone),
          ")</th><th>end</th><th "
          "class=\"n\">minutes</th><th class=\"n\">intervals</th></tr>"
          "</thead><tbody>");
      for (size_t i = 0; i < shown; ++i) {
        absl::StrAppend(&out, "<tr><td>", month.Local(longest[i].span.from),
                        "</td><td>", month.Local(longest[i].span.to),
                        "</td><td class=\"n\">", longest[i].minutes,
                        "</td><td class=\"n\">", longest[i].intervals,
                        "</td></tr>");
      }
      out += "</tbody></table>";
    }
    out += "</section>\n";
  }

  // ---- applications
  for (size_t k = 0; k < report.applications.size(); ++k) {
    const ApplicationReport& a = report.applications[k];
    const Reference ref = ApplicationReference(a);
    absl::StrAppend(&out, "<section class=\"card app\" id=\"app-", k, "\"><h3>",
                    Esc(a.name),
                    " <span class=\"badge owner\">application</span></h3>",
                    "<p>Components: <code>", Esc(a.expression), "</code></p>");
    out += Dl({
        {"theoretical SLA",
         a.theoretical_sla_percent
             ? absl::StrCat(Percent(*a.theoretical_sla_percent), "%")
             : absl::StrCat("- (", Esc(a.theoretical_note), ")")},
        {"observed availability",
         absl::StrCat(Percent(a.observed_availability_percent), "%")},
        {"up / down minutes",
         absl::StrCat(a.up_minutes, " / ", a.down_minutes)},
        {"no-data minutes", absl::StrCat(a.no_data_minutes, " of ", a.minutes)},
        {"down minutes: provider / application / mixed",
         absl::StrCat(a.provider.exclusive_intervals, " / ",
                      a.application.exclusive_intervals, " / ",
                      a.mixed_owner_intervals)},
    });
    absl::StrAppend(
        &out, "<h4>Composite diagram</h4><figure class=\"diagram\">",
        DiagramSvg(a, report),
        "<figcaption>Boxes in a row are all needed (all_of); stacked boxes "
        "in a dashed group are alternatives (any_of, or k of n). Box colour: "
        "owner.<span class=\"swb\" style=\"background:#e6effa;border-color:"
        "#2b6cb0\"></span>provider<span class=\"swb\" "
        "style=\"background:#f0eafb;border-color:#6b46c1\"></span>"
        "application</figcaption></figure>");

    out +=
        "<h4>Who caused the down minutes</h4><div class=\"two\"><table "
        "class=\"attribution\"><thead><tr><th>component</th><th>owner</"
        "th><th class=\"n\">down minutes</th><th class=\"n\">caused "
        "alone</th><th class=\"n\">shared</th></tr></thead><tbody>";
    for (const ComponentReport& c : a.components) {
      absl::StrAppend(&out, "<tr><td>", Esc(c.name), "</td><td>",
                      OwnerName(c.owner), "</td><td class=\"n\">",
                      c.down_minutes, "</td><td class=\"n\">", c.sole_intervals,
                      "</td><td class=\"n\">", c.shared_intervals,
                      "</td></tr>");
    }
    absl::StrAppend(
        &out,
        "</tbody></table><table class=\"owners\"><thead><tr><th>owner</th>"
        "<th class=\"n\">sole</th><th class=\"n\">shared</th><th "
        "class=\"n\">exclusive</th></tr></thead><tbody><tr><td>provider</"
        "td><td class=\"n\">",
        a.provider.sole_intervals, "</td><td class=\"n\">",
        a.provider.shared_intervals, "</td><td class=\"n\">",
        a.provider.exclusive_intervals,
        "</td></tr><tr><td>application</td><td class=\"n\">",
        a.application.sole_intervals, "</td><td class=\"n\">",
        a.application.shared_intervals, "</td><td class=\"n\">",
        a.application.exclusive_intervals,
        "</td></tr><tr><td>mixed (both owners)</td><td></td><td></td><td "
        "class=\"n\">",
        a.mixed_owner_intervals,
        "</td></tr><tr><td>unattributed</td><td></td><td></td><td "
        "class=\"n\">",
        a.unattributed_intervals,
        "</td></tr></tbody></table></div><p class=\"legendline\">Minutes of "
        "the month. Exclusive: down minutes whose every cause belongs to "
        "that owner; mixed: causes of both.</p>");

    if (!a.objectives.empty()) {
      out +=
          "<table class=\"objcause\"><thead><tr><th>objective</th><th>"
          "evaluated</th><th class=\"n\">provider min</th><th "
          "class=\"n\">application min</th><th class=\"n\">mixed "
          "min</th></tr></thead><tbody>";
      for (const ObjectiveReport& o : a.objectives) {
        absl::StrAppend(&out, "<tr><td>", Esc(o.name), "</td><td>",
                        month.Local(o.evaluated.from), " to ",
                        month.Local(o.evaluated.to), "</td><td class=\"n\">",
                        o.provider_minutes, "</td><td class=\"n\">",
                        o.application_minutes, "</td><td class=\"n\">",
                        o.mixed_minutes, "</td></tr>");
      }
      out += "</tbody></table>";
    }

    absl::StrAppend(
        &out, "<h4>Daily availability</h4><figure>",
        DailyBarsSvg(a.name, a.daily, ref, "minutes", month),
        "<figcaption>Composite minutes up per day; minutes without data are "
        "left out, days without any are gaps",
        ref.set ? absl::StrCat("; dashed line: ", Esc(ref.label)) : "",
        ".</figcaption></figure>", DailyTable(a.name, a.daily, ref, month));

    std::vector<BurnSeries> burn;
    for (const ObjectiveReport& o : a.objectives) {
      BurnSeries b;
      if (MakeBurn(absl::StrCat("objective ", o.name), "min", o.target_percent,
                   a.daily, &b)) {
        burn.push_back(std::move(b));
      }
    }
    if (burn.empty() && a.theoretical_sla_percent) {
      BurnSeries b;
      if (MakeBurn("theoretical SLA", "min", *a.theoretical_sla_percent,
                   a.daily, &b)) {
        burn.push_back(std::move(b));
      }
    }
    absl::StrAppend(
        &out, "<h4>Error-budget burn-down</h4>",
        BurnFigure(a.name, burn, a.daily.size(),
                   "Budget left after each day: 1 - cumulative down minutes / "
                   "(allowed fraction x cumulative minutes with data), over "
                   "the calendar month."),
        "</section>\n");
  }

  absl::StrAppend(
      &out,
      "</main>\n<footer>Generated by slakit from integer counts over "
      "half-open intervals; provider catalog ",
      Esc(report.catalog_version),
      ". Uptime, incidents and credits follow each contract's own "
      "definition; daily charts and burn-downs use the probe results (or "
      "the composite's minutes) per calendar day in ",
      Esc(report.timezone), ".</footer>\n</body>\n</html>\n");
  return out;
}

}  // namespace sla
