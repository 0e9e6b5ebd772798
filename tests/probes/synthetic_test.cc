#include "probes/synthetic.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sla::probes {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kStartMs = int64_t{1704067200} * 1000;
constexpr char kHeader[] = "timestamp_ms,service,probe,ok,latency_ms";

WorkloadOptions Preset(absl::string_view name) {
  absl::StatusOr<WorkloadOptions> options = WorkloadPreset(name);
  EXPECT_TRUE(options.ok()) << options.status();
  return options.value_or(WorkloadOptions{});
}

// Runs WriteWorkloadCsv into a temporary file and returns the bytes.
std::string WriteToString(const WorkloadOptions& options,
                          WorkloadSummary* summary = nullptr) {
  std::FILE* f = std::tmpfile();
  EXPECT_NE(f, nullptr);
  if (f == nullptr) {
    return "";
  }
  absl::StatusOr<WorkloadSummary> s = WriteWorkloadCsv(options, f);
  EXPECT_TRUE(s.ok()) << s.status();
  if (s.ok() && summary != nullptr) {
    *summary = *s;
  }
  std::string bytes;
  std::rewind(f);
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) {
    bytes.append(buf, n);
  }
  std::fclose(f);
  return bytes;
}

std::vector<SyntheticResult> Collect(const WorkloadOptions& options,
                                     WorkloadSummary* summary = nullptr) {
  std::vector<SyntheticResult> rows;
  absl::StatusOr<WorkloadSummary> s = GenerateWorkload(
      options, [&rows](absl::Span<const SyntheticResult> chunk) {
        rows.insert(rows.end(), chunk.begin(), chunk.end());
      });
  EXPECT_TRUE(s.ok()) << s.status();
  if (s.ok() && summary != nullptr) {
    *summary = *s;
  }
  return rows;
}

double Median(std::vector<double> v) {
  if (v.empty()) {
    return 0.0;
  }
  std::nth_element(v.begin(),
                   v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2),
                   v.end());
  return v[v.size() / 2];
}

TEST(WorkloadPresetTest, KnownPresets) {
  WorkloadOptions tiny = Preset("tiny");
  EXPECT_EQ(tiny.services, 3);
  EXPECT_EQ(tiny.probes_per_service, 2);
  EXPECT_EQ(tiny.days, 2);
  EXPECT_EQ(tiny.interval_s, 60);
  EXPECT_EQ(tiny.seed, 42u);
  EXPECT_EQ(tiny.start_s, 1704067200);
  EXPECT_TRUE(tiny.tail_incident);

  WorkloadOptions small = Preset("small");
  EXPECT_EQ(small.services, 10);
  EXPECT_EQ(small.probes_per_service, 4);
  EXPECT_EQ(small.days, 30);
  EXPECT_EQ(small.interval_s, 60);
  EXPECT_EQ(small.seed, 42u);

  WorkloadOptions def = Preset("default");
  EXPECT_EQ(def.services, 50);
  EXPECT_EQ(def.probes_per_service, 4);
  EXPECT_EQ(def.days, 30);
  EXPECT_EQ(def.interval_s, 60);
  EXPECT_EQ(def.seed, 42u);
  EXPECT_EQ(def.start_s, 1704067200);
  EXPECT_TRUE(def.tail_incident);

  // The struct defaults are the default preset.
  WorkloadOptions plain;
  EXPECT_EQ(plain.services, def.services);
  EXPECT_EQ(plain.probes_per_service, def.probes_per_service);
  EXPECT_EQ(plain.days, def.days);
}

TEST(WorkloadPresetTest, UnknownPresetListsValidNames) {
  absl::StatusOr<WorkloadOptions> options = WorkloadPreset("huge");
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(options.status().message(), HasSubstr("\"huge\""));
  EXPECT_THAT(options.status().message(), HasSubstr("tiny, small, default"));
  EXPECT_FALSE(WorkloadPreset("").ok());
  EXPECT_FALSE(WorkloadPreset("Tiny").ok());
}

