// bench_tls.hpp -- chat-bench --tls: one OpenSSL client context per run and, per client, a TLS
// session over two memory BIOs. bench_client keeps its own socket work (readiness reads with
// the kernel's arrival stamps, one write in flight) and only passes bytes through the session.
// No socket here, so it is tested as a unit (tests/bench/bench_tls_test.cpp).
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace chat::bench {

class tls_client_context {
public:
  // TLS 1.2 or newer. With `ca_file` the server's chain must lead to that CA and its
  // certificate name the address connected to; without it nothing is verified (a bench talks
  // to its own server). No session resumption: every connection makes a full handshake.
  static std::variant<std::shared_ptr<const tls_client_context>, std::string>
  make(const std::string& ca_file);

  SSL_CTX* native() const { return ctx_.get(); }
  bool verifies() const { return verifies_; }

private:
  struct ctx_free {
    void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
  };
  std::unique_ptr<SSL_CTX, ctx_free> ctx_;
  bool verifies_ = false;
};

// One client's TLS conversation: the server's bytes in, plaintext out, and the reverse.
class tls_channel {
public:
  enum class status : uint8_t {
    ok,     // all input used; more may come
    closed, // the server sent close_notify
    failed  // error() says why
  };

  // `server_ip`: the address connected to, which a verifying context checks the certificate for.
  tls_channel(const tls_client_context& context, const std::string& server_ip);
  ~tls_channel();
  tls_channel(const tls_channel&) = delete;
  tls_channel& operator=(const tls_channel&) = delete;

  // Starts or continues the handshake with the input so far; its messages go to the output.
  status handshake();
  bool established() const { return established_; }

  // Bytes the server sent, as they came from the socket.
  bool put(const char* data, std::size_t n);

  // Decrypts the input held into [buf, buf + size): the bytes written, 0 once no whole record
  // is left (then `st` says whether the session still stands).
  std::size_t read(char* buf, std::size_t size, status& st);

  // Plaintext to send, sealed into records (one per 16 KiB) appended to the output.
  bool seal(const char* data, std::size_t n);

  bool has_output() const;
  void take_output(std::vector<char>& out); // appends

  const std::string& error() const { return error_; }
  std::string version() const; // "TLSv1.3 TLS_AES_256_GCM_SHA384", once established

private:
  status fail(const char* what, int ret);

  SSL* ssl_ = nullptr;
  BIO* in_ = nullptr;  // owned by ssl_: the server's bytes go here
  BIO* out_ = nullptr; // owned by ssl_: what goes to the server is read from here
  bool established_ = false;
  int first_byte_ = -1; // of the server's, to tell a plain-text server from a broken TLS one
  std::string error_;
};

} // namespace chat::bench
