// Benchmarks of `slakit serve` over loopback (bindings/grpc/server.h): an
// in-process server on 127.0.0.1:0, called through real gRPC channels, on the
// synthetic workload (probes/synthetic.h).
//
// The workload is the `small` preset: 10 services x 4 probes x 30 days at one
// probe a minute (40 series, 1.728 M results), shifted so that it ends at the
// current minute (the server runs on the real clock, and the engine rejects
// results older than its retention or in the future). Set
// SLAKIT_BENCH_PRESET=default (8.64 M results) for the large one, or
// SLAKIT_BENCH_SMOKE=1 (the smoke test does) for `tiny` and a short run.
//
//   build/grpc_benchmark --benchmark_repetitions=3
//       --benchmark_report_aggregates_only=true
//
// The server: ServerOptions with listen 127.0.0.1:0, a fresh data directory
// under $TEST_TMPDIR (else /tmp), the workload's services in the
// configuration (one objective each: 99.9 % over 30d), no alert loop, the
// default sync policy (interval: a batch is acknowledged once it is written
// to the log, fdatasync at most a second later). It is started once per
// benchmark run, outside the timing, and shut down (snapshot written) after.
//
// The client side is pre-built outside the timing: the workload is cut into
// batches of 4096 results (in time order) and each batch's records are
// serialized once; a request is then the serialized batch_id followed by those
// bytes (protobuf fields concatenate), sent through a generic stub as a
// grpc::ByteBuffer. So the timing holds no client-side protobuf
// serialization (the counter client_serialize_ns_per_result says what it
// would have cost), but it does hold the client's gRPC transport work, which
// shares the machine's cores with the server.
//
// BM_GrpcIngestStreams/<streams>: `streams` client threads, each with its own
//   channel (a local subchannel pool and a distinct channel argument, hence
//   its own HTTP/2 connection) and one IngestStream. Batch i goes to stream
//   i % streams; a stream keeps up to 8 batches unacknowledged, reads the
//   acks in order and ends with WritesDone/Finish. One iteration sends the
//   whole workload under fresh batch ids (the same results ingested again
//   are counted again: fine for throughput, and the engine's memory is per
//   minute so it stays bounded). items_per_second: results acknowledged.
//   Counters (per run): batches, results, acks; the server's own count of
//   results is checked against them.
//
// BM_GetStatusUnderIngestLoad: the workload is ingested once (outside the
//   timing), then 4 streams ingest it again and again in background threads
//   while the benchmark thread calls GetStatus (every service, `at` unset)
//   back to back for a fixed time (10 s; smoke 0.2 s), on a channel of its
//   own. Counters: getstatus_p50_ms, getstatus_p90_ms, getstatus_p99_ms,
//   getstatus_max_ms, calls, and ingest_results_per_second during the
//   measurement. For comparison (outside the timing): getstatus_idle_p50_ms
//   and _p99_ms (2 s before the load starts), and the same for GetConfig, a
//   call that does no engine work (getconfig_idle_*, then getconfig_p50_ms
//   and _p99_ms for 2 s under the load): what the transport and the
//   scheduling of threads cost on their own.

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "bench/temp_dir.h"
#include "benchmark/benchmark.h"
#include "bindings/grpc/server.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "probes/synthetic.h"
#include "sla/v1/sla_service.grpc.pb.h"

