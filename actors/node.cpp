#include "actors/node.hpp"

#include "actors/node_membership.hpp"
#include "actors/node_names.hpp"
#include "messages/errors.hpp"

namespace chat {

node_actor::behavior_type node(node_ptr self, roster_actor roster, directory_actor directory,
                               node_options options) {
  self->state.options = std::move(options);
  self->state.roster = std::move(roster);
  self->state.directory = std::move(directory);
  self->set_down_handler([self](const caf::down_msg& dm) { on_node_down(self, dm); });
  for (auto& seed : self->state.options.seeds)
    self->send(self, connect_atom_v, seed);
  return {
      [self](join_atom, const std::string& name, int64_t since) {
        auto rp = self->make_response_promise<caf::ok_atom>();
        ask_owner(self, {name, since, rp});
        return rp;
      },
      [self](leave_atom, const std::string& name) { release_name(self, name); },
      [self](broadcast_atom, const std::string& channel, const frame_batch& v1,
             const frame_batch& v2) {
        for (auto& peer : self->state.peers)
          self->send(peer.second, relay_atom_v, channel, v1, v2);
      },
      [self](hello_atom, const std::string& address) {
        add_peer(self, address, caf::actor_cast<node_actor>(self->current_sender()));
        return members(self);
      },
      [self](claim_atom, const std::string& name, int64_t since, const std::string& holder,
             bool fresh) -> caf::result<caf::ok_atom> {
        if (!settle(self, name, since, holder, fresh)) return make_error(errc::name_taken, name);
        return caf::ok_atom_v;
      },
      [self](release_atom, const std::string& name, const std::string& holder) {
        self->state.claims.release(name, holder);
      },
      [self](relay_atom, const std::string& channel, const frame_batch& v1, const frame_batch& v2) {
        self->send(self->state.directory, relay_atom_v, channel, v1, v2);
      },
      [self](evict_atom, const std::string& name) { evict_here(self, name); },
      [self](connect_atom, const std::string& address) { dial(self, address); },
      [self](count_atom) { return self->delegate(self->state.roster, count_atom_v); },
      [self](status_atom) { return status(self); },
  };
}

} // namespace chat
