#include "bindings/grpc/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sla {
namespace server {
namespace {

constexpr absl::string_view kHashPrefix = "sha256:";
constexpr size_t kHexDigits = 64;  // SHA-256 is 32 bytes
constexpr size_t kTokenBytes = 32;
constexpr absl::string_view kTokenPrefix = "slk_";

constexpr absl::string_view kNameRule =
    "letters, digits, '.', '_', '-'; at most 64, starting with a letter or "
    "digit";

// The same rule as sla::IsValidTenantName (sla/config.h), repeated so that
// this library does not depend on the YAML configuration target.
bool IsValidName(absl::string_view name) {
  if (name.empty() || name.size() > 64 || !absl::ascii_isalnum(name[0])) {
    return false;
  }
  for (char c : name) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

bool IsValidHash(absl::string_view field) {
  if (!absl::ConsumePrefix(&field, kHashPrefix) || field.size() != kHexDigits) {
    return false;
  }
  return std::all_of(field.begin(), field.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

// Field keys are quoted in messages only when they look like keys, so that
// a secret with an '=' in it (e.g. padded base64) is never echoed.
bool IsQuotableKey(absl::string_view key) {
  return !key.empty() && key.size() <= 16 &&
         std::all_of(key.begin(), key.end(),
                     [](char c) { return absl::ascii_isalpha(c) || c == '_'; });
}

bool HasBlank(absl::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return absl::ascii_isspace(c); });
}

absl::Status Unauthenticated(absl::string_view what) {
  return absl::UnauthenticatedError(what);
}

// One token line split into fields; appends what is wrong to `problems`.
// Returns true (and fills `hash`, `principal`) if nothing is.
bool ParseLine(const std::vector<absl::string_view>& fields, std::string* hash,
               Principal* principal, std::vector<std::string>* problems) {
  const size_t problems_before = problems->size();
  size_t first_field = 1;
  const absl::string_view head = fields[0];
  if (absl::StartsWith(head, kHashPrefix)) {
    if (IsValidHash(head)) {
      hash->assign(head.data(), head.size());
    } else {
      problems->push_back(absl::StrCat("malformed hash: expected '",
                                       kHashPrefix, "' and ", kHexDigits,
                                       " lowercase hex digits"));
    }
  } else if (absl::StrContains(head, '=')) {
    problems->push_back(absl::StrCat("missing token hash: a line starts with '",
                                     kHashPrefix, "<", kHexDigits,
                                     " lowercase hex digits>'"));
    first_field = 0;
  } else {
    problems->push_back(absl::StrCat(
        "this looks like a plaintext token, not a hash; the file stores only "
        "token hashes ('",
        kHashPrefix, "<", kHexDigits, " lowercase hex digits>')"));
  }

  bool seen_name = false;
  bool seen_tenants = false;
  bool seen_roles = false;
  for (size_t i = first_field; i < fields.size(); ++i) {
    const absl::string_view field = fields[i];
    const size_t eq = field.find('=');
    if (eq == absl::string_view::npos) {
      problems->push_back(absl::StrCat(
          "field ", i + 1, " is not key=value (name=, tenants=, roles=)"));
      continue;
    }
    const absl::string_view key = field.substr(0, eq);
    const absl::string_view value = field.substr(eq + 1);
    bool* seen = key == "name"      ? &seen_name
                 : key == "tenants" ? &seen_tenants
                 : key == "roles"   ? &seen_roles
                                    : nullptr;
    if (seen == nullptr) {
      problems->push_back(absl::StrCat(
          "unknown field",
          IsQuotableKey(key) ? absl::StrCat(" '", key, "'") : std::string(),
          " (expected name, tenants, roles)"));
      continue;
    }
    if (*seen) {
      problems->push_back(
          absl::StrCat("field '", key, "' given more than once"));
      continue;
    }
    *seen = true;

    if (key == "name") {
      if (IsValidName(value)) {
        principal->name.assign(value.data(), value.size());
      } else if (value.empty()) {
        problems->push_back("'name=' is empty");
      } else {
        problems->push_back(
            absl::StrCat("name '", value, "' is not valid (", kNameRule, ")"));
      }
    } else if (key == "tenants") {
      if (value == "*") {
        principal->all_tenants = true;
        continue;
      }
      if (value.empty()) {
        problems->push_back("'tenants=' is empty");
        continue;
      }
      for (absl::string_view tenant : absl::StrSplit(value, ',')) {
        if (tenant == "*") {
          problems->push_back("'*' (all tenants) must be the only tenant");
        } else if (tenant.empty()) {
          problems->push_back("empty tenant in 'tenants='");
        } else if (!IsValidName(tenant)) {
          problems->push_back(absl::StrCat("tenant '", tenant,
                                           "' is not valid (", kNameRule, ")"));
        } else if (std::find(principal->tenants.begin(),
                             principal->tenants.end(),
                             tenant) != principal->tenants.end()) {
          problems->push_back(
              absl::StrCat("tenant '", tenant, "' listed twice"));
        } else {
          principal->tenants.emplace_back(tenant);
        }
      }
    } else {  // roles
      if (value.empty()) {
        problems->push_back("'roles=' is empty");
        continue;
      }
      for (absl::string_view name : absl::StrSplit(value, ',')) {
        if (name.empty()) {
          problems->push_back("empty role in 'roles='");
          continue;
        }
        absl::StatusOr<Role> role = ParseRole(name);
        if (!role.ok()) {
          problems->emplace_back(role.status().message());
        } else if (principal->HasRole(*role)) {
          problems->push_back(absl::StrCat("role '", name, "' listed twice"));
        } else {
          principal->roles.push_back(*role);
        }
      }
    }
  }
  if (!seen_name) {
    problems->push_back("missing field 'name'");
  }
  if (!seen_tenants) {
    problems->push_back("missing field 'tenants'");
  }
  if (!seen_roles) {
    problems->push_back("missing field 'roles'");
  }
  std::sort(principal->roles.begin(), principal->roles.end());
  return problems->size() == problems_before;
}

}  // namespace

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kIngest:
      return "ingest";
    case Role::kRead:
      return "read";
    case Role::kAdmin:
      return "admin";
  }
  return "unknown";
}

