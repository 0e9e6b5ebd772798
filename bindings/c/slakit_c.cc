// bindings/c/slakit_c.cc: the C ABI (bindings/c/slakit.h) over sla::Engine,
// sla::Config and the monthly report. Conversion only: every number comes
// from the engine. Each exported function runs its body inside Guard(),
// which turns an absl::Status into a slakit_status and the thread's last
// error message, and catches every exception.

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <initializer_list>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "bindings/c/slakit.h"
#include "probes/csv_reader.h"
#include "sla/clock.h"
#include "sla/config.h"
#include "sla/engine.h"
#include "sla/objective.h"
#include "sla/report.h"
#include "sla/window.h"

// The handle behind slakit_engine*: the engine, its fixed clock if any, and
// the configuration the report and objective lookups read.
struct slakit_engine {
  slakit_engine(std::unique_ptr<sla::FakeClock> clock,
                const sla::EngineOptions& options)
      : fixed_clock(std::move(clock)), engine(options) {}

  // Declared before `engine`, which points at it: built first, freed last.
  const std::unique_ptr<sla::FakeClock> fixed_clock;  // null: real clock
  sla::Engine engine;

  mutable absl::Mutex mu;
  // The loaded slakit.yaml, plus a service entry for each objective declared
  // with slakit_engine_add_objective (and its ObjectiveRules, defaulted).
  sla::Config config ABSL_GUARDED_BY(mu);
  bool config_loaded ABSL_GUARDED_BY(mu) = false;
};

