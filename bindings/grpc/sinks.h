// bindings/grpc/sinks.h: where alert transitions go besides the gRPC
// WatchAlerts stream (which Backend::Subscribe feeds): an in-process
// callback, a command (the alert as JSON on its stdin) and a webhook (the
// alert as JSON, POSTed). A SinkDispatcher decouples them from the alert
// loop: Publish only enqueues; a worker thread delivers.
//
//   std::vector<std::unique_ptr<sla::server::AlertSink>> sinks;
//   sinks.push_back(std::make_unique<sla::server::WebhookSink>(
//       "https://hooks.example.com/slakit", absl::Seconds(5),
//       std::vector<std::string>{"Authorization: Bearer s3cret"}));
//   sinks.push_back(std::make_unique<sla::server::CommandSink>(
//       std::vector<std::string>{"/usr/local/bin/page-oncall"},
//       absl::Seconds(10)));
//   sla::server::SinkDispatcher dispatcher(std::move(sinks));
//   int sub = backend->Subscribe(
//       [&](const sla::server::AlertView& a) { dispatcher.Publish(a); },
//       principal, &current);
//   ...
//   backend->Unsubscribe(sub);
//   dispatcher.Stop();  // delivers what is queued, within a deadline
//
// The alert's JSON (AlertJson), one object on one line, keys in this order:
//   {"tenant":"acme","service":"web","objective":"availability",
//    "severity":"page","state":"firing","from":"pending",
//    "at":"2024-01-31T12:00:00Z","long_window":"1h","short_window":"5m",
//    "factor":14.4,"long_rate":20,"short_rate":18.5,"budget_remaining":0.93,
//    "top_component":null,"top_component_minutes":0}
// `at` is AlertView::since (for a transition, its time) in RFC 3339 UTC;
// `service` is the application for an application's objective, whose
// top_component names the component that caused the most down minutes of
// its long window (null for a service's objective);
// windows as sla::DurationToString writes them; numbers in their shortest
// round-trip form, null when not finite.
//
// Errors are absl::Status; each names the sink (AlertSink::name()). Secrets
// stay out of them: a webhook is named by scheme://host:port only (a
// Slack-style URL carries its token in the path), and its headers are never
// shown.

#ifndef BINDINGS_GRPC_SINKS_H_
#define BINDINGS_GRPC_SINKS_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sla::server {

struct AlertView;  // bindings/grpc/backend.h

// The alert as one JSON object (see above).
std::string AlertJson(const AlertView& alert);

// A destination for alert transitions. Implementations may block in
// Deliver (bounded by their own timeout); SinkDispatcher calls them from
// its worker thread, one call at a time. Implementations here are
// thread-safe and immutable after construction.
class AlertSink {
 public:
  virtual ~AlertSink() = default;
  // Delivers one alert: OK once the destination has accepted it; an error
  // (naming the sink) otherwise.
  virtual absl::Status Deliver(const AlertView& alert) = 0;
  // A short name for messages and logs, e.g. "webhook
  // https://hooks.example.com".
  virtual std::string name() const = 0;
};

// Calls a function in-process. The function must be thread-safe if the
// sink is used from several threads.
class CallbackSink final : public AlertSink {
 public:
  CallbackSink(std::string name,
               std::function<absl::Status(const AlertView&)> fn);
  absl::Status Deliver(const AlertView& alert) override;
  std::string name() const override { return name_; }

 private:
  const std::string name_;
  const std::function<absl::Status(const AlertView&)> fn_;
};

// Runs `argv` (RunCommand: no shell, own process group) with AlertJson on
// its stdin, and SLAKIT_ALERT_TENANT, _SERVICE, _OBJECTIVE, _SEVERITY and
// _STATE in its environment. OK when it exits 0 within `timeout`; otherwise
// CommandStatus's error (DeadlineExceeded, Internal "exit 3: ...") or
// RunCommand's (NotFound for a missing program), prefixed with name():
// "command /usr/local/bin/page-oncall".
class CommandSink final : public AlertSink {
 public:
  CommandSink(std::vector<std::string> argv, absl::Duration timeout);
  absl::Status Deliver(const AlertView& alert) override;
  std::string name() const override;

