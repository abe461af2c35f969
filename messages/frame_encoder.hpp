// frame_encoder.hpp -- the one place where a frame's bytes are produced.
// Called by actors (room, session, client_session) once per outgoing frame; pure, any thread.
#pragma once

#include "messages/frame.hpp"

#include <string_view>

namespace chat {

// Writes header + payload to the end of `out` (for callers that batch into one buffer).
void encode_into(std::vector<char>& out, uint8_t type, std::string_view payload);

// One shared frame; every copy of the result refers to the same bytes.
frame encode(uint8_t type, std::string_view payload);

inline frame encode(frame_type type, std::string_view payload) {
  return encode(static_cast<uint8_t>(type), payload);
}

// BROADCAST_MSG as the room sends it: "<name>: <text>", built without a temporary string.
frame encode_broadcast(std::string_view name, std::string_view text);

} // namespace chat
