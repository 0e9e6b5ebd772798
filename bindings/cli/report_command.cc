#include "bindings/cli/report_command.h"

#include <unistd.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bindings/cli/data_loader.h"
#include "bindings/cli/files.h"
#include "bindings/grpc/audit_log.h"
#include "sla/catalog.h"
#include "sla/config.h"
#include "sla/report.h"

namespace sla {
namespace cli {
absl::StatusOr<std::string> RunReport(const ReportOptions& options) {
  if (options.format != "json" && options.format != "csv" &&
      options.format != "md" && options.format != "html") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--format: '", options.format, "' is not one of json, csv, md, html"));
  }
  absl::StatusOr<absl::CivilMonth> month = ParseMonth(options.month);
  if (!month.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--month: ", month.status().message()));
  }
  // The configuration: --config, or the one kept in the store.
  absl::StatusOr<Config> config =
      absl::InvalidArgumentError("--config: missing (required with --data)");
  if (!options.config.empty()) {
    config = LoadConfig(options.config);
  }
  // A store is opened (recovered) once, for its results and its kept
  // configuration.
  std::unique_ptr<Engine> engine;
  if (!options.data_dir.empty() && options.data.empty()) {
    absl::StatusOr<StoreData> store = LoadStore(options.data_dir);
    if (!store.ok()) return store.status();
    engine = std::move(store->engine);
    if (options.config.empty()) {
      if (!store->config_text) {
        return absl::NotFoundError(absl::StrCat(
            "--data-dir '", options.data_dir,
            "' holds no configuration: give --config, or save one with "
            "slakit import --config"));
      }
      config =
          ParseConfig(*store->config_text, options.data_dir + "/slakit.yaml");
    }
  }
  if (!config.ok()) return config.status();
  if (engine == nullptr) {
    absl::StatusOr<std::unique_ptr<Engine>> loaded =
        LoadEngine(options.data, options.data_dir);
    if (!loaded.ok()) return loaded.status();
    engine = *std::move(loaded);
  }
  // A store written by `slakit serve` keeps the remediation audit beside
  // the data: the report lists the month's runs.
  sla::ReportOptions report_options;
  if (!options.data_dir.empty() && options.data.empty()) {
    const std::string audit_path = options.data_dir + "/remediation.jsonl";
    if (::access(audit_path.c_str(), F_OK) == 0) {
      absl::StatusOr<std::unique_ptr<server::AuditLog>> audit =
          server::AuditLog::Open(audit_path);
      if (!audit.ok()) return audit.status();
      report_options.audit_records = (*audit)->Records();
    }
  }
  absl::StatusOr<MonthlyReport> report =
      BuildMonthlyReport(*engine, *config, *month, report_options);
  if (!report.ok()) return report.status();
  std::string text;
  if (options.format == "json") {
    text = RenderReportJson(*report);
  } else if (options.format == "csv") {
    text = RenderReportCsv(*report);
  } else if (options.format == "md") {
    text = RenderReportMarkdown(*report);
  } else {
    text = RenderReportHtml(*report);
  }
  if (options.out.empty()) return text;
  if (absl::Status s = WriteFileAtomically(options.out, text, "--out");
      !s.ok()) {
    return s;
  }
  return absl::StrCat("wrote ", options.out, " (", options.format, ", ",
                      report->services.size(), " services, ",
                      report->applications.size(), " applications)\n");
}

std::string RunCatalogList() {
  std::string out = absl::StrFormat("%-44s %-26s %s\n", "id", "commitment",
                                    "not confirmed from the provider's text");
  for (const CatalogEntry& e : Catalog()) {
    const std::string note = CatalogConfirmationNote(e);
    absl::StrAppendFormat(&out, "%-44s %-26s %s\n", e.id,
                          FormatCatalogCommitment(e),
                          note.empty() ? "-" : note);
  }
  absl::StrAppend(&out, "\n", Catalog().size(), " entries, catalog version ",
                  kCatalogVersion, "\n");
  return out;
}

absl::StatusOr<std::string> RunCatalogShow(const std::string& id) {
  absl::StatusOr<const CatalogEntry*> e = FindCatalogEntry(id);
  if (!e.ok()) return e.status();
  return FormatCatalogEntry(**e);
}

}  // namespace cli
}  // namespace sla
