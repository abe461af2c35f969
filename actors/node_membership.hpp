// node_membership.hpp -- the node actor's half that finds and keeps the other nodes
// (docs/CLUSTER.md "Joining and membership"): dialling seeds and learned addresses, hellos,
// introductions, loss and redialling, and the status report. Called by node.cpp and node_names.cpp.
#pragma once

#include "actors/node.hpp"

#include <set>
#include <string>

namespace chat {

// This node's address and every reachable peer's.
std::set<std::string> members(node_ptr self);

// This node itself, or a peer it can reach right now.
bool reachable(node_ptr self, const std::string& address);

// Connects to `address` (unless known or already being dialled) and says hello.
void dial(node_ptr self, const std::string& address);

// A node said hello, or answered ours: a member from now on.
void add_peer(node_ptr self, const std::string& address, node_actor peer);

// CAF's down message for a peer's node actor: the node is lost.
void on_node_down(node_ptr self, const caf::down_msg& dm);

// One line per node this one sees: "address members", this node marked.
caf::result<std::string> status(node_ptr self);

} // namespace chat