absl::StatusOr<Role> ParseRole(absl::string_view name) {
  for (Role role : {Role::kIngest, Role::kRead, Role::kAdmin}) {
    if (name == RoleName(role)) {
      return role;
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown role '", name, "' (expected ingest, read or admin)"));
}

bool Principal::HasRole(Role role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool Principal::InTenant(absl::string_view tenant) const {
  if (tenant.empty()) {
    return false;
  }
  if (all_tenants) {
    return true;
  }
  return std::find(tenants.begin(), tenants.end(), tenant) != tenants.end();
}

std::string HashToken(absl::string_view token) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(token.data(), token.size(), digest, &length, EVP_sha256(),
                 nullptr) != 1 ||
      length != kHexDigits / 2) {
    return std::string();
  }
  return absl::StrCat(kHashPrefix,
                      absl::BytesToHexString(absl::string_view(
                          reinterpret_cast<const char*>(digest), length)));
}

absl::StatusOr<std::string> NewToken() {
  unsigned char bytes[kTokenBytes];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return absl::InternalError(
        "cannot create a token: the OpenSSL random generator failed");
  }
  std::string token = absl::StrCat(
      kTokenPrefix, absl::WebSafeBase64Escape(absl::string_view(
                        reinterpret_cast<const char*>(bytes), sizeof(bytes))));
  OPENSSL_cleanse(bytes, sizeof(bytes));
  return token;
}

