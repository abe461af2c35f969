#include "actors/client_session.hpp"
#include "actors/part_expiry.hpp"

#include "messages/frame_encoder.hpp"
#include "messages/protocol_v2.hpp"

namespace chat {

namespace {

// One queued part now, and the next one after whatever else is in the mailbox by then: frames
// sent meanwhile go out between the parts, so a large message does not hold up the chat behind
// it (docs/PROTOCOL.md "Sending": one part, then whatever has been queued since).
void send_next_part(client_session_ptr self) {
  auto& st = self->state;
  if (auto part = st.parts.next_part()) st.conn->send(std::move(*part));
  st.sending_parts = st.parts.sending();
  if (st.sending_parts) self->send(self, retry_atom_v);
}

void send_out(client_session_ptr self, frame f) {
  auto& st = self->state;
  // Over UDP the connection cuts what does not fit a datagram itself (parts never nest).
  if (st.conn->carries_large_frames() || !st.parts.queue(f)) return st.conn->send(std::move(f));
  if (!st.sending_parts) send_next_part(self);
}

// A PART from the server: true if `f` is now the whole frame it completed. A part the
// reassembly refuses is the server's fault, and nothing of its message is shown.
bool reassemble(client_session_ptr self, inbound_frame& f) {
  auto& st = self->state;
  auto outcome = st.parts.add(f.payload, self->clock().now(), st.conn->carries_large_frames());
  if (outcome.what == v2::part_outcome::kind::complete) {
    f = std::move(outcome.message);
    return true;
  }
  if (outcome.what == v2::part_outcome::kind::incomplete) arm_part_expiry(self);
  return false;
}

} // namespace

client_session_actor::behavior_type configured_client_session(client_session_ptr self,
                                                              transport::connection_ptr conn,
                                                              client_observer observer,
                                                              client_session_config config) {
  self->state.conn = std::move(conn);
  self->state.observer = std::move(observer);
  self->attach_functor([weak = std::weak_ptr<transport::connection>{self->state.conn}] {
    if (auto c = weak.lock()) c->close();
  });
  self->monitor(self->state.observer);
  self->set_down_handler([self](const caf::down_msg&) { self->quit(); }); // nobody listens
  // Queued before any command is handled, so HELLO precedes LOGIN on the wire, as it must.
  if (config.version >= v2::version)
    self->state.conn->send(
        v2::encode(v2::hello_request{std::min(config.version, v2::highest_version)}));
  auto send = [self](frame f) { send_out(self, std::move(f)); };
  return {
      [self](received_atom, inbound_frame& f) {
        auto& st = self->state;
        if (f.type == static_cast<uint8_t>(v2::type::hello)) {
          auto hello = v2::decode_hello_reply(f.payload);
          if (auto* h = std::get_if<v2::hello_reply>(&hello)) st.parts.on_hello(*h);
        }
        bool parts = st.parts.enabled() || st.conn->carries_large_frames(); // version 3, UDP
        if (f.type == v2::part_type && parts && !reassemble(self, f)) return st.conn->frame_done();
        if (f.type == static_cast<uint8_t>(frame_type::ping))
          self->state.conn->send(encode(frame_type::pong, f.payload));
        self->send(self->state.observer, received_atom_v, f);
        self->state.conn->frame_done();
      },
      [self](violated_atom, const std::string& reason) {
        self->state.violation = "server broke the framing: " + reason;
        self->state.conn->close();
      },
      [self](closed_atom, const std::string& reason) {
        auto& st = self->state;
        self->send(st.observer, closed_atom_v, st.violation.empty() ? reason : st.violation);
        self->quit();
      },
      [send](login_atom, const std::string& name) { send(encode(frame_type::login, name)); },
      [send](echo_atom, const std::string& text) { send(encode(frame_type::send_msg, text)); },
      [send](broadcast_atom, const std::string& text) {
        send(encode(frame_type::broadcast_msg, text));
      },
      [send](send_atom, uint8_t type, const std::string& payload) { send(encode(type, payload)); },
      [send](raw_atom, const std::string& raw) {
        send(frame{std::vector<char>(raw.begin(), raw.end())});
      },
      [self](quit_atom) {
        auto& st = self->state;
        while (auto part = st.parts.next_part()) // what was said goes out before the close
          st.conn->send(std::move(*part));
        st.conn->close();
      },
      [self](retry_atom) { send_next_part(self); },
      [self](expire_atom) {
        self->state.parts.timer_set = false;
        self->state.parts.expire(self->clock().now()); // dropped whole, never shown
        arm_part_expiry(self);
      },
      [send](join_atom, uint32_t ref, std::string& channel) {
        send(v2::encode(v2::join_request{ref, std::move(channel)}));
      },
      [send](leave_atom, uint32_t ref, std::string& channel) {
        send(v2::encode(v2::leave_request{ref, std::move(channel)}));
      },
      [send](post_atom, uint32_t ref, std::string& channel, std::string& text) {
        send(v2::encode(v2::msg_request{ref, std::move(channel), std::move(text)}));
      },
      [send](direct_atom, uint32_t ref, std::string& to, std::string& text) {
        send(v2::encode(v2::dm_request{ref, std::move(to), std::move(text)}));
      },
      [send](who_atom, uint32_t ref, std::string& channel, std::string& after, uint16_t limit) {
        send(v2::encode(v2::who_request{ref, std::move(channel), std::move(after), limit}));
      },
      [send](list_atom, uint32_t ref, std::string& after, uint16_t limit) {
        send(v2::encode(v2::list_request{ref, std::move(after), limit}));
      },
      [send](join_atom, uint32_t ref, std::string& channel, const replay_request& replay) {
        send(v2::encode(v2::join_request{ref, std::move(channel), replay}));
      },
      [send](history_atom, uint32_t ref, std::string& channel, uint64_t before, uint16_t limit) {
        send(v2::encode(v2::history_request{ref, std::move(channel), before, limit}));
      },
  };
}

client_session_actor::behavior_type
client_session(client_session_ptr self, transport::connection_ptr conn, client_observer observer) {
  return configured_client_session(self, std::move(conn), std::move(observer), {});
}

} // namespace chat
