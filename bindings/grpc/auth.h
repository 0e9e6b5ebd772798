// bindings/grpc/auth.h: bearer-token authentication and tenant-scoped
// authorization for `slakit serve`.
//
// Clients send `authorization: Bearer <token>` metadata. The server keeps a
// token file that stores only SHA-256 hashes of the tokens, each with the
// principal it stands for: a name, the tenants it may see (`*` for all, the
// operator) and its roles. Every service belongs to one tenant; a token of
// tenant A can neither read nor write anything of tenant B.
//
//   # /etc/slakit/tokens: one token per line; '#' comments, blank lines.
//   sha256:<64 lowercase hex> name=ci-prober tenants=contoso roles=ingest
//   sha256:<64 lowercase hex> name=ops tenants=* roles=read,admin
//
//   absl::StatusOr<sla::server::TokenStore> store =
//       sla::server::TokenStore::Load("/etc/slakit/tokens");
//   if (!store.ok()) return store.status();  // every problem, one per line
//   ...
//   // In a handler, with the `authorization` metadata value:
//   absl::StatusOr<sla::server::Principal> who =
//       store->Authenticate(authorization);
//   if (!who.ok()) return who.status();  // Unauthenticated
//   absl::Status allowed =
//       sla::server::Authorize(*who, sla::server::Role::kIngest,
//                              service.tenant);
//   if (!allowed.ok()) {
//     // Missing role: return PermissionDenied. Foreign tenant: the server
//     // answers NOT_FOUND ("no service 'x'"), exactly as for a service that
//     // does not exist, so tokens cannot discover other tenants' names.
//   }
//
// A new token: `NewToken()` gives the secret to hand to the client once;
// `TokenLine(HashToken(token), principal)` gives the line for the file.
//
// Roles are independent: `admin` does not imply `read` or `ingest`; a token
// that needs them lists them.
//
// Thread-safety: the free functions are thread-safe. TokenStore is
// immutable after construction; concurrent calls to its const methods are
// safe. Principal is a value type (thread-compatible).
//
// Secrets: no function here logs a token or puts one in a Status message.

#ifndef BINDINGS_GRPC_AUTH_H_
#define BINDINGS_GRPC_AUTH_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sla {
namespace server {

// What a token may do. The file spells them `ingest`, `read`, `admin`.
enum class Role {
  kIngest,  // write observations (probe results, events) of its tenants
  kRead,    // read status, budgets and reports of its tenants
  kAdmin,   // administrative operations on its tenants
};

// "ingest", "read" or "admin".
absl::string_view RoleName(Role role);

// The role spelled `name` (case-sensitive, as RoleName writes it).
// InvalidArgument "unknown role 'x' (expected ingest, read or admin)".
absl::StatusOr<Role> ParseRole(absl::string_view name);

// Who a token stands for. Values from TokenStore are valid: `name` and each
// tenant match [A-Za-z0-9][A-Za-z0-9._-]{0,63}; `tenants` is non-empty, in
// file order, without duplicates, unless `all_tenants` (then empty);
// `roles` is non-empty, without duplicates, in enum order.
struct Principal {
  std::string name;
  std::vector<std::string> tenants;
  bool all_tenants = false;  // `tenants=*`: the operator, every tenant
  std::vector<Role> roles;

  bool HasRole(Role role) const;
  // True if `all_tenants` and `tenant` is non-empty, or if `tenant` is in
  // `tenants`. Exact, case-sensitive comparison.
  bool InTenant(absl::string_view tenant) const;
};

// "sha256:" followed by the 64 lowercase hex digits of SHA-256(token), the
// form the token file stores. Never fails in a working OpenSSL; if the
// digest cannot be computed, returns "" (which no valid file contains, so
// it authenticates nothing).
std::string HashToken(absl::string_view token);

// A new secret token: "slk_" followed by 43 base64url characters (no
// padding) encoding 32 bytes from OpenSSL's CSPRNG (RAND_bytes); 47
// characters in all. Internal if the CSPRNG fails.
absl::StatusOr<std::string> NewToken();

// The token-file line for a token with hash `hash` (as HashToken returns)
// and principal `principal`, without a newline, e.g.
// "sha256:ba78...15ad name=ci tenants=a,b roles=ingest,read". TokenStore
// parses it back to `principal` if both are valid (see Principal); the
// arguments are not checked here.
std::string TokenLine(absl::string_view hash, const Principal& principal);

// The tokens of one token file, by hash.
//
// File format, one token per line; blank lines and lines whose first
// non-blank character is '#' are ignored; fields are separated by spaces or
// tabs; CRLF line ends are accepted:
//
//   sha256:<64 lowercase hex> name=<name> tenants=<t1,t2|*> roles=<r1,r2>
//
// The hash comes first; `name`, `tenants` and `roles` follow in any order,
// each exactly once. Names and tenants match [A-Za-z0-9][A-Za-z0-9._-]{0,63};
// `*` alone means all tenants; roles are `ingest`, `read`, `admin`. No two
// lines share a hash or a name.
//
// Copyable and movable; immutable after construction, so any number of
// threads may call the const methods concurrently.
class TokenStore {
 public:
  // Parses the text of a token file. `source` names it in messages (a path,
  // or e.g. "<flag>"). InvalidArgument listing every problem, one per line,
  // as "source:line: what is wrong": a malformed hash, a line that looks
  // like a plaintext token rather than its hash, a missing, unknown or
  // repeated field, a bad name or tenant, an unknown role, a duplicate hash
  // or principal name. Messages never quote a would-be token. A text with no
  // token lines gives an empty store (size() == 0), which authenticates
  // nothing; whether that is acceptable is the caller's decision.
  static absl::StatusOr<TokenStore> Parse(absl::string_view text,
                                          absl::string_view source);

  // Reads and parses the file at `path` (named in every message). NotFound
  // if it does not exist; the errno-derived code (e.g. PermissionDenied)
  // for other read errors; otherwise as Parse.
  static absl::StatusOr<TokenStore> Load(const std::string& path);

  // The principal of the token in `authorization`, the value of the gRPC
  // `authorization` metadata: `Bearer <token>`, scheme case-insensitive,
  // surrounding blanks and several blanks after the scheme tolerated.
  // Unauthenticated otherwise, with one of these messages, none of which
  // quotes the header or the token:
  //   "missing bearer token"             empty, or a scheme with no token
  //   "malformed authorization header"   another scheme, no scheme, or a
  //                                      token containing blanks
  //   "unknown token"                    no line has this token's hash
  absl::StatusOr<Principal> Authenticate(absl::string_view authorization) const;

  // The number of tokens.
  size_t size() const { return by_hash_.size(); }

 private:
  TokenStore() = default;

  // Keyed by HashToken(token). Looking a request's hash up in a hash map is
  // not constant-time, but what it could leak through timing is about the
  // SHA-256 of a 256-bit random secret, which does not help to guess the
  // secret; the final comparison is constant-time all the same.
  absl::flat_hash_map<std::string, Principal> by_hash_;
};

// OK if `principal` holds `role` and may act on `tenant` (the tenant of
// the service the request is about). PermissionDenied otherwise:
//   "principal 'x' lacks role 'ingest'"              checked first
//   "principal 'x' has no access to this resource"   foreign tenant
// The second message does not name the tenant. The server does not send it
// to clients: it maps a service of a foreign tenant to NOT_FOUND, the same
// answer as for a service that does not exist, so that names do not leak
// across tenants.
absl::Status Authorize(const Principal& principal, Role role,
                       absl::string_view tenant);

}  // namespace server
}  // namespace sla

#endif  // BINDINGS_GRPC_AUTH_H_
