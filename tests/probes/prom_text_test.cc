// Tests of ParsePromText (probes/prom_text.h): the lines it reads, and the
// source:line of the first line it rejects.

#include "probes/prom_text.h"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sla::probes {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

using Labels = std::vector<std::pair<std::string, std::string>>;

TEST(ParsePromTextTest, ReadsSamplesCommentsAndMetadata) {
  const std::string text =
      "# HELP connected_devices Devices connected now.\n"
      "# TYPE connected_devices gauge\n"
      "connected_devices{hub=\"main\",zone=\"eu\"} 42\n"
      "\n"
      "   # an indented comment\n"
      "# TYPE http_requests_total counter\n"
      "http_requests_total{code=\"200\"} 1027 1395066363000\n"
      "process:cpu_seconds 1.5e3\r\n"
      "no_labels{} -0.25\n"
      "trailing_comma{a=\"1\",} 7\n"
      "  spaced\t{ a = \"x\" , b=\"y\" }\t3   -5  \n";
  absl::StatusOr<std::vector<PromSample>> s = ParsePromText(text, "t.prom");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->size(), 6u);

  EXPECT_EQ((*s)[0].name, "connected_devices");
  EXPECT_THAT((*s)[0].labels,
              ElementsAre(Pair("hub", "main"), Pair("zone", "eu")));
  EXPECT_EQ((*s)[0].value, 42);
  EXPECT_FALSE((*s)[0].timestamp_ms.has_value());
  EXPECT_EQ((*s)[0].line, 3);

  EXPECT_EQ((*s)[1].name, "http_requests_total");
  EXPECT_EQ((*s)[1].timestamp_ms, 1395066363000);
  EXPECT_EQ((*s)[1].line, 7);

  EXPECT_EQ((*s)[2].name, "process:cpu_seconds");
  EXPECT_TRUE((*s)[2].labels.empty());
  EXPECT_EQ((*s)[2].value, 1500);
  EXPECT_EQ((*s)[2].line, 8);

  EXPECT_EQ((*s)[3].name, "no_labels");
  EXPECT_EQ((*s)[3].value, -0.25);

  EXPECT_THAT((*s)[4].labels, ElementsAre(Pair("a", "1")));

  EXPECT_EQ((*s)[5].name, "spaced");
  EXPECT_THAT((*s)[5].labels, ElementsAre(Pair("a", "x"), Pair("b", "y")));
  EXPECT_EQ((*s)[5].value, 3);
  EXPECT_EQ((*s)[5].timestamp_ms, -5);
  EXPECT_EQ((*s)[5].line, 11);
}

TEST(ParsePromTextTest, UnescapesLabelValues) {
  absl::StatusOr<std::vector<PromSample>> s = ParsePromText(
      R"(m{path="C:\\dir",quote="say \"hi\"",nl="a\nb",brace="}{,="} 1)",
      "esc");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->size(), 1u);
  EXPECT_EQ((*s)[0].labels, (Labels{{"path", "C:\\dir"},
                                    {"quote", "say \"hi\""},
                                    {"nl", "a\nb"},
                                    {"brace", "}{,="}}));
}

TEST(ParsePromTextTest, SpecialValues) {
  absl::StatusOr<std::vector<PromSample>> s =
      ParsePromText("a NaN\nb +Inf\nc -Inf\nd Inf\ne nan\nf 0x10\n", "special");
  // 0x10 is not a decimal number.
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(),
            "special:6: value '0x10' of 'f' is not a number");

  s = ParsePromText("a NaN\nb +Inf\nc -Inf\nd Inf\ne nan\nf .5e-1\n", "ok");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->size(), 6u);
  EXPECT_TRUE(std::isnan((*s)[0].value));
  EXPECT_EQ((*s)[1].value, INFINITY);
  EXPECT_EQ((*s)[2].value, -INFINITY);
  EXPECT_EQ((*s)[3].value, INFINITY);
  EXPECT_TRUE(std::isnan((*s)[4].value));
  EXPECT_EQ((*s)[5].value, 0.05);
}

