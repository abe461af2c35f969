// client_session.hpp -- the client side of one connection: commands in, server frames out.
// Spawned by chat-client, the scenario tests and chat-bench; reports to a client_observer.
#pragma once

#include "messages/interfaces.hpp"
#include "transport/connection.hpp"

#include <string>

namespace chat {

struct client_session_state {
  transport::connection_ptr conn;
  client_observer observer;
  std::string violation; // set when the server broke framing; becomes the close reason
  static inline const char* name = "client_session";
};

using client_session_ptr = client_session_actor::stateful_pointer<client_session_state>;

// Answers the server's PING by itself and forwards every frame, PING included, to `observer`.
// Ends (closing the connection) when the connection ends or when the observer goes away.
client_session_actor::behavior_type
client_session(client_session_ptr self, transport::connection_ptr conn, client_observer observer);

} // namespace chat
