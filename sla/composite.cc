#include "sla/composite.h"

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/numeric/bits.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace sla {

using Kind = CompositeExpr::Kind;

// ---------------------------------------------------------------------------
// CompositeExpr

CompositeExpr CompositeExpr::Component(std::string name) {
  CompositeExpr e;
  e.kind = Kind::kComponent;
  e.name = std::move(name);
  return e;
}

CompositeExpr CompositeExpr::AllOf(std::vector<CompositeExpr> children) {
  CompositeExpr e;
  e.kind = Kind::kAllOf;
  e.children = std::move(children);
  return e;
}

CompositeExpr CompositeExpr::AnyOf(std::vector<CompositeExpr> children) {
  CompositeExpr e;
  e.kind = Kind::kAnyOf;
  e.children = std::move(children);
  return e;
}

CompositeExpr CompositeExpr::KOfN(int k, std::vector<CompositeExpr> children) {
  CompositeExpr e;
  e.kind = Kind::kKOfN;
  e.k = k;
  e.children = std::move(children);
  return e;
}

absl::string_view CompositeKindName(Kind kind) {
  switch (kind) {
    case Kind::kComponent:
      return "component";
    case Kind::kAllOf:
      return "all_of";
    case Kind::kAnyOf:
      return "any_of";
    case Kind::kKOfN:
      return "k_of_n";
  }
  return "unknown";
}

bool operator==(const CompositeExpr& a, const CompositeExpr& b) {
  if (a.kind != b.kind) return false;
  if (a.kind == Kind::kComponent && a.name != b.name) return false;
  if (a.kind == Kind::kKOfN && a.k != b.k) return false;
  return a.children == b.children;
}

namespace {

bool IsBareChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         c == '.' || c == ':' || c == '/' || c == '@' || c == '-';
}

bool IsFunctionName(absl::string_view s) {
  return s == "all_of" || s == "any_of" || s == "k_of_n";
}

void AppendName(absl::string_view name, std::string* out) {
  const bool bare = !name.empty() && !IsFunctionName(name) &&
                    std::all_of(name.begin(), name.end(), IsBareChar);
  if (bare) {
    out->append(name.data(), name.size());
    return;
  }
  out->push_back('"');
  for (char c : name) {
    if (c == '"' || c == '\\') out->push_back('\\');
    out->push_back(c);
  }
  out->push_back('"');
}

void AppendExpr(const CompositeExpr& e, std::string* out) {
  if (e.kind == Kind::kComponent) {
    AppendName(e.name, out);
    return;
  }
  absl::StrAppend(out, CompositeKindName(e.kind), "(");
  if (e.kind == Kind::kKOfN) absl::StrAppend(out, e.k, ", ");
  for (size_t i = 0; i < e.children.size(); ++i) {
    if (i > 0) out->append(", ");
    AppendExpr(e.children[i], out);
  }
  out->push_back(')');
}

std::string PathString(const std::vector<std::string>& path) {
  return path.empty() ? "(root)" : absl::StrJoin(path, ".");
}

absl::Status NodeError(const std::vector<std::string>& path,
                       absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("composite node ", PathString(path), ": ", what));
}

absl::Status ValidateNode(const CompositeExpr& e, int depth,
                          std::vector<std::string>* path) {
  if (depth > kMaxCompositeDepth) {
    return NodeError(*path, absl::StrCat("nested deeper than ",
                                         kMaxCompositeDepth, " levels"));
  }
  switch (e.kind) {
    case Kind::kComponent:
      if (e.name.empty()) return NodeError(*path, "component name is empty");
      if (!e.children.empty()) {
        return NodeError(*path,
                         absl::StrCat("component '", e.name, "' has children"));
      }
      return absl::OkStatus();
    case Kind::kAllOf:
    case Kind::kAnyOf:
    case Kind::kKOfN:
      break;
    default:
      return NodeError(*path, "unknown node kind");
  }
  const int n = static_cast<int>(e.children.size());
  if (n == 0) {
    return NodeError(
        *path, absl::StrCat(CompositeKindName(e.kind), " has no children"));
  }
  if (e.kind == Kind::kKOfN && (e.k < 1 || e.k > n)) {
    return NodeError(*path,
                     absl::StrCat("k_of_n has k = ", e.k, " with ", n,
                                  " children; k must be in [1, ", n, "]"));
  }
  for (int i = 0; i < n; ++i) {
    path->push_back(absl::StrCat(CompositeKindName(e.kind), "[", i, "]"));
    absl::Status s = ValidateNode(e.children[i], depth + 1, path);
    if (!s.ok()) return s;
    path->pop_back();
  }
  return absl::OkStatus();
}

