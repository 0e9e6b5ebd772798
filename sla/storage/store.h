// sla/storage/store.h: the embedded durable store. An sla::Engine whose
// declarations (SLIs, objectives) and ingest batches are written to the
// write-ahead log (sla/storage/wal.h) before they are applied, with atomic
// snapshots, recovery on open, idempotent ingest by batch id and retention on
// disk.
//
//   sla::storage::StoreOptions options;            // defaults: see below
//   auto store = sla::storage::Store::Open("/var/lib/slakit", options);
//   if (!store.ok()) return store.status();        // DataLoss: do not start
//   if ((*store)->recovery().log.tail_dropped) {
//     ReportToOperator((*store)->recovery().ToString());
//   }
//   // Declarations are durable; on a reopen they come back from the store,
//   // so declare only what is missing.
//   if (!(*store)->engine().FindSli("web", "home").ok()) {
//     absl::StatusOr<sla::SliId> home = (*store)->AddSli({"web", "home"});
//     if (!home.ok()) return home.status();
//   }
//   absl::StatusOr<sla::storage::IngestAck> ack =
//       (*store)->Ingest("probe-7-000123", batch);    // the client's batch id
//   if (!ack.ok()) return ack.status();   // not acknowledged; retry same id
//   // ack->duplicate: the id was seen before; acknowledged, not re-applied.
//   // Queries go straight to the engine:
//   (*store)->engine().Evaluate(objective, absl::Now());
//   // Snapshots bound replay time and drop the log segments and data older
//   // than the retention from disk. The store takes one in the background
//   // every options.auto_snapshot_log_bytes of log; callers may add their
//   // own, e.g. at shutdown:
//   absl::Status s = (*store)->Snapshot();
//
// Files, all in `dir`:
//   LOCK                          flock(2)ed by Open: one Store per directory,
//                                 also across processes
//   wal/wal-<first LSN>.log       the log segments (see wal.h)
//   snapshot-<LSN, 20 digits>.snap
//                                 the state after every record <= LSN
//   snapshot-*.snap.tmp           a snapshot being written; ignored and
//                                 removed by Open and Snapshot
//   snapshot-*.snap.corrupt       a snapshot Open could not read, kept for
//                                 inspection and otherwise ignored
//   slakit.yaml                   the configuration text (SaveConfigText)
//
// Ordering and consistency. Every mutation (AddSli, AddObjective, Ingest,
// IngestEvents) holds the store's mutex from its checks until it is applied,
// so the log order is the apply order and replay rebuilds exactly the
// acknowledged state:
//   1. Ingest only: a batch id seen within the dedupe horizon is answered
//      with duplicate = true (after step 6) and nothing else happens.
//   2. Validation before logging: probe batches by Engine::CheckIngest; event
//      batches and declarations by the store's cheaper checks (known SLI of
//      the right kind, 0 <= good <= total, not declared yet, ...). What fails
//      here is returned and never reaches the log.
//   3. The record is appended to the log: written with write(2), and for
//      declarations also flushed per LogOptions::sync.
//   4. It is applied to the engine. Should the engine still reject it (an
//      event batch past the 2^32 - 1 per-minute limit, an objective with a
//      bad window, a race with the clock), a "rejected" record naming the LSN
//      is appended so that replay skips it too, and the engine's error is
//      returned.
//   5. Ingest only: the id is remembered with its arrival time (from
//      options.engine.clock); the mutex is released.
//   6. Ingest only: the call waits, without the mutex, until the record is
//      durable per the sync policy (LogWriter::WaitDurable), then returns
//      the ack. Under kAlways, batches ingested concurrently share one
//      fdatasync (group commit) rather than taking turns; under kNone and
//      kInterval nothing is waited for.
// A record becomes visible to queries only after it is written to the log;
// under kAlways a batch can be visible a moment before it is flushed (and so
// before its ack), never after a failed write. If an append or flush fails
// the log's error is sticky (see wal.h): the store is failed, and that
// mutation and every later one, Snapshot and Close return that error (its
// message ending "(the store accepts no more writes until it is reopened;
// reads still work)"); the process must reopen the store; the batch that
// failed may or may not be present after the reopen (never twice: its id
// is then known).
//
// Recovery (Open): the newest snapshot that reads back (magic, CRC-32,
// Engine::RestoreState) is loaded, then the log records after its LSN are
// replayed in order. A snapshot that does not read back is renamed to
// *.corrupt and the next older one is tried (corrupt_snapshots_skipped); with
// none left the whole log is replayed, which is DataLoss if its start was
// removed. A torn or corrupt tail of the log is cut at the last good record
// and reported in recovery().log, not an error. Replay is deterministic: it
// does not consult the dedupe table, and a record the engine rejects on
// replay (it was valid when logged; the engine's future check reads
// options.engine.clock) is counted in batches_rejected_on_replay, not fatal.
//
// Idempotence: batch ids are remembered for `dedupe_horizon` after their
// arrival, in memory, in the log records and in snapshots; an id older than
// that is forgotten and a batch sent with it again is applied again. The
// table is also bounded by count (`dedupe_max_ids`, oldest arrival forgotten
// first) so that memory stays bounded at any ingest rate. The default
// 262,144 ids cover the whole horizon up to 3 batches a second; at 10 a
// second the last 7.3 hours, at 500 the last 8.7 minutes. The bound is the
// store's, shared by every caller (slakit serve's tenants). Ids forgotten
// by the count bound before their horizon are counted in
// dedupe_forgotten_early(); a retry after that is applied again. An id is
// kept once (its map entry views the arrival-order entry's string): about
// 130 bytes plus its length (117 bytes for ids of up to 15 bytes), so at
// the default bound 37 MiB with 16-byte ids and 289 MiB with ids of the
// largest size, 1 KiB (heap in use, measured with 262,144 ids).
//
// Retention: the engine drops minutes older than options.engine.retention
// from memory as newer data arrives. Snapshot() writes only what the engine
// keeps, keeps the `keep_snapshots` newest snapshot files and removes the log
// segments whose records all precede the oldest kept snapshot, so data older
// than the retention leaves the disk at the next snapshot after it left
// memory (plus the span the older kept snapshots cover).
//
// Snapshot file format, little-endian; CRC-32 is zlib's crc32():
//   [0, 8)    magic "SLAKSNP1"
//   [8, 16)   u64 LSN: the snapshot holds every record <= LSN
//   [16, 20)  u32 number of dedupe entries D, then D times:
//             u32 id length, the id bytes, i64 arrival in Unix microseconds
//   then      u64 length E, E bytes of Engine::EncodeState
//   last 4    u32 CRC-32 of everything before it
// Log records (type byte, payload starting with a version byte, 1) are
// described in store.cc.
//
// Errors: the engine's codes for rejected declarations and batches
// (InvalidArgument, OutOfRange, NotFound, AlreadyExists); InvalidArgument for
// bad options or an empty batch id; FailedPrecondition when another Store has
// the directory; DataLoss for damage recovery cannot get past (outside the
// log's tail, no usable snapshot and the log's start removed, a log that ends
// before the snapshot's LSN); errno-derived codes naming the file otherwise.
//
// Ownership: Open returns the only owner of the store, which owns the engine
// and the log. options.engine.clock and options.log.clock are borrowed and
// must outlive the store.
//
// Thread safety: Store is thread-safe. Mutations are serialized by the store
// mutex up to their write(2), and wait for flushes outside it; queries
// through engine() run concurrently with them. Snapshot holds the mutex only
// while it copies the state in memory, and writes the file without it; two
// Snapshot calls run one after the other. Only the destructor must not run
// concurrently with another call.

