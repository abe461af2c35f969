#include "apps/scenario/scenario_v2_fields.hpp"

namespace chat::scenario_fields {

namespace {

template <class T> bool take(v2::decoded<T> d, message& out, std::string& error) {
  if (auto* reason = std::get_if<std::string>(&d)) return error = *reason, false;
  return out = std::get<T>(std::move(d)), true;
}

} // namespace

std::optional<message> sent_message(uint8_t type) {
  using t = v2::type;
  switch (static_cast<t>(type)) {
  case t::hello:
    return v2::hello_request{};
  case t::join:
    return v2::join_request{};
  case t::leave:
    return v2::leave_request{};
  case t::msg:
    return v2::msg_request{};
  case t::dm:
    return v2::dm_request{};
  case t::who:
    return v2::who_request{};
  case t::list:
    return v2::list_request{};
  case t::reply: // the server's types too, for scenarios that prove a client may not send them
    return v2::reply{};
  case t::presence:
    return v2::presence_event{};
  case t::who_reply:
    return v2::who_reply{};
  case t::list_reply:
    return v2::list_reply{};
  case t::joined:
    return v2::joined_reply{};
  case t::history:
  case t::history_reply:
    return std::nullopt; // write them as TYPE_<n> or RAW
  }
  return std::nullopt;
}

std::optional<message> received_message(uint8_t type) {
  switch (static_cast<v2::type>(type)) {
  case v2::type::hello:
    return v2::hello_reply{};
  case v2::type::msg:
    return v2::msg_delivery{};
  case v2::type::dm:
    return v2::dm_delivery{};
  case v2::type::reply:
    return v2::reply{};
  case v2::type::presence:
    return v2::presence_event{};
  case v2::type::who_reply:
    return v2::who_reply{};
  case v2::type::list_reply:
    return v2::list_reply{};
  case v2::type::joined:
    return v2::joined_reply{};
  default:
    return std::nullopt; // JOIN, LEAVE, WHO, LIST: only clients send them
  }
}

bool decode_received(uint8_t type, std::string_view p, message& out, std::string& error) {
  switch (static_cast<v2::type>(type)) {
  case v2::type::hello:
    return take(v2::decode_hello_reply(p), out, error);
  case v2::type::msg:
    return take(v2::decode_msg_delivery(p), out, error);
  case v2::type::dm:
    return take(v2::decode_dm_delivery(p), out, error);
  case v2::type::reply:
    return take(v2::decode_reply(p), out, error);
  case v2::type::presence:
    return take(v2::decode_presence_event(p), out, error);
  case v2::type::who_reply:
    return take(v2::decode_who_reply(p), out, error);
  case v2::type::list_reply:
    return take(v2::decode_list_reply(p), out, error);
  case v2::type::joined:
    return take(v2::decode_joined_reply(p), out, error);
  default:
    return error = "the server never sends " + frame_type_name(type), false;
  }
}

} // namespace chat::scenario_fields
