// token_fuzz.cpp -- libFuzzer target: the login token parser (auth/token_verifier.hpp,
// auth/login_credentials.hpp, auth/base64url.hpp) on arbitrary bytes. Built only with
// CHAT_FUZZ=ON (clang).
//
// Input: [selector][rest]. Selector bit 0 clear: `rest` is a LOGIN payload, authenticated as it
// is (a forged token, almost always). Bit 0 set: `rest` is "header JSON \0 claims JSON", which
// this target signs with the verifier's own secret, so the fuzzer reaches the header and claims
// checks behind the signature. Bit 1: the verifier allows 60 s of leeway.
//
// Invariants: every refusal is one of the documented reasons (non-empty, "token ..."); an
// accepted login names a non-empty user that is the token's sub and, when the payload named
// one, that name; base64url decoding accepts only what encoding gives back byte for byte.
// Every broken invariant ends in __builtin_trap(), so libFuzzer keeps the input.
#include "auth/base64url.hpp"
#include "auth/login_credentials.hpp"
#include "auth/token_issuer.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace {

namespace auth = chat::auth;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

const std::string secret = "fuzzing-secret-fuzzing-secret-fuzzing-secret";
const std::chrono::system_clock::time_point now{std::chrono::seconds{1767225600}};

const auth::token_verifier& verifier(bool leeway) {
  static const auth::token_verifier strict{
      std::get<auth::verification_key>(auth::verification_key::from_secret(secret))};
  static const auth::token_verifier lenient{
      std::get<auth::verification_key>(auth::verification_key::from_secret(secret)),
      std::chrono::seconds{60}};
  return leeway ? lenient : strict;
}

void check_base64(std::string_view text) {
  auto decoded = auth::base64url_decode(text);
  if (decoded) check(auth::base64url_encode(*decoded) == text);
}

void check_login(const auth::token_verifier& v, std::string_view payload) {
  auto got = auth::authenticate(&v, payload, now);
  if (auto* why = std::get_if<std::string>(&got)) {
    check(why->compare(0, 6, "token ") == 0);
    return;
  }
  auto& grant = std::get<auth::login_grant>(got);
  check(!grant.name.empty());
  auto credentials = auth::split_login(payload);
  check(credentials.token.has_value());
  check(credentials.name.empty() || credentials.name == grant.name);
  check(auth::unverified_subject(*credentials.token) == grant.name);
  // Without auth the same payload logs in the name it gives, or the whole token as a name.
  auto open = auth::authenticate(nullptr, payload, now);
  check(std::holds_alternative<auth::login_grant>(open));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  auto selector = data[0];
  std::string_view rest{reinterpret_cast<const char*>(data + 1), size - 1};
  auto& v = verifier(selector & 2);
  check_base64(rest);
  if (!(selector & 1)) {
    check_login(v, rest);
    return 0;
  }
  auto zero = rest.find('\0');
  auto header = rest.substr(0, zero);
  auto claims = zero == std::string_view::npos ? std::string_view{} : rest.substr(zero + 1);
  static const auto signer = std::get<auth::signing_key>(auth::signing_key::from_secret(secret));
  auto token = auth::sign_token(signer, header, claims);
  check_login(v, token);
  check_login(v, "ann\n" + token);
  return 0;
}
