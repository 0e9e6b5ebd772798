#include "sla/openslo.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "sla/alerting.h"
#include "sla/internal/node_reader.h"
#include "sla/objective.h"
#include "sla/window.h"
#include "yaml-cpp/depthguard.h"
#include "yaml-cpp/eventhandler.h"
#include "yaml-cpp/yaml.h"

namespace sla {

absl::string_view OpenSloMetricName(OpenSloMetric metric) {
  switch (metric) {
    case OpenSloMetric::kRatioGoodTotal:
      return "ratioMetric good/total";
    case OpenSloMetric::kRatioBadTotal:
      return "ratioMetric bad/total";
    case OpenSloMetric::kRatioRaw:
      return "ratioMetric raw";
    case OpenSloMetric::kThreshold:
      return "thresholdMetric";
  }
  return "?";
}

namespace {

using internal::NodeReader;

constexpr absl::string_view kV1 = "openslo/v1";
constexpr absl::string_view kV1Alpha = "openslo/v1alpha";

// The shortest text that reads back as `value`.
std::string Num(double value) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, res.ptr);
}

// Moves the decimal point of a plain decimal text `shift` places to the
// right (left when negative): "0.995", 2 -> "99.5"; "99.9", -2 -> "0.999".
// Targets convert this way so that the percent is the decimal the file
// wrote, not a product rounded in binary. nullopt for other forms (signs,
// exponents).
std::optional<std::string> MovePoint(absl::string_view text, int shift) {
  const size_t dot = text.find('.');
  const std::string whole(text.substr(0, dot));
  const std::string frac(dot == absl::string_view::npos ? absl::string_view()
                                                        : text.substr(dot + 1));
  std::string digits = whole + frac;
  if (digits.empty() || absl::StrContains(frac, '.')) {
    return std::nullopt;
  }
  for (char c : digits) {
    if (!absl::ascii_isdigit(c)) return std::nullopt;
  }
  int64_t point = static_cast<int64_t>(whole.size()) + shift;
  if (point < 0) {
    digits.insert(0, static_cast<size_t>(-point), '0');
    point = 0;
  }
  if (point > static_cast<int64_t>(digits.size())) {
    digits.append(static_cast<size_t>(point) - digits.size(), '0');
  }
  std::string int_part = digits.substr(0, static_cast<size_t>(point));
  std::string frac_part = digits.substr(static_cast<size_t>(point));
  const size_t nz = int_part.find_first_not_of('0');
  int_part = nz == std::string::npos ? "0" : int_part.substr(nz);
  while (!frac_part.empty() && frac_part.back() == '0') frac_part.pop_back();
  return frac_part.empty() ? int_part : absl::StrCat(int_part, ".", frac_part);
}

// OpenSLO names (schema parts/name.schema.json): 1 to 255 of
// [a-z0-9.|/\-], starting with [a-z0-9].
bool IsOpenSloName(absl::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  const auto lower_alnum = [](char c) {
    return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'z');
  };
  if (!lower_alnum(name[0])) return false;
  for (char c : name) {
    if (!lower_alnum(c) && c != '.' && c != '|' && c != '/' && c != '\\' &&
        c != '-') {
      return false;
    }
  }
  return true;
}

// A duration shorthand: a whole number > 0 and one of m h d w M Q Y
// (schema parts/duration-shorthand.schema.json: ^[1-9][0-9]*[mhdwMQY]$).
struct Shorthand {
  int64_t count = 0;
  char unit = 'm';
};

std::optional<Shorthand> ParseShorthand(absl::string_view text) {
  if (text.size() < 2 || text.size() > 10 || text[0] < '1' || text[0] > '9') {
    return std::nullopt;
  }
  const char unit = text.back();
  if (!absl::StrContains("mhdwMQY", unit)) {
    return std::nullopt;
  }
  Shorthand s;
  s.unit = unit;
  if (!absl::SimpleAtoi(text.substr(0, text.size() - 1), &s.count)) {
    return std::nullopt;
  }
  for (char c : text.substr(0, text.size() - 1)) {
    if (!absl::ascii_isdigit(c)) return std::nullopt;
  }
  return s;
}

std::string UnitWord(char unit, int64_t count) {
  const char* word = "?";
  switch (unit) {
    case 's':
      word = "second";
      break;
    case 'm':
      word = "minute";
      break;
    case 'h':
      word = "hour";
      break;
    case 'd':
      word = "day";
      break;
    case 'w':
      word = "week";
      break;
    case 'M':
      word = "month";
      break;
    case 'Q':
      word = "quarter";
      break;
    case 'Y':
      word = "year";
      break;
  }
  return absl::StrCat(count, " ", word, count == 1 ? "" : "s");
}

// m, h, d, w as a fixed length; nullopt for M, Q, Y.
std::optional<absl::Duration> FixedLength(const Shorthand& s) {
  switch (s.unit) {
    case 'm':
      return absl::Minutes(s.count);
    case 'h':
      return absl::Hours(s.count);
    case 'd':
      return absl::Hours(int64_t{24} * s.count);
    case 'w':
      return absl::Hours(int64_t{168} * s.count);
    default:
      return std::nullopt;
  }
}

// Records where each document starts, building nothing.
class DocumentStarts : public YAML::EventHandler {
 public:
  YAML::Mark start;
  void OnDocumentStart(const YAML::Mark& mark) override { start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// The documents of a YAML stream, like YAML::LoadAll, which loops forever
// (allocating until it runs out of memory) on some invalid input: yaml-cpp
// 0.7 reads "- a\n,\n" as [a] followed by endless null documents at the
// ','. Here a first pass finds where each document starts, stopping at a
// document that does not move past the previous one (`*error` is then
// "line:column: not valid YAML: ..."); then each document's lines are
// loaded on their own, after as many empty lines, so that marks keep their
// place in the file. Throws YAML::Exception for other syntax errors.
std::vector<YAML::Node> LoadDocuments(absl::string_view text,
                                      std::string* error) {
  const std::string all(text);
  std::vector<int> start_lines;
  {
    std::stringstream in(all);
    YAML::Parser parser(in);
    YAML::Mark previous;
    bool first = true;
    for (;;) {
      DocumentStarts h;
      if (!parser.HandleNextDocument(h)) break;
      if (!first && h.start.pos <= previous.pos) {
        const size_t at = static_cast<size_t>(std::max(0, h.start.pos));
        *error = absl::StrCat(
            h.start.line + 1, ":", h.start.column + 1,
            ": not valid YAML: unexpected '",
            at < all.size() ? absl::CEscape(all.substr(at, 1)) : "",
            "' (no document, key or list item can start here)");
        return {};
      }
      start_lines.push_back(first ? 0 : h.start.line);
      previous = h.start;
      first = false;
    }
  }
  // Line starts, to cut the text into its documents.
  std::vector<size_t> line_at = {0};
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i] == '\n') line_at.push_back(i + 1);
  }
  std::vector<YAML::Node> docs;
  for (size_t d = 0; d < start_lines.size(); ++d) {
    const size_t line = static_cast<size_t>(start_lines[d]);
    const size_t from = line < line_at.size() ? line_at[line] : all.size();
    size_t to = all.size();
    if (d + 1 < start_lines.size()) {
      const size_t next = static_cast<size_t>(start_lines[d + 1]);
      to = next < line_at.size() ? line_at[next] : all.size();
    }
    docs.push_back(
        YAML::Load(std::string(line, '\n') + all.substr(from, to - from)));
  }
  return docs;
}

// One input file: its documents and where its messages go.
struct File {
  explicit File(const std::string& name)
      : source(name), errors(name), warnings(name) {}
  std::string source;
  NodeReader errors;                       // problems
  NodeReader warnings;                     // inexact conversions
  std::vector<std::string> syntax_errors;  // not valid YAML
};

// One OpenSLO object: a YAML document, or an item of a document that is a
// list.
struct Object {
  File* file = nullptr;
  std::string api_version;
  std::string kind;
  std::string name;  // "" when missing or invalid
  std::string path;  // "SLO/name", or "document[i]" without a name
  std::string display_name;
  YAML::Node node;
  YAML::Node spec;  // a map when `valid`
  bool valid = false;
  bool used = false;
  bool v1alpha() const { return api_version == kV1Alpha; }
};

// A parsed SLI (an SLI document, an inline indicator, or a v1alpha query).
struct Sli {
  bool ok = false;
  OpenSloMetric metric = OpenSloMetric::kRatioGoodTotal;
  std::string source_type;
  std::string origin;
};

// A parsed AlertCondition.
struct Condition {
  bool ok = false;
  std::string name;
  BurnTier tier;
  absl::Duration alert_after = absl::ZeroDuration();
};

// A parsed AlertPolicy.
struct Policy {
  bool ok = false;
  std::string name;
  bool breaching = true;
  std::vector<Condition> conditions;
  std::vector<std::string> targets;
};

std::string Origin(const File& f, const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  if (m.line < 0) return f.source;
  return absl::StrCat(f.source, ":", m.line + 1);
}

class Converter {
 public:
  explicit Converter(absl::Span<const OpenSloFile> files);
  absl::StatusOr<OpenSloImport> Run();

 private:
  void ReadFile(File& f, absl::string_view text);
  void ReadObject(File& f, const YAML::Node& node, int index);
  bool Name(File& f, const YAML::Node& node, absl::string_view path,
            std::string* out);
  void Metadata(File& f, const YAML::Node& node, absl::string_view path,
                std::string* name, std::string* display_name);

  Sli ReadSliSpec(File& f, const YAML::Node& spec, absl::string_view path);
  void MetricSource(File& f, const YAML::Node& node, absl::string_view path,
                    std::string* type);
  void AlphaQuery(File& f, const YAML::Node& node, absl::string_view path,
                  std::string* source);
  Condition ReadCondition(File& f, const YAML::Node& spec,
                          absl::string_view path, const std::string& name);
  Policy ReadPolicy(File& f, const YAML::Node& spec, absl::string_view path,
                    const std::string& name);
  bool ShorthandDuration(File& f, const YAML::Node& node,
                         absl::string_view path, absl::string_view what,
                         absl::Duration* out);
  bool ReadWindow(File& f, const Object& slo, absl::string_view path,
                  std::string* out, absl::Duration* rolling_length);
  bool MakeWindow(File& f, const YAML::Node& item, absl::string_view item_path,
                  const YAML::Node& where, absl::string_view path, Shorthand s,
                  bool rolling, const YAML::Node& calendar, std::string* out,
                  absl::Duration* rolling_length);
  bool SliceWindow(File& f, const YAML::Node& node, absl::string_view path,
                   absl::Duration* out);
  // What the objectives of one SLO share.
  struct SloContext {
    const Object* slo = nullptr;
    std::string service;
    Sli sli;  // the SLO's SLI, unless per_objective_sli
    std::string sli_name;
    bool per_objective_sli = false;  // v1alpha: ratioMetrics per objective
    std::string window;
    absl::Duration rolling_length;  // zero for a calendar window
    BudgetingMethod method = BudgetingMethod::kOccurrences;
    ObjectiveRules rules;
    std::vector<std::string> policy_names;
    std::vector<std::string> target_names;
    size_t objective_count = 0;
  };
  void ReadSlo(Object& slo);
  void SloIndicator(File& f, const Object& slo, const std::string& path,
                    SloContext* c);
  void SloAlertPolicies(File& f, const YAML::Node& spec,
                        const std::string& path, SloContext* c);
  void ReadObjective(File& f, const YAML::Node& o, const std::string& ip,
                     int index, const SloContext& c, ObjectiveSpec* os,
                     OpenSloObjective* info);
  bool ReadTarget(File& f, const YAML::Node& objective, absl::string_view path,
                  double* percent);

