// Hostile slakit.yaml and OpenSLO inputs (slakit issue 10, bad-input
// catalogue; docs/BAD_INPUT.md, "config"). One table per parser: each row
// is a name, the text, and the expected outcome: InvalidArgument with a
// message that says where (source:line:column and field path) and why, or
// acceptance with the exact values kept. Parsing is a pure function, so
// "nothing stored changes" is checked by parsing a reference configuration
// before and after every row and comparing the results.

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sla/config.h"
#include "sla/openslo.h"

namespace sla {
namespace {

using ::testing::HasSubstr;

// A valid configuration the rows are variations of.
constexpr char kValid[] = R"yaml(services:
  - name: web
    contract: {target: 99.9, period: month}
    objectives:
      - {name: availability, target: 99, window: 30d}
  - {name: sql, owner: provider}
applications:
  - {name: shop, components: "all_of(web, sql)"}
)yaml";

std::string Repeat(absl::string_view s, int n) {
  std::string out;
  out.reserve(s.size() * n);
  for (int i = 0; i < n; ++i) out.append(s.data(), s.size());
  return out;
}

// A one-line summary of a parsed configuration, to compare before / after.
std::string Summary(const Config& c) {
  std::string out = absl::StrCat("tz=", c.timezone);
  for (const ServiceConfig& s : c.services) {
    absl::StrAppend(&out, " service=", s.name, "/", s.tenant, "/",
                    s.objectives.size());
  }
  for (const ApplicationConfig& a : c.applications) {
    absl::StrAppend(&out, " app=", a.name, "=", a.components.ToString());
  }
  for (const MaintenanceWindow& m : c.maintenance) {
    absl::StrAppend(&out, " maint=", m.service, "[",
                    absl::FormatTime(m.window.from), ",",
                    absl::FormatTime(m.window.to), ")");
  }
  return out;
}

struct Row {
  std::string name;
  std::string yaml;
  // Empty: the configuration is accepted and Summary() equals `summary`.
  // Otherwise InvalidArgument whose message contains every substring.
  std::vector<std::string> error;
  std::string summary;
};

std::vector<Row> ConfigRows() {
  const std::string deep_text = absl::StrCat(
      "applications:\n  - {name: deep, components: \"",
      Repeat("all_of(", 10000), "web", Repeat(")", 10000), "\"}\n");
  const std::string ok_1000 =
      absl::StrCat("applications:\n  - {name: deep, components: \"",
                   Repeat("all_of(", 999), "web", Repeat(")", 999), "\"}\n");
  const std::string deep_yaml = absl::StrCat(
      "applications:\n  - name: deep\n    components: ",
      Repeat("{all_of: [", 10000), "web", Repeat("]}", 10000), "\n");
  const std::string services = "services:\n  - {name: web}\n  - {name: sql}\n";
  // 20 applications, each using the previous one twice: expanding them
  // would make an expression of 2^20 components.
  std::string doubling = services +
                         "applications:\n  - {name: a0, components: "
                         "\"all_of(web, sql)\"}\n";
  for (int i = 1; i <= 20; ++i) {
    absl::StrAppend(&doubling, "  - {name: a", i, ", components: \"all_of(a",
                    i - 1, ", a", i - 1, ")\"}\n");
  }
  // 1100 applications, each all_of(the previous one): a999 expands to an
  // expression 1001 levels deep.
  std::string chain =
      services + "applications:\n  - {name: a0, components: \"all_of(web)\"}\n";
  for (int i = 1; i < 1100; ++i) {
    absl::StrAppend(&chain, "  - {name: a", i, ", components: \"all_of(a",
                    i - 1, ")\"}\n");
  }
  std::string many_services = "services:\n";
  for (int i = 0; i < 20000; ++i) {
    absl::StrAppend(&many_services, "  - {name: s", i, "}\n");
  }
  std::string many_summary = "tz=UTC";
  for (int i = 0; i < 20000; ++i) {
    absl::StrAppend(&many_summary, " service=s", i, "/default/0");
  }
  auto obj = [](absl::string_view target, absl::string_view window) {
    return absl::StrCat(
        "services:\n  - name: web\n    objectives:\n"
        "      - {name: a, target: ",
        target, ", window: ", window, "}\n");
  };
  auto maint = [](absl::string_view start, absl::string_view end) {
    return absl::StrCat(
        "services:\n  - {name: web}\nmaintenance:\n  - {service: web, start: ",
        start, ", end: ", end, "}\n");
  };

  return {
      {"empty file", "", {"t.yaml: the configuration is empty"}},
      {"only a comment",
       "# nothing here\n",
       {"t.yaml: the configuration is empty"}},
      {"not a map", "- web\n- sql\n", {"t.yaml:1:1: config: expected a map"}},
      {"not YAML", "services: [web\n", {"t.yaml:", "not valid YAML"}},
      {"huge file: 20000 services", many_services, {}, many_summary},
      {"unknown top-level key",
       absl::StrCat(kValid, "colour: blue\n"),
       {"t.yaml:9:1: config.colour: unknown key"}},
      {"unknown service key",
       "services:\n  - {name: web, colour: blue}\n",
       {"t.yaml:2:17: services[0].colour: unknown key"}},
      {"duplicated service",
       "services:\n  - {name: web}\n  - {name: web}\n",
       {"t.yaml:3:12: services[1].name: service 'web' is declared twice"}},
      {"duplicated objective",
       "services:\n  - name: web\n    objectives:\n"
       "      - {name: a, target: 99, window: 30d}\n"
       "      - {name: a, target: 98, window: 30d}\n",
       {"t.yaml:5:9: services[0].objectives[1].name: objective 'a' is "
        "declared twice"}},
      {"duplicated application",
       services + "applications:\n  - {name: x, components: web}\n"
                  "  - {name: x, components: sql}\n",
       {"applications[1].name: ", "'x'"}},
      {"empty service name",
       "services:\n  - {name: \"\"}\n",
       {"t.yaml:2:12: services[0].name: expected a non-empty string"}},
      {"non-UTF-8 service name",
       "services:\n  - {name: \"w\xff\xfe\"}\n",
       {"t.yaml:2:12: services[0].name: byte 2 (0xff) is not valid UTF-8"}},
      {"non-UTF-8 objective name",
       "services:\n  - name: web\n    objectives:\n"
       "      - {name: \xc3(, target: 99, window: 30d}\n",
       {"services[0].objectives[0].name: ", "not valid UTF-8"}},
      {"NaN target",
       obj(".nan", "30d"),
       {"t.yaml:4:27: services[0].objectives[0].target: expected a finite "
        "number, got '.nan'"}},
      {"Inf target",
       obj(".inf", "30d"),
       {"services[0].objectives[0].target: expected a finite number, got "
        "'.inf'"}},
      {"negative target",
       obj("-99", "30d"),
       {"services[0].objectives[0].target: -99 is not a percentage in "
        "(0, 100)"}},
      {"target 100",
       obj("100", "30d"),
       {"services[0].objectives[0].target: 100 is not a percentage in "
        "(0, 100)"}},
      {"huge target",
       obj("1e308", "30d"),
       {"services[0].objectives[0].target: 1e308 is not a percentage"}},
      {"NaN contract target",
       "services:\n  - {name: web, contract: {target: .nan}}\n",
       {"services[0].contract.target: expected a finite number, got '.nan'"}},
      {"negative window",
       obj("99", "-30d"),
       {"services[0].objectives[0].window: ", "-30d"}},
      {"zero window",
       obj("99", "0d"),
       {"services[0].objectives[0].window: ", "0d"}},
      {"NaN window",
       obj("99", ".nan"),
       {"services[0].objectives[0].window: ", ".nan"}},
      {"Inf window",
       obj("99", ".inf"),
       {"services[0].objectives[0].window: ", ".inf"}},
      {"window past 2^40 days",
       obj("99", "1099511627777d"),
       {"services[0].objectives[0].window: ", "1099511627777d"}},
      {"window summing to infinity",
       obj("99", Repeat("1099511627776w", 20)),
       {"services[0].objectives[0].window: "}},
      {"deeply nested expression text (10000 all_of)",
       absl::StrCat(services, deep_text),
       {"applications[0].components: ", "nested deeper than 1000"}},
      {"nested expression text at the limit (999 all_of)",
       absl::StrCat(services, ok_1000),
       {},
       absl::StrCat("tz=UTC service=web/default/0 service=sql/default/0 "
                    "app=deep=",
                    Repeat("all_of(", 999), "web", Repeat(")", 999))},
      {"deeply nested YAML expression (10000 all_of maps)",
       absl::StrCat(services, deep_yaml),
       {"t.yaml:6:120019: not valid YAML: nested deeper than 499 levels"}},
      {"application referencing itself",
       services + "applications:\n  - {name: x, components: "
                  "\"all_of(web, x)\"}\n",
       {"t.yaml:5:27: applications[0].components: cycle between "
        "applications: x -> x"}},
      {"cycle of two applications",
       services + "applications:\n  - {name: x, components: y}\n"
                  "  - {name: y, components: \"any_of(sql, x)\"}\n",
       {"applications[0].components: cycle between applications: x -> y -> "
        "x"}},
      {"applications doubling 20 times (2^20 components)",
       doubling,
       {"applications[15].components: expands to more than 100000 "
        "components and groups (applications used many times over: a15 "
        "-> a14"}},
      {"a chain of 1100 applications",
       chain,
       {"applications[999].components: nested deeper than 1000 levels once "
        "applications are expanded (a999 -> a998 -> ... -> a1 -> a0)"}},
      {"maintenance in year 1",
       maint("0001-01-01T00:00:00Z", "0001-01-01T01:00:00Z"),
       {},
       "tz=UTC service=web/default/0 maint=web[1-01-01T00:00:00+00:00,"
       "1-01-01T01:00:00+00:00)"},
      {"maintenance until year 9999",
       maint("2024-01-01T00:00:00Z", "9999-12-31T23:59:59Z"),
       {},
       "tz=UTC service=web/default/0 maint=web[2024-01-01T00:00:00+00:00,"
       "9999-12-31T23:59:59+00:00)"},
      {"maintenance until year 10000",
       maint("2024-01-01T00:00:00Z", "10000-01-01T00:00:00Z"),
       {},
       "tz=UTC service=web/default/0 maint=web[2024-01-01T00:00:00+00:00,"
       "10000-01-01T00:00:00+00:00)"},
      {"maintenance in epoch ms past int64",
       maint("0", "99999999999999999999"),
       {"maintenance[0].end: time '99999999999999999999': epoch "
        "milliseconds out of range"}},
      {"maintenance ending before it starts",
       maint("2024-01-02T00:00:00Z", "2024-01-01T00:00:00Z"),
       {"maintenance[0].end: the window ends before or "}},
      {"unknown time zone",
       absl::StrCat("timezone: Mars/Olympus\n", kValid),
       {"t.yaml:1:11: timezone: unknown time zone 'Mars/Olympus'"}},
  };
}

TEST(ConfigBadInput, EveryRowGetsItsDocumentedOutcome) {
  absl::StatusOr<Config> reference = ParseConfig(kValid, "ref.yaml");
  ASSERT_TRUE(reference.ok()) << reference.status();
  const std::string before = Summary(*reference);
  for (const Row& row : ConfigRows()) {
    SCOPED_TRACE(row.name);
    absl::StatusOr<Config> c = ParseConfig(row.yaml, "t.yaml");
    // BAD_INPUT_PRINT=1: the messages, for docs/BAD_INPUT.md.
    if (std::getenv("BAD_INPUT_PRINT") != nullptr) {
      std::printf("| %s | %s |\n", row.name.c_str(),
                  std::string(c.status().message()).c_str());
    }
    if (row.error.empty()) {
      ASSERT_TRUE(c.ok()) << c.status();
      EXPECT_EQ(Summary(*c), row.summary);
    } else {
      ASSERT_FALSE(c.ok()) << "accepted: " << Summary(*c);
      EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
      const std::string m(c.status().message());
      for (const std::string& s : row.error) EXPECT_THAT(m, HasSubstr(s));
    }
    // Nothing already parsed changes.
    absl::StatusOr<Config> again = ParseConfig(kValid, "ref.yaml");
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(Summary(*again), before);
    EXPECT_EQ(Summary(*reference), before);
  }
}

// ---------------------------------------------------------------- OpenSLO

// A valid OpenSLO v1 SLO; `{target}`, `{duration}`, `{name}` are replaced.
constexpr char kSlo[] = R"(apiVersion: openslo/v1
kind: SLO
metadata:
  name: {name}
spec:
  service: web
  indicator:
    metadata:
      name: errors
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource: {type: Prometheus, spec: {query: good}}
        total:
          metricSource: {type: Prometheus, spec: {query: total}}
  timeWindow:
    - duration: {duration}
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: {target}
)";