void CollectNames(const CompositeExpr& e, std::vector<std::string>* out) {
  if (e.kind == Kind::kComponent) {
    out->push_back(e.name);
    return;
  }
  for (const CompositeExpr& c : e.children) CollectNames(c, out);
}

// Recursive descent over the grammar in the header; positions are byte
// offsets into the text.
class Parser {
 public:
  explicit Parser(absl::string_view text) : text_(text) {}

  absl::StatusOr<CompositeExpr> Run() {
    absl::StatusOr<CompositeExpr> e = Expr(1);
    if (!e.ok()) return e.status();
    SkipSpace();
    if (pos_ != text_.size()) {
      return Error(pos_, "expected the end of the expression");
    }
    return e;
  }

 private:
  absl::Status Error(size_t at, absl::string_view what) const {
    const std::string where =
        at >= text_.size()
            ? std::string("at the end")
            : absl::StrCat("near \"", absl::CHexEscape(text_.substr(at, 12)),
                           "\"");
    return absl::InvalidArgumentError(absl::StrCat(
        "composite expression, offset ", at, " (", where, "): ", what));
  }

  bool AtEnd() const { return pos_ >= text_.size(); }

  void SkipSpace() {
    while (!AtEnd() &&
           absl::ascii_isspace(static_cast<unsigned char>(text_[pos_]))) {
      ++pos_;
    }
  }

