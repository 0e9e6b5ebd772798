// fsync failing. A child process (fault_helper sync) ingests batches into a
// durable store under the LD_PRELOAD shim fail_sync.c, which makes exactly
// one fdatasync of a log segment fail with EIO and lets every later one
// succeed, as a retried fsync does on Linux after the kernel dropped the
// dirty pages (PostgreSQL's "fsyncgate"). The child reports every outcome;
// the parent then reopens the store without the shim. Checked:
//   - the batch whose flush failed is not acknowledged: its error is
//     UNKNOWN (absl::ErrnoToStatus maps EIO there) and names fdatasync,
//     the segment file and the errno text;
//   - every later append, Snapshot() and Close() fails with that same error
//     (sticky) without calling fdatasync again: a later fsync "succeeding"
//     is never taken for the data being safe;
//   - reads keep answering in the failed store, with exact counts;
//   - after the restart every acknowledged batch is there exactly once, the
//     failed one is there at most once (its id is then a duplicate), and no
//     batch after it is.
// And a failing fsync of a snapshot's .tmp file: Snapshot() fails naming the
// file, no .tmp is left, the store is not failed and nothing is lost.

#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sla/clock.h"
#include "sla/storage/store.h"
#include "tests/faults/child_process.h"
#include "tests/faults/fault_batches.h"

namespace sla::faults {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string HelperPath() {
  return BuildPath("FAULT_HELPER", FAULT_HELPER_PATH);
}
std::string ShimPath() { return BuildPath("FAULT_SHIM", FAULT_SHIM_PATH); }

std::string NewDir(absl::string_view name) {
  const std::string dir = absl::StrCat(::testing::TempDir(), "/sync_failure_",
                                       name, "_", ::getpid());
  fs::remove_all(dir);
  return dir;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct ChildRun {
  std::vector<std::string> lines;
  std::string stderr_text;
  int status = -1;
};

ChildRun RunHelper(const std::string& dir, const std::string& policy,
                   int batches, const std::vector<std::string>& env) {
  ChildRun run;
  const std::string err = dir + ".stderr";
  fs::remove(err);
  Child child = Child::Start(
      {HelperPath(), "sync", dir, policy, absl::StrCat(batches)}, env, err);
  std::string line;
  while (child.ReadLine(&line)) run.lines.push_back(line);
  run.status = child.Wait();
  run.stderr_text = ReadText(err);
  fs::remove(err);
  return run;
}

struct SyncCase {
  const char* policy;
  // Batches the child sees acknowledged before the failing flush. The
  // shim counts the segment's flushes: its header (1), the SLI declaration
  // (2), then one per batch under both policies (interval 0), so with
  // FAIL_AFTER=5 b0..b2 are flushed and b3's flush fails.
  int acked;
  // Whether the child's engine shows the failed batch: under "always" the
  // batch is applied before its flush is awaited (store.h, step 6), under
  // "interval" the flush is part of its append and it is never applied.
  bool failed_batch_visible;
};

class SyncFailureTest : public ::testing::TestWithParam<SyncCase> {};

TEST_P(SyncFailureTest, FailedFlushIsNotAcknowledgedAndStaysFailed) {
  const SyncCase& c = GetParam();
  const std::string dir = NewDir(c.policy);
  constexpr int kBatches = 8;
  const ChildRun run = RunHelper(
      dir, c.policy, kBatches,
      {"LD_PRELOAD=" + ShimPath(), "SLAKIT_FAULT_SYNC_FAIL_AFTER=5",
       "SLAKIT_FAULT_SYNC_FAIL_COUNT=1", "SLAKIT_FAULT_SYNC_MATCH=/wal/wal-"});
  SCOPED_TRACE(absl::StrCat("child stdout:\n", absl::StrJoin(run.lines, "\n"),
                            "\nchild stderr:\n", run.stderr_text));
  ASSERT_TRUE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0)
      << "status " << run.status;
  // One line per batch, then snapshot, reads, close.
  ASSERT_GE(run.lines.size(), static_cast<size_t>(kBatches + 2));
  for (int i = 0; i < c.acked; ++i) {
    EXPECT_EQ(run.lines[i], absl::StrCat("ack ", i));
  }
  // The failed flush: not acknowledged, a clear error.
  const std::string& failed = run.lines[c.acked];
  EXPECT_THAT(failed, testing::StartsWith(
                          absl::StrCat("err ", c.acked, " UNKNOWN wal: ")));
  EXPECT_THAT(failed, HasSubstr("fdatasync"));
  EXPECT_THAT(failed, HasSubstr("/wal/wal-00000000000000000001.log"));
  EXPECT_THAT(failed, HasSubstr("Input/output error"));
  EXPECT_THAT(failed, HasSubstr("until it is reopened; reads still work"));
  const std::string error = failed.substr(failed.find(" UNKNOWN "));
  // Sticky: every later batch gets the same error, without a new flush.
  for (int i = c.acked + 1; i < kBatches; ++i) {
    EXPECT_EQ(run.lines[i], absl::StrCat("err ", i, error));
  }
  EXPECT_EQ(run.lines[kBatches], absl::StrCat("snapshot", error));
  // Reads keep working in the failed store, with exact counts.
  const int visible = c.acked + (c.failed_batch_visible ? 1 : 0);
  ASSERT_EQ(run.lines.size(), static_cast<size_t>(kBatches + 1 + visible + 1));
  for (int i = 0; i < visible; ++i) {
    const Counts want = BatchCounts(i);
    EXPECT_EQ(run.lines[kBatches + 1 + i],
              absl::StrCat("read ", i, " ", want.good, " ", want.total));
  }
  EXPECT_EQ(run.lines.back(), absl::StrCat("close", error));
  // Exactly one fdatasync failed, and none was tried after it (a retry
  // would have "succeeded": fsyncgate).
  EXPECT_THAT(run.stderr_text,
              HasSubstr("fail_sync: matched=6 failed=1 after_failure=0"));

  // Restart without the shim.
  FakeClock clock(FaultNow());
  storage::StoreOptions options;
  options.engine.clock = &clock;
  options.auto_snapshot_log_bytes = 0;
  auto store = storage::Store::Open(dir, options);
  ASSERT_TRUE(store.ok()) << store.status();
  SCOPED_TRACE((*store)->recovery().ToString());
  EXPECT_FALSE((*store)->recovery().log.tail_dropped);
  const SliId sli = (*store)->engine().FindSli("web", "home").value();
  const std::vector<Counts> got =
      MinuteCounts((*store)->engine(), sli, kBatches + 1);
  ASSERT_EQ(got.size(), static_cast<size_t>(kBatches + 1));
  // The failed batch was written before its flush failed, and the shim
  // did not drop the page cache: it is in the log (store.h: "may or may
  // not be present ... never twice"). Nothing after it is.
  for (int i = 0; i <= kBatches; ++i) {
    const Counts want = i <= c.acked ? BatchCounts(i) : Counts{};
    EXPECT_TRUE(got[i] == want)
        << "minute " << i << ": " << got[i].good << "/" << got[i].total;
  }
  // Resending the failed batch: a duplicate, applied once; the first batch
  // never written is applied now.
  absl::StatusOr<storage::IngestAck> again =
      (*store)->Ingest(BatchId(c.acked), Batch(sli, c.acked));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->duplicate);
  absl::StatusOr<storage::IngestAck> next =
      (*store)->Ingest(BatchId(c.acked + 1), Batch(sli, c.acked + 1));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_FALSE(next->duplicate);
  const std::vector<Counts> after =
      MinuteCounts((*store)->engine(), sli, kBatches + 1);
  EXPECT_TRUE(after[c.acked] == BatchCounts(c.acked));
  EXPECT_TRUE(after[c.acked + 1] == BatchCounts(c.acked + 1));
  EXPECT_TRUE((*store)->Close().ok());
  store->reset();
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Policies, SyncFailureTest,
                         ::testing::Values(SyncCase{"always", 3, true},
                                           SyncCase{"interval", 3, false}),
                         [](const ::testing::TestParamInfo<SyncCase>& info) {
                           return std::string(info.param.policy);
                         });

