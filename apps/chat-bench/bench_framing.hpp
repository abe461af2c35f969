// bench_framing.hpp -- one client's codec for the framing under test: ours (PROTOCOL.md, on the
// project's frame_encoder/frame_decoder; version 1, and the version-2 frames of --channels and
// --direct) or the Asio chat example's. Holds the decoder state; used only on its client's
// handlers.
#pragma once

#include "apps/chat-bench/asio_example_codec.hpp"
#include "apps/chat-bench/bench_config.hpp"
#include "messages/frame_decoder.hpp"
#include "messages/frame_encoder.hpp"

#include <string_view>
#include <variant>
#include <vector>

namespace chat::bench {

// What a client does with a received frame. The asio-example framing has broadcasts only; the
// last five are protocol version 2 (PRESENCE and the rest are `other`), PART version 3.
enum class inbound_kind : uint8_t {
  login_reply,
  broadcast,
  ping,
  error,
  other,
  hello_reply,
  msg,
  dm,
  reply,
  part
};

class bench_framing {
public:
  explicit bench_framing(framing_kind kind);

  // Whether a client logs in before it may broadcast (the asio example has no LOGIN).
  bool has_login() const { return std::holds_alternative<frame_decoder>(decoder_); }

  // Append one encoded frame to `out`. Login and pong exist only with the chat framing.
  void encode_login(std::vector<char>& out, std::string_view name) const;
  void encode_pong(std::vector<char>& out, std::string_view payload) const;
  void encode_broadcast(std::vector<char>& out, std::string_view text) const;

  // Protocol version 2 (chat framing only): HELLO (2, or 3 for multi-part messages), JOIN, MSG
  // and DM requests.
  void encode_hello(std::vector<char>& out, uint16_t version) const;
  void encode_join(std::vector<char>& out, uint32_t ref, std::string_view channel) const;
  void encode_msg(std::vector<char>& out, uint32_t ref, std::string_view channel,
                  std::string_view text) const;
  void encode_dm(std::vector<char>& out, uint32_t ref, std::string_view to,
                 std::string_view text) const;

  // Decodes [data, data + n), calling on_frame(inbound_kind, std::string_view payload) per
  // frame; a broadcast's payload is "<name>: <text>" (chat) or the text (asio-example). Returns
  // false once the stream is broken (a length violation); the client closes then.
  template <class OnFrame> bool feed(const char* data, std::size_t n, OnFrame&& on_frame);

private:
  static inbound_kind kind_of(uint8_t type);

  std::variant<frame_decoder, asio_example_decoder> decoder_;
};

template <class OnFrame>
bool bench_framing::feed(const char* data, std::size_t n, OnFrame&& on_frame) {
  if (auto* chat = std::get_if<frame_decoder>(&decoder_)) {
    auto err = chat->feed(data, n, [&on_frame](uint8_t type, std::string_view payload) {
      on_frame(kind_of(type), payload);
    });
    return err == decode_error::none;
  }
  return std::get<asio_example_decoder>(decoder_).feed(
      data, n, [&on_frame](std::string_view body) { on_frame(inbound_kind::broadcast, body); });
}

} // namespace chat::bench
