#include "auth/token_keys.hpp"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <fstream>
#include <iterator>
#include <memory>

namespace chat::auth {

namespace {

constexpr std::size_t hmac_sha256_size = 32;
constexpr std::size_t max_key_file_size = 64 * 1024; // a PEM key is a few KiB at most

template <class T, void (*Free)(T*)> struct openssl_free {
  void operator()(T* p) const { Free(p); }
};
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, openssl_free<EVP_MD_CTX, EVP_MD_CTX_free>>;
using mac_ptr = std::unique_ptr<EVP_MAC, openssl_free<EVP_MAC, EVP_MAC_free>>;
using mac_ctx_ptr = std::unique_ptr<EVP_MAC_CTX, openssl_free<EVP_MAC_CTX, EVP_MAC_CTX_free>>;
using bio_ptr = std::unique_ptr<BIO, openssl_free<BIO, BIO_free_all>>;

std::shared_ptr<EVP_PKEY> owned(EVP_PKEY* key) {
  return {key, EVP_PKEY_free};
}

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// HMAC-SHA256 of `data` under `secret`; empty if OpenSSL failed.
std::string hmac_sha256(std::string_view secret, std::string_view data) {
  // Fetched once: a fetch looks the algorithm up in the provider tables each time. An EVP_MAC is
  // immutable and may be shared by threads; each call has its own context.
  static const mac_ptr mac{EVP_MAC_fetch(nullptr, "HMAC", nullptr)};
  if (!mac) return {};
  mac_ctx_ptr ctx{EVP_MAC_CTX_new(mac.get())};
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  std::string out(hmac_sha256_size, '\0');
  std::size_t length = 0;
  if (!ctx || EVP_MAC_init(ctx.get(), bytes_of(secret), secret.size(), params) != 1 ||
      EVP_MAC_update(ctx.get(), bytes_of(data), data.size()) != 1 ||
      EVP_MAC_final(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length, out.size()) !=
          1 ||
      length != hmac_sha256_size)
    return {};
  return out;
}

// RS256 hashes with SHA-256 (PKCS#1 v1.5 padding, OpenSSL's default for RSA); Ed25519 takes
// the message whole and must be given no digest.
const EVP_MD* digest_of(algorithm alg) {
  return alg == algorithm::rs256 ? EVP_sha256() : nullptr;
}

// The algorithm a key's type implies, or why the key is not one we take.
loaded<algorithm> algorithm_of(EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
  case EVP_PKEY_ED25519:
    return algorithm::eddsa;
  case EVP_PKEY_RSA:
    if (EVP_PKEY_get_bits(key) < min_rsa_bits)
      return std::string{"an RSA key must have at least 2048 bits"};
    return algorithm::rs256;
  default:
    return std::string{"the key is neither Ed25519 nor RSA"};
  }
}

// A key with a pass phrase is refused rather than asked for: OpenSSL's default would prompt on
// the terminal of a server.
int no_pass_phrase(char*, int, int, void*) {
  return -1;
}

bio_ptr memory_bio(std::string_view pem) {
  return bio_ptr{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))};
}

std::string strip_line_end(std::string s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
  if (!s.empty() && s.back() == '\r') s.pop_back();
  return s;
}

} // namespace

std::string_view jose_name(algorithm alg) {
  switch (alg) {
  case algorithm::hs256:
    return "HS256";
  case algorithm::rs256:
    return "RS256";
  case algorithm::eddsa:
    return "EdDSA";
  }
  return "?";
}

loaded<key_file> read_key_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in) return std::string{"cannot read " + path};
  std::string bytes;
  char chunk[4096];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    bytes.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (bytes.size() > max_key_file_size) return std::string{path + " is larger than 64 KiB"};
  }
  if (in.bad()) return std::string{"cannot read " + path};
  return key_file{strip_line_end(std::move(bytes))};
}

loaded<verification_key> verification_key::from_secret(std::string secret) {
  if (secret.size() < min_secret_size)
    return std::string{"an HS256 secret must have at least 32 bytes"};
  verification_key k;
  k.secret_ = std::move(secret);
  return k;
}

loaded<verification_key> verification_key::from_public_pem(std::string_view pem) {
  auto bio = memory_bio(pem);
  auto key =
      owned(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, no_pass_phrase, nullptr) : nullptr);
  if (!key) return std::string{"not a PEM public key"};
  auto alg = algorithm_of(key.get());
  if (auto* why = std::get_if<std::string>(&alg)) return std::move(*why);
  verification_key k;
  k.alg_ = std::get<algorithm>(alg);
  k.key_ = std::move(key);
  return k;
}

bool verification_key::verify(std::string_view signed_part, std::string_view signature) const {
  if (alg_ == algorithm::hs256) {
    auto expected = hmac_sha256(secret_, signed_part);
    // Constant time: how many leading bytes matched must not show in the time taken.
    return !expected.empty() && signature.size() == expected.size() &&
           CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) == 0;
  }
  md_ctx_ptr ctx{EVP_MD_CTX_new()};
  return ctx &&
         EVP_DigestVerifyInit(ctx.get(), nullptr, digest_of(alg_), nullptr, key_.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), bytes_of(signature), signature.size(), bytes_of(signed_part),
                          signed_part.size()) == 1;
}

loaded<signing_key> signing_key::from_secret(std::string secret) {
  if (secret.size() < min_secret_size)
    return std::string{"an HS256 secret must have at least 32 bytes"};
  signing_key k;
  k.secret_ = std::move(secret);
  return k;
}

loaded<signing_key> signing_key::from_private_pem(std::string_view pem) {
  auto bio = memory_bio(pem);
  auto key =
      owned(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_pass_phrase, nullptr) : nullptr);
  if (!key) return std::string{"not a PEM private key (or one with a pass phrase)"};
  auto alg = algorithm_of(key.get());
  if (auto* why = std::get_if<std::string>(&alg)) return std::move(*why);
  signing_key k;
  k.alg_ = std::get<algorithm>(alg);
  k.key_ = std::move(key);
  return k;
}

std::string signing_key::sign(std::string_view signed_part) const {
  if (alg_ == algorithm::hs256) return hmac_sha256(secret_, signed_part);
  md_ctx_ptr ctx{EVP_MD_CTX_new()};
  std::size_t length = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, digest_of(alg_), nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, bytes_of(signed_part), signed_part.size()) != 1)
    return {};
  std::string out(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length,
                     bytes_of(signed_part), signed_part.size()) != 1)
    return {};
  out.resize(length);
  return out;
}

} // namespace chat::auth
