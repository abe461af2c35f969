// health_page.hpp -- /healthz: whether this server should be given clients, for a load balancer
// or an orchestrator's readiness probe. Ready (200) once it listens and, when it joins a cluster
// through seeds, while it reaches at least one other node; otherwise 503 with the reason.
// Served by chat-server's HTTP side (server.cpp); docs/PROTOCOL.md "The gateway".
#pragma once

#include "transport/http_listener.hpp"

#include <cstddef>

namespace chat {

struct health_sources {
  bool clustered = false; // --cluster-port given
  bool has_seeds = false; // --peer given: a node that starts alone is a cluster of one at once
};

transport::http_page health_page(const health_sources& from);

// This node and the other nodes it reaches now (1 when not in a cluster). Also on /metrics.
std::size_t cluster_nodes();

} // namespace chat
