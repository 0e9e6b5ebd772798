// sla/storage/wal.h: the write-ahead log of the embedded store. Records are
// opaque (a type byte and a payload); the store above encodes ingest batches
// and configuration changes into them. A record is in the log before its
// Append returns, so an acknowledged result survives a crash of the process.
//
//   sla::storage::LogOptions options;               // kInterval, 1 s, 64 MiB
//   auto log = sla::storage::LogWriter::Open("/var/lib/slakit/wal", options);
//   if (!log.ok()) return log.status();
//   absl::StatusOr<uint64_t> lsn = (*log)->Append(kIngestBatch, encoded);
//   if (!lsn.ok()) return lsn.status();             // not acknowledged
//   // ... acknowledge the batch to the client ...
//
//   // On start-up, before opening the writer: replay from the snapshot.
//   absl::StatusOr<sla::storage::RecoveryResult> r = sla::storage::ReadLog(
//       dir, [&](uint64_t lsn, uint8_t type, absl::string_view payload) {
//         return store.Apply(lsn, type, payload);
//       }, snapshot_lsn + 1);
//   if (!r.ok()) return r.status();         // DataLoss: do not start
//   if (r->tail_dropped) ReportToOperator(r->ToString());
//
// Durability. Append returns an LSN only once the record has been handed to
// the kernel by write(2), and under kAlways also flushed by fdatasync(2):
//   kNone      acknowledged records survive kill -9, abort() and any other
//              death of the process (they are in the kernel's page cache),
//              but not a kernel crash or power loss. The log calls fsync
//              only when asked (Sync()) and when Open cuts a torn tail; what
//              power loss keeps is whatever the kernel had written back
//              (typically up to ~30 s is lost, and sealed segments may be
//              damaged, which ReadLog reports as DataLoss).
//   kInterval  (default) as kNone for process death. Against power loss:
//              there is no background thread; the group commit that finishes
//              its write(2) at least `sync_interval` after the previous
//              fdatasync runs one, covering every record written so far. So
//              while appends keep coming, power loss loses at most the
//              records acknowledged in the last `sync_interval` (plus one
//              group). Time comes from LogOptions::clock; a clock that
//              steps backwards makes the next group flush. When appends stop,
//              the records written since the last fdatasync stay in the page
//              cache until the next Append, Sync() or Close(); a store that
//              must bound that call Sync() from its own timer. Sealed segments
//              are always flushed (below), so after power loss only the last
//              segment can have a torn tail.
//   kAlways    acknowledged records also survive power loss and kernel
//              crashes (given a device that honours cache flushes): the
//              group's fdatasync completes before any record of the group is
//              acknowledged, and each segment's directory entry is flushed
//              when the segment is created.
// AppendDeferred + WaitDurable split an append in two for a caller that
// orders its appends under a lock of its own (the store): the record is
// written under that lock, and the flush is awaited after it is released, so
// that concurrent callers share one fdatasync under kAlways instead of taking
// turns. The record has kNone's guarantee when AppendDeferred returns and the
// policy's once WaitDurable returns.
// A record whose Append failed may or may not be in the log after recovery
// (it may have been written before the error); the store must tolerate
// replaying such a record, e.g. by deduplicating on a batch id.
//
// Group commit (leader/follower). Append enqueues its record under an
// absl::Mutex. If no thread is writing, the caller becomes the leader: it
// takes every queued record, assigns consecutive LSNs in queue order, drops
// the lock, encodes them into one buffer, issues one write(2) (and under
// kAlways one fdatasync), re-takes the lock, marks the whole group done and
// wakes the followers (absl::CondVar::SignalAll). Records that arrive while a
// leader writes wait on the CondVar and form the next group; one of them
// leads it. So N concurrent appenders cost about one write (and one fsync)
// per group instead of one per record. LSN order is file order. A group that
// would overflow the segment is split: the part that fits is written, the
// segment is sealed, a new one created, and the rest written there.
//
// Segments. The log is a directory of files wal-<LSN of their first record,
// 20 decimal digits>.log. When a record would take the active segment past
// `segment_bytes` (and it already holds a record), the segment is sealed
// (fdatasync unless kNone), the next one is created with O_EXCL (an existing
// file is never overwritten), its header flushed and the directory fsynced
// (unless kNone). A record larger than `segment_bytes` gets a segment of its
// own. LSNs start at 1 and are consecutive across segments; the records of a
// segment are [its first LSN, the next segment's first LSN).
//
// On-disk format, little-endian throughout; CRC-32 is zlib's crc32() (the
// gzip / ISO-HDLC polynomial):
//   segment header, 24 bytes
//     [0, 8)     magic "SLAKWAL1"
//     [8, 12)    u32 format version, 1
//     [12, 20)   u64 first LSN (must equal the one in the file name)
//     [20, 24)   u32 CRC-32 of bytes [0, 20)
//   then records back to back until the end of the file, each
//     [0, 4)     u32 payload length N (at most kMaxPayloadBytes)
//     [4, 8)     u32 CRC-32 of bytes [8, 17 + N): type, LSN and payload
//     [8, 9)     u8 type, opaque to the log
//     [9, 17)    u64 LSN, one more than the previous record's
//     [17, 17+N) payload
// A zero-filled region never parses as a record (its CRC would be 0 and its
// LSN 0), so preallocated space is recognised as a torn tail.
//
// Recovery. ReadLog replays every record in LSN order. A problem in the last
// segment (a partial or missing header, a partial frame, a length running
// past the end of the file, a CRC mismatch, an out-of-sequence LSN, a
// zero-filled tail) is what a crash mid-write leaves behind: replay stops at
// the last good record and the rest is reported (tail_dropped, dropped_at,
// dropped_bytes, reason), not treated as an error. The same problem in any
// earlier segment, or a gap in the LSNs between segments, is DataLoss naming
// the file and offset: those segments were complete and flushed when sealed,
// so damage there is not a torn write and replay does not skip it.
// LogWriter::Open recovers the tail itself (TruncateTornTail) and continues
// at last_lsn + 1. A torn write leaves nothing readable behind the cut; when
// well-formed records do follow the damage in the last segment (a flipped
// bit rather than a crash), they are counted in intact_records_dropped and
// TruncateTornTail keeps a copy of the dropped bytes next to the segment.
//
// Errors: InvalidArgument (bad options, payload over kMaxPayloadBytes),
// NotFound (ReadLog on a missing directory), FailedPrecondition (the
// directory is held by another LogWriter, the log is closed, a
// RecoveryResult that no longer matches the files), DataLoss (damage outside
// the tail), and errno-derived codes from the file system, whose messages
// name the file.
//
// Ownership: Open returns the only owner of the writer, which owns its file
// descriptors; LogOptions::clock is borrowed. Nothing else is shared.
//
// Thread safety: LogWriter is thread-safe; Append, Sync, Close, stats and
// RemoveSegmentsBefore may be called from any number of threads (calls after
// Close fail with FailedPrecondition). Only the destructor must not run
// concurrently with another call. One LogWriter per directory: Open takes an
// exclusive flock(2) on <dir>/LOCK, also against other processes. ReadLog and
// TruncateTornTail are meant to run before the writer is opened.

