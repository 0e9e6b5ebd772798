/* tests/c/c_abi_test.c: the C ABI (bindings/c/slakit.h) used from C99.
 *
 * Compiled as C (-std=c99 -Wall -Wextra -Werror -pedantic) and linked
 * against libslakit_c.so, so it also proves that the header is C and that
 * the library exports what the header declares. Every expected number is
 * computed by hand from the results ingested here: times are minutes after
 * T0 = 2024-01-01T00:00:00Z, and the fractions are exact in binary.
 *
 * Exit status 0 when every check passes; each failed check prints
 * file:line, what was expected and slakit_last_error(). */

#define _POSIX_C_SOURCE 200809L /* mkstemp, fdopen */

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bindings/c/slakit.h"

#define T0 INT64_C(1704067200000) /* 2024-01-01T00:00:00Z */
#define MINUTE INT64_C(60000)
#define DAY (1440 * MINUTE)
#define AT(minutes) (T0 + (minutes)*MINUTE)

static int failures = 0;
static int checks = 0;

static void check(int ok, const char* what, const char* file, int line) {
  ++checks;
  if (!ok) {
    ++failures;
    fprintf(stderr, "%s:%d: check failed: %s (last error: \"%s\")\n", file,
            line, what, slakit_last_error());
  }
}
#define CHECK(cond) check((cond) != 0, #cond, __FILE__, __LINE__)

