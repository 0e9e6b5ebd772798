#include "sla/composite.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sla {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

using E = CompositeExpr;
using Availabilities = absl::flat_hash_map<std::string, double>;
using Owners = absl::flat_hash_map<std::string, Owner>;

constexpr Owner kP = Owner::kProvider;
constexpr Owner kA = Owner::kApplication;

// |actual - expected| <= rel * |expected|.
void ExpectRel(double actual, double expected, double rel) {
  EXPECT_LE(std::fabs(actual - expected), rel * std::fabs(expected))
      << "actual " << actual << " expected " << expected;
}

E Parsed(absl::string_view text) {
  absl::StatusOr<E> e = E::Parse(text);
  EXPECT_TRUE(e.ok()) << text << ": " << e.status();
  return e.ok() ? *e : E::Component("?");
}

double Avail(const E& e, const Availabilities& a) {
  absl::StatusOr<double> r = TheoreticalAvailability(e, a);
  EXPECT_TRUE(r.ok()) << e.ToString() << ": " << r.status();
  return r.ok() ? *r : -1;
}

double Unavail(const E& e, const Availabilities& a) {
  absl::StatusOr<double> r = TheoreticalUnavailability(e, a);
  EXPECT_TRUE(r.ok()) << e.ToString() << ": " << r.status();
  return r.ok() ? *r : -1;
}

StateSeries Series(absl::string_view text) {
  absl::StatusOr<StateSeries> s = StateSeries::FromString(text);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : StateSeries();
}

CompositeObservation Obs(const E& e, const ComponentStates& states) {
  absl::StatusOr<CompositeObservation> r = Observe(e, states);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : CompositeObservation();
}

Attribution Attr(const E& e, const ComponentStates& states,
                 const Owners& owners) {
  absl::StatusOr<Attribution> r = Attribute(e, states, owners);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : Attribution();
}

const ComponentAttribution& Of(const Attribution& a, absl::string_view name) {
  for (const ComponentAttribution& c : a.components) {
    if (c.component == name) return c;
  }
  ADD_FAILURE() << "no component " << name;
  static const ComponentAttribution kNone;
  return kNone;
}

// The attribution invariants documented in composite.h.
void ExpectInvariants(const Attribution& a) {
  int64_t sole = 0;
  for (const ComponentAttribution& c : a.components) sole += c.sole_intervals;
  EXPECT_EQ(a.observation.down_intervals,
            sole + a.shared_only_intervals + a.unattributed_intervals);
  EXPECT_EQ(a.observation.down_intervals,
            a.provider.exclusive_intervals + a.application.exclusive_intervals +
                a.mixed_owner_intervals + a.unattributed_intervals);
  EXPECT_EQ(sole, a.provider.sole_intervals + a.application.sole_intervals);
  EXPECT_EQ(static_cast<int64_t>(a.down.size()), a.observation.down_intervals);
  int64_t in_sets = 0;
  for (const DownSet& s : a.down_sets) in_sets += s.intervals;
  EXPECT_EQ(in_sets, a.observation.down_intervals);
}

// ---------------------------------------------------------------------------
// Reference implementations, straight from the definitions.

bool RefUp(const E& e, const absl::flat_hash_map<std::string, bool>& up) {
  if (e.kind == E::Kind::kComponent) return up.at(e.name);
  int n = 0;
  for (const E& c : e.children) n += RefUp(c, up) ? 1 : 0;
  const int need = e.kind == E::Kind::kAllOf
                       ? static_cast<int>(e.children.size())
                   : e.kind == E::Kind::kAnyOf ? 1
                                               : e.k;
  return n >= need;
}

// Probability that the composite is up: the sum over all 2^m joint states.
double RefProbability(const E& e, const Availabilities& a) {
  const std::vector<std::string> names = e.Components();
  double total = 0;
  for (uint32_t mask = 0; mask < (1u << names.size()); ++mask) {
    absl::flat_hash_map<std::string, bool> up;
    double p = 1;
    for (size_t i = 0; i < names.size(); ++i) {
      up[names[i]] = (mask >> i) & 1;
      p *= up[names[i]] ? a.at(names[i]) : 1 - a.at(names[i]);
    }
    if (RefUp(e, up)) total += p;
  }
  return total;
}

// Minimal repair sets of the down components `down` (everything else up),
// by enumerating every subset.
std::vector<std::set<std::string>> RefMinimalRepairSets(
    const E& e, const std::vector<std::string>& down) {
  absl::flat_hash_map<std::string, bool> up;
  for (const std::string& n : e.Components()) up[n] = true;
  std::vector<uint32_t> repairing;
  for (uint32_t mask = 0; mask < (1u << down.size()); ++mask) {
    for (size_t i = 0; i < down.size(); ++i) up[down[i]] = (mask >> i) & 1;
    if (RefUp(e, up)) repairing.push_back(mask);
  }
  std::vector<std::set<std::string>> minimal;
  for (uint32_t s : repairing) {
    bool is_minimal = true;
    for (uint32_t t : repairing) {
      if (t != s && (t & s) == t) is_minimal = false;
    }
    if (!is_minimal) continue;
    std::set<std::string> set;
    for (size_t i = 0; i < down.size(); ++i) {
      if ((s >> i) & 1) set.insert(down[i]);
    }
    minimal.push_back(set);
  }
  return minimal;
}

// A random expression over components c0..c{pool-1}; repeats components
// unless `distinct`.
E RandomExpr(std::mt19937* rng, int depth, int pool, bool distinct, int* next) {
  std::uniform_int_distribution<int> pick(0, 9);
  if (depth == 0 || pick(*rng) < 3 || (distinct && *next >= pool - 1)) {
    const int c = distinct
                      ? (*next)++
                      : std::uniform_int_distribution<int>(0, pool - 1)(*rng);
    return E::Component(absl::StrCat("c", c));
  }
  const int n = std::uniform_int_distribution<int>(1, 4)(*rng);
  std::vector<E> kids;
  kids.reserve(n);
  for (int i = 0; i < n; ++i) {
    kids.push_back(RandomExpr(rng, depth - 1, pool, distinct, next));
  }
  switch (pick(*rng) % 3) {
    case 0:
      return E::AllOf(std::move(kids));
    case 1:
      return E::AnyOf(std::move(kids));
    default: {
      const int k = std::uniform_int_distribution<int>(1, n)(*rng);
      return E::KOfN(k, std::move(kids));
    }
  }
}