  const Object* Find(absl::string_view kind, absl::string_view name) const;
  std::string Known(absl::string_view kind) const;
  ServiceConfig& Service(const std::string& name);

  std::vector<File> files_;
  std::vector<const OpenSloFile*> inputs_;
  std::vector<Object> objects_;
  std::map<std::pair<std::string, std::string>, size_t> by_name_;
  std::map<std::string, Sli> slis_;              // SLI documents by name
  std::map<std::string, Condition> conditions_;  // AlertCondition documents
  std::map<std::string, Policy> policies_;       // AlertPolicy documents

  std::vector<ServiceConfig> services_;
  std::map<std::string, size_t> service_index_;
  std::vector<std::vector<OpenSloObjective>> objectives_;  // per service
  // Objective names per service, with the SLO that took each.
  std::map<std::pair<std::string, std::string>, std::string> objective_names_;
  // (service, SLI name) -> where that SLI is defined.
  std::map<std::pair<std::string, std::string>, std::string> sli_names_;
};

Converter::Converter(absl::Span<const OpenSloFile> files) {
  files_.reserve(files.size());
  for (const OpenSloFile& f : files) {
    files_.emplace_back(f.source);
    inputs_.push_back(&f);
  }
}

ServiceConfig& Converter::Service(const std::string& name) {
  auto it = service_index_.find(name);
  if (it == service_index_.end()) {
    it = service_index_.emplace(name, services_.size()).first;
    ServiceConfig s;
    s.name = name;
    services_.push_back(std::move(s));
    objectives_.emplace_back();
  }
  return services_[it->second];
}

const Object* Converter::Find(absl::string_view kind,
                              absl::string_view name) const {
  auto it = by_name_.find({std::string(kind), std::string(name)});
  return it == by_name_.end() ? nullptr : &objects_[it->second];
}

// "(defined: a, b)" or "(no K is defined)" for messages about references.
std::string Converter::Known(absl::string_view kind) const {
  std::vector<std::string> names;
  for (const auto& [key, index] : by_name_) {
    if (key.first == kind) names.push_back(key.second);
  }
  if (names.empty()) {
    return absl::StrCat("(no ", kind, " is defined in the files given)");
  }
  if (names.size() > 10) {
    names.resize(10);
    names.push_back("...");
  }
  return absl::StrCat("(defined: ", absl::StrJoin(names, ", "), ")");
}

bool Converter::Name(File& f, const YAML::Node& node, absl::string_view path,
                     std::string* out) {
  if (!f.errors.String(node, path, out)) return false;
  if (!IsOpenSloName(*out)) {
    f.errors.Problem(node, path,
                     absl::StrCat("'", *out,
                                  "' is not an OpenSLO name (1 to 255 of "
                                  "a-z, 0-9, '.', '|', '/', '\\', '-', "
                                  "starting with a letter or digit)"));
    return false;
  }
  return true;
}

void Converter::Metadata(File& f, const YAML::Node& node,
                         absl::string_view path, std::string* name,
                         std::string* display_name) {
  if (!f.errors.Map(node, path,
                    {"name", "displayName", "labels", "annotations"})) {
    return;
  }
  if (name != nullptr) {
    if (!node["name"]) {
      f.errors.Problem(node, absl::StrCat(path, ".name"), "missing");
    } else if (!Name(f, node["name"], absl::StrCat(path, ".name"), name)) {
      name->clear();
    }
  }
  if (const YAML::Node d = node["displayName"]) {
    std::string text;
    if (f.errors.String(d, absl::StrCat(path, ".displayName"), &text) &&
        display_name != nullptr) {
      *display_name = text;
    }
  }
  for (const char* key : {"labels", "annotations"}) {
    if (const YAML::Node m = node[key]; m && !m.IsMap()) {
      f.errors.Problem(m, absl::StrCat(path, ".", key),
                       "expected a mapping of keys to values");
    }
  }
}

void Converter::ReadFile(File& f, absl::string_view text) {
  std::vector<YAML::Node> docs;
  try {
    std::string error;
    docs = LoadDocuments(text, &error);
    if (!error.empty()) {
      f.syntax_errors.push_back(absl::StrCat(f.source, ":", error));
      return;
    }
  } catch (const YAML::DeepRecursion& e) {  // its message is "bad file"
    f.syntax_errors.push_back(absl::StrCat(
        f.source, ":", e.mark.line + 1, ":", e.mark.column + 1,
        ": not valid YAML: nested deeper than ", e.depth() - 1, " levels"));
    return;
  } catch (const YAML::Exception& e) {
    f.syntax_errors.push_back(absl::StrCat(f.source, ":", e.mark.line + 1, ":",
                                           e.mark.column + 1,
                                           ": not valid YAML: ", e.msg));
    return;
  }
  int index = 0;
  for (const YAML::Node& doc : docs) {
    if (!doc || doc.IsNull()) continue;
    if (doc.IsSequence()) {
      for (size_t i = 0; i < doc.size(); ++i) ReadObject(f, doc[i], index++);
    } else {
      ReadObject(f, doc, index++);
    }
  }
  if (index == 0) {
    f.syntax_errors.push_back(
        absl::StrCat(f.source, ": holds no OpenSLO object"));
  }
}

void Converter::ReadObject(File& f, const YAML::Node& node, int index) {
  Object o;
  o.file = &f;
  o.node = node;
  o.path = absl::StrCat("document[", index, "]");
  if (!node.IsMap()) {
    f.errors.Problem(node, o.path,
                     "expected an OpenSLO object {apiVersion, kind, "
                     "metadata, spec} (or a list of them)");
    return;
  }
  // Name the object in paths as soon as it has a plausible kind and name.
  const YAML::Node kind = node["kind"];
  const YAML::Node meta = node["metadata"];
  if (kind && kind.IsScalar() && meta && meta.IsMap() && meta["name"] &&
      meta["name"].IsScalar() && !meta["name"].Scalar().empty()) {
    o.path = absl::StrCat(kind.Scalar(), "/", meta["name"].Scalar());
  }
  f.errors.Map(node, o.path, {"apiVersion", "kind", "metadata", "spec"});
  bool ok = true;
  if (!node["apiVersion"]) {
    f.errors.Problem(node, o.path + ".apiVersion",
                     "missing (openslo/v1, or openslo/v1alpha)");
    ok = false;
  } else if (f.errors.String(node["apiVersion"], o.path + ".apiVersion",
                             &o.api_version)) {
    if (o.api_version != kV1 && o.api_version != kV1Alpha) {
      f.errors.Problem(
          node["apiVersion"], o.path + ".apiVersion",
          absl::StrCat("'", o.api_version,
                       "' is not an OpenSLO version slakit reads "
                       "(openslo/v1, or openslo/v1alpha as Sloth does)"));
      ok = false;
    }
  } else {
    ok = false;
  }
  static const std::vector<std::string> kV1Kinds = {"SLO",
                                                    "SLI",
                                                    "Service",
                                                    "AlertPolicy",
                                                    "AlertCondition",
                                                    "DataSource",
                                                    "AlertNotificationTarget"};
  if (!kind) {
    f.errors.Problem(
        node, o.path + ".kind",
        absl::StrCat("missing (one of ", absl::StrJoin(kV1Kinds, ", "), ")"));
    ok = false;
  } else if (f.errors.String(kind, o.path + ".kind", &o.kind)) {
    const bool known =
        std::find(kV1Kinds.begin(), kV1Kinds.end(), o.kind) != kV1Kinds.end();
    if (!known) {
      f.errors.Problem(
          kind, o.path + ".kind",
          absl::StrCat("unknown kind '", o.kind, "' (one of ",
                       absl::StrJoin(kV1Kinds, ", "), "; case matters)"));
      ok = false;
    } else if (o.api_version == kV1Alpha && o.kind != "SLO" &&
               o.kind != "Service") {
      f.errors.Problem(kind, o.path + ".kind",
                       absl::StrCat("kind ", o.kind,
                                    " is not part of openslo/v1alpha (SLO, "
                                    "Service); write apiVersion: openslo/v1"));
      ok = false;
    }
  } else {
    ok = false;
  }
  if (!meta) {
    f.errors.Problem(node, o.path + ".metadata", "missing ({name: ...})");
    ok = false;
  } else {
    Metadata(f, meta, o.path + ".metadata", &o.name, &o.display_name);
    if (o.name.empty()) ok = false;
  }
  if (node["spec"]) o.spec.reset(node["spec"]);
  if (!node["spec"]) {
    f.errors.Problem(node, o.path + ".spec", "missing");
    ok = false;
  } else if (!o.spec.IsMap()) {
    f.errors.Problem(o.spec, o.path + ".spec",
                     "expected a mapping ({key: value, ...})");
    ok = false;
  }
  if (!o.kind.empty() && !o.name.empty()) {
    const auto [it, inserted] =
        by_name_.emplace(std::make_pair(o.kind, o.name), objects_.size());
    if (!inserted) {
      const Object& first = objects_[it->second];
      f.errors.Problem(
          meta["name"], o.path + ".metadata.name",
          absl::StrCat(o.kind, " '", o.name, "' is defined twice (first at ",
                       Origin(*first.file, first.node), ")"));
      return;
    }
  }
  o.valid = ok;
  objects_.push_back(std::move(o));
}

