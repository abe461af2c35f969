// scenario_v2_fields.hpp -- the fields of every version-2 payload, by name and in wire order,
// as scenario files write them, and which struct a client sends or receives under each type.
// Internal to the scenario library: scenario_v2.cpp parses, formats and compares with it.
#pragma once

#include "messages/protocol_v2.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace chat::scenario_fields {

// The most bytes a string field's length prefix can say (protocol_v2.hpp: str8, str16, text).
constexpr std::size_t str8_max = 0xFF;
constexpr std::size_t str16_max = 0xFFFF;
constexpr std::size_t text_max = 0xFFFFFFFF;

using message = std::variant<v2::hello_request, v2::join_request, v2::leave_request,
                             v2::msg_request, v2::dm_request, v2::who_request, v2::list_request,
                             v2::hello_reply, v2::reply, v2::msg_delivery, v2::dm_delivery,
                             v2::presence_event, v2::who_reply, v2::list_reply, v2::joined_reply>;

// Each payload's fields in wire order, as f(name, member, most bytes of a string or of each
// entry's name). The names are the decoders' (protocol_v2_decode.cpp); list counts are implied.
template <class F> void fields(v2::hello_request& x, F&& f) {
  f("version", x.version, 0);
}
template <class F> void fields(v2::join_request& x, F&& f) {
  f("ref", x.ref, 0);
  f("channel", x.channel, str8_max);
  if (!x.replay) return; // the short form
  f("mode", x.replay->mode, 0);
  f("epoch", x.replay->epoch, 0);
  f("offset", x.replay->offset, 0);
  f("count", x.replay->count, 0);
}
template <class F> void fields(v2::leave_request& x, F&& f) {
  f("ref", x.ref, 0);
  f("channel", x.channel, str8_max);
}
template <class F> void fields(v2::msg_request& x, F&& f) {
  f("ref", x.ref, 0);
  f("channel", x.channel, str8_max);
  f("text", x.text, text_max);
}
template <class F> void fields(v2::dm_request& x, F&& f) {
  f("ref", x.ref, 0);
  f("to", x.to, str8_max);
  f("text", x.text, text_max);
}
template <class F> void fields(v2::who_request& x, F&& f) {
  f("ref", x.ref, 0);
  f("channel", x.channel, str8_max);
  f("after", x.after, str8_max);
  f("limit", x.limit, 0);
}
template <class F> void fields(v2::list_request& x, F&& f) {
  f("ref", x.ref, 0);
  f("after", x.after, str8_max);
  f("limit", x.limit, 0);
}
template <class F> void fields(v2::hello_reply& x, F&& f) {
  f("version", x.version, 0);
  f("features", x.features, str16_max);
  f("max_frame", x.limits.max_frame, 0);
  f("max_channel_name", x.limits.max_channel_name, 0);
  f("max_channels_per_user", x.limits.max_channels_per_user, 0);
  f("max_channel_members", x.limits.max_channel_members, 0);
  f("page_size", x.limits.page_size, 0);
  f("max_message_rate_milli", x.limits.max_message_rate_milli, 0);
  if (x.version < v2::multipart_version) return; // as on the wire: version 3 adds two
  f("max_message", x.limits.max_message, 0);
  f("max_parts", x.limits.max_parts, 0);
}
template <class F> void fields(v2::reply& x, F&& f) {
  f("ref", x.ref, 0);
  f("status", x.result, 0);
  f("text", x.text, str16_max);
}
template <class F> void fields(v2::msg_delivery& x, F&& f) {
  f("channel", x.channel, str8_max);
  f("sender", x.sender, str8_max);
  f("text", x.text, text_max);
  f("offset", x.offset, 0);
}
template <class F> void fields(v2::dm_delivery& x, F&& f) {
  f("sender", x.sender, str8_max);
  f("text", x.text, text_max);
}
template <class F> void fields(v2::presence_event& x, F&& f) {
  f("channel", x.channel, str8_max);
  f("user", x.user, str8_max);
  f("event", x.kind, 0);
}
template <class F> void fields(v2::who_reply& x, F&& f) {
  f("ref", x.ref, 0);
  f("channel", x.channel, str8_max);
  f("total", x.total, 0);
  f("names", x.names, str8_max);
  f("next", x.next, str8_max);
}
template <class F> void fields(v2::list_reply& x, F&& f) {
  f("ref", x.ref, 0);
  f("total", x.total, 0);
  f("channels", x.channels, str8_max);
  f("next", x.next, str8_max);
}

template <class F> void fields(v2::joined_reply& x, F&& f) {
  f("ref", x.ref, 0);
  f("channel", x.channel, str8_max);
  f("recovery", x.position.result, 0);
  f("epoch", x.position.epoch, 0);
  f("first", x.position.first, 0);
  f("last", x.position.last, 0);
  f("replayed", x.position.replayed, 0);
}

// The struct a client sends under `type` (7..17), and the one it receives (nothing for JOIN,
// LEAVE, WHO and LIST, which only clients send).
std::optional<message> sent_message(uint8_t type);
std::optional<message> received_message(uint8_t type);

// Decodes a payload of a type the server sends; false with the decoder's reason.
bool decode_received(uint8_t type, std::string_view payload, message& out, std::string& error);

} // namespace chat::scenario_fields
