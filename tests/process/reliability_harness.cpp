// reliability_harness.cpp -- the process harness of reliability_support.hpp: chat-server as a
// subprocess (started, stopped, its log waited for), the raw-socket client with its bounded waits,
// and frames encoded by hand. Built into chat_raw_client, which the process tests link.
#include "tests/process/reliability_support.hpp"
#include "tests/support/binaries.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

namespace chat::reliability {

std::string length_prefix(int32_t body_len) {
  auto n = static_cast<uint32_t>(body_len);
  std::string out(header_size, '\0');
  for (std::size_t i = 0; i < header_size; ++i)
    out[i] = static_cast<char>((n >> (8 * i)) & 0xFF);
  return out;
}

std::string encode(uint8_t type, std::string_view payload) {
  auto out = length_prefix(static_cast<int32_t>(payload.size() + 1));
  out += static_cast<char>(type);
  out += payload;
  return out;
}

long ms(clock_type::duration d) {
  return static_cast<long>(std::chrono::duration_cast<milliseconds>(d).count());
}

// -- server_process ---------------------------------------------------------------------------

server_process::server_process(std::vector<std::string> args)
    : server_process(std::move(args), {}) {}

server_process::server_process(std::vector<std::string> args, std::vector<std::string> wrapper) {
  args.insert(args.begin(), "--port=0");
  bool http = std::any_of(args.begin(), args.end(),
                          [](const std::string& a) { return a.rfind("--http-port", 0) == 0; });
  if (wrapper.empty()) {
    child_ =
        std::make_unique<test::child_process>(::chat::test::chat_server_bin(), std::move(args));
  } else {
    auto program = wrapper.front();
    wrapper.erase(wrapper.begin());
    wrapper.push_back(::chat::test::chat_server_bin());
    wrapper.insert(wrapper.end(), args.begin(), args.end());
    child_ = std::make_unique<test::child_process>(program, std::move(wrapper));
  }
  auto line = child_->wait_for_line_containing("chat-server listening on", startup_timeout);
  if (!line) return;
  auto at = line->find("127.0.0.1:");
  if (at == std::string::npos) return;
  port_ = static_cast<uint16_t>(std::stoi(line->substr(at + 10)));
  if (!http) return;
  auto http_line = child_->wait_for_line_containing("http listening on", startup_timeout);
  if (!http_line || (at = http_line->find("127.0.0.1:")) == std::string::npos) return;
  http_port_ = static_cast<uint16_t>(std::stoi(http_line->substr(at + 10)));
}

bool server_process::wait_for_log(std::string_view text, milliseconds timeout) const {
  auto deadline = clock_type::now() + timeout;
  for (;;) {
    if (child_->stderr_text().find(text) != std::string::npos) return true;
    if (clock_type::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
}

server_process::stop_result server_process::stop(milliseconds timeout) {
  auto start = clock_type::now();
  child_->send_signal(SIGTERM);
  stop_result result;
  result.status = child_->wait(timeout);
  result.elapsed = std::chrono::duration_cast<milliseconds>(clock_type::now() - start);
  return result;
}

// -- raw_client -------------------------------------------------------------------------------

raw_client::raw_client(uint16_t port, client_options options) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0) {
    failure_ = std::string{"socket: "} + std::strerror(errno);
    return;
  }
  if (options.receive_buffer > 0)
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &options.receive_buffer,
                 sizeof options.receive_buffer);
  int one = 1; // small sends leave at once, so a split frame really arrives in pieces
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int rc = ::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  int error = rc == 0 ? 0 : errno;
  if (rc != 0 && errno == EINPROGRESS) {
    pollfd p{fd_, POLLOUT, 0};
    error = ETIMEDOUT;
    if (::poll(&p, 1, static_cast<int>(io_timeout.count())) == 1) {
      socklen_t len = sizeof error;
      ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &len);
    }
  }
  if (error != 0)
    failure_ = std::string{"connect: "} + std::strerror(error);
  else
    connected_ = true;
}

raw_client::~raw_client() {
  close();
}

