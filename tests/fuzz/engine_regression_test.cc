// tests/fuzz/engine_regression_test.cc: the findings of the fuzz targets in
// sla::Engine (sla/engine.cc). Undefined behaviour is what they found, so
// CMake builds this test with sla/engine.cc compiled in under UBSan
// (fuzz_engine_regression_test, tests/fuzz/CMakeLists.txt): the old code
// aborts there instead of answering. The inputs are also in
// tests/fuzz/regressions/<target>/, which fuzz_smoke replays.
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "sla/clock.h"
#include "sla/engine.h"
#include "sla/window.h"

namespace {

// proto_ingest_fuzzer, regressions/proto_ingest_fuzzer/
// time_near_int64_min_overflows_horizon_ms: a record whose time saturates to
// INT64_MIN milliseconds (a gRPC Timestamp of -2^62 seconds) made the
// batch's retention horizon, 35 days before it, overflow when converted to
// milliseconds in Engine::StartBatch (signed overflow: UB). The batch is
// now checked like any other: 35 days of retention back from its newest
// result hold both.
TEST(EngineRegressionTest, ResultAtInt64MinMillisecondsDoesNotOverflowHorizon) {
  sla::FakeClock clock(absl::FromUnixSeconds(1717200000));
  sla::EngineOptions options;
  options.clock = &clock;
  sla::Engine engine(options);
  const sla::SliId home = engine.AddSli({"web", "home"}).value();
  const int64_t oldest = std::numeric_limits<int64_t>::min();
  const std::vector<sla::ProbeResult> batch = {
      {home, oldest, true, 1.5},
      {home, oldest + 60000, false, 2},
  };
  ASSERT_TRUE(engine.CheckIngest(batch).ok());
  ASSERT_TRUE(engine.Ingest(batch).ok());
  // The newest result's minute is the first whole minute of int64
  // milliseconds; both results are counted.
  const int64_t first = std::numeric_limits<int64_t>::min() / 60000;
  EXPECT_EQ(engine.newest(), absl::FromUnixMillis(first * 60000));
  absl::StatusOr<sla::Counts> counts = engine.Query(
      home, {absl::FromUnixMillis(oldest),
             absl::FromUnixMillis(first * 60000) + absl::Minutes(1)});
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->good, 1);
  EXPECT_EQ(counts->total, 2);
}

// Next to it: with a 2-minute retention and the newest result in the minute
// after the first whole one, the horizon is that first whole minute (still
// exactly representable in milliseconds), and a result at INT64_MIN, in the
// minute before, is OutOfRange.
TEST(EngineRegressionTest, HorizonAtTheFirstWholeMinuteStillRejectsOlder) {
  sla::FakeClock clock(absl::FromUnixSeconds(1717200000));
  sla::EngineOptions options;
  options.clock = &clock;
  options.retention = absl::Minutes(2);
  sla::Engine engine(options);
  const sla::SliId home = engine.AddSli({"web", "home"}).value();
  // The first minute whose start is an int64 millisecond count.
  const int64_t first = std::numeric_limits<int64_t>::min() / 60000;
  const std::vector<sla::ProbeResult> batch = {
      {home, (first + 1) * 60000, true, 1},
      {home, std::numeric_limits<int64_t>::min(), true, 1},  // minute first-1
  };
  absl::Status s = engine.Ingest(batch);
  EXPECT_EQ(s.code(), absl::StatusCode::kOutOfRange) << s;
}

}  // namespace
