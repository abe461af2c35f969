// server_config.hpp -- chat-server's options: command line, INI file (--config-file), --help.
// Used by chat-server's main() and by tests that check option parsing.
#pragma once

#include "apps/chat-server/server.hpp"
#include "apps/cli/app_config.hpp"
#include "messages/multipart.hpp"
#include "store/stream_log.hpp"

#include <caf/all.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace chat {

// $XDG_STATE_HOME/cafchat, else $HOME/.local/state/cafchat, else ./cafchat-data.
std::string default_data_dir();

struct server_config : app_config {
  std::size_t effective_max_message() const;
  // With --udp-port: the bytes of a message one PART in one datagram carries.
  std::optional<std::size_t> udp_part_piece() const;

  std::string host = "127.0.0.1";
  uint16_t port = 7000;
  std::size_t io_threads = 1;
  std::size_t max_frame = default_max_frame;
  // --max-message; 0 (not given): 1 MiB, or less where --max-frame (in 1024 parts) or
  // --max-outbound-bytes leave no room for that much. effective_max_message() says which.
  std::size_t max_message = 0;
  caf::timespan multipart_timeout = std::chrono::seconds(30);
  // Bytes of unfinished multi-part messages the server holds across all its connections.
  std::size_t max_multipart_held = 256u << 20;
  // Room for one message of --max-message in parts, beside the chat around it.
  std::size_t max_outbound_bytes = 2 << 20;
  caf::timespan shutdown_timeout = std::chrono::seconds(5);
  std::size_t max_connections = 10000;
  caf::timespan idle_interval = std::chrono::seconds(30);
  caf::timespan idle_timeout = std::chrono::seconds(90);
  double max_broadcast_rate = 10;
  double broadcast_burst = 20;
  caf::timespan flood_timeout = std::chrono::seconds(30);
  uint32_t max_channels = 10000;
  uint32_t max_channels_per_user = 100;
  uint32_t max_channel_members = 0;
  uint16_t page_size = 100;
  std::string data_dir; // set to default_data_dir() by the constructor
  uint32_t history_max_messages = 10000;
  caf::timespan history_max_age = std::chrono::hours(24);
  std::string log_level = "info";
  std::string cluster_host; // empty: the same as host
  uint16_t cluster_port = 0;
  int32_t http_port = -1; // -1: off
  int32_t udp_port = -1;  // -1: off
  std::size_t udp_max_datagram = 1200;
  std::vector<std::string> peers;
  std::string cluster_status; // HOST:PORT: print that node's view of the cluster and exit
  // TLS between nodes (docs/CLUSTER.md "TLS"): all three or none. This node's certificate
  // (PEM, may hold the chain), its private key, and the cluster CA that signs every node's.
  std::string cluster_tls_cert;
  std::string cluster_tls_key;
  std::string cluster_tls_ca;
  // TLS on the client ports (docs/ARCHITECTURE.md "TLS"): both or neither.
  std::string tls_cert;
  std::string tls_key;
  caf::timespan tls_handshake_timeout = std::chrono::seconds(10);
  // Token authentication (docs/PROTOCOL.md "Token authentication"; token_options.hpp).
  std::string auth = "none";        // none or token
  std::string auth_secret_file;     // HS256
  std::string auth_public_key_file; // RS256 or EdDSA, by the key's type
  caf::timespan auth_leeway{0};     // clock difference allowed for exp and nbf
  // --issue-token NAME: print a token for NAME and exit, signed with the secret file or
  // auth_private_key_file, valid for ttl, for the channels listed (comma-separated; empty: all).
  std::string issue_token;
  std::string auth_private_key_file;
  caf::timespan ttl = std::chrono::hours(1);
  std::string channels;

  server_config();

  // The node's options, as chat::server takes them (all but the history store, which
  // serve_main opens from data_dir and retention()).
  server_options node_options() const;
  store::retention retention() const;

  // An error text for values that parse but make no sense (port 0 is allowed: "any free port").
  std::string validate() const;
  std::string validate_issue() const; // the --issue-token options, when it is given

  // --channels as a list (empty: no channels claim).
  std::vector<std::string> channel_list() const;

  // Whether this process needs CAF's middleman: load it before building the actor system.
  bool uses_cluster() const { return cluster_port != 0 || !cluster_status.empty(); }
  // Whether cluster links use TLS (the --cluster-tls-* options are given).
  bool cluster_tls() const { return !cluster_tls_cert.empty(); }
};

} // namespace chat
