// udp_cookie.hpp -- the stateless cookie that proves a UDP peer receives at its address
// (PROTOCOL.md "Datagrams (UDP)"): a SipHash tag over the address, port and minting time under
// one of two rotating secrets. udp_gate.cpp mints and checks them; nothing per address is kept.
#pragma once

#include <openssl/types.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace chat::transport::udp {

// A peer as the socket reports it: an IPv4 (4 bytes) or IPv6 (16 bytes) address in network
// order, and a port. The endpoint maps an IPv4-mapped IPv6 address (::ffff:a.b.c.d) to IPv4
// first, so one peer has one identity whatever socket it came in on.
struct peer {
  std::array<uint8_t, 16> address{};
  uint8_t address_size = 4;
  uint16_t port = 0;

  static peer v4(const std::array<uint8_t, 4>& a, uint16_t port);
  static peer v6(const std::array<uint8_t, 16>& a, uint16_t port);
  friend bool operator==(const peer& a, const peer& b);
};

// minted (u32 little-endian, seconds on the server's steady clock) + a 16-byte tag.
inline constexpr std::size_t cookie_time_size = 4;
inline constexpr std::size_t cookie_tag_size = 16;
inline constexpr std::size_t cookie_size = cookie_time_size + cookie_tag_size;
using cookie = std::array<uint8_t, cookie_size>;

enum class cookie_check : uint8_t {
  ok,      // minted here for this address and port, within the lifetime
  expired, // older than the lifetime, or its secret has been rotated away: a fresh one may help
  forged,  // from the future, or the tag does not match: never minted here for this peer
};

using cookie_clock = std::chrono::steady_clock;

struct cookie_timing {
  // How long a cookie opens a session after it was minted (its first DATA must come by then).
  std::chrono::seconds lifetime{120};
  // How often the endpoint calls rotate(); a secret lives two periods, so lifetime <= rotation
  // keeps every cookie within its lifetime verifiable.
  std::chrono::seconds rotation{120};
};

// The server's two secrets (current and previous), each a SipHash-2-4 key of 128 random bits
// with the time it became current. Not thread-safe: one per endpoint, used on its strand (each
// secret keeps an OpenSSL MAC context, reset per call, so no call allocates).
class cookies {
public:
  // Draws the first secret (RAND_bytes); throws std::runtime_error if OpenSSL cannot.
  explicit cookies(cookie_clock::time_point now, cookie_timing timing = {});
  ~cookies();
  cookies(const cookies&) = delete;
  cookies& operator=(const cookies&) = delete;

  cookie make(const peer& from, cookie_clock::time_point now);
  cookie_check verify(const cookie& c, const peer& from, cookie_clock::time_point now);
  // The current secret becomes the previous one, and a fresh one is drawn; the old previous one
  // is forgotten, and with it every cookie it made.
  void rotate(cookie_clock::time_point now);

  const cookie_timing& timing() const { return timing_; }

private:
  struct secret;
  void tag(secret& s, const peer& from, uint32_t minted, uint8_t* out);

  cookie_timing timing_;
  std::unique_ptr<secret> current_;
  std::unique_ptr<secret> previous_; // none until the first rotation
};

} // namespace chat::transport::udp
