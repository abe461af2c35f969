#include "apps/chat-bench/stamp.hpp"

#include <array>

namespace chat::bench {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

void put_hex(char* out, uint64_t value, int digits) {
  for (int i = digits - 1; i >= 0; --i) {
    out[i] = hex_digits[value & 0xF];
    value >>= 4;
  }
}

// Hex digit -> value; anything else -> invalid_digit. A table, not branches: the digits of a
// send time are random, and a mispredicted branch per digit made this the bench's hottest code.
constexpr uint8_t invalid_digit = 0x10;

constexpr std::array<uint8_t, 256> make_digit_values() {
  std::array<uint8_t, 256> values{};
  for (auto& v : values)
    v = invalid_digit;
  for (int i = 0; i < 10; ++i)
    values['0' + i] = static_cast<uint8_t>(i);
  for (int i = 0; i < 6; ++i)
    values['a' + i] = static_cast<uint8_t>(10 + i);
  return values;
}

constexpr auto digit_values = make_digit_values();

// Lower-case hex only; `invalid` collects a flag for any other character.
template <int Digits> uint64_t get_hex(const char* in, uint8_t& invalid) {
  uint64_t value = 0;
  for (int i = 0; i < Digits; ++i) {
    auto d = digit_values[static_cast<unsigned char>(in[i])];
    invalid |= d;
    value = (value << 4) | (d & 0xF);
  }
  return value;
}

} // namespace

void write_stamp(char* text, const stamp& s) {
  text[0] = '#';
  text[1] = s.measured ? 'M' : 'W';
  put_hex(text + 2, s.run, 8);
  put_hex(text + 10, s.sender, 8);
  put_hex(text + 18, s.seq, 12);
  put_hex(text + 30, s.sent_ns, 16);
}

std::optional<stamp> read_stamp(std::string_view text) {
  if (text.size() < stamp_size || text[0] != '#' || (text[1] != 'M' && text[1] != 'W'))
    return std::nullopt;
  const char* p = text.data();
  uint8_t invalid = 0;
  stamp s;
  s.measured = text[1] == 'M';
  s.run = static_cast<uint32_t>(get_hex<8>(p + 2, invalid));
  s.sender = static_cast<uint32_t>(get_hex<8>(p + 10, invalid));
  s.seq = get_hex<12>(p + 18, invalid);
  s.sent_ns = get_hex<16>(p + 30, invalid);
  if (invalid & invalid_digit) return std::nullopt;
  return s;
}

} // namespace chat::bench
