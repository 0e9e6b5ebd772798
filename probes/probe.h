// probes/probe.h: what one active check returns, and the interface every
// checker implements.
//
//   std::unique_ptr<sla::probes::Checker> checker = ...;  // e.g. MakeChecker
//   std::atomic<bool> cancel{false};
//   sla::probes::CheckResult r = checker->Check(cancel);
//   if (r.outcome != sla::probes::Outcome::kOk) {
//     std::cerr << sla::probes::OutcomeName(r.outcome) << ": " << r.reason;
//   }
//
// Outcomes:
//   kOk       the target answered as expected, within the latency threshold;
//   kFail     it answered, but wrongly (status, body, value, too slow) or
//             refused the connection;
//   kTimeout  no complete answer within the probe's timeout;
//   kError    the check could not be made (bad URL, DNS failure, TLS
//             verification failure, unreadable CA file): the target may be
//             fine, the probe or the network is not.
// For an SLI, only kOk is good; the reason tells the on-call which it was.
//
// Thread safety: a Checker is thread-compatible; the scheduler never runs
// one Checker on two threads at once. Different Checkers share nothing.

#ifndef PROBES_PROBE_H_
#define PROBES_PROBE_H_

#include <atomic>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sla {
namespace probes {

enum class Outcome { kOk, kFail, kTimeout, kError };

// "ok", "fail", "timeout", "error".
inline absl::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kFail:
      return "fail";
    case Outcome::kTimeout:
      return "timeout";
    case Outcome::kError:
      return "error";
  }
  return "error";
}

struct CheckResult {
  Outcome outcome = Outcome::kError;
  // From the start of the check to its answer (or to giving up), measured
  // on a monotonic clock.
  absl::Duration latency = absl::ZeroDuration();
  // Short and human: "status 503 (expected 200)", "connection refused",
  // "timed out after 2s", "step 'cart': body lacks \"ok\"". "" when ok.
  std::string reason;
};

class Checker {
 public:
  virtual ~Checker() = default;

  // Runs one check and returns within about the probe's timeout (which the
  // checker was built with). Returns early, as kError with reason
  // "cancelled", once `cancel` becomes true (shutdown). Never throws.
  virtual CheckResult Check(const std::atomic<bool>& cancel) = 0;
};

}  // namespace probes
}  // namespace sla

#endif  // PROBES_PROBE_H_
