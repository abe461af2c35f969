// protocol_v2.hpp -- protocol version 2 (docs/PROTOCOL.md "Version 2"): channels, direct
// messages, presence. The typed value of every v2 payload, its one encoder and its one strict
// decoder. Pure; called by session actors (decode requests, encode replies), channel actors
// (encode deliveries once per message), client sessions and the test clients.
//
// Field encoding inside a payload, in order, little-endian, no padding:
//   u8 / u16 / u32 / u64   fixed-size unsigned integers
//   str8 / str16      a length (u8 / u16) then that many bytes of UTF-8
//   text              a u32 length then that many bytes of UTF-8 (bounded by the frame)
// A payload must hold exactly its fields: a length past the end, a missing field or bytes left
// over are each a decode error with a reason naming the field.
#pragma once

#include "messages/frame.hpp"
#include "messages/history.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace chat::v2 {

inline constexpr uint16_t version = 2;
// Version 3 is version 2 and multi-part messages (messages/multipart.hpp): a client that says
// HELLO {3} takes PART frames from the server, and may send them; the HELLO reply then names the
// bounds of a reassembled message.
inline constexpr uint16_t multipart_version = 3;
inline constexpr uint16_t highest_version = multipart_version;

// Frame types of version 2 (7..63 are reserved for the protocol; 64..127 for extensions).
enum class type : uint8_t {
  hello = 7, // c->s {u16 version}; s->c {u16 version, str16 features, limits}
  join = 8,  // c->s {u32 ref, str8 channel [, u8 mode, u64 epoch, u64 offset, u32 count]}
  leave = 9, // c->s {u32 ref, str8 channel}
  msg =
      10,  // c->s {u32 ref, str8 channel, text}; s->c {str8 channel, str8 sender, text, u64 offset}
  dm = 11, // c->s {u32 ref, str8 to, text};      s->c {str8 sender, text}
  who = 12,           // c->s {u32 ref, str8 channel, str8 after, u16 limit}
  list = 13,          // c->s {u32 ref, str8 after, u16 limit}
  reply = 14,         // s->c {u32 ref, u8 status, str16 text}: the answer to a request with `ref`
  presence = 15,      // s->c {str8 channel, str8 user, u8 event}
  who_reply = 16,     // s->c {u32 ref, str8 channel, u32 total, u16 n, n x str8 name, str8 next}
  list_reply = 17,    // s->c {u32 ref, u32 total, u16 n, n x (str8 name, u32 members), str8 next}
  joined = 18,        // s->c {u32 ref, str8 channel, u8 recovery, u64 epoch, u64 first, u64 last,
                      //       u32 replayed}: the answer to a JOIN that asked about history
  history = 19,       // c->s {u32 ref, str8 channel, u64 before, u16 limit}
  history_reply = 20, // s->c {u32 ref, str8 channel, u64 epoch, u16 n,
                      //       n x (u64 offset, u64 time_ms, str8 sender, text), u64 next_before}
};

inline constexpr uint8_t first_type = 7;
inline constexpr uint8_t last_type = 63;
inline constexpr uint8_t first_extension_type = 64;
inline constexpr uint8_t last_extension_type = 127;
inline bool is_v2_type(uint8_t t) {
  return t >= first_type && t <= last_type;
}

// ---- client -> server ----------------------------------------------------------------------

struct hello_request {
  uint16_t version = 0;
};
struct join_request {
  uint32_t ref = 0;
  std::string channel;
  // The long form: the client asks about the channel's history (JOINED answers, not REPLY).
  std::optional<replay_request> replay = std::nullopt;
};
struct leave_request {
  uint32_t ref = 0;
  std::string channel;
};
struct msg_request {
  uint32_t ref = 0;
  std::string channel;
  std::string text;
};
struct dm_request {
  uint32_t ref = 0;
  std::string to;
  std::string text;
};
struct who_request {
  uint32_t ref = 0;
  std::string channel;
  std::string after;  // "" for the first page, else the last name of the previous page
  uint16_t limit = 0; // 0: the server's page size; larger than it: clamped to it
};
struct list_request {
  uint32_t ref = 0;
  std::string after;
  uint16_t limit = 0;
};
struct history_request {
  uint32_t ref = 0;
  std::string channel;
  uint64_t before = 0; // older than this offset; 0: from the newest
  uint16_t limit = 0;  // 0: the server's page size; larger than it: clamped to it
};

// ---- server -> client ----------------------------------------------------------------------

struct server_limits {
  uint32_t max_frame = 0;        // largest frame body the server accepts and sends
  uint16_t max_channel_name = 0; // bytes
  uint32_t max_channels_per_user = 0;
  uint32_t max_channel_members = 0;    // 0: unlimited
  uint16_t page_size = 0;              // WHO / LIST entries per reply at most
  uint32_t max_message_rate_milli = 0; // messages per second x 1000 (channel and direct); 0: none
  // Version 3 only (on the wire after the fields above, in a reply whose version is >= 3):
  uint32_t max_message = 0; // --max-message: the largest body a multi-part message may carry
  uint16_t max_parts = 0;   // parts per multi-part message at most
};
struct hello_reply {
  uint16_t version = 0;
  std::string features; // comma-separated, e.g. "channels,direct,presence"
  server_limits limits;
};