namespace sla::server {
namespace {

constexpr int kBatch = 4096;
// Batches a stream may have written and not yet seen acknowledged.
constexpr int kWindow = 8;
constexpr char kIngestStreamMethod[] = "/sla.v1.SlaService/IngestStream";

bool Smoke() { return std::getenv("SLAKIT_BENCH_SMOKE") != nullptr; }

std::string PresetName() {
  const char* p = std::getenv("SLAKIT_BENCH_PRESET");
  if (p != nullptr) return p;
  return Smoke() ? "tiny" : "small";
}

[[noreturn]] void Die(absl::string_view what, const absl::Status& status) {
  std::fprintf(stderr, "grpc_benchmark: %.*s: %s\n",
               static_cast<int>(what.size()), what.data(),
               status.ToString().c_str());
  std::abort();
}

[[noreturn]] void Die(absl::string_view what, const grpc::Status& status) {
  Die(what, absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                         status.error_message()));
}

// ---------------------------------------------------------------- workload

struct Workload {
  probes::WorkloadOptions options;
  std::string config;  // slakit.yaml declaring the services
  // The serialized `records` fields of each batch (an IngestRequest without
  // batch_id), kBatch results each but the last.
  std::vector<grpc::Slice> batches;
  std::vector<int> batch_results;
  int64_t results = 0;
  double serialize_ns_per_result = 0;  // building and serializing them
};

const Workload& GetWorkload() {
  static const Workload* w = [] {
    auto* w = new Workload();
    absl::StatusOr<probes::WorkloadOptions> options =
        probes::WorkloadPreset(PresetName());
    if (!options.ok()) Die("preset", options.status());
    w->options = *options;
    // End at the current minute: within the retention, not in the future.
    const int64_t span_s = int64_t{86400} * w->options.days;
    w->options.start_s = absl::ToUnixSeconds(absl::Now()) / 60 * 60 - span_s;
    for (int s = 0; s < w->options.services; ++s) {
      absl::StrAppend(&w->config, s == 0 ? "services:\n" : "",
                      "  - name: ", probes::ServiceName(s),
                      "\n    objectives:\n      - {name: availability, "
                      "target: 99.9, window: 30d}\n");
    }
    std::vector<std::string> service_names, probe_names;
    for (int s = 0; s < w->options.services; ++s) {
      service_names.push_back(probes::ServiceName(s));
    }
    for (int p = 0; p < w->options.probes_per_service; ++p) {
      probe_names.push_back(probes::ProbeName(p));
    }
    std::vector<probes::SyntheticResult> all;
    absl::StatusOr<probes::WorkloadSummary> summary = probes::GenerateWorkload(
        w->options, [&](absl::Span<const probes::SyntheticResult> tick) {
          all.insert(all.end(), tick.begin(), tick.end());
        });
    if (!summary.ok()) Die("workload", summary.status());
    w->results = static_cast<int64_t>(all.size());
    const auto start = std::chrono::steady_clock::now();
    for (size_t i = 0; i < all.size(); i += kBatch) {
      const size_t n = std::min<size_t>(kBatch, all.size() - i);
      v1::IngestRequest req;
      for (size_t j = i; j < i + n; ++j) {
        const probes::SyntheticResult& r = all[j];
        v1::ProbeRecord* out = req.add_records();
        out->set_service(service_names[r.service]);
        out->set_probe(probe_names[r.probe]);
        out->mutable_time()->set_seconds(r.unix_ms / 1000);
        out->mutable_time()->set_nanos(static_cast<int32_t>(r.unix_ms % 1000) *
                                       1000000);
        out->set_ok(r.ok);
        out->set_latency_ms(r.latency_ms);
      }
      w->batches.emplace_back(req.SerializeAsString());
      w->batch_results.push_back(static_cast<int>(n));
    }
    const auto end = std::chrono::steady_clock::now();
    w->serialize_ns_per_result =
        static_cast<double>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(end - start)
                .count()) /
        static_cast<double>(std::max<int64_t>(1, w->results));
    return w;
  }();
  return *w;
}

// A request: the serialized batch_id, then the batch's records.
grpc::ByteBuffer Request(const std::string& batch_id,
                         const grpc::Slice& records) {
  v1::IngestRequest head;
  head.set_batch_id(batch_id);
  const grpc::Slice slices[2] = {grpc::Slice(head.SerializeAsString()),
                                 records};
  return grpc::ByteBuffer(slices, 2);
}

// ---------------------------------------------------------------- server

using ::sla::bench::TempDir;

