#include "probes/jsonl_reader.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "probes/internal/table_builder.h"

namespace sla {
namespace probes {
namespace {

// ---------------------------------------------------------------- JSON

// A scalar JSON value. Numbers keep their literal text so that each field
// decides what it accepts (an integer, 0 or 1, any finite number).
struct JsonValue {
  enum Type { kString, kNumber, kTrue, kFalse, kNull };
  Type type = kNull;
  std::string text;  // decoded string, or the number as written
};

struct JsonMember {
  std::string key;
  JsonValue value;
};

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF), or 0.
size_t Utf8SequenceLength(absl::string_view s) {
  const auto byte = [&s](size_t i) {
    return i < s.size() ? static_cast<unsigned char>(s[i]) : 0u;
  };
  const unsigned b0 = byte(0);
  const auto cont = [&byte](size_t i) { return (byte(i) & 0xC0) == 0x80; };
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    const unsigned b1 = byte(1);
    if (b0 == 0xE0 && b1 < 0xA0) return 0;  // overlong
    if (b0 == 0xED && b1 > 0x9F) return 0;  // surrogate
    return cont(1) && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    const unsigned b1 = byte(1);
    if (b0 == 0xF0 && b1 < 0x90) return 0;  // overlong
    if (b0 == 0xF4 && b1 > 0x8F) return 0;  // above U+10FFFF
    return cont(1) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

// Text for a message: at most 40 bytes, control characters as '?'.
std::string Printable(absl::string_view s) {
  std::string text(s.substr(0, 40));
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
  }
  if (s.size() > 40) text += "...";
  return text;
}

// Parses one line holding one flat JSON object (RFC 8259; values are
// scalars). Errors name the 1-based byte column.
class FlatObjectParser {
 public:
  explicit FlatObjectParser(absl::string_view line) : s_(line) {}

  bool Parse(std::vector<JsonMember>* members, std::string* error) {
    members->clear();
    SkipSpace();
    if (!Consume('{')) return Fail("expected a JSON object ('{')", error);
    SkipSpace();
    if (!Consume('}')) {
      while (true) {
        SkipSpace();
        JsonMember m;
        if (Peek() != '"') return Fail("expected a key (a string)", error);
        if (!ParseString(&m.key, error)) return false;
        SkipSpace();
        if (!Consume(':')) {
          return Fail(
              absl::StrCat("expected ':' after key \"", Printable(m.key), "\""),
              error);
        }
        SkipSpace();
        if (!ParseValue(m.key, &m.value, error)) return false;
        members->push_back(std::move(m));
        SkipSpace();
        if (Consume('}')) break;
        if (!Consume(',')) return Fail("expected ',' or '}'", error);
      }
    }
    SkipSpace();
    if (pos_ != s_.size()) {
      return Fail("unexpected text after the object (one object per line)",
                  error);
    }
    return true;
  }

 private:
  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  bool AtEnd() const { return pos_ >= s_.size(); }
  bool Consume(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void SkipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' ||
                                s_[pos_] == '\r' || s_[pos_] == '\n')) {
      ++pos_;
    }
  }
  bool Fail(absl::string_view what, std::string* error) const {
    *error = absl::StrCat("invalid JSON at column ", pos_ + 1, ": ", what,
                          AtEnd() ? " (the line ends)" : "");
    return false;
  }

