// tests/fuzz/jsonl_fuzzer.cc: sla::probes::ParseProbeJsonl on arbitrary
// text. A rejection is InvalidArgument naming lines of the input
// ("fuzz:<line>: ...", 1 <= line <= the number of lines); an accepted input
// gives one row per non-blank line, each with a declared series, a finite
// latency >= 0, and series names that are non-empty without control
// characters; and the table written back as JSON lines parses to the same
// table.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "probes/jsonl_reader.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

// JSON string literal of `s` (valid UTF-8, as the reader accepted it).
std::string Quoted(absl::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// Lines (split on '\n') that hold something other than " \t\r", after a
// byte order mark is dropped.
int64_t NonBlankLines(absl::string_view text, int64_t* lines) {
  if (absl::StartsWith(text, "\xEF\xBB\xBF")) text.remove_prefix(3);
  int64_t n = 0;
  *lines = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++*lines;
    if (line.find_first_not_of(" \t\r") != absl::string_view::npos) ++n;
  }
  return n;
}

// Checks a rejection: "K malformed line(s), nothing was read:\n" then up to
// 10 "fuzz:<line>: <what>" lines, each line number within the input.
void CheckError(const absl::Status& s, int64_t lines) {
  FUZZ_CHECK(absl::IsInvalidArgument(s), "unexpected status %s",
             s.ToString().c_str());
  const std::string message(s.message());
  FUZZ_CHECK(absl::StrContains(message, " malformed line"),
             "no count of malformed lines: %s", message.c_str());
  int listed = 0;
  for (absl::string_view entry : absl::StrSplit(message, '\n')) {
    if (!absl::ConsumePrefix(&entry, "fuzz:")) continue;
    const size_t colon = entry.find(':');
    int64_t line = 0;
    FUZZ_CHECK(colon != absl::string_view::npos &&
                   absl::SimpleAtoi(entry.substr(0, colon), &line) &&
                   line >= 1 && line <= lines,
               "entry does not name a line of %lld: %s",
               static_cast<long long>(lines), message.c_str());
    ++listed;
  }
  FUZZ_CHECK(listed >= 1 && listed <= 10, "%d lines listed: %s", listed,
             message.c_str());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  int64_t lines = 0;
  const int64_t non_blank = NonBlankLines(input, &lines);
  auto table = sla::probes::ParseProbeJsonl(input, "fuzz");
  if (!table.ok()) {
    CheckError(table.status(), lines);
    return 0;
  }
  FUZZ_CHECK(static_cast<int64_t>(table->rows.size()) == non_blank,
             "%zu rows from %lld non-blank lines", table->rows.size(),
             static_cast<long long>(non_blank));
  for (const auto& name : table->series) {
    FUZZ_CHECK(!name.service.empty() && !name.probe.empty(),
               "empty series name accepted");
    for (const std::string* s : {&name.service, &name.probe}) {
      for (const char c : *s) {
        FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7F,
                   "control character in a name accepted");
      }
    }
  }
  std::string back;
  for (const sla::ProbeResult& r : table->rows) {
    FUZZ_CHECK(r.sli < table->series.size(), "row series %u of %zu", r.sli,
               table->series.size());
    FUZZ_CHECK(std::isfinite(r.latency_ms) && r.latency_ms >= 0,
               "latency %g accepted", r.latency_ms);
    FUZZ_CHECK(!std::signbit(r.latency_ms), "latency -0 kept");
    const auto& name = table->series[r.sli];
    char latency[40];
    std::snprintf(latency, sizeof(latency), "%.17g", r.latency_ms);
    absl::StrAppend(&back, "{\"timestamp_ms\":", r.unix_ms,
                    ",\"service\":", Quoted(name.service),
                    ",\"probe\":", Quoted(name.probe),
                    ",\"ok\":", r.ok ? "true" : "false",
                    ",\"latency_ms\":", latency, "}\n");
  }
  auto again = sla::probes::ParseProbeJsonl(back, "back");
  FUZZ_CHECK(again.ok(), "the table written back does not parse: %s",
             again.status().ToString().c_str());
  FUZZ_CHECK(again->series.size() == table->series.size() &&
                 again->rows.size() == table->rows.size(),
             "round trip: %zu series %zu rows, then %zu %zu",
             table->series.size(), table->rows.size(), again->series.size(),
             again->rows.size());
  for (size_t i = 0; i < table->series.size(); ++i) {
    FUZZ_CHECK(again->series[i].service == table->series[i].service &&
                   again->series[i].probe == table->series[i].probe,
               "round trip: series %zu differs", i);
  }
  for (size_t i = 0; i < table->rows.size(); ++i) {
    const sla::ProbeResult& a = table->rows[i];
    const sla::ProbeResult& b = again->rows[i];
    FUZZ_CHECK(a.sli == b.sli && a.unix_ms == b.unix_ms && a.ok == b.ok &&
                   a.latency_ms == b.latency_ms,
               "round trip: row %zu differs", i);
  }
  return 0;
}
