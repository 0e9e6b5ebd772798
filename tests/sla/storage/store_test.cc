// Tests of sla::storage::Store: replay without a snapshot, snapshots with
// segment and snapshot-file removal, fallback past a corrupt newest snapshot,
// left-over temporary files, idempotent ingest across reopen and the dedupe
// horizon, invalid batches kept out of the log, the "rejected" record,
// torn log tails, the directory lock, and a fork()/SIGKILL crash test. Every
// recovered state is compared with a from-scratch engine fed the same
// batches. Time comes from a sla::FakeClock; nothing sleeps.

#include "sla/storage/store.h"

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sla/clock.h"
#include "sla/engine.h"
#include "tests/testing/remove_at_exit.h"

namespace sla::storage {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kT0Ms = 1704067200000;  // 2024-01-01T00:00:00Z
constexpr int64_t kMinuteMs = 60000;

absl::Time Now0() { return absl::FromUnixMillis(kT0Ms) + absl::Hours(24 * 3); }

std::string NewDir(absl::string_view name) {
  static int counter = 0;
  const std::string dir = absl::StrCat(::testing::TempDir(), "/store_test_",
                                       name, "_", ::getpid(), "_", counter++);
  fs::remove_all(dir);
  slakit_testing::RemoveAtExit(dir);
  return dir;
}

StoreOptions Options(FakeClock* clock) {
  StoreOptions options;
  options.engine.clock = clock;
  options.log.clock = clock;
  options.log.segment_bytes = 2048;  // several segments per test
  return options;
}

// Files of `dir` whose names start with `prefix` and end with `suffix`.
int CountFiles(const std::string& dir, absl::string_view prefix,
               absl::string_view suffix) {
  int n = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (absl::StartsWith(name, prefix) && absl::EndsWith(name, suffix)) ++n;
  }
  return n;
}