void Converter::MetricSource(File& f, const YAML::Node& node,
                             absl::string_view path, std::string* type) {
  if (!f.errors.Map(node, path, {"metricSource"})) return;
  const YAML::Node ms = node["metricSource"];
  const std::string mpath = absl::StrCat(path, ".metricSource");
  if (!ms) {
    f.errors.Problem(node, mpath, "missing ({type, spec: {query: ...}})");
    return;
  }
  if (!f.errors.Map(ms, mpath, {"metricSourceRef", "type", "spec"})) return;
  if (const YAML::Node r = ms["metricSourceRef"]) {
    std::string ref;
    Name(f, r, mpath + ".metricSourceRef", &ref);
  }
  if (const YAML::Node t = ms["type"]) {
    f.errors.String(t, mpath + ".type", type);
  }
  if (!ms["spec"]) {
    f.errors.Problem(ms, mpath + ".spec",
                     "missing (the query, e.g. {query: ...})");
  } else if (!ms["spec"].IsMap()) {
    f.errors.Problem(ms["spec"], mpath + ".spec",
                     "expected a mapping (e.g. {query: ...})");
  }
}

Sli Converter::ReadSliSpec(File& f, const YAML::Node& spec,
                           absl::string_view path) {
  Sli sli;
  sli.origin = Origin(f, spec);
  const size_t before = f.errors.problems().size();
  if (!f.errors.Map(spec, path,
                    {"description", "thresholdMetric", "ratioMetric"})) {
    return sli;
  }
  if (const YAML::Node d = spec["description"]) {
    std::string text;
    f.errors.String(d, absl::StrCat(path, ".description"), &text);
  }
  const YAML::Node threshold = spec["thresholdMetric"];
  const YAML::Node ratio = spec["ratioMetric"];
  if (threshold && ratio) {
    f.errors.Problem(spec, path,
                     "give one of thresholdMetric, ratioMetric, not both");
  } else if (!threshold && !ratio) {
    f.errors.Problem(spec, path,
                     "missing: thresholdMetric or ratioMetric (good or bad, "
                     "and total)");
  } else if (threshold) {
    sli.metric = OpenSloMetric::kThreshold;
    MetricSource(f, threshold, absl::StrCat(path, ".thresholdMetric"),
                 &sli.source_type);
  } else {
    const std::string rpath = absl::StrCat(path, ".ratioMetric");
    if (f.errors.Map(ratio, rpath,
                     {"counter", "good", "bad", "total", "rawType", "raw"})) {
      const YAML::Node good = ratio["good"];
      const YAML::Node bad = ratio["bad"];
      const YAML::Node total = ratio["total"];
      const YAML::Node raw = ratio["raw"];
      if (raw) {
        sli.metric = OpenSloMetric::kRatioRaw;
        for (const char* key : {"good", "bad", "total"}) {
          if (ratio[key]) {
            f.errors.Problem(ratio[key], absl::StrCat(rpath, ".", key),
                             "raw is a precomputed ratio: give raw or "
                             "good/bad with total, not both");
          }
        }
        MetricSource(f, raw, rpath + ".raw", &sli.source_type);
        std::string raw_type;
        if (!ratio["rawType"]) {
          f.errors.Problem(ratio, rpath + ".rawType",
                           "missing: success or failure (what raw measures)");
        } else if (f.errors.String(ratio["rawType"], rpath + ".rawType",
                                   &raw_type) &&
                   raw_type != "success" && raw_type != "failure") {
          f.errors.Problem(
              ratio["rawType"], rpath + ".rawType",
              absl::StrCat("'", raw_type, "' is not success or failure"));
        }
      } else {
        if (good && bad) {
          f.errors.Problem(bad, rpath + ".bad",
                           "give good or bad, not both: the SLI is good/total "
                           "or (total - bad)/total");
        } else if (!good && !bad) {
          f.errors.Problem(ratio, rpath + ".good",
                           "missing: good or bad (the numerator)");
        }
        sli.metric = bad && !good ? OpenSloMetric::kRatioBadTotal
                                  : OpenSloMetric::kRatioGoodTotal;
        if (good) MetricSource(f, good, rpath + ".good", &sli.source_type);
        if (bad) MetricSource(f, bad, rpath + ".bad", &sli.source_type);
        if (!total) {
          f.errors.Problem(ratio, rpath + ".total",
                           "missing (the denominator)");
        } else {
          MetricSource(f, total, rpath + ".total", &sli.source_type);
        }
        if (ratio["rawType"]) {
          f.errors.Problem(ratio["rawType"], rpath + ".rawType",
                           "only with raw");
        }
        if (!ratio["counter"]) {
          // The schema requires it, the spec's own examples omit it, and
          // slakit counts results itself: say so, do not refuse.
          f.warnings.Problem(ratio, rpath + ".counter",
                             "not given (the OpenSLO schema requires true "
                             "or false; slakit does not use it)");
        }
      }
      if (const YAML::Node c = ratio["counter"]) {
        bool counter = false;
        f.errors.Bool(c, rpath + ".counter", &counter);
      }
    }
  }
  sli.ok = f.errors.problems().size() == before;
  return sli;
}

// A v1alpha query: {source, queryType, query, metadata}.
void Converter::AlphaQuery(File& f, const YAML::Node& node,
                           absl::string_view path, std::string* source) {
  if (!f.errors.Map(node, path, {"source", "queryType", "query", "metadata"})) {
    return;
  }
  for (const char* key : {"source", "queryType", "query"}) {
    std::string text;
    if (!node[key]) {
      f.errors.Problem(node, absl::StrCat(path, ".", key), "missing");
    } else if (f.errors.String(node[key], absl::StrCat(path, ".", key),
                               &text) &&
               std::string(key) == "source") {
      *source = text;
    }
  }
}

bool Converter::ShorthandDuration(File& f, const YAML::Node& node,
                                  absl::string_view path,
                                  absl::string_view what, absl::Duration* out) {
  std::string text;
  if (!f.errors.String(node, path, &text)) return false;
  const std::optional<Shorthand> s = ParseShorthand(text);
  if (!s) {
    f.errors.Problem(node, path,
                     absl::StrCat("'", text,
                                  "' is not an OpenSLO duration: a whole "
                                  "number from 1 and one of m (minutes), h, "
                                  "d, w, M (months), Q, Y, e.g. 5m or 1h"));
    return false;
  }
  const std::optional<absl::Duration> d = FixedLength(*s);
  if (!d) {
    f.errors.Problem(
        node, path,
        absl::StrCat("'", text, "' is ", UnitWord(s->unit, s->count),
                     ", not a fixed length; ", what,
                     " is in minutes, hours, days or weeks "
                     "(m, h, d, w)"));
    return false;
  }
  *out = *d;
  return true;
}

Condition Converter::ReadCondition(File& f, const YAML::Node& spec,
                                   absl::string_view path,
                                   const std::string& name) {
  Condition c;
  c.name = name;
  const size_t before = f.errors.problems().size();
  if (!f.errors.Map(spec, path, {"description", "severity", "condition"})) {
    return c;
  }
  if (const YAML::Node d = spec["description"]) {
    std::string text;
    f.errors.String(d, absl::StrCat(path, ".description"), &text);
  }
  const std::string spath = absl::StrCat(path, ".severity");
  std::string severity;
  if (!spec["severity"]) {
    f.errors.Problem(spec, spath, "missing (page or ticket)");
  } else if (f.errors.String(spec["severity"], spath, &severity)) {
    const std::string lower = absl::AsciiStrToLower(severity);
    if (severity == "page" || severity == "ticket") {
      c.tier.severity = severity;
    } else if (lower == "page" || lower == "critical") {
      c.tier.severity = "page";
      f.warnings.Problem(spec["severity"], spath,
                         absl::StrCat("severity '", severity,
                                      "' becomes page (slakit's severities "
                                      "are page and ticket)"));
    } else if (lower == "ticket" || lower == "warning") {
      c.tier.severity = "ticket";
      f.warnings.Problem(spec["severity"], spath,
                         absl::StrCat("severity '", severity,
                                      "' becomes ticket (slakit's severities "
                                      "are page and ticket)"));
    } else {
      c.tier.severity = "page";
      f.warnings.Problem(spec["severity"], spath,
                         absl::StrCat("severity '", severity,
                                      "' is neither page nor ticket: it "
                                      "becomes page"));
    }
  }
  const std::string cpath = absl::StrCat(path, ".condition");
  const YAML::Node cond = spec["condition"];
  if (!cond) {
    f.errors.Problem(spec, cpath,
                     "missing ({kind: burnrate, op: gt, threshold, "
                     "lookbackWindow, alertAfter})");
  } else if (f.errors.Map(
                 cond, cpath,
                 {"kind", "op", "threshold", "lookbackWindow", "alertAfter"})) {
    std::string text;
    if (cond["kind"] && f.errors.String(cond["kind"], cpath + ".kind", &text) &&
        text != "burnrate") {
      f.errors.Problem(cond["kind"], cpath + ".kind",
                       absl::StrCat("'", text,
                                    "' is not a condition kind slakit knows "
                                    "(burnrate)"));
    }
    if (!cond["op"]) {
      f.errors.Problem(cond, cpath + ".op", "missing (gt)");
    } else if (f.errors.String(cond["op"], cpath + ".op", &text)) {
      if (text == "gte") {
        f.warnings.Problem(cond["op"], cpath + ".op",
                           "gte: slakit alerts when the burn rate is above "
                           "the threshold (gt), not when it equals it");
      } else if (text == "lt" || text == "lte") {
        f.errors.Problem(cond["op"], cpath + ".op",
                         absl::StrCat(text,
                                      " alerts while the budget burns slower "
                                      "than the threshold; slakit alerts on "
                                      "burn rates above it (op: gt)"));
      } else if (text != "gt") {
        f.errors.Problem(
            cond["op"], cpath + ".op",
            absl::StrCat("'", text, "' is not one of lte, gte, lt, gt"));
      }
    }
    if (!cond["threshold"]) {
      f.errors.Problem(cond, cpath + ".threshold",
                       "missing (the burn rate, e.g. 14.4)");
    } else if (f.errors.Number(cond["threshold"], cpath + ".threshold",
                               &c.tier.factor) &&
               !(c.tier.factor > 0)) {
      f.errors.Problem(cond["threshold"], cpath + ".threshold",
                       absl::StrCat(cond["threshold"].Scalar(),
                                    " is not a burn rate above 0"));
    }
    if (!cond["lookbackWindow"]) {
      f.errors.Problem(cond, cpath + ".lookbackWindow", "missing (e.g. 1h)");
    } else if (ShorthandDuration(f, cond["lookbackWindow"],
                                 cpath + ".lookbackWindow", "a look-back",
                                 &c.tier.long_window)) {
      c.tier.short_window = c.tier.long_window;
    }
    if (const YAML::Node a = cond["alertAfter"]) {
      ShorthandDuration(f, a, cpath + ".alertAfter", "alertAfter",
                        &c.alert_after);
    }
  }
  if (f.errors.problems().size() == before) {
    AlertPolicy one;
    one.tiers = {c.tier};
    if (absl::Status s = ValidateAlertPolicy(one); !s.ok()) {
      f.errors.Problem(cond, cpath, s.message());
    }
  }
  c.ok = f.errors.problems().size() == before;
  return c;
}

