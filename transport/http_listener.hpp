// http_listener.hpp -- the server's HTTP side (Boost.Beast, on the same io_context as the TCP
// listener): pages the application gives it (the chat page, /healthz, /metrics) and the WebSocket
// gateway at /ws, whose connections go to the accept callback exactly as TCP ones do. Bounded:
// header and body size, request timeout, requests per keep-alive connection, open connections.
// HTTPS and wss:// when the policy has TLS credentials (http_session.hpp). Created by the
// server wiring (apps/); knows no chat rule.
#pragma once

#include "transport/listener.hpp"
#include "transport/ws_connection.hpp"

#include <boost/asio.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace chat::transport {

class http_session;

// One answer to a GET: status 200 unless said otherwise.
struct http_page {
  unsigned status = 200;
  std::string content_type;
  std::string body;
};

struct http_limits {
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_body_bytes = 1024; // the gateway serves GETs; a body is never needed
  std::chrono::milliseconds request_timeout{10000}; // a whole request, from its first byte
  std::chrono::milliseconds keep_alive_idle{30000}; // between two requests on one connection
  unsigned max_requests_per_connection = 100;
};

class http_listener : public std::enable_shared_from_this<http_listener> {
public:
  // The page at a path ("/", "/healthz"), or nothing (404). Runs on an I/O thread.
  using page_callback = std::function<std::optional<http_page>(std::string_view path)>;
  // Must return the WebSocket connection's owner; the listener then starts the connection.
  using accept_callback = std::function<connection_owner(const std::shared_ptr<ws_connection>&)>;

  // Binds and listens at once (errors surface here, at start-up). `policy` is the TCP
  // listener's: the same connection bound, idle rules and notices hold for WebSocket clients,
  // and with policy.tls this port speaks HTTPS (every connection's TLS handshake is bounded by
  // limits.tls_handshake_timeout).
  http_listener(asio::io_context& ioc, const tcp::endpoint& where, const http_limits& http,
                const connection_limits& limits, listener_policy policy,
                std::shared_ptr<outbound_pressure> pressure, page_callback pages,
                accept_callback on_websocket);

  tcp::endpoint local_endpoint() const { return local_; }
  void start();
  // Stops accepting; WebSocket clients get `farewell` and a graceful close, HTTP ones are shut.
  void stop(std::optional<frame> farewell = std::nullopt);
  std::size_t open_connections() const; // HTTP and WebSocket, thread-safe
  std::size_t open_websockets() const;  // WebSocket only, thread-safe
  void abort_all(const std::string& reason);

  // For the HTTP sessions (http_listener.cpp): counting, and a WebSocket that came of one.
  void opened();
  void closed(const http_session* session);
  // Its handshake done; `tls`: the context the connection was accepted with (wss only).
  void upgraded(any_ws_stream ws, const http_session* from, tls_context_ptr tls);
  const http_limits& http() const { return http_; }
  const connection_limits& limits() const { return limits_; }
  const page_callback& pages() const { return pages_; }
  bool stopping() const { return stopping_.load(std::memory_order_relaxed); }
  void forget(const ws_connection* ws);

private:
  void accept();
  void sweep();
  template <class F> void for_each_open(F f);

  asio::io_context& ioc_;
  tcp::acceptor acceptor_;
  tcp::endpoint local_;
  http_limits http_;
  connection_limits limits_;
  listener_policy policy_;
  std::shared_ptr<outbound_pressure> pressure_;
  page_callback pages_;
  accept_callback on_websocket_;
  asio::steady_timer sweep_timer_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> open_{0}; // HTTP connections, upgraded ones included until closed

  mutable std::mutex ws_mutex_; // guards websockets_ and probed_
  std::unordered_map<const ws_connection*, std::weak_ptr<ws_connection>> websockets_;
  std::unordered_map<const ws_connection*, int64_t> probed_; // when the sweep last pinged it
  std::unordered_map<const http_session*, std::weak_ptr<http_session>> sessions_;
};

} // namespace chat::transport
