// json_library_fixtures.cpp -- the fixtures of json_library_benchmark.cpp
// (json_library_fixtures.hpp): the gateway's messages, the one strict read every library does of
// them, and each library set up to read them and to write a delivery as the gateway would.
#include "tests/benchmarks/json_library_fixtures.hpp"

#include "messages/frame.hpp"
#include "messages/json_fields.hpp"
#include "messages/protocol_json.hpp"
#include "messages/protocol_v2.hpp"
#include "messages/utf8.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace json_library_fixtures {

namespace bj = boost::json;
namespace sd = simdjson;

// ---- the messages (docs/PROTOCOL.md "JSON (WebSocket)") -----------------------------------------

constexpr std::string_view text64 =
    "Did anyone try the new build on arm64? It crashes at startup :-(";
static_assert(text64.size() == 64);

const std::vector<sample>& samples() {
  static const std::vector<sample> all = {
      {"login", R"({"type":"login","name":"ann"})", chat::json::direction::client_to_server},
      {"join_replay",
       R"({"type":"join","ref":2,"channel":"rust",)"
       R"("replay":{"mode":"since","epoch":"123","offset":"40","count":100}})",
       chat::json::direction::client_to_server},
      {"msg_64",
       R"({"type":"msg","ref":6,"channel":"rust","text":")" + std::string{text64} + R"("})",
       chat::json::direction::client_to_server},
      {"delivery_64",
       R"({"type":"msg","channel":"rust","sender":"ann","text":")" + std::string{text64} +
           R"(","offset":"41"})",
       chat::json::direction::server_to_client},
  };
  return all;
}

// ---- what is read: one struct, the same for every library ---------------------------------------

enum top_key : unsigned {
  k_type = 1,
  k_name = 2,
  k_ref = 4,
  k_channel = 8,
  k_text = 16,
  k_sender = 32,
  k_offset = 64,
  k_replay = 128,
};
enum replay_key : unsigned { r_mode = 1, r_epoch = 2, r_offset = 4, r_count = 8 };

struct fields {
  std::string_view type, name, channel, text, sender, mode;
  uint64_t ref = 0, offset = 0, epoch = 0, replay_offset = 0, count = 0;
  unsigned seen = 0, replay_seen = 0;
};

// The end of every read: nothing in a benchmark, a copy for the check.
bool done(bool ok, const fields& f, owned_fields* keep) {
  if (!ok || !keep) return ok;
  keep->type = f.type, keep->name = f.name, keep->channel = f.channel;
  keep->text = f.text, keep->sender = f.sender, keep->mode = f.mode;
  keep->ref = f.ref, keep->offset = f.offset, keep->epoch = f.epoch;
  keep->replay_offset = f.replay_offset, keep->count = f.count;
  keep->seen = f.seen, keep->replay_seen = f.replay_seen;
  return ok;
}

unsigned top_key_of(std::string_view k) {
  if (k == "type") return k_type;
  if (k == "name") return k_name;
  if (k == "ref") return k_ref;
  if (k == "channel") return k_channel;
  if (k == "text") return k_text;
  if (k == "sender") return k_sender;
  if (k == "offset") return k_offset;
  if (k == "replay") return k_replay;
  return 0;
}

unsigned replay_key_of(std::string_view k) {
  if (k == "mode") return r_mode;
  if (k == "epoch") return r_epoch;
  if (k == "offset") return r_offset;
  if (k == "count") return r_count;
  return 0;
}

std::string_view* string_slot(fields& f, unsigned k) {
  switch (k) {
  case k_type:
    return &f.type;
  case k_name:
    return &f.name;
  case k_channel:
    return &f.channel;
  case k_text:
    return &f.text;
  case k_sender:
    return &f.sender;
  default:
    return nullptr;
  }
}

