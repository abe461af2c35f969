// client_supervisor.hpp -- keeps one client connection alive on behalf of chat::client:
// connects, spawns a client_session per connection, re-connects with capped back-off and logs in
// again if asked to, and answers the facade's synchronous calls when the server's reply arrives.
// Spawned by chat::client only.
#pragma once

#include "messages/interfaces.hpp"
#include "transport/tcp_connection.hpp"

#include <boost/asio/io_context.hpp>
#include <caf/all.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>

namespace chat {

enum class client_state {
  connecting,   // an attempt is under way
  connected,    // connected, not logged in
  logged_in,    // the server said "Login OK"
  disconnected, // no connection (and, with reconnect on, waiting to try again)
};

const char* to_string(client_state s);

struct client_options {
  std::string host = "127.0.0.1";
  uint16_t port = 7000;
  std::chrono::milliseconds timeout{5000}; // each connect attempt, and each synchronous call
  bool reconnect = false;                  // after a lost connection: connect and log in again
  std::chrono::milliseconds reconnect_first{100}; // first wait; doubles up to reconnect_max
  std::chrono::milliseconds reconnect_max{5000};
  transport::connection_limits limits;
};

// The asynchronous API. Called from an actor thread, one call at a time; must not block.
struct client_callbacks {
  std::function<void(const inbound_frame&)> on_frame; // every frame the server sends
  // With the reason; "client closed" when our own close() ended the connection.
  std::function<void(client_state, const std::string&)> on_state;
};

// Sync requests answer with the server's text ("Login OK", "Echo: hi", "ann: hi", the PONG
// payload) or a chat error (refused / not_connected / closed) whose context is the reason.
using client_supervisor_actor = client_observer::extend<
    caf::replies_to<connect_atom>::with<caf::ok_atom>,
    caf::replies_to<login_atom, std::string>::with<std::string>,
    caf::replies_to<echo_atom, std::string>::with<std::string>,
    caf::replies_to<broadcast_atom, std::string>::with<std::string>,
    caf::replies_to<ping_atom, std::string>::with<std::string>,
    caf::reacts_to<send_atom, uint8_t, std::string>, // fire and forget
    caf::reacts_to<quit_atom>,
    caf::reacts_to<connected_atom, uint64_t, client_session_actor>, // attempt id, its session
    caf::reacts_to<failed_atom, uint64_t, std::string>,             // attempt id, why
    caf::reacts_to<retry_atom, uint64_t>>;                          // attempt id (timer)

struct pending_request {
  enum class kind { login, echo, broadcast, ping } what;
  std::string expect; // login: the name; broadcast: "<name>: <text>"; ping: the payload
  caf::typed_response_promise<std::string> reply;
  std::chrono::steady_clock::time_point deadline; // the caller has given up after this
};

struct client_supervisor_state {
  client_options options;
  client_callbacks callbacks;
  boost::asio::io_context* ioc = nullptr;
  client_session_actor session; // the current connection's, or none
  bool quitting = false;
  uint64_t attempt = 0; // id of the current connect attempt; stale replies are ignored
  bool attempting = false;
  std::chrono::milliseconds next_wait{0};
  std::string user;      // the name the server accepted; used again after a reconnect
  std::string requested; // the name of the last LOGIN sent
  bool logged_in = false;
  std::deque<pending_request> pending; // in the order the server will answer them
  std::deque<caf::typed_response_promise<caf::ok_atom>> connect_waiters;
  static inline const char* name = "client_supervisor";
};

using client_supervisor_ptr = client_supervisor_actor::stateful_pointer<client_supervisor_state>;

client_supervisor_actor::behavior_type client_supervisor(client_supervisor_ptr self,
                                                         boost::asio::io_context* ioc,
                                                         client_options options,
                                                         client_callbacks callbacks);

} // namespace chat
