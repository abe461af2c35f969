// local_node.hpp -- a whole chat node inside the test process: actor system, I/O threads and a
// server on an ephemeral 127.0.0.1 port. Used by scenario and transport tests.
#pragma once

#include "apps/chat-server/server.hpp"
#include "transport/io_loop.hpp"

#include <caf/all.hpp>

#include <optional>

namespace chat::test {

class local_node {
public:
  // `io_threads` loops run the I/O; the server spreads its TCP connections over them.
  explicit local_node(server_options options = {}, std::size_t io_threads = 1);
  // Closes every connection, drains the I/O threads, and only then lets the actor system go
  // (~actor_system waits for every actor; a live session would hang it).
  ~local_node();

  caf::actor_system& system() { return sys_; }
  boost::asio::io_context& io() { return io_.context(); }
  chat::server& server() { return *server_; }
  uint16_t port() const { return server_->port(); }

private:
  caf::actor_system_config cfg_; // outlives sys_, which refers to it
  // io_ outlives sys_: ~actor_system waits for the sessions, whose state still holds their
  // tcp_connection (socket, timers); those must go before the io_context they belong to.
  transport::io_loop io_;
  caf::actor_system sys_;
  std::optional<chat::server> server_;
};

} // namespace chat::test
