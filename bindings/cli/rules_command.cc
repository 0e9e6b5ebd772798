#include "bindings/cli/rules_command.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/substitute.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "bindings/cli/files.h"
#include "sla/alerting.h"
#include "sla/config.h"
#include "sla/objective.h"
#include "sla/window.h"

namespace sla {
namespace cli {
namespace {

constexpr absl::string_view kAlertName = "SlakitErrorBudgetBurn";
constexpr absl::string_view kSliError = "slo:sli_error:ratio_rate";
constexpr absl::string_view kSeverities[] = {"page", "ticket"};

// ---------------------------------------------------------------- text

// Prometheus' spelling of a duration (model.Duration.String(), which Sloth
// names its rules with): years and weeks only when exact, then days, hours,
// minutes, seconds and milliseconds. 30d -> "30d", 28d -> "4w", 1d -> "1d",
// 90m -> "1h30m".
std::string PromDuration(absl::Duration d) {
  int64_t ms = absl::ToInt64Milliseconds(d);
  if (ms <= 0) return "0s";
  constexpr int64_t kDay = int64_t{24} * 3600 * 1000;
  struct Unit {
    absl::string_view name;
    int64_t ms;
    bool only_exact;
  };
  constexpr Unit kUnits[] = {{"y", 365 * kDay, true},
                             {"w", 7 * kDay, true},
                             {"d", kDay, false},
                             {"h", int64_t{3600} * 1000, false},
                             {"m", int64_t{60} * 1000, false},
                             {"s", 1000, false},
                             {"ms", 1, false}};
  std::string out;
  for (const Unit& u : kUnits) {
    if (u.only_exact && ms % u.ms != 0) continue;
    if (const int64_t n = ms / u.ms; n > 0) {
      absl::StrAppend(&out, n, u.name);
      ms -= n * u.ms;
    }
  }
  return out;
}

// The shortest text that reads back as `v`, without an exponent in the
// range of targets, budgets and factors: 0.0005, 14.4, 0.9333333333333333.
std::string Number(double v) {
  char buf[400];
  const std::chars_format format = std::fabs(v) >= 1e-10 && std::fabs(v) < 1e16
                                       ? std::chars_format::fixed
                                       : std::chars_format::general;
  const std::to_chars_result r =
      std::to_chars(buf, buf + sizeof(buf), v, format);
  if (r.ec != std::errc()) return absl::StrCat(v);  // unreachable
  return std::string(buf, r.ptr);
}

// A PromQL string literal: double quotes, with backslash, quote and control
// characters escaped (Go's escapes, which PromQL reads).
std::string PromString(absl::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          absl::StrAppendFormat(&out, "\\x%02x", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

// `s` as an RE2 literal (Prometheus anchors =~ matchers itself).
std::string RegexQuote(absl::string_view s) {
  std::string out;
  for (const char c : s) {
    if (absl::StrContains("\\.+*?()|[]{}^$", c)) {
      out += '\\';
    }
    out += c;
  }
  return out;
}

// One label matcher: name, operator ("=" or "=~") and value.
struct Matcher {
  std::string name;
  absl::string_view op;
  std::string value;
};

// `{k1="v1", k2=~"v2"}`, in the given order.
std::string Selector(absl::Span<const Matcher> matchers) {
  std::vector<std::string> parts;
  for (const Matcher& m : matchers) {
    parts.push_back(absl::StrCat(m.name, m.op, PromString(m.value)));
  }
  return absl::StrCat("{", absl::StrJoin(parts, ", "), "}");
}

bool IsLabelName(absl::string_view s) {
  if (s.empty() || absl::ascii_isdigit(s[0])) return false;
  for (const char c : s) {
    if (!absl::ascii_isalnum(c) && c != '_') return false;
  }
  return true;
}

// Whether `s` can be written as a plain YAML scalar that every YAML 1.1 and
// 1.2 reader takes for this string: letters, digits and _.:/()@- only,
// at least one letter, no leading indicator, not a boolean or null word,
// not a number (1e3, 0x1f).
bool IsPlainSafe(absl::string_view s) {
  if (s.empty()) return false;
  bool letter = false;
  for (const char c : s) {
    if (absl::ascii_isalpha(c)) {
      letter = true;
    } else if (!absl::ascii_isdigit(c) && !absl::StrContains("_.:/()@-", c)) {
      return false;
    }
  }
  if (!letter || absl::StrContains("-:@.", s[0]) || s.back() == ':') {
    return false;
  }
  if (absl::ascii_isdigit(s[0]) &&
      s.find_first_of("eExXoObB.") != absl::string_view::npos) {
    return false;
  }
  const std::string lower = absl::AsciiStrToLower(s);
  for (const absl::string_view word :
       {"y", "n", "yes", "no", "true", "false", "on", "off", "null"}) {
    if (lower == word) return false;
  }
  return true;
}

// `s` as the value of a block mapping entry whose key is at column
// `indent`: plain when safe, a literal block (|-) when it spans lines,
// single-quoted when printable, else double-quoted with escapes.
std::string YamlValue(absl::string_view s, int indent) {
  if (IsPlainSafe(s)) return std::string(s);
  bool printable = true;
  for (const char c : s) {
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\n') || c == 0x7f) {
      printable = false;
    }
  }
  if (printable && absl::StrContains(s, '\n') && !absl::StartsWith(s, " ")) {
    std::string out = "|-";
    for (const absl::string_view line : absl::StrSplit(s, '\n')) {
      out += '\n';
      if (!line.empty()) {
        absl::StrAppend(&out, std::string(indent + 2, ' '), line);
      }
    }
    return out;
  }
  if (printable && !absl::StrContains(s, '\n')) {
    return absl::StrCat("'", absl::StrReplaceAll(s, {{"'", "''"}}), "'");
  }
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      absl::StrAppendFormat(&out, "\\x%02x", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

// ---------------------------------------------------------------- rules

using Labels = std::map<std::string, std::string>;  // written sorted

struct Rule {
  std::string record;  // one of record, alert
  std::string alert;
  std::string expr;
  absl::Duration for_duration = absl::ZeroDuration();
  Labels labels;
  Labels annotations;
};

Rule Recording(std::string name, std::string expr, Labels labels) {
  Rule r;
  r.record = std::move(name);
  r.expr = std::move(expr);
  r.labels = std::move(labels);
  return r;
}

struct Group {
  std::vector<std::string> comments;  // written above the group
  std::string name;
  std::vector<Rule> rules;
};

void AppendMap(std::string* out, int indent, absl::string_view key,
               const Labels& map) {
  if (map.empty()) return;
  absl::StrAppend(out, std::string(indent, ' '), key, ":\n");
  for (const auto& [k, v] : map) {
    absl::StrAppend(out, std::string(indent + 2, ' '), k, ": ",
                    YamlValue(v, indent + 2), "\n");
  }
}

void AppendGroup(std::string* out, const Group& g) {
  for (const std::string& c : g.comments) {
    absl::StrAppend(out, "  #", c.empty() ? "" : " ", c, "\n");
  }
  absl::StrAppend(out, "  - name: ", YamlValue(g.name, 4), "\n",
                  "    rules:\n");
  for (const Rule& r : g.rules) {
    if (!r.record.empty()) {
      absl::StrAppend(out, "      - record: ", YamlValue(r.record, 8), "\n");
    } else {
      absl::StrAppend(out, "      - alert: ", YamlValue(r.alert, 8), "\n");
    }
    absl::StrAppend(out, "        expr: ", YamlValue(r.expr, 8), "\n");
    if (r.for_duration > absl::ZeroDuration()) {
      absl::StrAppend(out, "        for: ", PromDuration(r.for_duration), "\n");
    }
    AppendMap(out, 8, "labels", r.labels);
    AppendMap(out, 8, "annotations", r.annotations);
  }
}

// One objective to write rules for.
struct Objective {
  std::string tenant;
  const ObjectiveSpec* spec = nullptr;    // spec->service: service or app
  const ObjectiveRules* rules = nullptr;  // null when the config has none
  std::string query;                      // error-ratio template, or ""
};

std::string Key(const ObjectiveSpec& spec) {
  return absl::StrCat(spec.service, "/", spec.name);
}

absl::Status Problem(const ObjectiveSpec& spec, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("objective '", Key(spec), "': ", what));
}

// Appends the groups of one objective to `groups`.
absl::Status ObjectiveGroups(const Objective& o,
                             const PrometheusRulesOptions& options,
                             std::vector<Group>* groups) {
  const ObjectiveSpec& spec = *o.spec;
  absl::StatusOr<Window> window = Window::Parse(spec.window);
  if (!window.ok()) return Problem(spec, window.status().message());
  absl::StatusOr<Target> target = Target::FromPercent(spec.target_percent);
  if (!target.ok()) return Problem(spec, target.status().message());
  const absl::Duration period = NominalLength(*window);
  const std::string budget = Number(target->budget_fraction());

  AlertPolicy policy;
  if (o.rules != nullptr && o.rules->custom_policy) {
    policy = o.rules->alert_policy;
  }
  std::vector<BurnTier> tiers;
  if (spec.alerting) {
    if (absl::Status s = ValidateAlertPolicy(policy); !s.ok()) {
      return Problem(spec, s.message());
    }
    absl::StatusOr<std::vector<BurnTier>> t = PolicyTiers(policy, *window);
    if (!t.ok()) return Problem(spec, t.status().message());
    tiers = *std::move(t);
  }

  const bool from_slakit =
      o.query.empty() && options.source == RulesSource::kSlakit;
  const absl::Span<const absl::Duration> standard = StandardBurnWindows();
  std::vector<absl::Duration> windows(standard.begin(), standard.end());
  for (const BurnTier& t : tiers) {
    for (const absl::Duration w : {t.short_window, t.long_window}) {
      if (std::find(windows.begin(), windows.end(), w) != windows.end()) {
        continue;
      }
      if (from_slakit) {
        std::vector<std::string> names;
        for (const absl::Duration s : standard) {
          names.push_back(DurationToString(s));
        }
        return Problem(spec,
                       absl::StrCat("alert tier window ", DurationToString(w),
                                    " is not a burn window of slakit serve's "
                                    "/metrics (",
                                    absl::StrJoin(names, " "),
                                    "); use --source blackbox or "
                                    "--error-ratio-query"));
      }
      windows.push_back(w);
    }
  }
  std::sort(windows.begin(), windows.end());

  const std::string id = absl::StrCat(spec.service, "-", spec.name);
  const Labels ids = {{"sloth_id", id},
                      {"sloth_service", spec.service},
                      {"sloth_slo", spec.name}};
  const std::string sel = Selector({{"sloth_id", "=", id},
                                    {"sloth_service", "=", spec.service},
                                    {"sloth_slo", "=", spec.name}});
  const auto sli_name = [](absl::Duration w) {
    return absl::StrCat(kSliError, PromDuration(w));
  };
  const auto sli_labels = [&](absl::Duration w) {
    Labels l = ids;
    l["sloth_window"] = PromDuration(w);
    return l;
  };
  const std::vector<Matcher> slakit_series = {{"tenant", "=", o.tenant},
                                              {"service", "=", spec.service},
                                              {"objective", "=", spec.name}};
  std::vector<Matcher> probes = {{options.service_label, "=", spec.service}};
  if (spec.slis.size() == 1) {
    probes.push_back({options.probe_label, "=", spec.slis[0]});
  } else if (spec.slis.size() > 1) {
    std::vector<std::string> alternatives;
    for (const std::string& s : spec.slis) {
      alternatives.push_back(RegexQuote(s));
    }
    probes.push_back(
        {options.probe_label, "=~", absl::StrJoin(alternatives, "|")});
  }
  const std::string probe_sel = absl::StrCat("probe_success", Selector(probes));
  // The error ratio over the last `w`.
  const auto error_ratio = [&](absl::Duration w) -> std::string {
    const std::string range = PromDuration(w);
    if (!o.query.empty()) {
      return absl::StrReplaceAll(
          o.query, {{"{{.window}}", range}, {"{{ .window }}", range}});
    }
    if (from_slakit) {
      std::vector<Matcher> m = slakit_series;
      m.push_back({"burn_window", "=", DurationToString(w)});
      return absl::StrCat("max(slakit_objective_burn_rate", Selector(m), ") * ",
                          budget);
    }
    return absl::StrCat("1 - (\n  sum(sum_over_time(", probe_sel, "[", range,
                        "]))\n  /\n  sum(count_over_time(", probe_sel, "[",
                        range, "]))\n)");
  };

  // SLI recordings.
  Group sli;
  sli.name = absl::StrCat("sloth-slo-sli-recordings-", id);
  for (const absl::Duration w : windows) {
    sli.rules.push_back(Recording(sli_name(w), error_ratio(w), sli_labels(w)));
  }
  if (std::find(windows.begin(), windows.end(), period) == windows.end()) {
    std::string expr;
    if (from_slakit) {
      expr = absl::StrCat("max(1 - slakit_objective_availability_ratio",
                          Selector(slakit_series), ")");
    } else {
      // Sloth's: the mean of the 5m ratio, so that no rule reads a whole
      // window of raw samples.
      const std::string five = absl::StrCat(sli_name(absl::Minutes(5)), sel,
                                            "[", PromDuration(period), "]");
      expr = absl::StrCat("sum_over_time(", five,
                          ")\n/ ignoring (sloth_window)\ncount_over_time(",
                          five, ")");
    }
    sli.rules.push_back(Recording(sli_name(period), expr, sli_labels(period)));
  }

  // Metadata recordings.
  Group meta;
  meta.name = absl::StrCat("sloth-slo-meta-recordings-", id);
  const auto ratio_over_budget = [&](absl::Duration w) {
    return absl::StrCat(
        sli_name(w), sel,
        "\n/ on(sloth_id, sloth_slo, sloth_service) group_left\n"
        "slo:error_budget:ratio",
        sel);
  };
  Labels info = ids;
  info["slakit_source"] = !o.query.empty() ? "query"
                          : from_slakit    ? "slakit"
                                           : "blackbox";
  info["slakit_tenant"] = o.tenant;
  info["slakit_window"] = spec.window;
  meta.rules = {
      Recording("slo:objective:ratio",
                absl::StrCat("vector(", Number(target->fraction()), ")"), ids),
      Recording("slo:error_budget:ratio", absl::StrCat("vector(", budget, ")"),
                ids),
      Recording("slo:time_period:days",
                absl::StrCat("vector(",
                             Number(absl::ToDoubleHours(period) / 24), ")"),
                ids),
      Recording("slo:current_burn_rate:ratio",
                ratio_over_budget(absl::Minutes(5)), ids),
      Recording("slo:period_burn_rate:ratio", ratio_over_budget(period), ids),
      Recording("slo:period_error_budget_remaining:ratio",
                absl::StrCat("1 - slo:period_burn_rate:ratio", sel), ids),
      Recording("sloth_slo_info", "vector(1)", info),
  };

  // What the reader should know about this objective.
  std::vector<std::string> comments;
  comments.push_back(absl::StrCat(
      Key(spec), ": ", spec.target_percent, "% over ", spec.window, ", ",
      spec.alerting ? "page and ticket alerts" : "no alerts (alerting off)",
      spec.alerting && policy.tiers.empty() ? " (default tiers)"
      : spec.alerting                       ? " (its own tiers)"
                                            : "",
      "."));
  if (!window->is_rolling()) {
    comments.push_back(absl::StrCat(
        "Calendar window: Sloth's rules are rolling, so ", spec.window,
        " is taken as its nominal ", PromDuration(period),
        " (factors, slo:time_period:days, the name of its ratio)",
        from_slakit ? "; the ratio itself is slakit's, the period to date."
                    : "."));
  }
  if (!from_slakit && o.query.empty() &&
      spec.method != BudgetingMethod::kOccurrences) {
    comments.push_back(absl::StrCat(
        "Budgeting ", BudgetingMethodName(spec.method),
        ": these ratios count probe results (occurrences), not slices."));
  }
  if (spec.alerting && policy.min_short_window_events > 0) {
    comments.push_back(absl::StrCat(
        "Not expressed: the low-traffic guard (min_short_window_events ",
        policy.min_short_window_events, ")."));
  }
  sli.comments = std::move(comments);
  groups->push_back(std::move(sli));
  groups->push_back(std::move(meta));
  if (!spec.alerting) return absl::OkStatus();

  // Alerts: one per severity with tiers, any of its tiers firing it.
  Group alerts;
  alerts.name = absl::StrCat("sloth-slo-alerts-", id);
  for (const absl::string_view severity : kSeverities) {
    std::vector<std::string> conditions;
    std::vector<std::string> prose;
    for (const BurnTier& t : tiers) {
      if (t.severity != severity) continue;
      const std::string threshold =
          absl::StrCat("(", Number(t.factor), " * ", budget, ")");
      const auto above = [&](absl::Duration w) {
        return absl::StrCat("max without (sloth_window) (", sli_name(w), sel,
                            " > ", threshold, ")");
      };
      conditions.push_back(absl::StrCat("(\n  ", above(t.short_window),
                                        "\n  and\n  ", above(t.long_window),
                                        "\n)"));
      prose.push_back(absl::StrCat(Number(t.factor), " x the budget over both ",
                                   DurationToString(t.long_window), " and ",
                                   DurationToString(t.short_window)));
    }
    if (conditions.empty()) continue;
    Rule r;
    r.alert = std::string(kAlertName);
    r.expr = absl::StrJoin(conditions, "\nor\n");
    r.for_duration = policy.for_duration;
    // The sloth_* labels come from the expression too; written here, they
    // tell the rules of different objectives apart (promtool's lint).
    r.labels = ids;
    r.labels["severity"] = std::string(severity);
    r.labels["sloth_severity"] = std::string(severity);
    r.annotations = {
        {"summary",
         absl::StrCat(Key(spec), " is burning its error budget too fast (",
                      severity, ")")},
        {"description",
         absl::StrCat("The error ratio of ", Key(spec), " (objective ",
                      spec.target_percent, "% over ", spec.window, ", budget ",
                      budget, ") is above ",
                      absl::StrJoin(prose, ", or above "), ".")}};
    alerts.rules.push_back(std::move(r));
  }
  groups->push_back(std::move(alerts));
  return absl::OkStatus();
}

std::string Header(const PrometheusRulesOptions& options) {
  constexpr absl::string_view kIntro =
      R"(# Prometheus rules for the objectives of $0,
# written by `slakit rules --source $1`.
# Do not edit: change the configuration and run the command again.
#
# Names and labels are Sloth's (https://sloth.dev), so its Grafana dashboards
# work: slo:sli_error:ratio_rate<window>, slo:* metadata, sloth_slo_info;
# labels sloth_id, sloth_service, sloth_slo, sloth_window.
)";
  constexpr absl::string_view kSlakit =
      R"(# Error ratios: slakit serve's /metrics (Prometheus must scrape it),
# slakit's exact counts: slakit_objective_burn_rate x (1 - target) per window,
# and 1 - slakit_objective_availability_ratio over the objective's window.
)";
  constexpr absl::string_view kBlackbox =
      R"(# Error ratios: blackbox_exporter's probe_success{$0, $1}:
# 1 - good / total probe results of the objective's probes in each window,
# pooled; the objective's window averages the 5m ratio, as Sloth does.
)";
  constexpr absl::string_view kAlerts =
      R"(# Alerts: $0, severity page or ticket. A tier holds
# when the error ratio over both its long and short window is above
# factor x (1 - target). slakit's resolve_after and low-traffic guard are
# not expressed.
)";
  const bool slakit = options.source == RulesSource::kSlakit;
  return absl::StrCat(absl::Substitute(kIntro, options.config_name,
                                       slakit ? "slakit" : "blackbox"),
                      slakit
                          ? std::string(kSlakit)
                          : absl::Substitute(kBlackbox, options.service_label,
                                             options.probe_label),
                      absl::Substitute(kAlerts, kAlertName));
}

}  // namespace

