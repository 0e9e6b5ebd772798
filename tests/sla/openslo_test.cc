#include "sla/openslo.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sla/config.h"

// The OpenSLO files of tests/data/openslo (see SOURCES.md there) are read
// from the working directory: the project root (CMake sets it; Bazel runs
// tests from the runfiles root).

namespace sla {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

constexpr char kData[] = "tests/data/openslo/";

std::string Read(const std::string& name) {
  std::ifstream in(kData + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << kData << name
                         << " (run from the project root)";
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Converts data files together, each named by its file name in messages.
absl::StatusOr<OpenSloImport> Convert(std::vector<std::string> names) {
  std::vector<OpenSloFile> files;
  for (const std::string& n : names) files.push_back({n, Read(n)});
  return ParseOpenSloFiles(files);
}

std::string Joined(const std::vector<std::string>& v) {
  return absl::StrJoin(v, "\n");
}

// The problems of a conversion that must fail, one per line.
std::vector<std::string> Problems(const absl::StatusOr<OpenSloImport>& r) {
  EXPECT_FALSE(r.ok());
  if (r.ok()) return {};
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  return absl::StrSplit(r.status().message(), '\n');
}

const ObjectiveSpec& Obj(const OpenSloImport& im, size_t service,
                         size_t objective) {
  return im.config.services.at(service).objectives.at(objective);
}

const ObjectiveRules& Rules(const OpenSloImport& im, size_t service,
                            size_t objective) {
  return im.config.services.at(service).rules.at(objective);
}

BurnTier Tier(const char* severity, absl::Duration long_window,
              absl::Duration short_window, double factor) {
  BurnTier t;
  t.severity = severity;
  t.long_window = long_window;
  t.short_window = short_window;
  t.factor = factor;
  return t;
}

MATCHER_P(IsTier, expected, "") {
  return arg.severity == expected.severity &&
         arg.long_window == expected.long_window &&
         arg.short_window == expected.short_window &&
         arg.factor == expected.factor;
}

// The rendered slakit.yaml parses back to the same services, objectives
// and rules.
void ExpectRoundTrip(const OpenSloImport& im) {
  const std::string yaml = RenderSlakitYaml(im, {"a.yaml", "b.yaml"});
  absl::StatusOr<Config> back = ParseConfig(yaml, "slakit.yaml");
  ASSERT_TRUE(back.ok()) << back.status() << "\n" << yaml;
  EXPECT_EQ(back->timezone, "UTC");
  ASSERT_EQ(back->services.size(), im.config.services.size()) << yaml;
  for (size_t i = 0; i < im.config.services.size(); ++i) {
    const ServiceConfig& want = im.config.services[i];
    const ServiceConfig& got = back->services[i];
    EXPECT_EQ(got.name, want.name);
    ASSERT_EQ(got.objectives.size(), want.objectives.size()) << yaml;
    ASSERT_EQ(got.rules.size(), want.rules.size());
    for (size_t k = 0; k < want.objectives.size(); ++k) {
      const ObjectiveSpec& a = want.objectives[k];
      const ObjectiveSpec& b = got.objectives[k];
      EXPECT_EQ(b.service, a.service);
      EXPECT_EQ(b.name, a.name);
      EXPECT_EQ(b.slis, a.slis);
      EXPECT_EQ(b.target_percent, a.target_percent) << a.name;
      EXPECT_EQ(b.window, a.window);
      EXPECT_EQ(b.method, a.method);
      EXPECT_EQ(b.slice, a.slice);
      EXPECT_EQ(b.slice_threshold, a.slice_threshold);
      EXPECT_EQ(b.alerting, a.alerting);
      const ObjectiveRules& ra = want.rules[k];
      const ObjectiveRules& rb = got.rules[k];
      EXPECT_EQ(rb.custom_policy, ra.custom_policy);
      EXPECT_EQ(rb.alert_policy.for_duration, ra.alert_policy.for_duration);
      EXPECT_EQ(rb.alert_policy.resolve_after, ra.alert_policy.resolve_after);
      EXPECT_EQ(rb.alert_policy.min_short_window_events,
                ra.alert_policy.min_short_window_events);
      ASSERT_EQ(rb.alert_policy.tiers.size(), ra.alert_policy.tiers.size());
      for (size_t t = 0; t < ra.alert_policy.tiers.size(); ++t) {
        EXPECT_THAT(rb.alert_policy.tiers[t], IsTier(ra.alert_policy.tiers[t]));
      }
    }
  }
}

// ---------------------------------------------------------------------------
// The reference files, one by one.

TEST(OpenSloTest, OccurrencesThresholdRolling2w) {
  absl::StatusOr<OpenSloImport> im =
      Convert({"01-occurrences-threshold-rolling-2w.yaml"});
  ASSERT_TRUE(im.ok()) << im.status();
  ASSERT_THAT(im->config.services, SizeIs(1));
  EXPECT_EQ(im->config.services[0].name, "web-shop");
  ASSERT_THAT(im->config.services[0].objectives, SizeIs(1));
  const ObjectiveSpec& o = Obj(*im, 0, 0);
  EXPECT_EQ(o.service, "web-shop");
  EXPECT_EQ(o.name, "search-slo");
  EXPECT_THAT(o.slis, ElementsAre("search-latency"));
  EXPECT_EQ(o.target_percent, 99);
  EXPECT_EQ(o.window, "14d");  // 2w
  EXPECT_EQ(o.method, BudgetingMethod::kOccurrences);
  EXPECT_FALSE(o.alerting);  // `alertPolicies:` is empty
  EXPECT_FALSE(Rules(*im, 0, 0).custom_policy);
  ASSERT_THAT(im->objectives, SizeIs(1));
  const OpenSloObjective& info = im->objectives[0];
  EXPECT_EQ(info.slo, "search-slo");
  EXPECT_EQ(info.display_name, "Good experience");
  EXPECT_EQ(info.origin, "01-occurrences-threshold-rolling-2w.yaml:25");
  EXPECT_EQ(info.indicator.name, "search-latency");
  EXPECT_EQ(info.indicator.metric, OpenSloMetric::kThreshold);
  EXPECT_EQ(info.indicator.source_type, "Any");
  EXPECT_EQ(info.indicator.op, "lt");
  EXPECT_EQ(info.indicator.value, 500);
  EXPECT_EQ(info.indicator.origin,
            "01-occurrences-threshold-rolling-2w.yaml:11");
  EXPECT_EQ(Joined(im->warnings),
            "01-occurrences-threshold-rolling-2w.yaml:25:7: "
            "SLO/search-slo.spec.objectives[0]: thresholdMetric: a result is "
            "good when its value is lt 500; slakit counts the results of "
            "probe 'search-latency' good when ok: give that probe the "
            "threshold (e.g. latency_threshold)");
  ExpectRoundTrip(*im);
}

TEST(OpenSloTest, RatioTimeslicesRolling2w) {
  absl::StatusOr<OpenSloImport> im =
      Convert({"02-ratiotimeslices-rolling-2w.yaml"});
  ASSERT_TRUE(im.ok()) << im.status();
  const ObjectiveSpec& o = Obj(*im, 0, 0);
  EXPECT_EQ(o.service, "web-shop");
  EXPECT_EQ(o.name, "main-page");
  EXPECT_THAT(o.slis, ElementsAre("response-code"));
  EXPECT_EQ(o.target_percent, 99);
  EXPECT_EQ(o.window, "14d");
  EXPECT_EQ(o.method, BudgetingMethod::kRatioTimeslices);
  EXPECT_EQ(o.slice, absl::Minutes(1));
  EXPECT_EQ(o.slice_threshold, 1.0);  // not used by RatioTimeslices
  EXPECT_EQ(im->objectives[0].indicator.metric, OpenSloMetric::kRatioGoodTotal);
  // No `counter` (the schema requires it) and an `op` without a threshold
  // metric: said, not refused.
  EXPECT_EQ(Joined(im->warnings),
            "02-ratiotimeslices-rolling-2w.yaml:16:9: "
            "SLO/main-page.spec.indicator.spec.ratioMetric.counter: not given "
            "(the OpenSLO schema requires true or false; slakit does not use "
            "it)\n"
            "02-ratiotimeslices-rolling-2w.yaml:32:11: "
            "SLO/main-page.spec.objectives[0].op: ignored: op and value "
            "compare a thresholdMetric; this SLI is a ratio");
  ExpectRoundTrip(*im);
}

TEST(OpenSloTest, CalendarOneMinuteIsRefusedAsTheMonthTrap) {
  absl::StatusOr<OpenSloImport> im =
      Convert({"03-timeslices-calendar-sla-two-objectives.yaml"});
  EXPECT_THAT(
      Problems(im),
      ElementsAre("03-timeslices-calendar-sla-two-objectives.yaml:27:17: "
                  "SLO/service-availability.spec.timeWindow[0].duration: "
                  "'1m' is 1 minute (OpenSLO: m = minutes, M = months); a "
                  "calendar window is a day, week, month, quarter or year: "
                  "write 1M for 1 month"));
}

TEST(OpenSloTest, TimeslicesCalendarMonthTwoObjectives) {
  // The same file with the month its comment meant.
  std::string text = Read("03-timeslices-calendar-sla-two-objectives.yaml");
  ASSERT_THAT(text, HasSubstr("duration: 1m #"));
  text = absl::StrReplaceAll(text, {{"duration: 1m #", "duration: 1M #"}});
  absl::StatusOr<OpenSloImport> im = ParseOpenSlo(text, "03.yaml");
  ASSERT_TRUE(im.ok()) << im.status();
  ASSERT_THAT(im->config.services, SizeIs(1));
  EXPECT_EQ(im->config.services[0].name, "web-availability");
  ASSERT_THAT(im->config.services[0].objectives, SizeIs(2));
  const ObjectiveSpec& internal = Obj(*im, 0, 0);
  EXPECT_EQ(internal.name, "service-availability-0");
  EXPECT_THAT(internal.slis, ElementsAre("web-availability"));
  EXPECT_EQ(internal.target_percent, 99.5);
  EXPECT_EQ(internal.window, "month@America/New_York");
  EXPECT_EQ(internal.method, BudgetingMethod::kTimeslices);
  EXPECT_EQ(internal.slice, absl::Minutes(1));
  EXPECT_EQ(internal.slice_threshold, 0.99);
  const ObjectiveSpec& sla = Obj(*im, 0, 1);
  EXPECT_EQ(sla.name, "service-availability-1");
  EXPECT_THAT(sla.slis, ElementsAre("web-availability"));
  EXPECT_EQ(sla.target_percent, 99);
  EXPECT_EQ(sla.window, "month@America/New_York");
  EXPECT_EQ(sla.slice_threshold, 0.99);
  EXPECT_EQ(im->objectives[0].display_name, "Internal objective");
  EXPECT_EQ(im->objectives[1].display_name, "SLA");
  EXPECT_EQ(im->objectives[1].index, 1);
  // startTime 12:00 is not where slakit's months start.
  EXPECT_THAT(Joined(im->warnings),
              HasSubstr("03.yaml:30:20: SLO/service-availability.spec."
                        "timeWindow[0].calendar.startTime: 2022-01-01 "
                        "12:00:00 is not the start of a calendar month: "
                        "slakit's months start on the 1st at 00:00 in "
                        "America/New_York"));
  ExpectRoundTrip(*im);
}

TEST(OpenSloTest, ListOfSlosCalendarWeekTimeslices) {
  absl::StatusOr<OpenSloImport> im = Convert({"05-v1-slos-list.yaml"});
  ASSERT_TRUE(im.ok()) << im.status();
  const ObjectiveSpec& o = Obj(*im, 0, 0);
  EXPECT_EQ(o.service, "web");
  EXPECT_EQ(o.name, "web-availability");
  EXPECT_THAT(o.slis, ElementsAre("web-successful-requests-ratio"));
  EXPECT_EQ(o.target_percent, 99.5);
  EXPECT_EQ(o.window, "week@America/New_York");
  EXPECT_EQ(o.method, BudgetingMethod::kTimeslices);
  EXPECT_EQ(o.slice, absl::Minutes(1));
  EXPECT_EQ(o.slice_threshold, 0.95);
  EXPECT_EQ(im->objectives[0].indicator.source_type, "Prometheus");
  // 2022-01-01 is a Saturday: ISO weeks start on Mondays.
  EXPECT_THAT(Joined(im->warnings),
              HasSubstr("05-v1-slos-list.yaml:35:22: SLO/web-availability."
                        "spec.timeWindow[0].calendar.startTime: 2022-01-01 "
                        "12:00:00 is not the start of a calendar week: "
                        "slakit's ISO weeks start on Monday at 00:00"));
  ExpectRoundTrip(*im);
}

TEST(OpenSloTest, SlisAloneConvertToNothingAndSaySo) {
  absl::StatusOr<OpenSloImport> im = Convert({"06-v1-slis-list.yaml"});
  ASSERT_TRUE(im.ok()) << im.status();
  EXPECT_THAT(im->config.services, IsEmpty());
  EXPECT_EQ(Joined(im->warnings),
            "06-v1-slis-list.yaml:4:11: SLI/search-availability: not "
            "converted: no SLO refers to it\n"
            "06-v1-slis-list.yaml:31:11: SLI/end-user-response: not "
            "converted: no SLO refers to it\n"
            "06-v1-slis-list.yaml:59:11: SLI/wifi-client-satisfaction: not "
            "converted: no SLO refers to it\n"
            "06-v1-slis-list.yaml:85:11: SLI/annotator-throughput: not "
            "converted: no SLO refers to it");
  ExpectRoundTrip(*im);
}

TEST(OpenSloTest, SlisByIndicatorRefAcrossFiles) {
  absl::StatusOr<OpenSloImport> im =
      Convert({"06-v1-slis-list.yaml", "06-companion-slos.yaml"});
  ASSERT_TRUE(im.ok()) << im.status();
  ASSERT_THAT(im->config.services, SizeIs(4));
  // good/total, Datadog, rolling 28d.
  EXPECT_EQ(im->config.services[0].name, "search");
  EXPECT_EQ(Obj(*im, 0, 0).name, "search-availability");
  EXPECT_THAT(Obj(*im, 0, 0).slis, ElementsAre("search-availability"));
  EXPECT_EQ(Obj(*im, 0, 0).target_percent, 99.9);
  EXPECT_EQ(Obj(*im, 0, 0).window, "28d");
  EXPECT_EQ(im->objectives[0].indicator.metric, OpenSloMetric::kRatioGoodTotal);
  EXPECT_EQ(im->objectives[0].indicator.source_type, "Datadog");
  EXPECT_EQ(im->objectives[0].indicator.origin, "06-v1-slis-list.yaml:1");
  // bad/total, a calendar quarter in Paris, Timeslices of 5 (minutes),
  // targetPercent as it is.
  EXPECT_EQ(im->config.services[1].name, "my-app");
  EXPECT_EQ(Obj(*im, 1, 0).target_percent, 99.5);
  EXPECT_EQ(Obj(*im, 1, 0).window, "quarter@Europe/Paris");
  EXPECT_EQ(Obj(*im, 1, 0).method, BudgetingMethod::kTimeslices);
  EXPECT_EQ(Obj(*im, 1, 0).slice, absl::Minutes(5));
  EXPECT_EQ(Obj(*im, 1, 0).slice_threshold, 0.9);
  EXPECT_EQ(im->objectives[1].indicator.metric, OpenSloMetric::kRatioBadTotal);
  EXPECT_EQ(im->objectives[1].indicator.source_type, "AppDynamics");
  // raw, a rolling month (30 days), RatioTimeslices of 1h.
  EXPECT_EQ(im->config.services[2].name, "wifi");
  EXPECT_EQ(Obj(*im, 2, 0).target_percent, 95);
  EXPECT_EQ(Obj(*im, 2, 0).window, "30d");
  EXPECT_EQ(Obj(*im, 2, 0).method, BudgetingMethod::kRatioTimeslices);
  EXPECT_EQ(Obj(*im, 2, 0).slice, absl::Hours(1));
  EXPECT_EQ(im->objectives[2].indicator.metric, OpenSloMetric::kRatioRaw);
  // thresholdMetric, lte 100, rolling 1w.
  EXPECT_EQ(im->config.services[3].name, "annotator");
  EXPECT_EQ(Obj(*im, 3, 0).target_percent, 90);
  EXPECT_EQ(Obj(*im, 3, 0).window, "7d");
  EXPECT_EQ(im->objectives[3].indicator.metric, OpenSloMetric::kThreshold);
  EXPECT_EQ(im->objectives[3].indicator.op, "lte");
  EXPECT_EQ(im->objectives[3].indicator.value, 100);
  EXPECT_EQ(Joined(im->warnings),
            "06-companion-slos.yaml:44:19: SLO/wifi-client-satisfaction.spec."
            "timeWindow[0].duration: a rolling window of 1 month is read as "
            "30 days (slakit's rolling windows have a fixed length)\n"
            "06-companion-slos.yaml:48:9: SLO/wifi-client-satisfaction.spec."
            "objectives[0]: the SLI's raw ratio is not kept: slakit counts "
            "the good and total results of probe 'wifi-client-satisfaction'\n"
            "06-companion-slos.yaml:62:9: SLO/annotator-throughput.spec."
            "objectives[0]: thresholdMetric: a result is good when its value "
            "is lte 100; slakit counts the results of probe "
            "'annotator-throughput' good when ok: give that probe the "
            "threshold (e.g. latency_threshold)");
  ExpectRoundTrip(*im);
}

TEST(OpenSloTest, AlertPoliciesAloneNeedTheirConditions) {
  EXPECT_THAT(
      Problems(Convert({"08-v1-alert-policies.yaml"})),
      ElementsAre("08-v1-alert-policies.yaml:16:23: AlertPolicy/low-priority."
                  "spec.conditions[0].conditionRef: no AlertCondition named "
                  "'cpu-usage-breach' (no AlertCondition is defined in the "
                  "files given)",
                  "08-v1-alert-policies.yaml:66:23: AlertPolicy/"
                  "medium-priority.spec.conditions[0].conditionRef: no "
                  "AlertCondition named 'cpu-usage-breach' (no "
                  "AlertCondition is defined in the files given)"));
}

TEST(OpenSloTest, AlertConditionsBecomeBurnTiers) {
  absl::StatusOr<OpenSloImport> im =
      Convert({"08-v1-alert-policies.yaml", "08-companion-conditions.yaml"});
  ASSERT_TRUE(im.ok()) << im.status();
  ASSERT_THAT(im->config.services, SizeIs(1));
  const ObjectiveSpec& o = Obj(*im, 0, 0);
  EXPECT_EQ(o.service, "checkout");
  EXPECT_EQ(o.name, "checkout-availability");
  EXPECT_THAT(o.slis, ElementsAre("checkout-requests"));
  EXPECT_EQ(o.target_percent, 99.95);
  EXPECT_EQ(o.window, "30d");
  EXPECT_TRUE(o.alerting);
  const ObjectiveRules& r = Rules(*im, 0, 0);
  EXPECT_TRUE(r.custom_policy);
  // high-priority: inline memory-usage-breach (page, gt 2 over 1h, after
  // 5m); low- and medium-priority share cpu-usage-breach (ticket, gt 1 over
  // 3d, after 1h): one tier. One window per condition: long = short.
  EXPECT_THAT(
      r.alert_policy.tiers,
      ElementsAre(IsTier(Tier("page", absl::Hours(1), absl::Hours(1), 2)),
                  IsTier(Tier("ticket", absl::Hours(72), absl::Hours(72), 1))));
  EXPECT_EQ(r.alert_policy.for_duration, absl::Minutes(5));
  EXPECT_EQ(r.alert_policy.resolve_after, absl::Minutes(5));  // default
  EXPECT_FALSE(r.remediation.has_value());
  EXPECT_THAT(im->objectives[0].alert_policies,
              ElementsAre("high-priority", "low-priority", "medium-priority"));
  EXPECT_THAT(
      im->objectives[0].notification_targets,
      ElementsAre("on-call-pd-notification", "on-call-mail-notification",
                  "on-call-slack-notification"));
  EXPECT_EQ(Joined(im->warnings),
            "08-v1-alert-policies.yaml:50:20: AlertPolicy/high-priority.spec."
            "notificationTargets[0].targetRef: no AlertNotificationTarget "
            "named 'on-call-pd-notification' in the files given (targets are "
            "not converted anyway)\n"
            "08-companion-conditions.yaml:52:7: SLO/checkout-availability."
            "spec.alertPolicies: the conditions' alertAfter differ: slakit "
            "waits the shortest, 5m, for every tier");
  ExpectRoundTrip(*im);
}

TEST(OpenSloTest, DuplicateServicesAreRefused) {
  EXPECT_THAT(Problems(Convert({"09-v1-services.yaml"})),
              ElementsAre("09-v1-services.yaml:24:11: Service/example-service."
                          "metadata.name: Service 'example-service' is "
                          "defined twice (first at 09-v1-services.yaml:1)"));
}

TEST(OpenSloTest, ServicesBecomeServices) {
  // The first Service of 09 alone.
  const std::string text = Read("09-v1-services.yaml");
  const size_t second = text.find("- apiVersion", 1);
  ASSERT_NE(second, std::string::npos);
  absl::StatusOr<OpenSloImport> im =
      ParseOpenSlo(text.substr(0, second), "09.yaml");
  ASSERT_TRUE(im.ok()) << im.status();
  ASSERT_THAT(im->config.services, SizeIs(1));
  EXPECT_EQ(im->config.services[0].name, "example-service");
  EXPECT_THAT(im->config.services[0].objectives, IsEmpty());
  EXPECT_THAT(im->warnings, IsEmpty());
  ExpectRoundTrip(*im);
}

TEST(OpenSloTest, InlineSliCalendarDayOccurrences) {
  EXPECT_THAT(
      Problems(Convert({"12-v1-slo-inline-sli-calendar-occurrences.yaml"})),
      ElementsAre("12-v1-slo-inline-sli-calendar-occurrences.yaml:39:7: "
                  "SLO/test-slo.spec.alertPolicies[0]: no AlertPolicy named "
                  "'foo-alert-policy' (no AlertPolicy is defined in the files "
                  "given)"));
  absl::StatusOr<OpenSloImport> im =
      Convert({"12-v1-slo-inline-sli-calendar-occurrences.yaml",
               "12-13-companion.yaml"});
  ASSERT_TRUE(im.ok()) << im.status();
  const ObjectiveSpec& o = Obj(*im, 0, 0);
  EXPECT_EQ(o.service, "the-service-name");
  EXPECT_EQ(o.name, "test-slo");
  EXPECT_THAT(o.slis, ElementsAre("foo-error"));
  EXPECT_EQ(o.target_percent, 98);
  EXPECT_EQ(o.window, "day@America/New_York");
  EXPECT_EQ(o.method, BudgetingMethod::kOccurrences);
  EXPECT_TRUE(o.alerting);
  EXPECT_THAT(
      Rules(*im, 0, 0).alert_policy.tiers,
      ElementsAre(IsTier(Tier("page", absl::Hours(1), absl::Hours(1), 14.4))));
  EXPECT_EQ(Rules(*im, 0, 0).alert_policy.for_duration, absl::Minutes(2));
  EXPECT_THAT(im->objectives[0].notification_targets, ElementsAre("foo-pager"));
  EXPECT_EQ(Joined(im->warnings),
            "12-v1-slo-inline-sli-calendar-occurrences.yaml:31:20: SLO/"
            "test-slo.spec.timeWindow[0].calendar.startTime: 2020-01-21 "
            "12:30:00 is not the start of a calendar day: slakit's days start "
            "at 00:00 in America/New_York, so the periods are calendar days, "
            "not periods counted from startTime\n"
            "12-13-companion.yaml:8:9: SLI/indicator-ref-string: not "
            "converted: no SLO refers to it");
  ExpectRoundTrip(*im);
}

TEST(OpenSloTest, IndicatorRefRolling) {
  EXPECT_THAT(
      Problems(Convert({"13-v1-slo-indicatorref-rolling.yaml"})),
      ElementsAre("13-v1-slo-indicatorref-rolling.yaml:9:17: SLO/test-slo."
                  "spec.indicatorRef: no SLI named 'indicator-ref-string' (no "
                  "SLI is defined in the files given)",
                  "13-v1-slo-indicatorref-rolling.yaml:18:7: SLO/test-slo."
                  "spec.alertPolicies[0]: no AlertPolicy named "
                  "'foo-alert-policy' (no AlertPolicy is defined in the files "
                  "given)"));
  absl::StatusOr<OpenSloImport> im =
      Convert({"13-v1-slo-indicatorref-rolling.yaml", "12-13-companion.yaml"});
  ASSERT_TRUE(im.ok()) << im.status();
  const ObjectiveSpec& o = Obj(*im, 0, 0);
  EXPECT_EQ(o.name, "test-slo");
  EXPECT_THAT(o.slis, ElementsAre("indicator-ref-string"));
  EXPECT_EQ(o.target_percent, 98);
  EXPECT_EQ(o.window, "1d");
  EXPECT_TRUE(o.alerting);
  EXPECT_EQ(im->objectives[0].indicator.metric, OpenSloMetric::kRatioBadTotal);
  EXPECT_EQ(im->objectives[0].indicator.origin, "12-13-companion.yaml:5");
  EXPECT_THAT(im->warnings, IsEmpty());
  ExpectRoundTrip(*im);
}

TEST(OpenSloTest, V1alphaAsSlothReadsIt) {
  absl::StatusOr<OpenSloImport> im = Convert({"20-v1alpha-sloth-form.yaml"});
  ASSERT_TRUE(im.ok()) << im.status();
  ASSERT_THAT(im->config.services, SizeIs(1));
  EXPECT_EQ(im->config.services[0].name, "api");
  ASSERT_THAT(im->config.services[0].objectives, SizeIs(3));
  EXPECT_EQ(Obj(*im, 0, 0).name, "api-availability");
  EXPECT_THAT(Obj(*im, 0, 0).slis, ElementsAre("api-availability"));
  EXPECT_EQ(Obj(*im, 0, 0).target_percent, 99.9);
  EXPECT_EQ(Obj(*im, 0, 0).window, "30d");
  EXPECT_EQ(Obj(*im, 0, 0).method, BudgetingMethod::kOccurrences);
  // Several objectives: one SLI each, named like the objective.
  EXPECT_EQ(Obj(*im, 0, 1).name, "api-latency-0");
  EXPECT_THAT(Obj(*im, 0, 1).slis, ElementsAre("api-latency-0"));
  EXPECT_EQ(Obj(*im, 0, 1).target_percent, 99);
  EXPECT_EQ(Obj(*im, 0, 1).window, "28d");
  EXPECT_EQ(Obj(*im, 0, 2).name, "api-latency-1");
  EXPECT_EQ(Obj(*im, 0, 2).target_percent, 99.95);
  EXPECT_EQ(im->objectives[1].display_name, "under 400 ms");
  EXPECT_EQ(im->objectives[0].indicator.source_type, "prometheus");
  EXPECT_EQ(Joined(im->warnings),
            "20-v1alpha-sloth-form.yaml:10:3: SLO/api-availability.spec."
            "budgetingMethod: not given: Occurrences, as Sloth reads it\n"
            "20-v1alpha-sloth-form.yaml:24:7: SLO/api-availability.spec."
            "timeWindows[0]: no isRolling and no calendar: a rolling window, "
            "as Sloth reads it");
  ExpectRoundTrip(*im);
}

TEST(OpenSloTest, RenderedYamlNamesWhereEachObjectiveCameFrom) {
  absl::StatusOr<OpenSloImport> im =
      Convert({"08-v1-alert-policies.yaml", "08-companion-conditions.yaml"});
  ASSERT_TRUE(im.ok()) << im.status();
  EXPECT_EQ(
      RenderSlakitYaml(*im, {"a.yaml", "b.yaml"}),
      "# slakit.yaml converted from OpenSLO (slakit import-openslo).\n"
      "# From: a.yaml, b.yaml\n"
      "# Each objective's SLI is a probe-success series of its service, "
      "named\n"
      "# after the OpenSLO SLI: feed it results of (service, SLI name), "
      "e.g.\n"
      "# with `probes:` on the service, `slakit import` or a client. The\n"
      "# metric queries of the OpenSLO documents are not used.\n"
      "timezone: UTC\n"
      "services:\n"
      "  - name: checkout\n"
      "    objectives:\n"
      "      # SLO checkout-availability, objective 0 (Checkout "
      "availability), 08-companion-conditions.yaml:50\n"
      "      # SLI checkout-requests: ratioMetric good/total (Prometheus)\n"
      "      # alert policies: high-priority, low-priority, medium-priority; "
      "notification targets (not converted): on-call-pd-notification, "
      "on-call-mail-notification, on-call-slack-notification\n"
      "      - name: checkout-availability\n"
      "        slis: [checkout-requests]\n"
      "        target: 99.95\n"
      "        window: 30d\n"
      "        budgeting: occurrences\n"
      "        alerting:\n"
      "          for: 5m\n"
      "          tiers:\n"
      "            - {severity: page, long: 1h, short: 1h, factor: 2}\n"
      "            - {severity: ticket, long: 3d, short: 3d, factor: 1}\n");
}

// ---------------------------------------------------------------------------
// Conversions.

// A minimal v1 SLO around `objective` and `window` (YAML flow text).
std::string Slo(const std::string& objective,
                const std::string& window = "{duration: 28d, isRolling: true}",
                const std::string& method = "Occurrences") {
  return "apiVersion: openslo/v1\n"
         "kind: SLO\n"
         "metadata: {name: s}\n"
         "spec:\n"
         "  service: web\n"
         "  indicatorRef: i\n"
         "  timeWindow: [" +
         window +
         "]\n"
         "  budgetingMethod: " +
         method +
         "\n"
         "  objectives: [" +
         objective +
         "]\n"
         "---\n"
         "apiVersion: openslo/v1\n"
         "kind: SLI\n"
         "metadata: {name: i}\n"
         "spec:\n"
         "  ratioMetric:\n"
         "    counter: true\n"
         "    good: {metricSource: {type: Prometheus, spec: {query: a}}}\n"
         "    total: {metricSource: {type: Prometheus, spec: {query: b}}}\n";
}

TEST(OpenSloTest, TargetsMoveTheDecimalPoint) {
  for (const auto& [ratio, percent] :
       std::vector<std::pair<std::string, double>>{{"0.999", 99.9},
                                                   {"0.9995", 99.95},
                                                   {"0.99999", 99.999},
                                                   {".95", 95},
                                                   {"0.1", 10},
                                                   {"0.123456789", 12.3456789},
                                                   {"9.99e-1", 99.9}}) {
    absl::StatusOr<OpenSloImport> im =
        ParseOpenSlo(Slo("{target: " + ratio + "}"), "t.yaml");
    ASSERT_TRUE(im.ok()) << ratio << ": " << im.status();
    EXPECT_EQ(Obj(*im, 0, 0).target_percent, percent) << ratio;
    ExpectRoundTrip(*im);
  }
  absl::StatusOr<OpenSloImport> im =
      ParseOpenSlo(Slo("{targetPercent: 99.95}"), "t.yaml");
  ASSERT_TRUE(im.ok()) << im.status();
  EXPECT_EQ(Obj(*im, 0, 0).target_percent, 99.95);
}

TEST(OpenSloTest, WindowsOfEveryUnit) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{duration: 90m, isRolling: true}", "90m"},
      {"{duration: 6h, isRolling: true}", "6h"},
      {"{duration: 30d, isRolling: true}", "30d"},
      {"{duration: 4w, isRolling: true}", "28d"},
      {"{duration: 2M, isRolling: true}", "60d"},
      {"{duration: 1Q, isRolling: true}", "90d"},
      {"{duration: 1Y, isRolling: true}", "365d"},
      {"{duration: 1d, calendar: {startTime: 2024-01-01 00:00:00, "
       "timeZone: UTC}}",
       "day@UTC"},
      {"{duration: 1w, isRolling: false, calendar: {startTime: 2024-01-01 "
       "00:00:00, timeZone: Europe/Paris}}",
       "week@Europe/Paris"},
      {"{duration: 1M, calendar: {startTime: 2024-01-01 00:00:00, "
       "timeZone: Asia/Tokyo}}",
       "month@Asia/Tokyo"},
      {"{duration: 1Q, calendar: {startTime: 2024-04-01 00:00:00, "
       "timeZone: UTC}}",
       "quarter@UTC"},
      {"{duration: 1Y, calendar: {startTime: 2024-01-01 00:00:00, "
       "timeZone: UTC}}",
       "year@UTC"},
  };
  for (const auto& [window, want] : cases) {
    absl::StatusOr<OpenSloImport> im =
        ParseOpenSlo(Slo("{target: 0.99}", window), "w.yaml");
    ASSERT_TRUE(im.ok()) << window << ": " << im.status();
    EXPECT_EQ(Obj(*im, 0, 0).window, want) << window;
    if (window.find("calendar") != std::string::npos) {
      // Aligned start times give no warning.
      EXPECT_THAT(im->warnings, IsEmpty()) << window;
    }
    ExpectRoundTrip(*im);
  }
}

TEST(OpenSloTest, TimeSliceWindowsAsNumbersOrDurations) {
  for (const auto& [slice, want] :
       std::vector<std::pair<std::string, absl::Duration>>{
           {"5", absl::Minutes(5)},
           {"1m", absl::Minutes(1)},
           {"2h", absl::Hours(2)},
           {"1d", absl::Hours(24)}}) {
    absl::StatusOr<OpenSloImport> im = ParseOpenSlo(
        Slo("{target: 0.99, timeSliceTarget: 0.8, timeSliceWindow: " + slice +
                "}",
            "{duration: 28d, isRolling: true}", "Timeslices"),
        "t.yaml");
    ASSERT_TRUE(im.ok()) << slice << ": " << im.status();
    EXPECT_EQ(Obj(*im, 0, 0).slice, want) << slice;
    EXPECT_EQ(Obj(*im, 0, 0).slice_threshold, 0.8);
    ExpectRoundTrip(*im);
  }
}

TEST(OpenSloTest, InlineAlertPolicyAndSeverities) {
  const std::string text = Slo("{target: 0.999}") + R"yaml(---
apiVersion: openslo/v1
kind: AlertCondition
metadata: {name: slow-burn}
spec:
  severity: Warning
  condition: {kind: burnrate, op: gte, threshold: 0.9333333333333333,
              lookbackWindow: 3d, alertAfter: 30m}
)yaml";
  std::string with_policies = absl::StrReplaceAll(
      text, {{"  objectives: [",
              "  alertPolicies:\n"
              "    - kind: AlertPolicy\n"
              "      metadata: {name: inline}\n"
              "      spec:\n"
              "        alertWhenNoData: true\n"
              "        conditions:\n"
              "          - kind: AlertCondition\n"
              "            metadata: {name: fast}\n"
              "            spec:\n"
              "              severity: critical\n"
              "              condition: {op: gt, threshold: 14.4,\n"
              "                          lookbackWindow: 1h, alertAfter: "
              "30m}\n"
              "        notificationTargets: [{targetRef: pager}]\n"
              "    - kind: AlertPolicy\n"
              "      metadata: {name: inline-2}\n"
              "      spec:\n"
              "        conditions: [{conditionRef: slow-burn}]\n"
              "        notificationTargets: [{targetRef: pager}]\n"
              "  objectives: ["}});
  absl::StatusOr<OpenSloImport> im = ParseOpenSlo(with_policies, "p.yaml");
  ASSERT_TRUE(im.ok()) << im.status();
  const ObjectiveRules& r = Rules(*im, 0, 0);
  EXPECT_THAT(
      r.alert_policy.tiers,
      ElementsAre(IsTier(Tier("page", absl::Hours(1), absl::Hours(1), 14.4)),
                  IsTier(Tier("ticket", absl::Hours(72), absl::Hours(72),
                              0.9333333333333333))));
  EXPECT_EQ(r.alert_policy.for_duration, absl::Minutes(30));
  const std::string w = Joined(im->warnings);
  EXPECT_THAT(w, HasSubstr("p.yaml:42:13: AlertCondition/slow-burn.spec."
                           "severity: severity 'Warning' becomes ticket"));
  EXPECT_THAT(w, HasSubstr("AlertCondition/slow-burn.spec.condition.op: gte: "
                           "slakit alerts when the burn rate is above the "
                           "threshold (gt), not when it equals it"));
  EXPECT_THAT(w, HasSubstr("SLO/s.spec.alertPolicies[0].spec.conditions[0]."
                           "spec.severity: severity 'critical' becomes page"));
  EXPECT_THAT(w, HasSubstr("SLO/s.spec.alertPolicies[0].spec.alertWhenNoData: "
                           "true: slakit raises no alert for missing data"));
  EXPECT_THAT(w, HasSubstr("targetRef: no AlertNotificationTarget named "
                           "'pager'"));
  ExpectRoundTrip(*im);
}

