#include "sla/config.h"

#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sla {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The example of the configuration issue, verbatim.
constexpr char kExample[] = R"yaml(timezone: Europe/Paris
services:
  - name: sql
    owner: provider
    contract: {catalog: azure/sql-database, target: 99.99, period: month,
               downtime: {interval: 1m, max_error_ratio: 0.0, no_data: up},
               maintenance_counts_as_downtime: false,
               credits: [{below: 99.99, credit: 10}, {below: 99, credit: 25}, {below: 95, credit: 100}]}
    objectives:
      - {name: availability, sli: probe_success, target: 99.9, window: 30d,
         budgeting: occurrences, alerting: true}
  - name: web
  - name: queue
    owner: provider
applications:
  - {name: orders, components: {all_of: [web, {any_of: [sql, queue]}]}}
maintenance:
  - {service: sql, start: 2024-01-10T02:00:00Z, end: 2024-01-10T03:00:00Z}
)yaml";

absl::Time T(const char* text) { return ParseTimestamp(text).value(); }

TEST(ConfigTest, ParsesTheDocumentedExample) {
  absl::StatusOr<Config> c = ParseConfig(kExample, "slakit.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->timezone, "Europe/Paris");
  EXPECT_EQ(c->zone.name(), "Europe/Paris");
  ASSERT_EQ(c->services.size(), 3u);
  const ServiceConfig& sql = c->services[0];
  EXPECT_EQ(sql.name, "sql");
  EXPECT_EQ(sql.owner, Owner::kProvider);
  EXPECT_EQ(sql.catalog_id, "azure/sql-database");
  ASSERT_TRUE(sql.contract.has_value());
  EXPECT_EQ(sql.contract->commitment_percent, 99.99);
  EXPECT_EQ(sql.contract->period, CalendarUnit::kMonth);
  EXPECT_EQ(sql.contract->zone.name(), "Europe/Paris");
  EXPECT_EQ(sql.contract->interval, absl::Minutes(1));
  EXPECT_EQ(sql.contract->max_error_ratio, 0.0);
  EXPECT_EQ(sql.contract->no_data, NoDataPolicy::kUp);
  EXPECT_FALSE(sql.contract->maintenance_counts_as_downtime);
  ASSERT_EQ(sql.contract->credits.size(), 3u);
  EXPECT_EQ(sql.contract->credits[1].below_percent, 99);
  EXPECT_EQ(sql.contract->credits[1].credit_percent, 25);
  ASSERT_EQ(sql.objectives.size(), 1u);
  EXPECT_EQ(sql.objectives[0].service, "sql");
  EXPECT_EQ(sql.objectives[0].name, "availability");
  EXPECT_EQ(sql.objectives[0].target_percent, 99.9);
  EXPECT_EQ(sql.objectives[0].window, "30d");
  EXPECT_EQ(sql.objectives[0].method, BudgetingMethod::kOccurrences);
  EXPECT_TRUE(sql.objectives[0].alerting);
  EXPECT_EQ(c->services[1].owner, Owner::kApplication);  // the default
  EXPECT_FALSE(c->services[1].contract.has_value());
  ASSERT_EQ(c->applications.size(), 1u);
  EXPECT_EQ(c->applications[0].components.ToString(),
            "all_of(web, any_of(sql, queue))");
  ASSERT_EQ(c->maintenance.size(), 1u);
  EXPECT_EQ(c->maintenance[0].service, "sql");
  EXPECT_EQ(c->maintenance[0].window.from, T("2024-01-10T02:00:00Z"));
  EXPECT_EQ(c->maintenance[0].window.to, T("2024-01-10T03:00:00Z"));
  EXPECT_EQ(c->MaintenanceOf("sql").size(), 1u);
  EXPECT_TRUE(c->MaintenanceOf("web").empty());
  EXPECT_NE(c->FindService("queue"), nullptr);
  EXPECT_EQ(c->FindService("nope"), nullptr);
  EXPECT_NE(c->FindApplication("orders"), nullptr);
}

TEST(ConfigTest, TenantsOfServicesAndApplications) {
  absl::StatusOr<Config> c = ParseConfig(R"(
services:
  - {name: web, tenant: contoso}
  - {name: sql, tenant: contoso}
  - {name: hub}
applications:
  - {name: shop, components: {all_of: [web, sql]}}
)",
                                         "t.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->services[0].tenant, "contoso");
  EXPECT_EQ(c->services[2].tenant, "default");
  EXPECT_EQ(c->applications[0].tenant, "contoso");

  absl::StatusOr<Config> bad = ParseConfig(R"(
services:
  - {name: web, tenant: contoso}
  - {name: sql, tenant: "bad tenant"}
  - {name: hub, tenant: fabrikam}
applications:
  - {name: shop, components: {all_of: [web, hub]}}
)",
                                           "t.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(),
              HasSubstr("t.yaml:4:25: services[1].tenant: 'bad tenant' is "
                        "not a tenant name"));
  EXPECT_THAT(bad.status().message(),
              HasSubstr("applications[0].components: combines services of "
                        "tenants 'fabrikam' and 'contoso'"));
  EXPECT_TRUE(IsValidTenantName("a.b_c-1"));
  EXPECT_FALSE(IsValidTenantName("-a"));
  EXPECT_FALSE(IsValidTenantName(std::string(65, 'a')));
  EXPECT_FALSE(IsValidTenantName(""));
}

