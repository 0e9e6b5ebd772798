// slakit: the command-line front end of the slakit engine.
//
//   slakit demo                         sample IoT application, its report
//   slakit eval --data F.csv --target 99.9 --window 30d --at T [--format]
//   slakit generate --preset default --out workload.csv
//   slakit check --config slakit.yaml | --openslo F.yaml...
//   slakit import --data-dir DIR F.csv|F.jsonl|F.prom [--format]
//                                          (then eval/report --data-dir DIR)
//   slakit report --config slakit.yaml --data F.csv --month 2024-01
//   slakit catalog list | show ID
//   slakit probe --config slakit.yaml [--once] [--format json|table]
//   slakit serve --config slakit.yaml --data-dir DIR [--listen 127.0.0.1:7070]
//   slakit token new --name N --tenants a,b --roles ingest,read [--file F]
//   slakit rules --config slakit.yaml [--source slakit|blackbox] [--out F]
//   slakit import-openslo F.yaml... [--out slakit.yaml]
//
// Exit status: 0 success, 2 bad input or usage, 1 internal error.

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "bindings/cli/data_loader.h"
#include "bindings/cli/demo_command.h"
#include "bindings/cli/eval_command.h"
#include "bindings/cli/openslo_command.h"
#include "bindings/cli/probe_command.h"
#include "bindings/cli/report_command.h"
#include "bindings/cli/rules_command.h"
#include "bindings/cli/serve_command.h"
#include "bindings/grpc/probe_feeder.h"
#include "probes/synthetic.h"
#include "sla/config.h"

namespace {

int ExitCode(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kOk:
      return 0;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
      return 2;
    default:
      return 1;
  }
}

int Report(const absl::StatusOr<std::string>& out) {
  if (!out.ok()) {
    std::cerr << "slakit: " << out.status().message() << "\n";
    return ExitCode(out.status());
  }
  std::fwrite(out->data(), 1, out->size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

struct GenerateOptions {
  std::string preset = "default";
  std::string out;
  int services = 0;
  int probes = 0;
  int days = 0;
  int interval_s = 0;
  int64_t seed = -1;
  bool no_tail = false;
};

absl::StatusOr<std::string> RunGenerate(const GenerateOptions& g) {
  // The overrides: 0 keeps the preset's value, a negative one is refused.
  for (const auto& [flag, value] :
       {std::pair<const char*, int>{"--services", g.services},
        {"--probes-per-service", g.probes},
        {"--days", g.days},
        {"--interval-s", g.interval_s}}) {
    if (value < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, ": ", value, " is negative"));
    }
  }
  absl::StatusOr<sla::probes::WorkloadOptions> w =
      sla::probes::WorkloadPreset(g.preset);
  if (!w.ok()) return w.status();
  if (g.services > 0) w->services = g.services;
  if (g.probes > 0) w->probes_per_service = g.probes;
  if (g.days > 0) w->days = g.days;
  if (g.interval_s > 0) w->interval_s = g.interval_s;
  if (g.seed >= 0) w->seed = static_cast<uint64_t>(g.seed);
  if (g.no_tail) w->tail_incident = false;
  if (absl::Status s = sla::probes::ValidateWorkloadOptions(*w); !s.ok()) {
    return s;
  }
  const std::string tmp = g.out + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot write '", tmp, "': ", std::strerror(errno)));
  }
  absl::StatusOr<sla::probes::WorkloadSummary> summary =
      sla::probes::WriteWorkloadCsv(*w, f);
  const bool closed = std::fclose(f) == 0;
  if (!summary.ok() || !closed) {
    std::remove(tmp.c_str());
    if (!summary.ok()) return summary.status();
    return absl::DataLossError(absl::StrCat("cannot close '", tmp, "'"));
  }
  if (std::rename(tmp.c_str(), g.out.c_str()) != 0) {
    return absl::InternalError(
        absl::StrCat("cannot rename to '", g.out, "': ", std::strerror(errno)));
  }
  return absl::StrCat("wrote ", g.out, ": ", summary->rows, " results, ",
                      summary->failures, " failed, evaluate at ",
                      sla::TimeToString(absl::FromUnixMillis(summary->end_ms)),
                      " (", summary->end_ms, ")\n");
}