namespace {

// The calling thread's last message (slakit_last_error).
thread_local std::string last_error;

slakit_status Fail(slakit_status code, const char* function,
                   absl::string_view what) noexcept {
  try {
    last_error = absl::StrCat(function, ": ", what);
  } catch (...) {
    last_error.clear();  // out of memory for the message itself
  }
  return code;
}

// Runs `body` (returning absl::Status) as the exported function `function`.
template <typename Body>
slakit_status Guard(const char* function, Body&& body) noexcept {
  try {
    const absl::Status s = body();
    if (s.ok()) {
      last_error.clear();
      return SLAKIT_OK;
    }
    // absl::StatusCode and slakit_status share their values.
    return Fail(static_cast<slakit_status>(s.code()), function, s.message());
  } catch (const std::bad_alloc&) {
    return Fail(SLAKIT_RESOURCE_EXHAUSTED, function, "out of memory");
  } catch (const std::exception& e) {
    return Fail(SLAKIT_INTERNAL, function,
                absl::StrCat("unexpected exception: ", e.what()));
  } catch (...) {
    return Fail(SLAKIT_INTERNAL, function, "unexpected exception");
  }
}

absl::Status NullError(const char* argument) {
  return absl::InvalidArgumentError(absl::StrCat(argument, " is NULL"));
}

// Wraps every NULL check of an exported function:
//   if (absl::Status s = Required({{engine, "engine"}, ...}); !s.ok()) ...
struct Argument {
  const void* pointer;
  const char* name;
};
absl::Status Required(std::initializer_list<Argument> arguments) {
  for (const Argument& a : arguments) {
    if (a.pointer == nullptr) return NullError(a.name);
  }
  return absl::OkStatus();
}

// The integer a C caller passed as an enum. C lets any int through, while
// C++ may assume that an enum holds only its listed values (UBSan reports a
// load of 9 as a slakit_sli_kind), so the bytes are read, not the enum.
template <typename Enum>
int RawEnum(const Enum& value) {
  static_assert(sizeof(Enum) == sizeof(int), "a C enum is an int");
  int raw;
  std::memcpy(&raw, &value, sizeof raw);
  return raw;
}

absl::string_view OrEmpty(const char* s) {
  return s == nullptr ? absl::string_view() : absl::string_view(s);
}

std::string ObjectiveName(absl::string_view service, absl::string_view name) {
  return absl::StrCat("objective '", service, "/", name, "'");
}

// The objective `name` of `service` in the engine, declaring it from the
// configuration when only the configuration has it.
absl::StatusOr<sla::ObjectiveId> ResolveObjective(slakit_engine& e,
                                                  absl::string_view service,
                                                  absl::string_view name) {
  absl::StatusOr<sla::ObjectiveId> id = e.engine.FindObjective(service, name);
  if (id.ok()) return id;
  std::optional<sla::ObjectiveSpec> spec;
  bool of_application = false;
  {
    absl::ReaderMutexLock lock(&e.mu);
    if (const sla::ServiceConfig* s = e.config.FindService(service)) {
      for (const sla::ObjectiveSpec& o : s->objectives) {
        if (o.name == name) spec = o;
      }
    } else if (const sla::ApplicationConfig* a =
                   e.config.FindApplication(service)) {
      for (const sla::ObjectiveSpec& o : a->objectives) {
        if (o.name == name) of_application = true;
      }
    }
  }
  if (of_application) {
    return absl::UnimplementedError(
        absl::StrCat(ObjectiveName(service, name), ": '", service,
                     "' is an application; the objectives of applications "
                     "are in the monthly report only"));
  }
  if (!spec) {
    return absl::NotFoundError(absl::StrCat(
        ObjectiveName(service, name),
        " is not declared (neither by slakit_engine_add_objective nor in the "
        "loaded configuration)"));
  }
  id = e.engine.AddObjective(*spec);
  if (absl::IsAlreadyExists(id.status())) {
    // Another thread declared it meanwhile.
    return e.engine.FindObjective(service, name);
  }
  return id;
}

slakit_counts ToCounts(const sla::Counts& c) {
  return slakit_counts{c.good, c.total, c.ratio()};
}

// `config`'s objective `name` of service `service`, or null.
const sla::ObjectiveSpec* FindConfigObjective(const sla::Config& config,
                                              absl::string_view service,
                                              absl::string_view name) {
  const sla::ServiceConfig* s = config.FindService(service);
  if (s == nullptr) return nullptr;
  for (const sla::ObjectiveSpec& o : s->objectives) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

// Adds `objective` (and default rules) to `config`'s service of that name,
// creating the service when missing.
void AppendObjective(sla::Config& config, const sla::ObjectiveSpec& objective,
                     const sla::ObjectiveRules& rules) {
  for (sla::ServiceConfig& s : config.services) {
    if (s.name == objective.service) {
      s.objectives.push_back(objective);
      s.rules.push_back(rules);
      return;
    }
  }
  sla::ServiceConfig s;
  s.name = objective.service;
  s.objectives.push_back(objective);
  s.rules.push_back(rules);
  config.services.push_back(std::move(s));
}

// Loads a parsed configuration into `e`, keeping the objectives declared
// with slakit_engine_add_objective. Changes nothing on error.
absl::Status InstallConfig(slakit_engine& e, sla::Config parsed) {
  absl::MutexLock lock(&e.mu);
  if (e.config_loaded) {
    return absl::FailedPreconditionError(
        "a configuration is loaded already (at most one per engine)");
  }
  // Before a configuration, e.config holds only declared objectives.
  for (const sla::ServiceConfig& s : e.config.services) {
    if (parsed.FindApplication(s.name) != nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the configuration declares an application '", s.name,
          "', which has objectives declared by slakit_engine_add_objective"));
    }
    for (size_t i = 0; i < s.objectives.size(); ++i) {
      if (FindConfigObjective(parsed, s.name, s.objectives[i].name) !=
          nullptr) {
        return absl::AlreadyExistsError(
            absl::StrCat(ObjectiveName(s.name, s.objectives[i].name),
                         " is in the configuration and was declared by "
                         "slakit_engine_add_objective"));
      }
      AppendObjective(parsed, s.objectives[i], s.rules[i]);
    }
  }
  e.config = std::move(parsed);
  e.config_loaded = true;
  return absl::OkStatus();
}

// The pooled probe-success SLIs of `service`.
absl::StatusOr<std::vector<sla::SliId>> ProbeSuccessSlis(
    const sla::Engine& engine, absl::string_view service) {
  absl::StatusOr<std::vector<sla::SliId>> all = engine.ServiceSlis(service);
  if (!all.ok()) return all.status();
  std::vector<sla::SliId> ids;
  for (sla::SliId id : *all) {
    absl::StatusOr<sla::SliSpec> spec = engine.GetSli(id);
    if (!spec.ok()) return spec.status();
    if (spec->kind == sla::SliKind::kProbeSuccess) ids.push_back(id);
  }
  if (ids.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "service '", service, "' has no probe-success SLIs; name the probe"));
  }
  return ids;
}

