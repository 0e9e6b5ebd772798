#include "bindings/grpc/backend.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/notification.h"
#include "bindings/grpc/audit_log.h"
#include "bindings/grpc/command_runner.h"
#include "bindings/grpc/sinks.h"
#include "sla/forecast.h"
#include "sla/report.h"
#include "sla/window.h"

namespace sla::server {
namespace {

// FNV-1a, 64 bits: a fingerprint that is the same in every process (unlike
// absl::Hash, which is seeded per process).
uint64_t Fnv1a(absl::string_view s) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// "availability@1f2e3d4c5b6a7988" -> "availability".
std::string ConfiguredName(absl::string_view declared) {
  return std::string(declared.substr(0, declared.find('@')));
}

// The alert policy's part of a definition's fingerprint: "|guard|for|
// resolve_after" and "|severity,long,short,factor" per tier. (Part of the
// fingerprinted names kept in the store: do not change the format.)
void AppendPolicy(std::string* definition, const AlertPolicy& policy) {
  absl::StrAppend(definition, "|", policy.min_short_window_events, "|",
                  absl::FormatDuration(policy.for_duration), "|",
                  absl::FormatDuration(policy.resolve_after));
  for (const BurnTier& t : policy.tiers) {
    absl::StrAppend(definition, "|", t.severity, ",",
                    absl::FormatDuration(t.long_window), ",",
                    absl::FormatDuration(t.short_window), ",", t.factor);
  }
}

std::shared_ptr<const ConfigState> MakeState(Config config, std::string text) {
  auto state = std::make_shared<ConfigState>();
  for (const ServiceConfig& s : config.services) {
    state->tenant_of[s.name] = s.tenant;
  }
  for (const ApplicationConfig& a : config.applications) {
    state->tenant_of[a.name] = a.tenant;
  }
  state->config = std::move(config);
  state->text = std::move(text);
  return state;
}

}  // namespace

Backend::Backend(BackendOptions options, std::unique_ptr<storage::Store> store)
    : options_(std::move(options)),
      store_(std::move(store)),
      config_(MakeState(Config(), "")),
      tracker_(options_.alert_policy),
      app_tracker_(options_.alert_policy) {}

absl::StatusOr<std::unique_ptr<Backend>> Backend::Open(BackendOptions options) {
  if (options.data_dir.empty()) {
    return absl::InvalidArgumentError("serve: a data directory is required");
  }
  if (options.clock == nullptr) {
    return absl::InvalidArgumentError("serve: clock is null");
  }
  if (options.max_batch_records == 0) {
    return absl::InvalidArgumentError("serve: max_batch_records must be > 0");
  }
  if (options.alert_interval < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("serve: alert_interval must be >= 0");
  }
  if (options.ingest_nice < 0 || options.ingest_nice > 19) {
    return absl::InvalidArgumentError("serve: ingest_nice must be 0 to 19");
  }
  if (absl::Status s = ValidateAlertPolicy(options.alert_policy); !s.ok()) {
    return s;
  }
  storage::StoreOptions store_options;
  store_options.engine.clock = options.clock;
  store_options.log.clock = options.clock;
  store_options.log.sync = options.sync;
  store_options.dedupe_max_ids = options.dedupe_max_ids;
  absl::StatusOr<std::unique_ptr<storage::Store>> store =
      storage::Store::Open(options.data_dir, store_options);
  if (!store.ok()) return store.status();
  std::unique_ptr<Backend> backend(
      new Backend(std::move(options), *std::move(store)));
  const BackendOptions& o = backend->options_;
  absl::StatusOr<std::unique_ptr<AuditLog>> audit =
      AuditLog::Open(o.data_dir + "/remediation.jsonl");
  if (!audit.ok()) return audit.status();
  backend->audit_ = *std::move(audit);
  if (!o.config_text.empty()) {
    absl::StatusOr<ApplyResult> applied =
        backend->ApplyConfig(o.config_text, /*dry_run=*/false);
    if (!applied.ok()) return applied.status();
  } else {
    absl::StatusOr<std::string> kept = backend->store_->LoadConfigText();
    if (kept.ok()) {
      absl::StatusOr<Config> config =
          ParseConfig(*kept, backend->store_->dir() + "/slakit.yaml");
      if (!config.ok()) return config.status();
      std::shared_ptr<const ConfigState> state =
          MakeState(*std::move(config), *std::move(kept));
      if (absl::Status s = backend->ConfigureActions(*state); !s.ok()) {
        return s;
      }
      absl::MutexLock lock(&backend->config_mu_);
      backend->config_ = std::move(state);
    } else if (!absl::IsNotFound(kept.status())) {
      return kept.status();
    }
  }
  Backend* raw = backend.get();
  backend->ingest_thread_ = std::thread([raw] { raw->IngestLoop(); });
  if (o.alert_interval > absl::ZeroDuration()) {
    backend->loop_ = std::thread([raw] { raw->AlertLoop(); });
  }
  return backend;
}

Backend::~Backend() { Shutdown().IgnoreError(); }

absl::Status Backend::Shutdown() {
  {
    absl::MutexLock lock(&loop_mu_);
    if (shut_down_) return shutdown_status_;
    shut_down_ = true;
    stopping_ = true;
  }
  if (loop_.joinable()) loop_.join();
  {
    absl::MutexLock lock(&ingest_mu_);
    ingest_stop_ = true;  // the thread finishes the queued batches first
  }
  if (ingest_thread_.joinable()) ingest_thread_.join();
  // The data first: the snapshot is written and the log closed before
  // waiting for anything slow, so that a supervisor's SIGKILL after its
  // grace period costs no replay.
  absl::Status s = store_->Snapshot();
  absl::Status closed = store_->Close();
  if (s.ok()) s = closed;
  // Then recovery runs in flight finish and are audited (bounded by their
  // own timeouts; the audit file is not the store), and queued alerts are
  // delivered (within SinkDispatcher's own deadline).
  std::unique_ptr<Remediator> remediator;
  std::unique_ptr<SinkDispatcher> sinks;
  {
    absl::MutexLock lock(&alert_mu_);
    remediator = std::move(remediator_);
    sinks = std::move(sinks_);
  }
  remediator.reset();
  sinks.reset();
  absl::MutexLock lock(&loop_mu_);
  shutdown_status_ = s;
  return s;
}

void Backend::AlertLoop() {
  absl::MutexLock lock(&loop_mu_);
  while (!stopping_) {
    // Wakes early when Shutdown sets stopping_.
    loop_mu_.AwaitWithTimeout(absl::Condition(&stopping_),
                              options_.alert_interval);
    if (stopping_) break;
    loop_mu_.Unlock();
    // An error (e.g. an objective whose SLIs are gone) is retried at the
    // next tick; the loop does not stop.
    EvaluateAlerts(options_.clock->Now()).IgnoreError();
    loop_mu_.Lock();
  }
}

// ---------------------------------------------------------------- config

absl::StatusOr<ApplyResult> Backend::ApplyConfig(absl::string_view text,
                                                 bool dry_run) {
  // One configuration change at a time: the kept text, the actions and the
  // configuration in force always belong together.
  absl::MutexLock apply_lock(&apply_mu_);
  absl::StatusOr<Config> config = ParseConfig(text, options_.config_source);
  if (!config.ok()) return config.status();
  if (options_.validate_config) {
    if (absl::Status s = options_.validate_config(*config); !s.ok()) return s;
  }
  ApplyResult result;
  for (const ServiceConfig& s : config->services) {
    result.services.push_back(s.name);
    result.objectives += static_cast<int>(s.objectives.size());
  }
  for (const ApplicationConfig& a : config->applications) {
    result.applications.push_back(a.name);
    result.objectives += static_cast<int>(a.objectives.size());
  }
  if (dry_run) return result;
  std::shared_ptr<const ConfigState> state =
      MakeState(*std::move(config), std::string(text));
  // An unchanged text is not written again: a restart with the same
  // configuration then needs no disk space (a full disk must not keep the
  // server from serving reads).
  absl::StatusOr<std::string> kept = store_->LoadConfigText();
  if (!kept.ok() || *kept != text) {
    if (absl::Status s = store_->SaveConfigText(text); !s.ok()) return s;
  }
  if (absl::Status s = ConfigureActions(*state); !s.ok()) return s;
  absl::MutexLock lock(&config_mu_);
  config_ = std::move(state);
  return result;
}

std::shared_ptr<const ConfigState> Backend::config() const {
  absl::MutexLock lock(&config_mu_);
  return config_;
}

absl::StatusOr<std::string> Backend::TenantOf(const Principal& caller,
                                              absl::string_view service) const {
  std::shared_ptr<const ConfigState> state = config();
  auto it = state->tenant_of.find(service);
  if (it == state->tenant_of.end() || !caller.InTenant(it->second)) {
    return absl::NotFoundError(
        absl::StrCat("service '", service, "' not found"));
  }
  return it->second;
}

absl::Status Backend::ConfigureActions(const ConfigState& state) {
  std::vector<std::unique_ptr<AlertSink>> sinks;
  for (const AlertSinkConfig& c : state.config.alert_sinks) {
    if (!c.command.empty()) {
      sinks.push_back(std::make_unique<CommandSink>(c.command, c.timeout));
    } else {
      sinks.push_back(
          std::make_unique<WebhookSink>(c.webhook_url, c.timeout, c.headers));
    }
  }
  // The recovery actions' signature: an unchanged set keeps its Remediator,
  // and with it the cooldowns and attempt counts in force.
  std::string signature;
  for (const ServiceConfig& service : state.config.services) {
    for (size_t k = 0; k < service.objectives.size(); ++k) {
      if (!service.rules[k].remediation.has_value()) continue;
      const RemediationConfig& r = *service.rules[k].remediation;
      absl::StrAppend(&signature, service.name, "/", service.objectives[k].name,
                      ":", service.tenant, ":",
                      absl::StrJoin(r.command, "\x1f"), ":", r.on, ":",
                      absl::FormatDuration(r.cooldown), ":", r.max_attempts,
                      ":", absl::FormatDuration(r.per), ":",
                      absl::FormatDuration(r.timeout), ":", r.dry_run, "\n");
    }
  }
  RemediatorOptions ro;
  AuditLog* audit = audit_.get();
  ro.audit_sink = [audit](const AuditRecord& r) {
    // A failed append leaves the record in memory (Remediator::Audit); the
    // next append meets the disk error again.
    audit->Append(r).IgnoreError();
  };
  auto remediator = std::make_unique<Remediator>(options_.clock, ro);
  for (const ServiceConfig& service : state.config.services) {
    for (size_t k = 0; k < service.objectives.size(); ++k) {
      if (!service.rules[k].remediation.has_value()) continue;
      const RemediationConfig& r = *service.rules[k].remediation;
      RemediationPolicy policy;
      policy.cooldown = r.cooldown;
      policy.max_attempts = r.max_attempts;
      policy.attempt_window = r.per;
      policy.timeout = r.timeout;
      policy.dry_run = r.dry_run;
      const std::string tenant = service.tenant;
      const std::vector<std::string> argv = r.command;
      // The command gets the alert as JSON on stdin (as a command sink).
      RecoveryAction action = [argv, tenant](const AlertEvent& e,
                                             absl::Duration timeout) {
        AlertView v;
        v.tenant = tenant;
        v.service = e.service;
        v.objective = e.objective;
        v.severity = e.severity;
        v.state = e.to;
        v.from = e.from;
        v.since = e.at;
        v.evidence = e.evidence;
        v.budget_remaining = e.budget_remaining;
        absl::StatusOr<CommandResult> run =
            RunCommand(argv, AlertJson(v), timeout,
                       {absl::StrCat("SLAKIT_ALERT_SERVICE=", e.service),
                        absl::StrCat("SLAKIT_ALERT_OBJECTIVE=", e.objective),
                        absl::StrCat("SLAKIT_ALERT_SEVERITY=", e.severity)});
        if (!run.ok()) return run.status();
        return CommandStatus(*run);
      };
      absl::Status s = remediator->Register(
          ActionKey{service.name, service.objectives[k].name,
                    r.on == "any" ? "" : r.on},
          absl::StrJoin(argv, " "), std::move(action), policy);
      if (!s.ok()) return s;
    }
  }
  auto dispatcher = std::make_unique<SinkDispatcher>(std::move(sinks));
  {
    absl::MutexLock lock(&alert_mu_);
    if (remediator_ == nullptr || signature != remediation_signature_) {
      std::swap(remediator_, remediator);
      remediation_signature_ = signature;
    }
    std::swap(sinks_, dispatcher);
  }
  // The previous ones finish here, outside the lock: runs in flight are
  // audited, queued alerts delivered.
  return absl::OkStatus();
}

std::vector<AuditRecord> Backend::AuditRecords(const Principal& caller) const {
  std::shared_ptr<const ConfigState> state = config();
  std::vector<AuditRecord> out;
  for (AuditRecord& r : audit_->Records()) {
    auto it = state->tenant_of.find(r.service);
    if (it != state->tenant_of.end() && caller.InTenant(it->second)) {
      out.push_back(std::move(r));
    }
  }
  return out;
}

Backend::SinkStats Backend::sink_stats() const {
  absl::MutexLock lock(&alert_mu_);
  SinkStats out;
  if (sinks_ == nullptr) return out;
  const SinkDispatcher::Stats st = sinks_->stats();
  out.delivered = st.delivered;
  out.failed = st.failed;
  out.dropped = st.dropped;
  out.recent_errors = sinks_->RecentErrors();
  return out;
}

// ---------------------------------------------------------------- ingest

absl::StatusOr<storage::IngestAck> Backend::Ingest(
    const Principal& caller, absl::string_view batch_id,
    absl::Span<const NamedProbe> batch) {
  auto reject = [this](absl::Status s) {
    absl::MutexLock lock(&counters_mu_);
    ++counters_.rejected;
    return s;
  };
  if (!caller.HasRole(Role::kIngest)) {
    return reject(absl::PermissionDeniedError(
        absl::StrCat("principal '", caller.name, "' lacks role 'ingest'")));
  }
  if (batch.size() > options_.max_batch_records) {
    return reject(absl::ResourceExhaustedError(
        absl::StrCat("batch of ", batch.size(),
                     " records exceeds the limit max_batch_records = ",
                     options_.max_batch_records)));
  }
  // The work is done by the ingest thread (see IngestLoop); this one waits
  // without using a core.
  absl::StatusOr<storage::IngestAck> result;
  absl::Notification done;
  {
    absl::MutexLock lock(&ingest_mu_);
    if (ingest_stop_) {
      return reject(absl::UnavailableError("shutting down"));
    }
    if (ingest_jobs_.size() >= options_.max_queued_batches) {
      return reject(absl::ResourceExhaustedError(absl::StrCat(
          "ingest queue full (max_queued_batches = ",
          options_.max_queued_batches, "); retry the batch later")));
    }
    ingest_jobs_.push_back([&] {
      result = IngestNow(caller, batch_id, batch);
      done.Notify();
    });
  }
  done.WaitForNotification();
  if (!result.ok()) return reject(result.status());
  return result;
}

void Backend::IngestLoop() {
  // Ingest is throughput work and queries are latency work: on a busy
  // machine this thread yields to the query threads (a higher nice value
  // for this thread only; Linux keeps nice per thread). Best effort: an
  // error leaves the default priority.
  if (options_.ingest_nice > 0) {
    ::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)),
                  options_.ingest_nice);
  }
  absl::MutexLock lock(&ingest_mu_);
  while (true) {
    ingest_mu_.Await(absl::Condition(
        +[](Backend* b) ABSL_EXCLUSIVE_LOCKS_REQUIRED(b->ingest_mu_) {
          return !b->ingest_jobs_.empty() || b->ingest_stop_;
        },
        this));
    if (ingest_jobs_.empty()) return;  // stopping, and nothing left
    std::function<void()> job = std::move(ingest_jobs_.front());
    ingest_jobs_.pop_front();
    ingest_mu_.Unlock();
    job();
    ingest_mu_.Lock();
  }
}

