// raw_client_test.cpp -- a real chat-server against a client written from PROTOCOL.md alone.
#include "tests/support/binaries.hpp"
#include "tests/support/child_process.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using chat::test::child_process;
using clock_type = std::chrono::steady_clock;

// Every socket wait is bounded by this: a broken server fails the test instead of hanging it.
constexpr auto io_timeout = 5s;
using chat::test::startup_timeout;
constexpr std::size_t header_size = 4; // int32 LE body_len

// Frame types, PROTOCOL.md "Types" and "Extensions".
constexpr uint8_t login = 1;
constexpr uint8_t send_msg = 2;
constexpr uint8_t broadcast_msg = 3;
constexpr uint8_t error = 4;
constexpr uint8_t ping = 5;
constexpr uint8_t pong = 6;

struct frame {
  uint8_t type = 0;
  std::string payload;

  bool operator==(const frame& other) const {
    return type == other.type && payload == other.payload;
  }
};

std::ostream& operator<<(std::ostream& out, const frame& f) {
  return out << "{type " << int{f.type} << ", \"" << f.payload << "\"}";
}

// Four bytes of body_len, little-endian whatever this machine's byte order.
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

// One TCP connection to 127.0.0.1. Reads wait with poll() for at most the given time.
class raw_connection {
public:
  explicit raw_connection(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int rc = ::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd_, POLLOUT, 0};
      int so_error = ETIMEDOUT;
      socklen_t len = sizeof so_error;
      if (::poll(&p, 1, static_cast<int>(ms(io_timeout))) == 1)
        ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &so_error, &len);
      rc = so_error == 0 ? 0 : -1;
      errno = so_error;
    }
    if (rc != 0) failure_ = std::string{"connect: "} + std::strerror(errno);
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
    int one = 1; // small sends leave at once, so a split frame really arrives in pieces
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~raw_connection() { ::close(fd_); }
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  bool connected() const { return failure_.empty(); }
  // Why the last read or connect failed.
  const std::string& failure() const { return failure_; }

  bool send_bytes(std::string_view bytes) {
    while (!bytes.empty()) {
      auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        failure_ = std::string{"send: "} + std::strerror(errno);
        return false;
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  bool send_frame(uint8_t type, std::string_view payload) {
    return send_bytes(encode(type, payload));
  }

  std::optional<frame> read_frame(std::chrono::milliseconds timeout = io_timeout) {
    auto deadline = clock_type::now() + timeout;
    std::string header(header_size, '\0');
    if (!read_exact(header.data(), header_size, deadline)) return std::nullopt;
    uint32_t raw_len = 0;
    for (std::size_t i = 0; i < header_size; ++i)
      raw_len |= static_cast<uint32_t>(static_cast<uint8_t>(header[i])) << (8 * i);
    auto body_len = static_cast<int32_t>(raw_len);
    if (body_len < 1 || body_len > (1 << 20)) {
      failure_ = "server sent body_len " + std::to_string(body_len);
      return std::nullopt;
    }
    std::string body(static_cast<std::size_t>(body_len), '\0');
    if (!read_exact(body.data(), body.size(), deadline)) return std::nullopt;
    return frame{static_cast<uint8_t>(body[0]), body.substr(1)};
  }

  // True if the server closes in an orderly way (recv returns 0) within `timeout` and sends no
  // further bytes before that.
  bool closed_by_server(std::chrono::milliseconds timeout = io_timeout) {
    char byte = 0;
    if (read_exact(&byte, 1, clock_type::now() + timeout)) {
      failure_ = "expected the server to close, but it sent more bytes";
      return false;
    }
    return failure_ == "closed by server";
  }

private:
  static long ms(clock_type::duration d) {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
  }

  bool read_exact(char* out, std::size_t n, clock_type::time_point deadline) {
    while (n > 0) {
      pollfd p{fd_, POLLIN, 0};
      auto left = std::max(0L, ms(deadline - clock_type::now()));
      int ready = ::poll(&p, 1, static_cast<int>(left));
      if (ready < 0 && errno == EINTR) continue;
      if (ready == 0) {
        failure_ = "timed out waiting for the server";
        return false;
      }
      auto got = ::recv(fd_, out, n, 0);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        failure_ = got == 0 ? "closed by server" : std::string{"recv: "} + std::strerror(errno);
        return false;
      }
      out += got;
      n -= static_cast<std::size_t>(got);
    }
    return true;
  }

  int fd_ = -1;
  std::string failure_;
};