TEST(ValidateWorkloadOptionsTest, AcceptsPresets) {
  EXPECT_TRUE(ValidateWorkloadOptions(Preset("tiny")).ok());
  EXPECT_TRUE(ValidateWorkloadOptions(Preset("small")).ok());
  EXPECT_TRUE(ValidateWorkloadOptions(Preset("default")).ok());
  WorkloadOptions edge;
  edge.services = 1000;
  edge.probes_per_service = 100;
  edge.days = 1;
  edge.interval_s = 86400;
  edge.start_s = 0;
  EXPECT_TRUE(ValidateWorkloadOptions(edge).ok());
}

TEST(ValidateWorkloadOptionsTest, RejectsBadFieldsNamingThem) {
  struct Case {
    const char* field;
    void (*mutate)(WorkloadOptions&);
  };
  const Case cases[] = {
      {"services", [](WorkloadOptions& o) { o.services = 0; }},
      {"services", [](WorkloadOptions& o) { o.services = 1001; }},
      {"probes_per_service",
       [](WorkloadOptions& o) { o.probes_per_service = 0; }},
      {"probes_per_service",
       [](WorkloadOptions& o) { o.probes_per_service = 101; }},
      {"days", [](WorkloadOptions& o) { o.days = 0; }},
      {"days", [](WorkloadOptions& o) { o.days = -3; }},
      {"interval_s", [](WorkloadOptions& o) { o.interval_s = 0; }},
      {"interval_s", [](WorkloadOptions& o) { o.interval_s = 86401; }},
      // 86400 is not a multiple of 7.
      {"interval_s",
       [](WorkloadOptions& o) {
         o.days = 1;
         o.interval_s = 7;
       }},
      {"start_s", [](WorkloadOptions& o) { o.start_s = -1; }},
      {"start_s", [](WorkloadOptions& o) { o.start_s = int64_t{1} << 40; }},
  };
  for (const Case& c : cases) {
    WorkloadOptions options = Preset("tiny");
    c.mutate(options);
    absl::Status s = ValidateWorkloadOptions(options);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_THAT(s.message(),
                HasSubstr(absl::StrCat("WorkloadOptions.", c.field)))
        << s;
  }
  WorkloadOptions bad = Preset("tiny");
  bad.services = 0;
  absl::Status s = ValidateWorkloadOptions(bad);
  EXPECT_EQ(s.message(),
            "WorkloadOptions.services must be in [1, 1000], got 0");
}

