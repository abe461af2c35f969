// sequence_window.hpp -- what one receiving client has seen of one sender's sequence numbers.
// One per (receiver, sender) pair, touched only by the receiver's handlers. 16 bytes, so that
// clients x senders pairs stay affordable; no allocation after construction.
#pragma once

#include <cstdint>

namespace chat::bench {

enum class arrival : uint8_t {
  in_order,  // above everything seen before
  reordered, // below the highest seen, and not seen before (or too old to tell)
  duplicate, // seen before
};

// Remembers the highest seq seen and which of the 64 below it were seen, like an anti-replay
// window: a seq more than 64 below the highest counts as reordered (it cannot be told from a
// duplicate any more; the server promises order, so either is a defect).
class sequence_window {
public:
  arrival see(uint64_t seq) {
    auto top = seq + 1;
    if (top > top_) {
      auto ahead = top - top_; // first sighting: top_ is 0, ahead >= 1, the window restarts
      seen_ = (top_ == 0 || ahead >= width) ? 1 : (seen_ << ahead) | 1;
      top_ = top;
      return arrival::in_order;
    }
    auto behind = top_ - top; // bit `behind` stands for seq
    if (behind >= width) return arrival::reordered;
    auto bit = uint64_t{1} << behind;
    if (seen_ & bit) return arrival::duplicate;
    seen_ |= bit;
    return arrival::reordered;
  }

private:
  static constexpr uint64_t width = 64;
  uint64_t top_ = 0;  // highest seq seen + 1; 0: nothing seen yet
  uint64_t seen_ = 0; // bit i: seq top_ - 1 - i was seen
};

} // namespace chat::bench
