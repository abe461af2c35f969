#include "transport/tcp_connection.hpp"

#include "messages/counters.hpp"
#include "transport/buffer_pool.hpp"
#include "transport/kernel_backlog.hpp"
#include "transport/steady_now.hpp"

#include <spdlog/spdlog.h>

#include <netinet/tcp.h>
#include <unistd.h>

#include <sstream>
#include <stdexcept>

namespace chat::transport {

namespace {

// Reads per readiness notification before yielding to other connections on this thread.
constexpr int max_reads_per_wakeup = 16;

// How many close timeouts a slow consumer's ERROR may take to leave: 15 s by default, enough
// for the kernel's 32 KiB at 2 KB/s.
constexpr int slow_consumer_linger_factor = 3;

std::string to_string(const tcp::endpoint& ep) {
  std::ostringstream out;
  out << ep;
  return out.str();
}

// A connection lives on an io_context's loop (io_loop), whose ready_writers it uses.
asio::io_context& loop_of(tcp::socket& socket) {
  auto* loop = socket.get_executor().target<asio::io_context::executor_type>();
  if (!loop) throw std::logic_error("tcp_connection: the socket's executor is not an io_context's");
  return loop->context();
}

} // namespace

// The same descriptor, registered again with the loop under the loop's own executor type.
tcp_connection::socket_type tcp_connection::on_own_loop(tcp::socket socket) {
  auto& loop = loop_of(socket);
  if (!socket.is_open()) return socket_type{loop};
  boost::system::error_code ec;
  auto protocol = socket.local_endpoint(ec).protocol();
  if (ec) protocol = tcp::v4();
  auto fd = socket.release(ec);
  if (ec) throw boost::system::system_error(ec, "tcp_connection: release");
  try {
    return socket_type{loop, protocol, fd};
  } catch (...) { // not registered again (out of memory): the descriptor is ours to close
    ::close(fd);
    throw;
  }
}

tcp_connection::tcp_connection(tcp::socket socket, const connection_limits& limits,
                               std::shared_ptr<outbound_pressure> pressure,
                               std::optional<frame> slow_consumer_notice)
    : tcp_connection(on_own_loop(std::move(socket)), limits, std::move(pressure),
                     std::move(slow_consumer_notice)) {}

tcp_connection::tcp_connection(socket_type socket, const connection_limits& limits,
                               std::shared_ptr<outbound_pressure> pressure,
                               std::optional<frame> slow_consumer_notice)
    : socket_(std::move(socket)), writers_(&ready_writers::of(socket_.get_executor().context())),
      limits_(limits), decoder_(limits.max_frame), pressure_(std::move(pressure)),
      slow_consumer_notice_(std::move(slow_consumer_notice)), last_read_ns_(steady_now_ns()),
      policy_(kernel_policy_limits(limits.max_outbound_bytes)) {
  boost::system::error_code ec;
  peer_ = socket_.remote_endpoint(ec);
  socket_.set_option(tcp::no_delay{true}, ec); // chat lines are small and latency-bound
  cap_kernel_unsent(socket_);
  socket_.non_blocking(true, ec); // reads happen only after readiness
  native_fd_ = socket_.native_handle();
}

tcp_connection::~tcp_connection() = default;

void tcp_connection::secure(std::unique_ptr<tls_session> tls,
                            std::optional<frame> plain_text_refusal) {
  tls_ = std::make_unique<tls_side>();
  tls_->session = std::move(tls);
  tls_->plain_text_refusal = std::move(plain_text_refusal);
}

void tcp_connection::start(connection_owner owner, std::shared_ptr<close_watcher> watcher) {
  owner_ = std::move(owner);
  watcher_ = std::move(watcher);
  asio::dispatch(loop(), [self = shared_from_this()] {
    if (self->tls_) {
      self->arm_handshake_timer();
      if (self->tls_->session->start() == tls_session::status::failed)
        return self->finish(self->tls_->session->error());
      self->flush(); // a client's ClientHello
    }
    self->wait_readable();
  });
}

std::string tcp_connection::peer() const {
  return to_string(peer_);
}

// -- read side ---------------------------------------------------------------------------------

void tcp_connection::wait_readable() {
  read_ = read_state::waiting;
  // Completes on the socket's executor, the connection's loop, so no executor is bound; its
  // memory is the connection's own room: an idle connection keeps this wait pending and nothing
  // else (transport/wait_memory.hpp).
  socket_.async_wait(
      socket_type::wait_read,
      asio::bind_allocator(wait_allocator<void>{wait_memory_},
                           [self = shared_from_this()](auto ec) { self->on_readable(ec); }));
}

void tcp_connection::read_and_wait() {
  read_ = read_state::reading;
  auto next = read_available();
  if (next == read_state::waiting && !finished_)
    wait_readable();
  else
    read_ = finished_ ? read_state::ended : next;
}

void tcp_connection::on_readable(const boost::system::error_code& ec) {
  read_ = read_state::ended;
  if (finished_) return close_when_idle(); // our own close; the owner was told already
  if (ec) return finish("read failed: " + ec.message());
  read_and_wait();
}

tcp_connection::read_state tcp_connection::read_available() {
  auto buf = this_thread_read_buffer();
  for (int i = 0; i < max_reads_per_wakeup; ++i) {
    if (!may_read()) return read_state::parked;
    boost::system::error_code ec;
    auto n = socket_.read_some(asio::buffer(buf.data, buf.size), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return read_state::waiting;
    if (ec == asio::error::eof) {
      finish(decoder_.mid_frame() ? "peer closed mid-frame" : "peer closed");
      return read_state::ended;
    }
    if (ec) {
      finish("read failed: " + ec.message());
      return read_state::ended;
    }
    auto before = bytes_in_.load(std::memory_order_relaxed); // the loop alone writes it
    bytes_in_.store(before + n, std::memory_order_relaxed);
    bool first = before == 0;
    counters::add(counters::total::bytes_in, n);
    last_read_ns_.store(steady_now_ns(), std::memory_order_relaxed);
    if (tls_) {
      // A TLS record starts with its content type; a handshake's first is 22 (0x16).
      if (first && tls_->plain_text_refusal && buf.data[0] != 0x16) {
        refuse_plain_text();
        return read_state::ended;
      }
      if (!receive_tls(buf.data, n)) return read_state::ended;
    } else if (!decode(buf.data, n)) {
      return read_state::ended; // the owner answers the violation and closes
    }
    if (unhandled_.load(std::memory_order_acquire) >= limits_.max_unhandled_frames)
      holds_.hold(read_holds::owner_behind);      // frame_done() lifts it once the owner caught up
    if (n < buf.size) return read_state::waiting; // drained the socket's receive queue
  }
  return read_state::waiting;
}

bool tcp_connection::decode(const char* data, std::size_t n) {
  auto err = decoder_.feed(data, n, [this](uint8_t type, std::string_view payload) {
    counters::frame_in(type);
    unhandled_.fetch_add(1, std::memory_order_relaxed);
    caf::anon_send(owner_, received_atom_v, inbound_frame{type, std::string{payload}});
  });
  if (err == decode_error::none) return true;
  // Stop reading for good (no resync); the owner answers with ERROR and closes.
  caf::anon_send(owner_, violated_atom_v, std::string{chat::to_string(err)});
  return false;
}

// Two reasons park reading: the owner has too many frames unhandled, or some connection of the
// listener presses (receivers are behind, so take no more from senders). Each reason resumes
// on its own; reading restarts when neither holds.
bool tcp_connection::may_read() {
  if (!holds_.any() && pressure_ && pressure_->pressed() &&
      pressure_->defer([weak = weak_from_this()] {
        if (auto self = weak.lock())
          asio::post(self->loop(), [self] { self->lift(read_holds::receivers_behind); });
      }))
    holds_.hold(read_holds::receivers_behind);
  return !holds_.any();
}

void tcp_connection::frame_done() {
  auto resume_at = limits_.max_unhandled_frames / 2;
  if (unhandled_.fetch_sub(1, std::memory_order_acq_rel) == resume_at + 1)
    asio::post(loop(), [self = shared_from_this()] { self->lift(read_holds::owner_behind); });
}

void tcp_connection::lift(read_holds::reason r) {
  if (holds_.lift(r) && read_ == read_state::parked) read_and_wait();
}

connection::traffic tcp_connection::counters() const {
  return {bytes_in_.load(std::memory_order_relaxed), bytes_out_.load(std::memory_order_relaxed)};
}

// -- closing -----------------------------------------------------------------------------------

void tcp_connection::close() {
  bool idle = false;
  {
    std::lock_guard<std::mutex> guard{out_mutex_};
    if (ending_ != ending::open) return;
    ending_ = ending::closing;
    idle = !out_.writing();
  }
  asio::post(loop(), [self = shared_from_this(), idle] {
    if (idle)
      self->finish("closed");
    else
      self->arm_close_timer(ending::closing); // flush() finishes once the queue drains
  });
}

void tcp_connection::abort(std::string reason) {
  {
    std::lock_guard<std::mutex> guard{out_mutex_};
    if (ending_ == ending::open) ending_ = ending::closing;
  }
  asio::post(loop(), [self = shared_from_this(), reason = std::move(reason)]() mutable {
    self->finish(std::move(reason));
  });
}

void tcp_connection::arm_close_timer(ending why) {
  if (finished_ || close_timer_) return;
  bool cut = why == ending::cut;
  // A cut connection's peer reads slowly by definition: what the kernel holds (up to
  // kernel_unsent_cap) must go before the ERROR does.
  auto timeout = cut ? slow_consumer_linger_factor * limits_.close_timeout : limits_.close_timeout;
  close_timer_ = std::make_unique<asio::steady_timer>(loop(), timeout);
  close_timer_->async_wait([self = shared_from_this(), cut](auto ec) {
    if (ec) return;
    self->finish(cut ? self->slow_consumer_reason() + "; its ERROR was not taken either"
                     : "close timed out with data still queued");
  });
}

void tcp_connection::close_when_idle() {
  if (read_ == read_state::waiting || write_ == write_state::writing || !socket_.is_open()) return;
  boost::system::error_code ignored;
  socket_.close(ignored);
}

void tcp_connection::tell_owner(std::string reason) {
  if (!owner_) return;
  caf::anon_send(owner_, closed_atom_v, std::move(reason));
  owner_ = nullptr;
}

void tcp_connection::finish(std::string reason) {
  if (finished_) return;
  finished_ = true;
  // A side with I/O pending ends when it completes; the others end now.
  if (read_ != read_state::waiting) read_ = read_state::ended;
  // shutdown() alone ends a pending wait or write (readable with EOF, or EPIPE): the socket is
  // closed in close_when_idle() once no operation is pending on it. Closing a socket with an
  // operation pending is what Asio 1.26's io_uring backend (Boost 1.81) gets wrong: its cancel
  // can complete another socket's operation instead (fixed upstream in Asio 1.27).
  {
    std::lock_guard<std::mutex> guard{out_mutex_}; // first: see kernel_unsent()
    if (ending_ == ending::open) ending_ = ending::closing;
    out_.drop_waiting();
    policy_.stop_pressing();
    set_pressing(false);
  }
  // Best effort: the peer may have stopped reading.
  if (tls_ && tls_->session->established() && write_ == write_state::idle) {
    tls_->session->close_notify();
    std::string notify;
    tls_->session->take_output(notify);
    send_now(notify);
  }
  if (write_ == write_state::idle) write_ = write_state::ended;
  boost::system::error_code ignored;
  socket_.shutdown(socket_type::shutdown_both, ignored);
  close_when_idle();
  if (close_timer_) close_timer_->cancel();
  if (watch_timer_) watch_timer_->cancel();
  if (tls_ && tls_->handshake_timer) tls_->handshake_timer->cancel();
  spdlog::debug("connection closed: peer={} reason=\"{}\" bytes_in={} bytes_out={}", peer(), reason,
                bytes_in_.load(), bytes_out_.load());
  tell_owner(std::move(reason));
  if (watcher_) {
    auto watcher = std::move(watcher_);
    watcher->closed(*this);
  }
}

} // namespace chat::transport
