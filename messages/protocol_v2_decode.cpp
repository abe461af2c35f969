// protocol_v2_decode.cpp -- the strict decoders of protocol_v2.hpp: every field bounds- and
// UTF-8-checked, enums checked against their values, no byte left over.
#include "messages/protocol_v2.hpp"

#include "messages/v2_fields.hpp"

#include <algorithm>
#include <utility>

namespace chat::v2 {

namespace {

// Reads a T with `read_fields`, then requires the payload to be used up. The reason names the
// frame the way logs and the scenario files do (frame_type_name: "JOIN", "WHO_REPLY").
template <class T, class Read>
decoded<T> decode_payload(type t, std::string_view payload, Read read_fields) {
  field_reader r{payload};
  T value{};
  read_fields(r, value);
  if (r.finish()) return decoded<T>{std::in_place_index<0>, std::move(value)};
  return decoded<T>{std::in_place_index<1>,
                    "malformed " + frame_type_name(static_cast<uint8_t>(t)) + ": " + r.error()};
}

void read_status(field_reader& r, status& out) {
  uint8_t raw = 0;
  if (!r.u8("status", raw)) return;
  if (raw != static_cast<uint8_t>(status::ok) && raw != static_cast<uint8_t>(status::refused)) {
    r.fail("status", "unknown value " + std::to_string(raw));
    return;
  }
  out = static_cast<status>(raw);
}

void read_presence_kind(field_reader& r, presence_kind& out) {
  uint8_t raw = 0;
  if (!r.u8("event", raw)) return;
  if (raw < static_cast<uint8_t>(presence_kind::joined) ||
      raw > static_cast<uint8_t>(presence_kind::dropped)) {
    r.fail("event", "unknown value " + std::to_string(raw));
    return;
  }
  out = static_cast<presence_kind>(raw);
}

// The u16 count of a list whose entries take at least `min_entry` bytes each and are followed
// by `min_tail` more bytes. A count the rest of the payload cannot hold is refused here, before
// the caller reserves anything: a 10-byte frame must not make us allocate 65535 entries.
bool read_count(field_reader& r, uint16_t& n, std::size_t min_entry, std::size_t min_tail) {
  if (!r.u16("n", n)) return false;
  std::size_t need = n * min_entry + min_tail;
  if (need > r.remaining())
    return r.fail("n", "count " + std::to_string(n) + " needs at least " + std::to_string(need) +
                           " more bytes, " + std::to_string(r.remaining()) + " left");
  return true;
}

// An enum's byte, refused past its last value.
template <class Enum> void read_enum(field_reader& r, field_name f, uint8_t last, Enum& out) {
  uint8_t raw = 0;
  if (!r.u8(f, raw)) return;
  if (raw > last) {
    r.fail(f, "unknown value " + std::to_string(raw));
    return;
  }
  out = static_cast<Enum>(raw);
}

// JOIN and LEAVE have the same fields.
template <class Request> void read_ref_channel(field_reader& r, Request& v) {
  r.u32("ref", v.ref);
  r.str8("channel", v.channel);
}

} // namespace

decoded<hello_request> decode_hello_request(std::string_view payload) {
  return decode_payload<hello_request>(
      type::hello, payload, [](field_reader& r, auto& v) { r.u16("version", v.version); });
}

decoded<join_request> decode_join_request(std::string_view payload) {
  return decode_payload<join_request>(type::join, payload, [](field_reader& r, auto& v) {
    read_ref_channel(r, v);
    if (!r.ok() || r.remaining() == 0) return; // the short form: no word about history
    auto& replay = v.replay.emplace();
    read_enum(r, "mode", static_cast<uint8_t>(replay_mode::last), replay.mode);
    r.u64("epoch", replay.epoch);
    r.u64("offset", replay.offset);
    r.u32("count", replay.count);
  });
}

decoded<leave_request> decode_leave_request(std::string_view payload) {
  return decode_payload<leave_request>(type::leave, payload, read_ref_channel<leave_request>);
}

decoded<msg_request> decode_msg_request(std::string_view payload) {
  return decode_payload<msg_request>(type::msg, payload, [](field_reader& r, auto& v) {
    r.u32("ref", v.ref);
    r.str8("channel", v.channel);
    r.text("text", v.text);
  });
}

decoded<dm_request> decode_dm_request(std::string_view payload) {
  return decode_payload<dm_request>(type::dm, payload, [](field_reader& r, auto& v) {
    r.u32("ref", v.ref);
    r.str8("to", v.to);
    r.text("text", v.text);
  });
}

decoded<who_request> decode_who_request(std::string_view payload) {
  return decode_payload<who_request>(type::who, payload, [](field_reader& r, auto& v) {
    r.u32("ref", v.ref);
    r.str8("channel", v.channel);
    r.str8("after", v.after);
    r.u16("limit", v.limit);
  });
}

decoded<list_request> decode_list_request(std::string_view payload) {
  return decode_payload<list_request>(type::list, payload, [](field_reader& r, auto& v) {
    r.u32("ref", v.ref);
    r.str8("after", v.after);
    r.u16("limit", v.limit);
  });
}

decoded<hello_reply> decode_hello_reply(std::string_view payload) {
  return decode_payload<hello_reply>(type::hello, payload, [](field_reader& r, auto& v) {
    r.u16("version", v.version);
    r.str16("features", v.features);
    r.u32("max_frame", v.limits.max_frame);
    r.u16("max_channel_name", v.limits.max_channel_name);
    r.u32("max_channels_per_user", v.limits.max_channels_per_user);
    r.u32("max_channel_members", v.limits.max_channel_members);
    r.u16("page_size", v.limits.page_size);
    r.u32("max_message_rate_milli", v.limits.max_message_rate_milli);
    if (v.version < multipart_version) return;
    r.u32("max_message", v.limits.max_message);
    r.u16("max_parts", v.limits.max_parts);
  });
}

decoded<reply> decode_reply(std::string_view payload) {
  return decode_payload<reply>(type::reply, payload, [](field_reader& r, auto& v) {
    r.u32("ref", v.ref);
    read_status(r, v.result);
    r.str16("text", v.text);
  });
}

decoded<msg_delivery> decode_msg_delivery(std::string_view payload) {
  return decode_payload<msg_delivery>(type::msg, payload, [](field_reader& r, auto& v) {
    r.str8("channel", v.channel);
    r.str8("sender", v.sender);
    r.text("text", v.text);
    r.u64("offset", v.offset);
  });
}

decoded<dm_delivery> decode_dm_delivery(std::string_view payload) {
  return decode_payload<dm_delivery>(type::dm, payload, [](field_reader& r, auto& v) {
    r.str8("sender", v.sender);
    r.text("text", v.text);
  });
}

decoded<presence_event> decode_presence_event(std::string_view payload) {
  return decode_payload<presence_event>(type::presence, payload, [](field_reader& r, auto& v) {
    r.str8("channel", v.channel);
    r.str8("user", v.user);
    read_presence_kind(r, v.kind);
  });
}

decoded<who_reply> decode_who_reply(std::string_view payload) {
  return decode_payload<who_reply>(type::who_reply, payload, [](field_reader& r, auto& v) {
    r.u32("ref", v.ref);
    r.str8("channel", v.channel);
    r.u32("total", v.total);
    uint16_t n = 0;
    constexpr std::size_t min_name = u8_size; // an empty str8
    if (!read_count(r, n, min_name, u8_size)) return;
    v.names.reserve(std::min<std::size_t>(n, r.remaining() / min_name));
    for (std::size_t i = 0; i < n && r.ok(); ++i)
      r.str8({"name", i}, v.names.emplace_back());
    r.str8("next", v.next);
  });
}

decoded<list_reply> decode_list_reply(std::string_view payload) {
  return decode_payload<list_reply>(type::list_reply, payload, [](field_reader& r, auto& v) {
    r.u32("ref", v.ref);
    r.u32("total", v.total);
    uint16_t n = 0;
    constexpr std::size_t min_entry = u8_size + u32_size; // an empty str8 and the member count
    if (!read_count(r, n, min_entry, u8_size)) return;
    v.channels.reserve(std::min<std::size_t>(n, r.remaining() / min_entry));
    for (std::size_t i = 0; i < n && r.ok(); ++i) {
      auto& entry = v.channels.emplace_back();
      r.str8({"name", i}, entry.name);
      r.u32({"members", i}, entry.members);
    }
    r.str8("next", v.next);
  });
}

decoded<history_request> decode_history_request(std::string_view payload) {
  return decode_payload<history_request>(type::history, payload, [](field_reader& r, auto& v) {
    r.u32("ref", v.ref);
    r.str8("channel", v.channel);
    r.u64("before", v.before);
    r.u16("limit", v.limit);
  });
}

decoded<joined_reply> decode_joined_reply(std::string_view payload) {
  return decode_payload<joined_reply>(type::joined, payload, [](field_reader& r, auto& v) {
    r.u32("ref", v.ref);
    r.str8("channel", v.channel);
    read_enum(r, "recovery", last_recovery, v.position.result);
    r.u64("epoch", v.position.epoch);
    r.u64("first", v.position.first);
    r.u64("last", v.position.last);
    r.u32("replayed", v.position.replayed);
  });
}

decoded<history_reply> decode_history_reply(std::string_view payload) {
  return decode_payload<history_reply>(type::history_reply, payload, [](field_reader& r, auto& v) {
    r.u32("ref", v.ref);
    r.str8("channel", v.channel);
    r.u64("epoch", v.page.epoch);
    uint16_t n = 0;
    // offset, time, an empty sender and an empty text
    constexpr std::size_t min_entry = u64_size + u64_size + u8_size + u32_size;
    if (!read_count(r, n, min_entry, u64_size)) return;
    v.page.entries.reserve(std::min<std::size_t>(n, r.remaining() / min_entry));
    for (std::size_t i = 0; i < n && r.ok(); ++i) {
      auto& e = v.page.entries.emplace_back();
      uint64_t time = 0;
      r.u64({"offset", i}, e.offset);
      r.u64({"time_ms", i}, time);
      e.time_ms = static_cast<int64_t>(time);
      r.str8({"sender", i}, e.sender);
      r.text({"text", i}, e.text);
    }
    r.u64("next_before", v.page.next_before);
  });
}

} // namespace chat::v2
