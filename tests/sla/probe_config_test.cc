// The `probes:` list of slakit.yaml (sla/probe_config.h, sla/config.h).

#include "sla/probe_config.h"

#include <string>
#include <variant>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sla/config.h"

namespace sla {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

// The probes of the issue, verbatim, plus one of each other kind.
constexpr char kProbes[] = R"yaml(services:
  - name: web
    probes:
      - {name: home, interval: 30s, http: {url: "https://web.example/health", expect_status: [200], timeout: 2s}}
      - {name: slow, interval: 10s, jitter: 1.5s, http: {url: "http://web.example/", latency_threshold: 300ms, timeout: 2500ms, tls_verify: false}}
      - {name: db-port, interval: 30s, tcp: {address: "10.0.0.5:5432", timeout: 1s}}
      - name: checkout
        interval: 60s
        scenario:
          timeout: 8s
          latency_threshold: 3s
          steps:
            - {name: login, method: POST, url: "https://web.example/login",
               body: '{"user":"probe"}',
               capture: {token: '"token":"([^"]+)"',
                         session: {header: Set-Cookie, regex: 'sid=([^;]+)'}}}
            - {name: cart, url: "https://web.example/cart/${session}",
               headers: ["Authorization: Bearer ${token}"],
               expect_body: total}
      - {name: hub, grpc_health: {address: "[::1]:50051", service: sla.v1.SlaService}}
      - name: devices
        timeout: 3s
        jitter: 0s
        metric: {url: "http://hub:9100/metrics", name: connected_devices,
                 labels: {hub: main}, op: ">=", value: 100}
)yaml";

