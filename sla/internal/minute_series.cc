#include "sla/internal/minute_series.h"

#include <algorithm>

namespace sla {
namespace internal {
namespace {

// Floor division for possibly negative minute indexes.
inline int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

size_t MinuteSeries::EnsureHour(int64_t hour) {
  if (hour_block_.empty()) {
    base_hour_ = hour;
    cum_.assign(2, MinuteCounts{});
    hour_block_.push_back(kFlat);
    return 0;
  }
  if (hour < base_hour_) {
    // New empty hours at the front: their running sums equal the old first.
    const size_t grow = static_cast<size_t>(base_hour_ - hour);
    cum_.insert(cum_.begin(), grow, cum_.front());
    hour_block_.insert(hour_block_.begin(), grow, kFlat);
    base_hour_ = hour;
    return 0;
  }
  const size_t i = static_cast<size_t>(hour - base_hour_);
  if (i >= hours()) {
    cum_.resize(i + 2, cum_.back());
    hour_block_.resize(i + 1, kFlat);
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

MinuteSeries::Block& MinuteSeries::MutableBlock(size_t i) {
  if (hour_block_[i] == kFlat) {
    const uint32_t b = NewBlock();
    Block& block = blocks_[b];
    // A flat hour holds the same counts in each of its 60 minutes.
    const MinuteCounts sum = HourSum(i);
    const uint32_t g = static_cast<uint32_t>(sum.good / 60);
    const uint32_t t = static_cast<uint32_t>(sum.total / 60);
    std::fill(std::begin(block.good), std::end(block.good), g);
    std::fill(std::begin(block.total), std::end(block.total), t);
    hour_block_[i] = b;
  }
  return blocks_[hour_block_[i]];
}

void MinuteSeries::Add(int64_t minute, uint32_t good, uint32_t total) {
  const int64_t hour = FloorDiv(minute, 60);
  const int m = static_cast<int>(minute - hour * 60);
  const size_t i = EnsureHour(hour);
  Block& block = MutableBlock(i);
  block.good[m] += good;
  block.total[m] += total;
  // Every running sum after hour i grows; for data in time order that is
  // only the last one.
  for (size_t k = i + 1; k < cum_.size(); ++k) {
    cum_[k].good += good;
    cum_[k].total += total;
  }
}

uint64_t MinuteSeries::Headroom(int64_t minute) const {
  const int64_t hour = FloorDiv(minute, 60);
  if (hour_block_.empty() || hour < base_hour_ ||
      hour - base_hour_ >= static_cast<int64_t>(hours())) {
    return kMaxMinuteCount;
  }
  const size_t i = static_cast<size_t>(hour - base_hour_);
  const uint64_t current =
      hour_block_[i] == kFlat
          ? HourSum(i).total / 60
          : blocks_[hour_block_[i]].total[minute - hour * 60];
  return kMaxMinuteCount - current;
}

MinuteCounts MinuteSeries::SumWithinHour(size_t i, int from_min,
                                         int to_min) const {
  MinuteCounts c;
  if (from_min >= to_min) return c;
  if (hour_block_[i] == kFlat) {
    const uint64_t n = static_cast<uint64_t>(to_min - from_min);
    const MinuteCounts sum = HourSum(i);
    c.good = sum.good / 60 * n;
    c.total = sum.total / 60 * n;
    return c;
  }
  if (from_min == 0 && to_min == 60) return HourSum(i);
  const Block& block = blocks_[hour_block_[i]];
  for (int m = from_min; m < to_min; ++m) {
    c.good += block.good[m];
    c.total += block.total[m];
  }
  return c;
}

MinuteCounts MinuteSeries::Sum(int64_t from, int64_t to) const {
  MinuteCounts c;
  if (from >= to || hour_block_.empty()) return c;
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
  const MinuteCounts head = SumWithinHour(fi, from_min, 60);
  const MinuteCounts tail = SumWithinHour(li, 0, to_min);
  // Whole hours fi+1 .. li-1 from the running sums.
  c.good = head.good + tail.good + (cum_[li].good - cum_[fi + 1].good);
  c.total = head.total + tail.total + (cum_[li].total - cum_[fi + 1].total);
  return c;
}

void MinuteSeries::ForEachMinute(
    int64_t from, int64_t to,
    absl::FunctionRef<void(int64_t, uint64_t, uint64_t)> fn) const {
  if (from >= to || hour_block_.empty()) return;
  const int64_t lo = base_hour_ * 60;
  const int64_t hi = (base_hour_ + static_cast<int64_t>(hours())) * 60;
  from = std::max(from, lo);
  to = std::min(to, hi);
  for (int64_t hour = FloorDiv(from, 60); hour * 60 < to; ++hour) {
    const size_t i = static_cast<size_t>(hour - base_hour_);
    const MinuteCounts sum = HourSum(i);
    if (sum.total == 0) continue;
    const int64_t start = std::max(from, hour * 60);
    const int64_t end = std::min(to, hour * 60 + 60);
    if (hour_block_[i] == kFlat) {
      const uint64_t g = sum.good / 60;
      const uint64_t t = sum.total / 60;
      for (int64_t m = start; m < end; ++m) fn(m, g, t);
    } else {
      const Block& block = blocks_[hour_block_[i]];
      for (int64_t m = start; m < end; ++m) {
        const int k = static_cast<int>(m - hour * 60);
        if (block.total[k] != 0) fn(m, block.good[k], block.total[k]);
      }
    }
  }
}

void MinuteSeries::Seal(int64_t minute) {
  if (hour_block_.empty()) return;
  const int64_t end_hour =
      FloorDiv(minute, 60);  // hours < end_hour end <= minute
  const int64_t start_hour = std::max(sealed_before_, base_hour_);
  const int64_t limit =
      std::min(end_hour, base_hour_ + static_cast<int64_t>(hours()));
  for (int64_t hour = start_hour; hour < limit; ++hour) {
    const size_t i = static_cast<size_t>(hour - base_hour_);
    if (hour_block_[i] == kFlat) continue;
    const Block& block = blocks_[hour_block_[i]];
    bool flat = true;
    for (int m = 1; m < 60 && flat; ++m) {
      flat = block.good[m] == block.good[0] && block.total[m] == block.total[0];
    }
    if (flat) {
      free_blocks_.push_back(hour_block_[i]);
      hour_block_[i] = kFlat;
    }
  }
  sealed_before_ = std::max(sealed_before_, limit);
}

void MinuteSeries::DropBefore(int64_t minute) {
  if (hour_block_.empty()) return;
  const int64_t end_hour = FloorDiv(minute, 60);
  if (end_hour <= base_hour_) return;
  const size_t n =
      std::min(static_cast<size_t>(end_hour - base_hour_), hours());
  for (size_t i = 0; i < n; ++i) {
    if (hour_block_[i] != kFlat) free_blocks_.push_back(hour_block_[i]);
  }
  cum_.erase(cum_.begin(), cum_.begin() + n);
  hour_block_.erase(hour_block_.begin(), hour_block_.begin() + n);
  base_hour_ += static_cast<int64_t>(n);
  if (hour_block_.empty()) {
    cum_.clear();
    blocks_.clear();
    free_blocks_.clear();
  }
}

size_t MinuteSeries::MemoryUsage() const {
  return sizeof(*this) + cum_.capacity() * sizeof(MinuteCounts) +
         hour_block_.capacity() * sizeof(uint32_t) +
         blocks_.capacity() * sizeof(Block) +
         free_blocks_.capacity() * sizeof(uint32_t);
}

}  // namespace internal
}  // namespace sla
