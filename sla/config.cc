#include "sla/config.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "sla/catalog.h"
#include "sla/internal/node_reader.h"
#include "sla/internal/probe_reader.h"
#include "yaml-cpp/depthguard.h"
#include "yaml-cpp/yaml.h"

namespace sla {

const ServiceConfig* Config::FindService(absl::string_view name) const {
  for (const ServiceConfig& s : services) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const ApplicationConfig* Config::FindApplication(absl::string_view name) const {
  for (const ApplicationConfig& a : applications) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

std::vector<Interval> Config::MaintenanceOf(absl::string_view service) const {
  std::vector<Interval> out;
  for (const MaintenanceWindow& m : maintenance) {
    if (m.service == service) out.push_back(m.window);
  }
  return out;
}

namespace {

// The contract terms a catalog entry states. Terms it leaves unstated keep
// the ContractSpec defaults, which the file can override.
void ApplyCatalogDefaults(const CatalogEntry& e, ContractSpec* spec) {
  if (!std::isnan(e.commitment_percent)) {
    spec->commitment_percent = e.commitment_percent;
  }
  for (const CatalogCreditTier& t : e.credits) {
    spec->credits.push_back(CreditTier{t.below_percent, t.credit_percent});
  }
  spec->maintenance_counts_as_downtime = e.maintenance_counts_as_downtime;
  switch (e.downtime_kind) {
    case CatalogDowntimeKind::kIntervalAllFail:
      // Down only when every result of the interval failed.
      spec->method = DowntimeMethod::kInterval;
      spec->interval = absl::Minutes(e.interval_minutes);
      spec->max_error_ratio = 0.999999999;
      break;
    case CatalogDowntimeKind::kIntervalErrorRate:
      spec->method = DowntimeMethod::kInterval;
      spec->interval = absl::Minutes(e.interval_minutes);
      spec->max_error_ratio = e.max_error_ratio;
      break;
    case CatalogDowntimeKind::kAverageErrorRate:
      spec->method = DowntimeMethod::kRequestBased;
      spec->interval = absl::Minutes(e.interval_minutes);
      break;
    case CatalogDowntimeKind::kRequestRatio:
    case CatalogDowntimeKind::kOther:
      break;  // not expressible as intervals: the file must say
  }
  if (spec->interval <= absl::ZeroDuration()) spec->interval = absl::Minutes(1);
}

// Walks the YAML tree, collecting every problem with its position and path
// instead of stopping at the first.
class Parser : public internal::NodeReader {
 public:
  using NodeReader::NodeReader;

  void Contract(const YAML::Node& node, absl::string_view path,
                absl::TimeZone zone, ServiceConfig* service);
  // `zone` is the configured time zone: a calendar window without its own
  // ("month") is the period in that zone ("month@Europe/Paris").
  void Objective(const YAML::Node& node, absl::string_view path,
                 absl::string_view owner_name, absl::string_view zone,
                 ObjectiveSpec* out, ObjectiveRules* rules);
  void AlertPolicyOf(const YAML::Node& node, absl::string_view path,
                     AlertPolicy* out);
  void Remediation(const YAML::Node& node, absl::string_view path,
                   RemediationConfig* out);
  void Sink(const YAML::Node& node, absl::string_view path,
            AlertSinkConfig* out);
  bool Argv(const YAML::Node& node, absl::string_view path,
            std::vector<std::string>* out);
  bool Expression(const YAML::Node& node, absl::string_view path,
                  CompositeExpr* out);
};

void Parser::Contract(const YAML::Node& node, absl::string_view path,
                      absl::TimeZone zone, ServiceConfig* service) {
  if (!Map(node, path,
           {"catalog", "target", "period", "downtime",
            "maintenance_counts_as_downtime", "credits"})) {
    return;
  }
  const size_t problems_before = problems().size();
  ContractSpec spec;
  spec.zone = zone;
  // A catalog entry gives the defaults; the fields written here override.
  bool catalog_commitment = false;
  if (node["catalog"] && String(node["catalog"], absl::StrCat(path, ".catalog"),
                                &service->catalog_id)) {
    absl::StatusOr<const CatalogEntry*> entry =
        FindCatalogEntry(service->catalog_id);
    if (!entry.ok()) {
      Problem(node["catalog"], absl::StrCat(path, ".catalog"),
              entry.status().message());
    } else {
      ApplyCatalogDefaults(**entry, &spec);
      catalog_commitment = !std::isnan((*entry)->commitment_percent);
      const CatalogDowntimeKind kind = (*entry)->downtime_kind;
      if ((kind == CatalogDowntimeKind::kRequestRatio ||
           kind == CatalogDowntimeKind::kOther) &&
          !node["downtime"]) {
        Problem(node["catalog"], absl::StrCat(path, ".downtime"),
                absl::StrCat(
                    "missing: catalog entry '", service->catalog_id,
                    "' states no downtime rule slakit can compute (",
                    CatalogDowntimeKindName(kind),
                    "); write downtime: {method, interval, max_error_ratio, "
                    "no_data}"));
      }
    }
  }
  if (node["target"]) {
    Percent(node["target"], absl::StrCat(path, ".target"),
            &spec.commitment_percent);
  } else if (!catalog_commitment) {
    Problem(node, absl::StrCat(path, ".target"),
            "missing: the committed uptime percentage, e.g. 99.95 (or a "
            "catalog entry that states one)");
  }
  if (const YAML::Node p = node["period"]) {
    std::string text;
    if (String(p, absl::StrCat(path, ".period"), &text)) {
      absl::StatusOr<CalendarUnit> unit = ParseCalendarUnit(text);
      if (!unit.ok()) {
        Problem(p, absl::StrCat(path, ".period"), unit.status().message());
      } else if (*unit != CalendarUnit::kMonth) {
        Problem(p, absl::StrCat(path, ".period"),
                absl::StrCat("'", text,
                             "': the report evaluates contracts per calendar "
                             "month; only `month` is supported"));
      } else {
        spec.period = *unit;
      }
    }
  }
  if (const YAML::Node d = node["downtime"]) {
    const std::string dpath = absl::StrCat(path, ".downtime");
    if (Map(d, dpath, {"method", "interval", "max_error_ratio", "no_data"})) {
      std::string text;
      if (d["method"] && String(d["method"], dpath + ".method", &text)) {
        absl::StatusOr<DowntimeMethod> m = ParseDowntimeMethod(text);
        if (m.ok()) {
          spec.method = *m;
        } else {
          Problem(d["method"], dpath + ".method", m.status().message());
        }
      }
      if (d["interval"]) {
        Duration(d["interval"], dpath + ".interval", &spec.interval);
      }
      if (d["max_error_ratio"]) {
        Number(d["max_error_ratio"], dpath + ".max_error_ratio",
               &spec.max_error_ratio);
      }
      if (d["no_data"] && String(d["no_data"], dpath + ".no_data", &text)) {
        absl::StatusOr<NoDataPolicy> p = ParseNoDataPolicy(text);
        if (p.ok()) {
          spec.no_data = *p;
        } else {
          Problem(d["no_data"], dpath + ".no_data", p.status().message());
        }
      }
    }
  }
  if (node["maintenance_counts_as_downtime"]) {
    Bool(node["maintenance_counts_as_downtime"],
         absl::StrCat(path, ".maintenance_counts_as_downtime"),
         &spec.maintenance_counts_as_downtime);
  }
  if (const YAML::Node c = node["credits"]) {
    const std::string cpath = absl::StrCat(path, ".credits");
    if (!c.IsSequence()) {
      Problem(c, cpath, "expected a list of {below: P, credit: C}");
    } else {
      spec.credits.clear();  // the file's tiers replace the catalog's
      for (size_t i = 0; i < c.size(); ++i) {
        const std::string tpath = absl::StrCat(cpath, "[", i, "]");
        if (!Map(c[i], tpath, {"below", "credit"})) continue;
        CreditTier tier;
        if (c[i]["below"]) {
          Percent(c[i]["below"], tpath + ".below", &tier.below_percent);
        } else {
          Problem(c[i], tpath + ".below", "missing");
        }
        if (c[i]["credit"]) {
          Number(c[i]["credit"], tpath + ".credit", &tier.credit_percent);
        } else {
          Problem(c[i], tpath + ".credit", "missing");
        }
        spec.credits.push_back(tier);
      }
    }
  }
  // Field problems are reported already; check the whole only without them.
  if (problems().size() == problems_before) {
    absl::Status s = ValidateContract(spec);
    if (!s.ok()) {
      // Name the field as the file spells it, at its own position.
      std::string message =
          absl::StrReplaceAll(s.message(), {{"below_percent", "below"},
                                            {"credit_percent", "credit"},
                                            {"commitment_percent", "target"}});
      YAML::Node where;
      where.reset(node);
      std::string field_path(path);
      const YAML::Node d = node["downtime"];
      const YAML::Node c = node["credits"];
      if (absl::StartsWith(message, "interval") && d && d["interval"]) {
        where.reset(d["interval"]);
        field_path += ".downtime.interval";
      } else if (absl::StartsWith(message, "max_error_ratio") && d &&
                 d["max_error_ratio"]) {
        where.reset(d["max_error_ratio"]);
        field_path += ".downtime.max_error_ratio";
      } else if (absl::StartsWith(message, "credits") && c) {
        where.reset(c);
        field_path += ".credits";
      }
      Problem(where, field_path, message);
    }
  }
  service->contract = std::move(spec);
}

void Parser::Objective(const YAML::Node& node, absl::string_view path,
                       absl::string_view owner_name, absl::string_view zone,
                       ObjectiveSpec* out, ObjectiveRules* rules) {
  out->service = std::string(owner_name);
  if (!Map(node, path,
           {"name", "sli", "slis", "target", "window", "budgeting", "slice",
            "slice_threshold", "alerting", "remediation"})) {
    return;
  }
  if (node["name"]) {
    String(node["name"], absl::StrCat(path, ".name"), &out->name);
  } else {
    Problem(node, absl::StrCat(path, ".name"), "missing");
  }
  if (const YAML::Node sli = node["sli"]) {
    std::string text;
    if (String(sli, absl::StrCat(path, ".sli"), &text) &&
        text != "probe_success") {
      Problem(sli, absl::StrCat(path, ".sli"),
              absl::StrCat("'", text,
                           "': only probe_success (all probe-success SLIs of "
                           "the service) is known; name SLIs with `slis`"));
    }
  }
  if (const YAML::Node slis = node["slis"]) {
    if (!slis.IsSequence()) {
      Problem(slis, absl::StrCat(path, ".slis"), "expected a list of names");
    } else {
      for (size_t i = 0; i < slis.size(); ++i) {
        std::string name;
        if (String(slis[i], absl::StrCat(path, ".slis[", i, "]"), &name)) {
          out->slis.push_back(name);
        }
      }
    }
  }
  if (node["target"]) {
    Percent(node["target"], absl::StrCat(path, ".target"),
            &out->target_percent);
  } else {
    Problem(node, absl::StrCat(path, ".target"), "missing");
  }
  if (const YAML::Node w = node["window"]) {
    std::string text;
    if (String(w, absl::StrCat(path, ".window"), &text)) {
      absl::StatusOr<Window> window = Window::Parse(text);
      if (window.ok()) {
        out->window = text;
        if (!window->is_rolling() && text.find('@') == std::string::npos) {
          absl::StrAppend(&out->window, "@", zone);
        }
      } else {
        Problem(w, absl::StrCat(path, ".window"), window.status().message());
      }
    }
  }
  if (const YAML::Node b = node["budgeting"]) {
    std::string text;
    if (String(b, absl::StrCat(path, ".budgeting"), &text)) {
      absl::StatusOr<BudgetingMethod> m = ParseBudgetingMethod(text);
      if (m.ok()) {
        out->method = *m;
      } else {
        Problem(b, absl::StrCat(path, ".budgeting"), m.status().message());
      }
    }
  }
  if (node["slice"]) {
    absl::Duration d;
    if (Duration(node["slice"], absl::StrCat(path, ".slice"), &d)) {
      if (d <= absl::ZeroDuration() || absl::Trunc(d, absl::Minutes(1)) != d) {
        Problem(node["slice"], absl::StrCat(path, ".slice"),
                "must be a positive whole number of minutes");
      }
      out->slice = d;
    }
  }
  if (node["slice_threshold"]) {
    double v = 0;
    if (Number(node["slice_threshold"], absl::StrCat(path, ".slice_threshold"),
               &v)) {
      if (!(v > 0 && v <= 1)) {
        Problem(node["slice_threshold"], absl::StrCat(path, ".slice_threshold"),
                absl::StrCat(v, " is not a fraction in (0, 1]"));
      }
      out->slice_threshold = v;
    }
  }
  if (const YAML::Node a = node["alerting"]) {
    if (a.IsMap()) {
      out->alerting = true;
      rules->custom_policy = true;
      AlertPolicyOf(a, absl::StrCat(path, ".alerting"), &rules->alert_policy);
      if (const YAML::Node w = a["exhaustion_warning"]) {
        const std::string wpath =
            absl::StrCat(path, ".alerting.exhaustion_warning");
        if (Duration(w, wpath, &rules->exhaustion_warning) &&
            rules->exhaustion_warning <= absl::ZeroDuration()) {
          Problem(w, wpath, "must be positive");
        }
      }
    } else {
      Bool(a, absl::StrCat(path, ".alerting"), &out->alerting);
    }
  }
  if (const YAML::Node r = node["remediation"]) {
    RemediationConfig remediation;
    Remediation(r, absl::StrCat(path, ".remediation"), &remediation);
    if (!out->alerting) {
      Problem(r, absl::StrCat(path, ".remediation"),
              "acts on this objective's alerts: set `alerting`");
    }
    rules->remediation = std::move(remediation);
  }
}

bool Parser::Argv(const YAML::Node& node, absl::string_view path,
                  std::vector<std::string>* out) {
  if (!node.IsSequence() || node.size() == 0) {
    Problem(node, path,
            "expected a list: the program and its arguments (no shell)");
    return false;
  }
  for (size_t i = 0; i < node.size(); ++i) {
    std::string arg;
    if (!String(node[i], absl::StrCat(path, "[", i, "]"), &arg)) return false;
    out->push_back(std::move(arg));
  }
  if ((*out)[0].empty() || (*out)[0][0] != '/') {
    Problem(node[0], absl::StrCat(path, "[0]"),
            absl::StrCat("'", (*out)[0],
                         "': the program must be an absolute path"));
    return false;
  }
  return true;
}

void Parser::AlertPolicyOf(const YAML::Node& node, absl::string_view path,
                           AlertPolicy* out) {
  if (!Map(node, path,
           {"tiers", "min_short_window_events", "for", "resolve_after",
            "exhaustion_warning"})) {
    return;
  }
  if (const YAML::Node t = node["tiers"]) {
    if (!t.IsSequence() || t.size() == 0) {
      Problem(t, absl::StrCat(path, ".tiers"), "expected a non-empty list");
    } else {
      for (size_t i = 0; i < t.size(); ++i) {
        const std::string tpath = absl::StrCat(path, ".tiers[", i, "]");
        if (!Map(t[i], tpath, {"severity", "long", "short", "factor"})) {
          continue;
        }
        BurnTier tier;
        bool ok = true;
        for (const char* key : {"severity", "long", "short", "factor"}) {
          if (!t[i][key]) {
            Problem(t[i], absl::StrCat(tpath, ".", key), "missing");
            ok = false;
          }
        }
        if (!ok) continue;
        ok &= String(t[i]["severity"], tpath + ".severity", &tier.severity);
        ok &= Duration(t[i]["long"], tpath + ".long", &tier.long_window);
        ok &= Duration(t[i]["short"], tpath + ".short", &tier.short_window);
        ok &= Number(t[i]["factor"], tpath + ".factor", &tier.factor);
        if (!ok) continue;
        AlertPolicy one;
        one.tiers = {tier};
        if (absl::Status s = ValidateAlertPolicy(one); !s.ok()) {
          Problem(t[i], tpath, s.message());
          continue;
        }
        out->tiers.push_back(std::move(tier));
      }
    }
  }
  if (const YAML::Node m = node["min_short_window_events"]) {
    Integer(m, absl::StrCat(path, ".min_short_window_events"), 0,
            &out->min_short_window_events);
  }
  if (const YAML::Node f = node["for"]) {
    Duration(f, absl::StrCat(path, ".for"), &out->for_duration);
  }
  if (const YAML::Node r = node["resolve_after"]) {
    Duration(r, absl::StrCat(path, ".resolve_after"), &out->resolve_after);
  }
  if (absl::Status s = ValidateAlertPolicy(*out); !s.ok()) {
    Problem(node, path, s.message());
  }
}

void Parser::Remediation(const YAML::Node& node, absl::string_view path,
                         RemediationConfig* out) {
  if (!Map(node, path,
           {"command", "on", "cooldown", "max_attempts", "per", "timeout",
            "dry_run"})) {
    return;
  }
  if (!node["command"]) {
    Problem(node, absl::StrCat(path, ".command"), "missing");
  } else {
    Argv(node["command"], absl::StrCat(path, ".command"), &out->command);
  }
  if (const YAML::Node on = node["on"]) {
    if (String(on, absl::StrCat(path, ".on"), &out->on) && out->on != "page" &&
        out->on != "ticket" && out->on != "any") {
      Problem(on, absl::StrCat(path, ".on"),
              absl::StrCat("'", out->on, "' is not one of page, ticket, any"));
    }
  }
  const auto positive = [&](const char* key, absl::Duration* d) {
    if (const YAML::Node n = node[key]) {
      if (Duration(n, absl::StrCat(path, ".", key), d) &&
          *d <= absl::ZeroDuration()) {
        Problem(n, absl::StrCat(path, ".", key), "must be positive");
      }
    }
  };
  if (const YAML::Node c = node["cooldown"]) {
    Duration(c, absl::StrCat(path, ".cooldown"), &out->cooldown);
    if (out->cooldown < absl::ZeroDuration()) {
      Problem(c, absl::StrCat(path, ".cooldown"), "must be >= 0");
    }
  }
  positive("per", &out->per);
  positive("timeout", &out->timeout);
  if (const YAML::Node m = node["max_attempts"]) {
    int64_t v = 0;
    if (Integer(m, absl::StrCat(path, ".max_attempts"), 1, &v)) {
      out->max_attempts = static_cast<int>(std::min<int64_t>(v, 1000000));
    }
  }
  if (const YAML::Node d = node["dry_run"]) {
    Bool(d, absl::StrCat(path, ".dry_run"), &out->dry_run);
  }
}

void Parser::Sink(const YAML::Node& node, absl::string_view path,
                  AlertSinkConfig* out) {
  if (!Map(node, path, {"command", "webhook", "timeout"})) return;
  if (!node["command"] == !node["webhook"]) {
    Problem(node, path, "give exactly one of command, webhook");
    return;
  }
  if (const YAML::Node c = node["command"]) {
    Argv(c, absl::StrCat(path, ".command"), &out->command);
  }
  if (const YAML::Node w = node["webhook"]) {
    const std::string wpath = absl::StrCat(path, ".webhook");
    if (Map(w, wpath, {"url", "headers", "timeout"})) {
      if (!w["url"]) {
        Problem(w, wpath + ".url", "missing");
      } else if (String(w["url"], wpath + ".url", &out->webhook_url) &&
                 !absl::StartsWith(out->webhook_url, "http://") &&
                 !absl::StartsWith(out->webhook_url, "https://")) {
        Problem(w["url"], wpath + ".url",
                absl::StrCat("'", out->webhook_url,
                             "' is not an http:// or https:// URL"));
      }
      if (const YAML::Node h = w["headers"]) {
        if (!h.IsSequence()) {
          Problem(h, wpath + ".headers", "expected a list of 'Name: value'");
        } else {
          for (size_t i = 0; i < h.size(); ++i) {
            std::string header;
            const std::string hpath = absl::StrCat(wpath, ".headers[", i, "]");
            if (String(h[i], hpath, &header)) {
              if (header.find(':') == std::string::npos ||
                  header.find('\n') != std::string::npos ||
                  header.find('\r') != std::string::npos) {
                Problem(h[i], hpath, "expected 'Name: value' on one line");
              } else {
                out->headers.push_back(std::move(header));
              }
            }
          }
        }
      }
      if (const YAML::Node t = w["timeout"]) {
        Duration(t, wpath + ".timeout", &out->timeout);
      }
    }
  }
  if (const YAML::Node t = node["timeout"]) {
    Duration(t, absl::StrCat(path, ".timeout"), &out->timeout);
  }
  if (out->timeout <= absl::ZeroDuration()) {
    Problem(node, absl::StrCat(path, ".timeout"), "must be positive");
  }
}

bool Parser::Expression(const YAML::Node& node, absl::string_view path,
                        CompositeExpr* out) {
  if (node.IsScalar()) {
    const std::string text = node.Scalar();
    if (text.find('(') != std::string::npos) {
      absl::StatusOr<CompositeExpr> e = CompositeExpr::Parse(text);
      if (!e.ok()) {
        Problem(node, path, e.status().message());
        return false;
      }
      *out = *std::move(e);
      return true;
    }
    if (text.empty()) {
      Problem(node, path, "empty component name");
      return false;
    }
    *out = CompositeExpr::Component(text);
    return true;
  }
  if (!node.IsMap() || node.size() != 1) {
    Problem(node, path,
            "expected a name, \"all_of(a, b)\", or one of {all_of: [...]}, "
            "{any_of: [...]}, {k_of_n: {k: K, of: [...]}}");
    return false;
  }
  const std::string kind = node.begin()->first.Scalar();
  const YAML::Node body = node.begin()->second;
  const std::string kpath = absl::StrCat(path, ".", kind);
  // Node::reset, not operator=: assigning a yaml-cpp node writes through to
  // the tree it refers to.
  YAML::Node list;
  list.reset(body);
  int k = 0;
  if (kind == "k_of_n") {
    if (!Map(body, kpath, {"k", "of"})) return false;
    double kv = 0;
    if (!body["k"] || !Number(body["k"], kpath + ".k", &kv) ||
        kv != std::floor(kv) || kv < 1) {
      if (body["k"] && kv != 0) {
        Problem(body["k"], kpath + ".k", "expected a whole number >= 1");
      } else if (!body["k"]) {
        Problem(body, kpath + ".k", "missing");
      }
      return false;
    }
    k = static_cast<int>(kv);
    list.reset(body["of"]);
    if (!list) {
      Problem(body, kpath + ".of", "missing");
      return false;
    }
  } else if (kind != "all_of" && kind != "any_of") {
    Problem(node.begin()->first, kpath,
            "unknown group (expected all_of, any_of or k_of_n)");
    return false;
  }
  if (!list.IsSequence() || list.size() == 0) {
    Problem(list, kpath, "expected a non-empty list");
    return false;
  }
  std::vector<CompositeExpr> children;
  bool ok = true;
  for (size_t i = 0; i < list.size(); ++i) {
    CompositeExpr child;
    ok &= Expression(list[i], absl::StrCat(kpath, "[", i, "]"), &child);
    children.push_back(std::move(child));
  }
  if (!ok) return false;
  if (kind == "all_of") {
    *out = CompositeExpr::AllOf(std::move(children));
  } else if (kind == "any_of") {
    *out = CompositeExpr::AnyOf(std::move(children));
  } else {
    if (k > static_cast<int>(children.size())) {
      Problem(body["k"], kpath + ".k",
              absl::StrCat(k, " is more than the ", children.size(),
                           " components listed"));
      return false;
    }
    *out = CompositeExpr::KOfN(k, std::move(children));
  }
  return true;
}

// The most nodes (components and groups) one application's expression may
// expand to: applications that use each other many times over would
// otherwise double it at each level (20 levels: 2^20 components).
constexpr int64_t kMaxExpandedNodes = 100000;

// "a -> b -> c", or "a -> b -> ... -> y -> z" past five names.
std::string StackText(const std::vector<std::string>& stack) {
  if (stack.size() <= 5) return absl::StrJoin(stack, " -> ");
  return absl::StrCat(stack[0], " -> ", stack[1], " -> ... -> ",
                      stack[stack.size() - 2], " -> ", stack.back());
}

// Replaces references to applications by their expressions. `stack` holds
// the applications being expanded, to report cycles; `depth` is the depth
// of `in` in the expansion and `*budget` the nodes it may still produce,
// so that chains of applications can neither nest deeper than
// kMaxCompositeDepth nor grow past kMaxExpandedNodes.
bool Expand(const CompositeExpr& in,
            const absl::flat_hash_map<std::string, const CompositeExpr*>& apps,
            std::vector<std::string>* stack, CompositeExpr* out,
            std::string* error, int depth, int64_t* budget) {
  if (depth > kMaxCompositeDepth) {
    *error = absl::StrCat("nested deeper than ", kMaxCompositeDepth,
                          " levels once applications are expanded (",
                          StackText(*stack), ")");
    return false;
  }
  if (--*budget < 0) {
    *error = absl::StrCat("expands to more than ", kMaxExpandedNodes,
                          " components and groups (applications used many "
                          "times over: ",
                          StackText(*stack), ")");
    return false;
  }
  if (in.kind == CompositeExpr::Kind::kComponent) {
    auto it = apps.find(in.name);
    if (it == apps.end()) {
      *out = in;
      return true;
    }
    if (std::find(stack->begin(), stack->end(), in.name) != stack->end()) {
      stack->push_back(in.name);
      *error = absl::StrCat("cycle between applications: ",
                            absl::StrJoin(*stack, " -> "));
      return false;
    }
    stack->push_back(in.name);
    ++*budget;  // the reference is replaced, not kept
    const bool ok = Expand(*it->second, apps, stack, out, error, depth, budget);
    stack->pop_back();
    return ok;
  }
  *out = in;
  out->children.clear();
  for (const CompositeExpr& child : in.children) {
    CompositeExpr e;
    if (!Expand(child, apps, stack, &e, error, depth + 1, budget)) {
      return false;
    }
    out->children.push_back(std::move(e));
  }
  return true;
}

}  // namespace

bool IsValidTenantName(absl::string_view name) {
  if (name.empty() || name.size() > 64 || !absl::ascii_isalnum(name[0])) {
    return false;
  }
  for (char c : name) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

absl::StatusOr<Config> ParseConfig(absl::string_view yaml,
                                   absl::string_view source) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::DeepRecursion& e) {  // its message is "bad file"
    return absl::InvalidArgumentError(absl::StrCat(
        source, ":", e.mark.line + 1, ":", e.mark.column + 1,
        ": not valid YAML: nested deeper than ", e.depth() - 1, " levels"));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ":", e.mark.line + 1, ":", e.mark.column + 1,
                     ": not valid YAML: ", e.msg));
  }
  Parser p(source);
  Config config;
  if (!root || root.IsNull()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": the configuration is empty"));
  }
  try {
    if (!p.Map(root, "config",
               {"timezone", "services", "applications", "maintenance",
                "alert_sinks"})) {
      return absl::InvalidArgumentError(absl::StrJoin(p.problems(), "\n"));
    }
    if (const YAML::Node tz = root["timezone"]) {
      if (p.String(tz, "timezone", &config.timezone) &&
          !absl::LoadTimeZone(config.timezone, &config.zone)) {
        p.Problem(tz, "timezone",
                  absl::StrCat("unknown time zone '", config.timezone,
                               "' (use an IANA name such as Europe/Paris)"));
      }
    }
    absl::flat_hash_map<std::string, YAML::Node> service_nodes;
    if (const YAML::Node services = root["services"]) {
      if (!services.IsSequence()) {
        p.Problem(services, "services", "expected a list of services");
      } else {
        for (size_t i = 0; i < services.size(); ++i) {
          const YAML::Node s = services[i];
          const std::string path = absl::StrCat("services[", i, "]");
          if (!p.Map(s, path,
                     {"name", "tenant", "owner", "contract", "objectives",
                      "probes"})) {
            continue;
          }
          ServiceConfig service;
          if (!s["name"]) {
            p.Problem(s, path + ".name", "missing");
          } else if (p.String(s["name"], path + ".name", &service.name) &&
                     !service_nodes.emplace(service.name, s["name"]).second) {
            p.Problem(
                s["name"], path + ".name",
                absl::StrCat("service '", service.name, "' is declared twice"));
          }
          if (const YAML::Node t = s["tenant"]) {
            if (p.String(t, path + ".tenant", &service.tenant) &&
                !IsValidTenantName(service.tenant)) {
              p.Problem(t, path + ".tenant",
                        absl::StrCat("'", service.tenant,
                                     "' is not a tenant name (letters, "
                                     "digits, '.', '_', '-'; at most 64, "
                                     "starting with a letter or digit)"));
            }
          }
          if (const YAML::Node o = s["owner"]) {
            std::string text;
            if (p.String(o, path + ".owner", &text)) {
              absl::StatusOr<Owner> owner = ParseOwner(text);
              if (owner.ok()) {
                service.owner = *owner;
              } else {
                p.Problem(o, path + ".owner", owner.status().message());
              }
            }
          }
          if (const YAML::Node c = s["contract"]) {
            p.Contract(c, path + ".contract", config.zone, &service);
          }
          if (const YAML::Node objs = s["objectives"]) {
            if (!objs.IsSequence()) {
              p.Problem(objs, path + ".objectives", "expected a list");
            } else {
              std::set<std::string> names;
              for (size_t k = 0; k < objs.size(); ++k) {
                ObjectiveSpec o;
                ObjectiveRules rules;
                const std::string opath =
                    absl::StrCat(path, ".objectives[", k, "]");
                p.Objective(objs[k], opath, service.name, config.timezone, &o,
                            &rules);
                service.rules.push_back(std::move(rules));
                if (!o.name.empty() && !names.insert(o.name).second) {
                  p.Problem(objs[k], opath + ".name",
                            absl::StrCat("objective '", o.name,
                                         "' is declared twice"));
                }
                service.objectives.push_back(std::move(o));
              }
            }
          }
          if (const YAML::Node probes = s["probes"]) {
            internal::ReadProbes(p, probes, path + ".probes", &service.probes);
          }
          config.services.push_back(std::move(service));
        }
      }
    }

    std::vector<YAML::Node> app_nodes;
    if (const YAML::Node apps = root["applications"]) {
      if (!apps.IsSequence()) {
        p.Problem(apps, "applications", "expected a list of applications");
      } else {
        for (size_t i = 0; i < apps.size(); ++i) {
          const YAML::Node a = apps[i];
          const std::string path = absl::StrCat("applications[", i, "]");
          if (!p.Map(a, path, {"name", "components", "objectives"})) continue;
          ApplicationConfig app;
          if (!a["name"]) {
            p.Problem(a, path + ".name", "missing");
          } else if (p.String(a["name"], path + ".name", &app.name)) {
            if (service_nodes.contains(app.name)) {
              p.Problem(a["name"], path + ".name",
                        absl::StrCat("'", app.name,
                                     "' is already the name of a service"));
            }
            for (const ApplicationConfig& other : config.applications) {
              if (other.name == app.name) {
                p.Problem(a["name"], path + ".name",
                          absl::StrCat("application '", app.name,
                                       "' is declared twice"));
              }
            }
          }
          if (!a["components"]) {
            p.Problem(a, path + ".components", "missing");
          } else {
            p.Expression(a["components"], path + ".components",
                         &app.components);
          }
          if (const YAML::Node objs = a["objectives"]) {
            if (!objs.IsSequence()) {
              p.Problem(objs, path + ".objectives", "expected a list");
            } else {
              std::set<std::string> names;
              for (size_t k = 0; k < objs.size(); ++k) {
                ObjectiveSpec o;
                ObjectiveRules rules;
                const std::string opath =
                    absl::StrCat(path, ".objectives[", k, "]");
                p.Objective(objs[k], opath, app.name, config.timezone, &o,
                            &rules);
                // Alerts are per objective name, as for a service.
                if (!o.name.empty() && !names.insert(o.name).second) {
                  p.Problem(objs[k], opath + ".name",
                            absl::StrCat("objective '", o.name,
                                         "' is declared twice"));
                }
                // Their burn-rate alerts are wired (slakit serve); recovery
                // actions and the early warning are not yet.
                if (objs[k].IsMap() && objs[k]["remediation"]) {
                  p.Problem(objs[k]["remediation"], opath + ".remediation",
                            "applications' objectives run no recovery "
                            "action yet; put it on a service's objective");
                }
                const YAML::Node alerting =
                    objs[k].IsMap() ? objs[k]["alerting"] : YAML::Node();
                if (alerting && alerting.IsMap() &&
                    alerting["exhaustion_warning"]) {
                  p.Problem(alerting["exhaustion_warning"],
                            opath + ".alerting.exhaustion_warning",
                            "applications' objectives have no early "
                            "warning yet; put it on a service's objective");
                }
                // An application's objective counts the composite's
                // minutes; it has no SLIs or slices of its own.
                for (const char* key :
                     {"sli", "slis", "slice", "slice_threshold"}) {
                  if (objs[k].IsMap() && objs[k][key]) {
                    p.Problem(objs[k][key], absl::StrCat(opath, ".", key),
                              "not for an application: its objectives "
                              "count the composite's up and down minutes");
                  }
                }
                if (o.method != BudgetingMethod::kOccurrences &&
                    objs[k].IsMap() && objs[k]["budgeting"]) {
                  p.Problem(objs[k]["budgeting"], opath + ".budgeting",
                            "an application's objective counts the "
                            "composite's minutes: only occurrences");
                }
                app.objectives.push_back(std::move(o));
                app.rules.push_back(std::move(rules));
              }
            }
          }
          config.applications.push_back(std::move(app));
          app_nodes.push_back(a);
        }
      }
    }
    // Names in application expressions: services or other applications,
    // without cycles.
    absl::flat_hash_map<std::string, const CompositeExpr*> by_name;
    for (const ApplicationConfig& app : config.applications) {
      by_name.emplace(app.name, &app.components);
    }
    std::vector<CompositeExpr> expanded(config.applications.size());
    for (size_t i = 0; i < config.applications.size(); ++i) {
      const ApplicationConfig& app = config.applications[i];
      const std::string path = absl::StrCat("applications[", i, "].components");
      const YAML::Node where = app_nodes[i]["components"]
                                   ? app_nodes[i]["components"]
                                   : app_nodes[i];
      if (app.components.kind == CompositeExpr::Kind::kComponent &&
          app.components.name.empty()) {
        continue;  // already reported
      }
      std::vector<std::string> stack = {app.name};
      std::string error;
      int64_t budget = kMaxExpandedNodes;
      if (!Expand(app.components, by_name, &stack, &expanded[i], &error,
                  /*depth=*/1, &budget)) {
        p.Problem(where, path, error);
        continue;
      }
      std::string tenant_of;  // the tenant of the first component
      for (const std::string& name : expanded[i].Components()) {
        if (!service_nodes.contains(name)) {
          p.Problem(where, path,
                    absl::StrCat("'", name,
                                 "' is neither a service nor an application"));
          continue;
        }
        const ServiceConfig* service = config.FindService(name);
        if (service == nullptr) continue;  // reported with the service
        if (tenant_of.empty()) {
          tenant_of = service->tenant;
          config.applications[i].tenant = service->tenant;
        } else if (service->tenant != tenant_of) {
          p.Problem(where, path,
                    absl::StrCat("combines services of tenants '", tenant_of,
                                 "' and '", service->tenant,
                                 "'; an application belongs to one tenant"));
        }
      }
      if (absl::Status s = expanded[i].Validate(); !s.ok()) {
        p.Problem(where, path, s.message());
      }
    }
    for (size_t i = 0; i < config.applications.size(); ++i) {
      config.applications[i].components = std::move(expanded[i]);
    }

    if (const YAML::Node maint = root["maintenance"]) {
      if (!maint.IsSequence()) {
        p.Problem(maint, "maintenance", "expected a list of windows");
      } else {
        for (size_t i = 0; i < maint.size(); ++i) {
          const YAML::Node m = maint[i];
          const std::string path = absl::StrCat("maintenance[", i, "]");
          if (!p.Map(m, path, {"service", "start", "end"})) continue;
          MaintenanceWindow w;
          bool ok = true;
          if (!m["service"]) {
            p.Problem(m, path + ".service", "missing");
            ok = false;
          } else if (p.String(m["service"], path + ".service", &w.service) &&
                     !service_nodes.contains(w.service)) {
            p.Problem(m["service"], path + ".service",
                      absl::StrCat("unknown service '", w.service, "'"));
            ok = false;
          }
          for (const char* key : {"start", "end"}) {
            if (!m[key]) {
              p.Problem(m, absl::StrCat(path, ".", key), "missing");
              ok = false;
            }
          }
          if (!ok || !p.Time(m["start"], path + ".start", &w.window.from) ||
              !p.Time(m["end"], path + ".end", &w.window.to)) {
            continue;
          }
          if (w.window.to <= w.window.from) {
            p.Problem(m["end"], path + ".end",
                      "the window ends before or when it starts");
            continue;
          }
          for (size_t j = 0; j < config.maintenance.size(); ++j) {
            const MaintenanceWindow& other = config.maintenance[j];
            if (other.service == w.service && other.window.from < w.window.to &&
                w.window.from < other.window.to) {
              p.Problem(m, path,
                        absl::StrCat("overlaps another maintenance window of '",
                                     w.service, "' (",
                                     TimeToString(other.window.from), " to ",
                                     TimeToString(other.window.to), ")"));
            }
          }
          config.maintenance.push_back(std::move(w));
        }
      }
    }
    if (const YAML::Node sinks = root["alert_sinks"]) {
      if (!sinks.IsSequence()) {
        p.Problem(sinks, "alert_sinks", "expected a list of sinks");
      } else {
        for (size_t i = 0; i < sinks.size(); ++i) {
          AlertSinkConfig sink;
          p.Sink(sinks[i], absl::StrCat("alert_sinks[", i, "]"), &sink);
          config.alert_sinks.push_back(std::move(sink));
        }
      }
    }
  } catch (const YAML::Exception& e) {
    p.Problem(YAML::Node(), "config", e.what());
  }
  if (!p.problems().empty()) {
    return absl::InvalidArgumentError(absl::StrJoin(p.problems(), "\n"));
  }
  return config;
}

absl::StatusOr<Config> LoadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot read configuration '", path, "'"));
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), path);
}

}  // namespace sla
