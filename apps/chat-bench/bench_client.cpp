#include "apps/chat-bench/bench_client.hpp"

#include "apps/chat-bench/bench_tls.hpp" // tls_ is made and destroyed here
#include "apps/chat-bench/large_message.hpp"
#include "apps/chat-bench/loopback.hpp"
#include "apps/chat-bench/socket_arrival.hpp"
#include "apps/chat-bench/stamp.hpp"
#include "apps/chat-bench/v2_load.hpp"

#include <netinet/in.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace chat::bench {

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Reads per readiness notification before other clients on this thread get a turn.
constexpr int max_reads_per_wakeup = 16;
constexpr std::size_t read_buffer_size = 64 * 1024;

// Shared by every client this thread serves: an idle client holds no read buffer.
char* this_thread_read_buffer() {
  thread_local std::array<char, read_buffer_size> buffer;
  return buffer.data();
}

stats_shard& shard() {
  return bench_stats::this_thread_shard();
}

} // namespace

bench_client::bench_client(asio::any_io_executor executor, const bench_plan& plan, run_state& run,
                           std::size_t index)
    : executor_(std::move(executor)), socket_(executor_), plan_(plan), run_(run),
      framing_(plan.framing), index_(static_cast<uint32_t>(index)),
      server_(static_cast<uint32_t>(server_of(index, plan.servers.size()))),
      channel_(static_cast<uint32_t>(plan.channels > 0 ? channel_of(index, plan.channels) : 0)),
      seen_(plan.channels > 0 ? round_robin_share(channel_, plan.senders, plan.channels)
                              : plan.senders) {
  if (index < plan.senders) {
    sender_ = std::make_unique<sender_part>();
    sender_->id = index_;
    sender_->text.assign(plan.payload, stamp_padding);
  }
  if (plan.large()) {
    large_ = std::make_unique<large_part>();
    if (index == large_sender) large_->text = *plan.large_text;
  }
}

bench_client::~bench_client() = default;

// -- connecting and logging in -----------------------------------------------------------------

void bench_client::start_connect() {
  if (state_ != state::idle) return;
  state_ = state::connecting;
  if (plan_.udp) return udp_start(); // bench_client_udp.cpp
  if (!open_socket()) return;
  connect_pending_ = true;
  socket_.async_connect(plan_.servers[server_], [this](const auto& ec) { on_connected(ec); });
}

bool bench_client::open_socket() {
  boost::system::error_code ec;
  socket_.open(tcp::v4(), ec);
  if (!ec && plan_.source_addresses > 1) {
    // Leave the port to connect(), which may reuse it towards another destination; a bind with
    // port 0 alone would reserve one port of the address's ephemeral range per socket.
    int on = 1;
    ::setsockopt(socket_.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on, sizeof on);
    socket_.bind(tcp::endpoint{source_address(index_, plan_.source_addresses), 0}, ec);
  }
  if (ec) fail("socket: " + ec.message());
  return !ec;
}

void bench_client::on_connected(const boost::system::error_code& ec) {
  connect_pending_ = false;
  if (state_ == state::closed) return release_socket(); // given up meanwhile
  if (ec) return fail("connect: " + ec.message());
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay{true}, ignored);
  socket_.non_blocking(true, ignored); // reads happen only after readiness
  enable_arrival_stamps(socket_.native_handle());
  if (plan_.websocket) return ws_handshake(); // counted as connected once upgraded
  shard().add(counter::connected);
  if (plan_.tls) {
    if (!tls_start()) return; // logs in once the handshake is done
  } else if (framing_.has_login()) {
    send_login();
  } else {
    logged_in();
  }
  wait_readable();
}

// Version 2 pipelines HELLO, LOGIN and JOIN in one write: the server handles a client's frames
// in order and holds the JOIN until the LOGIN is answered (docs/PROTOCOL.md "Ordering").
void bench_client::send_login() {
  state_ = state::logging_in;
  if (plan_.v2()) framing_.encode_hello(out_, plan_.hello_version());
  framing_.encode_login(out_, plan_.name_prefix + std::to_string(index_));
  if (plan_.channels > 0) framing_.encode_join(out_, 0, plan_.channel_names[channel_]);
  flush();
}

void bench_client::logged_in() {
  shard().add(counter::logged_in);
  shard().add(node_counter::logged_in, server_);
  if (plan_.channels > 0)
    state_ = state::joining; // the JOIN is on its way already
  else
    become_ready();
}

