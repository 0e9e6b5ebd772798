// sla/config.h: the slakit configuration (`slakit.yaml`): services with
// their owner, provider contract and objectives; applications composed of
// services; maintenance windows; the time zone of calendar periods.
//
//   timezone: Europe/Paris
//   services:
//     - name: sql
//       tenant: contoso            # optional; "default"
//       owner: provider
//       contract: {catalog: azure/sql-database, target: 99.99, period: month,
//                  downtime: {interval: 1m, max_error_ratio: 0.0,
//                             no_data: up},
//                  maintenance_counts_as_downtime: false,
//                  credits: [{below: 99.99, credit: 10},
//                            {below: 99, credit: 25}]}
//       objectives:
//         - {name: availability, sli: probe_success, target: 99.9,
//            window: 30d, budgeting: occurrences, alerting: true}
//         - name: latency
//           target: 99
//           slis: [api]
//           alerting:                    # true, false or a policy
//             min_short_window_events: 10
//             for: 2m
//             resolve_after: 5m
//             exhaustion_warning: 72h    # early warning (forecast)
//             tiers: [{severity: page, long: 1h, short: 5m, factor: 14.4}]
//           remediation: {command: [/usr/local/bin/failover, sql],
//                         on: page, cooldown: 10m, max_attempts: 3,
//                         per: 1h, timeout: 1m, dry_run: false}
//       probes:                      # active checks; see sla/probe_config.h
//         - {name: api, interval: 30s,
//            http: {url: "https://sql-api.example/health", timeout: 2s}}
//   applications:
//     - name: orders
//       components: {all_of: [web, {any_of: [sql, queue]}]}
//       objectives:                  # on the composite's up/down minutes
//         - {name: availability, target: 99.5, window: 30d, alerting: true}
//   maintenance:
//     - {service: sql, start: 2024-01-10T02:00:00Z,
//        end: 2024-01-10T03:00:00Z}
//   alert_sinks:
//     - {command: [/usr/local/bin/notify-team], timeout: 10s}
//     - {webhook: {url: "https://hooks.example/slakit",
//                  headers: ["Authorization: Bearer ..."], timeout: 5s}}
//
//   absl::StatusOr<sla::Config> config = sla::LoadConfig("slakit.yaml");
//   if (!config.ok()) {
//     // InvalidArgument; the message lists every problem, one per line:
//     // "slakit.yaml:7:38: services[0].contract.target: 100.5 is not ..."
//   }
//
// A contract may name a catalog entry (`catalog: azure/app-service`, see
// sla/catalog.h); the entry's terms are the defaults and the fields written
// in the file override them.
//
// Parsing happens in sla/config.cc with yaml-cpp; this header includes no
// YAML header, so embedders that build a Config in code need only Abseil.
// Value types; thread-compatible.

#ifndef SLA_CONFIG_H_
#define SLA_CONFIG_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "sla/alerting.h"
#include "sla/composite.h"
#include "sla/contract.h"
#include "sla/objective.h"
#include "sla/probe_config.h"
#include "sla/window.h"

