// sla/clock.h: the only way the engine learns the wall-clock time.
//
// The engine never calls absl::Now() itself. It asks a Clock, and only to
// reject results that claim to come from the future. Everything else (windows,
// retention) is measured from times the caller passes in or from the data.
// Tests inject a FakeClock and never sleep.
//
//   sla::FakeClock clock(absl::FromUnixSeconds(1704067200));
//   sla::EngineOptions options;
//   options.clock = &clock;
//   sla::Engine engine(options);
//   clock.Advance(absl::Minutes(5));
//
// Thread safety: every Clock implementation here is safe to call from several
// threads at once.

#ifndef SLA_CLOCK_H_
#define SLA_CLOCK_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sla {

// A source of the current time. Implementations must be thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;

  // The process-wide real clock (absl::Now()). Never null, never destroyed.
  static Clock* Real();
};

// A clock that stands still until told to move. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time now) : now_(now) {}
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Set(absl::Time now) {
    absl::MutexLock lock(&mu_);
    now_ = now;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sla

#endif  // SLA_CLOCK_H_