  bool ParseHex4(uint32_t* out) {
    if (s_.size() - pos_ < 4) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[pos_ + i];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= c - '0';
      } else if (c >= 'a' && c <= 'f') {
        v |= c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        v |= c - 'A' + 10;
      } else {
        return false;
      }
    }
    pos_ += 4;
    *out = v;
    return true;
  }

  // At the opening quote.
  bool ParseString(std::string* out, std::string* error) {
    ++pos_;
    out->clear();
    while (true) {
      if (AtEnd()) return Fail("unterminated string", error);
      const char c = s_[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        return Fail("control character in a string (escape it)", error);
      }
      if (c == '\\') {
        const size_t escape_at = pos_;
        ++pos_;
        const char e = Peek();
        ++pos_;
        switch (e) {
          case '"':
          case '\\':
          case '/':
            out->push_back(e);
            break;
          case 'b':
            out->push_back('\b');
            break;
          case 'f':
            out->push_back('\f');
            break;
          case 'n':
            out->push_back('\n');
            break;
          case 'r':
            out->push_back('\r');
            break;
          case 't':
            out->push_back('\t');
            break;
          case 'u': {
            uint32_t cp = 0;
            if (!ParseHex4(&cp)) {
              return Fail("expected 4 hex digits after \\u", error);
            }
            if (cp >= 0xDC00 && cp <= 0xDFFF) {
              pos_ = escape_at;
              return Fail("unpaired low surrogate", error);
            }
            if (cp >= 0xD800 && cp <= 0xDBFF) {
              uint32_t low = 0;
              if (s_.substr(pos_, 2) != "\\u" ||
                  (pos_ += 2, !ParseHex4(&low)) || low < 0xDC00 ||
                  low > 0xDFFF) {
                pos_ = escape_at;
                return Fail(
                    "high surrogate not followed by a low surrogate "
                    "(\\uDC00 to \\uDFFF)",
                    error);
              }
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            }
            AppendUtf8(cp, out);
            break;
          }
          default:
            pos_ = escape_at;
            return Fail(
                "invalid escape (expected one of \\\" \\\\ \\/ \\b "
                "\\f \\n \\r \\t \\uXXXX)",
                error);
        }
        continue;
      }
      const size_t n = Utf8SequenceLength(s_.substr(pos_));
      if (n == 0) return Fail("invalid UTF-8 in a string", error);
      out->append(s_.data() + pos_, n);
      pos_ += n;
    }
  }

  bool ParseNumber(std::string* out, std::string* error) {
    const size_t start = pos_;
    const auto digits = [this] {
      const size_t from = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      return pos_ - from;
    };
    Consume('-');
    if (Peek() == '0') {
      ++pos_;
    } else if (digits() == 0) {
      return Fail("invalid number", error);
    }
    if (Consume('.') && digits() == 0) {
      return Fail("invalid number: expected a digit after '.'", error);
    }
    if (Consume('e') || Consume('E')) {
      if (!Consume('+')) Consume('-');
      if (digits() == 0) {
        return Fail("invalid number: expected a digit in the exponent", error);
      }
    }
    out->assign(s_.data() + start, pos_ - start);
    return true;
  }

  bool ParseWord(absl::string_view word, std::string* out) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    out->assign(word.data(), word.size());
    return true;
  }

  bool ParseValue(absl::string_view key, JsonValue* out, std::string* error) {
    const char c = Peek();
    if (c == '"') {
      out->type = JsonValue::kString;
      return ParseString(&out->text, error);
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      out->type = JsonValue::kNumber;
      return ParseNumber(&out->text, error);
    }
    if (ParseWord("true", &out->text)) {
      out->type = JsonValue::kTrue;
      return true;
    }
    if (ParseWord("false", &out->text)) {
      out->type = JsonValue::kFalse;
      return true;
    }
    if (ParseWord("null", &out->text)) {
      out->type = JsonValue::kNull;
      return true;
    }
    if (c == '{' || c == '[') {
      return Fail(absl::StrCat("field '", Printable(key),
                               "': nested objects and arrays are not read"),
                  error);
    }
    return Fail(
        absl::StrCat("expected a value for key \"", Printable(key), "\""),
        error);
  }

  absl::string_view s_;
  size_t pos_ = 0;
};

// ---------------------------------------------------------------- fields

// How a value is shown in a message: strings in double quotes.
std::string Shown(const JsonValue& v) {
  return v.type == JsonValue::kString
             ? absl::StrCat("\"", Printable(v.text), "\"")
             : Printable(v.text);
}

constexpr absl::string_view kKnownFields =
    "timestamp_ms or timestamp, service, probe, ok or outcome, latency_ms; "
    "ignored: kind, reason";

