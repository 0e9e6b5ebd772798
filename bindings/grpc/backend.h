// bindings/grpc/backend.h: what `slakit serve` does, without gRPC. The
// durable store (sla/storage/store.h), the configuration (sla/config.h), the
// tenant of every service, the alert tracker (sla/alerting.h) and its
// evaluation loop, and the monthly report, behind one object that the gRPC
// service (service.h) converts to and from protobuf and that tests drive
// directly.
//
//   sla::server::BackendOptions options;
//   options.data_dir = "/var/lib/slakit";
//   auto backend = sla::server::Backend::Open(options);  // recovers the store
//   if (!backend.ok()) return backend.status();
//   (*backend)->ApplyConfig(yaml_text, /*dry_run=*/false);
//   (*backend)->Ingest(principal, "batch-1", records);
//   (*backend)->Shutdown();        // stops alerting, snapshots, closes
//
// Tenants. Every service of the configuration belongs to one tenant
// (`tenant:`, default "default"); applications to the tenant of their
// services. Calls that name a service check that the caller may use that
// tenant; a service of another tenant is reported exactly like a service
// that does not exist (NotFound), so names of other tenants never leak.
//
// Early warning: an alerting objective with `exhaustion_warning: X` also
// has an alert of severity "forecast", firing while sla::ForecastExhaustion
// (the burn rate of the last 6 h held constant) says its budget, not spent
// yet, runs out within X; it resolves as soon as that is no longer so (the
// forecast is smooth enough not to need hysteresis: it reads 6 hours). It
// reaches watchers and sinks like the others but runs no remediation.
//
// Applications' objectives with `alerting` alert on the burn rate of the
// composite's up and down minutes (sla::EvaluateApplicationBurnTiers), with
// the same tiers, lifecycle and publication as services' objectives; their
// AlertView names the application as `service` (its tenant the
// application's) and its evidence carries the top contributing component.
// Their alert state lives in a second tracker keyed by a small id per
// definition (target, window, expanded expression, the components'
// max_error_ratio, policy): a changed definition, or one that leaves the
// configuration, resolves its alerts at the next evaluation. They run no
// recovery action and have no early warning (refused by the config).
//
// Objectives are evaluated from the configuration as it is now
// (Engine::EvaluateSpec), so a changed target applies at once. Alerting
// objectives (`alerting: true`) are also declared in the store under a name
// that carries a fingerprint of their definition and of their SLIs
// ("availability@1f2e3d4c"): the alert tracker needs a stable engine id, and
// a new definition (or a new probe of the service) is a new objective whose
// alert state starts afresh.
//
// Thread safety: Backend is thread-safe. Ownership: Open returns the only
// owner; options.clock is borrowed and must outlive it.

#ifndef BINDINGS_GRPC_BACKEND_H_
#define BINDINGS_GRPC_BACKEND_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "bindings/grpc/auth.h"
#include "bindings/grpc/metrics.h"
#include "sla/alerting.h"
#include "sla/clock.h"
#include "sla/config.h"
#include "sla/engine.h"
#include "sla/remediation.h"
#include "sla/storage/store.h"

