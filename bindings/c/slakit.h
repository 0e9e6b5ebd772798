/* bindings/c/slakit.h: the C ABI of the slakit engine (libslakit_c.so).
 *
 * Plain C99 so that any language with a foreign-function interface (C, Go,
 * Rust, Zig, Python ctypes, ...) can embed the engine: opaque handles,
 * integer status codes, plain structs, NUL-terminated UTF-8 strings. No C++
 * type and no exception crosses this boundary.
 *
 *   #include "bindings/c/slakit.h"   (installed: <slakit.h>, -lslakit_c)
 *
 *   slakit_engine* e = NULL;
 *   slakit_engine_create(NULL, &e);                  // default options
 *   slakit_sli_id home;
 *   slakit_engine_add_sli(e, "web", "home", SLAKIT_SLI_PROBE_SUCCESS, 0,
 *                         &home);
 *   slakit_result r[4] = {{1704067200000, 42, home, 1},   // 00:00 ok
 *                         {1704067260000, 40, home, 1},   // 00:01 ok
 *                         {1704067320000, 9e3, home, 0},  // 00:02 failed
 *                         {1704067380000, 41, home, 1}};  // 00:03 ok
 *   slakit_engine_ingest(e, r, 4);                    // all or nothing
 *   slakit_objective o = {.service = "web", .name = "availability",
 *                         .target_percent = 50, .window = "1d"};
 *   if (slakit_engine_add_objective(e, &o) != SLAKIT_OK) {
 *     fprintf(stderr, "%s\n", slakit_last_error());
 *   }
 *   slakit_budget b;
 *   slakit_engine_budget(e, "web", "availability", 1704067440000, &b);
 *   // b.good == 3, b.total == 4, b.availability == 0.75,
 *   // b.allowed_bad == 2, b.consumed == 0.5, b.remaining == 0.5
 *   slakit_engine_destroy(e);
 *
 * Errors. Every function that can fail returns a slakit_status, whose
 * values are absl::StatusCode's, one to one (SLAKIT_INVALID_ARGUMENT for a
 * bad argument or spec, SLAKIT_NOT_FOUND for an unknown service, SLI or
 * objective, SLAKIT_OUT_OF_RANGE for a result older than the retention,
 * ...). The message of the most recent such call on the calling thread is
 * slakit_last_error() (thread-local, like errno): "" after SLAKIT_OK, and
 * otherwise the function's name and what was wrong and where, e.g.
 * "slakit_engine_add_objective: objective 'web/availability': ... '30x'
 * ...". A NULL handle or
 * required pointer gives SLAKIT_INVALID_ARGUMENT naming the argument. The
 * library catches every C++ exception at this boundary (out of memory
 * becomes SLAKIT_RESOURCE_EXHAUSTED, anything else SLAKIT_INTERNAL); it
 * never throws, aborts or prints. Output arguments are written only on
 * SLAKIT_OK unless a function says otherwise.
 *
 * Ownership. Strings and arrays passed in are only read during the call
 * and never kept: the caller may free them as soon as the call returns.
 * Pointers handed out are owned by the library unless a function says the
 * caller frees them: the only such function is slakit_engine_report_alloc,
 * whose string the caller releases with slakit_free().
 *
 * Time. Times are int64_t milliseconds since the Unix epoch (UTC).
 * Counting is per minute: a result belongs to the minute that contains it,
 * intervals are half-open [from, to) and their bounds are floored to the
 * minute. The engine asks its clock for "now" only to reject results from
 * the future; tests fix that clock (slakit_engine_options.clock_unix_ms).
 *
 * Thread safety. An engine is thread-safe: every function taking a
 * slakit_engine* may be called from several threads at once, except
 * slakit_engine_destroy, which must be the last call on the engine. The
 * other functions have no shared state.
 *
 * Versioning. SLAKIT_ABI_VERSION changes whenever a struct, enum value or
 * signature here changes incompatibly; it is also the shared library's
 * SOVERSION (libslakit_c.so.1). A program can compare slakit_abi_version()
 * with the SLAKIT_ABI_VERSION it was compiled with.
 */

