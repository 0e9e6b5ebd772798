#include "probes/prom_importer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "probes/internal/table_builder.h"
#include "probes/prom_text.h"

namespace sla {
namespace probes {
namespace {

constexpr absl::string_view kSuccess = "probe_success";
constexpr absl::string_view kDuration = "probe_duration_seconds";

using Labels = std::vector<std::pair<std::string, std::string>>;

// The value of label `name`, or "" when absent (an empty value is absence
// in Prometheus).
absl::string_view Label(const Labels& labels, absl::string_view name) {
  for (const auto& [k, v] : labels) {
    if (k == name) return v;
  }
  return "";
}

// Identifies a sample's labels and timestamp, so that a probe_success and
// its probe_duration_seconds meet: the labels sorted by name, each length-
// prefixed, then the timestamp.
std::string MatchKey(const PromSample& s) {
  std::vector<const std::pair<std::string, std::string>*> sorted;
  sorted.reserve(s.labels.size());
  for (const auto& l : s.labels) sorted.push_back(&l);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return *a < *b; });
  std::string key;
  for (const auto* l : sorted) {
    absl::StrAppend(&key, l->first.size(), ":", l->first, l->second.size(), ":",
                    l->second);
  }
  if (s.timestamp_ms.has_value()) {
    absl::StrAppend(&key, "@", *s.timestamp_ms);
  }
  return key;
}

// The first sample of each key, by index.
using FirstSample = absl::flat_hash_map<std::string, size_t>;

}  // namespace

absl::StatusOr<ProbeTable> ParseProbeProm(absl::string_view text,
                                          absl::string_view source,
                                          const ImportOptions& options) {
  absl::StatusOr<std::vector<PromSample>> parsed = ParsePromText(text, source);
  if (!parsed.ok()) return parsed.status();
  const std::vector<PromSample>& samples = *parsed;

  // Pass 1: where each (labels, timestamp) first appears, per metric.
  std::vector<std::string> keys(samples.size());
  FirstSample success_at;
  FirstSample duration_at;
  for (size_t i = 0; i < samples.size(); ++i) {
    const PromSample& s = samples[i];
    if (s.name != kSuccess && s.name != kDuration) continue;
    keys[i] = MatchKey(s);
    (s.name == kSuccess ? success_at : duration_at).try_emplace(keys[i], i);
  }

  // Pass 2, in file order: check every sample, build the rows.
  internal::TableBuilder table;
  internal::LineErrors errors;
  int64_t successes = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    const PromSample& s = samples[i];
    if (s.name != kSuccess && s.name != kDuration) continue;
    const bool success = s.name == kSuccess;
    const FirstSample& first = success ? success_at : duration_at;
    if (const size_t j = first.find(keys[i])->second; j != i) {
      errors.Add(s.line,
                 absl::StrCat(s.name,
                              ": a second sample with the same labels and "
                              "timestamp (the first is on line ",
                              samples[j].line, ")"));
      continue;
    }
    if (!success) {
      if (!std::isfinite(s.value) || s.value < 0) {
        errors.Add(s.line,
                   absl::StrCat(s.name, ": value ", FormatPromValue(s.value),
                                " is not a finite number >= 0"));
      } else if (!std::isfinite(s.value * 1000)) {
        errors.Add(s.line,
                   absl::StrCat(s.name, ": value ", FormatPromValue(s.value),
                                " is too large (its milliseconds are not a "
                                "finite number)"));
      } else if (!success_at.contains(keys[i])) {
        errors.Add(s.line,
                   absl::StrCat(s.name,
                                ": no probe_success with the same labels "
                                "and timestamp"));
      }
      continue;
    }

    ++successes;
    if (s.value != 0 && s.value != 1) {
      errors.Add(s.line,
                 absl::StrCat(s.name, ": value ", FormatPromValue(s.value),
                              " is not 0 or 1"));
      continue;
    }
    ProbeResult row;
    row.ok = s.value == 1;
    // What the sample lacks, and the option that would supply it.
    std::vector<absl::string_view> missing;
    std::vector<absl::string_view> flags;
    if (s.timestamp_ms.has_value()) {
      row.unix_ms = *s.timestamp_ms;
    } else if (options.at.has_value()) {
      row.unix_ms = absl::ToUnixMillis(*options.at);
    } else {
      missing.push_back("timestamp");
      flags.push_back("--at TIME");
    }
    absl::string_view service = Label(s.labels, "service");
    if (service.empty()) service = Label(s.labels, "job");
    if (service.empty()) service = options.service;
    if (service.empty()) {
      missing.push_back("'service' or 'job' label");
      flags.push_back("--service NAME");
    }
    absl::string_view probe = Label(s.labels, "probe");
    if (probe.empty()) probe = Label(s.labels, "instance");
    if (probe.empty()) probe = Label(s.labels, "target");
    if (probe.empty()) probe = options.probe;
    if (probe.empty()) {
      missing.push_back("'probe', 'instance' or 'target' label");
      flags.push_back("--probe NAME");
    }
    if (!missing.empty()) {
      errors.Add(s.line,
                 absl::StrCat(s.name, ": no ", absl::StrJoin(missing, ", no "),
                              ", and no default given (slakit import ",
                              absl::StrJoin(flags, " "), ")"));
      continue;
    }
    if (auto d = duration_at.find(keys[i]); d != duration_at.end()) {
      const double seconds = samples[d->second].value;
      // A bad duration is reported on its own line.
      if (std::isfinite(seconds) && seconds >= 0) {
        row.latency_ms = seconds * 1000 + 0.0;  // -0 -> 0
      }
    }
    if (errors.empty()) table.Add(service, probe, row);
  }
  if (!errors.empty()) return errors.ToStatus(source);
  if (successes == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        source,
        ": no probe_success samples (expected the output of Prometheus' "
        "blackbox_exporter)"));
  }
  ProbeTable out;
  std::move(table).MoveTo(&out);
  return out;
}

absl::StatusOr<ProbeTable> ReadProbeProm(const std::string& path,
                                         const ImportOptions& options) {
  absl::StatusOr<ProbeTable> table;
  absl::Status read =
      internal::WithFileContents(path, [&](absl::string_view text) {
        table = ParseProbeProm(text, path, options);
      });
  if (!read.ok()) return read;
  return table;
}

}  // namespace probes
}  // namespace sla
