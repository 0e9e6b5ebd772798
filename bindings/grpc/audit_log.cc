#include "bindings/grpc/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "sla/window.h"

namespace sla::server {
namespace {

// A flat JSON object of strings, numbers and nulls, as AuditRecordToJson
// writes it. Values are returned as text; `null` as a missing key.
absl::StatusOr<absl::flat_hash_map<std::string, std::string>> ParseFlatObject(
    absl::string_view s) {
  absl::flat_hash_map<std::string, std::string> out;
  size_t i = 0;
  auto ws = [&] {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  };
  auto string = [&](std::string* v) -> bool {
    if (i >= s.size() || s[i] != '"') return false;
    ++i;
    while (i < s.size() && s[i] != '"') {
      char c = s[i++];
      if (c == '\\') {
        if (i >= s.size()) return false;
        const char e = s[i++];
        switch (e) {
          case 'n':
            c = '\n';
            break;
          case 't':
            c = '\t';
            break;
          case 'r':
            c = '\r';
            break;
          case 'b':
            c = '\b';
            break;
          case 'f':
            c = '\f';
            break;
          case 'u': {
            uint32_t cp = 0;
            if (i + 4 > s.size() || !absl::SimpleHexAtoi(s.substr(i, 4), &cp)) {
              return false;
            }
            i += 4;
            // Our writer escapes control characters only (< 0x20).
            if (cp >= 0x80) return false;
            c = static_cast<char>(cp);
            break;
          }
          default:
            c = e;  // " \ /
        }
      }
      v->push_back(c);
    }
    if (i >= s.size()) return false;
    ++i;
    return true;
  };
  ws();
  if (i >= s.size() || s[i++] != '{') {
    return absl::InvalidArgumentError("expected '{'");
  }
  ws();
  if (i < s.size() && s[i] == '}') return out;
  while (true) {
    ws();
    std::string key;
    if (!string(&key)) return absl::InvalidArgumentError("expected a key");
    ws();
    if (i >= s.size() || s[i++] != ':') {
      return absl::InvalidArgumentError(
          absl::StrCat("expected ':' after '", key, "'"));
    }
    ws();
    if (i < s.size() && s[i] == '"') {
      std::string v;
      if (!string(&v)) {
        return absl::InvalidArgumentError(
            absl::StrCat("bad string value of '", key, "'"));
      }
      out[key] = std::move(v);
    } else {
      const size_t start = i;
      while (i < s.size() && s[i] != ',' && s[i] != '}') ++i;
      const std::string v(
          absl::StripAsciiWhitespace(s.substr(start, i - start)));
      if (v.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("missing value of '", key, "'"));
      }
      if (v != "null") out[key] = v;
    }
    ws();
    if (i < s.size() && s[i] == ',') {
      ++i;
      continue;
    }
    if (i < s.size() && s[i] == '}') {
      ++i;
      ws();
      if (i != s.size()) return absl::InvalidArgumentError("text after '}'");
      return out;
    }
    return absl::InvalidArgumentError("expected ',' or '}'");
  }
}

absl::StatusOr<absl::StatusCode> CodeFromName(absl::string_view name) {
  for (int c = 0; c <= 16; ++c) {
    const auto code = static_cast<absl::StatusCode>(c);
    if (absl::StatusCodeToString(code) == name) return code;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("result_code: unknown code '", name, "'"));
}

}  // namespace

