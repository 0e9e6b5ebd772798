// sla/internal/json_writer.h: a small streaming JSON writer for the reports'
// and the CLI's machine-readable output. Numbers are written in their shortest
// exact (round-trip) form; non-finite doubles become null.
//
//   JsonWriter w;
//   w.BeginObject();
//   w.Key("target");  w.Number(0.999);
//   w.Key("series");  w.BeginArray(); w.EndArray();
//   w.EndObject();
//   std::string text = w.str();  // {"target":0.999,"series":[]}
//
// Thread-compatible. The writer does not check nesting; callers pair
// Begin/End calls.

#ifndef SLA_INTERNAL_JSON_WRITER_H_
#define SLA_INTERNAL_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace sla {
namespace internal {

class JsonWriter {
 public:
  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  void Key(absl::string_view key);
  void String(absl::string_view value);
  void Number(double value);
  void Int(int64_t value);
  void Bool(bool value);
  void Null();
  // A complete JSON value written elsewhere (e.g. by another JsonWriter),
  // inserted as is.
  void Raw(absl::string_view json);

  const std::string& str() const { return out_; }

 private:
  void Separate();
  std::string out_;
  // Per open container: whether it already holds an element.
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

// The shortest decimal text that reads back as exactly `value`.
std::string FormatDouble(double value);

}  // namespace internal
}  // namespace sla

#endif  // SLA_INTERNAL_JSON_WRITER_H_
