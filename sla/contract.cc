#include "sla/contract.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace sla {
namespace {

constexpr int64_t kRatioDenominator = 1'000'000'000;  // 9 decimals
constexpr int64_t kMinutesPerDay = 24 * 60;

// The shortest text that reads back as `value`.
std::string Num(double value) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, res.ptr);
}

std::string IntervalToString(const Interval& i) {
  return absl::StrCat("[", TimeToString(i.from), ", ", TimeToString(i.to), ")");
}

// num / den rounded once when both fit a double's mantissa; otherwise
// through long double (rounded twice, far below any printed digit).
double Divide(absl::uint128 num, absl::uint128 den) {
  constexpr uint64_t kExact = uint64_t{1} << 53;
  if (num < kExact && den < kExact) {
    return static_cast<double>(absl::Uint128Low64(num)) /
           static_cast<double>(absl::Uint128Low64(den));
  }
  return static_cast<double>(static_cast<long double>(num) /
                             static_cast<long double>(den));
}

// num / den >= t, exactly. num <= 2^95 and den <= 2^95 in every use, and a
// Target's terms are <= 10^9 < 2^30, so the products fit 128 bits.
bool AtLeast(absl::uint128 num, absl::uint128 den, const Target& t) {
  return num * static_cast<uint64_t>(t.denominator()) >=
         den * static_cast<uint64_t>(t.numerator());
}

absl::Status CheckPercent(double percent, absl::string_view field,
                          bool upper_inclusive) {
  const bool in_range = std::isfinite(percent) && percent > 0 &&
                        (upper_inclusive ? percent <= 100 : percent < 100);
  if (!in_range) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " ", Num(percent), " is not a percentage in (0, ",
                     upper_inclusive ? "100]" : "100)"));
  }
  return absl::OkStatus();
}

// A validated spec with its thresholds as exact fractions.
struct Compiled {
  Target commitment;
  std::vector<Target> below;  // parallel to spec.credits
  int64_t max_error_ppb;      // max_error_ratio * 10^9
  int64_t interval_minutes;
};

absl::StatusOr<Target> PercentTarget(double percent, absl::string_view field) {
  absl::StatusOr<Target> t = Target::FromPercent(percent);
  if (!t.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", t.status().message()));
  }
  return t;
}

// a < b for exact fractions.
bool Less(const Target& a, const Target& b) {
  return absl::int128(a.numerator()) * b.denominator() <
         absl::int128(b.numerator()) * a.denominator();
}

absl::StatusOr<Compiled> Compile(const ContractSpec& spec) {
  if (absl::Status s =
          CheckPercent(spec.commitment_percent, "commitment_percent", false);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<Target> commitment =
      PercentTarget(spec.commitment_percent, "commitment_percent");
  if (!commitment.ok()) return commitment.status();

  switch (spec.period) {
    case CalendarUnit::kDay:
    case CalendarUnit::kIsoWeek:
    case CalendarUnit::kMonth:
    case CalendarUnit::kQuarter:
    case CalendarUnit::kYear:
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "period: unknown calendar unit ", static_cast<int>(spec.period)));
  }
  switch (spec.method) {
    case DowntimeMethod::kInterval:
    case DowntimeMethod::kRequestBased:
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "method: unknown downtime method ", static_cast<int>(spec.method)));
  }
  switch (spec.no_data) {
    case NoDataPolicy::kUp:
    case NoDataPolicy::kDown:
    case NoDataPolicy::kExcluded:
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "no_data: unknown policy ", static_cast<int>(spec.no_data)));
  }

  const absl::Duration iv = spec.interval;
  if (iv <= absl::ZeroDuration() || iv > absl::Hours(24) ||
      absl::Trunc(iv, absl::Minutes(1)) != iv ||
      kMinutesPerDay % (iv / absl::Minutes(1)) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("interval ", absl::FormatDuration(iv),
                     " must be a whole number of minutes that divides a day "
                     "(1m, 5m, 15m, 1h, 1d, ...)"));
  }
  const int64_t interval_minutes = iv / absl::Minutes(1);

  const double r = spec.max_error_ratio;
  if (!std::isfinite(r) || r < 0 || r >= 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_error_ratio ", Num(r), " is not a fraction in [0, 1)"));
  }
  const int64_t max_error_ppb = std::llround(r * kRatioDenominator);
  if (max_error_ppb >= kRatioDenominator) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_error_ratio ", Num(r), " rounds to 1 at 9 decimal places"));
  }

  std::vector<Target> below;
  below.reserve(spec.credits.size());
  for (size_t i = 0; i < spec.credits.size(); ++i) {
    const CreditTier& tier = spec.credits[i];
    const std::string b_field = absl::StrCat("credits[", i, "].below_percent");
    const std::string c_field = absl::StrCat("credits[", i, "].credit_percent");
    if (absl::Status s = CheckPercent(tier.below_percent, b_field, true);
        !s.ok()) {
      return s;
    }
    if (tier.below_percent > spec.commitment_percent) {
      return absl::InvalidArgumentError(absl::StrCat(
          b_field, " ", Num(tier.below_percent),
          " is above commitment_percent ", Num(spec.commitment_percent),
          ": a met period owes no credit, so the tier could never apply"));
    }
    absl::StatusOr<Target> t = PercentTarget(tier.below_percent, b_field);
    if (!t.ok()) return t.status();
    if (Less(*commitment, *t)) {  // equal as doubles, above once rounded
      return absl::InvalidArgumentError(
          absl::StrCat(b_field, " ", Num(tier.below_percent),
                       " is above commitment_percent ",
                       Num(spec.commitment_percent), " at 7 decimal places"));
    }
    if (i > 0 && !Less(*t, below.back())) {
      return absl::InvalidArgumentError(absl::StrCat(
          b_field, " ", Num(tier.below_percent), " must be below credits[",
          i - 1, "].below_percent ", Num(spec.credits[i - 1].below_percent),
          " (tiers are listed from the highest threshold down)"));
    }
    if (absl::Status s = CheckPercent(tier.credit_percent, c_field, true);
        !s.ok()) {
      return s;
    }
    if (i > 0 && tier.credit_percent < spec.credits[i - 1].credit_percent) {
      return absl::InvalidArgumentError(absl::StrCat(
          c_field, " ", Num(tier.credit_percent), " is less than credits[",
          i - 1, "].credit_percent ", Num(spec.credits[i - 1].credit_percent),
          ": a lower uptime cannot owe a smaller credit"));
    }
    below.push_back(*t);
  }
  return Compiled{*commitment, std::move(below), max_error_ppb,
                  interval_minutes};
}

