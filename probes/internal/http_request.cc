#include "probes/internal/http_request.h"

#include <curl/curl.h>
#include <pthread.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "re2/re2.h"

namespace sla {
namespace probes {
namespace internal {
namespace {

// How long one wait for socket activity may last before `cancel` is looked
// at again. curl_easy_perform would wait up to a second between calls of
// the progress callback on an idle connection, so the easy handle is driven
// by a private multi handle in slices of this length instead.
constexpr int kPollSliceMs = 20;

bool CurlGlobalInit() {
  // Once per process; function-local statics are initialized thread-safely.
  static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ok;
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct MultiDeleter {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};

// What the callbacks write into.
struct Transfer {
  HttpResponse* response;
  size_t max_body_bytes;
  const std::atomic<bool>* cancel;
};

// CURLOPT_WRITEFUNCTION: keeps the body up to the cap, then stops the
// transfer (returning less than given makes curl fail with
// CURLE_WRITE_ERROR, which the caller recognizes by body_truncated).
size_t OnBody(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * nmemb;
  std::string& body = t->response->body;
  const size_t room = t->max_body_bytes - body.size();
  if (n > room) {
    body.append(data, room);
    t->response->body_truncated = true;
    return 0;
  }
  body.append(data, n);
  return n;
}

// CURLOPT_HEADERFUNCTION: one header line at a time. A status line starts
// a new response (after a redirect or a 100 Continue), whose headers
// replace the previous ones.
size_t OnHeader(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * nmemb;
  absl::string_view line(data, n);
  if (absl::StartsWith(line, "HTTP/")) {
    t->response->headers.clear();
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == absl::string_view::npos) return n;  // the blank line, ...
  t->response->headers.emplace_back(
      std::string(absl::StripAsciiWhitespace(line.substr(0, colon))),
      std::string(absl::StripAsciiWhitespace(line.substr(colon + 1))));
  return n;
}

// CURLOPT_XFERINFOFUNCTION: non-zero aborts the transfer.
int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* t = static_cast<const Transfer*>(user);
  return t->cancel->load(std::memory_order_relaxed) ? 1 : 0;
}

long CurlMillis(absl::Duration d) {  // NOLINT(runtime/int): curl's type
  const int64_t ms =
      absl::ToInt64Milliseconds(absl::Ceil(d, absl::Milliseconds(1)));
  return static_cast<long>(std::clamp<int64_t>(ms, 1, LONG_MAX));  // NOLINT
}

// curl's message for a failed transfer: the error buffer (more specific)
// when it has something, else the code's description.
std::string CurlMessage(CURLcode rc, const char* errbuf) {
  std::string m = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
  while (!m.empty() &&
         absl::ascii_isspace(static_cast<unsigned char>(m.back()))) {
    m.pop_back();
  }
  return m;
}

HttpExchange Failed(Outcome outcome, std::string reason) {
  HttpExchange ex;
  ex.outcome = outcome;
  ex.reason = std::move(reason);
  return ex;
}

// Sets the method and body. POST always sends its body (possibly empty);
// other methods send one only when it is not empty.
void SetMethod(CURL* c, const HttpRequest& request) {
  const std::string& m = request.method;
  const bool has_body = !request.body.empty() || m == "POST";
  if (m == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    return;
  }
  if (has_body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  } else {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  }
  if (m != "GET" || has_body) {
    if (m != "POST") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m.c_str());
  }
}

}  // namespace

RegexMatch RegexSearch(const re2::RE2& re, absl::string_view text) {
  RegexMatch out;
  const int group = re.NumberOfCapturingGroups() >= 1 ? 1 : 0;
  re2::StringPiece found[2];
  if (!re.Match(re2::StringPiece(text.data(), text.size()), 0, text.size(),
                re2::RE2::UNANCHORED, found, group + 1)) {
    return out;
  }
  out.matched = true;
  out.value.assign(found[group].data(), found[group].size());
  return out;
}

HttpRequest RequestFrom(const HttpProbeConfig& config) {
  HttpRequest r;
  r.method = config.method;
  r.url = config.url;
  r.headers = config.headers;
  r.body = config.body;
  r.tls_verify = config.tls_verify;
  r.ca_file = config.ca_file;
  r.follow_redirects = config.follow_redirects;
  return r;
}

std::optional<std::string> HttpResponse::Header(absl::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (absl::EqualsIgnoreCase(k, name)) return v;
  }
  return std::nullopt;
}

HttpExchange SendHttpRequest(const HttpRequest& request, absl::Duration timeout,
                             const std::atomic<bool>& cancel) {
  if (cancel.load()) return Failed(Outcome::kError, "cancelled");
  if (!CurlGlobalInit()) {
    return Failed(Outcome::kError, "curl_global_init failed");
  }
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  std::unique_ptr<CURLM, MultiDeleter> multi(curl_multi_init());
  if (curl == nullptr || multi == nullptr) {
    return Failed(Outcome::kError, "curl_easy_init failed");
  }
  curl_slist* list = nullptr;
  // "Expect:" turns off 100-continue, which would add a round trip.
  list = curl_slist_append(list, "Expect:");
  for (const std::string& h : request.headers) {
    list = curl_slist_append(list, h.c_str());
  }
  std::unique_ptr<curl_slist, SlistDeleter> header_list(list);

  HttpExchange ex;
  Transfer transfer{&ex.response, request.max_body_bytes, &cancel};
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM across threads
#if LIBCURL_VERSION_NUM >= 0x075700           // 7.87.0
  // Do not wait for a stuck name lookup (the threaded resolver) when the
  // handle is removed: a slow DNS answer must not outlast the timeout or a
  // cancel. The resolver thread is left to finish on its own.
  curl_easy_setopt(c, CURLOPT_QUICK_EXIT, 1L);
#endif
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, CurlMillis(timeout));
  curl_easy_setopt(c, CURLOPT_USERAGENT, "slakit-probe");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
  SetMethod(c, request);
  if (request.follow_redirects) {
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  } else {
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  }
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, request.tls_verify ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, request.tls_verify ? 2L : 0L);
  if (!request.ca_file.empty()) {
    curl_easy_setopt(c, CURLOPT_CAINFO, request.ca_file.c_str());
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &OnProgress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &transfer);

  if (curl_multi_add_handle(multi.get(), c) != CURLM_OK) {
    return Failed(Outcome::kError, "curl_multi_add_handle failed");
  }
  CURLcode rc = CURLE_OK;
  bool finished = false;
  bool cancelled = false;
  while (!finished) {
    int running = 0;
    const CURLMcode mc = curl_multi_perform(multi.get(), &running);
    if (mc != CURLM_OK) {
      curl_multi_remove_handle(multi.get(), c);
      return Failed(Outcome::kError, curl_multi_strerror(mc));
    }
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi.get(), &queued)) {
      if (msg->msg == CURLMSG_DONE && msg->easy_handle == c) {
        rc = msg->data.result;
        finished = true;
      }
    }
    if (finished) break;
    if (cancel.load()) {
      cancelled = true;
      break;
    }
    if (curl_multi_poll(multi.get(), nullptr, 0, kPollSliceMs, nullptr) !=
        CURLM_OK) {
      curl_multi_remove_handle(multi.get(), c);
      return Failed(Outcome::kError, "curl_multi_poll failed");
    }
  }
  curl_multi_remove_handle(multi.get(), c);
  if (cancelled || rc == CURLE_ABORTED_BY_CALLBACK) {
    return Failed(Outcome::kError, "cancelled");
  }

  long code = 0;  // NOLINT(runtime/int): curl's type
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  ex.response.status = static_cast<int>(code);
  if (rc == CURLE_OK ||
      (rc == CURLE_WRITE_ERROR && ex.response.body_truncated)) {
    ex.outcome = Outcome::kOk;
    return ex;
  }
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return Failed(Outcome::kTimeout, TimeoutReason(timeout));
    case CURLE_COULDNT_CONNECT: {
      long os_errno = 0;  // NOLINT(runtime/int): curl's type
      curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
      if (os_errno == ECONNREFUSED) {
        return Failed(Outcome::kFail, "connection refused");
      }
      return Failed(Outcome::kFail, CurlMessage(rc, errbuf));
    }
    // The server was reached but answered wrongly or hung up.
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_TOO_MANY_REDIRECTS:
    case CURLE_BAD_CONTENT_ENCODING:
      return Failed(Outcome::kFail, CurlMessage(rc, errbuf));
    // DNS, TLS, bad URL, unsupported scheme, unreadable CA file, ...: the
    // check could not be made.
    default:
      return Failed(Outcome::kError, CurlMessage(rc, errbuf));
  }
}

