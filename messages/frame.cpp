#include "messages/frame.hpp"

#include <array>
#include <limits>

namespace chat {

namespace {

// Indexed by type byte: 1..6 are version 1 and its extensions (frame_type), 7..20 version 2
// (protocol_v2.hpp, chat::v2::type). Any other byte prints as TYPE_<n>.
constexpr std::array<std::string_view, 21> type_names{
    "",      "LOGIN",    "SEND_MSG",  "BROADCAST_MSG", "ERROR",  "PING",    "PONG",
    "HELLO", "JOIN",     "LEAVE",     "MSG",           "DM",     "WHO",     "LIST",
    "REPLY", "PRESENCE", "WHO_REPLY", "LIST_REPLY",    "JOINED", "HISTORY", "HISTORY_REPLY",
};

} // namespace

std::string frame_type_name(uint8_t type) {
  if (type > 0 && type < type_names.size()) return std::string{type_names[type]};
  return "TYPE_" + std::to_string(type);
}

std::optional<uint8_t> frame_type_from_name(std::string_view name) {
  for (std::size_t i = 1; i < type_names.size(); ++i)
    if (type_names[i] == name) return static_cast<uint8_t>(i);
  // TYPE_<n> in its one spelling: no sign, no leading zero.
  if (name.substr(0, 5) == "TYPE_" && name.size() > 5 && name.size() <= 8 &&
      (name[5] != '0' || name.size() == 6)) {
    unsigned value = 0;
    for (char c : name.substr(5)) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value <= std::numeric_limits<uint8_t>::max()) return static_cast<uint8_t>(value);
  }
  return std::nullopt;
}

} // namespace chat
