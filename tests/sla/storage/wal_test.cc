// Tests of sla::storage's write-ahead log: framing and round trips across
// segments and reopen, recovery from torn and corrupt tails (every byte
// offset of the last record, flipped bytes, zero-filled tails, empty and
// partial segment headers), DataLoss outside the tail, group commit under
// concurrency, the sync policies, segment removal, sticky errors, and a
// fork()/SIGKILL crash test. Time comes from a sla::FakeClock; nothing
// sleeps (the crash test waits a random, seeded time before the kill).

#include "sla/storage/wal.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sla/clock.h"

namespace sla::storage {
namespace {

namespace fs = std::filesystem;

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// ---------------------------------------------------------------- helpers

struct Rec {
  uint64_t lsn = 0;
  uint8_t type = 0;
  std::string payload;
  friend bool operator==(const Rec& a, const Rec& b) {
    return a.lsn == b.lsn && a.type == b.type && a.payload == b.payload;
  }
  friend std::ostream& operator<<(std::ostream& os, const Rec& r) {
    return os << "{" << r.lsn << ", " << int{r.type} << ", \"" << r.payload
              << "\"}";
  }
};

struct Replay {
  RecoveryResult result;
  std::vector<Rec> records;
};

absl::StatusOr<Replay> ReadAll(const std::string& dir, uint64_t from = 0) {
  Replay out;
  absl::StatusOr<RecoveryResult> r = ReadLog(
      dir,
      [&](uint64_t lsn, uint8_t type, absl::string_view payload) {
        out.records.push_back({lsn, type, std::string(payload)});
        return absl::OkStatus();
      },
      from);
  if (!r.ok()) return r.status();
  out.result = *r;
  return out;
}

// The payload and type of the i-th test record: varying lengths, 0 included.
std::string Payload(uint64_t i) {
  return absl::StrCat("record-", i, "-", std::string(i % 29, 'a' + i % 26));
}
uint8_t Type(uint64_t i) { return static_cast<uint8_t>(i * 7 % 256); }
Rec Expected(uint64_t lsn) { return {lsn, Type(lsn), Payload(lsn)}; }
std::vector<Rec> ExpectedRange(uint64_t first, uint64_t last) {
  std::vector<Rec> v;
  for (uint64_t i = first; i <= last; ++i) v.push_back(Expected(i));
  return v;
}

std::string SegName(uint64_t lsn) {
  return absl::StrFormat("wal-%020u.log", lsn);
}

// Segment file names of `dir`, sorted.
std::vector<std::string> Segments(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (n.size() == 28 && n.rfind("wal-", 0) == 0 &&
        n.compare(24, 4, ".log") == 0) {
      names.insert(n);
    }
  }
  return {names.begin(), names.end()};
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, absl::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  ASSERT_TRUE(out.good()) << path;
}

uint64_t FileSize(const std::string& path) {
  return static_cast<uint64_t>(fs::file_size(path));
}

void FlipByte(const std::string& path, uint64_t offset, uint8_t mask = 0x01) {
  std::string data = ReadFile(path);
  ASSERT_LT(offset, data.size());
  data[offset] = static_cast<char>(data[offset] ^ mask);
  WriteFile(path, data);
}

// A copy of the segment files of a log directory.
using Snapshot = std::map<std::string, std::string>;

Snapshot TakeSnapshot(const std::string& dir) {
  Snapshot s;
  for (const std::string& n : Segments(dir)) s[n] = ReadFile(dir + "/" + n);
  return s;
}

void Restore(const Snapshot& s, const std::string& dir) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const auto& [name, data] : s) WriteFile(dir + "/" + name, data);
}

// Offsets of the records of a segment file (parsing the documented format).
std::vector<uint64_t> RecordOffsets(const std::string& data) {
  std::vector<uint64_t> offsets;
  uint64_t pos = kSegmentHeaderBytes;
  while (pos + kRecordHeaderBytes <= data.size()) {
    offsets.push_back(pos);
    uint32_t length = 0;
    for (int i = 3; i >= 0; --i) {
      length = (length << 8) | static_cast<unsigned char>(data[pos + i]);
    }
    pos += kRecordHeaderBytes + length;
  }
  return offsets;
}

class WalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* info =
        ::testing::UnitTest::GetInstance()->current_test_info();
    // "Layouts/TornTailTest", "ZeroFilledTail/OneSegment": no '/' in the
    // directory name, so that TearDown removes all of it.
    std::string name = absl::StrCat(info->test_suite_name(), "_", info->name());
    std::replace(name.begin(), name.end(), '/', '_');
    root_ = absl::StrCat(::testing::TempDir(), "slakit_wal_", name, "_",
                         ::getpid());
    fs::remove_all(root_);
    fs::create_directories(root_);
    dir_ = root_ + "/wal";
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(root_);
  }

  LogOptions Options(SyncPolicy sync = SyncPolicy::kNone,
                     size_t segment_bytes = size_t{1} << 20) {
    LogOptions o;
    o.sync = sync;
    o.segment_bytes = segment_bytes;
    o.clock = &clock_;
    return o;
  }

  std::unique_ptr<LogWriter> MustOpen(const std::string& dir,
                                      const LogOptions& options) {
    absl::StatusOr<std::unique_ptr<LogWriter>> w =
        LogWriter::Open(dir, options);
    EXPECT_TRUE(w.ok()) << w.status();
    return w.ok() ? std::move(*w) : nullptr;
  }

  // Appends Expected(lsn) records until next_lsn() == last + 1.
  void AppendUpTo(LogWriter* w, uint64_t last) {
    while (w->next_lsn() <= last) {
      const uint64_t lsn = w->next_lsn();
      absl::StatusOr<uint64_t> got = w->Append(Type(lsn), Payload(lsn));
      ASSERT_TRUE(got.ok()) << got.status();
      ASSERT_EQ(*got, lsn);
    }
  }

  // A closed log of records 1..n in `dir`.
  void MakeLog(const std::string& dir, uint64_t n, const LogOptions& options) {
    std::unique_ptr<LogWriter> w = MustOpen(dir, options);
    ASSERT_NE(w, nullptr);
    AppendUpTo(w.get(), n);
    ASSERT_TRUE(w->Close().ok());
  }

  // Reopens `dir`, appends one record and checks that the log then reads
  // back as records 1..n-1 plus the new one as LSN n, cleanly.
  void ExpectAppendAfterRecovery(const std::string& dir, uint64_t n) {
    std::unique_ptr<LogWriter> w = MustOpen(dir, Options());
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->next_lsn(), n);
    absl::StatusOr<uint64_t> lsn = w->Append(Type(n), Payload(n));
    ASSERT_TRUE(lsn.ok()) << lsn.status();
    EXPECT_EQ(*lsn, n);
    ASSERT_TRUE(w->Close().ok());
    absl::StatusOr<Replay> r = ReadAll(dir);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_FALSE(r->result.tail_dropped) << r->result.ToString();
    EXPECT_EQ(r->result.last_lsn, n);
    EXPECT_THAT(r->records, ElementsAreArray(ExpectedRange(1, n)));
  }

  FakeClock clock_{absl::FromUnixSeconds(1704067200)};
  std::string root_;
  std::string dir_;
};

