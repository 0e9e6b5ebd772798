// sla/report.h: the monthly compliance report: for every service its
// provider contract (uptime as the contract defines it, downtime, incidents,
// credit owed) and its objectives; for every application its theoretical
// and observed composite availability and who spent its error budget.
//
//   sla::Engine engine;                   // holds the month's results
//   sla::Config config = sla::LoadConfig("slakit.yaml").value();
//   sla::MonthlyReport r = sla::BuildMonthlyReport(
//       engine, config, absl::CivilMonth(2024, 1)).value();
//   std::string json = sla::RenderReportJson(r);
//   std::string table = sla::RenderReportMarkdown(r);
//
//   // With the server's remediation audit (one AuditRecord per line of its
//   // audit file, parsed by the caller) and another alert replay step:
//   sla::ReportOptions options;
//   options.audit_records = std::move(records);
//   options.alert_step = absl::Minutes(1);
//   r = sla::BuildMonthlyReport(engine, config, absl::CivilMonth(2024, 1),
//                               options).value();
//
// Every number comes from the engine's integer counts over half-open
// intervals in the configured time zone, so it can be recomputed by hand:
// contract uptime from sla/contract.h, composites from sla/composite.h,
// objectives from sla/objective.h.
//
// How the pieces are fed:
//  - a service's results are those of all its probe-success SLIs (pooled);
//  - contract intervals are evaluated with the service's maintenance
//    windows; a service without a contract has none;
//  - composite states are per minute: a minute with no result is no-data,
//    a minute is down when its bad/total exceeds the service contract's
//    max_error_ratio (0 without a contract: any failure);
//  - service objectives are evaluated at the end of the month; an
//    application objective is evaluated over its window ending there, on the
//    composite's minutes, and its consumption is split by owner;
//  - the alerts of every service objective with `alerting: true` are
//    replayed over the month (see ReportOptions::alert_step and
//    AlertEpisode); the remediation runs are the caller's audit records
//    (ReportOptions::audit_records) of the month.
//
// Errors: InvalidArgument for a month before 1970 or an invalid config;
// engine errors pass through. Value types; thread-compatible. Building a
// report declares the config's objectives in `engine` when missing.

#ifndef SLA_REPORT_H_
#define SLA_REPORT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "sla/alerting.h"
#include "sla/composite.h"
#include "sla/config.h"
#include "sla/contract.h"
#include "sla/engine.h"
#include "sla/objective.h"
#include "sla/remediation.h"

