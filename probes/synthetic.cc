#include "probes/synthetic.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace sla::probes {
namespace {

// ---------------------------------------------------------------------------
// Model constants (see the header comment).

constexpr int64_t kSecondsPerDay = 86400;
constexpr double kTimeoutMs = 10000.0;
constexpr double kTimeoutShareOfFailures = 0.5;
constexpr double kFailFastMinMs = 1.0;
constexpr double kFailFastMaxMs = 5.0;

constexpr double kMinBaseFailureRate = 0.0005;
constexpr double kMaxBaseFailureRate = 0.005;
constexpr int kMaxFlapLength = 3;  // flaps are 1..kMaxFlapLength probes long
constexpr double kMeanFlapLength = (1.0 + kMaxFlapLength) / 2.0;

constexpr double kOutagesPerSecond = 2.5 / (30.0 * kSecondsPerDay);
constexpr double kPartialFailProbability = 0.9;

constexpr double kMinMedianMs = 15.0;
constexpr double kMaxMedianMs = 200.0;
constexpr double kMinSigma = 0.15;
constexpr double kMaxSigma = 0.45;
constexpr double kSpikeProbability = 0.002;
constexpr double kMinSpike = 5.0;
constexpr double kMaxSpike = 30.0;

// Validation limits. Labels are fixed width (svc-000, p00).
constexpr int kMaxServices = 1000;
constexpr int kMaxProbes = 100;
constexpr int kMaxDays = 3660;
constexpr int kMaxIntervalS = 86400;
constexpr int64_t kMaxUnixSeconds = 253402300799;  // 9999-12-31T23:59:59Z

// Domains that keep the random streams of different uses apart.
constexpr uint64_t kSeriesStream = 1;
constexpr uint64_t kOutageStream = 2;

// ---------------------------------------------------------------------------
// Random numbers: splitmix64 for seeding, xoshiro256** for the streams.

constexpr double kTwoPi = 6.283185307179586476925286766559;
constexpr uint64_t kGoldenGamma = 0x9e3779b97f4a7c15ULL;

uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t SplitMix64Next(uint64_t& state) {
  state += kGoldenGamma;
  return Mix64(state);
}

// Seed of the stream for (seed, domain, index).
uint64_t StreamSeed(uint64_t seed, uint64_t domain, uint64_t index) {
  return Mix64(Mix64(Mix64(seed) + domain * kGoldenGamma) + index);
}

uint64_t RotateLeft(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t sm = seed;
    for (uint64_t& word : s_) {
      word = SplitMix64Next(sm);
    }
  }

