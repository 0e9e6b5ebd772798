#include "sla/catalog.h"

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sla {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;
using ::testing::UnorderedElementsAreArray;

// The service records of the research file (record_type framework excluded),
// in the file's order. Every one must be the source of at least one entry.
const char* const kServiceRecordIds[] = {
    "azure-app-service-standard",
    "azure-app-service-zone-redundant",
    "azure-functions-consumption",
    "azure-functions-premium-dedicated",
    "azure-sql-db-zone-redundant",
    "azure-sql-db-non-zone-redundant",
    "azure-sql-db-basic-standard",
    "azure-cosmosdb-single-region",
    "azure-cosmosdb-single-region-az",
    "azure-cosmosdb-multi-region-single-write",
    "azure-cosmosdb-multi-region-writes",
    "azure-service-bus-basic-standard",
    "azure-service-bus-premium",
    "azure-event-hubs-basic-standard",
    "azure-event-hubs-premium-dedicated",
    "azure-iot-hub",
    "azure-storage-write-hot",
    "azure-storage-read-ra-hot",
    "azure-storage-read-hot",
    "azure-storage-write-cool",
    "azure-storage-read-ra-cool",
    "azure-storage-read-cool",
    "azure-redis-standard-premium",
    "azure-redis-enterprise",
    "azure-application-gateway",
    "azure-load-balancer-standard",
    "azure-aks-uptime-sla",
    "azure-vm-availability-zones",
    "azure-vm-availability-set",
    "azure-vm-single-premium",
    "azure-vm-single-standard-ssd",
    "azure-vm-single-standard-hdd",
    "aws-ec2-region-level",
    "aws-ec2-instance-level",
    "aws-s3-standard",
    "aws-s3-infrequent-access",
    "aws-rds-multi-az",
    "aws-rds-single-db",
    "aws-dynamodb-standard",
    "aws-dynamodb-global-tables",
    "aws-lambda",
    "aws-sqs",
    "aws-api-gateway",
    "gcp-compute-multi-zone",
    "gcp-compute-single-memory-optimized",
    "gcp-compute-single-other",
    "gcp-cloud-storage-multi-region-standard",
    "gcp-cloud-sql-enterprise-plus",
    "gcp-cloud-sql-enterprise",
    "gcp-cloud-run",
    "gcp-pubsub",
    "gcp-gke",
};

const CatalogEntry& Get(absl::string_view id) {
  absl::StatusOr<const CatalogEntry*> e = FindCatalogEntry(id);
  EXPECT_TRUE(e.ok()) << id << ": " << e.status();
  if (!e.ok()) {
    static const CatalogEntry* const kEmpty = new CatalogEntry();
    return *kEmpty;
  }
  return **e;
}

bool IsKnownField(absl::string_view name) {
  for (absl::string_view f : kCatalogFieldNames) {
    if (f == name) return true;
  }
  return false;
}

// Fields that decide met/credit; when one is unconfirmed the entry is at best
// partial.
bool IsCoreField(absl::string_view name) {
  return name == "commitment_percent" || name == "period" ||
         name == "downtime" || name == "credits";
}

bool WorseOrEqual(ConfirmationStatus a, ConfirmationStatus b) {
  return static_cast<int>(a) >= static_cast<int>(b);
}

std::string NotFoundMessage(absl::string_view id) {
  absl::StatusOr<const CatalogEntry*> e = FindCatalogEntry(id);
  EXPECT_EQ(e.status().code(), absl::StatusCode::kNotFound) << id;
  return std::string(e.status().message());
}

// ---------------------------------------------------------------------------
// Structure of the whole table.

TEST(CatalogTest, VersionLooksLikeDateAndRevision) {
  const std::string v = kCatalogVersion;
  ASSERT_GE(v.size(), 12u) << v;
  EXPECT_EQ(v[4], '-');
  EXPECT_EQ(v[7], '-');
  EXPECT_EQ(v[10], '.');
  EXPECT_EQ(v.substr(0, 4), "2026");
}

TEST(CatalogTest, IdsAreUniqueSortedAndWellFormed) {
  const absl::Span<const CatalogEntry> all = Catalog();
  ASSERT_FALSE(all.empty());
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_LT(all[i - 1].id, all[i].id) << "at index " << i;
  }
  for (const CatalogEntry& e : all) {
    SCOPED_TRACE(e.id);
    const std::vector<std::string> parts = absl::StrSplit(e.id, '/');
    EXPECT_TRUE(parts.size() == 2 || parts.size() == 3);
    EXPECT_EQ(parts[0], e.provider);
    for (char c : e.id) {
      EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '/')
          << "'" << c << "'";
    }
    for (const std::string& p : parts) EXPECT_FALSE(p.empty());
  }
}

