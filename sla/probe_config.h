// sla/probe_config.h: the active probes a service declares in slakit.yaml.
//
// Plain data: sla/config.cc fills it from the `probes:` list of a service,
// and probes/ (checkers and the scheduler) turns it into running checks.
// Nothing here talks to a network.
//
//   services:
//     - name: web
//       probes:
//         - {name: home, interval: 30s,
//            http: {url: "https://web.example/health", expect_status: [200],
//                   timeout: 2s}}
//         - {name: db-port, interval: 30s,
//            tcp: {address: "10.0.0.5:5432", timeout: 1s}}
//         - {name: hub, grpc_health: {address: "hub:443", tls: true}}
//         - {name: devices, interval: 60s,
//            metric: {url: "http://hub:9100/metrics",
//                     name: connected_devices, labels: {hub: main},
//                     op: ">=", value: 100}}
//         - name: checkout
//           interval: 60s
//           scenario:
//             timeout: 10s
//             steps:
//               - {name: login, method: POST, url: "https://web.example/login",
//                  body: '{"user":"probe"}',
//                  capture: {token: '"token":"([^"]+)"'}}
//               - {name: cart, url: "https://web.example/cart",
//                  headers: ["Authorization: Bearer ${token}"]}
//
// Each probe is one probe-success series (service, probe name) in the
// engine; its latency feeds latency SLIs of the same probe.
//
// Value types; thread-compatible.

#ifndef SLA_PROBE_CONFIG_H_
#define SLA_PROBE_CONFIG_H_

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/time/time.h"

namespace sla {

// One HTTP request and what its response must look like. Also one step of a
// scenario.
struct HttpProbeConfig {
  std::string method = "GET";
  std::string url;                   // http:// or https://
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // request body ("" sends none)
  // Statuses that count as success; empty means any 2xx.
  std::vector<int> expect_status;
  std::string expect_body;        // substring the body must contain, or ""
  std::string expect_body_regex;  // RE2 regex searched in the body
  bool tls_verify = true;         // verify the server certificate and name
  std::string ca_file;            // PEM bundle to trust instead of the system's
  // A response slower than this is a failure ("slow"), even when correct.
  absl::Duration latency_threshold = absl::InfiniteDuration();
  bool follow_redirects = false;
};

// A value taken from one scenario step's response for the next steps, which
// refer to it as ${name} in url, headers and body.
struct ScenarioCapture {
  std::string name;
  std::string header;  // from this response header; "" means from the body
  std::string regex;   // RE2; the first group (or whole match) is kept
};

struct ScenarioStep {
  std::string name;
  HttpProbeConfig request;
  std::vector<ScenarioCapture> captures;
};

// An ordered list of HTTP steps; the probe fails at the first failing step,
// and its latency is the end-to-end time of all steps.
struct ScenarioProbeConfig {
  std::vector<ScenarioStep> steps;
  absl::Duration latency_threshold = absl::InfiniteDuration();
};

// A TCP connect to host:port ([v6]:port for IPv6 literals).
struct TcpProbeConfig {
  std::string address;
};

// grpc.health.v1.Health/Check of `service` ("" asks about the whole server).
struct GrpcHealthProbeConfig {
  std::string address;  // host:port
  std::string service;
  bool tls = false;
  std::string ca_file;  // PEM roots when tls; "" uses the system's
};

// Reads a Prometheus text endpoint and compares one sample with a value.
struct MetricProbeConfig {
  std::string url;
  std::string name;  // metric name
  // Label matchers (equality); the sample must carry each of them.
  std::vector<std::pair<std::string, std::string>> labels;
  std::string op = ">=";  // one of >= > <= < == !=
  double value = 0;
  bool tls_verify = true;
  std::string ca_file;
};

using ProbeKindConfig =
    std::variant<HttpProbeConfig, TcpProbeConfig, GrpcHealthProbeConfig,
                 ScenarioProbeConfig, MetricProbeConfig>;

struct ProbeConfig {
  std::string name;  // the probe (series) name within its service
  absl::Duration interval = absl::Seconds(60);
  // Each run starts up to this much after its slot, drawn anew per run, so
  // that probes of many services do not fire in the same instant.
  // Default: a tenth of the interval. Must be < interval.
  absl::Duration jitter = absl::Seconds(6);
  // A run that has not finished by then is a timeout. Must be <= interval.
  absl::Duration timeout = absl::Seconds(10);
  ProbeKindConfig check;
  // Where the probe was declared, for messages about it ("slakit.yaml:4:9:
  // services[0].probes[0]"); "" when built in code.
  std::string where;
};

// "http", "tcp", "grpc_health", "scenario" or "metric".
inline const char* ProbeKindName(const ProbeKindConfig& check) {
  static constexpr const char* kNames[] = {"http", "tcp", "grpc_health",
                                           "scenario", "metric"};
  return kNames[check.index()];
}

}  // namespace sla

#endif  // SLA_PROBE_CONFIG_H_
