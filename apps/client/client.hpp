// client.hpp -- the client library: one chat connection with a synchronous API for scripts and
// simple programs, callbacks for everything the server sends, and optional reconnect.
// Used by chat-client and by programs embedding a chat client; needs a running actor system and
// an io_context run by other threads (transport::io_loop).
#pragma once

#include "apps/client/client_supervisor.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <mutex>
#include <string>

namespace chat {

// A synchronous call's outcome: the server's answer, or why there is none.
struct client_result {
  bool ok = false;
  std::string text; // "Login OK", "Echo: hi", "ann: hi" ... or the refusal / failure reason
  explicit operator bool() const { return ok; }
};

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

  // -- asynchronous: fire and forget; answers arrive through the callbacks --------------------
  void send(frame_type type, const std::string& payload);

  // Leaves: the connection is closed after what is queued; no reconnect. Idempotent.
  void close();

private:
  template <class Result, class Atom, class... Ts> client_result call(Atom what, const Ts&... xs);

  caf::actor_system& sys_;
  client_options options_;
  client_supervisor_actor supervisor_;
  std::mutex calls_; // one synchronous call at a time: replies are matched in order
  uint64_t pings_ = 0;
};

} // namespace chat
