// sla/storage/store.cc: see store.h.
//
// Log records written by the store. Every payload starts with a version
// byte, 1; integers little-endian, strings as u32 length + bytes, doubles as
// their IEEE-754 bits in a u64.
//   type 1  SLI declared:       service, name, u8 kind, f64 threshold
//   type 2  objective declared: service, name, u32 n + n SLI names,
//                               f64 target %, window, u8 method,
//                               i64 slice in ns, f64 slice threshold,
//                               u8 alerting
//   type 3  probe batch:        batch id, i64 arrival (Unix µs), u32 n, then
//                               n times u32 sli, i64 unix_ms, u8 ok,
//                               f64 latency_ms
//   type 4  event batch:        batch id, i64 arrival (Unix µs), u32 n, then
//                               n times u32 sli, i64 unix_ms, i64 good,
//                               i64 total
//   type 5  rejected:           u64 LSN of the record (always the previous
//                               one) the engine did not apply

#include "sla/storage/store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sla::storage {
namespace {

namespace fs = std::filesystem;

constexpr uint8_t kSliRecord = 1;
constexpr uint8_t kObjectiveRecord = 2;
constexpr uint8_t kProbeBatchRecord = 3;
constexpr uint8_t kEventBatchRecord = 4;
constexpr uint8_t kRejectedRecord = 5;
constexpr uint8_t kRecordVersion = 1;

constexpr absl::string_view kSnapshotMagic = "SLAKSNP1";
constexpr absl::string_view kSnapshotPrefix = "snapshot-";
constexpr absl::string_view kSnapshotSuffix = ".snap";
constexpr size_t kMaxBatchIdBytes = 1024;

// ---------------------------------------------------------------- encoding

class Encoder {
 public:
  explicit Encoder(std::string* out) : out_(out) {}
  void U8(uint8_t v) { out_->push_back(static_cast<char>(v)); }
  void U32(uint32_t v) {
    for (int i = 0; i < 4; ++i) U8(static_cast<uint8_t>(v >> (8 * i)));
  }
  void U64(uint64_t v) {
    for (int i = 0; i < 8; ++i) U8(static_cast<uint8_t>(v >> (8 * i)));
  }
  void I64(int64_t v) { U64(static_cast<uint64_t>(v)); }
  void F64(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof(bits));
    U64(bits);
  }
  void Str(absl::string_view s) {
    U32(static_cast<uint32_t>(s.size()));
    out_->append(s.data(), s.size());
  }

 private:
  std::string* out_;
};

