// Exact-value tests of sla::internal::MinuteSeries, the per-minute
// {good, total} store behind every SLI. Each expected value carries its hand
// computation; a few randomised tests compare against a plain std::map model.

#include "sla/internal/minute_series.h"

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sla {
namespace internal {

// gtest prints MinuteCounts as {good, total} in failure messages.
inline bool operator==(const MinuteCounts& a, const MinuteCounts& b) {
  return a.good == b.good && a.total == b.total;
}
inline void PrintTo(const MinuteCounts& c, std::ostream* os) {
  *os << "{good=" << c.good << ", total=" << c.total << "}";
}

namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

using Visit = std::tuple<int64_t, uint64_t, uint64_t>;

MinuteCounts MC(uint64_t good, uint64_t total) { return {good, total}; }

std::vector<Visit> Visits(const MinuteSeries& s, int64_t from, int64_t to) {
  std::vector<Visit> out;
  s.ForEachMinute(from, to, [&](int64_t m, uint64_t g, uint64_t t) {
    out.emplace_back(m, g, t);
  });
  return out;
}

// A plain model: minute -> counts.
class Model {
 public:
  void Add(int64_t minute, uint32_t good, uint32_t total) {
    auto& c = m_[minute];
    c.first += good;
    c.second += total;
  }
  MinuteCounts Sum(int64_t from, int64_t to) const {
    MinuteCounts c;
    for (auto it = m_.lower_bound(from); it != m_.end() && it->first < to;
         ++it) {
      c.good += it->second.first;
      c.total += it->second.second;
    }
    return c;
  }
  std::vector<Visit> Visits(int64_t from, int64_t to) const {
    std::vector<Visit> out;
    for (auto it = m_.lower_bound(from); it != m_.end() && it->first < to;
         ++it) {
      if (it->second.second > 0) {
        out.emplace_back(it->first, it->second.first, it->second.second);
      }
    }
    return out;
  }
  void DropHoursBefore(int64_t end_hour) {
    // Hours < end_hour: minutes < end_hour * 60.
    m_.erase(m_.begin(), m_.lower_bound(end_hour * 60));
  }

 private:
  std::map<int64_t, std::pair<uint64_t, uint64_t>> m_;
};

// Hour 100 starts at minute 6000. Using a non-zero base catches code that
// confuses slot indexes with hour indexes.
constexpr int64_t kH = 100 * 60;

// ---------------------------------------------------------------- empty

TEST(MinuteSeriesTest, EmptySeriesSumsToZeroEverywhere) {
  MinuteSeries s;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.Sum(0, 60), MC(0, 0));
  EXPECT_EQ(s.Sum(-1000, 1000), MC(0, 0));
  EXPECT_EQ(s.Sum(INT64_MIN / 2, INT64_MAX / 2), MC(0, 0));
  EXPECT_THAT(Visits(s, -1000, 1000), IsEmpty());
  EXPECT_EQ(s.Headroom(0), MinuteSeries::kMaxMinuteCount);
  // Seal and DropBefore on an empty series are no-ops.
  s.Seal(1000);
  s.DropBefore(1000);
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.Sum(0, 2000), MC(0, 0));
}

TEST(MinuteSeriesTest, EmptyAndReversedRangesSumToZero) {
  MinuteSeries s;
  s.Add(kH + 10, 1, 2);
  // from == to: empty, even on the minute holding data.
  EXPECT_EQ(s.Sum(kH + 10, kH + 10), MC(0, 0));
  // from > to: empty.
  EXPECT_EQ(s.Sum(kH + 11, kH + 10), MC(0, 0));
  EXPECT_EQ(s.Sum(kH + 60, kH), MC(0, 0));
  EXPECT_THAT(Visits(s, kH + 11, kH + 10), IsEmpty());
  EXPECT_THAT(Visits(s, kH + 10, kH + 10), IsEmpty());
  // Ranges entirely before or after the data.
  EXPECT_EQ(s.Sum(0, kH), MC(0, 0));
  EXPECT_EQ(s.Sum(kH + 60, kH + 600), MC(0, 0));
  EXPECT_THAT(Visits(s, kH + 60, kH + 600), IsEmpty());
}

// ---------------------------------------------------------------- bounds

TEST(MinuteSeriesTest, SingleMinuteHalfOpenBounds) {
  MinuteSeries s;
  s.Add(kH + 10, 1, 2);
  s.Add(kH + 10, 0, 3);  // the same minute accumulates: {1, 5}
  EXPECT_FALSE(s.empty());
  // [m, m+1) holds it.
  EXPECT_EQ(s.Sum(kH + 10, kH + 11), MC(1, 5));
  // [m-1, m) does not (to is exclusive).
  EXPECT_EQ(s.Sum(kH + 9, kH + 10), MC(0, 0));
  // [m+1, m+2) does not.
  EXPECT_EQ(s.Sum(kH + 11, kH + 12), MC(0, 0));
  // from inclusive: [m, m+50) holds it.
  EXPECT_EQ(s.Sum(kH + 10, kH + 50), MC(1, 5));
  // Whole hour and wider.
  EXPECT_EQ(s.Sum(kH, kH + 60), MC(1, 5));
  EXPECT_EQ(s.Sum(0, kH * 2), MC(1, 5));
}

TEST(MinuteSeriesTest, HourBoundariesAreHalfOpen) {
  MinuteSeries s;
  // Last minute of hour 100 and first minute of hour 101.
  s.Add(kH + 59, 1, 1);
  s.Add(kH + 60, 0, 10);
  EXPECT_EQ(s.Sum(kH, kH + 59), MC(0, 0));        // stops before minute 59
  EXPECT_EQ(s.Sum(kH, kH + 60), MC(1, 1));        // hour 100 only
  EXPECT_EQ(s.Sum(kH + 60, kH + 61), MC(0, 10));  // hour 101's first minute
  EXPECT_EQ(s.Sum(kH + 59, kH + 61), MC(1, 11));  // straddles: 1+0, 1+10
  EXPECT_EQ(s.Sum(kH + 60, kH + 120), MC(0, 10));
}