enum class status : uint8_t { ok = 0, refused = 1 };
struct reply {
  uint32_t ref = 0;
  status result = status::ok;
  std::string text; // the reason when refused; on success "" or a note ("already a member")
};

struct msg_delivery {
  std::string channel;
  std::string sender;
  std::string text;
  uint64_t offset = 0; // its place in the channel's history; 0: the channel keeps none
};
struct dm_delivery {
  std::string sender;
  std::string text;
};

enum class presence_kind : uint8_t { joined = 1, left = 2, dropped = 3 };
struct presence_event {
  std::string channel;
  std::string user;
  presence_kind kind = presence_kind::joined;
};

struct who_reply {
  uint32_t ref = 0;
  std::string channel;
  uint32_t total = 0;             // members of the channel right now
  std::vector<std::string> names; // this page, in byte order of the name
  std::string next;               // "" when this is the last page, else the `after` to ask with
};
struct joined_reply {
  uint32_t ref = 0;
  std::string channel;
  stream_position position; // replayed messages follow as MSG, then live ones
};
struct history_reply {
  uint32_t ref = 0;
  std::string channel;
  history_page page;
};
struct channel_count {
  std::string name;
  uint32_t members = 0;
};
struct list_reply {
  uint32_t ref = 0;
  uint32_t total = 0;                  // channels right now
  std::vector<channel_count> channels; // this page, in byte order of the name
  std::string next;
};

// ---- encoding: one whole frame (header included), shared ------------------------------------

frame encode(const hello_request&);
frame encode(const join_request&);
frame encode(const leave_request&);
frame encode(const msg_request&);
frame encode(const dm_request&);
frame encode(const who_request&);
frame encode(const list_request&);
frame encode(const history_request&);
frame encode(const hello_reply&);
frame encode(const reply&);
frame encode(const msg_delivery&);
frame encode(const dm_delivery&);
frame encode(const presence_event&);
frame encode(const who_reply&);
frame encode(const list_reply&);
frame encode(const joined_reply&);
frame encode(const history_reply&);

// The body size of encode(msg_delivery{channel, sender, text}) without building it: the
// session checks it against max_frame before a message is accepted.
std::size_t msg_delivery_body_size(std::size_t channel, std::size_t sender, std::size_t text);
std::size_t dm_delivery_body_size(std::size_t sender, std::size_t text);

// ---- decoding: payload only (the type byte already chose the function) -----------------------

// Either the value or the reason it is malformed, e.g. "malformed JOIN: channel: length 40
// past the end of the payload", "malformed MSG: 3 bytes after the last field",
// "malformed DM: text: invalid UTF-8". Decoders check lengths and UTF-8 only; the rules of
// names (channel_name.hpp, login_name.hpp) are the session's to apply.
template <class T> using decoded = std::variant<T, std::string>;

decoded<hello_request> decode_hello_request(std::string_view payload);
decoded<join_request> decode_join_request(std::string_view payload);
decoded<leave_request> decode_leave_request(std::string_view payload);
decoded<msg_request> decode_msg_request(std::string_view payload);
decoded<dm_request> decode_dm_request(std::string_view payload);
decoded<who_request> decode_who_request(std::string_view payload);
decoded<list_request> decode_list_request(std::string_view payload);
decoded<history_request> decode_history_request(std::string_view payload);
decoded<hello_reply> decode_hello_reply(std::string_view payload);
decoded<reply> decode_reply(std::string_view payload);
decoded<msg_delivery> decode_msg_delivery(std::string_view payload);
decoded<dm_delivery> decode_dm_delivery(std::string_view payload);
decoded<presence_event> decode_presence_event(std::string_view payload);
decoded<who_reply> decode_who_reply(std::string_view payload);
decoded<list_reply> decode_list_reply(std::string_view payload);
decoded<joined_reply> decode_joined_reply(std::string_view payload);
decoded<history_reply> decode_history_reply(std::string_view payload);

// Equality, for tests and the fuzz round trip.
bool operator==(const hello_request&, const hello_request&);
bool operator==(const join_request&, const join_request&);
bool operator==(const leave_request&, const leave_request&);
bool operator==(const msg_request&, const msg_request&);
bool operator==(const dm_request&, const dm_request&);
bool operator==(const who_request&, const who_request&);
bool operator==(const list_request&, const list_request&);
bool operator==(const history_request&, const history_request&);
bool operator==(const server_limits&, const server_limits&);
bool operator==(const hello_reply&, const hello_reply&);
bool operator==(const reply&, const reply&);
bool operator==(const msg_delivery&, const msg_delivery&);
bool operator==(const dm_delivery&, const dm_delivery&);
bool operator==(const presence_event&, const presence_event&);
bool operator==(const who_reply&, const who_reply&);
bool operator==(const channel_count&, const channel_count&);
bool operator==(const list_reply&, const list_reply&);
bool operator==(const joined_reply&, const joined_reply&);
bool operator==(const history_reply&, const history_reply&);

} // namespace chat::v2
