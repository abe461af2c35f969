// channel_name.hpp -- the rules for a channel name (docs/PROTOCOL.md "Channel names").
// Pure; called by the session actor before a JOIN, LEAVE, MSG or WHO reaches the directory.
#pragma once

#include <cstddef>
#include <string_view>

namespace chat {

inline constexpr std::size_t max_channel_name = 64; // bytes, not characters
inline constexpr std::string_view default_channel = "lobby"; // where version-1 clients chat

// nullptr when `name` is acceptable, else the reason ("channel name too long", ...).
// Names are 1..64 bytes of valid UTF-8 with no white space (ASCII or Unicode) and no control
// characters; they are compared byte for byte: no case folding, no normalisation.
const char* channel_name_error(std::string_view name);

} // namespace chat
