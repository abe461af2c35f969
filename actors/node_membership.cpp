#include "actors/node_membership.hpp"
#include "actors/node_history.hpp"
#include "actors/node_names.hpp"
#include "messages/counters.hpp"

#include <caf/io/middleman.hpp>
#include <caf/io/middleman_actor.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <memory>

namespace chat {

namespace {

using namespace std::chrono_literals;

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

} // namespace

std::set<std::string> members(node_ptr self) {
  std::set<std::string> all{self->state.options.address};
  for (auto& peer : self->state.peers)
    all.insert(peer.first);
  return all;
}

bool reachable(node_ptr self, const std::string& address) {
  return address == self->state.options.address || self->state.peers.count(address) > 0;
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
  counters::add(counters::total::cluster_joins);
  spdlog::info("cluster: node joined address={} nodes={}", address, st.peers.size() + 1);
  reclaim(self);
  forget_moved_history(self);
}

void dial(node_ptr self, const std::string& address) {
  auto& st = self->state;
  if (address == st.options.address || st.peers.count(address) > 0 || st.dialing.count(address))
    return;
  // Of two nodes introduced to each other, only the smaller address dials: both learn of the
  // other in the same step (add_peer's connect, and the hello answer), and two links dialled at
  // the same instant could both hang in CAF's TLS handshake. Seeds are always dialled.
  bool seed = std::find(st.options.seeds.begin(), st.options.seeds.end(), address) !=
              st.options.seeds.end();
  if (!seed && address < st.options.address) return;
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
  auto dialer = st.options.dialer ? st.options.dialer : self->system().middleman().actor_handle();
  self->request(dialer, st.options.request_timeout, connect_atom_v, address.substr(0, colon),
                static_cast<uint16_t>(port))
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

void on_node_down(node_ptr self, const caf::down_msg& dm) {
  auto& st = self->state;
  auto i = std::find_if(st.peers.begin(), st.peers.end(),
                        [&](auto& peer) { return peer.second.address() == dm.source; });
  if (i == st.peers.end()) return;
  auto address = i->first;
  st.peers.erase(i);
  auto freed = forget_holder(self, address);
  counters::add(counters::total::cluster_losses);
  spdlog::warn("cluster: node lost address={} reason=\"{}\" names_freed={} nodes={}", address,
               self->system().render(dm.reason), freed, st.peers.size() + 1);
  forget_moved_history(self);
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
  ask(self->state.roster, self->state.options.address + " (this node)");
  for (auto& [address, peer] : self->state.peers)
    ask(peer, address);
  return p->rp;
}

} // namespace chat