std::vector<std::string> Files(const std::string& dir, absl::string_view prefix,
                               absl::string_view suffix) {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (absl::StartsWith(name, prefix) && absl::EndsWith(name, suffix)) {
      out.push_back(name);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The declarations every test uses, applied to a store or an engine.
template <typename T>
void Declare(T& target) {
  ASSERT_EQ(target.AddSli({"web", "home"}).value(), 0u);
  SliSpec api{"web", "api", SliKind::kLatencyThreshold, 200};
  ASSERT_EQ(target.AddSli(api).value(), 1u);
  SliSpec checkout{"app", "checkout", SliKind::kEventRatio, 0};
  ASSERT_EQ(target.AddSli(checkout).value(), 2u);
  ObjectiveSpec slo;
  slo.service = "web";
  slo.name = "availability";
  slo.slis = {"home"};
  slo.target_percent = 99.5;
  slo.window = "7d";
  ASSERT_EQ(target.AddObjective(slo).value(), 0u);
}

// Batch i: results in minute i, a varying number and outcome.
std::vector<ProbeResult> Batch(int i) {
  std::vector<ProbeResult> out;
  const int64_t t = kT0Ms + int64_t{i} * kMinuteMs;
  for (int k = 0; k <= i % 3; ++k) {
    out.push_back({0, t + k * 1000, (i + k) % 4 != 0, 10.0 * k});
  }
  out.push_back({1, t + 500, true, static_cast<double>((i * 37) % 400)});
  return out;
}

std::vector<EventCount> Events(int i) {
  const int64_t t = kT0Ms + int64_t{i} * kMinuteMs;
  return {{2, t, 90 + i % 10, 100}};
}

// Feeds batches [from, to) (probes, and events for every 5th) to a store.
void FeedStore(Store& store, int from, int to) {
  for (int i = from; i < to; ++i) {
    absl::StatusOr<IngestAck> ack =
        store.Ingest(absl::StrCat("b", i), Batch(i));
    ASSERT_TRUE(ack.ok()) << ack.status();
    ASSERT_FALSE(ack->duplicate);
    if (i % 5 == 0) {
      ack = store.IngestEvents(absl::StrCat("e", i), Events(i));
      ASSERT_TRUE(ack.ok()) << ack.status();
    }
  }
}

void FeedEngine(Engine& engine, int from, int to) {
  for (int i = from; i < to; ++i) {
    ASSERT_TRUE(engine.Ingest(Batch(i)).ok());
    if (i % 5 == 0) {
      ASSERT_TRUE(engine.IngestEvents(Events(i)).ok());
    }
  }
}

// The same SLIs, objectives, counters (per minute) and answers.
void ExpectSameState(const Engine& got, const Engine& want) {
  EXPECT_EQ(got.Services(), want.Services());
  for (SliId id = 0; id < 3; ++id) {
    absl::StatusOr<SliSpec> a = got.GetSli(id);
    absl::StatusOr<SliSpec> b = want.GetSli(id);
    ASSERT_TRUE(a.ok()) << a.status();
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(a->service, b->service);
    EXPECT_EQ(a->name, b->name);
    EXPECT_EQ(a->kind, b->kind);
    const SliId ids[] = {id};
    absl::StatusOr<std::vector<Counts>> ra = got.QueryRange(
        ids, absl::FromUnixMillis(kT0Ms), absl::Minutes(1), 1000);
    absl::StatusOr<std::vector<Counts>> rb = want.QueryRange(
        ids, absl::FromUnixMillis(kT0Ms), absl::Minutes(1), 1000);
    ASSERT_TRUE(ra.ok()) << ra.status();
    ASSERT_TRUE(rb.ok());
    EXPECT_TRUE(*ra == *rb) << "SLI " << id;
  }
  EXPECT_FALSE(got.GetSli(3).ok());
  absl::StatusOr<ObjectiveStatus> a = got.Evaluate(0, Now0());
  absl::StatusOr<ObjectiveStatus> b = want.Evaluate(0, Now0());
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->budget.good, b->budget.good);
  EXPECT_EQ(a->budget.total, b->budget.total);
  EXPECT_GT(a->budget.total, 0);
  EXPECT_EQ(got.newest(), want.newest());
  std::string ea, eb;
  got.EncodeState(&ea);
  want.EncodeState(&eb);
  EXPECT_EQ(ea, eb);
}

Counts Total(const Engine& engine, SliId sli) {
  return engine
      .Query(sli, {absl::FromUnixMillis(kT0Ms),
                   absl::FromUnixMillis(kT0Ms) + absl::Hours(48)})
      .value();
}

// ---------------------------------------------------------------- tests

TEST(StoreTest, ReopenWithoutSnapshotReplaysEverything) {
  FakeClock clock(Now0());
  const std::string dir = NewDir("replay");
  StoreOptions options = Options(&clock);
  {
    auto store = Store::Open(dir, options);
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_FALSE((*store)->recovery().from_snapshot);
    Declare(**store);
    FeedStore(**store, 0, 60);
    ASSERT_TRUE((*store)->Close().ok());
  }
  Engine want(options.engine);
  Declare(want);
  FeedEngine(want, 0, 60);

  auto store = Store::Open(dir, options);
  ASSERT_TRUE(store.ok()) << store.status();
  const StoreRecovery& r = (*store)->recovery();
  EXPECT_FALSE(r.from_snapshot);
  EXPECT_EQ(r.records_replayed, 4u + 60 + 12);
  EXPECT_EQ(r.batches_rejected_on_replay, 0u);
  EXPECT_FALSE(r.log.tail_dropped);
  EXPECT_GT(r.log.segments_read, 1);
  ExpectSameState((*store)->engine(), want);
  EXPECT_THAT(r.ToString(), ::testing::HasSubstr("76 records replayed"));

  // The declarations are durable: declaring again is AlreadyExists.
  EXPECT_TRUE(
      absl::IsAlreadyExists((*store)->AddSli({"web", "home"}).status()));
  // And the store goes on where it stopped.
  FeedStore(**store, 60, 70);
  FeedEngine(want, 60, 70);
  ExpectSameState((*store)->engine(), want);
}

TEST(StoreTest, SnapshotRemovesCoveredSegmentsAndOldSnapshots) {
  FakeClock clock(Now0());
  const std::string dir = NewDir("snapshot");
  StoreOptions options = Options(&clock);
  options.keep_snapshots = 2;
  Engine want(options.engine);
  Declare(want);
  FeedEngine(want, 0, 200);
  uint64_t newest_lsn = 0;
  {
    auto store = Store::Open(dir, options);
    ASSERT_TRUE(store.ok()) << store.status();
    Declare(**store);
    for (int round = 0; round < 4; ++round) {
      FeedStore(**store, round * 40, round * 40 + 40);
      ASSERT_TRUE((*store)->Snapshot().ok());
    }
    EXPECT_EQ(CountFiles(dir, "snapshot-", ".snap"), 2);
    const std::vector<std::string> snaps = Files(dir, "snapshot-", ".snap");
    const uint64_t oldest_kept = std::stoull(snaps[0].substr(9, 20));
    newest_lsn = std::stoull(snaps[1].substr(9, 20));
    // Every remaining segment but the first starts after the oldest kept
    // snapshot, and the first holds its next record.
    const std::vector<std::string> segs = Files(dir + "/wal", "wal-", ".log");
    ASSERT_FALSE(segs.empty());
    EXPECT_LE(std::stoull(segs[0].substr(4, 20)), oldest_kept + 1);
    if (segs.size() > 1) {
      EXPECT_GT(std::stoull(segs[1].substr(4, 20)), oldest_kept + 1);
    }
    EXPECT_FALSE(fs::exists(dir + "/wal/wal-00000000000000000001.log"));
    FeedStore(**store, 160, 200);
  }
  auto store = Store::Open(dir, options);
  ASSERT_TRUE(store.ok()) << store.status();
  const StoreRecovery& r = (*store)->recovery();
  EXPECT_TRUE(r.from_snapshot);
  EXPECT_EQ(r.snapshot_lsn, newest_lsn);
  EXPECT_EQ(r.corrupt_snapshots_skipped, 0);
  EXPECT_EQ(r.records_replayed, 40u + 8);
  ExpectSameState((*store)->engine(), want);
}

enum class Damage { kFlipByte, kTruncate, kEmpty };

class CorruptSnapshotTest : public ::testing::TestWithParam<Damage> {};

TEST_P(CorruptSnapshotTest, FallsBackToThePreviousSnapshot) {
  FakeClock clock(Now0());
  const std::string dir = NewDir("corrupt");
  StoreOptions options = Options(&clock);
  Engine want(options.engine);
  Declare(want);
  FeedEngine(want, 0, 120);
  uint64_t older_lsn = 0;
  {
    auto store = Store::Open(dir, options);
    ASSERT_TRUE(store.ok()) << store.status();
    Declare(**store);
    FeedStore(**store, 0, 40);
    ASSERT_TRUE((*store)->Snapshot().ok());
    FeedStore(**store, 40, 80);
    ASSERT_TRUE((*store)->Snapshot().ok());
    FeedStore(**store, 80, 120);
    const std::vector<std::string> snaps = Files(dir, "snapshot-", ".snap");
    ASSERT_EQ(snaps.size(), 2u);
    older_lsn = std::stoull(snaps[0].substr(9, 20));
    const std::string newest = dir + "/" + snaps[1];
    const uintmax_t size = fs::file_size(newest);
    switch (GetParam()) {
      case Damage::kFlipByte: {
        std::fstream f(newest, std::ios::in | std::ios::out | std::ios::binary);
        f.seekg(static_cast<std::streamoff>(size / 2));
        char c;
        f.get(c);
        f.seekp(static_cast<std::streamoff>(size / 2));
        f.put(static_cast<char>(c ^ 0x10));
        break;
      }
      case Damage::kTruncate:
        fs::resize_file(newest, size - 7);
        break;
      case Damage::kEmpty:
        fs::resize_file(newest, 0);
        break;
    }
  }
  auto store = Store::Open(dir, options);
  ASSERT_TRUE(store.ok()) << store.status();
  const StoreRecovery& r = (*store)->recovery();
  EXPECT_EQ(r.corrupt_snapshots_skipped, 1);
  EXPECT_TRUE(r.from_snapshot);
  EXPECT_EQ(r.snapshot_lsn, older_lsn);
  ExpectSameState((*store)->engine(), want);
  EXPECT_EQ(CountFiles(dir, "snapshot-", ".snap.corrupt"), 1);
  EXPECT_EQ(CountFiles(dir, "snapshot-", ".snap"), 1);
  // The next snapshot and reopen work normally.
  ASSERT_TRUE((*store)->Snapshot().ok());
  store->reset();
  store = Store::Open(dir, options);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->recovery().corrupt_snapshots_skipped, 0);
  EXPECT_EQ((*store)->recovery().records_replayed, 0u);
  ExpectSameState((*store)->engine(), want);
}

