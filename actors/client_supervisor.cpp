// client_supervisor.cpp -- the life of a client connection: connect attempts, the session of
// each connection, losing it, reconnecting with back-off, and the requests' entry points.
//
//   disconnected --connect--> connecting --dialed--> connected --Login OK--> logged_in
//        ^                        |                      |                      |
//        +------ failed ----------+------ closed --------+-------- closed ------+
//   (with reconnect on, disconnected tries again after a wait doubling up to reconnect_max)
#include "actors/client_supervisor.hpp"

#include "actors/client_session.hpp"
#include "auth/login_credentials.hpp"
#include "messages/errors.hpp"

#include <algorithm>

namespace chat {

namespace {

using namespace client_detail;
using kind = pending_request::kind;

// Starts one connect attempt; its outcome comes back as connected_atom or failed_atom.
void attempt(client_supervisor_ptr self) {
  auto& st = self->state;
  if (st.attempting || st.session || st.quitting) return;
  st.attempting = true;
  auto id = ++st.attempt;
  // Reset here, not in on_connected: the session's first frames (HELLO's answer) come from the
  // session and connected_atom from the dialing thread, so they may arrive in either order.
  st.hello_pending = st.options.version >= v2::version;
  st.server_v2 = false;
  st.server_history = false;
  st.server_max_frame = 0;
  st.server_max_message = 0;
  report(self, client_state::connecting, st.options.address);
  auto me = client_supervisor_actor{self};
  auto* sys = &self->system();
  client_session_config config{st.options.version};
  st.dial([me, sys, id, config](dialed d) { // on an I/O thread
    if (!d.conn) return caf::anon_send(me, failed_atom_v, id, d.error);
    auto session = sys->spawn(configured_client_session, d.conn, client_observer{me}, config);
    d.start(session);
    caf::anon_send(me, connected_atom_v, id, session);
  });
  self->delayed_send(self, st.options.timeout, failed_atom_v, id,
                     std::string{"timed out connecting"});
}

void on_connect_failed(client_supervisor_ptr self, uint64_t id, const std::string& why) {
  auto& st = self->state;
  if (id != st.attempt || !st.attempting)
    return; // a stale attempt (already succeeded, or timed out before)
  st.attempting = false;
  for (auto& w : st.connect_waiters)
    w.deliver(make_error(errc::not_connected, "cannot connect: " + why));
  st.connect_waiters.clear();
  report(self, client_state::disconnected, "cannot connect: " + why);
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
  st.session = std::move(session); // it said HELLO first thing; see attempt()
  for (auto& w : st.connect_waiters)
    w.deliver(caf::ok_atom_v);
  st.connect_waiters.clear();
  report(self, client_state::connected, st.options.address);
  if (!st.user.empty() && st.options.reconnect) { // log in again as before
    st.requested = st.user;
    caf::anon_send(st.session, login_atom_v, auth::login_payload(st.user, st.options.token));
  }
}

void on_closed(client_supervisor_ptr self, const std::string& reason) {
  auto& st = self->state;
  st.session = nullptr;
  st.logged_in = false;
  fail_pending(self, errc::closed, reason);
  if (st.quitting) {
    report(self, client_state::disconnected, "client closed");
    return self->quit();
  }
  report(self, client_state::disconnected, reason);
  if (st.options.reconnect) {
    st.next_wait = st.options.reconnect_first;
    self->delayed_send(self, st.next_wait, retry_atom_v, st.attempt);
  }
}

void on_quit(client_supervisor_ptr self) {
  self->state.quitting = true;
  fail_pending(self, errc::closed, "client closed");
  if (self->state.session)
    caf::anon_send(self->state.session, quit_atom_v);
  else
    self->quit();
}

// A request for the server, answered through a promise of type Promise (the handler returns
// it) or through `done`.
pending_request request(kind what, std::string target = {}, std::string text = {}) {
  pending_request p;
  p.what = what;
  p.target = std::move(target);
  p.text = std::move(text);
  return p;
}

template <class Promise, class Member>
Promise ask_sync(client_supervisor_ptr self, pending_request p, Member member) {
  auto promise = self->template make_response_promise<Promise>();
  p.*member = promise;
  ask(self, std::move(p));
  return promise;
}

caf::typed_response_promise<std::string> ask_text(client_supervisor_ptr self, pending_request p) {
  return ask_sync<caf::typed_response_promise<std::string>>(self, std::move(p),
                                                            &pending_request::reply);
}

void ask_async(client_supervisor_ptr self, pending_request p, client_done done) {
  p.done = std::move(done);
  ask(self, std::move(p));
}

pending_request page_request(kind what, std::string target, std::string after, uint16_t limit,
                             bool all) {
  auto p = request(what, std::move(target), std::move(after));
  p.limit = limit;
  p.all = all;
  return p;
}

} // namespace

namespace client_detail {

void report(client_supervisor_ptr self, client_state s, const std::string& why) {
  if (self->state.callbacks.on_state) self->state.callbacks.on_state(s, why);
}

} // namespace client_detail

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

client_supervisor_actor::behavior_type client_supervisor(client_supervisor_ptr self, dialer dial,
                                                         client_supervisor_options options,
                                                         client_callbacks callbacks) {
  auto& st = self->state;
  st.dial = std::move(dial);
  st.options = std::move(options);
  st.callbacks = std::move(callbacks);
  st.next_wait = st.options.reconnect_first;
  // No goodbye to the session from an attach_functor: by the time it runs (after a kill, say)
  // the state is already destroyed. The session monitors us and closes its connection instead.
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
      [self](login_atom, std::string& name) {
        auto p = request(kind::login, name);
        p.expect = std::move(name);
        return ask_text(self, std::move(p));
      },
      [self](echo_atom, std::string& text) {
        return ask_text(self, request(kind::echo, {}, text));
      },
      [self](broadcast_atom, std::string& text) {
        return ask_text(self, request(kind::broadcast, {}, std::move(text)));
      },
      [self](ping_atom, std::string& token) {
        return ask_text(self, request(kind::ping, {}, std::move(token)));
      },
      [self](join_atom, std::string& ch) { return ask_text(self, request(kind::join, ch)); },
      [self](leave_atom, std::string& ch) { return ask_text(self, request(kind::leave, ch)); },
      [self](post_atom, std::string& ch, std::string& text) {
        return ask_text(self, request(kind::post, std::move(ch), std::move(text)));
      },
      [self](direct_atom, std::string& to, std::string& text) {
        return ask_text(self, request(kind::direct, std::move(to), std::move(text)));
      },
      [self](who_atom, std::string& ch, std::string& after, uint16_t limit, bool all) {
        return ask_sync<who_promise>(self, page_request(kind::who, ch, after, limit, all),
                                     &pending_request::who_reply);
      },
      [self](list_atom, std::string& after, uint16_t limit, bool all) {
        return ask_sync<list_promise>(self, page_request(kind::list, {}, after, limit, all),
                                      &pending_request::list_reply);
      },
      [self](history_atom, std::string& ch, uint64_t before, uint16_t limit) {
        auto p = request(kind::history, std::move(ch));
        p.before = before;
        p.limit = limit;
        return ask_sync<history_promise>(self, std::move(p), &pending_request::history_reply);
      },
      [self](join_atom, std::string& ch, client_done& done) {
        ask_async(self, request(kind::join, std::move(ch)), std::move(done));
      },
      [self](leave_atom, std::string& ch, client_done& done) {
        ask_async(self, request(kind::leave, std::move(ch)), std::move(done));
      },
      [self](post_atom, std::string& ch, std::string& text, client_done& done) {
        ask_async(self, request(kind::post, std::move(ch), std::move(text)), std::move(done));
      },
      [self](direct_atom, std::string& to, std::string& text, client_done& done) {
        ask_async(self, request(kind::direct, std::move(to), std::move(text)), std::move(done));
      },
      [self](send_atom, uint8_t type, const std::string& payload) {
        if (type == static_cast<uint8_t>(frame_type::login))
          self->state.requested = payload; // becomes `user` once the server says "Login OK"
        if (self->state.session) caf::anon_send(self->state.session, send_atom_v, type, payload);
      },
      [self](quit_atom) { on_quit(self); },
      [self](connected_atom, uint64_t id, client_session_actor s) { on_connected(self, id, s); },
      [self](failed_atom, uint64_t id, const std::string& why) {
        on_connect_failed(self, id, why);
      },
      [self](retry_atom, uint64_t id) {
        if (id == self->state.attempt && !self->state.session) attempt(self);
      },
      [self](expire_atom, uint64_t id) { expire(self, id); },
  };
}

} // namespace chat
