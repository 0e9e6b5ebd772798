// sla/composite.h: composite applications, as their users see them.
//
// An application is an expression over its components: `all_of` (serial:
// every child is needed), `any_of` (redundant: one child is enough) and
// `k_of_n` (k of the n children are needed), nested to any depth. This file
// answers three questions with pure functions of their arguments:
//
//  - the theoretical composite SLA from the components' commitments,
//    assuming independent failures (TheoreticalAvailability);
//  - the observed composite availability from per-interval component states
//    (Observe);
//  - attribution: for every down composite interval, which components caused
//    it, and how the downtime splits between the provider's platform and the
//    application's own code (Attribute).
//
//   sla::CompositeExpr shop =
//       sla::CompositeExpr::Parse("all_of(web, any_of(sql, queue))").value();
//   double sla = sla::TheoreticalAvailability(
//       shop, {{"web", 0.9995}, {"sql", 0.9999}, {"queue", 0.999}}).value();
//   // 0.9995 * (1 - 0.0001 * 0.001) = 0.99949990005
//
//   // One state per minute of a day; sql fails over to the queue, which
//   // is itself down for minutes [605, 615).
//   sla::ComponentStates day;
//   day["web"] = sla::StateSeries(1440);  // up all day
//   day["sql"] = sla::StateSeries(1440);
//   day["sql"].SetRange(600, 610, sla::IntervalState::kDown);
//   day["queue"] = sla::StateSeries(1440);
//   day["queue"].SetRange(605, 615, sla::IntervalState::kDown);
//   sla::Attribution a =
//       sla::Attribute(shop, day, {{"web", sla::Owner::kApplication},
//                                  {"sql", sla::Owner::kProvider},
//                                  {"queue", sla::Owner::kProvider}})
//           .value();
//   // a.observation.down_intervals == 5 (minutes 605..609), each shared by
//   // sql and queue: a.provider.exclusive_intervals == 5, and
//   // sla::ComputeBudget(a.observation.counts(), target) gives the budget.
//
// What an interval is (a minute, a 5-minute slice, ...) and when a component
// is down in it is the caller's decision; the engine feeds per-minute states.
//
// Component names are arbitrary non-empty strings. A component may appear
// more than once in one expression (two regional stacks sharing a global
// front door, a database reachable from both regions): every occurrence
// shares the component's one state, and every answer stays exact. Only the
// cost grows (see kMaxRepeatedComponents and kMaxAttributedDown).
//
// Errors: InvalidArgument for an invalid expression (the message names the
// node by its path from the root: `all_of[1].any_of[0]` is child 0 of the
// any_of that is child 1 of the root all_of), an availability outside
// [0, 1], or state series of different lengths; NotFound for a component
// without an availability, states or owner. Extra map entries for
// components the expression does not use are ignored.
//
// Value types and pure functions: every function here is thread-safe, the
// types are copyable and thread-compatible.

#ifndef SLA_COMPOSITE_H_
#define SLA_COMPOSITE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sla/objective.h"

namespace sla {

namespace internal {
class CompositeEval;
}  // namespace internal

// Deepest expression accepted (a lone component has depth 1). Bounds the
// recursion of every function here, including on untrusted text.
inline constexpr int kMaxCompositeDepth = 1000;

// ---------------------------------------------------------------------------
// Expressions

// A node of a composite expression: a component, or a group of children.
// Build with the factories or Parse; Validate before use if built by hand
// (every function below validates its expression and rejects an invalid
// one).
struct CompositeExpr {
  enum class Kind { kComponent, kAllOf, kAnyOf, kKOfN };

  Kind kind = Kind::kComponent;
  std::string name;  // kComponent: the component, non-empty; else ignored
  int k = 0;         // kKOfN: children needed up, in [1, n]; else ignored
  std::vector<CompositeExpr> children;  // groups: at least one; leaves: none

  static CompositeExpr Component(std::string name);
  static CompositeExpr AllOf(std::vector<CompositeExpr> children);
  static CompositeExpr AnyOf(std::vector<CompositeExpr> children);
  static CompositeExpr KOfN(int k, std::vector<CompositeExpr> children);

  // Parses the syntax ToString prints:
  //   expr  := name | all_of(expr, ...) | any_of(expr, ...)
  //          | k_of_n(k, expr, ...)
  //   name  := [A-Za-z0-9_.:/@-]+ | "any text, with \" and \\ escaped"
  // Whitespace is allowed between tokens. A bare name followed by '(' must
  // be one of the three functions. InvalidArgument naming the byte offset:
  // Parse("all_of(web sql)") fails with
  // `composite expression, offset 11 (near "sql)"): expected ',' or ')'`.
  static absl::StatusOr<CompositeExpr> Parse(absl::string_view text);

  // `all_of(web, any_of(sql, queue))`, `k_of_n(2, a, b, c)`. Names outside
  // the bare set (and names spelled like a function) are double-quoted, so
  // Parse(e.ToString()) == e for every valid e.
  std::string ToString() const;