// Reads what Encoder wrote; every read fails (returns false) past the end.
class Decoder {
 public:
  explicit Decoder(absl::string_view in) : in_(in) {}
  bool U8(uint8_t* v) {
    if (in_.empty()) return false;
    *v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool U32(uint32_t* v) {
    uint64_t x;
    if (!Bytes(4, &x)) return false;
    *v = static_cast<uint32_t>(x);
    return true;
  }
  bool U64(uint64_t* v) { return Bytes(8, v); }
  bool I64(int64_t* v) {
    uint64_t x;
    if (!Bytes(8, &x)) return false;
    *v = static_cast<int64_t>(x);
    return true;
  }
  bool F64(double* v) {
    uint64_t bits;
    if (!Bytes(8, &bits)) return false;
    std::memcpy(v, &bits, sizeof(bits));
    return true;
  }
  bool Str(std::string* s) {
    uint32_t n;
    if (!U32(&n) || n > in_.size()) return false;
    s->assign(in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  bool View(size_t n, absl::string_view* s) {
    if (n > in_.size()) return false;
    *s = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  bool done() const { return in_.empty(); }
  size_t remaining() const { return in_.size(); }

 private:
  bool Bytes(int n, uint64_t* v) {
    if (in_.size() < static_cast<size_t>(n)) return false;
    uint64_t x = 0;
    for (int i = 0; i < n; ++i) {
      x |= uint64_t{static_cast<uint8_t>(in_[i])} << (8 * i);
    }
    in_.remove_prefix(n);
    *v = x;
    return true;
  }
  absl::string_view in_;
};

uint32_t Crc32(absl::string_view data) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths; feed in chunks.
  while (!data.empty()) {
    const size_t n = std::min<size_t>(data.size(), 1u << 30);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data()),
                static_cast<uInt>(n));
    data.remove_prefix(n);
  }
  return static_cast<uint32_t>(crc);
}

void EncodeSli(const SliSpec& spec, std::string* out) {
  Encoder e(out);
  e.U8(kRecordVersion);
  e.Str(spec.service);
  e.Str(spec.name);
  e.U8(static_cast<uint8_t>(spec.kind));
  e.F64(spec.latency_threshold_ms);
}

bool DecodeSli(absl::string_view in, SliSpec* spec) {
  Decoder d(in);
  uint8_t version, kind;
  if (!d.U8(&version) || version != kRecordVersion || !d.Str(&spec->service) ||
      !d.Str(&spec->name) || !d.U8(&kind) ||
      kind > static_cast<uint8_t>(SliKind::kEventRatio) ||
      !d.F64(&spec->latency_threshold_ms)) {
    return false;
  }
  spec->kind = static_cast<SliKind>(kind);
  return d.done();
}

void EncodeObjective(const ObjectiveSpec& spec, std::string* out) {
  Encoder e(out);
  e.U8(kRecordVersion);
  e.Str(spec.service);
  e.Str(spec.name);
  e.U32(static_cast<uint32_t>(spec.slis.size()));
  for (const std::string& s : spec.slis) e.Str(s);
  e.F64(spec.target_percent);
  e.Str(spec.window);
  e.U8(static_cast<uint8_t>(spec.method));
  e.I64(absl::ToInt64Nanoseconds(spec.slice));
  e.F64(spec.slice_threshold);
  e.U8(spec.alerting ? 1 : 0);
}

bool DecodeObjective(absl::string_view in, ObjectiveSpec* spec) {
  Decoder d(in);
  uint8_t version, method, alerting;
  uint32_t n;
  int64_t slice_ns;
  if (!d.U8(&version) || version != kRecordVersion || !d.Str(&spec->service) ||
      !d.Str(&spec->name) || !d.U32(&n) || n > d.remaining() / 4) {
    return false;
  }
  spec->slis.resize(n);
  for (std::string& s : spec->slis) {
    if (!d.Str(&s)) return false;
  }
  if (!d.F64(&spec->target_percent) || !d.Str(&spec->window) ||
      !d.U8(&method) ||
      method > static_cast<uint8_t>(BudgetingMethod::kRatioTimeslices) ||
      !d.I64(&slice_ns) || !d.F64(&spec->slice_threshold) || !d.U8(&alerting) ||
      alerting > 1) {
    return false;
  }
  spec->method = static_cast<BudgetingMethod>(method);
  spec->slice = absl::Nanoseconds(slice_ns);
  spec->alerting = alerting == 1;
  return d.done();
}

void EncodeBatchHeader(absl::string_view id, absl::Time arrival, size_t n,
                       Encoder* e) {
  e->U8(kRecordVersion);
  e->Str(id);
  e->I64(absl::ToUnixMicros(arrival));
  e->U32(static_cast<uint32_t>(n));
}

bool DecodeBatchHeader(Decoder* d, std::string* id, absl::Time* arrival,
                       uint32_t* n) {
  uint8_t version;
  int64_t micros;
  if (!d->U8(&version) || version != kRecordVersion || !d->Str(id) ||
      !d->I64(&micros) || !d->U32(n)) {
    return false;
  }
  *arrival = absl::FromUnixMicros(micros);
  return true;
}

void EncodeProbes(absl::string_view id, absl::Time arrival,
                  absl::Span<const ProbeResult> results, std::string* out) {
  out->reserve(out->size() + 32 + id.size() + results.size() * 21);
  Encoder e(out);
  EncodeBatchHeader(id, arrival, results.size(), &e);
  for (const ProbeResult& r : results) {
    e.U32(r.sli);
    e.I64(r.unix_ms);
    e.U8(r.ok ? 1 : 0);
    e.F64(r.latency_ms);
  }
}

bool DecodeProbes(absl::string_view in, std::string* id, absl::Time* arrival,
                  std::vector<ProbeResult>* results) {
  Decoder d(in);
  uint32_t n;
  if (!DecodeBatchHeader(&d, id, arrival, &n) || n > d.remaining() / 21) {
    return false;
  }
  results->resize(n);
  for (ProbeResult& r : *results) {
    uint8_t ok;
    if (!d.U32(&r.sli) || !d.I64(&r.unix_ms) || !d.U8(&ok) || ok > 1 ||
        !d.F64(&r.latency_ms)) {
      return false;
    }
    r.ok = ok == 1;
  }
  return d.done();
}

void EncodeEvents(absl::string_view id, absl::Time arrival,
                  absl::Span<const EventCount> events, std::string* out) {
  out->reserve(out->size() + 32 + id.size() + events.size() * 28);
  Encoder e(out);
  EncodeBatchHeader(id, arrival, events.size(), &e);
  for (const EventCount& ev : events) {
    e.U32(ev.sli);
    e.I64(ev.unix_ms);
    e.I64(ev.good);
    e.I64(ev.total);
  }
}

bool DecodeEvents(absl::string_view in, std::string* id, absl::Time* arrival,
                  std::vector<EventCount>* events) {
  Decoder d(in);
  uint32_t n;
  if (!DecodeBatchHeader(&d, id, arrival, &n) || n > d.remaining() / 28) {
    return false;
  }
  events->resize(n);
  for (EventCount& ev : *events) {
    if (!d.U32(&ev.sli) || !d.I64(&ev.unix_ms) || !d.I64(&ev.good) ||
        !d.I64(&ev.total)) {
      return false;
    }
  }
  return d.done();
}

// ---------------------------------------------------------------- files

absl::Status FileError(int err, absl::string_view what,
                       absl::string_view path) {
  return absl::ErrnoToStatus(err, absl::StrCat("store: ", what, " ", path));
}

absl::Status SyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return FileError(errno, "open directory", dir);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return FileError(err, "fsync directory", dir);
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return FileError(errno, "open", path);
  std::string data;
  char buf[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return FileError(err, "read", path);
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return data;
}

// Writes `data` to `path` atomically: path.tmp, fsync, rename, fsync dir.
absl::Status WriteFileAtomically(const std::string& dir,
                                 const std::string& path,
                                 absl::string_view data) {
  const std::string tmp = path + ".tmp";
  const int fd =
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return FileError(errno, "create", tmp);
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return FileError(err, "write", tmp);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return FileError(err, "fsync", tmp);
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return FileError(err, "close", tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return FileError(err, "rename", tmp);
  }
  return SyncDir(dir);
}

std::string SnapshotName(uint64_t lsn) {
  return absl::StrFormat("%s%020d%s", kSnapshotPrefix, lsn, kSnapshotSuffix);
}

// snapshot-<20 digits>.snap -> LSN.
bool ParseSnapshotName(absl::string_view name, uint64_t* lsn) {
  if (name.size() != kSnapshotPrefix.size() + 20 + kSnapshotSuffix.size() ||
      !absl::StartsWith(name, kSnapshotPrefix) ||
      !absl::EndsWith(name, kSnapshotSuffix)) {
    return false;
  }
  const absl::string_view digits = name.substr(kSnapshotPrefix.size(), 20);
  for (char c : digits) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return absl::SimpleAtoi(digits, lsn);
}

struct SnapshotFile {
  uint64_t lsn;
  std::string name;
};

// The snapshot files of `dir`, newest first.
absl::StatusOr<std::vector<SnapshotFile>> ListSnapshots(
    const std::string& dir, std::vector<std::string>* temp_files) {
  std::vector<SnapshotFile> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    uint64_t lsn;
    if (ParseSnapshotName(name, &lsn)) {
      out.push_back({lsn, name});
    } else if (temp_files != nullptr &&
               absl::StartsWith(name, kSnapshotPrefix) &&
               absl::EndsWith(name, ".tmp")) {
      temp_files->push_back(name);
    }
  }
  if (ec) return FileError(ec.value(), "list", dir);
  std::sort(out.begin(), out.end(),
            [](const SnapshotFile& a, const SnapshotFile& b) {
              return a.lsn > b.lsn;
            });
  return out;
}

