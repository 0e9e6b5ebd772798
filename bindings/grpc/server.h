// bindings/grpc/server.h: `slakit serve` as a library. A gRPC server with
// sla.v1.SlaService (service.h), the standard grpc.health.v1 service and
// server reflection, optional TLS and bearer tokens, and an optional
// Prometheus /metrics HTTP endpoint, over a Backend (backend.h).
//
//   sla::server::ServerOptions options;
//   options.backend.data_dir = "/var/lib/slakit";
//   options.listen = "127.0.0.1:7070";            // loopback by default
//   options.metrics_listen = "127.0.0.1:9464";    // "" for none
//   auto server = sla::server::Server::Start(options);
//   if (!server.ok()) return server.status();
//   (*server)->WaitUntilReady(absl::Minutes(5));  // recovery done
//   ...                                           // until SIGTERM
//   (*server)->Shutdown(absl::Seconds(10));       // drain, flush, snapshot
//
// Start returns once the port listens; the store is recovered on a thread
// of its own meanwhile. Until it is, health answers NOT_SERVING (for "" and
// "sla.v1.SlaService") and every SlaService call UNAVAILABLE; then SERVING.
// A recovery that fails leaves the server NOT_SERVING with the error in
// WaitUntilReady and the log.
//
// Security. Without a token file every caller may do everything, so Start
// refuses a listen address that is not loopback unless tokens are set.
// TLS: a server certificate and key (PEM); with a client CA, client
// certificates are requested and, with require_client_cert, verified and
// required.
//
// Limits: max_message_bytes for any request (gRPC answers
// RESOURCE_EXHAUSTED naming the sizes), BackendOptions::max_batch_records
// per batch (RESOURCE_EXHAUSTED), max_call per query (DEADLINE_EXCEEDED).
//
// Logging: one line per start, readiness, stop and error through `log`
// (default: standard error).
//
// Thread safety: Start, WaitUntilReady and Shutdown may be called from any
// thread; Shutdown once. Ownership: Start returns the only owner.

#ifndef BINDINGS_GRPC_SERVER_H_
#define BINDINGS_GRPC_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bindings/grpc/backend.h"
#include "bindings/grpc/probe_feeder.h"

namespace grpc {
class Server;
}  // namespace grpc

namespace sla::server {

class MetricsHttpServer;
class SlaServiceImpl;
class TokenStore;

struct ServerOptions {
  BackendOptions backend;
  // host:port of the gRPC server; port 0 picks one (see port()).
  std::string listen = "127.0.0.1:7070";
  // host:port of /metrics and /healthz; "" for none. Loopback only: the
  // endpoint has no authentication and names every tenant's services.
  std::string metrics_listen;
  // The bearer-token file (bindings/grpc/auth.h); "" for none.
  std::string tokens_file;
  // PEM files; all empty for plaintext.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
  bool require_client_cert = false;
  int max_message_bytes = 16 << 20;
  // Per-call limit of the unary queries (SlaServiceImpl).
  absl::Duration max_call = absl::Seconds(30);
  std::function<void(const std::string&)> log;
  // Runs the configuration's probes and ingests their results
  // (probe_feeder.h) once the store is recovered.
  bool run_probes = true;
  ProbeFeederOptions probes;  // its log defaults to `log`
  // Tests: runs on the recovery thread before the store is opened (to hold
  // the server in its recovering state).
  std::function<void()> before_recovery;
};

// Whether `listen` ("host:port", "[::1]:port") names a loopback host.
bool IsLoopbackAddress(const std::string& listen);

class Server {
 public:
  static absl::StatusOr<std::unique_ptr<Server>> Start(ServerOptions options);
  ~Server();  // Shutdown(0) if not done
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const { return port_; }
  int metrics_port() const;  // 0 without metrics

  // Waits until recovery has finished: OK when serving, its error
  // otherwise; DeadlineExceeded after `timeout`.
  absl::Status WaitUntilReady(absl::Duration timeout);

  // Graceful stop: health NOT_SERVING, streams ended, calls in flight given
  // `grace` to finish (then cancelled), then the backend shut down (alert
  // loop stopped, log flushed, snapshot written, store closed). Returns the
  // backend's error, if any.
  absl::Status Shutdown(absl::Duration grace);

  // The backend once ready (else nullptr).
  Backend* backend();
  // The probe feeder once ready (null without run_probes).
  ProbeFeeder* probe_feeder();

 private:
  Server() = default;
  void Log(const std::string& line) const;
  void Recover();

  ServerOptions options_;
  int port_ = 0;
  std::unique_ptr<TokenStore> tokens_;
  std::unique_ptr<SlaServiceImpl> service_;
  std::unique_ptr<grpc::Server> grpc_;
  std::unique_ptr<MetricsHttpServer> metrics_;
  std::thread recovery_;
  absl::Time start_time_;

  mutable absl::Mutex mu_;
  bool recovered_ ABSL_GUARDED_BY(mu_) = false;  // finished, OK or not
  absl::Status recovery_status_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<Backend> backend_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<ProbeFeeder> probe_feeder_ ABSL_GUARDED_BY(mu_);
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace sla::server

#endif  // BINDINGS_GRPC_SERVER_H_