#ifndef SLA_STORAGE_STORE_H_
#define SLA_STORAGE_STORE_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "sla/engine.h"
#include "sla/objective.h"
#include "sla/storage/wal.h"

namespace sla::storage {

struct StoreOptions {
  // The engine's options; engine.clock also stamps batch arrival times for
  // the dedupe horizon.
  EngineOptions engine;
  // The log's options (sync policy, segment size, clock).
  LogOptions log;
  // How long a batch id is remembered after its arrival. >= 0.
  absl::Duration dedupe_horizon = absl::Hours(24);
  // At most this many batch ids are remembered; the oldest are forgotten
  // first. >= 1. About 130 bytes plus the id's length each (see the file
  // comment).
  size_t dedupe_max_ids = size_t{1} << 18;
  // Snapshot files kept (the newest ones). >= 1; with 2 or more a corrupt
  // newest snapshot falls back to the previous one, whose log segments are
  // kept for that purpose.
  int keep_snapshots = 2;
  // When > 0, a background thread of the store takes a snapshot (as
  // Snapshot() does) once batches of at least this many bytes of log payload
  // have been logged since the previous one, so replay time and disk use stay
  // bounded without a timer of the caller's. 0: only explicit Snapshot().
  // Its last error is in background_snapshot_status().
  uint64_t auto_snapshot_log_bytes = uint64_t{256} << 20;
};

// What Open found and did.
struct StoreRecovery {
  // Whether a snapshot was loaded; its LSN (0 when none) and file name.
  bool from_snapshot = false;
  uint64_t snapshot_lsn = 0;
  std::string snapshot_file;
  // Newer snapshots that did not read back (renamed to *.corrupt).
  int corrupt_snapshots_skipped = 0;
  // Log records replayed after the snapshot (declarations, batches and
  // rejection markers).
  uint64_t records_replayed = 0;
  // Records the engine rejected on replay although they were applied when
  // logged (see the file comment); 0 in a healthy store.
  uint64_t batches_rejected_on_replay = 0;
  // Left-over snapshot-*.tmp files removed.
  int temp_files_removed = 0;
  // The log's replay report: tail_dropped, dropped_at, dropped_bytes,
  // intact_records_dropped (alert when > 0), reason.
  RecoveryResult log;

