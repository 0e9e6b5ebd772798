#include "sla/internal/minute_series.h"

#include <algorithm>

namespace sla {
namespace internal {
namespace {

// Floor division for possibly negative minute and hour indexes.
inline int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

size_t MinuteSeries::EnsureHour(int64_t hour) {
  if (loc_.empty()) {
    base_hour_ = hour;
    loc_.push_back(kEmptyHour);
    base_day_ = FloorDiv(hour, 24);
    day_cum_.assign(2, MinuteCounts{});
    return 0;
  }
  if (hour < base_hour_) {
    loc_.insert(loc_.begin(), static_cast<size_t>(base_hour_ - hour),
                kEmptyHour);
    base_hour_ = hour;
    const int64_t day = FloorDiv(hour, 24);
    if (day < base_day_) {
      // New days at the front sum to nothing: copy the first running sum.
      day_cum_.insert(day_cum_.begin(), static_cast<size_t>(base_day_ - day),
                      day_cum_.front());
      base_day_ = day;
    }
    return 0;
  }
  const size_t i = static_cast<size_t>(hour - base_hour_);
  if (i >= hours()) {
    loc_.resize(i + 1, kEmptyHour);
    const size_t days = static_cast<size_t>(FloorDiv(hour, 24) - base_day_) + 1;
    if (day_cum_.size() < days + 1) {
      day_cum_.resize(days + 1, day_cum_.back());
    }
  }
  return i;
}

uint32_t MinuteSeries::NewBlock() {
  if (!free_blocks_.empty()) {
    const uint32_t b = free_blocks_.back();
    free_blocks_.pop_back();
    return b;
  }
  blocks_.emplace_back();
  return static_cast<uint32_t>(blocks_.size() - 1);
}

MinuteCounts MinuteSeries::MinuteAt(size_t i, int m) const {
  const uint32_t loc = loc_[i];
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
  const Block& b = blocks_[loc];
  return MinuteCounts{b.good[m], b.total[m]};
}

MinuteSeries::Block& MinuteSeries::MutableBlock(size_t i) {
  const uint32_t loc = loc_[i];
  if (!IsFlat(loc) && !IsPacked(loc)) return blocks_[loc];
  const uint32_t b = NewBlock();
  Block& block = blocks_[b];
  block.sum = MinuteCounts{};
  for (int m = 0; m < 60; ++m) {
    const MinuteCounts c = MinuteAt(i, m);
    block.good[m] = static_cast<uint32_t>(c.good);
    block.total[m] = static_cast<uint32_t>(c.total);
    block.sum.good += c.good;
    block.sum.total += c.total;
  }
  loc_[i] = b;  // a packed record left behind is freed with its hour
  // A late result for a sealed hour: seal it again next time.
  if (base_hour_ + static_cast<int64_t>(i) < sealed_before_) {
    late_hours_.push_back(base_hour_ + static_cast<int64_t>(i));
  }
  return block;
}

void MinuteSeries::Add(int64_t minute, uint32_t good, uint32_t total) {
  const int64_t hour = FloorDiv(minute, 60);
  const int m = static_cast<int>(minute - hour * 60);
  const size_t i = EnsureHour(hour);
  newest_ = std::max(newest_, minute);
  Block& block = MutableBlock(i);
  block.good[m] += good;
  block.total[m] += total;
  block.sum.good += good;
  block.sum.total += total;
  // Every running sum after this hour's day grows; for data in time order
  // that is only the last one.
  const size_t d = static_cast<size_t>(FloorDiv(hour, 24) - base_day_);
  for (size_t k = d + 1; k < day_cum_.size(); ++k) {
    day_cum_[k].good += good;
    day_cum_[k].total += total;
  }
}

uint64_t MinuteSeries::Headroom(int64_t minute) const {
  const int64_t hour = FloorDiv(minute, 60);
  if (loc_.empty() || hour < base_hour_ ||
      hour - base_hour_ >= static_cast<int64_t>(hours())) {
    return kMaxMinuteCount;
  }
  const size_t i = static_cast<size_t>(hour - base_hour_);
  return kMaxMinuteCount -
         MinuteAt(i, static_cast<int>(minute - hour * 60)).total;
}

MinuteCounts MinuteSeries::SumWithinHour(size_t i, int from_min,
                                         int to_min) const {
  MinuteCounts c;
  if (from_min >= to_min) return c;
  const uint32_t loc = loc_[i];
  const uint64_t n = static_cast<uint64_t>(to_min - from_min);
  if (IsFlat(loc)) {
    c.good = FlatGood(loc) * n;
    c.total = FlatTotal(loc) * n;
    return c;
  }
  if (IsPacked(loc)) {
    const size_t r = PackedIndex(loc);
    const uint64_t base_good = packed_[r];
    const uint64_t base_total = packed_[r + 1];
    c.good = base_good * n;
    c.total = base_total * n;
    const uint32_t count = packed_[r + 2];
    for (uint32_t k = 0; k < count; ++k) {
      const size_t e = r + 3 + 3 * k;
      const uint32_t minute = packed_[e];
      if (minute < static_cast<uint32_t>(from_min)) continue;
      if (minute >= static_cast<uint32_t>(to_min)) break;
      c.good = c.good - base_good + packed_[e + 1];
      c.total = c.total - base_total + packed_[e + 2];
    }
    return c;
  }
  const Block& block = blocks_[loc];
  if (n == 60) return block.sum;
  for (int m = from_min; m < to_min; ++m) {
    c.good += block.good[m];
    c.total += block.total[m];
  }
  return c;
}

MinuteCounts MinuteSeries::SumHours(size_t a, size_t b) const {
  MinuteCounts c;
  if (a >= b) return c;
  // Whole days inside [a, b) come from the running sums.
  const int64_t ha = base_hour_ + static_cast<int64_t>(a);
  const int64_t hb = base_hour_ + static_cast<int64_t>(b);
  const int64_t da = FloorDiv(ha + 23, 24);  // first whole day
  const int64_t db = FloorDiv(hb, 24);       // end of the whole days
  if (da < db) {
    const size_t ka = static_cast<size_t>(da - base_day_);
    const size_t kb = static_cast<size_t>(db - base_day_);
    c.good = day_cum_[kb].good - day_cum_[ka].good;
    c.total = day_cum_[kb].total - day_cum_[ka].total;
    for (int64_t h = ha; h < da * 24; ++h) {
      const MinuteCounts s = HourSum(static_cast<size_t>(h - base_hour_));
      c.good += s.good;
      c.total += s.total;
    }
    for (int64_t h = db * 24; h < hb; ++h) {
      const MinuteCounts s = HourSum(static_cast<size_t>(h - base_hour_));
      c.good += s.good;
      c.total += s.total;
    }
    return c;
  }
  for (size_t i = a; i < b; ++i) {
    const MinuteCounts s = HourSum(i);
    c.good += s.good;
    c.total += s.total;
  }
  return c;
}

MinuteCounts MinuteSeries::Sum(int64_t from, int64_t to) const {
  MinuteCounts c;
  if (from >= to || loc_.empty()) return c;
  const int64_t lo = base_hour_ * 60;
  const int64_t hi = (base_hour_ + static_cast<int64_t>(hours())) * 60;
  from = std::max(from, lo);
  to = std::min(to, hi);
  if (from >= to) return c;
  const int64_t first_hour = FloorDiv(from, 60);
  const int64_t last_hour = FloorDiv(to - 1, 60);
  const size_t fi = static_cast<size_t>(first_hour - base_hour_);
  const size_t li = static_cast<size_t>(last_hour - base_hour_);
  const int from_min = static_cast<int>(from - first_hour * 60);
  const int to_min = static_cast<int>(to - last_hour * 60);
  if (fi == li) return SumWithinHour(fi, from_min, to_min);
  // Partial hours at the edges minute by minute, whole hours in between.
  const size_t whole_from = from_min == 0 ? fi : fi + 1;
  const size_t whole_to = to_min == 60 ? li + 1 : li;
  const MinuteCounts head =
      from_min == 0 ? MinuteCounts{} : SumWithinHour(fi, from_min, 60);
  const MinuteCounts tail =
      to_min == 60 ? MinuteCounts{} : SumWithinHour(li, 0, to_min);
  const MinuteCounts mid = SumHours(whole_from, whole_to);
  c.good = head.good + tail.good + mid.good;
  c.total = head.total + tail.total + mid.total;
  return c;
}

void MinuteSeries::ForEachMinute(
    int64_t from, int64_t to,
    absl::FunctionRef<void(int64_t, uint64_t, uint64_t)> fn) const {
  if (from >= to || loc_.empty()) return;
  const int64_t lo = base_hour_ * 60;
  const int64_t hi = (base_hour_ + static_cast<int64_t>(hours())) * 60;
  from = std::max(from, lo);
  to = std::min(to, hi);
  for (int64_t hour = FloorDiv(from, 60); hour * 60 < to; ++hour) {
    const size_t i = static_cast<size_t>(hour - base_hour_);
    if (loc_[i] == kEmptyHour) continue;
    const int64_t start = std::max(from, hour * 60);
    const int64_t end = std::min(to, hour * 60 + 60);
    for (int64_t m = start; m < end; ++m) {
      const MinuteCounts c = MinuteAt(i, static_cast<int>(m - hour * 60));
      if (c.total != 0) fn(m, c.good, c.total);
    }
  }
}

void MinuteSeries::SealHour(size_t i) {
  const uint32_t loc = loc_[i];
  if (IsFlat(loc) || IsPacked(loc)) return;
  const Block& block = blocks_[loc];
  // The counts most minutes share (Boyer-Moore majority vote; any
  // candidate is correct, a majority is merely smaller).
  uint32_t bg = block.good[0], bt = block.total[0];
  int votes = 0;
  for (int m = 0; m < 60; ++m) {
    if (votes == 0) {
      bg = block.good[m];
      bt = block.total[m];
    }
    votes += (block.good[m] == bg && block.total[m] == bt) ? 1 : -1;
  }
  int exceptions = 0;
  for (int m = 0; m < 60; ++m) {
    exceptions += !(block.good[m] == bg && block.total[m] == bt);
  }
  // A packed record must be smaller than the block it replaces.
  if (3 + 3 * exceptions >= 120) return;
  if (exceptions == 0 && bg <= kFlatMax && bt <= kFlatMax) {
    loc_[i] = kFlatBit | (bg << 15) | bt;
  } else {
    const int64_t offset = packed_base_ + static_cast<int64_t>(packed_.size());
    if (offset + 3 + 3 * exceptions >= kPackedBit) return;  // keep the block
    packed_.push_back(bg);
    packed_.push_back(bt);
    packed_.push_back(static_cast<uint32_t>(exceptions));
    for (int m = 0; m < 60; ++m) {
      if (block.good[m] == bg && block.total[m] == bt) continue;
      packed_.push_back(static_cast<uint32_t>(m));
      packed_.push_back(block.good[m]);
      packed_.push_back(block.total[m]);
    }
    loc_[i] = kPackedBit | static_cast<uint32_t>(offset);
  }
  free_blocks_.push_back(loc);
}

void MinuteSeries::Seal(int64_t minute) {
  if (loc_.empty()) return;
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
  // Blocks freed for good (all hours sealed) give their memory back.
  if (free_blocks_.size() == blocks_.size() && blocks_.size() > 4) {
    blocks_.clear();
    blocks_.shrink_to_fit();
    free_blocks_.clear();
  }
}

void MinuteSeries::DropBefore(int64_t minute) {
  if (loc_.empty()) return;
  const int64_t end_hour = FloorDiv(minute, 60);
  if (end_hour <= base_hour_) return;
  const size_t n =
      std::min(static_cast<size_t>(end_hour - base_hour_), hours());
  for (size_t i = 0; i < n; ++i) {
    const uint32_t loc = loc_[i];
    if (!IsFlat(loc) && !IsPacked(loc)) free_blocks_.push_back(loc);
  }
  loc_.erase(loc_.begin(), loc_.begin() + static_cast<ptrdiff_t>(n));
  base_hour_ += static_cast<int64_t>(n);
  if (loc_.empty()) {
    day_cum_.clear();
    packed_.clear();
    packed_base_ = 0;
    newest_ = INT64_MIN;
    blocks_.clear();
    free_blocks_.clear();
    return;
  }
  const int64_t first_day = FloorDiv(base_hour_, 24);
  if (first_day > base_day_) {
    day_cum_.erase(
        day_cum_.begin(),
        day_cum_.begin() + static_cast<ptrdiff_t>(first_day - base_day_));
    base_day_ = first_day;
  }
  // Records are appended as hours are sealed, mostly in time order: free
  // every word before the first record a remaining hour still uses.
  int64_t first_used = packed_base_ + static_cast<int64_t>(packed_.size());
  for (uint32_t loc : loc_) {
    if (IsPacked(loc)) {
      first_used = std::min<int64_t>(first_used, loc & ~kPackedBit);
    }
  }
  packed_.erase(
      packed_.begin(),
      packed_.begin() + static_cast<ptrdiff_t>(first_used - packed_base_));
  packed_base_ = first_used;
}

size_t MinuteSeries::MemoryUsage() const {
  // A deque holds its elements in 512-byte chunks plus a map of pointers.
  const auto deque_bytes = [](size_t n, size_t elem) {
    const size_t per_chunk = std::max<size_t>(1, 512 / elem);
    const size_t chunks = (n + per_chunk - 1) / per_chunk + 1;
    return chunks * 512 + chunks * sizeof(void*);
  };
  return sizeof(*this) + deque_bytes(loc_.size(), sizeof(uint32_t)) +
         deque_bytes(day_cum_.size(), sizeof(MinuteCounts)) +
         deque_bytes(packed_.size(), sizeof(uint32_t)) +
         blocks_.capacity() * sizeof(Block) +
         free_blocks_.capacity() * sizeof(uint32_t);
}

}  // namespace internal
}  // namespace sla
