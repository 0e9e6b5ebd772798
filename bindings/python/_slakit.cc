// bindings/python/_slakit.cc: the native half of `import slakit`
// (slakit._slakit), a thin pybind11 layer over the engine.
//
// It converts and forwards; the Python facade (bindings/python/slakit/)
// holds the documented API, turns datetimes into epoch milliseconds and
// wraps results in dataclasses. Everything here speaks integers:
//
//   import slakit._slakit as native
//   e = native.Engine(35 * 86_400_000, 300_000)  # retention, tolerance (ms)
//   e.ingest([("web", "home", 1704067200000, True, 42.0)], to_ms)
//   e.query(e.service_slis("web", "probe_success"), 1704067200000,
//           1704067260000)                       # -> (1, 1)
//
// Errors: every failed absl::Status becomes the exception that the
// facade's factory (set_error_factory) builds from the code name
// ("INVALID_ARGUMENT") and the message; without a factory, RuntimeError.
//
// The GIL is released around the calls that may take long: CSV loading,
// ingest of a converted batch, range sums of an application's minutes
// (observe, application budgets) and reports. Engine is thread-safe (see
// sla/engine.h); Config is immutable once parsed.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "probes/csv_reader.h"
#include "sla/alerting.h"
#include "sla/composite.h"
#include "sla/config.h"
#include "sla/engine.h"
#include "sla/objective.h"
#include "sla/report.h"
#include "sla/window.h"

namespace py = pybind11;

namespace sla {
namespace python {
namespace {

// ---------------------------------------------------------------- errors

// A failed status on its way to Python.
class StatusError : public std::exception {
 public:
  explicit StatusError(absl::Status status)
      : status_(std::move(status)), what_(status_.ToString()) {}
  const absl::Status& status() const { return status_; }
  const char* what() const noexcept override { return what_.c_str(); }

 private:
  absl::Status status_;
  std::string what_;
};

void ThrowIfError(const absl::Status& s) {
  if (!s.ok()) throw StatusError(s);
}

template <typename T>
T ValueOrThrow(absl::StatusOr<T> v) {
  if (!v.ok()) throw StatusError(v.status());
  return *std::move(v);
}

// A bad row of an ingest call: "results[3]: ok: expected a bool or 0/1".
absl::Status Invalid(size_t index, absl::string_view what,
                     absl::string_view rows = "results") {
  return absl::InvalidArgumentError(
      absl::StrCat(rows, "[", index, "]: ", what));
}

// A str row field as UTF-8; InvalidArgument (not pybind11's RuntimeError)
// for one that has none, such as a lone surrogate ("w\udcff").
std::string Utf8(const py::handle& field, size_t index, const char* name) {
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(field.ptr(), &size);
  if (data == nullptr) {
    PyErr_Clear();
    ThrowIfError(Invalid(index, absl::StrCat(name,
                                             ": not encodable as UTF-8 "
                                             "(a lone surrogate?)")));
  }
  return std::string(data, static_cast<size_t>(size));
}

// (code name, message) -> exception instance; set by the facade. Never
// released: it lives as long as the interpreter (a static py::object would
// be destroyed after the interpreter at exit).
PyObject* error_factory = nullptr;

void SetErrorFactory(py::object factory) {
  Py_XDECREF(error_factory);
  error_factory = factory.release().ptr();
}

// By value: pybind11's translator signature.
void TranslateStatusError(std::exception_ptr p) {  // NOLINT
  try {
    if (p) std::rethrow_exception(p);
  } catch (const StatusError& e) {
    const std::string code = absl::StatusCodeToString(e.status().code());
    const std::string message(e.status().message());
    if (error_factory == nullptr) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
      return;
    }
    try {
      py::object exc =
          py::reinterpret_borrow<py::object>(error_factory)(code, message);
      PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())),
                      exc.ptr());
    } catch (py::error_already_set& factory_error) {
      factory_error.restore();
    }
  }
}

// ---------------------------------------------------------------- values

absl::Time FromMs(int64_t ms) { return absl::FromUnixMillis(ms); }

int64_t ToMs(absl::Time t) { return absl::ToUnixMillis(t); }

// [floor(from), floor(to)) to the minute; InvalidArgument when empty.
Interval MinuteInterval(int64_t from_ms, int64_t to_ms) {
  Interval i{FloorToMinute(FromMs(from_ms)), FloorToMinute(FromMs(to_ms))};
  if (i.empty()) {
    throw StatusError(absl::InvalidArgumentError(
        absl::StrCat("interval [", TimeToString(FromMs(from_ms)), ", ",
                     TimeToString(FromMs(to_ms)),
                     ") holds no whole minute (start must be before end)")));
  }
  return i;
}

