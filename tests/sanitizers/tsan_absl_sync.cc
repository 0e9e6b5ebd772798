// ThreadSanitizer annotations for Debian's (uninstrumented) Abseil
// synchronization library, linked into every executable of the TSan build
// (tests/sanitizers/sanitizers.cmake) and nowhere else.
//
// libabsl_synchronization.so is built without -fsanitize=thread, so TSan
// does not see absl::Mutex acquire or release anything: every access guarded
// by an absl::Mutex would be reported as a data race. An Abseil built with
// TSan annotates its Mutex with the __tsan_mutex_* interface; this file does
// the same from outside. It defines the out-of-line members of absl::Mutex,
// absl::CondVar and absl::Notification that acquire or release, so that the
// executable's definitions interpose on the library's (the executable exports
// them, so calls from shared libraries such as gRPC's come here too); each
// tells TSan what the call does and then calls the library's own definition,
// found with dlsym(RTLD_NEXT). Accesses made inside the library (including
// absl::Condition functions that it evaluates) are ignored, as Abseil's own
// annotations ignore them.
//
// Thread-safe: the only state is the resolved function pointers (function
// local statics).

#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/base/config.h"
#include "absl/base/macros.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

#if !ABSL_OPTION_USE_INLINE_NAMESPACE
#error "the mangled names below assume Abseil's inline namespace"
#endif

