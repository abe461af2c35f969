#include "apps/chat-bench/udp_wire.hpp"

#include <sys/socket.h>

#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

namespace chat::bench::udp_wire {

namespace {

constexpr std::size_t body_len_size = 4; // a frame's header is its body_len and its type byte

// The size of the whole frame at the front of `frames`, or 0 if there is none.
std::size_t frame_size(std::string_view frames) {
  if (frames.size() < body_len_size) return 0;
  uint32_t body = 0;
  for (std::size_t i = 0; i < body_len_size; ++i)
    body |= static_cast<uint32_t>(static_cast<uint8_t>(frames[i])) << (8 * i);
  auto size = body_len_size + static_cast<std::size_t>(body);
  return body == 0 || size > frames.size() ? 0 : size;
}

} // namespace

std::size_t next_datagram(std::string_view frames, std::size_t room) {
  std::size_t taken = 0;
  for (;;) {
    auto size = frame_size(frames.substr(taken));
    if (size == 0 || taken + size > room) return taken;
    taken += size;
  }
}

receive_buffer set_receive_buffer(int fd, int bytes) {
  receive_buffer out;
  out.forced = ::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) == 0;
  if (!out.forced) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
  socklen_t len = sizeof out.bytes;
  ::getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &out.bytes, &len);
  return out;
}

void enable_datagram_notes(int fd) {
  int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  ::setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on);
}

std::optional<kernel_udp> read_kernel_udp() {
  std::ifstream in{"/proc/net/snmp"};
  std::string names, values;
  while (std::getline(in, names)) {
    if (names.rfind("Udp: ", 0) != 0) continue;
    if (!std::getline(in, values)) break;
    std::istringstream n{names}, v{values};
    std::string name, value;
    kernel_udp out;
    n >> name; // "Udp:"
    v >> value;
    while (n >> name && v >> value) {
      auto number = std::stoull(value);
      if (name == "InDatagrams") out.in_datagrams = number;
      if (name == "InErrors") out.in_errors = number;
      if (name == "RcvbufErrors") out.rcvbuf_errors = number;
      if (name == "SndbufErrors") out.sndbuf_errors = number;
    }
    return out;
  }
  return std::nullopt;
}

void counters::note_receive_buffer(const receive_buffer& b) {
  if (!b.forced) rcvbuf_forced.store(false, std::memory_order_relaxed);
  auto low = rcvbuf_min.load(std::memory_order_relaxed);
  while ((low == 0 || b.bytes < low) &&
         !rcvbuf_min.compare_exchange_weak(low, b.bytes, std::memory_order_relaxed)) {
  }
  auto high = rcvbuf_max.load(std::memory_order_relaxed);
  while (b.bytes > high &&
         !rcvbuf_max.compare_exchange_weak(high, b.bytes, std::memory_order_relaxed)) {
  }
}

void counters::note_kernel_start() {
  static std::once_flag once;
  std::call_once(once, [this] {
    if (auto k = read_kernel_udp()) {
      kernel_before = *k;
      kernel_noted.store(true, std::memory_order_release);
    }
  });
}

counters& run_counters() {
  static counters all;
  return all;
}

} // namespace chat::bench::udp_wire
