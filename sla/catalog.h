// sla/catalog.h: the SLA catalog. What cloud providers commit to, per
// service and tier, compiled into the library as versioned data.
//
// Each entry is one provider/service/tier commitment: the uptime percentage,
// the measurement period, how downtime is measured, the service-credit
// tiers, exclusions, where the numbers come from and how sure we are of
// them. A service configuration names an entry (`catalog: azure/app-service`)
// instead of restating the provider's terms, and may override fields.
//
//   absl::StatusOr<const sla::CatalogEntry*> e =
//       sla::FindCatalogEntry("azure/sql-database/zone-redundant");
//   if (!e.ok()) return e.status();  // NotFound names close ids
//   const sla::CatalogEntry& sql = **e;
//   // sql.commitment_percent == 99.995, sql.interval_minutes == 1,
//   // sql.credits == {{99.995, 10}, {99, 25}, {95, 100}}
//   std::cout << sla::FormatCatalogCommitment(sql);  // "99.995%"
//   const std::string note = sla::CatalogConfirmationNote(sql);
//   if (!note.empty()) std::cout << " (" << note << ")";  // empty here
//   // For "azure/app-service": "99.95%" and
//   // "partial; not confirmed: downtime, credits".
//
// Provenance. The data was transcribed by hand from a research file of 56
// records (52 service records, 4 provider-wide "framework" records) gathered
// from provider SLA texts, provider documentation and third-party
// compilations. The project does not read that file at build or run time;
// kCatalogVersion names this transcription. Numbers are exactly as the
// research states them; when it gives none, the value is NaN or empty and
// the field is listed in unconfirmed_fields. Nothing here is legal advice:
// check the live SLA before filing a claim.
//
// Confirmation. Anything not read in the provider's own SLA text is marked:
//  * `status` grades the entry as a whole: kConfirmed only when the
//    commitment, period, downtime rule and credit tiers were all read in the
//    provider's SLA text (or a verbatim copy of it). It is never better than
//    `commitment_status`, and is at best kPartial when one of those fields
//    is in unconfirmed_fields.
//  * `commitment_status` grades the commitment percentage alone.
//  * `unconfirmed_fields` names each field whose value was not found in any
//    provider text: the research says "unconfirmed", "unknown" or "not
//    read", the value comes only from third parties or an unverified digest,
//    or (maintenance) the provider's terms do not say. It may name
//    "maintenance" or "exclusions" on a kConfirmed entry: those do not
//    enter `status`.
// Whoever shows an entry (list, show, reports) must show these marks;
// FormatCatalogCommitment, CatalogConfirmationNote and FormatCatalogEntry
// do.
//
// Framework records are not entries: they describe provider-wide terms
// (how credits are computed, claim deadlines, general exclusions) and carry
// no commitment. They are available through AllCatalogTerms() and
// FindCatalogTerms(provider); the Azure general terms are also the reason
// every Azure entry has maintenance_counts_as_downtime == true.
//
// Errors: FindCatalogEntry and FindCatalogTerms return NotFound (with
// suggestions) or InvalidArgument; nothing else fails.
//
// Thread safety: the catalog is immutable. It is built on first use
// (thread-safe) and never destroyed; the pointers and spans returned here
// stay valid for the life of the program. All functions are thread-safe.

#ifndef SLA_CATALOG_H_
#define SLA_CATALOG_H_

#include <limits>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace sla {

// The version of the compiled-in catalog data, "YYYY-MM-DD.N": the date of
// the transcription and a revision number within that day. Reports print it
// next to any catalog value so that a number can be traced to its data.
extern const char kCatalogVersion[];

// How a value was established, best first (the enumerator order is the
// ranking: a lower value is better confirmed).
enum class ConfirmationStatus {
  kConfirmed,      // read in the provider's own SLA text (or a verbatim copy)
  kConfirmedDocs,  // read in the provider's product documentation, not the
                   // SLA text
  kPartial,        // some fields confirmed, others not (see
                   // unconfirmed_fields)
  kSecondary,      // only third-party compilations; treat as unverified
  kUnconfirmed,    // not found; do not rely on it without checking the SLA
};

