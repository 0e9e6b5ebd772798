// Disk full. Each test mounts a 4 MiB tmpfs (in a private mount namespace
// of the test process, so that nothing stays mounted even if the test
// dies; it is also unmounted when the test ends), opens the durable store
// or the server's backend on it and ingests until the disk is full.
// Checked, with exact counts throughout:
//   - the ingest that meets the full disk fails with RESOURCE_EXHAUSTED and
//     a message naming the log segment and "No space left on device"; every
//     batch acknowledged before it is readable, and the failed one is not;
//   - reads keep answering while the disk is full and after the failure;
//   - a snapshot on the full disk fails the same way (naming the .tmp file),
//     leaves no .tmp behind and the previous snapshot intact, byte for byte;
//   - the error is sticky (wal.h, "Errors are sticky"): every later
//     mutation, snapshot and Close returns it, also after space was freed,
//     until the store is reopened;
//   - reopening on the still-full disk works (reads are served, ingest fails
//     again cleanly); after space is freed, a reopen recovers every
//     acknowledged batch, exactly once, and ingests and snapshots again;
//   - also when the log's last segment is exactly full, so that the next
//     record needs a new segment: opening the log writes nothing (it used
//     to create that segment, and failed on the full disk).
// The mount needs root (CAP_SYS_ADMIN): without it the tests report
// SKIPPED (ctest counts them as skipped) and say why.

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "bindings/grpc/auth.h"
#include "bindings/grpc/backend.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sla/clock.h"
#include "sla/storage/store.h"
#include "sla/storage/wal.h"
#include "tests/faults/fault_batches.h"

namespace sla::faults {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// A tmpfs of `size` mounted on a new directory for the life of the object.
// The first one moves the process into a mount namespace of its own (with
// private propagation), so the mount is invisible outside the test and
// vanishes with the process whatever happens.
class TmpfsMount {
 public:
  // Empty `error` on success; else why it could not mount (`skip`: for lack
  // of privilege).
  TmpfsMount(const std::string& dir, const std::string& size) : dir_(dir) {
    static bool unshared = false;
    if (!unshared) {
      if (::unshare(CLONE_NEWNS) != 0) {
        Fail("unshare(CLONE_NEWNS)");
        return;
      }
      if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
        Fail("mount --make-rprivate /");
        return;
      }
      unshared = true;
    }
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec) {
      error_ = absl::StrCat("mkdir ", dir_, ": ", ec.message());
      return;
    }
    const std::string options = "size=" + size;
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV,
                options.c_str()) != 0) {
      Fail(absl::StrCat("mount -t tmpfs -o ", options, " tmpfs ", dir_));
      return;
    }
    mounted_ = true;
  }
  ~TmpfsMount() {
    if (mounted_ && ::umount2(dir_.c_str(), 0) != 0) {
      ::umount2(dir_.c_str(), MNT_DETACH);
    }
    ::rmdir(dir_.c_str());
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  bool mounted() const { return mounted_; }
  bool skip() const { return skip_; }
  const std::string& error() const { return error_; }

 private:
  void Fail(const std::string& what) {
    const int err = errno;
    skip_ = err == EPERM || err == EACCES;
    error_ = absl::StrCat(what, ": ", std::strerror(err));
  }

  std::string dir_;
  bool mounted_ = false;
  bool skip_ = false;
  std::string error_;
};

#define MOUNT_TMPFS_OR_SKIP(var, dir)                                    \
  TmpfsMount var(dir, "4m");                                             \
  if (var.skip()) {                                                      \
    std::fprintf(stderr,                                                 \
                 "\n*** SKIPPING the disk-full test: %s (needs root or " \
                 "CAP_SYS_ADMIN) ***\n\n",                               \
                 var.error().c_str());                                   \
    GTEST_SKIP() << "cannot mount a tmpfs: " << var.error();             \
  }                                                                      \
  ASSERT_TRUE(var.mounted()) << var.error()

std::string MountPoint(absl::string_view name) {
  return absl::StrCat(::testing::TempDir(), "/disk_full_", name, "_",
                      ::getpid());
}

