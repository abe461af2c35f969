// token_test_support.hpp -- what the token unit tests share: one set of keys per test program
// (RSA generation is slow), a fixed clock, and helpers that sign any header and claims.
#pragma once

#include "auth/token_issuer.hpp"
#include "auth/token_keys.hpp"
#include "auth/token_verifier.hpp"
#include "tests/support/test_keys.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <variant>

namespace chat::auth::test_support {

using namespace std::chrono_literals;

// 2026-01-01T00:00:00Z: every test's "now", so no test depends on the machine's clock.
inline const std::chrono::system_clock::time_point now{std::chrono::seconds{1767225600}};
inline const int64_t now_seconds = 1767225600;

inline const std::string secret = "0123456789abcdef0123456789abcdef-test-secret";

template <class T> T must(loaded<T> v) {
  if (auto* why = std::get_if<std::string>(&v)) throw std::runtime_error(*why);
  return std::get<T>(std::move(v));
}

struct keys {
  chat::test::pem_pair ed25519 = chat::test::make_ed25519_pair();
  chat::test::pem_pair rsa = chat::test::make_rsa_pair();
  chat::test::pem_pair other_ed25519 = chat::test::make_ed25519_pair();

  static const keys& get() {
    static const keys k;
    return k;
  }
};

inline signing_key hs256_signer(const std::string& s = secret) {
  return must(signing_key::from_secret(s));
}
inline signing_key private_signer(const std::string& pem) {
  return must(signing_key::from_private_pem(pem));
}
inline token_verifier hs256_verifier(std::chrono::seconds leeway = {}) {
  return token_verifier{must(verification_key::from_secret(secret)), leeway};
}
inline token_verifier public_verifier(const std::string& pem) {
  return token_verifier{must(verification_key::from_public_pem(pem))};
}

inline std::string header_for(std::string_view alg) {
  return R"({"alg":")" + std::string{alg} + R"(","typ":"JWT"})";
}

// Claims for ann that expire an hour after `now`.
inline std::string claims_for(std::string_view sub = "ann", int64_t exp = now_seconds + 3600) {
  return R"({"sub":")" + std::string{sub} + R"(","exp":)" + std::to_string(exp) + "}";
}

inline testing::AssertionResult refused(const verified& v, token_error expected,
                                        std::string_view detail = {}) {
  auto* f = std::get_if<token_failure>(&v);
  if (!f)
    return testing::AssertionFailure() << "accepted, sub " << std::get<token_claims>(v).subject;
  if (f->error != expected || (!detail.empty() && f->detail != detail))
    return testing::AssertionFailure() << "refused as \"" << reason(*f) << "\"";
  return testing::AssertionSuccess();
}

inline testing::AssertionResult accepted(const verified& v, std::string_view sub) {
  if (auto* f = std::get_if<token_failure>(&v))
    return testing::AssertionFailure() << "refused: " << reason(*f);
  if (std::get<token_claims>(v).subject != sub)
    return testing::AssertionFailure() << "sub " << std::get<token_claims>(v).subject;
  return testing::AssertionSuccess();
}

} // namespace chat::auth::test_support
