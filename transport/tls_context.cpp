#include "transport/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace chat::transport {

namespace ssl = boost::asio::ssl;

namespace {

// Mozilla's "intermediate" list for TLS 1.2: ECDHE key exchange, AEAD ciphers. TLS 1.3's own
// suites are all AEAD and stay OpenSSL's default.
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

void modern_defaults(ssl::context& ctx) {
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                  ssl::context::no_compression);
  auto* native = ctx.native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_cipher_list(native, tls12_ciphers);
  // A peer that closes without close_notify ends the connection like any close, not as an error
  // (chat frames are self-delimiting, so truncation cannot pass unnoticed).
  SSL_CTX_set_options(native, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
  // Idle connections give their record buffers back.
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
}

std::string openssl_reason(const boost::system::error_code& ec) {
  auto reason = ec.message();
  ERR_clear_error();
  return reason;
}

std::variant<tls_context_ptr, std::string> server_context(const std::string& cert_file,
                                                          const std::string& key_file) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  modern_defaults(*ctx);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) return "cannot use TLS certificate " + cert_file + ": " + openssl_reason(ec);
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec)
    return "cannot use TLS key " + key_file + " with certificate " + cert_file + ": " +
           openssl_reason(ec);
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    ERR_clear_error();
    return "TLS key " + key_file + " does not belong to certificate " + cert_file;
  }
  SSL_CTX_set_session_cache_mode(ctx->native_handle(), SSL_SESS_CACHE_SERVER);
  return ctx;
}

} // namespace

tls_credentials::tls_credentials(std::string cert_file, std::string key_file,
                                 tls_context_ptr context)
    : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)),
      context_(std::move(context)) {}

std::variant<std::shared_ptr<tls_credentials>, std::string>
tls_credentials::load(const std::string& cert_file, const std::string& key_file) {
  auto made = server_context(cert_file, key_file);
  if (auto* problem = std::get_if<std::string>(&made)) return *problem;
  return std::shared_ptr<tls_credentials>{
      new tls_credentials(cert_file, key_file, std::get<tls_context_ptr>(std::move(made)))};
}

tls_context_ptr tls_credentials::current() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return context_;
}

std::string tls_credentials::reload() {
  auto made = server_context(cert_file_, key_file_);
  if (auto* problem = std::get_if<std::string>(&made)) return *problem;
  std::lock_guard<std::mutex> guard{mutex_};
  context_ = std::get<tls_context_ptr>(std::move(made));
  return {};
}

std::string tls_credentials::describe() const {
  auto ctx = current();
  X509* cert = SSL_CTX_get0_certificate(ctx->native_handle());
  if (cert == nullptr) return "no certificate";
  char subject[256] = "?";
  X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof subject);
  std::string expiry = "?";
  if (BIO* out = BIO_new(BIO_s_mem())) {
    if (ASN1_TIME_print(out, X509_get0_notAfter(cert)) == 1) {
      char* data = nullptr;
      auto n = BIO_get_mem_data(out, &data);
      expiry.assign(data, static_cast<std::size_t>(n));
    }
    BIO_free(out);
  }
  return std::string{"subject "} + subject + ", valid until " + expiry;
}

bool tls_credentials::expired() const {
  X509* cert = SSL_CTX_get0_certificate(current()->native_handle());
  return cert != nullptr && X509_cmp_current_time(X509_get0_notAfter(cert)) < 0;
}

std::variant<tls_context_ptr, std::string> make_client_tls_context(const tls_client_options& o) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  modern_defaults(*ctx);
  boost::system::error_code ec;
  if (o.insecure) {
    ctx->set_verify_mode(ssl::verify_none);
    return ctx;
  }
  if (o.ca_file.empty())
    ctx->set_default_verify_paths(ec);
  else
    ctx->load_verify_file(o.ca_file, ec);
  if (ec)
    return "cannot load TLS CA " + (o.ca_file.empty() ? std::string{"(system)"} : o.ca_file) +
           ": " + openssl_reason(ec);
  ctx->set_verify_mode(ssl::verify_peer);
  return ctx;
}

} // namespace chat::transport
