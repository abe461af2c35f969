// channel.hpp -- one named conversation: its members, the order of its messages, its fan-out.
// Spawned by the directory (actors/directory.hpp) on the first JOIN of a name; members reach
// it through the channel_handle the join answers with. Gone when its last member leaves.
#pragma once

#include "messages/interfaces.hpp"
#include "store/history_store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace chat {

struct channel_options {
  std::string name;
  uint32_t max_members = 0; // 0: unlimited
  directory_actor directory;
  std::optional<node_actor> node; // set when this node is part of a cluster
  // Where the channel's history is kept; none: it keeps none, nor in a cluster (docs/CLUSTER.md).
  store::history_store_ptr store;
  // The channel's stream, loaded from `store` by the channel itself when it starts.
  std::shared_ptr<store::stream_log> history;
};

struct channel_member {
  member_actor who;
  bool v2 = false; // speaks protocol version 2: gets MSG and PRESENCE, else BROADCAST_MSG only
  member_outbox_ptr outbox; // a session's connection; none: `who` gets deliver messages
  // In a cluster, between a JOIN that asked for a replay and the replay's arrival: what is
  // relayed meanwhile is in the replay, so the member gets nothing else until then.
  bool awaiting_replay = false;
};

// A JOIN's replay asked of the cluster (channel_history.hpp), until the owner's answer.
struct pending_replay {
  std::string user;
  member_outbox_ptr outbox;
  caf::typed_response_promise<channel_handle, stream_position> rp;
};

struct channel_state {
  channel_options options;
  // By user. Unordered: fan-out walks it for every batch; WHO, which is rare, sorts a page.
  std::unordered_map<std::string, channel_member> members;
  std::unordered_map<caf::actor_addr, std::string> users; // a member's address -> its user
  std::size_t v1_members = 0;
  // What was accepted since the last delivery, in order, once per protocol version.
  std::vector<frame> v1_batch;
  std::vector<frame> v2_batch;
  // History (channel_history.hpp): the pending batch's messages, numbered, not yet in the log.
  std::vector<history_entry> unpersisted;
  std::unordered_map<uint64_t, pending_replay> replays; // by id, in a cluster
  uint64_t last_replay_id = 0;
  std::vector<channel_observer> observers; // attached at run time; few, so a vector
  uint64_t joins_seen = 0;                 // joins and observes, for the directory's retire rule
  static inline const char* name = "channel";
};

using channel_ptr = channel_actor::stateful_pointer<channel_state>;

// Fan-out (docs/ARCHITECTURE.md "Fan-out"): each message is encoded once per protocol version
// present, here, and appended to the current batch; the first one of a batch sends the channel
// a flush, and on flush each member gets the batch of its version ONCE: in its outbox (a
// session's connection, no actor message) or as one deliver message (a bot). Membership
// changes deliver the pending batch first, so a member sees exactly the messages accepted
// while it was a member, and one order: the channel's. Version-1 members exist only in the
// default channel (they are put there at LOGIN) and never see a version-2 frame. Observers get
// each event decoded from the version-2 batch as members get it, so in the same order.
channel_actor::behavior_type channel(channel_ptr self, channel_options options);

} // namespace chat
