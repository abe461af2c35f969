#include "messages/v2_fields.hpp"

#include "messages/utf8.hpp"

#include <cassert>

namespace chat::v2 {

std::string_view fit(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s;
  // s[n] is the first byte dropped: if it continues a sequence, the cut would split that code
  // point, so drop the bytes of its start too.
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
    --n;
  return s.substr(0, n);
}

// ---- field_writer ---------------------------------------------------------------------------

void field_writer::u8(uint8_t v) {
  out_->push_back(static_cast<char>(v));
}

void field_writer::u16(uint16_t v) {
  out_->push_back(static_cast<char>(v & 0xFF));
  out_->push_back(static_cast<char>((v >> 8) & 0xFF));
}

void field_writer::u32(uint32_t v) {
  for (int shift = 0; shift < 32; shift += 8)
    out_->push_back(static_cast<char>((v >> shift) & 0xFF));
}

void field_writer::u64(uint64_t v) {
  for (int shift = 0; shift < 64; shift += 8)
    out_->push_back(static_cast<char>((v >> shift) & 0xFF));
}

void field_writer::str8(std::string_view s) {
  assert(s.size() <= max_str8 && "str8 field longer than 255 bytes");
  s = fit(s, max_str8);
  u8(static_cast<uint8_t>(s.size()));
  out_->insert(out_->end(), s.begin(), s.end());
}

void field_writer::str16(std::string_view s) {
  assert(s.size() <= max_str16 && "str16 field longer than 65535 bytes");
  s = fit(s, max_str16);
  u16(static_cast<uint16_t>(s.size()));
  out_->insert(out_->end(), s.begin(), s.end());
}

void field_writer::text(std::string_view s) {
  assert(s.size() <= max_text && "text field longer than 2^32-1 bytes");
  s = fit(s, max_text);
  u32(static_cast<uint32_t>(s.size()));
  out_->insert(out_->end(), s.begin(), s.end());
}

// ---- field_reader ---------------------------------------------------------------------------

std::string field_name::str() const {
  std::string s{name};
  if (indexed) s += "[" + std::to_string(index) + "]";
  return s;
}

bool field_reader::fail(field_name f, std::string_view reason) {
  if (ok()) {
    error_ = f.str();
    error_ += ": ";
    error_ += reason;
  }
  return false;
}

bool field_reader::read_fixed(field_name f, std::size_t size, uint32_t& out) {
  if (!ok()) return false;
  if (rest_.size() < size) return fail(f, "payload ends inside the field");
  uint32_t v = 0;
  for (std::size_t i = 0; i < size; ++i)
    v |= static_cast<uint32_t>(static_cast<unsigned char>(rest_[i])) << (8 * i);
  rest_.remove_prefix(size);
  out = v;
  return true;
}

bool field_reader::u8(field_name f, uint8_t& out) {
  uint32_t v = 0;
  if (!read_fixed(f, u8_size, v)) return false;
  out = static_cast<uint8_t>(v);
  return true;
}

bool field_reader::u16(field_name f, uint16_t& out) {
  uint32_t v = 0;
  if (!read_fixed(f, u16_size, v)) return false;
  out = static_cast<uint16_t>(v);
  return true;
}

bool field_reader::u32(field_name f, uint32_t& out) {
  return read_fixed(f, u32_size, out);
}

bool field_reader::u64(field_name f, uint64_t& out) {
  if (ok() && rest_.size() < u64_size) return fail(f, "payload ends inside the field");
  uint32_t low = 0, high = 0;
  if (!read_fixed(f, u32_size, low) || !read_fixed(f, u32_size, high)) return false;
  out = static_cast<uint64_t>(high) << 32 | low;
  return true;
}

bool field_reader::read_string(field_name f, std::size_t prefix_size, std::string& out) {
  uint32_t len = 0;
  if (!read_fixed(f, prefix_size, len)) return false;
  if (len > rest_.size())
    return fail(f, "length " + std::to_string(len) + " past the end of the payload");
  auto bytes = rest_.substr(0, len);
  if (!is_valid_utf8(bytes)) return fail(f, "invalid UTF-8");
  rest_.remove_prefix(len);
  out.assign(bytes.data(), bytes.size());
  return true;
}

bool field_reader::str8(field_name f, std::string& out) {
  return read_string(f, u8_size, out);
}

bool field_reader::str16(field_name f, std::string& out) {
  return read_string(f, u16_size, out);
}

bool field_reader::text(field_name f, std::string& out) {
  return read_string(f, u32_size, out);
}

bool field_reader::finish() {
  if (!ok()) return false;
  if (rest_.empty()) return true;
  auto n = rest_.size();
  error_ = std::to_string(n) + (n == 1 ? " byte" : " bytes") + " after the last field";
  return false;
}

} // namespace chat::v2