std::string TokenLine(absl::string_view hash, const Principal& principal) {
  return absl::StrCat(
      hash, " name=", principal.name, " tenants=",
      principal.all_tenants ? std::string("*")
                            : absl::StrJoin(principal.tenants, ","),
      " roles=",
      absl::StrJoin(principal.roles, ",", [](std::string* out, Role role) {
        absl::StrAppend(out, RoleName(role));
      }));
}

absl::StatusOr<TokenStore> TokenStore::Parse(absl::string_view text,
                                             absl::string_view source) {
  TokenStore store;
  std::vector<std::string> problems;
  absl::flat_hash_map<std::string, int> hash_line;
  absl::flat_hash_map<std::string, int> name_line;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);  // also a CRLF's '\r'
    if (line.empty() || line[0] == '#') {
      continue;
    }
    const std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    std::vector<std::string> line_problems;
    std::string hash;
    Principal principal;
    const bool ok = ParseLine(fields, &hash, &principal, &line_problems);
    if (!hash.empty()) {
      auto [it, inserted] = hash_line.try_emplace(hash, line_number);
      if (!inserted) {
        line_problems.push_back(absl::StrCat(
            "duplicate token hash (also on line ", it->second, ")"));
      }
    }
    if (!principal.name.empty()) {
      auto [it, inserted] = name_line.try_emplace(principal.name, line_number);
      if (!inserted) {
        line_problems.push_back(absl::StrCat("duplicate principal name '",
                                             principal.name, "' (also on line ",
                                             it->second, ")"));
      }
    }
    for (const std::string& what : line_problems) {
      problems.push_back(absl::StrCat(source, ":", line_number, ": ", what));
    }
    if (ok && line_problems.empty()) {
      store.by_hash_.emplace(std::move(hash), std::move(principal));
    }
  }
  if (!problems.empty()) {
    return absl::InvalidArgumentError(absl::StrJoin(problems, "\n"));
  }
  return store;
}

absl::StatusOr<TokenStore> TokenStore::Load(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return absl::ErrnoToStatus(
        errno, absl::StrCat("cannot open token file '", path, "'"));
  }
  std::string text;
  char buffer[1 << 14];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), f)) > 0) {
    text.append(buffer, n);
  }
  const int read_errno = std::ferror(f) ? errno : 0;
  std::fclose(f);
  if (read_errno != 0) {
    return absl::ErrnoToStatus(
        read_errno, absl::StrCat("cannot read token file '", path, "'"));
  }
  return Parse(text, path);
}

absl::StatusOr<Principal> TokenStore::Authenticate(
    absl::string_view authorization) const {
  const absl::string_view header = absl::StripAsciiWhitespace(authorization);
  if (header.empty()) {
    return Unauthenticated("missing bearer token");
  }
  const size_t blank = header.find_first_of(" \t");
  if (!absl::EqualsIgnoreCase(header.substr(0, blank), "bearer")) {
    return Unauthenticated("malformed authorization header");
  }
  if (blank == absl::string_view::npos) {
    return Unauthenticated("missing bearer token");
  }
  const absl::string_view token =
      absl::StripLeadingAsciiWhitespace(header.substr(blank));
  if (HasBlank(token)) {
    return Unauthenticated("malformed authorization header");
  }

  const std::string hash = HashToken(token);
  const auto it = by_hash_.find(hash);
  // The lookup is by hash (see by_hash_); this comparison is the one that
  // decides, and it takes the same time whatever the bytes.
  if (hash.empty() || it == by_hash_.end() || it->first.size() != hash.size() ||
      CRYPTO_memcmp(it->first.data(), hash.data(), hash.size()) != 0) {
    return Unauthenticated("unknown token");
  }
  return it->second;
}

absl::Status Authorize(const Principal& principal, Role role,
                       absl::string_view tenant) {
  if (!principal.HasRole(role)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "principal '", principal.name, "' lacks role '", RoleName(role), "'"));
  }
  if (!principal.InTenant(tenant)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "principal '", principal.name, "' has no access to this resource"));
  }
  return absl::OkStatus();
}

}  // namespace server
}  // namespace sla
