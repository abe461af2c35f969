// tls_client.hpp -- the client side of the HTTPS/WSS tests: certificates made by
// scripts/dev-cluster-ca.sh, a WebSocket client over TLS that verifies the server (JSON messages
// of docs/PROTOCOL.md "JSON (WebSocket)"), one HTTPS request, and raw sockets read until the
// server closes. Every wait is bounded: asynchronous calls run on the client's own io_context
// for at most their timeout.
#pragma once

#include "transport/tls_context.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace chat::test {

using namespace std::chrono_literals;

// DIR/ca.pem and DIR/server.pem, DIR/server.key signed by it (127.0.0.1 and localhost), made by
// scripts/dev-cluster-ca.sh; false if the script failed.
bool make_certificates(const std::string& dir);

// A client context trusting `ca_file` only.
transport::tls_context_ptr client_context(const std::string& ca_file);

// Whether the PEM certificate in `pem_file` is `cert` (the one a server presented).
bool same_certificate(X509* cert, const std::string& pem_file);

class wss_client {
public:
  // Connects to 127.0.0.1:port, verifies the server's certificate (chain and the name
  // 127.0.0.1), upgrades at /ws. connected() says whether all of it worked, failure() why not.
  wss_client(uint16_t port, const transport::tls_context_ptr& context);

  bool connected() const { return connected_; }
  const std::string& failure() const { return failure_; }
  // The certificate the server presented (null before a handshake).
  X509* server_certificate();

  bool send(const boost::json::object& message);
  std::optional<boost::json::object> receive(std::chrono::milliseconds timeout = 5s);
  std::optional<boost::json::object> next(const std::string& type,
                                          std::chrono::milliseconds timeout = 5s);
  bool log_in(const std::string& name); // HELLO (version 2), then LOGIN: true on "Login OK"
  bool join(uint32_t ref, const std::string& channel);

private:
  bool finish(const std::optional<boost::system::error_code>& done,
              std::chrono::milliseconds timeout);

  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> ws_;
  boost::beast::flat_buffer buffer_;
  bool connected_ = false;
  std::string failure_;
};

// GET `target` over HTTPS (verifying with `context`): the status (0 if none came) and the body,
// or the failure.
struct https_result {
  unsigned status = 0;
  std::string body;
  std::string failure;
};
https_result https_get(uint16_t port, const transport::tls_context_ptr& context,
                       const std::string& target);

// A TLS handshake with 127.0.0.1:port: empty if it succeeded, else why it failed; `took` is set
// to how long the attempt lasted.
std::string tls_handshake(uint16_t port, const transport::tls_context_ptr& context,
                          std::chrono::milliseconds timeout, std::chrono::milliseconds* took);

// A plain TCP socket to 127.0.0.1:port that sends `bytes` (maybe none), then reads until the
// server closes it or `timeout` passes.
struct raw_result {
  bool closed = false;               // the server closed (EOF or reset) within the timeout
  std::string received;              // what came before that
  std::chrono::milliseconds took{0}; // from the connect to the close
};
raw_result send_and_read_until_closed(uint16_t port, const std::string& bytes,
                                      std::chrono::milliseconds timeout);

} // namespace chat::test
