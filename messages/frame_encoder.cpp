#include "messages/frame_encoder.hpp"

namespace chat {

namespace {

void put_header(std::vector<char>& out, uint8_t type, std::size_t payload_size) {
  // Callers never build frames near 2 GiB; the bound keeps the int32 cast honest.
  auto body_len = static_cast<uint32_t>(payload_size + 1);
  out.push_back(static_cast<char>(body_len & 0xFF));
  out.push_back(static_cast<char>((body_len >> 8) & 0xFF));
  out.push_back(static_cast<char>((body_len >> 16) & 0xFF));
  out.push_back(static_cast<char>((body_len >> 24) & 0xFF));
  out.push_back(static_cast<char>(type));
}

} // namespace

// No reserve here: callers append many frames to one buffer, and reserving the exact new size
// on every call would defeat the vector's geometric growth (quadratic copying).
void encode_into(std::vector<char>& out, uint8_t type, std::string_view payload) {
  put_header(out, type, payload.size());
  out.insert(out.end(), payload.begin(), payload.end());
}

frame encode(uint8_t type, std::string_view payload) {
  std::vector<char> buf;
  buf.reserve(header_size + payload.size());
  encode_into(buf, type, payload);
  return frame{std::move(buf)};
}

frame encode_broadcast(std::string_view name, std::string_view text) {
  constexpr std::string_view separator = ": ";
  std::vector<char> buf;
  buf.reserve(header_size + name.size() + separator.size() + text.size());
  put_header(buf, static_cast<uint8_t>(frame_type::broadcast_msg),
             name.size() + separator.size() + text.size());
  buf.insert(buf.end(), name.begin(), name.end());
  buf.insert(buf.end(), separator.begin(), separator.end());
  buf.insert(buf.end(), text.begin(), text.end());
  return frame{std::move(buf)};
}

} // namespace chat