TEST(ConfigTest, AlertingPoliciesRemediationAndSinks) {
  absl::StatusOr<Config> c = ParseConfig(R"(
services:
  - name: web
    objectives:
      - {name: a, target: 99, alerting: true}
      - name: b
        target: 99.9
        alerting:
          min_short_window_events: 10
          for: 2m
          resolve_after: 10m
          exhaustion_warning: 3d
          tiers: [{severity: page, long: 1h, short: 5m, factor: 10}]
        remediation: {command: [/bin/restart, web], on: any, cooldown: 0s,
                      max_attempts: 2, per: 30m, timeout: 20s, dry_run: yes}
      - {name: c, target: 99}
alert_sinks:
  - {command: [/usr/bin/notify], timeout: 3s}
  - {webhook: {url: "http://127.0.0.1:9/hook", headers: ["X-Key: 1"]}}
)",
                                         "a.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  const ServiceConfig& web = c->services[0];
  ASSERT_EQ(web.rules.size(), 3u);
  EXPECT_TRUE(web.objectives[0].alerting);
  EXPECT_TRUE(web.rules[0].alert_policy.tiers.empty());  // the defaults
  EXPECT_FALSE(web.rules[0].remediation.has_value());
  EXPECT_TRUE(web.objectives[1].alerting);  // a policy map means alerting
  EXPECT_FALSE(web.rules[0].custom_policy);
  EXPECT_TRUE(web.rules[1].custom_policy);
  const AlertPolicy& p = web.rules[1].alert_policy;
  ASSERT_EQ(p.tiers.size(), 1u);
  EXPECT_EQ(p.tiers[0].severity, "page");
  EXPECT_EQ(p.tiers[0].long_window, absl::Hours(1));
  EXPECT_EQ(p.tiers[0].short_window, absl::Minutes(5));
  EXPECT_EQ(p.tiers[0].factor, 10);
  EXPECT_EQ(p.min_short_window_events, 10);
  EXPECT_EQ(p.for_duration, absl::Minutes(2));
  EXPECT_EQ(p.resolve_after, absl::Minutes(10));
  EXPECT_EQ(web.rules[1].exhaustion_warning, absl::Hours(72));
  EXPECT_EQ(web.rules[0].exhaustion_warning, absl::ZeroDuration());
  ASSERT_TRUE(web.rules[1].remediation.has_value());
  const RemediationConfig& r = *web.rules[1].remediation;
  EXPECT_EQ(r.command, (std::vector<std::string>{"/bin/restart", "web"}));
  EXPECT_EQ(r.on, "any");
  EXPECT_EQ(r.cooldown, absl::ZeroDuration());
  EXPECT_EQ(r.max_attempts, 2);
  EXPECT_EQ(r.per, absl::Minutes(30));
  EXPECT_EQ(r.timeout, absl::Seconds(20));
  EXPECT_TRUE(r.dry_run);
  EXPECT_FALSE(web.objectives[2].alerting);
  ASSERT_EQ(c->alert_sinks.size(), 2u);
  EXPECT_EQ(c->alert_sinks[0].command,
            (std::vector<std::string>{"/usr/bin/notify"}));
  EXPECT_EQ(c->alert_sinks[0].timeout, absl::Seconds(3));
  EXPECT_EQ(c->alert_sinks[1].webhook_url, "http://127.0.0.1:9/hook");
  EXPECT_EQ(c->alert_sinks[1].headers, (std::vector<std::string>{"X-Key: 1"}));
  EXPECT_EQ(c->alert_sinks[1].timeout, absl::Seconds(10));

  absl::StatusOr<Config> bad = ParseConfig(R"(
services:
  - name: web
    objectives:
      - name: a
        target: 99
        alerting: {tiers: [{severity: page, long: 5m, short: 1h, factor: 2}]}
      - {name: b, target: 99, remediation: {command: [restart]}}
      - {name: c, target: 99, alerting: {tiers: [{severity: page, long: 1h}]}}
alert_sinks:
  - {command: [/bin/x], webhook: {url: "http://x"}}
  - {webhook: {url: "ftp://x"}}
)",
                                           "b.yaml");
  ASSERT_FALSE(bad.ok());
  const std::string m(bad.status().message());
  EXPECT_THAT(m, HasSubstr("b.yaml:7:"));
  EXPECT_THAT(m, HasSubstr("services[0].objectives[0].alerting.tiers[0]"));
  EXPECT_THAT(m, HasSubstr("objectives[1].remediation.command[0]: 'restart': "
                           "the program must be an absolute path"));
  EXPECT_THAT(m, HasSubstr("objectives[1].remediation: acts on this "
                           "objective's alerts: set `alerting`"));
  EXPECT_THAT(m, HasSubstr("objectives[2].alerting.tiers[0].short: missing"));
  EXPECT_THAT(m, HasSubstr("alert_sinks[0]: give exactly one of command, "
                           "webhook"));
  EXPECT_THAT(m, HasSubstr("alert_sinks[1].webhook.url: 'ftp://x' is not an "
                           "http:// or https:// URL"));
}

