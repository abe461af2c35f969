// client_config.hpp -- chat-client's options: command line, INI file (--config-file), --help.
#pragma once

#include "apps/cli/app_config.hpp"
#include "transport/tls_context.hpp"

#include <caf/all.hpp>

#include <cstdint>
#include <string>

namespace chat {

struct client_config : app_config {
  std::string host = "127.0.0.1";
  uint16_t port = 7000;
  std::string name;
  std::string token; // a login token; --token-file reads it from a file
  std::string token_file;
  caf::timespan connect_timeout = std::chrono::seconds(5);
  caf::timespan reply_timeout = std::chrono::seconds(5);
  std::string script;     // run this scenario file instead of chatting
  bool reconnect = false; // after a lost connection, connect and log in again
  bool no_color = false;
  std::string log_level = "warn";
  bool udp = false;   // the server's UDP endpoint instead of TCP
  bool tls = false;   // speak TLS; the server's certificate is verified unless `insecure`
  std::string tls_ca; // trusted CA file (PEM); default: the system's store
  bool insecure = false;
  transport::tls_context_ptr tls_context; // made by resolve_tls() when tls is on

  client_config();

  // Reads --token-file into `token`, and takes the name from the token when --name is not given.
  // An error text, or empty.
  std::string resolve_token();

  // Makes tls_context from --tls, --tls-ca and --insecure. An error text, or empty.
  std::string resolve_tls();
};

} // namespace chat