#ifndef BINDINGS_C_SLAKIT_H_
#define BINDINGS_C_SLAKIT_H_

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define SLAKIT_API __attribute__((visibility("default")))
#else
#define SLAKIT_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ versions */

/* The library version (the project's) and the ABI version of this header. */
#define SLAKIT_VERSION_MAJOR 0
#define SLAKIT_VERSION_MINOR 1
#define SLAKIT_VERSION_PATCH 0
#define SLAKIT_VERSION_STRING "0.1.0"
#define SLAKIT_ABI_VERSION 1

/* The version of the library actually loaded, e.g. "0.1.0"; a static string
 * (never free it). */
SLAKIT_API const char* slakit_version(void);
/* The SLAKIT_ABI_VERSION the loaded library was built with. */
SLAKIT_API int slakit_abi_version(void);

/* ------------------------------------------------------------ errors */

/* absl::StatusCode, value for value. */
typedef enum slakit_status {
  SLAKIT_OK = 0,
  SLAKIT_CANCELLED = 1,
  SLAKIT_UNKNOWN = 2,
  SLAKIT_INVALID_ARGUMENT = 3,
  SLAKIT_DEADLINE_EXCEEDED = 4,
  SLAKIT_NOT_FOUND = 5,
  SLAKIT_ALREADY_EXISTS = 6,
  SLAKIT_PERMISSION_DENIED = 7,
  SLAKIT_RESOURCE_EXHAUSTED = 8,
  SLAKIT_FAILED_PRECONDITION = 9,
  SLAKIT_ABORTED = 10,
  SLAKIT_OUT_OF_RANGE = 11,
  SLAKIT_UNIMPLEMENTED = 12,
  SLAKIT_INTERNAL = 13,
  SLAKIT_UNAVAILABLE = 14,
  SLAKIT_DATA_LOSS = 15,
  SLAKIT_UNAUTHENTICATED = 16
} slakit_status;

/* "OK", "INVALID_ARGUMENT", ... ("UNKNOWN" for a value not listed above); a
 * static string. */
SLAKIT_API const char* slakit_status_name(slakit_status status);

/* The message of the most recent status-returning slakit_ call made by the
 * calling thread: "" if it returned SLAKIT_OK (or if none was made).
 * Never NULL. Owned by the library; valid until the thread's next slakit_
 * call. */
SLAKIT_API const char* slakit_last_error(void);

/* ------------------------------------------------------------ engine */

/* An engine: series of per-minute counters, objectives, an optional
 * configuration (slakit.yaml). Opaque; created by slakit_engine_create and
 * released by slakit_engine_destroy. */
typedef struct slakit_engine slakit_engine;

/* An SLI's id: dense small integers, valid for the engine that gave it. */
typedef uint32_t slakit_sli_id;

/* Engine options. Fill with slakit_engine_options_init, then change the
 * fields wanted: each value is taken literally. */
typedef struct slakit_engine_options {
  /* How far back from the newest accepted result results are kept and
   * accepted; older ones get SLAKIT_OUT_OF_RANGE. At least one minute.
   * Default 35 days (a calendar month plus late arrivals). */
  int64_t retention_ms;
  /* Results stamped later than the clock plus this are rejected
   * (SLAKIT_INVALID_ARGUMENT). >= 0. Default 5 minutes. */
  int64_t future_tolerance_ms;
  /* 0: the engine's clock is the real clock (default). Otherwise a clock
   * that stands at this time until slakit_engine_set_clock moves it. */
  int64_t clock_unix_ms;
} slakit_engine_options;

/* Sets every field of *options to its default. NULL is ignored. */
SLAKIT_API void slakit_engine_options_init(slakit_engine_options* options);

/* Creates an engine with `options` (NULL: the defaults) and stores it in
 * *engine; the caller releases it with slakit_engine_destroy.
 * SLAKIT_INVALID_ARGUMENT for a NULL `engine` or an option out of range
 * (naming the field); *engine is then left unchanged. */
SLAKIT_API slakit_status slakit_engine_create(
    const slakit_engine_options* options, slakit_engine** engine);

/* Releases an engine and everything it holds. NULL is ignored. No other
 * call may use the engine during or after this one. */
SLAKIT_API void slakit_engine_destroy(slakit_engine* engine);

