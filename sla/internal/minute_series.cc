#include "sla/internal/minute_series.h"

#include <algorithm>

#include "absl/base/attributes.h"

namespace sla {
namespace internal {
namespace {

// Floor division for possibly negative minute and hour indexes.
inline int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

inline MinuteCounts operator+(MinuteCounts a, MinuteCounts b) {
  return MinuteCounts{a.good + b.good, a.total + b.total};
}

}  // namespace

// ---------------------------------------------------------------- blocks

MinuteSeries::BlockStore& MinuteSeries::BlockStore::operator=(
    const BlockStore& o) {
  if (this == &o) return *this;
  const auto copy = [](const std::unique_ptr<Block>& b) {
    return b ? std::make_unique<Block>(*b) : nullptr;
  };
  for (uint32_t i = 0; i < kInline; ++i) inline_[i] = copy(o.inline_[i]);
  more_.clear();
  more_.reserve(o.more_.capacity());
  for (const std::unique_ptr<Block>& b : o.more_) more_.push_back(copy(b));
  free_more_ = o.free_more_;
  spare_ = copy(o.spare_);
  return *this;
}

uint32_t MinuteSeries::BlockStore::New() {
  std::unique_ptr<Block> b =
      spare_ ? std::move(spare_) : std::make_unique<Block>();
  *b = Block{};
  for (uint32_t i = 0; i < kInline; ++i) {
    if (!inline_[i]) {
      inline_[i] = std::move(b);
      return i;
    }
  }
  uint32_t j;
  if (!free_more_.empty()) {
    j = free_more_.back();
    free_more_.pop_back();
    more_[j] = std::move(b);
  } else {
    j = static_cast<uint32_t>(more_.size());
    more_.push_back(std::move(b));
  }
  return kInline + j;
}

void MinuteSeries::BlockStore::Free(uint32_t i) {
  std::unique_ptr<Block>& b = i < kInline ? inline_[i] : more_[i - kInline];
  if (!spare_) {
    spare_ = std::move(b);
  } else {
    b.reset();
  }
  if (i < kInline) return;
  free_more_.push_back(i - kInline);
  // All of more_ free: give its arrays back too.
  if (free_more_.size() == more_.size()) {
    more_.clear();
    more_.shrink_to_fit();
    free_more_.clear();
    free_more_.shrink_to_fit();
  }
}

void MinuteSeries::BlockStore::Clear() {
  for (std::unique_ptr<Block>& b : inline_) b.reset();
  more_.clear();
  more_.shrink_to_fit();
  free_more_.clear();
  free_more_.shrink_to_fit();
  spare_.reset();
}

ABSL_ATTRIBUTE_ALWAYS_INLINE inline void MinuteSeries::BlockStore::Prefetch()
    const {
  for (const std::unique_ptr<Block>& b : inline_) {
    if (b) __builtin_prefetch(b.get());
  }
}

size_t MinuteSeries::BlockStore::MemoryUsage() const {
  size_t live = more_.size() - free_more_.size() + (spare_ ? 1 : 0);
  for (const std::unique_ptr<Block>& b : inline_) live += b ? 1 : 0;
  return live * sizeof(Block) +
         more_.capacity() * sizeof(std::unique_ptr<Block>) +
         free_more_.capacity() * sizeof(uint32_t);
}

ABSL_ATTRIBUTE_ALWAYS_INLINE inline void MinuteSeries::BlockAdd(
    Block& b, int m, uint32_t good, uint32_t total) {
  const uint32_t v = b.valid;
  const uint32_t k = static_cast<uint32_t>(m) + 1;
  b.sum.good += good;
  b.sum.total += total;
  if (k == v) {  // the same minute again
    b.cum[k][0] += good;
    b.cum[k][1] += total;
    return;
  }
  if (k == v + 1) {  // the next minute
    b.cum[k][0] += b.cum[v][0] + good;
    b.cum[k][1] += b.cum[v][1] + total;
    b.valid = k;
    b.filled = std::max(b.filled, k);
    return;
  }
  BlockAddAnywhere(b, k, good, total);
}

void MinuteSeries::BlockAddAnywhere(Block& b, uint32_t k, uint32_t good,
                                    uint32_t total) {
  uint32_t v = b.valid;
  if (k <= v) {
    // Running sums after k go back to minutes (none for adds in order).
    for (uint32_t j = v; j > k; --j) {
      b.cum[j][0] -= b.cum[j - 1][0];
      b.cum[j][1] -= b.cum[j - 1][1];
    }
    b.cum[k][0] += good;
    b.cum[k][1] += total;
  } else {
    // Minutes up to m become running sums (one for adds in order).
    for (; v < k; ++v) {
      b.cum[v + 1][0] += b.cum[v][0] + (v + 1 == k ? good : 0);
      b.cum[v + 1][1] += b.cum[v][1] + (v + 1 == k ? total : 0);
    }
  }
  b.valid = k;
  b.filled = std::max(b.filled, k);
}

MinuteCounts MinuteSeries::BlockMinute(const Block& b, int m) {
  const uint32_t k = static_cast<uint32_t>(m) + 1;
  if (k > b.valid) return MinuteCounts{b.cum[k][0], b.cum[k][1]};
  return MinuteCounts{static_cast<uint32_t>(b.cum[k][0] - b.cum[k - 1][0]),
                      static_cast<uint32_t>(b.cum[k][1] - b.cum[k - 1][1])};
}

ABSL_ATTRIBUTE_ALWAYS_INLINE inline MinuteCounts MinuteSeries::BlockPrefix(
    const Block& b, int k) {
  // Minutes from `filled` on hold nothing.
  if (static_cast<uint32_t>(k) >= b.filled) return b.sum;
  const uint32_t end = static_cast<uint32_t>(k);
  const uint32_t j = std::min(end, b.valid);
  // Modulo 2^32: exact while the whole hour holds less.
  if (b.sum.good <= UINT32_MAX && b.sum.total <= UINT32_MAX) {
    uint32_t g = b.cum[j][0], t = b.cum[j][1];
    for (uint32_t x = j + 1; x <= end; ++x) {
      g += b.cum[x][0];
      t += b.cum[x][1];
    }
    return MinuteCounts{g, t};
  }
  MinuteCounts c;
  for (uint32_t m = 0; m < end; ++m) {
    c = c + BlockMinute(b, static_cast<int>(m));
  }
  return c;
}

// Inlined: a MinuteCounts returned from a call and added in vector registers
// stalls on store forwarding; the query path keeps it in registers.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline MinuteCounts MinuteSeries::PrefixWithinHour(
    uint32_t loc, int k) const {
  const uint64_t n = static_cast<uint64_t>(k);
  if (IsFlat(loc)) return MinuteCounts{FlatGood(loc) * n, FlatTotal(loc) * n};
  if (IsPacked(loc)) {
    const size_t r = PackedIndex(loc);
    const uint64_t base_good = packed_[r];
    const uint64_t base_total = packed_[r + 1];
    MinuteCounts c{base_good * n, base_total * n};
    const uint32_t count = packed_[r + 2];
    for (uint32_t x = 0; x < count; ++x) {
      const size_t e = r + 3 + 3 * x;
      if (packed_[e] >= static_cast<uint32_t>(k)) break;
      c.good = c.good - base_good + packed_[e + 1];
      c.total = c.total - base_total + packed_[e + 2];
    }
    return c;
  }
  return BlockPrefix(blocks_[loc], k);
}

MinuteCounts MinuteSeries::HourSum(size_t i) const {
  return PrefixWithinHour(slots_[i].loc, 60);
}

// ------------------------------------------------------------ hour sums

MinuteCounts MinuteSeries::HourCum(size_t i) const {
  MinuteCounts c = StoredHourCum(i);
  if (i < pending_end_ && i > pending_slot_) c = c + pending_;
  return c;
}

void MinuteSeries::FlushPending() {
  for (size_t j = pending_slot_ + 1; j < pending_end_; ++j) {
    SetHourCum(j, StoredHourCum(j) + pending_);
  }
  pending_slot_ = 0;
  pending_end_ = 0;
  pending_ = MinuteCounts{};
}

MinuteCounts MinuteSeries::StoredHourCum(size_t i) const {
  if (cum_bits_ == 16) {
    const Slot& s = slots_[i];
    return MinuteCounts{s.cum_good, s.cum_total};
  }
  if (cum_bits_ == 32) {
    const Cum32& c = cum32_[i];
    return MinuteCounts{c.good, c.total};
  }
  return cum64_[i];
}

void MinuteSeries::SetHourCum(size_t i, MinuteCounts c) {
  // WidenHourCums keeps every value within the width.
  if (cum_bits_ == 16) {
    slots_[i].cum_good = static_cast<uint16_t>(c.good);
    slots_[i].cum_total = static_cast<uint16_t>(c.total);
  } else if (cum_bits_ == 32) {
    cum32_[i] =
        Cum32{static_cast<uint32_t>(c.good), static_cast<uint32_t>(c.total)};
  } else {
    cum64_[i] = c;
  }
}

void MinuteSeries::WidenHourCums(uint64_t day_max) {
  const int bits = day_max <= UINT32_MAX ? 32 : 64;
  if (bits <= cum_bits_) return;
  FlushPending();
  const size_t n = hours();
  if (bits == 32) {
    cum32_.Resize(n, Cum32{0, 0});
    for (size_t i = 0; i < n; ++i) {
      const MinuteCounts c = HourCum(i);  // still the 16-bit ones
      cum32_[i] =
          Cum32{static_cast<uint32_t>(c.good), static_cast<uint32_t>(c.total)};
    }
  } else {
    cum64_.Resize(n, MinuteCounts{});
    for (size_t i = 0; i < n; ++i) cum64_[i] = HourCum(i);
    cum32_.Clear();
  }
  for (size_t i = 0; i < n; ++i) {
    slots_[i].cum_good = 0;
    slots_[i].cum_total = 0;
  }
  cum_bits_ = bits;
}

// ----------------------------------------------------------------- hours

size_t MinuteSeries::EnsureHour(int64_t hour) {
  // The hour running sums satisfy, for every slot i of day d: HourCum(i)
  // plus the sums of the slots i.. of day d equals day_cum_[d + 1] -
  // day_cum_[d]. New hours are empty, so each takes the running sum that
  // keeps that true.
  if (slots_.empty()) {
    base_hour_ = hour;
    base_day_ = FloorDiv(hour, 24);
    cum_bits_ = 16;
    cum32_.Clear();
    cum64_.Clear();
    slots_.PushBack(Slot{kEmptyHour, 0, 0});
    day_cum_.Clear();
    day_cum_.Resize(2, MinuteCounts{});
    return 0;
  }
  if (hour < base_hour_) {
    FlushPending();
    const size_t n = static_cast<size_t>(base_hour_ - hour);
    // Hours in the first day before slot 0 carry its running sum (0 unless
    // some data came before it); hours of earlier days carry nothing.
    const MinuteCounts first = HourCum(0);
    const int64_t first_day_start = base_day_ * 24;
    slots_.PushFront(n, Slot{kEmptyHour, 0, 0});
    if (cum_bits_ == 32) cum32_.PushFront(n, Cum32{0, 0});
    if (cum_bits_ == 64) cum64_.PushFront(n, MinuteCounts{});
    for (size_t j = 0; j < n; ++j) {
      if (hour + static_cast<int64_t>(j) >= first_day_start) {
        SetHourCum(j, first);
      }
    }
    base_hour_ = hour;
    const int64_t day = FloorDiv(hour, 24);
    if (day < base_day_) {
      // New days at the front sum to nothing: copy the first running sum.
      day_cum_.PushFront(static_cast<size_t>(base_day_ - day),
                         day_cum_.front());
      base_day_ = day;
    }
    return 0;
  }
  const size_t i = static_cast<size_t>(hour - base_hour_);
  if (i >= hours()) {
    FlushPending();
    // Hours in the last hour's day carry its running sum and counts; hours
    // of later days nothing.
    const size_t last = hours() - 1;
    const MinuteCounts carry = HourCum(last) + HourSum(last);
    const size_t day_end = (DayOf(last) + 1) * 24 - day_offset();
    slots_.Resize(i + 1, Slot{kEmptyHour, 0, 0});
    if (cum_bits_ == 32) cum32_.Resize(i + 1, Cum32{0, 0});
    if (cum_bits_ == 64) cum64_.Resize(i + 1, MinuteCounts{});
    for (size_t j = last + 1; j <= i && j < day_end; ++j) SetHourCum(j, carry);
    const size_t days = DayOf(i) + 1;
    if (day_cum_.size() < days + 1) {
      day_cum_.Resize(days + 1, day_cum_.back());
    }
  }
  return i;
}

MinuteCounts MinuteSeries::MinuteAt(size_t i, int m) const {
  const uint32_t loc = slots_[i].loc;
  if (IsFlat(loc)) return MinuteCounts{FlatGood(loc), FlatTotal(loc)};
  if (IsPacked(loc)) {
    const size_t r = PackedIndex(loc);
    const uint32_t n = packed_[r + 2];
    for (uint32_t k = 0; k < n; ++k) {
      const size_t e = r + 3 + 3 * k;
      const uint32_t minute = packed_[e];
      if (minute == static_cast<uint32_t>(m)) {
        return MinuteCounts{packed_[e + 1], packed_[e + 2]};
      }
      if (minute > static_cast<uint32_t>(m)) break;
    }
    return MinuteCounts{packed_[r], packed_[r + 1]};
  }
  return BlockMinute(blocks_[loc], m);
}

MinuteSeries::Block& MinuteSeries::MutableBlock(size_t i) {
  const uint32_t loc = slots_[i].loc;
  if (!IsFlat(loc) && !IsPacked(loc)) return blocks_[loc];
  const uint32_t b = blocks_.New();  // all zero: an empty hour as it is
  Block& block = blocks_[b];
  if (loc != kEmptyHour) {
    for (int m = 0; m < 60; ++m) {
      const MinuteCounts c = MinuteAt(i, m);
      block.cum[m + 1][0] = block.cum[m][0] + static_cast<uint32_t>(c.good);
      block.cum[m + 1][1] = block.cum[m][1] + static_cast<uint32_t>(c.total);
      block.sum.good += c.good;
      block.sum.total += c.total;
    }
    block.valid = 60;
    block.filled = 60;
  }
  slots_[i].loc = b;  // a packed record left behind is freed with its hour
  // A late result for a sealed hour: seal it again next time.
  if (base_hour_ + static_cast<int64_t>(i) < sealed_before_) {
    late_hours_.push_back(base_hour_ + static_cast<int64_t>(i));
  }
  return block;
}

void MinuteSeries::Add(int64_t minute, uint32_t good, uint32_t total) {
  const int64_t hour = FloorDiv(minute, 60);
  const int m = static_cast<int>(minute - hour * 60);
  const size_t i = !slots_.empty() && hour >= base_hour_ &&
                           static_cast<uint64_t>(hour - base_hour_) < hours()
                       ? static_cast<size_t>(hour - base_hour_)
                       : EnsureHour(hour);
  newest_ = std::max(newest_, minute);
  const uint32_t loc = slots_[i].loc;
  BlockAdd(IsFlat(loc) || IsPacked(loc) ? MutableBlock(i) : blocks_[loc], m,
           good, total);
  const size_t d = DayOf(i);
  // The hour running sums of this day must hold the day's new counts.
  const uint64_t day_good = day_cum_[d + 1].good - day_cum_[d].good + good;
  const uint64_t day_total = day_cum_[d + 1].total - day_cum_[d].total + total;
  const uint64_t day_max = std::max(day_good, day_total);
  if (day_max > UINT16_MAX && cum_bits_ < 64) WidenHourCums(day_max);
  // Every running sum after this hour's day grows; for data in time order
  // that is only the last one.
  for (size_t k = d + 1; k < day_cum_.size(); ++k) {
    day_cum_[k].good += good;
    day_cum_[k].total += total;
  }
  // And so do those of the later hours of its day: none for data in order.
  const size_t day_end = std::min(hours(), (d + 1) * 24 - day_offset());
  if (i + 1 < day_end) {
    if (pending_end_ != 0 && pending_slot_ != i) FlushPending();
    pending_slot_ = i;
    pending_end_ = day_end;
    pending_.good += good;
    pending_.total += total;
  }
}

uint64_t MinuteSeries::Headroom(int64_t minute) const {
  const int64_t hour = FloorDiv(minute, 60);
  if (slots_.empty() || hour < base_hour_ ||
      hour - base_hour_ >= static_cast<int64_t>(hours())) {
    return kMaxMinuteCount;
  }
  const size_t i = static_cast<size_t>(hour - base_hour_);
  return kMaxMinuteCount -
         MinuteAt(i, static_cast<int>(minute - hour * 60)).total;
}

// --------------------------------------------------------------- queries

class MinuteSeries::Reader {
 public:
  explicit Reader(const MinuteSeries& s)
      : s_(s),
        slots_(s.slots_.data()),
        days_(s.day_cum_.data()),
        lo_(s.base_hour_ * 60),
        newest_(s.newest_),
        last_day_(s.day_cum_.size() - 1),
        hours_(s.hours()),
        day_offset_(s.day_offset()),
        narrow_(s.cum_bits_ == 16),
        pending_from_(s.pending_slot_ + 1),
        pending_count_(s.pending_end_ > s.pending_slot_ + 1
                           ? s.pending_end_ - s.pending_slot_ - 1
                           : 0),
        pending_(s.pending_) {}

