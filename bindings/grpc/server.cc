#include "bindings/grpc/server.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bindings/grpc/auth.h"
#include "bindings/grpc/metrics.h"
#include "bindings/grpc/metrics_http.h"
#include "bindings/grpc/service.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"

namespace sla::server {
namespace {

constexpr char kServiceName[] = "sla.v1.SlaService";

// The resident set (/proc/self/statm) and the heap bytes in use (glibc's
// mallinfo2: chunks handed out, mmapped ones included); left at -1 where
// the platform does not tell. mallinfo2 walks each arena's free lists under
// that arena's lock, once per scrape; with the 2 arenas `slakit serve`
// keeps (--malloc-arenas) that is two short pauses of the allocator.
void ReadProcessMemory(ProcessSample* process) {
  if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
    long long pages = 0, resident = 0;  // NOLINT(runtime/int): fscanf's type
    if (std::fscanf(f, "%lld %lld", &pages, &resident) == 2) {
      process->resident_memory_bytes = resident * ::sysconf(_SC_PAGESIZE);
    }
    std::fclose(f);
  }
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
  const struct mallinfo2 info = ::mallinfo2();
  process->heap_in_use_bytes =
      static_cast<int64_t>(info.uordblks + info.hblkhd);
#endif
}

absl::StatusOr<std::string> ReadPem(const std::string& path,
                                    absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot read the ", what, " file '", path, "'"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// "host:port" or "[v6]:port" -> host, port.
absl::Status SplitHostPort(const std::string& listen, std::string* host,
                           int* port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(listen.substr(colon + 1), port) || *port < 0 ||
      *port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", listen, "' is not host:port (e.g. 127.0.0.1:9464)"));
  }
  *host = listen.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  return absl::OkStatus();
}

}  // namespace

bool IsLoopbackAddress(const std::string& listen) {
  std::string host;
  int port;
  if (!SplitHostPort(listen, &host, &port).ok()) return false;
  return host == "localhost" || host == "::1" || absl::StartsWith(host, "127.");
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(ServerOptions options) {
  std::unique_ptr<Server> server(new Server());
  server->options_ = std::move(options);
  ServerOptions& o = server->options_;
  server->start_time_ = absl::Now();
  if (!o.tokens_file.empty()) {
    absl::StatusOr<TokenStore> tokens = TokenStore::Load(o.tokens_file);
    if (!tokens.ok()) return tokens.status();
    server->tokens_ = std::make_unique<TokenStore>(*std::move(tokens));
  } else if (!IsLoopbackAddress(o.listen)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "serve: --listen ", o.listen,
        " is not a loopback address; without --tokens anyone who reaches it "
        "could read and write everything (give a token file)"));
  }
  if (o.max_message_bytes <= 0) {
    return absl::InvalidArgumentError("serve: max_message_bytes must be > 0");
  }

  std::shared_ptr<grpc::ServerCredentials> credentials;
  if (o.tls_cert_file.empty() && o.tls_key_file.empty()) {
    if (!o.tls_client_ca_file.empty() || o.require_client_cert) {
      return absl::InvalidArgumentError(
          "serve: client certificates need TLS (--tls-cert and --tls-key)");
    }
    credentials = grpc::InsecureServerCredentials();
  } else {
    if (o.tls_cert_file.empty() || o.tls_key_file.empty()) {
      return absl::InvalidArgumentError(
          "serve: TLS needs both --tls-cert and --tls-key");
    }
    grpc::SslServerCredentialsOptions ssl;
    absl::StatusOr<std::string> cert = ReadPem(o.tls_cert_file, "certificate");
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadPem(o.tls_key_file, "key");
    if (!key.ok()) return key.status();
    ssl.pem_key_cert_pairs.push_back({*key, *cert});
    if (!o.tls_client_ca_file.empty()) {
      absl::StatusOr<std::string> ca =
          ReadPem(o.tls_client_ca_file, "client CA");
      if (!ca.ok()) return ca.status();
      ssl.pem_root_certs = *ca;
      ssl.client_certificate_request =
          o.require_client_cert
              ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
              : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
    } else if (o.require_client_cert) {
      return absl::InvalidArgumentError(
          "serve: --require-client-cert needs --tls-client-ca");
    }
    credentials = grpc::SslServerCredentials(ssl);
  }

  if (o.max_call <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("serve: max_call must be > 0");
  }
  server->service_ =
      std::make_unique<SlaServiceImpl>(server->tokens_.get(), o.max_call);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(o.listen, credentials, &server->port_);
  builder.RegisterService(server->service_.get());
  builder.SetMaxReceiveMessageSize(o.max_message_bytes);
  server->grpc_ = builder.BuildAndStart();
  if (server->grpc_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("serve: cannot listen on ", o.listen,
                     " (address in use, or not an address of this host)"));
  }
  grpc::HealthCheckServiceInterface* health =
      server->grpc_->GetHealthCheckService();
  health->SetServingStatus(false);
  health->SetServingStatus(kServiceName, false);

  if (!o.metrics_listen.empty() && !IsLoopbackAddress(o.metrics_listen)) {
    // /metrics has no authentication and names every tenant's services.
    return absl::InvalidArgumentError(absl::StrCat(
        "serve: --metrics-listen ", o.metrics_listen,
        " is not a loopback address; /metrics names every tenant's "
        "services and has no authentication: scrape it on this host, or "
        "through a proxy that authenticates"));
  }
  if (!o.metrics_listen.empty()) {
    std::string host;
    int port;
    if (absl::Status s = SplitHostPort(o.metrics_listen, &host, &port);
        !s.ok()) {
      return s;
    }
    Server* raw = server.get();
    absl::StatusOr<std::unique_ptr<MetricsHttpServer>> metrics =
        MetricsHttpServer::Start(host, port, [raw] {
          ProcessSample process;
          ReadProcessMemory(&process);
          process.start_time_seconds =
              absl::ToDoubleSeconds(raw->start_time_ - absl::UnixEpoch());
          Backend* backend = raw->backend();
          if (backend == nullptr) return RenderPrometheusText({}, process);
          const IngestCounters c = backend->counters();
          process.ready = true;
          process.ingested_results_total = c.results;
          process.ingested_batches_total = c.batches;
          process.rejected_batches_total = c.rejected;
          process.dedupe_batch_ids = c.dedupe_ids;
          process.dedupe_forgotten_early_total = c.dedupe_forgotten_early;
          process.alert_evaluation_errors_total = c.alert_evaluation_errors;
          process.clock_steps_back_total = c.clock_steps_back;
          return RenderPrometheusText(
              backend->MetricsSamples(backend->clock()->Now()), process);
        });
    if (!metrics.ok()) return metrics.status();
    server->metrics_ = *std::move(metrics);
  }
  server->Log(absl::StrCat(
      "slakit serve: listening on ", o.listen.substr(0, o.listen.rfind(':')),
      ":", server->port_,
      server->options_.tls_cert_file.empty() ? "" : " (TLS)",
      server->metrics_ == nullptr
          ? ""
          : absl::StrCat(", metrics on port ", server->metrics_->port()),
      server->tokens_ == nullptr
          ? ", no tokens (loopback only)"
          : absl::StrCat(", ", server->tokens_->size(), " token(s)"),
      "; recovering ", o.backend.data_dir));
  Server* raw = server.get();
  server->recovery_ = std::thread([raw] { raw->Recover(); });
  return server;
}

