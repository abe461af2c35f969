// interfaces.hpp -- the typed interfaces of every actor, so a wrong send fails to compile.
// Included by transport (connection_owner only), actors, apps, tests and examples.
#pragma once

#include "messages/atoms.hpp"
#include "messages/frame.hpp"

#include <caf/all.hpp>

#include <cstdint>
#include <string>

namespace chat {

// What a client session reports to whoever drives it (terminal, test, bench): every frame the
// server sent, and the end of the connection with a human-readable reason.
using client_observer = caf::typed_actor<caf::reacts_to<received_atom, inbound_frame>,
                                         caf::reacts_to<closed_atom, std::string>>;

// The actor that owns one transport connection. A framing violation stops reading and is
// reported with PROTOCOL.md's reason ("frame too large"); the owner answers it and closes.
using connection_owner = client_observer::extend<caf::reacts_to<violated_atom, std::string>>;

// Anything that sits in a room: a session, a bot, later a bridge to another node.
using member_actor = caf::typed_actor<caf::reacts_to<deliver_atom, frame_batch>>;

// Server side of one TCP connection.
using session_actor = connection_owner::extend_with<member_actor>;

// The registry of logged-in names and the fan-out point for broadcasts.
using room_actor = caf::typed_actor<
    caf::replies_to<join_atom, std::string, member_actor>::with<caf::ok_atom>, // or
                                                                               // errc::name_taken
    caf::reacts_to<leave_atom, std::string>,                  // only the name's holder may leave it
    caf::reacts_to<broadcast_atom, std::string, std::string>, // name, text; from its holder only
    caf::reacts_to<flush_atom>,                               // end of the current batch
    caf::replies_to<count_atom>::with<uint64_t>>;             // members right now

// Client side of one TCP connection: commands in, frames out to its observer.
using client_session_actor = connection_owner::extend<
    caf::reacts_to<login_atom, std::string>, caf::reacts_to<echo_atom, std::string>,
    caf::reacts_to<broadcast_atom, std::string>,
    caf::reacts_to<send_atom, uint8_t, std::string>, // any frame type, e.g. extensions 64..127
    caf::reacts_to<raw_atom, std::string>,           // bytes as they are: protocol tests
    caf::reacts_to<quit_atom>>;                      // flush what is queued, then close

} // namespace chat
