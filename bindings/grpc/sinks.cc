#include "bindings/grpc/sinks.h"

#include <curl/curl.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "bindings/grpc/backend.h"
#include "bindings/grpc/command_runner.h"
#include "sla/internal/json_writer.h"
#include "sla/window.h"

namespace sla::server {
namespace {

// Failures kept for RecentErrors().
constexpr size_t kRecentErrors = 20;
// Bytes of a webhook's answer kept for an error message.
constexpr size_t kBodyInError = 200;

// The first non-blank line of `text`, trimmed, at most kBodyInError bytes.
std::string FirstLine(absl::string_view text) {
  text = absl::StripLeadingAsciiWhitespace(text);
  text = text.substr(0, text.find('\n'));
  text = absl::StripTrailingAsciiWhitespace(text);
  return std::string(text.substr(0, kBodyInError));
}

// "scheme://host[:port]" of a URL: no user info, path or query, which may
// carry secrets.
std::string RedactedUrl(absl::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == absl::string_view::npos) return "(invalid URL)";
  absl::string_view rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  const size_t at = rest.rfind('@');
  if (at != absl::string_view::npos) rest = rest.substr(at + 1);
  return absl::StrCat(absl::AsciiStrToLower(url.substr(0, scheme_end)), "://",
                      rest);
}

bool CurlGlobalInit() {
  // Once per process; function-local statics are initialized thread-safely.
  static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ok;
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// CURLOPT_WRITEFUNCTION: keeps the start of the answer's body.
size_t KeepBodyStart(char* data, size_t size, size_t nmemb, void* user) {
  auto* body = static_cast<std::string*>(user);
  const size_t n = size * nmemb;
  if (body->size() < kBodyInError) {
    body->append(data, std::min(n, kBodyInError - body->size()));
  }
  return n;
}

long CurlMillis(absl::Duration d) {  // NOLINT(runtime/int): curl's type
  const int64_t ms =
      absl::ToInt64Milliseconds(absl::Ceil(d, absl::Milliseconds(1)));
  return static_cast<long>(std::clamp<int64_t>(ms, 1, LONG_MAX));  // NOLINT
}

}  // namespace

std::string AlertJson(const AlertView& alert) {
  internal::JsonWriter w;
  w.BeginObject();
  w.Key("tenant");
  w.String(alert.tenant);
  w.Key("service");
  w.String(alert.service);
  w.Key("objective");
  w.String(alert.objective);
  w.Key("severity");
  w.String(alert.severity);
  w.Key("state");
  w.String(AlertStateName(alert.state));
  w.Key("from");
  w.String(AlertStateName(alert.from));
  w.Key("at");
  w.String(TimeToString(alert.since));
  w.Key("long_window");
  w.String(DurationToString(alert.evidence.tier.long_window));
  w.Key("short_window");
  w.String(DurationToString(alert.evidence.tier.short_window));
  w.Key("factor");
  w.Number(alert.evidence.tier.factor);
  w.Key("long_rate");
  w.Number(alert.evidence.long_rate);
  w.Key("short_rate");
  w.Number(alert.evidence.short_rate);
  w.Key("budget_remaining");
  w.Number(alert.budget_remaining);
  w.Key("top_component");
  if (alert.evidence.top_component.empty()) {
    w.Null();
  } else {
    w.String(alert.evidence.top_component);
  }
  w.Key("top_component_minutes");
  w.Int(alert.evidence.top_component_minutes);
  w.EndObject();
  return w.str();
}

// ---------------------------------------------------------------- callback

CallbackSink::CallbackSink(std::string name,
                           std::function<absl::Status(const AlertView&)> fn)
    : name_(std::move(name)), fn_(std::move(fn)) {}

absl::Status CallbackSink::Deliver(const AlertView& alert) {
  absl::Status s = fn_ ? fn_(alert) : absl::OkStatus();
  if (s.ok()) return s;
  return absl::Status(s.code(), absl::StrCat(name_, ": ", s.message()));
}

// ----------------------------------------------------------------- command

CommandSink::CommandSink(std::vector<std::string> argv, absl::Duration timeout)
    : argv_(std::move(argv)), timeout_(timeout) {}

std::string CommandSink::name() const {
  return absl::StrCat("command ", argv_.empty() ? "(none)" : argv_[0]);
}

absl::Status CommandSink::Deliver(const AlertView& alert) {
  const std::vector<std::string> env = {
      absl::StrCat("SLAKIT_ALERT_TENANT=", alert.tenant),
      absl::StrCat("SLAKIT_ALERT_SERVICE=", alert.service),
      absl::StrCat("SLAKIT_ALERT_OBJECTIVE=", alert.objective),
      absl::StrCat("SLAKIT_ALERT_SEVERITY=", alert.severity),
      absl::StrCat("SLAKIT_ALERT_STATE=", AlertStateName(alert.state)),
  };
  absl::StatusOr<CommandResult> result =
      RunCommand(argv_, AlertJson(alert), timeout_, env);
  absl::Status s = result.ok() ? CommandStatus(*result) : result.status();
  if (s.ok()) return s;
  return absl::Status(s.code(), absl::StrCat(name(), ": ", s.message()));
}

// ----------------------------------------------------------------- webhook

WebhookSink::WebhookSink(std::string url, absl::Duration timeout,
                         std::vector<std::string> headers)
    : url_(std::move(url)), timeout_(timeout), headers_(std::move(headers)) {}

std::string WebhookSink::name() const {
  return absl::StrCat("webhook ", RedactedUrl(url_));
}

absl::Status WebhookSink::Deliver(const AlertView& alert) {
  const auto error = [this](absl::StatusCode code, absl::string_view what) {
    return absl::Status(code, absl::StrCat(name(), ": ", what));
  };
  if (!absl::StartsWithIgnoreCase(url_, "http://") &&
      !absl::StartsWithIgnoreCase(url_, "https://")) {
    return error(absl::StatusCode::kInvalidArgument,
                 "URL scheme is not http or https");
  }
  if (timeout_ <= absl::ZeroDuration()) {
    return error(absl::StatusCode::kInvalidArgument, "timeout is not positive");
  }
  if (!CurlGlobalInit()) {
    return error(absl::StatusCode::kInternal, "curl_global_init failed");
  }
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (curl == nullptr) {
    return error(absl::StatusCode::kInternal, "curl_easy_init failed");
  }
  curl_slist* list = nullptr;
  // "Expect:" turns off 100-continue, which would add a round trip.
  for (const char* h : {"Content-Type: application/json", "Expect:"}) {
    list = curl_slist_append(list, h);
  }
  for (const std::string& h : headers_) {
    list = curl_slist_append(list, h.c_str());
  }
  std::unique_ptr<curl_slist, SlistDeleter> header_list(list);

  const std::string body = AlertJson(alert);
  std::string answer;
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM across threads
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, CurlMillis(timeout_));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, CurlMillis(timeout_));
  curl_easy_setopt(c, CURLOPT_USERAGENT, "slakit");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &KeepBodyStart);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);

  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    std::string what = curl_easy_strerror(rc);
    if (errbuf[0] != '\0') absl::StrAppend(&what, " (", FirstLine(errbuf), ")");
    return error(rc == CURLE_OPERATION_TIMEDOUT
                     ? absl::StatusCode::kDeadlineExceeded
                     : absl::StatusCode::kUnavailable,
                 what);
  }
  long code = 0;  // NOLINT(runtime/int): curl's type
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  if (code >= 200 && code < 300) return absl::OkStatus();
  std::string what = absl::StrCat("HTTP ", code);
  const std::string line = FirstLine(answer);
  if (!line.empty()) absl::StrAppend(&what, ": ", line);
  return error(code >= 500 || code == 429
                   ? absl::StatusCode::kUnavailable
                   : absl::StatusCode::kFailedPrecondition,
               what);
}

