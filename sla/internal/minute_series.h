// sla/internal/minute_series.h: compact per-minute {good, total} counters of
// one SLI. Internal to the engine; not part of the public API.
//
// Layout. Counters are grouped by hour (60 minutes aligned to the epoch):
//   - the series keeps running sums of (good, total) at every hour boundary,
//     so the whole hours of any window cost one subtraction, and only the
//     partial hours at its two edges are summed minute by minute (a 30-day
//     query costs what a 1-hour one does);
//   - an hour whose 60 minutes all hold the same (good, total) is "flat" and
//     keeps nothing else (a probe every minute that never failed);
//   - any other hour points at a block of 60 explicit minute counters.
// Hours become flat when sealed (Seal), which the engine does once they are
// well behind the newest data; a late result for a flat hour expands it again.
//
// Thread safety: none; the engine guards each series with its shard's mutex.

#ifndef SLA_INTERNAL_MINUTE_SERIES_H_
#define SLA_INTERNAL_MINUTE_SERIES_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/functional/function_ref.h"

namespace sla {
namespace internal {

struct MinuteCounts {
  uint64_t good = 0;
  uint64_t total = 0;
};

class MinuteSeries {
 public:
  // Largest value a single minute counter can hold.
  static constexpr uint64_t kMaxMinuteCount = UINT32_MAX;

  MinuteSeries() = default;

  // Adds to the counters of `minute` (minutes since the epoch). The caller
  // checks capacity with Headroom() when counts may be large.
  void Add(int64_t minute, uint32_t good, uint32_t total);
  // How much more `total` the minute can take before overflowing.
  uint64_t Headroom(int64_t minute) const;

  // Sums over the minutes [from, to). from >= to gives zero.
  MinuteCounts Sum(int64_t from, int64_t to) const;
  // Calls fn(minute, good, total) for every minute in [from, to) that has
  // total > 0, in increasing order.
  void ForEachMinute(
      int64_t from, int64_t to,
      absl::FunctionRef<void(int64_t, uint64_t, uint64_t)> fn) const;

  // Makes every hour that ends at or before `minute` flat if it can be.
  void Seal(int64_t minute);
  // Forgets every hour that ends at or before `minute`.
  void DropBefore(int64_t minute);

  // Bytes held, for memory accounting.
  size_t MemoryUsage() const;
  bool empty() const { return hour_block_.empty(); }

 private:
  static constexpr uint32_t kFlat = UINT32_MAX;
  struct Block {
    uint32_t good[60];
    uint32_t total[60];
  };

  // Makes `hour` addressable, growing the dense arrays at either end.
  size_t EnsureHour(int64_t hour);
  // The minute block of hour slot i, materialising it from a flat hour.
  Block& MutableBlock(size_t i);
  uint32_t NewBlock();
  MinuteCounts SumWithinHour(size_t i, int from_min, int to_min) const;

  // Sums of hour slot i: cum_[i + 1] - cum_[i].
  MinuteCounts HourSum(size_t i) const {
    return MinuteCounts{cum_[i + 1].good - cum_[i].good,
                        cum_[i + 1].total - cum_[i].total};
  }
  size_t hours() const { return hour_block_.size(); }

  int64_t base_hour_ = 0;              // hour index of slot 0
  int64_t sealed_before_ = INT64_MIN;  // hours < this were sealed
  // Running sums: cum_[i] sums the hour slots before i (size hours() + 1).
  // Only their differences matter, so dropping hours at the front leaves
  // them valid.
  std::vector<MinuteCounts> cum_;
  std::vector<uint32_t> hour_block_;  // kFlat or an index into blocks_
  std::vector<Block> blocks_;
  std::vector<uint32_t> free_blocks_;
};

}  // namespace internal
}  // namespace sla

#endif  // SLA_INTERNAL_MINUTE_SERIES_H_
