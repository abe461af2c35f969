// socket_arrival.hpp -- reads that also say when their bytes reached the socket (the kernel's
// receive timestamp, SO_TIMESTAMPNS). With it a delivery's latency ends when the server's bytes
// arrived, not when this process got round to reading them: with 1000 receivers on one thread,
// the last socket is read about a millisecond after the first, and that is the bench's delay,
// not the server's. Used by bench_client on its I/O thread, for TCP and for UDP (where a read is
// one datagram, and the kernel can also say whether it was cut and how many were dropped).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>

namespace chat::bench {

// Asks the kernel to timestamp what arrives on `fd`; false if it refuses (reads still work).
bool enable_arrival_stamps(int fd);

struct arrival_read {
  ssize_t bytes = 0;      // as recv(2): > 0 data, 0 end of stream, -1 error (see error)
  int error = 0;          // errno when bytes is -1
  uint64_t queued_ns = 0; // how long the newest of these bytes waited in the socket; 0 if unknown
  bool truncated = false; // a datagram larger than the buffer (MSG_TRUNC)
  std::optional<uint32_t> dropped; // a datagram socket's running count of datagrams dropped for
                                   // want of receive buffer (SO_RXQ_OVFL), if the kernel said
};

// One non-blocking recvmsg into [buf, buf + size).
arrival_read read_with_arrival(int fd, char* buf, std::size_t size);

} // namespace chat::bench