INSTANTIATE_TEST_SUITE_P(Damages, CorruptSnapshotTest,
                         ::testing::Values(Damage::kFlipByte, Damage::kTruncate,
                                           Damage::kEmpty));

TEST(StoreTest, AllSnapshotsCorruptReplaysTheWholeLogIfStillThere) {
  FakeClock clock(Now0());
  const std::string dir = NewDir("allcorrupt");
  StoreOptions options = Options(&clock);
  options.keep_snapshots = 1;
  {
    auto store = Store::Open(dir, options);
    ASSERT_TRUE(store.ok());
    Declare(**store);
    FeedStore(**store, 0, 100);
    ASSERT_TRUE((*store)->Snapshot().ok());  // removes the log's start
  }
  fs::resize_file(dir + "/" + Files(dir, "snapshot-", ".snap")[0], 10);
  auto store = Store::Open(dir, options);
  EXPECT_TRUE(absl::IsDataLoss(store.status())) << store.status();
  EXPECT_THAT(store.status().message(),
              ::testing::HasSubstr("no usable snapshot"));
}

TEST(StoreTest, AllSnapshotsCorruptWithTheWholeLogReplaysIt) {
  FakeClock clock(Now0());
  const std::string dir = NewDir("allcorrupt_log");
  StoreOptions options = Options(&clock);
  options.log.segment_bytes = 1 << 20;  // one segment: nothing removed
  Engine want(options.engine);
  Declare(want);
  FeedEngine(want, 0, 30);
  {
    auto store = Store::Open(dir, options);
    ASSERT_TRUE(store.ok());
    Declare(**store);
    FeedStore(**store, 0, 20);
    ASSERT_TRUE((*store)->Snapshot().ok());
    FeedStore(**store, 20, 30);
  }
  fs::resize_file(dir + "/" + Files(dir, "snapshot-", ".snap")[0], 10);
  auto store = Store::Open(dir, options);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_FALSE((*store)->recovery().from_snapshot);
  EXPECT_EQ((*store)->recovery().corrupt_snapshots_skipped, 1);
  ExpectSameState((*store)->engine(), want);
}

