// token_benchmark.cpp -- Google Benchmark: what token verification adds to a LOGIN under
// --auth token (issue 13, "the login cost with token verification"): one auth::authenticate of a
// "NAME\nTOKEN" payload per iteration, for HS256, EdDSA (Ed25519) and RS256 (2048-bit) tokens,
// and the --auth none path beside them for scale. Keys are made once, in process.
#include "auth/login_credentials.hpp"
#include "auth/token_issuer.hpp"
#include "tests/support/test_keys.hpp"

#include <benchmark/benchmark.h>

#include <string>
#include <variant>

namespace {

namespace auth = chat::auth;

const std::string secret = "benchmark-secret-benchmark-secret-0123";

struct setup {
  auth::token_verifier verifier;
  std::string payload;
};

template <class T> T must(auth::loaded<T> v) {
  return std::get<T>(std::move(v));
}

setup make(auth::signing_key signer, auth::verification_key key) {
  auth::token_request r;
  r.subject = "ann";
  r.channels = std::vector<std::string>{"lobby", "rust"};
  auto token = auth::issue_token(signer, r, std::chrono::system_clock::now());
  return {auth::token_verifier{std::move(key)}, auth::login_payload("ann", token)};
}

void run(benchmark::State& state, const setup& s) {
  for (auto _ : state) {
    auto got = auth::authenticate(&s.verifier, s.payload, std::chrono::system_clock::now());
    if (!std::holds_alternative<auth::login_grant>(got)) state.SkipWithError("token refused");
    benchmark::DoNotOptimize(got);
  }
  state.SetItemsProcessed(state.iterations());
}

void login_none(benchmark::State& state) {
  for (auto _ : state) {
    auto got = auth::authenticate(nullptr, "ann", std::chrono::system_clock::now());
    benchmark::DoNotOptimize(got);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(login_none);

void login_hs256(benchmark::State& state) {
  static const auto s = make(must(auth::signing_key::from_secret(secret)),
                             must(auth::verification_key::from_secret(secret)));
  run(state, s);
}
BENCHMARK(login_hs256);

void login_eddsa(benchmark::State& state) {
  static const auto pair = chat::test::make_ed25519_pair();
  static const auto s = make(must(auth::signing_key::from_private_pem(pair.private_pem)),
                             must(auth::verification_key::from_public_pem(pair.public_pem)));
  run(state, s);
}
BENCHMARK(login_eddsa);

void login_rs256(benchmark::State& state) {
  static const auto pair = chat::test::make_rsa_pair(2048);
  static const auto s = make(must(auth::signing_key::from_private_pem(pair.private_pem)),
                             must(auth::verification_key::from_public_pem(pair.public_pem)));
  run(state, s);
}
BENCHMARK(login_rs256);

} // namespace

BENCHMARK_MAIN();
