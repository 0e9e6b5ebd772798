#include "bindings/grpc/probe_feeder.h"

#include <iostream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bindings/grpc/auth.h"
#include "probes/checker_factory.h"
#include "probes/grpc_health_checker.h"

namespace sla::server {

absl::Status ValidateProbes(const Config& config) {
  std::vector<std::string> problems;
  for (const ServiceConfig& service : config.services) {
    for (const ProbeConfig& p : service.probes) {
      absl::StatusOr<std::unique_ptr<probes::Checker>> checker =
          probes::MakeChecker(p, &probes::MakeGrpcHealthChecker);
      if (!checker.ok()) problems.emplace_back(checker.status().message());
    }
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(problems, "\n"));
}

ProbeFeeder::ProbeFeeder(Backend* backend, ProbeFeederOptions options)
    : backend_(backend),
      options_(std::move(options)),
      start_ms_(absl::ToUnixMillis(options_.clock->Now())) {}

absl::StatusOr<std::unique_ptr<ProbeFeeder>> ProbeFeeder::Start(
    Backend* backend, ProbeFeederOptions options) {
  if (backend == nullptr || options.clock == nullptr) {
    return absl::InvalidArgumentError("ProbeFeeder needs a backend and clock");
  }
  if (options.max_concurrency < 1 ||
      options.flush_interval <= absl::ZeroDuration() ||
      options.flush_results < 1) {
    return absl::InvalidArgumentError(
        "ProbeFeeder: max_concurrency, flush_interval and flush_results must "
        "be positive");
  }
  if (!options.make_checker) {
    options.make_checker = [](const ProbeConfig& p) {
      return probes::MakeChecker(p, &probes::MakeGrpcHealthChecker);
    };
  }
  std::unique_ptr<ProbeFeeder> feeder(
      new ProbeFeeder(backend, std::move(options)));
  {
    absl::MutexLock lock(&feeder->flush_mu_);
    feeder->Adopt();
  }
  feeder->loop_ = std::thread([f = feeder.get()] { f->Loop(); });
  return feeder;
}

ProbeFeeder::~ProbeFeeder() { Stop(); }

void ProbeFeeder::Log(const std::string& line) const {
  if (options_.log) {
    options_.log(line);
  } else {
    std::cerr << line << std::endl;
  }
}

void ProbeFeeder::Adopt() {
  std::shared_ptr<const ConfigState> now = backend_->config();
  if (now == adopted_) return;
  adopted_ = now;
  if (scheduler_ != nullptr) scheduler_->Stop();
  scheduler_.reset();
  int64_t scheduled = 0;
  if (now != nullptr) {
    probes::SchedulerOptions so;
    so.clock = options_.clock;
    so.max_concurrency = options_.max_concurrency;
    so.seed = options_.seed;
    // The tenant of the configuration the probe ran under: its service may
    // be gone from the next one by the time the result is ingested.
    so.sink = [this, now](probes::ProbeRun run) {
      auto it = now->tenant_of.find(run.service);
      std::string tenant =
          it == now->tenant_of.end() ? std::string("default") : it->second;
      absl::MutexLock lock(&mu_);
      ++counters_.results;
      buffer_.push_back(Buffered{std::move(run), std::move(tenant)});
    };
    absl::StatusOr<std::unique_ptr<probes::Scheduler>> s =
        probes::Scheduler::Create(std::move(so));
    if (!s.ok()) {
      Log(absl::StrCat("slakit serve: error: probes: ", s.status().message()));
      return;
    }
    for (const ServiceConfig& service : now->config.services) {
      for (const ProbeConfig& p : service.probes) {
        const std::string name = absl::StrCat(service.name, "/", p.name);
        absl::StatusOr<std::unique_ptr<probes::Checker>> checker =
            options_.make_checker(p);
        if (!checker.ok()) {
          Log(absl::StrCat("slakit serve: error: probe ", name,
                           " left out: ", checker.status().message()));
          continue;
        }
        probes::ScheduledProbe sp;
        sp.service = service.name;
        sp.probe = p.name;
        sp.interval = p.interval;
        sp.jitter = p.jitter;
        sp.timeout = p.timeout;
        sp.checker = *std::move(checker);
        if (absl::Status st = (*s)->Add(std::move(sp)); !st.ok()) {
          Log(absl::StrCat("slakit serve: error: probe ", name,
                           " left out: ", st.message()));
          continue;
        }
        ++scheduled;
      }
    }
    if (scheduled > 0) {
      if (absl::Status st = (*s)->Start(); !st.ok()) {
        Log(absl::StrCat("slakit serve: error: probes: ", st.message()));
        scheduled = 0;
      } else {
        scheduler_ = *std::move(s);
      }
    }
  }
  absl::MutexLock lock(&mu_);
  counters_.probes = scheduled;
  ++counters_.reschedules;
  if (scheduled > 0) {
    Log(absl::StrCat("slakit serve: running ", scheduled, " probe",
                     scheduled == 1 ? "" : "s"));
  }
}

absl::Status ProbeFeeder::IngestBuffered() {
  std::vector<Buffered> runs;
  {
    absl::MutexLock lock(&mu_);
    runs.swap(buffer_);
  }
  if (runs.empty()) return absl::OkStatus();
  // One batch per tenant: a batch holds one tenant's services.
  std::map<std::string, std::vector<NamedProbe>> by_tenant;
  for (const auto& [run, tenant] : runs) {
    NamedProbe r;
    r.service = run.service;
    r.probe = run.probe;
    r.unix_ms = absl::ToUnixMillis(run.started);
    r.ok = run.result.outcome == probes::Outcome::kOk;
    r.latency_ms = absl::ToDoubleMilliseconds(run.result.latency);
    by_tenant[tenant].push_back(r);
  }
  Principal self;
  self.name = "slakit-probes";
  self.all_tenants = true;
  self.roles = {Role::kIngest};
  absl::Status first;
  for (const auto& [tenant, batch] : by_tenant) {
    const std::string id =
        absl::StrCat("probes-", start_ms_, "-", ++batch_seq_);
    absl::StatusOr<storage::IngestAck> ack = backend_->Ingest(self, id, batch);
    absl::MutexLock lock(&mu_);
    if (ack.ok()) {
      counters_.ingested += static_cast<int64_t>(batch.size());
      continue;
    }
    ++counters_.failed_batches;
    Log(absl::StrCat("slakit serve: error: ", batch.size(), " probe result",
                     batch.size() == 1 ? "" : "s", " of tenant ", tenant,
                     " not ingested: ", ack.status().message()));
    if (first.ok()) first = ack.status();
  }
  return first;
}

absl::Status ProbeFeeder::Flush() {
  absl::MutexLock lock(&flush_mu_);
  if (stopped_) return absl::FailedPreconditionError("the feeder is stopped");
  Adopt();
  return IngestBuffered();
}

void ProbeFeeder::Loop() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      const auto wake = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return stopping_ || buffer_.size() >= options_.flush_results;
      };
      mu_.AwaitWithTimeout(absl::Condition(&wake), options_.flush_interval);
      if (stopping_) return;
    }
    Flush().IgnoreError();  // logged
  }
}

void ProbeFeeder::Stop() {
  absl::MutexLock stop_lock(&stop_mu_);  // one Stop at a time (the join)
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (loop_.joinable()) loop_.join();
  absl::MutexLock lock(&flush_mu_);
  if (stopped_) return;
  stopped_ = true;
  if (scheduler_ != nullptr) scheduler_->Stop();
  scheduler_.reset();
  IngestBuffered().IgnoreError();  // logged
}

ProbeFeederCounters ProbeFeeder::counters() const {
  absl::MutexLock lock(&mu_);
  return counters_;
}

}  // namespace sla::server
