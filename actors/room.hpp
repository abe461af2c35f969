// room.hpp -- the registry of logged-in names and the fan-out point for broadcasts.
// Spawned once per server by the wiring in apps/; sessions and bots talk to it as room_actor.
#pragma once

#include "messages/interfaces.hpp"

#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace chat {

struct room_state {
  std::unordered_map<std::string, member_actor> members;
  std::unordered_map<caf::actor_addr, std::string> names; // a member's address -> its name
  std::vector<frame> batch;                 // broadcasts accepted since the last delivery, in order
  std::optional<node_actor> node;           // set when this room is one node of a cluster
  std::unordered_set<std::string> claiming; // names the cluster is being asked about
  static inline const char* name = "room";
};

using room_ptr = room_actor::stateful_pointer<room_state>;

// Fan-out (ARCHITECTURE.md "Fan-out cost"): each broadcast is encoded once, here, and appended
// to the current batch; the first one of a batch sends the room a flush, and on flush every
// member gets ONE deliver carrying the whole batch. Busy rooms thus pay one actor message per
// member per batch, not per broadcast, and order holds because CAF keeps per-pair order.
// In a cluster (docs/CLUSTER.md) the room also asks its node before a name is taken, and hands
// it each batch once, for all other nodes; batches relayed from them fan out here unchanged.
room_actor::behavior_type room(room_ptr self);

} // namespace chat