Policy Converter::ReadPolicy(File& f, const YAML::Node& spec,
                             absl::string_view path, const std::string& name) {
  Policy p;
  p.name = name;
  const size_t before = f.errors.problems().size();
  if (!f.errors.Map(
          spec, path,
          {"description", "alertWhenNoData", "alertWhenResolved",
           "alertWhenBreaching", "conditions", "notificationTargets"})) {
    return p;
  }
  if (const YAML::Node d = spec["description"]) {
    std::string text;
    f.errors.String(d, absl::StrCat(path, ".description"), &text);
  }
  for (const char* key :
       {"alertWhenNoData", "alertWhenResolved", "alertWhenBreaching"}) {
    const YAML::Node b = spec[key];
    bool value = false;
    if (!b || !f.errors.Bool(b, absl::StrCat(path, ".", key), &value)) {
      continue;
    }
    if (std::string(key) == "alertWhenBreaching" && !value) {
      p.breaching = false;
      f.warnings.Problem(b, absl::StrCat(path, ".", key),
                         "false: slakit alerts on burn rates only, so this "
                         "policy gives the SLO no alert");
    } else if (std::string(key) == "alertWhenNoData" && value) {
      f.warnings.Problem(b, absl::StrCat(path, ".", key),
                         "true: slakit raises no alert for missing data "
                         "(an objective without data spends no budget)");
    }
  }
  const std::string cpath = absl::StrCat(path, ".conditions");
  const YAML::Node conds = spec["conditions"];
  if (!conds) {
    f.errors.Problem(spec, cpath,
                     "missing: one condition (conditionRef, or an inline "
                     "AlertCondition)");
  } else if (!conds.IsSequence() || conds.size() == 0) {
    f.errors.Problem(conds, cpath, "expected a list with one condition");
  } else {
    if (conds.size() > 1) {
      f.errors.Problem(conds[1], absl::StrCat(cpath, "[1]"),
                       "OpenSLO allows one condition per alert policy; list "
                       "several policies on the SLO instead");
    }
    for (size_t i = 0; i < conds.size(); ++i) {
      const YAML::Node item = conds[i];
      const std::string ipath = absl::StrCat(cpath, "[", i, "]");
      if (!f.errors.Map(item, ipath,
                        {"conditionRef", "kind", "metadata", "spec"})) {
        continue;
      }
      if (item["conditionRef"]) {
        if (item["kind"] || item["metadata"] || item["spec"]) {
          f.errors.Problem(item, ipath,
                           "give conditionRef or an inline condition (kind, "
                           "metadata, spec), not both");
          continue;
        }
        std::string ref;
        if (!Name(f, item["conditionRef"], ipath + ".conditionRef", &ref)) {
          continue;
        }
        auto it = conditions_.find(ref);
        if (it == conditions_.end()) {
          if (Find("AlertCondition", ref) == nullptr) {
            f.errors.Problem(item["conditionRef"], ipath + ".conditionRef",
                             absl::StrCat("no AlertCondition named '", ref,
                                          "' ", Known("AlertCondition")));
          }
          continue;  // defined but invalid: reported there
        }
        objects_[by_name_[{"AlertCondition", ref}]].used = true;
        if (it->second.ok) p.conditions.push_back(it->second);
        continue;
      }
      std::string kind;
      bool ok = true;
      for (const char* key : {"kind", "metadata", "spec"}) {
        if (!item[key]) {
          f.errors.Problem(item, absl::StrCat(ipath, ".", key),
                           "missing (an inline condition has kind: "
                           "AlertCondition, metadata and spec; or write "
                           "conditionRef)");
          ok = false;
        }
      }
      if (!ok) continue;
      if (f.errors.String(item["kind"], ipath + ".kind", &kind) &&
          kind != "AlertCondition") {
        f.errors.Problem(item["kind"], ipath + ".kind",
                         absl::StrCat("'", kind, "' is not AlertCondition"));
      }
      std::string cname;
      Metadata(f, item["metadata"], ipath + ".metadata", &cname, nullptr);
      Condition c = ReadCondition(f, item["spec"], ipath + ".spec", cname);
      if (c.ok) p.conditions.push_back(std::move(c));
    }
  }
  const std::string tpath = absl::StrCat(path, ".notificationTargets");
  const YAML::Node targets = spec["notificationTargets"];
  if (!targets) {
    f.errors.Problem(spec, tpath,
                     "missing: at least one target (targetRef, or an inline "
                     "AlertNotificationTarget)");
  } else if (!targets.IsSequence() || targets.size() == 0) {
    f.errors.Problem(targets, tpath, "expected a non-empty list");
  } else {
    for (size_t i = 0; i < targets.size(); ++i) {
      const YAML::Node item = targets[i];
      const std::string ipath = absl::StrCat(tpath, "[", i, "]");
      if (!f.errors.Map(item, ipath,
                        {"targetRef", "kind", "metadata", "spec"})) {
        continue;
      }
      std::string target;
      if (item["targetRef"]) {
        if (item["kind"] || item["metadata"] || item["spec"]) {
          f.errors.Problem(item, ipath,
                           "give targetRef or an inline target (kind, "
                           "metadata, spec), not both");
          continue;
        }
        if (!Name(f, item["targetRef"], ipath + ".targetRef", &target)) {
          continue;
        }
        if (Find("AlertNotificationTarget", target) != nullptr) {
          objects_[by_name_[{"AlertNotificationTarget", target}]].used = true;
        } else {
          f.warnings.Problem(
              item["targetRef"], ipath + ".targetRef",
              absl::StrCat("no AlertNotificationTarget named '", target,
                           "' in the files given (targets "
                           "are not converted anyway)"));
        }
        p.targets.push_back(target);
        continue;
      }
      bool ok = true;
      for (const char* key : {"kind", "metadata", "spec"}) {
        if (!item[key]) {
          f.errors.Problem(item, absl::StrCat(ipath, ".", key),
                           "missing (an inline target has kind: "
                           "AlertNotificationTarget, metadata and spec; or "
                           "write targetRef)");
          ok = false;
        }
      }
      if (!ok) continue;
      std::string kind;
      if (f.errors.String(item["kind"], ipath + ".kind", &kind) &&
          kind != "AlertNotificationTarget") {
        f.errors.Problem(
            item["kind"], ipath + ".kind",
            absl::StrCat("'", kind, "' is not AlertNotificationTarget"));
      }
      Metadata(f, item["metadata"], ipath + ".metadata", &target, nullptr);
      const YAML::Node ts = item["spec"];
      const std::string spath = ipath + ".spec";
      if (f.errors.Map(ts, spath, {"description", "target"})) {
        std::string text;
        if (!ts["target"]) {
          f.errors.Problem(ts, spath + ".target", "missing (e.g. slack)");
        } else {
          f.errors.String(ts["target"], spath + ".target", &text);
        }
      }
      if (!target.empty()) p.targets.push_back(target);
    }
  }
  p.ok = f.errors.problems().size() == before;
  return p;
}