TEST(StoreTest, LeftOverTempFileIsIgnoredAndRemoved) {
  FakeClock clock(Now0());
  const std::string dir = NewDir("tmpfile");
  StoreOptions options = Options(&clock);
  {
    // An empty existing directory is a new store.
    fs::create_directories(dir);
    auto store = Store::Open(dir, options);
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ((*store)->recovery().records_replayed, 0u);
    Declare(**store);
    FeedStore(**store, 0, 30);
  }
  // A crash while writing a snapshot leaves only its .tmp file.
  const std::string tmp = dir + "/snapshot-00000000000000000999.snap.tmp";
  std::ofstream(tmp) << "half a snapshot";
  Engine want(options.engine);
  Declare(want);
  FeedEngine(want, 0, 30);
  auto store = Store::Open(dir, options);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_FALSE((*store)->recovery().from_snapshot);
  EXPECT_EQ((*store)->recovery().temp_files_removed, 1);
  EXPECT_FALSE(fs::exists(tmp));
  ExpectSameState((*store)->engine(), want);
}

TEST(StoreTest, DuplicateBatchIsAcknowledgedButNotCountedTwice) {
  FakeClock clock(Now0());
  const std::string dir = NewDir("dedupe");
  StoreOptions options = Options(&clock);
  Engine want(options.engine);
  Declare(want);
  FeedEngine(want, 0, 20);
  {
    auto store = Store::Open(dir, options);
    ASSERT_TRUE(store.ok());
    Declare(**store);
    FeedStore(**store, 0, 10);
    ASSERT_TRUE((*store)->Snapshot().ok());  // b0..b9 in the snapshot
    FeedStore(**store, 10, 20);              // b10..b19 in the log only
    absl::StatusOr<IngestAck> ack = (*store)->Ingest("b3", Batch(3));
    ASSERT_TRUE(ack.ok());
    EXPECT_TRUE(ack->duplicate);
    ack = (*store)->IngestEvents("e5", Events(5));
    ASSERT_TRUE(ack.ok());
    EXPECT_TRUE(ack->duplicate);
    ExpectSameState((*store)->engine(), want);
  }
  auto store = Store::Open(dir, options);
  ASSERT_TRUE(store.ok());
  for (const char* id : {"b3", "b15", "e5", "e15"}) {
    const int i = std::stoi(std::string(id + 1));
    absl::StatusOr<IngestAck> ack = id[0] == 'b'
                                        ? (*store)->Ingest(id, Batch(i))
                                        : (*store)->IngestEvents(id, Events(i));
    ASSERT_TRUE(ack.ok()) << id;
    EXPECT_TRUE(ack->duplicate) << id;
  }
  ExpectSameState((*store)->engine(), want);

  // After the horizon the id is forgotten (also in the next snapshot).
  clock.Advance(absl::Hours(25));
  absl::StatusOr<IngestAck> ack = (*store)->Ingest("b3", Batch(3));
  ASSERT_TRUE(ack.ok());
  EXPECT_FALSE(ack->duplicate);
  EXPECT_EQ(Total((*store)->engine(), 0).total,
            Total(want, 0).total + 1);  // Batch(3) has one result on SLI 0
  ASSERT_TRUE((*store)->Snapshot().ok());
  EXPECT_EQ((*store)->dedupe_size(), 1u);  // only the new b3
  store->reset();
  store = Store::Open(dir, options);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->dedupe_size(), 1u);
  EXPECT_TRUE((*store)->Ingest("b3", Batch(3))->duplicate);
  EXPECT_FALSE((*store)->Ingest("b4", {})->duplicate);
}