TEST(GenerateWorkloadTest, InvalidOptionsNeverCallSink) {
  WorkloadOptions options = Preset("tiny");
  options.days = 0;
  int calls = 0;
  absl::StatusOr<WorkloadSummary> s = GenerateWorkload(
      options, [&calls](absl::Span<const SyntheticResult>) { ++calls; });
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(), HasSubstr("days"));
  EXPECT_EQ(calls, 0);

  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(WriteWorkloadCsv(options, f).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::ftell(f), 0);  // nothing written
  std::fclose(f);
  EXPECT_EQ(WriteWorkloadCsv(Preset("tiny"), nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(LabelsTest, FixedWidthNames) {
  EXPECT_EQ(ServiceName(0), "svc-000");
  EXPECT_EQ(ServiceName(7), "svc-007");
  EXPECT_EQ(ServiceName(49), "svc-049");
  EXPECT_EQ(ServiceName(999), "svc-999");
  EXPECT_EQ(ProbeName(0), "p00");
  EXPECT_EQ(ProbeName(2), "p02");
  EXPECT_EQ(ProbeName(99), "p99");
}

TEST(WriteWorkloadCsvTest, TinyFormatRowCountAndOrder) {
  const WorkloadOptions options = Preset("tiny");
  WorkloadSummary summary;
  const std::string csv = WriteToString(options, &summary);
  std::vector<absl::string_view> lines = absl::StrSplit(csv, '\n');
  ASSERT_GE(lines.size(), 2u);
  ASSERT_EQ(lines.back(), "");  // file ends with a newline
  lines.pop_back();
  EXPECT_EQ(lines[0], kHeader);

  const int64_t expected_rows = 3 * 2 * 2 * 86400 / 60;
  ASSERT_EQ(expected_rows, 17280);
  ASSERT_EQ(static_cast<int64_t>(lines.size()) - 1, expected_rows);
  EXPECT_EQ(summary.rows, expected_rows);
  EXPECT_EQ(summary.start_ms, kStartMs);
  EXPECT_EQ(summary.end_ms, kStartMs + int64_t{2} * 86400 * 1000);

  // First row: svc-000/p00 exactly at the start.
  EXPECT_TRUE(absl::StartsWith(lines[1], "1704067200000,svc-000,p00,"))
      << lines[1];

  std::tuple<int64_t, std::string, std::string> previous{-1, "", ""};
  int64_t failures = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> f = absl::StrSplit(lines[i], ',');
    ASSERT_EQ(f.size(), 5u) << lines[i];
    int64_t t;
    ASSERT_TRUE(absl::SimpleAtoi(f[0], &t)) << lines[i];
    EXPECT_EQ(t % 1000, 0) << "whole seconds: " << lines[i];
    EXPECT_GE(t, summary.start_ms);
    EXPECT_LT(t, summary.end_ms);
    ASSERT_EQ(f[1].size(), 7u) << lines[i];
    EXPECT_TRUE(f[1] == "svc-000" || f[1] == "svc-001" || f[1] == "svc-002")
        << lines[i];
    EXPECT_TRUE(f[2] == "p00" || f[2] == "p01") << lines[i];
    ASSERT_TRUE(f[3] == "0" || f[3] == "1") << lines[i];
    if (f[3] == "0") {
      ++failures;
    }
    // Latency: digits, a dot, exactly three decimals.
    const size_t dot = f[4].find('.');
    ASSERT_NE(dot, std::string::npos) << lines[i];
    EXPECT_EQ(f[4].size() - dot, 4u) << lines[i];
    double latency;
    ASSERT_TRUE(absl::SimpleAtod(f[4], &latency)) << lines[i];
    EXPECT_GT(latency, 0.0);
    EXPECT_LE(latency, 10000.0);
    // Sorted by time; within one timestamp by service, then probe.
    auto key = std::make_tuple(t, f[1], f[2]);
    EXPECT_LT(previous, key) << lines[i];
    previous = std::move(key);
  }
  EXPECT_EQ(failures, summary.failures);
  EXPECT_GT(failures, 0);
}

TEST(WriteWorkloadCsvTest, BytesMatchSinkResultsFormattedWithPrintf) {
  const WorkloadOptions options = Preset("tiny");
  std::string expected = absl::StrCat(kHeader, "\n");
  WorkloadSummary from_sink;
  for (const SyntheticResult& r : Collect(options, &from_sink)) {
    absl::StrAppendFormat(&expected, "%d,%s,%s,%d,%.3f\n", r.unix_ms,
                          ServiceName(r.service), ProbeName(r.probe),
                          r.ok ? 1 : 0, r.latency_ms);
  }
  WorkloadSummary from_csv;
  EXPECT_TRUE(WriteToString(options, &from_csv) == expected);
  EXPECT_EQ(from_csv.rows, from_sink.rows);
  EXPECT_EQ(from_csv.failures, from_sink.failures);
  EXPECT_EQ(from_csv.outage_descriptions, from_sink.outage_descriptions);
}

TEST(WriteWorkloadCsvTest, DeterministicPerSeed) {
  WorkloadOptions options = Preset("tiny");
  const std::string a = WriteToString(options);
  const std::string b = WriteToString(options);
  EXPECT_EQ(a.size(), b.size());
  EXPECT_TRUE(a == b);

  options.seed = 43;
  const std::string c = WriteToString(options);
  EXPECT_FALSE(a == c);
  // Same shape, different values.
  EXPECT_EQ(std::count(a.begin(), a.end(), '\n'),
            std::count(c.begin(), c.end(), '\n'));
}

TEST(GenerateWorkloadTest, OneChunkPerTickWithAllSeries) {
  WorkloadOptions options = Preset("tiny");
  options.interval_s = 300;
  const int64_t ticks = 2 * 86400 / 300;
  int64_t calls = 0;
  bool all_ok = true;
  absl::StatusOr<WorkloadSummary> summary =
      GenerateWorkload(options, [&](absl::Span<const SyntheticResult> chunk) {
        const int64_t tick_start_ms = kStartMs + calls * 300 * 1000;
        if (chunk.size() != 6u) {
          all_ok = false;
        }
        for (const SyntheticResult& r : chunk) {
          if (r.unix_ms < tick_start_ms ||
              r.unix_ms >= tick_start_ms + int64_t{300} * 1000) {
            all_ok = false;
          }
        }
        ++calls;
      });
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(calls, ticks);
  EXPECT_TRUE(all_ok);
  EXPECT_EQ(summary->rows, ticks * 6);
}

TEST(GenerateWorkloadTest, EachSeriesOncePerIntervalAtFixedPhase) {
  for (int interval_s : {60, 300, 3600}) {
    WorkloadOptions options = Preset("tiny");
    options.interval_s = interval_s;
    const int64_t ticks = 2 * 86400 / interval_s;
    std::map<std::pair<int, int>, std::vector<int64_t>> times;
    for (const SyntheticResult& r : Collect(options)) {
      times[{r.service, r.probe}].push_back(r.unix_ms);
    }
    ASSERT_EQ(times.size(), 6u);
    std::vector<int64_t> offsets;
    for (const auto& [series, t] : times) {
      ASSERT_EQ(static_cast<int64_t>(t.size()), ticks) << interval_s;
      const int64_t offset_ms = t[0] - kStartMs;
      EXPECT_GE(offset_ms, 0);
      EXPECT_LT(offset_ms, interval_s * int64_t{1000});
      EXPECT_EQ(offset_ms % 1000, 0);
      for (size_t i = 1; i < t.size(); ++i) {
        ASSERT_EQ(t[i] - t[i - 1], interval_s * int64_t{1000})
            << "series " << series.first << "/" << series.second;
      }
      offsets.push_back(offset_ms);
    }
    EXPECT_EQ((times[{0, 0}][0]), kStartMs);  // svc-000/p00 has offset 0
    if (interval_s >= 300) {
      // Offsets are spread over the interval, not all zero.
      EXPECT_GT(*std::max_element(offsets.begin(), offsets.end()), 0);
    }
  }
}

// Statistics of the small preset (10 services x 4 probes x 30 days).
class SmallPresetTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    summary_ = new WorkloadSummary;
    rows_ =
        new std::vector<SyntheticResult>(Collect(Preset("small"), summary_));
  }
  static void TearDownTestSuite() {
    delete rows_;
    delete summary_;
  }
  static WorkloadSummary* summary_;
  static std::vector<SyntheticResult>* rows_;
};
WorkloadSummary* SmallPresetTest::summary_ = nullptr;
std::vector<SyntheticResult>* SmallPresetTest::rows_ = nullptr;

