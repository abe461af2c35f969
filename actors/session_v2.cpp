// session_v2.cpp -- the version-2 requests of a session (docs/PROTOCOL.md "Version 2"): HELLO,
// JOIN, LEAVE, MSG, DM, and the dispatch of every version-2 type (the paged ones, WHO, LIST and
// HISTORY, are in session_pages.cpp). Each request is decoded strictly, checked against the
// session's bounds, and answered with a REPLY carrying its ref.
#include "actors/session.hpp"
#include "actors/session_requests.hpp"

#include "messages/channel_name.hpp"
#include "messages/errors.hpp"
#include "messages/frame_encoder.hpp"
#include "messages/login_name.hpp"
#include "messages/protocol_v2.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <variant>

namespace chat {

namespace {

using namespace session_detail;

constexpr std::string_view features = "channels,direct,presence,history";
// Added when LOGIN needs a token (--auth token), so a client knows to send one.
constexpr std::string_view token_feature = ",token";
// Added for a version-3 client: it may send PART frames, and gets them (docs/PROTOCOL.md).
constexpr std::string_view multipart_feature = ",multipart";

// REPLY ok, with a note (send_reply's text would make it a refusal).
void send_ok(session_ptr self, uint32_t ref, std::string text) {
  self->state.conn->send(v2::encode(v2::reply{ref, v2::status::ok, std::move(text)}));
}

void on_hello(session_ptr self, const inbound_frame& f) {
  auto& st = self->state;
  auto decoded = v2::decode_hello_request(f.payload);
  // A client that never said HELLO and sends type 7 with some other payload is a version-1
  // client sending a type it does not know: it gets what version 1 always answered.
  if (st.version < v2::version && std::holds_alternative<std::string>(decoded))
    return send_error(self, "unknown frame type " + std::to_string(f.type));
  auto hello = decoded_or_error(self, std::move(decoded));
  if (!hello) return;
  if (!st.user.empty()) return send_error(self, "HELLO must come before LOGIN");
  if (hello->version < v2::version)
    return send_error(self, "unsupported protocol version " + std::to_string(hello->version));
  st.version = std::min(hello->version, v2::highest_version); // the highest both speak
  st.conn->take_parts(st.version >= v2::multipart_version);
  v2::server_limits limits;
  limits.max_frame = static_cast<uint32_t>(st.limits->max_frame);
  limits.max_channel_name = static_cast<uint16_t>(max_channel_name);
  limits.max_channels_per_user = st.limits->max_channels_per_user;
  limits.max_channel_members = st.limits->max_channel_members;
  limits.page_size = st.limits->page_size;
  limits.max_message_rate_milli = static_cast<uint32_t>(st.limits->max_broadcast_rate * 1000);
  std::string said{features};
  if (st.limits->tokens) said += token_feature;
  if (st.version >= v2::multipart_version) {
    said += multipart_feature;
    limits.max_message = static_cast<uint32_t>(st.limits->parts.max_message);
    limits.max_parts = st.limits->parts.max_parts;
  }
  st.conn->send(v2::encode(v2::hello_reply{st.version, std::move(said), limits}));
}

// A replay of `count` messages asks at most one retention's worth: the rest is refused rather
// than cut, so a client never mistakes a short replay for the whole of what it missed.
bool valid_replay(session_ptr self, const v2::join_request& join) {
  auto most = self->state.limits->max_replay;
  if (join.replay->count <= most) return true;
  send_reply(self, join.ref, "count too large (at most " + std::to_string(most) + ")");
  return false;
}

// The channel took us: its answer to the client first (REPLY, or JOINED for the long form),
// then the channel's batches through the outbox, our own presence first among them.
void now_in(session_ptr self, const std::string& name, channel_handle ch,
            std::shared_ptr<session_outbox> outbox, frame answer) {
  self->state.channels.emplace(name, joined_channel{std::move(ch), outbox});
  self->state.waiting = waiting_for::nothing;
  self->state.conn->send(std::move(answer));
  open_outbox(self, *outbox);
  release_held(self);
}

void join_refused(session_ptr self, uint32_t ref, const caf::error& err) {
  self->state.waiting = waiting_for::nothing;
  send_reply(self, ref, refusal_reason(err));
  release_held(self);
}

// JOIN's long form: the channel puts the replay in the outbox before any live batch, and the
// JOINED answer goes out before the outbox opens, so the client reads JOINED, the replayed
// MSGs, then live ones: no gap, no duplicate.
void join_with_history(session_ptr self, uint32_t ref, const std::string& name,
                       std::shared_ptr<session_outbox> outbox, const replay_request& ask) {
  auto& st = self->state;
  self->request(st.directory, caf::infinite, join_atom_v, name, st.user, member_actor{self}, true,
                member_outbox_ptr{outbox}, ask)
      .then(
          [self, ref, name, outbox](channel_handle ch, stream_position& position) {
            now_in(self, name, std::move(ch), outbox,
                   v2::encode(v2::joined_reply{ref, name, position}));
          },
          [self, ref](caf::error& err) { join_refused(self, ref, err); });
}

void on_join(session_ptr self, const inbound_frame& f) {
  auto join = decoded_or_error(self, v2::decode_join_request(f.payload));
  if (!join || !logged_in(self, join->ref) || !valid_channel(self, join->ref, join->channel))
    return;
  auto& st = self->state;
  if (st.channels.count(join->channel) > 0) return send_ok(self, join->ref, "already a member");
  if (!token_allows(st, join->channel))
    return send_reply(self, join->ref, "channel not allowed by token");
  if (join->replay && !valid_replay(self, *join)) return;
  if (st.channels.size() >= st.limits->max_channels_per_user)
    return send_reply(self, join->ref,
                      "too many channels (at most " +
                          std::to_string(st.limits->max_channels_per_user) + " per user)");
  st.waiting = waiting_for::join;
  auto ref = join->ref;
  auto name = join->channel;
  auto outbox = std::make_shared<session_outbox>(st.conn);
  if (join->replay) return join_with_history(self, ref, name, outbox, *join->replay);
  self->request(st.directory, caf::infinite, join_atom_v, name, st.user, member_actor{self}, true,
                member_outbox_ptr{outbox})
      .then(
          [self, ref, name, outbox](channel_handle ch) {
            now_in(self, name, std::move(ch), outbox,
                   v2::encode(v2::reply{ref, v2::status::ok, {}}));
          },
          [self, ref](caf::error& err) { join_refused(self, ref, err); });
}

void on_leave(session_ptr self, const inbound_frame& f) {
  auto leave = decoded_or_error(self, v2::decode_leave_request(f.payload));
  if (!leave || !logged_in(self, leave->ref) || !valid_channel(self, leave->ref, leave->channel))
    return;
  auto& st = self->state;
  auto i = st.channels.find(leave->channel);
  if (i == st.channels.end())
    return send_reply(self, leave->ref, "not a member of " + leave->channel);
  // The outbox stays open: what the channel accepted before our leave still reaches the client.
  self->send(i->second.channel, leave_atom_v, st.user);
  st.channels.erase(i);
  send_reply(self, leave->ref);
}

void on_msg(session_ptr self, const inbound_frame& f) {
  auto msg = decoded_or_error(self, v2::decode_msg_request(f.payload));
  if (!msg || !logged_in(self, msg->ref)) return;
  auto& st = self->state;
  auto i = st.channels.find(msg->channel);
  // A joined channel's name was checked at its JOIN; the rules run only for a name not joined,
  // so that the sender hears which rule it broke rather than "not a member".
  if (i == st.channels.end()) {
    if (valid_channel(self, msg->ref, msg->channel))
      send_reply(self, msg->ref, "not a member of " + msg->channel);
    return;
  }
  if (!delivery_fits(self, msg->channel, msg->text.size()))
    return send_reply(self, msg->ref, "message too long");
  take_message_token(self);
  // No REPLY on success: the message itself comes back to the sender, in the channel's order.
  self->send(i->second.channel, post_atom_v, st.user, std::move(msg->text));
}

// Nobody holds `to` now: the DM waits in their inbox for their next login.
void keep_direct(session_ptr self, uint32_t ref, const std::string& to, const std::string& text) {
  auto& st = self->state;
  self->request(st.limits->inbox, caf::infinite, keep_atom_v, to, st.user, text)
      .then([self, ref, to](caf::ok_atom) { send_ok(self, ref, "kept until " + to + " logs in"); },
            [self, ref](caf::error& err) { send_reply(self, ref, refusal_reason(err)); });
}

void on_dm(session_ptr self, const inbound_frame& f) {
  auto dm = decoded_or_error(self, v2::decode_dm_request(f.payload));
  if (!dm || !logged_in(self, dm->ref)) return;
  auto& st = self->state;
  if (login_name_error(dm->to) != nullptr) return send_reply(self, dm->ref, "no such user");
  if (v2::dm_delivery_body_size(st.user.size(), dm->text.size()) > max_body(st))
    return send_reply(self, dm->ref, "message too long");
  take_message_token(self);
  auto ref = dm->ref;
  // No timeout of its own (see roster.cpp): in a cluster the node bounds its questions to
  // other nodes, and everything else is an actor of this node.
  // Kept for the inbox, should nobody hold `to`; a copy only where there is an inbox.
  auto to = dm->to;
  auto text = st.limits->inbox ? dm->text : std::string{};
  self->request(st.roster, caf::infinite, direct_atom_v, dm->to, st.user, std::move(dm->text))
      .then([self, ref](caf::ok_atom) { send_reply(self, ref); },
            [self, ref, to, text](caf::error& err) {
              if (err == make_error(errc::no_such_user) && self->state.limits->inbox)
                return keep_direct(self, ref, to, text);
              send_reply(self, ref, refusal_reason(err));
            });
}

} // namespace

namespace session_detail {

void send_reply(session_ptr self, uint32_t ref, std::string text) {
  auto result = text.empty() ? v2::status::ok : v2::status::refused;
  self->state.conn->send(v2::encode(v2::reply{ref, result, std::move(text)}));
}
// The words a refusal between actors becomes for the client.
std::string refusal_reason(const caf::error& err) {
  for (auto code : {errc::no_such_user, errc::no_direct, errc::no_such_channel, errc::channel_full,
                    errc::too_many_channels, errc::no_history, errc::too_long_for_client})
    if (err == make_error(code)) return to_string(code);
  return "server busy";
}

uint16_t page_limit(session_ptr self, uint16_t asked) {
  auto most = self->state.limits->page_size;
  return asked == 0 || asked > most ? most : asked;
}

bool logged_in(session_ptr self, uint32_t ref) {
  if (!self->state.user.empty()) return true;
  send_reply(self, ref, "login first");
  return false;
}

bool valid_channel(session_ptr self, uint32_t ref, const std::string& name) {
  if (auto reason = channel_name_error(name)) {
    send_reply(self, ref, reason);
    return false;
  }
  return true;
}

void deliver_kept_directs(session_ptr self) {
  auto& st = self->state;
  if (!st.limits->inbox) return;
  self->request(st.limits->inbox, caf::infinite, take_atom_v, st.user)
      .then(
          [self](std::vector<history_entry>& kept) {
            for (auto& e : kept)
              self->state.conn->send(
                  v2::encode(v2::dm_delivery{std::move(e.sender), std::move(e.text)}));
          },
          [](caf::error&) {}); // an inbox that is gone has nothing to hand over
}

void on_v2_frame(session_ptr self, inbound_frame& f) {
  auto type = static_cast<v2::type>(f.type);
  if (type == v2::type::hello) return on_hello(self, f);
  if (self->state.version < v2::version) {
    // A version-1 client never learns of version-2 types; it gets what any unknown type gets.
    return send_error(self, "unknown frame type " + std::to_string(f.type));
  }
  switch (type) {
  case v2::type::join:
    return on_join(self, f);
  case v2::type::leave:
    return on_leave(self, f);
  case v2::type::msg:
    return on_msg(self, f);
  case v2::type::dm:
    return on_dm(self, f);
  case v2::type::who:
    return on_who(self, f);
  case v2::type::list:
    return on_list(self, f);
  case v2::type::history:
    return on_history(self, f);
  case v2::type::hello:
  case v2::type::reply:
  case v2::type::presence:
  case v2::type::who_reply:
  case v2::type::list_reply:
  case v2::type::joined:
  case v2::type::history_reply:
    return send_error(self, frame_type_name(f.type) + " is sent by the server only");
  }
  send_error(self, "unknown frame type " + std::to_string(f.type));
}

} // namespace session_detail

} // namespace chat