SliKind ParseSliKind(const std::string& text) {
  for (SliKind k : {SliKind::kProbeSuccess, SliKind::kLatencyThreshold,
                    SliKind::kEventRatio}) {
    if (text == SliKindName(k)) return k;
  }
  throw StatusError(absl::InvalidArgumentError(
      absl::StrCat("SLI kind '", text,
                   "' is not one of probe_success, latency_threshold, "
                   "event_ratio")));
}

py::dict BudgetDict(const BudgetNumbers& b) {
  py::dict d;
  d["good"] = b.good;
  d["total"] = b.total;
  d["bad"] = b.bad;
  d["availability"] = b.availability;
  d["allowed_bad"] = b.allowed_bad;
  d["consumed"] = b.consumed;
  d["remaining"] = b.remaining;
  return d;
}

py::dict ObjectiveDict(const ObjectiveSpec& s) {
  py::dict d;
  d["service"] = s.service;
  d["name"] = s.name;
  d["slis"] = s.slis;
  d["target_percent"] = s.target_percent;
  d["window"] = s.window;
  d["budgeting"] = std::string(BudgetingMethodName(s.method));
  d["slice_ms"] = absl::ToInt64Milliseconds(s.slice);
  d["slice_threshold"] = s.slice_threshold;
  d["alerting"] = s.alerting;
  return d;
}

py::dict OwnerDict(const OwnerAttribution& o) {
  py::dict d;
  d["sole"] = o.sole_intervals;
  d["shared"] = o.shared_intervals;
  d["exclusive"] = o.exclusive_intervals;
  return d;
}

// ---------------------------------------------------------------- config

// A parsed slakit.yaml, shared by the engines that use it. Immutable, so
// thread-safe; copies share the one Config.
class PyConfig {
 public:
  explicit PyConfig(Config config)
      : config_(std::make_shared<const Config>(std::move(config))) {}

  static PyConfig Parse(const std::string& text, const std::string& source) {
    return PyConfig(ValueOrThrow(ParseConfig(text, source)));
  }
  static PyConfig Load(const std::string& path) {
    return PyConfig(ValueOrThrow(LoadConfig(path)));
  }

  const Config& get() const { return *config_; }
  std::shared_ptr<const Config> shared() const { return config_; }

  std::string timezone() const { return config_->timezone; }

  py::list Services() const {
    py::list out;
    for (const ServiceConfig& s : config_->services) {
      py::dict d;
      d["name"] = s.name;
      d["tenant"] = s.tenant;
      d["owner"] = std::string(OwnerName(s.owner));
      d["catalog"] = s.catalog_id;
      if (s.contract.has_value()) {
        d["commitment_percent"] = s.contract->commitment_percent;
      } else {
        d["commitment_percent"] = py::none();
      }
      py::list objectives;
      for (const ObjectiveSpec& o : s.objectives) {
        objectives.append(ObjectiveDict(o));
      }
      d["objectives"] = objectives;
      std::vector<std::string> probes;
      for (const ProbeConfig& p : s.probes) probes.push_back(p.name);
      d["probes"] = probes;
      out.append(d);
    }
    return out;
  }

  py::list Applications() const {
    py::list out;
    for (const ApplicationConfig& a : config_->applications) {
      py::dict d;
      d["name"] = a.name;
      d["tenant"] = a.tenant;
      d["expression"] = a.components.ToString();
      d["components"] = a.components.Components();
      py::list objectives;
      for (const ObjectiveSpec& o : a.objectives) {
        objectives.append(ObjectiveDict(o));
      }
      d["objectives"] = objectives;
      out.append(d);
    }
    return out;
  }

 private:
  std::shared_ptr<const Config> config_;
};

const ApplicationConfig& FindApplication(const Config& config,
                                         const std::string& name) {
  const ApplicationConfig* app = config.FindApplication(name);
  if (app == nullptr) {
    throw StatusError(absl::NotFoundError(
        absl::StrCat("application '", name, "' is not in the configuration")));
  }
  return *app;
}

