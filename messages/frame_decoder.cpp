#include "messages/frame_decoder.hpp"

#include <cstdint>

namespace chat {

namespace {

// A split payload's buffer is kept for the next split frame only while it is small, so a
// connection that once received one large frame does not hold that memory while idle.
constexpr std::size_t kept_body_capacity = 256;

} // namespace

const char* to_string(decode_error e) {
  switch (e) {
  case decode_error::none:
    return "no error";
  case decode_error::bad_length:
    return "bad frame length";
  case decode_error::too_large:
    return "frame too large";
  }
  return "unknown decode error";
}

decode_error frame_decoder::start_body() {
  uint32_t raw_len = static_cast<uint8_t>(length_[0]) | (static_cast<uint8_t>(length_[1]) << 8) |
                     (static_cast<uint8_t>(length_[2]) << 16) |
                     (static_cast<uint32_t>(static_cast<uint8_t>(length_[3])) << 24);
  auto body_len = static_cast<int32_t>(raw_len); // signed on the wire (C# BitConverter)
  if (body_len < 1)
    failed_ = decode_error::bad_length;
  else if (static_cast<std::size_t>(body_len) > max_frame_)
    failed_ = decode_error::too_large;
  if (failed_ != decode_error::none) return failed_;
  payload_need_ = static_cast<std::size_t>(body_len) - 1;
  return decode_error::none;
}

void frame_decoder::finish_buffered_body() {
  stage_ = stage::length;
  if (body_.capacity() > kept_body_capacity)
    std::string{}.swap(body_);
  else
    body_.clear();
}

} // namespace chat