// ---------------------------------------------------------------- basics

TEST_F(WalTest, RoundTripAcrossSegmentsAndReopen) {
  {
    std::unique_ptr<LogWriter> w =
        MustOpen(dir_, Options(SyncPolicy::kNone,
                               /*segment_bytes=*/512));
    ASSERT_NE(w, nullptr);
    EXPECT_FALSE(w->recovery().tail_dropped);
    EXPECT_EQ(w->next_lsn(), 1u);
    AppendUpTo(w.get(), 300);
    const LogStats st = w->stats();
    EXPECT_EQ(st.appends, 300u);
    EXPECT_GT(st.segments_created, 10u);
    ASSERT_TRUE(w->Close().ok());
  }
  const std::vector<std::string> segments = Segments(dir_);
  ASSERT_GT(segments.size(), 10u);
  EXPECT_EQ(segments.front(), SegName(1));
  for (const std::string& s : segments)
    EXPECT_LE(FileSize(dir_ + "/" + s), 512u);

  absl::StatusOr<Replay> r = ReadAll(dir_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->result.records, 300u);
  EXPECT_EQ(r->result.last_lsn, 300u);
  EXPECT_EQ(r->result.segments_read, static_cast<int>(segments.size()));
  EXPECT_FALSE(r->result.tail_dropped);
  EXPECT_THAT(r->records, ElementsAreArray(ExpectedRange(1, 300)));

  // Reopen: LSNs continue, nothing is overwritten.
  {
    std::unique_ptr<LogWriter> w =
        MustOpen(dir_, Options(SyncPolicy::kNone, 512));
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->next_lsn(), 301u);
    EXPECT_EQ(w->recovery().last_lsn, 300u);
    EXPECT_FALSE(w->recovery().tail_dropped);
    AppendUpTo(w.get(), 350);
  }  // the destructor closes
  r = ReadAll(dir_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->records, ElementsAreArray(ExpectedRange(1, 350)));

  // Partial replay reads only the segments it needs.
  absl::StatusOr<Replay> tail = ReadAll(dir_, 340);
  ASSERT_TRUE(tail.ok()) << tail.status();
  EXPECT_EQ(tail->result.records, 11u);
  EXPECT_EQ(tail->result.last_lsn, 350u);
  EXPECT_LE(tail->result.segments_read, 3);
  EXPECT_THAT(tail->records, ElementsAreArray(ExpectedRange(340, 350)));
}

TEST_F(WalTest, EmptyPayloadsAndAllTypes) {
  std::unique_ptr<LogWriter> w = MustOpen(dir_, Options());
  ASSERT_NE(w, nullptr);
  for (int t = 0; t < 256; ++t) {
    absl::StatusOr<uint64_t> lsn = w->Append(static_cast<uint8_t>(t), "");
    ASSERT_TRUE(lsn.ok());
    EXPECT_EQ(*lsn, static_cast<uint64_t>(t + 1));
  }
  ASSERT_TRUE(w->Close().ok());
  absl::StatusOr<Replay> r = ReadAll(dir_);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->records.size(), 256u);
  for (int t = 0; t < 256; ++t) {
    EXPECT_EQ(r->records[t].type, t);
    EXPECT_THAT(r->records[t].payload, IsEmpty());
  }
}

TEST_F(WalTest, FramingIsAsDocumented) {
  MakeLog(dir_, 2, Options());
  const std::string data = ReadFile(dir_ + "/" + SegName(1));
  ASSERT_GE(data.size(), kSegmentHeaderBytes);
  EXPECT_EQ(data.substr(0, 8), "SLAKWAL1");
  EXPECT_EQ(data.substr(8, 4), std::string("\x01\0\0\0", 4));  // version
  EXPECT_EQ(data.substr(12, 8), std::string("\x01\0\0\0\0\0\0\0", 8));
  const std::string p1 = Payload(1);
  const uint64_t r1 = kSegmentHeaderBytes;
  EXPECT_EQ(static_cast<unsigned char>(data[r1]), p1.size());  // length, LE
  EXPECT_EQ(data.substr(r1 + 1, 3), std::string(3, '\0'));
  EXPECT_EQ(static_cast<uint8_t>(data[r1 + 8]), Type(1));
  EXPECT_EQ(data.substr(r1 + 9, 8), std::string("\x01\0\0\0\0\0\0\0", 8));
  EXPECT_EQ(data.substr(r1 + kRecordHeaderBytes, p1.size()), p1);
  EXPECT_EQ(data.size(), kSegmentHeaderBytes + 2 * kRecordHeaderBytes +
                             p1.size() + Payload(2).size());
}

TEST_F(WalTest, ReadLogOnMissingAndEmptyDirectories) {
  absl::StatusOr<Replay> r = ReadAll(root_ + "/nope");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  fs::create_directories(dir_);
  r = ReadAll(dir_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->result.records, 0u);
  EXPECT_EQ(r->result.last_lsn, 0u);
  EXPECT_FALSE(r->result.tail_dropped);
}

// LSNs start at 1, so a file named for LSN 0 is not a segment (it used to
// make an empty log report last_lsn 2^64 - 1; found by the fuzzer).
TEST_F(WalTest, FileNamedForLsnZeroIsNotASegment) {
  fs::create_directories(dir_);
  {
    std::ofstream f(dir_ + "/wal-00000000000000000000.log", std::ios::binary);
    f << "not a segment header";
  }
  absl::StatusOr<Replay> r = ReadAll(dir_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->result.records, 0u);
  EXPECT_EQ(r->result.last_lsn, 0u);
}

TEST_F(WalTest, OpenCreatesNestedDirectoriesAndLocksThem) {
  const std::string nested = root_ + "/a/b/c";
  std::unique_ptr<LogWriter> w = MustOpen(nested, Options());
  ASSERT_NE(w, nullptr);
  EXPECT_THAT(Segments(nested), ElementsAreArray({SegName(1)}));
  absl::StatusOr<std::unique_ptr<LogWriter>> second =
      LogWriter::Open(nested, Options());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.status().message(), HasSubstr("already open"));
  ASSERT_TRUE(w->Close().ok());
  EXPECT_TRUE(LogWriter::Open(nested, Options()).ok());  // lock released
}

