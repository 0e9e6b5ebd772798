// Tests of RenderReportHtml on reports built by hand (no engine).
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sla/alerting.h"
#include "sla/composite.h"
#include "sla/contract.h"
#include "sla/internal/json_writer.h"
#include "sla/objective.h"
#include "sla/remediation.h"
#include "sla/report.h"

namespace sla {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr absl::string_view kOddName = "we<b>&\"x'";
constexpr absl::string_view kOddNameEscaped = "we&lt;b&gt;&amp;&quot;x&#39;";
constexpr absl::string_view kNote = "partial; not confirmed: credits";

absl::Time Jan(int day, int hour, int minute) {
  return absl::FromCivil(absl::CivilSecond(2024, 1, day, hour, minute, 0),
                         absl::UTCTimeZone());
}

Incident MakeIncident(absl::Time from, int64_t minutes) {
  Incident i;
  i.span = {from, from + absl::Minutes(minutes)};
  i.minutes = minutes;
  i.intervals = minutes;
  return i;
}

int DaysWithData(const std::vector<Counts>& daily) {
  int n = 0;
  for (const Counts& c : daily) n += c.total > 0;
  return n;
}

// Two services (one with a contract and incidents, one not confirmed from
// the provider's text whose name needs escaping) and one application
// all_of(a, any_of(b, c)).
MonthlyReport SampleReport() {
  MonthlyReport r;
  r.month = "2024-01";
  r.timezone = "UTC";
  r.period = {Jan(1, 0, 0), Jan(1, 0, 0) + absl::Hours(24 * 31)};
  r.catalog_version = "2024.06";

  ServiceReport web;
  web.name = "web-api";
  web.owner = Owner::kProvider;
  ContractSpec spec;
  spec.commitment_percent = 99.95;
  spec.credits = {{99.95, 10}, {99, 25}};
  web.contract = spec;
  ContractResult res;
  res.period = r.period;
  res.intervals = 44640;
  res.excluded_intervals = 60;
  res.maintenance_intervals = 60;
  res.down_intervals = 55;
  res.downtime_minutes = 55;
  res.uptime_percent = 100.0 * (44580 - 55) / 44580;
  res.met = false;
  res.credit_percent = 10;
  res.incidents = {MakeIncident(Jan(3, 10, 0), 20),
                   MakeIncident(Jan(15, 2, 30), 5),
                   MakeIncident(Jan(28, 23, 0), 30)};
  web.result = res;
  web.catalog_id = "azure/app-service";
  web.catalog_status = "confirmed";
  ObjectiveReport avail;
  avail.name = "availability";
  avail.target_percent = 99.9;
  avail.window = "30d";
  avail.evaluated = {Jan(2, 0, 0), Jan(1, 0, 0) + absl::Hours(24 * 31)};
  avail.budget.good = 86000;
  avail.budget.total = 86400;
  avail.budget.bad = 400;
  avail.budget.availability = 86000.0 / 86400;
  avail.budget.allowed_bad = 86.4;
  avail.budget.consumed = 400 / 86.4;
  avail.budget.remaining = 1 - 400 / 86.4;
  web.objectives = {avail};
  for (int d = 0; d < 31; ++d) {
    if (d == 9 || d == 10) {
      web.daily.push_back(Counts{});  // no data
    } else {
      web.daily.push_back(Counts{2880 - (d % 4 == 0 ? 6 : 0), 2880});
    }
  }
  for (const Counts& c : web.daily) web.month += c;

  ServiceReport odd;
  odd.name = std::string(kOddName);
  odd.owner = Owner::kApplication;
  odd.catalog_id = "aws/lambda";
  odd.catalog_status = "partial";
  odd.catalog_note = std::string(kNote);
  for (int d = 0; d < 31; ++d) {
    odd.daily.push_back(d < 5 ? Counts{1440 - d, 1440} : Counts{});
  }
  for (const Counts& c : odd.daily) odd.month += c;

  // A page on web-api, resolved; a ticket on the odd service, still firing
  // at the month's end and already firing when the replay started.
  AlertEpisode page;
  page.objective = "availability";
  page.severity = "page";
  page.started = Jan(3, 10, 5);
  page.resolved = Jan(3, 10, 35);
  page.duration = absl::Minutes(30);
  page.evidence.tier = {"page", absl::Hours(1), absl::Minutes(5), 14.4};
  page.evidence.long_rate = 250.0 / 3;
  page.evidence.short_rate = 1000;
  page.budget_remaining = -0.25;
  page.peak_long_rate = 333.5;
  page.peak_short_rate = 1000;
  web.alerts = {page};
  AlertEpisode ticket = page;
  ticket.objective = "<lat>";
  ticket.severity = "ticket";
  ticket.started = Jan(29, 0, 0);
  ticket.resolved.reset();
  ticket.started_before_replay = true;
  ticket.duration = r.period.to - ticket.started;
  ticket.evidence.tier = {"ticket", absl::Hours(24), absl::Hours(2), 3};
  ticket.evidence.long_rate = 3.5;
  ticket.evidence.short_rate = 4;
  ticket.budget_remaining = 0.5;
  ticket.peak_long_rate = 3.5;
  ticket.peak_short_rate = 4.25;
  odd.alerts = {ticket};

  r.services = {web, odd};

  AuditRecord run;
  run.seq = 7;
  run.at = Jan(3, 10, 5);
  run.service = "web-api";
  run.objective = "availability";
  run.severity = "page";
  run.action = "fail<over>";
  run.alert_to = AlertState::kFiring;
  run.decision = "run";
  run.reason = "alert entered firing";
  AuditRecord done = run;
  done.seq = 8;
  done.at = Jan(3, 10, 6);
  done.decision = "finished";
  done.reason = "failed after 60s";
  done.started = Jan(3, 10, 5);
  done.finished = Jan(3, 10, 6);
  done.result = absl::DeadlineExceededError("timed out & killed");
  r.remediation = {run, done};

  ApplicationReport app;
  app.name = "shop";
  app.expression = "all_of(a, any_of(b, c))";
  app.theoretical_sla_percent = 99.949990005;
  app.minutes = 44640;
  app.up_minutes = 44500;
  app.down_minutes = 40;
  app.no_data_minutes = 100;
  app.observed_availability_percent = 100.0 * 44500 / 44540;
  app.components = {{"a", Owner::kApplication, 25, 25, 0},
                    {"b", Owner::kProvider, 30, 0, 15},
                    {"c", Owner::kProvider, 15, 0, 15}};
  app.application = {25, 0, 25};
  app.provider = {0, 15, 15};
  ObjectiveReport app_obj = avail;
  app_obj.target_percent = 99.5;
  app_obj.window = "month";
  app_obj.provider_minutes = 15;
  app_obj.application_minutes = 25;
  app.objectives = {app_obj};
  for (int d = 0; d < 31; ++d) {
    app.daily.push_back(d == 20 ? Counts{}
                                : Counts{1440 - (d == 3 ? 40 : 0), 1440});
  }
  r.applications = {app};
  return r;
}

int Count(absl::string_view text, absl::string_view what) {
  int n = 0;
  for (size_t pos = text.find(what); pos != absl::string_view::npos;
       pos = text.find(what, pos + what.size())) {
    ++n;
  }
  return n;
}

// The text from the first `open` at or after `from` to the next `close`
// (inclusive); "" when absent.
std::string Between(absl::string_view text, absl::string_view open,
                    absl::string_view close, size_t from = 0) {
  const size_t a = text.find(open, from);
  if (a == absl::string_view::npos) return "";
  const size_t b = text.find(close, a + open.size());
  if (b == absl::string_view::npos) return "";
  return std::string(text.substr(a, b + close.size() - a));
}

// The <section> with this id.
std::string Section(absl::string_view html, absl::string_view id) {
  const size_t at = html.find(absl::StrCat("id=\"", id, "\""));
  if (at == absl::string_view::npos) return "";
  const size_t open = html.rfind("<section", at);
  return Between(html, "<section", "</section>", open);
}

// Every <svg ...> element of `html`.
std::vector<std::string> Svgs(absl::string_view html,
                              absl::string_view cls = "") {
  std::vector<std::string> out;
  const std::string open =
      cls.empty() ? std::string("<svg") : absl::StrCat("<svg class=\"", cls);
  for (size_t pos = html.find(open); pos != absl::string_view::npos;
       pos = html.find(open, pos + 1)) {
    out.push_back(Between(html, "<svg", "</svg>", pos));
  }
  return out;
}

// The visible text: tags removed (entities left as they are).
std::string VisibleText(absl::string_view html) {
  std::string out;
  bool in_tag = false;
  for (char c : html) {
    if (c == '<') {
      in_tag = true;
    } else if (c == '>') {
      in_tag = false;
      out += ' ';
    } else if (!in_tag) {
      out += c;
    }
  }
  return out;
}

TEST(ReportHtmlTest, SelfContainedDocument) {
  const std::string html = RenderReportHtml(SampleReport());
  EXPECT_THAT(html, StartsWith("<!DOCTYPE html>"));
  EXPECT_THAT(html, HasSubstr("<meta charset=\"utf-8\">"));
  EXPECT_THAT(html, HasSubstr("<style>"));
  EXPECT_THAT(html, HasSubstr("@media print"));
  EXPECT_THAT(html, HasSubstr("print-color-adjust:exact"));
  EXPECT_THAT(html, HasSubstr("break-inside:avoid"));
  EXPECT_TRUE(absl::EndsWith(html, "</html>\n"));
  for (absl::string_view banned :
       {"<script", "<link", "http://", "https://", "url(", "@import", "<iframe",
        "<img", "<object", "<embed", " on", "javascript:"}) {
    if (banned == " on") {
      // No event handler attributes (onload=, onclick=, ...).
      for (absl::string_view attr : {" onload=", " onclick=", " onerror="}) {
        EXPECT_THAT(html, Not(HasSubstr(attr)));
      }
      continue;
    }
    EXPECT_THAT(html, Not(HasSubstr(banned))) << banned;
  }
  // Balanced containers.
  for (const auto& [open, close] :
       std::vector<std::pair<std::string, std::string>>{
           {"<svg", "</svg>"},
           {"<section", "</section>"},
           {"<table", "</table>"},
           {"<figure", "</figure>"},
           {"<tr", "</tr>"},
           {"<text", "</text>"},
           {"<title>", "</title>"}}) {
    EXPECT_EQ(Count(html, open), Count(html, close)) << open;
  }
}

TEST(ReportHtmlTest, HeaderHasMonthZoneAndPeriod) {
  const std::string html = RenderReportHtml(SampleReport());
  EXPECT_THAT(html, HasSubstr("<title>SLA compliance report, 2024-01</title>"));
  EXPECT_THAT(html, HasSubstr("<b>Time zone</b> UTC"));
  EXPECT_THAT(html, HasSubstr("2024-01-01T00:00:00Z to 2024-02-01T00:00:00Z"));
  EXPECT_THAT(html, HasSubstr("2024.06"));
}

TEST(ReportHtmlTest, EscapesNamesEverywhere) {
  const std::string html = RenderReportHtml(SampleReport());
  EXPECT_THAT(html, Not(HasSubstr(kOddName)));
  EXPECT_THAT(html, Not(HasSubstr("we<b>")));
  // In the summary table, the service section title, the timeline, the
  // charts' labels.
  EXPECT_GE(Count(html, kOddNameEscaped), 5);
  EXPECT_THAT(html, HasSubstr(absl::StrCat("<td>", kOddNameEscaped, "</td>")));
  EXPECT_THAT(html,
              HasSubstr(absl::StrCat("aria-label=\"Daily availability of ",
                                     kOddNameEscaped)));
}

TEST(ReportHtmlTest, EscapesExpressionAndCatalogText) {
  MonthlyReport r = SampleReport();
  r.applications[0].name = "a&b";
  r.applications[0].expression = "all_of(\"x<y\", z)";
  r.applications[0].components = {{"x<y", Owner::kProvider, 1, 1, 0},
                                  {"z", Owner::kApplication, 0, 0, 0}};
  r.services[1].catalog_note = "not confirmed: <credits> & \"downtime\"";
  const std::string html = RenderReportHtml(r);
  EXPECT_THAT(html, Not(HasSubstr("x<y")));
  EXPECT_THAT(html, Not(HasSubstr("<credits>")));
  EXPECT_THAT(html, HasSubstr("all_of(&quot;x&lt;y&quot;, z)"));
  EXPECT_THAT(html, HasSubstr("not confirmed: &lt;credits&gt; &amp; "
                              "&quot;downtime&quot;"));
  EXPECT_THAT(html, HasSubstr("<h3>a&amp;b "));
  const std::vector<std::string> diagrams = Svgs(html, "chart diagram");
  ASSERT_EQ(diagrams.size(), 1u);
  EXPECT_EQ(Count(diagrams[0], "<rect"), 2);
}

TEST(ReportHtmlTest, EverySvgIsLabelledForScreenReaders) {
  const std::string html = RenderReportHtml(SampleReport());
  const std::vector<std::string> svgs = Svgs(html);
  // Timeline; per service daily bars (and a burn-down for the one with a
  // budget); per application diagram, daily bars and burn-down.
  EXPECT_EQ(svgs.size(), 1u + 2 + 1 + 3);
  for (const std::string& svg : svgs) {
    const std::string open = svg.substr(0, svg.find('>') + 1);
    EXPECT_THAT(open, HasSubstr(" role=\"img\"")) << open;
    EXPECT_THAT(open, HasSubstr(" aria-label=\"")) << open;
    EXPECT_THAT(open, HasSubstr(" viewBox=\"")) << open;
    EXPECT_THAT(open, Not(HasSubstr("aria-label=\"\""))) << open;
    // The <title> is the first child.
    EXPECT_TRUE(absl::StartsWith(svg.substr(open.size()), "<title>")) << open;
  }
}

TEST(ReportHtmlTest, SummaryTableMatchesMarkdownFormatting) {
  const MonthlyReport r = SampleReport();
  const std::string html = RenderReportHtml(r);
  const std::string table =
      Between(html, "<table class=\"summary\"", "</table>");
  ASSERT_FALSE(table.empty());
  EXPECT_EQ(Count(table, "<tr"), 1 + 2);  // header + one row per service
  const std::string row = Between(table, "<tr><td>web-api</td>", "</tr>");
  ASSERT_FALSE(row.empty()) << table;
  const ContractResult& c = *r.services[0].result;
  // As RenderReportMarkdown writes them.
  const std::string md = RenderReportMarkdown(r);
  const std::string commitment =
      absl::StrCat(internal::FormatDouble(99.95), "%");
  const std::string uptime =
      absl::StrCat(absl::StrFormat("%.4f", c.uptime_percent), "%");
  const std::string intervals =
      absl::StrCat(c.down_intervals, " / ", c.counted_intervals());
  const std::string downtime = absl::StrCat(c.downtime_minutes, " min");
  const std::string credit =
      absl::StrCat(internal::FormatDouble(c.credit_percent), "%");
  EXPECT_EQ(uptime, "99.8766%");
  EXPECT_EQ(intervals, "55 / 44580");
  for (const std::string& cell :
       {commitment, uptime, intervals, downtime, credit}) {
    EXPECT_THAT(row, HasSubstr(absl::StrCat(">", cell, "</td>"))) << cell;
    EXPECT_THAT(md, HasSubstr(absl::StrCat(" ", cell, " |"))) << cell;
  }
  EXPECT_THAT(row, HasSubstr("<td>provider</td>"));
  EXPECT_THAT(row, HasSubstr(">breached</span>"));
  EXPECT_THAT(row, HasSubstr("<code>azure/app-service</code>"));
  EXPECT_THAT(row, Not(HasSubstr("not confirmed")));
  // The service without a contract: dashes as in the Markdown.
  const std::string odd =
      Between(table, absl::StrCat("<td>", kOddNameEscaped, "</td>"), "</tr>");
  EXPECT_EQ(Count(odd, "<td class=\"n\">-</td>"), 5);
  EXPECT_THAT(odd, HasSubstr(">no contract</span>"));
}

TEST(ReportHtmlTest, NotConfirmedTermsAreVisiblyMarked) {
  const std::string html = RenderReportHtml(SampleReport());
  const std::string table =
      Between(html, "<table class=\"summary\"", "</table>");
  // The row is marked and its catalog cell shows the badge and the note as
  // text (not only in an attribute or a tooltip).
  const std::string row = Between(table, "<tr class=\"unconf\">", "</tr>");
  ASSERT_FALSE(row.empty()) << table;
  EXPECT_THAT(row, HasSubstr(kOddNameEscaped));
  EXPECT_THAT(VisibleText(row), HasSubstr("not confirmed"));
  EXPECT_THAT(VisibleText(row), HasSubstr(kNote));
  EXPECT_EQ(Count(table, "class=\"unconf\""), 1);
  // And again in the service's own section, with the warning.
  const std::string section = Section(html, "service-1");
  EXPECT_THAT(VisibleText(section), HasSubstr(kNote));
  EXPECT_THAT(section, HasSubstr("class=\"callout\""));
  EXPECT_THAT(VisibleText(html),
              HasSubstr("were not read in the provider's own SLA text"));
  // The confirmed service carries no such mark.
  EXPECT_THAT(Section(html, "service-0"), Not(HasSubstr("not confirmed")));
}

TEST(ReportHtmlTest, OneDailyBarChartPerServiceWithOneBarPerDayWithData) {
  const MonthlyReport r = SampleReport();
  const std::string html = RenderReportHtml(r);
  for (size_t k = 0; k < r.services.size(); ++k) {
    const std::string section = Section(html, absl::StrCat("service-", k));
    ASSERT_FALSE(section.empty()) << k;
    const std::vector<std::string> bars = Svgs(section, "chart daily");
    ASSERT_EQ(bars.size(), 1u) << k;
    const int n = DaysWithData(r.services[k].daily);
    EXPECT_EQ(Count(bars[0], "<rect"), n) << k;
    // Days without data are gaps, drawn as a grey tick with a tooltip.
    EXPECT_EQ(Count(bars[0], ": no data</title>"), 31 - n) << k;
    // One text cell per day in the calendar table.
    const std::string cal =
        Between(section, "<table class=\"cal\"", "</table>");
    EXPECT_EQ(Count(cal, "<span class=\"d\">"), 31) << k;
    EXPECT_EQ(Count(cal, "no data</td>"), 31 - n) << k;
  }
  EXPECT_EQ(DaysWithData(r.services[0].daily), 29);
  EXPECT_EQ(DaysWithData(r.services[1].daily), 5);
  // The commitment line, and bars below it in red: days 1, 5, ... lost 6 of
  // 2880 results (99.79 % < 99.95 %).
  const std::string web = Svgs(Section(html, "service-0"), "chart daily")[0];
  EXPECT_THAT(web, HasSubstr(">commitment</text>"));
  EXPECT_THAT(web, HasSubstr(">99.95%</text>"));
  EXPECT_THAT(web, HasSubstr("stroke-dasharray"));
  EXPECT_EQ(Count(web, "fill=\"#c53030\""), 8);
  EXPECT_THAT(web, HasSubstr("<title>2024-01-01: 99.791% (2874 of 2880 "
                             "results good)</title>"));
  // Numbers as text: the calendar repeats the day's value.
  EXPECT_THAT(Section(html, "service-0"),
              HasSubstr("<span class=\"d\">1</span>99.791</td>"));
  EXPECT_THAT(Section(html, "service-1"),
              HasSubstr("<span class=\"d\">2</span>99.930</td>"));
}

// The y coordinates of a polyline's points.
std::vector<double> PolylineYs(absl::string_view polyline) {
  std::vector<double> ys;
  const std::string points = Between(polyline, "points=\"", "\"");
  for (absl::string_view p : absl::StrSplit(
           absl::string_view(points).substr(8, points.size() - 9), ' ')) {
    double y = 0;
    EXPECT_TRUE(absl::SimpleAtod(p.substr(p.find(',') + 1), &y)) << p;
    ys.push_back(y);
  }
  return ys;
}

TEST(ReportHtmlTest, BurnDownPerObjectiveAndContract) {
  const MonthlyReport r = SampleReport();
  const std::string html = RenderReportHtml(r);
  const std::string section = Section(html, "service-0");
  const std::vector<std::string> burn = Svgs(section, "chart burn");
  ASSERT_EQ(burn.size(), 1u);
  // One line for the objective, one for the contract.
  ASSERT_EQ(Count(burn[0], "<polyline"), 2);
  const std::string objective_line = Between(burn[0], "<polyline", ">");
  const std::string contract_line =
      Between(burn[0], "<polyline", ">", burn[0].find("<polyline") + 1);
  // 32 points: the start of the month and the end of every day.
  const std::vector<double> obj = PolylineYs(objective_line);
  EXPECT_EQ(obj.size(), 32u);
  // The objective, on probe results: 48 bad of 83,520 against 0.1 %.
  const ServiceReport& s = r.services[0];
  EXPECT_EQ(s.month.bad(), 48);
  EXPECT_EQ(s.month.total, 83520);
  const double objective = 1 - 48 / (0.001 * 83520);
  EXPECT_THAT(section,
              HasSubstr(absl::StrFormat(">%.1f%%</td>", objective * 100)));
  EXPECT_THAT(section, HasSubstr(">48 / 83520 results</td>"));
  // Day 1 lost 6 of 2880 results: 6 / 2.88 of the budget, below 0 %.
  EXPECT_GT(obj[1], obj[0]);
  // The contract: 55 down minutes of 22.29 allowed (0.05 % of 44,580
  // counted minutes): missed, as the contract says.
  const double contract = 1 - 55 / (0.0005 * 44580);
  EXPECT_THAT(section, HasSubstr(absl::StrFormat(
                           "<td class=\"n neg\">%.1f%%</td>", contract * 100)));
  EXPECT_THAT(section, HasSubstr(">55 / 44580 min</td>"));
  EXPECT_THAT(section, HasSubstr(">22.3 min</td>"));
  EXPECT_THAT(section, HasSubstr("contract downtime allowance"));
  // Spent by the incidents on days 3, 15 and 28 only.
  const std::vector<double> c = PolylineYs(contract_line);
  ASSERT_EQ(c.size(), 32u);
  for (int day = 1; day <= 31; ++day) {
    const bool incident = day == 3 || day == 15 || day == 28;
    if (incident) {
      EXPECT_GT(c[day], c[day - 1]) << day;
    } else {
      EXPECT_EQ(c[day], c[day - 1]) << day;
    }
  }
  // The service without objective or contract has nothing to burn.
  const std::string odd = Section(html, "service-1");
  EXPECT_TRUE(Svgs(odd, "chart burn").empty());
  EXPECT_THAT(odd, HasSubstr("no error budget to burn"));
  // The application burns its objective on its composite minutes.
  const std::vector<std::string> app_burn =
      Svgs(Section(html, "app-0"), "chart burn");
  ASSERT_EQ(app_burn.size(), 1u);
  EXPECT_EQ(Count(app_burn[0], "<polyline"), 1);
  EXPECT_THAT(Section(html, "app-0"), HasSubstr(">40 / 43200 min</td>"));
}

TEST(ReportHtmlTest, IncidentTimelineHasOneRectPerIncident) {
  MonthlyReport r = SampleReport();
  std::string html = RenderReportHtml(r);
  std::vector<std::string> timeline = Svgs(html, "chart timeline");
  ASSERT_EQ(timeline.size(), 1u);
  EXPECT_EQ(Count(timeline[0], "<rect"), 3);
  // One row label per service.
  EXPECT_EQ(Count(timeline[0], "class=\"lbl\""), 2);
  EXPECT_THAT(timeline[0], HasSubstr("no contract"));
  EXPECT_THAT(timeline[0],
              HasSubstr("<title>web-api: 2024-01-03 10:00 to 2024-01-03 "
                        "10:20 (20 min)</title>"));
  // The incidents are listed as text too, longest first.
  const std::string list = Between(Section(html, "service-0"),
                                   "<table class=\"incidents\"", "</table>");
  EXPECT_EQ(Count(list, "<tr>"), 1 + 3);
  EXPECT_LT(list.find("2024-01-28 23:00"), list.find("2024-01-03 10:00"));
  // The rect's x follows the start in the month: Jan 15 02:30 is
  // (14 * 1440 + 150) / 44640 of the way.
  r.services[0].result->incidents = {MakeIncident(Jan(15, 2, 30), 5)};
  html = RenderReportHtml(r);
  timeline = Svgs(html, "chart timeline");
  const double x = 180 + (1000 - 180 - 14) * (14.0 * 1440 + 150) / 44640;
  EXPECT_THAT(timeline[0], HasSubstr(absl::StrFormat("<rect x=\"%.1f\"", x)));
  EXPECT_EQ(Count(timeline[0], "<rect"), 1);
}

TEST(ReportHtmlTest, CompositeDiagramHasOneBoxPerComponentOccurrence) {
  MonthlyReport r = SampleReport();
  std::string html = RenderReportHtml(r);
  const std::string section = Section(html, "app-0");
  std::vector<std::string> diagram = Svgs(section, "chart diagram");
  ASSERT_EQ(diagram.size(), 1u);
  EXPECT_EQ(Count(diagram[0], "<rect"), 3);
  EXPECT_EQ(Count(diagram[0], "<g class=\"comp\">"), 3);
  // any_of is a labelled parallel group; components coloured by owner.
  EXPECT_THAT(diagram[0], HasSubstr(">any 1 of 2</text>"));
  EXPECT_EQ(Count(diagram[0], "stroke=\"#2b6cb0\""), 2);  // b, c: provider
  EXPECT_EQ(Count(diagram[0], "stroke=\"#6b46c1\""), 1);  // a: application
  EXPECT_THAT(diagram[0], HasSubstr(">provider \xC2\xB7 30 min down</text>"));
  // The numbers beside it.
  EXPECT_THAT(section, HasSubstr("99.9500%"));  // theoretical, %.4f
  EXPECT_THAT(section,
              HasSubstr(absl::StrFormat(
                  "%.4f%%", r.applications[0].observed_availability_percent)));
  const std::string attribution =
      Between(section, "<table class=\"attribution\"", "</table>");
  EXPECT_THAT(attribution,
              HasSubstr("<tr><td>b</td><td>provider</td><td class=\"n\">30</"
                        "td><td class=\"n\">0</td><td class=\"n\">15</td>"));
  EXPECT_THAT(section, HasSubstr("<tr><td>application</td><td "
                                 "class=\"n\">25</td>"));
  EXPECT_EQ(Count(Svgs(section, "chart daily")[0], "<rect"), 30);

  // k_of_n with a repeated component: one box per occurrence, "k of n".
  r.applications[0].expression = "all_of(k_of_n(2, a, b, c), any_of(a, c))";
  html = RenderReportHtml(r);
  diagram = Svgs(Section(html, "app-0"), "chart diagram");
  ASSERT_EQ(diagram.size(), 1u);
  EXPECT_EQ(Count(diagram[0], "<rect"), 5);
  EXPECT_THAT(diagram[0], HasSubstr(">2 of 3</text>"));

  // An expression that does not parse: no diagram, the text instead.
  r.applications[0].expression = "all_of(a";
  html = RenderReportHtml(r);
  EXPECT_TRUE(Svgs(Section(html, "app-0"), "chart diagram").empty());
  EXPECT_THAT(Section(html, "app-0"), HasSubstr("could not be read back"));
}

TEST(ReportHtmlTest, AlertsAndRemediationRunsSections) {
  const std::string html = RenderReportHtml(SampleReport());
  const std::string alerts = Section(html, "alerts");
  ASSERT_FALSE(alerts.empty());
  EXPECT_THAT(alerts, HasSubstr("<h2>Alerts</h2>"));
  EXPECT_EQ(Count(alerts, "<tr>"), 3);  // header and two episodes
  EXPECT_THAT(
      alerts,
      HasSubstr("<tr><td>web-api</td><td>availability</td><td><span "
                "class=\"badge breached\">page</span></td><td>2024-01-03 "
                "10:05</td><td>2024-01-03 10:35</td><td class=\"n\">30</td>"
                "<td>1h 83.33 and 5m 1000 &gt; 14.4</td><td class=\"n "
                "neg\">-25.0%</td><td class=\"n\">333.5 / 1000</td></tr>"));
  EXPECT_THAT(
      alerts,
      HasSubstr(absl::StrCat(
          "<tr><td>", kOddNameEscaped,
          "</td><td>&lt;lat&gt;</td><td><span class=\"badge "
          "warn\">ticket</span></td><td>2024-01-29 00:00 (or earlier)</td>"
          "<td>still firing</td><td class=\"n\">4320</td><td>1d 3.5 and 2h 4 "
          "&gt; 3</td><td class=\"n\">50.0%</td><td class=\"n\">3.5 / "
          "4.25</td></tr>")));
  const std::string runs = Section(html, "remediation");
  ASSERT_FALSE(runs.empty());
  EXPECT_THAT(runs, HasSubstr("<h2>Remediation runs</h2>"));
  EXPECT_THAT(runs,
              HasSubstr("<tr><td>2024-01-03 10:05</td><td>web-api / "
                        "availability / page (firing)</td><td>fail&lt;over&gt;"
                        "</td><td>run</td><td>alert entered firing</td><td>-"
                        "</td><td>-</td><td>-</td></tr>"));
  EXPECT_THAT(runs, HasSubstr("<td>finished</td><td>failed after 60s</td><td "
                              "class=\"neg\">DEADLINE_EXCEEDED: timed out "
                              "&amp; killed</td><td>2024-01-03 10:05</td><td>"
                              "2024-01-03 10:06</td></tr>"));
  // Summary card: 1 page / 1 ticket.
  EXPECT_THAT(html, HasSubstr("<div class=\"kpi bad\"><b>1 / 1</b><span>"
                              "alerts (page / ticket)</span></div>"));
  // Both come after the incident timeline, before the services.
  EXPECT_LT(html.find("id=\"timeline\""), html.find("id=\"alerts\""));
  EXPECT_LT(html.find("id=\"remediation\""), html.find("id=\"service-0\""));

  // Without any: the sections say so.
  MonthlyReport quiet = SampleReport();
  for (ServiceReport& s : quiet.services) s.alerts.clear();
  quiet.remediation.clear();
  const std::string q = RenderReportHtml(quiet);
  EXPECT_THAT(Section(q, "alerts"), HasSubstr("<p>None.</p>"));
  EXPECT_THAT(Section(q, "alerts"), Not(HasSubstr("<table")));
  EXPECT_THAT(Section(q, "remediation"), HasSubstr("<p>None.</p>"));
  EXPECT_THAT(q, HasSubstr("<div class=\"kpi\"><b>0 / 0</b>"));
}

TEST(ReportHtmlTest, Deterministic) {
  const MonthlyReport r = SampleReport();
  const std::string a = RenderReportHtml(r);
  const std::string b = RenderReportHtml(r);
  const MonthlyReport copy = r;
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, RenderReportHtml(copy));
}

