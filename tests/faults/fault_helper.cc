// tests/faults/fault_helper.cc: the child process of the fault tests. It
// opens a durable store (sla/storage/store.h), ingests the batches of
// fault_batches.h and reports every outcome on stdout, one line each, written
// with write(2) right after the call returned (so a parent reading the pipe
// has seen every acknowledgement the child got before it died):
//
//   fault_helper loop DIR FIRST COUNT SNAPSHOT_EVERY
//     ingests b<FIRST> .. b<FIRST+COUNT-1>, taking a snapshot after every
//     SNAPSHOT_EVERY batches; prints "ack I" or "dup I" per batch and
//     "snap" per snapshot written. Any error: "err ..." and exit status 3.
//
//   fault_helper sync DIR POLICY COUNT
//     POLICY "always" or "interval" (sync_interval 0: every group flushes).
//     Ingests b0 .. b<COUNT-1>, printing "ack I" or "err I CODE MESSAGE",
//     and goes on after an error; then "snapshot CODE MESSAGE" for a
//     Snapshot(), "read I GOOD TOTAL" for every minute with data, and
//     "close CODE MESSAGE". Exit status 0 once all of that was printed.
//
// Run under tests/faults/fail_sync.c (LD_PRELOAD) to inject faults. The
// engine's clock is a FakeClock at FaultNow(); the log's is the real clock.

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "sla/clock.h"
#include "sla/storage/store.h"
#include "tests/faults/fault_batches.h"

namespace sla::faults {
namespace {

void Say(const std::string& line) {
  const std::string text = line + "\n";
  // One write(2) per line: the parent never sees half a line from a child
  // that was killed.
  if (::write(1, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    std::_Exit(5);
}

std::string Describe(const absl::Status& s) {
  return absl::StrCat(absl::StatusCodeToString(s.code()), " ",
                      absl::StrReplaceAll(s.message(), {{"\n", " "}}));
}

int Usage() {
  std::fprintf(stderr,
               "usage: fault_helper loop DIR FIRST COUNT SNAPSHOT_EVERY\n"
               "       fault_helper sync DIR always|interval COUNT\n");
  return 2;
}

absl::StatusOr<SliId> HomeSli(storage::Store& store) {
  absl::StatusOr<SliId> id = store.engine().FindSli("web", "home");
  if (id.ok()) return id;
  return store.AddSli({"web", "home"});
}

// Opens the store in `dir` and finds (or declares) web/home; on failure
// says "err open ..." or "err sli ..." and returns false.
bool OpenWithHomeSli(const std::string& dir,
                     const storage::StoreOptions& options,
                     std::unique_ptr<storage::Store>* store, SliId* sli) {
  absl::StatusOr<std::unique_ptr<storage::Store>> opened =
      storage::Store::Open(dir, options);
  if (!opened.ok()) {
    Say(absl::StrCat("err open ", Describe(opened.status())));
    return false;
  }
  absl::StatusOr<SliId> id = HomeSli(**opened);
  if (!id.ok()) {
    Say(absl::StrCat("err sli ", Describe(id.status())));
    return false;
  }
  *store = *std::move(opened);
  *sli = *id;
  return true;
}

int Loop(const std::string& dir, int first, int count, int snapshot_every) {
  FakeClock clock(FaultNow());
  storage::StoreOptions options;
  options.engine.clock = &clock;
  options.auto_snapshot_log_bytes = 0;
  options.log.segment_bytes = 4096;  // segments come and go with snapshots
  std::unique_ptr<storage::Store> store;
  SliId sli;
  if (!OpenWithHomeSli(dir, options, &store, &sli)) return 3;
  for (int i = first; i < first + count; ++i) {
    absl::StatusOr<storage::IngestAck> ack =
        store->Ingest(BatchId(i), Batch(sli, i));
    if (!ack.ok()) {
      Say(absl::StrCat("err ", i, " ", Describe(ack.status())));
      return 3;
    }
    Say(absl::StrCat(ack->duplicate ? "dup " : "ack ", i));
    if ((i - first + 1) % snapshot_every == 0) {
      if (absl::Status s = store->Snapshot(); !s.ok()) {
        Say(absl::StrCat("err snapshot ", Describe(s)));
        return 3;
      }
      Say("snap");
    }
  }
  return 0;
}

int Sync(const std::string& dir, const std::string& policy, int count) {
  FakeClock clock(FaultNow());
  storage::StoreOptions options;
  options.engine.clock = &clock;
  options.auto_snapshot_log_bytes = 0;
  absl::StatusOr<storage::SyncPolicy> parsed = storage::ParseSyncPolicy(policy);
  if (!parsed.ok()) return Usage();
  options.log.sync = *parsed;
  options.log.sync_interval = absl::ZeroDuration();
  std::unique_ptr<storage::Store> store;
  SliId sli;
  if (!OpenWithHomeSli(dir, options, &store, &sli)) return 3;
  for (int i = 0; i < count; ++i) {
    absl::StatusOr<storage::IngestAck> ack =
        store->Ingest(BatchId(i), Batch(sli, i));
    Say(ack.ok() ? absl::StrCat("ack ", i)
                 : absl::StrCat("err ", i, " ", Describe(ack.status())));
  }
  Say(absl::StrCat("snapshot ", Describe(store->Snapshot())));
  const std::vector<Counts> minutes =
      MinuteCounts(store->engine(), sli, count + 1);
  for (size_t i = 0; i < minutes.size(); ++i) {
    if (minutes[i].total == 0) continue;
    Say(absl::StrCat("read ", i, " ", minutes[i].good, " ", minutes[i].total));
  }
  Say(absl::StrCat("close ", Describe(store->Close())));
  return 0;
}

}  // namespace
}  // namespace sla::faults

int main(int argc, char** argv) {
  if (argc < 2) return sla::faults::Usage();
  const std::string mode = argv[1];
  int a = 0, b = 0, c = 0;
  if (mode == "loop" && argc == 6 && absl::SimpleAtoi(argv[3], &a) &&
      absl::SimpleAtoi(argv[4], &b) && absl::SimpleAtoi(argv[5], &c) && c > 0) {
    return sla::faults::Loop(argv[2], a, b, c);
  }
  if (mode == "sync" && argc == 5 && absl::SimpleAtoi(argv[4], &a)) {
    return sla::faults::Sync(argv[2], argv[3], a);
  }
  return sla::faults::Usage();
}