// Every minute of hours 100..102 (180 minutes, offsets k = 0..179) holds
// total 1 and good 1 when k is even. Partial hours at both ends.
TEST(MinuteSeriesTest, SumOverPartialHoursAtBothEnds) {
  MinuteSeries s;
  for (int k = 0; k < 180; ++k) s.Add(kH + k, k % 2 == 0 ? 1 : 0, 1);
  // All: 180 minutes, 90 even offsets.
  EXPECT_EQ(s.Sum(kH, kH + 180), MC(90, 180));
  // [k=10, k=170): 160 minutes, even offsets 10,12,..,168 = 80.
  EXPECT_EQ(s.Sum(kH + 10, kH + 170), MC(80, 160));
  // [k=11, k=170): 159 minutes, even offsets 12..168 = 79.
  EXPECT_EQ(s.Sum(kH + 11, kH + 170), MC(79, 159));
  // [k=59, k=61): offsets 59 (odd) and 60 (even): {1, 2}.
  EXPECT_EQ(s.Sum(kH + 59, kH + 61), MC(1, 2));
  // Within one hour: [k=65, k=75): 10 minutes, even 66..74 = 5.
  EXPECT_EQ(s.Sum(kH + 65, kH + 75), MC(5, 10));
  // One whole middle hour: [60, 120): 60 minutes, 30 even.
  EXPECT_EQ(s.Sum(kH + 60, kH + 120), MC(30, 60));
  // Ranges reaching outside the data are clipped: [k=-100, k=31): offsets
  // 0..30 = 31 minutes, even 0..30 = 16.
  EXPECT_EQ(s.Sum(kH - 100, kH + 31), MC(16, 31));
  // [k=150, k=1000): offsets 150..179 = 30 minutes, even 150..178 = 15.
  EXPECT_EQ(s.Sum(kH + 150, kH + 1000), MC(15, 30));
}

// Three days and a bit of one-per-minute data, total 1 each; the first
// minute of every hour is bad. Sums over multi-day ranges with partial
// hours at both ends.
TEST(MinuteSeriesTest, SumOverMultiDayRanges) {
  constexpr int64_t kDay = 24 * 60;
  const int64_t d0 = 19723 * kDay;  // 2024-01-01T00:00Z in minutes
  MinuteSeries s;
  for (int64_t k = 0; k < 3 * kDay + 90; ++k) {
    s.Add(d0 + k, k % 60 == 0 ? 0 : 1, 1);
  }
  // [d0, d0 + 3 days): 4320 minutes, 72 hour starts bad -> good 4248.
  EXPECT_EQ(s.Sum(d0, d0 + 3 * kDay), MC(4248, 4320));
  // [d0 + 90, d0 + 2 days + 30): 2880 - 60 = 2820 minutes. Hour starts in
  // range: k = 120, 180, ..., 2880 (k=2880 < 2910): (2880-120)/60 + 1 = 47.
  // good = 2820 - 47 = 2773.
  EXPECT_EQ(s.Sum(d0 + 90, d0 + 2 * kDay + 30), MC(2773, 2820));
  // Everything: 3*1440 + 90 = 4410 minutes; hour starts at k = 0..4380 step
  // 60: 74 -> good 4336.
  EXPECT_EQ(s.Sum(d0 - kDay, d0 + 5 * kDay), MC(4336, 4410));
  // [d0 + 1 day + 1, d0 + 1 day + 60): 59 minutes, no hour start: all good.
  EXPECT_EQ(s.Sum(d0 + kDay + 1, d0 + kDay + 60), MC(59, 59));
}

TEST(MinuteSeriesTest, HourSumsDoNotOverflow32Bits) {
  MinuteSeries s;
  constexpr uint32_t kMax = UINT32_MAX;
  for (int k = 0; k < 60; ++k) s.Add(kH + k, kMax, kMax);
  s.Add(kH + 60, 1, kMax);
  // 60 * (2^32 - 1) = 257698037700 for good and total in hour 100.
  EXPECT_EQ(s.Sum(kH, kH + 60), MC(257698037700u, 257698037700u));
  // Across hours 100 and 101 (middle-hour path not used; head + tail).
  EXPECT_EQ(s.Sum(kH, kH + 61), MC(257698037701u, 257698037700u + kMax));
  // With a minute in hour 99, [kH-1, kH+61) has hour 99 as head, hour 100
  // as a whole middle hour and hour 101 as tail.
  s.Add(kH - 1, 0, 1);
  EXPECT_EQ(s.Sum(kH - 1, kH + 61),
            MC(257698037701u, 257698037700u + kMax + 1));
}

// ---------------------------------------------------------------- order

// The same data added hour by hour backwards (each Add growing the front)
// and in a scrambled order gives the same sums as in order.
TEST(MinuteSeriesTest, OutOfOrderAddsGiveSameSums) {
  // Minute offsets 0..299 (hours 100..104); good = k % 3 != 0, total = 2
  // when k % 7 == 0 else 1.
  auto good = [](int k) { return static_cast<uint32_t>(k % 3 != 0); };
  auto total = [](int k) { return static_cast<uint32_t>(k % 7 == 0 ? 2 : 1); };
  MinuteSeries in_order, backwards, scrambled;
  for (int k = 0; k < 300; ++k) in_order.Add(kH + k, good(k), total(k));
  for (int h = 4; h >= 0; --h) {
    for (int m = 0; m < 60; ++m) {
      const int k = h * 60 + m;
      backwards.Add(kH + k, good(k), total(k));
    }
  }
  // Middle hour first, then the last, then the first, and so on.
  for (int h : {2, 4, 0, 3, 1}) {
    for (int m = 59; m >= 0; --m) {
      const int k = h * 60 + m;
      scrambled.Add(kH + k, good(k), total(k));
    }
  }
  // Hand count over all 300: good = 300 - 100 (k % 3 == 0) = 200; total =
  // 300 + 43 (k % 7 == 0 for k = 0..294: 43 values) = 343.
  EXPECT_EQ(in_order.Sum(kH, kH + 300), MC(200, 343));
  EXPECT_EQ(backwards.Sum(kH, kH + 300), MC(200, 343));
  EXPECT_EQ(scrambled.Sum(kH, kH + 300), MC(200, 343));
  for (int from = -5; from < 305; from += 7) {
    for (int to = from; to < 310; to += 11) {
      const MinuteCounts want = in_order.Sum(kH + from, kH + to);
      EXPECT_EQ(backwards.Sum(kH + from, kH + to), want) << from << " " << to;
      EXPECT_EQ(scrambled.Sum(kH + from, kH + to), want) << from << " " << to;
    }
  }
  EXPECT_EQ(Visits(backwards, kH - 10, kH + 400),
            Visits(in_order, kH - 10, kH + 400));
  EXPECT_EQ(Visits(scrambled, kH - 10, kH + 400),
            Visits(in_order, kH - 10, kH + 400));
}

