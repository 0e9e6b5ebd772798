#include "sla/storage/wal.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sla::storage {
namespace {

constexpr char kMagic[8] = {'S', 'L', 'A', 'K', 'W', 'A', 'L', '1'};
constexpr uint32_t kVersion = 1;
constexpr absl::string_view kSegmentPrefix = "wal-";
constexpr absl::string_view kSegmentSuffix = ".log";
constexpr size_t kSegmentNameDigits = 20;
constexpr char kLockName[] = "LOCK";

// ---------------------------------------------------------------- encoding

void PutU32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
void PutU64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// zlib's CRC-32 of `n` bytes (n < 4 GiB: kMaxPayloadBytes is far below).
uint32_t Crc32(const char* p, size_t n) {
  return static_cast<uint32_t>(crc32(crc32(0L, Z_NULL, 0),
                                     reinterpret_cast<const Bytef*>(p),
                                     static_cast<uInt>(n)));
}

std::string EncodeSegmentHeader(uint64_t first_lsn) {
  std::string h(kSegmentHeaderBytes, '\0');
  std::memcpy(&h[0], kMagic, sizeof(kMagic));
  PutU32(&h[8], kVersion);
  PutU64(&h[12], first_lsn);
  PutU32(&h[20], Crc32(h.data(), 20));
  return h;
}

// Appends one framed record to *out.
void EncodeRecord(uint64_t lsn, uint8_t type, absl::string_view payload,
                  std::string* out) {
  const size_t at = out->size();
  out->resize(at + kRecordHeaderBytes + payload.size());
  char* p = &(*out)[at];
  PutU32(p, static_cast<uint32_t>(payload.size()));
  p[8] = static_cast<char>(type);
  PutU64(p + 9, lsn);
  if (!payload.empty()) {
    std::memcpy(p + kRecordHeaderBytes, payload.data(), payload.size());
  }
  PutU32(p + 4, Crc32(p + 8, 9 + payload.size()));
}

// ---------------------------------------------------------------- files

std::string JoinPath(absl::string_view dir, absl::string_view name) {
  if (dir.empty()) return std::string(name);
  if (dir.back() == '/') return absl::StrCat(dir, name);
  return absl::StrCat(dir, "/", name);
}

std::string SegmentName(uint64_t first_lsn) {
  return absl::StrFormat("wal-%020u.log", first_lsn);
}

// "wal-<20 digits>.log" -> the LSN; false for any other name.
bool ParseSegmentName(absl::string_view name, uint64_t* lsn) {
  if (name.size() !=
      kSegmentPrefix.size() + kSegmentNameDigits + kSegmentSuffix.size()) {
    return false;
  }
  if (!absl::ConsumePrefix(&name, kSegmentPrefix) ||
      !absl::ConsumeSuffix(&name, kSegmentSuffix)) {
    return false;
  }
  for (char c : name) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  // LSNs start at 1: "wal-000...0.log" is no segment (it used to make an
  // empty log report last_lsn 2^64 - 1; found by the fuzzer).
  return absl::SimpleAtoi(name, lsn) && *lsn >= 1;
}

absl::Status FileError(int err, absl::string_view what,
                       absl::string_view path) {
  return absl::ErrnoToStatus(err, absl::StrCat("wal: ", what, " ", path));
}

absl::Status WriteAll(int fd, absl::string_view data, absl::string_view path,
                      uint64_t* calls) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return FileError(errno, "write", path);
    }
    if (calls != nullptr) ++*calls;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

int DataSync(int fd) {
#if defined(__linux__)
  return ::fdatasync(fd);
#else
  return ::fsync(fd);
#endif
}

absl::Status SyncFd(int fd, absl::string_view path) {
  if (DataSync(fd) != 0) return FileError(errno, "fdatasync", path);
  return absl::OkStatus();
}

