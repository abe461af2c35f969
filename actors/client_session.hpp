// client_session.hpp -- the client side of one connection: commands in, server frames out.
// Spawned by chat::client's supervisor, the scenario runner, tests and chat-bench; reports every
// frame to a client_observer.
#pragma once

#include "actors/client_parts.hpp"
#include "messages/interfaces.hpp"
#include "transport/connection.hpp"

#include <cstdint>
#include <string>

namespace chat {

struct client_session_config {
  // 1: the session says nothing on its own (version-1 behaviour, raw protocol tests); 2 or 3:
  // it says HELLO with that version first, before any command it is given can go out. With 3,
  // a server that answers version 3 gets frames larger than its --max-frame in parts, and its
  // parts are put back together before the observer sees them.
  uint16_t version = 1;
};

struct client_session_state {
  transport::connection_ptr conn;
  client_observer observer;
  std::string violation; // set when the server broke framing; becomes the close reason
  client_parts parts;
  bool sending_parts = false; // a retry is on its way to send the next queued part
  static inline const char* name = "client_session";
};

using client_session_ptr = client_session_actor::stateful_pointer<client_session_state>;

// Answers the server's PING by itself and forwards every frame, PING included, to `observer`.
// Ends (closing the connection) when the connection ends or when the observer goes away.
client_session_actor::behavior_type configured_client_session(client_session_ptr self,
                                                              transport::connection_ptr conn,
                                                              client_observer observer,
                                                              client_session_config config);

// The same with the default config: version 1, as the scenario runner and raw tests need.
client_session_actor::behavior_type
client_session(client_session_ptr self, transport::connection_ptr conn, client_observer observer);

} // namespace chat