  // xoshiro256** (Blackman and Vigna).
  uint64_t Next() {
    const uint64_t result = RotateLeft(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = RotateLeft(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1), 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  // Uniform in (0, 1): safe for log().
  double OpenUniform() {
    return (static_cast<double>(Next() >> 11) + 0.5) * 0x1.0p-53;
  }

  // Uniform in [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }

  // log(x) uniform in [log lo, log hi).
  double LogUniform(double lo, double hi) {
    return lo * std::exp(std::log(hi / lo) * Uniform());
  }

  // Uniform integer in [0, n), n >= 1. The bias of scaling 53 bits is below
  // 2^-40 for the small n used here.
  int64_t UniformInt(int64_t n) {
    const auto v = static_cast<int64_t>(Uniform() * static_cast<double>(n));
    return std::min(v, n - 1);
  }

  // Exponential with the given rate (mean 1 / rate).
  double Exponential(double rate) { return -std::log(OpenUniform()) / rate; }

  // Standard normal by the Box-Muller transform; the second value of each
  // pair is kept for the next call.
  double Normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double radius = std::sqrt(-2.0 * std::log(OpenUniform()));
    const double angle = kTwoPi * Uniform();
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

 private:
  uint64_t s_[4];
  double spare_ = 0.0;
  bool has_spare_ = false;
};

double RoundToMicros(double ms) { return std::round(ms * 1000.0) / 1000.0; }

// ---------------------------------------------------------------------------
// Outages.

enum class OutageKind { kHard, kPartial, kBrownout };

struct Outage {
  OutageKind kind;
  int service;
  int64_t start_s;
  int64_t end_s;               // exclusive; may lie past the end of the window
  double fail_p;               // for affected probes
  double slowdown;             // latency multiplier of successful probes
  std::vector<char> affected;  // per probe
  bool tail = false;
};

const char* KindName(OutageKind kind) {
  switch (kind) {
    case OutageKind::kHard:
      return "hard outage";
    case OutageKind::kPartial:
      return "partial outage";
    case OutageKind::kBrownout:
      return "brownout";
  }
  return "outage";
}

// Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's
// civil_from_days).
void CivilFromDays(int64_t z, int64_t& y, int& m, int& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = yoe + era * 400 + (m <= 2 ? 1 : 0);
}

std::string FormatUtc(int64_t unix_s) {
  int64_t days = unix_s / kSecondsPerDay;
  int64_t secs = unix_s % kSecondsPerDay;
  if (secs < 0) {
    secs += kSecondsPerDay;
    --days;
  }
  int64_t year;
  int month;
  int day;
  CivilFromDays(days, year, month, day);
  return absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02dZ", year, month, day,
                         secs / 3600, secs / 60 % 60, secs % 60);
}

std::string DurationToString(int64_t seconds) {
  if (seconds % 60 == 0) {
    return absl::StrCat(seconds / 60, " min");
  }
  return absl::StrCat(seconds / 60, " min ", seconds % 60, " s");
}

std::string Describe(const Outage& o, int64_t window_end_s) {
  std::string probes;
  if (std::all_of(o.affected.begin(), o.affected.end(),
                  [](char a) { return a != 0; })) {
    probes = "all probes";
  } else {
    std::vector<std::string> names;
    for (size_t p = 0; p < o.affected.size(); ++p) {
      if (o.affected[p]) {
        names.push_back(ProbeName(static_cast<int>(p)));
      }
    }
    probes = absl::StrCat("probes ", absl::StrJoin(names, ","));
  }
  std::string effect = absl::StrFormat("%s fail with p=%.2f", probes, o.fail_p);
  if (o.slowdown != 1.0) {
    absl::StrAppendFormat(&effect, ", latency x%.1f", o.slowdown);
  }
  std::string when = absl::StrCat(FormatUtc(o.start_s), " for ",
                                  DurationToString(o.end_s - o.start_s));
  if (o.end_s > window_end_s) {
    absl::StrAppend(&when, ", still running at end");
  }
  return absl::StrCat(ServiceName(o.service), " ",
                      o.tail ? "tail incident, " : "", KindName(o.kind), " ",
                      when, ": ", effect);
}

// The random outages of one service over [start_s, end_s), by start time.
std::vector<Outage> ServiceOutages(const WorkloadOptions& options, int service,
                                   int64_t start_s, int64_t end_s) {
  std::vector<Outage> outages;
  const int probes = options.probes_per_service;
  Rng rng(
      StreamSeed(options.seed, kOutageStream, static_cast<uint64_t>(service)));
  double t = static_cast<double>(start_s) + rng.Exponential(kOutagesPerSecond);
  while (t < static_cast<double>(end_s)) {
    Outage o;
    o.service = service;
    o.start_s = static_cast<int64_t>(t);
    o.affected.assign(probes, 1);
    double minutes = 0.0;
    switch (rng.UniformInt(3)) {
      case 0:
        o.kind = OutageKind::kHard;
        minutes = rng.LogUniform(3.0, 90.0);
        o.fail_p = 1.0;
        o.slowdown = 1.0;
        break;
      case 1: {
        o.kind = OutageKind::kPartial;
        minutes = rng.LogUniform(5.0, 120.0);
        o.fail_p = kPartialFailProbability;
        o.slowdown = 1.0;
        // A subset of 1..probes-1 probes (the only probe if there is one),
        // picked by a partial Fisher-Yates shuffle.
        const int count =
            probes == 1 ? 1 : 1 + static_cast<int>(rng.UniformInt(probes - 1));
        std::vector<int> order(probes);
        for (int p = 0; p < probes; ++p) {
          order[p] = p;
        }
        o.affected.assign(probes, 0);
        for (int i = 0; i < count; ++i) {
          const int j = i + static_cast<int>(rng.UniformInt(probes - i));
          std::swap(order[i], order[j]);
          o.affected[order[i]] = 1;
        }
        break;
      }
      default:
        o.kind = OutageKind::kBrownout;
        minutes = rng.LogUniform(10.0, 240.0);
        o.fail_p = rng.Uniform(0.1, 0.5);
        o.slowdown = rng.Uniform(3.0, 15.0);
        break;
    }
    o.end_s = o.start_s + std::max<int64_t>(60, std::llround(minutes * 60.0));
    outages.push_back(std::move(o));
    t += rng.Exponential(kOutagesPerSecond);
  }
  return outages;
}

Outage TailIncident(int service, int probes, int64_t start_s, int64_t end_s,
                    int64_t duration_s, double fail_p, double slowdown) {
  Outage o;
  o.kind = OutageKind::kBrownout;
  o.service = service;
  o.start_s = std::max(start_s, end_s - duration_s);
  o.end_s = end_s;
  o.fail_p = fail_p;
  o.slowdown = slowdown;
  o.affected.assign(probes, 1);
  o.tail = true;
  return o;
}

// ---------------------------------------------------------------------------
// Series.

struct Series {
  explicit Series(uint64_t seed) : rng(seed) {}
  Rng rng;
  int32_t service = 0;
  int32_t probe = 0;
  int64_t offset_s = 0;
  double flap_start_p = 0.0;  // per probe while not flapping
  int flap_left = 0;          // failures still due in the current flap
  double log_median = 0.0;
  double sigma = 0.0;
};

Series MakeSeries(const WorkloadOptions& options, int service, int probe) {
  const uint64_t index = static_cast<uint64_t>(service) * kMaxProbes +
                         static_cast<uint64_t>(probe);
  Series s(StreamSeed(options.seed, kSeriesStream, index));
  s.service = service;
  s.probe = probe;
  s.offset_s = s.rng.UniformInt(options.interval_s);
  if (service == 0 && probe == 0) {
    s.offset_s = 0;
  }
  // Marginal failure rate r with flaps of mean length L: starting a flap
  // with probability q per healthy probe gives r = qL / (1 - q + qL).
  const double rate =
      s.rng.LogUniform(kMinBaseFailureRate, kMaxBaseFailureRate);
  s.flap_start_p = rate / (kMeanFlapLength - rate * (kMeanFlapLength - 1.0));
  s.log_median = std::log(s.rng.LogUniform(kMinMedianMs, kMaxMedianMs));
  s.sigma = s.rng.Uniform(kMinSigma, kMaxSigma);
  return s;
}

// Generates the workload, calling `sink` once per tick until it returns
// false. Options must be valid.
WorkloadSummary Generate(
    const WorkloadOptions& options,
    absl::FunctionRef<bool(absl::Span<const SyntheticResult>)> sink) {
  const int services = options.services;
  const int probes = options.probes_per_service;
  const int64_t interval_s = options.interval_s;
  const int64_t start_s = options.start_s;
  const int64_t end_s = start_s + options.days * kSecondsPerDay;
  const int64_t ticks = options.days * kSecondsPerDay / interval_s;

  WorkloadSummary summary;
  summary.start_ms = start_s * 1000;
  summary.end_ms = end_s * 1000;

  // Outages, per service, sorted by start.
  std::vector<std::vector<Outage>> outages(services);
  for (int v = 0; v < services; ++v) {
    outages[v] = ServiceOutages(options, v, start_s, end_s);
    if (options.tail_incident && v == 0) {
      outages[v].push_back(
          TailIncident(v, probes, start_s, end_s, int64_t{40} * 60, 0.25, 8.0));
    }
    if (options.tail_incident && v == 1) {
      outages[v].push_back(TailIncident(v, probes, start_s, end_s,
                                        int64_t{4} * 3600, 0.02, 2.0));
    }
    std::stable_sort(
        outages[v].begin(), outages[v].end(),
        [](const Outage& a, const Outage& b) { return a.start_s < b.start_s; });
    for (const Outage& o : outages[v]) {
      summary.outage_descriptions.push_back(Describe(o, end_s));
    }
  }

  // Series in emission order: phase offset, service, probe.
  std::vector<Series> series;
  series.reserve(static_cast<size_t>(services) * probes);
  for (int v = 0; v < services; ++v) {
    for (int p = 0; p < probes; ++p) {
      series.push_back(MakeSeries(options, v, p));
    }
  }
  std::stable_sort(
      series.begin(), series.end(),
      [](const Series& a, const Series& b) { return a.offset_s < b.offset_s; });

  std::vector<size_t> next_outage(services, 0);
  std::vector<std::vector<const Outage*>> active(services);
  std::vector<SyntheticResult> results(series.size());

  for (int64_t tick = 0; tick < ticks; ++tick) {
    const int64_t tick_s = start_s + tick * interval_s;
    // Outages overlapping [tick_s, tick_s + interval_s).
    for (int v = 0; v < services; ++v) {
      std::vector<const Outage*>& open = active[v];
      open.erase(std::remove_if(
                     open.begin(), open.end(),
                     [tick_s](const Outage* o) { return o->end_s <= tick_s; }),
                 open.end());
      const std::vector<Outage>& list = outages[v];
      size_t& next = next_outage[v];
      while (next < list.size() && list[next].start_s < tick_s + interval_s) {
        if (list[next].end_s > tick_s) {
          open.push_back(&list[next]);
        }
        ++next;
      }
    }

    for (size_t i = 0; i < series.size(); ++i) {
      Series& s = series[i];
      Rng& rng = s.rng;
      const int64_t t = tick_s + s.offset_s;

      bool failed = false;
      if (s.flap_left > 0) {
        failed = true;
        --s.flap_left;
      } else if (rng.Uniform() < s.flap_start_p) {
        failed = true;
        s.flap_left = static_cast<int>(rng.UniformInt(kMaxFlapLength));
      }

      double ok_p = 1.0;
      double slowdown = 1.0;
      bool in_outage = false;
      for (const Outage* o : active[s.service]) {
        if (o->start_s <= t && t < o->end_s && o->affected[s.probe]) {
          in_outage = true;
          ok_p *= 1.0 - o->fail_p;
          slowdown = std::max(slowdown, o->slowdown);
        }
      }
      if (in_outage && rng.Uniform() < 1.0 - ok_p) {
        failed = true;
      }

      double latency;
      if (failed) {
        latency = rng.Uniform() < kTimeoutShareOfFailures
                      ? kTimeoutMs
                      : rng.Uniform(kFailFastMinMs, kFailFastMaxMs);
      } else {
        latency = std::exp(s.log_median + s.sigma * rng.Normal());
        if (rng.Uniform() < kSpikeProbability) {
          latency *= rng.Uniform(kMinSpike, kMaxSpike);
        }
        latency = std::min(latency * slowdown, kTimeoutMs);
      }

      SyntheticResult& r = results[i];
      r.service = s.service;
      r.probe = s.probe;
      r.unix_ms = t * 1000;
      r.ok = !failed;
      r.latency_ms = RoundToMicros(latency);
      if (failed) {
        ++summary.failures;
      }
    }
    summary.rows += static_cast<int64_t>(results.size());
    if (!sink(results)) {
      break;
    }
  }
  return summary;
}

// ---------------------------------------------------------------------------
// CSV output.

// strerror_r comes in an XSI (int) and a GNU (char*) flavour; these pick the
// message out of either.
[[maybe_unused]] const char* StrErrorResult(int rc, const char* buf) {
  return rc == 0 ? buf : "unknown error";
}
[[maybe_unused]] const char* StrErrorResult(const char* msg,
                                            const char* /*buf*/) {
  return msg;
}

std::string ErrnoText(int err) {
  char buf[256];
  buf[0] = '\0';
  return absl::StrCat(StrErrorResult(strerror_r(err, buf, sizeof(buf)), buf),
                      " (errno ", err, ")");
}

char* AppendUint(char* p, uint64_t v) {
  char tmp[20];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) {
    *p++ = tmp[--n];
  }
  return p;
}

