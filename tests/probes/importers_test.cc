// Tests of the JSON-lines reader, the Prometheus (blackbox_exporter)
// importer and the format dispatcher.

#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "probes/importer.h"
#include "probes/jsonl_reader.h"
#include "probes/prom_importer.h"

namespace sla {
namespace probes {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kJan1 = 1704067200000;  // 2024-01-01T00:00:00Z

std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  EXPECT_NE(f, nullptr);
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
  return path;
}

// ---------------------------------------------------------------- JSONL

TEST(ParseProbeJsonlTest, ReadsRowsAndNumbersSeriesByFirstAppearance) {
  const std::string text =
      R"({"timestamp_ms": 1704067200000, "service": "web", "probe": "home", "ok": true, "latency_ms": 42.125})"
      "\n"
      R"({"latency_ms":1.5,"ok":0,"probe":"tcp","service":"sql","timestamp_ms":1704067260000})"
      "\n"
      R"(  {"service":"web","probe":"home","ok":false,"timestamp_ms":1704067320000}  )"
      "\n"
      R"({"service":"web","probe":"home","ok":1,"timestamp_ms":-5,"latency_ms":null})"
      "\n";
  absl::StatusOr<ProbeTable> t = ParseProbeJsonl(text, "x.jsonl");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->series.size(), 2u);
  EXPECT_EQ(t->series[0].service, "web");
  EXPECT_EQ(t->series[0].probe, "home");
  EXPECT_EQ(t->series[1].service, "sql");
  EXPECT_EQ(t->series[1].probe, "tcp");
  ASSERT_EQ(t->rows.size(), 4u);
  EXPECT_EQ(t->rows[0].sli, 0u);
  EXPECT_EQ(t->rows[0].unix_ms, kJan1);
  EXPECT_TRUE(t->rows[0].ok);
  EXPECT_EQ(t->rows[0].latency_ms, 42.125);
  EXPECT_EQ(t->rows[1].sli, 1u);
  EXPECT_EQ(t->rows[1].unix_ms, kJan1 + 60'000);
  EXPECT_FALSE(t->rows[1].ok);
  EXPECT_EQ(t->rows[1].latency_ms, 1.5);
  EXPECT_EQ(t->rows[2].sli, 0u);
  EXPECT_FALSE(t->rows[2].ok);
  EXPECT_EQ(t->rows[2].latency_ms, 0);  // absent
  EXPECT_TRUE(t->rows[3].ok);
  EXPECT_EQ(t->rows[3].unix_ms, -5);
  EXPECT_EQ(t->rows[3].latency_ms, 0);  // null
}

TEST(ParseProbeJsonlTest, ReadsWhatTheProberPrints) {
  // `slakit probe --format json`: outcome instead of ok, a reason that is
  // ignored, an RFC 3339 time.
  const std::string text =
      R"({"service":"web","probe":"home","kind":"http","timestamp":"2024-01-01T00:00:00.000Z","outcome":"ok","latency_ms":12.5,"reason":""})"
      "\n"
      R"j({"timestamp":"2024-01-01T00:00:30Z","service":"web","probe":"home","outcome":"fail","latency_ms":40,"reason":"status 503 (expected 200)"})j"
      "\n"
      R"({"timestamp":"2024-01-01T00:01:00Z","service":"web","probe":"home","outcome":"timeout","latency_ms":2000,"reason":"timed out after 2s"})"
      "\n"
      R"({"timestamp":"2024-01-01T00:01:30Z","service":"web","probe":"home","outcome":"error","reason":"DNS failure"})"
      "\n";
  absl::StatusOr<ProbeTable> t = ParseProbeJsonl(text, "probe.jsonl");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->rows.size(), 4u);
  EXPECT_EQ(t->series.size(), 1u);
  EXPECT_TRUE(t->rows[0].ok);
  EXPECT_EQ(t->rows[0].latency_ms, 12.5);
  EXPECT_FALSE(t->rows[1].ok);
  EXPECT_FALSE(t->rows[2].ok);
  EXPECT_EQ(t->rows[2].latency_ms, 2000);
  EXPECT_EQ(t->rows[2].unix_ms, kJan1 + 60'000);
  EXPECT_FALSE(t->rows[3].ok);
  EXPECT_EQ(t->rows[3].latency_ms, 0);
  EXPECT_EQ(t->rows[3].unix_ms, kJan1 + 90'000);
}

TEST(ParseProbeJsonlTest, Rfc3339TimesWithOffsetsAndFractions) {
  struct Case {
    const char* time;
    int64_t unix_ms;
  };
  const Case cases[] = {
      {"2024-01-01T00:00:00Z", kJan1},
      {"2024-01-01t00:00:00z", kJan1},
      {"2024-01-01T01:00:00+01:00", kJan1},
      {"2023-12-31T18:30:00-05:30", kJan1},
      {"2024-01-01T05:45:00.125+05:45", kJan1 + 125},
      {"2024-01-01T00:00:00.2509Z", kJan1 + 250},  // floored
      {"2024-01-01T00:00:00.999999999Z", kJan1 + 999},
      {"1969-12-31T23:59:59.9995Z", -1},  // floored, not truncated
  };
  for (const Case& c : cases) {
    const std::string line =
        absl::StrCat(R"({"service":"s","probe":"p","ok":true,"timestamp":")",
                     c.time, R"("})");
    absl::StatusOr<ProbeTable> t = ParseProbeJsonl(line, "t.jsonl");
    ASSERT_TRUE(t.ok()) << c.time << ": " << t.status();
    EXPECT_EQ(t->rows.at(0).unix_ms, c.unix_ms) << c.time;
  }
}

