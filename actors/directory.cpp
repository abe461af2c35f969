#include "actors/directory.hpp"
#include "messages/counters.hpp"

#include "actors/channel.hpp"
#include "messages/channel_name.hpp"
#include "messages/errors.hpp"

namespace chat {

namespace {

// The channel of that name, spawned if there is none; nullptr past --max-channels.
directory_entry* find_or_spawn(directory_ptr self, const std::string& name) {
  auto& st = self->state;
  auto i = st.channels.find(name);
  if (i != st.channels.end()) return &i->second;
  if (st.channels.size() >= st.limits.max_channels && name != default_channel) return nullptr;
  channel_options options{name,
                          st.limits.max_channel_members,
                          caf::actor_cast<directory_actor>(self),
                          st.node,
                          st.limits.history,
                          nullptr};
  // Linked: a directory that goes takes its channels along.
  auto ch = self->spawn<caf::linked>(channel, std::move(options));
  counters::add(counters::total::channels_opened);
  return &st.channels.emplace(name, directory_entry{std::move(ch)}).first->second;
}

// Forwards a join, with whatever it carries after `v2`, to the channel.
template <class Result, class... Ts>
Result join(directory_ptr self, const std::string& name, const std::string& user, member_actor who,
            bool v2, Ts&&... xs) {
  auto* entry = find_or_spawn(self, name);
  if (!entry) return make_error(errc::too_many_channels, name);
  ++entry->joins_sent;
  return self->delegate(entry->channel, join_atom_v, user, std::move(who), v2,
                        std::forward<Ts>(xs)...);
}

void on_members(directory_ptr self, const std::string& name, uint32_t members, uint64_t joins_seen,
                uint32_t observers) {
  auto& st = self->state;
  auto i = st.channels.find(name);
  // A report from a channel already retired (a new one of that name may exist) is stale.
  if (i == st.channels.end() ||
      i->second.channel.address() != caf::actor_cast<caf::actor_addr>(self->current_sender()))
    return;
  i->second.members = members;
  if (members == 0 && observers == 0 && joins_seen == i->second.joins_sent) {
    self->send(i->second.channel, retire_atom_v);
    st.channels.erase(i);
    counters::add(counters::total::channels_closed);
  }
}

std::tuple<uint32_t, std::vector<std::string>, std::vector<uint32_t>, std::string>
list(directory_ptr self, const std::string& after, uint16_t limit) {
  auto& channels = self->state.channels;
  std::vector<std::string> names;
  std::vector<uint32_t> counts;
  auto i = after.empty() ? channels.begin() : channels.upper_bound(after);
  for (; i != channels.end() && (limit == 0 || names.size() < limit); ++i) {
    names.push_back(i->first);
    counts.push_back(i->second.members);
  }
  std::string next = i != channels.end() && !names.empty() ? names.back() : std::string{};
  return {static_cast<uint32_t>(channels.size()), std::move(names), std::move(counts),
          std::move(next)};
}

caf::result<uint32_t, std::vector<std::string>, std::string>
who_here(directory_ptr self, const std::string& name, const std::string& after, uint16_t limit) {
  auto i = self->state.channels.find(name);
  if (i == self->state.channels.end()) return make_error(errc::no_such_channel, name);
  return self->delegate(i->second.channel, who_atom_v, after, limit);
}

} // namespace

directory_actor::behavior_type directory(directory_ptr self, directory_options limits) {
  self->state.limits = limits;
  return {
      [self](join_atom, const std::string& name, const std::string& user, member_actor who,
             bool v2) {
        return join<caf::result<channel_handle>>(self, name, user, std::move(who), v2,
                                                 member_outbox_ptr{});
      },
      [self](join_atom, const std::string& name, const std::string& user, member_actor who, bool v2,
             member_outbox_ptr& outbox) {
        return join<caf::result<channel_handle>>(self, name, user, std::move(who), v2,
                                                 std::move(outbox));
      },
      [self](join_atom, const std::string& name, const std::string& user, member_actor who, bool v2,
             member_outbox_ptr& outbox, const replay_request& ask) {
        return join<caf::result<channel_handle, stream_position>>(self, name, user, std::move(who),
                                                                  v2, std::move(outbox), ask);
      },
      [self](members_atom, const std::string& name, uint32_t members, uint64_t joins_seen,
             uint32_t observers) { on_members(self, name, members, joins_seen, observers); },
      [self](observe_atom, const std::string& name, channel_observer who) {
        // An observer may watch a channel nobody is in yet; it counts like a join.
        if (auto* entry = find_or_spawn(self, name)) {
          ++entry->joins_sent;
          self->send(entry->channel, observe_atom_v, std::move(who));
        }
      },
      [self](unobserve_atom, const std::string& name, const channel_observer& who) {
        auto i = self->state.channels.find(name);
        if (i != self->state.channels.end()) self->send(i->second.channel, unobserve_atom_v, who);
      },
      [self](who_atom, const std::string& name, const std::string& after,
             uint16_t limit) -> caf::result<uint32_t, std::vector<std::string>, std::string> {
        if (self->state.node)
          return self->delegate(*self->state.node, who_atom_v, name, after, limit);
        return who_here(self, name, after, limit);
      },
      [self](list_atom, const std::string& after, uint16_t limit)
          -> caf::result<uint32_t, std::vector<std::string>, std::vector<uint32_t>, std::string> {
        if (self->state.node) return self->delegate(*self->state.node, list_atom_v, after, limit);
        auto [total, names, counts, next] = list(self, after, limit);
        return {total, std::move(names), std::move(counts), std::move(next)};
      },
      [self](here_atom, who_atom, const std::string& name, const std::string& after,
             uint16_t limit) { return who_here(self, name, after, limit); },
      [self](here_atom, list_atom) {
        auto [total, names, counts, next] = list(self, {}, 0);
        return caf::result<std::vector<std::string>, std::vector<uint32_t>>{std::move(names),
                                                                            std::move(counts)};
      },
      [self](count_atom, const std::string& name) {
        auto i = self->state.channels.find(name);
        return static_cast<uint64_t>(i == self->state.channels.end() ? 0 : i->second.members);
      },
      [self](cluster_atom, node_actor node) { self->state.node = std::move(node); },
      [self](relay_atom, const std::string& name, const frame_batch& v1, const frame_batch& v2) {
        auto i = self->state.channels.find(name);
        if (i != self->state.channels.end()) self->send(i->second.channel, relay_atom_v, v1, v2);
      },
      // A replay travels the relays' path (node -> directory -> channel), so it reaches the
      // channel at its place in the channel's order.
      [self](relay_atom, replay_atom, const std::string& name, uint64_t id,
             std::vector<history_entry>& entries, const stream_position& position) {
        auto i = self->state.channels.find(name);
        if (i != self->state.channels.end())
          self->send(i->second.channel, replay_atom_v, id, std::move(entries), position);
      },
  };
}

} // namespace chat
