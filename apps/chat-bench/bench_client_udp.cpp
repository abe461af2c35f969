// bench_client_udp.cpp -- bench_client over UDP (--transport=udp, docs/PROTOCOL.md "Datagrams
// (UDP)"): its own socket, connected to the server's --udp-port; HELLO (again after 0.5, 1, 2,
// 4 s, a fresh nonce each time) until a COOKIE echoes one of ours; then the same frames the TCP
// client writes, packed into DATA datagrams behind the session's cookie, and the server's DATA
// checked for that cookie and cut into frames for the client's framing, so everything above
// the bytes (pacing, stamps, accounting) is shared with TCP. Latency ends at the kernel's
// receive stamp of the datagram. UDP loses: what never arrives is counted lost, not a failure;
// a sender whose window stays full for a second (its own message lost) gets those slots back.
#include "apps/chat-bench/bench_client.hpp"

#include "apps/chat-bench/bench_udp.hpp"
#include "apps/chat-bench/loopback.hpp"
#include "apps/chat-bench/socket_arrival.hpp"
#include "apps/chat-bench/udp_wire.hpp"
#include "messages/multipart.hpp"

#include <openssl/crypto.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>

namespace chat::bench {

namespace {

namespace udp = transport::udp;

// The waits after each unanswered HELLO (as the client library's), then the client fails.
constexpr std::array<std::chrono::milliseconds, 4> udp_hello_waits{
    std::chrono::milliseconds{500}, std::chrono::milliseconds{1000},
    std::chrono::milliseconds{2000}, std::chrono::milliseconds{4000}};
constexpr auto udp_stall_check = std::chrono::milliseconds{250};
constexpr uint64_t udp_stall_ns = 1000000000; // a full window this long: its messages are lost
constexpr int udp_reads_per_wakeup = 64;
constexpr std::size_t udp_read_buffer_size = udp::max_max_datagram + 1;

// Shared by every UDP client this thread serves.
char* udp_thread_read_buffer() {
  thread_local std::array<char, udp_read_buffer_size> buffer;
  return buffer.data();
}

udp::nonce udp_fresh_nonce() {
  thread_local std::mt19937_64 draw{std::random_device{}()};
  udp::nonce n{};
  auto bits = draw();
  std::memcpy(n.data(), &bits, n.size());
  return n;
}

} // namespace

void udp_channel_deleter::operator()(udp_channel* channel) const {
  delete channel;
}

void bench_client::udp_start() {
  auto& counts = udp_wire::run_counters();
  counts.note_kernel_start();
  udp_.reset(new udp_channel{executor_});
  auto& socket = udp_->socket;
  const auto& server = plan_.servers[server_];
  boost::system::error_code ec;
  socket.open(boost::asio::ip::udp::v4(), ec);
  if (!ec && plan_.source_addresses > 1)
    socket.bind({source_address(index_, plan_.source_addresses), 0}, ec);
  if (!ec) {
    counts.note_receive_buffer(
        udp_wire::set_receive_buffer(socket.native_handle(), static_cast<int>(plan_.udp_rcvbuf)));
    udp_wire::enable_datagram_notes(socket.native_handle());
    socket.non_blocking(true, ec);
  }
  // Connected: the kernel drops datagrams from anyone but the server, and ICMP errors come back.
  if (!ec) socket.connect({server.address(), server.port()}, ec);
  if (ec) return fail("UDP socket: " + ec.message());
  udp_say_hello();
  udp_wait();
}

void bench_client::udp_say_hello() {
  auto& counts = udp_wire::run_counters();
  udp_->nonces.push_back(udp_fresh_nonce());
  auto hello = udp::encode_hello(udp_->nonces.back(), udp::min_hello_size);
  // Lost or refused, the timer says HELLO again; a refusal also comes back to the read.
  ::send(udp_->socket.native_handle(), hello.data(), hello.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  counts.hellos.fetch_add(1, std::memory_order_relaxed);
  if (udp_->attempt > 0) counts.hello_retries.fetch_add(1, std::memory_order_relaxed);
  udp_->timer.expires_after(udp_hello_waits[udp_->attempt]);
  udp_->timer.async_wait([this](const boost::system::error_code& ec) { udp_on_timer(ec); });
}

void bench_client::udp_on_timer(const boost::system::error_code& ec) {
  if (ec || state_ == state::closed || !udp_) return; // cancelled: a COOKIE came, or our close
  if (!udp_->has_cookie) {
    if (++udp_->attempt >= udp_hello_waits.size())
      return fail("no COOKIE for " + std::to_string(udp_hello_waits.size()) + " HELLOs");
    return udp_say_hello();
  }
  udp_check_window();
  udp_->timer.expires_after(udp_stall_check);
  udp_->timer.async_wait([this](const boost::system::error_code& e) { udp_on_timer(e); });
}

// A sender's window holds the messages it has not seen back. Over UDP one of them may never
// come back: if the window stays full (nothing sent) for udp_stall_ns, its slots are given back
// and counted. The broadcasts themselves count as lost where they did not arrive. One that was
// only late (over a second) frees its slot again when it comes: the window then runs over by
// that many, which on loopback has not been seen.
void bench_client::udp_check_window() {
  if (!sender_ || !sender_->pacer) return;
  auto now = steady_now_ns();
  auto flying = sender_->pacer->in_flight();
  if (flying == 0 || sender_->next_seq != udp_->stall_seq) {
    udp_->stall_seq = sender_->next_seq;
    udp_->stall_since_ns = now;
    return;
  }
  if (now - udp_->stall_since_ns < udp_stall_ns) return;
  for (uint64_t i = 0; i < flying; ++i)
    sender_->pacer->returned();
  udp_wire::run_counters().slots_reclaimed.fetch_add(flying, std::memory_order_relaxed);
  udp_->stall_since_ns = now;
  pump();
}

void bench_client::udp_wait() {
  udp_->wait_pending = true;
  udp_->socket.async_wait(boost::asio::ip::udp::socket::wait_read,
                          [this](const boost::system::error_code& ec) { udp_on_readable(ec); });
}

void bench_client::udp_on_readable(const boost::system::error_code& ec) {
  udp_->wait_pending = false;
  if (state_ == state::closed) return udp_release(); // our own close
  if (ec) return fail("UDP read: " + ec.message());
  auto& counts = udp_wire::run_counters();
  char* buf = udp_thread_read_buffer();
  for (int i = 0; i < udp_reads_per_wakeup; ++i) {
    auto got = read_with_arrival(udp_->socket.native_handle(), buf, udp_read_buffer_size);
    if (got.bytes < 0 && (got.error == EAGAIN || got.error == EWOULDBLOCK)) break;
    if (got.bytes < 0) {
      if (got.error == ECONNREFUSED)
        return fail(udp_->has_cookie ? "the server is gone (UDP port unreachable)"
                                     : "connection refused: nothing takes UDP there");
      return fail(std::string{"UDP read: "} + strerror(got.error));
    }
    counts.datagrams_in.fetch_add(1, std::memory_order_relaxed);
    counts.bytes_in.fetch_add(static_cast<uint64_t>(got.bytes), std::memory_order_relaxed);
    if (got.dropped && *got.dropped != udp_->socket_drops) {
      counts.socket_drops.fetch_add(*got.dropped - udp_->socket_drops, std::memory_order_relaxed);
      udp_->socket_drops = *got.dropped;
    }
    if (got.truncated) {
      counts.truncated.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    // Latency ends when the datagram reached our socket, as for TCP.
    auto arrived = steady_now_ns() - got.queued_ns;
    if (!udp_take(buf, static_cast<std::size_t>(got.bytes), arrived)) return;
  }
  if (state_ == state::closed) return udp_release();
  udp_wait();
}

bool bench_client::udp_take(const char* data, std::size_t n, uint64_t arrived_ns) {
  auto& counts = udp_wire::run_counters();
  udp::datagram_limits limits{udp::max_max_datagram, default_max_frame};
  auto decoded = udp::decode_datagram({data, n}, limits);
  auto* d = std::get_if<udp::datagram>(&decoded);
  if (d == nullptr) {
    counts.malformed.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  if (d->kind == udp::datagram_kind::cookie) {
    if (!udp_->has_cookie) {
      // One that echoes no nonce of ours is not the server's answer: dropped.
      if (std::find(udp_->nonces.begin(), udp_->nonces.end(), d->echo) == udp_->nonces.end())
        return true;
      udp_->has_cookie = true;
      udp_->cookie = d->cookie;
      udp_->prefix = udp::encode_data_prefix(d->cookie);
      counts.cookies.fetch_add(1, std::memory_order_relaxed);
      udp_->timer.cancel();
      if (sender_) { // from now on the timer checks the sender's window
        udp_->timer.expires_after(udp_stall_check);
        udp_->timer.async_wait([this](const boost::system::error_code& e) { udp_on_timer(e); });
      }
      bench_stats::this_thread_shard().add(counter::connected);
      send_login(); // HELLO (v2), LOGIN, JOIN: in one DATA
      return state_ != state::closed;
    }
    // A fresh COOKIE for our session's: the server no longer knows it.
    if (std::equal(d->echo.begin(), d->echo.end(), udp_->cookie.end() - udp::nonce_size)) {
      fail("the server no longer knows this UDP session");
      return false;
    }
    return true;
  }
  if (!udp_->has_cookie ||
      CRYPTO_memcmp(d->cookie.data(), udp_->cookie.data(), udp_->cookie.size()) != 0) {
    counts.wrong_cookie.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  if (d->kind == udp::datagram_kind::close) {
    counts.closed_by_server.fetch_add(1, std::memory_order_relaxed);
    udp_->close_said = true; // the session is over: no CLOSE of ours
    fail("the server closed the UDP session");
    return false;
  }
  if (d->kind != udp::datagram_kind::data) return true;
  counts.data_in.fetch_add(1, std::memory_order_relaxed);
  uint64_t frames = 0, parts = 0;
  for (auto rest = d->frames; !rest.empty(); ++frames)
    if (udp::take_frame(rest).type == v2::part_type) ++parts;
  counts.frames_in.fetch_add(frames, std::memory_order_relaxed);
  if (parts > 0) counts.part_frames.fetch_add(parts, std::memory_order_relaxed);
  // Whole frames (decode_datagram checked them), so the decoder never holds a partial one; a
  // PART frame is `other` to the framing, and ignored.
  bool intact = framing_.feed(d->frames.data(), d->frames.size(),
                              [this, arrived_ns](inbound_kind kind, std::string_view payload) {
                                if (state_ != state::closed) on_frame(kind, payload, arrived_ns);
                              });
  if (state_ == state::closed) return false;
  if (!intact) {
    fail("bad frame from the server");
    return false;
  }
  if (own_returned_) {
    own_returned_ = false;
    pump();
  }
  return true;
}

// Everything in out_ goes now, as many DATAs as it takes, one sendmsg each; nothing waits.
// Before the COOKIE nothing is queued (the login goes once it is in).
void bench_client::udp_flush() {
  if (state_ == state::closed || !udp_->has_cookie) return out_.clear();
  auto& counts = udp_wire::run_counters();
  const std::size_t room = plan_.udp_max_datagram - udp::data_prefix_size;
  std::string_view rest{out_.data(), out_.size()};
  while (!rest.empty()) {
    auto n = udp_wire::next_datagram(rest, room);
    if (n == 0) {
      out_.clear();
      return fail("a frame larger than a datagram: chat-bench sends no PART frames");
    }
    udp::set_sequence(udp_->prefix, udp_->next_datagram++);
    std::array<iovec, 2> pieces{iovec{udp_->prefix.data(), udp_->prefix.size()},
                                iovec{const_cast<char*>(rest.data()), n}};
    msghdr m{};
    m.msg_iov = pieces.data();
    m.msg_iovlen = pieces.size();
    auto sent = ::sendmsg(udp_->socket.native_handle(), &m, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent < 0 && errno == ECONNREFUSED) {
      out_.clear();
      return fail("the server is gone (UDP port unreachable)");
    }
    if (sent < 0) { // the socket's send buffer is full: lost here, counted as lost
      counts.send_dropped.fetch_add(1, std::memory_order_relaxed);
    } else {
      counts.datagrams_out.fetch_add(1, std::memory_order_relaxed);
      counts.bytes_out.fetch_add(static_cast<uint64_t>(sent), std::memory_order_relaxed);
    }
    rest.remove_prefix(n);
  }
  out_.clear();
}

// Our CLOSE, once, so that the server frees the session now rather than at its idle timeout;
// then the socket closes once no wait is pending on it (shutdown ends the wait: see
// release_socket).
void bench_client::udp_release() {
  boost::system::error_code ignored;
  udp_->timer.cancel();
  if (udp_->has_cookie && !udp_->close_said) {
    udp_->close_said = true;
    auto bye = udp::encode_close(udp_->cookie);
    if (::send(udp_->socket.native_handle(), bye.data(), bye.size(), MSG_DONTWAIT | MSG_NOSIGNAL) >
        0) {
      auto& counts = udp_wire::run_counters();
      counts.datagrams_out.fetch_add(1, std::memory_order_relaxed);
      counts.bytes_out.fetch_add(bye.size(), std::memory_order_relaxed);
    }
  }
  if (udp_->wait_pending) {
    ::shutdown(udp_->socket.native_handle(), SHUT_RD); // wakes the wait; its handler comes back
    return;
  }
  udp_->socket.close(ignored);
}

} // namespace chat::bench
