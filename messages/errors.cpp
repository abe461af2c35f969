#include "messages/errors.hpp"

namespace chat {

const char* to_string(errc x) {
  switch (x) {
  case errc::none:
    return "no error";
  case errc::name_taken:
    return "name taken";
  case errc::already_joined:
    return "already joined";
  case errc::refused:
    return "refused";
  case errc::not_connected:
    return "not connected";
  case errc::closed:
    return "connection closed";
  case errc::no_such_user:
    return "no such user";
  case errc::no_direct:
    return "user cannot receive direct messages";
  case errc::no_such_channel:
    return "no such channel";
  case errc::channel_full:
    return "channel full";
  case errc::too_many_channels:
    return "too many channels on this server";
  case errc::no_history:
    return "this channel keeps no history";
  case errc::too_long_for_client:
    return "message too long for the recipient's client";
  }
  return "unknown chat error";
}

std::string render_error(uint8_t code, caf::atom_value, const caf::message& context) {
  std::string result = "chat: ";
  result += to_string(static_cast<errc>(code));
  if (!context.empty()) result += " " + caf::to_string(context);
  return result;
}

} // namespace chat