// The composite minutes of an application over [from, to), attributed;
// at most 400 days (a state and a count per minute are held meanwhile).
// Runs without the GIL.
Attribution Observe(const Engine& engine, const Config& config,
                    const ApplicationConfig& app, const Interval& interval) {
  if (interval.length() > absl::Hours(24 * 400)) {
    throw StatusError(absl::InvalidArgumentError(absl::StrCat(
        "application '", app.name, "': [", TimeToString(interval.from), ", ",
        TimeToString(interval.to), ") is longer than 400 days")));
  }
  absl::StatusOr<Attribution> a;
  {
    py::gil_scoped_release release;
    a = ObserveApplication(engine, config, app, interval);
  }
  return ValueOrThrow(std::move(a));
}

// ---------------------------------------------------------------- engine

// An engine (sla::Engine) and the conversions of its calls. Thread-safe as
// sla::Engine is; not copyable (pybind11 holds it by unique_ptr).
class PyEngine {
 public:
  PyEngine(int64_t retention_ms, int64_t future_tolerance_ms)
      : engine_(Options(retention_ms, future_tolerance_ms)) {}

  // ---- declarations

  SliId AddSli(const std::string& service, const std::string& name,
               const std::string& kind, double latency_threshold_ms) {
    SliSpec spec;
    spec.service = service;
    spec.name = name;
    spec.kind = ParseSliKind(kind);
    spec.latency_threshold_ms = latency_threshold_ms;
    for (const std::string* n : {&spec.service, &spec.name}) {
      if (absl::Status s = CheckNameText(*n); !s.ok()) {
        ThrowIfError(absl::InvalidArgumentError(
            absl::StrCat(n == &spec.service ? "service" : "name", " '",
                         absl::CHexEscape(*n), "': ", s.message())));
      }
    }
    return ValueOrThrow(engine_.AddSli(spec));
  }

  SliId FindSli(const std::string& service, const std::string& name) const {
    return ValueOrThrow(engine_.FindSli(service, name));
  }

  py::tuple GetSli(SliId id) const {
    const SliSpec s = ValueOrThrow(engine_.GetSli(id));
    return py::make_tuple(s.service, s.name, std::string(SliKindName(s.kind)),
                          s.latency_threshold_ms);
  }

  // The SLIs of a service, sorted by name; only those of `kind` unless "".
  std::vector<SliId> ServiceSlis(const std::string& service,
                                 const std::string& kind) const {
    std::vector<SliId> ids = ValueOrThrow(engine_.ServiceSlis(service));
    if (kind.empty()) return ids;
    const SliKind want = ParseSliKind(kind);
    std::vector<SliId> out;
    for (SliId id : ids) {
      if (ValueOrThrow(engine_.GetSli(id)).kind == want) out.push_back(id);
    }
    return out;
  }

  std::vector<std::string> Services() const { return engine_.Services(); }

  ObjectiveId AddObjective(const std::string& service, const std::string& name,
                           std::vector<std::string> slis, double target_percent,
                           const std::string& window,
                           const std::string& budgeting, int64_t slice_ms,
                           double slice_threshold, bool alerting) {
    ObjectiveSpec spec;
    spec.service = service;
    spec.name = name;
    spec.slis = std::move(slis);
    spec.target_percent = target_percent;
    spec.window = window;
    spec.method = ValueOrThrow(ParseBudgetingMethod(budgeting));
    spec.slice = absl::Milliseconds(slice_ms);
    spec.slice_threshold = slice_threshold;
    spec.alerting = alerting;
    return ValueOrThrow(engine_.AddObjective(spec));
  }

  py::dict GetObjective(const std::string& service,
                        const std::string& name) const {
    const ObjectiveId id = ValueOrThrow(engine_.FindObjective(service, name));
    return ObjectiveDict(ValueOrThrow(engine_.GetObjective(id)));
  }

  // ---- ingest