// The table is bounded by count as well as by age: the oldest arrivals are
// forgotten first, counted when still within the horizon, and a snapshot
// (which lists the table in hash order) reopened under a smaller bound keeps
// the newest ids, not whichever the hash order put first.
TEST(StoreTest, DedupeTableIsBoundedByCountForgettingTheOldestFirst) {
  FakeClock clock(Now0());
  const std::string dir = NewDir("dedupe_bound");
  StoreOptions options = Options(&clock);
  options.dedupe_max_ids = 40;
  {
    auto store = Store::Open(dir, options);
    ASSERT_TRUE(store.ok()) << store.status();
    for (int i = 0; i < 100; ++i) {
      clock.Advance(absl::Seconds(1));
      ASSERT_FALSE((*store)->Ingest(absl::StrCat("id", i), {})->duplicate);
    }
    EXPECT_EQ((*store)->dedupe_size(), 40u);
    EXPECT_EQ((*store)->dedupe_forgotten_early(), 60u);
    for (int i = 60; i < 100; ++i) {
      EXPECT_TRUE((*store)->Ingest(absl::StrCat("id", i), {})->duplicate) << i;
    }
    ASSERT_TRUE((*store)->Snapshot().ok());  // id60..id99
  }
  options.dedupe_max_ids = 10;
  auto store = Store::Open(dir, options);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->dedupe_size(), 10u);
  // What recovery forgets is not counted again (the first process counted
  // what it forgot; this one had not seen these ids).
  EXPECT_EQ((*store)->dedupe_forgotten_early(), 0u);
  for (int i = 90; i < 100; ++i) {
    EXPECT_TRUE((*store)->Ingest(absl::StrCat("id", i), {})->duplicate) << i;
  }
  // id89 was forgotten: a retry is applied again, and forgets id90.
  EXPECT_FALSE((*store)->Ingest("id89", {})->duplicate);
  EXPECT_EQ((*store)->dedupe_forgotten_early(), 1u);
  EXPECT_FALSE((*store)->Ingest("id90", {})->duplicate);

  // Past the horizon, an id the count bound forgets is not "early", and the
  // age bound then forgets all the others.
  clock.Advance(absl::Hours(25));
  ASSERT_FALSE((*store)->Ingest("late", {})->duplicate);
  EXPECT_EQ((*store)->dedupe_size(), 1u);
  EXPECT_EQ((*store)->dedupe_forgotten_early(), 2u);

  // An id reused after its horizon while its first entry is still queued
  // (nothing pruned it yet): the map follows the new entry, and popping the
  // old one leaves it.
  clock.Advance(absl::Hours(25));
  // Applied again: its first entry is past the horizon, still queued.
  ASSERT_FALSE((*store)->Ingest("late", {})->duplicate);
  EXPECT_TRUE((*store)->Ingest("late", {})->duplicate);
  for (int i = 0; i < 9; ++i) {
    ASSERT_FALSE((*store)->Ingest(absl::StrCat("fill", i), {})->duplicate);
  }
  ASSERT_FALSE((*store)->Ingest("one more", {})->duplicate);  // forgets "late"
  EXPECT_EQ((*store)->dedupe_size(), 10u);
  EXPECT_FALSE((*store)->Ingest("late", {})->duplicate);

  options.dedupe_max_ids = 0;
  absl::StatusOr<std::unique_ptr<Store>> bad =
      Store::Open(NewDir("dedupe_zero"), options);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), ::testing::HasSubstr("dedupe_max_ids"));
}

TEST(StoreTest, AlwaysAcknowledgesOnlyFlushedBatches) {
  FakeClock clock(Now0());
  const std::string dir = NewDir("always");
  StoreOptions options = Options(&clock);
  options.log.sync = SyncPolicy::kAlways;
  auto store = Store::Open(dir, options);
  ASSERT_TRUE(store.ok()) << store.status();
  Declare(**store);
  const uint64_t before = (*store)->log_stats().syncs;
  EXPECT_GE(before, 4u);  // declarations flush as they are logged
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE((*store)->Ingest(absl::StrCat("b", i), Batch(i)).ok());
    // One thread: each ack waited for its own flush.
    EXPECT_EQ((*store)->log_stats().syncs, before + i + 1);
  }
  // A duplicate's original is durable already: no flush.
  absl::StatusOr<IngestAck> ack = (*store)->Ingest("b3", Batch(3));
  ASSERT_TRUE(ack.ok());
  EXPECT_TRUE(ack->duplicate);
  EXPECT_EQ((*store)->log_stats().syncs, before + 10);
}

TEST(StoreTest, ConcurrentIngestUnderAlwaysCountsEveryBatchOnce) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 40;
  FakeClock clock(Now0());
  const std::string dir = NewDir("always_concurrent");
  StoreOptions options = Options(&clock);
  options.log.sync = SyncPolicy::kAlways;
  options.log.segment_bytes = 64 << 10;
  Engine want(options.engine);
  Declare(want);
  FeedEngine(want, 0, kThreads * kPerThread);
  {
    auto store = Store::Open(dir, options);
    ASSERT_TRUE(store.ok()) << store.status();
    Declare(**store);
    const LogStats before = (*store)->log_stats();
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = t * kPerThread; i < (t + 1) * kPerThread; ++i) {
          ASSERT_TRUE((*store)->Ingest(absl::StrCat("b", i), Batch(i)).ok());
          if (i % 5 == 0) {
            ASSERT_TRUE(
                (*store)->IngestEvents(absl::StrCat("e", i), Events(i)).ok());
          }
        }
      });
    }
    for (std::thread& t : threads) t.join();
    const LogStats st = (*store)->log_stats();
    const uint64_t batches = st.appends - before.appends;
    EXPECT_EQ(batches, uint64_t{kThreads} * kPerThread * 6 / 5);
    EXPECT_LE(st.syncs - before.syncs, batches);
    std::cout << "[ group commit ] store, kAlways, " << kThreads
              << " threads: " << batches << " batches, "
              << st.syncs - before.syncs << " fdatasyncs\n";
    ExpectSameState((*store)->engine(), want);
  }
  auto store = Store::Open(dir, options);
  ASSERT_TRUE(store.ok()) << store.status();
  ExpectSameState((*store)->engine(), want);
}

