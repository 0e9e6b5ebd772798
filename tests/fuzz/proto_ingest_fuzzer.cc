// tests/fuzz/proto_ingest_fuzzer.cc: the bytes of an sla.v1.IngestRequest
// as `slakit serve` receives them, through the conversion the service runs
// (sla::server::ConvertIngestRecords, bindings/grpc/ingest_convert.h) and on
// into an engine the way Backend::Ingest does: the checks that need a
// configuration (services "web" and "api" are configured), probes declared
// on first use, then one Engine::Ingest of the whole batch.
//
// Invariants: a message that does not parse is dropped; a conversion error
// is InvalidArgument "record <i>: time: ..." with i a record of the message;
// a converted batch has one entry per record with its names, ok and latency
// as sent and the time floored to the millisecond (saturated at the int64
// limits); the engine either rejects the batch naming a record of it
// (InvalidArgument or OutOfRange) and holds nothing, or holds exactly the
// message's records: total = records, good = records with ok.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "bindings/grpc/ingest_convert.h"
#include "google/protobuf/stubs/logging.h"
#include "sla/clock.h"
#include "sla/engine.h"
#include "sla/v1/sla_service.pb.h"
#include "sla/window.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

// "Now": 2024-06-01T00:00:00Z, fixed so that runs are reproducible.
constexpr int64_t kNowSeconds = 1717200000;

sla::EngineOptions Options() {
  static sla::FakeClock* clock =
      new sla::FakeClock(absl::FromUnixSeconds(kNowSeconds));
  sla::EngineOptions o;
  o.clock = clock;
  o.shards = 2;
  return o;
}

// The record index at the start of "record <i>...", or -1.
int64_t RecordOf(absl::string_view message) {
  if (!absl::ConsumePrefix(&message, "record ")) return -1;
  size_t n = 0;
  while (n < message.size() && message[n] >= '0' && message[n] <= '9') ++n;
  int64_t i = -1;
  if (n == 0 || !absl::SimpleAtoi(message.substr(0, n), &i)) return -1;
  return i;
}

int64_t ExpectedMillis(const google::protobuf::Timestamp& t) {
  const absl::int128 ms =
      absl::int128(t.seconds()) * 1000 + t.nanos() / 1000000;
  if (ms > std::numeric_limits<int64_t>::max()) {
    return std::numeric_limits<int64_t>::max();
  }
  if (ms < std::numeric_limits<int64_t>::min()) {
    return std::numeric_limits<int64_t>::min();
  }
  return static_cast<int64_t>(ms);
}