  // rows: a sequence of (service, probe, time, ok[, latency_ms]) or
  // (sli_id, time, ok[, latency_ms]); a time that is not an int goes
  // through to_ms. SLIs named by (service, probe) are declared as probe
  // success SLIs when missing (even if the batch is then rejected).
  // All or nothing; returns the number of results.
  size_t Ingest(const py::sequence& rows, const py::object& to_ms) {
    const size_t n = py::len(rows);
    std::vector<ProbeResult> results(n);
    // (service, probe) named in the batch -> index into `names`; rows that
    // name one hold that index in `sli` until the names are resolved.
    absl::flat_hash_map<std::pair<std::string, std::string>, uint32_t> index;
    std::vector<std::pair<std::string, std::string>> names;
    std::vector<uint8_t> named(n, 0);
    for (size_t i = 0; i < n; ++i) {
      const py::object row = rows[i];
      if (!py::isinstance<py::sequence>(row) || py::isinstance<py::str>(row)) {
        ThrowIfError(
            Invalid(i,
                    "expected a tuple (service, probe, time, ok[, latency_ms]) "
                    "or (sli_id, time, ok[, latency_ms])"));
      }
      const py::sequence r = py::reinterpret_borrow<py::sequence>(row);
      const size_t len = py::len(r);
      size_t k = 0;
      ProbeResult& out = results[i];
      if (len >= 1 && py::isinstance<py::str>(r[0])) {
        if (len != 4 && len != 5) {
          ThrowIfError(
              Invalid(i, absl::StrCat("expected (service, probe, time, ok[, "
                                      "latency_ms]), got ",
                                      len, " fields")));
        }
        if (!py::isinstance<py::str>(r[1])) {
          ThrowIfError(Invalid(i, "probe: expected a str"));
        }
        auto key =
            std::make_pair(Utf8(r[0], i, "service"), Utf8(r[1], i, "probe"));
        auto [it, inserted] =
            index.emplace(key, static_cast<uint32_t>(names.size()));
        if (inserted) names.push_back(std::move(key));
        out.sli = it->second;
        named[i] = 1;
        k = 2;
      } else {
        if (len != 3 && len != 4) {
          ThrowIfError(Invalid(
              i, absl::StrCat("expected (sli_id, time, ok[, latency_ms]), "
                              "got ",
                              len, " fields")));
        }
        out.sli = Int<SliId>(r[0], i, "sli_id");
        k = 1;
      }
      out.unix_ms = Time(r[k], to_ms, i);
      out.ok = Bool(r[k + 1], i, "ok");
      out.latency_ms = k + 2 < len ? Double(r[k + 2], i, "latency_ms") : 0.0;
    }
    absl::Status status;
    {
      py::gil_scoped_release release;
      status = ResolveAndIngest(names, named, absl::MakeSpan(results));
    }
    ThrowIfError(status);
    return n;
  }

  // rows: (service, sli, time, good, total) or (sli_id, time, good, total)
  // for event-ratio SLIs, which must be declared. All or nothing.
  size_t IngestEvents(const py::sequence& rows, const py::object& to_ms) {
    const size_t n = py::len(rows);
    std::vector<EventCount> events(n);
    for (size_t i = 0; i < n; ++i) {
      const py::object row = rows[i];
      if (!py::isinstance<py::sequence>(row) || py::isinstance<py::str>(row)) {
        ThrowIfError(Invalid(i,
                             "expected a tuple (service, sli, time, good, "
                             "total) or (sli_id, time, good, total)",
                             "events"));
      }
      const py::sequence r = py::reinterpret_borrow<py::sequence>(row);
      const size_t len = py::len(r);
      size_t k = 0;
      EventCount& out = events[i];
      if (len == 5 && py::isinstance<py::str>(r[0])) {
        if (!py::isinstance<py::str>(r[1])) {
          ThrowIfError(Invalid(i, "sli: expected a str", "events"));
        }
        out.sli = ValueOrThrow(engine_.FindSli(r[0].cast<std::string>(),
                                               r[1].cast<std::string>()));
        k = 2;
      } else if (len == 4) {
        out.sli = Int<SliId>(r[0], i, "sli_id", "events");
        k = 1;
      } else {
        ThrowIfError(Invalid(i,
                             "expected (service, sli, time, good, total) or "
                             "(sli_id, time, good, total)",
                             "events"));
      }
      out.unix_ms = Time(r[k], to_ms, i, "events");
      out.good = Int<int64_t>(r[k + 1], i, "good", "events");
      out.total = Int<int64_t>(r[k + 2], i, "total", "events");
    }
    absl::Status status;
    {
      py::gil_scoped_release release;
      status = engine_.IngestEvents(events);
    }
    ThrowIfError(status);
    return n;
  }

  // Reads a probe CSV (probes/csv_reader.h) and ingests it in one batch:
  // the whole file or nothing. Returns the number of results.
  size_t LoadCsv(const std::string& path) {
    absl::StatusOr<size_t> rows;
    {
      py::gil_scoped_release release;
      rows = LoadCsvUnlocked(path);
    }
    return ValueOrThrow(std::move(rows));
  }

  std::optional<int64_t> NewestMs() const {
    const absl::Time t = engine_.newest();
    if (t == absl::InfinitePast()) return std::nullopt;
    return ToMs(t);
  }

