#include "bindings/cli/demo_command.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "bindings/cli/eval_command.h"
#include "probes/synthetic.h"
#include "sla/engine.h"
#include "sla/internal/json_writer.h"

namespace sla {
namespace cli {
namespace {

struct Component {
  const char* name;
  const char* kind;
  double target_percent;
  const char* probes[3];
};

// The sample application: an online shop on Azure PaaS. Targets are the
// team's own objectives for what its probes see (provider SLAs and their
// contracts come with the monthly report).
constexpr Component kShop[] = {
    {"web", "App Service web app", 99.5, {"home", "search", "checkout"}},
    {"sql", "Azure SQL Database", 99.9, {"tcp-1433", "read", "write"}},
    {"orders-queue", "Service Bus queue", 99.5, {"send", "receive", "dlq"}},
    {"iot-hub", "IoT Hub", 99.0, {"d2c", "c2d", "twin"}},
    {"functions", "Functions app", 99.5, {"http", "timer", "queue"}},
};
constexpr int kComponents = sizeof(kShop) / sizeof(kShop[0]);

}  // namespace

absl::StatusOr<std::string> RunDemo(const DemoOptions& options) {
  if (options.format != "json" && options.format != "table") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--format: '", options.format, "' is not one of json, table"));
  }
  probes::WorkloadOptions w;
  w.services = kComponents;
  w.probes_per_service = 3;
  w.days = options.days;
  w.seed = options.seed;
  if (absl::Status s = probes::ValidateWorkloadOptions(w); !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--days/--seed: ", s.message()));
  }

  EngineOptions engine_options;
  engine_options.retention = absl::Hours(24 * std::max(35, options.days + 1));
  Engine engine(engine_options);
  SliId ids[kComponents][3];
  for (int c = 0; c < kComponents; ++c) {
    for (int p = 0; p < 3; ++p) {
      SliSpec spec;
      spec.service = kShop[c].name;
      spec.name = kShop[c].probes[p];
      absl::StatusOr<SliId> id = engine.AddSli(spec);
      if (!id.ok()) return id.status();
      ids[c][p] = *id;
    }
  }
  std::vector<ProbeResult> batch;
  absl::Status ingest = absl::OkStatus();
  absl::StatusOr<probes::WorkloadSummary> summary = probes::GenerateWorkload(
      w, [&](absl::Span<const probes::SyntheticResult> tick) {
        if (!ingest.ok()) return;
        batch.clear();
        for (const probes::SyntheticResult& r : tick) {
          batch.push_back(ProbeResult{ids[r.service][r.probe], r.unix_ms, r.ok,
                                      r.latency_ms});
        }
        ingest = engine.Ingest(batch);
      });
  if (!summary.ok()) return summary.status();
  if (!ingest.ok()) return ingest;

  const absl::Time at = absl::FromUnixMillis(summary->end_ms);
  const std::string window = absl::StrCat(options.days, "d");
  const std::vector<absl::Duration>& burn_windows = StandardBurnWindows();

  internal::JsonWriter json;
  json.BeginObject();
  json.Key("application");
  json.String("online-shop");
  json.Key("at");
  json.String(TimeToString(at));
  json.Key("window");
  json.String(window);
  json.Key("results");
  json.Int(summary->rows);
  json.Key("services");
  json.BeginArray();

  std::string table = absl::StrFormat(
      "slakit demo: online shop on Azure PaaS, %d components x 3 probes, "
      "one probe a minute\n%d results over %s, evaluated at %s\n\n",
      kComponents, summary->rows, window, TimeToString(at));
  absl::StrAppendFormat(&table, "%-13s %-20s %7s %12s %7s %9s", "service",
                        "component", "target", "availability", "bad", "budget");
  for (absl::Duration d : burn_windows) {
    absl::StrAppendFormat(&table, " %6s", DurationToString(d));
  }
  table += "\n";
  absl::StrAppendFormat(&table, "%-13s %-20s %7s %12s %7s %9s %s\n", "", "", "",
                        "", "", "left", "<- burn rate over the last ...");

  for (int c = 0; c < kComponents; ++c) {
    ObjectiveSpec slo;
    slo.service = kShop[c].name;
    slo.name = "availability";
    slo.target_percent = kShop[c].target_percent;
    slo.window = window;
    slo.alerting = true;
    absl::StatusOr<ObjectiveId> oid = engine.AddObjective(slo);
    if (!oid.ok()) return oid.status();
    absl::StatusOr<ObjectiveStatus> st = engine.Evaluate(*oid, at);
    if (!st.ok()) return st.status();
    absl::StatusOr<BurnRates> burn = engine.BurnRatesAt(*oid, at, burn_windows);
    if (!burn.ok()) return burn.status();
    const BudgetNumbers& b = st->budget;

    absl::StrAppendFormat(&table, "%-13s %-20s %6s%% %11.4f%% %7d %8.1f%%",
                          kShop[c].name, kShop[c].kind,
                          internal::FormatDouble(kShop[c].target_percent),
                          b.availability * 100, b.bad, b.remaining * 100);
    for (double r : burn->rates) absl::StrAppendFormat(&table, " %6.2f", r);
    table += "\n";

    json.BeginObject();
    json.Key("service");
    json.String(kShop[c].name);
    json.Key("component");
    json.String(kShop[c].kind);
    json.Key("target");
    json.Number(Target::FromPercent(kShop[c].target_percent)->fraction());
    json.Key("good");
    json.Int(b.good);
    json.Key("total");
    json.Int(b.total);
    json.Key("availability");
    json.Number(b.availability);
    json.Key("error_budget");
    json.BeginObject();
    json.Key("allowed_bad");
    json.Number(b.allowed_bad);
    json.Key("bad");
    json.Int(b.bad);
    json.Key("consumed");
    json.Number(b.consumed);
    json.Key("remaining");
    json.Number(b.remaining);
    json.EndObject();
    json.Key("burn_rates");
    json.BeginObject();
    for (size_t i = 0; i < burn_windows.size(); ++i) {
      json.Key(DurationToString(burn_windows[i]));
      json.Number(burn->rates[i]);
    }
    json.EndObject();
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();

  table +=
      "\nbudget left = 1 - (bad/total)/(1 - target); burn rate = "
      "(bad/total over the window)/(1 - target);\na burn rate of 1 spends "
      "exactly the whole budget over the objective's window.\n";
  return options.format == "json" ? json.str() + "\n" : table;
}

}  // namespace cli
}  // namespace sla
