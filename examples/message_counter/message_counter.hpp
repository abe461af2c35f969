// message_counter.hpp -- a bot that counts the messages of the channels it is given and says the
// count on "!count"; on "!stop-counting" it detaches from that channel (unobserve, then leave).
// Spawned by counter-server (main.cpp) and message_counter_test.
#pragma once

#include "messages/interfaces.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace chat {

inline constexpr const char* message_counter_name = "counter";
inline constexpr std::chrono::seconds message_counter_join_timeout{10};

// What the bot keeps per channel it is attached to.
struct counted_channel {
  std::optional<channel_handle> handle; // once joined: where answers are posted
  uint64_t messages = 0;                // counted since the bot began observing
};

struct message_counter_state {
  roster_actor roster;
  directory_actor directory;
  std::map<std::string, counted_channel> channels; // the ones it still observes
  static inline const char* name = "message_counter";
};

using message_counter_ptr = bot_actor::stateful_pointer<message_counter_state>;

// Logs in as message_counter_name, then observes and joins each of `channels` (version 2).
// Counts every message others say there, except the two commands:
//   "!count"          -> "<n> messages in #<channel> since I came"
//   "!stop-counting"  -> "stopped counting #<channel> after <n> messages"; then it unobserves
//                        and leaves that channel (from anyone: it is a demonstration).
// Its own answers are not counted. Quits if the name is refused, a join fails, or the roster
// goes down (the server's end); refuses direct messages.
bot_actor::behavior_type message_counter(message_counter_ptr self, roster_actor roster,
                                         directory_actor directory,
                                         std::vector<std::string> channels);

} // namespace chat
