// bindings/cli/rules_command.h: `slakit rules`, Prometheus recording and
// alerting rules for the objectives of a configuration, named as Sloth
// (https://sloth.dev) names them so that its Grafana dashboards work.
//
//   slakit rules --config slakit.yaml                    # to stdout
//   slakit rules --config slakit.yaml --source blackbox --out slo.rules.yml
//   promtool check rules slo.rules.yml
//
// Per objective `<service>/<objective>` (sloth_id `<service>-<objective>`):
//   - group sloth-slo-sli-recordings-<id>: slo:sli_error:ratio_rate<w>, the
//     error ratio over w = 5m 30m 1h 2h 6h 1d 3d, any other window of the
//     objective's tiers, and the objective's window (30d; 28d is "4w", as
//     Prometheus spells durations); labels sloth_id, sloth_service,
//     sloth_slo and sloth_window;
//   - group sloth-slo-meta-recordings-<id>: slo:objective:ratio,
//     slo:error_budget:ratio, slo:time_period:days,
//     slo:current_burn_rate:ratio, slo:period_burn_rate:ratio,
//     slo:period_error_budget_remaining:ratio and sloth_slo_info;
//   - objectives with `alerting` only, group sloth-slo-alerts-<id>: the
//     alert SlakitErrorBudgetBurn once per severity (page, ticket) that has
//     tiers, labels severity and sloth_severity, annotations summary and
//     description. A tier (sla/alerting.h: DefaultBurnTiers of the window,
//     or the objective's own tiers) holds when the error ratio over both of
//     its windows is above factor * (1 - target), e.g. 14.4 * 0.001 over 1h
//     and 5m; the alert fires when one tier of its severity holds, after the
//     policy's `for`. The sloth_window label is aggregated away, so a page
//     that moves from one tier to another stays one alert.
//
// Where the error ratio comes from (RulesSource):
//   - kSlakit (the default): slakit serve's /metrics, i.e.
//     slakit_objective_burn_rate{tenant, service, objective, burn_window}
//     times (1 - target) per window, and 1 - slakit_objective_availability_
//     ratio for the objective's window. These are slakit's own exact counts,
//     so the rules agree with `slakit serve`, `slakit eval` and the report,
//     whatever the budgeting method; Prometheus must scrape slakit serve.
//     Windows must be among the burn windows /metrics exports.
//   - kBlackbox: blackbox_exporter's probe_success{service=..., probe=...}
//     (label names configurable): 1 - good / total probe results of the
//     objective's probes (its `slis`, or all of the service's), pooled, in
//     each window; the objective's window averages the 5m ratio, as Sloth
//     does. Results are counted as occurrences whatever the budgeting method.
//   - Either way, an objective may be given its own PromQL template
//     (error_ratio_queries), with `{{.window}}` where the range goes, as in
//     Sloth's error_ratio_query. That is also the only way to export an
//     application's objective: composites are slakit's own and are neither
//     on /metrics nor expressible over probe_success.
//
// Calendar windows: Sloth's rules are rolling only, so a calendar window is
// taken as its nominal length (day 1d, week 7d, month 30d, quarter 90d,
// year 365d, as sla/alerting.h scales the default factors); the output says
// so in a comment. With kSlakit the objective-window ratio is still
// slakit's, i.e. the period to date.
//
// Not expressed in the rules: slakit's resolve_after hysteresis and the
// page tiers' low-traffic guard (min_short_window_events).
//
// Thread-compatible; the functions hold no state.

#ifndef BINDINGS_CLI_RULES_COMMAND_H_
#define BINDINGS_CLI_RULES_COMMAND_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sla/config.h"

namespace sla {
namespace cli {

// Where the rules read an objective's error ratio from (see above).
enum class RulesSource {
  kSlakit,    // slakit serve's /metrics
  kBlackbox,  // blackbox_exporter's probe_success
};

// Options of RenderPrometheusRules. Copyable.
struct PrometheusRulesOptions {
  RulesSource source = RulesSource::kSlakit;
  // kBlackbox: the labels of probe_success that name the service and the
  // probe. Valid Prometheus label names.
  std::string service_label = "service";
  std::string probe_label = "probe";
  // Per objective, keyed "service/objective" (or "application/objective"):
  // a PromQL expression of the error ratio (bad / total, in [0, 1]) with
  // `{{.window}}` (or `{{ .window }}`) wherever the range goes. Default
  // none.
  std::map<std::string, std::string> error_ratio_queries;
  // Names the configuration in the output's header comment.
  std::string config_name = "slakit.yaml";
};

// The rules for every objective of `config` (services in file order, then
// applications), as YAML for Prometheus' rule_files. Deterministic.
// InvalidArgument, naming the objective or option, for: a bad label name;
// a query that names no objective or has no `{{.window}}`; with kSlakit, a
// tier window that /metrics does not export; two objectives with the same
// sloth_id (e.g. "a-b"/"c" and "a"/"b-c"); an alerting objective whose
// window has no default tiers (under 1h).
absl::StatusOr<std::string> RenderPrometheusRules(
    const Config& config, const PrometheusRulesOptions& options);

// `slakit rules`, as given on the command line.
struct RulesOptions {
  std::string config;             // slakit.yaml; required
  std::string out;                // file to write; "" = stdout
  std::string source = "slakit";  // slakit | blackbox
  std::string service_label = "service";
  std::string probe_label = "probe";
  // "service/objective=PROMQL", repeatable (--error-ratio-query).
  std::vector<std::string> error_ratio_queries;
};

// Loads the configuration and renders its rules. Returns the text for
// stdout: the rules, or a line naming the file written (atomically: a
// temporary file, then a rename). NotFound for a missing configuration,
// InvalidArgument for a bad one or a bad option.
absl::StatusOr<std::string> RunRules(const RulesOptions& options);

}  // namespace cli
}  // namespace sla

#endif  // BINDINGS_CLI_RULES_COMMAND_H_
