// sla/contract.h: provider SLA contracts. Uptime, "met or missed" and the
// service credit owed for one measurement period.
//
// An objective (sla/objective.h) is an internal target; a contract is what a
// provider promises a customer: a commitment (99.95 %), a measurement period
// (a calendar month in a time zone), how downtime is measured, credit tiers
// and exclusions (maintenance windows). The period is cut into fixed-length
// intervals; the caller fetches one Counts per interval (for instance with
// Engine::QueryRange) and EvaluateContract turns them into the numbers a
// credit request needs:
//
//   sla::ContractSpec spec;
//   spec.commitment_percent = 99.95;
//   spec.interval = absl::Minutes(1);  // a minute is down when
//   spec.max_error_ratio = 0;          // any of its results failed
//   spec.credits = {{99.95, 10}, {99, 25}, {95, 100}};
//
//   // The month that contains `at` (UTC by default): January 2024 has
//   // 31 * 1440 = 44,640 one-minute intervals.
//   sla::Interval month = sla::ContractPeriod(spec, at);
//   sla::IntervalGrid grid = sla::ContractIntervals(spec, month).value();
//   std::vector<sla::Counts> counts =
//       engine.QueryRange(slis, grid.period.from, grid.interval, grid.count)
//           .value();
//   if (grid.last_truncated()) {  // QueryRange's last step overshoots
//     counts.back() = engine.QuerySum(slis, grid.At(grid.count - 1)).value();
//   }
//   std::vector<sla::Interval> maintenance = {{tue_0200, tue_0400}};
//   sla::ContractResult r =
//       sla::EvaluateContract(spec, month, counts, maintenance).value();
//   // With 22 down minutes outside maintenance and the 120 maintenance
//   // minutes excluded: r.uptime_percent == 100 * (44520 - 22) / 44520,
//   // r.met, r.credit_percent == 0, r.downtime_minutes == 22.
//
// Downtime methods.
//  * kInterval: an interval is down when its error ratio bad/total exceeds
//    max_error_ratio (compared exactly, see below). Uptime % =
//    100 * (counted - down) / counted, counted = the non-excluded intervals.
//    Every interval weighs the same, including a truncated last one.
//  * kRequestBased (Azure Storage, S3): uptime % = 100 - 100 * the average
//    over counted intervals of bad/total. `down_intervals`, `incidents` and
//    `downtime_minutes` are then informational (intervals whose ratio
//    exceeds max_error_ratio, or forced down as below); they do not enter
//    the uptime.
//
// Intervals without results follow `no_data`: kUp (0 % error), kDown
// (100 % error) or kExcluded. An interval that overlaps a maintenance window
// (half-open, even by one second) is excluded, or, when
// maintenance_counts_as_downtime, down (100 % error) whatever its results;
// maintenance takes precedence over no_data.
//
// Intervals. per_interval[k] holds the counts of
// [period.from + k * interval, period.from + (k + 1) * interval), the last
// one truncated at period.to when the period is not a whole number of
// intervals (a month-to-date period, or intervals longer than an hour in a
// month with a DST change: Paris's October 2024 has 745 hours, 31 whole days
// and a last 1-hour "day"). Intervals are fixed lengths from the period
// start, not civil days.
//
// Exactness. Every decision is made on integers: max_error_ratio is held
// with 9 decimals (0.05 = 50'000'000 / 10^9) and an interval is down when
// bad * 10^9 > 50'000'000 * total; `met` and the credit tier compare the
// uptime fraction with the commitment and tier thresholds as exact
// fractions (thresholds have at most 7 decimals of a percent, as
// sla::Target), so an uptime of exactly 99.95 % meets 99.95 and
// 99.9499999 % does not. uptime_percent itself is one rounded division.
// kRequestBased sums the interval ratios as an exact fraction while the
// common denominator fits 64 bits (always the case for probes with a steady
// number of results per interval); beyond that it sums long double ratios
// with compensated summation, and met/credit could then only differ from
// the exact answer for an uptime within about 1e-15 % of a threshold.
//
// Errors: InvalidArgument for an invalid spec (the message names the field,
// e.g. "credits[1].below_percent"), an empty or non-minute period, a
// per_interval size that does not match the period, counts with
// good > total or negative values, or a maintenance window with from > to.
//
// Value types and pure functions; thread-compatible, no shared state.

#ifndef SLA_CONTRACT_H_
#define SLA_CONTRACT_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "sla/objective.h"
#include "sla/window.h"

