// sla/internal/node_reader.h: the checks every part of slakit.yaml parsing
// shares (sla/config.cc, sla/probe_config.cc). Not a public header: it
// defines its methods in sla/internal/node_reader.cc, which includes
// yaml-cpp; this header only declares YAML::Node.
//
// Each reader method checks one node, records a problem as
// "source:line:column: field.path: what is wrong" when the node is wrong,
// and returns whether it stored a value, so that parsing goes on and the
// caller reports every problem of a file at once.
//
// Thread-compatible.

#ifndef SLA_INTERNAL_NODE_READER_H_
#define SLA_INTERNAL_NODE_READER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace YAML {
class Node;
}  // namespace YAML

namespace sla {
namespace internal {

class NodeReader {
 public:
  explicit NodeReader(absl::string_view source) : source_(source) {}

  void Problem(const YAML::Node& node, absl::string_view path,
               absl::string_view what);

  const std::vector<std::string>& problems() const { return problems_; }

  // "source:line:column: path", the prefix Problem writes.
  std::string Where(const YAML::Node& node, absl::string_view path) const;

  // Reports keys of a map not in `allowed`; false if `node` is not a map.
  bool Map(const YAML::Node& node, absl::string_view path,
           absl::Span<const absl::string_view> allowed);

  bool String(const YAML::Node& node, absl::string_view path, std::string* out);

  bool Number(const YAML::Node& node, absl::string_view path, double* out);

  bool Bool(const YAML::Node& node, absl::string_view path, bool* out);

  bool Duration(const YAML::Node& node, absl::string_view path,
                absl::Duration* out);

  // A duration as absl::ParseDuration reads it, down to milliseconds
  // ("300ms", "1.5s", "2m"), for probe timings; never infinite.
  bool FineDuration(const YAML::Node& node, absl::string_view path,
                    absl::Duration* out);

  bool Time(const YAML::Node& node, absl::string_view path, absl::Time* out);

  // A percentage strictly between 0 and 100.
  bool Percent(const YAML::Node& node, absl::string_view path, double* out);

  bool Integer(const YAML::Node& node, absl::string_view path, int64_t min,
               int64_t* out);

 private:
  std::string source_;
  std::vector<std::string> problems_;
};

}  // namespace internal
}  // namespace sla

#endif  // SLA_INTERNAL_NODE_READER_H_
