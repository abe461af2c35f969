#include "apps/chat-bench/bench_framing.hpp"

#include "apps/chat-bench/v2_wire.hpp"
#include "messages/multipart.hpp"
#include "messages/protocol_v2.hpp"

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

// Once per client: the project's codec, allocations and all.
void bench_framing::encode_hello(std::vector<char>& out, uint16_t version) const {
  auto f = v2::encode(v2::hello_request{version});
  out.insert(out.end(), bytes(f).begin(), bytes(f).end());
}

void bench_framing::encode_join(std::vector<char>& out, uint32_t ref,
                                std::string_view channel) const {
  auto f = v2::encode(v2::join_request{ref, std::string{channel}});
  out.insert(out.end(), bytes(f).begin(), bytes(f).end());
}

// Once per message: straight into the write buffer (v2_wire.hpp).
void bench_framing::encode_msg(std::vector<char>& out, uint32_t ref, std::string_view channel,
                               std::string_view text) const {
  wire::append_msg(out, ref, channel, text);
}

void bench_framing::encode_dm(std::vector<char>& out, uint32_t ref, std::string_view to,
                              std::string_view text) const {
  wire::append_dm(out, ref, to, text);
}

inbound_kind bench_framing::kind_of(uint8_t type) {
  if (type == v2::part_type) return inbound_kind::part;
  switch (static_cast<v2::type>(type)) {
  case v2::type::hello:
    return inbound_kind::hello_reply;
  case v2::type::msg:
    return inbound_kind::msg;
  case v2::type::dm:
    return inbound_kind::dm;
  case v2::type::reply:
    return inbound_kind::reply;
  default:
    break;
  }
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
