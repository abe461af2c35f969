// protocol_json_words.hpp -- the words of the JSON form of the protocol (protocol_json.hpp): the
// "type" of each frame and the names of the enums a payload carries. One table each, so the
// reader (protocol_json_decode.cpp) and the writer (protocol_json_encode.cpp) cannot disagree.
// Internal to those two files.
#pragma once

#include "messages/frame.hpp"
#include "messages/history.hpp"
#include "messages/protocol_v2.hpp"

#include <array>
#include <cstdint>
#include <string_view>

namespace chat::json::words {

// Indexed by frame type byte; "" for 0. Lowercase frame names (frame_type_name), except that the
// two version-1 messages drop "_msg": "send", "broadcast".
inline constexpr std::array<std::string_view, 21> types{
    "",      "login",    "send",      "broadcast",  "error",  "ping",    "pong",
    "hello", "join",     "leave",     "msg",        "dm",     "who",     "list",
    "reply", "presence", "who_reply", "list_reply", "joined", "history", "history_reply",
};
static_assert(static_cast<uint8_t>(frame_type::pong) == 6);
static_assert(static_cast<uint8_t>(v2::type::history_reply) == types.size() - 1);

// Between the name and the token in a LOGIN payload (auth/login_credentials.hpp, token_separator):
// JSON gives them as two fields.
inline constexpr char login_token_separator = '\n';

// The enums below are indexed by their wire value.
inline constexpr std::array<std::string_view, 2> statuses{"ok", "refused"};
static_assert(static_cast<uint8_t>(v2::status::refused) == statuses.size() - 1);

// Presence events start at 1: index 0 is never a valid event.
inline constexpr std::array<std::string_view, 4> presence_events{"", "joined", "left", "dropped"};
inline constexpr uint8_t first_presence_event = static_cast<uint8_t>(v2::presence_kind::joined);
static_assert(static_cast<uint8_t>(v2::presence_kind::dropped) == presence_events.size() - 1);

inline constexpr std::array<std::string_view, 3> replay_modes{"none", "since", "last"};
static_assert(static_cast<uint8_t>(replay_mode::last) == replay_modes.size() - 1);

inline constexpr std::array<std::string_view, 6> recoveries{
    "not_asked", "replayed", "epoch_changed", "too_old", "future", "unavailable"};
static_assert(last_recovery == recoveries.size() - 1);

} // namespace chat::json::words
