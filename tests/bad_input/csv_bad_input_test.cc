// Hostile probe CSV (probes/csv_reader.h) fed to an engine that already holds
// data (slakit issue 10, bad-input catalogue; docs/BAD_INPUT.md, "CSV").
// Each row is a file's text and its documented outcome: refused by the
// reader (InvalidArgument naming source:line and the field), refused by the
// engine (the code and the record), or accepted with the exact counts it
// adds. After every row the engine's counts of the series it held before
// are the same over a fixed window, and a refused file declares nothing.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "probes/csv_reader.h"
#include "sla/clock.h"
#include "sla/engine.h"

namespace sla {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kNowMs = 1710072000000;  // 2024-03-10T12:00:00Z
constexpr int64_t kMin = 60000;
constexpr char kHeader[] = "timestamp_ms,service,probe,ok,latency_ms\n";

std::string Line(int64_t ms, absl::string_view service, absl::string_view probe,
                 absl::string_view ok, absl::string_view latency) {
  return absl::StrCat(ms, ",", service, ",", probe, ",", ok, ",", latency,
                      "\n");
}

struct Row {
  std::string name;
  std::string csv;
  // Reader refuses: InvalidArgument with every substring. Empty: it reads
  // the file and the engine gets it.
  std::vector<std::string> parse_error;
  // Engine refuses: this code and substring (ignored when parse_error).
  absl::StatusCode ingest_code = absl::StatusCode::kOk;
  std::string ingest_error;
  // Accepted: the counts of x/p over the last hour (good, total).
  int64_t good = 0;
  int64_t total = 0;
};

std::vector<Row> CsvRows() {
  const int64_t t = kNowMs - 10 * kMin;
  const std::string huge_name =
      absl::StrCat(t, ",", std::string(1 << 20, 'n'), ",p,1,1\n");
  const std::string huge_latency =
      absl::StrCat(t, ",x,p,1,", std::string(1 << 20, '9'), "\n");
  std::string many;  // 200000 rows of x/p, out of order, all in the hour
  for (int i = 0; i < 200000; ++i) {
    many += Line(kNowMs - (i % 60 + 1) * kMin, "x", "p", i % 4 == 0 ? "0" : "1",
                 "3.5");
  }
  return {
      {"empty file",
       "",
       {"t.csv:1: the header must be ", "(the file is empty)"}},
      {"header only", kHeader, {}, absl::StatusCode::kOk, "", 0, 0},
      {"missing header",
       Line(t, "x", "p", "1", "1"),
       {"t.csv:1: the header must be 'timestamp_ms,service,probe,ok,"
        "latency_ms', found '"}},
      {"header with BOM",
       absl::StrCat("\xef\xbb\xbf", kHeader, Line(t, "x", "p", "1", "1")),
       {"t.csv:1: the header must be"}},
      {"huge line (1 MiB latency)",
       absl::StrCat(kHeader, huge_latency),
       {"t.csv:2: field 'latency_ms': '99999999",
        "...' (1048576 bytes) is "
        "not a finite number >= 0"}},
      {"huge line (1 MiB service name): another series",
       absl::StrCat(kHeader, huge_name),
       {},
       absl::StatusCode::kOk,
       "",
       0,
       0},
      {"NaN latency",
       absl::StrCat(kHeader, Line(t, "x", "p", "1", "nan")),
       {"t.csv:2: field 'latency_ms': 'nan' is not a finite number >= 0"}},
      {"Inf latency",
       absl::StrCat(kHeader, Line(t, "x", "p", "1", "inf")),
       {"t.csv:2: field 'latency_ms': 'inf' is not a finite number >= 0"}},
      {"negative latency",
       absl::StrCat(kHeader, Line(t, "x", "p", "1", "-1")),
       {"t.csv:2: field 'latency_ms': '-1' is not a finite number >= 0"}},
      {"latency past double",
       absl::StrCat(kHeader, Line(t, "x", "p", "1", "1e999")),
       {"t.csv:2: field 'latency_ms': '1e999' is not a finite number >= 0"}},
      {"ok is 2",
       absl::StrCat(kHeader, Line(t, "x", "p", "2", "1")),
       {"t.csv:2: field 'ok': expected 0 or 1, got '2'"}},
      {"ok is true",
       absl::StrCat(kHeader, Line(t, "x", "p", "true", "1")),
       {"t.csv:2: field 'ok': expected 0 or 1, got 'true'"}},
      {"ok is empty",
       absl::StrCat(kHeader, Line(t, "x", "p", "", "1")),
       {"t.csv:2: field 'ok': expected 0 or 1, got ''"}},
      {"timestamp not a number",
       absl::StrCat(kHeader, "2024-03-10T11:50:00Z,x,p,1,1\n"),
       {"t.csv:2: field 'timestamp_ms': '2024-03-10T11:50:00Z' is not an "
        "integer number of milliseconds"}},
      {"timestamp past int64",
       absl::StrCat(kHeader, "99999999999999999999,x,p,1,1\n"),
       {"t.csv:2: field 'timestamp_ms': '99999999999999999999' is not an "
        "integer"}},
      {"negative timestamp",
       absl::StrCat(kHeader, Line(-1, "x", "p", "1", "1")),
       {},
       absl::StatusCode::kOutOfRange,
       "record 0"},
      {"year 1",
       absl::StrCat(kHeader, Line(-62135596800000, "x", "p", "1", "1")),
       {},
       absl::StatusCode::kOutOfRange,
       "record 0"},
      {"year 9999",
       absl::StrCat(kHeader, Line(253402300799000, "x", "p", "1", "1")),
       {},
       absl::StatusCode::kInvalidArgument,
       "record 0"},
      {"year 292278994 (int64 max ms)",
       absl::StrCat(kHeader, Line(INT64_MAX, "x", "p", "1", "1")),
       {},
       absl::StatusCode::kInvalidArgument,
       "record 0"},
      {"int64 min ms",
       absl::StrCat(kHeader, Line(INT64_MIN, "x", "p", "1", "1")),
       {},
       absl::StatusCode::kOutOfRange,
       "record 0"},
      {"one far-future row among good ones",
       absl::StrCat(kHeader, Line(t, "x", "p", "1", "1"),
                    Line(253402300799000, "x", "p", "1", "1")),
       {},
       absl::StatusCode::kInvalidArgument,
       "record 1"},
      {"duplicated rows (each counts)",
       absl::StrCat(kHeader, Line(t, "x", "p", "1", "1"),
                    Line(t, "x", "p", "1", "1"), Line(t, "x", "p", "0", "1")),
       {},
       absl::StatusCode::kOk,
       "",
       2,
       3},
      {"out-of-order rows",
       absl::StrCat(kHeader, Line(t, "x", "p", "1", "1"),
                    Line(t - 30 * kMin, "x", "p", "0", "1"),
                    Line(t - kMin, "x", "p", "1", "1")),
       {},
       absl::StatusCode::kOk,
       "",
       2,
       3},
      {"200000 out-of-order rows",
       absl::StrCat(kHeader, many),
       {},
       absl::StatusCode::kOk,
       "",
       150000,
       200000},
      {"CRLF line ends",
       absl::StrCat("timestamp_ms,service,probe,ok,"
                    "latency_ms\r\n",
                    t, ",x,p,1,1\r\n", t, ",x,p,0,1\r\n"),
       {},
       absl::StatusCode::kOk,
       "",
       1,
       2},
      {"no final newline",
       absl::StrCat(kHeader, t, ",x,p,1,1"),
       {},
       absl::StatusCode::kOk,
       "",
       1,
       1},
      {"non-UTF-8 service name",
       absl::StrCat(kHeader, Line(t, "x\xff", "p", "1", "1")),
       {"t.csv:2: field 'service': ", "not valid UTF-8"}},
      {"non-UTF-8 probe name",
       absl::StrCat(kHeader, Line(t, "x", "p\xc3", "1", "1")),
       {"t.csv:2: field 'probe': ", "not valid UTF-8"}},
      {"embedded NUL in a name",
       absl::StrCat(kHeader, t, ",x", std::string(1, '\0'), "y,p,1,1\n"),
       {"t.csv:2: field 'service': ", "NUL"}},
      {"embedded NUL line",
       absl::StrCat(kHeader, std::string(1, '\0'), "\n"),
       {"t.csv:2: expected 5 fields, found 1"}},
      {"empty service",
       absl::StrCat(kHeader, Line(t, "", "p", "1", "1")),
       {"t.csv:2: field 'service' is empty"}},
      {"six fields",
       absl::StrCat(kHeader, t, ",x,p,1,1,extra\n"),
       {"t.csv:2: too many fields (expected 5)"}},
      {"bad lines are counted and numbered",
       absl::StrCat(kHeader, Line(t, "x", "p", "1", "1"), "a\n", "b\n"),
       {"t.csv:3: expected 5 fields, found 1", "t.csv:4: expected 5 fields"}},
  };
}

TEST(CsvBadInput, EveryRowGetsItsDocumentedOutcome) {
  FakeClock clock(absl::FromUnixMillis(kNowMs));
  EngineOptions options;
  options.clock = &clock;
  Engine engine(options);
  // What was there before: web/home, 60 minutes, one bad in ten.
  const SliId home = engine.AddSli({"web", "home"}).value();
  std::vector<ProbeResult> base;
  for (int i = 0; i < 60; ++i) {
    base.push_back({home, kNowMs - (60 - i) * kMin, i % 10 != 0, 5});
  }
  ASSERT_TRUE(engine.Ingest(base).ok());
  const Interval hour{absl::FromUnixMillis(kNowMs - 60 * kMin),
                      absl::FromUnixMillis(kNowMs)};
  const Interval month{absl::FromUnixMillis(kNowMs - 30 * 24 * 60 * kMin),
                       absl::FromUnixMillis(kNowMs)};
  ASSERT_EQ(engine.Query(home, hour)->good, 54);
  ASSERT_EQ(engine.Query(home, hour)->total, 60);

  for (const Row& row : CsvRows()) {
    SCOPED_TRACE(row.name);
    const std::vector<std::string> services_before = engine.Services();
    const absl::Time newest_before = engine.newest();
    absl::StatusOr<probes::ProbeTable> table =
        probes::ParseProbeCsv(row.csv, "t.csv");
    // BAD_INPUT_PRINT=1: the messages, for docs/BAD_INPUT.md.
    if (std::getenv("BAD_INPUT_PRINT") != nullptr) {
      std::printf("| %s | %s |\n", row.name.c_str(),
                  std::string(table.status().message()).c_str());
    }
    if (!row.parse_error.empty()) {
      ASSERT_FALSE(table.ok()) << "read " << table->rows.size() << " rows";
      EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
      for (const std::string& s : row.parse_error) {
        EXPECT_THAT(table.status().message(), HasSubstr(s));
      }
    } else {
      ASSERT_TRUE(table.ok()) << table.status();
      // A file's new series are declared only once its rows are known to
      // be acceptable (what `slakit import` and the Python binding do).
      absl::Status check = engine.CheckProbeTimes(table->rows);
      absl::Status s = check;
      if (s.ok()) {
        ASSERT_TRUE(probes::BindProbeTable(engine, *table).ok());
        s = engine.Ingest(table->rows);
      }
      EXPECT_EQ(s.code(), row.ingest_code) << s;
      EXPECT_THAT(s.message(), HasSubstr(row.ingest_error));
      if (s.ok() && !table->rows.empty()) {
        // The rows of this file are the only ones of x/p in the hour: take
        // the difference with what earlier rows left there.
        static int64_t good_before = 0;
        static int64_t total_before = 0;
        absl::StatusOr<SliId> x = engine.FindSli("x", "p");
        const Counts c = x.ok() ? engine.Query(*x, hour).value() : Counts{};
        EXPECT_EQ(c.good - good_before, row.good);
        EXPECT_EQ(c.total - total_before, row.total);
        good_before = c.good;
        total_before = c.total;
      }
      if (!s.ok()) {
        EXPECT_EQ(engine.Services(), services_before);
        EXPECT_EQ(engine.newest(), newest_before);
      }
    }
    // What was there before is unchanged.
    EXPECT_EQ(engine.Query(home, hour)->good, 54);
    EXPECT_EQ(engine.Query(home, hour)->total, 60);
    EXPECT_EQ(engine.Query(home, month)->total, 60);
    EXPECT_EQ(engine.ServiceSlis("web")->size(), 1u);
  }
}

}  // namespace
}  // namespace sla
