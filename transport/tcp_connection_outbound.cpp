// The outbound policy of tcp_connection: when a connection's queue holds back its listener's
// readers (back-pressure) and when it is cut as a slow consumer. The two rules meet in one
// question: is the peer taking our data, slowly or not at all?
//
//  - A peer that takes data but less quickly than the room produces it presses once its queue
//    is past half the bound: every connection of the listener stops reading, so broadcasters
//    wait in TCP until receivers have drained to a quarter. Nothing is dropped.
//  - A peer that takes nothing for stall_ns stops pressing (one dead reader must not stop the
//    chat); its queue then grows, and past the bound it is cut once it has taken nothing, or
//    kept the kernel backed up, for stall_grace_ns; past 8 times the bound at once.
#include "transport/steady_now.hpp"
#include "transport/tcp_connection.hpp"

#include <spdlog/spdlog.h>

#include <linux/sockios.h>
#include <sys/ioctl.h>

namespace chat::transport {

namespace {

using namespace std::chrono_literals;

// A write pending this long with no byte taken: the peer has stopped reading.
constexpr int64_t stall_ns = 250'000'000;
// How long a peer may stay stalled or backed up past the bound before it is cut.
constexpr int64_t stall_grace_ns = 1'000'000'000;
// "Backed up": the kernel still holds this much of our data unsent. A reader that keeps up
// leaves little there; then a long queue is our own writer's (a busy I/O thread).
constexpr int backed_up_bytes = 64 * 1024;
constexpr std::size_t hard_outbound_factor = 8;
constexpr auto watch_period = 100ms;

} // namespace

bool tcp_connection::write_stalled(int64_t now) const {
  return in_flight_bytes_ > 0 && now - write_progress_ns_ >= stall_ns;
}

void tcp_connection::update_pressure(int64_t now) {
  if (!pressure_) return;
  auto queued = out_bytes_ + in_flight_bytes_;
  auto high = limits_.max_outbound_bytes / 2;
  auto low = limits_.max_outbound_bytes / 4;
  bool press = !closing_ && !write_stalled(now) && queued > (pressing_ ? low : high);
  if (press == pressing_) return;
  pressing_ = press;
  if (press) {
    spdlog::debug("outbound pressure on peer={} queued={}", peer(), queued);
    pressure_->press();
  } else {
    spdlog::debug("outbound pressure off peer={} queued={} stalled={}", peer(), queued,
                  write_stalled(now));
    pressure_->release();
  }
}

// Any thread, under out_mutex_ with closing_ false, so the descriptor is still ours (finish()
// sets closing_ before it closes anything).
bool tcp_connection::peer_backed_up() const {
  int unsent = 0;
  if (::ioctl(native_fd_, SIOCOUTQ, &unsent) != 0) return true;
  return unsent >= backed_up_bytes;
}

// A pressing connection is judged like one over the bound: a trickling reader must not hold the
// whole listener back for long either.
bool tcp_connection::slow_consumer(std::size_t queued, int64_t now) {
  if (queued <= limits_.max_outbound_bytes && !pressing_) {
    backed_up_since_ns_ = 0;
    return false;
  }
  bool stalled = write_stalled(now);
  if (stalled && queued > hard_outbound_factor * limits_.max_outbound_bytes) return true;
  if (!stalled && !peer_backed_up()) {
    backed_up_since_ns_ = 0;
    return false;
  }
  if (backed_up_since_ns_ == 0) backed_up_since_ns_ = now;
  return now - backed_up_since_ns_ >= stall_grace_ns;
}

std::string tcp_connection::slow_consumer_reason() const {
  return "slow consumer: over " + std::to_string(limits_.max_outbound_bytes) + " bytes queued";
}

// Runs while the queue is high. Without it a stalled peer would be judged only when more is
// queued for it, and a pressing one that stalls would never release the listener.
void tcp_connection::watch_outbound() {
  if (finished_) return;
  bool cut = false, again = false;
  {
    std::lock_guard<std::mutex> guard{out_mutex_};
    auto now = steady_now_ns();
    update_pressure(now); // also when closing: a closing connection stops pressing
    if (closing_) {
      watching_ = false;
      return;
    }
    auto queued = out_bytes_ + in_flight_bytes_;
    cut = slow_consumer(queued, now);
    if (cut) closing_ = true;
    again = !cut && (pressing_ || queued > limits_.max_outbound_bytes / 4);
    watching_ = again;
  }
  if (cut) return finish(slow_consumer_reason());
  if (!again) return;
  if (!watch_timer_) watch_timer_ = std::make_unique<asio::steady_timer>(strand_);
  watch_timer_->expires_after(watch_period);
  watch_timer_->async_wait([self = shared_from_this()](auto ec) {
    if (!ec) self->watch_outbound();
  });
}

} // namespace chat::transport
