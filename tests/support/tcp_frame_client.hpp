// tcp_frame_client.hpp -- a plain-socket TCP client for tests that need a TCP peer beside
// another transport's (tests/transport/udp_endpoint_test.cpp): frames by hand, every wait bounded
// by poll. No Asio, so one build of it serves every backend variant.
#pragma once

#include "tests/support/udp_client.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chat::test {

class tcp_frame_client {
public:
  explicit tcp_frame_client(uint16_t port); // 127.0.0.1:port
  ~tcp_frame_client();
  tcp_frame_client(const tcp_frame_client&) = delete;
  tcp_frame_client& operator=(const tcp_frame_client&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool send_frame(uint8_t type, std::string_view payload);
  // The next frame; nothing on timeout or once the server has closed.
  std::optional<udp_frame> read_frame(milliseconds timeout = std::chrono::seconds(5));
  // LOGIN name -> "Login OK" (after HELLO {2} and its reply when `v2`). An idle probe (PING)
  // that comes first is answered, as a client must, and the answer still awaited.
  testing::AssertionResult log_in(const std::string& name, bool v2 = false);
  // Whether bytes wait to be read (or the server closed) within `timeout`; nothing is read.
  bool readable(milliseconds timeout);

private:
  std::optional<udp_frame> read_answer(); // the next frame that is not an idle probe

  int fd_ = -1;
  std::string inbox_;
};

} // namespace chat::test
