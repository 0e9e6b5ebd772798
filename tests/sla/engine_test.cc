// Exact-value tests of sla::Engine: declarations, ingest validation and
// retention, window edges, budgeting methods, calendar windows, burn rates,
// concurrency and memory. Every expected number carries its hand
// computation. Time comes from a sla::FakeClock; nothing sleeps.

#include "sla/engine.h"

#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sla/clock.h"
#include "sla/objective.h"
#include "sla/window.h"

namespace sla {

// Readable failure messages.
inline void PrintTo(const Counts& c, std::ostream* os) {
  *os << "{good=" << c.good << ", total=" << c.total << "}";
}
inline void PrintTo(const Interval& i, std::ostream* os) {
  *os << "[" << TimeToString(i.from) << ", " << TimeToString(i.to) << ")";
}

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// ---------------------------------------------------------------- helpers

absl::Time T(const char* rfc3339) {
  absl::StatusOr<absl::Time> t = ParseTimestamp(rfc3339);
  EXPECT_TRUE(t.ok()) << t.status();
  return t.value_or(absl::UnixEpoch());
}

int64_t Ms(absl::Time t) { return absl::ToUnixMillis(t); }

Counts C(int64_t good, int64_t total) { return Counts{good, total}; }

constexpr int64_t kMinuteMs = 60'000;

// 2024-01-01T00:00:00Z.
const absl::Time kT0 = absl::FromUnixSeconds(1704067200);

SliSpec Probe(const std::string& service, const std::string& name) {
  SliSpec s;
  s.service = service;
  s.name = name;
  s.kind = SliKind::kProbeSuccess;
  return s;
}

SliSpec Latency(const std::string& service, const std::string& name,
                double threshold_ms) {
  SliSpec s = Probe(service, name);
  s.kind = SliKind::kLatencyThreshold;
  s.latency_threshold_ms = threshold_ms;
  return s;
}

SliSpec Events(const std::string& service, const std::string& name) {
  SliSpec s = Probe(service, name);
  s.kind = SliKind::kEventRatio;
  return s;
}

ObjectiveSpec Slo(const std::string& service, const std::string& name,
                  const std::string& window, double target,
                  BudgetingMethod method = BudgetingMethod::kOccurrences) {
  ObjectiveSpec o;
  o.service = service;
  o.name = name;
  o.window = window;
  o.target_percent = target;
  o.method = method;
  return o;
}

// An engine with a fake clock; the clock starts at `now`.
class EngineTest : public ::testing::Test {
 protected:
  EngineOptions Options() {
    EngineOptions o;
    o.clock = &clock_;
    return o;
  }

  // Adds an SLI, failing the test on error.
  static SliId Add(Engine& e, const SliSpec& spec) {
    absl::StatusOr<SliId> id = e.AddSli(spec);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.value_or(0);
  }
  static ObjectiveId AddSlo(Engine& e, const ObjectiveSpec& spec) {
    absl::StatusOr<ObjectiveId> id = e.AddObjective(spec);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.value_or(0);
  }
  static Counts Q(const Engine& e, SliId sli, absl::Time from, absl::Time to) {
    absl::StatusOr<Counts> c = e.Query(sli, Interval{from, to});
    EXPECT_TRUE(c.ok()) << c.status();
    return c.value_or(Counts{-1, -1});
  }
  static ObjectiveStatus Eval(const Engine& e, ObjectiveId id, absl::Time at) {
    absl::StatusOr<ObjectiveStatus> st = e.Evaluate(id, at);
    EXPECT_TRUE(st.ok()) << st.status();
    return st.value_or(ObjectiveStatus{});
  }

