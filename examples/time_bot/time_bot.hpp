// time_bot.hpp -- a bot with no connection: "timebot" answers "!time" in the default channel with
// the UTC time. Spawned by time-bot-server (main.cpp) and time_bot_test; it logs in with the
// roster, observes and joins the default channel, and reads it as decoded channel_event values.
#pragma once

#include "messages/interfaces.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace chat {

// Where the bot reads the time: std::chrono::system_clock::now in the program, fixed in tests.
using wall_clock = std::function<std::chrono::system_clock::time_point()>;

inline constexpr const char* time_bot_name = "timebot";
inline constexpr std::chrono::seconds time_bot_join_timeout{10};

struct time_bot_state {
  roster_actor roster;
  directory_actor directory;
  std::optional<channel_handle> lobby; // once joined: where the answers are posted
  wall_clock clock;
  static inline const char* name = "time_bot";
};

using time_bot_ptr = bot_actor::stateful_pointer<time_bot_state>;

// Logs in as time_bot_name, observes the default channel and joins it as a version-2 member;
// quits if the name is refused or the roster goes down (the server's end). Every message
// "!time" from someone else there gets "the time is <ISO 8601 UTC>".
bot_actor::behavior_type time_bot(time_bot_ptr self, roster_actor roster, directory_actor directory,
                                  wall_clock clock);

// "2026-01-02T03:04:05Z": whole seconds, UTC.
std::string iso8601_utc(std::chrono::system_clock::time_point t);

} // namespace chat
