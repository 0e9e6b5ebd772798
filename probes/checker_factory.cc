#include "probes/checker_factory.h"

#include <memory>
#include <string>
#include <type_traits>
#include <variant>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "probes/http_checker.h"
#include "probes/metric_checker.h"
#include "probes/scenario_checker.h"
#include "probes/tcp_checker.h"

namespace sla {
namespace probes {

absl::StatusOr<std::unique_ptr<Checker>> MakeChecker(
    const ProbeConfig& probe, const GrpcHealthFactory& grpc) {
  const absl::Duration timeout = probe.timeout;
  absl::StatusOr<std::unique_ptr<Checker>> checker = std::visit(
      [&](const auto& kind) -> absl::StatusOr<std::unique_ptr<Checker>> {
        using T = std::decay_t<decltype(kind)>;
        if constexpr (std::is_same_v<T, HttpProbeConfig>) {
          return MakeHttpChecker(kind, timeout);
        } else if constexpr (std::is_same_v<T, TcpProbeConfig>) {
          return MakeTcpChecker(kind, timeout);
        } else if constexpr (std::is_same_v<T, ScenarioProbeConfig>) {
          return MakeScenarioChecker(kind, timeout);
        } else if constexpr (std::is_same_v<T, MetricProbeConfig>) {
          return MakeMetricChecker(kind, timeout);
        } else {
          static_assert(std::is_same_v<T, GrpcHealthProbeConfig>);
          if (!grpc) {
            return absl::UnimplementedError(
                "grpc_health probes need slakit built with gRPC");
          }
          return grpc(kind, timeout);
        }
      },
      probe.check);
  const std::string who = probe.where.empty()
                              ? absl::StrCat("probe '", probe.name, "'")
                              : probe.where;
  if (!checker.ok()) {
    return absl::Status(checker.status().code(),
                        absl::StrCat(who, ": ", checker.status().message()));
  }
  if (*checker == nullptr) {
    return absl::InternalError(
        absl::StrCat(who, ": the factory made no checker"));
  }
  return checker;
}

}  // namespace probes
}  // namespace sla