// What Backend::IngestNow checks before declaring anything (its batch id,
// tenant and probe-count checks have no engine counterpart here).
absl::Status CheckLikeBackend(absl::Span<const sla::server::NamedProbe> batch) {
  for (size_t i = 0; i < batch.size(); ++i) {
    const sla::server::NamedProbe& r = batch[i];
    if (r.service != "web" && r.service != "api") {
      return absl::NotFoundError(
          absl::StrCat("record ", i, ": service: '", r.service, "' not found"));
    }
    if (r.probe.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("record ", i, ": probe: empty"));
    }
    if (!std::isfinite(r.latency_ms) || r.latency_ms < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("record ", i, ": latency_ms: ", r.latency_ms,
                       " is not a finite number >= 0"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

// Protobuf logs every string field with invalid UTF-8 it refuses; that is an
// answer here, not news.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sla::v1::IngestRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  const int records = request.records_size();

  std::vector<sla::server::NamedProbe> batch;
  absl::Status s = sla::server::ConvertIngestRecords(request, &batch);
  if (!s.ok()) {
    FUZZ_CHECK(absl::IsInvalidArgument(s), "unexpected status %s",
               s.ToString().c_str());
    const int64_t i = RecordOf(s.message());
    FUZZ_CHECK(
        i >= 0 && i < records && absl::StrContains(s.message(), ": time: "),
        "error names no record's time: %s", s.ToString().c_str());
    const auto& t = request.records(static_cast<int>(i)).time();
    FUZZ_CHECK(!request.records(static_cast<int>(i)).has_time() ||
                   t.nanos() < 0 || t.nanos() > 999999999,
               "record %lld rejected: %s", static_cast<long long>(i),
               s.ToString().c_str());
    return 0;
  }
  FUZZ_CHECK(static_cast<int>(batch.size()) == records, "%zu of %d records",
             batch.size(), records);
  int64_t oks = 0;
  for (int i = 0; i < records; ++i) {
    const sla::v1::ProbeRecord& r = request.records(i);
    const sla::server::NamedProbe& p = batch[i];
    FUZZ_CHECK(
        r.has_time() && r.time().nanos() >= 0 && r.time().nanos() <= 999999999,
        "record %d: bad time accepted", i);
    FUZZ_CHECK(p.service == r.service() && p.probe == r.probe(),
               "record %d: names differ", i);
    FUZZ_CHECK(p.ok == r.ok(), "record %d: ok differs", i);
    const double sent = r.latency_ms();
    FUZZ_CHECK(std::memcmp(&p.latency_ms, &sent, sizeof(double)) == 0,
               "record %d: latency differs", i);
    FUZZ_CHECK(p.unix_ms == ExpectedMillis(r.time()),
               "record %d: %lld s %d ns -> %lld ms", i,
               static_cast<long long>(r.time().seconds()), r.time().nanos(),
               static_cast<long long>(p.unix_ms));
    oks += p.ok;
  }

  s = CheckLikeBackend(batch);
  if (!s.ok()) return 0;
  sla::Engine engine(Options());
  absl::flat_hash_map<std::pair<absl::string_view, absl::string_view>,
                      sla::SliId>
      ids;
  std::vector<sla::ProbeResult> results;
  results.reserve(batch.size());
  for (const sla::server::NamedProbe& p : batch) {
    auto it = ids.find(std::make_pair(p.service, p.probe));
    if (it == ids.end()) {
      absl::StatusOr<sla::SliId> id =
          engine.AddSli({std::string(p.service), std::string(p.probe)});
      FUZZ_CHECK(id.ok(), "AddSli: %s", id.status().ToString().c_str());
      it = ids.emplace(std::make_pair(p.service, p.probe), *id).first;
    }
    results.push_back({it->second, p.unix_ms, p.ok, p.latency_ms});
  }
  s = engine.Ingest(results);
  std::vector<sla::SliId> all;
  for (const auto& [key, id] : ids) all.push_back(id);
  // Every result of the batch, whenever it is: a fresh engine's retention
  // is counted back from the batch's newest result.
  int64_t first_ms = std::numeric_limits<int64_t>::max();
  int64_t last_ms = std::numeric_limits<int64_t>::min();
  for (const sla::ProbeResult& r : results) {
    first_ms = std::min(first_ms, r.unix_ms);
    last_ms = std::max(last_ms, r.unix_ms);
  }
  const sla::Interval everything{
      absl::FromUnixMillis(first_ms) - absl::Minutes(1),
      absl::FromUnixMillis(last_ms) + absl::Minutes(2)};
  absl::StatusOr<sla::Counts> counts = engine.QuerySum(all, everything);
  FUZZ_CHECK(counts.ok(), "QuerySum: %s", counts.status().ToString().c_str());
  if (!s.ok()) {
    FUZZ_CHECK(absl::IsInvalidArgument(s) || absl::IsOutOfRange(s),
               "unexpected status %s", s.ToString().c_str());
    const int64_t i = RecordOf(s.message());
    FUZZ_CHECK(i >= 0 && i < records, "error names no record: %s",
               s.ToString().c_str());
    FUZZ_CHECK(counts->total == 0, "a rejected batch left %lld results",
               static_cast<long long>(counts->total));
    return 0;
  }
  FUZZ_CHECK(counts->total == records && counts->good == oks,
             "ingested %d records (%lld ok), the engine holds %lld (%lld good)",
             records, static_cast<long long>(oks),
             static_cast<long long>(counts->total),
             static_cast<long long>(counts->good));
  return 0;
}