TEST(ParseProbeJsonlTest, DecodesStringEscapes) {
  const std::string text =
      R"({"service":"caf\u00e9 \"A\"\\\/","probe":"\ud83d\ude00 \u20AC","ok":1,"timestamp_ms":0,"reason":"\b\f\n\r\t\u0000"})"
      "\n"
      // Raw UTF-8 passes through.
      "{\"service\":\"caf\xC3\xA9 \\\"A\\\"\\\\/\",\"probe\":\"\xE6\x97\xA5\","
      "\"ok\":1,\"timestamp_ms\":0}\n";
  absl::StatusOr<ProbeTable> t = ParseProbeJsonl(text, "e.jsonl");
  ASSERT_TRUE(t.ok()) << t.status().message();
  ASSERT_EQ(t->series.size(), 2u);
  EXPECT_EQ(t->series[0].service, "caf\xC3\xA9 \"A\"\\/");
  EXPECT_EQ(t->series[0].probe, "\xF0\x9F\x98\x80 \xE2\x82\xAC");
  // Escaped and raw forms of the same service are the same name.
  EXPECT_EQ(t->series[1].service, t->series[0].service);
  EXPECT_EQ(t->series[1].probe, "\xE6\x97\xA5");
}

TEST(ParseProbeJsonlTest, SkipsBlankLinesAndAcceptsCrLfAndBom) {
  const std::string text =
      "\xEF\xBB\xBF"
      R"({"service":"a","probe":"b","ok":true,"timestamp_ms":1})"
      "\r\n\r\n   \n\t\n"
      R"({"service":"a","probe":"b","ok":false,"timestamp_ms":2})";
  absl::StatusOr<ProbeTable> t = ParseProbeJsonl(text, "b.jsonl");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[1].unix_ms, 2);
  EXPECT_TRUE(ParseProbeJsonl("", "empty.jsonl").ok());
  EXPECT_TRUE(ParseProbeJsonl("\n\n", "empty.jsonl")->rows.empty());
}

TEST(ParseProbeJsonlTest, BlankLinesStillCountForLineNumbers) {
  const std::string text =
      "\n\n"
      R"({"service":"a","probe":"b","ok":"yes","timestamp_ms":1})"
      "\n";
  absl::StatusOr<ProbeTable> t = ParseProbeJsonl(text, "n.jsonl");
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(
      t.status().message(),
      HasSubstr(
          "n.jsonl:3: field 'ok': expected true, false, 0 or 1, got \"yes\""));
}

struct BadLine {
  const char* line;
  const char* message;
};

class JsonlBadLineTest : public ::testing::TestWithParam<BadLine> {};

TEST_P(JsonlBadLineTest, IsRejectedWithLineNumberAndWhatIsWrong) {
  const std::string good =
      R"({"service":"a","probe":"b","ok":true,"timestamp_ms":1})";
  const std::string text =
      absl::StrCat(good, "\n", GetParam().line, "\n", good, "\n");
  absl::StatusOr<ProbeTable> t = ParseProbeJsonl(text, "in.jsonl");
  ASSERT_FALSE(t.ok()) << GetParam().line;
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(t.status().message());
  EXPECT_THAT(message, HasSubstr("1 malformed line, nothing was read:\n"
                                 "in.jsonl:2: "));
  EXPECT_THAT(message, HasSubstr(GetParam().message));
}

#define ROW(rest) R"({"service":"a","probe":"b",)" rest "}"