TEST(ConfigTest, KOfNAndStringExpressionsAndNestedApplications) {
  absl::StatusOr<Config> c = ParseConfig(R"yaml(
services: [{name: a}, {name: b}, {name: c}, {name: d}]
applications:
  - {name: core, components: {k_of_n: {k: 2, of: [a, b, c]}}}
  - {name: site, components: "all_of(core, d)"}
)yaml",
                                         "x.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->applications[0].components.ToString(), "k_of_n(2, a, b, c)");
  // References to applications are expanded into their expressions.
  EXPECT_EQ(c->applications[1].components.ToString(),
            "all_of(k_of_n(2, a, b, c), d)");
}

// Every problem of a file is reported, each with file:line:column and the
// path of the field.
TEST(ConfigTest, ReportsEveryProblemWithPositionAndPath) {
  absl::StatusOr<Config> c = ParseConfig(R"yaml(services:
  - name: web
    colour: blue
    contract: {target: 100.5, downtime: {interval: 5x}}
    objectives:
      - {name: a, target: 0, window: 30days}
  - name: web
)yaml",
                                         "bad.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string m(c.status().message());
  EXPECT_THAT(m, HasSubstr("bad.yaml:3:5: services[0].colour: unknown key"));
  EXPECT_THAT(m, HasSubstr("bad.yaml:4:24: services[0].contract.target: "
                           "100.5 is not a percentage in (0, 100)"));
  EXPECT_THAT(m, HasSubstr("services[0].contract.downtime.interval: "
                           "duration '5x'"));
  EXPECT_THAT(m, HasSubstr("bad.yaml:6:27: services[0].objectives[0].target: "
                           "0 is not a percentage"));
  EXPECT_THAT(m, HasSubstr("services[0].objectives[0].window: window "
                           "'30days'"));
  EXPECT_THAT(m, HasSubstr("bad.yaml:7:11: services[1].name: service 'web' "
                           "is declared twice"));
}