  // One line for logs, e.g. "snapshot-...snap (LSN 40, 1 corrupt skipped);
  // 12 records replayed; log: 52 records, last LSN 52; dropped ...".
  std::string ToString() const;
};

// The answer to an acknowledged batch.
struct IngestAck {
  // The id was seen within the dedupe horizon: acknowledged again, not
  // applied again.
  bool duplicate = false;
  // The log record of the batch; for a duplicate, 0.
  uint64_t lsn = 0;
};

class Store {
 public:
  // Opens (creating if missing) the store in `dir` and recovers it (see the
  // file comment); the result is in recovery(). InvalidArgument for bad
  // options.
  static absl::StatusOr<std::unique_ptr<Store>> Open(
      const std::string& dir, StoreOptions options = StoreOptions());

  // Closes the log (ignoring its status) and releases the directory.
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // The engine, for queries (thread-safe). Const: every change goes through
  // the store so that it is logged.
  const Engine& engine() const { return *engine_; }

  // Declarations, logged and then applied; Engine::AddSli / AddObjective's
  // results and errors. AddSli also refuses (InvalidArgument) a service or
  // SLI name that CheckNameText refuses (not valid UTF-8, a NUL byte).
  absl::StatusOr<SliId> AddSli(const SliSpec& spec);
  absl::StatusOr<ObjectiveId> AddObjective(const ObjectiveSpec& spec);

  // Ingests a batch all or nothing under a client-chosen id (non-empty, at
  // most 1 KiB), unique per batch: returns once the batch is in the log and
  // applied, or with duplicate = true if the id was acknowledged within the
  // dedupe horizon (the batch is then not looked at). Errors: the engine's
  // (the batch is not logged and the id not remembered), or the log's.
  absl::StatusOr<IngestAck> Ingest(absl::string_view batch_id,
                                   absl::Span<const ProbeResult> results);
  absl::StatusOr<IngestAck> IngestEvents(absl::string_view batch_id,
                                         absl::Span<const EventCount> events);

  // Makes the log durable (Sync), then writes snapshot-<LSN>.snap atomically
  // (a .tmp file, fsync, rename, fsync of the directory) with the state after
  // every record so far, deletes snapshot files beyond keep_snapshots and
  // the log segments before the oldest kept snapshot. Mutations wait only
  // while the state is copied in memory.
  absl::Status Snapshot();

  // Closes the log (flushing it unless kNone); later mutations and Snapshot
  // fail with FailedPrecondition. Queries keep working.
  absl::Status Close();

  // The configuration (the text of slakit.yaml: contracts, applications,
  // maintenance) kept with the data, in `dir`/slakit.yaml, written
  // atomically (a .tmp file, fsync, rename, fsync of the directory). The
  // store does not parse it; callers validate it first (sla/config.h).
  absl::Status SaveConfigText(absl::string_view text);
  // The saved text, or NotFound when none was saved.
  absl::StatusOr<std::string> LoadConfigText() const;

  const StoreRecovery& recovery() const { return recovery_; }
  const std::string& dir() const { return dir_; }
  // Batch ids currently remembered (including expired ones not yet pruned).
  size_t dedupe_size() const;
  // Batch ids forgotten within their dedupe horizon because the table held
  // dedupe_max_ids newer ones, since Open returned (what replay forgets
  // again is not counted: the process that logged it counted it).
  uint64_t dedupe_forgotten_early() const;
  // The log's counters since Open (appends, group commits, fdatasyncs, ...).
  LogStats log_stats() const;
  // Snapshots written since Open (explicit and background ones).
  uint64_t snapshots_taken() const;
  // The result of the last background snapshot (OK before the first).
  absl::Status background_snapshot_status() const;