  // Where a running sum is read: hour slot i at its minute k (0..60), or,
  // with i == kAll, the running sum of all data (a minute after the newest:
  // windows ending now need no hour word or block).
  struct Pos {
    size_t i;
    size_t day;  // index in day_cum_ of slot i's day
    int k;
  };
  static constexpr size_t kAll = SIZE_MAX;

  ABSL_ATTRIBUTE_ALWAYS_INLINE Pos Locate(int64_t minute) const {
    if (minute > newest_) return Pos{kAll, last_day_, 0};
    if (minute <= lo_) return Pos{0, day_offset_ / 24, 0};
    const uint64_t rel = static_cast<uint64_t>(minute - lo_);
    const size_t i = static_cast<size_t>(rel / 60);
    if (i >= hours_) {
      return Pos{hours_ - 1, (hours_ - 1 + day_offset_) / 24, 60};
    }
    return Pos{i, (i + day_offset_) / 24, static_cast<int>(rel % 60)};
  }

  // Starts loading what At(p) reads first.
  ABSL_ATTRIBUTE_ALWAYS_INLINE void Prefetch(Pos p) const {
    if (p.i == kAll) return;
    __builtin_prefetch(&slots_[p.i]);
    __builtin_prefetch(&days_[p.day]);
  }

  ABSL_ATTRIBUTE_ALWAYS_INLINE MinuteCounts At(Pos p) const {
    if (p.i == kAll) return days_[last_day_];
    return At(p.i, p.day, p.k);
  }

