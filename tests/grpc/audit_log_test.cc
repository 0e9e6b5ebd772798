#include "bindings/grpc/audit_log.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/remove_at_exit.h"

namespace sla::server {
namespace {

using ::testing::HasSubstr;

std::string TempPath(const std::string& name) {
  const std::string p = absl::StrCat(::testing::TempDir(), "/audit_", name, "_",
                                     ::getpid(), ".jsonl");
  std::filesystem::remove(p);
  slakit_testing::RemoveAtExit(p);
  return p;
}

AuditRecord Example(int64_t seq) {
  AuditRecord r;
  r.seq = seq;
  r.at = absl::FromUnixSeconds(1710072000) + absl::Milliseconds(250);
  r.service = "web \"eu\"";
  r.objective = "availability";
  r.severity = "page";
  r.action = "/usr/bin/restart\tweb";
  r.alert_to = AlertState::kFiring;
  r.decision = seq % 2 == 1 ? "run" : "finished";
  r.reason = "line\nbreak";
  if (seq % 2 == 0) {
    r.started = r.at - absl::Seconds(4);
    r.finished = r.at;
    r.result = absl::UnavailableError("exit 3: disk full");
  }
  return r;
}

void ExpectSame(const AuditRecord& a, const AuditRecord& b) {
  EXPECT_EQ(a.seq, b.seq);
  EXPECT_EQ(a.at, b.at);
  EXPECT_EQ(a.service, b.service);
  EXPECT_EQ(a.objective, b.objective);
  EXPECT_EQ(a.severity, b.severity);
  EXPECT_EQ(a.action, b.action);
  EXPECT_EQ(a.alert_to, b.alert_to);
  EXPECT_EQ(a.decision, b.decision);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.started, b.started);
  EXPECT_EQ(a.finished, b.finished);
  EXPECT_EQ(a.result, b.result);
}

TEST(AuditLogTest, JsonRoundTrip) {
  for (int64_t seq : {1, 2}) {
    const AuditRecord r = Example(seq);
    absl::StatusOr<AuditRecord> back =
        ParseAuditRecordJson(AuditRecordToJson(r));
    ASSERT_TRUE(back.ok()) << back.status() << "\n" << AuditRecordToJson(r);
    ExpectSame(*back, r);
  }
  EXPECT_TRUE(absl::IsInvalidArgument(ParseAuditRecordJson("{").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(ParseAuditRecordJson("[]").status()));
  EXPECT_THAT(ParseAuditRecordJson(R"({"seq":1})").status().message(),
              HasSubstr("at: missing"));
}

TEST(AuditLogTest, AppendsSurviveReopenAndATornLineIsDropped) {
  const std::string path = TempPath("reopen");
  {
    auto log = AuditLog::Open(path);
    ASSERT_TRUE(log.ok()) << log.status();
    EXPECT_TRUE((*log)->Records().empty());
    ASSERT_TRUE((*log)->Append(Example(1)).ok());
    ASSERT_TRUE((*log)->Append(Example(2)).ok());
  }
  // A crash in the middle of the third line.
  {
    std::ofstream out(path, std::ios::app);
    out << R"({"seq":3,"at":"2024-)";
  }
  auto log = AuditLog::Open(path);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ((*log)->dropped_lines(), 1);
  ASSERT_EQ((*log)->Records().size(), 2u);
  ExpectSame((*log)->Records()[1], Example(2));
  // Appending goes on after the cut, on a line of its own.
  ASSERT_TRUE((*log)->Append(Example(3)).ok());
  log->reset();
  log = AuditLog::Open(path);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ((*log)->dropped_lines(), 0);
  ASSERT_EQ((*log)->Records().size(), 3u);
  ExpectSame((*log)->Records()[2], Example(3));
}

TEST(AuditLogTest, DamageBeforeTheLastLineIsDataLoss) {
  const std::string path = TempPath("damage");
  {
    std::ofstream out(path);
    out << AuditRecordToJson(Example(1)) << "\nnot json\n"
        << AuditRecordToJson(Example(2)) << "\n";
  }
  absl::StatusOr<std::unique_ptr<AuditLog>> log = AuditLog::Open(path);
  ASSERT_FALSE(log.ok());
  EXPECT_TRUE(absl::IsDataLoss(log.status()));
  EXPECT_THAT(log.status().message(), HasSubstr(absl::StrCat(path, ":2:")));
}

}  // namespace
}  // namespace sla::server