std::string Slo(absl::string_view name, absl::string_view target,
                absl::string_view duration) {
  return absl::StrReplaceAll(
      kSlo, {{"{name}", name}, {"{target}", target}, {"{duration}", duration}});
}

struct OpenSloRow {
  std::string name;
  std::string yaml;
  std::vector<std::string> error;  // empty: accepted
  std::string summary;             // accepted: objectives as "svc/name:target"
};

std::string Objectives(const OpenSloImport& import) {
  std::string out;
  for (const ServiceConfig& s : import.config.services) {
    for (const ObjectiveSpec& o : s.objectives) {
      absl::StrAppend(&out, s.name, "/", o.name, ":", o.target_percent, ":",
                      o.window, " ");
    }
  }
  return out;
}

std::vector<OpenSloRow> OpenSloRows() {
  const std::string ok = Slo("s", "0.99", "28d");
  const std::string bad_duration =
      "' is not an OpenSLO duration: a whole number from 1 and one of m "
      "(minutes), h, d, w, M (months), Q, Y, e.g. 28d or 1M";
  return {
      {"valid", ok, {}, "web/s:99:28d "},
      {"empty file", "", {"o.yaml: holds no OpenSLO object"}},
      {"unknown apiVersion",
       absl::StrReplaceAll(ok, {{"openslo/v1", "openslo/v9"}}),
       {"o.yaml:1:13: SLO/s.apiVersion: 'openslo/v9' is not an OpenSLO "
        "version slakit reads"}},
      {"NaN target",
       Slo("s", ".nan", "28d"),
       {"o.yaml:22:15: SLO/s.spec.objectives[0].target: expected a finite "
        "number, got '.nan'"}},
      {"Inf target",
       Slo("s", ".inf", "28d"),
       {"o.yaml:22:15: SLO/s.spec.objectives[0].target: expected a finite "
        "number, got '.inf'"}},
      {"negative target",
       Slo("s", "-0.5", "28d"),
       {"o.yaml:22:15: SLO/s.spec.objectives[0].target: -0.5 is not a ratio "
        "in (0, 1)"}},
      {"target 1",
       Slo("s", "1", "28d"),
       {"o.yaml:22:15: SLO/s.spec.objectives[0].target: 1 is 100 %: no event "
        "may fail"}},
      {"target in percent",
       Slo("s", "99.9", "28d"),
       {"o.yaml:22:15: SLO/s.spec.objectives[0].target: 99.9 is not a ratio "
        "in (0, 1): OpenSLO targets are ratios"}},
      {"negative duration",
       Slo("s", "0.99", "-28d"),
       {"o.yaml:18:17: SLO/s.spec.timeWindow[0].duration: '-28d" +
        bad_duration}},
      {"zero duration",
       Slo("s", "0.99", "0d"),
       {"o.yaml:18:17: SLO/s.spec.timeWindow[0].duration: '0d" + bad_duration}},
      {"huge duration",
       Slo("s", "0.99", "99999999999999999999d"),
       {"o.yaml:18:17: SLO/s.spec.timeWindow[0].duration: "
        "'99999999999999999999d" +
        bad_duration}},
      {"duplicated SLO",
       absl::StrCat(ok, "---\n", ok),
       {"o.yaml:27:9: SLO/s.metadata.name: SLO 's' is defined twice (first "
        "at o.yaml:1)"}},
      {"non-UTF-8 name",
       Slo("s\xff", "0.99", "28d"),
       {"o.yaml:4:9: SLO/s\xff.metadata.name: byte 2 (0xff) is not valid "
        "UTF-8"}},
      {"unknown key",
       absl::StrCat(ok, "colour: blue\n"),
       {"o.yaml:23:1: SLO/s.colour: unknown key"}},
      {"deeply nested YAML",
       absl::StrCat(ok, "---\n", Repeat("[", 10000), Repeat("]", 10000), "\n"),
       {"o.yaml:25:1: not valid YAML: nested deeper than 499 levels"}},
  };
}

TEST(OpenSloBadInput, EveryRowGetsItsDocumentedOutcome) {
  for (const OpenSloRow& row : OpenSloRows()) {
    SCOPED_TRACE(row.name);
    absl::StatusOr<OpenSloImport> import = ParseOpenSlo(row.yaml, "o.yaml");
    if (std::getenv("BAD_INPUT_PRINT") != nullptr) {
      std::printf("| %s | %s |\n", row.name.c_str(),
                  std::string(import.status().message()).c_str());
    }
    if (row.error.empty()) {
      ASSERT_TRUE(import.ok()) << import.status();
      EXPECT_EQ(Objectives(*import), row.summary);
    } else {
      ASSERT_FALSE(import.ok()) << "accepted: " << Objectives(*import);
      EXPECT_EQ(import.status().code(), absl::StatusCode::kInvalidArgument);
      const std::string m(import.status().message());
      for (const std::string& s : row.error) EXPECT_THAT(m, HasSubstr(s));
      EXPECT_LT(m.size(), 4000u);
    }
  }
}

}  // namespace
}  // namespace sla
