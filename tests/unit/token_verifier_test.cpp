// token_verifier_test.cpp -- every way auth::token_verifier refuses a token, and that it accepts
// HS256, EdDSA and RS256 tokens from the right key (docs/PROTOCOL.md "Token authentication").
#include "auth/token_verifier.hpp"

#include "auth/base64url.hpp"
#include "tests/unit/token_test_support.hpp"

#include <gtest/gtest.h>

namespace chat::auth {
namespace {

using namespace test_support;

TEST(TokenVerifierTest, Hs256TokenIsAccepted) {
  auto v =
      hs256_verifier().verify(sign_token(hs256_signer(), header_for("HS256"), claims_for()), now);
  ASSERT_TRUE(accepted(v, "ann"));
  EXPECT_EQ(std::get<token_claims>(v).expires_at, now_seconds + 3600);
  EXPECT_FALSE(std::get<token_claims>(v).channels.has_value());
}

TEST(TokenVerifierTest, Ed25519TokenIsAccepted) {
  auto& k = keys::get();
  auto token = sign_token(private_signer(k.ed25519.private_pem), header_for("EdDSA"), claims_for());
  EXPECT_TRUE(accepted(public_verifier(k.ed25519.public_pem).verify(token, now), "ann"));
  EXPECT_EQ(public_verifier(k.ed25519.public_pem).alg(), algorithm::eddsa);
}

TEST(TokenVerifierTest, Rs256TokenIsAccepted) {
  auto& k = keys::get();
  auto token = sign_token(private_signer(k.rsa.private_pem), header_for("RS256"), claims_for());
  EXPECT_TRUE(accepted(public_verifier(k.rsa.public_pem).verify(token, now), "ann"));
  EXPECT_EQ(public_verifier(k.rsa.public_pem).alg(), algorithm::rs256);
}

TEST(TokenVerifierTest, IssuedTokenCarriesItsClaims) {
  token_request r;
  r.subject = "bob";
  r.ttl = 60s;
  r.channels = std::vector<std::string>{"rust", "general"};
  auto v = hs256_verifier().verify(issue_token(hs256_signer(), r, now), now);
  ASSERT_TRUE(accepted(v, "bob"));
  auto& claims = std::get<token_claims>(v);
  EXPECT_EQ(claims.expires_at, now_seconds + 60);
  EXPECT_TRUE(claims.allows("rust"));
  EXPECT_TRUE(claims.allows("general"));
  EXPECT_FALSE(claims.allows("lobby"));
}

TEST(TokenVerifierTest, NoChannelsClaimAllowsEveryChannel) {
  token_claims claims;
  EXPECT_TRUE(claims.allows("anything"));
  claims.channels = std::vector<std::string>{};
  EXPECT_FALSE(claims.allows("anything"));
}

TEST(TokenVerifierTest, ExpiredTokenIsRefused) {
  auto signer = hs256_signer();
  auto verifier = hs256_verifier();
  EXPECT_TRUE(
      refused(verifier.verify(
                  sign_token(signer, header_for("HS256"), claims_for("ann", now_seconds - 1)), now),
              token_error::expired));
  // RFC 7519: not on or after exp.
  EXPECT_TRUE(refused(
      verifier.verify(sign_token(signer, header_for("HS256"), claims_for("ann", now_seconds)), now),
      token_error::expired));
  EXPECT_TRUE(accepted(
      verifier.verify(sign_token(signer, header_for("HS256"), claims_for("ann", now_seconds + 1)),
                      now),
      "ann"));
  EXPECT_EQ(reason({token_error::expired, {}}), "token expired");
}

TEST(TokenVerifierTest, LeewayAcceptsATokenJustExpired) {
  auto token = sign_token(hs256_signer(), header_for("HS256"), claims_for("ann", now_seconds - 5));
  EXPECT_TRUE(accepted(hs256_verifier(10s).verify(token, now), "ann"));
  EXPECT_TRUE(refused(hs256_verifier(10s).verify(token, now + 5s), token_error::expired));
}

TEST(TokenVerifierTest, FractionalExpIsHonoured) {
  auto token = sign_token(hs256_signer(), header_for("HS256"),
                          R"({"sub":"ann","exp":)" + std::to_string(now_seconds) + ".5}");
  EXPECT_TRUE(accepted(hs256_verifier().verify(token, now), "ann"));
  EXPECT_TRUE(refused(hs256_verifier().verify(token, now + 500ms), token_error::expired));
}

TEST(TokenVerifierTest, NotYetValidTokenIsRefused) {
  token_request r;
  r.subject = "ann";
  r.not_before = 30s;
  auto token = issue_token(hs256_signer(), r, now);
  EXPECT_TRUE(refused(hs256_verifier().verify(token, now), token_error::not_yet_valid));
  EXPECT_TRUE(accepted(hs256_verifier().verify(token, now + 30s), "ann"));
  EXPECT_TRUE(accepted(hs256_verifier(30s).verify(token, now), "ann"));
  EXPECT_EQ(reason({token_error::not_yet_valid, {}}), "token not yet valid");
}

TEST(TokenVerifierTest, TokenFromAnotherSecretIsRefused) {
  auto forged = sign_token(hs256_signer(std::string(40, 'x')), header_for("HS256"), claims_for());
  EXPECT_TRUE(refused(hs256_verifier().verify(forged, now), token_error::signature_invalid));
  EXPECT_EQ(reason({token_error::signature_invalid, {}}), "token signature invalid");
}

TEST(TokenVerifierTest, TokenFromAnotherEd25519KeyIsRefused) {
  auto& k = keys::get();
  auto forged =
      sign_token(private_signer(k.other_ed25519.private_pem), header_for("EdDSA"), claims_for());
  EXPECT_TRUE(refused(public_verifier(k.ed25519.public_pem).verify(forged, now),
                      token_error::signature_invalid));
}

// The claims of one token with the signature of another: the signature covers them.
TEST(TokenVerifierTest, TamperedClaimsAreRefused) {
  auto signer = hs256_signer();
  auto genuine = sign_token(signer, header_for("HS256"), claims_for("ann"));
  auto other = sign_token(signer, header_for("HS256"), claims_for("root"));
  auto dot = genuine.find('.');
  auto tampered = genuine.substr(0, dot + 1) + other.substr(dot + 1, other.rfind('.') - dot - 1) +
                  genuine.substr(genuine.rfind('.'));
  EXPECT_TRUE(refused(hs256_verifier().verify(tampered, now), token_error::signature_invalid));
  // One flipped bit in the signature.
  auto flipped = genuine;
  flipped[flipped.size() - 2] = flipped[flipped.size() - 2] == 'A' ? 'B' : 'A';
  EXPECT_TRUE(refused(hs256_verifier().verify(flipped, now), token_error::signature_invalid));
}

TEST(TokenVerifierTest, AlgNoneIsRefused) {
  auto none = base64url_encode(R"({"alg":"none","typ":"JWT"})") + '.' +
              base64url_encode(claims_for()) + '.';
  EXPECT_TRUE(refused(hs256_verifier().verify(none, now), token_error::algorithm_not_allowed));
  auto& k = keys::get();
  EXPECT_TRUE(refused(public_verifier(k.ed25519.public_pem).verify(none, now),
                      token_error::algorithm_not_allowed));
  EXPECT_EQ(reason({token_error::algorithm_not_allowed, {}}), "token algorithm not allowed");
}

TEST(TokenVerifierTest, AlgorithmNamesAreCaseSensitive) {
  auto token = sign_token(hs256_signer(), header_for("hs256"), claims_for());
  EXPECT_TRUE(refused(hs256_verifier().verify(token, now), token_error::algorithm_not_allowed));
}

TEST(TokenVerifierTest, AnAlgorithmTheServerWasNotConfiguredForIsRefused) {
  auto& k = keys::get();
  auto hs = sign_token(hs256_signer(), header_for("HS256"), claims_for());
  auto ed = sign_token(private_signer(k.ed25519.private_pem), header_for("EdDSA"), claims_for());
  auto rs = sign_token(private_signer(k.rsa.private_pem), header_for("RS256"), claims_for());
  EXPECT_TRUE(refused(public_verifier(k.ed25519.public_pem).verify(hs, now),
                      token_error::algorithm_not_allowed));
  EXPECT_TRUE(refused(public_verifier(k.ed25519.public_pem).verify(rs, now),
                      token_error::algorithm_not_allowed));
  EXPECT_TRUE(refused(public_verifier(k.rsa.public_pem).verify(ed, now),
                      token_error::algorithm_not_allowed));
  EXPECT_TRUE(refused(hs256_verifier().verify(ed, now), token_error::algorithm_not_allowed));
  EXPECT_TRUE(refused(hs256_verifier().verify(rs, now), token_error::algorithm_not_allowed));
}

// The classic confusion: the RSA public key is public, so an attacker can compute an HMAC with
// it as the secret. A server that let the token's header pick the algorithm would accept that.
TEST(TokenVerifierTest, HmacKeyedWithThePublicKeyIsRefused) {
  auto& k = keys::get();
  auto attacker = hs256_signer(k.rsa.public_pem);
  auto verifier = public_verifier(k.rsa.public_pem);
  EXPECT_TRUE(refused(verifier.verify(sign_token(attacker, header_for("HS256"), claims_for()), now),
                      token_error::algorithm_not_allowed));
  // The same HMAC under a header that claims RS256 is no RSA signature.
  EXPECT_TRUE(refused(verifier.verify(sign_token(attacker, header_for("RS256"), claims_for()), now),
                      token_error::signature_invalid));
}

TEST(TokenVerifierTest, BadBase64IsMalformed) {
  auto token = sign_token(hs256_signer(), header_for("HS256"), claims_for());
  auto verifier = hs256_verifier();
  auto first_dot = token.find('.');
  EXPECT_TRUE(refused(verifier.verify("*" + token, now), token_error::malformed,
                      "header is not base64url"));
  EXPECT_TRUE(refused(verifier.verify(token + "=", now), token_error::malformed,
                      "signature is not base64url"));
  auto plus = token;
  plus.insert(first_dot + 1, "+");
  EXPECT_TRUE(refused(verifier.verify(plus, now), token_error::signature_invalid)); // covered
  auto padded = base64url_encode(header_for("HS256")) + "==" + token.substr(first_dot);
  EXPECT_TRUE(
      refused(verifier.verify(padded, now), token_error::malformed, "header is not base64url"));
}

TEST(TokenVerifierTest, ClaimsThatAreNotBase64AreMalformedOnceSigned) {
  auto signer = hs256_signer();
  auto signed_part = base64url_encode(header_for("HS256")) + ".%%%";
  auto token = signed_part + '.' + base64url_encode(signer.sign(signed_part));
  EXPECT_TRUE(refused(hs256_verifier().verify(token, now), token_error::malformed,
                      "claims is not base64url"));
}

TEST(TokenVerifierTest, WrongNumberOfPartsIsMalformed) {
  auto verifier = hs256_verifier();
  for (std::string token : {"abc", "abc.def", "a.b.c.d", ".b.c", "a..c"})
    EXPECT_TRUE(refused(verifier.verify(token, now), token_error::malformed,
                        "not three dot-separated parts"))
        << token;
}

TEST(TokenVerifierTest, HeaderMustBeAJsonObjectWithAStringAlg) {
  auto signer = hs256_signer();
  auto verifier = hs256_verifier();
  auto check = [&](std::string header, std::string_view detail) {
    EXPECT_TRUE(refused(verifier.verify(sign_token(signer, header, claims_for()), now),
                        token_error::malformed, detail))
        << header;
  };
  check("not json", "header is not JSON");
  check(R"(["HS256"])", "header is not a JSON object");
  check(R"({"typ":"JWT"})", "no alg in the header");
  check(R"({"alg":256})", "alg is not a string");
  check(R"({"alg":"HS256","crit":["exp"]})", "crit is not supported");
  check(R"({"alg":"HS256","x":[[[[[1]]]]]})", "header is not JSON"); // deeper than 4
}

TEST(TokenVerifierTest, ClaimsAreChecked) {
  auto signer = hs256_signer();
  auto verifier = hs256_verifier();
  auto exp = std::to_string(now_seconds + 60);
  auto check = [&](std::string claims, std::string_view detail) {
    EXPECT_TRUE(refused(verifier.verify(sign_token(signer, header_for("HS256"), claims), now),
                        token_error::malformed, detail))
        << claims;
  };
  check(R"({"sub":"ann"})", "no exp claim");
  check(R"({"sub":"ann","exp":")" + exp + R"("})", "exp is not a number");
  check(R"({"exp":)" + exp + "}", "no sub claim");
  check(R"({"sub":42,"exp":)" + exp + "}", "sub is not a string");
  check(R"({"sub":"","exp":)" + exp + "}", "sub is empty");
  check(R"({"sub":"ann","exp":)" + exp + R"(,"nbf":null})", "nbf is not a number");
  // Numbers Boost.JSON reads as infinity and NaN (token_fuzz found the second).
  check(R"({"sub":"ann","exp":1e400})", "exp is not a number");
  check(R"({"sub":"ann","exp":0e225000})", "exp is not a number");
  check(R"({"sub":"ann","exp":)" + exp + R"(,"nbf":-1e400})", "nbf is not a number");
  check(R"({"sub":"ann","exp":)" + exp + R"(,"channels":"rust"})", "channels is not an array");
  check(R"({"sub":"ann","exp":)" + exp + R"(,"channels":["rust",1]})",
        "channels holds a value that is not a string");
  check("[1]", "claims is not a JSON object");
  EXPECT_EQ(reason({token_error::malformed, "no exp claim"}), "token malformed: no exp claim");
}

TEST(TokenVerifierTest, OversizedTokenIsRefusedUnread) {
  auto token = sign_token(hs256_signer(), header_for("HS256"),
                          R"({"sub":"ann","exp":)" + std::to_string(now_seconds + 60) +
                              R"(,"pad":")" + std::string(max_token_size, 'x') + "\"}");
  EXPECT_TRUE(refused(hs256_verifier().verify(token, now), token_error::too_large));
  EXPECT_TRUE(refused(hs256_verifier().verify(std::string(max_token_size + 1, 'a'), now),
                      token_error::too_large));
  EXPECT_EQ(reason({token_error::too_large, {}}), "token too large (at most 4096 bytes)");
}

TEST(TokenVerifierTest, EmptyTokenIsMissing) {
  EXPECT_TRUE(refused(hs256_verifier().verify("", now), token_error::missing));
  EXPECT_EQ(reason({token_error::missing, {}}), "token required");
}

} // namespace
} // namespace chat::auth