 private:
  const std::vector<std::string> argv_;
  const absl::Duration timeout_;
};

// POSTs AlertJson to `url` (http:// or https:// only; redirects are not
// followed) with Content-Type: application/json and `headers` ("Name:
// value" lines), through libcurl, within `timeout` (connection included).
// OK on a 2xx answer. Errors, prefixed with name() ("webhook
// http://127.0.0.1:8080"): InvalidArgument for another scheme;
// DeadlineExceeded on timeout; Unavailable naming curl's error for a
// connection failure ("Couldn't connect to server"), and "HTTP 503" for a
// 5xx or 429 answer; FailedPrecondition "HTTP 404" for another non-2xx
// answer. The start of the answer's body follows the status code.
class WebhookSink final : public AlertSink {
 public:
  WebhookSink(std::string url, absl::Duration timeout,
              std::vector<std::string> headers = {});
  absl::Status Deliver(const AlertView& alert) override;
  std::string name() const override;

 private:
  const std::string url_;
  const absl::Duration timeout_;
  const std::vector<std::string> headers_;
};

// Delivers published alerts to every sink, in publication order, from one
// worker thread: each alert to each sink in the order given. A failed
// delivery is retried once after `retry_delay`; a second failure is
// counted and kept in RecentErrors(). When `max_queue` alerts are waiting,
// Publish drops the oldest (and counts it), so a slow sink never blocks
// the alert loop and memory stays bounded.
//
// Thread-safe: Publish, stats, RecentErrors and Stop may be called from
// any thread, but not from a sink's Deliver (Stop would wait for itself).
// Owns the sinks and a thread: not copyable or movable.
class SinkDispatcher {
 public:
  struct Stats {
    int64_t delivered = 0;  // (alert, sink) deliveries that succeeded
    int64_t failed = 0;     // (alert, sink) deliveries failed after retry
    int64_t dropped = 0;    // alerts dropped undelivered (queue overflow,
                            // published after Stop, or past its deadline)
  };

  // `max_queue` 0 is taken as 1.
  explicit SinkDispatcher(std::vector<std::unique_ptr<AlertSink>> sinks,
                          size_t max_queue = 1000,
                          absl::Duration retry_delay = absl::Seconds(1));
  ~SinkDispatcher();  // Stop()
  SinkDispatcher(const SinkDispatcher&) = delete;
  SinkDispatcher& operator=(const SinkDispatcher&) = delete;

  // Enqueues a copy of `alert` and returns at once. After Stop: dropped.
  void Publish(const AlertView& alert);

  Stats stats() const;
  // The last 20 delivery failures, oldest first, each
  // "<sink name>: <service>/<objective> <severity> <state>: <status>".
  std::vector<std::string> RecentErrors() const;

  // Stops accepting alerts and delivers those queued until the queue is
  // empty or `deadline` has passed; then drops the rest (counted) and joins
  // the worker. A delivery in progress is not interrupted (each sink
  // bounds its own time), and no retry starts after the deadline.
  // Idempotent; later calls return at once.
  void Stop(absl::Duration deadline = absl::Seconds(5));

 private:
  void Run();
  absl::Status DeliverWithRetry(AlertSink& sink, const AlertView& alert);
  void RecordError(const AlertSink& sink, const AlertView& alert,
                   const absl::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool HasWorkOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool PastStopDeadline() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::vector<std::unique_ptr<AlertSink>> sinks_;
  const size_t max_queue_;
  const absl::Duration retry_delay_;

  mutable absl::Mutex mu_;
  // std::list: AlertView is incomplete here (deque needs a complete type).
  std::list<AlertView> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time stop_deadline_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  Stats stats_ ABSL_GUARDED_BY(mu_);
  std::deque<std::string> errors_ ABSL_GUARDED_BY(mu_);

  absl::Mutex join_mu_ ABSL_ACQUIRED_BEFORE(mu_);  // serializes Stop()
  std::thread worker_ ABSL_GUARDED_BY(join_mu_);
};

}  // namespace sla::server

#endif  // BINDINGS_GRPC_SINKS_H_
