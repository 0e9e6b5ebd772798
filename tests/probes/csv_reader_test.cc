#include "probes/csv_reader.h"

#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sla/engine.h"

namespace sla {
namespace probes {
namespace {

using ::testing::HasSubstr;

constexpr char kHeader[] = "timestamp_ms,service,probe,ok,latency_ms\n";

TEST(ParseProbeCsvTest, ReadsRowsAndNumbersSeriesByFirstAppearance) {
  const std::string text = std::string(kHeader) +
                           "1704067260000,web,home,0,10000.000\n"
                           "1704067200000,sql,tcp,1,1.5\n"
                           "1704067200000,web,home,1,42.125\n";
  absl::StatusOr<ProbeTable> t = ParseProbeCsv(text, "x.csv");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->series.size(), 2u);
  EXPECT_EQ(t->series[0].service, "web");
  EXPECT_EQ(t->series[0].probe, "home");
  EXPECT_EQ(t->series[1].service, "sql");
  ASSERT_EQ(t->rows.size(), 3u);
  EXPECT_EQ(t->rows[0].sli, 0u);
  EXPECT_EQ(t->rows[0].unix_ms, 1704067260000);
  EXPECT_FALSE(t->rows[0].ok);
  EXPECT_EQ(t->rows[0].latency_ms, 10000.0);
  EXPECT_EQ(t->rows[1].sli, 1u);
  EXPECT_EQ(t->rows[2].sli, 0u);
  EXPECT_TRUE(t->rows[2].ok);
  EXPECT_EQ(t->rows[2].latency_ms, 42.125);
}

TEST(ParseProbeCsvTest, AcceptsCrLfAndNoTrailingNewline) {
  const std::string text =
      "timestamp_ms,service,probe,ok,latency_ms\r\n1,a,b,1,0\r\n2,a,b,0,3";
  absl::StatusOr<ProbeTable> t = ParseProbeCsv(text, "x.csv");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[1].unix_ms, 2);
}

TEST(ParseProbeCsvTest, HeaderIsRequired) {
  absl::StatusOr<ProbeTable> t = ParseProbeCsv("1,a,b,1,0\n", "x.csv");
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("x.csv:1: the header must be"));
  EXPECT_EQ(ParseProbeCsv("", "e.csv").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ParseProbeCsv("", "e.csv").status().message(),
              HasSubstr("empty"));
}

struct BadLine {
  const char* line;
  const char* message;
};

class BadLineTest : public ::testing::TestWithParam<BadLine> {};

TEST_P(BadLineTest, IsRejectedWithLineNumberAndField) {
  const std::string text = std::string(kHeader) + "1,a,b,1,0\n" +
                           GetParam().line + "\n" + "3,a,b,1,0\n";
  absl::StatusOr<ProbeTable> t = ParseProbeCsv(text, "in.csv");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("in.csv:3: "));
  EXPECT_THAT(t.status().message(), HasSubstr(GetParam().message));
  EXPECT_THAT(t.status().message(), HasSubstr("nothing was read"));
}

INSTANTIATE_TEST_SUITE_P(
    Catalogue, BadLineTest,
    ::testing::Values(BadLine{"2,a,b,2,0", "field 'ok': expected 0 or 1"},
                      BadLine{"2,a,b,1,-1", "field 'latency_ms'"},
                      BadLine{"2,a,b,1,nan", "field 'latency_ms'"},
                      BadLine{"2,a,b,1,inf", "field 'latency_ms'"},
                      BadLine{"2,a,b,1,", "field 'latency_ms'"},
                      BadLine{"2,a,b,1", "expected 5 fields, found 4"},
                      BadLine{"2,a,b,1,0,9", "too many fields"},
                      BadLine{"x2,a,b,1,0", "field 'timestamp_ms'"},
                      BadLine{"2.5,a,b,1,0", "field 'timestamp_ms'"},
                      BadLine{"2,,b,1,0", "field 'service' is empty"},
                      BadLine{"2,a,,1,0", "field 'probe' is empty"}));

TEST(ParseProbeCsvTest, CountsAllBadLinesAndListsTheFirstTen) {
  std::string text = kHeader;
  for (int i = 0; i < 25; ++i) text += "1,a,b,7,0\n";
  absl::StatusOr<ProbeTable> t = ParseProbeCsv(text, "in.csv");
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("25 malformed lines"));
  EXPECT_THAT(t.status().message(), HasSubstr("in.csv:11:"));
  EXPECT_THAT(t.status().message(), ::testing::Not(HasSubstr("in.csv:12:")));
  EXPECT_THAT(t.status().message(), HasSubstr("and 15 more bad lines"));
}

