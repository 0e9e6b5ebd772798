// bindings/cli/serve_command.h: `slakit serve` (the gRPC server of
// bindings/grpc/server.h until SIGTERM or SIGINT) and `slakit token new`.

#ifndef BINDINGS_CLI_SERVE_COMMAND_H_
#define BINDINGS_CLI_SERVE_COMMAND_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sla::cli {

struct ServeOptions {
  std::string config;    // slakit.yaml; "" keeps the store's
  std::string data_dir;  // required
  std::string listen = "127.0.0.1:7070";
  std::string metrics_listen;  // "" for none
  std::string tokens;          // token file; "" for none (loopback only)
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  bool require_client_cert = false;
  std::string sync = "interval";       // none | interval | always
  std::string alert_interval = "30s";  // 0 for no alert loop
  int64_t max_batch = 100000;
  int64_t max_message_mb = 16;
  std::string grace = "10s";     // for calls in flight at SIGTERM
  std::string max_call = "30s";  // per-call limit of queries
  bool run_probes = true;        // run the configuration's probes
  // glibc malloc arenas (M_ARENA_MAX), 0 to 64; 0 keeps glibc's default (8
  // per core). MALLOC_ARENA_MAX (or the glibc.malloc.arena_max tunable) in
  // the environment wins. Fewer arenas keep
  // less freed memory per gRPC thread: in the 240 s loopback load test, 2
  // arenas ran at 444 k results/s with a 73 MiB peak against 409 k and 109
  // MiB for the default.
  int malloc_arenas = 2;
  // Batch ids remembered for idempotent retries (24 h at most), shared by
  // every tenant; 1 to 2^26. About 130 bytes plus the id's length each.
  int64_t dedupe_max_ids = int64_t{1} << 18;
};

// Serves until SIGTERM or SIGINT, then stops gracefully (drains calls,
// flushes the log, writes a snapshot). Logs one line per start, readiness,
// stop and error on standard error. Errors: bad options (InvalidArgument),
// the listen address (Unavailable), recovery (the store's), stopping.
absl::Status RunServe(const ServeOptions& options);

struct TokenOptions {
  std::string name;
  std::string tenants;  // "a,b" or "*"
  std::string roles;    // "ingest,read,admin"
  std::string file;     // append the line here ("" to print it)
};

// A new random token: returns the text to print (the token, and the line
// for the token file unless it was appended to options.file, created with
// mode 0600 when missing).
absl::StatusOr<std::string> RunTokenNew(const TokenOptions& options);

}  // namespace sla::cli

#endif  // BINDINGS_CLI_SERVE_COMMAND_H_
