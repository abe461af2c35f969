#include "tests/support/tcp_frame_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace chat::test {

using clock_type = std::chrono::steady_clock;

tcp_frame_client::tcp_frame_client(uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

tcp_frame_client::~tcp_frame_client() {
  if (fd_ >= 0) ::close(fd_);
}

bool tcp_frame_client::send_frame(uint8_t type, std::string_view payload) {
  auto bytes = frame_bytes(type, payload);
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

std::optional<udp_frame> tcp_frame_client::read_frame(milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  for (;;) {
    if (inbox_.size() >= 5) {
      uint32_t body_len = 0;
      for (int i = 0; i < 4; ++i)
        body_len |= static_cast<uint32_t>(static_cast<uint8_t>(inbox_[i])) << (8 * i);
      if (body_len >= 1 && inbox_.size() >= 4 + body_len) {
        udp_frame f{static_cast<uint8_t>(inbox_[4]), inbox_.substr(5, body_len - 1)};
        inbox_.erase(0, 4 + body_len);
        return f;
      }
    }
    auto left = std::chrono::duration_cast<milliseconds>(deadline - clock_type::now()).count();
    if (left <= 0 || fd_ < 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char buf[65536];
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0 && !(n < 0 && errno == EINTR)) return std::nullopt;
    if (n > 0) inbox_.append(buf, static_cast<std::size_t>(n));
  }
}

testing::AssertionResult tcp_frame_client::log_in(const std::string& name, bool v2) {
  if (v2) {
    if (!send_frame(7, std::string{"\x02\x00", 2})) return testing::AssertionFailure() << "send";
    auto hello = read_answer();
    if (!hello || hello->type != 7) return testing::AssertionFailure() << "no HELLO reply";
  }
  if (!send_frame(1, name)) return testing::AssertionFailure() << "send";
  auto reply = read_answer();
  if (!reply || *reply != udp_frame{1, "Login OK"})
    return testing::AssertionFailure() << "LOGIN " << name << " answered "
                                       << (reply ? testing::PrintToString(*reply) : "nothing");
  return testing::AssertionSuccess();
}

std::optional<udp_frame> tcp_frame_client::read_answer() {
  constexpr uint8_t ping = 5, pong = 6;
  for (;;) {
    auto f = read_frame();
    if (!f || f->type != ping) return f;
    if (!send_frame(pong, f->payload)) return std::nullopt;
  }
}

bool tcp_frame_client::readable(milliseconds timeout) {
  if (!inbox_.empty()) return true;
  pollfd p{fd_, POLLIN, 0};
  return fd_ >= 0 && ::poll(&p, 1, static_cast<int>(timeout.count())) > 0;
}

} // namespace chat::test
