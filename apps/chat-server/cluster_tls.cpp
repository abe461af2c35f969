#include "apps/chat-server/cluster_tls.hpp"

#include <boost/asio/ip/address.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

// CAF 0.17's OpenSSL session (libcaf_openssl, session.cpp) builds an SSL_CTX for every
// connection and, with a certificate configured, calls
//   SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr)
// on both the accepting and the connecting side, then drops a failed handshake without a word
// (its own log is compiled out in Debian's build). To log refusals, this executable defines
// SSL_CTX_set_verify itself: the dynamic linker binds libcaf_openssl's call to this definition
// (the executable comes first in the lookup order; CMake exports the symbol with
// --export-dynamic-symbol), which passes the same mode on to libssl's, adding a verify callback
// that only logs and keeps OpenSSL's verdict, and an info callback that logs fatal alerts.
// Verification itself stays OpenSSL's, configured by CAF.

namespace {

std::atomic<bool> logging_on{false};

std::string peer_of(const SSL* ssl) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  int fd = ssl ? SSL_get_fd(ssl) : -1;
  if (fd < 0 || ::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "?";
  char text[INET6_ADDRSTRLEN] = "?";
  uint16_t port = 0;
  if (addr.ss_family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    port = ntohs(in->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    auto* in = reinterpret_cast<sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &in->sin6_addr, text, sizeof text);
    port = ntohs(in->sin6_port);
  }
  return std::string{text} + ':' + std::to_string(port);
}

const char* side_of(const SSL* ssl) {
  return ssl && SSL_is_server(ssl) ? "incoming" : "outgoing";
}

// OpenSSL's verdict on one certificate of the peer's chain, unchanged; a refusal is logged.
int log_verify(int ok, X509_STORE_CTX* store) {
  if (ok || !logging_on) return ok;
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  char subject[256] = "?";
  if (X509* cert = X509_STORE_CTX_get_current_cert(store))
    X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof subject);
  spdlog::warn("cluster: TLS peer refused: {} link with {}: certificate \"{}\": {}", side_of(ssl),
               peer_of(ssl), subject,
               X509_verify_cert_error_string(X509_STORE_CTX_get_error(store)));
  return ok;
}

// A fatal alert ends the handshake: sent, this node refuses the peer; received, the peer
// refuses this node (its certificate, or none).
void log_alert(const SSL* ssl, int where, int value) {
  if (!logging_on || !(where & SSL_CB_ALERT) ||
      std::string_view{SSL_alert_type_string(value)} != "F")
    return;
  if (where & SSL_CB_READ)
    spdlog::warn("cluster: TLS refused by peer: {} link with {}: alert \"{}\"", side_of(ssl),
                 peer_of(ssl), SSL_alert_desc_string_long(value));
  else
    spdlog::warn("cluster: TLS peer refused: {} link with {}: sent alert \"{}\"", side_of(ssl),
                 peer_of(ssl), SSL_alert_desc_string_long(value));
}

// A handshake that failed for a reason no alert or verification reported (a peer that does not
// speak TLS, or sends no certificate): logged with OpenSSL's reason. `ret` is passed through;
// the error stays queued for CAF's SSL_get_error. Only cluster links: they always verify their
// peer, the client ports (HTTPS, TLS on the chat port: Asio's engine calls SSL_accept too, in
// this same executable) never do, and log their own failures in their own words.
int log_handshake_failure(SSL* ssl, int ret) {
  if (ret > 0 || !logging_on || !(SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) ||
      SSL_get_error(ssl, ret) != SSL_ERROR_SSL)
    return ret;
  char reason[256] = "?";
  ERR_error_string_n(ERR_peek_error(), reason, sizeof reason);
  if (SSL_get_verify_result(ssl) == X509_V_OK && !std::strstr(reason, "alert"))
    spdlog::warn("cluster: TLS handshake failed: {} link with {}: {}", side_of(ssl), peer_of(ssl),
                 reason);
  return ret;
}

} // namespace

// The same executable-first binding fixes a fault of CAF 0.17 under OpenSSL 3: CAF calls
// SSL_get_error after SSL_read, SSL_write, SSL_connect and SSL_accept without clearing the
// thread's OpenSSL error queue first (OpenSSL requires that), and never drains it. All cluster
// links share CAF's multiplexer thread, so one error left there (a refused certificate, a peer
// closing without close_notify, which OpenSSL 3 reports as an error) made CAF read the next
// harmless "would block" on every other link as fatal, and close it: links between valid nodes
// broke and rejoined over and over (seen with three nodes joining at once). Each call now starts
// with an empty queue, and an EOF without close_notify is a plain close
// (SSL_OP_IGNORE_UNEXPECTED_EOF).
template <class F> F libssl(const char* name) {
  auto fn = reinterpret_cast<F>(::dlsym(RTLD_NEXT, name));
  if (fn == nullptr) { // never run without libssl's own
    std::fprintf(stderr, "chat-server: cannot find libssl's %s\n", name);
    std::abort();
  }
  return fn;
}

extern "C" int SSL_read(SSL* ssl, void* buf, int num) {
  static auto next = libssl<int (*)(SSL*, void*, int)>("SSL_read");
  ERR_clear_error();
  return next(ssl, buf, num);
}

extern "C" int SSL_write(SSL* ssl, const void* buf, int num) {
  static auto next = libssl<int (*)(SSL*, const void*, int)>("SSL_write");
  ERR_clear_error();
  return next(ssl, buf, num);
}

extern "C" int SSL_connect(SSL* ssl) {
  static auto next = libssl<int (*)(SSL*)>("SSL_connect");
  ERR_clear_error();
  return log_handshake_failure(ssl, next(ssl));
}

extern "C" int SSL_accept(SSL* ssl) {
  static auto next = libssl<int (*)(SSL*)>("SSL_accept");
  ERR_clear_error();
  return log_handshake_failure(ssl, next(ssl));
}

extern "C" void SSL_CTX_set_verify(SSL_CTX* ctx, int mode, SSL_verify_cb callback) {
  if (logging_on && (mode & SSL_VERIFY_PEER) && callback == nullptr) {
    callback = log_verify;
    SSL_CTX_set_info_callback(ctx, log_alert);
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  }
  static auto next = libssl<void (*)(SSL_CTX*, int, SSL_verify_cb)>("SSL_CTX_set_verify");
  next(ctx, mode, callback);
}

namespace chat {

void log_cluster_tls_refusals() {
  logging_on = true;
}

bool is_loopback_host(const std::string& host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

} // namespace chat