absl::StatusOr<std::string> RunCheck(const std::string& path) {
  absl::StatusOr<sla::Config> config = sla::LoadConfig(path);
  if (!config.ok()) return config.status();
  // Every probe's checker can be built (regexes compile, addresses parse).
  if (absl::Status s = sla::server::ValidateProbes(*config); !s.ok()) return s;
  int objectives = 0;
  int contracts = 0;
  int probes = 0;
  for (const sla::ServiceConfig& s : config->services) {
    objectives += static_cast<int>(s.objectives.size());
    contracts += s.contract.has_value();
    probes += static_cast<int>(s.probes.size());
  }
  for (const sla::ApplicationConfig& a : config->applications) {
    objectives += static_cast<int>(a.objectives.size());
  }
  return absl::StrCat(
      path, ": OK: ", config->services.size(), " services (", contracts,
      " with a contract), ", config->applications.size(), " applications, ",
      objectives, " objectives, ", probes, " probes, ",
      config->maintenance.size(), " maintenance windows; time zone ",
      config->timezone, "\n");
}

}  // namespace

int main(int argc, char** argv) {
  // Debian's Abseil is built without NDEBUG, so every absl::Mutex lock runs
  // the deadlock detector (a global lock and a hash lookup per acquisition,
  // about a fifth of a query's time) and aborts the process on a suspected
  // lock-order cycle. A production command wants neither; the tests keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  CLI::App app{
      "slakit: SLA compliance and PaaS health.\n"
      "Exact availability, error budgets and burn rates from probe results."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "slakit 0.1.0");

  sla::cli::DemoOptions demo;
  CLI::App* demo_cmd = app.add_subcommand(
      "demo",
      "The main job: a sample IoT application on Azure PaaS (web app, SQL "
      "database, Service Bus, IoT Hub, Functions) with a month of simulated "
      "probe results (a provider outage, an application bug, a brownout, a "
      "maintenance window); writes its monthly report (HTML, JSON, Markdown) "
      "and prints the summary.");
  demo_cmd
      ->add_option("--out-dir", demo.out_dir,
                   "Where to write the report, config and results")
      ->capture_default_str();
  demo_cmd->add_option("--seed", demo.seed, "Simulation seed")
      ->capture_default_str();
  demo_cmd
      ->add_option("--format", demo.format,
                   "table (a summary) or json (the whole report)")
      ->capture_default_str();

  sla::cli::EvalOptions eval;
  CLI::App* eval_cmd = app.add_subcommand(
      "eval",
      "Availability, error budget and burn rates (5m 30m 1h 2h 6h 1d 3d) of "
      "every probe and service in a CSV (timestamp_ms,service,probe,ok,"
      "latency_ms) over the half-open window [at - window, at).");
  eval_cmd->add_option("--data", eval.data, "CSV file of probe results");
  eval_cmd->add_option("--data-dir", eval.data_dir,
                       "Or a store directory written by `slakit import`");
  eval_cmd
      ->add_option("--target", eval.target_percent,
                   "Objective in percent, e.g. 99.9")
      ->capture_default_str();
  eval_cmd
      ->add_option("--window", eval.window,
                   "Rolling window (30d, 28d, 1h) or calendar period "
                   "(month, week@Europe/Paris: the period to date)")
      ->capture_default_str();
  eval_cmd
      ->add_option("--at", eval.at,
                   "Evaluation time: RFC 3339 (2024-01-31T00:00:00Z) or "
                   "epoch milliseconds; counts are per minute, so it is "
                   "floored to its minute")
      ->required();
  eval_cmd->add_option("--format", eval.format, "table or json")
      ->capture_default_str();

  GenerateOptions gen;
  CLI::App* gen_cmd = app.add_subcommand(
      "generate",
      "Write a deterministic synthetic probe workload CSV (presets tiny, "
      "small, default = 50 services x 4 probes x 30 days at 60 s).");
  gen_cmd->add_option("--preset", gen.preset, "tiny, small or default")
      ->capture_default_str();
  gen_cmd->add_option("--out", gen.out, "Output CSV path")->required();
  gen_cmd->add_option("--services", gen.services, "Override: services");
  gen_cmd->add_option("--probes-per-service", gen.probes,
                      "Override: probes per service");
  gen_cmd->add_option("--days", gen.days, "Override: days");
  gen_cmd->add_option("--interval-s", gen.interval_s,
                      "Override: probe interval in seconds");
  gen_cmd->add_option("--seed", gen.seed, "Override: seed");
  gen_cmd->add_flag("--no-tail-incident", gen.no_tail,
                    "Do not add the incidents still running at the end");

  sla::cli::ReportOptions report;
  CLI::App* report_cmd = app.add_subcommand(
      "report",
      "The monthly compliance report: per service the provider contract "
      "(uptime as the contract defines it, downtime, incidents, credit owed) "
      "and objectives; per application the composite availability and who "
      "spent its budget.");
  report_cmd->add_option(
      "--config", report.config,
      "Configuration file (with --data-dir: defaults to the one kept in the "
      "store by `slakit import --config`)");
  report_cmd->add_option("--data", report.data, "CSV file of probe results");
  report_cmd->add_option("--data-dir", report.data_dir,
                         "Or a store directory written by `slakit import`");
  report_cmd
      ->add_option("--month", report.month,
                   "Month to report, YYYY-MM, in the configured time zone")
      ->required();
  report_cmd->add_option("--format", report.format, "json, csv, md or html")
      ->capture_default_str();
  report_cmd->add_option("--out", report.out,
                         "Write the report to this file instead of stdout");

  CLI::App* catalog_cmd = app.add_subcommand(
      "catalog", "The built-in catalog of provider SLA terms.");
  catalog_cmd->require_subcommand(1);
  CLI::App* catalog_list = catalog_cmd->add_subcommand(
      "list",
      "List every entry; terms not confirmed from the provider's own "
      "SLA text are marked.");
  std::string catalog_id;
  CLI::App* catalog_show =
      catalog_cmd->add_subcommand("show", "Show one entry in full.");
  catalog_show->add_option("id", catalog_id, "Entry id, e.g. azure/app-service")
      ->required();

  sla::cli::ImportOptions import;
  CLI::App* import_cmd = app.add_subcommand(
      "import",
      "Append probe results to a durable store (write-ahead log plus "
      "snapshots) in a data directory; eval and report then take "
      "--data-dir. Reads CSV (timestamp_ms,service,probe,ok,latency_ms), JSON "
      "lines (one object per line: timestamp_ms or timestamp (RFC 3339), "
      "service, probe, ok or outcome, latency_ms; what `slakit probe "
      "--format json` prints) and Prometheus text (probe_success and "
      "probe_duration_seconds as blackbox_exporter writes them; service from "
      "the label service or job, probe from probe, instance or target). The "
      "file is imported whole or not at all, and importing the same file "
      "again adds nothing.");
  import_cmd->add_option("--data-dir", import.data_dir, "Store directory")
      ->required();
  import_cmd->add_option("file", import.file,
                         "File of probe results (.csv, .jsonl, .ndjson, "
                         ".prom, .txt)");
  import_cmd->add_option(
      "--format", import.format,
      "csv, jsonl or prom (default: from the file's extension: .csv; "
      ".jsonl, .ndjson; .prom, .txt)");
  import_cmd->add_option("--service", import.service,
                         "prom only: service of samples with no service or "
                         "job label (a raw blackbox /probe scrape)");
  import_cmd->add_option("--probe", import.probe,
                         "prom only: probe of samples with no probe, "
                         "instance or target label");
  import_cmd->add_option("--at", import.at,
                         "prom only: time of samples without a timestamp "
                         "(when the scrape was taken): RFC 3339 "
                         "(2024-01-31T00:00:00Z) or epoch milliseconds");
  import_cmd->add_option("--config", import.config,
                         "Validate this slakit.yaml and keep it in the store "
                         "(contracts, applications, maintenance)");
  import_cmd->add_flag(
      "--no-progress", [&import](int64_t) { import.progress = false; },
      "No progress lines on stderr");

  std::string check_config;
  std::vector<std::string> check_openslo;
  CLI::App* check_cmd = app.add_subcommand(
      "check",
      "Validate a configuration file (slakit.yaml), or OpenSLO files as "
      "`slakit import-openslo` would convert them, and report every "
      "problem with file:line:column and the field's path. Exit 0 when "
      "valid (OpenSLO warnings on stderr), 2 otherwise.");
  CLI::Option* check_config_opt =
      check_cmd->add_option("--config", check_config, "Configuration file");
  check_cmd
      ->add_option("--openslo", check_openslo,
                   "OpenSLO YAML files (openslo/v1, or openslo/v1alpha as "
                   "Sloth reads it), checked together")
      ->excludes(check_config_opt);
  check_cmd->require_option(1);

  sla::cli::ImportOpenSloOptions import_openslo;
  CLI::App* import_openslo_cmd = app.add_subcommand(
      "import-openslo",
      "Convert OpenSLO documents (Service, SLO, SLI, AlertPolicy, "
      "AlertCondition; openslo/v1, or openslo/v1alpha as Sloth reads it) "
      "into a slakit.yaml on stdout. Each SLO objective becomes an objective "
      "of its service (named after the SLO; <slo>-<i> when it has several), "
      "targets become percents (0.999 -> 99.9), windows slakit windows (2w "
      "-> 14d, calendar 1M -> month@zone), burnrate conditions burn-rate "
      "tiers. The metric queries are not used: each SLI becomes a named "
      "probe-success series of the service (the SLI's name), fed by slakit's "
      "own results. Problems (exit 2) are listed with file:line:column and "
      "path; inexact conversions are warnings on stderr.");
  import_openslo_cmd
      ->add_option("files", import_openslo.files,
                   "OpenSLO YAML files (several documents or lists each); "
                   "references resolve across them")
      ->required();
  import_openslo_cmd->add_option(
      "--out", import_openslo.out,
      "Write the slakit.yaml to this file instead of stdout");

  sla::cli::ServeOptions serve;
  CLI::App* serve_cmd = app.add_subcommand(
      "serve",
      "Serve the engine over gRPC (sla.v1.SlaService, health, reflection) "
      "until SIGTERM or SIGINT, with the durable store in --data-dir. "
      "Listens on loopback unless told otherwise; a non-loopback address "
      "needs --tokens.");
  serve_cmd->add_option("--data-dir", serve.data_dir, "Store directory")
      ->required();
  serve_cmd->add_option("--config", serve.config,
                        "slakit.yaml to apply (and keep in the store); "
                        "default: the one kept in the store");
  serve_cmd
      ->add_option("--listen", serve.listen,
                   "gRPC address host:port (port 0 picks one)")
      ->capture_default_str();
  serve_cmd->add_option("--metrics-listen", serve.metrics_listen,
                        "Address of the Prometheus /metrics endpoint, e.g. "
                        "127.0.0.1:9464 (default: none)");
  serve_cmd->add_option("--tokens", serve.tokens,
                        "Token file (hashes only; see `slakit token new`)");
  serve_cmd->add_option("--tls-cert", serve.tls_cert,
                        "Server certificate (PEM)");
  serve_cmd->add_option("--tls-key", serve.tls_key, "Server key (PEM)");
  serve_cmd->add_option("--tls-client-ca", serve.tls_client_ca,
                        "CA of client certificates (PEM): verify them");
  serve_cmd->add_flag("--require-client-cert", serve.require_client_cert,
                      "Refuse clients without a certificate");
  serve_cmd
      ->add_option("--sync", serve.sync,
                   "Log flush policy: none, interval (1 s) or always")
      ->capture_default_str();
  serve_cmd
      ->add_option("--alert-interval", serve.alert_interval,
                   "How often alerting objectives are evaluated (0: "
                   "never)")
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-batch", serve.max_batch,
                   "Largest batch accepted, in records")
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-message-mb", serve.max_message_mb,
                   "Largest request accepted, in MiB")
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-call", serve.max_call,
                   "Per-call limit of queries (status, availability, "
                   "composite, report)")
      ->capture_default_str();
  serve_cmd
      ->add_option("--grace", serve.grace,
                   "Time given to calls in flight at SIGTERM")
      ->capture_default_str();
  serve_cmd
      ->add_option("--malloc-arenas", serve.malloc_arenas,
                   "glibc malloc arenas, 0 to 64 (0: glibc's default, 8 per "
                   "core); fewer keep less freed memory per thread. "
                   "MALLOC_ARENA_MAX or the glibc.malloc.arena_max tunable "
                   "in the environment wins")
      ->capture_default_str();
  serve_cmd
      ->add_option("--dedupe-max-ids", serve.dedupe_max_ids,
                   "Batch ids remembered for idempotent retries (for 24 h "
                   "at most; the oldest are forgotten first), shared by "
                   "every tenant; about 130 bytes plus the id's length each")
      ->capture_default_str();

  serve_cmd->add_flag(
      "--no-probes", [&serve](int64_t) { serve.run_probes = false; },
      "Do not run the probes the configuration declares (services[].probes)");

  sla::cli::ProbeOptions probe;
  CLI::App* probe_cmd = app.add_subcommand(
      "probe",
      "Run the probes a configuration declares (services[].probes: http, "
      "tcp, grpc_health, scenario, metric) and print each result: outcome "
      "(ok, fail, timeout, error), latency and reason. With --once every "
      "probe runs once, all at the same time, and the command exits 0 when "
      "all are ok and 3 when some are not (2: bad configuration or option). "
      "Without --once the probes run on their intervals until Ctrl-C, one "
      "line per result; --format json then prints JSON lines that `slakit "
      "import --format jsonl` reads back.");
  probe_cmd->add_option("--config", probe.config, "slakit.yaml")->required();
  probe_cmd->add_flag("--once", probe.once, "Run each probe once and exit");
  probe_cmd->add_option("--format", probe.format, "table or json")
      ->capture_default_str();
  probe_cmd->add_option("--service", probe.services,
                        "Only this service's probes (repeatable)");
  probe_cmd->add_option("--probe", probe.probes,
                        "Only probes of this name (repeatable)");
  probe_cmd
      ->add_option("--concurrency", probe.concurrency, "Checks running at once")
      ->capture_default_str();

  sla::cli::RulesOptions rules;
  CLI::App* rules_cmd = app.add_subcommand(
      "rules",
      "Write Prometheus recording and alerting rules for the configured "
      "objectives, with Sloth's names and labels (slo:sli_error:ratio_rate5m "
      "... ratio_rate30d, slo:objective:ratio, sloth_id, ...) so its Grafana "
      "dashboards work, and multi-window burn-rate alerts (page, ticket) "
      "with slakit's tiers for objectives with `alerting`. Check the output "
      "with `promtool check rules`.");
  rules_cmd->add_option("--config", rules.config, "slakit.yaml")->required();
  rules_cmd->add_option("--out", rules.out,
                        "Write the rules to this file instead of stdout");
  rules_cmd
      ->add_option("--source", rules.source,
                   "Where error ratios come from: slakit (slakit serve's "
                   "/metrics: slakit_objective_burn_rate, exact) or blackbox "
                   "(blackbox_exporter's probe_success{service, probe})")
      ->capture_default_str();
  rules_cmd
      ->add_option("--service-label", rules.service_label,
                   "blackbox: the probe_success label naming the service")
      ->capture_default_str();
  rules_cmd
      ->add_option("--probe-label", rules.probe_label,
                   "blackbox: the probe_success label naming the probe")
      ->capture_default_str();
  rules_cmd->add_option(
      "--error-ratio-query", rules.error_ratio_queries,
      "service/objective=PROMQL: this objective's error ratio, with "
      "{{.window}} where the range goes (as Sloth's error_ratio_query); "
      "repeatable. The only way to export an application's objective");

  sla::cli::TokenOptions token;
  CLI::App* token_cmd =
      app.add_subcommand("token", "Bearer tokens of `slakit serve`.");
  token_cmd->require_subcommand(1);
  CLI::App* token_new = token_cmd->add_subcommand(
      "new",
      "Make a random token: prints it once (only its hash is stored) and "
      "the line of the token file (or appends it to --file).");
  token_new->add_option("--name", token.name, "Who holds it")->required();
  token_new
      ->add_option("--tenants", token.tenants,
                   "Tenants it may use: a,b or * for all")
      ->required();
  token_new
      ->add_option("--roles", token.roles,
                   "Roles: ingest, read, admin (comma-separated)")
      ->required();
  token_new->add_option("--file", token.file,
                        "Append the line to this token file (mode 0600)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version print and succeed; a usage error is one line
    // naming the problem, like every other error.
    if (e.get_exit_code() == 0) return app.exit(e);
    std::cerr << "slakit: " << e.what() << " (see slakit --help)\n";
    return 2;
  }
  if (*demo_cmd) return Report(sla::cli::RunDemo(demo));
  if (*eval_cmd) return Report(sla::cli::RunEval(eval));
  if (*check_cmd && !check_openslo.empty()) {
    return Report(sla::cli::RunCheckOpenSlo(check_openslo, std::cerr));
  }
  if (*check_cmd) return Report(RunCheck(check_config));
  if (*import_openslo_cmd) {
    return Report(sla::cli::RunImportOpenSlo(import_openslo, std::cerr));
  }
  if (*import_cmd) return Report(sla::cli::RunImport(import));
  if (*report_cmd) return Report(sla::cli::RunReport(report));
  if (*catalog_list) return Report(sla::cli::RunCatalogList());
  if (*token_new) return Report(sla::cli::RunTokenNew(token));
  if (*serve_cmd) {
    const absl::Status s = sla::cli::RunServe(serve);
    if (!s.ok()) std::cerr << "slakit: " << s.message() << "\n";
    return ExitCode(s);
  }
  if (*probe_cmd) {
    absl::StatusOr<bool> all_ok = sla::cli::RunProbe(probe, std::cout);
    if (!all_ok.ok()) {
      std::cerr << "slakit: " << all_ok.status().message() << "\n";
      return ExitCode(all_ok.status());
    }
    return *all_ok ? 0 : 3;
  }
  if (*catalog_show) return Report(sla::cli::RunCatalogShow(catalog_id));
  if (*rules_cmd) return Report(sla::cli::RunRules(rules));
  if (*gen_cmd) {
    absl::StatusOr<std::string> out = RunGenerate(gen);
    if (!out.ok()) return Report(out);
    std::cerr << *out;
    return 0;
  }
  return 2;
}