absl::Status CheckPeriod(const Interval& period) {
  if (period.from == absl::InfinitePast() ||
      period.from == absl::InfiniteFuture() ||
      period.to == absl::InfinitePast() ||
      period.to == absl::InfiniteFuture()) {
    return absl::InvalidArgumentError("period bounds must be finite");
  }
  if (period.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("period ", IntervalToString(period), " is empty"));
  }
  if (FloorToMinute(period.from) != period.from ||
      FloorToMinute(period.to) != period.to) {
    return absl::InvalidArgumentError(
        absl::StrCat("period ", IntervalToString(period),
                     " must start and end on whole minutes"));
  }
  return absl::OkStatus();
}

absl::StatusOr<IntervalGrid> MakeGrid(const Compiled& c,
                                      const Interval& period) {
  if (absl::Status s = CheckPeriod(period); !s.ok()) return s;
  const int64_t minutes = (period.to - period.from) / absl::Minutes(1);
  const int64_t n = (minutes + c.interval_minutes - 1) / c.interval_minutes;
  if (n > std::numeric_limits<int>::max()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "period ", IntervalToString(period), " has ", n, " intervals of ",
        DurationToString(absl::Minutes(c.interval_minutes)),
        ", more than the supported ", std::numeric_limits<int>::max()));
  }
  IntervalGrid grid;
  grid.period = period;
  grid.interval = absl::Minutes(c.interval_minutes);
  grid.count = static_cast<int>(n);
  return grid;
}

// Sum of interval error rates bad/total. Exact (a reduced fraction with a
// 64-bit denominator) as long as the denominators allow; a compensated long
// double sum (Neumaier) is kept alongside for when they do not.
class RateSum {
 public:
  // 0 <= bad <= total, total > 0.
  void Add(int64_t bad, int64_t total) {
    if (bad == 0) return;
    const long double x = static_cast<long double>(bad) / total;
    const long double t = sum_ + x;
    comp_ += std::fabs(sum_) >= std::fabs(x) ? (sum_ - t) + x : (x - t) + sum_;
    sum_ = t;
    if (!exact_) return;
    const uint64_t g =
        std::gcd(static_cast<uint64_t>(bad), static_cast<uint64_t>(total));
    const uint64_t b = static_cast<uint64_t>(bad) / g;
    const uint64_t d = static_cast<uint64_t>(total) / g;
    const uint64_t mult = d / std::gcd(den_, d);  // lcm(den_, d) / den_
    const absl::uint128 new_den = absl::uint128(den_) * mult;
    if (absl::Uint128High64(new_den) != 0) {
      exact_ = false;
      return;
    }
    const uint64_t l = absl::Uint128Low64(new_den);
    // num_ / den_ <= number of intervals < 2^31, so num_ * mult < 2^95.
    num_ = num_ * mult + absl::uint128(b) * (l / d);
    den_ = l;
    // Reduce: gcd(num_, den_) = gcd(den_, num_ mod den_).
    const uint64_t g2 = std::gcd(den_, absl::Uint128Low64(num_ % den_));
    num_ /= g2;
    den_ /= g2;
  }

