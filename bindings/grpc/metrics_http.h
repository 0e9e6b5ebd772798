// bindings/grpc/metrics_http.h: the small HTTP endpoint beside the gRPC
// server (cpp-httplib) that Prometheus scrapes:
//   GET /metrics  200, `text/plain; version=0.0.4; charset=utf-8`, the text
//                 returned by `render` (see bindings/grpc/metrics.h)
//   GET /healthz  200, `text/plain`, "ok"
//   anything else 404
// (HEAD is answered like GET, without the body.)
//
//   absl::StatusOr<std::unique_ptr<sla::server::MetricsHttpServer>> http =
//       sla::server::MetricsHttpServer::Start("127.0.0.1", 9464, [&] {
//         return sla::server::RenderPrometheusText(CollectObjectives(),
//                                                  CollectProcess());
//       });
//   if (!http.ok()) return http.status();
//   ...                       // serving on its own threads
//   (*http)->Stop();          // or let the unique_ptr go
//
// Errors from Start: InvalidArgument for an empty host, a port outside
// [0, 65535] or an empty `render`; Unavailable naming host:port when the
// address cannot be bound (port in use, host not local or not resolvable).
// The socket is opened without SO_REUSEPORT, so a port that another process
// listens on is reported, not silently shared.
//
// Thread-safety: port() and Stop() may be called from any thread. `render`
// runs on a server thread, never concurrently with itself (calls are
// serialized), and must not call Stop(). It is owned by the server and
// destroyed after the last request is answered.

#ifndef BINDINGS_GRPC_METRICS_HTTP_H_
#define BINDINGS_GRPC_METRICS_HTTP_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace sla::server {

// A running HTTP listener. Not copyable or movable: it owns a listening
// socket and the threads serving it.
class MetricsHttpServer {
 public:
  // Binds `host`:`port` (`port` 0 picks a free port; read it back with
  // port()), starts serving on a background thread and returns once the
  // server accepts connections. `host` is an address or name to bind, e.g.
  // "127.0.0.1" (loopback only), "0.0.0.0" or "::".
  static absl::StatusOr<std::unique_ptr<MetricsHttpServer>> Start(
      const std::string& host, int port, std::function<std::string()> render);

  MetricsHttpServer(const MetricsHttpServer&) = delete;
  MetricsHttpServer& operator=(const MetricsHttpServer&) = delete;

  // Stops the server (see Stop()).
  ~MetricsHttpServer();

  // The bound TCP port (the chosen one when Start was given 0).
  int port() const { return port_; }

  // Closes the listening socket, waits for requests in flight (an idle
  // keep-alive connection is dropped within about a second) and joins the
  // threads. Idempotent.
  void Stop();

 private:
  MetricsHttpServer(std::unique_ptr<httplib::Server> server, int port,
                    std::function<std::string()> render);

  // Calls render_ under render_mu_.
  std::string Render();

  const std::unique_ptr<httplib::Server> server_;
  const int port_;
  std::atomic<bool> listen_returned_{false};  // set by thread_ on exit

  absl::Mutex render_mu_;
  std::function<std::string()> render_ ABSL_GUARDED_BY(render_mu_);

  absl::Mutex stop_mu_;
  std::thread thread_ ABSL_GUARDED_BY(stop_mu_);  // runs listen_after_bind
};

}  // namespace sla::server

#endif  // BINDINGS_GRPC_METRICS_HTTP_H_