TEST(OpenSloTest, PolicyThatDoesNotAlertOnBreachGivesNoTier) {
  const std::string text =
      absl::StrReplaceAll(
          Slo("{target: 0.999}"),
          {{"  objectives: [", "  alertPolicies: [quiet]\n  objectives: ["}}) +
      R"yaml(---
apiVersion: openslo/v1
kind: AlertPolicy
metadata: {name: quiet}
spec:
  alertWhenBreaching: false
  conditions:
    - {kind: AlertCondition, metadata: {name: c},
       spec: {severity: page, condition: {op: gt, threshold: 2, lookbackWindow: 1h}}}
  notificationTargets: [{targetRef: t}]
)yaml";
  absl::StatusOr<OpenSloImport> im = ParseOpenSlo(text, "q.yaml");
  ASSERT_TRUE(im.ok()) << im.status();
  EXPECT_FALSE(Obj(*im, 0, 0).alerting);
  EXPECT_FALSE(Rules(*im, 0, 0).custom_policy);
  EXPECT_THAT(im->objectives[0].alert_policies, ElementsAre("quiet"));
  EXPECT_THAT(Joined(im->warnings),
              HasSubstr("q.yaml:25:23: AlertPolicy/quiet.spec."
                        "alertWhenBreaching: false: slakit alerts on burn "
                        "rates only, so this policy gives the SLO no alert"));
  ExpectRoundTrip(*im);
}