// Renders the monthly report of `month` as `format`.
absl::StatusOr<std::string> RenderReport(slakit_engine& e, const char* month,
                                         const char* format) {
  absl::StatusOr<absl::CivilMonth> m = sla::ParseMonth(month);
  if (!m.ok()) return m.status();
  const absl::string_view f = format;
  if (f != "json" && f != "csv" && f != "md" && f != "html") {
    return absl::InvalidArgumentError(
        absl::StrCat("format '", f, "' is not one of json, csv, md, html"));
  }
  sla::Config config;
  {
    absl::ReaderMutexLock lock(&e.mu);
    config = e.config;
  }
  absl::StatusOr<sla::MonthlyReport> report =
      sla::BuildMonthlyReport(e.engine, config, *m);
  if (!report.ok()) return report.status();
  if (f == "json") return sla::RenderReportJson(*report);
  if (f == "csv") return sla::RenderReportCsv(*report);
  if (f == "md") return sla::RenderReportMarkdown(*report);
  return sla::RenderReportHtml(*report);
}

constexpr int64_t kMinuteMs = 60'000;

}  // namespace

extern "C" {

// ---------------------------------------------------------------- versions

const char* slakit_version(void) { return SLAKIT_VERSION_STRING; }

int slakit_abi_version(void) { return SLAKIT_ABI_VERSION; }

// ---------------------------------------------------------------- errors

const char* slakit_status_name(slakit_status status) {
  switch (RawEnum(status)) {
    case SLAKIT_OK:
      return "OK";
    case SLAKIT_CANCELLED:
      return "CANCELLED";
    case SLAKIT_UNKNOWN:
      return "UNKNOWN";
    case SLAKIT_INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case SLAKIT_DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case SLAKIT_NOT_FOUND:
      return "NOT_FOUND";
    case SLAKIT_ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case SLAKIT_PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case SLAKIT_RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case SLAKIT_FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case SLAKIT_ABORTED:
      return "ABORTED";
    case SLAKIT_OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case SLAKIT_UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case SLAKIT_INTERNAL:
      return "INTERNAL";
    case SLAKIT_UNAVAILABLE:
      return "UNAVAILABLE";
    case SLAKIT_DATA_LOSS:
      return "DATA_LOSS";
    case SLAKIT_UNAUTHENTICATED:
      return "UNAUTHENTICATED";
  }
  return "UNKNOWN";
}

const char* slakit_last_error(void) { return last_error.c_str(); }

// ---------------------------------------------------------------- engine

void slakit_engine_options_init(slakit_engine_options* options) {
  if (options == nullptr) return;
  const sla::EngineOptions defaults;
  options->retention_ms = absl::ToInt64Milliseconds(defaults.retention);
  options->future_tolerance_ms =
      absl::ToInt64Milliseconds(defaults.future_tolerance);
  options->clock_unix_ms = 0;
}

slakit_status slakit_engine_create(const slakit_engine_options* options,
                                   slakit_engine** engine) {
  return Guard("slakit_engine_create", [&]() -> absl::Status {
    if (engine == nullptr) return NullError("engine");
    slakit_engine_options o;
    slakit_engine_options_init(&o);
    if (options != nullptr) o = *options;
    if (o.retention_ms < kMinuteMs) {
      return absl::InvalidArgumentError(absl::StrCat(
          "retention_ms ", o.retention_ms, " is less than one minute (60000)"));
    }
    if (o.future_tolerance_ms < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "future_tolerance_ms ", o.future_tolerance_ms, " is negative"));
    }
    std::unique_ptr<sla::FakeClock> clock;
    sla::EngineOptions eo;
    eo.retention = absl::Milliseconds(o.retention_ms);
    eo.future_tolerance = absl::Milliseconds(o.future_tolerance_ms);
    if (o.clock_unix_ms != 0) {
      clock = std::make_unique<sla::FakeClock>(
          absl::FromUnixMillis(o.clock_unix_ms));
      eo.clock = clock.get();
    }
    *engine = new slakit_engine(std::move(clock), eo);
    return absl::OkStatus();
  });
}

