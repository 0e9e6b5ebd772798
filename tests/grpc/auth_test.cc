#include "bindings/grpc/auth.h"

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sla {
namespace server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kTokenA[] = "slk_tokenOfTenantA";
constexpr char kTokenB[] = "slk_tokenOfTenantB";
constexpr char kTokenOps[] = "slk_tokenOfTheOperator";

std::string GoodFile() {
  return absl::StrCat(
      "# slakit tokens\n", "\n", HashToken(kTokenA),
      " name=ci-a tenants=tenant-a roles=ingest\n", "   # indented comment\n",
      // Fields in another order, tabs, several tenants, a CRLF line end.
      HashToken(kTokenB),
      "\troles=read,ingest  tenants=tenant-b,shared name=dash.b\r\n",
      HashToken(kTokenOps), " name=ops tenants=* roles=admin,read\n");
}

TokenStore MustParse(const std::string& text) {
  absl::StatusOr<TokenStore> store = TokenStore::Parse(text, "tokens");
  EXPECT_TRUE(store.ok()) << store.status();
  return *std::move(store);
}

// The message Parse gives for `text`, or "OK".
std::string ParseError(const std::string& text) {
  absl::StatusOr<TokenStore> store = TokenStore::Parse(text, "tokens");
  if (store.ok()) {
    return "OK";
  }
  EXPECT_EQ(store.status().code(), absl::StatusCode::kInvalidArgument);
  const absl::string_view message = store.status().message();
  return {message.begin(), message.end()};
}

TEST(HashTokenTest, KnownVectors) {
  EXPECT_EQ(HashToken("abc"),
            "sha256:"
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HashToken(""),
            "sha256:"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(RoleTest, NamesRoundTrip) {
  for (Role role : {Role::kIngest, Role::kRead, Role::kAdmin}) {
    absl::StatusOr<Role> parsed = ParseRole(RoleName(role));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, role);
  }
  EXPECT_EQ(RoleName(Role::kIngest), "ingest");
  EXPECT_EQ(RoleName(Role::kRead), "read");
  EXPECT_EQ(RoleName(Role::kAdmin), "admin");
  absl::StatusOr<Role> bad = ParseRole("Admin");
  EXPECT_EQ(bad.status(),
            absl::InvalidArgumentError(
                "unknown role 'Admin' (expected ingest, read or admin)"));
}

TEST(TokenStoreTest, ParsesGoodFileWithComments) {
  const TokenStore store = MustParse(GoodFile());
  EXPECT_EQ(store.size(), 3);

  absl::StatusOr<Principal> a =
      store.Authenticate(absl::StrCat("Bearer ", kTokenA));
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->name, "ci-a");
  EXPECT_THAT(a->tenants, ElementsAre("tenant-a"));
  EXPECT_FALSE(a->all_tenants);
  EXPECT_THAT(a->roles, ElementsAre(Role::kIngest));

  absl::StatusOr<Principal> b =
      store.Authenticate(absl::StrCat("Bearer ", kTokenB));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->name, "dash.b");
  EXPECT_THAT(b->tenants, ElementsAre("tenant-b", "shared"));
  EXPECT_FALSE(b->all_tenants);
  // Roles come back in enum order whatever the file's order.
  EXPECT_THAT(b->roles, ElementsAre(Role::kIngest, Role::kRead));

  absl::StatusOr<Principal> ops =
      store.Authenticate(absl::StrCat("Bearer ", kTokenOps));
  ASSERT_TRUE(ops.ok()) << ops.status();
  EXPECT_EQ(ops->name, "ops");
  EXPECT_THAT(ops->tenants, IsEmpty());
  EXPECT_TRUE(ops->all_tenants);
  EXPECT_THAT(ops->roles, ElementsAre(Role::kRead, Role::kAdmin));
}

TEST(TokenStoreTest, EmptyAndCommentOnlyTextsGiveEmptyStores) {
  EXPECT_EQ(MustParse("").size(), 0);
  EXPECT_EQ(MustParse("# nothing yet\n\n  \n").size(), 0);
  EXPECT_EQ(MustParse("").Authenticate("Bearer x").status(),
            absl::UnauthenticatedError("unknown token"));
}

