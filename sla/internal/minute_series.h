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
//   - an hour still receiving data points at a block of 61 running sums of
//     its minutes.
// Running sums make any range two lookups (RunningSum): one at every day
// boundary (24 hours aligned to the epoch, 64-bit), and next to every hour
// word the counts of the hours before it in its day. Those are 16-bit while
// no day holds 65536 or more (a probe a minute: 1440 a day), so they cost
// 4 bytes an hour; the first day that needs more widens every hour's to 32
// or 64 bits, kept beside the hour words. Within an hour, a flat hour is
// arithmetic, a packed one walks its few exceptions and a block reads its
// running sum, so a 5-minute and a 30-day query cost the same.
// Hours are sealed (Seal) once they are well behind the newest data; a late
// result for a sealed hour turns it back into a block.
//
// Thread safety: none; the engine guards each series with its shard's mutex.

#ifndef SLA_INTERNAL_MINUTE_SERIES_H_
#define SLA_INTERNAL_MINUTE_SERIES_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
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
  // The counts of every minute before `minute`, from an origin that depends
  // on the series' history: for from <= to, Sum(from, to) ==
  // RunningSum(to) - RunningSum(from) (unsigned). Only differences of values
  // read with no change to the series in between mean anything. O(1) except
  // in a sealed hour with exceptions, which are walked.
  MinuteCounts RunningSum(int64_t minute) const;
  // out[k] += Sum(ranges[k].first, ranges[k].second) for every k: many
  // ranges for the price of one call, an end shared by consecutive ranges
  // (windows ending at the same minute, adjacent steps) read once.
  void AddSums(const std::pair<int64_t, int64_t>* ranges, size_t n,
               MinuteCounts* out) const;
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
  bool empty() const { return slots_.empty(); }

 private:
  // A vector that also inserts and drops at the front: its elements sit at
  // an offset in one buffer, slid back to the start once the space freed at
  // the front is an eighth of them, so an element costs O(1) amortised and
  // the buffer holds at most about 9/8 of the most ever held. Indexing is
  // one load from data(). Copies are deep. T must be trivially copyable.
  template <typename T>
  class SlidingVector {
   public:
    SlidingVector() = default;
    SlidingVector(const SlidingVector& o) { *this = o; }
    SlidingVector& operator=(const SlidingVector& o) {
      if (this == &o) return *this;
      buf_.reset(o.cap_ == 0 ? nullptr : new T[o.cap_]);
      cap_ = o.cap_;
      head_ = o.head_;
      size_ = o.size_;
      std::copy(o.data(), o.data() + size_, buf_.get() + head_);
      return *this;
    }
    SlidingVector(SlidingVector&& o) noexcept { *this = std::move(o); }
    SlidingVector& operator=(SlidingVector&& o) noexcept {
      buf_ = std::move(o.buf_);
      cap_ = std::exchange(o.cap_, 0);
      head_ = std::exchange(o.head_, 0);
      size_ = std::exchange(o.size_, 0);
      return *this;
    }

    const T* data() const { return buf_.get() + head_; }
    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    size_t capacity() const { return cap_; }
    T& operator[](size_t i) { return buf_[head_ + i]; }
    const T& operator[](size_t i) const { return buf_[head_ + i]; }
    T& front() { return (*this)[0]; }
    const T& front() const { return (*this)[0]; }
    T& back() { return (*this)[size_ - 1]; }
    const T& back() const { return (*this)[size_ - 1]; }

    // Grows at the back with copies of v, or drops elements at the back.
    void Resize(size_t n, T v) {
      if (n > size_) {
        RoomAtBack(n);
        std::fill(buf_.get() + head_ + size_, buf_.get() + head_ + n, v);
      }
      size_ = n;
    }
    void PushBack(T v) { Resize(size_ + 1, v); }
    // Inserts n copies of v at the front.
    void PushFront(size_t n, T v) {
      if (head_ < n) Relayout(size_ + n, n);
      head_ -= n;
      std::fill(buf_.get() + head_, buf_.get() + head_ + n, v);
      size_ += n;
    }
    // Drops the first n elements (all of them if there are fewer).
    void PopFront(size_t n) {
      n = std::min(n, size_);
      head_ = size_ == n ? 0 : head_ + n;
      size_ -= n;
    }
    // Empties the vector and frees its buffer.
    void Clear() {
      buf_.reset();
      cap_ = head_ = size_ = 0;
    }

   private:
    // Makes room for `need` elements from the first on.
    void RoomAtBack(size_t need) {
      if (head_ + need <= cap_) return;
      if (need <= cap_ && head_ * 8 >= size_) {
        // A move to the left: std::copy allows the overlap.
        std::copy(data(), data() + size_, buf_.get());
        head_ = 0;
        return;
      }
      Relayout(need, 0);
    }
    // A new buffer with room for `need` elements and at least `front` free
    // before the first.
    void Relayout(size_t need, size_t front) {
      const size_t cap = need + need / 8 + 4;
      const size_t head = front == 0 ? 0 : front + (cap - need) / 2;
      std::unique_ptr<T[]> buf(new T[cap]);
      std::copy(data(), data() + size_, buf.get() + head);
      buf_ = std::move(buf);
      cap_ = cap;
      head_ = head;
    }

    std::unique_ptr<T[]> buf_;
    size_t cap_ = 0;
    size_t head_ = 0;
    size_t size_ = 0;
  };

  // An hour still receiving data, modulo 2^32: cum[k] = {good, total} are
  // for k <= valid the counts of the minutes [0, k) (running sums), and for
  // k > valid the counts of minute k - 1 alone. Minutes [filled, 60) hold
  // nothing. A minute is exact (it holds less than 2^32); a range of
  // minutes too while `sum` is below 2^32. An add at minute m leaves valid
  // = m + 1, turning running sums after it back into minutes, so adds in
  // time order cost O(1) and so does a query into the minutes received.
  struct Block {
    MinuteCounts sum;  // of the 60 minutes
    uint32_t valid;
    uint32_t filled;
    uint32_t cum[61][2];  // good and total side by side: one cache line
  };
  // Blocks live on the heap, so references stay valid while others are
  // added. A freed block's memory is returned, but for one spare kept for
  // the next hour. The first few are pointed at from the series itself,
  // one load closer to a query.
  class BlockStore {
   public:
    BlockStore() = default;
    BlockStore(const BlockStore& o) { *this = o; }
    BlockStore& operator=(const BlockStore& o);
    BlockStore(BlockStore&&) noexcept = default;
    BlockStore& operator=(BlockStore&&) noexcept = default;

    Block& operator[](uint32_t i) {
      return i < kInline ? *inline_[i] : *more_[i - kInline];
    }
    const Block& operator[](uint32_t i) const {
      return i < kInline ? *inline_[i] : *more_[i - kInline];
    }
    // A new block, all zero.
    uint32_t New();
    void Free(uint32_t i);
    void Clear();
    size_t MemoryUsage() const;
    // Starts loading the first few blocks' headers.
    inline void Prefetch() const;

   private:
    static constexpr uint32_t kInline = 4;
    std::unique_ptr<Block> inline_[kInline];    // null when free
    std::vector<std::unique_ptr<Block>> more_;  // null when free
    std::vector<uint32_t> free_more_;           // indexes of null ones
    std::unique_ptr<Block> spare_;
  };

  // One hour: its word, and (while cum_bits_ == 16) the counts of the hours
  // before it in its day, modulo 2^16.
  struct Slot {
    uint32_t loc;
    uint16_t cum_good;
    uint16_t cum_total;
  };
  struct Cum32 {
    uint32_t good;
    uint32_t total;
  };

  // loc words: bit 31 set = flat (good in bits 15..29, total in 0..14);
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

  static inline void BlockAdd(Block& b, int m, uint32_t good, uint32_t total);
  // BlockAdd to minute k - 1 other than the last or the next one.
  static void BlockAddAnywhere(Block& b, uint32_t k, uint32_t good,
                               uint32_t total);
  static MinuteCounts BlockMinute(const Block& b, int m);
  // Counts of the minutes [0, k) of a block (inline, like the next two:
  // defined in the .cc file for the query path only).
  static inline MinuteCounts BlockPrefix(const Block& b, int k);

  size_t hours() const { return slots_.size(); }
  // Hours from the first day's start to slot 0 (0..23).
  size_t day_offset() const {
    return static_cast<size_t>(base_hour_ - base_day_ * 24);
  }
  // Index in day_cum_ of the day of hour slot i.
  size_t DayOf(size_t i) const { return (i + day_offset()) / 24; }
  // Makes `hour` addressable, growing at either end; returns its slot.
  size_t EnsureHour(int64_t hour);
  // The block of hour slot i, materialising it from a flat or packed hour.
  Block& MutableBlock(size_t i);
  // Counts of minute m (0..59) of hour slot i.
  MinuteCounts MinuteAt(size_t i, int m) const;
  // Counts of the minutes [0, k) of the hour whose word is loc.
  inline MinuteCounts PrefixWithinHour(uint32_t loc, int k) const;
  MinuteCounts HourSum(size_t i) const;
  // RunningSum with the series' state copied into locals once for many
  // reads (see AddSums).
  class Reader;
  // AddSums' limit for locating every range before reading any.
  static constexpr size_t kFewRanges = 16;
  // Counts of the hours before slot i in its day (see the class comment).
  MinuteCounts HourCum(size_t i) const;
  // The stored part of HourCum(i) (without pending_).
  MinuteCounts StoredHourCum(size_t i) const;
  void SetHourCum(size_t i, MinuteCounts c);
  // Adds pending_ to the stored hour running sums and clears it.
  void FlushPending();
  // Widens the hour running sums so that a day can hold `day_max`.
  void WidenHourCums(uint64_t day_max);
  // Packs or flattens the block of slot i, if that saves memory.
  void SealHour(size_t i);
  // Index in packed_ of the record a packed loc word points at.
  size_t PackedIndex(uint32_t loc) const {
    return static_cast<size_t>((loc & ~kPackedBit) - packed_base_);
  }

  // What queries read comes first, to share cache lines.
  int64_t base_hour_ = 0;  // hour index of slot 0
  // day_cum_[k] sums every hour before day base_day_ + k (size days + 1),
  // with the first day's dropped hours counted in day_cum_[0]: only
  // differences matter.
  int64_t base_day_ = 0;
  SlidingVector<Slot> slots_;  // one per hour slot
  SlidingVector<MinuteCounts> day_cum_;
  // 16: the hour running sums are in slots_; 32 or 64: in cum32_ or cum64_,
  // parallel to slots_ (the other one is empty).
  int cum_bits_ = 16;
  // Counts added to slot pending_slot_ that the stored running sums of the
  // slots after it up to pending_end_ (its day's end) do not hold yet: late
  // data into one hour adds up here, and is written out when data goes to
  // another hour. pending_end_ == 0: nothing pending.
  size_t pending_slot_ = 0;
  size_t pending_end_ = 0;
  MinuteCounts pending_;
  BlockStore blocks_;
  // Packed records: base good, base total, n, then n x (minute, good,
  // total), minutes increasing. A packed loc word holds the record's
  // absolute offset; packed_[0] is at offset packed_base_. Hours are sealed
  // and dropped mostly in time order, so words are freed from the front.
  SlidingVector<uint32_t> packed_;
  int64_t packed_base_ = 0;

  int64_t sealed_before_ = INT64_MIN;  // hours < this were sealed
  int64_t newest_ = INT64_MIN;         // newest minute added
  SlidingVector<Cum32> cum32_;
  SlidingVector<MinuteCounts> cum64_;
  // Sealed hours that late results turned back into blocks.
  std::vector<int64_t> late_hours_;
};

}  // namespace internal
}  // namespace sla

#endif  // SLA_INTERNAL_MINUTE_SERIES_H_
