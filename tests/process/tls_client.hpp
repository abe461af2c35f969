// tls_client.hpp -- a TLS chat client for the tests, written on Asio's ssl::stream (not on our
// transport, so it checks the server against an independent TLS stack): handshake, hand-encoded
// frames, and every wait bounded.
#pragma once

#include "tests/process/reliability_support.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include <array>
#include <optional>
#include <string>

namespace chat::reliability {

class tls_client {
public:
  // Connects to 127.0.0.1:`port`; the handshake waits for handshake(). With `ca_file` empty the
  // server is not verified; else its chain must lead to that CA and name `server_name`.
  tls_client(uint16_t port, const std::string& ca_file,
             const std::string& server_name = "127.0.0.1");

  bool connected() const { return connected_; }
  bool handshake(milliseconds timeout = io_timeout);
  // Why the last call failed ("certificate verify failed (...)", "timed out", ...).
  const std::string& error() const { return error_; }

  bool send_frame(uint8_t type, std::string_view payload, milliseconds timeout = io_timeout);
  std::optional<frame> read_frame(milliseconds timeout = io_timeout);
  // True once the server ended the connection (close_notify, EOF or reset) within `timeout`.
  bool wait_closed(milliseconds timeout = io_timeout);

  // Logs in and waits for "Login OK".
  bool log_in(const std::string& name);

private:
  // Runs the io_context until `done` or the deadline; false (error_ "timed out") on the latter.
  bool run_until(const bool& done, milliseconds timeout);

  boost::asio::io_context ioc_;
  boost::asio::ssl::context ctx_;
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
  bool connected_ = false;
  std::string inbox_;
  std::array<char, 16384> read_buffer_;
  std::string error_;
};

} // namespace chat::reliability
