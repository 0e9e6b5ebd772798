#include "sla/internal/node_reader.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "sla/objective.h"
#include "sla/window.h"
#include "yaml-cpp/yaml.h"

namespace sla {
namespace internal {

std::string NodeReader::Where(const YAML::Node& node,
                              absl::string_view path) const {
  const YAML::Mark m = node.Mark();
  if (m.line >= 0) {
    return absl::StrCat(source_, ":", m.line + 1, ":", m.column + 1, ": ",
                        path);
  }
  return absl::StrCat(source_, ": ", path);
}

void NodeReader::Problem(const YAML::Node& node, absl::string_view path,
                         absl::string_view what) {
  problems_.push_back(absl::StrCat(Where(node, path), ": ", what));
}

bool NodeReader::Map(const YAML::Node& node, absl::string_view path,
                     absl::Span<const absl::string_view> allowed) {
  if (!node.IsMap()) {
    Problem(node, path, "expected a mapping ({key: value, ...})");
    return false;
  }
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      Problem(kv.first, absl::StrCat(path, ".", key),
              absl::StrCat("unknown key (expected one of ",
                           absl::StrJoin(allowed, ", "), ")"));
    }
  }
  return true;
}

bool NodeReader::String(const YAML::Node& node, absl::string_view path,
                        std::string* out) {
  if (!node.IsScalar() || node.Scalar().empty()) {
    Problem(node, path, "expected a non-empty string");
    return false;
  }
  if (absl::Status s = CheckNameText(node.Scalar()); !s.ok()) {
    Problem(node, path, s.message());
    return false;
  }
  *out = node.Scalar();
  return true;
}

bool NodeReader::Number(const YAML::Node& node, absl::string_view path,
                        double* out) {
  double v = 0;
  if (!node.IsScalar() || !absl::SimpleAtod(node.Scalar(), &v) ||
      !std::isfinite(v)) {
    Problem(
        node, path,
        absl::StrCat("expected a finite number, got '",
                     node.IsScalar() ? node.Scalar() : "(not a scalar)", "'"));
    return false;
  }
  *out = v;
  return true;
}

bool NodeReader::Bool(const YAML::Node& node, absl::string_view path,
                      bool* out) {
  const std::string t =
      node.IsScalar() ? absl::AsciiStrToLower(node.Scalar()) : "";
  if (t == "true" || t == "yes" || t == "on") {
    *out = true;
  } else if (t == "false" || t == "no" || t == "off") {
    *out = false;
  } else {
    Problem(node, path, "expected true or false");
    return false;
  }
  return true;
}

bool NodeReader::Duration(const YAML::Node& node, absl::string_view path,
                          absl::Duration* out) {
  std::string text;
  if (!String(node, path, &text)) return false;
  absl::StatusOr<absl::Duration> d = ParseDuration(text);
  if (!d.ok()) {
    Problem(node, path, d.status().message());
    return false;
  }
  *out = *d;
  return true;
}

bool NodeReader::FineDuration(const YAML::Node& node, absl::string_view path,
                              absl::Duration* out) {
  std::string text;
  if (!String(node, path, &text)) return false;
  absl::Duration d;
  if (!absl::ParseDuration(text, &d) || d == absl::InfiniteDuration() ||
      d == -absl::InfiniteDuration()) {
    Problem(node, path,
            absl::StrCat("'", text,
                         "' is not a duration (write e.g. 300ms, 2s, 1.5s, "
                         "1m)"));
    return false;
  }
  *out = d;
  return true;
}

bool NodeReader::Time(const YAML::Node& node, absl::string_view path,
                      absl::Time* out) {
  std::string text;
  if (!String(node, path, &text)) return false;
  absl::StatusOr<absl::Time> t = ParseTimestamp(text);
  if (!t.ok()) {
    Problem(node, path, t.status().message());
    return false;
  }
  *out = *t;
  return true;
}

bool NodeReader::Percent(const YAML::Node& node, absl::string_view path,
                         double* out) {
  if (!Number(node, path, out)) return false;
  if (!(*out > 0 && *out < 100)) {
    Problem(node, path,
            absl::StrCat(node.Scalar(), " is not a percentage in (0, 100)"));
    return false;
  }
  return true;
}

bool NodeReader::Integer(const YAML::Node& node, absl::string_view path,
                         int64_t min, int64_t* out) {
  int64_t v = 0;
  if (!node.IsScalar() || !absl::SimpleAtoi(node.Scalar(), &v) || v < min) {
    Problem(
        node, path,
        absl::StrCat("expected an integer >= ", min, ", got '",
                     node.IsScalar() ? node.Scalar() : "(not a scalar)", "'"));
    return false;
  }
  *out = v;
  return true;
}

}  // namespace internal
}  // namespace sla