absl::StatusOr<storage::IngestAck> Backend::IngestNow(
    const Principal& caller, absl::string_view batch_id,
    absl::Span<const NamedProbe> batch) {
  const auto reject = [](absl::Status s) { return s; };  // counted by Ingest
  std::shared_ptr<const ConfigState> state = config();
  // Names and values first, so that a bad batch declares nothing. Batches
  // usually hold runs of one service: the last answer is reused.
  if (batch_id.empty() || batch_id.size() > kMaxClientBatchIdBytes) {
    return reject(absl::InvalidArgumentError(absl::StrCat(
        "batch_id: must have 1 to ", kMaxClientBatchIdBytes, " bytes")));
  }
  absl::string_view checked_service;
  bool have_checked = false;
  std::string batch_tenant;  // every record's service is of this tenant
  for (size_t i = 0; i < batch.size(); ++i) {
    const NamedProbe& r = batch[i];
    if (!have_checked || r.service != checked_service) {
      const ServiceConfig* service = state->config.FindService(r.service);
      if (service == nullptr || !caller.InTenant(service->tenant)) {
        return reject(absl::NotFoundError(absl::StrCat(
            "record ", i, ": service: '", r.service, "' not found")));
      }
      if (batch_tenant.empty()) {
        batch_tenant = service->tenant;
      } else if (service->tenant != batch_tenant) {
        return reject(absl::InvalidArgumentError(absl::StrCat(
            "record ", i, ": service: '", r.service,
            "' is of another tenant than record 0's; a batch holds the "
            "services of one tenant")));
      }
      checked_service = r.service;
      have_checked = true;
    }
    if (r.probe.empty()) {
      return reject(absl::InvalidArgumentError(
          absl::StrCat("record ", i, ": probe: empty")));
    }
    if (!std::isfinite(r.latency_ms) || r.latency_ms < 0) {
      return reject(absl::InvalidArgumentError(
          absl::StrCat("record ", i, ": latency_ms: ", r.latency_ms,
                       " is not a finite number >= 0")));
    }
  }
  std::vector<ProbeResult> results;
  results.reserve(batch.size());
  absl::flat_hash_map<std::pair<absl::string_view, absl::string_view>, SliId>
      ids;
  std::pair<absl::string_view, absl::string_view> last_key;
  SliId last_id = 0;
  bool have_last = false;
  bool times_checked = false;
  for (const NamedProbe& r : batch) {
    const auto key = std::make_pair(r.service, r.probe);
    if (!have_last || key != last_key) {
      auto it = ids.find(key);
      if (it == ids.end()) {
        absl::StatusOr<SliId> id = engine().FindSli(r.service, r.probe);
        if (!id.ok()) {
          absl::MutexLock lock(&declare_mu_);
          id = engine().FindSli(r.service, r.probe);
          if (!id.ok()) {
            absl::StatusOr<std::vector<SliId>> existing =
                engine().ServiceSlis(r.service);
            // A batch refused for its times must not declare its probes:
            // checked before the first declaration (off the usual path).
            if (!times_checked) {
              std::vector<ProbeResult> times;
              times.reserve(batch.size());
              for (const NamedProbe& p : batch) {
                times.push_back({0, p.unix_ms, p.ok, p.latency_ms});
              }
              if (absl::Status s = engine().CheckProbeTimes(times); !s.ok()) {
                return reject(s);
              }
              times_checked = true;
            }
            if (existing.ok() &&
                existing->size() >= options_.max_probes_per_service) {
              return reject(absl::ResourceExhaustedError(absl::StrCat(
                  "probe '", r.probe, "': service '", r.service,
                  "' has max_probes_per_service = ",
                  options_.max_probes_per_service, " probes already")));
            }
            id = store_->AddSli({std::string(r.service), std::string(r.probe)});
          }
        }
        if (!id.ok()) return reject(id.status());
        it = ids.emplace(key, *id).first;
      }
      last_key = key;
      last_id = it->second;
      have_last = true;
    }
    results.push_back({last_id, r.unix_ms, r.ok, r.latency_ms});
  }
  // Batch ids are the client's, unique per tenant: the store deduplicates
  // on "<tenant>/<id>", so one tenant's ids never shadow another's.
  absl::StatusOr<storage::IngestAck> ack =
      store_->Ingest(absl::StrCat(batch_tenant, "/", batch_id), results);
  if (!ack.ok()) return ack.status();
  if (!caller.all_tenants) ack->lsn = 0;  // the log position is global
  absl::MutexLock lock(&counters_mu_);
  if (!ack->duplicate) {
    ++counters_.batches;
    counters_.results += static_cast<int64_t>(results.size());
  }
  return ack;
}