TEST_F(SmallPresetTest, RowCountAndFailureFraction) {
  const int64_t expected_rows = int64_t{10} * 4 * 30 * 86400 / 60;
  EXPECT_EQ(expected_rows, 1728000);
  EXPECT_EQ(static_cast<int64_t>(rows_->size()), expected_rows);
  EXPECT_EQ(summary_->rows, expected_rows);
  const int64_t failures =
      std::count_if(rows_->begin(), rows_->end(),
                    [](const SyntheticResult& r) { return !r.ok; });
  EXPECT_EQ(failures, summary_->failures);
  // Base flaps alone average ~0.2 % (log-uniform in 0.05..0.5 %, mean
  // 0.0045 / ln 10); outages add ~0.1-0.2 %. Each series contributes at
  // least 0.05 %, so an average over 40 series below 0.1 % or above 2 % would
  // mean the model is broken.
  const double fraction = static_cast<double>(failures) / expected_rows;
  EXPECT_GT(fraction, 0.001);
  EXPECT_LT(fraction, 0.02);
}

TEST_F(SmallPresetTest, FailedProbesTimeOutOrFailFast) {
  int64_t failures = 0;
  int64_t timeouts = 0;
  for (const SyntheticResult& r : *rows_) {
    if (r.ok) {
      EXPECT_GT(r.latency_ms, 0.0);
      EXPECT_LE(r.latency_ms, 10000.0);
      continue;
    }
    ++failures;
    if (r.latency_ms == 10000.0) {
      ++timeouts;
    } else {
      EXPECT_GE(r.latency_ms, 1.0);
      EXPECT_LE(r.latency_ms, 5.0);
    }
  }
  ASSERT_GT(failures, 1000);
  // Half of the failures time out.
  const double share =
      static_cast<double>(timeouts) / static_cast<double>(failures);
  EXPECT_GT(share, 0.4);
  EXPECT_LT(share, 0.6);
}

