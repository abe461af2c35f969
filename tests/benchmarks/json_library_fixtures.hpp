// json_library_fixtures.hpp -- what json_library_benchmark.cpp runs its cases on
// (json_library_fixtures.cpp): the gateway's messages and the delivery it writes, and each JSON
// library set up as a reader or a writer of them, by name.
#pragma once

#include "messages/protocol_json.hpp"
#include "messages/protocol_v2.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace json_library_fixtures {

// ---- the messages (docs/PROTOCOL.md "JSON (WebSocket)") -----------------------------------------

struct sample {
  const char* name;
  std::string json;
  chat::json::direction from;
};

// login, join_replay, msg_64 (client to server) and delivery_64 (server to client).
const std::vector<sample>& samples();

// ---- what is read: one struct, the same for every library ---------------------------------------

// What a check keeps of `fields` once the parsed value (where its strings point) is gone.
struct owned_fields {
  std::string type, name, channel, text, sender, mode;
  uint64_t ref = 0, offset = 0, epoch = 0, replay_offset = 0, count = 0;
  unsigned seen = 0, replay_seen = 0;
  bool operator==(const owned_fields& o) const {
    return type == o.type && name == o.name && channel == o.channel && text == o.text &&
           sender == o.sender && mode == o.mode && ref == o.ref && offset == o.offset &&
           epoch == o.epoch && replay_offset == o.replay_offset && count == o.count &&
           seen == o.seen && replay_seen == o.replay_seen;
  }
};

// ---- the readers, by name -----------------------------------------------------------------------

struct reader {
  const char* name;
  std::function<bool(const sample&, owned_fields*)> read;
};

// Every library's reader: Boost.JSON as the gateway uses it and with its defaults, nlohmann-json,
// simdjson's dom and On Demand parsers.
std::vector<reader> readers();

// ---- writing a delivery -------------------------------------------------------------------------

const chat::v2::msg_delivery& delivery();
// The delivery as the protocol writes it: samples()'s delivery_64.
const std::string& expected_delivery_json();
// Boost.JSON as the gateway writes: in a monotonic arena with a 4 KiB first block on the stack.
std::string write_boost_gateway(const chat::v2::msg_delivery& d);

// nlohmann::json keeps an object's keys sorted (std::map): "channel" comes first, not "type".
// ordered_json keeps them in the order added, as the protocol's writer does.
template <class Json> std::string write_nlohmann(const chat::v2::msg_delivery& d) {
  Json j;
  j["type"] = "msg";
  j["channel"] = d.channel;
  j["sender"] = d.sender;
  j["text"] = d.text;
  j["offset"] = std::to_string(d.offset);
  return j.dump(); // throws on invalid UTF-8 by default (error_handler_t::strict)
}

struct writer {
  const char* name;
  std::string (*write)(const chat::v2::msg_delivery&);
};

extern const std::array<writer, 4> writers;

} // namespace json_library_fixtures