// An in-process server over a fresh data directory; shut down and removed on
// destruction.
class BenchServer {
 public:
  explicit BenchServer(absl::string_view tag)
      : dir_(absl::StrCat("slakit_grpc_bench_", tag)) {
    const Workload& w = GetWorkload();
    ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.backend.data_dir = dir_.path() + "/data";
    o.backend.config_text = w.config;
    o.backend.alert_interval = absl::ZeroDuration();
    o.backend.max_batch_records = 1 << 20;
    o.max_message_bytes = 256 << 20;
    o.log = [](const std::string&) {};
    absl::StatusOr<std::unique_ptr<Server>> s = Server::Start(std::move(o));
    if (!s.ok()) Die("start", s.status());
    server_ = *std::move(s);
    if (absl::Status r = server_->WaitUntilReady(absl::Minutes(1)); !r.ok()) {
      Die("ready", r);
    }
  }
  ~BenchServer() {
    if (absl::Status s = server_->Shutdown(absl::Seconds(10)); !s.ok()) {
      Die("shutdown", s);
    }
  }

  std::string target() const {
    return absl::StrCat("127.0.0.1:", server_->port());
  }
  Backend* backend() { return server_->backend(); }

  // A channel on a connection of its own.
  std::shared_ptr<grpc::Channel> NewChannel(int n) const {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("slakit.bench.channel", n);
    args.SetMaxReceiveMessageSize(-1);
    args.SetMaxSendMessageSize(-1);
    return grpc::CreateCustomChannel(target(),
                                     grpc::InsecureChannelCredentials(), args);
  }

 private:
  TempDir dir_;
  std::unique_ptr<Server> server_;
};

// ---------------------------------------------------------------- client

struct StreamStats {
  int64_t batches = 0;  // written
  int64_t acks = 0;
  int64_t results = 0;  // acknowledged
};

// Runs one IngestStream on `channel`: writes the requests `next` hands out
// (false: no more), up to kWindow unacknowledged, reads the acks in order,
// then WritesDone and Finish. Adds each acknowledged batch's results to
// *acked as the ack arrives. Dies on any error or duplicate.
StreamStats RunStream(
    const std::shared_ptr<grpc::Channel>& channel,
    absl::FunctionRef<bool(grpc::ByteBuffer*, int* results)> next,
    std::atomic<int64_t>* acked) {
  enum Op : intptr_t { kStart = 1, kWrite, kRead, kWritesDone, kFinish };
  auto tag = [](Op op) { return reinterpret_cast<void*>(op); };

  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  grpc::CompletionQueue cq;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call =
      stub.PrepareCall(&ctx, kIngestStreamMethod, &cq);
  call->StartCall(tag(kStart));
  void* got;
  bool ok;
  if (!cq.Next(&got, &ok) || got != tag(kStart) || !ok) {
    Die("IngestStream", absl::UnavailableError("cannot start the call"));
  }

  StreamStats stats;
  grpc::ByteBuffer out;      // the write in flight
  grpc::ByteBuffer in;       // the read in flight
  std::vector<int> unacked;  // results of each batch written, not acked
  size_t first_unacked = 0;
  bool writing = false, more = true, writes_done = false, finished = false;
  int outstanding = 0;  // operations started and not completed
  grpc::Status status;
  auto pump = [&] {
    if (!writing && more && stats.batches - stats.acks < kWindow) {
      int n = 0;
      if (next(&out, &n)) {
        call->Write(out, tag(kWrite));
        writing = true;
        ++outstanding;
        unacked.push_back(n);
        ++stats.batches;
      } else {
        more = false;
      }
    }
    if (!more && !writing && !writes_done) {
      call->WritesDone(tag(kWritesDone));
      writes_done = true;
      ++outstanding;
    }
  };
  call->Read(&in, tag(kRead));
  ++outstanding;
  pump();
  while (outstanding > 0 && cq.Next(&got, &ok)) {
    --outstanding;
    switch (static_cast<Op>(reinterpret_cast<intptr_t>(got))) {
      case kWrite:
        writing = false;
        if (!ok) more = false;  // the stream ended; Finish says why
        break;
      case kRead:
        if (ok) {
          v1::IngestResponse resp;
          grpc::Status s =
              grpc::SerializationTraits<v1::IngestResponse>::Deserialize(&in,
                                                                         &resp);
          if (!s.ok()) Die("ack", s);
          if (resp.duplicate()) {
            Die("ack", absl::InternalError(
                           absl::StrCat("duplicate batch ", resp.batch_id())));
          }
          if (first_unacked >= unacked.size() ||
              static_cast<int>(resp.records()) != unacked[first_unacked]) {
            Die("ack", absl::InternalError("unexpected ack"));
          }
          ++first_unacked;
          ++stats.acks;
          stats.results += resp.records();
          acked->fetch_add(resp.records(), std::memory_order_relaxed);
          call->Read(&in, tag(kRead));
          ++outstanding;
        } else {
          more = false;
          call->Finish(&status, tag(kFinish));
          ++outstanding;
        }
        break;
      case kFinish:
        finished = true;
        break;
      default:
        break;
    }
    if (!finished) pump();
  }
  if (!status.ok()) Die("IngestStream", status);
  if (stats.acks != stats.batches) {
    Die("IngestStream",
        absl::InternalError(
            absl::StrCat(stats.acks, " acks for ", stats.batches, " batches")));
  }
  cq.Shutdown();
  while (cq.Next(&got, &ok)) {
  }
  return stats;
}