// Makes the directory's entries (created, deleted files) durable.
absl::Status SyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return FileError(errno, "open directory", dir);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return FileError(err, "fsync directory", dir);
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return FileError(errno, "open", path);
  std::string data;
  struct stat st;
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {
    data.reserve(static_cast<size_t>(st.st_size));
  }
  char chunk[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return FileError(err, "read", path);
    }
    if (n == 0) break;
    data.append(chunk, static_cast<size_t>(n));
  }
  ::close(fd);
  return data;
}

absl::StatusOr<uint64_t> FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return FileError(errno, "stat", path);
  return static_cast<uint64_t>(st.st_size);
}

struct SegmentFile {
  uint64_t first_lsn;
  std::string name;
};

// The segment files of `dir`, by first LSN. NotFound if `dir` is missing.
absl::StatusOr<std::vector<SegmentFile>> ListSegments(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    const int err = errno;
    if (err == ENOENT) {
      return absl::NotFoundError(
          absl::StrCat("wal: log directory ", dir, " does not exist"));
    }
    return FileError(err, "open directory", dir);
  }
  std::vector<SegmentFile> out;
  while (true) {
    errno = 0;
    const struct dirent* e = ::readdir(d);
    if (e == nullptr) {
      const int err = errno;
      ::closedir(d);
      if (err != 0) return FileError(err, "read directory", dir);
      break;
    }
    uint64_t lsn = 0;
    if (ParseSegmentName(e->d_name, &lsn)) out.push_back({lsn, e->d_name});
  }
  std::sort(out.begin(), out.end(),
            [](const SegmentFile& a, const SegmentFile& b) {
              return a.first_lsn < b.first_lsn;
            });
  return out;
}

// ---------------------------------------------------------------- scanning

// The outcome of reading one segment.
struct SegmentScan {
  uint64_t good_end = 0;  // offset after the last good record (0: bad header)
  uint64_t records = 0;   // good records in the segment
  bool bad = false;       // something after good_end is not a good record
  std::string reason;     // why, when bad
};

using RecordFn =
    absl::FunctionRef<absl::Status(uint64_t, uint8_t, absl::string_view)>;

absl::Status NoOp(uint64_t, uint8_t, absl::string_view) {
  return absl::OkStatus();
}

bool AllZero(absl::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == '\0'; });
}

// Validates the header and the records of a segment named for `name_lsn`,
// calling fn for records with lsn >= from_lsn. *next_lsn: the LSN the first
// record must have on entry, one past the last good record on return.
// Returns only fn's errors; damage is described in *scan.
absl::Status ScanSegment(absl::string_view data, uint64_t name_lsn,
                         uint64_t from_lsn, RecordFn fn, uint64_t* next_lsn,
                         uint64_t* delivered, SegmentScan* scan) {
  *scan = SegmentScan();
  if (data.size() < kSegmentHeaderBytes) {
    scan->bad = true;
    scan->reason = data.empty()
                       ? "empty segment file (no header)"
                       : absl::StrCat("partial segment header (", data.size(),
                                      " of ", kSegmentHeaderBytes, " bytes)");
    return absl::OkStatus();
  }
  const char* h = data.data();
  std::string header_problem;
  if (std::memcmp(h, kMagic, sizeof(kMagic)) != 0) {
    header_problem = AllZero(data.substr(0, kSegmentHeaderBytes))
                         ? "zero-filled segment header"
                         : "bad magic (not a slakit WAL segment)";
  } else if (GetU32(h + 20) != Crc32(h, 20)) {
    header_problem = "segment header checksum mismatch";
  } else if (GetU32(h + 8) != kVersion) {
    header_problem =
        absl::StrCat("unsupported segment format version ", GetU32(h + 8));
  } else if (GetU64(h + 12) != name_lsn) {
    header_problem = absl::StrCat("segment header says first LSN ",
                                  GetU64(h + 12), ", its name says ", name_lsn);
  }
  if (!header_problem.empty()) {
    scan->bad = true;
    scan->reason = std::move(header_problem);
    return absl::OkStatus();
  }

  size_t pos = kSegmentHeaderBytes;
  scan->good_end = pos;
  while (pos < data.size()) {
    const size_t left = data.size() - pos;
    const char* p = data.data() + pos;
    if (left < kRecordHeaderBytes) {
      scan->bad = true;
      scan->reason = absl::StrCat("partial record header (", left, " of ",
                                  kRecordHeaderBytes, " bytes)");
      break;
    }
    const uint32_t length = GetU32(p);
    if (length > left - kRecordHeaderBytes) {
      scan->bad = true;
      scan->reason =
          absl::StrCat("record length ", length, " runs past the end of the ",
                       "file (", left - kRecordHeaderBytes, " bytes left)");
      break;
    }
    if (GetU32(p + 4) != Crc32(p + 8, 9 + size_t{length})) {
      scan->bad = true;
      scan->reason = "record checksum mismatch";
      break;
    }
    const uint64_t lsn = GetU64(p + 9);
    if (lsn != *next_lsn) {
      scan->bad = true;
      scan->reason =
          absl::StrCat("record has LSN ", lsn, ", expected ", *next_lsn);
      break;
    }
    if (lsn >= from_lsn) {
      absl::Status s = fn(lsn, static_cast<uint8_t>(p[8]),
                          absl::string_view(p + kRecordHeaderBytes, length));
      if (!s.ok()) return s;
      ++*delivered;
    }
    ++*next_lsn;
    ++scan->records;
    pos += kRecordHeaderBytes + length;
    scan->good_end = pos;
  }
  if (scan->bad && AllZero(data.substr(scan->good_end))) {
    scan->reason = "zero-filled tail";
  }
  return absl::OkStatus();
}