absl::Status ValidateUrl(absl::string_view url) {
  const std::string lower = absl::AsciiStrToLower(url.substr(0, 8));
  if (!absl::StartsWith(lower, "http://") &&
      !absl::StartsWith(lower, "https://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("url '", url, "' is not http:// or https://"));
  }
  if (!CurlGlobalInit()) return absl::InternalError("curl_global_init failed");
  std::unique_ptr<CURLU, UrlDeleter> parsed(curl_url());
  if (parsed == nullptr) return absl::InternalError("curl_url failed");
  const std::string copy(url);
  const CURLUcode rc = curl_url_set(parsed.get(), CURLUPART_URL, copy.c_str(),
                                    CURLU_NON_SUPPORT_SCHEME);
  if (rc != CURLUE_OK) {
    return absl::InvalidArgumentError(
        absl::StrCat("url '", url, "': ", curl_url_strerror(rc)));
  }
  return absl::OkStatus();
}

absl::Status ValidateMethod(absl::string_view method) {
  if (method.empty() || !std::all_of(method.begin(), method.end(), [](char ch) {
        return absl::ascii_isalpha(static_cast<unsigned char>(ch));
      })) {
    return absl::InvalidArgumentError(
        absl::StrCat("method '", method, "' is not a word like GET or POST"));
  }
  return absl::OkStatus();
}

absl::Status ValidateHeader(absl::string_view header) {
  const size_t colon = header.find(':');
  if (colon == absl::string_view::npos ||
      absl::StripAsciiWhitespace(header.substr(0, colon)).empty() ||
      header.find_first_of("\r\n") != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("header '", header, "' is not \"Name: value\""));
  }
  return absl::OkStatus();
}