void slakit_engine_destroy(slakit_engine* engine) {
  delete engine;  // ~Engine does not throw
}

slakit_status slakit_engine_set_clock(slakit_engine* engine,
                                      int64_t now_unix_ms) {
  return Guard("slakit_engine_set_clock", [&]() -> absl::Status {
    if (engine == nullptr) return NullError("engine");
    if (engine->fixed_clock == nullptr) {
      return absl::FailedPreconditionError(
          "the engine runs on the real clock (created with clock_unix_ms 0)");
    }
    engine->fixed_clock->Set(absl::FromUnixMillis(now_unix_ms));
    return absl::OkStatus();
  });
}

// ---------------------------------------------------------------- declarations

slakit_status slakit_engine_add_sli(slakit_engine* engine, const char* service,
                                    const char* probe, slakit_sli_kind kind,
                                    double latency_threshold_ms,
                                    slakit_sli_id* id) {
  return Guard("slakit_engine_add_sli", [&]() -> absl::Status {
    if (absl::Status s = Required(
            {{engine, "engine"}, {service, "service"}, {probe, "probe"}});
        !s.ok()) {
      return s;
    }
    sla::SliSpec spec;
    spec.service = service;
    spec.name = probe;
    switch (RawEnum(kind)) {
      case SLAKIT_SLI_PROBE_SUCCESS:
        spec.kind = sla::SliKind::kProbeSuccess;
        break;
      case SLAKIT_SLI_LATENCY:
        spec.kind = sla::SliKind::kLatencyThreshold;
        spec.latency_threshold_ms = latency_threshold_ms;
        break;
      case SLAKIT_SLI_EVENT_RATIO:
        spec.kind = sla::SliKind::kEventRatio;
        break;
      default:
        return absl::InvalidArgumentError(
            absl::StrCat("SLI '", service, "/", probe, "': kind ",
                         RawEnum(kind), " is not a slakit_sli_kind"));
    }
    absl::StatusOr<sla::SliId> added = engine->engine.AddSli(spec);
    if (!added.ok()) return added.status();
    if (id != nullptr) *id = *added;
    return absl::OkStatus();
  });
}

slakit_status slakit_engine_find_sli(const slakit_engine* engine,
                                     const char* service, const char* probe,
                                     slakit_sli_id* id) {
  return Guard("slakit_engine_find_sli", [&]() -> absl::Status {
    if (absl::Status s = Required({{engine, "engine"},
                                   {service, "service"},
                                   {probe, "probe"},
                                   {id, "id"}});
        !s.ok()) {
      return s;
    }
    absl::StatusOr<sla::SliId> found = engine->engine.FindSli(service, probe);
    if (!found.ok()) return found.status();
    *id = *found;
    return absl::OkStatus();
  });
}

slakit_status slakit_engine_add_objective(slakit_engine* engine,
                                          const slakit_objective* objective) {
  return Guard("slakit_engine_add_objective", [&]() -> absl::Status {
    if (absl::Status s =
            Required({{engine, "engine"}, {objective, "objective"}});
        !s.ok()) {
      return s;
    }
    if (absl::Status s = Required({{objective->service, "objective->service"},
                                   {objective->name, "objective->name"}});
        !s.ok()) {
      return s;
    }
    const std::string where =
        ObjectiveName(objective->service, objective->name);
    sla::ObjectiveSpec spec;
    spec.service = objective->service;
    spec.name = objective->name;
    if (!OrEmpty(objective->probe).empty()) spec.slis = {objective->probe};
    spec.target_percent = objective->target_percent;
    spec.window = OrEmpty(objective->window).empty() ? std::string("30d")
                                                     : objective->window;
    switch (RawEnum(objective->method)) {
      case SLAKIT_BUDGETING_OCCURRENCES:
        spec.method = sla::BudgetingMethod::kOccurrences;
        break;
      case SLAKIT_BUDGETING_TIMESLICES:
        spec.method = sla::BudgetingMethod::kTimeslices;
        break;
      case SLAKIT_BUDGETING_RATIO_TIMESLICES:
        spec.method = sla::BudgetingMethod::kRatioTimeslices;
        break;
      default:
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": method ", RawEnum(objective->method),
                         " is not a slakit_budgeting"));
    }
    if (objective->slice_minutes < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": slice_minutes ", objective->slice_minutes, " is negative"));
    }
    spec.slice = absl::Minutes(
        objective->slice_minutes == 0 ? 1 : objective->slice_minutes);
    spec.slice_threshold =
        objective->slice_threshold == 0 ? 1.0 : objective->slice_threshold;

    absl::MutexLock lock(&engine->mu);
    if (FindConfigObjective(engine->config, spec.service, spec.name) !=
        nullptr) {
      return absl::AlreadyExistsError(
          absl::StrCat(where, " is declared already"));
    }
    if (engine->config.FindApplication(spec.service) != nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": '", spec.service,
          "' is an application of the configuration, not a service"));
    }
    absl::StatusOr<sla::ObjectiveId> id = engine->engine.AddObjective(spec);
    if (!id.ok()) return id.status();
    AppendObjective(engine->config, spec, sla::ObjectiveRules());
    return absl::OkStatus();
  });
}

