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
  template <class OnFrame> decode_error feed(const char* data, std::size_t n, OnFrame&& on_frame);

  // True while part of a frame has arrived but not all of it (EOF here is a truncated frame).
  bool mid_frame() const { return stage_ != stage::length || length_have_ > 0; }

  decode_error failure() const { return failed_; }

private:
  // The length is judged as soon as its 4 bytes are in, so a bad one is answered even when the
  // peer sends nothing after it. The type byte is the first byte of the body.
  enum class stage : uint8_t { length, type, payload };
  static constexpr std::size_t length_size = 4;

  decode_error start_body();
  void finish_buffered_body();

  std::size_t max_frame_;
  stage stage_ = stage::length;
  std::array<char, length_size> length_{};
  std::size_t length_have_ = 0;
  uint8_t type_ = 0;
  std::size_t payload_need_ = 0; // payload bytes of the current frame still missing
  std::string body_;             // the part of a split payload received so far
  decode_error failed_ = decode_error::none;
};

// -- inline implementation: the per-read hot path --------------------------------------------

template <class OnFrame>
decode_error frame_decoder::feed(const char* data, std::size_t n, OnFrame&& on_frame) {
  if (failed_ != decode_error::none) return failed_;
  while (n > 0) {
    switch (stage_) {
    case stage::length:
      if (length_have_ == 0 && n >= length_size) { // fast path: the whole length at once
        std::copy(data, data + length_size, length_.begin());
        data += length_size;
        n -= length_size;
      } else { // collect it byte by byte across calls
        length_[length_have_++] = *data++;
        --n;
        if (length_have_ < length_size) continue;
        length_have_ = 0;
      }
      if (auto err = start_body(); err != decode_error::none) return err;
      stage_ = stage::type;
      continue;
    case stage::type:
      type_ = static_cast<uint8_t>(*data++);
      --n;
      if (payload_need_ <= n) { // fast path: the whole payload in this chunk, no copy
        on_frame(type_, std::string_view{data, payload_need_});
        data += payload_need_;
        n -= payload_need_;
        stage_ = stage::length;
      } else {
        stage_ = stage::payload;
      }
      continue;
    case stage::payload: { // finishing a payload that started in an earlier call
      auto take = payload_need_ < n ? payload_need_ : n;
      body_.append(data, take);
      data += take;
      n -= take;
      payload_need_ -= take;
      if (payload_need_ > 0) return decode_error::none;
      on_frame(type_, std::string_view{body_});
      finish_buffered_body();
      continue;
    }
    }
  }
  return decode_error::none;
}

} // namespace chat
