// udp_endpoint.cpp -- the socket's life: binding, the receive loop, the timers (cookie secret
// rotation, the idle sweep), sending, and stopping. What one datagram means is
// udp_endpoint_peers.cpp's.
#include "transport/udp_endpoint.hpp"
#include "transport/idle_rule.hpp"

#include "messages/counters.hpp"
#include "transport/steady_now.hpp"

#include <spdlog/spdlog.h>

#include <sys/socket.h>

#include <algorithm>
#include <stdexcept>

namespace chat::transport {

namespace {

using namespace std::chrono_literals;

// Datagrams read per readiness notification before other handlers of this thread get a turn.
constexpr int udp_reads_per_wakeup = 64;

// What the kernel may hold for the receive loop (it caps this at net.core.rmem_max): a burst of
// datagrams waits there instead of being dropped while the loop is busy.
constexpr int udp_receive_buffer = 4 << 20;

// The options as the endpoint runs them, checked before anything is sized from them.
udp_options udp_checked(udp_options o) {
  if (o.max_datagram < udp::min_max_datagram || o.max_datagram > udp::max_max_datagram)
    throw std::invalid_argument("the UDP datagram bound must be between " +
                                std::to_string(udp::min_max_datagram) + " and " +
                                std::to_string(udp::max_max_datagram) + " bytes");
  // A timer of no period would spin; a second is the cookies' own resolution.
  o.cookies.rotation = std::max(o.cookies.rotation, std::chrono::seconds{1});
  return o;
}

} // namespace

std::size_t udp_peer_hash::operator()(const udp::peer& p) const {
  // FNV-1a over the address and port. Only verified peers are keyed (at most --max-connections of
  // them), so a forger cannot fill a bucket with addresses it does not receive at.
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](uint8_t byte) { h = (h ^ byte) * 1099511628211ull; };
  for (std::size_t i = 0; i < p.address_size; ++i)
    mix(p.address[i]);
  mix(static_cast<uint8_t>(p.port >> 8));
  mix(static_cast<uint8_t>(p.port));
  return static_cast<std::size_t>(h);
}

udp_endpoint::udp_endpoint(asio::io_context& ioc, const asio::ip::udp::endpoint& where,
                           const connection_limits& limits, listener_policy policy,
                           udp_options options, accept_callback on_accept)
    : ioc_(ioc), strand_(asio::make_strand(ioc)), socket_(ioc), limits_(limits),
      policy_(std::move(policy)),
      options_(udp_checked(std::move(options))), datagram_limits_{options_.max_datagram,
                                                                  limits.max_frame},
      on_accept_(std::move(on_accept)), jar_(udp::cookie_clock::now(), options_.cookies),
      buffer_(options_.max_datagram + 1), rotate_timer_(strand_), sweep_timer_(strand_) {
  socket_.open(where.protocol());
  socket_.bind(where);
  boost::system::error_code ignored;
  socket_.set_option(asio::socket_base::receive_buffer_size{udp_receive_buffer}, ignored);
  socket_.non_blocking(true); // reads happen only after readiness; sends never wait
  local_ = socket_.local_endpoint();
  native_fd_ = socket_.native_handle();
}

udp_endpoint::~udp_endpoint() = default;

void udp_endpoint::start() {
  asio::dispatch(strand_, [self = shared_from_this()] {
    self->wait_readable();
    self->rotate_timer_.expires_after(self->options_.cookies.rotation);
    self->rotate_timer_.async_wait([self](auto ec) {
      if (!ec) self->rotate();
    });
    self->sweep();
  });
}

// -- receive loop ------------------------------------------------------------------------------

// As tcp_connection: wait for readability without a buffer, then read what is there. The one
// buffer is the endpoint's: every datagram is handled before the next is read.
void udp_endpoint::wait_readable() {
  waiting_ = true;
  socket_.async_wait(asio::ip::udp::socket::wait_read,
                     asio::bind_executor(
                         strand_, [self = shared_from_this()](auto ec) { self->on_readable(ec); }));
}

void udp_endpoint::on_readable(const boost::system::error_code& ec) {
  waiting_ = false;
  if (stopping_ || ec == asio::error::operation_aborted) return;
  if (ec) spdlog::warn("udp: waiting for datagrams failed: {}", ec.message());
  for (int i = 0; i < udp_reads_per_wakeup && !ec; ++i) {
    asio::ip::udp::endpoint from;
    boost::system::error_code read_ec;
    auto n = socket_.receive_from(asio::buffer(buffer_), from, 0, read_ec);
    if (read_ec == asio::error::would_block || read_ec == asio::error::try_again) break;
    if (read_ec) { // a pending socket error is reported once and consumed; read on
      spdlog::debug("udp: receive failed: {}", read_ec.message());
      continue;
    }
    stats_.datagrams_in.fetch_add(1, udp_stats::relaxed);
    on_datagram({buffer_.data(), n}, from);
  }
  wait_readable();
}

