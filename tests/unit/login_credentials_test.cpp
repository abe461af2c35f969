// login_credentials_test.cpp -- how a LOGIN payload is read as a name and a token, and whom
// auth::authenticate logs in with and without token authentication.
#include "auth/login_credentials.hpp"

#include "tests/unit/token_test_support.hpp"

#include <gtest/gtest.h>

namespace chat::auth {
namespace {

using namespace test_support;

std::string token_for(std::string sub = "ann",
                      std::optional<std::vector<std::string>> channels = {}) {
  token_request r;
  r.subject = std::move(sub);
  r.channels = std::move(channels);
  return issue_token(hs256_signer(), r, now);
}

std::string refusal(const std::variant<login_grant, std::string>& v) {
  auto* why = std::get_if<std::string>(&v);
  return why ? *why : "granted to " + std::get<login_grant>(v).name;
}

TEST(LoginCredentialsTest, PayloadSplitsAtTheFirstLineEnd) {
  auto c = split_login("ann\nhead.claims.sig");
  EXPECT_EQ(c.name, "ann");
  EXPECT_EQ(c.token, "head.claims.sig");
  c = split_login("\nx");
  EXPECT_EQ(c.name, "");
  EXPECT_EQ(c.token, "x");
  c = split_login("ann");
  EXPECT_EQ(c.name, "ann");
  EXPECT_FALSE(c.token.has_value());
  c = split_login("head.claims.sig"); // a bare token
  EXPECT_EQ(c.name, "");
  EXPECT_EQ(c.token, "head.claims.sig");
  EXPECT_EQ(login_payload("ann", "t.o.k"), "ann\nt.o.k");
  EXPECT_EQ(login_payload("ann", ""), "ann");
}

TEST(LoginCredentialsTest, WithoutAuthTheNameIsWhatCounts) {
  auto grant = std::get<login_grant>(authenticate(nullptr, "ann", now));
  EXPECT_EQ(grant.name, "ann");
  EXPECT_FALSE(grant.channels);
  EXPECT_EQ(std::get<login_grant>(authenticate(nullptr, "ann\nnot even a token", now)).name, "ann");
  // Version 1's payload is the name, byte for byte, whatever it holds.
  EXPECT_EQ(std::get<login_grant>(authenticate(nullptr, "a.b.c", now)).name, "a.b.c");
}

TEST(LoginCredentialsTest, TokenNamesTheUser) {
  auto verifier = hs256_verifier();
  auto token = token_for("ann", std::vector<std::string>{"rust"});
  for (auto payload : {token, "\n" + token, "ann\n" + token}) {
    auto v = authenticate(&verifier, payload, now);
    ASSERT_TRUE(std::holds_alternative<login_grant>(v)) << refusal(v);
    EXPECT_EQ(std::get<login_grant>(v).name, "ann");
    EXPECT_EQ(std::get<login_grant>(v).channels, std::vector<std::string>{"rust"});
  }
}

TEST(LoginCredentialsTest, EachRefusalHasItsReason) {
  auto verifier = hs256_verifier();
  EXPECT_EQ(refusal(authenticate(&verifier, "ann", now)), "token required");
  EXPECT_EQ(refusal(authenticate(&verifier, "ann\n", now)), "token required");
  EXPECT_EQ(refusal(authenticate(&verifier, "bob\n" + token_for("ann"), now)),
            "token is for another user");
  EXPECT_EQ(refusal(authenticate(&verifier, "ann\n" + token_for("ann"), now + 2h)),
            "token expired");
  EXPECT_EQ(refusal(authenticate(&verifier, "ann\nx.y.z", now)),
            "token malformed: header is not base64url");
  EXPECT_EQ(refusal(authenticate(&verifier, "ann\nxyz", now)),
            "token malformed: not three dot-separated parts");
}

TEST(LoginCredentialsTest, ClientsReadTheirNameFromAToken) {
  EXPECT_EQ(unverified_subject(token_for("bob")), "bob");
  EXPECT_FALSE(unverified_subject("nonsense"));
}

} // namespace
} // namespace chat::auth
