#include "apps/chat-server/serve.hpp"

#include "apps/chat-server/cluster_tls.hpp"
#include "apps/chat-server/server_config.hpp"
#include "apps/chat-server/token_options.hpp"
#include "apps/cli/app_config.hpp"
#include "apps/cli/logging.hpp"
#include "store/history_store.hpp"
#include "transport/io_loop.hpp"

#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/remote_actor.hpp>

#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace chat {

namespace {

// Blocked in every thread (CAF's and Asio's inherit the mask), taken by sigwait in main only:
// SIGINT and SIGTERM shut down, SIGHUP reloads the TLS certificate.
sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

// Open connections keep the certificate they began with; every later one gets the new one.
void reload_tls(transport::tls_credentials* tls) {
  if (tls == nullptr) {
    spdlog::info("SIGHUP received: no TLS certificate to reload (no --tls-cert)");
    return;
  }
  if (auto problem = tls->reload(); !problem.empty())
    spdlog::error("SIGHUP received: TLS certificate NOT reloaded, the old one stays: {}", problem);
  else
    spdlog::info("SIGHUP received: TLS certificate reloaded from {}: {}{}", tls->cert_file(),
                 tls->describe(), tls->expired() ? " (EXPIRED)" : "");
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (auto& w : words)
    out += (out.empty() ? "" : " ") + w;
  return out;
}

// CAF's middleman is the cluster's transport. Its heartbeat is off by default, so a link that
// goes silent without a FIN or RST (a cable, a partition) would never be noticed; these defaults
// bound node-loss detection at about connection-timeout. The user's own settings win.
void prepare_cluster(server_config& cfg) {
  cfg.load<caf::io::middleman>();
  if (cfg.cluster_tls()) {
    // CAF's OpenSSL module: with a certificate set, both sides of every link present theirs and
    // verify the other's against the CA (docs/CLUSTER.md "TLS between nodes").
    cfg.load<caf::openssl::manager>();
    cfg.openssl_certificate = cfg.cluster_tls_cert;
    cfg.openssl_key = cfg.cluster_tls_key;
    cfg.openssl_cafile = cfg.cluster_tls_ca;
    log_cluster_tls_refusals();
  }
  using namespace std::chrono_literals;
  if (!caf::get_if<caf::timespan>(&cfg, "middleman.heartbeat-interval"))
    cfg.set("middleman.heartbeat-interval", caf::timespan{500ms});
  if (!caf::get_if<caf::timespan>(&cfg, "middleman.connection-timeout"))
    cfg.set("middleman.connection-timeout", caf::timespan{3s});
}

// --cluster-status HOST:PORT: one line per node that node sees, "address members".
int print_cluster_status(server_config& cfg) {
  auto& target = cfg.cluster_status;
  auto colon = target.rfind(':');
  int port = colon == std::string::npos ? 0 : std::atoi(target.c_str() + colon + 1);
  if (port <= 0 || port > 65535) {
    std::cerr << "chat-server: --cluster-status '" << target << "' is not HOST:PORT\n";
    return 2;
  }
  caf::actor_system sys{cfg};
  auto host = target.substr(0, colon);
  auto node = cfg.cluster_tls()
                  ? caf::openssl::remote_actor<node_actor>(sys, host, static_cast<uint16_t>(port))
                  : sys.middleman().remote_actor<node_actor>(host, static_cast<uint16_t>(port));
  if (!node) {
    std::cerr << "chat-server: cannot reach the cluster node at " << target << ": "
              << sys.render(node.error()) << '\n';
    return 1;
  }
  caf::scoped_actor self{sys};
  int rc = 1;
  self->request(*node, std::chrono::seconds(5), status_atom_v)
      .receive(
          [&](const std::string& lines) {
            std::cout << lines << std::flush;
            rc = 0;
          },
          [&](caf::error& err) {
            std::cerr << "chat-server: no status from " << target << ": " << sys.render(err)
                      << '\n';
          });
  return rc;
}

void log_history(const store::history_store& history, const server_config& cfg) {
  if (!history.durable()) {
    spdlog::warn("history: in memory only (--data-dir=:memory:); it is lost at exit");
    return;
  }
  spdlog::info("history: {}/history.mdb, {} messages stored, up to {} messages and {}s per channel",
               history.data_dir(), history.stored(), cfg.history_max_messages,
               std::chrono::duration_cast<std::chrono::seconds>(cfg.history_max_age).count());
  if (history.epochs_changed_at_open() > 0)
    spdlog::warn("history: the last run did not stop cleanly; {} channels start a new epoch "
                 "(recovering clients are told their history was lost)",
                 history.epochs_changed_at_open());
}

} // namespace

