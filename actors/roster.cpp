#include "actors/roster.hpp"

#include "messages/errors.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace chat {

namespace {

// How long the roster waits for its node to settle a name with the cluster.
constexpr auto cluster_claim_timeout = std::chrono::seconds(5);

int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

caf::actor_addr sender_of(roster_ptr self) {
  return caf::actor_cast<caf::actor_addr>(self->current_sender());
}

void admit(roster_ptr self, const std::string& name, member_actor who) {
  self->monitor(who);
  self->state.names.emplace(who.address(), name);
  self->state.members.emplace(name, std::move(who));
}

caf::result<caf::ok_atom> join(roster_ptr self, const std::string& name, member_actor who) {
  auto& st = self->state;
  if (st.members.count(name) > 0 || st.claiming.count(name) > 0)
    return make_error(errc::name_taken, name);
  if (auto held = st.names.find(who.address()); held != st.names.end())
    return make_error(errc::already_joined, held->second);
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

void forget(roster_ptr self, const caf::actor_addr& who) {
  auto& st = self->state;
  auto i = st.names.find(who);
  if (i == st.names.end()) return;
  if (st.node) self->send(*st.node, leave_atom_v, i->second);
  st.members.erase(i->second);
  st.names.erase(i);
}

// The cluster gave the name to an earlier login on another node: the member here loses it
// without a release (the name is not free, it is someone else's).
void evict(roster_ptr self, const std::string& name) {
  auto& st = self->state;
  auto i = st.members.find(name);
  if (i == st.members.end()) return;
  spdlog::info("name lost user={} reason=\"held since earlier on another node\"", name);
  self->send(i->second, evict_atom_v);
  self->demonitor(i->second.address());
  st.names.erase(i->second.address());
  st.members.erase(i);
}

caf::result<caf::ok_atom> deliver_direct(roster_ptr self, const std::string& to,
                                         const std::string& from, const std::string& text);

caf::result<caf::ok_atom> direct(roster_ptr self, const std::string& to, const std::string& from,
                                 const std::string& text) {
  auto& st = self->state;
  // Only the holder of `from` sends under it (an anonymous sender holds nothing).
  auto sender = sender_of(self);
  if (!sender) return make_error(errc::refused, from);
  auto holder = st.names.find(sender);
  if (holder == st.names.end() || holder->second != from) return make_error(errc::refused, from);
  if (st.members.count(to) == 0 && st.node) // on another node, if anywhere
    return self->delegate(*st.node, direct_atom_v, to, from, text);
  return deliver_direct(self, to, from, text);
}

// To the member here holding `to`, which acknowledges it.
caf::result<caf::ok_atom> deliver_direct(roster_ptr self, const std::string& to,
                                         const std::string& from, const std::string& text) {
  auto& st = self->state;
  auto i = st.members.find(to);
  if (i == st.members.end()) return make_error(errc::no_such_user, to);
  auto rp = self->make_response_promise<caf::ok_atom>();
  // No timeout: the recipient is an actor of this node that answers at once, or is gone and the
  // request bounces. A timeout would put one more timer per DM into the actor clock.
  self->request(i->second, caf::infinite, direct_atom_v, to, from, text)
      .then([rp](caf::ok_atom) mutable { rp.deliver(caf::ok_atom_v); },
            [rp, to](caf::error& err) mutable {
              // A recipient that went away meanwhile is, for the sender, nobody.
              if (err == caf::sec::request_receiver_down) err = make_error(errc::no_such_user, to);
              rp.deliver(std::move(err));
            });
  return rp;
}

} // namespace

roster_actor::behavior_type roster(roster_ptr self) {
  self->set_down_handler([self](const caf::down_msg& dm) { forget(self, dm.source); });
  return {
      [self](join_atom, const std::string& name, member_actor who) {
        return join(self, name, std::move(who));
      },
      [self](leave_atom, const std::string& name) {
        auto sender = sender_of(self);
        auto i = self->state.members.find(name);
        if (sender && i != self->state.members.end() && i->second.address() == sender)
          forget(self, sender);
      },
      [self](direct_atom, const std::string& to, const std::string& from, const std::string& text) {
        return direct(self, to, from, text);
      },
      [self](here_atom, direct_atom, const std::string& to, const std::string& from,
             const std::string& text) { return deliver_direct(self, to, from, text); },
      [self](count_atom) { return static_cast<uint64_t>(self->state.members.size()); },
      [self](cluster_atom, node_actor node) { self->state.node = std::move(node); },
      [self](evict_atom, const std::string& name) { evict(self, name); },
  };
}

} // namespace chat