TEST_F(WalTest, InvalidArguments) {
  LogOptions o = Options();
  o.segment_bytes = 0;
  EXPECT_EQ(LogWriter::Open(dir_, o).status().code(),
            absl::StatusCode::kInvalidArgument);
  o = Options();
  o.sync_interval = -absl::Seconds(1);
  EXPECT_EQ(LogWriter::Open(dir_, o).status().code(),
            absl::StatusCode::kInvalidArgument);
  o = Options();
  o.clock = nullptr;
  EXPECT_EQ(LogWriter::Open(dir_, o).status().code(),
            absl::StatusCode::kInvalidArgument);

  EXPECT_EQ(*ParseSyncPolicy("Always"), SyncPolicy::kAlways);
  EXPECT_EQ(*ParseSyncPolicy("interval"), SyncPolicy::kInterval);
  EXPECT_EQ(*ParseSyncPolicy("none"), SyncPolicy::kNone);
  EXPECT_EQ(ParseSyncPolicy("sometimes").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SyncPolicyName(SyncPolicy::kInterval), "interval");

  std::unique_ptr<LogWriter> w = MustOpen(dir_, Options());
  ASSERT_NE(w, nullptr);
  const std::string huge(kMaxPayloadBytes + 1, 'x');
  EXPECT_EQ(w->Append(1, huge).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Not sticky.
  absl::StatusOr<uint64_t> lsn = w->Append(1, "fine");
  ASSERT_TRUE(lsn.ok()) << lsn.status();
  EXPECT_EQ(*lsn, 1u);
  ASSERT_TRUE(w->Close().ok());
  EXPECT_EQ(w->Append(1, "late").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(w->Sync().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(WalTest, RecordLargerThanASegmentGetsItsOwnSegment) {
  std::unique_ptr<LogWriter> w =
      MustOpen(dir_, Options(SyncPolicy::kNone, 256));
  ASSERT_NE(w, nullptr);
  ASSERT_TRUE(w->Append(1, "small").ok());
  const std::string big(1000, 'B');
  ASSERT_EQ(*w->Append(2, big), 2u);
  ASSERT_EQ(*w->Append(3, "after"), 3u);
  ASSERT_TRUE(w->Close().ok());
  EXPECT_THAT(Segments(dir_),
              ElementsAreArray({SegName(1), SegName(2), SegName(3)}));
  absl::StatusOr<Replay> r = ReadAll(dir_);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->records.size(), 3u);
  EXPECT_EQ(r->records[1].payload, big);
}

TEST_F(WalTest, CallbackErrorStopsReplay) {
  MakeLog(dir_, 10, Options());
  int seen = 0;
  absl::StatusOr<RecoveryResult> r =
      ReadLog(dir_, [&](uint64_t lsn, uint8_t, absl::string_view) {
        ++seen;
        return lsn == 4 ? absl::CancelledError("enough") : absl::OkStatus();
      });
  EXPECT_EQ(r.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(seen, 4);
}

// ---------------------------------------------------------------- torn tails

// Records 1..kN, either all in one segment or one per segment (so that the
// last record is also the first of its segment).
struct TailCase {
  const char* name;
  bool one_record_per_segment;
  friend void PrintTo(const TailCase& c, std::ostream* os) { *os << c.name; }
};

class TornTailTest : public WalTest,
                     public ::testing::WithParamInterface<TailCase> {
 protected:
  static constexpr uint64_t kN = 12;

  void SetUp() override {
    WalTest::SetUp();
    // segment_bytes 1: every record but the first rotates.
    const size_t segment_bytes =
        GetParam().one_record_per_segment ? 1 : size_t{1} << 20;
    MakeLog(dir_, kN, Options(SyncPolicy::kNone, segment_bytes));
    pristine_ = TakeSnapshot(dir_);
    last_segment_ = Segments(dir_).back();
    const std::string data = pristine_.at(last_segment_);
    last_start_ = RecordOffsets(data).back();
    last_size_ = data.size() - last_start_;
    ASSERT_EQ(last_size_, kRecordHeaderBytes + Payload(kN).size());
    if (GetParam().one_record_per_segment) {
      ASSERT_EQ(last_segment_, SegName(kN));
      ASSERT_EQ(last_start_, kSegmentHeaderBytes);
    }
  }

  std::string CaseDir(absl::string_view what, uint64_t k) {
    return absl::StrCat(root_, "/", what, "-", k);
  }

  Snapshot pristine_;
  std::string last_segment_;
  uint64_t last_start_ = 0;  // offset of record kN in the last segment
  uint64_t last_size_ = 0;   // its frame size
};

TEST_P(TornTailTest, TruncatedAtEveryByteOfTheLastRecord) {
  for (uint64_t k = 0; k < last_size_; ++k) {
    SCOPED_TRACE(absl::StrCat("kept ", k, " of ", last_size_, " bytes"));
    const std::string dir = CaseDir("cut", k);
    Restore(pristine_, dir);
    const std::string seg = dir + "/" + last_segment_;
    fs::resize_file(seg, last_start_ + k);

    absl::StatusOr<Replay> r = ReadAll(dir);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_THAT(r->records, ElementsAreArray(ExpectedRange(1, kN - 1)));
    EXPECT_EQ(r->result.last_lsn, kN - 1);
    EXPECT_EQ(r->result.tail_dropped, k > 0) << r->result.ToString();
    if (k > 0) {
      EXPECT_EQ(r->result.dropped_at.segment, last_segment_);
      EXPECT_EQ(r->result.dropped_at.offset, last_start_);
      EXPECT_EQ(r->result.dropped_bytes, k);
      EXPECT_EQ(r->result.intact_records_dropped, 0u);
      EXPECT_THAT(r->result.reason, k < kRecordHeaderBytes
                                        ? HasSubstr("partial record header")
                                        : HasSubstr("runs past the end"));
    }

    // The writer reports the same, cuts the tail and continues there.
    {
      std::unique_ptr<LogWriter> w = MustOpen(dir, Options());
      ASSERT_NE(w, nullptr);
      EXPECT_EQ(w->recovery().tail_dropped, k > 0);
      EXPECT_EQ(w->recovery().dropped_bytes, r->result.dropped_bytes);
      EXPECT_EQ(w->recovery().dropped_at.offset, r->result.dropped_at.offset);
      EXPECT_EQ(FileSize(seg), last_start_);
    }
    ExpectAppendAfterRecovery(dir, kN);
    fs::remove_all(dir);
  }
}

TEST_P(TornTailTest, FlippedByteAnywhereInTheLastRecord) {
  for (uint64_t k = 0; k < last_size_; ++k) {
    SCOPED_TRACE(absl::StrCat("flipped byte ", k, " of ", last_size_));
    const std::string dir = CaseDir("flip", k);
    Restore(pristine_, dir);
    FlipByte(dir + "/" + last_segment_, last_start_ + k);
    absl::StatusOr<Replay> r = ReadAll(dir);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_THAT(r->records, ElementsAreArray(ExpectedRange(1, kN - 1)));
    EXPECT_TRUE(r->result.tail_dropped);
    EXPECT_EQ(r->result.dropped_at.segment, last_segment_);
    EXPECT_EQ(r->result.dropped_at.offset, last_start_);
    EXPECT_EQ(r->result.dropped_bytes, last_size_);
    EXPECT_EQ(r->result.intact_records_dropped, 0u);
    ExpectAppendAfterRecovery(dir, kN);
    fs::remove_all(dir);
  }
}

TEST_P(TornTailTest, FlippedLengthCrcAndPayloadGiveTheirReasons) {
  struct Flip {
    const char* what;
    uint64_t offset;  // within the record
    uint8_t mask;
    const char* reason;
  };
  // Clearing the lowest set bit of the length makes it shorter: the frame
  // then ends inside the payload and the CRC cannot match.
  const uint8_t length_low = static_cast<uint8_t>(Payload(kN).size());
  ASSERT_NE(length_low, 0);
  const uint8_t lowest_bit = length_low & -length_low;
  const Flip flips[] = {
      {"length-high-byte", 3, 0x80, "runs past the end"},
      {"length-low-byte", 0, lowest_bit, "checksum mismatch"},
      {"crc", 5, 0x10, "checksum mismatch"},
      {"type", 8, 0x01, "checksum mismatch"},
      {"lsn", 9, 0x01, "checksum mismatch"},
      {"payload", kRecordHeaderBytes + 3, 0x20, "checksum mismatch"},
  };
  for (const Flip& f : flips) {
    SCOPED_TRACE(f.what);
    const std::string dir = CaseDir(f.what, 0);
    Restore(pristine_, dir);
    FlipByte(dir + "/" + last_segment_, last_start_ + f.offset, f.mask);
    absl::StatusOr<Replay> r = ReadAll(dir);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->records.size(), kN - 1);
    EXPECT_THAT(r->result.reason, HasSubstr(f.reason));
    EXPECT_THAT(
        r->result.ToString(),
        HasSubstr(absl::StrCat(last_segment_, " offset ", last_start_)));
    // TruncateTornTail on its own does what Open does.
    ASSERT_TRUE(TruncateTornTail(dir, r->result).ok());
    EXPECT_EQ(FileSize(dir + "/" + last_segment_), last_start_);
    // Applying it twice is refused: the file changed.
    EXPECT_EQ(TruncateTornTail(dir, r->result).code(),
              absl::StatusCode::kFailedPrecondition);
    ExpectAppendAfterRecovery(dir, kN);
  }
}

TEST_P(TornTailTest, ZeroFilledTail) {
  // Preallocated space after the last record.
  Restore(pristine_, dir_);
  const std::string seg = dir_ + "/" + last_segment_;
  const uint64_t size = FileSize(seg);
  WriteFile(seg, ReadFile(seg) + std::string(4096, '\0'));
  absl::StatusOr<Replay> r = ReadAll(dir_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->records, ElementsAreArray(ExpectedRange(1, kN)));
  EXPECT_TRUE(r->result.tail_dropped);
  EXPECT_EQ(r->result.dropped_at.offset, size);
  EXPECT_EQ(r->result.dropped_bytes, 4096u);
  EXPECT_EQ(r->result.reason, "zero-filled tail");
  {
    std::unique_ptr<LogWriter> w = MustOpen(dir_, Options());
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->recovery().dropped_bytes, 4096u);
    EXPECT_EQ(FileSize(seg), size);
  }
  ExpectAppendAfterRecovery(dir_, kN + 1);

  // The last record's write never reached the disk, the zeros did.
  const std::string dir2 = root_ + "/zeros-over-last";
  Restore(pristine_, dir2);
  const std::string seg2 = dir2 + "/" + last_segment_;
  std::string data = ReadFile(seg2);
  data.resize(last_start_);
  data.append(last_size_ + 4096, '\0');
  WriteFile(seg2, data);
  r = ReadAll(dir2);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->records.size(), kN - 1);
  EXPECT_EQ(r->result.dropped_at.offset, last_start_);
  EXPECT_EQ(r->result.dropped_bytes, last_size_ + 4096);
  EXPECT_EQ(r->result.reason, "zero-filled tail");
  ExpectAppendAfterRecovery(dir2, kN);
}

INSTANTIATE_TEST_SUITE_P(Layouts, TornTailTest,
                         ::testing::Values(TailCase{"OneSegment", false},
                                           TailCase{"OneRecordPerSegment",
                                                    true}),
                         [](const ::testing::TestParamInfo<TailCase>& info) {
                           return std::string(info.param.name);
                         });

TEST_F(WalTest, EmptyLastSegmentFile) {
  MakeLog(dir_, 10, Options());
  WriteFile(dir_ + "/" + SegName(11), "");
  absl::StatusOr<Replay> r = ReadAll(dir_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->records.size(), 10u);
  EXPECT_EQ(r->result.last_lsn, 10u);
  EXPECT_TRUE(r->result.tail_dropped);
  EXPECT_EQ(r->result.dropped_at.segment, SegName(11));
  EXPECT_EQ(r->result.dropped_at.offset, 0u);
  EXPECT_EQ(r->result.dropped_bytes, 0u);
  EXPECT_THAT(r->result.reason, HasSubstr("empty segment file"));
  ExpectAppendAfterRecovery(dir_, 11);
}

TEST_F(WalTest, EmptyLastSegmentAfterAGapIsDataLoss) {
  // The previous segment ends at 10, the next claims to start at 15.
  MakeLog(dir_, 10, Options());
  WriteFile(dir_ + "/" + SegName(15), "");
  absl::StatusOr<Replay> r = ReadAll(dir_);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(), HasSubstr("missing"));
  absl::StatusOr<std::unique_ptr<LogWriter>> w =
      LogWriter::Open(dir_, Options());
  EXPECT_EQ(w.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(w.status().message(), HasSubstr(SegName(15)));
  EXPECT_TRUE(fs::exists(dir_ + "/" + SegName(15)));  // left for inspection
}

TEST_F(WalTest, OnlySegmentIsEmptyKeepsItsLsn) {
  // After RemoveSegmentsBefore only an (empty) active segment may remain;
  // its name still says where the LSNs continue.
  fs::create_directories(dir_);
  WriteFile(dir_ + "/" + SegName(100), "");
  absl::StatusOr<Replay> r = ReadAll(dir_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->result.last_lsn, 99u);
  EXPECT_TRUE(r->result.tail_dropped);
  std::unique_ptr<LogWriter> w = MustOpen(dir_, Options());
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->next_lsn(), 100u);
  EXPECT_EQ(*w->Append(1, "x"), 100u);
  ASSERT_TRUE(w->Close().ok());
  r = ReadAll(dir_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->result.tail_dropped);
  EXPECT_EQ(r->result.last_lsn, 100u);
}