TEST(StoreTest, BackgroundSnapshotsBoundTheLog) {
  FakeClock clock(Now0());
  const std::string dir = NewDir("auto_snapshot");
  StoreOptions options = Options(&clock);
  options.auto_snapshot_log_bytes = 2000;  // every ~20 batches
  Engine want(options.engine);
  Declare(want);
  FeedEngine(want, 0, 100);
  {
    auto store = Store::Open(dir, options);
    ASSERT_TRUE(store.ok()) << store.status();
    Declare(**store);
    FeedStore(**store, 0, 100);
    // The thread runs on its own schedule: wait (bounded) until it took one.
    for (int i = 0; i < 1000 && (*store)->snapshots_taken() == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_GE((*store)->snapshots_taken(), 1u);
    EXPECT_TRUE((*store)->background_snapshot_status().ok())
        << (*store)->background_snapshot_status();
    ASSERT_TRUE((*store)->Close().ok());
  }
  EXPECT_GE(CountFiles(dir, "snapshot-", ".snap"), 1);
  auto store = Store::Open(dir, options);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE((*store)->recovery().from_snapshot);
  EXPECT_GT((*store)->recovery().snapshot_lsn, 0u);
  ExpectSameState((*store)->engine(), want);
}

TEST(StoreTest, NoBackgroundSnapshotWhenDisabled) {
  FakeClock clock(Now0());
  const std::string dir = NewDir("no_auto_snapshot");
  StoreOptions options = Options(&clock);
  options.auto_snapshot_log_bytes = 0;
  auto store = Store::Open(dir, options);
  ASSERT_TRUE(store.ok()) << store.status();
  Declare(**store);
  FeedStore(**store, 0, 100);
  ASSERT_TRUE((*store)->Close().ok());
  EXPECT_EQ((*store)->snapshots_taken(), 0u);
  EXPECT_EQ(CountFiles(dir, "snapshot-", ".snap"), 0);
}

TEST(StoreTest, InvalidBatchIsRejectedAndNeverLogged) {
  FakeClock clock(Now0());
  const std::string dir = NewDir("invalid");
  StoreOptions options = Options(&clock);
  Engine want(options.engine);
  Declare(want);
  FeedEngine(want, 0, 5);
  {
    auto store = Store::Open(dir, options);
    ASSERT_TRUE(store.ok());
    Declare(**store);
    FeedStore(**store, 0, 5);
    std::vector<ProbeResult> bad = Batch(7);
    bad.back().latency_ms = std::nan("");
    absl::StatusOr<IngestAck> ack = (*store)->Ingest("bad", bad);
    EXPECT_TRUE(absl::IsInvalidArgument(ack.status())) << ack.status();
    // In the future, unknown SLI, events on a probe SLI, good > total.
    std::vector<ProbeResult> future = {
        {0, absl::ToUnixMillis(Now0() + absl::Hours(1)), true, 1}};
    EXPECT_TRUE(
        absl::IsInvalidArgument((*store)->Ingest("f", future).status()));
    EXPECT_TRUE(absl::IsNotFound(
        (*store)->IngestEvents("u", {{9, kT0Ms, 1, 1}}).status()));
    EXPECT_TRUE(absl::IsInvalidArgument(
        (*store)->IngestEvents("k", {{0, kT0Ms, 1, 1}}).status()));
    EXPECT_TRUE(absl::IsInvalidArgument(
        (*store)->IngestEvents("g", {{2, kT0Ms, 2, 1}}).status()));
    EXPECT_TRUE(
        absl::IsInvalidArgument((*store)->Ingest("", Batch(1)).status()));
    EXPECT_TRUE(
        absl::IsAlreadyExists((*store)->AddSli({"web", "home"}).status()));
    ObjectiveSpec slo;
    slo.service = "nope";
    slo.name = "x";
    EXPECT_TRUE(absl::IsNotFound((*store)->AddObjective(slo).status()));
    ExpectSameState((*store)->engine(), want);
    // The id of a rejected batch is not remembered: fixed, it goes in.
    bad.back().latency_ms = 5;
    ASSERT_FALSE((*store)->Ingest("bad", bad)->duplicate);
  }
  std::vector<ProbeResult> fixed = Batch(7);
  fixed.back().latency_ms = 5;
  ASSERT_TRUE(want.Ingest(fixed).ok());
  auto store = Store::Open(dir, options);
  ASSERT_TRUE(store.ok());
  // 4 declarations, 5 + 1 probe batches, 1 event batch: nothing else.
  EXPECT_EQ((*store)->recovery().records_replayed, 4u + 6 + 1);
  ExpectSameState((*store)->engine(), want);
}

TEST(StoreTest, RejectionAfterLoggingIsSkippedOnReplay) {
  FakeClock clock(Now0());
  const std::string dir = NewDir("rejected");
  StoreOptions options = Options(&clock);
  Engine want(options.engine);
  Declare(want);
  const std::vector<EventCount> big = {{2, kT0Ms, 3000000000, 3000000000}};
  FeedEngine(want, 0, 3);
  ASSERT_TRUE(want.IngestEvents(big).ok());
  {
    auto store = Store::Open(dir, options);
    ASSERT_TRUE(store.ok());
    Declare(**store);
    FeedStore(**store, 0, 3);
    ASSERT_TRUE((*store)->IngestEvents("big1", big).ok());
    // Passes the store's checks, fails in the engine (2^32 - 1 per minute):
    // logged, then marked rejected.
    absl::StatusOr<IngestAck> ack = (*store)->IngestEvents("big2", big);
    EXPECT_TRUE(absl::IsInvalidArgument(ack.status())) << ack.status();
    // An objective the engine rejects after logging (bad window).
    ObjectiveSpec slo;
    slo.service = "web";
    slo.name = "weird";
    slo.window = "forever";
    EXPECT_FALSE((*store)->AddObjective(slo).ok());
    ExpectSameState((*store)->engine(), want);
  }
  auto store = Store::Open(dir, options);
  ASSERT_TRUE(store.ok()) << store.status();
  // 4 declarations, 3 + 1 batches, big1, big2 + its rejection, the objective
  // + its rejection; none rejected by the engine on replay.
  EXPECT_EQ((*store)->recovery().records_replayed, 4u + 4 + 1 + 2 + 2);
  EXPECT_EQ((*store)->recovery().batches_rejected_on_replay, 0u);
  ExpectSameState((*store)->engine(), want);
  EXPECT_FALSE((*store)->IngestEvents("big2", big).ok());  // not remembered
}

TEST(StoreTest, TornLogTailIsCutAndReported) {
  FakeClock clock(Now0());
  const std::string dir = NewDir("torn");
  StoreOptions options = Options(&clock);
  {
    auto store = Store::Open(dir, options);
    ASSERT_TRUE(store.ok());
    Declare(**store);
    FeedStore(**store, 0, 25);
  }
  const std::vector<std::string> segs = Files(dir + "/wal", "wal-", ".log");
  const std::string last = dir + "/wal/" + segs.back();
  const uintmax_t size = fs::file_size(last);
  {
    std::ofstream f(last, std::ios::app | std::ios::binary);
    f << std::string(13, '\x7f');  // half a record header
  }
  Engine want(options.engine);
  Declare(want);
  FeedEngine(want, 0, 25);
  auto store = Store::Open(dir, options);
  ASSERT_TRUE(store.ok()) << store.status();
  const RecoveryResult& log = (*store)->recovery().log;
  EXPECT_TRUE(log.tail_dropped);
  EXPECT_EQ(log.dropped_at.segment, segs.back());
  EXPECT_EQ(log.dropped_at.offset, size);
  EXPECT_EQ(log.dropped_bytes, 13u);
  EXPECT_EQ(log.intact_records_dropped, 0u);
  EXPECT_FALSE(log.reason.empty());
  ExpectSameState((*store)->engine(), want);
  EXPECT_EQ(fs::file_size(last), size);  // cut
  FeedStore(**store, 25, 30);
  store->reset();
  FeedEngine(want, 25, 30);
  store = Store::Open(dir, options);
  ASSERT_TRUE(store.ok());
  EXPECT_FALSE((*store)->recovery().log.tail_dropped);
  ExpectSameState((*store)->engine(), want);
}

TEST(StoreTest, OneStorePerDirectoryAndBadOptions) {
  FakeClock clock(Now0());
  const std::string dir = NewDir("lock");
  StoreOptions options = Options(&clock);
  auto store = Store::Open(dir, options);
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(Store::Open(dir, options).status()));
  options.keep_snapshots = 0;
  EXPECT_TRUE(absl::IsInvalidArgument(Store::Open(dir, options).status()));
  ASSERT_TRUE((*store)->Close().ok());
  EXPECT_TRUE(
      absl::IsFailedPrecondition((*store)->Ingest("x", Batch(0)).status()));
  EXPECT_TRUE(absl::IsFailedPrecondition((*store)->Snapshot()));
}