TEST(ConfigTest, ApplicationCyclesAndUnknownNamesAreErrors) {
  absl::StatusOr<Config> c = ParseConfig(R"yaml(services: [{name: a}]
applications:
  - {name: x, components: {all_of: [a, y]}}
  - {name: y, components: {any_of: [x, a]}}
  - {name: z, components: {all_of: [a, ghost]}}
  - {name: w, components: {k_of_n: {k: 3, of: [a, a]}}}
)yaml",
                                         "apps.yaml");
  ASSERT_FALSE(c.ok());
  const std::string m(c.status().message());
  EXPECT_THAT(m, HasSubstr("applications[0].components: cycle between "
                           "applications: x -> y -> x"));
  EXPECT_THAT(m, HasSubstr("applications[2].components: 'ghost' is neither "
                           "a service nor an application"));
  EXPECT_THAT(m, HasSubstr("applications[3].components.k_of_n.k: 3 is more "
                           "than the 2 components listed"));
}

TEST(ConfigTest, MaintenanceMustNotOverlapAndMustEndAfterItStarts) {
  absl::StatusOr<Config> c =
      ParseConfig(R"yaml(services: [{name: sql}, {name: web}]
maintenance:
  - {service: sql, start: 2024-01-10T02:00:00Z, end: 2024-01-10T03:00:00Z}
  - {service: sql, start: 2024-01-10T02:30:00Z, end: 2024-01-10T04:00:00Z}
  - {service: web, start: 2024-01-10T02:30:00Z, end: 2024-01-10T04:00:00Z}
  - {service: sql, start: 2024-01-10T03:00:00Z, end: 2024-01-10T03:00:00Z}
  - {service: db, start: 2024-01-10T05:00:00Z, end: 2024-01-10T06:00:00Z}
)yaml",
                  "m.yaml");
  ASSERT_FALSE(c.ok());
  const std::string m(c.status().message());
  EXPECT_THAT(m, HasSubstr("m.yaml:4:5: maintenance[1]: overlaps another "
                           "maintenance window of 'sql'"));
  // Another service's window at the same time is fine.
  EXPECT_THAT(m, Not(HasSubstr("maintenance[2]")));
  EXPECT_THAT(m, HasSubstr("maintenance[3].end: the window ends before or "
                           "when it starts"));
  EXPECT_THAT(m, HasSubstr("maintenance[4].service: unknown service 'db'"));
}

TEST(ConfigTest, AdjacentMaintenanceWindowsDoNotOverlap) {
  absl::StatusOr<Config> c = ParseConfig(R"yaml(services: [{name: sql}]
maintenance:
  - {service: sql, start: 2024-01-10T02:00:00Z, end: 2024-01-10T03:00:00Z}
  - {service: sql, start: 2024-01-10T03:00:00Z, end: 2024-01-10T04:00:00Z}
)yaml",
                                         "m.yaml");
  EXPECT_TRUE(c.ok()) << c.status();
}

