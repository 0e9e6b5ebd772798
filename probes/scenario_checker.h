// probes/scenario_checker.h: a Checker that runs an ordered list of HTTP
// steps (log in, then use the session), passing values from earlier
// responses to later requests.
//
//   sla::ScenarioProbeConfig config;
//   sla::ScenarioStep login;
//   login.name = "login";
//   login.request.method = "POST";
//   login.request.url = "https://web.example/login";
//   login.request.body = R"({"user":"probe"})";
//   login.captures = {{"token", "", R"("token":"([^"]+)")"}};
//   sla::ScenarioStep cart;
//   cart.name = "cart";
//   cart.request.url = "https://web.example/cart";
//   cart.request.headers = {"Authorization: Bearer ${token}"};
//   cart.request.expect_body = "items";
//   config.steps = {login, cart};
//   absl::StatusOr<std::unique_ptr<sla::probes::Checker>> checker =
//       sla::probes::MakeScenarioChecker(config, absl::Seconds(10));
//   if (!checker.ok()) return checker.status();
//   std::atomic<bool> cancel{false};
//   sla::probes::CheckResult r = (*checker)->Check(cancel);
//   // {kOk, 84ms, ""} or e.g. {kFail, 40ms, "step 'cart': status 401
//   // (expected 2xx)"}
//
// Steps run in order, each one HTTP request checked exactly as by
// MakeHttpChecker (probes/http_checker.h: same request options, outcomes
// and reasons, including the step's own latency_threshold), sharing one
// time budget: each step may take what the earlier ones left of `timeout`.
// The check ends at the first step that is not ok, with that step's
// outcome and its reason prefixed "step '<name>': ", e.g.
// "step 'login': connection refused". Exceptions: "cancelled" has no
// prefix, and a timeout names the whole scenario's timeout ("step 'cart':
// timed out after 10s"). The latency is the end-to-end time of all steps
// (up to the failing one); when every step passes but it exceeds
// config.latency_threshold, the result is kFail "slow: 1200 ms > 1000 ms".
//
// Captures: after a step passes its checks, each of its captures searches
// its regex in the response body, or in the value of a response header
// (captures[i].header, any case, the first such header of the final
// response), and keeps the first group (the whole match when the regex has
// no group); the regex is RE2's syntax, like expect_body_regex (see
// probes/http_checker.h). A later step refers to the
// value as ${name} in its url, its headers or its body; values are inserted as
// they are (no URL encoding); a later capture of the same name replaces the
// value. A capture that finds nothing fails its step (kFail):
//   "step 'login': capture 'token': body does not match /"token":"(\w+)"/"
//   "step 'login': capture 'session': no header 'X-Session'"
//   "step 'login': capture 'session': header 'X-Session' does not match
//   /s-(\d+)/"
// A header that would contain a line break once expanded is kError
// "step 'cart': header 1 has a line break after substitution".
//
// Thread safety: the Checker is thread-compatible (see probes/probe.h).

#ifndef PROBES_SCENARIO_CHECKER_H_
#define PROBES_SCENARIO_CHECKER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "probes/probe.h"
#include "sla/probe_config.h"

namespace sla {
namespace probes {

// Returns a checker for `config` whose checks give up after `timeout` in
// all. InvalidArgument (nothing is sent) when: there are no steps; a step
// has no name or the name of an earlier step; a step's request is invalid
// as for MakeHttpChecker (a URL with ${...} is checked only for its scheme,
// when it does not start with ${...}, and in full once expanded); a
// capture's name is not an identifier ([A-Za-z_][A-Za-z0-9_]*) or repeats
// within its step, or its regex is not a valid RE2 regex; ${ is not
// closed by } or does not enclose an identifier; a ${name} is used before
// any earlier step captures it; config.latency_threshold is not positive;
// the timeout is not positive and finite. Messages name the step, e.g.
// "scenario step 'cart': ${tok} is not captured by an earlier step".
absl::StatusOr<std::unique_ptr<Checker>> MakeScenarioChecker(
    const ScenarioProbeConfig& config, absl::Duration timeout);

}  // namespace probes
}  // namespace sla

#endif  // PROBES_SCENARIO_CHECKER_H_
