// char_classes.hpp -- the character classes the name rules share (control characters, Unicode
// white space), tested on UTF-8 bytes. Internal to messages/: included by login_name.cpp and
// channel_name.cpp only, so both rule sets agree on what "a space" is.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace chat::char_classes {

// C0 controls, DEL, and C1 controls (U+0080..U+009F, encoded as 0xC2 0x80..0x9F).
inline bool has_control_character(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < s.size()) {
      auto next = static_cast<unsigned char>(s[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return true;
    }
  }
  return false;
}

// Unicode White_Space that is not a control character, UTF-8 encoded. The controls among
// White_Space (TAB, LF, NEL, ...) are left out: has_control_character already rejects them.
inline constexpr std::array<std::string_view, 19> white_space{
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

// The length of the white space code point that `s` starts with, 0 if none.
inline std::size_t white_space_prefix(std::string_view s) {
  for (auto ws : white_space)
    if (s.substr(0, ws.size()) == ws) return ws.size();
  return 0;
}

// The byte offset of the first white space code point in `s`, or npos. Every entry starts with
// a byte that is never a UTF-8 continuation byte, so in valid UTF-8 a match is always a whole
// code point; the ASCII fast path skips the table for ordinary letters.
inline std::size_t find_white_space(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c != ' ' && c < 0xC2) continue;
    if (white_space_prefix(s.substr(i)) != 0) return i;
  }
  return std::string_view::npos;
}

inline bool contains_white_space(std::string_view s) {
  return find_white_space(s) != std::string_view::npos;
}

inline bool starts_with_white_space(std::string_view s) {
  return white_space_prefix(s) != 0;
}

inline bool ends_with_white_space(std::string_view s) {
  for (auto ws : white_space)
    if (s.size() >= ws.size() && s.substr(s.size() - ws.size()) == ws) return true;
  return false;
}

} // namespace chat::char_classes