TEST(ConfigTest, BadYamlAndBadTopLevel) {
  absl::StatusOr<Config> c = ParseConfig("services: [a, b\n", "y.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("not valid YAML"));
  c = ParseConfig("timezone: Mars/Olympus\nservice: []\n", "t.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(std::string(c.status().message()),
              HasSubstr("t.yaml:2:1: config.service: unknown key"));
  EXPECT_THAT(std::string(c.status().message()),
              HasSubstr("t.yaml:1:11: timezone: unknown time zone"));
  EXPECT_EQ(ParseConfig("", "e.yaml").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadConfig("/nonexistent/slakit.yaml").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(ConfigTest, ContractTiersAreValidatedAsAWhole) {
  absl::StatusOr<Config> c = ParseConfig(R"yaml(services:
  - name: s
    contract: {target: 99.9, credits: [{below: 99, credit: 25}, {below: 99.9, credit: 10}]}
)yaml",
                                         "c.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(std::string(c.status().message()),
              HasSubstr("c.yaml:3:39: services[0].contract.credits: "));
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("credits[1]"));
}

TEST(ConfigTest, CatalogEntryGivesDefaultsAndFileFieldsOverride) {
  absl::StatusOr<Config> c = ParseConfig(R"yaml(services:
  - name: web
    contract: {catalog: azure/app-service}
  - name: web2
    contract: {catalog: azure/app-service, target: 99.9,
               maintenance_counts_as_downtime: false}
  - name: web3
    contract: {catalog: azure/no-such-thing, target: 99.9}
)yaml",
                                         "cat.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(std::string(c.status().message()),
              HasSubstr("cat.yaml:8:25: services[2].contract.catalog: "));
  // Without the bad entry the file is valid: the catalog gives the target.
  // App Service states no computable downtime rule, so the file gives one.
  c = ParseConfig(R"yaml(services:
  - name: web
    contract: {catalog: azure/app-service, downtime: {interval: 1m}}
  - name: web2
    contract: {catalog: azure/app-service, target: 99.9,
               downtime: {interval: 5m}, maintenance_counts_as_downtime: false}
)yaml",
                  "cat.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  const ContractSpec& web = *c->services[0].contract;
  EXPECT_EQ(c->services[0].catalog_id, "azure/app-service");
  EXPECT_EQ(web.commitment_percent, 99.95);         // from the catalog
  EXPECT_TRUE(web.maintenance_counts_as_downtime);  // Azure's general terms
  const ContractSpec& web2 = *c->services[1].contract;
  EXPECT_EQ(web2.commitment_percent, 99.9);  // the file wins
  EXPECT_FALSE(web2.maintenance_counts_as_downtime);
}

TEST(ConfigTest, CatalogEntryWithoutAComputableRuleNeedsDowntime) {
  // Functions (Consumption) words uptime as a ratio of requests over the
  // month, which intervals cannot express: the file must say how to count.
  absl::StatusOr<Config> c = ParseConfig(R"yaml(services:
  - name: f
    contract: {catalog: azure/functions/consumption}
)yaml",
                                         "f.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(std::string(c.status().message()),
              HasSubstr("services[0].contract.downtime: missing: catalog "
                        "entry 'azure/functions/consumption' states no "
                        "downtime rule"));
  c = ParseConfig(R"yaml(services:
  - name: f
    contract: {catalog: azure/functions/consumption,
               downtime: {method: request_based, interval: 1h}}
)yaml",
                  "f.yaml");
  EXPECT_TRUE(c.ok()) << c.status();
}

TEST(ConfigTest, OnlyMonthlyContractPeriods) {
  absl::StatusOr<Config> c = ParseConfig(R"yaml(services:
  - name: s
    contract: {target: 99.9, period: quarter}
)yaml",
                                         "p.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(std::string(c.status().message()),
              HasSubstr("p.yaml:3:38: services[0].contract.period: 'quarter'"));
}

