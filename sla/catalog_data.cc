// The SLA catalog data (see sla/catalog.h).
//
// Transcribed by hand from the research file sla_catalog.yaml (56 records:
// 52 service records and 4 framework records), in the file's order. Every
// number is written exactly as the research gives it. When you change any
// value here, bump kCatalogVersion: reports cite it.
//
// Conventions (also in sla/catalog.h):
//  * status: the research record's status, lowered to kPartial when the
//    commitment, period, downtime rule or credits is unconfirmed, and never
//    better than commitment_status.
//  * unconfirmed_fields: a field is listed when the research says
//    "unconfirmed" (or "unknown") for it, or when its value comes only from
//    third parties or an unverified digest. "maintenance" is listed for
//    every non-Azure entry whose terms do not say how scheduled maintenance
//    counts.
//  * Azure entries have maintenance_counts_as_downtime = true, from the
//    Azure general terms (framework record azure-generic-terms).
//  * source_url is the first URL of the research's source_url; the rest of
//    that text goes to source_note.

#include <algorithm>
#include <vector>

#include "absl/types/span.h"
#include "sla/catalog.h"

namespace sla {

const char kCatalogVersion[] = "2026-11-26.1";

namespace {

using CS = ConfirmationStatus;
using DK = CatalogDowntimeKind;

// ---------------------------------------------------------------------------
// Shared wording.

constexpr char kMicrosoftSlaUrl[] =
    "https://www.microsoft.com/licensing/docs/view/"
    "Service-Level-Agreements-SLA-for-Online-Services";
constexpr char kDocx2026[] =
    "Consolidated SLA DOCX, edition September 2026 (via transcription)";
constexpr char kMicrosoftGeneral[] = "Microsoft general SLA limitations.";
constexpr char kCloudSlaUrl[] = "https://github.com/mikaelvesavuori/cloud-sla";
constexpr char kCosmosUrl[] =
    "https://learn.microsoft.com/azure/cosmos-db/high-availability";
constexpr char kRedisUrl[] =
    "https://learn.microsoft.com/azure/azure-cache-for-redis/"
    "cache-high-availability";

constexpr char kAzureSqlDowntime[] =
    "Deployment Minutes = minutes a Database is operational; Maximum "
    "Available Minutes = sum per subscription. A minute is unavailable for a "
    "Database if all continuous attempts by Customer to establish a "
    "connection within the minute fail. Uptime % = (Maximum Available "
    "Minutes - Downtime) / Maximum Available Minutes x 100.";

constexpr char kAzureStorageDowntime[] =
    "Error Rate = Failed Storage Transactions / Total Storage Transactions "
    "per one-hour interval (0% if no transactions). Average Error Rate = sum "
    "of hourly Error Rates / hours in the period. Uptime % = 100% - Average "
    "Error Rate. Failed = not completed within Maximum Processing Time "
    "(PutBlob/GetBlob/PutFile/GetFile 2 s per MB; Copy Blob/File 90 s; "
    "PutBlockList/GetBlockList 60 s; table query/list 10 s; batch table ops "
    "30 s; other ops 2 s). Excluded Transactions: pre-authentication and "
    "authentication failures, over-quota requests, container/share/table/"
    "queue create or delete, queue clear, cross-account copies.";
constexpr char kAzureStorageExclusions[] =
    "Requests throttled for not obeying back-off; client timeouts set below "
    "Maximum Processing Time; RA-GRS/RA-GZRS reads not retried against the "
    "Secondary Region; reads failing due to Geo-Replication Lag (no lag "
    "guarantee); plus Microsoft general limitations.";

constexpr char kAzureVmSingleDowntime[] =
    "Uptime % = (Minutes in the Applicable Period - Downtime) / Minutes in "
    "the Applicable Period x 100; Downtime = minutes with no Virtual Machine "
    "Connectivity. The lowest disk-type SLA among all disks applies.";

constexpr char kAwsComputeUrl[] = "https://aws.amazon.com/compute/sla/";
constexpr char kAwsS3Url[] = "https://aws.amazon.com/s3/sla/";
constexpr char kAwsRdsUrl[] = "https://aws.amazon.com/rds/sla/";
constexpr char kAwsDynamoUrl[] = "https://aws.amazon.com/dynamodb/sla/";
constexpr char kAwsComputeExclusions[] =
    "Factors outside AWS's reasonable control (force majeure, Internet "
    "problems beyond the AWS demarcation point); customer actions/inactions; "
    "customer equipment, software or technology; suspension/termination "
    "under the Agreement. Credit base excludes one-time payments (e.g. "
    "upfront Reserved Instance fees).";
constexpr char kAwsS3Downtime[] =
    "Error Rate for each 5-minute interval = internal server errors "
    "(InternalError / ServiceUnavailable) / total requests (per request type "
    "/ storage class). Monthly Uptime % = 100% - average of the 5-minute "
    "Error Rates over the billing cycle.";
constexpr char kAwsS3Exclusions[] =
    "Outside AWS control; customer actions; customer equipment/software; "
    "suspension. Errors caused by exclusions are not counted.";

constexpr char kGceUrl[] = "https://cloud.google.com/compute/sla";
constexpr char kGceDowntime[] =
    "Downtime = loss of external connectivity or persistent disk access for "
    "all applicable running instances (single instance: that instance). "
    "Downtime Period = one or more consecutive minutes (partial minutes not "
    "counted; 2020-2021 text). Monthly Uptime % = (total minutes in month - "
    "minutes of Downtime in Downtime Periods) / total minutes.";
constexpr char kGceExclusions[] =
    "Spot/preemptible VMs excluded (GCE docs); Google Cloud general SLA "
    "exclusions (Alpha/Beta, outside Google's control, customer-caused).";
constexpr char kCloudSqlUrl[] = "https://cloud.google.com/sql/sla";
constexpr char kCloudSqlDowntime[] =
    "Downtime = all Valid Requests to a Cloud SQL instance with HA fail. "
    "Downtime Period = one consecutive minute of Downtime; intermittent "
    "Downtime under one minute not counted; Downtime during Scheduled "
    "Maintenance not counted.";
constexpr char kCloudSqlExclusions[] =
    "Shared-core and single-zone instances excluded; outages from "
    "configurations outside the Cloud SQL operational guidelines (flags, "
    "overload, resource constraints) excluded.";
constexpr char kGkeUrl[] = "https://cloud.google.com/kubernetes-engine/sla";
constexpr char kGkeDowntime[] =
    "Covered Service = Kubernetes API of the cluster (version must be one "
    "offered in the Stable channel, 2020-2021 text) or Autopilot Pods in "
    "Multiple Zones. 2020 text: Downtime = loss of external connectivity or "
    "Kubernetes API access to all running clusters with inability to launch "
    "replacement clusters in any Zone. Current Downtime/Downtime Period "
    "wording unconfirmed.";
constexpr char kGkeExclusions[] =
    "Scheduled Downtime; underlying Compute Engine issues (covered by GCE/VPN "
    "SLAs); failure of nodes or pods (Standard mode nodes use the GCE SLA).";

CatalogEntry& Add(std::vector<CatalogEntry>* entries, const char* id,
                  const char* source_id) {
  entries->emplace_back();
  CatalogEntry& e = entries->back();
  e.id = id;
  e.source_id = source_id;
  return e;
}

// ---------------------------------------------------------------------------
// Azure. Every entry: maintenance_counts_as_downtime = true (general terms).

void AddAzure(std::vector<CatalogEntry>* v) {
  {
    CatalogEntry& e = Add(v, "azure/app-service", "azure-app-service-standard");
    e.provider = "azure";
    e.service = "App Service";
    e.tier = "Basic, Standard, Premium, Isolated (plan not zone redundant)";
    e.commitment_percent = 99.95;
    e.commitment_status = CS::kConfirmed;
    e.period =
        "calendar month (\"Applicable Period\"; older Azure texts say "
        "\"billing month\")";
    e.downtime_kind = DK::kOther;
    e.downtime_definition =
        "Historical (Websites SLA text via lawinsider): Deployment Minutes = "
        "minutes an app is set to running; Maximum Available Minutes = sum of "
        "Deployment Minutes across all apps in the subscription; Uptime % = "
        "(Maximum Available Minutes - Downtime) / Maximum Available Minutes x "
        "100. Current-version definition of an unavailable minute: "
        "unconfirmed.";
    e.maintenance_counts_as_downtime = true;
    e.exclusions =
        "No SLA for Free or Shared tiers; Microsoft general SLA limitations.";
    e.source_url =
        "https://azure.microsoft.com/support/legal/sla/app-service/v1_4/";
    e.source_date =
        "v1.4 headline quoted in Microsoft Q&A 2021-11; 2016 copy \"Last "
        "updated July 2016\"";
    e.status = CS::kPartial;
    e.unconfirmed_fields = {"downtime", "credits"};
    e.notes =
        "Research status: partial (percent confirmed, credits unconfirmed). "
        "Secondary sources (O'Reilly book on Functions, nextsignal.io) give "
        "<99.95 -> 10 and <99 -> 25; a 100% tier is unconfirmed.";
  }
  {
    CatalogEntry& e = Add(v, "azure/app-service/zone-redundant",
                          "azure-app-service-zone-redundant");
    e.provider = "azure";
    e.service = "App Service";
    e.tier = "Premium v2/v3/v4 plan with zone redundancy (>= 2 instances)";
    e.commitment_status = CS::kUnconfirmed;  // no number: NaN
    e.period = "calendar month";
    e.downtime_kind = DK::kOther;
    e.downtime_definition = "unconfirmed";
    e.maintenance_counts_as_downtime = true;
    e.exclusions = "unconfirmed";
    e.source_url =
        "https://github.com/MicrosoftDocs/reliability-docs/blob/main/articles/"
        "reliability/includes/app-service/"
        "reliability-app-service-service-level-agreement-include.md";
    e.source_date = "2025-07-17 (ms.date)";
    e.status = CS::kUnconfirmed;
    e.unconfirmed_fields = {"commitment_percent", "downtime", "credits",
                            "exclusions"};
    e.notes =
        "Microsoft docs say only that the SLA uptime percentage \"increases\" "
        "with zone redundancy; no number is given.";
  }
  {
    CatalogEntry& e =
        Add(v, "azure/functions/consumption", "azure-functions-consumption");
    e.provider = "azure";
    e.service = "Azure Functions";
    e.tier = "Consumption plan";
    e.commitment_percent = 99.95;
    e.commitment_status = CS::kConfirmed;
    e.period = "Applicable Period (calendar month)";
    e.downtime_kind = DK::kRequestRatio;
    e.downtime_definition =
        "Request-based. Uptime % = (Total Triggered Executions - Unavailable "
        "Executions) / Total Triggered Executions x 100. An execution is "
        "unavailable when the Function App history log captures no output "
        "five minutes after the trigger successfully fired.";
    e.maintenance_counts_as_downtime = true;
    e.credits = {{99.95, 10}, {99, 25}, {95, 100}};
    e.exclusions = kMicrosoftGeneral;
    e.source_url = kMicrosoftSlaUrl;
    e.source_date =
        "Consolidated SLA DOCX, edition September 2026 (read via a GitHub "
        "transcription extracted 2026-10-04)";
    e.status = CS::kConfirmed;
  }
  {
    CatalogEntry& e = Add(v, "azure/functions/premium-dedicated",
                          "azure-functions-premium-dedicated");
    e.provider = "azure";
    e.service = "Azure Functions";
    e.tier = "Flex Consumption, Premium, or Dedicated (App Service) plan";
    e.commitment_percent = 99.95;
    e.commitment_status = CS::kConfirmed;
    e.period = "Applicable Period (calendar month)";
    e.downtime_kind = DK::kIntervalAllFail;
    e.interval_minutes = 1;
    e.downtime_definition =
        "Minute-based. Deployment Minutes = minutes the Function App is "
        "available to be triggered; Maximum Available Minutes = sum over the "
        "subscription; a minute is Downtime when there is no connectivity "
        "between the hosting plan and Microsoft's Internet gateway. Uptime % "
        "= (Maximum Available Minutes - Downtime) / Maximum Available Minutes "
        "x 100.";
    e.maintenance_counts_as_downtime = true;
    e.credits = {{99.95, 10}, {99, 25}, {95, 100}};
    e.exclusions = kMicrosoftGeneral;
    e.source_url = kMicrosoftSlaUrl;
    e.source_date = kDocx2026;
    e.status = CS::kConfirmed;
  }
  {
    CatalogEntry& e = Add(v, "azure/sql-database/zone-redundant",
                          "azure-sql-db-zone-redundant");
    e.provider = "azure";
    e.service = "Azure SQL Database";
    e.tier =
        "General Purpose, Business Critical, Premium or Hyperscale configured "
        "as Zone Redundant Deployment";
    e.commitment_percent = 99.995;
    e.commitment_status = CS::kConfirmed;
    e.period = "Applicable Period (calendar month)";
    e.downtime_kind = DK::kIntervalAllFail;
    e.interval_minutes = 1;
    e.downtime_definition = kAzureSqlDowntime;
    e.maintenance_counts_as_downtime = true;
    e.credits = {{99.995, 10}, {99, 25}, {95, 100}};
    e.exclusions = kMicrosoftGeneral;
    e.source_url = kMicrosoftSlaUrl;
    e.source_date = kDocx2026;
    e.status = CS::kConfirmed;
    e.notes =
        "A separate business-continuity SLA (Business Critical "
        "geo-replication, RPO 5 s / RTO 30 s, announced by Microsoft in 2019) "
        "exists; its current credit table was not read.";
  }
  {
    // The base offering (zone redundancy refines it), so the service id
    // alone: `catalog: azure/sql-database`.
    CatalogEntry& e =
        Add(v, "azure/sql-database", "azure-sql-db-non-zone-redundant");
    e.provider = "azure";
    e.service = "Azure SQL Database";
    e.tier =
        "Hyperscale, Business Critical, Premium or General Purpose, not zone "
        "redundant";
    e.commitment_percent = 99.99;
    e.commitment_status = CS::kConfirmed;
    e.period = "Applicable Period (calendar month)";
    e.downtime_kind = DK::kIntervalAllFail;
    e.interval_minutes = 1;
    e.downtime_definition = kAzureSqlDowntime;
    e.maintenance_counts_as_downtime = true;
    e.credits = {{99.99, 10}, {99, 25}, {95, 100}};
    e.exclusions = kMicrosoftGeneral;
    e.source_url = kMicrosoftSlaUrl;
    e.source_date = kDocx2026;
    e.status = CS::kConfirmed;
    e.notes =
        "Older summaries split Hyperscale by replica count (0 replicas 99.9, "
        "1 replica 99.95); the 2026 text lists Hyperscale under 99.99.";
  }
  {
    CatalogEntry& e = Add(v, "azure/sql-database/basic-standard",
                          "azure-sql-db-basic-standard");
    e.provider = "azure";
    e.service = "Azure SQL Database";
    e.tier = "Basic or Standard (DTU)";
    e.commitment_percent = 99.99;
    e.commitment_status = CS::kConfirmed;
    e.period = "Applicable Period (calendar month)";
    e.downtime_kind = DK::kIntervalAllFail;
    e.interval_minutes = 1;
    e.downtime_definition = kAzureSqlDowntime;
    e.maintenance_counts_as_downtime = true;
    e.credits = {{99.99, 10}, {99, 25}, {95, 100}};
    e.exclusions = kMicrosoftGeneral;
    e.source_url = kMicrosoftSlaUrl;
    e.source_date = kDocx2026;
    e.status = CS::kConfirmed;
  }
  // Cosmos DB: the research gives a write and a read percentage per
  // configuration (Microsoft docs, "SLAs" table). One entry when they are
  // equal; split when they differ.
  {
    CatalogEntry& e =
        Add(v, "azure/cosmos-db/single-region", "azure-cosmosdb-single-region");
    e.provider = "azure";
    e.service = "Azure Cosmos DB";
    e.tier = "single region, no availability zones (reads and writes)";
    e.commitment_percent = 99.99;
    e.commitment_status = CS::kConfirmedDocs;
    e.period = "calendar month (assumed Applicable Period; unconfirmed)";
    e.downtime_kind = DK::kOther;
    e.downtime_definition =
        "unconfirmed (request/error-rate based in older DocumentDB SLA; "
        "current text not read)";
    e.maintenance_counts_as_downtime = true;
    e.exclusions =
        "unconfirmed beyond Microsoft general limitations; free tier not "
        "intended for SLA (PSRule note).";
    e.source_url = kCosmosUrl;
    e.source_note =
        "MicrosoftDocs/azure-docs articles/cosmos-db/high-availability.md, "
        "\"SLAs\" table";
    e.source_date = "undated doc revision";
    e.status = CS::kPartial;
    e.unconfirmed_fields = {"period", "downtime", "credits", "exclusions"};
    e.notes = "The research gives write 99.99 and read 99.99.";
  }
  {
    CatalogEntry& e = Add(v, "azure/cosmos-db/single-region-az",
                          "azure-cosmosdb-single-region-az");
    e.provider = "azure";
    e.service = "Azure Cosmos DB";
    e.tier = "single region with availability zones (reads and writes)";
    e.commitment_percent = 99.995;
    e.commitment_status = CS::kConfirmedDocs;
    e.period = "calendar month";
    e.downtime_kind = DK::kOther;
    e.downtime_definition = "unconfirmed";
    e.maintenance_counts_as_downtime = true;
    e.exclusions = "unconfirmed";
    e.source_url = kCosmosUrl;
    e.source_date = "undated doc revision";
    e.status = CS::kPartial;
    e.unconfirmed_fields = {"downtime", "credits", "exclusions"};
    e.notes = "The research gives write 99.995 and read 99.995.";
  }
  {
    CatalogEntry& e = Add(v, "azure/cosmos-db/multi-region-single-write-reads",
                          "azure-cosmosdb-multi-region-single-write");
    e.provider = "azure";
    e.service = "Azure Cosmos DB";
    e.tier =
        "multiple regions, single write region (with or without availability "
        "zones): reads";
    e.commitment_percent = 99.999;
    e.commitment_status = CS::kConfirmedDocs;
    e.period = "calendar month";
    e.downtime_kind = DK::kOther;
    e.downtime_definition = "unconfirmed";
    e.maintenance_counts_as_downtime = true;
    e.exclusions = "unconfirmed";
    e.source_url = kCosmosUrl;
    e.source_date = "undated doc revision";
    e.status = CS::kPartial;
    e.unconfirmed_fields = {"downtime", "credits", "exclusions"};
    e.notes =
        "One of three entries from one research record: write \"99.99 (no "
        "AZ) / 99.995 (AZ)\", read 99.999.";
  }
  {
    CatalogEntry& e = Add(v, "azure/cosmos-db/multi-region-single-write-writes",
                          "azure-cosmosdb-multi-region-single-write");
    e.provider = "azure";
    e.service = "Azure Cosmos DB";
    e.tier =
        "multiple regions, single write region, without availability zones: "
        "writes";
    e.commitment_percent = 99.99;
    e.commitment_status = CS::kConfirmedDocs;
    e.period = "calendar month";
    e.downtime_kind = DK::kOther;
    e.downtime_definition = "unconfirmed";
    e.maintenance_counts_as_downtime = true;
    e.exclusions = "unconfirmed";
    e.source_url = kCosmosUrl;
    e.source_date = "undated doc revision";
    e.status = CS::kPartial;
    e.unconfirmed_fields = {"downtime", "credits", "exclusions"};
    e.notes =
        "One of three entries from one research record: write \"99.99 (no "
        "AZ) / 99.995 (AZ)\", read 99.999.";
  }
  {
    CatalogEntry& e =
        Add(v, "azure/cosmos-db/multi-region-single-write-writes-az",
            "azure-cosmosdb-multi-region-single-write");
    e.provider = "azure";
    e.service = "Azure Cosmos DB";
    e.tier =
        "multiple regions, single write region, with availability zones: "
        "writes";
    e.commitment_percent = 99.995;
    e.commitment_status = CS::kConfirmedDocs;
    e.period = "calendar month";
    e.downtime_kind = DK::kOther;
    e.downtime_definition = "unconfirmed";
    e.maintenance_counts_as_downtime = true;
    e.exclusions = "unconfirmed";
    e.source_url = kCosmosUrl;
    e.source_date = "undated doc revision";
    e.status = CS::kPartial;
    e.unconfirmed_fields = {"downtime", "credits", "exclusions"};
    e.notes =
        "One of three entries from one research record: write \"99.99 (no "
        "AZ) / 99.995 (AZ)\", read 99.999.";
  }
  {
    CatalogEntry& e = Add(v, "azure/cosmos-db/multi-region-writes",
                          "azure-cosmosdb-multi-region-writes");
    e.provider = "azure";
    e.service = "Azure Cosmos DB";
    e.tier =
        "multiple regions with multi-region writes, with or without "
        "availability zones (reads and writes)";
    e.commitment_percent = 99.999;
    e.commitment_status = CS::kConfirmedDocs;
    e.period = "calendar month";
    e.downtime_kind = DK::kOther;
    e.downtime_definition = "unconfirmed";
    e.maintenance_counts_as_downtime = true;
    e.exclusions = "unconfirmed";
    e.source_url = kCosmosUrl;
    e.source_date = "undated doc revision";
    e.status = CS::kPartial;
    e.unconfirmed_fields = {"downtime", "credits", "exclusions"};
    e.notes = "The research gives write 99.999 and read 99.999.";
  }
  {
    CatalogEntry& e = Add(v, "azure/service-bus/basic-standard",
                          "azure-service-bus-basic-standard");
    e.provider = "azure";
    e.service = "Service Bus";
    e.tier = "Basic, Standard";
    e.commitment_percent = 99.9;
    e.commitment_status = CS::kSecondary;
    e.period = "calendar month";
    e.downtime_kind = DK::kOther;
    e.downtime_definition =
        "Historical text (lawinsider copy): Deployment Minutes per "
        "Queue/Topic, Maximum Available Minutes summed per subscription; "
        "current definition unconfirmed.";
    e.maintenance_counts_as_downtime = true;
    e.exclusions = "unconfirmed";
    e.source_url = kCloudSlaUrl;
    e.source_note = "README; nextsignal.io guide";
    e.source_date = "unknown";
    e.status = CS::kSecondary;
    e.unconfirmed_fields = {"commitment_percent", "downtime", "credits",
                            "exclusions", "source_date"};
  }
  {
    CatalogEntry& e =
        Add(v, "azure/service-bus/premium", "azure-service-bus-premium");
    e.provider = "azure";
    e.service = "Service Bus";
    e.tier = "Premium";
    e.commitment_status = CS::kUnconfirmed;  // no number: NaN
    e.period = "calendar month";
    e.downtime_kind = DK::kOther;
    e.downtime_definition = "unconfirmed";
    e.maintenance_counts_as_downtime = true;
    e.exclusions = "unconfirmed";
    e.source_url =
        "https://github.com/MicrosoftDocs/reliability-docs/blob/main/articles/"
        "reliability/reliability-service-bus.md";
    e.source_date = "2025-12-05 (ms.date)";
    e.status = CS::kUnconfirmed;
    e.unconfirmed_fields = {"commitment_percent", "downtime", "credits",
                            "exclusions"};
    e.notes =
        "A secondary source says 99.95; Microsoft docs say a higher SLA "
        "applies to Premium namespaces in availability-zone regions using "
        "partitioning, value not stated.";
  }
  {
    CatalogEntry& e = Add(v, "azure/event-hubs/basic-standard",
                          "azure-event-hubs-basic-standard");
    e.provider = "azure";
    e.service = "Event Hubs";
    e.tier = "Basic, Standard";
    e.commitment_percent = 99.95;
    e.commitment_status = CS::kSecondary;
    e.period = "calendar month";
    e.downtime_kind = DK::kOther;
    e.downtime_definition = "unconfirmed";
    e.maintenance_counts_as_downtime = true;
    e.exclusions = "unconfirmed";
    e.source_url = kCloudSlaUrl;
    e.source_note = "README, Azure table";
    e.source_date = "unknown (~2022)";
    e.status = CS::kSecondary;
    e.unconfirmed_fields = {"commitment_percent", "downtime", "credits",
                            "exclusions", "source_date"};
  }
  {
    CatalogEntry& e = Add(v, "azure/event-hubs/premium-dedicated",
                          "azure-event-hubs-premium-dedicated");
    e.provider = "azure";
    e.service = "Event Hubs";
    e.tier = "Premium, Dedicated";
    e.commitment_percent = 99.99;
    e.commitment_status = CS::kSecondary;
    e.period = "calendar month";
    e.downtime_kind = DK::kOther;
    e.downtime_definition = "unconfirmed";
    e.maintenance_counts_as_downtime = true;
    e.exclusions = "unconfirmed";
    e.source_url = kCloudSlaUrl;
    e.source_note =
        "research note citing learn.microsoft.com/azure/event-hubs/"
        "event-hubs-about (\"up to 99.99%\")";
    e.source_date = "unknown";
    e.status = CS::kSecondary;
    e.unconfirmed_fields = {"commitment_percent", "downtime", "credits",
                            "exclusions", "source_date"};
  }
  {
    CatalogEntry& e = Add(v, "azure/iot-hub", "azure-iot-hub");
    e.provider = "azure";
    e.service = "IoT Hub";
    e.tier = "Basic, Standard (no SLA for Free tier)";
    e.commitment_percent = 99.9;
    e.commitment_status = CS::kSecondary;
    e.period = "calendar month";
    e.downtime_kind = DK::kOther;
    e.downtime_definition =
        "Headline wording read only in the Azure China (21Vianet) SLA "
        "summary: deployed IoT hubs can send/receive messages to/from "
        "registered devices and the service can perform CRUD on IoT hubs at "
        "least 99.9% of the time. Minute-level definition unconfirmed.";
    e.maintenance_counts_as_downtime = true;
    e.exclusions = "Free tier; preview-mode hubs not covered (Microsoft docs).";
    e.source_url =
        "https://azure.microsoft.com/support/legal/sla/iot-hub/v1_2/";
    e.source_note = "not read; cloud-sla README";
    e.source_date = "unknown";
    e.status = CS::kSecondary;
    e.unconfirmed_fields = {"commitment_percent", "downtime", "credits",
                            "source_date"};
  }
  // Storage Accounts: one error-rate rule (hourly), per request kind and
  // access tier.
  {
    CatalogEntry& e =
        Add(v, "azure/storage/write-hot", "azure-storage-write-hot");
    e.provider = "azure";
    e.service = "Storage Accounts";
    e.tier =
        "LRS, ZRS, GRS, GZRS, RA-GRS, RA-GZRS - write requests, Hot / "
        "Transaction Optimized tiers";
    e.commitment_percent = 99.9;
    e.commitment_status = CS::kConfirmed;
    e.period =
        "Applicable Period (calendar month); error rate measured per hour";
    e.downtime_kind = DK::kAverageErrorRate;
    e.interval_minutes = 60;
    e.downtime_definition = kAzureStorageDowntime;
    e.maintenance_counts_as_downtime = true;
    e.credits = {{99.9, 10}, {99, 25}};
    e.exclusions = kAzureStorageExclusions;
    e.source_url = kMicrosoftSlaUrl;
    e.source_date = kDocx2026;
    e.status = CS::kConfirmed;
  }
  {
    CatalogEntry& e =
        Add(v, "azure/storage/read-ra-hot", "azure-storage-read-ra-hot");
    e.provider = "azure";
    e.service = "Storage Accounts";
    e.tier =
        "RA-GRS, RA-GZRS - read requests, Hot / Transaction Optimized tiers";
    e.commitment_percent = 99.99;
    e.commitment_status = CS::kConfirmed;
    e.period = "Applicable Period (calendar month)";
    e.downtime_kind = DK::kAverageErrorRate;
    e.interval_minutes = 60;
    e.downtime_definition = kAzureStorageDowntime;
    e.maintenance_counts_as_downtime = true;
    e.credits = {{99.99, 10}, {99, 25}};
    e.exclusions = kAzureStorageExclusions;
    e.source_url = kMicrosoftSlaUrl;
    e.source_date = kDocx2026;
    e.status = CS::kConfirmed;
  }
  {
    CatalogEntry& e =
        Add(v, "azure/storage/read-hot", "azure-storage-read-hot");
    e.provider = "azure";
    e.service = "Storage Accounts";
    e.tier =
        "LRS, ZRS, GRS, GZRS - read requests, Hot / Transaction Optimized "
        "tiers";
    e.commitment_percent = 99.9;
    e.commitment_status = CS::kConfirmed;
    e.period = "Applicable Period (calendar month)";
    e.downtime_kind = DK::kAverageErrorRate;
    e.interval_minutes = 60;
    e.downtime_definition = kAzureStorageDowntime;
    e.maintenance_counts_as_downtime = true;
    e.credits = {{99.9, 10}, {99, 25}};
    e.exclusions = kAzureStorageExclusions;
    e.source_url = kMicrosoftSlaUrl;
    e.source_date = kDocx2026;
    e.status = CS::kConfirmed;
  }
  {
    CatalogEntry& e =
        Add(v, "azure/storage/write-cool", "azure-storage-write-cool");
    e.provider = "azure";
    e.service = "Storage Accounts";
    e.tier =
        "all redundancy types - write requests, Cool / Cold / Archive tiers";
    e.commitment_percent = 99;
    e.commitment_status = CS::kConfirmed;
    e.period = "Applicable Period (calendar month)";
    e.downtime_kind = DK::kAverageErrorRate;
    e.interval_minutes = 60;
    e.downtime_definition = kAzureStorageDowntime;
    e.maintenance_counts_as_downtime = true;
    e.credits = {{99, 10}, {98, 25}};
    e.exclusions = kAzureStorageExclusions;
    e.source_url = kMicrosoftSlaUrl;
    e.source_date = kDocx2026;
    e.status = CS::kConfirmed;
  }
  {
    CatalogEntry& e =
        Add(v, "azure/storage/read-ra-cool", "azure-storage-read-ra-cool");
    e.provider = "azure";
    e.service = "Storage Accounts";
    e.tier = "RA-GRS, RA-GZRS - read requests, Cool / Cold / Archive tiers";
    e.commitment_percent = 99.9;
    e.commitment_status = CS::kConfirmed;
    e.period = "Applicable Period (calendar month)";
    e.downtime_kind = DK::kAverageErrorRate;
    e.interval_minutes = 60;
    e.downtime_definition = kAzureStorageDowntime;
    e.maintenance_counts_as_downtime = true;
    e.credits = {{99.9, 10}, {98, 25}};
    e.exclusions = kAzureStorageExclusions;
    e.source_url = kMicrosoftSlaUrl;
    e.source_date = kDocx2026;
    e.status = CS::kConfirmed;
  }
  {
    CatalogEntry& e =
        Add(v, "azure/storage/read-cool", "azure-storage-read-cool");
    e.provider = "azure";
    e.service = "Storage Accounts";
    e.tier = "LRS, ZRS, GRS, GZRS - read requests, Cool / Cold / Archive tiers";
    // The research flags this number: "99.9 (as transcribed; verify - an
    // older compilation lists 99 for non-RA Cool)".
    e.commitment_percent = 99.9;
    e.commitment_status = CS::kConfirmed;
    e.period = "Applicable Period (calendar month)";
    e.downtime_kind = DK::kAverageErrorRate;
    e.interval_minutes = 60;
    e.downtime_definition = kAzureStorageDowntime;
    e.maintenance_counts_as_downtime = true;
    e.credits = {{99.9, 10}, {98, 25}};
    e.exclusions = kAzureStorageExclusions;
    e.source_url = kMicrosoftSlaUrl;
    e.source_date = kDocx2026;
    e.status = CS::kPartial;
    e.unconfirmed_fields = {"commitment_percent"};
    e.notes =
        "Research status: confirmed (flagged). The commitment is 99.9 as "
        "transcribed; verify - an older compilation lists 99 for non-RA "
        "Cool. Cool/Cold/Archive SLA applies only to account types that "
        "support those tiers.";
  }
  {
    CatalogEntry& e =
        Add(v, "azure/redis/standard-premium", "azure-redis-standard-premium");
    e.provider = "azure";
    e.service = "Azure Cache for Redis";
    e.tier =
        "Standard, Premium (Premium zone redundant also 99.9); no SLA for "
        "Basic";
    e.commitment_percent = 99.9;
    e.commitment_status = CS::kConfirmedDocs;
    e.period = "calendar month";
    e.downtime_kind = DK::kOther;
    e.downtime_definition =
        "Old headline: connectivity between the Cache Endpoints and "
        "Microsoft's Internet gateway at least 99.9% of the time (quoted in "
        "Well-Architected docs). Minute definition unconfirmed.";
    e.maintenance_counts_as_downtime = true;
    e.exclusions =
        "Basic tier no SLA (secondary); product carries a retirement notice "
        "in Microsoft docs.";
    e.source_url = kRedisUrl;
    e.source_note = "MicrosoftDocs/azure-docs";
    e.source_date = "2024-08-05 (ms.date)";
    e.status = CS::kPartial;
    e.unconfirmed_fields = {"downtime", "credits", "exclusions"};
  }
  {
    CatalogEntry& e = Add(v, "azure/redis/enterprise-zone-redundant",
                          "azure-redis-enterprise");
    e.provider = "azure";
    e.service = "Azure Cache for Redis";
    e.tier =
        "Enterprise / Enterprise Flash, zone redundant (secondary: 3+ AZs)";
    e.commitment_percent = 99.99;
    e.commitment_status = CS::kConfirmedDocs;
    e.period = "calendar month";
    e.downtime_kind = DK::kOther;
    e.downtime_definition = "unconfirmed";
    e.maintenance_counts_as_downtime = true;
    e.exclusions = "unconfirmed";
    e.source_url = kRedisUrl;
    e.source_note = "cloud-sla README";
    e.source_date = "2024-08-05";
    e.status = CS::kPartial;
    e.unconfirmed_fields = {"downtime", "credits", "exclusions"};
    e.notes =
        "One of two entries from one research record: 99.99 zone redundant "
        "(confirmed_docs); 99.999 with active geo-replication (secondary).";
  }
  {
    CatalogEntry& e = Add(v, "azure/redis/enterprise-geo-replication",
                          "azure-redis-enterprise");
    e.provider = "azure";
    e.service = "Azure Cache for Redis";
    e.tier =
        "Enterprise / Enterprise Flash with active geo-replication "
        "(secondary: min 3 regions, 3+ AZs each)";
    e.commitment_percent = 99.999;
    e.commitment_status = CS::kSecondary;
    e.period = "calendar month";
    e.downtime_kind = DK::kOther;
    e.downtime_definition = "unconfirmed";
    e.maintenance_counts_as_downtime = true;
    e.exclusions = "unconfirmed";
    e.source_url = kRedisUrl;
    e.source_note = "cloud-sla README";
    e.source_date = "2024-08-05";
    e.status = CS::kSecondary;
    e.unconfirmed_fields = {"commitment_percent", "downtime", "credits",
                            "exclusions"};
    e.notes =
        "One of two entries from one research record: 99.99 zone redundant "
        "(confirmed_docs); 99.999 with active geo-replication (secondary).";
  }
  {
    CatalogEntry& e =
        Add(v, "azure/application-gateway", "azure-application-gateway");
    e.provider = "azure";
    e.service = "Application Gateway";
    e.tier =
        "v2 (autoscale / zone redundant) or v1 with 2+ medium-or-larger "
        "instances";
    e.commitment_percent = 99.95;
    e.commitment_status = CS::kSecondary;
    e.period = "calendar month";
    e.downtime_kind = DK::kOther;
    e.downtime_definition = "unconfirmed";
    e.maintenance_counts_as_downtime = true;
    e.exclusions =
        "Single-instance (and v1 small-instance) gateways not covered "
        "(PSRule, old Azure China text).";
    e.source_url =
        "https://azure.microsoft.com/support/legal/sla/application-gateway/";
    e.source_note =
        "not read; Azure/azqr rule agw-103 (\"99.95%\"); cloud-sla README";
    e.source_date = "unknown";
    e.status = CS::kSecondary;
    e.unconfirmed_fields = {"commitment_percent", "downtime", "credits",
                            "exclusions", "source_date"};
  }
  {
    CatalogEntry& e =
        Add(v, "azure/load-balancer", "azure-load-balancer-standard");
    e.provider = "azure";
    e.service = "Load Balancer";
    e.tier = "Standard Load Balancer serving two or more Healthy VMs";
    e.commitment_percent = 99.99;
    e.commitment_status = CS::kConfirmed;
    e.period = "Applicable Period (calendar month)";
    e.downtime_kind = DK::kIntervalAllFail;
    e.interval_minutes = 1;
    e.downtime_definition =
        "Maximum Available Minutes = minutes a Standard LB (with 2+ Healthy "
        "VMs) is deployed. A minute is Downtime if all Healthy VMs have no "
        "Connectivity through the Load Balanced Endpoint. Minutes caused by "
        "SNAT port exhaustion are not Downtime. Healthy VM = answers the "
        "health probe with a Success Code (NSG must allow the port).";
    e.maintenance_counts_as_downtime = true;
    e.credits = {{99.99, 10}, {99.9, 25}};
    e.exclusions =
        "No SLA for Basic Load Balancer; SNAT exhaustion; Microsoft general "
        "limitations.";
    e.source_url = kMicrosoftSlaUrl;
    e.source_date = kDocx2026;
    e.status = CS::kConfirmed;
  }
  // AKS: "99.95 with Availability Zones; 99.9 without" in one record.
  {
    CatalogEntry& e = Add(v, "azure/aks/standard-az", "azure-aks-uptime-sla");
    e.provider = "azure";
    e.service = "Azure Kubernetes Service (Kubernetes API server)";
    e.tier =
        "Standard or Premium tier (Uptime SLA / \"Paid\" SKU), with "
        "Availability Zones";
    e.commitment_percent = 99.95;
    e.commitment_status = CS::kConfirmedDocs;
    e.period = "calendar month";
    e.downtime_kind = DK::kOther;
    e.downtime_definition =
        "availability of the Kubernetes API server endpoint; minute "
        "definition unconfirmed";
    e.maintenance_counts_as_downtime = true;
    e.exclusions =
        "Free tier has only a 99.5% SLO (no financially backed SLA); nodes "
        "fall under the VM SLA.";
    e.source_url =
        "https://learn.microsoft.com/azure/aks/free-standard-pricing-tiers";
    e.source_note = "formerly /aks/uptime-sla";
    e.source_date =
        "doc 2022-06-29; Uptime SLA announced 2020-05-13 (Tech Community)";
    e.status = CS::kPartial;
    e.unconfirmed_fields = {"downtime", "credits"};
  }
  {
    CatalogEntry& e = Add(v, "azure/aks/standard", "azure-aks-uptime-sla");
    e.provider = "azure";
    e.service = "Azure Kubernetes Service (Kubernetes API server)";
    e.tier =
        "Standard or Premium tier (Uptime SLA / \"Paid\" SKU), without "
        "Availability Zones";
    e.commitment_percent = 99.9;
    e.commitment_status = CS::kConfirmedDocs;
    e.period = "calendar month";
    e.downtime_kind = DK::kOther;
    e.downtime_definition =
        "availability of the Kubernetes API server endpoint; minute "
        "definition unconfirmed";
    e.maintenance_counts_as_downtime = true;
    e.exclusions =
        "Free tier has only a 99.5% SLO (no financially backed SLA); nodes "
        "fall under the VM SLA.";
    e.source_url =
        "https://learn.microsoft.com/azure/aks/free-standard-pricing-tiers";
    e.source_note = "formerly /aks/uptime-sla";
    e.source_date =
        "doc 2022-06-29; Uptime SLA announced 2020-05-13 (Tech Community)";
    e.status = CS::kPartial;
    e.unconfirmed_fields = {"downtime", "credits"};
  }
  {
    CatalogEntry& e =
        Add(v, "azure/vm/availability-zones", "azure-vm-availability-zones");
    e.provider = "azure";
    e.service = "Virtual Machines";
    e.tier =
        "two or more VMs across two or more Availability Zones in the same "
        "region";
    e.commitment_percent = 99.99;
    e.commitment_status = CS::kConfirmed;
    e.period = "Applicable Period (calendar month)";
    e.downtime_kind = DK::kIntervalAllFail;
    e.interval_minutes = 1;
    e.downtime_definition =
        "Maximum Available Minutes counted from when at least two VMs in two "
        "AZs are both started by Customer until Customer stops/deletes them. "
        "Downtime = those minutes with no Virtual Machine Connectivity in the "
        "region. Uptime % = (Max Available Minutes - Downtime) / Max "
        "Available Minutes x 100.";
    e.maintenance_counts_as_downtime = true;
    e.credits = {{99.99, 10}, {99, 25}, {95, 100}};
    e.exclusions = kMicrosoftGeneral;
    e.source_url = kMicrosoftSlaUrl;
    e.source_date =
        "Consolidated SLA DOCX, edition September 2026 (via transcription); "
        "AZ SLA added v1.8 Mar 2018";
    e.status = CS::kConfirmed;
  }
  {
    CatalogEntry& e =
        Add(v, "azure/vm/availability-set", "azure-vm-availability-set");
    e.provider = "azure";
    e.service = "Virtual Machines";
    e.tier =
        "two or more VMs in the same Availability Set or same Dedicated Host "
        "Group";
    e.commitment_percent = 99.95;
    e.commitment_status = CS::kConfirmed;
    e.period = "Applicable Period (calendar month)";
    e.downtime_kind = DK::kIntervalAllFail;
    e.interval_minutes = 1;
    e.downtime_definition =
        "Minutes (within Maximum Available Minutes) with no Virtual Machine "
        "Connectivity to any instance; counted from when 2+ VMs are started.";
    e.maintenance_counts_as_downtime = true;
    e.credits = {{99.95, 10}, {99, 25}, {95, 100}};
    e.exclusions =
        "Does not apply to Availability Sets using Azure shared disks; "
        "Microsoft general limitations.";
    e.source_url = kMicrosoftSlaUrl;
    e.source_date = kDocx2026;
    e.status = CS::kConfirmed;
  }
  {
    CatalogEntry& e =
        Add(v, "azure/vm/single-premium", "azure-vm-single-premium");
    e.provider = "azure";
    e.service = "Virtual Machines";
    e.tier =
        "single instance, Premium SSD OS disk and Premium SSD / Premium SSD "
        "v2 / Ultra data disks";
    e.commitment_percent = 99.9;
    e.commitment_status = CS::kConfirmed;
    e.period = "Applicable Period (calendar month)";
    e.downtime_kind = DK::kIntervalAllFail;
    e.interval_minutes = 1;
    e.downtime_definition = kAzureVmSingleDowntime;
    e.maintenance_counts_as_downtime = true;
    e.credits = {{99.9, 10}, {99, 25}, {95, 100}};
    e.exclusions = kMicrosoftGeneral;
    e.source_url = kMicrosoftSlaUrl;
    e.source_date = kDocx2026;
    e.status = CS::kConfirmed;
  }
  {
    CatalogEntry& e =
        Add(v, "azure/vm/single-standard-ssd", "azure-vm-single-standard-ssd");
    e.provider = "azure";
    e.service = "Virtual Machines";
    e.tier = "single instance, Standard SSD managed disks";
    e.commitment_percent = 99.5;
    e.commitment_status = CS::kConfirmed;
    e.period = "Applicable Period (calendar month)";
    e.downtime_kind = DK::kIntervalAllFail;
    e.interval_minutes = 1;
    e.downtime_definition = kAzureVmSingleDowntime;
    e.maintenance_counts_as_downtime = true;
    e.credits = {{99.5, 10}, {95, 25}, {90, 100}};
    e.exclusions = kMicrosoftGeneral;
    e.source_url = kMicrosoftSlaUrl;
    e.source_date = kDocx2026;
    e.status = CS::kConfirmed;
  }
  {
    CatalogEntry& e =
        Add(v, "azure/vm/single-standard-hdd", "azure-vm-single-standard-hdd");
    e.provider = "azure";
    e.service = "Virtual Machines";
    e.tier = "single instance, Standard HDD managed disks";
    e.commitment_percent = 95;
    e.commitment_status = CS::kConfirmed;
    e.period = "Applicable Period (calendar month)";
    e.downtime_kind = DK::kIntervalAllFail;
    e.interval_minutes = 1;
    e.downtime_definition = kAzureVmSingleDowntime;
    e.maintenance_counts_as_downtime = true;
    e.credits = {{95, 10}, {92, 25}, {90, 100}};
    e.exclusions = kMicrosoftGeneral;
    e.source_url = kMicrosoftSlaUrl;
    e.source_date = kDocx2026;
    e.status = CS::kConfirmed;
  }
}

// ---------------------------------------------------------------------------
// AWS. The research does not say how scheduled maintenance counts: every
// entry lists "maintenance" as unconfirmed.

void AddAws(std::vector<CatalogEntry>* v) {
  {
    CatalogEntry& e = Add(v, "aws/ec2/region-level", "aws-ec2-region-level");
    e.provider = "aws";
    e.service =
        "Amazon EC2 (Amazon Compute SLA; also covers EBS, ECS, Fargate for "
        "ECS/EKS)";
    e.tier =
        "Region-Level - all running instances/tasks deployed concurrently "
        "across 2+ AZs (or 2 regions if only one AZ)";
    e.commitment_percent = 99.99;
    e.commitment_status = CS::kConfirmed;
    e.period = "monthly billing cycle";
    e.downtime_kind = DK::kIntervalAllFail;
    e.interval_minutes = 1;
    e.downtime_definition =
        "Monthly Uptime % = 100% - percentage of minutes in the month in "
        "which the service was Unavailable. Region-level Unavailable = all "
        "running instances deployed in two or more AZs in the same region "
        "concurrently have no external connectivity.";
    e.credits = {{99.99, 10}, {99.0, 30}, {95.0, 100}};
    e.exclusions = kAwsComputeExclusions;
    e.source_url = kAwsComputeUrl;
    e.source_date =
        "Last Updated 2022-05-25 (prior version 2022-05-05 on "
        "/compute/sla/historical/)";
    e.status = CS::kConfirmed;
    e.unconfirmed_fields = {"maintenance"};
  }
  {
    CatalogEntry& e =
        Add(v, "aws/ec2/instance-level", "aws-ec2-instance-level");
    e.provider = "aws";
    e.service = "Amazon EC2";
    e.tier = "Instance-Level - each single EC2 instance";
    e.commitment_percent = 99.5;
    e.commitment_status = CS::kConfirmed;
    e.period = "monthly billing cycle";
    e.downtime_kind = DK::kIntervalAllFail;
    e.interval_minutes = 1;
    e.downtime_definition =
        "Instance-Level Uptime % = 100% - % of minutes the Single EC2 "
        "Instance was Unavailable; Unavailable = the instance has no external "
        "connectivity.";
    e.credits = {{99.5, 10}, {99.0, 30}, {95.0, 100}};
    e.exclusions = kAwsComputeExclusions;
    e.source_url = kAwsComputeUrl;
    e.source_date = "Last Updated 2022-05-25";
    e.status = CS::kConfirmed;
    e.unconfirmed_fields = {"maintenance"};
    e.notes =
        "AWS does not charge for any Single EC2 Instance that is Unavailable "
        "for more than six minutes of a clock hour (applied automatically, no "
        "claim needed).";
  }
  {
    CatalogEntry& e = Add(v, "aws/s3/standard", "aws-s3-standard");
    e.provider = "aws";
    e.service = "Amazon S3";
    e.tier =
        "S3 Standard (same table for S3 Express One Zone, Glacier Flexible "
        "Retrieval, Glacier Deep Archive, all other requests)";
    e.commitment_percent = 99.9;
    e.commitment_status = CS::kConfirmed;
    e.period = "monthly billing cycle";
    e.downtime_kind = DK::kAverageErrorRate;
    e.interval_minutes = 5;
    e.downtime_definition = kAwsS3Downtime;
    e.credits = {{99.9, 10}, {99.0, 25}, {95.0, 100}};
    e.exclusions = kAwsS3Exclusions;
    e.source_url = kAwsS3Url;
    e.source_date = "Last Updated 2023-11-28";
    e.status = CS::kConfirmed;
    e.unconfirmed_fields = {"maintenance"};
    e.notes =
        "Credit base = charges for the affected storage class in the "
        "affected Region (affected AZ for S3 Express One Zone).";
  }
  {
    CatalogEntry& e =
        Add(v, "aws/s3/infrequent-access", "aws-s3-infrequent-access");
    e.provider = "aws";
    e.service = "Amazon S3";
    e.tier =
        "S3 Intelligent-Tiering, Standard-IA, One Zone-IA, Glacier Instant "
        "Retrieval";
    e.commitment_percent = 99.0;
    e.commitment_status = CS::kConfirmed;
    e.period = "monthly billing cycle";
    e.downtime_kind = DK::kAverageErrorRate;
    e.interval_minutes = 5;
    e.downtime_definition = kAwsS3Downtime;
    e.credits = {{99.0, 10}, {98.0, 25}, {95.0, 100}};
    e.exclusions = kAwsS3Exclusions;
    e.source_url = kAwsS3Url;
    e.source_date = "Last Updated 2023-11-28";
    e.status = CS::kConfirmed;
    e.unconfirmed_fields = {"maintenance"};
  }
  // RDS: the numbers are from the SLA page, the downtime wording and
  // exclusions from a research digest ("official wording not read
  // directly"), so both entries are partial.
  {
    CatalogEntry& e = Add(v, "aws/rds/multi-az", "aws-rds-multi-az");
    e.provider = "aws";
    e.service = "Amazon RDS";
    e.tier = "Multi-AZ DB Instance and Multi-AZ DB Cluster";
    e.commitment_percent = 99.95;
    e.commitment_status = CS::kConfirmed;
    e.period = "monthly billing cycle";
    e.downtime_kind = DK::kIntervalAllFail;
    e.interval_minutes = 1;
    e.downtime_definition =
        "Unavailable = all connection requests to the running DB resource "
        "fail during a 1-minute interval (per a research digest of the "
        "current and 2019 versions; official wording not read directly). "
        "Monthly Uptime % = 100% - % of 1-minute intervals Unavailable.";
    e.credits = {{99.95, 10}, {99.0, 25}, {95.0, 100}};
    e.exclusions =
        "General AWS exclusions plus (per research digest, unverified "
        "wording) constrained instance classes, not following operational "
        "guidance, DB engine crashes, insufficient IO capacity.";
    e.source_url = kAwsRdsUrl;
    e.source_date = "Last Updated 2024-01-22";
    e.status = CS::kPartial;
    e.unconfirmed_fields = {"downtime", "maintenance", "exclusions"};
    e.notes =
        "Research status: confirmed (commitment and credits); the downtime "
        "rule and exclusions come from a digest, not the SLA text.";
  }
  {
    CatalogEntry& e = Add(v, "aws/rds/single-db", "aws-rds-single-db");
    e.provider = "aws";
    e.service = "Amazon RDS";
    e.tier = "Single-DB Instance";
    e.commitment_percent = 99.5;
    e.commitment_status = CS::kConfirmed;
    e.period = "monthly billing cycle";
    e.downtime_kind = DK::kIntervalAllFail;
    e.interval_minutes = 1;
    e.downtime_definition =
        "Instance-Level Uptime % (1-minute intervals; as Multi-AZ record): "
        "Unavailable = all connection requests fail during a 1-minute "
        "interval (research digest; official wording not read directly).";
    e.credits = {{99.5, 10}, {99.0, 25}, {95.0, 100}};
    e.exclusions =
        "As Multi-AZ; claims under the two commitments cannot be stacked "
        "(digest).";
    e.source_url = kAwsRdsUrl;
    e.source_date = "Last Updated 2024-01-22";
    e.status = CS::kPartial;
    e.unconfirmed_fields = {"downtime", "maintenance", "exclusions"};
    e.notes =
        "Research status: confirmed (commitment and credits); the downtime "
        "rule and exclusions come from a digest, not the SLA text.";
  }
  {
    CatalogEntry& e = Add(v, "aws/dynamodb/standard", "aws-dynamodb-standard");
    e.provider = "aws";
    e.service = "Amazon DynamoDB";
    e.tier = "Standard SLA (single region)";
    e.commitment_percent = 99.99;
    e.commitment_status = CS::kConfirmed;
    e.period = "monthly billing cycle, per AWS region";
    e.downtime_kind = DK::kOther;
    e.downtime_definition =
        "unconfirmed (request/error-rate based per secondary sources)";
    e.credits = {{99.99, 10}, {99.0, 25}, {95.0, 100}};
    e.exclusions = "unconfirmed";
    e.source_url = kAwsDynamoUrl;
    e.source_date =
        "unconfirmed (text quoted in GitHub notes dated 2023-05/2023-08)";
    e.status = CS::kPartial;
    e.unconfirmed_fields = {"downtime", "maintenance", "exclusions",
                            "source_date"};
    e.notes =
        "Research status: partial (numbers from verbatim quotes in two "
        "independent notes; page itself not read).";
  }
  {
    CatalogEntry& e =
        Add(v, "aws/dynamodb/global-tables", "aws-dynamodb-global-tables");
    e.provider = "aws";
    e.service = "Amazon DynamoDB";
    e.tier = "Global Tables SLA";
    e.commitment_percent = 99.999;
    e.commitment_status = CS::kConfirmed;
    e.period = "monthly billing cycle, per AWS region";
    e.downtime_kind = DK::kOther;
    e.downtime_definition = "unconfirmed";
    e.credits = {{99.999, 10}, {99.0, 25}, {95.0, 100}};
    e.exclusions = "unconfirmed";
    e.source_url = kAwsDynamoUrl;
    e.source_date = "unconfirmed";
    e.status = CS::kPartial;
    e.unconfirmed_fields = {"downtime", "maintenance", "exclusions",
                            "source_date"};
    e.notes =
        "Secondary (dynobase): credit base includes replicated-write charges "
        "for replica tables in other regions.";
  }
  {
    CatalogEntry& e = Add(v, "aws/lambda", "aws-lambda");
    e.provider = "aws";
    e.service = "AWS Lambda";
    e.tier = "all functions, per region";
    e.commitment_percent = 99.95;
    e.commitment_status = CS::kConfirmed;
    e.period = "monthly billing cycle";
    e.downtime_kind = DK::kAverageErrorRate;
    e.interval_minutes = 5;
    e.downtime_definition =
        "(2018 text) Monthly Uptime % for a region = average of Availability "
        "over all 5-minute intervals; Availability = % of Requests (invokes, "
        "direct or via supported event source) that do not fail with Errors "
        "(500/503); an interval with no Requests counts as 100%. Current "
        "wording unconfirmed.";
    e.exclusions =
        "Functions that re-enable disabled experimental Node.js features are "
        "not eligible (AWS Lambda docs); general AWS exclusions.";
    e.source_url = "https://aws.amazon.com/lambda/sla/";
    e.source_date =
        "first published 2018-10 (classmethod blog); current date "
        "unconfirmed";
    e.status = CS::kPartial;
    e.unconfirmed_fields = {"downtime", "maintenance", "credits",
                            "source_date"};
  }
  {
    CatalogEntry& e = Add(v, "aws/sqs", "aws-sqs");
    e.provider = "aws";
    e.service = "Amazon SQS";
    e.tier =
        "all queues (secondary sources group SQS with SNS under an \"Amazon "
        "Messaging\" SLA)";
    e.commitment_percent = 99.9;
    e.commitment_status = CS::kSecondary;
    e.period = "monthly billing cycle";
    e.downtime_kind = DK::kOther;
    e.downtime_definition = "unconfirmed";
    e.exclusions = "unconfirmed";
    e.source_url = "https://aws.amazon.com/legal/service-level-agreements/";
    e.source_note =
        "unconfirmed: this AWS SLA index lists an SQS SLA; the SLA page "
        "itself was not read";
    e.source_date = "unknown";
    e.status = CS::kSecondary;
    e.unconfirmed_fields = {
        "commitment_percent", "downtime",   "maintenance", "credits",
        "exclusions",         "source_url", "source_date"};
  }
  {
    CatalogEntry& e = Add(v, "aws/api-gateway", "aws-api-gateway");
    e.provider = "aws";
    e.service = "Amazon API Gateway";
    e.tier = "all APIs, per region";
    e.commitment_percent = 99.95;
    e.commitment_status = CS::kConfirmed;
    e.period = "monthly billing cycle";
    e.downtime_kind = DK::kAverageErrorRate;
    e.interval_minutes = 5;
    e.downtime_definition =
        "Availability per 5-minute interval = % of Requests (invocations of "
        "any API endpoint) that do not fail with Errors (failures due to an "
        "API Gateway internal service error); intervals without Requests = "
        "100%. Monthly Uptime % = average Availability over all 5-minute "
        "intervals.";
    e.credits = {{99.95, 10}, {99.0, 25}, {95.0, 100}};
    e.exclusions =
        "Outside AWS control / Internet beyond demarcation point; customer "
        "actions (scaling, security groups, VPC or credential settings, "
        "disabling encryption keys); customer equipment/software; not "
        "following the API Gateway Developer Guide best practices; "
        "suspension/termination.";
    e.source_url = "https://aws.amazon.com/api-gateway/sla/";
    e.source_date = "Last Updated 2022-05-05";
    e.status = CS::kConfirmed;
    e.unconfirmed_fields = {"maintenance"};
  }
}

// ---------------------------------------------------------------------------
// Google Cloud. Scheduled maintenance is excluded where the terms say so
// (Cloud SQL, GKE); elsewhere "maintenance" is unconfirmed.

void AddGcp(std::vector<CatalogEntry>* v) {
  {
    CatalogEntry& e =
        Add(v, "gcp/compute-engine/multi-zone", "gcp-compute-multi-zone");
    e.provider = "gcp";
    e.service = "Compute Engine";
    e.tier =
        "Instances in Multiple Zones (Premium network tier; regions other "
        "than Mexico and Stockholm)";
    e.commitment_percent = 99.99;
    e.commitment_status = CS::kConfirmed;
    e.period = "calendar month, per Project per Region";
    e.downtime_kind = DK::kIntervalAllFail;
    e.interval_minutes = 1;
    e.downtime_definition = kGceDowntime;
    e.exclusions = kGceExclusions;
    e.source_url = kGceUrl;
    e.source_date =
        "current page (undated in excerpt); tiered single-instance SLO "
        "present since 2023-08-29 version";
    e.status = CS::kPartial;
    e.unconfirmed_fields = {"maintenance", "credits"};
    e.notes =
        "Mexico and Stockholm regions 99.95; Standard network tier 99.9; "
        "Load balancing 99.99 (Premium). A Google Cloud Community answer "
        "(2025) states the maximum Compute Engine / Load Balancing credit is "
        "100% (older 2015-2021 versions capped at 50%); threshold table not "
        "read.";
  }
  {
    CatalogEntry& e = Add(v, "gcp/compute-engine/single-memory-optimized",
                          "gcp-compute-single-memory-optimized");
    e.provider = "gcp";
    e.service = "Compute Engine";
    e.tier = "a Single Instance of the memory-optimized family (Premium tier)";
    e.commitment_percent = 99.95;
    e.commitment_status = CS::kConfirmed;
    e.period = "calendar month, per instance";
    e.downtime_kind = DK::kIntervalAllFail;
    e.interval_minutes = 1;
    e.downtime_definition = kGceDowntime;
    e.exclusions = kGceExclusions;
    e.source_url = kGceUrl;
    e.source_date = "current page";
    e.status = CS::kPartial;
    e.unconfirmed_fields = {"maintenance", "credits"};
  }
  {
    CatalogEntry& e =
        Add(v, "gcp/compute-engine/single-other", "gcp-compute-single-other");
    e.provider = "gcp";
    e.service = "Compute Engine";
    e.tier = "a Single Instance of all other families (Premium tier)";
    e.commitment_percent = 99.9;
    e.commitment_status = CS::kConfirmed;
    e.period = "calendar month, per instance";
    e.downtime_kind = DK::kIntervalAllFail;
    e.interval_minutes = 1;
    e.downtime_definition = kGceDowntime;
    // "secondary only" in the research: kept, and marked unconfirmed.
    e.credits = {{99.9, 10}, {95, 25}, {90, 100}};
    e.exclusions =
        "Spot/preemptible VMs excluded (GCE docs); Google Cloud general SLA "
        "exclusions (Alpha/Beta, outside Google's control, customer-caused); "
        "claim notice 60 days plus logs (secondary).";
    e.source_url = kGceUrl;
    e.source_date = "current page";
    e.status = CS::kPartial;
    e.unconfirmed_fields = {"maintenance", "credits", "exclusions"};
    e.notes = "The credit tiers come from secondary sources only.";
  }
  {
    CatalogEntry& e = Add(v, "gcp/cloud-storage/multi-region-standard",
                          "gcp-cloud-storage-multi-region-standard");
    e.provider = "gcp";
    e.service = "Cloud Storage";
    e.tier = "Standard storage class in a multi-region or dual-region location";
    e.commitment_percent = 99.95;
    e.commitment_status = CS::kConfirmed;
    e.period = "calendar month, per Project";
    e.downtime_kind = DK::kOther;
    e.downtime_definition =
        "Error Rate = Valid Requests answered with HTTP 500 \"Internal "
        "Error\" / total Valid Requests in the period; repeated identical "
        "requests count only if they follow the Back-off Requirements (1 s "
        "minimum, exponential to 32 s). Downtime threshold and Downtime "
        "Period for the current version: unconfirmed.";
    e.exclusions = "unconfirmed beyond Google general exclusions";
    e.source_url = "https://cloud.google.com/storage/sla";
    e.source_date = "version of 2021-06-24 read (sla-20210624)";
    e.status = CS::kPartial;
    e.unconfirmed_fields = {"downtime", "maintenance", "credits", "exclusions"};
    e.notes =
        "Regional Standard and multi/dual-region Nearline/Coldline/Archive "
        "99.9; regional Nearline/Coldline/Archive and DRA 99.0.";
  }
  {
    CatalogEntry& e = Add(v, "gcp/cloud-sql/enterprise-plus",
                          "gcp-cloud-sql-enterprise-plus");
    e.provider = "gcp";
    e.service = "Cloud SQL";
    e.tier =
        "Enterprise Plus edition with high availability (MySQL, PostgreSQL, "
        "SQL Server)";
    e.commitment_percent = 99.99;
    e.commitment_status = CS::kConfirmed;
    e.period = "calendar month, per Instance";
    e.downtime_kind = DK::kIntervalAllFail;
    e.interval_minutes = 1;
    e.downtime_definition = kCloudSqlDowntime;
    e.maintenance_counts_as_downtime = false;  // stated: not counted
    e.exclusions = kCloudSqlExclusions;
    e.source_url = kCloudSqlUrl;
    e.source_date = "current page";
    e.status = CS::kPartial;
    e.unconfirmed_fields = {"credits"};
  }
  {
    CatalogEntry& e =
        Add(v, "gcp/cloud-sql/enterprise", "gcp-cloud-sql-enterprise");
    e.provider = "gcp";
    e.service = "Cloud SQL";
    e.tier = "Enterprise edition with high availability";
    e.commitment_percent = 99.95;
    e.commitment_status = CS::kConfirmed;
    e.period = "calendar month, per Instance";
    e.downtime_kind = DK::kIntervalAllFail;
    e.interval_minutes = 1;
    e.downtime_definition = kCloudSqlDowntime;
    e.maintenance_counts_as_downtime = false;  // stated: not counted
    e.exclusions = kCloudSqlExclusions;
    e.source_url = kCloudSqlUrl;
    e.source_date = "current page";
    e.status = CS::kPartial;
    e.unconfirmed_fields = {"credits"};
  }
  {
    CatalogEntry& e = Add(v, "gcp/cloud-run", "gcp-cloud-run");
    e.provider = "gcp";
    e.service = "Cloud Run";
    e.tier = "Cloud Run services";
    e.commitment_percent = 99.95;
    e.commitment_status = CS::kConfirmed;
    e.period = "calendar month, per Project per Region";
    e.downtime_kind = DK::kIntervalErrorRate;
    e.interval_minutes = 1;
    e.max_error_ratio = 0.01;
    e.downtime_definition =
        "Downtime = more than a 1% Error Rate (10% in 2019 versions). "
        "Downtime Period = one or more consecutive minutes. Error Rate = "
        "Valid Requests to a Cloud Run service endpoint returning HTTP 5XX "
        "due to a failure of Cloud Run / total Valid Requests (rest of "
        "definition not read).";
    e.exclusions = "unconfirmed beyond Google general exclusions";
    e.source_url = "https://cloud.google.com/run/sla";
    e.source_date = "current page";
    e.status = CS::kPartial;
    e.unconfirmed_fields = {"maintenance", "credits", "exclusions"};
  }
  {
    CatalogEntry& e = Add(v, "gcp/pubsub", "gcp-pubsub");
    e.provider = "gcp";
    e.service = "Pub/Sub";
    e.tier =
        "Pub/Sub (Pub/Sub Lite - regional topics 99.95, zonal topics 99.5 - "
        "has its own credit table)";
    e.commitment_percent = 99.95;
    e.commitment_status = CS::kConfirmed;
    e.period = "calendar month, per Project";
    e.downtime_kind = DK::kIntervalAllFail;
    e.interval_minutes = 1;
    e.downtime_definition =
        "Downtime = no valid request to publish a message succeeds and no "
        "valid request to establish a streaming publish connection succeeds. "
        "Downtime Period = 60 or more consecutive seconds. Monthly Uptime % = "
        "(minutes in month - minutes of Downtime Periods) / minutes in month.";
    e.credits = {{99.95, 10}, {99, 25}, {95, 50}};
    e.exclusions = "Google general exclusions (not read in detail)";
    e.source_url = "https://cloud.google.com/pubsub/sla";
    e.source_date = "current page (same definitions since 2020-10-09 version)";
    e.status = CS::kConfirmed;
    e.unconfirmed_fields = {"maintenance", "exclusions"};
  }
  // GKE: one research record lists a commitment per cluster kind.
  struct GkeTier {
    const char* id;
    const char* tier;
    double percent;
    const char* notes;
  };
  static constexpr GkeTier kGkeTiers[] = {
      {"gcp/gke/zonal-control-plane", "Zonal cluster control plane", 99.5, ""},
      {"gcp/gke/regional-control-plane", "Regional cluster control plane",
       99.95, ""},
      {"gcp/gke/autopilot-control-plane", "Autopilot cluster control plane",
       99.95, ""},
      {"gcp/gke/autopilot-pods-multi-zone", "Autopilot Pods in Multiple Zones",
       99.9, ""},
      {"gcp/gke/enterprise-autopilot-pods-multi-region",
       "GKE Enterprise Autopilot Pods in Multiple Regions", 99.99,
       "The research gives this commitment in the record's tier list "
       "(2023-11-16 version) but not in its sla_percent map."},
  };
  for (const GkeTier& t : kGkeTiers) {
    CatalogEntry& e = Add(v, t.id, "gcp-gke");
    e.provider = "gcp";
    e.service = "Google Kubernetes Engine";
    e.tier = t.tier;
    e.commitment_percent = t.percent;
    e.commitment_status = CS::kConfirmed;
    e.period = "calendar month, per cluster";
    e.downtime_kind = DK::kOther;
    e.downtime_definition = kGkeDowntime;
    e.maintenance_counts_as_downtime = false;  // Scheduled Downtime excluded
    e.exclusions = kGkeExclusions;
    e.source_url = kGkeUrl;
    e.source_date = "archived 2023-11-16 and 2021-03-09 versions read";
    e.status = CS::kPartial;
    e.unconfirmed_fields = {"downtime", "credits"};
    e.notes = t.notes;
  }
}

std::vector<CatalogTerms> BuildTerms() {
  std::vector<CatalogTerms> v(4);
  {
    CatalogTerms& t = v[0];
    t.provider = "aws";
    t.source_id = "aws-generic-credit";
    t.title = "AWS service SLA structure and credit calculation";
    t.scope = "all AWS SLAs read (EC2, S3, RDS, API Gateway, DynamoDB)";
    t.period = "monthly billing cycle (per AWS region, per account)";
    t.downtime_definition =
        "Time-based SLAs: Monthly Uptime % = 100% - % of minutes (or 1-minute "
        "intervals) the resource was Unavailable (EC2, RDS). Request-based "
        "SLAs: 100% - average of 5-minute Error Rates (S3), or average of "
        "5-minute Availability where Availability = % of requests not failing "
        "with server errors and empty intervals count as 100% (Lambda, API "
        "Gateway).";
    t.credits =
        "per service; typical AWS ladder [<SLA -> 10, <99.0 -> 25 (30 for "
        "EC2), <95.0 -> 100]";
    t.credit_calculation =
        "Service Credit = credit % for the band the Monthly Uptime % falls in "
        "x total charges paid for the affected service in the affected region "
        "for that billing cycle (EC2: excluding one-time payments such as "
        "upfront Reserved Instance fees; S3: charges for the affected storage "
        "class; RDS: charges for the affected DB instances/clusters). Applied "
        "only against future payments for that service (or, at AWS "
        "discretion, to the card used); no refund; issued only if the credit "
        "exceeds USD 1; not transferable. Sole and exclusive remedy.";
    t.claims =
        "AWS Support case with \"SLA Credit Request\" in the subject, "
        "incident dates/times, region, resource IDs and request logs, "
        "received by the end of the second billing cycle after the incident; "
        "credit issued within one billing cycle of confirmation.";
    t.exclusions =
        "Outside AWS reasonable control (force majeure, Internet beyond the "
        "AWS demarcation point); customer actions or inactions; customer "
        "equipment/software/technology; suspension or termination; plus "
        "service-specific items.";
    t.source_url = "https://aws.amazon.com/api-gateway/sla/";
    t.source_note = "full text read; also https://aws.amazon.com/compute/sla/";
    t.source_date = "2022-05-05 (API Gateway); 2022-05-25 (Compute)";
    t.status = CS::kConfirmed;
  }
  {
    CatalogTerms& t = v[1];
    t.provider = "azure";
    t.source_id = "azure-generic-terms";
    t.title =
        "Microsoft SLA for Online Services - General Terms (Azure services)";
    t.scope = "all Azure services";
    t.period =
        "Calendar month. Older text: \"Applicable Monthly Period\" = for a "
        "calendar month in which a Service Credit is owed, the number of days "
        "you are a subscriber. Current (2026) service sections use "
        "\"Applicable Period\" (definition text not read).";
    t.downtime_definition =
        "Defined per service. Common Azure form: Uptime % = (Maximum "
        "Available Minutes - Downtime) / Maximum Available Minutes x 100, "
        "where Maximum Available Minutes = sum of Deployment Minutes of all "
        "covered resources in the subscription for the period and Downtime = "
        "minutes a resource is unavailable per the service definition. "
        "Request-based variants: (Total - Failed) / Total x 100 (e.g. "
        "Functions Consumption, API for FHIR) or 100% - Average hourly Error "
        "Rate (Storage). \"Error Code\" = e.g. HTTP 5xx; \"Success Code\" = "
        "e.g. HTTP 2xx; \"Incident\" = event(s) causing Downtime.";
    t.credits =
        "per service; typical Azure ladder [<SLA -> 10, <99 -> 25, <95 -> "
        "100]; Storage and Load Balancer use two tiers (10, 25)";
    t.credit_calculation =
        "Service Credit = % of Applicable Monthly Service Fees (fees actually "
        "paid for the Service/Resource/tier that missed its Service Level for "
        "that month). Credits apply only to the affected Service, Service "
        "Resource or tier; never exceed that month's fees for it; suite "
        "purchases are pro-rated; reseller customers get credits via the "
        "reseller (estimated retail price). Only one Service Credit per "
        "Service per period; if one Incident breaks several Service Levels "
        "the customer picks one. Credits are the sole and exclusive remedy; "
        "no unilateral offset.";
    t.claims =
        "Azure: claim must be received within two months of the end of the "
        "billing month of the Incident (other Online Services: by end of the "
        "following calendar month). Include description, time and duration, "
        "affected users/locations, mitigation attempts. Microsoft aims to "
        "process within 45 days. Customer must be in compliance with the "
        "Agreement.";
    t.exclusions =
        "Factors outside reasonable control (disasters, war, government "
        "action, network/device failures outside Microsoft data centers); "
        "non-Microsoft services/hardware/software; use after Microsoft "
        "advised to modify use; preview/pre-release/beta/trial and purchases "
        "with subscription credits; customer's unauthorized action/inaction "
        "or poor security practices; not following required "
        "configurations/supported platforms/acceptable-use; faulty input; "
        "exceeding quotas or throttling of suspected abuse; features outside "
        "Support Windows; licences reserved but unpaid.";
    t.maintenance =
        "Counts as downtime: \"Except for Microsoft Azure Services, Downtime "
        "does not include Scheduled Downtime\".";
    t.source_url = kMicrosoftSlaUrl;
    t.source_date =
        "General Terms wording read from an Azure SLA copy of ~2019-2021 (API "
        "for FHIR section); 2026 DOCX service sections read separately";
    t.status = CS::kConfirmed;
    t.notes =
        "Research status: confirmed (older General Terms wording; check the "
        "current DOCX for changes).";
  }
  {
    CatalogTerms& t = v[2];
    t.provider = "gcp";
    t.source_id = "gcp-generic-financial-credit";
    t.title = "Google Cloud SLA structure";
    t.scope = "all GCP SLAs read";
    t.period =
        "calendar month, per Project (or per Project per Region / per "
        "instance / per cluster, as stated)";
    t.downtime_definition =
        "Monthly Uptime % = (total minutes in the month - minutes of Downtime "
        "in all Downtime Periods) / total minutes in the month. Downtime is "
        "either total failure of valid requests (Cloud SQL, Pub/Sub) or an "
        "Error Rate above a threshold (e.g. >1% Cloud Run now, 10% Cloud "
        "Functions 2018); Downtime Period = minimum run of consecutive "
        "Downtime (60 s to 5 min depending on service).";
    t.credits =
        "per service; common GCP ladder [<SLO -> 10, <99 -> 25, <95 -> 50] "
        "(Pub/Sub, AlloyDB, Cloud Functions 2018-2020); Compute Engine now "
        "reportedly up to 100%";
    t.credit_calculation =
        "\"Financial Credit\" = % of the monthly bill for the respective "
        "Covered Service (in the affected region, where stated) that did not "
        "meet the SLO, credited to future monthly bills. SLA is the sole and "
        "exclusive remedy.";
    t.claims =
        "Customer must notify Google within the stated window and provide "
        "logs of Downtime Periods (secondary source: 60 days for Compute "
        "Engine).";
    t.exclusions =
        "Alpha/Beta features, outside Google's reasonable control, "
        "customer-caused issues, Spot/preemptible VMs (GCE), "
        "service-specific operational guidelines (Cloud SQL).";
    t.source_url = "https://cloud.google.com/terms/sla";
    t.source_date = "various";
    t.status = CS::kPartial;
  }
  {
    CatalogTerms& t = v[3];
    t.provider = "microsoft";
    t.source_id = "microsoft-online-services-user-minutes";
    t.title = "Microsoft 365 / Online Services user-based uptime";
    t.scope = "Office 365-style services (not Azure)";
    t.period = "calendar month";
    t.downtime_definition =
        "Monthly Uptime % = (User Minutes - Downtime) / User Minutes x 100, "
        "Downtime measured in user-minutes (sum over Incidents of duration x "
        "users affected). 2013 form: 100 x (x - y) / x with x = total minutes "
        "in month, y = Downtime.";
    t.credits = "typical commitment 99.9; [<99.9 -> 25, <99 -> 50, <95 -> 100]";
    t.exclusions =
        "Scheduled Downtime excluded for non-Azure Online Services; General "
        "Terms limitations.";
    t.maintenance = "Excluded: Scheduled Downtime is not Downtime.";
    t.source_url =
        "https://blogs.technet.microsoft.com/lystavlen/2013/04/29/"
        "service-level-agreement-for-microsoft-online-services/";
    t.source_date =
        "2013-04-29 (Microsoft blog); user-minute wording via lawinsider "
        "clause excerpts";
    t.status = CS::kConfirmed;
    t.notes = "Research status: confirmed (older; not Azure).";
  }
  return v;
}

}  // namespace

absl::Span<const CatalogEntry> Catalog() {
  static const std::vector<CatalogEntry>* const kEntries = [] {
    auto* v = new std::vector<CatalogEntry>();
    AddAzure(v);
    AddAws(v);
    AddGcp(v);
    std::sort(v->begin(), v->end(),
              [](const CatalogEntry& a, const CatalogEntry& b) {
                return a.id < b.id;
              });
    return v;
  }();
  return *kEntries;
}

absl::Span<const CatalogTerms> AllCatalogTerms() {
  static const std::vector<CatalogTerms>* const kTerms =
      new std::vector<CatalogTerms>(BuildTerms());
  return *kTerms;
}

}  // namespace sla
