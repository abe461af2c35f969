// protocol_json.hpp -- the JSON form of the wire protocol (docs/PROTOCOL.md "JSON (WebSocket)"):
// one JSON object <-> one frame, a pure translation with no chat rule in it. Called by the
// WebSocket transport (client JSON in, server frames out), chat-bench's WebSocket mode and tests.
//
// JSON -> frame builds exactly the frame a TCP client (or the server) would send, with the v2
// encoders and frame_encoder; frame -> JSON reads the frame with the strict v2 decoders. Bad
// input is a normal case: every function returns the reason as a value, never throws.
#pragma once

#include "messages/frame.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace chat::json {

// HELLO, LOGIN, MSG and DM have one shape from the client and another from the server (LOGIN:
// the user name, then "Login OK"); the direction says which one is meant. Every other type has
// one shape both ways.
enum class direction : uint8_t {
  client_to_server, // requests: what the gateway reads from a browser, what chat-bench sends
  server_to_client, // answers and deliveries: what the gateway writes, what a test client reads
};

// Arrays and objects nested deeper are refused while parsing. The deepest message is
// HISTORY_REPLY: object > "entries" array > entry object, 3 levels.
inline constexpr std::size_t max_depth = 8;

// The largest JSON text accepted for a frame bound of `max_frame` bytes (the body: type byte and
// payload). 6 x max_frame, because the writer spells a control character as \u00XX (6 bytes for
// one), so everything a frame can hold still fits, plus room for the keys of a short frame.
// The parsed value takes a bounded multiple of this, so it bounds memory too.
std::size_t max_json_size(std::size_t max_frame);

// Either the result or a short sentence saying what is wrong, e.g.
// `join: "ref" must be an integer 0..4294967295`, `unknown type "jion"`.
template <class T> using converted = std::variant<T, std::string>;

// One JSON text, ready to go out as one WebSocket text message.
struct json_text {
  std::string text;
};

// Parses one JSON object (at most max_json_size(max_frame) bytes) into the frame it stands for.
// Refused: malformed or too large JSON, not an object, an unknown "type", a missing, unknown or
// wrong-typed field, a number out of its range, a string longer than its wire field, and a frame
// whose body would be larger than `max_frame`.
converted<frame> frame_from_json(std::string_view text, direction from,
                                 std::size_t max_frame = default_max_frame);

// Writes a frame as one JSON object. Refused: a type that has no JSON form (0, 21..255), a
// payload the strict decoder refuses ("malformed JOIN: ..."), a version-1 text that is not valid
// UTF-8 (JSON strings must be).
converted<json_text> json_from_frame(uint8_t type, std::string_view payload, direction from);
converted<json_text> json_from_frame(const frame& f, direction from);

// The "type" of a frame type in JSON ("login", "broadcast", "who_reply"); nullopt for a type
// without a JSON form.
std::optional<std::string_view> json_type_name(uint8_t type);

} // namespace chat::json