namespace sla {

// A recovery action run when an objective's alert fires (slakit serve).
struct RemediationConfig {
  // The program and its arguments, run without a shell, with the alert as
  // JSON on standard input.
  std::vector<std::string> command;
  std::string on = "page";  // the severity that triggers it, or "any"
  absl::Duration cooldown = absl::Minutes(10);  // after a run ends
  int max_attempts = 3;                         // runs started ...
  absl::Duration per = absl::Hours(1);          // ... within this window
  absl::Duration timeout = absl::Minutes(1);    // then the run is killed
  bool dry_run = false;                         // decide and audit, never run
};

// How an objective alerts and recovers, beside its ObjectiveSpec.
struct ObjectiveRules {
  // `alerting:` was a policy (a map) rather than true or false; otherwise
  // alert_policy is default-constructed and the server's applies.
  bool custom_policy = false;
  AlertPolicy alert_policy;  // empty tiers: the defaults for the window
  // > 0: an early-warning alert (severity "forecast") while
  // sla::ForecastExhaustion says the budget, not spent yet, runs out within
  // this at the current trend. `alerting: {exhaustion_warning: 72h}`.
  absl::Duration exhaustion_warning = absl::ZeroDuration();
  std::optional<RemediationConfig> remediation;
};

// Where alert transitions go besides WatchAlerts (slakit serve): a program
// (the alert as JSON on standard input) or an HTTP POST of the same JSON.
struct AlertSinkConfig {
  std::vector<std::string> command;  // exactly one of command, webhook_url
  std::string webhook_url;           // http:// or https://
  std::vector<std::string> headers;  // "Name: value", for the webhook
  absl::Duration timeout = absl::Seconds(10);
};

struct ServiceConfig {
  std::string name;
  // Who may see and feed it when served to several customers (slakit
  // serve's tokens are scoped to tenants). Default "default".
  std::string tenant = "default";
  // Who runs it: a provider's platform or the team's own application code.
  Owner owner = Owner::kApplication;
  // The provider SLA, if any.
  std::optional<ContractSpec> contract;
  // The catalog entry the contract started from ("" when none).
  std::string catalog_id;
  // Objectives; each has service == name.
  std::vector<ObjectiveSpec> objectives;
  // Their alerting and remediation rules, parallel to `objectives`.
  std::vector<ObjectiveRules> rules;
  // Active checks slakit runs itself (slakit serve, slakit probe); each is
  // the probe-success series (name, probe.name). See sla/probe_config.h.
  std::vector<ProbeConfig> probes;
};

struct ApplicationConfig {
  std::string name;
  // The tenant of its services (all of them belong to the same one).
  std::string tenant = "default";
  // Over service names (and other applications' names, expanded).
  CompositeExpr components;
  // Objectives computed from the composite's intervals; `service` holds the
  // application's name.
  std::vector<ObjectiveSpec> objectives;
  // Their alerting rules, parallel to `objectives`: `alerting: true` or a
  // policy alerts on the composite's burn rate, with the top contributing
  // component in the evidence (slakit serve; sla/report.h
  // EvaluateApplicationBurnTiers). `remediation` and `exhaustion_warning`
  // are refused on an application's objective (not wired yet), so
  // `remediation` is never set and `exhaustion_warning` is zero.
  std::vector<ObjectiveRules> rules;
};

struct MaintenanceWindow {
  std::string service;
  Interval window;  // [start, end)
};

struct Config {
  std::string timezone = "UTC";  // IANA name of calendar periods
  absl::TimeZone zone = absl::UTCTimeZone();
  std::vector<ServiceConfig> services;          // in file order
  std::vector<ApplicationConfig> applications;  // in file order; expanded
  std::vector<MaintenanceWindow> maintenance;   // in file order
  std::vector<AlertSinkConfig> alert_sinks;     // in file order

  const ServiceConfig* FindService(absl::string_view name) const;
  const ApplicationConfig* FindApplication(absl::string_view name) const;
  // The maintenance windows of one service, in file order.
  std::vector<Interval> MaintenanceOf(absl::string_view service) const;
};

// Parses YAML text. `source` names the input in messages. InvalidArgument
// listing every problem as "source:line:column: field.path: what is wrong"
// (unknown keys, wrong types and units, values out of range, unknown or
// duplicated names, cycles between applications, applications whose
// expansion nests deeper than kMaxCompositeDepth or holds more than 100000
// components and groups, overlapping maintenance).
absl::StatusOr<Config> ParseConfig(absl::string_view yaml,
                                   absl::string_view source);

// Whether `name` can name a tenant: 1 to 64 of [A-Za-z0-9._-], starting
// with a letter or digit.
bool IsValidTenantName(absl::string_view name);

// Reads and parses a file. NotFound when it does not exist.
absl::StatusOr<Config> LoadConfig(const std::string& path);

}  // namespace sla

#endif  // SLA_CONFIG_H_