  bool exact() const { return exact_; }
  absl::uint128 num() const { return num_; }
  uint64_t den() const { return den_; }
  long double approx() const { return sum_ + comp_; }

 private:
  bool exact_ = true;
  absl::uint128 num_ = 0;
  uint64_t den_ = 1;
  long double sum_ = 0;
  long double comp_ = 0;
};

// The non-empty windows, sorted by start. Overlaps need no merging: see the
// sweep in EvaluateContract.
std::vector<Interval> SortWindows(absl::Span<const Interval> windows) {
  std::vector<Interval> w;
  w.reserve(windows.size());
  for (const Interval& i : windows) {
    if (!i.empty()) w.push_back(i);
  }
  std::sort(w.begin(), w.end(), [](const Interval& a, const Interval& b) {
    return a.from < b.from;
  });
  return w;
}

}  // namespace

absl::StatusOr<NoDataPolicy> ParseNoDataPolicy(absl::string_view text) {
  const std::string t = absl::AsciiStrToLower(text);
  if (t == "up") return NoDataPolicy::kUp;
  if (t == "down") return NoDataPolicy::kDown;
  if (t == "excluded") return NoDataPolicy::kExcluded;
  return absl::InvalidArgumentError(absl::StrCat(
      "no-data policy '", text, "' is not one of up, down, excluded"));
}

absl::string_view NoDataPolicyName(NoDataPolicy policy) {
  switch (policy) {
    case NoDataPolicy::kUp:
      return "up";
    case NoDataPolicy::kDown:
      return "down";
    case NoDataPolicy::kExcluded:
      return "excluded";
  }
  return "?";
}

absl::StatusOr<DowntimeMethod> ParseDowntimeMethod(absl::string_view text) {
  const std::string t = absl::AsciiStrToLower(text);
  if (t == "interval") return DowntimeMethod::kInterval;
  if (t == "request_based" || t == "request-based") {
    return DowntimeMethod::kRequestBased;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "downtime method '", text, "' is not one of interval, request_based"));
}

absl::string_view DowntimeMethodName(DowntimeMethod method) {
  switch (method) {
    case DowntimeMethod::kInterval:
      return "interval";
    case DowntimeMethod::kRequestBased:
      return "request_based";
  }
  return "?";
}

absl::Status ValidateContract(const ContractSpec& spec) {
  return Compile(spec).status();
}

Interval ContractPeriod(const ContractSpec& spec, absl::Time at) {
  return Window::Calendar(spec.period, spec.zone).Resolve(at);
}

Interval IntervalGrid::At(int k) const {
  const absl::Time from = period.from + k * interval;
  return Interval{from, std::min(from + interval, period.to)};
}

bool IntervalGrid::last_truncated() const {
  return count > 0 && period.from + count * interval > period.to;
}

absl::StatusOr<IntervalGrid> ContractIntervals(const ContractSpec& spec,
                                               const Interval& period) {
  absl::StatusOr<Compiled> c = Compile(spec);
  if (!c.ok()) return c.status();
  return MakeGrid(*c, period);
}

