#include "apps/chat-bench/large_message.hpp"

#include "apps/chat-bench/stamp.hpp"
#include "apps/chat-bench/v2_wire.hpp"

#include <algorithm>
#include <cstring>
#include <variant>

namespace chat::bench {

namespace {

// Room beyond the server's --max-message that a receiver allows a delivery (the server holds
// deliveries to it; this only keeps a rounding of the server's from costing a message).
constexpr std::size_t delivery_slack = 1024;

// A letter for each position, from a multiplicative hash of it: no period that a piece size
// could be a multiple of, so pieces in the wrong place or twice do not compare equal.
char filler_at(std::size_t i) {
  auto h = static_cast<uint32_t>(i) * 2654435761u;
  return static_cast<char>('a' + (h >> 16) % 26);
}

} // namespace

std::string large_text(std::size_t bytes) {
  std::string text(bytes, stamp_padding);
  for (std::size_t i = stamp_size; i < bytes; ++i)
    text[i] = filler_at(i);
  return text;
}

bool large_text_intact(std::string_view text, std::string_view expected) {
  if (text.size() != expected.size()) return false;
  if (text.size() <= stamp_size) return true;
  return std::memcmp(text.data() + stamp_size, expected.data() + stamp_size,
                     text.size() - stamp_size) == 0;
}

std::string large_limits_problem(const v2::hello_reply& hello, std::size_t channel_bytes,
                                 std::size_t sender_bytes, std::size_t text_bytes) {
  if (hello.version < v2::multipart_version)
    return "--large-message needs protocol version 3 (multi-part messages), and the server "
           "answered HELLO {3} with version " +
           std::to_string(hello.version);
  const auto& limits = hello.limits;
  if (limits.max_frame > default_max_frame)
    return "--large-message: the server's max_frame is " + std::to_string(limits.max_frame) +
           " bytes, and chat-bench reads frames of at most " + std::to_string(default_max_frame);
  auto body = std::max(msg_request_body(channel_bytes, text_bytes),
                       v2::msg_delivery_body_size(channel_bytes, sender_bytes, text_bytes));
  if (body > limits.max_message)
    return "--large-message " + std::to_string(text_bytes) + ": its MSG is " +
           std::to_string(body) + " bytes as the server delivers it, more than the server's " +
           "max_message " + std::to_string(limits.max_message) + " (chat-server --max-message)";
  if (large_splitter(limits).parts_for(body) > limits.max_parts)
    return "--large-message " + std::to_string(text_bytes) + " needs more than the server's " +
           std::to_string(limits.max_parts) + " parts of " + std::to_string(limits.max_frame) +
           " bytes";
  return {};
}

v2::message_splitter large_splitter(const v2::server_limits& server) {
  return v2::message_splitter{{server.max_frame, server.max_message, server.max_parts}};
}

v2::reassembly_limits large_receiver_limits(const v2::server_limits& server) {
  v2::reassembly_limits limits;
  limits.max_message = std::size_t{server.max_message} + delivery_slack;
  limits.max_parts = 0xFFFF; // the server cuts a delivery by its max_frame alone
  limits.max_messages = 2;
  return limits;
}

std::vector<frame> cut_large_msg(v2::message_splitter& splitter, std::vector<char>& scratch,
                                 uint32_t ref, std::string_view channel, std::string_view text) {
  scratch.clear();
  wire::append_msg(scratch, ref, channel, text); // header, type byte, payload
  std::string_view payload{scratch.data() + header_size, scratch.size() - header_size};
  auto split = splitter.split(static_cast<uint8_t>(v2::type::msg), payload);
  if (auto* frames = std::get_if<std::vector<frame>>(&split)) return std::move(*frames);
  return {};
}

} // namespace chat::bench
