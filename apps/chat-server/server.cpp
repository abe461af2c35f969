#include "apps/chat-server/server.hpp"

#include "actors/directory.hpp"
#include "actors/inbox.hpp"
#include "actors/node.hpp"
#include "actors/roster.hpp"
#include "actors/session.hpp"
#include "apps/chat-server/health_page.hpp"
#include "apps/chat-server/metrics_page.hpp"
#include "apps/chat-server/web_page.hpp"
#include "messages/frame_encoder.hpp"

#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/publish.hpp>

#include <algorithm>
#include <stdexcept>
#include <thread>

namespace chat {

namespace {

// The listener enforces admission and idleness; the words it says are the protocol's.
transport::listener_policy policy_for(const server_options& options) {
  transport::listener_policy policy;
  policy.slots = std::make_shared<transport::connection_slots>(options.max_connections);
  policy.refusal = encode(frame_type::error, "server full");
  policy.idle_interval = options.idle_interval;
  policy.idle_timeout = options.idle_timeout;
  policy.idle_probe = encode(frame_type::ping, "");
  policy.idle_farewell = encode(frame_type::error, "idle timeout");
  policy.slow_consumer_notice = encode(frame_type::error, "slow consumer");
  policy.tls = options.tls;
  policy.connection_loops = options.io_loops;
  policy.plain_text_refusal =
      encode(frame_type::error, "this port speaks TLS: connect with TLS (chat-client --tls)");
  return policy;
}

// Spawns this process's node, publishes it on the cluster port and gives it to the roster and
// the directory. Throws when the port cannot be bound, so the error surfaces at start-up.
node_actor join_cluster(caf::actor_system& sys, roster_actor roster, directory_actor directory,
                        const server_options& options) {
  node_options config;
  config.address = options.cluster_host + ':' + std::to_string(options.cluster_port);
  config.seeds = options.peers;
  config.history = options.channels.history; // the channels this node owns keep theirs here
  // Plain or TLS is chosen here, once: how the node is published and how it dials.
  if (options.cluster_tls) config.dialer = sys.openssl_manager().actor_handle();
  auto node = sys.spawn(chat::node, roster, directory, std::move(config));
  auto port = options.cluster_port;
  auto host = options.cluster_host.c_str();
  auto published = options.cluster_tls ? caf::openssl::publish(node, port, host, true)
                                       : sys.middleman().publish(node, port, host, true);
  if (!published) {
    caf::anon_send_exit(node, caf::exit_reason::user_shutdown);
    throw cluster_error("cannot publish the cluster node on " + options.cluster_host + ':' +
                        std::to_string(options.cluster_port) + ": " +
                        sys.render(published.error()));
  }
  // Before start(): no LOGIN or JOIN comes earlier.
  caf::anon_send(roster, cluster_atom_v, node);
  caf::anon_send(directory, cluster_atom_v, node);
  return node;
}

} // namespace

server::server(caf::actor_system& sys, boost::asio::io_context& ioc, const server_options& options)
    : sys_(sys), roster_(sys.spawn(chat::roster)),
      directory_(sys.spawn(chat::directory, options.channels)) {
  try {
    if (options.cluster_port != 0) node_ = join_cluster(sys, roster_, directory_, options);
    transport::tcp::endpoint where{boost::asio::ip::make_address(options.host), options.port};
    extensions_ = std::make_shared<extension_table>();
    auto limits = options.session;
    limits.extensions = extensions_;
    // DMs to users who are away wait in the store; not in a cluster yet (docs/CLUSTER.md).
    if (options.channels.history && options.cluster_port == 0) {
      inbox_ = sys.spawn(chat::inbox, options.channels.history);
      limits.inbox = inbox_;
    }
    session_limits_ = std::make_shared<const session_limits>(std::move(limits));
    // Runs on an I/O thread, only after start(): session_limits_ no longer changes then.
    auto on_accept = [this](const std::shared_ptr<transport::tcp_connection>& conn) {
      return connection_owner{sys_.spawn(session, roster_, directory_, conn, session_limits_)};
    };
    // One policy for both listeners: their connections count against one --max-connections.
    auto policy = policy_for(options);
    listener_ =
        std::make_shared<transport::listener>(ioc, where, options.limits, policy, on_accept);
    if (options.udp_port) {
      // A UDP peer's session is the same actor: it cannot tell a datagram's frames from TCP's.
      auto on_datagram_peer = [this](const std::shared_ptr<transport::udp_connection>& conn) {
        return connection_owner{sys_.spawn(session, roster_, directory_, conn, session_limits_)};
      };
      transport::udp_options udp;
      udp.max_datagram = options.udp_max_datagram;
      udp.cookies = options.udp_cookies;
      // What a session over UDP may send: up to --max-message (--max-frame if larger), in parts.
      udp.max_message = std::max(options.session.parts.max_message, options.session.max_frame);
      udp.malformed_notice = encode(frame_type::error, "malformed datagram");
      udp_ = std::make_shared<transport::udp_endpoint>(
          ioc, boost::asio::ip::udp::endpoint{where.address(), *options.udp_port}, options.limits,
          policy, std::move(udp), on_datagram_peer);
    }
    if (options.http_port) {
      // A WebSocket client is a session like any other: the same actor, the same limits.
      auto on_websocket = [this](const std::shared_ptr<transport::ws_connection>& conn) {
        return connection_owner{sys_.spawn(session, roster_, directory_, conn, session_limits_)};
      };
      auto sources = std::make_shared<metrics_sources>();
      health_sources health{options.cluster_port != 0, !options.peers.empty()};
      auto pages = [sources, health](std::string_view path) -> std::optional<transport::http_page> {
        if (path == "/healthz") return health_page(health);
        if (path == "/metrics")
          return transport::http_page{200, "text/plain; version=0.0.4; charset=utf-8",
                                      render_metrics(*sources)};
        return web_page(path);
      };
      http_ = std::make_shared<transport::http_listener>(
          ioc, transport::tcp::endpoint{where.address(), *options.http_port}, options.http,
          options.limits, policy, listener_->pressure(), pages, on_websocket);
      sources->tcp = listener_;
      sources->http = http_;
      sources->udp = udp_;
      sources->history = options.channels.history;
      sources->clustered = options.cluster_port != 0;
    }
  } catch (...) {
    caf::anon_send_exit(roster_, caf::exit_reason::user_shutdown); // or ~actor_system waits
    caf::anon_send_exit(directory_, caf::exit_reason::user_shutdown);
    if (inbox_) caf::anon_send_exit(inbox_, caf::exit_reason::user_shutdown);
    if (node_) caf::anon_send_exit(*node_, caf::exit_reason::user_shutdown);
    throw;
  }
}

void server::handle_extension(uint8_t type, extension_handler handler) {
  if (type < 64 || type > 127)
    throw std::invalid_argument("extension frame types are 64..127, not " + std::to_string(type));
  if (started_) throw std::invalid_argument("handle_extension after start()");
  (*extensions_)[type] = std::move(handler);
}

void server::start() {
  started_ = true;
  listener_->start();
  if (http_) http_->start();
  if (udp_) udp_->start();
}

std::optional<transport::tcp::endpoint> server::http_endpoint() const {
  if (!http_) return std::nullopt;
  return http_->local_endpoint();
}

std::optional<boost::asio::ip::udp::endpoint> server::udp_endpoint() const {
  if (!udp_) return std::nullopt;
  return udp_->local_endpoint();
}

std::size_t server::open_connections() const {
  return listener_->open_connections() + (http_ ? http_->open_connections() : 0) +
         (udp_ ? udp_->open_connections() : 0);
}

server::~server() {
  stop();
  caf::anon_send_exit(roster_, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(directory_, caf::exit_reason::user_shutdown);
  if (inbox_) caf::anon_send_exit(inbox_, caf::exit_reason::user_shutdown);
  if (node_) caf::anon_send_exit(*node_, caf::exit_reason::user_shutdown);
}

void server::stop() {
  listener_->stop(encode(frame_type::error, "server shutting down"));
  if (http_) http_->stop(encode(frame_type::error, "server shutting down"));
  if (udp_) udp_->stop(encode(frame_type::error, "server shutting down")); // then CLOSE each
}

bool server::wait_closed(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (open_connections() > 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      listener_->abort_all("shutdown timeout");
      if (http_) http_->abort_all("shutdown timeout");
      if (udp_) udp_->abort_all("shutdown timeout");
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

} // namespace chat
