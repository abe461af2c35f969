#include "actors/node_channels.hpp"

#include "actors/name_owner.hpp"
#include "actors/node_history.hpp"
#include "actors/node_membership.hpp"
#include "messages/errors.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>

namespace chat {

namespace {

using namespace std::chrono_literals;

// How long a cluster-wide query waits for each node; a node that does not answer in time
// counts as having nothing.
constexpr auto query_timeout = 2s;

} // namespace

std::string channel_owner(node_ptr self, const std::string& channel) {
  return name_owner(members(self), "#" + channel);
}

void submit(node_ptr self, const std::string& channel, const frame_batch& v1,
            const frame_batch& v2) {
  auto owner = channel_owner(self, channel);
  if (owner == self->state.options.address) return put_in_order(self, channel, v1, v2);
  // A batch sent to an owner that is lost on its way is lost with it; the channel goes on
  // at its next owner (docs/CLUSTER.md).
  self->send(self->state.peers.at(owner), order_atom_v, channel, v1, v2);
}

void put_in_order(node_ptr self, const std::string& channel, const frame_batch& v1,
                  const frame_batch& v2) {
  // CAF keeps the order of messages between two actors, so every node sees this node's
  // relays in the order they are sent here. The owner numbers the messages on the way.
  auto numbered = number_batch(self, channel, v2);
  for (auto& [address, peer] : self->state.peers)
    self->send(peer, relay_atom_v, channel, v1, numbered);
  self->send(self->state.directory, relay_atom_v, channel, v1, numbered);
}

caf::result<caf::ok_atom> direct_anywhere(node_ptr self, const std::string& to,
                                          const std::string& from, const std::string& text) {
  auto& peers = self->state.peers;
  if (peers.empty()) return make_error(errc::no_such_user, to);
  struct state {
    caf::typed_response_promise<caf::ok_atom> rp;
    std::size_t left = 0;
    bool delivered = false;
    std::optional<errc> refused; // the user is there but cannot take this direct message
  };
  auto st = std::make_shared<state>();
  st->rp = self->make_response_promise<caf::ok_atom>();
  st->left = peers.size();
  auto done = [st, to] {
    if (--st->left > 0 || st->delivered) return;
    st->rp.deliver(make_error(st->refused.value_or(errc::no_such_user), to));
  };
  for (auto& [address, peer] : peers)
    self->request(peer, query_timeout, here_atom_v, direct_atom_v, to, from, text)
        .then(
            [st, done](caf::ok_atom) {
              if (!st->delivered) st->rp.deliver(caf::ok_atom_v);
              st->delivered = true;
              done();
            },
            [st, done](caf::error& err) {
              for (auto code : {errc::no_direct, errc::too_long_for_client})
                if (err == make_error(code)) st->refused = code;
              done();
            });
  return st->rp;
}

caf::result<uint32_t, std::vector<std::string>, std::string>
who_everywhere(node_ptr self, const std::string& channel, const std::string& after,
               uint16_t limit) {
  using promise = caf::typed_response_promise<uint32_t, std::vector<std::string>, std::string>;
  struct state {
    promise rp;
    std::size_t left = 0;
    bool found = false;
    uint32_t total = 0;
    std::vector<std::string> names;
    bool more = false; // some node has members past its page
  };
  auto st = std::make_shared<state>();
  st->rp = self->make_response_promise<uint32_t, std::vector<std::string>, std::string>();
  st->left = 1 + self->state.peers.size();
  auto done = [st, channel, limit] {
    if (--st->left > 0) return;
    if (!st->found) {
      st->rp.deliver(make_error(errc::no_such_channel, channel));
      return;
    }
    // Each node's page is sorted and starts after `after`, so the first `limit` names of all
    // pages together are the cluster's page (names are unique across the cluster).
    std::sort(st->names.begin(), st->names.end());
    st->names.erase(std::unique(st->names.begin(), st->names.end()), st->names.end());
    if (limit > 0 && st->names.size() > limit) {
      st->names.resize(limit);
      st->more = true;
    }
    std::string next = st->more && !st->names.empty() ? st->names.back() : std::string{};
    st->rp.deliver(st->total, std::move(st->names), std::move(next));
  };
  auto on_page = [st, done](uint32_t total, std::vector<std::string>& names, std::string& next) {
    st->found = true;
    st->total += total;
    if (!next.empty()) st->more = true;
    st->names.insert(st->names.end(), names.begin(), names.end());
    done();
  };
  auto on_error = [done](caf::error&) { done(); };
  self->request(self->state.directory, query_timeout, here_atom_v, who_atom_v, channel, after,
                limit)
      .then(on_page, on_error);
  for (auto& [address, peer] : self->state.peers)
    self->request(peer, query_timeout, here_atom_v, who_atom_v, channel, after, limit)
        .then(on_page, on_error);
  return st->rp;
}

caf::result<uint32_t, std::vector<std::string>, std::vector<uint32_t>, std::string>
list_everywhere(node_ptr self, const std::string& after, uint16_t limit) {
  using promise = caf::typed_response_promise<uint32_t, std::vector<std::string>,
                                              std::vector<uint32_t>, std::string>;
  struct state {
    promise rp;
    std::size_t left = 0;
    std::map<std::string, uint32_t> counts; // every channel of every node, members summed
  };
  auto st = std::make_shared<state>();
  st->rp = self->make_response_promise<uint32_t, std::vector<std::string>, std::vector<uint32_t>,
                                       std::string>();
  st->left = 1 + self->state.peers.size();
  auto done = [st, after, limit] {
    if (--st->left > 0) return;
    std::vector<std::string> names;
    std::vector<uint32_t> counts;
    auto i = after.empty() ? st->counts.begin() : st->counts.upper_bound(after);
    for (; i != st->counts.end() && (limit == 0 || names.size() < limit); ++i) {
      names.push_back(i->first);
      counts.push_back(i->second);
    }
    std::string next = i != st->counts.end() && !names.empty() ? names.back() : std::string{};
    st->rp.deliver(static_cast<uint32_t>(st->counts.size()), std::move(names), std::move(counts),
                   std::move(next));
  };
  auto on_all = [st, done](std::vector<std::string>& names, std::vector<uint32_t>& counts) {
    for (std::size_t i = 0; i < names.size() && i < counts.size(); ++i)
      st->counts[names[i]] += counts[i];
    done();
  };
  auto on_error = [done](caf::error&) { done(); };
  self->request(self->state.directory, query_timeout, here_atom_v, list_atom_v)
      .then(on_all, on_error);
  for (auto& [address, peer] : self->state.peers)
    self->request(peer, query_timeout, here_atom_v, list_atom_v).then(on_all, on_error);
  return st->rp;
}

} // namespace chat