  // OK, or InvalidArgument for the first problem found in depth-first
  // order: an empty component name, a component with children, a group
  // without children, k outside [1, n], depth above kMaxCompositeDepth.
  absl::Status Validate() const;

  // The distinct component names, sorted.
  std::vector<std::string> Components() const;

  // Structural equality (k compared for kKOfN only, name for kComponent
  // only).
  friend bool operator==(const CompositeExpr& a, const CompositeExpr& b);
  friend bool operator!=(const CompositeExpr& a, const CompositeExpr& b) {
    return !(a == b);
  }
};

// "all_of", "any_of", "k_of_n" or "component".
absl::string_view CompositeKindName(CompositeExpr::Kind kind);

// ---------------------------------------------------------------------------
// Theoretical composite SLA

// Most components an expression may repeat for TheoreticalAvailability: the
// exact answer conditions on the states of the repeated components, 2^r
// evaluations of the expression.
inline constexpr int kMaxRepeatedComponents = 20;

// The probability that the composite is up, from each component's
// availability as a fraction in [0, 1] (0.9995 for 99.95 %), with components
// failing independently:
//   all_of: the product of the children;
//   any_of: 1 - the product of the children's unavailabilities;
//   k_of_n: exact for unequal children, by dynamic programming over the
//           number of children up (the binomial formula only holds when all
//           children are equal).
// A repeated component is one random state, not several: the result is
// exact (conditioned on it), never the naive product.
// Every intermediate is a sum or product of non-negative terms, so the
// result is accurate to a few units in the last place (1e-15 relative).
// NotFound for a component without an entry; InvalidArgument for a value
// outside [0, 1] (or NaN), an invalid expression, or more than
// kMaxRepeatedComponents repeated components.
absl::StatusOr<double> TheoreticalAvailability(
    const CompositeExpr& expr,
    const absl::flat_hash_map<std::string, double>& availability);

// 1 - TheoreticalAvailability, computed directly so that it keeps its
// relative precision for many nines (6.25e-14 for four regions at 99.95 %,
// where 1 - 0.9999999999999375 only has 4 correct digits). Same errors.
absl::StatusOr<double> TheoreticalUnavailability(
    const CompositeExpr& expr,
    const absl::flat_hash_map<std::string, double>& availability);

// ---------------------------------------------------------------------------
// Observed states

enum class IntervalState : uint8_t {
  kUp,
  kDown,
  kNoData,  // no evidence either way; see Observe for how it combines
};

// The states of one component (or of the composite) over N consecutive
// intervals, packed two bits per interval: 30 days of minutes take 11 KB.
// A value type; copyable and thread-compatible.
class StateSeries {
 public:
  StateSeries() = default;  // no intervals
  // `intervals` intervals (>= 0), all in state `fill`.
  explicit StateSeries(int64_t intervals,
                       IntervalState fill = IntervalState::kUp);

  // One character per interval: 'U' up, 'D' down, '?' no data (lower case
  // accepted): "UUDD?U". InvalidArgument naming the offset of any other
  // character.
  static absl::StatusOr<StateSeries> FromString(absl::string_view text);
  // "UUDD?U".
  std::string ToString() const;

  int64_t size() const { return size_; }
  // Requires 0 <= i < size().
  IntervalState Get(int64_t i) const;
  void Set(int64_t i, IntervalState state);
  // Sets the intervals [from, to); requires 0 <= from <= to <= size().
  void SetRange(int64_t from, int64_t to, IntervalState state);
  // How many intervals are in `state`.
  int64_t Count(IntervalState state) const;

  friend bool operator==(const StateSeries& a, const StateSeries& b);
  friend bool operator!=(const StateSeries& a, const StateSeries& b) {
    return !(a == b);
  }

 private:
  friend class internal::CompositeEval;
  // Bit i of the words: interval i is down / has no data (never both; bits
  // at and after size_ are zero).
  int64_t size_ = 0;
  std::vector<uint64_t> down_;
  std::vector<uint64_t> no_data_;
};

// Component name -> its states. All series an expression uses must have the
// same length; interval i of each describes the same span of time.
using ComponentStates = absl::flat_hash_map<std::string, StateSeries>;

// The composite over a run of intervals.
struct CompositeObservation {
  int64_t intervals = 0;          // N, the length of the component series
  int64_t up_intervals = 0;       // composite up
  int64_t down_intervals = 0;     // composite down
  int64_t no_data_intervals = 0;  // composite undetermined; left out
  StateSeries states;             // the composite state of each interval