absl::Status ValidateTimeout(absl::Duration timeout) {
  if (timeout <= absl::ZeroDuration() || timeout == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("timeout ", absl::FormatDuration(timeout),
                     " is not positive and finite"));
  }
  return absl::OkStatus();
}

absl::Status ValidateLatencyThreshold(absl::Duration threshold) {
  if (threshold <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("latency threshold ", absl::FormatDuration(threshold),
                     " is not positive"));
  }
  return absl::OkStatus();
}

absl::Status ValidateRequestConfig(const HttpProbeConfig& config,
                                   bool check_url) {
  if (check_url) {
    if (absl::Status s = ValidateUrl(config.url); !s.ok()) return s;
  }
  if (absl::Status s = ValidateMethod(config.method); !s.ok()) return s;
  for (const std::string& h : config.headers) {
    if (absl::Status s = ValidateHeader(h); !s.ok()) return s;
  }
  return ValidateLatencyThreshold(config.latency_threshold);
}

absl::StatusOr<std::shared_ptr<const re2::RE2>> CompileRegex(
    const std::string& pattern, absl::string_view what) {
  re2::RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_shared<const re2::RE2>(pattern, options);
  if (!re->ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " /", pattern, "/ is not a valid regex: ", re->error()));
  }
  return re;
}

absl::StatusOr<ResponseCheck> ResponseCheck::Make(
    const HttpProbeConfig& config) {
  ResponseCheck check;
  for (int s : config.expect_status) {
    if (s < 100 || s > 599) {
      return absl::InvalidArgumentError(
          absl::StrCat("expected status ", s, " is not in 100..599"));
    }
  }
  check.expect_status_ = config.expect_status;
  check.expect_body_ = config.expect_body;
  if (!config.expect_body_regex.empty()) {
    absl::StatusOr<std::shared_ptr<const re2::RE2>> re =
        CompileRegex(config.expect_body_regex, "body regex");
    if (!re.ok()) return re.status();
    check.regex_text_ = config.expect_body_regex;
    check.regex_ = *std::move(re);
  }
  return check;
}

std::string ResponseCheck::Mismatch(const HttpResponse& response) const {
  const int s = response.status;
  if (expect_status_.empty()) {
    if (s < 200 || s > 299)
      return absl::StrCat("status ", s, " (expected 2xx)");
  } else if (std::find(expect_status_.begin(), expect_status_.end(), s) ==
             expect_status_.end()) {
    return absl::StrCat("status ", s, " (expected ",
                        absl::StrJoin(expect_status_, " or "), ")");
  }
  if (!expect_body_.empty() &&
      response.body.find(expect_body_) == std::string::npos) {
    return absl::StrCat("body lacks \"", expect_body_, "\"");
  }
  if (regex_ != nullptr && !RegexSearch(*regex_, response.body).matched) {
    return absl::StrCat("body does not match /", regex_text_, "/");
  }
  return "";
}

absl::Status WithPrefix(absl::string_view prefix, const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat(prefix, ": ", status.message()));
}

std::string TimeoutReason(absl::Duration timeout) {
  return absl::StrCat("timed out after ", absl::FormatDuration(timeout));
}

std::string SlowReason(absl::Duration latency, absl::Duration threshold) {
  return absl::StrCat(
      "slow: ",
      absl::ToInt64Milliseconds(absl::Ceil(latency, absl::Milliseconds(1))),
      " ms > ", absl::ToInt64Milliseconds(threshold), " ms");
}

}  // namespace internal
}  // namespace probes
}  // namespace sla
