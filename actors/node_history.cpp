#include "actors/node_history.hpp"

#include "actors/node_channels.hpp"
#include "messages/errors.hpp"
#include "messages/protocol_v2.hpp"
#include "store/stream_log.hpp"

#include <spdlog/spdlog.h>

namespace chat {

namespace {

bool owns(node_ptr self, const std::string& channel) {
  return channel_owner(self, channel) == self->state.options.address;
}

// This node's stream of a channel it owns, made (with a new epoch) on first use; none when the
// cluster keeps no history or another node owns the channel.
store::stream_log* owned_stream(node_ptr self, const std::string& channel) {
  auto& st = self->state;
  if (!st.options.history || !owns(self, channel)) return nullptr;
  auto& slot = st.owned[channel];
  if (!slot) {
    slot = st.options.history->fresh_stream("#" + channel);
    spdlog::info("cluster: history of #{} starts here, epoch={}", channel, slot->epoch());
  }
  return slot.get();
}

} // namespace

frame_batch number_batch(node_ptr self, const std::string& channel, const frame_batch& v2) {
  auto* log = owned_stream(self, channel);
  if (!log) return v2;
  auto now = store::wall_clock_ms();
  std::vector<history_entry> entries;
  std::vector<frame> numbered;
  numbered.reserve(frames(v2).size());
  for (auto& f : frames(v2)) {
    if (static_cast<v2::type>(type_of(f)) != v2::type::msg) { // presence: no offset
      numbered.push_back(f);
      continue;
    }
    auto decoded = v2::decode_msg_delivery(payload_of(f));
    auto* m = std::get_if<v2::msg_delivery>(&decoded);
    if (!m) { // our own encoding: cannot happen; pass it on rather than lose it
      numbered.push_back(f);
      continue;
    }
    // The accepting node encoded it once for everyone; the owner encodes it once more, with its
    // place in the stream. Per message, not per member.
    m->offset = log->next_offset() + entries.size();
    entries.push_back({m->offset, now, m->sender, m->text});
    numbered.push_back(v2::encode(*m));
  }
  if (entries.empty()) return v2;
  log->append(std::move(entries), now);
  return frame_batch{std::move(numbered)};
}

void ask_replay(node_ptr self, const std::string& channel, uint64_t id, const replay_request& ask) {
  auto& st = self->state;
  auto owner = channel_owner(self, channel);
  if (owner == st.options.address) return replay_in_order(self, channel, owner, id, ask);
  // After the batches this node sent the owner before it (one order between two actors): the
  // replay includes them.
  self->send(st.peers.at(owner), order_atom_v, replay_atom_v, channel, st.options.address, id, ask);
}

void replay_in_order(node_ptr self, const std::string& channel, const std::string& origin,
                     uint64_t id, const replay_request& ask) {
  auto& st = self->state;
  stream_position position{recovery::unavailable, 0, 0, 0, 0};
  std::vector<history_entry> entries;
  if (auto* log = owned_stream(self, channel)) {
    auto replay = log->take_replay(ask, store::wall_clock_ms());
    position = replay.position;
    entries = std::move(replay.entries);
  }
  // The path of put_in_order's relays: to this node's directory, or to the asking node.
  if (origin == st.options.address) {
    self->send(st.directory, relay_atom_v, replay_atom_v, channel, id, std::move(entries),
               position);
    return;
  }
  auto peer = st.peers.find(origin);
  if (peer != st.peers.end())
    self->send(peer->second, relay_atom_v, replay_atom_v, channel, id, std::move(entries),
               position); // else the asking node is gone, and its member with it
}

caf::result<history_page> history_here(node_ptr self, const std::string& channel, uint64_t before,
                                       uint16_t limit) {
  auto* log = owned_stream(self, channel);
  if (!log) return make_error(errc::no_history, channel);
  return log->page(before, limit, store::wall_clock_ms());
}

caf::result<history_page> history_anywhere(node_ptr self, const std::string& channel,
                                           uint64_t before, uint16_t limit) {
  auto owner = channel_owner(self, channel);
  if (owner == self->state.options.address) return history_here(self, channel, before, limit);
  return self->delegate(self->state.peers.at(owner), here_atom_v, history_atom_v, channel, before,
                        limit);
}

void forget_moved_history(node_ptr self) {
  auto& owned = self->state.owned;
  for (auto i = owned.begin(); i != owned.end();) {
    if (owns(self, i->first)) {
      ++i;
      continue;
    }
    spdlog::info("cluster: #{} moved to {}; its history here (epoch={}) is dropped", i->first,
                 channel_owner(self, i->first), i->second->epoch());
    i = owned.erase(i);
  }
}

} // namespace chat