// Appends to the file `path` until its file system has at most `leave`
// bytes free (0: until write(2) fails with ENOSPC, down to the last byte).
void FillDisk(const std::string& path, uint64_t leave = 0) {
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  std::string chunk(1 << 16, 'x');
  size_t size = chunk.size();
  while (true) {
    if (leave > 0) {
      struct statvfs st;
      ASSERT_EQ(::fstatvfs(fd, &st), 0) << std::strerror(errno);
      if (uint64_t{st.f_bavail} * st.f_frsize <= leave + chunk.size()) break;
    }
    const ssize_t n = ::write(fd, chunk.data(), size);
    if (n >= 0) continue;
    ASSERT_EQ(errno, ENOSPC) << std::strerror(errno);
    if (size == 1) break;
    size = size > 4096 ? 4096 : 1;  // the last pages, then the last bytes
  }
  ::close(fd);
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> FilesEndingWith(const std::string& dir,
                                         absl::string_view suffix) {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (absl::EndsWith(name, suffix)) out.push_back(name);
  }
  return out;
}

constexpr int kBatchSize = 50;  // results per batch: ~1 KiB of log each

storage::StoreOptions Options(FakeClock* clock) {
  storage::StoreOptions options;
  options.engine.clock = clock;
  options.auto_snapshot_log_bytes = 0;  // the test takes them
  return options;
}

// Every minute of [0, minutes) holds exactly batch i's counts when
// acked[i], nothing otherwise.
void ExpectExactly(const storage::Store& store, const std::vector<bool>& acked,
                   int minutes) {
  absl::StatusOr<SliId> sli = store.engine().FindSli("web", "home");
  ASSERT_TRUE(sli.ok()) << sli.status();
  const std::vector<Counts> got = MinuteCounts(store.engine(), *sli, minutes);
  ASSERT_EQ(static_cast<int>(got.size()), minutes);
  int mismatches = 0;
  for (int i = 0; i < minutes; ++i) {
    const bool want_data = i < static_cast<int>(acked.size()) && acked[i];
    const Counts want = want_data ? BatchCounts(i, kBatchSize) : Counts{};
    if (!(got[i] == want) && ++mismatches <= 5) {
      ADD_FAILURE() << "minute " << i << ": " << got[i].good << "/"
                    << got[i].total << ", want " << want.good << "/"
                    << want.total;
    }
  }
  EXPECT_EQ(mismatches, 0);
}

// Ingests b<first>, b<first+1>, ... until one fails; marks the acknowledged
// ones in *acked and returns the failure (and its index in *failed_at).
absl::Status IngestUntilFull(storage::Store& store, SliId sli, int first,
                             std::vector<bool>* acked, int* failed_at) {
  for (int i = first; i < first + 20000; ++i) {
    absl::StatusOr<storage::IngestAck> ack =
        store.Ingest(BatchId(i), Batch(sli, i, kBatchSize));
    if (!ack.ok()) {
      *failed_at = i;
      return ack.status();
    }
    if (ack->duplicate) return absl::InternalError("unexpected duplicate");
    if (static_cast<int>(acked->size()) <= i) acked->resize(i + 1);
    (*acked)[i] = true;
  }
  return absl::InternalError("the disk never filled up");
}

void ExpectDiskFull(const absl::Status& s, absl::string_view file) {
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_THAT(s.message(), HasSubstr(file)) << s;
  EXPECT_THAT(s.message(), HasSubstr("No space left on device")) << s;
}