  // ---- queries

  py::tuple Query(const std::vector<SliId>& slis, int64_t from_ms,
                  int64_t to_ms) const {
    const Interval i{FromMs(from_ms), FromMs(to_ms)};
    const Counts c = ValueOrThrow(engine_.QuerySum(slis, i));
    return py::make_tuple(c.good, c.total);
  }

  // The budget of objective `name` of `service` (or of an application) as
  // of `at`: the objective declared in this engine, else the config's.
  py::dict Evaluate(const std::string& service, const std::string& name,
                    int64_t at_ms, const std::optional<PyConfig>& config) {
    const absl::Time at = FromMs(at_ms);
    const Found f = FindObjective(service, name, config);
    py::dict d;
    if (f.app != nullptr) {
      const Window w = ValueOrThrow(Window::Parse(f.spec->window));
      const Target target =
          ValueOrThrow(Target::FromPercent(f.spec->target_percent));
      const Interval window = w.ResolveAsOf(at);
      const Attribution a =
          Observe(engine_, config->get(), *f.app, NonEmpty(window));
      d = BudgetDict(ComputeBudget(a.observation.counts(), target));
      d["from_ms"] = ToMs(window.from);
      d["to_ms"] = ToMs(window.to);
      d["budgeting"] = "Occurrences";
      d["target_percent"] = f.spec->target_percent;
      return d;
    }
    ObjectiveStatus st;
    double target_percent = 0;
    if (f.id.has_value()) {
      st = ValueOrThrow(engine_.Evaluate(*f.id, at));
      target_percent = ValueOrThrow(engine_.GetObjective(*f.id)).target_percent;
    } else {
      st = ValueOrThrow(engine_.EvaluateSpec(*f.spec, at));
      target_percent = f.spec->target_percent;
    }
    d = BudgetDict(st.budget);
    d["from_ms"] = ToMs(st.window.from);
    d["to_ms"] = ToMs(st.window.to);
    d["budgeting"] = std::string(BudgetingMethodName(st.method));
    d["target_percent"] = target_percent;
    return d;
  }

  // Burn rates over [at - w, at) for each window ("5m", "1h"), as
  // (rate, good, total), in the order given.
  std::vector<std::tuple<double, int64_t, int64_t>> BurnRates(
      const std::string& service, const std::string& name, int64_t at_ms,
      const std::vector<std::string>& windows,
      const std::optional<PyConfig>& config) {
    const absl::Time at = FromMs(at_ms);
    std::vector<absl::Duration> durations;
    durations.reserve(windows.size());
    for (const std::string& w : windows) {
      durations.push_back(ValueOrThrow(ParseDuration(w)));
    }
    const Found f = FindObjective(service, name, config);
    std::vector<std::tuple<double, int64_t, int64_t>> out;
    if (f.app != nullptr) {
      const Target target =
          ValueOrThrow(Target::FromPercent(f.spec->target_percent));
      for (absl::Duration d : durations) {
        ThrowIfError(Window::Rolling(d).status());
        const absl::Time end = FloorToMinute(at);
        const Attribution a =
            Observe(engine_, config->get(), *f.app, Interval{end - d, end});
        const Counts c = a.observation.counts();
        out.emplace_back(BurnRate(c, target), c.good, c.total);
      }
      return out;
    }
    const sla::BurnRates rates =
        f.id.has_value()
            ? ValueOrThrow(engine_.BurnRatesAt(*f.id, at, durations))
            : ValueOrThrow(engine_.BurnRatesOfSpec(*f.spec, at, durations));
    for (size_t i = 0; i < rates.rates.size(); ++i) {
      out.emplace_back(rates.rates[i], rates.counts[i].good,
                       rates.counts[i].total);
    }
    return out;
  }

