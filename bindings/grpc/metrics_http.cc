#include "bindings/grpc/metrics_http.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "absl/memory/memory.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "httplib.h"

namespace sla::server {
namespace {

constexpr char kMetricsContentType[] =
    "text/plain; version=0.0.4; charset=utf-8";

// Worker threads of the listener: a scrape endpoint has few clients.
constexpr size_t kWorkerThreads = 4;

// How long an idle keep-alive connection is kept; bounds how long Stop()
// waits for it. Scrapes are seconds apart, so longer buys nothing.
constexpr time_t kKeepAliveTimeoutSeconds = 1;

std::string HostPort(const std::string& host, int port) {
  return absl::StrContains(host, ':') ? absl::StrCat("[", host, "]:", port)
                                      : absl::StrCat(host, ":", port);
}

// cpp-httplib's default sets SO_REUSEPORT, which lets a second listener
// share a port already in use (and steal half its connections). Only
// SO_REUSEADDR here, so restarting over TIME_WAIT works but a live
// listener is reported.
void SetSocketOptions(socket_t sock) {
  int yes = 1;
  setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
}

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(
    const std::string& host, int port, std::function<std::string()> render) {
  if (host.empty()) {
    return absl::InvalidArgumentError("metrics HTTP server: empty host");
  }
  if (port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "metrics HTTP server: port ", port, " is not in [0, 65535]"));
  }
  if (!render) {
    return absl::InvalidArgumentError(
        "metrics HTTP server: no render function");
  }

  auto http = std::make_unique<httplib::Server>();
  http->set_socket_options(SetSocketOptions);
  http->set_keep_alive_timeout(kKeepAliveTimeoutSeconds);
  http->new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };

  errno = 0;
  int bound_port = port;
  bool bound;
  if (port == 0) {
    bound_port = http->bind_to_any_port(host);
    bound = bound_port > 0;
  } else {
    bound = http->bind_to_port(host, port);
  }
  if (!bound) {
    // errno is only meaningful when bind() or listen() failed; a failed
    // name lookup leaves whatever getaddrinfo happened to set.
    const int err = errno;
    const bool bind_error =
        err == EADDRINUSE || err == EADDRNOTAVAIL || err == EACCES;
    return absl::UnavailableError(absl::StrCat(
        "metrics HTTP server: cannot listen on ", HostPort(host, port), ": ",
        bind_error ? std::strerror(err)
                   : "address in use, or host not local or not resolvable"));
  }

  auto server = absl::WrapUnique(
      new MetricsHttpServer(std::move(http), bound_port, std::move(render)));
  MetricsHttpServer* self = server.get();
  self->server_->Get("/metrics",
                     [self](const httplib::Request&, httplib::Response& res) {
                       res.set_content(self->Render(), kMetricsContentType);
                     });
  self->server_->Get("/healthz",
                     [](const httplib::Request&, httplib::Response& res) {
                       res.set_content("ok", "text/plain; charset=utf-8");
                     });

  {
    absl::MutexLock lock(&self->stop_mu_);
    self->thread_ = std::thread([self] {
      self->server_->listen_after_bind();
      self->listen_returned_ = true;
    });
  }
  // Stop() only takes effect once the listener runs, so wait for that.
  while (!self->server_->is_running() && !self->listen_returned_) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  if (!self->server_->is_running()) {
    self->Stop();
    return absl::InternalError(absl::StrCat("metrics HTTP server: listener on ",
                                            HostPort(host, bound_port),
                                            " exited at start"));
  }
  return server;
}

MetricsHttpServer::MetricsHttpServer(std::unique_ptr<httplib::Server> server,
                                     int port,
                                     std::function<std::string()> render)
    : server_(std::move(server)), port_(port), render_(std::move(render)) {}

MetricsHttpServer::~MetricsHttpServer() { Stop(); }

void MetricsHttpServer::Stop() {
  absl::MutexLock lock(&stop_mu_);
  if (!thread_.joinable()) {
    return;  // never started, or stopped already
  }
  server_->stop();
  thread_.join();
}

std::string MetricsHttpServer::Render() {
  absl::MutexLock lock(&render_mu_);
  return render_();
}

}  // namespace sla::server
