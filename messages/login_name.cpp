#include "messages/login_name.hpp"

#include "messages/utf8.hpp"

namespace chat {

namespace {

// C0 controls, DEL, and C1 controls (U+0080..U+009F, encoded as 0xC2 0x80..0x9F).
bool has_control_character(std::string_view name) {
  for (std::size_t i = 0; i < name.size(); ++i) {
    auto c = static_cast<unsigned char>(name[i]);
    if (c < 0x20 || c == 0x7F)
      return true;
    if (c == 0xC2 && i + 1 < name.size()) {
      auto next = static_cast<unsigned char>(name[i + 1]);
      if (next >= 0x80 && next <= 0x9F)
        return true;
    }
  }
  return false;
}

// ASCII space and U+00A0 (no-break space, 0xC2 0xA0): the white space a name can carry
// once control characters are excluded, and the ones that make two names look alike.
bool starts_with_space(std::string_view s) {
  return s.front() == ' ' || (s.size() >= 2 && s.substr(0, 2) == "\xC2\xA0");
}

bool ends_with_space(std::string_view s) {
  return s.back() == ' ' || (s.size() >= 2 && s.substr(s.size() - 2) == "\xC2\xA0");
}

} // namespace

const char* login_name_error(std::string_view name) {
  if (name.empty())
    return "empty name";
  if (name.size() > max_login_name)
    return "name too long (at most 32 bytes)";
  if (!is_valid_utf8(name))
    return "name is not valid UTF-8";
  if (has_control_character(name))
    return "name contains control characters";
  if (starts_with_space(name) || ends_with_space(name))
    return "name has leading or trailing white space";
  return nullptr;
}

} // namespace chat