// ---------------------------------------------------------------------------
// Theoretical composite SLA: the vectors of test_vectors.json
// (composite_sla_azure, composite_dependency_bound).

constexpr double kRel = 1e-15;

TEST(TheoreticalTest, SerialIsTheProduct) {
  // Azure: App Service 99.95 % in series with SQL Database 99.99 %:
  // 0.9995 * 0.9999 = 0.99940005 (published "99.94%").
  const E e = Parsed("all_of(web, sql)");
  const Availabilities a = {{"web", 0.9995}, {"sql", 0.9999}};
  ExpectRel(Avail(e, a), 0.99940005, kRel);
  // 1 - 0.99940005 = 0.00059995 (the inputs' own representation error
  // limits this to ~1e-13 relative).
  ExpectRel(Unavail(e, a), 0.00059995, 1e-12);
}

TEST(TheoreticalTest, FallbackParallel) {
  // SQL Database or a queue, unavailabilities 0.0001 and 0.001:
  // 1 - 0.0001 * 0.001 = 0.9999999 (published "99.99999%").
  const E e = Parsed("any_of(sql, queue)");
  const Availabilities a = {{"sql", 1 - 0.0001}, {"queue", 1 - 0.001}};
  ExpectRel(Avail(e, a), 0.9999999, kRel);
  ExpectRel(Unavail(e, a), 1e-7, 1e-12);
}

TEST(TheoreticalTest, WebAndDbOrQueue) {
  // Web app AND (database OR queue) with the same inputs:
  // 0.9995 * (1 - 0.0001 * 0.001) = 0.9995 * 0.9999999 = 0.99949990005,
  // published as "~99.95%". test_vectors.json records 0.99949995 as
  // "computed", which no reading of the published inputs gives (it is off
  // by 5e-8); the exact product is asserted here.
  const E e = Parsed("all_of(web, any_of(sql, queue))");
  const Availabilities a = {{"web", 0.9995}, {"sql", 0.9999}, {"queue", 0.999}};
  ExpectRel(Avail(e, a), 0.99949990005, kRel);
  EXPECT_EQ(std::round(Avail(e, a) * 1e4) / 1e2, 99.95);  // "~99.95%"
}

TEST(TheoreticalTest, MultiRegion) {
  // N = 0.9995 per region, R regions: 1 - (1 - N)^R.
  // R = 2: 1 - 0.0005^2 = 1 - 2.5e-7 = 0.99999975 (published "99.999975%").
  const Availabilities a = {
      {"r1", 0.9995}, {"r2", 0.9995}, {"r3", 0.9995}, {"r4", 0.9995}};
  ExpectRel(Avail(Parsed("any_of(r1, r2)"), a), 0.99999975, kRel);
  // R = 4: 1 - 0.0005^4 = 1 - 6.25e-14 = 0.9999999999999375.
  const E four = Parsed("any_of(r1, r2, r3, r4)");
  ExpectRel(Avail(four, a), 0.9999999999999375, kRel);
  // Directly, the unavailability keeps its digits: 6.25e-14 (to the
  // inputs' 1e-13 representation error, x4).
  ExpectRel(Unavail(four, a), 6.25e-14, 1e-12);
}

TEST(TheoreticalTest, MultiRegionBehindTrafficManagerOlderGuidance) {
  // 0.9999 * (1 - (1 - N)^2) = 0.9999 * 0.99999975 = 0.999899750025.
  const E e = Parsed("all_of(traffic_manager, any_of(r1, r2))");
  const Availabilities a = {
      {"traffic_manager", 0.9999}, {"r1", 0.9995}, {"r2", 0.9995}};
  ExpectRel(Avail(e, a), 0.999899750025, kRel);
}

TEST(TheoreticalTest, DependencyBound) {
  // OpenSLO #14: A depends on two services at 99 %: at most 0.99^2 = 0.9801.
  ExpectRel(Avail(Parsed("all_of(b, c)"), {{"b", 0.99}, {"c", 0.99}}), 0.9801,
            kRel);
}

TEST(TheoreticalTest, KOfNWithUnequalComponents) {
  // 2 of {0.9, 0.8, 0.7}: P(all three) = 0.9 * 0.8 * 0.7 = 0.504;
  // P(exactly two) = 0.9*0.8*0.3 + 0.9*0.2*0.7 + 0.1*0.8*0.7
  //                = 0.216 + 0.126 + 0.056 = 0.398; total 0.902.
  // (The binomial formula with the mean 0.8 would give 0.896.)
  const E e = Parsed("k_of_n(2, a, b, c)");
  const Availabilities a = {{"a", 0.9}, {"b", 0.8}, {"c", 0.7}};
  ExpectRel(Avail(e, a), 0.902, kRel);
  ExpectRel(Unavail(e, a), 0.098, 1e-14);
  // 1 of 3: 1 - 0.1 * 0.2 * 0.3 = 0.994; 3 of 3: 0.504.
  ExpectRel(Avail(Parsed("k_of_n(1, a, b, c)"), a), 0.994, kRel);
  ExpectRel(Avail(Parsed("k_of_n(3, a, b, c)"), a), 0.504, kRel);
}

TEST(TheoreticalTest, KOfNMatchesAnyOfAllOfAndBinomial) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> avail(0.5, 1.0);
  for (int round = 0; round < 200; ++round) {
    const int n = 1 + round % 8;
    std::vector<E> kids;
    Availabilities a;
    for (int i = 0; i < n; ++i) {
      kids.push_back(E::Component(absl::StrCat("c", i)));
      a[absl::StrCat("c", i)] = avail(rng);
    }
    ExpectRel(Avail(E::KOfN(1, kids), a), Avail(E::AnyOf(kids), a), kRel);
    ExpectRel(Avail(E::KOfN(n, kids), a), Avail(E::AllOf(kids), a), kRel);
    // Unavailabilities too (they are computed independently).
    ExpectRel(Unavail(E::KOfN(1, kids), a), Unavail(E::AnyOf(kids), a), 1e-13);
    ExpectRel(Unavail(E::KOfN(n, kids), a), Unavail(E::AllOf(kids), a), 1e-13);
    // Every k against the sum over all joint states.
    for (int k = 1; k <= n; ++k) {
      ExpectRel(Avail(E::KOfN(k, kids), a), RefProbability(E::KOfN(k, kids), a),
                1e-13);
    }
    // Equal components: the binomial formula holds.
    Availabilities equal;
    const double p = avail(rng);
    for (int i = 0; i < n; ++i) equal[absl::StrCat("c", i)] = p;
    for (int k = 1; k <= n; ++k) {
      double binomial = 0;
      for (int j = k; j <= n; ++j) {
        double choose = 1;
        for (int i = 0; i < j; ++i) choose = choose * (n - i) / (i + 1);
        binomial += choose * std::pow(p, j) * std::pow(1 - p, n - j);
      }
      ExpectRel(Avail(E::KOfN(k, kids), equal), binomial, 1e-13);
    }
  }
}

