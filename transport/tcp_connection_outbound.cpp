// The outbound policy of tcp_connection, applied: when a connection's queue holds back its
// listener's readers (back-pressure) and when it is cut as a slow consumer. The rules are
// outbound_policy's; this file measures what they need and carries out what they decide.
//
//  - A queue past half the bound whose peer keeps up is the server's own backlog: the
//    connection presses, every connection of the listener stops reading until it has drained
//    to a quarter, and senders wait in TCP. Nothing is dropped.
//  - A peer that is behind (the kernel holds our data unsent) never presses: one slow reader
//    does not slow anyone else down. Past the bound it is cut: what was queued for it is
//    dropped, the listener's notice (the server's ERROR "slow consumer") follows the frame already
//    on the wire, and the connection closes. The client comes back and recovers what it missed from
//    the channel's history.
#include "messages/counters.hpp"
#include "transport/kernel_backlog.hpp"
#include "transport/steady_now.hpp"
#include "transport/tcp_connection.hpp"

#include <spdlog/spdlog.h>

#include <linux/sockios.h>
#include <sys/ioctl.h>

namespace chat::transport {

namespace {

using namespace std::chrono_literals;

constexpr auto watch_period = 50ms;

} // namespace

// Any thread, under out_mutex_ with ending_ open, so the descriptor is still ours (finish() ends
// the outbound side before it closes anything).
std::size_t tcp_connection::kernel_unsent() const {
  return transport::kernel_unsent(native_fd_);
}

// `extra` bytes are about to be queued. Applies the policy's answer: presses or releases the
// listener, or cuts this connection. True if it was cut (the bytes must not be queued).
bool tcp_connection::judge_outbound(std::size_t extra) {
  auto queued = out_.bytes_owed() + extra;
  auto verdict = policy_.judge(queued, steady_now_ns(), [this] { return kernel_unsent(); });
  set_pressing(verdict.press);
  if (verdict.cut) cut_slow_consumer(queued);
  return verdict.cut;
}

void tcp_connection::set_pressing(bool press) {
  if (!pressure_ || press == pressing_) return;
  pressing_ = press;
  auto queued = out_.bytes_owed();
  if (press) {
    spdlog::debug("outbound pressure on peer={} queued={}", peer(), queued);
    pressure_->press();
  } else {
    spdlog::debug("outbound pressure off peer={} queued={}", peer(), queued);
    pressure_->release();
  }
}

// Under out_mutex_. The unsent queue goes; the notice (ERROR) takes its place, so the client
// reads why it was cut right after the last whole frame it got (the frame on the wire is finished
// first; the rest of the write in flight is dropped when it completes, drop_unwritten_frames()).
// The owner hears of it now; the socket stays until the ERROR is out or close_timeout passes.
void tcp_connection::cut_slow_consumer(std::size_t queued) {
  counters::add(counters::total::slow_consumer_cuts);
  spdlog::info("slow consumer peer={} queued={} kernel_unsent={} bound={}: cut", peer(), queued,
               kernel_unsent(), limits_.max_outbound_bytes);
  ending_ = ending::cut;
  set_pressing(false);
  bool start = out_.replace_waiting(slow_consumer_notice_) == decltype(out_)::pushed::started;
  asio::post(loop(), [self = shared_from_this(), start] {
    self->tell_owner(self->slow_consumer_reason());
    self->arm_close_timer(ending::cut);
    if (start) self->flush();
  });
}

// On the loop, after a partial write of a cut connection: of what is still in flight, only the
// frame already begun on the wire is finished (a torn frame would garble the ERROR after it). The
// write is the queue's pieces (the copied frames, each shared one; lay_out_plain), cut by bytes.
void tcp_connection::drop_unwritten_frames() {
  if (tls_) return; // sealed records cannot be torn: the write in flight goes whole
  std::size_t unwritten = 0;
  for (auto i = next_buffer_; i < buffers_.size(); ++i)
    unwritten += buffers_[i].size();
  auto left = in_flight_.rest_of_begun_frame(in_flight_.size_bytes() - unwritten);
  if (left == unwritten) return;
  auto keep = left;
  auto i = next_buffer_;
  for (; i < buffers_.size() && keep > 0; ++i) {
    if (buffers_[i].size() > keep) buffers_[i] = asio::buffer(buffers_[i].data(), keep);
    keep -= buffers_[i].size();
  }
  buffers_.resize(i);
  std::lock_guard<std::mutex> guard{out_mutex_};
  out_.in_flight_left(left);
}

std::string tcp_connection::slow_consumer_reason() const {
  return "slow consumer: over " + std::to_string(limits_.max_outbound_bytes) + " bytes queued";
}

// Runs while the queue is high. Without it a peer that falls behind would be judged only when
// more is queued for it, and a pressing connection whose queue drained would not release.
void tcp_connection::watch_outbound() {
  if (finished_) return;
  bool again = false;
  {
    std::lock_guard<std::mutex> guard{out_mutex_};
    if (ending_ != ending::open) {
      set_pressing(false);
      watching_ = false;
      return;
    }
    if (!judge_outbound(0)) again = pressing_ || out_.bytes_owed() > limits_.max_outbound_bytes / 4;
    watching_ = again;
  }
  if (!again) return;
  if (!watch_timer_) watch_timer_ = std::make_unique<asio::steady_timer>(loop());
  watch_timer_->expires_after(watch_period);
  watch_timer_->async_wait([self = shared_from_this()](auto ec) {
    if (!ec) self->watch_outbound();
  });
}

} // namespace chat::transport
