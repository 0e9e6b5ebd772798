// In-process `slakit serve` on 127.0.0.1:0: every RPC of sla.v1.SlaService,
// health, tenants, limits, TLS, restart. Time is a FakeClock: records are
// stamped relative to kNow and alert evaluations are driven by the test.

#include "bindings/grpc/server.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "bindings/grpc/auth.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "gtest/gtest.h"
#include "sla/clock.h"
#include "sla/v1/sla_service.grpc.pb.h"
#include "tests/testing/remove_at_exit.h"

namespace sla::server {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1710072000);  // 2024-03-10T12Z

constexpr char kConfig[] = R"(services:
  - name: web
    tenant: a
    contract: {target: 99.9, period: month}
    objectives:
      - {name: availability, target: 99, window: 30d, alerting: true}
  - name: sql
    tenant: a
    owner: provider
    contract: {target: 99.99, period: month}
  - name: hub
    tenant: b
    objectives:
      - {name: availability, target: 99.9, window: 30d}
applications:
  - {name: shop, components: {all_of: [web, sql]}}
)";

std::string NewDir(absl::string_view name) {
  static int counter = 0;
  const std::string dir = absl::StrCat(::testing::TempDir(), "/server_test_",
                                       name, "_", ::getpid(), "_", counter++);
  fs::remove_all(dir);
  fs::create_directories(dir);
  slakit_testing::RemoveAtExit(dir);
  return dir;
}

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  out->set_seconds(absl::ToUnixSeconds(t));
  out->set_nanos(0);
}

v1::ProbeRecord Record(const std::string& service, const std::string& probe,
                       absl::Time t, bool ok, double latency = 12) {
  v1::ProbeRecord r;
  r.set_service(service);
  r.set_probe(probe);
  SetTime(t, r.mutable_time());
  r.set_ok(ok);
  r.set_latency_ms(latency);
  return r;
}

// A batch of one record per minute over [kNow - minutes, kNow); minute i
// (0 = oldest) is ok unless bad(i).
template <typename Bad>
v1::IngestRequest Minutes(const std::string& id, const std::string& service,
                          const std::string& probe, int minutes, Bad bad) {
  v1::IngestRequest req;
  req.set_batch_id(id);
  for (int i = 0; i < minutes; ++i) {
    *req.add_records() =
        Record(service, probe, kNow - absl::Minutes(minutes - i), !bad(i));
  }
  return req;
}

struct Tokens {
  std::string path;
  std::string a_rw;     // tenant a: ingest, read
  std::string b_read;   // tenant b: read
  std::string admin;    // every tenant: admin, read, ingest
  std::string a_admin;  // tenant a: admin only
};

Tokens WriteTokens(const std::string& dir) {
  Tokens t;
  t.path = dir + "/tokens";
  std::ofstream out(t.path);
  out << "# test tokens\n";
  auto add = [&](std::string* token, Principal p) {
    *token = NewToken().value();
    out << TokenLine(HashToken(*token), p) << "\n";
  };
  add(&t.a_rw, {"alice", {"a"}, false, {Role::kIngest, Role::kRead}});
  add(&t.b_read, {"bob", {"b"}, false, {Role::kRead}});
  add(&t.admin, {"ops", {}, true, {Role::kAdmin, Role::kRead, Role::kIngest}});
  add(&t.a_admin, {"carol", {"a"}, false, {Role::kAdmin}});
  return t;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = NewDir("srv"); }
  void TearDown() override {
    if (server_ != nullptr) {
      EXPECT_TRUE(server_->Shutdown(absl::Seconds(5)).ok());
    }
  }

  ServerOptions Options() {
    ServerOptions o;
    o.backend.data_dir = dir_ + "/data";
    o.backend.config_text = kConfig;
    o.backend.alert_interval = absl::ZeroDuration();  // the test drives it
    o.backend.clock = &clock_;
    o.backend.max_batch_records = 1000;
    o.listen = "127.0.0.1:0";
    o.max_message_bytes = 1 << 20;
    o.log = [this](const std::string& line) {
      absl::MutexLock lock(&log_mu_);
      log_.push_back(line);
    };
    return o;
  }

  void StartServer(ServerOptions o) {
    absl::StatusOr<std::unique_ptr<Server>> s = Server::Start(std::move(o));
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = *std::move(s);
    ASSERT_TRUE(server_->WaitUntilReady(absl::Seconds(30)).ok());
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::SlaService::NewStub(channel_);
  }

  std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token = "") {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(20));
    if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
    return ctx;
  }

  grpc::Status Ingest(const v1::IngestRequest& req,
                      v1::IngestResponse* resp = nullptr,
                      const std::string& token = "") {
    v1::IngestResponse ignored;
    return stub_->Ingest(Ctx(token).get(), req, resp ? resp : &ignored);
  }

  v1::GetStatusResponse Status(const std::string& service = "",
                               const std::string& token = "") {
    v1::GetStatusRequest req;
    req.set_service(service);
    SetTime(kNow, req.mutable_at());
    v1::GetStatusResponse resp;
    grpc::Status s = stub_->GetStatus(Ctx(token).get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  std::vector<std::string> Log() {
    absl::MutexLock lock(&log_mu_);
    return log_;
  }

  FakeClock clock_{kNow};
  std::string dir_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::SlaService::Stub> stub_;
  absl::Mutex log_mu_;
  std::vector<std::string> log_;
};

// ---------------------------------------------------------------- ingest

TEST_F(ServerTest, IngestThenStatusGivesExactCounts) {
  StartServer(Options());
  v1::IngestResponse resp;
  // 60 minutes of web/home, minutes 0, 10, ..., 50 bad: 54 good of 60.
  ASSERT_TRUE(Ingest(Minutes("b1", "web", "home", 60,
                             [](int i) { return i % 10 == 0; }),
                     &resp)
                  .ok());
  EXPECT_FALSE(resp.duplicate());
  EXPECT_GT(resp.lsn(), 0u);
  EXPECT_EQ(resp.records(), 60u);
  // The same id again: acknowledged, not counted twice.
  ASSERT_TRUE(Ingest(Minutes("b1", "web", "home", 60,
                             [](int i) { return i % 10 == 0; }),
                     &resp)
                  .ok());
  EXPECT_TRUE(resp.duplicate());

  v1::GetStatusResponse st = Status("web");
  ASSERT_EQ(st.services_size(), 1);
  const v1::ServiceStatus& web = st.services(0);
  EXPECT_EQ(web.name(), "web");
  EXPECT_EQ(web.tenant(), "a");
  ASSERT_EQ(web.availability_size(), 4);
  EXPECT_EQ(web.availability(0).window(), "1h");
  EXPECT_EQ(web.availability(0).good(), 54);
  EXPECT_EQ(web.availability(0).total(), 60);
  EXPECT_DOUBLE_EQ(web.availability(0).availability(), 0.9);
  EXPECT_EQ(web.availability(0).to().seconds(), absl::ToUnixSeconds(kNow));
  EXPECT_EQ(web.availability(3).window(), "30d");
  EXPECT_EQ(web.availability(3).total(), 60);
  ASSERT_EQ(web.objectives_size(), 1);
  const v1::ObjectiveStatus& o = web.objectives(0);
  EXPECT_EQ(o.name(), "availability");
  EXPECT_EQ(o.good(), 54);
  EXPECT_EQ(o.total(), 60);
  EXPECT_EQ(o.bad(), 6);
  EXPECT_DOUBLE_EQ(o.allowed_bad(), 0.6);      // 1 % of 60
  EXPECT_DOUBLE_EQ(o.budget_remaining(), -9);  // 1 - 6 / 0.6
  ASSERT_EQ(o.burn_rates_size(), 7);
  EXPECT_EQ(o.burn_rates(2).window().seconds(), 3600);
  EXPECT_DOUBLE_EQ(o.burn_rates(2).rate(), 10);  // (6/60) / 0.01
  EXPECT_EQ(o.burn_rates(0).total(), 5);         // the last 5 minutes
  EXPECT_EQ(o.burn_rates(0).good(), 5);

  v1::QueryAvailabilityRequest q;
  q.set_selector("web/home");
  q.set_window("30m");
  SetTime(kNow, q.mutable_at());
  v1::QueryAvailabilityResponse qa;
  ASSERT_TRUE(stub_->QueryAvailability(Ctx().get(), q, &qa).ok());
  EXPECT_EQ(qa.total(), 30);
  EXPECT_EQ(qa.good(), 27);  // minutes 30, 40, 50 bad
  EXPECT_TRUE(qa.has_data());
  q.set_selector("web");
  q.set_window("day");  // the calendar day of kNow in UTC, to kNow
  ASSERT_TRUE(stub_->QueryAvailability(Ctx().get(), q, &qa).ok());
  EXPECT_EQ(qa.from().seconds(), absl::ToUnixSeconds(kNow - absl::Hours(12)));
  EXPECT_EQ(qa.total(), 60);
  q.set_selector("web/nope");
  EXPECT_EQ(stub_->QueryAvailability(Ctx().get(), q, &qa).error_code(),
            grpc::StatusCode::NOT_FOUND);
  q.set_selector("web");
  q.set_window("fortnight");
  grpc::Status bad = stub_->QueryAvailability(Ctx().get(), q, &qa);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad.error_message(), HasSubstr("window"));
}

