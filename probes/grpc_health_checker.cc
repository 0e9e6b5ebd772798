// probes/grpc_health_checker.cc: see grpc_health_checker.h.

#include "probes/grpc_health_checker.h"

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/health/v1/health.pb.h"

namespace sla::probes {
namespace {

using ::grpc::health::v1::Health;
using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;

// How often a call in flight looks at the cancel flag.
constexpr absl::Duration kCancelPoll = absl::Milliseconds(20);

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    default:
      return "UNKNOWN";
  }
}

// Reads all of `path` into `out`; false with `error` set when it cannot be
// read or is empty.
bool ReadFile(const std::string& path, std::string* out, std::string* error) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    *error = std::strerror(errno);
    return false;
  }
  char buf[8192];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out->append(buf, n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) {
    *error = "read error";
    return false;
  }
  if (out->empty()) {
    *error = "empty";
    return false;
  }
  return true;
}

// Where the call's completion lands. Shared with gRPC's callback, which may
// still be unlocking the mutex after Check has seen `done`.
struct CallState {
  absl::Mutex mu;
  bool done ABSL_GUARDED_BY(mu) = false;
  grpc::Status status ABSL_GUARDED_BY(mu);
};

class GrpcHealthChecker final : public Checker {
 public:
  GrpcHealthChecker(GrpcHealthProbeConfig config, absl::Duration timeout)
      : config_(std::move(config)), timeout_(timeout) {}

  CheckResult Check(const std::atomic<bool>& cancel) override {
    const auto start = std::chrono::steady_clock::now();
    CheckResult r = CheckOnce(cancel);
    r.latency = absl::FromChrono(std::chrono::steady_clock::now() - start);
    return r;
  }

 private:
  static CheckResult Result(Outcome outcome, std::string reason) {
    CheckResult r;
    r.outcome = outcome;
    r.reason = std::move(reason);
    return r;
  }

  CheckResult CheckOnce(const std::atomic<bool>& cancel) {
    if (cancel.load()) return Result(Outcome::kError, "cancelled");

    std::shared_ptr<grpc::ChannelCredentials> creds;
    if (config_.tls) {
      grpc::SslCredentialsOptions ssl;
      if (!config_.ca_file.empty()) {
        std::string error;
        if (!ReadFile(config_.ca_file, &ssl.pem_root_certs, &error)) {
          return Result(
              Outcome::kError,
              absl::StrCat("ca_file '", config_.ca_file, "': ", error));
        }
      }
      creds = grpc::SslCredentials(ssl);
    } else {
      creds = grpc::InsecureChannelCredentials();
    }
    grpc::ChannelArguments args;
    // A connection of our own: channels with equal arguments would
    // otherwise share connections (and their reconnect backoff).
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    std::unique_ptr<Health::Stub> stub = Health::NewStub(
        grpc::CreateCustomChannel(config_.address, creds, args));

    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
    HealthCheckRequest request;
    request.set_service(config_.service);
    HealthCheckResponse response;
    auto state = std::make_shared<CallState>();
    stub->async()->Check(&context, &request, &response,
                         [state](grpc::Status status) {
                           absl::MutexLock lock(&state->mu);
                           state->status = std::move(status);
                           state->done = true;
                         });

    bool cancelled = false;
    grpc::Status status;
    {
      absl::MutexLock lock(&state->mu);
      while (!state->done) {
        state->mu.AwaitWithTimeout(absl::Condition(&state->done), kCancelPoll);
        if (!state->done && !cancelled && cancel.load()) {
          cancelled = true;
          // Not under our lock: the completion may run inline.
          state->mu.Unlock();
          context.TryCancel();
          state->mu.Lock();
        }
      }
      status = state->status;
    }

    if (cancelled && status.error_code() != grpc::StatusCode::OK) {
      return Result(Outcome::kError, "cancelled");
    }
    return Classify(status, response);
  }

  CheckResult Classify(const grpc::Status& status,
                       const HealthCheckResponse& response) const {
    const std::string unknown =
        absl::StrCat("service '", config_.service, "' unknown");
    switch (status.error_code()) {
      case grpc::StatusCode::OK:
        switch (response.status()) {
          case HealthCheckResponse::SERVING:
            return Result(Outcome::kOk, "");
          case HealthCheckResponse::SERVICE_UNKNOWN:
            return Result(Outcome::kFail, unknown);
          default:
            return Result(
                Outcome::kFail,
                HealthCheckResponse::ServingStatus_Name(response.status()));
        }
      case grpc::StatusCode::NOT_FOUND:
        return Result(Outcome::kFail, unknown);
      case grpc::StatusCode::DEADLINE_EXCEEDED:
        return Result(
            Outcome::kTimeout,
            absl::StrCat("timed out after ", absl::FormatDuration(timeout_)));
      case grpc::StatusCode::UNAVAILABLE: {
        const std::string& m = status.error_message();
        const std::string lower = absl::AsciiStrToLower(m);
        if (absl::StrContains(lower, "handshake")) {
          return Result(Outcome::kError, absl::StrCat("tls: ", m));
        }
        if (absl::StrContains(lower, "dns resolution failed")) {
          return Result(Outcome::kError, absl::StrCat("dns: ", m));
        }
        return Result(Outcome::kFail, absl::StrCat("unavailable: ", m));
      }
      default:
        if (status.error_message().empty()) {
          return Result(Outcome::kError, CodeName(status.error_code()));
        }
        return Result(Outcome::kError,
                      absl::StrCat(CodeName(status.error_code()), ": ",
                                   status.error_message()));
    }
  }

  const GrpcHealthProbeConfig config_;
  const absl::Duration timeout_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Checker>> MakeGrpcHealthChecker(
    const GrpcHealthProbeConfig& config, absl::Duration timeout) {
  if (config.address.empty()) {
    return absl::InvalidArgumentError("grpc_health: address is empty");
  }
  if (timeout <= absl::ZeroDuration() || timeout == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "grpc_health '", config.address, "': timeout ",
        absl::FormatDuration(timeout), " must be positive and finite"));
  }
  return std::unique_ptr<Checker>(
      std::make_unique<GrpcHealthChecker>(config, timeout));
}

}  // namespace sla::probes