TEST(CatalogTest, CatalogIsStable) {
  EXPECT_EQ(Catalog().data(), Catalog().data());
  EXPECT_EQ(Get("azure/app-service").id, "azure/app-service");
  EXPECT_EQ(&Get("azure/app-service"), &Get("AZURE/App-Service "));
}

TEST(CatalogTest, EveryServiceRecordIsTranscribed) {
  std::set<std::string> sources;
  for (const CatalogEntry& e : Catalog()) sources.insert(e.source_id);
  EXPECT_THAT(sources, UnorderedElementsAreArray(kServiceRecordIds));
}

TEST(CatalogTest, CountsByProviderAndStatus) {
  std::map<std::string, int> by_provider;
  std::map<ConfirmationStatus, int> by_status;
  for (const CatalogEntry& e : Catalog()) {
    ++by_provider[e.provider];
    ++by_status[e.status];
  }
  EXPECT_EQ(Catalog().size(), 60u);
  EXPECT_EQ(by_provider["azure"], 36);
  EXPECT_EQ(by_provider["aws"], 11);
  EXPECT_EQ(by_provider["gcp"], 13);
  EXPECT_EQ(by_provider.size(), 3u);
  EXPECT_EQ(by_status[ConfirmationStatus::kConfirmed], 22);
  EXPECT_EQ(by_status[ConfirmationStatus::kConfirmedDocs], 0);
  EXPECT_EQ(by_status[ConfirmationStatus::kPartial], 29);
  EXPECT_EQ(by_status[ConfirmationStatus::kSecondary], 7);
  EXPECT_EQ(by_status[ConfirmationStatus::kUnconfirmed], 2);
}

TEST(CatalogTest, EveryEntryHasSourceAndValidStatus) {
  for (const CatalogEntry& e : Catalog()) {
    SCOPED_TRACE(e.id);
    EXPECT_TRUE(absl::StartsWith(e.source_url, "https://")) << e.source_url;
    EXPECT_EQ(e.source_url.find(' '), std::string::npos) << e.source_url;
    EXPECT_FALSE(e.source_date.empty());
    EXPECT_FALSE(e.source_id.empty());
    EXPECT_FALSE(e.service.empty());
    EXPECT_FALSE(e.tier.empty());
    EXPECT_FALSE(e.period.empty());
    EXPECT_FALSE(e.downtime_definition.empty());
    EXPECT_FALSE(e.exclusions.empty());
    EXPECT_GE(static_cast<int>(e.status), 0);
    EXPECT_LE(static_cast<int>(e.status),
              static_cast<int>(ConfirmationStatus::kUnconfirmed));
    EXPECT_NE(ConfirmationStatusName(e.status), "");
  }
}

TEST(CatalogTest, CreditTiersStrictlyDecreaseAndStartAtTheCommitment) {
  for (const CatalogEntry& e : Catalog()) {
    SCOPED_TRACE(e.id);
    for (size_t i = 0; i < e.credits.size(); ++i) {
      const CatalogCreditTier& t = e.credits[i];
      EXPECT_GT(t.below_percent, 0);
      EXPECT_LE(t.below_percent, 100);
      EXPECT_GT(t.credit_percent, 0);
      EXPECT_LE(t.credit_percent, 100);
      if (i > 0) {
        EXPECT_LT(t.below_percent, e.credits[i - 1].below_percent);
        EXPECT_GE(t.credit_percent, e.credits[i - 1].credit_percent);
      }
    }
    if (!e.credits.empty()) {
      // Every ladder in the research starts at the commitment.
      EXPECT_EQ(e.credits[0].below_percent, e.commitment_percent);
    }
  }
}

