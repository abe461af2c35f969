// node.hpp -- one chat-server process as a member of a cluster (docs/CLUSTER.md): finds the
// other nodes from seed addresses, keeps one name space with them and relays broadcast batches
// between its channels and theirs, over CAF's middleman. Spawned by the server wiring (apps/) when
// --cluster-port is given; published on that port, so other nodes reach it as a node_actor.
#pragma once

#include "actors/name_claims.hpp"
#include "messages/interfaces.hpp"
#include "store/history_store.hpp"

#include <caf/io/middleman_actor.hpp>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace chat {

struct node_options {
  std::string address;            // "host:port" at which other nodes reach this one
  std::vector<std::string> seeds; // "host:port" of nodes to join through; retried while away
  // How this node dials others: a middleman actor's `connect`, plain (CAF's middleman; the
  // default when unset) or TLS (caf::openssl::manager's, chosen at start by the server wiring).
  caf::io::middleman_actor dialer;
  std::chrono::milliseconds request_timeout{3000}; // a claim or hello unanswered this long fails
  std::chrono::milliseconds max_retry{5000};       // seed retries back off up to this
  // Where the channels this node owns keep their history (in memory: a fresh epoch each time
  // the node becomes an owner); none: channels in the cluster keep none.
  store::history_store_ptr history;
};

// A LOGIN waiting for its name's owner on another node.
struct pending_login {
  std::string name;
  int64_t since = 0;
  caf::typed_response_promise<caf::ok_atom> rp;
  uint64_t id = 0;
};

struct node_state {
  node_options options;
  roster_actor roster;                     // names held here
  directory_actor directory;               // channels here: relayed batches go to it
  std::map<std::string, node_actor> peers; // reachable nodes by address (this one excluded)
  std::set<std::string> dialing;           // connects or hellos in flight
  std::map<std::string, std::chrono::milliseconds> backoff; // nodes being redialled
  name_claims claims;                            // the names this node owns (name_owner.hpp)
  std::unordered_map<std::string, int64_t> held; // names this node's members hold: login time
  std::map<std::string, std::vector<pending_login>> pending; // LOGINs by the owner asked
  uint64_t last_pending_id = 0;
  // The history of each channel this node owns and has numbered (actors/node_history.hpp).
  std::unordered_map<std::string, std::shared_ptr<store::stream_log>> owned;
  static inline const char* name = "node";
};

using node_ptr = node_actor::stateful_pointer<node_state>;

node_actor::behavior_type node(node_ptr self, roster_actor roster, directory_actor directory,
                               node_options options);

} // namespace chat
