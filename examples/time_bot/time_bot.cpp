#include "examples/time_bot/time_bot.hpp"

#include "messages/channel_name.hpp"
#include "messages/errors.hpp"
#include "messages/frame_decoder.hpp"

#include <spdlog/spdlog.h>

#include <ctime>
#include <string_view>

namespace chat {

namespace {

constexpr std::string_view time_command = "!time";

// `payload` is "<name>: <text>" as the channel encodes it for version-1 members. Names may contain
// ": " themselves, so the split at the first one misreads such a name; the bot then stays silent,
// which is harmless.
void on_broadcast(time_bot_ptr self, std::string_view payload) {
  auto separator = payload.find(": ");
  if (separator == std::string_view::npos || payload.substr(separator + 2) != time_command) return;
  if (payload.substr(0, separator) == time_bot_name) return; // never answer ourselves
  if (self->state.lobby)
    self->send(*self->state.lobby, post_atom_v, std::string{time_bot_name},
               "the time is " + iso8601_utc(self->state.clock()));
}

void on_deliver(time_bot_ptr self, const frame_batch& batch) {
  for (const auto& f : frames(batch)) {
    // Each frame is whole and comes from the channel, so its own size is the only bound; a fresh
    // decoder per frame means one odd frame cannot silence the rest of the batch.
    frame_decoder decoder{bytes(f).size()};
    decoder.feed(bytes(f).data(), bytes(f).size(), [self](uint8_t type, std::string_view payload) {
      if (type == static_cast<uint8_t>(frame_type::broadcast_msg)) on_broadcast(self, payload);
    });
  }
}

void fail(time_bot_ptr self, caf::error err) {
  spdlog::error("time_bot cannot join as {}: {}", time_bot_name, self->system().render(err));
  self->quit(std::move(err));
}

// As a version-1 member: it reads BROADCAST_MSG frames of the default channel.
void join_lobby(time_bot_ptr self) {
  self->request(self->state.directory, time_bot_join_timeout, join_atom_v,
                std::string{default_channel}, std::string{time_bot_name}, member_actor{self}, false)
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

member_actor::behavior_type time_bot(time_bot_ptr self, roster_actor roster,
                                     directory_actor directory, wall_clock clock) {
  self->state.roster = std::move(roster);
  self->state.directory = std::move(directory);
  self->state.clock = std::move(clock);
  self->monitor(self->state.roster);
  self->set_down_handler([self](const caf::down_msg&) { self->quit(); }); // no server, no bot
  login(self);
  return {
      [self](deliver_atom, const frame_batch& batch) { on_deliver(self, batch); },
      [self](evict_atom) { self->quit(); }, // our name went to an earlier holder elsewhere
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