struct DecodedSnapshot {
  uint64_t lsn = 0;
  std::vector<std::pair<std::string, absl::Time>> dedupe;
  absl::string_view engine_state;  // points into the file's bytes
};

absl::Status DecodeSnapshot(absl::string_view data, DecodedSnapshot* out) {
  if (data.size() < kSnapshotMagic.size() + 8 + 4 + 8 + 4) {
    return absl::DataLossError(
        absl::StrCat("truncated (", data.size(), " bytes)"));
  }
  const absl::string_view body = data.substr(0, data.size() - 4);
  Decoder tail(data.substr(data.size() - 4));
  uint32_t crc;
  tail.U32(&crc);
  if (crc != Crc32(body)) return absl::DataLossError("checksum mismatch");
  Decoder d(body);
  absl::string_view magic;
  uint32_t n;
  if (!d.View(kSnapshotMagic.size(), &magic) || magic != kSnapshotMagic) {
    return absl::DataLossError("bad magic");
  }
  if (!d.U64(&out->lsn) || !d.U32(&n) || n > d.remaining() / 12) {
    return absl::DataLossError("bad header");
  }
  out->dedupe.resize(n);
  for (auto& [id, arrival] : out->dedupe) {
    int64_t micros;
    if (!d.Str(&id) || !d.I64(&micros)) {
      return absl::DataLossError("bad dedupe table");
    }
    arrival = absl::FromUnixMicros(micros);
  }
  uint64_t len;
  if (!d.U64(&len) || len != d.remaining() ||
      !d.View(len, &out->engine_state)) {
    return absl::DataLossError("bad engine state length");
  }
  return absl::OkStatus();
}

}  // namespace

// ---------------------------------------------------------------- recovery

std::string StoreRecovery::ToString() const {
  std::string s = from_snapshot
                      ? absl::StrCat(snapshot_file, " (LSN ", snapshot_lsn, ")")
                      : std::string("no snapshot");
  if (corrupt_snapshots_skipped > 0) {
    absl::StrAppend(&s, ", ", corrupt_snapshots_skipped,
                    " corrupt snapshot(s) skipped");
  }
  absl::StrAppend(&s, "; ", records_replayed, " records replayed");
  if (batches_rejected_on_replay > 0) {
    absl::StrAppend(&s, ", ", batches_rejected_on_replay,
                    " rejected on replay");
  }
  absl::StrAppend(&s, "; log: ", log.ToString());
  return s;
}

Store::Store(std::string dir, StoreOptions options, int lock_fd)
    : dir_(std::move(dir)), options_(std::move(options)), lock_fd_(lock_fd) {}

