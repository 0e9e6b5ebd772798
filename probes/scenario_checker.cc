#include "probes/scenario_checker.h"

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "probes/internal/http_request.h"

namespace sla {
namespace probes {
namespace {

using Vars = absl::flat_hash_map<std::string, std::string>;

bool IsIdentifier(absl::string_view s) {
  if (s.empty()) return false;
  const auto alpha = [](char c) {
    return absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_';
  };
  if (!alpha(s[0])) return false;
  for (char c : s) {
    if (!alpha(c) && !absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

// Text with ${name} placeholders, split once at Make time.
class Template {
 public:
  static absl::StatusOr<Template> Parse(absl::string_view text) {
    Template t;
    size_t pos = 0;
    while (pos < text.size()) {
      const size_t open = text.find("${", pos);
      if (open == absl::string_view::npos) {
        t.parts_.push_back({std::string(text.substr(pos)), false});
        break;
      }
      if (open > pos) {
        t.parts_.push_back({std::string(text.substr(pos, open - pos)), false});
      }
      const size_t close = text.find('}', open + 2);
      if (close == absl::string_view::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat("'${' without '}' in '", text, "'"));
      }
      const absl::string_view name = text.substr(open + 2, close - open - 2);
      if (!IsIdentifier(name)) {
        return absl::InvalidArgumentError(
            absl::StrCat("'${", name, "}' in '", text,
                         "' does not name a capture "
                         "([A-Za-z_][A-Za-z0-9_]*)"));
      }
      t.parts_.push_back({std::string(name), true});
      pos = close + 1;
    }
    return t;
  }

  bool has_vars() const {
    for (const Part& p : parts_) {
      if (p.is_var) return true;
    }
    return false;
  }
  bool starts_with_var() const { return !parts_.empty() && parts_[0].is_var; }

  // The first placeholder not in `defined`, or "".
  std::string FirstUndefined(
      const absl::flat_hash_set<std::string>& defined) const {
    for (const Part& p : parts_) {
      if (p.is_var && !defined.contains(p.text)) return p.text;
    }
    return "";
  }

  std::string Expand(const Vars& vars) const {
    std::string out;
    for (const Part& p : parts_) {
      if (!p.is_var) {
        out += p.text;
      } else if (auto it = vars.find(p.text); it != vars.end()) {
        out += it->second;
      }
    }
    return out;
  }

 private:
  struct Part {
    std::string text;  // literal text, or the placeholder's name
    bool is_var;
  };
  std::vector<Part> parts_;
};

struct Capture {
  std::string name;
  std::string header;  // "" for the body
  std::string regex_text;
  std::shared_ptr<const re2::RE2> regex;  // non-null
};

struct Step {
  std::string name;
  internal::HttpRequest request;  // url, headers and body unexpanded
  Template url;
  std::vector<Template> headers;
  Template body;
  internal::ResponseCheck check;
  absl::Duration latency_threshold;
  std::vector<Capture> captures;
};

// Runs one capture on `response`; stores the value or returns the reason
// it found nothing.
std::string RunCapture(const Capture& c, const internal::HttpResponse& response,
                       Vars* vars) {
  std::string header_value;
  const std::string* source = &response.body;
  if (!c.header.empty()) {
    std::optional<std::string> v = response.Header(c.header);
    if (!v.has_value()) {
      return absl::StrCat("capture '", c.name, "': no header '", c.header, "'");
    }
    header_value = *std::move(v);
    source = &header_value;
  }
  const internal::RegexMatch m = internal::RegexSearch(*c.regex, *source);
  const std::string where = c.header.empty()
                                ? std::string("body")
                                : absl::StrCat("header '", c.header, "'");
  if (!m.matched) {
    return absl::StrCat("capture '", c.name, "': ", where, " does not match /",
                        c.regex_text, "/");
  }
  (*vars)[c.name] = m.value;
  return "";
}

class ScenarioChecker final : public Checker {
 public:
  ScenarioChecker(std::vector<Step> steps, absl::Duration latency_threshold,
                  absl::Duration timeout)
      : steps_(std::move(steps)),
        latency_threshold_(latency_threshold),
        timeout_(timeout) {}

  CheckResult Check(const std::atomic<bool>& cancel) override {
    const internal::Stopwatch watch;
    CheckResult r = RunSteps(watch, cancel);
    r.latency = watch.Elapsed();
    if (r.outcome == Outcome::kOk && r.latency > latency_threshold_) {
      r.outcome = Outcome::kFail;
      r.reason = internal::SlowReason(r.latency, latency_threshold_);
    }
    return r;
  }

 private:
  CheckResult RunSteps(const internal::Stopwatch& watch,
                       const std::atomic<bool>& cancel) const {
    Vars vars;
    for (const Step& step : steps_) {
      const auto failed = [&step](Outcome o, absl::string_view why) {
        CheckResult r;
        r.outcome = o;
        r.reason = why == "cancelled"
                       ? std::string(why)
                       : absl::StrCat("step '", step.name, "': ", why);
        return r;
      };
      if (cancel.load()) return failed(Outcome::kError, "cancelled");
      const absl::Duration left = timeout_ - watch.Elapsed();
      if (left <= absl::ZeroDuration()) {
        return failed(Outcome::kTimeout, internal::TimeoutReason(timeout_));
      }

      internal::HttpRequest request = step.request;
      request.url = step.url.Expand(vars);
      if (step.url.has_vars()) {
        if (absl::Status s = internal::ValidateUrl(request.url); !s.ok()) {
          return failed(Outcome::kError, s.message());
        }
      }
      request.headers.clear();
      for (size_t i = 0; i < step.headers.size(); ++i) {
        request.headers.push_back(step.headers[i].Expand(vars));
        if (request.headers.back().find_first_of("\r\n") != std::string::npos) {
          return failed(Outcome::kError,
                        absl::StrCat("header ", i + 1,
                                     " has a line break after substitution"));
        }
      }
      request.body = step.body.Expand(vars);

      const internal::Stopwatch step_watch;
      internal::HttpExchange ex =
          internal::SendHttpRequest(request, left, cancel);
      const absl::Duration step_latency = step_watch.Elapsed();
      if (ex.outcome == Outcome::kTimeout) {
        return failed(Outcome::kTimeout, internal::TimeoutReason(timeout_));
      }
      if (ex.outcome != Outcome::kOk) return failed(ex.outcome, ex.reason);
      if (std::string why = step.check.Mismatch(ex.response); !why.empty()) {
        return failed(Outcome::kFail, why);
      }
      if (step_latency > step.latency_threshold) {
        return failed(
            Outcome::kFail,
            internal::SlowReason(step_latency, step.latency_threshold));
      }
      for (const Capture& c : step.captures) {
        if (std::string why = RunCapture(c, ex.response, &vars); !why.empty()) {
          return failed(Outcome::kFail, why);
        }
      }
    }
    CheckResult ok;
    ok.outcome = Outcome::kOk;
    return ok;
  }

  const std::vector<Step> steps_;
  const absl::Duration latency_threshold_;
  const absl::Duration timeout_;
};

// Compiles one step; `defined` holds the names captured by earlier steps.
absl::StatusOr<Step> MakeStep(const ScenarioStep& config,
                              const absl::flat_hash_set<std::string>& defined) {
  const HttpProbeConfig& http = config.request;
  Step step;
  step.name = config.name;
  step.request = internal::RequestFrom(http);
  step.latency_threshold = http.latency_threshold;

  absl::StatusOr<Template> url = Template::Parse(http.url);
  if (!url.ok()) return url.status();
  step.url = *std::move(url);
  if (!step.url.has_vars()) {
    if (absl::Status s = internal::ValidateUrl(http.url); !s.ok()) return s;
  } else if (!step.url.starts_with_var()) {
    // Only the scheme can be checked before expansion.
    const std::string lower = absl::AsciiStrToLower(http.url.substr(0, 8));
    if (lower.rfind("http://", 0) != 0 && lower.rfind("https://", 0) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("url '", http.url, "' is not http:// or https://"));
    }
  }
  if (absl::Status s = internal::ValidateRequestConfig(http, false); !s.ok()) {
    return s;
  }
  for (const std::string& h : http.headers) {
    absl::StatusOr<Template> t = Template::Parse(h);
    if (!t.ok()) return t.status();
    step.headers.push_back(*std::move(t));
  }
  absl::StatusOr<Template> body = Template::Parse(http.body);
  if (!body.ok()) return body.status();
  step.body = *std::move(body);

  std::vector<const Template*> all = {&step.url, &step.body};
  for (const Template& h : step.headers) all.push_back(&h);
  for (const Template* t : all) {
    if (std::string name = t->FirstUndefined(defined); !name.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("${", name, "} is not captured by an earlier step"));
    }
  }

  absl::StatusOr<internal::ResponseCheck> check =
      internal::ResponseCheck::Make(http);
  if (!check.ok()) return check.status();
  step.check = *std::move(check);

  absl::flat_hash_set<std::string> names;
  for (const ScenarioCapture& c : config.captures) {
    if (!IsIdentifier(c.name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("capture name '", c.name,
                       "' is not an identifier ([A-Za-z_][A-Za-z0-9_]*)"));
    }
    if (!names.insert(c.name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("capture '", c.name, "' appears twice"));
    }
    if (c.regex.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("capture '", c.name, "' has no regex"));
    }
    absl::StatusOr<std::shared_ptr<const re2::RE2>> re = internal::CompileRegex(
        c.regex, absl::StrCat("capture '", c.name, "':"));
    if (!re.ok()) return re.status();
    step.captures.push_back({c.name, c.header, c.regex, *std::move(re)});
  }
  return step;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Checker>> MakeScenarioChecker(
    const ScenarioProbeConfig& config, absl::Duration timeout) {
  absl::Status s = internal::ValidateTimeout(timeout);
  if (s.ok()) s = internal::ValidateLatencyThreshold(config.latency_threshold);
  if (s.ok() && config.steps.empty()) {
    s = absl::InvalidArgumentError("no steps");
  }
  if (!s.ok()) return internal::WithPrefix("scenario", s);

  std::vector<Step> steps;
  absl::flat_hash_set<std::string> defined;
  absl::flat_hash_set<std::string> step_names;
  for (size_t i = 0; i < config.steps.size(); ++i) {
    const ScenarioStep& c = config.steps[i];
    if (c.name.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("scenario: step ", i + 1, " has no name"));
    }
    const std::string where = absl::StrCat("scenario step '", c.name, "'");
    if (!step_names.insert(c.name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": an earlier step has the same name"));
    }
    absl::StatusOr<Step> step = MakeStep(c, defined);
    if (!step.ok()) return internal::WithPrefix(where, step.status());
    for (const ScenarioCapture& capture : c.captures) {
      defined.insert(capture.name);
    }
    steps.push_back(*std::move(step));
  }
  return std::make_unique<ScenarioChecker>(std::move(steps),
                                           config.latency_threshold, timeout);
}

}  // namespace probes
}  // namespace sla