  // up / (up + down); 1.0 when no interval has data (no evidence of
  // failure). Equals up / intervals when no interval lacks data.
  double availability() const {
    const int64_t known = up_intervals + down_intervals;
    return known == 0 ? 1.0 : static_cast<double>(up_intervals) / known;
  }
  // {good = up, total = up + down}, for ComputeBudget and BurnRate.
  Counts counts() const {
    return Counts{up_intervals, up_intervals + down_intervals};
  }
};

// The composite state of every interval. A component without data in an
// interval may have been up or down: the composite is up (or down) in that
// interval when it is up (or down) either way, and kNoData only when the
// answer depends on the missing data (all_of(web, sql) with web down and sql
// without data is down). Evaluates 64 intervals per machine word: 43,200
// intervals x 10 components take microseconds.
// NotFound for a component missing from `states`; InvalidArgument for an
// invalid expression or series of different lengths.
absl::StatusOr<CompositeObservation> Observe(const CompositeExpr& expr,
                                             const ComponentStates& states);

// ---------------------------------------------------------------------------
// Attribution

// Who runs a component: the cloud provider's platform (a managed database,
// a queue) or the application team (its own code and configuration).
enum class Owner { kProvider, kApplication };
absl::string_view OwnerName(Owner owner);  // "provider", "application"
// "provider" or "application" (case-insensitive); InvalidArgument otherwise.
absl::StatusOr<Owner> ParseOwner(absl::string_view text);

// In an expression that repeats components, attribution enumerates the
// subsets of the components that could matter in an interval (down, with no
// up group above them that covers for them); an interval with more than
// this many is left unattributed. Expressions without repeated components
// have no limit: their causes are read off the tree.
inline constexpr int kMaxAttributedDown = 20;

// Definitions, for one down composite interval. A repair set is a set of
// components down in the interval whose recovery (all other states
// unchanged) would have brought the composite up; it is minimal when no
// proper subset is a repair set. A component *caused* the interval when it
// belongs to some minimal repair set. It caused it *alone* (sole) when the
// only minimal repair set is that component alone; every other cause is
// *shared*. So in any_of(sql, queue) with both down, sql and queue each
// share the interval; a component that was down while another branch
// covered for it caused nothing. A component without data in a down
// composite interval is taken as up (it is not needed to explain the
// downtime).

// Per component.
struct ComponentAttribution {
  std::string component;
  Owner owner = Owner::kProvider;
  int64_t down_intervals = 0;    // the component was down (any composite)
  int64_t sole_intervals = 0;    // down composite intervals it caused alone
  int64_t shared_intervals = 0;  // down composite intervals it shared
};

// Per owner; each down composite interval counts at most once per owner.
struct OwnerAttribution {
  // The only minimal repair set is one component of this owner.
  int64_t sole_intervals = 0;
  // No component caused the interval alone, and one of this owner's shared
  // it (an interval shared by a provider and an application component
  // counts for both owners).
  int64_t shared_intervals = 0;
  // Every component that caused the interval is this owner's (sole or
  // shared): the downtime this owner alone is answerable for.
  int64_t exclusive_intervals = 0;
};

// One distinct set of down components seen in down composite intervals.
struct DownSet {
  std::vector<std::string> down;    // the components down, sorted
  std::vector<std::string> caused;  // those that caused it, sorted; one
                                    // entry: it caused the interval alone
  bool attributed = true;  // false: over kMaxAttributedDown, `caused` empty
  int64_t intervals = 0;   // down composite intervals with this down set
};

struct DownInterval {
  int64_t interval = 0;  // index into the series
  int32_t down_set = 0;  // index into Attribution::down_sets
};

// Attribution of a run of intervals. Invariants:
//   observation.down_intervals
//     == sum of components[i].sole_intervals + shared_only_intervals
//        + unattributed_intervals
//     == provider.exclusive_intervals + application.exclusive_intervals
//        + mixed_owner_intervals + unattributed_intervals.
struct Attribution {
  CompositeObservation observation;
  // One entry per component of the expression, sorted by name.
  std::vector<ComponentAttribution> components;
  OwnerAttribution provider;
  OwnerAttribution application;
  // Down intervals caused by several components, none alone.
  int64_t shared_only_intervals = 0;
  // Down intervals caused by components of both owners.
  int64_t mixed_owner_intervals = 0;
  // Down intervals with too many components down to attribute (repeated
  // components only; see kMaxAttributedDown). With consistent states no
  // other down interval is left without a cause.
  int64_t unattributed_intervals = 0;
  // The distinct down sets, in order of first appearance, and every down
  // composite interval in increasing order with its down set: the timeline
  // of an incident.
  std::vector<DownSet> down_sets;
  std::vector<DownInterval> down;

  const OwnerAttribution& ForOwner(Owner owner) const {
    return owner == Owner::kProvider ? provider : application;
  }
};

// Observes the composite (as Observe) and attributes every down interval.
// The work per interval is a few word operations; each distinct down set is
// analysed once (minimal repair sets read off the expression tree when no
// component repeats, else by enumerating the subsets of the components that
// could matter). Errors as Observe, plus NotFound for a component without an
// owner.
absl::StatusOr<Attribution> Attribute(
    const CompositeExpr& expr, const ComponentStates& states,
    const absl::flat_hash_map<std::string, Owner>& owners);

}  // namespace sla

#endif  // SLA_COMPOSITE_H_