TEST(MinuteSeriesTest, GrowingTheFrontAcrossAGapKeepsLaterHours) {
  MinuteSeries s;
  s.Add(kH + 600, 1, 1);  // hour 110
  s.Add(kH + 5, 0, 1);    // hour 100: the front grows by 10 hours
  s.Add(kH - 55, 1, 3);   // hour 99
  EXPECT_EQ(s.Sum(kH + 600, kH + 601), MC(1, 1));
  EXPECT_EQ(s.Sum(kH + 5, kH + 6), MC(0, 1));
  EXPECT_EQ(s.Sum(kH - 55, kH - 54), MC(1, 3));
  // The 9 empty hours between are zero.
  EXPECT_EQ(s.Sum(kH + 60, kH + 600), MC(0, 0));
  // Total: {1+0+1, 1+1+3}.
  EXPECT_EQ(s.Sum(kH - 60, kH + 660), MC(2, 5));
  EXPECT_THAT(Visits(s, 0, kH * 2),
              ElementsAre(Visit{kH - 55, 1, 3}, Visit{kH + 5, 0, 1},
                          Visit{kH + 600, 1, 1}));
}

// ---------------------------------------------------------------- seal

TEST(MinuteSeriesTest, SealKeepsSumsAndMakesUniformHoursFlat) {
  MinuteSeries s;
  // Hour 100: uniform {1, 2} every minute. Hour 101: uniform except minute
  // 30 = {0, 2}. Hour 102: a single minute.
  for (int m = 0; m < 60; ++m) s.Add(kH + m, 1, 2);
  for (int m = 0; m < 60; ++m) s.Add(kH + 60 + m, m == 30 ? 0 : 1, 2);
  s.Add(kH + 125, 1, 1);
  std::vector<MinuteCounts> before;
  for (int from = -3; from < 190; from += 5) {
    for (int to = from; to < 190; to += 13) {
      before.push_back(s.Sum(kH + from, kH + to));
    }
  }
  const std::vector<Visit> visits_before = Visits(s, kH - 60, kH + 240);
  // Seal everything ending at or before hour 102's start.
  s.Seal(kH + 120);
  size_t idx = 0;
  for (int from = -3; from < 190; from += 5) {
    for (int to = from; to < 190; to += 13) {
      EXPECT_EQ(s.Sum(kH + from, kH + to), before[idx++]) << from << " " << to;
    }
  }
  EXPECT_EQ(Visits(s, kH - 60, kH + 240), visits_before);
  // Hand values: hour 100 = {60, 120}; partial [kH+10, kH+20) of the flat
  // hour = 10 * {1, 2} = {10, 20}; hour 101 = {59, 120}.
  EXPECT_EQ(s.Sum(kH, kH + 60), MC(60, 120));
  EXPECT_EQ(s.Sum(kH + 10, kH + 20), MC(10, 20));
  EXPECT_EQ(s.Sum(kH + 59, kH + 61), MC(2, 4));
  EXPECT_EQ(s.Sum(kH + 60, kH + 120), MC(59, 120));
  EXPECT_EQ(s.Sum(kH, kH + 180), MC(120, 241));
}

// Sealing frees the block of a uniform hour: the next hour that needs a block
// reuses it, so memory does not grow.
TEST(MinuteSeriesTest, SealedBlocksAreReused) {
  MinuteSeries s;
  for (int m = 0; m < 60; ++m) s.Add(kH + m, 1, 1);  // hour 100 uniform
  s.Add(kH + 3 * 60 + 7, 1, 1);                      // hour 103: one minute
  // Two blocks (hours 100 and 103); the hour arrays hold 4 slots.
  MinuteSeries unsealed = s;  // control: same data, never sealed
  s.Seal(kH + 120);           // hours 100 and 101 end by then; 100 is uniform
  const size_t after_seal = s.MemoryUsage();
  // Hour 101 needs a block now: it must reuse the freed one, so the bytes
  // held do not change.
  s.Add(kH + 60 + 5, 0, 1);
  EXPECT_EQ(s.MemoryUsage(), after_seal);
  // Without the seal the same add needs a third block: memory grows. This
  // shows the check above can fail.
  const size_t unsealed_before = unsealed.MemoryUsage();
  unsealed.Add(kH + 60 + 5, 0, 1);
  EXPECT_GT(unsealed.MemoryUsage(), unsealed_before);
  // Sums agree either way: hour 101 = {0, 1}.
  EXPECT_EQ(s.Sum(kH, kH + 240), unsealed.Sum(kH, kH + 240));
  EXPECT_EQ(s.Sum(kH, kH + 240), MC(61, 62));
  // And a late add into the flat hour 100 materialises it again; it needs a
  // block, one more than before: usage may grow but sums must be right.
  s.Add(kH + 5, 0, 1);
  EXPECT_EQ(s.Sum(kH, kH + 60), MC(60, 61));
  EXPECT_EQ(s.Sum(kH + 60, kH + 120), MC(0, 1));
}

