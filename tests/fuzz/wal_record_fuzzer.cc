// tests/fuzz/wal_record_fuzzer.cc: the write-ahead log's recovery path on
// arbitrary segment files (sla/storage/wal.h).
//
// Input: one mode byte, then the bytes of the segment file(s).
//   mode bit 0: fix up the CRCs (segment header and every record whose length
//               fits), so the fuzzer gets past the checksums and reaches the
//               header/LSN/sequence logic;
//   mode bit 1: two segments: the next two bytes choose where the rest is
//               split; the first part is a sealed segment, the second the
//               last one (damage in the first is DataLoss, not a torn tail);
//   mode bit 2: ReadLog from LSN 2 instead of from the start;
//   mode bit 3: skip TruncateTornTail, so LogWriter::Open recovers the tail.
// A segment is named for the first LSN in its header (bytes [12, 20)) when it
// has one, else wal-00000000000000000001.log.
//
// Per input: ReadLog; TruncateTornTail when it reports a torn tail (then
// ReadLog again must be clean); LogWriter::Open (tail recovery), one Append,
// Close; and ReadLog must then see the appended record as the last one.
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "sla/storage/wal.h"
#include "tests/fuzz/fuzz_check.h"

namespace fs = std::filesystem;
namespace st = sla::storage;

namespace {

uint32_t Load32(const std::string& b, size_t pos) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b[pos + i]);
  return v;
}
uint64_t Load64(const std::string& b, size_t pos) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b[pos + i]);
  return v;
}
void Store32(std::string* b, size_t pos, uint32_t v) {
  for (int i = 0; i < 4; ++i) (*b)[pos + i] = static_cast<char>(v >> (8 * i));
}
uint32_t Crc(const std::string& b, size_t pos, size_t n) {
  return static_cast<uint32_t>(crc32(
      0, reinterpret_cast<const Bytef*>(b.data() + pos), static_cast<uInt>(n)));
}

void FixCrcs(std::string* seg) {
  if (seg->size() < st::kSegmentHeaderBytes) return;
  Store32(seg, 20, Crc(*seg, 0, 20));
  size_t pos = st::kSegmentHeaderBytes;
  while (pos + st::kRecordHeaderBytes <= seg->size()) {
    uint64_t n = Load32(*seg, pos);
    if (pos + st::kRecordHeaderBytes + n > seg->size()) break;
    Store32(seg, pos + 4, Crc(*seg, pos + 8, 9 + n));
    pos += st::kRecordHeaderBytes + n;
  }
}

uint64_t FirstLsnOf(const std::string& seg) {
  return seg.size() >= 20 ? Load64(seg, 12) : 1;
}

const fs::path& Root() {
  static const fs::path* root = [] {
    const char* base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : nullptr;
    if (base == nullptr) base = getenv("TMPDIR");
    if (base == nullptr) base = "/tmp";
    std::string tmpl = std::string(base) + "/slakit-walfuzz-XXXXXX";
    FUZZ_CHECK(mkdtemp(tmpl.data()) != nullptr, "mkdtemp %s", tmpl.c_str());
    auto* p = new fs::path(tmpl);
    atexit([] {
      std::error_code ec;
      fs::remove_all(Root(), ec);
    });
    return p;
  }();
  return *root;
}

void WriteFile(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  FUZZ_CHECK(out.good(), "writing %s", path.c_str());
}

struct Replay {
  absl::StatusOr<st::RecoveryResult> result;
  uint64_t calls = 0;
  uint64_t last_lsn = 0;
  std::string last_payload;
  uint8_t last_type = 0;
};