namespace sla::server {

class AuditLog;
class SinkDispatcher;

struct BackendOptions {
  std::string data_dir;  // required; created when missing
  // Initial configuration text and its name for messages; empty: the one
  // kept in the store (or none).
  std::string config_text;
  std::string config_source = "slakit.yaml";
  storage::SyncPolicy sync = storage::SyncPolicy::kInterval;
  // Batch ids remembered for retries (storage::StoreOptions::
  // dedupe_max_ids), shared by every tenant. >= 1.
  size_t dedupe_max_ids = size_t{1} << 18;
  // Largest batch Ingest accepts (records); larger is ResourceExhausted.
  size_t max_batch_records = 100000;
  // Batches are resolved and applied by one ingest thread (the store
  // applies one at a time anyway), in arrival order, while the calling
  // threads wait without using a core. Its nice value (0 to 19): ingest is
  // throughput work, so on a busy machine it yields to query threads.
  int ingest_nice = 10;
  // Batches waiting for the ingest thread; more are ResourceExhausted.
  size_t max_queued_batches = 64;
  // Probes are declared on first use, up to this many per service; a new
  // one beyond is ResourceExhausted.
  size_t max_probes_per_service = 1000;
  // How often the alert loop evaluates the alerting objectives; zero: no
  // loop (EvaluateAlerts is called by the owner, as tests do).
  absl::Duration alert_interval = absl::Seconds(30);
  AlertPolicy alert_policy;  // empty tiers: the defaults per window
  Clock* clock = Clock::Real();
  // More checks of a configuration before ApplyConfig accepts it (the
  // server: that every probe's checker can be built); its error is
  // ApplyConfig's. Not run on the configuration kept in the store.
  std::function<absl::Status(const Config&)> validate_config;
  // One line for what an operator should see in the server's log (the
  // clock stepped back; alert evaluation failing, then working again),
  // called by the thread that runs EvaluateAlerts (the alert loop) with no
  // lock of the backend held. Empty: not logged.
  std::function<void(const std::string&)> log;
};

// A probe result as a client names it. The names are views into the
// caller's request, valid for the Ingest call.
// The longest client batch id (the store keeps "<tenant>/<id>").
inline constexpr size_t kMaxClientBatchIdBytes = 900;

struct NamedProbe {
  absl::string_view service;
  absl::string_view probe;
  int64_t unix_ms = 0;
  bool ok = false;
  double latency_ms = 0;
};

// The configuration in force.
struct ConfigState {
  Config config;
  std::string text;  // as applied ("" when none)
  absl::flat_hash_map<std::string, std::string> tenant_of;  // service, app
};

struct ApplyResult {
  std::vector<std::string> services;
  std::vector<std::string> applications;
  int objectives = 0;
};

// An alert as the API shows it.
struct AlertView {
  std::string tenant;
  std::string service;
  std::string objective;  // the configured name (no fingerprint)
  std::string severity;
  AlertState state = AlertState::kInactive;
  AlertState from = AlertState::kInactive;  // for events
  absl::Time since;                         // or, for events, `at`
  TierEvaluation evidence;
  double budget_remaining = 1;
};

// Counters since Open, for /metrics.
struct IngestCounters {
  int64_t results = 0;
  int64_t batches = 0;
  int64_t rejected = 0;
  // The store's dedupe table: ids remembered now, and ids forgotten within
  // their horizon because of its count bound (storage::StoreOptions).
  int64_t dedupe_ids = 0;
  int64_t dedupe_forgotten_early = 0;
  // Alert evaluations that found the clock earlier than the previous one
  // (EvaluateAlerts), and alert evaluations that failed.
  int64_t clock_steps_back = 0;
  int64_t alert_evaluation_errors = 0;
};

class Backend {
 public:
  // Opens the store (recovering it; the long part of a start), applies
  // options.config_text if given (else the kept configuration), and starts
  // the alert loop. Errors: the store's (DataLoss: do not serve), the
  // configuration's (InvalidArgument, file:line:column), InvalidArgument for
  // bad options.
  static absl::StatusOr<std::unique_ptr<Backend>> Open(BackendOptions options);
  ~Backend();  // Shutdown()
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  // Validates the text (ParseConfig) and, unless dry_run, makes it the
  // configuration: kept in the store (durable) and in force for the next
  // call. Services keep their data across configurations.
  absl::StatusOr<ApplyResult> ApplyConfig(absl::string_view text, bool dry_run);
  std::shared_ptr<const ConfigState> config() const;

  // Ingests a batch for `caller`, all or nothing: every record names a
  // service of the configuration in one of the caller's tenants (else
  // NotFound "record 3: service 'x' not found"), all of one tenant, and has
  // a finite latency >= 0; probes are declared on first use (at most
  // max_probes_per_service). Then Store::Ingest, deduplicated on
  // "<tenant>/<batch_id>" so tenants' ids never meet; the ack's lsn is 0
  // unless the caller has every tenant. ResourceExhausted over
  // max_batch_records or max_queued_batches; InvalidArgument naming the
  // record index and field.
  absl::StatusOr<storage::IngestAck> Ingest(const Principal& caller,
                                            absl::string_view batch_id,
                                            absl::Span<const NamedProbe> batch);

  // NotFound unless `service` (a service or an application) exists and
  // belongs to one of the caller's tenants; its tenant otherwise.
  absl::StatusOr<std::string> TenantOf(const Principal& caller,
                                       absl::string_view service) const;

  const Engine& engine() const { return store_->engine(); }
  Clock* clock() const { return options_.clock; }

