// inbox.hpp -- direct messages for users who are not logged in: kept in the history store
// (one stream per user, "@name") until the user's next version-2 login takes them. Spawned
// once per server by the wiring when it keeps history (not in a cluster); sessions ask it.
#pragma once

#include "messages/interfaces.hpp"
#include "store/history_store.hpp"

namespace chat {

struct inbox_state {
  store::history_store_ptr store;
  static inline const char* name = "inbox";
};

using inbox_ptr = inbox_actor::stateful_pointer<inbox_state>;

// Loading a user's stream may read the disk once; the inbox is its own actor so that no session
// waits for that.
inbox_actor::behavior_type inbox(inbox_ptr self, store::history_store_ptr store);

// The store's stream of a user's kept direct messages.
std::string inbox_stream(const std::string& user);

} // namespace chat