  // Defaults to 2024-03-01, after most test data.
  FakeClock clock_{absl::FromUnixSeconds(1709251200)};
};

// ================================================================ registry

TEST_F(EngineTest, AddSliRejectsEmptyServiceOrName) {
  Engine e(Options());
  EXPECT_EQ(e.AddSli(Probe("", "home")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(e.AddSli(Probe("web", "")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(e.Services().empty());
}

TEST_F(EngineTest, AddSliRejectsDuplicate) {
  Engine e(Options());
  EXPECT_EQ(Add(e, Probe("web", "home")), 0u);
  // Same (service, name), even with another kind: AlreadyExists.
  EXPECT_EQ(e.AddSli(Probe("web", "home")).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(e.AddSli(Events("web", "home")).status().code(),
            absl::StatusCode::kAlreadyExists);
  // Same name in another service is a different SLI: id 1.
  EXPECT_EQ(Add(e, Probe("api", "home")), 1u);
}

TEST_F(EngineTest, LatencySliNeedsPositiveThreshold) {
  Engine e(Options());
  for (double bad :
       {0.0, -1.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    EXPECT_EQ(e.AddSli(Latency("web", "lat", bad)).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_TRUE(e.AddSli(Latency("web", "lat", 0.5)).ok());
  // A probe-success SLI has no threshold: 0 is fine.
  EXPECT_TRUE(e.AddSli(Probe("web", "ok")).ok());
}

TEST_F(EngineTest, FindAndGetSli) {
  Engine e(Options());
  const SliId a = Add(e, Probe("web", "a"));
  const SliId b = Add(e, Latency("web", "b", 250));
  EXPECT_EQ(e.FindSli("web", "a").value_or(99), a);
  EXPECT_EQ(e.FindSli("web", "b").value_or(99), b);
  EXPECT_EQ(e.FindSli("web", "c").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(e.FindSli("api", "a").status().code(), absl::StatusCode::kNotFound);
  // The key must not be confusable by concatenation: "we" + "ba".
  EXPECT_EQ(e.FindSli("we", "ba").status().code(), absl::StatusCode::kNotFound);
  absl::StatusOr<SliSpec> spec = e.GetSli(b);
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->service, "web");
  EXPECT_EQ(spec->name, "b");
  EXPECT_EQ(spec->kind, SliKind::kLatencyThreshold);
  EXPECT_EQ(spec->latency_threshold_ms, 250);
  EXPECT_EQ(e.GetSli(2).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(EngineTest, ServiceSlisSortedByName) {
  Engine e(Options());
  const SliId zeta = Add(e, Probe("web", "zeta"));    // 0
  const SliId alpha = Add(e, Probe("web", "alpha"));  // 1
  Add(e, Probe("api", "beta"));                       // 2, another service
  const SliId mid = Add(e, Events("web", "mid"));     // 3
  absl::StatusOr<std::vector<SliId>> ids = e.ServiceSlis("web");
  ASSERT_TRUE(ids.ok()) << ids.status();
  // alpha < mid < zeta.
  EXPECT_THAT(*ids, ElementsAre(alpha, mid, zeta));
  EXPECT_THAT(e.ServiceSlis("api").value(), ElementsAre(2u));
  EXPECT_EQ(e.ServiceSlis("db").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(EngineTest, ServicesSortedAndUnique) {
  Engine e(Options());
  Add(e, Probe("web", "a"));
  Add(e, Probe("api", "a"));
  Add(e, Probe("db", "a"));
  Add(e, Probe("api", "b"));
  Add(e, Probe("web", "b"));
  EXPECT_THAT(e.Services(), ElementsAre("api", "db", "web"));
}

// ================================================================ edges

// Window [from, to) = [10:00, 11:00) on 2024-01-01. Results at from (ok),
// to - 1 ms (failed), to (ok), from - 1 ms (ok), 10:30:30 (ok).
TEST_F(EngineTest, ResultsExactlyAtWindowEdges) {
  Engine e(Options());
  const SliId s = Add(e, Probe("web", "home"));
  const absl::Time from = T("2024-01-01T10:00:00Z");
  const absl::Time to = T("2024-01-01T11:00:00Z");
  std::vector<ProbeResult> batch = {
      {s, Ms(from), true, 1},
      {s, Ms(to) - 1, false, 1},
      {s, Ms(to), true, 1},
      {s, Ms(from) - 1, true, 1},
      {s, Ms(T("2024-01-01T10:30:30Z")), true, 1},
  };
  ASSERT_TRUE(e.Ingest(batch).ok());
  // In: from, to-1ms, 10:30:30 -> total 3, good 2 (to-1ms failed).
  EXPECT_EQ(Q(e, s, from, to), C(2, 3));
  // [from, from + 1 min): only the one at from.
  EXPECT_EQ(Q(e, s, from, from + absl::Minutes(1)), C(1, 1));
  // [to - 1 min, to): only the one at to - 1 ms (failed).
  EXPECT_EQ(Q(e, s, to - absl::Minutes(1), to), C(0, 1));
  // [to, to + 1 min): only the one at to.
  EXPECT_EQ(Q(e, s, to, to + absl::Minutes(1)), C(1, 1));
  // [from - 1 min, from): only from - 1 ms.
  EXPECT_EQ(Q(e, s, from - absl::Minutes(1), from), C(1, 1));
  // The same window as a rolling objective evaluated at `to`.
  ObjectiveId o = AddSlo(e, Slo("web", "hour", "1h", 99));
  ObjectiveStatus st = Eval(e, o, to);
  EXPECT_EQ(st.window, (Interval{from, to}));
  EXPECT_EQ(st.budget.good, 2);
  EXPECT_EQ(st.budget.total, 3);
  // Evaluated 59 s later, the window is floored to the same minutes.
  EXPECT_EQ(Eval(e, o, to + absl::Seconds(59)).window, (Interval{from, to}));
}

TEST_F(EngineTest, QueryOnEmptyIntervalIsZero) {
  Engine e(Options());
  const SliId s = Add(e, Probe("web", "home"));
  const absl::Time t = T("2024-01-01T10:00:00Z");
  ASSERT_TRUE(e.Ingest({{s, Ms(t), true, 1}}).ok());
  EXPECT_EQ(Q(e, s, t, t), C(0, 0));                     // from == to
  EXPECT_EQ(Q(e, s, t + absl::Minutes(1), t), C(0, 0));  // from > to
  // Within one minute: both bounds floor to 10:00.
  EXPECT_EQ(Q(e, s, t, t + absl::Seconds(59)), C(0, 0));
  // Unknown SLI: NotFound.
  EXPECT_EQ(e.Query(7, Interval{t, t + absl::Hours(1)}).status().code(),
            absl::StatusCode::kNotFound);
  // Nothing ingested anywhere else.
  EXPECT_EQ(Q(e, s, t - absl::Hours(24), t), C(0, 0));
}

// ================================================================ ingest

TEST_F(EngineTest, OutOfOrderResultsWithinRetentionAreCounted) {
  Engine e(Options());
  const SliId s = Add(e, Probe("web", "home"));
  const absl::Time late = T("2024-02-10T12:00:00Z");
  ASSERT_TRUE(e.Ingest({{s, Ms(late), true, 1}}).ok());
  EXPECT_EQ(e.newest(), late);
  // 10 days, 1 hour, 1 minute earlier: each batch older than the last.
  ASSERT_TRUE(e.Ingest({{s, Ms(late - absl::Hours(240)), false, 1}}).ok());
  ASSERT_TRUE(e.Ingest({{s, Ms(late - absl::Hours(1)), true, 1}}).ok());
  ASSERT_TRUE(e.Ingest({{s, Ms(late - absl::Minutes(1)), true, 1},
                        {s, Ms(late - absl::Hours(300)), true, 1}})
                  .ok());
  // newest does not move back.
  EXPECT_EQ(e.newest(), late);
  // 5 results, 1 failed.
  EXPECT_EQ(Q(e, s, late - absl::Hours(400), late + absl::Minutes(1)), C(4, 5));
  EXPECT_EQ(Q(e, s, late - absl::Hours(240), late - absl::Hours(239)), C(0, 1));
}

TEST_F(EngineTest, ResultOlderThanRetentionIsOutOfRange) {
  Engine e(Options());  // retention 35 days
  const SliId s = Add(e, Probe("web", "home"));
  const absl::Time newest = T("2024-02-10T12:00:00Z");
  ASSERT_TRUE(e.Ingest({{s, Ms(newest), true, 1}}).ok());
  // Horizon: newest minute - 35 days + 1 minute (35 days of minutes, the
  // newest included).
  EXPECT_EQ(e.retention_horizon(),
            newest - absl::Hours(24 * 35) + absl::Minutes(1));
  const absl::Time ok_time = newest - absl::Hours(24);
  // Record 1 is 36 days before the newest.
  std::vector<ProbeResult> batch = {
      {s, Ms(ok_time), true, 1},
      {s, Ms(newest - absl::Hours(24 * 36)), true, 1},
  };
  absl::Status st = e.Ingest(batch);
  EXPECT_EQ(st.code(), absl::StatusCode::kOutOfRange) << st;
  EXPECT_THAT(std::string(st.message()), HasSubstr("record 1"));
  // All or nothing: record 0 was not applied.
  EXPECT_EQ(Q(e, s, ok_time, ok_time + absl::Minutes(1)), C(0, 0));
  // Exactly at the horizon: accepted; 1 ms before: OutOfRange.
  const absl::Time h = e.retention_horizon();
  st = e.Ingest({{s, Ms(h) - 1, true, 1}});
  EXPECT_EQ(st.code(), absl::StatusCode::kOutOfRange) << st;
  EXPECT_THAT(std::string(st.message()), HasSubstr("record 0"));
  EXPECT_TRUE(e.Ingest({{s, Ms(h), true, 1}}).ok());
  EXPECT_EQ(Q(e, s, h - absl::Hours(1), newest + absl::Minutes(1)), C(2, 2));
  // The same check for event counts.
  const SliId ev = Add(e, Events("web", "events"));
  st = e.IngestEvents({{ev, Ms(newest), 1, 1}, {ev, Ms(h) - 1, 1, 1}});
  EXPECT_EQ(st.code(), absl::StatusCode::kOutOfRange) << st;
  EXPECT_THAT(std::string(st.message()), HasSubstr("record 1"));
  EXPECT_EQ(Q(e, ev, h - absl::Hours(1), newest + absl::Minutes(1)), C(0, 0));
}

// Retention is measured from the newest accepted result, not from the clock:
// importing 2024 history with the clock in 2026 works.
TEST_F(EngineTest, RetentionIsMeasuredFromNewestResultNotClock) {
  clock_.Set(T("2026-06-01T00:00:00Z"));
  Engine e(Options());
  const SliId s = Add(e, Probe("web", "home"));
  EXPECT_EQ(e.newest(), absl::InfinitePast());
  EXPECT_EQ(e.retention_horizon(), absl::InfinitePast());
  const absl::Time t = T("2024-01-15T08:00:00Z");
  ASSERT_TRUE(
      e.Ingest({{s, Ms(t), true, 1}, {s, Ms(t) + 1000, false, 1}}).ok());
  ASSERT_TRUE(e.Ingest({{s, Ms(t - absl::Hours(24 * 30)), true, 1}}).ok());
  EXPECT_EQ(e.newest(), t);
  EXPECT_EQ(Q(e, s, t - absl::Hours(24 * 31), t + absl::Hours(1)), C(2, 3));
  // 36 days before the newest (2024 data) is still rejected.
  EXPECT_EQ(e.Ingest({{s, Ms(t - absl::Hours(24 * 36)), true, 1}}).code(),
            absl::StatusCode::kOutOfRange);
}

TEST_F(EngineTest, FutureBeyondToleranceIsInvalidArgument) {
  const absl::Time now = T("2024-01-10T00:00:00Z");
  clock_.Set(now);
  Engine e(Options());  // tolerance 5 minutes
  const SliId s = Add(e, Probe("web", "home"));
  const SliId ev = Add(e, Events("web", "events"));
  const absl::Time limit = now + absl::Minutes(5);
  absl::Status st =
      e.Ingest({{s, Ms(now), true, 1}, {s, Ms(limit) + 1, true, 1}});
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  EXPECT_THAT(std::string(st.message()), HasSubstr("record 1"));
  EXPECT_EQ(e.newest(), absl::InfinitePast());
  st = e.IngestEvents({{ev, Ms(limit) + 1, 1, 1}});
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  // Exactly now + tolerance is accepted.
  ASSERT_TRUE(e.Ingest({{s, Ms(limit), true, 1}}).ok());
  EXPECT_EQ(Q(e, s, now, limit + absl::Minutes(1)), C(1, 1));
  // When the clock moves on, the same time becomes acceptable.
  clock_.Advance(absl::Minutes(1));
  ASSERT_TRUE(e.Ingest({{s, Ms(limit) + 1, true, 1}}).ok());
  EXPECT_EQ(Q(e, s, now, limit + absl::Minutes(1)), C(2, 2));
}

// A record beyond clock + tolerance is not accepted, so it must not move the
// retention horizon either: the batch is rejected as InvalidArgument for that
// record, not as OutOfRange for a valid, older record before it.
TEST_F(EngineTest, FutureRecordDoesNotShiftRetentionHorizon) {
  // Clock 2024-03-01; record 0 (2024-01-01) is fine; record 1 (2030) is in
  // the future.
  Engine e(Options());
  const SliId s = Add(e, Probe("web", "home"));
  absl::Status st = e.Ingest(
      {{s, Ms(kT0), true, 1}, {s, Ms(T("2030-01-01T00:00:00Z")), true, 1}});
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  EXPECT_THAT(std::string(st.message()), HasSubstr("record 1"));
  const SliId ev = Add(e, Events("web", "events"));
  st = e.IngestEvents(
      {{ev, Ms(kT0), 1, 1}, {ev, Ms(T("2030-01-01T00:00:00Z")), 1, 1}});
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  EXPECT_THAT(std::string(st.message()), HasSubstr("record 1"));
  EXPECT_EQ(e.newest(), absl::InfinitePast());
}

// Results before 1970 (negative milliseconds) are floored to the right
// minute.
TEST_F(EngineTest, ResultsBefore1970) {
  clock_.Set(absl::UnixEpoch());
  Engine e(Options());
  const SliId s = Add(e, Probe("web", "home"));
  // -30000 ms = 1969-12-31T23:59:30Z (minute -1); -60001 ms =
  // 1969-12-31T23:58:59.999Z (minute -2); 0 = the epoch (minute 0).
  ASSERT_TRUE(
      e.Ingest({{s, -30'000, true, 1}, {s, -60'001, false, 1}, {s, 0, true, 1}})
          .ok());
  EXPECT_EQ(e.newest(), absl::UnixEpoch());
  const absl::Time epoch = absl::UnixEpoch();
  EXPECT_EQ(Q(e, s, epoch - absl::Minutes(1), epoch), C(1, 1));
  EXPECT_EQ(Q(e, s, epoch - absl::Minutes(2), epoch - absl::Minutes(1)),
            C(0, 1));
  EXPECT_EQ(Q(e, s, epoch - absl::Hours(1), epoch + absl::Minutes(1)), C(2, 3));
  ObjectiveStatus st = Eval(e, AddSlo(e, Slo("web", "h", "1h", 50)), epoch);
  EXPECT_EQ(st.window, (Interval{epoch - absl::Hours(1), epoch}));
  EXPECT_EQ(st.budget.good, 1);
  EXPECT_EQ(st.budget.total, 2);
}

// One bad record anywhere in a batch rejects the whole batch.
struct BadProbeCase {
  const char* name;
  absl::StatusCode code;
  // Mutates record 2 of a good batch.
  void (*spoil)(ProbeResult& r, SliId event_sli);
};

class BadProbeBatchTest : public EngineTest,
                          public ::testing::WithParamInterface<BadProbeCase> {};

TEST_P(BadProbeBatchTest, WholeBatchRejected) {
  Engine e(Options());
  const SliId s = Add(e, Probe("web", "home"));
  const SliId other = Add(e, Latency("web", "lat", 100));
  const SliId ev = Add(e, Events("web", "events"));
  const absl::Time t = T("2024-01-10T00:00:00Z");
  std::vector<ProbeResult> batch = {
      {s, Ms(t), true, 5},
      {other, Ms(t), true, 5},
      {s, Ms(t) + 1, true, 5},
      {s, Ms(t) + 2, true, 5},
  };
  GetParam().spoil(batch[2], ev);
  absl::Status st = e.Ingest(batch);
  EXPECT_EQ(st.code(), GetParam().code) << st;
  EXPECT_THAT(std::string(st.message()), HasSubstr("record 2"));
  // Nothing was applied, newest did not move.
  EXPECT_EQ(Q(e, s, t - absl::Hours(1), t + absl::Hours(1)), C(0, 0));
  EXPECT_EQ(Q(e, other, t - absl::Hours(1), t + absl::Hours(1)), C(0, 0));
  EXPECT_EQ(e.newest(), absl::InfinitePast());
  // The good records alone are accepted.
  batch.erase(batch.begin() + 2);
  ASSERT_TRUE(e.Ingest(batch).ok());
  EXPECT_EQ(Q(e, s, t - absl::Hours(1), t + absl::Hours(1)), C(2, 2));
  EXPECT_EQ(Q(e, other, t - absl::Hours(1), t + absl::Hours(1)), C(1, 1));
}

INSTANTIATE_TEST_SUITE_P(
    Fields, BadProbeBatchTest,
    ::testing::Values(
        BadProbeCase{
            "NanLatency", absl::StatusCode::kInvalidArgument,
            [](ProbeResult& r, SliId) { r.latency_ms = std::nan(""); }},
        BadProbeCase{"InfiniteLatency", absl::StatusCode::kInvalidArgument,
                     [](ProbeResult& r, SliId) {
                       r.latency_ms = std::numeric_limits<double>::infinity();
                     }},
        BadProbeCase{"NegativeLatency", absl::StatusCode::kInvalidArgument,
                     [](ProbeResult& r, SliId) { r.latency_ms = -0.5; }},
        BadProbeCase{"UnknownSli", absl::StatusCode::kNotFound,
                     [](ProbeResult& r, SliId) { r.sli = 42; }},
        BadProbeCase{"EventSliSentProbe", absl::StatusCode::kInvalidArgument,
                     [](ProbeResult& r, SliId ev) { r.sli = ev; }}),
    [](const ::testing::TestParamInfo<BadProbeCase>& info) {
      return std::string(info.param.name);
    });

struct BadEventCase {
  const char* name;
  absl::StatusCode code;
  void (*spoil)(EventCount& e, SliId probe_sli);
};

class BadEventBatchTest : public EngineTest,
                          public ::testing::WithParamInterface<BadEventCase> {};

TEST_P(BadEventBatchTest, WholeBatchRejected) {
  Engine e(Options());
  const SliId probe = Add(e, Probe("web", "home"));
  const SliId ev = Add(e, Events("web", "events"));
  const SliId ev2 = Add(e, Events("web", "events2"));
  const absl::Time t = T("2024-01-10T00:00:00Z");
  std::vector<EventCount> batch = {
      {ev, Ms(t), 90, 100},
      {ev2, Ms(t), 5, 5},
      {ev, Ms(t) + kMinuteMs, 7, 10},
      {ev, Ms(t) + 2 * kMinuteMs, 0, 3},
  };
  GetParam().spoil(batch[2], probe);
  absl::Status st = e.IngestEvents(batch);
  EXPECT_EQ(st.code(), GetParam().code) << st;
  EXPECT_THAT(std::string(st.message()), HasSubstr("record 2"));
  EXPECT_EQ(Q(e, ev, t - absl::Hours(1), t + absl::Hours(1)), C(0, 0));
  EXPECT_EQ(Q(e, ev2, t - absl::Hours(1), t + absl::Hours(1)), C(0, 0));
  EXPECT_EQ(Q(e, probe, t - absl::Hours(1), t + absl::Hours(1)), C(0, 0));
  EXPECT_EQ(e.newest(), absl::InfinitePast());
  batch.erase(batch.begin() + 2);
  ASSERT_TRUE(e.IngestEvents(batch).ok());
  // {90,100} + {0,3} = {90, 103}.
  EXPECT_EQ(Q(e, ev, t - absl::Hours(1), t + absl::Hours(1)), C(90, 103));
  EXPECT_EQ(Q(e, ev2, t - absl::Hours(1), t + absl::Hours(1)), C(5, 5));
}

INSTANTIATE_TEST_SUITE_P(
    Fields, BadEventBatchTest,
    ::testing::Values(
        BadEventCase{"NegativeGood", absl::StatusCode::kInvalidArgument,
                     [](EventCount& e, SliId) { e.good = -1; }},
        BadEventCase{"NegativeTotal", absl::StatusCode::kInvalidArgument,
                     [](EventCount& e, SliId) {
                       e.good = 0;
                       e.total = -1;
                     }},
        BadEventCase{"GoodAboveTotal", absl::StatusCode::kInvalidArgument,
                     [](EventCount& e, SliId) { e.good = e.total + 1; }},
        BadEventCase{"ProbeSliSentEvents", absl::StatusCode::kInvalidArgument,
                     [](EventCount& e, SliId probe) { e.sli = probe; }},
        BadEventCase{"UnknownSli", absl::StatusCode::kNotFound,
                     [](EventCount& e, SliId) { e.sli = 42; }}),
    [](const ::testing::TestParamInfo<BadEventCase>& info) {
      return std::string(info.param.name);
    });

// A minute holds at most 2^32 - 1 events.
TEST_F(EngineTest, EventMinuteOverflowWithinOneBatch) {
  Engine e(Options());
  const SliId ev = Add(e, Events("web", "events"));
  const absl::Time t = T("2024-01-10T00:00:00Z");
  constexpr int64_t kHalf = int64_t{1} << 31;  // 2147483648
  // Record 0 elsewhere, records 1 and 2 in minute t: 2^31 + 2^31 = 2^32 >
  // 2^32 - 1 -> OutOfRange naming record 2.
  absl::Status st = e.IngestEvents({{ev, Ms(t) - kMinuteMs, 1, 1},
                                    {ev, Ms(t), 0, kHalf},
                                    {ev, Ms(t) + 5, kHalf, kHalf}});
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  EXPECT_THAT(std::string(st.message()), HasSubstr("record 2"));
  EXPECT_EQ(Q(e, ev, t - absl::Hours(1), t + absl::Hours(1)), C(0, 0));
  EXPECT_EQ(e.newest(), absl::InfinitePast());
  // A single record above the limit.
  st = e.IngestEvents({{ev, Ms(t), 0, int64_t{1} << 32}});
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  // 2^31 + (2^31 - 1) = 2^32 - 1: exactly the limit, accepted.
  ASSERT_TRUE(e.IngestEvents({{ev, Ms(t), 0, kHalf},
                              {ev, Ms(t) + 5, kHalf - 1, kHalf - 1}})
                  .ok());
  EXPECT_EQ(Q(e, ev, t, t + absl::Minutes(1)), C(kHalf - 1, 4294967295));
}

TEST_F(EngineTest, EventMinuteOverflowAcrossBatches) {
  Engine e(Options());
  const SliId ev = Add(e, Events("web", "events"));
  const SliId ev2 = Add(e, Events("web", "events2"));
  const absl::Time t = T("2024-01-10T00:00:00Z");
  ASSERT_TRUE(e.IngestEvents({{ev, Ms(t), 10, 4294967290}}).ok());
  // 4294967290 + 6 = 4294967296 > 2^32 - 1: rejected with the other record.
  absl::Status st = e.IngestEvents({{ev2, Ms(t), 1, 1}, {ev, Ms(t) + 1, 6, 6}});
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  EXPECT_THAT(std::string(st.message()), HasSubstr("record 1"));
  EXPECT_EQ(Q(e, ev, t, t + absl::Minutes(1)), C(10, 4294967290));
  EXPECT_EQ(Q(e, ev2, t, t + absl::Minutes(1)), C(0, 0));
  // + 5 fits exactly.
  ASSERT_TRUE(e.IngestEvents({{ev, Ms(t) + 1, 5, 5}}).ok());
  EXPECT_EQ(Q(e, ev, t, t + absl::Minutes(1)), C(15, 4294967295));
  // Any further event in that minute overflows; the next minute is fine.
  EXPECT_EQ(e.IngestEvents({{ev, Ms(t), 0, 1}}).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(e.IngestEvents({{ev, Ms(t) + kMinuteMs, 0, 1}}).ok());
}

// Overflow check on an hour the engine has sealed flat: every minute of the
// hour holds 2^32 - 2 events; once sealed, one more is fine and two are not.
TEST_F(EngineTest, EventMinuteOverflowInSealedHour) {
  Engine e(Options());
  const SliId ev = Add(e, Events("web", "events"));
  const absl::Time h = T("2024-01-10T00:00:00Z");
  std::vector<EventCount> hour;
  for (int m = 0; m < 60; ++m) {
    hour.push_back({ev, Ms(h + absl::Minutes(m)), 0, 4294967294});
  }
  ASSERT_TRUE(e.IngestEvents(hour).ok());
  // Data 3 hours later makes the engine seal the hour.
  ASSERT_TRUE(e.IngestEvents({{ev, Ms(h + absl::Hours(3)), 1, 1}}).ok());
  EXPECT_EQ(e.IngestEvents({{ev, Ms(h + absl::Minutes(17)), 0, 2}}).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(e.IngestEvents({{ev, Ms(h + absl::Minutes(17)), 1, 1}}).ok());
  // 60 * (2^32 - 2) + 1 = 257698037641 in the hour.
  EXPECT_EQ(Q(e, ev, h, h + absl::Hours(1)), C(1, 257698037641));
  EXPECT_EQ(Q(e, ev, h + absl::Minutes(17), h + absl::Minutes(18)),
            C(1, 4294967295));
  EXPECT_EQ(Q(e, ev, h + absl::Minutes(18), h + absl::Minutes(19)),
            C(0, 4294967294));
}

// ================================================================ latency

// Threshold T = 200 ms: good when ok && latency <= T.
// CheckIngest answers what Ingest would, and applies nothing.
TEST_F(EngineTest, CheckIngestAnswersLikeIngestWithoutApplying) {
  Engine e(Options());
  const SliId s = Add(e, Probe("web", "home"));
  const absl::Time t = T("2024-01-10T00:00:00Z");
  const std::vector<ProbeResult> good = {{s, Ms(t), true, 1},
                                         {s, Ms(t) + 1, false, 2}};
  const std::vector<ProbeResult> bad = {{s, Ms(t), true, 1},
                                        {s, Ms(t), true, std::nan("")}};
  EXPECT_TRUE(e.CheckIngest(good).ok());
  const absl::Status check_bad = e.CheckIngest(bad);
  EXPECT_EQ(check_bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(check_bad.message()),
              HasSubstr("record 1: field 'latency_ms'"));
  EXPECT_EQ(Q(e, s, t, t + absl::Minutes(1)), C(0, 0));  // nothing applied
  EXPECT_EQ(e.Ingest(bad), check_bad);
  ASSERT_TRUE(e.Ingest(good).ok());
  EXPECT_EQ(Q(e, s, t, t + absl::Minutes(1)), C(1, 2));
}

TEST_F(EngineTest, LatencyThresholdSli) {
  Engine e(Options());
  const SliId s = Add(e, Latency("web", "lat", 200));
  const absl::Time t = T("2024-01-10T00:00:00Z");
  ASSERT_TRUE(e.Ingest({
                           {s, Ms(t), true, 200},          // exactly T: good
                           {s, Ms(t) + 1, true, 200.001},  // above: bad
                           {s, Ms(t) + 2, false, 3},       // failed fast: bad
                           {s, Ms(t) + 3, true, 0},        // good
                           {s, Ms(t) + 4, false, 200},     // failed: bad
                       })
                  .ok());
  EXPECT_EQ(Q(e, s, t, t + absl::Minutes(1)), C(2, 5));
  // A probe-success SLI ignores latency: ok is good at any latency.
  const SliId p = Add(e, Probe("web", "probe"));
  ASSERT_TRUE(e.Ingest({{p, Ms(t), true, 1e9}, {p, Ms(t), false, 0}}).ok());
  EXPECT_EQ(Q(e, p, t, t + absl::Minutes(1)), C(1, 2));
}

// ================================================================ objectives

TEST_F(EngineTest, AddObjectiveErrors) {
  Engine e(Options());
  Add(e, Probe("web", "home"));
  Add(e, Events("shop", "orders"));
  auto code = [&](const ObjectiveSpec& spec) {
    return e.AddObjective(spec).status().code();
  };
  ObjectiveSpec base = Slo("web", "availability", "30d", 99.9);
  {
    ObjectiveSpec s = base;
    s.target_percent = 100;
    EXPECT_EQ(code(s), absl::StatusCode::kInvalidArgument);
    s.target_percent = 0;
    EXPECT_EQ(code(s), absl::StatusCode::kInvalidArgument);
    s.target_percent = std::nan("");
    EXPECT_EQ(code(s), absl::StatusCode::kInvalidArgument);
  }
  {
    ObjectiveSpec s = base;
    s.window = "0m";
    EXPECT_EQ(code(s), absl::StatusCode::kInvalidArgument);
    s.window = "30x";
    EXPECT_EQ(code(s), absl::StatusCode::kInvalidArgument);
    s.window = "month@Mars/Olympus";
    EXPECT_EQ(code(s), absl::StatusCode::kInvalidArgument);
  }
  {
    ObjectiveSpec s = base;
    s.slis = {"nope"};
    EXPECT_EQ(code(s), absl::StatusCode::kNotFound);
    s.slis = {};
    s.service = "nosuch";
    EXPECT_EQ(code(s), absl::StatusCode::kNotFound);
  }
  {
    ObjectiveSpec s = base;
    s.method = BudgetingMethod::kTimeslices;
    s.slice = absl::Seconds(90);
    EXPECT_EQ(code(s), absl::StatusCode::kInvalidArgument);
    s.slice = absl::ZeroDuration();
    EXPECT_EQ(code(s), absl::StatusCode::kInvalidArgument);
    s.slice = absl::Minutes(1);
    s.slice_threshold = 0;
    EXPECT_EQ(code(s), absl::StatusCode::kInvalidArgument);
    s.slice_threshold = 1.01;
    EXPECT_EQ(code(s), absl::StatusCode::kInvalidArgument);
  }
  {
    ObjectiveSpec s = base;
    s.name = "";
    EXPECT_EQ(code(s), absl::StatusCode::kInvalidArgument);
  }
  // A service with only event SLIs has no default SLI set.
  EXPECT_EQ(code(Slo("shop", "avail", "30d", 99)),
            absl::StatusCode::kInvalidArgument);
  // Nothing was declared by the failures: the first good one gets id 0.
  EXPECT_EQ(AddSlo(e, base), 0u);
  EXPECT_EQ(code(base), absl::StatusCode::kAlreadyExists);
  // Same name in another service is fine.
  ObjectiveSpec shop = Slo("shop", "availability", "30d", 99);
  shop.slis = {"orders"};
  EXPECT_EQ(AddSlo(e, shop), 1u);
  EXPECT_EQ(e.FindObjective("shop", "availability").value_or(99), 1u);
  EXPECT_EQ(e.FindObjective("shop", "x").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(e.GetObjective(2).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(e.Evaluate(2, kT0).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(e.GetObjective(1).value().slis, std::vector<std::string>{"orders"});
}

// The default SLI set is every probe-success SLI of the service, pooled:
// good and total summed across them. Latency and event SLIs and other
// services are left out.
TEST_F(EngineTest, DefaultSliSetPoolsProbeSuccessSlis) {
  Engine e(Options());
  const SliId a = Add(e, Probe("web", "a"));
  const SliId lat = Add(e, Latency("web", "lat", 100));
  const SliId ev = Add(e, Events("web", "ev"));
  const SliId b = Add(e, Probe("web", "b"));
  const SliId other = Add(e, Probe("api", "a"));
  const ObjectiveId o = AddSlo(e, Slo("web", "availability", "1d", 90));
  const absl::Time t = T("2024-01-10T00:00:00Z");
  // a: 3 results, 2 ok. b: 5 results, all ok. lat: 4 results, none good.
  // api/a: 7 failed. ev: 100 of 100 good.
  std::vector<ProbeResult> batch;
  for (int i = 0; i < 3; ++i) batch.push_back({a, Ms(t) + i, i != 0, 1});
  for (int i = 0; i < 5; ++i)
    batch.push_back({b, Ms(t + absl::Minutes(i)), true, 1});
  for (int i = 0; i < 4; ++i) batch.push_back({lat, Ms(t), true, 500});
  for (int i = 0; i < 7; ++i) batch.push_back({other, Ms(t), false, 1});
  ASSERT_TRUE(e.Ingest(batch).ok());
  ASSERT_TRUE(e.IngestEvents({{ev, Ms(t), 100, 100}}).ok());
  // Pooled: good 2 + 5 = 7, total 3 + 5 = 8.
  ObjectiveStatus st = Eval(e, o, t + absl::Hours(1));
  EXPECT_EQ(st.budget.good, 7);
  EXPECT_EQ(st.budget.total, 8);
  EXPECT_EQ(st.budget.bad, 1);
  EXPECT_EQ(st.budget.availability, 7.0 / 8.0);  // 0.875, exact in binary
  // Allowed bad = 8 * 10% = 0.8; consumed = 1 / 0.8 = 1.25; remaining -0.25.
  EXPECT_EQ(st.budget.allowed_bad, 0.8);
  EXPECT_EQ(st.budget.consumed, 1.25);
  EXPECT_EQ(st.budget.remaining, -0.25);
  // QuerySum over the same SLIs agrees.
  EXPECT_EQ(e.QuerySum({a, b}, Interval{t, t + absl::Hours(1)}).value(),
            C(7, 8));
  // An SLI declared later is not added to an existing objective.
  const SliId c = Add(e, Probe("web", "c"));
  ASSERT_TRUE(e.Ingest({{c, Ms(t), false, 1}}).ok());
  EXPECT_EQ(Eval(e, o, t + absl::Hours(1)).budget.total, 8);
}

// ================================================================ budgeting

// Grafana's example: five 1-minute slices with (good, total) =
// (10,10) (10,10) (10,10) (10,10) (20,40).
class GrafanaExampleTest : public EngineTest {
 protected:
  void SetUp() override {
    ev_ = Add(engine_, Events("web", "requests"));
    std::vector<EventCount> events;
    for (int m = 0; m < 4; ++m) {
      events.push_back({ev_, Ms(start_ + absl::Minutes(m)) + 123, 10, 10});
    }
    events.push_back({ev_, Ms(start_ + absl::Minutes(4)), 20, 40});
    ASSERT_TRUE(engine_.IngestEvents(events).ok());
  }
  ObjectiveId Make(const std::string& name, BudgetingMethod method,
                   double threshold = 1.0) {
    ObjectiveSpec s = Slo("web", name, "5m", 95, method);
    s.slis = {"requests"};
    s.slice_threshold = threshold;
    return AddSlo(engine_, s);
  }

  const absl::Time start_ = T("2024-01-10T00:00:00Z");
  const absl::Time at_ = start_ + absl::Minutes(5);  // window [start, +5m)
  Engine engine_{Options()};
  SliId ev_ = 0;
};

TEST_F(GrafanaExampleTest, Occurrences) {
  ObjectiveStatus st =
      Eval(engine_, Make("occ", BudgetingMethod::kOccurrences), at_);
  EXPECT_EQ(st.window, (Interval{start_, at_}));
  EXPECT_EQ(st.method, BudgetingMethod::kOccurrences);
  // good 4*10 + 20 = 60, total 4*10 + 40 = 80.
  EXPECT_EQ(st.budget.good, 60);
  EXPECT_EQ(st.budget.total, 80);
  EXPECT_EQ(st.budget.bad, 20);
  EXPECT_EQ(st.budget.availability, 0.75);  // 60/80
  // Allowed 80 * 5% = 4; consumed 20/4 = 5; remaining -4.
  EXPECT_EQ(st.budget.allowed_bad, 4.0);
  EXPECT_EQ(st.budget.consumed, 5.0);
  EXPECT_EQ(st.budget.remaining, -4.0);
}

TEST_F(GrafanaExampleTest, RatioTimeslices) {
  ObjectiveStatus st =
      Eval(engine_, Make("ratio", BudgetingMethod::kRatioTimeslices), at_);
  EXPECT_EQ(st.method, BudgetingMethod::kRatioTimeslices);
  // (1 + 1 + 1 + 1 + 0.5) / 5 = 4.5 / 5 = 0.9 (one rounding of exact
  // operands: the double nearest 0.9).
  EXPECT_EQ(st.budget.availability, 0.9);
  EXPECT_EQ(st.budget.total, 5);  // slices with data
  EXPECT_EQ(st.budget.good, 0);   // unused
  // Allowed: 5% of 5 slices = 0.25. Consumed (1 - 0.9) / 0.05 = 2 (up to
  // the rounding of 1 - 0.9 in binary).
  EXPECT_DOUBLE_EQ(st.budget.allowed_bad, 0.25);
  EXPECT_DOUBLE_EQ(st.budget.consumed, 2.0);
  EXPECT_DOUBLE_EQ(st.budget.remaining, -1.0);
}

TEST_F(GrafanaExampleTest, TimeslicesThresholdOne) {
  ObjectiveStatus st =
      Eval(engine_, Make("ts1", BudgetingMethod::kTimeslices, 1.0), at_);
  // Slice ratios 1,1,1,1,0.5; >= 1.0: 4 of 5 good.
  EXPECT_EQ(st.budget.good, 4);
  EXPECT_EQ(st.budget.total, 5);
  EXPECT_EQ(st.budget.bad, 1);
  EXPECT_EQ(st.budget.availability, 0.8);  // 4/5
  // Allowed 5 * 5% = 0.25; consumed 1 / 0.25 = 4; remaining -3.
  EXPECT_EQ(st.budget.allowed_bad, 0.25);
  EXPECT_EQ(st.budget.consumed, 4.0);
  EXPECT_EQ(st.budget.remaining, -3.0);
}

TEST_F(GrafanaExampleTest, TimeslicesThresholdHalf) {
  ObjectiveStatus st =
      Eval(engine_, Make("ts05", BudgetingMethod::kTimeslices, 0.5), at_);
  // 0.5 >= 0.5: all 5 slices good.
  EXPECT_EQ(st.budget.good, 5);
  EXPECT_EQ(st.budget.total, 5);
  EXPECT_EQ(st.budget.availability, 1.0);
  EXPECT_EQ(st.budget.consumed, 0.0);
  EXPECT_EQ(st.budget.remaining, 1.0);
  // Just above 0.5 the last slice is bad again: 4 of 5.
  ObjectiveStatus st2 =
      Eval(engine_, Make("ts0501", BudgetingMethod::kTimeslices, 0.501), at_);
  EXPECT_EQ(st2.budget.good, 4);
  EXPECT_EQ(st2.budget.total, 5);
}

TEST_F(GrafanaExampleTest, BurnRatesPerMethod) {
  const ObjectiveId occ = Make("occ", BudgetingMethod::kOccurrences);
  const ObjectiveId ts = Make("ts", BudgetingMethod::kTimeslices);
  const ObjectiveId ratio = Make("ratio", BudgetingMethod::kRatioTimeslices);
  const absl::Duration w[] = {absl::Minutes(5), absl::Minutes(1)};
  // Occurrences, 5m: (20/80) / 0.05 = 5. Last 1m: (20/40) / 0.05 = 10.
  BurnRates b = engine_.BurnRatesAt(occ, at_, w).value();
  EXPECT_THAT(b.rates, ElementsAre(5.0, 10.0));
  EXPECT_THAT(b.counts, ElementsAre(C(60, 80), C(20, 40)));
  // Timeslices, 5m: (1/5) / 0.05 = 4. Last 1m: 1 bad of 1: 1 / 0.05 = 20.
  b = engine_.BurnRatesAt(ts, at_, w).value();
  EXPECT_THAT(b.rates, ElementsAre(4.0, 20.0));
  EXPECT_THAT(b.counts, ElementsAre(C(4, 5), C(0, 1)));
  // RatioTimeslices, 5m: (1 - 0.9) / 0.05 = 2. Last 1m: (1 - 0.5)/0.05 = 10.
  b = engine_.BurnRatesAt(ratio, at_, w).value();
  ASSERT_EQ(b.rates.size(), 2u);
  EXPECT_DOUBLE_EQ(b.rates[0], 2.0);
  EXPECT_DOUBLE_EQ(b.rates[1], 10.0);
}

// OpenSLO budgeting example: 2w rolling window, 1-minute slices, target 95%:
// 14 * 1440 = 20160 slices, allowed bad = 5% * 20160 = 1008 exactly.
// One result per minute; minutes with index % 20 == 0 fail: 20160/20 = 1008.
TEST_F(EngineTest, OpenSloTimeslicesTwoWeeks) {
  const absl::Time start = kT0;
  const absl::Time end = start + absl::Hours(24 * 14);
  clock_.Set(end);
  Engine e(Options());
  const SliId s = Add(e, Probe("web", "home"));
  ObjectiveSpec spec = Slo("web", "ts", "2w", 95, BudgetingMethod::kTimeslices);
  const ObjectiveId o = AddSlo(e, spec);
  std::vector<ProbeResult> batch;
  for (int k = 0; k < 20160; ++k) {
    batch.push_back(
        {s, Ms(start + absl::Minutes(k)) + 30'000, k % 20 != 0, 10});
  }
  ASSERT_TRUE(e.Ingest(batch).ok());
  ObjectiveStatus st = Eval(e, o, end);
  EXPECT_EQ(st.window, (Interval{start, end}));
  EXPECT_EQ(st.budget.total, 20160);
  EXPECT_EQ(st.budget.good, 20160 - 1008);
  EXPECT_EQ(st.budget.bad, 1008);
  EXPECT_EQ(st.budget.allowed_bad, 1008.0);
  EXPECT_EQ(st.budget.consumed, 1.0);
  EXPECT_EQ(st.budget.remaining, 0.0);
  // One more bad minute than allowed: the last good minute fails too. Then
  // 1009 / 1008 consumed.
  ASSERT_TRUE(e.Ingest({{s, Ms(end) - 1, false, 10}}).ok());
  st = Eval(e, o, end);
  EXPECT_EQ(st.budget.bad, 1009);
  EXPECT_EQ(st.budget.consumed, 1009.0 / 1008.0);
}

// Occurrences: 1000 requests per hour (24000/day) for 14 days = 336000;
// 5% = 16800 allowed bad. 168 hours (every other hour) have 100 bad:
// 168 * 100 = 16800 bad, consumed exactly 1.
TEST_F(EngineTest, OpenSloOccurrencesTwoWeeks) {
  const absl::Time start = kT0;
  const absl::Time end = start + absl::Hours(24 * 14);
  clock_.Set(end);
  Engine e(Options());
  const SliId ev = Add(e, Events("web", "requests"));
  ObjectiveSpec spec = Slo("web", "occ", "2w", 95);
  spec.slis = {"requests"};
  const ObjectiveId o = AddSlo(e, spec);
  std::vector<EventCount> events;
  for (int h = 0; h < 336; ++h) {
    // Spread each hour's 1000 as 600 at minute 0 and 400 at minute 37.
    const int64_t bad = h % 2 == 0 ? 100 : 0;
    const absl::Time hs = start + absl::Hours(h);
    events.push_back({ev, Ms(hs), 600 - bad, 600});
    events.push_back({ev, Ms(hs + absl::Minutes(37)), 400, 400});
  }
  ASSERT_TRUE(e.IngestEvents(events).ok());
  ObjectiveStatus st = Eval(e, o, end);
  EXPECT_EQ(st.budget.total, 336000);
  EXPECT_EQ(st.budget.good, 336000 - 16800);
  EXPECT_EQ(st.budget.bad, 16800);
  EXPECT_EQ(st.budget.allowed_bad, 16800.0);
  EXPECT_EQ(st.budget.consumed, 1.0);
  EXPECT_EQ(st.budget.remaining, 0.0);
  // 24 h later the window [Jan 2, Jan 16) lost day 1 (12 bad hours = 1200
  // bad, 24000 total): 312000 total, 15600 bad; allowed 15600: consumed 1.
  st = Eval(e, o, end + absl::Hours(24));
  EXPECT_EQ(st.budget.total, 312000);
  EXPECT_EQ(st.budget.bad, 15600);
  EXPECT_EQ(st.budget.allowed_bad, 15600.0);
  EXPECT_EQ(st.budget.consumed, 1.0);
}

// Slices without data are left out: a 60-minute window with data only in
// the 30 even minutes, 3 of which are bad.
TEST_F(EngineTest, SlicesWithoutDataAreLeftOut) {
  Engine e(Options());
  const SliId s = Add(e, Probe("web", "home"));
  const absl::Time start = T("2024-01-10T00:00:00Z");
  std::vector<ProbeResult> batch;
  for (int m = 0; m < 60; m += 2) {
    // Bad at minutes 0, 20, 40. Two results per minute so that the ratio
    // slice of a bad minute is 0.5.
    const bool ok = m % 20 != 0;
    batch.push_back({s, Ms(start + absl::Minutes(m)), ok, 1});
    batch.push_back({s, Ms(start + absl::Minutes(m)) + 1, true, 1});
  }
  ASSERT_TRUE(e.Ingest(batch).ok());
  const absl::Time at = start + absl::Minutes(60);
  ObjectiveStatus ts = Eval(
      e, AddSlo(e, Slo("web", "ts", "1h", 90, BudgetingMethod::kTimeslices)),
      at);
  // 30 slices with data, 27 good (threshold 1.0).
  EXPECT_EQ(ts.budget.total, 30);
  EXPECT_EQ(ts.budget.good, 27);
  EXPECT_EQ(ts.budget.availability, 0.9);  // 27/30
  // Allowed 10% * 30 = 3: consumed 3/3 = 1.
  EXPECT_EQ(ts.budget.allowed_bad, 3.0);
  EXPECT_EQ(ts.budget.consumed, 1.0);
  ObjectiveStatus ratio = Eval(
      e,
      AddSlo(e,
             Slo("web", "ratio", "1h", 90, BudgetingMethod::kRatioTimeslices)),
      at);
  // (27 * 1 + 3 * 0.5) / 30 = 28.5 / 30 = 0.95.
  EXPECT_EQ(ratio.budget.total, 30);
  EXPECT_EQ(ratio.budget.availability, 28.5 / 30);
  // Occurrences for contrast: 60 results, 3 bad.
  ObjectiveStatus occ = Eval(e, AddSlo(e, Slo("web", "occ", "1h", 90)), at);
  EXPECT_EQ(occ.budget.good, 57);
  EXPECT_EQ(occ.budget.total, 60);
}

// Multi-minute slices are aligned to the window start: 5-minute slices over
// a 1-hour window, threshold 0.9.
TEST_F(EngineTest, FiveMinuteSlices) {
  Engine e(Options());
  const SliId s = Add(e, Probe("web", "home"));
  const absl::Time start = T("2024-01-10T00:00:00Z");
  std::vector<ProbeResult> batch;
  // One result per minute for the hour; minute 7 fails (slice [5,10): 4/5 =
  // 0.8 < 0.9: bad); minutes 20 and 24 fail (slice [20,25): 3/5: bad).
  // Minutes 50..59 have no data (2 slices left out).
  for (int m = 0; m < 50; ++m) {
    batch.push_back(
        {s, Ms(start + absl::Minutes(m)), m != 7 && m != 20 && m != 24, 1});
  }
  ASSERT_TRUE(e.Ingest(batch).ok());
  ObjectiveSpec spec =
      Slo("web", "ts5", "1h", 80, BudgetingMethod::kTimeslices);
  spec.slice = absl::Minutes(5);
  spec.slice_threshold = 0.9;
  ObjectiveStatus st = Eval(e, AddSlo(e, spec), start + absl::Hours(1));
  // 10 slices with data, 2 bad.
  EXPECT_EQ(st.budget.total, 10);
  EXPECT_EQ(st.budget.good, 8);
  // Allowed 20% * 10 = 2; consumed 2/2 = 1.
  EXPECT_EQ(st.budget.allowed_bad, 2.0);
  EXPECT_EQ(st.budget.consumed, 1.0);
}

// ================================================================ calendar

// 2024-10-31T23:30Z is 2024-11-01 00:30 in Paris (CET, UTC+1 since Oct 27):
// November there, October in UTC. 2024-09-30T22:30Z is 2024-10-01 00:30 in
// Paris (CEST, UTC+2): October there, September in UTC.
TEST_F(EngineTest, CalendarMonthInParisAndUtc) {
  clock_.Set(T("2024-11-02T00:00:00Z"));
  Engine e(Options());
  const SliId s = Add(e, Probe("web", "home"));
  const ObjectiveId paris =
      AddSlo(e, Slo("web", "paris", "month@Europe/Paris", 99));
  const ObjectiveId utc = AddSlo(e, Slo("web", "utc", "month", 99));
  std::vector<ProbeResult> batch;
  // Sep 30 22:30Z: 1 good.
  batch.push_back({s, Ms(T("2024-09-30T22:30:00Z")), true, 1});
  // Oct 15 12:00Z: 2 good.
  for (int i = 0; i < 2; ++i)
    batch.push_back({s, Ms(T("2024-10-15T12:00:00Z")), true, 1});
  // Oct 31 23:30Z: 4 bad.
  for (int i = 0; i < 4; ++i)
    batch.push_back({s, Ms(T("2024-10-31T23:30:00Z")), false, 1});
  ASSERT_TRUE(e.Ingest(batch).ok());

  // Evaluated as of the first instant after each month: the whole month.
  ObjectiveStatus p = Eval(e, paris, T("2024-10-31T23:00:00Z"));
  // Paris October: [Oct 1 00:00 CEST, Nov 1 00:00 CET) =
  // [Sep 30 22:00Z, Oct 31 23:00Z): the Sep 30 and Oct 15 results.
  EXPECT_EQ(p.window,
            (Interval{T("2024-09-30T22:00:00Z"), T("2024-10-31T23:00:00Z")}));
  EXPECT_EQ(p.window.length(), absl::Hours(745));  // 31 days + 1 h (DST end)
  EXPECT_EQ(p.budget.good, 3);
  EXPECT_EQ(p.budget.total, 3);
  ObjectiveStatus u = Eval(e, utc, T("2024-11-01T00:00:00Z"));
  // UTC October: [Oct 1, Nov 1): Oct 15 (2 good) and Oct 31 23:30 (4 bad).
  EXPECT_EQ(u.window,
            (Interval{T("2024-10-01T00:00:00Z"), T("2024-11-01T00:00:00Z")}));
  EXPECT_EQ(u.budget.good, 2);
  EXPECT_EQ(u.budget.total, 6);

  // As of Oct 15 00:00Z: month to date, nothing after `at` counts
  // (a regression test: whole periods used to include later results).
  const absl::Time october = T("2024-10-15T00:00:00Z");
  p = Eval(e, paris, october);
  EXPECT_EQ(p.window,
            (Interval{T("2024-09-30T22:00:00Z"), T("2024-10-15T00:00:00Z")}));
  EXPECT_EQ(p.budget.total, 1);  // Sep 30 22:30Z only
  u = Eval(e, utc, october);
  EXPECT_EQ(u.window,
            (Interval{T("2024-10-01T00:00:00Z"), T("2024-10-15T00:00:00Z")}));
  EXPECT_EQ(u.budget.total, 0);

  // As of Nov 1 00:00Z it is already November in Paris (since 23:00Z):
  // the 4 bad results of 23:30Z.
  p = Eval(e, paris, T("2024-11-01T00:00:00Z"));
  EXPECT_EQ(p.window,
            (Interval{T("2024-10-31T23:00:00Z"), T("2024-11-01T00:00:00Z")}));
  EXPECT_EQ(p.budget.good, 0);
  EXPECT_EQ(p.budget.total, 4);
  // UTC September holds only the Sep 30 result.
  u = Eval(e, utc, T("2024-10-01T00:00:00Z"));
  EXPECT_EQ(u.window,
            (Interval{T("2024-09-01T00:00:00Z"), T("2024-10-01T00:00:00Z")}));
  EXPECT_EQ(u.budget.good, 1);
  EXPECT_EQ(u.budget.total, 1);
}

// 2024 is a leap year: a result at 2024-02-29T12:00Z is in February's month
// window and in the day window of Feb 29.
TEST_F(EngineTest, LeapDay) {
  clock_.Set(T("2024-03-02T00:00:00Z"));
  Engine e(Options());
  const SliId s = Add(e, Probe("web", "home"));
  const ObjectiveId month = AddSlo(e, Slo("web", "month", "month", 99));
  const ObjectiveId day = AddSlo(e, Slo("web", "day", "day", 99));
  ASSERT_TRUE(e.Ingest({
                           {s, Ms(T("2024-02-29T12:00:00Z")), true, 1},
                           {s, Ms(T("2024-02-28T23:59:59Z")), false, 1},
                           {s, Ms(T("2024-03-01T00:00:00Z")), false, 1},
                       })
                  .ok());
  // As of the end of Feb 29: the whole of February and of Feb 29.
  const absl::Time at = T("2024-03-01T00:00:00Z");
  ObjectiveStatus m = Eval(e, month, at);
  EXPECT_EQ(m.window,
            (Interval{T("2024-02-01T00:00:00Z"), T("2024-03-01T00:00:00Z")}));
  EXPECT_EQ(m.window.length(), absl::Hours(24 * 29));
  // Feb 28 23:59:59 (bad) and Feb 29 12:00 (good); Mar 1 00:00 is out.
  EXPECT_EQ(m.budget.good, 1);
  EXPECT_EQ(m.budget.total, 2);
  ObjectiveStatus d = Eval(e, day, at);
  EXPECT_EQ(d.window,
            (Interval{T("2024-02-29T00:00:00Z"), T("2024-03-01T00:00:00Z")}));
  EXPECT_EQ(d.budget.good, 1);
  EXPECT_EQ(d.budget.total, 1);
}

// ================================================================ burn

// Target 99% (1 - target = 1/100). At 12:00: [11:55, 12:00) holds 20
// results, 1 bad; [11:00, 11:55) holds 100 more, 2 bad.
TEST_F(EngineTest, BurnRatesOverWindows) {
  Engine e(Options());
  const SliId s = Add(e, Probe("web", "home"));
  const ObjectiveId o = AddSlo(e, Slo("web", "avail", "30d", 99));
  const absl::Time at = T("2024-01-10T12:00:00Z");
  std::vector<ProbeResult> batch;
  for (int i = 0; i < 20; ++i) {
    batch.push_back({s, Ms(at - absl::Minutes(5)) + i * 10'000, i != 3, 1});
  }
  for (int i = 0; i < 100; ++i) {
    batch.push_back(
        {s, Ms(at - absl::Hours(1)) + i * 30'000, i != 0 && i != 99, 1});
  }
  // At `at` itself and earlier than 1 h: outside both windows.
  batch.push_back({s, Ms(at), false, 1});
  batch.push_back({s, Ms(at - absl::Hours(1)) - 1, false, 1});
  ASSERT_TRUE(e.Ingest(batch).ok());
  const absl::Duration w[] = {absl::Minutes(5), absl::Hours(1)};
  BurnRates b = e.BurnRatesAt(o, at, w).value();
  // 5m: (1/20) / (1/100) = 100/20 = 5. 1h: 3 bad of 120: 300/120 = 2.5.
  EXPECT_THAT(b.rates, ElementsAre(5.0, 2.5));
  EXPECT_THAT(b.counts, ElementsAre(C(19, 20), C(117, 120)));
  // A window with no data: rate 0, counts {0, 0}.
  const absl::Duration w1[] = {absl::Minutes(5), absl::Minutes(1)};
  b = e.BurnRatesAt(o, T("2024-01-10T10:00:00Z"), w1).value();
  EXPECT_THAT(b.rates, ElementsAre(0.0, 0.0));
  EXPECT_THAT(b.counts, ElementsAre(C(0, 0), C(0, 0)));
  // Timeslices with no data also give 0.
  const ObjectiveId ts =
      AddSlo(e, Slo("web", "ts", "30d", 99, BudgetingMethod::kTimeslices));
  b = e.BurnRatesAt(ts, T("2024-01-10T10:00:00Z"), w1).value();
  EXPECT_THAT(b.rates, ElementsAre(0.0, 0.0));
  EXPECT_THAT(b.counts, ElementsAre(C(0, 0), C(0, 0)));
  // Empty window list: empty result.
  b = e.BurnRatesAt(o, at, {}).value();
  EXPECT_TRUE(b.rates.empty());
  EXPECT_TRUE(b.counts.empty());
}

TEST_F(EngineTest, UndeclaredSpecsEvaluateLikeDeclaredObjectives) {
  Engine e(Options());
  const SliId home = Add(e, Probe("web", "home"));
  const absl::Time at = T("2024-01-10T12:00:00Z");
  std::vector<ProbeResult> batch;
  for (int i = 0; i < 60; ++i) {
    batch.push_back(
        {home, Ms(at - absl::Hours(1)) + i * 60'000, i % 10 != 0, 1});
  }
  ASSERT_TRUE(e.Ingest(batch).ok());
  const ObjectiveSpec spec = Slo("web", "avail", "30d", 99);
  const absl::Duration w[] = {absl::Minutes(5), absl::Hours(1)};
  ObjectiveStatus undeclared = e.EvaluateSpec(spec, at).value();
  BurnRates undeclared_rates = e.BurnRatesOfSpec(spec, at, w).value();
  // Nothing was declared by those calls.
  EXPECT_TRUE(absl::IsNotFound(e.FindObjective("web", "avail").status()));
  // An SLI added later is covered by the next call (resolved per call).
  const SliId api = Add(e, Probe("web", "api"));
  ASSERT_TRUE(e.Ingest({{api, Ms(at - absl::Minutes(1)), false, 1}}).ok());
  ObjectiveStatus later = e.EvaluateSpec(spec, at).value();
  EXPECT_EQ(later.budget.total, undeclared.budget.total + 1);
  EXPECT_EQ(later.budget.good, undeclared.budget.good);

  const ObjectiveId o = AddSlo(e, spec);  // now home and api, as above
  ObjectiveStatus declared = e.Evaluate(o, at).value();
  EXPECT_EQ(declared.budget.good, later.budget.good);
  EXPECT_EQ(declared.budget.total, later.budget.total);
  EXPECT_EQ(declared.window.from, later.window.from);
  EXPECT_EQ(declared.window.to, later.window.to);
  // 6 bad of 60 in the hour before the api probe (minutes 0, 10, ..., 50):
  // 54 good; 5m holds minutes 55..59 of the hour, all good.
  EXPECT_EQ(undeclared.budget.good, 54);
  EXPECT_EQ(undeclared.budget.total, 60);
  EXPECT_THAT(undeclared_rates.counts, ElementsAre(C(5, 5), C(54, 60)));
  EXPECT_DOUBLE_EQ(undeclared_rates.rates[1], 10.0);  // (6/60) / (1/100)
  // The spec's errors are AddObjective's.
  EXPECT_TRUE(absl::IsInvalidArgument(
      e.EvaluateSpec(Slo("web", "x", "30d", 100), at).status()));
  EXPECT_TRUE(absl::IsNotFound(
      e.EvaluateSpec(Slo("nope", "x", "30d", 99), at).status()));
}

TEST_F(EngineTest, BurnRatesRejectBadWindows) {
  Engine e(Options());
  Add(e, Probe("web", "home"));
  const ObjectiveId o = AddSlo(e, Slo("web", "avail", "30d", 99));
  const absl::Time at = T("2024-01-10T12:00:00Z");
  const absl::Duration odd[] = {absl::Minutes(5), absl::Seconds(90)};
  EXPECT_EQ(e.BurnRatesAt(o, at, odd).status().code(),
            absl::StatusCode::kInvalidArgument);
  const absl::Duration zero[] = {absl::ZeroDuration()};
  EXPECT_EQ(e.BurnRatesAt(o, at, zero).status().code(),
            absl::StatusCode::kInvalidArgument);
  const absl::Duration neg[] = {absl::Minutes(-5)};
  EXPECT_EQ(e.BurnRatesAt(o, at, neg).status().code(),
            absl::StatusCode::kInvalidArgument);
  const absl::Duration ok[] = {absl::Minutes(5)};
  EXPECT_EQ(e.BurnRatesAt(9, at, ok).status().code(),
            absl::StatusCode::kNotFound);
}

// Burn-rate counts are the counts of [at - w, at) for every window, however
// many windows (more than fit on the stack), repeated or not, at any `at`
// (before, inside and after the data, on and off hour and day boundaries),
// with late results and several SLIs pooled.
TEST_F(EngineTest, BurnRateCountsEqualQueriesForAnyWindows) {
  Engine e(Options());
  const SliId a = Add(e, Probe("web", "a"));
  const SliId b = Add(e, Probe("web", "b"));
  const SliId c = Add(e, Probe("web", "c"));
  const ObjectiveId o = AddSlo(e, Slo("web", "avail", "30d", 99.5));
  const std::vector<SliId> slis = {a, b, c};
  const absl::Time t0 = kT0 + absl::Minutes(17);
  uint64_t x = 12345;
  auto next = [&x]() {
    x = x * 6364136223846793005u + 1442695040888963407u;
    return x >> 33;
  };
  std::vector<ProbeResult> batch;
  for (int minute = 0; minute < 4 * 1440; ++minute) {
    batch.clear();
    for (SliId id : slis) {
      if (next() % 50 == 0) continue;  // a missing probe
      batch.push_back({id, Ms(t0 + absl::Minutes(minute)) + id * 1000,
                       next() % 40 != 0 && !(minute > 3000 && minute < 3100),
                       1});
      if (next() % 30 == 0 && minute > 200) {  // late, up to 3 h
        batch.push_back({id, Ms(t0 + absl::Minutes(minute - next() % 180)),
                         next() % 2 == 0, 1});
      }
    }
    ASSERT_TRUE(e.Ingest(batch).ok());
  }
  std::vector<absl::Duration> windows;
  for (int m :
       {5, 30,   60,   120,          360,       1440, 4320, 1, 59,  61,
        5, 1439, 1441, 2 * 1440 + 7, 10 * 1440, 17,   60,   3, 720, 90}) {
    windows.push_back(absl::Minutes(m));
  }
  for (absl::Time at :
       {t0 - absl::Hours(1), t0 + absl::Minutes(1), t0 + absl::Hours(30),
        t0 + absl::Hours(48), t0 + absl::Hours(48) + absl::Minutes(59),
        t0 + absl::Minutes(4 * 1440 - 1),
        t0 + absl::Minutes(4 * 1440) + absl::Seconds(30),
        t0 + absl::Hours(24 * 20)}) {
    for (size_t n : {size_t{1}, size_t{6}, size_t{7}, windows.size()}) {
      const absl::Span<const absl::Duration> w(windows.data(), n);
      const BurnRates rates = e.BurnRatesAt(o, at, w).value();
      ASSERT_EQ(rates.counts.size(), n);
      ASSERT_EQ(rates.rates.size(), n);
      for (size_t k = 0; k < n; ++k) {
        const Counts want = e.QuerySum(slis, Interval{at - w[k], at}).value();
        EXPECT_EQ(rates.counts[k], want)
            << TimeToString(at) << " window " << absl::FormatDuration(w[k]);
        // The same rate as the window asked alone.
        const BurnRates alone = e.BurnRatesAt(o, at, {w[k]}).value();
        EXPECT_EQ(rates.rates[k], alone.rates[0]);
        EXPECT_EQ(rates.counts[k], alone.counts[0]);
      }
    }
  }
}

// A window is a whole number of minutes exactly: a nanosecond or a quarter
// of one over is refused. Windows past any data (300 years, infinite) take
// everything before `at`.
TEST_F(EngineTest, BurnRateWindowsMustBeExactlyWholeMinutes) {
  Engine e(Options());
  const SliId s = Add(e, Probe("web", "home"));
  const ObjectiveId o = AddSlo(e, Slo("web", "avail", "30d", 99));
  const absl::Time at = T("2024-01-10T12:00:00Z");
  ASSERT_TRUE(e.Ingest({{s, Ms(at - absl::Hours(30)), false, 1},
                        {s, Ms(at - absl::Minutes(1)), true, 1}})
                  .ok());
  for (absl::Duration bad :
       {absl::Minutes(5) + absl::Nanoseconds(1),
        absl::Minutes(5) + absl::Nanoseconds(0.25),
        absl::Minutes(5) - absl::Nanoseconds(0.25), absl::Seconds(59),
        absl::Hours(24 * 365 * 300) + absl::Seconds(1)}) {
    const absl::Duration w[] = {absl::Minutes(5), bad};
    EXPECT_EQ(e.BurnRatesAt(o, at, w).status().code(),
              absl::StatusCode::kInvalidArgument)
        << absl::FormatDuration(bad);
  }
  const absl::Duration w[] = {absl::Minutes(1), absl::Hours(24 * 365 * 300),
                              absl::InfiniteDuration()};
  const BurnRates b = e.BurnRatesAt(o, at, w).value();
  EXPECT_THAT(b.counts, ElementsAre(C(1, 1), C(1, 2), C(1, 2)));
}

// Objectives are found by id without the registry lock while others are
// declared (past the first 1024-entry chunk of the lookup table).
TEST_F(EngineTest, ObjectivesFoundWhileOthersAreDeclared) {
  Engine e(Options());
  const SliId s = Add(e, Probe("web", "home"));
  const absl::Time at = T("2024-01-10T12:00:00Z");
  ASSERT_TRUE(e.Ingest({{s, Ms(at - absl::Minutes(3)), false, 1},
                        {s, Ms(at - absl::Minutes(2)), true, 1}})
                  .ok());
  constexpr int kObjectives = 2500;
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::thread reader([&] {
    const absl::Duration w[] = {absl::Minutes(5)};
    uint32_t id = 0;
    while (!done.load()) {
      id = (id * 7 + 1) % (kObjectives + 10);
      absl::StatusOr<BurnRates> r = e.BurnRatesAt(id, at, w);
      if (r.ok()) {
        if (r->counts[0].good != 1 || r->counts[0].total != 2) ++bad;
      } else if (!absl::IsNotFound(r.status())) {
        ++bad;
      }
    }
  });
  for (int i = 0; i < kObjectives; ++i) {
    AddSlo(e, Slo("web", "o" + std::to_string(i), "30d", 99));
  }
  done.store(true);
  reader.join();
  EXPECT_EQ(bad.load(), 0);
  const absl::Duration w[] = {absl::Minutes(5)};
  for (ObjectiveId id : {0u, 1023u, 1024u, 2047u, 2048u, 2499u}) {
    EXPECT_THAT(e.BurnRatesAt(id, at, w).value().counts, ElementsAre(C(1, 2)))
        << id;
    EXPECT_EQ(Eval(e, id, at).budget.total, 2) << id;
  }
  EXPECT_TRUE(absl::IsNotFound(e.BurnRatesAt(2500, at, w).status()));
  EXPECT_TRUE(absl::IsNotFound(e.Evaluate(2500, at).status()));
}

// ================================================================ range

// Three days from 2024-01-01. A result exactly at a day boundary counts only
// in the later day.
TEST_F(EngineTest, QueryRangeDailyCounts) {
  Engine e(Options());
  const SliId s = Add(e, Probe("web", "home"));
  const absl::Time d0 = kT0;
  const absl::Time d1 = d0 + absl::Hours(24);
  const absl::Time d2 = d1 + absl::Hours(24);
  const absl::Time d3 = d2 + absl::Hours(24);
  ASSERT_TRUE(e.Ingest({
                           {s, Ms(d0), true, 1},       // day 0
                           {s, Ms(d1) - 1, false, 1},  // day 0
                           {s, Ms(d1), true, 1},       // day 1 only
                           {s, Ms(d1 + absl::Hours(5)), false, 1},  // day 1
                           {s, Ms(d2) + 59'999, true, 1},           // day 2
                           {s, Ms(d2 + absl::Hours(23)), true, 1},  // day 2
                           {s, Ms(d2 + absl::Hours(12)), true, 1},  // day 2
                           {s, Ms(d3), false, 1},      // after the range
                           {s, Ms(d0) - 1, false, 1},  // before the range
                       })
                  .ok());
  absl::StatusOr<std::vector<Counts>> r =
      e.QueryRange({s}, d0, absl::Hours(24), 3);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(*r, ElementsAre(C(1, 2), C(1, 2), C(3, 3)));
  // Hourly over the boundary: [d1 - 1h, d1) holds d1 - 1 ms; [d1, d1 + 1h)
  // holds d1.
  r = e.QueryRange({s}, d1 - absl::Hours(1), absl::Hours(1), 2);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(*r, ElementsAre(C(0, 1), C(1, 1)));
  // Zero steps: empty.
  r = e.QueryRange({s}, d0, absl::Hours(24), 0);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
  // Bad arguments.
  EXPECT_EQ(e.QueryRange({s}, d0, absl::Seconds(90), 3).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(e.QueryRange({s}, d0, absl::ZeroDuration(), 3).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(e.QueryRange({s}, d0, absl::Hours(1), -1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(e.QueryRange({s, 5}, d0, absl::Hours(1), 1).status().code(),
            absl::StatusCode::kNotFound);
}

// Many steps (more than a burn-rate call's windows) equal one query each.
TEST_F(EngineTest, QueryRangeStepsEqualQueries) {
  Engine e(Options());
  const SliId s = Add(e, Probe("web", "home"));
  const SliId t = Add(e, Probe("web", "api"));
  std::vector<ProbeResult> batch;
  for (int minute = 0; minute < 3000; ++minute) {
    batch.push_back({s, Ms(kT0 + absl::Minutes(minute)), minute % 13 != 0, 1});
    if (minute % 3 == 0) {
      batch.push_back({t, Ms(kT0 + absl::Minutes(minute)), minute % 7 != 0, 1});
    }
  }
  ASSERT_TRUE(e.Ingest(batch).ok());
  const absl::Time from = kT0 - absl::Minutes(100);
  const absl::Duration step = absl::Minutes(37);
  const std::vector<Counts> r = e.QueryRange({s, t}, from, step, 90).value();
  ASSERT_EQ(r.size(), 90u);
  for (int i = 0; i < 90; ++i) {
    EXPECT_EQ(r[i], e.QuerySum({s, t},
                               Interval{from + i * step, from + (i + 1) * step})
                        .value())
        << i;
  }
}

// ================================================================ shards

// Results must not depend on the shard count (1 takes a separate path; 3 is
// rounded up to 4; 5000 is capped).
class ShardCountTest : public EngineTest,
                       public ::testing::WithParamInterface<int> {};

TEST_P(ShardCountTest, SameCountsForAnyShardCount) {
  EngineOptions options = Options();
  options.shards = GetParam();
  Engine e(options);
  const absl::Time t = T("2024-01-10T00:00:00Z");
  // 37 SLIs, all results in one interleaved batch: SLI k gets k+1 results
  // (rounds 0..k), the first k/2 of them failed.
  std::vector<SliId> ids;
  for (int k = 0; k < 37; ++k) {
    ids.push_back(Add(e, Probe("svc", "p" + std::to_string(100 + k))));
  }
  std::vector<ProbeResult> batch;
  for (int round = 0; round < 37; ++round) {
    for (int k = round; k < 37; ++k) {
      // SLI k is visited k+1 times (rounds 0..k); fails in rounds < k/2.
      batch.push_back(
          {ids[k], Ms(t + absl::Minutes(round)), round >= k / 2, 1});
    }
  }
  ASSERT_TRUE(e.Ingest(batch).ok());
  int64_t all_good = 0, all_total = 0;
  for (int k = 0; k < 37; ++k) {
    // total k+1, good (k+1) - k/2.
    const Counts want = C(k + 1 - k / 2, k + 1);
    EXPECT_EQ(Q(e, ids[k], t, t + absl::Hours(1)), want) << k;
    all_good += want.good;
    all_total += want.total;
  }
  // total = sum(k+1) = 37*38/2 = 703; good = 703 - sum(k/2) = 703 - 324 =
  // 379.
  EXPECT_EQ(all_total, 703);
  EXPECT_EQ(all_good, 379);
  EXPECT_EQ(e.QuerySum(ids, Interval{t, t + absl::Hours(1)}).value(),
            C(379, 703));
}

INSTANTIATE_TEST_SUITE_P(Shards, ShardCountTest,
                         ::testing::Values(1, 2, 3, 16, 5000));

// ================================================================ threads

// 4 threads each ingest 20,000 results in batches of 50, into their own SLI
// and two shared ones, while 2 threads query. At the end every total equals
// what was sent.
TEST_F(EngineTest, ConcurrentIngestAndQuery) {
  clock_.Set(T("2024-01-12T00:00:00Z"));
  Engine e(Options());
  const absl::Time t0 = T("2024-01-10T00:00:00Z");
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20'000;
  constexpr int kBatch = 50;
  std::vector<SliId> own, shared;
  for (int i = 0; i < kThreads; ++i) {
    own.push_back(Add(e, Probe("svc", "own" + std::to_string(i))));
  }
  shared.push_back(Add(e, Probe("svc", "shared0")));
  shared.push_back(Add(e, Probe("svc", "shared1")));
  const ObjectiveId o = AddSlo(e, Slo("svc", "avail", "7d", 99));
  const ObjectiveId ts =
      AddSlo(e, Slo("svc", "ts", "1d", 99, BudgetingMethod::kTimeslices));

  // Deterministic workload: record i of thread t.
  auto make = [&](int t, int i) {
    ProbeResult r;
    const int pick = i % 4;
    r.sli = pick < 2 ? own[t] : shared[pick - 2];
    // Spread over 12 hours, not in time order: hours get sealed and then
    // receive late results while other threads ingest.
    r.unix_ms =
        Ms(t0) + int64_t{(i * 37 + t * 101) % 720} * kMinuteMs + (i % 997);
    r.ok = (i + t) % 5 != 0;
    r.latency_ms = 1;
    return r;
  };
  // Expected counts per SLI id.
  std::vector<Counts> want(shared.back() + 1);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      const ProbeResult r = make(t, i);
      want[r.sli] += Counts{r.ok ? 1 : 0, 1};
    }
  }
  std::vector<SliId> all = own;
  all.insert(all.end(), shared.begin(), shared.end());

  std::atomic<int> ingesting{kThreads};
  std::atomic<int> failures{0};
  std::atomic<int> query_errors{0};
  const Interval everything{t0 - absl::Hours(1), t0 + absl::Hours(24)};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<ProbeResult> batch;
      for (int i = 0; i < kPerThread; ++i) {
        batch.push_back(make(t, i));
        if (batch.size() == kBatch) {
          if (!e.Ingest(batch).ok()) failures.fetch_add(1);
          batch.clear();
        }
      }
      if (!batch.empty() && !e.Ingest(batch).ok()) failures.fetch_add(1);
      ingesting.fetch_sub(1);
    });
  }
  for (int q = 0; q < 2; ++q) {
    threads.emplace_back([&, q] {
      int64_t last_total = 0;
      while (ingesting.load() > 0) {
        absl::StatusOr<Counts> c = e.QuerySum(all, everything);
        if (!c.ok() || c->total < last_total || c->good > c->total ||
            c->total > kThreads * kPerThread) {
          query_errors.fetch_add(1);
        } else {
          last_total = c->total;
        }
        if (q == 0) {
          const absl::Duration w[] = {absl::Minutes(5), absl::Hours(1)};
          if (!e.BurnRatesAt(o, t0 + absl::Hours(6), w).ok()) {
            query_errors.fetch_add(1);
          }
          if (!e.Evaluate(ts, t0 + absl::Hours(12)).ok()) {
            query_errors.fetch_add(1);
          }
        } else {
          if (!e.Evaluate(o, t0 + absl::Hours(12)).ok()) {
            query_errors.fetch_add(1);
          }
          (void)e.MemoryUsage();
          (void)e.newest();
          if (!e.QueryRange(all, t0, absl::Hours(1), 12).ok()) {
            query_errors.fetch_add(1);
          }
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(query_errors.load(), 0);
  int64_t good = 0, total = 0;
  for (SliId id : all) {
    EXPECT_EQ(e.Query(id, everything).value(), want[id]) << id;
    good += want[id].good;
    total += want[id].total;
  }
  // 4 * 20000 = 80000 results; own SLIs get half of each thread's, shared
  // ones a quarter each.
  EXPECT_EQ(total, 80'000);
  EXPECT_EQ(want[own[0]].total, 10'000);
  EXPECT_EQ(want[shared[0]].total, 20'000);
  EXPECT_EQ(e.QuerySum(all, everything).value(), C(good, total));
  // The same through an objective: everything is within [t0 - 7d + 12h,
  // t0 + 12h) evaluated at t0 + 12 h (data spans 12 hours).
  ObjectiveStatus st = Eval(e, o, t0 + absl::Hours(12));
  EXPECT_EQ(st.budget.total, 80'000);
  EXPECT_EQ(st.budget.good, good);
}

// Event counts and probe results ingested concurrently (IngestEvents locks
// every shard; Ingest one at a time).
TEST_F(EngineTest, ConcurrentEventsAndProbes) {
  clock_.Set(T("2024-01-12T00:00:00Z"));
  Engine e(Options());
  const absl::Time t0 = T("2024-01-10T00:00:00Z");
  const SliId p = Add(e, Probe("svc", "probe"));
  const SliId ev = Add(e, Events("svc", "events"));
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const int64_t ms = Ms(t0) + int64_t{(i * 7 + t) % 600} * kMinuteMs;
        if (!e.Ingest({{p, ms, i % 3 != 0, 1}}).ok()) failures.fetch_add(1);
      }
    });
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const int64_t ms = Ms(t0) + int64_t{(i * 11 + t) % 600} * kMinuteMs;
        if (!e.IngestEvents({{ev, ms, 2, 3}}).ok()) failures.fetch_add(1);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  const Interval all{t0, t0 + absl::Hours(10)};
  // Probes: 2 * 2000 = 4000 results; i % 3 == 0 fails for 667 of each
  // thread's 2000 (i = 0, 3, ..., 1998): good 2 * 1333 = 2666.
  EXPECT_EQ(e.Query(p, all).value(), C(2666, 4000));
  // Events: 4000 records of {2, 3}.
  EXPECT_EQ(e.Query(ev, all).value(), C(8000, 12000));
}

// ================================================================ memory

TEST_F(EngineTest, RetentionDropsOldMinutes) {
  clock_.Set(T("2024-03-01T00:00:00Z"));
  Engine e(Options());
  const SliId s = Add(e, Probe("web", "home"));
  const absl::Time t = T("2024-01-10T00:00:00Z");
  std::vector<ProbeResult> batch;
  for (int m = 0; m < 120; ++m) {
    batch.push_back({s, Ms(t + absl::Minutes(m)), m % 2 == 0, 1});
  }
  ASSERT_TRUE(e.Ingest(batch).ok());
  EXPECT_EQ(Q(e, s, t, t + absl::Hours(2)), C(60, 120));
  // 36 days later: the old hours are gone.
  const absl::Time later = t + absl::Hours(24 * 36);
  ASSERT_TRUE(e.Ingest({{s, Ms(later), true, 1}}).ok());
  EXPECT_EQ(Q(e, s, t, t + absl::Hours(2)), C(0, 0));
  EXPECT_EQ(Q(e, s, t - absl::Hours(24), later + absl::Minutes(1)), C(1, 1));
  // And old data cannot come back.
  EXPECT_EQ(e.Ingest({{s, Ms(t), true, 1}}).code(),
            absl::StatusCode::kOutOfRange);
}

// Hours become flat once well behind the newest data, also for an SLI whose
// results arrive late. Probe b runs 90 minutes behind probe a (one result per
// minute each, never failing, one Ingest per result): after 3 days the
// engine must hold about as much memory as when both are in step.
TEST_F(EngineTest, LaggingSliHoursAreSealedFlat) {
  clock_.Set(T("2030-01-01T00:00:00Z"));
  auto run = [&](int lag_minutes) {
    Engine e(Options());
    const SliId a = Add(e, Probe("web", "a"));
    const SliId b = Add(e, Probe("web", "b"));
    for (int k = 0; k < 3 * 1440; ++k) {
      EXPECT_TRUE(e.Ingest({{a, Ms(kT0 + absl::Minutes(k)), true, 1}}).ok());
      if (k >= lag_minutes) {
        EXPECT_TRUE(
            e.Ingest({{b, Ms(kT0 + absl::Minutes(k - lag_minutes)), true, 1}})
                .ok());
      }
    }
    // Exact either way: b has 4320 - lag results.
    EXPECT_EQ(Q(e, b, kT0, kT0 + absl::Hours(72)),
              C(4320 - lag_minutes, 4320 - lag_minutes));
    return e.MemoryUsage();
  };
  const size_t in_step = run(0);
  const size_t lagging = run(90);
  EXPECT_LE(lagging, in_step + in_step / 10)
      << "in step: " << in_step << " bytes, b 90 min late: " << lagging
      << " bytes (b's hours are never made flat)";
}

// 100 days of one result per minute (hourly batches) with 35-day retention:
// memory at day 100 is within 10% of memory at day 40.
TEST_F(EngineTest, MemoryBoundedByRetention) {
  clock_.Set(T("2030-01-01T00:00:00Z"));
  Engine e(Options());
  const SliId s = Add(e, Probe("web", "home"));
  const SliId s2 = Add(e, Probe("web", "other"));
  const absl::Time t0 = kT0;
  size_t at_day_40 = 0;
  std::vector<ProbeResult> batch;
  for (int hour = 0; hour < 100 * 24; ++hour) {
    batch.clear();
    for (int m = 0; m < 60; ++m) {
      const int64_t k = int64_t{hour} * 60 + m;
      // Roughly one failure every 97 minutes keeps some hours non-flat.
      batch.push_back({s, Ms(t0 + absl::Minutes(k)), k % 97 != 0, 1});
      batch.push_back({s2, Ms(t0 + absl::Minutes(k)), true, 1});
    }
    ASSERT_TRUE(e.Ingest(batch).ok());
    if (hour == 40 * 24 - 1) at_day_40 = e.MemoryUsage();
  }
  const size_t at_day_100 = e.MemoryUsage();
  ASSERT_GT(at_day_40, 0u);
  EXPECT_LE(at_day_100, at_day_40 + at_day_40 / 10)
      << "day 40: " << at_day_40 << " bytes, day 100: " << at_day_100;
  EXPECT_GE(at_day_100, at_day_40 - at_day_40 / 10)
      << "day 40: " << at_day_40 << " bytes, day 100: " << at_day_100;
  // Still exact within the retention: the last 24 h of s2 = 1440 good.
  const absl::Time end = t0 + absl::Hours(24 * 100);
  EXPECT_EQ(Q(e, s2, end - absl::Hours(24), end), C(1440, 1440));
  // And nothing before the horizon's hour.
  EXPECT_EQ(Q(e, s2, t0, end - absl::Hours(24 * 36)), C(0, 0));
}

}  // namespace
}  // namespace sla
