// channel_stats.hpp -- the counters of one channel under --channels K: one set per channel in
// every I/O thread's shard (bench_stats.hpp), written by that thread's clients, summed per
// channel by the main thread for the report. Senders count what they sent and what it owes;
// receivers count what arrived, in which order, and how late.
#pragma once

#include "apps/chat-bench/latency_histogram.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace chat::bench {

enum class channel_counter : std::size_t {
  joined,     // members whose JOIN was answered ok
  sent,       // MSGs the channel's senders sent in the measured interval
  expected,   // for each of them: the members joined when it was sent (the sender included)
  delivered,  // measured MSGs the members received, duplicates not
  duplicates, // a (sender, seq) a member had seen before
  reordered,  // a seq below the highest a member had seen from that sender
  count_
};
inline constexpr std::size_t channel_counter_count =
    static_cast<std::size_t>(channel_counter::count_);

// Single writer, as stats_shard: relaxed load + store.
class channel_shard {
public:
  void add(channel_counter c, uint64_t n) {
    auto& v = values_[static_cast<std::size_t>(c)];
    v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  uint64_t get(channel_counter c) const {
    return values_[static_cast<std::size_t>(c)].load(std::memory_order_relaxed);
  }
  channel_latency_histogram latency; // measured deliveries

private:
  std::array<std::atomic<uint64_t>, channel_counter_count> values_{};
};

struct channel_totals {
  std::array<uint64_t, channel_counter_count> values{};
  channel_latency_summary latency;

  uint64_t operator[](channel_counter c) const { return values[static_cast<std::size_t>(c)]; }
  uint64_t lost() const {
    auto owed = (*this)[channel_counter::expected];
    auto got = (*this)[channel_counter::delivered];
    return owed > got ? owed - got : 0;
  }

  void add(const channel_shard& shard) {
    for (std::size_t i = 0; i < channel_counter_count; ++i)
      values[i] += shard.get(static_cast<channel_counter>(i));
    shard.latency.add_to(latency);
  }
};

} // namespace chat::bench
