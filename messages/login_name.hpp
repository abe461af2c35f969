// login_name.hpp -- the rules for a user name (PROTOCOL.md "Rules the original left open").
// Pure; called by the session actor when a LOGIN arrives, before the room is asked.
#pragma once

#include <cstddef>
#include <string_view>

namespace chat {

inline constexpr std::size_t max_login_name = 32; // bytes, not characters

// nullptr when `name` is acceptable, else the reason, used verbatim in "Login failed: <reason>".
const char* login_name_error(std::string_view name);

} // namespace chat
