// token_keys.hpp -- the keys that sign and verify tokens, and the three JWS algorithms we speak:
// HS256 (a shared secret), RS256 (RSA) and EdDSA (Ed25519). All the cryptography is OpenSSL's
// (HMAC through EVP_MAC, signatures through EVP_DigestSign/Verify); none is written here.
// Loaded once at start-up (chat-server, tests), then immutable: any thread may use a key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

typedef struct evp_pkey_st EVP_PKEY; // <openssl/types.h>, kept out of every includer

namespace chat::auth {

enum class algorithm : uint8_t { hs256, rs256, eddsa };

// The JWS "alg" names (RFC 7518, RFC 8037): "HS256", "RS256", "EdDSA".
std::string_view jose_name(algorithm alg);

// A shared secret shorter than the hash (RFC 7518 section 3.2) is refused.
inline constexpr std::size_t min_secret_size = 32;
// RSA keys shorter than this are refused (RFC 7518 section 3.3 asks for at least 2048 bits).
inline constexpr int min_rsa_bits = 2048;

// Either what was asked for or one sentence saying why not.
template <class T> using loaded = std::variant<T, std::string>;

// A file's bytes (a secret, a PEM key), or why it cannot be read. A secret file's one trailing
// line end is not part of the secret (`openssl rand -hex 32 > file` writes one).
struct key_file {
  std::string bytes;
};
loaded<key_file> read_key_file(const std::string& path);

// What verifies a signature: the shared secret (HS256) or a public key (RS256 or EdDSA by the
// key's type). Copies share the key.
class verification_key {
public:
  static loaded<verification_key> from_secret(std::string secret);
  // A PEM "PUBLIC KEY" (SubjectPublicKeyInfo) of an Ed25519 or RSA key.
  static loaded<verification_key> from_public_pem(std::string_view pem);

  algorithm alg() const { return alg_; }
  // Whether `signature` is a valid signature of `signed_part` under this key and algorithm;
  // MACs are compared in constant time.
  bool verify(std::string_view signed_part, std::string_view signature) const;

private:
  algorithm alg_ = algorithm::hs256;
  std::string secret_;            // HS256
  std::shared_ptr<EVP_PKEY> key_; // RS256, EdDSA
};

// What signs: the shared secret (HS256) or a private key (RS256 or EdDSA by the key's type).
class signing_key {
public:
  static loaded<signing_key> from_secret(std::string secret);
  // A PEM "PRIVATE KEY" (PKCS#8) or traditional RSA key, Ed25519 or RSA.
  static loaded<signing_key> from_private_pem(std::string_view pem);

  algorithm alg() const { return alg_; }
  // The signature of `signed_part` (raw bytes, not yet base64url), or empty if OpenSSL failed.
  std::string sign(std::string_view signed_part) const;

private:
  algorithm alg_ = algorithm::hs256;
  std::string secret_;
  std::shared_ptr<EVP_PKEY> key_;
};

} // namespace chat::auth