TEST(CatalogTest, ConfirmationInvariants) {
  for (const CatalogEntry& e : Catalog()) {
    SCOPED_TRACE(e.id);
    std::set<std::string> seen;
    bool core_unconfirmed = false;
    for (const std::string& f : e.unconfirmed_fields) {
      EXPECT_TRUE(IsKnownField(f)) << f;
      EXPECT_TRUE(seen.insert(f).second) << "duplicate " << f;
      core_unconfirmed |= IsCoreField(f);
    }
    // Never better than the commitment; at best partial when a field that
    // decides met/credit is unconfirmed.
    EXPECT_TRUE(WorseOrEqual(e.status, e.commitment_status));
    if (core_unconfirmed) {
      EXPECT_TRUE(WorseOrEqual(e.status, ConfirmationStatus::kPartial));
      EXPECT_FALSE(IsConfirmedFromProviderText(e.status));
    }
    // No number: NaN, unconfirmed.
    if (std::isnan(e.commitment_percent)) {
      EXPECT_TRUE(e.IsUnconfirmed("commitment_percent"));
      EXPECT_EQ(e.commitment_status, ConfirmationStatus::kUnconfirmed);
      EXPECT_EQ(e.status, ConfirmationStatus::kUnconfirmed);
    } else {
      EXPECT_GT(e.commitment_percent, 0);
      EXPECT_LT(e.commitment_percent, 100);
    }
    // Third-party numbers are marked field by field too.
    if (e.commitment_status == ConfirmationStatus::kSecondary ||
        e.commitment_status == ConfirmationStatus::kUnconfirmed) {
      EXPECT_TRUE(e.IsUnconfirmed("commitment_percent"));
    }
    if (e.credits.empty()) {
      EXPECT_TRUE(e.IsUnconfirmed("credits"));
    }
    // Downtime rule shape.
    switch (e.downtime_kind) {
      case CatalogDowntimeKind::kIntervalAllFail:
      case CatalogDowntimeKind::kAverageErrorRate:
        EXPECT_GT(e.interval_minutes, 0);
        EXPECT_EQ(e.max_error_ratio, 0);
        break;
      case CatalogDowntimeKind::kIntervalErrorRate:
        EXPECT_GT(e.interval_minutes, 0);
        EXPECT_GT(e.max_error_ratio, 0);
        EXPECT_LT(e.max_error_ratio, 1);
        break;
      case CatalogDowntimeKind::kRequestRatio:
        EXPECT_EQ(e.interval_minutes, 0);
        EXPECT_EQ(e.max_error_ratio, 0);
        break;
      case CatalogDowntimeKind::kOther:
        EXPECT_EQ(e.interval_minutes, 0);
        EXPECT_EQ(e.max_error_ratio, 0);
        EXPECT_TRUE(e.IsUnconfirmed("downtime"));
        break;
    }
    // Maintenance: Azure from its general terms; elsewhere only where the
    // terms say so, otherwise marked.
    if (e.provider == "azure") {
      EXPECT_TRUE(e.maintenance_counts_as_downtime);
      EXPECT_FALSE(e.IsUnconfirmed("maintenance"));
    } else {
      EXPECT_FALSE(e.maintenance_counts_as_downtime);
    }
    if (e.provider == "aws") {
      EXPECT_TRUE(e.IsUnconfirmed("maintenance"));
    }
  }
}

// ---------------------------------------------------------------------------
// Spot checks against the research file, by hand.

TEST(CatalogSpotCheckTest, AzureAppService) {
  const CatalogEntry& e = Get("azure/app-service");
  EXPECT_EQ(e.source_id, "azure-app-service-standard");
  EXPECT_EQ(e.service, "App Service");
  EXPECT_EQ(e.commitment_percent, 99.95);
  EXPECT_EQ(e.commitment_status, ConfirmationStatus::kConfirmed);
  EXPECT_EQ(e.status, ConfirmationStatus::kPartial);
  EXPECT_FALSE(IsConfirmedFromProviderText(e.status));
  // The research's credit_tiers is "unconfirmed"; the secondary ladder in its
  // notes is not used.
  EXPECT_THAT(e.credits, IsEmpty());
  EXPECT_THAT(e.unconfirmed_fields,
              UnorderedElementsAre("downtime", "credits"));
  EXPECT_THAT(e.notes, HasSubstr("<99.95 -> 10 and <99 -> 25"));
  EXPECT_EQ(e.downtime_kind, CatalogDowntimeKind::kOther);
  EXPECT_TRUE(e.maintenance_counts_as_downtime);
  EXPECT_THAT(e.exclusions, HasSubstr("No SLA for Free or Shared tiers"));
  EXPECT_EQ(e.source_url,
            "https://azure.microsoft.com/support/legal/sla/app-service/v1_4/");
}