// ---------------------------------------------------------------- ingest

void BM_GrpcIngestStreams(benchmark::State& state) {
  const Workload& w = GetWorkload();
  const int streams = static_cast<int>(state.range(0));
  BenchServer server("ingest");
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int t = 0; t < streams; ++t) channels.push_back(server.NewChannel(t));

  StreamStats total;
  std::atomic<int64_t> acked{0};
  int iteration = 0;
  for (auto _ : state) {
    state.PauseTiming();
    // Fresh ids for this iteration, built outside the timing.
    std::vector<std::vector<grpc::ByteBuffer>> requests(streams);
    std::vector<std::vector<int>> results(streams);
    for (size_t b = 0; b < w.batches.size(); ++b) {
      requests[b % streams].push_back(
          Request(absl::StrCat("i", iteration, "-b", b), w.batches[b]));
      results[b % streams].push_back(w.batch_results[b]);
    }
    ++iteration;
    std::vector<StreamStats> stats(streams);
    state.ResumeTiming();

    std::vector<std::thread> pool;
    pool.reserve(streams);
    for (int t = 0; t < streams; ++t) {
      pool.emplace_back([&, t] {
        size_t i = 0;
        stats[t] = RunStream(
            channels[t],
            [&](grpc::ByteBuffer* out, int* n) {
              if (i == requests[t].size()) return false;
              *out = requests[t][i];
              *n = results[t][i];
              ++i;
              return true;
            },
            &acked);
      });
    }
    for (std::thread& th : pool) th.join();

    for (const StreamStats& s : stats) {
      total.batches += s.batches;
      total.acks += s.acks;
      total.results += s.results;
    }
  }
  const IngestCounters counters = server.backend()->counters();
  if (counters.results != total.results) {
    Die("counters", absl::InternalError(absl::StrCat(
                        "server counted ", counters.results, " results, ",
                        total.results, " acknowledged")));
  }
  state.SetItemsProcessed(total.results);
  state.counters["batches"] = static_cast<double>(total.batches);
  state.counters["results"] = static_cast<double>(total.results);
  state.counters["acks"] = static_cast<double>(total.acks);
  state.counters["client_serialize_ns_per_result"] = w.serialize_ns_per_result;
}

BENCHMARK(BM_GrpcIngestStreams)
    ->Arg(1)
    ->Arg(4)
    ->Iterations(3)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------- status

double Percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const size_t rank =
      static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

