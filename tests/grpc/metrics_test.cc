#include "bindings/grpc/metrics.h"

#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "bindings/grpc/metrics_http.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"

namespace sla::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Two objectives: one with data, burn rates and alerts; one without events
// (NaN availability) whose objective name needs every escape.
std::vector<ObjectiveSample> TwoObjectives() {
  ObjectiveSample web;
  web.tenant = "acme";
  web.service = "web";
  web.objective = "availability";
  web.window = "30d";
  web.target_ratio = 0.999;
  web.good = 99950;
  web.total = 100000;
  web.availability_ratio = 0.9995;
  web.error_budget_remaining_ratio = 0.5;
  web.burn_rates = {{"1h", 14.4}, {"6h", 0.25}};
  web.alerts = {{"page", true}, {"ticket", false}};

  ObjectiveSample api;
  api.tenant = "acme";
  api.service = "api";
  api.objective = "la\"t\\en\ncy";
  api.window = "month";
  api.target_ratio = 0.99;
  api.good = 0;
  api.total = 0;
  api.availability_ratio = kNaN;
  api.error_budget_remaining_ratio = -2.5;
  api.burn_rates = {{"5m", kInf}};
  api.alerts = {{"page", false}};
  return {web, api};
}

ProcessSample Process() {
  ProcessSample p;
  p.ingested_results_total = 12345;
  p.ingested_batches_total = 67;
  p.rejected_batches_total = 2;
  p.start_time_seconds = 1700000000.5;
  p.ready = true;
  return p;
}

TEST(EscapeLabelValueTest, EscapesBackslashQuoteAndNewlineOnly) {
  EXPECT_EQ(EscapeLabelValue(""), "");
  EXPECT_EQ(EscapeLabelValue("plain text\t\xc3\xa9"), "plain text\t\xc3\xa9");
  EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
}

TEST(RenderPrometheusTextTest, TwoObjectivesExactText) {
  const std::string kLabelsWeb =
      R"(tenant="acme",service="web",objective="availability",window="30d")";
  const std::string kLabelsApi =
      R"(tenant="acme",service="api",objective="la\"t\\en\ncy",window="month")";
  const std::string expected = absl::StrCat(
      "# HELP slakit_objective_target_ratio Target of the objective as a "
      "ratio (0.999 for 99.9%).\n",
      "# TYPE slakit_objective_target_ratio gauge\n",
      "slakit_objective_target_ratio{", kLabelsWeb, "} 0.999\n",
      "slakit_objective_target_ratio{", kLabelsApi, "} 0.99\n",
      "# HELP slakit_objective_availability_ratio Good over total events in "
      "the objective window; NaN without events.\n",
      "# TYPE slakit_objective_availability_ratio gauge\n",
      "slakit_objective_availability_ratio{", kLabelsWeb, "} 0.9995\n",
      "slakit_objective_availability_ratio{", kLabelsApi, "} NaN\n",
      "# HELP slakit_objective_error_budget_remaining_ratio Fraction of the "
      "error budget left in the objective window; negative when "
      "overspent.\n",
      "# TYPE slakit_objective_error_budget_remaining_ratio gauge\n",
      "slakit_objective_error_budget_remaining_ratio{", kLabelsWeb, "} 0.5\n",
      "slakit_objective_error_budget_remaining_ratio{", kLabelsApi, "} -2.5\n",
      "# HELP slakit_objective_events Events (or slices) in the objective "
      "window, by kind (good or total).\n",
      "# TYPE slakit_objective_events gauge\n", "slakit_objective_events{",
      kLabelsWeb, ",kind=\"good\"} 99950\n", "slakit_objective_events{",
      kLabelsWeb, ",kind=\"total\"} 100000\n", "slakit_objective_events{",
      kLabelsApi, ",kind=\"good\"} 0\n", "slakit_objective_events{", kLabelsApi,
      ",kind=\"total\"} 0\n",
      "# HELP slakit_objective_burn_rate Error budget burn rate over the "
      "look-back window burn_window; 1 spends the budget exactly over the "
      "objective window.\n",
      "# TYPE slakit_objective_burn_rate gauge\n",
      "slakit_objective_burn_rate{", kLabelsWeb, ",burn_window=\"1h\"} 14.4\n",
      "slakit_objective_burn_rate{", kLabelsWeb, ",burn_window=\"6h\"} 0.25\n",
      "slakit_objective_burn_rate{", kLabelsApi, ",burn_window=\"5m\"} +Inf\n",
      "# HELP slakit_objective_alert_firing 1 when the objective's alert of "
      "this severity is firing, else 0.\n",
      "# TYPE slakit_objective_alert_firing gauge\n",
      "slakit_objective_alert_firing{", kLabelsWeb, ",severity=\"page\"} 1\n",
      "slakit_objective_alert_firing{", kLabelsWeb, ",severity=\"ticket\"} 0\n",
      "slakit_objective_alert_firing{", kLabelsApi, ",severity=\"page\"} 0\n",
      "# HELP slakit_ingested_results_total Probe results accepted since the "
      "process started.\n",
      "# TYPE slakit_ingested_results_total counter\n",
      "slakit_ingested_results_total 12345\n",
      "# HELP slakit_ingested_batches_total Ingest batches accepted since the "
      "process started.\n",
      "# TYPE slakit_ingested_batches_total counter\n",
      "slakit_ingested_batches_total 67\n",
      "# HELP slakit_rejected_batches_total Ingest batches rejected since the "
      "process started.\n",
      "# TYPE slakit_rejected_batches_total counter\n",
      "slakit_rejected_batches_total 2\n",
      "# HELP slakit_process_start_time_seconds Start time of the process "
      "since the Unix epoch in seconds.\n",
      "# TYPE slakit_process_start_time_seconds gauge\n",
      "slakit_process_start_time_seconds 1700000000.5\n",
      "# HELP slakit_ready 1 when the server is ready to serve requests, "
      "else 0.\n",
      "# TYPE slakit_ready gauge\n", "slakit_ready 1\n");
  EXPECT_EQ(RenderPrometheusText(TwoObjectives(), Process()), expected);
}

