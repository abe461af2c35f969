#include "apps/chat-server/health_page.hpp"

#include "messages/counters.hpp"

#include <string>

namespace chat {

std::size_t cluster_nodes() {
  // The node actor counts each other node it gains and loses (actors/node_membership.cpp).
  auto joins = counters::sum(counters::total::cluster_joins);
  auto losses = counters::sum(counters::total::cluster_losses);
  return 1 + static_cast<std::size_t>(joins >= losses ? joins - losses : 0);
}

transport::http_page health_page(const health_sources& from) {
  constexpr auto text = "text/plain; charset=utf-8";
  // This runs on the HTTP listener's thread, so the server is listening. A node told to join
  // through seeds that reaches no other node would split the chat in two: not ready.
  if (from.clustered && from.has_seeds && cluster_nodes() < 2)
    return transport::http_page{503, text, "not ready: no other cluster node reachable yet\n"};
  return transport::http_page{200, text, "ok\n"};
}

} // namespace chat
