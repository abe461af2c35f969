#include "messages/login_name.hpp"

#include "messages/char_classes.hpp"
#include "messages/utf8.hpp"

namespace chat {

const char* login_name_error(std::string_view name) {
  if (name.empty()) return "empty name";
  if (name.size() > max_login_name) return "name too long (at most 32 bytes)";
  if (!is_valid_utf8(name)) return "name is not valid UTF-8";
  if (char_classes::has_control_character(name)) return "name contains control characters";
  // Names that start or end with white space look like another name (PROTOCOL.md: no leading
  // or trailing white space); inner spaces are allowed.
  if (char_classes::starts_with_white_space(name) || char_classes::ends_with_white_space(name))
    return "name has leading or trailing white space";
  return nullptr;
}

} // namespace chat
