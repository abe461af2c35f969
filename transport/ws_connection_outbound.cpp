// The outbound policy of ws_connection, applied: the rules are outbound_policy's and the same as
// tcp_connection's (tcp_connection_outbound.cpp says them). A WebSocket receiver that is behind
// is cut as a slow consumer with its ERROR after the message on the wire; one whose queue is our
// own backlog presses the listeners, so TCP and WebSocket senders alike wait.
#include "messages/counters.hpp"
#include "transport/kernel_backlog.hpp"
#include "transport/steady_now.hpp"
#include "transport/ws_connection.hpp"

#include <spdlog/spdlog.h>

namespace chat::transport {

namespace {

// How often a long queue is judged again while no frame comes (tcp_connection's period).
constexpr auto websocket_watch_period = std::chrono::milliseconds{50};

} // namespace

std::size_t ws_connection::kernel_unsent() const {
  return transport::kernel_unsent(native_fd_);
}

// The queue is counted in frame bytes (what the JSON is made from), close enough to judge.
bool ws_connection::judge_outbound(std::size_t extra) {
  auto queued = out_.bytes_owed() + extra;
  auto verdict = policy_.judge(queued, steady_now_ns(), [this] { return kernel_unsent(); });
  set_pressing(verdict.press);
  if (!verdict.cut) return false;
  spdlog::info("slow consumer peer={} queued={} transport=websocket", peer_, queued);
  counters::add(counters::total::slow_consumer_cuts);
  ending_ = ending::cut;
  set_pressing(false);
  bool start = out_.replace_waiting(slow_consumer_notice_) == decltype(out_)::pushed::started;
  asio::post(strand_, [self = shared_from_this(), start] {
    self->tell_owner("slow consumer: over " + std::to_string(self->limits_.max_outbound_bytes) +
                     " bytes queued");
    self->arm_close_timer();
    if (start) self->write_next();
  });
  return true;
}

void ws_connection::watch_outbound() {
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
  if (!watch_timer_) watch_timer_ = std::make_unique<asio::steady_timer>(strand_);
  watch_timer_->expires_after(websocket_watch_period);
  watch_timer_->async_wait([self = shared_from_this()](auto ec) {
    if (!ec) self->watch_outbound();
  });
}

void ws_connection::set_pressing(bool press) {
  if (!pressure_ || press == pressing_) return;
  pressing_ = press;
  if (press)
    pressure_->press();
  else
    pressure_->release();
}

} // namespace chat::transport
