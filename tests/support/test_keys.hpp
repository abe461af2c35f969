// test_keys.hpp -- fresh Ed25519 and RSA key pairs as PEM text, made with OpenSSL's own key
// generation, for the token tests, the fuzz target's seeds and the token benchmark.
// Key generation is slow for RSA (a fraction of a second): make a pair once per test program.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace chat::test {

struct pem_pair {
  std::string private_pem; // PKCS#8 "PRIVATE KEY"
  std::string public_pem;  // SubjectPublicKeyInfo "PUBLIC KEY"
};

namespace detail {
inline std::string pem_of(EVP_PKEY* key, bool private_part) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio{BIO_new(BIO_s_mem()), BIO_free};
  int ok = private_part
               ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
               : PEM_write_bio_PUBKEY(bio.get(), key);
  if (ok != 1) throw std::runtime_error("PEM_write_bio failed");
  char* bytes = nullptr;
  long size = BIO_get_mem_data(bio.get(), &bytes);
  return std::string(bytes, static_cast<std::size_t>(size));
}

inline pem_pair pair_of(EVP_PKEY* key) {
  if (!key) throw std::runtime_error("key generation failed");
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> owned{key, EVP_PKEY_free};
  return {pem_of(key, true), pem_of(key, false)};
}
} // namespace detail

inline pem_pair make_ed25519_pair() {
  return detail::pair_of(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
}

inline pem_pair make_rsa_pair(std::size_t bits = 2048) {
  return detail::pair_of(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits));
}

} // namespace chat::test
