// client_supervisor.hpp -- keeps one client connection alive for chat::client (its only
// spawner): dials (no Asio here), reconnects, logs in and rejoins again, and answers requests.
// Its .cpp holds the connection's life; client_requests.cpp and client_answers.cpp the requests.
#pragma once

#include "actors/client_callbacks.hpp"
#include "messages/errors.hpp"
#include "messages/interfaces.hpp"
#include "transport/connection.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace chat {

// One connect attempt's outcome: the reason it failed, or the connection and the way to start
// it (from then on its frames go to the owner given).
struct dialed {
  std::string error;
  transport::connection_ptr conn;
  std::function<void(connection_owner)> start;
};

// Makes one connect attempt and calls its argument once, on any thread, with the outcome.
// chat::client wires transport's connector in; a test may wire anything.
using dialer = std::function<void(std::function<void(dialed)>)>;

struct client_supervisor_options {
  std::string address;                     // "host:port", for the states reported
  std::chrono::milliseconds timeout{5000}; // each connect attempt, and each request
  bool reconnect = false; // after a lost connection: connect, log in and rejoin again
  std::chrono::milliseconds reconnect_first{100}; // first wait; doubles up to reconnect_max
  std::chrono::milliseconds reconnect_max{5000};
  // 1: no HELLO, version-1 frames only; 2: no multi-part messages; 3: all of it.
  uint16_t version = v2::highest_version;
  // After a reconnect, a channel whose history was lost shows this many of its last messages.
  uint32_t recovery_fallback = 20;
  // Sent with every LOGIN, after the name (auth/login_credentials.hpp), to a server with
  // --auth token; empty: LOGIN is the name alone.
  std::string token;
};

// Where the client is in one channel's history: the epoch and the last offset it got.
struct stream_mark {
  uint64_t epoch = 0;
  uint64_t offset = 0;
};

// Requests answer with the server's text ("Login OK", "Echo: hi", "ann: hi", the PONG payload,
// a REPLY's text) or a chat error (refused / not_connected / closed) whose context is the
// reason. Version 2 (channels without '#'):
//   join, leave  channel: the REPLY's text ("" or "already a member");
//   post         channel, text: "<user>: <text>" once our own message came back;
//   direct       user, text: the REPLY's text once the recipient has it;
//   who          channel, after, limit, all pages?: total, names, next;
//   list         after, limit, all pages?: total, names, member counts, next;
//   history      channel, before, limit: one page of the channel's kept messages.
// The forms with a client_done are the same requests, answered through it instead.
using client_supervisor_actor = client_observer::extend<
    caf::replies_to<connect_atom>::with<caf::ok_atom>,
    caf::replies_to<login_atom, std::string>::with<std::string>,
    caf::replies_to<echo_atom, std::string>::with<std::string>,
    caf::replies_to<broadcast_atom, std::string>::with<std::string>,
    caf::replies_to<ping_atom, std::string>::with<std::string>,
    caf::replies_to<join_atom, std::string>::with<std::string>,
    caf::replies_to<leave_atom, std::string>::with<std::string>,
    caf::replies_to<post_atom, std::string, std::string>::with<std::string>,
    caf::replies_to<direct_atom, std::string, std::string>::with<std::string>,
    caf::replies_to<who_atom, std::string, std::string, uint16_t,
                    bool>::with<uint32_t, std::vector<std::string>, std::string>,
    caf::replies_to<list_atom, std::string, uint16_t, bool>::with<
        uint32_t, std::vector<std::string>, std::vector<uint32_t>, std::string>,
    caf::replies_to<history_atom, std::string, uint64_t, uint16_t>::with<history_page>,
    caf::reacts_to<join_atom, std::string, client_done>,
    caf::reacts_to<leave_atom, std::string, client_done>,
    caf::reacts_to<post_atom, std::string, std::string, client_done>,
    caf::reacts_to<direct_atom, std::string, std::string, client_done>,
    caf::reacts_to<send_atom, uint8_t, std::string>, // fire and forget
    caf::reacts_to<quit_atom>,
    caf::reacts_to<connected_atom, uint64_t, client_session_actor>, // attempt id, its session
    caf::reacts_to<failed_atom, uint64_t, std::string>,             // attempt id, why
    caf::reacts_to<retry_atom, uint64_t>,                           // attempt id (timer)
    caf::reacts_to<expire_atom, uint64_t>>;                         // request id (timer)

using who_promise = caf::typed_response_promise<uint32_t, std::vector<std::string>, std::string>;
using list_promise = caf::typed_response_promise<uint32_t, std::vector<std::string>,
                                                 std::vector<uint32_t>, std::string>;
using history_promise = caf::typed_response_promise<history_page>;