#ifndef SLA_STORAGE_WAL_H_
#define SLA_STORAGE_WAL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sla/clock.h"

namespace sla::storage {

// The largest payload Append accepts (256 MiB). Larger is InvalidArgument.
inline constexpr size_t kMaxPayloadBytes = size_t{256} << 20;
// Bytes of the segment header and of a record's framing before the payload.
inline constexpr size_t kSegmentHeaderBytes = 24;
inline constexpr size_t kRecordHeaderBytes = 17;

// When the writer calls fdatasync(2); see the durability table above.
enum class SyncPolicy { kNone, kInterval, kAlways };

// "none", "interval", "always" (case-insensitive); InvalidArgument otherwise.
absl::StatusOr<SyncPolicy> ParseSyncPolicy(absl::string_view text);
absl::string_view SyncPolicyName(SyncPolicy policy);

struct LogOptions {
  SyncPolicy sync = SyncPolicy::kInterval;
  // kInterval: the minimum time between two fdatasync calls. >= 0.
  absl::Duration sync_interval = absl::Seconds(1);
  // A segment is sealed before a record would take it past this size (a
  // segment always takes at least one record). > 0.
  size_t segment_bytes = size_t{64} << 20;
  // Where kInterval reads the time; not owned, must outlive the writer.
  Clock* clock = Clock::Real();
};

// Counters of a LogWriter since Open (a consistent copy).
struct LogStats {
  uint64_t appends = 0;  // records acknowledged (Append returned an LSN)
  uint64_t groups = 0;   // group commits that wrote at least one record
  uint64_t writes = 0;   // write(2) calls that carried records
  uint64_t syncs = 0;    // fdatasync(2) calls that covered records (group
                         // commit, interval, Sync, sealing, Close); the
                         // flushes of new segment headers and of the
                         // directory are not counted
  uint64_t bytes = 0;    // record bytes written, framing included
  uint64_t segments_created = 0;
};

// A byte position in a segment file of the log directory.
struct LogPosition {
  std::string segment;  // file name, e.g. "wal-00000000000000000001.log"
  uint64_t offset = 0;  // from the start of the file
};

// What ReadLog found.
struct RecoveryResult {
  // Records passed to the callback (those with lsn >= from_lsn).
  uint64_t records = 0;
  // The LSN of the last good record; when the log holds no record, one less
  // than the first LSN its first segment is named for (0 for an empty
  // directory). A writer opened on the directory continues at last_lsn + 1.
  uint64_t last_lsn = 0;
  // Segment files read (those skipped because of from_lsn are not counted).
  int segments_read = 0;