// "confirmed", "confirmed_docs", "partial", "secondary", "unconfirmed".
absl::string_view ConfirmationStatusName(ConfirmationStatus status);

// True only for kConfirmed: the value was read in the provider's SLA text.
// Documentation (kConfirmedDocs) is the provider's word too, but not its
// contract, and is marked as such.
bool IsConfirmedFromProviderText(ConfirmationStatus status);

// One service-credit tier: when the period's uptime is strictly below
// below_percent (and not below the next tier's threshold), credit_percent
// of the affected monthly charges is owed. Same meaning as sla::CreditTier
// in sla/contract.h.
struct CatalogCreditTier {
  double below_percent = 0;
  double credit_percent = 0;

  friend bool operator==(const CatalogCreditTier& a,
                         const CatalogCreditTier& b) {
    return a.below_percent == b.below_percent &&
           a.credit_percent == b.credit_percent;
  }
};

// How the provider decides what counts as downtime. The first three map to
// sla::ContractSpec (sla/contract.h): the two interval kinds to
// DowntimeMethod::kInterval, kAverageErrorRate to kRequestBased.
enum class CatalogDowntimeKind {
  // The period is cut into intervals of interval_minutes; an interval is
  // down when every request or check in it fails ("no connectivity during
  // the minute"). Uptime % = share of intervals that are up.
  kIntervalAllFail,
  // As above, but an interval is down when its error ratio exceeds
  // max_error_ratio (Cloud Run: more than 1 % errors in a minute).
  kIntervalErrorRate,
  // Uptime % = 100 - the average of the error rates of intervals of
  // interval_minutes (S3: 5 minutes; Azure Storage: 1 hour).
  kAverageErrorRate,
  // Uptime % = (total - failed) / total requests over the whole period
  // (Azure Functions, Consumption plan). interval_minutes is 0.
  kRequestRatio,
  // Not stated precisely enough to compute; see downtime_definition.
  // interval_minutes is 0 and "downtime" is in unconfirmed_fields.
  kOther,
};

// "interval_all_fail", "interval_error_rate", "average_error_rate",
// "request_ratio", "other".
absl::string_view CatalogDowntimeKindName(CatalogDowntimeKind kind);

// The names CatalogEntry::unconfirmed_fields uses:
//   commitment_percent  commitment_percent
//   period              period
//   downtime            downtime_kind, interval_minutes, max_error_ratio and
//                       downtime_definition
//   maintenance         maintenance_counts_as_downtime
//   credits             credits
//   exclusions          exclusions
//   source_url          source_url
//   source_date         source_date
inline constexpr absl::string_view kCatalogFieldNames[] = {
    "commitment_percent", "period",     "downtime",   "maintenance", "credits",
    "exclusions",         "source_url", "source_date"};

// One provider/service/tier commitment.
struct CatalogEntry {
  // Stable id, provider/service[/tier], lower case: "azure/app-service",
  // "azure/sql-database/zone-redundant", "aws/rds/multi-az". The tier
  // segment is left out when one entry covers every tier with an SLA
  // ("aws/lambda"), or for the base offering that other entries refine
  // ("azure/app-service" and "azure/sql-database": not zone redundant).
  std::string id;
  // The id of the research record this entry was transcribed from
  // ("azure-app-service-standard"). Several entries share one when a record
  // gives several commitments (Cosmos DB reads and writes, GKE tiers).
  std::string source_id;
  std::string provider;  // "azure", "aws", "gcp"
  std::string service;   // human name: "App Service", "Amazon S3"
  std::string tier;      // which plans/configurations, as worded

  // Uptime commitment in percent, as written in the research (99.95); NaN
  // when it gives no number.
  double commitment_percent = std::numeric_limits<double>::quiet_NaN();
  ConfirmationStatus commitment_status = ConfirmationStatus::kUnconfirmed;
  // The measurement period, as worded: "Applicable Period (calendar
  // month)", "monthly billing cycle". Every entry is monthly.
  std::string period;

