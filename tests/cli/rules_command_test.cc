// Tests of `slakit rules` (bindings/cli/rules_command.h): the exact rules
// of one objective, the factors of other windows, both error-ratio sources,
// quoting, and the errors. tests/cli/rules_test.py runs promtool on the
// command's output.

#include "bindings/cli/rules_command.h"

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sla/config.h"

namespace sla::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

Config Parse(absl::string_view yaml) {
  absl::StatusOr<Config> config = ParseConfig(yaml, "test.yaml");
  EXPECT_TRUE(config.ok()) << config.status();
  return config.ok() ? *config : Config();
}

std::string Render(const Config& config,
                   const PrometheusRulesOptions& options = {}) {
  absl::StatusOr<std::string> text = RenderPrometheusRules(config, options);
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "";
}

// The rules after the header comment.
std::string Groups(absl::string_view text) {
  const size_t at = text.find("\ngroups:");
  return at == absl::string_view::npos ? "" : std::string(text.substr(at + 1));
}

// 99.9 % over 30 days, the default tiers (14.4 and 6 page, 3 and 1 ticket,
// scaled by 0.001), `for: 2m`, error ratios from slakit serve's /metrics.
TEST(RulesCommandTest, ExactRulesOfOneObjective) {
  const Config config = Parse(R"(
services:
  - name: web
    objectives:
      - {name: availability, target: 99.9, window: 30d, alerting: {for: 2m}}
)");
  const std::string text = Render(config);
  EXPECT_THAT(text, StartsWith("# Prometheus rules for the objectives of "
                               "slakit.yaml,\n# written by `slakit rules "
                               "--source slakit`.\n"));
  EXPECT_EQ(Groups(text), R"golden(groups:
  # web/availability: 99.9% over 30d, page and ticket alerts (default tiers).
  - name: sloth-slo-sli-recordings-web-availability
    rules:
      - record: slo:sli_error:ratio_rate5m
        expr: 'max(slakit_objective_burn_rate{tenant="default", service="web", objective="availability", burn_window="5m"}) * 0.001'
        labels:
          sloth_id: web-availability
          sloth_service: web
          sloth_slo: availability
          sloth_window: 5m
      - record: slo:sli_error:ratio_rate30m
        expr: 'max(slakit_objective_burn_rate{tenant="default", service="web", objective="availability", burn_window="30m"}) * 0.001'
        labels:
          sloth_id: web-availability
          sloth_service: web
          sloth_slo: availability
          sloth_window: 30m
      - record: slo:sli_error:ratio_rate1h
        expr: 'max(slakit_objective_burn_rate{tenant="default", service="web", objective="availability", burn_window="1h"}) * 0.001'
        labels:
          sloth_id: web-availability
          sloth_service: web
          sloth_slo: availability
          sloth_window: 1h
      - record: slo:sli_error:ratio_rate2h
        expr: 'max(slakit_objective_burn_rate{tenant="default", service="web", objective="availability", burn_window="2h"}) * 0.001'
        labels:
          sloth_id: web-availability
          sloth_service: web
          sloth_slo: availability
          sloth_window: 2h
      - record: slo:sli_error:ratio_rate6h
        expr: 'max(slakit_objective_burn_rate{tenant="default", service="web", objective="availability", burn_window="6h"}) * 0.001'
        labels:
          sloth_id: web-availability
          sloth_service: web
          sloth_slo: availability
          sloth_window: 6h
      - record: slo:sli_error:ratio_rate1d
        expr: 'max(slakit_objective_burn_rate{tenant="default", service="web", objective="availability", burn_window="1d"}) * 0.001'
        labels:
          sloth_id: web-availability
          sloth_service: web
          sloth_slo: availability
          sloth_window: 1d
      - record: slo:sli_error:ratio_rate3d
        expr: 'max(slakit_objective_burn_rate{tenant="default", service="web", objective="availability", burn_window="3d"}) * 0.001'
        labels:
          sloth_id: web-availability
          sloth_service: web
          sloth_slo: availability
          sloth_window: 3d
      - record: slo:sli_error:ratio_rate30d
        expr: 'max(1 - slakit_objective_availability_ratio{tenant="default", service="web", objective="availability"})'
        labels:
          sloth_id: web-availability
          sloth_service: web
          sloth_slo: availability
          sloth_window: 30d
  - name: sloth-slo-meta-recordings-web-availability
    rules:
      - record: slo:objective:ratio
        expr: vector(0.999)
        labels:
          sloth_id: web-availability
          sloth_service: web
          sloth_slo: availability
      - record: slo:error_budget:ratio
        expr: vector(0.001)
        labels:
          sloth_id: web-availability
          sloth_service: web
          sloth_slo: availability
      - record: slo:time_period:days
        expr: vector(30)
        labels:
          sloth_id: web-availability
          sloth_service: web
          sloth_slo: availability
      - record: slo:current_burn_rate:ratio
        expr: |-
          slo:sli_error:ratio_rate5m{sloth_id="web-availability", sloth_service="web", sloth_slo="availability"}
          / on(sloth_id, sloth_slo, sloth_service) group_left
          slo:error_budget:ratio{sloth_id="web-availability", sloth_service="web", sloth_slo="availability"}
        labels:
          sloth_id: web-availability
          sloth_service: web
          sloth_slo: availability
      - record: slo:period_burn_rate:ratio
        expr: |-
          slo:sli_error:ratio_rate30d{sloth_id="web-availability", sloth_service="web", sloth_slo="availability"}
          / on(sloth_id, sloth_slo, sloth_service) group_left
          slo:error_budget:ratio{sloth_id="web-availability", sloth_service="web", sloth_slo="availability"}
        labels:
          sloth_id: web-availability
          sloth_service: web
          sloth_slo: availability
      - record: slo:period_error_budget_remaining:ratio
        expr: '1 - slo:period_burn_rate:ratio{sloth_id="web-availability", sloth_service="web", sloth_slo="availability"}'
        labels:
          sloth_id: web-availability
          sloth_service: web
          sloth_slo: availability
      - record: sloth_slo_info
        expr: vector(1)
        labels:
          slakit_source: slakit
          slakit_tenant: default
          slakit_window: 30d
          sloth_id: web-availability
          sloth_service: web
          sloth_slo: availability
  - name: sloth-slo-alerts-web-availability
    rules:
      - alert: SlakitErrorBudgetBurn
        expr: |-
          (
            max without (sloth_window) (slo:sli_error:ratio_rate5m{sloth_id="web-availability", sloth_service="web", sloth_slo="availability"} > (14.4 * 0.001))
            and
            max without (sloth_window) (slo:sli_error:ratio_rate1h{sloth_id="web-availability", sloth_service="web", sloth_slo="availability"} > (14.4 * 0.001))
          )
          or
          (
            max without (sloth_window) (slo:sli_error:ratio_rate30m{sloth_id="web-availability", sloth_service="web", sloth_slo="availability"} > (6 * 0.001))
            and
            max without (sloth_window) (slo:sli_error:ratio_rate6h{sloth_id="web-availability", sloth_service="web", sloth_slo="availability"} > (6 * 0.001))
          )
        for: 2m
        labels:
          severity: page
          sloth_id: web-availability
          sloth_service: web
          sloth_severity: page
          sloth_slo: availability
        annotations:
          description: 'The error ratio of web/availability (objective 99.9% over 30d, budget 0.001) is above 14.4 x the budget over both 1h and 5m, or above 6 x the budget over both 6h and 30m.'
          summary: 'web/availability is burning its error budget too fast (page)'
      - alert: SlakitErrorBudgetBurn
        expr: |-
          (
            max without (sloth_window) (slo:sli_error:ratio_rate2h{sloth_id="web-availability", sloth_service="web", sloth_slo="availability"} > (3 * 0.001))
            and
            max without (sloth_window) (slo:sli_error:ratio_rate1d{sloth_id="web-availability", sloth_service="web", sloth_slo="availability"} > (3 * 0.001))
          )
          or
          (
            max without (sloth_window) (slo:sli_error:ratio_rate6h{sloth_id="web-availability", sloth_service="web", sloth_slo="availability"} > (1 * 0.001))
            and
            max without (sloth_window) (slo:sli_error:ratio_rate3d{sloth_id="web-availability", sloth_service="web", sloth_slo="availability"} > (1 * 0.001))
          )
        for: 2m
        labels:
          severity: ticket
          sloth_id: web-availability
          sloth_service: web
          sloth_severity: ticket
          sloth_slo: availability
        annotations:
          description: 'The error ratio of web/availability (objective 99.9% over 30d, budget 0.001) is above 3 x the budget over both 1d and 2h, or above 1 x the budget over both 3d and 6h.'
          summary: 'web/availability is burning its error budget too fast (ticket)'
)golden");
}

