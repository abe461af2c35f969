// reassembly_budget.hpp -- how many bytes of unfinished multi-part messages one server holds,
// across all its connections, and the most it may (--max-multipart-held). Made by the server,
// shared by every session's message_reassembly (reassembly_limits::budget), from any thread.
#pragma once

#include <atomic>
#include <cstddef>

namespace chat::v2 {

class reassembly_budget {
public:
  explicit reassembly_budget(std::size_t most) : most_(most) {}

  // Takes `n` bytes if they fit under the most; false (nothing taken) if they do not.
  bool reserve(std::size_t n) {
    auto held = held_.load(std::memory_order_relaxed);
    do {
      if (n > most_ || held > most_ - n) return false;
    } while (!held_.compare_exchange_weak(held, held + n, std::memory_order_relaxed));
    return true;
  }

  // Gives back `n` bytes taken before (a reservation, or what a reassembly held).
  void release(std::size_t n) { held_.fetch_sub(n, std::memory_order_relaxed); }

  // Settles a reservation of `reserved` bytes once a part was handled and the reassembly's holding
  // went from `before` to `after` (up by at most the reservation, which did fit; or down, when
  // the part completed or refused its message): one atomic add of the difference.
  void settle(std::size_t reserved, std::size_t before, std::size_t after) {
    // Unsigned arithmetic wraps: adding (after - before - reserved) mod 2^64 subtracts when the
    // holding went up by less than the reservation.
    held_.fetch_add(after - before - reserved, std::memory_order_relaxed);
  }

  std::size_t held() const { return held_.load(std::memory_order_relaxed); }
  std::size_t most() const { return most_; }

private:
  const std::size_t most_;
  std::atomic<std::size_t> held_{0};
};

} // namespace chat::v2
