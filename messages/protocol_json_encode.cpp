// protocol_json_encode.cpp -- frame -> JSON text (protocol_json.hpp). The payload is read by the
// strict decoder of its type (protocol_v2_decode.cpp), so a frame that would be refused on TCP is
// refused here with the same reason; every field is then written under its JSON name, 64-bit
// values as decimal strings and enums as words.
#include "messages/protocol_json.hpp"

#include "messages/protocol_json_words.hpp"
#include "messages/protocol_v2.hpp"
#include "messages/utf8.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <exception>
#include <new>
#include <string>

namespace chat::json {

namespace {

namespace bj = boost::json;

bj::string_view json_view(std::string_view s) {
  return {s.data(), s.size()};
}

// Builds one JSON object, its keys in the order they are added (the wire order of the fields).
class object_writer {
public:
  explicit object_writer(bj::storage_ptr memory) : object_(std::move(memory)) {}

  object_writer& type(uint8_t t) { return string("type", words::types[t]); }

  object_writer& string(const char* key, std::string_view s) {
    object_.emplace(key, json_view(s));
    return *this;
  }
  object_writer& number(const char* key, uint32_t n) {
    object_.emplace(key, n);
    return *this;
  }
  // JavaScript numbers are exact up to 2^53 only: a 64-bit value goes out as decimal digits.
  object_writer& u64(const char* key, uint64_t n) { return string(key, std::to_string(n)); }
  template <std::size_t N>
  object_writer& word(const char* key, const std::array<std::string_view, N>& words,
                      uint8_t value) {
    return string(key, words[value]);
  }
  object_writer& field(const char* key, bj::value v) {
    object_.emplace(key, std::move(v));
    return *this;
  }
  // The object, to nest in another one (JOIN's replay, a list's entries).
  bj::object release() && { return std::move(object_); }