// A u64 as the protocol writes it: a decimal string, digits only, no leading zero.
bool decimal(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0')) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    auto d = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

// After the read: the type's fields, all of them and no other, within their ranges.
bool complete(const fields& f, chat::json::direction from) {
  constexpr uint64_t max_u32 = std::numeric_limits<uint32_t>::max();
  if (f.ref > max_u32 || f.count > max_u32 || f.channel.size() > 255 || f.sender.size() > 255 ||
      f.name.size() > 255)
    return false;
  if (f.type == "login") return f.seen == (k_type | k_name);
  if (f.type == "join") {
    if (f.seen == (k_type | k_ref | k_channel)) return true;
    return f.seen == (k_type | k_ref | k_channel | k_replay) &&
           f.replay_seen == (r_mode | r_epoch | r_offset | r_count) &&
           (f.mode == "none" || f.mode == "since" || f.mode == "last");
  }
  if (f.type == "msg") {
    if (from == chat::json::direction::client_to_server)
      return f.seen == (k_type | k_ref | k_channel | k_text);
    return f.seen == (k_type | k_channel | k_sender | k_text | k_offset);
  }
  return false;
}

// One pass over an object's members, the same for every library: `Lib` says how to walk an
// object and how to read a string or an unsigned integer.
template <class Lib, class Object> bool read_members(Object&& object, fields& f) {
  return Lib::members(object, [&f](std::string_view key, auto&& value) {
    unsigned k = top_key_of(key);
    if (k == 0 || (f.seen & k)) return false; // unknown, or given twice (simdjson keeps both)
    f.seen |= k;
    switch (k) {
    case k_ref:
      return Lib::uint(value, f.ref);
    case k_offset: {
      std::string_view s;
      return Lib::string(value, s) && decimal(s, f.offset);
    }
    case k_replay:
      return Lib::members(value, [&f](std::string_view rkey, auto&& rvalue) {
        unsigned r = replay_key_of(rkey);
        if (r == 0 || (f.replay_seen & r)) return false;
        f.replay_seen |= r;
        std::string_view s;
        switch (r) {
        case r_mode:
          return Lib::string(rvalue, f.mode);
        case r_epoch:
          return Lib::string(rvalue, s) && decimal(s, f.epoch);
        case r_offset:
          return Lib::string(rvalue, s) && decimal(s, f.replay_offset);
        default:
          return Lib::uint(rvalue, f.count);
        }
      });
    default:
      return Lib::string(value, *string_slot(f, k));
    }
  });
}

// ---- Boost.JSON ---------------------------------------------------------------------------------

// CheckUtf8: the gateway parses with allow_invalid_utf8 and checks each string it reads (so the
// error names the field); Boost.JSON's defaults check while parsing.
template <bool CheckUtf8> struct boost_lib {
  template <class F> static bool members(const bj::value& v, F&& fn) {
    auto* o = v.if_object();
    if (!o) return false;
    for (const auto& m : *o)
      if (!fn(std::string_view{m.key().data(), m.key().size()}, m.value())) return false;
    return true;
  }
  static bool string(const bj::value& v, std::string_view& out) {
    auto* s = v.if_string();
    if (!s) return false;
    out = {s->data(), s->size()};
    return !CheckUtf8 || chat::is_valid_utf8(out);
  }
  static bool uint(const bj::value& v, uint64_t& out) {
    if (auto* i = v.if_int64(); i && *i >= 0) {
      out = static_cast<uint64_t>(*i);
      return true;
    }
    if (auto* u = v.if_uint64()) {
      out = *u;
      return true;
    }
    return false;
  }
};

// As the gateway parses: chat::json::parsed_json (json_fields.cpp), i.e. bj::parser with
// max_depth 8 and allow_invalid_utf8, the value in a monotonic arena with a 4 KiB first block on
// the stack, parser stack and value memory capped in proportion to the text.
bool read_boost_gateway(const sample& s, owned_fields* keep) {
  fields f;
  chat::json::parsed_json parsed{s.json};
  auto* v = parsed.value();
  return done(v && read_members<boost_lib<true>>(*v, f) && complete(f, s.from), f, keep);
}

// boost::json::parse into the same arena (4 KiB first block on the stack) with max_depth 8, but
// UTF-8 checked by the parser and no memory caps: the library alone, set up as the gateway is.
bool read_boost_arena(const sample& s, owned_fields* keep) {
  fields f;
  std::array<unsigned char, 4096> first_block;
  bj::monotonic_resource memory{first_block.data(), first_block.size()};
  bj::parse_options options;
  options.max_depth = chat::json::max_depth;
  bj::error_code ec;
  bj::value v = bj::parse(s.json, ec, bj::storage_ptr{&memory}, options);
  return done(!ec && read_members<boost_lib<false>>(v, f) && complete(f, s.from), f, keep);
}

// boost::json::parse with its defaults: heap storage, max_depth 32, UTF-8 checked by the parser.
bool read_boost_defaults(const sample& s, owned_fields* keep) {
  fields f;
  bj::error_code ec;
  bj::value v = bj::parse(s.json, ec);
  return done(!ec && read_members<boost_lib<false>>(v, f) && complete(f, s.from), f, keep);
}

// ---- nlohmann-json ------------------------------------------------------------------------------

struct nlohmann_lib {
  template <class F> static bool members(const nlohmann::json& j, F&& fn) {
    if (!j.is_object()) return false;
    for (auto it = j.begin(); it != j.end(); ++it)
      if (!fn(std::string_view{it.key()}, it.value())) return false;
    return true;
  }
  static bool string(const nlohmann::json& j, std::string_view& out) {
    if (!j.is_string()) return false;
    out = j.get_ref<const std::string&>();
    return true;
  }
  static bool uint(const nlohmann::json& j, uint64_t& out) {
    if (!j.is_number_unsigned()) return false; // a non-negative integer is parsed as unsigned
    out = j.get<uint64_t>();
    return true;
  }
};

// nlohmann::json::parse without exceptions (a bad text gives a "discarded" value). It checks
// UTF-8 while parsing; it has no depth or size option.
bool read_nlohmann(const sample& s, owned_fields* keep) {
  fields f;
  auto j = nlohmann::json::parse(s.json, nullptr, /*allow_exceptions=*/false);
  return done(!j.is_discarded() && read_members<nlohmann_lib>(j, f) && complete(f, s.from), f,
              keep);
}

// ---- simdjson -----------------------------------------------------------------------------------

// simdjson reads up to SIMDJSON_PADDING bytes past the text, so it must sit in a buffer with that
// much room. A WebSocket message in Beast's buffer has no such room: it is copied here, as the
// gateway would have to.
class padded_copy {
public:
  std::string_view place(std::string_view text) {
    if (buffer_.size() < text.size() + sd::SIMDJSON_PADDING)
      buffer_.resize(text.size() + sd::SIMDJSON_PADDING);
    std::memcpy(buffer_.data(), text.data(), text.size());
    return {buffer_.data(), text.size()};
  }
  std::size_t capacity() const { return buffer_.size(); }

private:
  std::vector<char> buffer_;
};

struct simdjson_dom_lib {
  template <class F> static bool members(sd::dom::element e, F&& fn) {
    sd::dom::object o;
    if (e.get_object().get(o)) return false;
    for (auto kv : o)
      if (!fn(kv.key, kv.value)) return false;
    return true;
  }
  static bool string(sd::dom::element e, std::string_view& out) { return !e.get_string().get(out); }
  static bool uint(sd::dom::element e, uint64_t& out) { return !e.get_uint64().get(out); }
};

struct simdjson_ondemand_lib {
  template <class V, class F> static bool members(V& v, F&& fn) {
    sd::ondemand::object o;
    if (v.get_object().get(o)) return false;
    for (auto member : o) {
      sd::ondemand::field field;
      std::string_view key;
      if (std::move(member).get(field) || field.unescaped_key().get(key)) return false;
      if (!fn(key, field.value())) return false;
    }
    return true;
  }
  static bool string(sd::ondemand::value& v, std::string_view& out) {
    return !v.get_string().get(out);
  }
  static bool uint(sd::ondemand::value& v, uint64_t& out) { return !v.get_uint64().get(out); }
};

// Bounded as the gateway is: texts up to chat::json::max_json_size, nesting up to 8 levels.
struct simdjson_dom_reader {
  simdjson_dom_reader() : parser(chat::json::max_json_size(chat::default_max_frame)) {
    if (parser.allocate(4096, chat::json::max_depth)) std::abort();
  }
  bool read(const sample& s, owned_fields* keep) {
    fields f;
    auto text = copy.place(s.json);
    sd::dom::element root;
    if (parser.parse(text.data(), text.size(), /*realloc_if_needed=*/false).get(root)) return false;
    return done(read_members<simdjson_dom_lib>(root, f) && complete(f, s.from), f, keep);
  }
  sd::dom::parser parser;
  padded_copy copy;
};

// On demand: the text is validated (UTF-8 and structure) as far as it is read, so every field is
// read. Its max_depth is enforced only in simdjson's debug builds. This simdjson (3.0.1) has no
// document::at_end(), yet data after the object is refused (--behaviour).
struct simdjson_ondemand_reader {
  simdjson_ondemand_reader() : parser(chat::json::max_json_size(chat::default_max_frame)) {}
  bool read(const sample& s, owned_fields* keep) {
    fields f;
    auto text = copy.place(s.json);
    sd::ondemand::document doc;
    if (parser.iterate(text.data(), text.size(), copy.capacity()).get(doc)) return false;
    return done(read_members<simdjson_ondemand_lib>(doc, f) && complete(f, s.from), f, keep);
  }
  sd::ondemand::parser parser;
  padded_copy copy;
};

// ---- the readers, by name -----------------------------------------------------------------------

std::vector<reader> readers() {
  auto dom = std::make_shared<simdjson_dom_reader>();
  auto ondemand = std::make_shared<simdjson_ondemand_reader>();
  return {
      {"boost_gateway", read_boost_gateway},
      {"boost_arena", read_boost_arena},
      {"boost_defaults", read_boost_defaults},
      {"nlohmann", read_nlohmann},
      {"simdjson_dom", [dom](const sample& s, owned_fields* k) { return dom->read(s, k); }},
      {"simdjson_ondemand",
       [ondemand](const sample& s, owned_fields* k) { return ondemand->read(s, k); }},
  };
}

// ---- writing a delivery -------------------------------------------------------------------------

const chat::v2::msg_delivery& delivery() {
  static const chat::v2::msg_delivery d{"rust", "ann", std::string{text64}, 41};
  return d;
}

const std::string& expected_delivery_json() {
  static const std::string s = samples()[3].json;
  return s;
}

// A delivery as protocol_json_encode.cpp writes it: keys in wire order, u64 as a decimal string,
// in `memory`: the gateway's monotonic arena with a 4 KiB first block, or the heap.
std::string write_boost(const chat::v2::msg_delivery& d, bj::storage_ptr memory) {
  bj::object o{std::move(memory)};
  o.emplace("type", "msg");
  o.emplace("channel", bj::string_view{d.channel.data(), d.channel.size()});
  o.emplace("sender", bj::string_view{d.sender.data(), d.sender.size()});
  o.emplace("text", bj::string_view{d.text.data(), d.text.size()});
  o.emplace("offset", std::to_string(d.offset));
  return bj::serialize(o);
}

std::string write_boost_gateway(const chat::v2::msg_delivery& d) {
  std::array<unsigned char, 4096> first_block;
  bj::monotonic_resource memory{first_block.data(), first_block.size()};
  return write_boost(d, bj::storage_ptr{&memory});
}

std::string write_boost_heap(const chat::v2::msg_delivery& d) {
  return write_boost(d, {});
}

const std::array<writer, 4> writers = {{
    {"boost_gateway", write_boost_gateway},
    {"boost_heap", write_boost_heap},
    {"nlohmann", write_nlohmann<nlohmann::json>},
    {"nlohmann_ordered", write_nlohmann<nlohmann::ordered_json>},
}};

} // namespace json_library_fixtures
