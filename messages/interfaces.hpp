// interfaces.hpp -- the typed interfaces of every actor, so a wrong send fails to compile.
// Included by transport (connection_owner only), actors, apps, tests and examples.
#pragma once

#include "messages/atoms.hpp"
#include "messages/frame.hpp"
#include "messages/history.hpp"
#include "messages/member_outbox.hpp"

#include <caf/all.hpp>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace chat {

// What a client session reports to whoever drives it (terminal, test, bench): every frame the
// server sent, and the end of the connection with a human-readable reason.
using client_observer = caf::typed_actor<caf::reacts_to<received_atom, inbound_frame>,
                                         caf::reacts_to<closed_atom, std::string>>;

// The actor that owns one transport connection. A framing violation stops reading and is
// reported with PROTOCOL.md's reason ("frame too large"); the owner answers it and closes.
using connection_owner = client_observer::extend<caf::reacts_to<violated_atom, std::string>>;

// Anything that sits in a channel or holds a name: a session, a bot.
//   deliver  a batch of frames from a channel, encoded once for every member of its version;
//   evict    the member's name was taken from it: in a cluster, an earlier login of the same
//            name on another node won (docs/CLUSTER.md);
//   direct   a direct message (to, from, text) for this member's user: ok, or errc::no_direct
//            when the member cannot take one (a version-1 client never sees a DM frame).
using member_actor = caf::typed_actor<
    caf::reacts_to<deliver_atom, frame_batch>, caf::reacts_to<evict_atom>,
    caf::replies_to<direct_atom, std::string, std::string, std::string>::with<caf::ok_atom>>;

// What a channel tells its observers, decoded (no observer parses wire frames): someone joined,
// left or dropped out, or said `text`.
struct channel_event {
  enum class kind : uint8_t { joined = 1, left = 2, dropped = 3, message = 4 };
  kind what = kind::message;
  std::string channel;
  std::string user;
  std::string text; // for a message
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, channel_event& x) {
  return f(caf::meta::type_name("chat::channel_event"), x.what, x.channel, x.user, x.text);
}

inline bool operator==(const channel_event& a, const channel_event& b) {
  return a.what == b.what && a.channel == b.channel && a.user == b.user && a.text == b.text;
}

// An observer of channels: attached and detached at run time through the directory
// (observe/unobserve); it sees every event of the channel in the channel's order.
using channel_observer = caf::typed_actor<caf::reacts_to<event_atom, channel_event>>;

// A member that reads its channels as decoded events (a bot): it joins as a member (to be
// listed, and to post) and observes the channels it joined; frames delivered to it are ignored.
using bot_actor = member_actor::extend_with<channel_observer>;

// Anything that may send a frame to one client: the extension handler's way to answer.
using client_link = caf::typed_actor<caf::reacts_to<send_atom, frame>>;

// Server side of one TCP connection.
// retry: the message allowance has a token again for the message that waited (a timer).
using session_actor = connection_owner::extend_with<member_actor>::extend_with<client_link>::extend<
    caf::reacts_to<retry_atom>, caf::reacts_to<expire_atom>>;

// The handler of an extension frame type (64..127), registered with the server before it
// starts (server::handle_extension): type, the sender's user name, the payload, and the
// sender's session to answer through. Sessions forward such frames only from logged-in users.
using extension_handler = caf::typed_actor<
    caf::reacts_to<extension_atom, uint8_t, std::string, std::string, client_link>>;

// What a member holds once it has joined a channel (docs/ARCHITECTURE.md "Channels"):
//   post   user, text: a message from that user, accepted only from the member holding it;
//   leave  user: the member leaves (presence "left" to the others);
//   who    after, limit: one page of members in byte order of their names: total, names,
//          next ("" on the last page, else the `after` of the next one);
//   history  before, limit: one page of kept messages older than offset `before` (0: the
//          newest), or errc::no_history when the channel keeps none.
using channel_handle = caf::typed_actor<
    caf::reacts_to<post_atom, std::string, std::string>, caf::reacts_to<leave_atom, std::string>,
    caf::replies_to<who_atom, std::string, uint16_t>::with<uint32_t, std::vector<std::string>,
                                                           std::string>,
    caf::replies_to<history_atom, uint64_t, uint16_t>::with<history_page>>;