// -------------------------------------------------------------- dispatcher

SinkDispatcher::SinkDispatcher(std::vector<std::unique_ptr<AlertSink>> sinks,
                               size_t max_queue, absl::Duration retry_delay)
    : sinks_(std::move(sinks)),
      max_queue_(std::max<size_t>(max_queue, 1)),
      retry_delay_(retry_delay) {
  absl::MutexLock lock(&join_mu_);
  worker_ = std::thread([this] { Run(); });
}

SinkDispatcher::~SinkDispatcher() { Stop(); }

void SinkDispatcher::Publish(const AlertView& alert) {
  absl::MutexLock lock(&mu_);
  if (stopping_) {
    ++stats_.dropped;
    return;
  }
  if (queue_.size() >= max_queue_) {
    queue_.pop_front();
    ++stats_.dropped;
  }
  queue_.push_back(alert);
}

SinkDispatcher::Stats SinkDispatcher::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

std::vector<std::string> SinkDispatcher::RecentErrors() const {
  absl::MutexLock lock(&mu_);
  return std::vector<std::string>(errors_.begin(), errors_.end());
}

void SinkDispatcher::Stop(absl::Duration deadline) {
  absl::MutexLock join(&join_mu_);
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_) {
      stopping_ = true;
      stop_deadline_ = absl::Now() + deadline;
    }
  }
  if (worker_.joinable()) worker_.join();
}

