// udp_connection.cpp -- one verified peer: frames in from the endpoint's receive loop, frames out
// packed into DATA datagrams on the connection's own strand, and the ways a session ends.
#include "transport/udp_connection.hpp"

#include "messages/counters.hpp"
#include "transport/steady_now.hpp"
#include "transport/udp_endpoint.hpp"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <array>
#include <limits>
#include <sstream>

namespace chat::transport {

namespace {

std::string udp_peer_text(const asio::ip::udp::endpoint& address) {
  std::ostringstream out;
  out << address << "/udp";
  return out.str();
}

} // namespace

udp_connection::udp_connection(std::shared_ptr<udp_endpoint> endpoint,
                               const asio::ip::udp::endpoint& address, const udp::peer& identity,
                               const udp::cookie& cookie, std::shared_ptr<connection_slots> slots,
                               const udp_connection_limits& limits)
    : endpoint_(std::move(endpoint)), address_(address), identity_(identity), cookie_(cookie),
      peer_text_(udp_peer_text(address)), slots_(std::move(slots)), limits_(limits),
      strand_(asio::make_strand(endpoint_->context())), last_read_ns_(steady_now_ns()),
      packer_(cookie, limits.max_datagram, limits.max_message) {}

udp_connection::~udp_connection() {
  // Every end goes through finish(), which needs the connection alive on its strand; a
  // connection dropped without one (its owner never took it) still gives its slot back.
  if (slot_held_.exchange(false)) slots_->give_back();
}

void udp_connection::start(connection_owner owner) {
  std::lock_guard<std::mutex> guard{owner_mutex_};
  owner_ = std::move(owner);
}

std::string udp_connection::peer() const {
  return peer_text_;
}

connection::traffic udp_connection::counters() const {
  return {bytes_in_.load(std::memory_order_relaxed), bytes_out_.load(std::memory_order_relaxed)};
}

bool udp_connection::has_cookie(const udp::cookie& c) const {
  return CRYPTO_memcmp(c.data(), cookie_.data(), cookie_.size()) == 0;
}

// -- inbound -----------------------------------------------------------------------------------

bool udp_connection::deliver(std::string_view frames, std::size_t size) {
  last_read_ns_.store(steady_now_ns(), std::memory_order_relaxed);
  bytes_in_.fetch_add(size, std::memory_order_relaxed);
  counters::add(counters::total::bytes_in, size);
  std::size_t count = 0;
  for (auto rest = frames; !rest.empty(); ++count)
    udp::take_frame(rest);
  // A DATA is handled whole or not at all: its frames may depend on each other (HELLO, LOGIN).
  if (unhandled_.load(std::memory_order_acquire) + count > limits_.max_unhandled_frames)
    return false;
  connection_owner owner;
  {
    std::lock_guard<std::mutex> guard{owner_mutex_};
    owner = owner_;
  }
  if (!owner) return true; // the session has ended; its last datagrams go nowhere
  while (!frames.empty()) {
    auto f = udp::take_frame(frames);
    counters::frame_in(f.type);
    unhandled_.fetch_add(1, std::memory_order_relaxed);
    caf::anon_send(owner, received_atom_v, inbound_frame{f.type, std::string{f.payload}});
  }
  return true;
}

void udp_connection::frame_done() {
  unhandled_.fetch_sub(1, std::memory_order_acq_rel);
}

// -- outbound ----------------------------------------------------------------------------------

void udp_connection::send(frame f) {
  enqueue(std::array<frame, 1>{std::move(f)});
}

void udp_connection::send(const frame_batch& batch) {
  enqueue(frames(batch));
}

template <class Frames> void udp_connection::enqueue(const Frames& frames) {
  std::size_t size = 0;
  for (auto& f : frames)
    size += bytes(f).size();
  bool start = false;
  {
    std::lock_guard<std::mutex> guard{out_mutex_};
    if (!open_) return;
    if (queued_bytes_ + size > limits_.max_outbound_bytes) {
      endpoint_->stats().count(udp_drop::send_queue_full);
      return;
    }
    for (auto& f : frames) {
      if (bytes(f).size() >= header_size) counters::frames_out(type_of(f));
      queue_.push_back(f);
    }
    queued_bytes_ += size;
    start = !flush_posted_;
    flush_posted_ = true;
  }
  if (start) asio::post(strand_, [self = shared_from_this()] { self->flush(); });
}

// Everything queued since the last flush goes out now, packed: frames that arrive while the
// strand is busy share datagrams, so a burst costs fewer system calls.
void udp_connection::flush() {
  bool closing = false;
  {
    std::lock_guard<std::mutex> guard{out_mutex_};
    sending_.swap(queue_);
    queued_bytes_ = 0;
    flush_posted_ = false;
    closing = !open_;
  }
  if (!finished_) {
    auto refused = packer_.too_long();
    packer_.pack(sending_, [this](const iovec* pieces, std::size_t count, std::size_t size) {
      if (endpoint_->send_datagram(address_, pieces, count))
        bytes_out_.fetch_add(size, std::memory_order_relaxed);
    });
    // Never from a session, which bounds what it sends by the same --max-message.
    for (; refused < packer_.too_long(); ++refused) {
      spdlog::warn("udp: a frame too long to go in parts was not sent to peer={}", peer_text_);
      endpoint_->stats().count(udp_drop::too_long);
    }
  }
  sending_.clear();
  if (sending_.capacity() > 64) std::vector<frame>{}.swap(sending_); // a burst is not kept
  if (closing) finish("closed", true);
}

// -- ending ------------------------------------------------------------------------------------

void udp_connection::close() {
  bool start = false;
  {
    std::lock_guard<std::mutex> guard{out_mutex_};
    if (!open_) return;
    open_ = false;
    start = !flush_posted_;
    flush_posted_ = true;
  }
  if (start) asio::post(strand_, [self = shared_from_this()] { self->flush(); });
}

void udp_connection::abort(std::string reason) {
  {
    std::lock_guard<std::mutex> guard{out_mutex_};
    open_ = false;
  }
  asio::post(strand_, [self = shared_from_this(), reason = std::move(reason)]() mutable {
    self->finish(std::move(reason), true);
  });
}

void udp_connection::peer_closed() {
  {
    std::lock_guard<std::mutex> guard{out_mutex_};
    open_ = false;
  }
  asio::post(strand_, [self = shared_from_this()] { self->finish("peer closed", false); });
}

bool udp_connection::hand_over_slot() {
  return slot_held_.exchange(false);
}

void udp_connection::end_replaced() {
  {
    std::lock_guard<std::mutex> guard{out_mutex_};
    open_ = false;
  }
  asio::post(strand_,
             [self = shared_from_this()] { self->finish("peer started a new session", false); });
}

void udp_connection::tell_owner(std::string reason) {
  connection_owner owner;
  {
    std::lock_guard<std::mutex> guard{owner_mutex_};
    owner = std::move(owner_);
    owner_ = nullptr;
  }
  if (owner) caf::anon_send(owner, closed_atom_v, std::move(reason));
}

void udp_connection::finish(std::string reason, bool say_close) {
  if (finished_) return;
  finished_ = true;
  {
    std::lock_guard<std::mutex> guard{out_mutex_};
    open_ = false;
    queue_.clear();
    queued_bytes_ = 0;
  }
  if (say_close) {
    auto bye = udp::encode_close(cookie_);
    iovec part{bye.data(), bye.size()};
    if (endpoint_->send_datagram(address_, &part, 1))
      bytes_out_.fetch_add(bye.size(), std::memory_order_relaxed);
  }
  endpoint_->forget(*this);
  if (slot_held_.exchange(false)) slots_->give_back();
  spdlog::debug("connection closed: peer={} reason=\"{}\" bytes_in={} bytes_out={}", peer_text_,
                reason, bytes_in_.load(), bytes_out_.load());
  tell_owner(std::move(reason));
}

} // namespace chat::transport