TEST(DiskFullTest, StoreFailsCleanlyKeepsEverythingAcknowledgedAndRecovers) {
  const std::string mount = MountPoint("store");
  MOUNT_TMPFS_OR_SKIP(tmpfs, mount);
  const std::string dir = mount + "/store";
  const std::string filler = mount + "/filler";
  FakeClock clock(FaultNow());
  std::vector<bool> acked;
  int failed = -1;

  auto store = storage::Store::Open(dir, Options(&clock));
  ASSERT_TRUE(store.ok()) << store.status();
  const SliId sli = (*store)->AddSli({"web", "home"}).value();
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE((*store)->Ingest(BatchId(i), Batch(sli, i, kBatchSize)).ok());
    acked.push_back(true);
  }
  ASSERT_TRUE((*store)->Snapshot().ok());
  const std::vector<std::string> snapshots = FilesEndingWith(dir, ".snap");
  ASSERT_EQ(snapshots.size(), 1u);
  const std::string snapshot = dir + "/" + snapshots[0];
  const std::string snapshot_bytes = ReadBytes(snapshot);
  ASSERT_FALSE(snapshot_bytes.empty());

  // Another writer leaves 256 KiB; the log fills them up (several
  // hundred batches).
  FillDisk(filler, 256 << 10);
  const absl::Status full = IngestUntilFull(**store, sli, 10, &acked, &failed);
  ExpectDiskFull(full, "/wal/wal-00000000000000000001.log");
  EXPECT_THAT(full.message(), HasSubstr("wal: write ")) << full;
  // What to do: freeing space is not enough by itself.
  EXPECT_THAT(full.message(),
              HasSubstr("(the store accepts no more writes until it is "
                        "reopened; reads still work)"))
      << full;
  EXPECT_GE(failed, 100);
  std::cerr << "disk full at b" << failed << ": " << full << "\n";
  const int minutes = failed + 20;
  // Reads: exact, the failed batch not visible.
  ExpectExactly(**store, acked, minutes);

  // Sticky: every mutation and snapshot returns the same error, at once;
  // the snapshot on disk is untouched.
  EXPECT_EQ(
      (*store)->Ingest(BatchId(failed + 1), Batch(sli, failed + 1)).status(),
      full);
  EXPECT_EQ((*store)->AddSli({"web", "other"}).status(), full);
  EXPECT_EQ((*store)->Snapshot(), full);
  EXPECT_EQ(ReadBytes(snapshot), snapshot_bytes);
  ExpectExactly(**store, acked, minutes);
  EXPECT_EQ((*store)->Close(), full);
  store->reset();

  // Restart on the still-full disk: recovery needs no space, reads are
  // served, the failed batch is gone (its torn record cut off).
  store = storage::Store::Open(dir, Options(&clock));
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE((*store)->recovery().from_snapshot);
  EXPECT_EQ((*store)->recovery().snapshot_file, snapshots[0]);
  ExpectExactly(**store, acked, minutes);
  // Whatever cutting the torn tail gave back is taken again: the disk is
  // full to the last byte. A snapshot cannot be written; it fails cleanly
  // (no .tmp left) and the previous one is untouched.
  FillDisk(filler);
  const absl::Status snap = (*store)->Snapshot();
  ExpectDiskFull(snap, ".snap.tmp");
  EXPECT_THAT(snap.message(), HasSubstr("store: write ")) << snap;
  std::cerr << "snapshot: " << snap << "\n";
  EXPECT_EQ(ReadBytes(snapshot), snapshot_bytes);
  EXPECT_THAT(FilesEndingWith(dir, ".tmp"), ::testing::IsEmpty());
  EXPECT_EQ(FilesEndingWith(dir, ".snap").size(), 1u);
  // A failed snapshot does not fail the store; ingest fails on its own
  // (the log segment's last page may still take a batch or two).
  const int failed_before = failed;
  const absl::Status full_again =
      IngestUntilFull(**store, sli, failed, &acked, &failed);
  ExpectDiskFull(full_again, "/wal/wal-00000000000000000001.log");
  ASSERT_GE(failed, failed_before);
  ExpectExactly(**store, acked, minutes);

  // Space is freed. The store stays failed until it is reopened (the
  // documented contract: "reopen the log to recover"); reads still work.
  ASSERT_TRUE(fs::remove(filler));
  EXPECT_EQ((*store)
                ->Ingest(BatchId(failed), Batch(sli, failed, kBatchSize))
                .status(),
            full_again);
  ExpectExactly(**store, acked, minutes);
  store->reset();

  // Reopened with space: everything acknowledged, exactly once; the failed
  // batch was never acknowledged and is applied when resent.
  store = storage::Store::Open(dir, Options(&clock));
  ASSERT_TRUE(store.ok()) << store.status();
  ExpectExactly(**store, acked, minutes);
  absl::StatusOr<storage::IngestAck> resent =
      (*store)->Ingest(BatchId(failed), Batch(sli, failed, kBatchSize));
  ASSERT_TRUE(resent.ok()) << resent.status();
  EXPECT_FALSE(resent->duplicate);
  acked.resize(std::max<size_t>(acked.size(), failed + 1));
  acked[failed] = true;
  // An acknowledged batch resent: a duplicate.
  absl::StatusOr<storage::IngestAck> dup =
      (*store)->Ingest(BatchId(0), Batch(sli, 0, kBatchSize));
  ASSERT_TRUE(dup.ok()) << dup.status();
  EXPECT_TRUE(dup->duplicate);
  EXPECT_TRUE((*store)->Snapshot().ok());
  ExpectExactly(**store, acked, minutes);
  EXPECT_TRUE((*store)->Close().ok());
  store->reset();

  // And once more from the new snapshot.
  store = storage::Store::Open(dir, Options(&clock));
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE((*store)->recovery().from_snapshot);
  EXPECT_EQ((*store)->recovery().records_replayed, 0u);
  ExpectExactly(**store, acked, minutes);
  store->reset();
}