TEST(CatalogSpotCheckTest, AzureSqlDatabaseZoneRedundantBusinessCritical) {
  const CatalogEntry& e = Get("azure/sql-database/zone-redundant");
  EXPECT_THAT(e.tier, HasSubstr("Business Critical"));
  EXPECT_THAT(e.tier, HasSubstr("Zone Redundant"));
  EXPECT_EQ(e.commitment_percent, 99.995);
  EXPECT_THAT(e.credits, ElementsAre(CatalogCreditTier{99.995, 10},
                                     CatalogCreditTier{99, 25},
                                     CatalogCreditTier{95, 100}));
  EXPECT_EQ(e.downtime_kind, CatalogDowntimeKind::kIntervalAllFail);
  EXPECT_EQ(e.interval_minutes, 1);
  EXPECT_EQ(e.status, ConfirmationStatus::kConfirmed);
  EXPECT_TRUE(IsConfirmedFromProviderText(e.status));
  EXPECT_THAT(e.unconfirmed_fields, IsEmpty());

  // The base offering has the service id alone (the configuration example
  // says `catalog: azure/sql-database`).
  const CatalogEntry& base = Get("azure/sql-database");
  EXPECT_EQ(base.source_id, "azure-sql-db-non-zone-redundant");
  EXPECT_THAT(base.tier, HasSubstr("not zone redundant"));
  EXPECT_EQ(base.commitment_percent, 99.99);
  EXPECT_THAT(base.credits, ElementsAre(CatalogCreditTier{99.99, 10},
                                        CatalogCreditTier{99, 25},
                                        CatalogCreditTier{95, 100}));
  EXPECT_EQ(Get("azure/sql-database/basic-standard").commitment_percent, 99.99);
}

TEST(CatalogSpotCheckTest, AzureStorage) {
  const CatalogEntry& ra_hot = Get("azure/storage/read-ra-hot");
  EXPECT_THAT(ra_hot.tier, HasSubstr("RA-GRS"));
  EXPECT_THAT(ra_hot.tier, HasSubstr("Hot"));
  EXPECT_EQ(ra_hot.commitment_percent, 99.99);
  EXPECT_THAT(ra_hot.credits, ElementsAre(CatalogCreditTier{99.99, 10},
                                          CatalogCreditTier{99, 25}));
  EXPECT_EQ(ra_hot.downtime_kind, CatalogDowntimeKind::kAverageErrorRate);
  EXPECT_EQ(ra_hot.interval_minutes, 60);
  EXPECT_EQ(ra_hot.status, ConfirmationStatus::kConfirmed);

  const CatalogEntry& write_cool = Get("azure/storage/write-cool");
  EXPECT_EQ(write_cool.commitment_percent, 99);
  EXPECT_THAT(write_cool.credits, ElementsAre(CatalogCreditTier{99, 10},
                                              CatalogCreditTier{98, 25}));

  // Flagged in the research ("as transcribed; verify"): marked.
  const CatalogEntry& read_cool = Get("azure/storage/read-cool");
  EXPECT_EQ(read_cool.commitment_percent, 99.9);
  EXPECT_EQ(read_cool.status, ConfirmationStatus::kPartial);
  EXPECT_TRUE(read_cool.IsUnconfirmed("commitment_percent"));
  EXPECT_EQ(FormatCatalogCommitment(read_cool), "99.9% [unconfirmed]");
}