// A page of a channel's members: total, names, next ("" on the last page).
using who_page = caf::replies_to<who_atom, std::string, std::string,
                                 uint16_t>::with<uint32_t, std::vector<std::string>, std::string>;

// One chat-server process in a cluster (docs/CLUSTER.md): the link of its roster (names) and
// its channels to the other nodes. Its own actors ask it (join, leave, broadcast, direct, who,
// list); other nodes talk to it over CAF's middleman (hello, claim, release, order, relay,
// evict, connect, here). Addresses are "host:port" of cluster ports.
using node_actor = caf::typed_actor<
    // from this node's roster
    caf::replies_to<join_atom, std::string, int64_t>::with<caf::ok_atom>, // name, login time;
                                                                          // or errc::name_taken
    caf::reacts_to<leave_atom, std::string>,
    // to, from, text: a direct message for a user not on this node; ok once a node's member
    // took it, else errc::no_such_user / errc::no_direct
    caf::replies_to<direct_atom, std::string, std::string, std::string>::with<caf::ok_atom>,
    // from this node's channels: channel, v1 batch, v2 batch, to be put in the channel's one
    // order by its owner node, which relays it to every node (this one included)
    caf::reacts_to<broadcast_atom, std::string, frame_batch, frame_batch>,
    // from this node's channels, in a cluster with history (docs/CLUSTER.md "History"):
    //   replay   channel, id, ask: the owner answers with a relay(replay, ...) to this node, in
    //            the channel's order;
    //   history  channel, before, limit: a page from the owner's history
    caf::reacts_to<replay_atom, std::string, uint64_t, replay_request>,
    caf::replies_to<history_atom, std::string, uint64_t, uint16_t>::with<history_page>,
    // from this node's directory: cluster-wide WHO (or errc::no_such_channel) and LIST
    who_page,
    caf::replies_to<list_atom, std::string, uint16_t>::with<uint32_t, std::vector<std::string>,
                                                            std::vector<uint32_t>, std::string>,
    // from other nodes
    caf::replies_to<hello_atom, std::string>::with<std::set<std::string>>, // addresses known
    // name, login time, holder's address, fresh (a new LOGIN rather than a claim again)
    caf::replies_to<claim_atom, std::string, int64_t, std::string, bool>::with<caf::ok_atom>,
    caf::reacts_to<release_atom, std::string, std::string>,            // name, holder's address
    caf::reacts_to<order_atom, std::string, frame_batch, frame_batch>, // to the owner
    caf::reacts_to<relay_atom, std::string, frame_batch, frame_batch>, // from the owner
    // to the owner: channel, the asking node's address, id, ask; and the answer, from the owner
    caf::reacts_to<order_atom, replay_atom, std::string, std::string, uint64_t, replay_request>,
    caf::reacts_to<relay_atom, replay_atom, std::string, uint64_t, std::vector<history_entry>,
                   stream_position>,
    caf::replies_to<here_atom, history_atom, std::string, uint64_t, uint16_t>::with<history_page>,
    caf::reacts_to<evict_atom, std::string>,   // name
    caf::reacts_to<connect_atom, std::string>, // dial this address (also our own retries)
    // this node only: a direct message to a member here; a page of a channel's members here;
    // every channel here with its member count
    caf::replies_to<here_atom, direct_atom, std::string, std::string,
                    std::string>::with<caf::ok_atom>,
    caf::replies_to<here_atom, who_atom, std::string, std::string,
                    uint16_t>::with<uint32_t, std::vector<std::string>, std::string>,
    caf::replies_to<here_atom, list_atom>::with<std::vector<std::string>, std::vector<uint32_t>>,
    // from operators and tests
    caf::replies_to<count_atom>::with<uint64_t>,      // members on this node
    caf::replies_to<status_atom>::with<std::string>>; // one line per node: address, members

