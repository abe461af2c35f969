// tls_session.hpp -- one TLS conversation held in memory: network bytes in, plaintext out, and
// the reverse. tcp_connection owns one per TLS connection and keeps doing its own socket I/O
// (readiness reads into the thread's buffer, gather writes), so TLS adds a step on each side
// and no new thread hop. The engine is OpenSSL's, over two memory BIOs, the design Asio's own
// ssl::stream uses inside; no socket and no Asio here.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace chat::transport {

// The largest TLS record's plaintext: what one SSL_read can return and one record can carry.
inline constexpr std::size_t tls_record_plaintext = 16 * 1024;

class tls_session {
public:
  enum class role : bool { server, client };

  // `server_name` (client role): the name or IP address the server's certificate must carry
  // (checked when the context verifies peers) and the SNI sent.
  tls_session(const std::shared_ptr<boost::asio::ssl::context>& context, role r,
              const std::string& server_name = {});
  ~tls_session();
  tls_session(const tls_session&) = delete;
  tls_session& operator=(const tls_session&) = delete;

  enum class status : uint8_t {
    ok,          // all input used; more may come
    peer_closed, // the peer sent close_notify
    failed       // fatal: error() says why; output() may hold an alert for the peer
  };

  // Network bytes from the peer. Drives the handshake; once it is done, every plaintext byte
  // goes to `plaintext` (in the peer's order, as one or more spans).
  status receive(const char* data, std::size_t n,
                 const std::function<void(const char*, std::size_t)>& plaintext);

  // Client role: starts the handshake (the ClientHello goes to output()).
  status start();

  bool established() const { return established_; }
  bool is_client() const { return client_; }
  const std::string& error() const { return error_; }
  // "TLSv1.3", "TLS_AES_128_GCM_SHA256": for log lines, once established.
  const char* version() const;
  const char* cipher() const;

  // Plaintext to send: sealed into records appended to the output. Chat frames are small, so
  // callers gather many into one call and get one record per 16 KiB, not one per frame.
  // False if the session failed (error() says why).
  bool seal(const char* data, std::size_t n);
  bool seal(std::string_view plain) { return seal(plain.data(), plain.size()); }

  // The close_notify alert (to the output); once.
  void close_notify();

  // Bytes waiting to go to the network (handshake, records, alerts).
  bool has_output() const;
  // Appends them to `out`.
  void take_output(std::string& out);

private:
  status fail(const char* what, int ret);

  std::shared_ptr<boost::asio::ssl::context> context_; // keeps the SSL_CTX's settings alive
  SSL* ssl_ = nullptr;
  BIO* network_in_ = nullptr;  // owned by ssl_: we write the peer's bytes here
  BIO* network_out_ = nullptr; // owned by ssl_: we read what goes to the peer here
  bool established_ = false;
  bool client_ = false;
  int first_byte_ = -1; // of the peer's, to tell a plain-text peer from a broken TLS one
  bool notified_ = false;
  std::string error_;
};

} // namespace chat::transport