  bj::storage_ptr memory() const { return object_.storage(); }
  std::string text() const { return bj::serialize(object_); }

private:
  bj::object object_;
};

converted<json_text> no_json(std::string reason) {
  return converted<json_text>{std::in_place_index<1>, std::move(reason)};
}
converted<json_text> done(const object_writer& w) {
  return converted<json_text>{std::in_place_index<0>, json_text{w.text()}};
}

// Decodes the payload with `decode`, then writes the value with `write`; the decoder's reason
// ("malformed JOIN: ...") is the error.
template <class T, class Write>
converted<json_text> v2_json(v2::decoded<T> (*decode)(std::string_view), std::string_view payload,
                             object_writer& w, Write write) {
  auto got = decode(payload);
  if (auto* err = std::get_if<std::string>(&got)) return no_json(std::move(*err));
  write(w, std::get<T>(got));
  return done(w);
}

// Version 1: the payload is the one string field; JSON strings are Unicode, so it must be UTF-8.
converted<json_text> v1_json(uint8_t type, std::string_view payload, direction from,
                             object_writer& w) {
  if (!is_valid_utf8(payload))
    return no_json(frame_type_name(type) + ": payload is not valid UTF-8");
  const char* key = "text";
  if (type == static_cast<uint8_t>(frame_type::login) && from == direction::client_to_server) {
    // "name\ntoken" is a name and a token (token authentication); a payload without the line
    // end is the name alone.
    auto split = payload.find(words::login_token_separator);
    w.string("name", payload.substr(0, split));
    if (split != std::string_view::npos) w.string("token", payload.substr(split + 1));
    return done(w);
  }
  if (type == static_cast<uint8_t>(frame_type::ping) ||
      type == static_cast<uint8_t>(frame_type::pong))
    key = "data";
  w.string(key, payload);
  return done(w);
}

converted<json_text> json_of(uint8_t type, std::string_view payload, direction from,
                             object_writer& w) {
  const bool from_server = from == direction::server_to_client;
  w.type(type);
  if (type <= static_cast<uint8_t>(frame_type::pong)) return v1_json(type, payload, from, w);
  switch (static_cast<v2::type>(type)) {
  case v2::type::hello:
    if (!from_server)
      return v2_json(
          v2::decode_hello_request, payload, w,
          [](object_writer& w, const v2::hello_request& v) { w.number("version", v.version); });
    return v2_json(
        v2::decode_hello_reply, payload, w, [](object_writer& w, const v2::hello_reply& v) {
          w.number("version", v.version)
              .string("features", v.features)
              .number("max_frame", v.limits.max_frame)
              .number("max_channel_name", v.limits.max_channel_name)
              .number("max_channels_per_user", v.limits.max_channels_per_user)
              .number("max_channel_members", v.limits.max_channel_members)
              .number("page_size", v.limits.page_size)
              .number("max_message_rate_milli", v.limits.max_message_rate_milli);
          if (v.version >= v2::multipart_version) // as on the wire: version 3 adds two
            w.number("max_message", v.limits.max_message).number("max_parts", v.limits.max_parts);
        });
  case v2::type::join:
    return v2_json(v2::decode_join_request, payload, w,
                   [](object_writer& w, const v2::join_request& v) {
                     w.number("ref", v.ref).string("channel", v.channel);
                     if (!v.replay) return;
                     object_writer replay{w.memory()};
                     replay.word("mode", words::replay_modes, static_cast<uint8_t>(v.replay->mode))
                         .u64("epoch", v.replay->epoch)
                         .u64("offset", v.replay->offset)
                         .number("count", v.replay->count);
                     w.field("replay", std::move(replay).release());
                   });
  case v2::type::leave:
    return v2_json(v2::decode_leave_request, payload, w,
                   [](object_writer& w, const v2::leave_request& v) {
                     w.number("ref", v.ref).string("channel", v.channel);
                   });
  case v2::type::msg:
    if (!from_server)
      return v2_json(v2::decode_msg_request, payload, w,
                     [](object_writer& w, const v2::msg_request& v) {
                       w.number("ref", v.ref).string("channel", v.channel).string("text", v.text);
                     });
    return v2_json(v2::decode_msg_delivery, payload, w,
                   [](object_writer& w, const v2::msg_delivery& v) {
                     w.string("channel", v.channel)
                         .string("sender", v.sender)
                         .string("text", v.text)
                         .u64("offset", v.offset);
                   });
  case v2::type::dm:
    if (!from_server)
      return v2_json(v2::decode_dm_request, payload, w,
                     [](object_writer& w, const v2::dm_request& v) {
                       w.number("ref", v.ref).string("to", v.to).string("text", v.text);
                     });
    return v2_json(v2::decode_dm_delivery, payload, w,
                   [](object_writer& w, const v2::dm_delivery& v) {
                     w.string("sender", v.sender).string("text", v.text);
                   });
  case v2::type::who:
    return v2_json(v2::decode_who_request, payload, w,
                   [](object_writer& w, const v2::who_request& v) {
                     w.number("ref", v.ref)
                         .string("channel", v.channel)
                         .string("after", v.after)
                         .number("limit", v.limit);
                   });
  case v2::type::list:
    return v2_json(v2::decode_list_request, payload, w,
                   [](object_writer& w, const v2::list_request& v) {
                     w.number("ref", v.ref).string("after", v.after).number("limit", v.limit);
                   });
  case v2::type::reply:
    return v2_json(v2::decode_reply, payload, w, [](object_writer& w, const v2::reply& v) {
      w.number("ref", v.ref)
          .word("status", words::statuses, static_cast<uint8_t>(v.result))
          .string("text", v.text);
    });
  case v2::type::presence:
    return v2_json(v2::decode_presence_event, payload, w,
                   [](object_writer& w, const v2::presence_event& v) {
                     w.string("channel", v.channel)
                         .string("user", v.user)
                         .word("event", words::presence_events, static_cast<uint8_t>(v.kind));
                   });
  case v2::type::who_reply:
    return v2_json(v2::decode_who_reply, payload, w, [](object_writer& w, const v2::who_reply& v) {
      bj::array names(w.memory());
      names.reserve(v.names.size());
      for (const auto& name : v.names)
        names.emplace_back(json_view(name));
      w.number("ref", v.ref)
          .string("channel", v.channel)
          .number("total", v.total)
          .field("names", std::move(names))
          .string("next", v.next);
    });
  case v2::type::list_reply:
    return v2_json(v2::decode_list_reply, payload, w,
                   [](object_writer& w, const v2::list_reply& v) {
                     bj::array channels(w.memory());
                     channels.reserve(v.channels.size());
                     for (const auto& c : v.channels) {
                       object_writer entry{w.memory()};
                       entry.string("name", c.name).number("members", c.members);
                       channels.emplace_back(std::move(entry).release());
                     }
                     w.number("ref", v.ref)
                         .number("total", v.total)
                         .field("channels", std::move(channels))
                         .string("next", v.next);
                   });
  case v2::type::joined:
    return v2_json(v2::decode_joined_reply, payload, w,
                   [](object_writer& w, const v2::joined_reply& v) {
                     const auto& p = v.position;
                     w.number("ref", v.ref)
                         .string("channel", v.channel)
                         .word("recovery", words::recoveries, static_cast<uint8_t>(p.result))
                         .u64("epoch", p.epoch)
                         .u64("first", p.first)
                         .u64("last", p.last)
                         .number("replayed", p.replayed);
                   });
  case v2::type::history:
    return v2_json(v2::decode_history_request, payload, w,
                   [](object_writer& w, const v2::history_request& v) {
                     w.number("ref", v.ref)
                         .string("channel", v.channel)
                         .u64("before", v.before)
                         .number("limit", v.limit);
                   });
  case v2::type::history_reply:
    return v2_json(v2::decode_history_reply, payload, w,
                   [](object_writer& w, const v2::history_reply& v) {
                     bj::array entries(w.memory());
                     entries.reserve(v.page.entries.size());
                     for (const auto& e : v.page.entries) {
                       object_writer entry{w.memory()};
                       entry.u64("offset", e.offset)
                           .u64("time_ms", static_cast<uint64_t>(e.time_ms)) // u64 on the wire
                           .string("sender", e.sender)
                           .string("text", e.text);
                       entries.emplace_back(std::move(entry).release());
                     }
                     w.number("ref", v.ref)
                         .string("channel", v.channel)
                         .u64("epoch", v.page.epoch)
                         .field("entries", std::move(entries))
                         .u64("next_before", v.page.next_before);
                   });
  }
  return no_json("frame type " + std::to_string(type) + " has no JSON form");
}

} // namespace

std::optional<std::string_view> json_type_name(uint8_t type) {
  if (type == 0 || type >= words::types.size()) return std::nullopt;
  return words::types[type];
}

converted<json_text> json_from_frame(uint8_t type, std::string_view payload, direction from) {
  if (!json_type_name(type))
    return no_json("frame type " + std::to_string(type) + " has no JSON form");
  try {
    // One arena per message: the value is built, written out and dropped at once.
    std::array<unsigned char, 4096> first_block;
    bj::monotonic_resource memory{first_block.data(), first_block.size()};
    object_writer w{bj::storage_ptr{&memory}};
    return json_of(type, payload, from, w);
  } catch (const std::bad_alloc&) {
    return no_json("out of memory");
  } catch (const std::exception& e) {
    return no_json(std::string{"cannot convert frame to JSON: "} + e.what());
  }
}

converted<json_text> json_from_frame(const frame& f, direction from) {
  return json_from_frame(type_of(f), payload_of(f), from);
}

} // namespace chat::json