bool Converter::MakeWindow(File& f, const YAML::Node& item,
                           absl::string_view item_path, const YAML::Node& where,
                           absl::string_view path, Shorthand s, bool rolling,
                           const YAML::Node& calendar, std::string* out,
                           absl::Duration* rolling_length) {
  const std::string written =
      s.unit == 's' ? absl::StrCat(s.count, " seconds")
                    : absl::StrCat("'", s.count, std::string(1, s.unit), "'");
  if (rolling) {
    absl::Duration d;
    if (s.unit == 's') {
      if (s.count % 60 != 0) {
        f.errors.Problem(where, path,
                         absl::StrCat(UnitWord('s', s.count),
                                      " is not a whole number of minutes"));
        return false;
      }
      s = Shorthand{s.count / 60, 'm'};
    }
    if (std::optional<absl::Duration> fixed = FixedLength(s)) {
      d = *fixed;
    } else {
      const int64_t days = s.unit == 'M' ? 30 : s.unit == 'Q' ? 90 : 365;
      d = absl::Hours(24 * days * s.count);
      f.warnings.Problem(
          where, path,
          absl::StrCat("a rolling window of ", UnitWord(s.unit, s.count),
                       " is read as ", days * s.count,
                       " days (slakit's rolling windows have a fixed length)"));
    }
    if (s.unit == 'm' && d < absl::Hours(1)) {
      f.warnings.Problem(
          where, path,
          absl::StrCat("a rolling window of ", UnitWord('m', s.count),
                       " (OpenSLO: m = minutes, M = months; write ", s.count,
                       "M for months)"));
    }
    if (calendar) {
      f.warnings.Problem(calendar, absl::StrCat(item_path, ".calendar"),
                         "ignored: the window is rolling (isRolling: true)");
    }
    absl::StatusOr<sla::Window> w = sla::Window::Rolling(d);
    if (!w.ok()) {
      f.errors.Problem(where, path, w.status().message());
      return false;
    }
    *out = DurationToString(d);
    *rolling_length = d;
    return true;
  }
  // Calendar-aligned.
  bool ok = true;
  CalendarUnit unit = CalendarUnit::kMonth;
  switch (s.unit) {
    case 'd':
      unit = CalendarUnit::kDay;
      break;
    case 'w':
      unit = CalendarUnit::kIsoWeek;
      break;
    case 'M':
      unit = CalendarUnit::kMonth;
      break;
    case 'Q':
      unit = CalendarUnit::kQuarter;
      break;
    case 'Y':
      unit = CalendarUnit::kYear;
      break;
    case 'm':
      f.errors.Problem(
          where, path,
          absl::StrCat(written, " is ", UnitWord('m', s.count),
                       " (OpenSLO: m = minutes, M = months); a calendar "
                       "window is a day, week, month, quarter or year: "
                       "write ",
                       s.count, "M for ", UnitWord('M', s.count)));
      ok = false;
      break;
    default:
      f.errors.Problem(
          where, path,
          absl::StrCat(written, " is ", UnitWord(s.unit, s.count),
                       "; a calendar window is a day, week, month, quarter "
                       "or year (1d, 1w, 1M, 1Q, 1Y)"));
      ok = false;
      break;
  }
  if (ok && s.count != 1) {
    f.errors.Problem(
        where, path,
        absl::StrCat(written,
                     ": slakit's calendar windows are one period long: 1d, "
                     "1w, 1M, 1Q or 1Y (a day, ISO week, month, quarter or "
                     "year), or make the window rolling (isRolling: true)"));
    ok = false;
  }
  const std::string cpath = absl::StrCat(item_path, ".calendar");
  if (!calendar) {
    f.errors.Problem(item, cpath,
                     "missing: a window that is not rolling (isRolling is not "
                     "true) is calendar-aligned and needs calendar: "
                     "{startTime, timeZone}; or set isRolling: true");
    return false;
  }
  if (!f.errors.Map(calendar, cpath, {"startTime", "timeZone"})) return false;
  absl::TimeZone zone;
  std::string zone_name;
  if (!calendar["timeZone"]) {
    f.errors.Problem(calendar, cpath + ".timeZone",
                     "missing (an IANA name such as America/New_York)");
    ok = false;
  } else if (f.errors.String(calendar["timeZone"], cpath + ".timeZone",
                             &zone_name)) {
    if (!absl::LoadTimeZone(zone_name, &zone)) {
      f.errors.Problem(calendar["timeZone"], cpath + ".timeZone",
                       absl::StrCat("unknown time zone '", zone_name,
                                    "' (an IANA name such as "
                                    "America/New_York)"));
      ok = false;
    }
  } else {
    ok = false;
  }
  std::string start_text;
  if (!calendar["startTime"]) {
    f.errors.Problem(calendar, cpath + ".startTime",
                     "missing (YYYY-MM-DD hh:mm:ss, e.g. 2024-01-01 00:00:00)");
    ok = false;
  } else if (f.errors.String(calendar["startTime"], cpath + ".startTime",
                             &start_text)) {
    absl::CivilSecond start;
    if (start_text.size() != 19 || start_text[10] != ' ' ||
        !absl::ParseCivilTime(
            absl::StrCat(start_text.substr(0, 10), "T", start_text.substr(11)),
            &start)) {
      f.errors.Problem(calendar["startTime"], cpath + ".startTime",
                       absl::StrCat("'", start_text,
                                    "' is not a date and time "
                                    "'YYYY-MM-DD hh:mm:ss' (no time zone)"));
      ok = false;
    } else if (ok) {
      const absl::CivilDay day(start);
      bool aligned = start == absl::CivilSecond(day);
      switch (unit) {
        case CalendarUnit::kDay:
          break;
        case CalendarUnit::kIsoWeek:
          aligned &= absl::GetWeekday(day) == absl::Weekday::monday;
          break;
        case CalendarUnit::kMonth:
          aligned &= day.day() == 1;
          break;
        case CalendarUnit::kQuarter:
          aligned &= day.day() == 1 && (day.month() - 1) % 3 == 0;
          break;
        case CalendarUnit::kYear:
          aligned &= day.day() == 1 && day.month() == 1;
          break;
      }
      if (!aligned) {
        static constexpr const char* kStarts[] = {
            "days start at 00:00", "ISO weeks start on Monday at 00:00",
            "months start on the 1st at 00:00",
            "quarters start on 1 January, April, July and October at 00:00",
            "years start on 1 January at 00:00"};
        f.warnings.Problem(
            calendar["startTime"], cpath + ".startTime",
            absl::StrCat(start_text, " is not the start of a calendar ",
                         CalendarUnitName(unit), ": slakit's ",
                         kStarts[static_cast<int>(unit)], " in ", zone_name,
                         ", so the periods are calendar ",
                         CalendarUnitName(unit),
                         "s, not periods counted from startTime"));
      }
    }
  } else {
    ok = false;
  }
  if (!ok) return false;
  *out = absl::StrCat(CalendarUnitName(unit), "@", zone_name);
  *rolling_length = absl::ZeroDuration();
  return true;
}

bool Converter::ReadWindow(File& f, const Object& slo, absl::string_view path,
                           std::string* out, absl::Duration* rolling_length) {
  const YAML::Node& spec = slo.spec;
  const char* key = slo.v1alpha() ? "timeWindows" : "timeWindow";
  const std::string wpath = absl::StrCat(path, ".", key);
  const YAML::Node list = spec[key];
  if (!list) {
    if (slo.v1alpha()) {
      f.errors.Problem(spec, wpath,
                       "missing: one time window, e.g. [{count: 30, unit: "
                       "Day, isRolling: true}]");
      return false;
    }
    f.warnings.Problem(spec, wpath,
                       "not given: slakit uses a rolling 30d window");
    *out = "30d";
    *rolling_length = absl::Hours(24 * 30);
    return true;
  }
  if (!list.IsSequence() || list.size() != 1) {
    f.errors.Problem(list, wpath,
                     list.IsSequence()
                         ? absl::StrCat("OpenSLO takes exactly one time "
                                        "window; got ",
                                        list.size())
                         : std::string("expected a list with one time "
                                       "window"));
    return false;
  }
  const YAML::Node item = list[0];
  const std::string ipath = wpath + "[0]";
  if (!slo.v1alpha()) {
    if (!f.errors.Map(item, ipath, {"duration", "isRolling", "calendar"})) {
      return false;
    }
    bool rolling = false;
    if (item["isRolling"] &&
        !f.errors.Bool(item["isRolling"], ipath + ".isRolling", &rolling)) {
      return false;
    }
    if (!item["duration"]) {
      f.errors.Problem(item, ipath + ".duration",
                       "missing (e.g. 28d rolling, or 1M calendar-aligned)");
      return false;
    }
    std::string text;
    if (!f.errors.String(item["duration"], ipath + ".duration", &text)) {
      return false;
    }
    const std::optional<Shorthand> s = ParseShorthand(text);
    if (!s) {
      f.errors.Problem(item["duration"], ipath + ".duration",
                       absl::StrCat("'", text,
                                    "' is not an OpenSLO duration: a whole "
                                    "number from 1 and one of m (minutes), "
                                    "h, d, w, M (months), Q, Y, e.g. 28d or "
                                    "1M"));
      return false;
    }
    return MakeWindow(f, item, ipath, item["duration"], ipath + ".duration", *s,
                      rolling, item["calendar"], out, rolling_length);
  }
  // v1alpha: {count, unit, isRolling, calendar}.
  if (!f.errors.Map(item, ipath, {"count", "unit", "isRolling", "calendar"})) {
    return false;
  }
  bool ok = true;
  int64_t count = 0;
  if (!item["count"]) {
    f.errors.Problem(item, ipath + ".count", "missing (e.g. 30)");
    ok = false;
  } else {
    ok &= f.errors.Integer(item["count"], ipath + ".count", 1, &count);
  }
  static const std::vector<std::pair<std::string, char>> kUnits = {
      {"Second", 's'}, {"Minute", 'm'}, {"Hour", 'h'},    {"Day", 'd'},
      {"Week", 'w'},   {"Month", 'M'},  {"Quarter", 'Q'}, {"Year", 'Y'}};
  char unit = 0;
  std::string unit_text;
  if (!item["unit"]) {
    f.errors.Problem(item, ipath + ".unit", "missing (e.g. Day)");
    ok = false;
  } else if (f.errors.String(item["unit"], ipath + ".unit", &unit_text)) {
    for (const auto& [word, c] : kUnits) {
      if (word == unit_text) unit = c;
    }
    if (unit == 0) {
      f.errors.Problem(item["unit"], ipath + ".unit",
                       absl::StrCat("'", unit_text,
                                    "' is not one of Second, Minute, Hour, "
                                    "Day, Week, Month, Quarter, Year"));
      ok = false;
    }
  } else {
    ok = false;
  }
  bool rolling = true;
  if (item["isRolling"]) {
    ok &= f.errors.Bool(item["isRolling"], ipath + ".isRolling", &rolling);
  } else if (item["calendar"]) {
    rolling = false;
  } else {
    f.warnings.Problem(item, ipath,
                       "no isRolling and no calendar: a rolling window, as "
                       "Sloth reads it");
  }
  if (!ok || count > 999'999'999) {
    if (ok) {
      f.errors.Problem(item["count"], ipath + ".count", "too large");
    }
    return false;
  }
  return MakeWindow(f, item, ipath, item, ipath, Shorthand{count, unit},
                    rolling, item["calendar"], out, rolling_length);
}

bool Converter::SliceWindow(File& f, const YAML::Node& node,
                            absl::string_view path, absl::Duration* out) {
  std::string text;
  if (!f.errors.String(node, path, &text)) return false;
  double minutes = 0;
  if (absl::ascii_isdigit(text.back()) && absl::SimpleAtod(text, &minutes)) {
    // A number is minutes.
    if (!(minutes >= 1 && minutes <= 1e9) || minutes != std::floor(minutes)) {
      f.errors.Problem(node, path,
                       absl::StrCat(text,
                                    " is not a whole number of minutes "
                                    "from 1 (a number is minutes; or write "
                                    "5m, 1h)"));
      return false;
    }
    *out = absl::Minutes(static_cast<int64_t>(minutes));
    return true;
  }
  return ShorthandDuration(f, node, path, "a time slice", out);
}

bool Converter::ReadTarget(File& f, const YAML::Node& objective,
                           absl::string_view path, double* percent) {
  const YAML::Node ratio = objective["target"];
  const YAML::Node pct = objective["targetPercent"];
  if (ratio && pct) {
    f.errors.Problem(pct, absl::StrCat(path, ".targetPercent"),
                     "give target (a ratio) or targetPercent, not both");
    return false;
  }
  if (!ratio && !pct) {
    f.errors.Problem(objective, absl::StrCat(path, ".target"),
                     "missing: a ratio such as 0.999 (or targetPercent: "
                     "99.9)");
    return false;
  }
  std::string text;
  if (ratio) {
    const std::string tpath = absl::StrCat(path, ".target");
    double v = 0;
    if (!f.errors.Number(ratio, tpath, &v)) return false;
    const std::string& written = ratio.Scalar();
    if (!(v > 0 && v < 1)) {
      std::string why;
      if (v == 1) {
        why =
            "1 is 100 %: no event may fail and there is no error budget "
            "(OpenSLO targets are in [0, 1))";
      } else if (v > 1 && v < 100) {
        why = absl::StrCat(written,
                           " is not a ratio in (0, 1): OpenSLO targets are "
                           "ratios (0.999 = 99.9 %); write target: ",
                           MovePoint(written, -2).value_or(Num(v / 100)),
                           " or targetPercent: ", written);
      } else if (v <= 0) {
        why = absl::StrCat(written,
                           " is not a ratio in (0, 1): a target of 0 lets "
                           "every event fail");
      } else {
        why = absl::StrCat(written, " is not a ratio in (0, 1)");
      }
      f.errors.Problem(ratio, tpath, why);
      return false;
    }
    text = MovePoint(written, 2).value_or(Num(v * 100));
    if (!absl::SimpleAtod(text, percent)) *percent = v * 100;
    if (absl::StatusOr<sla::Target> t = sla::Target::FromPercent(*percent);
        !t.ok()) {
      f.errors.Problem(ratio, tpath, t.status().message());
      return false;
    }
    return true;
  }
  const std::string tpath = absl::StrCat(path, ".targetPercent");
  if (!f.errors.Number(pct, tpath, percent)) return false;
  if (!(*percent > 0 && *percent < 100)) {
    f.errors.Problem(
        pct, tpath,
        absl::StrCat(pct.Scalar(), " is not a percentage in (0, 100)"));
    return false;
  }
  if (absl::StatusOr<sla::Target> t = sla::Target::FromPercent(*percent);
      !t.ok()) {
    f.errors.Problem(pct, tpath, t.status().message());
    return false;
  }
  return true;
}

