#include "bindings/grpc/service.h"

#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bindings/grpc/ingest_convert.h"
#include "sla/report.h"
#include "sla/window.h"

namespace sla::server {
namespace {

// Windows of GetStatus availability (burn rates: StandardBurnWindows()).
constexpr absl::Duration kStatusWindows[] = {
    absl::Hours(1), absl::Hours(24), absl::Hours(24 * 7), absl::Hours(24 * 30)};

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

void ToProto(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t s = absl::ToUnixSeconds(t);  // floor
  out->set_seconds(s);
  out->set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(s))));
}

void ToProto(absl::Duration d, google::protobuf::Duration* out) {
  const int64_t s = absl::IDivDuration(d, absl::Seconds(1), &d);
  out->set_seconds(s);
  out->set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(d)));
}

// A request's `at`, or now.
absl::Time AtOrNow(bool has_at, const google::protobuf::Timestamp& at,
                   const Backend& backend) {
  return has_at ? FromProto(at) : backend.clock()->Now();
}

v1::AlertState ToProto(AlertState s) {
  switch (s) {
    case AlertState::kInactive:
      return v1::ALERT_STATE_INACTIVE;
    case AlertState::kPending:
      return v1::ALERT_STATE_PENDING;
    case AlertState::kFiring:
      return v1::ALERT_STATE_FIRING;
    case AlertState::kResolved:
      return v1::ALERT_STATE_RESOLVED;
  }
  return v1::ALERT_STATE_UNSPECIFIED;
}

void ToProto(const AlertView& a, v1::Alert* out) {
  out->set_service(a.service);
  out->set_objective(a.objective);
  out->set_severity(a.severity);
  out->set_state(ToProto(a.state));
  ToProto(a.evidence.tier.long_window, out->mutable_long_window());
  ToProto(a.evidence.tier.short_window, out->mutable_short_window());
  out->set_factor(a.evidence.tier.factor);
  out->set_long_rate(a.evidence.long_rate);
  out->set_short_rate(a.evidence.short_rate);
  ToProto(a.since, out->mutable_since());
  out->set_budget_remaining(a.budget_remaining);
  out->set_top_component(a.evidence.top_component);
  out->set_top_component_minutes(a.evidence.top_component_minutes);
}

// The probe-success SLIs of a service (its availability).
std::vector<SliId> ProbeSlis(const Engine& engine, absl::string_view service) {
  std::vector<SliId> out;
  absl::StatusOr<std::vector<SliId>> all = engine.ServiceSlis(service);
  if (!all.ok()) return out;
  for (SliId id : *all) {
    absl::StatusOr<SliSpec> spec = engine.GetSli(id);
    if (spec.ok() && spec->kind == SliKind::kProbeSuccess) out.push_back(id);
  }
  return out;
}

// Window text of a request; a calendar period without a zone takes the
// configuration's.
absl::StatusOr<Window> ParseRequestWindow(absl::string_view text,
                                          const Config& config) {
  if (text.empty()) text = "30d";
  absl::StatusOr<Window> w = Window::Parse(text);
  if (!w.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("window: ", w.status().message()));
  }
  if (!w->is_rolling() && !absl::StrContains(text, "@")) {
    w = Window::Parse(absl::StrCat(text, "@", config.timezone));
  }
  return w;
}

}  // namespace

grpc::Status ToGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

SlaServiceImpl::SlaServiceImpl(const TokenStore* tokens,
                               absl::Duration max_call)
    : tokens_(tokens), max_call_(max_call) {}

grpc::Status SlaServiceImpl::Within(absl::Time start,
                                    grpc::Status status) const {
  const absl::Duration took = absl::Now() - start;
  if (status.ok() && took > max_call_) {
    return grpc::Status(
        grpc::StatusCode::DEADLINE_EXCEEDED,
        absl::StrCat("the call took ", absl::FormatDuration(took),
                     ", over the server's per-call limit max_call = ",
                     absl::FormatDuration(max_call_)));
  }
  return status;
}

void SlaServiceImpl::SetBackend(Backend* backend) { backend_.store(backend); }

void SlaServiceImpl::Stop() {
  stopping_.store(true);
  absl::MutexLock lock(&streams_mu_);
  for (grpc::ServerContext* context : reading_streams_) context->TryCancel();
}