TEST(TheoreticalTest, RandomNestedExpressionsMatchEnumeration) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> avail(0.0, 1.0);
  for (int round = 0; round < 300; ++round) {
    int next = 0;
    const bool distinct = round % 2 == 0;
    const E e = RandomExpr(&rng, 4, 7, distinct, &next);
    Availabilities a;
    for (const std::string& n : e.Components()) a[n] = avail(rng);
    const double ref = RefProbability(e, a);
    EXPECT_NEAR(Avail(e, a), ref, 1e-14) << e.ToString();
    EXPECT_NEAR(Unavail(e, a), 1 - ref, 1e-14) << e.ToString();
  }
}

TEST(TheoreticalTest, RepeatedComponentIsOneState) {
  // Two regional stacks behind one shared front door: the front door fails
  // both at once. Conditioning on it gives exactly the factored form
  // 0.9999 * (1 - 0.001^2) = 0.9999 * 0.999999 = 0.9998990001,
  // not the naive 1 - (1 - 0.9999 * 0.999)^2 = 0.99999880...
  const Availabilities a = {{"fd", 0.9999}, {"east", 0.999}, {"west", 0.999}};
  ExpectRel(Avail(Parsed("any_of(all_of(fd, east), all_of(fd, west))"), a),
            0.9998990001, 1e-14);
  ExpectRel(Avail(Parsed("all_of(fd, any_of(east, west))"), a), 0.9998990001,
            kRel);
  // all_of(x, x) is x, any_of(x, x) is x.
  ExpectRel(Avail(Parsed("all_of(x, x)"), {{"x", 0.9}}), 0.9, kRel);
  ExpectRel(Avail(Parsed("any_of(x, x)"), {{"x", 0.9}}), 0.9, kRel);
}

TEST(TheoreticalTest, BridgeTopologyWithFailover) {
  // Each region's web app can use either region's database (a failover
  // group): not series-parallel, so components repeat. Check against the
  // sum over all 16 joint states.
  const E e = Parsed(
      "any_of(all_of(web_e, any_of(sql_e, sql_w)), "
      "all_of(web_w, any_of(sql_w, sql_e)))");
  const Availabilities a = {
      {"web_e", 0.99}, {"web_w", 0.98}, {"sql_e", 0.95}, {"sql_w", 0.9}};
  // = P(some web up) * P(some sql up) here, since any web works with any
  // database: (1 - 0.01 * 0.02) * (1 - 0.05 * 0.1) = 0.9998 * 0.995.
  ExpectRel(Avail(e, a), 0.9998 * 0.995, 1e-14);
  ExpectRel(Avail(e, a), RefProbability(e, a), 1e-14);
}

TEST(TheoreticalTest, CertainComponents) {
  const E e = Parsed("all_of(a, any_of(b, c))");
  EXPECT_EQ(Avail(e, {{"a", 1}, {"b", 0}, {"c", 1}}), 1.0);
  EXPECT_EQ(Avail(e, {{"a", 0}, {"b", 1}, {"c", 1}}), 0.0);
  EXPECT_EQ(Unavail(e, {{"a", 1}, {"b", 0}, {"c", 0}}), 1.0);
}

TEST(TheoreticalTest, Errors) {
  const E e = Parsed("all_of(web, sql)");
  absl::StatusOr<double> r = TheoreticalAvailability(e, {{"web", 0.9995}});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("'sql'"));
  for (double bad : {1.5, -0.1, std::numeric_limits<double>::quiet_NaN()}) {
    r = TheoreticalAvailability(e, {{"web", 0.9995}, {"sql", bad}});
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(r.status().message(), HasSubstr("'sql'"));
  }
  r = TheoreticalAvailability(E::AllOf({}), {});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  // Extra entries are ignored.
  EXPECT_TRUE(
      TheoreticalAvailability(e, {{"web", 1}, {"sql", 1}, {"x", 2}}).ok());
}

TEST(TheoreticalTest, TooManyRepeatedComponents) {
  std::vector<E> a, b;
  Availabilities av;
  for (int i = 0; i <= kMaxRepeatedComponents; ++i) {
    a.push_back(E::Component(absl::StrCat("c", i)));
    av[absl::StrCat("c", i)] = 0.9;
  }
  b = a;
  absl::StatusOr<double> r =
      TheoreticalAvailability(E::AnyOf({E::AllOf(a), E::AllOf(b)}), av);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("repeats 21 components"));
}

// ---------------------------------------------------------------------------
// StateSeries

TEST(StateSeriesTest, StringsSetAndCount) {
  StateSeries s = Series("UUDd?u");
  EXPECT_EQ(s.size(), 6);
  EXPECT_EQ(s.ToString(), "UUDD?U");
  EXPECT_EQ(s.Get(2), IntervalState::kDown);
  EXPECT_EQ(s.Get(4), IntervalState::kNoData);
  EXPECT_EQ(s.Count(IntervalState::kUp), 3);
  EXPECT_EQ(s.Count(IntervalState::kDown), 2);
  EXPECT_EQ(s.Count(IntervalState::kNoData), 1);
  s.Set(4, IntervalState::kDown);
  s.Set(2, IntervalState::kUp);
  EXPECT_EQ(s.ToString(), "UUUDDU");
  absl::StatusOr<StateSeries> bad = StateSeries::FromString("UUx");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("offset 2"));
}

TEST(StateSeriesTest, RangesAcrossWords) {
  StateSeries s(200);
  EXPECT_EQ(s.Count(IntervalState::kUp), 200);
  s.SetRange(60, 140, IntervalState::kDown);
  s.SetRange(100, 130, IntervalState::kNoData);
  s.SetRange(5, 5, IntervalState::kDown);  // empty
  EXPECT_EQ(s.Count(IntervalState::kDown), 50);
  EXPECT_EQ(s.Count(IntervalState::kNoData), 30);
  EXPECT_EQ(s.Get(59), IntervalState::kUp);
  EXPECT_EQ(s.Get(60), IntervalState::kDown);
  EXPECT_EQ(s.Get(129), IntervalState::kNoData);
  EXPECT_EQ(s.Get(139), IntervalState::kDown);
  EXPECT_EQ(s.Get(140), IntervalState::kUp);
  StateSeries d(130, IntervalState::kDown);
  EXPECT_EQ(d.Count(IntervalState::kDown), 130);
  EXPECT_EQ(d.Count(IntervalState::kUp), 0);
  EXPECT_EQ(d, Series(std::string(130, 'D')));
  EXPECT_NE(d, StateSeries(130));
}