slakit_status slakit_engine_load_config(slakit_engine* engine, const char* yaml,
                                        const char* source) {
  return Guard("slakit_engine_load_config", [&]() -> absl::Status {
    if (absl::Status s = Required({{engine, "engine"}, {yaml, "yaml"}});
        !s.ok()) {
      return s;
    }
    absl::StatusOr<sla::Config> parsed = sla::ParseConfig(
        yaml, source == nullptr ? absl::string_view("slakit.yaml") : source);
    if (!parsed.ok()) return parsed.status();
    return InstallConfig(*engine, *std::move(parsed));
  });
}

slakit_status slakit_engine_load_config_file(slakit_engine* engine,
                                             const char* path) {
  return Guard("slakit_engine_load_config_file", [&]() -> absl::Status {
    if (absl::Status s = Required({{engine, "engine"}, {path, "path"}});
        !s.ok()) {
      return s;
    }
    absl::StatusOr<sla::Config> parsed = sla::LoadConfig(path);
    if (!parsed.ok()) return parsed.status();
    return InstallConfig(*engine, *std::move(parsed));
  });
}

// ---------------------------------------------------------------- ingest

slakit_status slakit_engine_ingest(slakit_engine* engine,
                                   const slakit_result* results, size_t count) {
  return Guard("slakit_engine_ingest", [&]() -> absl::Status {
    if (engine == nullptr) return NullError("engine");
    if (results == nullptr && count != 0) return NullError("results");
    std::vector<sla::ProbeResult> batch(count);
    for (size_t i = 0; i < count; ++i) {
      batch[i] = {results[i].sli, results[i].unix_ms, results[i].ok != 0,
                  results[i].latency_ms};
    }
    return engine->engine.Ingest(batch);
  });
}

slakit_status slakit_engine_ingest_named(slakit_engine* engine,
                                         const slakit_named_result* results,
                                         size_t count) {
  return Guard("slakit_engine_ingest_named", [&]() -> absl::Status {
    if (engine == nullptr) return NullError("engine");
    if (results == nullptr && count != 0) return NullError("results");
    for (size_t i = 0; i < count; ++i) {
      if (results[i].service == nullptr || results[i].probe == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(
            "record ", i, ": ",
            results[i].service == nullptr ? "service" : "probe", " is NULL"));
      }
    }
    // "service\0probe" -> id, so each name pair is looked up once.
    absl::flat_hash_map<std::string, sla::SliId> ids;
    std::vector<sla::ProbeResult> batch(count);
    for (size_t i = 0; i < count; ++i) {
      const slakit_named_result& r = results[i];
      std::string key =
          absl::StrCat(r.service, absl::string_view("\0", 1), r.probe);
      auto it = ids.find(key);
      if (it == ids.end()) {
        absl::StatusOr<sla::SliId> id =
            engine->engine.FindSli(r.service, r.probe);
        if (absl::IsNotFound(id.status())) {
          sla::SliSpec spec;
          spec.service = r.service;
          spec.name = r.probe;
          id = engine->engine.AddSli(spec);
          if (absl::IsAlreadyExists(id.status())) {  // declared meanwhile
            id = engine->engine.FindSli(r.service, r.probe);
          }
        }
        if (!id.ok()) {
          return absl::Status(
              id.status().code(),
              absl::StrCat("record ", i, ": ", id.status().message()));
        }
        it = ids.emplace(std::move(key), *id).first;
      }
      batch[i] = {it->second, r.unix_ms, r.ok != 0, r.latency_ms};
    }
    return engine->engine.Ingest(batch);
  });
}