class CsvWriter {
 public:
  CsvWriter(std::FILE* out, int services, int probes)
      : out_(out),
        buffer_(new char[kBufferSize]),
        end_(buffer_.get()),
        probes_(static_cast<size_t>(probes)) {
    labels_.reserve(static_cast<size_t>(services) * probes);
    for (int v = 0; v < services; ++v) {
      for (int p = 0; p < probes; ++p) {
        labels_.push_back(absl::StrCat(ServiceName(v), ",", ProbeName(p), ","));
      }
    }
  }

  // Appends short text (at most kBufferSize bytes); false once a write has
  // failed.
  bool Append(absl::string_view text) {
    if (Room() < text.size() && !Flush()) {
      return false;
    }
    std::memcpy(end_, text.data(), text.size());
    end_ += text.size();
    return true;
  }

  // Formats one tick's rows; false once a write has failed.
  bool AppendRows(absl::Span<const SyntheticResult> rows) {
    for (const SyntheticResult& r : rows) {
      if (Room() < kMaxRowSize && !Flush()) {
        return false;
      }
      char* p = end_;
      p = AppendUint(p, static_cast<uint64_t>(r.unix_ms));
      *p++ = ',';
      const std::string& label =
          labels_[static_cast<size_t>(r.service) * probes_ + r.probe];
      p = std::copy(label.begin(), label.end(), p);
      *p++ = r.ok ? '1' : '0';
      *p++ = ',';
      const auto micros =
          static_cast<uint64_t>(std::llround(r.latency_ms * 1000.0));
      p = AppendUint(p, micros / 1000);
      const auto frac = static_cast<unsigned>(micros % 1000);
      p[0] = '.';
      p[1] = static_cast<char>('0' + frac / 100);
      p[2] = static_cast<char>('0' + frac / 10 % 10);
      p[3] = static_cast<char>('0' + frac % 10);
      p[4] = '\n';
      end_ = p + 5;
    }
    return true;
  }