// A last segment exactly full: Open writes nothing (no new segment; on a
// full disk that creation used to fail the restart), and the first append
// seals the full one (fdatasync under kAlways) and starts the next.
TEST_F(WalTest, ExactlyFullLastSegmentIsContinuedByTheFirstAppend) {
  const std::string payload(100, 'p');
  const size_t bytes = kSegmentHeaderBytes + 4 * (kRecordHeaderBytes + 100);
  {
    std::unique_ptr<LogWriter> w =
        MustOpen(dir_, Options(SyncPolicy::kAlways, bytes));
    ASSERT_NE(w, nullptr);
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(w->Append(1, payload).ok());
    ASSERT_TRUE(w->Close().ok());
  }
  ASSERT_EQ(Segments(dir_), std::vector<std::string>{SegName(1)});
  ASSERT_EQ(fs::file_size(dir_ + "/" + SegName(1)), bytes);

  std::unique_ptr<LogWriter> w =
      MustOpen(dir_, Options(SyncPolicy::kAlways, bytes));
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(Segments(dir_), std::vector<std::string>{SegName(1)});
  EXPECT_EQ(w->next_lsn(), 5u);
  EXPECT_EQ(*w->Append(1, payload), 5u);
  EXPECT_EQ(Segments(dir_), (std::vector<std::string>{SegName(1), SegName(5)}));
  const LogStats st = w->stats();
  EXPECT_EQ(st.segments_created, 1u);
  EXPECT_GE(st.syncs, 2u);  // the full segment sealed, then the record
  ASSERT_TRUE(w->Close().ok());
  EXPECT_EQ(fs::file_size(dir_ + "/" + SegName(1)), bytes);
  absl::StatusOr<Replay> r = ReadAll(dir_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->records.size(), 5u);
  EXPECT_FALSE(r->result.tail_dropped);
}

