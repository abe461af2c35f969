// http_session.hpp -- one connection of the HTTP listener, plain or HTTPS: the TLS handshake
// first (when the listener has credentials), then requests answered from the page callback until
// one upgrades to a WebSocket. Made only by http_listener (http_listener.cpp), which counts it
// and turns its upgrade into a ws_connection.
#pragma once

#include "transport/tls_context.hpp"
#include "transport/ws_connection.hpp" // tls_socket, any_ws_stream

#include <boost/asio.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/common.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace chat::transport {

class http_listener;

// Requests one after the other (keep-alive), until the limits end the connection or a request
// upgrades it. Every operation runs on the session's strand; its timer shuts the socket down
// (pending operations complete) rather than closing it under them.
class http_session : public std::enable_shared_from_this<http_session> {
public:
  // `tls`: the context of the listener's credentials when the connection was accepted, kept for
  // the connection's life (and its WebSocket's); null: plain HTTP.
  http_session(tcp::socket socket, std::shared_ptr<http_listener> listener, tls_context_ptr tls);
  ~http_session();

  void start();
  // The server stops: an answer being written still goes, then the connection ends.
  void shut();

private:
  using request = boost::beast::http::request<boost::beast::http::string_body>;

  // -- TLS (http_session.cpp, "TLS"): the first bytes tell a TLS client from a plain one --
  void sniff();
  void on_first_bytes(const boost::system::error_code& ec);
  void refuse_plain_text();

  // -- HTTP --
  void read_request();
  void on_request(const boost::system::error_code& ec);
  void refuse(unsigned status, std::string why);
  void respond(unsigned status, const std::string& type, std::string body, bool keep,
               std::size_t head_length);
  void upgrade(request req);
  template <class Next> void upgrade_on(Next& next, request req);

  // Past `timeout` the connection ends, logged as `what` at `level`.
  void arm(std::chrono::milliseconds timeout, const char* what,
           spdlog::level::level_enum level = spdlog::level::debug);
  void end();
  tcp::socket& socket(); // the TCP socket, under TLS or not
  std::string peer();

  // Calls f(stream), plain or TLS.
  template <class F> decltype(auto) with_stream(F&& f) {
    if (auto* plain = std::get_if<tcp::socket>(&stream_)) return f(*plain);
    return f(*std::get_if<tls_socket>(&stream_));
  }

  tls_context_ptr tls_; // before stream_: its SSL refers to the context
  std::variant<tcp::socket, tls_socket> stream_;
  asio::strand<asio::io_context::executor_type> strand_; // see ws_connection.hpp
  asio::steady_timer timer_;
  std::shared_ptr<http_listener> listener_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  unsigned served_ = 0;
  bool busy_ = false; // a read, write or handshake is pending on the socket
  bool ended_ = false;
  bool upgraded_ = false;
  bool counted_ = true; // among the listener's open HTTP connections
  // While the WebSocket handshake is pending: the socket under its stream, so end() can shut it.
  tcp::socket* handshaking_ = nullptr;
  std::string peer_; // HTTPS only: the peer as accepted
};

} // namespace chat::transport
