// tests/fuzz/regression_test.cc: one named test per finding of the fuzz
// targets (tests/fuzz/*_fuzzer.cc) whose fix is in library code, so that the
// fix is guarded by the ordinary test suite and not only by the fuzz run.
// The input of each is also in tests/fuzz/regressions/<target>/, which the
// fuzz_smoke test replays.
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "probes/prom_importer.h"

namespace {

using ::testing::HasSubstr;

// prom_importer_fuzzer, regressions/prom_importer_fuzzer/
// duration_seconds_overflow_to_infinite_latency: a finite
// probe_duration_seconds whose value x 1000 overflows gave a result with an
// infinite latency_ms (which Engine::Ingest then rejects for the whole
// import). It is now a bad line, like a negative or infinite duration.
TEST(PromImporterRegressionTest, DurationWhoseMillisecondsOverflowIsABadLine) {
  const std::string text =
      "probe_success{job=\"a\",instance=\"b\"} 1 1\n"
      "probe_duration_seconds{job=\"a\",instance=\"b\"} 1e306 1\n";
  absl::StatusOr<sla::probes::ProbeTable> table =
      sla::probes::ParseProbeProm(text, "scrape.prom", {});
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(table.status().message(),
            "1 malformed line, nothing was read:\n"
            "scrape.prom:2: probe_duration_seconds: value 1e+306 is too large "
            "(its milliseconds are not a finite number)");
}

// The largest duration whose milliseconds are finite is still read.
TEST(PromImporterRegressionTest, LargestFiniteDurationIsRead) {
  const std::string text =
      "probe_success{job=\"a\",instance=\"b\"} 1 1\n"
      "probe_duration_seconds{job=\"a\",instance=\"b\"} 1e305 1\n";
  absl::StatusOr<sla::probes::ProbeTable> table =
      sla::probes::ParseProbeProm(text, "scrape.prom", {});
  ASSERT_TRUE(table.ok()) << table.status();
  ASSERT_EQ(table->rows.size(), 1u);
  EXPECT_EQ(table->rows[0].latency_ms, 1e305 * 1000);
  EXPECT_TRUE(table->rows[0].ok);
  EXPECT_EQ(table->rows[0].unix_ms, 1);
}

}  // namespace