// ---------------------------------------------------------------------------
// Observed composite availability

TEST(ObserveTest, AllOf) {
  // web  U U D U D
  // sql  U D D U U
  // all  U D D U D -> 2 up, 3 down
  const CompositeObservation o =
      Obs(Parsed("all_of(web, sql)"),
          {{"web", Series("UUDUD")}, {"sql", Series("UDDUU")}});
  EXPECT_EQ(o.intervals, 5);
  EXPECT_EQ(o.up_intervals, 2);
  EXPECT_EQ(o.down_intervals, 3);
  EXPECT_EQ(o.no_data_intervals, 0);
  EXPECT_EQ(o.states.ToString(), "UDDUD");
  EXPECT_EQ(o.availability(), 0.4);
  EXPECT_EQ(o.counts(), (Counts{2, 5}));
}

TEST(ObserveTest, AnyOf) {
  // sql   U D D U D
  // queue U U D D U
  // any   U U D U U -> 4 up, 1 down
  const CompositeObservation o =
      Obs(Parsed("any_of(sql, queue)"),
          {{"sql", Series("UDDUD")}, {"queue", Series("UUDDU")}});
  EXPECT_EQ(o.states.ToString(), "UUDUU");
  EXPECT_EQ(o.up_intervals, 4);
  EXPECT_EQ(o.down_intervals, 1);
  EXPECT_EQ(o.availability(), 0.8);
}

TEST(ObserveTest, KOfN) {
  // a     U D D U D U
  // b     U U D D D U
  // c     U U U D U D
  // up    3 2 1 1 1 2  -> 2 of 3: U U D D D U
  const CompositeObservation o =
      Obs(Parsed("k_of_n(2, a, b, c)"), {{"a", Series("UDDUDU")},
                                         {"b", Series("UUDDDU")},
                                         {"c", Series("UUUDUD")}});
  EXPECT_EQ(o.states.ToString(), "UUDDDU");
  EXPECT_EQ(o.up_intervals, 3);
  EXPECT_EQ(o.down_intervals, 3);
}

TEST(ObserveTest, Nested) {
  // all_of(web, any_of(sql, queue))
  // web   U U D U U
  // sql   U D D D U
  // queue D U U D D
  // any   U U U D U
  // all   U U D D U -> 3 up, 2 down
  const CompositeObservation o = Obs(Parsed("all_of(web, any_of(sql, queue))"),
                                     {{"web", Series("UUDUU")},
                                      {"sql", Series("UDDDU")},
                                      {"queue", Series("DUUDD")}});
  EXPECT_EQ(o.states.ToString(), "UUDDU");
  EXPECT_EQ(o.up_intervals, 3);
  EXPECT_EQ(o.down_intervals, 2);
}

TEST(ObserveTest, NoDataCountsOnlyWhenItMatters) {
  // all_of(a, b): D+? = D (down either way), U+? = ?, U+U = U.
  // any_of(a, b): U+? = U, D+? = ?, D+D = D.
  const ComponentStates s = {{"a", Series("DUUD?")}, {"b", Series("??UDU")}};
  const CompositeObservation all = Obs(Parsed("all_of(a, b)"), s);
  EXPECT_EQ(all.states.ToString(), "D?UD?");
  EXPECT_EQ(all.up_intervals, 1);
  EXPECT_EQ(all.down_intervals, 2);
  EXPECT_EQ(all.no_data_intervals, 2);
  EXPECT_EQ(all.availability(), 1.0 / 3);  // up / (up + down)
  EXPECT_EQ(all.counts(), (Counts{1, 3}));
  const CompositeObservation any = Obs(Parsed("any_of(a, b)"), s);
  EXPECT_EQ(any.states.ToString(), "?UUDU");
  // 2 of {a, b, c} with a down, b no data, c up: depends on b.
  const CompositeObservation k =
      Obs(Parsed("k_of_n(2, a, b, c)"),
          {{"a", Series("DU")}, {"b", Series("??")}, {"c", Series("UU")}});
  EXPECT_EQ(k.states.ToString(), "?U");
}

TEST(ObserveTest, EmptyStates) {
  const CompositeObservation o =
      Obs(Parsed("all_of(a, b)"), {{"a", StateSeries()}, {"b", Series("")}});
  EXPECT_EQ(o.intervals, 0);
  EXPECT_EQ(o.up_intervals, 0);
  EXPECT_EQ(o.down_intervals, 0);
  EXPECT_EQ(o.availability(), 1.0);
  EXPECT_EQ(o.states.size(), 0);
}

TEST(ObserveTest, Errors) {
  const E e = Parsed("all_of(web, sql)");
  absl::StatusOr<CompositeObservation> r =
      Observe(e, {{"web", Series("UUU")}, {"sql", Series("UU")}});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("'web' has 3 intervals"));
  r = Observe(e, {{"web", Series("UUU")}});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("'sql'"));
  r = Observe(E::KOfN(3, {E::Component("a")}), {{"a", Series("U")}});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  // Series of other components may differ in length.
  EXPECT_TRUE(Observe(e, {{"web", Series("U")},
                          {"sql", Series("D")},
                          {"other", Series("UU")}})
                  .ok());
}