TEST(ReportHtmlTest, EmptyAndDegenerateReports) {
  MonthlyReport empty;
  empty.month = "2024-02";
  empty.timezone = "Europe/Paris";
  const std::string html = RenderReportHtml(empty);
  EXPECT_THAT(html, StartsWith("<!DOCTYPE html>"));
  EXPECT_EQ(Svgs(html, "chart timeline").size(), 1u);
  EXPECT_EQ(Count(html, "<svg"), Count(html, "</svg>"));

  // An unknown zone and month, days all without data, a bad target.
  MonthlyReport odd = SampleReport();
  odd.month = "someday";
  odd.timezone = "Nowhere/Else";
  odd.services[0].daily.assign(31, Counts{});
  odd.services[0].objectives[0].target_percent = 100;
  const std::string h2 = RenderReportHtml(odd);
  EXPECT_EQ(Count(Svgs(Section(h2, "service-0"), "chart daily")[0], "<rect"),
            0);
  EXPECT_THAT(h2, HasSubstr("day 1: no data"));
  for (absl::string_view bad :
       {">nan", "\"nan", " nan", "-nan", ">inf", "\"inf", " inf", "-inf"}) {
    EXPECT_THAT(h2, Not(HasSubstr(bad))) << bad;
  }
}

}  // namespace
}  // namespace sla
