// probes/internal/table_builder.h: what the probe-result readers share
// (CSV, JSON lines, Prometheus text): numbering series by first appearance,
// collecting bad lines into one error, and reading a whole file.
//
// Implementation detail of probes/csv_reader.h, probes/jsonl_reader.h and
// probes/prom_importer.h; not part of the public API.
//
//   TableBuilder table;
//   LineErrors errors;
//   for (each line n) {
//     if (bad) { errors.Add(n, "field 'ok': expected 0 or 1"); continue; }
//     table.Add(service, probe, result);
//   }
//   if (!errors.empty()) return errors.ToStatus(source);
//   ProbeTable out;
//   std::move(table).MoveTo(&out);
//   return out;
//
// Thread safety: thread-compatible; the CSV reader gives each thread its own
// builder and error list and merges them with Append.

#ifndef PROBES_INTERNAL_TABLE_BUILDER_H_
#define PROBES_INTERNAL_TABLE_BUILDER_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "sla/engine.h"

namespace sla {
namespace probes {
namespace internal {

// The bad lines of one input: all are counted, the first kMaxListed kept.
class LineErrors {
 public:
  static constexpr int kMaxListed = 10;

  // `line` is 1-based; `message` says what is wrong, e.g. "field 'ok':
  // expected 0 or 1, got '2'" (no source or line prefix).
  void Add(int64_t line, std::string message);

  // Appends the errors of `other` (an input that follows this one), adding
  // `line_offset` to its line numbers.
  void Append(const LineErrors& other, int64_t line_offset);

  int64_t count() const { return count_; }
  bool empty() const { return count_ == 0; }

  // OK when empty; otherwise InvalidArgument:
  //   "2 malformed lines, nothing was read:\n"
  //   "<source>:3: field 'ok': ...\n<source>:9: ..."
  // and "\n... and N more bad lines" past kMaxListed.
  absl::Status ToStatus(absl::string_view source) const;

 private:
  std::vector<std::pair<int64_t, std::string>> listed_;
  int64_t count_ = 0;
};

// Builds a ProbeTable, numbering each distinct (service, probe) in order of
// first appearance. Rows keep the order in which they were added.
class TableBuilder {
 public:
  TableBuilder() = default;
  // Not copyable or movable: the index points into the series names.
  TableBuilder(const TableBuilder&) = delete;
  TableBuilder& operator=(const TableBuilder&) = delete;

  void ReserveRows(size_t rows) { rows_.reserve(rows); }

  // The series index of (service, probe), adding the series when new.
  // Consecutive rows of one series (the common case) skip the hash lookup.
  uint32_t SeriesId(absl::string_view service, absl::string_view probe);

  // Appends `row` with row.sli set to SeriesId(service, probe).
  void Add(absl::string_view service, absl::string_view probe,
           ProbeResult row) {
    row.sli = SeriesId(service, probe);
    rows_.push_back(row);
  }

  // As Add, but the names of a series seen for the first time must be
  // UTF-8 without NUL bytes (sla::CheckNameText): checked once per series,
  // not once per row. Otherwise sets *error naming the field ("field
  // 'service': byte 3 (0xff) is not valid UTF-8") and adds nothing.
  bool AddChecked(absl::string_view service, absl::string_view probe,
                  ProbeResult row, std::string* error);

  size_t rows() const { return rows_.size(); }

  // Appends the rows of `other` after this builder's, renumbering its
  // series into this builder's numbering. `other` is left empty.
  void Append(TableBuilder&& other);

  // Moves the series names and rows into `table` (a ProbeTable, whose
  // series and rows must be empty; a template only so that this header
  // does not need probes/csv_reader.h, which needs it). The builder must
  // not be used afterwards.
  template <typename Table>
  void MoveTo(Table* table) && {
    table->series.reserve(series_.size());
    for (const Series& n : series_) {
      table->series.push_back({n.joined.substr(0, n.service_size),
                               n.joined.substr(n.service_size + 1)});
    }
    table->rows = std::move(rows_);
    index_.clear();
    series_.clear();
    have_last_ = false;
  }

 private:
  // A series is keyed by "service,probe" and the length of service (which
  // may itself hold commas), so that the CSV reader's "svc,probe" slice of
  // a line is a key as it is, without a copy, and one hash.
  struct Key {
    absl::string_view joined;
    size_t service_size;

    template <typename H>
    friend H AbslHashValue(H h, const Key& k) {
      return H::combine(std::move(h), k.joined, k.service_size);
    }
    friend bool operator==(const Key& a, const Key& b) {
      return a.service_size == b.service_size && a.joined == b.joined;
    }
  };
  struct Series {
    std::string joined;
    size_t service_size;
  };
  // The key of (service, probe), pointing into the input or into scratch_.
  Key MakeKey(absl::string_view service, absl::string_view probe);
  // Remembers `it` as the last series and returns its index.
  uint32_t Remember(const Key& key, uint32_t id);
  using Index = absl::flat_hash_map<Key, uint32_t>;
  // Adds the series of `key` (not in the index yet).
  Index::iterator Insert(const Key& key);

  // A deque so that the names the index keys point into never move.
  std::deque<Series> series_;
  Index index_;
  std::vector<ProbeResult> rows_;
  std::string scratch_;  // the key of names that are not adjacent
  // The series of the last SeriesId call (its key points into series_).
  bool have_last_ = false;
  Key last_{};
  uint32_t last_id_ = 0;
};

// Maps the regular file `path` into memory and calls use(text) with its
// whole contents ("" when empty); the mapping lives until `use` returns.
// Errors (and `use` is not called): NotFound, PermissionDenied or Internal
// with the path and the system error; InvalidArgument when `path` is not a
// regular file.
absl::Status WithFileContents(const std::string& path,
                              absl::FunctionRef<void(absl::string_view)> use);

}  // namespace internal
}  // namespace probes
}  // namespace sla

#endif  // PROBES_INTERNAL_TABLE_BUILDER_H_
