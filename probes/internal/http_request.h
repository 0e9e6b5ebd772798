// probes/internal/http_request.h: the HTTP code the http, scenario and
// metric checkers share: one request through libcurl, the checks of a
// response against an HttpProbeConfig, validation, and reason strings;
// also the few bits every checker uses (Stopwatch, ValidateTimeout,
// TimeoutReason, WithPrefix). Implementation only (not installed; part of
// the probes_checkers target).
//
//   internal::HttpRequest req;
//   req.url = "http://127.0.0.1:8080/health";
//   std::atomic<bool> cancel{false};
//   internal::HttpExchange ex =
//       internal::SendHttpRequest(req, absl::Seconds(2), cancel);
//   if (ex.outcome == Outcome::kOk) { /* ex.response.status, .body */ }
//
// Thread safety: every function is thread-safe; ResponseCheck is immutable
// after Make and may be shared.

#ifndef PROBES_INTERNAL_HTTP_REQUEST_H_
#define PROBES_INTERNAL_HTTP_REQUEST_H_

#include <atomic>
#include <chrono>  // NOLINT(build/c++11): the monotonic clock
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "probes/probe.h"
#include "sla/probe_config.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace sla {
namespace probes {
namespace internal {

// How much of a response body the http and scenario checkers read: the
// transfer stops there, and body checks see only this much.
inline constexpr size_t kMaxBodyBytes = size_t{1} << 20;  // 1 MiB

// One request, fully expanded (no ${...} left).
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // "" sends none (except for POST)
  bool tls_verify = true;
  std::string ca_file;  // "" uses the system's roots
  bool follow_redirects = false;
  size_t max_body_bytes = kMaxBodyBytes;
};

// Copies the request part of `config`.
HttpRequest RequestFrom(const HttpProbeConfig& config);

struct HttpResponse {
  int status = 0;
  std::string body;             // its first max_body_bytes bytes
  bool body_truncated = false;  // the body was longer (transfer stopped)
  // Headers of the final response (after redirects), in order, values
  // trimmed.
  std::vector<std::pair<std::string, std::string>> headers;

  // The value of the first header called `name` (any case), if any.
  std::optional<std::string> Header(absl::string_view name) const;
};

// What SendHttpRequest returns. outcome kOk means that a response arrived,
// whatever its status; otherwise `reason` says why not:
//   kFail     "connection refused"; a connection reset or a garbled answer
//             (curl's message);
//   kTimeout  "timed out after <timeout>" (absl::FormatDuration: "2s");
//   kError    "cancelled"; DNS, TLS or URL problems, an unreadable CA file
//             (curl's message).
struct HttpExchange {
  Outcome outcome = Outcome::kError;
  std::string reason;
  HttpResponse response;
};

// Sends `request` and reads the response, giving up after `timeout` (which
// must be positive) or soon (within ~20 ms) after `cancel` becomes true.
// Never throws; blocks the calling thread.
HttpExchange SendHttpRequest(const HttpRequest& request, absl::Duration timeout,
                             const std::atomic<bool>& cancel);

// Validation of the parts of an HttpProbeConfig at Make time. Messages say
// what is wrong without naming the probe (callers prefix them).
//
// OK for an absolute http:// or https:// URL that libcurl can parse.
absl::Status ValidateUrl(absl::string_view url);
// OK for a method of letters (e.g. "GET", "PATCH").
absl::Status ValidateMethod(absl::string_view method);
// OK for "Name: value" with a non-empty name and no line breaks.
absl::Status ValidateHeader(absl::string_view header);
// OK for a timeout that is positive and finite.
absl::Status ValidateTimeout(absl::Duration timeout);
// OK for a positive latency threshold (InfiniteDuration: none).
absl::Status ValidateLatencyThreshold(absl::Duration threshold);
// All of the above for the request part of `config` (the URL only when
// `check_url`: a scenario's may hold ${...}).
absl::Status ValidateRequestConfig(const HttpProbeConfig& config,
                                   bool check_url);
// Compiles an RE2 regex (https://github.com/google/re2/wiki/Syntax);
// InvalidArgument naming `what` if it is bad. RE2 searches in time linear in
// the text and never backtracks, so a pattern written in a configuration
// cannot hang a check or overflow a stack, whatever the body.
absl::StatusOr<std::shared_ptr<const re2::RE2>> CompileRegex(
    const std::string& pattern, absl::string_view what);

// What RegexSearch found.
struct RegexMatch {
  bool matched = false;
  // The first group when the regex has one, else the whole match.
  std::string value;
};

// Searches `re` anywhere in `text` (unanchored).
RegexMatch RegexSearch(const re2::RE2& re, absl::string_view text);

// The checks of a response: status, body substring, body regex (compiled
// once, in Make).
class ResponseCheck {
 public:
  // Accepts any 2xx response.
  ResponseCheck() = default;

  // InvalidArgument for a status outside 100..599 or a bad regex.
  static absl::StatusOr<ResponseCheck> Make(const HttpProbeConfig& config);

  // "" when `response` passes; else the reason: "status 503 (expected
  // 200)", "status 301 (expected 2xx)", "body lacks \"ok\"",
  // "body does not match /o+k/".
  std::string Mismatch(const HttpResponse& response) const;

 private:
  std::vector<int> expect_status_;
  std::string expect_body_;
  std::string regex_text_;
  std::shared_ptr<const re2::RE2> regex_;  // null: none
};

// `status` with "<prefix>: " before its message; OK stays OK.
absl::Status WithPrefix(absl::string_view prefix, const absl::Status& status);

// "timed out after 2s".
std::string TimeoutReason(absl::Duration timeout);
// "slow: 812 ms > 500 ms" (latency rounded up, threshold down, to ms).
std::string SlowReason(absl::Duration latency, absl::Duration threshold);

// Elapsed time on the monotonic clock since construction.
class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  absl::Duration Elapsed() const {
    return absl::FromChrono(std::chrono::steady_clock::now() - start_);
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace internal
}  // namespace probes
}  // namespace sla

#endif  // PROBES_INTERNAL_HTTP_REQUEST_H_
