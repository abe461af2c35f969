// udp_stats.hpp -- what the UDP endpoint counts: datagrams in and out, sessions, and every
// datagram it dropped, by why. Written by the endpoint and its connections, read by /metrics
// (apps/chat-server/metrics_page.cpp) and by tests, which wait on these counts instead of time.
#pragma once

#include "transport/udp_datagram.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace chat::transport {

// Why a datagram was dropped. The first nine are decode_datagram's faults, in their order.
enum class udp_drop : uint8_t {
  too_short,
  too_large,
  wrong_magic,
  wrong_version,
  unknown_kind,
  short_hello,
  wrong_size,
  no_frames,
  bad_frame,
  forged_cookie,   // a DATA whose cookie was never minted here for its address and port
  expired_cookie,  // a DATA whose cookie expired, too small to be answered with a fresh one
  no_session,      // a CLOSE, or a COOKIE, from a peer without a session
  unhandled,       // a verified peer's DATA while its session has too many frames unhandled
  replayed,        // a session's DATA whose sequence number was seen (a copy) or is too old
  server_full,     // a verified peer refused: no --max-connections slot free
  stopping,        // a verified peer's first DATA during shutdown
  send_queue_full, // outbound: the session's queue is past --max-outbound-bytes
  send_refused,    // outbound: the socket's send buffer is full (or another send error)
  too_long,        // outbound: a frame the splitter cannot cut (past max_message or max_parts)
  count_
};
inline constexpr std::size_t udp_drop_count = static_cast<std::size_t>(udp_drop::count_);

// The Prometheus label of a reason: "too_short", "forged_cookie", ...
const char* udp_drop_name(udp_drop d);

inline udp_drop udp_drop_of(udp::datagram_fault f) {
  return static_cast<udp_drop>(f);
}

// Relaxed atomics: each is a running total, read only as a whole number.
struct udp_stats {
  std::atomic<uint64_t> datagrams_in{0};
  std::atomic<uint64_t> datagrams_out{0};
  std::atomic<uint64_t> cookies_sent{0};      // COOKIEs to unverified peers (HELLO, refresh)
  std::atomic<uint64_t> sessions_opened{0};   // verified peers admitted
  std::atomic<uint64_t> malformed_notices{0}; // ERROR "malformed datagram" to verified peers
  std::array<std::atomic<uint64_t>, udp_drop_count> dropped{};

  void count(udp_drop d) { dropped[static_cast<std::size_t>(d)].fetch_add(1, relaxed); }
  uint64_t drops(udp_drop d) const { return dropped[static_cast<std::size_t>(d)].load(relaxed); }

  static constexpr auto relaxed = std::memory_order_relaxed;
};

} // namespace chat::transport