namespace sla {

// How a report is built beyond its month. Options struct; copyable.
struct ReportOptions {
  // Step of the alert replay: the objective's alerts are evaluated with an
  // AlertTracker at every period.from + k * alert_step (k may be negative,
  // see AlertEpisode) before the month's end, as a server alert loop of
  // that interval whose ticks fall on that grid would have. A positive
  // whole number of minutes (burn-rate windows end on whole minutes);
  // InvalidArgument otherwise. Default 5 minutes: 8,928 evaluations per
  // objective for a 31-day month, plus the look-back.
  //
  // The replay is deterministic from the engine's results, so a report
  // built from a CSV import gives the same alerts as one built by the
  // server from the same results. It matches the live server's alerts
  // exactly when the server's loop ran at this interval on this grid with
  // every result already ingested; a loop with another interval or phase
  // (slakit serve evaluates every --alert-interval, 30 s by default) sees
  // the same minutes, and its transitions usually differ by less than one
  // step; an alert condition that holds for less than a step may be seen
  // by one and not by the other, and results that arrived late were not
  // seen live.
  absl::Duration alert_step = absl::Minutes(5);
  // The remediation audit (e.g. the server's audit file, one
  // AuditRecordToJson line per record, parsed by the caller), in any
  // order. The report lists the records whose `at` lies in the month and
  // whose service is a service of the configuration, in the given order.
  // Default: none.
  std::vector<AuditRecord> audit_records;
};

// One episode of an alert (one objective and severity) as the replay saw
// it: from the evaluation that found it firing to the one that resolved it.
// Only episodes that overlap the month are listed: started before the
// month's end, and resolved after its start or not at all.
struct AlertEpisode {
  std::string objective;  // the objective's name
  std::string severity;   // "page" or "ticket"
  // The first evaluation at which it was firing (the policy's for_duration
  // after its condition first held). May be before the month: the replay
  // starts at the month's start minus the longest long window of the
  // objective's tiers (rounded up to a whole step), so that an alert
  // already firing when the month began shows with its start.
  absl::Time started;
  // Whether its condition already held at the replay's first evaluation
  // (and it fired without a break since): it may then have started before
  // `started`, as an alert that has fired for longer than its longest window
  // before the month.
  bool started_before_replay = false;
  // The evaluation that resolved it (after resolve_after without its
  // condition); unset when it was still firing at the month's last
  // evaluation.
  std::optional<absl::Time> resolved;
  // resolved - started, or the month's end - started while still firing.
  absl::Duration duration = absl::ZeroDuration();
  // At `started`: the first alerting tier of the severity (rates, counts),
  // and the fraction of the objective's budget left over its window.
  TierEvaluation evidence;
  double budget_remaining = 1;
  // The highest long and short burn rates of that tier (evidence.tier)
  // over the evaluations at which the alert was firing.
  double peak_long_rate = 0;
  double peak_short_rate = 0;
};

struct ObjectiveReport {
  std::string name;
  double target_percent = 0;
  std::string window;  // as configured, e.g. "30d"
  Interval evaluated;  // the resolved window
  BudgetingMethod method = BudgetingMethod::kOccurrences;
  BudgetNumbers budget;  // availability, consumed, remaining, ...
  // Applications only: down minutes of the window by cause (see
  // sla/composite.h OwnerAttribution::exclusive_intervals).
  int64_t provider_minutes = 0;
  int64_t application_minutes = 0;
  int64_t mixed_minutes = 0;
};

struct ServiceReport {
  std::string name;
  Owner owner = Owner::kApplication;
  std::optional<ContractSpec> contract;
  std::optional<ContractResult> result;  // set when contract is
  std::string catalog_id;                // "" when none
  // "confirmed", "confirmed_docs", "partial", "secondary", "unconfirmed",
  // or "" without a catalog entry; anything but "confirmed" is not from
  // the provider's own SLA text.
  std::string catalog_status;
  // What the catalog entry does not confirm from the provider's text,
  // e.g. "partial; not confirmed: downtime, credits"; "" when everything
  // is confirmed or there is no entry.
  std::string catalog_note;
  std::vector<ObjectiveReport> objectives;
  // The alert episodes of its alerting objectives (ReportOptions), by
  // start; ties in objective order, page before ticket. Empty when no
  // objective alerts.
  std::vector<AlertEpisode> alerts;
  Counts month;               // every result of the month
  std::vector<Counts> daily;  // per calendar day of the month, in the zone
};

struct ComponentReport {
  std::string name;
  Owner owner = Owner::kApplication;
  int64_t down_minutes = 0;
  int64_t sole_intervals = 0;
  int64_t shared_intervals = 0;
};

struct ApplicationReport {
  std::string name;
  std::string expression;  // all_of(web, any_of(sql, queue))
  // From the components' contract commitments; unset when a component has
  // no contract (theoretical_note says which).
  std::optional<double> theoretical_sla_percent;
  std::string theoretical_note;
  // Minutes of the month: up, down, no data (left out).
  int64_t minutes = 0;
  int64_t up_minutes = 0;
  int64_t down_minutes = 0;
  int64_t no_data_minutes = 0;
  double observed_availability_percent = 100;  // up / (up + down)
  std::vector<ComponentReport> components;     // sorted by name
  OwnerAttribution provider;
  OwnerAttribution application;
  int64_t mixed_owner_intervals = 0;
  int64_t unattributed_intervals = 0;
  std::vector<ObjectiveReport> objectives;
  std::vector<Counts> daily;  // composite up/counted minutes per day
};

struct MonthlyReport {
  std::string month;     // "2024-01"
  std::string timezone;  // IANA name
  Interval period;       // the calendar month in that zone
  std::string catalog_version;
  std::vector<ServiceReport> services;          // config order
  std::vector<ApplicationReport> applications;  // config order
  // ReportOptions::audit_records of the month: every decision ("run",
  // "dry-run", "skipped") and every finished run.
  std::vector<AuditRecord> remediation;
};

// Builds the report of `month` (in config.zone) from the results in
// `engine`, with default ReportOptions (alerts replayed every 5 minutes,
// no remediation records).
absl::StatusOr<MonthlyReport> BuildMonthlyReport(Engine& engine,
                                                 const Config& config,
                                                 absl::CivilMonth month);
// The same with `options`. InvalidArgument for a bad alert_step; an
// objective's alert policy errors (AlertTracker::Evaluate) pass through.
absl::StatusOr<MonthlyReport> BuildMonthlyReport(Engine& engine,
                                                 const Config& config,
                                                 absl::CivilMonth month,
                                                 const ReportOptions& options);

// The minutes of `interval` (whole minutes) of an application of `config`:
// each service's minute is down when its error ratio exceeds its contract's
// max_error_ratio (0 without a contract), the composite observed and every
// down minute attributed (sla/composite.h). The report's numbers for one
// application, over any interval.
absl::StatusOr<Attribution> ObserveApplication(const Engine& engine,
                                               const Config& config,
                                               const ApplicationConfig& app,
                                               const Interval& interval);

// One application objective's burn-rate tiers at one time (for its alerts;
// slakit serve feeds them to AlertTracker::Advance).
struct ApplicationBurnTiers {
  // Parallel to PolicyTiers(policy, the objective's window), each with its
  // composite counts (up minutes, up + down minutes), exact burn rates and
  // its top contributing component over its long window.
  std::vector<TierEvaluation> tiers;
  // Fraction of the objective's error budget left over its window as of
  // `at` (Window::ResolveAsOf, as Engine::Evaluate), on the composite's
  // minutes: ComputeBudget(up, up + down).remaining.
  double budget_remaining = 1;
};

// Evaluates `objective` (one of app.objectives: its target and window are
// read) of application `app` of `config` at `at` with `policy` (its tiers,
// or the defaults for the objective's window, and its low-traffic guard),
// as EvaluateBurnTiers does for a service's objective: every look-back
// window ends at floor(at) to the minute, and its counts are the
// composite's up and down minutes in it (ObserveApplication: a minute
// without data is left out), so a rate is the correctly rounded
// sla::BurnRate of exact integers. One observation covers the longest
// window (tiers and objective window alike) and serves every answer.
// Errors: InvalidArgument for a bad policy, target or window (naming the
// objective) and ObserveApplication's. Thread-safe (reads the engine only).
//
//   all_of(web, sql), sql down 30 of the last 60 minutes, 99.9 % over 30d:
//   the 1h/5m page tier has long_rate 30/60 / 0.001 = 500, top_component
//   "sql", top_component_minutes 30.
absl::StatusOr<ApplicationBurnTiers> EvaluateApplicationBurnTiers(
    const Engine& engine, const Config& config, const ApplicationConfig& app,
    const ObjectiveSpec& objective, const AlertPolicy& policy, absl::Time at);

// Parses "2024-01". InvalidArgument otherwise.
absl::StatusOr<absl::CivilMonth> ParseMonth(absl::string_view text);

// Renderings. JSON top-level keys: month, timezone, period,
// catalog_version, services, applications, remediation. Each service has
// "alerts": [{objective, severity, started, resolved (null while firing),
// duration_minutes, started_before_replay, evidence: {long_window,
// short_window, factor, long_rate, short_rate, budget_remaining},
// peak_long_rate, peak_short_rate}]; "remediation" holds the records with
// AuditRecordToJson's keys (seq, at, service, objective, severity, action,
// alert_state, decision, reason, started, finished, result_code,
// result_message). CSV: one row per service, without alerts or
// remediation. Markdown: the summary tables, with "Alerts" and
// "Remediation runs" sections.
std::string RenderReportJson(const MonthlyReport& report);
std::string RenderReportCsv(const MonthlyReport& report);
std::string RenderReportMarkdown(const MonthlyReport& report);
// One self-contained HTML page (inline CSS and SVG, no JavaScript, no
// network): summary table, daily availability bars per service, error-budget
// burn-down, incident timeline, composite diagram, alerts and remediation
// runs. Prints well.
std::string RenderReportHtml(const MonthlyReport& report);

}  // namespace sla

#endif  // SLA_REPORT_H_
