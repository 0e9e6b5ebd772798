// probes/checker_factory.h: one entry point that turns any probe of
// slakit.yaml (sla/probe_config.h) into its Checker.
//
//   for (const sla::ProbeConfig& p : service.probes) {
//     absl::StatusOr<std::unique_ptr<sla::probes::Checker>> checker =
//         sla::probes::MakeChecker(p, &sla::probes::MakeGrpcHealthChecker);
//     if (!checker.ok()) return checker.status();
//     ...  // hand it to the scheduler with p.interval, p.jitter
//   }
//
// Dispatches on the kind: http -> MakeHttpChecker, tcp -> MakeTcpChecker,
// scenario -> MakeScenarioChecker, metric -> MakeMetricChecker (each with
// ProbeConfig::timeout), grpc_health -> the `grpc` hook. The gRPC checker
// lives in its own target (probes/grpc_health_checker.h) so that this one
// links no gRPC: a binary built with gRPC passes MakeGrpcHealthChecker as
// the hook, one built without passes nothing.
//
// Thread safety: MakeChecker is thread-safe if the hook is.

#ifndef PROBES_CHECKER_FACTORY_H_
#define PROBES_CHECKER_FACTORY_H_

#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "probes/probe.h"
#include "sla/probe_config.h"

namespace sla {
namespace probes {

// Makes the checker of a grpc_health probe, with the probe's timeout.
using GrpcHealthFactory =
    std::function<absl::StatusOr<std::unique_ptr<Checker>>(
        const GrpcHealthProbeConfig&, absl::Duration)>;

// Returns the checker for `probe` (owned by the caller). Errors are those
// of the kind's Make* function, with the probe's place before the message
// (probe.where, "slakit.yaml:4:9: services[0].probes[0]: ", for a probe read
// from a file; else "probe '<name>': "), e.g. "probe 'home': http: url
// 'ftp://x' is not http:// or https://"; a
// grpc_health probe without a `grpc` hook is Unimplemented "probe 'hub':
// grpc_health probes need slakit built with gRPC". The hook's errors are
// prefixed the same way.
absl::StatusOr<std::unique_ptr<Checker>> MakeChecker(
    const ProbeConfig& probe, const GrpcHealthFactory& grpc = nullptr);

}  // namespace probes
}  // namespace sla

#endif  // PROBES_CHECKER_FACTORY_H_