  // Writes out the buffer. False (and the status kept) on failure.
  bool Flush() {
    if (!status_.ok()) {
      return false;
    }
    const size_t size = static_cast<size_t>(end_ - buffer_.get());
    if (size > 0) {
      errno = 0;
      if (std::fwrite(buffer_.get(), 1, size, out_) != size) {
        status_ = absl::DataLossError(absl::StrCat(
            "writing the workload CSV failed: ", ErrnoText(errno)));
        return false;
      }
    }
    end_ = buffer_.get();
    return true;
  }

  // Flushes the buffer and the stream.
  absl::Status Finish() {
    if (!Flush()) {
      return status_;
    }
    errno = 0;
    if (std::fflush(out_) != 0 || std::ferror(out_)) {
      status_ = absl::DataLossError(
          absl::StrCat("flushing the workload CSV failed: ", ErrnoText(errno)));
    }
    return status_;
  }

 private:
  static constexpr size_t kBufferSize = size_t{1} << 20;
  // 20-digit timestamp + label (svc-000,p00, or wider) + ok + latency.
  static constexpr size_t kMaxRowSize = 128;

  size_t Room() const {
    return kBufferSize - static_cast<size_t>(end_ - buffer_.get());
  }

  std::FILE* out_;
  std::unique_ptr<char[]> buffer_;
  char* end_;
  std::vector<std::string> labels_;
  size_t probes_ = 0;
  absl::Status status_;
};

}  // namespace