TEST_F(ServerTest, BadRecordRejectsItsWholeBatchNamingIndexAndField) {
  StartServer(Options());
  v1::IngestRequest req =
      Minutes("b1", "web", "home", 10, [](int) { return false; });
  req.mutable_records(7)->set_latency_ms(-1);
  grpc::Status s = Ingest(req);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("record 7: latency_ms"));

  req = Minutes("b2", "web", "home", 10, [](int) { return false; });
  req.mutable_records(3)->clear_time();
  s = Ingest(req);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("record 3: time: missing"));

  req = Minutes("b3", "web", "home", 10, [](int) { return false; });
  req.mutable_records(9)->set_service("nope");
  s = Ingest(req);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("record 9: service: 'nope'"));

  // In the future (the clock says kNow; tolerance 5 minutes).
  req = Minutes("b4", "web", "home", 10, [](int) { return false; });
  SetTime(kNow + absl::Hours(1), req.mutable_records(5)->mutable_time());
  s = Ingest(req);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("record 5"));

  // Nothing of any of them was applied.
  EXPECT_EQ(Status("web").services(0).availability(0).total(), 0);
  // And a good batch still goes in.
  ASSERT_TRUE(
      Ingest(Minutes("b5", "web", "home", 10, [](int) { return false; })).ok());
  EXPECT_EQ(Status("web").services(0).availability(0).total(), 10);
}

TEST_F(ServerTest, LimitsAnswerResourceExhaustedNamingTheLimit) {
  StartServer(Options());
  grpc::Status s =
      Ingest(Minutes("big", "web", "home", 1001, [](int) { return false; }));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("max_batch_records = 1000"));
  // Over max_message_bytes (1 MiB): gRPC refuses it before the handler.
  v1::IngestRequest huge;
  huge.set_batch_id(std::string(1024, 'x'));
  *huge.add_records() = Record("web", std::string(2 << 20, 'p'), kNow, true);
  s = Ingest(huge);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("larger than max"));
}

TEST_F(ServerTest, QueriesOverThePerCallLimitAreDeadlineExceeded) {
  ServerOptions o = Options();
  o.max_call = absl::Nanoseconds(1);  // every query takes longer
  StartServer(o);
  v1::GetReportRequest req;
  req.set_month("2024-03");
  v1::GetReportResponse resp;
  grpc::Status s = stub_->GetReport(Ctx().get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_THAT(s.error_message(), HasSubstr("max_call = 1ns"));
  v1::GetStatusResponse st;
  EXPECT_EQ(
      stub_->GetStatus(Ctx().get(), v1::GetStatusRequest(), &st).error_code(),
      grpc::StatusCode::DEADLINE_EXCEEDED);
  // Ingest is not a query: no limit.
  EXPECT_TRUE(
      Ingest(Minutes("b", "web", "home", 3, [](int) { return false; })).ok());
}

TEST_F(ServerTest, IngestStreamAcknowledgesEachBatchAndStopsAtABadOne) {
  StartServer(Options());
  auto ctx = Ctx();
  auto stream = stub_->IngestStream(ctx.get());
  for (int b = 0; b < 3; ++b) {
    v1::IngestRequest req;
    req.set_batch_id(absl::StrCat("s", b));
    for (int i = 0; i < 10; ++i) {
      *req.add_records() =
          Record("web", "home", kNow - absl::Minutes(30 - b * 10 - i), true);
    }
    ASSERT_TRUE(stream->Write(req));
    v1::IngestResponse ack;
    ASSERT_TRUE(stream->Read(&ack));
    EXPECT_EQ(ack.batch_id(), absl::StrCat("s", b));
    EXPECT_FALSE(ack.duplicate());
    EXPECT_EQ(ack.records(), 10u);
  }
  v1::IngestRequest bad;
  bad.set_batch_id("s3");
  *bad.add_records() = Record("web", "", kNow - absl::Minutes(1), true);
  ASSERT_TRUE(stream->Write(bad));
  v1::IngestResponse ack;
  EXPECT_FALSE(stream->Read(&ack));
  stream->WritesDone();
  grpc::Status s = stream->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("batch 3 ('s3'): record 0: probe"));
  EXPECT_EQ(Status("web").services(0).availability(0).total(), 30);
}

TEST_F(ServerTest, CancelledStreamEndsOnTheServer) {
  StartServer(Options());
  grpc::ClientContext ctx;
  auto stream = stub_->IngestStream(&ctx);
  ASSERT_TRUE(stream->Write(
      Minutes("c1", "web", "home", 5, [](int) { return false; })));
  v1::IngestResponse ack;
  ASSERT_TRUE(stream->Read(&ack));
  ctx.TryCancel();
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
  // The acknowledged batch stays; the server is still healthy.
  EXPECT_EQ(Status("web").services(0).availability(0).total(), 5);
}