TEST(TokenStoreTest, EachErrorNamesItsLine) {
  const std::string h = HashToken("t1");
  const std::string h2 = HashToken("t2");
  const std::string ok = absl::StrCat(h2, " name=other tenants=x roles=read\n");
  struct Case {
    std::string line;  // written as line 3, after a comment and a good line
    std::string error;
  };
  const std::vector<Case> cases = {
      {absl::StrCat(h, " name=n tenants=t"), "tokens:3: missing field 'roles'"},
      {absl::StrCat(h, " tenants=t roles=read"),
       "tokens:3: missing field 'name'"},
      {absl::StrCat(h, " name=n roles=read"),
       "tokens:3: missing field 'tenants'"},
      {absl::StrCat(h, " name=n tenants=t roles=read owner=me"),
       "tokens:3: unknown field 'owner' (expected name, tenants, roles)"},
      {absl::StrCat(h, " name=n tenants=t roles=read name=m"),
       "tokens:3: field 'name' given more than once"},
      {absl::StrCat(h, " name=n tenants=t roles=read,write"),
       "tokens:3: unknown role 'write' (expected ingest, read or admin)"},
      {absl::StrCat(h, " name=n tenants=t roles=read,read"),
       "tokens:3: role 'read' listed twice"},
      {absl::StrCat(h, " name=n tenants=t roles="),
       "tokens:3: 'roles=' is empty"},
      {absl::StrCat(h, " name=n tenants=t roles=read,"),
       "tokens:3: empty role in 'roles='"},
      {absl::StrCat(h, " name=n tenants=a,*,b roles=read"),
       "tokens:3: '*' (all tenants) must be the only tenant"},
      {absl::StrCat(h, " name=n tenants=a,a roles=read"),
       "tokens:3: tenant 'a' listed twice"},
      {absl::StrCat(h, " name=n tenants= roles=read"),
       "tokens:3: 'tenants=' is empty"},
      {absl::StrCat(h, " name=n tenants=a,,b roles=read"),
       "tokens:3: empty tenant in 'tenants='"},
      {absl::StrCat(h, " name=n tenants=-a roles=read"),
       "tokens:3: tenant '-a' is not valid (letters, digits, '.', '_', '-'; "
       "at most 64, starting with a letter or digit)"},
      {absl::StrCat(h, " name=n tenants=", std::string(65, 'a'), " roles=read"),
       absl::StrCat("tokens:3: tenant '", std::string(65, 'a'),
                    "' is not valid (letters, digits, '.', '_', '-'; at most "
                    "64, starting with a letter or digit)")},
      {absl::StrCat(h, " name=n/x tenants=t roles=read"),
       "tokens:3: name 'n/x' is not valid (letters, digits, '.', '_', '-'; "
       "at most 64, starting with a letter or digit)"},
      {absl::StrCat(h, " name= tenants=t roles=read"),
       "tokens:3: 'name=' is empty"},
      {absl::StrCat(h, " name=n tenants=t roles=read stray"),
       "tokens:3: field 5 is not key=value (name=, tenants=, roles=)"},
      // Malformed hashes: uppercase hex, too short, another algorithm.
      {absl::StrCat("sha256:", std::string(64, 'A'),
                    " name=n tenants=t roles=read"),
       "tokens:3: malformed hash: expected 'sha256:' and 64 lowercase hex "
       "digits"},
      {"sha256:abc name=n tenants=t roles=read",
       "tokens:3: malformed hash: expected 'sha256:' and 64 lowercase hex "
       "digits"},
      {"name=n tenants=t roles=read",
       "tokens:3: missing token hash: a line starts with 'sha256:<64 "
       "lowercase hex digits>'"},
      {"slk_plaintextSecret name=n tenants=t roles=read",
       "tokens:3: this looks like a plaintext token, not a hash; the file "
       "stores only token hashes ('sha256:<64 lowercase hex digits>')"},
      {"md5:0123456789abcdef0123456789abcdef name=n tenants=t roles=read",
       "tokens:3: this looks like a plaintext token, not a hash; the file "
       "stores only token hashes ('sha256:<64 lowercase hex digits>')"},
      {absl::StrCat(h2, " name=n tenants=t roles=read"),
       "tokens:3: duplicate token hash (also on line 2)"},
      {absl::StrCat(h, " name=other tenants=t roles=read"),
       "tokens:3: duplicate principal name 'other' (also on line 2)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.line);
    EXPECT_EQ(ParseError(absl::StrCat("# tokens\n", ok, c.line, "\n")),
              c.error);
  }
}

TEST(TokenStoreTest, ReportsEveryProblemTogether) {
  const std::string text = absl::StrCat(
      HashToken("1"), " name=a tenants=t roles=read\n",              // 1
      "slk_oops name=b tenants=t roles=read\n",                      // 2
      "\n",                                                          // 3
      HashToken("3"), " name=c tenants=t roles=root colour=blue\n",  // 4
      HashToken("1"), " name=a tenants=t\n");                        // 5
  EXPECT_EQ(ParseError(text),
            "tokens:2: this looks like a plaintext token, not a hash; the "
            "file stores only token hashes ('sha256:<64 lowercase hex "
            "digits>')\n"
            "tokens:4: unknown role 'root' (expected ingest, read or admin)\n"
            "tokens:4: unknown field 'colour' (expected name, tenants, roles)\n"
            "tokens:5: missing field 'roles'\n"
            "tokens:5: duplicate token hash (also on line 1)\n"
            "tokens:5: duplicate principal name 'a' (also on line 1)");
}

TEST(TokenStoreTest, ParseErrorsNeverQuoteSecrets) {
  const std::string secret = "slk_DoNotPrintMe";
  for (const std::string& line :
       {absl::StrCat(secret, " name=n tenants=t roles=read"),
        absl::StrCat(HashToken("x"), " name=n tenants=t roles=read ", secret),
        // A padded base64 secret has an '=': its "key" is not quoted.
        absl::StrCat(HashToken("x"), " name=n tenants=t roles=read ",
                     "c2VjcmV0IHNlY3JldA9x==")}) {
    const std::string error = ParseError(line + "\n");
    EXPECT_THAT(error, Not(HasSubstr(secret)));
    EXPECT_THAT(error, Not(HasSubstr("c2VjcmV0")));
    EXPECT_THAT(error, HasSubstr("tokens:1: "));
  }
}

TEST(TokenStoreTest, LoadReadsFileAndNamesMissingOne) {
  const std::string path =
      absl::StrCat(testing::TempDir(), "/auth_test_tokens");
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  const std::string text = GoodFile();
  ASSERT_EQ(std::fwrite(text.data(), 1, text.size(), f), text.size());
  ASSERT_EQ(std::fclose(f), 0);
  absl::StatusOr<TokenStore> store = TokenStore::Load(path);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(store->size(), 3);

  f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fputs("# bad\nsha256:00 name=n tenants=t roles=read\n", f);
  ASSERT_EQ(std::fclose(f), 0);
  EXPECT_EQ(TokenStore::Load(path).status(),
            absl::InvalidArgumentError(absl::StrCat(
                path,
                ":2: malformed hash: expected 'sha256:' and 64 lowercase "
                "hex digits")));
  std::remove(path.c_str());

  absl::StatusOr<TokenStore> missing = TokenStore::Load(path);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(),
              HasSubstr(absl::StrCat("cannot open token file '", path, "'")));

  absl::StatusOr<TokenStore> dir = TokenStore::Load(testing::TempDir());
  EXPECT_FALSE(dir.ok());
  EXPECT_THAT(dir.status().message(),
              HasSubstr(absl::StrCat("token file '", testing::TempDir())));
}

