// Hostile requests to an in-process `slakit serve` on 127.0.0.1:0 (slakit
// issue 10, bad-input catalogue; docs/BAD_INPUT.md, "gRPC"). Each row is one
// call and its documented status code and message. After every row the
// answers about the data stored before (GetStatus of web, QueryAvailability
// of web/home, GetConfig, and that web has no probe "fresh") are the same,
// and after a restart of the server on the same data directory too. The
// rows that are accepted write to the service sql and check its exact
// counts. Time is a FakeClock at kNow.

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bindings/grpc/server.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "sla/clock.h"
#include "sla/v1/sla_service.grpc.pb.h"

namespace sla::server {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1710072000);  // 2024-03-10T12Z

constexpr char kConfig[] = R"yaml(services:
  - name: web
    tenant: a
    objectives:
      - {name: availability, target: 99, window: 30d}
  - {name: sql, tenant: a, owner: provider}
  - {name: hub, tenant: b}
applications:
  - {name: shop, components: "all_of(web, sql)"}
)yaml";

std::string Repeat(absl::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out.append(s.data(), s.size());
  return out;
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

v1::IngestRequest Batch(const std::string& id,
                        std::vector<v1::ProbeRecord> records) {
  v1::IngestRequest req;
  req.set_batch_id(id);
  for (v1::ProbeRecord& r : records) *req.add_records() = std::move(r);
  return req;
}

class GrpcBadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "/grpc_bad_input_", ::getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (server_ != nullptr) {
      EXPECT_TRUE(server_->Shutdown(absl::Seconds(5)).ok());
    }
    fs::remove_all(dir_);
  }

  void Start(bool with_config) {
    ServerOptions o;
    o.backend.data_dir = dir_ + "/data";
    if (with_config) o.backend.config_text = kConfig;
    o.backend.alert_interval = absl::ZeroDuration();
    o.backend.clock = &clock_;
    o.backend.max_batch_records = 1000;
    o.listen = "127.0.0.1:0";
    o.max_message_bytes = 1 << 20;
    o.run_probes = false;
    o.log = [](const std::string&) {};
    absl::StatusOr<std::unique_ptr<Server>> s = Server::Start(std::move(o));
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = *std::move(s);
    ASSERT_TRUE(server_->WaitUntilReady(absl::Seconds(30)).ok());
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::SlaService::NewStub(channel_);
  }

  void Restart() {
    ASSERT_TRUE(server_->Shutdown(absl::Seconds(5)).ok());
    server_.reset();
    Start(/*with_config=*/false);  // the kept configuration
  }

  std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(20));
    return ctx;
  }

  grpc::Status Ingest(const v1::IngestRequest& req,
                      v1::IngestResponse* resp = nullptr) {
    v1::IngestResponse ignored;
    return stub_->Ingest(Ctx().get(), req, resp ? resp : &ignored);
  }

  grpc::Status Query(const std::string& selector, const std::string& window,
                     absl::Time at, v1::QueryAvailabilityResponse* out) {
    v1::QueryAvailabilityRequest q;
    q.set_selector(selector);
    q.set_window(window);
    SetTime(at, q.mutable_at());
    return stub_->QueryAvailability(Ctx().get(), q, out);
  }

  // The answers about what was stored before the rows.
  std::string Fingerprint() {
    std::string out;
    v1::GetStatusRequest req;
    req.set_service("web");
    SetTime(kNow, req.mutable_at());
    v1::GetStatusResponse st;
    grpc::Status s = stub_->GetStatus(Ctx().get(), req, &st);
    EXPECT_TRUE(s.ok()) << s.error_message();
    absl::StrAppend(&out, "status=", st.DebugString());
    v1::QueryAvailabilityResponse qa;
    s = Query("web/home", "30d", kNow, &qa);
    EXPECT_TRUE(s.ok()) << s.error_message();
    absl::StrAppend(&out, "\nweb/home=", qa.good(), "/", qa.total());
    s = Query("web/fresh", "30d", kNow, &qa);
    absl::StrAppend(&out, "\nweb/fresh=", s.error_code());
    v1::GetConfigResponse config;
    s = stub_->GetConfig(Ctx().get(), v1::GetConfigRequest(), &config);
    EXPECT_TRUE(s.ok()) << s.error_message();
    absl::StrAppend(&out, "\nconfig=", config.yaml());
    return out;
  }

  FakeClock clock_{kNow};
  std::string dir_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::SlaService::Stub> stub_;
};

struct Row {
  std::string name;
  std::function<grpc::Status()> call;
  grpc::StatusCode code;
  std::string message;  // a substring of the status message
  // Accepted rows: the counts of sql/p over the last 30 days afterwards.
  int64_t sql_good = -1;
  int64_t sql_total = -1;
};

