// protocol_json_test_support.hpp -- what the JSON codec's tests share
// (protocol_json_decode_test.cpp, protocol_json_encode_test.cpp): the two directions, a frame's
// bytes, and both conversions with a refusal shown as "error: <reason>".
#pragma once

#include "messages/protocol_json.hpp"

#include <cstddef>
#include <string>
#include <variant>

namespace protocol_json_test_support {

using chat::json::direction;

inline constexpr auto to_server = direction::client_to_server;
inline constexpr auto to_client = direction::server_to_client;

inline std::string bytes_of(const chat::frame& f) {
  const auto& b = chat::bytes(f);
  return {b.begin(), b.end()};
}

// The frame's bytes, or "error: <reason>", so a failure prints what went wrong.
inline std::string frame_or_error(const chat::json::converted<chat::frame>& got) {
  if (auto* err = std::get_if<std::string>(&got)) return "error: " + *err;
  return bytes_of(std::get<chat::frame>(got));
}

inline std::string json_or_error(const chat::json::converted<chat::json::json_text>& got) {
  if (auto* err = std::get_if<std::string>(&got)) return "error: " + *err;
  return std::get<chat::json::json_text>(got).text;
}

inline std::string from_json(const std::string& text, direction from,
                             std::size_t max_frame = chat::default_max_frame) {
  return frame_or_error(chat::json::frame_from_json(text, from, max_frame));
}

inline std::string to_json(const chat::frame& f, direction from) {
  return json_or_error(chat::json::json_from_frame(f, from));
}

inline const std::string e_acute = "\xC3\xA9";

} // namespace protocol_json_test_support
