#include "bindings/cli/openslo_command.h"

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bindings/cli/files.h"
#include "sla/config.h"
#include "sla/openslo.h"

namespace sla {
namespace cli {
namespace {

struct Converted {
  OpenSloImport import;
  std::string yaml;
};

// Converts and renders, and makes sure the text reads back as a
// configuration with the same number of services and objectives.
absl::StatusOr<Converted> Convert(const std::vector<std::string>& files,
                                  std::ostream& warnings) {
  if (files.empty()) {
    return absl::InvalidArgumentError("give at least one OpenSLO file");
  }
  absl::StatusOr<OpenSloImport> im = LoadOpenSlo(files);
  if (!im.ok()) return im.status();
  for (const std::string& w : im->warnings) {
    warnings << "warning: " << w << "\n";
  }
  Converted c{*std::move(im), ""};
  c.yaml = RenderSlakitYaml(c.import, files);
  absl::StatusOr<Config> back =
      ParseConfig(c.yaml, "the converted slakit.yaml");
  if (!back.ok()) {
    return absl::InternalError(
        absl::StrCat("the converted configuration does not read back (a bug "
                     "in the conversion): ",
                     back.status().message()));
  }
  if (back->services.size() != c.import.config.services.size()) {
    return absl::InternalError(
        "the converted configuration does not read back to the same "
        "services (a bug in the conversion)");
  }
  return c;
}

// "3 services, 4 objectives (1 alerting), 3 SLIs"
std::string Summary(const OpenSloImport& im) {
  int objectives = 0;
  int alerting = 0;
  std::vector<std::string> slis;
  for (const ServiceConfig& s : im.config.services) {
    for (const ObjectiveSpec& o : s.objectives) {
      ++objectives;
      alerting += o.alerting;
      for (const std::string& n : o.slis) slis.push_back(s.name + "/" + n);
    }
  }
  std::sort(slis.begin(), slis.end());
  slis.erase(std::unique(slis.begin(), slis.end()), slis.end());
  return absl::StrCat(im.config.services.size(), " services, ", objectives,
                      " objectives (", alerting, " alerting), ", slis.size(),
                      " SLIs; ", im.warnings.size(), " warnings");
}

}  // namespace

absl::StatusOr<std::string> RunImportOpenSlo(
    const ImportOpenSloOptions& options, std::ostream& warnings) {
  absl::StatusOr<Converted> c = Convert(options.files, warnings);
  if (!c.ok()) return c.status();
  if (options.out.empty()) return c->yaml;
  if (absl::Status s = WriteFileAtomically(options.out, c->yaml, "--out");
      !s.ok()) {
    return s;
  }
  return absl::StrCat("wrote ", options.out, ": ", Summary(c->import), "\n");
}

absl::StatusOr<std::string> RunCheckOpenSlo(
    const std::vector<std::string>& files, std::ostream& warnings) {
  absl::StatusOr<Converted> c = Convert(files, warnings);
  if (!c.ok()) return c.status();
  return absl::StrCat(absl::StrJoin(files, ", "), ": OK: ", Summary(c->import),
                      "\n");
}

}  // namespace cli
}  // namespace sla
