#include "messages/multipart.hpp"

#include "messages/frame_encoder.hpp"
#include "messages/v2_fields.hpp"

#include <algorithm>

namespace chat::v2 {

namespace {

void put_part_header(std::vector<char>& out, uint32_t id, uint16_t index, uint16_t count) {
  field_writer w{out};
  w.u32(id);
  w.u16(index);
  w.u16(count);
}

} // namespace

frame encode_part(const part& p) {
  std::vector<char> payload;
  payload.reserve(part_header_size + p.piece.size());
  put_part_header(payload, p.id, p.index, p.count);
  payload.insert(payload.end(), p.piece.begin(), p.piece.end());
  return chat::encode(part_type, std::string_view{payload.data(), payload.size()});
}

decoded<part> decode_part(std::string_view payload) {
  field_reader r{payload.substr(0, std::min(payload.size(), part_header_size))};
  part p;
  r.u32("id", p.id);
  r.u16("index", p.index);
  r.u16("count", p.count);
  if (!r.ok()) return decoded<part>{std::in_place_index<1>, "malformed PART: " + r.error()};
  p.piece = payload.substr(part_header_size);
  return decoded<part>{std::in_place_index<0>, p};
}

std::size_t message_splitter::piece_size() const {
  return limits_.max_part_body > part_overhead ? limits_.max_part_body - part_overhead : 1;
}

std::size_t message_splitter::parts_for(std::size_t body_size) const {
  if (body_size <= limits_.max_part_body) return 1;
  auto piece = piece_size();
  return body_size / piece + (body_size % piece != 0);
}

std::size_t message_splitter::wire_bytes(std::size_t body_size) const {
  auto count = parts_for(body_size);
  if (count == 1) return header_size + body_size;
  return count * (header_size + part_overhead) + body_size; // the pieces add up to the body
}

std::variant<std::vector<frame>, std::string> message_splitter::split(uint8_t type,
                                                                      std::string_view payload) {
  using result = std::variant<std::vector<frame>, std::string>;
  std::size_t body_size = 1 + payload.size();
  std::size_t count = parts_for(body_size);
  if (count == 1)
    return result{std::in_place_index<0>, std::vector<frame>{chat::encode(type, payload)}};
  if (type == part_type) return result{std::in_place_index<1>, "a part may not carry a PART"};
  if (body_size > limits_.max_message || count > limits_.max_parts)
    return result{std::in_place_index<1>, "message too long"};

  // The body is the type byte, then the payload: part 0 starts with the type byte.
  std::vector<frame> frames;
  frames.reserve(count);
  std::vector<char> scratch;
  scratch.reserve(part_header_size + piece_size());
  std::size_t sent = 0; // payload bytes in the parts so far
  for (std::size_t index = 0; index < count; ++index) {
    scratch.clear();
    put_part_header(scratch, next_id_, static_cast<uint16_t>(index), static_cast<uint16_t>(count));
    std::size_t room = piece_size();
    if (index == 0) {
      scratch.push_back(static_cast<char>(type));
      --room;
    }
    auto piece = payload.substr(sent, room);
    scratch.insert(scratch.end(), piece.begin(), piece.end());
    sent += piece.size();
    frames.push_back(chat::encode(part_type, std::string_view{scratch.data(), scratch.size()}));
  }
  ++next_id_;
  return result{std::in_place_index<0>, std::move(frames)};
}

} // namespace chat::v2
