#include "sla/catalog.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace sla {
namespace {

constexpr int kMaxSuggestions = 6;

// The shortest text that reads back as `value`: 99.995, not 99.9950.
std::string Num(double value) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, res.ptr);
}

// Levenshtein distance.
int EditDistance(absl::string_view a, absl::string_view b) {
  std::vector<int> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    int diagonal = row[0];
    row[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const int above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::vector<absl::string_view> Tokens(absl::string_view id) {
  return absl::StrSplit(id, absl::ByAnyChar("/-_ ."), absl::SkipEmpty());
}

// Two words match when equal, when one starts the other and has at least 3
// letters ("dyn" and "dynamodb"), or when words of 4 letters or more are one
// edit apart ("servce" and "service").
bool TokensMatch(absl::string_view a, absl::string_view b) {
  if (a == b) return true;
  const size_t shorter = std::min(a.size(), b.size());
  if (shorter >= 3 && (absl::StartsWith(a, b) || absl::StartsWith(b, a))) {
    return true;
  }
  return shorter >= 4 && EditDistance(a, b) <= 1;
}

// `text`, followed by " [unconfirmed]" when the field is unconfirmed (unless
// the text already says just that).
std::string Mark(absl::string_view text, bool unconfirmed) {
  if (!unconfirmed || text == "unconfirmed") return std::string(text);
  return absl::StrCat(text, " [unconfirmed]");
}

std::string DowntimeSummary(const CatalogEntry& e) {
  const std::string interval = absl::StrCat(e.interval_minutes, "-minute");
  switch (e.downtime_kind) {
    case CatalogDowntimeKind::kIntervalAllFail:
      return absl::StrCat(interval,
                          " intervals; an interval is down when every "
                          "request or check in it fails");
    case CatalogDowntimeKind::kIntervalErrorRate:
      return absl::StrCat(interval,
                          " intervals; an interval is down when its error "
                          "rate exceeds ",
                          Num(e.max_error_ratio * 100), "%");
    case CatalogDowntimeKind::kAverageErrorRate:
      return absl::StrCat("uptime = 100% - the average error rate of ",
                          interval, " intervals");
    case CatalogDowntimeKind::kRequestRatio:
      return "uptime = successful / total requests over the period";
    case CatalogDowntimeKind::kOther:
      break;
  }
  return "not stated precisely enough to compute";
}

std::string CreditsText(const CatalogEntry& e) {
  if (e.credits.empty()) return "none stated";
  std::vector<std::string> parts;
  for (const CatalogCreditTier& t : e.credits) {
    parts.push_back(absl::StrCat("below ", Num(t.below_percent),
                                 "%: ", Num(t.credit_percent), "%"));
  }
  return absl::StrJoin(parts, "; ");
}

std::string MaintenanceText(const CatalogEntry& e) {
  if (e.IsUnconfirmed("maintenance")) {
    return absl::StrCat(
        "not stated; treated as ",
        e.maintenance_counts_as_downtime ? "downtime" : "excluded",
        " [unconfirmed]");
  }
  return e.maintenance_counts_as_downtime ? "counts as downtime"
                                          : "excluded from downtime";
}

}  // namespace

absl::string_view ConfirmationStatusName(ConfirmationStatus status) {
  switch (status) {
    case ConfirmationStatus::kConfirmed:
      return "confirmed";
    case ConfirmationStatus::kConfirmedDocs:
      return "confirmed_docs";
    case ConfirmationStatus::kPartial:
      return "partial";
    case ConfirmationStatus::kSecondary:
      return "secondary";
    case ConfirmationStatus::kUnconfirmed:
      return "unconfirmed";
  }
  return "unconfirmed";
}

bool IsConfirmedFromProviderText(ConfirmationStatus status) {
  return status == ConfirmationStatus::kConfirmed;
}

absl::string_view CatalogDowntimeKindName(CatalogDowntimeKind kind) {
  switch (kind) {
    case CatalogDowntimeKind::kIntervalAllFail:
      return "interval_all_fail";
    case CatalogDowntimeKind::kIntervalErrorRate:
      return "interval_error_rate";
    case CatalogDowntimeKind::kAverageErrorRate:
      return "average_error_rate";
    case CatalogDowntimeKind::kRequestRatio:
      return "request_ratio";
    case CatalogDowntimeKind::kOther:
      return "other";
  }
  return "other";
}

bool CatalogEntry::IsUnconfirmed(absl::string_view field) const {
  return std::find(unconfirmed_fields.begin(), unconfirmed_fields.end(),
                   field) != unconfirmed_fields.end();
}

absl::StatusOr<const CatalogEntry*> FindCatalogEntry(absl::string_view id) {
  const std::string want =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(id));
  if (want.empty()) return absl::InvalidArgumentError("catalog id is empty");
  const absl::Span<const CatalogEntry> all = Catalog();
  const auto it = std::lower_bound(
      all.begin(), all.end(), want,
      [](const CatalogEntry& e, const std::string& v) { return e.id < v; });
  if (it != all.end() && it->id == want) return &*it;

  // Close ids: same provider when the id names a known one, ranked by the
  // number of shared words, then by edit distance.
  const size_t slash = want.find('/');
  const absl::string_view provider =
      slash == std::string::npos ? absl::string_view()
                                 : absl::string_view(want).substr(0, slash);
  const bool known_provider =
      !provider.empty() &&
      std::any_of(all.begin(), all.end(), [&](const CatalogEntry& e) {
        return e.provider == provider;
      });
  const std::vector<absl::string_view> want_tokens =
      Tokens(known_provider ? absl::string_view(want).substr(slash + 1) : want);

  struct Candidate {
    int shared;
    int distance;
    const CatalogEntry* entry;
  };
  std::vector<Candidate> candidates;
  for (const CatalogEntry& e : all) {
    if (known_provider && e.provider != provider) continue;
    const std::vector<absl::string_view> tokens = Tokens(e.id);
    int shared = 0;
    for (absl::string_view w : want_tokens) {
      if (std::any_of(tokens.begin(), tokens.end(),
                      [&](absl::string_view t) { return TokensMatch(w, t); })) {
        ++shared;
      }
    }
    candidates.push_back({shared, EditDistance(want, e.id), &e});
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) {
              return std::make_tuple(-a.shared, a.distance, a.entry->id) <
                     std::make_tuple(-b.shared, b.distance, b.entry->id);
            });
  // Keep the ids that share a word; when none does, the nearest by spelling.
  const bool any_shared = !candidates.empty() && candidates[0].shared > 0;
  std::vector<absl::string_view> close;
  for (const Candidate& c : candidates) {
    if (static_cast<int>(close.size()) == kMaxSuggestions) break;
    if (any_shared && c.shared == 0) break;
    close.push_back(c.entry->id);
  }
  std::string message = absl::StrCat(
      "no catalog entry \"", id, "\"; close ids: ", absl::StrJoin(close, ", "));
  if (!provider.empty() && !known_provider) {
    std::vector<absl::string_view> providers;
    for (const CatalogEntry& e : all) {
      if (std::find(providers.begin(), providers.end(), e.provider) ==
          providers.end()) {
        providers.push_back(e.provider);
      }
    }
    std::sort(providers.begin(), providers.end());
    absl::StrAppend(&message, " (no provider \"", provider,
                    "\"; providers: ", absl::StrJoin(providers, ", "), ")");
  }
  return absl::NotFoundError(message);
}