Store::~Store() {
  StopSnapshotThread();
  {
    absl::MutexLock lock(&mu_);
    if (log_ != nullptr) log_->Close().IgnoreError();
    log_.reset();
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& dir,
                                                   StoreOptions options) {
  if (options.keep_snapshots < 1) {
    return absl::InvalidArgumentError(absl::StrCat("store: keep_snapshots is ",
                                                   options.keep_snapshots,
                                                   "; it must be >= 1"));
  }
  if (options.dedupe_horizon < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("store: dedupe_horizon must be >= 0");
  }
  if (options.dedupe_max_ids < 1) {
    return absl::InvalidArgumentError("store: dedupe_max_ids must be >= 1");
  }
  if (options.engine.clock == nullptr || options.log.clock == nullptr) {
    return absl::InvalidArgumentError("store: a clock is null");
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return FileError(ec.value(), "create directory", dir);
  const std::string lock_path = dir + "/LOCK";
  const int lock_fd =
      ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd < 0) return FileError(errno, "open", lock_path);
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(lock_fd);
    if (err == EWOULDBLOCK) {
      return absl::FailedPreconditionError(
          absl::StrCat("store: ", dir, " is in use by another Store"));
    }
    return FileError(err, "flock", lock_path);
  }
  std::unique_ptr<Store> store(new Store(dir, std::move(options), lock_fd));
  {
    absl::MutexLock lock(&store->mu_);
    store->recovering_ = true;
    if (absl::Status s = store->Recover(); !s.ok()) return s;
    store->recovering_ = false;
  }
  if (store->options_.auto_snapshot_log_bytes > 0) {
    Store* raw = store.get();
    absl::MutexLock lock(&store->thread_mu_);
    store->snapshot_thread_ = std::thread([raw] { raw->SnapshotLoop(); });
  }
  return store;
}

void Store::SnapshotLoop() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](Store* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
            return s->snapshot_wanted_ || s->stopping_;
          },
          this));
      if (stopping_) return;
    }
    const absl::Status s = Snapshot();  // clears snapshot_wanted_
    absl::MutexLock lock(&mu_);
    background_status_ = s;
    // A failed snapshot is retried only after as many bytes again.
    snapshot_wanted_ = false;
  }
}

void Store::StopSnapshotThread() {
  absl::MutexLock thread_lock(&thread_mu_);
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (snapshot_thread_.joinable()) snapshot_thread_.join();
}

uint64_t Store::snapshots_taken() const {
  absl::MutexLock lock(&mu_);
  return snapshots_taken_;
}

absl::Status Store::background_snapshot_status() const {
  absl::MutexLock lock(&mu_);
  return background_status_;
}

absl::Status Store::Recover() {
  std::vector<std::string> temp_files;
  absl::StatusOr<std::vector<SnapshotFile>> snapshots =
      ListSnapshots(dir_, &temp_files);
  if (!snapshots.ok()) return snapshots.status();
  for (const std::string& name : temp_files) {
    const std::string path = absl::StrCat(dir_, "/", name);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return FileError(errno, "remove", path);
    }
    ++recovery_.temp_files_removed;
  }

  // The newest snapshot that reads back.
  for (const SnapshotFile& snap : *snapshots) {
    const std::string path = absl::StrCat(dir_, "/", snap.name);
    absl::StatusOr<std::string> data = ReadFile(path);
    if (!data.ok()) return data.status();
    DecodedSnapshot decoded;
    absl::Status s = DecodeSnapshot(*data, &decoded);
    if (s.ok() && decoded.lsn != snap.lsn) {
      s = absl::DataLossError(
          absl::StrCat("holds LSN ", decoded.lsn, ", not ", snap.lsn));
    }
    auto engine = std::make_unique<Engine>(options_.engine);
    if (s.ok()) s = engine->RestoreState(decoded.engine_state);
    if (!s.ok()) {
      // Keep it for inspection, out of the way of later snapshots.
      const std::string corrupt = path + ".corrupt";
      if (::rename(path.c_str(), corrupt.c_str()) != 0) {
        return FileError(errno, "rename", path);
      }
      ++recovery_.corrupt_snapshots_skipped;
      continue;
    }
    engine_ = std::move(engine);
    // The snapshot lists the table in hash order; the count bound forgets
    // the oldest arrivals first, so remember them in arrival order.
    std::stable_sort(
        decoded.dedupe.begin(), decoded.dedupe.end(),
        [](const auto& a, const auto& b) { return a.second < b.second; });
    for (auto& [id, arrival] : decoded.dedupe) {
      RememberLocked(std::move(id), arrival);
    }
    recovery_.from_snapshot = true;
    recovery_.snapshot_lsn = snap.lsn;
    recovery_.snapshot_file = snap.name;
    break;
  }
  if (recovery_.corrupt_snapshots_skipped > 0) {
    if (absl::Status s = SyncDir(dir_); !s.ok()) return s;
  }
  if (engine_ == nullptr) engine_ = std::make_unique<Engine>(options_.engine);

  // Replay the log after the snapshot.
  const std::string log_dir = dir_ + "/wal";
  replay_next_lsn_ = recovery_.snapshot_lsn + 1;
  absl::StatusOr<RecoveryResult> read = ReadLog(
      log_dir,
      [this](uint64_t lsn, uint8_t type, absl::string_view payload)
          ABSL_NO_THREAD_SAFETY_ANALYSIS { return Replay(lsn, type, payload); },
      recovery_.snapshot_lsn + 1);
  if (absl::IsNotFound(read.status())) {
    read = RecoveryResult();  // a new store
  }
  if (!read.ok()) return read.status();
  if (absl::Status s = ApplyPending(); !s.ok()) return s;
  recovery_.log = *read;
  if (read->last_lsn < recovery_.snapshot_lsn) {
    return absl::DataLossError(absl::StrCat(
        "store: the log in ", log_dir, " ends at LSN ", read->last_lsn,
        " but snapshot ", recovery_.snapshot_file, " covers up to LSN ",
        recovery_.snapshot_lsn, "; records were lost"));
  }
  if (read->last_lsn != recovery_.snapshot_lsn + recovery_.records_replayed) {
    return absl::DataLossError(absl::StrCat(
        "store: the log in ", log_dir, " ends at LSN ", read->last_lsn,
        " but only LSNs ", recovery_.snapshot_lsn + 1, " to ",
        recovery_.snapshot_lsn + recovery_.records_replayed,
        " could be replayed",
        recovery_.from_snapshot ? "" : " (no usable snapshot)"));
  }

  absl::StatusOr<std::unique_ptr<LogWriter>> log =
      LogWriter::Open(log_dir, options_.log);
  if (!log.ok()) return log.status();
  log_ = std::move(*log);
  last_logged_lsn_ = log_->next_lsn() - 1;
  if (log_->next_lsn() != read->last_lsn + 1) {
    return absl::DataLossError(absl::StrCat(
        "store: the log in ", log_dir, " continues at LSN ", log_->next_lsn(),
        " after replaying up to LSN ", read->last_lsn));
  }
  PruneLocked(options_.engine.clock->Now());
  return absl::OkStatus();
}