Replay Read(const std::string& dir, uint64_t from_lsn) {
  Replay r{absl::UnknownError("unset")};
  uint64_t prev = 0;
  r.result = st::ReadLog(
      dir,
      [&](uint64_t lsn, uint8_t type, absl::string_view payload) {
        FUZZ_CHECK(r.calls == 0 || lsn == prev + 1, "LSN %llu after %llu",
                   (unsigned long long)lsn, (unsigned long long)prev);
        FUZZ_CHECK(from_lsn <= 1 || lsn >= from_lsn, "LSN %llu below from %llu",
                   (unsigned long long)lsn, (unsigned long long)from_lsn);
        prev = lsn;
        ++r.calls;
        r.last_lsn = lsn;
        r.last_type = type;
        r.last_payload.assign(payload.data(), payload.size());  // touch it
        return absl::OkStatus();
      },
      from_lsn);
  if (r.result.ok()) {
    FUZZ_CHECK(r.result->records == r.calls, "records %llu, callbacks %llu",
               (unsigned long long)r.result->records,
               (unsigned long long)r.calls);
    FUZZ_CHECK(r.calls == 0 || r.result->last_lsn == r.last_lsn,
               "last_lsn %llu, last callback %llu",
               (unsigned long long)r.result->last_lsn,
               (unsigned long long)r.last_lsn);
    (void)r.result->ToString();
  } else {
    (void)r.result.status().ToString();
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);

  std::string segs[2];
  int nsegs = 1;
  if ((mode & 2) && rest.size() >= 2) {
    size_t split =
        (static_cast<uint8_t>(rest[0]) | (static_cast<uint8_t>(rest[1]) << 8)) %
        (rest.size() - 1);
    segs[0] = rest.substr(2, split);
    segs[1] = rest.substr(2 + split);
    nsegs = 2;
  } else {
    segs[0] = rest;
  }

  const fs::path dir = Root() / "log";
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directory(dir, ec);
  FUZZ_CHECK(!ec, "create %s", dir.c_str());
  uint64_t prev_name = 0;
  for (int i = 0; i < nsegs; ++i) {
    if (mode & 1) FixCrcs(&segs[i]);
    uint64_t lsn = FirstLsnOf(segs[i]);
    if (i > 0 && lsn == prev_name) ++lsn;  // two files, two names
    prev_name = lsn;
    WriteFile(dir / absl::StrFormat("wal-%020u.log", lsn), segs[i]);
  }
  const std::string d = dir.string();
  const uint64_t from_lsn = (mode & 4) ? 2 : 0;

  Replay first = Read(d, from_lsn);
  if (first.result.ok() && first.result->tail_dropped && !(mode & 8)) {
    // (With from_lsn > 1 ReadLog skips the older segments unread, so cutting
    // the last one may expose a damaged older one: only the full replay is
    // checked to be clean after the cut.)
    absl::Status cut = st::TruncateTornTail(d, *first.result);
    FUZZ_CHECK(cut.ok(), "TruncateTornTail right after ReadLog: %s (%s)",
               cut.ToString().c_str(), first.result->ToString().c_str());
    Replay again = Read(d, 0);
    FUZZ_CHECK(from_lsn > 1 || again.result.ok(),
               "ReadLog after TruncateTornTail: %s",
               again.result.status().ToString().c_str());
    FUZZ_CHECK(from_lsn > 1 || !again.result->tail_dropped,
               "tail still dropped after TruncateTornTail: %s (was %s)",
               again.result->ToString().c_str(),
               first.result->ToString().c_str());
    // (When the header was bad the file is deleted, and an empty log's
    // last_lsn is 0, whatever the file was named.)
    FUZZ_CHECK(from_lsn > 1 || first.result->dropped_at.offset == 0 ||
                   again.result->last_lsn == first.result->last_lsn,
               "last_lsn %llu after the cut, %llu before",
               (unsigned long long)again.result->last_lsn,
               (unsigned long long)first.result->last_lsn);
  }

  st::LogOptions options;
  options.sync = st::SyncPolicy::kNone;
  options.segment_bytes = 4096;  // small, so appends may rotate
  absl::StatusOr<std::unique_ptr<st::LogWriter>> log =
      st::LogWriter::Open(d, options);
  if (!log.ok()) return 0;
  (void)(*log)->recovery().ToString();
  const uint64_t next = (*log)->next_lsn();
  // "A writer opened on the directory continues at last_lsn + 1" (wal.h),
  // for a log Open recovers itself.
  if ((mode & 8) && first.result.ok() && from_lsn == 0) {
    FUZZ_CHECK(next == first.result->last_lsn + 1,
               "Open continues at %llu, ReadLog said last_lsn %llu (%s)",
               (unsigned long long)next,
               (unsigned long long)first.result->last_lsn,
               first.result->ToString().c_str());
  }
  absl::StatusOr<uint64_t> lsn = (*log)->Append(7, "fuzz");
  absl::Status closed = (*log)->Close();
  FUZZ_CHECK(closed.ok(), "Close: %s", closed.ToString().c_str());
  log->reset();
  if (!lsn.ok()) return 0;
  FUZZ_CHECK(*lsn == next, "Append got LSN %llu, next_lsn() said %llu",
             (unsigned long long)*lsn, (unsigned long long)next);
  if (!first.result.ok()) return 0;  // damage before the tail stays DataLoss
  if (*lsn < from_lsn) return 0;
  Replay after = Read(d, from_lsn);
  FUZZ_CHECK(after.result.ok(), "ReadLog after Open+Append+Close: %s",
             after.result.status().ToString().c_str());
  FUZZ_CHECK(!after.result->tail_dropped, "torn tail after Close: %s",
             after.result->ToString().c_str());
  FUZZ_CHECK(after.calls > 0 && after.last_lsn == *lsn &&
                 after.last_type == 7 && after.last_payload == "fuzz",
             "appended LSN %llu not the last record replayed (%s)",
             (unsigned long long)*lsn, after.result->ToString().c_str());
  return 0;
}
