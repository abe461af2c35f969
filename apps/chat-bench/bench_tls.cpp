#include "apps/chat-bench/bench_tls.hpp"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <string_view>

namespace chat::bench {

namespace {

// The most plaintext one record carries, and so one SSL_write_ex.
constexpr std::size_t record_plaintext = 16 * 1024;

// OpenSSL's reason for the error on top of this thread's queue ("certificate verify failed"),
// or "" if the queue is empty.
std::string last_reason() {
  unsigned long err = ERR_peek_last_error();
  if (err == 0) return {};
  char buf[256];
  ERR_error_string_n(err, buf, sizeof buf);
  // "error:0A000086:SSL routines::certificate verify failed" -> the words after the last ':'.
  std::string_view text{buf};
  auto at = text.rfind(':');
  return std::string{at == std::string_view::npos ? text : text.substr(at + 1)};
}

} // namespace

std::variant<std::shared_ptr<const tls_client_context>, std::string>
tls_client_context::make(const std::string& ca_file) {
  ERR_clear_error();
  auto made = std::make_shared<tls_client_context>();
  made->ctx_.reset(SSL_CTX_new(TLS_client_method()));
  if (!made->ctx_) return "cannot make a TLS context: " + last_reason();
  auto* ctx = made->ctx_.get();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  if (!ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) != 1) {
      auto why = last_reason();
      ERR_clear_error();
      return "cannot read the CA certificates in " + ca_file + ": " + why;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    made->verifies_ = true;
  }
  return std::shared_ptr<const tls_client_context>{std::move(made)};
}

tls_channel::tls_channel(const tls_client_context& context, const std::string& server_ip) {
  ssl_ = SSL_new(context.native());
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(BIO_s_mem());
  if (ssl_ == nullptr || in_ == nullptr || out_ == nullptr) {
    error_ = "cannot make a TLS session (out of memory)"; // every call fails from here
    return;
  }
  BIO_set_mem_eof_return(in_, -1); // a drained input asks for more instead of ending the stream
  BIO_set_mem_eof_return(out_, -1);
  SSL_set_bio(ssl_, in_, out_);
  SSL_set_connect_state(ssl_);
  // An IP address is checked against the certificate's IP names; no SNI (it takes host names).
  if (context.verifies()) X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), server_ip.c_str());
}

tls_channel::~tls_channel() {
  if (ssl_ != nullptr) {
    SSL_free(ssl_); // and both BIOs
  } else {
    BIO_free(in_);
    BIO_free(out_);
  }
}

tls_channel::status tls_channel::fail(const char* what, int ret) {
  int code = SSL_get_error(ssl_, ret);
  if (code == SSL_ERROR_ZERO_RETURN) return status::closed;
  auto reason = last_reason();
  if (reason.empty())
    reason = code == SSL_ERROR_SYSCALL ? "unexpected end of data" : "error " + std::to_string(code);
  if (long verify = SSL_get_verify_result(ssl_); verify != X509_V_OK)
    reason += std::string{" ("} + X509_verify_cert_error_string(verify) + ")";
  // A TLS record starts with its content type, 20 to 23: anything else is no TLS at all.
  if (!established_ && first_byte_ >= 0 && (first_byte_ < 20 || first_byte_ > 23))
    reason += " (the server does not speak TLS on this port)";
  error_ = std::string{what} + reason;
  ERR_clear_error(); // the next session on this thread must not read this one's error
  return status::failed;
}

tls_channel::status tls_channel::handshake() {
  if (!error_.empty()) return status::failed;
  if (established_) return status::ok;
  ERR_clear_error();
  int ret = SSL_do_handshake(ssl_);
  if (ret == 1) {
    established_ = true;
    return status::ok;
  }
  if (SSL_get_error(ssl_, ret) == SSL_ERROR_WANT_READ) return status::ok;
  return fail("", ret);
}

bool tls_channel::put(const char* data, std::size_t n) {
  if (!error_.empty()) return false;
  if (n > 0 && first_byte_ < 0) first_byte_ = static_cast<unsigned char>(data[0]);
  if (n > 0 && BIO_write(in_, data, static_cast<int>(n)) != static_cast<int>(n)) {
    error_ = "out of memory for the TLS input";
    return false;
  }
  return true;
}

std::size_t tls_channel::read(char* buf, std::size_t size, status& st) {
  st = status::ok;
  if (!error_.empty()) {
    st = status::failed;
    return 0;
  }
  ERR_clear_error();
  std::size_t got = 0;
  int ret = SSL_read_ex(ssl_, buf, size, &got);
  if (ret == 1) return got;
  if (SSL_get_error(ssl_, ret) != SSL_ERROR_WANT_READ) st = fail("", ret);
  return 0;
}

bool tls_channel::seal(const char* data, std::size_t n) {
  if (!error_.empty()) return false;
  ERR_clear_error();
  while (n > 0) {
    std::size_t written = 0;
    // Into a memory BIO a write never waits: it writes all of the chunk or fails for good.
    if (SSL_write_ex(ssl_, data, std::min(n, record_plaintext), &written) != 1) {
      fail("", 0);
      return false;
    }
    data += written;
    n -= written;
  }
  return true;
}

bool tls_channel::has_output() const {
  return out_ != nullptr && BIO_ctrl_pending(out_) > 0;
}

void tls_channel::take_output(std::vector<char>& out) {
  if (out_ == nullptr) return;
  auto pending = BIO_ctrl_pending(out_);
  if (pending == 0) return;
  auto at = out.size();
  out.resize(at + pending);
  int got = BIO_read(out_, out.data() + at, static_cast<int>(pending));
  out.resize(at + static_cast<std::size_t>(std::max(got, 0)));
}

std::string tls_channel::version() const {
  if (ssl_ == nullptr || !established_) return {};
  return std::string{SSL_get_version(ssl_)} + ' ' + SSL_get_cipher_name(ssl_);
}

} // namespace chat::bench
