#include "bindings/cli/probe_command.h"

#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "probes/checker_factory.h"
#include "probes/grpc_health_checker.h"
#include "probes/scheduler.h"
#include "sla/config.h"
#include "sla/internal/json_writer.h"

namespace sla::cli {
namespace {

struct Selected {
  std::string service;
  const ProbeConfig* probe = nullptr;
};

bool Contains(const std::vector<std::string>& names, const std::string& x) {
  return std::find(names.begin(), names.end(), x) != names.end();
}

// The probes of `config` that the options select, in configuration order.
absl::StatusOr<std::vector<Selected>> Select(const Config& config,
                                             const ProbeOptions& o) {
  std::vector<Selected> out;
  for (const std::string& s : o.services) {
    if (config.FindService(s) == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("--service ", s, ": no such service in ", o.config));
    }
  }
  for (const ServiceConfig& s : config.services) {
    if (!o.services.empty() && !Contains(o.services, s.name)) continue;
    for (const ProbeConfig& p : s.probes) {
      if (!o.probes.empty() && !Contains(o.probes, p.name)) continue;
      out.push_back(Selected{s.name, &p});
    }
  }
  if (out.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        o.config,
        o.services.empty() && o.probes.empty()
            ? " declares no probes (services[].probes; see slakit probe "
              "--help)"
            : ": no probe matches --service / --probe"));
  }
  return out;
}

std::string Latency(absl::Duration d) {
  return absl::StrFormat("%.1f ms", absl::ToDoubleMilliseconds(d));
}

std::string JsonOf(const std::string& service, const ProbeConfig& probe,
                   const probes::ProbeRun& run) {
  internal::JsonWriter w;
  w.BeginObject();
  w.Key("service");
  w.String(service);
  w.Key("probe");
  w.String(probe.name);
  w.Key("kind");
  w.String(ProbeKindName(probe.check));
  w.Key("timestamp");
  w.String(absl::FormatTime("%Y-%m-%d%ET%H:%M:%E3SZ", run.started,
                            absl::UTCTimeZone()));
  w.Key("outcome");
  w.String(probes::OutcomeName(run.result.outcome));
  w.Key("latency_ms");
  // Whole microseconds, so the number reads back exactly.
  w.Number(static_cast<double>(absl::ToInt64Microseconds(run.result.latency)) /
           1000.0);
  w.Key("reason");
  w.String(run.result.reason);
  w.EndObject();
  return w.str();
}