namespace sla {

// One service-credit tier: when the uptime is strictly below below_percent,
// credit_percent of the period's bill is owed.
struct CreditTier {
  double below_percent = 0;   // in (0, commitment_percent], <= 7 decimals
  double credit_percent = 0;  // in (0, 100]
};

// How an interval without any result counts.
enum class NoDataPolicy {
  kUp,        // up (0 % error): no evidence of failure
  kDown,      // down (100 % error)
  kExcluded,  // left out of both sides of the ratio
};
// "up", "down", "excluded" (case-insensitive).
absl::StatusOr<NoDataPolicy> ParseNoDataPolicy(absl::string_view text);
absl::string_view NoDataPolicyName(NoDataPolicy policy);

enum class DowntimeMethod {
  kInterval,      // share of intervals that are up
  kRequestBased,  // 100 - average interval error rate
};
// "interval", "request_based" (or "request-based"; case-insensitive).
absl::StatusOr<DowntimeMethod> ParseDowntimeMethod(absl::string_view text);
absl::string_view DowntimeMethodName(DowntimeMethod method);

// One provider SLA.
struct ContractSpec {
  // Required, in (0, 100), at most 7 decimals: 99.95.
  double commitment_percent = 0;
  // The measurement period: a calendar unit in `zone` (see ContractPeriod).
  CalendarUnit period = CalendarUnit::kMonth;
  absl::TimeZone zone = absl::UTCTimeZone();
  DowntimeMethod method = DowntimeMethod::kInterval;
  // A positive whole number of minutes dividing a day: 1m, 5m, 1h, 1d.
  absl::Duration interval = absl::Minutes(1);
  // An interval is down when bad/total > max_error_ratio; in [0, 1), held
  // with 9 decimals. 0: any failed result makes the interval down.
  double max_error_ratio = 0;
  NoDataPolicy no_data = NoDataPolicy::kUp;
  // Excluded by default; Azure's general terms count maintenance as
  // downtime.
  bool maintenance_counts_as_downtime = false;
  // Strictly decreasing below_percent, non-decreasing credit_percent
  // (lower uptime never owes less). May be empty (no credits).
  std::vector<CreditTier> credits;
};

// OK, or InvalidArgument naming the first offending field.
absl::Status ValidateContract(const ContractSpec& spec);

// The calendar period (spec.period in spec.zone) that contains `at`, in
// whole minutes: Window::Calendar(spec.period, spec.zone).Resolve(at).
// The previous period is ContractPeriod(spec, period.from - absl::Minutes(1)).
Interval ContractPeriod(const ContractSpec& spec, absl::Time at);

// The intervals a period is cut into.
struct IntervalGrid {
  Interval period;
  absl::Duration interval = absl::Minutes(1);
  int count = 0;  // ceil(period length / interval)

  // Interval k, 0 <= k < count: [period.from + k * interval, ...), its end
  // clamped to period.to.
  Interval At(int k) const;
  // Whether the last interval is shorter than `interval`; the caller must
  // then query it separately (QueryRange would count past period.to).
  bool last_truncated() const;
};

// The interval grid of `period` for `spec`. InvalidArgument for an invalid
// spec, an empty period, bounds that are not whole minutes, or more than
// INT_MAX intervals.
absl::StatusOr<IntervalGrid> ContractIntervals(const ContractSpec& spec,
                                               const Interval& period);

// A maximal run of consecutive down intervals. An up or excluded interval
// ends a run.
struct Incident {
  Interval span;        // from the first down interval to the last one's end
  int64_t minutes = 0;  // span length in minutes
  int64_t intervals = 0;
};

// The outcome of one contract over one period.
struct ContractResult {
  Interval period;
  DowntimeMethod method = DowntimeMethod::kInterval;
  // kInterval: 100 * (counted - down) / counted. kRequestBased:
  // 100 - 100 * average_error_rate. 100 when every interval is excluded.
  double uptime_percent = 100;
  int64_t intervals = 0;              // all intervals of the period
  int64_t down_intervals = 0;         // including forced-down ones
  int64_t excluded_intervals = 0;     // maintenance and/or no-data exclusions
  int64_t maintenance_intervals = 0;  // overlapping a window (excluded or down)
  int64_t no_data_intervals = 0;      // total == 0, outside maintenance
  int64_t downtime_minutes = 0;       // total length of the down intervals
  // uptime >= commitment, compared exactly. True when nothing was counted.
  bool met = true;
  // credit_percent of the lowest tier whose below_percent the uptime is
  // strictly below; 0 when met or when no tier applies.
  double credit_percent = 0;
  std::vector<Incident> incidents;  // in time order
  // kRequestBased only (0 for kInterval): mean bad/total over the counted
  // intervals.
  double average_error_rate = 0;

  int64_t counted_intervals() const { return intervals - excluded_intervals; }
};

// Evaluates `spec` over `period` (usually ContractPeriod's calendar period;
// any non-empty whole-minute interval is accepted, e.g. month to date).
// per_interval must have ContractIntervals(spec, period)->count entries.
// Maintenance windows may overlap one another, lie partly outside the period
// or be empty; from > to is an error.
absl::StatusOr<ContractResult> EvaluateContract(
    const ContractSpec& spec, const Interval& period,
    absl::Span<const Counts> per_interval,
    absl::Span<const Interval> maintenance);

}  // namespace sla

#endif  // SLA_CONTRACT_H_
