// udp_datagram.hpp -- the bytes of one UDP datagram (PROTOCOL.md "Datagrams (UDP)"): a 3-byte
// header, then HELLO, COOKIE, DATA (a cookie, a sequence number, then whole frames of the TCP
// codec) or CLOSE.
// udp_gate.cpp decodes what unverified peers send; the endpoint and the client encode.
#pragma once

#include "transport/udp_cookie.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace chat::transport::udp {

inline constexpr uint8_t datagram_magic = 0xCA;
// 2: DATA carries a sequence number (version 1 had none; its datagrams are dropped as
// wrong_version).
inline constexpr uint8_t datagram_version = 2;
inline constexpr std::size_t datagram_header_size = 3; // magic, version, kind

enum class datagram_kind : uint8_t {
  hello = 1,  // client -> server: a nonce, padded to at least min_hello_size
  cookie = 2, // server -> client: the echo, then the cookie
  data = 3,   // both ways: the cookie, the sequence number, then whole frames
  close = 4,  // both ways: the cookie; the session ends
};

inline constexpr std::size_t nonce_size = 8;
using nonce = std::array<uint8_t, nonce_size>;

// The frame codec's header (messages/frame.hpp): a 4-byte little-endian body_len, the type byte.
inline constexpr std::size_t datagram_frame_header_size = 5;

inline constexpr std::size_t cookie_datagram_size = datagram_header_size + nonce_size + cookie_size;
// A HELLO is padded by its client to at least this: the COOKIE it asks for (31 bytes) and room
// for that answer to grow without ever answering with more than was received.
inline constexpr std::size_t min_hello_size = 64;
// A DATA's number in its sender's half of the session: 1, 2, 3, ... (8 bytes, little-endian),
// so the receiver drops a copy it has seen (udp_replay_window.hpp).
inline constexpr std::size_t sequence_size = 8;
inline constexpr std::size_t data_prefix_size = datagram_header_size + cookie_size + sequence_size;
inline constexpr std::size_t close_datagram_size = datagram_header_size + cookie_size;

// --udp-max-datagram: the default fits the IPv6 minimum MTU (1280) less IP and UDP headers, as
// QUIC's does; the option's range is [min, max]: room for a PART frame, and UDP's own limit.
inline constexpr std::size_t default_max_datagram = 1200;
inline constexpr std::size_t min_max_datagram = 256;
inline constexpr std::size_t max_max_datagram = 65507;

struct datagram_limits {
  std::size_t max_datagram = default_max_datagram; // larger datagrams are dropped unread
  std::size_t max_frame = 65536;                   // --max-frame: a frame's body_len bound
};

// Why a datagram was dropped; counted and logged by the endpoint, never answered.
enum class datagram_fault : uint8_t {
  too_short,     // fewer bytes than its header or its kind's fixed fields
  too_large,     // more than max_datagram
  wrong_magic,   // stray traffic
  wrong_version, // a version this server does not speak
  unknown_kind,
  short_hello, // a HELLO below min_hello_size: answering it could amplify
  wrong_size,  // a COOKIE or CLOSE of another size than its fixed one
  no_frames,   // a DATA with a cookie and nothing after it
  bad_frame,   // a DATA whose body_len is < 1 or > max_frame, or a frame cut by the datagram's end
};

const char* datagram_fault_text(datagram_fault f);

// A decoded datagram. `echo` is HELLO's nonce or COOKIE's echo; `cookie` belongs to COOKIE, DATA
// and CLOSE; `sequence` and `frames` to DATA, whose frames view the datagram's bytes: one or
// more whole, checked frames.
struct datagram {
  datagram_kind kind = datagram_kind::hello;
  nonce echo{};
  udp::cookie cookie{};
  uint64_t sequence = 0;
  std::string_view frames;
};

using decoded_datagram = std::variant<datagram, datagram_fault>;

decoded_datagram decode_datagram(std::string_view bytes, const datagram_limits& limits);

// One frame of a DATA that decode_datagram accepted: pops it off the front of `frames`.
struct datagram_frame {
  uint8_t type = 0;
  std::string_view payload;
};
datagram_frame take_frame(std::string_view& frames);

// Encoders. HELLO is padded with zeros to `size` (at least min_hello_size). The fixed-size kinds
// come as arrays, so answering a peer allocates nothing. A DATA is its prefix (header, cookie and
// sequence number) followed by whole encoded frames: the sender gathers the two without copying
// the frames, and numbers each DATA it sends with set_sequence().
std::string encode_hello(const nonce& n, std::size_t size = min_hello_size);
using cookie_datagram = std::array<char, cookie_datagram_size>;
cookie_datagram encode_cookie(const nonce& echo, const udp::cookie& c);
using data_prefix = std::array<char, data_prefix_size>;
data_prefix encode_data_prefix(const udp::cookie& c, uint64_t sequence = 1);
void set_sequence(data_prefix& prefix, uint64_t sequence);
std::string encode_data(const udp::cookie& c, std::string_view frames, uint64_t sequence = 1);
using close_datagram = std::array<char, close_datagram_size>;
close_datagram encode_close(const udp::cookie& c);

} // namespace chat::transport::udp