TEST(OpenSloTest, ShortRollingWindowInMinutesIsQuestioned) {
  absl::StatusOr<OpenSloImport> im = ParseOpenSlo(
      Slo("{target: 0.99}", "{duration: 1m, isRolling: true}"), "m.yaml");
  ASSERT_TRUE(im.ok()) << im.status();
  EXPECT_EQ(Obj(*im, 0, 0).window, "1m");
  EXPECT_EQ(Joined(im->warnings),
            "m.yaml:7:27: SLO/s.spec.timeWindow[0].duration: a rolling window "
            "of 1 minute (OpenSLO: m = minutes, M = months; write 1M for "
            "months)");
}

TEST(OpenSloTest, MultiDocumentFilesListsAndNullDocuments) {
  const std::string text = "---\n---\n" + Slo("{target: 0.99}") +
                           "---\n- apiVersion: openslo/v1\n"
                           "  kind: Service\n"
                           "  metadata: {name: other}\n"
                           "  spec: {description: x}\n"
                           "- apiVersion: openslo/v1\n"
                           "  kind: Service\n"
                           "  metadata: {name: web}\n"
                           "  spec: {}\n";
  absl::StatusOr<OpenSloImport> im = ParseOpenSlo(text, "m.yaml");
  ASSERT_TRUE(im.ok()) << im.status();
  // Services in order of first mention: the SLO's, then the Service kind.
  ASSERT_THAT(im->config.services, SizeIs(2));
  EXPECT_EQ(im->config.services[0].name, "web");
  EXPECT_EQ(im->config.services[1].name, "other");
  EXPECT_THAT(im->config.services[0].objectives, SizeIs(1));
  ExpectRoundTrip(*im);
}

