#include "probes/prom_text.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sla {
namespace probes {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

bool IsNameStart(char c, bool colon_ok) {
  return absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         (colon_ok && c == ':');
}

bool IsNameChar(char c, bool colon_ok) {
  return IsNameStart(c, colon_ok) ||
         absl::ascii_isdigit(static_cast<unsigned char>(c));
}

// A cursor over one line; every parse step either advances it or reports
// what is wrong in `error`.
class LineParser {
 public:
  explicit LineParser(absl::string_view line) : rest_(line) {}

  bool ParseSample(PromSample* out, std::string* error) {
    if (!Name(/*colon_ok=*/true, &out->name)) {
      *error = absl::StrCat("expected a metric name, found '", Snippet(), "'");
      return false;
    }
    SkipBlanks();
    if (Peek('{')) {
      rest_.remove_prefix(1);
      if (!Labels(out, error)) return false;
      SkipBlanks();
    }
    const absl::string_view value = Token();
    if (value.empty()) {
      *error = absl::StrCat("sample of '", out->name, "' has no value");
      return false;
    }
    if (!ParseValue(value, &out->value)) {
      *error = absl::StrCat("value '", value, "' of '", out->name,
                            "' is not a number");
      return false;
    }
    SkipBlanks();
    const absl::string_view ts = Token();
    if (!ts.empty()) {
      int64_t ms = 0;
      const auto [end, ec] =
          std::from_chars(ts.data(), ts.data() + ts.size(), ms);
      if (ec != std::errc() || end != ts.data() + ts.size()) {
        *error = absl::StrCat("timestamp '", ts, "' of '", out->name,
                              "' is not an integer (milliseconds)");
        return false;
      }
      out->timestamp_ms = ms;
    }
    SkipBlanks();
    if (!rest_.empty()) {
      *error = absl::StrCat("unexpected '", Snippet(),
                            "' after the sample of '", out->name, "'");
      return false;
    }
    return true;
  }

  // "# HELP name ..." or "# TYPE name type": `rest_` starts after the
  // keyword.
  bool ParseMeta(absl::string_view keyword, std::string* error) {
    SkipBlanks();
    std::string name;
    if (!Name(/*colon_ok=*/true, &name) || !(rest_.empty() || Blank())) {
      *error = absl::StrCat("# ", keyword, " needs a metric name, found '",
                            Snippet(), "'");
      return false;
    }
    if (keyword == "HELP") return true;  // the rest is free text
    SkipBlanks();
    const std::string type(absl::StripTrailingAsciiWhitespace(rest_));
    if (type != "counter" && type != "gauge" && type != "histogram" &&
        type != "summary" && type != "untyped") {
      *error = absl::StrCat("# TYPE of '", name,
                            "': expected counter, gauge, histogram, summary "
                            "or untyped, found '",
                            type, "'");
      return false;
    }
    return true;
  }

 private:
  bool Peek(char c) const { return !rest_.empty() && rest_.front() == c; }
  bool Blank() const { return !rest_.empty() && IsBlank(rest_.front()); }
  void SkipBlanks() {
    while (Blank()) rest_.remove_prefix(1);
  }

  // Up to 20 characters of what is left, for messages.
  std::string Snippet() const {
    return rest_.size() <= 20 ? std::string(rest_)
                              : absl::StrCat(rest_.substr(0, 20), "...");
  }

  // The characters up to the next blank (or the end).
  absl::string_view Token() {
    size_t n = 0;
    while (n < rest_.size() && !IsBlank(rest_[n])) ++n;
    const absl::string_view t = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return t;
  }

  bool Name(bool colon_ok, std::string* out) {
    if (rest_.empty() || !IsNameStart(rest_.front(), colon_ok)) return false;
    size_t n = 1;
    while (n < rest_.size() && IsNameChar(rest_[n], colon_ok)) ++n;
    out->assign(rest_.data(), n);
    rest_.remove_prefix(n);
    return true;
  }