// One channel (actors/channel.hpp): its members, its batch, its order.
//   join     user, member, version-2 member?, its outbox: the handle to post and leave with;
//            or errc::channel_full; a user already in the channel is answered at once (the
//            newer member replaces the older one if they differ). With an outbox (a session)
//            the member's batches go there; with none (a bot) to the member as deliver messages.
//            With a replay_request as well: the stream's position too, and the replay it asked
//            for put in the outbox ahead of every live batch (docs/PROTOCOL.md "History");
//   flush    the end of the current batch (the channel's own marker);
//   relay    v1 batch, v2 batch accepted on another node: local fan-out only;
//   replay   id, entries, position: a cluster's answer to a JOIN's replay_request, from the
//            channel's owner node along the relays' path (so in the channel's order);
//   retire   the directory agrees the channel is gone: quit;
//   observe / unobserve   attach or detach an observer (forwarded by the directory).
using channel_actor = channel_handle::extend<
    caf::replies_to<join_atom, std::string, member_actor, bool,
                    member_outbox_ptr>::with<channel_handle>,
    caf::replies_to<join_atom, std::string, member_actor, bool, member_outbox_ptr,
                    replay_request>::with<channel_handle, stream_position>,
    caf::reacts_to<flush_atom>, caf::reacts_to<relay_atom, frame_batch, frame_batch>,
    caf::reacts_to<replay_atom, uint64_t, std::vector<history_entry>, stream_position>,
    caf::reacts_to<replay_atom, expire_atom, uint64_t>, caf::reacts_to<retire_atom>,
    caf::reacts_to<observe_atom, channel_observer>,
    caf::reacts_to<unobserve_atom, channel_observer>>;

// Finds or spawns a channel by name; the one place that knows every channel of a node.
//   join     channel, user, member, v2 [, outbox [, replay]]: forwarded to the channel (spawned
//            on first join); or errc::too_many_channels;
//   members  channel, members now, joins (and observes) the channel has seen, observers now:
//            from the channel itself, so LIST needs no round trip and a channel retires only
//            when it has no member, no observer, and nothing on its way to it;
//   observe / unobserve   channel, observer: attach (spawning the channel if needed) or detach;
//   who      channel, after, limit: as channel_handle's who, or errc::no_such_channel;
//   list     after, limit: total channels, names, member counts, next;
//   count    channel: members right now (0 for no such channel): operators and tests;
//   relay    channel, v1, v2: a batch put in order by the channel's owner node, to the channel
//            if it exists here;
//   here     who and list of this node only, for the node's cluster-wide answers. In a cluster
//            `who` and `list` are the cluster's, through the node.
using directory_actor = caf::typed_actor<
    caf::replies_to<join_atom, std::string, std::string, member_actor, bool>::with<channel_handle>,
    caf::replies_to<join_atom, std::string, std::string, member_actor, bool,
                    member_outbox_ptr>::with<channel_handle>,
    caf::replies_to<join_atom, std::string, std::string, member_actor, bool, member_outbox_ptr,
                    replay_request>::with<channel_handle, stream_position>,
    caf::reacts_to<members_atom, std::string, uint32_t, uint64_t, uint32_t>,
    caf::reacts_to<observe_atom, std::string, channel_observer>,
    caf::reacts_to<unobserve_atom, std::string, channel_observer>,
    caf::replies_to<who_atom, std::string, std::string,
                    uint16_t>::with<uint32_t, std::vector<std::string>, std::string>,
    caf::replies_to<list_atom, std::string, uint16_t>::with<uint32_t, std::vector<std::string>,
                                                            std::vector<uint32_t>, std::string>,
    caf::replies_to<count_atom, std::string>::with<uint64_t>,
    caf::reacts_to<cluster_atom, node_actor>,
    caf::reacts_to<relay_atom, std::string, frame_batch, frame_batch>,
    caf::reacts_to<relay_atom, replay_atom, std::string, uint64_t, std::vector<history_entry>,
                   stream_position>,
    caf::replies_to<here_atom, who_atom, std::string, std::string,
                    uint16_t>::with<uint32_t, std::vector<std::string>, std::string>,
    caf::replies_to<here_atom, list_atom>::with<std::vector<std::string>, std::vector<uint32_t>>>;