absl::StatusOr<Backend*> SlaServiceImpl::Begin(grpc::ServerContext* context,
                                               Role role, Principal* caller) {
  if (stopping_.load()) return absl::UnavailableError("shutting down");
  Backend* backend = backend_.load();
  if (backend == nullptr) {
    return absl::UnavailableError("recovering the store; retry shortly");
  }
  if (tokens_ == nullptr) {
    caller->name = "anonymous";
    caller->all_tenants = true;
    caller->roles = {Role::kIngest, Role::kRead, Role::kAdmin};
  } else {
    const auto& md = context->client_metadata();
    auto it = md.find("authorization");
    const absl::string_view header =
        it == md.end()
            ? absl::string_view()
            : absl::string_view(it->second.data(), it->second.size());
    absl::StatusOr<Principal> p = tokens_->Authenticate(header);
    if (!p.ok()) return p.status();
    *caller = *std::move(p);
  }
  if (!caller->HasRole(role)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "principal '", caller->name, "' lacks role '", RoleName(role), "'"));
  }
  return backend;
}

// ---------------------------------------------------------------- ingest

absl::Status SlaServiceImpl::IngestOne(Backend* backend,
                                       const Principal& caller,
                                       const v1::IngestRequest& request,
                                       v1::IngestResponse* response) {
  std::vector<NamedProbe> batch;
  if (absl::Status s = ConvertIngestRecords(request, &batch); !s.ok()) {
    return s;
  }
  absl::StatusOr<storage::IngestAck> ack =
      backend->Ingest(caller, request.batch_id(), batch);
  if (!ack.ok()) return ack.status();
  response->set_batch_id(request.batch_id());
  response->set_duplicate(ack->duplicate);
  response->set_lsn(ack->lsn);
  response->set_records(static_cast<uint32_t>(request.records_size()));
  return absl::OkStatus();
}

grpc::Status SlaServiceImpl::Ingest(grpc::ServerContext* context,
                                    const v1::IngestRequest* request,
                                    v1::IngestResponse* response) {
  Principal caller;
  absl::StatusOr<Backend*> backend = Begin(context, Role::kIngest, &caller);
  if (!backend.ok()) return ToGrpc(backend.status());
  return ToGrpc(IngestOne(*backend, caller, *request, response));
}

grpc::Status SlaServiceImpl::IngestStream(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::IngestResponse, v1::IngestRequest>* stream) {
  Principal caller;
  absl::StatusOr<Backend*> backend = Begin(context, Role::kIngest, &caller);
  if (!backend.ok()) return ToGrpc(backend.status());
  v1::IngestRequest request;
  int64_t index = 0;
  while (true) {
    {
      // Checked under the lock Stop cancels under: a stream that missed
      // the cancellation sees stopping_.
      absl::MutexLock lock(&streams_mu_);
      if (stopping_.load()) {
        return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                            absl::StrCat("shutting down after ", index,
                                         " batch(es); send the next one to "
                                         "a new stream"));
      }
      reading_streams_.insert(context);
    }
    const bool read = stream->Read(&request);
    {
      absl::MutexLock lock(&streams_mu_);
      reading_streams_.erase(context);
    }
    if (!read) break;
    if (context->IsCancelled()) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    }
    v1::IngestResponse response;
    absl::Status s = IngestOne(*backend, caller, request, &response);
    if (!s.ok()) {
      return ToGrpc(absl::Status(
          s.code(), absl::StrCat("batch ", index, " ('", request.batch_id(),
                                 "'): ", s.message())));
    }
    if (!stream->Write(response)) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "the client went away");
    }
    ++index;
  }
  return grpc::Status::OK;
}

// ---------------------------------------------------------------- config

// Applying or reading the configuration touches every tenant: admin of all.
static absl::Status NeedAllTenants(const Principal& caller) {
  if (!caller.all_tenants) {
    return absl::PermissionDeniedError(
        absl::StrCat("principal '", caller.name,
                     "' is not an admin of every tenant (tenants: *)"));
  }
  return absl::OkStatus();
}

