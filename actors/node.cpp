#include "actors/node.hpp"

#include "actors/name_owner.hpp"
#include "messages/errors.hpp"

#include <caf/io/middleman.hpp>
#include <caf/io/middleman_actor.hpp>
#include <spdlog/spdlog.h>

#include <memory>

namespace chat {

namespace {

using namespace std::chrono_literals;

std::set<std::string> members(node_ptr self) {
  std::set<std::string> all{self->state.options.address};
  for (auto& peer : self->state.peers)
    all.insert(peer.first);
  return all;
}

std::string owner_of(node_ptr self, const std::string& name) {
  return name_owner(members(self), name);
}

bool reachable(node_ptr self, const std::string& address) {
  return address == self->state.options.address || self->state.peers.count(address) > 0;
}

// A member here lost its name to an earlier login elsewhere.
void evict_here(node_ptr self, const std::string& name) {
  if (self->state.held.erase(name) > 0) self->send(self->state.room, evict_atom_v, name);
}

void tell_evict(node_ptr self, const std::string& holder, const std::string& name) {
  if (holder == self->state.options.address)
    evict_here(self, name);
  else if (auto i = self->state.peers.find(holder); i != self->state.peers.end())
    self->send(i->second, evict_atom_v, name);
}

// As the name's owner: may `holder` have it?
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

// Membership changed, so owners may have: every name held here is claimed again at its owner,
// and this node forgets the claims it no longer owns (their holders re-claim them likewise).
// This is also how a healed partition finds names that were taken on both sides.
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

void dial(node_ptr self, const std::string& address);

void retry_later(node_ptr self, const std::string& address, const std::string& why) {
  auto& st = self->state;
  bool seed = std::find(st.options.seeds.begin(), st.options.seeds.end(), address) !=
              st.options.seeds.end();
  if (st.peers.count(address) > 0) return;
  auto& delay = st.backoff[address];
  // Seeds are retried for as long as they are away. A node learned from others is retried
  // until the back-off reaches its cap (about 11 s), which covers a busy peer or a short
  // link flap; after that it rejoins through its own seeds or through a node that has it as one.
  if (!seed && delay >= st.options.max_retry) {
    spdlog::info("cluster: giving up on {} for now: {}", address, why);
    st.backoff.erase(address);
    return;
  }
  if (delay == 0ms)
    spdlog::warn("cluster: cannot reach {}{}: {}; retrying", seed ? "seed " : "", address, why);
  delay = std::min(delay == 0ms ? 100ms : delay * 2, st.options.max_retry);
  self->delayed_send(self, delay, connect_atom_v, address);
}

void add_peer(node_ptr self, const std::string& address, node_actor peer) {
  auto& st = self->state;
  if (address == st.options.address || !peer) return;
  auto i = st.peers.find(address);
  if (i != st.peers.end()) {
    if (i->second == peer) return;
    self->demonitor(i->second.address()); // the node restarted at the same address
  }
  // Whoever knows us learns of the newcomer, so two nodes that join through different members
  // at the same moment still meet.
  for (auto& other : st.peers)
    if (other.first != address) self->send(other.second, connect_atom_v, address);
  self->monitor(peer);
  st.peers[address] = std::move(peer);
  if (st.backoff.erase(address) > 0) spdlog::info("cluster: {} reachable again", address);
  spdlog::info("cluster: node joined address={} nodes={}", address, st.peers.size() + 1);
  reclaim(self);
}

void dial(node_ptr self, const std::string& address) {
  auto& st = self->state;
  if (address == st.options.address || st.peers.count(address) > 0 || st.dialing.count(address))
    return;
  auto colon = address.rfind(':');
  int port = colon == std::string::npos ? 0 : std::atoi(address.c_str() + colon + 1);
  if (port <= 0 || port > 65535) {
    spdlog::warn("cluster: ignoring peer '{}': not HOST:PORT", address);
    return;
  }
  st.dialing.insert(address);
  auto fail = [self, address](caf::error& err) {
    self->state.dialing.erase(address);
    retry_later(self, address, self->system().render(err));
  };
  self->request(self->system().middleman().actor_handle(), st.options.request_timeout,
                connect_atom_v, address.substr(0, colon), static_cast<uint16_t>(port))
      .then(
          [self, address, fail](const caf::node_id&, caf::strong_actor_ptr& ptr,
                                const std::set<std::string>&) {
            auto peer = caf::actor_cast<node_actor>(ptr);
            if (!peer) {
              auto err = caf::make_error(caf::sec::no_actor_published_at_port);
              return fail(err);
            }
            self->request(peer, self->state.options.request_timeout, hello_atom_v,
                          self->state.options.address)
                .then(
                    [self, address, peer](const std::set<std::string>& known) {
                      self->state.dialing.erase(address);
                      add_peer(self, address, peer);
                      for (auto& other : known)
                        dial(self, other);
                    },
                    fail);
          },
          fail);
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

// A LOGIN of this node's member: the name's owner decides, first come, first served.
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

void on_node_down(node_ptr self, const caf::down_msg& dm) {
  auto& st = self->state;
  auto i = std::find_if(st.peers.begin(), st.peers.end(),
                        [&](auto& peer) { return peer.second.address() == dm.source; });
  if (i == st.peers.end()) return;
  auto address = i->first;
  st.peers.erase(i);
  auto freed = st.claims.drop_if(
      [&](const std::string&, const name_claims::claim& c) { return c.holder == address; });
  spdlog::warn("cluster: node lost address={} reason=\"{}\" names_freed={} nodes={}", address,
               self->system().render(dm.reason), freed, st.peers.size() + 1);
  // LOGINs that the lost node was deciding go to their new owners rather than time out.
  if (auto i = st.pending.find(address); i != st.pending.end()) {
    auto moved = std::move(i->second);
    st.pending.erase(i);
    for (auto& login : moved)
      ask_owner(self, std::move(login));
  }
  reclaim(self);
  retry_later(self, address, "connection lost");
}

// One line per node this one sees: "address members", this node first.
caf::result<std::string> status(node_ptr self) {
  struct pending {
    caf::typed_response_promise<std::string> rp;
    std::map<std::string, std::string> counts;
    std::size_t left = 0;
    void done(const std::string& address, std::string count) {
      counts[address] = std::move(count);
      if (--left > 0) return;
      std::string out;
      for (auto& [a, c] : counts)
        out += a + ' ' + c + '\n';
      rp.deliver(std::move(out));
    }
  };
  auto p = std::make_shared<pending>();
  p->rp = self->make_response_promise<std::string>();
  p->left = 1 + self->state.peers.size();
  auto ask = [self, p](auto handle, const std::string& address) {
    self->request(handle, 1s, count_atom_v)
        .then([p, address](uint64_t n) { p->done(address, std::to_string(n)); },
              [p, address](caf::error&) { p->done(address, "unreachable"); });
  };
  ask(self->state.room, self->state.options.address + " (this node)");
  for (auto& [address, peer] : self->state.peers)
    ask(peer, address);
  return p->rp;
}

} // namespace

node_actor::behavior_type node(node_ptr self, room_actor room, node_options options) {
  self->state.options = std::move(options);
  self->state.room = std::move(room);
  self->set_down_handler([self](const caf::down_msg& dm) { on_node_down(self, dm); });
  for (auto& seed : self->state.options.seeds)
    self->send(self, connect_atom_v, seed);
  return {
      [self](join_atom, const std::string& name, int64_t since) {
        auto rp = self->make_response_promise<caf::ok_atom>();
        ask_owner(self, {name, since, rp});
        return rp;
      },
      [self](leave_atom, const std::string& name) {
        auto& st = self->state;
        st.held.erase(name);
        auto owner = owner_of(self, name);
        if (owner == st.options.address)
          st.claims.release(name, owner);
        else
          self->send(st.peers.at(owner), release_atom_v, name, st.options.address);
      },
      [self](broadcast_atom, const frame_batch& batch) {
        for (auto& peer : self->state.peers)
          self->send(peer.second, relay_atom_v, batch);
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
      [self](relay_atom, const frame_batch& batch) {
        self->send(self->state.room, relay_atom_v, batch);
      },
      [self](evict_atom, const std::string& name) { evict_here(self, name); },
      [self](connect_atom, const std::string& address) { dial(self, address); },
      [self](count_atom) { return self->delegate(self->state.room, count_atom_v); },
      [self](status_atom) { return status(self); },
  };
}

} // namespace chat
