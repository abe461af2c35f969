// incoming_parts.hpp -- the multi-part messages a session is putting back together for its
// client (docs/PROTOCOL.md "Multi-part messages"). Owned by the session; made on the first PART
// and kept from then on (its spent ids stop a duplicated part from delivering a message twice),
// so a connection that never sends one pays one pointer.
// Keeps /metrics' chat_multipart_held_bytes true, whatever ends the session.
#pragma once

#include "messages/multipart_reassembly.hpp"

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace chat {

class incoming_parts {
public:
  incoming_parts() = default;
  incoming_parts(const incoming_parts&) = delete;
  incoming_parts& operator=(const incoming_parts&) = delete;
  ~incoming_parts();

  v2::part_outcome add(std::string_view payload, v2::reassembly_clock::time_point now,
                       const v2::reassembly_limits& limits);
  std::vector<v2::expired_message> expire(v2::reassembly_clock::time_point now);
  std::optional<v2::reassembly_clock::time_point> next_expiry() const;

  std::size_t held_bytes() const { return held_; }

  // Whether a timer for next_expiry() is set; the session sets one at a time.
  bool timer_set = false;

private:
  void count(std::size_t held_now); // moves the gauge from held_ to held_now

  std::unique_ptr<v2::message_reassembly> messages_;
  std::size_t held_ = 0;
};

} // namespace chat