TEST(OpenSloTest, LoadReadsFilesAndReportsMissingOnes) {
  const std::vector<std::string> paths = {
      std::string(kData) + "13-v1-slo-indicatorref-rolling.yaml",
      std::string(kData) + "12-13-companion.yaml"};
  absl::StatusOr<OpenSloImport> im = LoadOpenSlo(paths);
  ASSERT_TRUE(im.ok()) << im.status();
  EXPECT_EQ(im->objectives[0].origin,
            std::string(kData) + "13-v1-slo-indicatorref-rolling.yaml:15");
  absl::StatusOr<OpenSloImport> missing =
      LoadOpenSlo({std::string(kData) + "no-such-file.yaml"});
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("no-such-file.yaml"));
}

// ---------------------------------------------------------------------------
// Errors: each with file:line:column and the field's path.

// The single problem of converting `text` as "e.yaml".
std::string OneProblem(const std::string& text) {
  std::vector<std::string> p = Problems(ParseOpenSlo(text, "e.yaml"));
  EXPECT_THAT(p, SizeIs(1)) << Joined(p);
  return p.empty() ? "" : p[0];
}

TEST(OpenSloErrorsTest, GoodAndBadBoth) {
  std::string text = absl::StrReplaceAll(
      Slo("{target: 0.99}"),
      {{"    total:",
        "    bad: {metricSource: {spec: {query: c}}}\n    total:"}});
  EXPECT_EQ(OneProblem(text),
            "e.yaml:18:10: SLI/i.spec.ratioMetric.bad: give good or bad, not "
            "both: the SLI is good/total or (total - bad)/total");
}