INSTANTIATE_TEST_SUITE_P(
    Fields, JsonlBadLineTest,
    ::testing::Values(
        BadLine{ROW(R"("ok":2,"timestamp_ms":1)"),
                "field 'ok': expected true, false, 0 or 1, got 2"},
        BadLine{ROW(R"("ok":"true","timestamp_ms":1)"),
                "field 'ok': expected true, false, 0 or 1, got \"true\""},
        BadLine{ROW(R"("ok":1.0,"timestamp_ms":1)"),
                "field 'ok': expected true, false, 0 or 1, got 1.0"},
        BadLine{ROW(R"("ok":null,"timestamp_ms":1)"),
                "field 'ok': expected true, false, 0 or 1, got null"},
        BadLine{ROW(R"("outcome":"down","timestamp_ms":1)"),
                "field 'outcome': expected \"ok\", \"fail\", \"timeout\" or "
                "\"error\", got \"down\""},
        BadLine{ROW(R"("outcome":"OK","timestamp_ms":1)"), "got \"OK\""},
        BadLine{ROW(R"("ok":true,"outcome":"ok","timestamp_ms":1)"),
                "give 'ok' or 'outcome', not both"},
        BadLine{ROW(R"("timestamp_ms":1)"),
                "field 'ok' (or 'outcome') is missing"},
        BadLine{ROW(R"("ok":true)"),
                "field 'timestamp_ms' (or 'timestamp') is missing"},
        BadLine{
            ROW(R"("ok":true,"timestamp_ms":1,"timestamp":"2024-01-01T00:00:00Z")"),
            "give 'timestamp_ms' or 'timestamp', not both"},
        BadLine{ROW(R"("ok":true,"timestamp_ms":1.5)"),
                "field 'timestamp_ms': expected an integer number of "
                "milliseconds since the epoch, got 1.5"},
        BadLine{ROW(R"("ok":true,"timestamp_ms":1e12)"),
                "field 'timestamp_ms': expected an integer"},
        BadLine{ROW(R"("ok":true,"timestamp_ms":"1704067200000")"),
                "field 'timestamp_ms': expected an integer"},
        BadLine{ROW(R"("ok":true,"timestamp_ms":99999999999999999999)"),
                "field 'timestamp_ms': expected an integer"},
        BadLine{ROW(R"("ok":true,"timestamp":"2024-01-01T00:00:00")"),
                "field 'timestamp': expected an RFC 3339 time with an "
                "offset"},
        BadLine{ROW(R"("ok":true,"timestamp":"2024-01-01 00:00:00Z")"),
                "field 'timestamp': expected an RFC 3339"},
        BadLine{ROW(R"("ok":true,"timestamp":"2024-1-1T00:00:00Z")"),
                "field 'timestamp': expected an RFC 3339"},
        BadLine{ROW(R"("ok":true,"timestamp":"2024-02-30T00:00:00Z")"),
                "field 'timestamp': expected an RFC 3339"},
        BadLine{ROW(R"("ok":true,"timestamp":1704067200000)"),
                "field 'timestamp': expected an RFC 3339"},
        BadLine{ROW(R"("ok":true,"timestamp_ms":1,"latency_ms":-1)"),
                "field 'latency_ms': expected a finite number >= 0, got -1"},
        BadLine{ROW(R"("ok":true,"timestamp_ms":1,"latency_ms":1e999)"),
                "field 'latency_ms': expected a finite number >= 0, got "
                "1e999"},
        BadLine{ROW(R"("ok":true,"timestamp_ms":1,"latency_ms":"5")"),
                "field 'latency_ms': expected a finite number >= 0, got "
                "\"5\""},
        BadLine{ROW(R"("ok":true,"timestamp_ms":1,"latncy_ms":5)"),
                "unknown field 'latncy_ms' (expected timestamp_ms or "
                "timestamp, service, probe, ok or outcome, latency_ms; "
                "ignored: kind, reason)"},
        BadLine{ROW(R"("ok":true,"ok":false,"timestamp_ms":1)"),
                "field 'ok' appears twice"},
        BadLine{R"({"probe":"b","ok":true,"timestamp_ms":1})",
                "field 'service' is missing"},
        BadLine{R"({"service":"","probe":"b","ok":true,"timestamp_ms":1})",
                "field 'service' is empty"},
        BadLine{R"({"service":"a","probe":7,"ok":true,"timestamp_ms":1})",
                "field 'probe': expected a string, got 7"},
        BadLine{R"({"service":"a\nb","probe":"b","ok":true,"timestamp_ms":1})",
                "field 'service': \"a?b\" holds a control character"},
        BadLine{ROW(R"("ok":true,"timestamp_ms":1,"reason":{"a":1})"),
                "invalid JSON at column 64: field 'reason': nested objects "
                "and arrays are not read"}));