// Aligned columns; the reason last, unpadded.
std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& r : rows) {
    width.resize(std::max(width.size(), r.size()));
    for (size_t i = 0; i + 1 < r.size(); ++i) {
      width[i] = std::max(width[i], r[i].size());
    }
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      if (i + 1 < r.size()) {
        absl::StrAppend(&line, r[i],
                        std::string(width[i] - r[i].size() + 2, ' '));
      } else {
        absl::StrAppend(&line, r[i]);
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

std::vector<std::string> Row(const std::string& service,
                             const ProbeConfig& probe,
                             const probes::ProbeRun& run) {
  return {service,
          probe.name,
          ProbeKindName(probe.check),
          std::string(probes::OutcomeName(run.result.outcome)),
          Latency(run.result.latency),
          run.result.reason};
}

const std::vector<std::string> kHeader = {"SERVICE", "PROBE",   "KIND",
                                          "OUTCOME", "LATENCY", "REASON"};

}  // namespace

absl::StatusOr<bool> RunProbe(const ProbeOptions& o, std::ostream& out) {
  if (o.format != "table" && o.format != "json") {
    return absl::InvalidArgumentError(
        absl::StrCat("--format ", o.format, ": expected table or json"));
  }
  if (o.concurrency < 1 || o.concurrency > 1024) {
    return absl::InvalidArgumentError(
        absl::StrCat("--concurrency ", o.concurrency, ": expected 1 to 1024"));
  }
  absl::StatusOr<Config> config = LoadConfig(o.config);
  if (!config.ok()) return config.status();
  absl::StatusOr<std::vector<Selected>> selected = Select(*config, o);
  if (!selected.ok()) return selected.status();

  const auto make = o.make_checker ? o.make_checker : [](const ProbeConfig& p) {
    return probes::MakeChecker(p, &probes::MakeGrpcHealthChecker);
  };

  // Results by probe index; the sink may run on several threads.
  absl::Mutex mu;
  std::vector<std::optional<probes::ProbeRun>> results(selected->size());
  size_t done = 0;
  bool all_ok = true;
  std::map<std::pair<std::string, std::string>, size_t> index;
  for (size_t i = 0; i < selected->size(); ++i) {
    index[{(*selected)[i].service, (*selected)[i].probe->name}] = i;
  }
  if (!o.once && o.format == "table") out << Table({kHeader}) << std::flush;

  // Without --once, run until SIGINT or SIGTERM: block them in every thread
  // (the scheduler's threads, created below, inherit the mask) and wait for one
  // here.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  sigset_t previous;
  if (!o.once) pthread_sigmask(SIG_BLOCK, &stop, &previous);
  // Declared before the scheduler, so it runs after the scheduler stops.
  absl::Cleanup restore_mask = [&] {
    if (!o.once) pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  };
  probes::SchedulerOptions options;
  options.max_concurrency = o.concurrency;
  options.seed = static_cast<uint64_t>(absl::ToUnixNanos(absl::Now()));
  options.sink = [&](probes::ProbeRun run) {
    absl::MutexLock lock(&mu);
    const size_t i = index.at({run.service, run.probe});
    const Selected& s = (*selected)[i];
    if (o.once) {
      // The first run only (a probe faster than another's timeout would
      // otherwise run again before the command is done).
      if (results[i].has_value()) return;
      all_ok &= run.result.outcome == probes::Outcome::kOk;
      ++done;
      results[i] = std::move(run);
      return;
    }
    all_ok &= run.result.outcome == probes::Outcome::kOk;
    // One line per result as it arrives (flushed: it may be piped).
    if (o.format == "json") {
      out << JsonOf(s.service, *s.probe, run) << "\n" << std::flush;
    } else {
      std::string row = Table({kHeader, Row(s.service, *s.probe, run)});
      out << row.substr(row.find('\n') + 1) << std::flush;
    }
  };
  absl::StatusOr<std::unique_ptr<probes::Scheduler>> scheduler =
      probes::Scheduler::Create(std::move(options));
  if (!scheduler.ok()) return scheduler.status();
  for (const Selected& s : *selected) {
    absl::StatusOr<std::unique_ptr<probes::Checker>> checker = make(*s.probe);
    if (!checker.ok()) {
      return absl::Status(checker.status().code(),
                          absl::StrCat(s.service, "/", s.probe->name, ": ",
                                       checker.status().message()));
    }
    probes::ScheduledProbe p;
    p.service = s.service;
    p.probe = s.probe->name;
    p.interval = s.probe->interval;
    // --once: every probe now, not spread over the jitter, and not again.
    p.jitter = o.once ? absl::ZeroDuration() : s.probe->jitter;
    if (o.once) p.interval = std::max(p.interval, absl::Hours(24));
    p.timeout = s.probe->timeout;
    p.checker = *std::move(checker);
    if (absl::Status st = (*scheduler)->Add(std::move(p)); !st.ok()) return st;
  }

  if (absl::Status st = (*scheduler)->Start(); !st.ok()) return st;
  if (o.once) {
    struct Progress {
      const size_t* done;
      size_t want;
    };
    Progress progress{&done, results.size()};
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(
        +[](Progress* p) { return *p->done == p->want; }, &progress));
  } else {
    int signal = 0;
    while (sigwait(&stop, &signal) != 0) {
    }
    // A second Ctrl-C while the probes stop ends the process at once.
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  }
  (*scheduler)->Stop();
  if (!o.once) return all_ok;

  if (o.format == "json") {
    out << "[";
    for (size_t i = 0; i < results.size(); ++i) {
      out << (i == 0 ? "\n  " : ",\n  ")
          << JsonOf((*selected)[i].service, *(*selected)[i].probe, *results[i]);
    }
    out << "\n]\n";
  } else {
    std::vector<std::vector<std::string>> rows = {kHeader};
    for (size_t i = 0; i < results.size(); ++i) {
      rows.push_back(
          Row((*selected)[i].service, *(*selected)[i].probe, *results[i]));
    }
    out << Table(rows);
  }
  out << std::flush;
  return all_ok;
}

}  // namespace sla::cli