IngestCounters Backend::counters() const {
  IngestCounters c;
  {
    absl::MutexLock lock(&counters_mu_);
    c = counters_;
  }
  c.dedupe_ids = static_cast<int64_t>(store_->dedupe_size());
  c.dedupe_forgotten_early =
      static_cast<int64_t>(store_->dedupe_forgotten_early());
  return c;
}

// ---------------------------------------------------------------- alerts

absl::StatusOr<ObjectiveId> Backend::EnsureAlertingObjective(
    const ObjectiveSpec& spec, const ObjectiveRules& rules) {
  ObjectiveSpec resolved = spec;
  if (resolved.slis.empty()) {
    // Pin the service's probe-success SLIs of today: a probe added later
    // makes a new definition (see the file comment).
    absl::StatusOr<std::vector<SliId>> slis =
        engine().ServiceSlis(spec.service);
    if (!slis.ok()) return slis.status();
    for (SliId id : *slis) {
      absl::StatusOr<SliSpec> sli = engine().GetSli(id);
      if (sli.ok() && sli->kind == SliKind::kProbeSuccess) {
        resolved.slis.push_back(sli->name);
      }
    }
    std::sort(resolved.slis.begin(), resolved.slis.end());
  }
  // The alert policy is part of the definition: a changed policy starts a
  // new objective (AlertTracker::SetPolicy applies before the first
  // evaluation only).
  const AlertPolicy& policy =
      rules.custom_policy ? rules.alert_policy : options_.alert_policy;
  std::string definition = absl::StrCat(
      resolved.target_percent, "|", resolved.window, "|",
      static_cast<int>(resolved.method), "|",
      absl::ToInt64Seconds(resolved.slice), "|", resolved.slice_threshold, "|",
      absl::StrJoin(resolved.slis, ","));
  AppendPolicy(&definition, policy);
  resolved.name = absl::StrFormat("%s@%016x", spec.name, Fnv1a(definition));
  const std::string key = absl::StrCat(spec.service, "/", resolved.name);
  auto it = alerting_ids_.find(key);
  if (it != alerting_ids_.end()) return it->second;
  absl::StatusOr<ObjectiveId> id =
      engine().FindObjective(spec.service, resolved.name);
  if (!id.ok()) id = store_->AddObjective(resolved);
  if (!id.ok()) return id.status();
  if (rules.custom_policy) {
    if (absl::Status s = tracker_.SetPolicy(*id, rules.alert_policy); !s.ok()) {
      return s;
    }
  }
  alerting_ids_.emplace(key, *id);
  return *id;
}

