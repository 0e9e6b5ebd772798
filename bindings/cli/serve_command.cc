#include "bindings/cli/serve_command.h"

#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "bindings/grpc/auth.h"
#include "bindings/grpc/server.h"
#include "sla/config.h"
#include "sla/storage/wal.h"
#include "sla/window.h"

namespace sla::cli {
namespace {

absl::StatusOr<absl::Duration> FlagDuration(absl::string_view flag,
                                            const std::string& text) {
  if (text == "0") return absl::ZeroDuration();
  absl::StatusOr<absl::Duration> d = ParseDuration(text);
  if (!d.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": ", d.status().message()));
  }
  return d;
}

}  // namespace

absl::Status RunServe(const ServeOptions& o) {
  server::ServerOptions options;
  options.backend.data_dir = o.data_dir;
  if (!o.config.empty()) {
    std::ifstream in(o.config, std::ios::binary);
    if (!in) {
      return absl::NotFoundError(
          absl::StrCat("--config: cannot read '", o.config, "'"));
    }
    std::ostringstream text;
    text << in.rdbuf();
    options.backend.config_text = text.str();
    options.backend.config_source = o.config;
    if (options.backend.config_text.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--config: '", o.config, "' is empty"));
    }
  }
  absl::StatusOr<storage::SyncPolicy> sync = storage::ParseSyncPolicy(o.sync);
  if (!sync.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--sync: ", sync.status().message()));
  }
  options.backend.sync = *sync;
  options.run_probes = o.run_probes;
  absl::StatusOr<absl::Duration> alert =
      FlagDuration("--alert-interval", o.alert_interval);
  if (!alert.ok()) return alert.status();
  options.backend.alert_interval = *alert;
  absl::StatusOr<absl::Duration> grace = FlagDuration("--grace", o.grace);
  if (!grace.ok()) return grace.status();
  absl::StatusOr<absl::Duration> max_call =
      FlagDuration("--max-call", o.max_call);
  if (!max_call.ok()) return max_call.status();
  if (*max_call <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--max-call: must be > 0");
  }
  options.max_call = *max_call;
  if (o.max_batch <= 0) {
    return absl::InvalidArgumentError("--max-batch: must be > 0");
  }
  options.backend.max_batch_records = static_cast<size_t>(o.max_batch);
  if (o.max_message_mb <= 0 || o.max_message_mb > 1024) {
    return absl::InvalidArgumentError("--max-message-mb: must be 1 to 1024");
  }
  options.max_message_bytes = static_cast<int>(o.max_message_mb << 20);
  if (o.dedupe_max_ids < 1 || o.dedupe_max_ids > (int64_t{1} << 26)) {
    return absl::InvalidArgumentError(
        "--dedupe-max-ids: must be 1 to 67108864 (2^26)");
  }
  options.backend.dedupe_max_ids = static_cast<size_t>(o.dedupe_max_ids);
  if (o.malloc_arenas < 0 || o.malloc_arenas > 64) {
    return absl::InvalidArgumentError("--malloc-arenas: must be 0 to 64");
  }
#if defined(M_ARENA_MAX)
  // Before the server's threads exist, which is when arenas are made.
  // An arena count set in the environment (directly, or as a glibc
  // tunable) wins.
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (o.malloc_arenas > 0 && std::getenv("MALLOC_ARENA_MAX") == nullptr &&
      (tunables == nullptr ||
       std::strstr(tunables, "glibc.malloc.arena_max") == nullptr)) {
    ::mallopt(M_ARENA_MAX, o.malloc_arenas);
  }
#endif
  options.listen = o.listen;
  options.metrics_listen = o.metrics_listen;
  options.tokens_file = o.tokens;
  options.tls_cert_file = o.tls_cert;
  options.tls_key_file = o.tls_key;
  options.tls_client_ca_file = o.tls_client_ca;
  options.require_client_cert = o.require_client_cert;

  // Block the stop signals in every thread (threads inherit the mask) and
  // wait for them here.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  absl::StatusOr<std::unique_ptr<server::Server>> server =
      server::Server::Start(std::move(options));
  if (!server.ok()) return server.status();
  // A recovery that fails (a bad configuration, an unusable data directory)
  // ends the command with its error rather than leaving it NOT_SERVING.
  absl::Status recovery;
  absl::Notification recovery_failed;
  std::thread watch([&] {
    absl::Status s = (*server)->WaitUntilReady(absl::InfiniteDuration());
    if (!s.ok()) {
      recovery = s;
      recovery_failed.Notify();
      ::kill(::getpid(), SIGTERM);
    }
  });
  int signal = 0;
  while (sigwait(&stop, &signal) != 0) {
  }
  if (!recovery_failed.HasBeenNotified()) {
    std::cerr << "slakit serve: " << (signal == SIGTERM ? "SIGTERM" : "SIGINT")
              << ": stopping (grace " << absl::FormatDuration(*grace) << ")"
              << std::endl;
  }
  absl::Status stopped = (*server)->Shutdown(*grace);
  watch.join();
  if (recovery_failed.HasBeenNotified()) return recovery;
  return stopped;
}

absl::StatusOr<std::string> RunTokenNew(const TokenOptions& o) {
  server::Principal p;
  p.name = o.name;
  if (o.tenants == "*") {
    p.all_tenants = true;
  } else {
    for (absl::string_view t : absl::StrSplit(o.tenants, ',')) {
      p.tenants.emplace_back(t);
    }
  }
  for (absl::string_view r : absl::StrSplit(o.roles, ',')) {
    absl::StatusOr<server::Role> role = server::ParseRole(r);
    if (!role.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--roles: ", role.status().message()));
    }
    p.roles.push_back(*role);
  }
  absl::StatusOr<std::string> token = server::NewToken();
  if (!token.ok()) return token.status();
  const std::string line = server::TokenLine(server::HashToken(*token), p);
  // The line must parse as the server will read it (names, roles).
  if (absl::Status s =
          server::TokenStore::Parse(line + "\n", "the new line").status();
      !s.ok()) {
    return s;
  }
  if (o.file.empty()) {
    return absl::StrCat(*token, "\n# add to the token file:\n", line, "\n");
  }
  const int fd =
      ::open(o.file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--file: cannot open '", o.file, "': ", std::strerror(errno)));
  }
  const std::string text = line + "\n";
  const bool written = ::write(fd, text.data(), text.size()) ==
                       static_cast<ssize_t>(text.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!written || !synced) {
    return absl::DataLossError(
        absl::StrCat("--file: cannot write '", o.file, "'"));
  }
  return absl::StrCat(*token, "\n");
}

}  // namespace sla::cli
