// The `probes:` list of a service in slakit.yaml (sla/probe_config.h).

#include "sla/probe_config.h"

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "sla/internal/node_reader.h"
#include "sla/internal/probe_reader.h"
#include "yaml-cpp/yaml.h"

namespace sla {
namespace internal {
namespace {

constexpr const char* kKinds[] = {"http", "tcp", "grpc_health", "scenario",
                                  "metric"};

// "host:port" or "[v6]:port" with a port in 1..65535.
bool IsHostPort(absl::string_view address) {
  absl::string_view host;
  absl::string_view port;
  if (absl::StartsWith(address, "[")) {
    const size_t close = address.find("]:");
    if (close == absl::string_view::npos) return false;
    host = address.substr(1, close - 1);
    port = address.substr(close + 2);
  } else {
    const size_t colon = address.rfind(':');
    if (colon == absl::string_view::npos) return false;
    host = address.substr(0, colon);
    port = address.substr(colon + 1);
    if (host.find(':') != absl::string_view::npos) return false;
  }
  int value = 0;
  return !host.empty() && absl::SimpleAtoi(port, &value) && value >= 1 &&
         value <= 65535 &&
         port.find_first_not_of("0123456789") == absl::string_view::npos;
}

// The ${name} references of `text`, in order.
std::vector<std::string> References(absl::string_view text) {
  std::vector<std::string> out;
  size_t at = 0;
  while ((at = text.find("${", at)) != absl::string_view::npos) {
    const size_t end = text.find('}', at + 2);
    if (end == absl::string_view::npos) break;
    out.emplace_back(text.substr(at + 2, end - at - 2));
    at = end + 1;
  }
  return out;
}

class ProbeReader {
 public:
  explicit ProbeReader(NodeReader& r) : r_(r) {}

  void Probe(const YAML::Node& node, absl::string_view path, ProbeConfig* out);

 private:
  // The `url` of `parent`.
  bool Url(const YAML::Node& parent, absl::string_view path, std::string* out);
  bool Regex(const YAML::Node& node, absl::string_view path, std::string* out);
  void Headers(const YAML::Node& node, absl::string_view path,
               std::vector<std::string>* out);
  void Tls(const YAML::Node& node, absl::string_view path, bool* verify,
           std::string* ca_file);
  // The fields of one HTTP request; `extra` are the keys the caller reads.
  void Http(const YAML::Node& node, absl::string_view path,
            std::initializer_list<absl::string_view> allowed,
            HttpProbeConfig* out);
  void Scenario(const YAML::Node& node, absl::string_view path,
                ScenarioProbeConfig* out);
  void Metric(const YAML::Node& node, absl::string_view path,
              MetricProbeConfig* out);

