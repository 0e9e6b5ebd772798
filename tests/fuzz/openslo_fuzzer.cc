// tests/fuzz/openslo_fuzzer.cc: sla::ParseOpenSlo on arbitrary YAML, then
// the rendered slakit.yaml back through sla::ParseConfig. yaml-cpp throws on
// bad input; ParseOpenSlo must turn that into a status (an escaping
// exception terminates the process: a finding), and whatever it accepts
// must render to a configuration that parses.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "sla/config.h"
#include "sla/openslo.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  auto im = sla::ParseOpenSlo(input, "fuzz");
  if (!im.ok()) {
    (void)im.status().ToString();
    return 0;
  }
  const std::string yaml = sla::RenderSlakitYaml(*im);
  auto back = sla::ParseConfig(yaml, "rendered");
  if (!back.ok() || back->services.size() != im->config.services.size()) {
    std::abort();  // the conversion wrote a configuration it cannot read
  }
  return 0;
}