  // RunningSum(minute) of a series with at least one hour.
  ABSL_ATTRIBUTE_ALWAYS_INLINE MinuteCounts At(int64_t minute) const {
    return At(Locate(minute));
  }

 private:
  // The running sum at minute k (0..60) of hour slot i, of day d.
  ABSL_ATTRIBUTE_ALWAYS_INLINE MinuteCounts At(size_t i, size_t d,
                                               int k) const {
    const MinuteCounts& day = days_[d];
    const Slot& slot = slots_[i];
    uint64_t good = day.good;
    uint64_t total = day.total;
    if (narrow_) {
      good += slot.cum_good;
      total += slot.cum_total;
    } else {
      const MinuteCounts c = s_.StoredHourCum(i);
      good += c.good;
      total += c.total;
    }
    if (i - pending_from_ < pending_count_) {
      good += pending_.good;
      total += pending_.total;
    }
    const uint32_t loc = slot.loc;
    if (IsFlat(loc)) {
      good += static_cast<uint64_t>(FlatGood(loc)) * static_cast<uint64_t>(k);
      total += static_cast<uint64_t>(FlatTotal(loc)) * static_cast<uint64_t>(k);
    } else {
      const MinuteCounts c = s_.PrefixWithinHour(loc, k);
      good += c.good;
      total += c.total;
    }
    return MinuteCounts{good, total};
  }

