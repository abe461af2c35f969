// multipart.hpp -- the PART frame (docs/PROTOCOL.md "Multi-part messages"): one piece of a frame
// body too large for one frame or datagram. Its encoding and strict decoding, and the splitter a
// sender (server session, client session, UDP endpoint) owns to cut its large bodies into parts.
#pragma once

#include "messages/frame.hpp"
#include "messages/protocol_v2.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace chat::v2 {

// The PART frame's type byte: the first of version 2's reserved types. Not yet in
// frame_type_name: sessions answer it as unknown until they are wired to a reassembly.
inline constexpr uint8_t part_type = 21;

// Payload: u32 id, u16 index, u16 count (little-endian, as every v2 field), then the piece: the
// rest of the payload, raw bytes (no length prefix, no UTF-8 rule; the inner frame's own rules
// apply once it is whole). The pieces of parts 0..count-1, in index order, are the inner body:
// its type byte, then its payload.
inline constexpr std::size_t part_header_size = 4 + 2 + 2;
// Bytes of a PART frame body that are not piece: its type byte and the header.
inline constexpr std::size_t part_overhead = 1 + part_header_size;

// Defaults shared by both ends (--max-message, and the bounds of docs/PROTOCOL.md).
inline constexpr std::size_t default_max_message = std::size_t{1} << 20;
inline constexpr uint16_t default_max_parts = 1024;

struct part {
  uint32_t id = 0;        // the sender's number for the message, fresh per message on a connection
  uint16_t index = 0;     // 0 .. count-1
  uint16_t count = 0;     // parts in the message, at least 2, the same in every part
  std::string_view piece; // refers to the decoded payload; valid as long as it is
};

// The whole PART frame, header included.
frame encode_part(const part& p);

// Reads the 8 header bytes; the piece is the rest, possibly empty (the reassembly refuses an
// empty piece, for its message). Fewer than 8 bytes: the reason names the first field cut
// short, e.g. "malformed PART: count: payload ends inside the field".
decoded<part> decode_part(std::string_view payload);

// Cuts frame bodies into PART frames for one connection (or one UDP peer): one per sender, on
// that sender's thread. Ids start at `first_id` and go up by one per split message.
class message_splitter {
public:
  struct limits {
    // The largest PART frame body (type byte + payload), as --max-frame counts: the peer's
    // max_frame over TCP, the datagram's room for a frame body over UDP. A piece takes this
    // minus part_overhead bytes (at least 1).
    std::size_t max_part_body = default_max_frame;
    std::size_t max_message = default_max_message; // the peer's --max-message
    uint16_t max_parts = default_max_parts;        // the peer's bound on parts per message
  };

  explicit message_splitter(limits l, uint32_t first_id = 0) : limits_(l), next_id_(first_id) {}

  // The frames that carry the inner body {type, payload}, ready to send in order (or, over TCP,
  // interleaved with other frames and other messages' parts). A body that fits one frame
  // (1 + payload.size() <= max_part_body) is that one plain frame, and spends no id. Else the
  // reason it cannot go: "message too long" (past max_message, or needing more than max_parts
  // parts), or "a part may not carry a PART" (type is part_type).
  std::variant<std::vector<frame>, std::string> split(uint8_t type, std::string_view payload);

  // How many parts a body of `body_size` bytes takes (1: it is sent whole).
  std::size_t parts_for(std::size_t body_size) const;
  // The bytes those parts take on the wire, frame headers included.
  std::size_t wire_bytes(std::size_t body_size) const;

  // The id the next split message will get.
  uint32_t next_id() const { return next_id_; }

private:
  std::size_t piece_size() const;

  limits limits_;
  uint32_t next_id_;
};

} // namespace chat::v2
