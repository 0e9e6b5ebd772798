// probes/grpc_health_checker.h: a Checker that asks a gRPC server's standard
// health service (grpc.health.v1.Health/Check) whether it is serving.
//
//   sla::GrpcHealthProbeConfig config;
//   config.address = "hub.internal:443";
//   config.service = "hub.v1.DeviceService";  // "" asks about the server
//   config.tls = true;                         // system roots, or ca_file
//   absl::StatusOr<std::unique_ptr<sla::probes::Checker>> checker =
//       sla::probes::MakeGrpcHealthChecker(config, absl::Seconds(2));
//   if (!checker.ok()) return checker.status();
//   std::atomic<bool> cancel{false};
//   sla::probes::CheckResult r = (*checker)->Check(cancel);
//   // {kOk, 3ms, ""} or e.g. {kFail, 1ms, "NOT_SERVING"}
//
// Each Check opens a new connection (its own channel, not shared with other
// channels of the process), makes one call with a deadline of the timeout
// from the start of the check, and closes the connection, so every result
// says whether a client connecting now would be served, and the latency
// includes connection setup (TCP, TLS, HTTP/2).
//
// Outcomes and reasons:
//   SERVING                               kOk       ""
//   NOT_SERVING, UNKNOWN                  kFail     the status name,
//                                                   "NOT_SERVING"/"UNKNOWN"
//   SERVICE_UNKNOWN, or the call fails    kFail     "service 'x' unknown"
//     with NOT_FOUND (the server does not
//     know `service`)
//   no answer within the timeout          kTimeout  "timed out after 2s"
//     (DEADLINE_EXCEEDED)
//   UNAVAILABLE (refused, reset, not      kFail     "unavailable: <gRPC's
//     reachable)                                    message>"
//   UNAVAILABLE from a failed TLS         kError    "tls: <message>"
//     handshake (e.g. certificate not
//     trusted), or DNS resolution failed            "dns: <message>"
//   ca_file unreadable                    kError    "ca_file '<path>': ..."
//   cancelled (shutdown)                  kError    "cancelled"
//   any other gRPC status                 kError    "<CODE>: <message>", or
//     (e.g. UNIMPLEMENTED: the server has           "<CODE>" without one,
//     no health service)                            e.g. "UNIMPLEMENTED"
// Cancellation: Check polls `cancel` every 20 ms while the call is in
// flight and, once it is set, cancels the call and returns within
// milliseconds.
//
// TLS: when config.tls, the server certificate is verified against the PEM
// roots in config.ca_file (read at every check, so a rotated file is
// picked up), or, when ca_file is "", gRPC's default roots (the file named
// by GRPC_DEFAULT_SSL_ROOTS_FILE_PATH, else /usr/share/grpc/roots.pem), and
// its name against the host part of config.address. ca_file is ignored
// without tls.
//
// Thread safety: the Checker is thread-compatible (see probes/probe.h);
// checkers share nothing.

#ifndef PROBES_GRPC_HEALTH_CHECKER_H_
#define PROBES_GRPC_HEALTH_CHECKER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "probes/probe.h"
#include "sla/probe_config.h"

namespace sla::probes {

// Returns a checker for `config` whose calls have `timeout` as deadline.
// InvalidArgument for an empty address or a timeout that is not positive
// and finite. Nothing is connected before the first Check.
absl::StatusOr<std::unique_ptr<Checker>> MakeGrpcHealthChecker(
    const GrpcHealthProbeConfig& config, absl::Duration timeout);

}  // namespace sla::probes

#endif  // PROBES_GRPC_HEALTH_CHECKER_H_
