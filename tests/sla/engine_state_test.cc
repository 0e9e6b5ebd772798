// Engine::EncodeState / RestoreState: what a snapshot holds.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sla/clock.h"
#include "sla/engine.h"

namespace sla {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kT0 = 1704067200000;  // 2024-01-01T00:00:00Z

class EngineStateTest : public ::testing::Test {
 protected:
  EngineOptions Options(absl::Duration retention = absl::Hours(24 * 35)) {
    EngineOptions o;
    o.clock = &clock_;
    o.retention = retention;
    return o;
  }

  // Ten days of data for three SLIs of two services, out of order, with
  // failures, latency and event counts; plus three objectives.
  void Fill(Engine& e) {
    SliSpec a{"web", "home"};
    SliSpec b{"web", "slow"};
    b.kind = SliKind::kLatencyThreshold;
    b.latency_threshold_ms = 100;
    SliSpec c{"api", "requests"};
    c.kind = SliKind::kEventRatio;
    const SliId ia = e.AddSli(a).value();
    const SliId ib = e.AddSli(b).value();
    const SliId ic = e.AddSli(c).value();
    std::mt19937_64 rng(7);
    std::vector<ProbeResult> probes;
    std::vector<EventCount> events;
    for (int m = 0; m < 10 * 1440; ++m) {
      const int64_t t = kT0 + int64_t{m} * 60000 + 17000;
      const bool fail = rng() % 97 == 0 || (m >= 3000 && m < 3040);
      probes.push_back({ia, t, !fail, 20.0});
      probes.push_back({ib, t, !fail, static_cast<double>(rng() % 150)});
      const int64_t total = 1000 + static_cast<int64_t>(rng() % 50);
      events.push_back({ic, t, total - static_cast<int64_t>(rng() % 3), total});
    }
    std::shuffle(probes.begin(), probes.end(), rng);
    for (size_t i = 0; i < probes.size(); i += 4096) {
      ASSERT_TRUE(e.Ingest(absl::MakeConstSpan(probes).subspan(i, 4096)).ok());
    }
    ASSERT_TRUE(e.IngestEvents(events).ok());
    ObjectiveSpec o1;
    o1.service = "web";
    o1.name = "availability";
    o1.target_percent = 99.5;
    o1.window = "7d";
    ObjectiveSpec o2 = o1;
    o2.name = "slices";
    o2.method = BudgetingMethod::kTimeslices;
    o2.slice = absl::Minutes(5);
    o2.slice_threshold = 0.9;
    o2.window = "month@Europe/Paris";
    o2.slis = {"home", "slow"};
    ObjectiveSpec o3;
    o3.service = "api";
    o3.name = "ratio";
    o3.target_percent = 99.9;
    o3.window = "1d";
    o3.slis = {"requests"};
    o3.method = BudgetingMethod::kRatioTimeslices;
    o3.alerting = true;
    for (const ObjectiveSpec& o : {o1, o2, o3}) {
      ASSERT_TRUE(e.AddObjective(o).ok());
    }
  }

