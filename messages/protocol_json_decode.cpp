// protocol_json_decode.cpp -- JSON text -> frame (protocol_json.hpp). The text is parsed within
// bounds (size here; depth and memory in json_fields.cpp), each field is read strictly into the
// version-2 value or the version-1 payload, and the one encoder of that value makes the frame.
// UTF-8 is checked per field, not by the parser, so that the error can name the field.
#include "messages/protocol_json.hpp"

#include "messages/frame_encoder.hpp"
#include "messages/json_fields.hpp"
#include "messages/protocol_json_words.hpp"
#include "messages/protocol_v2.hpp"
#include "messages/v2_fields.hpp"

#include <algorithm>
#include <exception>
#include <limits>
#include <new>
#include <string>

namespace chat::json {

namespace {

// What the writer spends at most per payload byte: a control character is \u00XX (6 bytes for
// 1); a LIST_REPLY entry with an empty name and 10 digits of members is 33 bytes for 5.
constexpr std::size_t json_bytes_per_payload_byte = 8;
// The keys and punctuation of a frame with an empty payload ("type", HELLO's limits).
constexpr std::size_t json_bytes_per_frame = 1024;

std::string entry_path(const char* key, std::size_t i) {
  return std::string{key} + "[" + std::to_string(i) + "]";
}

// The whole value of a version-2 message read by `read_fields`, encoded by its one encoder.
template <class T, class Read> std::optional<frame> v2_frame(object_reader& r, Read read_fields) {
  T value{};
  read_fields(r, value);
  r.finish();
  if (!r.ok()) return std::nullopt;
  return v2::encode(value);
}

// A version-1 frame: its payload is the one string field `key`.
std::optional<frame> v1_frame(object_reader& r, uint8_t type, const char* key,
                              std::size_t max_payload) {
  std::string payload;
  r.string(key, payload, max_payload);
  r.finish();
  if (!r.ok()) return std::nullopt;
  return encode(type, payload);
}

// LOGIN from a client: `name`, or a `token` with an optional `name` (token authentication). With a
// token the payload is "name\ntoken" (auth/login_credentials.hpp), an empty name leaving the
// token to say who it is.
std::optional<frame> read_login(object_reader& r, std::size_t max_payload) {
  std::string name;
  std::string token;
  bool with_token = r.has("token");
  if (with_token) r.string("token", token, max_payload);
  if (!with_token || r.has("name")) r.string("name", name, max_payload);
  r.finish();
  if (!r.ok()) return std::nullopt;
  if (with_token) (name += words::login_token_separator) += token;
  return encode(frame_type::login, name);
}

std::optional<frame> read_join(object_reader& r, std::size_t) {
  return v2_frame<v2::join_request>(r, [](object_reader& r, v2::join_request& v) {
    r.u32("ref", v.ref);
    r.string("channel", v.channel, v2::max_str8);
    if (!r.has("replay")) return; // the short form: REPLY answers, not JOINED
    auto replay = r.object("replay");
    if (!replay) return;
    auto& req = v.replay.emplace();
    replay->word("mode", words::replay_modes, req.mode);
    replay->u64("epoch", req.epoch);
    replay->u64("offset", req.offset);
    replay->u32("count", req.count);
    replay->finish();
  });
}

std::optional<frame> read_who_reply(object_reader& r, std::size_t) {
  return v2_frame<v2::who_reply>(r, [](object_reader& r, v2::who_reply& v) {
    r.u32("ref", v.ref);
    r.string("channel", v.channel, v2::max_str8);
    r.u32("total", v.total);
    if (auto* names = r.array("names")) {
      v.names.reserve(names->size());
      for (std::size_t i = 0; i < names->size() && r.ok(); ++i)
        r.string((*names)[i], entry_path("names", i), v.names.emplace_back(), v2::max_str8);
    }
    r.string("next", v.next, v2::max_str8);
  });
}

std::optional<frame> read_list_reply(object_reader& r, std::size_t) {
  return v2_frame<v2::list_reply>(r, [](object_reader& r, v2::list_reply& v) {
    r.u32("ref", v.ref);
    r.u32("total", v.total);
    if (auto* channels = r.array("channels")) {
      v.channels.reserve(channels->size());
      for (std::size_t i = 0; i < channels->size() && r.ok(); ++i) {
        auto entry = r.object((*channels)[i], entry_path("channels", i));
        if (!entry) break;
        auto& c = v.channels.emplace_back();
        entry->string("name", c.name, v2::max_str8);
        entry->u32("members", c.members);
        entry->finish();
      }
    }
    r.string("next", v.next, v2::max_str8);
  });
}

std::optional<frame> read_history_reply(object_reader& r, std::size_t max_payload) {
  return v2_frame<v2::history_reply>(r, [max_payload](object_reader& r, v2::history_reply& v) {
    r.u32("ref", v.ref);
    r.string("channel", v.channel, v2::max_str8);
    r.u64("epoch", v.page.epoch);
    if (auto* entries = r.array("entries")) {
      v.page.entries.reserve(entries->size());
      for (std::size_t i = 0; i < entries->size() && r.ok(); ++i) {
        auto entry = r.object((*entries)[i], entry_path("entries", i));
        if (!entry) break;
        auto& e = v.page.entries.emplace_back();
        uint64_t time = 0;
        entry->u64("offset", e.offset);
        entry->u64("time_ms", time); // u64 on the wire, as the v2 decoder reads it
        e.time_ms = static_cast<int64_t>(time);
        entry->string("sender", e.sender, v2::max_str8);
        entry->string("text", e.text, max_payload);
        entry->finish();
      }
    }
    r.u64("next_before", v.page.next_before);
  });
}

// The frame of message type `type`, or nothing (the reason is in r's error).
std::optional<frame> read_message(uint8_t type, object_reader& r, direction from,
                                  std::size_t max_payload) {
  const bool from_server = from == direction::server_to_client;
  if (type <= static_cast<uint8_t>(frame_type::pong)) {
    // LOGIN carries the user name (and a token) to the server, "Login OK" or "Login failed: ..."
    // back.
    if (type == static_cast<uint8_t>(frame_type::login) && !from_server)
      return read_login(r, max_payload);
    const char* key = "text";
    if (type == static_cast<uint8_t>(frame_type::ping) ||
        type == static_cast<uint8_t>(frame_type::pong))
      key = "data";
    return v1_frame(r, type, key, max_payload);
  }
  switch (static_cast<v2::type>(type)) {
  case v2::type::hello:
    if (!from_server)
      return v2_frame<v2::hello_request>(
          r, [](object_reader& r, v2::hello_request& v) { r.u16("version", v.version); });
    return v2_frame<v2::hello_reply>(r, [](object_reader& r, v2::hello_reply& v) {
      r.u16("version", v.version);
      r.string("features", v.features, v2::max_str16);
      r.u32("max_frame", v.limits.max_frame);
      r.u16("max_channel_name", v.limits.max_channel_name);
      r.u32("max_channels_per_user", v.limits.max_channels_per_user);
      r.u32("max_channel_members", v.limits.max_channel_members);
      r.u16("page_size", v.limits.page_size);
      r.u32("max_message_rate_milli", v.limits.max_message_rate_milli);
      if (v.version < v2::multipart_version) return;
      r.u32("max_message", v.limits.max_message);
      r.u16("max_parts", v.limits.max_parts);
    });
  case v2::type::join:
    return read_join(r, max_payload);
  case v2::type::leave:
    return v2_frame<v2::leave_request>(r, [](object_reader& r, v2::leave_request& v) {
      r.u32("ref", v.ref);
      r.string("channel", v.channel, v2::max_str8);
    });
  case v2::type::msg:
    if (!from_server)
      return v2_frame<v2::msg_request>(r, [max_payload](object_reader& r, v2::msg_request& v) {
        r.u32("ref", v.ref);
        r.string("channel", v.channel, v2::max_str8);
        r.string("text", v.text, max_payload);
      });
    return v2_frame<v2::msg_delivery>(r, [max_payload](object_reader& r, v2::msg_delivery& v) {
      r.string("channel", v.channel, v2::max_str8);
      r.string("sender", v.sender, v2::max_str8);
      r.string("text", v.text, max_payload);
      r.u64("offset", v.offset);
    });
  case v2::type::dm:
    if (!from_server)
      return v2_frame<v2::dm_request>(r, [max_payload](object_reader& r, v2::dm_request& v) {
        r.u32("ref", v.ref);
        r.string("to", v.to, v2::max_str8);
        r.string("text", v.text, max_payload);
      });
    return v2_frame<v2::dm_delivery>(r, [max_payload](object_reader& r, v2::dm_delivery& v) {
      r.string("sender", v.sender, v2::max_str8);
      r.string("text", v.text, max_payload);
    });
  case v2::type::who:
    return v2_frame<v2::who_request>(r, [](object_reader& r, v2::who_request& v) {
      r.u32("ref", v.ref);
      r.string("channel", v.channel, v2::max_str8);
      r.string("after", v.after, v2::max_str8);
      r.u16("limit", v.limit);
    });
  case v2::type::list:
    return v2_frame<v2::list_request>(r, [](object_reader& r, v2::list_request& v) {
      r.u32("ref", v.ref);
      r.string("after", v.after, v2::max_str8);
      r.u16("limit", v.limit);
    });
  case v2::type::reply:
    return v2_frame<v2::reply>(r, [](object_reader& r, v2::reply& v) {
      r.u32("ref", v.ref);
      r.word("status", words::statuses, v.result);
      r.string("text", v.text, v2::max_str16);
    });
  case v2::type::presence:
    return v2_frame<v2::presence_event>(r, [](object_reader& r, v2::presence_event& v) {
      r.string("channel", v.channel, v2::max_str8);
      r.string("user", v.user, v2::max_str8);
      r.word("event", words::presence_events, v.kind);
    });
  case v2::type::who_reply:
    return read_who_reply(r, max_payload);
  case v2::type::list_reply:
    return read_list_reply(r, max_payload);
  case v2::type::joined:
    return v2_frame<v2::joined_reply>(r, [](object_reader& r, v2::joined_reply& v) {
      r.u32("ref", v.ref);
      r.string("channel", v.channel, v2::max_str8);
      r.word("recovery", words::recoveries, v.position.result);
      r.u64("epoch", v.position.epoch);
      r.u64("first", v.position.first);
      r.u64("last", v.position.last);
      r.u32("replayed", v.position.replayed);
    });
  case v2::type::history:
    return v2_frame<v2::history_request>(r, [](object_reader& r, v2::history_request& v) {
      r.u32("ref", v.ref);
      r.string("channel", v.channel, v2::max_str8);
      r.u64("before", v.before);
      r.u16("limit", v.limit);
    });
  case v2::type::history_reply:
    return read_history_reply(r, max_payload);
  }
  r.fail("type", "has no reader"); // unreachable: the caller looked the type up in words::types
  return std::nullopt;
}

std::optional<uint8_t> type_from_json_name(std::string_view name) {
  if (name.empty()) return std::nullopt;
  auto it = std::find(words::types.begin(), words::types.end(), name);
  if (it == words::types.end()) return std::nullopt;
  return static_cast<uint8_t>(it - words::types.begin());
}

converted<frame> no_frame(std::string reason) {
  return converted<frame>{std::in_place_index<1>, std::move(reason)};
}

converted<frame> frame_of(std::string_view text, direction from, std::size_t max_frame) {
  parsed_json parsed{text};
  auto* value = parsed.value();
  if (!value) return no_frame(parsed.error());
  auto* object = value->if_object();
  if (!object)
    return no_frame(std::string{"a message must be a JSON object, not "} + kind_name(*value));
  auto* type_value = object->if_contains("type");
  if (!type_value) return no_frame("\"type\" is missing");
  auto* type_string = type_value->if_string();
  if (!type_string) return no_frame("\"type\" must be a string");
  auto type = type_from_json_name(view(*type_string));
  if (!type) {
    if (quotable(view(*type_string)))
      return no_frame("unknown type \"" + std::string{view(*type_string)} + "\"");
    return no_frame("unknown type");
  }

  std::string error;
  object_reader reader{*object, words::types[*type], "", error};
  reader.known("type");
  std::size_t max_payload = max_frame > 0 ? max_frame - 1 : 0; // the body holds the type byte
  auto f = read_message(*type, reader, from, max_payload);
  if (!f) return no_frame(std::move(error));
  std::size_t body = bytes(*f).size() - (header_size - 1);
  if (body > max_frame)
    return no_frame(std::string{words::types[*type]} + ": the frame body would be " +
                    std::to_string(body) + " bytes, more than max_frame " +
                    std::to_string(max_frame));
  return converted<frame>{std::in_place_index<0>, std::move(*f)};
}

} // namespace

std::size_t max_json_size(std::size_t max_frame) {
  constexpr auto most = std::numeric_limits<std::size_t>::max();
  if (max_frame > (most - json_bytes_per_frame) / json_bytes_per_payload_byte) return most;
  return max_frame * json_bytes_per_payload_byte + json_bytes_per_frame;
}

converted<frame> frame_from_json(std::string_view text, direction from, std::size_t max_frame) {
  auto limit = max_json_size(max_frame);
  if (text.size() > limit)
    return no_frame("JSON text of " + std::to_string(text.size()) + " bytes is larger than " +
                    std::to_string(limit));
  try {
    return frame_of(text, from, max_frame);
  } catch (const std::bad_alloc&) {
    return no_frame("out of memory");
  } catch (const std::exception& e) {
    // Not expected (every access above is checked); a peer's message must not end the caller.
    return no_frame(std::string{"cannot convert JSON: "} + e.what());
  }
}

} // namespace chat::json
