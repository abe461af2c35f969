#include "apps/chat-client/frame_printer.hpp"

#include <cstdio>

namespace chat {

std::string escape_control(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out;
}

std::string printable_line(const inbound_frame& f) {
  auto text = escape_control(f.payload);
  switch (static_cast<frame_type>(f.type)) {
    case frame_type::broadcast_msg:
    case frame_type::send_msg:
      return text;
    case frame_type::login:
      return "* " + text;
    case frame_type::error:
      return "! " + text;
    default:
      return "* " + frame_type_name(f.type) + (text.empty() ? "" : " " + text);
  }
}

} // namespace chat