TEST(OpenSloErrorsTest, SliMetricShapes) {
  const std::string sli =
      "apiVersion: openslo/v1\nkind: SLI\n"
      "metadata: {name: i}\nspec:\n";
  EXPECT_EQ(OneProblem(sli + "  description: nothing\n"),
            "e.yaml:5:3: SLI/i.spec: missing: thresholdMetric or ratioMetric "
            "(good or bad, and total)");
  EXPECT_EQ(
      OneProblem(sli + "  thresholdMetric: {metricSource: {spec: {q: 1}}}\n"
                       "  ratioMetric: {counter: true, good: {metricSource: "
                       "{spec: {}}}, total: {metricSource: {spec: {}}}}\n"),
      "e.yaml:5:3: SLI/i.spec: give one of thresholdMetric, "
      "ratioMetric, not both");
  EXPECT_EQ(OneProblem(sli + "  ratioMetric: {counter: true, total: "
                             "{metricSource: {spec: {}}}}\n"),
            "e.yaml:5:16: SLI/i.spec.ratioMetric.good: missing: good or bad "
            "(the numerator)");
  EXPECT_EQ(OneProblem(sli + "  ratioMetric: {counter: true, good: "
                             "{metricSource: {spec: {}}}}\n"),
            "e.yaml:5:16: SLI/i.spec.ratioMetric.total: missing (the "
            "denominator)");
  EXPECT_EQ(OneProblem(sli + "  ratioMetric: {raw: {metricSource: {spec: "
                             "{}}}, rawType: ok}\n"),
            "e.yaml:5:59: SLI/i.spec.ratioMetric.rawType: 'ok' is not "
            "success or failure");
  EXPECT_EQ(OneProblem(sli + "  thresholdMetric: {metricSource: {type: X}}\n"),
            "e.yaml:5:35: SLI/i.spec.thresholdMetric.metricSource.spec: "
            "missing (the query, e.g. {query: ...})");
  EXPECT_THAT(
      Problems(ParseOpenSlo(sli + "  thresholdMetric: {query: x}\n", "e.yaml")),
      ElementsAre("e.yaml:5:20: SLI/i.spec.thresholdMetric.metricSource: "
                  "missing ({type, spec: {query: ...}})",
                  "e.yaml:5:21: SLI/i.spec.thresholdMetric.query: unknown key "
                  "(expected one of metricSource)"));
}