  CatalogDowntimeKind downtime_kind = CatalogDowntimeKind::kOther;
  // Interval length for the interval and average kinds (1, 5, 60); 0
  // otherwise.
  int interval_minutes = 0;
  // kIntervalErrorRate only: an interval is down when its error ratio is
  // strictly above this (0.01 for "more than 1 %"). 0 for the other kinds.
  double max_error_ratio = 0;
  // Short wording of the provider's definition, from the research.
  std::string downtime_definition;

  // Whether scheduled maintenance counts as downtime (true for Azure: its
  // general terms exclude Scheduled Downtime for other Online Services but
  // not for Azure). false when the terms exclude it (Cloud SQL, GKE) or do
  // not say; "maintenance" is then in unconfirmed_fields. Same meaning as
  // sla::ContractSpec::maintenance_counts_as_downtime.
  bool maintenance_counts_as_downtime = false;

  // Strictly decreasing below_percent. Empty when the research has none
  // ("credits" is then in unconfirmed_fields): empty does not mean "no
  // credits are owed".
  std::vector<CatalogCreditTier> credits;
  std::string exclusions;  // short wording, service-specific first

  std::string source_url;   // one https:// URL: the SLA or the source read
  std::string source_note;  // other sources, or "not read"; may be empty
  std::string source_date;  // as the research words it; often a version

  ConfirmationStatus status = ConfirmationStatus::kUnconfirmed;
  std::vector<std::string> unconfirmed_fields;  // from kCatalogFieldNames
  std::string notes;

  // Whether `field` (a kCatalogFieldNames name) is in unconfirmed_fields.
  bool IsUnconfirmed(absl::string_view field) const;
};

// Every entry, sorted by id (ids are unique).
absl::Span<const CatalogEntry> Catalog();

// The entry with this id, compared case-insensitively.
// NotFound when there is none; the message lists close ids (same provider
// first), e.g. `no catalog entry "aws/rds-multi-az"; close ids:
// aws/rds/multi-az, aws/rds/single-db`. InvalidArgument for an empty id.
absl::StatusOr<const CatalogEntry*> FindCatalogEntry(absl::string_view id);

// Provider-wide terms from the framework records: how credits are
// computed, how to claim, general exclusions. Text only; an entry's own
// fields take precedence.
struct CatalogTerms {
  std::string provider;   // "azure", "aws", "gcp", "microsoft"
  std::string source_id;  // "azure-generic-terms"
  std::string title;      // what the terms cover
  std::string scope;
  std::string period;
  std::string downtime_definition;  // the provider's usual forms
  std::string credits;              // usual ladders, as worded
  std::string credit_calculation;   // what a credit is a percentage of
  std::string claims;               // how and by when to claim
  std::string exclusions;
  // What the terms say about scheduled maintenance; empty when nothing.
  std::string maintenance;
  std::string source_url;
  std::string source_note;
  std::string source_date;
  ConfirmationStatus status = ConfirmationStatus::kUnconfirmed;
  std::string notes;
};

// All provider terms, sorted by provider (one per provider).
absl::Span<const CatalogTerms> AllCatalogTerms();

// The terms of `provider` ("azure"); NotFound listing the providers that
// have terms.
absl::StatusOr<const CatalogTerms*> FindCatalogTerms(
    absl::string_view provider);

// The commitment as shown anywhere: "99.95%", marked when not confirmed
// from the provider's SLA text: "99.99% [confirmed_docs]",
// "99.9% [secondary]", "99.9% [unconfirmed]", "none stated [unconfirmed]".
std::string FormatCatalogCommitment(const CatalogEntry& entry);

// One line saying what is not confirmed, for lists and reports; empty when
// everything is confirmed. "partial; not confirmed: downtime, credits",
// "confirmed; not confirmed: maintenance", "secondary; not confirmed:
// commitment_percent, downtime, credits, exclusions".
std::string CatalogConfirmationNote(const CatalogEntry& entry);

// A readable multi-line description of an entry (what `slakit catalog
// show` prints), every unconfirmed value marked, ending with a newline.
std::string FormatCatalogEntry(const CatalogEntry& entry);

}  // namespace sla

#endif  // SLA_CATALOG_H_