absl::Status Store::Replay(uint64_t lsn, uint8_t type,
                           absl::string_view payload) {
  // ReadLog checks the LSNs within the log, not that it starts right after
  // the snapshot (or at 1 without one): segments may have been removed.
  if (lsn != replay_next_lsn_) {
    return absl::DataLossError(
        absl::StrCat("store: replay needs LSN ", replay_next_lsn_,
                     " next but the log in ", dir_, "/wal has LSN ", lsn,
                     recovery_.from_snapshot ? "" : " (no usable snapshot)"));
  }
  ++replay_next_lsn_;
  ++recovery_.records_replayed;
  if (type == kRejectedRecord) {
    Decoder d(payload);
    uint8_t version;
    uint64_t rejected;
    if (!d.U8(&version) || version != kRecordVersion || !d.U64(&rejected) ||
        !d.done()) {
      return absl::DataLossError(
          absl::StrCat("store: undecodable log record at LSN ", lsn));
    }
    if (rejected == pending_lsn_) pending_lsn_ = 0;  // never applied
    return ApplyPending();
  }
  if (absl::Status s = ApplyPending(); !s.ok()) return s;
  pending_lsn_ = lsn;
  pending_type_ = type;
  pending_payload_.assign(payload.data(), payload.size());
  return absl::OkStatus();
}

absl::Status Store::ApplyPending() {
  if (pending_lsn_ == 0) return absl::OkStatus();
  const uint64_t lsn = pending_lsn_;
  pending_lsn_ = 0;
  bool decoded = false;
  absl::Status applied;
  std::string id;
  absl::Time arrival;
  switch (pending_type_) {
    case kSliRecord: {
      SliSpec spec;
      decoded = DecodeSli(pending_payload_, &spec);
      if (decoded) applied = engine_->AddSli(spec).status();
      break;
    }
    case kObjectiveRecord: {
      ObjectiveSpec spec;
      decoded = DecodeObjective(pending_payload_, &spec);
      if (decoded) applied = engine_->AddObjective(spec).status();
      break;
    }
    case kProbeBatchRecord: {
      std::vector<ProbeResult> results;
      decoded = DecodeProbes(pending_payload_, &id, &arrival, &results);
      if (decoded) applied = engine_->Ingest(results);
      break;
    }
    case kEventBatchRecord: {
      std::vector<EventCount> events;
      decoded = DecodeEvents(pending_payload_, &id, &arrival, &events);
      if (decoded) applied = engine_->IngestEvents(events);
      break;
    }
    default:
      break;
  }
  if (!decoded) {
    return absl::DataLossError(
        absl::StrCat("store: undecodable log record of type ", pending_type_,
                     " at LSN ", lsn));
  }
  if (!applied.ok()) ++recovery_.batches_rejected_on_replay;
  // The batch was acknowledged when it was logged: remember its id even if
  // the engine now rejects it, as the client will not resend it.
  if (!id.empty()) RememberLocked(std::move(id), arrival);
  return absl::OkStatus();
}