  FakeClock clock_{absl::FromUnixMillis(kT0) + absl::Hours(24 * 400)};
};

TEST_F(EngineStateTest, RoundTripGivesTheSameAnswers) {
  Engine a(Options());
  Fill(a);
  std::string encoded;
  a.EncodeState(&encoded);
  Engine b(Options());
  ASSERT_TRUE(b.RestoreState(encoded).ok());

  EXPECT_EQ(b.newest(), a.newest());
  EXPECT_EQ(b.Services(), a.Services());
  for (SliId id = 0; id < 3; ++id) {
    EXPECT_EQ(b.GetSli(id)->name, a.GetSli(id)->name);
    EXPECT_EQ(b.GetSli(id)->kind, a.GetSli(id)->kind);
  }
  EXPECT_EQ(b.GetSli(1)->latency_threshold_ms, 100);
  // Every minute-aligned interval of a random sample gives the same counts.
  std::mt19937_64 rng(11);
  for (int i = 0; i < 2000; ++i) {
    const int64_t from = static_cast<int64_t>(rng() % (10 * 1440 + 100)) - 50;
    const int64_t len = static_cast<int64_t>(rng() % (3 * 1440)) + 1;
    const Interval iv{absl::FromUnixMillis(kT0 + from * 60000),
                      absl::FromUnixMillis(kT0 + (from + len) * 60000)};
    for (SliId id = 0; id < 3; ++id) {
      ASSERT_EQ(b.Query(id, iv).value(), a.Query(id, iv).value())
          << "sli " << id << " from " << from << " len " << len;
    }
  }
  // Objectives come back with their specs and give the same budgets.
  const absl::Time at = absl::FromUnixMillis(kT0) + absl::Hours(24 * 10);
  for (ObjectiveId id = 0; id < 3; ++id) {
    const ObjectiveSpec sa = a.GetObjective(id).value();
    const ObjectiveSpec sb = b.GetObjective(id).value();
    EXPECT_EQ(sb.name, sa.name);
    EXPECT_EQ(sb.window, sa.window);
    EXPECT_EQ(sb.method, sa.method);
    EXPECT_EQ(sb.slis, sa.slis);
    EXPECT_EQ(sb.slice, sa.slice);
    EXPECT_EQ(sb.slice_threshold, sa.slice_threshold);
    EXPECT_EQ(sb.alerting, sa.alerting);
    const ObjectiveStatus ea = a.Evaluate(id, at).value();
    const ObjectiveStatus eb = b.Evaluate(id, at).value();
    EXPECT_EQ(eb.window, ea.window);
    EXPECT_EQ(eb.budget.good, ea.budget.good);
    EXPECT_EQ(eb.budget.total, ea.budget.total);
    EXPECT_EQ(eb.budget.remaining, ea.budget.remaining);
  }
  // The encoding is a fixed point: encoding the restored engine gives the
  // same bytes.
  std::string again;
  b.EncodeState(&again);
  EXPECT_EQ(again, encoded);
}

TEST_F(EngineStateTest, QuietProbeSeriesEncodesAsOneRun) {
  Engine e(Options());
  const SliId id = e.AddSli({"web", "home"}).value();
  std::vector<ProbeResult> batch;
  for (int m = 0; m < 30 * 1440; ++m) {
    batch.push_back({id, kT0 + int64_t{m} * 60000, true, 10});
  }
  ASSERT_TRUE(e.Ingest(batch).ok());
  std::string encoded;
  e.EncodeState(&encoded);
  // 43,200 minutes of (1, 1): one run; the whole state is a few dozen
  // bytes (magic, newest, one SLI, one run).
  EXPECT_LT(encoded.size(), 64u) << encoded.size();
  Engine r(Options());
  ASSERT_TRUE(r.RestoreState(encoded).ok());
  const Interval all{absl::FromUnixMillis(kT0),
                     absl::FromUnixMillis(kT0) + absl::Hours(24 * 30)};
  EXPECT_EQ(r.Query(id, all).value(), (Counts{43200, 43200}));
}

TEST_F(EngineStateTest, EveryTruncationIsDataLossAndLeavesTheEngineEmpty) {
  Engine a(Options());
  const SliId id = a.AddSli({"web", "home"}).value();
  ASSERT_TRUE(a.Ingest({{id, kT0, true, 1}, {id, kT0 + 60000, false, 1}}).ok());
  ObjectiveSpec o;
  o.service = "web";
  o.name = "availability";
  ASSERT_TRUE(a.AddObjective(o).ok());
  std::string encoded;
  a.EncodeState(&encoded);
  for (size_t n = 0; n < encoded.size(); ++n) {
    Engine b(Options());
    const absl::Status s = b.RestoreState(encoded.substr(0, n));
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << n << ": " << s;
    EXPECT_TRUE(b.Services().empty()) << n;
  }
  Engine c(Options());
  const absl::Status s = c.RestoreState(encoded + "x");
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(s.message()), HasSubstr("trailing bytes"));
  std::string bad = encoded;
  bad[0] = 'X';
  EXPECT_THAT(std::string(c.RestoreState(bad).message()),
              HasSubstr("(bad magic) at byte 0"));
}

TEST_F(EngineStateTest, RestoreNeedsAnEmptyEngine) {
  Engine a(Options());
  a.AddSli({"web", "home"}).value();
  std::string encoded;
  a.EncodeState(&encoded);
  EXPECT_EQ(a.RestoreState(encoded).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(EngineStateTest, ShorterRetentionDropsOlderMinutes) {
  Engine a(Options());
  Fill(a);
  std::string encoded;
  a.EncodeState(&encoded);
  Engine b(Options(absl::Hours(24)));
  ASSERT_TRUE(b.RestoreState(encoded).ok());
  const absl::Time end = absl::FromUnixMillis(kT0) + absl::Hours(24 * 10);
  // The last day is kept whole (1440 minutes), everything before is gone.
  EXPECT_EQ(b.Query(0, {end - absl::Hours(24), end})->total, 1440);
  EXPECT_EQ(
      b.Query(0, {absl::FromUnixMillis(kT0), end - absl::Hours(24)})->total, 0);
  EXPECT_EQ(b.retention_horizon(),
            a.newest() - absl::Hours(24) + absl::Minutes(1));
}

// Found by the fuzzer: a corrupt count must not be allocated before it is
// checked against the input (it used to throw length_error or exhaust
// memory).
TEST_F(EngineStateTest, HugeCountsAreDataLossNotAllocations) {
  const std::string prefix = std::string("SLAKENG1") + '\x01' + '\x00' + '\x00';
  for (const std::string& tail :
       {std::string(9, '\xff') + '\x01', std::string("\x80\x80\x80\x80\x10"),
        std::string(1, '\x00') + std::string(9, '\xff') + '\x01'}) {
    Engine e(Options());
    const absl::Status s = e.RestoreState(prefix + tail);
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
    EXPECT_THAT(std::string(s.message()), HasSubstr("impossible"));
    EXPECT_TRUE(e.Services().empty());
  }
}

}  // namespace
}  // namespace sla
