// sla/internal/probe_reader.h: reads the `probes:` list of one service of
// slakit.yaml into sla::ProbeConfig values (sla/probe_config.h). Called by
// sla/config.cc; not a public header (yaml-cpp stays in the .cc files).
//
// Thread-compatible.

#ifndef SLA_INTERNAL_PROBE_READER_H_
#define SLA_INTERNAL_PROBE_READER_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "sla/internal/node_reader.h"
#include "sla/probe_config.h"

namespace sla {
namespace internal {

// Appends the probes of `node` (a list) to `out`, recording every problem in
// `reader`. `path` is the list's field path ("services[0].probes").
void ReadProbes(NodeReader& reader, const YAML::Node& node,
                absl::string_view path, std::vector<ProbeConfig>* out);

}  // namespace internal
}  // namespace sla

#endif  // SLA_INTERNAL_PROBE_READER_H_