TEST(OpenSloErrorsTest, TargetsAreRatios) {
  EXPECT_EQ(OneProblem(Slo("{target: 99.9}")),
            "e.yaml:9:25: SLO/s.spec.objectives[0].target: 99.9 is not a "
            "ratio in (0, 1): OpenSLO targets are ratios (0.999 = 99.9 %); "
            "write target: 0.999 or targetPercent: 99.9");
  EXPECT_EQ(OneProblem(Slo("{target: 1}")),
            "e.yaml:9:25: SLO/s.spec.objectives[0].target: 1 is 100 %: no "
            "event may fail and there is no error budget (OpenSLO targets "
            "are in [0, 1))");
  EXPECT_EQ(OneProblem(Slo("{target: 0}")),
            "e.yaml:9:25: SLO/s.spec.objectives[0].target: 0 is not a ratio "
            "in (0, 1): a target of 0 lets every event fail");
  EXPECT_EQ(OneProblem(Slo("{target: 150}")),
            "e.yaml:9:25: SLO/s.spec.objectives[0].target: 150 is not a "
            "ratio in (0, 1)");
  EXPECT_EQ(OneProblem(Slo("{target: high}")),
            "e.yaml:9:25: SLO/s.spec.objectives[0].target: expected a finite "
            "number, got 'high'");
  EXPECT_EQ(OneProblem(Slo("{target: 0.99, targetPercent: 99}")),
            "e.yaml:9:46: SLO/s.spec.objectives[0].targetPercent: give "
            "target (a ratio) or targetPercent, not both");
  EXPECT_EQ(OneProblem(Slo("{displayName: x}")),
            "e.yaml:9:16: SLO/s.spec.objectives[0].target: missing: a ratio "
            "such as 0.999 (or targetPercent: 99.9)");
  EXPECT_EQ(OneProblem(Slo("{targetPercent: 100}")),
            "e.yaml:9:32: SLO/s.spec.objectives[0].targetPercent: 100 is not "
            "a percentage in (0, 100)");
  EXPECT_EQ(OneProblem(Slo("{target: 0.9999999999}")),
            "e.yaml:9:25: SLO/s.spec.objectives[0].target: target "
            "99.99999999% rounds to 0 or 100 at 7 decimal places");
}

TEST(OpenSloErrorsTest, WindowsWrongPerTheSpec) {
  const auto window_problem = [](const std::string& window) {
    return OneProblem(Slo("{target: 0.99}", window));
  };
  EXPECT_EQ(window_problem("{duration: 1m, calendar: {startTime: 2024-01-01 "
                           "00:00:00, timeZone: UTC}}"),
            "e.yaml:7:27: SLO/s.spec.timeWindow[0].duration: '1m' is 1 "
            "minute (OpenSLO: m = minutes, M = months); a calendar window is "
            "a day, week, month, quarter or year: write 1M for 1 month");
  EXPECT_EQ(window_problem("{duration: 24h, calendar: {startTime: 2024-01-01 "
                           "00:00:00, timeZone: UTC}}"),
            "e.yaml:7:27: SLO/s.spec.timeWindow[0].duration: '24h' is 24 "
            "hours; a calendar window is a day, week, month, quarter or year "
            "(1d, 1w, 1M, 1Q, 1Y)");
  EXPECT_EQ(window_problem("{duration: 2M, calendar: {startTime: 2024-01-01 "
                           "00:00:00, timeZone: UTC}}"),
            "e.yaml:7:27: SLO/s.spec.timeWindow[0].duration: '2M': slakit's "
            "calendar windows are one period long: 1d, 1w, 1M, 1Q or 1Y (a "
            "day, ISO week, month, quarter or year), or make the window "
            "rolling (isRolling: true)");
  EXPECT_EQ(window_problem("{duration: 1M}"),
            "e.yaml:7:16: SLO/s.spec.timeWindow[0].calendar: missing: a "
            "window that is not rolling (isRolling is not true) is "
            "calendar-aligned and needs calendar: {startTime, timeZone}; or "
            "set isRolling: true");
  EXPECT_EQ(window_problem("{duration: 1M, isRolling: false, calendar: "
                           "{startTime: 2024-01-01 00:00:00, timeZone: "
                           "Mars/Olympus}}"),
            "e.yaml:7:102: SLO/s.spec.timeWindow[0].calendar.timeZone: unknown "
            "time zone 'Mars/Olympus' (an IANA name such as "
            "America/New_York)");
  EXPECT_EQ(window_problem("{duration: 1M, calendar: {startTime: "
                           "2024-01-01T00:00:00Z, timeZone: UTC}}"),
            "e.yaml:7:53: SLO/s.spec.timeWindow[0].calendar.startTime: "
            "'2024-01-01T00:00:00Z' is not a date and time 'YYYY-MM-DD "
            "hh:mm:ss' (no time zone)");
  EXPECT_EQ(window_problem("{duration: 30s, isRolling: true}"),
            "e.yaml:7:27: SLO/s.spec.timeWindow[0].duration: '30s' is not an "
            "OpenSLO duration: a whole number from 1 and one of m (minutes), "
            "h, d, w, M (months), Q, Y, e.g. 28d or 1M");
  EXPECT_EQ(window_problem("{duration: 1mo, isRolling: true}"),
            "e.yaml:7:27: SLO/s.spec.timeWindow[0].duration: '1mo' is not an "
            "OpenSLO duration: a whole number from 1 and one of m (minutes), "
            "h, d, w, M (months), Q, Y, e.g. 28d or 1M");
  EXPECT_EQ(window_problem("{duration: 28d, isRolling: true}, {duration: 1d, "
                           "isRolling: true}"),
            "e.yaml:7:15: SLO/s.spec.timeWindow: OpenSLO takes exactly one "
            "time window; got 2");
  EXPECT_EQ(window_problem("{isRolling: true}"),
            "e.yaml:7:16: SLO/s.spec.timeWindow[0].duration: missing (e.g. "
            "28d rolling, or 1M calendar-aligned)");
}

TEST(OpenSloErrorsTest, BudgetingMethodsAndSlices) {
  EXPECT_EQ(OneProblem(Slo("{target: 0.99}", "{duration: 28d, isRolling: true}",
                           "occurrences")),
            "e.yaml:8:20: SLO/s.spec.budgetingMethod: 'occurrences' is not "
            "one of Occurrences, Timeslices, RatioTimeslices (case matters)");
  EXPECT_EQ(OneProblem(Slo("{target: 0.99, timeSliceWindow: 1m}",
                           "{duration: 28d, isRolling: true}", "Timeslices")),
            "e.yaml:9:16: SLO/s.spec.objectives[0].timeSliceTarget: missing: "
            "the good/total ratio a slice needs to be good, in (0, 1] (e.g. "
            "0.95)");
  EXPECT_EQ(OneProblem(Slo("{target: 0.99, timeSliceTarget: 0.9}",
                           "{duration: 28d, isRolling: true}", "Timeslices")),
            "e.yaml:9:16: SLO/s.spec.objectives[0].timeSliceWindow: missing: "
            "the slice length (e.g. 1m or 5) for Timeslices");
  EXPECT_EQ(OneProblem(Slo("{target: 0.99, timeSliceTarget: 1.5, "
                           "timeSliceWindow: 1m}",
                           "{duration: 28d, isRolling: true}", "Timeslices")),
            "e.yaml:9:48: SLO/s.spec.objectives[0].timeSliceTarget: 1.5 is "
            "not a ratio in (0, 1]");
  EXPECT_EQ(
      OneProblem(Slo("{target: 0.99, timeSliceWindow: 1M}",
                     "{duration: 28d, isRolling: true}", "RatioTimeslices")),
      "e.yaml:9:48: SLO/s.spec.objectives[0].timeSliceWindow: '1M' is "
      "1 month, not a fixed length; a time slice is in minutes, hours, "
      "days or weeks (m, h, d, w)");
  EXPECT_EQ(
      OneProblem(Slo("{target: 0.99, timeSliceWindow: 2.5}",
                     "{duration: 28d, isRolling: true}", "RatioTimeslices")),
      "e.yaml:9:48: SLO/s.spec.objectives[0].timeSliceWindow: 2.5 is "
      "not a whole number of minutes from 1 (a number is minutes; or "
      "write 5m, 1h)");
  EXPECT_EQ(
      OneProblem(Slo("{target: 0.99, timeSliceWindow: 2d}",
                     "{duration: 1d, isRolling: true}", "RatioTimeslices")),
      "e.yaml:9:48: SLO/s.spec.objectives[0].timeSliceWindow: a slice "
      "of 2d is longer than the window 1d");
  EXPECT_EQ(OneProblem(Slo("{target: 0.99, timeSliceTarge: 0.9}")),
            "e.yaml:9:31: SLO/s.spec.objectives[0].timeSliceTarge: unknown "
            "key (expected one of displayName, op, value, target, "
            "targetPercent, timeSliceTarget, timeSliceWindow)");
}

