#include "transport/tls_session.hpp"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <array>

namespace chat::transport {

namespace {

bool is_ip_address(const std::string& name) {
  ASN1_OCTET_STRING* ip = a2i_IPADDRESS(name.c_str());
  if (ip == nullptr) return false;
  ASN1_OCTET_STRING_free(ip);
  return true;
}

} // namespace

tls_session::tls_session(const std::shared_ptr<boost::asio::ssl::context>& context, role r,
                         const std::string& server_name)
    : context_(context), client_(r == role::client) {
  ssl_ = SSL_new(context_->native_handle());
  network_in_ = BIO_new(BIO_s_mem());
  network_out_ = BIO_new(BIO_s_mem());
  if (ssl_ == nullptr || network_in_ == nullptr || network_out_ == nullptr) {
    // Out of memory: every later call fails cleanly.
    error_ = "cannot make a TLS session";
    return;
  }
  // A drained input BIO answers "retry", not end of file.
  BIO_set_mem_eof_return(network_in_, -1);
  BIO_set_mem_eof_return(network_out_, -1);
  SSL_set_bio(ssl_, network_in_, network_out_);
  if (r == role::server) {
    SSL_set_accept_state(ssl_);
    return;
  }
  SSL_set_connect_state(ssl_);
  if (server_name.empty()) return;
  if (is_ip_address(server_name)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), server_name.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl_, server_name.c_str());
    SSL_set1_host(ssl_, server_name.c_str());
  }
}

tls_session::~tls_session() {
  if (ssl_ != nullptr) {
    SSL_free(ssl_); // frees both BIOs
  } else {
    BIO_free(network_in_);
    BIO_free(network_out_);
  }
}

tls_session::status tls_session::fail(const char* what, int ret) {
  int code = SSL_get_error(ssl_, ret);
  if (code == SSL_ERROR_ZERO_RETURN) return status::peer_closed;
  std::string reason;
  if (unsigned long err = ERR_peek_last_error(); err != 0) {
    char buf[256];
    ERR_error_string_n(err, buf, sizeof buf);
    // "error:0A000086:SSL routines::certificate verify failed" -> the words after "::".
    std::string_view text{buf};
    auto at = text.rfind(':');
    reason = std::string{at == std::string_view::npos ? text : text.substr(at + 1)};
  } else {
    reason = code == SSL_ERROR_SYSCALL ? "unexpected end of data" : "error " + std::to_string(code);
  }
  if (long verify = SSL_get_verify_result(ssl_); verify != X509_V_OK)
    reason += std::string{" ("} + X509_verify_cert_error_string(verify) + ")";
  // A TLS record starts with its content type, 20 to 23; anything else is not TLS at all.
  if (!established_ && first_byte_ >= 0 && (first_byte_ < 20 || first_byte_ > 23))
    reason += " (the peer does not speak TLS on this port)";
  error_ = std::string{what} + ": " + reason;
  ERR_clear_error();
  return status::failed;
}

tls_session::status tls_session::start() {
  if (ssl_ == nullptr) return status::failed;
  ERR_clear_error();
  int ret = SSL_do_handshake(ssl_);
  if (ret == 1) {
    established_ = true;
    return status::ok;
  }
  if (SSL_get_error(ssl_, ret) == SSL_ERROR_WANT_READ) return status::ok;
  return fail("TLS handshake failed", ret);
}

tls_session::status
tls_session::receive(const char* data, std::size_t n,
                     const std::function<void(const char*, std::size_t)>& plaintext) {
  if (ssl_ == nullptr) return status::failed;
  if (n > 0 && first_byte_ < 0) first_byte_ = static_cast<unsigned char>(data[0]);
  if (n > 0 && BIO_write(network_in_, data, static_cast<int>(n)) != static_cast<int>(n)) {
    error_ = "TLS: out of memory";
    return status::failed;
  }
  ERR_clear_error();
  if (!established_) {
    int ret = SSL_do_handshake(ssl_);
    if (ret != 1) {
      if (SSL_get_error(ssl_, ret) == SSL_ERROR_WANT_READ) return status::ok;
      return fail("TLS handshake failed", ret);
    }
    established_ = true;
  }
  thread_local std::array<char, tls_record_plaintext> buf;
  for (;;) {
    std::size_t got = 0;
    int ret = SSL_read_ex(ssl_, buf.data(), buf.size(), &got);
    if (ret == 1) {
      plaintext(buf.data(), got);
      continue;
    }
    if (SSL_get_error(ssl_, ret) == SSL_ERROR_WANT_READ) return status::ok;
    return fail("TLS failed", ret);
  }
}

bool tls_session::seal(const char* data, std::size_t n) {
  if (ssl_ == nullptr || !error_.empty()) return false;
  ERR_clear_error();
  while (n > 0) {
    auto chunk = std::min(n, tls_record_plaintext);
    std::size_t written = 0;
    // Into a memory BIO a write never blocks: all of it or a fatal error (then the connection
    // fails on its next read; nothing more is sealed).
    if (SSL_write_ex(ssl_, data, chunk, &written) != 1) {
      fail("TLS failed", 0);
      return false;
    }
    data += written;
    n -= written;
  }
  return true;
}

void tls_session::close_notify() {
  if (ssl_ == nullptr || notified_ || !established_) return;
  notified_ = true;
  ERR_clear_error();
  SSL_shutdown(ssl_);
  ERR_clear_error();
}

const char* tls_session::version() const {
  return ssl_ != nullptr ? SSL_get_version(ssl_) : "";
}

const char* tls_session::cipher() const {
  return ssl_ != nullptr ? SSL_get_cipher_name(ssl_) : "";
}

bool tls_session::has_output() const {
  return network_out_ != nullptr && BIO_ctrl_pending(network_out_) > 0;
}

void tls_session::take_output(std::string& out) {
  if (network_out_ == nullptr) return;
  auto pending = BIO_ctrl_pending(network_out_);
  if (pending == 0) return;
  auto at = out.size();
  out.resize(at + pending);
  auto n = BIO_read(network_out_, out.data() + at, static_cast<int>(pending));
  out.resize(at + static_cast<std::size_t>(n > 0 ? n : 0));
}

} // namespace chat::transport
