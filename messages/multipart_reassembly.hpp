// multipart_reassembly.hpp -- puts PART frames (multipart.hpp) back together into the frames
// they carry, within bounds, whole or not at all (docs/PROTOCOL.md "Multi-part messages"). One
// per receiving peer: owned by a server session, a client session or a UDP endpoint's peer.
#pragma once

#include "messages/frame.hpp"
#include "messages/multipart.hpp"
#include "messages/reassembly_budget.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat::v2 {

using reassembly_clock = std::chrono::steady_clock;

struct reassembly_limits {
  std::size_t max_message = default_max_message; // --max-message: bytes of a whole inner body
  uint16_t max_parts = default_max_parts;        // parts per message
  std::size_t max_messages = 4;                  // messages in progress at once
  std::chrono::milliseconds timeout{30000};      // from a message's first part to its last
  // At max_messages, what a new message does: refused (TCP: a sound sender never leaves a
  // message unfinished, so one that does is held to the bound), or it takes the place of the
  // oldest one, which is dropped (UDP: a lost part leaves a message that can never finish, and
  // the newest message is the one most likely to).
  bool newest_wins = false;
  // What every reassembly of the server may hold together (--max-multipart-held); none: only
  // the bounds above. A part that does not fit refuses its message, whose bytes are freed.
  std::shared_ptr<reassembly_budget> budget = nullptr;
};

// Which message ids of one sender are spent (delivered, refused or dropped), so that a late or
// duplicated part of one never starts it again: the highest id seen, and one bit for each of
// the `window` ids below it. Ids further back count as spent.
class spent_ids {
public:
  static constexpr uint32_t window = 1024;

  bool spent(uint32_t id) const;
  void see(uint32_t id); // a message with this id starts
  void spend(uint32_t id);

private:
  bool any_ = false;
  uint32_t highest_ = 0;
  std::array<uint64_t, window / 64> bits_{};
};

struct part_outcome {
  enum class kind : uint8_t {
    incomplete, // held; the message waits for more parts
    complete,   // the message is whole: `message` is its inner frame
    duplicate,  // the very part was held already: ignored
    late,       // a part of a spent id (a late or duplicated UDP datagram): ignored
    refused,    // the message is dropped and its id spent: answer ERROR `error`
    malformed,  // the payload has no whole PART header: answer ERROR `error`; nothing changed
  };
  kind what = kind::incomplete;
  uint32_t id = 0;
  inbound_frame message; // complete only: {inner type, inner payload}
  std::string error;     // refused, malformed
  // newest_wins: the message this part's one pushed out, with its ERROR ("multi-part: message
  // <id>: dropped with <held> of <count> parts for a newer one"); error is empty if none was.
  struct dropped_message {
    uint32_t id = 0;
    std::string error;
  } pushed_out;
};

// A message dropped by expire(): its ERROR is "multi-part: message <id>: timed out with <held>
// of <count> parts".
struct expired_message {
  uint32_t id = 0;
  uint16_t held = 0;
  uint16_t count = 0;
  std::string error;
};

class message_reassembly {
public:
  explicit message_reassembly(reassembly_limits limits = {});
  ~message_reassembly(); // gives what it holds back to the budget
  message_reassembly(const message_reassembly&) = delete;
  message_reassembly& operator=(const message_reassembly&) = delete;

  // One PART's payload, decoded here (malformed: see decode_part), or one decoded part. The
  // piece is copied; nothing is reserved from the part's count or the message's size, so
  // memory follows the bytes that arrived. A part that completes a message returns it and
  // frees everything the message held.
  part_outcome add(std::string_view part_payload, reassembly_clock::time_point now);
  part_outcome add(const part& p, reassembly_clock::time_point now);

  // Drops every message whose first part came `timeout` or more before `now`, freeing its
  // memory and spending its id. The owner calls it when next_expiry() is due.
  std::vector<expired_message> expire(reassembly_clock::time_point now);
  std::optional<reassembly_clock::time_point> next_expiry() const;

  // Piece bytes held by incomplete messages, type bytes included. Never more than
  // max_messages x max_message.
  std::size_t held_bytes() const { return held_bytes_; }
  std::size_t messages_in_progress() const { return messages_.size(); }
  const reassembly_limits& limits() const { return limits_; }

private:
  // One message being put back together. Parts 0..next-1 are joined in place, in `payload`
  // (the type byte apart), as they become contiguous; parts past a gap wait in `waiting`.
  struct message {
    uint32_t id = 0;
    uint16_t count = 0;
    uint16_t next = 0;
    uint8_t type = 0;
    reassembly_clock::time_point started;
    std::size_t held = 0;          // bytes of every part held, type byte included
    std::string payload;           // the inner payload of parts 0..next-1
    std::vector<std::size_t> ends; // ends[i]: where part i ends in the body (type byte at 0)
    std::map<uint16_t, std::string> waiting;
  };

  part_outcome add_held(const part& p, reassembly_clock::time_point now);
  std::vector<message>::iterator find(uint32_t id);
  part_outcome add_to(message& m, const part& p);
  part_outcome start(const part& p, reassembly_clock::time_point now);
  std::optional<std::string> check_piece(const part& p, std::size_t held) const;
  bool holds_same(const message& m, const part& p) const;
  void append(message& m, std::string_view piece);
  void drop(std::size_t at);

  reassembly_limits limits_;
  std::vector<message> messages_; // at most max_messages: searched by id
  std::size_t held_bytes_ = 0;
  spent_ids spent_;
};

} // namespace chat::v2