void raw_client::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void raw_client::set_reset_on_close() {
  linger l{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

bool raw_client::send_some(std::string_view bytes, std::size_t& taken) {
  taken = 0;
  for (;;) {
    auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) {
      taken = static_cast<std::size_t>(n);
      return true;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
    failure_ = std::string{"send: "} + std::strerror(errno);
    return false;
  }
}

bool raw_client::send_bytes(std::string_view bytes, milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  while (!bytes.empty()) {
    std::size_t taken = 0;
    if (!send_some(bytes, taken)) return false;
    bytes.remove_prefix(taken);
    if (bytes.empty()) break;
    if (taken > 0) continue;
    pollfd p{fd_, POLLOUT, 0};
    auto left = std::max(0L, ms(deadline - clock_type::now()));
    if (left == 0) {
      failure_ = "send: timed out with " + std::to_string(bytes.size()) + " bytes left";
      return false;
    }
    ::poll(&p, 1, static_cast<int>(left));
  }
  return true;
}

std::size_t raw_client::send_until_refused(std::string_view bytes, milliseconds stall) {
  std::size_t sent = 0;
  auto last_progress = clock_type::now();
  while (sent < bytes.size()) {
    std::size_t taken = 0;
    if (!send_some(bytes.substr(sent), taken)) break;
    if (taken > 0) {
      sent += taken;
      last_progress = clock_type::now();
      continue;
    }
    auto left = ms(last_progress + stall - clock_type::now());
    if (left <= 0) break;
    pollfd p{fd_, POLLOUT, 0};
    ::poll(&p, 1, static_cast<int>(left));
  }
  return sent;
}

bool raw_client::receive_available() {
  if (peer_closed()) return false;
  char buf[65536];
  for (int reads = 0;; ++reads) {
    auto n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
      inbox_.append(buf, static_cast<std::size_t>(n));
      received_ += static_cast<std::size_t>(n);
      // a short read drained the socket; after 1 MiB let the caller cut frames first
      if (static_cast<std::size_t>(n) < sizeof buf || reads >= 15) return true;
      continue;
    }
    if (n == 0) {
      ending_ = ending::eof;
      failure_ = "closed by server";
      return false;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
    ending_ = errno == ECONNRESET ? ending::reset : ending::eof;
    failure_ = std::string{"recv: "} + std::strerror(errno);
    return false;
  }
}

bool raw_client::wait_readable(milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  for (;;) {
    int ready = ::poll(&p, 1, static_cast<int>(std::max<long>(0, timeout.count())));
    if (ready < 0 && errno == EINTR) continue;
    return ready > 0;
  }
}

// Waits for bytes (or a close) until `deadline`: false on timeout or once the peer has closed.
bool raw_client::fill(clock_type::time_point deadline) {
  if (peer_closed()) return false;
  auto before = inbox_.size();
  for (;;) {
    if (!receive_available()) return inbox_.size() > before;
    if (inbox_.size() > before) return true;
    auto left = ms(deadline - clock_type::now());
    if (left <= 0 || !wait_readable(milliseconds{left})) {
      // one last look: the data may have come in just as the wait ended
      if (!receive_available() || inbox_.size() > before) return inbox_.size() > before;
      failure_ = "timed out waiting for the server";
      return false;
    }
  }
}

std::optional<frame> raw_client::buffered_frame() {
  auto available = inbox_.size() - head_;
  if (available < header_size) return std::nullopt;
  const char* at = inbox_.data() + head_;
  uint32_t raw_len = 0;
  for (std::size_t i = 0; i < header_size; ++i)
    raw_len |= static_cast<uint32_t>(static_cast<uint8_t>(at[i])) << (8 * i);
  auto body_len = static_cast<int32_t>(raw_len);
  if (body_len < 1 || static_cast<std::size_t>(body_len) > largest_reply) {
    failure_ = "server sent body_len " + std::to_string(body_len);
    bad_reply_ = true;
    return std::nullopt;
  }
  auto total = header_size + static_cast<std::size_t>(body_len);
  if (available < total) return std::nullopt;
  frame f{static_cast<uint8_t>(at[header_size]),
          std::string(at + header_size + 1, static_cast<std::size_t>(body_len) - 1)};
  head_ += total;
  // Consumed bytes are dropped in bulk, not per frame: a deep inbox must not cost O(n^2).
  if (head_ == inbox_.size()) {
    inbox_.clear();
    head_ = 0;
  } else if (head_ >= (1u << 16) && head_ * 2 >= inbox_.size()) {
    inbox_.erase(0, head_);
    head_ = 0;
  }
  return f;
}

std::optional<frame> raw_client::read_frame(milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  for (;;) {
    if (auto f = buffered_frame()) return f;
    if (bad_reply_) return std::nullopt;
    if (!fill(deadline)) return std::nullopt;
  }
}

raw_client::ending raw_client::wait_closed(milliseconds timeout, std::size_t* extra) {
  auto deadline = clock_type::now() + timeout;
  for (;;) {
    if (inbox_.size() > head_) {
      if (extra != nullptr) *extra = inbox_.size() - head_;
      failure_ = "expected the server to close, but it sent " +
                 std::to_string(inbox_.size() - head_) + " more bytes";
      return ending::more_data;
    }
    if (peer_closed()) return ending_;
    if (!fill(deadline) && !peer_closed() && inbox_.size() == head_) return ending::timeout;
  }
}

raw_client::ending raw_client::drain(milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  while (!peer_closed()) {
    if (!fill(deadline) && !peer_closed()) return ending::timeout;
  }
  return ending_;
}

std::string send_all_raw(int fd, std::string_view bytes, clock_type::time_point deadline) {
  while (!bytes.empty()) {
    if (clock_type::now() >= deadline)
      return "timed out with " + std::to_string(bytes.size()) + " bytes unsent";
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    auto n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0)
      bytes.remove_prefix(static_cast<std::size_t>(n));
    else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
      return std::string{"send: "} + std::strerror(errno);
  }
  return {};
}

} // namespace chat::reliability