TEST(CatalogSpotCheckTest, AzureFunctionsVmsAndLoadBalancer) {
  const CatalogEntry& consumption = Get("azure/functions/consumption");
  EXPECT_EQ(consumption.commitment_percent, 99.95);
  EXPECT_EQ(consumption.downtime_kind, CatalogDowntimeKind::kRequestRatio);

  const CatalogEntry& hdd = Get("azure/vm/single-standard-hdd");
  EXPECT_EQ(hdd.commitment_percent, 95);
  EXPECT_THAT(hdd.credits,
              ElementsAre(CatalogCreditTier{95, 10}, CatalogCreditTier{92, 25},
                          CatalogCreditTier{90, 100}));
  const CatalogEntry& ssd = Get("azure/vm/single-standard-ssd");
  EXPECT_THAT(ssd.credits, ElementsAre(CatalogCreditTier{99.5, 10},
                                       CatalogCreditTier{95, 25},
                                       CatalogCreditTier{90, 100}));
  EXPECT_EQ(Get("azure/vm/availability-zones").commitment_percent, 99.99);
  EXPECT_EQ(Get("azure/vm/availability-set").commitment_percent, 99.95);

  const CatalogEntry& lb = Get("azure/load-balancer");
  EXPECT_EQ(lb.commitment_percent, 99.99);
  EXPECT_THAT(lb.credits, ElementsAre(CatalogCreditTier{99.99, 10},
                                      CatalogCreditTier{99.9, 25}));
}

TEST(CatalogSpotCheckTest, AzureCosmosDbSplitIntoReadsAndWrites) {
  const CatalogEntry& reads =
      Get("azure/cosmos-db/multi-region-single-write-reads");
  const CatalogEntry& writes =
      Get("azure/cosmos-db/multi-region-single-write-writes");
  const CatalogEntry& writes_az =
      Get("azure/cosmos-db/multi-region-single-write-writes-az");
  EXPECT_EQ(reads.commitment_percent, 99.999);
  EXPECT_EQ(writes.commitment_percent, 99.99);
  EXPECT_EQ(writes_az.commitment_percent, 99.995);
  for (const CatalogEntry* e : {&reads, &writes, &writes_az}) {
    EXPECT_EQ(e->source_id, "azure-cosmosdb-multi-region-single-write");
    EXPECT_EQ(e->commitment_status, ConfirmationStatus::kConfirmedDocs);
    EXPECT_EQ(e->status, ConfirmationStatus::kPartial);
  }
  EXPECT_EQ(FormatCatalogCommitment(writes), "99.99% [confirmed_docs]");
  EXPECT_EQ(Get("azure/cosmos-db/single-region-az").commitment_percent, 99.995);
  EXPECT_TRUE(Get("azure/cosmos-db/single-region").IsUnconfirmed("period"));
}

TEST(CatalogSpotCheckTest, AwsEntries) {
  const CatalogEntry& ec2 = Get("aws/ec2/region-level");
  EXPECT_EQ(ec2.commitment_percent, 99.99);
  EXPECT_THAT(ec2.credits, ElementsAre(CatalogCreditTier{99.99, 10},
                                       CatalogCreditTier{99.0, 30},
                                       CatalogCreditTier{95.0, 100}));
  EXPECT_EQ(ec2.status, ConfirmationStatus::kConfirmed);
  EXPECT_THAT(ec2.unconfirmed_fields, ElementsAre("maintenance"));

  const CatalogEntry& s3ia = Get("aws/s3/infrequent-access");
  EXPECT_EQ(s3ia.commitment_percent, 99.0);
  EXPECT_THAT(s3ia.credits, ElementsAre(CatalogCreditTier{99.0, 10},
                                        CatalogCreditTier{98.0, 25},
                                        CatalogCreditTier{95.0, 100}));
  EXPECT_EQ(s3ia.downtime_kind, CatalogDowntimeKind::kAverageErrorRate);
  EXPECT_EQ(s3ia.interval_minutes, 5);

  // Numbers confirmed; downtime wording from a digest: partial.
  const CatalogEntry& rds = Get("aws/rds/multi-az");
  EXPECT_EQ(rds.commitment_percent, 99.95);
  EXPECT_EQ(rds.commitment_status, ConfirmationStatus::kConfirmed);
  EXPECT_EQ(rds.status, ConfirmationStatus::kPartial);
  EXPECT_TRUE(rds.IsUnconfirmed("downtime"));

  EXPECT_EQ(Get("aws/dynamodb/global-tables").commitment_percent, 99.999);
  const CatalogEntry& lambda = Get("aws/lambda");
  EXPECT_EQ(lambda.commitment_percent, 99.95);
  EXPECT_TRUE(lambda.IsUnconfirmed("credits"));
  EXPECT_THAT(lambda.credits, IsEmpty());
}

