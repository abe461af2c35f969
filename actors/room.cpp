#include "actors/room.hpp"

#include "messages/errors.hpp"
#include "messages/frame_encoder.hpp"

namespace chat {

namespace {

caf::result<caf::ok_atom> join(room_ptr self, const std::string& name, member_actor who) {
  auto& st = self->state;
  if (st.members.count(name) > 0) return make_error(errc::name_taken, name);
  if (auto held = st.names.find(who.address()); held != st.names.end())
    return make_error(errc::already_joined, held->second); // one name, so one copy per broadcast
  self->monitor(who);
  st.names.emplace(who.address(), name);
  st.members.emplace(name, std::move(who));
  return caf::ok_atom_v;
}

void forget(room_ptr self, const caf::actor_addr& who) {
  auto& st = self->state;
  auto i = st.names.find(who);
  if (i == st.names.end()) return;
  st.members.erase(i->second);
  st.names.erase(i);
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

void deliver_batch(room_ptr self) {
  auto& st = self->state;
  if (st.batch.empty()) return;
  frame_batch batch{std::move(st.batch)};
  st.batch = {};
  for (auto& entry : st.members)
    self->send(entry.second, deliver_atom_v, batch); // a reference count, not a copy
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
  };
}

} // namespace chat