TEST(RenderPrometheusTextTest, NoObjectivesRendersProcessFamiliesOnly) {
  const std::string text = RenderPrometheusText({}, ProcessSample());
  EXPECT_THAT(text, Not(HasSubstr("slakit_objective_")));
  EXPECT_THAT(text, HasSubstr("\nslakit_ingested_results_total 0\n"));
  EXPECT_THAT(text, HasSubstr("\nslakit_process_start_time_seconds 0\n"));
  EXPECT_THAT(text, HasSubstr("\nslakit_ready 0\n"));
}

TEST(RenderPrometheusTextTest, FamiliesWithoutSamplesAreLeftOut) {
  std::vector<ObjectiveSample> objectives = TwoObjectives();
  for (ObjectiveSample& o : objectives) {
    o.burn_rates.clear();
    o.alerts.clear();
  }
  const std::string text = RenderPrometheusText(objectives, Process());
  EXPECT_THAT(text, HasSubstr("# TYPE slakit_objective_events gauge\n"));
  EXPECT_THAT(text, Not(HasSubstr("slakit_objective_burn_rate")));
  EXPECT_THAT(text, Not(HasSubstr("slakit_objective_alert_firing")));
}

ProcessSample ProcessWithMemory() {
  ProcessSample p = Process();
  p.dedupe_batch_ids = 31580;
  p.dedupe_forgotten_early_total = 7;
  p.alert_evaluation_errors_total = 3;
  p.clock_steps_back_total = 1;
  p.resident_memory_bytes = 74055680;
  p.heap_in_use_bytes = 41943040;
  return p;
}

