#include "bindings/cli/demo_command.h"

#include <cmath>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "bindings/cli/files.h"
#include "sla/config.h"
#include "sla/engine.h"
#include "sla/internal/json_writer.h"
#include "sla/report.h"

namespace sla {
namespace cli {
namespace {

// The application's configuration, as a user would write it.
constexpr char kDemoConfig[] =
    R"yaml(# slakit demo: a fleet-telemetry IoT application on Azure PaaS.
timezone: Europe/Paris
services:
  - name: web
    owner: application          # our portal code on App Service
    contract: {catalog: azure/app-service, target: 99.95,
               downtime: {interval: 1m, max_error_ratio: 0.5},
               credits: [{below: 99.95, credit: 10}, {below: 99, credit: 25}]}
    objectives:
      - {name: availability, target: 99.9, window: 30d, alerting: true}
  - name: sql
    owner: provider
    contract: {catalog: azure/sql-database}
    objectives:
      - {name: availability, target: 99.95, window: month}
  - name: bus
    owner: provider               # the catalog states no downtime rule:
    contract: {catalog: azure/service-bus/basic-standard,
               downtime: {interval: 1m, max_error_ratio: 0.5}}
  - name: iothub
    owner: provider
    contract: {catalog: azure/iot-hub,
               downtime: {interval: 1m, max_error_ratio: 0.5}}
  - name: functions
    owner: application          # our ingestion code on Functions
    objectives:
      - {name: availability, target: 99.9, window: 30d, alerting: true}
applications:
  - name: telemetry             # devices -> IoT Hub -> Functions -> SQL or bus
    components: {all_of: [iothub, functions, {any_of: [sql, bus]}]}
    objectives:
      - {name: availability, target: 99.9, window: month}
  - name: portal                # people -> web -> SQL
    components: {all_of: [web, sql]}
maintenance:
  - {service: sql, start: 2024-01-14T01:00:00Z, end: 2024-01-14T02:00:00Z}
)yaml";

constexpr int kProbes = 3;
struct Component {
  const char* name;
  const char* probes[kProbes];
  double latency_ms;  // typical
};
constexpr Component kComponents[] = {
    {"web", {"home", "search", "checkout"}, 120},
    {"sql", {"tcp-1433", "read", "write"}, 8},
    {"bus", {"send", "receive", "dead-letter"}, 25},
    {"iothub", {"d2c", "c2d", "twin"}, 40},
    {"functions", {"http", "timer", "queue"}, 60},
};
constexpr int kComponentCount = sizeof(kComponents) / sizeof(kComponents[0]);

// A scripted event: while active, each probe of the component fails with
// probability p_fail and answers `slowdown` times slower.
struct Event {
  int component;
  const char* start;  // UTC
  const char* end;
  double p_fail;
  double slowdown;
  const char* what;
};
constexpr Event kEvents[] = {
    {1, "2024-01-09T13:10:00Z", "2024-01-09T13:52:00Z", 1.0, 1,
     "provider outage: the SQL database is unreachable for 42 minutes"},
    {4, "2024-01-17T10:00:00Z", "2024-01-17T12:30:00Z", 0.4, 1.5,
     "application bug: a functions release fails 40% of calls for 2.5 hours"},
    {3, "2024-01-23T06:00:00Z", "2024-01-23T08:00:00Z", 0.1, 6,
     "brownout: the IoT hub is 6x slower and drops 10% of messages for 2 "
     "hours"},
    {1, "2024-01-14T01:00:00Z", "2024-01-14T02:00:00Z", 1.0, 1,
     "maintenance: the database is patched in a declared window"},
};

// splitmix64: small, fast, and the same everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  double Uniform() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * 0x1.0p-53;
  }

 private:
  uint64_t s_;
};

}  // namespace