/* Exact comparison: every expected double here is exact in binary. */
#define CHECK_EQ_DOUBLE(got, want)                                      \
  do {                                                                  \
    double g_ = (got), w_ = (want);                                     \
    if (g_ != w_) fprintf(stderr, "  got %.17g, want %.17g\n", g_, w_); \
    check(g_ == w_, #got " == " #want, __FILE__, __LINE__);             \
  } while (0)

/* `call` returns `want`, and the last error mentions `part` ("" = none
 * expected, i.e. an empty message after SLAKIT_OK). */
static void check_status(slakit_status got, slakit_status want,
                         const char* part, const char* call, const char* file,
                         int line) {
  const char* message = slakit_last_error();
  ++checks;
  if (got != want) {
    ++failures;
    fprintf(stderr, "%s:%d: %s returned %s, want %s (last error: \"%s\")\n",
            file, line, call, slakit_status_name(got), slakit_status_name(want),
            message);
    return;
  }
  if (want == SLAKIT_OK ? message[0] != '\0' : strstr(message, part) == NULL) {
    ++failures;
    fprintf(stderr, "%s:%d: %s: last error \"%s\" should %s\"%s\"\n", file,
            line, call, message,
            want == SLAKIT_OK ? "be empty, not " : "mention ", part);
  }
}
#define EXPECT_STATUS(call, want, part) \
  check_status((call), (want), (part), #call, __FILE__, __LINE__)
#define EXPECT_OK(call) EXPECT_STATUS(call, SLAKIT_OK, "")

/* An engine whose clock stands at T0 + 1 day, holding web/home with four
 * results: ok, ok, failed, ok at minutes 0, 1, 2, 3. */
static slakit_engine* new_engine(void) {
  slakit_engine_options options;
  slakit_engine* engine = NULL;
  slakit_sli_id home = 99;
  slakit_result results[4];
  int i;
  slakit_engine_options_init(&options);
  options.clock_unix_ms = T0 + DAY;
  EXPECT_OK(slakit_engine_create(&options, &engine));
  EXPECT_OK(slakit_engine_add_sli(engine, "web", "home",
                                  SLAKIT_SLI_PROBE_SUCCESS, 0, &home));
  CHECK(home == 0);
  for (i = 0; i < 4; ++i) {
    results[i].unix_ms = AT(i);
    results[i].latency_ms = 40 + i;
    results[i].sli = home;
    results[i].ok = i != 2;
  }
  EXPECT_OK(slakit_engine_ingest(engine, results, 4));
  return engine;
}

static void test_versions_and_names(void) {
  slakit_engine_options options;
  CHECK(strcmp(slakit_version(), SLAKIT_VERSION_STRING) == 0);
  CHECK(slakit_abi_version() == SLAKIT_ABI_VERSION);
  CHECK(strcmp(slakit_status_name(SLAKIT_OK), "OK") == 0);
  CHECK(strcmp(slakit_status_name(SLAKIT_INVALID_ARGUMENT),
               "INVALID_ARGUMENT") == 0);
  CHECK(strcmp(slakit_status_name(SLAKIT_NOT_FOUND), "NOT_FOUND") == 0);
  CHECK(strcmp(slakit_status_name(SLAKIT_UNAUTHENTICATED), "UNAUTHENTICATED") ==
        0);
  CHECK(strcmp(slakit_status_name((slakit_status)42), "UNKNOWN") == 0);
  /* The codes are absl::StatusCode's. */
  CHECK(SLAKIT_INVALID_ARGUMENT == 3 && SLAKIT_NOT_FOUND == 5 &&
        SLAKIT_OUT_OF_RANGE == 11 && SLAKIT_UNAUTHENTICATED == 16);
  CHECK(strcmp(slakit_last_error(), "") == 0);

  slakit_engine_options_init(&options);
  CHECK(options.retention_ms == 35 * DAY);
  CHECK(options.future_tolerance_ms == 5 * MINUTE);
  CHECK(options.clock_unix_ms == 0);
  slakit_engine_options_init(NULL);
}

static void test_create_errors(void) {
  slakit_engine_options options;
  slakit_engine* engine = NULL;
  EXPECT_STATUS(slakit_engine_create(NULL, NULL), SLAKIT_INVALID_ARGUMENT,
                "slakit_engine_create: engine is NULL");
  slakit_engine_options_init(&options);
  options.retention_ms = 0;
  EXPECT_STATUS(slakit_engine_create(&options, &engine),
                SLAKIT_INVALID_ARGUMENT, "retention_ms 0");
  CHECK(engine == NULL);
  slakit_engine_options_init(&options);
  options.future_tolerance_ms = -1;
  EXPECT_STATUS(slakit_engine_create(&options, &engine),
                SLAKIT_INVALID_ARGUMENT, "future_tolerance_ms -1");

  /* Default options: the real clock, which cannot be set. */
  EXPECT_OK(slakit_engine_create(NULL, &engine));
  CHECK(engine != NULL);
  EXPECT_STATUS(slakit_engine_set_clock(engine, T0), SLAKIT_FAILED_PRECONDITION,
                "real clock");
  slakit_engine_destroy(engine);
  slakit_engine_destroy(NULL);
  slakit_free(NULL);
}

static void test_counts(void) {
  slakit_engine* e = new_engine();
  slakit_counts c;
  slakit_sli_id id = 7;

  /* 3 good of 4 minutes. */
  EXPECT_OK(slakit_engine_query(e, "web", "home", AT(0), AT(4), &c));
  CHECK(c.good == 3 && c.total == 4);
  CHECK_EQ_DOUBLE(c.availability, 0.75);
  /* The same pooled over the service's probe-success SLIs. */
  EXPECT_OK(slakit_engine_query(e, "web", NULL, AT(0), AT(4), &c));
  CHECK(c.good == 3 && c.total == 4);
  /* Bounds are floored to the minute: [00:02:30, 00:04) is [00:02, 00:04). */
  EXPECT_OK(slakit_engine_query(e, "web", "home", AT(2) + 30000, AT(4), &c));
  CHECK(c.good == 1 && c.total == 2);
  CHECK_EQ_DOUBLE(c.availability, 0.5);
  /* Empty and reversed intervals count nothing (availability 1). */
  EXPECT_OK(slakit_engine_query(e, "web", "home", AT(4), AT(0), &c));
  CHECK(c.good == 0 && c.total == 0);
  CHECK_EQ_DOUBLE(c.availability, 1.0);

  EXPECT_OK(slakit_engine_find_sli(e, "web", "home", &id));
  CHECK(id == 0);
  EXPECT_STATUS(slakit_engine_find_sli(e, "web", "nope", &id), SLAKIT_NOT_FOUND,
                "nope");
  EXPECT_STATUS(slakit_engine_query(e, "db", NULL, AT(0), AT(4), &c),
                SLAKIT_NOT_FOUND, "db");
  EXPECT_STATUS(slakit_engine_query(e, "web", "nope", AT(0), AT(4), &c),
                SLAKIT_NOT_FOUND, "nope");
  EXPECT_STATUS(slakit_engine_query(e, "web", "home", AT(0), AT(4), NULL),
                SLAKIT_INVALID_ARGUMENT, "counts is NULL");
  EXPECT_STATUS(slakit_engine_query(NULL, "web", "home", AT(0), AT(4), &c),
                SLAKIT_INVALID_ARGUMENT, "slakit_engine_query: engine is NULL");
  EXPECT_STATUS(slakit_engine_add_sli(e, "web", "home",
                                      SLAKIT_SLI_PROBE_SUCCESS, 0, NULL),
                SLAKIT_ALREADY_EXISTS, "home");
  EXPECT_STATUS(
      slakit_engine_add_sli(e, "web", "x", (slakit_sli_kind)9, 0, NULL),
      SLAKIT_INVALID_ARGUMENT, "kind 9");
  EXPECT_STATUS(
      slakit_engine_add_sli(e, "web", "slow", SLAKIT_SLI_LATENCY, 0, NULL),
      SLAKIT_INVALID_ARGUMENT, "slow");
  EXPECT_STATUS(
      slakit_engine_add_sli(e, NULL, "x", SLAKIT_SLI_PROBE_SUCCESS, 0, NULL),
      SLAKIT_INVALID_ARGUMENT, "service is NULL");
  slakit_engine_destroy(e);
}

static void test_ingest_kinds_and_errors(void) {
  slakit_engine* e = new_engine();
  slakit_counts c;
  slakit_sli_id fast, checkout, home = 0;
  slakit_result r[2];
  slakit_named_result named[3];
  slakit_event ev[1];

  /* A latency SLI: good when ok and latency <= 100 ms. It is not pooled
   * with the probe-success SLIs of its service. */
  EXPECT_OK(
      slakit_engine_add_sli(e, "web", "fast", SLAKIT_SLI_LATENCY, 100, &fast));
  r[0].unix_ms = AT(0);
  r[0].latency_ms = 42;
  r[0].sli = fast;
  r[0].ok = 1;
  r[1] = r[0];
  r[1].latency_ms = 150;
  EXPECT_OK(slakit_engine_ingest(e, r, 2));
  EXPECT_OK(slakit_engine_query(e, "web", "fast", AT(0), AT(1), &c));
  CHECK(c.good == 1 && c.total == 2);
  EXPECT_OK(slakit_engine_query(e, "web", NULL, AT(0), AT(4), &c));
  CHECK(c.good == 3 && c.total == 4);

  /* Event counts of an event-ratio SLI: 9 good of 10. */
  EXPECT_OK(slakit_engine_add_sli(e, "shop", "checkout", SLAKIT_SLI_EVENT_RATIO,
                                  0, &checkout));
  ev[0].unix_ms = AT(1);
  ev[0].good = 9;
  ev[0].total = 10;
  ev[0].sli = checkout;
  EXPECT_OK(slakit_engine_ingest_events(e, ev, 1));
  EXPECT_OK(slakit_engine_query(e, "shop", "checkout", AT(0), AT(4), &c));
  CHECK(c.good == 9 && c.total == 10);
  CHECK_EQ_DOUBLE(c.availability, 0.9);
  ev[0].good = 11;
  EXPECT_STATUS(slakit_engine_ingest_events(e, ev, 1), SLAKIT_INVALID_ARGUMENT,
                "record 0");
  /* A probe result sent to it is refused, naming the SLI. */
  r[0].sli = checkout;
  EXPECT_STATUS(slakit_engine_ingest(e, r, 1), SLAKIT_INVALID_ARGUMENT,
                "shop/checkout");

  /* All or nothing: a batch with one bad record applies nothing. */
  r[0].sli = home;
  r[0].unix_ms = AT(5);
  r[0].ok = 1;
  r[1] = r[0];
  r[1].latency_ms = -1;
  EXPECT_STATUS(slakit_engine_ingest(e, r, 2), SLAKIT_INVALID_ARGUMENT,
                "record 1: field 'latency_ms'");
  EXPECT_OK(slakit_engine_query(e, "web", "home", AT(0), AT(10), &c));
  CHECK(c.good == 3 && c.total == 4);
  /* An unknown id, a result from the future (clock T0 + 1 day, 5 minutes'
   * tolerance), one older than the retention (35 days before the newest). */
  r[1].latency_ms = 1;
  r[1].sli = 42;
  EXPECT_STATUS(slakit_engine_ingest(e, r, 2), SLAKIT_NOT_FOUND,
                "record 1: field 'sli': id 42");
  r[1].sli = home;
  r[1].unix_ms = T0 + DAY + 6 * MINUTE;
  EXPECT_STATUS(slakit_engine_ingest(e, r, 2), SLAKIT_INVALID_ARGUMENT,
                "record 1");
  EXPECT_OK(slakit_engine_set_clock(e, T0 + 2 * DAY));
  EXPECT_OK(slakit_engine_ingest(e, r, 2));
  r[0].unix_ms = T0 - 40 * DAY;
  EXPECT_STATUS(slakit_engine_ingest(e, r, 1), SLAKIT_OUT_OF_RANGE, "record 0");
  EXPECT_STATUS(slakit_engine_ingest(e, NULL, 1), SLAKIT_INVALID_ARGUMENT,
                "results is NULL");
  EXPECT_OK(slakit_engine_ingest(e, NULL, 0));

  /* By names: api/p1 and api/p2 are declared on the way. */
  named[0].service = "api";
  named[0].probe = "p1";
  named[0].unix_ms = AT(0);
  named[0].latency_ms = 5;
  named[0].ok = 1;
  named[1] = named[0];
  named[1].probe = "p2";
  named[1].ok = 0;
  named[2] = named[0];
  named[2].unix_ms = AT(1);
  EXPECT_OK(slakit_engine_ingest_named(e, named, 3));
  EXPECT_OK(slakit_engine_query(e, "api", NULL, AT(0), AT(2), &c));
  CHECK(c.good == 2 && c.total == 3);
  EXPECT_OK(slakit_engine_query(e, "api", "p2", AT(0), AT(2), &c));
  CHECK(c.good == 0 && c.total == 1);
  named[1].service = NULL;
  EXPECT_STATUS(slakit_engine_ingest_named(e, named, 3),
                SLAKIT_INVALID_ARGUMENT, "record 1: service is NULL");
  named[1].service = "";
  EXPECT_STATUS(slakit_engine_ingest_named(e, named, 3),
                SLAKIT_INVALID_ARGUMENT, "record 1");
  slakit_engine_destroy(e);
}

static void test_objectives(void) {
  slakit_engine* e = new_engine();
  slakit_objective o;
  slakit_budget b;
  const char* windows[3] = {"2m", "4m", "1h"};
  const char* bad_windows[2] = {"2m", "90s"};
  double rates[3];
  slakit_counts counts[3];

  /* 50 % over a day: 3 good of 4 at T0 + 4 min. allowed_bad = 0.5 * 4 = 2,
   * consumed = 1 / 2, remaining = 1/2. */
  memset(&o, 0, sizeof o);
  o.service = "web";
  o.name = "availability";
  o.target_percent = 50;
  o.window = "1d";
  EXPECT_OK(slakit_engine_add_objective(e, &o));
  EXPECT_OK(slakit_engine_budget(e, "web", "availability", AT(4), &b));
  CHECK(b.window_from_unix_ms == AT(4) - DAY);
  CHECK(b.window_to_unix_ms == AT(4));
  CHECK(b.good == 3 && b.total == 4 && b.bad == 1);
  CHECK_EQ_DOUBLE(b.availability, 0.75);
  CHECK_EQ_DOUBLE(b.allowed_bad, 2.0);
  CHECK_EQ_DOUBLE(b.consumed, 0.5);
  CHECK_EQ_DOUBLE(b.remaining, 0.5);
  /* As of minute 2, the failure is not in the window yet. */
  EXPECT_OK(slakit_engine_budget(e, "web", "availability", AT(2), &b));
  CHECK(b.good == 2 && b.total == 2);
  CHECK_EQ_DOUBLE(b.remaining, 1.0);

  /* Burn rates at T0 + 4 min: over 2m, 1 bad of 2 -> 0.5 / 0.5 = 1; over
   * 4m and 1h, 1 of 4 -> 0.25 / 0.5 = 0.5. */
  EXPECT_OK(slakit_engine_burn_rates(e, "web", "availability", AT(4), windows,
                                     3, rates, counts));
  CHECK_EQ_DOUBLE(rates[0], 1.0);
  CHECK_EQ_DOUBLE(rates[1], 0.5);
  CHECK_EQ_DOUBLE(rates[2], 0.5);
  CHECK(counts[0].good == 1 && counts[0].total == 2);
  CHECK(counts[2].good == 3 && counts[2].total == 4);
  EXPECT_OK(slakit_engine_burn_rates(e, "web", "availability", AT(4), windows,
                                     1, rates, NULL));
  EXPECT_STATUS(slakit_engine_burn_rates(e, "web", "availability", AT(4),
                                         bad_windows, 2, rates, NULL),
                SLAKIT_INVALID_ARGUMENT, "windows[1]: '90s'");
  bad_windows[1] = "soon";
  EXPECT_STATUS(slakit_engine_burn_rates(e, "web", "availability", AT(4),
                                         bad_windows, 2, rates, NULL),
                SLAKIT_INVALID_ARGUMENT, "windows[1]");
  EXPECT_STATUS(slakit_engine_burn_rates(e, "web", "availability", AT(4),
                                         windows, 3, NULL, NULL),
                SLAKIT_INVALID_ARGUMENT, "rates is NULL");

  /* Timeslices of 2 minutes over the last 4: [0, 2) is all good, [2, 4)
   * has a failure; one good slice of two. */
  o.name = "slices";
  o.probe = "home";
  o.window = "4m";
  o.method = SLAKIT_BUDGETING_TIMESLICES;
  o.slice_minutes = 2;
  EXPECT_OK(slakit_engine_add_objective(e, &o));
  EXPECT_OK(slakit_engine_budget(e, "web", "slices", AT(4), &b));
  CHECK(b.good == 1 && b.total == 2);
  CHECK_EQ_DOUBLE(b.availability, 0.5);

  /* Errors: a bad window names itself; the rest name the objective. */
  o.name = "broken";
  o.window = "30x";
  o.method = SLAKIT_BUDGETING_OCCURRENCES;
  o.slice_minutes = 0;
  EXPECT_STATUS(slakit_engine_add_objective(e, &o), SLAKIT_INVALID_ARGUMENT,
                "30x");
  EXPECT_STATUS(slakit_engine_add_objective(e, &o), SLAKIT_INVALID_ARGUMENT,
                "web/broken");
  o.window = "30d";
  o.target_percent = 100;
  EXPECT_STATUS(slakit_engine_add_objective(e, &o), SLAKIT_INVALID_ARGUMENT,
                "100");
  o.target_percent = 99;
  o.method = (slakit_budgeting)7;
  EXPECT_STATUS(slakit_engine_add_objective(e, &o), SLAKIT_INVALID_ARGUMENT,
                "method 7");
  o.method = SLAKIT_BUDGETING_OCCURRENCES;
  o.probe = "nope";
  EXPECT_STATUS(slakit_engine_add_objective(e, &o), SLAKIT_NOT_FOUND,
                "SLI 'nope'");
  o.probe = NULL;
  o.service = "db";
  EXPECT_STATUS(slakit_engine_add_objective(e, &o), SLAKIT_NOT_FOUND, "db");
  o.service = "web";
  o.name = "availability";
  EXPECT_STATUS(slakit_engine_add_objective(e, &o), SLAKIT_ALREADY_EXISTS,
                "web/availability");
  o.name = NULL;
  EXPECT_STATUS(slakit_engine_add_objective(e, &o), SLAKIT_INVALID_ARGUMENT,
                "objective->name is NULL");
  EXPECT_STATUS(slakit_engine_add_objective(e, NULL), SLAKIT_INVALID_ARGUMENT,
                "objective is NULL");
  EXPECT_STATUS(slakit_engine_budget(e, "web", "nope", AT(4), &b),
                SLAKIT_NOT_FOUND, "objective 'web/nope' is not declared");
  EXPECT_STATUS(slakit_engine_burn_rates(e, "web", "nope", AT(4), windows, 3,
                                         rates, NULL),
                SLAKIT_NOT_FOUND, "web/nope");
  EXPECT_STATUS(slakit_engine_budget(e, "web", "availability", AT(4), NULL),
                SLAKIT_INVALID_ARGUMENT, "budget is NULL");
  EXPECT_STATUS(slakit_engine_budget(e, NULL, "availability", AT(4), &b),
                SLAKIT_INVALID_ARGUMENT, "service is NULL");
  /* A success clears the last error. */
  EXPECT_OK(slakit_engine_budget(e, "web", "availability", AT(4), &b));
  CHECK(strcmp(slakit_last_error(), "") == 0);
  slakit_engine_destroy(e);
}

static const char kConfig[] =
    "services:\n"
    "  - name: web\n"
    "    objectives:\n"
    "      - {name: availability, target: 50, window: 1d}\n"
    "applications:\n"
    "  - name: shop\n"
    "    components: {all_of: [web]}\n"
    "    objectives:\n"
    "      - {name: availability, target: 99, window: 30d}\n";

static void test_config(void) {
  slakit_engine* e = new_engine();
  slakit_engine* other = NULL;
  slakit_objective o;
  slakit_budget b;

  /* An objective declared before the configuration stays beside it. */
  memset(&o, 0, sizeof o);
  o.service = "web";
  o.name = "daily";
  o.target_percent = 75;
  o.window = "day";
  EXPECT_OK(slakit_engine_add_objective(e, &o));
  EXPECT_OK(slakit_engine_load_config(e, kConfig, "test.yaml"));
  EXPECT_OK(slakit_engine_budget(e, "web", "availability", AT(4), &b));
  CHECK(b.good == 3 && b.total == 4);
  CHECK_EQ_DOUBLE(b.consumed, 0.5);
  /* The calendar day to date: allowed_bad = 0.25 * 4 = 1, consumed 1. */
  EXPECT_OK(slakit_engine_budget(e, "web", "daily", AT(4), &b));
  CHECK(b.window_from_unix_ms == T0 && b.window_to_unix_ms == AT(4));
  CHECK_EQ_DOUBLE(b.consumed, 1.0);
  CHECK_EQ_DOUBLE(b.remaining, 0.0);
  EXPECT_STATUS(slakit_engine_budget(e, "shop", "availability", AT(4), &b),
                SLAKIT_UNIMPLEMENTED, "application");
  EXPECT_STATUS(slakit_engine_load_config(e, kConfig, "test.yaml"),
                SLAKIT_FAILED_PRECONDITION, "already");
  /* After the configuration, a clashing declaration is refused. */
  o.name = "availability";
  EXPECT_STATUS(slakit_engine_add_objective(e, &o), SLAKIT_ALREADY_EXISTS,
                "web/availability");
  o.service = "shop";
  EXPECT_STATUS(slakit_engine_add_objective(e, &o), SLAKIT_INVALID_ARGUMENT,
                "application");
  slakit_engine_destroy(e);

  /* A clash with an earlier declaration leaves the engine without one. */
  e = new_engine();
  o.service = "web";
  o.name = "availability";
  EXPECT_OK(slakit_engine_add_objective(e, &o));
  EXPECT_STATUS(slakit_engine_load_config(e, kConfig, NULL),
                SLAKIT_ALREADY_EXISTS, "web/availability");
  EXPECT_STATUS(slakit_engine_budget(e, "shop", "availability", AT(4), &b),
                SLAKIT_NOT_FOUND, "shop/availability");
  slakit_engine_destroy(e);

  EXPECT_OK(slakit_engine_create(NULL, &other));
  EXPECT_STATUS(slakit_engine_load_config(other,
                                          "services:\n  - name: web\n"
                                          "    objectives:\n"
                                          "      - {name: a, target: 100.5}\n",
                                          "bad.yaml"),
                SLAKIT_INVALID_ARGUMENT, "bad.yaml:4:");
  EXPECT_STATUS(slakit_engine_load_config(other, "services: [", NULL),
                SLAKIT_INVALID_ARGUMENT, "slakit.yaml");
  EXPECT_STATUS(
      slakit_engine_load_config_file(other, "/nonexistent/slakit.yaml"),
      SLAKIT_NOT_FOUND, "/nonexistent/slakit.yaml");
  EXPECT_STATUS(slakit_engine_load_config(other, NULL, NULL),
                SLAKIT_INVALID_ARGUMENT, "yaml is NULL");
  /* Declared in the configuration, but its service has no SLI yet. */
  EXPECT_OK(slakit_engine_load_config(other, kConfig, NULL));
  EXPECT_STATUS(slakit_engine_budget(other, "web", "availability", AT(4), &b),
                SLAKIT_NOT_FOUND, "web");
  slakit_engine_destroy(other);
}

/* Writes `text` to a new temporary file; its path is in `path`. */
static int write_temp(const char* text, char* path, size_t size) {
  const char* dir = getenv("TEST_TMPDIR");
  int fd;
  FILE* f;
  snprintf(path, size, "%s/c_abi_test_XXXXXX", dir != NULL ? dir : "/tmp");
  fd = mkstemp(path);
  if (fd < 0) return 0;
  f = fdopen(fd, "w");
  if (f == NULL) {
    close(fd);
    return 0;
  }
  fputs(text, f);
  return fclose(f) == 0;
}

static void test_csv_and_config_file(void) {
  slakit_engine* e = new_engine();
  slakit_counts c;
  slakit_budget b;
  size_t rows = 0;
  char csv[512], bad[512], yaml[512];

  CHECK(
      write_temp("timestamp_ms,service,probe,ok,latency_ms\n"
                 "1704067200000,db,p0,1,3.5\n"
                 "1704067260000,db,p0,0,9000\n"
                 "1704067260000,db,p1,1,4\n"
                 "1704067320000,db,p1,1,4\n",
                 csv, sizeof csv));
  CHECK(
      write_temp("timestamp_ms,service,probe,ok,latency_ms\n"
                 "1704067200000,db,p0,yes,3.5\n",
                 bad, sizeof bad));
  CHECK(
      write_temp("services:\n"
                 "  - name: db\n"
                 "    objectives:\n"
                 "      - {name: availability, target: 50, window: 1h}\n",
                 yaml, sizeof yaml));
  EXPECT_OK(slakit_engine_ingest_csv(e, csv, &rows));
  CHECK(rows == 4);
  EXPECT_OK(slakit_engine_query(e, "db", NULL, AT(0), AT(3), &c));
  CHECK(c.good == 3 && c.total == 4);
  EXPECT_OK(slakit_engine_query(e, "db", "p0", AT(0), AT(3), &c));
  CHECK(c.good == 1 && c.total == 2);
  EXPECT_OK(slakit_engine_load_config_file(e, yaml));
  EXPECT_OK(slakit_engine_budget(e, "db", "availability", AT(3), &b));
  CHECK(b.good == 3 && b.total == 4);
  CHECK_EQ_DOUBLE(b.remaining, 0.5);

  rows = 0;
  EXPECT_STATUS(slakit_engine_ingest_csv(e, bad, &rows),
                SLAKIT_INVALID_ARGUMENT, ":2");
  CHECK(rows == 0);
  EXPECT_STATUS(slakit_engine_ingest_csv(e, "/nonexistent/results.csv", NULL),
                SLAKIT_NOT_FOUND, "/nonexistent/results.csv");
  EXPECT_STATUS(slakit_engine_ingest_csv(e, NULL, NULL),
                SLAKIT_INVALID_ARGUMENT, "path is NULL");
  remove(csv);
  remove(bad);
  remove(yaml);
  slakit_engine_destroy(e);
}

static void test_report(void) {
  slakit_engine* e = new_engine();
  slakit_objective o;
  char small[16];
  char* buffer;
  char* allocated = NULL;
  size_t length = 0, allocated_length = 0, needed;
  const char* formats[4] = {"json", "csv", "md", "html"};
  int i;

  memset(&o, 0, sizeof o);
  o.service = "web";
  o.name = "availability";
  o.target_percent = 50;
  o.window = "month";
  EXPECT_OK(slakit_engine_add_objective(e, &o));

  /* Asking for the size: NULL buffer, size 0. */
  EXPECT_STATUS(slakit_engine_report(e, "2024-01", "json", NULL, 0, &length),
                SLAKIT_RESOURCE_EXHAUSTED, "bytes");
  CHECK(length > sizeof small);
  needed = length;
  /* Too small: nothing written, the length needed returned. */
  memset(small, 'x', sizeof small);
  length = 0;
  EXPECT_STATUS(
      slakit_engine_report(e, "2024-01", "json", small, sizeof small, &length),
      SLAKIT_RESOURCE_EXHAUSTED, "buffer_size is 16");
  CHECK(length == needed);
  CHECK(small[0] == 'x' && small[sizeof small - 1] == 'x');
  /* Exactly the report without its NUL is still one byte short. */
  buffer = malloc(needed + 1);
  CHECK(buffer != NULL);
  EXPECT_STATUS(
      slakit_engine_report(e, "2024-01", "json", buffer, needed, &length),
      SLAKIT_RESOURCE_EXHAUSTED, "");
  EXPECT_OK(
      slakit_engine_report(e, "2024-01", "json", buffer, needed + 1, &length));
  CHECK(length == needed && strlen(buffer) == needed);
  CHECK(buffer[0] == '{');
  CHECK(strstr(buffer, "\"month\": \"2024-01\"") != NULL ||
        strstr(buffer, "\"month\":\"2024-01\"") != NULL);
  CHECK(strstr(buffer, "\"availability\"") != NULL);

  /* The allocated form gives the same text. */
  EXPECT_OK(slakit_engine_report_alloc(e, "2024-01", "json", &allocated,
                                       &allocated_length));
  CHECK(allocated != NULL && allocated_length == needed);
  CHECK(allocated != NULL && strcmp(allocated, buffer) == 0);
  slakit_free(allocated);
  free(buffer);

  for (i = 0; i < 4; ++i) {
    allocated = NULL;
    EXPECT_OK(
        slakit_engine_report_alloc(e, "2024-01", formats[i], &allocated, NULL));
    CHECK(allocated != NULL && strstr(allocated, "web") != NULL);
    slakit_free(allocated);
  }

  allocated = NULL;
  EXPECT_STATUS(
      slakit_engine_report_alloc(e, "2024-13", "json", &allocated, NULL),
      SLAKIT_INVALID_ARGUMENT, "2024-13");
  CHECK(allocated == NULL);
  EXPECT_STATUS(
      slakit_engine_report_alloc(e, "2024-01", "pdf", &allocated, NULL),
      SLAKIT_INVALID_ARGUMENT, "format 'pdf'");
  EXPECT_STATUS(slakit_engine_report_alloc(e, "2024-01", "json", NULL, NULL),
                SLAKIT_INVALID_ARGUMENT, "report is NULL");
  EXPECT_STATUS(slakit_engine_report(e, "2024-01", "json", NULL, 8, &length),
                SLAKIT_INVALID_ARGUMENT, "buffer is NULL");
  slakit_engine_destroy(e);
}

/* One thread's work on a shared engine: 600 results (every third failed)
 * on its own SLI, then a failing call whose message it keeps. */
typedef struct worker {
  slakit_engine* engine;
  const char* probe;
  slakit_status ingest_status;
  slakit_status failing_status;
  char message[256];
} worker;

static void* run_worker(void* arg) {
  worker* w = (worker*)arg;
  slakit_named_result r[600];
  slakit_budget b;
  int i;
  for (i = 0; i < 600; ++i) {
    r[i].service = "shared";
    r[i].probe = w->probe;
    r[i].unix_ms = AT(i % 60);
    r[i].latency_ms = 1;
    r[i].ok = i % 3 != 0;
  }
  w->ingest_status = SLAKIT_OK;
  for (i = 0; i < 600 && w->ingest_status == SLAKIT_OK; i += 100) {
    w->ingest_status = slakit_engine_ingest_named(w->engine, r + i, 100);
  }
  w->failing_status =
      slakit_engine_budget(w->engine, "shared", w->probe, AT(60), &b);
  snprintf(w->message, sizeof w->message, "%s", slakit_last_error());
  return NULL;
}

/* An engine shared by threads; each thread has its own last error. */
static void test_threads(void) {
  slakit_engine* e = new_engine();
  worker w[2];
  pthread_t threads[2];
  slakit_budget b;
  slakit_counts c;
  int i;
  EXPECT_STATUS(slakit_engine_budget(e, "web", "main-thread", AT(4), &b),
                SLAKIT_NOT_FOUND, "web/main-thread");
  for (i = 0; i < 2; ++i) {
    w[i].engine = e;
    w[i].probe = i == 0 ? "t0" : "t1";
    CHECK(pthread_create(&threads[i], NULL, run_worker, &w[i]) == 0);
  }
  for (i = 0; i < 2; ++i) CHECK(pthread_join(threads[i], NULL) == 0);
  for (i = 0; i < 2; ++i) {
    CHECK(w[i].ingest_status == SLAKIT_OK);
    CHECK(w[i].failing_status == SLAKIT_NOT_FOUND);
    CHECK(strstr(w[i].message, i == 0 ? "'shared/t0'" : "'shared/t1'") != NULL);
  }
  /* This thread's message is still its own. */
  CHECK(strstr(slakit_last_error(), "web/main-thread") != NULL);
  EXPECT_OK(slakit_engine_query(e, "shared", NULL, AT(0), AT(60), &c));
  CHECK(c.good == 800 && c.total == 1200);
  slakit_engine_destroy(e);
}

/* README.md's C example, as written there, with its answer checked. */
static void test_readme_example(void) {
  double availability = 0;
  /* -- README.md "## C" -- */
  slakit_engine* engine = NULL;
  slakit_engine_create(NULL, &engine); /* default options */
  slakit_named_result r[] = {{"web", "home", 1704067200000, 42, 1},
                             {"web", "home", 1704067260000, 40, 1},
                             {"web", "home", 1704067320000, 41, 1},
                             {"web", "home", 1704067380000, 9000, 0}};
  slakit_engine_ingest_named(engine, r, 4); /* all or nothing */
  slakit_objective slo = {.service = "web",
                          .name = "availability",
                          .target_percent = 99.9,
                          .window = "30d"};
  slakit_engine_add_objective(engine, &slo);
  slakit_budget b;
  if (slakit_engine_budget(engine, "web", "availability", 1704067440000, &b) !=
      SLAKIT_OK) {
    fprintf(stderr, "%s\n", slakit_last_error());
  }
  availability = b.availability; /* 0.75 */
  char* json = NULL; /* allocated by the library, freed by slakit_free */
  slakit_engine_report_alloc(engine, "2024-01", "json", &json, NULL);
  slakit_free(json);
  slakit_engine_destroy(engine);
  /* -- end of the README example -- */
  CHECK_EQ_DOUBLE(availability, 0.75);
  CHECK(b.good == 3 && b.total == 4);
  CHECK(strcmp(slakit_last_error(), "") == 0);
}

/* The usage example at the top of bindings/c/slakit.h, as written there. */
static void test_header_example(void) {
  slakit_engine* e = NULL;
  slakit_engine_create(NULL, &e); /* default options */
  slakit_sli_id home;
  slakit_engine_add_sli(e, "web", "home", SLAKIT_SLI_PROBE_SUCCESS, 0, &home);
  slakit_result r[4] = {{1704067200000, 42, home, 1},  /* 00:00 ok */
                        {1704067260000, 40, home, 1},  /* 00:01 ok */
                        {1704067320000, 9e3, home, 0}, /* 00:02 failed */
                        {1704067380000, 41, home, 1}}; /* 00:03 ok */
  slakit_engine_ingest(e, r, 4);                       /* all or nothing */
  slakit_objective o = {.service = "web",
                        .name = "availability",
                        .target_percent = 50,
                        .window = "1d"};
  if (slakit_engine_add_objective(e, &o) != SLAKIT_OK) {
    fprintf(stderr, "%s\n", slakit_last_error());
  }
  slakit_budget b;
  slakit_engine_budget(e, "web", "availability", 1704067440000, &b);
  CHECK(b.good == 3 && b.total == 4);
  CHECK_EQ_DOUBLE(b.availability, 0.75);
  CHECK_EQ_DOUBLE(b.allowed_bad, 2);
  CHECK_EQ_DOUBLE(b.consumed, 0.5);
  CHECK_EQ_DOUBLE(b.remaining, 0.5);
  slakit_engine_destroy(e);
}

int main(void) {
  test_header_example();
  test_readme_example();
  test_versions_and_names();
  test_create_errors();
  test_counts();
  test_ingest_kinds_and_errors();
  test_objectives();
  test_config();
  test_csv_and_config_file();
  test_report();
  test_threads();
  if (failures != 0) {
    fprintf(stderr, "c_abi_test: %d of %d checks failed\n", failures, checks);
    return 1;
  }
  printf("c_abi_test: all %d checks passed\n", checks);
  return 0;
}
