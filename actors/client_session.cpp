#include "actors/client_session.hpp"

#include "messages/frame_encoder.hpp"

namespace chat {

client_session_actor::behavior_type
client_session(client_session_ptr self, transport::connection_ptr conn, client_observer observer) {
  self->state.conn = std::move(conn);
  self->state.observer = std::move(observer);
  self->attach_functor([weak = std::weak_ptr<transport::connection>{self->state.conn}] {
    if (auto c = weak.lock()) c->close();
  });
  self->monitor(self->state.observer);
  self->set_down_handler([self](const caf::down_msg&) { self->quit(); }); // nobody listens
  auto send = [self](frame_type type, const std::string& payload) {
    self->state.conn->send(encode(type, payload));
  };
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
      [send](login_atom, const std::string& name) { send(frame_type::login, name); },
      [send](echo_atom, const std::string& text) { send(frame_type::send_msg, text); },
      [send](broadcast_atom, const std::string& text) { send(frame_type::broadcast_msg, text); },
      [self](send_atom, uint8_t type, const std::string& payload) {
        self->state.conn->send(encode(type, payload));
      },
      [self](raw_atom, const std::string& raw) {
        self->state.conn->send(frame{std::vector<char>(raw.begin(), raw.end())});
      },
      [self](quit_atom) { self->state.conn->close(); },
  };
}

} // namespace chat
