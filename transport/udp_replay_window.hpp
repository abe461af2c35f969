// udp_replay_window.hpp -- which DATA datagrams of one UDP session were seen already, by their
// sequence numbers (docs/PROTOCOL.md "Datagrams (UDP)"), so a duplicated or replayed DATA is
// dropped, never handled twice. Each end of a session keeps one for what it receives: the
// server's udp_connection, the client's udp_client_connection. A value; no I/O, not thread-safe.
#pragma once

#include <cstdint>

namespace chat::transport::udp {

// The highest sequence number seen, and which of the `width` numbers below it were seen: the
// sliding window of IPsec's anti-replay check (RFC 4303, 3.4.3), here against the network's
// own duplicates. A datagram reordered by more than `width` is dropped as too old; UDP may lose
// it anyway, and what is lost is recovered as PROTOCOL.md "Loss" says.
class replay_window {
public:
  static constexpr uint64_t width = 64;

  // True the first time `sequence` (from 1) comes and it is no older than the window; it is
  // then seen. False for 0, a number seen before, or one `width` or more below the highest.
  bool accept(uint64_t sequence) {
    if (sequence == 0) return false;
    if (sequence > highest_) {
      auto ahead = sequence - highest_;
      seen_ = ahead >= width ? 0 : seen_ << ahead;
      seen_ |= 1; // bit i: highest_ - i was seen
      highest_ = sequence;
      return true;
    }
    auto behind = highest_ - sequence;
    if (behind >= width) return false;
    auto bit = uint64_t{1} << behind;
    if (seen_ & bit) return false;
    seen_ |= bit;
    return true;
  }

  uint64_t highest() const { return highest_; }

private:
  uint64_t highest_ = 0; // none yet
  uint64_t seen_ = 0;
};

} // namespace chat::transport::udp
