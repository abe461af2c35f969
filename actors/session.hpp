// session.hpp -- the server side of one client connection: protocol rules and login state.
// Spawned by the server wiring for each accepted connection; the room knows it as a member.
#pragma once

#include "actors/token_bucket.hpp"
#include "messages/interfaces.hpp"
#include "transport/connection.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace chat {

// State machine:
//
//   awaiting_login --LOGIN ok--> logged_in
//        |   ^                       |
//        | LOGIN refused              +--closed--> (leaves the room, quits)
//        +---+
//
// While the room decides a LOGIN, later frames wait in `held` so that a client that pipelines
// LOGIN and BROADCAST_MSG is answered in the order it sent them.
// Per-user bounds a session enforces; set by server options.
struct session_limits {
  double max_broadcast_rate = 10; // broadcasts per second, refilled continuously; 0: no limit
  double broadcast_burst = 20;    // broadcasts allowed at once after a quiet spell
  // Largest frame body the server sends: an echo or broadcast that would outgrow it with its
  // prefix gets ERROR "message too long" instead (clients reject larger frames).
  std::size_t max_frame = default_max_frame;
};

struct session_state {
  transport::connection_ptr conn;
  room_actor room;
  session_limits limits;
  token_bucket<caf::actor_clock::clock_type> broadcasts;
  uint64_t rate_limited = 0;  // broadcasts refused since the last one that passed
  std::string user;           // empty while awaiting login
  bool login_pending = false; // a join request to the room is unanswered
  std::vector<inbound_frame> held;
  static inline const char* name = "session";
};

using session_ptr = session_actor::stateful_pointer<session_state>;

// Bounds on what a session holds for its client.
inline constexpr std::size_t max_held_frames = 1024;
inline constexpr std::chrono::seconds login_timeout{10};

session_actor::behavior_type session(session_ptr self, room_actor room,
                                     transport::connection_ptr conn, session_limits limits);

} // namespace chat