// An agent keeps its stream open between batches. At a stop, a stream
// waiting for its next batch is cancelled at once instead of holding the
// stop for the whole grace period (60 s here; it used to take all of it),
// and what it sent before stays.
TEST_F(ServerTest, IdleIngestStreamDoesNotHoldTheStop) {
  StartServer(Options());
  grpc::ClientContext ctx;
  auto stream = stub_->IngestStream(&ctx);
  ASSERT_TRUE(stream->Write(
      Minutes("idle1", "web", "home", 5, [](int) { return true; })));
  v1::IngestResponse ack;
  ASSERT_TRUE(stream->Read(&ack));
  EXPECT_EQ(ack.records(), 5u);
  EXPECT_EQ(Status("web").services(0).availability(0).total(), 5);

  const absl::Time start = absl::Now();
  ASSERT_TRUE(server_->Shutdown(absl::Seconds(60)).ok());
  const absl::Duration took = absl::Now() - start;
  EXPECT_LT(took, absl::Seconds(30)) << "the stop waited for the idle stream";
  EXPECT_FALSE(stream->Read(&ack));
  // CANCELLED when the stop found it reading (the usual case); UNAVAILABLE
  // "shutting down" when it came between the ack and the next read.
  const grpc::Status end = stream->Finish();
  EXPECT_THAT(end.error_code(), ::testing::AnyOf(grpc::StatusCode::CANCELLED,
                                                 grpc::StatusCode::UNAVAILABLE))
      << end.error_message();
  const std::vector<std::string> log = Log();
  ASSERT_FALSE(log.empty());
  EXPECT_THAT(log.back(), HasSubstr("stopped (log flushed, snapshot written)"));
}

// ---------------------------------------------------------------- config

TEST_F(ServerTest, ApplyAndGetConfig) {
  StartServer(Options());
  v1::GetConfigResponse got;
  ASSERT_TRUE(stub_->GetConfig(Ctx().get(), v1::GetConfigRequest(), &got).ok());
  EXPECT_EQ(got.yaml(), kConfig);

  v1::ApplyConfigRequest req;
  req.set_yaml("services:\n  - {name: web, tenant: a}\n  - {name: api}\n");
  req.set_dry_run(true);
  v1::ApplyConfigResponse resp;
  ASSERT_TRUE(stub_->ApplyConfig(Ctx().get(), req, &resp).ok());
  EXPECT_THAT(resp.services(), ::testing::ElementsAre("web", "api"));
  ASSERT_TRUE(stub_->GetConfig(Ctx().get(), v1::GetConfigRequest(), &got).ok());
  EXPECT_EQ(got.yaml(), kConfig);  // dry run: unchanged

  req.set_dry_run(false);
  ASSERT_TRUE(stub_->ApplyConfig(Ctx().get(), req, &resp).ok());
  ASSERT_TRUE(stub_->GetConfig(Ctx().get(), v1::GetConfigRequest(), &got).ok());
  EXPECT_EQ(got.yaml(), req.yaml());
  // A service of the new configuration takes data at once.
  EXPECT_TRUE(Ingest(Minutes("api1", "api", "ping", 3, [](int) {
                return false;
              })).ok());

  req.set_yaml("services:\n  - {name: web, colour: blue}\n");
  grpc::Status s = stub_->ApplyConfig(Ctx().get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr(":2:"));
  EXPECT_THAT(s.error_message(), HasSubstr("colour"));
}

// ---------------------------------------------------------------- tenants