  // After '{': `label="value"` pairs up to '}'.
  bool Labels(PromSample* out, std::string* error) {
    while (true) {
      SkipBlanks();
      if (Peek('}')) {
        rest_.remove_prefix(1);
        return true;
      }
      std::string label;
      if (!Name(/*colon_ok=*/false, &label)) {
        *error = absl::StrCat("expected a label name or '}' in '", out->name,
                              "{...}', found '", Snippet(), "'");
        return false;
      }
      for (const auto& [k, v] : out->labels) {
        if (k == label) {
          *error = absl::StrCat("label '", label, "' repeats in '", out->name,
                                "{...}'");
          return false;
        }
      }
      SkipBlanks();
      if (!Peek('=')) {
        *error = absl::StrCat("expected '=' after label name '", label,
                              "', found '", Snippet(), "'");
        return false;
      }
      rest_.remove_prefix(1);
      SkipBlanks();
      if (!Peek('"')) {
        *error = absl::StrCat("value of label '", label,
                              "' is not in double quotes");
        return false;
      }
      rest_.remove_prefix(1);
      std::string value;
      if (!QuotedRest(label, &value, error)) return false;
      out->labels.emplace_back(std::move(label), std::move(value));
      SkipBlanks();
      if (Peek(',')) {
        rest_.remove_prefix(1);
      } else if (!Peek('}')) {
        *error = absl::StrCat("expected ',' or '}' after label '",
                              out->labels.back().first, "', found '", Snippet(),
                              "'");
        return false;
      }
    }
  }

  // After the opening quote: the value up to the closing one, unescaped.
  bool QuotedRest(absl::string_view label, std::string* out,
                  std::string* error) {
    size_t i = 0;
    while (i < rest_.size()) {
      const char c = rest_[i++];
      if (c == '"') {
        rest_.remove_prefix(i);
        return true;
      }
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (i == rest_.size()) break;
      const char e = rest_[i++];
      if (e == '\\' || e == '"') {
        out->push_back(e);
      } else if (e == 'n') {
        out->push_back('\n');
      } else {
        *error = absl::StrCat("unknown escape '\\", std::string(1, e),
                              "' in the value of label '", label,
                              "' (expected \\\\, \\\" or \\n)");
        return false;
      }
    }
    *error = absl::StrCat("value of label '", label,
                          "' has no closing double quote");
    return false;
  }

  static bool ParseValue(absl::string_view s, double* out) {
    absl::string_view unsigned_part = s;
    bool negative = false;
    if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
      negative = s.front() == '-';
      unsigned_part.remove_prefix(1);
    }
    const std::string lower = absl::AsciiStrToLower(unsigned_part);
    if (lower == "nan" && unsigned_part.size() == s.size()) {
      *out = std::numeric_limits<double>::quiet_NaN();
      return true;
    }
    if (lower == "inf" || lower == "infinity") {
      *out = negative ? -std::numeric_limits<double>::infinity()
                      : std::numeric_limits<double>::infinity();
      return true;
    }
    // from_chars takes no '+', and would take "inf"/"nan" spelled otherwise.
    if (unsigned_part.empty() ||
        !(absl::ascii_isdigit(static_cast<unsigned char>(unsigned_part[0])) ||
          unsigned_part[0] == '.')) {
      return false;
    }
    double v = 0;
    const char* const end = unsigned_part.data() + unsigned_part.size();
    const auto [p, ec] = std::from_chars(unsigned_part.data(), end, v);
    if (ec != std::errc() || p != end) return false;
    *out = negative ? -v : v;
    return true;
  }

  absl::string_view rest_;
};

}  // namespace

std::string FormatPromValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

absl::StatusOr<std::vector<PromSample>> ParsePromText(
    absl::string_view text, absl::string_view source) {
  std::vector<PromSample> samples;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t start = 0;
    while (start < line.size() && IsBlank(line[start])) ++start;
    line.remove_prefix(start);
    if (line.empty()) continue;

    std::string error;
    if (line.front() == '#') {
      absl::string_view comment = line.substr(1);
      while (!comment.empty() && IsBlank(comment.front())) {
        comment.remove_prefix(1);
      }
      for (absl::string_view keyword : {"HELP", "TYPE"}) {
        if (comment.substr(0, 4) == keyword &&
            (comment.size() == 4 || IsBlank(comment[4]))) {
          LineParser meta(comment.substr(4));
          if (!meta.ParseMeta(keyword, &error)) break;
        }
      }
    } else {
      PromSample sample;
      sample.line = line_no;
      if (LineParser(line).ParseSample(&sample, &error)) {
        samples.push_back(std::move(sample));
      }
    }
    if (!error.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ":", line_no, ": ", error));
    }
  }
  return samples;
}

}  // namespace probes
}  // namespace sla