TEST(RenderPrometheusTextTest, OptionalProcessFamiliesWhenKnown) {
  const std::string text = RenderPrometheusText({}, ProcessWithMemory());
  EXPECT_THAT(
      text,
      HasSubstr(absl::StrCat(
          "slakit_rejected_batches_total 2\n",
          "# HELP slakit_dedupe_forgotten_early_total Batch ids forgotten "
          "before their dedupe horizon because the table was full; a retry "
          "of one is applied again.\n",
          "# TYPE slakit_dedupe_forgotten_early_total counter\n",
          "slakit_dedupe_forgotten_early_total 7\n",
          "# HELP slakit_dedupe_batch_ids Batch ids remembered for idempotent "
          "retries.\n",
          "# TYPE slakit_dedupe_batch_ids gauge\n",
          "slakit_dedupe_batch_ids 31580\n",
          "# HELP slakit_alert_evaluation_errors_total Alert evaluations "
          "that failed (the server's log has the error).\n",
          "# TYPE slakit_alert_evaluation_errors_total counter\n",
          "slakit_alert_evaluation_errors_total 3\n",
          "# HELP slakit_clock_steps_back_total Alert evaluations that found "
          "the clock earlier than the previous one; the alert timers moved "
          "back with it.\n",
          "# TYPE slakit_clock_steps_back_total counter\n",
          "slakit_clock_steps_back_total 1\n",
          "# HELP slakit_process_resident_memory_bytes Resident memory of the "
          "process in bytes.\n",
          "# TYPE slakit_process_resident_memory_bytes gauge\n",
          "slakit_process_resident_memory_bytes 74055680\n",
          "# HELP slakit_process_heap_in_use_bytes Heap bytes allocated and "
          "not "
          "freed (without the allocator's free pages).\n",
          "# TYPE slakit_process_heap_in_use_bytes gauge\n",
          "slakit_process_heap_in_use_bytes 41943040\n",
          "# HELP slakit_process_start_time_seconds")));
  // Unknown (-1, the default) leaves each family out, 0 does not.
  ProcessSample zero;
  zero.dedupe_batch_ids = 0;
  const std::string unknown = RenderPrometheusText({}, zero);
  EXPECT_THAT(unknown, HasSubstr("\nslakit_dedupe_batch_ids 0\n"));
  EXPECT_THAT(unknown, Not(HasSubstr("slakit_dedupe_forgotten_early_total")));
  EXPECT_THAT(unknown, Not(HasSubstr("slakit_alert_evaluation_errors_total")));
  EXPECT_THAT(unknown, Not(HasSubstr("slakit_clock_steps_back_total")));
  EXPECT_THAT(unknown, Not(HasSubstr("slakit_process_resident_memory_bytes")));
  EXPECT_THAT(unknown, Not(HasSubstr("slakit_process_heap_in_use_bytes")));
}

TEST(RenderPrometheusTextTest, ValuesAreShortestRoundTripText) {
  ObjectiveSample o;
  o.availability_ratio = 0.1 + 0.2;  // 0.30000000000000004
  o.error_budget_remaining_ratio = -kInf;
  o.target_ratio = 1e-7;
  const std::string text = RenderPrometheusText({o}, ProcessSample());
  EXPECT_THAT(text, HasSubstr("} 0.30000000000000004\n"));
  EXPECT_THAT(text, HasSubstr("} -Inf\n"));
  EXPECT_THAT(text, HasSubstr("} 1e-07\n"));
}

// ------------------------------------------------------------ promtool

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs `promtool check metrics` on `text`.
CommandResult PromtoolCheckMetrics(const std::string& text) {
  static std::atomic<int> counter{0};
  const std::string path =
      absl::StrCat(::testing::TempDir(), "/metrics_promtool_", getpid(), "_",
                   counter++, ".txt");
  {
    std::ofstream file(path, std::ios::binary);
    file << text;
  }
  const std::string command =
      absl::StrCat(SLAKIT_PROMTOOL, " check metrics < '", path, "' 2>&1");
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return result;
  }
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) {
    result.output.append(buf, n);
  }
  const int status = pclose(pipe);
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  }
  std::remove(path.c_str());
  return result;
}

class MetricsPromtoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string(SLAKIT_PROMTOOL).empty()) {
      FAIL() << "promtool not found at configure time (Debian package "
                "prometheus)";
    }
  }
};

TEST_F(MetricsPromtoolTest, AcceptsRenderedText) {
  const CommandResult r =
      PromtoolCheckMetrics(RenderPrometheusText(TwoObjectives(), Process()));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "");
}

TEST_F(MetricsPromtoolTest, AcceptsDedupeAndMemoryFamilies) {
  const CommandResult r = PromtoolCheckMetrics(
      RenderPrometheusText(TwoObjectives(), ProcessWithMemory()));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "");
}

TEST_F(MetricsPromtoolTest, AcceptsTextWithoutObjectives) {
  const CommandResult r =
      PromtoolCheckMetrics(RenderPrometheusText({}, ProcessSample()));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "");
}

// Negative controls: promtool really runs and does complain, so the two
// tests above can fail.
TEST_F(MetricsPromtoolTest, RejectsCounterWithoutTotalSuffix) {
  const CommandResult r = PromtoolCheckMetrics(
      "# HELP slakit_ingested_results Results.\n"
      "# TYPE slakit_ingested_results counter\n"
      "slakit_ingested_results 1\n");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output,
              HasSubstr("counter metrics should have \"_total\" suffix"));
}

