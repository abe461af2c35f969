// listener.hpp -- accepts TCP connections and hands each new tcp_connection to a callback.
// Created by the server wiring (apps/); the callback spawns the owning actor. Knows no chat rule.
#pragma once

#include "transport/tcp_connection.hpp"

#include <boost/asio.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace chat::transport {

class listener : public std::enable_shared_from_this<listener> {
public:
  // Must return the connection's owner; the listener then starts the connection.
  using accept_callback = std::function<connection_owner(const std::shared_ptr<tcp_connection>&)>;

  // Binds and listens at once, so errors (address in use) surface here as exceptions, at start-up.
  listener(asio::io_context& ioc, const tcp::endpoint& where, const connection_limits& limits,
           accept_callback on_accept);

  tcp::endpoint local_endpoint() const { return local_; }

  void start();

  // Stops accepting and closes every open connection gracefully. Thread-safe.
  void stop();

  // Open connections right now (accepted and not yet closed). Thread-safe.
  std::size_t open_connections() const;

  // Cuts every connection still open, dropping what is queued (after a shutdown timeout).
  void abort_all(const std::string& reason);

private:
  void accept();
  void on_accept(const boost::system::error_code& ec, tcp::socket socket);
  void back_off(const boost::system::error_code& ec);
  template <class F> void for_each_open(F f);

  asio::io_context& ioc_;
  tcp::acceptor acceptor_;
  tcp::endpoint local_;
  connection_limits limits_;
  accept_callback on_accept_;
  asio::steady_timer retry_timer_;

  mutable std::mutex open_mutex_; // guards open_ only
  std::unordered_map<const tcp_connection*, std::weak_ptr<tcp_connection>> open_;
};

} // namespace chat::transport
