// bench_config.hpp -- chat-bench's options: command line, INI file (--config-file), --help.
// Read once by chat-bench's main(); the run sees only the validated values.
#pragma once

#include "apps/cli/app_config.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <caf/all.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace chat::bench {

// How frames look on the wire: ours (PROTOCOL.md), or the Boost.Asio C++11 chat example's.
enum class framing_kind : uint8_t { chat, asio_example };

struct bench_config : app_config {
  static constexpr const char* default_host = "127.0.0.1";
  static constexpr uint16_t default_port = 7000;

  std::string host = default_host;
  uint16_t port = default_port;
  std::vector<std::string> servers; // --server HOST:PORT, repeatable; empty: --host and --port
  std::size_t clients = 100;
  std::size_t senders = 1;
  double rate = 0;
  std::size_t window = 16;
  uint64_t max_broadcasts = 0;
  caf::timespan duration = std::chrono::seconds(10);
  caf::timespan warmup = std::chrono::seconds(1);
  std::size_t payload = 64;
  bool connect_only = false;
  std::size_t source_addresses = 1;
  std::size_t connect_rate = 2000;
  std::size_t io_threads = 1;
  std::string name_prefix = "b";
  std::vector<int64_t> server_pids; // --server-pid, repeatable: one per server, in its order
  std::string framing = "chat";
  std::string transport = "tcp"; // or "ws": the same frames as JSON over a WebSocket
  bool tls = false;              // --transport=tcp over TLS (bench_tls.hpp)
  std::string tls_ca;            // with --tls: verify the server against these CAs; else nothing
  std::size_t channels = 0;      // protocol version 2 with K channels; 0: version 1, all in lobby
  bool direct = false;           // protocol version 2, DMs instead of channel messages
  std::size_t dm_peers = 0;
  std::size_t large_message = 0; // --channels, version 3: client 0 sends one MSG this long in parts
  caf::timespan large_every = std::chrono::seconds(1); // ... every this long while measuring

  // --transport=udp: the largest datagram sent, and each client socket's SO_RCVBUF.
  std::size_t udp_max_datagram = 1200;
  std::size_t udp_rcvbuf = std::size_t{4} << 20;

  bench_config();

  // An error text for values that parse but make no sense together; empty when all is well.
  std::string validate() const;
  std::string validate_v2() const;    // the options of protocol version 2 (part of validate)
  std::string validate_large() const; // --large-message and --large-every (part of validate)

  // The servers in --server order (client i uses the one at i % size); after validate().
  std::vector<boost::asio::ip::tcp::endpoint> server_endpoints() const;
  std::size_t server_count() const { return servers.empty() ? 1 : servers.size(); }

  // --transport=udp and its options (part of validate; in bench_udp.cpp).
  std::string validate_udp() const;

  bool v2() const { return channels > 0 || direct; }
  bool large() const { return large_message > 0; }

  bool websocket() const { return transport == "ws"; }
  bool udp() const { return transport == "udp"; }

  framing_kind framing_type() const {
    return framing == "asio-example" ? framing_kind::asio_example : framing_kind::chat;
  }
};

} // namespace chat::bench