absl::StatusOr<ObjectiveId> Backend::ApplicationAlertKey(
    const Config& config, const ApplicationConfig& app,
    const ObjectiveSpec& spec, const ObjectiveRules& rules) {
  const AlertPolicy& policy =
      rules.custom_policy ? rules.alert_policy : options_.alert_policy;
  // What the alerts are computed from: the objective, the expanded
  // expression and what makes each component's minute down.
  std::string definition = absl::StrCat(spec.target_percent, "|", spec.window,
                                        "|", app.components.ToString());
  for (const std::string& c : app.components.Components()) {
    const ServiceConfig* s = config.FindService(c);
    absl::StrAppend(&definition, "|", c, "=",
                    s != nullptr && s->contract.has_value()
                        ? s->contract->max_error_ratio
                        : 0.0);
  }
  AppendPolicy(&definition, policy);
  const std::string name =
      absl::StrFormat("%s/%s@%016x", app.name, spec.name, Fnv1a(definition));
  auto it = app_keys_.find(name);
  if (it != app_keys_.end()) return it->second;
  ObjectiveId key;
  if (!free_app_keys_.empty()) {
    key = free_app_keys_.back();
    free_app_keys_.pop_back();
  } else {
    key = next_app_key_++;
  }
  if (rules.custom_policy) {
    if (absl::Status s = app_tracker_.SetPolicy(key, rules.alert_policy);
        !s.ok()) {
      free_app_keys_.push_back(key);
      return s;
    }
  }
  app_keys_.emplace(name, key);
  return key;
}

