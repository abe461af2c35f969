// read_holds.hpp -- why a connection's reading is parked: its owner has too many frames
// unhandled, or receivers on the same listener are behind (outbound_pressure). Each reason is
// lifted on its own, by a different thread's news; reading resumes once none is left.
// A strand-only value held by tcp_connection and ws_connection.
#pragma once

#include <cstdint>

namespace chat::transport {

class read_holds {
public:
  enum reason : uint8_t {
    owner_behind = 1,     // the owner has max_unhandled_frames unhandled (frame_done lifts it)
    receivers_behind = 2, // a connection of the listener presses (its release lifts it)
  };

  void hold(reason r) { bits_ |= r; }
  // Lifts `r`; true when nothing holds reading back any more.
  bool lift(reason r) {
    bits_ &= static_cast<uint8_t>(~r);
    return bits_ == 0;
  }
  bool any() const { return bits_ != 0; }

private:
  uint8_t bits_ = 0;
};

} // namespace chat::transport
