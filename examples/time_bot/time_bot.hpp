// time_bot.hpp -- a room member with no connection: "timebot" answers "!time" with the UTC time.
// Spawned into a server's room by time-bot-server and time_bot_test; the room sees a member_actor.
#pragma once

#include "messages/interfaces.hpp"

#include <chrono>
#include <functional>
#include <string>

namespace chat {

// Where the bot reads the time: std::chrono::system_clock::now in the program, fixed in tests.
using wall_clock = std::function<std::chrono::system_clock::time_point()>;

inline constexpr const char* time_bot_name = "timebot";
inline constexpr std::chrono::seconds time_bot_join_timeout{10};

struct time_bot_state {
  room_actor room;
  wall_clock clock;
  static inline const char* name = "time_bot";
};

using time_bot_ptr = member_actor::stateful_pointer<time_bot_state>;

// Joins `room` as time_bot_name; quits if the name is refused or the room goes down. Every
// BROADCAST_MSG "<someone>: !time" (someone not the bot) gets "the time is <ISO 8601 UTC>".
member_actor::behavior_type time_bot(time_bot_ptr self, room_actor room, wall_clock clock);

// "2026-01-02T03:04:05Z": whole seconds, UTC.
std::string iso8601_utc(std::chrono::system_clock::time_point t);

} // namespace chat