void Backend::EvaluateApplicationAlerts(const ConfigState& state, absl::Time at,
                                        std::vector<AlertView>* published,
                                        absl::Status* first_error) {
  const auto view = [&](const AlertEvent& e) {
    AlertView v = ViewOf(state, e.service, e.objective, e.severity, e.to, e.at,
                         e.evidence, e.budget_remaining);
    v.objective = e.objective;  // configured names, no fingerprint
    v.from = e.from;
    return v;
  };
  absl::flat_hash_set<ObjectiveId> live;
  for (const ApplicationConfig& app : state.config.applications) {
    for (size_t k = 0; k < app.objectives.size() && k < app.rules.size(); ++k) {
      const ObjectiveSpec& spec = app.objectives[k];
      if (!spec.alerting) continue;
      const ObjectiveRules& rules = app.rules[k];
      absl::StatusOr<ObjectiveId> key =
          ApplicationAlertKey(state.config, app, spec, rules);
      if (!key.ok()) {
        if (first_error->ok()) *first_error = key.status();
        continue;
      }
      live.insert(*key);
      const AlertPolicy& policy =
          rules.custom_policy ? rules.alert_policy : options_.alert_policy;
      absl::StatusOr<ApplicationBurnTiers> tiers = EvaluateApplicationBurnTiers(
          engine(), state.config, app, spec, policy, at);
      if (!tiers.ok()) {
        if (first_error->ok()) *first_error = tiers.status();
        continue;
      }
      {
        absl::MutexLock lock(&app_budget_mu_);
        app_budget_[*key] = tiers->budget_remaining;
      }
      absl::StatusOr<std::vector<AlertEvent>> events = app_tracker_.Advance(
          *key, app.name, spec.name, std::move(tiers->tiers),
          tiers->budget_remaining, at);
      if (!events.ok()) {
        if (first_error->ok()) *first_error = events.status();
        continue;
      }
      for (const AlertEvent& e : *events) published->push_back(view(e));
    }
  }
  // Definitions that left: their alerts resolve now, their keys are freed.
  for (ObjectiveId key : app_tracked_) {
    if (live.contains(key)) continue;
    for (const AlertEvent& e : app_tracker_.Forget(key, at)) {
      published->push_back(view(e));
    }
    absl::MutexLock lock(&app_budget_mu_);
    app_budget_.erase(key);
  }
  app_tracked_ = std::move(live);
  for (auto it = app_keys_.begin(); it != app_keys_.end();) {
    if (app_tracked_.contains(it->second)) {
      ++it;
    } else {
      free_app_keys_.push_back(it->second);
      app_keys_.erase(it++);
    }
  }
}

