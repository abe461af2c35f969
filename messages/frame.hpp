// frame.hpp -- the wire frame (PROTOCOL.md "Frame"): types, the shared encoded form, the decoded
// form. Encoded frames are built once (frame_encoder) and shared by reference by every queue that
// sends them; inbound frames are what transport hands to the actor that owns a connection.
#pragma once

#include <caf/all.hpp>
#include <caf/cow_tuple.hpp> // not part of caf/all.hpp

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat {

enum class frame_type : uint8_t {
  login = 1,    // v1: client -> server user name; server -> client "Login OK" / "Login failed: .."
  send_msg = 2, // v1: echo to the sender only
  broadcast_msg = 3, // v1: to every logged-in member, "<name>: <text>"
  error = 4,         // extension: human-readable reason
  ping = 5,          // extension: peer answers PONG with the same payload
  pong = 6,
};

// 4 bytes of little-endian signed body length, then 1 type byte.
inline constexpr std::size_t header_size = 5;
// Default bound on body_len (type byte + payload); a server option overrides it.
inline constexpr std::size_t default_max_frame = 65536;

// "LOGIN", "SEND_MSG", ... for logs, the client and scenario files; "TYPE_<n>" when unknown.
std::string frame_type_name(uint8_t type);
std::optional<uint8_t> frame_type_from_name(std::string_view name);

// One whole encoded frame (header + payload), immutable and reference counted: copying a
// `frame` bumps a count, it never copies bytes. Serializable, so it can cross nodes.
using frame = caf::cow_tuple<std::vector<char>>;

inline const std::vector<char>& bytes(const frame& f) {
  return caf::get<0>(f);
}
// The bytes of a temporary frame would dangle as soon as the statement ends.
const std::vector<char>& bytes(frame&&) = delete;

// An encoded frame's type byte and payload, read in place (for code that inspects frames it
// encoded itself: they are whole, so the header is there).
inline uint8_t type_of(const frame& f) {
  return static_cast<uint8_t>(bytes(f)[header_size - 1]);
}
inline std::string_view payload_of(const frame& f) {
  const auto& b = bytes(f);
  return {b.data() + header_size, b.size() - header_size};
}

// The frames one member receives in one delivery, in the order the room accepted them.
// Itself shared: the room builds one batch and every member's deliver message refers to it.
using frame_batch = caf::cow_tuple<std::vector<frame>>;

inline const std::vector<frame>& frames(const frame_batch& b) {
  return caf::get<0>(b);
}

// A frame as decoded from a peer. `type` stays a raw byte: unknown types are a normal case that
// the owning actor answers, not something the decoder may reject.
struct inbound_frame {
  uint8_t type = 0;
  std::string payload;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, inbound_frame& x) {
  return f(caf::meta::type_name("chat::inbound_frame"), x.type, x.payload);
}

inline bool operator==(const inbound_frame& a, const inbound_frame& b) {
  return a.type == b.type && a.payload == b.payload;
}

} // namespace chat