void Server::Recover() {
  if (options_.before_recovery) options_.before_recovery();
  const absl::Time start = absl::Now();
  BackendOptions backend_options = options_.backend;
  if (!backend_options.log) {
    backend_options.log = [this](const std::string& l) { Log(l); };
  }
  if (options_.run_probes && !backend_options.validate_config) {
    backend_options.validate_config = &ValidateProbes;
  }
  absl::StatusOr<std::unique_ptr<Backend>> backend =
      Backend::Open(std::move(backend_options));
  absl::MutexLock lock(&mu_);
  recovered_ = true;
  if (!backend.ok()) {
    recovery_status_ = backend.status();
    Log(absl::StrCat("slakit serve: error: recovery failed: ",
                     backend.status().ToString(), "; not serving"));
    return;
  }
  backend_ = *std::move(backend);
  if (shut_down_) return;
  service_->SetBackend(backend_.get());
  grpc_->GetHealthCheckService()->SetServingStatus(true);
  grpc_->GetHealthCheckService()->SetServingStatus(kServiceName, true);
  if (options_.run_probes) {
    ProbeFeederOptions probes = options_.probes;
    if (!probes.log) probes.log = [this](const std::string& l) { Log(l); };
    absl::StatusOr<std::unique_ptr<ProbeFeeder>> feeder =
        ProbeFeeder::Start(backend_.get(), std::move(probes));
    if (feeder.ok()) {
      probe_feeder_ = *std::move(feeder);
    } else {
      Log(absl::StrCat("slakit serve: error: probes not run: ",
                       feeder.status().ToString()));
    }
  }
  Log(absl::StrCat("slakit serve: ready in ",
                   absl::FormatDuration(absl::Now() - start), " (",
                   backend_->recovery().ToString(), ")"));
}

absl::Status Server::WaitUntilReady(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  if (!mu_.AwaitWithTimeout(absl::Condition(&recovered_), timeout)) {
    return absl::DeadlineExceededError(absl::StrCat(
        "the store was not recovered within ", absl::FormatDuration(timeout)));
  }
  return recovery_status_;
}

Backend* Server::backend() {
  absl::MutexLock lock(&mu_);
  return recovered_ && recovery_status_.ok() ? backend_.get() : nullptr;
}

ProbeFeeder* Server::probe_feeder() {
  absl::MutexLock lock(&mu_);
  return probe_feeder_.get();
}

int Server::metrics_port() const {
  return metrics_ == nullptr ? 0 : metrics_->port();
}

absl::Status Server::Shutdown(absl::Duration grace) {
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return absl::OkStatus();
    shut_down_ = true;
  }
  if (grpc_ != nullptr) {  // null when Start failed before it
    grpc_->GetHealthCheckService()->SetServingStatus(false);
    grpc_->GetHealthCheckService()->SetServingStatus(kServiceName, false);
    service_->Stop();  // new calls UNAVAILABLE, watch streams end
    grpc_->Shutdown(std::chrono::system_clock::now() +
                    absl::ToChronoMilliseconds(grace));
    grpc_->Wait();
  }
  if (metrics_ != nullptr) metrics_->Stop();
  if (recovery_.joinable()) recovery_.join();
  absl::Status s;
  {
    absl::MutexLock lock(&mu_);
    // Probes first: their last results reach the store before it closes.
    if (probe_feeder_ != nullptr) probe_feeder_->Stop();
    if (backend_ != nullptr) s = backend_->Shutdown();
  }
  if (grpc_ == nullptr) return s;  // Start refused: nothing ran
  Log(s.ok() ? "slakit serve: stopped (log flushed, snapshot written)"
             : absl::StrCat("slakit serve: error: stopping: ", s.ToString()));
  return s;
}

Server::~Server() { Shutdown(absl::ZeroDuration()).IgnoreError(); }

void Server::Log(const std::string& line) const {
  if (options_.log) {
    options_.log(line);
  } else {
    std::cerr << line << std::endl;
  }
}

}  // namespace sla::server