TEST_F(WalTest, PartialSegmentHeader) {
  // Records 1..10 one per segment; segment 11 is cut inside its header.
  MakeLog(dir_, 11, Options(SyncPolicy::kNone, /*segment_bytes=*/1));
  const Snapshot pristine = TakeSnapshot(dir_);
  ASSERT_EQ(pristine.size(), 11u);
  for (uint64_t k = 0; k < kSegmentHeaderBytes; ++k) {
    SCOPED_TRACE(absl::StrCat("header bytes kept: ", k));
    const std::string dir = absl::StrCat(root_, "/hdr-", k);
    Restore(pristine, dir);
    fs::resize_file(dir + "/" + SegName(11), k);
    absl::StatusOr<Replay> r = ReadAll(dir);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_THAT(r->records, ElementsAreArray(ExpectedRange(1, 10)));
    EXPECT_EQ(r->result.last_lsn, 10u);
    EXPECT_TRUE(r->result.tail_dropped);
    EXPECT_EQ(r->result.dropped_at.segment, SegName(11));
    EXPECT_EQ(r->result.dropped_at.offset, 0u);
    EXPECT_EQ(r->result.dropped_bytes, k);
    EXPECT_THAT(r->result.reason, k == 0 ? HasSubstr("empty segment file")
                                         : HasSubstr("partial segment header"));
    ExpectAppendAfterRecovery(dir, 11);
    fs::remove_all(dir);
  }
}

TEST_F(WalTest, CorruptHeaderOfLastSegmentIsQuarantined) {
  MakeLog(dir_, 3, Options(SyncPolicy::kNone, /*segment_bytes=*/1));
  const std::string seg = dir_ + "/" + SegName(3);
  const std::string original = ReadFile(seg);
  FlipByte(seg, 2);  // the magic
  absl::StatusOr<Replay> r = ReadAll(dir_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->records.size(), 2u);
  EXPECT_THAT(r->result.reason, HasSubstr("bad magic"));
  EXPECT_EQ(r->result.dropped_bytes, original.size());
  EXPECT_EQ(r->result.intact_records_dropped, 1u);  // record 3 is fine
  ExpectAppendAfterRecovery(dir_, 3);
  // The dropped bytes were kept aside, outside the log.
  const std::string kept = absl::StrCat(seg, ".dropped-0");
  ASSERT_TRUE(fs::exists(kept));
  std::string expected = original;
  expected[2] ^= 0x01;
  EXPECT_EQ(ReadFile(kept), expected);
}

TEST_F(WalTest, CorruptRecordInTheMiddleOfTheLastSegment) {
  MakeLog(dir_, 10, Options());
  const std::string seg = dir_ + "/" + SegName(1);
  const std::vector<uint64_t> offsets = RecordOffsets(ReadFile(seg));
  ASSERT_EQ(offsets.size(), 10u);
  const uint64_t size = FileSize(seg);
  FlipByte(seg, offsets[2] + kRecordHeaderBytes);  // record 3's payload
  absl::StatusOr<Replay> r = ReadAll(dir_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->records, ElementsAreArray(ExpectedRange(1, 2)));
  EXPECT_EQ(r->result.dropped_at.offset, offsets[2]);
  EXPECT_EQ(r->result.dropped_bytes, size - offsets[2]);
  // Records 4..10 are intact behind the damage: not a torn write.
  EXPECT_EQ(r->result.intact_records_dropped, 7u);
  EXPECT_THAT(r->result.ToString(), HasSubstr("7 intact records"));
  std::unique_ptr<LogWriter> w = MustOpen(dir_, Options());
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->next_lsn(), 3u);
  EXPECT_EQ(FileSize(absl::StrCat(seg, ".dropped-", offsets[2])),
            size - offsets[2]);
}

// ---------------------------------------------------------------- DataLoss

TEST_F(WalTest, FlippedByteInAnEarlierSegmentIsDataLoss) {
  MakeLog(dir_, 60, Options(SyncPolicy::kNone, /*segment_bytes=*/400));
  const std::vector<std::string> segments = Segments(dir_);
  ASSERT_GE(segments.size(), 4u);
  const std::string victim = dir_ + "/" + segments[1];
  const std::vector<uint64_t> offsets = RecordOffsets(ReadFile(victim));
  ASSERT_GE(offsets.size(), 2u);
  FlipByte(victim, offsets[1] + kRecordHeaderBytes + 1);

  absl::StatusOr<Replay> r = ReadAll(dir_);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(), HasSubstr(victim));
  EXPECT_THAT(r.status().message(),
              HasSubstr(absl::StrCat("offset ", offsets[1])));
  EXPECT_THAT(r.status().message(), HasSubstr("checksum mismatch"));

  // A replay that starts after the damaged segment does not read it.
  uint64_t after = 0;
  ASSERT_TRUE(absl::SimpleAtoi(segments[2].substr(4, 20), &after));
  absl::StatusOr<Replay> later = ReadAll(dir_, after);
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_THAT(later->records, ElementsAreArray(ExpectedRange(after, 60)));
}

TEST_F(WalTest, TruncatedEarlierSegmentIsDataLoss) {
  MakeLog(dir_, 60, Options(SyncPolicy::kNone, /*segment_bytes=*/400));
  const std::vector<std::string> segments = Segments(dir_);
  const std::string victim = dir_ + "/" + segments[0];
  fs::resize_file(victim, FileSize(victim) - 3);
  absl::StatusOr<Replay> r = ReadAll(dir_);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(), HasSubstr(victim));
}

TEST_F(WalTest, MissingMiddleSegmentIsDataLoss) {
  MakeLog(dir_, 60, Options(SyncPolicy::kNone, /*segment_bytes=*/400));
  const std::vector<std::string> segments = Segments(dir_);
  ASSERT_GE(segments.size(), 3u);
  fs::remove(dir_ + "/" + segments[1]);
  absl::StatusOr<Replay> r = ReadAll(dir_);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(), HasSubstr(segments[2]));
  EXPECT_THAT(r.status().message(), HasSubstr("missing"));
}

// ---------------------------------------------------------------- removal