// Well-formed records (CRC matches, LSN in the range the remaining bytes
// could hold, increasing) after a damaged byte at `from`. The LSN test makes
// misaligned candidates almost never reach the CRC, so this is linear in
// practice.
uint64_t CountIntactRecords(absl::string_view data, size_t from,
                            uint64_t next_lsn) {
  uint64_t count = 0;
  const uint64_t max_lsn = next_lsn + (data.size() - from) / kRecordHeaderBytes;
  size_t pos = from + 1;
  while (pos + kRecordHeaderBytes <= data.size()) {
    const char* p = data.data() + pos;
    const uint32_t length = GetU32(p);
    const uint64_t lsn = GetU64(p + 9);
    if (lsn >= next_lsn && lsn <= max_lsn &&
        length <= data.size() - pos - kRecordHeaderBytes &&
        GetU32(p + 4) == Crc32(p + 8, 9 + size_t{length})) {
      ++count;
      next_lsn = lsn + 1;
      pos += kRecordHeaderBytes + length;
    } else {
      ++pos;
    }
  }
  return count;
}

// Reads segments[first..] of `dir` in order (see ReadLog). *tail receives
// the scan of the last segment.
absl::Status ScanLog(const std::string& dir,
                     const std::vector<SegmentFile>& segments, size_t first,
                     uint64_t from_lsn, RecordFn fn, RecoveryResult* result,
                     SegmentScan* tail) {
  *result = RecoveryResult();
  if (segments.empty()) return absl::OkStatus();
  uint64_t next_lsn = segments[first].first_lsn;
  for (size_t i = first; i < segments.size(); ++i) {
    const SegmentFile& seg = segments[i];
    const std::string path = JoinPath(dir, seg.name);
    const bool last = i + 1 == segments.size();
    if (seg.first_lsn != next_lsn) {
      return absl::DataLossError(
          absl::StrCat("wal: ", path, " starts at LSN ", seg.first_lsn,
                       " but the previous segment ends at LSN ", next_lsn - 1,
                       seg.first_lsn > next_lsn ? " (records are missing)"
                                                : " (segments overlap)"));
    }
    absl::StatusOr<std::string> data = ReadWholeFile(path);
    if (!data.ok()) return data.status();
    ++result->segments_read;
    SegmentScan scan;
    absl::Status s = ScanSegment(*data, seg.first_lsn, from_lsn, fn, &next_lsn,
                                 &result->records, &scan);
    if (!s.ok()) return s;
    if (scan.bad && !last) {
      return absl::DataLossError(absl::StrCat(
          "wal: ", path, " offset ", scan.good_end, ": ", scan.reason,
          "; this is not the last segment, so this is not a torn write (",
          data->size() - scan.good_end, " bytes after LSN ", next_lsn - 1,
          " are unreadable)"));
    }
    if (scan.bad) {
      result->tail_dropped = true;
      result->dropped_at = {seg.name, scan.good_end};
      result->dropped_bytes = data->size() - scan.good_end;
      result->reason = scan.reason;
      if (!data->empty()) {
        result->intact_records_dropped =
            CountIntactRecords(*data, scan.good_end, next_lsn);
      }
    }
    if (last && tail != nullptr) *tail = std::move(scan);
  }
  result->last_lsn = next_lsn - 1;
  return absl::OkStatus();
}

}  // namespace

