#include "bindings/grpc/ingest_convert.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace sla::server {

absl::Status ConvertIngestRecords(const v1::IngestRequest& request,
                                  std::vector<NamedProbe>* batch) {
  batch->clear();
  batch->reserve(request.records_size());
  for (int i = 0; i < request.records_size(); ++i) {
    const v1::ProbeRecord& r = request.records(i);
    if (!r.has_time()) {
      return absl::InvalidArgumentError(
          absl::StrCat("record ", i, ": time: missing"));
    }
    if (r.time().nanos() < 0 || r.time().nanos() > 999'999'999) {
      return absl::InvalidArgumentError(absl::StrCat(
          "record ", i, ": time: nanos ", r.time().nanos(), " out of range"));
    }
    NamedProbe p;
    p.service = r.service();
    p.probe = r.probe();
    p.unix_ms = absl::ToUnixMillis(absl::FromUnixSeconds(r.time().seconds()) +
                                   absl::Nanoseconds(r.time().nanos()));
    p.ok = r.ok();
    p.latency_ms = r.latency_ms();
    batch->push_back(p);
  }
  return absl::OkStatus();
}

}  // namespace sla::server