 private:
  struct DedupeEntry {
    absl::Time arrival;
    std::string id;
  };

  Store(std::string dir, StoreOptions options, int lock_fd);

  // Appends a record; on failure marks the store failed.
  // `deferred`: the caller waits for the flush itself (LogWriter::
  // AppendDeferred), after releasing mu_.
  absl::StatusOr<uint64_t> AppendLocked(uint8_t type, absl::string_view payload,
                                        bool deferred = false)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Ingest and IngestEvents: the dedupe check, check(now) under mu_, the
  // record (encode) logged, apply() under mu_, the id remembered, and the
  // flush awaited outside mu_.
  absl::StatusOr<IngestAck> IngestBatch(
      absl::string_view batch_id, uint8_t type,
      absl::FunctionRef<absl::Status(absl::Time now)> check,
      absl::FunctionRef<void(absl::Time now, std::string* payload)> encode,
      absl::FunctionRef<absl::Status()> apply) ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status CheckEventsLocked(absl::Span<const EventCount> events,
                                 absl::Time now) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // After a record at `lsn` failed to apply: logs the rejection.
  void RejectLocked(uint64_t lsn) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status UsableLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Makes the store failed by the log's `log_error` unless it already is,
  // and returns the sticky error every caller gets from now on.
  absl::Status FailLocked(const absl::Status& log_error)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The dedupe table; `now` decides expiry.
  bool IsDuplicateLocked(absl::string_view id, absl::Time now) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Remembers `id`, then forgets the oldest ids beyond dedupe_max_ids.
  void RememberLocked(std::string id, absl::Time arrival)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Pops the oldest arrival-order entry, and its id from the map unless the
  // id was remembered again since; returns whether it was.
  bool ForgetOldestLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void PruneLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Applies one log record (open and replay).
  absl::Status Replay(uint64_t lsn, uint8_t type, absl::string_view payload)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status ApplyPending() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Recover() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The background snapshot thread (auto_snapshot_log_bytes > 0).
  void SnapshotLoop() ABSL_LOCKS_EXCLUDED(mu_);
  void StopSnapshotThread() ABSL_LOCKS_EXCLUDED(mu_);

  const std::string dir_;
  const StoreOptions options_;
  int lock_fd_ = -1;
  StoreRecovery recovery_;  // set by Open

  mutable absl::Mutex snapshot_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable absl::Mutex mu_;
  std::unique_ptr<Engine> engine_;  // replaced only during Open
  // Set by Open; closed by Close, destroyed only by the destructor, so the
  // pointer stays valid for calls that wait for a flush without mu_.
  std::unique_ptr<LogWriter> log_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  // Background snapshots: payload bytes logged since the last snapshot,
  // whether the thread was asked for one, and whether it must stop.
  uint64_t bytes_since_snapshot_ ABSL_GUARDED_BY(mu_) = 0;
  bool snapshot_wanted_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t snapshots_taken_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status background_status_ ABSL_GUARDED_BY(mu_);
  absl::Mutex thread_mu_ ABSL_ACQUIRED_BEFORE(snapshot_mu_);
  // Joined by Close and the destructor.
  std::thread snapshot_thread_ ABSL_GUARDED_BY(thread_mu_);
  // The LSN of the newest record this store appended (or recovered).
  uint64_t last_logged_lsn_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status failed_ ABSL_GUARDED_BY(mu_);  // sticky
  // The dedupe table: ids by arrival, and the newest arrival of each id
  // keyed by a view of that entry's string (a deque keeps its elements in
  // place as it grows and shrinks at its ends).
  std::deque<DedupeEntry> dedupe_order_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<absl::string_view, absl::Time> dedupe_
      ABSL_GUARDED_BY(mu_);
  uint64_t dedupe_forgotten_early_ ABSL_GUARDED_BY(mu_) = 0;
  bool recovering_ ABSL_GUARDED_BY(mu_) = false;  // within Open's Recover
  // Replay only: the last record read, applied once the next record shows
  // it was not rejected.
  uint64_t replay_next_lsn_ ABSL_GUARDED_BY(mu_) = 1;  // expected next
  uint64_t pending_lsn_ ABSL_GUARDED_BY(mu_) = 0;
  uint8_t pending_type_ ABSL_GUARDED_BY(mu_) = 0;
  std::string pending_payload_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sla::storage

#endif  // SLA_STORAGE_STORE_H_
