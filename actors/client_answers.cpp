// client_answers.cpp -- what the client supervisor makes of each frame from the server: the
// request it settles, and the events it reports. Version-1 answers come in the order of the
// requests (LOGIN, Echo, our own broadcast, PONG); version-2 answers carry the request's ref
// (REPLY, WHO_REPLY, LIST_REPLY) or are our own message coming back through its channel.
#include "actors/client_supervisor.hpp"

#include "messages/channel_name.hpp"
#include "messages/errors.hpp"

#include <variant>

namespace chat::client_detail {

namespace {

using kind = pending_request::kind;

// A version-1 answer settles the first request of its kind (the server answers in order).
void on_v1_answer(client_supervisor_ptr self, const inbound_frame& f) {
  auto& st = self->state;
  auto type = static_cast<frame_type>(f.type);
  auto* p = find(self, [&](const pending_request& p) {
    switch (type) {
    case frame_type::login:
      return p.what == kind::login;
    case frame_type::send_msg:
      // By its text: a long echo sent in parts may come back after a short one sent later.
      return p.what == kind::echo && f.payload == "Echo: " + p.text;
    case frame_type::broadcast_msg:
      return p.what == kind::broadcast && f.payload == st.user + ": " + p.text;
    case frame_type::pong:
      return p.what == kind::ping && f.payload == p.text;
    case frame_type::error:
      // Answers the request it follows (a LOGIN still gets its own reply). A version-2 server
      // answers version-2 requests with REPLY only; one without version 2 says ERROR.
      return p.what != kind::login && (!is_v2(p.what) || !st.server_v2);
    default:
      return false;
    }
  });
  if (!p) return;
  bool refused =
      type == frame_type::error || (type == frame_type::login && f.payload != "Login OK");
  answer(*p, !refused, f.payload);
  erase(self, p);
}

void on_reply(client_supervisor_ptr self, const v2::reply& r) {
  auto* p = by_ref(self, r.ref);
  if (!p) return; // its caller gave up, or a rejoin after a reconnect: nobody waits for it
  bool ok = r.result == v2::status::ok;
  if (ok && p->what == kind::join) self->state.channels.insert(p->target);
  if (ok && p->what == kind::leave) {
    self->state.channels.erase(p->target);
    self->state.marks.erase(p->target); // joined again later, it starts from then
  }
  answer(*p, ok, r.text);
  erase(self, p);
}

// Our own message, back in the channel's order: the MSG (or BROADCAST_MSG to the default
// channel) that sent it is done.
void on_message(client_supervisor_ptr self, const v2::msg_delivery& m) {
  auto& st = self->state;
  if (m.offset != 0)
    if (auto mark = st.marks.find(m.channel); mark != st.marks.end())
      mark->second.offset = m.offset;
  if (auto& cb = st.callbacks.on_message) cb(m.channel, m.sender, m.text);
  if (m.sender != st.user) return;
  auto* p = find(self, [&m](const pending_request& p) {
    return (p.what == kind::post && p.target == m.channel && p.text == m.text) ||
           (p.what == kind::broadcast && m.channel == default_channel && p.text == m.text);
  });
  if (!p) return;
  answer(*p, true, m.sender + ": " + m.text);
  erase(self, p);
}

// One page of WHO or LIST: the answer, or (every page asked for) the next page's request.
template <class Page, class Append, class Deliver>
void on_page(client_supervisor_ptr self, const Page& page, kind what, Append append,
             Deliver deliver) {
  auto* p = by_ref(self, page.ref);
  if (!p || p->what != what) return;
  p->total = page.total;
  append(*p);
  bool more = p->all && !page.next.empty() && page.next != p->text; // and moving on
  if (more) {
    p->text = page.next;
    return send_request(self, *p);
  }
  deliver(*p, page.next);
  erase(self, p);
}

void on_who_reply(client_supervisor_ptr self, v2::who_reply& r) {
  on_page(
      self, r, kind::who,
      [&r](pending_request& p) { p.names.insert(p.names.end(), r.names.begin(), r.names.end()); },
      [](pending_request& p, const std::string& next) {
        p.who_reply.deliver(p.total, std::move(p.names), next);
      });
}

void on_list_reply(client_supervisor_ptr self, v2::list_reply& r) {
  on_page(
      self, r, kind::list,
      [&r](pending_request& p) {
        for (auto& c : r.channels) {
          p.names.push_back(c.name);
          p.counts.push_back(c.members);
        }
      },
      [](pending_request& p, const std::string& next) {
        p.list_reply.deliver(p.total, std::move(p.names), std::move(p.counts), next);
      });
}

// JOINED: the answer to our JOIN (the long form), or to a rejoin with recovery after a
// reconnect, which nobody waits for but the on_recovery callback.
void on_joined(client_supervisor_ptr self, const v2::joined_reply& j) {
  auto& st = self->state;
  auto& pos = j.position;
  // The replayed messages follow, each moving the mark on; live ones continue from `last`.
  st.marks[j.channel] = {pos.epoch, pos.last - pos.replayed};
  st.channels.insert(j.channel);
  if (pos.result != recovery::not_asked && st.callbacks.on_recovery)
    st.callbacks.on_recovery(j.channel, pos);
  if (auto* p = by_ref(self, j.ref); p && p->what == kind::join) {
    answer(*p, true, "");
    erase(self, p);
  }
}

void on_history_reply(client_supervisor_ptr self, v2::history_reply& r) {
  auto* p = by_ref(self, r.ref);
  if (!p || p->what != kind::history) return;
  p->history_reply.deliver(std::move(r.page));
  erase(self, p);
}

// HELLO's answer, or the ERROR of a server that knows no version 2 (it then treats us as a
// version-1 client and puts us in the default channel at LOGIN). False for any other frame.
bool on_hello_answer(client_supervisor_ptr self, const inbound_frame& f) {
  auto& st = self->state;
  if (f.type == static_cast<uint8_t>(v2::type::hello)) {
    auto hello = v2::decode_hello_reply(f.payload);
    if (auto* h = std::get_if<v2::hello_reply>(&hello)) {
      st.server_v2 = h->version >= v2::version;
      st.server_history = ("," + h->features + ",").find(",history,") != std::string::npos;
      st.server_max_frame = h->limits.max_frame;
      // Version 3: a message goes in parts up to the server's --max-message.
      st.server_max_message = h->version >= v2::multipart_version ? h->limits.max_message : 0;
    }
  } else if (f.type != static_cast<uint8_t>(frame_type::error) ||
             f.payload != "unknown frame type " + std::to_string(int{v2::first_type})) {
    return false;
  }
  st.hello_pending = false;
  return true;
}

template <class T, class Handle> void decoded(v2::decoded<T> d, Handle handle) {
  if (auto* value = std::get_if<T>(&d)) handle(*value); // a malformed one is shown, not used
}

void on_v2_frame(client_supervisor_ptr self, const inbound_frame& f) {
  auto& cb = self->state.callbacks;
  switch (static_cast<v2::type>(f.type)) {
  case v2::type::reply:
    return decoded(v2::decode_reply(f.payload), [&](auto& r) { on_reply(self, r); });
  case v2::type::msg:
    return decoded(v2::decode_msg_delivery(f.payload), [&](auto& m) { on_message(self, m); });
  case v2::type::dm:
    return decoded(v2::decode_dm_delivery(f.payload), [&](auto& d) {
      if (cb.on_direct) cb.on_direct(d.sender, d.text);
    });
  case v2::type::presence:
    return decoded(v2::decode_presence_event(f.payload), [&](auto& e) {
      if (cb.on_presence) cb.on_presence(e.channel, e.user, e.kind);
    });
  case v2::type::who_reply:
    return decoded(v2::decode_who_reply(f.payload), [&](auto& r) { on_who_reply(self, r); });
  case v2::type::list_reply:
    return decoded(v2::decode_list_reply(f.payload), [&](auto& r) { on_list_reply(self, r); });
  case v2::type::joined:
    return decoded(v2::decode_joined_reply(f.payload), [&](auto& j) { on_joined(self, j); });
  case v2::type::history_reply:
    return decoded(v2::decode_history_reply(f.payload),
                   [&](auto& r) { on_history_reply(self, r); });
  default:
    return; // HELLO is handled before; the rest are client->server types
  }
}

} // namespace

void on_frame(client_supervisor_ptr self, const inbound_frame& f) {
  auto& st = self->state;
  bool login_ok = f.type == static_cast<uint8_t>(frame_type::login) && f.payload == "Login OK";
  if (login_ok) {
    st.user = st.requested;
    st.logged_in = true;
    st.next_wait = st.options.reconnect_first;
    report(self, client_state::logged_in, st.user);
  }
  // The callback first: a caller woken by the settled request finds this frame handled already.
  if (st.callbacks.on_frame) st.callbacks.on_frame(f);
  if (st.hello_pending && on_hello_answer(self, f)) return;
  if (v2::is_v2_type(f.type))
    on_v2_frame(self, f);
  else
    on_v1_answer(self, f);
  if (login_ok) rejoin(self);
}

void rejoin(client_supervisor_ptr self) {
  auto& st = self->state;
  if (!st.server_v2) return;
  for (auto& ch : st.channels) {
    auto mark = st.marks.find(ch);
    if (!st.server_history || mark == st.marks.end()) {
      caf::anon_send(st.session, join_atom_v, ++st.next_ref, ch); // nobody waits for the REPLY
      continue;
    }
    // Everything after the last message we got; if the server cannot, the last few instead.
    replay_request ask{replay_mode::since, mark->second.epoch, mark->second.offset,
                       st.options.recovery_fallback};
    caf::anon_send(st.session, join_atom_v, ++st.next_ref, ch, ask);
  }
}

} // namespace chat::client_detail
