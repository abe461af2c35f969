#include "examples/time_bot/time_bot.hpp"

#include "messages/channel_name.hpp"
#include "messages/errors.hpp"

#include <spdlog/spdlog.h>

#include <ctime>
#include <string_view>

namespace chat {

namespace {

constexpr std::string_view time_command = "!time";

// The channel decoded the message for us: sender and text are fields, not a "<name>: <text>"
// string to split, so a name containing ": " cannot fool the bot.
void on_event(time_bot_ptr self, const channel_event& e) {
  if (e.what != channel_event::kind::message || e.text != time_command) return;
  if (e.user == time_bot_name) return; // never answer ourselves
  // Until the join's reply comes we have no handle to post with; such an early "!time" goes
  // unanswered (the bot is listed in the channel only once the join has succeeded).
  if (self->state.lobby)
    self->send(*self->state.lobby, post_atom_v, std::string{time_bot_name},
               "the time is " + iso8601_utc(self->state.clock()));
}

void fail(time_bot_ptr self, caf::error err) {
  spdlog::error("time_bot cannot join as {}: {}", time_bot_name, self->system().render(err));
  self->quit(std::move(err));
}

// Observe first, then join: the directory forwards both to the channel in the order we sent
// them, so once the bot is a member (what tests wait for) it is already observing.
void join_lobby(time_bot_ptr self) {
  std::string lobby{default_channel};
  self->send(self->state.directory, observe_atom_v, lobby, channel_observer{self});
  // A version-2 member: the channel sends it no version-1 frames, and what it does deliver
  // (version-2 frames) the bot ignores, since the observer events say the same, decoded.
  self->request(self->state.directory, time_bot_join_timeout, join_atom_v, lobby,
                std::string{time_bot_name}, member_actor{self}, true)
      .then(
          [self](channel_handle lobby) {
            self->state.lobby = std::move(lobby);
            spdlog::info("time_bot joined {} as {}", default_channel, time_bot_name);
          },
          [self](caf::error& err) { fail(self, std::move(err)); });
}

void login(time_bot_ptr self) {
  self->request(self->state.roster, time_bot_join_timeout, join_atom_v, std::string{time_bot_name},
                member_actor{self})
      .then([self](caf::ok_atom) { join_lobby(self); },
            [self](caf::error& err) { fail(self, std::move(err)); });
}

} // namespace

bot_actor::behavior_type time_bot(time_bot_ptr self, roster_actor roster, directory_actor directory,
                                  wall_clock clock) {
  self->state.roster = std::move(roster);
  self->state.directory = std::move(directory);
  self->state.clock = std::move(clock);
  self->monitor(self->state.roster);
  self->set_down_handler([self](const caf::down_msg&) { self->quit(); }); // no server, no bot
  login(self);
  return {
      [self](event_atom, const channel_event& e) { on_event(self, e); },
      [](deliver_atom, const frame_batch&) {}, // the same events, encoded: read above instead
      [self](evict_atom) { self->quit(); },    // our name went to an earlier holder elsewhere
      [](direct_atom, const std::string&, const std::string&,
         const std::string&) -> caf::result<caf::ok_atom> {
        return make_error(errc::no_direct, time_bot_name); // it reads its channel only
      },
  };
}

std::string iso8601_utc(std::chrono::system_clock::time_point t) {
  auto seconds = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[sizeof "2026-01-02T03:04:05Z" + 8]; // room for years past 9999
  auto n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return std::string(text, n);
}

} // namespace chat