// ---------------------------------------------------------------- mutations

absl::Status Store::UsableLocked() const {
  if (!failed_.ok()) return failed_;
  if (log_ == nullptr || closed_) {
    return absl::FailedPreconditionError("store: closed");
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> Store::AppendLocked(uint8_t type,
                                             absl::string_view payload,
                                             bool deferred) {
  absl::StatusOr<uint64_t> lsn = deferred ? log_->AppendDeferred(type, payload)
                                          : log_->Append(type, payload);
  if (lsn.ok()) {
    last_logged_lsn_ = *lsn;
  } else if (!absl::IsInvalidArgument(lsn.status())) {
    return FailLocked(lsn.status());  // sticky in the log too
  }
  return lsn;
}

void Store::RejectLocked(uint64_t lsn) {
  std::string payload;
  Encoder e(&payload);
  e.U8(kRecordVersion);
  e.U64(lsn);
  // On failure the store is failed (AppendLocked) and the process must
  // reopen; replay may then apply the record, which is harmless as it was
  // never acknowledged.
  AppendLocked(kRejectedRecord, payload).IgnoreError();
}

absl::Status Store::FailLocked(const absl::Status& log_error) {
  // With what to do, since freeing space (or fixing the disk) is not enough
  // by itself.
  if (failed_.ok()) {
    failed_ = absl::Status(
        log_error.code(),
        absl::StrCat(log_error.message(),
                     " (the store accepts no more writes until it is "
                     "reopened; reads still work)"));
  }
  return failed_;
}

bool Store::IsDuplicateLocked(absl::string_view id, absl::Time now) const {
  auto it = dedupe_.find(id);
  return it != dedupe_.end() && it->second >= now - options_.dedupe_horizon;
}

void Store::RememberLocked(std::string id, absl::Time arrival) {
  dedupe_order_.push_back({arrival, std::move(id)});
  const absl::string_view key = dedupe_order_.back().id;
  if (auto [it, inserted] = dedupe_.try_emplace(key, arrival); !inserted) {
    // An id remembered again (after its horizon) re-keys its map entry to
    // the new deque entry: the old one may be popped first.
    dedupe_.erase(it);
    dedupe_.emplace(key, arrival);
  }
  if (dedupe_.size() <= options_.dedupe_max_ids) return;
  const absl::Time limit =
      options_.engine.clock->Now() - options_.dedupe_horizon;
  while (dedupe_.size() > options_.dedupe_max_ids) {
    // Each map entry views a deque entry, so this ends.
    const bool early = dedupe_order_.front().arrival >= limit;
    // Not during recovery: replay forgets again what the previous process
    // had already counted.
    if (ForgetOldestLocked() && early && !recovering_) {
      ++dedupe_forgotten_early_;
    }
  }
}

bool Store::ForgetOldestLocked() {
  const DedupeEntry& oldest = dedupe_order_.front();
  auto it = dedupe_.find(absl::string_view(oldest.id));
  // Only the map entry that views this deque entry's id (not one of an id
  // remembered again since, which views a newer entry).
  const bool forgotten =
      it != dedupe_.end() && it->first.data() == oldest.id.data();
  if (forgotten) dedupe_.erase(it);
  dedupe_order_.pop_front();
  return forgotten;
}

void Store::PruneLocked(absl::Time now) {
  const absl::Time limit = now - options_.dedupe_horizon;
  while (!dedupe_order_.empty() && dedupe_order_.front().arrival < limit) {
    ForgetOldestLocked();
  }
}

size_t Store::dedupe_size() const {
  absl::MutexLock lock(&mu_);
  return dedupe_.size();
}

uint64_t Store::dedupe_forgotten_early() const {
  absl::MutexLock lock(&mu_);
  return dedupe_forgotten_early_;
}

LogStats Store::log_stats() const {
  absl::MutexLock lock(&mu_);
  return log_->stats();
}

absl::StatusOr<SliId> Store::AddSli(const SliSpec& spec) {
  absl::MutexLock lock(&mu_);
  if (absl::Status s = UsableLocked(); !s.ok()) return s;
  if (spec.service.empty() || spec.name.empty()) {
    return absl::InvalidArgumentError(
        "store: an SLI needs a service and a name");
  }
  // New names only: a log written before this check replays as it was.
  for (const std::string* name : {&spec.service, &spec.name}) {
    if (absl::Status s = CheckNameText(*name); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "store: SLI ", name == &spec.service ? "service" : "name", " '",
          absl::CHexEscape(*name), "': ", s.message()));
    }
  }
  if (engine_->FindSli(spec.service, spec.name).ok()) {
    return absl::AlreadyExistsError(absl::StrCat(
        "SLI '", spec.service, "/", spec.name, "' is already declared"));
  }
  std::string payload;
  EncodeSli(spec, &payload);
  absl::StatusOr<uint64_t> lsn = AppendLocked(kSliRecord, payload);
  if (!lsn.ok()) return lsn.status();
  absl::StatusOr<SliId> id = engine_->AddSli(spec);
  if (!id.ok()) RejectLocked(*lsn);
  return id;
}