TEST(ConfigTest, ContractProblemsPointAtTheirField) {
  absl::StatusOr<Config> c = ParseConfig(R"yaml(services:
  - name: s
    contract: {target: 99.9, downtime: {interval: 7m}}
  - name: t
    contract: {target: 99.9, credits: [{below: 99, credit: 25}, {below: 99.9, credit: 10}]}
)yaml",
                                         "v.yaml");
  ASSERT_FALSE(c.ok());
  const std::string m(c.status().message());
  EXPECT_THAT(m, HasSubstr("v.yaml:3:51: services[0].contract.downtime."
                           "interval: interval 7m"));
  EXPECT_THAT(m, HasSubstr("v.yaml:5:39: services[1].contract.credits: "
                           "credits[1].below"));
  EXPECT_THAT(m, Not(HasSubstr("below_percent")));
}

TEST(ConfigTest, ApplicationObjectivesCountCompositeMinutesOnly) {
  absl::StatusOr<Config> c = ParseConfig(R"yaml(services: [{name: a}]
applications:
  - name: app
    components: a
    objectives:
      - {name: o, target: 99, budgeting: timeslices, slice: 5m}
)yaml",
                                         "a.yaml");
  ASSERT_FALSE(c.ok());
  const std::string m(c.status().message());
  EXPECT_THAT(m, HasSubstr("applications[0].objectives[0].slice: not for an "
                           "application"));
  EXPECT_THAT(m, HasSubstr("applications[0].objectives[0].budgeting: an "
                           "application's objective"));
}

// Applications' objectives alert like services' ones (issue 6): `alerting`
// true or a policy fills `rules` parallel to `objectives`; recovery actions
// and the early warning are not wired for them and are refused.
TEST(ConfigTest, ApplicationObjectivesAlertWithTheirRules) {
  absl::StatusOr<Config> c = ParseConfig(R"yaml(services: [{name: a}, {name: b}]
applications:
  - name: app
    components: {all_of: [a, b]}
    objectives:
      - {name: o, target: 99, alerting: true}
      - name: p
        target: 99.5
        window: 7d
        alerting: {for: 2m, tiers: [{severity: page, long: 1h, short: 5m,
                                     factor: 10}]}
      - {name: q, target: 99}
)yaml",
                                         "a.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  const ApplicationConfig& app = c->applications[0];
  ASSERT_EQ(app.objectives.size(), 3u);
  ASSERT_EQ(app.rules.size(), 3u);
  EXPECT_EQ(app.objectives[0].service, "app");
  EXPECT_TRUE(app.objectives[0].alerting);
  EXPECT_FALSE(app.rules[0].custom_policy);
  EXPECT_TRUE(app.objectives[1].alerting);
  EXPECT_TRUE(app.rules[1].custom_policy);
  EXPECT_EQ(app.rules[1].alert_policy.for_duration, absl::Minutes(2));
  ASSERT_EQ(app.rules[1].alert_policy.tiers.size(), 1u);
  EXPECT_EQ(app.rules[1].alert_policy.tiers[0].factor, 10);
  EXPECT_FALSE(app.objectives[2].alerting);
  EXPECT_FALSE(app.rules[2].remediation.has_value());

  c = ParseConfig(R"yaml(services: [{name: a}]
applications:
  - name: app
    components: a
    objectives:
      - name: o
        target: 99
        alerting: {exhaustion_warning: 3d}
        remediation: {command: [/bin/true]}
      - {name: o, target: 98}
)yaml",
                  "r.yaml");
  ASSERT_FALSE(c.ok());
  const std::string m(c.status().message());
  EXPECT_THAT(m, HasSubstr("r.yaml:9:22: applications[0].objectives[0]."
                           "remediation: applications' objectives run no "
                           "recovery action yet"));
  EXPECT_THAT(m,
              HasSubstr("r.yaml:8:40: applications[0].objectives[0].alerting."
                        "exhaustion_warning: applications' objectives "
                        "have no early warning yet"));
  EXPECT_THAT(m, HasSubstr("r.yaml:10:9: applications[0].objectives[1].name: "
                           "objective 'o' is declared twice"));
}

}  // namespace
}  // namespace sla
