// tests/faults/fault_batches.h: the deterministic batches the fault tests
// ingest, shared by the tests and the child process they run
// (fault_helper.cc), and the check that a recovered store holds exactly a
// given set of them. Test-only; header-only.
//
// Batch i is "b<i>": 1 + i % 5 probe results of the SLI web/home, all in
// minute i after kT0Ms, the last one failed when i % 3 == 0. So minute i of
// the store holds exactly BatchCounts(i) once batch i was applied once, and
// twice that if it were applied twice.

#ifndef TESTS_FAULTS_FAULT_BATCHES_H_
#define TESTS_FAULTS_FAULT_BATCHES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "sla/engine.h"
#include "sla/objective.h"

namespace sla::faults {

inline constexpr int64_t kT0Ms = 1704067200000;  // 2024-01-01T00:00:00Z
inline constexpr int64_t kMinuteMs = 60000;

// A "now" after every batch minute the tests use (< 10 days of minutes), so
// that no batch is in the future; the retention (35 days) keeps them all.
inline absl::Time FaultNow() {
  return absl::FromUnixMillis(kT0Ms) + absl::Hours(24 * 10);
}

inline std::string BatchId(int i) { return absl::StrCat("b", i); }

inline std::vector<ProbeResult> Batch(SliId sli, int i, int size = 0) {
  const int n = size > 0 ? size : 1 + i % 5;
  std::vector<ProbeResult> out;
  for (int j = 0; j < n; ++j) {
    const bool ok = !(i % 3 == 0 && j == n - 1);
    out.push_back({sli, kT0Ms + i * kMinuteMs + j, ok, 10.0 + j});
  }
  return out;
}

inline Counts BatchCounts(int i, int size = 0) {
  const int64_t n = size > 0 ? size : 1 + i % 5;
  return Counts{i % 3 == 0 ? n - 1 : n, n};
}

// The per-minute counts of minutes [0, minutes) of `sli`.
inline std::vector<Counts> MinuteCounts(const Engine& engine, SliId sli,
                                        int minutes) {
  const SliId ids[] = {sli};
  absl::StatusOr<std::vector<Counts>> got = engine.QueryRange(
      ids, absl::FromUnixMillis(kT0Ms), absl::Minutes(1), minutes);
  return got.ok() ? *got : std::vector<Counts>();
}

}  // namespace sla::faults

#endif  // TESTS_FAULTS_FAULT_BATCHES_H_