TEST(MinuteSeriesTest, LateAddIntoSealedFlatHour) {
  MinuteSeries s;
  for (int m = 0; m < 60; ++m) s.Add(kH + m, 1, 1);
  for (int m = 0; m < 60; ++m) s.Add(kH + 60 + m, 1, 1);
  s.Seal(kH + 120);  // both hours flat {1, 1} per minute
  EXPECT_EQ(s.Headroom(kH + 5), MinuteSeries::kMaxMinuteCount - 1);
  // Late result: minute 5 of hour 100 gets {0, 1} more -> {1, 2}.
  s.Add(kH + 5, 0, 1);
  EXPECT_EQ(s.Sum(kH + 5, kH + 6), MC(1, 2));
  EXPECT_EQ(s.Sum(kH + 4, kH + 5), MC(1, 1));
  EXPECT_EQ(s.Sum(kH + 6, kH + 60), MC(54, 54));  // 54 untouched minutes
  EXPECT_EQ(s.Sum(kH, kH + 60), MC(60, 61));
  EXPECT_EQ(s.Sum(kH, kH + 120), MC(120, 121));
  EXPECT_EQ(s.Headroom(kH + 5), MinuteSeries::kMaxMinuteCount - 2);
  std::vector<Visit> v = Visits(s, kH, kH + 60);
  ASSERT_EQ(v.size(), 60u);
  EXPECT_EQ(v[4], (Visit{kH + 4, 1, 1}));
  EXPECT_EQ(v[5], (Visit{kH + 5, 1, 2}));
  EXPECT_EQ(v[59], (Visit{kH + 59, 1, 1}));
  // Sealing again (it is no longer uniform) keeps the sums.
  s.Seal(kH + 240);
  EXPECT_EQ(s.Sum(kH, kH + 60), MC(60, 61));
  EXPECT_EQ(s.Sum(kH + 5, kH + 6), MC(1, 2));
}

// Seal's contract: "makes every hour that ends at or before `minute` flat if
// it can be". An hour that was scanned by an earlier Seal while still partly
// filled (a lagging or late series) and is uniform by the next Seal must be
// made flat then; its block is then free for the next hour that needs one.
TEST(MinuteSeriesTest, SealFlattensHourCompletedAfterAnEarlierSeal) {
  MinuteSeries s;
  s.Add(kH + 180, 1, 1);                             // hour 103: a block
  for (int m = 0; m < 30; ++m) s.Add(kH + m, 1, 1);  // hour 100: half filled
  s.Seal(kH + 120);  // hour 100 has ended; not uniform yet (30 x {0, 0})
  for (int m = 30; m < 60; ++m) s.Add(kH + m, 1, 1);  // now 60 x {1, 1}
  s.Seal(kH + 180);  // hour 100 can be flat now
  const size_t sealed = s.MemoryUsage();
  // Hour 102 needs a block: the one hour 100 no longer needs.
  s.Add(kH + 125, 0, 1);
  EXPECT_EQ(s.MemoryUsage(), sealed)
      << "hour 100 was not made flat by the second Seal";
  EXPECT_EQ(s.Sum(kH, kH + 60), MC(60, 60));
  EXPECT_EQ(s.Sum(kH, kH + 240), MC(61, 62));
}

// Likewise an hour that was flat, received late data after its seal and is
// uniform again by the next Seal must be made flat again. Here a sealed flat
// hour gets one late {1, 1} in every minute.
TEST(MinuteSeriesTest, SealReflattensHourUniformAgainAfterLateData) {
  MinuteSeries s;
  s.Add(kH + 180, 1, 1);                             // hour 103: a block
  for (int m = 0; m < 60; ++m) s.Add(kH + m, 1, 1);  // hour 100 uniform
  s.Seal(kH + 120);                                  // flat
  for (int m = 0; m < 60; ++m) s.Add(kH + m, 1, 1);  // late: 60 x {2, 2}
  s.Seal(kH + 180);
  const size_t sealed = s.MemoryUsage();
  s.Add(kH + 125, 0, 1);  // hour 102 needs a block
  EXPECT_EQ(s.MemoryUsage(), sealed)
      << "hour 100 was not made flat again by the second Seal";
  EXPECT_EQ(s.Sum(kH, kH + 60), MC(120, 120));
  EXPECT_EQ(s.Sum(kH + 10, kH + 11), MC(2, 2));
}

TEST(MinuteSeriesTest, SealDoesNotFlattenHoursNotYetEnded) {
  MinuteSeries s;
  for (int m = 0; m < 60; ++m) s.Add(kH + m, 1, 1);
  // Hour 100 ends at kH + 60; sealing at kH + 59 must not touch it (a later
  // add into minute 59 must still be exact either way, so check sums).
  s.Seal(kH + 59);
  s.Add(kH + 59, 1, 1);
  EXPECT_EQ(s.Sum(kH + 59, kH + 60), MC(2, 2));
  EXPECT_EQ(s.Sum(kH, kH + 60), MC(61, 61));
}

// ---------------------------------------------------------------- drop

TEST(MinuteSeriesTest, DropBeforeForgetsExactlyTheEndedHours) {
  // One {1, 1} per minute over hours 100..104.
  auto make = [] {
    MinuteSeries s;
    for (int k = 0; k < 300; ++k) s.Add(kH + k, 1, 1);
    return s;
  };
  {
    MinuteSeries s = make();
    // Minute kH + 150 is inside hour 102: hours 100 and 101 end at or before
    // it (kH+60, kH+120) and are forgotten; hour 102 ends at kH+180: kept.
    s.DropBefore(kH + 150);
    EXPECT_EQ(s.Sum(kH, kH + 120), MC(0, 0));
    EXPECT_EQ(s.Sum(kH + 120, kH + 300), MC(180, 180));
    EXPECT_EQ(s.Sum(0, kH * 2), MC(180, 180));
  }
  {
    MinuteSeries s = make();
    // Exactly at an hour boundary: hour 101 ends at kH + 120: dropped.
    s.DropBefore(kH + 120);
    EXPECT_EQ(s.Sum(0, kH * 2), MC(180, 180));
    EXPECT_EQ(s.Sum(kH + 119, kH + 121), MC(1, 1));
  }
  {
    MinuteSeries s = make();
    // One minute before: hour 101 ends after kH + 119: kept.
    s.DropBefore(kH + 119);
    EXPECT_EQ(s.Sum(0, kH * 2), MC(240, 240));
    EXPECT_EQ(s.Sum(kH + 59, kH + 61), MC(1, 1));
  }
  {
    MinuteSeries s = make();
    // Before the data: nothing dropped.
    s.DropBefore(kH);
    EXPECT_EQ(s.Sum(0, kH * 2), MC(300, 300));
    s.DropBefore(0);
    EXPECT_EQ(s.Sum(0, kH * 2), MC(300, 300));
  }
  {
    MinuteSeries s = make();
    // Past the data: everything forgotten; new data starts a fresh series.
    s.DropBefore(kH + 10000);
    EXPECT_TRUE(s.empty());
    EXPECT_EQ(s.Sum(0, kH * 2), MC(0, 0));
    s.Add(kH + 20000, 1, 4);
    EXPECT_EQ(s.Sum(0, kH * 10), MC(1, 4));
  }
  {
    MinuteSeries s = make();
    // Data added back before the new front after a drop (front grows).
    s.DropBefore(kH + 180);
    s.Add(kH + 30, 0, 7);
    EXPECT_EQ(s.Sum(kH, kH + 60), MC(0, 7));
    EXPECT_EQ(s.Sum(kH + 60, kH + 180), MC(0, 0));
    EXPECT_EQ(s.Sum(0, kH * 2), MC(120, 127));
  }
}