INSTANTIATE_TEST_SUITE_P(
    Syntax, JsonlBadLineTest,
    ::testing::Values(
        BadLine{"[1, 2]", "invalid JSON at column 1: expected a JSON object"},
        BadLine{"not json", "invalid JSON at column 1: expected a JSON object"},
        BadLine{R"({"service":"a" "probe":"b"})",
                "invalid JSON at column 16: expected ',' or '}'"},
        BadLine{R"({"service" "a"})",
                "invalid JSON at column 12: expected ':' after key "
                "\"service\""},
        BadLine{R"({service:"a"})",
                "invalid JSON at column 2: expected a key (a string)"},
        BadLine{R"({"service":"a",})",
                "invalid JSON at column 16: expected a key"},
        BadLine{R"({"service":"a")",
                "invalid JSON at column 15: expected ',' or '}' (the line "
                "ends)"},
        BadLine{R"({"service":"a)", "unterminated string (the line ends)"},
        BadLine{R"({"ok":tru})",
                "invalid JSON at column 7: expected a value "
                "for key \"ok\""},
        BadLine{R"({"ok":01})",
                "invalid JSON at column 8: expected ',' or '}'"},
        BadLine{R"({"ok":-})", "invalid JSON at column 8: invalid number"},
        BadLine{R"({"ok":1.})",
                "invalid JSON at column 9: invalid number: expected a digit "
                "after '.'"},
        BadLine{R"({"ok":1e})", "expected a digit in the exponent"},
        BadLine{R"({"ok":true} {"ok":true})",
                "invalid JSON at column 13: unexpected text after the object"},
        BadLine{R"({"a":"\x"})", "invalid JSON at column 7: invalid escape"},
        BadLine{R"({"a":"\u12G4"})",
                "invalid JSON at column 9: expected 4 hex digits after \\u"},
        BadLine{R"({"a":"\ud83d"})",
                "invalid JSON at column 7: high surrogate not followed by a "
                "low surrogate"},
        BadLine{R"({"a":"\ud83d\u0041"})",
                "invalid JSON at column 7: high surrogate not followed"},
        BadLine{R"({"a":"\ude00"})",
                "invalid JSON at column 7: unpaired low surrogate"},
        BadLine{"{\"a\":\"x\ty\"}",
                "invalid JSON at column 8: control character in a string"},
        BadLine{"{\"a\":\"\xC3\"}",
                "invalid JSON at column 7: invalid UTF-8 in a string"},
        BadLine{"{\"a\":\"\xC0\xAF\"}", "invalid UTF-8 in a string"},
        BadLine{"{\"a\":\"\xED\xA0\x80\"}", "invalid UTF-8 in a string"}));

#undef ROW

TEST(ParseProbeJsonlTest, CountsAllBadLinesAndListsTheFirstTen) {
  std::string text;
  for (int i = 0; i < 25; ++i) {
    text += R"({"service":"a","probe":"b","ok":7,"timestamp_ms":1})";
    text += "\n";
  }
  absl::StatusOr<ProbeTable> t = ParseProbeJsonl(text, "in.jsonl");
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(),
              HasSubstr("25 malformed lines, nothing was read:\nin.jsonl:1: "));
  EXPECT_THAT(t.status().message(), HasSubstr("in.jsonl:10:"));
  EXPECT_THAT(t.status().message(), Not(HasSubstr("in.jsonl:11:")));
  EXPECT_THAT(t.status().message(), HasSubstr("\n... and 15 more bad lines"));
}

TEST(ReadProbeJsonlTest, ReadsAFileAndRejectsAMissingOne) {
  const std::string path = WriteTemp(
      "reader_test.jsonl",
      R"({"service":"web","probe":"home","ok":true,"timestamp_ms":1704067200000,"latency_ms":3})"
      "\n");
  absl::StatusOr<ProbeTable> t = ReadProbeJsonl(path);
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->rows.size(), 1u);
  EXPECT_EQ(t->rows[0].latency_ms, 3);

  t = ReadProbeJsonl("/nonexistent/slakit.jsonl");
  EXPECT_EQ(t.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(t.status().message(), HasSubstr("/nonexistent/slakit.jsonl"));
}

// ---------------------------------------------------------------- Prometheus

