#include "probes/csv_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "probes/internal/table_builder.h"

namespace sla {
namespace probes {
namespace {

constexpr absl::string_view kHeader =
    "timestamp_ms,service,probe,ok,latency_ms";

// Exact fast path for plain decimals ("42", "42.125"): with at most 15
// significant digits both the digits and the power of ten are exact doubles,
// so one division rounds correctly, giving what std::from_chars gives.
// Returns false for anything else (exponents, signs, nan, inf, > 15 digits),
// which the caller hands to std::from_chars.
inline bool FastDecimal(const char* b, const char* e, double* out) {
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3, 1e4,  1e5,
                                      1e6,  1e7,  1e8,  1e9, 1e10, 1e11,
                                      1e12, 1e13, 1e14, 1e15};
  uint64_t digits = 0;
  int n = 0;
  int frac = -1;
  for (const char* p = b; p < e; ++p) {
    const unsigned d = static_cast<unsigned char>(*p) - '0';
    if (d < 10) {
      digits = digits * 10 + d;
      if (++n > 15) return false;
      if (frac >= 0) ++frac;
    } else if (*p == '.' && frac < 0) {
      frac = 0;
    } else {
      return false;
    }
  }
  if (n == 0) return false;
  *out = frac > 0 ? static_cast<double>(digits) / kPow10[frac]
                  : static_cast<double>(digits);
  return true;
}

// A field as error messages show it: quoted, C-escaped (the message stays
// printable UTF-8), and cut after 40 bytes with the field's size.
std::string Quoted(absl::string_view field) {
  constexpr size_t kShown = 40;
  if (field.size() <= kShown) {
    return absl::StrCat("'", absl::CHexEscape(field), "'");
  }
  return absl::StrCat("'", absl::CHexEscape(field.substr(0, kShown)), "...' (",
                      field.size(), " bytes)");
}

// Parses one data line; on error returns a description naming the field.
bool ParseLine(absl::string_view line, absl::string_view* service,
               absl::string_view* probe, ProbeResult* out, std::string* error) {
  absl::string_view f[5];
  size_t n = 0;
  const char* p = line.data();
  const char* const end = p + line.size();
  while (true) {
    const char* comma = static_cast<const char*>(std::memchr(p, ',', end - p));
    if (n == 4 || comma == nullptr) {
      f[n++] = absl::string_view(p, end - p);
      if (comma != nullptr) {
        *error = "too many fields (expected 5)";
        return false;
      }
      break;
    }
    f[n++] = absl::string_view(p, comma - p);
    p = comma + 1;
  }
  if (n != 5) {
    *error = absl::StrCat("expected 5 fields, found ", n);
    return false;
  }
  const char* b = f[0].data();
  const char* e = b + f[0].size();
  auto ts = std::from_chars(b, e, out->unix_ms);
  if (f[0].empty() || ts.ec != std::errc() || ts.ptr != e) {
    *error = absl::StrCat("field 'timestamp_ms': ", Quoted(f[0]),
                          " is not an integer number of milliseconds");
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
  if (f[3].size() == 1 && (f[3][0] == '1' || f[3][0] == '0')) {
    out->ok = f[3][0] == '1';
  } else {
    *error = absl::StrCat("field 'ok': expected 0 or 1, got ", Quoted(f[3]));
    return false;
  }
  b = f[4].data();
  e = b + f[4].size();
  if (!FastDecimal(b, e, &out->latency_ms)) {
    auto lat = std::from_chars(b, e, out->latency_ms);
    if (f[4].empty() || lat.ec != std::errc() || lat.ptr != e ||
        !std::isfinite(out->latency_ms) || out->latency_ms < 0) {
      *error = absl::StrCat("field 'latency_ms': ", Quoted(f[4]),
                            " is not a finite number >= 0");
      return false;
    }
  }
  *service = f[1];
  *probe = f[2];
  return true;
}

// What one thread makes of a run of whole lines.
struct Chunk {
  internal::TableBuilder table;
  internal::LineErrors errors;  // line numbers local to the chunk
  int64_t lines = 0;
};

void ParseChunk(absl::string_view text, Chunk* chunk) {
  // Roughly 35 bytes a line: reserve to avoid regrowth on big files.
  chunk->table.ReserveRows(text.size() / 32);
  std::string error;
  absl::string_view service;
  absl::string_view probe;
  size_t pos = 0;
  while (pos < text.size()) {
    const char* nl = static_cast<const char*>(
        std::memchr(text.data() + pos, '\n', text.size() - pos));
    const size_t end = nl == nullptr ? text.size() : nl - text.data();
    absl::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++chunk->lines;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;  // blank lines (a trailing newline) are fine
    ProbeResult r;
    if (!ParseLine(line, &service, &probe, &r, &error)) {
      chunk->errors.Add(chunk->lines, std::move(error));
      continue;
    }
    // Names are checked once per series (sla::CheckNameText).
    if (!chunk->table.AddChecked(service, probe, r, &error)) {
      chunk->errors.Add(chunk->lines, std::move(error));
    }
  }
}

}  // namespace

absl::StatusOr<ProbeTable> ParseProbeCsv(absl::string_view text,
                                         absl::string_view source) {
  const size_t header_end = std::min(text.find('\n'), text.size());
  absl::string_view header = text.substr(0, header_end);
  if (!header.empty() && header.back() == '\r') header.remove_suffix(1);
  if (text.empty() || header != kHeader) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ":1: the header must be '", kHeader, "'",
        text.empty() ? " (the file is empty)"
                     : absl::StrCat(", found '", header.substr(0, 80), "'")));
  }
  absl::string_view body =
      header_end < text.size() ? text.substr(header_end + 1) : "";

  // Big inputs are split at a line boundary and parsed on two threads.
  constexpr size_t kParallelBytes = 8 << 20;
  std::vector<absl::string_view> parts;
  if (body.size() >= kParallelBytes &&
      std::thread::hardware_concurrency() > 1) {
    size_t mid = body.find('\n', body.size() / 2);
    mid = mid == absl::string_view::npos ? body.size() : mid + 1;
    parts = {body.substr(0, mid), body.substr(mid)};
  } else {
    parts = {body};
  }
  std::vector<Chunk> chunks(parts.size());
  if (parts.size() == 1) {
    ParseChunk(parts[0], &chunks[0]);
  } else {
    std::thread other(ParseChunk, parts[1], &chunks[1]);
    ParseChunk(parts[0], &chunks[0]);
    other.join();
  }

  internal::LineErrors errors;
  int64_t first_line = 2;  // line 1 is the header
  for (const Chunk& c : chunks) {
    errors.Append(c.errors, first_line - 1);
    first_line += c.lines;
  }
  if (!errors.empty()) return errors.ToStatus(source);

  for (size_t k = 1; k < chunks.size(); ++k) {
    chunks[0].table.Append(std::move(chunks[k].table));
  }
  ProbeTable table;
  std::move(chunks[0].table).MoveTo(&table);
  return table;
}

absl::StatusOr<ProbeTable> ReadProbeCsv(const std::string& path) {
  absl::StatusOr<ProbeTable> table;
  absl::Status read = internal::WithFileContents(
      path, [&](absl::string_view text) { table = ParseProbeCsv(text, path); });
  if (!read.ok()) return read;
  return table;
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