TEST_F(WalTest, RemoveSegmentsBeforeKeepsSegmentsWithNewerRecords) {
  std::unique_ptr<LogWriter> w =
      MustOpen(dir_, Options(SyncPolicy::kNone, /*segment_bytes=*/400));
  ASSERT_NE(w, nullptr);
  AppendUpTo(w.get(), 100);
  std::vector<uint64_t> firsts;
  for (const std::string& s : Segments(dir_)) {
    uint64_t lsn = 0;
    ASSERT_TRUE(absl::SimpleAtoi(s.substr(4, 20), &lsn));
    firsts.push_back(lsn);
  }
  ASSERT_GE(firsts.size(), 6u);
  ASSERT_GT(firsts[3] + 1, firsts[3]);
  ASSERT_LT(firsts[3] + 1, firsts[4]);

  // LSN firsts[3] + 1 lies inside segment 3: segments 0..2 go.
  ASSERT_TRUE(w->RemoveSegmentsBefore(firsts[3] + 1).ok());
  EXPECT_EQ(Segments(dir_).front(), SegName(firsts[3]));
  // A segment's first LSN exactly: its predecessor goes, it stays.
  ASSERT_TRUE(w->RemoveSegmentsBefore(firsts[5]).ok());
  EXPECT_EQ(Segments(dir_).front(), SegName(firsts[5]));
  // Idempotent.
  ASSERT_TRUE(w->RemoveSegmentsBefore(firsts[5]).ok());
  EXPECT_EQ(Segments(dir_).front(), SegName(firsts[5]));

  absl::StatusOr<Replay> r = ReadAll(dir_, firsts[5] + 2);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->records, ElementsAreArray(ExpectedRange(firsts[5] + 2, 100)));
  r = ReadAll(dir_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->records, ElementsAreArray(ExpectedRange(firsts[5], 100)));
  // Asking for removed records is DataLoss, not a silent partial replay.
  EXPECT_EQ(ReadAll(dir_, firsts[5] - 1).status().code(),
            absl::StatusCode::kDataLoss);

  // Everything is older: only the active segment stays, LSNs continue.
  ASSERT_TRUE(w->RemoveSegmentsBefore(1000).ok());
  const std::vector<std::string> left = Segments(dir_);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0], SegName(firsts.back()));
  AppendUpTo(w.get(), 101);
  ASSERT_TRUE(w->Close().ok());
  w = MustOpen(dir_, Options(SyncPolicy::kNone, 400));
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->next_lsn(), 102u);
}

// ---------------------------------------------------------------- errors

TEST_F(WalTest, WriteErrorIsSticky) {
  std::unique_ptr<LogWriter> w = MustOpen(dir_, Options(SyncPolicy::kAlways));
  ASSERT_NE(w, nullptr);
  AppendUpTo(w.get(), 5);
  // Every later write(2) to the segment fails with ENOSPC.
  const int full = ::open("/dev/full", O_WRONLY);
  ASSERT_GE(full, 0);
  ASSERT_GE(::dup2(full, w->SegmentFdForTesting()), 0);
  ::close(full);

  absl::StatusOr<uint64_t> failed = w->Append(Type(6), Payload(6));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(failed.status().message(), HasSubstr(SegName(1)));
  EXPECT_EQ(w->Append(Type(6), Payload(6)).status(), failed.status());
  EXPECT_EQ(w->Append(1, "").status(), failed.status());
  EXPECT_EQ(w->Sync(), failed.status());
  const LogStats st = w->stats();
  EXPECT_EQ(st.appends, 5u);
  EXPECT_EQ(w->Close(), failed.status());

  // Nothing after LSN 5 was acknowledged, nothing is lost before it.
  ExpectAppendAfterRecovery(dir_, 6);
}

TEST_F(WalTest, StickyErrorFailsEveryConcurrentWriter) {
  std::unique_ptr<LogWriter> w = MustOpen(dir_, Options());
  ASSERT_NE(w, nullptr);
  AppendUpTo(w.get(), 3);
  const int full = ::open("/dev/full", O_WRONLY);
  ASSERT_GE(full, 0);
  ASSERT_GE(::dup2(full, w->SegmentFdForTesting()), 0);
  ::close(full);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (w->Append(1, "doomed").ok()) ++ok;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 0);
  EXPECT_EQ(w->stats().appends, 3u);
}

// ---------------------------------------------------------------- policies

TEST_F(WalTest, AlwaysSyncsEveryGroup) {
  std::unique_ptr<LogWriter> w =
      MustOpen(dir_, Options(SyncPolicy::kAlways, /*segment_bytes=*/2048));
  ASSERT_NE(w, nullptr);
  AppendUpTo(w.get(), 60);  // several segments
  LogStats st = w->stats();
  EXPECT_EQ(st.appends, 60u);
  EXPECT_EQ(st.writes, 60u);  // one thread: one record per group
  EXPECT_EQ(st.syncs, st.writes);
  EXPECT_GT(st.segments_created, 1u);

  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) ASSERT_TRUE(w->Append(2, "concurrent").ok());
    });
  }
  for (std::thread& t : threads) t.join();
  st = w->stats();
  EXPECT_EQ(st.appends, 160u);
  EXPECT_EQ(st.syncs, st.writes);
  EXPECT_LE(st.writes, st.appends);
  ASSERT_TRUE(w->Close().ok());
  EXPECT_EQ(w->stats().syncs, st.syncs);  // nothing left to flush
}

TEST_F(WalTest, NoneNeverSyncs) {
  std::unique_ptr<LogWriter> w =
      MustOpen(dir_, Options(SyncPolicy::kNone, /*segment_bytes=*/512));
  ASSERT_NE(w, nullptr);
  AppendUpTo(w.get(), 100);
  clock_.Advance(absl::Hours(1));
  AppendUpTo(w.get(), 101);
  ASSERT_TRUE(w->Close().ok());
  const LogStats st = w->stats();
  EXPECT_EQ(st.syncs, 0u);
  EXPECT_EQ(st.writes, 101u);
  EXPECT_GT(st.segments_created, 1u);
}

TEST_F(WalTest, IntervalSyncsOnlyWhenTheClockSaysSo) {
  LogOptions o = Options(SyncPolicy::kInterval);
  o.sync_interval = absl::Seconds(1);
  std::unique_ptr<LogWriter> w = MustOpen(dir_, o);
  ASSERT_NE(w, nullptr);
  AppendUpTo(w.get(), 10);
  EXPECT_EQ(w->stats().syncs, 0u);
  clock_.Advance(absl::Milliseconds(999));
  AppendUpTo(w.get(), 11);
  EXPECT_EQ(w->stats().syncs, 0u);
  clock_.Advance(absl::Milliseconds(1));  // 1 s since Open
  AppendUpTo(w.get(), 12);
  EXPECT_EQ(w->stats().syncs, 1u);
  AppendUpTo(w.get(), 20);
  EXPECT_EQ(w->stats().syncs, 1u);  // the interval restarts at each sync
  clock_.Advance(absl::Milliseconds(1500));
  AppendUpTo(w.get(), 21);
  EXPECT_EQ(w->stats().syncs, 2u);
  // Sync() flushes when something is unflushed, and only then.
  ASSERT_TRUE(w->Sync().ok());
  EXPECT_EQ(w->stats().syncs, 2u);
  AppendUpTo(w.get(), 22);
  ASSERT_TRUE(w->Sync().ok());
  EXPECT_EQ(w->stats().syncs, 3u);
  // A clock stepping back does not suspend the flushes: the next group
  // flushes, and the interval restarts from there.
  clock_.Advance(-absl::Hours(1));
  AppendUpTo(w.get(), 23);
  EXPECT_EQ(w->stats().syncs, 4u);
  AppendUpTo(w.get(), 24);
  EXPECT_EQ(w->stats().syncs, 4u);
  // Close flushes what is left.
  ASSERT_TRUE(w->Close().ok());
  EXPECT_EQ(w->stats().syncs, 5u);
}