TEST(ParseProbePromTest, ReadsLabelledSamplesWithTimestamps) {
  const std::string text =
      "# TYPE probe_success gauge\n"
      "probe_success{service=\"web\",probe=\"home\"} 1 1704067200000\n"
      "probe_success{service=\"web\",probe=\"home\"} 0 1704067260000\n"
      "probe_success{service=\"sql\",probe=\"tcp\"} 1 1704067200000\n"
      "probe_duration_seconds{service=\"web\",probe=\"home\"} 0.125 "
      "1704067200000\n"
      // Same labels in another order, still the same series.
      "probe_duration_seconds{probe=\"home\",service=\"web\"} 2.5 "
      "1704067260000\n";
  absl::StatusOr<ProbeTable> t = ParseProbeProm(text, "x.prom", {});
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->series.size(), 2u);
  EXPECT_EQ(t->series[0].service, "web");
  EXPECT_EQ(t->series[0].probe, "home");
  EXPECT_EQ(t->series[1].service, "sql");
  ASSERT_EQ(t->rows.size(), 3u);
  EXPECT_EQ(t->rows[0].sli, 0u);
  EXPECT_EQ(t->rows[0].unix_ms, kJan1);
  EXPECT_TRUE(t->rows[0].ok);
  EXPECT_EQ(t->rows[0].latency_ms, 125);
  EXPECT_EQ(t->rows[1].unix_ms, kJan1 + 60'000);
  EXPECT_FALSE(t->rows[1].ok);
  EXPECT_EQ(t->rows[1].latency_ms, 2500);
  EXPECT_EQ(t->rows[2].sli, 1u);
  EXPECT_EQ(t->rows[2].latency_ms, 0);  // no duration sample
}

// What `curl 'localhost:9115/probe?target=example.com&module=http_2xx'`
// prints (blackbox_exporter 0.24): no labels on the probe_ metrics we read,
// no timestamps, and the duration before the success.
constexpr char kRawScrape[] =
    R"(# HELP probe_dns_lookup_time_seconds Returns the time taken for probe dns lookup in seconds
# TYPE probe_dns_lookup_time_seconds gauge
probe_dns_lookup_time_seconds 0.004147625
# HELP probe_duration_seconds Returns how long the probe took to complete in seconds
# TYPE probe_duration_seconds gauge
probe_duration_seconds 0.0421
# HELP probe_failed_due_to_regex Indicates if probe failed due to regex
# TYPE probe_failed_due_to_regex gauge
probe_failed_due_to_regex 0
# HELP probe_http_content_length Length of http content response
# TYPE probe_http_content_length gauge
probe_http_content_length 1256
# HELP probe_http_duration_seconds Duration of http request by phase, summed over all redirects
# TYPE probe_http_duration_seconds gauge
probe_http_duration_seconds{phase="connect"} 0.010381333
probe_http_duration_seconds{phase="processing"} 0.011102125
probe_http_duration_seconds{phase="resolve"} 0.004147625
probe_http_duration_seconds{phase="tls"} 0.012498042
probe_http_duration_seconds{phase="transfer"} 0.000067709
# HELP probe_http_status_code Response HTTP status code
# TYPE probe_http_status_code gauge
probe_http_status_code 200
# HELP probe_http_version Returns the version of HTTP of the probe response
# TYPE probe_http_version gauge
probe_http_version 1.1
# HELP probe_ip_protocol Specifies whether probe ip protocol is IP4 or IP6
# TYPE probe_ip_protocol gauge
probe_ip_protocol 4
# HELP probe_ssl_earliest_cert_expiry Returns last SSL chain expiry in unixtime
# TYPE probe_ssl_earliest_cert_expiry gauge
probe_ssl_earliest_cert_expiry 1.7262e+09
# HELP probe_success Displays whether or not the probe was a success
# TYPE probe_success gauge
probe_success 1
)";

TEST(ParseProbePromTest, RawBlackboxScrapeWithDefaults) {
  ImportOptions options;
  options.service = "web";
  options.probe = "home";
  options.at = absl::FromUnixMillis(kJan1) + absl::Microseconds(1500);
  absl::StatusOr<ProbeTable> t =
      ParseProbeProm(kRawScrape, "scrape.prom", options);
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->series.size(), 1u);
  EXPECT_EQ(t->series[0].service, "web");
  EXPECT_EQ(t->series[0].probe, "home");
  ASSERT_EQ(t->rows.size(), 1u);
  EXPECT_EQ(t->rows[0].unix_ms, kJan1 + 1);  // floored to the millisecond
  EXPECT_TRUE(t->rows[0].ok);
  EXPECT_DOUBLE_EQ(t->rows[0].latency_ms, 42.1);
}

