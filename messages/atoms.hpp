// atoms.hpp -- the verbs of every typed message in the system (CAF 0.17 atom constants).
// Included through interfaces.hpp; they must precede the interfaces, so they stay out of the
// type-ID block (atoms need no registration).
#pragma once

#include <caf/all.hpp>

#include <type_traits>

namespace chat {

#define CHAT_ATOM(name, text)                                                                      \
  using name = caf::atom_constant<caf::atom(text)>;                                                \
  inline constexpr name name##_v {}

// connection -> its owner
CHAT_ATOM(received_atom, "received"); // a decoded frame
CHAT_ATOM(violated_atom, "violated"); // a framing violation; reading has stopped
CHAT_ATOM(closed_atom, "closed");     // the connection is gone

// channels, names and fan-out
CHAT_ATOM(join_atom, "join");
CHAT_ATOM(leave_atom, "leave");
CHAT_ATOM(broadcast_atom, "broadcast");
CHAT_ATOM(flush_atom, "flush"); // the room's own end-of-batch marker
CHAT_ATOM(deliver_atom, "deliver");
CHAT_ATOM(count_atom, "count");
CHAT_ATOM(post_atom, "post");       // a message to a channel
CHAT_ATOM(direct_atom, "direct");   // a message to one user
CHAT_ATOM(who_atom, "who");         // a channel's members, paged
CHAT_ATOM(list_atom, "list");       // the channels, paged
CHAT_ATOM(history_atom, "history"); // a channel's past messages, paged
CHAT_ATOM(keep_atom, "keep");       // a direct message for a user who is away
CHAT_ATOM(take_atom, "take");       // the direct messages kept for a user, handed over once
CHAT_ATOM(members_atom, "members"); // channel -> directory: how many members now
CHAT_ATOM(retire_atom, "retire");   // directory -> channel: you are empty and forgotten

// extension points (docs/ARCHITECTURE.md "Extending")
CHAT_ATOM(observe_atom, "observe");     // attach an observer to a channel
CHAT_ATOM(unobserve_atom, "unobserve"); // detach it
CHAT_ATOM(event_atom, "event");         // channel -> observer: one decoded event
CHAT_ATOM(extension_atom, "extension"); // session -> the handler of a frame type 64..127

// client session commands
CHAT_ATOM(login_atom, "login");
CHAT_ATOM(echo_atom, "echo");
CHAT_ATOM(send_atom, "send");
CHAT_ATOM(raw_atom, "raw");
CHAT_ATOM(quit_atom, "quit");

// client supervisor: connecting, reconnecting, round trips
CHAT_ATOM(connect_atom, "connect");
CHAT_ATOM(connected_atom, "connected");
CHAT_ATOM(failed_atom, "failed");
CHAT_ATOM(retry_atom, "retry");
CHAT_ATOM(ping_atom, "ping");
CHAT_ATOM(expire_atom, "expire"); // a request's time is up: its caller hears so

// cluster: nodes (one per chat-server process) and the actors they front
CHAT_ATOM(cluster_atom, "cluster"); // roster, directory <- wiring: the node they belong to
CHAT_ATOM(hello_atom, "hello");     // node -> node: I am at this address; whom do you know?
CHAT_ATOM(claim_atom, "claim");     // node -> a name's owner node: may this name be held?
CHAT_ATOM(release_atom, "release"); // node -> a name's owner node: the name is free again
CHAT_ATOM(relay_atom, "relay");     // a batch accepted on another node: local fan-out only
CHAT_ATOM(evict_atom, "evict");     // a name lost to an earlier login elsewhere
CHAT_ATOM(status_atom, "status");   // the nodes a node sees, with member counts
CHAT_ATOM(order_atom, "order");     // node -> a channel's owner node: put this batch in order
CHAT_ATOM(here_atom, "here");       // marks a query or delivery for this node only (no fan-out)
CHAT_ATOM(replay_atom, "replay");   // a joining member's recovery, in the channel's order

#undef CHAT_ATOM

// CAF 0.17 defines caf::join_atom and caf::leave_atom with the same text: ours are the very same
// types, so the two never disagree (and `using namespace caf` stays banned).
static_assert(std::is_same_v<join_atom, caf::join_atom>);
static_assert(std::is_same_v<leave_atom, caf::leave_atom>);
static_assert(std::is_same_v<connect_atom, caf::connect_atom>);
static_assert(std::is_same_v<ping_atom, caf::ping_atom>);

} // namespace chat
