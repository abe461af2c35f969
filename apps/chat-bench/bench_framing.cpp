#include "apps/chat-bench/bench_framing.hpp"

namespace chat::bench {

namespace {

std::variant<frame_decoder, asio_example_decoder> make_decoder(framing_kind kind) {
  if (kind == framing_kind::asio_example) return asio_example_decoder{};
  return frame_decoder{};
}

} // namespace

bench_framing::bench_framing(framing_kind kind) : decoder_(make_decoder(kind)) {}

void bench_framing::encode_login(std::vector<char>& out, std::string_view name) const {
  encode_into(out, static_cast<uint8_t>(frame_type::login), name);
}

void bench_framing::encode_pong(std::vector<char>& out, std::string_view payload) const {
  encode_into(out, static_cast<uint8_t>(frame_type::pong), payload);
}

void bench_framing::encode_broadcast(std::vector<char>& out, std::string_view text) const {
  if (has_login())
    encode_into(out, static_cast<uint8_t>(frame_type::broadcast_msg), text);
  else
    encode_asio_example(out, text);
}

inbound_kind bench_framing::kind_of(uint8_t type) {
  switch (static_cast<frame_type>(type)) {
  case frame_type::login:
    return inbound_kind::login_reply;
  case frame_type::broadcast_msg:
    return inbound_kind::broadcast;
  case frame_type::ping:
    return inbound_kind::ping;
  case frame_type::error:
    return inbound_kind::error;
  default:
    return inbound_kind::other;
  }
}

} // namespace chat::bench
