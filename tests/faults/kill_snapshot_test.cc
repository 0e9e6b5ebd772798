// kill -9 while a store writes its snapshots. A child process
// (fault_helper loop) ingests batches and takes a snapshot every 5 batches,
// printing each acknowledgement to a pipe right after the ack; it is killed
// with SIGKILL, 20 times over one data directory:
//   - by the parent, after a pseudo-random number of acknowledgements;
//   - by itself, through the LD_PRELOAD shim fail_sync.c, inside the writing
//     of the (1 + pseudo-random)th snapshot: half-way through the write of
//     the .tmp file, before its fsync, before the rename, after the rename
//     (before the directory fsync), and after renaming a .tmp file cut to
//     half its size into place (a torn snapshot, as a file system that kept
//     the rename but not the data would leave).
// After every kill the parent reopens the store and checks that recovery
// succeeds, that every acknowledged batch is there exactly once (exact
// counts per minute; at most the one batch in flight beyond them), that a
// left-over .tmp file was removed and the torn snapshot was not loaded
// (renamed to .corrupt, the previous snapshot or the log used instead).
// The next child resends the first unacknowledged batch: a duplicate if it
// had reached the log.

#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "sla/clock.h"
#include "sla/storage/store.h"
#include "tests/faults/child_process.h"
#include "tests/faults/fault_batches.h"

namespace sla::faults {
namespace {

namespace fs = std::filesystem;

std::string HelperPath() {
  return BuildPath("FAULT_HELPER", FAULT_HELPER_PATH);
}
std::string ShimPath() { return BuildPath("FAULT_SHIM", FAULT_SHIM_PATH); }

int CountFiles(const std::string& dir, absl::string_view suffix) {
  int n = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (absl::EndsWith(entry.path().filename().string(), suffix)) ++n;
  }
  return n;
}

constexpr int kIterations = 20;
constexpr int kBatchesPerChild = 40;
constexpr int kSnapshotEvery = 5;
// Where the shim kills the child; "" is the parent's SIGKILL.
const char* const kKillPoints[] = {"",       "write",   "fsync",
                                   "rename", "renamed", "torn"};

TEST(KillDuringSnapshotTest, AcknowledgedBatchesSurviveEveryKillPoint) {
  const std::string dir =
      absl::StrCat(::testing::TempDir(), "/kill_snapshot_", ::getpid());
  fs::remove_all(dir);
  const std::string child_log = dir + ".stderr";
  fs::remove(child_log);
  const absl::Time start = absl::Now();
  std::mt19937 rng(20241126);
  int acked = 0;  // b0 .. b(acked-1) were acknowledged
  int killed_in_snapshot = 0;
  int corrupt_total = 0;
  bool expect_duplicate = false;  // b<acked> is in the log, unacknowledged
  for (int it = 0; it < kIterations; ++it) {
    const std::string point = kKillPoints[it % 6];
    const int skip = static_cast<int>(rng() % 3);  // snapshots let by
    const int kill_after = 1 + static_cast<int>(rng() % 30);  // parent's kill
    SCOPED_TRACE(absl::StrCat("iteration ", it, ", kill point '", point,
                              "', skip ", skip, ", kill_after ", kill_after,
                              ", acked ", acked));
    std::vector<std::string> env;
    if (!point.empty()) {
      env = {"LD_PRELOAD=" + ShimPath(), "SLAKIT_FAULT_KILL_AT=" + point,
             absl::StrCat("SLAKIT_FAULT_KILL_SKIP=", skip)};
    }
    const int first = acked;
    Child child = Child::Start(
        {HelperPath(), "loop", dir, absl::StrCat(first),
         absl::StrCat(kBatchesPerChild), absl::StrCat(kSnapshotEvery)},
        env, child_log);
    ASSERT_GT(child.pid(), 0);
    int snaps = 0;
    int acks_this_child = 0;
    bool resent_was_duplicate = false;
    std::string line;
    while (child.ReadLine(&line)) {
      int i = -1;
      if (line == "snap") {
        ++snaps;
        continue;
      }
      ASSERT_TRUE(
          (absl::StartsWith(line, "ack ") || absl::StartsWith(line, "dup ")) &&
          absl::SimpleAtoi(line.substr(4), &i))
          << line;
      ASSERT_EQ(i, acked) << line;
      if (absl::StartsWith(line, "dup ")) {
        // Only the resent first batch can be a duplicate.
        ASSERT_EQ(i, first);
        resent_was_duplicate = true;
      }
      ++acked;
      if (point.empty() && ++acks_this_child == kill_after) child.Kill();
    }
    const int status = child.Wait();
    ASSERT_GT(acked, first);
    EXPECT_EQ(resent_was_duplicate, expect_duplicate);
    if (point.empty()) {
      // Killed, unless it finished all its batches before the parent read
      // kill_after of them (the pipe buffers what the parent has not read).
      ASSERT_TRUE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) ||
                  (WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
                   acked == first + kBatchesPerChild))
          << "status " << status << "; see " << child_log;
    } else {
      // The shim killed it inside snapshot number skip + 1.
      ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
          << "the child was not killed at '" << point << "' (status " << status
          << "); see " << child_log;
      ASSERT_EQ(snaps, skip);
      ASSERT_EQ(acked - first, (skip + 1) * kSnapshotEvery);
      ++killed_in_snapshot;
    }

