// session_login.cpp -- a session's LOGIN: who the client is (the name, or with --auth token the
// user its token names, auth/), the roster's grant of the name, and for a version-1 client its
// place in the default channel before "Login OK". Called by session.cpp's frame dispatch.
#include "actors/session.hpp"

#include "auth/login_credentials.hpp"
#include "messages/channel_name.hpp"
#include "messages/counters.hpp"
#include "messages/errors.hpp"
#include "messages/frame_encoder.hpp"
#include "messages/login_name.hpp"
#include "messages/utf8.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>
#include <string>

namespace chat::session_detail {

namespace {

void send_login_reply(session_ptr self, std::string_view text) {
  self->state.conn->send(encode(frame_type::login, text));
}

void logged_in(session_ptr self, const std::string& name) {
  self->state.user = name;
  self->state.waiting = waiting_for::nothing;
  counters::add(counters::total::logins);
  spdlog::info("login user={} peer={} version={}", name, self->state.conn->peer(),
               self->state.version);
  send_login_reply(self, "Login OK");
  release_held(self);
}

void login_refused(session_ptr self, const std::string& name, std::string_view reason) {
  self->state.waiting = waiting_for::nothing;
  spdlog::debug("login refused user={} reason=\"{}\"", name, reason);
  send_login_reply(self, std::string{"Login failed: "} + std::string{reason});
  release_held(self);
}

// A version-1 client chats in the default channel, so it is put there before "Login OK".
void join_default_channel(session_ptr self, const std::string& name) {
  std::string lobby{default_channel};
  auto outbox = std::make_shared<session_outbox>(self->state.conn);
  self->request(self->state.directory, caf::infinite, join_atom_v, lobby, name, member_actor{self},
                false, member_outbox_ptr{outbox})
      .then(
          [self, name, lobby, outbox](channel_handle ch) {
            self->state.channels.emplace(lobby, joined_channel{std::move(ch), outbox});
            logged_in(self, name); // "Login OK" first, then the lobby
            open_outbox(self, *outbox);
          },
          [self, name](caf::error& err) {
            self->send(self->state.roster, leave_atom_v, name); // the name is free again
            login_refused(self, name,
                          err == make_error(errc::channel_full) ? "lobby full" : "server busy");
          });
}

// Who the LOGIN payload says the client is: the name, or (--auth token) the user its token names.
// Nothing when refused, and the reply has gone out.
std::optional<std::string> login_name(session_ptr self, const std::string& payload) {
  auto& st = self->state;
  auto who = auth::authenticate(st.limits->tokens.get(), payload, std::chrono::system_clock::now());
  if (auto* reason = std::get_if<std::string>(&who)) {
    spdlog::info("login refused peer={} reason=\"{}\"", st.conn->peer(), *reason);
    if (!is_valid_utf8(payload)) send_error(self, "invalid UTF-8");
    send_login_reply(self, "Login failed: " + *reason);
    return std::nullopt;
  }
  auto& grant = std::get<auth::login_grant>(who);
  if (auto reason = login_name_error(grant.name)) {
    if (!is_valid_utf8(grant.name)) send_error(self, "invalid UTF-8");
    send_login_reply(self, std::string{"Login failed: "} + reason);
    return std::nullopt;
  }
  st.token_channels = std::move(grant.channels);
  // A version-1 client lives in the default channel: its token must let it in.
  if (st.version == 1 && !token_allows(st, default_channel)) {
    send_login_reply(self, "Login failed: token does not allow " + std::string{default_channel});
    return std::nullopt;
  }
  return std::move(grant.name);
}

} // namespace

void on_login(session_ptr self, const std::string& payload) {
  auto& st = self->state;
  if (!st.user.empty())
    return send_login_reply(self, "Login failed: already logged in as " + st.user);
  auto found = login_name(self, payload);
  if (!found) return;
  auto name = std::move(*found);
  st.waiting = waiting_for::login;
  self->request(st.roster, login_timeout, join_atom_v, name, member_actor{self})
      .then(
          [self, name](caf::ok_atom) {
            if (self->state.version == 1) return join_default_channel(self, name);
            logged_in(self, name); // a version-2 client joins the channels it wants
            deliver_kept_directs(self);
          },
          [self, name](caf::error& err) {
            // A join that timed out may still be in the roster's mailbox and succeed later;
            // this leave arrives after it (CAF keeps per-pair order) and undoes it.
            if (err == caf::sec::request_timeout)
              self->send(self->state.roster, leave_atom_v, name);
            bool taken = err == make_error(errc::name_taken);
            login_refused(self, name, taken ? "name taken" : "server busy");
          });
}

} // namespace chat::session_detail
