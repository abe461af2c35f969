// token_keys_test.cpp -- which keys auth::token_keys loads (and the algorithm each implies), and
// the ones it refuses with a sentence an operator can act on.
#include "auth/token_keys.hpp"

#include "tests/support/scratch_dir.hpp"
#include "tests/unit/token_test_support.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace chat::auth {
namespace {

using namespace test_support;

std::string refusal(const loaded<verification_key>& k) {
  auto* why = std::get_if<std::string>(&k);
  return why ? *why : "loaded";
}

TEST(TokenKeysTest, KeyTypeChoosesTheAlgorithm) {
  auto& k = keys::get();
  EXPECT_EQ(must(verification_key::from_secret(secret)).alg(), algorithm::hs256);
  EXPECT_EQ(must(verification_key::from_public_pem(k.ed25519.public_pem)).alg(), algorithm::eddsa);
  EXPECT_EQ(must(verification_key::from_public_pem(k.rsa.public_pem)).alg(), algorithm::rs256);
  EXPECT_EQ(must(signing_key::from_private_pem(k.ed25519.private_pem)).alg(), algorithm::eddsa);
  EXPECT_EQ(must(signing_key::from_private_pem(k.rsa.private_pem)).alg(), algorithm::rs256);
  EXPECT_EQ(jose_name(algorithm::hs256), "HS256");
  EXPECT_EQ(jose_name(algorithm::rs256), "RS256");
  EXPECT_EQ(jose_name(algorithm::eddsa), "EdDSA");
}

TEST(TokenKeysTest, ShortSecretIsRefused) {
  EXPECT_EQ(refusal(verification_key::from_secret(std::string(31, 's'))),
            "an HS256 secret must have at least 32 bytes");
  EXPECT_TRUE(std::holds_alternative<std::string>(signing_key::from_secret("short")));
}

TEST(TokenKeysTest, WeakOrWrongKeysAreRefused) {
  auto small = chat::test::make_rsa_pair(1024);
  EXPECT_EQ(refusal(verification_key::from_public_pem(small.public_pem)),
            "an RSA key must have at least 2048 bits");
  EXPECT_EQ(refusal(verification_key::from_public_pem("not a key")), "not a PEM public key");
  // A private key where the public one belongs is not silently taken.
  EXPECT_EQ(refusal(verification_key::from_public_pem(keys::get().ed25519.private_pem)),
            "not a PEM public key");
  auto ec = chat::test::detail::pair_of(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  EXPECT_EQ(refusal(verification_key::from_public_pem(ec.public_pem)),
            "the key is neither Ed25519 nor RSA");
}

TEST(TokenKeysTest, SecretFileLosesOneTrailingLineEnd) {
  chat::test::scratch_dir dir;
  auto path = dir.path + "/secret";
  std::ofstream{path} << "abc\n\n";
  EXPECT_EQ(std::get<key_file>(read_key_file(path)).bytes, "abc\n");
  std::ofstream{path} << "abc\r\n";
  EXPECT_EQ(std::get<key_file>(read_key_file(path)).bytes, "abc");
  EXPECT_EQ(std::get<std::string>(read_key_file(dir.path + "/none")),
            "cannot read " + dir.path + "/none");
}

TEST(TokenKeysTest, SignaturesVerifyOnlyUnderTheirKey) {
  auto& k = keys::get();
  for (auto* pair : {&k.ed25519, &k.rsa}) {
    auto signer = private_signer(pair->private_pem);
    auto verifier = must(verification_key::from_public_pem(pair->public_pem));
    auto signature = signer.sign("hello");
    ASSERT_FALSE(signature.empty());
    EXPECT_TRUE(verifier.verify("hello", signature));
    EXPECT_FALSE(verifier.verify("hellO", signature));
    EXPECT_FALSE(verifier.verify("hello", signature.substr(1)));
    EXPECT_FALSE(verifier.verify("hello", ""));
  }
  auto mac = hs256_signer().sign("hello");
  EXPECT_EQ(mac.size(), 32u);
  auto verifier = must(verification_key::from_secret(secret));
  EXPECT_TRUE(verifier.verify("hello", mac));
  EXPECT_FALSE(verifier.verify("hello", mac.substr(0, 31)));
  EXPECT_FALSE(verifier.verify("hello", mac + "x"));
}

} // namespace
} // namespace chat::auth
