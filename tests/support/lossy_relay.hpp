// lossy_relay.hpp -- a UDP relay on 127.0.0.1 for tests (issue 14): it sits between clients and
// a server's UDP port and drops, duplicates, reorders and delays datagrams at set rates, each
// direction on its own, from a seeded generator. Each client address gets an upstream socket of
// its own, so the server sees one peer per client, as without the relay.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>

namespace chat::test {

struct loss_profile {
  double drop = 0;                     // probability a datagram is lost
  double duplicate = 0;                // probability it is sent twice (the copy a little later)
  double reorder = 0;                  // probability it is held back so that later ones overtake it
  std::chrono::milliseconds delay{0};  // every datagram's delay ...
  std::chrono::milliseconds jitter{0}; // ... plus up to this much more, at random
};

class lossy_relay {
public:
  struct counts {
    uint64_t received = 0;
    uint64_t dropped = 0;
    uint64_t duplicated = 0;
    uint64_t reordered = 0;
    uint64_t forwarded = 0; // sent on, copies included
  };

  // Relays to 127.0.0.1:server_port. `seed` makes the losses the same run after run (as far as
  // timing allows). The relay runs on a thread of its own until it is destroyed.
  lossy_relay(uint16_t server_port, loss_profile to_server, loss_profile to_client,
              uint64_t seed = 1);
  ~lossy_relay();
  lossy_relay(const lossy_relay&) = delete;
  lossy_relay& operator=(const lossy_relay&) = delete;

  // Where clients send (127.0.0.1).
  uint16_t port() const { return port_; }
  counts toward_server() const;
  counts toward_clients() const;

private:
  struct state;
  void run();

  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex counts_mutex_;
  counts up_, down_;
  state* state_ = nullptr;
  std::thread thread_;
};

} // namespace chat::test
