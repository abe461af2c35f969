// tls_context.hpp -- the TLS settings of our ports and our client connections, as OpenSSL
// contexts built with Asio's ssl::context: TLS 1.2 and newer, forward-secret AEAD ciphers only.
// The server wiring loads `tls_credentials` once (and again on SIGHUP); every listener takes the
// current context for each new connection. chat-client and the client library use
// make_client_tls_context. docs/ARCHITECTURE.md "TLS" says how the pieces fit.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <variant>

namespace chat::transport {

using tls_context_ptr = std::shared_ptr<boost::asio::ssl::context>;

// The server's certificate chain and key (PEM files), reloadable while connections stay open:
// a connection keeps the context it was accepted with, new ones get the reloaded one.
class tls_credentials {
public:
  // The files read and checked (the key matches the certificate), or why not.
  static std::variant<std::shared_ptr<tls_credentials>, std::string>
  load(const std::string& cert_file, const std::string& key_file);

  // Thread-safe.
  tls_context_ptr current() const;

  // Reads the files again. On success the new context serves every later connection and the
  // answer is empty; otherwise the old one stays and the answer says why. Thread-safe.
  std::string reload();

  const std::string& cert_file() const { return cert_file_; }
  // The certificate's subject and expiry, for the log line at start and reload.
  std::string describe() const;
  // The certificate's notAfter has passed: clients that verify it refuse every handshake.
  bool expired() const;

private:
  tls_credentials(std::string cert_file, std::string key_file, tls_context_ptr context);

  std::string cert_file_;
  std::string key_file_;
  mutable std::mutex mutex_;
  tls_context_ptr context_;
};

// How a client checks the server it connects to.
struct tls_client_options {
  std::string ca_file;   // trusted CAs (PEM); empty: the system's default store
  bool insecure = false; // no verification at all (development only; the caller says so loudly)
};

// A client context that verifies the server's chain (and, per connection, its name: see
// tls_session), or why it cannot be made (an unreadable CA file).
std::variant<tls_context_ptr, std::string> make_client_tls_context(const tls_client_options& o);

} // namespace chat::transport