TEST_F(SmallPresetTest, LatencyIsLognormalPerSeriesWithRareSpikes) {
  std::map<std::pair<int, int>, std::vector<double>> ok_latency;
  for (const SyntheticResult& r : *rows_) {
    if (r.ok) {
      ok_latency[{r.service, r.probe}].push_back(r.latency_ms);
    }
  }
  ASSERT_EQ(ok_latency.size(), 40u);
  std::vector<double> medians;
  int64_t far_above_median = 0;
  int64_t ok_total = 0;
  for (const auto& [series, v] : ok_latency) {
    const double median = Median(v);
    medians.push_back(median);
    // Median 15..200 ms; outages touch only a small fraction of samples.
    EXPECT_GT(median, 14.0) << series.first << "/" << series.second;
    EXPECT_LT(median, 210.0) << series.first << "/" << series.second;
    // sigma <= 0.45 puts x5 above the median beyond 3.5 sigma, so what is
    // there comes from spikes (0.2 %) and slowed-down brownouts.
    for (double x : v) {
      if (x > 5 * median) {
        ++far_above_median;
      }
    }
    ok_total += static_cast<int64_t>(v.size());
  }
  const double far_share =
      static_cast<double>(far_above_median) / static_cast<double>(ok_total);
  EXPECT_GT(far_share, 0.001);
  EXPECT_LT(far_share, 0.02);
  // Medians differ between series.
  EXPECT_GT(*std::max_element(medians.begin(), medians.end()),
            2 * *std::min_element(medians.begin(), medians.end()));
}

TEST_F(SmallPresetTest, OutagesAreDescribed) {
  const std::vector<std::string>& d = summary_->outage_descriptions;
  // ~2.5 random outages per service per 30 days, plus two tail incidents.
  EXPECT_GE(d.size(), 10u);
  EXPECT_LE(d.size(), 50u);
  int tails = 0;
  for (const std::string& text : d) {
    EXPECT_TRUE(absl::StartsWith(text, "svc-0")) << text;
    EXPECT_TRUE(absl::StrContains(text, "hard outage") ||
                absl::StrContains(text, "partial outage") ||
                absl::StrContains(text, "brownout"))
        << text;
    if (absl::StrContains(text, "tail incident")) {
      ++tails;
    }
  }
  EXPECT_EQ(tails, 2);
  EXPECT_THAT(d, ::testing::Contains(
                     "svc-000 tail incident, brownout 2024-01-30T23:20:00Z "
                     "for 40 min: all probes fail with p=0.25, latency x8.0"));
  EXPECT_THAT(d, ::testing::Contains(
                     "svc-001 tail incident, brownout 2024-01-30T20:00:00Z "
                     "for 240 min: all probes fail with p=0.02, latency x2.0"));
}

