// tests/fuzz/engine_state_fuzzer.cc: sla::Engine::RestoreState on arbitrary
// bytes (the snapshot decoder). It must answer OK, DataLoss or
// FailedPrecondition; when OK, EncodeState must round-trip: restoring the
// encoding into another fresh engine and encoding again gives the same bytes.
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "sla/clock.h"
#include "sla/engine.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

sla::EngineOptions Options() {
  // A fixed "now" keeps runs reproducible; 2024-06-01T00:00:00Z.
  static sla::FakeClock* clock =
      new sla::FakeClock(absl::FromUnixSeconds(1717200000));
  sla::EngineOptions o;
  o.clock = clock;
  o.shards = 2;
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  sla::Engine engine(Options());
  absl::Status s = engine.RestoreState(input);
  FUZZ_CHECK(s.ok() || absl::IsDataLoss(s) || absl::IsFailedPrecondition(s),
             "RestoreState: unexpected status %s", s.ToString().c_str());
  if (!s.ok()) {
    // "The engine is then left unchanged": nothing declared.
    FUZZ_CHECK(engine.Services().empty(), "state left behind after %s",
               s.ToString().c_str());
    return 0;
  }
  (void)engine.MemoryUsage();
  std::string a;
  engine.EncodeState(&a);
  sla::Engine again(Options());
  absl::Status s2 = again.RestoreState(a);
  FUZZ_CHECK(s2.ok(), "re-restoring our own encoding: %s",
             s2.ToString().c_str());
  std::string b;
  again.EncodeState(&b);
  FUZZ_CHECK(a == b, "EncodeState does not round-trip (%zu vs %zu bytes)",
             a.size(), b.size());
  return 0;
}