TEST(MinuteSeriesTest, DropBeforeAfterSealKeepsLaterHoursExact) {
  MinuteSeries s;
  for (int k = 0; k < 300; ++k) s.Add(kH + k, k % 60 == 7 ? 0 : 1, 1);
  s.Seal(kH + 240);  // hours 100..103 sealed; none uniform (minute 7 bad)
  s.DropBefore(kH + 120);
  // Hours 102..104: 180 minutes, 3 bad.
  EXPECT_EQ(s.Sum(0, kH * 2), MC(177, 180));
  // New data reuses freed blocks and stays exact.
  for (int k = 300; k < 420; ++k) s.Add(kH + k, 1, 1);
  EXPECT_EQ(s.Sum(0, kH * 2), MC(297, 300));
  EXPECT_EQ(s.Sum(kH + 299, kH + 301), MC(2, 2));
}

// ---------------------------------------------------------------- foreach

TEST(MinuteSeriesTest, ForEachMinuteVisitsOnlyMinutesWithDataInOrder) {
  MinuteSeries s;
  s.Add(kH + 65, 2, 3);
  s.Add(kH + 7, 0, 1);
  s.Add(kH + 3, 1, 1);
  s.Add(kH + 7, 1, 1);   // minute 7 accumulates to {1, 2}
  s.Add(kH + 20, 0, 0);  // touched but total 0: not visited
  s.Add(kH + 600, 5, 5);
  EXPECT_THAT(Visits(s, kH - 100, kH + 1000),
              ElementsAre(Visit{kH + 3, 1, 1}, Visit{kH + 7, 1, 2},
                          Visit{kH + 65, 2, 3}, Visit{kH + 600, 5, 5}));
  // Half-open: [kH + 3, kH + 65) has 3 and 7 but not 65.
  EXPECT_THAT(Visits(s, kH + 3, kH + 65),
              ElementsAre(Visit{kH + 3, 1, 1}, Visit{kH + 7, 1, 2}));
  EXPECT_THAT(Visits(s, kH + 4, kH + 7), IsEmpty());
  EXPECT_THAT(Visits(s, kH + 66, kH + 600), IsEmpty());
  EXPECT_THAT(Visits(s, kH + 600, kH + 601),
              ElementsAre(Visit{kH + 600, 5, 5}));
}

TEST(MinuteSeriesTest, ForEachMinuteAcrossAFlatHour) {
  MinuteSeries s;
  s.Add(kH + 50, 0, 1);                                   // hour 100
  for (int m = 0; m < 60; ++m) s.Add(kH + 60 + m, 1, 2);  // hour 101 uniform
  s.Add(kH + 130, 1, 1);                                  // hour 102
  s.Seal(kH + 120);  // hour 101 becomes flat
  std::vector<Visit> v = Visits(s, kH + 50, kH + 131);
  // 1 + 60 + 1 minutes, in order.
  ASSERT_EQ(v.size(), 62u);
  EXPECT_EQ(v.front(), (Visit{kH + 50, 0, 1}));
  for (int m = 0; m < 60; ++m) {
    EXPECT_EQ(v[1 + m], (Visit{kH + 60 + m, 1, 2})) << m;
  }
  EXPECT_EQ(v.back(), (Visit{kH + 130, 1, 1}));
  // A range cutting into the flat hour: [kH+110, kH+125): 110..119 from
  // the flat hour (10 minutes), nothing at 120..124.
  v = Visits(s, kH + 110, kH + 125);
  ASSERT_EQ(v.size(), 10u);
  EXPECT_EQ(v.front(), (Visit{kH + 110, 1, 2}));
  EXPECT_EQ(v.back(), (Visit{kH + 119, 1, 2}));
}

// ---------------------------------------------------------------- headroom

TEST(MinuteSeriesTest, Headroom) {
  constexpr uint64_t kMax = MinuteSeries::kMaxMinuteCount;
  EXPECT_EQ(kMax, 4294967295u);
  MinuteSeries s;
  EXPECT_EQ(s.Headroom(kH), kMax);
  s.Add(kH + 1, 0, 10);
  EXPECT_EQ(s.Headroom(kH + 1), kMax - 10);
  EXPECT_EQ(s.Headroom(kH + 2), kMax);      // same hour, other minute
  EXPECT_EQ(s.Headroom(kH - 1), kMax);      // before the data
  EXPECT_EQ(s.Headroom(kH + 10000), kMax);  // after the data
  s.Add(kH + 1, 5, static_cast<uint32_t>(kMax - 10));
  EXPECT_EQ(s.Headroom(kH + 1), 0u);
  EXPECT_EQ(s.Sum(kH + 1, kH + 2), MC(5, kMax));
  // A flat hour: 60 x {0, 3}: headroom 2^32 - 1 - 3 in every minute.
  for (int m = 0; m < 60; ++m) s.Add(kH + 120 + m, 0, 3);
  s.Seal(kH + 180);
  EXPECT_EQ(s.Headroom(kH + 120), kMax - 3);
  EXPECT_EQ(s.Headroom(kH + 179), kMax - 3);
  // An hour slot between data but never written (hour 101): full headroom.
  EXPECT_EQ(s.Headroom(kH + 90), kMax);
}

