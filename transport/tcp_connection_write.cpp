// The write side of tcp_connection: a queue any thread may add to, drained by one write at a
// time on its loop. Small frames are copied into the queue as they are sent, large ones shared
// (queued_frames.hpp); a write is the queue's contiguous pieces, gathered.
#include "messages/counters.hpp"
#include "transport/steady_now.hpp"
#include "transport/tcp_connection.hpp"

#include <algorithm>
#include <array>

namespace chat::transport {

namespace {

// An unwritten tail of buffers_, as a buffer sequence for async_write_some.
struct buffer_span {
  const asio::const_buffer* first;
  const asio::const_buffer* last;
  const asio::const_buffer* begin() const { return first; }
  const asio::const_buffer* end() const { return last; }
};

} // namespace

// -- write side --------------------------------------------------------------------------------

void tcp_connection::send(frame f) {
  enqueue(std::array<frame, 1>{std::move(f)});
}

void tcp_connection::send(const frame_batch& batch) {
  enqueue(frames(batch));
}

template <class Frames> void tcp_connection::enqueue(const Frames& frames) {
  std::size_t size = 0;
  for (auto& f : frames) {
    size += bytes(f).size();
    // A test client may send raw bytes, not a whole frame: only a whole one has a type.
    if (bytes(f).size() >= header_size) counters::frames_out(type_of(f));
  }
  bool start = false;
  {
    std::lock_guard<std::mutex> guard{out_mutex_};
    if (ending_ != ending::open) return;
    if (judge_outbound(size)) return; // cut: ERROR replaced the queue
    start = out_.push(frames, size) == decltype(out_)::pushed::started;
    if (!watching_ && out_.bytes_owed() > limits_.max_outbound_bytes / 4) {
      watching_ = true;
      asio::post(loop(), [self = shared_from_this()] { self->watch_outbound(); });
    }
  }
  if (start) writers_->add(shared_from_this()); // one post per loop for all that start now
}

void tcp_connection::flush() {
  if (write_ != write_state::idle) return; // writing: its completion flushes again; or ended
  buffers_.clear();
  next_buffer_ = 0;
  if (tls_ && !tls_->session->established()) { // frames wait; the handshake's own messages go
    seal_in_flight();
    if (!buffers_.empty()) write_some();
    return;
  }
  auto end = ending::open;
  {
    std::lock_guard<std::mutex> guard{out_mutex_};
    if (!out_.take_all(in_flight_)) end = ending_;
  }
  if (end != ending::open) return finish(end == ending::cut ? slow_consumer_reason() : "closed");
  if (tls_) {
    seal_in_flight(); // also what the session has to say when no frame waits
  } else if (in_flight_.empty()) {
    in_flight_.trim(); // the write side is idle: an idle connection holds little
  } else {
    lay_out_plain();
  }
  if (!buffers_.empty()) write_some();
}

// Loop: in_flight_'s bytes as buffers_: the copied frames as one buffer, each shared one as its
// own.
void tcp_connection::lay_out_plain() {
  in_flight_.for_each_piece(
      [this](const char* data, std::size_t n) { buffers_.emplace_back(asio::buffer(data, n)); });
}

// write_some rather than one composed async_write: each completion is progress the outbound
// policy can see (a peer that takes data slowly is not a peer that takes none).
void tcp_connection::write_some() {
  write_ = write_state::writing;
  socket_.async_write_some(
      buffer_span{buffers_.data() + next_buffer_, buffers_.data() + buffers_.size()},
      [self = shared_from_this()](auto ec, auto n) { self->on_written(ec, n); });
}

void tcp_connection::on_written(const boost::system::error_code& ec, std::size_t n) {
  write_ = finished_ ? write_state::ended : write_state::idle;
  // The loop alone writes it: a load and a store, not a locked add (see counters.hpp).
  bytes_out_.store(bytes_out_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  counters::add(counters::total::bytes_out, n);
  for (auto left = n; left > 0 && next_buffer_ < buffers_.size();) {
    auto& b = buffers_[next_buffer_];
    auto taken = std::min(left, b.size());
    b += taken;
    left -= taken;
    if (b.size() == 0) ++next_buffer_;
  }
  bool done = finished_ || ec || next_buffer_ == buffers_.size();
  if (!done) {
    bool cut = false;
    {
      std::lock_guard<std::mutex> guard{out_mutex_};
      out_.took(n, false);
      cut = ending_ == ending::cut;
      if (!cut) judge_outbound(0); // progress: the peer may have caught up
    }
    if (cut) {
      drop_unwritten_frames();
      done = next_buffer_ == buffers_.size();
    }
    if (!done) return write_some();
  }
  // The write is done; flush() takes what waits (and with it the count in flight) in one lock.
  in_flight_.clear(); // its buffers are kept for the next write; trimmed when idle (flush)
  if (tls_ && tls_->cipher.capacity() > 64 * 1024) std::string{}.swap(tls_->cipher);
  if (finished_) return close_when_idle();
  if (ec) return finish("write failed: " + ec.message());
  flush();
}

} // namespace chat::transport