  // An application of `config` over [from, to), minutes attributed.
  py::dict ObserveApp(const PyConfig& config, const std::string& application,
                      int64_t from_ms, int64_t to_ms) const {
    const ApplicationConfig& app = FindApplication(config.get(), application);
    const Interval interval = MinuteInterval(from_ms, to_ms);
    const Attribution a = Observe(engine_, config.get(), app, interval);
    const CompositeObservation& o = a.observation;
    py::dict d;
    d["expression"] = app.components.ToString();
    d["from_ms"] = ToMs(interval.from);
    d["to_ms"] = ToMs(interval.to);
    d["minutes"] = o.intervals;
    d["up"] = o.up_intervals;
    d["down"] = o.down_intervals;
    d["no_data"] = o.no_data_intervals;
    d["availability"] = o.availability();
    d["states"] = o.states.ToString();
    py::list components;
    for (const ComponentAttribution& c : a.components) {
      py::dict cd;
      cd["name"] = c.component;
      cd["owner"] = std::string(OwnerName(c.owner));
      cd["down"] = c.down_intervals;
      cd["sole"] = c.sole_intervals;
      cd["shared"] = c.shared_intervals;
      components.append(cd);
    }
    d["components"] = components;
    d["provider"] = OwnerDict(a.provider);
    d["application"] = OwnerDict(a.application);
    d["shared_only"] = a.shared_only_intervals;
    d["mixed_owner"] = a.mixed_owner_intervals;
    d["unattributed"] = a.unattributed_intervals;
    return d;
  }

  // The monthly report of `month` ("2024-01") rendered as json, csv,
  // markdown or html.
  std::string Report(const PyConfig& config, const std::string& month,
                     const std::string& format) {
    enum class Format { kJson, kCsv, kMarkdown, kHtml };
    Format f;
    if (format == "json") {
      f = Format::kJson;
    } else if (format == "csv") {
      f = Format::kCsv;
    } else if (format == "markdown" || format == "md") {
      f = Format::kMarkdown;
    } else if (format == "html") {
      f = Format::kHtml;
    } else {
      throw StatusError(absl::InvalidArgumentError(
          absl::StrCat("report format '", format,
                       "' is not one of json, csv, markdown, html")));
    }
    const absl::CivilMonth m = ValueOrThrow(ParseMonth(month));
    const std::shared_ptr<const Config> cfg = config.shared();
    absl::StatusOr<std::string> text;
    {
      py::gil_scoped_release release;
      absl::StatusOr<MonthlyReport> r = BuildMonthlyReport(engine_, *cfg, m);
      if (!r.ok()) {
        text = r.status();
      } else if (f == Format::kJson) {
        text = RenderReportJson(*r);
      } else if (f == Format::kCsv) {
        text = RenderReportCsv(*r);
      } else if (f == Format::kMarkdown) {
        text = RenderReportMarkdown(*r);
      } else {
        text = RenderReportHtml(*r);
      }
    }
    return ValueOrThrow(std::move(text));
  }

 private:
  // Where an objective comes from: declared (id), or the config's spec of a
  // service (app == nullptr) or of an application.
  struct Found {
    std::optional<ObjectiveId> id;
    const ObjectiveSpec* spec = nullptr;
    const ApplicationConfig* app = nullptr;
  };

  static EngineOptions Options(int64_t retention_ms,
                               int64_t future_tolerance_ms) {
    EngineOptions o;
    o.retention = absl::Milliseconds(retention_ms);
    o.future_tolerance = absl::Milliseconds(future_tolerance_ms);
    return o;
  }

  Found FindObjective(const std::string& service, const std::string& name,
                      const std::optional<PyConfig>& config) const {
    Found f;
    absl::StatusOr<ObjectiveId> id = engine_.FindObjective(service, name);
    if (id.ok()) {
      f.id = *id;
      return f;
    }
    if (config.has_value()) {
      if (const ServiceConfig* s = config->get().FindService(service)) {
        for (const ObjectiveSpec& o : s->objectives) {
          if (o.name == name) {
            f.spec = &o;
            return f;
          }
        }
      }
      if (const ApplicationConfig* a = config->get().FindApplication(service)) {
        for (const ObjectiveSpec& o : a->objectives) {
          if (o.name == name) {
            f.spec = &o;
            f.app = a;
            return f;
          }
        }
      }
    }
    throw StatusError(absl::NotFoundError(
        absl::StrCat("objective '", service, "/", name, "' is not declared",
                     config.has_value() ? " nor in the configuration" : "")));
  }

  static Interval NonEmpty(const Interval& i) {
    if (i.empty()) {
      throw StatusError(absl::InvalidArgumentError(
          absl::StrCat("window [", TimeToString(i.from), ", ",
                       TimeToString(i.to), ") is empty")));
    }
    return i;
  }

