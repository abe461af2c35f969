// client_requests.cpp -- the client supervisor's requests going out: refused here when the
// server would refuse them anyway, else their frame goes out through the session and they wait
// (bounded) for the answer client_answers.cpp recognises.
#include "actors/client_supervisor.hpp"

#include "auth/login_credentials.hpp"
#include "messages/channel_name.hpp"
#include "messages/errors.hpp"
#include "messages/login_name.hpp"
#include "messages/utf8.hpp"

#include <algorithm>

namespace chat::client_detail {

namespace {

using kind = pending_request::kind;

// A str8 field (channel, name, page start) holds at most this many bytes.
constexpr std::size_t max_str8 = 255;

// What the server would refuse anyway, or the encoder cannot carry (a str8 field ends at 255
// bytes), is refused here: "" when the request may go out.
std::string local_refusal(client_supervisor_ptr self, const pending_request& p) {
  switch (p.what) {
  case kind::join:
  case kind::leave:
  case kind::post:
  case kind::who:
  case kind::history:
    if (auto reason = channel_name_error(p.target)) return reason;
    break;
  case kind::direct:
    if (login_name_error(p.target)) return "no such user";
    break;
  default:
    return {};
  }
  if (!is_valid_utf8(p.text)) return "invalid UTF-8";
  if (p.what == kind::who && p.text.size() > max_str8) return "page start too long";
  // MSG and DM: type, u32 ref, str8 channel or name, u32 length, text. A longer frame would
  // cost the connection ("frame too large"), so it never goes out.
  auto body = 1 + 4 + 1 + p.target.size() + 4 + p.text.size();
  auto most = std::max<std::size_t>(self->state.server_max_frame, self->state.server_max_message);
  if ((p.what == kind::post || p.what == kind::direct) && most > 0 && body > most)
    return "message too long";
  return {};
}

} // namespace

bool is_v2(kind k) {
  return k >= kind::join;
}

void answer_error(pending_request& p, const caf::error& e, const std::string& why) {
  if (p.done.fn) return p.done.fn(false, why);
  if (p.what == kind::who) return void(p.who_reply.deliver(e));
  if (p.what == kind::list) return void(p.list_reply.deliver(e));
  if (p.what == kind::history) return void(p.history_reply.deliver(e));
  p.reply.deliver(e);
}

void answer(pending_request& p, bool ok, const std::string& text) {
  if (!ok) return answer_error(p, make_error(errc::refused, text), text);
  if (p.done.fn) return p.done.fn(true, text);
  p.reply.deliver(text);
}

void send_request(client_supervisor_ptr self, pending_request& p) {
  auto& st = self->state;
  auto& s = st.session;
  if (is_v2(p.what)) p.ref = ++st.next_ref;
  switch (p.what) {
  case kind::login:
    st.requested = p.target;
    return caf::anon_send(s, login_atom_v, auth::login_payload(p.target, st.options.token));
  case kind::echo:
    return caf::anon_send(s, echo_atom_v, p.text);
  case kind::broadcast:
    return caf::anon_send(s, broadcast_atom_v, p.text);
  case kind::ping:
    return caf::anon_send(s, send_atom_v, static_cast<uint8_t>(frame_type::ping), p.text);
  case kind::join:
    // The long form where the server keeps history: JOINED tells us the channel's epoch.
    if (st.server_history) return caf::anon_send(s, join_atom_v, p.ref, p.target, replay_request{});
    return caf::anon_send(s, join_atom_v, p.ref, p.target);
  case kind::leave:
    return caf::anon_send(s, leave_atom_v, p.ref, p.target);
  case kind::post:
    return caf::anon_send(s, post_atom_v, p.ref, p.target, p.text);
  case kind::direct:
    return caf::anon_send(s, direct_atom_v, p.ref, p.target, p.text);
  case kind::who:
    return caf::anon_send(s, who_atom_v, p.ref, p.target, p.text, p.limit);
  case kind::list:
    return caf::anon_send(s, list_atom_v, p.ref, p.text, p.limit);
  case kind::history:
    return caf::anon_send(s, history_atom_v, p.ref, p.target, p.before, p.limit);
  }
}

void erase(client_supervisor_ptr self, const pending_request* p) {
  auto& pending = self->state.pending;
  pending.erase(std::find_if(pending.begin(), pending.end(),
                             [p](const pending_request& x) { return &x == p; }));
}

pending_request* by_ref(client_supervisor_ptr self, uint32_t ref) {
  return find(self, [ref](const pending_request& p) { return is_v2(p.what) && p.ref == ref; });
}

void ask(client_supervisor_ptr self, pending_request p) {
  auto& st = self->state;
  if (!st.session)
    return answer_error(p, make_error(errc::not_connected, "not connected"), "not connected");
  if (is_v2(p.what) && st.options.version < v2::version)
    return answer_error(p, make_error(errc::refused, "version 2 is switched off"),
                        "version 2 is switched off");
  if (is_v2(p.what) && !st.hello_pending && !st.server_v2) // it answered HELLO with ERROR
    return answer_error(p, make_error(errc::refused, "the server does not speak version 2"),
                        "the server does not speak version 2");
  if (auto why = local_refusal(self, p); !why.empty())
    return answer_error(p, make_error(errc::refused, why), why);
  p.id = ++st.next_id;
  send_request(self, p);
  self->delayed_send(self, st.options.timeout, expire_atom_v, p.id);
  st.pending.push_back(std::move(p));
}

void fail_pending(client_supervisor_ptr self, errc code, const std::string& why) {
  auto pending = std::move(self->state.pending);
  self->state.pending.clear();
  for (auto& p : pending)
    answer_error(p, make_error(code, why), why);
}

void expire(client_supervisor_ptr self, uint64_t id) {
  auto* p = find(self, [id](const pending_request& p) { return p.id == id; });
  if (!p) return;
  answer_error(*p, caf::sec::request_timeout, "no answer in time");
  erase(self, p);
}

} // namespace chat::client_detail
