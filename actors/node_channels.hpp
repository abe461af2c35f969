// node_channels.hpp -- the node actor's half that makes channels and direct messages span the
// cluster (docs/CLUSTER.md "Channels across nodes"): each channel's owner node puts its batches
// in one order for every node; WHO, LIST and direct messages ask every node. Called only by
// the node actor's handlers (node.cpp).
#pragma once

#include "actors/node.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace chat {

// The owner node of a channel: the rule names use, over "#<channel>".
std::string channel_owner(node_ptr self, const std::string& channel);

// A batch accepted by a channel on this node: to the channel's owner, which puts it in order.
void submit(node_ptr self, const std::string& channel, const frame_batch& v1,
            const frame_batch& v2);

// As the channel's owner (or the node that believes it is): the batch's place in the one order
// is now; it goes to every node, this one included, in that order.
void put_in_order(node_ptr self, const std::string& channel, const frame_batch& v1,
                  const frame_batch& v2);

// A direct message for a user on no this-node member: asks every other node.
caf::result<caf::ok_atom> direct_anywhere(node_ptr self, const std::string& to,
                                          const std::string& from, const std::string& text);

// WHO and LIST over every node reachable now (an unreachable node counts as empty).
caf::result<uint32_t, std::vector<std::string>, std::string>
who_everywhere(node_ptr self, const std::string& channel, const std::string& after, uint16_t limit);
caf::result<uint32_t, std::vector<std::string>, std::vector<uint32_t>, std::string>
list_everywhere(node_ptr self, const std::string& after, uint16_t limit);

} // namespace chat
