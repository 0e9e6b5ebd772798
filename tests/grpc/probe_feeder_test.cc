// `slakit serve` runs the configuration's probes (bindings/grpc/probe_feeder.h)
// and ingests their results. Checkers are fakes whose outcome the test sets;
// time is a FakeClock, so every probe's first run is due at once (jitter 0)
// and no further run is due until the test moves the clock.

#include "bindings/grpc/probe_feeder.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bindings/grpc/backend.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "probes/probe.h"
#include "sla/clock.h"
#include "sla/config.h"
#include "tests/testing/remove_at_exit.h"

namespace sla::server {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

const absl::Time kNow = absl::FromUnixSeconds(1710072000);  // 2024-03-10T12Z

constexpr char kConfig[] = R"(services:
  - name: web
    tenant: a
    probes:
      - {name: home, interval: 30s, jitter: 0s, http: {url: "http://127.0.0.1:1/"}}
      - {name: port, interval: 30s, jitter: 0s, tcp: {address: "127.0.0.1:1"}}
  - name: hub
    tenant: b
    probes:
      - {name: health, interval: 60s, jitter: 0s, tcp: {address: "127.0.0.1:2"}}
)";

std::string NewDir(absl::string_view name) {
  static int counter = 0;
  const std::string dir =
      absl::StrCat(::testing::TempDir(), "/probe_feeder_test_", name, "_",
                   ::getpid(), "_", counter++);
  fs::remove_all(dir);
  fs::create_directories(dir);
  slakit_testing::RemoveAtExit(dir);
  return dir;
}

// Answers what the test says: ok for "home" and "health", fail for "port"
// (by name, read at construction).
class FakeChecker : public probes::Checker {
 public:
  explicit FakeChecker(probes::Outcome outcome) : outcome_(outcome) {}
  probes::CheckResult Check(const std::atomic<bool>& cancel) override {
    probes::CheckResult r;
    r.outcome = outcome_;
    r.latency = absl::Milliseconds(12.5);
    if (outcome_ != probes::Outcome::kOk) r.reason = "connection refused";
    return r;
  }

 private:
  const probes::Outcome outcome_;
};

class ProbeFeederTest : public ::testing::Test {
 protected:
  ProbeFeederTest() : clock_(kNow) {}

  void SetUp() override {
    BackendOptions options;
    options.data_dir = NewDir("backend");
    options.config_text = kConfig;
    options.alert_interval = absl::ZeroDuration();
    options.clock = &clock_;
    backend_ = Backend::Open(options).value();
  }

  ProbeFeederOptions Options() {
    ProbeFeederOptions o;
    o.clock = &clock_;
    o.flush_interval = absl::Hours(1);  // the test flushes
    o.log = [this](const std::string& line) {
      absl::MutexLock lock(&mu_);
      log_.push_back(line);
    };
    o.make_checker = [](const ProbeConfig& p)
        -> absl::StatusOr<std::unique_ptr<probes::Checker>> {
      if (p.name == "broken") {
        return absl::InvalidArgumentError("ca_file /nope: cannot read");
      }
      return std::make_unique<FakeChecker>(
          p.name == "port" ? probes::Outcome::kFail : probes::Outcome::kOk);
    };
    return o;
  }

  // Waits (briefly, in real time) until the feeder has received `n` results.
  void AwaitResults(ProbeFeeder& f, int64_t n) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (f.counters().results < n && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(5));
    }
    ASSERT_EQ(f.counters().results, n);
  }

  Counts CountsOf(const std::string& service, const std::string& probe) {
    absl::StatusOr<SliId> id = backend_->engine().FindSli(service, probe);
    if (!id.ok()) return Counts{-1, -1};
    return backend_->engine()
        .Query(*id, Interval{kNow - absl::Hours(1), kNow + absl::Hours(1)})
        .value();
  }

  std::vector<std::string> Log() {
    absl::MutexLock lock(&mu_);
    return log_;
  }

  FakeClock clock_;
  std::unique_ptr<Backend> backend_;
  absl::Mutex mu_;
  std::vector<std::string> log_;
};

TEST_F(ProbeFeederTest, RunsEveryProbeAndIngestsItsResultsPerTenant) {
  auto feeder = ProbeFeeder::Start(backend_.get(), Options()).value();
  EXPECT_EQ(feeder->counters().probes, 3);
  AwaitResults(*feeder, 3);
  ASSERT_TRUE(feeder->Flush().ok());
  EXPECT_EQ(feeder->counters().ingested, 3);
  EXPECT_EQ(feeder->counters().failed_batches, 0);
  // One result each, stamped with the check's start (kNow): ok, fail, ok.
  EXPECT_EQ(CountsOf("web", "home"), (Counts{1, 1}));
  EXPECT_EQ(CountsOf("web", "port"), (Counts{0, 1}));
  EXPECT_EQ(CountsOf("hub", "health"), (Counts{1, 1}));
  // Two tenants: two batches through the backend's ingest path.
  EXPECT_EQ(backend_->counters().batches, 2);

  // The next slot of the 30s probes, not yet of the 60s one.
  clock_.Advance(absl::Seconds(30));
  AwaitResults(*feeder, 5);
  feeder->Stop();  // ingests what is buffered
  EXPECT_EQ(feeder->counters().ingested, 5);
  EXPECT_EQ(CountsOf("web", "home"), (Counts{2, 2}));
  EXPECT_EQ(CountsOf("web", "port"), (Counts{0, 2}));
  EXPECT_EQ(CountsOf("hub", "health"), (Counts{1, 1}));
  EXPECT_THAT(Log(), ::testing::Contains("slakit serve: running 3 probes"));
}