void Converter::SloIndicator(File& f, const Object& slo,
                             const std::string& path, SloContext* c) {
  const YAML::Node& spec = slo.spec;
  if (slo.v1alpha()) {
    const YAML::Node ind = spec["indicator"];
    if (!ind) {
      c->per_objective_sli = true;  // ratioMetrics in each objective
      return;
    }
    const std::string ipath = path + ".indicator";
    if (!f.errors.Map(ind, ipath, {"thresholdMetric"})) return;
    if (!ind["thresholdMetric"]) {
      f.errors.Problem(ind, ipath + ".thresholdMetric",
                       "missing ({source, queryType, query})");
      return;
    }
    const size_t before = f.errors.problems().size();
    AlphaQuery(f, ind["thresholdMetric"], ipath + ".thresholdMetric",
               &c->sli.source_type);
    c->sli.metric = OpenSloMetric::kThreshold;
    c->sli.origin = Origin(f, ind);
    c->sli.ok = f.errors.problems().size() == before;
    c->sli_name = slo.name;
    return;
  }
  const YAML::Node ind = spec["indicator"];
  const YAML::Node ref = spec["indicatorRef"];
  if (ind && ref) {
    f.errors.Problem(ref, path + ".indicatorRef",
                     "give indicator or indicatorRef, not both");
  } else if (!ind && !ref) {
    f.errors.Problem(spec, path + ".indicator",
                     "missing: an inline SLI (indicator: {metadata, spec}) "
                     "or indicatorRef naming an SLI");
  } else if (ind) {
    const std::string ipath = path + ".indicator";
    if (!f.errors.Map(ind, ipath, {"metadata", "spec"})) return;
    if (const YAML::Node m = ind["metadata"]) {
      Metadata(f, m, ipath + ".metadata", nullptr, nullptr);
      if (m.IsMap() && m["name"]) {
        Name(f, m["name"], ipath + ".metadata.name", &c->sli_name);
      }
    }
    if (c->sli_name.empty()) c->sli_name = slo.name;
    if (!ind["spec"]) {
      f.errors.Problem(ind, ipath + ".spec",
                       "missing (thresholdMetric or ratioMetric)");
    } else {
      c->sli = ReadSliSpec(f, ind["spec"], ipath + ".spec");
      c->sli.origin = Origin(f, ind);
    }
  } else if (Name(f, ref, path + ".indicatorRef", &c->sli_name)) {
    auto it = slis_.find(c->sli_name);
    if (it != slis_.end()) {
      objects_[by_name_[{"SLI", c->sli_name}]].used = true;
      c->sli = it->second;  // an invalid SLI is reported where it is
    } else if (Find("SLI", c->sli_name) == nullptr) {
      f.errors.Problem(
          ref, path + ".indicatorRef",
          absl::StrCat("no SLI named '", c->sli_name, "' ", Known("SLI")));
    }  // else defined but invalid: reported there
  }
}

void Converter::SloAlertPolicies(File& f, const YAML::Node& spec,
                                 const std::string& path, SloContext* c) {
  // Names, {alertPolicyRef: name}, or inline AlertPolicy objects.
  std::vector<Policy> policies;
  const YAML::Node aps = spec["alertPolicies"];
  const std::string apath = path + ".alertPolicies";
  if (!aps || aps.IsNull()) return;
  if (!aps.IsSequence()) {
    f.errors.Problem(aps, apath, "expected a list of alert policy names");
    return;
  }
  for (size_t i = 0; i < aps.size(); ++i) {
    const YAML::Node item = aps[i];
    const std::string ipath = absl::StrCat(apath, "[", i, "]");
    YAML::Node ref_node;
    if (item.IsScalar()) {
      ref_node.reset(item);
    } else if (item.IsMap() && item["alertPolicyRef"]) {
      f.errors.Map(item, ipath, {"alertPolicyRef"});
      ref_node.reset(item["alertPolicyRef"]);
    } else if (item.IsMap()) {
      if (!f.errors.Map(item, ipath,
                        {"apiVersion", "kind", "metadata", "spec"})) {
        continue;
      }
      bool ok = true;
      for (const char* key : {"kind", "metadata", "spec"}) {
        if (!item[key]) {
          f.errors.Problem(item, absl::StrCat(ipath, ".", key),
                           "missing (an inline policy has kind: "
                           "AlertPolicy, metadata and spec; or write its "
                           "name)");
          ok = false;
        }
      }
      if (!ok) continue;
      std::string kind;
      if (f.errors.String(item["kind"], ipath + ".kind", &kind) &&
          kind != "AlertPolicy") {
        f.errors.Problem(item["kind"], ipath + ".kind",
                         absl::StrCat("'", kind, "' is not AlertPolicy"));
      }
      std::string name;
      Metadata(f, item["metadata"], ipath + ".metadata", &name, nullptr);
      Policy p = ReadPolicy(f, item["spec"], ipath + ".spec", name);
      if (p.ok) policies.push_back(std::move(p));
      continue;
    } else {
      f.errors.Problem(item, ipath,
                       "expected an alert policy name, {alertPolicyRef: "
                       "name} or an inline AlertPolicy");
      continue;
    }
    std::string ref;
    if (!Name(f, ref_node, ipath, &ref)) continue;
    auto it = policies_.find(ref);
    if (it != policies_.end()) {
      objects_[by_name_[{"AlertPolicy", ref}]].used = true;
      if (it->second.ok) policies.push_back(it->second);
    } else if (Find("AlertPolicy", ref) == nullptr) {
      f.errors.Problem(ref_node, ipath,
                       absl::StrCat("no AlertPolicy named '", ref, "' ",
                                    Known("AlertPolicy")));
    }  // else defined but invalid: reported there
  }

  // Every burnrate condition of a policy that alerts on breach is a tier.
  AlertPolicy& out = c->rules.alert_policy;
  std::optional<absl::Duration> alert_after;
  bool alert_after_differs = false;
  for (const Policy& p : policies) {
    c->policy_names.push_back(p.name);
    c->target_names.insert(c->target_names.end(), p.targets.begin(),
                           p.targets.end());
    if (!p.breaching) continue;
    for (const Condition& cond : p.conditions) {
      // Policies that share a condition give one tier.
      const bool seen = std::any_of(
          out.tiers.begin(), out.tiers.end(), [&cond](const BurnTier& t) {
            return t.severity == cond.tier.severity &&
                   t.long_window == cond.tier.long_window &&
                   t.short_window == cond.tier.short_window &&
                   t.factor == cond.tier.factor;
          });
      if (!seen) out.tiers.push_back(cond.tier);
      if (alert_after && *alert_after != cond.alert_after) {
        alert_after_differs = true;
      }
      alert_after = alert_after ? std::min(*alert_after, cond.alert_after)
                                : cond.alert_after;
    }
  }
  if (out.tiers.empty()) return;
  c->rules.custom_policy = true;
  out.for_duration = *alert_after;
  if (alert_after_differs) {
    f.warnings.Problem(
        aps, apath,
        absl::StrCat("the conditions' alertAfter differ: "
                     "slakit waits the shortest, ",
                     DurationToString(*alert_after), ", for every tier"));
  }
}