  // Set when the last segment ends in something that is not a good record.
  bool tail_dropped = false;
  // The first byte not replayed: the end of the last good record, or 0 when
  // the segment's header itself is missing or damaged (the whole file is
  // dropped).
  LogPosition dropped_at;
  // Bytes from dropped_at to the end of the file (0 for an empty file).
  uint64_t dropped_bytes = 0;
  // Well-formed records (CRC matches, LSN after last_lsn) found after
  // dropped_at. 0 for a torn write; more means the damage is in the middle
  // of the data and acknowledged records may be lost: the store should alert
  // on it. TruncateTornTail keeps a copy of such a tail (see there).
  uint64_t intact_records_dropped = 0;
  // Why the tail was dropped, e.g. "checksum mismatch", "zero-filled tail".
  std::string reason;

  // One line for logs: "12 records, last LSN 12; dropped 57 bytes at
  // wal-...log offset 1234: checksum mismatch".
  std::string ToString() const;
};

// Replays the log in `dir` in LSN order, calling fn for every record with
// lsn >= from_lsn (0 and 1 both mean everything); `payload` is valid only
// during the call. Segments whose records are all below from_lsn are not
// read. A non-OK status from fn stops the replay and is returned as is. A torn
// tail of the last segment is reported in the result, not an error; damage
// elsewhere is DataLoss (see the file comment), as is from_lsn > 1 below the
// first LSN still in the log (the records in between were removed). NotFound if
// `dir` does not exist; an existing directory without segments is an empty log.
// Does not modify anything.
absl::StatusOr<RecoveryResult> ReadLog(
    absl::string_view dir,
    absl::FunctionRef<absl::Status(uint64_t lsn, uint8_t type,
                                   absl::string_view payload)>
        fn,
    uint64_t from_lsn = 0);

// Cuts the last segment at result.dropped_at so that new records follow good
// data: truncates the file there (and fdatasyncs it), or deletes it when its
// header was bad (and fsyncs the directory). When intact_records_dropped > 0
// the dropped bytes are first copied to "<segment>.dropped-<offset>" in the
// same directory, which the log ignores. A no-op when !result.tail_dropped.
// FailedPrecondition if the segment is no longer the last one or its size
// changed since ReadLog. Do not call while a LogWriter has the directory
// open.
absl::Status TruncateTornTail(absl::string_view dir,
                              const RecoveryResult& result);

// Appends records to the log in a directory. See the file comment for
// durability, group commit and errors.
class LogWriter {
 public:
  // Creates `dir` (and its parents) if missing, locks it, recovers the tail
  // of the last segment (TruncateTornTail; the outcome is in recovery()) and
  // continues after the last good record, in the last segment; when that
  // one is full the first append seals it and starts a new one. Open itself
  // writes only to create the first segment of an empty log (and to cut a
  // torn tail), so it works on a full disk. Only the last segment is read:
  // call ReadLog first to replay and verify the rest.
  static absl::StatusOr<std::unique_ptr<LogWriter>> Open(
      absl::string_view dir, LogOptions options = LogOptions());

  // Close(), ignoring its status.
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // Appends one record and returns its LSN once it is written (and flushed
  // under kAlways). Errors are sticky: after a failed write or fdatasync,
  // this and every later Append and Sync return that same error and nothing
  // more is written; reopen the log to recover. FailedPrecondition after
  // Close; InvalidArgument for a payload over kMaxPayloadBytes (not sticky).
  absl::StatusOr<uint64_t> Append(uint8_t type, absl::string_view payload);

  // As Append, but returns as soon as the record is written (it survives the
  // death of the process), without the fdatasync kAlways would wait for.
  // Before acknowledging the record under kAlways, call WaitDurable(lsn).
  absl::StatusOr<uint64_t> AppendDeferred(uint8_t type,
                                          absl::string_view payload);

