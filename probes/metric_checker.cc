#include "probes/metric_checker.h"

#include <atomic>
#include <charconv>
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "probes/internal/http_request.h"
#include "probes/prom_text.h"

namespace sla {
namespace probes {
namespace {

// Exporters of many series can be large; a page beyond this is an error
// rather than a partial read.
constexpr size_t kMaxExpositionBytes = size_t{16} << 20;

enum class Op { kGe, kGt, kLe, kLt, kEq, kNe };

bool ParseOp(absl::string_view s, Op* op) {
  static constexpr std::pair<absl::string_view, Op> kOps[] = {
      {">=", Op::kGe}, {">", Op::kGt},  {"<=", Op::kLe},
      {"<", Op::kLt},  {"==", Op::kEq}, {"!=", Op::kNe}};
  for (const auto& [text, o] : kOps) {
    if (s == text) {
      *op = o;
      return true;
    }
  }
  return false;
}

bool Compare(double v, Op op, double want) {
  if (std::isnan(v)) return false;
  switch (op) {
    case Op::kGe:
      return v >= want;
    case Op::kGt:
      return v > want;
    case Op::kLe:
      return v <= want;
    case Op::kLt:
      return v < want;
    case Op::kEq:
      return v == want;
    case Op::kNe:
      return v != want;
  }
  return false;
}

bool IsName(absl::string_view s, bool colon_ok) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const bool ok = absl::ascii_isalpha(c) || c == '_' ||
                    (colon_ok && c == ':') || (i > 0 && absl::ascii_isdigit(c));
    if (!ok) return false;
  }
  return true;
}

// name{label="value",...} as in the text format (values escaped).
std::string Selector(const MetricProbeConfig& config) {
  std::string s = config.name;
  if (config.labels.empty()) return s;
  s += '{';
  for (size_t i = 0; i < config.labels.size(); ++i) {
    if (i > 0) s += ',';
    absl::StrAppend(&s, config.labels[i].first, "=\"");
    for (char c : config.labels[i].second) {
      if (c == '\\' || c == '"') {
        s += '\\';
        s += c;
      } else if (c == '\n') {
        s += "\\n";
      } else {
        s += c;
      }
    }
    s += '"';
  }
  s += '}';
  return s;
}

bool Matches(const PromSample& sample, const MetricProbeConfig& config) {
  if (sample.name != config.name) return false;
  for (const auto& [k, v] : config.labels) {
    bool found = false;
    for (const auto& [sk, sv] : sample.labels) {
      if (sk == k) {
        found = sv == v;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

class MetricChecker final : public Checker {
 public:
  MetricChecker(MetricProbeConfig config, Op op, absl::Duration timeout)
      : config_(std::move(config)),
        op_(op),
        selector_(Selector(config_)),
        timeout_(timeout) {
    request_.url = config_.url;
    request_.headers = {"Accept: text/plain"};
    request_.tls_verify = config_.tls_verify;
    request_.ca_file = config_.ca_file;
    request_.max_body_bytes = kMaxExpositionBytes;
  }

  CheckResult Check(const std::atomic<bool>& cancel) override {
    const internal::Stopwatch watch;
    CheckResult r = Run(cancel);
    r.latency = watch.Elapsed();
    return r;
  }

 private:
  static CheckResult Result(Outcome o, std::string reason) {
    CheckResult r;
    r.outcome = o;
    r.reason = std::move(reason);
    return r;
  }

  CheckResult Run(const std::atomic<bool>& cancel) const {
    internal::HttpExchange ex =
        internal::SendHttpRequest(request_, timeout_, cancel);
    if (ex.outcome != Outcome::kOk) return Result(ex.outcome, ex.reason);
    if (std::string why = internal::ResponseCheck().Mismatch(ex.response);
        !why.empty()) {
      return Result(Outcome::kFail, why);
    }
    if (ex.response.body_truncated) {
      return Result(Outcome::kError, "exposition larger than 16 MiB");
    }
    absl::StatusOr<std::vector<PromSample>> samples =
        ParsePromText(ex.response.body, config_.url);
    if (!samples.ok()) {
      return Result(Outcome::kError, std::string(samples.status().message()));
    }
    const PromSample* match = nullptr;
    int matches = 0;
    for (const PromSample& s : *samples) {
      if (Matches(s, config_)) {
        match = &s;
        ++matches;
      }
    }
    if (matches == 0) {
      return Result(Outcome::kFail, absl::StrCat("no sample ", selector_));
    }
    if (matches > 1) {
      return Result(Outcome::kError, absl::StrCat(matches, " samples match ",
                                                  selector_, ", add labels"));
    }
    if (!Compare(match->value, op_, config_.value)) {
      return Result(
          Outcome::kFail,
          absl::StrCat(config_.name, " = ", FormatPromValue(match->value),
                       ", expected ", config_.op, " ",
                       FormatPromValue(config_.value)));
    }
    return Result(Outcome::kOk, "");
  }

  const MetricProbeConfig config_;
  const Op op_;
  const std::string selector_;
  const absl::Duration timeout_;
  internal::HttpRequest request_;
};

absl::Status Validate(const MetricProbeConfig& config, absl::Duration timeout,
                      Op* op) {
  if (absl::Status s = internal::ValidateTimeout(timeout); !s.ok()) return s;
  if (absl::Status s = internal::ValidateUrl(config.url); !s.ok()) return s;
  if (!IsName(config.name, /*colon_ok=*/true)) {
    return absl::InvalidArgumentError(
        absl::StrCat("name '", config.name,
                     "' is not a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)"));
  }
  absl::flat_hash_set<std::string> seen;
  for (const auto& [k, v] : config.labels) {
    if (!IsName(k, /*colon_ok=*/false)) {
      return absl::InvalidArgumentError(
          absl::StrCat("label name '", k, "' is not [a-zA-Z_][a-zA-Z0-9_]*"));
    }
    if (!seen.insert(k).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("label '", k, "' is given twice"));
    }
  }
  if (!ParseOp(config.op, op)) {
    return absl::InvalidArgumentError(
        absl::StrCat("op '", config.op, "' is not one of >= > <= < == !="));
  }
  if (std::isnan(config.value)) {
    return absl::InvalidArgumentError("value is NaN");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Checker>> MakeMetricChecker(
    const MetricProbeConfig& config, absl::Duration timeout) {
  Op op = Op::kGe;
  if (absl::Status s = Validate(config, timeout, &op); !s.ok()) {
    return internal::WithPrefix("metric", s);
  }
  return std::make_unique<MetricChecker>(config, op, timeout);
}

}  // namespace probes
}  // namespace sla
