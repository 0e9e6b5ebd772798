// bindings/grpc/audit_log.h: the remediation audit of `slakit serve`, kept
// in the data directory so that it survives restarts: one JSON object per
// line (sla::AuditRecordToJson), appended and flushed (fdatasync) before
// Append returns, read back by Open.
//
//   auto log = sla::server::AuditLog::Open(data_dir + "/remediation.jsonl");
//   if (!log.ok()) return log.status();
//   (*log)->Append(record);                 // durable when it returns OK
//   std::vector<sla::AuditRecord> all = (*log)->Records();
//
// A torn last line (a crash mid-write) is ignored on Open and reported in
// dropped_lines(); any other unreadable line is DataLoss naming its number.
// Thread-safe. Only this process appends while it is open (the store's
// directory lock covers the data directory).

#ifndef BINDINGS_GRPC_AUDIT_LOG_H_
#define BINDINGS_GRPC_AUDIT_LOG_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "sla/remediation.h"

namespace sla::server {

// Parses one line written by sla::AuditRecordToJson. InvalidArgument
// naming what is wrong.
absl::StatusOr<AuditRecord> ParseAuditRecordJson(absl::string_view line);

class AuditLog {
 public:
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(std::string path);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends and flushes one record; errors name the file.
  absl::Status Append(const AuditRecord& record);
  // Every record, in file order (bounded only by the file).
  std::vector<AuditRecord> Records() const;
  int dropped_lines() const { return dropped_lines_; }

 private:
  AuditLog(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

  const std::string path_;
  const int fd_;
  int dropped_lines_ = 0;
  mutable absl::Mutex mu_;
  std::vector<AuditRecord> records_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sla::server

#endif  // BINDINGS_GRPC_AUDIT_LOG_H_