/* Moves the fixed clock of an engine created with a nonzero clock_unix_ms.
 * SLAKIT_FAILED_PRECONDITION for an engine on the real clock. */
SLAKIT_API slakit_status slakit_engine_set_clock(slakit_engine* engine,
                                                 int64_t now_unix_ms);

/* ------------------------------------------------------------ declarations */

/* How an SLI's results become good and total counts. */
typedef enum slakit_sli_kind {
  SLAKIT_SLI_PROBE_SUCCESS = 0, /* a result is good when ok */
  SLAKIT_SLI_LATENCY = 1,       /* good when ok and latency <= threshold */
  SLAKIT_SLI_EVENT_RATIO = 2    /* good and total counts pushed as events */
} slakit_sli_kind;

/* Declares the SLI `probe` of `service` and stores its id in *id (NULL: not
 * returned). `latency_threshold_ms` is read for SLAKIT_SLI_LATENCY only
 * (> 0). SLAKIT_INVALID_ARGUMENT for an empty name, an unknown kind or a bad
 * threshold; SLAKIT_ALREADY_EXISTS if declared before. */
SLAKIT_API slakit_status slakit_engine_add_sli(
    slakit_engine* engine, const char* service, const char* probe,
    slakit_sli_kind kind, double latency_threshold_ms, slakit_sli_id* id);

/* The id of a declared SLI in *id; SLAKIT_NOT_FOUND when not declared. */
SLAKIT_API slakit_status slakit_engine_find_sli(const slakit_engine* engine,
                                                const char* service,
                                                const char* probe,
                                                slakit_sli_id* id);

/* OpenSLO budgeting methods. */
typedef enum slakit_budgeting {
  /* good events / total events over the window */
  SLAKIT_BUDGETING_OCCURRENCES = 0,
  /* good slices / slices with data; a slice is good when its good/total is
   * >= slice_threshold */
  SLAKIT_BUDGETING_TIMESLICES = 1,
  /* the mean of the slices' good/total, over slices with data */
  SLAKIT_BUDGETING_RATIO_TIMESLICES = 2
} slakit_budgeting;

/* An objective (SLO) of one service. Zero-initialise it and set at least
 * service, name and target_percent: every zero field means its default. */
typedef struct slakit_objective {
  const char* service; /* its SLIs' service, e.g. "web" */
  const char* name;    /* unique within the service, e.g. "availability" */
  /* One SLI of the service (any kind), or NULL / "": every probe-success
   * SLI the service has when the objective is declared. */
  const char* probe;
  double target_percent; /* in (0, 100), e.g. 99.9 */
  /* "30d" (rolling, whole minutes: units m, h, d, w), or a calendar period
   * "day", "week", "month", "quarter", "year" with an optional time zone,
   * "month@Europe/Paris". NULL / "": "30d". */
  const char* window;
  slakit_budgeting method; /* default SLAKIT_BUDGETING_OCCURRENCES */
  /* Timeslice methods: the slice length in minutes (0: 1) and, for
   * SLAKIT_BUDGETING_TIMESLICES, the good/total a slice needs, in (0, 1]
   * (0: 1.0). */
  int64_t slice_minutes;
  double slice_threshold;
} slakit_objective;

/* Declares an objective; it can then be queried by (service, name) and is
 * in the monthly report. The service's SLIs must be declared first (by
 * slakit_engine_add_sli or by ingesting named results or a CSV).
 * SLAKIT_INVALID_ARGUMENT for a bad target, window, method or slice (the
 * message names the objective and the field) or for a name the
 * configuration gives to an application; SLAKIT_NOT_FOUND for a service
 * without SLIs or an undeclared probe; SLAKIT_ALREADY_EXISTS if the engine
 * or its configuration has an objective of that name for the service. */
SLAKIT_API slakit_status slakit_engine_add_objective(
    slakit_engine* engine, const slakit_objective* objective);

