// client_callbacks.hpp -- what a client connection reports to the program that embeds it:
// connection states, every frame, and the version-2 events (channel and direct messages,
// presence). Filled in by chat::client's caller; invoked by client_supervisor only.
#pragma once

#include "messages/frame.hpp"
#include "messages/protocol_v2.hpp"

#include <caf/all.hpp>

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

// Every callback runs on the supervisor actor, one at a time, so they may share state without
// locks of their own; none may block. A callback left empty is not called.
struct client_callbacks {
  std::function<void(const inbound_frame&)> on_frame; // every frame the server sends
  // With the reason; "client closed" when our own close() ended the connection.
  std::function<void(client_state, const std::string&)> on_state;
  // Version 2, decoded (on_frame has seen the raw frame first):
  // a message in a channel we are in, our own included: channel, sender, text;
  std::function<void(const std::string&, const std::string&, const std::string&)> on_message;
  // a direct message to us: sender, text;
  std::function<void(const std::string&, const std::string&)> on_direct;
  // someone joined, left or dropped (lost the connection) from a channel we are in.
  std::function<void(const std::string&, const std::string&, v2::presence_kind)> on_presence;
  // After a reconnect, a channel joined again with recovery: channel, how it went (replayed:
  // every message missed came again; epoch_changed, too_old, future: history was lost and the
  // last few came instead; docs/PROTOCOL.md "History"). The replayed messages follow through
  // on_message.
  std::function<void(const std::string&, const stream_position&)> on_recovery;
};

// The end of an asynchronous request: ok and the server's text, or false and the reason. Runs
// on the supervisor like the callbacks above, exactly once (at the latest when the request
// times out or the client closes).
struct client_done {
  std::function<void(bool ok, const std::string& text)> fn;
};

} // namespace chat

// A std::function only ever travels to the supervisor in the same process.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(chat::client_done)