absl::StatusOr<WorkloadOptions> WorkloadPreset(absl::string_view name) {
  WorkloadOptions options;  // the defaults are the "default" preset
  if (name == "tiny") {
    options.services = 3;
    options.probes_per_service = 2;
    options.days = 2;
  } else if (name == "small") {
    options.services = 10;
    options.probes_per_service = 4;
    options.days = 30;
  } else if (name != "default") {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown workload preset \"", name,
                     "\"; valid presets: tiny, small, default"));
  }
  return options;
}

absl::Status ValidateWorkloadOptions(const WorkloadOptions& options) {
  auto out_of_range = [](absl::string_view field, int64_t value, int64_t lo,
                         int64_t hi) {
    return absl::InvalidArgumentError(absl::StrCat("WorkloadOptions.", field,
                                                   " must be in [", lo, ", ",
                                                   hi, "], got ", value));
  };
  if (options.services < 1 || options.services > kMaxServices) {
    return out_of_range("services", options.services, 1, kMaxServices);
  }
  if (options.probes_per_service < 1 ||
      options.probes_per_service > kMaxProbes) {
    return out_of_range("probes_per_service", options.probes_per_service, 1,
                        kMaxProbes);
  }
  if (options.days < 1 || options.days > kMaxDays) {
    return out_of_range("days", options.days, 1, kMaxDays);
  }
  if (options.interval_s < 1 || options.interval_s > kMaxIntervalS) {
    return out_of_range("interval_s", options.interval_s, 1, kMaxIntervalS);
  }
  const int64_t span_s = options.days * kSecondsPerDay;
  if (span_s % options.interval_s != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "WorkloadOptions.interval_s (", options.interval_s,
        ") must divide the window of days * 86400 = ", span_s, " seconds"));
  }
  if (options.start_s < 0 || options.start_s > kMaxUnixSeconds - span_s) {
    return out_of_range("start_s", options.start_s, 0,
                        kMaxUnixSeconds - span_s);
  }
  return absl::OkStatus();
}

