// counters.hpp -- the server's running totals for /metrics (docs/PROTOCOL.md "Metrics"):
// connections, logins, frames in and out by type, bytes, cuts, rate-limit waits, the store's
// writes. Counted where they happen (transport, actors, store) and summed only when /metrics is
// read. Each thread counts into a block of its own, so counting is an add on a cache line no
// other thread writes: no lock, no shared atomic and no locked instruction on the delivery path.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace chat::counters {

enum class total : uint16_t {
  accepted_tcp,             // TCP connections accepted
  accepted_websocket,       // WebSocket handshakes completed
  logins,                   // successful logins, any transport
  bytes_in,                 // bytes read from clients (TCP payload; WebSocket messages)
  bytes_out,                // bytes written to clients
  slow_consumer_cuts,       // connections cut as slow consumers
  rate_limit_waits,         // times a sender was held back by --max-broadcast-rate
  excess_flood_cuts,        // senders cut for staying over the rate too long
  protocol_violations,      // malformed frames or JSON messages
  channels_opened,          // channels created on this node
  channels_closed,          // channels gone (empty)
  store_commits,            // history transactions committed
  store_commit_ns,          // time spent committing them
  store_messages,           // messages written to the store
  store_failures,           // failed history writes
  cluster_joins,            // other nodes that joined this one's cluster
  cluster_losses,           // other nodes lost
  multipart_whole,          // multi-part messages reassembled and handled
  multipart_dropped,        // multi-part messages refused or timed out
  multipart_bytes_held,     // bytes that parts of unfinished messages took ...
  multipart_bytes_released, // ... and gave back: the difference is what is held now
  count_                    // not a counter: how many there are
};
inline constexpr std::size_t total_count = static_cast<std::size_t>(total::count_);

namespace detail {
struct block {
  std::array<std::atomic<uint64_t>, total_count> totals{};
  std::array<std::atomic<uint64_t>, 256> frames_in{};  // by frame type
  std::array<std::atomic<uint64_t>, 256> frames_out{}; // by frame type, per receiver
};
block& this_thread_block(); // made and registered on first use; never freed (sums stay whole)

// Only the block's own thread writes it, so a load and a store make the add: no update is lost,
// and readers (sum) see a whole value. A fetch_add would be a locked instruction, which also
// waits for every store before it (BENCHMARKS.md, "Performance II: third pass").
inline void bump(std::atomic<uint64_t>& counter, uint64_t n) {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}
} // namespace detail

inline void add(total t, uint64_t n = 1) {
  detail::bump(detail::this_thread_block().totals[static_cast<std::size_t>(t)], n);
}
inline void frame_in(uint8_t type) {
  detail::bump(detail::this_thread_block().frames_in[type], 1);
}
inline void frames_out(uint8_t type, uint64_t n = 1) {
  detail::bump(detail::this_thread_block().frames_out[type], n);
}

// Sums over every thread that ever counted (any thread; takes the registry's lock).
uint64_t sum(total t);
std::array<uint64_t, 256> sum_frames_in();
std::array<uint64_t, 256> sum_frames_out();

} // namespace chat::counters