absl::StatusOr<ContractResult> EvaluateContract(
    const ContractSpec& spec, const Interval& period,
    absl::Span<const Counts> per_interval,
    absl::Span<const Interval> maintenance) {
  absl::StatusOr<Compiled> compiled = Compile(spec);
  if (!compiled.ok()) return compiled.status();
  const Compiled& c = *compiled;
  absl::StatusOr<IntervalGrid> grid_or = MakeGrid(c, period);
  if (!grid_or.ok()) return grid_or.status();
  const IntervalGrid& grid = *grid_or;

  if (per_interval.size() != static_cast<size_t>(grid.count)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "per_interval has ", per_interval.size(), " entries but the period ",
        IntervalToString(period), " has ", grid.count, " intervals of ",
        DurationToString(grid.interval)));
  }
  for (size_t k = 0; k < per_interval.size(); ++k) {
    const Counts& n = per_interval[k];
    if (n.good < 0 || n.total < 0 || n.good > n.total) {
      return absl::InvalidArgumentError(absl::StrCat(
          "per_interval[", k, "] (", IntervalToString(grid.At(k)), "): good ",
          n.good, ", total ", n.total, " (need 0 <= good <= total)"));
    }
  }
  for (size_t i = 0; i < maintenance.size(); ++i) {
    if (maintenance[i].from > maintenance[i].to) {
      return absl::InvalidArgumentError(absl::StrCat(
          "maintenance[", i, "]: from ", TimeToString(maintenance[i].from),
          " is after to ", TimeToString(maintenance[i].to)));
    }
  }
  const std::vector<Interval> windows = SortWindows(maintenance);

  const bool request_based = spec.method == DowntimeMethod::kRequestBased;
  ContractResult r;
  r.period = period;
  r.method = spec.method;
  r.intervals = grid.count;
  RateSum rates;
  int64_t up = 0;
  // windows[w] is the first window (by start) that ends after the current
  // interval's start. It overlaps the interval iff it starts before the
  // interval's end; the windows before it have ended, and the ones after it
  // start no earlier than it does.
  size_t w = 0;
  int run_start = -1;
  const auto close_run = [&](int end) {  // intervals [run_start, end)
    if (run_start < 0) return;
    Incident inc;
    inc.span = Interval{grid.At(run_start).from, grid.At(end - 1).to};
    inc.minutes = inc.span.length() / absl::Minutes(1);
    inc.intervals = end - run_start;
    r.incidents.push_back(inc);
    run_start = -1;
  };

  for (int k = 0; k < grid.count; ++k) {
    const Interval iv = grid.At(k);
    const Counts& n = per_interval[k];
    while (w < windows.size() && windows[w].to <= iv.from) ++w;
    const bool in_maintenance = w < windows.size() && windows[w].from < iv.to;

    enum { kUp, kDown, kExcluded } state;
    bool forced = false;  // down whatever the results: 100 % error
    if (in_maintenance) {
      ++r.maintenance_intervals;
      if (spec.maintenance_counts_as_downtime) {
        state = kDown;
        forced = true;
      } else {
        state = kExcluded;
      }
    } else if (n.total == 0) {
      ++r.no_data_intervals;
      switch (spec.no_data) {
        case NoDataPolicy::kUp:
          state = kUp;
          break;
        case NoDataPolicy::kDown:
          state = kDown;
          forced = true;
          break;
        case NoDataPolicy::kExcluded:
        default:
          state = kExcluded;
          break;
      }
    } else {
      const absl::int128 lhs =
          absl::int128(n.bad()) * absl::int128(kRatioDenominator);
      const absl::int128 rhs =
          absl::int128(c.max_error_ppb) * absl::int128(n.total);
      state = lhs > rhs ? kDown : kUp;
    }

    if (state == kExcluded) {
      ++r.excluded_intervals;
    } else if (request_based) {
      if (forced) {
        rates.Add(1, 1);
      } else if (n.total > 0) {
        rates.Add(n.bad(), n.total);
      }
    }
    if (state == kDown) {
      ++r.down_intervals;
      r.downtime_minutes += iv.length() / absl::Minutes(1);
      if (run_start < 0) run_start = k;
    } else {
      if (state == kUp) ++up;
      close_run(k);
    }
  }
  close_run(grid.count);

  const int64_t counted = r.counted_intervals();
  if (counted == 0) return r;  // nothing measured: 100 %, met, no credit

  // The uptime as an exact fraction up_num / up_den when possible.
  absl::uint128 up_num = 0;
  absl::uint128 up_den = 1;
  bool exact = true;
  long double avg_error = 0;  // request-based, inexact path
  if (!request_based) {
    up_num = static_cast<uint64_t>(up);
    up_den = static_cast<uint64_t>(counted);
    r.uptime_percent = Divide(up_num * 100, up_den);
  } else if (rates.exact()) {
    // 1 - (num / den) / counted = (counted * den - num) / (counted * den).
    up_den = absl::uint128(static_cast<uint64_t>(counted)) * rates.den();
    up_num = up_den - rates.num();
    r.average_error_rate = Divide(rates.num(), up_den);
    r.uptime_percent = Divide(up_num * 100, up_den);
  } else {
    exact = false;
    avg_error = rates.approx() / counted;
    r.average_error_rate = static_cast<double>(avg_error);
    r.uptime_percent = static_cast<double>(100.0L - 100.0L * avg_error);
  }

  // uptime >= p / d. Inexact path: 1 - S / counted >= p / d
  // <=> (d - p) * counted >= d * S, the left side an exact integer.
  const auto at_least = [&](const Target& t) {
    if (exact) return AtLeast(up_num, up_den, t);
    const long double lhs =
        static_cast<long double>(t.denominator() - t.numerator()) * counted;
    return lhs >= static_cast<long double>(t.denominator()) * rates.approx();
  };
  r.met = at_least(c.commitment);
  if (!r.met) {
    // Tiers go from the highest threshold down, credits non-decreasing: the
    // last tier the uptime is below is the lowest one.
    for (size_t i = 0; i < c.below.size(); ++i) {
      if (!at_least(c.below[i]))
        r.credit_percent = spec.credits[i].credit_percent;
    }
  }
  return r;
}

}  // namespace sla
