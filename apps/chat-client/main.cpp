// main.cpp -- chat-client: connect, log in, print what the server sends, send what is typed.
// Typed lines are broadcasts; "/echo TEXT" sends SEND_MSG; "/quit" leaves. Works with piped
// standard input: at its end, the client waits for the replies still owed, then exits 0.
//
// Exit codes: 0 done; 1 cannot connect, no LOGIN answer, or the server closed the connection;
// 2 bad options; 3 login refused.
#include "actors/client_session.hpp"
#include "apps/chat-client/client_config.hpp"
#include "apps/chat-client/frame_printer.hpp"
#include "apps/chat-client/session_events.hpp"
#include "apps/cli/logging.hpp"
#include "transport/connector.hpp"
#include "transport/io_loop.hpp"

#include <poll.h>
#include <unistd.h>

#include <csignal>
#include <iostream>

namespace {

using namespace std::chrono_literals;

chat::client_observer::behavior_type terminal(chat::client_observer::pointer self,
                                              std::shared_ptr<chat::session_events> events) {
  return {
      [events](chat::received_atom, const chat::inbound_frame& f) {
        if (!events->on_frame(f)) std::cout << chat::printable_line(f) << std::endl;
      },
      [self, events](chat::closed_atom, std::string reason) {
        events->on_closed(std::move(reason));
        self->quit();
      },
  };
}

enum class input { line, end, closed };

// Reads one line from standard input, waking every 100 ms to notice a closed connection.
input read_line(std::string& pending, std::string& line, chat::session_events& events) {
  for (;;) {
    if (auto nl = pending.find('\n'); nl != std::string::npos) {
      line = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      return input::line;
    }
    if (events.closed_reason()) return input::closed;
    pollfd in{STDIN_FILENO, POLLIN, 0};
    if (::poll(&in, 1, 100) <= 0) continue;
    char buf[4096];
    auto n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n <= 0) {
      if (pending.empty()) return input::end;
      line.swap(pending); // a last line without a newline
      pending.clear();
      return input::line;
    }
    pending.append(buf, static_cast<std::size_t>(n));
  }
}

// Sends typed lines until /quit, the end of input, or the end of the connection.
input chat_loop(const chat::client_session_actor& session, chat::session_events& events) {
  std::string pending, line;
  for (;;) {
    auto got = read_line(pending, line, events);
    if (got != input::line) return got;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line == "/quit") return input::end;
    if (line.compare(0, 6, "/echo ") == 0)
      caf::anon_send(session, chat::echo_atom_v, line.substr(6));
    else if (!line.empty())
      caf::anon_send(session, chat::broadcast_atom_v, line);
  }
}

int run(chat::client_config& cfg, caf::actor_system& sys, chat::transport::io_loop& io) {
  boost::system::error_code ec;
  auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(cfg.connect_timeout);
  auto conn = chat::transport::connect(io.context(), cfg.host, cfg.port, {}, timeout, ec);
  if (!conn) {
    std::cerr << "chat-client: cannot connect to " << cfg.host << ':' << cfg.port << ": "
              << ec.message() << '\n';
    return 1;
  }
  auto events = std::make_shared<chat::session_events>();
  auto observer = sys.spawn(terminal, events);
  auto session = sys.spawn(chat::client_session, conn, observer);
  conn->start(session);
  caf::anon_send(session, chat::login_atom_v, cfg.name);
  int rc = 0;
  auto reply = events->wait_login(cfg.connect_timeout);
  if (!reply) {
    std::cerr << "chat-client: no answer to LOGIN: "
              << events->closed_reason().value_or("timed out") << '\n';
    rc = 1;
  } else if (*reply != "Login OK") {
    std::cerr << "chat-client: login refused: " << chat::escape_control(*reply) << '\n';
    rc = 3;
  } else if (chat_loop(session, *events) == input::closed) {
    std::cerr << "chat-client: connection closed: " << *events->closed_reason() << '\n';
    rc = 1;
  } else { // our PONG follows every earlier reply; broadcasts may trail it a little
    auto token = events->next_drain_token();
    caf::anon_send(session, chat::send_atom_v, static_cast<uint8_t>(chat::frame_type::ping), token);
    events->wait_drained(token, cfg.reply_timeout);
    events->wait_quiet(200ms, 2s);
  }
  caf::anon_send(session, chat::quit_atom_v);
  if (!events->wait_closed(2s)) caf::anon_send_exit(session, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(observer, caf::exit_reason::user_shutdown);
  return rc;
}

} // namespace

int main(int argc, char** argv) {
  chat::client_config cfg;
  if (auto err = cfg.parse_command_line(argc, argv)) {
    std::cerr << "chat-client: " << cfg.render(err) << " (see --help)\n";
    return 2;
  }
  if (cfg.cli_helptext_printed) return 0;
  if (cfg.name.empty()) {
    std::cerr << "chat-client: --name is required (see --help)\n";
    return 2;
  }
  if (!chat::configure_logging(cfg.log_level, "chat-client")) {
    std::cerr << "chat-client: unknown --log-level '" << cfg.log_level << "' (see --help)\n";
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  caf::actor_system sys{cfg};
  chat::transport::io_loop io{1};
  int rc = run(cfg, sys, io);
  io.drain_and_join();
  return rc;
}
