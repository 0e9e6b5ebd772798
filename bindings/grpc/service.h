// bindings/grpc/service.h: sla.v1.SlaService (proto/sla/v1/sla_service.proto)
// over a Backend. Thin: every handler authenticates the call, converts the
// request, calls the backend or the engine, and converts the answer;
// absl::Status codes map one to one onto grpc::StatusCode.
//
// Before SetBackend (while the store recovers) every call is UNAVAILABLE
// "recovering the store". With a TokenStore, every call needs
// `authorization: Bearer <token>` (UNAUTHENTICATED otherwise); without one
// every caller is an anonymous principal with every role on every tenant
// (slakit serve allows that on loopback only).
//
// Thread safety: the service is called concurrently by gRPC's threads;
// SetBackend and Stop may be called from any thread. Ownership: the backend
// and the token store are borrowed and must outlive the service.

#ifndef BINDINGS_GRPC_SERVICE_H_
#define BINDINGS_GRPC_SERVICE_H_

#include <atomic>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bindings/grpc/auth.h"
#include "bindings/grpc/backend.h"
#include "grpcpp/grpcpp.h"
#include "sla/v1/sla_service.grpc.pb.h"

namespace sla::server {

// absl::Status -> grpc::Status with the same code and message.
grpc::Status ToGrpc(const absl::Status& status);

class SlaServiceImpl final : public v1::SlaService::Service {
 public:
  // `tokens` may be null: no authentication (see the file comment).
  // `max_call`: the per-call limit of the unary queries (GetStatus,
  // QueryAvailability, GetComposite, GetReport): one that takes longer is
  // answered DEADLINE_EXCEEDED naming the limit rather than with a late
  // answer (a client's own shorter deadline applies as usual). Streams have
  // no such limit.
  SlaServiceImpl(const TokenStore* tokens, absl::Duration max_call);

  // The backend, once recovered; calls are UNAVAILABLE until then.
  void SetBackend(Backend* backend);
  // Makes new calls UNAVAILABLE "shutting down" and ends the streams: a
  // WatchAlerts stream within 100 ms; an IngestStream waiting for its
  // client's next batch at once (cancelled: nothing of it is in flight),
  // and one applying a batch after that batch's ack (UNAVAILABLE). So an
  // agent's idle stream does not hold the stop for the whole grace period.
  // For a graceful stop, before grpc::Server::Shutdown. Thread-safe.
  void Stop();

  grpc::Status Ingest(grpc::ServerContext* context,
                      const v1::IngestRequest* request,
                      v1::IngestResponse* response) override;
  grpc::Status IngestStream(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::IngestResponse, v1::IngestRequest>* stream)
      override;
  grpc::Status ApplyConfig(grpc::ServerContext* context,
                           const v1::ApplyConfigRequest* request,
                           v1::ApplyConfigResponse* response) override;
  grpc::Status GetConfig(grpc::ServerContext* context,
                         const v1::GetConfigRequest* request,
                         v1::GetConfigResponse* response) override;
  grpc::Status GetStatus(grpc::ServerContext* context,
                         const v1::GetStatusRequest* request,
                         v1::GetStatusResponse* response) override;
  grpc::Status QueryAvailability(
      grpc::ServerContext* context, const v1::QueryAvailabilityRequest* request,
      v1::QueryAvailabilityResponse* response) override;
  grpc::Status GetComposite(grpc::ServerContext* context,
                            const v1::GetCompositeRequest* request,
                            v1::GetCompositeResponse* response) override;
  grpc::Status ListAlerts(grpc::ServerContext* context,
                          const v1::ListAlertsRequest* request,
                          v1::ListAlertsResponse* response) override;
  grpc::Status WatchAlerts(grpc::ServerContext* context,
                           const v1::WatchAlertsRequest* request,
                           grpc::ServerWriter<v1::AlertEvent>* writer) override;
  grpc::Status GetReport(grpc::ServerContext* context,
                         const v1::GetReportRequest* request,
                         v1::GetReportResponse* response) override;

 private:
  // The backend and the caller, or UNAVAILABLE / UNAUTHENTICATED /
  // PERMISSION_DENIED (missing `role`).
  absl::StatusOr<Backend*> Begin(grpc::ServerContext* context, Role role,
                                 Principal* caller);
  grpc::Status GetStatusBody(grpc::ServerContext* context,
                             const v1::GetStatusRequest* request,
                             v1::GetStatusResponse* response);
  grpc::Status QueryAvailabilityBody(
      grpc::ServerContext* context, const v1::QueryAvailabilityRequest* request,
      v1::QueryAvailabilityResponse* response);
  grpc::Status GetCompositeBody(grpc::ServerContext* context,
                                const v1::GetCompositeRequest* request,
                                v1::GetCompositeResponse* response);
  grpc::Status GetReportBody(grpc::ServerContext* context,
                             const v1::GetReportRequest* request,
                             v1::GetReportResponse* response);
  // `status`, or DEADLINE_EXCEEDED when the call began longer than
  // max_call_ ago.
  grpc::Status Within(absl::Time start, grpc::Status status) const;
  absl::Status IngestOne(Backend* backend, const Principal& caller,
                         const v1::IngestRequest& request,
                         v1::IngestResponse* response);

  const TokenStore* const tokens_;
  const absl::Duration max_call_;
  std::atomic<Backend*> backend_{nullptr};
  std::atomic<bool> stopping_{false};
  // IngestStream calls blocked reading their client's next batch. Stop
  // cancels them; a stream leaves the set before it touches its batch.
  absl::Mutex streams_mu_;
  absl::flat_hash_set<grpc::ServerContext*> reading_streams_
      ABSL_GUARDED_BY(streams_mu_);
  // WatchAlerts streams open now, at most kMaxWatchers.
  static constexpr int kMaxWatchers = 64;
  std::atomic<int> watchers_{0};
};

}  // namespace sla::server

#endif  // BINDINGS_GRPC_SERVICE_H_