enum Field {
  kTimestampMs,
  kTimestamp,
  kService,
  kProbe,
  kOk,
  kOutcome,
  kLatencyMs,
  kKind,
  kReason,
  kFieldCount,
};

constexpr absl::string_view kFieldNames[kFieldCount] = {
    "timestamp_ms", "timestamp",  "service", "probe",  "ok",
    "outcome",      "latency_ms", "kind",    "reason",
};

// The shape of an RFC 3339 date-time: 2024-01-01T00:00:00[.fff](Z|+hh:mm).
// absl::ParseTime alone also takes "2024-1-1T0:0:0Z" and surrounding blanks.
bool IsRfc3339Shape(absl::string_view s) {
  const auto digits = [&s](size_t from, size_t n) {
    if (s.size() < from + n) return false;
    for (size_t i = from; i < from + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
    }
    return true;
  };
  if (s.size() < 20) return false;  // 2024-01-01T00:00:00Z
  if (!(digits(0, 4) && s[4] == '-' && digits(5, 2) && s[7] == '-' &&
        digits(8, 2) && (s[10] == 'T' || s[10] == 't') && digits(11, 2) &&
        s[13] == ':' && digits(14, 2) && s[16] == ':' && digits(17, 2))) {
    return false;
  }
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == from) return false;
  }
  const absl::string_view zone = s.substr(i);
  return zone == "Z" || zone == "z" ||
         (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') &&
          digits(i + 1, 2) && zone[3] == ':' && digits(i + 4, 2));
}

bool ParseName(Field f, const JsonValue* v, std::string* out,
               std::string* error) {
  const absl::string_view name = kFieldNames[f];
  if (v == nullptr) {
    *error = absl::StrCat("field '", name, "' is missing");
    return false;
  }
  if (v->type != JsonValue::kString) {
    *error =
        absl::StrCat("field '", name, "': expected a string, got ", Shown(*v));
    return false;
  }
  if (v->text.empty()) {
    *error = absl::StrCat("field '", name, "' is empty");
    return false;
  }
  for (const char c : v->text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      *error = absl::StrCat("field '", name, "': ", Shown(*v),
                            " holds a control character");
      return false;
    }
  }
  *out = v->text;
  return true;
}