absl::StatusOr<std::string> RunDemo(const DemoOptions& options) {
  if (options.format != "json" && options.format != "table") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--format: '", options.format, "' is not one of json, table"));
  }
  if (absl::Status s = MakeDirectory(options.out_dir, "--out-dir"); !s.ok())
    return s;
  absl::StatusOr<Config> config = ParseConfig(kDemoConfig, "demo.yaml");
  if (!config.ok()) return config.status();
  const absl::CivilMonth month(2024, 1);

  EngineOptions engine_options;
  engine_options.retention = absl::Hours(24 * 40);
  Engine engine(engine_options);
  SliId ids[kComponentCount][kProbes];
  for (int c = 0; c < kComponentCount; ++c) {
    for (int p = 0; p < kProbes; ++p) {
      SliSpec spec;
      spec.service = kComponents[c].name;
      spec.name = kComponents[c].probes[p];
      absl::StatusOr<SliId> id = engine.AddSli(spec);
      if (!id.ok()) return id.status();
      ids[c][p] = *id;
    }
  }
  struct Span {
    int component;
    int64_t from_ms, to_ms;
    double p_fail, slowdown;
  };
  std::vector<Span> spans;
  for (const Event& e : kEvents) {
    spans.push_back(Span{e.component,
                         absl::ToUnixMillis(ParseTimestamp(e.start).value()),
                         absl::ToUnixMillis(ParseTimestamp(e.end).value()),
                         e.p_fail, e.slowdown});
  }

  // One probe a minute per probe, each at its own second of the minute,
  // over the month in Paris time (and a day before, for 30-day windows).
  const Interval period =
      Window::Calendar(CalendarUnit::kMonth, config->zone)
          .Resolve(absl::FromCivil(absl::CivilSecond(2024, 1, 15, 12, 0, 0),
                                   config->zone));
  const int64_t from_ms = absl::ToUnixMillis(period.from - absl::Hours(24));
  const int64_t to_ms = absl::ToUnixMillis(period.to);
  Rng rng(options.seed);
  std::string csv = "timestamp_ms,service,probe,ok,latency_ms\n";
  csv.reserve(32 << 20);
  std::vector<ProbeResult> batch;
  for (int64_t minute_ms = from_ms; minute_ms < to_ms; minute_ms += 60'000) {
    batch.clear();
    for (int c = 0; c < kComponentCount; ++c) {
      for (int p = 0; p < kProbes; ++p) {
        const int64_t t = minute_ms + (c * kProbes + p) * 3'000;
        double p_fail = 0.0004;  // background: rare one-minute flaps
        double slowdown = 1;
        for (const Span& s : spans) {
          if (s.component == c && s.from_ms <= t && t < s.to_ms) {
            p_fail = std::max(p_fail, s.p_fail);
            slowdown = std::max(slowdown, s.slowdown);
          }
        }
        const bool ok = rng.Uniform() >= p_fail;
        const double jitter = 0.7 + 0.6 * rng.Uniform();
        const double latency = ok ? std::round(kComponents[c].latency_ms *
                                               slowdown * jitter * 1000) /
                                        1000
                                  : 10000.0;
        batch.push_back(ProbeResult{ids[c][p], t, ok, latency});
        absl::StrAppend(&csv, t, ",", kComponents[c].name, ",",
                        kComponents[c].probes[p], ",", ok ? 1 : 0, ",",
                        absl::StrFormat("%.3f", latency), "\n");
      }
    }
    if (absl::Status s = engine.Ingest(batch); !s.ok()) return s;
  }

  absl::StatusOr<MonthlyReport> report =
      BuildMonthlyReport(engine, *config, month);
  if (!report.ok()) return report.status();
  const std::string json = RenderReportJson(*report);

  const std::string dir = options.out_dir + "/";
  for (const auto& [name, text] :
       std::vector<std::pair<std::string, std::string>>{
           {"slakit.yaml", kDemoConfig},
           {"results.csv", csv},
           {"report.json", json},
           {"report.md", RenderReportMarkdown(*report)},
           {"report.html", RenderReportHtml(*report)}}) {
    if (absl::Status s = WriteFileAtomically(dir + name, text, ""); !s.ok())
      return s;
  }
  if (options.format == "json") return json;

  std::string out = absl::StrFormat(
      "slakit demo: fleet-telemetry IoT application on Azure PaaS, %s "
      "(%s)\n%d components x %d probes, one probe a minute; scripted "
      "events:\n",
      report->month, report->timezone, kComponentCount, kProbes);
  for (const Event& e : kEvents) {
    absl::StrAppend(&out, "  ", e.start, "  ", e.what, "\n");
  }
  absl::StrAppendFormat(&out, "\n%-10s %-12s %10s %10s %9s %5s %7s  %s\n",
                        "service", "owner", "commitment", "uptime", "downtime",
                        "met", "credit", "catalog");
  for (const ServiceReport& s : report->services) {
    if (!s.result) {
      absl::StrAppendFormat(&out, "%-10s %-12s %10s %10s %9s %5s %7s  %s\n",
                            s.name, OwnerName(s.owner), "-", "-", "-", "-", "-",
                            "no contract");
      continue;
    }
    absl::StrAppendFormat(
        &out, "%-10s %-12s %9s%% %9.4f%% %6d min %5s %6s%%  %s\n", s.name,
        OwnerName(s.owner),
        internal::FormatDouble(s.contract->commitment_percent),
        s.result->uptime_percent, s.result->downtime_minutes,
        s.result->met ? "yes" : "NO",
        internal::FormatDouble(s.result->credit_percent),
        s.catalog_note.empty()
            ? s.catalog_id
            : absl::StrCat(s.catalog_id, " (", s.catalog_note, ")"));
  }
  absl::StrAppendFormat(&out, "\n%-10s %-34s %11s %9s %6s  %s\n", "application",
                        "components", "theoretical", "observed", "down",
                        "down minutes caused by");
  for (const ApplicationReport& a : report->applications) {
    absl::StrAppendFormat(
        &out,
        "%-10s %-34s %11s %8.4f%% %6d  provider %d, application %d, "
        "both %d\n",
        a.name, a.expression,
        a.theoretical_sla_percent
            ? absl::StrFormat("%.4f%%", *a.theoretical_sla_percent)
            : std::string("-"),
        a.observed_availability_percent, a.down_minutes,
        a.provider.exclusive_intervals, a.application.exclusive_intervals,
        a.mixed_owner_intervals);
  }
  absl::StrAppend(
      &out, "\nwrote ", dir,
      "report.html, report.json, report.md, "
      "slakit.yaml and results.csv\n(re-run: slakit report --config ",
      dir, "slakit.yaml --data ", dir,
      "results.csv --month 2024-01 --format md)\n");
  return out;
}

}  // namespace cli
}  // namespace sla
