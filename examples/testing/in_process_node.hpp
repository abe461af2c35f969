// in_process_node.hpp -- a whole chat node inside an example's test, wired like the example's
// binary: actor system, one I/O thread, chat::server on 127.0.0.1 port 0, the example's actors
// added before it accepts; and clients that record what they get. Used by the examples' tests.
#pragma once

#include "apps/chat-server/server.hpp"
#include "apps/client/client.hpp"
#include "transport/io_loop.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace chat::examples {

// Bounds every wait for the server, a bot or a client: tests wait for events, never sleep.
inline constexpr std::chrono::milliseconds reply_timeout{2000};

// Lines a client reported, for a test to wait on; filled on actor threads.
class inbox {
public:
  void push(std::string line, bool closed = false);
  // The oldest line not taken yet, or "(nothing within the reply timeout)".
  std::string next();
  // Until `line` was reported `n` times in all (taken or not).
  bool wait(const std::string& line, std::size_t n = 1);
  bool saw(const std::string& line);
  bool wait_closed();

private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> unread_;
  std::vector<std::string> all_;
  bool closed_ = false;
};

// A version-1 client made of a client_session actor: each frame it gets is one "<TYPE> payload"
// line ("TYPE_64 ..." for an extension). It can send any frame, so protocol tests use it.
struct raw_client {
  std::shared_ptr<inbox> box = std::make_shared<inbox>();
  client_observer observer;
  client_session_actor session;

  void login(const std::string& name) { caf::anon_send(session, login_atom_v, name); }
  void broadcast(const std::string& text) { caf::anon_send(session, broadcast_atom_v, text); }
  void send(uint8_t type, const std::string& payload) {
    caf::anon_send(session, send_atom_v, type, payload);
  }
  std::string next() { return box->next(); }
};

class in_process_node;

// A logged-in version-2 client (the client library, apps/client/client.hpp). Its channel
// messages are lines "#<channel> <user>: <text>", presence "<user> joined|left|dropped #<channel>".
// Destroy it before its node (declare it after the node).
class v2_user {
public:
  v2_user(in_process_node& node, const std::string& name);
  client* operator->() { return client_.get(); }
  inbox& saw() { return *box_; }

private:
  std::shared_ptr<inbox> box_ = std::make_shared<inbox>(); // outlives the callbacks
  std::unique_ptr<client> client_;
};

class in_process_node {
public:
  // Bound, not accepting yet: add handlers and bots through server() and system(), then start().
  explicit in_process_node(server_options options = {});
  // The order that lets ~actor_system return: sockets closed and the I/O loop drained before any
  // actor is killed, then every actor the node handed out gone (bots and handlers that monitor
  // the roster end with it; adopted ones are sent an exit).
  ~in_process_node();

  in_process_node(const in_process_node&) = delete;
  in_process_node& operator=(const in_process_node&) = delete;

  caf::actor_system& system() { return sys_; }
  boost::asio::io_context& io() { return io_.context(); }
  chat::server& server() { return *server_; }
  uint16_t port() const { return server_->port(); }
  void start() { server_->start(); }

  // Sent an exit at teardown, in case the actor does not end with the roster by itself.
  template <class Handle> Handle adopt(Handle h) {
    adopted_.push_back(caf::actor_cast<caf::actor>(h));
    return h;
  }

  // A connected version-1 client, or nullptr after reporting a test failure.
  raw_client* connect();
  // The same, logged in (its "LOGIN Login OK" taken), or nullptr after reporting a failure.
  raw_client* logged_in(const std::string& name);

  // Members of `channel` on this node reach `n` within the reply timeout (joins are
  // asynchronous; a channel that does not exist has 0).
  bool members_reach(const std::string& channel, uint64_t n);
  // `channel` is not in LIST within the reply timeout: it retired (no member, no observer).
  bool channel_retires(const std::string& channel);

private:
  caf::actor_system_config cfg_; // outlives sys_, which refers to it
  // The I/O loop outlives the actor system: an actor's state may hold the last reference to a
  // connection, whose socket needs the io_context while it is destroyed.
  transport::io_loop io_;
  caf::actor_system sys_;
  std::optional<chat::server> server_;
  std::deque<raw_client> clients_; // a deque: pointers stay valid as clients are added
  std::vector<caf::actor> adopted_;
};

} // namespace chat::examples
