// Embeds the probes the way a C++ tool would: build a checker from its
// configuration and let the scheduler run it once.
#include <atomic>
#include <cstdio>
#include <memory>

#include "absl/synchronization/mutex.h"
#include "probes/checker_factory.h"
#include "probes/scheduler.h"
#include "sla/probe_config.h"

int main() {
  // A TCP connect to a port nothing listens on: "fail", connection refused.
  sla::ProbeConfig config;
  config.name = "port";
  config.interval = absl::Seconds(10);
  config.jitter = absl::ZeroDuration();
  config.timeout = absl::Seconds(2);
  config.check = sla::TcpProbeConfig{"127.0.0.1:1"};
  auto checker = sla::probes::MakeChecker(config);
  if (!checker.ok()) return 1;

  absl::Mutex mu;
  bool done = false;
  sla::probes::ProbeRun run;
  sla::probes::SchedulerOptions options;
  options.sink = [&](sla::probes::ProbeRun r) {
    absl::MutexLock lock(&mu);
    run = std::move(r);
    done = true;
  };
  auto scheduler = sla::probes::Scheduler::Create(std::move(options)).value();
  sla::probes::ScheduledProbe p;
  p.service = "db";
  p.probe = config.name;
  p.interval = config.interval;
  p.timeout = config.timeout;
  p.checker = *std::move(checker);
  if (!scheduler->Add(std::move(p)).ok() || !scheduler->Start().ok()) return 1;
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(&done));
  }
  scheduler->Stop();
  std::printf("db/port: %s (%s)\n",
              std::string(sla::probes::OutcomeName(run.result.outcome)).c_str(),
              run.result.reason.c_str());
  return run.result.outcome == sla::probes::Outcome::kFail ? 0 : 1;
}
