// udp_wire.hpp -- chat-bench's UDP pieces without an Asio socket (--transport=udp): cutting the
// frames a client queued into DATA datagrams, the receive buffer it asks the kernel for, one
// datagram read with its arrival stamp and the socket's drop count, the run's UDP counters, and
// the kernel's own UDP counters (/proc/net/snmp). The datagram codec itself is the server's
// (transport/udp_datagram.hpp). Used by bench_client_udp.cpp and the report (udp_report.cpp).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace chat::bench::udp_wire {

// The bytes of the whole frames at the front of `frames` (encoded as messages/frame.hpp: a
// 4-byte little-endian body_len, then the body) that fit together in `room` bytes, at least one
// frame; 0 when the first frame alone is larger than `room` (or `frames` holds no whole frame).
std::size_t next_datagram(std::string_view frames, std::size_t room);

// What the kernel gave for SO_RCVBUF: the value getsockopt reports (twice what was set, for its
// bookkeeping), and whether SO_RCVBUFFORCE (root, past net.core.rmem_max) did it.
struct receive_buffer {
  int bytes = 0;
  bool forced = false;
};
receive_buffer set_receive_buffer(int fd, int bytes);

// Asks for the arrival stamp (SO_TIMESTAMPNS) and the socket's drop count (SO_RXQ_OVFL) on each
// datagram read (read_with_arrival, socket_arrival.hpp, reads them).
void enable_datagram_notes(int fd);

// The kernel's UDP counters (all sockets of this network namespace), /proc/net/snmp "Udp:".
struct kernel_udp {
  uint64_t in_datagrams = 0;
  uint64_t in_errors = 0;
  uint64_t rcvbuf_errors = 0;
  uint64_t sndbuf_errors = 0;
};
std::optional<kernel_udp> read_kernel_udp();

// The run's UDP figures, summed over every client (relaxed atomics: counts only).
struct counters {
  std::atomic<uint64_t> hellos{0};           // HELLOs sent, retries included
  std::atomic<uint64_t> hello_retries{0};    // HELLOs sent again after no COOKIE came
  std::atomic<uint64_t> cookies{0};          // COOKIEs taken (sessions begun)
  std::atomic<uint64_t> datagrams_out{0};    // DATA and CLOSE sent
  std::atomic<uint64_t> bytes_out{0};        // ... their bytes, DATA prefix included
  std::atomic<uint64_t> send_dropped{0};     // sendmsg refused (buffer full, ENOBUFS): lost here
  std::atomic<uint64_t> datagrams_in{0};     // datagrams read
  std::atomic<uint64_t> bytes_in{0};         // ... their bytes
  std::atomic<uint64_t> data_in{0};          // DATA with our cookie
  std::atomic<uint64_t> frames_in{0};        // frames in those
  std::atomic<uint64_t> wrong_cookie{0};     // DATA or CLOSE with another cookie: dropped
  std::atomic<uint64_t> malformed{0};        // not a datagram of the protocol: dropped
  std::atomic<uint64_t> truncated{0};        // larger than our buffer: dropped
  std::atomic<uint64_t> part_frames{0};      // PART frames (a frame larger than a datagram)
  std::atomic<uint64_t> closed_by_server{0}; // CLOSE from the server
  std::atomic<uint64_t> socket_drops{0};     // SO_RXQ_OVFL: dropped by our sockets' full buffers
  std::atomic<uint64_t> slots_reclaimed{0};  // window slots given back after a stall (loss)
  std::atomic<int> rcvbuf_min{0};            // SO_RCVBUF as getsockopt reports it, over sockets
  std::atomic<int> rcvbuf_max{0};
  std::atomic<bool> rcvbuf_forced{true}; // every socket's buffer set with SO_RCVBUFFORCE
  std::atomic<bool> kernel_noted{false};
  kernel_udp kernel_before; // at the first socket opened (once kernel_noted)

  void note_receive_buffer(const receive_buffer& b);
  void note_kernel_start(); // once, at the first socket
};

counters& run_counters();

} // namespace chat::bench::udp_wire