  absl::StatusOr<std::string> Quoted() {
    const size_t start = pos_;
    ++pos_;  // the opening quote
    std::string name;
    while (true) {
      if (AtEnd()) return Error(start, "unterminated quoted name");
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        break;
      }
      if (c == '\\') {
        if (pos_ + 1 >= text_.size() ||
            (text_[pos_ + 1] != '"' && text_[pos_ + 1] != '\\')) {
          return Error(pos_, "a quoted name only escapes \\\" and \\\\");
        }
        ++pos_;
      }
      name.push_back(text_[pos_]);
      ++pos_;
    }
    if (name.empty()) return Error(start, "component name is empty");
    return name;
  }

  absl::StatusOr<CompositeExpr> Expr(int depth) {
    SkipSpace();
    if (depth > kMaxCompositeDepth) {
      return Error(pos_, absl::StrCat("nested deeper than ", kMaxCompositeDepth,
                                      " levels"));
    }
    if (AtEnd()) {
      return Error(pos_, "expected a component name, all_of, any_of or k_of_n");
    }
    if (text_[pos_] == '"') {
      absl::StatusOr<std::string> name = Quoted();
      if (!name.ok()) return name.status();
      return CompositeExpr::Component(*std::move(name));
    }
    const size_t start = pos_;
    while (!AtEnd() && IsBareChar(text_[pos_])) ++pos_;
    const absl::string_view token = text_.substr(start, pos_ - start);
    if (token.empty()) {
      return Error(pos_,
                   absl::StrCat("unexpected '",
                                absl::CHexEscape(text_.substr(pos_, 1)), "'"));
    }
    const size_t after = pos_;
    SkipSpace();
    if (AtEnd() || text_[pos_] != '(') {
      pos_ = after;
      std::string name(token);
      return CompositeExpr::Component(std::move(name));
    }
    CompositeExpr e;
    if (token == "all_of") {
      e.kind = Kind::kAllOf;
    } else if (token == "any_of") {
      e.kind = Kind::kAnyOf;
    } else if (token == "k_of_n") {
      e.kind = Kind::kKOfN;
    } else {
      return Error(start, absl::StrCat("unknown function '", token,
                                       "'; expected all_of, any_of or k_of_n"));
    }
    ++pos_;  // '('
    size_t k_at = 0;
    if (e.kind == Kind::kKOfN) {
      SkipSpace();
      k_at = pos_;
      while (!AtEnd() &&
             absl::ascii_isdigit(static_cast<unsigned char>(text_[pos_]))) {
        ++pos_;
      }
      if (pos_ == k_at) return Error(pos_, "expected k, a whole number");
      if (!absl::SimpleAtoi(text_.substr(k_at, pos_ - k_at), &e.k)) {
        return Error(k_at, "k is too large");
      }
      SkipSpace();
      if (AtEnd() || text_[pos_] != ',') {
        return Error(pos_, "expected ',' after k");
      }
      ++pos_;
    }
    SkipSpace();
    if (!AtEnd() && text_[pos_] == ')') {
      return Error(pos_, absl::StrCat(token, " needs at least one argument"));
    }
    while (true) {
      absl::StatusOr<CompositeExpr> child = Expr(depth + 1);
      if (!child.ok()) return child.status();
      e.children.push_back(*std::move(child));
      SkipSpace();
      if (!AtEnd() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (!AtEnd() && text_[pos_] == ')') {
        ++pos_;
        break;
      }
      return Error(pos_, "expected ',' or ')'");
    }
    const int n = static_cast<int>(e.children.size());
    if (e.kind == Kind::kKOfN && (e.k < 1 || e.k > n)) {
      return Error(k_at, absl::StrCat("k_of_n has ", n,
                                      " arguments after k, so k must be in "
                                      "[1, ",
                                      n, "], not ", e.k));
    }
    return e;
  }

  absl::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

absl::StatusOr<CompositeExpr> CompositeExpr::Parse(absl::string_view text) {
  return Parser(text).Run();
}

std::string CompositeExpr::ToString() const {
  std::string out;
  AppendExpr(*this, &out);
  return out;
}

absl::Status CompositeExpr::Validate() const {
  std::vector<std::string> path;
  return ValidateNode(*this, 1, &path);
}

std::vector<std::string> CompositeExpr::Components() const {
  std::vector<std::string> names;
  CollectNames(*this, &names);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

// ---------------------------------------------------------------------------
// StateSeries

namespace {

constexpr uint64_t kAllOnes = ~uint64_t{0};

size_t WordsFor(int64_t intervals) {
  return static_cast<size_t>((intervals + 63) / 64);
}

// Bits [lo, hi) of a word, 0 <= lo < hi <= 64.
uint64_t BitRange(int lo, int hi) {
  const uint64_t below_hi = hi == 64 ? kAllOnes : (uint64_t{1} << hi) - 1;
  return below_hi & ~((uint64_t{1} << lo) - 1);
}

// The valid bits of word w of a series of n intervals.
uint64_t ValidMask(size_t w, int64_t n) {
  const int64_t rest = n - static_cast<int64_t>(w) * 64;
  return rest >= 64 ? kAllOnes : BitRange(0, static_cast<int>(rest));
}

int64_t PopCount(const std::vector<uint64_t>& words) {
  int64_t n = 0;
  for (uint64_t w : words) n += absl::popcount(w);
  return n;
}

}  // namespace

StateSeries::StateSeries(int64_t intervals, IntervalState fill)
    : size_(std::max<int64_t>(intervals, 0)),
      down_(WordsFor(size_), 0),
      no_data_(WordsFor(size_), 0) {
  SetRange(0, size_, fill);
}

absl::StatusOr<StateSeries> StateSeries::FromString(absl::string_view text) {
  StateSeries s(static_cast<int64_t>(text.size()));
  for (size_t i = 0; i < text.size(); ++i) {
    switch (text[i]) {
      case 'U':
      case 'u':
        break;
      case 'D':
      case 'd':
        s.Set(static_cast<int64_t>(i), IntervalState::kDown);
        break;
      case '?':
        s.Set(static_cast<int64_t>(i), IntervalState::kNoData);
        break;
      default:
        return absl::InvalidArgumentError(absl::StrCat(
            "state series, offset ", i, ": '",
            absl::CHexEscape(text.substr(i, 1)),
            "' is not a state; use U (up), D (down) or ? (no data)"));
    }
  }
  return s;
}

std::string StateSeries::ToString() const {
  std::string out(static_cast<size_t>(size_), 'U');
  for (int64_t i = 0; i < size_; ++i) {
    switch (Get(i)) {
      case IntervalState::kUp:
        break;
      case IntervalState::kDown:
        out[i] = 'D';
        break;
      case IntervalState::kNoData:
        out[i] = '?';
        break;
    }
  }
  return out;
}

IntervalState StateSeries::Get(int64_t i) const {
  assert(i >= 0 && i < size_);
  const uint64_t bit = uint64_t{1} << (i % 64);
  if (down_[i / 64] & bit) return IntervalState::kDown;
  if (no_data_[i / 64] & bit) return IntervalState::kNoData;
  return IntervalState::kUp;
}

void StateSeries::Set(int64_t i, IntervalState state) {
  assert(i >= 0 && i < size_);
  SetRange(i, i + 1, state);
}

void StateSeries::SetRange(int64_t from, int64_t to, IntervalState state) {
  assert(0 <= from && from <= to && to <= size_);
  if (from >= to) return;
  const size_t first = static_cast<size_t>(from / 64);
  const size_t last = static_cast<size_t>((to - 1) / 64);
  for (size_t w = first; w <= last; ++w) {
    const int lo = w == first ? static_cast<int>(from % 64) : 0;
    const int hi = w == last ? static_cast<int>((to - 1) % 64) + 1 : 64;
    const uint64_t mask = BitRange(lo, hi);
    down_[w] &= ~mask;
    no_data_[w] &= ~mask;
    if (state == IntervalState::kDown) down_[w] |= mask;
    if (state == IntervalState::kNoData) no_data_[w] |= mask;
  }
}

int64_t StateSeries::Count(IntervalState state) const {
  switch (state) {
    case IntervalState::kDown:
      return PopCount(down_);
    case IntervalState::kNoData:
      return PopCount(no_data_);
    case IntervalState::kUp:
      break;
  }
  return size_ - PopCount(down_) - PopCount(no_data_);
}

bool operator==(const StateSeries& a, const StateSeries& b) {
  return a.size_ == b.size_ && a.down_ == b.down_ && a.no_data_ == b.no_data_;
}

// ---------------------------------------------------------------------------
// Owners

absl::string_view OwnerName(Owner owner) {
  return owner == Owner::kProvider ? "provider" : "application";
}

absl::StatusOr<Owner> ParseOwner(absl::string_view text) {
  if (absl::EqualsIgnoreCase(text, "provider")) return Owner::kProvider;
  if (absl::EqualsIgnoreCase(text, "application")) return Owner::kApplication;
  return absl::InvalidArgumentError(
      absl::StrCat("owner '", text, "' is not 'provider' or 'application'"));
}

// ---------------------------------------------------------------------------
// Evaluation

namespace internal {

// The expression flattened for evaluation: nodes in post-order (children
// before their parent, root last), components numbered in name order.
class CompositeEval {
 public:
  struct Node {
    Kind kind = Kind::kComponent;
    int k = 0;
    int component = -1;  // leaves
    int first = 0;       // children: kids[first, first + count)
    int count = 0;
    int parent = -1;  // -1 for the root
  };

  // Requires a valid expression.
  explicit CompositeEval(const CompositeExpr& expr)
      : names_(expr.Components()), leaves_(names_.size()) {
    for (size_t i = 0; i < names_.size(); ++i) {
      index_[names_[i]] = static_cast<int>(i);
    }
    Add(expr);
    read_once_ =
        std::all_of(leaves_.begin(), leaves_.end(),
                    [](const std::vector<int>& l) { return l.size() == 1; });
  }

  const std::vector<std::string>& names() const { return names_; }
  int num_components() const { return static_cast<int>(names_.size()); }
  const std::vector<Node>& nodes() const { return nodes_; }
  int root() const { return static_cast<int>(nodes_.size()) - 1; }
  const std::vector<std::vector<int>>& leaves() const { return leaves_; }
  bool read_once() const { return read_once_; }

  // ---- probabilities

  struct Prob {
    double up = 1;
    double down = 0;
  };

  // Up and down probabilities of the root from independent leaves. Every
  // step sums or multiplies non-negative numbers, so both keep their
  // relative precision: all_of's down is sum_i d_i * prod_{j<i} u_j, any_of's
  // up is sum_i u_i * prod_{j<i} d_j, k_of_n is the distribution of the
  // number of children up.
  Prob EvalProb(const std::vector<Prob>& leaf, std::vector<Prob>* node,
                std::vector<double>* dp) const {
    for (size_t i = 0; i < nodes_.size(); ++i) {
      const Node& n = nodes_[i];
      const int* kids = kids_.data() + n.first;
      Prob r;
      switch (n.kind) {
        case Kind::kComponent:
          r = leaf[n.component];
          break;
        case Kind::kAllOf:
          r = {1, 0};
          for (int c = 0; c < n.count; ++c) {
            const Prob& p = (*node)[kids[c]];
            r.down += p.down * r.up;
            r.up *= p.up;
          }
          break;
        case Kind::kAnyOf:
          r = {0, 1};
          for (int c = 0; c < n.count; ++c) {
            const Prob& p = (*node)[kids[c]];
            r.up += p.up * r.down;
            r.down *= p.down;
          }
          break;
        case Kind::kKOfN: {
          // (*dp)[j]: probability that exactly j of the children so far
          // are up.
          dp->assign(n.count + 1, 0.0);
          (*dp)[0] = 1;
          for (int c = 0; c < n.count; ++c) {
            const Prob& p = (*node)[kids[c]];
            for (int j = c + 1; j >= 1; --j) {
              (*dp)[j] = (*dp)[j] * p.down + (*dp)[j - 1] * p.up;
            }
            (*dp)[0] *= p.down;
          }
          r = {0, 0};
          for (int j = n.count; j >= n.k; --j) r.up += (*dp)[j];
          for (int j = 0; j < n.k; ++j) r.down += (*dp)[j];
          break;
        }
      }
      (*node)[i] = r;
    }
    return (*node)[root()];
  }

  // ---- one state per component

  // node_up[i] for every node given component_up.
  void EvalUp(const std::vector<char>& component_up,
              std::vector<char>* node_up) const {
    for (size_t i = 0; i < nodes_.size(); ++i) {
      const Node& n = nodes_[i];
      const int* kids = kids_.data() + n.first;
      if (n.kind == Kind::kComponent) {
        (*node_up)[i] = component_up[n.component];
        continue;
      }
      int up = 0;
      for (int c = 0; c < n.count; ++c) up += (*node_up)[kids[c]] ? 1 : 0;
      const int need = n.kind == Kind::kAllOf   ? n.count
                       : n.kind == Kind::kAnyOf ? 1
                                                : n.k;
      (*node_up)[i] = static_cast<char>(up >= need);
    }
  }

  // ---- 64 intervals per word

  // For each word w of the series (all of length n): up, down and no-data
  // bits of the composite. A component without data is "possibly up" but
  // not "surely up"; the expression is monotone, so the composite is surely
  // up iff it is up with every missing state taken as down, and possibly up
  // iff it is up with every missing state taken as up.
  void EvalWords(const std::vector<const StateSeries*>& series, int64_t n,
                 std::vector<uint64_t>* up, std::vector<uint64_t>* down,
                 std::vector<uint64_t>* no_data) const {
    const size_t words = WordsFor(n);
    up->assign(words, 0);
    down->assign(words, 0);
    no_data->assign(words, 0);
    std::vector<uint64_t> sure(nodes_.size()), maybe(nodes_.size());
    std::vector<uint64_t> sure_count(max_k_ + 1), maybe_count(max_k_ + 1);
    for (size_t w = 0; w < words; ++w) {
      for (size_t i = 0; i < nodes_.size(); ++i) {
        const Node& nd = nodes_[i];
        const int* kids = kids_.data() + nd.first;
        uint64_t s, m;
        switch (nd.kind) {
          case Kind::kComponent: {
            const StateSeries& st = *series[nd.component];
            m = ~st.down_[w];
            s = m & ~st.no_data_[w];
            break;
          }
          case Kind::kAllOf:
            s = m = kAllOnes;
            for (int c = 0; c < nd.count; ++c) {
              s &= sure[kids[c]];
              m &= maybe[kids[c]];
            }
            break;
          case Kind::kAnyOf:
            s = m = 0;
            for (int c = 0; c < nd.count; ++c) {
              s |= sure[kids[c]];
              m |= maybe[kids[c]];
            }
            break;
          case Kind::kKOfN: {
            // count[j]: bits where at least j of the children so far are up.
            const int k = nd.k;
            sure_count[0] = maybe_count[0] = kAllOnes;
            for (int j = 1; j <= k; ++j) sure_count[j] = maybe_count[j] = 0;
            for (int c = 0; c < nd.count; ++c) {
              const uint64_t cs = sure[kids[c]], cm = maybe[kids[c]];
              for (int j = std::min(k, c + 1); j >= 1; --j) {
                sure_count[j] |= sure_count[j - 1] & cs;
                maybe_count[j] |= maybe_count[j - 1] & cm;
              }
            }
            s = sure_count[k];
            m = maybe_count[k];
            break;
          }
          default:
            s = m = 0;
        }
        sure[i] = s;
        maybe[i] = m;
      }
      const uint64_t valid = ValidMask(w, n);
      const uint64_t s = sure[root()], m = maybe[root()];
      (*up)[w] = s & valid;
      (*down)[w] = ~m & valid;
      (*no_data)[w] = m & ~s & valid;
    }
  }

  static const std::vector<uint64_t>& DownWords(const StateSeries& s) {
    return s.down_;
  }
  static StateSeries MakeSeries(int64_t n, std::vector<uint64_t> down,
                                std::vector<uint64_t> no_data) {
    StateSeries s;
    s.size_ = n;
    s.down_ = std::move(down);
    s.no_data_ = std::move(no_data);
    return s;
  }

 private:
  int Add(const CompositeExpr& e) {
    Node n;
    n.kind = e.kind;
    if (e.kind == Kind::kComponent) {
      n.component = index_.at(e.name);
      const int id = static_cast<int>(nodes_.size());
      nodes_.push_back(n);
      leaves_[n.component].push_back(id);
      return id;
    }
    std::vector<int> kids;
    kids.reserve(e.children.size());
    for (const CompositeExpr& c : e.children) kids.push_back(Add(c));
    n.k = e.k;
    n.first = static_cast<int>(kids_.size());
    n.count = static_cast<int>(kids.size());
    if (e.kind == Kind::kKOfN) max_k_ = std::max(max_k_, e.k);
    kids_.insert(kids_.end(), kids.begin(), kids.end());
    const int id = static_cast<int>(nodes_.size());
    nodes_.push_back(n);
    for (int c : kids) nodes_[c].parent = id;
    return id;
  }

  std::vector<std::string> names_;
  absl::flat_hash_map<std::string, int> index_;
  std::vector<Node> nodes_;
  std::vector<int> kids_;
  std::vector<std::vector<int>> leaves_;  // per component: its leaf nodes
  bool read_once_ = true;
  int max_k_ = 0;
};

}  // namespace internal

namespace {

using internal::CompositeEval;

absl::StatusOr<CompositeEval::Prob> Theoretical(
    const CompositeExpr& expr,
    const absl::flat_hash_map<std::string, double>& availability) {
  absl::Status valid = expr.Validate();
  if (!valid.ok()) return valid;
  const CompositeEval eval(expr);
  const int m = eval.num_components();
  std::vector<CompositeEval::Prob> leaf(m);
  std::vector<int> repeated;
  for (int c = 0; c < m; ++c) {
    const std::string& name = eval.names()[c];
    auto it = availability.find(name);
    if (it == availability.end()) {
      return absl::NotFoundError(
          absl::StrCat("component '", name, "' has no availability"));
    }
    const double a = it->second;
    if (!(a >= 0 && a <= 1)) {
      return absl::InvalidArgumentError(
          absl::StrCat("component '", name, "': availability ", a,
                       " is not a fraction in [0, 1]"));
    }
    leaf[c] = {a, 1 - a};
    if (eval.leaves()[c].size() > 1) repeated.push_back(c);
  }
  std::vector<CompositeEval::Prob> node(eval.nodes().size());
  std::vector<double> dp;
  if (repeated.empty()) return eval.EvalProb(leaf, &node, &dp);
  const int r = static_cast<int>(repeated.size());
  if (r > kMaxRepeatedComponents) {
    return absl::InvalidArgumentError(
        absl::StrCat("the expression repeats ", r, " components; at most ",
                     kMaxRepeatedComponents, " can be evaluated exactly"));
  }
  // Condition on the states of the repeated components: given those, the
  // remaining leaves are distinct and independent.
  const std::vector<CompositeEval::Prob> given = leaf;
  CompositeEval::Prob total{0, 0};
  for (uint32_t mask = 0; mask < (uint32_t{1} << r); ++mask) {
    double weight = 1;
    for (int j = 0; j < r; ++j) {
      const int c = repeated[j];
      const bool up = (mask >> j) & 1;
      weight *= up ? given[c].up : given[c].down;
      leaf[c] = up ? CompositeEval::Prob{1, 0} : CompositeEval::Prob{0, 1};
    }
    if (weight == 0) continue;
    const CompositeEval::Prob p = eval.EvalProb(leaf, &node, &dp);
    total.up += weight * p.up;
    total.down += weight * p.down;
  }
  return total;
}

// The series of every component of `eval`, all of one length.
absl::StatusOr<std::vector<const StateSeries*>> GatherStates(
    const CompositeEval& eval, const ComponentStates& states) {
  std::vector<const StateSeries*> series;
  series.reserve(eval.num_components());
  for (const std::string& name : eval.names()) {
    auto it = states.find(name);
    if (it == states.end()) {
      return absl::NotFoundError(
          absl::StrCat("component '", name, "' has no states"));
    }
    if (!series.empty() && it->second.size() != series[0]->size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "component '", name, "' has ", it->second.size(), " intervals but '",
          eval.names()[0], "' has ", series[0]->size()));
    }
    series.push_back(&it->second);
  }
  return series;
}

CompositeObservation ObserveWith(const CompositeEval& eval,
                                 const std::vector<const StateSeries*>& series,
                                 std::vector<uint64_t>* down) {
  const int64_t n = series.empty() ? 0 : series[0]->size();
  std::vector<uint64_t> up, no_data;
  eval.EvalWords(series, n, &up, down, &no_data);
  CompositeObservation obs;
  obs.intervals = n;
  obs.up_intervals = PopCount(up);
  obs.down_intervals = PopCount(*down);
  obs.no_data_intervals = PopCount(no_data);
  obs.states = CompositeEval::MakeSeries(n, *down, std::move(no_data));
  return obs;
}

// Which down components caused a down composite interval, given the set of
// components down in it (bit c of `key`). Fills `set`.
void AnalyseDownSet(const CompositeEval& eval, const std::vector<uint64_t>& key,
                    DownSet* set) {
  const int m = eval.num_components();
  const auto& nodes = eval.nodes();
  std::vector<char> component_up(m);
  for (int c = 0; c < m; ++c) {
    component_up[c] = static_cast<char>(!((key[c / 64] >> (c % 64)) & 1));
    if (!component_up[c]) set->down.push_back(eval.names()[c]);
  }
  std::vector<char> node_up(nodes.size());
  eval.EvalUp(component_up, &node_up);
  // A node stays up whatever is repaired (the expression is monotone), so a
  // component matters only through an occurrence whose every ancestor is
  // down. Without repeated components that is also enough: each ancestor
  // can be made to follow that occurrence (repair the siblings of an
  // all_of, leave those of a down any_of down, repair k-1 minus the up
  // siblings of a k_of_n), so the component is pivotal for some repair set,
  // which is the same as belonging to a minimal one.
  std::vector<char> path_down(nodes.size());
  for (int i = eval.root(); i >= 0; --i) {
    const int parent = nodes[i].parent;
    path_down[i] =
        static_cast<char>(!node_up[i] && (parent < 0 || path_down[parent]));
  }
  std::vector<int> candidates;
  for (int c = 0; c < m; ++c) {
    if (component_up[c]) continue;
    for (int leaf : eval.leaves()[c]) {
      if (path_down[leaf]) {
        candidates.push_back(c);
        break;
      }
    }
  }
  std::vector<char> caused(candidates.size(), 1);
  if (!eval.read_once()) {
    // Exact by enumeration: c caused the interval iff some repair set S
    // without c fails while S + {c} repairs.
    const int d = static_cast<int>(candidates.size());
    if (d > kMaxAttributedDown) {
      set->attributed = false;
      return;
    }
    std::vector<char> repairs(size_t{1} << d);
    for (uint32_t mask = 0; mask < repairs.size(); ++mask) {
      for (int j = 0; j < d; ++j) {
        component_up[candidates[j]] = static_cast<char>((mask >> j) & 1);
      }
      eval.EvalUp(component_up, &node_up);
      repairs[mask] = node_up[eval.root()];
    }
    std::fill(caused.begin(), caused.end(), 0);
    for (uint32_t mask = 0; mask < repairs.size(); ++mask) {
      if (repairs[mask]) continue;
      for (int j = 0; j < d; ++j) {
        if (!((mask >> j) & 1) && repairs[mask | (uint32_t{1} << j)]) {
          caused[j] = 1;
        }
      }
    }
  }
  for (size_t j = 0; j < candidates.size(); ++j) {
    if (caused[j]) set->caused.push_back(eval.names()[candidates[j]]);
  }
}

// Down-set keys: bit c is set when component c is down. One word serves
// expressions of up to 64 components, the common case.
void ClearKey(uint64_t* key) { *key = 0; }
void ClearKey(std::vector<uint64_t>* key) {
  std::fill(key->begin(), key->end(), 0);
}
void SetKeyBit(uint64_t* key, int c, uint64_t bit) { *key |= bit << c; }
void SetKeyBit(std::vector<uint64_t>* key, int c, uint64_t bit) {
  (*key)[c / 64] |= bit << (c % 64);
}
std::vector<uint64_t> KeyWords(uint64_t key) { return {key}; }
const std::vector<uint64_t>& KeyWords(const std::vector<uint64_t>& key) {
  return key;
}

// Fills result->down and result->down_sets (each analysed once): the down
// set of every down composite interval, memoized, as outages last several
// intervals and repeat the same few combinations.
template <typename Key>
void FindDownSets(
    const CompositeEval& eval, const std::vector<uint64_t>& composite_down,
    const std::vector<const std::vector<uint64_t>*>& component_down, Key key,
    Attribution* result) {
  const int m = eval.num_components();
  absl::flat_hash_map<Key, int32_t> memo;
  Key previous_key = key;
  int32_t previous = -1;
  std::vector<uint64_t> word(m);
  for (size_t w = 0; w < composite_down.size(); ++w) {
    uint64_t bits = composite_down[w];
    if (bits == 0) continue;
    for (int c = 0; c < m; ++c) word[c] = (*component_down[c])[w];
    while (bits != 0) {
      const int b = absl::countr_zero(bits);
      bits &= bits - 1;
      ClearKey(&key);
      for (int c = 0; c < m; ++c) SetKeyBit(&key, c, (word[c] >> b) & 1);
      if (previous < 0 || key != previous_key) {
        auto [it, inserted] =
            memo.try_emplace(key, static_cast<int32_t>(memo.size()));
        if (inserted) {
          result->down_sets.emplace_back();
          AnalyseDownSet(eval, KeyWords(key), &result->down_sets.back());
        }
        previous = it->second;
        previous_key = key;
      }
      ++result->down_sets[previous].intervals;
      result->down.push_back({static_cast<int64_t>(w) * 64 + b, previous});
    }
  }
}

}  // namespace