TEST(ParseProbePromTest, RawScrapeWithoutDefaultsNamesTheLine) {
  const int success_line = 34;  // "probe_success 1" in kRawScrape
  ImportOptions no_time;
  no_time.service = "web";
  no_time.probe = "home";
  absl::StatusOr<ProbeTable> t =
      ParseProbeProm(kRawScrape, "scrape.prom", no_time);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(),
              HasSubstr(absl::StrCat("scrape.prom:", success_line,
                                     ": probe_success: no timestamp, and no "
                                     "default given (slakit import --at "
                                     "TIME)")));

  ImportOptions no_service = no_time;
  no_service.service = "";
  no_service.at = absl::FromUnixMillis(kJan1);
  t = ParseProbeProm(kRawScrape, "scrape.prom", no_service);
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(),
              HasSubstr(absl::StrCat("scrape.prom:", success_line,
                                     ": probe_success: no 'service' or 'job' "
                                     "label, and no default given (slakit "
                                     "import --service NAME)")));

  ImportOptions no_probe = no_time;
  no_probe.probe = "";
  no_probe.at = absl::FromUnixMillis(kJan1);
  t = ParseProbeProm(kRawScrape, "scrape.prom", no_probe);
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(),
              HasSubstr(absl::StrCat("scrape.prom:", success_line,
                                     ": probe_success: no 'probe', "
                                     "'instance' or 'target' label, and no "
                                     "default given (slakit import --probe "
                                     "NAME)")));

  t = ParseProbeProm(kRawScrape, "scrape.prom", {});
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(
      t.status().message(),
      HasSubstr(absl::StrCat(
          "1 malformed line, nothing was read:\nscrape.prom:", success_line,
          ": probe_success: no timestamp, no 'service' or 'job' "
          "label, no 'probe', 'instance' or 'target' label, and no "
          "default given (slakit import --at TIME --service NAME "
          "--probe NAME)")));
}

TEST(ParseProbePromTest, LabelPrecedence) {
  // service: service > job > default; probe: probe > instance > target >
  // default; an empty label counts as absent.
  const std::string text =
      "probe_success{service=\"s\",job=\"j\",probe=\"p\",instance=\"i\","
      "target=\"t\"} 1 1\n"
      "probe_success{job=\"j\",instance=\"i\",target=\"t\"} 1 2\n"
      "probe_success{job=\"j\",target=\"t\"} 1 3\n"
      "probe_success{service=\"\",job=\"j2\",probe=\"\"} 1 4\n"
      "probe_success{module=\"http_2xx\"} 1 5\n"
      "probe_success 1 6\n";
  ImportOptions options;
  options.service = "default-s";
  options.probe = "default-p";
  absl::StatusOr<ProbeTable> t = ParseProbeProm(text, "l.prom", options);
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->rows.size(), 6u);
  ASSERT_EQ(t->series.size(), 5u);
  const auto name = [&t](int row) {
    const SeriesName& s = t->series[t->rows[row].sli];
    return absl::StrCat(s.service, "/", s.probe);
  };
  EXPECT_EQ(name(0), "s/p");
  EXPECT_EQ(name(1), "j/i");
  EXPECT_EQ(name(2), "j/t");
  EXPECT_EQ(name(3), "j2/default-p");
  EXPECT_EQ(name(4), "default-s/default-p");
  EXPECT_EQ(name(5), "default-s/default-p");
  EXPECT_EQ(t->rows[4].sli, t->rows[5].sli);
  EXPECT_EQ(t->rows[5].unix_ms, 6);
}

TEST(ParseProbePromTest, StoredSamplesWithJobAndInstance) {
  // As Prometheus stores a blackbox target: job and instance added.
  const std::string text =
      "probe_duration_seconds{instance=\"https://example.com\",job="
      "\"blackbox\"} 0.5 1704067200000\n"
      "probe_success{instance=\"https://example.com\",job=\"blackbox\"} 0 "
      "1704067200000\n"
      "probe_http_status_code{instance=\"https://example.com\",job="
      "\"blackbox\"} 503 1704067200000\n";
  absl::StatusOr<ProbeTable> t = ParseProbeProm(text, "s.prom", {});
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->rows.size(), 1u);
  EXPECT_EQ(t->series[0].service, "blackbox");
  EXPECT_EQ(t->series[0].probe, "https://example.com");
  EXPECT_FALSE(t->rows[0].ok);
  EXPECT_EQ(t->rows[0].latency_ms, 500);
}

TEST(ParseProbePromTest, MismatchedDurationsAreErrors) {
  const std::string text =
      "probe_success{service=\"web\",probe=\"home\"} 1 1704067200000\n"
      // Another timestamp.
      "probe_duration_seconds{service=\"web\",probe=\"home\"} 0.1 "
      "1704067200001\n"
      // Other labels.
      "probe_duration_seconds{service=\"web\",probe=\"home\",phase=\"x\"} "
      "0.1 1704067200000\n"
      // No timestamp while the success has one.
      "probe_duration_seconds{service=\"web\",probe=\"home\"} 0.1\n";
  absl::StatusOr<ProbeTable> t = ParseProbeProm(text, "m.prom", {});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string why =
      ": probe_duration_seconds: no probe_success with the same labels and "
      "timestamp";
  EXPECT_THAT(t.status().message(), HasSubstr("3 malformed lines"));
  EXPECT_THAT(t.status().message(), HasSubstr(absl::StrCat("m.prom:2", why)));
  EXPECT_THAT(t.status().message(), HasSubstr(absl::StrCat("m.prom:3", why)));
  EXPECT_THAT(t.status().message(), HasSubstr(absl::StrCat("m.prom:4", why)));
  EXPECT_THAT(t.status().message(), Not(HasSubstr("m.prom:1:")));
}

