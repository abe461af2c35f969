#include "actors/client_session.hpp"

#include "messages/frame_encoder.hpp"
#include "messages/protocol_v2.hpp"

namespace chat {

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
    self->state.conn->send(v2::encode(v2::hello_request{v2::version}));
  auto send = [self](frame f) { self->state.conn->send(std::move(f)); };
  return {
      [self](received_atom, const inbound_frame& f) {
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
      [self](quit_atom) { self->state.conn->close(); },
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
