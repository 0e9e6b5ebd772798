// bindings/grpc/ingest_convert.h: the records of an sla.v1.IngestRequest
// (proto/sla/v1/sla_service.proto) converted into the batch that
// Backend::Ingest takes. The part of `slakit serve`'s Ingest and
// IngestStream that only reads the message, apart from the gRPC server so
// that it can be tested and fuzzed alone (tests/fuzz/proto_ingest_fuzzer.cc):
// it needs the generated messages and Abseil, not gRPC.
//
//   std::vector<sla::server::NamedProbe> batch;
//   absl::Status s = sla::server::ConvertIngestRecords(request, &batch);
//   if (!s.ok()) return s;  // InvalidArgument "record 3: time: missing"
//   backend->Ingest(caller, request.batch_id(), batch);
//
// What is checked here is only what the message alone decides: every
// record has a time, and its nanos are in [0, 999999999]. The rest (the
// service exists in the caller's tenant, the probe is not empty, the latency
// is finite and >= 0, the batch id's length) is Backend::Ingest's, which
// knows the configuration (bindings/grpc/backend.h).
//
// Thread safety: ConvertIngestRecords has no state; it is thread-safe.

#ifndef BINDINGS_GRPC_INGEST_CONVERT_H_
#define BINDINGS_GRPC_INGEST_CONVERT_H_

#include <vector>

#include "absl/status/status.h"
#include "bindings/grpc/backend.h"
#include "sla/v1/sla_service.pb.h"

namespace sla::server {

// Replaces the contents of `batch` with one NamedProbe per record of
// `request`, in order: service and probe are views into `request` (which
// must outlive `batch`), unix_ms is the record's time floored to the
// millisecond (saturating at the int64 limits for times beyond them), ok and
// latency_ms are copied as they are.
// Errors (and `batch` is then unspecified): InvalidArgument naming the first
// bad record, "record 3: time: missing" or
// "record 3: time: nanos -1 out of range".
absl::Status ConvertIngestRecords(const v1::IngestRequest& request,
                                  std::vector<NamedProbe>* batch);

}  // namespace sla::server

#endif  // BINDINGS_GRPC_INGEST_CONVERT_H_