grpc::Status SlaServiceImpl::ApplyConfig(grpc::ServerContext* context,
                                         const v1::ApplyConfigRequest* request,
                                         v1::ApplyConfigResponse* response) {
  Principal caller;
  absl::StatusOr<Backend*> backend = Begin(context, Role::kAdmin, &caller);
  if (!backend.ok()) return ToGrpc(backend.status());
  if (absl::Status s = NeedAllTenants(caller); !s.ok()) return ToGrpc(s);
  absl::StatusOr<ApplyResult> r =
      (*backend)->ApplyConfig(request->yaml(), request->dry_run());
  if (!r.ok()) return ToGrpc(r.status());
  for (const std::string& s : r->services) response->add_services(s);
  for (const std::string& a : r->applications) response->add_applications(a);
  response->set_objectives(static_cast<uint32_t>(r->objectives));
  return grpc::Status::OK;
}

grpc::Status SlaServiceImpl::GetConfig(grpc::ServerContext* context,
                                       const v1::GetConfigRequest* request,
                                       v1::GetConfigResponse* response) {
  Principal caller;
  absl::StatusOr<Backend*> backend = Begin(context, Role::kAdmin, &caller);
  if (!backend.ok()) return ToGrpc(backend.status());
  if (absl::Status s = NeedAllTenants(caller); !s.ok()) return ToGrpc(s);
  response->set_yaml((*backend)->config()->text);
  return grpc::Status::OK;
}

// ---------------------------------------------------------------- queries

grpc::Status SlaServiceImpl::GetStatusBody(grpc::ServerContext* context,
                                           const v1::GetStatusRequest* request,
                                           v1::GetStatusResponse* response) {
  Principal caller;
  absl::StatusOr<Backend*> b = Begin(context, Role::kRead, &caller);
  if (!b.ok()) return ToGrpc(b.status());
  Backend& backend = **b;
  const Engine& engine = backend.engine();
  std::shared_ptr<const ConfigState> state = backend.config();
  const absl::Time at = AtOrNow(request->has_at(), request->at(), backend);
  if (!request->service().empty()) {
    absl::StatusOr<std::string> tenant =
        backend.TenantOf(caller, request->service());
    if (!tenant.ok()) return ToGrpc(tenant.status());
    if (state->config.FindService(request->service()) == nullptr) {
      return ToGrpc(absl::InvalidArgumentError(absl::StrCat(
          "'", request->service(), "' is an application: use GetComposite")));
    }
  }
  std::vector<AlertView> alerts = backend.ActiveAlerts(caller);
  ToProto(at, response->mutable_at());
  for (const ServiceConfig& service : state->config.services) {
    if (!caller.InTenant(service.tenant)) continue;
    if (!request->service().empty() && service.name != request->service()) {
      continue;
    }
    v1::ServiceStatus* out = response->add_services();
    out->set_name(service.name);
    out->set_tenant(service.tenant);
    const std::vector<SliId> slis = ProbeSlis(engine, service.name);
    for (absl::Duration w : kStatusWindows) {
      const Interval interval = Window::Rolling(w)->ResolveAsOf(at);
      Counts c;
      if (!slis.empty()) {
        absl::StatusOr<Counts> sum = engine.QuerySum(slis, interval);
        if (!sum.ok()) return ToGrpc(sum.status());
        c = *sum;
      }
      v1::WindowAvailability* wa = out->add_availability();
      wa->set_window(DurationToString(w));
      ToProto(interval.from, wa->mutable_from());
      ToProto(interval.to, wa->mutable_to());
      wa->set_good(c.good);
      wa->set_total(c.total);
      wa->set_has_data(c.total > 0);
      wa->set_availability(c.total > 0 ? static_cast<double>(c.good) /
                                             static_cast<double>(c.total)
                                       : 0);
    }
    for (const ObjectiveSpec& spec : service.objectives) {
      v1::ObjectiveStatus* o = out->add_objectives();
      o->set_name(spec.name);
      o->set_target_percent(spec.target_percent);
      o->set_window(spec.window);
      absl::StatusOr<ObjectiveStatus> st = engine.EvaluateSpec(spec, at);
      if (!st.ok()) {
        // An SLI that has not reported yet (a service without any result,
        // or a named probe still missing): an objective without data.
        if (absl::IsNotFound(st.status())) continue;
        return ToGrpc(st.status());
      }
      ToProto(st->window.from, o->mutable_from());
      ToProto(st->window.to, o->mutable_to());
      o->set_good(st->budget.good);
      o->set_total(st->budget.total);
      o->set_has_data(st->budget.total > 0);
      o->set_availability(st->budget.total > 0 ? st->budget.availability : 0);
      o->set_allowed_bad(st->budget.allowed_bad);
      o->set_bad(st->budget.bad);
      o->set_budget_remaining(st->budget.remaining);
      absl::StatusOr<BurnRates> rates =
          engine.BurnRatesOfSpec(spec, at, StandardBurnWindows());
      if (!rates.ok()) return ToGrpc(rates.status());
      for (size_t i = 0; i < rates->rates.size(); ++i) {
        v1::BurnRate* r = o->add_burn_rates();
        ToProto(StandardBurnWindows()[i], r->mutable_window());
        r->set_rate(rates->rates[i]);
        r->set_good(rates->counts[i].good);
        r->set_total(rates->counts[i].total);
      }
      for (const AlertView& a : alerts) {
        if (a.service == spec.service && a.objective == spec.name) {
          ToProto(a, o->add_alerts());
        }
      }
    }
  }
  return grpc::Status::OK;
}