void BM_GetStatusUnderIngestLoad(benchmark::State& state) {
  const Workload& w = GetWorkload();
  constexpr int kStreams = 4;
  const absl::Duration measure =
      Smoke() ? absl::Milliseconds(200) : absl::Seconds(10);
  BenchServer server("status");
  std::atomic<int64_t> acked{0};

  // The whole workload once, so that every window has data.
  auto ingest = [&](int t, int generation, const std::atomic<bool>* stop) {
    std::shared_ptr<grpc::Channel> channel = server.NewChannel(t);
    if (static_cast<size_t>(t) >= w.batches.size()) return;
    size_t b = t;
    int g = generation;
    RunStream(
        channel,
        [&](grpc::ByteBuffer* out, int* n) {
          if (b >= w.batches.size()) {
            if (stop == nullptr) return false;
            b = t;
            ++g;
          }
          if (stop != nullptr && stop->load(std::memory_order_relaxed)) {
            return false;
          }
          *out = Request(absl::StrCat("g", g, "-b", b), w.batches[b]);
          *n = w.batch_results[b];
          b += kStreams;
          return true;
        },
        &acked);
  };
  {
    std::vector<std::thread> pool;
    for (int t = 0; t < kStreams; ++t) pool.emplace_back(ingest, t, 0, nullptr);
    for (std::thread& th : pool) th.join();
  }

  std::unique_ptr<v1::SlaService::Stub> stub =
      v1::SlaService::NewStub(server.NewChannel(kStreams));
  // Makes `call` back to back for `duration`; the sorted latencies in ms.
  auto measure_calls = [](absl::Duration duration,
                          absl::FunctionRef<void()> call) {
    std::vector<double> latencies_ms;
    const auto begin = std::chrono::steady_clock::now();
    const auto end = begin + absl::ToChronoNanoseconds(duration);
    for (auto now = begin; now < end; now = std::chrono::steady_clock::now()) {
      call();
      latencies_ms.push_back(std::chrono::duration<double, std::milli>(
                                 std::chrono::steady_clock::now() - now)
                                 .count());
    }
    std::sort(latencies_ms.begin(), latencies_ms.end());
    return latencies_ms;
  };
  auto get_status = [&] {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(30));
    v1::GetStatusResponse resp;
    grpc::Status s = stub->GetStatus(&ctx, v1::GetStatusRequest(), &resp);
    if (!s.ok()) Die("GetStatus", s);
    if (resp.services_size() != w.options.services) {
      Die("GetStatus", absl::InternalError("missing services"));
    }
  };
  // A trivial call on the same path, for the transport's share.
  auto get_config = [&] {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(30));
    v1::GetConfigResponse resp;
    grpc::Status s = stub->GetConfig(&ctx, v1::GetConfigRequest(), &resp);
    if (!s.ok()) Die("GetConfig", s);
  };
  // Without load first, for comparison.
  const absl::Duration idle_time =
      Smoke() ? absl::Milliseconds(50) : absl::Seconds(2);
  const std::vector<double> idle = measure_calls(idle_time, get_status);
  const std::vector<double> idle_config = measure_calls(idle_time, get_config);

  // The load: generations 1, 2, ... until stopped.
  std::atomic<bool> stop{false};
  std::vector<std::thread> load;
  for (int t = 0; t < kStreams; ++t) load.emplace_back(ingest, t, 1, &stop);

  std::vector<double> latencies_ms;
  double ingest_rate = 0;
  for (auto _ : state) {
    const int64_t acked_before = acked.load();
    const auto begin = std::chrono::steady_clock::now();
    latencies_ms = measure_calls(measure, get_status);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin)
            .count();
    ingest_rate = static_cast<double>(acked.load() - acked_before) / seconds;
  }
  // The trivial call under the same load (outside the timing).
  const std::vector<double> loaded_config =
      measure_calls(idle_time, get_config);
  stop.store(true);
  for (std::thread& th : load) th.join();

  state.counters["getstatus_idle_p50_ms"] = Percentile(idle, 0.50);
  state.counters["getstatus_idle_p99_ms"] = Percentile(idle, 0.99);
  state.counters["getconfig_idle_p50_ms"] = Percentile(idle_config, 0.50);
  state.counters["getconfig_idle_p99_ms"] = Percentile(idle_config, 0.99);
  state.counters["getconfig_p50_ms"] = Percentile(loaded_config, 0.50);
  state.counters["getconfig_p99_ms"] = Percentile(loaded_config, 0.99);
  state.counters["calls"] = static_cast<double>(latencies_ms.size());
  state.counters["getstatus_p50_ms"] = Percentile(latencies_ms, 0.50);
  state.counters["getstatus_p90_ms"] = Percentile(latencies_ms, 0.90);
  state.counters["getstatus_p99_ms"] = Percentile(latencies_ms, 0.99);
  state.counters["getstatus_max_ms"] =
      latencies_ms.empty() ? 0 : latencies_ms.back();
  state.counters["ingest_results_per_second"] = ingest_rate;
}

BENCHMARK(BM_GetStatusUnderIngestLoad)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sla::server

BENCHMARK_MAIN();
