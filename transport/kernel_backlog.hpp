// kernel_backlog.hpp -- what the kernel holds unsent for one client socket: the cap every
// client socket gets, the query that tells whether its peer is behind, and the outbound policy
// limits built on both. Shared by tcp_connection and ws_connection, whose sockets are alike.
#pragma once

#include "transport/outbound_policy.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <cstddef>

#include <linux/sockios.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>

namespace chat::transport {

// TCP_NOTSENT_LOWAT: unsent bytes the kernel takes from us per socket. Well above the policy's
// "behind" mark, so a peer that keeps up never reaches it; small, because a slow reader has to
// read all of it before the ERROR that says it was cut (BENCHMARKS.md "Slow consumers": 32 KiB
// and 64 KiB cost nothing measurable against no cap at all).
inline constexpr std::size_t kernel_unsent_cap = 32 * 1024;

// The rest waits in our queue, where it can be bounded and dropped. Without the cap a socket's
// send buffer grows to megabytes, all of which a slow reader would have to read before the ERROR
// that says it was cut.
template <class Socket> void cap_kernel_unsent(Socket& socket) {
  boost::system::error_code ignored;
  socket.set_option(
      boost::asio::detail::socket_option::integer<IPPROTO_TCP, TCP_NOTSENT_LOWAT>{
          static_cast<int>(kernel_unsent_cap)},
      ignored);
}

// SIOCOUTQNSD: bytes the kernel has not sent yet, i.e. what the peer's receive window has no room
// for. The caller must still own `fd`.
inline std::size_t kernel_unsent(int fd) {
  int unsent = 0;
  if (::ioctl(fd, SIOCOUTQNSD, &unsent) != 0) return 0; // unknown: assume it keeps up
  return static_cast<std::size_t>(unsent);
}

// The policy for a socket capped as above, with `bound` bytes queued at most.
inline outbound_policy::limits kernel_policy_limits(std::size_t bound) {
  outbound_policy::limits l;
  l.bound = bound;
  l.behind_bytes = kernel_unsent_cap / 4;
  return l;
}

} // namespace chat::transport