// The last segment exactly full: the next record goes to a new segment,
// which the first append creates, not Open (which then could not restart
// on a full disk: "wal: create .../wal-...5.log: No space left on device").
TEST(DiskFullTest, LogWithAnExactlyFullLastSegmentReopensOnAFullDisk) {
  const std::string mount = MountPoint("wal");
  MOUNT_TMPFS_OR_SKIP(tmpfs, mount);
  const std::string dir = mount + "/wal";
  const std::string filler = mount + "/filler";
  const std::string payload(100, 'p');
  storage::LogOptions options;
  options.segment_bytes =
      storage::kSegmentHeaderBytes + 4 * (storage::kRecordHeaderBytes + 100);
  {
    auto log = storage::LogWriter::Open(dir, options);
    ASSERT_TRUE(log.ok()) << log.status();
    for (int i = 0; i < 4; ++i) ASSERT_TRUE((*log)->Append(1, payload).ok());
    ASSERT_TRUE((*log)->Close().ok());
  }
  const std::string first = dir + "/wal-00000000000000000001.log";
  ASSERT_EQ(fs::file_size(first), options.segment_bytes);
  ASSERT_EQ(FilesEndingWith(dir, ".log").size(), 1u);
  FillDisk(filler);

  {
    auto log = storage::LogWriter::Open(dir, options);
    ASSERT_TRUE(log.ok()) << log.status();
    EXPECT_EQ(FilesEndingWith(dir, ".log").size(), 1u);
    // The fifth record needs the new segment: a clean disk-full error.
    const absl::StatusOr<uint64_t> lsn = (*log)->Append(1, payload);
    ExpectDiskFull(lsn.status(), "/wal-00000000000000000005.log");
  }
  // Nothing was lost. The failed append left an empty wal-...5.log, which
  // ReadLog ignores and the next Open removes (a segment without a header).
  int records = 0;
  absl::StatusOr<storage::RecoveryResult> read =
      storage::ReadLog(dir, [&](uint64_t lsn, uint8_t, absl::string_view p) {
        EXPECT_EQ(lsn, static_cast<uint64_t>(records + 1));
        EXPECT_EQ(p, payload);
        ++records;
        return absl::OkStatus();
      });
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(records, 4);

  ASSERT_TRUE(fs::remove(filler));
  auto log = storage::LogWriter::Open(dir, options);
  ASSERT_TRUE(log.ok()) << log.status();
  const absl::StatusOr<uint64_t> lsn = (*log)->Append(1, payload);
  ASSERT_TRUE(lsn.ok()) << lsn.status();
  EXPECT_EQ(*lsn, 5u);
  ASSERT_TRUE((*log)->Close().ok());
  EXPECT_EQ(FilesEndingWith(dir, ".log").size(), 2u);
  EXPECT_EQ(fs::file_size(first), options.segment_bytes);
}

constexpr char kBackendConfig[] = R"(services:
  - name: web
    objectives:
      - {name: availability, target: 99, window: 30d, alerting: true}
)";