int serve_main(const char* program, int argc, char** argv, const node_wiring& wiring) {
  server_config cfg;
  if (auto err = cfg.parse_command_line(argc, argv)) {
    std::cerr << program << ": " << cfg.render(err) << " (see --help)\n";
    return 2;
  }
  if (cfg.cli_helptext_printed) return 0;
  if (auto problem = cfg.validate(); !problem.empty()) {
    std::cerr << program << ": " << problem << '\n';
    return 2;
  }
  if (!cfg.issue_token.empty()) return print_issued_token(program, cfg, std::cout, std::cerr);
  if (!configure_logging(cfg.log_level, program)) {
    std::cerr << program << ": unknown --log-level '" << cfg.log_level << "' (see --help)\n";
    return 2;
  }
  auto tokens = make_token_verifier(cfg);
  if (auto* problem = std::get_if<std::string>(&tokens)) {
    std::cerr << program << ": " << *problem << '\n';
    return 2;
  }
  std::shared_ptr<transport::tls_credentials> tls;
  if (!cfg.tls_cert.empty()) {
    auto loaded = transport::tls_credentials::load(cfg.tls_cert, cfg.tls_key);
    if (auto* problem = std::get_if<std::string>(&loaded)) {
      std::cerr << program << ": " << *problem << '\n';
      return 2;
    }
    tls = std::get<std::shared_ptr<transport::tls_credentials>>(std::move(loaded));
  }
  if (cfg.uses_cluster()) prepare_cluster(cfg);
  if (!cfg.cluster_status.empty()) return print_cluster_status(cfg);
  std::signal(SIGPIPE, SIG_IGN); // a write to a vanished peer is an error code, not a death
  auto signals = handled_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // The I/O loop outlives the actor system: a session's state may hold the last reference to its
  // connection, whose socket and strand need the io_context while they are destroyed; and
  // ~actor_system waits until every actor is gone.
  // Before the actor system, so it is closed (and marked clean) only after the last channel,
  // which holds its stream, is gone.
  auto opened = store::history_store::open(cfg.data_dir, cfg.retention());
  if (auto* problem = std::get_if<std::string>(&opened)) {
    std::cerr << program << ": " << *problem << '\n';
    return 1;
  }
  auto history = std::get<store::history_store_ptr>(std::move(opened));
  log_history(*history, cfg);
  auto options = cfg.node_options();
  options.channels.history = history;
  options.session.tokens = std::get<token_verifier_ptr>(std::move(tokens));
  options.tls = tls;

  transport::io_loop io{cfg.io_threads};
  options.io_loops = io.contexts();
  caf::actor_system sys{cfg};
  std::optional<server> node;
  try {
    node.emplace(sys, io.context(), options);
  } catch (const cluster_error& e) {
    std::cerr << program << ": " << e.what() << '\n';
    return 1;
  } catch (const std::exception& e) {
    std::cerr << program << ": cannot listen on " << cfg.host << ':' << cfg.port
              << (cfg.udp_port >= 0 ? " (or UDP " + std::to_string(cfg.udp_port) + ")" : "") << ": "
              << e.what() << '\n';
    if (std::string_view{CHAT_BACKEND_NAME} == "io_uring")
      std::cerr << program
                << ": if io_uring is blocked here (seccomp, containers), rebuild with "
                   "-DCHAT_BACKEND=epoll\n";
    return 1;
  }
  if (wiring) wiring(sys, *node);
  node->start();
  std::cout << program << " listening on " << node->endpoint() << " (" << (tls ? "TLS, " : "")
            << CHAT_BACKEND_NAME << ", " << cfg.io_threads << " I/O thread"
            << (cfg.io_threads == 1 ? "" : "s") << ")" << std::endl;
  if (tls) spdlog::info("TLS on the client ports: {}", tls->describe());
  if (tls && tls->expired())
    spdlog::warn("TLS certificate {} has EXPIRED: clients that verify it will refuse to connect",
                 tls->cert_file());
  spdlog::info(
      "listening on {} backend={} io_threads={} max_frame={} max_outbound_bytes={} auth={}",
      cfg.host + ":" + std::to_string(node->port()), CHAT_BACKEND_NAME, cfg.io_threads,
      cfg.max_frame, cfg.max_outbound_bytes,
      options.session.tokens ? std::string{"token ("} +
                                   std::string{auth::jose_name(options.session.tokens->alg())} + ")"
                             : std::string{"none"});
  if (auto http = node->http_endpoint()) {
    std::cout << program << " http listening on " << *http << " (web page "
              << (tls ? "https://" : "http://") << *http << "/, WebSocket "
              << (tls ? "wss://" : "ws://") << *http << "/ws)" << std::endl;
    spdlog::info("http listening on {}:{}", cfg.host, http->port());
  }
  if (auto udp = node->udp_endpoint()) {
    std::cout << program << " udp listening on " << *udp << " (datagrams of at most "
              << cfg.udp_max_datagram << " bytes)" << std::endl;
    spdlog::info("udp listening on {}:{} max_datagram={}", cfg.host, udp->port(),
                 cfg.udp_max_datagram);
    if (tls)
      spdlog::warn("udp: datagrams are NOT encrypted (no DTLS): --tls-cert covers the TCP and "
                   "HTTP ports only");
  }
  if (cfg.cluster_port != 0) {
    auto cluster_host = cfg.node_options().cluster_host;
    spdlog::info("cluster: this node is {}:{} ({}); seeds: {}", cluster_host, cfg.cluster_port,
                 cfg.cluster_tls() ? "TLS, cluster CA " + cfg.cluster_tls_ca : "plain",
                 cfg.peers.empty() ? "none (first node)" : join(cfg.peers));
    if (!cfg.cluster_tls() && !is_loopback_host(cluster_host)) {
      std::string warning = "cluster links on " + cluster_host +
                            " are UNAUTHENTICATED and in CLEAR: anyone who reaches port " +
                            std::to_string(cfg.cluster_port) +
                            " joins as a node; use --cluster-tls-cert/-key/-ca (docs/CLUSTER.md)";
      spdlog::warn("cluster: {}", warning);
      std::cout << program << ": WARNING: " << warning << std::endl;
    }
  }

  int signal_number = 0;
  for (sigwait(&signals, &signal_number); signal_number == SIGHUP;
       sigwait(&signals, &signal_number))
    reload_tls(tls.get());
  spdlog::info("{} received: shutting down ({} connections open)", strsignal(signal_number),
               node->open_connections());
  node->stop();
  auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(cfg.shutdown_timeout);
  if (!node->wait_closed(timeout)) spdlog::warn("shutdown timeout: cut the connections still open");
  node.reset();
  io.drain_and_join();
  spdlog::info("stopped");
  return 0;
}

} // namespace chat
