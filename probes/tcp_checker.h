// probes/tcp_checker.h: a Checker that opens a TCP connection and closes
// it again (is the port accepting connections?).
//
//   sla::TcpProbeConfig config;
//   config.address = "10.0.0.5:5432";  // or "db.internal:5432", "[::1]:5432"
//   absl::StatusOr<std::unique_ptr<sla::probes::Checker>> checker =
//       sla::probes::MakeTcpChecker(config, absl::Seconds(1));
//   if (!checker.ok()) return checker.status();
//   std::atomic<bool> cancel{false};
//   sla::probes::CheckResult r = (*checker)->Check(cancel);
//   // {kOk, 1ms, ""} or e.g. {kFail, 0ms, "connection refused"}
//
// Each Check resolves the host anew (getaddrinfo; IP literals without a
// lookup), then tries the addresses in the order returned, each with a
// non-blocking connect, until one connects. Nothing is sent; the
// connection is closed at once. The latency, on a monotonic clock, covers
// resolution and connecting. The whole check, resolution included, shares
// the one timeout; `cancel` is looked at every 20 ms.
//
// Outcomes and reasons:
//   an address connected                 kOk       ""
//   cancelled (shutdown)                 kError    "cancelled"
//   no address connected in time (or     kTimeout  "timed out after 1s"
//     the name did not resolve in time)
//   some address refused, none connected kFail     "connection refused"
//   other connect errors (host           kFail     "connect to 10.0.0.5:5432:
//     unreachable, reset)                          No route to host"
//   the probe's own network is unusable  kError    "connect to 10.0.0.5:5432:
//     (network unreachable, no local               Network is unreachable"
//     address, not permitted)
//   the name does not resolve            kError    "cannot resolve
//                                                  'db.internal': Name or
//                                                  service not known"
// (When several addresses fail differently, "connection refused" wins,
// then the first address's error.)
//
// Resolution that takes long runs on a helper thread that the check stops
// waiting for at the timeout; the thread then finishes on its own.
//
// Thread safety: the Checker is thread-compatible (see probes/probe.h).

#ifndef PROBES_TCP_CHECKER_H_
#define PROBES_TCP_CHECKER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "probes/probe.h"
#include "sla/probe_config.h"

namespace sla {
namespace probes {

// Returns a checker for config.address whose checks give up after
// `timeout`. InvalidArgument (nothing is resolved or connected) when the
// address is not host:port or [v6]:port (e.g. an IPv6 literal without
// brackets, a port outside 1..65535, an empty host, brackets around
// something that is not an IPv6 address), or the timeout is not positive
// and finite; e.g. "tcp: address 'db' is not host:port or [v6]:port".
absl::StatusOr<std::unique_ptr<Checker>> MakeTcpChecker(
    const TcpProbeConfig& config, absl::Duration timeout);

}  // namespace probes
}  // namespace sla

#endif  // PROBES_TCP_CHECKER_H_