server::BackendOptions BackendOn(const std::string& dir, FakeClock* clock) {
  server::BackendOptions options;
  options.data_dir = dir;
  options.config_text = kBackendConfig;
  options.alert_interval = absl::ZeroDuration();
  options.clock = clock;
  return options;
}

server::Principal Admin() {
  server::Principal admin;
  admin.name = "admin";
  admin.all_tenants = true;
  admin.roles = {server::Role::kIngest, server::Role::kRead,
                 server::Role::kAdmin};
  return admin;
}

// Batch(0, i) as web/home results.
std::vector<server::NamedProbe> WebBatch(int i) {
  std::vector<server::NamedProbe> out;
  for (const ProbeResult& r : Batch(0, i, kBatchSize)) {
    out.push_back({"web", "home", r.unix_ms, r.ok, r.latency_ms});
  }
  return out;
}

// The server's backend (what `slakit serve` runs; the gRPC service converts
// its status codes one to one): the same on a full disk, through Ingest,
// ApplyConfig and Shutdown.
TEST(DiskFullTest, ServerBackendReportsTheFullDiskAndKeepsServingReads) {
  const std::string mount = MountPoint("backend");
  MOUNT_TMPFS_OR_SKIP(tmpfs, mount);
  const std::string dir = mount + "/data";
  const std::string filler = mount + "/filler";
  FakeClock clock(FaultNow());
  const server::BackendOptions options = BackendOn(dir, &clock);
  const server::Principal admin = Admin();
  auto backend = server::Backend::Open(options);
  ASSERT_TRUE(backend.ok()) << backend.status();
  std::vector<bool> acked;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE((*backend)->Ingest(admin, BatchId(i), WebBatch(i)).ok());
    acked.push_back(true);
  }
  // Declares the alerting objective in the store while there is room.
  ASSERT_TRUE((*backend)->EvaluateAlerts(clock.Now()).ok());
  FillDisk(filler);
  // A new configuration cannot be kept: refused, the old one stays.
  absl::StatusOr<server::ApplyResult> applied = (*backend)->ApplyConfig(
      std::string(kBackendConfig) + "  - name: api\n", false);
  ASSERT_FALSE(applied.ok());
  ExpectDiskFull(applied.status(), "slakit.yaml.tmp");
  EXPECT_EQ((*backend)->config()->config.services.size(), 1u);

  absl::Status full;
  int failed = -1;
  for (int i = 5; i < 20000 && full.ok(); ++i) {
    absl::StatusOr<storage::IngestAck> ack =
        (*backend)->Ingest(admin, BatchId(i), WebBatch(i));
    if (ack.ok()) {
      acked.push_back(true);
    } else {
      full = ack.status();
      failed = i;
    }
  }
  ExpectDiskFull(full, "/wal/wal-");
  EXPECT_THAT(full.message(), HasSubstr("until it is reopened")) << full;
  std::cerr << "backend: disk full at b" << failed << ": " << full << "\n"
            << "config: " << applied.status() << "\n";
  const int minutes = failed + 5;
  {
    const SliId sli = (*backend)->engine().FindSli("web", "home").value();
    const std::vector<Counts> got =
        MinuteCounts((*backend)->engine(), sli, minutes);
    for (int i = 0; i < minutes; ++i) {
      const Counts want = i < failed ? BatchCounts(i, kBatchSize) : Counts{};
      ASSERT_TRUE(got[i] == want) << "minute " << i;
    }
  }
  // Reads through the server's own paths keep working.
  EXPECT_TRUE((*backend)->EvaluateAlerts(clock.Now()).ok());
  {
    const std::vector<server::ObjectiveSample> samples =
        (*backend)->MetricsSamples(clock.Now());
    ASSERT_EQ(samples.size(), 1u);
    int64_t good = 0;
    for (int i = 0; i < failed; ++i) good += BatchCounts(i, kBatchSize).good;
    EXPECT_EQ(samples[0].good, good);
    EXPECT_EQ(samples[0].total, int64_t{failed} * kBatchSize);
  }
  // Sticky, and counted as rejected.
  EXPECT_EQ(
      (*backend)->Ingest(admin, BatchId(failed), WebBatch(failed)).status(),
      full);
  EXPECT_EQ((*backend)->counters().batches, failed);
  // Shutdown reports the failure (its snapshot cannot be written).
  EXPECT_EQ((*backend)->Shutdown(), full);
  backend->reset();

  // A restart (the same configuration given again) while the disk is still
  // full: the server starts and serves reads; ingest fails cleanly.
  backend = server::Backend::Open(options);
  ASSERT_TRUE(backend.ok()) << backend.status();
  {
    const SliId sli = (*backend)->engine().FindSli("web", "home").value();
    const std::vector<Counts> got =
        MinuteCounts((*backend)->engine(), sli, minutes);
    for (int i = 0; i < minutes; ++i) {
      const Counts want = i < failed ? BatchCounts(i, kBatchSize) : Counts{};
      ASSERT_TRUE(got[i] == want) << "minute " << i;
    }
  }
  FillDisk(filler);  // what the cut torn tail gave back
  ExpectDiskFull(
      (*backend)->Ingest(admin, BatchId(failed), WebBatch(failed)).status(),
      "/wal/wal-");
  EXPECT_FALSE((*backend)->Shutdown().ok());
  backend->reset();

  ASSERT_TRUE(fs::remove(filler));
  backend = server::Backend::Open(options);
  ASSERT_TRUE(backend.ok()) << backend.status();
  {
    const SliId sli = (*backend)->engine().FindSli("web", "home").value();
    const std::vector<Counts> got =
        MinuteCounts((*backend)->engine(), sli, minutes);
    for (int i = 0; i < minutes; ++i) {
      const Counts want = i < failed ? BatchCounts(i, kBatchSize) : Counts{};
      ASSERT_TRUE(got[i] == want) << "minute " << i;
    }
  }
  absl::StatusOr<storage::IngestAck> resent =
      (*backend)->Ingest(admin, BatchId(failed), WebBatch(failed));
  ASSERT_TRUE(resent.ok()) << resent.status();
  EXPECT_FALSE(resent->duplicate);
  EXPECT_TRUE((*backend)->Shutdown().ok());
  backend->reset();
}

