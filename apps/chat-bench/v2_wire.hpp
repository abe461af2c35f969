// v2_wire.hpp -- the protocol-v2 frames chat-bench sends and reads once per message (MSG and DM
// requests; MSG, DM and REPLY from the server), without the allocations of the project's codec
// (messages/protocol_v2.hpp: a std::string per field, a shared buffer per encode). A request is
// appended straight to the client's write buffer and an answer is read as views into the read
// buffer. Pure; bench_framing calls it, bench_parts_test checks it against the project's codec.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace chat::bench::wire {

// Whole frames (header included) appended to `out`. `channel` and `to` must be at most 255
// bytes (their str8 prefix); chat-bench's own names are far shorter.
void append_msg(std::vector<char>& out, uint32_t ref, std::string_view channel,
                std::string_view text);
void append_dm(std::vector<char>& out, uint32_t ref, std::string_view to, std::string_view text);

// Payload views, valid while the payload is. Each needs the payload to hold exactly its fields
// (lengths only: UTF-8 is the server's to check, and the stamp check rejects anything else).
struct msg_view {
  std::string_view channel;
  std::string_view sender;
  std::string_view text;
  uint64_t offset = 0; // the message's place in the channel's history (0: none kept)
};
struct dm_view {
  std::string_view sender;
  std::string_view text;
};
struct reply_view {
  uint32_t ref = 0;
  bool ok = false; // status 0; anything else is a refusal
  std::string_view text;
};

std::optional<msg_view> read_msg(std::string_view payload);
std::optional<dm_view> read_dm(std::string_view payload);
std::optional<reply_view> read_reply(std::string_view payload);

} // namespace chat::bench::wire