void Converter::ReadObjective(File& f, const YAML::Node& o,
                              const std::string& ip, int index,
                              const SloContext& c, ObjectiveSpec* os,
                              OpenSloObjective* info) {
  const Object& slo = *c.slo;
  const bool alpha = slo.v1alpha();
  if (alpha) {
    if (!f.errors.Map(o, ip,
                      {"displayName", "op", "value", "target",
                       "timeSliceTarget", "timeSliceWindow", "ratioMetrics"})) {
      return;
    }
  } else if (!f.errors.Map(
                 o, ip,
                 {"displayName", "op", "value", "target", "targetPercent",
                  "timeSliceTarget", "timeSliceWindow"})) {
    return;
  }
  os->service = c.service;
  os->name =
      c.objective_count == 1 ? slo.name : absl::StrCat(slo.name, "-", index);
  os->method = c.method;
  os->window = c.window;
  os->alerting = !c.rules.alert_policy.tiers.empty();
  info->service = c.service;
  info->objective = os->name;
  info->slo = slo.name;
  info->index = index;
  info->display_name = slo.display_name;
  info->origin = Origin(f, o);
  info->alert_policies = c.policy_names;
  info->notification_targets = c.target_names;
  if (const YAML::Node d = o["displayName"]) {
    f.errors.String(d, ip + ".displayName", &info->display_name);
  }

  // The SLI: the SLO's, or (v1alpha) this objective's ratioMetrics.
  Sli sli = c.sli;
  std::string sli_name = c.sli_name;
  if (c.per_objective_sli) {
    sli_name = os->name;
    const YAML::Node rm = o["ratioMetrics"];
    if (!rm) {
      if (!o["ratioMetric"]) {  // else reported as an unknown key
        f.errors.Problem(o, ip + ".ratioMetrics",
                         "missing: {good, total} queries (or the SLO's "
                         "indicator.thresholdMetric)");
      }
    } else if (f.errors.Map(rm, ip + ".ratioMetrics",
                            {"good", "total", "incremental", "counter"})) {
      for (const char* key : {"good", "total"}) {
        const std::string qpath = absl::StrCat(ip, ".ratioMetrics.", key);
        if (!rm[key]) {
          f.errors.Problem(rm, qpath, "missing ({source, queryType, query})");
        } else {
          AlphaQuery(f, rm[key], qpath, &sli.source_type);
        }
      }
      for (const char* key : {"incremental", "counter"}) {
        bool flag = false;
        if (rm[key]) {
          f.errors.Bool(rm[key], absl::StrCat(ip, ".ratioMetrics.", key),
                        &flag);
        }
      }
      sli.metric = OpenSloMetric::kRatioGoodTotal;
      sli.origin = Origin(f, rm);
    }
  } else if (alpha && o["ratioMetrics"]) {
    f.errors.Problem(o["ratioMetrics"], ip + ".ratioMetrics",
                     "give the SLO's indicator.thresholdMetric or the "
                     "objectives' ratioMetrics, not both");
  }
  os->slis = {sli_name};
  info->indicator.name = sli_name;
  info->indicator.metric = sli.metric;
  info->indicator.source_type = sli.source_type;
  info->indicator.origin = sli.origin;

  ReadTarget(f, o, ip, &os->target_percent);

  // op and value compare a thresholdMetric.
  if (sli.metric == OpenSloMetric::kThreshold) {
    std::string op;
    if (!o["op"]) {
      f.errors.Problem(o, ip + ".op",
                       "missing: how the metric compares with value (lt, "
                       "lte, gt, gte)");
    } else if (f.errors.String(o["op"], ip + ".op", &op)) {
      if (op != "lt" && op != "lte" && op != "gt" && op != "gte") {
        f.errors.Problem(
            o["op"], ip + ".op",
            absl::StrCat("'", op, "' is not one of lte, gte, lt, gt"));
      }
      info->indicator.op = op;
    }
    if (!o["value"]) {
      f.errors.Problem(o, ip + ".value",
                       "missing: the threshold the metric is compared with");
    } else {
      f.errors.Number(o["value"], ip + ".value", &info->indicator.value);
    }
    if (!info->indicator.op.empty() && o["value"]) {
      f.warnings.Problem(
          o, ip,
          absl::StrCat("thresholdMetric: a result is good when its value is ",
                       info->indicator.op, " ", o["value"].Scalar(),
                       "; slakit counts the results of probe '", sli_name,
                       "' good when ok: give that probe the threshold (e.g. "
                       "latency_threshold)"));
    }
  } else {
    for (const char* key : {"op", "value"}) {
      if (o[key]) {
        f.warnings.Problem(o[key], absl::StrCat(ip, ".", key),
                           "ignored: op and value compare a thresholdMetric; "
                           "this SLI is a ratio");
      }
    }
  }
  if (sli.metric == OpenSloMetric::kRatioRaw) {
    f.warnings.Problem(o, ip,
                       absl::StrCat("the SLI's raw ratio is not kept: slakit "
                                    "counts the good and total results of "
                                    "probe '",
                                    sli_name, "'"));
  }

  // Time slices.
  const YAML::Node sw = o["timeSliceWindow"];
  const YAML::Node st = o["timeSliceTarget"];
  if (c.method == BudgetingMethod::kOccurrences) {
    if (sw) {
      f.warnings.Problem(sw, ip + ".timeSliceWindow",
                         "ignored: the budgeting method is Occurrences");
    }
    if (st) {
      f.warnings.Problem(st, ip + ".timeSliceTarget",
                         "ignored: the budgeting method is Occurrences");
    }
    return;
  }
  if (sw) {
    if (SliceWindow(f, sw, ip + ".timeSliceWindow", &os->slice) &&
        c.rolling_length > absl::ZeroDuration() &&
        os->slice > c.rolling_length) {
      f.errors.Problem(sw, ip + ".timeSliceWindow",
                       absl::StrCat("a slice of ", DurationToString(os->slice),
                                    " is longer than the window ", c.window));
    }
  } else if (alpha) {
    f.warnings.Problem(o, ip + ".timeSliceWindow", "not given: 1m slices");
  } else {
    f.errors.Problem(o, ip + ".timeSliceWindow",
                     absl::StrCat("missing: the slice length (e.g. 1m or 5) "
                                  "for ",
                                  BudgetingMethodName(c.method)));
  }
  if (c.method != BudgetingMethod::kTimeslices) {
    if (st) {
      f.warnings.Problem(st, ip + ".timeSliceTarget",
                         "ignored: RatioTimeslices averages the slices' "
                         "ratios");
    }
    return;
  }
  if (!st) {
    f.errors.Problem(o, ip + ".timeSliceTarget",
                     "missing: the good/total ratio a slice needs to be "
                     "good, in (0, 1] (e.g. 0.95)");
  } else if (f.errors.Number(st, ip + ".timeSliceTarget",
                             &os->slice_threshold) &&
             !(os->slice_threshold > 0 && os->slice_threshold <= 1)) {
    f.errors.Problem(st, ip + ".timeSliceTarget",
                     absl::StrCat(st.Scalar(), " is not a ratio in (0, 1]"));
    os->slice_threshold = 1;
  }
}

void Converter::ReadSlo(Object& slo) {
  File& f = *slo.file;
  const YAML::Node& node = slo.node;
  const YAML::Node& spec = slo.spec;
  const std::string path = slo.path + ".spec";
  const size_t before = f.errors.problems().size();
  if (slo.v1alpha()) {
    f.errors.Map(spec, path,
                 {"description", "service", "indicator", "timeWindows",
                  "budgetingMethod", "objectives"});
  } else {
    f.errors.Map(
        spec, path,
        {"description", "service", "indicator", "indicatorRef", "timeWindow",
         "budgetingMethod", "objectives", "alertPolicies"});
  }
  if (const YAML::Node d = spec["description"]) {
    std::string text;
    f.errors.String(d, path + ".description", &text);
  }
  SloContext c;
  c.slo = &slo;
  if (!spec["service"]) {
    f.errors.Problem(spec, path + ".service",
                     "missing (the service the SLO is about)");
  } else {
    Name(f, spec["service"], path + ".service", &c.service);
  }
  SloIndicator(f, slo, path, &c);
  const bool window_ok = ReadWindow(f, slo, path, &c.window, &c.rolling_length);

  const std::string bpath = path + ".budgetingMethod";
  if (!spec["budgetingMethod"]) {
    if (slo.v1alpha()) {
      f.warnings.Problem(spec, bpath,
                         "not given: Occurrences, as Sloth reads it");
    } else {
      f.errors.Problem(spec, bpath,
                       "missing (Occurrences, Timeslices or "
                       "RatioTimeslices)");
    }
  } else {
    std::string text;
    if (f.errors.String(spec["budgetingMethod"], bpath, &text)) {
      absl::StatusOr<BudgetingMethod> m = ParseBudgetingMethod(text);
      if (!m.ok() || BudgetingMethodName(*m) != text) {
        f.errors.Problem(
            spec["budgetingMethod"], bpath,
            absl::StrCat("'", text,
                         "' is not one of Occurrences, Timeslices, "
                         "RatioTimeslices (case matters)"));
      } else {
        c.method = *m;
      }
    }
  }
  SloAlertPolicies(f, spec, path, &c);

  const std::string opath = path + ".objectives";
  const YAML::Node objs = spec["objectives"];
  std::vector<std::pair<ObjectiveSpec, OpenSloObjective>> out;
  if (!objs) {
    f.errors.Problem(spec, opath, "missing: at least one {target: 0.999}");
  } else if (!objs.IsSequence() || objs.size() == 0) {
    f.errors.Problem(objs, opath, "expected a non-empty list of objectives");
  } else {
    if (!c.per_objective_sli && c.sli.metric == OpenSloMetric::kThreshold &&
        objs.size() > 1) {
      f.errors.Problem(objs[1], opath + "[1]",
                       "an SLO with a thresholdMetric has one objective "
                       "(OpenSLO); write one SLO per threshold");
    }
    c.objective_count = objs.size();
    for (size_t i = 0; i < objs.size(); ++i) {
      out.emplace_back();
      ReadObjective(f, objs[i], absl::StrCat(opath, "[", i, "]"),
                    static_cast<int>(i), c, &out.back().first,
                    &out.back().second);
    }
  }
  if (!window_ok || c.service.empty() || f.errors.problems().size() != before ||
      (!c.sli.ok && !c.per_objective_sli)) {
    return;  // reported
  }
  for (auto& [os, info] : out) {
    // One SLI name per series: another SLI of the same name in the service
    // would read the same results.
    const auto [it, inserted] = sli_names_.emplace(
        std::make_pair(c.service, info.indicator.name), info.indicator.origin);
    if (!inserted && it->second != info.indicator.origin) {
      f.warnings.Problem(
          spec, path,
          absl::StrCat("SLI '", info.indicator.name, "' of service '",
                       c.service, "' is also defined at ", it->second,
                       ": both objectives read the same results"));
    }
    const auto [nit, fresh] = objective_names_.emplace(
        std::make_pair(c.service, os.name), Origin(f, node));
    if (!fresh) {
      f.errors.Problem(
          node["metadata"]["name"], slo.path + ".metadata.name",
          absl::StrCat("objective '", os.name, "' of service '", c.service,
                       "' is already defined at ", nit->second));
      continue;
    }
    ServiceConfig& s = Service(c.service);
    s.objectives.push_back(std::move(os));
    s.rules.push_back(c.rules);
    objectives_[service_index_[c.service]].push_back(std::move(info));
  }
}

// Sorts one file's messages by line and column (they are found kind by
// kind, not in file order).
void SortByPosition(absl::string_view source, std::vector<std::string>* v) {
  const auto key = [source](const std::string& m) {
    int64_t line = 0;
    int64_t column = 0;
    absl::string_view rest = absl::string_view(m).substr(source.size());
    if (absl::ConsumePrefix(&rest, ":")) {
      const size_t a = rest.find(':');
      const size_t b = rest.find(':', a + 1);
      if (a != absl::string_view::npos && b != absl::string_view::npos &&
          absl::SimpleAtoi(rest.substr(0, a), &line) &&
          absl::SimpleAtoi(rest.substr(a + 1, b - a - 1), &column)) {
        return std::make_pair(line, column);
      }
    }
    return std::make_pair(int64_t{0}, int64_t{0});
  };
  std::stable_sort(v->begin(), v->end(),
                   [&](const std::string& a, const std::string& b) {
                     return key(a) < key(b);
                   });
}