// ---------------------------------------------------------------- public

absl::StatusOr<SyncPolicy> ParseSyncPolicy(absl::string_view text) {
  const std::string t = absl::AsciiStrToLower(text);
  if (t == "none") return SyncPolicy::kNone;
  if (t == "interval") return SyncPolicy::kInterval;
  if (t == "always") return SyncPolicy::kAlways;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown sync policy \"", text, "\" (none, interval or always)"));
}

absl::string_view SyncPolicyName(SyncPolicy policy) {
  switch (policy) {
    case SyncPolicy::kNone:
      return "none";
    case SyncPolicy::kInterval:
      return "interval";
    case SyncPolicy::kAlways:
      return "always";
  }
  return "?";
}

std::string RecoveryResult::ToString() const {
  std::string s = absl::StrCat(records, " records, last LSN ", last_lsn);
  if (tail_dropped) {
    absl::StrAppend(&s, "; dropped ", dropped_bytes, " bytes at ",
                    dropped_at.segment, " offset ", dropped_at.offset, ": ",
                    reason);
    if (intact_records_dropped > 0) {
      absl::StrAppend(&s, " (", intact_records_dropped,
                      " intact records follow the damage)");
    }
  }
  return s;
}

absl::StatusOr<RecoveryResult> ReadLog(
    absl::string_view dir,
    absl::FunctionRef<absl::Status(uint64_t lsn, uint8_t type,
                                   absl::string_view payload)>
        fn,
    uint64_t from_lsn) {
  const std::string d(dir);
  absl::StatusOr<std::vector<SegmentFile>> segments = ListSegments(d);
  if (!segments.ok()) return segments.status();
  RecoveryResult result;
  if (segments->empty()) return result;
  if (from_lsn > 1 && from_lsn < segments->front().first_lsn) {
    return absl::DataLossError(
        absl::StrCat("wal: records from LSN ", from_lsn, " were requested but ",
                     d, " starts at LSN ", segments->front().first_lsn, " (",
                     segments->front().name, ")"));
  }
  // Skip the segments whose successor starts at or before from_lsn.
  size_t first = 0;
  while (first + 1 < segments->size() &&
         (*segments)[first + 1].first_lsn <= from_lsn) {
    ++first;
  }
  absl::Status s =
      ScanLog(d, *segments, first, from_lsn, fn, &result, /*tail=*/nullptr);
  if (!s.ok()) return s;
  return result;
}