grpc::Status SlaServiceImpl::QueryAvailabilityBody(
    grpc::ServerContext* context, const v1::QueryAvailabilityRequest* request,
    v1::QueryAvailabilityResponse* response) {
  Principal caller;
  absl::StatusOr<Backend*> b = Begin(context, Role::kRead, &caller);
  if (!b.ok()) return ToGrpc(b.status());
  Backend& backend = **b;
  const Engine& engine = backend.engine();
  std::vector<std::string> parts =
      absl::StrSplit(request->selector(), absl::MaxSplits('/', 1));
  if (parts[0].empty()) {
    return ToGrpc(absl::InvalidArgumentError(
        "selector: expected 'service' or 'service/probe'"));
  }
  absl::StatusOr<std::string> tenant = backend.TenantOf(caller, parts[0]);
  if (!tenant.ok()) return ToGrpc(tenant.status());
  std::shared_ptr<const ConfigState> state = backend.config();
  if (state->config.FindService(parts[0]) == nullptr) {
    return ToGrpc(absl::InvalidArgumentError(absl::StrCat(
        "selector: '", parts[0], "' is an application: use GetComposite")));
  }
  absl::StatusOr<Window> window =
      ParseRequestWindow(request->window(), state->config);
  if (!window.ok()) return ToGrpc(window.status());
  std::vector<SliId> slis;
  if (parts.size() == 2) {
    absl::StatusOr<SliId> id = engine.FindSli(parts[0], parts[1]);
    if (!id.ok()) {
      return ToGrpc(absl::NotFoundError(
          absl::StrCat("probe '", request->selector(), "' not found")));
    }
    slis.push_back(*id);
  } else {
    slis = ProbeSlis(engine, parts[0]);
  }
  const absl::Time at = AtOrNow(request->has_at(), request->at(), backend);
  const Interval interval = window->ResolveAsOf(at);
  Counts c;
  if (!slis.empty()) {
    absl::StatusOr<Counts> sum = engine.QuerySum(slis, interval);
    if (!sum.ok()) return ToGrpc(sum.status());
    c = *sum;
  }
  ToProto(interval.from, response->mutable_from());
  ToProto(interval.to, response->mutable_to());
  response->set_good(c.good);
  response->set_total(c.total);
  response->set_has_data(c.total > 0);
  response->set_availability(c.total > 0 ? static_cast<double>(c.good) /
                                               static_cast<double>(c.total)
                                         : 0);
  return grpc::Status::OK;
}

