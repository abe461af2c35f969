#include "actors/session.hpp"

#include "messages/errors.hpp"
#include "messages/frame_encoder.hpp"
#include "messages/login_name.hpp"
#include "messages/utf8.hpp"

#include <spdlog/spdlog.h>

namespace chat {

namespace {

void on_frame(session_ptr self, inbound_frame& f);

void send_error(session_ptr self, std::string_view reason) {
  self->state.conn->send(encode(frame_type::error, reason));
}

void send_login_reply(session_ptr self, std::string_view text) {
  self->state.conn->send(encode(frame_type::login, text));
}

// Every received frame ends here, once: its transport credit is returned after handling.
void handle(session_ptr self, inbound_frame& f) {
  on_frame(self, f);
  self->state.conn->frame_done();
}

// Frames held while a LOGIN was pending, in arrival order, until one of them is a LOGIN again.
void release_held(session_ptr self) {
  auto held = std::move(self->state.held);
  self->state.held.clear();
  for (std::size_t i = 0; i < held.size(); ++i) {
    if (self->state.login_pending) {
      self->state.held.insert(self->state.held.end(), std::make_move_iterator(held.begin() + i),
                              std::make_move_iterator(held.end()));
      return;
    }
    handle(self, held[i]);
  }
}

void on_login(session_ptr self, std::string name) {
  auto& st = self->state;
  if (!st.user.empty())
    return send_login_reply(self, "Login failed: already logged in as " + st.user);
  if (auto reason = login_name_error(name)) {
    if (!is_valid_utf8(name)) send_error(self, "invalid UTF-8");
    return send_login_reply(self, std::string{"Login failed: "} + reason);
  }
  st.login_pending = true;
  self->request(st.room, login_timeout, join_atom_v, name, member_actor{self})
      .then(
          [self, name](caf::ok_atom) {
            self->state.user = name;
            self->state.login_pending = false;
            spdlog::info("login user={} peer={}", name, self->state.conn->peer());
            send_login_reply(self, "Login OK");
            release_held(self);
          },
          [self, name](caf::error& err) {
            self->state.login_pending = false;
            // A join that timed out may still be in the room's mailbox and succeed later;
            // this leave arrives after it (CAF keeps per-pair order) and undoes it.
            if (err == caf::sec::request_timeout) self->send(self->state.room, leave_atom_v, name);
            bool taken = err == make_error(errc::name_taken);
            spdlog::debug("login refused user={} reason=\"{}\"", name, self->system().render(err));
            send_login_reply(self,
                             taken ? "Login failed: name taken" : "Login failed: server busy");
            release_held(self);
          });
}

void on_text_frame(session_ptr self, const inbound_frame& f) {
  if (!is_valid_utf8(f.payload)) return send_error(self, "invalid UTF-8");
  auto& st = self->state;
  // The reply's body: type byte, prefix ("Echo: " or "<name>: "), text.
  auto fits = [&](std::size_t prefix) {
    return 1 + prefix + f.payload.size() <= st.limits.max_frame;
  };
  if (f.type == static_cast<uint8_t>(frame_type::send_msg)) {
    if (!fits(6)) return send_error(self, "message too long");
    return self->state.conn->send(encode(frame_type::send_msg, "Echo: " + f.payload));
  }
  if (st.user.empty()) return send_error(self, "login first");
  if (!fits(st.user.size() + 2)) return send_error(self, "message too long");
  if (!st.broadcasts.take(self->clock().now())) {
    if (st.rate_limited++ == 0) // one log line per flood, not per frame
      spdlog::info("rate limited user={} peer={} max_broadcast_rate={}/s", st.user, st.conn->peer(),
                   st.limits.max_broadcast_rate);
    return send_error(self, "rate limited");
  }
  if (st.rate_limited > 0) {
    spdlog::info("rate limit lifted user={} refused={}", st.user, st.rate_limited);
    st.rate_limited = 0;
  }
  self->send(st.room, broadcast_atom_v, st.user, f.payload);
}

void on_frame(session_ptr self, inbound_frame& f) {
  switch (static_cast<frame_type>(f.type)) {
  case frame_type::login:
    return on_login(self, std::move(f.payload));
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
  if (!st.login_pending) return handle(self, f);
  if (st.held.size() >= max_held_frames) {
    // The room has not answered for a long time; better to say so than to grow without bound.
    send_error(self, "too many frames while login is pending");
    st.conn->frame_done();
    return st.conn->close();
  }
  st.held.push_back(std::move(f));
}

} // namespace

session_actor::behavior_type session(session_ptr self, room_actor room,
                                     transport::connection_ptr conn, session_limits limits) {
  self->state.room = std::move(room);
  self->state.conn = std::move(conn);
  self->state.limits = limits;
  self->state.broadcasts = {limits.max_broadcast_rate, limits.broadcast_burst, self->clock().now()};
  // Whatever ends the actor (quit, kill, exception) takes its socket down too.
  self->attach_functor([weak = std::weak_ptr<transport::connection>{self->state.conn}] {
    if (auto c = weak.lock()) c->close();
  });
  return {
      [self](received_atom, inbound_frame& f) { on_received(self, f); },
      [self](violated_atom, const std::string& reason) {
        spdlog::info("protocol violation peer={} user={} reason=\"{}\"", self->state.conn->peer(),
                     self->state.user, reason);
        send_error(self, reason);
        self->state.conn->close(); // after the ERROR frame has gone out
      },
      [self](closed_atom, const std::string& reason) {
        auto& st = self->state;
        auto traffic = st.conn->counters();
        spdlog::info("close peer={} user={} reason=\"{}\" bytes_in={} bytes_out={}",
                     st.conn->peer(), st.user.empty() ? "-" : st.user, reason, traffic.bytes_in,
                     traffic.bytes_out);
        self->quit(); // the room sees the down message; state (and the connection) dies here
      },
      [self](deliver_atom, const frame_batch& batch) {
        // Not logged in, yet delivered to: the room admitted a join this session had already
        // given up on (timed out); the leave that undoes it is on its way. Not for this client.
        if (self->state.user.empty()) return;
        self->state.conn->send(batch);
      },
      [self](evict_atom) {
        // In a cluster, an earlier login of our name on another node won (docs/CLUSTER.md): we
        // are logged out, the connection stays, and a LOGIN with another name may follow.
        auto& st = self->state;
        spdlog::info("logged out user={} peer={} reason=\"name taken on another node\"", st.user,
                     st.conn->peer());
        st.user.clear();
        send_error(self, "name taken");
      },
  };
}

} // namespace chat