slakit_status slakit_engine_ingest_events(slakit_engine* engine,
                                          const slakit_event* events,
                                          size_t count) {
  return Guard("slakit_engine_ingest_events", [&]() -> absl::Status {
    if (engine == nullptr) return NullError("engine");
    if (events == nullptr && count != 0) return NullError("events");
    std::vector<sla::EventCount> batch(count);
    for (size_t i = 0; i < count; ++i) {
      batch[i] = {events[i].sli, events[i].unix_ms, events[i].good,
                  events[i].total};
    }
    return engine->engine.IngestEvents(batch);
  });
}

slakit_status slakit_engine_ingest_csv(slakit_engine* engine, const char* path,
                                       size_t* rows) {
  return Guard("slakit_engine_ingest_csv", [&]() -> absl::Status {
    if (absl::Status s = Required({{engine, "engine"}, {path, "path"}});
        !s.ok()) {
      return s;
    }
    absl::StatusOr<sla::probes::ProbeTable> table =
        sla::probes::ReadProbeCsv(path);
    if (!table.ok()) return table.status();
    absl::StatusOr<std::vector<sla::SliId>> ids =
        sla::probes::BindProbeTable(engine->engine, *table);
    if (!ids.ok()) return ids.status();
    if (absl::Status s = engine->engine.Ingest(table->rows); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat(path, ": ", s.message()));
    }
    if (rows != nullptr) *rows = table->rows.size();
    return absl::OkStatus();
  });
}

// ---------------------------------------------------------------- queries

slakit_status slakit_engine_query(const slakit_engine* engine,
                                  const char* service, const char* probe,
                                  int64_t from_unix_ms, int64_t to_unix_ms,
                                  slakit_counts* counts) {
  return Guard("slakit_engine_query", [&]() -> absl::Status {
    if (absl::Status s = Required(
            {{engine, "engine"}, {service, "service"}, {counts, "counts"}});
        !s.ok()) {
      return s;
    }
    std::vector<sla::SliId> slis;
    if (OrEmpty(probe).empty()) {
      absl::StatusOr<std::vector<sla::SliId>> all =
          ProbeSuccessSlis(engine->engine, service);
      if (!all.ok()) return all.status();
      slis = *std::move(all);
    } else {
      absl::StatusOr<sla::SliId> id = engine->engine.FindSli(service, probe);
      if (!id.ok()) return id.status();
      slis.push_back(*id);
    }
    sla::Interval interval{absl::FromUnixMillis(from_unix_ms),
                           absl::FromUnixMillis(to_unix_ms)};
    if (interval.empty()) interval.to = interval.from;
    absl::StatusOr<sla::Counts> c = engine->engine.QuerySum(slis, interval);
    if (!c.ok()) return c.status();
    *counts = ToCounts(*c);
    return absl::OkStatus();
  });
}

slakit_status slakit_engine_budget(slakit_engine* engine, const char* service,
                                   const char* objective, int64_t at_unix_ms,
                                   slakit_budget* budget) {
  return Guard("slakit_engine_budget", [&]() -> absl::Status {
    if (absl::Status s = Required({{engine, "engine"},
                                   {service, "service"},
                                   {objective, "objective"},
                                   {budget, "budget"}});
        !s.ok()) {
      return s;
    }
    absl::StatusOr<sla::ObjectiveId> id =
        ResolveObjective(*engine, service, objective);
    if (!id.ok()) return id.status();
    absl::StatusOr<sla::ObjectiveStatus> st =
        engine->engine.Evaluate(*id, absl::FromUnixMillis(at_unix_ms));
    if (!st.ok()) return st.status();
    const sla::BudgetNumbers& b = st->budget;
    *budget = slakit_budget{absl::ToUnixMillis(st->window.from),
                            absl::ToUnixMillis(st->window.to),
                            b.good,
                            b.total,
                            b.bad,
                            b.availability,
                            b.allowed_bad,
                            b.consumed,
                            b.remaining};
    return absl::OkStatus();
  });
}

