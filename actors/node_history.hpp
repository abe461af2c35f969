// node_history.hpp -- channel history in a cluster (docs/CLUSTER.md "History"). A channel's
// owner node numbers each message as it puts the batch in the channel's order, keeps the
// stream, and answers JOIN replays and HISTORY pages from it. A replay is sent back along the
// relays' path, so it reaches the joining member's channel at its place in that order: nothing
// relayed before it is missing from it, nothing after it is in it. A node that becomes a
// channel's owner starts a new epoch. Called by the node actor's handlers (node.cpp,
// node_channels.cpp, node_membership.cpp).
#pragma once

#include "actors/node.hpp"

#include <cstdint>
#include <string>

namespace chat {

// `v2` with each MSG numbered in the channel's stream (and appended to it), when this node owns
// the channel and keeps history; else `v2` unchanged (offsets 0).
frame_batch number_batch(node_ptr self, const std::string& channel, const frame_batch& v2);

// From a channel of this node: its replay, asked of the channel's owner (this node or another).
void ask_replay(node_ptr self, const std::string& channel, uint64_t id, const replay_request& ask);

// As the owner: the replay `ask` wants, taken now, sent to node `origin` in the channel's order.
void replay_in_order(node_ptr self, const std::string& channel, const std::string& origin,
                     uint64_t id, const replay_request& ask);

// A HISTORY page: from this node's stream if it owns the channel, else from the owner.
caf::result<history_page> history_anywhere(node_ptr self, const std::string& channel,
                                           uint64_t before, uint16_t limit);
caf::result<history_page> history_here(node_ptr self, const std::string& channel, uint64_t before,
                                       uint16_t limit);

// After the nodes changed: the streams of channels this node no longer owns are dropped. Should
// it own one again, that stream starts a new epoch: its history has a hole where another node
// numbered the channel's messages.
void forget_moved_history(node_ptr self);

} // namespace chat