absl::Status TruncateTornTail(absl::string_view dir,
                              const RecoveryResult& result) {
  if (!result.tail_dropped) return absl::OkStatus();
  const std::string d(dir);
  absl::StatusOr<std::vector<SegmentFile>> segments = ListSegments(d);
  if (!segments.ok()) return segments.status();
  if (segments->empty() || segments->back().name != result.dropped_at.segment) {
    return absl::FailedPreconditionError(absl::StrCat(
        "wal: ", result.dropped_at.segment, " is not the last segment of ", d));
  }
  const std::string path = JoinPath(d, result.dropped_at.segment);
  absl::StatusOr<uint64_t> size = FileSize(path);
  if (!size.ok()) return size.status();
  const uint64_t offset = result.dropped_at.offset;
  if (*size != offset + result.dropped_bytes) {
    return absl::FailedPreconditionError(
        absl::StrCat("wal: ", path, " has ", *size, " bytes, not the ",
                     offset + result.dropped_bytes, " ReadLog saw"));
  }
  if (result.intact_records_dropped > 0) {
    // Keep the evidence: copy the dropped bytes aside before cutting them.
    absl::StatusOr<std::string> data = ReadWholeFile(path);
    if (!data.ok()) return data.status();
    const std::string copy =
        absl::StrCat(path, ".dropped-", offset);  // not a segment name
    const int fd =
        ::open(copy.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return FileError(errno, "create", copy);
    absl::Status s =
        WriteAll(fd, absl::string_view(*data).substr(offset), copy, nullptr);
    if (s.ok()) s = SyncFd(fd, copy);
    ::close(fd);
    if (!s.ok()) return s;
  }
  if (offset < kSegmentHeaderBytes) {
    // The header is bad: the file holds no record. Remove it; the writer
    // creates the segment again.
    if (::unlink(path.c_str()) != 0) return FileError(errno, "unlink", path);
    return SyncDir(d);
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return FileError(errno, "open", path);
  absl::Status s;
  if (::ftruncate(fd, static_cast<off_t>(offset)) != 0) {
    s = FileError(errno, "ftruncate", path);
  } else {
    s = SyncFd(fd, path);
  }
  ::close(fd);
  return s;
}

// ---------------------------------------------------------------- LogWriter

// One Append or Sync waiting in the queue; lives on the caller's stack.
struct LogWriter::Request {
  bool is_sync = false;   // Sync(): no record, flush
  bool deferred = false;  // AppendDeferred(): no flush for this record
  uint8_t type = 0;
  absl::string_view payload;
  // Set by the leader under mu_.
  uint64_t lsn = 0;
  absl::Status status;
  bool done = false;
};

// Counters of one group, merged into stats_ under mu_.
struct LogWriter::GroupResult {
  uint64_t writes = 0;
  uint64_t syncs = 0;
  uint64_t bytes = 0;
  uint64_t records = 0;
  bool clean = false;  // everything written so far has been flushed
  std::vector<Segment> new_segments;
};

LogWriter::LogWriter(std::string dir, LogOptions options, int lock_fd)
    : dir_(std::move(dir)), options_(options), lock_fd_(lock_fd) {}

absl::StatusOr<std::unique_ptr<LogWriter>> LogWriter::Open(
    absl::string_view dir, LogOptions options) {
  if (dir.empty()) return absl::InvalidArgumentError("wal: empty directory");
  if (options.segment_bytes == 0) {
    return absl::InvalidArgumentError("wal: segment_bytes must be > 0");
  }
  if (options.sync_interval < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("wal: sync_interval must be >= 0");
  }
  if (options.clock == nullptr) {
    return absl::InvalidArgumentError("wal: clock must not be null");
  }
  const std::string d(dir);

  // mkdir -p, flushing each new directory's entry in its parent.
  for (size_t pos = 1; pos <= d.size(); ++pos) {
    if (pos != d.size() && d[pos] != '/') continue;
    const std::string sub = d.substr(0, pos);
    if (::mkdir(sub.c_str(), 0755) == 0) {
      if (options.sync != SyncPolicy::kNone) {
        const size_t slash = sub.find_last_of('/');
        const std::string parent = slash == std::string::npos ? "."
                                   : slash == 0               ? "/"
                                                : sub.substr(0, slash);
        absl::Status s = SyncDir(parent);
        if (!s.ok()) return s;
      }
    } else if (errno != EEXIST) {
      return FileError(errno, "create directory", sub);
    }
  }

  const std::string lock_path = JoinPath(d, kLockName);
  const int lock_fd =
      ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd < 0) return FileError(errno, "open", lock_path);
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(lock_fd);
    if (err == EWOULDBLOCK) {
      return absl::FailedPreconditionError(
          absl::StrCat("wal: ", d, " is already open by another LogWriter (",
                       lock_path, " is locked)"));
    }
    return FileError(err, "flock", lock_path);
  }
  // From here the destructor closes lock_fd (and any segment fd).
  std::unique_ptr<LogWriter> w(new LogWriter(d, options, lock_fd));

  absl::StatusOr<std::vector<SegmentFile>> segments = ListSegments(d);
  if (!segments.ok()) return segments.status();
  SegmentScan tail;
  RecoveryResult& rec = w->recovery_;
  if (!segments->empty()) {
    const size_t last = segments->size() - 1;
    absl::Status s = ScanLog(d, *segments, last, 0, NoOp, &rec, &tail);
    if (!s.ok()) return s;
    const bool no_header =
        rec.tail_dropped && rec.dropped_at.offset < kSegmentHeaderBytes;
    if (no_header && last > 0) {
      // The last segment holds no record. Before deleting it, check that
      // the previous one (sealed, so read strictly) ends where it starts.
      s = ScanLog(d, *segments, last - 1, 0, NoOp, &rec, nullptr);
      if (!s.ok()) return s;
    }
    if (rec.tail_dropped) {
      s = TruncateTornTail(d, rec);
      if (!s.ok()) return s;
    }
    if (no_header) {
      segments->pop_back();  // deleted; the previous segment is the last
      tail = SegmentScan();
      if (!segments->empty()) {
        absl::StatusOr<uint64_t> size =
            FileSize(JoinPath(d, segments->back().name));
        if (!size.ok()) return size.status();
        tail.good_end = *size;
        tail.records = rec.records;
      }
    }
  }

  if (options.sync != SyncPolicy::kNone) {
    // Segments created by an earlier kNone writer may not be durable yet.
    absl::Status s = SyncDir(d);
    if (!s.ok()) return s;
  }

  absl::MutexLock lock(&w->mu_);
  w->next_lsn_ = rec.last_lsn + 1;
  for (const SegmentFile& f : *segments) {
    w->segments_.push_back({f.first_lsn, f.name});
  }
  w->last_sync_ = options.clock->Now();
  if (!segments->empty()) {
    // Continue in the last segment, after its last good record. A full one
    // is sealed by the first append (WriteGroup rotates), not here: Open
    // writes nothing, so a restart on a full disk serves reads.
    w->segment_path_ = JoinPath(d, segments->back().name);
    w->fd_ = ::open(w->segment_path_.c_str(), O_WRONLY | O_CLOEXEC);
    if (w->fd_ < 0) return FileError(errno, "open", w->segment_path_);
    if (::lseek(w->fd_, static_cast<off_t>(tail.good_end), SEEK_SET) < 0) {
      return FileError(errno, "lseek", w->segment_path_);
    }
    w->segment_size_ = tail.good_end;
    w->segment_records_ = tail.records;
    // A writer killed before its flush may have left records in the page
    // cache only: the first flush this writer owes covers them too.
    w->dirty_ = tail.records > 0;
  } else {
    absl::Status s = w->CreateSegment(w->next_lsn_);
    if (!s.ok()) return s;
    w->segments_.push_back({w->next_lsn_, SegmentName(w->next_lsn_)});
    ++w->stats_.segments_created;
  }
  return w;
}