// The registry of logged-in names, and the way to a user by name (direct messages).
using roster_actor = caf::typed_actor<
    caf::replies_to<join_atom, std::string, member_actor>::with<caf::ok_atom>, // or
                                                                               // errc::name_taken
    caf::reacts_to<leave_atom, std::string>, // only the name's holder may leave it
    // to, from, text: from the holder of `from` only; ok once the recipient took it, or
    // errc::no_such_user / errc::no_direct
    caf::replies_to<direct_atom, std::string, std::string, std::string>::with<caf::ok_atom>,
    // the same for a member on this node only, from the node (another node's sender)
    caf::replies_to<here_atom, direct_atom, std::string, std::string,
                    std::string>::with<caf::ok_atom>,
    caf::replies_to<count_atom>::with<uint64_t>, // names held right now
    caf::reacts_to<cluster_atom, node_actor>,    // names are claimed via it
    caf::reacts_to<evict_atom, std::string>>;    // the name's holder here lost it

// Direct messages for users who are not logged in (actors/inbox.hpp):
//   keep   to, from, text: kept until `to` logs in (ok), or errc::no_such_user where no store
//          keeps them;
//   take   user: everything kept for `user`, oldest first, now removed.
using inbox_actor = caf::typed_actor<
    caf::replies_to<keep_atom, std::string, std::string, std::string>::with<caf::ok_atom>,
    caf::replies_to<take_atom, std::string>::with<std::vector<history_entry>>>;

// Client side of one TCP connection: commands in, frames out to its observer. The version-2
// commands carry the request's ref first; channel names have no '#':
//   join, leave  ref, channel;     post    ref, channel, text (MSG);
//   direct       ref, to, text (DM);
//   who          ref, channel, after, limit;   list  ref, after, limit;
//   join (long form)  ref, channel, replay;      history  ref, channel, before, limit.
using client_session_actor = connection_owner::extend<
    caf::reacts_to<login_atom, std::string>, caf::reacts_to<echo_atom, std::string>,
    caf::reacts_to<broadcast_atom, std::string>,
    caf::reacts_to<send_atom, uint8_t, std::string>, // any frame type, e.g. extensions 64..127
    caf::reacts_to<raw_atom, std::string>,           // bytes as they are: protocol tests
    caf::reacts_to<quit_atom>,                       // flush what is queued, then close
    caf::reacts_to<join_atom, uint32_t, std::string>,
    caf::reacts_to<leave_atom, uint32_t, std::string>,
    caf::reacts_to<post_atom, uint32_t, std::string, std::string>,
    caf::reacts_to<direct_atom, uint32_t, std::string, std::string>,
    caf::reacts_to<who_atom, uint32_t, std::string, std::string, uint16_t>,
    caf::reacts_to<list_atom, uint32_t, std::string, uint16_t>,
    caf::reacts_to<join_atom, uint32_t, std::string, replay_request>,
    caf::reacts_to<history_atom, uint32_t, std::string, uint64_t, uint16_t>,
    caf::reacts_to<retry_atom>,   // the next part of a message sent in parts
    caf::reacts_to<expire_atom>>; // parts from the server that never made a whole message

} // namespace chat