absl::StatusOr<double> TheoreticalAvailability(
    const CompositeExpr& expr,
    const absl::flat_hash_map<std::string, double>& availability) {
  absl::StatusOr<internal::CompositeEval::Prob> p =
      Theoretical(expr, availability);
  if (!p.ok()) return p.status();
  return p->up;
}

absl::StatusOr<double> TheoreticalUnavailability(
    const CompositeExpr& expr,
    const absl::flat_hash_map<std::string, double>& availability) {
  absl::StatusOr<internal::CompositeEval::Prob> p =
      Theoretical(expr, availability);
  if (!p.ok()) return p.status();
  return p->down;
}

absl::StatusOr<CompositeObservation> Observe(const CompositeExpr& expr,
                                             const ComponentStates& states) {
  absl::Status valid = expr.Validate();
  if (!valid.ok()) return valid;
  const CompositeEval eval(expr);
  absl::StatusOr<std::vector<const StateSeries*>> series =
      GatherStates(eval, states);
  if (!series.ok()) return series.status();
  std::vector<uint64_t> down;
  return ObserveWith(eval, *series, &down);
}

absl::StatusOr<Attribution> Attribute(
    const CompositeExpr& expr, const ComponentStates& states,
    const absl::flat_hash_map<std::string, Owner>& owners) {
  absl::Status valid = expr.Validate();
  if (!valid.ok()) return valid;
  const CompositeEval eval(expr);
  const int m = eval.num_components();
  std::vector<Owner> owner(m);
  for (int c = 0; c < m; ++c) {
    auto it = owners.find(eval.names()[c]);
    if (it == owners.end()) {
      return absl::NotFoundError(
          absl::StrCat("component '", eval.names()[c], "' has no owner"));
    }
    owner[c] = it->second;
  }
  absl::StatusOr<std::vector<const StateSeries*>> series =
      GatherStates(eval, states);
  if (!series.ok()) return series.status();

  Attribution result;
  std::vector<uint64_t> composite_down;
  result.observation = ObserveWith(eval, *series, &composite_down);
  result.down.reserve(result.observation.down_intervals);

  std::vector<const std::vector<uint64_t>*> component_down(m);
  for (int c = 0; c < m; ++c) {
    component_down[c] = &CompositeEval::DownWords(*(*series)[c]);
  }
  if (m <= 64) {
    FindDownSets(eval, composite_down, component_down, uint64_t{0}, &result);
  } else {
    FindDownSets(eval, composite_down, component_down,
                 std::vector<uint64_t>(static_cast<size_t>((m + 63) / 64)),
                 &result);
  }

  // Totals, one distinct down set at a time.
  result.components.resize(m);
  absl::flat_hash_map<absl::string_view, int> index;
  for (int c = 0; c < m; ++c) {
    ComponentAttribution& ca = result.components[c];
    ca.component = eval.names()[c];
    ca.owner = owner[c];
    ca.down_intervals = (*series)[c]->Count(IntervalState::kDown);
    index[ca.component] = c;
  }
  auto owner_totals = [&](Owner o) -> OwnerAttribution& {
    return o == Owner::kProvider ? result.provider : result.application;
  };
  for (const DownSet& set : result.down_sets) {
    const int64_t n = set.intervals;
    if (!set.attributed || set.caused.empty()) {
      result.unattributed_intervals += n;
      continue;
    }
    if (set.caused.size() == 1) {
      const int c = index.at(set.caused[0]);
      result.components[c].sole_intervals += n;
      owner_totals(owner[c]).sole_intervals += n;
      owner_totals(owner[c]).exclusive_intervals += n;
      continue;
    }
    result.shared_only_intervals += n;
    bool owners_seen[2] = {false, false};
    for (const std::string& name : set.caused) {
      const int c = index.at(name);
      result.components[c].shared_intervals += n;
      owners_seen[owner[c] == Owner::kProvider ? 0 : 1] = true;
    }
    if (owners_seen[0]) result.provider.shared_intervals += n;
    if (owners_seen[1]) result.application.shared_intervals += n;
    if (owners_seen[0] && owners_seen[1]) {
      result.mixed_owner_intervals += n;
    } else {
      owner_totals(owners_seen[0] ? Owner::kProvider : Owner::kApplication)
          .exclusive_intervals += n;
    }
  }
  return result;
}

}  // namespace sla
