// trivial_relay.cpp -- the cheapest server for the chat protocol subset chat-bench uses (LOGIN,
// BROADCAST_MSG, PING), so that chat-bench run against it measures chat-bench's own ceiling.
// Started by scripts/benchmarks.sh (kind "trivial") and tests/bench/trivial_relay_test.cpp.
// One thread, raw epoll, no Asio, no CAF: nothing here may cost more than the protocol needs.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

// The values of messages/frame.hpp, repeated so that this binary stays free of CAF.
constexpr uint8_t login = 1, broadcast_msg = 3, ping = 5, pong = 6;
constexpr std::size_t header_size = 5;
constexpr std::size_t max_frame = 65536; // body_len bound, as the server's default
// A receiver this far behind is not reading: past this it is dropped, not buffered forever.
constexpr std::size_t max_queued = 64u << 20;

struct member {
  int fd = -1;
  std::string name;
  bool logged_in = false;
  bool dead = false;     // in `doomed`
  bool want_out = false; // EPOLLOUT registered: `out` is written when the socket takes more
  bool dirty = false;    // in `dirty`
  std::string in;        // received bytes not yet a whole frame
  std::string out;       // queued frames, in order
};

int epfd = -1;
std::vector<std::unique_ptr<member>> by_fd; // indexed by descriptor
std::vector<member*> logged_in;             // broadcast recipients, in login order
std::vector<member*> doomed;                // closed once the current batch is handled
std::vector<member*> dirty;                 // got frames in the current batch of events

// Closing waits for the end of the batch: a fan-out loop may still be walking `logged_in`.
void doom(member& m) {
  if (m.dead) return;
  m.dead = true;
  doomed.push_back(&m);
}

void encode(std::string& out, uint8_t type, std::string_view a, std::string_view b = {}) {
  auto body = static_cast<uint32_t>(1 + a.size() + b.size());
  char header[header_size] = {char(body & 0xff), char(body >> 8 & 0xff), char(body >> 16 & 0xff),
                              char(body >> 24 & 0xff), char(type)};
  out.append(header, header_size).append(a).append(b);
}

void watch_out(member& m, bool on) {
  if (m.want_out == on) return;
  m.want_out = on;
  epoll_event ev{};
  ev.events = EPOLLIN | (on ? EPOLLOUT : 0u);
  ev.data.fd = m.fd;
  epoll_ctl(epfd, EPOLL_CTL_MOD, m.fd, &ev);
}

// Queues `bytes` for `m`; the write happens once the current batch of events is handled.
// A write per broadcast per recipient cost the relay ~1.2 us per delivery (more than our server)
// and made chat-bench wake once per frame, so the relay measured itself, not chat-bench.
void send_to(member& m, std::string_view bytes) {
  if (m.dead) return;
  m.out.append(bytes);
  if (!m.dirty) {
    m.dirty = true;
    dirty.push_back(&m);
  }
  if (m.out.size() > max_queued) {
    std::fprintf(stderr, "trivial-relay: dropping '%s' (fd %d): %zu bytes queued, over 64 MiB\n",
                 m.name.c_str(), m.fd, m.out.size());
    doom(m);
  }
}

// One plain non-blocking write of everything queued; what the socket would not take waits for
// EPOLLOUT.
void flush(member& m) {
  auto n = ::send(m.fd, m.out.data(), m.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      watch_out(m, true);
    else
      doom(m);
    return;
  }
  m.out.erase(0, static_cast<std::size_t>(n));
  watch_out(m, !m.out.empty());
}

void on_frame(member& m, uint8_t type, std::string_view payload) {
  std::string reply;
  if (type == login) {
    if (!m.logged_in) logged_in.push_back(&m);
    m.logged_in = true;
    m.name.assign(payload);
    encode(reply, login, "Login OK");
    send_to(m, reply);
  } else if (type == broadcast_msg && m.logged_in) {
    encode(reply, broadcast_msg, m.name + ": ", payload); // encoded once for every recipient
    for (auto* to : logged_in)
      send_to(*to, reply);
  } else if (type == ping) {
    encode(reply, pong, payload);
    send_to(m, reply);
  }
}

