#include "messages/login_name.hpp"

#include "messages/utf8.hpp"

#include <array>

namespace chat {

namespace {

// C0 controls, DEL, and C1 controls (U+0080..U+009F, encoded as 0xC2 0x80..0x9F).
bool has_control_character(std::string_view name) {
  for (std::size_t i = 0; i < name.size(); ++i) {
    auto c = static_cast<unsigned char>(name[i]);
    if (c < 0x20 || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < name.size()) {
      auto next = static_cast<unsigned char>(name[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return true;
    }
  }
  return false;
}

// Unicode White_Space that is not a control character, UTF-8 encoded: names that start or end
// with one look like another name (PROTOCOL.md: no leading or trailing white space).
constexpr std::array<std::string_view, 19> white_space{
    " ",
    "\xC2\xA0",
    "\xE1\x9A\x80",
    "\xE2\x80\x80",
    "\xE2\x80\x81",
    "\xE2\x80\x82",
    "\xE2\x80\x83",
    "\xE2\x80\x84",
    "\xE2\x80\x85",
    "\xE2\x80\x86",
    "\xE2\x80\x87",
    "\xE2\x80\x88",
    "\xE2\x80\x89",
    "\xE2\x80\x8A",
    "\xE2\x80\xA8",
    "\xE2\x80\xA9",
    "\xE2\x80\xAF",
    "\xE2\x81\x9F",
    "\xE3\x80\x80",
};

bool starts_with_space(std::string_view s) {
  for (auto ws : white_space)
    if (s.substr(0, ws.size()) == ws) return true;
  return false;
}

bool ends_with_space(std::string_view s) {
  for (auto ws : white_space)
    if (s.size() >= ws.size() && s.substr(s.size() - ws.size()) == ws) return true;
  return false;
}

} // namespace

const char* login_name_error(std::string_view name) {
  if (name.empty()) return "empty name";
  if (name.size() > max_login_name) return "name too long (at most 32 bytes)";
  if (!is_valid_utf8(name)) return "name is not valid UTF-8";
  if (has_control_character(name)) return "name contains control characters";
  if (starts_with_space(name) || ends_with_space(name))
    return "name has leading or trailing white space";
  return nullptr;
}

} // namespace chat
