// session.hpp -- the server side of one client connection: protocol rules and login state.
// Spawned by the server wiring for each accepted connection; the room knows it as a member.
#pragma once

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
struct session_state {
  transport::connection_ptr conn;
  room_actor room;
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
                                     transport::connection_ptr conn);

} // namespace chat