// Interprets the members of one object; on error returns false with a
// message naming the field.
bool ToResult(const std::vector<JsonMember>& members, std::string* service,
              std::string* probe, ProbeResult* out, std::string* error) {
  const JsonValue* fields[kFieldCount] = {};
  for (const JsonMember& m : members) {
    int f = 0;
    while (f < kFieldCount && kFieldNames[f] != m.key) ++f;
    if (f == kFieldCount) {
      *error = absl::StrCat("unknown field '", Printable(m.key), "' (expected ",
                            kKnownFields, ")");
      return false;
    }
    if (fields[f] != nullptr) {
      *error = absl::StrCat("field '", m.key, "' appears twice");
      return false;
    }
    fields[f] = &m.value;
  }

  // Time.
  if (fields[kTimestampMs] != nullptr && fields[kTimestamp] != nullptr) {
    *error = "give 'timestamp_ms' or 'timestamp', not both";
    return false;
  }
  if (const JsonValue* v = fields[kTimestampMs]; v != nullptr) {
    const char* b = v->text.data();
    const char* e = b + v->text.size();
    auto r = std::from_chars(b, e, out->unix_ms);
    if (v->type != JsonValue::kNumber || r.ec != std::errc() || r.ptr != e) {
      *error = absl::StrCat(
          "field 'timestamp_ms': expected an integer number of milliseconds "
          "since the epoch, got ",
          Shown(*v));
      return false;
    }
  } else if (const JsonValue* v = fields[kTimestamp]; v != nullptr) {
    absl::Time t;
    std::string why;
    if (v->type != JsonValue::kString || !IsRfc3339Shape(v->text) ||
        !absl::ParseTime(absl::RFC3339_full, v->text, &t, &why)) {
      *error = absl::StrCat(
          "field 'timestamp': expected an RFC 3339 time with an offset, such "
          "as \"2024-01-01T00:00:00Z\" or \"2024-01-01T01:00:00.250+01:00\", "
          "got ",
          Shown(*v));
      return false;
    }
    out->unix_ms = absl::ToUnixMillis(t);  // floored
  } else {
    *error = "field 'timestamp_ms' (or 'timestamp') is missing";
    return false;
  }

  if (!ParseName(kService, fields[kService], service, error) ||
      !ParseName(kProbe, fields[kProbe], probe, error)) {
    return false;
  }

  // Outcome.
  if (fields[kOk] != nullptr && fields[kOutcome] != nullptr) {
    *error = "give 'ok' or 'outcome', not both";
    return false;
  }
  if (const JsonValue* v = fields[kOk]; v != nullptr) {
    if (v->type == JsonValue::kTrue ||
        (v->type == JsonValue::kNumber && v->text == "1")) {
      out->ok = true;
    } else if (v->type == JsonValue::kFalse ||
               (v->type == JsonValue::kNumber && v->text == "0")) {
      out->ok = false;
    } else {
      *error = absl::StrCat("field 'ok': expected true, false, 0 or 1, got ",
                            Shown(*v));
      return false;
    }
  } else if (const JsonValue* v = fields[kOutcome]; v != nullptr) {
    if (v->type == JsonValue::kString &&
        (v->text == "ok" || v->text == "fail" || v->text == "timeout" ||
         v->text == "error")) {
      out->ok = v->text == "ok";
    } else {
      *error = absl::StrCat(
          "field 'outcome': expected \"ok\", \"fail\", \"timeout\" or "
          "\"error\", got ",
          Shown(*v));
      return false;
    }
  } else {
    *error = "field 'ok' (or 'outcome') is missing";
    return false;
  }

  // Latency.
  out->latency_ms = 0;
  if (const JsonValue* v = fields[kLatencyMs];
      v != nullptr && v->type != JsonValue::kNull) {
    const char* b = v->text.data();
    const char* e = b + v->text.size();
    double ms = 0;
    auto r = std::from_chars(b, e, ms);
    if (v->type != JsonValue::kNumber || r.ec != std::errc() || r.ptr != e ||
        !std::isfinite(ms) || ms < 0) {
      *error = absl::StrCat(
          "field 'latency_ms': expected a finite number >= 0, got ", Shown(*v));
      return false;
    }
    out->latency_ms = ms + 0.0;  // -0 -> 0
  }
  return true;
}

}  // namespace

absl::StatusOr<ProbeTable> ParseProbeJsonl(absl::string_view text,
                                           absl::string_view source) {
  internal::TableBuilder table;
  internal::LineErrors errors;
  std::vector<JsonMember> members;
  std::string error;
  std::string service;
  std::string probe;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  int64_t line_number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    const char* nl = static_cast<const char*>(
        std::memchr(text.data() + pos, '\n', text.size() - pos));
    const size_t end = nl == nullptr ? text.size() : nl - text.data();
    absl::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (line.find_first_not_of(" \t\r") == absl::string_view::npos) continue;
    ProbeResult r;
    if (!FlatObjectParser(line).Parse(&members, &error) ||
        !ToResult(members, &service, &probe, &r, &error)) {
      errors.Add(line_number, std::move(error));
      continue;
    }
    table.Add(service, probe, r);
  }
  if (!errors.empty()) return errors.ToStatus(source);
  ProbeTable out;
  std::move(table).MoveTo(&out);
  return out;
}

absl::StatusOr<ProbeTable> ReadProbeJsonl(const std::string& path) {
  absl::StatusOr<ProbeTable> table;
  absl::Status read = internal::WithFileContents(
      path,
      [&](absl::string_view text) { table = ParseProbeJsonl(text, path); });
  if (!read.ok()) return read;
  return table;
}

}  // namespace probes
}  // namespace sla
