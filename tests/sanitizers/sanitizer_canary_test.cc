// Proof that a sanitizer build really catches errors (built only by
// SLAKIT_SANITIZE builds, tests/sanitizers/sanitizers.cmake). Each test runs
// deliberately wrong code in a death test's child process and asserts that
// the child dies with the sanitizer's report: a build without the
// instrumentation, or without the *_OPTIONS that make a report fatal, fails
// here instead of passing every other test silently.
//
// SLAKIT_SANITIZE_ADDRESS / _UNDEFINED / _THREAD say which sanitizers the
// build has (set by sanitizers.cmake from SLAKIT_SANITIZE).

#include <climits>
#include <cstdlib>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"

namespace {

// Out of the optimizer's sight: the wrong accesses below must happen.
[[maybe_unused]] volatile int sink = 0;

class SanitizerCanaryTest : public testing::Test {
 protected:
  // Re-executes the binary for each death test: safe with threads (TSan).
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

#if SLAKIT_SANITIZE_ADDRESS
void ReadOnePastTheEnd() {
  int* values = new int[4]{1, 2, 3, 4};
  volatile int index = 4;
  sink = values[index];
  delete[] values;
}

void LeakAndExit() {
  [[maybe_unused]] static int* volatile leaked = nullptr;
  leaked = new int[16];
  leaked = nullptr;  // the only pointer to the block is gone
  std::exit(0);      // LeakSanitizer checks at exit
}

TEST_F(SanitizerCanaryTest, HeapBufferOverflowIsReported) {
  EXPECT_DEATH(ReadOnePastTheEnd(),
               "AddressSanitizer: heap-buffer-overflow(.|\n)*READ of size 4");
}

TEST_F(SanitizerCanaryTest, LeakIsReported) {
  // ASAN_OPTIONS detect_leaks=1; under ASan a leak exits with ASan's code.
  EXPECT_EXIT(LeakAndExit(), testing::ExitedWithCode(1),
              "LeakSanitizer: detected memory leaks");
}
#endif

#if SLAKIT_SANITIZE_UNDEFINED
void OverflowSignedInt() {
  volatile int value = INT_MAX;
  sink = value + 1;
}

TEST_F(SanitizerCanaryTest, SignedOverflowIsReported) {
  EXPECT_DEATH(OverflowSignedInt(),
               "runtime error: signed integer overflow: 2147483647 \\+ 1");
}
#endif

#if SLAKIT_SANITIZE_THREAD
// Volatile: an internal variable that is never read would lose its stores.
volatile int unguarded = 0;

void RaceTwoWriters() {
  std::thread writer([] { unguarded = 1; });
  unguarded = 2;
  writer.join();
}

// Two threads increment a counter under an absl::Mutex, then exit(0): the
// child lives only if TSan sees the Mutex (tsan_absl_sync.cc) and so
// reports no race.
void CountUnderAbslMutex() {
  absl::Mutex mu;
  int count = 0;
  auto add = [&] {
    for (int i = 0; i < 1000; ++i) {
      absl::MutexLock lock(&mu);
      ++count;
    }
  };
  std::thread other(add);
  add();
  other.join();
  std::exit(count == 2000 ? 0 : 1);
}

TEST_F(SanitizerCanaryTest, DataRaceIsReported) {
  EXPECT_DEATH(RaceTwoWriters(), "ThreadSanitizer: data race");
}

TEST_F(SanitizerCanaryTest, AbslMutexIsSeenByThreadSanitizer) {
  EXPECT_EXIT(CountUnderAbslMutex(), testing::ExitedWithCode(0), "");
}
#endif

}  // namespace
