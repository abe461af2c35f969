#include "tests/support/lossy_relay.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <queue>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace chat::test {

namespace {

using clock_type = std::chrono::steady_clock;

// Bounds: a test that floods the relay loses datagrams here rather than memory.
constexpr std::size_t max_held = 20000;
constexpr std::size_t max_clients = 256;
constexpr std::size_t max_datagram = 65536;

int udp_socket(uint16_t port = 0) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("lossy_relay: socket failed");
  // A burst must not be lost in the relay's own socket: the losses are the ones it is told to
  // make. FORCE works for root (CI); others get what rmem_max allows.
  int bytes = 8 << 20;
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0)
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    throw std::runtime_error("lossy_relay: bind failed");
  }
  return fd;
}

uint16_t port_of(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

sockaddr_in loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

} // namespace

struct lossy_relay::state {
  struct held {
    clock_type::time_point due;
    uint64_t order; // ties leave in arrival order
    int from_fd;    // the socket it leaves through
    sockaddr_in to;
    std::string bytes;
    bool operator>(const held& o) const { return due != o.due ? due > o.due : order > o.order; }
  };

  uint16_t server_port;
  loss_profile up, down;
  std::mt19937_64 random;
  int front = -1;                       // where clients send
  std::map<uint64_t, int> upstream;     // client (address << 16 | port) -> its socket
  std::map<int, sockaddr_in> client_of; // upstream socket -> its client
  std::priority_queue<held, std::vector<held>, std::greater<held>> queue;
  uint64_t order = 0;

  double chance() { return std::uniform_real_distribution<double>{0, 1}(random); }
};

lossy_relay::lossy_relay(uint16_t server_port, loss_profile to_server, loss_profile to_client,
                         uint64_t seed)
    : state_(
          new state{server_port, to_server, to_client, std::mt19937_64{seed}, -1, {}, {}, {}, 0}) {
  state_->front = udp_socket();
  port_ = port_of(state_->front);
  thread_ = std::thread([this] { run(); });
}

lossy_relay::~lossy_relay() {
  stop_ = true;
  thread_.join();
  ::close(state_->front);
  for (auto& [key, fd] : state_->upstream)
    ::close(fd);
  delete state_;
}

lossy_relay::counts lossy_relay::toward_server() const {
  std::lock_guard<std::mutex> g{counts_mutex_};
  return up_;
}
lossy_relay::counts lossy_relay::toward_clients() const {
  std::lock_guard<std::mutex> g{counts_mutex_};
  return down_;
}

void lossy_relay::run() {
  auto& s = *state_;
  std::vector<char> buffer(max_datagram);
  // One datagram in, from `fd`: counted, then lost, held or held twice, as its direction says.
  auto take = [&](int fd, bool toward_server, const sockaddr_in& from, std::size_t size) {
    const auto& profile = toward_server ? s.up : s.down;
    std::lock_guard<std::mutex> g{counts_mutex_};
    auto& c = toward_server ? up_ : down_;
    ++c.received;
    if (s.chance() < profile.drop || s.queue.size() >= max_held) {
      ++c.dropped;
      return;
    }
    auto due = clock_type::now() + profile.delay;
    if (profile.jitter.count() > 0)
      due += std::chrono::milliseconds{
          std::uniform_int_distribution<int64_t>{0, profile.jitter.count()}(s.random)};
    if (s.chance() < profile.reorder) {
      ++c.reordered;
      due += std::chrono::milliseconds{5} + profile.delay + profile.jitter;
    }
    int out_fd = fd;
    sockaddr_in to = loopback(s.server_port);
    if (!toward_server) {
      out_fd = s.front;
      to = s.client_of[fd];
    }
    std::string bytes(buffer.data(), size);
    if (s.chance() < profile.duplicate) {
      ++c.duplicated;
      s.queue.push({due + std::chrono::milliseconds{1}, s.order++, out_fd, to, bytes});
    }
    s.queue.push({due, s.order++, out_fd, to, std::move(bytes)});
    (void)from;
  };

  while (!stop_) {
    std::vector<pollfd> fds{{s.front, POLLIN, 0}};
    for (auto& [fd, client] : s.client_of)
      fds.push_back({fd, POLLIN, 0});
    int wait_ms = 20;
    if (!s.queue.empty()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(s.queue.top().due -
                                                                        clock_type::now());
      wait_ms = static_cast<int>(std::clamp<int64_t>(left.count(), 0, 20));
    }
    ::poll(fds.data(), fds.size(), wait_ms);
    for (auto& p : fds) {
      if (!(p.revents & POLLIN)) continue;
      for (int i = 0; i < 64; ++i) { // a bounded drain per turn
        sockaddr_in from{};
        socklen_t len = sizeof from;
        auto n = ::recvfrom(p.fd, buffer.data(), buffer.size(), 0,
                            reinterpret_cast<sockaddr*>(&from), &len);
        if (n < 0) break;
        if (p.fd == s.front) {
          uint64_t key = (uint64_t{from.sin_addr.s_addr} << 16) | from.sin_port;
          auto up = s.upstream.find(key);
          if (up == s.upstream.end()) {
            if (s.upstream.size() >= max_clients) continue;
            int fd = udp_socket();
            up = s.upstream.emplace(key, fd).first;
            s.client_of[fd] = from;
          }
          take(up->second, true, from, static_cast<std::size_t>(n));
        } else {
          take(p.fd, false, from, static_cast<std::size_t>(n));
        }
      }
    }
    auto now = clock_type::now();
    while (!s.queue.empty() && s.queue.top().due <= now) {
      const auto& h = s.queue.top();
      ::sendto(h.from_fd, h.bytes.data(), h.bytes.size(), 0,
               reinterpret_cast<const sockaddr*>(&h.to), sizeof h.to);
      {
        std::lock_guard<std::mutex> g{counts_mutex_};
        auto& c = h.from_fd == s.front ? down_ : up_;
        ++c.forwarded;
      }
      s.queue.pop();
    }
  }
}

} // namespace chat::test