AlertView Backend::ViewOf(const ConfigState& config, const std::string& service,
                          const std::string& objective,
                          const std::string& severity, AlertState state,
                          absl::Time since, const TierEvaluation& evidence,
                          double budget_remaining) const {
  AlertView v;
  auto it = config.tenant_of.find(service);
  v.tenant = it == config.tenant_of.end() ? "" : it->second;
  v.service = service;
  v.objective = ConfiguredName(objective);
  v.severity = severity;
  v.state = state;
  v.since = since;
  v.evidence = evidence;
  v.budget_remaining = budget_remaining;
  return v;
}

absl::Status Backend::EvaluateAlerts(absl::Time at) {
  std::shared_ptr<const ConfigState> state = config();
  std::vector<AlertView> published;
  absl::Status first_error;
  std::vector<std::string> log_lines;  // logged once alert_mu_ is released
  {
    absl::MutexLock lock(&alert_mu_);
    if (at < last_alert_at_) ClockSteppedBackLocked(at, &log_lines);
    last_alert_at_ = at;
    // Objective ids evaluated this tick, and forecast keys in force.
    absl::flat_hash_set<ObjectiveId> live;
    absl::flat_hash_set<std::string> live_forecasts;
    for (const ServiceConfig& service : state->config.services) {
      for (size_t k = 0; k < service.objectives.size(); ++k) {
        const ObjectiveSpec& spec = service.objectives[k];
        if (!spec.alerting) continue;
        absl::StatusOr<ObjectiveId> id =
            EnsureAlertingObjective(spec, service.rules[k]);
        if (!id.ok()) {
          // No result yet: nothing to alert on.
          if (absl::IsNotFound(id.status())) continue;
          if (first_error.ok()) first_error = id.status();
          continue;
        }
        live.insert(*id);
        if (service.rules[k].exhaustion_warning > absl::ZeroDuration()) {
          live_forecasts.insert(absl::StrCat(spec.service, "/", spec.name));
        }
        absl::StatusOr<std::vector<AlertEvent>> events =
            tracker_.Evaluate(engine(), *id, at);
        if (!events.ok()) {
          if (first_error.ok()) first_error = events.status();
          continue;
        }
        for (const AlertEvent& e : *events) {
          AlertView v = ViewOf(*state, e.service, e.objective, e.severity, e.to,
                               e.at, e.evidence, e.budget_remaining);
          v.from = e.from;
          published.push_back(std::move(v));
          if (remediator_ != nullptr) {
            AlertEvent named = e;
            named.objective = ConfiguredName(e.objective);
            remediator_->OnAlert(named);
          }
        }
        if (service.rules[k].exhaustion_warning > absl::ZeroDuration()) {
          absl::Status s = EvaluateForecastAlert(
              *state, spec, *id, at, service.rules[k].exhaustion_warning,
              &published);
          if (!s.ok() && first_error.ok()) first_error = s;
        }
      }
    }
    // Definitions that left the configuration (a changed target or policy,
    // a new probe, a removed objective): their alerts resolve now rather
    // than stay firing forever, and their state is forgotten.
    for (ObjectiveId id : tracked_) {
      if (live.contains(id)) continue;
      for (const AlertEvent& e : tracker_.Forget(id, at)) {
        AlertView v = ViewOf(*state, e.service, e.objective, e.severity, e.to,
                             e.at, e.evidence, e.budget_remaining);
        v.from = e.from;
        published.push_back(std::move(v));
      }
    }
    tracked_ = std::move(live);
    for (auto it = alerting_ids_.begin(); it != alerting_ids_.end();) {
      if (tracked_.contains(it->second)) {
        ++it;
      } else {
        alerting_ids_.erase(it++);
      }
    }
    EvaluateApplicationAlerts(*state, at, &published, &first_error);
    {
      absl::MutexLock forecast_lock(&forecast_mu_);
      for (auto it = forecast_alerts_.begin(); it != forecast_alerts_.end();) {
        if (live_forecasts.contains(it->first)) {
          ++it;
          continue;
        }
        AlertView v = std::move(it->second);
        v.from = AlertState::kFiring;
        v.state = AlertState::kResolved;
        v.since = at;
        published.push_back(std::move(v));
        forecast_alerts_.erase(it++);
      }
    }
    for (const AlertView& v : published) {
      for (const auto& [id, fn] : subscribers_) fn(v);
      if (sinks_ != nullptr) sinks_->Publish(v);
    }
    NoteAlertErrorLocked(first_error, &log_lines);
  }
  if (options_.log) {
    for (const std::string& line : log_lines) options_.log(line);
  }
  return first_error;
}