// ---------------------------------------------------------------- negative

TEST(MinuteSeriesTest, NegativeMinutesBefore1970) {
  MinuteSeries s;
  // Minute -1 is 1969-12-31T23:59Z, in hour -1 (minutes -60..-1).
  s.Add(-1, 1, 1);
  s.Add(-60, 0, 1);   // first minute of hour -1
  s.Add(-61, 1, 2);   // last minute of hour -2
  s.Add(0, 1, 4);     // first minute of hour 0
  s.Add(-121, 0, 8);  // last minute of hour -3
  EXPECT_EQ(s.Sum(-1, 0), MC(1, 1));
  EXPECT_EQ(s.Sum(-60, 0), MC(1, 2));      // -60 and -1
  EXPECT_EQ(s.Sum(-61, -60), MC(1, 2));    // only -61
  EXPECT_EQ(s.Sum(-120, -60), MC(1, 2));   // hour -2: only -61
  EXPECT_EQ(s.Sum(-1, 1), MC(2, 5));       // -1 and 0
  EXPECT_EQ(s.Sum(-121, 1), MC(3, 16));    // everything
  EXPECT_EQ(s.Sum(-200, -121), MC(0, 0));  // before all of it
  EXPECT_EQ(s.Headroom(-1), MinuteSeries::kMaxMinuteCount - 1);
  EXPECT_EQ(s.Headroom(-2), MinuteSeries::kMaxMinuteCount);
  EXPECT_THAT(Visits(s, -1000, 1000),
              ElementsAre(Visit{-121, 0, 8}, Visit{-61, 1, 2}, Visit{-60, 0, 1},
                          Visit{-1, 1, 1}, Visit{0, 1, 4}));
  // Seal a uniform negative hour and drop before it.
  MinuteSeries u;
  for (int64_t m = -120; m < -60; ++m) u.Add(m, 1, 1);  // hour -2 uniform
  u.Add(-30, 0, 1);                                     // hour -1
  u.Seal(-60);                                          // hour -2 ends at -60
  EXPECT_EQ(u.Sum(-120, -60), MC(60, 60));
  EXPECT_EQ(u.Sum(-100, -90), MC(10, 10));
  EXPECT_EQ(u.Headroom(-100), MinuteSeries::kMaxMinuteCount - 1);
  u.DropBefore(-60);  // forgets hour -2 only
  EXPECT_EQ(u.Sum(-1000, 1000), MC(0, 1));
  // DropBefore(-61): hour -2 ends at -60 > -61, so it would be kept.
  MinuteSeries w;
  w.Add(-100, 1, 1);
  w.DropBefore(-61);
  EXPECT_EQ(w.Sum(-1000, 1000), MC(1, 1));
}

// ---------------------------------------------------------------- model

// Random adds (in and out of order, negative minutes too), seals and drops,
// compared with a std::map after every phase.
TEST(MinuteSeriesTest, MatchesAMapModel) {
  std::mt19937_64 rng(12345);
  MinuteSeries s;
  Model model;
  int64_t dropped_before_hour = INT64_MIN;
  const int64_t base = -300;  // straddles the epoch: hours -5 .. 15
  auto check = [&](int phase) {
    std::uniform_int_distribution<int64_t> pick(base - 70, base + 1300);
    for (int i = 0; i < 300; ++i) {
      int64_t a = pick(rng), b = pick(rng);
      if (a > b) std::swap(a, b);
      ASSERT_EQ(s.Sum(a, b), model.Sum(a, b))
          << "phase " << phase << " [" << a << ", " << b << ")";
    }
    ASSERT_EQ(Visits(s, base - 100, base + 1400),
              model.Visits(base - 100, base + 1400))
        << "phase " << phase;
  };
  for (int phase = 0; phase < 12; ++phase) {
    std::uniform_int_distribution<int64_t> minute(base, base + 1200);
    std::uniform_int_distribution<int> coin(0, 3);
    for (int i = 0; i < 400; ++i) {
      int64_t m = minute(rng);
      if (dropped_before_hour != INT64_MIN && m < dropped_before_hour * 60) {
        continue;  // the engine never adds before the horizon
      }
      const uint32_t total = static_cast<uint32_t>(coin(rng) + 1);
      const uint32_t good = coin(rng) == 0 ? 0 : total;
      s.Add(m, good, total);
      model.Add(m, good, total);
    }
    // Fill one whole hour uniformly so that sealing can flatten it.
    const int64_t hour = -5 + phase;
    if (dropped_before_hour == INT64_MIN || hour >= dropped_before_hour) {
      for (int64_t m = hour * 60; m < hour * 60 + 60; ++m) {
        // Only where the model is still empty, to keep it uniform.
        if (model.Sum(m, m + 1).total == 0) {
          s.Add(m, 1, 1);
          model.Add(m, 1, 1);
        }
      }
    }
    check(phase);
    s.Seal(base + 100 * phase);
    check(phase);
    if (phase == 8) {
      // Drop the first 3 hours: hours < -2 (minutes < -120).
      s.DropBefore(-120);
      model.DropHoursBefore(-2);
      dropped_before_hour = -2;
      check(phase);
    }
  }
}

// ------------------------------------------------------- running sums

