// tests/fuzz/csv_fuzzer.cc: sla::probes::ParseProbeCsv on arbitrary text.
#include <cstdint>

#include "absl/strings/string_view.h"
#include "probes/csv_reader.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  auto table = sla::probes::ParseProbeCsv(input, "fuzz");
  if (!table.ok()) {
    (void)table.status().ToString();
    return 0;
  }
  for (const sla::ProbeResult& r : table->rows) {
    FUZZ_CHECK(r.sli < table->series.size(), "row series %u of %zu", r.sli,
               table->series.size());
    FUZZ_CHECK(r.latency_ms >= 0, "negative latency accepted");
  }
  for (const auto& name : table->series) {
    FUZZ_CHECK(!name.service.empty() && !name.probe.empty(),
               "empty series name accepted");
  }
  return 0;
}
