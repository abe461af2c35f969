#include "actors/node_names.hpp"
#include "actors/node_membership.hpp"

#include "actors/name_owner.hpp"
#include "messages/errors.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace chat {

namespace {

void tell_evict(node_ptr self, const std::string& holder, const std::string& name) {
  if (holder == self->state.options.address)
    evict_here(self, name);
  else if (auto i = self->state.peers.find(holder); i != self->state.peers.end())
    self->send(i->second, evict_atom_v, name);
}

// Whether `id` was still waiting on `owner` (and now no longer is): a LOGIN re-routed after its
// owner was lost must not be answered twice.
bool take_pending(node_ptr self, const std::string& owner, uint64_t id) {
  auto i = self->state.pending.find(owner);
  if (i == self->state.pending.end()) return false;
  auto& list = i->second;
  auto j = std::find_if(list.begin(), list.end(), [id](auto& p) { return p.id == id; });
  if (j == list.end()) return false;
  list.erase(j);
  if (list.empty()) self->state.pending.erase(i);
  return true;
}

} // namespace

std::string owner_of(node_ptr self, const std::string& name) {
  return name_owner(members(self), name);
}

void evict_here(node_ptr self, const std::string& name) {
  if (self->state.held.erase(name) > 0) self->send(self->state.roster, evict_atom_v, name);
}

bool settle(node_ptr self, const std::string& name, int64_t since, const std::string& holder,
            bool fresh) {
  std::string loser;
  auto verdict = self->state.claims.settle(
      name, since, holder, fresh, [self](const std::string& a) { return reachable(self, a); },
      &loser);
  if (verdict == name_claims::verdict::refused) return false;
  if (verdict == name_claims::verdict::granted_evicted) {
    spdlog::info("cluster: name {} held twice; kept by {} (earlier login), taken from {}", name,
                 holder, loser);
    tell_evict(self, loser, name);
  }
  return true;
}

// Besides re-claiming, this node forgets the claims it no longer owns (their holders re-claim
// them likewise). This is also how a healed partition finds names taken on both sides.
void reclaim(node_ptr self) {
  auto& st = self->state;
  auto view = members(self);
  st.claims.drop_if([&](const std::string& name, const name_claims::claim&) {
    return name_owner(view, name) != st.options.address;
  });
  for (auto& [name, since] : st.held) {
    auto& owner = name_owner(view, name);
    if (owner == st.options.address) {
      if (!settle(self, name, since, owner, false)) self->send(self, evict_atom_v, name);
      continue;
    }
    self->request(st.peers.at(owner), st.options.request_timeout, claim_atom_v, name, since,
                  st.options.address, false)
        .then([](caf::ok_atom) {},
              [self, name = name, since = since](caf::error& err) {
                auto i = self->state.held.find(name);
                if (err == make_error(errc::name_taken) && i != self->state.held.end() &&
                    i->second == since)
                  evict_here(self, name);
              });
  }
}

// First come, first served at the owner.
void ask_owner(node_ptr self, pending_login login) {
  auto& st = self->state;
  auto owner = owner_of(self, login.name);
  if (owner == st.options.address) {
    if (!settle(self, login.name, login.since, owner, true)) {
      login.rp.deliver(make_error(errc::name_taken, login.name));
      return;
    }
    st.held[login.name] = login.since;
    login.rp.deliver(caf::ok_atom_v);
    return;
  }
  login.id = ++st.last_pending_id;
  auto id = login.id;
  auto name = login.name;
  auto since = login.since;
  st.pending[owner].push_back(login);
  self->request(st.peers.at(owner), st.options.request_timeout, claim_atom_v, name, since,
                st.options.address, true)
      .then(
          [self, owner, id, login](caf::ok_atom) mutable {
            if (!take_pending(self, owner, id)) return;
            self->state.held[login.name] = login.since;
            login.rp.deliver(caf::ok_atom_v);
          },
          [self, owner, id, login](caf::error& err) mutable {
            if (take_pending(self, owner, id)) login.rp.deliver(std::move(err));
          });
}

void release_name(node_ptr self, const std::string& name) {
  auto& st = self->state;
  st.held.erase(name);
  auto owner = owner_of(self, name);
  if (owner == st.options.address)
    st.claims.release(name, owner);
  else
    self->send(st.peers.at(owner), release_atom_v, name, st.options.address);
}

std::size_t forget_holder(node_ptr self, const std::string& address) {
  auto& st = self->state;
  auto freed = st.claims.drop_if(
      [&](const std::string&, const name_claims::claim& c) { return c.holder == address; });
  // LOGINs that the lost node was deciding go to their new owners rather than time out.
  if (auto i = st.pending.find(address); i != st.pending.end()) {
    auto moved = std::move(i->second);
    st.pending.erase(i);
    for (auto& login : moved)
      ask_owner(self, std::move(login));
  }
  reclaim(self);
  return freed;
}

} // namespace chat