  const MinuteSeries& s_;
  const Slot* const slots_;
  const MinuteCounts* const days_;
  const int64_t lo_;
  const int64_t newest_;
  const size_t last_day_;
  const size_t hours_;
  const size_t day_offset_;
  const bool narrow_;
  // Slots [pending_from_, pending_from_ + pending_count_) add pending_.
  const size_t pending_from_;
  const size_t pending_count_;
  const MinuteCounts pending_;
};

MinuteCounts MinuteSeries::RunningSum(int64_t minute) const {
  if (slots_.empty()) return MinuteCounts{};
  return Reader(*this).At(minute);
}

void MinuteSeries::AddSums(const std::pair<int64_t, int64_t>* ranges, size_t n,
                           MinuteCounts* out) const {
  if (slots_.empty()) return;
  const Reader reader(*this);
  if (n > kFewRanges) {
    // Many ranges are usually steps, which share ends and which the hardware
    // prefetches well.
    int64_t known_minute = 0;
    MinuteCounts known;
    bool have_known = false;
    for (size_t k = 0; k < n; ++k) {
      const int64_t from = ranges[k].first;
      const int64_t to = ranges[k].second;
      if (from >= to) continue;
      const MinuteCounts a =
          have_known && from == known_minute ? known : reader.At(from);
      const MinuteCounts b =
          have_known && to == known_minute ? known : reader.At(to);
      known_minute = to;
      known = b;
      have_known = true;
      out[k].good += b.good - a.good;
      out[k].total += b.total - a.total;
    }
    return;
  }
  // A few ranges (burn-rate windows, usually ending at the same minute):
  // every hour word and day sum to read is one load independent of the
  // others, so locate them all and start loading them before waiting on any
  // (a series is often not in cache).
  Reader::Pos from_pos[kFewRanges];
  Reader::Pos to_pos[kFewRanges];
  int64_t last_to = 0;
  Reader::Pos last_to_pos{};
  bool have_last_to = false;
  for (size_t k = 0; k < n; ++k) {
    const int64_t from = ranges[k].first;
    const int64_t to = ranges[k].second;
    if (from >= to) continue;
    from_pos[k] = reader.Locate(from);
    reader.Prefetch(from_pos[k]);
    if (!have_last_to || to != last_to) {
      last_to = to;
      last_to_pos = reader.Locate(to);
      have_last_to = true;
      reader.Prefetch(last_to_pos);
    }
    to_pos[k] = last_to_pos;
  }
  // The last hours are usually blocks (which one is in the hour word):
  // start on the few at hand.
  blocks_.Prefetch();
  int64_t known_to = 0;
  MinuteCounts known;
  bool have_known = false;
  for (size_t k = 0; k < n; ++k) {
    const int64_t to = ranges[k].second;
    if (ranges[k].first >= to) continue;
    const MinuteCounts a = reader.At(from_pos[k]);
    if (!have_known || to != known_to) {
      known = reader.At(to_pos[k]);
      known_to = to;
      have_known = true;
    }
    out[k].good += known.good - a.good;
    out[k].total += known.total - a.total;
  }
}

MinuteCounts MinuteSeries::Sum(int64_t from, int64_t to) const {
  if (from >= to || slots_.empty()) return MinuteCounts{};
  const MinuteCounts a = RunningSum(from);
  const MinuteCounts b = RunningSum(to);
  return MinuteCounts{b.good - a.good, b.total - a.total};
}

void MinuteSeries::ForEachMinute(
    int64_t from, int64_t to,
    absl::FunctionRef<void(int64_t, uint64_t, uint64_t)> fn) const {
  if (from >= to || slots_.empty()) return;
  const int64_t lo = base_hour_ * 60;
  const int64_t hi = (base_hour_ + static_cast<int64_t>(hours())) * 60;
  from = std::max(from, lo);
  to = std::min(to, hi);
  for (int64_t hour = FloorDiv(from, 60); hour * 60 < to; ++hour) {
    const size_t i = static_cast<size_t>(hour - base_hour_);
    if (slots_[i].loc == kEmptyHour) continue;
    const int64_t start = std::max(from, hour * 60);
    const int64_t end = std::min(to, hour * 60 + 60);
    for (int64_t m = start; m < end; ++m) {
      const MinuteCounts c = MinuteAt(i, static_cast<int>(m - hour * 60));
      if (c.total != 0) fn(m, c.good, c.total);
    }
  }
}

// ------------------------------------------------------ sealing, retention

void MinuteSeries::SealHour(size_t i) {
  const uint32_t loc = slots_[i].loc;
  if (IsFlat(loc) || IsPacked(loc)) return;
  uint32_t good[60], total[60];
  {
    const Block& block = blocks_[loc];
    for (int m = 0; m < 60; ++m) {
      const MinuteCounts c = BlockMinute(block, m);
      good[m] = static_cast<uint32_t>(c.good);
      total[m] = static_cast<uint32_t>(c.total);
    }
  }
  // The counts most minutes share (Boyer-Moore majority vote; any
  // candidate is correct, a majority is merely smaller).
  uint32_t bg = good[0], bt = total[0];
  int votes = 0;
  for (int m = 0; m < 60; ++m) {
    if (votes == 0) {
      bg = good[m];
      bt = total[m];
    }
    votes += (good[m] == bg && total[m] == bt) ? 1 : -1;
  }
  int exceptions = 0;
  for (int m = 0; m < 60; ++m) {
    exceptions += !(good[m] == bg && total[m] == bt);
  }
  // A packed record must be smaller than the block it replaces.
  if (3 + 3 * exceptions >= 120) return;
  if (exceptions == 0 && bg <= kFlatMax && bt <= kFlatMax) {
    slots_[i].loc = kFlatBit | (bg << 15) | bt;
  } else {
    const int64_t offset = packed_base_ + static_cast<int64_t>(packed_.size());
    if (offset + 3 + 3 * exceptions >= kPackedBit) return;  // keep the block
    packed_.PushBack(bg);
    packed_.PushBack(bt);
    packed_.PushBack(static_cast<uint32_t>(exceptions));
    for (int m = 0; m < 60; ++m) {
      if (good[m] == bg && total[m] == bt) continue;
      packed_.PushBack(static_cast<uint32_t>(m));
      packed_.PushBack(good[m]);
      packed_.PushBack(total[m]);
    }
    slots_[i].loc = kPackedBit | static_cast<uint32_t>(offset);
  }
  blocks_.Free(loc);
}

void MinuteSeries::Seal(int64_t minute) {
  if (slots_.empty()) return;
  // Only hours this series has left an hour behind: a series whose data
  // lags the others keeps filling its current hour.
  minute = std::min(minute, newest_ - 60);
  const int64_t end_hour =
      FloorDiv(minute, 60);  // hours < end_hour end <= minute
  const int64_t start_hour = std::max(sealed_before_, base_hour_);
  const int64_t limit =
      std::min(end_hour, base_hour_ + static_cast<int64_t>(hours()));
  for (int64_t hour = start_hour; hour < limit; ++hour) {
    SealHour(static_cast<size_t>(hour - base_hour_));
  }
  sealed_before_ = std::max(sealed_before_, limit);
  for (int64_t hour : late_hours_) {
    if (hour >= base_hour_ && hour < end_hour &&
        hour - base_hour_ < static_cast<int64_t>(hours())) {
      SealHour(static_cast<size_t>(hour - base_hour_));
    }
  }
  late_hours_.clear();
}

void MinuteSeries::DropBefore(int64_t minute) {
  if (slots_.empty()) return;
  const int64_t end_hour = FloorDiv(minute, 60);
  if (end_hour <= base_hour_) return;
  FlushPending();
  const size_t n =
      std::min(static_cast<size_t>(end_hour - base_hour_), hours());
  for (size_t i = 0; i < n; ++i) {
    const uint32_t loc = slots_[i].loc;
    if (!IsFlat(loc) && !IsPacked(loc)) blocks_.Free(loc);
  }
  slots_.PopFront(n);
  cum32_.PopFront(n);
  cum64_.PopFront(n);
  base_hour_ += static_cast<int64_t>(n);
  if (slots_.empty()) {
    slots_.Clear();
    cum32_.Clear();
    cum64_.Clear();
    cum_bits_ = 16;
    day_cum_.Clear();
    packed_.Clear();
    packed_base_ = 0;
    newest_ = INT64_MIN;
    blocks_.Clear();
    return;
  }
  const int64_t first_day = FloorDiv(base_hour_, 24);
  if (first_day > base_day_) {
    day_cum_.PopFront(static_cast<size_t>(first_day - base_day_));
    base_day_ = first_day;
  }
  // The hour running sums of the first day still count its dropped hours:
  // move those counts into the day's running sum (every running sum read
  // stays the same), so that hours added before slot 0 later start from
  // nothing.
  const MinuteCounts gone = HourCum(0);
  if (gone.good != 0 || gone.total != 0) {
    const size_t first_day_end = std::min(hours(), 24 - day_offset());
    for (size_t j = 0; j < first_day_end; ++j) {
      const MinuteCounts c = HourCum(j);
      SetHourCum(j, MinuteCounts{c.good - gone.good, c.total - gone.total});
    }
    day_cum_[0].good += gone.good;
    day_cum_[0].total += gone.total;
  }
  // Records are appended as hours are sealed, mostly in time order: free
  // every word before the first record a remaining hour still uses.
  int64_t first_used = packed_base_ + static_cast<int64_t>(packed_.size());
  for (size_t i = 0; i < hours(); ++i) {
    const uint32_t loc = slots_[i].loc;
    if (IsPacked(loc)) {
      first_used = std::min<int64_t>(first_used, loc & ~kPackedBit);
    }
  }
  packed_.PopFront(static_cast<size_t>(first_used - packed_base_));
  packed_base_ = first_used;
}

size_t MinuteSeries::MemoryUsage() const {
  return sizeof(*this) + slots_.capacity() * sizeof(Slot) +
         cum32_.capacity() * sizeof(Cum32) +
         cum64_.capacity() * sizeof(MinuteCounts) +
         day_cum_.capacity() * sizeof(MinuteCounts) +
         packed_.capacity() * sizeof(uint32_t) + blocks_.MemoryUsage();
}

}  // namespace internal
}  // namespace sla