absl::StatusOr<ObjectiveId> Store::AddObjective(const ObjectiveSpec& spec) {
  absl::MutexLock lock(&mu_);
  if (absl::Status s = UsableLocked(); !s.ok()) return s;
  if (engine_->FindObjective(spec.service, spec.name).ok()) {
    return absl::AlreadyExistsError(absl::StrCat(
        "objective '", spec.service, "/", spec.name, "' is already declared"));
  }
  if (absl::Status s = engine_->ServiceSlis(spec.service).status(); !s.ok()) {
    return s;
  }
  if (absl::Status s = Target::FromPercent(spec.target_percent).status();
      !s.ok()) {
    return s;
  }
  std::string payload;
  EncodeObjective(spec, &payload);
  absl::StatusOr<uint64_t> lsn = AppendLocked(kObjectiveRecord, payload);
  if (!lsn.ok()) return lsn.status();
  absl::StatusOr<ObjectiveId> id = engine_->AddObjective(spec);
  if (!id.ok()) RejectLocked(*lsn);
  return id;
}

absl::StatusOr<IngestAck> Store::IngestBatch(
    absl::string_view batch_id, uint8_t type,
    absl::FunctionRef<absl::Status(absl::Time now)> check,
    absl::FunctionRef<void(absl::Time now, std::string* payload)> encode,
    absl::FunctionRef<absl::Status()> apply) {
  if (batch_id.empty() || batch_id.size() > kMaxBatchIdBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "store: a batch id must have 1 to ", kMaxBatchIdBytes, " bytes"));
  }
  LogWriter* log;
  IngestAck ack;
  uint64_t durable_at;  // the LSN that must be durable before the ack
  {
    absl::MutexLock lock(&mu_);
    if (absl::Status s = UsableLocked(); !s.ok()) return s;
    log = log_.get();
    const absl::Time now = options_.engine.clock->Now();
    if (IsDuplicateLocked(batch_id, now)) {
      // Acknowledged again once the original is durable, which it is when
      // everything logged so far is.
      ack.duplicate = true;
      durable_at = last_logged_lsn_;
    } else {
      if (absl::Status s = check(now); !s.ok()) return s;
      std::string payload;
      encode(now, &payload);
      absl::StatusOr<uint64_t> lsn =
          AppendLocked(type, payload, /*deferred=*/true);
      if (!lsn.ok()) return lsn.status();
      if (absl::Status s = apply(); !s.ok()) {
        RejectLocked(*lsn);
        return s;
      }
      RememberLocked(std::string(batch_id), now);
      PruneLocked(now);
      bytes_since_snapshot_ += payload.size();
      if (options_.auto_snapshot_log_bytes > 0 &&
          bytes_since_snapshot_ >= options_.auto_snapshot_log_bytes) {
        snapshot_wanted_ = true;  // wakes SnapshotLoop
      }
      ack.lsn = *lsn;
      durable_at = *lsn;
    }
  }
  // Outside mu_: concurrent batches share the flush (see the file comment).
  if (absl::Status s = log->WaitDurable(durable_at); !s.ok()) {
    absl::MutexLock lock(&mu_);
    return FailLocked(s);
  }
  return ack;
}

absl::StatusOr<IngestAck> Store::Ingest(absl::string_view batch_id,
                                        absl::Span<const ProbeResult> results) {
  return IngestBatch(
      batch_id, kProbeBatchRecord,
      [&](absl::Time) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return engine_->CheckIngest(results);
      },
      [&](absl::Time now, std::string* payload) {
        EncodeProbes(batch_id, now, results, payload);
      },
      [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return engine_->Ingest(results);
      });
}

absl::StatusOr<IngestAck> Store::IngestEvents(
    absl::string_view batch_id, absl::Span<const EventCount> events) {
  return IngestBatch(
      batch_id, kEventBatchRecord,
      [&](absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return CheckEventsLocked(events, now);
      },
      [&](absl::Time now, std::string* payload) {
        EncodeEvents(batch_id, now, events, payload);
      },
      [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return engine_->IngestEvents(events);
      });
}

