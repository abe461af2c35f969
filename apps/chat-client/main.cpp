// main.cpp -- chat-client: a terminal chat client over the client library, or a scenario runner.
//
//   chat-client --name ann            chat: typed lines go to the current channel (#lobby at
//                                     first); /join, /part, /msg, /who, /list; /help lists all
//   chat-client --script FILE         run a scenario file and report the first unmet step
//
// Exit codes: 0 done; 1 cannot connect, no answer to LOGIN, the server closed the connection,
// or (with --script) an unmet expectation; 2 bad options or a bad script; 3 login refused.
#include "apps/chat-client/chat_session.hpp"
#include "apps/chat-client/client_config.hpp"
#include "apps/cli/logging.hpp"
#include "apps/scenario/scenario_runner.hpp"
#include "transport/io_loop.hpp"

#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>

namespace {

int run_script(const chat::client_config& cfg, caf::actor_system& sys,
               chat::transport::io_loop& io) {
  std::ifstream in{cfg.script};
  if (!in) {
    std::cerr << "chat-client: cannot read " << cfg.script << '\n';
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  chat::scenario script;
  std::string error;
  if (!chat::parse_scenario(text.str(), script, error)) {
    std::cerr << "chat-client: " << cfg.script << ": " << error << '\n';
    return 2;
  }
  std::string failure;
  {
    auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(cfg.reply_timeout);
    chat::scenario_runner runner{sys, io.context(), cfg.host, cfg.port, timeout, cfg.tls_context};
    failure = runner.run(script);
  }
  if (!failure.empty()) {
    std::cerr << "chat-client: " << cfg.script << ": " << failure << '\n';
    return 1;
  }
  std::cout << cfg.script << ": all " << script.steps.size() << " steps held" << std::endl;
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  chat::client_config cfg;
  if (auto err = cfg.parse_command_line(argc, argv)) {
    std::cerr << "chat-client: " << cfg.render(err) << " (see --help)\n";
    return 2;
  }
  if (cfg.cli_helptext_printed) return 0;
  if (auto problem = cfg.resolve_token(); !problem.empty()) {
    std::cerr << "chat-client: " << problem << '\n';
    return 2;
  }
  if (auto problem = cfg.resolve_tls(); !problem.empty()) {
    std::cerr << "chat-client: " << problem << '\n';
    return 2;
  }
  if (cfg.insecure)
    std::cerr << "chat-client: WARNING: --insecure: the server is not verified; anyone in the "
                 "middle can read and change this chat\n";
  if (cfg.name.empty() && cfg.script.empty()) {
    std::cerr << "chat-client: --name is required (see --help)\n";
    return 2;
  }
  if (!chat::configure_logging(cfg.log_level, "chat-client")) {
    std::cerr << "chat-client: unknown --log-level '" << cfg.log_level << "' (see --help)\n";
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  chat::transport::io_loop io{1}; // outlives the actor system (see serve.cpp)
  caf::actor_system sys{cfg};
  int rc = cfg.script.empty() ? chat::run_chat(cfg, sys, io) : run_script(cfg, sys, io);
  io.drain_and_join();
  return rc;
}