TEST(AuthenticateTest, AcceptsBearerTokens) {
  const TokenStore store = MustParse(GoodFile());
  for (const std::string& header :
       {absl::StrCat("Bearer ", kTokenA), absl::StrCat("bearer ", kTokenA),
        absl::StrCat("BEARER ", kTokenA), absl::StrCat("Bearer    ", kTokenA),
        absl::StrCat("  Bearer \t", kTokenA, "  ")}) {
    SCOPED_TRACE(header);
    absl::StatusOr<Principal> who = store.Authenticate(header);
    ASSERT_TRUE(who.ok()) << who.status();
    EXPECT_EQ(who->name, "ci-a");
  }
}

TEST(AuthenticateTest, RejectsWithoutQuotingTheToken) {
  const TokenStore store = MustParse(GoodFile());
  struct Case {
    std::string header;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"", "missing bearer token"},
      {"   ", "missing bearer token"},
      {"Bearer", "missing bearer token"},
      {"Bearer   ", "missing bearer token"},
      {kTokenA, "malformed authorization header"},
      {absl::StrCat("Basic ", kTokenA), "malformed authorization header"},
      {absl::StrCat("Bearer:", kTokenA), "malformed authorization header"},
      {absl::StrCat("Bearer ", kTokenA, " ", kTokenA),
       "malformed authorization header"},
      {absl::StrCat("Bearer ", kTokenA, "x"), "unknown token"},
      {"Bearer slk_wrong", "unknown token"},
      // The hash itself is not a token.
      {absl::StrCat("Bearer ", HashToken(kTokenA)), "unknown token"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.header);
    absl::StatusOr<Principal> who = store.Authenticate(c.header);
    EXPECT_EQ(who.status(), absl::UnauthenticatedError(c.message));
    EXPECT_THAT(who.status().message(), Not(HasSubstr("slk_")));
  }
}

Principal MakePrincipal(std::vector<std::string> tenants, bool all,
                        std::vector<Role> roles) {
  Principal p;
  p.name = "p";
  p.tenants = std::move(tenants);
  p.all_tenants = all;
  p.roles = std::move(roles);
  return p;
}

