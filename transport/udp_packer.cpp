#include "transport/udp_packer.hpp"

#include <array>

namespace chat::transport::udp {

namespace {

// sendmsg takes at most this many pieces (IOV_MAX): a DATA of many tiny frames goes out in more
// datagrams rather than fail.
constexpr std::size_t max_pieces = 1024;

// A frame's header is its body_len (4 bytes) and its type byte; the type is part of the body.
constexpr std::size_t body_len_size = header_size - 1;

} // namespace

std::size_t datagram_packer::max_part_body(std::size_t max_datagram) {
  return max_datagram - data_prefix_size - body_len_size;
}

datagram_packer::datagram_packer(const cookie& c, std::size_t max_datagram, std::size_t max_message)
    : prefix_(encode_data_prefix(c)), max_datagram_(max_datagram),
      splitter_({max_part_body(max_datagram), max_message, v2::default_max_parts}) {}

void datagram_packer::pack(const std::vector<frame>& frames, const emit_fn& emit) {
  const std::size_t room = max_datagram_ - data_prefix_size;
  for (const auto& f : frames) {
    const auto& b = bytes(f);
    if (b.size() > room) {
      flush(emit);
      send_in_parts(f, emit);
      continue;
    }
    if (packed_ + b.size() > room || packet_.size() == max_pieces) flush(emit);
    if (packet_.empty()) packet_.push_back(iovec{prefix_.data(), prefix_.size()});
    packet_.push_back(iovec{const_cast<char*>(b.data()), b.size()});
    packed_ += b.size();
  }
  flush(emit);
}

void datagram_packer::number_next() {
  set_sequence(prefix_, next_sequence_++);
}

void datagram_packer::flush(const emit_fn& emit) {
  if (packet_.empty()) return;
  number_next();
  emit(packet_.data(), packet_.size(), prefix_.size() + packed_);
  packet_.clear();
  packed_ = 0;
}

void datagram_packer::send_in_parts(const frame& f, const emit_fn& emit) {
  if (bytes(f).size() < header_size) return; // not a whole frame: never made by a sender
  auto split = splitter_.split(type_of(f), payload_of(f));
  auto* parts = std::get_if<std::vector<frame>>(&split);
  if (parts == nullptr) {
    ++too_long_;
    return;
  }
  for (const auto& part : *parts) {
    const auto& b = bytes(part);
    std::array<iovec, 2> data{iovec{prefix_.data(), prefix_.size()},
                              iovec{const_cast<char*>(b.data()), b.size()}};
    number_next();
    emit(data.data(), data.size(), prefix_.size() + b.size());
  }
}

} // namespace chat::transport::udp
