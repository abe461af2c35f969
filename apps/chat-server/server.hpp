// server.hpp -- one chat node wired together: a listener whose connections each get a session
// actor, the roster they log in with and the directory of the channels they join. Used by
// chat-server's main(), by tests and by examples.
#pragma once

#include "actors/directory.hpp"
#include "actors/session.hpp"
#include "messages/interfaces.hpp"
#include "transport/http_listener.hpp"
#include "transport/listener.hpp"
#include "transport/udp_endpoint.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace chat {

struct server_options {
  std::string host = "127.0.0.1";
  uint16_t port = 0; // 0: the OS picks a free port (tests)
  transport::connection_limits limits;
  std::size_t max_connections = 10000;
  std::chrono::milliseconds idle_interval{30000}; // silence before the server sends PING
  std::chrono::milliseconds idle_timeout{90000};  // silence before ERROR "idle timeout" + close
  session_limits session;
  directory_options channels;
  // Clustering (docs/CLUSTER.md): off while cluster_port is 0. Needs caf::io::middleman loaded
  // in the actor system's config.
  std::string cluster_host = "127.0.0.1"; // where other nodes dial this one
  uint16_t cluster_port = 0;
  std::vector<std::string> peers; // HOST:PORT of nodes to join through (seeds)
  // Cluster links over TLS: publish and dial through CAF's OpenSSL manager, which must be loaded
  // and configured (certificate, key, CA) in the actor system's config.
  bool cluster_tls = false;
  // The HTTP side (the web page, /healthz, the WebSocket gateway at /ws) on `host`: off without
  // a port; 0 lets the OS pick one (tests).
  std::optional<uint16_t> http_port;
  transport::http_limits http;
  // The UDP endpoint (docs/PROTOCOL.md "Datagrams (UDP)") on `host`: off without a port; 0 lets
  // the OS pick one (tests). Its sessions count against max_connections with everyone else's.
  std::optional<uint16_t> udp_port;
  std::size_t udp_max_datagram = transport::udp::default_max_datagram;
  transport::udp::cookie_timing udp_cookies; // tests shorten it to see cookies expire
  // TLS on the client ports (the TCP protocol port and the HTTP/WebSocket port): null is plain
  // text. Reloaded in place on SIGHUP by chat-server; new connections get the new certificate.
  std::shared_ptr<transport::tls_credentials> tls;
  // The I/O threads' loops TCP connections are spread over (io_loop::contexts(), --io-threads);
  // empty: all on the io_context the server was given.
  std::vector<boost::asio::io_context*> io_loops;
};

// Thrown by server's constructor when the cluster port cannot be published.
struct cluster_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class server {
public:
  // Spawns the roster and the directory and binds the listening socket. Throws on bind errors
  // (address in use, bad host) and, with the io_uring backend, when the kernel refuses to create a
  // ring. Clients that connect now wait in the kernel's backlog until start().
  server(caf::actor_system& sys, boost::asio::io_context& ioc, const server_options& options);
  ~server(); // stop(); the roster and the channels go with the server

  server(const server&) = delete;
  server& operator=(const server&) = delete;

  transport::tcp::endpoint endpoint() const { return listener_->local_endpoint(); }
  uint16_t port() const { return endpoint().port(); }
  // The HTTP listener's endpoint, when it is on.
  std::optional<transport::tcp::endpoint> http_endpoint() const;
  // The UDP endpoint's address, and the endpoint itself (its counters), when it is on.
  std::optional<boost::asio::ip::udp::endpoint> udp_endpoint() const;
  std::shared_ptr<const transport::udp_endpoint> udp() const { return udp_; }
  roster_actor roster() const { return roster_; }
  directory_actor directory() const { return directory_; }
  // The node actor when clustered, else nullopt.
  const std::optional<node_actor>& node() const { return node_; }
  // TCP, HTTP/WebSocket connections and UDP sessions open now.
  std::size_t open_connections() const;

  // Frames of `type` (64..127) from logged-in clients go to `handler` (docs/ARCHITECTURE.md
  // "Extending"). Call before start(); a second handler for a type replaces the first.
  // Throws std::invalid_argument for a type outside 64..127 or after start().
  void handle_extension(uint8_t type, extension_handler handler);

  // Starts accepting. Call after whatever must be in place before any client (bots).
  void start();

  // Stops accepting; every client gets ERROR "server shutting down" after what is already queued
  // for it, and is then closed.
  void stop();

  // Waits until every connection is closed; on timeout cuts the rest. True if none had to be cut.
  bool wait_closed(std::chrono::milliseconds timeout);

private:
  caf::actor_system& sys_;
  roster_actor roster_;
  directory_actor directory_;
  inbox_actor inbox_; // none without a history store
  std::optional<node_actor> node_;
  std::shared_ptr<transport::listener> listener_;
  std::shared_ptr<transport::http_listener> http_;       // none: the HTTP side is off
  std::shared_ptr<transport::udp_endpoint> udp_;         // none: the UDP endpoint is off
  std::shared_ptr<const session_limits> session_limits_; // every session's, one copy for all
  std::shared_ptr<extension_table> extensions_;          // filled before start(), then read-only
  bool started_ = false;
};

} // namespace chat