TEST(ParsePromTextTest, EmptyTextHasNoSamples) {
  absl::StatusOr<std::vector<PromSample>> s = ParsePromText("", "empty");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->empty());
  s = ParsePromText("# just a comment\n\n", "comments");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->empty());
}

// Each bad line, after a good first line, is rejected with its line number
// and what is wrong.
TEST(ParsePromTextTest, BadLinesNameSourceAndLine) {
  const std::pair<const char*, const char*> kCases[] = {
      {"1abc 3", "expected a metric name, found '1abc 3'"},
      {"{a=\"1\"} 3", "expected a metric name, found '{a=\"1\"} 3'"},
      {"m", "sample of 'm' has no value"},
      {"m{a=\"1\"}", "sample of 'm' has no value"},
      {"m abc", "value 'abc' of 'm' is not a number"},
      {"m 1_000", "value '1_000' of 'm' is not a number"},
      {"m 1e400", "value '1e400' of 'm' is not a number"},
      {"m 1 12.5", "timestamp '12.5' of 'm' is not an integer (milliseconds)"},
      {"m 1 2 3", "unexpected '3' after the sample of 'm'"},
      {"m{a=1} 3", "value of label 'a' is not in double quotes"},
      {"m{a} 3", "expected '=' after label name 'a', found '} 3'"},
      {"m{1a=\"x\"} 3",
       "expected a label name or '}' in 'm{...}', found "
       "'1a=\"x\"} 3'"},
      {"m{a=\"x\" b=\"y\"} 3",
       "expected ',' or '}' after label 'a', found 'b=\"y\"} 3'"},
      {"m{a=\"x\",a=\"y\"} 3", "label 'a' repeats in 'm{...}'"},
      {"m{a=\"x} 3", "value of label 'a' has no closing double quote"},
      {"m{a=\"x\\t\"} 3",
       "unknown escape '\\t' in the value of label 'a' (expected \\\\, \\\" "
       "or \\n)"},
      {"m{a:b=\"x\"} 3",
       "expected '=' after label name 'a', found ':b=\"x\"} "
       "3'"},
      {"# TYPE m gauge extra",
       "# TYPE of 'm': expected counter, gauge, histogram, summary or "
       "untyped, found 'gauge extra'"},
      {"# TYPE m",
       "# TYPE of 'm': expected counter, gauge, histogram, "
       "summary or untyped, found ''"},
      {"# TYPE 9m gauge", "# TYPE needs a metric name, found '9m gauge'"},
      {"# HELP", "# HELP needs a metric name, found ''"},
  };
  for (const auto& [line, why] : kCases) {
    const std::string text = std::string("ok_metric 1\n") + line + "\n";
    absl::StatusOr<std::vector<PromSample>> s =
        ParsePromText(text, "http://hub:9100/metrics");
    ASSERT_FALSE(s.ok()) << line;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << line;
    EXPECT_EQ(s.status().message(),
              std::string("http://hub:9100/metrics:2: ") + why)
        << line;
  }
}

TEST(ParsePromTextTest, LongSnippetsAreCut) {
  absl::StatusOr<std::vector<PromSample>> s =
      ParsePromText("m 1 2 and a lot of trailing garbage here\n", "x");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(),
            "x:1: unexpected 'and a lot of trailin...' after the sample of "
            "'m'");
}

TEST(ParsePromTextTest, FirstBadLineWins) {
  absl::StatusOr<std::vector<PromSample>> s =
      ParsePromText("a 1\n\n# c\nb x\nc y\n", "src");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "src:4: value 'x' of 'b' is not a number");
}

// Other comments, HELP text and an OpenMetrics-style EOF are not checked.
TEST(ParsePromTextTest, FreeTextCommentsAreIgnored) {
  absl::StatusOr<std::vector<PromSample>> s = ParsePromText(
      "#HELP m anything { goes \"here\n# whatever\n#\n# EOF\nm 2\n", "c");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->size(), 1u);
  EXPECT_EQ((*s)[0].line, 5);
}

}  // namespace
}  // namespace sla::probes