TEST(AuthorizeTest, RolesTimesTenants) {
  const std::vector<Role> all_roles = {Role::kIngest, Role::kRead,
                                       Role::kAdmin};
  for (Role held : all_roles) {
    const Principal own = MakePrincipal({"a", "c"}, false, {held});
    const Principal ops = MakePrincipal({}, true, {held});
    for (Role wanted : all_roles) {
      SCOPED_TRACE(absl::StrCat(RoleName(held), " wants ", RoleName(wanted)));
      const absl::Status lacks = absl::PermissionDeniedError(
          absl::StrCat("principal 'p' lacks role '", RoleName(wanted), "'"));
      const absl::Status foreign = absl::PermissionDeniedError(
          "principal 'p' has no access to this resource");
      if (held == wanted) {
        EXPECT_EQ(Authorize(own, wanted, "a"), absl::OkStatus());
        EXPECT_EQ(Authorize(own, wanted, "c"), absl::OkStatus());
        EXPECT_EQ(Authorize(own, wanted, "b"), foreign);
        EXPECT_EQ(Authorize(own, wanted, "A"), foreign);  // case-sensitive
        EXPECT_EQ(Authorize(own, wanted, ""), foreign);
        EXPECT_EQ(Authorize(ops, wanted, "a"), absl::OkStatus());
        EXPECT_EQ(Authorize(ops, wanted, "b"), absl::OkStatus());
        EXPECT_EQ(Authorize(ops, wanted, ""), foreign);
      } else {
        // The role is checked first, and admin implies nothing.
        EXPECT_EQ(Authorize(own, wanted, "a"), lacks);
        EXPECT_EQ(Authorize(own, wanted, "b"), lacks);
        EXPECT_EQ(Authorize(ops, wanted, "b"), lacks);
      }
    }
  }
}

TEST(AuthorizeTest, ForeignTenantMessageDoesNotNameTheTenant) {
  const Principal p = MakePrincipal({"tenant-a"}, false, {Role::kRead});
  const absl::Status denied = Authorize(p, Role::kRead, "secret-tenant-b");
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(denied.message(), Not(HasSubstr("secret-tenant-b")));
}

TEST(NewTokenTest, FormatAndUniqueness) {
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    absl::StatusOr<std::string> token = NewToken();
    ASSERT_TRUE(token.ok()) << token.status();
    ASSERT_EQ(token->size(), 47u);
    EXPECT_EQ(token->substr(0, 4), "slk_");
    for (char c : token->substr(4)) {
      EXPECT_TRUE((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                  (c >= '0' && c <= '9') || c == '-' || c == '_')
          << *token;
    }
    EXPECT_TRUE(seen.insert(*token).second) << "repeated token";
  }
}

TEST(TokenLineTest, FormatsTheFileLine) {
  EXPECT_EQ(
      TokenLine("sha256:00", MakePrincipal({"a", "b"}, false,
                                           {Role::kIngest, Role::kAdmin})),
      "sha256:00 name=p tenants=a,b roles=ingest,admin");
  EXPECT_EQ(TokenLine("sha256:00", MakePrincipal({}, true, {Role::kRead})),
            "sha256:00 name=p tenants=* roles=read");
}

TEST(TokenLineTest, NewTokenRoundTripsThroughTheFile) {
  absl::StatusOr<std::string> token = NewToken();
  ASSERT_TRUE(token.ok()) << token.status();
  Principal p = MakePrincipal({"tenant-a", "tenant-b"}, false,
                              {Role::kIngest, Role::kRead});
  p.name = "probe-1";
  const std::string line = TokenLine(HashToken(*token), p);
  EXPECT_THAT(line, Not(HasSubstr(*token)));
  const TokenStore store = MustParse(absl::StrCat("# new\n", line, "\n"));
  ASSERT_EQ(store.size(), 1);

  absl::StatusOr<Principal> who =
      store.Authenticate(absl::StrCat("Bearer ", *token));
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->name, "probe-1");
  EXPECT_EQ(who->tenants, p.tenants);
  EXPECT_FALSE(who->all_tenants);
  EXPECT_EQ(who->roles, p.roles);
  EXPECT_EQ(Authorize(*who, Role::kIngest, "tenant-b"), absl::OkStatus());

  absl::StatusOr<std::string> other = NewToken();
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(store.Authenticate(absl::StrCat("Bearer ", *other)).status(),
            absl::UnauthenticatedError("unknown token"));
}

TEST(TokenStoreTest, CopiesAndConcurrentReaders) {
  const TokenStore original = MustParse(GoodFile());
  const TokenStore copy =
      original;  // NOLINT(performance-unnecessary-copy-initialization)
  std::vector<std::thread> threads;
  threads.reserve(8);
  std::vector<int> failures(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&copy, &failures, t] {
      for (int i = 0; i < 200; ++i) {
        absl::StatusOr<Principal> who =
            copy.Authenticate(absl::StrCat("Bearer ", kTokenB));
        if (!who.ok() || who->name != "dash.b") {
          ++failures[t];
        }
      }
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  EXPECT_THAT(failures, ::testing::Each(0));
  EXPECT_EQ(original.size(), 3);
}

}  // namespace
}  // namespace server
}  // namespace sla
