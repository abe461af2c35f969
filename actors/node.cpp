#include "actors/node.hpp"

#include "actors/node_channels.hpp"
#include "actors/node_history.hpp"
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
      [self](direct_atom, const std::string& to, const std::string& from, const std::string& text) {
        return direct_anywhere(self, to, from, text);
      },
      [self](broadcast_atom, const std::string& channel, const frame_batch& v1,
             const frame_batch& v2) { submit(self, channel, v1, v2); },
      [self](replay_atom, const std::string& channel, uint64_t id, const replay_request& ask) {
        ask_replay(self, channel, id, ask);
      },
      [self](history_atom, const std::string& channel, uint64_t before, uint16_t limit) {
        return history_anywhere(self, channel, before, limit);
      },
      [self](order_atom, replay_atom, const std::string& channel, const std::string& origin,
             uint64_t id,
             const replay_request& ask) { replay_in_order(self, channel, origin, id, ask); },
      [self](relay_atom, replay_atom, const std::string& channel, uint64_t id,
             std::vector<history_entry>& entries, const stream_position& position) {
        self->send(self->state.directory, relay_atom_v, replay_atom_v, channel, id,
                   std::move(entries), position);
      },
      [self](here_atom, history_atom, const std::string& channel, uint64_t before, uint16_t limit) {
        return history_here(self, channel, before, limit);
      },
      [self](who_atom, const std::string& channel, const std::string& after, uint16_t limit) {
        return who_everywhere(self, channel, after, limit);
      },
      [self](list_atom, const std::string& after, uint16_t limit) {
        return list_everywhere(self, after, limit);
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
      [self](order_atom, const std::string& channel, const frame_batch& v1, const frame_batch& v2) {
        put_in_order(self, channel, v1, v2);
      },
      [self](relay_atom, const std::string& channel, const frame_batch& v1, const frame_batch& v2) {
        self->send(self->state.directory, relay_atom_v, channel, v1, v2);
      },
      [self](evict_atom, const std::string& name) { evict_here(self, name); },
      [self](connect_atom, const std::string& address) { dial(self, address); },
      [self](here_atom, direct_atom, const std::string& to, const std::string& from,
             const std::string& text) {
        return self->delegate(self->state.roster, here_atom_v, direct_atom_v, to, from, text);
      },
      [self](here_atom, who_atom, const std::string& channel, const std::string& after,
             uint16_t limit) {
        return self->delegate(self->state.directory, here_atom_v, who_atom_v, channel, after,
                              limit);
      },
      [self](here_atom, list_atom) {
        return self->delegate(self->state.directory, here_atom_v, list_atom_v);
      },
      [self](count_atom) { return self->delegate(self->state.roster, count_atom_v); },
      [self](status_atom) { return status(self); },
  };
}

} // namespace chat
