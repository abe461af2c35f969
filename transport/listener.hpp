// listener.hpp -- accepts TCP connections and hands each new tcp_connection to a callback;
// enforces the limits at the edges of a connection's life: admission and idleness.
// Created by the server wiring (apps/); the callback spawns the owning actor. Knows no chat rule:
// the frames it sends (refusal, probe, farewells) are given to it ready-made.
#pragma once

#include "transport/connection_slots.hpp"
#include "transport/outbound_pressure.hpp"
#include "transport/tcp_connection.hpp"
#include "transport/tls_context.hpp"

#include <boost/asio.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

namespace chat::transport {

struct listener_policy {
  // --max-connections: shared with the HTTP listener, so the bound counts every transport.
  std::shared_ptr<connection_slots> slots = std::make_shared<connection_slots>(10000);
  std::optional<frame> refusal; // sent to a connection past the bound, which is then closed
  // Silence from a peer: after idle_interval it is sent `idle_probe` (a PING, so a live client
  // answers and a half-open one is found); after idle_timeout, `idle_farewell` and a close.
  std::chrono::milliseconds idle_interval{30000};
  std::chrono::milliseconds idle_timeout{90000};
  std::optional<frame> idle_probe;
  std::optional<frame> idle_farewell;
  // Sent to a connection cut as a slow consumer, before it is closed (tcp_connection).
  std::optional<frame> slow_consumer_notice;
  // --tls-cert/--tls-key: every connection speaks TLS, with the certificate current when it was
  // accepted (reloaded on SIGHUP). Null: plain text.
  std::shared_ptr<tls_credentials> tls;
  // Sent, in plain text, to a peer that speaks plain text to a TLS port (an ERROR saying so).
  std::optional<frame> plain_text_refusal;
  // The I/O threads' loops (io_loop::contexts()) the accepted connections are spread over, one
  // after the other. Each must be run by one thread: a connection needs no strand on it. Empty:
  // every connection lives on the listener's own io_context.
  std::vector<asio::io_context*> connection_loops;
};

class listener : public std::enable_shared_from_this<listener> {
public:
  // Must return the connection's owner; the listener then starts the connection.
  using accept_callback = std::function<connection_owner(const std::shared_ptr<tcp_connection>&)>;

  // Binds and listens at once, so errors (address in use) surface here as exceptions, at start-up.
  listener(asio::io_context& ioc, const tcp::endpoint& where, const connection_limits& limits,
           listener_policy policy, accept_callback on_accept);

  tcp::endpoint local_endpoint() const { return local_; }

  void start();

  // Stops accepting; every open connection gets `farewell` (if any) and is closed gracefully.
  // Thread-safe.
  void stop(std::optional<frame> farewell = std::nullopt);

  // Shared with the HTTP listener's WebSocket connections: receivers behind anywhere hold back
  // senders everywhere.
  std::shared_ptr<outbound_pressure> pressure() const { return pressure_; }

  // Open connections right now (accepted and not yet closed). Thread-safe.
  std::size_t open_connections() const;

  // Cuts every connection still open, dropping what is queued (after a shutdown timeout).
  void abort_all(const std::string& reason);

private:
  void accept();
  void on_accept(const boost::system::error_code& ec, tcp_connection::socket_type socket);
  void admit(tcp_connection::socket_type socket);
  void refuse(tcp_connection::socket_type socket);
  void back_off(const boost::system::error_code& ec);
  void close_acceptor();
  void sweep();
  template <class F> void for_each_open(F f);

  // Every accepted connection's close_watcher: gives back its slot, and takes it off open_ while
  // this listener lives (a connection may outlive it).
  class departures;
  std::shared_ptr<close_watcher> departures_; // made by start()

  asio::io_context& ioc_;
  std::size_t next_loop_ = 0; // the next accepted connection's loop (strand only)
  tcp::acceptor acceptor_;
  tcp::endpoint local_;
  connection_limits limits_;
  listener_policy policy_;
  accept_callback on_accept_;
  // Shared by every connection accepted here: a broadcast's receivers hold back its senders.
  std::shared_ptr<outbound_pressure> pressure_ = std::make_shared<outbound_pressure>();
  asio::steady_timer retry_timer_;
  asio::steady_timer sweep_timer_;
  uint64_t refused_ = 0;   // since the server was last below its bound (strand only)
  bool accepting_ = false; // an async_accept is pending (strand only)
  bool stopping_ = false;  // stop() was called (strand only)

  mutable std::mutex open_mutex_; // guards open_ only
  std::unordered_map<const tcp_connection*, std::weak_ptr<tcp_connection>> open_;
};

} // namespace chat::transport
