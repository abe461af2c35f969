// bench_plan.hpp -- what every client of a run shares: the settings, fixed before the first
// connect (bench_plan), and the little that changes while it runs (run_state: the phase, the
// number of receivers and of each channel's members, the first failure of each kind). Built by
// bench_run's owner; read by the clients on the I/O threads.
#pragma once

#include "apps/chat-bench/bench_config.hpp"
#include "apps/chat-bench/large_tracker.hpp"
#include "apps/chat-bench/server_spread.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chat::bench {

class tls_client_context; // bench_tls.hpp

// connecting -> warmup -> measuring -> draining -> done   (connect-only: connecting -> holding)
// Senders broadcast in warmup and measuring only; a broadcast's stamp says which of the two.
enum class run_phase : uint8_t { connecting, holding, warmup, measuring, draining, done };

struct bench_plan {
  framing_kind framing = framing_kind::chat;
  bool websocket = false; // --transport=ws: JSON text messages over a WebSocket at /ws
  std::shared_ptr<const tls_client_context> tls;       // --tls; null: plain TCP
  std::vector<boost::asio::ip::tcp::endpoint> servers; // client i uses servers[i % size]
  std::size_t source_addresses = 1;                    // 1: let the kernel pick the source address
  std::size_t clients = 0;
  std::size_t senders = 0; // clients 0 .. senders-1 send
  std::size_t window = 0;
  double rate = 0;             // per sender per second; 0: as fast as the window allows
  uint64_t max_broadcasts = 0; // per sender, warm-up included; 0: no limit
  std::size_t payload = 0;
  std::string name_prefix;
  uint32_t run_id = 0; // tells this run's broadcasts from any other's

  // --transport=udp (bench_client_udp.cpp): DATA datagrams of at most udp_max_datagram bytes,
  // on sockets asking for a receive buffer of udp_rcvbuf bytes.
  bool udp = false;
  std::size_t udp_max_datagram = 0;
  std::size_t udp_rcvbuf = 0;

  // Protocol version 2 (v2_load.hpp): HELLO before LOGIN, then with `channels` > 0 a JOIN of
  // channel_names[i % channels] and MSG instead of BROADCAST_MSG; with `direct`, DMs instead.
  std::size_t channels = 0;
  std::vector<std::string> channel_names; // bench-0 .. bench-<channels - 1>, built once
  bool direct = false;
  std::size_t dm_peers = 0; // each sender's DMs rotate over this many clients; 0: all others

  // --large-message (large_message.hpp): HELLO {3}, and client 0 sends one MSG of this many
  // bytes in parts every large_every_ns, in the measured interval. Its text, built once.
  std::size_t large_message = 0;
  uint64_t large_every_ns = 0;
  std::shared_ptr<const std::string> large_text;
  std::size_t large_capacity = 0; // large messages a run can send: the tracker's table

  bool v2() const { return channels > 0 || direct; }
  bool large() const { return large_message > 0; }
  uint16_t hello_version() const { return large() ? 3 : 2; }
};

inline uint64_t steady_now_ns() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

class run_state {
public:
  explicit run_state(std::size_t channels = 0, std::size_t servers = 1,
                     std::size_t large_messages = 0)
      : large(large_messages), servers_(servers),
        members_on_(new std::atomic<int64_t>[channels * servers] {}) {}

  run_phase phase() const { return phase_.load(std::memory_order_acquire); }
  void set_phase(run_phase p) { phase_.store(p, std::memory_order_release); }

  // Clients logged in and still open: the receivers a broadcast sent now is owed to; those of
  // one server are the sender's same-node receivers, the rest its cross-node ones.
  int64_t receivers() const { return receivers_.load(std::memory_order_relaxed); }
  int64_t receivers_on(std::size_t server) const {
    return receivers_on_[server].load(std::memory_order_relaxed);
  }
  void add_receiver(std::size_t server, int64_t n) {
    receivers_on_[server].fetch_add(n, std::memory_order_relaxed);
    receivers_.fetch_add(n, std::memory_order_relaxed);
  }

  // With --channels: the members joined and still open, of a channel and of those of it on one
  // server (a MSG owes one delivery to each; the split is same-node versus cross-node).
  int64_t members(std::size_t channel) const {
    int64_t sum = 0;
    for (std::size_t server = 0; server < servers_; ++server)
      sum += members_on(channel, server);
    return sum;
  }
  int64_t members_on(std::size_t channel, std::size_t server) const {
    return members_on_[channel * servers_ + server].load(std::memory_order_relaxed);
  }
  void add_member(std::size_t channel, std::size_t server, int64_t n) {
    members_on_[channel * servers_ + server].fetch_add(n, std::memory_order_relaxed);
  }

  // The connect phase's last events, as steady_now_ns(), for its length: a TLS handshake done or
  // failed, and a client settled (ready, or failed before it was). Once per client: a CAS.
  void mark_handshake_end(uint64_t ns) { raise(last_handshake_ns_, ns); }
  void mark_settled(uint64_t ns) { raise(last_settled_ns_, ns); }
  uint64_t last_handshake_ns() const { return last_handshake_ns_.load(std::memory_order_relaxed); }
  uint64_t last_settled_ns() const { return last_settled_ns_.load(std::memory_order_relaxed); }

  // --tls: the protocol version and cipher of the first handshake done, for the report.
  void note_tls_version(std::string_view text) {
    if (tls_noted_.exchange(true, std::memory_order_relaxed)) return;
    std::lock_guard<std::mutex> guard{notes_mutex_};
    tls_version_ = text;
  }
  std::string tls_version() const {
    std::lock_guard<std::mutex> guard{notes_mutex_};
    return tls_version_;
  }

  // The first text seen of each kind of failure, for the report on stderr. Rare path: locks.
  void note_failure(std::string_view kind, std::string_view text) {
    std::lock_guard<std::mutex> guard{notes_mutex_};
    for (auto& note : notes_)
      if (note.first == kind) return;
    notes_.emplace_back(std::string{kind}, std::string{text});
  }
  std::vector<std::pair<std::string, std::string>> failure_notes() const {
    std::lock_guard<std::mutex> guard{notes_mutex_};
    return notes_;
  }

  large_tracker large; // --large-message: each message's time to reach all other members

private:
  static void raise(std::atomic<uint64_t>& to, uint64_t ns) {
    auto seen = to.load(std::memory_order_relaxed);
    while (seen < ns && !to.compare_exchange_weak(seen, ns, std::memory_order_relaxed)) {
    }
  }

  std::atomic<run_phase> phase_{run_phase::connecting};
  std::atomic<int64_t> receivers_{0};
  std::array<std::atomic<int64_t>, max_servers> receivers_on_{};
  std::size_t servers_;
  std::unique_ptr<std::atomic<int64_t>[]> members_on_; // [channel * servers_ + server]
  mutable std::mutex notes_mutex_;
  std::vector<std::pair<std::string, std::string>> notes_; // kind, first text
  std::atomic<uint64_t> last_handshake_ns_{0};
  std::atomic<uint64_t> last_settled_ns_{0};
  std::atomic<bool> tls_noted_{false};
  std::string tls_version_; // under notes_mutex_
};

} // namespace chat::bench