TEST(ObserveTest, RandomExpressionsMatchEveryCompletion) {
  // Interval by interval against the definition: the composite is up (down)
  // when it is up (down) for every way of filling in the missing states.
  std::mt19937 rng(3);
  for (int round = 0; round < 60; ++round) {
    int next = 0;
    const E e = RandomExpr(&rng, 4, 6, round % 2 == 0, &next);
    const std::vector<std::string> names = e.Components();
    const int64_t n = 64 * 3 + round % 64;  // several words, ragged end
    ComponentStates states;
    std::uniform_int_distribution<int> state(0, 9);
    for (const std::string& name : names) {
      StateSeries s(n);
      for (int64_t i = 0; i < n; ++i) {
        const int x = state(rng);
        s.Set(i, x < 4   ? IntervalState::kDown
                 : x < 5 ? IntervalState::kNoData
                         : IntervalState::kUp);
      }
      states[name] = s;
    }
    const CompositeObservation o = Obs(e, states);
    ASSERT_EQ(o.intervals, n);
    int64_t up = 0, down = 0;
    for (int64_t i = 0; i < n; ++i) {
      std::vector<std::string> missing;
      absl::flat_hash_map<std::string, bool> value;
      for (const std::string& name : names) {
        const IntervalState st = states[name].Get(i);
        if (st == IntervalState::kNoData) missing.push_back(name);
        value[name] = st == IntervalState::kUp;
      }
      bool any_up = false, any_down = false;
      for (uint32_t mask = 0; mask < (1u << missing.size()); ++mask) {
        for (size_t j = 0; j < missing.size(); ++j) {
          value[missing[j]] = (mask >> j) & 1;
        }
        (RefUp(e, value) ? any_up : any_down) = true;
      }
      const IntervalState want = !any_down ? IntervalState::kUp
                                 : !any_up ? IntervalState::kDown
                                           : IntervalState::kNoData;
      ASSERT_EQ(o.states.Get(i), want) << e.ToString() << " interval " << i;
      up += want == IntervalState::kUp;
      down += want == IntervalState::kDown;
    }
    EXPECT_EQ(o.up_intervals, up);
    EXPECT_EQ(o.down_intervals, down);
    EXPECT_EQ(o.no_data_intervals, n - up - down);
  }
}

// ---------------------------------------------------------------------------
// Attribution

TEST(AttributeTest, SerialBothDownAreShared) {
  // all_of(web, sql), both down in interval 1: the only minimal repair set
  // is {web, sql}, so both share it. Interval 2: only sql down: sql alone.
  const Attribution a = Attr(Parsed("all_of(web, sql)"),
                             {{"web", Series("UDU")}, {"sql", Series("UDD")}},
                             {{"web", kA}, {"sql", kP}});
  EXPECT_EQ(a.observation.down_intervals, 2);
  EXPECT_EQ(Of(a, "web").shared_intervals, 1);
  EXPECT_EQ(Of(a, "web").sole_intervals, 0);
  EXPECT_EQ(Of(a, "sql").shared_intervals, 1);
  EXPECT_EQ(Of(a, "sql").sole_intervals, 1);
  EXPECT_EQ(Of(a, "sql").down_intervals, 2);
  // Owners: interval 1 mixed (shared by both), interval 2 the provider's.
  EXPECT_EQ(a.provider.sole_intervals, 1);
  EXPECT_EQ(a.provider.shared_intervals, 1);
  EXPECT_EQ(a.provider.exclusive_intervals, 1);
  EXPECT_EQ(a.application.sole_intervals, 0);
  EXPECT_EQ(a.application.shared_intervals, 1);
  EXPECT_EQ(a.application.exclusive_intervals, 0);
  EXPECT_EQ(a.mixed_owner_intervals, 1);
  EXPECT_EQ(a.shared_only_intervals, 1);
  // The timeline.
  ASSERT_EQ(a.down.size(), 2u);
  EXPECT_EQ(a.down[0].interval, 1);
  EXPECT_EQ(a.down[1].interval, 2);
  const DownSet& both = a.down_sets[a.down[0].down_set];
  EXPECT_THAT(both.down, ElementsAre("sql", "web"));
  EXPECT_THAT(both.caused, ElementsAre("sql", "web"));
  const DownSet& sql = a.down_sets[a.down[1].down_set];
  EXPECT_THAT(sql.down, ElementsAre("sql"));
  EXPECT_THAT(sql.caused, ElementsAre("sql"));
  ExpectInvariants(a);
}

TEST(AttributeTest, RedundantPairBothDownAreShared) {
  // any_of(sql, queue): interval 0 both down -> minimal sets {sql} and
  // {queue}: both shared. Interval 1: sql down, queue covers -> composite up,
  // nothing counted. Interval 2: queue down, sql covers.
  const Attribution a = Attr(Parsed("any_of(sql, queue)"),
                             {{"sql", Series("DDU")}, {"queue", Series("DUD")}},
                             {{"sql", kP}, {"queue", kP}});
  EXPECT_EQ(a.observation.down_intervals, 1);
  EXPECT_EQ(Of(a, "sql").shared_intervals, 1);
  EXPECT_EQ(Of(a, "sql").sole_intervals, 0);
  EXPECT_EQ(Of(a, "sql").down_intervals, 2);
  EXPECT_EQ(Of(a, "queue").shared_intervals, 1);
  EXPECT_EQ(Of(a, "queue").sole_intervals, 0);
  // Shared, but only among provider components: the provider's alone.
  EXPECT_EQ(a.provider.sole_intervals, 0);
  EXPECT_EQ(a.provider.shared_intervals, 1);
  EXPECT_EQ(a.provider.exclusive_intervals, 1);
  EXPECT_EQ(a.application.exclusive_intervals, 0);
  EXPECT_EQ(a.mixed_owner_intervals, 0);
  ExpectInvariants(a);
}

TEST(AttributeTest, CoveredComponentIsNotCounted) {
  // all_of(web, any_of(sql, queue)) with web and sql down, queue up: only
  // {web} repairs; sql was down but the queue covered for it.
  const Attribution a =
      Attr(Parsed("all_of(web, any_of(sql, queue))"),
           {{"web", Series("D")}, {"sql", Series("D")}, {"queue", Series("U")}},
           {{"web", kA}, {"sql", kP}, {"queue", kP}});
  EXPECT_EQ(a.observation.down_intervals, 1);
  EXPECT_EQ(Of(a, "web").sole_intervals, 1);
  EXPECT_EQ(Of(a, "sql").sole_intervals, 0);
  EXPECT_EQ(Of(a, "sql").shared_intervals, 0);
  EXPECT_EQ(Of(a, "sql").down_intervals, 1);
  EXPECT_THAT(a.down_sets[0].down, ElementsAre("sql", "web"));
  EXPECT_THAT(a.down_sets[0].caused, ElementsAre("web"));
  EXPECT_EQ(a.application.sole_intervals, 1);
  EXPECT_EQ(a.application.exclusive_intervals, 1);
  EXPECT_EQ(a.provider.shared_intervals, 0);
  ExpectInvariants(a);
}

