// node_names.hpp -- the node actor's half that keeps one name space across the cluster
// (docs/CLUSTER.md "One name space"): owners, claims, re-claims and evictions. Called only by
// the node actor's handlers (node.cpp) and its membership half (node_membership.cpp).
#pragma once

#include "actors/node.hpp"

#include <string>

namespace chat {

// The owner of `name` among the nodes this one can reach.
std::string owner_of(node_ptr self, const std::string& name);

// As the name's owner: may `holder` have it? Evicts an earlier-recorded, later login if needed.
bool settle(node_ptr self, const std::string& name, int64_t since, const std::string& holder,
            bool fresh);

// A LOGIN of this node's member: asks the name's owner, answers `login.rp` once.
void ask_owner(node_ptr self, pending_login login);

// A member here left: its name is free again at its owner.
void release_name(node_ptr self, const std::string& name);

// A member here lost its name to an earlier login elsewhere.
void evict_here(node_ptr self, const std::string& name);

// Membership changed: every name held here is claimed again at its (new) owner.
void reclaim(node_ptr self);

// The node at `address` is gone: its claims are void (how many is returned), LOGINs it was
// deciding move to their new owners, and this node's names are claimed again.
std::size_t forget_holder(node_ptr self, const std::string& address);

} // namespace chat