TEST_F(GrpcBadInputTest, EveryRowGetsItsStatusAndStoredDataStays) {
  Start(/*with_config=*/true);
  // What is stored before: web/home, 60 minutes, one bad in ten.
  std::vector<v1::ProbeRecord> base;
  for (int i = 0; i < 60; ++i) {
    base.push_back(
        Record("web", "home", kNow - absl::Minutes(60 - i), i % 10 != 0));
  }
  ASSERT_TRUE(Ingest(Batch("base", base)).ok());
  const std::string before = Fingerprint();
  ASSERT_THAT(before, HasSubstr("web/home=54/60"));
  ASSERT_THAT(before, HasSubstr("web/fresh=5"));  // NOT_FOUND

  const absl::Time t = kNow - absl::Minutes(10);
  auto ingest = [this](v1::IngestRequest req) {
    return [this, req] { return Ingest(req); };
  };
  auto one = [&](v1::ProbeRecord r) {
    return ingest(Batch("one", {std::move(r)}));
  };
  auto with_seconds = [&](int64_t seconds, const std::string& probe) {
    v1::ProbeRecord r = Record("web", probe, t, true);
    r.mutable_time()->set_seconds(seconds);
    return one(r);
  };
  auto query = [this](std::string selector, std::string window, absl::Time at) {
    return [this, selector, window, at] {
      v1::QueryAvailabilityResponse qa;
      return Query(selector, window, at, &qa);
    };
  };
  auto composite = [this](std::string window) {
    return [this, window] {
      v1::GetCompositeRequest req;
      req.set_application("shop");
      req.set_window(window);
      SetTime(kNow, req.mutable_at());
      v1::GetCompositeResponse resp;
      return stub_->GetComposite(Ctx().get(), req, &resp);
    };
  };
  auto report = [this](std::string month) {
    return [this, month] {
      v1::GetReportRequest req;
      req.set_month(month);
      v1::GetReportResponse resp;
      return stub_->GetReport(Ctx().get(), req, &resp);
    };
  };
  auto apply = [this](std::string yaml) {
    return [this, yaml] {
      v1::ApplyConfigRequest req;
      req.set_yaml(yaml);
      v1::ApplyConfigResponse resp;
      return stub_->ApplyConfig(Ctx().get(), req, &resp);
    };
  };
  std::vector<v1::ProbeRecord> too_many;
  for (int i = 0; i < 1001; ++i)
    too_many.push_back(Record("web", "home", t, 1));
  v1::IngestRequest no_id = Batch("", {Record("web", "home", t, true)});
  v1::IngestRequest long_id =
      Batch(std::string(901, 'x'), {Record("web", "home", t, true)});
  v1::IngestRequest huge =
      Batch("huge", {Record("web", std::string(2 << 20, 'p'), t, true)});
  v1::ProbeRecord no_time = Record("web", "home", t, true);
  no_time.clear_time();
  v1::ProbeRecord bad_nanos = Record("web", "home", t, true);
  bad_nanos.mutable_time()->set_nanos(-1);
  const std::string services = "services:\n  - {name: web, tenant: a}\n";
  std::string doubling =
      "services:\n  - {name: web}\n  - {name: sql}\napplications:\n"
      "  - {name: a0, components: \"all_of(web, sql)\"}\n";
  for (int i = 1; i <= 20; ++i) {
    absl::StrAppend(&doubling, "  - {name: a", i, ", components: \"all_of(a",
                    i - 1, ", a", i - 1, ")\"}\n");
  }
  std::vector<v1::ProbeRecord> out_of_order = {
      Record("sql", "p", t, true),
      Record("sql", "p", t - absl::Hours(5), false),
      Record("sql", "p", t - absl::Minutes(1), true)};
  const std::string nan = "nan";

  const std::vector<Row> rows = {
      // ---- Ingest
      {"empty batch id", ingest(no_id), grpc::StatusCode::INVALID_ARGUMENT,
       "batch_id: must have 1 to 900 bytes"},
      {"batch id over 900 bytes", ingest(long_id),
       grpc::StatusCode::INVALID_ARGUMENT,
       "batch_id: must have 1 to 900 bytes"},
      {"empty batch", ingest(Batch("empty", {})), grpc::StatusCode::OK, ""},
      {"1001 records (max_batch_records = 1000)",
       ingest(Batch("many", too_many)), grpc::StatusCode::RESOURCE_EXHAUSTED,
       "batch of 1001 records exceeds the limit max_batch_records = 1000"},
      {"2 MiB message (max 1 MiB)", ingest(huge),
       grpc::StatusCode::RESOURCE_EXHAUSTED, "larger than max"},
      {"NaN latency", one(Record("web", "home", t, true, std::nan(""))),
       grpc::StatusCode::INVALID_ARGUMENT,
       "record 0: latency_ms: nan is not a finite number >= 0"},
      {"Inf latency", one(Record("web", "home", t, true, HUGE_VAL)),
       grpc::StatusCode::INVALID_ARGUMENT,
       "record 0: latency_ms: inf is not a finite number >= 0"},
      {"negative latency", one(Record("web", "home", t, true, -1)),
       grpc::StatusCode::INVALID_ARGUMENT,
       "record 0: latency_ms: -1 is not a finite number >= 0"},
      {"missing time", one(no_time), grpc::StatusCode::INVALID_ARGUMENT,
       "record 0: time: missing"},
      {"negative nanos", one(bad_nanos), grpc::StatusCode::INVALID_ARGUMENT,
       "record 0: time: nanos -1 out of range"},
      {"negative time (1969)", with_seconds(-1, "home"),
       grpc::StatusCode::OUT_OF_RANGE,
       "record 0: field 'time' 1969-12-31T23:59:59Z is older than the "
       "retention horizon"},
      {"year 1", with_seconds(-62135596800, "home"),
       grpc::StatusCode::OUT_OF_RANGE,
       "record 0: field 'time' 1-01-01T00:00:00Z is older than the "
       "retention horizon 2024-02-04T12:00:00Z (retention 35d before the "
       "newest result)"},
      {"year 9999", with_seconds(253402300799, "home"),
       grpc::StatusCode::INVALID_ARGUMENT,
       "record 0: field 'time' 9999-12-31T23:59:59Z is in the future"},
      {"seconds = INT64_MAX", with_seconds(INT64_MAX, "home"),
       grpc::StatusCode::INVALID_ARGUMENT, "record 0: field 'time'"},
      {"seconds = INT64_MIN", with_seconds(INT64_MIN, "home"),
       grpc::StatusCode::OUT_OF_RANGE, "record 0: field 'time'"},
      {"new probe in the far future declares nothing",
       with_seconds(253402300799, "fresh"), grpc::StatusCode::INVALID_ARGUMENT,
       "record 0: field 'time' 9999-12-31T23:59:59Z is in the future"},
      {"new probe in year 1 declares nothing",
       with_seconds(-62135596800, "fresh"), grpc::StatusCode::OUT_OF_RANGE,
       "is older than the retention horizon"},
      {"unknown service", one(Record("nope", "home", t, true)),
       grpc::StatusCode::NOT_FOUND, "record 0: service: 'nope' not found"},
      {"services of two tenants",
       ingest(Batch("two", {Record("web", "home", t, true),
                            Record("hub", "home", t, true)})),
       grpc::StatusCode::INVALID_ARGUMENT,
       "record 1: service: 'hub' is of another tenant than record 0's"},
      {"application as a service", one(Record("shop", "home", t, true)),
       grpc::StatusCode::NOT_FOUND, "record 0: service: 'shop' not found"},
      {"empty probe", one(Record("web", "", t, true)),
       grpc::StatusCode::INVALID_ARGUMENT, "record 0: probe: empty"},
      {"probe name with a NUL byte",
       one(Record("web", std::string("fre\0sh", 6), t, true)),
       grpc::StatusCode::INVALID_ARGUMENT,
       "store: SLI name 'fre\\x00sh': byte 4 is a NUL byte"},
      {"non-UTF-8 probe name", one(Record("web", "fresh\xff", t, true)),
       grpc::StatusCode::INTERNAL, ""},
      {"duplicated batch id (other records): acknowledged, not applied",
       ingest(Batch("base", {Record("web", "home", t, false)})),
       grpc::StatusCode::OK, ""},
      {"out-of-order records", ingest(Batch("ooo", out_of_order)),
       grpc::StatusCode::OK, "", 2, 3},
      {"the same minute twice",
       ingest(
           Batch("twice", {Record("sql", "p", t - absl::Minutes(2), true),
                           Record("sql", "p", t - absl::Minutes(2), false)})),
       grpc::StatusCode::OK, "", 3, 5},
      {"out-of-order batch resent", ingest(Batch("ooo", out_of_order)),
       grpc::StatusCode::OK, "", 3, 5},
      // ---- queries
      {"unknown window", query("web", "fortnight", kNow),
       grpc::StatusCode::INVALID_ARGUMENT,
       "window: window 'fortnight' is "
       "neither a duration"},
      {"zero window", query("web", "0m", kNow),
       grpc::StatusCode::INVALID_ARGUMENT, "window: window '0m'"},
      {"negative window", query("web", "-5m", kNow),
       grpc::StatusCode::INVALID_ARGUMENT, "window: window '-5m'"},
      {"window of 2^40 days", query("web", "1099511627776d", kNow),
       grpc::StatusCode::OK, ""},
      {"window summing to infinity",
       query("web", Repeat("1099511627776w", 20), kNow),
       grpc::StatusCode::INVALID_ARGUMENT, "window: window '"},
      {"query at year 1",
       query("web", "30d", absl::FromUnixSeconds(-62135596800)),
       grpc::StatusCode::OK, ""},
      {"query at year 9999",
       query("web", "30d", absl::FromUnixSeconds(253402300799)),
       grpc::StatusCode::OK, ""},
      {"empty selector", query("", "30d", kNow),
       grpc::StatusCode::INVALID_ARGUMENT, "selector"},
      {"selector with three parts (probe 'home/x')",
       query("web/home/x", "30d", kNow), grpc::StatusCode::NOT_FOUND,
       "probe 'web/home/x' not found"},
      {"selector of an unknown probe", query("web/nope", "30d", kNow),
       grpc::StatusCode::NOT_FOUND, "nope"},
      {"composite over 2^40 days", composite("1099511627776d"),
       grpc::StatusCode::INVALID_ARGUMENT, "window"},
      {"composite with a bad window", composite("fortnight"),
       grpc::StatusCode::INVALID_ARGUMENT, "window: window 'fortnight'"},
      {"report of month 13", report("2024-13"),
       grpc::StatusCode::INVALID_ARGUMENT, "2024-13"},
      {"report of year 0", report("0000-01"),
       grpc::StatusCode::INVALID_ARGUMENT, "0000-01"},
      {"report of an empty month", report(""),
       grpc::StatusCode::INVALID_ARGUMENT, "month"},
      // ---- ApplyConfig
      {"empty configuration", apply(""), grpc::StatusCode::INVALID_ARGUMENT,
       "the configuration is empty"},
      {"unknown key", apply(services + "colour: blue\n"),
       grpc::StatusCode::INVALID_ARGUMENT, ":3:1: config.colour: unknown key"},
      {"NaN target",
       apply("services:\n  - name: web\n    tenant: a\n    objectives:\n"
             "      - {name: a, target: .nan, window: 30d}\n"),
       grpc::StatusCode::INVALID_ARGUMENT,
       "services[0].objectives[0].target: expected a finite number, got "
       "'.nan'"},
      {"10000 nested all_of",
       apply(absl::StrCat(services,
                          "applications:\n  - {name: d, components: "
                          "\"",
                          Repeat("all_of(", 10000), "web", Repeat(")", 10000),
                          "\"}\n")),
       grpc::StatusCode::INVALID_ARGUMENT, "nested deeper than 1000"},
      {"applications doubling 20 times", apply(doubling),
       grpc::StatusCode::INVALID_ARGUMENT,
       "applications[15].components: expands to more than "
       "100000 components and groups (applications used many times over: a15 "
       "-> a14"},
      {"self-referencing application",
       apply(services + "applications:\n  - {name: x, components: "
                        "\"all_of(web, x)\"}\n"),
       grpc::StatusCode::INVALID_ARGUMENT,
       "cycle between applications: x -> x"},
      {"configuration over 1 MiB", apply(std::string(2 << 20, '#')),
       grpc::StatusCode::RESOURCE_EXHAUSTED, "larger than max"},
  };

  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    const absl::Time start = absl::Now();
    const grpc::Status s = row.call();
    // BAD_INPUT_PRINT=1: the answers, for docs/BAD_INPUT.md.
    if (std::getenv("BAD_INPUT_PRINT") != nullptr) {
      std::printf("| %s | %d | %s |\n", row.name.c_str(), s.error_code(),
                  s.error_message().c_str());
    }
    EXPECT_LT(absl::Now() - start, absl::Seconds(5));
    EXPECT_EQ(s.error_code(), row.code) << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(row.message));
    EXPECT_LT(s.error_message().size(), 2000u);
    if (row.sql_total >= 0) {
      v1::QueryAvailabilityResponse qa;
      ASSERT_TRUE(Query("sql/p", "30d", kNow, &qa).ok());
      EXPECT_EQ(qa.good(), row.sql_good);
      EXPECT_EQ(qa.total(), row.sql_total);
    }
    EXPECT_EQ(Fingerprint(), before);
  }
  Restart();
  EXPECT_EQ(Fingerprint(), before);
  v1::QueryAvailabilityResponse qa;
  ASSERT_TRUE(Query("sql/p", "30d", kNow, &qa).ok());
  EXPECT_EQ(qa.good(), 3);
  EXPECT_EQ(qa.total(), 5);
}

}  // namespace
}  // namespace sla::server