TEST(AttributeTest, NestedAllDown) {
  // all_of(web, any_of(sql, queue)).
  // Interval 0: web, sql and queue down. The composite needs web AND (sql
  // OR queue): minimal repair sets {web, sql} and {web, queue}; all three
  // are shared (web is in every set, but not alone).
  // Interval 1: web down only: {web} alone.
  // Interval 2: sql and queue down, web up: {sql}, {queue}: both shared.
  const Attribution a = Attr(Parsed("all_of(web, any_of(sql, queue))"),
                             {{"web", Series("DDU")},
                              {"sql", Series("DUD")},
                              {"queue", Series("DUD")}},
                             {{"web", kA}, {"sql", kP}, {"queue", kP}});
  EXPECT_EQ(a.observation.down_intervals, 3);
  EXPECT_EQ(Of(a, "web").sole_intervals, 1);
  EXPECT_EQ(Of(a, "web").shared_intervals, 1);
  EXPECT_EQ(Of(a, "sql").sole_intervals, 0);
  EXPECT_EQ(Of(a, "sql").shared_intervals, 2);
  EXPECT_EQ(Of(a, "queue").shared_intervals, 2);
  // Owners: interval 0 mixed; 1 the application's alone (sole); 2 the
  // provider's (shared among provider components only).
  EXPECT_EQ(a.application.sole_intervals, 1);
  EXPECT_EQ(a.application.shared_intervals, 1);
  EXPECT_EQ(a.application.exclusive_intervals, 1);
  EXPECT_EQ(a.provider.sole_intervals, 0);
  EXPECT_EQ(a.provider.shared_intervals, 2);
  EXPECT_EQ(a.provider.exclusive_intervals, 1);
  EXPECT_EQ(a.mixed_owner_intervals, 1);
  EXPECT_EQ(a.shared_only_intervals, 2);
  ExpectInvariants(a);
}

TEST(AttributeTest, KOfNTwoDown) {
  // k_of_n(2, a, b, c) with a and b down: repairing either is enough:
  // minimal sets {a} and {b}, both shared. With only a down the composite
  // is up (2 of 3 remain).
  const Attribution a =
      Attr(Parsed("k_of_n(2, a, b, c)"),
           {{"a", Series("DD")}, {"b", Series("DU")}, {"c", Series("UU")}},
           {{"a", kP}, {"b", kA}, {"c", kA}});
  EXPECT_EQ(a.observation.down_intervals, 1);
  EXPECT_EQ(Of(a, "a").shared_intervals, 1);
  EXPECT_EQ(Of(a, "b").shared_intervals, 1);
  EXPECT_EQ(Of(a, "c").shared_intervals, 0);
  EXPECT_EQ(Of(a, "a").down_intervals, 2);
  EXPECT_EQ(a.mixed_owner_intervals, 1);
  EXPECT_EQ(a.provider.shared_intervals, 1);
  EXPECT_EQ(a.application.shared_intervals, 1);
  ExpectInvariants(a);
}

TEST(AttributeTest, KOfNAllDownNeedsTwoRepairs) {
  // k_of_n(2, a, b, c), all down: minimal sets {a,b}, {a,c}, {b,c}.
  const Attribution a =
      Attr(Parsed("k_of_n(2, a, b, c)"),
           {{"a", Series("D")}, {"b", Series("D")}, {"c", Series("D")}},
           {{"a", kP}, {"b", kP}, {"c", kP}});
  EXPECT_THAT(a.down_sets[0].caused, ElementsAre("a", "b", "c"));
  EXPECT_EQ(a.provider.exclusive_intervals, 1);
  ExpectInvariants(a);
}

TEST(AttributeTest, NoDataComponentIsTakenAsUp) {
  // all_of(web, sql), web down and sql without data: down whatever sql was;
  // web explains it alone.
  const Attribution a = Attr(Parsed("all_of(web, sql)"),
                             {{"web", Series("D")}, {"sql", Series("?")}},
                             {{"web", kA}, {"sql", kP}});
  EXPECT_EQ(a.observation.down_intervals, 1);
  EXPECT_EQ(Of(a, "web").sole_intervals, 1);
  EXPECT_THAT(a.down_sets[0].down, ElementsAre("web"));
  ExpectInvariants(a);
}

TEST(AttributeTest, DownSetsAreMemoizedAcrossAnOutage) {
  // 300 intervals: an outage of sql for [100, 250) and of queue for
  // [200, 260) under any_of(sql, queue): down for [200, 250), 50 intervals,
  // one down set.
  ComponentStates s = {{"sql", StateSeries(300)}, {"queue", StateSeries(300)}};
  s["sql"].SetRange(100, 250, IntervalState::kDown);
  s["queue"].SetRange(200, 260, IntervalState::kDown);
  const Attribution a =
      Attr(Parsed("any_of(sql, queue)"), s, {{"sql", kP}, {"queue", kP}});
  EXPECT_EQ(a.observation.down_intervals, 50);
  ASSERT_EQ(a.down_sets.size(), 1u);
  EXPECT_EQ(a.down_sets[0].intervals, 50);
  EXPECT_EQ(a.down.front().interval, 200);
  EXPECT_EQ(a.down.back().interval, 249);
  EXPECT_EQ(Of(a, "sql").shared_intervals, 50);
  EXPECT_EQ(Of(a, "sql").down_intervals, 150);
  ExpectInvariants(a);
}

TEST(AttributeTest, MoreThan64Components) {
  // all_of(c0, ..., c69): c65 down alone in interval 0; c3 and c68 down
  // together in interval 1 (shared); interval 2 up.
  std::vector<E> kids;
  ComponentStates s;
  Owners owners;
  for (int i = 0; i < 70; ++i) {
    const std::string name = absl::StrCat("c", i);
    kids.push_back(E::Component(name));
    s[name] = Series(i == 65 ? "DUU" : i == 3 || i == 68 ? "UDU" : "UUU");
    owners[name] = i < 60 ? kA : kP;
  }
  const Attribution a = Attr(E::AllOf(kids), s, owners);
  EXPECT_EQ(a.observation.down_intervals, 2);
  EXPECT_EQ(Of(a, "c65").sole_intervals, 1);
  EXPECT_EQ(Of(a, "c3").shared_intervals, 1);
  EXPECT_EQ(Of(a, "c68").shared_intervals, 1);
  EXPECT_THAT(a.down_sets[1].caused, ElementsAre("c3", "c68"));
  EXPECT_EQ(a.provider.sole_intervals, 1);
  EXPECT_EQ(a.mixed_owner_intervals, 1);
  ExpectInvariants(a);
}

