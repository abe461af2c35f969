// tls_session_fuzz.cpp -- libFuzzer target: transport/tls_session.hpp, the memory-BIO TLS step of
// tcp_connection, fed arbitrary network bytes as a server (what any client may send to a TLS
// port) and as a client (what a hostile server may answer). Built only with CHAT_FUZZ=ON (clang).
//
// Input: [role byte][chunks], each chunk [length byte][bytes]: the peer's bytes as separate
// reads, so records split across reads are covered.
//
// Invariants: once a session has failed it stays failed, with a reason; it never reports a
// close it was not sent; what it writes back is bounded (an alert or a handshake flight, not an
// echo of the input); sealing after a failure is refused. Every broken invariant ends in
// __builtin_trap(), so libFuzzer keeps the input.
#include "transport/tls_session.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace {

namespace ssl = boost::asio::ssl;
using chat::transport::tls_session;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// A throwaway P-256 key and a self-signed certificate, made once: no file is needed.
std::shared_ptr<ssl::context> server_context() {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("fuzz"), -1, -1, 0);
  X509_set_issuer_name(cert, X509_get_subject_name(cert));
  X509_sign(cert, key, EVP_sha256());
  SSL_CTX_use_certificate(ctx->native_handle(), cert);
  SSL_CTX_use_PrivateKey(ctx->native_handle(), key);
  X509_free(cert);
  EVP_PKEY_free(key);
  return ctx;
}

std::shared_ptr<ssl::context> client_context() {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  ctx->set_verify_mode(ssl::verify_peer); // nothing is trusted: a hostile server fails here
  return ctx;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto server = server_context();
  static auto client = client_context();
  if (size < 1) return 0;
  bool as_client = data[0] & 1;
  tls_session session{as_client ? client : server,
                      as_client ? tls_session::role::client : tls_session::role::server,
                      "127.0.0.1"};
  std::string out;
  if (as_client) {
    check(session.start() == tls_session::status::ok); // a ClientHello, nothing received yet
    session.take_output(out);
    check(!out.empty() && out.size() < 4096);
  }
  bool failed = false;
  std::size_t plaintext = 0;
  for (std::size_t at = 1; at < size;) {
    std::size_t n = std::min<std::size_t>(data[at], size - at - 1);
    auto chunk = reinterpret_cast<const char*>(data + at + 1);
    at += 1 + n;
    auto status = session.receive(chunk, n, [&](const char*, std::size_t m) { plaintext += m; });
    if (failed) check(status != tls_session::status::ok); // no recovery after a failure
    if (status == tls_session::status::failed) {
      failed = true;
      check(!session.error().empty());
    }
    out.clear();
    session.take_output(out);
    check(out.size() < 16384); // a flight or an alert, never more
    if (status == tls_session::status::peer_closed) break;
  }
  // Without a key exchange nothing can be established, so nothing can have been decrypted.
  check(session.established() || plaintext == 0);
  if (failed) check(!session.seal("after the failure"));
  return 0;
}