// One read per readiness (epoll is level-triggered, so other members get their turn).
void on_readable(member& m) {
  char buf[64 * 1024];
  auto n = ::recv(m.fd, buf, sizeof buf, 0);
  if (n <= 0) {
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) doom(m);
    return;
  }
  m.in.append(buf, static_cast<std::size_t>(n));
  std::size_t at = 0;
  while (m.in.size() - at >= header_size) {
    uint32_t body = 0;
    for (int i = 3; i >= 0; --i)
      body = body << 8 | static_cast<uint8_t>(m.in[at + i]);
    if (body < 1 || body > max_frame) { // a broken stream: no resynchronising
      doom(m);
      return;
    }
    if (m.in.size() - at < 4 + body) break;
    on_frame(m, static_cast<uint8_t>(m.in[at + 4]),
             std::string_view{m.in}.substr(at + header_size, body - 1));
    at += 4 + body;
    if (m.dead) return;
  }
  m.in.erase(0, at);
}

void close_member(member& m) {
  logged_in.erase(std::remove(logged_in.begin(), logged_in.end(), &m), logged_in.end());
  ::close(m.fd);
  by_fd[static_cast<std::size_t>(m.fd)].reset();
}

void accept_all(int listener) {
  for (;;) {
    int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return; // EAGAIN, or out of descriptors: the next readiness tries again
    int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on); // a frame goes out when written
    if (by_fd.size() <= static_cast<std::size_t>(fd)) by_fd.resize(fd + 1);
    by_fd[fd] = std::make_unique<member>();
    by_fd[fd]->fd = fd;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
  }
}

int usage(const char* why) {
  std::fprintf(stderr,
               "trivial-relay: %s\nusage: trivial-relay [--port N (0: any free port)] "
               "[--host 127.x.y.z]\n",
               why);
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  // A script's background job starts with SIGINT ignored; `kill -INT` must still end the relay.
  std::signal(SIGINT, SIG_DFL);
  std::string host = "127.0.0.1";
  long port = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i], value;
    auto eq = arg.find('=');
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    }
    if (arg == "--port")
      port = std::strtol(value.c_str(), nullptr, 10);
    else if (arg == "--host")
      host = value;
    else
      return usage(("unknown option " + arg).c_str());
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (port < 0 || port > 65535) return usage("--port must be 0..65535");
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1 ||
      (ntohl(addr.sin_addr.s_addr) >> 24) != 127)
    return usage("--host must be an address in 127.0.0.0/8");

  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int on = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  socklen_t len = sizeof addr;
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      ::listen(listener, 4096) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::fprintf(stderr, "trivial-relay: cannot listen on %s:%ld: %s\n", host.c_str(), port,
                 std::strerror(errno));
    return 1;
  }
  std::printf("trivial-relay listening on %s:%u\n", host.c_str(), ntohs(addr.sin_port));
  std::fflush(stdout);

  epfd = ::epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listener;
  epoll_ctl(epfd, EPOLL_CTL_ADD, listener, &ev);
  epoll_event events[256];
  for (;;) { // ends with SIGINT/SIGTERM's default action: there is nothing to save
    int n = ::epoll_wait(epfd, events, 256, -1);
    if (n < 0 && errno != EINTR) return 1;
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == listener) {
        accept_all(listener);
        continue;
      }
      auto* m = static_cast<std::size_t>(fd) < by_fd.size() ? by_fd[fd].get() : nullptr;
      if (!m || m->dead) continue;
      if (events[i].events & (EPOLLERR | EPOLLHUP)) doom(*m);
      if (!m->dead && (events[i].events & EPOLLOUT)) flush(*m);
      if (!m->dead && (events[i].events & EPOLLIN)) on_readable(*m);
    }
    // One write per member for everything this batch of events produced. A member waiting for
    // EPOLLOUT keeps waiting, so its frames stay in order.
    for (auto* to : dirty) {
      to->dirty = false;
      if (!to->dead && !to->want_out) flush(*to);
    }
    dirty.clear();
    for (auto* gone : doomed) // closed only now: nothing above holds a pointer to it any more
      close_member(*gone);
    doomed.clear();
  }
}