TEST(AttributeTest, RepeatedComponentUsesEnumeration) {
  // any_of(all_of(fd, east), all_of(fd, west)): with fd down, and east down
  // too, {fd} alone repairs (west is up); east caused nothing.
  const Attribution a = Attr(
      Parsed("any_of(all_of(fd, east), all_of(fd, west))"),
      {{"fd", Series("DD")}, {"east", Series("DD")}, {"west", Series("UD")}},
      {{"fd", kP}, {"east", kA}, {"west", kA}});
  EXPECT_EQ(a.observation.down_intervals, 2);
  // Interval 0: {fd}. Interval 1: {fd, east} and {fd, west}.
  EXPECT_EQ(Of(a, "fd").sole_intervals, 1);
  EXPECT_EQ(Of(a, "fd").shared_intervals, 1);
  EXPECT_EQ(Of(a, "east").shared_intervals, 1);
  EXPECT_EQ(Of(a, "west").shared_intervals, 1);
  ExpectInvariants(a);
}

TEST(AttributeTest, RandomExpressionsMatchMinimalRepairSets) {
  std::mt19937 rng(5);
  int checked = 0;
  for (int round = 0; round < 80; ++round) {
    int next = 0;
    const E e = RandomExpr(&rng, 4, 7, round % 2 == 0, &next);
    const std::vector<std::string> names = e.Components();
    ComponentStates states;
    Owners owners;
    const int64_t n = 150;
    std::uniform_int_distribution<int> state(0, 9);
    for (size_t c = 0; c < names.size(); ++c) {
      StateSeries s(n);
      for (int64_t i = 0; i < n; ++i) {
        const int x = state(rng);
        s.Set(i, x < 4   ? IntervalState::kDown
                 : x < 5 ? IntervalState::kNoData
                         : IntervalState::kUp);
      }
      states[names[c]] = s;
      owners[names[c]] = c % 2 ? kP : kA;
    }
    const Attribution a = Attr(e, states, owners);
    ExpectInvariants(a);
    EXPECT_EQ(a.unattributed_intervals, 0);
    absl::flat_hash_map<std::string, int64_t> sole, shared;
    for (const DownInterval& d : a.down) {
      std::vector<std::string> down;
      for (const std::string& name : names) {
        if (states[name].Get(d.interval) == IntervalState::kDown) {
          down.push_back(name);
        }
      }
      const DownSet& set = a.down_sets[d.down_set];
      ASSERT_EQ(set.down, down);
      const std::vector<std::set<std::string>> minimal =
          RefMinimalRepairSets(e, down);
      std::set<std::string> caused;
      for (const auto& m : minimal) caused.insert(m.begin(), m.end());
      ASSERT_EQ(std::vector<std::string>(caused.begin(), caused.end()),
                set.caused)
          << e.ToString() << " interval " << d.interval;
      const bool is_sole = minimal.size() == 1 && minimal[0].size() == 1;
      EXPECT_EQ(set.caused.size() == 1, is_sole);
      for (const std::string& c : caused) ++(is_sole ? sole : shared)[c];
      ++checked;
    }
    for (const std::string& name : names) {
      EXPECT_EQ(Of(a, name).sole_intervals, sole[name]);
      EXPECT_EQ(Of(a, name).shared_intervals, shared[name]);
      EXPECT_EQ(Of(a, name).down_intervals,
                states[name].Count(IntervalState::kDown));
    }
  }
  EXPECT_GT(checked, 1000);
}

TEST(AttributeTest, TooManyDownWithRepeatedComponentsIsUnattributed) {
  // 21 components each down, every one repeated: no cheap rule applies and
  // 2^21 subsets is over the limit, so the interval is counted as
  // unattributed; the rest of the answer stands.
  std::vector<E> kids;
  ComponentStates s;
  Owners owners;
  for (int i = 0; i <= kMaxAttributedDown; ++i) {
    const std::string name = absl::StrCat("c", i);
    kids.push_back(E::Component(name));
    s[name] = Series("DU");
    owners[name] = kP;
  }
  const E e = E::AnyOf({E::AllOf(kids), E::AnyOf(kids)});
  const Attribution a = Attr(e, s, owners);
  EXPECT_EQ(a.observation.down_intervals, 1);
  EXPECT_EQ(a.unattributed_intervals, 1);
  EXPECT_FALSE(a.down_sets[0].attributed);
  EXPECT_THAT(a.down_sets[0].caused, IsEmpty());
  ExpectInvariants(a);
  // Without repeated components there is no limit: 40 down under any_of,
  // all shared.
  std::vector<E> many;
  ComponentStates s40;
  Owners o40;
  for (int i = 0; i < 40; ++i) {
    const std::string name = absl::StrCat("c", i);
    many.push_back(E::Component(name));
    s40[name] = Series("D");
    o40[name] = kP;
  }
  const Attribution b = Attr(E::AnyOf(many), s40, o40);
  EXPECT_EQ(b.unattributed_intervals, 0);
  EXPECT_EQ(b.down_sets[0].caused.size(), 40u);
  EXPECT_EQ(b.provider.exclusive_intervals, 1);
}