TEST(ParseProbePromTest, BadValuesAndDuplicatesNameTheirLines) {
  const std::string text =
      "probe_success{service=\"a\",probe=\"b\"} 0.5 1\n"
      "probe_success{service=\"a\",probe=\"b\"} NaN 2\n"
      "probe_success{service=\"a\",probe=\"b\"} 1 3\n"
      "probe_success{probe=\"b\",service=\"a\"} 0 3\n"
      "probe_duration_seconds{service=\"a\",probe=\"b\"} -1 3\n"
      "probe_duration_seconds{service=\"a\",probe=\"b\"} 0.2 3\n"
      "probe_duration_seconds{service=\"a\",probe=\"b\"} +Inf 1\n";
  absl::StatusOr<ProbeTable> t = ParseProbeProm(text, "v.prom", {});
  ASSERT_FALSE(t.ok());
  const std::string m(t.status().message());
  EXPECT_THAT(m, HasSubstr("6 malformed lines, nothing was read"));
  EXPECT_THAT(m, HasSubstr("v.prom:1: probe_success: value 0.5 is not 0 or 1"));
  EXPECT_THAT(m, HasSubstr("v.prom:2: probe_success: value NaN is not 0 or 1"));
  EXPECT_THAT(m, HasSubstr("v.prom:4: probe_success: a second sample with the "
                           "same labels and timestamp (the first is on line "
                           "3)"));
  EXPECT_THAT(m, HasSubstr("v.prom:5: probe_duration_seconds: value -1 is not "
                           "a finite number >= 0"));
  EXPECT_THAT(m, HasSubstr("v.prom:6: probe_duration_seconds: a second sample "
                           "with the same labels and timestamp (the first is "
                           "on line 5)"));
  EXPECT_THAT(m, HasSubstr("v.prom:7: probe_duration_seconds: value +Inf is "
                           "not a finite number >= 0"));
  // Line 3 is fine in itself.
  EXPECT_THAT(m, Not(HasSubstr("v.prom:3:")));
}

// A value is quoted as written, not rounded to six digits ("1").
TEST(ParseProbePromTest, ValuesAreQuotedExactly) {
  absl::StatusOr<ProbeTable> t = ParseProbeProm(
      "probe_success{service=\"a\",probe=\"b\"} 0.9999999 1\n", "v.prom", {});
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(),
              HasSubstr("v.prom:1: probe_success: value 0.9999999 is not 0 "
                        "or 1"));
}

TEST(ParseProbePromTest, NoProbeSuccessIsAnError) {
  absl::StatusOr<ProbeTable> t = ParseProbeProm(
      "# TYPE node_load1 gauge\nnode_load1 0.5\n", "node.prom", {});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(),
              HasSubstr("node.prom: no probe_success samples"));
}

TEST(ParseProbePromTest, SyntaxErrorsAreRejected) {
  absl::StatusOr<ProbeTable> t = ParseProbeProm(
      "probe_success{service=\"a\",probe=\"b\"} 1 1\nprobe_success{ 1\n",
      "syn.prom", {});
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("syn.prom"));
}

// ---------------------------------------------------------------- dispatcher

TEST(ImportFormatTest, FromName) {
  EXPECT_EQ(FormatFromName("csv").value(), ImportFormat::kCsv);
  EXPECT_EQ(FormatFromName("jsonl").value(), ImportFormat::kJsonl);
  EXPECT_EQ(FormatFromName("ndjson").value(), ImportFormat::kJsonl);
  EXPECT_EQ(FormatFromName("prom").value(), ImportFormat::kPrometheus);
  EXPECT_EQ(FormatFromName("prometheus").value(), ImportFormat::kPrometheus);
  for (ImportFormat f :
       {ImportFormat::kCsv, ImportFormat::kJsonl, ImportFormat::kPrometheus}) {
    EXPECT_EQ(FormatFromName(FormatName(f)).value(), f);
  }
  absl::StatusOr<ImportFormat> f = FormatFromName("json");
  EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(f.status().message(),
              HasSubstr("unknown format 'json' (expected csv, jsonl or prom)"));
}

