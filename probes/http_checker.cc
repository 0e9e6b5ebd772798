#include "probes/http_checker.h"

#include <atomic>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "probes/internal/http_request.h"

namespace sla {
namespace probes {
namespace {

class HttpChecker final : public Checker {
 public:
  HttpChecker(internal::HttpRequest request, internal::ResponseCheck check,
              absl::Duration latency_threshold, absl::Duration timeout)
      : request_(std::move(request)),
        check_(std::move(check)),
        latency_threshold_(latency_threshold),
        timeout_(timeout) {}

  CheckResult Check(const std::atomic<bool>& cancel) override {
    const internal::Stopwatch watch;
    internal::HttpExchange ex =
        internal::SendHttpRequest(request_, timeout_, cancel);
    CheckResult r;
    r.latency = watch.Elapsed();
    if (ex.outcome != Outcome::kOk) {
      r.outcome = ex.outcome;
      r.reason = std::move(ex.reason);
      return r;
    }
    r.reason = check_.Mismatch(ex.response);
    if (r.reason.empty() && r.latency > latency_threshold_) {
      r.reason = internal::SlowReason(r.latency, latency_threshold_);
    }
    r.outcome = r.reason.empty() ? Outcome::kOk : Outcome::kFail;
    return r;
  }

 private:
  const internal::HttpRequest request_;
  const internal::ResponseCheck check_;
  const absl::Duration latency_threshold_;
  const absl::Duration timeout_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Checker>> MakeHttpChecker(
    const HttpProbeConfig& config, absl::Duration timeout) {
  absl::Status s = internal::ValidateTimeout(timeout);
  if (s.ok()) s = internal::ValidateRequestConfig(config, /*check_url=*/true);
  if (!s.ok()) return internal::WithPrefix("http", s);
  absl::StatusOr<internal::ResponseCheck> check =
      internal::ResponseCheck::Make(config);
  if (!check.ok()) return internal::WithPrefix("http", check.status());
  return std::make_unique<HttpChecker>(internal::RequestFrom(config),
                                       *std::move(check),
                                       config.latency_threshold, timeout);
}

}  // namespace probes
}  // namespace sla