// ---------------------------------------------------------------- crash

// Batch i of the crash test: results in minute i only, so a batch counted
// twice or lost shows in that minute.
std::vector<ProbeResult> CrashBatch(int i) {
  std::vector<ProbeResult> out;
  const int64_t t = kT0Ms + int64_t{i} * kMinuteMs;
  for (int k = 0; k < 1 + i % 4; ++k) out.push_back({0, t + k, k != 1, 1});
  return out;
}

Counts CrashCounts(int i) {
  Counts c;
  for (const ProbeResult& r : CrashBatch(i)) {
    c.good += r.ok;
    ++c.total;
  }
  return c;
}

constexpr int kCrashBatches = 400;

// The child: ingests b0, b1, ... and writes each acknowledged index to `fd`.
[[noreturn]] void CrashChild(const std::string& dir, int fd, uint32_t seed) {
  FakeClock clock(Now0());
  StoreOptions options = Options(&clock);
  // Every policy (kill -9 must lose nothing acknowledged under each), and
  // snapshots taken either by the caller or by the store's own thread (so
  // kills also land while a background snapshot is being written).
  const SyncPolicy policies[] = {SyncPolicy::kNone, SyncPolicy::kInterval,
                                 SyncPolicy::kAlways};
  options.log.sync = policies[seed % 3];
  options.keep_snapshots = 1 + seed % 2;
  const bool background = (seed / 2) % 2 == 1;
  options.auto_snapshot_log_bytes = background ? 1500 : 0;
  std::mt19937 rng(seed);
  auto store = Store::Open(dir, options);
  if (!store.ok()) _exit(2);
  if (!(*store)->AddSli({"web", "home"}).ok()) _exit(3);
  for (int i = 0; i < kCrashBatches; ++i) {
    absl::StatusOr<IngestAck> ack =
        (*store)->Ingest(absl::StrCat("b", i), CrashBatch(i));
    if (!ack.ok() || ack->duplicate) _exit(4);
    if (::write(fd, &i, sizeof(i)) != sizeof(i)) _exit(5);
    if (!background && rng() % 25 == 0 && !(*store)->Snapshot().ok()) {
      _exit(6);
    }
  }
  _exit(0);
}