    FakeClock clock(FaultNow());
    storage::StoreOptions options;
    options.engine.clock = &clock;
    options.auto_snapshot_log_bytes = 0;
    options.log.segment_bytes = 4096;
    auto store = storage::Store::Open(dir, options);
    ASSERT_TRUE(store.ok()) << store.status();
    const storage::StoreRecovery& r = (*store)->recovery();
    SCOPED_TRACE(r.ToString());
    const bool tmp_left =
        point == "write" || point == "fsync" || point == "rename";
    EXPECT_EQ(r.temp_files_removed, tmp_left ? 1 : 0);
    EXPECT_EQ(CountFiles(dir, ".tmp"), 0);
    if (point == "torn") {
      // The torn snapshot is the newest file; it is set aside, never loaded.
      EXPECT_EQ(r.corrupt_snapshots_skipped, 1);
      ++corrupt_total;
    } else {
      EXPECT_EQ(r.corrupt_snapshots_skipped, 0);
    }
    EXPECT_EQ(CountFiles(dir, ".corrupt"), corrupt_total);
    if (point == "renamed") {
      // The renamed snapshot is complete (fsynced before the rename) and
      // is the one loaded.
      EXPECT_TRUE(r.from_snapshot);
      EXPECT_EQ(r.records_replayed, 0u);
    }
    EXPECT_EQ(r.log.intact_records_dropped, 0u);

    absl::StatusOr<SliId> sli = (*store)->engine().FindSli("web", "home");
    ASSERT_TRUE(sli.ok()) << sli.status();
    const int minutes = kIterations * kBatchesPerChild + 2;
    const std::vector<Counts> got =
        MinuteCounts((*store)->engine(), *sli, minutes);
    ASSERT_EQ(static_cast<int>(got.size()), minutes);
    // A prefix b0 .. b(present-1) is there, each exactly once: every
    // acknowledged batch, and at most the one in flight at the kill.
    int present = 0;
    while (present < minutes && got[present].total > 0) ++present;
    EXPECT_GE(present, acked);
    EXPECT_LE(present, acked + 1);
    for (int i = 0; i < minutes; ++i) {
      const Counts want = i < present ? BatchCounts(i) : Counts{};
      ASSERT_TRUE(got[i] == want)
          << "minute " << i << ": " << got[i].good << "/" << got[i].total
          << ", want " << want.good << "/" << want.total << ", present "
          << present;
    }
    // The batch in flight at the kill, when it reached the log, is what
    // the next child resends first: it must be answered as a duplicate.
    expect_duplicate = present == acked + 1;
  }
  EXPECT_EQ(killed_in_snapshot, kIterations - (kIterations + 5) / 6);
  // Bounded: the whole run stays well under the 30 s the task allows.
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));
  fs::remove_all(dir);
  fs::remove(child_log);
}

}  // namespace
}  // namespace sla::faults
