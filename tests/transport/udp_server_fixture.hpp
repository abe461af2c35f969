// udp_server_fixture.hpp -- a whole chat node in the test process with its UDP endpoint on an
// ephemeral 127.0.0.1 port, for tests/transport/udp_*_test.cpp: its ports, its counters, and a
// bounded wait on the number of open sessions.
#pragma once

#include "messages/frame.hpp"
#include "tests/support/local_node.hpp"
#include "tests/support/udp_client.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <thread>

namespace chat::test {

// Frame types (PROTOCOL.md "Types", "Extensions") as the tests' clients use them.
namespace udp_test_types {
inline constexpr uint8_t login_type = 1, send_msg = 2, broadcast = 3, error = 4, ping = 5, pong = 6;
} // namespace udp_test_types

class UdpServerTest : public ::testing::Test {
public: // to the test bodies and their helpers
  void start(server_options options = {}) {
    options.udp_port = 0;
    node_.emplace(std::move(options));
  }

  uint16_t udp_port() { return node_->server().udp_endpoint()->port(); }
  uint16_t tcp_port() { return node_->port(); }
  const transport::udp_stats& stats() { return node_->server().udp()->stats(); }
  std::size_t udp_sessions() { return node_->server().udp()->open_connections(); }
  chat::server& server() { return node_->server(); }

  // Waits (bounded) until the server has `n` connections open, every transport together.
  bool wait_open(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (server().open_connections() != n) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
  }

  // The second a cookie was minted in, on the server's steady clock (this process's).
  static uint32_t minted_second(const transport::udp::cookie& c) {
    return static_cast<uint32_t>(c[0]) | static_cast<uint32_t>(c[1]) << 8 |
           static_cast<uint32_t>(c[2]) << 16 | static_cast<uint32_t>(c[3]) << 24;
  }

  // Waits for the steady clock's second to pass `second`: the event cookies are made of.
  static bool wait_past_second(uint32_t second) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    auto now_s = [] {
      return std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::steady_clock::now().time_since_epoch())
          .count();
    };
    while (now_s() <= second) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  }

  // The frame a server-side encoder makes, as a test client reads it.
  static udp_frame as_read(const frame& f) { return {type_of(f), std::string{payload_of(f)}}; }

  std::optional<local_node> node_;
};

} // namespace chat::test
