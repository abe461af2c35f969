#include "messages/channel_name.hpp"

#include "messages/char_classes.hpp"
#include "messages/utf8.hpp"

namespace chat {

// The checks run in this order so a name gets the most basic reason first: a name that is not
// UTF-8 is not tested for white space code points it cannot reliably contain.
const char* channel_name_error(std::string_view name) {
  if (name.empty()) return "empty channel name";
  if (name.size() > max_channel_name) return "channel name too long (at most 64 bytes)";
  if (!is_valid_utf8(name)) return "channel name is not valid UTF-8";
  if (char_classes::has_control_character(name)) return "channel name contains control characters";
  // Unlike user names, no white space anywhere: a channel name is an identifier that people
  // type and read in lists, and a blank inside it would make two channels look alike.
  if (char_classes::contains_white_space(name)) return "channel name contains white space";
  return nullptr;
}

} // namespace chat