absl::StatusOr<std::string> RenderPrometheusRules(
    const Config& config, const PrometheusRulesOptions& options) {
  for (const auto& [flag, label] :
       {std::pair<absl::string_view, absl::string_view>{"service label",
                                                        options.service_label},
        {"probe label", options.probe_label}}) {
    if (!IsLabelName(label)) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, " '", label, "' is not a Prometheus label name"));
    }
  }
  // Every objective, and the queries' keys.
  std::vector<Objective> objectives;
  std::vector<std::string> skipped;
  std::set<std::string> used;
  const auto add = [&](absl::string_view tenant, const ObjectiveSpec& spec,
                       const std::vector<ObjectiveRules>& rules, size_t k,
                       bool application) {
    Objective o;
    o.tenant = std::string(tenant);
    o.spec = &spec;
    o.rules = k < rules.size() ? &rules[k] : nullptr;
    if (auto it = options.error_ratio_queries.find(Key(spec));
        it != options.error_ratio_queries.end()) {
      o.query = it->second;
      used.insert(it->first);
    }
    if (application && o.query.empty()) {
      skipped.push_back(Key(spec));
      return;
    }
    objectives.push_back(std::move(o));
  };
  for (const ServiceConfig& s : config.services) {
    for (size_t k = 0; k < s.objectives.size(); ++k) {
      add(s.tenant, s.objectives[k], s.rules, k, false);
    }
  }
  for (const ApplicationConfig& a : config.applications) {
    for (size_t k = 0; k < a.objectives.size(); ++k) {
      add(a.tenant, a.objectives[k], a.rules, k, true);
    }
  }
  for (const auto& [key, query] : options.error_ratio_queries) {
    if (used.count(key) == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "error ratio query for '", key,
          "': no such objective (service/objective or application/objective)"));
    }
    if (!absl::StrContains(query, "{{.window}}") &&
        !absl::StrContains(query, "{{ .window }}")) {
      return absl::InvalidArgumentError(
          absl::StrCat("error ratio query for '", key,
                       "': no {{.window}} where the range goes"));
    }
  }

  std::vector<Group> groups;
  std::map<std::string, std::string> ids;  // sloth_id -> objective
  for (const Objective& o : objectives) {
    const std::string id = absl::StrCat(o.spec->service, "-", o.spec->name);
    auto [it, inserted] = ids.emplace(id, Key(*o.spec));
    if (!inserted) {
      return Problem(
          *o.spec,
          absl::StrCat("its sloth_id '", id, "' is also that of '", it->second,
                       "' (rule group names would repeat)"));
    }
    if (absl::Status s = ObjectiveGroups(o, options, &groups); !s.ok()) {
      return s;
    }
  }

  std::string out = Header(options);
  for (const std::string& key : skipped) {
    absl::StrAppend(&out, "# Not exported: application objective ", key,
                    " (composite minutes are slakit's own); give",
                    " --error-ratio-query ", key, "=PROMQL to export it.\n");
  }
  if (groups.empty()) {
    absl::StrAppend(&out, "groups: []\n");
    return out;
  }
  absl::StrAppend(&out, "groups:\n");
  for (size_t i = 0; i < groups.size(); ++i) {
    if (i > 0 && !groups[i].comments.empty()) out += "\n";
    AppendGroup(&out, groups[i]);
  }
  return out;
}

