// tests/fuzz/make_seeds.cc: writes the binary seeds of the corpora (run at
// development time; the output is committed).
//   cmake --build build/fuzz --target make_seeds
//   build/fuzz/make_seeds tests/fuzz/corpus
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "sla/clock.h"
#include "sla/engine.h"
#include "sla/storage/wal.h"
#include "sla/v1/sla_service.pb.h"

namespace fs = std::filesystem;

static void Write(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), bytes.size());
  std::printf("%s: %zu bytes\n", path.c_str(), bytes.size());
}

// A record of an IngestRequest at unix `seconds` + `nanos`.
static void AddRecord(sla::v1::IngestRequest* req, const std::string& service,
                      const std::string& probe, int64_t seconds, int32_t nanos,
                      bool ok, double latency_ms) {
  sla::v1::ProbeRecord* r = req->add_records();
  r->set_service(service);
  r->set_probe(probe);
  r->mutable_time()->set_seconds(seconds);
  r->mutable_time()->set_nanos(nanos);
  r->set_ok(ok);
  r->set_latency_ms(latency_ms);
}

static std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const fs::path out = argv[1];

  // WAL: a segment with a few records, as the writer leaves it; the seed is
  // the fuzzer's mode byte followed by the file.
  std::string tmpl = fs::temp_directory_path() / "slakit-seeds-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) return 1;
  {
    sla::storage::LogOptions o;
    o.sync = sla::storage::SyncPolicy::kNone;
    auto log = sla::storage::LogWriter::Open(tmpl, o).value();
    log->Append(1, "batch-1").value();
    log->Append(2, std::string(40, 'x')).value();
    log->Append(1, "").value();
    log->Close().IgnoreError();
  }
  std::string seg = Slurp(fs::path(tmpl) / "wal-00000000000000000001.log");
  Write(out / "wal_record_fuzzer" / "three_records",
        std::string(1, '\0') + seg);
  Write(out / "wal_record_fuzzer" / "three_records_fixcrc",
        std::string(1, '\1') + seg);
  Write(
      out / "wal_record_fuzzer" / "header_only",
      std::string(1, '\0') + seg.substr(0, sla::storage::kSegmentHeaderBytes));
  Write(out / "wal_record_fuzzer" / "torn_tail",
        std::string(1, '\0') + seg.substr(0, seg.size() - 5));
  // Two segments: mode 2, split after the first segment's records.
  {
    std::string two(1, '\3');
    uint16_t split = static_cast<uint16_t>(seg.size());
    two += static_cast<char>(split & 0xff);
    two += static_cast<char>(split >> 8);
    std::string second = seg.substr(0, sla::storage::kSegmentHeaderBytes);
    second[12] = 4;  // first LSN 4 (the fuzzer fixes the CRC)
    two += seg + second;
    Write(out / "wal_record_fuzzer" / "two_segments", two);
  }
  fs::remove_all(tmpl);

  // Engine state: two services, three SLIs, an objective, a few minutes.
  sla::FakeClock clock(absl::FromUnixSeconds(1704153600));  // 2024-01-02
  sla::EngineOptions eo;
  eo.clock = &clock;
  {
    sla::Engine e(eo);
    std::string empty;
    e.EncodeState(&empty);
    Write(out / "engine_state_fuzzer" / "empty", empty);
  }
  sla::Engine e(eo);
  sla::SliId a = e.AddSli({"web", "home"}).value();
  sla::SliId b = e.AddSli({"web", "login"}).value();
  sla::SliSpec lat;
  lat.service = "api";
  lat.name = "latency";
  lat.kind = sla::SliKind::kLatencyThreshold;
  lat.latency_threshold_ms = 250;
  sla::SliId c = e.AddSli(lat).value();
  sla::ObjectiveSpec slo;
  slo.service = "web";
  slo.name = "availability";
  slo.target_percent = 99.9;
  slo.window = "30d";
  e.AddObjective(slo).value();
  std::vector<sla::ProbeResult> batch;
  for (int m = 0; m < 5; ++m) {
    int64_t t = 1704067200000 + m * 60000;
    batch.push_back({a, t, m != 3, 42.0});
    batch.push_back({b, t + 1000, true, 12.5});
    batch.push_back({c, t + 2000, true, 100.0 + 100 * m});
  }
  batch.push_back({a, 1704070000000, true, 1});
  if (!e.Ingest(batch).ok()) return 1;
  std::string state;
  e.EncodeState(&state);
  Write(out / "engine_state_fuzzer" / "three_slis", state);

  // gRPC IngestRequest messages as `slakit serve` receives them. The fuzzer's
  // engine is at 2024-06-01T00:00:00Z (1717200000) with services web, api.
  const fs::path ingest = out / "proto_ingest_fuzzer";
  {
    sla::v1::IngestRequest req;
    req.set_batch_id("probe-runner-1/000001");
    for (int m = 0; m < 4; ++m) {
      AddRecord(&req, "web", "home", 1717199700 + 60 * m, 250000000, m != 2,
                41.5 + m);
    }
    AddRecord(&req, "web", "login", 1717199990, 999999999, true, 120);
    AddRecord(&req, "api", "health", 1717199999, 0, false, 2000);
    Write(ingest / "two_services", req.SerializeAsString());
  }
  {
    sla::v1::IngestRequest req;
    req.set_batch_id("b-empty");
    Write(ingest / "no_records", req.SerializeAsString());
  }
  {
    sla::v1::IngestRequest req;
    req.set_batch_id("b-no-time");
    AddRecord(&req, "web", "home", 1717199940, 0, true, 10);
    req.add_records()->set_service("web");  // no time
    Write(ingest / "missing_time", req.SerializeAsString());
  }
  {
    sla::v1::IngestRequest req;
    req.set_batch_id("b-nanos");
    AddRecord(&req, "web", "home", 1717199940, 1000000000, true, 10);
    Write(ingest / "nanos_out_of_range", req.SerializeAsString());
  }
  {
    sla::v1::IngestRequest req;
    req.set_batch_id("b-old");
    AddRecord(&req, "web", "home", 1717199940, 0, true, 10);
    AddRecord(&req, "web", "home", 1704067200, 0, true, 10);  // 2024-01-01
    Write(ingest / "older_than_retention", req.SerializeAsString());
  }
  {
    sla::v1::IngestRequest req;
    req.set_batch_id("b-future");
    AddRecord(&req, "api", "health", 1717203600, 0, true, 3.25);  // +1 h
    Write(ingest / "future", req.SerializeAsString());
  }
  return 0;
}