// The next frame on `c` is `expected`.
testing::AssertionResult next_frame_is(raw_connection& c, const frame& expected) {
  auto got = c.read_frame();
  if (!got)
    return testing::AssertionFailure() << "expected " << expected << ", got none: " << c.failure();
  if (!(*got == expected))
    return testing::AssertionFailure() << "expected " << expected << ", got " << *got;
  return testing::AssertionSuccess();
}

class RawClientTest : public testing::Test {
protected:
  void SetUp() override {
    server_ = std::make_unique<child_process>(
        ::chat::test::chat_server_bin(),
        std::vector<std::string>{"--port=0", "--shutdown-timeout=1s"});
    auto line = server_->wait_for_line_containing("chat-server listening on", startup_timeout);
    ASSERT_TRUE(line) << server_->describe();
    auto colon = line->find("127.0.0.1:");
    ASSERT_NE(colon, std::string::npos) << *line;
    port_ = static_cast<uint16_t>(std::stoi(line->substr(colon + 10)));
    ASSERT_NE(port_, 0) << *line;
  }

  // Each test's connections are gone by now; the server must still be alive and stop cleanly.
  void TearDown() override {
    if (!server_) return;
    server_->send_signal(SIGTERM);
    auto status = server_->wait(10s);
    EXPECT_TRUE(status.exited_with(0)) << status << '\n' << server_->describe();
  }

  // A connection that has logged in as `name`.
  std::unique_ptr<raw_connection> logged_in(const std::string& name) {
    auto c = std::make_unique<raw_connection>(port_);
    EXPECT_TRUE(c->connected()) << c->failure();
    c->send_frame(login, name);
    EXPECT_TRUE(next_frame_is(*c, {login, "Login OK"})) << name;
    return c;
  }

  std::unique_ptr<child_process> server_;
  uint16_t port_ = 0;
};

TEST_F(RawClientTest, LoginIsAnsweredLoginOk) {
  raw_connection ann{port_};
  ASSERT_TRUE(ann.connected()) << ann.failure();
  ASSERT_TRUE(ann.send_frame(login, "ann"));
  EXPECT_TRUE(next_frame_is(ann, {login, "Login OK"}));
}

TEST_F(RawClientTest, SendMsgIsEchoedToTheSender) {
  raw_connection ann{port_};
  ASSERT_TRUE(ann.send_frame(send_msg, "hi")) << ann.failure();
  EXPECT_TRUE(next_frame_is(ann, {send_msg, "Echo: hi"}));
}

TEST_F(RawClientTest, BroadcastReachesEveryMemberIncludingTheSender) {
  auto ann = logged_in("ann");
  auto bob = logged_in("bob");
  raw_connection lurker{port_}; // connected, never logged in: not a member
  ASSERT_TRUE(ann->send_frame(broadcast_msg, "hello all"));
  EXPECT_TRUE(next_frame_is(*ann, {broadcast_msg, "ann: hello all"}));
  EXPECT_TRUE(next_frame_is(*bob, {broadcast_msg, "ann: hello all"}));
  ASSERT_TRUE(bob->send_frame(broadcast_msg, "hi ann"));
  EXPECT_TRUE(next_frame_is(*bob, {broadcast_msg, "bob: hi ann"}));
  EXPECT_TRUE(next_frame_is(*ann, {broadcast_msg, "bob: hi ann"}));
  ASSERT_TRUE(lurker.send_frame(send_msg, "anything?"));
  EXPECT_TRUE(next_frame_is(lurker, {send_msg, "Echo: anything?"}));
}

TEST_F(RawClientTest, LoginWithATakenNameIsRefused) {
  auto ann = logged_in("ann");
  raw_connection impostor{port_};
  ASSERT_TRUE(impostor.send_frame(login, "ann"));
  EXPECT_TRUE(next_frame_is(impostor, {login, "Login failed: name taken"}));
}

