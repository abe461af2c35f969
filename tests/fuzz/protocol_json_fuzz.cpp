// protocol_json_fuzz.cpp -- libFuzzer target: the JSON form of the protocol (protocol_json.hpp)
// on arbitrary bytes. Built only with CHAT_FUZZ=ON (clang).
//
// Input: [selector][rest]. Selector bit 0: the direction (0 client -> server, 1 server ->
// client). Bits 1..2: max_frame 256, 1024, 65536, 1 MiB. Bit 3 clear: `rest` is a JSON text;
// bit 3 set: `rest` is [type][payload], a frame to write as JSON.
//
// JSON text: a refusal must be a non-empty reason that is itself valid UTF-8 (it goes back to
// the peer and into logs). A frame must have a sound header within max_frame, a type with a JSON
// form, a payload the strict decoders accept (it converts back to JSON), and that JSON must be
// within max_json_size, convert to the same bytes again and write to the same text again.
// Frame: if it converts to JSON, that JSON converts back to exactly the same type and payload.
// Every broken invariant ends in __builtin_trap(), so libFuzzer keeps the input.
#include "messages/frame_encoder.hpp"
#include "messages/protocol_json.hpp"
#include "messages/utf8.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace {

namespace json = chat::json;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

constexpr std::size_t max_frames[] = {256, 1024, 65536, 1 << 20};

uint32_t body_length(const std::vector<char>& b) {
  uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i)
    v |= static_cast<uint32_t>(static_cast<unsigned char>(b[i])) << (8 * i);
  return v;
}

void check_refusal(const std::string& reason) {
  check(!reason.empty() && chat::is_valid_utf8(reason));
}

// A frame made from JSON: sound, decodable, and a fixpoint of JSON -> frame -> JSON.
void check_frame(const chat::frame& f, json::direction from, std::size_t max_frame) {
  const auto& b = chat::bytes(f);
  check(b.size() >= chat::header_size);
  check(body_length(b) == b.size() - 4);
  check(body_length(b) <= max_frame);
  check(json::json_type_name(chat::type_of(f)).has_value());

  auto text = json::json_from_frame(f, from);
  check(std::holds_alternative<json::json_text>(text));
  const auto& written = std::get<json::json_text>(text).text;
  check(chat::is_valid_utf8(written));
  check(written.size() <= json::max_json_size(max_frame));

  auto again = json::frame_from_json(written, from, max_frame);
  check(std::holds_alternative<chat::frame>(again));
  check(chat::bytes(std::get<chat::frame>(again)) == b);

  auto rewritten = json::json_from_frame(std::get<chat::frame>(again), from);
  check(std::holds_alternative<json::json_text>(rewritten) &&
        std::get<json::json_text>(rewritten).text == written);
}

void run_json(std::string_view text, json::direction from, std::size_t max_frame) {
  auto got = json::frame_from_json(text, from, max_frame);
  if (auto* err = std::get_if<std::string>(&got)) {
    check_refusal(*err);
    return;
  }
  check_frame(std::get<chat::frame>(got), from, max_frame);
}

void run_frame(std::string_view input, json::direction from) {
  if (input.empty()) return;
  auto type = static_cast<uint8_t>(input[0]);
  auto payload = input.substr(1);
  auto got = json::json_from_frame(type, payload, from);
  if (auto* err = std::get_if<std::string>(&got)) {
    check_refusal(*err);
    return;
  }
  // The frame's own size is the bound: whatever frame was written must come back.
  auto max_frame = payload.size() + 1;
  auto back = json::frame_from_json(std::get<json::json_text>(got).text, from, max_frame);
  check(std::holds_alternative<chat::frame>(back));
  auto expected = chat::encode(type, payload);
  check(chat::bytes(std::get<chat::frame>(back)) == chat::bytes(expected));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  auto selector = data[0];
  auto from =
      (selector & 1) ? json::direction::server_to_client : json::direction::client_to_server;
  std::size_t max_frame = max_frames[(selector >> 1) & 3];
  std::string_view rest{reinterpret_cast<const char*>(data + 1), size - 1};
  if (selector & 8)
    run_frame(rest, from);
  else
    run_json(rest, from, max_frame);
  return 0;
}