  NodeReader& r_;
};

bool ProbeReader::Url(const YAML::Node& parent, absl::string_view path,
                      std::string* out) {
  const YAML::Node node = parent["url"];
  if (!node) {
    r_.Problem(parent, path, "missing");
    return false;
  }
  if (!r_.String(node, path, out)) return false;
  if (!absl::StartsWith(*out, "http://") &&
      !absl::StartsWith(*out, "https://")) {
    r_.Problem(node, path,
               absl::StrCat("'", *out, "' is not an http:// or https:// URL"));
    return false;
  }
  return true;
}

bool ProbeReader::Regex(const YAML::Node& node, absl::string_view path,
                        std::string* out) {
  // RE2 syntax, compiled (and its errors reported with this probe's place)
  // when the checker is built: sla/ does not link RE2.
  return r_.String(node, path, out);
}

void ProbeReader::Headers(const YAML::Node& node, absl::string_view path,
                          std::vector<std::string>* out) {
  if (!node.IsSequence()) {
    r_.Problem(node, path, "expected a list of 'Name: value'");
    return;
  }
  for (size_t i = 0; i < node.size(); ++i) {
    std::string header;
    const std::string hpath = absl::StrCat(path, "[", i, "]");
    if (!r_.String(node[i], hpath, &header)) continue;
    const size_t colon = header.find(':');
    if (colon == 0 || colon == std::string::npos ||
        header.find_first_of("\r\n") != std::string::npos) {
      r_.Problem(node[i], hpath, "expected 'Name: value' on one line");
      continue;
    }
    out->push_back(std::move(header));
  }
}

void ProbeReader::Tls(const YAML::Node& node, absl::string_view path,
                      bool* verify, std::string* ca_file) {
  if (const YAML::Node v = node["tls_verify"]) {
    r_.Bool(v, absl::StrCat(path, ".tls_verify"), verify);
  }
  if (const YAML::Node c = node["ca_file"]) {
    r_.String(c, absl::StrCat(path, ".ca_file"), ca_file);
  }
}

void ProbeReader::Http(const YAML::Node& node, absl::string_view path,
                       std::initializer_list<absl::string_view> extra,
                       HttpProbeConfig* out) {
  std::vector<absl::string_view> keys = {"method",
                                         "url",
                                         "headers",
                                         "body",
                                         "expect_status",
                                         "expect_body",
                                         "expect_body_regex",
                                         "tls_verify",
                                         "ca_file",
                                         "latency_threshold",
                                         "follow_redirects"};
  keys.insert(keys.end(), extra.begin(), extra.end());
  if (!r_.Map(node, path, keys)) return;
  Url(node, absl::StrCat(path, ".url"), &out->url);
  if (const YAML::Node m = node["method"]) {
    const std::string mpath = absl::StrCat(path, ".method");
    if (r_.String(m, mpath, &out->method)) {
      const bool token =
          std::all_of(out->method.begin(), out->method.end(), [](char c) {
            return (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
          });
      if (!token) {
        r_.Problem(m, mpath,
                   absl::StrCat("'", out->method,
                                "' is not an HTTP method (GET, POST, ...)"));
      }
    }
  }
  if (const YAML::Node h = node["headers"]) {
    Headers(h, absl::StrCat(path, ".headers"), &out->headers);
  }
  if (const YAML::Node b = node["body"]) {
    if (!b.IsScalar()) {
      r_.Problem(b, absl::StrCat(path, ".body"), "expected a string");
    } else {
      out->body = b.Scalar();
    }
  }
  if (const YAML::Node st = node["expect_status"]) {
    const std::string spath = absl::StrCat(path, ".expect_status");
    std::vector<YAML::Node> items;
    if (st.IsSequence() && st.size() > 0) {
      for (size_t i = 0; i < st.size(); ++i) items.push_back(st[i]);
    } else if (st.IsScalar()) {
      items.push_back(st);
    } else {
      r_.Problem(st, spath, "expected a status or a non-empty list of them");
    }
    for (const YAML::Node& item : items) {
      int64_t code = 0;
      if (!r_.Integer(item, spath, 100, &code)) continue;
      if (code > 599) {
        r_.Problem(item, spath,
                   absl::StrCat(code, " is not an HTTP status (100..599)"));
        continue;
      }
      out->expect_status.push_back(static_cast<int>(code));
    }
  }
  if (const YAML::Node e = node["expect_body"]) {
    r_.String(e, absl::StrCat(path, ".expect_body"), &out->expect_body);
  }
  if (const YAML::Node e = node["expect_body_regex"]) {
    Regex(e, absl::StrCat(path, ".expect_body_regex"), &out->expect_body_regex);
  }
  Tls(node, path, &out->tls_verify, &out->ca_file);
  if (const YAML::Node l = node["latency_threshold"]) {
    const std::string lpath = absl::StrCat(path, ".latency_threshold");
    if (r_.FineDuration(l, lpath, &out->latency_threshold) &&
        out->latency_threshold <= absl::ZeroDuration()) {
      r_.Problem(l, lpath, "must be positive");
    }
  }
  if (const YAML::Node f = node["follow_redirects"]) {
    r_.Bool(f, absl::StrCat(path, ".follow_redirects"), &out->follow_redirects);
  }
}

void ProbeReader::Scenario(const YAML::Node& node, absl::string_view path,
                           ScenarioProbeConfig* out) {
  if (!r_.Map(node, path, {"steps", "timeout", "latency_threshold"})) return;
  const YAML::Node steps = node["steps"];
  const std::string spath = absl::StrCat(path, ".steps");
  if (!steps || !steps.IsSequence() || steps.size() == 0) {
    r_.Problem(steps ? steps : node, spath,
               "expected a non-empty list of steps");
    return;
  }
  if (const YAML::Node l = node["latency_threshold"]) {
    const std::string lpath = absl::StrCat(path, ".latency_threshold");
    if (r_.FineDuration(l, lpath, &out->latency_threshold) &&
        out->latency_threshold <= absl::ZeroDuration()) {
      r_.Problem(l, lpath, "must be positive");
    }
  }
  std::set<std::string> names;
  std::set<std::string> captured;  // by earlier steps
  for (size_t i = 0; i < steps.size(); ++i) {
    const YAML::Node s = steps[i];
    const std::string path_i = absl::StrCat(spath, "[", i, "]");
    ScenarioStep step;
    Http(s, path_i, {"name", "capture"}, &step.request);
    if (!s.IsMap()) continue;
    if (!s["name"]) {
      step.name = absl::StrCat("step ", i + 1);
    } else if (r_.String(s["name"], path_i + ".name", &step.name) &&
               !names.insert(step.name).second) {
      r_.Problem(s["name"], path_i + ".name",
                 absl::StrCat("step '", step.name, "' is declared twice"));
    }
    // Every ${x} must come from an earlier step's capture.
    std::vector<std::string> refs = References(step.request.url);
    for (const std::string& h : step.request.headers) {
      for (std::string& x : References(h)) refs.push_back(std::move(x));
    }
    for (std::string& x : References(step.request.body)) {
      refs.push_back(std::move(x));
    }
    for (const std::string& ref : refs) {
      if (captured.count(ref) == 0) {
        r_.Problem(
            s, path_i,
            absl::StrCat("${", ref, "} is not captured by an earlier step"));
      }
    }
    if (const YAML::Node c = s["capture"]) {
      const std::string cpath = path_i + ".capture";
      if (!c.IsMap()) {
        r_.Problem(c, cpath,
                   "expected {name: regex} or {name: {header: H, regex: R}}");
      } else {
        for (const auto& kv : c) {
          ScenarioCapture capture;
          capture.name = kv.first.Scalar();
          const std::string kpath = absl::StrCat(cpath, ".", capture.name);
          const auto ident = [](char ch) {
            return absl::ascii_isalnum(static_cast<unsigned char>(ch)) ||
                   ch == '_';
          };
          const bool name_ok =
              !capture.name.empty() &&
              !absl::ascii_isdigit(
                  static_cast<unsigned char>(capture.name[0])) &&
              std::all_of(capture.name.begin(), capture.name.end(), ident);
          if (!name_ok) {
            r_.Problem(kv.first, kpath,
                       "a capture name is an identifier: letters, digits and "
                       "'_', not starting with a digit");
            continue;
          }
          const YAML::Node v = kv.second;
          if (v.IsMap()) {
            if (!r_.Map(v, kpath, {"header", "regex"})) continue;
            if (const YAML::Node h = v["header"]) {
              r_.String(h, kpath + ".header", &capture.header);
            }
            if (!v["regex"]) {
              r_.Problem(v, kpath + ".regex", "missing");
              continue;
            }
            if (!Regex(v["regex"], kpath + ".regex", &capture.regex)) continue;
          } else if (!Regex(v, kpath, &capture.regex)) {
            continue;
          }
          captured.insert(capture.name);
          step.captures.push_back(std::move(capture));
        }
      }
    }
    out->steps.push_back(std::move(step));
  }
}

void ProbeReader::Metric(const YAML::Node& node, absl::string_view path,
                         MetricProbeConfig* out) {
  if (!r_.Map(node, path,
              {"url", "name", "labels", "op", "value", "tls_verify", "ca_file",
               "timeout"})) {
    return;
  }
  Url(node, absl::StrCat(path, ".url"), &out->url);
  if (!node["name"]) {
    r_.Problem(node, absl::StrCat(path, ".name"), "missing");
  } else {
    r_.String(node["name"], absl::StrCat(path, ".name"), &out->name);
  }
  if (const YAML::Node l = node["labels"]) {
    if (!l.IsMap()) {
      r_.Problem(l, absl::StrCat(path, ".labels"),
                 "expected a mapping of label: value");
    } else {
      for (const auto& kv : l) {
        if (!kv.second.IsScalar()) {
          r_.Problem(kv.second,
                     absl::StrCat(path, ".labels.", kv.first.Scalar()),
                     "expected a string");
          continue;
        }
        out->labels.emplace_back(kv.first.Scalar(), kv.second.Scalar());
      }
    }
  }
  if (const YAML::Node op = node["op"]) {
    const std::string opath = absl::StrCat(path, ".op");
    if (r_.String(op, opath, &out->op) && out->op != ">=" && out->op != ">" &&
        out->op != "<=" && out->op != "<" && out->op != "==" &&
        out->op != "!=") {
      r_.Problem(
          op, opath,
          absl::StrCat("'", out->op, "' is not one of >=, >, <=, <, ==, !="));
    }
  }
  if (!node["value"]) {
    r_.Problem(node, absl::StrCat(path, ".value"), "missing");
  } else {
    r_.Number(node["value"], absl::StrCat(path, ".value"), &out->value);
  }
  Tls(node, path, &out->tls_verify, &out->ca_file);
}

void ProbeReader::Probe(const YAML::Node& node, absl::string_view path,
                        ProbeConfig* out) {
  if (!r_.Map(node, path,
              {"name", "interval", "jitter", "timeout", "http", "tcp",
               "grpc_health", "scenario", "metric"})) {
    return;
  }
  out->where = r_.Where(node, path);
  if (!node["name"]) {
    r_.Problem(node, absl::StrCat(path, ".name"), "missing");
  } else {
    r_.String(node["name"], absl::StrCat(path, ".name"), &out->name);
  }
  const char* kind = nullptr;
  int kinds = 0;
  for (const char* k : kKinds) {
    if (node[k]) {
      kind = k;
      ++kinds;
    }
  }
  if (kinds != 1) {
    r_.Problem(node, path,
               "give exactly one of http, tcp, grpc_health, scenario, metric");
    return;
  }
  const YAML::Node check = node[kind];
  const std::string cpath = absl::StrCat(path, ".", kind);
  if (const YAML::Node i = node["interval"]) {
    const std::string ipath = absl::StrCat(path, ".interval");
    if (r_.FineDuration(i, ipath, &out->interval) &&
        out->interval < absl::Seconds(1)) {
      r_.Problem(i, ipath, "must be at least 1s");
      out->interval = absl::Seconds(1);
    }
  }
  // The timeout is written beside the target (http: {..., timeout: 2s}) or
  // at the probe's level, not both.
  out->timeout = std::min(absl::Seconds(10), out->interval);
  const YAML::Node inner_timeout =
      check.IsMap() ? check["timeout"] : YAML::Node();
  const YAML::Node outer_timeout = node["timeout"];
  if (inner_timeout && outer_timeout) {
    r_.Problem(outer_timeout, absl::StrCat(path, ".timeout"),
               absl::StrCat("also given as ", cpath, ".timeout; give one"));
  } else if (inner_timeout || outer_timeout) {
    const YAML::Node t = inner_timeout ? inner_timeout : outer_timeout;
    const std::string tpath = inner_timeout ? absl::StrCat(cpath, ".timeout")
                                            : absl::StrCat(path, ".timeout");
    if (r_.FineDuration(t, tpath, &out->timeout)) {
      if (out->timeout <= absl::ZeroDuration()) {
        r_.Problem(t, tpath, "must be positive");
      } else if (out->timeout > out->interval) {
        r_.Problem(t, tpath,
                   absl::StrCat(absl::FormatDuration(out->timeout),
                                " is longer than the interval (",
                                absl::FormatDuration(out->interval),
                                "): runs would overlap"));
      }
    }
  }
  out->jitter = out->interval / 10;
  if (const YAML::Node j = node["jitter"]) {
    const std::string jpath = absl::StrCat(path, ".jitter");
    if (r_.FineDuration(j, jpath, &out->jitter) &&
        (out->jitter < absl::ZeroDuration() || out->jitter >= out->interval)) {
      r_.Problem(j, jpath, "must be >= 0 and shorter than the interval");
    }
  }

  const absl::string_view k = kind;
  if (k == "http") {
    HttpProbeConfig http;
    Http(check, cpath, {"timeout"}, &http);
    out->check = std::move(http);
  } else if (k == "tcp") {
    TcpProbeConfig tcp;
    if (r_.Map(check, cpath, {"address", "timeout"})) {
      const std::string apath = absl::StrCat(cpath, ".address");
      if (!check["address"]) {
        r_.Problem(check, apath, "missing");
      } else if (r_.String(check["address"], apath, &tcp.address) &&
                 !IsHostPort(tcp.address)) {
        r_.Problem(
            check["address"], apath,
            absl::StrCat("'", tcp.address, "' is not host:port or [v6]:port"));
      }
    }
    out->check = std::move(tcp);
  } else if (k == "grpc_health") {
    GrpcHealthProbeConfig grpc;
    if (r_.Map(check, cpath,
               {"address", "service", "tls", "ca_file", "timeout"})) {
      const std::string apath = absl::StrCat(cpath, ".address");
      if (!check["address"]) {
        r_.Problem(check, apath, "missing");
      } else if (r_.String(check["address"], apath, &grpc.address) &&
                 !IsHostPort(grpc.address)) {
        r_.Problem(
            check["address"], apath,
            absl::StrCat("'", grpc.address, "' is not host:port or [v6]:port"));
      }
      if (const YAML::Node s = check["service"]) {
        if (!s.IsScalar()) {
          r_.Problem(s, cpath + ".service", "expected a string");
        } else {
          grpc.service = s.Scalar();
        }
      }
      if (const YAML::Node t = check["tls"]) {
        r_.Bool(t, cpath + ".tls", &grpc.tls);
      }
      if (const YAML::Node c = check["ca_file"]) {
        r_.String(c, cpath + ".ca_file", &grpc.ca_file);
      }
    }
    out->check = std::move(grpc);
  } else if (k == "scenario") {
    ScenarioProbeConfig scenario;
    Scenario(check, cpath, &scenario);
    out->check = std::move(scenario);
  } else {
    MetricProbeConfig metric;
    Metric(check, cpath, &metric);
    out->check = std::move(metric);
  }
}

}  // namespace

void ReadProbes(NodeReader& reader, const YAML::Node& node,
                absl::string_view path, std::vector<ProbeConfig>* out) {
  if (!node.IsSequence()) {
    reader.Problem(node, path, "expected a list of probes");
    return;
  }
  ProbeReader probes(reader);
  std::set<std::string> names;
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string ppath = absl::StrCat(path, "[", i, "]");
    ProbeConfig probe;
    probes.Probe(node[i], ppath, &probe);
    if (!probe.name.empty() && !names.insert(probe.name).second) {
      reader.Problem(
          node[i]["name"], ppath + ".name",
          absl::StrCat("probe '", probe.name, "' is declared twice"));
    }
    out->push_back(std::move(probe));
  }
}

}  // namespace internal
}  // namespace sla
