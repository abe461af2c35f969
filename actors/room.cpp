#include "actors/room.hpp"

#include "messages/errors.hpp"
#include "messages/frame_encoder.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace chat {

namespace {

// How long the room waits for its node to settle a name with the cluster.
constexpr auto cluster_claim_timeout = std::chrono::seconds(5);

int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void admit(room_ptr self, const std::string& name, member_actor who) {
  self->monitor(who);
  self->state.names.emplace(who.address(), name);
  self->state.members.emplace(name, std::move(who));
}

caf::result<caf::ok_atom> join(room_ptr self, const std::string& name, member_actor who) {
  auto& st = self->state;
  if (st.members.count(name) > 0 || st.claiming.count(name) > 0)
    return make_error(errc::name_taken, name);
  if (auto held = st.names.find(who.address()); held != st.names.end())
    return make_error(errc::already_joined, held->second); // one name, so one copy per broadcast
  if (!st.node) {
    admit(self, name, std::move(who));
    return caf::ok_atom_v;
  }
  // Clustered: the name must be free on every node, which only the cluster can say. Meanwhile
  // it counts as taken here, so a second local LOGIN of it is refused at once.
  st.claiming.insert(name);
  auto rp = self->make_response_promise<caf::ok_atom>();
  self->request(*st.node, cluster_claim_timeout, join_atom_v, name, wall_clock_ns())
      .then(
          [self, name, who, rp](caf::ok_atom) mutable {
            self->state.claiming.erase(name);
            admit(self, name, std::move(who)); // a member that died meanwhile is forgotten
            rp.deliver(caf::ok_atom_v);        // at once by its down message
          },
          [self, name, rp](caf::error& err) mutable {
            self->state.claiming.erase(name);
            rp.deliver(std::move(err));
          });
  return rp;
}

void forget(room_ptr self, const caf::actor_addr& who) {
  auto& st = self->state;
  auto i = st.names.find(who);
  if (i == st.names.end()) return;
  if (st.node) self->send(*st.node, leave_atom_v, i->second);
  st.members.erase(i->second);
  st.names.erase(i);
}

// The cluster gave the name to an earlier login on another node: the member here loses it
// without a release (the name is not free, it is someone else's).
void evict(room_ptr self, const std::string& name) {
  auto& st = self->state;
  auto i = st.members.find(name);
  if (i == st.members.end()) return;
  spdlog::info("name lost user={} reason=\"held since earlier on another node\"", name);
  self->send(i->second, evict_atom_v);
  self->demonitor(i->second.address());
  st.names.erase(i->second.address());
  st.members.erase(i);
}

void accept_broadcast(room_ptr self, const std::string& from, const std::string& text) {
  auto& st = self->state;
  auto i = st.members.find(from);
  // Only the name's holder speaks under it; a sender that left meanwhile is dropped too.
  if (i == st.members.end() ||
      i->second.address() != caf::actor_cast<caf::actor_addr>(self->current_sender()))
    return;
  if (st.batch.empty())
    self->send(self, flush_atom_v); // handled after every broadcast already in the mailbox
  st.batch.push_back(encode_broadcast(from, text)); // the one encode of this broadcast
}

void fan_out(room_ptr self, const frame_batch& batch) {
  for (auto& entry : self->state.members)
    self->send(entry.second, deliver_atom_v, batch); // a reference count, not a copy
}

void deliver_batch(room_ptr self) {
  auto& st = self->state;
  if (st.batch.empty()) return;
  frame_batch batch{std::move(st.batch)};
  st.batch = {};
  fan_out(self, batch);
  if (st.node) self->send(*st.node, broadcast_atom_v, batch); // once per batch, for all nodes
}

} // namespace

room_actor::behavior_type room(room_ptr self) {
  self->set_down_handler([self](const caf::down_msg& dm) { forget(self, dm.source); });
  return {
      [self](join_atom, const std::string& name, member_actor who) {
        return join(self, name, std::move(who));
      },
      [self](leave_atom, const std::string& name) {
        auto sender = caf::actor_cast<caf::actor_addr>(self->current_sender());
        auto i = self->state.members.find(name);
        if (i != self->state.members.end() && i->second.address() == sender) forget(self, sender);
      },
      [self](broadcast_atom, const std::string& from, const std::string& text) {
        accept_broadcast(self, from, text);
      },
      [self](flush_atom) { deliver_batch(self); },
      [self](count_atom) { return static_cast<uint64_t>(self->state.members.size()); },
      [self](cluster_atom, node_actor node) { self->state.node = std::move(node); },
      [self](relay_atom, const frame_batch& batch) { fan_out(self, batch); },
      [self](evict_atom, const std::string& name) { evict(self, name); },
  };
}

} // namespace chat