/* Loads a configuration (slakit.yaml text, NUL-terminated; see
 * sla/config.h) into the engine: its services' objectives become queryable
 * like declared ones and its services, contracts, applications and time
 * zone shape the monthly report. Objectives declared before with
 * slakit_engine_add_objective are kept beside it. `source` names the text in
 * messages (NULL: "slakit.yaml"). A configuration objective is declared in
 * the engine when first queried or reported, with the SLIs its service has
 * then. At most one configuration per engine.
 * SLAKIT_INVALID_ARGUMENT listing every problem as "source:line:column:
 * field: what is wrong" (one per line), or when it names an application
 * like a service with declared objectives; SLAKIT_ALREADY_EXISTS for an
 * objective declared by slakit_engine_add_objective too;
 * SLAKIT_FAILED_PRECONDITION when a configuration is loaded already.
 * Nothing changes on error. */
SLAKIT_API slakit_status slakit_engine_load_config(slakit_engine* engine,
                                                   const char* yaml,
                                                   const char* source);
/* The same from a file. SLAKIT_NOT_FOUND when it cannot be read. */
SLAKIT_API slakit_status slakit_engine_load_config_file(slakit_engine* engine,
                                                        const char* path);

/* ------------------------------------------------------------ ingest */

/* One probe outcome for a probe-success or latency SLI. */
typedef struct slakit_result {
  int64_t unix_ms;   /* when the probe ran */
  double latency_ms; /* finite, >= 0 */
  slakit_sli_id sli; /* from slakit_engine_add_sli / _find_sli */
  int32_t ok;        /* nonzero: the probe succeeded */
} slakit_result;

/* The same, naming the SLI. */
typedef struct slakit_named_result {
  const char* service;
  const char* probe;
  int64_t unix_ms;
  double latency_ms;
  int32_t ok;
} slakit_named_result;

/* Counts pushed by an application for an event-ratio SLI, all in the minute
 * that contains unix_ms. */
typedef struct slakit_event {
  int64_t unix_ms;
  int64_t good;  /* 0 <= good <= total */
  int64_t total; /* >= 0 */
  slakit_sli_id sli;
} slakit_event;

/* Ingests `count` results (`results` may be NULL when count is 0). All or
 * nothing: if one is rejected, none is applied. SLAKIT_INVALID_ARGUMENT
 * naming the record index and field ("record 7: field 'latency_ms' ...")
 * for a bad record, a result for an event-ratio SLI or a result from the
 * future; SLAKIT_NOT_FOUND for an SLI id not declared; SLAKIT_OUT_OF_RANGE
 * for a result older than the retention. */
SLAKIT_API slakit_status slakit_engine_ingest(slakit_engine* engine,
                                              const slakit_result* results,
                                              size_t count);

/* The same by names: an SLI not declared yet is declared as a probe-success
 * SLI first (and stays declared even when the batch is then rejected).
 * SLAKIT_INVALID_ARGUMENT for a NULL or empty name (naming the record). */
SLAKIT_API slakit_status slakit_engine_ingest_named(
    slakit_engine* engine, const slakit_named_result* results, size_t count);

/* Ingests event counts of event-ratio SLIs; all or nothing, errors as
 * slakit_engine_ingest. */
SLAKIT_API slakit_status slakit_engine_ingest_events(slakit_engine* engine,
                                                     const slakit_event* events,
                                                     size_t count);

/* Reads a CSV file of probe results (header
 * "timestamp_ms,service,probe,ok,latency_ms"; see probes/csv_reader.h),
 * declares each (service, probe) as a probe-success SLI when missing (it
 * stays declared even when the rows are then rejected) and ingests every
 * row, all or nothing. Stores the number of rows in *rows
 * (NULL: not returned). SLAKIT_NOT_FOUND for a missing file,
 * SLAKIT_INVALID_ARGUMENT naming file:line for malformed lines, and
 * slakit_engine_ingest's errors. */
SLAKIT_API slakit_status slakit_engine_ingest_csv(slakit_engine* engine,
                                                  const char* path,
                                                  size_t* rows);

/* ------------------------------------------------------------ queries */

/* Integer counts and their ratio. */
typedef struct slakit_counts {
  int64_t good;
  int64_t total;
  double availability; /* good / total; 1.0 when total == 0 */
} slakit_counts;

/* Counts of `probe` of `service` over [from_unix_ms, to_unix_ms) (bounds
 * floored to the minute; empty when from >= to), or with `probe` NULL / ""
 * of every probe-success SLI of the service, pooled. SLAKIT_NOT_FOUND for
 * an unknown service or probe. */
