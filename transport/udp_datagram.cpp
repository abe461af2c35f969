// udp_datagram.cpp -- strict decoding and the encoders of the datagram kinds.
#include "transport/udp_datagram.hpp"

#include <algorithm>

namespace chat::transport::udp {

namespace {

// The signed little-endian body_len of the frame at p (4 bytes readable).
int64_t udp_frame_body_len(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return static_cast<int32_t>(v);
}

// Every byte after the cookie is whole frames, each body_len in 1..max_frame.
bool udp_frames_are_whole(std::string_view frames, std::size_t max_frame) {
  while (!frames.empty()) {
    if (frames.size() < datagram_frame_header_size) return false;
    int64_t body_len = udp_frame_body_len(frames.data());
    if (body_len < 1 || static_cast<uint64_t>(body_len) > max_frame) return false;
    if (static_cast<uint64_t>(body_len) > frames.size() - 4) return false;
    frames.remove_prefix(4 + static_cast<std::size_t>(body_len));
  }
  return true;
}

template <std::size_t N> void udp_copy_out(std::string_view from, std::array<uint8_t, N>& to) {
  std::copy(from.begin(), from.begin() + N, to.begin());
}

template <class Out> char* udp_put_header(Out& out, datagram_kind kind) {
  out[0] = static_cast<char>(datagram_magic);
  out[1] = static_cast<char>(datagram_version);
  out[2] = static_cast<char>(kind);
  return out.data() + datagram_header_size;
}

} // namespace

const char* datagram_fault_text(datagram_fault f) {
  switch (f) {
  case datagram_fault::too_short:
    return "datagram too short";
  case datagram_fault::too_large:
    return "datagram too large";
  case datagram_fault::wrong_magic:
    return "not a chat datagram";
  case datagram_fault::wrong_version:
    return "unsupported datagram version";
  case datagram_fault::unknown_kind:
    return "unknown datagram kind";
  case datagram_fault::short_hello:
    return "HELLO not padded to the minimum size";
  case datagram_fault::wrong_size:
    return "datagram of the wrong size for its kind";
  case datagram_fault::no_frames:
    return "DATA without frames";
  case datagram_fault::bad_frame:
    return "DATA with a malformed frame";
  }
  return "datagram fault";
}

decoded_datagram decode_datagram(std::string_view bytes, const datagram_limits& limits) {
  if (bytes.size() > limits.max_datagram) return datagram_fault::too_large;
  if (bytes.size() < datagram_header_size) return datagram_fault::too_short;
  if (static_cast<uint8_t>(bytes[0]) != datagram_magic) return datagram_fault::wrong_magic;
  if (static_cast<uint8_t>(bytes[1]) != datagram_version) return datagram_fault::wrong_version;
  datagram d;
  auto kind = static_cast<uint8_t>(bytes[2]);
  auto body = bytes.substr(datagram_header_size);
  switch (kind) {
  case static_cast<uint8_t>(datagram_kind::hello):
    if (bytes.size() < min_hello_size) return datagram_fault::short_hello;
    d.kind = datagram_kind::hello;
    udp_copy_out(body, d.echo); // the padding after it is not read
    return d;
  case static_cast<uint8_t>(datagram_kind::cookie):
    if (bytes.size() < cookie_datagram_size) return datagram_fault::too_short;
    if (bytes.size() != cookie_datagram_size) return datagram_fault::wrong_size;
    d.kind = datagram_kind::cookie;
    udp_copy_out(body, d.echo);
    udp_copy_out(body.substr(nonce_size), d.cookie);
    return d;
  case static_cast<uint8_t>(datagram_kind::data):
    if (bytes.size() < data_prefix_size) return datagram_fault::too_short;
    d.kind = datagram_kind::data;
    udp_copy_out(body, d.cookie);
    for (std::size_t i = 0; i < sequence_size; ++i)
      d.sequence |= uint64_t{static_cast<uint8_t>(body[cookie_size + i])} << (8 * i);
    d.frames = body.substr(cookie_size + sequence_size);
    if (d.frames.empty()) return datagram_fault::no_frames;
    if (!udp_frames_are_whole(d.frames, limits.max_frame)) return datagram_fault::bad_frame;
    return d;
  case static_cast<uint8_t>(datagram_kind::close):
    if (bytes.size() < close_datagram_size) return datagram_fault::too_short;
    if (bytes.size() != close_datagram_size) return datagram_fault::wrong_size;
    d.kind = datagram_kind::close;
    udp_copy_out(body, d.cookie);
    return d;
  default:
    return datagram_fault::unknown_kind;
  }
}

datagram_frame take_frame(std::string_view& frames) {
  auto body_len = static_cast<std::size_t>(udp_frame_body_len(frames.data()));
  datagram_frame f{static_cast<uint8_t>(frames[4]), frames.substr(5, body_len - 1)};
  frames.remove_prefix(4 + body_len);
  return f;
}

std::string encode_hello(const nonce& n, std::size_t size) {
  std::string out(std::max(size, min_hello_size), '\0');
  char* p = udp_put_header(out, datagram_kind::hello);
  std::copy(n.begin(), n.end(), p);
  return out;
}

cookie_datagram encode_cookie(const nonce& echo, const udp::cookie& c) {
  cookie_datagram out{};
  char* p = udp_put_header(out, datagram_kind::cookie);
  p = std::copy(echo.begin(), echo.end(), p);
  std::copy(c.begin(), c.end(), p);
  return out;
}

data_prefix encode_data_prefix(const udp::cookie& c, uint64_t sequence) {
  data_prefix out{};
  std::copy(c.begin(), c.end(), udp_put_header(out, datagram_kind::data));
  set_sequence(out, sequence);
  return out;
}

void set_sequence(data_prefix& prefix, uint64_t sequence) {
  for (std::size_t i = 0; i < sequence_size; ++i)
    prefix[datagram_header_size + cookie_size + i] = static_cast<char>(sequence >> (8 * i));
}

std::string encode_data(const udp::cookie& c, std::string_view frames, uint64_t sequence) {
  auto prefix = encode_data_prefix(c, sequence);
  std::string out{prefix.data(), prefix.size()};
  out.append(frames);
  return out;
}

close_datagram encode_close(const udp::cookie& c) {
  close_datagram out{};
  std::copy(c.begin(), c.end(), udp_put_header(out, datagram_kind::close));
  return out;
}

} // namespace chat::transport::udp
