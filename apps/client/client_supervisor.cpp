#include "apps/client/client_supervisor.hpp"

#include "actors/client_session.hpp"
#include "messages/errors.hpp"
#include "messages/frame_encoder.hpp"
#include "transport/connector.hpp"

#include <algorithm>

namespace chat {

namespace {

void set_state(client_supervisor_ptr self, client_state s, const std::string& why) {
  if (self->state.callbacks.on_state) self->state.callbacks.on_state(s, why);
}

void send_frame(client_supervisor_ptr self, frame_type type, const std::string& payload) {
  caf::anon_send(self->state.session, send_atom_v, static_cast<uint8_t>(type), payload);
}

// Starts one connect attempt; its outcome comes back as connected_atom or failed_atom.
void attempt(client_supervisor_ptr self) {
  auto& st = self->state;
  if (st.attempting || st.session || st.quitting) return;
  st.attempting = true;
  auto id = ++st.attempt;
  set_state(self, client_state::connecting,
            st.options.host + ":" + std::to_string(st.options.port));
  auto me = client_supervisor_actor{self};
  auto* sys = &self->system();
  transport::async_connect(*st.ioc, st.options.host, st.options.port, st.options.limits,
                           [me, sys, id](const boost::system::error_code& ec, auto conn) {
                             if (ec) return caf::anon_send(me, failed_atom_v, id, ec.message());
                             auto session = sys->spawn(client_session, conn, client_observer{me});
                             conn->start(session);
                             caf::anon_send(me, connected_atom_v, id, session);
                           });
  self->delayed_send(self, st.options.timeout, failed_atom_v, id,
                     std::string{"timed out connecting"});
}

void fail_pending(client_supervisor_ptr self, errc code, const std::string& why) {
  auto& st = self->state;
  for (auto& p : st.pending)
    p.reply.deliver(make_error(code, why));
  st.pending.clear();
}

void on_connect_failed(client_supervisor_ptr self, uint64_t id, const std::string& why) {
  auto& st = self->state;
  if (id != st.attempt || !st.attempting)
    return; // a stale attempt (already succeeded, or timed out before)
  st.attempting = false;
  for (auto& w : st.connect_waiters)
    w.deliver(make_error(errc::not_connected, "cannot connect: " + why));
  st.connect_waiters.clear();
  set_state(self, client_state::disconnected, "cannot connect: " + why);
  if (st.options.reconnect && !st.quitting) {
    st.next_wait =
        std::clamp(st.next_wait * 2, st.options.reconnect_first, st.options.reconnect_max);
    self->delayed_send(self, st.next_wait, retry_atom_v, st.attempt);
  }
}

void on_connected(client_supervisor_ptr self, uint64_t id, client_session_actor session) {
  auto& st = self->state;
  if (id != st.attempt || !st.attempting || st.quitting) { // too late: not wanted any more
    caf::anon_send(session, quit_atom_v);
    return;
  }
  st.attempting = false;
  st.session = std::move(session);
  for (auto& w : st.connect_waiters)
    w.deliver(caf::ok_atom_v);
  st.connect_waiters.clear();
  set_state(self, client_state::connected, st.options.host + ":" + std::to_string(st.options.port));
  if (!st.user.empty() && st.options.reconnect) { // log in again as before
    st.requested = st.user;
    send_frame(self, frame_type::login, st.user);
  }
}

void on_closed(client_supervisor_ptr self, const std::string& reason) {
  auto& st = self->state;
  st.session = nullptr;
  st.logged_in = false;
  fail_pending(self, errc::closed, reason);
  if (st.quitting) {
    set_state(self, client_state::disconnected, "client closed");
    return self->quit();
  }
  set_state(self, client_state::disconnected, reason);
  if (st.options.reconnect) {
    st.next_wait = st.options.reconnect_first;
    self->delayed_send(self, st.next_wait, retry_atom_v, st.attempt);
  }
}

bool answers(const pending_request& p, const inbound_frame& f) {
  using kind = pending_request::kind;
  switch (static_cast<frame_type>(f.type)) {
  case frame_type::login:
    return p.what == kind::login;
  case frame_type::send_msg:
    return p.what == kind::echo;
  case frame_type::broadcast_msg:
    return p.what == kind::broadcast && f.payload == p.expect;
  case frame_type::pong:
    return p.what == kind::ping && f.payload == p.expect;
  case frame_type::error: // answers the request it follows; a LOGIN still gets its own reply
    return p.what != kind::login;
  default:
    return false;
  }
}

// Settles the first pending request this frame answers. Requests whose callers gave up are
// dropped first: their answers may never come (a broadcast refused by a rate limit, say).
void settle(client_supervisor_ptr self, const inbound_frame& f) {
  auto& pending = self->state.pending;
  auto now = std::chrono::steady_clock::now();
  while (!pending.empty() && pending.front().deadline < now)
    pending.pop_front();
  auto i = std::find_if(pending.begin(), pending.end(),
                        [&f](const pending_request& p) { return answers(p, f); });
  if (i == pending.end()) return;
  bool refused = f.type == static_cast<uint8_t>(frame_type::error) ||
                 (i->what == pending_request::kind::login && f.payload != "Login OK");
  if (refused)
    i->reply.deliver(make_error(errc::refused, f.payload));
  else
    i->reply.deliver(f.payload);
  pending.erase(i);
}

void on_frame(client_supervisor_ptr self, const inbound_frame& f) {
  auto& st = self->state;
  bool login_reply = f.type == static_cast<uint8_t>(frame_type::login);
  if (login_reply && f.payload == "Login OK") {
    st.user = st.requested;
    st.logged_in = true;
    st.next_wait = st.options.reconnect_first;
    set_state(self, client_state::logged_in, st.user);
  }
  // The callback first: a caller woken by the settled request finds this frame handled already.
  if (st.callbacks.on_frame) st.callbacks.on_frame(f);
  settle(self, f);
}

template <class Result>
caf::result<Result> ask(client_supervisor_ptr self, pending_request::kind what, frame_type type,
                        const std::string& payload, std::string expect) {
  auto& st = self->state;
  if (!st.session) return make_error(errc::not_connected, "not connected");
  auto reply = self->template make_response_promise<std::string>();
  st.pending.push_back(
      {what, std::move(expect), reply, std::chrono::steady_clock::now() + st.options.timeout});
  if (type == frame_type::login) st.requested = payload;
  send_frame(self, type, payload);
  return reply;
}

} // namespace

const char* to_string(client_state s) {
  switch (s) {
  case client_state::connecting:
    return "connecting";
  case client_state::connected:
    return "connected";
  case client_state::logged_in:
    return "logged in";
  case client_state::disconnected:
    return "disconnected";
  }
  return "?";
}

client_supervisor_actor::behavior_type client_supervisor(client_supervisor_ptr self,
                                                         boost::asio::io_context* ioc,
                                                         client_options options,
                                                         client_callbacks callbacks) {
  auto& st = self->state;
  st.ioc = ioc;
  st.options = std::move(options);
  st.callbacks = std::move(callbacks);
  st.next_wait = st.options.reconnect_first;
  self->attach_functor([self] { // the session monitors us, but say goodbye properly
    if (self->state.session) caf::anon_send(self->state.session, quit_atom_v);
  });
  using kind = pending_request::kind;
  return {
      [self](received_atom, const inbound_frame& f) { on_frame(self, f); },
      [self](closed_atom, const std::string& reason) { on_closed(self, reason); },
      [self](connect_atom) -> caf::result<caf::ok_atom> {
        if (self->state.session) return caf::ok_atom_v;
        auto reply = self->make_response_promise<caf::ok_atom>();
        self->state.connect_waiters.push_back(reply);
        attempt(self);
        return reply;
      },
      [self](login_atom, const std::string& name) {
        return ask<std::string>(self, kind::login, frame_type::login, name, name);
      },
      [self](echo_atom, const std::string& text) {
        return ask<std::string>(self, kind::echo, frame_type::send_msg, text, {});
      },
      [self](broadcast_atom, const std::string& text) {
        return ask<std::string>(self, kind::broadcast, frame_type::broadcast_msg, text,
                                self->state.user + ": " + text);
      },
      [self](ping_atom, const std::string& token) {
        return ask<std::string>(self, kind::ping, frame_type::ping, token, token);
      },
      [self](send_atom, uint8_t type, const std::string& payload) {
        if (type == static_cast<uint8_t>(frame_type::login))
          self->state.requested = payload; // becomes `user` once the server says "Login OK"
        caf::anon_send(self->state.session, send_atom_v, type, payload);
      },
      [self](quit_atom) {
        self->state.quitting = true;
        fail_pending(self, errc::closed, "client closed");
        if (self->state.session)
          caf::anon_send(self->state.session, quit_atom_v);
        else
          self->quit();
      },
      [self](connected_atom, uint64_t id, client_session_actor s) { on_connected(self, id, s); },
      [self](failed_atom, uint64_t id, const std::string& why) {
        on_connect_failed(self, id, why);
      },
      [self](retry_atom, uint64_t id) {
        if (id == self->state.attempt && !self->state.session) attempt(self);
      },
  };
}

} // namespace chat