SLAKIT_API slakit_status slakit_engine_query(
    const slakit_engine* engine, const char* service, const char* probe,
    int64_t from_unix_ms, int64_t to_unix_ms, slakit_counts* counts);

/* The error budget of an objective as of a time. */
typedef struct slakit_budget {
  /* The resolved window [from, to): rolling, [floor(at) - length,
   * floor(at)); calendar, the period to date. */
  int64_t window_from_unix_ms;
  int64_t window_to_unix_ms;
  /* Occurrences: events. Timeslices: good slices, slices with data.
   * RatioTimeslices: slices with data in total; good is 0. */
  int64_t good;
  int64_t total;
  int64_t bad;
  double availability; /* good / total (1.0 when total == 0) */
  double allowed_bad;  /* (1 - target) * total */
  double consumed;     /* bad / allowed_bad */
  double remaining;    /* 1 - consumed; negative when overspent */
} slakit_budget;

/* The budget of objective `objective` of `service` as of `at_unix_ms`: no
 * result after the minute of `at` counts. SLAKIT_NOT_FOUND for an objective
 * neither declared nor in the configuration; SLAKIT_UNIMPLEMENTED for an
 * application's objective (those are in the monthly report only); a
 * configuration objective's declaration errors. */
SLAKIT_API slakit_status slakit_engine_budget(slakit_engine* engine,
                                              const char* service,
                                              const char* objective,
                                              int64_t at_unix_ms,
                                              slakit_budget* budget);

/* Burn rates of an objective at `at_unix_ms` over `count` look-back windows
 * (durations such as "5m", "1h", "6h", "3d": whole minutes): rates[k] is
 * (bad / total) / (1 - target) over [floor(at) - windows[k], floor(at)),
 * counted with the objective's budgeting method (0 without data).
 * `rates` holds `count` doubles; `counts`, if not NULL, `count` slakit_counts
 * (the events or slices each rate came from). SLAKIT_INVALID_ARGUMENT naming
 * the window ("windows[1]: ...") and slakit_engine_budget's errors. */
SLAKIT_API slakit_status slakit_engine_burn_rates(
    slakit_engine* engine, const char* service, const char* objective,
    int64_t at_unix_ms, const char* const* windows, size_t count, double* rates,
    slakit_counts* counts);

/* ------------------------------------------------------------ report */

/* The monthly compliance report (sla/report.h) of `month` ("2024-01", in the
 * configuration's time zone, UTC without one) rendered as `format`: "json",
 * "csv", "md" or "html". It covers the configuration's services and
 * applications and every service with an objective declared by
 * slakit_engine_add_objective.
 *
 * Into a caller's buffer: on SLAKIT_OK the report and a terminating NUL are
 * in buffer[0 .. *length]; *length (if `length` is not NULL) is the report's
 * length without the NUL. When buffer_size is too small (buffer may be NULL
 * with buffer_size 0, to ask), nothing is written to buffer, *length is set
 * to the length the report needs without its NUL (so buffer_size must be
 * *length + 1), and the call returns SLAKIT_RESOURCE_EXHAUSTED. The report
 * is built again by each call; slakit_engine_report_alloc builds it once.
 * SLAKIT_INVALID_ARGUMENT for a bad month or format. */
SLAKIT_API slakit_status slakit_engine_report(slakit_engine* engine,
                                              const char* month,
                                              const char* format, char* buffer,
                                              size_t buffer_size,
                                              size_t* length);

/* The same report in a NUL-terminated string that the library allocates:
 * on SLAKIT_OK *report points to it and *length (if not NULL) is its length
 * without the NUL. The caller owns it and must release it with slakit_free
 * (not free: the library may use another allocator). */
SLAKIT_API slakit_status slakit_engine_report_alloc(slakit_engine* engine,
                                                    const char* month,
                                                    const char* format,
                                                    char** report,
                                                    size_t* length);

/* Releases memory the library allocated for the caller
 * (slakit_engine_report_alloc). NULL is ignored. */
SLAKIT_API void slakit_free(void* memory);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* BINDINGS_C_SLAKIT_H_ */