grpc::Status SlaServiceImpl::GetCompositeBody(
    grpc::ServerContext* context, const v1::GetCompositeRequest* request,
    v1::GetCompositeResponse* response) {
  Principal caller;
  absl::StatusOr<Backend*> b = Begin(context, Role::kRead, &caller);
  if (!b.ok()) return ToGrpc(b.status());
  Backend& backend = **b;
  absl::StatusOr<std::string> tenant =
      backend.TenantOf(caller, request->application());
  if (!tenant.ok()) return ToGrpc(tenant.status());
  std::shared_ptr<const ConfigState> state = backend.config();
  const Config& config = state->config;
  const ApplicationConfig* app = config.FindApplication(request->application());
  if (app == nullptr) {
    return ToGrpc(absl::InvalidArgumentError(absl::StrCat(
        "'", request->application(), "' is a service, not an application")));
  }
  absl::StatusOr<Window> window = ParseRequestWindow(request->window(), config);
  if (!window.ok()) return ToGrpc(window.status());
  const absl::Time at = AtOrNow(request->has_at(), request->at(), backend);
  const Interval interval = window->ResolveAsOf(at);
  absl::StatusOr<Attribution> a =
      ObserveApplication(backend.engine(), config, *app, interval);
  if (!a.ok()) return ToGrpc(a.status());

  response->set_application(app->name);
  response->set_expression(app->components.ToString());
  ToProto(interval.from, response->mutable_from());
  ToProto(interval.to, response->mutable_to());
  absl::flat_hash_map<std::string, double> commitments;
  bool all_contracts = true;
  for (const std::string& name : app->components.Components()) {
    const ServiceConfig* s = config.FindService(name);
    if (s != nullptr && s->contract.has_value()) {
      commitments[name] = s->contract->commitment_percent / 100;
    } else {
      all_contracts = false;
    }
  }
  if (all_contracts) {
    absl::StatusOr<double> t =
        TheoreticalAvailability(app->components, commitments);
    if (!t.ok()) return ToGrpc(t.status());
    response->set_theoretical_availability(*t);
  }
  const CompositeObservation& obs = a->observation;
  response->set_up_minutes(obs.up_intervals);
  response->set_counted_minutes(obs.up_intervals + obs.down_intervals);
  response->set_has_data(obs.up_intervals + obs.down_intervals > 0);
  response->set_availability(
      obs.up_intervals + obs.down_intervals > 0 ? obs.availability() : 0);
  for (const ComponentAttribution& c : a->components) {
    v1::ComponentShare* share = response->add_components();
    share->set_service(c.component);
    share->set_owner(std::string(OwnerName(c.owner)));
    share->set_down_minutes(c.sole_intervals + c.shared_intervals);
  }
  auto& by_owner = *response->mutable_down_minutes_by_owner();
  by_owner["provider"] = a->provider.exclusive_intervals;
  by_owner["application"] = a->application.exclusive_intervals;
  by_owner["both"] = a->mixed_owner_intervals;
  return grpc::Status::OK;
}

// ---------------------------------------------------------------- alerts

grpc::Status SlaServiceImpl::ListAlerts(grpc::ServerContext* context,
                                        const v1::ListAlertsRequest* request,
                                        v1::ListAlertsResponse* response) {
  Principal caller;
  absl::StatusOr<Backend*> b = Begin(context, Role::kRead, &caller);
  if (!b.ok()) return ToGrpc(b.status());
  if (!request->service().empty()) {
    // A service or an application (its objectives alert too).
    absl::StatusOr<std::string> t = (*b)->TenantOf(caller, request->service());
    if (!t.ok()) return ToGrpc(t.status());
  }
  for (const AlertView& a : (*b)->ActiveAlerts(caller)) {
    if (!request->service().empty() && a.service != request->service()) {
      continue;
    }
    ToProto(a, response->add_alerts());
  }
  return grpc::Status::OK;
}

