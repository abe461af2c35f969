// session_parts.cpp -- a session's multi-part messages from its client (docs/PROTOCOL.md
// "Receiving: whole or nothing"): PART frames go to the session's incoming_parts, a message that
// becomes whole is handled in the place of its last part, and the ones that break a bound or
// run out of time are dropped with an ERROR. The connection stays either way.
#include "actors/part_expiry.hpp"
#include "actors/session.hpp"

#include "messages/multipart.hpp"
#include "messages/protocol_v2.hpp"

#include <spdlog/spdlog.h>

namespace chat::session_detail {

std::size_t max_body(const session_state& st) {
  return st.conn->takes_large_frames()
             ? std::max(st.limits->parts.max_message, st.limits->max_frame)
             : st.limits->max_frame;
}

bool sends_parts(const session_state& st) {
  return st.version >= v2::multipart_version || st.conn->carries_large_frames();
}

bool reassemble(session_ptr self, inbound_frame& f) {
  auto& st = self->state;
  auto limits = st.limits->parts;
  limits.newest_wins = st.conn->carries_large_frames(); // over UDP a lost part never comes
  auto outcome = st.parts.add(f.payload, self->clock().now(), limits);
  if (!outcome.pushed_out.error.empty()) {
    spdlog::info("multi-part dropped peer={} user={} reason=\"{}\"", st.conn->peer(),
                 st.user.empty() ? "-" : st.user, outcome.pushed_out.error);
    send_error(self, outcome.pushed_out.error);
  }
  using kind = v2::part_outcome::kind;
  switch (outcome.what) {
  case kind::complete:
    f = std::move(outcome.message);
    return true;
  case kind::incomplete:
    arm_part_expiry(self);
    return false;
  case kind::duplicate:
  case kind::late:
    return false;
  case kind::refused:
  case kind::malformed:
    spdlog::info("multi-part refused peer={} user={} reason=\"{}\"", st.conn->peer(),
                 st.user.empty() ? "-" : st.user, outcome.error);
    send_error(self, outcome.error);
    return false;
  }
  return false;
}

void expire_parts(session_ptr self) {
  auto& st = self->state;
  st.parts.timer_set = false;
  for (auto& dropped : st.parts.expire(self->clock().now())) {
    spdlog::info("multi-part timed out peer={} user={} id={} held={} count={}", st.conn->peer(),
                 st.user.empty() ? "-" : st.user, dropped.id, dropped.held, dropped.count);
    send_error(self, dropped.error);
  }
  arm_part_expiry(self);
}

} // namespace chat::session_detail
