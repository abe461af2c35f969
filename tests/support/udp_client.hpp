// udp_client.hpp -- a UDP client for tests, written from docs/PROTOCOL.md "Datagrams (UDP)":
// one plain socket on 127.0.0.1, the cookie exchange, DATA of whole frames, CLOSE, and every wait
// bounded by poll. Used by tests/transport/udp_endpoint_test.cpp and tests/process/udp_*.
#pragma once

#include "transport/udp_datagram.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat::test {

using std::chrono::milliseconds;

// One frame as the test sees it: the type byte and the payload.
struct udp_frame {
  uint8_t type = 0;
  std::string payload;
  bool operator==(const udp_frame& o) const { return type == o.type && payload == o.payload; }
  bool operator!=(const udp_frame& o) const { return !(*this == o); }
};
std::ostream& operator<<(std::ostream& out, const udp_frame& f);

// The frame codec's bytes, by hand: 4 bytes of little-endian body_len, the type, the payload.
std::string frame_bytes(uint8_t type, std::string_view payload);

class udp_client {
public:
  // A socket bound to 127.0.0.1 on a free port; the server is 127.0.0.1:server_port.
  explicit udp_client(uint16_t server_port);
  ~udp_client();
  udp_client(const udp_client&) = delete;
  udp_client& operator=(const udp_client&) = delete;

  bool ok() const { return fd_ >= 0; }
  uint16_t local_port() const { return local_port_; }

  // -- raw datagrams ---------------------------------------------------------------------------

  bool send_raw(std::string_view bytes);
  // The next datagram from the server, waiting up to `timeout`; others are ignored.
  std::optional<std::string> receive_raw(milliseconds timeout);

  // -- the protocol ----------------------------------------------------------------------------

  // HELLO (padded to `hello_size`) -> COOKIE whose echo is the HELLO's nonce; the cookie is kept
  // for every DATA and CLOSE after it. False if none came within `timeout`.
  bool handshake(milliseconds timeout = std::chrono::seconds(5), std::size_t hello_size = 64);
  const transport::udp::cookie& cookie() const { return cookie_; }
  void use_cookie(const transport::udp::cookie& c) { cookie_ = c; }
  // A fresh random nonce (for tests that send HELLOs by hand).
  transport::udp::nonce fresh_nonce();

  // One DATA {cookie, the next sequence number, frames}, as bytes: for send_raw(), once or again.
  std::string next_data(const std::vector<udp_frame>& frames);
  // One DATA {cookie, the next sequence number, frames}, sent.
  bool send_frames(const std::vector<udp_frame>& frames) { return send_raw(next_data(frames)); }
  bool send_frame(uint8_t type, std::string_view payload) {
    return send_frames({udp_frame{type, std::string{payload}}});
  }
  bool send_close();

  // The next frame from a DATA that carries this client's cookie (its frames in order). A DATA
  // or CLOSE with another cookie is dropped, as a client must; a CLOSE with ours ends the
  // session: nothing more comes (closed() is then true).
  std::optional<udp_frame> read_frame(milliseconds timeout = std::chrono::seconds(5));
  // Reads frames until CLOSE {cookie}; the frames before it go to *before. False on timeout.
  bool wait_closed(milliseconds timeout, std::vector<udp_frame>* before = nullptr);
  bool closed() const { return closed_; }

  // Every DATA with this client's cookie so far: its size on the wire and its frames' count.
  struct data_seen {
    std::size_t size = 0;
    std::size_t frames = 0;
  };
  const std::vector<data_seen>& datas() const { return datas_; }
  // Datagrams dropped because they were not this client's (another cookie, malformed).
  std::size_t foreign() const { return foreign_; }

  // handshake(), then one DATA {[HELLO frame version 2,] LOGIN name}; waits for "Login OK"
  // (after the HELLO reply when `v2`).
  testing::AssertionResult log_in(const std::string& name, bool v2 = false);

private:
  bool take_datagram(const std::string& d); // true if it held frames or a CLOSE of ours

  int fd_ = -1;
  uint16_t local_port_ = 0;
  uint16_t server_port_ = 0;
  transport::udp::cookie cookie_{};
  uint64_t next_sequence_ = 1; // of the next DATA this client sends
  std::deque<udp_frame> inbox_;
  std::vector<data_seen> datas_;
  std::size_t foreign_ = 0;
  bool closed_ = false;
};

} // namespace chat::test