  absl::Status ResolveAndIngest(
      const std::vector<std::pair<std::string, std::string>>& names,
      const std::vector<uint8_t>& named, absl::Span<ProbeResult> results) {
    // A batch refused for its names, times or values declares nothing.
    for (const auto& [service, probe] : names) {
      for (const std::string* name : {&service, &probe}) {
        if (absl::Status s = CheckNameText(*name); !s.ok()) {
          return absl::InvalidArgumentError(
              absl::StrCat(name == &service ? "service" : "probe", " '",
                           absl::CHexEscape(*name), "': ", s.message()));
        }
      }
    }
    if (absl::Status s = engine_.CheckProbeTimes(results); !s.ok()) return s;
    std::vector<SliId> ids;
    ids.reserve(names.size());
    for (const auto& [service, probe] : names) {
      absl::StatusOr<SliId> id = engine_.FindSli(service, probe);
      if (absl::IsNotFound(id.status())) {
        id = engine_.AddSli(SliSpec{service, probe});
      }
      if (!id.ok()) return id.status();
      ids.push_back(*id);
    }
    for (size_t i = 0; i < results.size(); ++i) {
      if (named[i]) results[i].sli = ids[results[i].sli];
    }
    return engine_.Ingest(results);
  }

  absl::StatusOr<size_t> LoadCsvUnlocked(const std::string& path) {
    absl::StatusOr<probes::ProbeTable> table = probes::ReadProbeCsv(path);
    if (!table.ok()) return table.status();
    absl::Status s = engine_.CheckProbeTimes(table->rows);
    if (!s.ok()) {
      return absl::Status(s.code(), absl::StrCat(path, ": ", s.message()));
    }
    absl::StatusOr<std::vector<SliId>> ids =
        probes::BindProbeTable(engine_, *table);
    if (!ids.ok()) return ids.status();
    s = engine_.Ingest(table->rows);
    if (!s.ok()) {
      return absl::Status(s.code(), absl::StrCat(path, ": ", s.message()));
    }
    return table->rows.size();
  }

  // Field conversions of row `i`; InvalidArgument naming the field.
  template <typename T>
  static T Int(py::handle v, size_t i, absl::string_view field,
               absl::string_view rows = "results") {
    if (!py::isinstance<py::int_>(v) || py::isinstance<py::bool_>(v)) {
      ThrowIfError(Invalid(i, absl::StrCat(field, ": expected an int"), rows));
    }
    const int64_t x = PyLong_AsLongLong(v.ptr());
    if (x == -1 && PyErr_Occurred()) {
      PyErr_Clear();
      ThrowIfError(Invalid(i, absl::StrCat(field, ": out of range"), rows));
    }
    if (x < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
        (x > 0 && static_cast<uint64_t>(x) >
                      static_cast<uint64_t>(std::numeric_limits<T>::max()))) {
      ThrowIfError(
          Invalid(i, absl::StrCat(field, ": ", x, " out of range"), rows));
    }
    return static_cast<T>(x);
  }

  static bool Bool(py::handle v, size_t i, absl::string_view field) {
    if (py::isinstance<py::bool_>(v)) return v.ptr() == Py_True;
    if (py::isinstance<py::int_>(v)) {
      const int64_t x = PyLong_AsLongLong(v.ptr());
      if (x == 0 || x == 1) return x == 1;
      PyErr_Clear();
    }
    ThrowIfError(Invalid(i, absl::StrCat(field, ": expected a bool or 0/1")));
    return false;
  }

  static double Double(py::handle v, size_t i, absl::string_view field) {
    if ((!py::isinstance<py::float_>(v) && !py::isinstance<py::int_>(v)) ||
        py::isinstance<py::bool_>(v)) {
      ThrowIfError(Invalid(i, absl::StrCat(field, ": expected a number")));
    }
    return v.cast<double>();
  }

  static int64_t Time(py::handle v, const py::object& to_ms, size_t i,
                      absl::string_view rows = "results") {
    if (py::isinstance<py::int_>(v) && !py::isinstance<py::bool_>(v)) {
      return Int<int64_t>(v, i, "time", rows);
    }
    py::object ms;
    try {
      ms = to_ms(v);
    } catch (py::error_already_set& e) {
      // The facade's errors carry .message ("time: naive datetime ...").
      const py::object& value = e.value();
      const std::string why =
          py::hasattr(value, "message")
              ? std::string(py::str(value.attr("message")))
              : absl::StrCat("time: ", std::string(py::str(value)));
      ThrowIfError(Invalid(i, why, rows));
    }
    return Int<int64_t>(ms, i, "time", rows);
  }

  Engine engine_;
};

// ---------------------------------------------------------------- module