TEST_F(MetricsPromtoolTest, RejectsColonInName) {
  const CommandResult r = PromtoolCheckMetrics(
      "# HELP slakit:availability:ratio Availability.\n"
      "# TYPE slakit:availability:ratio gauge\n"
      "slakit:availability:ratio 1\n");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("metric names should not contain ':'"));
}

TEST_F(MetricsPromtoolTest, RejectsUnescapedLabelValue) {
  const CommandResult r = PromtoolCheckMetrics(
      "# HELP slakit_ready Ready.\n"
      "# TYPE slakit_ready gauge\n"
      "slakit_ready{service=\"a\"b\"} 1\n");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("parsing error"));
}

// ------------------------------------------------------------ HTTP

TEST(MetricsHttpServerTest, ServesMetricsHealthzAnd404) {
  std::atomic<int> renders{0};
  const std::string text = RenderPrometheusText(TwoObjectives(), Process());
  absl::StatusOr<std::unique_ptr<MetricsHttpServer>> server =
      MetricsHttpServer::Start("127.0.0.1", 0, [&] {
        ++renders;
        return std::string(text);
      });
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();
  ASSERT_GT(port, 0);

  httplib::Client client("127.0.0.1", port);
  httplib::Result metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics) << httplib::to_string(metrics.error());
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->get_header_value("Content-Type"),
            "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(metrics->body, text);
  EXPECT_EQ(renders, 1);

  httplib::Result healthz = client.Get("/healthz");
  ASSERT_TRUE(healthz) << httplib::to_string(healthz.error());
  EXPECT_EQ(healthz->status, 200);
  EXPECT_EQ(healthz->body, "ok");

  httplib::Result missing = client.Get("/metrics/extra");
  ASSERT_TRUE(missing) << httplib::to_string(missing.error());
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(renders, 1);
}

TEST(MetricsHttpServerTest, StartOnOccupiedPortIsUnavailable) {
  absl::StatusOr<std::unique_ptr<MetricsHttpServer>> first =
      MetricsHttpServer::Start("127.0.0.1", 0, [] { return std::string(); });
  ASSERT_TRUE(first.ok()) << first.status();
  const int port = (*first)->port();

  absl::StatusOr<std::unique_ptr<MetricsHttpServer>> second =
      MetricsHttpServer::Start("127.0.0.1", port, [] { return std::string(); });
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(second.status().message(),
              HasSubstr(absl::StrCat("127.0.0.1:", port)));
  EXPECT_THAT(second.status().message(), HasSubstr("in use"));

  // The first server still answers: the port was not shared.
  httplib::Client client("127.0.0.1", port);
  httplib::Result healthz = client.Get("/healthz");
  ASSERT_TRUE(healthz) << httplib::to_string(healthz.error());
  EXPECT_EQ(healthz->status, 200);
}

TEST(MetricsHttpServerTest, StopIsIdempotentAndClosesThePort) {
  absl::StatusOr<std::unique_ptr<MetricsHttpServer>> server =
      MetricsHttpServer::Start("127.0.0.1", 0, [] { return std::string(); });
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();
  (*server)->Stop();
  (*server)->Stop();

  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1);
  EXPECT_FALSE(client.Get("/healthz"));

  // The port can be bound again right away.
  absl::StatusOr<std::unique_ptr<MetricsHttpServer>> again =
      MetricsHttpServer::Start("127.0.0.1", port, [] { return std::string(); });
  EXPECT_TRUE(again.ok()) << again.status();
}

TEST(MetricsHttpServerTest, InvalidArguments) {
  const auto render = [] { return std::string(); };
  EXPECT_EQ(MetricsHttpServer::Start("", 0, render).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MetricsHttpServer::Start("127.0.0.1", -1, render).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      MetricsHttpServer::Start("127.0.0.1", 65536, render).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MetricsHttpServer::Start("127.0.0.1", 0, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MetricsHttpServerTest, UnresolvableHostIsUnavailable) {
  absl::StatusOr<std::unique_ptr<MetricsHttpServer>> server =
      MetricsHttpServer::Start("no-such-host.invalid", 0,
                               [] { return std::string(); });
  EXPECT_EQ(server.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(server.status().message(), HasSubstr("no-such-host.invalid:0"));
}

}  // namespace
}  // namespace sla::server