TEST(ImportFormatTest, FromPath) {
  EXPECT_EQ(FormatFromPath("a.csv").value(), ImportFormat::kCsv);
  EXPECT_EQ(FormatFromPath("/d.x/a.CSV").value(), ImportFormat::kCsv);
  EXPECT_EQ(FormatFromPath("a.jsonl").value(), ImportFormat::kJsonl);
  EXPECT_EQ(FormatFromPath("a.ndjson").value(), ImportFormat::kJsonl);
  EXPECT_EQ(FormatFromPath("a.prom").value(), ImportFormat::kPrometheus);
  EXPECT_EQ(FormatFromPath("scrape.txt").value(), ImportFormat::kPrometheus);

  absl::StatusOr<ImportFormat> f = FormatFromPath("/d.csv/results");
  EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(f.status().message(),
              HasSubstr("cannot tell the format of '/d.csv/results' from its "
                        "extension (none; known: .csv, .jsonl, .ndjson, "
                        ".prom or .txt)"));
  EXPECT_THAT(FormatFromPath("a.json").status().message(),
              HasSubstr("(.json; known:"));
  EXPECT_THAT(FormatFromPath(".csv").status().message(),
              HasSubstr("cannot tell"));
  f = FormatFromPath("tiny.csv.gz");
  EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(f.status().message(),
              HasSubstr("'tiny.csv.gz' is compressed (gz); decompress it "
                        "first"));
  EXPECT_THAT(FormatFromPath("small.csv.xz").status().message(),
              HasSubstr("compressed (xz)"));
}

TEST(ReadProbeFileTest, ReadsEachFormat) {
  const std::string csv = WriteTemp("rf.csv",
                                    "timestamp_ms,service,probe,ok,latency_ms\n"
                                    "1704067200000,web,home,1,5\n");
  const std::string jsonl = WriteTemp(
      "rf.jsonl",
      R"({"service":"web","probe":"home","ok":1,"timestamp_ms":1704067200000,"latency_ms":5})"
      "\n");
  const std::string prom = WriteTemp(
      "rf.prom",
      "probe_success{service=\"web\",probe=\"home\"} 1 1704067200000\n"
      "probe_duration_seconds{service=\"web\",probe=\"home\"} 0.005 "
      "1704067200000\n");
  for (const std::string& path : {csv, jsonl, prom}) {
    absl::StatusOr<ProbeTable> t =
        ReadProbeFile(path, FormatFromPath(path).value(), {});
    ASSERT_TRUE(t.ok()) << path << ": " << t.status();
    ASSERT_EQ(t->rows.size(), 1u) << path;
    EXPECT_EQ(t->series[0].service, "web");
    EXPECT_EQ(t->series[0].probe, "home");
    EXPECT_EQ(t->rows[0].unix_ms, kJan1);
    EXPECT_TRUE(t->rows[0].ok);
    EXPECT_DOUBLE_EQ(t->rows[0].latency_ms, 5);
  }
  // The format named overrides the extension.
  const std::string odd =
      WriteTemp("rf-jsonl.csv",
                R"({"service":"web","probe":"home","ok":1,"timestamp_ms":1})");
  EXPECT_TRUE(ReadProbeFile(odd, ImportFormat::kJsonl, {}).ok());
  absl::StatusOr<ProbeTable> t = ReadProbeFile(odd, ImportFormat::kCsv, {});
  EXPECT_THAT(t.status().message(), HasSubstr("rf-jsonl.csv:1: the header"));
}

TEST(ReadProbeFileTest, DefaultsApplyToPrometheusOnly) {
  const std::string csv = WriteTemp(
      "d.csv", "timestamp_ms,service,probe,ok,latency_ms\n1,a,b,1,0\n");
  ImportOptions options;
  options.service = "web";
  absl::StatusOr<ProbeTable> t =
      ReadProbeFile(csv, ImportFormat::kCsv, options);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(),
              HasSubstr("applies to Prometheus text only; every csv row "
                        "names its own"));
  options = ImportOptions();
  options.at = absl::UnixEpoch();
  EXPECT_FALSE(ReadProbeFile(csv, ImportFormat::kJsonl, options).ok());
}

TEST(ReadProbeFileTest, CompressedContentIsRejected) {
  const std::string gz =
      WriteTemp("c.csv", std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00", 8));
  absl::StatusOr<ProbeTable> t = ReadProbeFile(gz, ImportFormat::kCsv, {});
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("holds gzip-compressed data"));
  const std::string xz = WriteTemp("c.jsonl", std::string("\xfd"
                                                          "7zXZ\0\0\x04",
                                                          8));
  t = ReadProbeFile(xz, ImportFormat::kJsonl, {});
  EXPECT_THAT(t.status().message(), HasSubstr("holds xz-compressed data"));
}

TEST(ReadProbeFileTest, MissingFileIsNotFound) {
  absl::StatusOr<ProbeTable> t =
      ReadProbeFile("/nonexistent/x.prom", ImportFormat::kPrometheus, {});
  EXPECT_EQ(t.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(t.status().message(), HasSubstr("/nonexistent/x.prom"));
}

}  // namespace
}  // namespace probes
}  // namespace sla