TEST_F(ServerTest, TenantIsolationMatrix) {
  const Tokens t = WriteTokens(dir_);
  ServerOptions o = Options();
  o.tokens_file = t.path;
  StartServer(o);

  // Ingest: a's token feeds a's services only; b's service looks absent.
  EXPECT_TRUE(Ingest(Minutes("a1", "web", "home", 5, [](int) { return false; }),
                     nullptr, t.a_rw)
                  .ok());
  grpc::Status s =
      Ingest(Minutes("a2", "hub", "ping", 5, [](int) { return false; }),
             nullptr, t.a_rw);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("'hub' not found"));
  EXPECT_THAT(s.error_message(), ::testing::Not(HasSubstr("tenant")));
  // Same message as a service that does not exist at all.
  grpc::Status absent =
      Ingest(Minutes("a3", "nowhere", "ping", 5, [](int) { return false; }),
             nullptr, t.a_rw);
  EXPECT_EQ(absent.error_code(), grpc::StatusCode::NOT_FOUND);
  // b may read but not ingest, even its own services.
  s = Ingest(Minutes("b1", "hub", "ping", 5, [](int) { return false; }),
             nullptr, t.b_read);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Ingest(Minutes("o1", "hub", "ping", 5, [](int) { return false; }),
                     nullptr, t.admin)
                  .ok());
  // No token, a wrong token.
  EXPECT_EQ(Ingest(Minutes("x", "web", "home", 1, [](int) { return false; }))
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Ingest(Minutes("x", "web", "home", 1, [](int) { return false; }),
                   nullptr, "slk_wrong")
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  // GetStatus lists only the caller's services.
  v1::GetStatusResponse st = Status("", t.a_rw);
  ASSERT_EQ(st.services_size(), 2);
  EXPECT_EQ(st.services(0).name(), "web");
  EXPECT_EQ(st.services(1).name(), "sql");
  st = Status("", t.b_read);
  ASSERT_EQ(st.services_size(), 1);
  EXPECT_EQ(st.services(0).name(), "hub");
  EXPECT_EQ(st.services(0).availability(0).total(), 5);
  EXPECT_EQ(Status("", t.admin).services_size(), 3);

  // Every read RPC naming b's service from a's token: NOT_FOUND.
  v1::GetStatusRequest sreq;
  sreq.set_service("hub");
  v1::GetStatusResponse sresp;
  EXPECT_EQ(stub_->GetStatus(Ctx(t.a_rw).get(), sreq, &sresp).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::QueryAvailabilityRequest q;
  q.set_selector("hub/ping");
  q.set_window("1h");
  v1::QueryAvailabilityResponse qa;
  EXPECT_EQ(stub_->QueryAvailability(Ctx(t.a_rw).get(), q, &qa).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(stub_->QueryAvailability(Ctx(t.b_read).get(), q, &qa).ok());
  v1::GetCompositeRequest c;
  c.set_application("shop");
  v1::GetCompositeResponse cr;
  EXPECT_EQ(stub_->GetComposite(Ctx(t.b_read).get(), c, &cr).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::ListAlertsRequest la;
  la.set_service("web");
  v1::ListAlertsResponse lr;
  EXPECT_EQ(stub_->ListAlerts(Ctx(t.b_read).get(), la, &lr).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // The report holds only the caller's services.
  v1::GetReportRequest rr;
  rr.set_month("2024-03");
  v1::GetReportResponse rep;
  ASSERT_TRUE(stub_->GetReport(Ctx(t.b_read).get(), rr, &rep).ok());
  EXPECT_THAT(rep.content(), HasSubstr("\"hub\""));
  EXPECT_THAT(rep.content(), ::testing::Not(HasSubstr("\"web\"")));
  EXPECT_THAT(rep.content(), ::testing::Not(HasSubstr("\"shop\"")));

  // Configuration: admin of every tenant only.
  v1::GetConfigResponse gc;
  EXPECT_EQ(stub_->GetConfig(Ctx(t.a_admin).get(), v1::GetConfigRequest(), &gc)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_->GetConfig(Ctx(t.a_rw).get(), v1::GetConfigRequest(), &gc)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(
      stub_->GetConfig(Ctx(t.admin).get(), v1::GetConfigRequest(), &gc).ok());
  // A token without the read role reads nothing.
  v1::GetStatusResponse none;
  EXPECT_EQ(
      stub_->GetStatus(Ctx(t.a_admin).get(), v1::GetStatusRequest(), &none)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ServerTest, BatchIdsBelongToTheirTenant) {
  const Tokens t = WriteTokens(dir_);
  ServerOptions o = Options();
  o.tokens_file = t.path;
  StartServer(o);
  // Tenant a uses "same" first: tenant b's batch of that id is its own.
  v1::IngestResponse resp;
  ASSERT_TRUE(
      Ingest(Minutes("same", "web", "home", 5, [](int) { return false; }),
             &resp, t.a_rw)
          .ok());
  EXPECT_EQ(resp.lsn(), 0u);  // a tenant token learns nothing of the log
  ASSERT_TRUE(
      Ingest(Minutes("same", "hub", "ping", 7, [](int) { return false; }),
             &resp, t.admin)
          .ok());
  EXPECT_FALSE(resp.duplicate());
  EXPECT_GT(resp.lsn(), 0u);  // the operator does
  EXPECT_EQ(Status("hub", t.admin).services(0).availability(0).total(), 7);
  // Within a tenant the id still deduplicates.
  ASSERT_TRUE(
      Ingest(Minutes("same", "web", "home", 5, [](int) { return false; }),
             &resp, t.a_rw)
          .ok());
  EXPECT_TRUE(resp.duplicate());
  // One batch, one tenant.
  v1::IngestRequest mixed =
      Minutes("mixed", "web", "home", 2, [](int) { return false; });
  *mixed.add_records() = Record("hub", "ping", kNow - absl::Minutes(1), true);
  grpc::Status s = Ingest(mixed, nullptr, t.admin);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("record 2: service: 'hub'"));
}

TEST_F(ServerTest, ChangedObjectiveResolvesItsOldAlerts) {
  StartServer(Options());
  grpc::ClientContext watch_ctx;
  auto watch = stub_->WatchAlerts(&watch_ctx, v1::WatchAlertsRequest());
  ASSERT_TRUE(Ingest(Minutes("o", "web", "home", 60, [](int i) {
                return i % 2 == 1;
              })).ok());
  absl::SleepFor(absl::Milliseconds(300));  // the watch subscribes
  Backend* backend = server_->backend();
  ASSERT_TRUE(backend->EvaluateAlerts(kNow).ok());
  v1::AlertEvent e;
  ASSERT_TRUE(watch->Read(&e));
  ASSERT_TRUE(watch->Read(&e));
  // A new target: a new definition. The old alerts resolve; the new one
  // fires afresh at the same instant.
  std::string config = kConfig;
  config.replace(config.find("target: 99,"), 11, "target: 98,");
  v1::ApplyConfigRequest req;
  req.set_yaml(config);
  v1::ApplyConfigResponse applied;
  ASSERT_TRUE(stub_->ApplyConfig(Ctx().get(), req, &applied).ok());
  ASSERT_TRUE(backend->EvaluateAlerts(kNow + absl::Minutes(1)).ok());
  std::vector<v1::AlertEvent> events;
  while (events.size() < 4 && watch->Read(&e)) events.push_back(e);
  ASSERT_EQ(events.size(), 4u);
  int resolved = 0, fired = 0;
  for (const v1::AlertEvent& ev : events) {
    if (ev.alert().state() == v1::ALERT_STATE_RESOLVED) ++resolved;
    if (ev.alert().state() == v1::ALERT_STATE_FIRING) ++fired;
  }
  EXPECT_EQ(resolved, 2);
  EXPECT_EQ(fired, 2);
  v1::ListAlertsResponse list;
  ASSERT_TRUE(
      stub_->ListAlerts(Ctx().get(), v1::ListAlertsRequest(), &list).ok());
  EXPECT_EQ(list.alerts_size(), 2);  // the new ones only
  watch_ctx.TryCancel();
  watch->Finish().IgnoreError();
}

TEST_F(ServerTest, ObjectiveOfAProbeNotReportedYetHasNoData) {
  ServerOptions o = Options();
  o.backend.config_text = R"(services:
  - name: web
    objectives:
      - {name: checkout, target: 99, slis: [checkout]}
      - {name: availability, target: 99}
)";
  StartServer(o);
  ASSERT_TRUE(
      Ingest(Minutes("h", "web", "home", 5, [](int) { return false; })).ok());
  v1::GetStatusResponse st = Status();
  ASSERT_EQ(st.services(0).objectives_size(), 2);
  EXPECT_FALSE(st.services(0).objectives(0).has_data());
  EXPECT_EQ(st.services(0).objectives(1).total(), 5);
}

TEST_F(ServerTest, ApplicationsAreNotServicesInQueries) {
  StartServer(Options());
  v1::QueryAvailabilityRequest q;
  q.set_selector("shop");
  v1::QueryAvailabilityResponse qa;
  EXPECT_EQ(stub_->QueryAvailability(Ctx().get(), q, &qa).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // Its objectives alert, though: ListAlerts takes an application.
  v1::ListAlertsRequest la;
  la.set_service("shop");
  v1::ListAlertsResponse lr;
  EXPECT_TRUE(stub_->ListAlerts(Ctx().get(), la, &lr).ok());
  EXPECT_EQ(lr.alerts_size(), 0);
}

TEST_F(ServerTest, WithoutTokensOnlyLoopbackIsAllowed) {
  ServerOptions o = Options();
  o.listen = "0.0.0.0:0";
  absl::StatusOr<std::unique_ptr<Server>> s = Server::Start(o);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(s.status()));
  EXPECT_THAT(s.status().message(), HasSubstr("not a loopback address"));
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1:7070"));
  EXPECT_TRUE(IsLoopbackAddress("[::1]:7070"));
  EXPECT_TRUE(IsLoopbackAddress("localhost:1"));
  EXPECT_FALSE(IsLoopbackAddress("10.0.0.1:7070"));
  EXPECT_FALSE(IsLoopbackAddress("[::]:7070"));
  // /metrics names every tenant: loopback only.
  o = Options();
  o.metrics_listen = "0.0.0.0:0";
  s = Server::Start(o);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("--metrics-listen"));
}

// ---------------------------------------------------------------- composite

TEST_F(ServerTest, CompositeAttributesDowntime) {
  StartServer(Options());
  // 60 minutes: web down in minutes 10-14, sql down in 12-19.
  ASSERT_TRUE(Ingest(Minutes("w", "web", "home", 60, [](int i) {
                return i >= 10 && i < 15;
              })).ok());
  ASSERT_TRUE(Ingest(Minutes("s", "sql", "conn", 60, [](int i) {
                return i >= 12 && i < 20;
              })).ok());
  v1::GetCompositeRequest req;
  req.set_application("shop");
  req.set_window("1h");
  SetTime(kNow, req.mutable_at());
  v1::GetCompositeResponse resp;
  grpc::Status s = stub_->GetComposite(Ctx().get(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.expression(), "all_of(web, sql)");
  EXPECT_EQ(resp.counted_minutes(), 60);
  EXPECT_EQ(resp.up_minutes(), 50);  // down 10..19
  EXPECT_DOUBLE_EQ(resp.availability(), 50.0 / 60);
  EXPECT_DOUBLE_EQ(resp.theoretical_availability(), 0.999 * 0.9999);
  ASSERT_EQ(resp.components_size(), 2);
  EXPECT_EQ(resp.components(0).service(), "sql");
  EXPECT_EQ(resp.components(0).owner(), "provider");
  EXPECT_EQ(resp.components(0).down_minutes(), 8);
  EXPECT_EQ(resp.components(1).service(), "web");
  EXPECT_EQ(resp.components(1).down_minutes(), 5);
  // 10, 11: web alone; 12-14: both (mixed owners); 15-19: sql alone.
  EXPECT_EQ(resp.down_minutes_by_owner().at("application"), 2);
  EXPECT_EQ(resp.down_minutes_by_owner().at("provider"), 5);
  EXPECT_EQ(resp.down_minutes_by_owner().at("both"), 3);
  req.set_application("web");
  EXPECT_EQ(stub_->GetComposite(Ctx().get(), req, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// ---------------------------------------------------------------- alerts

TEST_F(ServerTest, AlertsAreListedAndWatched) {
  StartServer(Options());
  // Watch first: nothing active yet.
  grpc::ClientContext watch_ctx;
  std::unique_ptr<grpc::ClientReader<v1::AlertEvent>> watch =
      stub_->WatchAlerts(&watch_ctx, v1::WatchAlertsRequest());
  // Half of the last hour's probes fail: every tier's burn rate is 50 or
  // 60 (5m: 3 bad of 5), far above 14.4.
  ASSERT_TRUE(Ingest(Minutes("o", "web", "home", 60, [](int i) {
                return i % 2 == 1;
              })).ok());
  // Subscribed before the evaluation? The watch registers on its first
  // read; give the server a moment, then evaluate.
  absl::SleepFor(absl::Milliseconds(300));
  Backend* backend = server_->backend();
  ASSERT_NE(backend, nullptr);
  ASSERT_TRUE(backend->EvaluateAlerts(kNow).ok());

  std::vector<v1::AlertEvent> events;
  v1::AlertEvent e;
  while (events.size() < 2 && watch->Read(&e)) events.push_back(e);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].alert().severity(), "page");
  EXPECT_EQ(events[0].alert().service(), "web");
  EXPECT_EQ(events[0].alert().objective(), "availability");
  EXPECT_EQ(events[0].alert().state(), v1::ALERT_STATE_FIRING);
  EXPECT_EQ(events[0].from(), v1::ALERT_STATE_INACTIVE);
  EXPECT_DOUBLE_EQ(events[0].alert().factor(), 14.4);
  EXPECT_DOUBLE_EQ(events[0].alert().long_rate(), 50);
  EXPECT_DOUBLE_EQ(events[0].alert().short_rate(), 60);
  EXPECT_EQ(events[0].at().seconds(), absl::ToUnixSeconds(kNow));
  EXPECT_EQ(events[1].alert().severity(), "ticket");

  v1::ListAlertsResponse list;
  ASSERT_TRUE(
      stub_->ListAlerts(Ctx().get(), v1::ListAlertsRequest(), &list).ok());
  ASSERT_EQ(list.alerts_size(), 2);
  EXPECT_EQ(list.alerts(0).state(), v1::ALERT_STATE_FIRING);
  // GetStatus carries them on the objective.
  EXPECT_EQ(Status("web").services(0).objectives(0).alerts_size(), 2);

  // A second watcher gets the current alerts first.
  grpc::ClientContext ctx2;
  auto watch2 = stub_->WatchAlerts(&ctx2, v1::WatchAlertsRequest());
  ASSERT_TRUE(watch2->Read(&e));
  EXPECT_EQ(e.from(), v1::ALERT_STATE_INACTIVE);
  EXPECT_EQ(e.alert().state(), v1::ALERT_STATE_FIRING);
  ctx2.TryCancel();
  EXPECT_EQ(watch2->Finish().error_code(), grpc::StatusCode::CANCELLED);

  // Cancelling the first watch ends it on the server too.
  watch_ctx.TryCancel();
  EXPECT_EQ(watch->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(ServerTest, PerObjectivePolicyFromTheConfiguration) {
  ServerOptions o = Options();
  // A page only above a burn rate of 100: half the probes failing (50) is
  // not enough; the ticket tiers are gone with the defaults.
  o.backend.config_text = R"(services:
  - name: web
    objectives:
      - name: availability
        target: 99
        alerting: {tiers: [{severity: page, long: 1h, short: 5m, factor: 100}]}
)";
  StartServer(o);
  ASSERT_TRUE(Ingest(Minutes("o", "web", "home", 60, [](int i) {
                return i % 2 == 1;
              })).ok());
  ASSERT_TRUE(server_->backend()->EvaluateAlerts(kNow).ok());
  v1::ListAlertsResponse list;
  ASSERT_TRUE(
      stub_->ListAlerts(Ctx().get(), v1::ListAlertsRequest(), &list).ok());
  EXPECT_EQ(list.alerts_size(), 0);
  // A second probe failing throughout: 90 bad of 120 against 1 % is a
  // burn of 75 (the new probe makes a new objective definition, which
  // keeps the configured policy), still not above 100. The defaults would
  // have paged at the first evaluation already (50 > 14.4).
  ASSERT_TRUE(
      Ingest(Minutes("o2", "web", "home2", 60, [](int) { return true; })).ok());
  ASSERT_TRUE(server_->backend()->EvaluateAlerts(kNow).ok());
  ASSERT_TRUE(
      stub_->ListAlerts(Ctx().get(), v1::ListAlertsRequest(), &list).ok());
  EXPECT_EQ(list.alerts_size(), 0);
}

TEST_F(ServerTest, FiringAlertRunsRemediationAndReachesSinks) {
  ServerOptions o = Options();
  const std::string sink_file = dir_ + "/sink.json";
  const std::string action_file = dir_ + "/action.json";
  o.backend.config_text = absl::StrCat(R"(services:
  - name: web
    tenant: a
    objectives:
      - name: availability
        target: 99
        alerting: true
        remediation: {command: [/bin/sh, -c, "cat > )",
                                       action_file, R"("], on: page,
                      cooldown: 10m, max_attempts: 2, per: 1h, timeout: 10s}
alert_sinks:
  - {command: [/bin/sh, -c, "cat >> )",
                                       sink_file, R"("], timeout: 10s}
)");
  StartServer(o);
  ASSERT_TRUE(Ingest(Minutes("o", "web", "home", 60, [](int i) {
                return i % 2 == 1;
              })).ok());
  Backend* backend = server_->backend();
  ASSERT_NE(backend, nullptr);
  ASSERT_TRUE(backend->EvaluateAlerts(kNow).ok());
  // Page and ticket fire: both reach the sink; only the page runs the
  // action (on: page). Runs and deliveries are asynchronous: wait, bounded.
  Principal all;
  all.all_tenants = true;
  std::vector<AuditRecord> audit;
  for (int i = 0; i < 200; ++i) {
    audit = backend->AuditRecords(all);
    if (audit.size() >= 2 && backend->sink_stats().delivered >= 2) break;
    absl::SleepFor(absl::Milliseconds(25));
  }
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0].decision, "run");
  EXPECT_EQ(audit[0].service, "web");
  EXPECT_EQ(audit[0].objective, "availability");
  EXPECT_EQ(audit[0].severity, "page");
  EXPECT_EQ(audit[1].decision, "finished");
  EXPECT_TRUE(audit[1].result.ok()) << audit[1].result;
  EXPECT_EQ(backend->sink_stats().delivered, 2);
  EXPECT_EQ(backend->sink_stats().failed, 0);
  std::ifstream action(action_file);
  const std::string action_json(std::istreambuf_iterator<char>(action), {});
  EXPECT_THAT(action_json, HasSubstr("\"severity\":\"page\""));
  EXPECT_THAT(action_json, HasSubstr("\"state\":\"firing\""));
  std::ifstream sink(sink_file);
  const std::string sink_json(std::istreambuf_iterator<char>(sink), {});
  EXPECT_THAT(sink_json, HasSubstr("\"severity\":\"page\""));
  EXPECT_THAT(sink_json, HasSubstr("\"severity\":\"ticket\""));

  // The audit is durable: a restarted server reads it back.
  ASSERT_TRUE(server_->Shutdown(absl::Seconds(5)).ok());
  server_.reset();
  StartServer(o);
  audit = server_->backend()->AuditRecords(all);
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[1].decision, "finished");
  // The month's report lists the runs and the alert episodes.
  v1::GetReportRequest rr;
  rr.set_month("2024-03");
  v1::GetReportResponse rep;
  ASSERT_TRUE(stub_->GetReport(Ctx().get(), rr, &rep).ok());
  EXPECT_THAT(rep.content(), HasSubstr("\"decision\":\"finished\""));
  EXPECT_THAT(rep.content(), HasSubstr("\"alerts\":[{"));
  // Another tenant's token sees none of it.
  Principal other;
  other.tenants = {"b"};
  EXPECT_TRUE(server_->backend()->AuditRecords(other).empty());
}

TEST_F(ServerTest, EarlyWarningWhenTheBudgetRunsOutWithinTheHorizon) {
  ServerOptions o = Options();
  o.backend.config_text = R"(services:
  - name: web
    objectives:
      - name: availability
        target: 99
        alerting: {exhaustion_warning: 72h, tiers: [{severity: page, long: 1h, short: 5m, factor: 1000}]}
)";
  o.backend.max_batch_records = 5000;
  StartServer(o);
  // Three days, one result a minute; in the last 6 hours every 10th minute
  // fails: 36 bad of 4,320 against 1 % (43.2 allowed): 1/6 of the budget
  // left; 6h burn (36/360)/0.01 = 10: 1/6 x 30 d / 10 = 12 h to go.
  ASSERT_TRUE(Ingest(Minutes("f", "web", "home", 3 * 24 * 60, [](int i) {
                const int before = 3 * 24 * 60 - i;  // minutes before kNow
                return before <= 360 && before % 10 == 0;
              })).ok());
  Backend* backend = server_->backend();
  ASSERT_TRUE(backend->EvaluateAlerts(kNow).ok());
  v1::ListAlertsResponse list;
  ASSERT_TRUE(
      stub_->ListAlerts(Ctx().get(), v1::ListAlertsRequest(), &list).ok());
  ASSERT_EQ(list.alerts_size(), 1);  // the forecast only: no tier burns
  EXPECT_EQ(list.alerts(0).severity(), "forecast");
  EXPECT_EQ(list.alerts(0).state(), v1::ALERT_STATE_FIRING);
  EXPECT_DOUBLE_EQ(list.alerts(0).long_rate(), 10);
  EXPECT_EQ(list.alerts(0).long_window().seconds(), 6 * 3600);
  EXPECT_NEAR(list.alerts(0).budget_remaining(), 1.0 / 6, 1e-12);

  // Seven good hours later the 6h trend burns nothing: resolved.
  clock_.Advance(absl::Hours(7));
  v1::IngestRequest good;
  good.set_batch_id("g");
  for (int i = 0; i < 7 * 60; ++i) {
    *good.add_records() = Record("web", "home", kNow + absl::Minutes(i), true);
  }
  ASSERT_TRUE(Ingest(good).ok());
  ASSERT_TRUE(backend->EvaluateAlerts(kNow + absl::Hours(7)).ok());
  ASSERT_TRUE(
      stub_->ListAlerts(Ctx().get(), v1::ListAlertsRequest(), &list).ok());
  EXPECT_EQ(list.alerts_size(), 0);
}

// An application's objective alerts on its composite's minutes; the event
// names the application and the component that caused the downtime, and
// its alerts resolve when the objective stops alerting.
TEST_F(ServerTest, ApplicationObjectiveAlertsNamingItsTopComponent) {
  ServerOptions o = Options();
  const std::string app_config = R"(services:
  - {name: web, tenant: a}
  - {name: sql, tenant: a, owner: provider}
  - {name: hub, tenant: b}
applications:
  - name: shop
    components: {all_of: [web, sql]}
    objectives:
      - {name: availability, target: 99.9, window: 30d, alerting: true}
)";
  o.backend.config_text = app_config;
  StartServer(o);
  grpc::ClientContext watch_ctx;
  v1::WatchAlertsRequest watch_req;
  watch_req.set_service("shop");
  auto watch = stub_->WatchAlerts(&watch_ctx, watch_req);
  // The last hour: web up, sql down for its last 30 minutes. Every window
  // holds those 60 minutes at most: 1h 30 bad of 60 against 0.1 %, a burn
  // rate of 30 * 1000 / 60 = 500; 5m 5 of 5, 1000.
  ASSERT_TRUE(
      Ingest(Minutes("w", "web", "home", 60, [](int) { return false; })).ok());
  ASSERT_TRUE(Ingest(Minutes("s", "sql", "conn", 60, [](int i) {
                return i >= 30;
              })).ok());
  absl::SleepFor(absl::Milliseconds(300));  // the watch subscribes
  Backend* backend = server_->backend();
  ASSERT_TRUE(backend->EvaluateAlerts(kNow).ok());

  std::vector<v1::AlertEvent> events;
  v1::AlertEvent e;
  while (events.size() < 2 && watch->Read(&e)) events.push_back(e);
  ASSERT_EQ(events.size(), 2u);
  const v1::Alert& page = events[0].alert();
  EXPECT_EQ(page.service(), "shop");
  EXPECT_EQ(page.objective(), "availability");
  EXPECT_EQ(page.severity(), "page");
  EXPECT_EQ(page.state(), v1::ALERT_STATE_FIRING);
  EXPECT_EQ(events[0].from(), v1::ALERT_STATE_INACTIVE);
  EXPECT_EQ(page.factor(), 14.4);
  EXPECT_EQ(page.long_rate(), 500);
  EXPECT_EQ(page.short_rate(), 1000);
  EXPECT_EQ(page.top_component(), "sql");
  EXPECT_EQ(page.top_component_minutes(), 30);
  // 30 bad of the 60 counted minutes: consumed 500, remaining -499.
  EXPECT_EQ(page.budget_remaining(), -499);
  EXPECT_EQ(events[1].alert().severity(), "ticket");
  EXPECT_EQ(events[1].alert().top_component(), "sql");

  // ListAlerts, filtered by the application or not; tenant b sees none.
  v1::ListAlertsRequest by_app;
  by_app.set_service("shop");
  v1::ListAlertsResponse list;
  ASSERT_TRUE(stub_->ListAlerts(Ctx().get(), by_app, &list).ok());
  ASSERT_EQ(list.alerts_size(), 2);
  EXPECT_EQ(list.alerts(0).service(), "shop");
  EXPECT_EQ(list.alerts(0).top_component(), "sql");
  EXPECT_EQ(list.alerts(0).budget_remaining(), -499);
  ASSERT_TRUE(
      stub_->ListAlerts(Ctx().get(), v1::ListAlertsRequest(), &list).ok());
  EXPECT_EQ(list.alerts_size(), 2);
  Principal b;
  b.tenants = {"b"};
  b.roles = {Role::kRead};
  EXPECT_TRUE(backend->ActiveAlerts(b).empty());

  // Nothing changes at the next evaluation; without `alerting` the
  // definition leaves and its alerts resolve.
  ASSERT_TRUE(backend->EvaluateAlerts(kNow + absl::Seconds(30)).ok());
  std::string quiet = app_config;
  quiet.replace(quiet.find(", alerting: true"), 16, "");
  v1::ApplyConfigRequest req;
  req.set_yaml(quiet);
  v1::ApplyConfigResponse applied;
  ASSERT_TRUE(stub_->ApplyConfig(Ctx().get(), req, &applied).ok());
  ASSERT_TRUE(backend->EvaluateAlerts(kNow + absl::Minutes(1)).ok());
  events.clear();
  while (events.size() < 2 && watch->Read(&e)) events.push_back(e);
  ASSERT_EQ(events.size(), 2u);
  for (const v1::AlertEvent& ev : events) {
    EXPECT_EQ(ev.alert().service(), "shop");
    EXPECT_EQ(ev.from(), v1::ALERT_STATE_FIRING);
    EXPECT_EQ(ev.alert().state(), v1::ALERT_STATE_RESOLVED);
    EXPECT_EQ(ev.alert().top_component(), "sql");
  }
  ASSERT_TRUE(stub_->ListAlerts(Ctx().get(), by_app, &list).ok());
  EXPECT_EQ(list.alerts_size(), 0);
  watch_ctx.TryCancel();
  watch->Finish().IgnoreError();
}

// ---------------------------------------------------------------- report

TEST_F(ServerTest, ReportInEveryFormat) {
  StartServer(Options());
  ASSERT_TRUE(Ingest(Minutes("w", "web", "home", 60, [](int i) {
                return i < 3;
              })).ok());
  v1::GetReportRequest req;
  req.set_month("2024-03");
  v1::GetReportResponse resp;
  ASSERT_TRUE(stub_->GetReport(Ctx().get(), req, &resp).ok());
  EXPECT_EQ(resp.content_type(), "application/json");
  EXPECT_THAT(resp.content(), HasSubstr("\"month\":\"2024-03\""));
  EXPECT_THAT(resp.content(), HasSubstr("\"web\""));
  for (const char* f : {"csv", "markdown", "html"}) {
    req.set_format(f);
    ASSERT_TRUE(stub_->GetReport(Ctx().get(), req, &resp).ok()) << f;
    EXPECT_THAT(resp.content(), HasSubstr("web")) << f;
  }
  req.set_format("pdf");
  EXPECT_EQ(stub_->GetReport(Ctx().get(), req, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  req.set_format("json");
  req.set_month("March");
  EXPECT_EQ(stub_->GetReport(Ctx().get(), req, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// ---------------------------------------------------------------- lifecycle

TEST_F(ServerTest, HealthIsNotServingUntilRecoveryAndAfterShutdown) {
  ServerOptions o = Options();
  absl::Notification release;
  o.before_recovery = [&release] { release.WaitForNotification(); };
  absl::StatusOr<std::unique_ptr<Server>> s = Server::Start(o);
  ASSERT_TRUE(s.ok()) << s.status();
  server_ = *std::move(s);
  auto channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                          grpc::InsecureChannelCredentials());
  // grpc.health.v1.Health/Check through a generic call: request {service}
  // is field 1 (string), response {status} field 1 (enum, SERVING = 1).
  grpc::GenericStub generic(channel);
  auto check = [&](const std::string& service) -> int {
    std::string request;
    request.push_back(0x0a);
    request.push_back(static_cast<char>(service.size()));
    request += service;
    grpc::Slice slice(request);
    grpc::ByteBuffer in(&slice, 1), out;
    grpc::ClientContext ctx;
    absl::Notification done;
    grpc::Status status;
    generic.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(),
                      &in, &out, [&](grpc::Status st) {
                        status = st;
                        done.Notify();
                      });
    done.WaitForNotification();
    if (!status.ok()) return -static_cast<int>(status.error_code());
    std::vector<grpc::Slice> slices;
    EXPECT_TRUE(out.Dump(&slices).ok());
    std::string bytes;
    for (const grpc::Slice& sl : slices) {
      bytes.append(reinterpret_cast<const char*>(sl.begin()), sl.size());
    }
    return bytes.size() == 2 && bytes[0] == 0x08 ? bytes[1] : 0;
  };
  // Recovery held: NOT_SERVING (2), and calls are UNAVAILABLE.
  EXPECT_EQ(check(""), 2);
  EXPECT_EQ(check("sla.v1.SlaService"), 2);
  auto stub = v1::SlaService::NewStub(channel);
  v1::GetStatusResponse resp;
  grpc::Status st = stub->GetStatus(Ctx().get(), v1::GetStatusRequest(), &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(st.error_message(), HasSubstr("recovering"));
  release.Notify();
  ASSERT_TRUE(server_->WaitUntilReady(absl::Seconds(30)).ok());
  EXPECT_EQ(check(""), 1);
  EXPECT_EQ(check("sla.v1.SlaService"), 1);
  EXPECT_TRUE(stub->GetStatus(Ctx().get(), v1::GetStatusRequest(), &resp).ok());
  EXPECT_EQ(check("nope"), -static_cast<int>(grpc::StatusCode::NOT_FOUND));
  ASSERT_TRUE(server_->Shutdown(absl::Seconds(5)).ok());
  server_.reset();
  const std::vector<std::string> log = Log();
  ASSERT_GE(log.size(), 3u);
  EXPECT_THAT(log[0], HasSubstr("listening on 127.0.0.1:"));
  EXPECT_THAT(log[1], HasSubstr("ready in"));
  EXPECT_THAT(log.back(), HasSubstr("stopped"));
}

TEST_F(ServerTest, RecoveringServerAnswersUnavailable) {
  // A data directory that is a file: recovery fails, the server stays up
  // and NOT_SERVING, calls are UNAVAILABLE.
  ServerOptions o = Options();
  std::ofstream(dir_ + "/file") << "x";
  o.backend.data_dir = dir_ + "/file";
  absl::StatusOr<std::unique_ptr<Server>> s = Server::Start(o);
  ASSERT_TRUE(s.ok()) << s.status();
  server_ = *std::move(s);
  EXPECT_FALSE(server_->WaitUntilReady(absl::Seconds(30)).ok());
  stub_ = v1::SlaService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                          grpc::InsecureChannelCredentials()));
  v1::GetStatusResponse resp;
  grpc::Status st =
      stub_->GetStatus(Ctx().get(), v1::GetStatusRequest(), &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(Log().back(), HasSubstr("recovery failed"));
}

TEST_F(ServerTest, RestartKeepsEveryAcknowledgedBatch) {
  StartServer(Options());
  for (int b = 0; b < 20; ++b) {
    v1::IngestRequest req;
    req.set_batch_id(absl::StrCat("r", b));
    for (int i = 0; i < 3; ++i) {
      *req.add_records() =
          Record("web", absl::StrCat("p", i), kNow - absl::Minutes(b + 1),
                 (b + i) % 4 != 0);
    }
    ASSERT_TRUE(Ingest(req).ok());
  }
  const v1::GetStatusResponse before = Status();
  ASSERT_TRUE(server_->Shutdown(absl::Seconds(5)).ok());
  server_.reset();
  ServerOptions o = Options();
  o.backend.config_text.clear();  // the kept configuration
  StartServer(o);
  const v1::GetStatusResponse after = Status();
  EXPECT_EQ(after.SerializeAsString(), before.SerializeAsString());
  EXPECT_EQ(after.services(0).availability(0).total(), 60);
  // Re-sent batches are duplicates.
  v1::IngestResponse resp;
  v1::IngestRequest again;
  again.set_batch_id("r7");
  *again.add_records() = Record("web", "p0", kNow - absl::Minutes(8), true);
  ASSERT_TRUE(Ingest(again, &resp).ok());
  EXPECT_TRUE(resp.duplicate());
}

// ---------------------------------------------------------------- TLS

class TlsTest : public ServerTest {
 protected:
  // A CA, a server certificate for 127.0.0.1 and a client certificate.
  void SetUp() override {
    ServerTest::SetUp();
    const std::string d = dir_;
    const std::string script = absl::StrCat(
        "set -e; cd '", d, "'; ",
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-ca "
        "-keyout ca.key -out ca.pem 2>/dev/null; ",
        "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext; ",
        "openssl req -newkey rsa:2048 -nodes -subj /CN=localhost "
        "-keyout server.key -out server.csr 2>/dev/null; ",
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key "
        "-CAcreateserial -days 2 -extfile san.ext -out server.pem "
        "2>/dev/null; ",
        "openssl req -newkey rsa:2048 -nodes -subj /CN=client "
        "-keyout client.key -out client.csr 2>/dev/null; ",
        "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key "
        "-CAcreateserial -days 2 -out client.pem 2>/dev/null");
    ASSERT_EQ(std::system(script.c_str()), 0) << "openssl failed";
  }
  std::string Read(const std::string& name) {
    std::ifstream in(dir_ + "/" + name);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  grpc::StatusCode Call(std::shared_ptr<grpc::ChannelCredentials> creds) {
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    auto stub = v1::SlaService::NewStub(grpc::CreateCustomChannel(
        absl::StrCat("127.0.0.1:", server_->port()), creds, args));
    v1::GetStatusResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    return stub->GetStatus(&ctx, v1::GetStatusRequest(), &resp).error_code();
  }
};

TEST_F(TlsTest, ServerCertificateAndRequiredClientCertificate) {
  ServerOptions o = Options();
  o.tls_cert_file = dir_ + "/server.pem";
  o.tls_key_file = dir_ + "/server.key";
  absl::StatusOr<std::unique_ptr<Server>> s = Server::Start(o);
  ASSERT_TRUE(s.ok()) << s.status();
  server_ = *std::move(s);
  ASSERT_TRUE(server_->WaitUntilReady(absl::Seconds(30)).ok());
  grpc::SslCredentialsOptions trusted;
  trusted.pem_root_certs = Read("ca.pem");
  EXPECT_EQ(Call(grpc::SslCredentials(trusted)), grpc::StatusCode::OK);
  // A client that does not trust the CA, or speaks plaintext, gets nothing.
  EXPECT_EQ(Call(grpc::SslCredentials(grpc::SslCredentialsOptions())),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Call(grpc::InsecureChannelCredentials()),
            grpc::StatusCode::UNAVAILABLE);
  ASSERT_TRUE(server_->Shutdown(absl::Seconds(5)).ok());
  server_.reset();

  o.tls_client_ca_file = dir_ + "/ca.pem";
  o.require_client_cert = true;
  s = Server::Start(o);
  ASSERT_TRUE(s.ok()) << s.status();
  server_ = *std::move(s);
  ASSERT_TRUE(server_->WaitUntilReady(absl::Seconds(30)).ok());
  EXPECT_EQ(Call(grpc::SslCredentials(trusted)),
            grpc::StatusCode::UNAVAILABLE);  // no client certificate
  grpc::SslCredentialsOptions with_cert = trusted;
  with_cert.pem_private_key = Read("client.key");
  with_cert.pem_cert_chain = Read("client.pem");
  EXPECT_EQ(Call(grpc::SslCredentials(with_cert)), grpc::StatusCode::OK);
}

TEST_F(TlsTest, BadTlsOptionsAreRefused) {
  ServerOptions o = Options();
  o.tls_cert_file = dir_ + "/server.pem";
  EXPECT_TRUE(absl::IsInvalidArgument(Server::Start(o).status()));
  o.tls_key_file = dir_ + "/missing.key";
  EXPECT_TRUE(absl::IsNotFound(Server::Start(o).status()));
  o = Options();
  o.require_client_cert = true;
  EXPECT_TRUE(absl::IsInvalidArgument(Server::Start(o).status()));
}

}  // namespace
}  // namespace sla::server
