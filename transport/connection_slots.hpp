// connection_slots.hpp -- the --max-connections bound, shared by every listener of one server
// (the TCP listener, and the HTTP listener with its WebSockets), so the bound counts connections
// of every transport together. A listener takes a slot when it accepts a connection and gives it
// back when that connection has closed. Thread-safe; created by the server wiring (apps/).
#pragma once

#include <atomic>
#include <cstddef>

namespace chat::transport {

class connection_slots {
public:
  explicit connection_slots(std::size_t limit) : limit_(limit) {}

  // One slot for a new connection, or false when all are taken (the caller refuses it).
  bool try_take() {
    auto taken = taken_.load(std::memory_order_relaxed);
    do {
      if (taken >= limit_) return false;
    } while (!taken_.compare_exchange_weak(taken, taken + 1, std::memory_order_relaxed));
    return true;
  }

  void give_back() { taken_.fetch_sub(1, std::memory_order_relaxed); }

  std::size_t taken() const { return taken_.load(std::memory_order_relaxed); }
  std::size_t limit() const { return limit_; }

private:
  const std::size_t limit_;
  std::atomic<std::size_t> taken_{0};
};

} // namespace chat::transport
