#include "actors/session.hpp"
#include "messages/counters.hpp"

#include "messages/channel_name.hpp"
#include "messages/errors.hpp"
#include "messages/frame_encoder.hpp"
#include "messages/login_name.hpp"
#include "messages/protocol_v2.hpp"
#include "messages/utf8.hpp"

#include <spdlog/spdlog.h>

namespace chat {

namespace session_detail {

void send_error(session_ptr self, std::string_view reason) {
  self->state.conn->send(encode(frame_type::error, reason));
}

void take_message_token(session_ptr self) {
  // handle() let the message through only with a token there, and time only adds tokens.
  self->state.messages.take(self->clock().now());
}

bool delivery_fits(session_ptr self, std::string_view channel, std::size_t text_size) {
  auto& st = self->state;
  auto body = v2::msg_delivery_body_size(channel.size(), st.user.size(), text_size);
  if (channel == default_channel) body = std::max(body, 1 + st.user.size() + 2 + text_size);
  return body <= max_body(st);
}

void leave_all(session_ptr self) {
  for (auto& [name, joined] : self->state.channels) {
    joined.outbox->close(); // what is still on its way is no longer for this client
    self->send(joined.channel, leave_atom_v, self->state.user);
  }
  self->state.channels.clear();
}

bool token_allows(const session_state& st, std::string_view channel) {
  return !st.token_channels || std::find(st.token_channels->begin(), st.token_channels->end(),
                                         channel) != st.token_channels->end();
}

void open_outbox(session_ptr self, session_outbox& outbox) {
  if (outbox.open()) return;
  // The session stalled while its channel kept talking; the client missed messages.
  send_error(self, "too slow: messages were lost while joining");
  self->state.conn->close();
}

} // namespace session_detail

namespace {

using namespace session_detail;

void on_frame(session_ptr self, inbound_frame& f);

// What the message allowance counts: every message a user sends to others.
bool is_message(const session_state& st, const inbound_frame& f) {
  if (f.type == static_cast<uint8_t>(frame_type::broadcast_msg)) return true;
  return st.version >= v2::version && (f.type == static_cast<uint8_t>(v2::type::msg) ||
                                       f.type == static_cast<uint8_t>(v2::type::dm));
}

// A message past the allowance is not refused (a pasted paragraph would lose lines): it waits
// for its token, and every frame after it waits behind it, unhandled. The transport stops
// reading once its credit of unhandled frames is out, so TCP slows the sender down to the
// allowed rate (IRC servers call this fake lag). A client that stays behind for
// --flood-timeout is cut with ERROR "excess flood". True if `f` was taken (held or dropped).
bool wait_for_token(session_ptr self, inbound_frame& f) {
  auto& st = self->state;
  if (st.user.empty() || !is_message(st, f)) return false;
  auto now = self->clock().now();
  auto wait = st.messages.wait(now);
  if (wait == std::chrono::nanoseconds{0}) return false;
  if (!st.flooding_since) {
    st.flooding_since = now;
    spdlog::info("flood user={} peer={} max_broadcast_rate={}/s: reading slowed down", st.user,
                 st.conn->peer(), st.limits->max_broadcast_rate);
  } else if (now - *st.flooding_since >= st.limits->flood_timeout) {
    // The close line itself follows when the connection has gone.
    spdlog::info("excess flood user={} peer={} delayed={}: closing", st.user, st.conn->peer(),
                 st.delayed);
    send_error(self, "excess flood");
    counters::add(counters::total::excess_flood_cuts);
    st.held.clear();
    st.waiting = waiting_for::token; // and no timer: nothing more is handled
    st.conn->frame_done();
    st.conn->close();
    return true;
  }
  ++st.delayed;
  counters::add(counters::total::rate_limit_waits);
  st.waiting = waiting_for::token;
  st.held.insert(st.held.begin(), std::move(f));
  self->delayed_send(self, wait, retry_atom_v);
  return true;
}

// Nothing waits any more: a flood, if there was one, is over.
void caught_up(session_ptr self) {
  auto& st = self->state;
  if (!st.flooding_since) return;
  spdlog::info("flood over user={} delayed={}", st.user, st.delayed);
  st.flooding_since.reset();
  st.delayed = 0;
}

// Every received frame ends here, once: its transport credit is returned after handling.
void handle(session_ptr self, inbound_frame& f) {
  // A part stands for its message: only the last one, once the message is whole, goes on as
  // that message, in its place in the client's order (docs/PROTOCOL.md "Receiving").
  if (f.type == v2::part_type && sends_parts(self->state) && !reassemble(self, f))
    return self->state.conn->frame_done();
  if (wait_for_token(self, f)) return; // handled (and credited) when its token is there
  on_frame(self, f);
  self->state.conn->frame_done();
}

// BROADCAST_MSG: a message to the default channel, from a client of either version.
void on_broadcast(session_ptr self, const inbound_frame& f) {
  auto& st = self->state;
  if (st.user.empty()) return send_error(self, "login first");
  auto lobby = st.channels.find(std::string{default_channel});
  if (lobby == st.channels.end()) return send_error(self, "not a member of lobby");
  if (!delivery_fits(self, default_channel, f.payload.size()))
    return send_error(self, "message too long");
  take_message_token(self);
  self->send(lobby->second.channel, post_atom_v, st.user, f.payload);
}

void on_text_frame(session_ptr self, const inbound_frame& f) {
  if (!is_valid_utf8(f.payload)) return send_error(self, "invalid UTF-8");
  if (f.type == static_cast<uint8_t>(frame_type::broadcast_msg)) return on_broadcast(self, f);
  // SEND_MSG: echoed to the sender; the reply's body is type byte, "Echo: ", text.
  if (1 + 6 + f.payload.size() > max_body(self->state)) return send_error(self, "message too long");
  self->state.conn->send(encode(frame_type::send_msg, "Echo: " + f.payload));
}

// A frame type 64..127 goes to its handler, if one is registered, with the sender's name.
bool forward_extension(session_ptr self, inbound_frame& f) {
  auto& st = self->state;
  if (f.type < v2::first_extension_type || f.type > v2::last_extension_type ||
      !st.limits->extensions)
    return false;
  auto i = st.limits->extensions->find(f.type);
  if (i == st.limits->extensions->end()) return false;
  if (st.user.empty()) {
    send_error(self, "login first");
    return true;
  }
  self->send(i->second, extension_atom_v, f.type, st.user, std::move(f.payload),
             caf::actor_cast<client_link>(self));
  return true;
}

void on_frame(session_ptr self, inbound_frame& f) {
  if (v2::is_v2_type(f.type)) return on_v2_frame(self, f);
  if (forward_extension(self, f)) return;
  switch (static_cast<frame_type>(f.type)) {
  case frame_type::login:
    return on_login(self, f.payload);
  case frame_type::send_msg:
  case frame_type::broadcast_msg:
    return on_text_frame(self, f);
  case frame_type::ping:
    return self->state.conn->send(encode(frame_type::pong, f.payload));
  case frame_type::pong:
    return; // the answer to our heartbeat; its arrival alone is the point
  case frame_type::error:
    // A client's complaint: log it, never answer it (two peers must not trade ERRORs forever).
    spdlog::debug("client error frame peer={} text=\"{}\"", self->state.conn->peer(), f.payload);
    return;
  }
  send_error(self, "unknown frame type " + std::to_string(f.type));
}

void on_received(session_ptr self, inbound_frame& f) {
  auto& st = self->state;
  if (st.waiting == waiting_for::nothing) {
    handle(self, f);
    if (st.waiting == waiting_for::nothing) caught_up(self);
    return;
  }
  if (st.held.size() >= max_held_frames) {
    // The roster or directory has not answered for a long time (or the client floods past
    // the transport's read credit); better to say so than to grow without bound.
    send_error(self, st.waiting == waiting_for::login  ? "too many frames while login is pending"
                     : st.waiting == waiting_for::join ? "too many frames while a join is pending"
                                                       : "excess flood");
    st.conn->frame_done();
    return st.conn->close();
  }
  st.held.push_back(std::move(f));
}

caf::result<caf::ok_atom> on_direct(session_ptr self, const std::string& from,
                                    const std::string& text) {
  auto& st = self->state;
  if (st.user.empty() || st.version < 2) return make_error(errc::no_direct, st.user);
  if (v2::dm_delivery_body_size(from.size(), text.size()) > max_body(st))
    return make_error(errc::too_long_for_client, st.user);
  st.conn->send(v2::encode(v2::dm_delivery{from, text}));
  return caf::ok_atom_v;
}

} // namespace

namespace session_detail {

// Frames held while a request was pending, in arrival order, until one of them waits again.
void release_held(session_ptr self) {
  auto held = std::move(self->state.held);
  self->state.held.clear();
  for (std::size_t i = 0; i < held.size(); ++i) {
    if (self->state.waiting != waiting_for::nothing) {
      self->state.held.insert(self->state.held.end(), std::make_move_iterator(held.begin() + i),
                              std::make_move_iterator(held.end()));
      return;
    }
    handle(self, held[i]);
  }
  if (self->state.waiting == waiting_for::nothing) caught_up(self);
}

} // namespace session_detail

namespace {

// The session whose handler this thread is running, if any (session_base::resume).
thread_local session_ptr running = nullptr;

// The handlers every session shares: built once, they reach their session through `running`.
session_actor::behavior_type shared_behavior() {
  return {
      [](received_atom, inbound_frame& f) { on_received(running, f); },
      [](violated_atom, const std::string& reason) {
        auto self = running;
        counters::add(counters::total::protocol_violations);
        spdlog::info("protocol violation peer={} user={} reason=\"{}\"", self->state.conn->peer(),
                     self->state.user, reason);
        send_error(self, reason);
        self->state.conn->close(); // after the ERROR frame has gone out
      },
      [](closed_atom, const std::string& reason) {
        auto self = running;
        auto& st = self->state;
        auto traffic = st.conn->counters();
        spdlog::info("close peer={} user={} reason=\"{}\" bytes_in={} bytes_out={}",
                     st.conn->peer(), st.user.empty() ? "-" : st.user, reason, traffic.bytes_in,
                     traffic.bytes_out);
        self->quit(); // roster and channels see the down message; the connection dies here
      },
      [](expire_atom) { expire_parts(running); },
      [](retry_atom) {
        auto self = running;
        if (self->state.waiting != waiting_for::token) return;
        self->state.waiting = waiting_for::nothing;
        release_held(self);
      },
      [](deliver_atom, const frame_batch& batch) {
        // Channels write to the outboxes this session gave them; a deliver comes only from a
        // member_actor user that has none. Not logged in, yet delivered to: a channel that
        // admitted us before we lost our name; the leave that undoes it is on its way.
        if (running->state.user.empty()) return;
        running->state.conn->send(batch);
      },
      [](direct_atom, const std::string&, const std::string& from, const std::string& text) {
        return on_direct(running, from, text);
      },
      [](send_atom, const frame& f) { running->state.conn->send(f); }, // an extension's answer
      [](evict_atom) {
        // In a cluster, an earlier login of our name on another node won (docs/CLUSTER.md): we
        // are logged out, the connection stays, and a LOGIN with another name may follow.
        auto self = running;
        auto& st = self->state;
        spdlog::info("logged out user={} peer={} reason=\"name taken on another node\"", st.user,
                     st.conn->peer());
        leave_all(self);
        st.user.clear();
        send_error(self, "name taken");
      },
  };
}

} // namespace

caf::resumable::resume_result session_base::resume(caf::execution_unit* ctx,
                                                   size_t max_throughput) {
  running = static_cast<session_ptr>(this); // only sessions are made of this class
  auto result = super::resume(ctx, max_throughput);
  running = nullptr; // the actor may be gone now
  return result;
}

session_actor::behavior_type session(session_ptr self, roster_actor roster,
                                     directory_actor directory, transport::connection_ptr conn,
                                     std::shared_ptr<const session_limits> limits) {
  auto& st = self->state;
  st.roster = std::move(roster);
  st.directory = std::move(directory);
  // Whatever ends the actor (quit, kill, exception) takes its socket down too. The transport's
  // connection, not our view of it: that one goes with the state before this runs.
  self->attach_functor([weak = std::weak_ptr<transport::connection>{conn}] {
    if (auto c = weak.lock()) c->close();
  });
  st.conn = std::make_shared<multipart_connection>(std::move(conn), limits->max_frame);
  st.messages = {limits->max_broadcast_rate, limits->broadcast_burst, self->clock().now()};
  st.limits = std::move(limits);
  static const session_actor::behavior_type behavior = shared_behavior();
  return behavior;
}

} // namespace chat
