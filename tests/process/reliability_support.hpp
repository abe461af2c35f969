// reliability_support.hpp -- what the reliability tests share: a chat-server subprocess on a
// port of its own, a raw-socket client written from PROTOCOL.md alone (hand-encoded frames, every
// wait bounded by poll), and readings of the server's /proc entries (open files, memory).
#pragma once

#include "tests/support/child_process.hpp"

#include <gtest/gtest.h>

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace chat::reliability {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Every socket wait is bounded by this unless a test says otherwise.
constexpr milliseconds io_timeout = 5s;
constexpr milliseconds startup_timeout = 10s;
constexpr milliseconds exit_timeout = 15s;
constexpr std::size_t header_size = 4;         // int32 LE body_len
constexpr int32_t default_max_frame = 65536;   // chat-server --max-frame default
constexpr std::size_t largest_reply = 1 << 24; // what this client accepts from the server

// ASan and TSan keep memory of their own (quarantine, shadow): resident-memory bounds are printed
// but not checked in such a build (CHAT_SANITIZE instruments the tests and the server alike).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool sanitized_build = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool sanitized_build = true;
#else
constexpr bool sanitized_build = false;
#endif
#else
constexpr bool sanitized_build = false;
#endif

// Frame types, PROTOCOL.md "Types" and "Extensions".
namespace type {
constexpr uint8_t login = 1;
constexpr uint8_t send_msg = 2;
constexpr uint8_t broadcast_msg = 3;
constexpr uint8_t error = 4;
constexpr uint8_t ping = 5;
constexpr uint8_t pong = 6;
} // namespace type

struct frame {
  uint8_t type = 0;
  std::string payload;

  bool operator==(const frame& other) const {
    return type == other.type && payload == other.payload;
  }
  bool operator!=(const frame& other) const { return !(*this == other); }
};

// Prints at most 80 payload bytes, non-printable ones as \xNN.
std::ostream& operator<<(std::ostream& out, const frame& f);

// Four bytes of body_len, little-endian whatever this machine's byte order.
std::string length_prefix(int32_t body_len);
// body_len (type byte + payload), type, payload.
std::string encode(uint8_t type, std::string_view payload);

long ms(clock_type::duration d);

// -- the server's /proc entries -------------------------------------------------------------

// Entries in /proc/<pid>/fd, or nothing if it cannot be read.
std::optional<std::size_t> open_fd_count(pid_t pid);
// Those of them that are sockets ("socket:[inode]"): the listener and the connections, without
// the files and pipes a runtime may open for a moment (a sanitizer's, for one).
std::optional<std::size_t> open_socket_count(pid_t pid);
// A "Vm...:  N kB" field of /proc/<pid>/status in KiB (VmRSS, VmHWM), or nothing.
std::optional<long> status_kib(pid_t pid, std::string_view field);
// kill(pid, 0) == 0 and not a zombie.
bool process_alive(pid_t pid);

// -- the server -----------------------------------------------------------------------------

// chat-server --port=0 plus `args`, started at construction. A test asserts started() first.
class server_process {
public:
  explicit server_process(std::vector<std::string> args);
  // The same, run through `wrapper` (a program and its arguments, e.g. unshare), which must end
  // by running the program it is given last with its arguments.
  server_process(std::vector<std::string> args, std::vector<std::string> wrapper);

  bool started() const { return port_ != 0; }
  uint16_t port() const { return port_; }
  // The HTTP side's port, when started with --http-port (0 otherwise).
  uint16_t http_port() const { return http_port_; }
  pid_t pid() const { return child_->pid(); }
  test::child_process& child() { return *child_; }
  std::string describe() const { return child_->describe(); }
  std::string stderr_text() const { return child_->stderr_text(); }

  // True once the server's stderr holds `text`, waiting up to `timeout`.
  bool wait_for_log(std::string_view text, milliseconds timeout) const;

  struct stop_result {
    test::exit_status status;
    milliseconds elapsed{0}; // from the signal to the reaped exit
  };
  // SIGTERM, then waits up to `timeout` for the exit (SIGKILL after that).
  stop_result stop(milliseconds timeout = exit_timeout);

private:
  std::unique_ptr<test::child_process> child_;
  uint16_t port_ = 0;
  uint16_t http_port_ = 0;
};

// -- a raw client ---------------------------------------------------------------------------

struct client_options {
  int receive_buffer = 0; // SO_RCVBUF set before connect when > 0
};

// One TCP connection to 127.0.0.1:port, non-blocking underneath; every wait is a poll with a
// deadline. Received bytes collect in an inbox that frames are cut from.
class raw_client {
public:
  enum class ending { open, eof, reset, timeout, more_data };

  explicit raw_client(uint16_t port, client_options options = {});
  ~raw_client();
  raw_client(const raw_client&) = delete;
  raw_client& operator=(const raw_client&) = delete;

  bool connected() const { return connected_; }
  int fd() const { return fd_; }
  // Why the last operation failed.
  const std::string& failure() const { return failure_; }

  // Sends all of `bytes`, waiting for room up to `timeout` in all.
  bool send_bytes(std::string_view bytes, milliseconds timeout = io_timeout);
  bool send_frame(uint8_t type, std::string_view payload) {
    return send_bytes(encode(type, payload));
  }
  // Sends as much of `bytes` as the peer takes until it refuses (reset, broken pipe) or takes
  // nothing for `stall`; returns how many bytes went out.
  std::size_t send_until_refused(std::string_view bytes, milliseconds stall);
  // Sends without waiting; returns bytes taken (0 if none fit); false on an error.
  bool send_some(std::string_view bytes, std::size_t& taken);

  // The next frame, waiting up to `timeout`; nothing on timeout, close or a bad reply.
  std::optional<frame> read_frame(milliseconds timeout = io_timeout);
  // A complete frame already received, without waiting.
  std::optional<frame> buffered_frame();
  // One non-blocking receive into the inbox: false once the peer has closed or reset.
  bool receive_available();
  bool peer_closed() const { return ending_ == ending::eof || ending_ == ending::reset; }
  ending how_closed() const { return ending_; }

  // Waits up to `timeout` for the server to close. more_data if bytes arrive (or were already
  // buffered) before that; their count goes to *extra.
  ending wait_closed(milliseconds timeout = io_timeout, std::size_t* extra = nullptr);
  // Reads and keeps everything until the server closes or `timeout` passes.
  ending drain(milliseconds timeout);
  // Bytes received and not yet cut into frames.
  std::string_view unread() const { return std::string_view{inbox_}.substr(head_); }
  std::size_t bytes_received() const { return received_; }

  // A close that sends RST instead of FIN: SO_LINGER {1, 0}.
  void set_reset_on_close();
  void close();

  // Waits until the socket is readable or `timeout` passes.
  bool wait_readable(milliseconds timeout);

private:
  bool fill(clock_type::time_point deadline);

  int fd_ = -1;
  bool connected_ = false;
  std::string failure_;
  std::string inbox_;
  std::size_t head_ = 0; // inbox_ bytes before this are consumed
  std::size_t received_ = 0;
  ending ending_ = ending::open;
  bool bad_reply_ = false; // the server sent a length this client cannot take
};

// The next frame on `c` is `expected`.
testing::AssertionResult next_frame_is(raw_client& c, const frame& expected,
                                       milliseconds timeout = io_timeout);
// Writes all of `bytes` to descriptor `fd` with plain send(2) as the socket takes them, for a
// writer thread beside the raw_client's reader thread (whose state it leaves alone). Empty on
// success, else why not ("timed out with N bytes unsent", "send: ...").
std::string send_all_raw(int fd, std::string_view bytes, clock_type::time_point deadline);

// `c` has logged in as `name` (sent LOGIN, got Login OK).
testing::AssertionResult log_in(raw_client& c, const std::string& name);

} // namespace chat::reliability