absl::StatusOr<OpenSloImport> Converter::Run() {
  OpenSloImport result;
  try {
    for (size_t i = 0; i < files_.size(); ++i) {
      ReadFile(files_[i], inputs_[i]->text);
    }
    // Kinds in dependency order: what SLOs and policies refer to first.
    for (Object& o : objects_) {
      if (!o.valid) continue;
      File& f = *o.file;
      const YAML::Node& spec = o.spec;
      const YAML::Node& node = o.node;
      const std::string path = o.path + ".spec";
      if (o.kind == "SLO" && spec["service"] && spec["service"].IsScalar() &&
          IsOpenSloName(spec["service"].Scalar())) {
        // Services in order of first mention; the SLO is read below.
        Service(spec["service"].Scalar());
      } else if (o.kind == "Service") {
        if (f.errors.Map(spec, path, {"description"}) && spec["description"]) {
          std::string text;
          f.errors.String(spec["description"], path + ".description", &text);
        }
        Service(o.name);
      } else if (o.kind == "SLI") {
        slis_[o.name] = ReadSliSpec(f, spec, path);
        slis_[o.name].origin = Origin(f, o.node);
      } else if (o.kind == "AlertCondition") {
        conditions_[o.name] = ReadCondition(f, spec, path, o.name);
      } else if (o.kind == "AlertNotificationTarget") {
        if (f.errors.Map(spec, path, {"description", "target"})) {
          std::string text;
          if (!spec["target"]) {
            f.errors.Problem(spec, path + ".target",
                             "missing (e.g. slack, email)");
          } else {
            f.errors.String(spec["target"], path + ".target", &text);
          }
        }
      } else if (o.kind == "DataSource") {
        if (f.errors.Map(spec, path,
                         {"description", "type", "connectionDetails"})) {
          std::string text;
          if (!spec["type"]) {
            f.errors.Problem(spec, path + ".type", "missing");
          } else {
            f.errors.String(spec["type"], path + ".type", &text);
          }
          if (!spec["connectionDetails"]) {
            f.errors.Problem(spec, path + ".connectionDetails", "missing");
          }
        }
        f.warnings.Problem(node["metadata"]["name"], o.path,
                           "not converted: slakit feeds SLIs with its own "
                           "results, not a data source's queries");
      }
    }
    for (Object& o : objects_) {
      if (o.valid && o.kind == "AlertPolicy") {
        policies_[o.name] =
            ReadPolicy(*o.file, o.spec, o.path + ".spec", o.name);
      }
    }
    for (Object& o : objects_) {
      if (o.valid && o.kind == "SLO") ReadSlo(o);
    }
    for (const Object& o : objects_) {
      if (!o.valid || o.used) continue;
      if (o.kind == "SLI" || o.kind == "AlertPolicy" ||
          o.kind == "AlertCondition" || o.kind == "AlertNotificationTarget") {
        const char* what = o.kind == "SLI" ? "no SLO refers to it"
                           : o.kind == "AlertPolicy"
                               ? "no SLO lists it in alertPolicies"
                           : o.kind == "AlertCondition"
                               ? "no alert policy refers to it"
                               : "no alert policy refers to it (and "
                                 "targets are not converted: configure "
                                 "alert_sinks)";
        o.file->warnings.Problem(o.node["metadata"]["name"], o.path,
                                 absl::StrCat("not converted: ", what));
      }
    }
  } catch (const YAML::Exception& e) {
    if (!files_.empty()) {
      files_.front().syntax_errors.push_back(
          absl::StrCat(files_.front().source, ": ", e.what()));
    }
  }
  std::vector<std::string> problems;
  for (File& f : files_) {
    std::vector<std::string> mine = f.syntax_errors;
    mine.insert(mine.end(), f.errors.problems().begin(),
                f.errors.problems().end());
    SortByPosition(f.source, &mine);
    problems.insert(problems.end(), mine.begin(), mine.end());
    std::vector<std::string> warnings = f.warnings.problems();
    SortByPosition(f.source, &warnings);
    result.warnings.insert(result.warnings.end(), warnings.begin(),
                           warnings.end());
  }
  if (files_.empty()) problems.push_back("no OpenSLO file given");
  if (!problems.empty()) {
    return absl::InvalidArgumentError(absl::StrJoin(problems, "\n"));
  }
  result.config.services = std::move(services_);
  for (std::vector<OpenSloObjective>& v : objectives_) {
    for (OpenSloObjective& o : v) result.objectives.push_back(std::move(o));
  }
  return result;
}

// A YAML scalar: plain when it is safe, else double-quoted.
std::string YamlString(absl::string_view s) {
  bool plain = !s.empty() && absl::ascii_isalnum(s[0]);
  for (char c : s) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != '/' &&
        c != '-' && c != '@') {
      plain = false;
    }
  }
  if (plain) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      absl::StrAppend(
          &out, "\\x",
          absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

// Comment text on one line.
std::string OneLine(absl::string_view s) {
  return absl::StrReplaceAll(s, {{"\r", " "}, {"\n", " "}});
}

}  // namespace

absl::StatusOr<OpenSloImport> ParseOpenSloFiles(
    absl::Span<const OpenSloFile> files) {
  Converter c(files);
  return c.Run();
}

absl::StatusOr<OpenSloImport> ParseOpenSlo(absl::string_view text,
                                           absl::string_view source) {
  const OpenSloFile file{std::string(source), std::string(text)};
  return ParseOpenSloFiles(absl::MakeConstSpan(&file, 1));
}

absl::StatusOr<OpenSloImport> LoadOpenSlo(absl::Span<const std::string> paths) {
  std::vector<OpenSloFile> files;
  for (const std::string& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return absl::NotFoundError(
          absl::StrCat("cannot read OpenSLO file '", path, "'"));
    }
    std::stringstream text;
    text << in.rdbuf();
    files.push_back(OpenSloFile{path, text.str()});
  }
  return ParseOpenSloFiles(files);
}

std::string RenderSlakitYaml(const OpenSloImport& import,
                             absl::Span<const std::string> sources) {
  std::string out =
      "# slakit.yaml converted from OpenSLO (slakit import-openslo).\n";
  if (!sources.empty()) {
    absl::StrAppend(&out, "# From: ", OneLine(absl::StrJoin(sources, ", ")),
                    "\n");
  }
  absl::StrAppend(
      &out,
      "# Each objective's SLI is a probe-success series of its service, named\n"
      "# after the OpenSLO SLI: feed it results of (service, SLI name), e.g.\n"
      "# with `probes:` on the service, `slakit import` or a client. The\n"
      "# metric queries of the OpenSLO documents are not used.\n",
      "timezone: ", YamlString(import.config.timezone), "\n");
  if (import.config.services.empty()) {
    absl::StrAppend(&out, "services: []\n");
    return out;
  }
  absl::StrAppend(&out, "services:\n");
  size_t k = 0;  // index into import.objectives
  for (const ServiceConfig& s : import.config.services) {
    absl::StrAppend(&out, "  - name: ", YamlString(s.name), "\n");
    if (s.objectives.empty()) continue;
    absl::StrAppend(&out, "    objectives:\n");
    for (size_t i = 0; i < s.objectives.size(); ++i) {
      const ObjectiveSpec& o = s.objectives[i];
      const ObjectiveRules& r = s.rules[i];
      const OpenSloObjective* info =
          k < import.objectives.size() ? &import.objectives[k] : nullptr;
      ++k;
      if (info != nullptr) {
        absl::StrAppend(&out, "      # SLO ", OneLine(info->slo),
                        ", objective ", info->index);
        if (!info->display_name.empty()) {
          absl::StrAppend(&out, " (", OneLine(info->display_name), ")");
        }
        absl::StrAppend(&out, ", ", OneLine(info->origin), "\n", "      # SLI ",
                        OneLine(info->indicator.name), ": ",
                        OpenSloMetricName(info->indicator.metric));
        if (!info->indicator.source_type.empty()) {
          absl::StrAppend(&out, " (", OneLine(info->indicator.source_type),
                          ")");
        }
        if (info->indicator.metric == OpenSloMetric::kThreshold) {
          absl::StrAppend(&out, ", good when the value is ",
                          OneLine(info->indicator.op), " ",
                          Num(info->indicator.value),
                          "; slakit: good when the probe is ok");
        }
        absl::StrAppend(&out, "\n");
        if (!info->alert_policies.empty()) {
          absl::StrAppend(&out, "      # alert policies: ",
                          OneLine(absl::StrJoin(info->alert_policies, ", ")));
          if (!info->notification_targets.empty()) {
            absl::StrAppend(
                &out, "; notification targets (not converted): ",
                OneLine(absl::StrJoin(info->notification_targets, ", ")));
          }
          absl::StrAppend(&out, "\n");
        }
      }
      absl::StrAppend(&out, "      - name: ", YamlString(o.name), "\n");
      if (!o.slis.empty()) {
        std::vector<std::string> names;
        for (const std::string& n : o.slis) names.push_back(YamlString(n));
        absl::StrAppend(&out, "        slis: [", absl::StrJoin(names, ", "),
                        "]\n");
      }
      const std::string budgeting =
          absl::AsciiStrToLower(BudgetingMethodName(o.method));
      absl::StrAppend(&out, "        target: ", Num(o.target_percent), "\n",
                      "        window: ", YamlString(o.window), "\n",
                      "        budgeting: ", budgeting, "\n");
      if (o.method != BudgetingMethod::kOccurrences) {
        absl::StrAppend(&out, "        slice: ", DurationToString(o.slice),
                        "\n");
      }
      if (o.method == BudgetingMethod::kTimeslices) {
        absl::StrAppend(
            &out, "        slice_threshold: ", Num(o.slice_threshold), "\n");
      }
      if (!r.custom_policy) {
        if (o.alerting) absl::StrAppend(&out, "        alerting: true\n");
        continue;
      }
      absl::StrAppend(&out, "        alerting:\n");
      const AlertPolicy& p = r.alert_policy;
      if (p.for_duration > absl::ZeroDuration()) {
        absl::StrAppend(
            &out, "          for: ", DurationToString(p.for_duration), "\n");
      }
      if (p.min_short_window_events != 0) {
        absl::StrAppend(&out, "          min_short_window_events: ",
                        p.min_short_window_events, "\n");
      }
      if (p.resolve_after != AlertPolicy().resolve_after) {
        absl::StrAppend(&out, "          resolve_after: ",
                        DurationToString(p.resolve_after), "\n");
      }
      if (!p.tiers.empty()) {
        absl::StrAppend(&out, "          tiers:\n");
        for (const BurnTier& t : p.tiers) {
          absl::StrAppend(&out,
                          "            - {severity: ", YamlString(t.severity),
                          ", long: ", DurationToString(t.long_window),
                          ", short: ", DurationToString(t.short_window),
                          ", factor: ", Num(t.factor), "}\n");
        }
      }
    }
  }
  return out;
}

}  // namespace sla
