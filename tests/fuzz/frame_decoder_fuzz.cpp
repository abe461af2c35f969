// frame_decoder_fuzz.cpp -- libFuzzer target: frame_decoder at fuzzer-chosen split points, and
// the UTF-8 and login-name rules on every payload it emits. Built only with CHAT_FUZZ=ON (clang).
//
// Input: [h][k chunk sizes][stream]. k = h & 0x0F size bytes follow h; the stream is fed in
// chunks of those sizes, cycling (a size 0 feeds an empty chunk; no sizes, or only zeros, feeds
// byte by byte). The stream is decoded with max_frame (h >> 4) + 1, 1024 and the default.
// Every broken invariant ends in __builtin_trap(), so libFuzzer keeps the input.
#include "messages/frame_decoder.hpp"
#include "messages/frame_encoder.hpp"
#include "messages/login_name.hpp"
#include "messages/utf8.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::size_t max_chunk_sizes = 15;
constexpr std::size_t small_max_frame = 1024;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

struct decoded {
  uint8_t type;
  std::string payload;
  bool operator==(const decoded& o) const { return type == o.type && payload == o.payload; }
};

using frame_list = std::vector<decoded>;

auto collect(frame_list& out) {
  return [&out](uint8_t type, std::string_view payload) {
    out.push_back({type, std::string{payload}});
  };
}

// Unicode 15, table 3-7 ("Well-Formed UTF-8 Byte Sequences"), written independently of
// chat::is_valid_utf8 so the two can be compared.
bool reference_utf8(std::string_view s) {
  auto at = [&s](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char b = at(i);
    // Allowed range of the second byte; later bytes are always 0x80..0xBF.
    unsigned char lo = 0x80, hi = 0xBF;
    std::size_t len = 0;
    if (b <= 0x7F) {
      ++i;
      continue;
    }
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      if (b == 0xE0) lo = 0xA0; // overlong below U+0800
      if (b == 0xED) hi = 0x9F; // UTF-16 surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      if (b == 0xF0) lo = 0x90; // overlong below U+10000
      if (b == 0xF4) hi = 0x8F; // past U+10FFFF
    } else {
      return false;
    }
    if (s.size() - i < len || at(i + 1) < lo || at(i + 1) > hi) return false;
    for (std::size_t k = 2; k < len; ++k)
      if (at(i + k) < 0x80 || at(i + k) > 0xBF) return false;
    i += len;
  }
  return true;
}

void check_text(std::string_view text) {
  bool valid = chat::is_valid_utf8(text);
  check(valid == reference_utf8(text));
  if (chat::login_name_error(text) == nullptr) {
    check(valid);
    check(!text.empty() && text.size() <= chat::max_login_name);
    for (unsigned char c : text)
      check(c >= 0x20 && c != 0x7F); // no C0 control or DEL
    check(text.front() != ' ' && text.back() != ' ');
  }
}

int32_t length_at(std::string_view s, std::size_t pos) {
  uint32_t raw = 0;
  for (std::size_t i = 0; i < 4; ++i)
    raw |= static_cast<uint32_t>(static_cast<unsigned char>(s[pos + i])) << (8 * i);
  return static_cast<int32_t>(raw);
}

// Feeds `stream` in the given chunk sizes. Once an error is returned, every later feed must
// return the same error and emit nothing.
chat::decode_error feed_chunked(chat::frame_decoder& d, std::string_view stream,
                                const std::vector<std::size_t>& sizes, frame_list& out) {
  auto err = chat::decode_error::none;
  std::size_t pos = 0;
  for (std::size_t i = 0; pos < stream.size(); i = (i + 1) % sizes.size()) {
    auto n = std::min(sizes[i], stream.size() - pos);
    auto before = out.size();
    auto e = d.feed(stream.data() + pos, n, collect(out));
    pos += n;
    if (err != chat::decode_error::none)
      check(e == err && out.size() == before);
    else
      err = e;
    check(d.failure() == err);
  }
  return err;
}

void check_one_max_frame(std::string_view stream, const std::vector<std::size_t>& sizes,
                         std::size_t max_frame) {
  chat::frame_decoder whole{max_frame}, chunked{max_frame};
  frame_list a, b;
  auto err_a = whole.feed(stream.data(), stream.size(), collect(a));
  auto err_b = feed_chunked(chunked, stream, sizes, b);
  check(a == b && err_a == err_b && whole.failure() == err_a);
  if (err_a == chat::decode_error::none) check(whole.mid_frame() == chunked.mid_frame());

  // The frames re-encoded are exactly the bytes they came from, and decode to themselves.
  std::vector<char> encoded;
  for (auto& f : a) {
    check(f.payload.size() <= max_frame - 1);
    check_text(f.payload);
    chat::encode_into(encoded, f.type, f.payload);
    auto one = chat::encode(f.type, f.payload);
    check(chat::bytes(one).size() == chat::header_size + f.payload.size());
  }
  check(encoded.size() <= stream.size());
  check(std::string_view(encoded.data(), encoded.size()) == stream.substr(0, encoded.size()));
  if (err_a != chat::decode_error::none) { // the next 4 bytes are the length that was refused
    check(stream.size() - encoded.size() >= 4);
    auto len = length_at(stream, encoded.size());
    check(err_a == (len < 1 ? chat::decode_error::bad_length : chat::decode_error::too_large));
    check(len < 1 || static_cast<std::size_t>(len) > max_frame);
  } else if (!whole.mid_frame()) {
    check(encoded.size() == stream.size());
  }
  chat::frame_decoder again{max_frame};
  frame_list c;
  check(again.feed(encoded.data(), encoded.size(), collect(c)) == chat::decode_error::none);
  check(c == a && !again.mid_frame());

  // After an error nothing more comes out; after a clean end the next frame decodes alone.
  // (Mid-frame, the new bytes continue the unfinished frame: anything may come of that.)
  frame_list d;
  auto next = chat::encode(uint8_t{2}, "x");
  bool clean_end = err_a == chat::decode_error::none && !whole.mid_frame();
  auto err_d = whole.feed(chat::bytes(next).data(), chat::bytes(next).size(), collect(d));
  if (err_a != chat::decode_error::none) check(err_d == err_a && d.empty());
  if (clean_end && max_frame >= 2) check(err_d == err_a && d == frame_list{{2, "x"}});
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::size_t k = std::min<std::size_t>(data[0] & 0x0F, max_chunk_sizes);
  k = std::min(k, size - 1);
  std::size_t tiny_max_frame = (data[0] >> 4) + 1;
  std::vector<std::size_t> sizes(data + 1, data + 1 + k);
  bool any = false;
  for (auto s : sizes)
    any = any || s > 0;
  if (!any) sizes.push_back(1);
  std::string_view stream{reinterpret_cast<const char*>(data + 1 + k), size - 1 - k};

  check_text(stream);
  for (auto max_frame : {tiny_max_frame, small_max_frame, chat::default_max_frame})
    check_one_max_frame(stream, sizes, max_frame);
  return 0;
}
