#include "apps/chat-client/chat_session.hpp"

#include "apps/chat-client/commands.hpp"
#include "apps/chat-client/console.hpp"
#include "apps/chat-client/frame_printer.hpp"
#include "apps/client/client.hpp"

#include <unistd.h>

#include <atomic>
#include <iostream>
#include <thread>

namespace chat {

namespace {

using namespace std::chrono_literals;

// What the callbacks tell the chat loop, across threads.
struct session_news {
  std::atomic<int64_t> last_frame_ns{0};
  std::mutex mutex;
  std::string lost; // why the connection ended, when the user did not end it
};

int64_t now_ns() {
  return std::chrono::steady_clock::now().time_since_epoch().count();
}

// The answers to our own requests: the command that asked prints its result (or its
// refusal) itself, so these frames are not shown a second time; nor is the HELLO handshake.
bool answers_us(const inbound_frame& f) {
  switch (f.type) {
  case static_cast<uint8_t>(frame_type::pong):
    return f.payload.compare(0, 12, "client ping ") == 0;
  case static_cast<uint8_t>(frame_type::error): // a version-1 server's answer to our HELLO
    return f.payload == "unknown frame type " + std::to_string(int{v2::first_type});
  case static_cast<uint8_t>(v2::type::hello):
  case static_cast<uint8_t>(v2::type::reply):
  case static_cast<uint8_t>(v2::type::who_reply):
  case static_cast<uint8_t>(v2::type::list_reply):
  case static_cast<uint8_t>(v2::type::joined):        // on_recovery says what matters
  case static_cast<uint8_t>(v2::type::history_reply): // /history prints it
    return true;
  default:
    return false;
  }
}

client_callbacks callbacks_for(console& term, session_news& news, print_style style,
                               bool reconnect) {
  client_callbacks cb;
  cb.on_frame = [&term, &news, style](const inbound_frame& f) {
    news.last_frame_ns = now_ns();
    if (!answers_us(f)) term.print(printable_line(f, style));
  };
  cb.on_recovery = [&term, style](const std::string& channel, const stream_position& position) {
    // Nothing missed is nothing to say; the rejoin's presence line shows we are back.
    if (position.result == recovery::replayed && position.replayed == 0) return;
    term.print(recovery_line(channel, position, style));
  };
  cb.on_state = [&term, &news, reconnect](client_state s, const std::string& why) {
    if (s != client_state::disconnected || why == "client closed") return;
    if (reconnect) {
      term.print("* disconnected (" + why + "); reconnecting");
      return;
    }
    std::lock_guard<std::mutex> guard{news.mutex};
    news.lost = why;
    term.stop();
  };
  return cb;
}

// After piped input ends: our PONG follows every reply to what we sent; channel messages come
// through their channel and may trail it, so also wait for a short quiet spell.
void drain(client& c, session_news& news) {
  c.ping();
  auto limit = std::chrono::steady_clock::now() + 2s;
  while (std::chrono::steady_clock::now() < limit &&
         now_ns() - news.last_frame_ns.load() < std::chrono::nanoseconds(200ms).count())
    std::this_thread::sleep_for(20ms);
}

} // namespace

int run_chat(const client_config& cfg, caf::actor_system& sys, transport::io_loop& io) {
  console term{cfg.name + "> "};
  print_style style{term.interactive() && !cfg.no_color, cfg.name};
  session_news news;
  client_options options;
  options.host = cfg.host;
  options.port = cfg.port;
  options.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(cfg.connect_timeout);
  options.reconnect = cfg.reconnect;
  options.token = cfg.token;
  options.tls = cfg.tls_context;
  options.udp = cfg.udp;
  client c{sys, io.context(), options, callbacks_for(term, news, style, cfg.reconnect)};
  auto where = cfg.host + ":" + std::to_string(cfg.port) + (cfg.udp ? "/udp" : "");
  if (auto r = c.connect(); !r) {
    std::cerr << "chat-client: cannot connect to " << where << ": " << r.text << '\n';
    return 1;
  }
  if (term.interactive()) term.print("* connected to " + where + "; logging in as " + cfg.name);
  auto login = c.login(cfg.name);
  term.flush();
  if (!login) {
    { // The connection may have ended before LOGIN went out (a TLS handshake that failed).
      std::lock_guard<std::mutex> guard{news.mutex};
      if (login.text == "not connected" && !news.lost.empty()) login.text = news.lost;
    }
    bool refused = login.text.compare(0, 13, "Login failed:") == 0;
    bool no_tls = login.text.compare(0, 4, "TLS ") == 0; // the handshake is done at LOGIN
    std::cerr << "chat-client: "
              << (refused  ? "login refused: "
                  : no_tls ? "cannot connect to " + where + ": "
                           : "no answer to LOGIN: ")
              << login.text << '\n';
    return refused ? 3 : 1;
  }
  chat_place place{cfg.name, {}, {}};
  enter_default_channel(c, term, place, style);
  if (term.interactive()) term.print(note_line("/help lists the commands", style));
  while (auto line = term.read_line())
    if (!handle_line(*line, c, term, place, style)) break;
  {
    std::lock_guard<std::mutex> guard{news.mutex};
    if (!news.lost.empty()) {
      term.flush();
      std::cerr << "chat-client: connection closed: " << news.lost << '\n';
      return 1;
    }
  }
  if (!term.interactive()) drain(c, news);
  term.flush();
  return 0;
}

} // namespace chat
