// tests/fuzz/prom_importer_fuzzer.cc: the Prometheus text parser
// (sla::probes::ParsePromText, which the metric checker runs on every page
// it reads) and the blackbox importer over it (ParseProbeProm).
//
// Input: one byte of options (bit 0: a default service, bit 1: a default
// probe, bit 2: a default time), then the text.
// ParsePromText: a rejection is InvalidArgument "fuzz:<line>: ..." with the
// line in the input; accepted samples have valid, non-repeating names, line
// numbers that increase within the input, and written back in the text
// format they parse to the same samples (FormatPromValue reads back
// exactly). ParseProbeProm: a rejection is InvalidArgument naming the
// source; an import has one row per probe_success sample, in order, each
// with ok = (value == 1), the sample's time (or the default), a finite
// latency >= 0 and a declared series with non-empty names.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "probes/prom_importer.h"
#include "probes/prom_text.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

bool IsName(absl::string_view s, bool colon_ok) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    c == '_' || (colon_ok && c == ':') ||
                    (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool SameValue(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

std::string Escaped(absl::string_view v) {
  std::string out;
  for (const char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Render(const std::vector<sla::probes::PromSample>& samples) {
  std::string text;
  for (const auto& s : samples) {
    absl::StrAppend(&text, s.name, "{");
    for (const auto& [k, v] : s.labels) {
      absl::StrAppend(&text, k, "=\"", Escaped(v), "\",");
    }
    absl::StrAppend(&text, "} ", sla::probes::FormatPromValue(s.value));
    if (s.timestamp_ms.has_value())
      absl::StrAppend(&text, " ", *s.timestamp_ms);
    text += '\n';
  }
  return text;
}

// The line number after "fuzz:" at the start of `s`, or 0.
int64_t LineOf(absl::string_view s) {
  if (!absl::ConsumePrefix(&s, "fuzz:")) return 0;
  int64_t line = 0;
  const size_t colon = s.find(':');
  if (colon == absl::string_view::npos ||
      !absl::SimpleAtoi(s.substr(0, colon), &line)) {
    return 0;
  }
  return line;
}

// Parses, checks and round-trips; returns the samples (empty on error).
std::vector<sla::probes::PromSample> CheckText(absl::string_view text,
                                               int64_t lines) {
  auto samples = sla::probes::ParsePromText(text, "fuzz");
  if (!samples.ok()) {
    const absl::Status& s = samples.status();
    FUZZ_CHECK(absl::IsInvalidArgument(s), "unexpected status %s",
               s.ToString().c_str());
    const int64_t line = LineOf(s.message());
    FUZZ_CHECK(line >= 1 && line <= lines, "error names no line of %lld: %s",
               static_cast<long long>(lines), s.ToString().c_str());
    return {};
  }
  int previous = 0;
  for (const auto& s : *samples) {
    FUZZ_CHECK(IsName(s.name, true), "bad metric name accepted");
    FUZZ_CHECK(s.line > previous && s.line <= lines, "line %d after %d of %lld",
               s.line, previous, static_cast<long long>(lines));
    previous = s.line;
    for (size_t i = 0; i < s.labels.size(); ++i) {
      FUZZ_CHECK(IsName(s.labels[i].first, false), "bad label name accepted");
      for (size_t j = 0; j < i; ++j) {
        FUZZ_CHECK(s.labels[j].first != s.labels[i].first, "label '%s' repeats",
                   s.labels[i].first.c_str());
      }
    }
    const std::string shown = sla::probes::FormatPromValue(s.value);
    double back = 0;
    auto one = sla::probes::ParsePromText(absl::StrCat("m ", shown), "value");
    FUZZ_CHECK(one.ok() && one->size() == 1, "value '%s' does not parse back",
               shown.c_str());
    back = (*one)[0].value;
    FUZZ_CHECK(SameValue(back, s.value), "value '%s' reads back as %s",
               shown.c_str(), sla::probes::FormatPromValue(back).c_str());
  }
  const std::string rendered = Render(*samples);
  auto again = sla::probes::ParsePromText(rendered, "rendered");
  FUZZ_CHECK(again.ok(), "the samples written back do not parse: %s",
             again.status().ToString().c_str());
  FUZZ_CHECK(again->size() == samples->size(), "round trip: %zu -> %zu",
             samples->size(), again->size());
  for (size_t i = 0; i < samples->size(); ++i) {
    const auto& a = (*samples)[i];
    const auto& b = (*again)[i];
    FUZZ_CHECK(a.name == b.name && a.labels == b.labels &&
                   SameValue(a.value, b.value) &&
                   a.timestamp_ms == b.timestamp_ms,
               "round trip: sample %zu (line %d) differs", i, a.line);
  }
  return *std::move(samples);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t flags = data[0];
  absl::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  int64_t lines = 0;
  for (absl::string_view l : absl::StrSplit(text, '\n')) {
    (void)l;
    ++lines;
  }
  const std::vector<sla::probes::PromSample> samples = CheckText(text, lines);

  sla::probes::ImportOptions options;
  if (flags & 1) options.service = "svc";
  if (flags & 2) options.probe = "target";
  const int64_t at_ms = 1704067200123;  // 2024-01-01T00:00:00.123Z
  if (flags & 4) options.at = absl::FromUnixMillis(at_ms);
  auto table = sla::probes::ParseProbeProm(text, "fuzz", options);
  if (!table.ok()) {
    const absl::Status& s = table.status();
    FUZZ_CHECK(absl::IsInvalidArgument(s), "unexpected status %s",
               s.ToString().c_str());
    FUZZ_CHECK(absl::StartsWith(s.message(), "fuzz:") ||
                   absl::StrContains(s.message(), "\nfuzz:"),
               "error names no source: %s", s.ToString().c_str());
    return 0;
  }
  std::vector<const sla::probes::PromSample*> successes;
  bool any_duration = false;
  for (const auto& s : samples) {
    if (s.name == "probe_success") successes.push_back(&s);
    if (s.name == "probe_duration_seconds") any_duration = true;
  }
  FUZZ_CHECK(!successes.empty(), "an import without probe_success");
  FUZZ_CHECK(table->rows.size() == successes.size(),
             "%zu rows from %zu probe_success samples", table->rows.size(),
             successes.size());
  for (const auto& name : table->series) {
    FUZZ_CHECK(!name.service.empty() && !name.probe.empty(),
               "empty series name accepted");
  }
  for (size_t i = 0; i < table->rows.size(); ++i) {
    const sla::ProbeResult& r = table->rows[i];
    const sla::probes::PromSample& s = *successes[i];
    FUZZ_CHECK(r.sli < table->series.size(), "row series %u of %zu", r.sli,
               table->series.size());
    FUZZ_CHECK(s.value == 0 || s.value == 1, "line %d: value %s accepted",
               s.line, sla::probes::FormatPromValue(s.value).c_str());
    FUZZ_CHECK(r.ok == (s.value == 1), "line %d: ok %d", s.line, r.ok);
    FUZZ_CHECK(r.unix_ms == s.timestamp_ms.value_or(at_ms),
               "line %d: time %lld", s.line, static_cast<long long>(r.unix_ms));
    FUZZ_CHECK(std::isfinite(r.latency_ms) && r.latency_ms >= 0,
               "line %d: latency %g accepted", s.line, r.latency_ms);
    FUZZ_CHECK(any_duration || r.latency_ms == 0,
               "line %d: latency %g without a duration sample", s.line,
               r.latency_ms);
  }
  return 0;
}