  // Evaluates every alerting objective at `at` (the loop does so every
  // alert_interval at the clock's now) and publishes the transitions.
  //
  // An `at` earlier than the previous evaluation's is the clock stepping
  // back (an NTP or operator correction): the alert timers move back with
  // it (AlertTracker::ShiftTimes; early-warning alerts' `since` too), the
  // step is counted (IngestCounters::clock_steps_back) and logged, and the
  // evaluation goes on at `at`, over windows that end at `at` where newly
  // ingested data is stamped. Alerting is not frozen until the clock has
  // caught up; the windows then also hold what was stamped on the clock
  // before the step in the minutes it revisits. Active alerts' `since`
  // moves back too (no transition is published for that), and so do the
  // recovery actions' cooldowns and attempt windows. A failing evaluation
  // is counted, and logged when it starts failing, when its first error
  // changes and when it works again.
  absl::Status EvaluateAlerts(absl::Time at);
  // Alerts now pending or firing, of the caller's tenants.
  std::vector<AlertView> ActiveAlerts(const Principal& caller) const;
  // Every transition from now on is passed to `fn` (from the evaluating
  // thread; `fn` must be quick and thread-safe) until Unsubscribe; the
  // alerts active at that moment (ActiveAlerts(caller)) are stored in
  // *current, atomically with the subscription.
  int Subscribe(std::function<void(const AlertView&)> fn,
                const Principal& caller, std::vector<AlertView>* current);
  void Unsubscribe(int subscription);

  // The remediation audit (every decision and run, durable in
  // <data_dir>/remediation.jsonl), oldest first, of the caller's tenants.
  std::vector<AuditRecord> AuditRecords(const Principal& caller) const;
  // Sink deliveries since the configuration was applied.
  struct SinkStats {
    int64_t delivered = 0, failed = 0, dropped = 0;
    std::vector<std::string> recent_errors;
  };
  SinkStats sink_stats() const;

  // The report of `month` ("2024-01") for the caller's tenants, in `format`
  // (json, csv, markdown, html); content type in *content_type.
  absl::StatusOr<std::string> Report(const Principal& caller,
                                     absl::string_view month,
                                     absl::string_view format,
                                     std::string* content_type) const;

  // /metrics samples of every objective at `at`, and the counters.
  std::vector<ObjectiveSample> MetricsSamples(absl::Time at) const;
  IngestCounters counters() const;

  // Stops the alert loop and the ingest thread (queued batches are applied
  // first), writes a snapshot and closes the store (queries keep working,
  // mutations fail), then waits for recovery runs in flight (each bounded by
  // its timeout) and delivers queued alerts (bounded). Idempotent; returns
  // the first store error.
  absl::Status Shutdown();

  const storage::StoreRecovery& recovery() const { return store_->recovery(); }

 private:
  Backend(BackendOptions options, std::unique_ptr<storage::Store> store);
  absl::StatusOr<ObjectiveId> EnsureAlertingObjective(
      const ObjectiveSpec& spec, const ObjectiveRules& rules)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(alert_mu_);
  // The app_tracker_ key of an application objective's definition (see the
  // file comment), allocated at first use (with its policy set).
  absl::StatusOr<ObjectiveId> ApplicationAlertKey(const Config& config,
                                                  const ApplicationConfig& app,
                                                  const ObjectiveSpec& spec,
                                                  const ObjectiveRules& rules)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(alert_mu_);
  // EvaluateAlerts' part for applications' objectives: transitions are
  // appended to *published; the first error to *first_error.
  void EvaluateApplicationAlerts(const ConfigState& state, absl::Time at,
                                 std::vector<AlertView>* published,
                                 absl::Status* first_error)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(alert_mu_);
  void AlertLoop();
  // EvaluateAlerts' parts: the clock went back from last_alert_at_ to
  // `at`; and the counting and logging of the evaluation's status.
  // Lines for options_.log are appended to *log_lines (logged by the
  // caller once alert_mu_ is released).
  void ClockSteppedBackLocked(absl::Time at,
                              std::vector<std::string>* log_lines)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(alert_mu_);
  void NoteAlertErrorLocked(const absl::Status& status,
                            std::vector<std::string>* log_lines)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(alert_mu_);
  // The early-warning alert of one objective at `at`: its transition, if
  // any, is appended to *published.
  absl::Status EvaluateForecastAlert(const ConfigState& state,
                                     const ObjectiveSpec& spec, ObjectiveId id,
                                     absl::Time at, absl::Duration warning,
                                     std::vector<AlertView>* published)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(alert_mu_);
  void IngestLoop();
  // Ingest's work, on the ingest thread.
  absl::StatusOr<storage::IngestAck> IngestNow(
      const Principal& caller, absl::string_view batch_id,
      absl::Span<const NamedProbe> batch);
  // Sinks and recovery actions of `state`'s configuration, replacing the
  // previous ones (which finish their work first).
  absl::Status ConfigureActions(const ConfigState& state)
      ABSL_LOCKS_EXCLUDED(alert_mu_);
  AlertView ViewOf(const ConfigState& config, const std::string& service,
                   const std::string& objective, const std::string& severity,
                   AlertState state, absl::Time since,
                   const TierEvaluation& evidence,
                   double budget_remaining) const;