TEST_F(WalTest, ExplicitSyncWorksUnderNone) {
  std::unique_ptr<LogWriter> w = MustOpen(dir_, Options(SyncPolicy::kNone));
  ASSERT_NE(w, nullptr);
  AppendUpTo(w.get(), 3);
  ASSERT_TRUE(w->Sync().ok());
  EXPECT_EQ(w->stats().syncs, 1u);
}

TEST_F(WalTest, DeferredAppendsShareOneFlushUnderAlways) {
  std::unique_ptr<LogWriter> w = MustOpen(dir_, Options(SyncPolicy::kAlways));
  ASSERT_NE(w, nullptr);
  for (uint64_t lsn = 1; lsn <= 3; ++lsn) {
    absl::StatusOr<uint64_t> got = w->AppendDeferred(Type(lsn), Payload(lsn));
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, lsn);
  }
  LogStats st = w->stats();
  EXPECT_EQ(st.appends, 3u);
  EXPECT_EQ(st.writes, 3u);  // written: they survive kill -9 already
  EXPECT_EQ(st.syncs, 0u);   // but not flushed yet
  ASSERT_TRUE(w->WaitDurable(2).ok());
  EXPECT_EQ(w->stats().syncs, 1u);  // one flush covers 1..3
  ASSERT_TRUE(w->WaitDurable(3).ok());
  ASSERT_TRUE(w->WaitDurable(1).ok());
  EXPECT_EQ(w->stats().syncs, 1u);  // already durable: no second flush
  // A plain Append still flushes before it returns; so does a deferred one
  // waited for.
  ASSERT_TRUE(w->Append(Type(4), Payload(4)).ok());
  EXPECT_EQ(w->stats().syncs, 2u);
  ASSERT_TRUE(w->WaitDurable(4).ok());
  EXPECT_EQ(w->stats().syncs, 2u);
  ASSERT_TRUE(w->AppendDeferred(Type(5), Payload(5)).ok());
  ASSERT_TRUE(w->WaitDurable(5).ok());
  EXPECT_EQ(w->stats().syncs, 3u);
  ASSERT_TRUE(w->Close().ok());
  absl::StatusOr<Replay> r = ReadAll(dir_);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->records.size(), 5u);
  for (uint64_t lsn = 1; lsn <= 5; ++lsn) {
    EXPECT_EQ(r->records[lsn - 1].payload, Payload(lsn));
  }
}

TEST_F(WalTest, WaitDurableWaitsForNothingUnderNoneAndInterval) {
  for (SyncPolicy policy : {SyncPolicy::kNone, SyncPolicy::kInterval}) {
    const std::string dir = absl::StrCat(dir_, "_", SyncPolicyName(policy));
    std::unique_ptr<LogWriter> w = MustOpen(dir, Options(policy));
    ASSERT_NE(w, nullptr);
    ASSERT_TRUE(w->AppendDeferred(1, "a").ok());
    ASSERT_TRUE(w->WaitDurable(1).ok());
    EXPECT_EQ(w->stats().syncs, 0u) << SyncPolicyName(policy);
  }
}

TEST_F(WalTest, WaitDurableReportsTheStickyError) {
  std::unique_ptr<LogWriter> w = MustOpen(dir_, Options(SyncPolicy::kAlways));
  ASSERT_NE(w, nullptr);
  ASSERT_TRUE(w->AppendDeferred(1, "a").ok());
  const int full = ::open("/dev/full", O_WRONLY);
  ASSERT_GE(full, 0);
  ASSERT_GE(::dup2(full, w->SegmentFdForTesting()), 0);
  ::close(full);
  absl::StatusOr<uint64_t> failed = w->AppendDeferred(1, "b");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(w->WaitDurable(1), failed.status());
}

TEST_F(WalTest, CloseMakesDeferredRecordsDurable) {
  std::unique_ptr<LogWriter> w = MustOpen(dir_, Options(SyncPolicy::kAlways));
  ASSERT_NE(w, nullptr);
  ASSERT_TRUE(w->AppendDeferred(1, "a").ok());
  ASSERT_TRUE(w->Close().ok());
  EXPECT_EQ(w->stats().syncs, 1u);
  EXPECT_TRUE(w->WaitDurable(1).ok());  // Close flushed it
  EXPECT_TRUE(absl::IsFailedPrecondition(w->WaitDurable(2)));
}

// ---------------------------------------------------------------- concurrency

TEST_F(WalTest, ConcurrentWritersShareWrites) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 2000;
  std::unique_ptr<LogWriter> w =
      MustOpen(dir_, Options(SyncPolicy::kNone, /*segment_bytes=*/64 << 10));
  ASSERT_NE(w, nullptr);
  std::vector<std::vector<std::pair<uint64_t, std::string>>> acked(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string payload = absl::StrCat("thread ", t, " record ", i);
        absl::StatusOr<uint64_t> lsn =
            w->Append(static_cast<uint8_t>(t), payload);
        ASSERT_TRUE(lsn.ok()) << lsn.status();
        acked[t].emplace_back(*lsn, std::move(payload));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const LogStats st = w->stats();
  ASSERT_TRUE(w->Close().ok());

  constexpr uint64_t kTotal = uint64_t{kThreads} * kPerThread;
  std::map<uint64_t, std::pair<int, std::string>> by_lsn;
  for (int t = 0; t < kThreads; ++t) {
    uint64_t prev = 0;
    for (const auto& [lsn, payload] : acked[t]) {
      EXPECT_GT(lsn, prev) << "a thread's LSNs increase";
      prev = lsn;
      EXPECT_TRUE(by_lsn.emplace(lsn, std::make_pair(t, payload)).second)
          << "LSN " << lsn << " returned twice";
    }
  }
  ASSERT_EQ(by_lsn.size(), kTotal);
  EXPECT_EQ(by_lsn.begin()->first, 1u);
  EXPECT_EQ(by_lsn.rbegin()->first, kTotal);

  absl::StatusOr<Replay> r = ReadAll(dir_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->result.tail_dropped);
  ASSERT_EQ(r->records.size(), kTotal);
  for (const Rec& rec : r->records) {
    const auto& [t, payload] = by_lsn.at(rec.lsn);
    ASSERT_EQ(rec.type, t);
    ASSERT_EQ(rec.payload, payload);
  }

  EXPECT_EQ(st.appends, kTotal);
  EXPECT_LE(st.writes, st.appends);
  EXPECT_LE(st.groups, st.writes);
  EXPECT_EQ(st.syncs, 0u);
  std::cout << "[ group commit ] kNone, " << kThreads
            << " threads: " << st.appends << " appends in " << st.groups
            << " groups, " << st.writes << " write(2) calls ("
            << absl::StrFormat("%.2f", double(st.appends) / st.writes)
            << " records per write), " << st.segments_created << " segments\n";
}