// A secret lives two periods: every cookie within its lifetime still verifies, older ones expire.
void udp_endpoint::rotate() {
  if (stopping_) return;
  jar_.rotate(udp::cookie_clock::now());
  rotate_timer_.expires_after(options_.cookies.rotation);
  rotate_timer_.async_wait([self = shared_from_this()](auto ec) {
    if (!ec) self->rotate();
  });
}

// listener::sweep's rule (idle_rule.hpp) for every session: a PING after idle_interval of
// silence, the farewell (ERROR "idle timeout") and a close after idle_timeout. One timer for all
// sessions.
void udp_endpoint::sweep() {
  if (stopping_) return;
  auto now = steady_now_ns();
  for_each_open([&](udp_connection& c) { apply_idle_rule(c, now, policy_); });
  sweep_timer_.expires_after(idle_sweep_period(policy_));
  sweep_timer_.async_wait([self = shared_from_this()](auto ec) {
    if (!ec) self->sweep();
  });
}

// -- stopping ----------------------------------------------------------------------------------

// The socket is closed only by the destructor, once no operation is pending on it (Asio 1.26's
// io_uring backend mishandles a close with one pending: see tcp_connection::finish). shutdown()
// ends the pending wait: on Linux it marks even an unconnected UDP socket's receive side shut
// and wakes its waiters, though it reports ENOTCONN.
void udp_endpoint::stop(std::optional<frame> farewell) {
  asio::post(strand_, [self = shared_from_this(), farewell] {
    if (self->stopping_) return;
    self->stopping_ = true;
    if (self->waiting_) ::shutdown(self->native_fd_, SHUT_RD);
    self->rotate_timer_.cancel();
    self->sweep_timer_.cancel();
    self->for_each_open([&farewell](udp_connection& c) {
      if (farewell) c.send(*farewell);
      c.close();
    });
  });
}

void udp_endpoint::abort_all(const std::string& reason) {
  for_each_open([&reason](udp_connection& c) { c.abort(reason); });
}

std::size_t udp_endpoint::open_connections() const {
  std::lock_guard<std::mutex> guard{peers_mutex_};
  return peers_.size();
}

template <class F> void udp_endpoint::for_each_open(F f) {
  std::vector<std::shared_ptr<udp_connection>> open; // act outside the lock
  {
    std::lock_guard<std::mutex> guard{peers_mutex_};
    open.reserve(peers_.size());
    for (auto& entry : peers_)
      open.push_back(entry.second);
  }
  for (auto& c : open)
    f(*c);
}

// -- for the connections -----------------------------------------------------------------------

// sendmsg straight on the descriptor, from whichever strand sends: the kernel takes each
// datagram whole, so senders on several threads need no lock, and nothing waits for an
// operation to complete (no buffer is held in flight, no completion can outlive the socket).
bool udp_endpoint::send_datagram(const asio::ip::udp::endpoint& to, const iovec* parts,
                                 std::size_t count) {
  msghdr m{};
  m.msg_name = const_cast<sockaddr*>(to.data());
  m.msg_namelen = static_cast<socklen_t>(to.size());
  m.msg_iov = const_cast<iovec*>(parts);
  m.msg_iovlen = count;
  auto n = ::sendmsg(native_fd_, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (n < 0) {
    stats_.count(udp_drop::send_refused);
    return false;
  }
  stats_.datagrams_out.fetch_add(1, udp_stats::relaxed);
  counters::add(counters::total::bytes_out, static_cast<uint64_t>(n));
  return true;
}

void udp_endpoint::forget(const udp_connection& c) {
  std::lock_guard<std::mutex> guard{peers_mutex_};
  auto it = peers_.find(c.identity());
  if (it != peers_.end() && it->second.get() == &c) peers_.erase(it);
}

std::shared_ptr<udp_connection> udp_endpoint::find(const udp::peer& who) const {
  std::lock_guard<std::mutex> guard{peers_mutex_};
  auto it = peers_.find(who);
  return it == peers_.end() ? nullptr : it->second;
}

} // namespace chat::transport
