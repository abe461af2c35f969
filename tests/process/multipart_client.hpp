// multipart_client.hpp -- what a raw test client needs to speak version 3's multi-part messages
// to a chat-server process: HELLO {3} and login, a frame's bytes sent as they are, a message cut
// into PART frames as a client would, and a long text to cut. Used by multipart_test.cpp and
// multipart_budget_test.cpp.
#pragma once

#include "messages/frame.hpp"
#include "messages/multipart.hpp"
#include "messages/protocol_v2.hpp"
#include "tests/process/history_client.hpp"
#include "tests/process/ws_client.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace chat::reliability::multipart {

namespace v2 = chat::v2;

// HELLO {version}; its reply.
inline std::optional<v2::hello_reply> hello(raw_client& c, uint16_t version) {
  if (!send_v2(c, v2::hello_request{version})) return std::nullopt;
  auto f = next_of(c, v2::type::hello);
  if (!f) return std::nullopt;
  auto decoded = v2::decode_hello_reply(f->payload);
  if (!std::holds_alternative<v2::hello_reply>(decoded)) return std::nullopt;
  return std::get<v2::hello_reply>(decoded);
}

inline testing::AssertionResult login_v3(raw_client& c, const std::string& name) {
  auto reply = hello(c, v2::multipart_version);
  if (!reply || reply->version != v2::multipart_version)
    return testing::AssertionFailure() << "no version-3 HELLO reply: " << c.failure();
  return log_in(c, name);
}

inline bool send_frame(raw_client& c, const chat::frame& f) {
  const auto& b = chat::bytes(f);
  return c.send_bytes(std::string(b.begin(), b.end()));
}

// The PART frames of `body` (type, payload) cut for a server whose --max-frame is `max_frame`.
inline std::vector<chat::frame> parts_of(const chat::frame& whole, std::size_t max_frame,
                                         uint32_t id, std::size_t max_message = 1 << 30) {
  v2::message_splitter splitter{{max_frame, max_message, 0xFFFF}, id};
  auto split = splitter.split(chat::type_of(whole), chat::payload_of(whole));
  return std::get<std::vector<chat::frame>>(split);
}

// A text of `n` letters that differ along it (a cut in the wrong place shows).
inline std::string text_of(std::size_t n, char seed) {
  std::string s(n, 'x');
  for (std::size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>('a' + (seed + i * 7 + i / 13) % 26);
  return s;
}

// The value of one sample ("name{labels} value") in the server's /metrics page; -1 if it is not
// there.
inline long long metric(uint16_t http_port, const std::string& sample) {
  auto page = http_request(http_port, "GET", "/metrics").body;
  auto at = page.find("\n" + sample + " ");
  if (at == std::string::npos) return -1;
  return std::stoll(page.substr(at + sample.size() + 2));
}

} // namespace chat::reliability::multipart