TEST_F(WalTest, ConcurrentWritersUnderAlwaysShareFsyncs) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100;
  std::unique_ptr<LogWriter> w = MustOpen(dir_, Options(SyncPolicy::kAlways));
  ASSERT_NE(w, nullptr);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        ASSERT_TRUE(w->Append(1, absl::StrCat(t, "/", i)).ok());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const LogStats st = w->stats();
  EXPECT_EQ(st.appends, uint64_t{kThreads} * kPerThread);
  EXPECT_EQ(st.syncs, st.writes);
  EXPECT_LE(st.writes, st.appends);
  std::cout << "[ group commit ] kAlways, " << kThreads
            << " threads: " << st.appends << " appends, " << st.writes
            << " writes, " << st.syncs << " fdatasyncs ("
            << absl::StrFormat("%.2f", double(st.appends) / st.syncs)
            << " records per fsync)\n";
  ASSERT_TRUE(w->Close().ok());
  absl::StatusOr<Replay> r = ReadAll(dir_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->records.size(), st.appends);
}

// ---------------------------------------------------------------- crash

// Acknowledgement sent by the child through the pipe: atomic (< PIPE_BUF).
struct Ack {
  uint64_t lsn;
  uint64_t id;
};

std::string CrashPayload(uint64_t id) {
  return absl::StrCat("crash ", id, " ", std::string(id % 61, 'z'));
}

// Child: appends from 4 threads forever, reporting every acknowledged LSN.
[[noreturn]] void CrashChild(const std::string& dir, SyncPolicy policy,
                             uint64_t trial, int ack_fd) {
  LogOptions o;
  o.sync = policy;
  o.segment_bytes = 16 << 10;
  o.sync_interval = absl::Milliseconds(2);
  absl::StatusOr<std::unique_ptr<LogWriter>> w = LogWriter::Open(dir, o);
  if (!w.ok()) _exit(2);
  std::vector<std::thread> threads;
  for (uint64_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (uint64_t i = 0; i < 10'000'000; ++i) {
        const uint64_t id = trial * 1'000'000'000'000 + t * 1'000'000'000 + i;
        absl::StatusOr<uint64_t> lsn = (*w)->Append(3, CrashPayload(id));
        if (!lsn.ok()) _exit(3);
        const Ack ack{*lsn, id};
        if (::write(ack_fd, &ack, sizeof(ack)) != sizeof(ack)) _exit(4);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  _exit(0);
}

TEST_F(WalTest, KillNineLosesNoAcknowledgedRecord) {
  constexpr int kTrials = 50;
  std::mt19937_64 rng(20240101);
  std::uniform_int_distribution<int> delay_us(0, 20000);
  std::map<uint64_t, uint64_t> acked;  // lsn -> id, over all trials
  int torn = 0;
  uint64_t acked_before_kill_max = 0;
  const absl::Time start = absl::Now();
  for (int trial = 0; trial < kTrials; ++trial) {
    const SyncPolicy policy = trial % 3 == 0   ? SyncPolicy::kNone
                              : trial % 3 == 1 ? SyncPolicy::kInterval
                                               : SyncPolicy::kAlways;
    SCOPED_TRACE(absl::StrCat("trial ", trial, ", ", SyncPolicyName(policy)));
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      CrashChild(dir_, policy, static_cast<uint64_t>(trial), fds[1]);
    }
    ::close(fds[1]);
    ASSERT_EQ(::fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
    std::string bytes;
    bool eof = false;
    auto drain = [&] {
      char buf[1 << 14];
      while (true) {
        const ssize_t n = ::read(fds[0], buf, sizeof(buf));
        if (n > 0) {
          bytes.append(buf, static_cast<size_t>(n));
        } else {
          if (n == 0) eof = true;
          return;
        }
      }
    };
    const absl::Time deadline = absl::Now() + absl::Microseconds(delay_us(rng));
    while (!eof) {
      const absl::Duration left = deadline - absl::Now();
      if (left <= absl::ZeroDuration()) break;
      struct pollfd p = {fds[0], POLLIN, 0};
      const struct timespec ts = absl::ToTimespec(left);
      ::ppoll(&p, 1, &ts, nullptr);
      drain();
    }
    ::kill(pid, SIGKILL);
    int wstatus = 0;
    ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
        << "child exited early with status " << wstatus;
    ASSERT_EQ(::fcntl(fds[0], F_SETFL, 0), 0);
    while (!eof) drain();
    ::close(fds[0]);

    ASSERT_EQ(bytes.size() % sizeof(Ack), 0u);
    const size_t n = bytes.size() / sizeof(Ack);
    acked_before_kill_max = std::max<uint64_t>(acked_before_kill_max, n);
    for (size_t i = 0; i < n; ++i) {
      Ack a;
      std::memcpy(&a, bytes.data() + i * sizeof(Ack), sizeof(Ack));
      ASSERT_TRUE(acked.emplace(a.lsn, a.id).second)
          << "LSN " << a.lsn << " acknowledged twice";
    }

    // Every acknowledged record, of this and every earlier trial, is there
    // exactly once with its payload.
    std::map<uint64_t, std::string> present;
    std::set<std::string> payloads;
    absl::StatusOr<RecoveryResult> r =
        ReadLog(dir_, [&](uint64_t lsn, uint8_t, absl::string_view payload) {
          present.emplace(lsn, std::string(payload));
          if (!payloads.insert(std::string(payload)).second) {
            return absl::InternalError(
                absl::StrCat("payload twice in the log at LSN ", lsn));
          }
          return absl::OkStatus();
        });
    if (absl::IsNotFound(r.status())) {
      ASSERT_TRUE(acked.empty());  // killed before the directory existed
      continue;
    }
    ASSERT_TRUE(r.ok()) << r.status();
    if (r->tail_dropped) {
      ++torn;
      EXPECT_EQ(r->intact_records_dropped, 0u) << r->ToString();
    }
    EXPECT_EQ(present.size(), r->records);
    for (const auto& [lsn, id] : acked) {
      auto it = present.find(lsn);
      ASSERT_NE(it, present.end()) << "acknowledged LSN " << lsn << " lost";
      ASSERT_EQ(it->second, CrashPayload(id)) << "LSN " << lsn;
    }
  }
  std::cout << "[ crash test ] " << kTrials << " SIGKILLs, " << acked.size()
            << " acknowledged records all recovered, " << torn
            << " torn tails cut, max " << acked_before_kill_max
            << " acks in one trial, " << absl::Now() - start << "\n";
}

}  // namespace
}  // namespace sla::storage
