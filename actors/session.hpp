// session.hpp -- the server side of one client connection: protocol rules and login state.
// Spawned by the server wiring for each accepted connection; the roster knows it by its name,
// channels know it as a member. session.cpp holds its life cycle and version 1, session_v2.cpp
// the version-2 requests (docs/PROTOCOL.md).
#pragma once

#include "actors/incoming_parts.hpp"
#include "actors/multipart_connection.hpp"
#include "actors/session_outbox.hpp"
#include "actors/token_bucket.hpp"
#include "auth/token_verifier.hpp"
#include "messages/interfaces.hpp"
#include "transport/connection.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace chat {

// Who handles which extension frame type (64..127): fixed before the server starts, then shared
// read-only by every session.
using extension_table = std::map<uint8_t, extension_handler>;

// Per-user bounds a session enforces, set by server options; and the extension handlers.
struct session_limits {
  // Messages per second, refilled continuously; 0: no limit. One allowance for every message a
  // user sends: BROADCAST_MSG, MSG to any channel, DM.
  double max_broadcast_rate = 10;
  double broadcast_burst = 20; // messages allowed at once after a quiet spell
  // Past the allowance a message is not refused: it waits for its token, and so does everything
  // the client sent after it (reading stops, TCP holds the sender back). A client that has been
  // waiting for this long without catching up gets ERROR "excess flood" and is closed.
  std::chrono::milliseconds flood_timeout{30000};
  // Largest frame body the server sends: an echo, broadcast or delivery that would outgrow it
  // gets ERROR / REPLY "message too long" instead (clients reject larger frames).
  std::size_t max_frame = default_max_frame;
  // Multi-part messages (docs/PROTOCOL.md "Multi-part messages"), from a client that speaks
  // version 3 or over UDP: parts.max_message (--max-message) bounds a message's body both ways,
  // in place of max_frame.
  v2::reassembly_limits parts;
  uint32_t max_channels_per_user = 100;
  uint32_t max_channel_members = 0; // told to clients in HELLO; the channel enforces it
  uint16_t page_size = 100;         // WHO / LIST / HISTORY entries per reply at most
  uint32_t max_replay = 10000;      // a JOIN's `count` at most (the history retention)
  std::shared_ptr<const extension_table> extensions; // none: every type 64..127 is unknown
  // Where a DM to a user who is not logged in waits (actors/inbox.hpp); none: such a DM is
  // refused "no such user".
  inbox_actor inbox;
  // --auth token: every LOGIN carries a token this verifies (immutable, shared by all sessions);
  // none: --auth none, the LOGIN payload is the name (docs/PROTOCOL.md "Token authentication").
  std::shared_ptr<const auth::token_verifier> tokens;
};

// Where the session is in its life:
//
//   greeting --LOGIN ok--> member --evicted--> greeting
//      |  ^
//      |  +-- LOGIN refused
//      +-- HELLO (version 2) keeps it in greeting; HELLO after LOGIN is refused
//
// Independently, `waiting` says whether a request to the roster or the directory is
// unanswered, or a message waits for its token of the allowance: then later frames wait in
// `held`, so every client is answered in the order it sent its frames (a LOGIN and a
// BROADCAST_MSG pipelined, a JOIN and a MSG to that channel, 200 lines pasted at once).
enum class waiting_for : uint8_t { nothing, login, join, token };

// A channel the session is in, and the outbox that channel writes this client's batches to.
struct joined_channel {
  channel_handle channel;
  std::shared_ptr<session_outbox> outbox;
};

struct session_state {
  // The transport's connection, seen through the multipart_connection every send goes through.
  std::shared_ptr<multipart_connection> conn;
  roster_actor roster;
  directory_actor directory;
  // One copy per server, shared by all its sessions: an idle connection does not carry its own.
  std::shared_ptr<const session_limits> limits;
  token_bucket<caf::actor_clock::clock_type> messages;
  uint64_t delayed = 0; // messages that waited for a token since the client last caught up
  std::optional<caf::actor_clock::time_point> flooding_since; // waiting for tokens since
  uint16_t version = 1; // 2 or 3 once the client said HELLO with that version
  incoming_parts parts; // multi-part messages from the client, being put back together
  std::string user;     // empty while not logged in
  // The channels the login token lists (its `channels` claim); none: every channel.
  std::optional<std::vector<std::string>> token_channels;
  waiting_for waiting = waiting_for::nothing;
  std::vector<inbound_frame> held;
  std::map<std::string, joined_channel> channels; // by name
  static inline const char* name = "session";
};

// The session actor's class: CAF's typed event-based actor that, while it runs on a thread, is
// that thread's running session. Every session shares one behaviour whose handlers capture
// nothing and find their session here, so a connection does not carry its own 400-byte copy
// of the behaviour (BENCHMARKS.md, "seventh pass"). CAF calls every handler, response handlers
// included, from resume().
class session_base : public session_actor::base {
public:
  using super = session_actor::base;
  explicit session_base(caf::actor_config& cfg) : super(cfg) {}
  resume_result resume(caf::execution_unit* ctx, size_t max_throughput) override;
};

using session_ptr = caf::stateful_actor<session_state, session_base>*;

// Bounds on what a session holds for its client.
inline constexpr std::size_t max_held_frames = 1024;
inline constexpr std::chrono::seconds login_timeout{10};

session_actor::behavior_type session(session_ptr self, roster_actor roster,
                                     directory_actor directory, transport::connection_ptr conn,
                                     std::shared_ptr<const session_limits> limits);

// Shared by session.cpp and session_v2.cpp.
namespace session_detail {
void send_error(session_ptr self, std::string_view reason);
// Once the answer that puts the client in a channel went out: that channel's batches follow.
void open_outbox(session_ptr self, session_outbox& outbox);
// After a request to the roster or directory is answered: frames held meanwhile, in order.
void release_held(session_ptr self);
// Takes the token of the message allowance that handle() made sure is there.
void take_message_token(session_ptr self);
// Every version-2 frame type; `f.type` is in 7..63.
void on_v2_frame(session_ptr self, inbound_frame& f);
// Whether a message of `text_size` bytes from this session's user to `channel` fits in a frame
// for every member: as MSG, and in the default channel also as BROADCAST_MSG ("<user>: text").
bool delivery_fits(session_ptr self, std::string_view channel, std::size_t text_size);
// After a version-2 LOGIN: the direct messages kept while the user was away, as DM frames.
void deliver_kept_directs(session_ptr self);
// The largest body of one message the client may send or receive: --max-message if large
// frames reach it whole (version 3, or UDP), else --max-frame.
std::size_t max_body(const session_state& st);
// A PART frame from a client that may send them (session_parts.cpp): true if `f` is now the
// whole frame its last part completed, to be handled as if it had arrived so; false if there
// is nothing more to do with it (held for more parts, ignored, or answered with an ERROR).
bool reassemble(session_ptr self, inbound_frame& f);
// Whether PART frames from this client are messages to reassemble (else an unknown type).
bool sends_parts(const session_state& st);
// The reassembly's timer: messages whose time is up are dropped, each with its ERROR.
void expire_parts(session_ptr self);
// Leaves every channel (a name lost to eviction): the channels tell their members.
void leave_all(session_ptr self);
// Whether the login token lets the user into `channel` (always, without a channels claim).
bool token_allows(const session_state& st, std::string_view channel);
// LOGIN (session_login.cpp): who the client is (a name, or the user its token names), the
// roster's grant of the name, and for a version-1 client its place in the default channel.
void on_login(session_ptr self, const std::string& payload);
} // namespace session_detail

} // namespace chat