  // Returns once every record up to `lsn` has the durability of the policy:
  // under kAlways once an fdatasync that covers it has completed (joining
  // the group commit, so concurrent waiters share one flush); under kNone and
  // kInterval at once, as a written record already has their guarantee.
  // The sticky error if a write or flush failed; FailedPrecondition after
  // Close unless Close flushed `lsn`.
  absl::Status WaitDurable(uint64_t lsn);

  // Flushes every record acknowledged before the call with fdatasync(2),
  // whatever the policy (a no-op when nothing is unflushed). Goes through the
  // group commit queue, so it shares the flush with concurrent appends.
  absl::Status Sync();

  // Deletes, oldest first, the segments whose records all have an LSN below
  // `lsn` (for after a snapshot that covers them). The active segment is
  // never deleted, even if all its records are older, so the directory keeps
  // the LSN to continue from. The store must make the log durable up to the
  // snapshot (Sync()) before it relies on the snapshot, or power loss could
  // make the writer reuse LSNs the snapshot covers.
  absl::Status RemoveSegmentsBefore(uint64_t lsn);

  // Flushes (unless kNone) and closes the active segment and releases the
  // directory lock. Waits for appends in flight. Returns the sticky error if
  // a write failed earlier. Later calls of Append and Sync fail with
  // FailedPrecondition; Close again returns the first result.
  absl::Status Close();

  // The LSN the next record will get.
  uint64_t next_lsn() const;
  LogStats stats() const;
  // What Open found at the tail. Only the tail is read (the last segment,
  // and the one before it when the last has no valid header), so `records`
  // counts the records of those segments only.
  const RecoveryResult& recovery() const { return recovery_; }
  const std::string& dir() const { return dir_; }

  // Test-only: the descriptor of the active segment, e.g. to dup2()
  // /dev/full over it and make write(2) fail. Not synchronized.
  int SegmentFdForTesting() const { return fd_; }

 private:
  struct Request;
  struct Segment {
    uint64_t first_lsn;
    std::string name;
  };
  struct GroupResult;

  LogWriter(std::string dir, LogOptions options, int lock_fd);

  absl::StatusOr<uint64_t> AppendRecord(uint8_t type, absl::string_view payload,
                                        bool deferred);
  // Appends `req` to the queue and returns when a leader has handled it.
  void Submit(Request* req) ABSL_LOCKS_EXCLUDED(mu_);
  // Runs one group commit as the leader; releases mu_ during the I/O.
  void LeadGroup() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The I/O of a group, by the leader without mu_.
  absl::Status WriteGroup(const std::vector<Request*>& group, GroupResult* out);
  absl::Status Flush(uint64_t records, GroupResult* out);
  absl::Status SyncSegment(GroupResult* out);
  absl::Status Rotate(uint64_t first_lsn, GroupResult* out);
  // Creates a segment file and writes (and maybe flushes) its header.
  absl::Status CreateSegment(uint64_t first_lsn);

  const std::string dir_;
  const LogOptions options_;
  RecoveryResult recovery_;  // set by Open

  mutable absl::Mutex mu_;
  absl::CondVar cv_;  // a group finished; a new leader may be needed
  std::vector<Request*> queue_ ABSL_GUARDED_BY(mu_);
  bool leader_active_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  int lock_fd_ ABSL_GUARDED_BY(mu_) = -1;  // flock(2)ed <dir>/LOCK
  absl::Status close_status_ ABSL_GUARDED_BY(mu_);
  absl::Status error_ ABSL_GUARDED_BY(mu_);  // sticky
  uint64_t next_lsn_ ABSL_GUARDED_BY(mu_) = 1;
  // Every record <= durable_lsn_ has been flushed by fdatasync(2).
  uint64_t durable_lsn_ ABSL_GUARDED_BY(mu_) = 0;
  LogStats stats_ ABSL_GUARDED_BY(mu_);
  std::vector<Segment> segments_ ABSL_GUARDED_BY(mu_);  // by first_lsn

  // Owned by the current leader (leader_active_), or by Open / Close when no
  // leader can exist; never touched by other threads.
  int fd_ = -1;                // the active segment
  std::string segment_path_;   // its path
  uint64_t segment_size_ = 0;  // its size in bytes
  uint64_t segment_records_ = 0;
  bool dirty_ = false;  // records written since the last fdatasync
  absl::Time last_sync_;
  std::string buf_;  // the encoded records of a group
};

}  // namespace sla::storage

#endif  // SLA_STORAGE_WAL_H_