grpc::Status SlaServiceImpl::WatchAlerts(
    grpc::ServerContext* context, const v1::WatchAlertsRequest* request,
    grpc::ServerWriter<v1::AlertEvent>* writer) {
  Principal caller;
  absl::StatusOr<Backend*> b = Begin(context, Role::kRead, &caller);
  if (!b.ok()) return ToGrpc(b.status());
  Backend& backend = **b;
  const std::string service = request->service();
  if (!service.empty()) {
    // A service or an application (its objectives alert too).
    absl::StatusOr<std::string> t = backend.TenantOf(caller, service);
    if (!t.ok()) return ToGrpc(t.status());
  }
  // A bounded number of watchers: each holds a server thread.
  if (watchers_.fetch_add(1) >= kMaxWatchers) {
    watchers_.fetch_sub(1);
    return grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        absl::StrCat("too many WatchAlerts streams (max ", kMaxWatchers, ")"));
  }
  struct Leave {
    std::atomic<int>* n;
    ~Leave() { n->fetch_sub(1); }
  } leave{&watchers_};
  auto wanted = [&](const AlertView& a) {
    return caller.InTenant(a.tenant) &&
           (service.empty() || a.service == service);
  };
  // Transitions queue here (from the evaluating thread) and are written
  // from this one, so a slow client never blocks alert evaluation beyond
  // the queue's bound.
  constexpr size_t kMaxQueued = 10000;
  absl::Mutex mu;
  std::deque<AlertView> queue;
  bool overflow = false;
  std::vector<AlertView> current;
  const int subscription = backend.Subscribe(
      [&](const AlertView& a) {
        if (!wanted(a)) return;
        absl::MutexLock lock(&mu);
        if (queue.size() >= kMaxQueued) {
          overflow = true;
          return;
        }
        queue.push_back(a);
      },
      caller, &current);
  // The current alerts first, as transitions from INACTIVE.
  for (const AlertView& a : current) {
    if (!wanted(a)) continue;
    v1::AlertEvent e;
    ToProto(a, e.mutable_alert());
    e.set_from(v1::ALERT_STATE_INACTIVE);
    ToProto(a.since, e.mutable_at());
    if (!writer->Write(e)) break;
  }
  grpc::Status result = grpc::Status::OK;
  while (true) {
    std::deque<AlertView> batch;
    {
      absl::MutexLock lock(&mu);
      // Wake at least every 100 ms to notice cancellation and shutdown.
      mu.AwaitWithTimeout(
          absl::Condition(
              +[](std::deque<AlertView>* q) { return !q->empty(); }, &queue),
          absl::Milliseconds(100));
      batch.swap(queue);
      if (overflow) {
        result = grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                              "the client reads alerts too slowly (over " +
                                  std::to_string(kMaxQueued) + " queued)");
      }
    }
    if (!result.ok() || context->IsCancelled()) break;
    if (stopping_.load()) {
      result = grpc::Status(grpc::StatusCode::UNAVAILABLE, "shutting down");
      break;
    }
    bool written = true;
    for (const AlertView& a : batch) {
      v1::AlertEvent e;
      ToProto(a, e.mutable_alert());
      e.set_from(ToProto(a.from));
      ToProto(a.since, e.mutable_at());
      if (!(written = writer->Write(e))) break;
    }
    if (!written) break;
  }
  backend.Unsubscribe(subscription);
  return result;
}

// ---------------------------------------------------------------- report

grpc::Status SlaServiceImpl::GetReportBody(grpc::ServerContext* context,
                                           const v1::GetReportRequest* request,
                                           v1::GetReportResponse* response) {
  Principal caller;
  absl::StatusOr<Backend*> b = Begin(context, Role::kRead, &caller);
  if (!b.ok()) return ToGrpc(b.status());
  std::string content_type;
  absl::StatusOr<std::string> report =
      (*b)->Report(caller, request->month(), request->format(), &content_type);
  if (!report.ok()) return ToGrpc(report.status());
  response->set_content(*std::move(report));
  response->set_content_type(content_type);
  return grpc::Status::OK;
}

// ---------------------------------------------------------------- limits

grpc::Status SlaServiceImpl::GetStatus(grpc::ServerContext* context,
                                       const v1::GetStatusRequest* request,
                                       v1::GetStatusResponse* response) {
  const absl::Time start = absl::Now();
  return Within(start, GetStatusBody(context, request, response));
}

grpc::Status SlaServiceImpl::QueryAvailability(
    grpc::ServerContext* context, const v1::QueryAvailabilityRequest* request,
    v1::QueryAvailabilityResponse* response) {
  const absl::Time start = absl::Now();
  return Within(start, QueryAvailabilityBody(context, request, response));
}

grpc::Status SlaServiceImpl::GetComposite(
    grpc::ServerContext* context, const v1::GetCompositeRequest* request,
    v1::GetCompositeResponse* response) {
  const absl::Time start = absl::Now();
  return Within(start, GetCompositeBody(context, request, response));
}

grpc::Status SlaServiceImpl::GetReport(grpc::ServerContext* context,
                                       const v1::GetReportRequest* request,
                                       v1::GetReportResponse* response) {
  const absl::Time start = absl::Now();
  return Within(start, GetReportBody(context, request, response));
}

}  // namespace sla::server