// Every way of reading a range: Sum, RunningSum differences, and AddSums
// for a few ranges (located up front) and for many (steps).
void ExpectRangesMatch(const MinuteSeries& s, const Model& model,
                       std::mt19937_64& rng, int64_t lo, int64_t hi,
                       const std::string& where) {
  std::uniform_int_distribution<int64_t> pick(lo, hi);
  for (int i = 0; i < 200; ++i) {
    int64_t a = pick(rng), b = pick(rng);
    if (i % 5 == 0) std::swap(a, b);  // some reversed: zero
    const MinuteCounts want = a < b ? model.Sum(a, b) : MC(0, 0);
    ASSERT_EQ(s.Sum(a, b), want) << where << " [" << a << ", " << b << ")";
    if (a <= b) {
      const MinuteCounts ra = s.RunningSum(a), rb = s.RunningSum(b);
      ASSERT_EQ(MC(rb.good - ra.good, rb.total - ra.total), want)
          << where << " running sums at " << a << ", " << b;
    }
  }
  // Burn-rate style: windows ending at one minute (some reversed, some
  // repeated), fewer than and more than AddSums' up-front limit.
  for (int n : {1, 3, 7, 16, 17, 40}) {
    const int64_t end = pick(rng);
    std::vector<std::pair<int64_t, int64_t>> ranges;
    for (int k = 0; k < n; ++k) {
      const int64_t from = k % 6 == 5 ? end + 3 : end - pick(rng) % 5000;
      ranges.emplace_back(from, k % 9 == 8 ? pick(rng) : end);
    }
    std::vector<MinuteCounts> got(ranges.size(), MC(1, 2));
    s.AddSums(ranges.data(), ranges.size(), got.data());
    for (size_t k = 0; k < ranges.size(); ++k) {
      const auto [from, to] = ranges[k];
      const MinuteCounts want = from < to ? model.Sum(from, to) : MC(0, 0);
      ASSERT_EQ(got[k], MC(want.good + 1, want.total + 2))
          << where << " AddSums n=" << n << " [" << from << ", " << to << ")";
    }
  }
  // Steps: consecutive ranges share ends.
  {
    const int64_t start = pick(rng);
    const int64_t step = 1 + pick(rng) % 200;
    std::vector<std::pair<int64_t, int64_t>> ranges;
    for (int k = 0; k < 30; ++k) {
      ranges.emplace_back(start + k * step, start + (k + 1) * step);
    }
    std::vector<MinuteCounts> got(ranges.size());
    s.AddSums(ranges.data(), ranges.size(), got.data());
    for (size_t k = 0; k < ranges.size(); ++k) {
      ASSERT_EQ(got[k], model.Sum(ranges[k].first, ranges[k].second))
          << where << " step " << k;
    }
  }
}

// Random data the way the engine writes it (mostly in time order, some
// late, sealed an hour behind, dropped at the retention horizon), with counts
// small and large enough to widen the hour running sums to 32 and 64 bits,
// against a map, every way of reading it, and a copy taken midway.
TEST(MinuteSeriesTest, RunningSumsMatchAMapModelUnderEngineLikeWrites) {
  for (uint64_t seed : {1, 2, 3, 4, 5, 6}) {
    std::mt19937_64 rng(seed);
    MinuteSeries s;
    Model model;
    const int64_t start = seed % 2 == 0 ? -3000 : 28'000'000 + 37;
    constexpr int64_t kRetention = 3 * 1440;  // minutes
    int64_t now = start;
    int64_t horizon = INT64_MIN;  // adds before it are refused, as the engine
    std::uniform_int_distribution<int> coin(0, 99);
    // Count sizes: 0..3 mostly; seed 3 and 4 add days over 65535; seed 5
    // and 6 minutes near 2^32.
    auto count = [&]() -> uint32_t {
      const int c = coin(rng);
      if (seed >= 5 && c < 3) return UINT32_MAX - static_cast<uint32_t>(c);
      if (seed >= 3 && c < 10) return 3000 + static_cast<uint32_t>(c);
      return static_cast<uint32_t>(c % 4);
    };
    std::unique_ptr<MinuteSeries> copy;
    std::unique_ptr<Model> copy_model;
    for (int phase = 0; phase < 40; ++phase) {
      for (int i = 0; i < 300; ++i) {
        int64_t m;
        const int c = coin(rng);
        if (c < 70) {
          m = now++;  // in order, sometimes several per minute
          if (coin(rng) < 20) --now;
        } else if (c < 90) {
          m = now - 1 - coin(rng);  // a little late
        } else {
          m = now - 1 - static_cast<int64_t>(rng() % (kRetention + 600));
        }
        // The engine refuses data before the horizon; MinuteSeries takes it
        // (every third seed tries): it counts, the dropped data does not.
        if (horizon != INT64_MIN && m < horizon && seed % 3 != 0) continue;
        const uint32_t total = count();
        if (total > s.Headroom(m)) continue;
        const uint32_t good = coin(rng) < 80 ? total : total / 3;
        s.Add(m, good, total);
        model.Add(m, good, total);
      }
      if (phase % 3 == 2) s.Seal(now - 60);
      if (phase % 7 == 6) {
        horizon = now - kRetention + 1;
        s.DropBefore(horizon);
        const int64_t end_hour =
            horizon >= 0 ? horizon / 60 : -((-horizon + 59) / 60);
        model.DropHoursBefore(end_hour);
      }
      const std::string where =
          "seed " + std::to_string(seed) + " phase " + std::to_string(phase);
      ExpectRangesMatch(s, model, rng, now - kRetention - 200, now + 100,
                        where);
      if (::testing::Test::HasFatalFailure()) return;
      ASSERT_EQ(Visits(s, now - kRetention - 200, now + 100),
                model.Visits(now - kRetention - 200, now + 100))
          << where;
      if (phase == 20) {
        copy = std::make_unique<MinuteSeries>(s);
        copy_model = std::make_unique<Model>(model);
      }
    }
    // The copy is independent of the original and still exact.
    ASSERT_NE(copy, nullptr);
    copy->Add(now - 5, 7, 9);
    copy_model->Add(now - 5, 7, 9);
    ExpectRangesMatch(*copy, *copy_model, rng, now - kRetention - 200,
                      now + 100, "copy");
    ExpectRangesMatch(s, model, rng, now - kRetention - 200, now + 100,
                      "original after the copy changed");
  }
}