TEST(RulesCommandTest, TwentyEightDaysScaleTheFactorsAndSpellTheWindow) {
  const Config config = Parse(R"(
services:
  - name: api
    tenant: contoso
    objectives:
      - {name: availability, target: 99, window: 28d, alerting: true}
)");
  const std::string text = Render(config);
  // Sloth names a 28-day window as Prometheus spells it.
  EXPECT_THAT(text, HasSubstr(R"(      - record: slo:sli_error:ratio_rate4w
        expr: 'max(1 - slakit_objective_availability_ratio{tenant="contoso", service="api", objective="availability"})'
        labels:
          sloth_id: api-availability
          sloth_service: api
          sloth_slo: availability
          sloth_window: 4w
)"));
  EXPECT_THAT(text, HasSubstr("expr: vector(28)\n"));
  EXPECT_THAT(text, HasSubstr(R"(burn_window="1h"}) * 0.01')"));
  // Page: 13.44 over 1h/5m and 5.6 over 6h/30m; ticket: 2.8 over 1d/2h and
  // 14/15 over 3d/6h.
  EXPECT_THAT(text, HasSubstr(R"(        expr: |-
          (
            max without (sloth_window) (slo:sli_error:ratio_rate2h{sloth_id="api-availability", sloth_service="api", sloth_slo="availability"} > (2.8 * 0.01))
            and
            max without (sloth_window) (slo:sli_error:ratio_rate1d{sloth_id="api-availability", sloth_service="api", sloth_slo="availability"} > (2.8 * 0.01))
          )
          or
          (
            max without (sloth_window) (slo:sli_error:ratio_rate6h{sloth_id="api-availability", sloth_service="api", sloth_slo="availability"} > (0.9333333333333333 * 0.01))
            and
            max without (sloth_window) (slo:sli_error:ratio_rate3d{sloth_id="api-availability", sloth_service="api", sloth_slo="availability"} > (0.9333333333333333 * 0.01))
          )
        labels:
          severity: ticket
)"));
  EXPECT_THAT(text, HasSubstr("> (13.44 * 0.01))"));
  EXPECT_THAT(text, HasSubstr("> (5.6 * 0.01))"));
  // `alerting: true`: the server's policy, which has no `for`.
  EXPECT_THAT(text, Not(HasSubstr("for:")));
}

TEST(RulesCommandTest, CalendarWindowIsTakenAsItsNominalLength) {
  const Config config = Parse(R"(
timezone: Europe/Paris
services:
  - name: sql
    objectives:
      - {name: availability, target: 99.95, window: month, alerting: true}
)");
  const std::string text = Render(config);
  EXPECT_THAT(text, HasSubstr("  # Calendar window: Sloth's rules are "
                              "rolling, so month@Europe/Paris is taken as "
                              "its nominal 30d (factors, "
                              "slo:time_period:days, the name of its ratio); "
                              "the ratio itself is slakit's, the period to "
                              "date.\n"));
  EXPECT_THAT(text, HasSubstr("record: slo:sli_error:ratio_rate30d\n"));
  EXPECT_THAT(text, HasSubstr("expr: vector(30)\n"));
  EXPECT_THAT(text, HasSubstr("expr: vector(0.9995)\n"));
  EXPECT_THAT(text, HasSubstr("expr: vector(0.0005)\n"));
  EXPECT_THAT(text, HasSubstr("> (14.4 * 0.0005))"));
  EXPECT_THAT(text, HasSubstr("slakit_window: month@Europe/Paris\n"));
}

TEST(RulesCommandTest, BlackboxPoolsTheObjectivesProbes) {
  const Config config = Parse(R"(
services:
  - name: web
    objectives:
      - {name: availability, target: 99, window: 7d, slis: [home, db.port]}
)");
  PrometheusRulesOptions options;
  options.source = RulesSource::kBlackbox;
  const std::string text = Render(config, options);
  EXPECT_THAT(text, HasSubstr(R"(      - record: slo:sli_error:ratio_rate1h
        expr: |-
          1 - (
            sum(sum_over_time(probe_success{service="web", probe=~"home|db\\.port"}[1h]))
            /
            sum(count_over_time(probe_success{service="web", probe=~"home|db\\.port"}[1h]))
          )
)"));
  // The objective's window: the mean of the 5m ratio, as Sloth does.
  EXPECT_THAT(text, HasSubstr(R"(      - record: slo:sli_error:ratio_rate1w
        expr: |-
          sum_over_time(slo:sli_error:ratio_rate5m{sloth_id="web-availability", sloth_service="web", sloth_slo="availability"}[1w])
          / ignoring (sloth_window)
          count_over_time(slo:sli_error:ratio_rate5m{sloth_id="web-availability", sloth_service="web", sloth_slo="availability"}[1w])
)"));
  // Not alerting: recordings only.
  EXPECT_THAT(text, Not(HasSubstr("sloth-slo-alerts-")));
  EXPECT_THAT(text, HasSubstr("no alerts (alerting off)"));

  options.service_label = "job";
  options.probe_label = "instance";
  EXPECT_THAT(
      Render(config, options),
      HasSubstr(R"(probe_success{job="web", instance=~"home|db\\.port"}[5m])"));
}

TEST(RulesCommandTest, CustomTiersAddTheirWindows) {
  const Config config = Parse(R"(
services:
  - name: web
    objectives:
      - name: availability
        target: 99.5
        window: 30d
        alerting:
          for: 90s
          tiers: [{severity: page, long: 4h, short: 20m, factor: 7.5}]
)");
  PrometheusRulesOptions options;
  options.source = RulesSource::kBlackbox;
  const std::string text = Render(config, options);
  EXPECT_THAT(text, HasSubstr("record: slo:sli_error:ratio_rate20m\n"));
  EXPECT_THAT(text, HasSubstr("record: slo:sli_error:ratio_rate4h\n"));
  EXPECT_THAT(text, HasSubstr("> (7.5 * 0.005))"));
  EXPECT_THAT(text, HasSubstr("        for: 1m30s\n"));
  EXPECT_THAT(text, HasSubstr("(its own tiers)"));
  // A page tier only: no ticket alert.
  EXPECT_THAT(text, Not(HasSubstr("severity: ticket")));

  // slakit serve's /metrics has no 20m burn rate.
  absl::StatusOr<std::string> from_slakit =
      RenderPrometheusRules(config, PrometheusRulesOptions());
  EXPECT_EQ(from_slakit.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(from_slakit.status().message(),
              HasSubstr("objective 'web/availability': alert tier window 20m "
                        "is not a burn window of slakit serve's /metrics"));
}

TEST(RulesCommandTest, NamesAreQuotedForPromQlAndYaml) {
  Config config;
  ServiceConfig service;
  service.name = "we\"b\\x";
  ObjectiveSpec spec;
  spec.service = service.name;
  spec.name = "it's #1";
  spec.slis = {"a.b", "c|d"};
  service.objectives.push_back(spec);
  service.rules.emplace_back();
  config.services.push_back(service);
  PrometheusRulesOptions options;
  options.source = RulesSource::kBlackbox;
  const std::string text = Render(config, options);
  EXPECT_THAT(
      text,
      HasSubstr(
          R"(probe_success{service="we\"b\\x", probe=~"a\\.b|c\\|d"}[5m])"));
  EXPECT_THAT(text, HasSubstr(R"(          sloth_id: 'we"b\x-it''s #1')"
                              "\n"));
  EXPECT_THAT(text, HasSubstr(R"(          sloth_slo: 'it''s #1')"
                              "\n"));
  EXPECT_THAT(
      text,
      HasSubstr(
          R"(        expr: '1 - slo:period_burn_rate:ratio{sloth_id="we\"b\\x-it''s #1", )"));
  EXPECT_THAT(
      text,
      HasSubstr("  - name: 'sloth-slo-sli-recordings-we\"b\\x-it''s #1'\n"));
}

TEST(RulesCommandTest, ApplicationObjectivesNeedAQuery) {
  const Config config = Parse(R"(
services:
  - {name: web}
  - {name: sql}
applications:
  - name: shop
    components: {all_of: [web, sql]}
    objectives:
      - {name: availability, target: 99.5, window: 30d, alerting: true}
)");
  const std::string skipped = Render(config);
  EXPECT_THAT(skipped, HasSubstr("# Not exported: application objective "
                                 "shop/availability (composite minutes are "
                                 "slakit's own); give --error-ratio-query "
                                 "shop/availability=PROMQL to export it.\n"
                                 "groups: []\n"));

  PrometheusRulesOptions options;
  options.error_ratio_queries["shop/availability"] =
      R"(1 - avg(avg_over_time(up{job="shop"}[{{.window}}])))";
  const std::string text = Render(config, options);
  EXPECT_THAT(text, HasSubstr(R"(      - record: slo:sli_error:ratio_rate30m
        expr: '1 - avg(avg_over_time(up{job="shop"}[30m]))'
)"));
  EXPECT_THAT(text, HasSubstr("sloth-slo-alerts-shop-availability"));
  EXPECT_THAT(text, HasSubstr("slakit_source: query\n"));
  EXPECT_THAT(text, Not(HasSubstr("Not exported")));
}

TEST(RulesCommandTest, NoObjectivesIsAnEmptyRuleFile) {
  EXPECT_THAT(Render(Config()), HasSubstr("\ngroups: []\n"));
}

TEST(RulesCommandTest, BadOptionsAndCollisionsAreInvalidArgument) {
  const Config config = Parse(R"(
services:
  - name: a-b
    objectives: [{name: c, target: 99, window: 30d}]
  - name: a
    objectives: [{name: b-c, target: 99, window: 30d}]
)");
  const auto message = [&](const PrometheusRulesOptions& options) {
    absl::StatusOr<std::string> text = RenderPrometheusRules(config, options);
    EXPECT_EQ(text.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(text.status().message());
  };
  EXPECT_EQ(message({}),
            "objective 'a/b-c': its sloth_id 'a-b-c' is also that of 'a-b/c' "
            "(rule group names would repeat)");

  PrometheusRulesOptions options;
  options.error_ratio_queries["a-b/c"] = "x[{{.window}}]";
  options.error_ratio_queries["a-b/nope"] = "x[{{.window}}]";
  EXPECT_THAT(message(options), HasSubstr("'a-b/nope': no such objective"));

  options.error_ratio_queries.erase("a-b/nope");
  options.error_ratio_queries["a-b/c"] = "up";
  EXPECT_THAT(message(options), HasSubstr("'a-b/c': no {{.window}}"));

  options = {};
  options.probe_label = "probe-name";
  EXPECT_THAT(message(options),
              HasSubstr("'probe-name' is not a Prometheus label name"));
}

TEST(RulesCommandTest, RunRulesChecksItsOptions) {
  RulesOptions options;
  options.config = "/nonexistent/slakit.yaml";
  options.source = "statsd";
  EXPECT_EQ(RunRules(options).status().message(),
            "--source: 'statsd' is not slakit or blackbox");
  options.source = "blackbox";
  options.error_ratio_queries = {"web-availability=up[{{.window}}]"};
  EXPECT_THAT(RunRules(options).status().message(),
              HasSubstr("is not service/objective=PROMQL"));
  options.error_ratio_queries = {};
  EXPECT_EQ(RunRules(options).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace sla::cli
