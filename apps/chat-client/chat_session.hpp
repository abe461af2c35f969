// chat_session.hpp -- one person chatting: connect, log in, then the loop between the console
// (typed lines and commands) and the client library (frames from the server).
// Called by chat-client's main() when no --script is given.
#pragma once

#include "apps/chat-client/client_config.hpp"
#include "transport/io_loop.hpp"

#include <caf/all.hpp>

namespace chat {

// Returns the process exit code (see main.cpp).
int run_chat(const client_config& cfg, caf::actor_system& sys, transport::io_loop& io);

} // namespace chat