absl::StatusOr<const CatalogTerms*> FindCatalogTerms(
    absl::string_view provider) {
  const std::string want =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(provider));
  std::vector<absl::string_view> names;
  for (const CatalogTerms& t : AllCatalogTerms()) {
    if (t.provider == want) return &t;
    names.push_back(t.provider);
  }
  return absl::NotFoundError(
      absl::StrCat("no catalog terms for provider \"", provider,
                   "\"; providers: ", absl::StrJoin(names, ", ")));
}

std::string FormatCatalogCommitment(const CatalogEntry& entry) {
  if (std::isnan(entry.commitment_percent)) return "none stated [unconfirmed]";
  std::string text = absl::StrCat(Num(entry.commitment_percent), "%");
  if (entry.IsUnconfirmed("commitment_percent")) {
    absl::StrAppend(&text,
                    entry.commitment_status == ConfirmationStatus::kSecondary
                        ? " [secondary]"
                        : " [unconfirmed]");
  } else if (!IsConfirmedFromProviderText(entry.commitment_status)) {
    absl::StrAppend(&text, " [",
                    ConfirmationStatusName(entry.commitment_status), "]");
  }
  return text;
}

std::string CatalogConfirmationNote(const CatalogEntry& entry) {
  if (IsConfirmedFromProviderText(entry.status) &&
      entry.unconfirmed_fields.empty()) {
    return "";
  }
  std::string note(ConfirmationStatusName(entry.status));
  if (!entry.unconfirmed_fields.empty()) {
    absl::StrAppend(&note, "; not confirmed: ",
                    absl::StrJoin(entry.unconfirmed_fields, ", "));
  }
  return note;
}

std::string FormatCatalogEntry(const CatalogEntry& e) {
  std::string out;
  auto line = [&out](absl::string_view label, absl::string_view value) {
    if (value.empty()) return;
    absl::StrAppend(&out, "  ", label,
                    std::string(label.size() < 12 ? 12 - label.size() : 1, ' '),
                    value, "\n");
  };
  absl::StrAppend(&out, e.id, "\n");
  line("service", e.service);
  line("tier", e.tier);
  line("commitment", FormatCatalogCommitment(e));
  const std::string note = CatalogConfirmationNote(e);
  line("status", note.empty() ? "confirmed" : note);
  line("period", Mark(e.period, e.IsUnconfirmed("period")));
  const bool downtime_unconfirmed = e.IsUnconfirmed("downtime");
  line("downtime", Mark(DowntimeSummary(e), downtime_unconfirmed));
  line("", e.downtime_definition);
  line("maintenance", MaintenanceText(e));
  line("credits", Mark(CreditsText(e), e.IsUnconfirmed("credits")));
  line("exclusions", Mark(e.exclusions, e.IsUnconfirmed("exclusions")));
  line("source", Mark(e.source_url, e.IsUnconfirmed("source_url")));
  line("", e.source_note);
  line("source date", Mark(e.source_date, e.IsUnconfirmed("source_date")));
  line("notes", e.notes);
  line("data", absl::StrCat("catalog ", kCatalogVersion, ", research record ",
                            e.source_id));
  return out;
}

}  // namespace sla