  const BackendOptions options_;
  std::unique_ptr<storage::Store> store_;

  absl::Mutex apply_mu_ ABSL_ACQUIRED_BEFORE(config_mu_);
  mutable absl::Mutex config_mu_;
  std::shared_ptr<const ConfigState> config_ ABSL_GUARDED_BY(config_mu_);
  // Serializes SLI declarations (two batches naming one new probe).
  absl::Mutex declare_mu_;

  mutable absl::Mutex alert_mu_ ABSL_ACQUIRED_AFTER(declare_mu_);
  AlertTracker tracker_;
  // Alerting objective "service/name" -> declared (fingerprinted) id.
  absl::flat_hash_map<std::string, ObjectiveId> alerting_ids_
      ABSL_GUARDED_BY(alert_mu_);
  // The ids evaluated at the last tick (to forget those that leave).
  absl::flat_hash_set<ObjectiveId> tracked_ ABSL_GUARDED_BY(alert_mu_);
  // Applications' alerting objectives: their own tracker, keyed by
  // app_keys_ ("application/objective@fingerprint" -> key); keys of
  // definitions that left are forgotten and reused.
  AlertTracker app_tracker_;
  absl::flat_hash_map<std::string, ObjectiveId> app_keys_
      ABSL_GUARDED_BY(alert_mu_);
  absl::flat_hash_set<ObjectiveId> app_tracked_ ABSL_GUARDED_BY(alert_mu_);
  std::vector<ObjectiveId> free_app_keys_ ABSL_GUARDED_BY(alert_mu_);
  ObjectiveId next_app_key_ ABSL_GUARDED_BY(alert_mu_) = 0;
  // The budget left at each key's latest evaluation, for ActiveAlerts
  // (which cannot take alert_mu_: Subscribe calls it holding it).
  mutable absl::Mutex app_budget_mu_ ABSL_ACQUIRED_AFTER(alert_mu_);
  absl::flat_hash_map<ObjectiveId, double> app_budget_
      ABSL_GUARDED_BY(app_budget_mu_);
  absl::flat_hash_map<int, std::function<void(const AlertView&)>> subscribers_
      ABSL_GUARDED_BY(alert_mu_);
  // Early-warning alerts (ObjectiveRules::exhaustion_warning) now firing,
  // by "service/objective"; written by EvaluateAlerts under alert_mu_.
  mutable absl::Mutex forecast_mu_ ABSL_ACQUIRED_AFTER(alert_mu_);
  absl::flat_hash_map<std::string, AlertView> forecast_alerts_
      ABSL_GUARDED_BY(forecast_mu_);
  // The previous EvaluateAlerts' time, to see the clock step back; and
  // its error, to log a failing evaluation once rather than every tick.
  absl::Time last_alert_at_ ABSL_GUARDED_BY(alert_mu_) = absl::InfinitePast();
  std::string last_alert_error_ ABSL_GUARDED_BY(alert_mu_);
  std::unique_ptr<AuditLog> audit_;  // set by Open
  std::unique_ptr<SinkDispatcher> sinks_ ABSL_GUARDED_BY(alert_mu_);
  std::unique_ptr<Remediator> remediator_ ABSL_GUARDED_BY(alert_mu_);
  std::string remediation_signature_ ABSL_GUARDED_BY(alert_mu_);
  int next_subscription_ ABSL_GUARDED_BY(alert_mu_) = 1;

  absl::Mutex ingest_mu_;
  std::deque<std::function<void()>> ingest_jobs_ ABSL_GUARDED_BY(ingest_mu_);
  bool ingest_stop_ ABSL_GUARDED_BY(ingest_mu_) = false;
  std::thread ingest_thread_;

  mutable absl::Mutex counters_mu_ ABSL_ACQUIRED_AFTER(alert_mu_);
  IngestCounters counters_ ABSL_GUARDED_BY(counters_mu_);

  absl::Mutex loop_mu_;
  bool stopping_ ABSL_GUARDED_BY(loop_mu_) = false;
  bool shut_down_ ABSL_GUARDED_BY(loop_mu_) = false;
  absl::Status shutdown_status_ ABSL_GUARDED_BY(loop_mu_);
  std::thread loop_;
};

}  // namespace sla::server

#endif  // BINDINGS_GRPC_BACKEND_H_