std::string ServiceName(int service) {
  return absl::StrFormat("svc-%03d", service);
}

std::string ProbeName(int probe) { return absl::StrFormat("p%02d", probe); }

absl::StatusOr<WorkloadSummary> GenerateWorkload(
    const WorkloadOptions& options,
    absl::FunctionRef<void(absl::Span<const SyntheticResult>)> sink) {
  if (absl::Status s = ValidateWorkloadOptions(options); !s.ok()) {
    return s;
  }
  return Generate(options, [sink](absl::Span<const SyntheticResult> rows) {
    sink(rows);
    return true;
  });
}

absl::StatusOr<WorkloadSummary> WriteWorkloadCsv(const WorkloadOptions& options,
                                                 std::FILE* out) {
  if (absl::Status s = ValidateWorkloadOptions(options); !s.ok()) {
    return s;
  }
  if (out == nullptr) {
    return absl::InvalidArgumentError("WriteWorkloadCsv: out is null");
  }
  CsvWriter writer(out, options.services, options.probes_per_service);
  writer.Append("timestamp_ms,service,probe,ok,latency_ms\n");
  WorkloadSummary summary =
      Generate(options, [&writer](absl::Span<const SyntheticResult> rows) {
        return writer.AppendRows(rows);
      });
  if (absl::Status s = writer.Finish(); !s.ok()) {
    return s;
  }
  return summary;
}

}  // namespace sla::probes
