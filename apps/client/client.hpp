// client.hpp -- the client library: one chat connection with a synchronous API for scripts and
// simple programs, an asynchronous one (completion callbacks), callbacks for everything the
// server sends, and optional reconnect. Speaks protocol version 2 (channels, direct messages,
// presence) unless told to stay at version 1.
// Used by chat-client and by programs embedding a chat client; needs a running actor system and
// an io_context run by other threads (transport::io_loop).
#pragma once

#include "actors/client_supervisor.hpp"
#include "transport/tcp_connection.hpp"
#include "transport/tls_context.hpp"
#include "transport/udp_client.hpp"

#include <boost/asio/io_context.hpp>
#include <caf/all.hpp>

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace chat {

struct client_options {
  std::string host = "127.0.0.1";
  uint16_t port = 7000;
  std::chrono::milliseconds timeout{5000}; // each connect attempt, and each synchronous call
  bool reconnect = false; // after a lost connection: connect, log in and rejoin channels again
  std::chrono::milliseconds reconnect_first{100}; // first wait; doubles up to reconnect_max
  std::chrono::milliseconds reconnect_max{5000};
  // 1: no HELLO, version-1 behaviour only (tests of it); 2: no multi-part messages; 3: messages
  // up to the server's --max-message, sent and received in parts where a frame is too small.
  uint16_t version = v2::highest_version;
  // After a reconnect, a channel whose history was lost shows this many of its last messages
  // (the client rejoins every channel asking for what it missed; callbacks.on_recovery).
  uint32_t recovery_fallback = 20;
  // A login token for a server with --auth token: every LOGIN (reconnects too) sends it after the
  // name. Checked at each login, so a reconnect after the token's exp is refused.
  std::string token;
  transport::connection_limits limits;
  // The server's UDP endpoint (chat-server --udp-port) instead of TCP: `port` is that port.
  // Best effort, as docs/PROTOCOL.md "Datagrams (UDP)" says: a request whose datagram is lost
  // times out (`timeout`); a message larger than a datagram travels in parts.
  bool udp = false;
  transport::udp_client_options udp_options;
  // TLS (transport/tls_context.hpp, make_client_tls_context): null speaks plain text. The
  // server's certificate must name `host`; a failed handshake is the connection's close reason.
  transport::tls_context_ptr tls;
};

// A call's outcome: the server's answer, or why there is none.
struct client_result {
  bool ok = false;
  std::string text; // "Login OK", "Echo: hi", "ann: hi" ... or the refusal / failure reason
  explicit operator bool() const { return ok; }
};

// WHO: a channel's members in byte order of their names.
struct who_result {
  bool ok = false;
  std::string text;               // why not, when !ok
  uint32_t total = 0;             // members right now
  std::vector<std::string> names; // every page asked for
  std::string next;               // "" after the last page, else the `after` of the next one
  explicit operator bool() const { return ok; }
};

// LIST: the channels with their member counts, in byte order of their names.
struct list_result {
  bool ok = false;
  std::string text;
  uint32_t total = 0;
  std::vector<v2::channel_count> channels;
  std::string next;
  explicit operator bool() const { return ok; }
};

// HISTORY: one page of a channel's kept messages, oldest first.
struct history_result {
  bool ok = false;
  std::string text; // why not, when !ok
  history_page page;
  explicit operator bool() const { return ok; }
};

// Runs on an actor thread, like client_callbacks, once per asynchronous call.
using client_done_callback = std::function<void(const client_result&)>;

class client {
public:
  client(caf::actor_system& sys, boost::asio::io_context& ioc, client_options options,
         client_callbacks callbacks = {});
  ~client(); // close(), then waits (bounded) until no callback can run any more

  client(const client&) = delete;
  client& operator=(const client&) = delete;

  // -- synchronous: each returns within options.timeout, whatever the server does -----------
  client_result connect();
  client_result login(const std::string& name);     // "Login OK" or "Login failed: ..."
  client_result echo(const std::string& text);      // "Echo: <text>"
  client_result broadcast(const std::string& text); // ok once our own broadcast came back
  client_result ping(std::chrono::microseconds* round_trip = nullptr);

  // Version 2; channel names without '#'. A refusal's text is the server's reason ("not a
  // member of rust", "no such user", "message too long").
  client_result join(const std::string& channel);  // ok: "" or "already a member"
  client_result leave(const std::string& channel); // ok: ""
  // ok: "<name>: <text>" once our own message came back through the channel, in its order.
  client_result say(const std::string& channel, const std::string& text);
  // ok once the server has handed it to the user (a REPLY, not the message, comes back).
  client_result direct(const std::string& user, const std::string& text);
  who_result who(const std::string& channel); // every page
  who_result who(const std::string& channel, const std::string& after, uint16_t limit); // one
  list_result list(); // every page
  list_result list(const std::string& after, uint16_t limit);
  // Messages of `channel` older than offset `before` (0: the newest), at most `limit` (0: the
  // server's page size); the page's next_before asks for the one before it.
  history_result history(const std::string& channel, uint64_t before = 0, uint16_t limit = 0);

  // -- asynchronous: answers arrive through `done` (may be empty) or the callbacks ------------
  void send(frame_type type, const std::string& payload); // fire and forget
  void join(const std::string& channel, client_done_callback done);
  void leave(const std::string& channel, client_done_callback done);
  void say(const std::string& channel, const std::string& text, client_done_callback done);
  void direct(const std::string& user, const std::string& text, client_done_callback done);

  // Leaves: the connection is closed after what is queued; no reconnect. Idempotent.
  void close();

private:
  template <class Result, class Atom, class... Ts> client_result call(Atom what, const Ts&... xs);
  who_result who_pages(const std::string& channel, const std::string& after, uint16_t limit,
                       bool all);
  list_result list_pages(const std::string& after, uint16_t limit, bool all);

  caf::actor_system& sys_;
  client_options options_;
  client_supervisor_actor supervisor_;
  std::mutex calls_; // one synchronous call at a time
  uint64_t pings_ = 0;
};

} // namespace chat