TEST(SnapshotSyncFailureTest, FailedSnapshotFsyncLosesNothing) {
  const std::string dir = NewDir("snapshot");
  constexpr int kBatches = 6;
  const ChildRun run =
      RunHelper(dir, "always", kBatches,
                {"LD_PRELOAD=" + ShimPath(), "SLAKIT_FAULT_SYNC_FAIL_AFTER=0",
                 "SLAKIT_FAULT_SYNC_MATCH=.snap.tmp"});
  SCOPED_TRACE(absl::StrCat("child stdout:\n", absl::StrJoin(run.lines, "\n"),
                            "\nchild stderr:\n", run.stderr_text));
  ASSERT_TRUE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0);
  ASSERT_EQ(run.lines.size(), static_cast<size_t>(kBatches + 1 + kBatches + 1));
  for (int i = 0; i < kBatches; ++i) {
    EXPECT_EQ(run.lines[i], absl::StrCat("ack ", i));
  }
  const std::string& snap = run.lines[kBatches];
  EXPECT_THAT(snap, testing::StartsWith("snapshot UNKNOWN store: fsync "));
  EXPECT_THAT(snap, HasSubstr("/snapshot-00000000000000000007.snap.tmp"));
  EXPECT_THAT(snap, HasSubstr("Input/output error"));
  // Not sticky: the log is fine, the store closes cleanly.
  EXPECT_EQ(run.lines.back(), "close OK ");
  EXPECT_THAT(run.stderr_text,
              HasSubstr("fail_sync: matched=1 failed=1 after_failure=0"));
  int snapshots = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    EXPECT_FALSE(absl::EndsWith(name, ".tmp")) << name;
    if (absl::StartsWith(name, "snapshot-")) ++snapshots;
  }
  EXPECT_EQ(snapshots, 0);

  FakeClock clock(FaultNow());
  storage::StoreOptions options;
  options.engine.clock = &clock;
  options.auto_snapshot_log_bytes = 0;
  auto store = storage::Store::Open(dir, options);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_FALSE((*store)->recovery().from_snapshot);
  const SliId sli = (*store)->engine().FindSli("web", "home").value();
  const std::vector<Counts> got =
      MinuteCounts((*store)->engine(), sli, kBatches + 1);
  for (int i = 0; i <= kBatches; ++i) {
    const Counts want = i < kBatches ? BatchCounts(i) : Counts{};
    EXPECT_TRUE(got[i] == want) << "minute " << i;
  }
  // Snapshots work again once fsync does.
  EXPECT_TRUE((*store)->Snapshot().ok());
  store->reset();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace sla::faults