LogWriter::~LogWriter() { Close().IgnoreError(); }

absl::Status LogWriter::CreateSegment(uint64_t first_lsn) {
  const std::string path = JoinPath(dir_, SegmentName(first_lsn));
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return FileError(errno, "create", path);
  absl::Status s = WriteAll(fd, EncodeSegmentHeader(first_lsn), path, nullptr);
  if (s.ok() && options_.sync != SyncPolicy::kNone) {
    s = SyncFd(fd, path);
    if (s.ok()) s = SyncDir(dir_);
  }
  if (!s.ok()) {
    ::close(fd);
    return s;
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  segment_path_ = path;
  segment_size_ = kSegmentHeaderBytes;
  segment_records_ = 0;
  dirty_ = false;
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> LogWriter::Append(uint8_t type,
                                           absl::string_view payload) {
  return AppendRecord(type, payload, /*deferred=*/false);
}

absl::StatusOr<uint64_t> LogWriter::AppendDeferred(uint8_t type,
                                                   absl::string_view payload) {
  return AppendRecord(type, payload, /*deferred=*/true);
}

absl::StatusOr<uint64_t> LogWriter::AppendRecord(uint8_t type,
                                                 absl::string_view payload,
                                                 bool deferred) {
  if (payload.size() > kMaxPayloadBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("wal: payload of ", payload.size(), " bytes exceeds ",
                     kMaxPayloadBytes));
  }
  Request req;
  req.type = type;
  req.payload = payload;
  req.deferred = deferred;
  Submit(&req);
  if (!req.status.ok()) return req.status;
  return req.lsn;
}

absl::Status LogWriter::WaitDurable(uint64_t lsn) {
  {
    absl::MutexLock lock(&mu_);
    if (!error_.ok()) return error_;
    if (options_.sync != SyncPolicy::kAlways || durable_lsn_ >= lsn) {
      return absl::OkStatus();
    }
  }
  // A flush request: it joins the next group, whose fdatasync covers every
  // record written before it, `lsn` included.
  return Sync();
}

absl::Status LogWriter::Sync() {
  Request req;
  req.is_sync = true;
  Submit(&req);
  return req.status;
}

void LogWriter::Submit(Request* req) {
  absl::MutexLock lock(&mu_);
  if (closed_) {
    req->status = absl::FailedPreconditionError(
        absl::StrCat("wal: the log in ", dir_, " is closed"));
    return;
  }
  if (!error_.ok()) {
    req->status = error_;
    return;
  }
  queue_.push_back(req);
  while (!req->done) {
    if (leader_active_) {
      cv_.Wait(&mu_);
    } else {
      LeadGroup();
    }
  }
}

void LogWriter::LeadGroup() {
  leader_active_ = true;
  std::vector<Request*> group;
  group.swap(queue_);
  absl::Status status = error_;
  GroupResult result;
  if (status.ok()) {
    for (Request* r : group) {
      if (!r->is_sync) r->lsn = next_lsn_++;
    }
    mu_.Unlock();
    status = WriteGroup(group, &result);
    mu_.Lock();
    stats_.writes += result.writes;
    stats_.syncs += result.syncs;
    stats_.bytes += result.bytes;
    stats_.segments_created += result.new_segments.size();
    for (Segment& s : result.new_segments) segments_.push_back(std::move(s));
    if (status.ok()) {
      stats_.appends += result.records;
      if (result.records > 0) ++stats_.groups;
      // LSNs are assigned only here, by the one leader: every record below
      // next_lsn_ has been written.
      if (result.clean) durable_lsn_ = next_lsn_ - 1;
    } else {
      error_ = status;  // sticky: nothing is written after this
    }
  }
  for (Request* r : group) {
    r->status = status;
    r->done = true;  // the request may be destroyed once mu_ is released
  }
  leader_active_ = false;
  cv_.SignalAll();
}

absl::Status LogWriter::WriteGroup(const std::vector<Request*>& group,
                                   GroupResult* out) {
  buf_.clear();
  // A Sync, or under kAlways an Append that waits for its flush.
  bool flush_requested = false;
  uint64_t buffered = 0;
  for (const Request* r : group) {
    if (r->is_sync) {
      flush_requested = true;
      continue;
    }
    if (!r->deferred && options_.sync == SyncPolicy::kAlways) {
      flush_requested = true;
    }
    const size_t frame = kRecordHeaderBytes + r->payload.size();
    if (segment_records_ + buffered > 0 &&
        segment_size_ + buf_.size() + frame > options_.segment_bytes) {
      absl::Status s = Flush(buffered, out);
      if (!s.ok()) return s;
      buffered = 0;
      s = Rotate(r->lsn, out);
      if (!s.ok()) return s;
    }
    EncodeRecord(r->lsn, r->type, r->payload, &buf_);
    ++buffered;
    ++out->records;
  }
  absl::Status s = Flush(buffered, out);
  if (!s.ok()) return s;
  if (flush_requested && dirty_) {
    s = SyncSegment(out);
  } else if (options_.sync == SyncPolicy::kInterval && dirty_) {
    // A clock that went backwards (a wall-clock step) counts as due, so a
    // step back cannot suspend the flushes for as long as it was.
    const absl::Time now = options_.clock->Now();
    if (now - last_sync_ >= options_.sync_interval || now < last_sync_) {
      s = SyncSegment(out);
    }
  }
  // Sealed segments were flushed by Rotate (unless kNone, where nothing is
  // ever called durable), so a clean active segment means a clean log.
  out->clean = s.ok() && !dirty_ && options_.sync != SyncPolicy::kNone;
  return s;
}

// Writes buf_ (`records` records buffered for the active segment).
absl::Status LogWriter::Flush(uint64_t records, GroupResult* out) {
  if (buf_.empty()) return absl::OkStatus();
  absl::Status s = WriteAll(fd_, buf_, segment_path_, &out->writes);
  if (!s.ok()) return s;
  out->bytes += buf_.size();
  segment_size_ += buf_.size();
  segment_records_ += records;
  dirty_ = true;
  buf_.clear();
  return absl::OkStatus();
}

absl::Status LogWriter::SyncSegment(GroupResult* out) {
  absl::Status s = SyncFd(fd_, segment_path_);
  if (!s.ok()) return s;
  ++out->syncs;
  dirty_ = false;
  last_sync_ = options_.clock->Now();
  return absl::OkStatus();
}

absl::Status LogWriter::Rotate(uint64_t first_lsn, GroupResult* out) {
  // Seal: a segment is complete and flushed before its successor exists, so
  // after power loss only the last segment can be torn.
  if (dirty_ && options_.sync != SyncPolicy::kNone) {
    absl::Status s = SyncSegment(out);
    if (!s.ok()) return s;
  }
  absl::Status s = CreateSegment(first_lsn);
  if (!s.ok()) return s;
  out->new_segments.push_back({first_lsn, SegmentName(first_lsn)});
  return absl::OkStatus();
}

absl::Status LogWriter::RemoveSegmentsBefore(uint64_t lsn) {
  std::vector<Segment> doomed;
  {
    absl::MutexLock lock(&mu_);
    // Segment i holds [first_i, first_{i+1}); the last is active.
    size_t n = 0;
    while (n + 1 < segments_.size() && segments_[n + 1].first_lsn <= lsn) ++n;
    doomed.assign(segments_.begin(), segments_.begin() + n);
    segments_.erase(segments_.begin(), segments_.begin() + n);
  }
  if (doomed.empty()) return absl::OkStatus();
  for (size_t i = 0; i < doomed.size(); ++i) {
    const std::string path = JoinPath(dir_, doomed[i].name);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      const absl::Status s = FileError(errno, "unlink", path);
      absl::MutexLock lock(&mu_);
      segments_.insert(segments_.begin(), doomed.begin() + i, doomed.end());
      return s;
    }
  }
  return SyncDir(dir_);
}

absl::Status LogWriter::Close() {
  absl::MutexLock lock(&mu_);
  if (closed_) return close_status_;
  closed_ = true;
  while (leader_active_ || !queue_.empty()) cv_.Wait(&mu_);
  // No leader can start any more: the segment state is ours.
  absl::Status s = error_;
  if (s.ok() && dirty_ && options_.sync != SyncPolicy::kNone && fd_ >= 0) {
    GroupResult result;
    s = SyncSegment(&result);
    stats_.syncs += result.syncs;
  }
  if (s.ok() && !dirty_ && options_.sync != SyncPolicy::kNone) {
    durable_lsn_ = next_lsn_ - 1;
  }
  if (fd_ >= 0 && ::close(fd_) != 0 && s.ok()) {
    s = FileError(errno, "close", segment_path_);
  }
  fd_ = -1;
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
  lock_fd_ = -1;
  close_status_ = s;
  return s;
}

uint64_t LogWriter::next_lsn() const {
  absl::MutexLock lock(&mu_);
  return next_lsn_;
}

LogStats LogWriter::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

}  // namespace sla::storage