TEST(CatalogSpotCheckTest, GcpEntries) {
  const CatalogEntry& pubsub = Get("gcp/pubsub");
  EXPECT_EQ(pubsub.commitment_percent, 99.95);
  EXPECT_THAT(pubsub.credits, ElementsAre(CatalogCreditTier{99.95, 10},
                                          CatalogCreditTier{99, 25},
                                          CatalogCreditTier{95, 50}));
  EXPECT_EQ(pubsub.status, ConfirmationStatus::kConfirmed);

  const CatalogEntry& run = Get("gcp/cloud-run");
  EXPECT_EQ(run.downtime_kind, CatalogDowntimeKind::kIntervalErrorRate);
  EXPECT_EQ(run.interval_minutes, 1);
  EXPECT_EQ(run.max_error_ratio, 0.01);

  const CatalogEntry& sql = Get("gcp/cloud-sql/enterprise-plus");
  EXPECT_EQ(sql.commitment_percent, 99.99);
  EXPECT_FALSE(sql.maintenance_counts_as_downtime);
  EXPECT_FALSE(sql.IsUnconfirmed("maintenance"));  // stated: not counted
  EXPECT_TRUE(sql.IsUnconfirmed("credits"));

  // Secondary-only credit tiers are kept, and marked.
  const CatalogEntry& gce = Get("gcp/compute-engine/single-other");
  EXPECT_EQ(gce.commitment_percent, 99.9);
  EXPECT_THAT(gce.credits, ElementsAre(CatalogCreditTier{99.9, 10},
                                       CatalogCreditTier{95, 25},
                                       CatalogCreditTier{90, 100}));
  EXPECT_TRUE(gce.IsUnconfirmed("credits"));

  EXPECT_EQ(Get("gcp/gke/zonal-control-plane").commitment_percent, 99.5);
  EXPECT_EQ(Get("gcp/gke/regional-control-plane").commitment_percent, 99.95);
  EXPECT_EQ(Get("gcp/gke/autopilot-control-plane").commitment_percent, 99.95);
  EXPECT_EQ(Get("gcp/gke/autopilot-pods-multi-zone").commitment_percent, 99.9);
  EXPECT_EQ(
      Get("gcp/gke/enterprise-autopilot-pods-multi-region").commitment_percent,
      99.99);
}

TEST(CatalogSpotCheckTest, SecondaryEntryIsNotConfirmedFromProviderText) {
  const CatalogEntry& e = Get("azure/service-bus/basic-standard");
  EXPECT_EQ(e.commitment_percent, 99.9);
  EXPECT_EQ(e.status, ConfirmationStatus::kSecondary);
  EXPECT_FALSE(IsConfirmedFromProviderText(e.status));
  EXPECT_TRUE(e.IsUnconfirmed("commitment_percent"));
  EXPECT_EQ(FormatCatalogCommitment(e), "99.9% [secondary]");

  const CatalogEntry& sqs = Get("aws/sqs");
  EXPECT_EQ(sqs.status, ConfirmationStatus::kSecondary);
  EXPECT_TRUE(sqs.IsUnconfirmed("source_url"));

  // Secondary 99.999 split from a record whose 99.99 is from Microsoft docs.
  EXPECT_EQ(Get("azure/redis/enterprise-geo-replication").status,
            ConfirmationStatus::kSecondary);
  EXPECT_EQ(Get("azure/redis/enterprise-zone-redundant").commitment_status,
            ConfirmationStatus::kConfirmedDocs);
}

TEST(CatalogSpotCheckTest, NoNumberMeansNaNAndUnconfirmed) {
  for (absl::string_view id :
       {"azure/service-bus/premium", "azure/app-service/zone-redundant"}) {
    SCOPED_TRACE(id);
    const CatalogEntry& e = Get(id);
    EXPECT_TRUE(std::isnan(e.commitment_percent));
    EXPECT_EQ(e.status, ConfirmationStatus::kUnconfirmed);
    EXPECT_THAT(e.credits, IsEmpty());
    EXPECT_TRUE(e.IsUnconfirmed("credits"));
    EXPECT_EQ(FormatCatalogCommitment(e), "none stated [unconfirmed]");
  }
  // The secondary 99.95 for Service Bus Premium stays in the notes.
  EXPECT_THAT(Get("azure/service-bus/premium").notes, HasSubstr("99.95"));
}