// A request sent to the server and not answered yet. Exactly one of the answer paths is set:
// reply, who_reply, list_reply, history_reply (synchronous callers), or done.
struct pending_request {
  enum class kind {
    login,
    echo,
    broadcast,
    ping,
    join,
    leave,
    post,
    direct,
    who,
    list,
    history
  } what;
  uint64_t id = 0;     // ours, for the expiry timer
  uint32_t ref = 0;    // version 2: the ref the server's answer carries (the latest page's)
  std::string expect;  // login: the name; broadcast, post: "<name>: <text>"; ping: the payload
  std::string target;  // join, leave, post, who: the channel; direct: the user
  std::string text;    // post: the text (our own message is recognised by it)
  uint16_t limit = 0;  // who, list, history: the page size asked for
  uint64_t before = 0; // history: older than this offset
  bool all = false;    // who, list: every page (asked for one after another)
  uint32_t total = 0;  // who, list: the pages so far
  std::vector<std::string> names;
  std::vector<uint32_t> counts;
  caf::typed_response_promise<std::string> reply;
  who_promise who_reply;
  list_promise list_reply;
  history_promise history_reply;
  client_done done;
};

struct client_supervisor_state {
  client_supervisor_options options;
  client_callbacks callbacks;
  dialer dial;
  client_session_actor session; // the current connection's, or none
  bool quitting = false;
  uint64_t attempt = 0; // id of the current connect attempt; stale replies are ignored
  bool attempting = false;
  std::chrono::milliseconds next_wait{0};
  std::string user;      // the name the server accepted; used again after a reconnect
  std::string requested; // the name of the last LOGIN sent
  bool logged_in = false;
  // Version 2: said HELLO and no answer yet; whether the server answered it with version 2.
  bool hello_pending = false;
  bool server_v2 = false;
  bool server_history = false;     // HELLO's features say "history": JOIN's long form, HISTORY
  uint32_t server_max_frame = 0;   // from HELLO's answer; 0 while unknown
  uint32_t server_max_message = 0; // version 3's --max-message; 0: no multi-part messages
  std::set<std::string> channels;  // joined (REPLY ok); joined again after a reconnect
  std::map<std::string, stream_mark> marks; // by channel: what we have, for recovery
  uint32_t next_ref = 0;
  uint64_t next_id = 0;
  std::deque<pending_request> pending; // in the order they were sent
  std::deque<caf::typed_response_promise<caf::ok_atom>> connect_waiters;
  static inline const char* name = "client_supervisor";
};

using client_supervisor_ptr = client_supervisor_actor::stateful_pointer<client_supervisor_state>;

client_supervisor_actor::behavior_type client_supervisor(client_supervisor_ptr self, dialer dial,
                                                         client_supervisor_options options,
                                                         client_callbacks callbacks);

// Shared by client_supervisor.cpp and client_requests.cpp.
namespace client_detail {
// Sends `p`'s frame and keeps it pending until its answer, its expiry or the connection's end.
// The caller has filled in what, target, text, expect, limit, all and one answer path.
void ask(client_supervisor_ptr self, pending_request p);
// A frame from the server: settles the request it answers, reports events.
void on_frame(client_supervisor_ptr self, const inbound_frame& f);
// Every pending request fails with `why` (the connection ended, or we quit).
void fail_pending(client_supervisor_ptr self, errc code, const std::string& why);
// The request with this id has had its time.
void expire(client_supervisor_ptr self, uint64_t id);
// After "Login OK" on a new connection: back into every channel we were in.
void rejoin(client_supervisor_ptr self);
// Tells the on_state callback.
void report(client_supervisor_ptr self, client_state s, const std::string& why);

// -- the pending requests (client_requests.cpp) --
bool is_v2(pending_request::kind k);
// The caller hears `e` (a synchronous one) or `why` (an asynchronous one).
void answer_error(pending_request& p, const caf::error& e, const std::string& why);
// The server's answer: its text, or its refusal (an error with the reason as context).
void answer(pending_request& p, bool ok, const std::string& text);
// Puts the request's frame on the wire; version-2 requests get a fresh ref each time (a WHO or
// LIST of every page sends one per page).
void send_request(client_supervisor_ptr self, pending_request& p);
void erase(client_supervisor_ptr self, const pending_request* p);
pending_request* by_ref(client_supervisor_ptr self, uint32_t ref); // a version-2 request
template <class Pred> pending_request* find(client_supervisor_ptr self, Pred pred) {
  auto& pending = self->state.pending;
  auto i = std::find_if(pending.begin(), pending.end(), pred);
  return i == pending.end() ? nullptr : &*i;
}
} // namespace client_detail

} // namespace chat
