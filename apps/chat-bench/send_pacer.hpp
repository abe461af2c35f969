// send_pacer.hpp -- when a sender may broadcast: at most `window` own broadcasts not yet seen
// back, and, with a rate, no more than the schedule start + k / rate allows. Pure arithmetic;
// one per sending client, used only on that client's handlers.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace chat::bench {

class send_pacer {
public:
  // The shortest timer tick a rated sender uses; faster rates send several per tick.
  static constexpr uint64_t min_tick_ns = 1000000;

  struct grant {
    uint64_t count = 0;   // broadcasts to send now
    uint64_t skipped = 0; // schedule slots given up (the window stayed full too long)
  };

  send_pacer(uint64_t window, double rate, uint64_t start_ns)
      : window_(window), rate_(rate), start_ns_(start_ns) {}

  // How many broadcasts may go at `now_ns`; they count as in flight from here on. A rated
  // sender that fell behind catches up by at most `window` slots: an open window never
  // releases an unbounded burst, and the skipped slots are reported instead.
  grant take(uint64_t now_ns) {
    grant g;
    auto flying = in_flight();
    if (flying >= window_) return g;
    g.count = window_ - flying;
    if (rate_ > 0) {
      auto due = slots_due(now_ns);
      if (due > scheduled_ + window_) {
        g.skipped = due - window_ - scheduled_;
        scheduled_ = due - window_;
      }
      g.count = std::min(g.count, due - scheduled_);
      scheduled_ += g.count;
    }
    sent_ += g.count;
    return g;
  }

  // One of our broadcasts came back to us, or the server refused one: its slot is free.
  void returned() { ++returned_; }

  uint64_t in_flight() const { return sent_ > returned_ ? sent_ - returned_ : 0; }

  bool rated() const { return rate_ > 0; }
  uint64_t start_ns() const { return start_ns_; }

  // The timer interval of a rated sender: one slot, but never below min_tick_ns.
  uint64_t tick_ns() const {
    auto slot = static_cast<uint64_t>(1e9 / rate_);
    return std::max(slot, min_tick_ns);
  }

private:
  // Slots whose time has come: slot k is due at start + k / rate (k = 0, 1, ...).
  uint64_t slots_due(uint64_t now_ns) const {
    if (now_ns < start_ns_) return 0;
    auto elapsed_s = static_cast<double>(now_ns - start_ns_) / 1e9;
    return static_cast<uint64_t>(std::floor(elapsed_s * rate_)) + 1;
  }

  uint64_t window_;
  double rate_;
  uint64_t start_ns_;
  uint64_t sent_ = 0;
  uint64_t returned_ = 0;
  uint64_t scheduled_ = 0; // slots used or skipped
};

} // namespace chat::bench
