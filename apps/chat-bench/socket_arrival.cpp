#include "apps/chat-bench/socket_arrival.hpp"

#include <sys/socket.h>
#include <time.h>

#include <cerrno>
#include <cstring>

namespace chat::bench {

namespace {

uint64_t to_ns(const timespec& t) {
  return static_cast<uint64_t>(t.tv_sec) * 1000000000u + static_cast<uint64_t>(t.tv_nsec);
}

} // namespace

bool enable_arrival_stamps(int fd) {
  int on = 1;
  return ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) == 0;
}

arrival_read read_with_arrival(int fd, char* buf, std::size_t size) {
  iovec chunk{buf, size};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec)) + CMSG_SPACE(sizeof(uint32_t))];
  msghdr msg{};
  msg.msg_iov = &chunk;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  arrival_read out;
  do
    out.bytes = ::recvmsg(fd, &msg, MSG_DONTWAIT);
  while (out.bytes < 0 && errno == EINTR);
  if (out.bytes < 0) {
    out.error = errno;
    return out;
  }
  out.truncated = (msg.msg_flags & MSG_TRUNC) != 0;
  for (auto* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET) continue;
    if (c->cmsg_type == SCM_TIMESTAMPNS) {
      timespec arrived{};
      std::memcpy(&arrived, CMSG_DATA(c), sizeof arrived);
      timespec now{};
      ::clock_gettime(CLOCK_REALTIME, &now); // the kernel stamps with the real-time clock
      auto arrived_ns = to_ns(arrived), now_ns = to_ns(now);
      out.queued_ns = now_ns > arrived_ns ? now_ns - arrived_ns : 0;
    } else if (c->cmsg_type == SO_RXQ_OVFL) {
      uint32_t dropped = 0;
      std::memcpy(&dropped, CMSG_DATA(c), sizeof dropped);
      out.dropped = dropped;
    }
  }
  return out;
}

} // namespace chat::bench
