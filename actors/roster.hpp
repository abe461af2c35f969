// roster.hpp -- the registry of logged-in names on a node, and the way to a user by name.
// Spawned once per server by the wiring in apps/; sessions and bots log in through it and send
// direct messages through it. Channels (actors/channel.hpp) do the fan-out, not the roster.
#pragma once

#include "messages/interfaces.hpp"

#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace chat {

struct roster_state {
  std::unordered_map<std::string, member_actor> members;
  std::unordered_map<caf::actor_addr, std::string> names; // a member's address -> its name
  std::optional<node_actor> node;           // set when this roster is one node of a cluster
  std::unordered_set<std::string> claiming; // names the cluster is being asked about
  static inline const char* name = "roster";
};

using roster_ptr = roster_actor::stateful_pointer<roster_state>;

// A name is held by one member at a time; in a cluster (docs/CLUSTER.md) the roster asks its
// node before a name is taken. A direct message goes from the roster to the holder of the name,
// which acknowledges it, so the sender's REPLY means the recipient's session has it.
roster_actor::behavior_type roster(roster_ptr self);

} // namespace chat