// Inputs over 8 MiB are parsed on two threads; line numbers and series
// numbering must not depend on where the input was split.
std::string BigCsv(int lines, int bad_line) {
  std::string text = kHeader;
  for (int i = 2; i <= lines; ++i) {  // line 1 is the header
    if (i == bad_line) {
      text += "1704067200000,web,home,maybe,1.0\n";
    } else if (i > lines - 10) {
      text += "1704067200000,late,only,0,10000.000\n";
    } else {
      text += "1704067200000,web,home,1,123456.125\n";
    }
  }
  return text;
}

TEST(ParseProbeCsvTest, BigInputSplitAcrossThreadsKeepsLineNumbers) {
  constexpr int kLines = 300'000;  // ~11 MB
  const std::string text = BigCsv(kLines, kLines - 20);
  ASSERT_GT(text.size(), 8u << 20);
  absl::StatusOr<ProbeTable> t = ParseProbeCsv(text, "big.csv");
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("1 malformed line,"));
  EXPECT_THAT(t.status().message(),
              HasSubstr(absl::StrCat("big.csv:", kLines - 20, ": field 'ok'")));
}

TEST(ParseProbeCsvTest, BigInputSplitAcrossThreadsMergesSeries) {
  constexpr int kLines = 300'000;
  absl::StatusOr<ProbeTable> t = ParseProbeCsv(BigCsv(kLines, -1), "big.csv");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->rows.size(), static_cast<size_t>(kLines - 1));
  ASSERT_EQ(t->series.size(), 2u);
  EXPECT_EQ(t->series[1].service, "late");
  // Rows keep file order; the last 9 belong to the series first seen late.
  EXPECT_EQ(t->rows[kLines - 2].sli, 1u);
  EXPECT_FALSE(t->rows[kLines - 2].ok);
  EXPECT_EQ(t->rows[kLines - 12].sli, 0u);
  EXPECT_EQ(t->rows[kLines - 12].latency_ms, 123456.125);
}

TEST(ParseProbeCsvTest, DecimalsParseExactlyLikeFromChars) {
  // The fast path must give the correctly rounded double.
  const std::string text = std::string(kHeader) +
                           "1,a,b,1,0.1\n2,a,b,1,9999.999\n3,a,b,1,7\n"
                           "4,a,b,1,1e3\n5,a,b,1,0.30000000000000004\n";
  absl::StatusOr<ProbeTable> t = ParseProbeCsv(text, "d.csv");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->rows[0].latency_ms, 0.1);
  EXPECT_EQ(t->rows[1].latency_ms, 9999.999);
  EXPECT_EQ(t->rows[2].latency_ms, 7.0);
  EXPECT_EQ(t->rows[3].latency_ms, 1000.0);
  EXPECT_EQ(t->rows[4].latency_ms, 0.30000000000000004);
}

TEST(ReadProbeCsvTest, MissingFileIsNotFound) {
  absl::StatusOr<ProbeTable> t = ReadProbeCsv("/nonexistent/slakit.csv");
  EXPECT_EQ(t.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(t.status().message(), HasSubstr("/nonexistent/slakit.csv"));
}

TEST(ReadProbeCsvTest, ReadsAFileAndBindsItToAnEngine) {
  const std::string path = ::testing::TempDir() + "/reader_test.csv";
  std::FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs(kHeader, f);
  std::fputs("1704067200000,web,home,1,5\n1704067230000,web,home,0,5\n", f);
  std::fputs("1704067200000,web,api,1,5\n", f);
  std::fclose(f);
  absl::StatusOr<ProbeTable> t = ReadProbeCsv(path);
  ASSERT_TRUE(t.ok()) << t.status();

  Engine engine;
  // An SLI declared beforehand keeps its id; the others are added.
  SliSpec api;
  api.service = "web";
  api.name = "api";
  const SliId api_id = engine.AddSli(api).value();
  absl::StatusOr<std::vector<SliId>> ids = BindProbeTable(engine, *t);
  ASSERT_TRUE(ids.ok()) << ids.status();
  ASSERT_EQ(ids->size(), 2u);
  EXPECT_EQ((*ids)[1], api_id);
  EXPECT_EQ(t->rows[2].sli, api_id);
  ASSERT_TRUE(engine.Ingest(t->rows).ok());
  const Interval minute{absl::FromUnixSeconds(1704067200),
                        absl::FromUnixSeconds(1704067260)};
  EXPECT_EQ(engine.Query((*ids)[0], minute).value(), (Counts{1, 2}));
  EXPECT_EQ(engine.Query(api_id, minute).value(), (Counts{1, 1}));
}

}  // namespace
}  // namespace probes
}  // namespace sla