// From here the client is owed every broadcast (v1), its channel's MSGs, or DMs.
void bench_client::become_ready() {
  state_ = state::ready;
  run_.mark_settled(steady_now_ns());
  run_.add_receiver(server_, 1);
  if (plan_.channels > 0) {
    run_.add_member(channel_, server_, 1);
    shard().add(counter::joined);
    shard().add(channel_counter::joined, channel_);
  }
}

void bench_client::give_up() {
  if (state_ == state::connecting || state_ == state::idle)
    fail("connect: not connected when the connect phase ended");
  else if (state_ == state::handshaking)
    fail("TLS handshake: not done when the connect phase ended");
  else if (state_ == state::logging_in)
    fail("login: no answer when the connect phase ended");
  else if (state_ == state::joining)
    fail("join: no answer when the connect phase ended");
}

void bench_client::fail(std::string_view why) {
  if (state_ != state::ready && state_ != state::closed) run_.mark_settled(steady_now_ns());
  switch (state_) {
  case state::idle:
  case state::connecting:
    shard().add(counter::connect_failed);
    run_.note_failure("connect failed", why);
    break;
  case state::handshaking:
    shard().add(counter::handshake_failed);
    run_.mark_handshake_end(steady_now_ns());
    run_.note_failure("TLS handshake failed", why);
    break;
  case state::logging_in:
    shard().add(counter::login_failed);
    run_.note_failure("login failed", why);
    break;
  case state::joining:
    shard().add(counter::join_failed);
    run_.note_failure("join failed", why);
    break;
  case state::ready:
    shard().add(counter::closed_by_server);
    run_.note_failure("connection lost", why);
    run_.add_receiver(server_, -1);
    if (plan_.channels > 0) run_.add_member(channel_, server_, -1);
    break;
  case state::closed:
    return;
  }
  close();
}

void bench_client::close() {
  if (state_ == state::closed) return;
  state_ = state::closed;
  if (sender_ && sender_->ticker) sender_->ticker->cancel(); // timers need no cancel request
  if (large_ && large_->ticker) large_->ticker->cancel();
  release_socket();
}

void bench_client::release_socket() {
  if (udp_) return udp_release(); // --transport=udp: the TCP socket was never opened
  if (ws_ && !connect_pending_ && !wait_pending_ && !write_busy_) ws_.reset();
  boost::system::error_code ignored;
  if (connect_pending_ || wait_pending_ || write_busy_) {
    // Ends a pending wait (readable: EOF) or write (EPIPE); its handler comes back here.
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    return;
  }
  socket_.close(ignored);
}

// -- read side ---------------------------------------------------------------------------------

void bench_client::wait_readable() {
  wait_pending_ = true;
  socket_.async_wait(tcp::socket::wait_read, [this](const auto& ec) { on_readable(ec); });
}

void bench_client::on_readable(const boost::system::error_code& ec) {
  wait_pending_ = false;
  if (state_ == state::closed) return release_socket(); // our own close
  if (ec) return fail("read: " + ec.message());
  if (read_available()) wait_readable();
}

bool bench_client::read_available() {
  char* buf = this_thread_read_buffer();
  for (int i = 0; i < max_reads_per_wakeup; ++i) {
    auto got = read_with_arrival(socket_.native_handle(), buf, read_buffer_size);
    if (got.bytes < 0 && (got.error == EAGAIN || got.error == EWOULDBLOCK)) return true;
    if (got.bytes <= 0) {
      fail(got.bytes == 0 ? "closed by the server" : std::string{"read: "} + strerror(got.error));
      return false;
    }
    auto n = static_cast<std::size_t>(got.bytes);
    // Latency ends when the bytes reached our socket, not when this thread came to read them
    // (with --tls: when the record's last bytes did, before it is decrypted).
    auto arrived = steady_now_ns() - got.queued_ns;
    if (tls_ ? !tls_receive(buf, n, read_buffer_size, arrived) : !take_bytes(buf, n, arrived))
      return false;
    if (n < read_buffer_size) return true; // drained the socket's receive queue
  }
  return true;
}

bool bench_client::take_bytes(const char* data, std::size_t n, uint64_t arrived_ns) {
  bool intact =
      framing_.feed(data, n, [this, arrived_ns](inbound_kind kind, std::string_view payload) {
        if (state_ != state::closed) on_frame(kind, payload, arrived_ns);
      });
  if (state_ == state::closed) return false;
  if (!intact) {
    fail("bad frame length from the server");
    return false;
  }
  if (own_returned_) {
    own_returned_ = false;
    pump();
  }
  return true;
}

} // namespace chat::bench