TEST_F(SmallPresetTest, TailIncidentsAtTheEnd) {
  const int64_t end_ms = summary_->end_ms;
  const int64_t tail0_ms = end_ms - int64_t{40} * 60 * 1000;
  const int64_t tail1_ms = end_ms - int64_t{4} * 3600 * 1000;
  int64_t tail0_rows = 0;
  int64_t tail0_failures = 0;
  int64_t tail1_rows = 0;
  int64_t tail1_failures = 0;
  std::map<int, std::vector<double>> before;
  std::map<int, std::vector<double>> during;
  for (const SyntheticResult& r : *rows_) {
    if (r.service == 0) {
      if (r.unix_ms >= tail0_ms) {
        ++tail0_rows;
        if (!r.ok) {
          ++tail0_failures;
        }
        if (r.ok) {
          during[r.probe].push_back(r.latency_ms);
        }
      } else if (r.ok) {
        before[r.probe].push_back(r.latency_ms);
      }
    }
    if (r.service == 1 && r.unix_ms >= tail1_ms) {
      ++tail1_rows;
      if (!r.ok) {
        ++tail1_failures;
      }
    }
  }
  // svc-000: 4 probes x 40 samples failing with p = 0.25 (mean 40).
  EXPECT_EQ(tail0_rows, 160);
  EXPECT_GE(tail0_failures, 15);
  EXPECT_LE(tail0_failures, 80);
  // ... and successful probes are 8x slower.
  for (int p = 0; p < 4; ++p) {
    const double ratio = Median(during[p]) / Median(before[p]);
    EXPECT_GT(ratio, 4.0) << "p" << p;
    EXPECT_LT(ratio, 16.0) << "p" << p;
  }
  // svc-001: 4 probes x 240 samples failing with p = 0.02 (mean 19).
  EXPECT_EQ(tail1_rows, 960);
  EXPECT_GE(tail1_failures, 5);
  EXPECT_LE(tail1_failures, 60);
}

TEST(TailIncidentTest, OffChangesOnlyTheTail) {
  WorkloadOptions on = Preset("tiny");
  WorkloadOptions off = on;
  off.tail_incident = false;
  WorkloadSummary on_summary;
  WorkloadSummary off_summary;
  const std::vector<SyntheticResult> with = Collect(on, &on_summary);
  const std::vector<SyntheticResult> without = Collect(off, &off_summary);
  ASSERT_EQ(with.size(), without.size());
  const int64_t tail_start_ms = on_summary.end_ms - int64_t{4} * 3600 * 1000;
  int64_t tail_failures_with = 0;
  int64_t tail_failures_without = 0;
  for (size_t i = 0; i < with.size(); ++i) {
    const SyntheticResult& a = with[i];
    const SyntheticResult& b = without[i];
    ASSERT_EQ(a.unix_ms, b.unix_ms);
    ASSERT_EQ(a.service, b.service);
    ASSERT_EQ(a.probe, b.probe);
    if (a.unix_ms < tail_start_ms || a.service > 1) {
      ASSERT_EQ(a.ok, b.ok) << i;
      ASSERT_EQ(a.latency_ms, b.latency_ms) << i;
    } else if (a.service == 0 &&
               a.unix_ms >= on_summary.end_ms - int64_t{40} * 60 * 1000) {
      tail_failures_with += a.ok ? 0 : 1;
      tail_failures_without += b.ok ? 0 : 1;
    }
  }
  EXPECT_GT(tail_failures_with, tail_failures_without);
  EXPECT_EQ(on_summary.outage_descriptions.size(),
            off_summary.outage_descriptions.size() + 2);
  for (const std::string& text : off_summary.outage_descriptions) {
    EXPECT_FALSE(absl::StrContains(text, "tail")) << text;
  }
}

TEST(WriteWorkloadCsvTest, WriteErrorsAreReported) {
  // A stream opened read-only: fwrite fails with EBADF.
  std::FILE* f = std::fopen("/dev/null", "r");
  if (f == nullptr) {
    GTEST_SKIP() << "no /dev/null";
  }
  absl::StatusOr<WorkloadSummary> s = WriteWorkloadCsv(Preset("tiny"), f);
  std::fclose(f);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.status().message(), HasSubstr("errno"));

  // A full device: the write (or the final flush) fails with ENOSPC.
  f = std::fopen("/dev/full", "w");
  if (f == nullptr) {
    GTEST_SKIP() << "no /dev/full";
  }
  s = WriteWorkloadCsv(Preset("tiny"), f);
  std::fclose(f);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.status().message(), HasSubstr("No space left on device"));
}

}  // namespace
}  // namespace sla::probes
