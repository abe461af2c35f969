// server_config.hpp -- chat-server's options: command line, INI file (--config-file), --help.
// Used by chat-server's main() and by tests that check option parsing.
#pragma once

#include "apps/cli/app_config.hpp"
#include "transport/tcp_connection.hpp"

#include <caf/all.hpp>

#include <cstdint>
#include <string>

namespace chat {

struct server_config : app_config {
  std::string host = "127.0.0.1";
  uint16_t port = 7000;
  std::size_t io_threads = 1;
  std::size_t max_frame = default_max_frame;
  std::size_t max_outbound_bytes = 1 << 20;
  caf::timespan shutdown_timeout = std::chrono::seconds(5);
  std::string log_level = "info";

  server_config();

  // What the transport needs of the options above.
  transport::connection_limits limits() const;

  // An error text for values that parse but make no sense (port 0 is allowed: "any free port").
  std::string validate() const;
};

} // namespace chat
