// frame_decoder.hpp -- cuts a TCP byte stream into frames (PROTOCOL.md "Frame").
// Pure: no sockets, no actors. One decoder per connection, used only on that connection's strand.
#pragma once

#include "messages/frame.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace chat {

// A length violation ends the stream: PROTOCOL.md forbids resynchronising.
enum class decode_error : uint8_t {
  none,
  bad_length, // body_len < 1 (zero or negative)
  too_large,  // body_len > max_frame
};

// The ERROR payload PROTOCOL.md gives for each violation.
const char* to_string(decode_error e);

class frame_decoder {
public:
  explicit frame_decoder(std::size_t max_frame = default_max_frame) : max_frame_(max_frame) {}

  // Consumes all of [data, data + n), calling on_frame(uint8_t type, std::string_view payload)
  // for every complete frame in order. The view is valid only during the call. Frames that lie
  // wholly inside `data` are passed without copying; only a frame split across calls is buffered,
  // and that buffer grows with the bytes that arrive, never by the announced length.
  // Returns the first violation; after one, the decoder ignores all further input.
  template <class OnFrame>
  decode_error feed(const char* data, std::size_t n, OnFrame&& on_frame);

  // True while part of a frame has arrived but not all of it (EOF here is a truncated frame).
  bool mid_frame() const { return header_have_ > 0 || in_body_; }

  decode_error failure() const { return failed_; }

private:
  decode_error start_body(uint32_t raw_len);
  void finish_buffered_body();

  std::size_t max_frame_;
  std::array<char, header_size> header_{};
  std::size_t header_have_ = 0;
  bool in_body_ = false;
  uint8_t type_ = 0;
  std::size_t payload_need_ = 0; // payload bytes of the current frame still missing
  std::string body_;             // the part of a split payload received so far
  decode_error failed_ = decode_error::none;
};

// -- inline implementation: the per-read hot path --------------------------------------------

template <class OnFrame>
decode_error frame_decoder::feed(const char* data, std::size_t n, OnFrame&& on_frame) {
  if (failed_ != decode_error::none)
    return failed_;
  while (n > 0) {
    if (in_body_) { // finishing a payload that started in an earlier call
      auto take = payload_need_ < n ? payload_need_ : n;
      body_.append(data, take);
      data += take;
      n -= take;
      payload_need_ -= take;
      if (payload_need_ > 0)
        return decode_error::none;
      on_frame(type_, std::string_view{body_});
      finish_buffered_body();
      continue;
    }
    if (header_have_ == 0 && n >= header_size) { // fast path: whole header in this chunk
      std::copy(data, data + header_size, header_.begin());
      data += header_size;
      n -= header_size;
    } else { // collect the header byte by byte across calls
      header_[header_have_++] = *data++;
      --n;
      if (header_have_ < header_size)
        continue;
      header_have_ = 0;
    }
    uint32_t raw_len = static_cast<uint8_t>(header_[0]) | (static_cast<uint8_t>(header_[1]) << 8)
                       | (static_cast<uint8_t>(header_[2]) << 16)
                       | (static_cast<uint32_t>(static_cast<uint8_t>(header_[3])) << 24);
    if (auto err = start_body(raw_len); err != decode_error::none)
      return err;
    if (payload_need_ <= n) { // fast path: whole payload in this chunk, no copy
      on_frame(type_, std::string_view{data, payload_need_});
      data += payload_need_;
      n -= payload_need_;
      payload_need_ = 0;
    } else {
      in_body_ = true;
    }
  }
  return decode_error::none;
}

} // namespace chat