namespace {

// The library's definition of `member`, the mangled name without
// "_ZN4absl<inline namespace>" ("_ZNK..." for a const member).
void* Real(const char* member, bool is_const = false) {
  const std::string ns =
      ABSL_INTERNAL_TOKEN_STR(ABSL_OPTION_INLINE_NAMESPACE_NAME);
  const std::string name = std::string(is_const ? "_ZNK4absl" : "_ZN4absl") +
                           std::to_string(ns.size()) + ns + member;
  void* fn = dlsym(RTLD_NEXT, name.c_str());
  if (fn == nullptr) {
    std::fprintf(stderr, "tsan_absl_sync: %s not found: %s\n", name.c_str(),
                 dlerror());
    std::abort();
  }
  return fn;
}

template <typename Fn>
Fn RealAs(const char* member, bool is_const = false) {
  return reinterpret_cast<Fn>(Real(member, is_const));
}

// The Mutex's only member is its lock word; kMuWriter (0x8) is set while a
// writer holds it. Tells how the calling thread holds `mu`.
unsigned HeldFlags(const absl::Mutex* mu) {
  static_assert(sizeof(absl::Mutex) == sizeof(std::intptr_t),
                "absl::Mutex is no longer a single word");
  const auto* word = reinterpret_cast<const std::atomic<std::intptr_t>*>(mu);
  return (word->load(std::memory_order_relaxed) & 0x8) != 0
             ? 0
             : __tsan_mutex_read_lock;
}

// The caller gives up `mu` for the duration of a wait and holds it again
// afterwards (Await, CondVar::Wait).
template <typename Wait>
auto ReleaseWhile(absl::Mutex* mu, Wait wait) {
  const unsigned flags = HeldFlags(mu);
  __tsan_mutex_pre_unlock(mu, flags);
  __tsan_mutex_post_unlock(mu, flags);
  __tsan_mutex_pre_lock(mu, flags);
  auto result = wait();
  __tsan_mutex_post_lock(mu, flags, 0);
  return result;
}

// Blocks until `mu` is held (in the mode of `flags`).
template <typename Acquire>
auto AcquireWith(absl::Mutex* mu, unsigned flags, Acquire acquire) {
  __tsan_mutex_pre_lock(mu, flags);
  auto result = acquire();
  __tsan_mutex_post_lock(mu, flags, 0);
  return result;
}

bool TryAcquireWith(absl::Mutex* mu, unsigned flags, bool (*acquire)(void*)) {
  flags |= __tsan_mutex_try_lock;
  __tsan_mutex_pre_lock(mu, flags);
  const bool locked = acquire(mu);
  __tsan_mutex_post_lock(
      mu, locked ? flags : flags | __tsan_mutex_try_lock_failed, 0);
  return locked;
}

void ReleaseWith(absl::Mutex* mu, unsigned flags, void (*release)(void*)) {
  __tsan_mutex_pre_unlock(mu, flags);
  release(mu);
  __tsan_mutex_post_unlock(mu, flags);
}

using Cond = const absl::Condition&;

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

Mutex::~Mutex() {
  static const auto real = RealAs<void (*)(Mutex*)>("5MutexD2Ev");
  __tsan_mutex_destroy(this, 0);
  real(this);
}

void Mutex::Lock() {
  static const auto real = RealAs<void (*)(Mutex*)>("5Mutex4LockEv");
  AcquireWith(this, 0, [&] { return (real(this), 0); });
}

void Mutex::ReaderLock() {
  static const auto real = RealAs<void (*)(Mutex*)>("5Mutex10ReaderLockEv");
  AcquireWith(this, __tsan_mutex_read_lock, [&] { return (real(this), 0); });
}

bool Mutex::TryLock() {
  static const auto real = RealAs<bool (*)(void*)>("5Mutex7TryLockEv");
  return TryAcquireWith(this, 0, real);
}

bool Mutex::ReaderTryLock() {
  static const auto real = RealAs<bool (*)(void*)>("5Mutex13ReaderTryLockEv");
  return TryAcquireWith(this, __tsan_mutex_read_lock, real);
}

void Mutex::Unlock() {
  static const auto real = RealAs<void (*)(void*)>("5Mutex6UnlockEv");
  ReleaseWith(this, 0, real);
}

void Mutex::ReaderUnlock() {
  static const auto real = RealAs<void (*)(void*)>("5Mutex12ReaderUnlockEv");
  ReleaseWith(this, __tsan_mutex_read_lock, real);
}

void Mutex::LockWhen(Cond cond) {
  static const auto real =
      RealAs<void (*)(Mutex*, Cond)>("5Mutex8LockWhenERKNS0_9ConditionE");
  AcquireWith(this, 0, [&] { return (real(this, cond), 0); });
}

void Mutex::ReaderLockWhen(Cond cond) {
  static const auto real = RealAs<void (*)(Mutex*, Cond)>(
      "5Mutex14ReaderLockWhenERKNS0_9ConditionE");
  AcquireWith(this, __tsan_mutex_read_lock,
              [&] { return (real(this, cond), 0); });
}

// The *WithTimeout members are the *WithDeadline ones (as in the library,
// which calls them itself): annotated once.
bool Mutex::LockWhenWithTimeout(Cond cond, Duration timeout) {
  return LockWhenWithDeadline(cond, Now() + timeout);
}

bool Mutex::ReaderLockWhenWithTimeout(Cond cond, Duration timeout) {
  return ReaderLockWhenWithDeadline(cond, Now() + timeout);
}

bool Mutex::LockWhenWithDeadline(Cond cond, Time deadline) {
  static const auto real = RealAs<bool (*)(Mutex*, Cond, Time)>(
      "5Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  return AcquireWith(this, 0, [&] { return real(this, cond, deadline); });
}

bool Mutex::ReaderLockWhenWithDeadline(Cond cond, Time deadline) {
  static const auto real = RealAs<bool (*)(Mutex*, Cond, Time)>(
      "5Mutex26ReaderLockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  return AcquireWith(this, __tsan_mutex_read_lock,
                     [&] { return real(this, cond, deadline); });
}

void Mutex::Await(Cond cond) {
  static const auto real =
      RealAs<void (*)(Mutex*, Cond)>("5Mutex5AwaitERKNS0_9ConditionE");
  ReleaseWhile(this, [&] { return (real(this, cond), 0); });
}

bool Mutex::AwaitWithTimeout(Cond cond, Duration timeout) {
  return AwaitWithDeadline(cond, Now() + timeout);
}

bool Mutex::AwaitWithDeadline(Cond cond, Time deadline) {
  static const auto real = RealAs<bool (*)(Mutex*, Cond, Time)>(
      "5Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  return ReleaseWhile(this, [&] { return real(this, cond, deadline); });
}

void CondVar::Wait(Mutex* mu) {
  static const auto real =
      RealAs<void (*)(CondVar*, Mutex*)>("7CondVar4WaitEPNS0_5MutexE");
  ReleaseWhile(mu, [&] { return (real(this, mu), 0); });
}

bool CondVar::WaitWithTimeout(Mutex* mu, Duration timeout) {
  return WaitWithDeadline(mu, Now() + timeout);
}

bool CondVar::WaitWithDeadline(Mutex* mu, Time deadline) {
  static const auto real = RealAs<bool (*)(CondVar*, Mutex*, Time)>(
      "7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  return ReleaseWhile(mu, [&] { return real(this, mu, deadline); });
}

// Notify releases at the address of the notified flag; the waits and the
// inline (instrumented) HasBeenNotified() acquire there.
void Notification::Notify() {
  static const auto real =
      RealAs<void (*)(Notification*)>("12Notification6NotifyEv");
  __tsan_release(&notified_yet_);
  real(this);
}

void Notification::WaitForNotification() const {
  static const auto real = RealAs<void (*)(const Notification*)>(
      "12Notification19WaitForNotificationEv", /*is_const=*/true);
  real(this);
  __tsan_acquire(const_cast<std::atomic<bool>*>(&notified_yet_));
}

bool Notification::WaitForNotificationWithTimeout(Duration timeout) const {
  static const auto real = RealAs<bool (*)(const Notification*, Duration)>(
      "12Notification30WaitForNotificationWithTimeoutENS0_8DurationE",
      /*is_const=*/true);
  const bool notified = real(this, timeout);
  if (notified) {
    __tsan_acquire(const_cast<std::atomic<bool>*>(&notified_yet_));
  }
  return notified;
}

bool Notification::WaitForNotificationWithDeadline(Time deadline) const {
  static const auto real = RealAs<bool (*)(const Notification*, Time)>(
      "12Notification31WaitForNotificationWithDeadlineENS0_4TimeE",
      /*is_const=*/true);
  const bool notified = real(this, deadline);
  if (notified) {
    __tsan_acquire(const_cast<std::atomic<bool>*>(&notified_yet_));
  }
  return notified;
}

ABSL_NAMESPACE_END
}  // namespace absl
