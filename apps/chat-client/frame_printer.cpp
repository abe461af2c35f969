#include "apps/chat-client/frame_printer.hpp"

#include "messages/utf8.hpp"

#include <cstdio>

namespace chat {

namespace {

void append_escaped(std::string& out, unsigned char byte) {
  char escaped[5];
  std::snprintf(escaped, sizeof escaped, "\\x%02X", byte);
  out += escaped;
}

} // namespace

std::string escape_control(const std::string& text) {
  // Text that is not UTF-8 could hold 8-bit C1 controls (0x9B is CSI): every byte >= 0x80 is
  // escaped then. In UTF-8 text, only the C1 code points U+0080..U+009F (0xC2 0x80..0x9F) are.
  bool utf8 = is_valid_utf8(text);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    bool c1 = utf8 && byte == 0xC2 && i + 1 < text.size() &&
              static_cast<unsigned char>(text[i + 1]) <= 0x9F;
    if (c1) {
      append_escaped(out, byte);
      append_escaped(out, static_cast<unsigned char>(text[++i]));
    } else if (byte < 0x20 || byte == 0x7F || (!utf8 && byte >= 0x80)) {
      append_escaped(out, byte);
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string escape_message(const std::string& text) {
  // Lines of a pasted text go on under the first one, indented; every other control is escaped.
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    auto line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string spaced;
    for (char ch : line)
      spaced += ch == '\t' ? std::string(4, ' ') : std::string(1, ch);
    if (start > 0) out += "\n    ";
    out += escape_control(spaced);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

namespace printer_detail {

std::string paint(const char* colour, const std::string& text, bool on) {
  return on ? colour + text + reset : text;
}

std::string name(const std::string& name, const print_style& style) {
  return paint(name == style.own_name ? bold_green : bold_cyan, escape_control(name), style.color);
}

} // namespace printer_detail

namespace {

using namespace printer_detail;

// "<name>: <text>" with the name in colour (ours in green, everyone else's in cyan).
std::string broadcast_line(const std::string& text, const print_style& style) {
  auto colon = text.find(": ");
  if (!style.color || colon == std::string::npos) return text;
  auto name = text.substr(0, colon);
  return paint(name == style.own_name ? bold_green : bold_cyan, name, true) + text.substr(colon);
}

} // namespace

std::string note_line(const std::string& text, const print_style& style) {
  return paint(dim, "* " + text, style.color);
}

std::string error_line(const std::string& text, const print_style& style) {
  return paint(red, "! " + text, style.color);
}

std::string printable_line(const inbound_frame& f, const print_style& style) {
  if (v2::is_v2_type(f.type)) return v2_line(f, style);
  auto text = escape_control(f.payload);
  switch (static_cast<frame_type>(f.type)) {
  case frame_type::broadcast_msg:
    return broadcast_line(text, style);
  case frame_type::send_msg:
    return text;
  case frame_type::login:
    return note_line(text, style);
  case frame_type::error:
    return error_line(text, style);
  default:
    return note_line(frame_type_name(f.type) + (text.empty() ? "" : " " + text), style);
  }
}

} // namespace chat
