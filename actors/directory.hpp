// directory.hpp -- the channels of a node by name: finds a channel, or spawns it on its first
// JOIN, and forgets it when it is empty. Spawned once per server by the wiring in apps/;
// sessions ask it to join, for WHO of a channel they are not in, and for LIST.
#pragma once

#include "messages/interfaces.hpp"
#include "store/history_store.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace chat {

struct directory_options {
  uint32_t max_channels = 10000;    // channels on this node; the default channel is always allowed
  uint32_t max_channel_members = 0; // per channel; 0: unlimited
  // Where channels keep their history; none: channels keep none.
  store::history_store_ptr history;
};

struct directory_entry {
  channel_actor channel;
  uint32_t members = 0;    // as the channel last reported
  uint64_t joins_sent = 0; // joins forwarded to it
};

struct directory_state {
  directory_options limits;
  std::map<std::string, directory_entry> channels; // in LIST order
  std::optional<node_actor> node;
  static inline const char* name = "directory";
};

using directory_ptr = directory_actor::stateful_pointer<directory_state>;

// Retire rule: a channel reports (members, joins seen) after every change; when it reports no
// members and has seen every join the directory forwarded, no join is on its way to it, so the
// directory forgets it and tells it to quit. A join after that spawns a new channel.
directory_actor::behavior_type directory(directory_ptr self, directory_options limits);

} // namespace chat
