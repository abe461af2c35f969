// serve.hpp -- chat-server's whole life as a function: options, logging, bind, your extra
// actors, accept, wait for SIGINT/SIGTERM, shut down in the safe order. Called by chat-server's
// main() and by programs that extend the server (examples/).
#pragma once

#include "apps/chat-server/server.hpp"

#include <caf/all.hpp>

#include <functional>

namespace chat {

// Runs after the node is bound and before it accepts anyone: spawn bots or observers here, so
// no client can come first. Actors that must end with the server should monitor its roster (it
// exits at shutdown) or be stopped by the caller.
using node_wiring = std::function<void(caf::actor_system&, server&)>;

// Returns the process exit code: 0 after a clean shutdown, 1 if the node could not start,
// 2 for bad options. `program` names the binary in messages.
int serve_main(const char* program, int argc, char** argv, const node_wiring& wiring = {});

} // namespace chat
