// sla/objective.h: SLIs, objectives (SLOs) and error-budget arithmetic.
//
// All arithmetic starts from integer counts. A target is held as an exact
// fraction (99.9 % is 999/1000), so "allowed bad", "consumed" and "burn rate"
// are each one division of exact integers, rounded once:
//
//   sla::Target t = sla::Target::FromPercent(99.9).value();
//   sla::Counts c{.good = 2'997'000, .total = 3'000'000};
//   sla::BudgetNumbers b = sla::ComputeBudget(c, t);
//   // b.allowed_bad == 3000, b.bad == 3000, b.consumed == 1.0
//   double burn = sla::BurnRate(c, t);  // 1.0: spending exactly on budget
//
// Value types; copyable and thread-compatible.

#ifndef SLA_OBJECTIVE_H_
#define SLA_OBJECTIVE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "sla/window.h"

namespace sla {

// Integer event counts. Ratios are computed on read.
struct Counts {
  int64_t good = 0;
  int64_t total = 0;

  int64_t bad() const { return total - good; }
  // good / total; 1.0 for an empty count (no evidence of failure). Callers
  // that must tell "no data" apart check total == 0.
  double ratio() const {
    return total == 0 ? 1.0 : static_cast<double>(good) / total;
  }
  Counts& operator+=(const Counts& o) {
    good += o.good;
    total += o.total;
    return *this;
  }
  friend bool operator==(const Counts& a, const Counts& b) {
    return a.good == b.good && a.total == b.total;
  }
};

// An objective's target as an exact fraction in (0, 1): numerator /
// denominator, reduced. Built from a percent or a fraction with at most 9
// decimals (99.9 -> 999/1000, 0.9995 -> 1999/2000).
class Target {
 public:
  // 0 < percent < 100; InvalidArgument otherwise (including NaN).
  static absl::StatusOr<Target> FromPercent(double percent);
  // 0 < fraction < 1.
  static absl::StatusOr<Target> FromFraction(double fraction);

  int64_t numerator() const { return num_; }
  int64_t denominator() const { return den_; }
  double fraction() const { return static_cast<double>(num_) / den_; }
  // 1 - target, as a double (0.001 for 99.9 %).
  double budget_fraction() const {
    return static_cast<double>(den_ - num_) / den_;
  }

 private:
  Target(int64_t num, int64_t den) : num_(num), den_(den) {}
  int64_t num_;
  int64_t den_;
};

// Error budget of a count against a target.
struct BudgetNumbers {
  int64_t good = 0;
  int64_t total = 0;
  int64_t bad = 0;
  double availability = 1.0;  // good / total (1.0 when total == 0)
  double allowed_bad = 0;     // (1 - target) * total
  double consumed = 0;        // bad / allowed_bad  = (bad/total) / (1-target)
  double remaining = 1;       // 1 - consumed; negative when overspent
};

// Exact budget numbers; each ratio is one correctly rounded division of
// integers. An empty count has consumed 0 and remaining 1.
BudgetNumbers ComputeBudget(const Counts& counts, const Target& target);

// (bad / total) / (1 - target); 0 for an empty count.
double BurnRate(const Counts& counts, const Target& target);

// How long a remaining budget fraction lasts at a constant burn rate over an
// objective window of length `window`: remaining * window / burn.
// InfiniteDuration() when burn <= 0; ZeroDuration() when remaining <= 0.
absl::Duration TimeToExhaustion(double remaining, double burn,
                                absl::Duration window);

// How results become good and total counts.
enum class SliKind {
  kProbeSuccess,      // a result is good when ok
  kLatencyThreshold,  // good when ok and latency_ms <= threshold
  kEventRatio,        // the application pushes good and total counts
};
absl::string_view SliKindName(SliKind kind);

// Whether `name` may name a service, SLI, objective or application: valid
// UTF-8 without NUL bytes, since names reach JSON reports, gRPC strings and
// C strings. OK, or InvalidArgument saying why, e.g.
// "byte 2 (0xff) is not valid UTF-8".
absl::Status CheckNameText(absl::string_view name);

// One service-level indicator: one series of per-minute counters.
struct SliSpec {
  std::string service;  // non-empty, e.g. "web"
  std::string name;     // non-empty, unique within the service, e.g. "home"
  SliKind kind = SliKind::kProbeSuccess;
  double latency_threshold_ms = 0;  // kLatencyThreshold only; > 0
};

// OpenSLO budgeting methods.
enum class BudgetingMethod {
  // Good events / total events over the window.
  kOccurrences,
  // Good slices / slices, a slice being good when its good/total ratio is
  // >= slice_threshold. Slices without data are left out.
  kTimeslices,
  // The mean of the slices' good/total ratios, over slices with data.
  kRatioTimeslices,
};
absl::StatusOr<BudgetingMethod> ParseBudgetingMethod(absl::string_view text);
absl::string_view BudgetingMethodName(BudgetingMethod method);

// An objective (SLO) over some SLIs of one service.
struct ObjectiveSpec {
  std::string service;  // the service the SLIs belong to
  std::string name;     // e.g. "availability"
  // SLI names; empty = all probe-success SLIs of the service at the time
  // the objective is declared (SLIs added later are not included).
  std::vector<std::string> slis;
  double target_percent = 99.9;  // in (0, 100)
  std::string window = "30d";    // see Window::Parse
  BudgetingMethod method = BudgetingMethod::kOccurrences;
  // Timeslice methods: slice length (whole minutes) and, for kTimeslices,
  // the ratio a slice needs to be good (op >=).
  absl::Duration slice = absl::Minutes(1);
  double slice_threshold = 1.0;  // in (0, 1]
  bool alerting = false;         // only alerting objectives page anyone
};

}  // namespace sla

#endif  // SLA_OBJECTIVE_H_
