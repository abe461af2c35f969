// part_expiry.hpp -- the one timer that drops unfinished multi-part messages when they run out
// (docs/PROTOCOL.md "Receiving: whole or nothing"). The session (session_parts.cpp) and the
// client session (client_session.cpp) reassemble alike, so both arm it here; each answers the
// expire_atom it sends itself by expiring its parts and arming it again.
#pragma once

#include "messages/atoms.hpp"

#include <algorithm>
#include <chrono>

namespace chat {

// One timer at a time, for the message that runs out first. Times come from the actor's clock,
// not the steady clock itself: under CAF's test scheduler that clock is virtual, and the timer
// and the reassembly must agree on what time it is. `self->state.parts` has next_expiry() and
// timer_set (incoming_parts, client_parts).
template <class Self> void arm_part_expiry(Self self) {
  auto& parts = self->state.parts;
  auto due = parts.next_expiry();
  if (parts.timer_set || !due) return;
  parts.timer_set = true;
  auto wait = *due - self->clock().now();
  self->delayed_send(self, std::max(wait, decltype(wait){0}) + std::chrono::milliseconds{1},
                     expire_atom_v);
}

} // namespace chat