bool SinkDispatcher::HasWorkOrStopping() const {
  return !queue_.empty() || stopping_;
}

bool SinkDispatcher::PastStopDeadline() const {
  return stopping_ && absl::Now() >= stop_deadline_;
}

void SinkDispatcher::Run() {
  while (true) {
    std::list<AlertView> next;  // one alert, spliced out of the queue
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &SinkDispatcher::HasWorkOrStopping));
      if (queue_.empty()) return;  // stopping, and drained
      if (PastStopDeadline()) {
        stats_.dropped += static_cast<int64_t>(queue_.size());
        queue_.clear();
        return;
      }
      next.splice(next.begin(), queue_, queue_.begin());
    }
    const AlertView& alert = next.front();
    for (const std::unique_ptr<AlertSink>& sink : sinks_) {
      const absl::Status s = DeliverWithRetry(*sink, alert);
      absl::MutexLock lock(&mu_);
      if (s.ok()) {
        ++stats_.delivered;
      } else {
        ++stats_.failed;
        RecordError(*sink, alert, s);
      }
    }
  }
}

absl::Status SinkDispatcher::DeliverWithRetry(AlertSink& sink,
                                              const AlertView& alert) {
  absl::Status first = sink.Deliver(alert);
  if (first.ok()) return first;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time until = absl::Now() + retry_delay_;
    while (true) {
      const absl::Time limit =
          stopping_ ? std::min(until, stop_deadline_) : until;
      if (absl::Now() >= limit) break;
      // Wakes early when Stop() sets a deadline, to honour it.
      const bool was_stopping = stopping_;
      const auto stop_changed = [this, was_stopping]()
                                    ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
                                      return stopping_ != was_stopping;
                                    };
      mu_.AwaitWithDeadline(absl::Condition(&stop_changed), limit);
    }
    if (PastStopDeadline()) return first;  // no retry after the deadline
  }
  return sink.Deliver(alert);
}

void SinkDispatcher::RecordError(const AlertSink& sink, const AlertView& alert,
                                 const absl::Status& status) {
  // The sinks' messages start with their name already; others may not.
  std::string message(status.message());
  const std::string prefix = absl::StrCat(sink.name(), ": ");
  if (absl::StartsWith(message, prefix)) message.erase(0, prefix.size());
  errors_.push_back(
      absl::StrCat(sink.name(), ": ", alert.service, "/", alert.objective, " ",
                   alert.severity, " ", AlertStateName(alert.state), ": ",
                   absl::StatusCodeToString(status.code()), ": ", message));
  while (errors_.size() > kRecentErrors) errors_.pop_front();
}

}  // namespace sla::server
