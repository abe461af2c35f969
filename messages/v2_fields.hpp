// v2_fields.hpp -- the field kinds inside a protocol-v2 payload (protocol_v2.hpp: u8/u16/u32,
// str8/str16, text): field_writer appends them, field_reader reads them back, bounds- and
// UTF-8-checked. Internal to the v2 codec (protocol_v2_encode.cpp, protocol_v2_decode.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chat::v2 {

// The most bytes each length prefix can describe.
inline constexpr std::size_t max_str8 = 0xFF;
inline constexpr std::size_t max_str16 = 0xFFFF;
inline constexpr std::size_t max_text = 0xFFFFFFFF;

// `s` cut to at most `max` bytes, and further back to a code point boundary so that a cut
// UTF-8 string stays valid UTF-8. The writers' safety net for a caller bug (see field_writer).
std::string_view fit(std::string_view s, std::size_t max);

// Bytes a field takes on the wire, for reserve() and the body-size functions. The string sizes
// assume the caller kept within the bound (as it must); past it they give the clamped size.
inline constexpr std::size_t u8_size = 1;
inline constexpr std::size_t u16_size = 2;
inline constexpr std::size_t u32_size = 4;
inline constexpr std::size_t u64_size = 8;
inline std::size_t str8_size(std::size_t n) {
  return 1 + (n < max_str8 ? n : max_str8);
}
inline std::size_t str16_size(std::size_t n) {
  return 2 + (n < max_str16 ? n : max_str16);
}
inline std::size_t text_size(std::size_t n) {
  return 4 + (n < max_text ? n : max_text);
}

// Appends fields to a byte vector, little-endian, no padding.
//
// Bounds are the caller's to guarantee: a str8 holds at most 255 bytes, a str16 65535, a text
// 2^32-1, and names and frames are bounded far below that by the protocol's own limits. A
// longer string is a bug in the caller, so debug builds assert; release builds clamp it with
// fit() instead, so the length prefix always matches the bytes written and the frame stays
// decodable: the peer receives a shortened string, never a corrupted stream.
class field_writer {
public:
  explicit field_writer(std::vector<char>& out) : out_(&out) {}

  void u8(uint8_t v);
  void u16(uint16_t v);
  void u32(uint32_t v);
  void u64(uint64_t v);
  void str8(std::string_view s);
  void str16(std::string_view s);
  void text(std::string_view s);

private:
  std::vector<char>* out_;
};

// Names a field in a decode error: "channel", or "name[3]" for an entry of a list. Cheap to
// pass by value; the text is only built when a read fails.
struct field_name {
  field_name(const char* n) : name(n) {} // implicit: reads take "ref" directly
  field_name(const char* n, std::size_t i) : name(n), index(i), indexed(true) {}
  std::string str() const;

  const char* name;
  std::size_t index = 0;
  bool indexed = false;
};

// Reads fields from the front of a payload. The first failure is kept as the reason, naming
// the field ("channel: length 40 past the end of the payload", "ref: payload ends inside the
// field", "text: invalid UTF-8"); after it every read fails without touching its output, so a
// decoder can read all its fields unconditionally and look at the result once.
class field_reader {
public:
  explicit field_reader(std::string_view payload) : rest_(payload) {}

  bool u8(field_name f, uint8_t& out);
  bool u16(field_name f, uint16_t& out);
  bool u32(field_name f, uint32_t& out);
  bool u64(field_name f, uint64_t& out);
  bool str8(field_name f, std::string& out);
  bool str16(field_name f, std::string& out);
  bool text(field_name f, std::string& out);

  // After the last field: true when nothing failed and no byte is left, else false with the
  // reason ("3 bytes after the last field" if that was the only problem).
  bool finish();

  // Records "<field>: <reason>" for a value the reads accepted but the decoder does not (an
  // unknown enum value, a count the payload cannot hold), unless a reason is already kept.
  // Always returns false.
  bool fail(field_name f, std::string_view reason);

  bool ok() const { return error_.empty(); }
  std::size_t remaining() const { return rest_.size(); }
  const std::string& error() const { return error_; }

private:
  bool read_fixed(field_name f, std::size_t size, uint32_t& out);
  bool read_string(field_name f, std::size_t prefix_size, std::string& out);

  std::string_view rest_;
  std::string error_;
};

} // namespace chat::v2
