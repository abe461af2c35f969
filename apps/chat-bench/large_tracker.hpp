// large_tracker.hpp -- --large-message's figure per message, not per delivery: how long each
// large message took to reach every other member of its channel whole (send time to the last
// of them). The sender notes each message it sends, every other member notes its arrival; the
// report sums it up once the I/O threads have stopped. Part of run_state (bench_plan.hpp): one
// fixed table for the run, lock-free, no allocation while it runs.
#pragma once

#include "apps/chat-bench/latency_histogram.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace chat::bench {

class large_tracker {
public:
  // Room for `capacity` messages (sequence numbers 0 .. capacity-1); later ones go untracked.
  explicit large_tracker(std::size_t capacity = 0)
      : capacity_(capacity), slots_(new slot[capacity]{}) {}

  // The sender, as it sends message `seq`: the members other than itself that it is owed to.
  void sent(uint64_t seq, uint64_t sent_ns, uint64_t others) {
    if (seq >= capacity_) return;
    slots_[seq].sent_ns.store(sent_ns, std::memory_order_relaxed);
    slots_[seq].others.store(others, std::memory_order_relaxed);
  }

  // Another member had message `seq` whole at `arrived_ns` (in any order with sent()).
  void arrived(uint64_t seq, uint64_t arrived_ns) {
    if (seq >= capacity_) return;
    auto& s = slots_[seq];
    s.got.fetch_add(1, std::memory_order_relaxed);
    auto last = s.last_ns.load(std::memory_order_relaxed);
    while (last < arrived_ns &&
           !s.last_ns.compare_exchange_weak(last, arrived_ns, std::memory_order_relaxed)) {
    }
  }

  struct summary {
    uint64_t tracked = 0;     // messages sent and noted
    uint64_t reached_all = 0; // ... of them, those that every other member received
    latency_summary to_all;   // theirs: send time to the last other member's arrival
  };

  // After the I/O threads have stopped.
  summary summarize() const {
    summary out;
    latency_histogram h;
    for (std::size_t i = 0; i < capacity_; ++i) {
      auto& s = slots_[i];
      auto sent_ns = s.sent_ns.load(std::memory_order_relaxed);
      auto others = s.others.load(std::memory_order_relaxed);
      if (sent_ns == 0) continue;
      ++out.tracked;
      if (others == 0 || s.got.load(std::memory_order_relaxed) < others) continue;
      ++out.reached_all;
      auto last = s.last_ns.load(std::memory_order_relaxed);
      h.record(last > sent_ns ? last - sent_ns : 0);
    }
    h.add_to(out.to_all);
    return out;
  }

private:
  struct slot {
    std::atomic<uint64_t> sent_ns{0};
    std::atomic<uint64_t> others{0};
    std::atomic<uint64_t> got{0};
    std::atomic<uint64_t> last_ns{0};
  };

  std::size_t capacity_;
  std::unique_ptr<slot[]> slots_;
};

} // namespace chat::bench
