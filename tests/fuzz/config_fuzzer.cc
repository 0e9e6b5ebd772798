// tests/fuzz/config_fuzzer.cc: sla::ParseConfig on arbitrary YAML. yaml-cpp
// throws on bad input; ParseConfig must turn that into a status (an escaping
// exception terminates the process: a finding).
#include <cstdint>

#include "absl/strings/string_view.h"
#include "sla/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  auto config = sla::ParseConfig(input, "fuzz");
  if (!config.ok()) {
    (void)config.status().ToString();
    return 0;
  }
  for (const auto& service : config->services) {
    (void)config->FindService(service.name);
    (void)config->MaintenanceOf(service.name);
  }
  for (const auto& app : config->applications) {
    (void)config->FindApplication(app.name);
    (void)app.components.ToString();
  }
  return 0;
}
