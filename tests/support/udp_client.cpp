#include "tests/support/udp_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ostream>
#include <random>

namespace chat::test {

namespace udp = transport::udp;
using clock_type = std::chrono::steady_clock;

std::ostream& operator<<(std::ostream& out, const udp_frame& f) {
  out << "{type " << int{f.type} << ", " << f.payload.size() << " bytes: \"";
  for (std::size_t i = 0; i < f.payload.size() && i < 80; ++i) {
    auto c = static_cast<unsigned char>(f.payload[i]);
    if (c >= 0x20 && c < 0x7f)
      out << f.payload[i];
    else
      out << "\\x"
          << "0123456789abcdef"[c >> 4] << "0123456789abcdef"[c & 15];
  }
  return out << "\"}";
}

std::string frame_bytes(uint8_t type, std::string_view payload) {
  auto body_len = static_cast<uint32_t>(payload.size() + 1);
  std::string out;
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<char>(body_len >> (8 * i)));
  out.push_back(static_cast<char>(type));
  out.append(payload);
  return out;
}

udp_client::udp_client(uint16_t server_port) : server_port_(server_port) {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0) return;
  int big = 4 << 20; // a burst of the server's datagrams waits here while a test looks away
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd_);
    fd_ = -1;
    return;
  }
  local_port_ = ntohs(addr.sin_port);
}

udp_client::~udp_client() {
  if (fd_ >= 0) ::close(fd_);
}

bool udp_client::send_raw(std::string_view bytes) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(server_port_);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    auto n =
        ::sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    if (n == static_cast<ssize_t>(bytes.size())) return true;
    if (n < 0 && errno != EAGAIN && errno != ENOBUFS) return false;
    pollfd p{fd_, POLLOUT, 0}; // our own send buffer is full: wait for room
    ::poll(&p, 1, 10);
  }
  return false;
}

std::optional<std::string> udp_client::receive_raw(milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  std::string buf(70000, '\0');
  for (;;) {
    sockaddr_in from{};
    socklen_t len = sizeof from;
    auto n = ::recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n >= 0) {
      if (ntohs(from.sin_port) != server_port_) continue; // not the server's
      buf.resize(static_cast<std::size_t>(n));
      return buf;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return std::nullopt;
    auto left = std::chrono::duration_cast<milliseconds>(deadline - clock_type::now()).count();
    if (left <= 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(left));
  }
}

udp::nonce udp_client::fresh_nonce() {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  auto r = random();
  udp::nonce n{};
  for (std::size_t i = 0; i < n.size(); ++i)
    n[i] = static_cast<uint8_t>(r >> (8 * i));
  return n;
}

bool udp_client::handshake(milliseconds timeout, std::size_t hello_size) {
  auto nonce = fresh_nonce();
  if (!send_raw(udp::encode_hello(nonce, hello_size))) return false;
  auto deadline = clock_type::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - clock_type::now());
    auto d = receive_raw(std::max(left, milliseconds{0}));
    if (!d) return false;
    auto decoded = udp::decode_datagram(*d, udp::datagram_limits{65507, 1 << 30});
    auto* cookie = std::get_if<udp::datagram>(&decoded);
    if (cookie && cookie->kind == udp::datagram_kind::cookie && cookie->echo == nonce) {
      cookie_ = cookie->cookie;
      closed_ = false;
      return true;
    }
    take_datagram(*d); // a frame of a session this client had before
  }
}

std::string udp_client::next_data(const std::vector<udp_frame>& frames) {
  std::string all;
  for (auto& f : frames)
    all += frame_bytes(f.type, f.payload);
  return udp::encode_data(cookie_, all, next_sequence_++);
}

bool udp_client::send_close() {
  auto bye = udp::encode_close(cookie_);
  return send_raw({bye.data(), bye.size()});
}

bool udp_client::take_datagram(const std::string& d) {
  auto decoded = udp::decode_datagram(d, udp::datagram_limits{65507, 1 << 30});
  auto* ok = std::get_if<udp::datagram>(&decoded);
  if (!ok || (ok->kind != udp::datagram_kind::data && ok->kind != udp::datagram_kind::close) ||
      ok->cookie != cookie_) {
    ++foreign_;
    return false;
  }
  if (ok->kind == udp::datagram_kind::close) {
    closed_ = true;
    return true;
  }
  data_seen seen{d.size(), 0};
  for (auto frames = ok->frames; !frames.empty(); ++seen.frames) {
    auto f = udp::take_frame(frames);
    inbox_.push_back(udp_frame{f.type, std::string{f.payload}});
  }
  datas_.push_back(seen);
  return true;
}

std::optional<udp_frame> udp_client::read_frame(milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  while (inbox_.empty() && !closed_) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - clock_type::now());
    auto d = receive_raw(std::max(left, milliseconds{0}));
    if (!d) return std::nullopt;
    take_datagram(*d);
  }
  if (inbox_.empty()) return std::nullopt;
  auto f = std::move(inbox_.front());
  inbox_.pop_front();
  return f;
}

bool udp_client::wait_closed(milliseconds timeout, std::vector<udp_frame>* before) {
  auto deadline = clock_type::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - clock_type::now());
    auto f = read_frame(std::max(left, milliseconds{0}));
    if (f) {
      if (before) before->push_back(std::move(*f));
      continue;
    }
    return closed_;
  }
}

testing::AssertionResult udp_client::log_in(const std::string& name, bool v2) {
  if (!handshake()) return testing::AssertionFailure() << "no COOKIE for the HELLO";
  std::vector<udp_frame> frames;
  if (v2) frames.push_back({7, std::string{"\x02\x00", 2}}); // HELLO {version 2}
  frames.push_back({1, name});
  if (!send_frames(frames)) return testing::AssertionFailure() << "DATA not sent";
  // The next frame that is not the idle probe. On a slow machine (a sanitizer build beside other
  // tests) the probe can come before the answers; it is answered as a client does, and the PONG
  // counts as life, so a test that waits for the next probe still gets one.
  auto answer = [this] {
    auto f = read_frame();
    while (f && f->type == 5 && send_frame(6, f->payload))
      f = read_frame();
    return f;
  };
  if (v2) {
    auto hello = answer();
    if (!hello || hello->type != 7)
      return testing::AssertionFailure()
             << "no HELLO reply: " << (hello ? testing::PrintToString(*hello) : "nothing");
  }
  auto reply = answer();
  if (!reply || *reply != udp_frame{1, "Login OK"})
    return testing::AssertionFailure() << "LOGIN " << name << " answered "
                                       << (reply ? testing::PrintToString(*reply) : "nothing");
  return testing::AssertionSuccess();
}

} // namespace chat::test