void Backend::ClockSteppedBackLocked(absl::Time at,
                                     std::vector<std::string>* log_lines) {
  const absl::Duration step = at - last_alert_at_;
  tracker_.ShiftTimes(step);
  app_tracker_.ShiftTimes(step);
  if (remediator_ != nullptr) remediator_->ShiftTimes(step);
  {
    absl::MutexLock forecast_lock(&forecast_mu_);
    for (auto& [key, view] : forecast_alerts_) view.since += step;
  }
  {
    absl::MutexLock counters_lock(&counters_mu_);
    ++counters_.clock_steps_back;
  }
  log_lines->push_back(absl::StrCat(
      "slakit serve: warning: the clock stepped back by ",
      absl::FormatDuration(-step), " (alert evaluation at ", TimeToString(at),
      ", the previous at ", TimeToString(last_alert_at_),
      "); alert timers and recovery-action cooldowns moved back with it, "
      "alerting goes on"));
}

void Backend::NoteAlertErrorLocked(const absl::Status& status,
                                   std::vector<std::string>* log_lines) {
  if (!status.ok()) {
    absl::MutexLock counters_lock(&counters_mu_);
    ++counters_.alert_evaluation_errors;
  }
  const std::string error = status.ok() ? "" : status.ToString();
  if (error == last_alert_error_) return;
  log_lines->push_back(
      error.empty()
          ? std::string("slakit serve: alert evaluation works again")
          : absl::StrCat("slakit serve: error: alert evaluation: ", error,
                         " (counted in slakit_alert_evaluation_errors_total; "
                         "logged again when the first error changes)"));
  last_alert_error_ = error;
}

absl::Status Backend::EvaluateForecastAlert(const ConfigState& state,
                                            const ObjectiveSpec& spec,
                                            ObjectiveId id, absl::Time at,
                                            absl::Duration warning,
                                            std::vector<AlertView>* published) {
  absl::StatusOr<ExhaustionForecast> f = ForecastExhaustion(engine(), id, at);
  if (!f.ok()) return f.status();
  const bool warn = f->budget_remaining > 0 && f->exhaustion.has_value() &&
                    *f->exhaustion - at <= warning;
  const std::string key = absl::StrCat(spec.service, "/", spec.name);
  absl::MutexLock lock(&forecast_mu_);
  auto it = forecast_alerts_.find(key);
  if (warn && it == forecast_alerts_.end()) {
    TierEvaluation evidence;
    evidence.tier.severity = "forecast";
    evidence.tier.long_window = f->trend_window;
    evidence.long_rate = f->burn_rate;
    evidence.long_counts = f->trend_counts;
    evidence.condition = true;
    AlertView v =
        ViewOf(state, spec.service, spec.name, "forecast", AlertState::kFiring,
               at, evidence, f->budget_remaining);
    forecast_alerts_.emplace(key, v);
    published->push_back(std::move(v));
  } else if (!warn && it != forecast_alerts_.end()) {
    AlertView v = std::move(it->second);
    forecast_alerts_.erase(it);
    v.from = AlertState::kFiring;
    v.state = AlertState::kResolved;
    v.since = at;
    v.evidence.long_rate = f->burn_rate;
    v.budget_remaining = f->budget_remaining;
    published->push_back(std::move(v));
  }
  return absl::OkStatus();
}

std::vector<AlertView> Backend::ActiveAlerts(const Principal& caller) const {
  std::shared_ptr<const ConfigState> state = config();
  std::vector<AlertView> out;
  {
    absl::MutexLock lock(&forecast_mu_);
    for (const auto& [key, v] : forecast_alerts_) {
      if (caller.InTenant(v.tenant)) out.push_back(v);
    }
  }
  for (const ActiveAlert& a : tracker_.Active()) {
    AlertView v = ViewOf(*state, a.service, a.objective, a.severity, a.state,
                         a.since, a.evidence, /*budget_remaining=*/1);
    if (!caller.InTenant(v.tenant)) continue;
    absl::StatusOr<ObjectiveStatus> st =
        engine().Evaluate(a.id, options_.clock->Now());
    if (st.ok()) v.budget_remaining = st->budget.remaining;
    out.push_back(std::move(v));
  }
  // Applications' alerts, with the budget of their latest evaluation.
  for (const ActiveAlert& a : app_tracker_.Active()) {
    AlertView v = ViewOf(*state, a.service, a.objective, a.severity, a.state,
                         a.since, a.evidence, /*budget_remaining=*/1);
    v.objective = a.objective;
    if (!caller.InTenant(v.tenant)) continue;
    {
      absl::MutexLock lock(&app_budget_mu_);
      auto it = app_budget_.find(a.id);
      if (it != app_budget_.end()) v.budget_remaining = it->second;
    }
    out.push_back(std::move(v));
  }
  return out;
}

