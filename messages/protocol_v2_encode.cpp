// protocol_v2_encode.cpp -- the encoders, body sizes and equality of protocol_v2.hpp.
#include "messages/protocol_v2.hpp"

#include "messages/v2_fields.hpp"

#include <algorithm>
#include <cassert>
#include <limits>
#include <tuple>

namespace chat::v2 {

namespace {

// Counts the bytes field_writer would append for the same calls, so that encode() can reserve
// the exact frame size once and then write without reallocating.
class field_counter {
public:
  void u8(uint8_t) { size += u8_size; }
  void u16(uint16_t) { size += u16_size; }
  void u32(uint32_t) { size += u32_size; }
  void u64(uint64_t) { size += u64_size; }
  void str8(std::string_view s) { size += u8_size + fit(s, max_str8).size(); }
  void str16(std::string_view s) { size += u16_size + fit(s, max_str16).size(); }
  void text(std::string_view s) { size += u32_size + fit(s, max_text).size(); }

  std::size_t size = 0;
};

// A list longer than its u16 count can say is a caller bug (pages are bounded by page_size);
// like an over-long string it asserts in debug builds and is cut in release builds, keeping the
// count equal to the entries written.
uint16_t list_count(std::size_t n) {
  assert(n <= std::numeric_limits<uint16_t>::max() && "list longer than a u16 count");
  return static_cast<uint16_t>(std::min<std::size_t>(n, std::numeric_limits<uint16_t>::max()));
}

// One put_fields per payload: the field order of protocol_v2.hpp, written once and used both to
// count (field_counter) and to write (field_writer).
template <class Out> void put_fields(Out& o, const hello_request& x) {
  o.u16(x.version);
}
template <class Out> void put_fields(Out& o, const join_request& x) {
  o.u32(x.ref);
  o.str8(x.channel);
  if (!x.replay) return;
  o.u8(static_cast<uint8_t>(x.replay->mode));
  o.u64(x.replay->epoch);
  o.u64(x.replay->offset);
  o.u32(x.replay->count);
}
template <class Out> void put_fields(Out& o, const leave_request& x) {
  o.u32(x.ref);
  o.str8(x.channel);
}
template <class Out> void put_fields(Out& o, const msg_request& x) {
  o.u32(x.ref);
  o.str8(x.channel);
  o.text(x.text);
}
template <class Out> void put_fields(Out& o, const dm_request& x) {
  o.u32(x.ref);
  o.str8(x.to);
  o.text(x.text);
}
template <class Out> void put_fields(Out& o, const who_request& x) {
  o.u32(x.ref);
  o.str8(x.channel);
  o.str8(x.after);
  o.u16(x.limit);
}
template <class Out> void put_fields(Out& o, const list_request& x) {
  o.u32(x.ref);
  o.str8(x.after);
  o.u16(x.limit);
}
template <class Out> void put_fields(Out& o, const history_request& x) {
  o.u32(x.ref);
  o.str8(x.channel);
  o.u64(x.before);
  o.u16(x.limit);
}
// protocol_v2.hpp says only "limits": they go in server_limits' declaration order, each in the
// width of its member, so the struct is the one place to read the layout from.
template <class Out> void put_fields(Out& o, const hello_reply& x) {
  o.u16(x.version);
  o.str16(x.features);
  o.u32(x.limits.max_frame);
  o.u16(x.limits.max_channel_name);
  o.u32(x.limits.max_channels_per_user);
  o.u32(x.limits.max_channel_members);
  o.u16(x.limits.page_size);
  o.u32(x.limits.max_message_rate_milli);
  if (x.version < multipart_version) return;
  o.u32(x.limits.max_message);
  o.u16(x.limits.max_parts);
}
template <class Out> void put_fields(Out& o, const reply& x) {
  o.u32(x.ref);
  o.u8(static_cast<uint8_t>(x.result));
  o.str16(x.text);
}
template <class Out> void put_fields(Out& o, const msg_delivery& x) {
  o.str8(x.channel);
  o.str8(x.sender);
  o.text(x.text);
  o.u64(x.offset);
}
template <class Out> void put_fields(Out& o, const dm_delivery& x) {
  o.str8(x.sender);
  o.text(x.text);
}
template <class Out> void put_fields(Out& o, const presence_event& x) {
  o.str8(x.channel);
  o.str8(x.user);
  o.u8(static_cast<uint8_t>(x.kind));
}
template <class Out> void put_fields(Out& o, const who_reply& x) {
  o.u32(x.ref);
  o.str8(x.channel);
  o.u32(x.total);
  auto n = list_count(x.names.size());
  o.u16(n);
  for (std::size_t i = 0; i < n; ++i)
    o.str8(x.names[i]);
  o.str8(x.next);
}
template <class Out> void put_fields(Out& o, const list_reply& x) {
  o.u32(x.ref);
  o.u32(x.total);
  auto n = list_count(x.channels.size());
  o.u16(n);
  for (std::size_t i = 0; i < n; ++i) {
    o.str8(x.channels[i].name);
    o.u32(x.channels[i].members);
  }
  o.str8(x.next);
}

template <class Out> void put_fields(Out& o, const joined_reply& x) {
  o.u32(x.ref);
  o.str8(x.channel);
  o.u8(static_cast<uint8_t>(x.position.result));
  o.u64(x.position.epoch);
  o.u64(x.position.first);
  o.u64(x.position.last);
  o.u32(x.position.replayed);
}
template <class Out> void put_fields(Out& o, const history_reply& x) {
  o.u32(x.ref);
  o.str8(x.channel);
  o.u64(x.page.epoch);
  auto n = list_count(x.page.entries.size());
  o.u16(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto& e = x.page.entries[i];
    o.u64(e.offset);
    o.u64(static_cast<uint64_t>(e.time_ms));
    o.str8(e.sender);
    o.text(e.text);
  }
  o.u64(x.page.next_before);
}

// Header as frame_encoder.cpp writes it (4 bytes little-endian body length = payload + 1, then
// the type byte), then the payload, in one buffer reserved once.
template <class T> frame build_frame(type t, const T& value) {
  field_counter counter;
  put_fields(counter, value);
  assert(counter.size < static_cast<std::size_t>(std::numeric_limits<int32_t>::max()));
  std::vector<char> buf;
  buf.reserve(header_size + counter.size);
  field_writer w{buf};
  w.u32(static_cast<uint32_t>(counter.size + 1));
  w.u8(static_cast<uint8_t>(t));
  put_fields(w, value);
  assert(buf.size() == header_size + counter.size);
  return frame{std::move(buf)};
}

} // namespace

frame encode(const hello_request& x) {
  return build_frame(type::hello, x);
}
frame encode(const join_request& x) {
  return build_frame(type::join, x);
}
frame encode(const leave_request& x) {
  return build_frame(type::leave, x);
}
frame encode(const msg_request& x) {
  return build_frame(type::msg, x);
}
frame encode(const dm_request& x) {
  return build_frame(type::dm, x);
}
frame encode(const who_request& x) {
  return build_frame(type::who, x);
}
frame encode(const list_request& x) {
  return build_frame(type::list, x);
}
frame encode(const history_request& x) {
  return build_frame(type::history, x);
}
frame encode(const joined_reply& x) {
  return build_frame(type::joined, x);
}
frame encode(const history_reply& x) {
  return build_frame(type::history_reply, x);
}
frame encode(const hello_reply& x) {
  return build_frame(type::hello, x);
}
frame encode(const reply& x) {
  return build_frame(type::reply, x);
}
frame encode(const msg_delivery& x) {
  return build_frame(type::msg, x);
}
frame encode(const dm_delivery& x) {
  return build_frame(type::dm, x);
}
frame encode(const presence_event& x) {
  return build_frame(type::presence, x);
}
frame encode(const who_reply& x) {
  return build_frame(type::who_reply, x);
}
frame encode(const list_reply& x) {
  return build_frame(type::list_reply, x);
}

// The type byte plus the fields of put_fields(msg_delivery) / put_fields(dm_delivery).
std::size_t msg_delivery_body_size(std::size_t channel, std::size_t sender, std::size_t text) {
  return 1 + str8_size(channel) + str8_size(sender) + text_size(text) + u64_size;
}

std::size_t dm_delivery_body_size(std::size_t sender, std::size_t text) {
  return 1 + str8_size(sender) + text_size(text);
}

// ---- equality --------------------------------------------------------------------------------

bool operator==(const hello_request& a, const hello_request& b) {
  return a.version == b.version;
}
bool operator==(const join_request& a, const join_request& b) {
  return std::tie(a.ref, a.channel, a.replay) == std::tie(b.ref, b.channel, b.replay);
}
bool operator==(const leave_request& a, const leave_request& b) {
  return std::tie(a.ref, a.channel) == std::tie(b.ref, b.channel);
}
bool operator==(const msg_request& a, const msg_request& b) {
  return std::tie(a.ref, a.channel, a.text) == std::tie(b.ref, b.channel, b.text);
}
bool operator==(const dm_request& a, const dm_request& b) {
  return std::tie(a.ref, a.to, a.text) == std::tie(b.ref, b.to, b.text);
}
bool operator==(const who_request& a, const who_request& b) {
  return std::tie(a.ref, a.channel, a.after, a.limit) ==
         std::tie(b.ref, b.channel, b.after, b.limit);
}
bool operator==(const list_request& a, const list_request& b) {
  return std::tie(a.ref, a.after, a.limit) == std::tie(b.ref, b.after, b.limit);
}
bool operator==(const history_request& a, const history_request& b) {
  return std::tie(a.ref, a.channel, a.before, a.limit) ==
         std::tie(b.ref, b.channel, b.before, b.limit);
}
bool operator==(const joined_reply& a, const joined_reply& b) {
  return std::tie(a.ref, a.channel, a.position) == std::tie(b.ref, b.channel, b.position);
}
bool operator==(const history_reply& a, const history_reply& b) {
  return std::tie(a.ref, a.channel, a.page) == std::tie(b.ref, b.channel, b.page);
}
bool operator==(const server_limits& a, const server_limits& b) {
  return std::tie(a.max_frame, a.max_channel_name, a.max_channels_per_user, a.max_channel_members,
                  a.page_size, a.max_message_rate_milli, a.max_message, a.max_parts) ==
         std::tie(b.max_frame, b.max_channel_name, b.max_channels_per_user, b.max_channel_members,
                  b.page_size, b.max_message_rate_milli, b.max_message, b.max_parts);
}
bool operator==(const hello_reply& a, const hello_reply& b) {
  return a.version == b.version && a.features == b.features && a.limits == b.limits;
}
bool operator==(const reply& a, const reply& b) {
  return std::tie(a.ref, a.result, a.text) == std::tie(b.ref, b.result, b.text);
}
bool operator==(const msg_delivery& a, const msg_delivery& b) {
  return std::tie(a.channel, a.sender, a.text, a.offset) ==
         std::tie(b.channel, b.sender, b.text, b.offset);
}
bool operator==(const dm_delivery& a, const dm_delivery& b) {
  return std::tie(a.sender, a.text) == std::tie(b.sender, b.text);
}
bool operator==(const presence_event& a, const presence_event& b) {
  return std::tie(a.channel, a.user, a.kind) == std::tie(b.channel, b.user, b.kind);
}
bool operator==(const who_reply& a, const who_reply& b) {
  return std::tie(a.ref, a.channel, a.total, a.names, a.next) ==
         std::tie(b.ref, b.channel, b.total, b.names, b.next);
}
bool operator==(const channel_count& a, const channel_count& b) {
  return std::tie(a.name, a.members) == std::tie(b.name, b.members);
}
bool operator==(const list_reply& a, const list_reply& b) {
  return std::tie(a.ref, a.total, a.next) == std::tie(b.ref, b.total, b.next) &&
         a.channels == b.channels;
}

} // namespace chat::v2