// A day's hour running sums start at 16 bits; a day holding 65536 or more
// widens them to 32 bits, and one holding 2^32 or more to 64, keeping every
// sum exact, late adds into earlier hours of a day included.
TEST(MinuteSeriesTest, HourRunningSumsWidenWithoutLosingCounts) {
  constexpr int64_t kDay = 1440;
  const int64_t d0 = 20000 * kDay;  // a day boundary
  MinuteSeries s;
  Model model;
  auto add = [&](int64_t m, uint32_t g, uint32_t t) {
    s.Add(m, g, t);
    model.Add(m, g, t);
  };
  auto check = [&](const char* what) {
    for (int64_t a = d0 - 120; a < d0 + 3 * kDay; a += 97) {
      for (int64_t b = a; b < d0 + 3 * kDay + 60; b += 131) {
        ASSERT_EQ(s.Sum(a, b), model.Sum(a, b))
            << what << " [" << a << ", " << b << ")";
      }
    }
  };
  // Day 0: a probe a minute for 10 hours: 600 a day, 16 bits.
  for (int64_t m = d0; m < d0 + 600; ++m) add(m, 1, 1);
  check("16 bits");
  // Day 1: 1000 a minute for 66 minutes = 66000 > 65535: 32 bits.
  for (int64_t m = d0 + kDay; m < d0 + kDay + 66; ++m) add(m, 999, 1000);
  check("32 bits");
  // Late adds into hours 0 and 5 of day 0, alternating (the later hours'
  // sums catch up when the data moves to another hour).
  for (int i = 0; i < 10; ++i) {
    add(d0 + 7 + i, 1, 2);
    add(d0 + 5 * 60 + 3 + i, 0, 5);
    if (i % 3 == 0) check("late");
  }
  // Day 2: 3 minutes of 2^32 - 1 events: over 2^32, 64 bits.
  for (int64_t m = d0 + 2 * kDay; m < d0 + 2 * kDay + 3; ++m) {
    add(m, UINT32_MAX - 1, UINT32_MAX);
  }
  check("64 bits");
  // And a late add into day 1 after widening.
  add(d0 + kDay + 30, 3, 3);
  add(d0 + kDay + 200, 3, 3);
  check("late after 64 bits");
  s.Seal(d0 + 3 * kDay);
  check("sealed");
  s.DropBefore(d0 + 300);
  model.DropHoursBefore((d0 + 300) / 60);
  check("dropped");
}

// An open hour keeps running sums of its minutes: any prefix is one read
// whatever order the minutes came in, and exact past 2^32 in the hour.
TEST(MinuteSeriesTest, OpenHourPrefixesInAnyMinuteOrder) {
  for (uint64_t seed : {7, 8, 9}) {
    std::mt19937_64 rng(seed);
    MinuteSeries s;
    Model model;
    std::uniform_int_distribution<int> minute(0, 59);
    for (int i = 0; i < 200; ++i) {
      const int m = i < 60 ? i : minute(rng);  // in order, then anywhere
      const uint32_t total =
          seed == 9 && i % 50 == 0 ? UINT32_MAX / 2 : 1 + i % 3;
      s.Add(kH + m, total / 2, total);
      model.Add(kH + m, total / 2, total);
      if (i % 13 == 0 || i == 199) {
        for (int a = 0; a <= 60; ++a) {
          ASSERT_EQ(s.Sum(kH, kH + a), model.Sum(kH, kH + a))
              << "seed " << seed << " i " << i << " prefix " << a;
          ASSERT_EQ(s.Sum(kH + a, kH + 61), model.Sum(kH + a, kH + 61));
        }
        ASSERT_EQ(Visits(s, kH, kH + 60), model.Visits(kH, kH + 60));
        for (int m = 0; m < 60; ++m) {
          ASSERT_EQ(s.Headroom(kH + m),
                    MinuteSeries::kMaxMinuteCount -
                        model.Sum(kH + m, kH + m + 1).total);
        }
      }
    }
  }
}

// After the retention dropped the first hours of a day, data may still come
// for them (MinuteSeries allows it; the engine does not): the dropped counts
// do not come back, the new ones count.
TEST(MinuteSeriesTest, AddsBeforeTheFirstHourAfterADropWithinADay) {
  constexpr int64_t kDay = 1440;
  const int64_t d0 = 20000 * kDay;
  MinuteSeries s;
  for (int64_t m = d0; m < d0 + 600; ++m) s.Add(m, 1, 1);  // hours 0..9
  s.Seal(d0 + 600);
  s.DropBefore(d0 + 300);  // hours 0..4 of the day dropped
  EXPECT_EQ(s.Sum(d0, d0 + 600), MC(300, 300));
  s.Add(d0 + 130, 0, 4);  // hour 2 again
  s.Add(d0 - 10, 1, 1);   // the day before
  EXPECT_EQ(s.Sum(d0 - 60, d0 + 600), MC(301, 305));
  EXPECT_EQ(s.Sum(d0 + 120, d0 + 180), MC(0, 4));
  EXPECT_EQ(s.Sum(d0 + 131, d0 + 300), MC(0, 0));
  EXPECT_EQ(s.Sum(d0 + 130, d0 + 301), MC(1, 5));
  EXPECT_EQ(s.Sum(d0 - 10, d0 - 9), MC(1, 1));
  EXPECT_EQ(s.Sum(d0 - 9, d0 + 130), MC(0, 0));
  EXPECT_EQ(s.Sum(d0 + 300, d0 + 2 * kDay), MC(300, 300));
}

// Sealing returns the blocks of packed and flat hours to the allocator, but
// one spare for the next hour.
TEST(MinuteSeriesTest, SealingFreesBlocksButOneSpare) {
  MinuteSeries s;
  // 10 hours, each with one failure: blocks until sealed, then packed.
  for (int m = 0; m < 600; ++m) s.Add(kH + m, m % 60 == 7 ? 0 : 1, 1);
  const size_t open = s.MemoryUsage();
  // Hours 100..107 end an hour or more before the newest minute (kH + 599).
  s.Seal(kH + 600);
  const size_t sealed = s.MemoryUsage();
  // Eight blocks of 60 minutes x 8 bytes freed, but for the spare; their
  // packed records (6 words each) are far smaller.
  EXPECT_LT(sealed + 6 * 60 * 8, open);
  EXPECT_EQ(s.Sum(kH, kH + 600), MC(590, 600));
  // A late add into a sealed hour takes the spare: no more memory.
  s.Add(kH + 5, 1, 1);
  EXPECT_EQ(s.MemoryUsage(), sealed);
  EXPECT_EQ(s.Sum(kH, kH + 600), MC(591, 601));
}

}  // namespace
}  // namespace internal
}  // namespace sla
