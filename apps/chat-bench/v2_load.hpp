// v2_load.hpp -- the shape of chat-bench's protocol-v2 loads: which channel each client joins
// with --channels K, which senders it hears there, whom a sender's DMs go to with --direct, and
// how a DM's ref times its acknowledgement. Pure arithmetic; used by bench_client (its channel,
// its sequence windows, its DM targets), bench_config and the report (members per channel).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace chat::bench {

// The server's default --max-channels; it also bounds the per-channel counters of each thread.
inline constexpr std::size_t max_channels = 10000;

// How many of the first `count` items land on part k when item i goes to part i % parts:
// clients per channel or per server, senders per channel or per server.
inline std::size_t round_robin_share(std::size_t k, std::size_t count, std::size_t parts) {
  return count / parts + (k < count % parts ? 1 : 0);
}

// Client i joins channel i % K. Senders are the first clients, so --senders K gives every
// channel one sender, and --senders n*K gives each n.
inline std::size_t channel_of(std::size_t client, std::size_t channels) {
  return client % channels;
}

inline std::string channel_name(std::size_t channel) {
  return "bench-" + std::to_string(channel);
}

// Sender s is the rank-th sender of its channel: a receiver keeps one sequence window per sender
// of its own channel, not one per sender of the run.
inline std::size_t sender_rank(std::size_t sender, std::size_t channels) {
  return sender / channels;
}

// The receiver of sender s's n-th DM: the `peers` clients after s in turn (0: every other
// client), so that each sender's DMs rotate over a fixed set; with one client, itself.
inline std::size_t dm_receiver(std::size_t sender, uint64_t n, std::size_t clients,
                               std::size_t peers) {
  if (clients <= 1) return sender;
  auto ring = peers == 0 || peers >= clients ? clients - 1 : peers;
  return static_cast<std::size_t>((sender + 1 + n % ring) % clients);
}

// A DM's ref carries its send time (bits 0..30, in 128 ns units: wraps after 274 s, far past
// the server's 15 s answer bound) and whether it was sent in the measured interval (bit 31).
// The server may answer DMs out of order (docs/PROTOCOL.md "Ordering"), and this way an ack
// needs no table of pending DMs to be timed and counted.
inline constexpr int dm_ref_shift = 7;
inline constexpr uint32_t dm_ref_time_mask = 0x7FFFFFFF;
inline constexpr uint32_t dm_ref_measured = 0x80000000;

inline uint32_t dm_ref(uint64_t sent_ns, bool measured) {
  return (static_cast<uint32_t>(sent_ns >> dm_ref_shift) & dm_ref_time_mask) |
         (measured ? dm_ref_measured : 0);
}

inline bool dm_ref_is_measured(uint32_t ref) {
  return (ref & dm_ref_measured) != 0;
}

// The time from the send that `ref` records to `now_ns`, to 128 ns.
inline uint64_t dm_ref_age_ns(uint32_t ref, uint64_t now_ns) {
  auto now = static_cast<uint32_t>(now_ns >> dm_ref_shift);
  return static_cast<uint64_t>((now - ref) & dm_ref_time_mask) << dm_ref_shift;
}

} // namespace chat::bench