// An alert evaluation that fails is logged once and counted at every tick.
// Here the store failed on the full disk before the first evaluation, which
// must declare the alerting objective in the store: it cannot (the store
// takes no writes until it is reopened).
TEST(DiskFullTest, FailingAlertEvaluationIsLoggedOnceAndCounted) {
  const std::string mount = MountPoint("alerts");
  MOUNT_TMPFS_OR_SKIP(tmpfs, mount);
  FakeClock clock(FaultNow());
  server::BackendOptions options = BackendOn(mount + "/data", &clock);
  std::vector<std::string> log;
  options.log = [&log](const std::string& line) { log.push_back(line); };
  const server::Principal admin = Admin();
  auto backend = server::Backend::Open(options);
  ASSERT_TRUE(backend.ok()) << backend.status();
  ASSERT_TRUE((*backend)->Ingest(admin, BatchId(0), WebBatch(0)).ok());
  FillDisk(mount + "/filler");
  absl::Status full;
  for (int i = 1; i < 20000 && full.ok(); ++i) {
    full = (*backend)->Ingest(admin, BatchId(i), WebBatch(i)).status();
  }
  ExpectDiskFull(full, "/wal/wal-");

  for (int tick = 0; tick < 3; ++tick) {
    EXPECT_EQ((*backend)->EvaluateAlerts(clock.Now()), full);
    clock.Advance(absl::Seconds(30));
  }
  EXPECT_EQ((*backend)->counters().alert_evaluation_errors, 3);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0], absl::StrCat("slakit serve: error: alert evaluation: ",
                                 full.ToString(),
                                 " (counted in "
                                 "slakit_alert_evaluation_errors_total; logged "
                                 "again when the first error changes)"));
  EXPECT_EQ((*backend)->counters().clock_steps_back, 0);
  EXPECT_FALSE((*backend)->Shutdown().ok());
}

}  // namespace
}  // namespace sla::faults