TEST(ProbeConfigTest, ParsesEveryKind) {
  absl::StatusOr<Config> c = ParseConfig(kProbes, "slakit.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->services.size(), 1u);
  std::vector<ProbeConfig> p = c->services[0].probes;
  ASSERT_EQ(p.size(), 6u);
  {
    const ProbeConfig slow = p[1];
    p.erase(p.begin() + 1);
    EXPECT_EQ(slow.jitter, absl::Milliseconds(1500));
    EXPECT_EQ(slow.timeout, absl::Milliseconds(2500));
    const auto& http = std::get<HttpProbeConfig>(slow.check);
    EXPECT_EQ(http.latency_threshold, absl::Milliseconds(300));
    EXPECT_FALSE(http.tls_verify);
  }

  EXPECT_EQ(p[0].name, "home");
  EXPECT_EQ(p[0].interval, absl::Seconds(30));
  EXPECT_EQ(p[0].timeout, absl::Seconds(2));
  EXPECT_EQ(p[0].jitter, absl::Seconds(3));  // a tenth of the interval
  EXPECT_STREQ(ProbeKindName(p[0].check), "http");
  const auto& http = std::get<HttpProbeConfig>(p[0].check);
  EXPECT_EQ(http.method, "GET");
  EXPECT_EQ(http.url, "https://web.example/health");
  EXPECT_THAT(http.expect_status, ElementsAre(200));
  EXPECT_TRUE(http.tls_verify);
  EXPECT_EQ(http.latency_threshold, absl::InfiniteDuration());

  EXPECT_STREQ(ProbeKindName(p[1].check), "tcp");
  EXPECT_EQ(std::get<TcpProbeConfig>(p[1].check).address, "10.0.0.5:5432");
  EXPECT_EQ(p[1].timeout, absl::Seconds(1));

  EXPECT_STREQ(ProbeKindName(p[2].check), "scenario");
  EXPECT_EQ(p[2].timeout, absl::Seconds(8));
  const auto& scenario = std::get<ScenarioProbeConfig>(p[2].check);
  EXPECT_EQ(scenario.latency_threshold, absl::Seconds(3));
  ASSERT_EQ(scenario.steps.size(), 2u);
  EXPECT_EQ(scenario.steps[0].name, "login");
  EXPECT_EQ(scenario.steps[0].request.method, "POST");
  EXPECT_EQ(scenario.steps[0].request.body, R"({"user":"probe"})");
  ASSERT_EQ(scenario.steps[0].captures.size(), 2u);
  EXPECT_EQ(scenario.steps[0].captures[0].name, "token");
  EXPECT_EQ(scenario.steps[0].captures[0].header, "");
  EXPECT_EQ(scenario.steps[0].captures[0].regex, R"re("token":"([^"]+)")re");
  EXPECT_EQ(scenario.steps[0].captures[1].name, "session");
  EXPECT_EQ(scenario.steps[0].captures[1].header, "Set-Cookie");
  EXPECT_EQ(scenario.steps[1].request.url,
            "https://web.example/cart/${session}");
  EXPECT_THAT(scenario.steps[1].request.headers,
              ElementsAre("Authorization: Bearer ${token}"));
  EXPECT_EQ(scenario.steps[1].request.expect_body, "total");

  EXPECT_STREQ(ProbeKindName(p[3].check), "grpc_health");
  const auto& grpc = std::get<GrpcHealthProbeConfig>(p[3].check);
  EXPECT_EQ(grpc.address, "[::1]:50051");
  EXPECT_EQ(grpc.service, "sla.v1.SlaService");
  EXPECT_FALSE(grpc.tls);
  EXPECT_EQ(p[3].interval, absl::Seconds(60));  // the default
  EXPECT_EQ(p[3].timeout, absl::Seconds(10));   // the default

  EXPECT_STREQ(ProbeKindName(p[4].check), "metric");
  EXPECT_EQ(p[4].timeout, absl::Seconds(3));  // at the probe's level
  EXPECT_EQ(p[4].jitter, absl::ZeroDuration());
  const auto& metric = std::get<MetricProbeConfig>(p[4].check);
  EXPECT_EQ(metric.name, "connected_devices");
  EXPECT_THAT(metric.labels, ElementsAre(Pair("hub", "main")));
  EXPECT_EQ(metric.op, ">=");
  EXPECT_EQ(metric.value, 100);
}

TEST(ProbeConfigTest, ShortIntervalsCapTheDefaultTimeout) {
  absl::StatusOr<Config> c = ParseConfig(R"yaml(services:
  - name: web
    probes: [{name: fast, interval: 5s, tcp: {address: "localhost:80"}}]
)yaml",
                                         "s.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->services[0].probes[0].timeout, absl::Seconds(5));
  EXPECT_EQ(c->services[0].probes[0].jitter, absl::Milliseconds(500));
}

// Each bad probe names its line, column and field, and says what is wrong.
struct BadCase {
  const char* probe;     // one flow mapping under `probes:`
  const char* expected;  // a substring of the message
};

class ProbeConfigErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(ProbeConfigErrorTest, NamesTheFieldAndTheProblem) {
  const std::string yaml =
      absl::StrCat("services:\n  - name: web\n    probes:\n      - ",
                   GetParam().probe, "\n");
  absl::StatusOr<Config> c = ParseConfig(yaml, "slakit.yaml");
  ASSERT_FALSE(c.ok()) << GetParam().probe;
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(c.status().message(), HasSubstr("slakit.yaml:4:"));
  EXPECT_THAT(c.status().message(), HasSubstr(GetParam().expected))
      << c.status();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ProbeConfigErrorTest,
    ::testing::Values(
        BadCase{"{interval: 30s, tcp: {address: 'a:1'}}",
                "services[0].probes[0].name: missing"},
        BadCase{"{name: x}",
                "give exactly one of http, tcp, grpc_health, scenario, metric"},
        BadCase{"{name: x, tcp: {address: 'a:1'}, http: {url: 'http://a'}}",
                "give exactly one of"},
        BadCase{"{name: x, http: {url: 'ftp://a'}}",
                "probes[0].http.url: 'ftp://a' is not an http:// or https://"},
        BadCase{"{name: x, http: {}}", "probes[0].http.url: missing"},
        BadCase{"{name: x, http: {url: 'http://a', expect_status: [200, 700]}}",
                "probes[0].http.expect_status: 700 is not an HTTP status"},
        BadCase{"{name: x, scenario: {steps: [{url: 'http://a', capture: "
                "{session-id: 'x'}}]}}",
                "capture.session-id: a capture name is an identifier"},
        BadCase{"{name: x, scenario: {steps: [{url: 'http://a', capture: "
                "{2nd: 'x'}}]}}",
                "capture.2nd: a capture name is an identifier"},
        BadCase{"{name: x, http: {url: 'http://a', headers: ['NoColon']}}",
                "http.headers[0]: expected 'Name: value' on one line"},
        BadCase{"{name: x, http: {url: 'http://a', method: 'get me'}}",
                "is not an HTTP method"},
        BadCase{"{name: x, http: {url: 'http://a', tiemout: 2s}}",
                "probes[0].http.tiemout: unknown key"},
        BadCase{"{name: x, interval: 10s, http: {url: 'http://a', "
                "timeout: 30s}}",
                "http.timeout: 30s is longer than the interval (10s)"},
        BadCase{"{name: x, timeout: 1s, http: {url: 'http://a', timeout: 2s}}",
                "probes[0].timeout: also given as"},
        BadCase{"{name: x, interval: 10s, jitter: 10s, tcp: {address: 'a:1'}}",
                "jitter: must be >= 0 and shorter than the interval"},
        BadCase{"{name: x, interval: 500ms, tcp: {address: 'a:1'}}",
                "interval: must be at least 1s"},
        BadCase{"{name: x, interval: 1 minute, tcp: {address: 'a:1'}}",
                "interval: '1 minute' is not a duration (write e.g. 300ms"},
        BadCase{"{name: x, http: {url: 'http://a', latency_threshold: 0s}}",
                "http.latency_threshold: must be positive"},
        BadCase{"{name: x, tcp: {address: 'a'}}",
                "tcp.address: 'a' is not host:port or [v6]:port"},
        BadCase{"{name: x, tcp: {address: 'a:70000'}}", "is not host:port"},
        BadCase{"{name: x, tcp: {address: '::1:80'}}", "is not host:port"},
        BadCase{"{name: x, grpc_health: {service: s}}",
                "grpc_health.address: missing"},
        BadCase{"{name: x, metric: {url: 'http://a', name: m, op: '=>', "
                "value: 1}}",
                "metric.op: '=>' is not one of"},
        BadCase{"{name: x, metric: {url: 'http://a', name: m}}",
                "metric.value: missing"},
        BadCase{"{name: x, scenario: {steps: []}}",
                "scenario.steps: expected a non-empty list of steps"},
        BadCase{"{name: x, scenario: {steps: [{url: 'http://a/${t}'}]}}",
                "scenario.steps[0]: ${t} is not captured by an earlier step"},
        BadCase{"{name: x, scenario: {steps: [{url: 'http://a', capture: "
                "{t: {header: H}}}]}}",
                "scenario.steps[0].capture.t.regex: missing"},
        BadCase{"{name: x, scenario: {steps: [{name: a, url: 'http://a'}, "
                "{name: a, url: 'http://b'}]}}",
                "step 'a' is declared twice"}));

TEST(ProbeConfigTest, DuplicateProbeNamesAreRejected) {
  absl::StatusOr<Config> c = ParseConfig(R"yaml(services:
  - name: web
    probes:
      - {name: home, tcp: {address: "a:1"}}
      - {name: home, tcp: {address: "a:2"}}
)yaml",
                                         "s.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(),
              HasSubstr("s.yaml:5:16: services[0].probes[1].name: probe "
                        "'home' is declared twice"));
}

TEST(ProbeConfigTest, ACaptureIsUsableOnlyAfterItsStep) {
  // Step 0 refers to what step 0 itself captures: not yet available.
  absl::StatusOr<Config> c = ParseConfig(R"yaml(services:
  - name: web
    probes:
      - name: s
        scenario:
          steps:
            - {url: "http://a/${t}", capture: {t: "x(.)"}}
            - {url: "http://a/${t}"}
)yaml",
                                         "s.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(),
              HasSubstr("steps[0]: ${t} is not captured by an earlier step"));
  EXPECT_THAT(c.status().message(), ::testing::Not(HasSubstr("steps[1]")));
}

}  // namespace
}  // namespace sla