TEST(OpenSloErrorsTest, UnknownVersionsKindsAndMissingFields) {
  EXPECT_EQ(OneProblem("apiVersion: openslo/v2alpha\nkind: SLO\nmetadata: "
                       "{name: s}\nspec: {}\n"),
            "e.yaml:1:13: SLO/s.apiVersion: 'openslo/v2alpha' is not an "
            "OpenSLO version slakit reads (openslo/v1, or openslo/v1alpha as "
            "Sloth does)");
  EXPECT_EQ(OneProblem("apiVersion: openslo/v1\nkind: Slo\nmetadata: "
                       "{name: s}\nspec: {}\n"),
            "e.yaml:2:7: Slo/s.kind: unknown kind 'Slo' (one of SLO, SLI, "
            "Service, AlertPolicy, AlertCondition, DataSource, "
            "AlertNotificationTarget; case matters)");
  EXPECT_EQ(OneProblem("apiVersion: openslo/v1alpha\nkind: SLI\nmetadata: "
                       "{name: s}\nspec: {}\n"),
            "e.yaml:2:7: SLI/s.kind: kind SLI is not part of openslo/v1alpha "
            "(SLO, Service); write apiVersion: openslo/v1");
  EXPECT_EQ(OneProblem("apiVersion: openslo/v1\nkind: Service\nmetadata: "
                       "{name: Web_Shop}\nspec: {}\n"),
            "e.yaml:3:18: Service/Web_Shop.metadata.name: 'Web_Shop' is not "
            "an OpenSLO name (1 to 255 of a-z, 0-9, '.', '|', '/', '\\', '-', "
            "starting with a letter or digit)");
  std::vector<std::string> p = Problems(
      ParseOpenSlo("kind: SLO\nmetadata: {displayName: x}\n", "e.yaml"));
  EXPECT_THAT(p, ElementsAre("e.yaml:1:1: document[0].apiVersion: missing "
                             "(openslo/v1, or openslo/v1alpha)",
                             "e.yaml:1:1: document[0].spec: missing",
                             "e.yaml:2:11: document[0].metadata.name: "
                             "missing"));
  EXPECT_EQ(OneProblem("just text\n"),
            "e.yaml:1:1: document[0]: expected an OpenSLO object {apiVersion, "
            "kind, metadata, spec} (or a list of them)");
  EXPECT_EQ(OneProblem("a: [1, 2\n"),
            "e.yaml:2:1: not valid YAML: end of sequence flow not found");
  EXPECT_EQ(OneProblem("# nothing\n"), "e.yaml: holds no OpenSLO object");
}

// yaml-cpp 0.7's LoadAll reads "- a\n,\n" as [a] then null documents at the
// ',' without end, allocating until memory runs out (found by
// tests/fuzz/openslo_fuzzer).
TEST(OpenSloErrorsTest, StrayCommaAfterAListIsAnErrorNotAnEndlessStream) {
  EXPECT_EQ(OneProblem("- a\n,\n"),
            "e.yaml:2:1: not valid YAML: unexpected ',' (no document, key or "
            "list item can start here)");
  EXPECT_EQ(OneProblem(Slo("{target: 0.99}") + ",\n"),
            "e.yaml:19:1: not valid YAML: end of map not found");
}

TEST(OpenSloTest, DocumentMarkersDirectivesAndCommentsKeepPositions) {
  // An explicit end (...), a directive and comments between documents; the
  // second SLO's problem is reported on its own line.
  const std::string text =
      "# leading comment\n" + Slo("{target: 0.99}") +
      "...\n%YAML 1.2\n---\n# between\n" +
      absl::StrReplaceAll(Slo("{target: 2}"),
                          {{"name: s}", "name: t}"},
                           {"name: i}", "name: j}"},
                           {"indicatorRef: i", "indicatorRef: j"}});
  EXPECT_THAT(Problems(ParseOpenSlo(text, "e.yaml")),
              ElementsAre("e.yaml:32:25: SLO/t.spec.objectives[0].target: 2 "
                          "is not a ratio in (0, 1): OpenSLO targets are "
                          "ratios (0.999 = 99.9 %); write target: 0.02 or "
                          "targetPercent: 2"));
}

TEST(OpenSloErrorsTest, SloRequiredFieldsAndReferences) {
  EXPECT_THAT(
      Problems(ParseOpenSlo("apiVersion: openslo/v1\nkind: SLO\nmetadata: "
                            "{name: s}\nspec: {timeWindow: [{duration: 1d, "
                            "isRolling: true}]}\n",
                            "e.yaml")),
      ElementsAre(
          "e.yaml:4:7: SLO/s.spec.service: missing (the service the SLO is "
          "about)",
          "e.yaml:4:7: SLO/s.spec.indicator: missing: an inline SLI "
          "(indicator: {metadata, spec}) or indicatorRef naming an SLI",
          "e.yaml:4:7: SLO/s.spec.budgetingMethod: missing (Occurrences, "
          "Timeslices or RatioTimeslices)",
          "e.yaml:4:7: SLO/s.spec.objectives: missing: at least one {target: "
          "0.999}"));
  std::string both = absl::StrReplaceAll(
      Slo("{target: 0.99}"),
      {{"  indicatorRef: i\n",
        "  indicatorRef: i\n  indicator: {spec: {thresholdMetric: "
        "{metricSource: {spec: {}}}}}\n"}});
  EXPECT_EQ(OneProblem(both),
            "e.yaml:6:17: SLO/s.spec.indicatorRef: give indicator or "
            "indicatorRef, not both");
  EXPECT_EQ(
      OneProblem(absl::StrReplaceAll(Slo("{target: 0.99}"),
                                     {{"indicatorRef: i", "indicatorRef: j"}})),
      "e.yaml:6:17: SLO/s.spec.indicatorRef: no SLI named 'j' "
      "(defined: i)");
  EXPECT_EQ(
      OneProblem(absl::StrReplaceAll(
          Slo("{target: 0.99}"),
          {{"  objectives: [", "  alertPolicies: [nope]\n  objectives: ["}})),
      "e.yaml:9:19: SLO/s.spec.alertPolicies[0]: no AlertPolicy named 'nope' "
      "(no AlertPolicy is defined in the files given)");
  // A thresholdMetric SLO has one objective, with op and value.
  const std::string threshold = absl::StrReplaceAll(
      Slo("{target: 0.99}, {target: 0.9, op: lt, value: 1}"),
      {{"  indicatorRef: i\n",
        "  indicator: {metadata: {name: lat}, spec: {thresholdMetric: "
        "{metricSource: {spec: {query: q}}}}}\n"}});
  EXPECT_THAT(Problems(ParseOpenSlo(threshold, "e.yaml")),
              ElementsAre("e.yaml:9:16: SLO/s.spec.objectives[0].op: missing: "
                          "how the metric compares with value (lt, lte, gt, "
                          "gte)",
                          "e.yaml:9:16: SLO/s.spec.objectives[0].value: "
                          "missing: the threshold the metric is compared with",
                          "e.yaml:9:32: SLO/s.spec.objectives[1]: an SLO with "
                          "a thresholdMetric has one objective (OpenSLO); "
                          "write one SLO per threshold"));
}

TEST(OpenSloErrorsTest, DuplicateNames) {
  const std::string slo = Slo("{target: 0.99}");
  const std::string other =
      "---\napiVersion: openslo/v1\nkind: SLO\nmetadata: {name: s}\nspec: {}\n";
  EXPECT_EQ(OneProblem(slo + other),
            "e.yaml:22:18: SLO/s.metadata.name: SLO 's' is defined twice "
            "(first at e.yaml:1)");
  // Across files too.
  std::vector<OpenSloFile> files = {{"a.yaml", slo},
                                    {"b.yaml", other.substr(4)}};
  EXPECT_THAT(Problems(ParseOpenSloFiles(files)),
              ElementsAre("b.yaml:3:18: SLO/s.metadata.name: SLO 's' is "
                          "defined twice (first at a.yaml:1)"));
  // Two SLOs whose objective names meet in one service: `s-0` (an SLO of
  // one objective) and the first objective of `s` (an SLO of two).
  const std::string clash =
      Slo("{target: 0.99}, {target: 0.9}") +
      "---\napiVersion: openslo/v1\nkind: SLO\nmetadata: {name: s-0}\n"
      "spec: {service: web, indicatorRef: i, budgetingMethod: Occurrences,\n"
      "       timeWindow: [{duration: 1d, isRolling: true}],\n"
      "       objectives: [{target: 0.9}]}\n";
  EXPECT_EQ(OneProblem(clash),
            "e.yaml:22:18: SLO/s-0.metadata.name: objective 's-0' of service "
            "'web' is already defined at e.yaml:1");
}