std::pair<int64_t, int64_t> ResolveWindow(const std::string& window,
                                          int64_t at_ms) {
  const Window w = ValueOrThrow(Window::Parse(window));
  const Interval i = w.ResolveAsOf(FromMs(at_ms));
  return {ToMs(i.from), ToMs(i.to)};
}

std::vector<std::string> StandardWindows() {
  std::vector<std::string> out;
  for (absl::Duration d : StandardBurnWindows()) {
    out.push_back(DurationToString(d));
  }
  return out;
}

double Theoretical(const std::string& expression,
                   const std::map<std::string, double>& availability) {
  const CompositeExpr e = ValueOrThrow(CompositeExpr::Parse(expression));
  absl::flat_hash_map<std::string, double> a(availability.begin(),
                                             availability.end());
  return ValueOrThrow(TheoreticalAvailability(e, a));
}

}  // namespace
}  // namespace python
}  // namespace sla

// PYBIND11_MODULE defines the extern "C" PyInit__slakit, so it stays at
// global scope.
PYBIND11_MODULE(_slakit, m) {
  namespace sp = sla::python;
  m.doc() =
      "Native half of the slakit package (thin pybind11 layer over the C++ "
      "engine); use the `slakit` facade instead.";
  py::register_exception_translator(&sp::TranslateStatusError);
  m.def("set_error_factory", &sp::SetErrorFactory, py::arg("factory"),
        "Sets the callable (code_name, message) -> exception used to raise "
        "failed absl::Status values.");

  py::class_<sp::PyConfig>(m, "Config")
      .def_static("parse", &sp::PyConfig::Parse, py::arg("text"),
                  py::arg("source"))
      .def_static("load", &sp::PyConfig::Load, py::arg("path"))
      .def_property_readonly("timezone", &sp::PyConfig::timezone)
      .def("services", &sp::PyConfig::Services)
      .def("applications", &sp::PyConfig::Applications);

  py::class_<sp::PyEngine>(m, "Engine")
      .def(py::init<int64_t, int64_t>(), py::arg("retention_ms"),
           py::arg("future_tolerance_ms"))
      .def("add_sli", &sp::PyEngine::AddSli, py::arg("service"),
           py::arg("name"), py::arg("kind"), py::arg("latency_threshold_ms"))
      .def("find_sli", &sp::PyEngine::FindSli, py::arg("service"),
           py::arg("name"))
      .def("sli", &sp::PyEngine::GetSli, py::arg("id"))
      .def("service_slis", &sp::PyEngine::ServiceSlis, py::arg("service"),
           py::arg("kind"))
      .def("services", &sp::PyEngine::Services)
      .def("add_objective", &sp::PyEngine::AddObjective, py::arg("service"),
           py::arg("name"), py::arg("slis"), py::arg("target_percent"),
           py::arg("window"), py::arg("budgeting"), py::arg("slice_ms"),
           py::arg("slice_threshold"), py::arg("alerting"))
      .def("objective", &sp::PyEngine::GetObjective, py::arg("service"),
           py::arg("name"))
      .def("ingest", &sp::PyEngine::Ingest, py::arg("rows"), py::arg("to_ms"))
      .def("ingest_events", &sp::PyEngine::IngestEvents, py::arg("rows"),
           py::arg("to_ms"))
      .def("load_csv", &sp::PyEngine::LoadCsv, py::arg("path"))
      .def("newest_ms", &sp::PyEngine::NewestMs)
      .def("query", &sp::PyEngine::Query, py::arg("slis"), py::arg("from_ms"),
           py::arg("to_ms"))
      .def("evaluate", &sp::PyEngine::Evaluate, py::arg("service"),
           py::arg("name"), py::arg("at_ms"), py::arg("config"))
      .def("burn_rates", &sp::PyEngine::BurnRates, py::arg("service"),
           py::arg("name"), py::arg("at_ms"), py::arg("windows"),
           py::arg("config"))
      .def("observe", &sp::PyEngine::ObserveApp, py::arg("config"),
           py::arg("application"), py::arg("from_ms"), py::arg("to_ms"))
      .def("report", &sp::PyEngine::Report, py::arg("config"), py::arg("month"),
           py::arg("format"));

  m.def("resolve_window", &sp::ResolveWindow, py::arg("window"),
        py::arg("at_ms"));
  m.def("standard_burn_windows", &sp::StandardWindows);
  m.def("theoretical_availability", &sp::Theoretical, py::arg("expression"),
        py::arg("availability"));
}
