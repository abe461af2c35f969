// ws_client.hpp -- a WebSocket client for the gateway's tests, written from docs/PROTOCOL.md
// "JSON (WebSocket)": blocking Beast calls with a deadline on every read, one JSON object per
// text message, parsed with Boost.JSON. Plain HTTP requests for the listener's limits too.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace chat::reliability {

class ws_client {
public:
  // Connects and upgrades at `path`; connected() says whether the handshake was accepted.
  explicit ws_client(uint16_t port, const std::string& path = "/ws");

  bool connected() const { return connected_; }
  // What went wrong last, for test messages.
  const std::string& failure() const { return failure_; }

  bool send(const boost::json::object& message);
  bool send_text(const std::string& text);
  bool send_binary(const std::string& bytes);
  // One text message sent as `pieces` WebSocket frames (a continuation each after the first).
  bool send_fragmented(const std::string& text, std::size_t pieces);
  // The next JSON object, or nothing on timeout, close or error (then failure() says which).
  std::optional<boost::json::object>
  receive(std::chrono::milliseconds timeout = std::chrono::seconds{5});
  // The next object whose "type" is `type`, skipping others.
  std::optional<boost::json::object>
  next(const std::string& type, std::chrono::milliseconds timeout = std::chrono::seconds{5});
  // True if the server ended the connection (its CLOSE, or the socket closed after it) within
  // `timeout`, reading past whatever else comes first.
  bool closed_by_server(std::chrono::milliseconds timeout = std::chrono::seconds{5});

  // HELLO (version 2) then LOGIN; true on "Login OK".
  bool log_in(const std::string& name);
  // A JOIN with replay `last` 100: the JOINED answer, or nothing.
  std::optional<boost::json::object> join(uint32_t ref, const std::string& channel);

private:
  bool finish(const std::optional<boost::system::error_code>& done,
              std::chrono::milliseconds timeout);

  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_{ioc_};
  boost::beast::flat_buffer buffer_;
  bool connected_ = false;
  std::string failure_;
};

// One HTTP/1.1 request on a fresh connection: the status (0 if none came) and the body.
struct http_result {
  unsigned status = 0;
  std::string body;
};
http_result http_request(uint16_t port, const std::string& method, const std::string& target,
                         const std::string& extra_header = {});

} // namespace chat::reliability
