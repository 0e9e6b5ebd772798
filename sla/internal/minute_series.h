// sla/internal/minute_series.h: compact per-minute {good, total} counters of
// one SLI. Internal to the engine; not part of the public API.
//
// Layout. Minutes are grouped by hour (60 minutes aligned to the epoch) and
// every hour is one 32-bit word:
//   - a "flat" hour, in which all 60 minutes hold the same (good, total),
//     keeps them in the word itself (up to 32767 each): a probe every minute
//     that never failed costs 4 bytes an hour;
//   - a sealed hour that is not flat points at a packed record: the counts
//     most of its minutes share plus the minutes that differ (a probe hour
//     with two failures costs 36 bytes);
//   - an hour still receiving data points at a block of 60 explicit minute
//     counters.
// Running sums at every day boundary (24 hours aligned to the epoch) make the
// whole days of a window one subtraction; only the partial days and hours at
// its two edges are summed hour by hour and minute by minute, so a 30-day
// query costs about what a 2-day one does.
// Hours are sealed (Seal) once they are well behind the newest data; a late
// result for a sealed hour turns it back into a block.
//
// Thread safety: none; the engine guards each series with its shard's mutex.

#ifndef SLA_INTERNAL_MINUTE_SERIES_H_
#define SLA_INTERNAL_MINUTE_SERIES_H_

#include <cstddef>
#include <cstdint>
#include <deque>
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

  // Packs every hour that ends at or before `minute` and an hour or more
  // before the newest minute added.
  void Seal(int64_t minute);
  // Forgets every hour that ends at or before `minute`.
  void DropBefore(int64_t minute);

  // Bytes held, for memory accounting.
  size_t MemoryUsage() const;
  bool empty() const { return loc_.empty(); }

 private:
  struct Block {
    uint32_t good[60];
    uint32_t total[60];
    MinuteCounts sum;  // of the 60 minutes
  };
  // loc_ words: bit 31 set = flat (good in bits 15..29, total in 0..14);
  // bit 30 set = packed record at offset (bits 0..29) in packed_; otherwise
  // an index into blocks_.
  static constexpr uint32_t kFlatBit = 0x80000000u;
  static constexpr uint32_t kPackedBit = 0x40000000u;
  static constexpr uint32_t kFlatMax = 0x7FFF;
  static constexpr uint32_t kEmptyHour = kFlatBit;  // flat (0, 0)

  static bool IsFlat(uint32_t loc) { return (loc & kFlatBit) != 0; }
  static bool IsPacked(uint32_t loc) {
    return (loc & (kFlatBit | kPackedBit)) == kPackedBit;
  }
  static uint32_t FlatGood(uint32_t loc) { return (loc >> 15) & kFlatMax; }
  static uint32_t FlatTotal(uint32_t loc) { return loc & kFlatMax; }

  size_t hours() const { return loc_.size(); }
  // Makes `hour` addressable, growing at either end; returns its slot.
  size_t EnsureHour(int64_t hour);
  // The block of hour slot i, materialising it from a flat or packed hour.
  Block& MutableBlock(size_t i);
  uint32_t NewBlock();
  // Counts of minute m (0..59) of hour slot i.
  MinuteCounts MinuteAt(size_t i, int m) const;
  MinuteCounts SumWithinHour(size_t i, int from_min, int to_min) const;
  MinuteCounts HourSum(size_t i) const { return SumWithinHour(i, 0, 60); }
  // Sums of the whole hour slots [a, b).
  MinuteCounts SumHours(size_t a, size_t b) const;
  // Packs or flattens the block of slot i, if that saves memory.
  void SealHour(size_t i);
  // Index in packed_ of the record a packed loc word points at.
  size_t PackedIndex(uint32_t loc) const {
    return static_cast<size_t>((loc & ~kPackedBit) - packed_base_);
  }

  int64_t base_hour_ = 0;              // hour index of slot 0
  int64_t sealed_before_ = INT64_MIN;  // hours < this were sealed
  int64_t newest_ = INT64_MIN;         // newest minute added
  std::deque<uint32_t> loc_;           // one word per hour slot
  // day_cum_[k] sums every hour before day base_day_ + k (size days + 1).
  // Only differences matter, so dropping hours at the front keeps it valid.
  int64_t base_day_ = 0;
  std::deque<MinuteCounts> day_cum_;
  // Packed records: base good, base total, n, then n x (minute, good,
  // total), minutes increasing. A packed loc word holds the record's
  // absolute offset; packed_[0] is at offset packed_base_. Hours are sealed
  // and dropped mostly in time order, so words are freed from the front.
  std::deque<uint32_t> packed_;
  int64_t packed_base_ = 0;
  std::vector<Block> blocks_;
  std::vector<uint32_t> free_blocks_;
  // Sealed hours that late results turned back into blocks.
  std::vector<int64_t> late_hours_;
};

}  // namespace internal
}  // namespace sla

#endif  // SLA_INTERNAL_MINUTE_SERIES_H_
