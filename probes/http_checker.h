// probes/http_checker.h: a Checker that makes one HTTP(S) request and
// checks the response (status, body, latency).
//
//   sla::HttpProbeConfig config;
//   config.url = "https://web.example/health";
//   config.expect_status = {200};
//   config.expect_body = "\"status\":\"up\"";
//   config.latency_threshold = absl::Milliseconds(500);
//   absl::StatusOr<std::unique_ptr<sla::probes::Checker>> checker =
//       sla::probes::MakeHttpChecker(config, absl::Seconds(2));
//   if (!checker.ok()) return checker.status();
//   std::atomic<bool> cancel{false};
//   sla::probes::CheckResult r = (*checker)->Check(cancel);
//   // {kOk, 23ms, ""} or e.g. {kFail, 31ms, "status 503 (expected 200)"}
//
// Each Check opens a new connection (libcurl; nothing is reused between
// checks), so the latency, measured on a monotonic clock from the start of
// the check to the end of the response, includes DNS, TCP and TLS setup.
//
// The request: config.method (GET, POST, HEAD, or any other word sent as
// is), config.headers as given ("Name: value"), config.body (sent when not
// empty; POST always sends it, possibly empty). No redirect is followed
// unless config.follow_redirects (then up to 10, http and https only), so
// by default a 301 is the answer and fails an "any 2xx" expectation. TLS:
// the certificate and the host name are verified unless
// config.tls_verify is false, against config.ca_file (a PEM bundle) when
// set, else the system's roots. At most the first 1 MiB of a body is read
// (the transfer stops there); expect_body and expect_body_regex are looked
// for in all of it. The regex is RE2's syntax (no backreferences or
// lookaround), searched in time linear in the body, so no pattern can hang
// a check past its timeout.
//
// Outcomes and reasons, checked in this order:
//   cancelled (shutdown)              kError    "cancelled"
//   no complete answer in time        kTimeout  "timed out after 2s"
//   connection refused                kFail     "connection refused"
//   reset, empty or garbled answer,   kFail     curl's message
//     other failure to connect
//   DNS failure, TLS handshake or     kError    curl's message, e.g.
//     verification failure, bad URL,            "SSL certificate problem:
//     unreadable ca_file                        self-signed certificate"
//   status not expected               kFail     "status 503 (expected 200)",
//     (empty expect_status: any 2xx)            "status 301 (expected 2xx)",
//                                               "status 404 (expected 200
//                                               or 204)"
//   body lacks expect_body            kFail     "body lacks \"up\""
//   body does not match the regex     kFail     "body does not match /u+p/"
//   slower than latency_threshold     kFail     "slow: 812 ms > 500 ms"
//   otherwise                         kOk       ""
// Cancellation is noticed within about 20 ms.
//
// Thread safety: the Checker is thread-compatible (see probes/probe.h).

#ifndef PROBES_HTTP_CHECKER_H_
#define PROBES_HTTP_CHECKER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "probes/probe.h"
#include "sla/probe_config.h"

namespace sla {
namespace probes {

// Returns a checker for `config` whose checks give up after `timeout`.
// InvalidArgument (nothing is sent) when: the URL is not an absolute
// http:// or https:// URL; the method is not a word; a header is not
// "Name: value"; an expected status is outside 100..599;
// expect_body_regex is not a valid RE2 regex (it is compiled here,
// once); latency_threshold is not positive; the timeout is not positive
// and finite. The messages say which, e.g. "http: url 'ftp://x' is not
// http:// or https://".
absl::StatusOr<std::unique_ptr<Checker>> MakeHttpChecker(
    const HttpProbeConfig& config, absl::Duration timeout);

}  // namespace probes
}  // namespace sla

#endif  // PROBES_HTTP_CHECKER_H_