int Backend::Subscribe(std::function<void(const AlertView&)> fn,
                       const Principal& caller,
                       std::vector<AlertView>* current) {
  absl::MutexLock lock(&alert_mu_);
  // Under alert_mu_, which EvaluateAlerts holds from evaluation to
  // publication: no transition falls between the snapshot and the
  // subscription, and none is seen twice.
  *current = ActiveAlerts(caller);
  const int id = next_subscription_++;
  subscribers_.emplace(id, std::move(fn));
  return id;
}

void Backend::Unsubscribe(int subscription) {
  absl::MutexLock lock(&alert_mu_);
  subscribers_.erase(subscription);
}

// ---------------------------------------------------------------- report

absl::StatusOr<std::string> Backend::Report(const Principal& caller,
                                            absl::string_view month,
                                            absl::string_view format,
                                            std::string* content_type) const {
  absl::StatusOr<absl::CivilMonth> m = ParseMonth(month);
  if (!m.ok()) return m.status();
  const std::string f = format.empty() ? "json" : std::string(format);
  if (f != "json" && f != "csv" && f != "markdown" && f != "html") {
    return absl::InvalidArgumentError(absl::StrCat(
        "format: '", format, "' is not one of json, csv, markdown, html"));
  }
  // The caller's part of the configuration.
  std::shared_ptr<const ConfigState> state = config();
  Config mine;
  mine.timezone = state->config.timezone;
  mine.zone = state->config.zone;
  for (const ServiceConfig& s : state->config.services) {
    if (caller.InTenant(s.tenant)) mine.services.push_back(s);
  }
  for (const ApplicationConfig& a : state->config.applications) {
    if (caller.InTenant(a.tenant)) mine.applications.push_back(a);
  }
  for (const MaintenanceWindow& w : state->config.maintenance) {
    if (mine.FindService(w.service) != nullptr) mine.maintenance.push_back(w);
  }
  // The report declares objectives: on a copy, not in the store.
  std::string encoded;
  engine().EncodeState(&encoded);
  EngineOptions engine_options;
  engine_options.clock = options_.clock;
  Engine copy(engine_options);
  if (absl::Status s = copy.RestoreState(encoded); !s.ok()) return s;
  ReportOptions report_options;
  report_options.audit_records = AuditRecords(caller);
  absl::StatusOr<MonthlyReport> report =
      BuildMonthlyReport(copy, mine, *m, report_options);
  if (!report.ok()) return report.status();
  if (f == "csv") {
    *content_type = "text/csv";
    return RenderReportCsv(*report);
  }
  if (f == "markdown") {
    *content_type = "text/markdown";
    return RenderReportMarkdown(*report);
  }
  if (f == "html") {
    *content_type = "text/html";
    return RenderReportHtml(*report);
  }
  *content_type = "application/json";
  return RenderReportJson(*report);
}

// ---------------------------------------------------------------- metrics

std::vector<ObjectiveSample> Backend::MetricsSamples(absl::Time at) const {
  std::shared_ptr<const ConfigState> state = config();
  std::vector<ActiveAlert> active = tracker_.Active();
  std::vector<ObjectiveSample> out;
  for (const ServiceConfig& service : state->config.services) {
    for (const ObjectiveSpec& spec : service.objectives) {
      absl::StatusOr<ObjectiveStatus> st = engine().EvaluateSpec(spec, at);
      if (!st.ok()) {
        // A service without any result yet: shown without data (NaN
        // availability, the whole budget left). Other errors: left out.
        if (!absl::IsNotFound(st.status()) ||
            engine().ServiceSlis(spec.service).ok()) {
          continue;
        }
        st = ObjectiveStatus();
      }
      ObjectiveSample s;
      s.tenant = service.tenant;
      s.service = spec.service;
      s.objective = spec.name;
      s.window = spec.window;
      // The exact fraction, correctly rounded: 0.999, not 99.9 / 100.
      absl::StatusOr<Target> target = Target::FromPercent(spec.target_percent);
      s.target_ratio =
          target.ok() ? target->fraction() : spec.target_percent / 100;
      s.good = st->budget.good;
      s.total = st->budget.total;
      if (s.total > 0) s.availability_ratio = st->budget.availability;
      s.error_budget_remaining_ratio = st->budget.remaining;
      absl::StatusOr<BurnRates> rates =
          engine().BurnRatesOfSpec(spec, at, StandardBurnWindows());
      if (rates.ok()) {
        for (size_t i = 0; i < rates->rates.size(); ++i) {
          s.burn_rates.push_back(
              {DurationToString(StandardBurnWindows()[i]), rates->rates[i]});
        }
      }
      if (spec.alerting) {
        for (const char* severity : {"page", "ticket"}) {
          bool firing = false;
          for (const ActiveAlert& a : active) {
            firing |= a.service == spec.service &&
                      ConfiguredName(a.objective) == spec.name &&
                      a.severity == severity && a.state == AlertState::kFiring;
          }
          s.alerts.push_back({severity, firing});
        }
      }
      out.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace sla::server
