#include "apps/chat-server/serve.hpp"

#include "apps/chat-server/server_config.hpp"
#include "apps/cli/app_config.hpp"
#include "apps/cli/logging.hpp"
#include "transport/io_loop.hpp"

#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>
#include <optional>

namespace chat {

namespace {

// Blocked in every thread (CAF's and Asio's inherit the mask), taken by sigwait in main only.
sigset_t shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
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
  if (!configure_logging(cfg.log_level, program)) {
    std::cerr << program << ": unknown --log-level '" << cfg.log_level << "' (see --help)\n";
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN); // a write to a vanished peer is an error code, not a death
  auto signals = shutdown_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // The I/O loop outlives the actor system: a session's state may hold the last reference to its
  // connection, whose socket and strand need the io_context while they are destroyed; and
  // ~actor_system waits until every actor is gone.
  transport::io_loop io{cfg.io_threads};
  caf::actor_system sys{cfg};
  std::optional<server> node;
  try {
    node.emplace(sys, io.context(), cfg.node_options());
  } catch (const std::exception& e) {
    std::cerr << program << ": cannot listen on " << cfg.host << ':' << cfg.port << ": " << e.what()
              << '\n';
    if (std::string_view{CHAT_BACKEND_NAME} == "io_uring")
      std::cerr << program
                << ": if io_uring is blocked here (seccomp, containers), rebuild with "
                   "-DCHAT_BACKEND=epoll\n";
    return 1;
  }
  if (wiring) wiring(sys, *node);
  node->start();
  std::cout << program << " listening on " << node->endpoint() << " (" << CHAT_BACKEND_NAME << ", "
            << cfg.io_threads << " I/O thread" << (cfg.io_threads == 1 ? "" : "s") << ")"
            << std::endl;
  spdlog::info("listening on {} backend={} io_threads={} max_frame={} max_outbound_bytes={}",
               cfg.host + ":" + std::to_string(node->port()), CHAT_BACKEND_NAME, cfg.io_threads,
               cfg.max_frame, cfg.max_outbound_bytes);

  int signal_number = 0;
  sigwait(&signals, &signal_number);
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
