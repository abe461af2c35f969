// idle_floor.cpp -- the least an idle logged-in connection can cost in chat-server's design: its
// session one CAF actor (the per-connection session actor) and its socket one Asio socket on the
// build's backend with a pending readiness wait, as tcp_connection keeps one; nothing else (no
// channel, no registry, no outbound queue). Run by hand beside chat-server and trivial-relay
// under `chat-bench --connect-only --server-pid` (BENCHMARKS.md, "The floor of an idle
// connection"); tests/bench/idle_floor_test.cpp keeps it answering chat-bench. With
// --no-session the loop answers LOGIN itself: what the Asio socket alone costs. The wait lives in
// the link's own room, as tcp_connection's does (transport/wait_memory.hpp, header only).
#include "transport/wait_memory.hpp"

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
// The socket type tcp_connection uses: bound to its loop's own executor, no type erasure.
using socket_type = tcp::socket::rebind_executor<asio::io_context::executor_type>::other;

// The values of messages/frame.hpp, repeated so that nothing of chat-server is linked in.
constexpr uint8_t login = 1;
constexpr std::size_t header_size = 5;
constexpr std::size_t max_frame = 65536;

// One client: its socket, the bytes of a frame not yet whole, and its session actor. The
// session's behaviour holds the link and the link the session until close() breaks the cycle.
struct link : std::enable_shared_from_this<link> {
  explicit link(socket_type s) : socket(std::move(s)) {}

  void wait_for_input() {
    socket.async_wait(
        tcp::socket::wait_read,
        asio::bind_allocator(chat::transport::wait_allocator<void>{room},
                             [self = shared_from_this()](boost::system::error_code ec) {
                               if (ec) return self->close();
                               self->on_readable();
                             }));
  }

  void on_readable() {
    boost::system::error_code ec;
    auto ready = socket.available(ec);
    if (ec || ready == 0) return close(); // readable with nothing to read: the peer is gone
    char buf[4096];
    auto n = socket.read_some(asio::buffer(buf, std::min(ready, sizeof buf)), ec);
    if (ec) return close();
    in.append(buf, n);
    std::size_t at = 0;
    while (in.size() - at >= header_size) {
      uint32_t body = 0;
      for (int i = 3; i >= 0; --i)
        body = body << 8 | static_cast<uint8_t>(in[at + i]);
      if (body < 1 || body > max_frame) return close();
      if (in.size() - at < 4 + body) break;
      auto type = static_cast<uint8_t>(in[at + 4]);
      if (session)
        caf::anon_send(session, type, in.substr(at + header_size, body - 1));
      else if (type == login)
        send(login, "Login OK");
      at += 4 + body;
    }
    in.erase(0, at);
    if (in.empty()) in.shrink_to_fit(); // idle: no buffer
    wait_for_input();
  }

  // From any thread (the session's, or the loop's with --no-session): the write happens on the
  // loop's.
  void send(uint8_t type, std::string_view text) {
    auto body = static_cast<uint32_t>(1 + text.size());
    std::string bytes{char(body & 0xff), char(body >> 8 & 0xff), char(body >> 16 & 0xff),
                      char(body >> 24 & 0xff), char(type)};
    bytes.append(text);
    asio::post(socket.get_executor(), [self = shared_from_this(), bytes = std::move(bytes)] {
      boost::system::error_code ec; // a frame this small fits any socket's send buffer
      asio::write(self->socket, asio::buffer(bytes), ec);
    });
  }

  void close() {
    boost::system::error_code ec;
    socket.close(ec);
    if (!session) return;
    caf::anon_send_exit(session, caf::exit_reason::user_shutdown);
    session = nullptr;
  }

  socket_type socket;
  chat::transport::wait_memory room;
  std::string in;
  caf::actor session;
};

// The session: one handler, the frames of its client.
caf::behavior session(caf::event_based_actor*, std::shared_ptr<link> client) {
  return {
      [client](uint8_t type, const std::string&) {
        if (type == login) client->send(login, "Login OK");
      },
  };
}

bool with_sessions = true; // --no-session: none

void accept_next(tcp::acceptor& acceptor, asio::io_context& loop, caf::actor_system& actors) {
  acceptor.async_accept(loop.get_executor(), [&](boost::system::error_code ec, socket_type s) {
    if (ec) { // out of descriptors, most likely: a floor measurement is over
      std::fprintf(stderr, "idle-floor: accept: %s; no more connections\n", ec.message().c_str());
      return;
    }
    s.set_option(tcp::no_delay(true), ec);
    auto client = std::make_shared<link>(std::move(s));
    if (with_sessions) client->session = actors.spawn(session, client);
    client->wait_for_input();
    accept_next(acceptor, loop, actors);
  });
}

} // namespace

int main(int argc, char** argv) {
  long port = 0;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--port" && i + 1 < argc) {
      port = std::strtol(argv[++i], nullptr, 10);
    } else if (arg == "--no-session") {
      with_sessions = false;
    } else {
      std::fprintf(stderr, "usage: idle-floor [--port N (0: any free port)] [--no-session]\n");
      return 2;
    }
  }
  if (port < 0 || port > 65535) return std::fprintf(stderr, "idle-floor: bad --port\n"), 2;
  caf::actor_system_config cfg; // as chat-server: one worker per core
  cfg.set("scheduler.max-threads", std::size_t{std::max(1u, std::thread::hardware_concurrency())});
  caf::actor_system actors{cfg};
  asio::io_context loop{1};
  tcp::acceptor acceptor{loop, {asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)}};
  std::printf("idle-floor listening on 127.0.0.1:%u (%s)\n", acceptor.local_endpoint().port(),
              CHAT_BACKEND_NAME);
  std::fflush(stdout);
  accept_next(acceptor, loop, actors);
  loop.run(); // until SIGTERM/SIGINT's default action: there is nothing to save
}
