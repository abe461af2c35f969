#include "examples/time_bot/time_bot.hpp"

#include "messages/errors.hpp"
#include "messages/frame_decoder.hpp"

#include <spdlog/spdlog.h>

#include <ctime>
#include <string_view>

namespace chat {

namespace {

constexpr std::string_view time_command = "!time";

// `payload` is "<name>: <text>" as the room encodes it. Names may contain ": " themselves, so
// the split at the first one misreads such a name; the bot then stays silent, which is harmless.
void on_broadcast(time_bot_ptr self, std::string_view payload) {
  auto separator = payload.find(": ");
  if (separator == std::string_view::npos || payload.substr(separator + 2) != time_command) return;
  if (payload.substr(0, separator) == time_bot_name) return; // never answer ourselves
  self->send(self->state.room, broadcast_atom_v, std::string{time_bot_name},
             "the time is " + iso8601_utc(self->state.clock()));
}

void on_deliver(time_bot_ptr self, const frame_batch& batch) {
  for (const auto& f : frames(batch)) {
    // Each frame is whole and comes from the room, so its own size is the only bound; a fresh
    // decoder per frame means one odd frame cannot silence the rest of the batch.
    frame_decoder decoder{bytes(f).size()};
    decoder.feed(bytes(f).data(), bytes(f).size(), [self](uint8_t type, std::string_view payload) {
      if (type == static_cast<uint8_t>(frame_type::broadcast_msg)) on_broadcast(self, payload);
    });
  }
}

void join(time_bot_ptr self) {
  self->request(self->state.room, time_bot_join_timeout, join_atom_v, std::string{time_bot_name},
                member_actor{self})
      .then([](caf::ok_atom) { spdlog::info("time_bot joined the room as {}", time_bot_name); },
            [self](caf::error& err) {
              spdlog::error("time_bot cannot join as {}: {}", time_bot_name,
                            self->system().render(err));
              self->quit(std::move(err));
            });
}

} // namespace

member_actor::behavior_type time_bot(time_bot_ptr self, room_actor room, wall_clock clock) {
  self->state.room = std::move(room);
  self->state.clock = std::move(clock);
  self->monitor(self->state.room);
  self->set_down_handler([self](const caf::down_msg&) { self->quit(); }); // no room, no bot
  join(self);
  return {
      [self](deliver_atom, const frame_batch& batch) { on_deliver(self, batch); },
      [self](evict_atom) { self->quit(); }, // our name went to an earlier holder elsewhere
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
