#include "probes/csv_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sla {
namespace probes {
namespace {

constexpr absl::string_view kHeader =
    "timestamp_ms,service,probe,ok,latency_ms";
constexpr int kMaxReportedErrors = 10;

absl::Status ErrnoStatus(int err, absl::string_view what,
                         const std::string& path) {
  const std::string msg =
      absl::StrCat(what, " '", path, "': ", std::strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(msg);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(msg);
    default:
      return absl::InternalError(msg);
  }
}

// Parses one data line; on error returns a description naming the field.
bool ParseLine(absl::string_view line, absl::string_view* key, ProbeResult* out,
               std::string* error) {
  absl::string_view f[5];
  size_t n = 0;
  size_t start = 0;
  for (size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == ',') {
      if (n == 5) {
        *error = "too many fields (expected 5)";
        return false;
      }
      f[n++] = line.substr(start, i - start);
      start = i + 1;
    }
  }
  if (n != 5) {
    *error = absl::StrCat("expected 5 fields, found ", n);
    return false;
  }
  const char* b = f[0].data();
  const char* e = b + f[0].size();
  auto ts = std::from_chars(b, e, out->unix_ms);
  if (f[0].empty() || ts.ec != std::errc() || ts.ptr != e) {
    *error = absl::StrCat("field 'timestamp_ms': '", f[0],
                          "' is not an integer number of milliseconds");
    return false;
  }
  if (f[1].empty()) {
    *error = "field 'service' is empty";
    return false;
  }
  if (f[2].empty()) {
    *error = "field 'probe' is empty";
    return false;
  }
  if (f[3] == "1") {
    out->ok = true;
  } else if (f[3] == "0") {
    out->ok = false;
  } else {
    *error = absl::StrCat("field 'ok': expected 0 or 1, got '", f[3], "'");
    return false;
  }
  b = f[4].data();
  e = b + f[4].size();
  auto lat = std::from_chars(b, e, out->latency_ms);
  if (f[4].empty() || lat.ec != std::errc() || lat.ptr != e ||
      !std::isfinite(out->latency_ms) || out->latency_ms < 0) {
    *error = absl::StrCat("field 'latency_ms': '", f[4],
                          "' is not a finite number >= 0");
    return false;
  }
  // "service,probe" as one interning key.
  *key = line.substr(f[1].data() - line.data(),
                     f[2].data() + f[2].size() - f[1].data());
  return true;
}

}  // namespace

absl::StatusOr<ProbeTable> ParseProbeCsv(absl::string_view text,
                                         absl::string_view source) {
  ProbeTable table;
  size_t pos = 0;
  int64_t line_no = 0;
  auto next_line = [&](absl::string_view* line) {
    if (pos >= text.size()) return false;
    size_t end = text.find('\n', pos);
    if (end == absl::string_view::npos) end = text.size();
    *line = text.substr(pos, end - pos);
    if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
    pos = end + 1;
    ++line_no;
    return true;
  };
  absl::string_view line;
  if (!next_line(&line) || line != kHeader) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ":1: the header must be '", kHeader, "'",
        line_no == 0 ? " (the file is empty)"
                     : absl::StrCat(", found '", line.substr(0, 80), "'")));
  }
  // Roughly 35 bytes a line: reserve to avoid regrowth on big files.
  table.rows.reserve(text.size() / 32);
  absl::flat_hash_map<absl::string_view, uint32_t> index;
  std::vector<std::string> errors;
  int64_t error_count = 0;
  std::string error;
  absl::string_view key;
  absl::string_view last_key;
  uint32_t last_id = 0;
  while (next_line(&line)) {
    if (line.empty()) continue;  // blank lines (a trailing newline) are fine
    ProbeResult r;
    if (!ParseLine(line, &key, &r, &error)) {
      if (++error_count <= kMaxReportedErrors) {
        errors.push_back(absl::StrCat(source, ":", line_no, ": ", error));
      }
      continue;
    }
    if (key != last_key || table.rows.empty()) {
      auto [it, inserted] =
          index.try_emplace(key, static_cast<uint32_t>(index.size()));
      if (inserted) {
        const size_t comma = key.find(',');
        table.series.push_back(SeriesName{std::string(key.substr(0, comma)),
                                          std::string(key.substr(comma + 1))});
      }
      last_key = key;
      last_id = it->second;
    }
    r.sli = last_id;
    table.rows.push_back(r);
  }
  if (error_count > 0) {
    std::string more;
    if (error_count > kMaxReportedErrors) {
      more = absl::StrCat("\n... and ", error_count - kMaxReportedErrors,
                          " more bad lines");
    }
    return absl::InvalidArgumentError(absl::StrCat(
        error_count, " malformed line", error_count == 1 ? "" : "s",
        ", nothing was read:\n", absl::StrJoin(errors, "\n"), more));
  }
  return table;
}

absl::StatusOr<ProbeTable> ReadProbeCsv(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "cannot open", path);
  auto close_fd = absl::MakeCleanup([fd] { ::close(fd); });
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoStatus(errno, "cannot stat", path);
  if (!S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", path, "' is not a regular file"));
  }
  if (st.st_size == 0) return ParseProbeCsv("", path);
  void* data = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ,
                      MAP_PRIVATE, fd, 0);
  if (data == MAP_FAILED) return ErrnoStatus(errno, "cannot map", path);
  auto unmap = absl::MakeCleanup(
      [data, &st] { ::munmap(data, static_cast<size_t>(st.st_size)); });
  ::madvise(data, static_cast<size_t>(st.st_size), MADV_SEQUENTIAL);
  return ParseProbeCsv(absl::string_view(static_cast<const char*>(data),
                                         static_cast<size_t>(st.st_size)),
                       path);
}

absl::StatusOr<std::vector<SliId>> BindProbeTable(Engine& engine,
                                                  ProbeTable& table) {
  std::vector<SliId> ids;
  ids.reserve(table.series.size());
  for (const SeriesName& s : table.series) {
    absl::StatusOr<SliId> id = engine.FindSli(s.service, s.probe);
    if (!id.ok()) {
      SliSpec spec;
      spec.service = s.service;
      spec.name = s.probe;
      spec.kind = SliKind::kProbeSuccess;
      id = engine.AddSli(spec);
    }
    if (!id.ok()) return id.status();
    ids.push_back(*id);
  }
  bool identity = true;
  for (size_t i = 0; i < ids.size(); ++i) identity &= ids[i] == i;
  if (!identity) {
    for (ProbeResult& r : table.rows) r.sli = ids[r.sli];
  }
  return ids;
}

}  // namespace probes
}  // namespace sla
