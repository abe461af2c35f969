// client_side.hpp -- the client half of a client test: its own I/O thread and actor system,
// torn down in the order the apps use (chat-client's main): the I/O loop is drained first, then
// the actor system goes, then the loop. Declared before the clients, so a failed ASSERT that
// leaves the test early tears down the same way a passing test does, instead of hanging in
// ~actor_system while the I/O thread still runs.
#pragma once

#include "transport/io_loop.hpp"

#include <caf/all.hpp>

namespace chat::test {

struct client_side {
  transport::io_loop io{1};
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};

  // The clients (declared after this) are gone by now; their connections are closed or closing.
  ~client_side() { io.drain_and_join(); }
  boost::asio::io_context& context() { return io.context(); }
};

} // namespace chat::test