absl::StatusOr<std::string> RunRules(const RulesOptions& options) {
  PrometheusRulesOptions render;
  if (options.source == "slakit") {
    render.source = RulesSource::kSlakit;
  } else if (options.source == "blackbox") {
    render.source = RulesSource::kBlackbox;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "--source: '", options.source, "' is not slakit or blackbox"));
  }
  render.service_label = options.service_label;
  render.probe_label = options.probe_label;
  for (const std::string& q : options.error_ratio_queries) {
    std::pair<std::string, std::string> kv =
        absl::StrSplit(q, absl::MaxSplits('=', 1));
    if (!absl::StrContains(kv.first, '/') || !absl::StrContains(q, '=')) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--error-ratio-query: '", q, "' is not service/objective=PROMQL"));
    }
    const std::string query(absl::StripAsciiWhitespace(kv.second));
    if (!render.error_ratio_queries.emplace(kv.first, query).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("--error-ratio-query: '", kv.first, "' is given twice"));
    }
  }
  render.config_name = options.config;
  absl::StatusOr<Config> config = LoadConfig(options.config);
  if (!config.ok()) return config.status();
  absl::StatusOr<std::string> text = RenderPrometheusRules(*config, render);
  if (!text.ok() || options.out.empty()) return text;
  if (absl::Status s = WriteFileAtomically(options.out, *text, "--out");
      !s.ok()) {
    return s;
  }
  return absl::StrCat("wrote ", options.out, "\n");
}

}  // namespace cli
}  // namespace sla
