#include "actors/channel.hpp"

#include "actors/channel_history.hpp"

#include "messages/channel_name.hpp"
#include "messages/errors.hpp"
#include "messages/frame_encoder.hpp"
#include "messages/protocol_v2.hpp"

#include <algorithm>

namespace chat {

namespace {

caf::actor_addr sender_of(channel_ptr self) {
  return caf::actor_cast<caf::actor_addr>(self->current_sender());
}

bool is_default(channel_ptr self) {
  return self->state.options.name == default_channel;
}

void start_batch(channel_ptr self) {
  auto& st = self->state;
  if (st.v1_batch.empty() && st.v2_batch.empty())
    self->send(self, flush_atom_v); // handled after every post already in the mailbox
}

// Observers see what version-2 members see, decoded: a cost paid only when someone observes.
void tell_observers(channel_ptr self, const frame_batch& v2) {
  auto& st = self->state;
  for (auto& f : frames(v2)) {
    auto payload = payload_of(f);
    channel_event event;
    event.channel = st.options.name;
    auto type = static_cast<v2::type>(type_of(f));
    if (type == v2::type::msg) {
      auto m = v2::decode_msg_delivery(payload);
      if (auto* d = std::get_if<v2::msg_delivery>(&m)) {
        event.user = std::move(d->sender);
        event.text = std::move(d->text);
      }
    } else if (type == v2::type::presence) {
      auto p = v2::decode_presence_event(payload);
      if (auto* d = std::get_if<v2::presence_event>(&p)) {
        event.what = static_cast<channel_event::kind>(d->kind);
        event.user = std::move(d->user);
      }
    }
    if (event.user.empty()) continue; // not ours to explain (the channel encodes only these)
    for (auto& o : st.observers)
      self->send(o, event_atom_v, event);
  }
}

// The one place a batch leaves the channel for its members: a session's straight onto its
// connection's queue, a bot's as a message. Either way the batch is shared, not copied.
void fan_out(channel_ptr self, const frame_batch& v1, const frame_batch& v2) {
  for (auto& [user, m] : self->state.members) {
    const auto& batch = m.v2 ? v2 : v1;
    if (frames(batch).empty() || m.awaiting_replay) continue;
    if (m.outbox)
      m.outbox->deliver(batch);
    else
      self->send(m.who, deliver_atom_v, batch);
  }
  if (!self->state.observers.empty()) tell_observers(self, v2);
}

// The batch of a version nobody needed this time: one shared empty batch, not an allocation per
// batch (most channels have members of one version only).
const frame_batch& no_frames() {
  static const frame_batch empty{std::vector<frame>{}};
  return empty;
}

frame_batch take_batch(std::vector<frame>& pending) {
  if (pending.empty()) return no_frames();
  frame_batch batch{std::move(pending)};
  pending = {};
  return batch;
}

void deliver_batch(channel_ptr self) {
  auto& st = self->state;
  persist(self); // first: a message no member hears is still the channel's history
  if (st.v1_batch.empty() && st.v2_batch.empty()) return;
  auto v1 = take_batch(st.v1_batch);
  auto v2 = take_batch(st.v2_batch);
  // In a cluster the channel's owner node puts the batch in the one order every node sees, this
  // one included: members here get it back as a relay, like everyone else.
  if (st.options.node)
    self->send(*st.options.node, broadcast_atom_v, st.options.name, v1, v2);
  else
    fan_out(self, v1, v2);
}

// Whether anyone, here or on another node, may need the version-1 or version-2 encoding.
bool wants_v1(channel_ptr self) {
  return is_default(self) && (self->state.v1_members > 0 || self->state.options.node);
}
bool wants_v2(channel_ptr self) {
  auto& st = self->state;
  return st.members.size() > st.v1_members || !st.observers.empty() || st.options.node;
}

void presence(channel_ptr self, const std::string& user, v2::presence_kind kind) {
  if (!wants_v2(self)) return;
  start_batch(self);
  self->state.v2_batch.push_back(
      v2::encode(v2::presence_event{self->state.options.name, user, kind}));
}

void report(channel_ptr self) {
  auto& st = self->state;
  self->send(st.options.directory, members_atom_v, st.options.name,
             static_cast<uint32_t>(st.members.size()), st.joins_seen,
             static_cast<uint32_t>(st.observers.size()));
}

void remove(channel_ptr self, std::unordered_map<std::string, channel_member>::iterator i,
            v2::presence_kind kind) {
  auto& st = self->state;
  deliver_batch(self); // what was said while it was a member still reaches it
  if (!i->second.v2) --st.v1_members;
  st.users.erase(i->second.who.address());
  auto user = i->first;
  st.members.erase(i);
  presence(self, user, kind);
  report(self);
}

// Empty on success, else why not (errc::channel_full).
caf::error join(channel_ptr self, const std::string& user, member_actor who, bool v2,
                member_outbox_ptr outbox) {
  auto& st = self->state;
  ++st.joins_seen;
  auto here = st.members.find(user);
  if (here != st.members.end() && here->second.who == who) {
    deliver_batch(self);                     // what the old outbox was owed, it gets
    here->second.outbox = std::move(outbox); // the member's latest: the one it listens to
    report(self);                            // the directory counted this join
    return {};
  }
  deliver_batch(self); // a new member hears nothing said before it came
  // The same member under another name (it lost its name and logged in again) leaves first.
  if (auto old = st.users.find(who.address()); old != st.users.end())
    remove(self, st.members.find(old->second), v2::presence_kind::left);
  if (here != st.members.end()) {
    // Another member under the same user: the newer one (a reconnect) replaces the older.
    self->demonitor(here->second.who.address());
    st.users.erase(here->second.who.address());
    if (!here->second.v2) --st.v1_members;
    st.members.erase(here);
  } else if (st.options.max_members > 0 && st.members.size() >= st.options.max_members) {
    report(self);
    return make_error(errc::channel_full, st.options.name);
  }
  self->monitor(who);
  st.users.emplace(who.address(), user);
  st.members.emplace(user, channel_member{who, v2, std::move(outbox)});
  if (!v2) ++st.v1_members;
  presence(self, user, v2::presence_kind::joined);
  report(self);
  return {};
}

void post(channel_ptr self, const std::string& user, const std::string& text) {
  auto& st = self->state;
  auto sender = sender_of(self);
  if (!sender) return;
  auto i = st.users.find(sender);
  // Only the member holding `user` speaks under it; one that left meanwhile is dropped too.
  if (i == st.users.end() || i->second != user) return;
  bool v1 = wants_v1(self), v2 = wants_v2(self);
  auto offset = number_message(self, user, text); // kept even when no member hears it
  if (v1 || v2 || offset != 0) start_batch(self);
  if (v1) st.v1_batch.push_back(encode_broadcast(user, text)); // the one v1 encode
  if (v2) st.v2_batch.push_back(v2::encode(v2::msg_delivery{st.options.name, user, text, offset}));
}

// One page of members after `after` in byte order of their names, at most `limit` (0: all).
std::tuple<uint32_t, std::vector<std::string>, std::string>
who(channel_ptr self, const std::string& after, uint16_t limit) {
  auto& members = self->state.members;
  std::vector<std::string> names;
  for (auto& entry : members)
    if (after.empty() || entry.first > after) names.push_back(entry.first);
  std::string next;
  if (limit > 0 && names.size() > limit) {
    std::nth_element(names.begin(), names.begin() + limit, names.end());
    names.resize(limit);
    std::sort(names.begin(), names.end());
    next = names.back();
  } else {
    std::sort(names.begin(), names.end());
  }
  return {static_cast<uint32_t>(members.size()), std::move(names), std::move(next)};
}

void observe(channel_ptr self, channel_observer who) {
  auto& st = self->state;
  ++st.joins_seen;
  if (std::find(st.observers.begin(), st.observers.end(), who) == st.observers.end()) {
    deliver_batch(self); // it sees events from now on, not from the middle of a batch
    self->monitor(who);
    st.observers.push_back(std::move(who));
  }
  report(self);
}

bool unobserve(channel_ptr self, const caf::actor_addr& who) {
  auto& obs = self->state.observers;
  auto i = std::find_if(obs.begin(), obs.end(), [&](auto& o) { return o.address() == who; });
  if (i == obs.end()) return false;
  obs.erase(i);
  report(self);
  return true;
}

} // namespace

channel_actor::behavior_type channel(channel_ptr self, channel_options options) {
  self->state.options = std::move(options);
  auto& o = self->state.options;
  // Loading may read the disk (a channel of 10,000 messages: about 0.1 s); here it holds up
  // only this channel's first joins, not the directory and every other channel's.
  if (o.store && !o.node) o.history = o.store->stream("#" + o.name);
  self->set_down_handler([self](const caf::down_msg& dm) {
    auto& st = self->state;
    auto i = st.users.find(dm.source);
    if (i != st.users.end()) remove(self, st.members.find(i->second), v2::presence_kind::dropped);
    unobserve(self, dm.source);
  });
  return {
      [self](post_atom, const std::string& user, const std::string& text) {
        post(self, user, text);
      },
      [self](leave_atom, const std::string& user) {
        auto sender = sender_of(self);
        auto i = self->state.members.find(user);
        if (!sender || i == self->state.members.end() || i->second.who.address() != sender) return;
        self->demonitor(sender);
        remove(self, i, v2::presence_kind::left);
      },
      [self](who_atom, const std::string& after, uint16_t limit) {
        auto [total, names, next] = who(self, after, limit);
        return caf::make_result(total, std::move(names), std::move(next));
      },
      [self](join_atom, const std::string& user, member_actor who, bool v2,
             member_outbox_ptr& outbox) -> caf::result<channel_handle> {
        if (auto err = join(self, user, std::move(who), v2, std::move(outbox))) return err;
        return caf::actor_cast<channel_handle>(self);
      },
      [self](join_atom, const std::string& user, member_actor who, bool v2,
             member_outbox_ptr& outbox,
             const replay_request& ask) -> caf::result<channel_handle, stream_position> {
        auto keep = outbox; // join() takes the member's; the replay goes in the same one
        if (auto err = join(self, user, std::move(who), v2, std::move(outbox))) return err;
        if (self->state.options.node && keep)
          return replay_from_owner(self, user, std::move(keep), ask);
        auto position = keep ? replay_for(self, ask, *keep) : stream_position{};
        return {caf::actor_cast<channel_handle>(self), position};
      },
      [self](history_atom, uint64_t before, uint16_t limit) {
        return history_page_of(self, before, limit);
      },
      [self](flush_atom) { deliver_batch(self); },
      [self](relay_atom, const frame_batch& v1, const frame_batch& v2) { fan_out(self, v1, v2); },
      [self](replay_atom, uint64_t id, std::vector<history_entry>& entries,
             const stream_position& position) {
        finish_replay(self, id, std::move(entries), position);
      },
      [self](replay_atom, expire_atom, uint64_t id) {
        finish_replay(self, id, {}, {recovery::unavailable, 0, 0, 0, 0});
      },
      [self](retire_atom) { self->quit(); },
      [self](observe_atom, channel_observer who) { observe(self, std::move(who)); },
      [self](unobserve_atom, const channel_observer& who) {
        if (unobserve(self, who.address())) self->demonitor(who.address());
      },
  };
}

} // namespace chat
