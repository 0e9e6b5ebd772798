// bindings/grpc/probe_feeder.h: `slakit serve` runs the probes of the
// configuration in force (sla/probe_config.h) and feeds their results to
// the engine through Backend::Ingest, so they are logged, acknowledged and
// counted like results a client sends.
//
//   sla::server::ProbeFeederOptions options;
//   auto feeder = sla::server::ProbeFeeder::Start(backend, options);
//   if (!feeder.ok()) return feeder.status();
//   ...
//   (*feeder)->Stop();  // before backend->Shutdown()
//
// Each probe is the probe-success series (service, probe name); a result's
// time is when its check started, ok when its outcome is kOk, and its
// latency the check's. Results are buffered and ingested every
// flush_interval (or as soon as flush_results are waiting), one batch per
// tenant, with batch ids "probes-<start ms>-<n>" unique to this process.
//
// Configuration changes (ApplyConfig) are picked up at the next flush: the
// probes are rescheduled from the new configuration (running checks are
// cancelled, and their slots start afresh). A probe whose checker cannot be
// built (an unreadable CA file, say) is left out and logged; the others
// run. A batch the backend refuses (its service left the configuration
// meanwhile) is logged and counted, not retried.
//
// Thread safety: thread-safe. Ownership: `backend` is borrowed and must
// outlive the feeder (Stop before Backend::Shutdown).

#ifndef BINDINGS_GRPC_PROBE_FEEDER_H_
#define BINDINGS_GRPC_PROBE_FEEDER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bindings/grpc/backend.h"
#include "probes/probe.h"
#include "probes/scheduler.h"
#include "sla/clock.h"
#include "sla/probe_config.h"

namespace sla::server {

struct ProbeFeederOptions {
  int max_concurrency = 16;  // checks at once
  absl::Duration flush_interval = absl::Seconds(2);
  size_t flush_results = 1000;  // flush early at this many
  // Scheduling and result times. Must outlive the feeder.
  Clock* clock = Clock::Real();
  uint64_t seed = 0;  // of the probes' jitter
  // Builds a checker; default: every kind, gRPC health included.
  std::function<absl::StatusOr<std::unique_ptr<probes::Checker>>(
      const ProbeConfig&)>
      make_checker;
  std::function<void(const std::string&)> log;  // default: standard error
};

struct ProbeFeederCounters {
  int64_t probes = 0;          // scheduled now
  int64_t results = 0;         // received from checks
  int64_t ingested = 0;        // acknowledged by the backend
  int64_t failed_batches = 0;  // refused by the backend (logged)
  int64_t reschedules = 0;     // configurations adopted
};

// Builds (and drops) the checker of every probe of `config`, with the
// default factory: OK, or InvalidArgument listing every probe that cannot
// run, one per line, each with its place ("slakit.yaml:4:9:
// services[0].probes[0]: http: body regex /(/ is not a valid regex: ...").
// `slakit check` and ApplyConfig use it, so a configuration that loads is
// one whose probes all run.
absl::Status ValidateProbes(const Config& config);

class ProbeFeeder {
 public:
  static absl::StatusOr<std::unique_ptr<ProbeFeeder>> Start(
      Backend* backend, ProbeFeederOptions options);
  ~ProbeFeeder();  // Stop()
  ProbeFeeder(const ProbeFeeder&) = delete;
  ProbeFeeder& operator=(const ProbeFeeder&) = delete;

  // Adopts a changed configuration and ingests what is buffered, now (the
  // background thread does the same every flush_interval). Returns the
  // first ingest error, if any.
  absl::Status Flush();

  // Stops the probes (cancelling running checks), ingests what is
  // buffered, and joins the thread. Idempotent.
  void Stop();

  ProbeFeederCounters counters() const;

 private:
  ProbeFeeder(Backend* backend, ProbeFeederOptions options);
  void Loop();
  // Rebuilds the scheduler when the configuration changed.
  void Adopt() ABSL_EXCLUSIVE_LOCKS_REQUIRED(flush_mu_);
  absl::Status IngestBuffered() ABSL_EXCLUSIVE_LOCKS_REQUIRED(flush_mu_);
  void Log(const std::string& line) const;

  Backend* const backend_;
  const ProbeFeederOptions options_;
  const int64_t start_ms_;

  // Serializes Stop (joining the loop); taken before the others.
  absl::Mutex stop_mu_ ABSL_ACQUIRED_BEFORE(flush_mu_);
  // Held by Flush and Stop: one adoption or ingest at a time.
  absl::Mutex flush_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  std::shared_ptr<const ConfigState> adopted_ ABSL_GUARDED_BY(flush_mu_);
  std::unique_ptr<probes::Scheduler> scheduler_ ABSL_GUARDED_BY(flush_mu_);
  int64_t batch_seq_ ABSL_GUARDED_BY(flush_mu_) = 0;

  struct Buffered {
    probes::ProbeRun run;
    std::string tenant;
  };
  mutable absl::Mutex mu_;
  std::vector<Buffered> buffer_ ABSL_GUARDED_BY(mu_);
  ProbeFeederCounters counters_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(flush_mu_) = false;
  std::thread loop_;
};

}  // namespace sla::server

#endif  // BINDINGS_GRPC_PROBE_FEEDER_H_
