// interfaces.hpp -- the typed interfaces of every actor, so a wrong send fails to compile.
// Included by transport (connection_owner only), actors, apps, tests and examples.
#pragma once

#include "messages/atoms.hpp"
#include "messages/frame.hpp"

#include <caf/all.hpp>

#include <cstdint>
#include <set>
#include <string>

namespace chat {

// What a client session reports to whoever drives it (terminal, test, bench): every frame the
// server sent, and the end of the connection with a human-readable reason.
using client_observer = caf::typed_actor<caf::reacts_to<received_atom, inbound_frame>,
                                         caf::reacts_to<closed_atom, std::string>>;

// The actor that owns one transport connection. A framing violation stops reading and is
// reported with PROTOCOL.md's reason ("frame too large"); the owner answers it and closes.
using connection_owner = client_observer::extend<caf::reacts_to<violated_atom, std::string>>;

// Anything that sits in a room: a session, a bot. `evict` says the member's name was taken
// from it: in a cluster, an earlier login of the same name on another node won (docs/CLUSTER.md).
using member_actor =
    caf::typed_actor<caf::reacts_to<deliver_atom, frame_batch>, caf::reacts_to<evict_atom>>;

// Server side of one TCP connection.
using session_actor = connection_owner::extend_with<member_actor>;

// One chat-server process in a cluster (docs/CLUSTER.md): the room's link to the other nodes.
// Its own room asks it (join, leave, broadcast); other nodes talk to it over CAF's middleman
// (hello, claim, release, relay, evict, connect). Addresses are "host:port" of cluster ports.
using node_actor = caf::typed_actor<
    // from this node's room
    caf::replies_to<join_atom, std::string, int64_t>::with<caf::ok_atom>, // name, login time;
                                                                          // or errc::name_taken
    caf::reacts_to<leave_atom, std::string>,
    caf::reacts_to<broadcast_atom, frame_batch>, // to every other node, encoded already
    // from other nodes
    caf::replies_to<hello_atom, std::string>::with<std::set<std::string>>, // addresses known
    // name, login time, holder's address, fresh (a new LOGIN rather than a claim again)
    caf::replies_to<claim_atom, std::string, int64_t, std::string, bool>::with<caf::ok_atom>,
    caf::reacts_to<release_atom, std::string, std::string>, // name, holder's address
    caf::reacts_to<relay_atom, frame_batch>, caf::reacts_to<evict_atom, std::string>, // name
    caf::reacts_to<connect_atom, std::string>, // dial this address (also our own retries)
    // from operators and tests
    caf::replies_to<count_atom>::with<uint64_t>,      // members on this node
    caf::replies_to<status_atom>::with<std::string>>; // one line per node: address, members

// The registry of logged-in names and the fan-out point for broadcasts.
using room_actor = caf::typed_actor<
    caf::replies_to<join_atom, std::string, member_actor>::with<caf::ok_atom>, // or
                                                                               // errc::name_taken
    caf::reacts_to<leave_atom, std::string>,                  // only the name's holder may leave it
    caf::reacts_to<broadcast_atom, std::string, std::string>, // name, text; from its holder only
    caf::reacts_to<flush_atom>,                               // end of the current batch
    caf::replies_to<count_atom>::with<uint64_t>,              // members right now
    caf::reacts_to<cluster_atom, node_actor>,                 // names and broadcasts go via it
    caf::reacts_to<relay_atom, frame_batch>,                  // from another node: fan out here
    caf::reacts_to<evict_atom, std::string>>;                 // the name's holder here lost it

// Client side of one TCP connection: commands in, frames out to its observer.
using client_session_actor = connection_owner::extend<
    caf::reacts_to<login_atom, std::string>, caf::reacts_to<echo_atom, std::string>,
    caf::reacts_to<broadcast_atom, std::string>,
    caf::reacts_to<send_atom, uint8_t, std::string>, // any frame type, e.g. extensions 64..127
    caf::reacts_to<raw_atom, std::string>,           // bytes as they are: protocol tests
    caf::reacts_to<quit_atom>>;                      // flush what is queued, then close

} // namespace chat
