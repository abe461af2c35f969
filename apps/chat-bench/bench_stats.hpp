// bench_stats.hpp -- the run's counters: one shard per I/O thread, summed by the main thread.
// Handlers add to the shard of the thread they run on (this_thread_shard), so counting never
// contends; the main thread reads all shards for the progress line and the final report.
#pragma once

#include "apps/chat-bench/channel_stats.hpp"
#include "apps/chat-bench/latency_histogram.hpp"
#include "apps/chat-bench/server_spread.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace chat::bench {

enum class counter : std::size_t {
  connected,           // TCP connect completed
  connect_failed,      // connect error, or still connecting when the connect phase ended
  logged_in,           // "Login OK" (asio-example framing: same as connected)
  login_failed,        // "Login failed: ...", or no answer before the connect phase ended
  closed_by_server,    // EOF or error on a client that was logged in
  sent,                // broadcasts sent, warm-up included
  sent_measured,       // broadcasts sent in the measured interval
  expected,            // for each measured broadcast: the receivers logged in when it was sent
  expected_same_node,  // ... of them, those on the sender's server
  expected_cross_node, // ... and those on other servers (owed only if the servers relay)
  schedule_skipped,    // --rate slots dropped because the window stayed full too long
  rate_limited,        // ERROR "rate limited": servers before flood control refused a broadcast
                       // (today a message past the allowance waits instead)
  server_errors,       // ERROR frames of any other reason
  frames_in,           // every frame received (the drain waits for this to stop moving)
  delivered_all,       // our broadcasts received, warm-up included, duplicates not
  delivered,           // our measured broadcasts received, duplicates not
  // delivered_all and delivered split by delivery_class: same-node first, then cross-node.
  delivered_all_same_node,
  delivered_all_cross_node,
  delivered_same_node,
  delivered_cross_node,
  duplicates, // a (sender, seq) a client had seen before
  reordered,  // a seq below the highest a client had seen from that sender
  foreign,    // broadcasts without our run's stamp (other runs, other users)
  watched,    // --connect-only: broadcasts stamped by another chat-bench run (latency kept)
  // Protocol version 2 only (--channels, --direct):
  joined,        // JOIN answered ok
  join_failed,   // JOIN refused, or no answer before the connect phase ended
  wrong_channel, // a MSG from a sender of another channel (each client joined one)
  acked_all,     // DMs answered REPLY ok, warm-up included
  acked,         // measured DMs answered REPLY ok
  refused,       // REPLY refused to a MSG or DM, for a reason other than "rate limited"
  // --tls only:
  handshakes,       // TLS handshakes done
  handshake_failed, // TLS handshake refused or broken, or not done when the connect phase ended
  // --large-message only (large_message.hpp), none of them in the counters above:
  large_sent,          // large MSGs client 0 sent (in the measured interval only)
  large_skipped,       // its ticks that found the last large MSG's parts not all written yet
  large_parts_out,     // the PART frames of the large MSGs sent
  large_bytes_out,     // ... and their bytes, frame headers included
  large_expected,      // for each large MSG: its channel's members when sent (the sender too)
  large_delivered,     // large MSGs received whole, with the text expected
  large_corrupt,       // large MSGs received whole, with another text (size or bytes)
  large_duplicates,    // a large MSG a client had received before
  large_refused,       // refused: by the server (REPLY), or dropped by a client's reassembly
  large_parts_in,      // PART frames received
  large_part_bytes_in, // ... and their bytes, frame headers included: the server's bytes out
  count_
};
inline constexpr std::size_t counter_count = static_cast<std::size_t>(counter::count_);

// The delivered_all (measured false) or delivered (true) counter of one delivery class.
inline counter delivered_counter(delivery_class c, bool measured) {
  auto first = measured ? counter::delivered_same_node : counter::delivered_all_same_node;
  return static_cast<counter>(static_cast<std::size_t>(first) + static_cast<std::size_t>(c));
}

// What the clients of one server saw (server index as in server_spread.hpp).
enum class node_counter : std::size_t {
  logged_in, // as counter::logged_in
  delivered, // as counter::delivered: measured broadcasts these clients received
  count_
};
inline constexpr std::size_t node_counter_count = static_cast<std::size_t>(node_counter::count_);

// One I/O thread's counters. Single writer: add() is a relaxed load + store, no locked
// instruction; readers on other threads see each value whole.
class alignas(64) stats_shard {
public:
  explicit stats_shard(std::size_t channels = 0) : channels_(channels) {}

  void add(counter c, uint64_t n = 1) {
    auto& v = values_[static_cast<std::size_t>(c)];
    v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  void add(node_counter c, std::size_t server) {
    auto& v = node_values_[static_cast<std::size_t>(c)][server];
    v.store(v.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  uint64_t get(counter c) const {
    return values_[static_cast<std::size_t>(c)].load(std::memory_order_relaxed);
  }
  uint64_t get(node_counter c, std::size_t server) const {
    return node_values_[static_cast<std::size_t>(c)][server].load(std::memory_order_relaxed);
  }
  // One channel's counters and latency; a channel past those counted (a v1 run has none) is
  // ignored, so that callers need not check the mode.
  void add(channel_counter c, std::size_t channel, uint64_t n = 1) {
    if (channel < channels_.size()) channels_[channel].add(c, n);
  }
  void record_channel_latency(std::size_t channel, uint64_t ns) {
    if (channel < channels_.size()) channels_[channel].latency.record(ns);
  }
  const std::vector<channel_shard>& channels() const { return channels_; }

  latency_histogram latency; // measured deliveries only (--connect-only: watched broadcasts)
  std::array<latency_histogram, delivery_class_count> class_latency; // measured, by class
  latency_histogram ack_latency;   // --direct: DM sent -> REPLY ok arrived, measured DMs
  latency_histogram large_latency; // --large-message: sent -> whole at a receiver (last part)

private:
  std::array<std::atomic<uint64_t>, counter_count> values_{};
  std::vector<channel_shard> channels_; // --channels K: K of them; sized once, never moved
  std::array<std::array<std::atomic<uint64_t>, max_servers>, node_counter_count> node_values_{};
};

struct stats_totals {
  std::array<uint64_t, counter_count> values{};
  std::array<std::array<uint64_t, max_servers>, node_counter_count> node_values{};
  latency_summary latency;
  std::array<latency_summary, delivery_class_count> class_latency;
  latency_summary ack_latency;
  latency_summary large_latency;

  uint64_t operator[](counter c) const { return values[static_cast<std::size_t>(c)]; }
  uint64_t on(node_counter c, std::size_t server) const {
    return node_values[static_cast<std::size_t>(c)][server];
  }
  const latency_summary& latency_of(delivery_class c) const {
    return class_latency[static_cast<std::size_t>(c)];
  }
};

class bench_stats {
public:
  bench_stats(std::size_t shards, std::size_t channels);

  // Called once by each I/O thread before it runs handlers; shard i belongs to thread i.
  void bind_this_thread(std::size_t shard);
  static stats_shard& this_thread_shard();

  // Any thread; with `latency` false the histogram is left empty (cheap, for counters only).
  stats_totals sum(bool latency = true) const;

  // Per channel, summed over the shards; for the final report only (K histograms per shard).
  std::vector<channel_totals> sum_channels() const;

private:
  std::vector<std::unique_ptr<stats_shard>> shards_;
};

} // namespace chat::bench