TEST_F(RawClientTest, BroadcastBeforeLoginGetsLoginFirstAndIsNotBroadcast) {
  auto bob = logged_in("bob");
  raw_connection stranger{port_};
  ASSERT_TRUE(stranger.send_frame(broadcast_msg, "sneaky"));
  EXPECT_TRUE(next_frame_is(stranger, {error, "login first"}));
  ASSERT_TRUE(bob->send_frame(broadcast_msg, "marker"));
  EXPECT_TRUE(next_frame_is(*bob, {broadcast_msg, "bob: marker"})) << "bob saw the sneaky one";
}

TEST_F(RawClientTest, UnknownTypeGetsErrorAndTheConnectionStaysUsable) {
  raw_connection ann{port_};
  ASSERT_TRUE(ann.send_frame(9, "what"));
  EXPECT_TRUE(next_frame_is(ann, {error, "unknown frame type 9"}));
  ASSERT_TRUE(ann.send_frame(send_msg, "still here"));
  EXPECT_TRUE(next_frame_is(ann, {send_msg, "Echo: still here"}));
}

// A zero-length frame is just its 4 length bytes; nothing else is sent, so the server has
// nothing unread when it closes (no RST).
TEST_F(RawClientTest, ZeroLengthGetsBadFrameLengthThenTheServerCloses) {
  raw_connection ann{port_};
  ASSERT_TRUE(ann.send_bytes(length_prefix(0)));
  EXPECT_TRUE(next_frame_is(ann, {error, "bad frame length"}));
  EXPECT_TRUE(ann.closed_by_server()) << ann.failure();
}

// The start of an oversized frame, as a client streaming it would send: length, type, a little.
TEST_F(RawClientTest, LengthOverMaxFrameGetsFrameTooLargeThenTheServerCloses) {
  raw_connection ann{port_};
  ASSERT_TRUE(ann.send_bytes(length_prefix(65537) + static_cast<char>(send_msg) + "xxxx"));
  EXPECT_TRUE(next_frame_is(ann, {error, "frame too large"}));
  EXPECT_TRUE(ann.closed_by_server()) << ann.failure();
}

TEST_F(RawClientTest, InvalidUtf8GetsErrorAndTheConnectionStaysOpen) {
  raw_connection ann{port_};
  ASSERT_TRUE(ann.send_frame(send_msg, "bad \xC3\x28 bytes \xFF"));
  EXPECT_TRUE(next_frame_is(ann, {error, "invalid UTF-8"}));
  ASSERT_TRUE(ann.send_frame(send_msg, "caf\xC3\xA9"));
  EXPECT_TRUE(next_frame_is(ann, {send_msg, "Echo: caf\xC3\xA9"}));
}

TEST_F(RawClientTest, PingIsAnsweredWithPongCarryingTheSamePayload) {
  raw_connection ann{port_};
  ASSERT_TRUE(ann.send_frame(ping, "token-42"));
  EXPECT_TRUE(next_frame_is(ann, {pong, "token-42"}));
  ASSERT_TRUE(ann.send_frame(ping, ""));
  EXPECT_TRUE(next_frame_is(ann, {pong, ""}));
}

// Every split point, the four length bytes included.
TEST_F(RawClientTest, FrameSplitIntoSingleBytesIsStillAnswered) {
  raw_connection ann{port_};
  for (char byte : encode(send_msg, "drip")) {
    ASSERT_TRUE(ann.send_bytes(std::string_view{&byte, 1})) << ann.failure();
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_TRUE(next_frame_is(ann, {send_msg, "Echo: drip"}));
}

TEST_F(RawClientTest, ManyFramesInOneSendAreAllAnsweredInOrder) {
  constexpr int count = 100;
  raw_connection ann{port_};
  std::string burst;
  for (int i = 0; i < count; ++i)
    burst += encode(i % 2 == 0 ? send_msg : ping, "m" + std::to_string(i));
  ASSERT_TRUE(ann.send_bytes(burst)) << ann.failure();
  for (int i = 0; i < count; ++i) {
    auto text = "m" + std::to_string(i);
    frame expected = i % 2 == 0 ? frame{send_msg, "Echo: " + text} : frame{pong, text};
    ASSERT_TRUE(next_frame_is(ann, expected)) << "frame " << i;
  }
}

} // namespace
