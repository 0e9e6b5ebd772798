#include "sla/objective.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace sla {
namespace {

constexpr int64_t kTargetDenominator = 1'000'000'000;  // 9 decimals

// num / den for exact integers, rounded once when both fit a double's
// mantissa (the usual case); otherwise through long double.
double Divide(absl::int128 num, absl::int128 den) {
  constexpr int64_t kExact = int64_t{1} << 53;
  const absl::int128 abs_num = num < 0 ? -num : num;
  if (abs_num < kExact && den < kExact) {
    return static_cast<double>(static_cast<int64_t>(num)) /
           static_cast<double>(static_cast<int64_t>(den));
  }
  return static_cast<double>(static_cast<long double>(num) /
                             static_cast<long double>(den));
}

// The shortest text that reads back as `value` (messages show what the
// caller passed, not a 6-digit rounding of it).
std::string Num(double value) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, res.ptr);
}

}  // namespace

absl::StatusOr<Target> Target::FromFraction(double fraction) {
  if (!std::isfinite(fraction) || fraction <= 0 || fraction >= 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("target ", Num(fraction),
                     " is not a fraction in (0, 1) (0.999 = 99.9%)"));
  }
  const int64_t num = std::llround(fraction * kTargetDenominator);
  if (num <= 0 || num >= kTargetDenominator) {
    return absl::InvalidArgumentError(absl::StrCat(
        "target ", Num(fraction), " rounds to 0 or 1 at 9 decimal places"));
  }
  const int64_t g = std::gcd(num, kTargetDenominator);
  return Target(num / g, kTargetDenominator / g);
}

absl::StatusOr<Target> Target::FromPercent(double percent) {
  if (!std::isfinite(percent) || percent <= 0 || percent >= 100) {
    return absl::InvalidArgumentError(absl::StrCat(
        "target ", Num(percent), " is not a percentage in (0, 100)"));
  }
  const int64_t num = std::llround(percent * (kTargetDenominator / 100));
  if (num <= 0 || num >= kTargetDenominator) {
    return absl::InvalidArgumentError(absl::StrCat(
        "target ", Num(percent), "% rounds to 0 or 100 at 7 decimal places"));
  }
  const int64_t g = std::gcd(num, kTargetDenominator);
  return Target(num / g, kTargetDenominator / g);
}

BudgetNumbers ComputeBudget(const Counts& counts, const Target& target) {
  BudgetNumbers b;
  b.good = counts.good;
  b.total = counts.total;
  b.bad = counts.bad();
  if (counts.total == 0) return b;  // no data: nothing consumed
  const absl::int128 den = target.denominator();
  const absl::int128 slack = den - target.numerator();  // (1 - target) * den
  const absl::int128 total = counts.total;
  const absl::int128 bad = b.bad;
  b.availability = Divide(counts.good, counts.total);
  b.allowed_bad = Divide(total * slack, den);
  b.consumed = Divide(bad * den, total * slack);
  b.remaining = Divide(total * slack - bad * den, total * slack);
  return b;
}

double BurnRate(const Counts& counts, const Target& target) {
  if (counts.total == 0) return 0;
  const absl::int128 den = target.denominator();
  const absl::int128 slack = den - target.numerator();
  return Divide(absl::int128(counts.bad()) * den,
                absl::int128(counts.total) * slack);
}

absl::Duration TimeToExhaustion(double remaining, double burn,
                                absl::Duration window) {
  if (remaining <= 0) return absl::ZeroDuration();
  if (!(burn > 0)) return absl::InfiniteDuration();
  return window * (remaining / burn);
}

absl::Status CheckNameText(absl::string_view name) {
  const auto* p = reinterpret_cast<const unsigned char*>(name.data());
  const size_t n = name.size();
  for (size_t i = 0; i < n;) {
    const unsigned char c = p[i];
    if (c == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("byte ", i + 1, " is a NUL byte"));
    }
    if (c < 0x80) {
      ++i;
      continue;
    }
    // The length of the sequence and the range of its second byte
    // (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF).
    size_t len = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    }
    bool ok = len != 0 && i + len <= n && p[i + 1] >= lo && p[i + 1] <= hi;
    for (size_t k = 2; ok && k < len; ++k) {
      ok = p[i + k] >= 0x80 && p[i + k] <= 0xBF;
    }
    if (!ok) {
      static constexpr char kHex[] = "0123456789abcdef";
      const char hex[] = {kHex[c >> 4], kHex[c & 15], 0};
      return absl::InvalidArgumentError(
          absl::StrCat("byte ", i + 1, " (0x", hex, ") is not valid UTF-8"));
    }
    i += len;
  }
  return absl::OkStatus();
}

absl::string_view SliKindName(SliKind kind) {
  switch (kind) {
    case SliKind::kProbeSuccess:
      return "probe_success";
    case SliKind::kLatencyThreshold:
      return "latency_threshold";
    case SliKind::kEventRatio:
      return "event_ratio";
  }
  return "?";
}

absl::StatusOr<BudgetingMethod> ParseBudgetingMethod(absl::string_view text) {
  const std::string t = absl::AsciiStrToLower(text);
  if (t == "occurrences") return BudgetingMethod::kOccurrences;
  if (t == "timeslices") return BudgetingMethod::kTimeslices;
  if (t == "ratiotimeslices") return BudgetingMethod::kRatioTimeslices;
  return absl::InvalidArgumentError(
      absl::StrCat("budgeting method '", text,
                   "' is not one of Occurrences, Timeslices, RatioTimeslices"));
}

absl::string_view BudgetingMethodName(BudgetingMethod method) {
  switch (method) {
    case BudgetingMethod::kOccurrences:
      return "Occurrences";
    case BudgetingMethod::kTimeslices:
      return "Timeslices";
    case BudgetingMethod::kRatioTimeslices:
      return "RatioTimeslices";
  }
  return "?";
}

}  // namespace sla