absl::StatusOr<AuditRecord> ParseAuditRecordJson(absl::string_view line) {
  absl::StatusOr<absl::flat_hash_map<std::string, std::string>> o =
      ParseFlatObject(line);
  if (!o.ok()) return o.status();
  AuditRecord r;
  auto get = [&](const char* key) -> const std::string* {
    auto it = o->find(key);
    return it == o->end() ? nullptr : &it->second;
  };
  auto time = [&](const char* key, absl::Time* out) -> absl::Status {
    const std::string* v = get(key);
    if (v == nullptr) return absl::OkStatus();  // null: unset
    absl::StatusOr<absl::Time> t = ParseTimestamp(*v);
    if (!t.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(key, ": ", t.status().message()));
    }
    *out = *t;
    return absl::OkStatus();
  };
  const std::string* seq = get("seq");
  if (seq == nullptr || !absl::SimpleAtoi(*seq, &r.seq)) {
    return absl::InvalidArgumentError("seq: missing or not an integer");
  }
  if (get("at") == nullptr) return absl::InvalidArgumentError("at: missing");
  if (absl::Status s = time("at", &r.at); !s.ok()) return s;
  if (absl::Status s = time("started", &r.started); !s.ok()) return s;
  if (absl::Status s = time("finished", &r.finished); !s.ok()) return s;
  for (auto [key, field] : {std::pair{"service", &r.service},
                            {"objective", &r.objective},
                            {"severity", &r.severity},
                            {"action", &r.action},
                            {"decision", &r.decision},
                            {"reason", &r.reason}}) {
    if (const std::string* v = get(key)) *field = *v;
  }
  if (const std::string* v = get("alert_state")) {
    bool found = false;
    for (AlertState st : {AlertState::kInactive, AlertState::kPending,
                          AlertState::kFiring, AlertState::kResolved}) {
      if (AlertStateName(st) == *v) {
        r.alert_to = st;
        found = true;
      }
    }
    if (!found) {
      return absl::InvalidArgumentError(
          absl::StrCat("alert_state: unknown state '", *v, "'"));
    }
  }
  if (const std::string* code = get("result_code")) {
    absl::StatusOr<absl::StatusCode> c = CodeFromName(*code);
    if (!c.ok()) return c.status();
    const std::string* message = get("result_message");
    r.result = absl::Status(*c, message == nullptr ? "" : *message);
  }
  return r;
}

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(std::string path) {
  std::vector<AuditRecord> records;
  int dropped = 0;
  {
    std::ifstream in(path, std::ios::binary);
    if (in) {
      std::stringstream text;
      text << in.rdbuf();
      const std::string all = text.str();
      std::vector<absl::string_view> lines = absl::StrSplit(all, '\n');
      // The text after the last newline is a torn write unless empty.
      const bool torn = !lines.back().empty();
      lines.pop_back();
      for (size_t n = 0; n < lines.size(); ++n) {
        absl::StatusOr<AuditRecord> r = ParseAuditRecordJson(lines[n]);
        if (!r.ok()) {
          return absl::DataLossError(
              absl::StrCat(path, ":", n + 1, ": ", r.status().message()));
        }
        records.push_back(*std::move(r));
      }
      if (torn) {
        dropped = 1;
        // Cut it, so that the next append starts a line of its own.
        const size_t newline = all.rfind('\n');
        const size_t keep = newline == std::string::npos ? 0 : newline + 1;
        if (::truncate(path.c_str(), static_cast<off_t>(keep)) != 0) {
          return absl::InternalError(
              absl::StrCat("cannot cut the torn tail of ", path, ": ",
                           std::strerror(errno)));
        }
      }
    }
  }
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }
  std::unique_ptr<AuditLog> log(new AuditLog(std::move(path), fd));
  log->dropped_lines_ = dropped;
  absl::MutexLock lock(&log->mu_);
  log->records_ = std::move(records);
  return log;
}

AuditLog::~AuditLog() { ::close(fd_); }

absl::Status AuditLog::Append(const AuditRecord& record) {
  const std::string line = AuditRecordToJson(record) + "\n";
  absl::MutexLock lock(&mu_);
  const off_t start = ::lseek(fd_, 0, SEEK_END);
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      // No partial line may stay behind: the next append would follow it
      // and the file would no longer read back.
      if (start >= 0 && ::ftruncate(fd_, start) != 0) {
        return absl::DataLossError(
            absl::StrCat("cannot write ", path_, " (", std::strerror(err),
                         ") nor cut the partial line: ", std::strerror(errno)));
      }
      return absl::InternalError(
          absl::StrCat("cannot write ", path_, ": ", std::strerror(err)));
    }
    done += static_cast<size_t>(n);
  }
  if (::fdatasync(fd_) != 0) {
    return absl::InternalError(
        absl::StrCat("cannot flush ", path_, ": ", std::strerror(errno)));
  }
  records_.push_back(record);
  return absl::OkStatus();
}

std::vector<AuditRecord> AuditLog::Records() const {
  absl::MutexLock lock(&mu_);
  return records_;
}

}  // namespace sla::server