TEST_F(ProbeFeederTest, AdoptsANewConfigurationAtTheNextFlush) {
  auto feeder = ProbeFeeder::Start(backend_.get(), Options()).value();
  AwaitResults(*feeder, 3);
  ASSERT_TRUE(feeder->Flush().ok());
  ASSERT_TRUE(backend_
                  ->ApplyConfig(R"(services:
  - name: web
    tenant: a
    probes:
      - {name: home, interval: 10s, jitter: 0s, tcp: {address: "127.0.0.1:1"}}
      - {name: broken, tcp: {address: "127.0.0.1:1"}}
)",
                                /*dry_run=*/false)
                  .ok());
  ASSERT_TRUE(feeder->Flush().ok());
  const ProbeFeederCounters c = feeder->counters();
  EXPECT_EQ(c.reschedules, 2);
  EXPECT_EQ(c.probes, 1);  // "broken" is left out, and says why
  EXPECT_THAT(Log(), ::testing::Contains(
                         "slakit serve: error: probe web/broken left out: "
                         "ca_file /nope: cannot read"));
  // The rescheduled probe runs at once (a new first slot), the others no
  // more.
  AwaitResults(*feeder, 4);
  clock_.Advance(absl::Seconds(10));
  AwaitResults(*feeder, 5);
  feeder->Stop();
  EXPECT_EQ(CountsOf("web", "home"), (Counts{3, 3}));
  EXPECT_EQ(CountsOf("hub", "health"), (Counts{1, 1}));
}

TEST_F(ProbeFeederTest, ResultsOfAServiceThatLeftAreRefusedLoggedAndCounted) {
  auto feeder = ProbeFeeder::Start(backend_.get(), Options()).value();
  AwaitResults(*feeder, 3);
  // hub leaves before the flush: its batch is refused (logged and counted,
  // not retried: the service is gone), web's goes in.
  ASSERT_TRUE(backend_
                  ->ApplyConfig(R"(services:
  - name: web
    tenant: a
)",
                                /*dry_run=*/false)
                  .ok());
  const absl::Status s = feeder->Flush();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
  const ProbeFeederCounters c = feeder->counters();
  EXPECT_EQ(c.ingested, 2);
  EXPECT_EQ(c.failed_batches, 1);
  EXPECT_EQ(c.probes, 0);
  bool logged = false;
  for (const std::string& line : Log()) {
    logged |= absl::StrContains(
        line,
        "1 probe result of tenant b not ingested: record 0: service: "
        "'hub' not found");
  }
  EXPECT_TRUE(logged) << ::testing::PrintToString(Log());
  EXPECT_EQ(CountsOf("web", "home"), (Counts{1, 1}));
}

TEST_F(ProbeFeederTest, StopIsIdempotentAndFlushAfterItFails) {
  auto feeder = ProbeFeeder::Start(backend_.get(), Options()).value();
  feeder->Stop();
  feeder->Stop();
  EXPECT_EQ(feeder->Flush().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace sla::server

namespace sla::server {
namespace {

// A configuration loads only if every probe can run: the checkers' own
// checks (RE2 syntax, ...) reach ApplyConfig and `slakit check` with the
// probe's place in the file.
TEST(ValidateProbesTest, NamesEveryBadProbeWithItsPlace) {
  absl::StatusOr<Config> config = ParseConfig(R"yaml(services:
  - name: web
    probes:
      - {name: ok, http: {url: "http://127.0.0.1:1/"}}
      - {name: look, http: {url: "http://127.0.0.1:1/", expect_body_regex: "(?=x)"}}
      - {name: cap, scenario: {steps: [{url: "http://127.0.0.1:1/", capture: {t: "(?<=y)"}}]}}
)yaml",
                                              "slakit.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  const absl::Status s = ValidateProbes(*config);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(),
              HasSubstr("slakit.yaml:5:9: services[0].probes[1]: http: body "
                        "regex /(?=x)/ is not a valid regex"));
  EXPECT_THAT(s.message(),
              HasSubstr("slakit.yaml:6:9: services[0].probes[2]: scenario step "
                        "'step 1': capture 't': /(?<=y)/ is not a valid "
                        "regex"));
  EXPECT_THAT(s.message(), Not(HasSubstr("probes[0]")));
}

TEST_F(ProbeFeederTest, ApplyConfigRefusesProbesThatCannotRun) {
  BackendOptions options;
  options.data_dir = NewDir("validate");
  options.config_text = kConfig;
  options.alert_interval = absl::ZeroDuration();
  options.clock = &clock_;
  options.validate_config = &ValidateProbes;
  std::unique_ptr<Backend> backend = Backend::Open(options).value();
  absl::StatusOr<ApplyResult> r = backend->ApplyConfig(R"yaml(services:
  - name: web
    probes: [{name: p, http: {url: "http://127.0.0.1:1/", expect_body_regex: "a(b"}}]
)yaml",
                                                       /*dry_run=*/false);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(),
              HasSubstr("slakit.yaml:3:14: services[0].probes[0]: http: body "
                        "regex /a(b/ is not a valid regex"));
  // The configuration in force is still the first.
  EXPECT_EQ(backend->config()->config.services.size(), 2u);
}

}  // namespace
}  // namespace sla::server
