// Embeds the engine the way the README shows: declare, ingest, evaluate.
#include <cstdio>
#include <vector>

#include "sla/engine.h"

int main() {
  sla::Engine engine;
  sla::SliId home = engine.AddSli({"web", "home"}).value();
  std::vector<sla::ProbeResult> batch;
  // 1000 minutes from 2024-01-01T00:00:00Z, one failure.
  for (int i = 0; i < 1000; ++i) {
    batch.push_back({home, 1704067200000 + i * 60000LL, i != 500, 20.0});
  }
  if (!engine.Ingest(batch).ok()) return 1;
  sla::ObjectiveSpec slo;
  slo.service = "web";
  slo.name = "availability";
  slo.target_percent = 99.9;
  slo.window = "1d";
  sla::ObjectiveId id = engine.AddObjective(slo).value();
  sla::ObjectiveStatus st =
      engine.Evaluate(id, absl::FromUnixSeconds(1704067200 + 86400)).value();
  std::printf("good=%lld total=%lld remaining=%.6f\n",
              static_cast<long long>(st.budget.good),
              static_cast<long long>(st.budget.total), st.budget.remaining);
  // 999 of 1000 good against 99.9%: exactly the whole budget is spent.
  return st.budget.good == 999 && st.budget.total == 1000 &&
                 st.budget.remaining == 0.0
             ? 0
             : 1;
}