TEST(AttributeTest, Errors) {
  const E e = Parsed("all_of(web, sql)");
  const ComponentStates s = {{"web", Series("U")}, {"sql", Series("D")}};
  absl::StatusOr<Attribution> r = Attribute(e, s, {{"web", kA}});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("'sql' has no owner"));
  r = Attribute(e, {{"web", Series("U")}, {"sql", Series("DD")}},
                {{"web", kA}, {"sql", kP}});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(OwnerTest, NamesRoundTrip) {
  EXPECT_EQ(OwnerName(kP), "provider");
  EXPECT_EQ(OwnerName(kA), "application");
  EXPECT_EQ(ParseOwner("Provider").value(), kP);
  EXPECT_EQ(ParseOwner("application").value(), kA);
  EXPECT_EQ(ParseOwner("platform").status().code(),
            absl::StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------
// Expressions: building, printing, parsing, validating

TEST(ExprTest, BuildersAndToString) {
  const E e = E::AllOf(
      {E::Component("web"),
       E::AnyOf({E::Component("sql"), E::Component("queue")}),
       E::KOfN(2, {E::Component("a"), E::Component("b"), E::Component("c")})});
  EXPECT_EQ(e.ToString(),
            "all_of(web, any_of(sql, queue), k_of_n(2, a, b, c))");
  EXPECT_TRUE(e.Validate().ok());
  EXPECT_THAT(e.Components(),
              ElementsAre("a", "b", "c", "queue", "sql", "web"));
  EXPECT_THAT(Parsed("all_of(x, any_of(y, x))").Components(),
              ElementsAre("x", "y"));
  EXPECT_EQ(CompositeKindName(E::Kind::kKOfN), "k_of_n");
}

TEST(ExprTest, ParseRoundTrip) {
  for (const char* text : {
           "web",
           "all_of(web, sql)",
           "all_of(web, any_of(sql, queue))",
           "k_of_n(2, a, b, c)",
           "any_of(all_of(fd, east), all_of(fd, west))",
           "all_of(azure/app-service, orders.queue, db@eu-west:1)",
           "all_of(\"my web\", \"all_of\", \"a\\\"b\\\\c\")",
       }) {
    const E e = Parsed(text);
    EXPECT_EQ(e.ToString(), text);
    EXPECT_EQ(Parsed(e.ToString()), e);
  }
  // Whitespace anywhere between tokens, quotes where not needed.
  EXPECT_EQ(Parsed("  all_of (\n web ,\tk_of_n( 1 , \"sql\" ) ) ").ToString(),
            "all_of(web, k_of_n(1, sql))");
  // A name spelled like a function is a name unless followed by '('.
  const E fn = Parsed("any_of(all_of, k_of_n)");
  EXPECT_EQ(fn.children[0], E::Component("all_of"));
  EXPECT_EQ(fn.ToString(), "any_of(\"all_of\", \"k_of_n\")");
  EXPECT_EQ(Parsed(fn.ToString()), fn);
}

TEST(ExprTest, RandomRoundTrip) {
  std::mt19937 rng(1);
  for (int i = 0; i < 200; ++i) {
    int next = 0;
    const E e = RandomExpr(&rng, 5, 9, false, &next);
    EXPECT_EQ(Parsed(e.ToString()), e) << e.ToString();
  }
}

TEST(ExprTest, ParseErrorsNameTheOffset) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : std::vector<Case>{
           {"", "offset 0 (at the end): expected a component name"},
           {"all_of(web, sql", "offset 15 (at the end): expected ',' or ')'"},
           {"all_of(web sql)",
            "offset 11 (near \"sql)\"): expected ',' or ')'"},
           {"all_of()", "offset 7 (near \")\"): all_of needs at least one"},
           {"any_of(a,)", "offset 9 (near \")\"): unexpected ')'"},
           {"one_of(a, b)",
            "offset 0 (near \"one_of(a, b)\"): unknown function "
            "'one_of'"},
           {"k_of_n(4, a, b, c)",
            "offset 7 (near \"4, a, b, c)\"): k_of_n has "
            "3 arguments after k, so k must be in [1, "
            "3], not 4"},
           {"k_of_n(0, a)", "offset 7"},
           {"k_of_n(a, b)", "offset 7 (near \"a, b)\"): expected k"},
           {"k_of_n(2 a, b)",
            "offset 9 (near \"a, b)\"): expected ',' after k"},
           {"k_of_n(99999999999, a)",
            "offset 7 (near \"99999999999,\"): k is "
            "too large"},
           {"all_of(a, \"b)", "offset 10 (near \"\\\"b)\"): unterminated"},
           {"all_of(a, \"\")",
            "offset 10 (near \"\\\"\\\")\"): component name is "
            "empty"},
           {"\"a\\nb\"", "offset 2"},
           {"web sql", "offset 4 (near \"sql\"): expected the end"},
           {"all_of(web, sql))", "offset 16"},
       }) {
    absl::StatusOr<E> r = E::Parse(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr(c.message)) << c.text;
  }
}

TEST(ExprTest, ValidateNamesThePath) {
  // Child 0 of the any_of that is child 1 of the root all_of.
  E e = Parsed("all_of(web, any_of(sql, queue))");
  e.children[1].children[0].name = "";
  EXPECT_THAT(e.Validate().message(),
              HasSubstr("composite node all_of[1].any_of[0]: component name "
                        "is empty"));
  e = Parsed("all_of(web, any_of(sql, k_of_n(1, a, b)))");
  e.children[1].children[1].k = 3;
  EXPECT_THAT(e.Validate().message(),
              HasSubstr("composite node all_of[1].any_of[1]: k_of_n has k = 3 "
                        "with 2 children; k must be in [1, 2]"));
  e.children[1].children[1].k = 0;
  EXPECT_EQ(e.Validate().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(E::AllOf({}).Validate().message(),
              HasSubstr("composite node (root): all_of has no children"));
  E leaf = E::Component("web");
  leaf.children.push_back(E::Component("sql"));
  EXPECT_THAT(leaf.Validate().message(), HasSubstr("'web' has children"));
  // Repeated components are valid.
  EXPECT_TRUE(Parsed("all_of(a, any_of(a, b))").Validate().ok());
}

E Deep(int depth) {
  // all_of(c0, any_of(c1, all_of(c2, ... c{depth-1}))), depth levels.
  E e = E::Component(absl::StrCat("c", depth - 1));
  for (int d = depth - 2; d >= 0; --d) {
    std::vector<E> kids;
    kids.push_back(E::Component(absl::StrCat("c", d)));
    kids.push_back(std::move(e));
    e = d % 2 ? E::AnyOf(std::move(kids)) : E::AllOf(std::move(kids));
  }
  return e;
}

TEST(ExprTest, DeepNesting) {
  const E e = Deep(50);
  ASSERT_TRUE(e.Validate().ok());
  EXPECT_EQ(Parsed(e.ToString()), e);
  Availabilities a;
  ComponentStates s;
  Owners o;
  for (int i = 0; i < 50; ++i) {
    a[absl::StrCat("c", i)] = 0.5;
    s[absl::StrCat("c", i)] = Series(i == 0 ? "D" : "U");
    o[absl::StrCat("c", i)] = kP;
  }
  // c0 is in series with everything: a <= 0.5.
  EXPECT_LE(Avail(e, a), 0.5);
  EXPECT_GT(Avail(e, a), 0.0);
  const Attribution at = Attr(e, s, o);
  EXPECT_EQ(Of(at, "c0").sole_intervals, 1);
  // The depth limit.
  EXPECT_TRUE(Deep(kMaxCompositeDepth).Validate().ok());
  EXPECT_THAT(Deep(kMaxCompositeDepth + 1).Validate().message(),
              HasSubstr("deeper than 1000"));
  std::string text;
  for (int i = 0; i < kMaxCompositeDepth; ++i) text += "all_of(";
  text += "x";
  for (int i = 0; i < kMaxCompositeDepth; ++i) text += ")";
  EXPECT_THAT(E::Parse(text).status().message(), HasSubstr("deeper than"));
}

}  // namespace
}  // namespace sla
