// channel_history.hpp -- a channel's side of its history (docs/PROTOCOL.md "History"): it
// numbers each message as it accepts it, hands the numbered batch to its stream_log when the
// batch is delivered (one append per batch; the store writes it later, on its own thread),
// and answers JOIN replays and HISTORY pages. Called by actors/channel.cpp only.
#pragma once

#include "actors/channel.hpp"

namespace chat {

// Whether this channel keeps history (not in a cluster yet, and only with a store).
bool keeps_history(channel_ptr self);

// The offset of a message accepted now (0 when the channel keeps no history); it is kept
// until the next persist().
uint64_t number_message(channel_ptr self, const std::string& user, const std::string& text);

// The batch being delivered (or, with no member to hear it, due anyway): its messages go to
// the stream's log.
void persist(channel_ptr self);

// The replay `ask` wants for a member that just joined, put in its outbox (held until the
// session answered the JOIN, so it precedes every live batch); and where the stream stands.
stream_position replay_for(channel_ptr self, const replay_request& ask, member_outbox& outbox);

// In a cluster: asks the channel's owner node for the replay; the member hears nothing until
// it arrives (finish_replay) or the owner does not answer in time (errc-free: `unavailable`).
caf::result<channel_handle, stream_position> replay_from_owner(channel_ptr self,
                                                               const std::string& user,
                                                               member_outbox_ptr outbox,
                                                               const replay_request& ask);

// The owner's answer to replay_from_owner (id), in its place in the channel's order; or, with
// no answer, the end of the wait.
void finish_replay(channel_ptr self, uint64_t id, std::vector<history_entry> entries,
                   const stream_position& position);

// A HISTORY page, or errc::no_history (in a cluster, from the owner node).
caf::result<history_page> history_page_of(channel_ptr self, uint64_t before, uint16_t limit);

} // namespace chat
