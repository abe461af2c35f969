// large_message.hpp -- what --large-message sends and checks: one channel MSG of BYTES text,
// cut into PART frames (docs/PROTOCOL.md "Multi-part messages"), whose text is the usual stamp
// and then a filler that depends on each byte's position, so that a lost, repeated or misplaced
// piece shows. Pure: the text, its check, the cut and the bounds taken from the server's HELLO
// reply. bench_client_large.cpp uses it; bench_parts_test checks it.
#pragma once

#include "messages/frame.hpp"
#include "messages/multipart.hpp"
#include "messages/multipart_reassembly.hpp"
#include "messages/protocol_v2.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chat::bench {

// The most large messages a run may send (--duration / --large-every): what the per-message
// table (large_tracker.hpp) is sized for.
inline constexpr std::size_t max_large_messages = 100000;

// The client that sends them (a sender of the normal load too).
inline constexpr uint32_t large_sender = 0;

// The text of every large message of a run: stamp_size bytes of room for the stamp, then
// filler. The sender writes its stamp over the room; a receiver compares the rest.
std::string large_text(std::size_t bytes);

// Whether `text` is the large text `expected` (same size, same bytes after the stamp).
bool large_text_intact(std::string_view text, std::string_view expected);

// A large MSG's ref has bit 31 set, so that its REPLY (a refusal) is told from a normal MSG's,
// whose ref is its sequence number.
inline constexpr uint32_t large_ref_bit = 0x80000000;
inline uint32_t large_ref(uint64_t seq) {
  return large_ref_bit | static_cast<uint32_t>(seq & ~large_ref_bit);
}
inline bool is_large_ref(uint32_t ref) {
  return (ref & large_ref_bit) != 0;
}

// The body of a MSG request (type byte, u32 ref, str8 channel, u32 length, text): what the
// server holds to its --max-message.
inline std::size_t msg_request_body(std::size_t channel_bytes, std::size_t text_bytes) {
  return 1 + 4 + 1 + channel_bytes + 4 + text_bytes;
}

// Why a server with this HELLO reply cannot take a large MSG of `text_bytes` from a sender
// named with `sender_bytes` bytes into a channel named with `channel_bytes` bytes, or "" if it
// can: version 2; past its max_message (the server holds both the request and the delivery it
// would make of it, which names the sender and adds an offset, to --max-message) or past
// max_parts parts; or frames larger than chat-bench reads (default_max_frame).
std::string large_limits_problem(const v2::hello_reply& hello, std::size_t channel_bytes,
                                 std::size_t sender_bytes, std::size_t text_bytes);

// The splitter for what a client sends to this server (its max_frame, max_message, max_parts).
v2::message_splitter large_splitter(const v2::server_limits& server);

// A receiver's bounds: the server's (with some room to spare: the server holds a delivery to its
// --max-message already), and at most two messages in progress per client.
v2::reassembly_limits large_receiver_limits(const v2::server_limits& server);

// The PART frames of one large MSG {ref, channel, text} (one plain frame if it fits), cut by
// `splitter`; `scratch` is reused for the request's body. Empty if the splitter refuses it.
std::vector<frame> cut_large_msg(v2::message_splitter& splitter, std::vector<char>& scratch,
                                 uint32_t ref, std::string_view channel, std::string_view text);

} // namespace chat::bench