slakit_status slakit_engine_burn_rates(slakit_engine* engine,
                                       const char* service,
                                       const char* objective,
                                       int64_t at_unix_ms,
                                       const char* const* windows, size_t count,
                                       double* rates, slakit_counts* counts) {
  return Guard("slakit_engine_burn_rates", [&]() -> absl::Status {
    if (absl::Status s = Required({{engine, "engine"},
                                   {service, "service"},
                                   {objective, "objective"}});
        !s.ok()) {
      return s;
    }
    if (count != 0) {
      if (absl::Status s = Required({{windows, "windows"}, {rates, "rates"}});
          !s.ok()) {
        return s;
      }
    }
    std::vector<absl::Duration> lengths(count);
    for (size_t k = 0; k < count; ++k) {
      const std::string where = absl::StrCat("windows[", k, "]");
      if (windows[k] == nullptr) return NullError(where.c_str());
      absl::StatusOr<absl::Duration> d = sla::ParseDuration(windows[k]);
      if (!d.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": ", d.status().message()));
      }
      absl::Duration rest;
      if (absl::IDivDuration(*d, absl::Minutes(1), &rest) <= 0 ||
          rest != absl::ZeroDuration()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": '", windows[k],
                         "' is not a positive whole number of minutes"));
      }
      lengths[k] = *d;
    }
    absl::StatusOr<sla::ObjectiveId> id =
        ResolveObjective(*engine, service, objective);
    if (!id.ok()) return id.status();
    absl::StatusOr<sla::BurnRates> burn = engine->engine.BurnRatesAt(
        *id, absl::FromUnixMillis(at_unix_ms), lengths);
    if (!burn.ok()) return burn.status();
    for (size_t k = 0; k < count; ++k) {
      rates[k] = burn->rates[k];
      if (counts != nullptr) counts[k] = ToCounts(burn->counts[k]);
    }
    return absl::OkStatus();
  });
}

// ---------------------------------------------------------------- report

slakit_status slakit_engine_report(slakit_engine* engine, const char* month,
                                   const char* format, char* buffer,
                                   size_t buffer_size, size_t* length) {
  return Guard("slakit_engine_report", [&]() -> absl::Status {
    if (absl::Status s = Required(
            {{engine, "engine"}, {month, "month"}, {format, "format"}});
        !s.ok()) {
      return s;
    }
    if (buffer == nullptr && buffer_size != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("buffer is NULL but buffer_size is ", buffer_size));
    }
    absl::StatusOr<std::string> text = RenderReport(*engine, month, format);
    if (!text.ok()) return text.status();
    if (length != nullptr) *length = text->size();
    if (buffer_size <= text->size()) {
      return absl::ResourceExhaustedError(
          absl::StrCat("the report needs a buffer of ", text->size() + 1,
                       " bytes (with its NUL); buffer_size is ", buffer_size));
    }
    std::memcpy(buffer, text->data(), text->size());
    buffer[text->size()] = '\0';
    return absl::OkStatus();
  });
}

slakit_status slakit_engine_report_alloc(slakit_engine* engine,
                                         const char* month, const char* format,
                                         char** report, size_t* length) {
  return Guard("slakit_engine_report_alloc", [&]() -> absl::Status {
    if (absl::Status s = Required({{engine, "engine"},
                                   {month, "month"},
                                   {format, "format"},
                                   {report, "report"}});
        !s.ok()) {
      return s;
    }
    absl::StatusOr<std::string> text = RenderReport(*engine, month, format);
    if (!text.ok()) return text.status();
    char* out = static_cast<char*>(std::malloc(text->size() + 1));
    if (out == nullptr) throw std::bad_alloc();
    std::memcpy(out, text->data(), text->size());
    out[text->size()] = '\0';
    *report = out;
    if (length != nullptr) *length = text->size();
    return absl::OkStatus();
  });
}

void slakit_free(void* memory) { std::free(memory); }

}  // extern "C"