// The cheap part of the engine's validation of an event batch, so that most
// bad batches never reach the log; the engine checks the rest (then: a
// rejected record).
absl::Status Store::CheckEventsLocked(absl::Span<const EventCount> events,
                                      absl::Time now) const {
  const int64_t horizon_ms =
      engine_->newest() == absl::InfinitePast()
          ? INT64_MIN
          : absl::ToUnixMillis(engine_->retention_horizon());
  const int64_t future_ms =
      absl::ToUnixMillis(now + options_.engine.future_tolerance);
  SliId checked = 0;
  bool have_checked = false;
  for (size_t i = 0; i < events.size(); ++i) {
    const EventCount& e = events[i];
    if (!have_checked || e.sli != checked) {
      absl::StatusOr<SliSpec> spec = engine_->GetSli(e.sli);
      if (!spec.ok()) {
        return absl::NotFoundError(
            absl::StrCat("record ", i, ": unknown SLI id ", e.sli));
      }
      if (spec->kind != SliKind::kEventRatio) {
        return absl::InvalidArgumentError(
            absl::StrCat("record ", i, ": SLI '", spec->service, "/",
                         spec->name, "' is not an event-ratio SLI"));
      }
      checked = e.sli;
      have_checked = true;
    }
    if (e.good < 0 || e.total < 0 || e.good > e.total) {
      return absl::InvalidArgumentError(
          absl::StrCat("record ", i, ": counts must satisfy 0 <= good (",
                       e.good, ") <= total (", e.total, ")"));
    }
    if (e.unix_ms > future_ms) {
      return absl::InvalidArgumentError(absl::StrCat(
          "record ", i, ": unix_ms ", e.unix_ms, " is in the future"));
    }
    if (e.unix_ms < horizon_ms) {
      return absl::OutOfRangeError(
          absl::StrCat("record ", i, ": unix_ms ", e.unix_ms,
                       " is older than the retention horizon"));
    }
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------- snapshot

absl::Status Store::Snapshot() {
  absl::MutexLock snapshot_lock(&snapshot_mu_);
  std::string data;
  uint64_t lsn;
  LogWriter* log;
  {
    absl::MutexLock lock(&mu_);
    if (absl::Status s = UsableLocked(); !s.ok()) return s;
    log = log_.get();
    lsn = log_->next_lsn() - 1;
    bytes_since_snapshot_ = 0;
    const absl::Time now = options_.engine.clock->Now();
    PruneLocked(now);
    const absl::Time limit = now - options_.dedupe_horizon;
    Encoder e(&data);
    data.append(kSnapshotMagic.data(), kSnapshotMagic.size());
    e.U64(lsn);
    const size_t count_at = data.size();
    e.U32(0);
    uint32_t count = 0;
    for (const auto& [id, arrival] : dedupe_) {
      if (arrival < limit) continue;
      e.Str(id);
      e.I64(absl::ToUnixMicros(arrival));
      ++count;
    }
    for (int i = 0; i < 4; ++i) {
      data[count_at + i] = static_cast<char>(count >> (8 * i));
    }
    const size_t len_at = data.size();
    e.U64(0);
    engine_->EncodeState(&data);
    const uint64_t len = data.size() - len_at - 8;
    for (int i = 0; i < 8; ++i) {
      data[len_at + i] = static_cast<char>(len >> (8 * i));
    }
  }
  Encoder(&data).U32(Crc32(data));

  // The log must hold every record the snapshot covers before the snapshot
  // can replace them (see LogWriter::RemoveSegmentsBefore). `log` stays
  // valid: Close waits for snapshot_mu_, and the destructor does not run
  // concurrently with another call.
  if (absl::Status s = log->Sync(); !s.ok()) {
    absl::MutexLock lock(&mu_);
    return FailLocked(s);
  }
  if (absl::Status s = WriteFileAtomically(
          dir_, absl::StrCat(dir_, "/", SnapshotName(lsn)), data);
      !s.ok()) {
    return s;
  }

  // Keep the newest keep_snapshots; drop the log before the oldest kept.
  absl::StatusOr<std::vector<SnapshotFile>> snapshots =
      ListSnapshots(dir_, /*temp_files=*/nullptr);
  if (!snapshots.ok()) return snapshots.status();
  const size_t keep = static_cast<size_t>(options_.keep_snapshots);
  bool removed = false;
  for (size_t i = keep; i < snapshots->size(); ++i) {
    const std::string path = absl::StrCat(dir_, "/", (*snapshots)[i].name);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return FileError(errno, "remove", path);
    }
    removed = true;
  }
  if (removed) {
    if (absl::Status s = SyncDir(dir_); !s.ok()) return s;
  }
  {
    absl::MutexLock lock(&mu_);
    ++snapshots_taken_;
  }
  const uint64_t oldest_kept =
      (*snapshots)[std::min(keep, snapshots->size()) - 1].lsn;
  return log->RemoveSegmentsBefore(oldest_kept + 1);
}

absl::Status Store::SaveConfigText(absl::string_view text) {
  absl::MutexLock lock(&mu_);
  if (absl::Status s = UsableLocked(); !s.ok()) return s;
  return WriteFileAtomically(dir_, dir_ + "/slakit.yaml", text);
}

absl::StatusOr<std::string> Store::LoadConfigText() const {
  return ReadFile(dir_ + "/slakit.yaml");
}

absl::Status Store::Close() {
  StopSnapshotThread();
  absl::MutexLock snapshot_lock(&snapshot_mu_);
  absl::MutexLock lock(&mu_);
  if (log_ == nullptr || closed_) return absl::OkStatus();
  // The writer itself lives until the destructor: an Ingest that logged its
  // batch may still be waiting for the flush outside mu_ (Close makes it).
  closed_ = true;
  const absl::Status s = log_->Close();
  return s.ok() || failed_.ok() ? s : failed_;
}

}  // namespace sla::storage
