#include "actors/channel_history.hpp"

#include "messages/errors.hpp"
#include "messages/protocol_v2.hpp"
#include "store/stream_log.hpp"

namespace chat {

bool keeps_history(channel_ptr self) {
  return self->state.options.history != nullptr; // never loaded in a cluster (channel.cpp)
}

uint64_t number_message(channel_ptr self, const std::string& user, const std::string& text) {
  auto& st = self->state;
  if (!keeps_history(self)) return 0;
  // The channel is the log's only writer: what it appended, then what it holds back.
  auto offset = st.options.history->next_offset() + st.unpersisted.size();
  st.unpersisted.push_back({offset, store::wall_clock_ms(), user, text});
  return offset;
}

void persist(channel_ptr self) {
  auto& st = self->state;
  if (st.unpersisted.empty()) return;
  st.options.history->append(st.unpersisted, store::wall_clock_ms()); // keeps its capacity
}

namespace {

using namespace std::chrono_literals;

// How long a JOIN waits for the owner node's replay before it is answered `unavailable`.
constexpr auto replay_timeout = 3s;

void deliver_replay(channel_ptr self, std::vector<history_entry> entries, member_outbox& outbox) {
  if (entries.empty()) return;
  std::vector<frame> frames;
  frames.reserve(entries.size());
  for (auto& e : entries)
    frames.push_back(v2::encode(v2::msg_delivery{self->state.options.name, std::move(e.sender),
                                                 std::move(e.text), e.offset}));
  outbox.deliver(frame_batch{std::move(frames)});
}

} // namespace

stream_position replay_for(channel_ptr self, const replay_request& ask, member_outbox& outbox) {
  auto& st = self->state;
  if (!keeps_history(self)) return {recovery::unavailable, 0, 0, 0, 0};
  // join() delivered the pending batch, so every message accepted so far is in the log.
  auto replay = st.options.history->take_replay(ask, store::wall_clock_ms());
  deliver_replay(self, std::move(replay.entries), outbox);
  return replay.position;
}

caf::result<channel_handle, stream_position> replay_from_owner(channel_ptr self,
                                                               const std::string& user,
                                                               member_outbox_ptr outbox,
                                                               const replay_request& ask) {
  auto& st = self->state;
  st.members.at(user).awaiting_replay = true;
  auto id = ++st.last_replay_id;
  auto rp = self->make_response_promise<channel_handle, stream_position>();
  st.replays.emplace(id, pending_replay{user, std::move(outbox), rp});
  // Before the batch with this member's own presence (flushed after this handler), so the
  // member hears that presence after its replay, as without a cluster.
  self->send(*st.options.node, replay_atom_v, st.options.name, id, ask);
  self->delayed_send(self, replay_timeout, replay_atom_v, expire_atom_v, id);
  return rp;
}

void finish_replay(channel_ptr self, uint64_t id, std::vector<history_entry> entries,
                   const stream_position& position) {
  auto& st = self->state;
  auto i = st.replays.find(id);
  if (i == st.replays.end()) return; // answered already (late answer, or the wait ended)
  auto pending = std::move(i->second);
  st.replays.erase(i);
  auto m = st.members.find(pending.user);
  bool same = m != st.members.end() && m->second.outbox == pending.outbox;
  if (same) {
    // Everything relayed before this answer is in `entries`; from here on the member is live.
    deliver_replay(self, std::move(entries), *pending.outbox);
    m->second.awaiting_replay = false;
  }
  pending.rp.deliver(caf::actor_cast<channel_handle>(self), position);
}

caf::result<history_page> history_page_of(channel_ptr self, uint64_t before, uint16_t limit) {
  auto& st = self->state;
  if (st.options.node) // the owner node keeps a cluster channel's history
    return self->delegate(*st.options.node, history_atom_v, st.options.name, before, limit);
  // Only what was delivered: a message still in the pending batch reaches members live.
  if (!keeps_history(self)) return make_error(errc::no_history, st.options.name);
  return st.options.history->page(before, limit, store::wall_clock_ms());
}

} // namespace chat