TEST(StoreCrashTest, AcknowledgedBatchesSurviveSigkillExactlyOnce) {
  constexpr int kTrials = 60;
  int killed_mid_run = 0;
  int from_snapshot = 0;  // trials recovered from a snapshot plus the log
  for (int trial = 0; trial < kTrials; ++trial) {
    SCOPED_TRACE(absl::StrCat("trial ", trial));
    const std::string dir = NewDir(absl::StrCat("crash", trial));
    std::mt19937 rng(1000 + trial);
    const int kill_after = static_cast<int>(rng() % 300);  // acks seen
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      CrashChild(dir, fds[1], 2000 + trial);
    }
    ::close(fds[1]);
    int acked = 0;  // b0 .. b(acked-1) were acknowledged
    int index;
    while (acked < kill_after &&
           ::read(fds[0], &index, sizeof(index)) == sizeof(index)) {
      ASSERT_EQ(index, acked);
      ++acked;
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status)) {
      ++killed_mid_run;
    } else {
      ASSERT_TRUE(WIFEXITED(status));
      ASSERT_EQ(WEXITSTATUS(status), 0);
    }
    while (::read(fds[0], &index, sizeof(index)) == sizeof(index)) {
      ASSERT_EQ(index, acked);
      ++acked;
    }
    ::close(fds[0]);

    FakeClock clock(Now0());
    auto store = Store::Open(dir, Options(&clock));
    ASSERT_TRUE(store.ok()) << store.status();
    if ((*store)->recovery().from_snapshot) ++from_snapshot;
    if (!(*store)->engine().FindSli("web", "home").ok()) {
      ASSERT_EQ(acked, 0);
      ASSERT_TRUE((*store)->AddSli({"web", "home"}).ok());
    }
    const SliId ids[] = {0};
    std::vector<Counts> minutes =
        (*store)
            ->engine()
            .QueryRange(ids, absl::FromUnixMillis(kT0Ms), absl::Minutes(1),
                        kCrashBatches + 1)
            .value();
    // Batches are applied in order: a prefix b0 .. b(present-1) is there,
    // each exactly once, containing every acknowledged one.
    int present = 0;
    while (present < kCrashBatches && minutes[present].total > 0) ++present;
    EXPECT_GE(present, acked);
    for (int i = 0; i <= kCrashBatches; ++i) {
      const Counts want = i < present ? CrashCounts(i) : Counts{};
      ASSERT_TRUE(minutes[i] == want)
          << "minute " << i << ": " << minutes[i].good << "/"
          << minutes[i].total << ", acked " << acked << ", present " << present;
    }
    // Re-sent acknowledged batches are duplicates.
    if (acked > 0) {
      for (int i : {0, acked - 1, static_cast<int>(rng() % acked)}) {
        absl::StatusOr<IngestAck> ack =
            (*store)->Ingest(absl::StrCat("b", i), CrashBatch(i));
        ASSERT_TRUE(ack.ok()) << ack.status();
        EXPECT_TRUE(ack->duplicate) << "b" << i;
      }
      Counts sum;
      for (int i = 0; i < present; ++i) sum += minutes[i];
      EXPECT_TRUE(Total((*store)->engine(), 0) == sum);
    }
    fs::remove_all(dir);
  }
  EXPECT_GT(killed_mid_run, kTrials / 2);
  EXPECT_GT(from_snapshot, kTrials / 4);
}

}  // namespace
// The configuration text is kept with the data and survives a reopen.
TEST(StoreConfigTest, ConfigTextIsDurable) {
  const std::string dir = NewDir("config");
  FakeClock clock(Now0());
  {
    auto store = Store::Open(dir, Options(&clock));
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ((*store)->LoadConfigText().status().code(),
              absl::StatusCode::kNotFound);
    ASSERT_TRUE((*store)->SaveConfigText("timezone: UTC\n").ok());
    ASSERT_TRUE((*store)->SaveConfigText("timezone: Europe/Paris\n").ok());
    EXPECT_EQ(CountFiles(dir, "slakit.yaml", ".tmp"), 0);
  }
  auto store = Store::Open(dir, Options(&clock));
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->LoadConfigText().value(), "timezone: Europe/Paris\n");
  ASSERT_TRUE((*store)->Close().ok());
  EXPECT_EQ((*store)->SaveConfigText("x").code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace sla::storage