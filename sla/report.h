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
//    composite's minutes, and its consumption is split by owner.
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
#include "sla/composite.h"
#include "sla/config.h"
#include "sla/contract.h"
#include "sla/engine.h"
#include "sla/objective.h"

namespace sla {

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
};

// Builds the report of `month` (in config.zone) from the results in
// `engine`.
absl::StatusOr<MonthlyReport> BuildMonthlyReport(Engine& engine,
                                                 const Config& config,
                                                 absl::CivilMonth month);

// The minutes of `interval` (whole minutes) of an application of `config`:
// each service's minute is down when its error ratio exceeds its contract's
// max_error_ratio (0 without a contract), the composite observed and every
// down minute attributed (sla/composite.h). The report's numbers for one
// application, over any interval.
absl::StatusOr<Attribution> ObserveApplication(const Engine& engine,
                                               const Config& config,
                                               const ApplicationConfig& app,
                                               const Interval& interval);

// Parses "2024-01". InvalidArgument otherwise.
absl::StatusOr<absl::CivilMonth> ParseMonth(absl::string_view text);

// Renderings. JSON top-level keys: month, timezone, services, applications
// (plus period and catalog_version); CSV: one row per service; Markdown:
// the summary tables.
std::string RenderReportJson(const MonthlyReport& report);
std::string RenderReportCsv(const MonthlyReport& report);
std::string RenderReportMarkdown(const MonthlyReport& report);
// One self-contained HTML page (inline CSS and SVG, no JavaScript, no
// network): summary table, daily availability bars per service, error-budget
// burn-down, incident timeline, composite diagram. Prints well.
std::string RenderReportHtml(const MonthlyReport& report);

}  // namespace sla

#endif  // SLA_REPORT_H_