TEST(OpenSloErrorsTest, AlertPoliciesAndConditions) {
  const std::string base = absl::StrReplaceAll(
      Slo("{target: 0.99}"),
      {{"  objectives: [", "  alertPolicies: [p]\n  objectives: ["}});
  const auto policy = [&base](const std::string& spec) {
    return Problems(ParseOpenSlo(base +
                                     "---\napiVersion: openslo/v1\nkind: "
                                     "AlertPolicy\nmetadata: {name: p}\n"
                                     "spec:\n" +
                                     spec,
                                 "e.yaml"));
  };
  // Lines 1-19 are the SLO and the SLI; the policy's spec starts at 25.
  EXPECT_THAT(policy("  notificationTargets: [{targetRef: t}]\n"),
              ElementsAre("e.yaml:25:3: AlertPolicy/p.spec.conditions: "
                          "missing: one condition (conditionRef, or an "
                          "inline AlertCondition)"));
  EXPECT_THAT(
      policy("  conditions: [{conditionRef: c}]\n"),
      ElementsAre("e.yaml:25:3: AlertPolicy/p.spec.notificationTargets: "
                  "missing: at least one target (targetRef, or an "
                  "inline AlertNotificationTarget)",
                  "e.yaml:25:31: AlertPolicy/p.spec.conditions[0]."
                  "conditionRef: no AlertCondition named 'c' (no "
                  "AlertCondition is defined in the files given)"));
  const std::string cond =
      "  notificationTargets: [{targetRef: t}]\n"
      "  conditions:\n"
      "    - kind: AlertCondition\n"
      "      metadata: {name: c}\n"
      "      spec:\n"
      "        severity: page\n"
      "        condition: ";
  EXPECT_THAT(policy(cond + "{op: lt, threshold: 2, lookbackWindow: 1h}\n"),
              ElementsAre("e.yaml:31:25: AlertPolicy/p.spec.conditions[0]."
                          "spec.condition.op: lt alerts while the budget "
                          "burns slower than the threshold; slakit alerts on "
                          "burn rates above it (op: gt)"));
  EXPECT_THAT(policy(cond + "{op: gt, threshold: 0, lookbackWindow: 1M}\n"),
              ElementsAre("e.yaml:31:40: AlertPolicy/p.spec.conditions[0]."
                          "spec.condition.threshold: 0 is not a burn rate "
                          "above 0",
                          "e.yaml:31:59: AlertPolicy/p.spec.conditions[0]."
                          "spec.condition.lookbackWindow: '1M' is 1 month, "
                          "not a fixed length; a look-back is in minutes, "
                          "hours, days or weeks (m, h, d, w)"));
  EXPECT_THAT(policy(cond + "{kind: errors, op: gt, threshold: 2}\n"),
              ElementsAre("e.yaml:31:20: AlertPolicy/p.spec.conditions[0]."
                          "spec.condition.lookbackWindow: missing (e.g. 1h)",
                          "e.yaml:31:27: AlertPolicy/p.spec.conditions[0]."
                          "spec.condition.kind: 'errors' is not a condition "
                          "kind slakit knows (burnrate)"));
  EXPECT_THAT(
      policy("  notificationTargets: [{targetRef: t}]\n"
             "  conditions: [{conditionRef: a}, {conditionRef: b}]\n"),
      ElementsAre(
          "e.yaml:26:31: AlertPolicy/p.spec.conditions[0].conditionRef: no "
          "AlertCondition named 'a' (no AlertCondition is defined in the "
          "files given)",
          "e.yaml:26:35: AlertPolicy/p.spec.conditions[1]: OpenSLO allows one "
          "condition per alert policy; list several policies on the SLO "
          "instead",
          "e.yaml:26:50: AlertPolicy/p.spec.conditions[1].conditionRef: no "
          "AlertCondition named 'b' (no AlertCondition is defined in the "
          "files given)"));
}

TEST(OpenSloErrorsTest, EveryProblemIsListedInFileOrder) {
  const std::string text = R"yaml(apiVersion: openslo/v1
kind: SLO
metadata: {name: s}
spec:
  service: web
  indicator:
    metadata: {name: i}
    spec:
      ratioMetric:
        counter: true
        good: {metricSource: {spec: {query: a}}}
        bad: {metricSource: {spec: {query: b}}}
        total: {metricSource: {spec: {query: c}}}
  timeWindow:
    - duration: 1m
      isRolling: false
      calendar: {startTime: 2024-01-01 00:00:00, timeZone: UTC}
  budgetingMethod: Occurrences
  objectives:
    - target: 99.9
    - target: 0.99
      colour: red
)yaml";
  EXPECT_THAT(
      Problems(ParseOpenSlo(text, "e.yaml")),
      ElementsAre(
          "e.yaml:12:14: SLO/s.spec.indicator.spec.ratioMetric.bad: give good "
          "or bad, not both: the SLI is good/total or (total - bad)/total",
          "e.yaml:15:17: SLO/s.spec.timeWindow[0].duration: '1m' is 1 minute "
          "(OpenSLO: m = minutes, M = months); a calendar window is a day, "
          "week, month, quarter or year: write 1M for 1 month",
          "e.yaml:20:15: SLO/s.spec.objectives[0].target: 99.9 is not a "
          "ratio in (0, 1): OpenSLO targets are ratios (0.999 = 99.9 %); "
          "write target: 0.999 or targetPercent: 99.9",
          "e.yaml:22:7: SLO/s.spec.objectives[1].colour: unknown key "
          "(expected one of displayName, op, value, target, targetPercent, "
          "timeSliceTarget, timeSliceWindow)"));
}

TEST(OpenSloErrorsTest, V1alphaShapes) {
  const std::string head =
      "apiVersion: openslo/v1alpha\nkind: SLO\nmetadata: {name: a}\nspec:\n"
      "  service: api\n";
  EXPECT_THAT(
      Problems(
          ParseOpenSlo(head + "  objectives: [{target: 0.99}]\n", "e.yaml")),
      ElementsAre("e.yaml:5:3: SLO/a.spec.timeWindows: missing: one time "
                  "window, e.g. [{count: 30, unit: Day, isRolling: true}]",
                  "e.yaml:6:16: SLO/a.spec.objectives[0].ratioMetrics: "
                  "missing: {good, total} queries (or the SLO's "
                  "indicator.thresholdMetric)"));
  EXPECT_THAT(
      Problems(ParseOpenSlo(
          head + "  timeWindows: [{count: 1, unit: Fortnight}]\n"
                 "  objectives: [{target: 0.99, ratioMetrics: {good: {source: "
                 "p, query: q}, total: {source: p, queryType: promql, query: "
                 "t}}}]\n",
          "e.yaml")),
      ElementsAre("e.yaml:6:34: SLO/a.spec.timeWindows[0].unit: 'Fortnight' "
                  "is not one of Second, Minute, Hour, Day, Week, Month, "
                  "Quarter, Year",
                  "e.yaml:7:52: SLO/a.spec.objectives[0].ratioMetrics.good."
                  "queryType: missing"));
  absl::StatusOr<OpenSloImport> im = ParseOpenSlo(
      head +
          "  indicator: {thresholdMetric: {source: p, queryType: promql, "
          "query: q}}\n"
          "  budgetingMethod: Timeslices\n"
          "  timeWindows: [{count: 1, unit: Month, calendar: {startTime: "
          "2024-01-01 00:00:00, timeZone: UTC}}]\n"
          "  objectives: [{target: 0.99, op: lt, value: 300, "
          "timeSliceTarget: 0.9}]\n",
      "a.yaml");
  ASSERT_TRUE(im.ok()) << im.status();
  EXPECT_EQ(Obj(*im, 0, 0).name, "a");
  EXPECT_THAT(Obj(*im, 0, 0).slis, ElementsAre("a"));
  EXPECT_EQ(Obj(*im, 0, 0).window, "month@UTC");
  EXPECT_EQ(Obj(*im, 0, 0).slice, absl::Minutes(1));
  EXPECT_EQ(Obj(*im, 0, 0).slice_threshold, 0.9);
  EXPECT_EQ(im->objectives[0].indicator.metric, OpenSloMetric::kThreshold);
  EXPECT_THAT(Joined(im->warnings),
              HasSubstr("SLO/a.spec.objectives[0].timeSliceWindow: not "
                        "given: 1m slices"));
  ExpectRoundTrip(*im);
}

}  // namespace
}  // namespace sla