// ---------------------------------------------------------------------------
// Lookup.

TEST(FindCatalogEntryTest, EmptyIdIsInvalid) {
  EXPECT_EQ(FindCatalogEntry("").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FindCatalogEntry("  ").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(FindCatalogEntryTest, NotFoundListsCloseIdsOfTheSameProvider) {
  const std::string rds = NotFoundMessage("aws/rds-multi-az");
  EXPECT_THAT(rds, HasSubstr("\"aws/rds-multi-az\""));
  EXPECT_THAT(rds, HasSubstr("close ids: aws/rds/multi-az, aws/rds/single-db"));
  EXPECT_THAT(rds, Not(HasSubstr("azure/")));

  const std::string typo = NotFoundMessage("azure/app-servce");
  EXPECT_THAT(typo, HasSubstr("close ids: azure/app-service, "
                              "azure/app-service/zone-redundant"));
  EXPECT_THAT(typo, Not(HasSubstr("aws/")));

  const std::string gke = NotFoundMessage("gcp/gke");
  EXPECT_THAT(gke, HasSubstr("gcp/gke/zonal-control-plane"));
  EXPECT_THAT(gke, HasSubstr("gcp/gke/regional-control-plane"));

  const std::string sql =
      NotFoundMessage("azure/sql-database/business-critical");
  EXPECT_THAT(sql, HasSubstr("azure/sql-database/zone-redundant"));
}

TEST(FindCatalogEntryTest, NotFoundWithoutProvider) {
  EXPECT_THAT(NotFoundMessage("app-service"),
              HasSubstr("close ids: azure/app-service"));
  const std::string oracle = NotFoundMessage("oracle/autonomous-db");
  EXPECT_THAT(oracle, HasSubstr("no provider \"oracle\""));
  EXPECT_THAT(oracle, HasSubstr("providers: aws, azure, gcp"));
  // Spelling is the last resort: something is always suggested.
  EXPECT_THAT(NotFoundMessage("azure/qqqq"), HasSubstr("close ids: azure/"));
}

// ---------------------------------------------------------------------------
// Provider terms (framework records).

TEST(CatalogTermsTest, OnePerProvider) {
  std::vector<std::string> providers;
  for (const CatalogTerms& t : AllCatalogTerms()) {
    providers.push_back(t.provider);
    EXPECT_TRUE(absl::StartsWith(t.source_url, "https://")) << t.provider;
    EXPECT_FALSE(t.credit_calculation.empty() && t.credits.empty());
  }
  EXPECT_THAT(providers, ElementsAre("aws", "azure", "gcp", "microsoft"));

  absl::StatusOr<const CatalogTerms*> azure = FindCatalogTerms("Azure");
  ASSERT_TRUE(azure.ok()) << azure.status();
  EXPECT_EQ((*azure)->source_id, "azure-generic-terms");
  EXPECT_THAT((*azure)->maintenance, HasSubstr("Scheduled Downtime"));
  EXPECT_THAT((*azure)->claims, HasSubstr("within two months"));
  EXPECT_EQ((*FindCatalogTerms("gcp"))->status, ConfirmationStatus::kPartial);

  absl::StatusOr<const CatalogTerms*> none = FindCatalogTerms("oracle");
  EXPECT_EQ(none.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(none.status().message(),
              HasSubstr("providers: aws, azure, gcp, microsoft"));
}

// ---------------------------------------------------------------------------
// Names and display.

TEST(CatalogNamesTest, StatusAndKindNames) {
  EXPECT_EQ(ConfirmationStatusName(ConfirmationStatus::kConfirmed),
            "confirmed");
  EXPECT_EQ(ConfirmationStatusName(ConfirmationStatus::kConfirmedDocs),
            "confirmed_docs");
  EXPECT_EQ(ConfirmationStatusName(ConfirmationStatus::kPartial), "partial");
  EXPECT_EQ(ConfirmationStatusName(ConfirmationStatus::kSecondary),
            "secondary");
  EXPECT_EQ(ConfirmationStatusName(ConfirmationStatus::kUnconfirmed),
            "unconfirmed");
  EXPECT_TRUE(IsConfirmedFromProviderText(ConfirmationStatus::kConfirmed));
  for (ConfirmationStatus s :
       {ConfirmationStatus::kConfirmedDocs, ConfirmationStatus::kPartial,
        ConfirmationStatus::kSecondary, ConfirmationStatus::kUnconfirmed}) {
    EXPECT_FALSE(IsConfirmedFromProviderText(s)) << ConfirmationStatusName(s);
  }
  EXPECT_EQ(CatalogDowntimeKindName(CatalogDowntimeKind::kIntervalAllFail),
            "interval_all_fail");
  EXPECT_EQ(CatalogDowntimeKindName(CatalogDowntimeKind::kAverageErrorRate),
            "average_error_rate");
}

TEST(CatalogFormatTest, CommitmentAndNote) {
  const CatalogEntry& sql = Get("azure/sql-database/zone-redundant");
  EXPECT_EQ(FormatCatalogCommitment(sql), "99.995%");
  EXPECT_EQ(CatalogConfirmationNote(sql), "");

  EXPECT_EQ(CatalogConfirmationNote(Get("azure/app-service")),
            "partial; not confirmed: downtime, credits");
  EXPECT_EQ(CatalogConfirmationNote(Get("aws/s3/standard")),
            "confirmed; not confirmed: maintenance");
}

TEST(CatalogFormatTest, ShowMarksWhatIsNotConfirmed) {
  const std::string app = FormatCatalogEntry(Get("azure/app-service"));
  EXPECT_TRUE(absl::StartsWith(app, "azure/app-service\n")) << app;
  EXPECT_THAT(app, HasSubstr("  commitment  99.95%\n"));
  EXPECT_THAT(app, HasSubstr("  credits     none stated [unconfirmed]\n"));
  EXPECT_THAT(app, HasSubstr("  status      partial; not confirmed: "
                             "downtime, credits\n"));
  EXPECT_THAT(app, HasSubstr("  maintenance counts as downtime\n"));
  EXPECT_THAT(app, HasSubstr(kCatalogVersion));
  EXPECT_THAT(app, HasSubstr("azure-app-service-standard"));

  const std::string sql =
      FormatCatalogEntry(Get("azure/sql-database/zone-redundant"));
  EXPECT_THAT(sql, Not(HasSubstr("[")));
  EXPECT_THAT(sql, HasSubstr("  status      confirmed\n"));
  EXPECT_THAT(sql, HasSubstr("  credits     below 99.995%: 10%; below 99%: "
                             "25%; below 95%: 100%\n"));
  EXPECT_THAT(sql, HasSubstr("  downtime    1-minute intervals"));

  EXPECT_THAT(FormatCatalogEntry(Get("aws/s3/standard")),
              HasSubstr("  maintenance not stated; treated as excluded "
                        "[unconfirmed]\n"));
}

// Every unconfirmed field is marked on its own line of `show`.
TEST(CatalogFormatTest, EveryUnconfirmedFieldIsMarkedInShow) {
  const std::map<std::string, std::string> label = {
      {"commitment_percent", "commitment"},
      {"period", "period"},
      {"downtime", "downtime"},
      {"maintenance", "maintenance"},
      {"credits", "credits"},
      {"exclusions", "exclusions"},
      {"source_url", "source"},
      {"source_date", "source date"}};
  for (const CatalogEntry& e : Catalog()) {
    SCOPED_TRACE(e.id);
    const std::string text = FormatCatalogEntry(e);
    for (const std::string& f : e.unconfirmed_fields) {
      const std::string prefix = "  " + label.at(f);
      bool found = false;
      for (absl::string_view l : absl::StrSplit(text, '\n')) {
        if (!absl::StartsWith(l, prefix)) continue;
        found = true;
        EXPECT_TRUE(absl::StrContains(l, "[unconfirmed]") ||
                    absl::StrContains(l, "[secondary]") ||
                    absl::EndsWith(l, " unconfirmed"))
            << f << ": " << l;
      }
      EXPECT_TRUE(found) << f;
    }
    if (!IsConfirmedFromProviderText(e.status)) {
      EXPECT_THAT(text,
                  HasSubstr(std::string(ConfirmationStatusName(e.status))));
    }
  }
}

}  // namespace
}  // namespace sla
